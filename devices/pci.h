/* pci.h — PCI bus 0: configuration mechanism #1, configuration space of each function,
 * base address registers, and INTx routing to the board's interrupt router.
 *
 * Contract: the bus answers ports 0xCF8-0xCFF. A dword write to 0xCF8 sets CONFIG_ADDRESS
 * (bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2); other accesses to
 * 0xCF8-0xCFB are not the address register (a byte write to 0xCF9 goes to the reset-control
 * hook, everything else reads all ones). 0xCFC-0xCFF reach the selected function's
 * configuration space at any size; an absent function, another bus, or a clear enable bit
 * reads all ones and ignores writes. Each function (PciDevice) owns 256 bytes of space with
 * a per-byte write mask and write-one-to-clear mask, so the guest changes only what the
 * chip lets it change. BARs are sized by the guest the usual way (write all ones, read the
 * mask back). An I/O BAR is decoded while command bit 0 is set, a memory BAR while bit 1 is;
 * pci.c maps I/O BARs into the port space itself (unregistering the old window and
 * registering the new one, as often as the guest moves it) and calls the device back for
 * memory BARs. A device raises INTx with
 * pci_set_irq(); the bus swizzles device+pin to PIRQ A-D and tells the router the wired-OR
 * level of each PIRQ.
 */
#ifndef VMM86_DEVICES_PCI_H
#define VMM86_DEVICES_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "softmmu/ioport.h"

/* Configuration-space offsets of the type 0 header. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0A
#define PCI_CLASS 0x0B
#define PCI_CACHE_LINE 0x0C
#define PCI_LATENCY 0x0D
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2C
#define PCI_SUBSYS_ID 0x2E
#define PCI_ROM_BAR 0x30
#define PCI_INT_LINE 0x3C
#define PCI_INT_PIN 0x3D

#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEM 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_INTX 0x0008

#define PCI_NUM_BARS 6
#define PCI_BAR_UNMAPPED 0xFFFFFFFFu
#define PCI_CONFIG_PORT 0xCF8

/* The subsystem IDs QEMU's devices carry; SeaBIOS checks them on the host bridge to know it
 * runs on a QEMU-compatible board (and then reads fw_cfg and the CMOS memory size). */
#define PCI_SUBSYS_VENDOR_QEMU 0x1AF4
#define PCI_SUBSYS_ID_QEMU 0x1100

typedef struct PciBus PciBus;
typedef struct PciDevice PciDevice;
typedef struct PciBar PciBar;

struct PciBar {
    uint32_t size;          /* 0: no BAR here; else a power of two (I/O >= 4, memory >= 16) */
    bool io;
    const IoOps *ops;       /* I/O BARs: where port accesses go (addr = offset in BAR) */
    void *opaque;
    /* Memory BARs: told the new address, or PCI_BAR_UNMAPPED. */
    void (*map_mem)(void *opaque, int bar, uint32_t addr);
    uint32_t mapped;        /* address currently decoded, or PCI_BAR_UNMAPPED */
};

struct PciDevice {
    PciBus *bus;
    uint8_t devfn;          /* device << 3 | function */
    uint8_t config[256];
    uint8_t wmask[256];     /* bits the guest may write */
    uint8_t w1cmask[256];   /* bits a guest 1 clears */
    PciBar bar[PCI_NUM_BARS];
    bool irq_level;         /* INTx as driven by the device */
    /* Called after the guest's write changed config[] (addr, size as written). */
    void (*config_written)(void *opaque, uint32_t addr, unsigned size);
    void *opaque;
};

struct PciBus {
    PciDevice *dev[256];    /* by devfn */
    uint32_t config_address;
    IoPortSpace *io;
    /* The interrupt router (PIIX3): PIRQ 0-3 level changes. */
    void (*route_irq)(void *opaque, int pirq, int level);
    void *route_opaque;
    uint8_t pirq_count[4];  /* devices driving each PIRQ */
    /* Byte writes to port 0xCF9 (the PIIX reset control register). */
    void (*rcr_write)(void *opaque, uint8_t value);
    uint8_t (*rcr_read)(void *opaque);
    void *rcr_opaque;
};

void pci_bus_init(PciBus *bus, IoPortSpace *io);
/* Registers ports 0xCF8-0xCFF. */
void pci_bus_register(PciBus *bus);
void pci_bus_reset(PciBus *bus);

/* Fills a type 0 header and plugs the function in at `devfn`. class_code is
 * class << 16 | subclass << 8 | prog-if. The subsystem IDs are QEMU's. */
void pci_device_init(PciDevice *d, PciBus *bus, uint8_t devfn, uint16_t vendor, uint16_t device,
                     uint8_t revision, uint32_t class_code);
/* Declares BAR n (0-5). */
void pci_device_set_io_bar(PciDevice *d, int n, uint32_t size, const IoOps *ops, void *opaque);
void pci_device_set_mem_bar(PciDevice *d, int n, uint32_t size,
                            void (*map_mem)(void *opaque, int bar, uint32_t addr),
                            void *opaque);
/* Interrupt pin 1-4 (INTA-INTD), 0: none. */
void pci_device_set_int_pin(PciDevice *d, int pin);
/* Back to the power-on header: writable registers cleared, BARs unmapped. The device
 * re-sets its own reset values after this. */
void pci_device_reset(PciDevice *d);

/* Drives the function's INTx (ignored when the command register disables INTx). */
void pci_set_irq(PciDevice *d, int level);

/* Configuration access as the guest makes it (tests use these too). */
uint32_t pci_config_read(PciDevice *d, uint32_t addr, unsigned size);
void pci_config_write(PciDevice *d, uint32_t addr, unsigned size, uint32_t value);
/* Re-evaluates BAR decoding (after load, or a device changing config[] itself). */
void pci_device_update_mappings(PciDevice *d);

/* Raw little-endian helpers on config[] (no masks, no side effects). */
static inline uint16_t pci_get_word(const PciDevice *d, unsigned off)
{
    return (uint16_t)(d->config[off & 0xFF] | d->config[(off + 1) & 0xFF] << 8);
}
static inline uint32_t pci_get_long(const PciDevice *d, unsigned off)
{
    return pci_get_word(d, off) | (uint32_t)pci_get_word(d, off + 2) << 16;
}
static inline void pci_set_word(PciDevice *d, unsigned off, uint16_t v)
{
    d->config[off & 0xFF] = (uint8_t)v;
    d->config[(off + 1) & 0xFF] = (uint8_t)(v >> 8);
}
static inline void pci_set_long(PciDevice *d, unsigned off, uint32_t v)
{
    pci_set_word(d, off, (uint16_t)v);
    pci_set_word(d, off + 2, (uint16_t)(v >> 16));
}

void pci_bus_save(const PciBus *bus, StateWriter *w);
bool pci_bus_load(PciBus *bus, StateReader *r);
/* A function's configuration space (the owner saves its other state itself). */
void pci_device_save(const PciDevice *d, StateWriter *w);
bool pci_device_load(PciDevice *d, StateReader *r);

#endif
