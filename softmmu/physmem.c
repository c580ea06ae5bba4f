/* physmem.c — see physmem.h. */
#define _GNU_SOURCE /* memfd_create */
#include "softmmu/physmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "softmmu/hostwin.h"

bool physmem_init(PhysMem *pm, uint32_t ram_size)
{
    memset(pm, 0, sizeof *pm);
    pm->ram_fd = -1;
    if (ram_size > PHYS_MAX_RAM || (ram_size & 0xFFF))
        return false;
    pm->pages = calloc(PHYS_PAGES, sizeof *pm->pages);
    if (!pm->pages)
        return false;
    size_t len = ram_size ? ram_size : 4096;
    void *ram = MAP_FAILED;
    pm->ram_fd = memfd_create("vmm86-ram", MFD_CLOEXEC);
    if (pm->ram_fd >= 0 && ftruncate(pm->ram_fd, (off_t)len) == 0)
        ram = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, pm->ram_fd, 0);
    if (ram == MAP_FAILED) { /* no memfd: anonymous memory, and no host window */
        if (pm->ram_fd >= 0)
            close(pm->ram_fd);
        pm->ram_fd = -1;
        ram = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
                   MAP_NORESERVE, -1, 0);
    }
    if (ram == MAP_FAILED) {
        free(pm->pages);
        pm->pages = NULL;
        return false;
    }
    pm->ram = ram;
    pm->ram_size = ram_size;
    physmem_map_ram(pm, 0, 0, ram_size, true);
    return true;
}

void physmem_free(PhysMem *pm)
{
    hostwin_disable(pm);
    if (pm->ram_fd >= 0)
        close(pm->ram_fd);
    if (pm->ram)
        munmap(pm->ram, pm->ram_size ? pm->ram_size : 4096);
    for (int i = 0; i < pm->nroms; i++)
        free(pm->rom_storage[i]);
    free(pm->pages);
    memset(pm, 0, sizeof *pm);
    pm->ram_fd = -1;
}

void physmem_map_host(PhysMem *pm, uint32_t base, uint8_t *host, uint32_t size, bool writable)
{
    for (uint64_t off = 0; off < size; off += 4096) {
        uint64_t pa = (uint64_t)base + off;
        if (pa >= 0x100000000ull)
            break;
        pm->pages[pa >> 12] = (uintptr_t)(host + off) | PG_RAM | (writable ? PG_WRITABLE : 0);
    }
    hostwin_sync(pm, base >> 12, ((uint64_t)size + 4095) >> 12);
}

void physmem_map_ram(PhysMem *pm, uint32_t base, uint32_t ram_off, uint32_t size,
                     bool writable)
{
    if (ram_off >= pm->ram_size)
        return;
    if (size > pm->ram_size - ram_off)
        size = pm->ram_size - ram_off;
    physmem_map_host(pm, base, pm->ram + ram_off, size, writable);
}

bool physmem_map_rom(PhysMem *pm, uint32_t base, const uint8_t *data, uint32_t size)
{
    if (pm->nroms == (int)(sizeof pm->rom_storage / sizeof pm->rom_storage[0]))
        return false;
    uint32_t alloc = (size + 4095) & ~4095u;
    uint8_t *copy = aligned_alloc(4096, alloc);
    if (!copy)
        return false;
    memset(copy, 0xFF, alloc);
    memcpy(copy, data, size);
    pm->rom_storage[pm->nroms++] = copy;
    physmem_map_host(pm, base, copy, alloc, false);
    return true;
}

void physmem_map_mmio(PhysMem *pm, uint32_t base, uint32_t size, const IoOps *ops, void *opaque)
{
    if (pm->nmmio == PHYS_MAX_MMIO)
        abort(); /* the board's device table is fixed: more regions is a programming error */
    int idx = pm->nmmio++;
    pm->mmio[idx] = (MmioRegion){base, size, ops, opaque};
    for (uint64_t off = 0; off < size; off += 4096) {
        uint64_t pa = (uint64_t)base + off;
        if (pa >= 0x100000000ull)
            break;
        pm->pages[pa >> 12] = PG_MMIO | ((uintptr_t)idx << 4);
    }
    hostwin_sync(pm, base >> 12, ((uint64_t)size + 4095) >> 12);
}

void physmem_unmap(PhysMem *pm, uint32_t base, uint32_t size)
{
    for (uint64_t off = 0; off < size; off += 4096) {
        uint64_t pa = (uint64_t)base + off;
        if (pa >= 0x100000000ull)
            break;
        pm->pages[pa >> 12] = 0;
    }
    hostwin_sync(pm, base >> 12, ((uint64_t)size + 4095) >> 12);
}

