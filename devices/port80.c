/* port80.c — see port80.h. */
#include "devices/port80.h"

#include "machine/log.h"

static uint32_t port80_read(void *opaque, uint32_t addr, unsigned size)
{
    return ((Port80 *)opaque)->last;
}

static void port80_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    Port80 *p = opaque;
    p->last = (uint8_t)value;
    p->writes++;
    if (log_enabled(LOG_GUEST_ERRORS))
        log_printf("POST code %02x\n", p->last);
}

static const IoOps port80_ops = {port80_read, port80_write, 1};

void port80_init(Port80 *p) { port80_reset(p); }
void port80_register(Port80 *p, IoPortSpace *io)
{
    ioport_register(io, PORT80_PORT, 1, &port80_ops, p);
}
void port80_reset(Port80 *p) { p->last = 0; p->writes = 0; }
void port80_save(const Port80 *p, StateWriter *w) { sw_u8(w, p->last); }
bool port80_load(Port80 *p, StateReader *r)
{
    uint8_t v = sr_u8(r);
    if (r->error)
        return false;
    p->last = v;
    return true;
}
