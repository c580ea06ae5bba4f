/* pic.c — dual 8259A; see pic.h. Behaviour follows the Intel 8259A datasheet.
 *
 * Model: each input keeps its current level in `pins`. A rising level sets the IRR bit;
 * a falling level clears it (edge and level mode alike: the datasheet requires the input
 * to stay high until the first INTA, and a request that vanished earlier turns into the
 * default IR7). In level mode an acknowledged input that is still high is re-sensed at
 * once; in edge mode it needs a new low-to-high transition. INT is recomputed after every
 * event and the master's INT drives the CPU's INTR line.
 */
#include "devices/pic.h"

#include <string.h>

#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define ICW1_LTIM 0x08
#define ICW1_KEPT (ICW1_IC4 | ICW1_SNGL | ICW1_LTIM)
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define ICW4_KEPT 0x1F

/* PIIX: IRQ 0, 1, 2 (master) and 8, 13 (slave) are always edge-triggered. */
#define ELCR_MASK_MASTER 0xF8
#define ELCR_MASK_SLAVE 0xDE

#define SAVE_VERSION 1

/* ---- one chip ------------------------------------------------------------------------ */

static uint8_t level_mask(const Pic8259 *c)
{
    return (c->icw1 & ICW1_LTIM) ? 0xFF : c->elcr;
}

/* Priority 0 is the highest; the input after `lowest` has it (rotation moves `lowest`). */
static int priority_of(const Pic8259 *c, int irq) { return (irq - c->lowest - 1) & 7; }

/* The highest-priority input whose bit is set in `mask`, or -1. */
static int highest_in(const Pic8259 *c, uint8_t mask)
{
    for (int k = 0; k < 8; k++) {
        int irq = (c->lowest + 1 + k) & 7;
        if (mask >> irq & 1)
            return irq;
    }
    return -1;
}

static bool is_cascade_input(const Pic8259 *c, int irq)
{
    return !c->is_slave && !(c->icw1 & ICW1_SNGL) && (c->icw3 >> irq & 1);
}

/* The ISR bits that hold back lower priorities. In special mask mode a masked in-service
 * level no longer blocks anything (that is the point of the mode). */
static uint8_t blocking_isr(const Pic8259 *c)
{
    return c->special_mask ? (uint8_t)(c->isr & ~c->imr) : c->isr;
}

/* The input the priority resolver would hand to the CPU now, or -1 (INT low). */
static int chip_pending_irq(const Pic8259 *c)
{
    int req = highest_in(c, (uint8_t)(c->irr & ~c->imr));
    if (req < 0)
        return -1;
    int svc = highest_in(c, blocking_isr(c));
    if (svc < 0 || priority_of(c, req) < priority_of(c, svc))
        return req;
    /* Special fully nested mode: a slave's higher-priority request arrives on the same
     * master input that is already in service, and must get through. */
    if (req == svc && (c->icw4 & ICW4_SFNM) && is_cascade_input(c, req))
        return req;
    return -1;
}

static void chip_set_pin(Pic8259 *c, int n, bool level)
{
    uint8_t bit = (uint8_t)(1u << n);
    bool was = c->pins & bit;
    if (level) {
        c->pins |= bit;
        if (!was || (level_mask(c) & bit))
            c->irr |= bit;
    } else {
        c->pins &= (uint8_t)~bit;
        c->irr &= (uint8_t)~bit;
    }
}

/* After a trigger-mode change, level inputs simply follow their pins again. */
static void chip_resense_levels(Pic8259 *c)
{
    uint8_t lvl = level_mask(c);
    c->irr = (uint8_t)((c->irr & ~lvl) | (c->pins & lvl));
}

/* The chip's side of an INTA (or of a poll read) for input `irq`. */
static void chip_accept(Pic8259 *c, int irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    c->irr &= (uint8_t)~bit;
    c->irr |= c->pins & level_mask(c) & bit;
    if (c->icw4 & ICW4_AEOI) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)irq;
    } else {
        c->isr |= bit;
    }
}

