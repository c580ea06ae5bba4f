/* test_pit.c — the 8254 and port 0x61 on a test-driven virtual clock. The test owns the
 * instruction counter (one instruction = one virtual ns) and advances it deadline by
 * deadline, as cpu_exec would; expected waveforms come from the Intel 8254 datasheet. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pit.h"

static Pit pit;
static Scheduler sched;
static uint64_t icount;
static IoPortSpace io;

/* What the PIT drove on IRQ 0. */
static int irq;
static int rises, falls;
static uint64_t rise_ns[64];

static void irq0_set(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    if (level && !irq && rises < 64)
        rise_ns[rises] = sched_now(&sched);
    rises += level && !irq;
    falls += !level && irq;
    irq = level;
}

static void setup(void)
{
    icount = 0;
    irq = 0;
    rises = falls = 0;
    sched_init(&sched, &icount, 0);
    ioport_init(&io);
    pit_init(&pit, &sched, (IrqLine){irq0_set, NULL, 0});
    pit_register(&pit, &io);
}

TestSuite(pit, .init = setup);

static void outb(uint16_t port, uint8_t v) { ioport_write(&io, port, 1, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)ioport_read(&io, port, 1); }

/* Runs the virtual clock to `ns`, stopping at every timer deadline on the way. */
static void advance_to(uint64_t ns)
{
    for (;;) {
        uint64_t dl = sched_next_deadline(&sched), now = sched_now(&sched);
        if (dl > ns)
            break;
        if (dl > now)
            icount += dl - now;
        sched_run_due(&sched);
    }
    uint64_t now = sched_now(&sched);
    if (ns > now)
        icount += ns - now;
    sched_run_due(&sched);
}

static void at_tick(int64_t t) { advance_to(pit_ns_of_tick(t)); }
static int64_t tick_now(void) { return pit_ticks_at(sched_now(&sched)); }

static void control(uint8_t cw) { outb(0x43, cw); }
static void count16(int ch, uint16_t v)
{
    outb((uint16_t)(0x40 + ch), (uint8_t)v);
    outb((uint16_t)(0x40 + ch), (uint8_t)(v >> 8));
}

/* Read-back of one channel's status byte only. */
static uint8_t status(int ch)
{
    control((uint8_t)(0xE0 | (2 << ch)));
    return inb((uint16_t)(0x40 + ch));
}
static int out(int ch) { return status(ch) >> 7; }

/* Counter latch, then LSB and MSB (channels programmed LSB-then-MSB). */
static uint16_t latched(int ch)
{
    control((uint8_t)(ch << 6));
    uint8_t lo = inb((uint16_t)(0x40 + ch));
    return (uint16_t)(lo | inb((uint16_t)(0x40 + ch)) << 8);
}

static int out2(void) { return (inb(0x61) >> 5) & 1; }

/* ---- the clock ---------------------------------------------------------------------- */

Test(pit, tick_conversion_is_exact_and_monotonic)
{
    cr_assert_eq(pit_ticks_at(0), 0);
    cr_assert_eq(pit_ticks_at(838), 0);
    cr_assert_eq(pit_ticks_at(839), 1);
    cr_assert_eq(pit_ticks_at(1000000000ull), 1193182);
    cr_assert_eq(pit_ticks_at(3600ull * 1000000000ull), 3600ll * 1193182);
    uint64_t x = 12345;
    for (int i = 0; i < 100000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int64_t t = (int64_t)(x >> (10 + i % 40)) + 1; /* up to 2^54: 2^64 ns */
        uint64_t ns = pit_ns_of_tick(t);
        cr_assert_eq(pit_ticks_at(ns), t, "tick %lld", (long long)t);
        cr_assert_eq(pit_ticks_at(ns - 1), t - 1, "tick %lld", (long long)t);
    }
}

/* ---- modes -------------------------------------------------------------------------- */

