/* test_rtc_cmos.c — the MC146818 programming model through ports 0x70/0x71, with a fake
 * instruction counter (1 instruction = 1 virtual ns) and a recording IRQ 8 line. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/rtc_cmos.h"

#define SEC 1000000000ull
#define MS 1000000ull

static uint64_t icount;
static Scheduler sched;
static IoPortSpace io;
static RtcCmos rtc;
static int irq_level;
static int irq_raises;

static void fake_irq(void *opaque, int n, int level)
{
    if (level && !irq_level)
        irq_raises++;
    irq_level = level;
}

static uint8_t cmos_rd(uint8_t index)
{
    ioport_write(&io, 0x70, 1, index);
    return (uint8_t)ioport_read(&io, 0x71, 1);
}

static void cmos_wr(uint8_t index, uint8_t v)
{
    ioport_write(&io, 0x70, 1, index);
    ioport_write(&io, 0x71, 1, v);
}

/* Advances virtual time, firing timers at their deadlines. When `ack` is set, acts as the
 * guest's interrupt handler: each rising IRQ is acknowledged by reading register C. */
static void advance_to(uint64_t target, bool ack)
{
    for (;;) {
        uint64_t dl = sched_next_deadline(&sched);
        if (dl > target)
            break;
        if (dl > icount)
            icount = dl;
        sched_run_due(&sched);
        if (ack && irq_level)
            cmos_rd(RTC_REG_C);
    }
    icount = target;
}

static void start(int64_t unix_seconds)
{
    icount = 0;
    irq_level = 0;
    irq_raises = 0;
    sched_init(&sched, &icount, 0);
    ioport_init(&io);
    IrqLine line = {.set = fake_irq, .opaque = NULL, .n = 8};
    rtc_cmos_init(&rtc, &sched, line, unix_seconds);
    rtc_cmos_register(&rtc, &io);
}

static void setup(void) { start(1700000000); /* 2023-11-14 22:13:20 UTC, Tuesday */ }

TestSuite(rtc, .init = setup);

static void assert_time(uint8_t h, uint8_t m, uint8_t s)
{
    cr_assert_eq(cmos_rd(RTC_HOURS), h, "hour %02x != %02x", cmos_rd(RTC_HOURS), h);
    cr_assert_eq(cmos_rd(RTC_MINUTES), m, "minute %02x != %02x", cmos_rd(RTC_MINUTES), m);
    cr_assert_eq(cmos_rd(RTC_SECONDS), s, "second %02x != %02x", cmos_rd(RTC_SECONDS), s);
}

static void assert_date(uint8_t cent, uint8_t y, uint8_t mon, uint8_t dom, uint8_t dow)
{
    cr_assert_eq(cmos_rd(RTC_CMOS_CENTURY), cent);
    cr_assert_eq(cmos_rd(RTC_YEAR), y, "year %02x", cmos_rd(RTC_YEAR));
    cr_assert_eq(cmos_rd(RTC_MONTH), mon, "month %02x", cmos_rd(RTC_MONTH));
    cr_assert_eq(cmos_rd(RTC_DAY_OF_MONTH), dom, "day %02x", cmos_rd(RTC_DAY_OF_MONTH));
    cr_assert_eq(cmos_rd(RTC_DAY_OF_WEEK), dow, "weekday %d", cmos_rd(RTC_DAY_OF_WEEK));
}

Test(rtc, power_on_time_in_bcd)
{
    cr_assert_eq(cmos_rd(RTC_REG_A), 0x26);
    cr_assert_eq(cmos_rd(RTC_REG_B), 0x02);
    cr_assert_eq(cmos_rd(RTC_REG_D), 0x80);
    assert_time(0x22, 0x13, 0x20);
    assert_date(0x20, 0x23, 0x11, 0x14, 3);
}

Test(rtc, time_in_binary)
{
    cmos_wr(RTC_REG_B, 0x86); /* SET, binary, 24 h */
    rtc_cmos_set_time(&rtc, 1700000000);
    cmos_wr(RTC_REG_B, 0x06);
    assert_time(22, 13, 20);
    assert_date(20, 23, 11, 14, 3);
}

