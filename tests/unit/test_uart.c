/* test_uart.c — the 16550A programming model, driven through the port space with a fake
 * instruction counter (1 instruction = 1 virtual ns) and a recording IRQ line. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/uart.h"

#define BASE 0x3F8
enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

static uint64_t icount;
static Scheduler sched;
static IoPortSpace io;
static Uart uart;

static int irq_level;
static int irq_raises;
static uint8_t sink_buf[256];
static size_t sink_len;

static void fake_irq(void *opaque, int n, int level)
{
    if (level && !irq_level)
        irq_raises++;
    irq_level = level;
}

static void fake_sink(void *opaque, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len && sink_len < sizeof sink_buf; i++)
        sink_buf[sink_len++] = buf[i];
}

/* Advances virtual time to `target`, firing each timer at its own deadline. */
static void advance_to(uint64_t target)
{
    for (;;) {
        uint64_t dl = sched_next_deadline(&sched);
        if (dl > target)
            break;
        if (dl > icount)
            icount = dl;
        sched_run_due(&sched);
    }
    icount = target;
}

static void advance(uint64_t ns) { advance_to(icount + ns); }

static uint8_t rd(unsigned reg) { return (uint8_t)ioport_read(&io, BASE + reg, 1); }
static void wr(unsigned reg, uint8_t v) { ioport_write(&io, BASE + reg, 1, v); }

static void setup(void)
{
    icount = 0;
    irq_level = 0;
    irq_raises = 0;
    sink_len = 0;
    sched_init(&sched, &icount, 0);
    ioport_init(&io);
    IrqLine line = {.set = fake_irq, .opaque = NULL, .n = 4};
    CharSink sink = {.write = fake_sink, .opaque = NULL};
    uart_init(&uart, &sched, line, sink);
    uart_register(&uart, &io, BASE);
}

TestSuite(uart, .init = setup);

/* 8N1 at divisor 1: 10 bits of 16 clocks at 1.8432 MHz = 86.805.. us. */
#define CHAR_115200 86806u

static void set_divisor(uint16_t div)
{
    wr(LCR, 0x83);
    wr(DLL, (uint8_t)div);
    wr(DLM, (uint8_t)(div >> 8));
    wr(LCR, 0x03);
}

