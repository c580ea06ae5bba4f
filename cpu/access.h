/* access.h — segmented memory accesses with the architectural checks, and stack helpers.
 *
 * Contract: every guest data access by the interpreter goes through these functions. They
 * apply, in order: the segment's usability and type rights (protected mode only), its
 * limit (expand-up or expand-down, in every mode: real-mode offsets past the limit fault
 * too), then the linear access through the soft MMU. A failed check raises #SS(0) for SS
 * and #GP(0) otherwise. Implicit system accesses (descriptor tables, TSS, IDT) use the
 * sys_* functions: linear addresses with supervisor privilege. Stack helpers work on a
 * caller-held copy of ESP so a handler can commit ESP only after its last fault.
 * Alignment checking: once the segment checks pass, seg_check raises #AC(0) for a
 * misaligned linear address when CR0.AM, EFLAGS.AC and CPL 3 are all true (SDM vol. 3,
 * 6.15, table 6-7; access_align_mask gives the rule by operand size). It is tested after
 * #GP/#SS and before paging, so #AC wins over a #PF of the same access, as in the oracles
 * (Bochs, QEMU). The sys_* accesses are never checked. With AM or AC clear the cost is one
 * AND of two loaded words: CR0.AM and EFLAGS.AC are both bit 18.
 */
#ifndef VMM86_CPU_ACCESS_H
#define VMM86_CPU_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/exception.h"
#include "softmmu/mmu.h"

static inline bool cpu_user(const CpuState *cpu) { return cpu->cpl == 3; }

static inline _Noreturn void seg_fault(CpuState *cpu, int seg)
{
    cpu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
}

/* ---- alignment checking -------------------------------------------------------------- */

_Static_assert(CR0_AM == FL_AC, "the #AC enable test ANDs CR0 with EFLAGS");

/* Might an access fault with #AC? (CR0.AM and EFLAGS.AC; CPL 3 is tested after.) */
static inline bool cpu_align_armed(const CpuState *cpu)
{
    return (cpu->cr0 & cpu->eflags & FL_AC) != 0;
}

/* The low address bits that must be clear for an operand of `size` bytes (SDM vol. 3,
 * table 6-7). Words, dwords and qwords by their size; the x87 operands the FPU code checks
 * as one area by theirs: 10 (80-bit real) needs 8, the environment and FSAVE image need 2
 * with a 16-bit operand size (14 and 94 bytes) and 4 with a 32-bit one (28 and 108; the
 * registers inside are not checked one by one). Other sizes check nothing here: a 6-byte
 * SGDT/SIDT area is stored as an aligned word then an aligned dword, a 16:32 far pointer is
 * read as a dword then a word, 16-byte SSE operands follow their own #GP rule (an unaligned
 * MOVUPS raising #AC is implementation-specific; ours does not), and so does FXSAVE's area. */
static inline uint32_t access_align_mask(unsigned size)
{
    switch (size) {
    case 2: case 14: case 94: return 1;
    case 4: case 28: case 108: return 3;
    case 8: case 10: return 7;
    default: return 0;
    }
}

/* Raises #AC(0) if `lin` is misaligned for `size` and CPL is 3 (call when armed). */
void cpu_check_alignment(CpuState *cpu, uint32_t lin, unsigned size);

/* ---- segment checks ------------------------------------------------------------------- */

/* Checks an access of `size` bytes at `off` in segment `seg` (limits and rights, then
 * alignment); returns the linear address. */
