/* test_drive_options.c — the disk options in QEMU's spellings: -hda..-hdd, -cdrom, -drive
 * with index/media/format/if, -boot orders and -snapshot; clashes and bad values refused
 * with one line. The image paths must exist, so the test makes one. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/options.h"

static char img[256];
static char drive_arg[300], drive_cd_arg[320];

static void setup(void)
{
    snprintf(img, sizeof img, "/tmp/vmm86-test-drive-XXXXXX");
    int fd = mkstemp(img);
    cr_assert(fd >= 0);
    cr_assert(write(fd, "x", 1) == 1);
    close(fd);
    snprintf(drive_arg, sizeof drive_arg, "file=%s,format=raw,if=ide,index=3", img);
    snprintf(drive_cd_arg, sizeof drive_cd_arg, "file=%s,media=cdrom", img);
}

static void teardown(void) { unlink(img); }

TestSuite(drive_options, .init = setup, .fini = teardown);

static ParseResult parse(VmOptions *o, char *err, int argc, const char **argv)
{
    options_defaults(o);
    /* -drive arguments are split in place: give the parser copies. */
    static char copies[16][400];
    const char *args[16];
    cr_assert(argc <= 16);
    for (int i = 0; i < argc; i++) {
        snprintf(copies[i], sizeof copies[i], "%s", argv[i]);
        args[i] = copies[i];
    }
    return options_parse(argc, (char **)args, o, err, 256);
}

#define PARSE(o, err, ...)                                                                \
    ({                                                                                     \
        const char *argv_[] = {"vmm86", __VA_ARGS__};                                      \
        parse(o, err, (int)(sizeof argv_ / sizeof argv_[0]), argv_);                       \
    })

static const DriveOption *at(const VmOptions *o, int index)
{
    for (int i = 0; i < o->ndrives; i++)
        if (o->drives[i].index == index)
            return &o->drives[i];
    return NULL;
}

Test(drive_options, qemu_shorthands)
{
    VmOptions o;
    char err[256];
    cr_assert_eq(PARSE(&o, err, "-hda", img, "-hdb", img, "-cdrom", img, "-hdd", img), PARSE_OK,
                 "%s", err);
    cr_assert_eq(o.ndrives, 4);
    cr_assert(at(&o, 0) && !at(&o, 0)->cdrom);
    cr_assert(at(&o, 1) && !at(&o, 1)->cdrom);
    cr_assert(at(&o, 2) && at(&o, 2)->cdrom, "-cdrom is the secondary master");
    cr_assert(at(&o, 3));
    cr_assert_eq(PARSE(&o, err, "-cdrom", img, "-hdc", img), PARSE_ERROR);
    cr_assert(strstr(err, "already in use"), "%s", err);
}

Test(drive_options, drive_option)
{
    VmOptions o;
    char err[256];
    cr_assert_eq(PARSE(&o, err, "-drive", drive_arg, "-drive", drive_cd_arg), PARSE_OK, "%s", err);
    cr_assert(at(&o, 3) && !at(&o, 3)->cdrom);
    cr_assert(at(&o, 0) && at(&o, 0)->cdrom, "no index: the first free position");
    cr_assert_eq(PARSE(&o, err, "-drive", "file=/nonexistent.img"), PARSE_ERROR);
    cr_assert(strstr(err, "/nonexistent.img"), "%s", err);
    cr_assert_eq(PARSE(&o, err, "-drive", "format=qcow2,file=x"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-drive", "if=virtio,file=x"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-drive", "index=4,file=x"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-drive", "media=disk"), PARSE_ERROR);
    cr_assert(strstr(err, "file= is required"), "%s", err);
    cr_assert_null(strchr(err, '\n'));
}

Test(drive_options, boot_and_snapshot)
{
    VmOptions o;
    char err[256];
    cr_assert_eq(PARSE(&o, err, "-boot", "d", "-snapshot"), PARSE_OK, "%s", err);
    cr_assert_str_eq(o.boot_order, "d");
    cr_assert(o.snapshot);
    cr_assert_eq(o.boot_menu, -1);
    cr_assert_eq(PARSE(&o, err, "-boot", "order=dc,menu=on,strict=on"), PARSE_OK, "%s", err);
    cr_assert_str_eq(o.boot_order, "dc");
    cr_assert_eq(o.boot_menu, 1);
    cr_assert_eq(PARSE(&o, err, "-boot", "order=cdz"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-boot", "order=acdn"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-boot", "menu=maybe"), PARSE_ERROR);
}
