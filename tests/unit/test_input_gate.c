/* The input gate: host input is queued, delivered only at service() (an instruction
 * boundary), stamped with the instruction count and virtual time, paced by the UART's free
 * receive FIFO, kept in order, and reproducible from its records. The RTC's wall-clock time
 * at power-on is an INPUT_CLOCK record too (the host clock read in the gate). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "machine/input_gate.h"

static uint64_t icount;
static Scheduler sched;
static Uart uart;
static I8042 kbc;
static InputGate gate;
static InputRecord log_[64];
static int nlog;

static void fake_irq(void *o, int n, int level) { (void)o, (void)n, (void)level; }
static void set_a20(void *o, bool on) { (void)o, (void)on; }
static void reset_req(void *o) { (void)o; }
static void recorder(void *o, const InputRecord *r)
{
    (void)o;
    if (nlog < 64)
        log_[nlog++] = *r;
}

static void build(InputGate *g, Uart *u, I8042 *k)
{
    uart_init(u, &sched, (IrqLine){fake_irq, NULL, 4}, (CharSink){0});
    i8042_init(k, (IrqLine){fake_irq, NULL, 1}, (IrqLine){fake_irq, NULL, 12},
               (I8042Callbacks){set_a20, reset_req, NULL});
    input_gate_init(g, &sched, &icount, u, k);
}

static void setup(void)
{
    icount = 0;
    nlog = 0;
    sched_init(&sched, &icount, 0);
    build(&gate, &uart, &kbc);
    input_gate_set_recorder(&gate, recorder, NULL);
}
TestSuite(input_gate, .init = setup);

/* Reads what the guest would read from the UART's receiver. */
static size_t drain_uart(Uart *u, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (n < cap && (uart_read(u, 5) & 0x01))
        out[n++] = uart_read(u, 0);
    return n;
}

Test(input_gate, nothing_reaches_a_device_before_service)
{
    uart_write(&uart, 2, 0x01); /* FIFOs on */
    cr_assert_eq(input_gate_serial(&gate, (const uint8_t *)"abc", 3), 3);
    cr_assert(input_gate_key(&gate, 0x1C, true));
    cr_assert_eq(uart_read(&uart, 5) & 0x01, 0, "no data ready yet");
    cr_assert_eq(i8042_read_status(&kbc) & 0x01, 0, "no key yet");
    cr_assert(input_gate_service(&gate));
    cr_assert(uart_read(&uart, 5) & 0x01);
    cr_assert(i8042_read_status(&kbc) & 0x01);
}

Test(input_gate, serial_bytes_are_paced_by_the_receive_fifo)
{
    uart_write(&uart, 2, 0x01);
    uint8_t in[40], out[64];
    for (int i = 0; i < 40; i++)
        in[i] = (uint8_t)('A' + i);
    cr_assert_eq(input_gate_serial(&gate, in, 40), 40);
    input_gate_service(&gate);
    cr_assert_eq(uart_can_receive(&uart), 0, "the FIFO is full");
    cr_assert_eq(uart_read(&uart, 5) & 0x02, 0, "and never overrun");
    size_t got = drain_uart(&uart, out, sizeof out);
    cr_assert_eq(got, UART_FIFO_SIZE);
    input_gate_service(&gate);
    got += drain_uart(&uart, out + got, sizeof out - got);
    input_gate_service(&gate);
    got += drain_uart(&uart, out + got, sizeof out - got);
    cr_assert_eq(got, 40);
    cr_assert_arr_eq(out, in, 40, "in order, none lost");
}

Test(input_gate, without_fifos_one_byte_at_a_time)
{
    input_gate_serial(&gate, (const uint8_t *)"xy", 2);
    input_gate_service(&gate);
    cr_assert_eq(nlog, 1);
    cr_assert_eq(log_[0].len, 1);
    cr_assert_eq(uart_read(&uart, 0), 'x');
    input_gate_service(&gate);
    cr_assert_eq(uart_read(&uart, 0), 'y');
}

