/* pic.h — the PC/AT's two cascaded 8259A programmable interrupt controllers, plus the
 * PIIX-style edge/level control registers (ELCR).
 *
 * Contract: the master answers ports 0x20-0x21, the slave 0xA0-0xA1, the ELCR 0x4D0 (IRQ
 * 0-7) and 0x4D1 (IRQ 8-15); all are byte ports. The slave's INT output is wired to the
 * master's IR2. Devices get an IrqLine from pic_irq_line() and drive a *level* on it; the
 * PIC detects edges itself. As on the 8259A, a request must stay high until the CPU
 * acknowledges it: a line that falls first withdraws the request (an acknowledge that
 * finds nothing left gets the spurious vector base+7 with no ISR bit set; when that
 * happens on the slave, the master still puts IR2 in service), so a device must hold its
 * line until serviced rather than use irq_pulse(). pic_init() must run before any device
 * that is handed a line drives it. The PIC drives the CPU's INTR line given to
 * pic_init() (irq_set whenever the master's INT output changes).
 * The CPU calls pic_acknowledge() (its INTA cycle) only while INTR is high and it accepts
 * the interrupt; it returns the vector and updates IRR/ISR on both chips. The x86 INTA
 * format (8086 mode) is always used. Save/load cover the whole state including the input
 * line levels; a stream with an out-of-range field is rejected and leaves the PIC as it
 * was. Nothing here reads the clock.
 */
#ifndef VMM86_DEVICES_PIC_H
#define VMM86_DEVICES_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "softmmu/ioport.h"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE 0xA0
#define PIC_ELCR_BASE 0x4D0
#define PIC_CASCADE_IRQ 2
#define PIC_NUM_IRQS 16

struct DualPic;

/* One 8259A. Fields are the chip's registers and latches; read them through
 * pic_chip_info() rather than directly. */
typedef struct Pic8259 {
    uint8_t irr;          /* interrupt request register */
    uint8_t isr;          /* in-service register */
    uint8_t imr;          /* interrupt mask register (OCW1) */
    uint8_t pins;         /* current level of the IR0-7 inputs, for edge detection */
    uint8_t elcr;         /* per-input level-trigger bits (ELCR), edge when clear */
    uint8_t elcr_mask;    /* ELCR bits that exist (IRQ 0,1,2,8,13 are edge only) */
    uint8_t vector_base;  /* ICW2 with the low three bits clear */
    uint8_t icw1;         /* last ICW1: LTIM (bit 3), SNGL (bit 1), IC4 (bit 0) */
    uint8_t icw3;         /* master: inputs with a slave; slave: its ID (0-7) */
    uint8_t icw4;         /* uPM (0), AEOI (1), M/S (2), BUF (3), SFNM (4) */
    uint8_t icw_step;     /* 0: operational, 2-4: next A0=1 write is that ICW */
    uint8_t lowest;       /* input with the lowest priority (7 after init) */
    bool read_isr;        /* OCW3 RR/RIS: an A0=0 read returns ISR instead of IRR */
    bool poll;            /* OCW3 P: the next read is a poll (an acknowledge) */
    bool special_mask;    /* OCW3 special mask mode */
    bool rotate_aeoi;     /* OCW2 rotate in automatic-EOI mode */
    bool initialised;     /* the ICW sequence has completed since reset */
    bool int_out;         /* the chip's INT output as last computed */
    bool is_slave;
    struct DualPic *owner;
} Pic8259;

typedef struct DualPic {
    Pic8259 chip[2]; /* [0] master, [1] slave */
    IrqLine cpu_intr;
    bool intr_level; /* level last driven on cpu_intr */
} DualPic;

/* A snapshot for the monitor and teaching views. */
typedef struct PicChipInfo {
    uint8_t irr, isr, imr, elcr;
    uint8_t vector_base;
    uint8_t lowest_priority; /* IR number with the lowest priority */
    bool initialised;        /* the ICW sequence has completed */
    bool level_triggered;    /* ICW1 LTIM: every input level-triggered */
    bool auto_eoi, special_mask, special_fully_nested, single;
    bool int_out;
} PicChipInfo;

/* Powers the pair up (pic_reset) and remembers the CPU's INTR line. */
void pic_init(DualPic *p, IrqLine cpu_intr);
/* Registers 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1. */
void pic_register(DualPic *p, IoPortSpace *io);
/* Hardware reset: both chips uninitialised with every input masked, ELCR all edge. Input
 * line levels are kept (they belong to the devices). */
void pic_reset(DualPic *p);
/* The line a device drives for ISA IRQ `irq` (0-15). IRQ 2 is the cascade input, so as on
 * the AT bus the IRQ2 pin is routed to IRQ 9. Any other number gives a line that does
 * nothing. */
IrqLine pic_irq_line(DualPic *p, int irq);
/* Sets ISA IRQ `irq` to `level` (what the lines from pic_irq_line call). */
void pic_set_irq(DualPic *p, int irq, int level);
/* The INTA cycle: returns the vector (0-255) and updates IRR/ISR. */
int pic_acknowledge(DualPic *p);
/* The master's INT output: an unmasked request outranks everything in service. */
bool pic_intr_pending(const DualPic *p);

void pic_chip_info(const DualPic *p, int chip, PicChipInfo *out);

void pic_save(const DualPic *p, StateWriter *w);
bool pic_load(DualPic *p, StateReader *r);

#endif
