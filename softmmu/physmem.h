/* physmem.h — the guest-physical address space: RAM, ROM, MMIO and holes.
 *
 * Contract: a flat table with one descriptor per 4 KiB guest-physical page (the whole
 * 4 GiB space) says what the page is: unassigned (reads all ones, writes ignored), RAM or
 * ROM (a host pointer; ROM is read-only to the guest), or an MMIO region (dispatched to a
 * device's IoOps with addr = offset from the region base). Later mappings replace earlier
 * ones page by page. The descriptor also carries the "holds translated code" bit the JIT
 * sets, so writes to such pages are seen. Guest-controlled physical addresses are always
 * looked up here; nothing indexes host memory with a guest value unchecked. The A20 mask
 * is applied by the caller (the MMU), not here.
 */
#ifndef VMM86_SOFTMMU_PHYSMEM_H
#define VMM86_SOFTMMU_PHYSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/device.h"

#define PHYS_PAGES (1u << 20)
#define PHYS_MAX_MMIO 64
#define PHYS_MAX_RAM (3584u << 20) /* RAM that fits below the PCI hole at 0xE0000000 */

/* Descriptor low bits (the host pointer is page aligned, so these bits are free). */
#define PG_RAM 0x001u      /* RAM or ROM: high bits are the host pointer */
#define PG_WRITABLE 0x002u /* guest writes allowed (RAM; not ROM) */
#define PG_CODE 0x004u     /* holds translated code: writes must tell the JIT */
#define PG_MMIO 0x008u     /* MMIO: bits 4..11 are the region index */

typedef struct MmioRegion {
    uint32_t base;
    uint32_t size;
    const IoOps *ops;
    void *opaque;
} MmioRegion;

typedef struct PhysMem {
    uintptr_t *pages;        /* PHYS_PAGES descriptors */
    uint8_t *ram;            /* guest RAM, page aligned */
    uint32_t ram_size;       /* bytes */
    int ram_fd;              /* the file RAM lives in (a memfd), or -1 (anonymous memory) */
    uint8_t *window;         /* the host window onto RAM (softmmu/hostwin.h), or NULL */
    uint8_t *rom_storage[8]; /* host copies of ROM images we own */
    int nroms;
    MmioRegion mmio[PHYS_MAX_MMIO];
    int nmmio;
    /* Called when a write reaches a PG_CODE page (the JIT invalidates its blocks). */
    void (*code_write)(void *opaque, uint32_t pa, unsigned len);
    void *code_write_opaque;
} PhysMem;

/* Allocates RAM (zeroed) mapped at physical 0, in a memfd when the host has them (so the
 * host window can map it again). Returns false when the host has no memory. */
bool physmem_init(PhysMem *pm, uint32_t ram_size);
void physmem_free(PhysMem *pm);

/* Maps a copy of `data` read-only at [base, base+size) (page-aligned base and size). */
bool physmem_map_rom(PhysMem *pm, uint32_t base, const uint8_t *data, uint32_t size);
/* Maps host memory the caller owns (e.g. a video RAM buffer) as guest RAM or ROM. */
void physmem_map_host(PhysMem *pm, uint32_t base, uint8_t *host, uint32_t size, bool writable);
/* Maps guest RAM offset `ram_off` at `base` (re-exposes RAM, e.g. PAM shadowing). */
void physmem_map_ram(PhysMem *pm, uint32_t base, uint32_t ram_off, uint32_t size,
                     bool writable);
void physmem_map_mmio(PhysMem *pm, uint32_t base, uint32_t size, const IoOps *ops,
                      void *opaque);
void physmem_unmap(PhysMem *pm, uint32_t base, uint32_t size);

static inline uintptr_t physmem_desc(const PhysMem *pm, uint32_t pa)
{
    return pm->pages[pa >> 12];
}
/* Host pointer for a RAM/ROM physical address, or NULL. */
static inline uint8_t *physmem_host(const PhysMem *pm, uint32_t pa)
{
    uintptr_t d = pm->pages[pa >> 12];
    return (d & PG_RAM) ? (uint8_t *)(d & ~(uintptr_t)0xFFF) + (pa & 0xFFF) : NULL;
}

/* Slow-path accesses of 1, 2, 4 or 8 bytes that stay within one page. */
uint64_t physmem_read(PhysMem *pm, uint32_t pa, unsigned size);
void physmem_write(PhysMem *pm, uint32_t pa, unsigned size, uint64_t value);
/* Bulk copies for DMA and loaders; any length, any alignment. Writes to ROM are dropped. */
void physmem_read_buf(PhysMem *pm, uint32_t pa, void *buf, size_t len);
void physmem_write_buf(PhysMem *pm, uint32_t pa, const void *buf, size_t len);

void physmem_set_code(PhysMem *pm, uint32_t pa, bool code);

#endif
