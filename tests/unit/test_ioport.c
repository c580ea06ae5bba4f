/* I/O port space: dispatch, splitting of unsupported sizes, unassigned ports. */
#include <criterion/criterion.h>

#include "softmmu/ioport.h"

typedef struct Fake {
    uint32_t last_addr, last_size, last_value;
    int reads, writes;
} Fake;

static uint32_t fake_read(void *opaque, uint32_t addr, unsigned size)
{
    Fake *f = opaque;
    f->reads++;
    f->last_addr = addr;
    f->last_size = size;
    return 0x11223344u + addr;
}

static void fake_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    Fake *f = opaque;
    f->writes++;
    f->last_addr = addr;
    f->last_size = size;
    f->last_value = value;
}

static IoPortSpace io;

Test(ioport, unassigned_ports_read_all_ones)
{
    ioport_init(&io);
    cr_assert_eq(ioport_read(&io, 0x1234, 1), 0xFF);
    cr_assert_eq(ioport_read(&io, 0x1234, 2), 0xFFFF);
    cr_assert_eq(ioport_read(&io, 0x1234, 4), 0xFFFFFFFFu);
    ioport_write(&io, 0x1234, 4, 0); /* ignored, no crash */
}

Test(ioport, offsets_are_relative_to_the_range)
{
    static const IoOps ops = {fake_read, fake_write, 0};
    Fake f = {0};
    ioport_init(&io);
    ioport_register(&io, 0x3F8, 8, &ops, &f);
    ioport_write(&io, 0x3FB, 1, 0x80);
    cr_assert_eq(f.last_addr, 3);
    cr_assert_eq(f.last_value, 0x80);
    cr_assert_eq(ioport_read(&io, 0x3F9, 2), (0x11223344u + 1) & 0xFFFF);
}

Test(ioport, unsupported_sizes_split_into_bytes)
{
    static const IoOps byte_only = {fake_read, fake_write, 1};
    Fake f = {0};
    ioport_init(&io);
    ioport_register(&io, 0x60, 2, &byte_only, &f);
    ioport_write(&io, 0x60, 2, 0xBEEF);
    cr_assert_eq(f.writes, 2);
    cr_assert_eq(f.last_addr, 1);
    cr_assert_eq(f.last_value, 0xBE);
    uint32_t v = ioport_read(&io, 0x60, 2);
    cr_assert_eq(f.reads, 2);
    cr_assert_eq(v, ((0x11223344u + 0) & 0xFF) | (((0x11223344u + 1) & 0xFF) << 8));
}

Test(ioport, access_straddling_two_devices_is_split)
{
    static const IoOps ops = {fake_read, fake_write, 0};
    Fake a = {0}, b = {0};
    ioport_init(&io);
    ioport_register(&io, 0x100, 1, &ops, &a);
    ioport_register(&io, 0x101, 1, &ops, &b);
    ioport_write(&io, 0x100, 2, 0x5A6B);
    cr_assert_eq(a.last_value, 0x6B);
    cr_assert_eq(b.last_value, 0x5A);
}

Test(ioport, later_registration_replaces_earlier)
{
    static const IoOps ops = {fake_read, fake_write, 0};
    Fake a = {0}, b = {0};
    ioport_init(&io);
    ioport_register(&io, 0x70, 2, &ops, &a);
    ioport_register(&io, 0x71, 1, &ops, &b);
    ioport_write(&io, 0x71, 1, 7);
    cr_assert_eq(a.writes, 0);
    cr_assert_eq(b.writes, 1);
}