Test(rtc, twelve_hour_mode)
{
    cmos_wr(RTC_REG_B, 0x80); /* SET, BCD, 12 h */
    rtc_cmos_set_time(&rtc, 1700000000);
    cr_assert_eq(cmos_rd(RTC_HOURS), 0x90, "10 PM");
    rtc_cmos_set_time(&rtc, 1704069000); /* 00:30 */
    cr_assert_eq(cmos_rd(RTC_HOURS), 0x12, "12 AM");
    rtc_cmos_set_time(&rtc, 1704110400); /* 12:00 */
    cr_assert_eq(cmos_rd(RTC_HOURS), 0x92, "12 PM");
    /* 11:59:59 AM -> 12:00:00 PM through the update cycle. */
    cmos_wr(RTC_HOURS, 0x11);
    cmos_wr(RTC_MINUTES, 0x59);
    cmos_wr(RTC_SECONDS, 0x59);
    cmos_wr(RTC_REG_B, 0x00);
    advance_to(SEC / 2, false);
    assert_time(0x92, 0x00, 0x00);
}

Test(rtc, advances_with_virtual_time_only)
{
    advance_to(SEC / 2 - 1, false);
    assert_time(0x22, 0x13, 0x20);
    advance_to(SEC / 2, false);
    assert_time(0x22, 0x13, 0x21);
    advance_to(SEC / 2 + 40 * SEC, false);
    assert_time(0x22, 0x14, 0x01);
}

Test(rtc, leap_day_and_month_boundaries)
{
    start(1709164798); /* 2024-02-28 23:59:58 Wednesday */
    advance_to(SEC / 2 + SEC, false);
    assert_time(0x00, 0x00, 0x00);
    assert_date(0x20, 0x24, 0x02, 0x29, 5);
    advance_to(SEC / 2 + SEC + 86400 * SEC, false);
    assert_date(0x20, 0x24, 0x03, 0x01, 6);

    start(1677628799); /* 2023-02-28 23:59:59 Tuesday: not a leap year */
    advance_to(SEC / 2, false);
    assert_date(0x20, 0x23, 0x03, 0x01, 4);
}

Test(rtc, year_and_century_rollover)
{
    start(946684799); /* 1999-12-31 23:59:59 Friday */
    assert_date(0x19, 0x99, 0x12, 0x31, 6);
    advance_to(SEC / 2, false);
    assert_time(0x00, 0x00, 0x00);
    assert_date(0x20, 0x00, 0x01, 0x01, 7);
}

Test(rtc, long_gap_skips_days_exactly)
{
    advance_to(SEC / 2 + 400ull * 86400 * SEC - SEC, false); /* 400 days later */
    assert_time(0x22, 0x13, 0x20);
    assert_date(0x20, 0x24, 0x12, 0x18, 4); /* 2024-12-18, a Wednesday */
}

Test(rtc, uip_window_before_each_update)
{
    /* Updates at 0.5 s + k; UIP from tick 16376 (244.14 us earlier). */
    icount = 499755859;
    cr_assert_eq(cmos_rd(RTC_REG_A) & 0x80, 0);
    icount = 499755860;
    cr_assert_eq(cmos_rd(RTC_REG_A) & 0x80, 0x80);
    cr_assert_eq(cmos_rd(RTC_SECONDS), 0x20, "registers still hold the old second");
    icount = SEC / 2;
    cr_assert_eq(cmos_rd(RTC_REG_A) & 0x80, 0);
    cr_assert_eq(cmos_rd(RTC_SECONDS), 0x21);
    icount = SEC / 2 + SEC - 200000;
    cr_assert_eq(cmos_rd(RTC_REG_A) & 0x80, 0x80);
    cmos_wr(RTC_REG_B, 0x82);
    cr_assert_eq(cmos_rd(RTC_REG_A) & 0x80, 0, "SET clears UIP");
}

static int count_periodic(uint8_t reg_a, uint64_t duration)
{
    cmos_wr(RTC_REG_A, reg_a);
    cmos_rd(RTC_REG_C);
    irq_raises = 0;
    cmos_wr(RTC_REG_B, 0x42); /* PIE */
    advance_to(icount + duration, true);
    cmos_wr(RTC_REG_B, 0x02);
    return irq_raises;
}

Test(rtc, periodic_interrupt_rates)
{
    cr_assert_eq(count_periodic(0x26, SEC), 1024);
    cr_assert_eq(count_periodic(0x2F, 4 * SEC), 8, "RS 15: 2 Hz");
    cr_assert_eq(count_periodic(0x23, SEC / 8), 1024, "RS 3: 8192 Hz");
    cr_assert_eq(count_periodic(0x21, SEC), 256, "RS 1 is 256 Hz, not 32768");
    cr_assert_eq(count_periodic(0x20, SEC), 0, "RS 0: none");
}

