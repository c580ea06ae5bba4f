/* ide.c — the ATA channel: task-file registers, ATA commands, PIO data phases, reset.
 * ATAPI commands live in ide_atapi.c, the bus-master engine in ide_dma.c. */
#include "devices/ide.h"

#include <stdio.h>
#include <string.h>

#include "devices/ide_priv.h"
#include "machine/log.h"

#define LBA28_MAX 0x0FFFFFFFull

/* ---- interrupts and timing ---------------------------------------------------------------- */

void ide_update_irq(IdeChannel *ch)
{
    bool level = ch->drive[ch->cur].intrq && !(ch->devctl & IDE_DC_NIEN) &&
                 ch->drive[ch->cur].kind != IDE_NONE;
    if (level != ch->irq_level) {
        ch->irq_level = level;
        irq_set(&ch->irq, level);
    }
}

void ide_raise_irq(IdeChannel *ch, int drive)
{
    ch->drive[drive].intrq = true;
    ch->bm.status |= IDE_BM_ST_INTR;
    ide_update_irq(ch);
}

void ide_schedule(IdeChannel *ch, IdeAction act)
{
    ch->action = act;
    ide_act(ch)->status = IDE_ST_BSY;
    timer_arm(&ch->timer, sched_now(ch->sched) + IDE_CMD_DELAY_NS);
}

void ide_dma_kick(IdeChannel *ch)
{
    if (ch->action == IDE_ACT_DMA && !timer_armed(&ch->timer) &&
        (ch->bm.cmd & IDE_BM_CMD_START))
        timer_arm(&ch->timer, sched_now(ch->sched) + IDE_CMD_DELAY_NS);
}

/* ---- small helpers ---------------------------------------------------------------------- */

void ide_put_string(uint16_t *words, int first, int count, const char *s)
{
    /* ATA strings: space padded, two characters per word, the first in the high byte. */
    size_t len = strlen(s);
    for (int i = 0; i < count * 2; i++) {
        uint8_t c = (size_t)i < len ? (uint8_t)s[i] : ' ';
        uint16_t *w = &words[first + i / 2];
        if (i & 1)
            *w = (uint16_t)((*w & 0xFF00) | c);
        else
            *w = (uint16_t)((*w & 0x00FF) | c << 8);
    }
}

void ide_set_signature(IdeDrive *d)
{
    d->nsector = d->sector = 1;
    d->hob_nsector = d->hob_sector = d->hob_lcyl = d->hob_hcyl = 0;
    if (d->kind == IDE_CDROM) {
        d->lcyl = 0x14;
        d->hcyl = 0xEB;
    } else {
        d->lcyl = d->hcyl = 0;
    }
    d->select &= 0xF0;
}

/* Posts a command's final status now. */
static void finish_now(IdeChannel *ch, uint8_t status, uint8_t error, bool irq)
{
    IdeDrive *d = ide_act(ch);
    d->status = status;
    d->error = error;
    ch->action = IDE_ACT_NONE;
    ch->xfer = IDE_XFER_NONE;
    if (irq)
        ide_raise_irq(ch, ch->act_drive);
}

static void finish_later(IdeChannel *ch, uint8_t status, uint8_t error)
{
    ch->final_status = status;
    ch->final_error = error;
    ide_schedule(ch, IDE_ACT_FINISH);
}

static void abort_cmd(IdeChannel *ch)
{
    finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_ERR, IDE_ER_ABRT);
}

/* ---- addressing ---------------------------------------------------------------------------- */

static bool lba_mode(const IdeDrive *d) { return d->select & 0x40; }

/* The starting sector the task file names; false for an invalid CHS address. */
static bool taskfile_lba(const IdeDrive *d, bool lba48, uint64_t *lba)
{
    if (lba48) {
        *lba = (uint64_t)d->hob_hcyl << 40 | (uint64_t)d->hob_lcyl << 32 |
               (uint64_t)d->hob_sector << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
        return true;
    }
    if (lba_mode(d)) {
        *lba = (uint64_t)(d->select & 0x0F) << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
        return true;
    }
    unsigned cyl = (unsigned)d->hcyl << 8 | d->lcyl, head = d->select & 0x0F;
    if (d->sector == 0 || d->sector > d->cur_secs || head >= d->cur_heads ||
        cyl >= d->cur_cyls)
        return false;
    *lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_secs + d->sector - 1;
    return true;
}

