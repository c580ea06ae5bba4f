/* Save-state streams: little-endian fields, bounds-checked reads. */
#include <criterion/criterion.h>

#include "machine/savestate.h"

Test(savestate, round_trip_of_every_width)
{
    StateWriter w;
    sw_init(&w);
    sw_u8(&w, 0xAB);
    sw_u16(&w, 0x1234);
    sw_u32(&w, 0xDEADBEEF);
    sw_u64(&w, 0x0123456789ABCDEFull);
    sw_bytes(&w, "xyz", 3);
    cr_assert_eq(w.len, 1 + 2 + 4 + 8 + 3);
    cr_assert_eq(w.buf[1], 0x34); /* little-endian */
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert_eq(sr_u8(&r), 0xAB);
    cr_assert_eq(sr_u16(&r), 0x1234);
    cr_assert_eq(sr_u32(&r), 0xDEADBEEF);
    cr_assert_eq(sr_u64(&r), 0x0123456789ABCDEFull);
    char s[3];
    cr_assert(sr_bytes(&r, s, 3));
    cr_assert_eq(memcmp(s, "xyz", 3), 0);
    cr_assert(!r.error);
    sw_free(&w);
}

Test(savestate, overrun_sets_error_and_reads_zero)
{
    uint8_t buf[3] = {1, 2, 3};
    StateReader r;
    sr_init(&r, buf, sizeof buf);
    cr_assert_eq(sr_u16(&r), 0x0201);
    cr_assert_eq(sr_u32(&r), 0);
    cr_assert(r.error);
    cr_assert_eq(sr_u8(&r), 0); /* sticky: no reads after an error */
}

Test(savestate, large_writes_grow_the_buffer)
{
    StateWriter w;
    sw_init(&w);
    for (int i = 0; i < 100000; i++)
        sw_u32(&w, (uint32_t)i);
    StateReader r;
    sr_init(&r, w.buf, w.len);
    for (int i = 0; i < 100000; i++)
        cr_assert_eq(sr_u32(&r), (uint32_t)i);
    sw_free(&w);
}
