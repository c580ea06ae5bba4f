/* pit.c — 8254 PIT and port 0x61; see pit.h. Behaviour follows the Intel 8254 datasheet.
 *
 * Time is counted in CLK pulses ("ticks") since virtual time 0. A running channel is a
 * segment: the counter held `n` at pulse `load` and every later pulse p is evaluated in
 * closed form from k = p - load (mode 2 and 3 counters are periodic in k). Events that
 * change a segment (control word, count write, GATE edge, the end of a mode 2/3 cycle when
 * a new count waits) start a new segment; nothing is stepped pulse by pulse.
 *
 * Where the datasheet leaves a choice open we pick one and say so: a count written with
 * GATE low in mode 2/3 is loaded at the next GATE rising edge; invalid BCD digits (A-F)
 * count as their binary value, modulo 10000; in mode 2 a count of 1 (illegal) keeps OUT
 * low; in mode 3 a count of 1 keeps OUT high.
 */
#include "devices/pit.h"

#include <string.h>

#define NS_PER_S 1000000000ull
#define TICK_NONE INT64_MAX
/* Far beyond any reachable tick (2^64 ns is about 2^54 ticks); bounds saved fields. */
#define TICK_LIMIT ((int64_t)1 << 58)
#define SAVE_VERSION 1

/* ---- time --------------------------------------------------------------------------- */

int64_t pit_ticks_at(uint64_t ns)
{
    /* Split at whole seconds so the products stay far below 2^64. */
    uint64_t q = ns / NS_PER_S, r = ns % NS_PER_S;
    return (int64_t)(q * PIT_CLOCK_HZ + r * PIT_CLOCK_HZ / NS_PER_S);
}

uint64_t pit_ns_of_tick(int64_t tick)
{
    if (tick <= 0)
        return 0;
    uint64_t t = (uint64_t)tick, q = t / PIT_CLOCK_HZ, r = t % PIT_CLOCK_HZ;
    if (q >= UINT64_MAX / NS_PER_S)
        return SCHED_NEVER;
    return q * NS_PER_S + (r * NS_PER_S + PIT_CLOCK_HZ - 1) / PIT_CLOCK_HZ;
}

static int64_t now_tick(const Pit *p) { return pit_ticks_at(sched_now(p->sched)); }

/* ---- counter arithmetic ------------------------------------------------------------- */

static uint32_t modulus(const PitChannel *c) { return c->bcd ? 10000 : 65536; }

/* The number of pulses a count register value stands for (0 is the largest count). */
static uint32_t count_of_cr(const PitChannel *c)
{
    uint32_t v = c->cr;
    if (c->bcd) {
        v = ((v >> 12) & 15) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15);
        v %= 10000;
    }
    return v ? v : modulus(c);
}

static uint16_t encode(const PitChannel *c, uint32_t v)
{
    if (!c->bcd)
        return (uint16_t)v;
    return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
                      (v % 10));
}

static uint32_t wrap(const PitChannel *c, int64_t v)
{
    int64_t m = modulus(c);
    v %= m;
    return (uint32_t)(v < 0 ? v + m : v);
}

/* Where a pending mode 2/3 count takes over: the end of the current cycle (mode 2) or
 * half-cycle (mode 3) after pulse p. */
static int64_t next_boundary(const PitChannel *c, int64_t p)
{
    int64_t n = c->n, k = p - c->load, q = k % n, base = p - q;
    if (c->mode == 3) {
        int64_t h = (n + 1) / 2;
        if (q < h && h < n)
            return base + h;
    }
    return base + n;
}

/* The segment in force at pulse p: a pending count takes over at its boundary. */
static void segment_at(const PitChannel *c, int64_t p, int64_t *load, uint32_t *n)
{
    *load = c->load;
    *n = c->n;
    if (c->state != PIT_ST_RUN || !c->cr_pending || p < c->null_until)
        return;
    int64_t b = c->null_until;
    uint32_t nn = count_of_cr(c);
    *n = nn;
    *load = b;
    /* Mode 3 reloading at a falling half-cycle starts the new count in its low half:
     * place the origin so that pulse b sits at the start of the low phase. */
    if (c->mode == 3 && (b - c->load) % c->n != 0)
        *load = b - (nn + 1) / 2;
}

