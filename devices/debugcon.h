/* debugcon.h — the debug console (Bochs/QEMU "port E9 hack"): bytes written to its port go
 * to a CharSink; reading the port returns 0xE9, so a guest can detect it.
 */
#ifndef VMM86_DEVICES_DEBUGCON_H
#define VMM86_DEVICES_DEBUGCON_H

#include "devices/device.h"
#include "softmmu/ioport.h"

typedef struct DebugCon {
    CharSink out;
    uint16_t port;
} DebugCon;

void debugcon_init(DebugCon *d, uint16_t port, CharSink out);
void debugcon_register(DebugCon *d, IoPortSpace *io);

#endif
