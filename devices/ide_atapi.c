/* ide_atapi.c — the ATAPI CD-ROM: IDENTIFY PACKET DEVICE, the PACKET protocol and the
 * MMC commands a BIOS, a boot loader and an OS driver use (see ide.h). One data track,
 * one session, 2048-byte blocks, medium always present. */
#include <string.h>

#include "devices/ide.h"
#include "devices/ide_priv.h"
#include "machine/log.h"

#define CD_MAX_SPEED_KBS 2816 /* 16x */

void ide_atapi_identify(const IdeDrive *d, uint16_t *w)
{
    memset(w, 0, 512);
    w[0] = 0x85C0; /* ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets */
    ide_put_string(w, 10, 10, d->serial);
    ide_put_string(w, 23, 4, VMM86_VERSION);
    ide_put_string(w, 27, 20, d->model);
    w[49] = 0x0B00; /* IORDY, LBA, DMA */
    w[53] = 0x0006; /* words 64-70 and 88 are valid */
    w[63] = 0x0007;
    w[64] = 0x0003;
    w[65] = w[66] = w[67] = w[68] = 120;
    w[71] = w[72] = 30;
    w[80] = 0x00F0;
    w[82] = 0x4214; /* NOP, DEVICE RESET, PACKET, removable media */
    w[83] = 0x4000;
    w[84] = 0x4000;
    w[85] = 0x4214;
    w[87] = 0x4000;
    w[88] = 0x003F;
    if ((d->xfer_mode & 0xF8) == 0x20)
        w[63] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    else if ((d->xfer_mode & 0xF8) == 0x40)
        w[88] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    w[93] = 0x6001;
}

void ide_atapi_reset(IdeDrive *d)
{
    d->sense_key = d->asc = d->ascq = 0;
    d->locked = false;
}

static void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, v);
}
static uint32_t get_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get_be32(const uint8_t *p) { return get_be16(p) << 16 | get_be16(p + 2); }

/* ---- completion ------------------------------------------------------------------------- */

static void atapi_complete(IdeChannel *ch, uint8_t status, uint8_t error)
{
    IdeDrive *d = ide_act(ch);
    d->status = status;
    d->error = error;
    d->nsector = IDE_IREASON_IO | IDE_IREASON_COD;
    ch->action = IDE_ACT_NONE;
    ch->xfer = IDE_XFER_NONE;
    ch->resp_len = ch->cd_remaining = 0;
    ch->dma = false;
    ide_raise_irq(ch, ch->act_drive);
}

static void cmd_ok(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    d->sense_key = SENSE_NONE;
    d->asc = d->ascq = 0;
    atapi_complete(ch, IDE_ST_DRDY | IDE_ST_DSC, 0);
}

static void cmd_error(IdeChannel *ch, uint8_t key, uint8_t asc)
{
    IdeDrive *d = ide_act(ch);
    d->sense_key = key;
    d->asc = asc;
    d->ascq = 0;
    atapi_complete(ch, IDE_ST_DRDY | IDE_ST_ERR, (uint8_t)(key << 4));
}

/* Data-in from ch->buf[0..len), cut to the allocation length the host gave. */
static void start_data_in(IdeChannel *ch)
{
    if (!ch->resp_len && !ch->cd_remaining) {
        cmd_ok(ch);
        return;
    }
    if (ch->dma) {
        ch->dma_to_mem = true;
        ch->action = IDE_ACT_DMA;
        ide_act(ch)->status = IDE_ST_BSY | IDE_ST_DRDY;
        ide_dma_kick(ch);
        return;
    }
    ide_atapi_next_chunk(ch);
}

static void reply(IdeChannel *ch, uint32_t len, uint32_t alloc)
{
    ch->resp_len = len < alloc ? len : alloc;
    ch->resp_pos = 0;
    start_data_in(ch);
}