/* Writes `lba` back into the task file in the addressing mode of the command. */
static void set_taskfile_lba(IdeDrive *d, uint64_t lba, bool lba48)
{
    if (lba48) {
        d->sector = (uint8_t)lba, d->lcyl = (uint8_t)(lba >> 8), d->hcyl = (uint8_t)(lba >> 16);
        d->hob_sector = (uint8_t)(lba >> 24), d->hob_lcyl = (uint8_t)(lba >> 32);
        d->hob_hcyl = (uint8_t)(lba >> 40);
    } else if (lba_mode(d)) {
        d->sector = (uint8_t)lba, d->lcyl = (uint8_t)(lba >> 8), d->hcyl = (uint8_t)(lba >> 16);
        d->select = (uint8_t)((d->select & 0xF0) | ((lba >> 24) & 0x0F));
    } else if (d->cur_heads && d->cur_secs) {
        uint32_t per_cyl = (uint32_t)d->cur_heads * d->cur_secs;
        uint32_t cyl = (uint32_t)(lba / per_cyl), rem = (uint32_t)(lba % per_cyl);
        d->lcyl = (uint8_t)cyl, d->hcyl = (uint8_t)(cyl >> 8);
        d->select = (uint8_t)((d->select & 0xF0) | (rem / d->cur_secs));
        d->sector = (uint8_t)(rem % d->cur_secs + 1);
    }
}

/* Decodes a read/write command's range into ch->lba/remaining; false ends it with IDNF. */
static bool start_range(IdeChannel *ch, bool lba48)
{
    IdeDrive *d = ide_act(ch);
    uint64_t lba;
    uint32_t count = lba48 ? (uint32_t)(d->hob_nsector << 8 | d->nsector) : d->nsector;
    if (count == 0)
        count = lba48 ? 65536 : 256;
    ch->lba48 = lba48;
    if (!taskfile_lba(d, lba48, &lba) || lba > d->sectors || count > d->sectors - lba) {
        finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_ERR, IDE_ER_IDNF);
        return false;
    }
    ch->lba = lba;
    ch->remaining = count;
    return true;
}

/* ---- PIO data phases ----------------------------------------------------------------------- */

static uint32_t block_sectors(const IdeChannel *ch)
{
    return ch->remaining < ch->block ? ch->remaining : ch->block;
}

static void open_data_phase(IdeChannel *ch, IdeXfer dir, uint32_t bytes)
{
    ch->xfer = dir;
    ch->pos = 0;
    ch->end = bytes;
    ide_act(ch)->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
}

/* IDE_ACT_PIO_IN: the next block of an ATA read into buf. */
static void pio_in_block(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    uint32_t n = block_sectors(ch);
    if (!disk_image_read(d->image, ch->lba * DISK_SECTOR, ch->buf, n * DISK_SECTOR)) {
        set_taskfile_lba(d, ch->lba, ch->lba48);
        finish_now(ch, IDE_ST_DRDY | IDE_ST_ERR, IDE_ER_UNC, true);
        return;
    }
    set_taskfile_lba(d, ch->lba + n - 1, ch->lba48);
    ch->lba += n;
    ch->remaining -= n;
    ch->action = IDE_ACT_NONE;
    open_data_phase(ch, IDE_XFER_IN, n * DISK_SECTOR);
    ide_raise_irq(ch, ch->act_drive);
}

/* IDE_ACT_PIO_OUT: the block the guest sent goes to the image. */
static void pio_out_block(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    uint32_t n = block_sectors(ch);
    if (!disk_image_write(d->image, ch->lba * DISK_SECTOR, ch->buf, n * DISK_SECTOR)) {
        set_taskfile_lba(d, ch->lba, ch->lba48);
        finish_now(ch, IDE_ST_DRDY | IDE_ST_ERR, IDE_ER_ABRT, true);
        return;
    }
    set_taskfile_lba(d, ch->lba + n - 1, ch->lba48);
    ch->lba += n;
    ch->remaining -= n;
    ch->action = IDE_ACT_NONE;
    if (ch->remaining) {
        open_data_phase(ch, IDE_XFER_OUT, block_sectors(ch) * DISK_SECTOR);
        ide_raise_irq(ch, ch->act_drive);
    } else {
        finish_now(ch, IDE_ST_DRDY | IDE_ST_DSC, 0, true);
    }
}

/* The guest moved the last byte of the open block through the data port. */
static void data_block_done(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    IdeXfer dir = ch->xfer;
    ch->xfer = IDE_XFER_NONE;
    if (ch->cmd == 0xA0) { /* ATAPI PACKET: the packet, or a chunk of its data */
        if (dir == IDE_XFER_OUT)
            ide_schedule(ch, IDE_ACT_PACKET);
        else
            ide_schedule(ch, IDE_ACT_ATAPI_CHUNK);
        return;
    }
    if (dir == IDE_XFER_OUT) {
        ide_schedule(ch, IDE_ACT_PIO_OUT);
    } else if (ch->remaining) {
        ide_schedule(ch, IDE_ACT_PIO_IN);
    } else {
        d->status = IDE_ST_DRDY | IDE_ST_DSC; /* a PIO read ends without an interrupt */
        ch->action = IDE_ACT_NONE;
    }
}

