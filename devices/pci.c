/* pci.c — see pci.h. */
#include "devices/pci.h"

#include <string.h>

/* ---- I/O BAR windows ------------------------------------------------------------------ */

/* Makes the BAR decode at `base` (or nowhere with PCI_BAR_UNMAPPED): the old window is
 * unregistered from the port space and the new one registered, however often the guest
 * moves it. Ports the old window had taken over from another device return to it. */
static void io_bar_move(PciDevice *d, PciBar *b, uint32_t base)
{
    IoPortSpace *io = d->bus->io;
    if (!io)
        return;
    if (b->mapped != PCI_BAR_UNMAPPED)
        ioport_unregister_ops(io, (uint16_t)b->mapped, b->size, b->ops, b->opaque);
    b->mapped = PCI_BAR_UNMAPPED;
    if (base == PCI_BAR_UNMAPPED)
        return;
    ioport_register(io, (uint16_t)base, b->size, b->ops, b->opaque);
    b->mapped = base;
}

/* The address BAR n decodes now, from the command register and the BAR value. */
static uint32_t bar_decoded_address(const PciDevice *d, int n)
{
    const PciBar *b = &d->bar[n];
    uint16_t cmd = pci_get_word(d, PCI_COMMAND);
    uint32_t v = pci_get_long(d, PCI_BAR0 + 4 * n);
    uint32_t mask = ~(b->size - 1);
    uint32_t addr = v & mask;
    if (b->io) {
        if (!(cmd & PCI_CMD_IO) || addr == 0 || addr >= 0x10000 ||
            addr + b->size > 0x10000 || (addr & 0xFFFF) == (mask & 0xFFFF))
            return PCI_BAR_UNMAPPED;
        return addr;
    }
    if (!(cmd & PCI_CMD_MEM) || addr == 0 || addr == mask)
        return PCI_BAR_UNMAPPED;
    return addr;
}

void pci_device_update_mappings(PciDevice *d)
{
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PciBar *b = &d->bar[n];
        if (!b->size)
            continue;
        uint32_t addr = bar_decoded_address(d, n);
        if (addr == b->mapped)
            continue;
        if (b->io) {
            io_bar_move(d, b, addr);
        } else {
            b->mapped = addr;
            if (b->map_mem)
                b->map_mem(b->opaque, n, addr);
        }
    }
}

/* ---- configuration space ----------------------------------------------------------------- */

uint32_t pci_config_read(PciDevice *d, uint32_t addr, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->config[(addr + i) & 0xFF] << (8 * i);
    return v;
}

static bool intx_out(const PciDevice *d);
static void drive_pirq(PciDevice *d, bool level);

void pci_config_write(PciDevice *d, uint32_t addr, unsigned size, uint32_t value)
{
    bool remap = false;
    bool intx_before = intx_out(d);
    for (unsigned i = 0; i < size; i++) {
        unsigned off = (addr + i) & 0xFF;
        uint8_t b = (uint8_t)(value >> (8 * i));
        uint8_t wm = d->wmask[off], cm = d->w1cmask[off];
        d->config[off] = (uint8_t)((d->config[off] & ~wm) | (b & wm));
        d->config[off] &= (uint8_t)~(b & cm);
        if ((off >= PCI_COMMAND && off < PCI_COMMAND + 2) ||
            (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_NUM_BARS))
            remap = true;
    }
    if (remap)
        pci_device_update_mappings(d);
    if (intx_out(d) != intx_before)
        drive_pirq(d, !intx_before); /* INTx disable toggled with the line high */
    if (d->config_written)
        d->config_written(d->opaque, addr & 0xFF, size);
}

