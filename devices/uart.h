/* uart.h — a 16550A UART (the PC's COM ports: COM1 0x3F8 IRQ 4, COM2 0x2F8 IRQ 3).
 *
 * Contract: eight byte-wide registers at base+0..7 (RBR/THR/DLL, IER/DLM, IIR/FCR, LCR, MCR,
 * LSR, MSR, SCR). The chip drives one IrqLine whose level is "an enabled interrupt is
 * pending AND MCR.OUT2 is set AND not in loopback", because on a PC the OUT2 pin gates the
 * IRQ buffer and loopback forces OUT2 inactive. Time comes only from the scheduler.
 *
 * Transmit: every byte written to THR appears on the CharSink at once (the guest is never
 * slowed to wire speed), but THRE/TEMT and the THRE interrupt follow the baud rate in
 * virtual time: the transmitter FIFO (16 bytes, or a 1-byte THR without FIFOs) drains one
 * character time per byte, derived from the divisor and the LCR framing (start + data +
 * parity + stop bits, 1.8432 MHz clock). uart_set_instant_tx() makes the transmitter take no
 * virtual time at all, for guests that poll THRE per byte at a slow baud rate. A guest that
 * overfills the FIFO does not lose output (hardware would): every THR write reaches the sink.
 *
 * Receive: host bytes arrive through uart_receive() (the machine's input gate calls it at a
 * stamped instruction count). They enter the receive FIFO at once; when it is full the
 * byte is lost and LSR.OE is set. uart_can_receive() says how many bytes fit without loss.
 * The character-timeout interrupt fires 4 character times after the last FIFO activity.
 * In loopback the transmitter feeds the receiver and host input is ignored.
 */
#ifndef VMM86_DEVICES_UART_H
#define VMM86_DEVICES_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "machine/scheduler.h"
#include "softmmu/ioport.h"

#define UART_COM1_BASE 0x3F8
#define UART_COM1_IRQ 4
#define UART_COM2_BASE 0x2F8
#define UART_COM2_IRQ 3
#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200u

/* Modem-status input bits as they appear in MSR bits 4..7. */
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

typedef struct Uart {
    Scheduler *sched;
    IrqLine irq;
    CharSink sink;
    Timer tx_timer;      /* end of the character in the transmit shift register */
    Timer timeout_timer; /* receive character timeout (FIFO mode) */
    bool instant_tx;     /* configuration: transmitter takes no virtual time */

    uint8_t ier, lcr, mcr, lsr, scr, fcr; /* fcr: last value written (bit 0 = FIFOs on) */
    uint8_t msr_delta;                    /* MSR bits 0..3 (delta bits) */
    uint8_t modem_in;                     /* external CTS/DSR/RI/DCD, MSR bits 4..7 */
    uint16_t divisor;

    uint8_t rx_fifo[UART_FIFO_SIZE];
    uint8_t rx_head, rx_count;
    uint8_t rbr_last;      /* value read from an empty receiver */
    uint8_t tx_count;      /* bytes waiting in THR / transmit FIFO */
    bool tsr_busy;         /* a character is being shifted out */
    bool thre_pending;     /* THRE interrupt latched (cleared by IIR read or THR write) */
    bool timeout_pending;  /* character-timeout indication */
    bool irq_level;        /* level last driven on the IRQ line */
} Uart;

/* Read-only snapshot for the monitor. */
typedef struct UartInfo {
    uint8_t ier, iir, lcr, mcr, lsr, msr, scr, fcr;
    uint16_t divisor;
    unsigned rx_count, tx_count;
    uint32_t baud;           /* 1843200 / (16 * divisor) */
    uint64_t char_time_ns;   /* one frame at the current settings */
    bool irq_level;
} UartInfo;

/* Power-on state. `irq` and `sink` are copied. The divisor starts at 1 (115200 baud). */
void uart_init(Uart *u, Scheduler *sched, IrqLine irq, CharSink sink);
/* Registers the 8 ports at base (e.g. UART_COM1_BASE). */
void uart_register(Uart *u, IoPortSpace *io, uint16_t base);
/* Master reset: registers to their reset values, FIFOs emptied, timers cancelled. The
 * divisor latch and scratch register keep their contents, as on the chip. */
void uart_reset(Uart *u);
/* Configuration (not guest state): transmitter takes zero virtual time. */
void uart_set_instant_tx(Uart *u, bool instant);

/* Host side. uart_receive returns how many bytes were accepted into the FIFO (the rest
 * were lost, with LSR.OE set). */
size_t uart_receive(Uart *u, const uint8_t *buf, size_t len);
size_t uart_can_receive(const Uart *u);
/* Sets the external modem inputs (any of UART_MSR_CTS/DSR/RI/DCD); delta bits follow. The
 * default is CTS|DSR|DCD: a terminal that is present and ready. */
void uart_set_modem_inputs(Uart *u, uint8_t msr_bits);

/* Register access, as the port dispatcher calls it (offset 0..7). */
uint8_t uart_read(Uart *u, unsigned offset);
void uart_write(Uart *u, unsigned offset, uint8_t value);

void uart_get_info(const Uart *u, UartInfo *info);
/* Nanoseconds of virtual time one character takes at the current divisor and LCR. */
uint64_t uart_char_time_ns(const Uart *u);

void uart_save(const Uart *u, StateWriter *w);
bool uart_load(Uart *u, StateReader *r);

#endif
