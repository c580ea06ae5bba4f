/* test_fw_cfg.c — the fw_cfg port interface as SeaBIOS reads it: signature and ID at keys
 * 0 and 1, little-endian numbers, the big-endian file directory at key 0x19, reads past an
 * item's end and of unknown keys returning 0 (facts from QEMU's docs/specs/fw_cfg.rst). */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/fw_cfg.h"

static IoPortSpace io;
static FwCfg f;

static void setup(void)
{
    ioport_init(&io);
    fw_cfg_init(&f);
    fw_cfg_register(&f, &io);
}

static void teardown(void) { fw_cfg_free(&f); }

TestSuite(fw_cfg, .init = setup, .fini = teardown);

static void sel(uint16_t key) { ioport_write(&io, 0x510, 2, key); }
static uint8_t data(void) { return (uint8_t)ioport_read(&io, 0x511, 1); }
static void read_n(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = data();
}

Test(fw_cfg, signature_id_and_numbers)
{
    uint8_t b[8];
    sel(FW_CFG_SIGNATURE);
    read_n(b, 5);
    cr_assert(!memcmp(b, "QEMU\0", 5));
    sel(FW_CFG_ID);
    read_n(b, 4);
    cr_assert_eq(b[0], 1, "traditional interface, no DMA");
    cr_assert(fw_cfg_add_u64(&f, FW_CFG_RAM_SIZE, 0x0123456789ull));
    sel(FW_CFG_RAM_SIZE);
    read_n(b, 8);
    cr_assert_eq(b[0], 0x89);
    cr_assert_eq(b[4], 0x01);
    sel(0x1234); /* unknown key */
    cr_assert_eq(data(), 0);
    sel(FW_CFG_SIGNATURE); /* selecting rewinds */
    cr_assert_eq(data(), 'Q');
    ioport_write(&io, 0x511, 1, 0x55); /* writes are ignored */
    cr_assert_eq(data(), 'E');
}

Test(fw_cfg, file_directory)
{
    static const char rom[] = "option rom bytes";
    cr_assert(fw_cfg_add_file(&f, "vgaroms/test.bin", rom, sizeof rom));
    cr_assert(fw_cfg_add_file(&f, "etc/boot-menu-wait", "\x10\x00", 2));
    uint8_t hdr[4], e[64];
    sel(FW_CFG_FILE_DIR);
    read_n(hdr, 4);
    cr_assert_eq(hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3], 2);
    read_n(e, 64);
    uint32_t size = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
    uint16_t key = (uint16_t)(e[4] << 8 | e[5]);
    cr_assert_eq(size, sizeof rom);
    cr_assert_eq(key, FW_CFG_FILE_FIRST);
    cr_assert_str_eq((char *)e + 8, "vgaroms/test.bin");
    sel(key);
    char got[sizeof rom];
    read_n((uint8_t *)got, sizeof rom);
    cr_assert(!memcmp(got, rom, sizeof rom));
    cr_assert_eq(data(), 0, "past the end");
    /* Replacing a file keeps its key; the directory follows the new size. */
    cr_assert(fw_cfg_add_file(&f, "vgaroms/test.bin", "xy", 2));
    sel(FW_CFG_FILE_DIR);
    read_n(hdr, 4);
    read_n(e, 64);
    cr_assert_eq(e[3], 2);
    cr_assert_eq(e[5], FW_CFG_FILE_FIRST);
    char longname[80];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    cr_assert_not(fw_cfg_add_file(&f, longname, "z", 1));
}