static void chip_reset(Pic8259 *c)
{
    uint8_t pins = c->pins;
    bool slave = c->is_slave;
    DualPic *owner = c->owner;
    memset(c, 0, sizeof *c);
    c->pins = pins;
    c->is_slave = slave;
    c->owner = owner;
    c->imr = 0xFF; /* nothing gets through until the guest initialises the chip */
    c->lowest = 7;
    c->elcr_mask = slave ? ELCR_MASK_SLAVE : ELCR_MASK_MASTER;
}

/* ---- both chips ---------------------------------------------------------------------- */

static void drive_intr(DualPic *p, bool force)
{
    bool level = p->chip[0].int_out;
    if (force || level != p->intr_level) {
        p->intr_level = level;
        irq_set(&p->cpu_intr, level);
    }
}

/* Recomputes both INT outputs, passing the slave's on to master IR2, then INTR. */
static void pic_update(DualPic *p)
{
    Pic8259 *m = &p->chip[0], *s = &p->chip[1];
    s->int_out = chip_pending_irq(s) >= 0;
    chip_set_pin(m, PIC_CASCADE_IRQ, s->int_out);
    m->int_out = chip_pending_irq(m) >= 0;
    drive_intr(p, false);
}

void pic_set_irq(DualPic *p, int irq, int level)
{
    if (irq < 0 || irq >= PIC_NUM_IRQS)
        return;
    if (irq == PIC_CASCADE_IRQ)
        irq = 9; /* the AT bus routes the IRQ2 pin to the slave's IR1 */
    chip_set_pin(&p->chip[irq >> 3], irq & 7, level != 0);
    pic_update(p);
}

static void irq_line_set(void *opaque, int n, int level) { pic_set_irq(opaque, n, level); }

IrqLine pic_irq_line(DualPic *p, int irq)
{
    IrqLine line = {NULL, NULL, 0};
    if (irq >= 0 && irq < PIC_NUM_IRQS) {
        line.set = irq_line_set;
        line.opaque = p;
        line.n = irq;
    }
    return line;
}

/* The slave's part of an INTA: it answers only if the master sent its cascade ID. */
static int slave_acknowledge(DualPic *p, int master_irq)
{
    Pic8259 *s = &p->chip[1];
    if ((s->icw3 & 7) != master_irq)
        return 0xFF; /* nobody drives the data bus */
    int irq = chip_pending_irq(s);
    if (irq < 0)
        return s->vector_base | 7; /* spurious IRQ 15; the master's IR2 stays in service */
    chip_accept(s, irq);
    return s->vector_base | irq;
}

int pic_acknowledge(DualPic *p)
{
    Pic8259 *m = &p->chip[0];
    int irq = chip_pending_irq(m);
    int vector;
    if (irq < 0) {
        vector = m->vector_base | 7; /* spurious IRQ 7: no ISR bit is set */
    } else {
        chip_accept(m, irq);
        vector = is_cascade_input(m, irq) ? slave_acknowledge(p, irq) : m->vector_base | irq;
    }
    pic_update(p);
    return vector;
}

bool pic_intr_pending(const DualPic *p) { return p->chip[0].int_out; }

/* ---- programming: ICWs and OCWs ----------------------------------------------------- */

static void write_icw1(Pic8259 *c, uint8_t v)
{
    c->icw1 = v & ICW1_KEPT;
    if (!(v & ICW1_IC4))
        c->icw4 = 0;
    c->icw_step = 2;
    c->initialised = false;
    c->imr = 0;
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    /* The edge-sense latches are reset: an edge input needs a fresh low-to-high
     * transition after initialisation. */
    c->irr = c->pins & level_mask(c);
}

static void write_icw_data(Pic8259 *c, uint8_t v)
{
    bool want_icw4 = c->icw1 & ICW1_IC4;
    switch (c->icw_step) {
    case 2:
        c->vector_base = v & 0xF8;
        c->icw_step = !(c->icw1 & ICW1_SNGL) ? 3 : want_icw4 ? 4 : 0;
        break;
    case 3:
        c->icw3 = c->is_slave ? (v & 7) : v;
        c->icw_step = want_icw4 ? 4 : 0;
        break;
    default:
        c->icw4 = v & ICW4_KEPT;
        c->icw_step = 0;
        break;
    }
    if (c->icw_step == 0)
        c->initialised = true;
}

