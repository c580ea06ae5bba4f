/* device.h — the one interface between the machine and every emulated chip.
 *
 * Contract: a device is reached only through IoOps callbacks registered on a port range
 * (softmmu/ioport.h) or an MMIO range (softmmu/physmem.h). `addr` is the offset from the
 * start of the registered range, `size` is 1, 2 or 4 bytes, and a read returns the value in
 * the low `size` bytes. A device raises interrupts only through IrqLine, learns time only
 * from the scheduler (machine/scheduler.h), writes host-visible output only through a
 * CharSink, and has reset plus save/load of its whole state (machine/savestate.h).
 * Devices never read the host clock and never block.
 */
#ifndef VMM86_DEVICES_DEVICE_H
#define VMM86_DEVICES_DEVICE_H

#include <stddef.h>
#include <stdint.h>

typedef struct IoOps {
    uint32_t (*read)(void *opaque, uint32_t addr, unsigned size);
    void (*write)(void *opaque, uint32_t addr, unsigned size, uint32_t value);
    /* Bit mask of the access sizes the device handles itself (1, 2, 4). Other sizes are
     * split into byte accesses by the dispatcher, lowest address first; every device
     * accepts byte accesses. 0 means all sizes. */
    uint8_t sizes;
} IoOps;

/* An interrupt request line: the device drives a level; the receiver (PIC, CPU) decides
 * whether it reacts to edges or levels. */
typedef struct IrqLine {
    void (*set)(void *opaque, int n, int level);
    void *opaque;
    int n;
} IrqLine;

static inline void irq_set(const IrqLine *line, int level)
{
    if (line && line->set)
        line->set(line->opaque, line->n, level);
}
static inline void irq_raise(const IrqLine *line) { irq_set(line, 1); }
static inline void irq_lower(const IrqLine *line) { irq_set(line, 0); }
static inline void irq_pulse(const IrqLine *line)
{
    irq_set(line, 1);
    irq_set(line, 0);
}

/* Where a device's output for the user goes (serial console, debug console, a file). */
typedef struct CharSink {
    void (*write)(void *opaque, const uint8_t *buf, size_t len);
    void *opaque;
} CharSink;

static inline void char_sink_write(const CharSink *sink, const uint8_t *buf, size_t len)
{
    if (sink && sink->write)
        sink->write(sink->opaque, buf, len);
}

#endif
