/* pit.h — the 8254 programmable interval timer (ports 0x40-0x43) and the AT's system
 * control port B (port 0x61).
 *
 * Contract: the counters are clocked at 1.193182 MHz derived only from the scheduler's
 * virtual time: the number of CLK pulses since virtual time 0 is
 *     ticks(now) = floor(now_ns * 1193182 / 10^9)
 * computed exactly in integers, and every counter value is a closed-form function of the
 * ticks since the pulse at which it was loaded, so nothing drifts and nothing runs per
 * instruction. A count written between pulses t-1 and t is loaded by pulse t. Channel 0's
 * OUT drives the IrqLine given to pit_init() (IRQ 0); the PIT arms one scheduler timer,
 * for channel 0's next output edge that the interrupt controller can see (a low pulse one
 * clock wide, as in modes 2, 4 and 5, is delivered as a low-then-high at its end). Channels
 * 0 and 1 have GATE tied high; channel 2's GATE is port 0x61 bit 0, and its OUT reads back
 * in bit 5. Port 0x61 bit 4 is the DRAM refresh request, toggling every 15.085 us of
 * virtual time; bits 6-7 (NMI sources) read as 0. Save/load cover the whole state; the
 * timer is re-armed on load and an out-of-range field rejects the stream, leaving the PIT
 * as it was.
 */
#ifndef VMM86_DEVICES_PIT_H
#define VMM86_DEVICES_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "machine/scheduler.h"
#include "softmmu/ioport.h"

#define PIT_BASE 0x40
#define PIT_PORT_B 0x61
#define PIT_CLOCK_HZ 1193182u
#define PIT_REFRESH_NS 15085u /* port 0x61 bit 4 toggles this often */

/* Counting state of one channel (see pit.c for the formulas). */
typedef enum PitState {
    PIT_ST_IDLE,   /* not counting: OUT and the counter hold `out_hold` / `ce_hold` */
    PIT_ST_RUN,    /* counting since pulse `load` from `n` */
    PIT_ST_FROZEN, /* modes 0 and 4 with GATE low: the RUN formulas stopped at `frozen` */
} PitState;

typedef struct PitChannel {
    /* programming model */
    uint8_t cw;          /* control word bits 5-0 as written (RW, M2-M0, BCD) */
    uint8_t mode;        /* 0-5 (6 and 7 alias 2 and 3) */
    uint8_t rw;          /* 1 LSB, 2 MSB, 3 LSB then MSB */
    bool bcd;
    uint16_t cr;         /* count register as written (BCD digits if bcd) */
    bool have_count;     /* a complete count was written since the control word */
    bool cr_pending;     /* modes 2/3: a new count waits for the end of the cycle */
    bool write_msb;      /* RW=3: the next write is the MSB */
    uint8_t write_lsb;   /* RW=3: the LSB already written */
    bool read_msb;       /* RW=3: the next read returns the MSB */
    bool count_latched;
    uint16_t latch;      /* latched count, as the guest reads it */
    bool status_latched;
    uint8_t status;
    bool gate;
    /* counting */
    uint8_t state;       /* PitState */
    int64_t load;        /* pulse at which the counter held `n` (phase origin) */
    uint32_t n;          /* effective count 1..65536 (binary) or 1..10000 (BCD) */
    bool out_pre;        /* OUT before pulse `load` */
    bool out_hold;       /* OUT while IDLE */
    uint32_t ce_hold;    /* counter (binary) while IDLE, and before pulse `load` */
    int64_t frozen;      /* FROZEN: the pulse at which counting stopped */
    int64_t null_until;  /* the status NULL COUNT bit is set before this pulse */
} PitChannel;

typedef struct Pit {
    PitChannel ch[3];
    uint8_t port_b;      /* bits 0-3 of port 0x61 as written */
    Scheduler *sched;
    IrqLine irq0;
    bool irq_level;      /* level last driven on irq0 */
    Timer timer;         /* channel 0's next output edge */
    int64_t event_tick;  /* the pulse the timer stands for */
} Pit;

/* A snapshot for the monitor. */
typedef struct PitChannelInfo {
    int mode;
    bool bcd;
    int rw;
    uint32_t reload;     /* the count register as a number of pulses (0 -> 65536/10000) */
    uint16_t count;      /* the counter now, as a read would return it (BCD if bcd) */
    bool out, gate, null_count, counting;
} PitChannelInfo;

void pit_init(Pit *p, Scheduler *s, IrqLine irq0);
/* Registers 0x40-0x43 and 0x61. */
void pit_register(Pit *p, IoPortSpace *io);
/* Power-on state: every channel in mode 0 waiting for a count, OUT low, port B 0. */
void pit_reset(Pit *p);
void pit_channel_info(const Pit *p, int ch, PitChannelInfo *out);
/* Port 0x61 as a read would return it now. */
uint8_t pit_port_b(const Pit *p);

/* Pure conversions between virtual ns and CLK pulses (exposed for tests and the monitor).
 * pit_ns_of_tick gives the first ns at which pit_ticks_at reaches `tick`. */
int64_t pit_ticks_at(uint64_t ns);
uint64_t pit_ns_of_tick(int64_t tick);

void pit_save(const Pit *p, StateWriter *w);
bool pit_load(Pit *p, StateReader *r);

#endif
