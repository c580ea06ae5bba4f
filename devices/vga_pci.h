/* vga_pci.h — the VGA card as QEMU's "std VGA" PCI function (vendor 0x1234, device 0x1111,
 * class 0x030000), whose BAR 0 is the 16 MiB prefetchable linear frame buffer.
 *
 * Contract: vga_pci_init() plugs the function into the bus at `devfn` for an already
 * registered Vga; from then on the frame buffer appears wherever the guest's BAR 0 and
 * memory-decode bit put it (vga_set_lfb_base), and nowhere while the BAR is off. The
 * `flush` hook runs after every move so the CPU's TLBs forget the old mapping. The legacy
 * ports and the 0xA0000 window are decoded as on any VGA (not through a BAR). A VGA BIOS
 * for this device (vgabios-stdvga) learns the frame buffer address from BAR 0.
 */
#ifndef VMM86_DEVICES_VGA_PCI_H
#define VMM86_DEVICES_VGA_PCI_H

#include "devices/pci.h"
#include "devices/vga.h"

#define VGA_PCI_VENDOR 0x1234
#define VGA_PCI_DEVICE 0x1111
#define VGA_PCI_DEVFN (2 << 3) /* 00:02.0, where QEMU's pc board puts it */
#define VGA_PCI_ROM_NAME "pci1234,1111.rom" /* SeaBIOS's name for this device's ROM */

typedef struct VgaPci {
    PciDevice dev;
    Vga *vga;
    void (*flush)(void *opaque);
    void *opaque;
} VgaPci;

void vga_pci_init(VgaPci *p, PciBus *bus, uint8_t devfn, Vga *vga,
                  void (*flush)(void *opaque), void *opaque);
/* Power-on configuration space; the frame buffer is unmapped until the BAR is set again. */
void vga_pci_reset(VgaPci *p);

void vga_pci_save(const VgaPci *p, StateWriter *w);
bool vga_pci_load(VgaPci *p, StateReader *r);

#endif
