/* input_gate.c — host input, stamped and delivered at instruction boundaries (see
 * input_gate.h). */
#include "machine/input_gate.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

void input_gate_init(InputGate *g, Scheduler *sched, const uint64_t *icount, Uart *serial,
                     I8042 *kbc)
{
    memset(g, 0, sizeof *g);
    g->sched = sched;
    g->icount = icount;
    g->serial = serial;
    g->kbc = kbc;
    g->src.fd = -1;
}

void input_gate_set_source(InputGate *g, const InputSource *src)
{
    g->src = *src;
    g->src_open = src->fd >= 0 && src->read;
}

void input_gate_set_recorder(InputGate *g, InputRecorder fn, void *opaque)
{
    g->recorder = fn;
    g->recorder_opaque = opaque;
}

void input_gate_set_rtc(InputGate *g, RtcCmos *rtc) { g->rtc = rtc; }

void input_gate_set_poller(InputGate *g, InputPoller fn, void *opaque, uint64_t period_ns)
{
    g->poller = fn;
    g->poller_opaque = opaque;
    g->poll_period_ns = period_ns ? period_ns : 10000000u;
}

bool input_gate_live(const InputGate *g) { return g->src_open || g->poller; }

/* ---- queues ------------------------------------------------------------------------------ */

size_t input_gate_serial(InputGate *g, const uint8_t *buf, size_t len)
{
    size_t n = 0;
    while (n < len && g->serial_count < INPUT_SERIAL_QUEUE) {
        g->serial_q[(g->serial_head + g->serial_count) % INPUT_SERIAL_QUEUE] = buf[n++];
        g->serial_count++;
    }
    g->stats.dropped += len - n;
    return n;
}

static bool push_event(InputGate *g, const InputRecord *r)
{
    if (g->ev_count == INPUT_EVENT_QUEUE) {
        g->stats.dropped++;
        return false;
    }
    g->events[(g->ev_head + g->ev_count) % INPUT_EVENT_QUEUE] = *r;
    g->ev_count++;
    return true;
}

