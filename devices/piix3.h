/* piix3.h — the Intel 82371SB PIIX3: the PCI-to-ISA bridge 00:01.0 (8086:7000) with its
 * PIRQ router and reset control register, and the IDE function 00:01.1 (8086:7010).
 *
 * Contract: the ISA function routes PCI interrupts: PIRQA-D (registers 0x60-0x63: bit 7
 * disables, bits 3:0 name the ISA IRQ; 3-7, 9-12, 14 and 15 are valid) drive the PIC's
 * inputs, several PIRQs on one IRQ wired-OR. The guest makes those IRQs level-triggered
 * through the PIC's ELCR (ports 0x4D0/0x4D1), as on the real board. Port 0xCF9 (reset
 * control): a write with bit 2 (RCPU) set resets the system; bit 1 (SRST) is kept and
 * read back. The IDE function is in legacy (compatibility) mode for both channels: its
 * command/control ports and IRQs 14/15 are fixed, prog-if 0x80 says "bus master capable",
 * and BAR4 is a 16-byte I/O window with the two channels' bus-master registers (primary
 * at +0, secondary at +8), decoded while command bit 0 is set.
 */
#ifndef VMM86_DEVICES_PIIX3_H
#define VMM86_DEVICES_PIIX3_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/ide.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "machine/savestate.h"

#define PIIX3_DEVFN 0x08
#define PIIX3_IDE_DEVFN 0x09
#define PIIX3_PIRQRC 0x60
#define PIIX3_IDETIM_PRI 0x40 /* IDE function: primary channel timing; bit 15 decode enable */
#define PIIX3_IDETIM_SEC 0x42 /* IDE function: secondary channel timing */
#define PIIX3_RCR_PORT 0xCF9

typedef struct Piix3 {
    PciDevice isa;
    PciDevice ide;
    DualPic *pic;
    IdeChannel *channel[2];
    bool pirq_level[4];
    uint16_t irqs_driven;  /* ISA IRQs this router holds high */
    uint16_t board_levels; /* ISA IRQs the board's other sources (the ACPI SCI) drive high */
    uint8_t rcr;           /* reset control register (bit 1 kept) */
    void (*request_reset)(void *opaque);
    void *opaque;
} Piix3;

void piix3_init(Piix3 *p, PciBus *bus, DualPic *pic, IdeChannel *primary,
                IdeChannel *secondary, void (*request_reset)(void *opaque), void *opaque);
void piix3_reset(Piix3 *p);
/* What a BIOS does to the chip before it starts an OS, for boots that run no firmware (a
 * direct kernel boot): decode enabled on both IDE channels (IDETIM bit 15, 0 at reset),
 * which an OS's PIIX driver reads to decide whether a channel exists. */
void piix3_firmware_setup(Piix3 *p);
/* A line into the router for another level source of the board (the ACPI SCI on IRQ 9):
 * wired-OR with the PIRQs routed to the same ISA IRQ. Its level is the source's state, so
 * a reset or load of the router keeps it. */
IrqLine piix3_board_irq_line(Piix3 *p, int irq);
void piix3_save(const Piix3 *p, StateWriter *w);
bool piix3_load(Piix3 *p, StateReader *r);

#endif