static bool out_run(const PitChannel *c, int64_t p)
{
    int64_t load;
    uint32_t n;
    segment_at(c, p, &load, &n);
    if (p < load)
        return c->out_pre;
    int64_t k = p - load;
    switch (c->mode) {
    case 0:
    case 1: return k >= n;
    case 2: return k % n != n - 1;
    case 3: return k % n < (n + 1) / 2;
    default: return k != n;
    }
}

static uint32_t count_run(const PitChannel *c, int64_t p)
{
    int64_t load;
    uint32_t n;
    segment_at(c, p, &load, &n);
    if (p < load)
        return c->ce_hold;
    int64_t k = p - load;
    switch (c->mode) {
    case 2: return wrap(c, n - k % n);
    case 3: {
        /* Decrements by two; an odd count loads n-1, and its high half is a pulse
         * longer than its low half. */
        int64_t q = k % n, h = (n + 1) / 2, base = n & ~1u;
        return wrap(c, q < h ? base - 2 * q : base - 2 * (q - h));
    }
    default: return wrap(c, n - k);
    }
}

static bool ch_out(const PitChannel *c, int64_t p)
{
    switch (c->state) {
    case PIT_ST_RUN: return out_run(c, p);
    case PIT_ST_FROZEN: return out_run(c, c->frozen);
    default: return c->out_hold;
    }
}

static uint32_t ch_count(const PitChannel *c, int64_t p)
{
    switch (c->state) {
    case PIT_ST_RUN: return count_run(c, p);
    case PIT_ST_FROZEN: return count_run(c, c->frozen);
    default: return c->ce_hold;
    }
}

/* Makes a pending count's takeover permanent once pulse p has reached it. */
static void ch_sync(PitChannel *c, int64_t p)
{
    if (c->state != PIT_ST_RUN || !c->cr_pending || p < c->null_until)
        return;
    segment_at(c, p, &c->load, &c->n);
    c->cr_pending = false;
}

/* ---- the next edge IRQ 0 can see ---------------------------------------------------- */

static int64_t after(int64_t e, int64_t p) { return e > p ? e : TICK_NONE; }

/* Modes 2 and 3: the next rise, or the next fall that starts a low longer than a pulse. */
static int64_t next_periodic(const PitChannel *c, int64_t p, int64_t load, int64_t n)
{
    if (n < 2)
        return TICK_NONE; /* OUT never changes */
    int64_t pp = p > load ? p : load, q = (pp - load) % n, base = pp - q;
    if (c->mode == 2)
        return base + n;
    int64_t h = (n + 1) / 2;
    if (q < h && n - h > 1)
        return base + h;
    return base + n;
}

/* The first pulse after p at which OUT makes a change that matters to an edge-triggered
 * input; a low lasting one pulse is reported at its end. TICK_NONE if OUT stays put. */
static int64_t next_edge(const PitChannel *c, int64_t p)
{
    if (c->state != PIT_ST_RUN)
        return TICK_NONE;
    int64_t load;
    uint32_t n;
    segment_at(c, p, &load, &n);
    if (p < load && !c->out_pre && c->mode >= 4)
        return load; /* rewritten during the strobe: OUT rises at the load */
    switch (c->mode) {
    case 0: return after(load + n, p);
    case 1:
        if (p < load && c->out_pre)
            return n > 1 ? load : load + 1;
        return after(load + n, p);
    case 2:
    case 3: return next_periodic(c, p, load, n);
    default: return after(load + n + 1, p);
    }
}

/* ---- IRQ 0 and the timer ------------------------------------------------------------ */

static void set_irq0(Pit *p, bool level)
{
    if (level != p->irq_level) {
        p->irq_level = level;
        irq_set(&p->irq0, level);
    }
}