static const MmioRegion *mmio_region(const PhysMem *pm, uintptr_t desc)
{
    return &pm->mmio[(desc >> 4) & 0xFF];
}

static inline uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, p, size); /* little-endian host */
    return v;
}

uint64_t physmem_read(PhysMem *pm, uint32_t pa, unsigned size)
{
    uintptr_t d = pm->pages[pa >> 12];
    if (d & PG_RAM)
        return load_le((uint8_t *)(d & ~(uintptr_t)0xFFF) + (pa & 0xFFF), size);
    if (d & PG_MMIO) {
        const MmioRegion *r = mmio_region(pm, d);
        uint32_t off = pa - r->base;
        if (size == 8)
            return physmem_read(pm, pa, 4) | physmem_read(pm, pa + 4, 4) << 32;
        if (!r->ops->sizes || (r->ops->sizes & size))
            return r->ops->read ? r->ops->read(r->opaque, off, size) : ~0ull >> (64 - 8 * size);
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint64_t)(r->ops->read ? r->ops->read(r->opaque, off + i, 1) & 0xFF : 0xFF)
                 << (8 * i);
        return v;
    }
    return size == 8 ? ~0ull : (1ull << (8 * size)) - 1; /* open bus */
}

void physmem_write(PhysMem *pm, uint32_t pa, unsigned size, uint64_t value)
{
    uintptr_t d = pm->pages[pa >> 12];
    if (d & PG_RAM) {
        if (!(d & PG_WRITABLE))
            return; /* ROM */
        if ((d & PG_CODE) && pm->code_write)
            pm->code_write(pm->code_write_opaque, pa, size);
        memcpy((uint8_t *)(d & ~(uintptr_t)0xFFF) + (pa & 0xFFF), &value, size);
        return;
    }
    if (d & PG_MMIO) {
        const MmioRegion *r = mmio_region(pm, d);
        uint32_t off = pa - r->base;
        if (size == 8) {
            physmem_write(pm, pa, 4, (uint32_t)value);
            physmem_write(pm, pa + 4, 4, (uint32_t)(value >> 32));
            return;
        }
        if (!r->ops->write)
            return;
        if (!r->ops->sizes || (r->ops->sizes & size)) {
            r->ops->write(r->opaque, off, size, (uint32_t)value);
            return;
        }
        for (unsigned i = 0; i < size; i++)
            r->ops->write(r->opaque, off + i, 1, (uint8_t)(value >> (8 * i)));
    }
}

void physmem_read_buf(PhysMem *pm, uint32_t pa, void *buf, size_t len)
{
    uint8_t *out = buf;
    while (len) {
        size_t chunk = 4096 - (pa & 0xFFF);
        if (chunk > len)
            chunk = len;
        uint8_t *host = physmem_host(pm, pa);
        if (host) {
            memcpy(out, host, chunk);
        } else {
            for (size_t i = 0; i < chunk; i++)
                out[i] = (uint8_t)physmem_read(pm, pa + (uint32_t)i, 1);
        }
        out += chunk;
        pa += (uint32_t)chunk;
        len -= chunk;
    }
}

void physmem_write_buf(PhysMem *pm, uint32_t pa, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    while (len) {
        size_t chunk = 4096 - (pa & 0xFFF);
        if (chunk > len)
            chunk = len;
        uintptr_t d = pm->pages[pa >> 12];
        if ((d & PG_RAM) && (d & PG_WRITABLE)) {
            if ((d & PG_CODE) && pm->code_write)
                pm->code_write(pm->code_write_opaque, pa, (unsigned)chunk);
            memcpy((uint8_t *)(d & ~(uintptr_t)0xFFF) + (pa & 0xFFF), in, chunk);
        } else if (d & PG_MMIO) {
            for (size_t i = 0; i < chunk; i++)
                physmem_write(pm, pa + (uint32_t)i, 1, in[i]);
        }
        in += chunk;
        pa += (uint32_t)chunk;
        len -= chunk;
    }
}

void physmem_set_code(PhysMem *pm, uint32_t pa, bool code)
{
    uintptr_t *d = &pm->pages[pa >> 12];
    if (!(*d & PG_RAM))
        return;
    uintptr_t nd = code ? (*d | PG_CODE) : (*d & ~(uintptr_t)PG_CODE);
    if (nd == *d)
        return;
    *d = nd;
    hostwin_sync(pm, pa >> 12, 1);
}
