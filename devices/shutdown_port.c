/* shutdown_port.c — see shutdown_port.h. */
#include "devices/shutdown_port.h"

static const char magic[] = "Shutdown";

static void shutdown_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    ShutdownPort *s = opaque;
    (void)addr;
    (void)size;
    char c = (char)value;
    if (c == magic[s->matched])
        s->matched++;
    else
        s->matched = c == magic[0] ? 1 : 0;
    if (s->matched == sizeof magic - 1) {
        s->matched = 0;
        if (s->power_off)
            s->power_off(s->opaque);
    }
}

static const IoOps shutdown_ops = {NULL, shutdown_write, 1};

void shutdown_port_init(ShutdownPort *s, void (*power_off)(void *), void *opaque)
{
    s->power_off = power_off;
    s->opaque = opaque;
    s->matched = 0;
}

void shutdown_port_register(ShutdownPort *s, IoPortSpace *io)
{
    ioport_register(io, 0x8900, 1, &shutdown_ops, s);
}

void shutdown_port_reset(ShutdownPort *s) { s->matched = 0; }

void shutdown_port_save(const ShutdownPort *s, StateWriter *w) { sw_u8(w, s->matched); }

bool shutdown_port_load(ShutdownPort *s, StateReader *r)
{
    uint8_t m = sr_u8(r);
    if (r->error || m >= sizeof magic)
        return sr_fail(r);
    s->matched = m;
    return true;
}
