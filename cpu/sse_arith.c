/* sse_arith.c — SSE/SSE2 floating-point arithmetic: ADD/SUB/MUL/DIV/MIN/MAX/SQRT in their
 * packed and scalar single and double forms, CMPPS/CMPSS/CMPPD/CMPSD, COMISS/UCOMISS/
 * COMISD/UCOMISD, and the approximations RCPPS/RCPSS/RSQRTPS/RSQRTSS.
 *
 * Lanes are computed by cpu/fpu/sse_fp.c with the MXCSR environment; scalar forms change
 * only the low lane of the destination. RCP/RSQRT: Intel's table is not public, so vmm86
 * computes the exact reciprocal (of the square root) in binary64 and truncates it to 12
 * fraction bits: relative error < 2^-12, inside the architectural bound 1.5 * 2^-12, and
 * deterministic on every host. Like the hardware, they raise no exception and ignore DAZ/
 * FTZ: denormal inputs act as zeros and results below the normal range are zeros. */
#include "cpu/simd_internal.h"

typedef uint32_t (*F32Bin)(uint32_t a, uint32_t b, FpEnv *env);
typedef uint64_t (*F64Bin)(uint64_t a, uint64_t b, FpEnv *env);

static uint32_t f32_sqrt2(uint32_t a, uint32_t b, FpEnv *env) { (void)a; return f32_sqrt(b, env); }
static uint64_t f64_sqrt2(uint64_t a, uint64_t b, FpEnv *env) { (void)a; return f64_sqrt(b, env); }

/* dst = fn(dst, src) lane by lane: 4 or 1 singles, 2 or 1 doubles. */
static void fp_binop(CpuState *cpu, const DecodedInsn *insn, F32Bin f32, F64Bin f64, bool packed)
{
    simd_begin_sse(cpu);
    Vec128 d, s;
    simd_read(cpu, insn, 1, &s, true);
    simd_read(cpu, insn, 0, &d, false);
    FpEnv env = simd_env(cpu);
    if (f32) {
        for (unsigned i = 0; i < (packed ? 4u : 1u); i++)
            d.d[i] = f32(d.d[i], s.d[i], &env);
    } else {
        for (unsigned i = 0; i < (packed ? 2u : 1u); i++)
            d.q[i] = f64(d.q[i], s.q[i], &env);
    }
    simd_fp_finish(cpu, env.flags);
    simd_write(cpu, insn, 0, &d, false);
}

#define FP_OPS(NAME, f32fn, f64fn)                                                         \
    static void op_##NAME##ps(CpuState *cpu, const DecodedInsn *insn) { fp_binop(cpu, insn, f32fn, NULL, true); } \
    static void op_##NAME##ss(CpuState *cpu, const DecodedInsn *insn) { fp_binop(cpu, insn, f32fn, NULL, false); } \
    static void op_##NAME##pd(CpuState *cpu, const DecodedInsn *insn) { fp_binop(cpu, insn, NULL, f64fn, true); } \
    static void op_##NAME##sd(CpuState *cpu, const DecodedInsn *insn) { fp_binop(cpu, insn, NULL, f64fn, false); }
FP_OPS(add, f32_add, f64_add)
FP_OPS(sub, f32_sub, f64_sub)
FP_OPS(mul, f32_mul, f64_mul)
FP_OPS(div, f32_div, f64_div)
FP_OPS(min, f32_min, f64_min)
FP_OPS(max, f32_max, f64_max)
FP_OPS(sqrt, f32_sqrt2, f64_sqrt2)

/* ---- compares ------------------------------------------------------------------------------------ */

/* CMPccPS/SS/PD/SD: all-ones or zero per lane; the predicate is imm8 bits 0-2. */
static void fp_cmp(CpuState *cpu, const DecodedInsn *insn, bool dbl, bool packed)
{
    simd_begin_sse(cpu);
    Vec128 d, s;
    simd_read(cpu, insn, 1, &s, true);
    simd_read(cpu, insn, 0, &d, false);
    FpEnv env = simd_env(cpu);
    FpPredicate pred = (FpPredicate)(insn->imm & 7);
    if (!dbl) {
        for (unsigned i = 0; i < (packed ? 4u : 1u); i++)
            d.d[i] = f32_cmp(d.d[i], s.d[i], pred, &env) ? 0xFFFFFFFFu : 0;
    } else {
        for (unsigned i = 0; i < (packed ? 2u : 1u); i++)
            d.q[i] = f64_cmp(d.q[i], s.q[i], pred, &env) ? ~0ull : 0;
    }
    simd_fp_finish(cpu, env.flags);
    simd_write(cpu, insn, 0, &d, false);
}

static void op_cmpps(CpuState *cpu, const DecodedInsn *insn) { fp_cmp(cpu, insn, false, true); }
static void op_cmpss(CpuState *cpu, const DecodedInsn *insn) { fp_cmp(cpu, insn, false, false); }
static void op_cmppd(CpuState *cpu, const DecodedInsn *insn) { fp_cmp(cpu, insn, true, true); }
static void op_cmpsd(CpuState *cpu, const DecodedInsn *insn) { fp_cmp(cpu, insn, true, false); }

/* COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF from the comparison; OF, SF, AF cleared. */
static void fp_comi(CpuState *cpu, const DecodedInsn *insn, bool dbl, bool quiet)
{
    simd_begin_sse(cpu);
    Vec128 d, s;
    simd_read(cpu, insn, 1, &s, false);
    simd_read(cpu, insn, 0, &d, false);
    FpEnv env = simd_env(cpu);
    FpCmp c = dbl ? f64_compare(d.q[0], s.q[0], quiet, &env) : f32_compare(d.d[0], s.d[0], quiet, &env);
    simd_fp_finish(cpu, env.flags);
    cpu_set_arith_flags(cpu, fp_cmp_eflags(c));
}

