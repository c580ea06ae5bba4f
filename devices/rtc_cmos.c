/* rtc_cmos.c — MC146818 RTC and CMOS RAM; see rtc_cmos.h for the contract.
 *
 * Facts from the Motorola MC146818A datasheet (and the Dallas DS12887 that PCs use):
 * register map, periodic rates from the 32.768 kHz divider chain (RS 1,2 = 256/128 Hz,
 * RS 3..15 = 65536 >> RS Hz), the first update half a second after the divider leaves
 * reset, UIP set 244 us before an update, SET inhibiting updates and clearing UIE, IRQF as
 * PF.PIE + AF.AIE + UF.UIE, C cleared by reading it, alarm bytes 0xC0..0xFF as "don't
 * care", DSE's April/October rules, day of week 1..7 with Sunday = 1. NVRAM map from the
 * IBM AT technical reference and SeaBIOS's src/hw/rtc.h.
 */
#include "devices/rtc_cmos.h"

#include <string.h>

#define A_UIP 0x80
#define A_DV_MASK 0x70
#define A_DV_NORMAL 0x20 /* 32.768 kHz time base, divider counting */
#define A_RS_MASK 0x0F

#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM 0x04  /* 1 = binary, 0 = BCD */
#define B_24H 0x02
#define B_DSE 0x01

#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10

#define D_VRT 0x80

#define TICKS_PER_SEC 32768u
#define UPDATE_PHASE 16384u /* first update half a second after the divider starts */
#define UIP_TICKS 8u        /* 8 / 32768 s = 244.14 us */
#define NS_PER_SEC 1000000000ull
#define SECS_PER_DAY 86400u
#define MAX_UNIX_SECONDS 253402300799ll /* 9999-12-31 23:59:59 */

#define STATE_VERSION 1

/* ---- the divider chain ------------------------------------------------------------ */

static bool chain_running(const RtcCmos *rtc)
{
    return (rtc->cmos[RTC_REG_A] & A_DV_MASK) == A_DV_NORMAL;
}

/* Whole 32.768 kHz ticks since the origin, exactly (no accumulated rounding). */
static uint64_t ticks_at(const RtcCmos *rtc, uint64_t now)
{
    if (now <= rtc->origin_ns)
        return 0;
    uint64_t d = now - rtc->origin_ns;
    return d / NS_PER_SEC * TICKS_PER_SEC + d % NS_PER_SEC * TICKS_PER_SEC / NS_PER_SEC;
}

/* First virtual ns at which ticks_at() reaches `tick`. */
static uint64_t tick_time(const RtcCmos *rtc, uint64_t tick)
{
    uint64_t frac = tick % TICKS_PER_SEC * NS_PER_SEC;
    return rtc->origin_ns + tick / TICKS_PER_SEC * NS_PER_SEC +
           (frac + TICKS_PER_SEC - 1) / TICKS_PER_SEC;
}

/* Periodic interrupt period in divider ticks for rate select RS (0 = off). */
static uint64_t period_ticks(uint8_t reg_a)
{
    unsigned rs = reg_a & A_RS_MASK;
    if (rs == 0)
        return 0;
    return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
}

static uint64_t update_tick(uint64_t n) { return UPDATE_PHASE + n * TICKS_PER_SEC; }

/* Number of update boundaries at or before `ticks`. */
static uint64_t updates_through(uint64_t ticks)
{
    return ticks >= UPDATE_PHASE ? (ticks - UPDATE_PHASE) / TICKS_PER_SEC + 1 : 0;
}

/* ---- register formats -------------------------------------------------------------- */

static int dec(uint8_t v, bool binary) { return binary ? v : (v >> 4) * 10 + (v & 15); }

static uint8_t enc(int x, bool binary)
{
    x %= 100;
    return binary ? (uint8_t)x : (uint8_t)((x / 10) << 4 | x % 10);
}

static int dec_hour(uint8_t v, uint8_t reg_b)
{
    bool binary = reg_b & B_DM;
    if (reg_b & B_24H)
        return dec(v, binary);
    int h12 = dec(v & 0x7F, binary);
    return h12 % 12 + (v & 0x80 ? 12 : 0);
}

