/* test_port92.c — System Control Port A (port 92h) through the port space. Bit 0 (alternate
 * reset) is a read/write bit: a write that takes it from 0 to 1 resets the CPU once; while
 * it stays 1 another write with bit 0 set does nothing (it must be written back to 0 first),
 * and it reads back as written until a system reset clears it (SMSC FDC37B72x/LPC47B27x
 * datasheets, "Port 92 Register": "Before another nALT_RST pulse can be generated, this bit
 * must be written back to a 0"; "This bit is set to a 0 by a system reset"). Bit 1 drives
 * the A20 gate and reads the gate's state. */
#include <criterion/criterion.h>

#include "devices/port92.h"

static IoPortSpace io;
static Port92 p92;
static int resets;
static bool a20;

static void set_a20(void *o, bool on) { (void)o, a20 = on; }
static bool get_a20(void *o) { return (void)o, a20; }
static void request_reset(void *o) { (void)o, resets++; }

static void setup(void)
{
    resets = 0;
    a20 = false;
    ioport_init(&io);
    port92_init(&p92, (Port92Hooks){set_a20, get_a20, request_reset, NULL});
    port92_register(&p92, &io);
}
TestSuite(port92, .init = setup);

static uint8_t rd(void) { return (uint8_t)ioport_read(&io, 0x92, 1); }
static void wr(uint8_t v) { ioport_write(&io, 0x92, 1, v); }

Test(port92, reset_only_on_a_rising_bit_0)
{
    wr(0x01);
    cr_assert_eq(resets, 1, "0 -> 1 resets");
    wr(0x01);
    wr(0x03);
    cr_assert_eq(resets, 1, "bit 0 already set: no second reset");
    wr(0x02);
    cr_assert_eq(resets, 1, "1 -> 0 does not reset");
    wr(0x03);
    cr_assert_eq(resets, 2, "0 -> 1 again resets again");
}

Test(port92, bit_0_reads_back_until_a_system_reset)
{
    cr_assert_eq(rd() & 0x01, 0, "power-on: clear");
    wr(0x01);
    cr_assert_eq(rd() & 0x01, 0x01, "reads back as written");
    cr_assert_eq(rd() & 0x02, 0, "A20 off as written");
    port92_reset(&p92);
    cr_assert_eq(rd() & 0x01, 0, "the system reset clears it");
    wr(0x01);
    cr_assert_eq(resets, 2, "and a later 0 -> 1 resets again");
}

Test(port92, bit_1_is_the_a20_gate)
{
    wr(0x02);
    cr_assert(a20);
    cr_assert_eq(rd(), 0x02);
    a20 = false; /* the gate closed by another source (the i8042) */
    cr_assert_eq(rd(), 0x00, "bit 1 shows the gate, not the last write");
    wr(0x00);
    cr_assert(!a20);
    cr_assert_eq(resets, 0);
}

Test(port92, save_and_load_keep_bit_0)
{
    wr(0x01);
    StateWriter w;
    sw_init(&w);
    port92_save(&p92, &w);
    port92_reset(&p92);
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(port92_load(&p92, &r));
    sw_free(&w);
    cr_assert_eq(rd() & 0x01, 0x01);
    wr(0x01);
    cr_assert_eq(resets, 1, "still set after the load: no second reset");
}
