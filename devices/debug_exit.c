/* debug_exit.c — see debug_exit.h. */
#include "devices/debug_exit.h"

static uint32_t debug_exit_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque;
    (void)addr;
    (void)size;
    return 0xFFFFFFFFu;
}

static void debug_exit_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    DebugExit *d = opaque;
    (void)addr;
    (void)size;
    if (d->requested)
        return; /* the first request wins */
    d->requested = true;
    d->status = (int)(((value & 0x7F) << 1) | 1); /* an exit status is 8 bits */
    if (d->stop_cpu)
        *d->stop_cpu = true;
}

static const IoOps debug_exit_ops = {debug_exit_read, debug_exit_write, 0};

void debug_exit_init(DebugExit *d, uint16_t port, uint16_t size, bool *stop_cpu)
{
    d->port = port;
    d->size = size ? size : 1;
    d->requested = false;
    d->status = 0;
    d->stop_cpu = stop_cpu;
}

void debug_exit_register(DebugExit *d, IoPortSpace *io)
{
    ioport_register(io, d->port, d->size, &debug_exit_ops, d);
}