Test(pit, mode0_interrupt_on_terminal_count)
{
    at_tick(100);
    control(0x30); /* ch0, LSB/MSB, mode 0, binary */
    cr_assert_eq(irq, 0);
    count16(0, 10); /* loaded by pulse 101, OUT rises 10 pulses later */
    cr_assert_eq(status(0) & 0xC0, 0x40, "OUT low, count not loaded yet");
    at_tick(101);
    cr_assert_eq(latched(0), 10);
    cr_assert_eq(status(0) & 0x40, 0, "null count clears at the load");
    at_tick(105);
    cr_assert_eq(latched(0), 6);
    at_tick(110);
    cr_assert_eq(latched(0), 1);
    cr_assert_eq(out(0), 0);
    cr_assert_eq(irq, 0);
    at_tick(111);
    cr_assert_eq(out(0), 1);
    cr_assert_eq(rises, 1);
    cr_assert_eq(rise_ns[0], pit_ns_of_tick(111), "IRQ0 rises at the exact virtual time");
    at_tick(112);
    cr_assert_eq(latched(0), 0xFFFF, "the counter wraps and keeps counting");
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER, "nothing left to time");
}

Test(pit, mode0_first_byte_stops_counting)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0xB0); /* ch2 mode 0 */
    count16(2, 100);
    at_tick(1050);
    outb(0x42, 5); /* LSB only: counting stops, OUT low */
    cr_assert_eq(latched(2), 51);
    at_tick(1200);
    cr_assert_eq(latched(2), 51);
    cr_assert_eq(out2(), 0);
    outb(0x42, 0); /* MSB: count 5 loads by pulse 1201 */
    at_tick(1205);
    cr_assert_eq(out2(), 0);
    at_tick(1206);
    cr_assert_eq(out2(), 1);
}

Test(pit, mode2_rate_generator)
{
    at_tick(1000);
    control(0x34); /* ch0 mode 2 */
    cr_assert_eq(rises, 1, "OUT goes high on the control word");
    count16(0, 100); /* loaded at 1001; OUT low at 1100, rises and reloads at 1101 */
    at_tick(1099);
    cr_assert_eq(latched(0), 100 - 98);
    cr_assert_eq(out(0), 1);
    at_tick(1100);
    cr_assert_eq(latched(0), 1);
    cr_assert_eq(out(0), 0, "low for one pulse at count 1");
    at_tick(1101);
    cr_assert_eq(latched(0), 100, "reloaded");
    cr_assert_eq(out(0), 1);
    at_tick(1501);
    cr_assert_eq(rises, 1 + 5);
    for (int i = 1; i <= 5; i++)
        cr_assert_eq(rise_ns[i], pit_ns_of_tick(1001 + 100 * i), "period %d", i);
    cr_assert_eq(irq, 1);
}

Test(pit, mode2_count_zero_is_65536)
{
    at_tick(1000);
    control(0x34);
    count16(0, 0);
    at_tick(1001);
    cr_assert_eq(latched(0), 0);
    at_tick(1002);
    cr_assert_eq(latched(0), 0xFFFF);
    at_tick(1001 + 65535);
    cr_assert_eq(rises, 1);
    at_tick(1001 + 65536);
    cr_assert_eq(rises, 2);
    cr_assert_eq(rise_ns[1], pit_ns_of_tick(1001 + 65536));
}

Test(pit, mode2_new_count_waits_for_cycle_end)
{
    at_tick(1000);
    control(0x34);
    count16(0, 100);
    at_tick(1150);
    count16(0, 50);
    cr_assert_eq(status(0) & 0x40, 0x40, "null count until the reload");
    cr_assert_eq(latched(0), 100 - 49, "the current cycle goes on");
    at_tick(1201);
    cr_assert_eq(status(0) & 0x40, 0);
    cr_assert_eq(latched(0), 50);
    at_tick(1301);
    cr_assert_eq(rises, 1 + 4);
    cr_assert_eq(rise_ns[2], pit_ns_of_tick(1201));
    cr_assert_eq(rise_ns[3], pit_ns_of_tick(1251));
    cr_assert_eq(rise_ns[4], pit_ns_of_tick(1301));
}

Test(pit, mode3_square_wave_even)
{
    at_tick(1000);
    control(0x36);
    count16(0, 10); /* high 1001-1005, low 1006-1010 */
    for (int64_t t = 1001; t < 1031; t++) {
        at_tick(t);
        int want = (t - 1001) % 10 < 5;
        cr_assert_eq(irq, want, "IRQ0 at tick %lld", (long long)t);
        cr_assert_eq(out(0), want);
    }
    cr_assert_eq(rises, 3); /* control word, 1011, 1021 */
    cr_assert_eq(falls, 3); /* 1006, 1016, 1026 */
    at_tick(1041);
    cr_assert_eq(latched(0), 10, "start of a high half");
    at_tick(1043);
    cr_assert_eq(latched(0), 6, "decrements by two");
    at_tick(1046);
    cr_assert_eq(latched(0), 10, "reloaded for the low half");
}