static uint8_t enc_hour(int h, uint8_t reg_b)
{
    bool binary = reg_b & B_DM;
    if (reg_b & B_24H)
        return enc(h, binary);
    int h12 = h % 12 ? h % 12 : 12;
    return enc(h12, binary) | (h >= 12 ? 0x80 : 0);
}

/* The clock as numbers (24-hour). Garbage register values decode to out-of-range numbers,
 * which the stepper carries like the chip's counters would. */
typedef struct ClockFields {
    int sec, min, hour, dow, dom, mon, year, cent;
} ClockFields;

static void clock_read(const RtcCmos *rtc, ClockFields *t)
{
    const uint8_t *c = rtc->cmos;
    bool bin = c[RTC_REG_B] & B_DM;
    t->sec = dec(c[RTC_SECONDS], bin);
    t->min = dec(c[RTC_MINUTES], bin);
    t->hour = dec_hour(c[RTC_HOURS], c[RTC_REG_B]);
    t->dow = dec(c[RTC_DAY_OF_WEEK], bin);
    t->dom = dec(c[RTC_DAY_OF_MONTH], bin);
    t->mon = dec(c[RTC_MONTH], bin);
    t->year = dec(c[RTC_YEAR], bin);
    t->cent = dec(c[RTC_CMOS_CENTURY], bin);
}

/* Writes back only the fields that changed, so untouched bytes keep their raw value. */
static void clock_write(RtcCmos *rtc, const ClockFields *old, const ClockFields *t)
{
    uint8_t *c = rtc->cmos;
    bool bin = c[RTC_REG_B] & B_DM;
    if (t->sec != old->sec)
        c[RTC_SECONDS] = enc(t->sec, bin);
    if (t->min != old->min)
        c[RTC_MINUTES] = enc(t->min, bin);
    if (t->hour != old->hour)
        c[RTC_HOURS] = enc_hour(t->hour, c[RTC_REG_B]);
    if (t->dow != old->dow)
        c[RTC_DAY_OF_WEEK] = enc(t->dow, bin);
    if (t->dom != old->dom)
        c[RTC_DAY_OF_MONTH] = enc(t->dom, bin);
    if (t->mon != old->mon)
        c[RTC_MONTH] = enc(t->mon, bin);
    if (t->year != old->year)
        c[RTC_YEAR] = enc(t->year, bin);
    if (t->cent != old->cent)
        c[RTC_CMOS_CENTURY] = enc(t->cent, bin);
}

/* ---- the update cycle ------------------------------------------------------------- */

/* The chip's leap rule: every fourth year. */
static int days_in_month(int mon, int year)
{
    static const uint8_t days[13] = {31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon == 2 && year % 4 == 0)
        return 29;
    return mon >= 1 && mon <= 12 ? days[mon] : 31;
}

static void next_day(RtcCmos *rtc, ClockFields *t)
{
    rtc->dst_done = false;
    t->dow = t->dow >= 7 ? 1 : t->dow + 1;
    if (++t->dom <= days_in_month(t->mon, t->year))
        return;
    t->dom = 1;
    if (++t->mon <= 12)
        return;
    t->mon = 1;
    if (++t->year <= 99)
        return;
    t->year = 0;
    t->cent = (t->cent + 1) % 100;
}

/* DSE: last Sunday in April 01:59:59 -> 03:00:00; the first 01:59:59 on the last Sunday in
 * October -> 01:00:00. Returns true if it applied. */
static bool dst_step(RtcCmos *rtc, ClockFields *t)
{
    if (t->dow != 1 || t->hour != 1 || t->min != 59 || t->sec != 59)
        return false;
    if (t->mon == 4 && t->dom >= 24) {
        t->hour = 3;
    } else if (t->mon == 10 && t->dom >= 25 && !rtc->dst_done) {
        rtc->dst_done = true;
    } else {
        return false;
    }
    t->min = 0;
    t->sec = 0;
    return true;
}

static void next_second(RtcCmos *rtc, ClockFields *t, bool dse)
{
    if (dse && dst_step(rtc, t))
        return;
    if (++t->sec < 60)
        return;
    t->sec = 0;
    if (++t->min < 60)
        return;
    t->min = 0;
    if (++t->hour < 24)
        return;
    t->hour = 0;
    next_day(rtc, t);
}