Test(rtc, periodic_flag_without_interrupt)
{
    cmos_rd(RTC_REG_C);
    icount = 976563; /* one 1024 Hz period */
    cr_assert_eq(cmos_rd(RTC_REG_C), 0x40, "PF set, IRQF not (PIE clear)");
    cr_assert_eq(irq_level, 0);
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER, "nothing armed without enables");
}

Test(rtc, alarm_with_dont_care_hour)
{
    cmos_wr(RTC_SECONDS_ALARM, 0x00);
    cmos_wr(RTC_MINUTES_ALARM, 0x14);
    cmos_wr(RTC_HOURS_ALARM, 0xC0); /* any hour */
    cmos_rd(RTC_REG_C);
    cmos_wr(RTC_REG_B, 0x22); /* AIE */
    /* 22:13:20 -> 22:14:00 after 40 updates: at 0.5 s + 39 s. */
    advance_to(SEC / 2 + 38 * SEC, false);
    cr_assert_eq(irq_level, 0);
    advance_to(SEC / 2 + 39 * SEC, false);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(cmos_rd(RTC_REG_C) & ~0x40, 0xB0, "IRQF, AF, and UF from the same update");
    cr_assert_eq(irq_level, 0);
    advance_to(SEC / 2 + 39 * SEC + 3599 * SEC, false);
    cr_assert_eq(irq_level, 0);
    advance_to(SEC / 2 + 39 * SEC + 3600 * SEC, false);
    cr_assert_eq(irq_level, 1, "again at 23:14:00");
    assert_time(0x23, 0x14, 0x00);
}

Test(rtc, alarm_every_second)
{
    cmos_wr(RTC_SECONDS_ALARM, 0xFF);
    cmos_wr(RTC_MINUTES_ALARM, 0xFF);
    cmos_wr(RTC_HOURS_ALARM, 0xFF);
    cmos_wr(RTC_REG_B, 0x22);
    irq_raises = 0;
    advance_to(10 * SEC, true);
    cr_assert_eq(irq_raises, 10);
}

Test(rtc, update_ended_interrupt)
{
    cmos_wr(RTC_REG_B, 0x12); /* UIE */
    advance_to(SEC / 2 - 1, false);
    cr_assert_eq(irq_level, 0);
    advance_to(SEC / 2, false);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(cmos_rd(RTC_REG_C) & ~0x40, 0x90, "IRQF and UF (PF runs unmasked)");
    irq_raises = 0;
    advance_to(SEC / 2 + 5 * SEC, true);
    cr_assert_eq(irq_raises, 5);
}

Test(rtc, register_c_read_clears_and_lowers_irq8)
{
    cmos_wr(RTC_REG_B, 0x12);
    advance_to(SEC, false);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER, "no timer while IRQF is set");
    cr_assert_eq(cmos_rd(RTC_REG_C) & 0x90, 0x90);
    cr_assert_eq(irq_level, 0);
    cr_assert_eq(cmos_rd(RTC_REG_C), 0);
    cmos_wr(RTC_REG_C, 0xF0);
    cr_assert_eq(cmos_rd(RTC_REG_C), 0, "C is read-only");
}

Test(rtc, set_freezes_updates)
{
    cmos_wr(RTC_REG_B, 0x92); /* SET with UIE: SET clears UIE */
    cr_assert_eq(cmos_rd(RTC_REG_B), 0x82);
    advance_to(5 * SEC, false);
    assert_time(0x22, 0x13, 0x20);
    cr_assert_eq(cmos_rd(RTC_REG_C) & 0x10, 0, "no update cycles, no UF");
    cmos_wr(RTC_SECONDS, 0x30);
    cmos_wr(RTC_REG_B, 0x02);
    advance_to(5 * SEC + SEC / 2, false);
    assert_time(0x22, 0x13, 0x31);
}

Test(rtc, divider_reset_restarts_phase)
{
    advance_to(SEC / 4, false);
    cmos_wr(RTC_REG_A, 0x70);
    advance_to(10 * SEC, false);
    assert_time(0x22, 0x13, 0x20);
    cmos_wr(RTC_REG_A, 0x26);
    advance_to(10 * SEC + SEC / 2 - 1, false);
    assert_time(0x22, 0x13, 0x20);
    advance_to(10 * SEC + SEC / 2, false);
    assert_time(0x22, 0x13, 0x21);
}

Test(rtc, daylight_saving_april)
{
    start(1682819998); /* 2023-04-30 01:59:58, last Sunday in April */
    cmos_wr(RTC_REG_B, 0x03);
    advance_to(SEC / 2, false);
    assert_time(0x01, 0x59, 0x59);
    advance_to(SEC / 2 + SEC, false);
    assert_time(0x03, 0x00, 0x00);
}