Test(pit, mode3_square_wave_odd)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0xB6); /* ch2 mode 3 */
    count16(2, 11); /* high (11+1)/2 = 6 pulses, low 5 */
    for (int64_t t = 1001; t < 1034; t++) {
        at_tick(t);
        cr_assert_eq(out2(), (t - 1001) % 11 < 6, "OUT2 at tick %lld", (long long)t);
    }
    at_tick(1001 + 33);
    cr_assert_eq(latched(2), 10, "an odd count loads count-1");
    at_tick(1001 + 33 + 5);
    cr_assert_eq(latched(2), 0);
    at_tick(1001 + 33 + 6);
    cr_assert_eq(latched(2), 10);
    at_tick(1001 + 33 + 10);
    cr_assert_eq(latched(2), 2);
}

Test(pit, mode3_new_count_at_half_cycle)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0xB6);
    count16(2, 10); /* high 1001-1005 */
    at_tick(1003);
    count16(2, 20); /* takes over at the fall (1006): low 10, then high 10 */
    const struct { int64_t t; int out; } want[] = {
        {1005, 1}, {1006, 0}, {1015, 0}, {1016, 1}, {1025, 1}, {1026, 0}, {1036, 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        at_tick(want[i].t);
        cr_assert_eq(out2(), want[i].out, "tick %lld", (long long)want[i].t);
    }
}

Test(pit, mode3_irq_with_short_low_half)
{
    at_tick(1000);
    control(0x36);
    count16(0, 3); /* high 2, low 1: the one-pulse low is delivered as a fresh edge */
    at_tick(1001 + 30);
    cr_assert_eq(rises, 1 + 10);
    cr_assert_eq(rise_ns[10], pit_ns_of_tick(1001 + 30));
}

Test(pit, mode4_software_strobe)
{
    at_tick(1000);
    control(0x38); /* ch0 mode 4 */
    cr_assert_eq(irq, 1);
    count16(0, 5);
    at_tick(1005);
    cr_assert_eq(out(0), 1);
    at_tick(1006);
    cr_assert_eq(out(0), 0, "strobe N+1 pulses after the write");
    at_tick(1007);
    cr_assert_eq(out(0), 1);
    cr_assert_eq(rises, 2);
    cr_assert_eq(rise_ns[1], pit_ns_of_tick(1007));
    at_tick(100000);
    cr_assert_eq(rises, 2, "one strobe per count");
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
}

Test(pit, mode1_gate_triggered_one_shot)
{
    at_tick(1000);
    control(0xB2); /* ch2 mode 1, GATE (port 0x61 bit 0) low */
    count16(2, 5);
    at_tick(1005);
    cr_assert_eq(out2(), 1, "nothing happens without a trigger");
    cr_assert_eq(status(2) & 0x40, 0x40);
    at_tick(1010);
    outb(0x61, 0x01); /* trigger: loads at 1011, OUT low until 1016 */
    cr_assert_eq(out2(), 1);
    at_tick(1011);
    cr_assert_eq(out2(), 0);
    cr_assert_eq(latched(2), 5);
    at_tick(1015);
    cr_assert_eq(out2(), 0);
    at_tick(1016);
    cr_assert_eq(out2(), 1);
    /* Retrigger in the middle of a one-shot restarts it. */
    at_tick(1020);
    outb(0x61, 0x00);
    outb(0x61, 0x01); /* loads at 1021 */
    at_tick(1023);
    outb(0x61, 0x00);
    outb(0x61, 0x01); /* reloads at 1024: low until 1029 */
    at_tick(1028);
    cr_assert_eq(out2(), 0);
    at_tick(1029);
    cr_assert_eq(out2(), 1);
}

Test(pit, mode5_gate_triggered_strobe)
{
    at_tick(1000);
    control(0xBA); /* ch2 mode 5 */
    count16(2, 4);
    at_tick(2000);
    cr_assert_eq(out2(), 1);
    outb(0x61, 0x01); /* loads at 2001, strobe at 2005 */
    at_tick(2004);
    cr_assert_eq(out2(), 1);
    at_tick(2005);
    cr_assert_eq(out2(), 0);
    at_tick(2006);
    cr_assert_eq(out2(), 1);
    /* GATE low does not stop a mode 5 count. */
    outb(0x61, 0x00);
    outb(0x61, 0x01); /* loads at 2007 */
    outb(0x61, 0x00);
    at_tick(2011);
    cr_assert_eq(out2(), 0);
}

