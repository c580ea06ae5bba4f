/* flags.c — deriving the arithmetic flags from the lazy record (see flags.h). */
#include "cpu/flags.h"

static inline uint32_t parity_flag(uint32_t res)
{
    return (__builtin_popcount(res & 0xFF) & 1) ? 0 : FL_PF;
}

uint32_t flags_szp(uint32_t res, unsigned size)
{
    uint32_t m = size_mask(size);
    uint32_t f = parity_flag(res);
    if (!(res & m))
        f |= FL_ZF;
    if (res & size_sign(size))
        f |= FL_SF;
    return f;
}

/* CF of a shift by `count` (1..31) of the `size`-byte operand `x`: the last bit shifted
 * out, 0 once SHL/SHR have shifted past the operand; SAR shifts in copies of the sign. */
static inline uint32_t shift_carry(unsigned base, uint32_t x, uint32_t count, unsigned size)
{
    unsigned w = 8 * size;
    if (base == CC_BASE_SAR) {
        int64_t s = (int64_t)(int32_t)(x << (32 - w)) >> (32 - w);
        return (uint32_t)(s >> ((count < w ? count : w) - 1)) & 1;
    }
    if (count > w)
        return 0;
    return (x >> (base == CC_BASE_SHL ? w - count : count - 1)) & 1;
}

/* CF of a lazy record (not CC_OP_EFLAGS): the one place it is derived, for
 * cpu_compute_arith_flags and for cpu_get_cf, which translated code calls often. */
static inline uint32_t carry_flag(const CpuState *cpu, unsigned base, unsigned size)
{
    uint32_t m = size_mask(size);
    uint32_t res = cpu->cc_res & m, a = cpu->cc_src1 & m, b = cpu->cc_src2 & m;
    switch (base) {
    case CC_BASE_SHL:
    case CC_BASE_SHR:
    case CC_BASE_SAR:
        return shift_carry(base, a, cpu->cc_src2 & 31, size) ? FL_CF : 0;
    case CC_BASE_ADD:
    case CC_BASE_ADC: {
        uint32_t cin = base == CC_BASE_ADC ? ((res - a - b) & m) : 0;
        return res < a || (cin && res == a) ? FL_CF : 0;
    }
    case CC_BASE_SUB:
    case CC_BASE_SBB: {
        uint32_t bin = base == CC_BASE_SBB ? ((a - b - res) & m) : 0;
        return (uint64_t)a < (uint64_t)b + bin ? FL_CF : 0;
    }
    case CC_BASE_INC:
    case CC_BASE_DEC:
        return cpu->cc_src2 & FL_CF; /* the CF before the instruction */
    default:
        return 0; /* LOGIC: CF = 0 */
    }
}

uint32_t cpu_compute_arith_flags(const CpuState *cpu)
{
    uint32_t op = cpu->cc_op;
    if (op == CC_OP_EFLAGS)
        return cpu->eflags & FL_ARITH;
    unsigned base = op / 3, size = 1u << (op % 3);
    uint32_t m = size_mask(size), sign = size_sign(size);
    uint32_t res = cpu->cc_res & m, a = cpu->cc_src1 & m, b = cpu->cc_src2 & m;
    uint32_t f = flags_szp(res, size) | carry_flag(cpu, base, size);
    switch (base) {
    case CC_BASE_ADD:
    case CC_BASE_ADC:
        if ((a ^ res) & (b ^ res) & sign)
            f |= FL_OF;
        f |= (a ^ b ^ res) & FL_AF;
        break;
    case CC_BASE_SUB:
    case CC_BASE_SBB:
        if ((a ^ b) & (a ^ res) & sign)
            f |= FL_OF;
        f |= (a ^ b ^ res) & FL_AF;
        break;
    case CC_BASE_LOGIC:
        break; /* CF = OF = 0; AF is undefined and reads as 0 */
    case CC_BASE_INC:
        if (res == sign)
            f |= FL_OF;
        if ((res & 0xF) == 0)
            f |= FL_AF;
        break;
    case CC_BASE_DEC:
        if (res == sign - 1)
            f |= FL_OF;
        if ((res & 0xF) == 0xF)
            f |= FL_AF;
        break;
    case CC_BASE_SHL: /* OF = MSB(result) ^ CF; AF = 0 */
        if (!(res & sign) != !(f & FL_CF))
            f |= FL_OF;
        break;
    case CC_BASE_SHR: /* OF = MSB of the operand for a count of 1, else 0 */
        if ((cpu->cc_src2 & 31) == 1 && (a & sign))
            f |= FL_OF;
        break;
    default:
        break;
    }
    return f;
}

bool cpu_get_cf(const CpuState *cpu)
{
    uint32_t op = cpu->cc_op;
    if (op == CC_OP_EFLAGS)
        return cpu->eflags & FL_CF;
    return carry_flag(cpu, op / 3, 1u << (op % 3)) != 0;
}

bool cpu_cond_slow(const CpuState *cpu, unsigned cc)
{
    uint32_t f = cpu_compute_arith_flags(cpu);
    bool r;
    switch (cc >> 1) {
    case 0: r = f & FL_OF; break;
    case 1: r = f & FL_CF; break;
    case 2: r = f & FL_ZF; break;
    case 3: r = f & (FL_CF | FL_ZF); break;
    case 4: r = f & FL_SF; break;
    case 5: r = f & FL_PF; break;
    case 6: r = !(f & FL_SF) != !(f & FL_OF); break;
    default: r = (f & FL_ZF) || (!(f & FL_SF) != !(f & FL_OF)); break;
    }
    return (cc & 1) ? !r : r;
}
