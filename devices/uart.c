/* uart.c — 16550A UART; see uart.h for the contract and the timing choices.
 *
 * Facts from the National/TI PC16550D datasheet: register map, IIR priorities and codes,
 * FCR bits and receive trigger levels, character-timeout rule (4 character times without
 * FIFO activity while data waits), loopback wiring (RTS->CTS, DTR->DSR, OUT1->RI,
 * OUT2->DCD), MSR delta bits (TERI on the trailing edge of RI).
 */
#include "devices/uart.h"

#include <string.h>

enum {
    REG_DATA = 0, /* RBR (read) / THR (write) / DLL when DLAB */
    REG_IER = 1,  /* IER / DLM when DLAB */
    REG_IIR = 2,  /* IIR (read) / FCR (write) */
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7,
};

#define IER_RDA 0x01  /* received data available (and character timeout) */
#define IER_THRE 0x02 /* transmitter holding register empty */
#define IER_RLS 0x04  /* receiver line status */
#define IER_MS 0x08   /* modem status */

#define IIR_NONE 0x01
#define IIR_MS 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_TIMEOUT 0x0C
#define IIR_FIFO_ON 0xC0

#define FCR_ENABLE 0x01
#define FCR_RX_RESET 0x02
#define FCR_TX_RESET 0x04
#define FCR_KEPT 0xC9 /* enable, DMA mode, trigger level: the bits the chip keeps */

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08

#define STATE_VERSION 1

/* ---- derived facts ---------------------------------------------------------------- */

static bool fifo_on(const Uart *u) { return u->fcr & FCR_ENABLE; }

static unsigned fifo_capacity(const Uart *u) { return fifo_on(u) ? UART_FIFO_SIZE : 1; }

static unsigned rx_trigger(const Uart *u)
{
    static const uint8_t levels[4] = {1, 4, 8, 14};
    return levels[u->fcr >> 6];
}

uint64_t uart_char_time_ns(const Uart *u)
{
    unsigned data_bits = 5 + (u->lcr & 3);
    unsigned half_bits = 2 * (1 + data_bits + ((u->lcr >> 3) & 1)); /* start, data, parity */
    if (u->lcr & 0x04)
        half_bits += data_bits == 5 ? 3 : 4; /* 1.5 or 2 stop bits */
    else
        half_bits += 2;
    /* A divisor of 0 makes the 16-bit down-counter run through all 65536 states. */
    uint64_t div = u->divisor ? u->divisor : 65536;
    uint64_t num = (uint64_t)half_bits * div * 16 * 1000000000u;
    uint64_t den = 2 * (uint64_t)UART_CLOCK_HZ;
    return (num + den - 1) / den;
}

/* The modem inputs the chip sees: the outside world, or its own outputs in loopback. */
static uint8_t modem_inputs(const Uart *u)
{
    if (!(u->mcr & MCR_LOOP))
        return u->modem_in;
    uint8_t m = 0;
    if (u->mcr & MCR_RTS)
        m |= UART_MSR_CTS;
    if (u->mcr & MCR_DTR)
        m |= UART_MSR_DSR;
    if (u->mcr & MCR_OUT1)
        m |= UART_MSR_RI;
    if (u->mcr & MCR_OUT2)
        m |= UART_MSR_DCD;
    return m;
}

static uint8_t lsr_value(const Uart *u)
{
    uint8_t v = u->lsr & LSR_ERRORS;
    if (u->rx_count)
        v |= LSR_DR;
    if (u->tx_count == 0) {
        v |= LSR_THRE;
        if (!u->tsr_busy)
            v |= LSR_TEMT;
    }
    return v;
}

/* Highest-priority pending interrupt, as the IIR reports it (without side effects). */
static uint8_t iir_id(const Uart *u)
{
    if ((u->ier & IER_RLS) && (u->lsr & LSR_ERRORS))
        return IIR_RLS;
    if (u->ier & IER_RDA) {
        if (u->rx_count >= (fifo_on(u) ? rx_trigger(u) : 1))
            return IIR_RDA;
        if (u->timeout_pending)
            return IIR_TIMEOUT;
    }
    if ((u->ier & IER_THRE) && u->thre_pending)
        return IIR_THRE;
    if ((u->ier & IER_MS) && u->msr_delta)
        return IIR_MS;
    return IIR_NONE;
}

/* On a PC the OUT2 pin enables the IRQ driver; loopback forces that pin inactive. */
static void update_irq(Uart *u)
{
    bool level = iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_set(&u->irq, level);
    }
}