static uint32_t data_read(IdeChannel *ch, unsigned size)
{
    if (ch->xfer != IDE_XFER_IN || ch->cur != ch->act_drive)
        return size == 4 ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && ch->pos < ch->end; i++)
        v |= (uint32_t)ch->buf[ch->pos++] << (8 * i);
    if (ch->pos >= ch->end)
        data_block_done(ch);
    return v;
}

static void data_write(IdeChannel *ch, unsigned size, uint32_t value)
{
    if (ch->xfer != IDE_XFER_OUT || ch->cur != ch->act_drive)
        return;
    for (unsigned i = 0; i < size && ch->pos < ch->end; i++)
        ch->buf[ch->pos++] = (uint8_t)(value >> (8 * i));
    if (ch->pos >= ch->end)
        data_block_done(ch);
}

/* ---- IDENTIFY DEVICE ------------------------------------------------------------------------ */

static void put_long(uint16_t *w, int i, uint32_t v)
{
    w[i] = (uint16_t)v;
    w[i + 1] = (uint16_t)(v >> 16);
}

static void ata_identify(const IdeDrive *d, uint16_t *w)
{
    memset(w, 0, 512);
    w[0] = 0x0040; /* fixed, non-removable ATA device */
    w[1] = d->cyls, w[3] = d->heads, w[6] = d->secs;
    ide_put_string(w, 10, 10, d->serial);
    w[20] = 3, w[21] = 512, w[22] = 4;
    ide_put_string(w, 23, 4, VMM86_VERSION);
    ide_put_string(w, 27, 20, d->model);
    w[47] = 0x8000 | IDE_MAX_MULT;
    w[49] = 0x0B00; /* IORDY, LBA, DMA */
    w[50] = 0x4000;
    w[51] = w[52] = 0x0200;
    w[53] = 0x0007; /* words 54-58, 64-70 and 88 are valid */
    w[54] = d->cur_cyls, w[55] = d->cur_heads, w[56] = d->cur_secs;
    put_long(w, 57, (uint32_t)d->cur_cyls * d->cur_heads * d->cur_secs);
    w[59] = d->mult ? (uint16_t)(0x0100 | d->mult) : 0;
    put_long(w, 60, (uint32_t)(d->sectors < LBA28_MAX ? d->sectors : LBA28_MAX));
    w[63] = 0x0007; /* multiword DMA 0-2 */
    w[64] = 0x0003; /* PIO 3-4 */
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x00F0; /* ATA/ATAPI-4 to -7 */
    w[81] = 0x0016;
    w[82] = 0x4020;                       /* NOP, write cache */
    w[83] = 0x7400;                       /* FLUSH CACHE EXT, FLUSH CACHE, LBA48 */
    w[84] = 0x4000;
    w[85] = (uint16_t)(0x4000 | (d->write_cache ? 0x0020 : 0));
    w[86] = 0x3400;
    w[87] = 0x4000;
    w[88] = 0x003F; /* UDMA 0-5 */
    if ((d->xfer_mode & 0xF8) == 0x20)
        w[63] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    else if ((d->xfer_mode & 0xF8) == 0x40)
        w[88] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    w[93] = 0x6001;
    put_long(w, 100, (uint32_t)d->sectors);
    put_long(w, 102, (uint32_t)(d->sectors >> 32));
}

static void identify_cmd(IdeChannel *ch, bool packet)
{
    IdeDrive *d = ide_act(ch);
    uint16_t w[256];
    if (packet)
        ide_atapi_identify(d, w);
    else
        ata_identify(d, w);
    for (int i = 0; i < 256; i++) {
        ch->buf[2 * i] = (uint8_t)w[i];
        ch->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    ch->remaining = 0;
    /* IDE_ACT_FINISH with DRQ in the status opens a 512-byte data-in phase. */
    finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ, 0);
}

/* ---- ATA commands ------------------------------------------------------------------------- */

static void read_cmd(IdeChannel *ch, bool lba48, bool multiple)
{
    IdeDrive *d = ide_act(ch);
    if (multiple && !d->mult) {
        abort_cmd(ch);
        return;
    }
    if (!start_range(ch, lba48))
        return;
    ch->block = multiple ? d->mult : 1;
    ide_schedule(ch, IDE_ACT_PIO_IN);
}

static void write_cmd(IdeChannel *ch, bool lba48, bool multiple)
{
    IdeDrive *d = ide_act(ch);
    if (multiple && !d->mult) {
        abort_cmd(ch);
        return;
    }
    if (!start_range(ch, lba48))
        return;
    ch->block = multiple ? d->mult : 1;
    /* The first block is asked for at once, without an interrupt. */
    open_data_phase(ch, IDE_XFER_OUT, block_sectors(ch) * DISK_SECTOR);
}

