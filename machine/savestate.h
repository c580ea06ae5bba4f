/* savestate.h — a bounds-checked byte stream for saving and restoring device and CPU state.
 *
 * Contract: writers append little-endian fixed-width fields; readers consume them in the
 * same order. A reader never reads past its buffer: an overrun (or a value a loader finds
 * invalid, reported with sr_fail) sets `error`, later reads return 0, and the loader
 * returns false. Each device's save/load pair is the complete state of that device.
 */
#ifndef VMM86_MACHINE_SAVESTATE_H
#define VMM86_MACHINE_SAVESTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StateWriter {
    uint8_t *buf;
    size_t len;
    size_t cap;
} StateWriter;

typedef struct StateReader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    bool error;
} StateReader;

void sw_init(StateWriter *w);
void sw_free(StateWriter *w);
void sw_bytes(StateWriter *w, const void *data, size_t n);
void sw_u8(StateWriter *w, uint8_t v);
void sw_u16(StateWriter *w, uint16_t v);
void sw_u32(StateWriter *w, uint32_t v);
void sw_u64(StateWriter *w, uint64_t v);

void sr_init(StateReader *r, const void *buf, size_t len);
bool sr_bytes(StateReader *r, void *data, size_t n);
uint8_t sr_u8(StateReader *r);
uint16_t sr_u16(StateReader *r);
uint32_t sr_u32(StateReader *r);
uint64_t sr_u64(StateReader *r);
/* Marks the stream invalid (a loader found a field out of range). Returns false. */
bool sr_fail(StateReader *r);

#endif