void ide_atapi_next_chunk(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    uint32_t left = ch->resp_len ? ch->resp_len - ch->resp_pos : ch->cd_remaining;
    if (left == 0) {
        cmd_ok(ch);
        return;
    }
    uint32_t n = left < ch->byte_limit ? left : ch->byte_limit;
    if (ch->resp_len) {
        ch->pos = ch->resp_pos;
        ch->resp_pos += n;
        if (ch->resp_pos == ch->resp_len)
            ch->resp_len = ch->resp_pos = 0; /* the last chunk: nothing left after it */
    } else {
        if (n > IDE_BUF_SIZE)
            n = IDE_BUF_SIZE;
        if (!disk_image_read(d->image, ch->cd_offset, ch->buf, n)) {
            cmd_error(ch, 0x03 /* MEDIUM ERROR */, 0x11 /* unrecovered read error */);
            return;
        }
        ch->cd_offset += n;
        ch->cd_remaining -= n;
        ch->pos = 0;
    }
    ch->end = ch->pos + n;
    ch->xfer = IDE_XFER_IN;
    ch->action = IDE_ACT_NONE;
    d->lcyl = (uint8_t)n;
    d->hcyl = (uint8_t)(n >> 8);
    d->nsector = IDE_IREASON_IO;
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
    ide_raise_irq(ch, ch->act_drive);
}

void ide_atapi_dma_finish(IdeChannel *ch, IdeDmaResult r)
{
    if (r == IDE_DMA_DONE || r == IDE_DMA_PRD_LEFT)
        cmd_ok(ch);
    else
        cmd_error(ch, 0x04 /* HARDWARE ERROR */, 0x00);
}

/* ---- the PACKET command ------------------------------------------------------------------- */

void ide_atapi_packet_cmd(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    ch->dma = d->feature & 1;
    if (ch->dma && !ch->mem) {
        ch->final_status = IDE_ST_DRDY | IDE_ST_ERR;
        ch->final_error = IDE_ER_ABRT;
        ide_schedule(ch, IDE_ACT_FINISH);
        return;
    }
    uint32_t limit = (uint32_t)d->hcyl << 8 | d->lcyl;
    if (limit == 0 || limit == 0xFFFF)
        limit = 0xFFFE; /* hosts mean "as much as you like" */
    ch->byte_limit = (uint16_t)(limit & ~1u);
    if (!ch->byte_limit)
        ch->byte_limit = 2;
    ch->resp_len = ch->resp_pos = ch->cd_remaining = 0;
    d->nsector = IDE_IREASON_COD;
    ch->xfer = IDE_XFER_OUT;
    ch->pos = 0;
    ch->end = 12;
    d->status = IDE_ST_DRDY | IDE_ST_DRQ;
}

/* ---- MMC commands --------------------------------------------------------------------------- */

static void lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;
    p[0] = 0;
    p[1] = (uint8_t)(lba / (75 * 60));
    p[2] = (uint8_t)((lba / 75) % 60);
    p[3] = (uint8_t)(lba % 75);
}

static void put_address(uint8_t *p, uint32_t lba, bool msf)
{
    if (msf)
        lba_to_msf(p, lba);
    else
        put_be32(p, lba);
}

static void request_sense(IdeChannel *ch, const uint8_t *cdb)
{
    IdeDrive *d = ide_act(ch);
    uint8_t *b = ch->buf;
    memset(b, 0, 18);
    b[0] = 0x70;
    b[2] = d->sense_key;
    b[7] = 10;
    b[12] = d->asc;
    b[13] = d->ascq;
    d->sense_key = d->asc = d->ascq = 0;
    reply(ch, 18, cdb[4]);
}