static void put_le(uint8_t *p, uint32_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le(const uint8_t *p, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static int64_t get_le64(const uint8_t *p)
{
    return (int64_t)((uint64_t)get_le(p + 4, 4) << 32 | get_le(p, 4));
}

bool input_gate_key(InputGate *g, uint16_t keycode, bool pressed)
{
    InputRecord r = {.kind = INPUT_KEY, .len = 3};
    put_le(r.payload, keycode, 2);
    r.payload[2] = pressed;
    return push_event(g, &r);
}

bool input_gate_mouse(InputGate *g, int dx, int dy, int dz, uint8_t buttons)
{
    InputRecord r = {.kind = INPUT_MOUSE, .len = 13};
    put_le(r.payload, (uint32_t)dx, 4);
    put_le(r.payload + 4, (uint32_t)dy, 4);
    put_le(r.payload + 8, (uint32_t)dz, 4);
    r.payload[12] = buttons;
    return push_event(g, &r);
}

/* ---- delivery ----------------------------------------------------------------------------- */

void input_gate_apply(InputGate *g, const InputRecord *r)
{
    switch (r->kind) {
    case INPUT_SERIAL:
        if (g->serial)
            uart_receive(g->serial, r->payload, r->len);
        g->stats.serial_bytes += r->len;
        break;
    case INPUT_KEY:
        if (g->kbc)
            i8042_key_event(g->kbc, (uint16_t)get_le(r->payload, 2), r->payload[2] != 0);
        g->stats.keys++;
        break;
    case INPUT_MOUSE:
        if (g->kbc)
            i8042_mouse_event(g->kbc, (int32_t)get_le(r->payload, 4),
                              (int32_t)get_le(r->payload + 4, 4),
                              (int32_t)get_le(r->payload + 8, 4), r->payload[12]);
        g->stats.mouse++;
        break;
    case INPUT_CLOCK:
        if (r->len != 8) {
            g->stats.dropped++; /* a malformed record (from a log): not a time */
            return;
        }
        if (g->rtc)
            rtc_cmos_set_time(g->rtc, get_le64(r->payload));
        g->stats.clocks++;
        break;
    default: g->stats.dropped++; return;
    }
    g->stats.records++;
    if (g->recorder)
        g->recorder(g->recorder_opaque, r);
}

static void stamp(const InputGate *g, InputRecord *r)
{
    r->icount = *g->icount;
    r->vtime_ns = sched_now(g->sched);
}

/* ---- wall-clock time at power-on ----------------------------------------------------------- */

int64_t input_gate_host_clock(bool local)
{
    time_t now = time(NULL);
    int64_t secs = (int64_t)now;
    if (local) {
        struct tm lt;
        if (localtime_r(&now, &lt))
            secs += lt.tm_gmtoff;
    }
    return secs;
}

int64_t input_gate_power_on_clock(InputGate *g, const InputClockSpec *spec)
{
    int64_t secs = spec->base == INPUT_CLOCK_FIXED
                       ? spec->fixed
                       : input_gate_host_clock(spec->base == INPUT_CLOCK_HOST_LOCAL);
    InputRecord r = {.kind = INPUT_CLOCK, .unit = 0, .len = 8};
    put_le(r.payload, (uint32_t)secs, 4);
    put_le(r.payload + 4, (uint32_t)((uint64_t)secs >> 32), 4);
    stamp(g, &r);
    input_gate_apply(g, &r);
    return secs;
}

static bool deliver_events(InputGate *g)
{
    bool any = g->ev_count != 0;
    while (g->ev_count) {
        InputRecord r = g->events[g->ev_head];
        g->ev_head = (g->ev_head + 1) % INPUT_EVENT_QUEUE;
        g->ev_count--;
        stamp(g, &r);
        input_gate_apply(g, &r);
    }
    return any;
}

static bool deliver_serial(InputGate *g)
{
    bool any = false;
    while (g->serial_count && g->serial) {
        size_t room = uart_can_receive(g->serial);
        if (room == 0)
            break;
        InputRecord r = {.kind = INPUT_SERIAL, .unit = 0};
        size_t n = g->serial_count < room ? g->serial_count : room;
        if (n > INPUT_PAYLOAD_MAX)
            n = INPUT_PAYLOAD_MAX;
        for (size_t i = 0; i < n; i++)
            r.payload[i] = g->serial_q[(g->serial_head + i) % INPUT_SERIAL_QUEUE];
        r.len = (uint8_t)n;
        g->serial_head = (g->serial_head + n) % INPUT_SERIAL_QUEUE;
        g->serial_count -= n;
        stamp(g, &r);
        input_gate_apply(g, &r);
        any = true;
    }
    return any;
}

/* ---- host reading ------------------------------------------------------------------------- */

/* Should the source's fd be polled now? A pipe waits while the queue is full. */
static bool want_read(const InputGate *g)
{
    return g->src_open && (g->src.interactive || g->serial_count < INPUT_SERIAL_QUEUE);
}

static void read_source(InputGate *g)
{
    uint8_t buf[512];
    size_t cap = sizeof buf;
    if (!g->src.interactive && INPUT_SERIAL_QUEUE - g->serial_count < cap)
        cap = INPUT_SERIAL_QUEUE - g->serial_count;
    long n = g->src.read(g->src.opaque, buf, cap);
    if (n == INPUT_SOURCE_QUIT) {
        g->quit = true;
    } else if (n < 0) {
        g->src_open = false; /* end of input: the guest keeps running */
    } else if (n > 0) {
        input_gate_serial(g, buf, (size_t)n);
    }
}

/* poll() on the source for up to timeout_ms (-1: forever). True if it is readable. */
static bool poll_source(InputGate *g, int timeout_ms)
{
    if (!want_read(g)) {
        if (timeout_ms > 0) {
            struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL); /* a full pipe queue: wait for the guest, not the host */
        }
        return false;
    }
    struct pollfd p = {g->src.fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0)
        return false; /* EINTR: the caller loops */
    if (r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
        if (p.revents & POLLNVAL) {
            g->src_open = false;
            return false;
        }
        return true;
    }
    return false;
}

bool input_gate_service(InputGate *g)
{
    if (g->poller)
        (void)g->poller(g->poller_opaque); /* it queues its events; delivery follows */
    if (poll_source(g, 0))
        read_source(g);
    bool any = deliver_events(g);
    return deliver_serial(g) || any;
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

bool input_gate_wait(InputGate *g, int64_t timeout_ns)
{
    uint64_t start = host_ns();
    /* Only new input counts: bytes the guest has not taken yet must not end the wait, or a
     * halted guest that ignores its UART would spin the host. */
    size_t had_serial = g->serial_count;
    unsigned had_events = g->ev_count;
    for (;;) {
        uint64_t elapsed = host_ns() - start;
        if (timeout_ns >= 0 && elapsed >= (uint64_t)timeout_ns)
            return false;
        int64_t left = timeout_ns < 0 ? -1 : timeout_ns - (int64_t)elapsed;
        if (!input_gate_live(g)) {
            if (left > 0)
                sleep_ns((uint64_t)left);
            return false;
        }
        int64_t slice = left;
        if (g->poller && (slice < 0 || (uint64_t)slice > g->poll_period_ns))
            slice = (int64_t)g->poll_period_ns;
        if (slice < 0 && !want_read(g))
            return false; /* nothing can arrive and there is no time limit: do not hang */
        if (slice > 3600 * 1000000000ll)
            slice = 3600 * 1000000000ll; /* poll() takes an int of milliseconds */
        int ms = slice < 0 ? -1 : (int)((slice + 999999) / 1000000);
        if (poll_source(g, ms)) {
            read_source(g);
            return true;
        }
        if (g->poller && g->poller(g->poller_opaque))
            return true;
        if (g->quit || g->serial_count > had_serial || g->ev_count > had_events)
            return true;
    }
}
