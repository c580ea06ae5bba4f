/* board_pc.h — the PC's PCI and disk side of the board: port 0x80, fw_cfg, the i440FX host
 * bridge and PIIX3 (with -M pc), the two IDE channels and their images, and the CMOS bytes
 * the firmware reads about them.
 *
 * Contract: machine.c calls board_pc_setup() once the CPU, PIC, RTC and the ROMs (BIOS,
 * VGA BIOS) are in place; it opens every configured image (a bad one: one line in err,
 * false) and wires the devices. board_pc_reset() resets them with the rest of the machine;
 * board_pc_free() flushes and closes the images. With -M isapc there is no PCI: the IDE
 * channels sit on their legacy ports without bus-master DMA, and 0xC0000-0xFFFFF is RAM
 * holding a copy of the BIOS (as QEMU's isapc board has it), since no PAM can shadow it.
 */
#ifndef VMM86_MACHINE_BOARD_PC_H
#define VMM86_MACHINE_BOARD_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Machine Machine;

bool board_pc_setup(Machine *m, char *err, size_t errlen);
/* Offers a VGA BIOS to the firmware: SeaBIOS on a QEMU-compatible board runs the one it
 * finds in fw_cfg's "vgaroms/" (copying it into shadow RAM at 0xC0000) and does not scan
 * a ROM merely mapped there. False when out of memory. */
bool board_pc_add_vga_rom(Machine *m, const uint8_t *rom, uint32_t size);
void board_pc_reset(Machine *m);
void board_pc_free(Machine *m);

#endif