/* Alarm field as a number, -1 for "don't care", -2 for a byte no time can equal. */
static int alarm_field(uint8_t a, uint8_t reg_b, bool hour)
{
    if ((a & 0xC0) == 0xC0)
        return -1;
    bool bin = reg_b & B_DM;
    int x = hour ? dec_hour(a, reg_b) : dec(a, bin);
    uint8_t back = hour ? enc_hour(x, reg_b) : enc(x, bin);
    return back == a ? x : -2;
}

static bool field_matches(int alarm, int value) { return alarm == -1 || alarm == value; }

/* Runs `n` update cycles: the clock advances n seconds, AF records any alarm match. */
static void clock_advance(RtcCmos *rtc, uint64_t n)
{
    uint8_t *c = rtc->cmos;
    uint8_t b = c[RTC_REG_B];
    bool dse = b & B_DSE;
    int al_sec = alarm_field(c[RTC_SECONDS_ALARM], b, false);
    int al_min = alarm_field(c[RTC_MINUTES_ALARM], b, false);
    int al_hour = alarm_field(c[RTC_HOURS_ALARM], b, true);
    ClockFields old, t;
    clock_read(rtc, &old);
    t = old;
    while (n) {
        bool af_known = c[RTC_REG_C] & C_AF;
        /* Whole days can be skipped once the alarm cannot tell the difference: any
         * alarm matches within a day, and the last two days are stepped exactly. */
        if (n > 2 * SECS_PER_DAY || (af_known && !dse && n >= SECS_PER_DAY)) {
            next_day(rtc, &t);
            n -= SECS_PER_DAY;
            continue;
        }
        next_second(rtc, &t, dse);
        n--;
        if (!af_known && field_matches(al_sec, t.sec) && field_matches(al_min, t.min) &&
            field_matches(al_hour, t.hour))
            c[RTC_REG_C] |= C_AF;
    }
    clock_write(rtc, &old, &t);
}

static void refresh_irqf(RtcCmos *rtc)
{
    uint8_t c = rtc->cmos[RTC_REG_C] & (C_PF | C_AF | C_UF);
    if (c & rtc->cmos[RTC_REG_B] & (B_PIE | B_AIE | B_UIE))
        c |= C_IRQF;
    rtc->cmos[RTC_REG_C] = c;
}

/* Brings the time registers and the PF/UF/AF flags up to `now`. Touches neither the timer
 * nor the IRQ line, so the monitor can run it on a copy. */
static void catch_up(RtcCmos *rtc, uint64_t now)
{
    if (!chain_running(rtc))
        return;
    uint64_t ticks = ticks_at(rtc, now);
    uint64_t p = period_ticks(rtc->cmos[RTC_REG_A]);
    if (p) {
        uint64_t k = ticks / p;
        if (k > rtc->periods_seen)
            rtc->cmos[RTC_REG_C] |= C_PF;
        rtc->periods_seen = k;
    }
    uint64_t n = updates_through(ticks);
    if (n > rtc->updates_seen) {
        uint64_t elapsed = n - rtc->updates_seen;
        rtc->updates_seen = n;
        /* With SET the cycles still pass, but the registers are frozen and UF stays. */
        if (!(rtc->cmos[RTC_REG_B] & B_SET)) {
            clock_advance(rtc, elapsed);
            rtc->cmos[RTC_REG_C] |= C_UF;
        }
    }
    refresh_irqf(rtc);
}

static bool uip_now(const RtcCmos *rtc, uint64_t now)
{
    if (!chain_running(rtc) || (rtc->cmos[RTC_REG_B] & B_SET))
        return false;
    return ticks_at(rtc, now) + UIP_TICKS >= update_tick(rtc->updates_seen);
}

/* ---- interrupt line and timer ------------------------------------------------------ */

static void update_irq(RtcCmos *rtc)
{
    bool level = rtc->cmos[RTC_REG_C] & C_IRQF;
    if (level != rtc->irq_level) {
        rtc->irq_level = level;
        irq_set(&rtc->irq, level);
    }
}

/* The next event that can raise IRQ 8. While IRQF is set nothing can change the line
 * until the guest reads C, so no timer runs then. */
