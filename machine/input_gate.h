/* input_gate.h — the one place host input enters the guest (DESIGN.md, invariant 2).
 *
 * Contract: host input — serial bytes from the terminal or a pipe, keys and mouse motion
 * from a display front end — is queued here, never handed to a device directly. The run
 * loop calls input_gate_service() between cpu_exec slices, that is at an instruction
 * boundary; the gate then delivers what the devices can take, and each delivery becomes an
 * InputRecord stamped with the retired-instruction count and the virtual time (the second
 * tells apart deliveries made at one count while the CPU is halted and the clock jumps).
 * Serial bytes are paced by uart_can_receive(), so a pipe never overruns the 16550's FIFO;
 * keys and mouse events go to the i8042 at the next boundary in the order they came.
 * input_gate_apply() is the only path from a record to a device: the live path uses it, and
 * a replayer that feeds the same records at the same stamps gets the same guest execution.
 * A recorder callback sees every record as it is applied (for a future replay log).
 *
 * Wall-clock time: the RTC's time at power-on is host input too. input_gate_power_on_clock()
 * makes it an INPUT_CLOCK record (Unix seconds), stamped at the current count (0 at power
 * on), and applies it like any other record: the RTC is set with rtc_cmos_set_time and the
 * recorder sees it. The host clock is read there, in input_gate_host_clock(), and only when
 * the InputClockSpec asks for the host's time (UTC or local); a fixed date (-rtc base=DATE,
 * or a replayer's logged value) gives the same record with that value and reads nothing.
 * It happens once, at power-on: a machine reset does not deliver it again (the RTC keeps
 * its time across a reset, as the chip does).
 *
 * Host reading: an InputSource names a file descriptor to poll and a read callback (the
 * console's, which also handles its escape keys and may ask to quit). An interactive
 * source is always read, so its escapes work even while the guest ignores its input (what
 * overflows the queue is dropped and counted); a non-interactive one (a pipe) is read only
 * as the guest consumes it. input_gate_wait() blocks the host until input is ready or a
 * timeout passes, so an idle guest costs no host CPU. A poller callback (a display's event
 * pump, which queues keys with input_gate_key) runs at every service and at least every
 * `period_ns` while waiting; it ends a wait by returning true.
 * Single-threaded: call everything from the thread that runs the machine.
 */
#ifndef VMM86_MACHINE_INPUT_GATE_H
#define VMM86_MACHINE_INPUT_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/i8042.h"
#include "devices/rtc_cmos.h"
#include "devices/uart.h"
#include "machine/scheduler.h"

#define INPUT_PAYLOAD_MAX 16
#define INPUT_SERIAL_QUEUE 4096
#define INPUT_EVENT_QUEUE 256

typedef enum InputKind {
    INPUT_SERIAL = 1, /* payload: the bytes, in order */
    INPUT_KEY = 2,    /* payload: u16 key code (i8042.h: set-2 make code), u8 pressed */
    INPUT_MOUSE = 3,  /* payload: i32 dx, i32 dy, i32 dz, u8 buttons (PS/2 convention) */
    INPUT_CLOCK = 4,  /* payload: i64 Unix seconds, the RTC's wall-clock time (len 8) */
} InputKind;

/* Where the wall-clock time at power-on comes from. Zero (a zeroed MachineConfig) is a
 * fixed date: 1970-01-01, no host read. */
typedef enum InputClockBase {
    INPUT_CLOCK_FIXED = 0,      /* `fixed` below (-rtc base=DATE) */
    INPUT_CLOCK_HOST_UTC = 1,   /* the host's clock, UTC (-rtc base=utc, the default) */
    INPUT_CLOCK_HOST_LOCAL = 2, /* the host's clock in its local time zone (base=localtime) */
} InputClockBase;

typedef struct InputClockSpec {
    InputClockBase base;
    int64_t fixed; /* Unix seconds, for INPUT_CLOCK_FIXED */
} InputClockSpec;

/* One delivery to a device. Multi-byte payload fields are little-endian. */
typedef struct InputRecord {
    uint64_t icount;   /* retired instructions at the delivery */
    uint64_t vtime_ns; /* virtual time at the delivery */
    uint8_t kind;      /* InputKind */
    uint8_t unit;      /* which device of that kind (0: COM1, the keyboard controller) */
    uint8_t len;       /* payload bytes used */
    uint8_t payload[INPUT_PAYLOAD_MAX];
} InputRecord;