Test(uart, reset_values)
{
    cr_assert_eq(rd(IER), 0);
    cr_assert_eq(rd(IIR), 0x01);
    cr_assert_eq(rd(LCR), 0);
    cr_assert_eq(rd(MCR), 0);
    cr_assert_eq(rd(LSR), 0x60);
    cr_assert_eq(rd(MSR) & 0xF0, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
}

Test(uart, divisor_latch_and_lcr)
{
    wr(IER, 0x05);
    wr(LCR, 0x80);
    wr(DLL, 0x0C);
    wr(DLM, 0x01);
    cr_assert_eq(rd(DLL), 0x0C);
    cr_assert_eq(rd(DLM), 0x01);
    wr(LCR, 0x1B); /* 8 data, even parity, 1 stop, DLAB off */
    cr_assert_eq(rd(LCR), 0x1B);
    cr_assert_eq(rd(IER), 0x05, "DLAB off: offset 1 is IER again");
    UartInfo info;
    uart_get_info(&uart, &info);
    cr_assert_eq(info.divisor, 0x10C);
    cr_assert_eq(info.baud, 1843200 / (16 * 0x10C));
}

Test(uart, char_time_follows_framing)
{
    set_divisor(12); /* 9600 baud */
    cr_assert_eq(uart_char_time_ns(&uart), 1041667, "8N1: 10 bits");
    wr(LCR, 0x0F); /* 8 data, parity, 2 stop: 12 bits */
    cr_assert_eq(uart_char_time_ns(&uart), 1250000);
    wr(LCR, 0x04); /* 5 data, no parity, 1.5 stop: 7.5 bits */
    cr_assert_eq(uart_char_time_ns(&uart), 781250);
}

Test(uart, thr_goes_to_sink_at_once)
{
    set_divisor(1);
    const char *msg = "hello";
    for (const char *p = msg; *p; p++)
        wr(THR, (uint8_t)*p);
    cr_assert_eq(sink_len, 5);
    cr_assert(memcmp(sink_buf, "hello", 5) == 0);
}

Test(uart, thre_and_temt_follow_the_baud_rate)
{
    set_divisor(1);
    wr(THR, 'A');
    cr_assert_eq(rd(LSR) & 0x60, 0x20, "A moved to the shift register: THRE, not TEMT");
    wr(THR, 'B');
    cr_assert_eq(rd(LSR) & 0x60, 0x00, "B waits in THR");
    advance(CHAR_115200 - 1);
    cr_assert_eq(rd(LSR) & 0x60, 0x00);
    advance(1);
    cr_assert_eq(rd(LSR) & 0x60, 0x20, "A sent, B in the shift register");
    advance(CHAR_115200);
    cr_assert_eq(rd(LSR) & 0x60, 0x60, "all sent");
    cr_assert_eq(sink_len, 2);
}

Test(uart, instant_tx_takes_no_time)
{
    uart_set_instant_tx(&uart, true);
    set_divisor(12);
    for (int i = 0; i < 40; i++)
        wr(THR, 'x');
    cr_assert_eq(rd(LSR) & 0x60, 0x60);
    cr_assert_eq(sink_len, 40);
}

Test(uart, thre_interrupt_semantics)
{
    set_divisor(1);
    wr(MCR, 0x08); /* OUT2 */
    cr_assert_eq(irq_level, 0);
    wr(IER, 0x02);
    cr_assert_eq(irq_level, 1, "enabling ETBEI with THR empty interrupts at once");
    cr_assert_eq(rd(IIR), 0x02);
    cr_assert_eq(irq_level, 0, "reading IIR with THRE as source clears it");
    cr_assert_eq(rd(IIR), 0x01);

    wr(THR, 'a'); /* straight to the shift register: THR empty again */
    cr_assert_eq(irq_level, 1);
    wr(THR, 'b'); /* writing THR clears it; b now waits */
    cr_assert_eq(irq_level, 0);
    advance(CHAR_115200);
    cr_assert_eq(irq_level, 1, "THR emptied when b moved to the shift register");
    cr_assert_eq(rd(IIR), 0x02);
    cr_assert_eq(irq_level, 0);
}

Test(uart, out2_gates_the_irq_line)
{
    wr(IER, 0x02);
    cr_assert_eq(rd(IIR) & 0x0F, 0x02, "pending inside the chip");
    wr(IER, 0x00);
    wr(IER, 0x02);
    cr_assert_eq(irq_level, 0, "OUT2 clear: line stays low");
    wr(MCR, 0x08);
    cr_assert_eq(irq_level, 1);
    wr(MCR, 0x00);
    cr_assert_eq(irq_level, 0);
}

Test(uart, iir_priorities)
{
    wr(FCR, 0x01); /* FIFOs on, trigger 1 */
    uint8_t in[17];
    memset(in, 'z', sizeof in);
    cr_assert_eq(uart_receive(&uart, in, 17), 16); /* overrun */
    uart_set_modem_inputs(&uart, UART_MSR_CTS);     /* modem status change */
    wr(MCR, 0x08);
    wr(IER, 0x0F); /* all four sources pending now */
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(rd(IIR), 0xC6, "line status first");
    cr_assert_eq(rd(LSR) & 0x03, 0x03, "OE and DR");
    cr_assert_eq(rd(IIR), 0xC4, "then received data");
    for (int i = 0; i < 16; i++)
        rd(RBR);
    cr_assert_eq(rd(IIR), 0xC2, "then THR empty");
    cr_assert_eq(rd(IIR), 0xC0, "then modem status");
    rd(MSR);
    cr_assert_eq(rd(IIR), 0xC1);
    cr_assert_eq(irq_level, 0);
}

Test(uart, fifo_trigger_levels)
{
    static const struct { uint8_t fcr; unsigned level; } cases[] = {
        {0x01, 1}, {0x41, 4}, {0x81, 8}, {0xC1, 14}};
    wr(IER, 0x01);
    wr(MCR, 0x08);
    for (size_t c = 0; c < 4; c++) {
        wr(FCR, cases[c].fcr | 0x02); /* also resets the receive FIFO */
        uint8_t b = 'q';
        for (unsigned i = 1; i < cases[c].level; i++)
            uart_receive(&uart, &b, 1);
        cr_assert_eq(rd(IIR), 0xC1, "below trigger %u", cases[c].level);
        uart_receive(&uart, &b, 1);
        cr_assert_eq(rd(IIR), 0xC4, "at trigger %u", cases[c].level);
        cr_assert_eq(irq_level, 1);
    }
}

Test(uart, character_timeout)
{
    set_divisor(1);
    wr(FCR, 0xC1); /* trigger 14 */
    wr(IER, 0x01);
    wr(MCR, 0x08);
    const uint8_t in[3] = {1, 2, 3};
    uart_receive(&uart, in, 3);
    cr_assert_eq(rd(IIR), 0xC1);
    advance(4 * CHAR_115200 - 1);
    cr_assert_eq(rd(IIR), 0xC1, "not yet: 4 character times have not passed");
    advance(1);
    cr_assert_eq(rd(IIR), 0xCC);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(rd(RBR), 1);
    cr_assert_eq(irq_level, 0, "reading the FIFO clears the timeout");
    advance(4 * CHAR_115200);
    cr_assert_eq(rd(IIR), 0xCC, "and restarts it while data waits");
    rd(RBR);
    rd(RBR);
    advance(100 * CHAR_115200);
    cr_assert_eq(rd(IIR), 0xC1, "no timeout with an empty FIFO");
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER, "no timer left armed");
}

