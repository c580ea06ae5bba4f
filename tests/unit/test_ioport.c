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

/* ---- unregistering --------------------------------------------------------------------- */

static const IoOps fake_ops = {fake_read, fake_write, 0};

/* Which fake a byte write to `port` reaches (NULL: none). */
static Fake *decoder_of(uint16_t port, Fake *const *fakes, int n)
{
    for (int i = 0; i < n; i++)
        fakes[i]->writes = 0;
    ioport_write(&io, port, 1, 0x5A);
    for (int i = 0; i < n; i++)
        if (fakes[i]->writes)
            return fakes[i];
    return NULL;
}

Test(ioport, unregister_gives_ports_back_to_what_was_under)
{
    Fake kbd_data = {0}, kbd_cmd = {0}, bar = {0};
    Fake *const all[] = {&kbd_data, &kbd_cmd, &bar};
    ioport_init(&io);
    ioport_register(&io, 0x60, 1, &fake_ops, &kbd_data);
    ioport_register(&io, 0x64, 1, &fake_ops, &kbd_cmd);
    ioport_register(&io, 0x60, 16, &fake_ops, &bar); /* a BAR placed over them */
    cr_assert_eq(decoder_of(0x60, all, 3), &bar);
    cr_assert_eq(decoder_of(0x64, all, 3), &bar);
    cr_assert(ioport_unregister(&io, 0x60, 16));
    cr_assert_eq(decoder_of(0x60, all, 3), &kbd_data);
    cr_assert_eq(decoder_of(0x64, all, 3), &kbd_cmd);
    cr_assert_null(decoder_of(0x61, all, 3));
    cr_assert_eq(ioport_read(&io, 0x6F, 1), 0xFF);
    cr_assert(!ioport_unregister(&io, 0x60, 16), "already gone");
}

Test(ioport, unregister_keeps_later_registrations)
{
    Fake a = {0}, b = {0};
    Fake *const all[] = {&a, &b};
    ioport_init(&io);
    ioport_register(&io, 0x100, 8, &fake_ops, &a);
    ioport_register(&io, 0x104, 8, &fake_ops, &b);
    cr_assert(ioport_unregister(&io, 0x100, 8));
    cr_assert_null(decoder_of(0x103, all, 2));
    cr_assert_eq(decoder_of(0x104, all, 2), &b);
    cr_assert_eq(decoder_of(0x10B, all, 2), &b);
}

Test(ioport, unregister_needs_the_exact_range)
{
    Fake a = {0};
    Fake *const all[] = {&a};
    ioport_init(&io);
    ioport_register(&io, 0x100, 8, &fake_ops, &a);
    cr_assert(!ioport_unregister(&io, 0x100, 4));
    cr_assert(!ioport_unregister(&io, 0x104, 4));
    cr_assert_eq(decoder_of(0x100, all, 1), &a);
    cr_assert_eq(decoder_of(0x107, all, 1), &a);
}

Test(ioport, unregister_ops_names_one_of_two_identical_ranges)
{
    static const IoOps other_ops = {fake_read, fake_write, 1};
    Fake a = {0}, b = {0};
    Fake *const all[] = {&a, &b};
    ioport_init(&io);
    ioport_register(&io, 0x300, 4, &fake_ops, &a);
    ioport_register(&io, 0x300, 4, &other_ops, &b);
    cr_assert(!ioport_unregister_ops(&io, 0x300, 4, &fake_ops, &b), "ops and opaque both count");
    cr_assert(ioport_unregister_ops(&io, 0x300, 4, &fake_ops, &a));
    cr_assert_eq(decoder_of(0x300, all, 2), &b);
    cr_assert(ioport_unregister(&io, 0x300, 4));
    cr_assert_null(decoder_of(0x300, all, 2));
}

Test(ioport, a_range_can_move_forever)
{
    Fake a = {0}, fixed = {0};
    Fake *const all[] = {&a, &fixed};
    ioport_init(&io);
    ioport_register(&io, 0x3F8, 8, &fake_ops, &fixed);
    uint16_t at = 0;
    for (int i = 0; i < 10 * IOPORT_MAX_RANGES; i++) {
        if (at)
            cr_assert(ioport_unregister(&io, at, 16));
        at = (uint16_t)(0x1000 + 0x10 * i);
        ioport_register(&io, at, 16, &fake_ops, &a);
    }
    cr_assert_eq(io.nranges, 2, "slots are reused");
    cr_assert_eq(decoder_of(at, all, 2), &a);
    cr_assert_null(decoder_of(0x1000, all, 2));
    cr_assert_eq(decoder_of(0x3F8, all, 2), &fixed);
}

Test(ioport, registration_order_survives_the_sequence_wrapping)
{
    Fake a = {0}, b = {0};
    Fake *const all[] = {&a, &b};
    ioport_init(&io);
    io.next_seq = UINT32_MAX - 1;
    ioport_register(&io, 0x200, 4, &fake_ops, &a); /* the last number before the wrap */
    ioport_register(&io, 0x200, 4, &fake_ops, &b); /* renumbers first: b stays newer */
    cr_assert_eq(decoder_of(0x200, all, 2), &b);
    cr_assert(ioport_unregister(&io, 0x200, 4));   /* the most recent one: b */
    cr_assert_eq(decoder_of(0x200, all, 2), &a);
}
