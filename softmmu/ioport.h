/* ioport.h — the x86 I/O port space (64 KiB of ports) and its dispatch to devices.
 *
 * Contract: devices register IoOps on [base, base+count); a later registration over the same
 * ports replaces the earlier one. The CPU (after its IOPL / I/O-bitmap checks) calls
 * ioport_read/ioport_write with size 1, 2 or 4; an access the device does not accept at that
 * size is split into byte accesses. Unassigned ports read as all ones and ignore writes.
 * Port addresses wrap at 0xFFFF as on hardware.
 */
#ifndef VMM86_SOFTMMU_IOPORT_H
#define VMM86_SOFTMMU_IOPORT_H

#include <stdint.h>

#include "devices/device.h"

#define IOPORT_MAX_RANGES 128

typedef struct IoRange {
    const IoOps *ops;
    void *opaque;
    uint16_t base;
    uint32_t count;
} IoRange;

typedef struct IoPortSpace {
    IoRange ranges[IOPORT_MAX_RANGES];
    int nranges;
    uint8_t owner[65536]; /* 0 = unassigned, else 1 + index into ranges */
    uint64_t reads, writes; /* counters for --stats */
} IoPortSpace;

void ioport_init(IoPortSpace *io);
void ioport_register(IoPortSpace *io, uint16_t base, uint32_t count, const IoOps *ops,
                     void *opaque);
uint32_t ioport_read(IoPortSpace *io, uint16_t port, unsigned size);
void ioport_write(IoPortSpace *io, uint16_t port, unsigned size, uint32_t value);

#endif
