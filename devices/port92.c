/* port92.c — see port92.h. */
#include "devices/port92.h"

static uint32_t port92_read(void *opaque, uint32_t addr, unsigned size)
{
    Port92 *p = opaque;
    (void)addr;
    (void)size;
    bool a20 = p->hooks.get_a20 ? p->hooks.get_a20(p->hooks.opaque) : true;
    return (p->value & ~0x02u) | (a20 ? 0x02u : 0);
}

static void port92_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    Port92 *p = opaque;
    (void)addr;
    (void)size;
    /* Only a 0 -> 1 edge of bit 0 pulses the reset line: while the bit stays set, further
     * writes with it set do nothing until software writes it back to 0 (or a reset). */
    bool rising = (value & 0x01) && !(p->value & 0x01);
    p->value = (uint8_t)value;
    if (p->hooks.set_a20)
        p->hooks.set_a20(p->hooks.opaque, value & 0x02);
    if (rising && p->hooks.request_reset)
        p->hooks.request_reset(p->hooks.opaque);
}

static const IoOps port92_ops = {port92_read, port92_write, 1};

void port92_init(Port92 *p, Port92Hooks hooks)
{
    p->hooks = hooks;
    p->value = 0;
}

void port92_register(Port92 *p, IoPortSpace *io) { ioport_register(io, 0x92, 1, &port92_ops, p); }

void port92_reset(Port92 *p) { p->value = 0; }

void port92_save(const Port92 *p, StateWriter *w) { sw_u8(w, p->value); }

bool port92_load(Port92 *p, StateReader *r)
{
    p->value = sr_u8(r);
    return !r->error;
}