static void arm_next(Pit *p, int64_t from)
{
    int64_t e = next_edge(&p->ch[0], from);
    if (e == TICK_NONE) {
        timer_cancel(&p->timer);
        return;
    }
    p->event_tick = e;
    timer_arm(&p->timer, pit_ns_of_tick(e));
}

/* Delivers the edge at p->event_tick and arms the next one. */
static void fire_edge(Pit *p, int64_t now)
{
    PitChannel *c = &p->ch[0];
    int64_t e = p->event_tick;
    ch_sync(c, e);
    bool level = ch_out(c, e);
    if (level && p->irq_level) {
        /* A one-pulse low we did not stop for: show the PIC its rising edge. */
        irq_set(&p->irq0, 0);
        irq_set(&p->irq0, 1);
    } else {
        set_irq0(p, level);
    }
    /* If we are late by more than an edge, older edges are gone (the PIC could not have
     * told them apart anyway); never replay history. */
    arm_next(p, e > now - 1 ? e : now - 1);
}

static void timer_cb(void *opaque)
{
    Pit *p = opaque;
    fire_edge(p, now_tick(p));
}

/* Edges that came due before an I/O access are delivered first, in order. */
static void catch_up(Pit *p, int64_t now)
{
    while (timer_armed(&p->timer) && p->event_tick <= now) {
        timer_cancel(&p->timer);
        fire_edge(p, now);
    }
}

/* After a guest access changed channel 0: OUT may have moved and the next edge too. */
static void ch0_changed(Pit *p, int64_t now)
{
    set_irq0(p, ch_out(&p->ch[0], now));
    arm_next(p, now);
}

/* ---- state changes ------------------------------------------------------------------- */

/* Start counting `n` at pulse `load`; the counter shows its old value until then. */
static void start_run(PitChannel *c, int64_t now, int64_t load, uint32_t n, bool out_pre)
{
    c->ce_hold = ch_count(c, now);
    c->state = PIT_ST_RUN;
    c->load = load;
    c->n = n;
    c->out_pre = out_pre;
    c->cr_pending = false;
    if (c->null_until > load)
        c->null_until = load;
}

static void stop(PitChannel *c, int64_t now, bool out)
{
    c->ce_hold = ch_count(c, now);
    c->out_hold = out;
    c->state = PIT_ST_IDLE;
    c->cr_pending = false;
}

static void write_control(PitChannel *c, uint8_t v, int64_t now)
{
    uint8_t mode = (v >> 1) & 7;
    uint32_t ce = ch_count(c, now);
    c->cw = v & 0x3F;
    c->rw = (v >> 4) & 3;
    c->mode = mode > 5 ? mode - 4 : mode;
    c->bcd = v & 1;
    c->state = PIT_ST_IDLE;
    c->ce_hold = ce % modulus(c);
    c->out_hold = c->mode != 0; /* mode 0 starts low, every other mode high */
    c->have_count = c->cr_pending = false;
    c->write_msb = c->read_msb = false;
    c->count_latched = c->status_latched = false;
    c->null_until = TICK_NONE;
}

static void load_count(PitChannel *c, int64_t now)
{
    uint32_t n = count_of_cr(c);
    c->have_count = true;
    c->null_until = TICK_NONE;
    switch (c->mode) {
    case 0:
    case 4:
        start_run(c, now, now + 1, n, c->mode == 0 ? false : ch_out(c, now));
        if (!c->gate) {
            c->state = PIT_ST_FROZEN; /* loaded on the next pulse, but not counting */
            c->frozen = c->load;
        }
        break;
    case 1:
    case 5: break; /* waits for a GATE rising edge */
    default:
        if (!c->gate)
            break; /* loaded when GATE rises */
        if (c->state == PIT_ST_RUN && now >= c->load) {
            c->cr_pending = true; /* the current cycle finishes first */
            c->null_until = next_boundary(c, now);
        } else {
            start_run(c, now, now + 1, n, true);
        }
        break;
    }
}

