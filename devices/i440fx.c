/* i440fx.c — see i440fx.h. */
#include "devices/i440fx.h"

#include <string.h>

#include "machine/log.h"

#define SMRAM_D_OPEN 0x40
#define SMRAM_D_LCK 0x10

/* The 4 KiB pages and PAM nibble of block `blk`: 0 is 0xF0000 (64 KiB), 1-12 the 16 KiB
 * blocks from 0xC0000. */
static void block_span(int blk, uint32_t *first_page, uint32_t *pages, uint8_t *nibble,
                       const uint8_t *config)
{
    if (blk == 0) {
        *first_page = 48, *pages = 16;
        *nibble = config[I440FX_PAM0] >> 4;
        return;
    }
    int i = blk - 1;
    *first_page = (uint32_t)i * 4, *pages = 4;
    uint8_t reg = config[I440FX_PAM0 + 1 + i / 2];
    *nibble = (i & 1) ? reg >> 4 : reg & 0x0F;
}

static void map_block(I440fx *h, int blk)
{
    uint32_t first, pages;
    uint8_t mode;
    block_span(blk, &first, &pages, &mode, h->pci.config);
    bool re = mode & 1, we = mode & 2;
    if (we && !re && log_enabled(LOG_UNIMP))
        log_printf("i440fx: write-only shadow RAM at %#x is treated as ROM\n",
                   I440FX_SHADOW_BASE + first * 4096);
    for (uint32_t p = first; p < first + pages; p++) {
        uint32_t pa = I440FX_SHADOW_BASE + p * 4096;
        if (re)
            physmem_map_ram(h->mem, pa, pa, 4096, we);
        else if (h->rom[p])
            physmem_map_host(h->mem, pa, h->rom[p], 4096, false);
        else
            physmem_unmap(h->mem, pa, 4096);
    }
}

static void remap_all(I440fx *h)
{
    for (int blk = 0; blk < 13; blk++)
        map_block(h, blk);
    if (h->mem_changed)
        h->mem_changed(h->opaque);
}

static void config_written(void *opaque, uint32_t addr, unsigned size)
{
    I440fx *h = opaque;
    if (addr < I440FX_PAM0 + 7 && addr + size > I440FX_PAM0)
        remap_all(h);
    if (addr <= I440FX_SMRAM && addr + size > I440FX_SMRAM) {
        uint8_t *s = &h->pci.config[I440FX_SMRAM];
        *s = (uint8_t)((*s & ~0x07) | 0x02); /* C_BASE_SEG: 0xA0000 */
        if (*s & SMRAM_D_LCK) {              /* locked until reset */
            *s &= (uint8_t)~SMRAM_D_OPEN;
            h->pci.wmask[I440FX_SMRAM] = 0x08 | 0x20; /* G_SMRAME and D_CLS stay */
        }
    }
}

/* Device-specific registers the guest may write (the 440FX's DRAM, PAM, SMRAM, error). */
static void set_masks(I440fx *h)
{
    PciDevice *d = &h->pci;
    memset(d->wmask + 0x50, 0xFF, 0x30); /* 0x50-0x7F: timing, DRAM, PAM, DRB, SMRAM */
    d->wmask[0x50] = 0x70 | 0x0C;
    d->wmask[I440FX_SMRAM] = 0x78;
    d->wmask[0x90] = 0xFF;               /* ERRCMD */
    d->w1cmask[0x91] = 0x3F;             /* ERRSTS */
    d->wmask[0x93] = 0x06;               /* TRC (reset is the PIIX3's job here) */
    d->wmask[PCI_COMMAND] = 0x00;        /* host bridge: always decoding */
    d->wmask[PCI_COMMAND + 1] = 0x00;
}

void i440fx_init(I440fx *h, PciBus *bus, PhysMem *mem, void (*mem_changed)(void *opaque),
                 void *opaque)
{
    memset(h, 0, sizeof *h);
    pci_device_init(&h->pci, bus, 0x00, 0x8086, 0x1237, 0x02, 0x060000);
    h->mem = mem;
    h->mem_changed = mem_changed;
    h->opaque = opaque;
    h->pci.config_written = config_written;
    h->pci.opaque = h;
    set_masks(h);
    i440fx_capture_rom(h);
    i440fx_reset(h);
}

void i440fx_capture_rom(I440fx *h)
{
    for (uint32_t p = 0; p < I440FX_SHADOW_PAGES; p++) {
        uint32_t pa = I440FX_SHADOW_BASE + p * 4096;
        uintptr_t desc = physmem_desc(h->mem, pa);
        bool rom = (desc & PG_RAM) && !(desc & PG_WRITABLE);
        h->rom[p] = rom ? physmem_host(h->mem, pa) : NULL;
    }
}

void i440fx_reset(I440fx *h)
{
    PciDevice *d = &h->pci;
    pci_device_reset(d);
    pci_set_word(d, PCI_COMMAND, 0x0006);
    pci_set_word(d, PCI_STATUS, 0x0280);
    memset(d->config + 0x50, 0, 0x30);
    d->config[I440FX_SMRAM] = 0x02;
    d->wmask[I440FX_SMRAM] = 0x78;
    remap_all(h);
}

void i440fx_save(const I440fx *h, StateWriter *w) { pci_device_save(&h->pci, w); }

bool i440fx_load(I440fx *h, StateReader *r)
{
    if (!pci_device_load(&h->pci, r))
        return false;
    h->pci.wmask[I440FX_SMRAM] = (h->pci.config[I440FX_SMRAM] & SMRAM_D_LCK) ? 0x28 : 0x78;
    remap_all(h);
    return true;
}
