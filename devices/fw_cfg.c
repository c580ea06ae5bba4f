/* fw_cfg.c — see fw_cfg.h. */
#include "devices/fw_cfg.h"

#include <stdlib.h>
#include <string.h>

static FwCfgItem *find(FwCfg *f, uint16_t key)
{
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].key == key)
            return &f->items[i];
    return NULL;
}

static bool set_item(FwCfg *f, uint16_t key, const void *data, uint32_t len, const char *name)
{
    FwCfgItem *it = find(f, key);
    if (!it) {
        if (f->nitems == FW_CFG_MAX_ITEMS)
            return false;
        it = &f->items[f->nitems++];
        memset(it, 0, sizeof *it);
        it->key = key;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return false;
    if (len)
        memcpy(copy, data, len);
    free(it->data);
    it->data = copy;
    it->len = len;
    if (name)
        strncpy(it->name, name, FW_CFG_NAME_LEN - 1);
    f->cur = -1; /* items may have moved */
    return true;
}

/* The directory: a big-endian count, then per file size, key, reserved and name. */
static bool rebuild_dir(FwCfg *f)
{
    uint32_t len = 4 + (uint32_t)f->nfiles * 64;
    uint8_t *dir = calloc(1, len);
    if (!dir)
        return false;
    uint32_t n = (uint32_t)f->nfiles;
    dir[0] = (uint8_t)(n >> 24), dir[1] = (uint8_t)(n >> 16);
    dir[2] = (uint8_t)(n >> 8), dir[3] = (uint8_t)n;
    uint8_t *e = dir + 4;
    for (int i = 0; i < f->nitems; i++) {
        const FwCfgItem *it = &f->items[i];
        if (it->key < FW_CFG_FILE_FIRST || it->key >= FW_CFG_ARCH_LOCAL)
            continue;
        e[0] = (uint8_t)(it->len >> 24), e[1] = (uint8_t)(it->len >> 16);
        e[2] = (uint8_t)(it->len >> 8), e[3] = (uint8_t)it->len;
        e[4] = (uint8_t)(it->key >> 8), e[5] = (uint8_t)it->key;
        memcpy(e + 8, it->name, FW_CFG_NAME_LEN);
        e += 64;
    }
    bool ok = set_item(f, FW_CFG_FILE_DIR, dir, len, NULL);
    free(dir);
    return ok;
}

bool fw_cfg_add_bytes(FwCfg *f, uint16_t key, const void *data, uint32_t len)
{
    return set_item(f, key, data, len, NULL);
}

bool fw_cfg_add_u16(FwCfg *f, uint16_t key, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return fw_cfg_add_bytes(f, key, b, 2);
}

bool fw_cfg_add_u32(FwCfg *f, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(f, key, b, 4);
}

bool fw_cfg_add_u64(FwCfg *f, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(f, key, b, 8);
}

bool fw_cfg_add_file(FwCfg *f, const char *name, const void *data, uint32_t len)
{
    if (strlen(name) >= FW_CFG_NAME_LEN)
        return false;
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].key >= FW_CFG_FILE_FIRST && f->items[i].key < FW_CFG_ARCH_LOCAL &&
            !strcmp(f->items[i].name, name))
            return set_item(f, f->items[i].key, data, len, name) && rebuild_dir(f);
    uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles);
    if (!set_item(f, key, data, len, name))
        return false;
    f->nfiles++;
    return rebuild_dir(f);
}

void fw_cfg_select(FwCfg *f, uint16_t key)
{
    f->selector = key;
    f->offset = 0;
    FwCfgItem *it = find(f, key & 0xBFFF); /* bit 14 (write) does not change the item */
    f->cur = it ? (int)(it - f->items) : -1;
}

uint8_t fw_cfg_read_data(FwCfg *f)
{
    if (f->cur < 0) {
        FwCfgItem *it = find(f, f->selector & 0xBFFF);
        if (!it)
            return 0;
        f->cur = (int)(it - f->items);
    }
    const FwCfgItem *it = &f->items[f->cur];
    if (f->offset >= it->len)
        return 0;
    return it->data[f->offset++];
}

static uint32_t fw_cfg_io_read(void *opaque, uint32_t addr, unsigned size)
{
    FwCfg *f = opaque;
    if (addr == 1 && size == 1)
        return fw_cfg_read_data(f);
    return 0; /* the selector is write-only */
}

static void fw_cfg_io_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    FwCfg *f = opaque;
    if (addr == 0 && size == 2)
        fw_cfg_select(f, (uint16_t)value);
}

static const IoOps fw_cfg_ops = {fw_cfg_io_read, fw_cfg_io_write, 1 | 2};

void fw_cfg_init(FwCfg *f)
{
    memset(f, 0, sizeof *f);
    f->cur = -1;
    fw_cfg_add_bytes(f, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_u32(f, FW_CFG_ID, 1); /* traditional interface only */
    rebuild_dir(f);
}

void fw_cfg_free(FwCfg *f)
{
    for (int i = 0; i < f->nitems; i++)
        free(f->items[i].data);
    f->nitems = 0;
}

void fw_cfg_register(FwCfg *f, IoPortSpace *io)
{
    ioport_register(io, FW_CFG_PORT_SEL, 2, &fw_cfg_ops, f);
}

void fw_cfg_reset(FwCfg *f) { fw_cfg_select(f, 0); }

void fw_cfg_save(const FwCfg *f, StateWriter *w)
{
    sw_u16(w, f->selector);
    sw_u32(w, f->offset);
}

bool fw_cfg_load(FwCfg *f, StateReader *r)
{
    uint16_t sel = sr_u16(r);
    uint32_t off = sr_u32(r);
    if (r->error)
        return false;
    fw_cfg_select(f, sel);
    f->offset = off; /* reads past the end return 0, so any offset is safe */
    return true;
}