Test(pit, gate_low_holds_mode2_and_reload_on_rise)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0xB4); /* ch2 mode 2 */
    count16(2, 10);
    at_tick(1005);
    outb(0x61, 0x00);
    cr_assert_eq(out2(), 1);
    at_tick(1020);
    cr_assert_eq(latched(2), 6, "counting stopped at the GATE fall");
    cr_assert_eq(out2(), 1, "GATE low forces OUT high");
    at_tick(1030);
    outb(0x61, 0x01); /* reload at 1031 */
    at_tick(1031);
    cr_assert_eq(latched(2), 10);
    at_tick(1040);
    cr_assert_eq(out2(), 0);
    at_tick(1041);
    cr_assert_eq(out2(), 1);
}

Test(pit, gate_low_pauses_mode0)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0xB0);
    count16(2, 10); /* would reach TC at 1011 */
    at_tick(1004);
    outb(0x61, 0x00);
    at_tick(1050);
    cr_assert_eq(latched(2), 7);
    outb(0x61, 0x01); /* resumes: 7 more pulses */
    at_tick(1056);
    cr_assert_eq(out2(), 0);
    at_tick(1057);
    cr_assert_eq(out2(), 1);
    /* GATE falls before the count is even loaded: it still loads at the next pulse, and
     * counting starts after GATE rises again. */
    at_tick(2000);
    count16(2, 10); /* loads at 2001 */
    outb(0x61, 0x00);
    at_tick(2005);
    cr_assert_eq(latched(2), 10);
    outb(0x61, 0x01); /* decrements from 2006 on: TC at 2015 */
    at_tick(2014);
    cr_assert_eq(out2(), 0);
    at_tick(2015);
    cr_assert_eq(out2(), 1);
}

/* ---- the programming interface ------------------------------------------------------ */

Test(pit, counter_latch_holds_value)
{
    at_tick(1000);
    control(0x34);
    count16(0, 1000);
    at_tick(1100);
    control(0x00); /* latch ch0 */
    at_tick(1150);
    control(0x00); /* ignored: the first latch has not been read */
    at_tick(1200);
    cr_assert_eq(inb(0x40), (901) & 0xFF);
    cr_assert_eq(inb(0x40), 901 >> 8);
    at_tick(1300);
    uint8_t lo = inb(0x40);
    cr_assert_eq(lo | inb(0x40) << 8, 701, "unlatched reads follow the counter");
}

Test(pit, read_back_status_and_count)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0xB6);
    cr_assert_eq(status(2), 0xC0 | 0x36, "OUT high, null count, RW=3 mode 3 binary");
    count16(2, 0x1234);
    cr_assert_eq(status(2), 0x80 | 0x40 | 0x36);
    at_tick(1001);
    cr_assert_eq(status(2), 0x80 | 0x36);
    /* Count and status of ch0 and ch2 at once: status comes out first. */
    control(0x34);
    count16(0, 300);
    at_tick(1011);
    control(0xC0 | 0x08 | 0x02);
    cr_assert_eq(inb(0x42), 0x80 | 0x36);
    cr_assert_eq(inb(0x42), (0x1234 - 20) & 0xFF);
    cr_assert_eq(inb(0x42), (0x1234 - 20) >> 8);
    cr_assert_eq(inb(0x40), 0x80 | 0x34);
    cr_assert_eq(inb(0x40), 291 & 0xFF);
    cr_assert_eq(inb(0x40), 291 >> 8);
    /* A second status latch before the read is ignored (OUT has gone low by then). */
    control(0xE2);
    at_tick(1002 + 299);
    control(0xE0 | 0x02 | 0x04);
    cr_assert_eq(inb(0x40), 0x80 | 0x34);
    cr_assert_eq(inb(0x41) & 0x3F, 0x30, "ch1 untouched since reset");
}

