/* flags.h — lazy evaluation of the six arithmetic flags.
 *
 * Contract: an arithmetic instruction records what it did (cc_op, result, sources) instead
 * of computing CF PF AF ZF SF OF; cpu_get_eflags() and the condition tests derive them on
 * demand. cc_op encodes operation and width: CC_OP_<OP>8/16/32 = CC_BASE_<OP> * 3 + width
 * index. ADC/SBB recover their carry-in from the recorded values; INC/DEC keep the old CF in
 * cc_src2. SHL/SHR/SAR (count 1..31) keep the operand before the shift in cc_src1 and the
 * count in cc_src2; their CF, OF and AF are those cpu/ops_shift.c documents (the one-bit-
 * at-a-time model for what the SDM leaves undefined). CC_OP_EFLAGS means the bits in
 * cpu->eflags are current. The lazy fields are part
 * of the architectural state only through these functions: two engines agree when the
 * flags they derive agree.
 */
#ifndef VMM86_CPU_FLAGS_H
#define VMM86_CPU_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

enum {
    CC_BASE_EFLAGS = 0, /* only CC_OP_EFLAGS (= 0); widths unused */
    CC_BASE_ADD,
    CC_BASE_ADC,
    CC_BASE_SUB,
    CC_BASE_SBB,
    CC_BASE_LOGIC,
    CC_BASE_INC,
    CC_BASE_DEC,
    CC_BASE_SHL,
    CC_BASE_SHR,
    CC_BASE_SAR,
    CC_BASE_COUNT
};
#define CC_OP_EFLAGS 0u
#define CC_OP(base, size) ((uint32_t)(base)*3u + ((size) == 1 ? 0u : (size) == 2 ? 1u : 2u))

uint32_t cpu_compute_arith_flags(const CpuState *cpu);
bool cpu_cond_slow(const CpuState *cpu, unsigned cc);

/* The whole EFLAGS register, arithmetic bits derived. */
static inline uint32_t cpu_get_eflags(const CpuState *cpu)
{
    if (cpu->cc_op == CC_OP_EFLAGS)
        return cpu->eflags;
    return (cpu->eflags & ~FL_ARITH) | cpu_compute_arith_flags(cpu);
}

/* Make cpu->eflags current (before code that edits individual arithmetic bits). */
static inline void cpu_flags_materialize(CpuState *cpu)
{
    if (cpu->cc_op != CC_OP_EFLAGS) {
        cpu->eflags = cpu_get_eflags(cpu);
        cpu->cc_op = CC_OP_EFLAGS;
    }
}

/* Replace the arithmetic flags with explicit values. */
static inline void cpu_set_arith_flags(CpuState *cpu, uint32_t flags)
{
    cpu->eflags = (cpu->eflags & ~FL_ARITH) | (flags & FL_ARITH);
    cpu->cc_op = CC_OP_EFLAGS;
}

static inline void cc_record(CpuState *cpu, uint32_t op, uint32_t res, uint32_t s1, uint32_t s2)
{
    cpu->cc_op = op;
    cpu->cc_res = res;
    cpu->cc_src1 = s1;
    cpu->cc_src2 = s2;
}

static inline uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}
static inline uint32_t size_sign(unsigned size) { return 1u << (8 * size - 1); }

bool cpu_get_cf(const CpuState *cpu);

/* SF, ZF and PF of a result of `size` bytes, as flag bits. */
uint32_t flags_szp(uint32_t res, unsigned size);

/* Condition codes 0..15 in Jcc order (O NO B AE E NE BE A S NS P NP L GE LE G). */
static inline bool cpu_cond(const CpuState *cpu, unsigned cc)
{
    /* Fast paths for compare-and-branch after SUB/CMP, the common case. */
    if (cpu->cc_op >= CC_OP(CC_BASE_SUB, 1) && cpu->cc_op <= CC_OP(CC_BASE_SUB, 4)) {
        unsigned w = cpu->cc_op - CC_OP(CC_BASE_SUB, 1);
        unsigned size = 1u << w;
        uint32_t m = size_mask(size), a = cpu->cc_src1 & m, b = cpu->cc_src2 & m;
        uint32_t sh = 32 - 8 * size;
        int32_t sa = (int32_t)(a << sh), sb = (int32_t)(b << sh);
        switch (cc) {
        case 2: return a < b;
        case 3: return a >= b;
        case 4: return a == b;
        case 5: return a != b;
        case 6: return a <= b;
        case 7: return a > b;
        case 12: return sa < sb;
        case 13: return sa >= sb;
        case 14: return sa <= sb;
        case 15: return sa > sb;
        default: break;
        }
    }
    return cpu_cond_slow(cpu, cc);
}

#endif