void pci_device_init(PciDevice *d, PciBus *bus, uint8_t devfn, uint16_t vendor, uint16_t device,
                     uint8_t revision, uint32_t class_code)
{
    memset(d, 0, sizeof *d);
    d->bus = bus;
    d->devfn = devfn;
    pci_set_word(d, PCI_VENDOR_ID, vendor);
    pci_set_word(d, PCI_DEVICE_ID, device);
    d->config[PCI_REVISION] = revision;
    d->config[PCI_PROG_IF] = (uint8_t)class_code;
    d->config[PCI_SUBCLASS] = (uint8_t)(class_code >> 8);
    d->config[PCI_CLASS] = (uint8_t)(class_code >> 16);
    pci_set_word(d, PCI_SUBSYS_VENDOR, PCI_SUBSYS_VENDOR_QEMU);
    pci_set_word(d, PCI_SUBSYS_ID, PCI_SUBSYS_ID_QEMU);
    /* Command: I/O, memory, bus master, parity, SERR, INTx disable are the guest's. */
    d->wmask[PCI_COMMAND] = 0x47;
    d->wmask[PCI_COMMAND + 1] = 0x05;
    /* Status: error bits 15..11 and 8 are write-one-to-clear. */
    d->w1cmask[PCI_STATUS + 1] = 0xF9;
    d->wmask[PCI_CACHE_LINE] = 0xFF;
    d->wmask[PCI_LATENCY] = 0xFF;
    d->wmask[PCI_INT_LINE] = 0xFF;
    for (int n = 0; n < PCI_NUM_BARS; n++)
        d->bar[n].mapped = PCI_BAR_UNMAPPED;
    if (bus)
        bus->dev[devfn] = d;
}

static void set_bar_masks(PciDevice *d, int n)
{
    PciBar *b = &d->bar[n];
    uint32_t mask = ~(b->size - 1);
    unsigned off = PCI_BAR0 + 4 * (unsigned)n;
    for (int i = 0; i < 4; i++)
        d->wmask[off + i] = (uint8_t)(mask >> (8 * i));
    d->wmask[off] &= b->io ? 0xFC : 0xF0; /* the type bits are read-only */
    pci_set_long(d, off, b->io ? 1u : 0u);
}

void pci_device_set_io_bar(PciDevice *d, int n, uint32_t size, const IoOps *ops, void *opaque)
{
    PciBar *b = &d->bar[n];
    *b = (PciBar){.size = size < 4 ? 4 : size, .io = true, .ops = ops, .opaque = opaque,
                  .mapped = PCI_BAR_UNMAPPED};
    set_bar_masks(d, n);
}

void pci_device_set_mem_bar(PciDevice *d, int n, uint32_t size,
                            void (*map_mem)(void *opaque, int bar, uint32_t addr),
                            void *opaque)
{
    PciBar *b = &d->bar[n];
    *b = (PciBar){.size = size < 16 ? 16 : size, .io = false, .map_mem = map_mem,
                  .opaque = opaque, .mapped = PCI_BAR_UNMAPPED};
    set_bar_masks(d, n);
}

void pci_device_set_int_pin(PciDevice *d, int pin) { d->config[PCI_INT_PIN] = (uint8_t)pin; }

void pci_device_reset(PciDevice *d)
{
    pci_set_irq(d, 0);
    pci_set_word(d, PCI_COMMAND, 0);
    pci_set_word(d, PCI_STATUS, 0);
    d->config[PCI_CACHE_LINE] = 0;
    d->config[PCI_LATENCY] = 0;
    d->config[PCI_INT_LINE] = 0;
    /* BARs lose their address; read-only type bits (I/O, 64-bit, prefetchable) stay. */
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        if (!d->bar[n].size)
            continue;
        for (int i = 0; i < 4; i++) {
            unsigned off = PCI_BAR0 + 4 * (unsigned)n + (unsigned)i;
            d->config[off] &= (uint8_t)~d->wmask[off];
        }
    }
    pci_device_update_mappings(d);
}

/* ---- interrupts ------------------------------------------------------------------------- */

static int pirq_of(const PciDevice *d)
{
    int pin = d->config[PCI_INT_PIN];
    return ((d->devfn >> 3) + pin - 1) & 3;
}