Test(pit, bcd_counting)
{
    at_tick(1000);
    control(0x35); /* ch0 mode 2, BCD */
    count16(0, 0x0100); /* 100 decimal */
    at_tick(1002);
    cr_assert_eq(latched(0), 0x0099);
    at_tick(1001 + 100);
    cr_assert_eq(rises, 2);
    cr_assert_eq(latched(0), 0x0100);
    control(0x35);
    count16(0, 0x0000); /* 10000 in BCD */
    int64_t load = tick_now() + 1;
    at_tick(load + 1);
    cr_assert_eq(latched(0), 0x9999);
    int before = rises;
    at_tick(load + 10000);
    cr_assert_eq(rises, before + 1);
    cr_assert_eq(rise_ns[before], pit_ns_of_tick(load + 10000));
    /* Mode 0 in BCD wraps from 0 to 9999. */
    control(0x31);
    count16(0, 0x0002);
    load = tick_now() + 1;
    at_tick(load + 3);
    cr_assert_eq(latched(0), 0x9999);
}

Test(pit, access_modes_lsb_msb)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0x90); /* ch2, LSB only, mode 0 */
    outb(0x42, 0x34);
    at_tick(1001);
    cr_assert_eq(inb(0x42), 0x34);
    cr_assert_eq(inb(0x42), 0x34, "LSB-only reads repeat the LSB");
    control(0xA0); /* ch2, MSB only */
    outb(0x42, 0x12);
    at_tick(1002);
    cr_assert_eq(inb(0x42), 0x12);
    control(0x80); /* latch ch2: in MSB-only mode one read releases it */
    at_tick(1002 + 0x100);
    cr_assert_eq(inb(0x42), 0x12);
    cr_assert_eq(inb(0x42), 0x11);
    control(0xB0); /* LSB then MSB */
    count16(2, 0xABCD);
    at_tick(1002 + 0x100 + 1);
    cr_assert_eq(inb(0x42), 0xCD);
    cr_assert_eq(inb(0x42), 0xAB);
    cr_assert_eq(inb(0x42), 0xCD, "the read flip-flop alternates");
    cr_assert_eq(inb(0x43), 0xFF, "the control register reads as a floating bus");
}

Test(pit, port_61_bits)
{
    cr_assert_eq(inb(0x61), 0x00);
    outb(0x61, 0xFF);
    cr_assert_eq(inb(0x61) & 0xCF, 0x0F, "bits 0-3 read back, 6-7 read 0");
    outb(0x61, 0x0C);
    cr_assert_eq(inb(0x61) & 0x0F, 0x0C);
    advance_to(15084);
    cr_assert_eq(inb(0x61) & 0x10, 0);
    advance_to(15085);
    cr_assert_eq(inb(0x61) & 0x10, 0x10, "refresh toggles every 15.085 us");
    advance_to(2 * 15085);
    cr_assert_eq(inb(0x61) & 0x10, 0);
    /* Bit 5 follows channel 2's OUT: mode 0 with GATE high. */
    outb(0x61, 0x03);
    control(0xB0);
    count16(2, 2);
    int64_t t = tick_now();
    cr_assert_eq(inb(0x61) & 0x20, 0);
    at_tick(t + 3);
    cr_assert_eq(inb(0x61) & 0x23, 0x23);
}

Test(pit, idle_jump_lands_on_irq0_edges)
{
    control(0x34);
    count16(0, 1193); /* about 1 ms */
    for (int i = 1; i <= 3; i++) {
        cr_assert(sched_skip_to_next(&sched));
        sched_run_due(&sched);
        cr_assert_eq(rises, 1 + i);
        cr_assert_eq(rise_ns[i], pit_ns_of_tick(1 + 1193 * i));
    }
    cr_assert_eq(icount, 0, "no instruction was needed");
}

Test(pit, quiet_channel0_arms_no_timer)
{
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
    control(0x36);
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER, "no count yet");
    count16(0, 1);
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER, "mode 3 count 1 never toggles");
    control(0xB6); /* channel 2 never arms the timer */
    count16(2, 10);
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
}

Test(pit, late_timer_does_not_replay_history)
{
    at_tick(1000);
    control(0x34);
    count16(0, 100);
    /* The CPU overshoots by ten periods before the scheduler gets a look in. */
    icount = pit_ns_of_tick(2050);
    sched_run_due(&sched);
    cr_assert_leq(rises, 3);
    int before = rises;
    at_tick(2101);
    cr_assert_eq(rises, before + 1);
    cr_assert_eq(rise_ns[before], pit_ns_of_tick(2101), "back on the original schedule");
}