static void dma_cmd(IdeChannel *ch, bool lba48, bool to_mem)
{
    if (!ch->mem) {
        abort_cmd(ch);
        return;
    }
    if (!start_range(ch, lba48))
        return;
    ch->dma = true;
    ch->dma_to_mem = to_mem;
    ch->action = IDE_ACT_DMA;
    ide_act(ch)->status = IDE_ST_BSY | IDE_ST_DRDY;
    ide_dma_kick(ch);
}

static void ata_dma_run(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    uint64_t bytes = (uint64_t)ch->remaining * DISK_SECTOR;
    IdeDmaResult r = ide_dma_transfer(ch, ch->dma_to_mem, false, ch->lba * DISK_SECTOR, bytes);
    ide_dma_end(ch, r);
    if (r == IDE_DMA_DONE || r == IDE_DMA_PRD_LEFT) {
        set_taskfile_lba(d, ch->lba + ch->remaining - 1, ch->lba48);
        ch->lba += ch->remaining;
        ch->remaining = 0;
        finish_now(ch, IDE_ST_DRDY | IDE_ST_DSC, 0, true);
    } else {
        set_taskfile_lba(d, ch->lba, ch->lba48);
        uint8_t er = r == IDE_DMA_IO_ERROR && ch->dma_to_mem ? IDE_ER_UNC : IDE_ER_ABRT;
        finish_now(ch, IDE_ST_DRDY | IDE_ST_ERR, er, true);
    }
    ch->dma = false;
}

static void verify_cmd(IdeChannel *ch, bool lba48)
{
    if (!start_range(ch, lba48))
        return;
    set_taskfile_lba(ide_act(ch), ch->lba + ch->remaining - 1, lba48);
    finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
}

static void set_multiple_cmd(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    uint8_t n = d->nsector;
    if (n > IDE_MAX_MULT || (n & (n - 1))) {
        abort_cmd(ch);
        return;
    }
    d->mult = n;
    finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
}

static void init_params_cmd(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    unsigned heads = (d->select & 0x0F) + 1u, secs = d->nsector;
    if (secs == 0) {
        abort_cmd(ch);
        return;
    }
    uint64_t cyls = d->sectors / (heads * secs);
    d->cur_heads = (uint16_t)heads;
    d->cur_secs = (uint16_t)secs;
    d->cur_cyls = (uint16_t)(cyls > 65535 ? 65535 : cyls);
    finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
}

static bool valid_xfer_mode(uint8_t m)
{
    switch (m & 0xF8) {
    case 0x00: return m <= 1;        /* PIO default (with or without IORDY) */
    case 0x08: return (m & 7) <= 4;  /* PIO flow control mode n */
    case 0x20: return (m & 7) <= 2;  /* multiword DMA */
    case 0x40: return (m & 7) <= 5;  /* Ultra DMA */
    default: return false;
    }
}

static void set_features_cmd(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    switch (d->feature) {
    case 0x03:
        if (!valid_xfer_mode(d->nsector)) {
            abort_cmd(ch);
            return;
        }
        d->xfer_mode = d->nsector;
        break;
    case 0x02: d->write_cache = true; break;
    case 0x82: d->write_cache = false; break;
    case 0xAA: case 0x55: case 0x66: case 0xCC: break; /* look-ahead, defaults: no effect */
    default:
        abort_cmd(ch);
        return;
    }
    finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
}

static void flush_cmd(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    if (!disk_image_flush(d->image)) {
        finish_later(ch, IDE_ST_DRDY | IDE_ST_ERR, IDE_ER_ABRT);
        return;
    }
    finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
}

/* Status and error a drive shows after a reset or diagnostic. */
static void post_reset_state(IdeDrive *d)
{
    ide_set_signature(d);
    d->error = 0x01; /* diagnostic code: no error */
    d->status = d->kind == IDE_DISK ? IDE_ST_DRDY | IDE_ST_DSC : 0;
    d->intrq = false;
    if (d->kind == IDE_CDROM)
        ide_atapi_reset(d);
}

static void diagnostic_cmd(IdeChannel *ch)
{
    for (int i = 0; i < 2; i++) {
        if (ch->drive[i].kind != IDE_NONE)
            post_reset_state(&ch->drive[i]);
        ch->drive[i].select &= (uint8_t)~0x10;
    }
    ch->cur = 0;
    ch->act_drive = ch->drive[0].kind != IDE_NONE ? 0 : 1;
    IdeDrive *d = ide_act(ch);
    finish_later(ch, d->status, d->error);
}