Test(input_gate, records_carry_the_instruction_count_and_virtual_time)
{
    uart_write(&uart, 2, 0x01);
    icount = 1234;
    input_gate_serial(&gate, (const uint8_t *)"q", 1);
    input_gate_service(&gate);
    sched_skip_to_next(&sched); /* no timer: no jump */
    icount = 5000;
    input_gate_key(&gate, 0x1C, true);
    input_gate_service(&gate);
    cr_assert_eq(nlog, 2);
    cr_assert_eq(log_[0].kind, INPUT_SERIAL);
    cr_assert_eq(log_[0].icount, 1234);
    cr_assert_eq(log_[0].vtime_ns, 1234, "shift 0: one ns per instruction");
    cr_assert_eq(log_[0].payload[0], 'q');
    cr_assert_eq(log_[1].kind, INPUT_KEY);
    cr_assert_eq(log_[1].icount, 5000);
}

Test(input_gate, keys_and_mouse_keep_their_order_and_payloads)
{
    input_gate_key(&gate, 0x1C, true);   /* A */
    input_gate_key(&gate, 0x32, true);   /* B */
    input_gate_key(&gate, 0x1C, false);
    input_gate_mouse(&gate, -5, 300, -1, 0x3);
    input_gate_service(&gate);
    cr_assert_eq(nlog, 4);
    cr_assert_eq(log_[0].payload[0] | log_[0].payload[1] << 8, 0x1C);
    cr_assert_eq(log_[1].payload[0] | log_[1].payload[1] << 8, 0x32);
    cr_assert_eq(log_[2].payload[2], 0, "a release");
    cr_assert_eq(log_[3].kind, INPUT_MOUSE);
    int32_t dx, dy, dz;
    memcpy(&dx, log_[3].payload, 4);
    memcpy(&dy, log_[3].payload + 4, 4);
    memcpy(&dz, log_[3].payload + 8, 4);
    cr_assert_eq(dx, -5);
    cr_assert_eq(dy, 300);
    cr_assert_eq(dz, -1);
    cr_assert_eq(log_[3].payload[12], 3);
    /* The keyboard got A's make code first (translated to set 1 by default: 0x1E). */
    cr_assert_eq(i8042_read_data(&kbc), 0x1E);
}

Test(input_gate, the_same_records_give_the_same_device_state)
{
    uart_write(&uart, 2, 0x01);
    input_gate_serial(&gate, (const uint8_t *)"replay me", 9);
    input_gate_key(&gate, 0x1C, true);
    icount = 77;
    input_gate_service(&gate);
    cr_assert_geq(nlog, 2);

    /* A second machine, fed only the records. */
    Uart u2;
    I8042 k2;
    InputGate g2;
    build(&g2, &u2, &k2);
    uart_write(&u2, 2, 0x01);
    for (int i = 0; i < nlog; i++)
        input_gate_apply(&g2, &log_[i]);
    UartInfo a, b;
    uart_get_info(&uart, &a);
    uart_get_info(&u2, &b);
    cr_assert_eq(a.lsr, b.lsr);
    cr_assert_eq(a.rx_count, b.rx_count);
    uint8_t x[16], y[16];
    size_t nx = drain_uart(&uart, x, 16), ny = drain_uart(&u2, y, 16);
    cr_assert_eq(nx, ny);
    cr_assert_arr_eq(x, y, nx);
    cr_assert_eq(i8042_read_data(&kbc), i8042_read_data(&k2));
}

/* ---- host sources ------------------------------------------------------------------------- */

static long pipe_read(void *o, uint8_t *buf, size_t cap)
{
    int fd = *(int *)o;
    ssize_t n = read(fd, buf, cap);
    if (n == 0)
        return INPUT_SOURCE_EOF;
    if (n > 0 && buf[0] == '!')
        return INPUT_SOURCE_QUIT;
    return n < 0 ? 0 : n;
}

static int fds[2];

static void use_pipe(bool interactive)
{
    cr_assert_eq(pipe(fds), 0);
    InputSource src = {fds[0], interactive, pipe_read, &fds[0]};
    input_gate_set_source(&gate, &src);
}