Test(rtc, daylight_saving_october_once)
{
    start(1698544799 - 1); /* 2023-10-29 01:59:58, last Sunday in October */
    cmos_wr(RTC_REG_B, 0x03);
    advance_to(SEC / 2 + SEC, false);
    assert_time(0x01, 0x00, 0x00);
    advance_to(SEC / 2 + SEC + 3600 * SEC, false);
    assert_time(0x02, 0x00, 0x00);
}

Test(rtc, nvram_read_write)
{
    for (unsigned i = 0x0E; i < 0x80; i++)
        cmos_wr((uint8_t)i, (uint8_t)(i * 7));
    for (unsigned i = 0x0E; i < 0x80; i++)
        cr_assert_eq(cmos_rd((uint8_t)i), (uint8_t)(i * 7));
    cmos_wr(RTC_REG_D, 0);
    cr_assert_eq(cmos_rd(RTC_REG_D), 0x80, "VRT is always 1");
}

Test(rtc, nmi_mask_bit)
{
    cr_assert_not(rtc_nmi_masked(&rtc));
    ioport_write(&io, 0x70, 1, 0x8F);
    cr_assert(rtc_nmi_masked(&rtc));
    ioport_write(&io, 0x71, 1, 0x12);
    cr_assert_eq(rtc_cmos_get(&rtc, 0x0F), 0x12, "index is the low 7 bits");
    ioport_write(&io, 0x70, 1, 0x0F);
    cr_assert_not(rtc_nmi_masked(&rtc));
}

static uint16_t checksum(void)
{
    uint16_t sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum = (uint16_t)(sum + cmos_rd((uint8_t)i));
    return sum;
}

static uint16_t rd16(uint8_t lo) { return (uint16_t)(cmos_rd(lo) | cmos_rd(lo + 1) << 8); }

Test(rtc, memory_size_bytes_and_checksum)
{
    rtc_cmos_set_memory_size(&rtc, 32ull << 20);
    cr_assert_eq(rd16(0x15), 640);
    cr_assert_eq(rd16(0x17), 31 * 1024);
    cr_assert_eq(rd16(0x30), 31 * 1024);
    cr_assert_eq(rd16(0x34), 256, "16 MiB above 16 MiB in 64 KiB blocks");
    cr_assert_eq(cmos_rd(0x5B) | cmos_rd(0x5C) | cmos_rd(0x5D), 0);
    cr_assert_eq(cmos_rd(0x2E) << 8 | cmos_rd(0x2F), checksum());

    rtc_cmos_set_memory_size(&rtc, 8ull << 30);
    cr_assert_eq(rd16(0x17), 0xFFFF, "capped");
    cr_assert_eq(rd16(0x34), (0xE0000000u - (16u << 20)) >> 16);
    uint32_t high = cmos_rd(0x5B) | cmos_rd(0x5C) << 8 | (uint32_t)cmos_rd(0x5D) << 16;
    cr_assert_eq(high, ((8ull << 30) - 0xE0000000ull) >> 16);
    cr_assert_eq(cmos_rd(0x2E) << 8 | cmos_rd(0x2F), checksum());

    rtc_cmos_set(&rtc, 0x2D, 0x99);
    cr_assert_eq(cmos_rd(0x2E) << 8 | cmos_rd(0x2F), checksum(), "raw set keeps it valid");
}

