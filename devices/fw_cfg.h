/* fw_cfg.h — QEMU's firmware configuration device (the "traditional" port interface),
 * which SeaBIOS reads on a QEMU-compatible board for RAM size, CPU count, boot menu,
 * serial-console hint, option ROMs and other named files.
 *
 * Contract: port 0x510 is the 16-bit selector: writing it picks an item and rewinds the
 * read offset. Port 0x511 is the 8-bit data port: each read returns the item's next byte,
 * and 0 past its end or for an item that does not exist. Writes to the data port are
 * ignored (read-only device, as QEMU since 2.4). Items are byte strings set up by the
 * machine before the guest runs: well-known keys (0x0000-0x001F, arch keys 0x8000+) and
 * named files (keys from 0x0020, listed in the big-endian directory at key 0x0019 that
 * fw_cfg keeps current). Multi-byte numbers in well-known items are little-endian. The DMA
 * interface is not offered (FW_CFG_ID says so), so firmware uses the ports.
 */
#ifndef VMM86_DEVICES_FW_CFG_H
#define VMM86_DEVICES_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/savestate.h"
#include "softmmu/ioport.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511

#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID 0x0001
#define FW_CFG_UUID 0x0002
#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_NOGRAPHIC 0x0004
#define FW_CFG_NB_CPUS 0x0005
#define FW_CFG_MACHINE_ID 0x0006
#define FW_CFG_BOOT_DEVICE 0x000C
#define FW_CFG_BOOT_MENU 0x000E
#define FW_CFG_MAX_CPUS 0x000F
#define FW_CFG_FILE_DIR 0x0019
#define FW_CFG_FILE_FIRST 0x0020
#define FW_CFG_ARCH_LOCAL 0x8000

#define FW_CFG_MAX_ITEMS 48
#define FW_CFG_NAME_LEN 56

typedef struct FwCfgItem {
    uint16_t key;
    uint8_t *data;               /* owned copy */
    uint32_t len;
    char name[FW_CFG_NAME_LEN];  /* files only */
} FwCfgItem;

typedef struct FwCfg {
    FwCfgItem items[FW_CFG_MAX_ITEMS];
    int nitems;
    int nfiles;
    uint16_t selector;
    uint32_t offset;
    int cur;                     /* index of the selected item, -1 if none */
} FwCfg;

/* Sets up the signature, ID and an empty file directory. */
void fw_cfg_init(FwCfg *f);
void fw_cfg_free(FwCfg *f);
void fw_cfg_register(FwCfg *f, IoPortSpace *io);
/* Adds or replaces a well-known item. False when the table is full or out of memory. */
bool fw_cfg_add_bytes(FwCfg *f, uint16_t key, const void *data, uint32_t len);
bool fw_cfg_add_u16(FwCfg *f, uint16_t key, uint16_t v);
bool fw_cfg_add_u32(FwCfg *f, uint16_t key, uint32_t v);
bool fw_cfg_add_u64(FwCfg *f, uint16_t key, uint64_t v);
/* Adds a named file (name shorter than 56 bytes) and lists it in the directory. */
bool fw_cfg_add_file(FwCfg *f, const char *name, const void *data, uint32_t len);
/* The data port as the guest sees it (for tests and the dispatcher). */
void fw_cfg_select(FwCfg *f, uint16_t key);
uint8_t fw_cfg_read_data(FwCfg *f);
void fw_cfg_reset(FwCfg *f);
void fw_cfg_save(const FwCfg *f, StateWriter *w);
bool fw_cfg_load(FwCfg *f, StateReader *r);

#endif
