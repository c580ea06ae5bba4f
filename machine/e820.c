/* e820.c — the PC's memory map (see e820.h). */
#include "machine/e820.h"

bool e820_add(E820Map *map, uint64_t addr, uint64_t size, uint32_t type)
{
    if (size == 0 || map->count >= E820_MAX)
        return false;
    map->e[map->count++] = (E820Entry){addr, size, type};
    return true;
}

void e820_build_pc(E820Map *map, uint32_t ram_bytes, uint32_t bios_bytes)
{
    map->count = 0;
    e820_add(map, 0, E820_LOW_RAM_END, E820_RAM);
    e820_add(map, E820_LOW_RAM_END, 0xA0000 - E820_LOW_RAM_END, E820_RESERVED);
    if (bios_bytes)
        e820_add(map, 0xF0000, 0x10000, E820_RESERVED);
    if (ram_bytes > 0x100000)
        e820_add(map, 0x100000, (uint64_t)ram_bytes - 0x100000, E820_RAM);
    if (bios_bytes)
        e820_add(map, 0x100000000ull - bios_bytes, bios_bytes, E820_RESERVED);
}

uint64_t e820_ram_in(const E820Map *map, uint64_t from, uint64_t to)
{
    uint64_t total = 0;
    for (int i = 0; i < map->count; i++) {
        const E820Entry *e = &map->e[i];
        if (e->type != E820_RAM)
            continue;
        uint64_t lo = e->addr > from ? e->addr : from;
        uint64_t hi = e->addr + e->size < to ? e->addr + e->size : to;
        if (hi > lo)
            total += hi - lo;
    }
    return total;
}