static void ata_command(IdeChannel *ch, uint8_t cmd)
{
    switch (cmd) {
    case 0x20: case 0x21: read_cmd(ch, false, false); break;
    case 0x24: read_cmd(ch, true, false); break;
    case 0xC4: read_cmd(ch, false, true); break;
    case 0x29: read_cmd(ch, true, true); break;
    case 0x30: case 0x31: write_cmd(ch, false, false); break;
    case 0x34: write_cmd(ch, true, false); break;
    case 0xC5: write_cmd(ch, false, true); break;
    case 0x39: write_cmd(ch, true, true); break;
    case 0xC8: case 0xC9: dma_cmd(ch, false, true); break;
    case 0x25: dma_cmd(ch, true, true); break;
    case 0xCA: case 0xCB: dma_cmd(ch, false, false); break;
    case 0x35: dma_cmd(ch, true, false); break;
    case 0x40: case 0x41: verify_cmd(ch, false); break;
    case 0x42: verify_cmd(ch, true); break;
    case 0xC6: set_multiple_cmd(ch); break;
    case 0x91: init_params_cmd(ch); break;
    case 0xEF: set_features_cmd(ch); break;
    case 0xE7: case 0xEA: flush_cmd(ch); break;
    case 0xEC: identify_cmd(ch, false); break;
    case 0x90: diagnostic_cmd(ch); break;
    case 0x70: finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0); break; /* SEEK */
    case 0xE5: case 0x98:                                            /* CHECK POWER MODE */
        ide_act(ch)->nsector = 0xFF;
        finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
        break;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0x94: case 0x95: case 0x96: case 0x97:
        finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0); /* standby/idle: nothing spins */
        break;
    default:
        if (cmd >= 0x10 && cmd <= 0x1F) { /* RECALIBRATE */
            finish_later(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
            break;
        }
        /* Packet commands are for ATAPI devices: a disk rightly aborts them. */
        if (log_enabled(LOG_UNIMP) && cmd != 0xA0 && cmd != 0xA1 && cmd != 0x08)
            log_printf("ide: ATA command %#04x aborted\n", cmd);
        abort_cmd(ch);
    }
}

static void atapi_command(IdeChannel *ch, uint8_t cmd)
{
    IdeDrive *d = ide_act(ch);
    switch (cmd) {
    case 0xA0: ide_atapi_packet_cmd(ch); break;
    case 0xA1: identify_cmd(ch, true); break;
    case 0x08: /* DEVICE RESET: no interrupt */
        post_reset_state(d);
        ch->action = IDE_ACT_NONE;
        ch->xfer = IDE_XFER_NONE;
        break;
    case 0x90: diagnostic_cmd(ch); break;
    case 0xEF: set_features_cmd(ch); break;
    case 0xE5: case 0x98:
        d->nsector = 0xFF;
        finish_later(ch, IDE_ST_DRDY, 0);
        break;
    case 0xEC: /* IDENTIFY DEVICE: aborted, with the signature that says "ATAPI" */
        ide_set_signature(d);
        finish_later(ch, IDE_ST_DRDY | IDE_ST_ERR, IDE_ER_ABRT);
        break;
    default:
        finish_later(ch, IDE_ST_DRDY | IDE_ST_ERR, IDE_ER_ABRT);
    }
}

static void command_write(IdeChannel *ch, uint8_t cmd)
{
    IdeDrive *d = &ch->drive[ch->cur];
    if (d->kind == IDE_NONE && cmd != 0x90)
        return;
    timer_cancel(&ch->timer);
    ch->action = IDE_ACT_NONE;
    ch->xfer = IDE_XFER_NONE;
    ch->dma = false;
    ch->act_drive = ch->cur;
    ch->cmd = cmd;
    d->intrq = false;
    d->error = 0;
    ide_update_irq(ch);
    if (d->kind == IDE_CDROM)
        atapi_command(ch, cmd);
    else
        ata_command(ch, cmd);
}

/* ---- the timer ---------------------------------------------------------------------------- */

static void ide_timer_cb(void *opaque)
{
    IdeChannel *ch = opaque;
    IdeAction act = ch->action;
    switch (act) {
    case IDE_ACT_FINISH:
        if (ch->final_status & IDE_ST_DRQ) { /* IDENTIFY: one 512-byte block */
            ch->action = IDE_ACT_NONE;
            open_data_phase(ch, IDE_XFER_IN, 512);
            ide_act(ch)->status = ch->final_status;
            ide_raise_irq(ch, ch->act_drive);
        } else {
            finish_now(ch, ch->final_status, ch->final_error, true);
        }
        break;
    case IDE_ACT_PIO_IN: pio_in_block(ch); break;
    case IDE_ACT_PIO_OUT: pio_out_block(ch); break;
    case IDE_ACT_DMA:
        if (!(ch->bm.cmd & IDE_BM_CMD_START))
            break; /* stopped meanwhile: wait for the next start */
        if (ch->cmd == 0xA0) {
            uint64_t len = ch->resp_len ? ch->resp_len : ch->cd_remaining;
            IdeDmaResult r = ide_dma_transfer(ch, true, ch->resp_len != 0, ch->cd_offset, len);
            ide_dma_end(ch, r);
            ide_atapi_dma_finish(ch, r);
        } else {
            ata_dma_run(ch);
        }
        break;
    case IDE_ACT_PACKET: ide_atapi_execute(ch); break;
    case IDE_ACT_ATAPI_CHUNK: ide_atapi_next_chunk(ch); break;
    case IDE_ACT_NONE: break;
    }
}