static void write_counter(PitChannel *c, uint8_t v, int64_t now)
{
    switch (c->rw) {
    case 1: c->cr = v; break;
    case 2: c->cr = (uint16_t)(v << 8); break;
    default:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = true;
            if (c->mode == 0)
                stop(c, now, false); /* the first byte halts a mode 0 count, OUT low */
            return;
        }
        c->write_msb = false;
        c->cr = (uint16_t)(c->write_lsb | v << 8);
        break;
    }
    load_count(c, now);
}

static void set_gate(PitChannel *c, bool level, int64_t now)
{
    if (level == c->gate)
        return;
    c->gate = level;
    switch (c->mode) {
    case 0:
    case 4:
        if (!level && c->state == PIT_ST_RUN) {
            c->state = PIT_ST_FROZEN;
            c->frozen = now > c->load ? now : c->load;
        } else if (level && c->state == PIT_ST_FROZEN) {
            c->state = PIT_ST_RUN;
            if (now > c->frozen)
                c->load += now - c->frozen; /* resume where counting stopped */
        }
        break;
    case 1:
    case 5:
        if (level && c->have_count) /* trigger (or retrigger) */
            start_run(c, now, now + 1, count_of_cr(c), ch_out(c, now));
        break;
    default:
        if (!level)
            stop(c, now, true); /* GATE low forces OUT high and stops counting */
        else if (c->have_count)
            start_run(c, now, now + 1, count_of_cr(c), true);
        break;
    }
}

static void latch_count(PitChannel *c, int64_t now)
{
    if (c->count_latched)
        return; /* a second latch before the read is ignored */
    c->latch = encode(c, ch_count(c, now));
    c->count_latched = true;
}

static void latch_status(PitChannel *c, int64_t now)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)((ch_out(c, now) ? 0x80 : 0) | (now < c->null_until ? 0x40 : 0) |
                          c->cw);
    c->status_latched = true;
}

static void read_back(Pit *p, uint8_t v, int64_t now)
{
    for (int i = 0; i < 3; i++) {
        if (!(v & (2 << i)))
            continue;
        if (!(v & 0x20))
            latch_count(&p->ch[i], now);
        if (!(v & 0x10))
            latch_status(&p->ch[i], now);
    }
}

/* ---- port access -------------------------------------------------------------------- */

/* The byte of a 16-bit count a read returns, per the RW mode and the read flip-flop. */
static uint8_t read_half(PitChannel *c, uint16_t v, bool *done)
{
    *done = true;
    switch (c->rw) {
    case 1: return (uint8_t)v;
    case 2: return (uint8_t)(v >> 8);
    default:
        c->read_msb = !c->read_msb;
        *done = !c->read_msb;
        return c->read_msb ? (uint8_t)v : (uint8_t)(v >> 8);
    }
}

static uint8_t read_counter(PitChannel *c, int64_t now)
{
    bool done;
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t b = read_half(c, c->latch, &done);
        if (done)
            c->count_latched = false;
        return b;
    }
    return read_half(c, encode(c, ch_count(c, now)), &done);
}

static uint32_t pit_read(void *opaque, uint32_t addr, unsigned size)
{
    Pit *p = opaque;
    int64_t now = now_tick(p);
    catch_up(p, now);
    if (addr >= 3)
        return 0xFF; /* the control register cannot be read */
    ch_sync(&p->ch[addr], now);
    return read_counter(&p->ch[addr], now);
}

static void pit_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    Pit *p = opaque;
    uint8_t v = (uint8_t)value;
    int64_t now = now_tick(p);
    catch_up(p, now);
    for (int i = 0; i < 3; i++)
        ch_sync(&p->ch[i], now);
    if (addr < 3) {
        write_counter(&p->ch[addr], v, now);
    } else if ((v >> 6) == 3) {
        read_back(p, v, now);
    } else if (((v >> 4) & 3) == 0) {
        latch_count(&p->ch[v >> 6], now);
    } else {
        write_control(&p->ch[v >> 6], v, now);
    }
    ch0_changed(p, now);
}

