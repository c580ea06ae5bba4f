/* scheduler.c — binary min-heap of timers over the instruction-count clock. */
#include "machine/scheduler.h"

#include <stdio.h>
#include <stdlib.h>

void sched_init(Scheduler *s, const uint64_t *icount, unsigned shift)
{
    s->icount = icount;
    s->shift = shift;
    s->idle_ns = 0;
    s->next_seq = 0;
    s->count = 0;
    s->earlier_deadline = NULL;
    s->earlier_deadline_opaque = NULL;
}

uint64_t sched_now(const Scheduler *s) { return (*s->icount << s->shift) + s->idle_ns; }

uint64_t sched_next_deadline(const Scheduler *s)
{
    return s->count ? s->heap[0]->deadline : SCHED_NEVER;
}

uint64_t sched_insns_to_deadline(const Scheduler *s, uint64_t cap)
{
    uint64_t dl = sched_next_deadline(s), now = sched_now(s);
    if (dl == SCHED_NEVER)
        return cap;
    if (dl <= now)
        return 1;
    /* Round up so the deadline has passed when the CPU stops. */
    uint64_t unit = (uint64_t)1 << s->shift;
    uint64_t n = (dl - now + unit - 1) >> s->shift;
    return n < cap ? n : cap;
}

static bool timer_before(const Timer *a, const Timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_place(Scheduler *s, int i, Timer *t)
{
    s->heap[i] = t;
    t->heap_pos = i;
}

static void sift_up(Scheduler *s, int i)
{
    Timer *t = s->heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!timer_before(t, s->heap[parent]))
            break;
        heap_place(s, i, s->heap[parent]);
        i = parent;
    }
    heap_place(s, i, t);
}

static void sift_down(Scheduler *s, int i)
{
    Timer *t = s->heap[i];
    for (;;) {
        int child = 2 * i + 1;
        if (child >= s->count)
            break;
        if (child + 1 < s->count && timer_before(s->heap[child + 1], s->heap[child]))
            child++;
        if (!timer_before(s->heap[child], t))
            break;
        heap_place(s, i, s->heap[child]);
        i = child;
    }
    heap_place(s, i, t);
}

void timer_init(Timer *t, Scheduler *s, TimerCallback cb, void *opaque)
{
    t->deadline = 0;
    t->seq = 0;
    t->cb = cb;
    t->opaque = opaque;
    t->sched = s;
    t->heap_pos = -1;
}

void timer_cancel(Timer *t)
{
    Scheduler *s = t->sched;
    int i = t->heap_pos;
    if (i < 0)
        return;
    t->heap_pos = -1;
    s->count--;
    if (i == s->count)
        return;
    Timer *moved = s->heap[s->count];
    heap_place(s, i, moved);
    sift_up(s, i);
    sift_down(s, moved->heap_pos);
}

void timer_arm(Timer *t, uint64_t deadline_ns)
{
    Scheduler *s = t->sched;
    uint64_t earliest = sched_next_deadline(s); /* what the running slice was sized for */
    timer_cancel(t);
    if (s->count == SCHED_MAX_TIMERS) {
        /* The device table is fixed at build time; more timers is a programming error. */
        fprintf(stderr, "vmm86: internal error: more than %d timers\n", SCHED_MAX_TIMERS);
        abort();
    }
    t->deadline = deadline_ns;
    t->seq = s->next_seq++;
    heap_place(s, s->count++, t);
    sift_up(s, t->heap_pos);
    if (deadline_ns < earliest && s->earlier_deadline)
        s->earlier_deadline(s->earlier_deadline_opaque);
}

int sched_run_due(Scheduler *s)
{
    int fired = 0;
    while (s->count && s->heap[0]->deadline <= sched_now(s)) {
        Timer *t = s->heap[0];
        timer_cancel(t);
        t->cb(t->opaque);
        fired++;
    }
    return fired;
}

bool sched_skip_to_next(Scheduler *s)
{
    uint64_t dl = sched_next_deadline(s), now = sched_now(s);
    if (dl == SCHED_NEVER)
        return false;
    if (dl > now)
        s->idle_ns += dl - now;
    return true;
}

void sched_skip_idle(Scheduler *s, uint64_t ns)
{
    uint64_t dl = sched_next_deadline(s), now = sched_now(s);
    if (dl != SCHED_NEVER && dl > now && ns > dl - now)
        ns = dl - now;
    else if (dl != SCHED_NEVER && dl <= now)
        ns = 0;
    s->idle_ns += ns;
}

void sched_save(const Scheduler *s, StateWriter *w)
{
    sw_u32(w, s->shift);
    sw_u64(w, s->idle_ns);
}

bool sched_load(Scheduler *s, StateReader *r)
{
    uint32_t shift = sr_u32(r);
    uint64_t idle = sr_u64(r);
    if (r->error || shift > 10)
        return sr_fail(r);
    s->shift = shift;
    s->idle_ns = idle;
    return true;
}
