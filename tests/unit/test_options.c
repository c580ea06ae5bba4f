/* Command-line parsing: QEMU spellings, our long options, one-line errors. */
#include <criterion/criterion.h>

#include "frontends/options.h"
#include "machine/log.h"

static ParseResult parse(VmOptions *o, char *err, int argc, const char **argv)
{
    options_defaults(o);
    return options_parse(argc, (char **)argv, o, err, 256);
}

#define PARSE(o, err, ...)                                                                \
    ({                                                                                     \
        const char *argv_[] = {"vmm86", __VA_ARGS__};                                      \
        parse(o, err, (int)(sizeof argv_ / sizeof argv_[0]), argv_);                       \
    })

Test(options, defaults)
{
    VmOptions o;
    char err[256];
    const char *argv[] = {"vmm86"};
    cr_assert_eq(parse(&o, err, 1, argv), PARSE_OK);
    cr_assert_str_eq(o.machine, "pc");
    cr_assert_eq(o.ram_bytes, 128ull << 20);
    cr_assert_eq(o.engine, ENGINE_JIT);
}

Test(options, memory_sizes)
{
    VmOptions o;
    char err[256];
    cr_assert_eq(PARSE(&o, err, "-m", "64"), PARSE_OK);
    cr_assert_eq(o.ram_bytes, 64ull << 20);
    cr_assert_eq(PARSE(&o, err, "-m", "1G"), PARSE_OK);
    cr_assert_eq(o.ram_bytes, 1ull << 30);
    cr_assert_eq(PARSE(&o, err, "--m", "size=512K"), PARSE_ERROR); /* below 1 MiB */
    cr_assert_eq(PARSE(&o, err, "-m", "12x"), PARSE_ERROR);
    cr_assert(strstr(err, "12x"));
}

Test(options, qemu_style_devices)
{
    VmOptions o;
    char err[256];
    char dev[] = "isa-debug-exit,iobase=0x501,iosize=2";
    cr_assert_eq(PARSE(&o, err, "-device", dev), PARSE_OK, "%s", err);
    cr_assert(o.debug_exit);
    cr_assert_eq(o.debug_exit_port, 0x501);
    cr_assert_eq(o.debug_exit_size, 2);
    char chr[] = "file,id=d1,path=/tmp/x.log";
    char con[] = "isa-debugcon,iobase=0x402,chardev=d1";
    cr_assert_eq(PARSE(&o, err, "-chardev", chr, "-device", con), PARSE_OK, "%s", err);
    cr_assert(o.debugcon);
    cr_assert_eq(o.debugcon_port, 0x402);
    cr_assert_eq(o.debugcon_spec.kind, CHAR_FILE);
    cr_assert_str_eq(o.debugcon_spec.path, "/tmp/x.log");
}

Test(options, unknown_and_unimplemented_are_refused)
{
    VmOptions o;
    char err[256];
    cr_assert_eq(PARSE(&o, err, "--bogus"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-gdb", "tcp::1234"), PARSE_ERROR);
    cr_assert(strstr(err, "not implemented"));
    cr_assert_eq(PARSE(&o, err, "--engine", "warp"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-serial", "pty"), PARSE_ERROR);
    cr_assert_eq(PARSE(&o, err, "-M"), PARSE_ERROR);
    cr_assert(strstr(err, "needs a value"));
}

Test(options, own_long_options)
{
    VmOptions o;
    char err[256];
    cr_assert_eq(PARSE(&o, err, "--stats", "--exit-on-halt", "--max-insns", "1000"), PARSE_OK);
    cr_assert(o.stats && o.exit_on_halt);
    cr_assert_eq(o.max_insns, 1000);
    cr_assert_eq(PARSE(&o, err, "--max-insns", "-5"), PARSE_ERROR);
}

Test(options, log_categories_and_rtc)
{
    VmOptions o;
    char err[256];
    cr_assert_eq(PARSE(&o, err, "-d", "int,in_asm"), PARSE_OK);
    cr_assert_eq(o.log_mask, LOG_INT | LOG_IN_ASM);
    char rtc[] = "base=2006-06-17T16:01:21";
    cr_assert_eq(PARSE(&o, err, "-rtc", rtc), PARSE_OK, "%s", err);
    cr_assert(o.rtc_fixed);
    cr_assert_eq(o.rtc_base, 1150560081); /* date -u -d 2006-06-17T16:01:21 +%s */
    char bad[] = "base=2006-13-01";
    cr_assert_eq(PARSE(&o, err, "-rtc", bad), PARSE_ERROR);
}