static void inquiry(IdeChannel *ch, const uint8_t *cdb)
{
    if (cdb[1] & 1) { /* vital product data pages: none */
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    uint8_t *b = ch->buf;
    memset(b, 0, 36);
    b[0] = 0x05; /* CD/DVD device */
    b[1] = 0x80; /* removable */
    b[2] = 0x00;
    b[3] = 0x21; /* ATAPI, response data format 1 */
    b[4] = 31;
    memcpy(b + 8, "VMM86   ", 8);
    memcpy(b + 16, "CD-ROM          ", 16);
    memcpy(b + 32, "0.1 ", 4);
    reply(ch, 36, cdb[4]);
}

static void read_capacity(IdeChannel *ch)
{
    IdeDrive *d = ide_act(ch);
    put_be32(ch->buf, (uint32_t)(d->sectors - 1));
    put_be32(ch->buf + 4, IDE_CD_SECTOR);
    reply(ch, 8, 8);
}

static void read_blocks(IdeChannel *ch, uint32_t lba, uint32_t count)
{
    IdeDrive *d = ide_act(ch);
    if ((uint64_t)lba + count > d->sectors) {
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
        return;
    }
    ch->cd_offset = (uint64_t)lba * IDE_CD_SECTOR;
    ch->cd_remaining = count * IDE_CD_SECTOR;
    if ((uint64_t)count * IDE_CD_SECTOR > 0xFFFFFFFFull) /* READ(12) of > 4 GiB */
        ch->cd_remaining = 0xFFFFF800u;
    ch->resp_len = 0;
    start_data_in(ch);
}

/* Mode page 0x2A (capabilities and mechanical status), 20 bytes. */
static uint32_t mode_page_caps(const IdeDrive *d, uint8_t *p)
{
    memset(p, 0, 20);
    p[0] = 0x2A;
    p[1] = 18;
    p[4] = 0x71;                         /* audio play, composite, ports, multisession */
    p[5] = 0x00;
    p[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0)); /* tray, eject, lock (+ state) */
    p[7] = 0x03;                         /* separate volume, channel mute */
    put_be16(p + 8, CD_MAX_SPEED_KBS);
    put_be16(p + 10, 256);               /* volume levels */
    put_be16(p + 12, 512);               /* buffer KiB */
    put_be16(p + 14, CD_MAX_SPEED_KBS);
    return 20;
}

/* Mode page 0x01 (read error recovery), 8 bytes. */
static uint32_t mode_page_recovery(uint8_t *p)
{
    memset(p, 0, 8);
    p[0] = 0x01;
    p[1] = 6;
    return 8;
}

static void mode_sense(IdeChannel *ch, const uint8_t *cdb, bool ten)
{
    IdeDrive *d = ide_act(ch);
    uint8_t page = cdb[2] & 0x3F, control = cdb[2] >> 6;
    uint32_t hdr = ten ? 8 : 4, len = hdr;
    uint8_t *b = ch->buf;
    if (control == 3) { /* saved values: not supported */
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, 0x39);
        return;
    }
    memset(b, 0, hdr);
    if (page == 0x01 || page == 0x3F)
        len += mode_page_recovery(b + len);
    if (page == 0x2A || page == 0x3F)
        len += mode_page_caps(d, b + len);
    if (len == hdr) {
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    if (ten) {
        put_be16(b, len - 2);
        b[2] = 0x01; /* 120 mm CD-ROM data disc */
        reply(ch, len, get_be16(cdb + 7));
    } else {
        b[0] = (uint8_t)(len - 1);
        b[1] = 0x01;
        reply(ch, len, cdb[4]);
    }
}

