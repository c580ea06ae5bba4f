/* port92.h — "System Control Port A" (port 92h): bit 1 is the fast A20 gate, bit 0 the
 * alternate (fast) reset. Contract: a write that takes bit 0 from 0 to 1 requests one reset;
 * while bit 0 stays 1, further writes with it set request nothing (software must write it
 * back to 0 first), as the Super I/O and chipset datasheets describe the port. Reads return
 * the last value written, bit 0 included, with bit 1 showing the A20 gate's state;
 * port92_reset (the system reset the request leads to) clears the value, bit 0 with it.
 * The machine supplies the A20 and reset actions.
 */
#ifndef VMM86_DEVICES_PORT92_H
#define VMM86_DEVICES_PORT92_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/savestate.h"
#include "softmmu/ioport.h"

typedef struct Port92Hooks {
    void (*set_a20)(void *opaque, bool on);
    bool (*get_a20)(void *opaque);
    void (*request_reset)(void *opaque);
    void *opaque;
} Port92Hooks;

typedef struct Port92 {
    Port92Hooks hooks;
    uint8_t value; /* as last written; bit 1 is overridden by the gate's state on reads */
} Port92;

void port92_init(Port92 *p, Port92Hooks hooks);
void port92_register(Port92 *p, IoPortSpace *io);
void port92_reset(Port92 *p);
void port92_save(const Port92 *p, StateWriter *w);
bool port92_load(Port92 *p, StateReader *r);

#endif