/* ---- registers ---------------------------------------------------------------------------- */

static bool channel_empty(const IdeChannel *ch)
{
    return ch->drive[0].kind == IDE_NONE && ch->drive[1].kind == IDE_NONE;
}

static uint8_t reg_read(IdeChannel *ch, unsigned reg)
{
    IdeDrive *d = &ch->drive[ch->cur];
    bool hob = ch->devctl & IDE_DC_HOB;
    switch (reg) {
    case 1: return d->error;
    case 2: return hob ? d->hob_nsector : d->nsector;
    case 3: return hob ? d->hob_sector : d->sector;
    case 4: return hob ? d->hob_lcyl : d->lcyl;
    case 5: return hob ? d->hob_hcyl : d->hcyl;
    case 6: return d->select;
    default: /* 7: status; reading it acknowledges the interrupt */
        if (d->kind == IDE_NONE)
            return 0;
        d->intrq = false;
        ide_update_irq(ch);
        return d->status;
    }
}

static void reg_write(IdeChannel *ch, unsigned reg, uint8_t v)
{
    if (ch->drive[ch->cur].status & IDE_ST_BSY)
        return; /* the task file is the drive's while it is busy */
    ch->devctl &= (uint8_t)~IDE_DC_HOB;
    for (int i = 0; i < 2; i++) {
        IdeDrive *d = &ch->drive[i];
        switch (reg) {
        case 1: d->hob_feature = d->feature, d->feature = v; break;
        case 2: d->hob_nsector = d->nsector, d->nsector = v; break;
        case 3: d->hob_sector = d->sector, d->sector = v; break;
        case 4: d->hob_lcyl = d->lcyl, d->lcyl = v; break;
        case 5: d->hob_hcyl = d->hcyl, d->hcyl = v; break;
        case 6: d->select = v | 0xA0; break;
        }
    }
    if (reg == 6) {
        ch->cur = (v >> 4) & 1;
        ide_update_irq(ch);
    } else if (reg == 7) {
        command_write(ch, v);
    }
}

uint32_t ide_cmd_read(IdeChannel *ch, unsigned reg, unsigned size)
{
    reg &= 7;
    if (channel_empty(ch))
        return 0xFFFFFFFFu;
    if (reg == 0)
        return data_read(ch, size);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)(reg + i <= 7 ? reg_read(ch, reg + i) : 0xFF) << (8 * i);
    return v;
}

void ide_cmd_write(IdeChannel *ch, unsigned reg, unsigned size, uint32_t value)
{
    reg &= 7;
    if (reg == 0) {
        data_write(ch, size, value);
        return;
    }
    for (unsigned i = 0; i < size && reg + i <= 7; i++)
        reg_write(ch, reg + i, (uint8_t)(value >> (8 * i)));
}

uint8_t ide_ctrl_read(IdeChannel *ch)
{
    if (channel_empty(ch))
        return 0xFF;
    const IdeDrive *d = &ch->drive[ch->cur];
    return d->kind == IDE_NONE ? 0 : d->status;
}

static void stop_everything(IdeChannel *ch)
{
    timer_cancel(&ch->timer);
    ch->action = IDE_ACT_NONE;
    ch->xfer = IDE_XFER_NONE;
    ch->dma = false;
    ch->resp_len = ch->cd_remaining = 0;
}

void ide_ctrl_write(IdeChannel *ch, uint8_t value)
{
    bool was_reset = ch->devctl & IDE_DC_SRST;
    ch->devctl = value;
    if (!was_reset && (value & IDE_DC_SRST)) {
        stop_everything(ch);
        for (int i = 0; i < 2; i++) {
            if (ch->drive[i].kind != IDE_NONE) {
                ch->drive[i].status = IDE_ST_BSY;
                ch->drive[i].intrq = false;
            }
        }
    } else if (was_reset && !(value & IDE_DC_SRST)) {
        for (int i = 0; i < 2; i++) {
            if (ch->drive[i].kind != IDE_NONE)
                post_reset_state(&ch->drive[i]);
            ch->drive[i].select &= (uint8_t)~0x10;
        }
        ch->cur = 0;
    }
    ide_update_irq(ch);
}