static void nonspecific_eoi(Pic8259 *c, bool rotate)
{
    /* In special mask mode a masked in-service level is not the one being ended. */
    int irq = highest_in(c, blocking_isr(c));
    if (irq < 0)
        return;
    c->isr &= (uint8_t)~(1u << irq);
    if (rotate)
        c->lowest = (uint8_t)irq;
}

static void write_ocw2(Pic8259 *c, uint8_t v)
{
    int level = v & 7;
    switch (v >> 5) {
    case 0: c->rotate_aeoi = false; break;
    case 1: nonspecific_eoi(c, false); break;
    case 2: break; /* no operation */
    case 3: c->isr &= (uint8_t)~(1u << level); break;
    case 4: c->rotate_aeoi = true; break;
    case 5: nonspecific_eoi(c, true); break;
    case 6: c->lowest = (uint8_t)level; break;
    default:
        c->isr &= (uint8_t)~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    }
}

static void write_ocw3(Pic8259 *c, uint8_t v)
{
    if (v & 0x04)
        c->poll = true;
    if (v & 0x02)
        c->read_isr = v & 0x01;
    if (v & 0x40)
        c->special_mask = v & 0x20;
}

static void chip_port_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    Pic8259 *c = opaque;
    uint8_t v = (uint8_t)value;
    if (!(addr & 1)) {
        if (v & 0x10)
            write_icw1(c, v);
        else if (v & 0x08)
            write_ocw3(c, v);
        else
            write_ocw2(c, v);
    } else if (c->icw_step) {
        write_icw_data(c, v);
    } else {
        c->imr = v;
    }
    pic_update(c->owner);
}

/* A poll read is an acknowledge without INTA: the answer is 0x80 | level, or 0. */
static uint8_t chip_poll(Pic8259 *c)
{
    c->poll = false;
    int irq = chip_pending_irq(c);
    if (irq < 0)
        return 0;
    chip_accept(c, irq);
    pic_update(c->owner);
    return (uint8_t)(0x80 | irq);
}

static uint32_t chip_port_read(void *opaque, uint32_t addr, unsigned size)
{
    Pic8259 *c = opaque;
    if (c->poll)
        return chip_poll(c);
    if (addr & 1)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

static uint32_t elcr_read(void *opaque, uint32_t addr, unsigned size)
{
    DualPic *p = opaque;
    return p->chip[addr & 1].elcr;
}

static void elcr_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    DualPic *p = opaque;
    Pic8259 *c = &p->chip[addr & 1];
    c->elcr = (uint8_t)value & c->elcr_mask;
    chip_resense_levels(c);
    pic_update(p);
}

static const IoOps chip_ops = {chip_port_read, chip_port_write, 1};
static const IoOps elcr_ops = {elcr_read, elcr_write, 1};

/* ---- life cycle ---------------------------------------------------------------------- */

void pic_reset(DualPic *p)
{
    for (int i = 0; i < 2; i++)
        chip_reset(&p->chip[i]);
    pic_update(p);
    drive_intr(p, true);
}

void pic_init(DualPic *p, IrqLine cpu_intr)
{
    memset(p, 0, sizeof *p);
    p->cpu_intr = cpu_intr;
    for (int i = 0; i < 2; i++) {
        p->chip[i].is_slave = i == 1;
        p->chip[i].owner = p;
    }
    pic_reset(p);
}

void pic_register(DualPic *p, IoPortSpace *io)
{
    ioport_register(io, PIC_MASTER_BASE, 2, &chip_ops, &p->chip[0]);
    ioport_register(io, PIC_SLAVE_BASE, 2, &chip_ops, &p->chip[1]);
    ioport_register(io, PIC_ELCR_BASE, 2, &elcr_ops, p);
}

