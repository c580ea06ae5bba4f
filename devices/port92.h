/* port92.h — "System Control Port A" (port 92h): bit 1 is the fast A20 gate, writing bit 0
 * as 1 resets the CPU (a fast reset). Reads return the last value with the A20 bit showing
 * the gate's state. The machine supplies the A20 and reset actions.
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
    uint8_t value; /* bits other than A20 as last written (bit 0 self-clears) */
} Port92;

void port92_init(Port92 *p, Port92Hooks hooks);
void port92_register(Port92 *p, IoPortSpace *io);
void port92_reset(Port92 *p);
void port92_save(const Port92 *p, StateWriter *w);
bool port92_load(Port92 *p, StateReader *r);

#endif
