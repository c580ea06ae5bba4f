/* ioport.h — the x86 I/O port space (64 KiB of ports) and its dispatch to devices.
 *
 * Contract: devices register IoOps on [base, base+count); a later registration over the same
 * ports takes them over from the earlier one, which keeps the rest of its range. Unregistering
 * a registration (named by its exact base and count, and optionally its ops and opaque)
 * frees its slot for reuse and gives each port it still decoded back to the most recent
 * remaining registration that covers it (or leaves it unassigned), so a decoder that moves
 * (a PCI I/O BAR) can unregister its old window and register the new one any number of
 * times. The CPU (after its IOPL / I/O-bitmap checks) calls ioport_read/ioport_write with
 * size 1, 2 or 4; an access the device does not accept at that size is split into byte
 * accesses. Unassigned ports read as all ones and ignore writes. Port addresses wrap at
 * 0xFFFF as on hardware. At most IOPORT_MAX_RANGES registrations exist at once.
 */
#ifndef VMM86_SOFTMMU_IOPORT_H
#define VMM86_SOFTMMU_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"

#define IOPORT_MAX_RANGES 128

typedef struct IoRange {
    const IoOps *ops; /* NULL: a free slot */
    void *opaque;
    uint16_t base;
    uint32_t count;
    uint32_t seq;     /* registration order (later registrations win a port) */
} IoRange;

typedef struct IoPortSpace {
    IoRange ranges[IOPORT_MAX_RANGES];
    int nranges;          /* slots ranges[0..nranges) may be in use; the rest are free */
    uint32_t next_seq;    /* seq of the latest registration */
    uint8_t owner[65536]; /* 0 = unassigned, else 1 + index into ranges */
    uint64_t reads, writes; /* counters for --stats */
} IoPortSpace;

void ioport_init(IoPortSpace *io);
/* Returns the owner value the registration's ports get (1 + its slot). */
int ioport_register(IoPortSpace *io, uint16_t base, uint32_t count, const IoOps *ops,
                    void *opaque);
/* Removes the most recent registration of exactly [base, base+count); false if none. */
bool ioport_unregister(IoPortSpace *io, uint16_t base, uint32_t count);
/* The same, for the registration of exactly these ops and opaque only. */
bool ioport_unregister_ops(IoPortSpace *io, uint16_t base, uint32_t count, const IoOps *ops,
                           void *opaque);
uint32_t ioport_read(IoPortSpace *io, uint16_t port, unsigned size);
void ioport_write(IoPortSpace *io, uint16_t port, unsigned size, uint32_t value);

#endif