uint8_t pit_port_b(const Pit *p)
{
    uint64_t ns = sched_now(p->sched);
    bool refresh = (ns / PIT_REFRESH_NS) & 1;
    bool out2 = ch_out(&p->ch[2], pit_ticks_at(ns));
    return (uint8_t)((p->port_b & 0x0F) | (refresh ? 0x10 : 0) | (out2 ? 0x20 : 0));
}

static uint32_t port_b_read(void *opaque, uint32_t addr, unsigned size)
{
    return pit_port_b(opaque);
}

static void port_b_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    Pit *p = opaque;
    int64_t now = now_tick(p);
    ch_sync(&p->ch[2], now);
    p->port_b = (uint8_t)(value & 0x0F);
    set_gate(&p->ch[2], value & 1, now);
}

static const IoOps pit_ops = {pit_read, pit_write, 1};
static const IoOps port_b_ops = {port_b_read, port_b_write, 1};

/* ---- life cycle ---------------------------------------------------------------------- */

void pit_reset(Pit *p)
{
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &p->ch[i];
        memset(c, 0, sizeof *c);
        c->cw = 0x30; /* mode 0, LSB then MSB, binary */
        c->rw = 3;
        c->n = 65536;
        c->gate = i != 2; /* channel 2's GATE is port 0x61 bit 0, which resets to 0 */
        c->null_until = TICK_NONE;
    }
    p->port_b = 0;
    timer_cancel(&p->timer);
    p->irq_level = false;
    irq_set(&p->irq0, 0);
}

void pit_init(Pit *p, Scheduler *s, IrqLine irq0)
{
    memset(p, 0, sizeof *p);
    p->sched = s;
    p->irq0 = irq0;
    timer_init(&p->timer, s, timer_cb, p);
    pit_reset(p);
}

void pit_register(Pit *p, IoPortSpace *io)
{
    ioport_register(io, PIT_BASE, 4, &pit_ops, p);
    ioport_register(io, PIT_PORT_B, 1, &port_b_ops, p);
}

void pit_channel_info(const Pit *p, int ch, PitChannelInfo *out)
{
    const PitChannel *c = &p->ch[ch < 0 ? 0 : ch > 2 ? 2 : ch];
    int64_t now = now_tick(p);
    memset(out, 0, sizeof *out);
    out->mode = c->mode;
    out->bcd = c->bcd;
    out->rw = c->rw;
    out->reload = count_of_cr(c);
    out->count = encode(c, ch_count(c, now));
    out->out = ch_out(c, now);
    out->gate = c->gate;
    out->null_count = now < c->null_until;
    out->counting = c->state == PIT_ST_RUN;
}

/* ---- save / load --------------------------------------------------------------------- */

enum {
    F_HAVE_COUNT = 1, F_CR_PENDING = 2, F_WRITE_MSB = 4, F_READ_MSB = 8, F_COUNT_LATCHED = 16,
    F_STATUS_LATCHED = 32, F_GATE = 64, F_OUT_PRE = 128, F_OUT_HOLD = 256,
};

static void channel_save(const PitChannel *c, StateWriter *w)
{
    uint16_t flags = (uint16_t)((c->have_count ? F_HAVE_COUNT : 0) |
                                (c->cr_pending ? F_CR_PENDING : 0) |
                                (c->write_msb ? F_WRITE_MSB : 0) | (c->read_msb ? F_READ_MSB : 0) |
                                (c->count_latched ? F_COUNT_LATCHED : 0) |
                                (c->status_latched ? F_STATUS_LATCHED : 0) |
                                (c->gate ? F_GATE : 0) | (c->out_pre ? F_OUT_PRE : 0) |
                                (c->out_hold ? F_OUT_HOLD : 0));
    sw_u8(w, c->cw);
    sw_u16(w, c->cr);
    sw_u16(w, flags);
    sw_u8(w, c->write_lsb);
    sw_u16(w, c->latch);
    sw_u8(w, c->status);
    sw_u8(w, c->state);
    sw_u64(w, (uint64_t)c->load);
    sw_u32(w, c->n);
    sw_u32(w, c->ce_hold);
    sw_u64(w, (uint64_t)c->frozen);
    sw_u64(w, (uint64_t)c->null_until);
}

