/* mmu.h — linear-address accesses: TLB fast path, page walk, #PF.
 *
 * Contract: the CPU reaches memory only through these functions (after segmentation). An
 * access names its linear address, size and privilege (`user` is true for CPL 3 accesses
 * that are not implicit supervisor accesses such as descriptor-table or TSS reads). A TLB
 * hit for RAM is a compare and a host load/store; everything else goes to the slow path,
 * which walks the guest page tables exactly as an i686 does (4 KiB and 4 MiB pages, A/D
 * bits set when the translation succeeds, U/S, R/W with CR0.WP, global pages), raises #PF
 * with CR2 and the error code, and dispatches MMIO. An access that crosses a page boundary
 * translates both pages before writing either (precise faults). Physical addresses pass
 * through the A20 mask.
 */
#ifndef VMM86_SOFTMMU_MMU_H
#define VMM86_SOFTMMU_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "softmmu/physmem.h"
#include "softmmu/tlb.h"

typedef enum MmuAccess { MMU_READ = 0, MMU_WRITE = 1, MMU_EXEC = 2 } MmuAccess;

/* Slow paths (mmu.c). */
uint64_t mmu_read_slow(CpuState *cpu, uint32_t lin, unsigned size, bool user);
void mmu_write_slow(CpuState *cpu, uint32_t lin, unsigned size, uint64_t value, bool user);
/* Translate for an access; fills the TLB; raises #PF. Returns the physical address. */
uint32_t mmu_translate(CpuState *cpu, uint32_t lin, MmuAccess acc, bool user);
/* Debugger/monitor view: no faults, no A/D updates, no TLB fill. False if unmapped. */
bool mmu_peek_translate(CpuState *cpu, uint32_t lin, uint32_t *pa);
/* Code fetch of up to 16 bytes from one page (the caller splits at page ends). */
void mmu_fetch(CpuState *cpu, uint32_t lin, uint8_t *buf, unsigned n, bool user);

void mmu_flush_all(CpuState *cpu);
void mmu_flush_nonglobal(CpuState *cpu);
void mmu_invlpg(CpuState *cpu, uint32_t lin);
void mmu_set_a20(CpuState *cpu, bool enabled);

static inline TlbEntry *tlb_entry(CpuState *cpu, uint32_t lin, bool user)
{
    return &cpu->tlb.e[user][(lin >> 12) & (TLB_SIZE - 1)];
}

/* Fast paths: a hit needs the tag to match and the access to stay inside the page. */
#define MMU_DEFINE_READ(bits, type)                                                       \
    static inline type mmu_read##bits(CpuState *cpu, uint32_t lin, bool user)            \
    {                                                                                     \
        TlbEntry *e = tlb_entry(cpu, lin, user);                                          \
        if (__builtin_expect(e->tag_read == (lin & PAGE_MASK) &&                          \
                                 (lin & 0xFFF) <= 0x1000 - (bits) / 8,                    \
                             1)) {                                                        \
            type v;                                                                       \
            memcpy(&v, (const void *)(e->addend + lin), sizeof v);                        \
            return v;                                                                     \
        }                                                                                 \
        return (type)mmu_read_slow(cpu, lin, (bits) / 8, user);                           \
    }
#define MMU_DEFINE_WRITE(bits, type)                                                      \
    static inline void mmu_write##bits(CpuState *cpu, uint32_t lin, type v, bool user)   \
    {                                                                                     \
        TlbEntry *e = tlb_entry(cpu, lin, user);                                          \
        if (__builtin_expect(e->tag_write == (lin & PAGE_MASK) &&                         \
                                 (lin & 0xFFF) <= 0x1000 - (bits) / 8,                    \
                             1)) {                                                        \
            memcpy((void *)(e->addend + lin), &v, sizeof v);                              \
            return;                                                                       \
        }                                                                                 \
        mmu_write_slow(cpu, lin, (bits) / 8, v, user);                                    \
    }
MMU_DEFINE_READ(8, uint8_t)
MMU_DEFINE_READ(16, uint16_t)
MMU_DEFINE_READ(32, uint32_t)
MMU_DEFINE_READ(64, uint64_t)
MMU_DEFINE_WRITE(8, uint8_t)
MMU_DEFINE_WRITE(16, uint16_t)
MMU_DEFINE_WRITE(32, uint32_t)
MMU_DEFINE_WRITE(64, uint64_t)

#endif