static uint64_t next_event(const RtcCmos *rtc)
{
    uint8_t b = rtc->cmos[RTC_REG_B];
    uint64_t dl = SCHED_NEVER;
    if (!chain_running(rtc) || (rtc->cmos[RTC_REG_C] & C_IRQF))
        return dl;
    uint64_t p = period_ticks(rtc->cmos[RTC_REG_A]);
    if ((b & B_PIE) && p)
        dl = tick_time(rtc, (rtc->periods_seen + 1) * p);
    if ((b & (B_UIE | B_AIE)) && !(b & B_SET)) {
        uint64_t u = tick_time(rtc, update_tick(rtc->updates_seen));
        if (u < dl)
            dl = u;
    }
    return dl;
}

static void rearm(RtcCmos *rtc)
{
    uint64_t dl = next_event(rtc);
    if (dl == SCHED_NEVER)
        timer_cancel(&rtc->timer);
    else if (!timer_armed(&rtc->timer) || rtc->timer.deadline != dl)
        timer_arm(&rtc->timer, dl);
}

static void settle(RtcCmos *rtc)
{
    update_irq(rtc);
    rearm(rtc);
}

static void timer_fired(void *opaque)
{
    RtcCmos *rtc = opaque;
    catch_up(rtc, sched_now(rtc->sched));
    settle(rtc);
}

/* ---- register access ---------------------------------------------------------------- */

static void write_reg_a(RtcCmos *rtc, uint8_t v, uint64_t now)
{
    bool was = chain_running(rtc);
    rtc->cmos[RTC_REG_A] = v & 0x7F;
    if (!chain_running(rtc))
        return;
    if (!was) {
        /* Leaving divider reset: the chain starts now, first update 500 ms later. */
        rtc->origin_ns = now;
        rtc->updates_seen = 0;
        rtc->periods_seen = 0;
    } else {
        uint64_t p = period_ticks(rtc->cmos[RTC_REG_A]);
        rtc->periods_seen = p ? ticks_at(rtc, now) / p : 0;
    }
}

static void write_reg_b(RtcCmos *rtc, uint8_t v)
{
    if (v & B_SET)
        v &= (uint8_t)~B_UIE;
    rtc->cmos[RTC_REG_B] = v;
}

static uint8_t data_read(RtcCmos *rtc)
{
    uint64_t now = sched_now(rtc->sched);
    catch_up(rtc, now);
    unsigned i = rtc->index & 0x7F;
    uint8_t v = rtc->cmos[i];
    switch (i) {
    case RTC_REG_A:
        v = (v & 0x7F) | (uip_now(rtc, now) ? A_UIP : 0);
        break;
    case RTC_REG_C:
        rtc->cmos[RTC_REG_C] = 0;
        break;
    case RTC_REG_D:
        v = D_VRT;
        break;
    }
    settle(rtc);
    return v;
}

static void data_write(RtcCmos *rtc, uint8_t v)
{
    uint64_t now = sched_now(rtc->sched);
    catch_up(rtc, now);
    unsigned i = rtc->index & 0x7F;
    switch (i) {
    case RTC_REG_A:
        write_reg_a(rtc, v, now);
        break;
    case RTC_REG_B:
        write_reg_b(rtc, v);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break; /* read-only */
    default:
        rtc->cmos[i] = v;
        break;
    }
    refresh_irqf(rtc);
    settle(rtc);
}

uint8_t rtc_cmos_read(RtcCmos *rtc, unsigned offset)
{
    if (offset & 1)
        return data_read(rtc);
    /* The index latch is write-only on the chip; reads see what was last written. */
    return rtc->index | (rtc->nmi_masked ? 0x80 : 0);
}

void rtc_cmos_write(RtcCmos *rtc, unsigned offset, uint8_t value)
{
    if (offset & 1) {
        data_write(rtc, value);
        return;
    }
    rtc->index = value & 0x7F;
    rtc->nmi_masked = value & 0x80;
}

bool rtc_nmi_masked(const RtcCmos *rtc) { return rtc->nmi_masked; }

static uint32_t io_read(void *opaque, uint32_t addr, unsigned size)
{
    return rtc_cmos_read(opaque, addr & 1);
}

static void io_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    rtc_cmos_write(opaque, addr & 1, (uint8_t)value);
}

static const IoOps rtc_ops = {.read = io_read, .write = io_write, .sizes = 1};

