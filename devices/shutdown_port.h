/* shutdown_port.h — the Bochs/QEMU legacy power-off port (0x8900): writing the bytes of
 * "Shutdown" in order powers the machine off (what Bochs and older SeaBIOS APM code use).
 * Any other byte restarts the match. The machine supplies the power-off action.
 */
#ifndef VMM86_DEVICES_SHUTDOWN_PORT_H
#define VMM86_DEVICES_SHUTDOWN_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/savestate.h"
#include "softmmu/ioport.h"

typedef struct ShutdownPort {
    void (*power_off)(void *opaque);
    void *opaque;
    uint8_t matched; /* bytes of "Shutdown" seen so far */
} ShutdownPort;

void shutdown_port_init(ShutdownPort *s, void (*power_off)(void *), void *opaque);
void shutdown_port_register(ShutdownPort *s, IoPortSpace *io);
void shutdown_port_reset(ShutdownPort *s);
void shutdown_port_save(const ShutdownPort *s, StateWriter *w);
bool shutdown_port_load(ShutdownPort *s, StateReader *r);

#endif