static void read_toc(IdeChannel *ch, const uint8_t *cdb)
{
    IdeDrive *d = ide_act(ch);
    bool msf = cdb[1] & 2;
    uint8_t format = cdb[2] & 0x0F, track = cdb[6];
    if (!format)
        format = cdb[9] >> 6; /* the older place for it */
    uint8_t *b = ch->buf;
    uint32_t len = 4;
    memset(b, 0, 32);
    if (format == 0) {
        if (track > 1 && track != 0xAA) {
            cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        b[2] = 1, b[3] = 1; /* first and last track */
        if (track <= 1) {
            b[len + 1] = 0x14, b[len + 2] = 1;
            put_address(b + len + 4, 0, msf);
            len += 8;
        }
        b[len + 1] = 0x14, b[len + 2] = 0xAA; /* lead-out */
        put_address(b + len + 4, (uint32_t)d->sectors, msf);
        len += 8;
    } else if (format == 1) {
        b[2] = 1, b[3] = 1; /* first and last session */
        b[len + 1] = 0x14, b[len + 2] = 1;
        put_address(b + len + 4, 0, msf);
        len += 8;
    } else {
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    put_be16(b, len - 2);
    reply(ch, len, get_be16(cdb + 7));
}

/* GET CONFIGURATION: the profile list, core, removable medium and random readable
 * features, filtered by starting feature number and RT. */
static void get_configuration(IdeChannel *ch, const uint8_t *cdb)
{
    uint8_t rt = cdb[1] & 3;
    uint32_t start = get_be16(cdb + 2);
    uint8_t *b = ch->buf;
    static const uint8_t features[][12] = {
        {0x00, 0x00, 0x03, 0x04, 0x00, 0x08, 0x01, 0x00},              /* profiles: CD-ROM */
        {0x00, 0x01, 0x0B, 0x08, 0x00, 0x00, 0x00, 0x02, 0x00, 0, 0, 0}, /* core: ATAPI */
        {0x00, 0x03, 0x03, 0x04, 0x29, 0x00, 0x00, 0x00},              /* removable medium */
        {0x00, 0x10, 0x01, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0, 0}, /* random read */
    };
    static const uint8_t sizes[] = {8, 12, 8, 12};
    uint32_t len = 8;
    memset(b, 0, 8);
    for (unsigned i = 0; i < sizeof sizes; i++) {
        uint32_t code = get_be16(features[i]);
        if (code < start || (rt == 2 && code != start))
            continue;
        memcpy(b + len, features[i], sizes[i]);
        len += sizes[i];
    }
    put_be32(b, len - 4);
    put_be16(b + 6, 0x0008); /* current profile: CD-ROM */
    reply(ch, len, get_be16(cdb + 7));
}

static void get_event_status(IdeChannel *ch, const uint8_t *cdb)
{
    uint8_t *b = ch->buf;
    if (!(cdb[1] & 1)) { /* only polled operation */
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    memset(b, 0, 8);
    b[3] = 0x10; /* supported classes: media */
    uint32_t len = 4;
    if (cdb[4] & 0x10) {
        b[2] = 0x04; /* media class */
        b[5] = 0x02; /* no event; media present, tray closed */
        len = 8;
    } else {
        b[2] = 0x80; /* no event available */
    }
    put_be16(b, len - 2);
    reply(ch, len, get_be16(cdb + 7));
}

static void start_stop(IdeChannel *ch, const uint8_t *cdb)
{
    bool loej = cdb[4] & 2, start = cdb[4] & 1;
    if (loej && !start && ide_act(ch)->locked) {
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED);
        return;
    }
    cmd_ok(ch); /* the medium stays in: there is no way to change it yet */
}

void ide_atapi_execute(IdeChannel *ch)
{
    uint8_t cdb[12];
    memcpy(cdb, ch->buf, sizeof cdb);
    IdeDrive *d = ide_act(ch);
    switch (cdb[0]) {
    case 0x00: cmd_ok(ch); break; /* TEST UNIT READY */
    case 0x03: request_sense(ch, cdb); break;
    case 0x12: inquiry(ch, cdb); break;
    case 0x1A: mode_sense(ch, cdb, false); break;
    case 0x5A: mode_sense(ch, cdb, true); break;
    case 0x1B: start_stop(ch, cdb); break;
    case 0x1E: d->locked = cdb[4] & 1, cmd_ok(ch); break; /* PREVENT ALLOW MEDIUM REMOVAL */
    case 0x25: read_capacity(ch); break;
    case 0x28: read_blocks(ch, get_be32(cdb + 2), get_be16(cdb + 7)); break;
    case 0xA8: {
        uint32_t n = get_be32(cdb + 6);
        if (n > (uint32_t)(0xFFFFFFFFu / IDE_CD_SECTOR))
            n = 0xFFFFFFFFu / IDE_CD_SECTOR;
        read_blocks(ch, get_be32(cdb + 2), n);
        break;
    }
    case 0x2B: cmd_ok(ch); break; /* SEEK(10) */
    case 0x43: read_toc(ch, cdb); break;
    case 0x46: get_configuration(ch, cdb); break;
    case 0x4A: get_event_status(ch, cdb); break;
    case 0xBB: cmd_ok(ch); break; /* SET CD SPEED */
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("ide: ATAPI command %#04x rejected\n", cdb[0]);
        cmd_error(ch, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
    }
}
