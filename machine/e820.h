/* e820.h — the board's physical memory map as firmware reports it (BIOS INT 15h E820).
 *
 * Contract: e820_build_pc() states, in one place, which guest-physical ranges of our PC are
 * usable RAM and which are reserved: RAM below 640 KiB less the last KiB (where a BIOS
 * keeps its extended data area), the reserved BIOS ROM area 0xF0000-0xFFFFF when firmware
 * is mapped, RAM from 1 MiB to the end of guest RAM, and the firmware image below 4 GiB.
 * The VGA window and option-ROM area 0xA0000-0xEFFFF are not listed (a hole, as on real
 * PCs). Entries are sorted by address and never overlap. The direct kernel loaders hand this
 * map to Linux (boot_params) and multiboot kernels (mmap); firmware interfaces may too.
 */
#ifndef VMM86_MACHINE_E820_H
#define VMM86_MACHINE_E820_H

#include <stdbool.h>
#include <stdint.h>

#define E820_MAX 16

enum { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3, E820_NVS = 4, E820_UNUSABLE = 5 };

/* The top of conventional memory the map reports as RAM (640 KiB less 1 KiB). */
#define E820_LOW_RAM_END 0x9FC00u

typedef struct E820Entry {
    uint64_t addr, size;
    uint32_t type;
} E820Entry;

typedef struct E820Map {
    int count;
    E820Entry e[E820_MAX];
} E820Map;

/* Appends one range; false when the map is full or the range is empty. */
bool e820_add(E820Map *map, uint64_t addr, uint64_t size, uint32_t type);
/* The PC board's map for `ram_bytes` of RAM (at least 1 MiB) and a firmware image of
 * `bios_bytes` at the top of 4 GiB (0: no firmware mapped). */
void e820_build_pc(E820Map *map, uint32_t ram_bytes, uint32_t bios_bytes);
/* Bytes of usable RAM in [from, to) according to the map. */
uint64_t e820_ram_in(const E820Map *map, uint64_t from, uint64_t to);

#endif
