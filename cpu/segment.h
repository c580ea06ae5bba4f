/* segment.h — descriptors and segment-register loads in every mode.
 *
 * Contract: descriptors are read with implicit supervisor accesses from the GDT or LDT the
 * selector names; an index beyond the table limit raises #GP(selector) (with the EXT bit
 * when `ext` is set). seg_load() performs the architectural load of a data or stack segment
 * register for MOV/POP/LxS in real, virtual-8086 and protected mode, with every check and
 * error code the SDM lists; the accessed bit is set in the descriptor when it was clear.
 * Code-segment loads (far transfers) live in the far-transfer code, using these helpers.
 */
#ifndef VMM86_CPU_SEGMENT_H
#define VMM86_CPU_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

typedef struct Descriptor {
    uint32_t lo, hi; /* the two dwords as stored */
} Descriptor;

/* Decoded fields. */
static inline uint32_t desc_base(Descriptor d)
{
    return (d.lo >> 16) | ((d.hi & 0xFF) << 16) | (d.hi & 0xFF000000u);
}
static inline uint32_t desc_limit(Descriptor d)
{
    uint32_t lim = (d.lo & 0xFFFF) | (d.hi & 0x000F0000u);
    return (d.hi & 0x00800000u) ? (lim << 12) | 0xFFF : lim;
}
static inline uint16_t desc_attr(Descriptor d) { return (uint16_t)((d.hi >> 8) & 0xF0FF); }
static inline unsigned desc_dpl(Descriptor d) { return (d.hi >> 13) & 3; }
static inline bool desc_present(Descriptor d) { return d.hi & 0x8000; }
static inline bool desc_is_system(Descriptor d) { return !(d.hi & 0x1000); }
static inline unsigned desc_type(Descriptor d) { return (d.hi >> 8) & 0xF; }
static inline bool desc_is_code(Descriptor d) { return !desc_is_system(d) && (d.hi & 0x800); }

static inline SegCache desc_to_cache(uint16_t sel, Descriptor d)
{
    SegCache s = {desc_base(d), desc_limit(d), sel, desc_attr(d)};
    return s;
}

/* Does an access of `size` bytes at `off` stay inside segment `s` (expand-up or -down)? */
static inline bool seg_offset_ok(const SegCache *s, uint32_t off, unsigned size)
{
    if ((s->attr & (SA_S | SA_CODE | SA_DC)) == (SA_S | SA_DC)) { /* expand-down data */
        uint32_t upper = (s->attr & SA_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        return off > s->limit && off <= upper && upper - off >= size - 1;
    }
    return off <= s->limit && s->limit - off >= size - 1;
}

/* An unusable segment register (a null selector loaded in protected mode). */
static inline void seg_make_null(SegCache *s, uint16_t sel)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0;
    s->attr = 0;
}

/* Linear address of the descriptor for `sel`, or raises #GP(sel | ext). */
uint32_t desc_addr(CpuState *cpu, uint16_t sel, bool ext);
/* Reads the descriptor for `sel` (#GP(sel | ext) when outside its table). */
Descriptor desc_read(CpuState *cpu, uint16_t sel, bool ext);
/* Like desc_read, but a selector outside its table raises #TS(sel | ext) (stack and
 * task-state selectors met during interrupts and task switches). */
Descriptor desc_read_ts(CpuState *cpu, uint16_t sel, bool ext);
/* Writes the type byte (bits 8..15 of the high dword) of the descriptor for `sel`. */
void desc_write_type_byte(CpuState *cpu, uint16_t sel, uint8_t v);
/* Like desc_read, but returns false instead of faulting (LAR, LSL, VERR, VERW). */
bool desc_try_read(CpuState *cpu, uint16_t sel, Descriptor *d);
/* Sets the accessed bit of a code/data descriptor in memory if it is clear. */
void desc_set_accessed(CpuState *cpu, uint16_t sel, Descriptor *d);

/* Real-mode / virtual-8086 load: base = sel << 4 (V86 also resets limit and rights). */
void seg_load_real(CpuState *cpu, int seg, uint16_t sel);
/* MOV/POP/LxS to ES SS DS FS GS in any mode, with all checks. */
void seg_load(CpuState *cpu, int seg, uint16_t sel);
/* Load a segment without checks from a descriptor already validated (task switch, gates). */
void seg_load_cache(CpuState *cpu, int seg, uint16_t sel, Descriptor d);
/* Pushes `size` bytes below *esp on the stack `ss` (which need not be loaded yet), as a
 * supervisor access unless `user`. A limit violation raises #SS(err); a `user` push is a
 * CPL-3 stack write and may raise #AC(err & EXT) (callers pass err = EXT then). */
void push_on_stack(CpuState *cpu, const SegCache *ss, uint32_t *esp, unsigned size, uint32_t v,
                   uint32_t err, bool user);
/* The CPL changed: data segments whose DPL is now below CPL become unusable (RET/IRET to
 * an outer level). */
void seg_invalidate_for_cpl(CpuState *cpu);

#endif
