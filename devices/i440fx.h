/* i440fx.h — the Intel 440FX PCI and memory controller (PMC) as host bridge 00:00.0
 * (8086:1237), with the PAM registers that shadow the BIOS area.
 *
 * Contract: the bridge is a PCI function on the bus given to i440fx_init. Its PAM0-PAM6
 * registers (0x59-0x5F) choose, for 0xF0000-0xFFFFF (PAM0 high nibble) and each 16 KiB
 * block of 0xC0000-0xEFFFF, whether reads go to RAM (RE) and whether writes do (WE). With
 * RE the block is guest RAM, writable with WE; without RE it shows what was mapped there
 * when i440fx_capture_rom() ran (the BIOS, option ROMs) or nothing. Write-only RAM (WE
 * without RE) cannot be expressed page by page here: such a block reads the ROM and drops
 * writes (logged under -d unimp); SeaBIOS never asks for it. Every remap calls
 * `mem_changed` so the CPU drops cached translations. The SMRAM register (0x72) keeps its
 * value (C_BASE_SEG fixed at 010b, D_LCK locking D_OPEN and itself) but does not remap
 * 0xA0000-0xBFFFF. The rest of the device-specific space holds the 440FX's reset values.
 */
#ifndef VMM86_DEVICES_I440FX_H
#define VMM86_DEVICES_I440FX_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"
#include "machine/savestate.h"
#include "softmmu/physmem.h"

#define I440FX_PAM0 0x59
#define I440FX_SMRAM 0x72
#define I440FX_SHADOW_BASE 0xC0000u
#define I440FX_SHADOW_PAGES 64 /* 0xC0000-0xFFFFF in 4 KiB pages */

typedef struct I440fx {
    PciDevice pci;
    PhysMem *mem;
    uint8_t *rom[I440FX_SHADOW_PAGES]; /* host page shown when a block reads "PCI" */
    void (*mem_changed)(void *opaque);
    void *opaque;
} I440fx;

void i440fx_init(I440fx *h, PciBus *bus, PhysMem *mem, void (*mem_changed)(void *opaque),
                 void *opaque);
/* Remembers what is mapped at 0xC0000-0xFFFFF now as the ROM side of the PAM switches. */
void i440fx_capture_rom(I440fx *h);
void i440fx_reset(I440fx *h);
void i440fx_save(const I440fx *h, StateWriter *w);
bool i440fx_load(I440fx *h, StateReader *r);

#endif