Test(input_gate, a_pipe_is_read_and_its_end_closes_the_source)
{
    use_pipe(false);
    uart_write(&uart, 2, 0x01);
    cr_assert(input_gate_live(&gate));
    cr_assert_eq(write(fds[1], "hi", 2), 2);
    cr_assert(input_gate_wait(&gate, -1), "input is ready");
    input_gate_service(&gate);
    cr_assert_eq(uart_read(&uart, 0), 'h');
    close(fds[1]);
    input_gate_wait(&gate, -1); /* sees the end */
    input_gate_service(&gate);
    cr_assert_not(input_gate_live(&gate));
    cr_assert_not(input_gate_wait(&gate, -1), "nothing can come: no hang");
}

Test(input_gate, a_source_can_ask_to_quit)
{
    use_pipe(true);
    cr_assert_eq(write(fds[1], "!", 1), 1);
    input_gate_service(&gate);
    cr_assert(input_gate_quit_requested(&gate));
}

Test(input_gate, a_pipe_waits_while_the_guest_does_not_read)
{
    use_pipe(false);
    uint8_t big[INPUT_SERIAL_QUEUE + 100];
    memset(big, 'z', sizeof big);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    cr_assert_eq(write(fds[1], big, sizeof big), (ssize_t)sizeof big);
    for (int i = 0; i < 40; i++)
        input_gate_service(&gate); /* the UART (no FIFO) takes one byte, never read */
    cr_assert_eq(gate.serial_count, INPUT_SERIAL_QUEUE, "queue full, nothing dropped");
    cr_assert_eq(gate.stats.dropped, 0);
    uint8_t rest[256];
    ssize_t left = read(fds[0], rest, sizeof rest);
    cr_assert_gt(left, 0, "the rest waits in the pipe");
}

Test(input_gate, wait_times_out_without_input)
{
    use_pipe(false);
    cr_assert_not(input_gate_wait(&gate, 1000000)); /* 1 ms, nothing written */
}

static int polls;
static bool poller(void *o)
{
    (void)o;
    polls++;
    if (polls == 3)
        input_gate_key(&gate, 0x1C, true);
    return false;
}

Test(input_gate, a_poller_runs_while_waiting_and_its_keys_end_the_wait)
{
    input_gate_set_poller(&gate, poller, NULL, 1000000);
    cr_assert(input_gate_wait(&gate, -1));
    cr_assert_eq(polls, 3);
    input_gate_service(&gate);
    cr_assert_eq(nlog, 1);
    cr_assert_eq(log_[0].kind, INPUT_KEY);
}

/* ---- idle time while the host waits -------------------------------------------------------- */

static int fired;
static void on_timer(void *o) { (void)o, fired++; }

Test(input_gate, idle_catch_up_stops_at_the_next_deadline)
{
    icount = 100;
    sched_skip_idle(&sched, 1000); /* no timer armed: the whole jump */
    cr_assert_eq(sched_now(&sched), 1100);
    Timer t;
    timer_init(&t, &sched, on_timer, NULL);
    timer_arm(&t, 1500);
    sched_skip_idle(&sched, 10000);
    cr_assert_eq(sched_now(&sched), 1500, "not past a deadline");
    cr_assert_eq(sched_run_due(&sched), 1);
    sched_skip_idle(&sched, 0);
    cr_assert_eq(sched_now(&sched), 1500);
}

/* ---- the wall-clock time at power-on (INPUT_CLOCK) ---------------------------------------- */

static void fake_irq8(void *o, int n, int level) { (void)o, (void)n, (void)level; }

static RtcCmos *gate_rtc(void)
{
    static RtcCmos rtc;
    rtc_cmos_init(&rtc, &sched, (IrqLine){fake_irq8, NULL, 8}, 0);
    input_gate_set_rtc(&gate, &rtc);
    return &rtc;
}

static int64_t payload_i64(const InputRecord *r)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | r->payload[i];
    return (int64_t)v;
}

/* 2006-06-17 16:01:21 UTC (date -u -d 2006-06-17T16:01:21 +%s), a Saturday. */
#define FIXED_DATE 1150560081

