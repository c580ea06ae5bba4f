/* port80.h — the POST diagnostic port 0x80. Firmware writes progress codes here; the last
 * one reads back (as on boards with a POST card latch). Each code is logged under
 * `-d guest_errors` (there is no separate category for it yet). */
#ifndef VMM86_DEVICES_PORT80_H
#define VMM86_DEVICES_PORT80_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/savestate.h"
#include "softmmu/ioport.h"

#define PORT80_PORT 0x80

typedef struct Port80 {
    uint8_t last;
    uint64_t writes;
} Port80;

void port80_init(Port80 *p);
void port80_register(Port80 *p, IoPortSpace *io);
void port80_reset(Port80 *p);
void port80_save(const Port80 *p, StateWriter *w);
bool port80_load(Port80 *p, StateReader *r);

#endif