static void op_comiss(CpuState *cpu, const DecodedInsn *insn) { fp_comi(cpu, insn, false, false); }
static void op_ucomiss(CpuState *cpu, const DecodedInsn *insn) { fp_comi(cpu, insn, false, true); }
static void op_comisd(CpuState *cpu, const DecodedInsn *insn) { fp_comi(cpu, insn, true, false); }
static void op_ucomisd(CpuState *cpu, const DecodedInsn *insn) { fp_comi(cpu, insn, true, true); }

/* ---- RCP / RSQRT ------------------------------------------------------------------------------------ */

#define F64_ONE 0x3FF0000000000000ull

/* Rounds a positive finite binary64 down to 12 fraction bits and narrows it to binary32
 * (results below 2^-126 become zero; the inputs keep results below 2^128). */
static uint32_t approx_narrow(uint64_t r, bool neg)
{
    int32_t e = (int32_t)((r >> 52) & 0x7FF) - 1023;
    uint32_t sign = neg ? 0x80000000u : 0;
    if (e < -126)
        return sign;
    uint32_t frac = (uint32_t)((r >> (52 - 12)) & 0xFFF) << (23 - 12);
    return sign | (uint32_t)(e + 127) << 23 | frac;
}

/* Special operands shared by RCP and RSQRT: NaNs (quieted), zeros and denormals (infinity
 * of the same sign), infinities (zero of the same sign). Returns true when handled. */
static bool approx_special(uint32_t a, uint32_t *out)
{
    uint32_t sign = a & 0x80000000u, e = (a >> 23) & 0xFF;
    if (e == 0xFF && (a & 0x7FFFFF)) {
        *out = a | 0x00400000u;
        return true;
    }
    if (e == 0xFF) {
        *out = sign;
        return true;
    }
    if (e == 0) {
        *out = sign | 0x7F800000u;
        return true;
    }
    return false;
}

static uint32_t approx_rcp(uint32_t a)
{
    uint32_t r;
    if (approx_special(a, &r))
        return r;
    FpEnv env = { .round = FP_RC_NEAREST, .masks = FP_ALL_EXC };
    uint64_t x = f32_to_f64(a & 0x7FFFFFFFu, &env);
    return approx_narrow(f64_div(F64_ONE, x, &env), a >> 31);
}

static uint32_t approx_rsqrt(uint32_t a)
{
    uint32_t r;
    if ((a & 0x80000000u) && ((a >> 23) & 0xFF) != 0 && !(((a >> 23) & 0xFF) == 0xFF && (a & 0x7FFFFF)))
        return F32_DEFAULT_NAN; /* negative nonzero (denormals count as zero), -inf */
    if (approx_special(a, &r))
        return r;
    FpEnv env = { .round = FP_RC_NEAREST, .masks = FP_ALL_EXC };
    uint64_t x = f32_to_f64(a, &env);
    return approx_narrow(f64_div(F64_ONE, f64_sqrt(x, &env), &env), false);
}

static void fp_approx(CpuState *cpu, const DecodedInsn *insn, uint32_t (*fn)(uint32_t), bool packed)
{
    simd_begin_sse(cpu);
    Vec128 d, s;
    simd_read(cpu, insn, 1, &s, true);
    simd_read(cpu, insn, 0, &d, false);
    for (unsigned i = 0; i < (packed ? 4u : 1u); i++)
        d.d[i] = fn(s.d[i]);
    simd_write(cpu, insn, 0, &d, false);
}

static void op_rcpps(CpuState *cpu, const DecodedInsn *insn) { fp_approx(cpu, insn, approx_rcp, true); }
static void op_rcpss(CpuState *cpu, const DecodedInsn *insn) { fp_approx(cpu, insn, approx_rcp, false); }
static void op_rsqrtps(CpuState *cpu, const DecodedInsn *insn) { fp_approx(cpu, insn, approx_rsqrt, true); }
static void op_rsqrtss(CpuState *cpu, const DecodedInsn *insn) { fp_approx(cpu, insn, approx_rsqrt, false); }

void sse_arith_register(InsnHandler *t)
{
#define REG4(NAME, name)                                                                   \
    t[OP_##NAME##PS] = op_##name##ps;                                                      \
    t[OP_##NAME##SS] = op_##name##ss;                                                      \
    t[OP_##NAME##PD] = op_##name##pd;                                                      \
    t[OP_##NAME##SD] = op_##name##sd;
    REG4(ADD, add)
    REG4(SUB, sub)
    REG4(MUL, mul)
    REG4(DIV, div)
    REG4(MIN, min)
    REG4(MAX, max)
    REG4(SQRT, sqrt)
#undef REG4
    t[OP_CMPPS] = op_cmpps;
    t[OP_CMPSS] = op_cmpss;
    t[OP_CMPPD] = op_cmppd;
    t[OP_CMPSD_SSE] = op_cmpsd;
    t[OP_COMISS] = op_comiss;
    t[OP_UCOMISS] = op_ucomiss;
    t[OP_COMISD] = op_comisd;
    t[OP_UCOMISD] = op_ucomisd;
    t[OP_RCPPS] = op_rcpps;
    t[OP_RCPSS] = op_rcpss;
    t[OP_RSQRTPS] = op_rsqrtps;
    t[OP_RSQRTSS] = op_rsqrtss;
}
