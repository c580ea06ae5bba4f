/* ioport.c — see ioport.h. */
#include "softmmu/ioport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ioport_init(IoPortSpace *io) { memset(io, 0, sizeof *io); }

void ioport_register(IoPortSpace *io, uint16_t base, uint32_t count, const IoOps *ops,
                     void *opaque)
{
    if (io->nranges == IOPORT_MAX_RANGES || count == 0 || base + count > 65536) {
        fprintf(stderr, "vmm86: internal error: bad I/O port registration %#x+%u\n", base,
                count);
        abort();
    }
    IoRange *r = &io->ranges[io->nranges++];
    r->ops = ops;
    r->opaque = opaque;
    r->base = base;
    r->count = count;
    memset(&io->owner[base], io->nranges, count);
}

static uint32_t read_byte(IoPortSpace *io, uint16_t port)
{
    uint8_t o = io->owner[port];
    if (!o)
        return 0xFF;
    const IoRange *r = &io->ranges[o - 1];
    return r->ops->read ? r->ops->read(r->opaque, (uint16_t)(port - r->base), 1) & 0xFF : 0xFF;
}

static void write_byte(IoPortSpace *io, uint16_t port, uint8_t v)
{
    uint8_t o = io->owner[port];
    if (!o)
        return;
    const IoRange *r = &io->ranges[o - 1];
    if (r->ops->write)
        r->ops->write(r->opaque, (uint16_t)(port - r->base), 1, v);
}

/* Whole access goes to one device if it lies in one range and the device takes that size;
 * byte accesses always go whole (every device accepts them). */
static const IoRange *whole_access(IoPortSpace *io, uint16_t port, unsigned size)
{
    uint8_t o = io->owner[port];
    if (!o)
        return NULL;
    const IoRange *r = &io->ranges[o - 1];
    if (r->ops->sizes && !(r->ops->sizes & size))
        return NULL;
    if ((uint32_t)(port - r->base) + size > r->count)
        return NULL;
    return r;
}

uint32_t ioport_read(IoPortSpace *io, uint16_t port, unsigned size)
{
    io->reads++;
    const IoRange *r = whole_access(io, port, size);
    if (r) {
        uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
        return r->ops->read ? r->ops->read(r->opaque, (uint16_t)(port - r->base), size) & mask
                            : mask;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= read_byte(io, (uint16_t)(port + i)) << (8 * i);
    return v;
}

void ioport_write(IoPortSpace *io, uint16_t port, unsigned size, uint32_t value)
{
    io->writes++;
    const IoRange *r = whole_access(io, port, size);
    if (r) {
        if (r->ops->write)
            r->ops->write(r->opaque, (uint16_t)(port - r->base), size, value);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        write_byte(io, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}
