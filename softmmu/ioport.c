/* ioport.c — see ioport.h. */
#include "softmmu/ioport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ioport_init(IoPortSpace *io) { memset(io, 0, sizeof *io); }

static _Noreturn void bad_registration(uint16_t base, uint32_t count)
{
    fprintf(stderr, "vmm86: internal error: bad I/O port registration %#x+%u\n", base, count);
    abort();
}

/* Renumbers the live registrations 1..n in their order, before the sequence would wrap
 * (a guest moving a BAR in a loop can make billions of registrations). */
static void renumber(IoPortSpace *io)
{
    uint32_t next = 0, floor = 0;
    for (;;) {
        int min = -1;
        for (int i = 0; i < io->nranges; i++) {
            const IoRange *r = &io->ranges[i];
            if (r->ops && r->seq > floor && (min < 0 || r->seq < io->ranges[min].seq))
                min = i;
        }
        if (min < 0)
            break;
        floor = io->ranges[min].seq;
        io->ranges[min].seq = ++next;
    }
    io->next_seq = next;
}

int ioport_register(IoPortSpace *io, uint16_t base, uint32_t count, const IoOps *ops,
                    void *opaque)
{
    if (!ops || count == 0 || base + count > 65536)
        bad_registration(base, count);
    int slot = 0;
    while (slot < io->nranges && io->ranges[slot].ops)
        slot++;
    if (slot == IOPORT_MAX_RANGES)
        bad_registration(base, count);
    if (slot == io->nranges)
        io->nranges++;
    if (io->next_seq == UINT32_MAX)
        renumber(io);
    io->ranges[slot] = (IoRange){ops, opaque, base, count, ++io->next_seq};
    memset(&io->owner[base], slot + 1, count);
    return slot + 1;
}

/* The most recent registration still covering `port`, as an owner value (0: none). */
static uint8_t newest_owner(const IoPortSpace *io, uint16_t port)
{
    int best = -1;
    for (int i = 0; i < io->nranges; i++) {
        const IoRange *r = &io->ranges[i];
        if (r->ops && port >= r->base && (uint32_t)(port - r->base) < r->count &&
            (best < 0 || r->seq > io->ranges[best].seq))
            best = i;
    }
    return (uint8_t)(best + 1);
}

bool ioport_unregister_ops(IoPortSpace *io, uint16_t base, uint32_t count, const IoOps *ops,
                           void *opaque)
{
    int found = -1;
    for (int i = 0; i < io->nranges; i++) {
        const IoRange *r = &io->ranges[i];
        if (r->ops && r->base == base && r->count == count &&
            (!ops || (r->ops == ops && r->opaque == opaque)) &&
            (found < 0 || r->seq > io->ranges[found].seq))
            found = i;
    }
    if (found < 0)
        return false;
    io->ranges[found].ops = NULL;
    while (io->nranges > 0 && !io->ranges[io->nranges - 1].ops)
        io->nranges--;
    for (uint32_t p = base; p < base + count; p++)
        if (io->owner[p] == found + 1)
            io->owner[p] = newest_owner(io, (uint16_t)p);
    return true;
}

bool ioport_unregister(IoPortSpace *io, uint16_t base, uint32_t count)
{
    return ioport_unregister_ops(io, base, count, NULL, NULL);
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
