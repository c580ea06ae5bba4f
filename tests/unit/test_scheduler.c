/* Scheduler: deadlines fire in order on the instruction-count clock; idle jumps. */
#include <criterion/criterion.h>

#include "machine/scheduler.h"

static uint64_t icount;
static Scheduler sched;
static int fired[16];
static int nfired;

static void record(void *opaque)
{
    if (nfired < 16)
        fired[nfired++] = (int)(intptr_t)opaque;
}

static void setup(void)
{
    icount = 0;
    nfired = 0;
    sched_init(&sched, &icount, 0);
}

TestSuite(scheduler, .init = setup);

Test(scheduler, clock_follows_icount_and_shift)
{
    icount = 1000;
    cr_assert_eq(sched_now(&sched), 1000);
    sched_init(&sched, &icount, 3);
    cr_assert_eq(sched_now(&sched), 8000);
}

Test(scheduler, fires_in_deadline_order_with_ties_in_arming_order)
{
    Timer t[5];
    for (int i = 0; i < 5; i++)
        timer_init(&t[i], &sched, record, (void *)(intptr_t)i);
    timer_arm(&t[0], 500);
    timer_arm(&t[1], 100);
    timer_arm(&t[2], 300);
    timer_arm(&t[3], 100);
    timer_arm(&t[4], 900);
    icount = 499;
    cr_assert_eq(sched_run_due(&sched), 3);
    cr_assert_eq(fired[0], 1);
    cr_assert_eq(fired[1], 3);
    cr_assert_eq(fired[2], 2);
    icount = 10000;
    cr_assert_eq(sched_run_due(&sched), 2);
    cr_assert_eq(fired[3], 0);
    cr_assert_eq(fired[4], 4);
}

Test(scheduler, cancel_and_rearm)
{
    Timer a, b;
    timer_init(&a, &sched, record, (void *)1);
    timer_init(&b, &sched, record, (void *)2);
    timer_arm(&a, 50);
    timer_arm(&b, 60);
    timer_cancel(&a);
    cr_assert(!timer_armed(&a));
    cr_assert_eq(sched_next_deadline(&sched), 60);
    timer_arm(&b, 10); /* re-arming moves it */
    cr_assert_eq(sched_next_deadline(&sched), 10);
    icount = 100;
    cr_assert_eq(sched_run_due(&sched), 1);
    cr_assert_eq(fired[0], 2);
}

Test(scheduler, budget_rounds_up_to_reach_the_deadline)
{
    Timer a;
    timer_init(&a, &sched, record, NULL);
    sched_init(&sched, &icount, 2); /* 4 ns per instruction */
    timer_init(&a, &sched, record, NULL);
    timer_arm(&a, 10);
    cr_assert_eq(sched_insns_to_deadline(&sched, 1000), 3); /* 12 ns >= 10 */
    cr_assert_eq(sched_insns_to_deadline(&sched, 2), 2);
    timer_cancel(&a);
    cr_assert_eq(sched_insns_to_deadline(&sched, 77), 77);
}

Test(scheduler, idle_jump_moves_time_not_icount)
{
    Timer a;
    timer_init(&a, &sched, record, NULL);
    icount = 5;
    timer_arm(&a, 1000);
    cr_assert(sched_skip_to_next(&sched));
    cr_assert_eq(sched_now(&sched), 1000);
    cr_assert_eq(icount, 5);
    cr_assert_eq(sched_run_due(&sched), 1);
    cr_assert(!sched_skip_to_next(&sched));
}

static Timer chain;
static int chain_count;
static void rearm_self(void *opaque)
{
    (void)opaque;
    if (++chain_count < 3)
        timer_arm(&chain, sched_now(&sched) + 10);
}

Test(scheduler, callback_may_rearm_itself)
{
    chain_count = 0;
    timer_init(&chain, &sched, rearm_self, NULL);
    timer_arm(&chain, 10);
    icount = 10;
    sched_run_due(&sched);
    cr_assert_eq(chain_count, 1);
    cr_assert_eq(sched_next_deadline(&sched), 20);
}

Test(scheduler, many_timers_keep_heap_order)
{
    Timer t[SCHED_MAX_TIMERS];
    for (int i = 0; i < SCHED_MAX_TIMERS; i++) {
        timer_init(&t[i], &sched, record, NULL);
        timer_arm(&t[i], (uint64_t)((i * 37) % SCHED_MAX_TIMERS) * 10 + 1);
    }
    for (int i = 0; i < SCHED_MAX_TIMERS; i += 3)
        timer_cancel(&t[i]);
    uint64_t last = 0;
    while (sched_next_deadline(&sched) != SCHED_NEVER) {
        uint64_t d = sched_next_deadline(&sched);
        cr_assert_geq(d, last);
        last = d;
        icount = d;
        sched_run_due(&sched);
    }
}

Test(scheduler, save_load_round_trip_and_bad_stream)
{
    StateWriter w;
    sw_init(&w);
    sched.idle_ns = 12345;
    sched_save(&sched, &w);
    Scheduler other;
    sched_init(&other, &icount, 0);
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(sched_load(&other, &r));
    cr_assert_eq(other.idle_ns, 12345);
    sr_init(&r, w.buf, w.len - 1);
    cr_assert(!sched_load(&other, &r));
    sw_free(&w);
}