/* What an InputSource's read returns besides a byte count. */
enum { INPUT_SOURCE_EOF = -1, INPUT_SOURCE_QUIT = -2 };

typedef struct InputSource {
    int fd;           /* polled for readability; -1: no host stream */
    bool interactive; /* a person typing: always read, even when the guest lags */
    /* Called when fd is readable: up to `cap` guest bytes into buf; returns how many (0: none
     * for the guest, e.g. an escape key), INPUT_SOURCE_EOF or INPUT_SOURCE_QUIT. */
    long (*read)(void *opaque, uint8_t *buf, size_t cap);
    void *opaque;
} InputSource;

typedef void (*InputRecorder)(void *opaque, const InputRecord *r);
/* Returns true when a wait should end (it queued input, or the run loop must look). */
typedef bool (*InputPoller)(void *opaque);

typedef struct InputGate {
    Scheduler *sched;
    const uint64_t *icount;
    Uart *serial;      /* COM1 */
    I8042 *kbc;        /* may be NULL */
    RtcCmos *rtc;      /* INPUT_CLOCK's device; may be NULL */
    InputSource src;
    bool src_open;     /* the source may still deliver bytes */
    bool quit;         /* the user asked to end vmm86 */
    uint8_t serial_q[INPUT_SERIAL_QUEUE];
    size_t serial_head, serial_count;
    InputRecord events[INPUT_EVENT_QUEUE]; /* keys and mouse, not stamped yet */
    unsigned ev_head, ev_count;
    InputRecorder recorder;
    void *recorder_opaque;
    InputPoller poller;
    void *poller_opaque;
    uint64_t poll_period_ns;
    struct {
        uint64_t records, serial_bytes, keys, mouse, clocks, dropped;
    } stats;
} InputGate;

void input_gate_init(InputGate *g, Scheduler *sched, const uint64_t *icount, Uart *serial,
                     I8042 *kbc);
void input_gate_set_source(InputGate *g, const InputSource *src);
void input_gate_set_recorder(InputGate *g, InputRecorder fn, void *opaque);
void input_gate_set_poller(InputGate *g, InputPoller fn, void *opaque, uint64_t period_ns);
void input_gate_set_rtc(InputGate *g, RtcCmos *rtc);

/* Host side: queue input for the guest. They return false (and count a drop) when the
 * queue is full. Serial bytes: how many were queued. */
size_t input_gate_serial(InputGate *g, const uint8_t *buf, size_t len);
bool input_gate_key(InputGate *g, uint16_t keycode, bool pressed);
bool input_gate_mouse(InputGate *g, int dx, int dy, int dz, uint8_t buttons);

/* At an instruction boundary: reads what the host has ready (never blocks) and delivers
 * what the devices can take. Returns true if anything reached a device. */
bool input_gate_service(InputGate *g);
/* Blocks until host input is ready or `timeout_ns` of host time passed (< 0: no limit).
 * Returns true when input is ready (or the poller ended the wait). When no host input can
 * come it sleeps out the timeout, or returns false at once when there is no limit. */
bool input_gate_wait(InputGate *g, int64_t timeout_ns);
/* Can host input still arrive (an open source or a poller)? */
bool input_gate_live(const InputGate *g);
static inline bool input_gate_quit_requested(const InputGate *g) { return g->quit; }

/* Delivers one record to its device now and reports it to the recorder. A record whose
 * kind is unknown, or an INPUT_CLOCK whose len is not 8, is dropped (counted, not
 * reported). */
void input_gate_apply(InputGate *g, const InputRecord *r);

/* The host's wall-clock time in Unix seconds, shifted by the host's UTC offset when
 * `local`: the one place the guest's calendar time is read from the host. */
int64_t input_gate_host_clock(bool local);
/* Power-on: the INPUT_CLOCK record for `spec` (the host clock read only for the HOST_
 * bases), stamped now and applied. Returns the seconds delivered. */
int64_t input_gate_power_on_clock(InputGate *g, const InputClockSpec *spec);

#endif
