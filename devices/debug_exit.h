/* debug_exit.h — QEMU's isa-debug-exit: a write of v to its port ends the run with exit
 * status (v << 1) | 1. The device only records the request; the machine loop stops the CPU
 * at the end of the instruction and exits with that status.
 */
#ifndef VMM86_DEVICES_DEBUG_EXIT_H
#define VMM86_DEVICES_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"
#include "softmmu/ioport.h"

typedef struct DebugExit {
    uint16_t port;
    uint16_t size;     /* iosize: 1, 2 or 4 ports */
    bool requested;    /* a write happened */
    int status;        /* (v << 1) | 1 */
    bool *stop_cpu;    /* set to make the CPU return to the machine loop */
} DebugExit;

void debug_exit_init(DebugExit *d, uint16_t port, uint16_t size, bool *stop_cpu);
void debug_exit_register(DebugExit *d, IoPortSpace *io);

#endif