Test(uart, loopback)
{
    wr(FCR, 0x01);
    wr(MCR, 0x1F); /* loop, OUT2, OUT1, RTS, DTR */
    cr_assert_eq(rd(MSR) & 0xF0, 0xF0, "RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD");
    wr(THR, 0x5A);
    wr(THR, 0xA5);
    cr_assert_eq(sink_len, 0, "nothing leaves the chip");
    cr_assert_eq(rd(LSR) & 1, 1);
    cr_assert_eq(rd(RBR), 0x5A);
    cr_assert_eq(rd(RBR), 0xA5);
    uint8_t b = 1;
    cr_assert_eq(uart_can_receive(&uart), 0);
    cr_assert_eq(uart_receive(&uart, &b, 1), 0, "host input ignored in loopback");
    advance(2 * CHAR_115200);
    wr(IER, 0x02);
    cr_assert_eq(rd(IIR) & 0x0F, 0x02, "interrupts work inside the chip");
    wr(IER, 0x00);
    wr(IER, 0x02);
    cr_assert_eq(irq_level, 0, "but OUT2 is forced inactive: no IRQ on a PC");
    wr(MCR, 0x10);
    cr_assert_eq(rd(MSR), 0x0F, "CTS/DSR/DCD fell; RI fell: TERI");
}

Test(uart, modem_status_deltas)
{
    rd(MSR);
    wr(IER, 0x08);
    wr(MCR, 0x08);
    uart_set_modem_inputs(&uart, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD | UART_MSR_RI);
    cr_assert_eq(rd(MSR), 0xF0, "RI rising is not a TERI edge");
    cr_assert_eq(irq_level, 0);
    uart_set_modem_inputs(&uart, UART_MSR_DSR);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(rd(IIR), 0x00);
    cr_assert_eq(rd(MSR), 0x20 | 0x01 | 0x04 | 0x08, "DCTS, TERI, DDCD");
    cr_assert_eq(rd(MSR), 0x20, "reading clears the deltas");
    cr_assert_eq(irq_level, 0);
}

Test(uart, overrun_without_fifo)
{
    const uint8_t in[2] = {'x', 'y'};
    cr_assert_eq(uart_can_receive(&uart), 1);
    cr_assert_eq(uart_receive(&uart, in, 2), 1);
    cr_assert_eq(rd(LSR) & 0x03, 0x03);
    cr_assert_eq(rd(LSR) & 0x03, 0x01, "LSR read clears OE");
    cr_assert_eq(rd(RBR), 'y', "the new character overwrote RBR");
    cr_assert_eq(rd(LSR) & 0x01, 0);
}

