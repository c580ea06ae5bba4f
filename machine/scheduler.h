/* scheduler.h — the virtual clock and the timers devices arm on it.
 *
 * Contract: guest-visible time derives only from the CPU's retired-instruction count:
 *     now_ns = icount << shift  +  idle_ns
 * where `shift` is fixed for a run (default 0: one instruction is one virtual nanosecond)
 * and `idle_ns` grows only while the CPU halts with nothing pending: the clock jumps to the
 * next deadline, or (sched_skip_idle) towards host time after a wait for host input, never
 * past the next deadline; the CPU's TSC reads this clock (through its clock hook, shifted
 * right by `shift`), so it follows the jumps too. Timers sit in a
 * min-heap keyed by absolute virtual-ns deadline; the
 * CPU runs at most sched_insns_to_deadline() instructions, then sched_run_due() fires the
 * timers that are due, earliest first (ties in the order they were armed). A callback may
 * re-arm or cancel any timer. A timer armed while the CPU is running (a device programmed
 * by a port write) may fall before the end of the CPU's current slice: timer_arm() then
 * calls the `earlier_deadline` hook, which the machine uses to shorten the slice, so no
 * deadline is ever run past. Nothing here reads the host clock.
 */
#ifndef VMM86_MACHINE_SCHEDULER_H
#define VMM86_MACHINE_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/savestate.h"

#define SCHED_MAX_TIMERS 64
#define SCHED_NEVER UINT64_MAX

typedef struct Scheduler Scheduler;
typedef void (*TimerCallback)(void *opaque);

typedef struct Timer {
    uint64_t deadline;  /* absolute virtual ns; meaningful while armed */
    uint64_t seq;       /* arming order, breaks ties between equal deadlines */
    TimerCallback cb;
    void *opaque;
    Scheduler *sched;
    int heap_pos;       /* index in the heap, -1 when not armed */
} Timer;

struct Scheduler {
    const uint64_t *icount; /* the CPU's retired-instruction counter */
    unsigned shift;         /* virtual ns per instruction = 1 << shift */
    uint64_t idle_ns;       /* virtual ns added by idle jumps */
    uint64_t next_seq;
    int count;
    Timer *heap[SCHED_MAX_TIMERS];
    /* Called when timer_arm() makes the earliest deadline earlier than it was. */
    void (*earlier_deadline)(void *opaque);
    void *earlier_deadline_opaque;
};

void sched_init(Scheduler *s, const uint64_t *icount, unsigned shift);
uint64_t sched_now(const Scheduler *s);
/* Earliest armed deadline, or SCHED_NEVER. */
uint64_t sched_next_deadline(const Scheduler *s);
/* How many instructions the CPU may retire before the next deadline (at least 1), capped
 * at `cap`. */
uint64_t sched_insns_to_deadline(const Scheduler *s, uint64_t cap);
/* Fires every timer whose deadline is <= now. Returns how many fired. */
int sched_run_due(Scheduler *s);
/* Idle jump: advance the clock to the next deadline (if it is in the future) without
 * retiring instructions. Returns false if no timer is armed. */
bool sched_skip_to_next(Scheduler *s);
/* Idle jump of up to `ns`, stopping at the next deadline: the CPU was halted while the host
 * waited for input, and virtual time catches up with the host's (idle pacing). */
void sched_skip_idle(Scheduler *s, uint64_t ns);

void timer_init(Timer *t, Scheduler *s, TimerCallback cb, void *opaque);
void timer_arm(Timer *t, uint64_t deadline_ns);
void timer_cancel(Timer *t);
static inline bool timer_armed(const Timer *t) { return t->heap_pos >= 0; }

/* Save/restore the clock (idle_ns); each device saves its own timers' deadlines and
 * re-arms them on load. */
void sched_save(const Scheduler *s, StateWriter *w);
bool sched_load(Scheduler *s, StateReader *r);

#endif
