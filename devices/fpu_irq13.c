/* fpu_irq13.c — FERR# to IRQ 13, and port F0h (see fpu_irq13.h). */
#include "devices/fpu_irq13.h"

static void set_ignne(FpuIrq13 *d, bool level)
{
    if (d->ignne)
        *d->ignne = level;
}

void fpu_irq13_ferr(void *opaque, bool level)
{
    FpuIrq13 *d = opaque;
    if (level && d->ferr && d->latched) {
        /* Asserted again without having fallen: the CPU's state was rolled back (the JIT's
         * lockstep replays a block in the interpreter after restoring CpuState, INTR
         * included). Pulse the request so the PIC drives INTR again and both agree. */
        irq_lower(&d->irq);
        irq_raise(&d->irq);
        return;
    }
    bool rising = level && !d->ferr;
    d->ferr = level;
    if (rising) {
        d->latched = true;
        irq_raise(&d->irq);
    }
    if (!level)
        set_ignne(d, false);
}

static uint32_t f0_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque;
    (void)addr;
    (void)size;
    return 0xFF;
}

static void f0_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    FpuIrq13 *d = opaque;
    (void)addr;
    (void)size;
    (void)value;
    if (d->latched) {
        d->latched = false;
        irq_lower(&d->irq);
    }
    if (d->ferr)
        set_ignne(d, true);
}

static const IoOps f0_ops = {f0_read, f0_write, 1};

void fpu_irq13_init(FpuIrq13 *d, IrqLine irq, bool *ignne)
{
    d->irq = irq;
    d->ignne = ignne;
    d->ferr = d->latched = false;
    set_ignne(d, false);
}

void fpu_irq13_register(FpuIrq13 *d, IoPortSpace *io) { ioport_register(io, FPU_IRQ13_PORT, 1, &f0_ops, d); }

void fpu_irq13_reset(FpuIrq13 *d)
{
    if (d->latched)
        irq_lower(&d->irq);
    d->ferr = false;
    d->latched = false;
    set_ignne(d, false);
}

void fpu_irq13_save(const FpuIrq13 *d, StateWriter *w)
{
    sw_u8(w, (uint8_t)(d->ferr | d->latched << 1 | (d->ignne && *d->ignne) << 2));
}

bool fpu_irq13_load(FpuIrq13 *d, StateReader *r)
{
    uint8_t v = sr_u8(r);
    if (r->error || v > 7)
        return false;
    d->ferr = v & 1;
    d->latched = v & 2;
    set_ignne(d, v & 4);
    irq_set(&d->irq, d->latched);
    return true;
}