Test(rtc, disks_floppies_boot_order)
{
    cr_assert(rtc_cmos_set_floppy(&rtc, 0, RTC_FLOPPY_1440K));
    cr_assert_eq(cmos_rd(0x10), 0x40);
    cr_assert_eq(cmos_rd(0x14) & 0xC1, 0x01);
    cr_assert(rtc_cmos_set_floppy(&rtc, 1, RTC_FLOPPY_720K));
    cr_assert_eq(cmos_rd(0x10), 0x43);
    cr_assert_eq(cmos_rd(0x14) & 0xC1, 0x41, "two drives");
    cr_assert_not(rtc_cmos_set_floppy(&rtc, 2, RTC_FLOPPY_720K));

    cr_assert(rtc_cmos_set_hd_geometry(&rtc, 0, 1024, 16, 63));
    cr_assert_eq(cmos_rd(0x12), 0xF0);
    cr_assert_eq(cmos_rd(0x19), 47);
    cr_assert_eq(rd16(0x1B), 1024);
    cr_assert_eq(cmos_rd(0x1D), 16);
    cr_assert_eq(rd16(0x1E), 0xFFFF);
    cr_assert_eq(cmos_rd(0x20), 0xC8);
    cr_assert_eq(rd16(0x21), 1024);
    cr_assert_eq(cmos_rd(0x23), 63);
    cr_assert(rtc_cmos_set_hd_geometry(&rtc, 1, 306, 4, 17));
    cr_assert_eq(cmos_rd(0x12), 0xFF);
    cr_assert_eq(rd16(0x24), 306);
    cr_assert_eq(cmos_rd(0x2C), 17);
    cr_assert_eq(cmos_rd(0x2E) << 8 | cmos_rd(0x2F), checksum());

    cr_assert(rtc_cmos_set_disk_translation(&rtc, 1, RTC_XLAT_LBA));
    cr_assert(rtc_cmos_set_disk_translation(&rtc, 5, RTC_XLAT_LARGE));
    cr_assert_eq(cmos_rd(0x39), 0x04);
    cr_assert_eq(cmos_rd(0x3A), 0x08);
    cr_assert_not(rtc_cmos_set_disk_translation(&rtc, 8, RTC_XLAT_LBA));

    const RtcBootDevice order[3] = {RTC_BOOT_CDROM, RTC_BOOT_DISK, RTC_BOOT_FLOPPY};
    rtc_cmos_set_boot_order(&rtc, order, 3, false);
    cr_assert_eq(cmos_rd(0x3D), 0x23);
    cr_assert_eq(cmos_rd(0x38), 0x11);
}

Test(rtc, save_load_round_trip)
{
    cmos_wr(0x50, 0xAB);
    cmos_wr(RTC_REG_A, 0x2F); /* 2 Hz */
    cmos_wr(RTC_REG_B, 0x42); /* PIE */
    advance_to(SEC / 4 + 1, false);
    StateWriter w;
    sw_init(&w);
    rtc_cmos_save(&rtc, &w);
    uint64_t saved_icount = icount;

    start(0); /* a different machine */
    icount = saved_icount;
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(rtc_cmos_load(&rtc, &r));
    cr_assert_eq(r.pos, w.len);
    cr_assert_eq(cmos_rd(0x50), 0xAB);
    cr_assert_eq(cmos_rd(RTC_REG_A), 0x2F);
    cr_assert_eq(sched_next_deadline(&sched), SEC / 2, "periodic timer re-armed");
    advance_to(SEC / 2, false);
    cr_assert_eq(irq_level, 1);
    assert_time(0x22, 0x13, 0x21);
    sw_free(&w);
}

Test(rtc, truncated_or_bad_stream_rejected)
{
    cmos_wr(0x50, 0x11);
    StateWriter w;
    sw_init(&w);
    rtc_cmos_save(&rtc, &w);
    cmos_wr(0x50, 0x22);
    for (size_t cut = 0; cut < w.len; cut++) {
        StateReader r;
        sr_init(&r, w.buf, cut);
        cr_assert_not(rtc_cmos_load(&rtc, &r), "truncated at %zu", cut);
    }
    cr_assert_eq(cmos_rd(0x50), 0x22, "a failed load changes nothing");
    w.buf[1 + 128] = 0x80; /* index out of range */
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert_not(rtc_cmos_load(&rtc, &r));
    w.buf[1 + 128] = 0;
    w.buf[1 + RTC_REG_C] = 0x01; /* reserved bits in C */
    sr_init(&r, w.buf, w.len);
    cr_assert_not(rtc_cmos_load(&rtc, &r));
    sw_free(&w);
}

Test(rtc, monitor_view_is_current)
{
    icount = 3 * SEC;
    RtcCmosInfo info;
    rtc_cmos_get_info(&rtc, &info);
    cr_assert_eq(info.cmos[RTC_SECONDS], 0x23);
    cr_assert_eq(rtc_cmos_get(&rtc, RTC_SECONDS), 0x20, "the view changed nothing");
    cr_assert(info.running);
    cr_assert_eq(info.period_ns, 976562);
}

Test(rtc, reset_clears_enables_and_flags)
{
    cmos_wr(RTC_REG_B, 0x7A);
    advance_to(SEC, false);
    cr_assert_eq(irq_level, 1);
    rtc_cmos_reset(&rtc);
    cr_assert_eq(irq_level, 0);
    cr_assert_eq(cmos_rd(RTC_REG_B), 0x02);
    cr_assert_eq(cmos_rd(RTC_REG_C), 0);
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
}