static void drive_pirq(PciDevice *d, bool level)
{
    PciBus *bus = d->bus;
    if (!bus || d->config[PCI_INT_PIN] < 1 || d->config[PCI_INT_PIN] > 4)
        return;
    int p = pirq_of(d);
    if (level)
        bus->pirq_count[p]++;
    else if (bus->pirq_count[p])
        bus->pirq_count[p]--;
    if (bus->route_irq)
        bus->route_irq(bus->route_opaque, p, bus->pirq_count[p] != 0);
}

/* What the device puts on the wire: its level unless INTx is disabled. */
static bool intx_out(const PciDevice *d)
{
    return d->irq_level && !(pci_get_word(d, PCI_COMMAND) & PCI_CMD_INTX_DISABLE);
}

void pci_set_irq(PciDevice *d, int level)
{
    bool before = intx_out(d);
    d->irq_level = level != 0;
    if (level)
        d->config[PCI_STATUS] |= PCI_STATUS_INTX;
    else
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTX;
    bool after = intx_out(d);
    if (before != after)
        drive_pirq(d, after);
}

/* ---- the bus and its ports ---------------------------------------------------------------- */

static PciDevice *selected(const PciBus *bus)
{
    uint32_t a = bus->config_address;
    if (!(a & 0x80000000u) || ((a >> 16) & 0xFF) != 0)
        return NULL;
    return bus->dev[(a >> 8) & 0xFF];
}

static uint32_t addr_port_read(void *opaque, uint32_t addr, unsigned size)
{
    PciBus *bus = opaque;
    if (addr == 0 && size == 4)
        return bus->config_address;
    if (addr == 1 && size == 1 && bus->rcr_read)
        return bus->rcr_read(bus->rcr_opaque);
    return 0xFFFFFFFFu;
}

static void addr_port_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    PciBus *bus = opaque;
    if (addr == 0 && size == 4)
        bus->config_address = value & 0x80FFFFFCu;
    else if (addr == 1 && size == 1 && bus->rcr_write)
        bus->rcr_write(bus->rcr_opaque, (uint8_t)value);
}

static uint32_t data_port_read(void *opaque, uint32_t addr, unsigned size)
{
    PciBus *bus = opaque;
    PciDevice *d = selected(bus);
    if (!d)
        return 0xFFFFFFFFu;
    return pci_config_read(d, (bus->config_address & 0xFC) + addr, size);
}

static void data_port_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    PciBus *bus = opaque;
    PciDevice *d = selected(bus);
    if (d)
        pci_config_write(d, (bus->config_address & 0xFC) + addr, size, value);
}

static const IoOps addr_ops = {addr_port_read, addr_port_write, 0};
static const IoOps data_ops = {data_port_read, data_port_write, 0};

void pci_bus_init(PciBus *bus, IoPortSpace *io)
{
    memset(bus, 0, sizeof *bus);
    bus->io = io;
}

void pci_bus_register(PciBus *bus)
{
    ioport_register(bus->io, PCI_CONFIG_PORT, 4, &addr_ops, bus);
    ioport_register(bus->io, PCI_CONFIG_PORT + 4, 4, &data_ops, bus);
}

void pci_bus_reset(PciBus *bus) { bus->config_address = 0; }

/* ---- save/load ----------------------------------------------------------------------------- */

void pci_bus_save(const PciBus *bus, StateWriter *w) { sw_u32(w, bus->config_address); }

bool pci_bus_load(PciBus *bus, StateReader *r)
{
    uint32_t a = sr_u32(r);
    if (r->error)
        return false;
    bus->config_address = a & 0x80FFFFFCu;
    return true;
}

void pci_device_save(const PciDevice *d, StateWriter *w)
{
    sw_bytes(w, d->config, sizeof d->config);
    sw_u8(w, d->irq_level);
}

bool pci_device_load(PciDevice *d, StateReader *r)
{
    uint8_t cfg[256];
    if (!sr_bytes(r, cfg, sizeof cfg))
        return false;
    uint8_t level = sr_u8(r);
    if (r->error || level > 1)
        return sr_fail(r);
    pci_set_irq(d, 0);
    memcpy(d->config, cfg, sizeof cfg);
    d->irq_level = false;
    pci_set_irq(d, level);
    pci_device_update_mappings(d);
    return true;
}
