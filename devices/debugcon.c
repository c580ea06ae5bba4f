/* debugcon.c — see debugcon.h. The device has no state beyond its wiring. */
#include "devices/debugcon.h"

static uint32_t debugcon_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque;
    (void)addr;
    (void)size;
    return 0xE9;
}

static void debugcon_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    DebugCon *d = opaque;
    (void)addr;
    (void)size;
    uint8_t b = (uint8_t)value;
    char_sink_write(&d->out, &b, 1);
}

static const IoOps debugcon_ops = {debugcon_read, debugcon_write, 1};

void debugcon_init(DebugCon *d, uint16_t port, CharSink out)
{
    d->out = out;
    d->port = port;
}

void debugcon_register(DebugCon *d, IoPortSpace *io)
{
    ioport_register(io, d->port, 1, &debugcon_ops, d);
}