void rtc_cmos_register(RtcCmos *rtc, IoPortSpace *io)
{
    ioport_register(io, RTC_CMOS_PORT, 2, &rtc_ops, rtc);
}

/* ---- wall-clock time --------------------------------------------------------------- */

static bool gregorian_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static void civil_from_unix(int64_t secs, ClockFields *t)
{
    if (secs < 0)
        secs = 0;
    if (secs > MAX_UNIX_SECONDS)
        secs = MAX_UNIX_SECONDS;
    uint64_t days = (uint64_t)secs / SECS_PER_DAY, rem = (uint64_t)secs % SECS_PER_DAY;
    t->hour = (int)(rem / 3600);
    t->min = (int)(rem / 60 % 60);
    t->sec = (int)(rem % 60);
    t->dow = (int)((days + 4) % 7) + 1; /* 1970-01-01 was a Thursday; Sunday = 1 */
    int year = 1970;
    for (;;) {
        unsigned len = gregorian_leap(year) ? 366 : 365;
        if (days < len)
            break;
        days -= len;
        year++;
    }
    int mon = 1;
    for (;;) {
        unsigned len = mon == 2 ? (gregorian_leap(year) ? 29 : 28) : days_in_month(mon, 1);
        if (days < len)
            break;
        days -= len;
        mon++;
    }
    t->dom = (int)days + 1;
    t->mon = mon;
    t->year = year % 100;
    t->cent = year / 100;
}

void rtc_cmos_set_time(RtcCmos *rtc, int64_t unix_seconds)
{
    catch_up(rtc, sched_now(rtc->sched));
    ClockFields t, differ;
    civil_from_unix(unix_seconds, &t);
    /* An impossible "old" value makes clock_write store every field. */
    differ = (ClockFields){-1, -1, -1, -1, -1, -1, -1, -1};
    clock_write(rtc, &differ, &t);
    settle(rtc); /* catch_up may have raised flags */
}

/* ---- life cycle ------------------------------------------------------------------- */

void rtc_cmos_init(RtcCmos *rtc, Scheduler *sched, IrqLine irq8, int64_t unix_seconds)
{
    memset(rtc, 0, sizeof *rtc);
    rtc->sched = sched;
    rtc->irq = irq8;
    timer_init(&rtc->timer, sched, timer_fired, rtc);
    rtc->origin_ns = sched_now(sched);
    rtc->cmos[RTC_REG_A] = A_DV_NORMAL | 0x06;
    rtc->cmos[RTC_REG_B] = B_24H;
    rtc->cmos[RTC_REG_D] = D_VRT;
    rtc->cmos[RTC_CMOS_EQUIPMENT] = 0x02; /* math coprocessor present */
    rtc->cmos[RTC_CMOS_BASE_MEM_LO] = 640 & 0xFF;
    rtc->cmos[RTC_CMOS_BASE_MEM_LO + 1] = 640 >> 8;
    rtc_cmos_set_time(rtc, unix_seconds);
    rtc_cmos_update_checksum(rtc);
}

void rtc_cmos_reset(RtcCmos *rtc)
{
    catch_up(rtc, sched_now(rtc->sched));
    rtc->cmos[RTC_REG_B] &= (uint8_t)~(B_PIE | B_AIE | B_UIE | B_SQWE);
    rtc->cmos[RTC_REG_C] = 0;
    rtc->nmi_masked = false;
    settle(rtc);
}

/* ---- firmware configuration -------------------------------------------------------- */

static bool in_checksum_range(unsigned i) { return i >= 0x10 && i <= 0x2D; }

