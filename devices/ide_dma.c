/* ide_dma.c — the PIIX bus-master IDE engine: command/status/PRD-pointer registers and the
 * PRD-table walk that moves data between a drive and guest memory (see ide.h). */
#include <string.h>

#include "devices/ide.h"
#include "devices/ide_priv.h"
#include "machine/log.h"

#define PRD_MAX_ENTRIES 8192 /* a PRD table lives in one 64 KiB region */

typedef struct Prd {
    uint32_t base;
    uint32_t len;
    bool eot;
} Prd;

static Prd read_prd(IdeChannel *ch, unsigned index)
{
    uint8_t raw[8];
    physmem_read_buf(ch->mem, ch->bm.prd_addr + 8u * index, raw, sizeof raw);
    Prd p;
    p.base = (uint32_t)(raw[0] | raw[1] << 8 | raw[2] << 16 | (uint32_t)raw[3] << 24) & ~1u;
    p.len = (uint32_t)(raw[4] | raw[5] << 8) & ~1u;
    if (p.len == 0)
        p.len = 0x10000;
    p.eot = raw[7] & 0x80;
    return p;
}

/* Copies one piece between guest memory and a host buffer; the part of a piece that
 * would pass the top of the 4 GiB space is dropped. */
static void guest_copy(IdeChannel *ch, bool to_mem, uint32_t pa, uint8_t *host, uint32_t len)
{
    uint64_t room = 0x100000000ull - pa;
    if (len > room)
        len = (uint32_t)room;
    if (to_mem)
        physmem_write_buf(ch->mem, pa, host, len);
    else
        physmem_read_buf(ch->mem, pa, host, len);
}

IdeDmaResult ide_dma_transfer(IdeChannel *ch, bool to_mem, bool from_buf, uint64_t image_off,
                              uint64_t len)
{
    DiskImage *img = ide_act(ch)->image;
    uint64_t done = 0;
    for (unsigned i = 0; i < PRD_MAX_ENTRIES; i++) {
        Prd p = read_prd(ch, i);
        uint32_t used = 0;
        while (used < p.len && done < len) {
            uint64_t n = p.len - used;
            if (n > len - done)
                n = len - done;
            if (!from_buf && n > IDE_BUF_SIZE)
                n = IDE_BUF_SIZE;
            uint8_t *host = from_buf ? ch->buf + done : ch->buf;
            if (from_buf && done + n > IDE_BUF_SIZE)
                return IDE_DMA_IO_ERROR; /* a response never exceeds buf; be safe */
            if (!from_buf && !to_mem) {
                guest_copy(ch, false, p.base + used, host, (uint32_t)n);
                if (!disk_image_write(img, image_off + done, host, (size_t)n))
                    return IDE_DMA_IO_ERROR;
            } else {
                if (!from_buf && !disk_image_read(img, image_off + done, host, (size_t)n))
                    return IDE_DMA_IO_ERROR;
                guest_copy(ch, to_mem, p.base + used, host, (uint32_t)n);
            }
            used += (uint32_t)n;
            done += n;
        }
        if (done == len)
            return (used == p.len && p.eot) ? IDE_DMA_DONE : IDE_DMA_PRD_LEFT;
        if (p.eot)
            return IDE_DMA_PRD_SHORT;
    }
    if (log_enabled(LOG_GUEST_ERRORS))
        log_printf("ide: PRD table at %#x has no end-of-table mark\n", ch->bm.prd_addr);
    return IDE_DMA_PRD_SHORT;
}

/* Bus-master status after a transfer: with data left in the PRD table the engine stays
 * active (the driver stops it); otherwise it goes idle. Errors set the error bit. */
void ide_dma_end(IdeChannel *ch, IdeDmaResult r)
{
    if (r == IDE_DMA_PRD_LEFT)
        ch->bm.status |= IDE_BM_ST_ACTIVE;
    else
        ch->bm.status &= (uint8_t)~IDE_BM_ST_ACTIVE;
    if (r == IDE_DMA_PRD_SHORT || r == IDE_DMA_IO_ERROR)
        ch->bm.status |= IDE_BM_ST_ERROR;
}

uint32_t ide_bm_read(IdeChannel *ch, unsigned reg, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        uint8_t b;
        switch (r) {
        case 0: b = ch->bm.cmd; break;
        case 2: b = ch->bm.status; break;
        case 4: case 5: case 6: case 7: b = (uint8_t)(ch->bm.prd_addr >> (8 * (r - 4))); break;
        default: b = 0; break;
        }
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

static void bm_command_write(IdeChannel *ch, uint8_t v)
{
    bool was = ch->bm.cmd & IDE_BM_CMD_START;
    ch->bm.cmd = v & (IDE_BM_CMD_START | IDE_BM_CMD_TO_MEM);
    if (!was && (v & IDE_BM_CMD_START)) {
        ch->bm.status |= IDE_BM_ST_ACTIVE;
        ide_dma_kick(ch);
    } else if (was && !(v & IDE_BM_CMD_START)) {
        /* Stopping the engine ends its part; a DMA command not yet run keeps waiting. */
        ch->bm.status &= (uint8_t)~IDE_BM_ST_ACTIVE;
        if (ch->action == IDE_ACT_DMA)
            timer_cancel(&ch->timer);
    }
}

void ide_bm_write(IdeChannel *ch, unsigned reg, unsigned size, uint32_t value)
{
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        uint8_t b = (uint8_t)(value >> (8 * i));
        switch (r) {
        case 0: bm_command_write(ch, b); break;
        case 2: /* bits 1-2 write-one-to-clear, 5-6 plain, 0 and 7 read-only */
            ch->bm.status = (uint8_t)((ch->bm.status & ~(b & 0x06) & ~0x60) | (b & 0x60));
            break;
        case 4: case 5: case 6: case 7: {
            unsigned sh = 8 * (r - 4);
            ch->bm.prd_addr = (ch->bm.prd_addr & ~(0xFFu << sh)) | (uint32_t)b << sh;
            ch->bm.prd_addr &= ~3u;
            break;
        }
        default: break;
        }
    }
}