/* Records edges on the modem inputs as MSR delta bits. */
static void note_modem_change(Uart *u, uint8_t before, uint8_t after)
{
    uint8_t changed = before ^ after;
    if (changed & UART_MSR_CTS)
        u->msr_delta |= MSR_DCTS;
    if (changed & UART_MSR_DSR)
        u->msr_delta |= MSR_DDSR;
    if (changed & UART_MSR_DCD)
        u->msr_delta |= MSR_DDCD;
    if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
        u->msr_delta |= MSR_TERI;
}

/* ---- receiver ----------------------------------------------------------------------- */

/* The timeout clock restarts on every FIFO push or pop; it runs only while data waits. */
static void rearm_timeout(Uart *u)
{
    u->timeout_pending = false;
    if (fifo_on(u) && u->rx_count)
        timer_arm(&u->timeout_timer, sched_now(u->sched) + 4 * uart_char_time_ns(u));
    else
        timer_cancel(&u->timeout_timer);
}

static void timeout_fired(void *opaque)
{
    Uart *u = opaque;
    if (fifo_on(u) && u->rx_count) {
        u->timeout_pending = true;
        update_irq(u);
    }
}

static void rx_clear(Uart *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
    rearm_timeout(u);
}

/* One character arrives at the receiver. Returns false if one was lost (overrun). */
static bool rx_push(Uart *u, uint8_t byte)
{
    bool ok = true;
    if (u->rx_count < fifo_capacity(u)) {
        u->rx_fifo[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
        u->rx_count++;
    } else {
        /* Without FIFOs the new character overwrites RBR; with FIFOs it is dropped. */
        if (!fifo_on(u))
            u->rx_fifo[u->rx_head] = byte;
        u->lsr |= LSR_OE;
        ok = false;
    }
    rearm_timeout(u);
    return ok;
}

static uint8_t rx_pop(Uart *u)
{
    if (u->rx_count) {
        u->rbr_last = u->rx_fifo[u->rx_head];
        u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
        u->rx_count--;
    }
    rearm_timeout(u);
    return u->rbr_last;
}

size_t uart_can_receive(const Uart *u)
{
    if (u->mcr & MCR_LOOP)
        return 0;
    return fifo_capacity(u) - u->rx_count;
}

size_t uart_receive(Uart *u, const uint8_t *buf, size_t len)
{
    /* In loopback the serial input pin is disconnected from the receiver. */
    if (u->mcr & MCR_LOOP)
        return 0;
    size_t accepted = 0;
    for (size_t i = 0; i < len; i++)
        accepted += rx_push(u, buf[i]);
    update_irq(u);
    return accepted;
}

/* ---- transmitter -------------------------------------------------------------------- */

static void tsr_start(Uart *u)
{
    u->tsr_busy = true;
    timer_arm(&u->tx_timer, sched_now(u->sched) + uart_char_time_ns(u));
}

/* The shift register finished a character: load the next one or go idle. */
static void tx_fired(void *opaque)
{
    Uart *u = opaque;
    if (u->tx_count) {
        u->tx_count--;
        tsr_start(u);
        if (u->tx_count == 0)
            u->thre_pending = true;
    } else {
        u->tsr_busy = false;
    }
    update_irq(u);
}

static void tx_write(Uart *u, uint8_t byte)
{
    u->thre_pending = false;
    if (u->mcr & MCR_LOOP)
        rx_push(u, byte);
    else
        char_sink_write(&u->sink, &byte, 1);

    if (u->instant_tx) {
        u->thre_pending = true;
    } else if (!u->tsr_busy) {
        /* THR hands the byte straight to the idle shift register and is empty again. */
        tsr_start(u);
        u->thre_pending = true;
    } else if (u->tx_count < fifo_capacity(u)) {
        u->tx_count++;
    }
    update_irq(u);
}

static void tx_clear(Uart *u)
{
    if (u->tx_count)
        u->thre_pending = true;
    u->tx_count = 0;
}

/* ---- register writes ---------------------------------------------------------------- */

static void write_ier(Uart *u, uint8_t v)
{
    /* Enabling the THRE interrupt while THR is empty raises it at once. */
    if ((v & IER_THRE) && !(u->ier & IER_THRE) && u->tx_count == 0)
        u->thre_pending = true;
    u->ier = v & 0x0F;
}

static void write_fcr(Uart *u, uint8_t v)
{
    bool enable = v & FCR_ENABLE;
    if (enable != fifo_on(u)) {
        /* Switching modes empties both FIFOs. */
        u->fcr = enable ? FCR_ENABLE : 0;
        rx_clear(u);
        tx_clear(u);
    }
    if (!enable) {
        u->fcr = 0; /* the other bits are written only together with FCR0 = 1 */
        return;
    }
    u->fcr = v & FCR_KEPT;
    if (v & FCR_RX_RESET)
        rx_clear(u);
    if (v & FCR_TX_RESET)
        tx_clear(u);
}

static void write_mcr(Uart *u, uint8_t v)
{
    uint8_t before = modem_inputs(u);
    u->mcr = v & 0x1F;
    note_modem_change(u, before, modem_inputs(u));
}

void uart_write(Uart *u, unsigned offset, uint8_t v)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (offset & 7) {
    case REG_DATA:
        if (dlab)
            u->divisor = (uint16_t)((u->divisor & 0xFF00) | v);
        else
            tx_write(u, v);
        break;
    case REG_IER:
        if (dlab)
            u->divisor = (uint16_t)((u->divisor & 0x00FF) | v << 8);
        else
            write_ier(u, v);
        break;
    case REG_IIR:
        write_fcr(u, v);
        break;
    case REG_LCR:
        u->lcr = v;
        break;
    case REG_MCR:
        write_mcr(u, v);
        break;
    case REG_LSR:
    case REG_MSR:
        break; /* read-only (factory test on some parts) */
    case REG_SCR:
        u->scr = v;
        break;
    }
    update_irq(u);
}