void rtc_cmos_update_checksum(RtcCmos *rtc)
{
    uint16_t sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum = (uint16_t)(sum + rtc->cmos[i]);
    rtc->cmos[RTC_CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
    rtc->cmos[RTC_CMOS_CHECKSUM_HI + 1] = (uint8_t)sum;
}

void rtc_cmos_set(RtcCmos *rtc, unsigned index, uint8_t value)
{
    index &= 0x7F;
    rtc->cmos[index] = value;
    if (in_checksum_range(index))
        rtc_cmos_update_checksum(rtc);
}

uint8_t rtc_cmos_get(const RtcCmos *rtc, unsigned index) { return rtc->cmos[index & 0x7F]; }

static void put16(RtcCmos *rtc, unsigned index, uint16_t v)
{
    rtc->cmos[index] = (uint8_t)v;
    rtc->cmos[index + 1] = (uint8_t)(v >> 8);
}

static uint16_t cap16(uint64_t v) { return v > 0xFFFF ? 0xFFFF : (uint16_t)v; }

void rtc_cmos_set_memory_layout(RtcCmos *rtc, uint64_t below_4g, uint64_t above_4g)
{
    const uint64_t mib = 1024 * 1024;
    uint64_t ext_kib = below_4g > mib ? (below_4g - mib) / 1024 : 0;
    uint64_t blocks_16m = below_4g > 16 * mib ? (below_4g - 16 * mib) / 65536 : 0;
    uint64_t blocks_4g = above_4g / 65536;
    if (blocks_4g > 0xFFFFFF)
        blocks_4g = 0xFFFFFF;
    put16(rtc, RTC_CMOS_BASE_MEM_LO, 640);
    put16(rtc, RTC_CMOS_EXT_MEM_LO, cap16(ext_kib));
    put16(rtc, RTC_CMOS_EXT_MEM2_LO, cap16(ext_kib));
    put16(rtc, RTC_CMOS_MEM_16M_LO, cap16(blocks_16m));
    rtc->cmos[RTC_CMOS_MEM_4G_LO] = (uint8_t)blocks_4g;
    rtc->cmos[RTC_CMOS_MEM_4G_LO + 1] = (uint8_t)(blocks_4g >> 8);
    rtc->cmos[RTC_CMOS_MEM_4G_LO + 2] = (uint8_t)(blocks_4g >> 16);
    rtc_cmos_update_checksum(rtc);
}

void rtc_cmos_set_memory_size(RtcCmos *rtc, uint64_t ram_bytes)
{
    uint64_t below = ram_bytes < RTC_CMOS_LOWMEM_LIMIT ? ram_bytes : RTC_CMOS_LOWMEM_LIMIT;
    rtc_cmos_set_memory_layout(rtc, below, ram_bytes - below);
}

bool rtc_cmos_set_floppy(RtcCmos *rtc, unsigned drive, RtcFloppyType type)
{
    if (drive > 1 || (unsigned)type > RTC_FLOPPY_2880K)
        return false;
    uint8_t *c = rtc->cmos;
    unsigned shift = drive ? 0 : 4;
    c[RTC_CMOS_FLOPPY_TYPES] = (uint8_t)((c[RTC_CMOS_FLOPPY_TYPES] & ~(0xF << shift)) |
                                         (unsigned)type << shift);
    uint8_t types = c[RTC_CMOS_FLOPPY_TYPES];
    unsigned count = (types >> 4 ? 1 : 0) + (types & 0xF ? 1 : 0);
    /* Equipment byte: bit 0 = floppy drives present, bits 7:6 = drives - 1. */
    uint8_t eq = c[RTC_CMOS_EQUIPMENT] & 0x3E;
    if (count)
        eq |= 0x01 | (uint8_t)((count - 1) << 6);
    c[RTC_CMOS_EQUIPMENT] = eq;
    rtc_cmos_update_checksum(rtc);
    return true;
}

bool rtc_cmos_set_hd_geometry(RtcCmos *rtc, unsigned drive, uint16_t cylinders, uint8_t heads,
                              uint8_t sectors)
{
    if (drive > 1)
        return false;
    uint8_t *c = rtc->cmos;
    unsigned shift = drive ? 0 : 4;
    unsigned block = RTC_CMOS_DISK0_PARAMS + 9 * drive;
    memset(&c[block], 0, 9);
    c[RTC_CMOS_DISK0_EXT_TYPE + drive] = 0;
    c[RTC_CMOS_DISK_TYPES] &= (uint8_t)~(0xF << shift);
    if (cylinders) {
        c[RTC_CMOS_DISK_TYPES] |= (uint8_t)(0xF << shift);
        c[RTC_CMOS_DISK0_EXT_TYPE + drive] = 47; /* user-defined type */
        put16(rtc, block, cylinders);
        c[block + 2] = heads;
        put16(rtc, block + 3, 0xFFFF);           /* no write precompensation */
        c[block + 5] = 0xC0 | (heads > 8 ? 0x08 : 0);
        put16(rtc, block + 6, cylinders);        /* landing zone */
        c[block + 8] = sectors;
    }
    rtc_cmos_update_checksum(rtc);
    return true;
}

bool rtc_cmos_set_disk_translation(RtcCmos *rtc, unsigned ata_disk, RtcDiskTranslation mode)
{
    if (ata_disk > 7 || (unsigned)mode > RTC_XLAT_RECHS)
        return false;
    uint8_t *b = &rtc->cmos[RTC_CMOS_DISK_XLAT + ata_disk / 4];
    unsigned shift = 2 * (ata_disk % 4);
    *b = (uint8_t)((*b & ~(3u << shift)) | (unsigned)mode << shift);
    return true;
}

void rtc_cmos_set_boot_order(RtcCmos *rtc, const RtcBootDevice *order, size_t n,
                             bool check_floppy_signature)
{
    uint8_t dev[3] = {0, 0, 0};
    for (size_t i = 0; i < n && i < 3; i++)
        dev[i] = (uint8_t)order[i] & 0x0F;
    rtc->cmos[RTC_CMOS_BOOT_FLAG2] = (uint8_t)(dev[0] | dev[1] << 4);
    rtc->cmos[RTC_CMOS_BOOT_FLAG1] = (uint8_t)(dev[2] << 4 | (check_floppy_signature ? 0 : 1));
}

/* ---- monitor view, save / load ---------------------------------------------------- */

void rtc_cmos_get_info(const RtcCmos *rtc, RtcCmosInfo *info)
{
    uint64_t now = sched_now(rtc->sched);
    RtcCmos view = *rtc; /* catch_up never touches the timer or the line */
    catch_up(&view, now);
    memcpy(info->cmos, view.cmos, sizeof info->cmos);
    info->cmos[RTC_REG_A] = (view.cmos[RTC_REG_A] & 0x7F) | (uip_now(&view, now) ? A_UIP : 0);
    info->cmos[RTC_REG_D] = D_VRT;
    info->index = rtc->index;
    info->nmi_masked = rtc->nmi_masked;
    info->irq_level = rtc->irq_level;
    info->running = chain_running(rtc) && !(rtc->cmos[RTC_REG_B] & B_SET);
    uint64_t p = chain_running(rtc) ? period_ticks(rtc->cmos[RTC_REG_A]) : 0;
    info->period_ns = p * NS_PER_SEC / TICKS_PER_SEC;
    info->next_event_ns = timer_armed(&rtc->timer) ? rtc->timer.deadline : SCHED_NEVER;
}

void rtc_cmos_save(const RtcCmos *rtc, StateWriter *w)
{
    sw_u8(w, STATE_VERSION);
    sw_bytes(w, rtc->cmos, RTC_CMOS_SIZE);
    sw_u8(w, rtc->index);
    sw_u8(w, rtc->nmi_masked);
    sw_u64(w, rtc->origin_ns);
    sw_u64(w, rtc->updates_seen);
    sw_u64(w, rtc->periods_seen);
    sw_u8(w, rtc->dst_done);
    sw_u8(w, rtc->irq_level);
}

bool rtc_cmos_load(RtcCmos *rtc, StateReader *r)
{
    RtcCmos t = *rtc;
    if (sr_u8(r) != STATE_VERSION)
        return sr_fail(r);
    sr_bytes(r, t.cmos, RTC_CMOS_SIZE);
    t.index = sr_u8(r);
    uint8_t nmi = sr_u8(r);
    t.origin_ns = sr_u64(r);
    t.updates_seen = sr_u64(r);
    t.periods_seen = sr_u64(r);
    uint8_t dst = sr_u8(r);
    uint8_t level = sr_u8(r);
    if (r->error || t.index > 0x7F || nmi > 1 || dst > 1 || level > 1 ||
        (t.cmos[RTC_REG_A] & A_UIP) || (t.cmos[RTC_REG_C] & 0x0F) ||
        t.cmos[RTC_REG_D] != D_VRT || level != !!(t.cmos[RTC_REG_C] & C_IRQF))
        return sr_fail(r);
    t.nmi_masked = nmi;
    t.dst_done = dst;
    t.irq_level = level;
    *rtc = t; /* the Timer member is rtc's own, unchanged */
    irq_set(&rtc->irq, rtc->irq_level);
    rearm(rtc);
    return true;
}