Test(pit, channel_info_for_the_monitor)
{
    outb(0x61, 0x01);
    at_tick(1000);
    control(0xB6);
    count16(2, 0);
    at_tick(1002);
    PitChannelInfo i;
    pit_channel_info(&pit, 2, &i);
    cr_assert_eq(i.mode, 3);
    cr_assert_eq(i.reload, 65536);
    cr_assert_eq(i.count, 65534);
    cr_assert(i.out && i.gate && i.counting && !i.null_count && !i.bcd);
    pit_channel_info(&pit, 0, &i);
    cr_assert(!i.counting && !i.out && i.gate);
}

/* ---- save / load -------------------------------------------------------------------- */

static void busy_state(void)
{
    outb(0x61, 0x0D);
    at_tick(1000);
    control(0x34);
    count16(0, 500);
    control(0xB6);
    count16(2, 77);
    control(0x50); /* ch1 LSB only, mode 0 */
    outb(0x41, 9);
    at_tick(1200);
    count16(0, 300); /* pending until 1501 */
    control(0x80);   /* latch ch2 */
    inb(0x42);       /* half read */
}

static bool same_state(const Pit *a, const Pit *b)
{
    StateWriter wa, wb;
    sw_init(&wa);
    sw_init(&wb);
    pit_save(a, &wa);
    pit_save(b, &wb);
    bool same = wa.len == wb.len && memcmp(wa.buf, wb.buf, wa.len) == 0;
    sw_free(&wa);
    sw_free(&wb);
    return same;
}

Test(pit, save_load_round_trip_rearms_timer)
{
    busy_state();
    StateWriter w;
    sw_init(&w);
    pit_save(&pit, &w);
    /* A fresh machine at the same virtual time. */
    uint64_t saved_icount = icount;
    sched_init(&sched, &icount, 0);
    icount = saved_icount;
    pit_init(&pit, &sched, (IrqLine){irq0_set, NULL, 0});
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(pit_load(&pit, &r));
    cr_assert_eq(r.pos, w.len);
    cr_assert_eq(sched_next_deadline(&sched), pit_ns_of_tick(1501));
    StateWriter w2;
    sw_init(&w2);
    pit_save(&pit, &w2);
    cr_assert(w2.len == w.len && memcmp(w.buf, w2.buf, w.len) == 0);
    int before = rises;
    at_tick(1801);
    cr_assert_eq(rises, before + 2);
    cr_assert_eq(rise_ns[before + 1], pit_ns_of_tick(1801), "the new count took over at 1501");
    cr_assert_eq(inb(0x42), 0x00, "the MSB of the half-read latch (64) survived");
    sw_free(&w);
    sw_free(&w2);
}

Test(pit, truncated_or_invalid_stream_rejected)
{
    busy_state();
    StateWriter w;
    sw_init(&w);
    pit_save(&pit, &w);
    Pit before = pit;
    for (size_t len = 0; len < w.len; len++) {
        StateReader r;
        sr_init(&r, w.buf, len);
        cr_assert(!pit_load(&pit, &r), "length %zu accepted", len);
        cr_assert(r.error);
    }
    /* Offsets follow pit_save: version, then 42 bytes per channel (cw at +0, state at +9,
     * n at +18), then port B at 127. */
    const struct { size_t off, n; uint8_t val; } bad[] = {
        {0, 1, 7},            /* version */
        {1, 1, 0x04},         /* ch0 control word with RW=0 */
        {1 + 9, 1, 3},        /* state */
        {1 + 18, 4, 0},       /* effective count 0 */
        {85 + 18 + 2, 1, 2},  /* ch2 count above 65536 */
        {127, 1, 0x1D},       /* port B bit 4 is not stored */
        {127, 1, 0x0C},       /* port B gate bit disagrees with ch2's GATE */
        {128, 1, 2},          /* IRQ level */
        {1 + 10 + 7, 1, 0x40},/* ch0 load tick far out of range */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *copy = malloc(w.len);
        memcpy(copy, w.buf, w.len);
        memset(copy + bad[i].off, bad[i].val, bad[i].n);
        StateReader r;
        sr_init(&r, copy, w.len);
        cr_assert(!pit_load(&pit, &r), "corruption %zu accepted", i);
        free(copy);
    }
    cr_assert(same_state(&pit, &before), "a rejected stream changes nothing");
    sw_free(&w);
}