/* ---- register reads ----------------------------------------------------------------- */

static uint8_t read_iir(Uart *u)
{
    uint8_t id = iir_id(u);
    /* Reading IIR when THRE is the reported source is what clears it. */
    if (id == IIR_THRE)
        u->thre_pending = false;
    return id | (fifo_on(u) ? IIR_FIFO_ON : 0);
}

uint8_t uart_read(Uart *u, unsigned offset)
{
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v = 0;
    switch (offset & 7) {
    case REG_DATA:
        v = dlab ? (uint8_t)u->divisor : rx_pop(u);
        break;
    case REG_IER:
        v = dlab ? (uint8_t)(u->divisor >> 8) : u->ier;
        break;
    case REG_IIR:
        v = read_iir(u);
        break;
    case REG_LCR:
        v = u->lcr;
        break;
    case REG_MCR:
        v = u->mcr;
        break;
    case REG_LSR:
        v = lsr_value(u);
        u->lsr &= (uint8_t)~LSR_ERRORS;
        break;
    case REG_MSR:
        v = modem_inputs(u) | u->msr_delta;
        u->msr_delta = 0;
        break;
    case REG_SCR:
        v = u->scr;
        break;
    }
    update_irq(u);
    return v;
}

/* ---- port glue, life cycle -------------------------------------------------------- */

static uint32_t io_read(void *opaque, uint32_t addr, unsigned size)
{
    return uart_read(opaque, addr & 7);
}

static void io_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    uart_write(opaque, addr & 7, (uint8_t)value);
}

static const IoOps uart_ops = {.read = io_read, .write = io_write, .sizes = 1};

void uart_register(Uart *u, IoPortSpace *io, uint16_t base)
{
    ioport_register(io, base, 8, &uart_ops, u);
}

void uart_init(Uart *u, Scheduler *sched, IrqLine irq, CharSink sink)
{
    memset(u, 0, sizeof *u);
    u->sched = sched;
    u->irq = irq;
    u->sink = sink;
    u->divisor = 1;
    u->modem_in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    timer_init(&u->tx_timer, sched, tx_fired, u);
    timer_init(&u->timeout_timer, sched, timeout_fired, u);
    uart_reset(u);
}

void uart_reset(Uart *u)
{
    timer_cancel(&u->tx_timer);
    timer_cancel(&u->timeout_timer);
    u->ier = u->lcr = u->mcr = u->lsr = u->fcr = 0;
    u->msr_delta = 0;
    u->rx_head = u->rx_count = 0;
    u->tx_count = 0;
    u->tsr_busy = false;
    u->thre_pending = false;
    u->timeout_pending = false;
    update_irq(u);
}

void uart_set_instant_tx(Uart *u, bool instant) { u->instant_tx = instant; }

void uart_set_modem_inputs(Uart *u, uint8_t msr_bits)
{
    uint8_t before = modem_inputs(u);
    u->modem_in = msr_bits & 0xF0;
    note_modem_change(u, before, modem_inputs(u));
    update_irq(u);
}

