/* piix3.c — see piix3.h. */
#include "devices/piix3.h"

#include <string.h>

#define PIRQ_VALID_IRQS 0xDEF8u /* 3-7, 9-12, 14, 15 */

/* ---- PIRQ routing ------------------------------------------------------------------------- */

static void update_irqs(Piix3 *p)
{
    uint16_t want = p->board_levels;
    for (int i = 0; i < 4; i++) {
        uint8_t route = p->isa.config[PIIX3_PIRQRC + i];
        if (!p->pirq_level[i] || (route & 0x80))
            continue;
        unsigned irq = route & 0x0F;
        if (PIRQ_VALID_IRQS & (1u << irq))
            want |= (uint16_t)(1u << irq);
    }
    uint16_t changed = want ^ p->irqs_driven;
    p->irqs_driven = want;
    for (int irq = 0; irq < 16; irq++)
        if (changed & (1u << irq))
            pic_set_irq(p->pic, irq, (want >> irq) & 1);
}

static void route_irq(void *opaque, int pirq, int level)
{
    Piix3 *p = opaque;
    p->pirq_level[pirq & 3] = level != 0;
    update_irqs(p);
}

static void board_irq_set(void *opaque, int irq, int level)
{
    Piix3 *p = opaque;
    uint16_t bit = (uint16_t)(1u << (irq & 15));
    if (level)
        p->board_levels |= bit;
    else
        p->board_levels &= (uint16_t)~bit;
    update_irqs(p);
}

IrqLine piix3_board_irq_line(Piix3 *p, int irq)
{
    return (IrqLine){board_irq_set, p, irq};
}

static void isa_config_written(void *opaque, uint32_t addr, unsigned size)
{
    if (addr < PIIX3_PIRQRC + 4 && addr + size > PIIX3_PIRQRC)
        update_irqs(opaque);
}

/* ---- reset control (0xCF9) ----------------------------------------------------------------- */

static void rcr_write(void *opaque, uint8_t v)
{
    Piix3 *p = opaque;
    p->rcr = v & 0x02;
    if ((v & 0x04) && p->request_reset)
        p->request_reset(p->opaque);
}

static uint8_t rcr_read(void *opaque) { return ((Piix3 *)opaque)->rcr; }

/* ---- the IDE function's bus-master window --------------------------------------------------- */

static uint32_t bm_read(void *opaque, uint32_t addr, unsigned size)
{
    Piix3 *p = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) { /* an access may not straddle the channels */
        unsigned a = addr + i;
        v |= (ide_bm_read(p->channel[(a >> 3) & 1], a & 7, 1) & 0xFF) << (8 * i);
    }
    return v;
}

static void bm_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    Piix3 *p = opaque;
    if (size == 4 && (addr & 7) == 4) { /* the PRD pointer as one dword */
        ide_bm_write(p->channel[(addr >> 3) & 1], 4, 4, value);
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        unsigned a = addr + i;
        ide_bm_write(p->channel[(a >> 3) & 1], a & 7, 1, (value >> (8 * i)) & 0xFF);
    }
}

static const IoOps bm_ops = {bm_read, bm_write, 0};

/* ---- set-up ---------------------------------------------------------------------------------- */

void piix3_init(Piix3 *p, PciBus *bus, DualPic *pic, IdeChannel *primary,
                IdeChannel *secondary, void (*request_reset)(void *opaque), void *opaque)
{
    memset(p, 0, sizeof *p);
    p->pic = pic;
    p->channel[0] = primary;
    p->channel[1] = secondary;
    p->request_reset = request_reset;
    p->opaque = opaque;

    pci_device_init(&p->isa, bus, PIIX3_DEVFN, 0x8086, 0x7000, 0x00, 0x060100);
    p->isa.config[PCI_HEADER_TYPE] = 0x80; /* multi-function */
    p->isa.config_written = isa_config_written;
    p->isa.opaque = p;
    memset(p->isa.wmask + 0x40, 0xFF, 0xC0); /* the chip's own registers */
    p->isa.wmask[PCI_COMMAND] = 0x08 | 0x40; /* special cycles, parity: I/O, mem, master fixed */
    bus->route_irq = route_irq;
    bus->route_opaque = p;
    bus->rcr_write = rcr_write;
    bus->rcr_read = rcr_read;
    bus->rcr_opaque = p;

    pci_device_init(&p->ide, bus, PIIX3_IDE_DEVFN, 0x8086, 0x7010, 0x00, 0x010180);
    pci_device_set_io_bar(&p->ide, 4, 16, &bm_ops, p);
    p->ide.wmask[PCI_COMMAND] = 0x05; /* I/O space, bus master */
    p->ide.wmask[PCI_COMMAND + 1] = 0x00;
    p->ide.wmask[PCI_INT_LINE] = 0x00;
    memset(p->ide.wmask + 0x40, 0xFF, 5); /* IDETIM primary/secondary, SIDETIM */
    piix3_reset(p);
}

void piix3_reset(Piix3 *p)
{
    PciDevice *isa = &p->isa;
    pci_device_reset(isa);
    pci_set_word(isa, PCI_COMMAND, 0x0007);
    pci_set_word(isa, PCI_STATUS, 0x0200);
    memset(isa->config + 0x40, 0, 0xC0);
    isa->config[0x4C] = 0x4D;                  /* IORT */
    isa->config[0x4E] = 0x03;                  /* XBCS: RTC, keyboard */
    memset(isa->config + PIIX3_PIRQRC, 0x80, 4); /* all PIRQs unrouted */
    isa->config[0x69] = 0x02;                  /* TOM */
    isa->config[0x70] = 0x80;                  /* MBIRQ0 disabled */
    isa->config[0x76] = isa->config[0x77] = 0x0C; /* MBDMA */
    isa->config[0x78] = 0x02;                  /* PCSC */
    isa->config[0xA0] = 0x08;                  /* SMICNTL */
    isa->config[0xA8] = 0x0F;                  /* FTMR */
    p->pirq_level[0] = p->pirq_level[1] = p->pirq_level[2] = p->pirq_level[3] = false;
    update_irqs(p);
    p->rcr = 0;

    PciDevice *ide = &p->ide;
    pci_device_reset(ide);
    pci_set_word(ide, PCI_STATUS, 0x0280);
    memset(ide->config + 0x40, 0, 5);
}

void piix3_firmware_setup(Piix3 *p)
{
    p->ide.config[PIIX3_IDETIM_PRI + 1] |= 0x80;
    p->ide.config[PIIX3_IDETIM_SEC + 1] |= 0x80;
}

void piix3_save(const Piix3 *p, StateWriter *w)
{
    pci_device_save(&p->isa, w);
    pci_device_save(&p->ide, w);
    uint8_t levels = 0;
    for (int i = 0; i < 4; i++)
        levels |= (uint8_t)(p->pirq_level[i] << i);
    sw_u8(w, levels);
    sw_u8(w, p->rcr);
}

bool piix3_load(Piix3 *p, StateReader *r)
{
    if (!pci_device_load(&p->isa, r) || !pci_device_load(&p->ide, r))
        return false;
    uint8_t levels = sr_u8(r), rcr = sr_u8(r);
    if (r->error || levels > 15)
        return sr_fail(r);
    for (int i = 0; i < 4; i++)
        p->pirq_level[i] = (levels >> i) & 1;
    p->rcr = rcr & 0x02;
    update_irqs(p);
    return true;
}
