/* vga_pci.c — the std VGA PCI function (see vga_pci.h). */
#include "devices/vga_pci.h"

#define PCI_BAR_MEM_PREFETCH 0x08

static void lfb_moved(void *opaque, int bar, uint32_t addr)
{
    VgaPci *p = opaque;
    (void)bar;
    vga_set_lfb_base(p->vga, addr == PCI_BAR_UNMAPPED ? 0 : addr);
    if (p->flush)
        p->flush(p->opaque);
}

/* The prefetchable bit is one of BAR 0's read-only type bits. */
static void set_bar_type(VgaPci *p)
{
    p->dev.config[PCI_BAR0] |= PCI_BAR_MEM_PREFETCH;
}

void vga_pci_init(VgaPci *p, PciBus *bus, uint8_t devfn, Vga *vga,
                  void (*flush)(void *opaque), void *opaque)
{
    p->vga = vga;
    p->flush = flush;
    p->opaque = opaque;
    pci_device_init(&p->dev, bus, devfn, VGA_PCI_VENDOR, VGA_PCI_DEVICE, 0x02, 0x030000);
    pci_device_set_mem_bar(&p->dev, 0, VGA_VRAM_SIZE, lfb_moved, p);
    set_bar_type(p);
    vga_set_lfb_base(vga, 0); /* nowhere until the firmware assigns BAR 0 */
}

void vga_pci_reset(VgaPci *p)
{
    pci_device_reset(&p->dev);
    set_bar_type(p);
}

void vga_pci_save(const VgaPci *p, StateWriter *w) { pci_device_save(&p->dev, w); }

bool vga_pci_load(VgaPci *p, StateReader *r)
{
    if (!pci_device_load(&p->dev, r))
        return false;
    pci_device_update_mappings(&p->dev);
    return true;
}
