/* tlb.h — the software TLB: cached linear→host translations, per privilege and access kind.
 *
 * Contract: one direct-mapped table per privilege (index 0: supervisor, CPL 0-2 and implicit
 * system accesses; index 1: user, CPL 3). An entry maps one 4 KiB linear page. A tag holds
 * the linear page address when that kind of access (read, write, execute) may use the fast
 * path: host pointer = linear address + addend. A tag with any low bit set never matches a
 * page-aligned address, so such accesses take the slow path (softmmu/mmu.c): TLB_INVALID
 * for no translation, TLB_SLOW for MMIO, ROM writes, pages holding translated code, and
 * pages whose dirty bit is not yet set. The translator emits the same compare inline.
 */
#ifndef VMM86_SOFTMMU_TLB_H
#define VMM86_SOFTMMU_TLB_H

#include <stdint.h>

/* 1024 entries: with 256, the kernel code and data pages a Linux boot cycles through
 * conflicted (1.46M misses per boot against 253K). */
#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID 0x1u
#define TLB_SLOW 0x2u
#define PAGE_SIZE 4096u
#define PAGE_MASK 0xFFFFF000u

/* TlbEntry.flags */
#define TLBE_GLOBAL 0x1u /* from a global page: survives CR3 writes */
#define TLBE_LARGE 0x2u  /* from a 4 MiB page */

typedef struct TlbEntry {
    uint32_t tag_read;
    uint32_t tag_write;
    uint32_t tag_exec;
    uint32_t flags;      /* TLBE_* */
    uintptr_t addend;    /* host address = linear address + addend (RAM and ROM pages) */
    uint32_t phys_page;  /* the guest-physical page this linear page maps to */
    uint32_t pad;
} TlbEntry;

typedef struct Tlb {
    TlbEntry e[2][TLB_SIZE];
    uint32_t large_fills; /* 4 MiB-page entries filled since the last full flush */
} Tlb;

#endif