void pic_chip_info(const DualPic *p, int chip, PicChipInfo *out)
{
    const Pic8259 *c = &p->chip[chip ? 1 : 0];
    memset(out, 0, sizeof *out);
    out->irr = c->irr;
    out->isr = c->isr;
    out->imr = c->imr;
    out->elcr = c->elcr;
    out->vector_base = c->vector_base;
    out->lowest_priority = c->lowest;
    out->initialised = c->initialised;
    out->level_triggered = c->icw1 & ICW1_LTIM;
    out->auto_eoi = c->icw4 & ICW4_AEOI;
    out->special_mask = c->special_mask;
    out->special_fully_nested = c->icw4 & ICW4_SFNM;
    out->single = c->icw1 & ICW1_SNGL;
    out->int_out = c->int_out;
}

/* ---- save / load --------------------------------------------------------------------- */

enum { F_READ_ISR = 1, F_POLL = 2, F_SPECIAL_MASK = 4, F_ROTATE_AEOI = 8, F_INIT = 16 };

static void chip_save(const Pic8259 *c, StateWriter *w)
{
    uint8_t regs[11] = {c->irr,  c->isr,  c->imr,  c->pins,     c->elcr,  c->vector_base,
                        c->icw1, c->icw3, c->icw4, c->icw_step, c->lowest};
    sw_bytes(w, regs, sizeof regs);
    sw_u8(w, (uint8_t)((c->read_isr ? F_READ_ISR : 0) | (c->poll ? F_POLL : 0) |
                       (c->special_mask ? F_SPECIAL_MASK : 0) |
                       (c->rotate_aeoi ? F_ROTATE_AEOI : 0) | (c->initialised ? F_INIT : 0)));
}

/* Reads one chip into `c` (whose identity fields are already set); false if the stream
 * ends or a field is impossible for a real 8259A. */
static bool chip_load(Pic8259 *c, StateReader *r)
{
    uint8_t regs[11];
    sr_bytes(r, regs, sizeof regs);
    uint8_t flags = sr_u8(r);
    if (r->error)
        return false;
    c->irr = regs[0], c->isr = regs[1], c->imr = regs[2], c->pins = regs[3];
    c->elcr = regs[4], c->vector_base = regs[5], c->icw1 = regs[6], c->icw3 = regs[7];
    c->icw4 = regs[8], c->icw_step = regs[9], c->lowest = regs[10];
    c->read_isr = flags & F_READ_ISR;
    c->poll = flags & F_POLL;
    c->special_mask = flags & F_SPECIAL_MASK;
    c->rotate_aeoi = flags & F_ROTATE_AEOI;
    c->initialised = flags & F_INIT;
    uint8_t lvl = level_mask(c);
    bool ok = (flags & ~0x1F) == 0 && (c->elcr & ~c->elcr_mask) == 0 &&
              (c->vector_base & 7) == 0 && (c->icw1 & ~ICW1_KEPT) == 0 &&
              (c->icw4 & ~ICW4_KEPT) == 0 && c->lowest < 8 &&
              (c->icw_step == 0 || (c->icw_step >= 2 && c->icw_step <= 4)) &&
              (!c->is_slave || c->icw3 < 8) &&
              /* a request exists only while its input is high; levels follow the pin */
              (c->irr & ~c->pins) == 0 && (c->irr & lvl) == (c->pins & lvl);
    return ok;
}

void pic_save(const DualPic *p, StateWriter *w)
{
    sw_u8(w, SAVE_VERSION);
    for (int i = 0; i < 2; i++)
        chip_save(&p->chip[i], w);
}

bool pic_load(DualPic *p, StateReader *r)
{
    DualPic tmp = *p;
    if (sr_u8(r) != SAVE_VERSION)
        return sr_fail(r);
    for (int i = 0; i < 2; i++)
        if (!chip_load(&tmp.chip[i], r))
            return sr_fail(r);
    memcpy(p->chip, tmp.chip, sizeof p->chip);
    /* The master's IR2 pin mirrors the slave's INT; recomputing restores both outputs. */
    pic_update(p);
    drive_intr(p, true);
    return true;
}