Test(input_gate, power_on_clock_is_a_record_at_count_zero)
{
    RtcCmos *rtc = gate_rtc();
    InputClockSpec spec = {INPUT_CLOCK_FIXED, FIXED_DATE};
    cr_assert_eq(input_gate_power_on_clock(&gate, &spec), FIXED_DATE);
    cr_assert_eq(nlog, 1, "the recorder sees the clock record");
    cr_assert_eq(log_[0].kind, INPUT_CLOCK);
    cr_assert_eq(log_[0].unit, 0);
    cr_assert_eq(log_[0].icount, 0);
    cr_assert_eq(log_[0].vtime_ns, 0);
    cr_assert_eq(log_[0].len, 8);
    cr_assert_eq(payload_i64(&log_[0]), FIXED_DATE);
    cr_assert_eq(log_[0].payload[0], FIXED_DATE & 0xFF, "little-endian");
    /* What the guest reads: BCD, 24-hour (the power-on register B). */
    cr_assert_eq(rtc_cmos_get(rtc, RTC_SECONDS), 0x21);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_MINUTES), 0x01);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_HOURS), 0x16);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_DAY_OF_WEEK), 7, "Saturday");
    cr_assert_eq(rtc_cmos_get(rtc, RTC_DAY_OF_MONTH), 0x17);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_MONTH), 0x06);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_YEAR), 0x06);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_CMOS_CENTURY), 0x20);
}

/* A replayer feeding the logged record gets the chip a direct init with that time gives. */
Test(input_gate, applying_a_clock_record_sets_the_rtc)
{
    RtcCmos *rtc = gate_rtc();
    InputRecord r = {.icount = 0, .kind = INPUT_CLOCK, .len = 8};
    int64_t t = 4102444799; /* 2099-12-31 23:59:59, the chip's last representable second */
    for (int i = 0; i < 8; i++)
        r.payload[i] = (uint8_t)((uint64_t)t >> (8 * i));
    input_gate_apply(&gate, &r);
    RtcCmos direct;
    rtc_cmos_init(&direct, &sched, (IrqLine){fake_irq8, NULL, 8}, t);
    for (unsigned i = 0; i < RTC_CMOS_SIZE; i++)
        cr_assert_eq(rtc_cmos_get(rtc, i), rtc_cmos_get(&direct, i), "CMOS byte %#x", i);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_YEAR), 0x99);
    cr_assert_eq(nlog, 1);
    cr_assert_eq(gate.stats.clocks, 1);
}

Test(input_gate, a_malformed_clock_record_is_dropped)
{
    RtcCmos *rtc = gate_rtc();
    InputRecord r = {.kind = INPUT_CLOCK, .len = 3, .payload = {1, 2, 3}};
    input_gate_apply(&gate, &r);
    cr_assert_eq(nlog, 0);
    cr_assert_eq(gate.stats.dropped, 1);
    cr_assert_eq(rtc_cmos_get(rtc, RTC_YEAR), 0x70, "still 1970");
}

/* The host clock is read only for the HOST_ bases; local time adds the host's UTC offset. */
Test(input_gate, host_clock_in_utc_and_local_time)
{
    gate_rtc();
    setenv("TZ", "<+05>-5", 1); /* POSIX: five hours east of UTC, no daylight saving */
    tzset();
    int64_t before = (int64_t)time(NULL);
    InputClockSpec utc = {INPUT_CLOCK_HOST_UTC, FIXED_DATE};
    InputClockSpec local = {INPUT_CLOCK_HOST_LOCAL, FIXED_DATE};
    int64_t u = input_gate_power_on_clock(&gate, &utc);
    int64_t l = input_gate_power_on_clock(&gate, &local);
    int64_t after = (int64_t)time(NULL);
    cr_assert(u >= before && u <= after, "UTC %lld outside [%lld, %lld]", (long long)u,
              (long long)before, (long long)after);
    cr_assert(l - 5 * 3600 >= before && l - 5 * 3600 <= after, "local %lld", (long long)l);
    cr_assert_eq(nlog, 2);
    cr_assert_eq(payload_i64(&log_[0]), u);
    cr_assert_eq(payload_i64(&log_[1]), l);
}

/* A gate without an RTC (a bare test board) still stamps and reports the record. */
Test(input_gate, a_clock_record_is_stamped_with_the_current_count)
{
    icount = 1234;
    InputClockSpec spec = {INPUT_CLOCK_FIXED, -1};
    input_gate_power_on_clock(&gate, &spec);
    cr_assert_eq(nlog, 1);
    cr_assert_eq(log_[0].icount, 1234);
    cr_assert_eq(payload_i64(&log_[0]), -1, "sign kept through the payload");
}