static uint32_t cmd_io_read(void *opaque, uint32_t addr, unsigned size)
{
    return ide_cmd_read(opaque, addr, size);
}
static void cmd_io_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    ide_cmd_write(opaque, addr, size, value);
}
static uint32_t ctrl_io_read(void *opaque, uint32_t addr, unsigned size)
{
    return ide_ctrl_read(opaque);
}
static void ctrl_io_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    ide_ctrl_write(opaque, (uint8_t)value);
}

static const IoOps cmd_ops = {cmd_io_read, cmd_io_write, 0};
static const IoOps ctrl_ops = {ctrl_io_read, ctrl_io_write, 1};

/* ---- set-up -------------------------------------------------------------------------------- */

void ide_init(IdeChannel *ch, Scheduler *sched, IrqLine irq, PhysMem *mem)
{
    memset(ch, 0, sizeof *ch);
    ch->sched = sched;
    ch->irq = irq;
    ch->mem = mem;
    timer_init(&ch->timer, sched, ide_timer_cb, ch);
    ide_reset(ch);
}

static void default_geometry(IdeDrive *d)
{
    uint64_t s = d->sectors;
    uint64_t heads = 16, secs = 63, cyls = s / (heads * secs);
    if (cyls == 0) { /* smaller than one 16x63 cylinder */
        cyls = 1;
        heads = s / secs ? s / secs : 1;
        if (s < secs)
            secs = s ? s : 1;
    }
    if (cyls > 16383)
        cyls = 16383;
    d->cyls = d->cur_cyls = (uint16_t)cyls;
    d->heads = d->cur_heads = (uint16_t)heads;
    d->secs = d->cur_secs = (uint16_t)secs;
}

void ide_attach(IdeChannel *ch, int pos, IdeKind kind, DiskImage *image, int index)
{
    IdeDrive *d = &ch->drive[pos & 1];
    d->kind = kind;
    d->image = image;
    snprintf(d->serial, sizeof d->serial, "VM%05d", index + 1);
    if (kind == IDE_CDROM) {
        d->sectors = image->size / IDE_CD_SECTOR;
        snprintf(d->model, sizeof d->model, "VMM86 CD-ROM");
    } else {
        d->sectors = image->size / DISK_SECTOR;
        snprintf(d->model, sizeof d->model, "VMM86 HARDDISK");
        default_geometry(d);
    }
    ide_reset(ch);
}

void ide_register(IdeChannel *ch, IoPortSpace *io, uint16_t base, uint16_t ctrl)
{
    ioport_register(io, base, 8, &cmd_ops, ch);
    ioport_register(io, ctrl, 1, &ctrl_ops, ch);
}

void ide_reset(IdeChannel *ch)
{
    stop_everything(ch);
    ch->devctl = 0;
    ch->cur = 0;
    ch->bm = (IdeBusMaster){0};
    for (int i = 0; i < 2; i++) {
        IdeDrive *d = &ch->drive[i];
        d->feature = d->hob_feature = 0;
        d->select = 0xA0;
        d->mult = 0;
        d->xfer_mode = 0;
        d->write_cache = true;
        d->locked = false;
        if (d->kind == IDE_DISK) {
            d->cur_cyls = d->cyls, d->cur_heads = d->heads, d->cur_secs = d->secs;
        }
        if (d->kind != IDE_NONE)
            post_reset_state(d);
        else
            d->status = d->error = 0;
    }
    ch->irq_level = true; /* so that the update below drives the line low */
    ch->drive[0].intrq = ch->drive[1].intrq = false;
    ide_update_irq(ch);
}

bool ide_disk_geometry(const IdeChannel *ch, int pos, uint16_t *cyls, uint8_t *heads,
                       uint8_t *secs)
{
    const IdeDrive *d = &ch->drive[pos & 1];
    if (d->kind != IDE_DISK)
        return false;
    *cyls = d->cyls;
    *heads = (uint8_t)d->heads;
    *secs = (uint8_t)d->secs;
    return true;
}

/* ---- save/load -------------------------------------------------------------------------- */

static void save_drive(const IdeDrive *d, StateWriter *w)
{
    const uint8_t regs[] = {d->feature, d->nsector, d->sector, d->lcyl, d->hcyl, d->select,
                            d->hob_feature, d->hob_nsector, d->hob_sector, d->hob_lcyl,
                            d->hob_hcyl, d->status, d->error, d->intrq, d->sense_key,
                            d->asc, d->ascq, d->locked, d->mult, d->xfer_mode,
                            d->write_cache};
    sw_u8(w, (uint8_t)d->kind);
    sw_bytes(w, regs, sizeof regs);
    sw_u16(w, d->cur_cyls);
    sw_u16(w, d->cur_heads);
    sw_u16(w, d->cur_secs);
}