static bool tick_ok(int64_t t) { return t > -TICK_LIMIT && t < TICK_LIMIT; }

/* Checks what a real 8254 could never be in. */
static bool channel_valid(const PitChannel *c)
{
    if (c->rw == 0 || c->state > PIT_ST_FROZEN || c->n == 0 || c->n > modulus(c) ||
        c->ce_hold >= modulus(c) || !tick_ok(c->load) || !tick_ok(c->frozen) ||
        (!tick_ok(c->null_until) && c->null_until != TICK_NONE))
        return false;
    if (c->state == PIT_ST_FROZEN && c->mode != 0 && c->mode != 4)
        return false;
    return !c->cr_pending || (c->state == PIT_ST_RUN && (c->mode == 2 || c->mode == 3) &&
                              c->null_until != TICK_NONE);
}

static bool channel_load(PitChannel *c, StateReader *r)
{
    uint8_t cw = sr_u8(r);
    c->cr = sr_u16(r);
    uint16_t flags = sr_u16(r);
    c->write_lsb = sr_u8(r);
    c->latch = sr_u16(r);
    c->status = sr_u8(r);
    c->state = sr_u8(r);
    c->load = (int64_t)sr_u64(r);
    c->n = sr_u32(r);
    c->ce_hold = sr_u32(r);
    c->frozen = (int64_t)sr_u64(r);
    c->null_until = (int64_t)sr_u64(r);
    if (r->error || (cw & ~0x3F) || (flags & ~0x1FF))
        return false;
    uint8_t mode = (cw >> 1) & 7;
    c->cw = cw;
    c->rw = (cw >> 4) & 3;
    c->mode = mode > 5 ? mode - 4 : mode;
    c->bcd = cw & 1;
    c->have_count = flags & F_HAVE_COUNT;
    c->cr_pending = flags & F_CR_PENDING;
    c->write_msb = flags & F_WRITE_MSB;
    c->read_msb = flags & F_READ_MSB;
    c->count_latched = flags & F_COUNT_LATCHED;
    c->status_latched = flags & F_STATUS_LATCHED;
    c->gate = flags & F_GATE;
    c->out_pre = flags & F_OUT_PRE;
    c->out_hold = flags & F_OUT_HOLD;
    return channel_valid(c);
}

void pit_save(const Pit *p, StateWriter *w)
{
    sw_u8(w, SAVE_VERSION);
    for (int i = 0; i < 3; i++)
        channel_save(&p->ch[i], w);
    sw_u8(w, p->port_b);
    sw_u8(w, p->irq_level);
    sw_u8(w, timer_armed(&p->timer));
    sw_u64(w, (uint64_t)p->event_tick);
}

bool pit_load(Pit *p, StateReader *r)
{
    PitChannel ch[3];
    if (sr_u8(r) != SAVE_VERSION)
        return sr_fail(r);
    for (int i = 0; i < 3; i++)
        if (!channel_load(&ch[i], r))
            return sr_fail(r);
    uint8_t port_b = sr_u8(r), irq_level = sr_u8(r), armed = sr_u8(r);
    int64_t event = (int64_t)sr_u64(r);
    if (r->error || (port_b & ~0x0F) || irq_level > 1 || armed > 1 || !tick_ok(event) ||
        !ch[0].gate || !ch[1].gate || ch[2].gate != (port_b & 1))
        return sr_fail(r);
    memcpy(p->ch, ch, sizeof ch);
    p->port_b = port_b;
    p->irq_level = irq_level;
    p->event_tick = event;
    if (armed)
        timer_arm(&p->timer, pit_ns_of_tick(event));
    else
        timer_cancel(&p->timer);
    irq_set(&p->irq0, p->irq_level);
    return true;
}