Test(uart, overrun_with_fifo)
{
    wr(FCR, 0x07);
    uint8_t in[20];
    for (int i = 0; i < 20; i++)
        in[i] = (uint8_t)i;
    cr_assert_eq(uart_can_receive(&uart), 16);
    cr_assert_eq(uart_receive(&uart, in, 20), 16);
    cr_assert_eq(rd(LSR) & 0x02, 0x02);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(rd(RBR), i, "FIFO keeps the first 16");
    cr_assert_eq(rd(LSR) & 0x01, 0);
}

Test(uart, fcr_resets_and_mode_switch)
{
    set_divisor(1);
    wr(FCR, 0x01);
    const uint8_t in[4] = {1, 2, 3, 4};
    uart_receive(&uart, in, 4);
    wr(FCR, 0x03);
    cr_assert_eq(rd(LSR) & 1, 0, "receive FIFO reset");
    for (int i = 0; i < 5; i++)
        wr(THR, 'x');
    cr_assert_eq(rd(LSR) & 0x20, 0);
    wr(FCR, 0x05);
    cr_assert_eq(rd(LSR) & 0x60, 0x20, "transmit FIFO reset; shift register still busy");
    uart_receive(&uart, in, 2);
    wr(FCR, 0x00);
    cr_assert_eq(rd(LSR) & 1, 0, "leaving FIFO mode empties the FIFOs");
    cr_assert_eq(rd(IIR) & 0xC0, 0);
}

Test(uart, scratch_register)
{
    wr(SCR, 0x42);
    cr_assert_eq(rd(SCR), 0x42);
}

Test(uart, save_load_round_trip)
{
    set_divisor(1);
    wr(FCR, 0x81);
    wr(IER, 0x03);
    wr(MCR, 0x0B);
    wr(SCR, 0x77);
    const uint8_t in[3] = {7, 8, 9};
    uart_receive(&uart, in, 3);
    wr(THR, 'a');
    wr(THR, 'b');
    wr(THR, 'c');

    StateWriter w;
    sw_init(&w);
    uart_save(&uart, &w);

    /* Mutate, then restore. */
    rd(RBR);
    wr(SCR, 0);
    advance(10 * CHAR_115200);
    icount = 0;
    sched_init(&sched, &icount, 0);
    Uart saved_ptrs = uart;
    uart_init(&uart, &sched, saved_ptrs.irq, saved_ptrs.sink);

    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(uart_load(&uart, &r));
    cr_assert_eq(r.pos, w.len);
    cr_assert_eq(rd(SCR), 0x77);
    cr_assert_eq(rd(MCR), 0x0B);
    cr_assert_eq(rd(LSR) & 0x61, 0x01, "data waiting, b and c still queued");
    cr_assert_eq(rd(RBR), 7);
    cr_assert_eq(rd(RBR), 8);
    cr_assert_eq(rd(RBR), 9);
    advance(2 * CHAR_115200);
    cr_assert_eq(rd(LSR) & 0x60, 0x20, "transmitter timing resumed from the saved deadline");
    advance(CHAR_115200);
    cr_assert_eq(rd(LSR) & 0x60, 0x60);
    sw_free(&w);
}

Test(uart, truncated_or_bad_stream_rejected)
{
    wr(SCR, 0x33);
    StateWriter w;
    sw_init(&w);
    uart_save(&uart, &w);
    for (size_t cut = 0; cut < w.len; cut++) {
        StateReader r;
        sr_init(&r, w.buf, cut);
        cr_assert_not(uart_load(&uart, &r), "truncated at %zu", cut);
    }
    cr_assert_eq(rd(SCR), 0x33, "a failed load leaves the chip as it was");

    w.buf[1] = 0xFF; /* IER with reserved bits */
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert_not(uart_load(&uart, &r));
    w.buf[1] = 0;
    w.buf[27] = 16; /* rx_head out of range */
    sr_init(&r, w.buf, w.len);
    cr_assert_not(uart_load(&uart, &r));
    sw_free(&w);
}