static bool load_drive(IdeDrive *d, StateReader *r)
{
    uint8_t kind = sr_u8(r), g[21];
    sr_bytes(r, g, sizeof g);
    uint16_t cyls = sr_u16(r), heads = sr_u16(r), secs = sr_u16(r);
    if (r->error || kind != (uint8_t)d->kind || g[18] > IDE_MAX_MULT || heads > 16 ||
        secs > 255)
        return sr_fail(r);
    d->feature = g[0], d->nsector = g[1], d->sector = g[2], d->lcyl = g[3], d->hcyl = g[4];
    d->select = g[5], d->hob_feature = g[6], d->hob_nsector = g[7], d->hob_sector = g[8];
    d->hob_lcyl = g[9], d->hob_hcyl = g[10], d->status = g[11], d->error = g[12];
    d->intrq = g[13], d->sense_key = g[14], d->asc = g[15], d->ascq = g[16];
    d->locked = g[17], d->mult = g[18], d->xfer_mode = g[19], d->write_cache = g[20];
    d->cur_cyls = cyls, d->cur_heads = heads, d->cur_secs = secs;
    return true;
}

void ide_save(const IdeChannel *ch, StateWriter *w)
{
    for (int i = 0; i < 2; i++)
        save_drive(&ch->drive[i], w);
    sw_u8(w, (uint8_t)ch->cur);
    sw_u8(w, ch->devctl);
    sw_u8(w, ch->bm.cmd);
    sw_u8(w, ch->bm.status);
    sw_u32(w, ch->bm.prd_addr);
    sw_u8(w, (uint8_t)ch->action);
    sw_u8(w, (uint8_t)ch->act_drive);
    sw_u8(w, ch->cmd);
    sw_u8(w, (uint8_t)(ch->lba48 | ch->dma << 1 | ch->dma_to_mem << 2));
    sw_u64(w, ch->lba);
    sw_u32(w, ch->remaining);
    sw_u32(w, ch->block);
    sw_u8(w, ch->final_status);
    sw_u8(w, ch->final_error);
    sw_u64(w, ch->cd_offset);
    sw_u32(w, ch->cd_remaining);
    sw_u32(w, ch->resp_len);
    sw_u32(w, ch->resp_pos);
    sw_u16(w, ch->byte_limit);
    sw_u8(w, (uint8_t)ch->xfer);
    sw_u32(w, ch->pos);
    sw_u32(w, ch->end);
    sw_bytes(w, ch->buf, sizeof ch->buf);
    sw_u64(w, timer_armed(&ch->timer) ? ch->timer.deadline : SCHED_NEVER);
}

bool ide_load(IdeChannel *ch, StateReader *r)
{
    for (int i = 0; i < 2; i++)
        if (!load_drive(&ch->drive[i], r))
            return false;
    ch->cur = sr_u8(r) & 1;
    ch->devctl = sr_u8(r);
    ch->bm.cmd = sr_u8(r);
    ch->bm.status = sr_u8(r);
    ch->bm.prd_addr = sr_u32(r) & ~3u;
    uint8_t action = sr_u8(r), act_drive = sr_u8(r);
    ch->cmd = sr_u8(r);
    uint8_t flags = sr_u8(r);
    ch->lba = sr_u64(r);
    ch->remaining = sr_u32(r);
    ch->block = sr_u32(r);
    ch->final_status = sr_u8(r);
    ch->final_error = sr_u8(r);
    ch->cd_offset = sr_u64(r);
    ch->cd_remaining = sr_u32(r);
    ch->resp_len = sr_u32(r);
    ch->resp_pos = sr_u32(r);
    ch->byte_limit = sr_u16(r);
    uint8_t xfer = sr_u8(r);
    ch->pos = sr_u32(r);
    ch->end = sr_u32(r);
    sr_bytes(r, ch->buf, sizeof ch->buf);
    uint64_t deadline = sr_u64(r);
    if (r->error || action > IDE_ACT_ATAPI_CHUNK || act_drive > 1 || xfer > IDE_XFER_OUT ||
        ch->end > IDE_BUF_SIZE || ch->pos > ch->end || ch->resp_len > IDE_BUF_SIZE ||
        ch->resp_pos > ch->resp_len || ch->block > IDE_MAX_MULT)
        return sr_fail(r);
    ch->action = (IdeAction)action;
    ch->act_drive = act_drive;
    ch->xfer = (IdeXfer)xfer;
    ch->lba48 = flags & 1, ch->dma = flags & 2, ch->dma_to_mem = flags & 4;
    timer_cancel(&ch->timer);
    if (deadline != SCHED_NEVER)
        timer_arm(&ch->timer, deadline);
    /* Re-drive the line from the loaded state, whatever it was before. */
    const IdeDrive *sel = &ch->drive[ch->cur];
    ch->irq_level = sel->intrq && !(ch->devctl & IDE_DC_NIEN) && sel->kind != IDE_NONE;
    irq_set(&ch->irq, ch->irq_level);
    return true;
}