void uart_get_info(const Uart *u, UartInfo *info)
{
    memset(info, 0, sizeof *info);
    info->ier = u->ier;
    info->iir = iir_id(u) | (fifo_on(u) ? IIR_FIFO_ON : 0);
    info->lcr = u->lcr;
    info->mcr = u->mcr;
    info->lsr = lsr_value(u);
    info->msr = modem_inputs(u) | u->msr_delta;
    info->scr = u->scr;
    info->fcr = u->fcr;
    info->divisor = u->divisor;
    info->rx_count = u->rx_count;
    info->tx_count = u->tx_count;
    info->baud = UART_CLOCK_HZ / (16u * (u->divisor ? u->divisor : 65536u));
    info->char_time_ns = uart_char_time_ns(u);
    info->irq_level = u->irq_level;
}

/* ---- save / load -------------------------------------------------------------------- */

static void save_timer(const Timer *t, StateWriter *w)
{
    sw_u8(w, timer_armed(t));
    sw_u64(w, timer_armed(t) ? t->deadline : 0);
}

typedef struct TimerRecord {
    bool armed;
    uint64_t deadline;
} TimerRecord;

static bool read_timer(TimerRecord *rec, StateReader *r)
{
    uint8_t armed = sr_u8(r);
    rec->deadline = sr_u64(r);
    rec->armed = armed;
    return !r->error && armed <= 1;
}

static void apply_timer(Timer *t, const TimerRecord *rec)
{
    timer_cancel(t);
    if (rec->armed)
        timer_arm(t, rec->deadline);
}

void uart_save(const Uart *u, StateWriter *w)
{
    sw_u8(w, STATE_VERSION);
    sw_u8(w, u->ier);
    sw_u8(w, u->lcr);
    sw_u8(w, u->mcr);
    sw_u8(w, u->lsr);
    sw_u8(w, u->scr);
    sw_u8(w, u->fcr);
    sw_u8(w, u->msr_delta);
    sw_u8(w, u->modem_in);
    sw_u16(w, u->divisor);
    sw_bytes(w, u->rx_fifo, UART_FIFO_SIZE);
    sw_u8(w, u->rx_head);
    sw_u8(w, u->rx_count);
    sw_u8(w, u->rbr_last);
    sw_u8(w, u->tx_count);
    sw_u8(w, u->tsr_busy);
    sw_u8(w, u->thre_pending);
    sw_u8(w, u->timeout_pending);
    sw_u8(w, u->irq_level);
    save_timer(&u->tx_timer, w);
    save_timer(&u->timeout_timer, w);
}

/* Reads every field into a scratch copy first, so a bad stream leaves the chip intact. */
static bool load_fields(Uart *t, StateReader *r)
{
    if (sr_u8(r) != STATE_VERSION)
        return sr_fail(r);
    t->ier = sr_u8(r);
    t->lcr = sr_u8(r);
    t->mcr = sr_u8(r);
    t->lsr = sr_u8(r);
    t->scr = sr_u8(r);
    t->fcr = sr_u8(r);
    t->msr_delta = sr_u8(r);
    t->modem_in = sr_u8(r);
    t->divisor = sr_u16(r);
    sr_bytes(r, t->rx_fifo, UART_FIFO_SIZE);
    t->rx_head = sr_u8(r);
    t->rx_count = sr_u8(r);
    t->rbr_last = sr_u8(r);
    t->tx_count = sr_u8(r);
    uint8_t b[4];
    sr_bytes(r, b, 4);
    if (r->error || t->ier > 0x0F || t->mcr > 0x1F || (t->lsr & ~LSR_ERRORS) ||
        (t->fcr & ~FCR_KEPT) || t->msr_delta > 0x0F || (t->modem_in & 0x0F) ||
        t->rx_head >= UART_FIFO_SIZE || t->rx_count > fifo_capacity(t) ||
        t->tx_count > fifo_capacity(t) || b[0] > 1 || b[1] > 1 || b[2] > 1 || b[3] > 1)
        return sr_fail(r);
    t->tsr_busy = b[0];
    t->thre_pending = b[1];
    t->timeout_pending = b[2];
    t->irq_level = b[3];
    return true;
}

bool uart_load(Uart *u, StateReader *r)
{
    Uart tmp = *u;
    TimerRecord tx, to;
    if (!load_fields(&tmp, r))
        return false;
    if (!read_timer(&tx, r) || !read_timer(&to, r))
        return sr_fail(r);
    /* A busy shift register always has its end-of-character event armed. */
    if (tmp.tsr_busy != tx.armed)
        return sr_fail(r);
    *u = tmp; /* the Timer members are u's own, unchanged */
    apply_timer(&u->tx_timer, &tx);
    apply_timer(&u->timeout_timer, &to);
    irq_set(&u->irq, u->irq_level);
    return true;
}