static inline uint32_t seg_check(CpuState *cpu, int seg, uint32_t off, unsigned size, bool write)
{
    const SegCache *s = &cpu->seg[seg];
    uint16_t attr = s->attr;
    bool prot = cpu_pe(cpu) && !cpu_vm86(cpu);
    if (prot) {
        if (!(attr & SA_P))
            seg_fault(cpu, seg); /* unusable: a null selector was loaded */
        if (write ? ((attr & SA_CODE) || !(attr & SA_RW))
                  : ((attr & (SA_CODE | SA_RW)) == SA_CODE))
            seg_fault(cpu, seg);
    }
    if (prot && (attr & (SA_CODE | SA_DC)) == SA_DC) { /* expand-down data */
        uint32_t upper = (attr & SA_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        if (off <= s->limit || off > upper || upper - off < size - 1)
            seg_fault(cpu, seg);
    } else if (off > s->limit || s->limit - off < size - 1) {
        seg_fault(cpu, seg);
    }
    uint32_t lin = s->base + off;
    if (__builtin_expect(cpu_align_armed(cpu), 0))
        cpu_check_alignment(cpu, lin, size);
    return lin;
}

static inline uint8_t cpu_read8(CpuState *cpu, int seg, uint32_t off)
{
    return mmu_read8(cpu, seg_check(cpu, seg, off, 1, false), cpu_user(cpu));
}
static inline uint16_t cpu_read16(CpuState *cpu, int seg, uint32_t off)
{
    return mmu_read16(cpu, seg_check(cpu, seg, off, 2, false), cpu_user(cpu));
}
static inline uint32_t cpu_read32(CpuState *cpu, int seg, uint32_t off)
{
    return mmu_read32(cpu, seg_check(cpu, seg, off, 4, false), cpu_user(cpu));
}
static inline uint64_t cpu_read64(CpuState *cpu, int seg, uint32_t off)
{
    return mmu_read64(cpu, seg_check(cpu, seg, off, 8, false), cpu_user(cpu));
}
static inline void cpu_write8(CpuState *cpu, int seg, uint32_t off, uint8_t v)
{
    mmu_write8(cpu, seg_check(cpu, seg, off, 1, true), v, cpu_user(cpu));
}
static inline void cpu_write16(CpuState *cpu, int seg, uint32_t off, uint16_t v)
{
    mmu_write16(cpu, seg_check(cpu, seg, off, 2, true), v, cpu_user(cpu));
}
static inline void cpu_write32(CpuState *cpu, int seg, uint32_t off, uint32_t v)
{
    mmu_write32(cpu, seg_check(cpu, seg, off, 4, true), v, cpu_user(cpu));
}
static inline void cpu_write64(CpuState *cpu, int seg, uint32_t off, uint64_t v)
{
    mmu_write64(cpu, seg_check(cpu, seg, off, 8, true), v, cpu_user(cpu));
}

/* Sized access (size 1, 2 or 4). */
static inline uint32_t cpu_read_sz(CpuState *cpu, int seg, uint32_t off, unsigned size)
{
    return size == 1 ? cpu_read8(cpu, seg, off)
           : size == 2 ? cpu_read16(cpu, seg, off)
                       : cpu_read32(cpu, seg, off);
}
static inline void cpu_write_sz(CpuState *cpu, int seg, uint32_t off, unsigned size, uint32_t v)
{
    if (size == 1)
        cpu_write8(cpu, seg, off, (uint8_t)v);
    else if (size == 2)
        cpu_write16(cpu, seg, off, (uint16_t)v);
    else
        cpu_write32(cpu, seg, off, v);
}

/* Implicit supervisor accesses at a linear address (descriptor tables, TSS, IDT). */
static inline uint8_t sys_read8(CpuState *cpu, uint32_t lin) { return mmu_read8(cpu, lin, false); }
static inline uint16_t sys_read16(CpuState *cpu, uint32_t lin) { return mmu_read16(cpu, lin, false); }
static inline uint32_t sys_read32(CpuState *cpu, uint32_t lin) { return mmu_read32(cpu, lin, false); }
static inline uint64_t sys_read64(CpuState *cpu, uint32_t lin) { return mmu_read64(cpu, lin, false); }
static inline void sys_write8(CpuState *cpu, uint32_t lin, uint8_t v) { mmu_write8(cpu, lin, v, false); }
static inline void sys_write16(CpuState *cpu, uint32_t lin, uint16_t v) { mmu_write16(cpu, lin, v, false); }
static inline void sys_write32(CpuState *cpu, uint32_t lin, uint32_t v) { mmu_write32(cpu, lin, v, false); }

/* ---- stack ---------------------------------------------------------------------------- */

/* Stack-pointer arithmetic honours the stack size (SS.B): a 16-bit stack moves SP only. */
static inline uint32_t stack_offset(const CpuState *cpu, uint32_t esp)
{
    return cpu_stack32(cpu) ? esp : (esp & 0xFFFF);
}
static inline uint32_t stack_add(const CpuState *cpu, uint32_t esp, int32_t delta)
{
    if (cpu_stack32(cpu))
        return esp + (uint32_t)delta;
    return (esp & 0xFFFF0000u) | ((esp + (uint32_t)delta) & 0xFFFF);
}

/* Pushes `size` bytes (2 or 4) below *esp; updates *esp (not cpu's ESP). */
static inline void stack_push(CpuState *cpu, uint32_t *esp, unsigned size, uint32_t v)
{
    uint32_t nsp = stack_add(cpu, *esp, -(int32_t)size);
    cpu_write_sz(cpu, SEG_SS, stack_offset(cpu, nsp), size, v);
    *esp = nsp;
}

/* Pops `size` bytes (2 or 4) from *esp; updates *esp. */
static inline uint32_t stack_pop(CpuState *cpu, uint32_t *esp, unsigned size)
{
    uint32_t v = cpu_read_sz(cpu, SEG_SS, stack_offset(cpu, *esp), size);
    *esp = stack_add(cpu, *esp, (int32_t)size);
    return v;
}

/* Reads `size` bytes at *esp + delta without moving it. */
static inline uint32_t stack_peek(CpuState *cpu, uint32_t esp, int32_t delta, unsigned size)
{
    return cpu_read_sz(cpu, SEG_SS, stack_offset(cpu, stack_add(cpu, esp, delta)), size);
}

#endif
