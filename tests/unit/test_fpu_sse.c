/* test_fpu_sse.c — edge cases of the SSE/SSE2 half of cpu/fpu, with the host as the oracle.
 *
 * Each case runs the scalar instruction on the host (tests/diff/fpu/host_sse.h) under an
 * MXCSR and expects the library to give the same bits and MXCSR flags. The corners: DAZ and
 * FTZ (and tininess after rounding under FTZ), MIN/MAX's "second operand" rules for NaNs and
 * signed zeros, SSE NaN selection (first operand, default NaN), compare predicates on NaNs,
 * and the integer-indefinite conversions.
 */
#include <criterion/criterion.h>

#include "cpu/fpu/sse_fp.h"

#if defined(__x86_64__)
#include "diff/fpu/host_sse.h"

/* All rounding modes × DAZ × FTZ, exceptions masked. */
static uint32_t mode_mxcsr(unsigned i)
{
    return 0x1F80 | (i & 3) << 13 | ((i >> 2) & 1) << 6 | ((i >> 3) & 1) << 15;
}
#define N_MODES 16

static uint64_t lib_op(HostSseOp op, bool wide, uint64_t a, uint64_t b, FpEnv *e)
{
    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
    switch (op) {
    case HS_ADD: return wide ? f64_add(a, b, e) : f32_add(a32, b32, e);
    case HS_SUB: return wide ? f64_sub(a, b, e) : f32_sub(a32, b32, e);
    case HS_MUL: return wide ? f64_mul(a, b, e) : f32_mul(a32, b32, e);
    case HS_DIV: return wide ? f64_div(a, b, e) : f32_div(a32, b32, e);
    case HS_SQRT: return wide ? f64_sqrt(a, e) : f32_sqrt(a32, e);
    case HS_MIN: return wide ? f64_min(a, b, e) : f32_min(a32, b32, e);
    case HS_MAX: return wide ? f64_max(a, b, e) : f32_max(a32, b32, e);
    case HS_CVT_TO_OTHER: return wide ? f64_to_f32(a, e) : f32_to_f64(a32, e);
    case HS_CVT_TO_I32: return (uint64_t)(int64_t)(wide ? f64_to_i32(a, false, e) : f32_to_i32(a32, false, e));
    case HS_CVTT_TO_I32: return (uint64_t)(int64_t)(wide ? f64_to_i32(a, true, e) : f32_to_i32(a32, true, e));
    case HS_CVT_TO_I64: return (uint64_t)(wide ? f64_to_i64(a, false, e) : f32_to_i64(a32, false, e));
    case HS_CVTT_TO_I64: return (uint64_t)(wide ? f64_to_i64(a, true, e) : f32_to_i64(a32, true, e));
    case HS_CVT_FROM_I32: return wide ? f64_from_i32((int32_t)a, e) : f32_from_i32((int32_t)a, e);
    case HS_CVT_FROM_I64: return wide ? f64_from_i64((int64_t)a, e) : f32_from_i64((int64_t)a, e);
    case HS_COMI:
    case HS_UCOMI:
        return fp_cmp_eflags(wide ? f64_compare(a, b, op == HS_UCOMI, e)
                                  : f32_compare(a32, b32, op == HS_UCOMI, e));
    default: { /* CMPxx predicate */
        FpPredicate p = (FpPredicate)(op - HS_CMP0);
        bool m = wide ? f64_cmp(a, b, p, e) : f32_cmp(a32, b32, p, e);
        return m ? (wide ? ~0ull : 0xFFFFFFFFull) : 0;
    }
    }
}

static void expect_host(HostSseOp op, bool wide, uint64_t a, uint64_t b, uint32_t mx, const char *what)
{
    HostSse h = wide ? host_sd(op, a, b, mx) : host_ss(op, a, b, mx);
    if (op == HS_COMI || op == HS_UCOMI)
        h.r = (uint64_t)(h.zf << 6 | h.pf << 2 | h.cf);
    FpEnv e = fp_env_from_mxcsr(mx);
    e.flags = 0;
    uint64_t r = lib_op(op, wide, a, b, &e);
    cr_expect_eq(h.r, r, "%s op %d %s a=%llx b=%llx mxcsr=%04x: host %llx lib %llx", what, op,
                 wide ? "sd" : "ss", (unsigned long long)a, (unsigned long long)b, mx,
                 (unsigned long long)h.r, (unsigned long long)r);
    cr_expect_eq(h.mxcsr & FP_ALL_EXC, e.flags, "%s op %d %s a=%llx b=%llx mxcsr=%04x: flags host %02x lib %02x",
                 what, op, wide ? "sd" : "ss", (unsigned long long)a, (unsigned long long)b, mx,
                 h.mxcsr & FP_ALL_EXC, e.flags);
}

static void expect_all_modes(HostSseOp op, bool wide, uint64_t a, uint64_t b, const char *what)
{
    for (unsigned i = 0; i < N_MODES; i++)
        expect_host(op, wide, a, b, mode_mxcsr(i), what);
}

Test(fpu_sse, daz_ftz_and_tininess)
{
    /* binary32: min normal 0x00800000, max denormal 0x007FFFFF */
    expect_all_modes(HS_MUL, false, 0x00800000, 0x3F000000, "min normal / 2");
    expect_all_modes(HS_MUL, false, 0x00FFFFFF, 0x3F7FFFFF, "rounds up to min normal: not tiny");
    expect_all_modes(HS_MUL, false, 0x00800001, 0x3F7FFFFF, "just below min normal");
    expect_all_modes(HS_ADD, false, 0x00000001, 0x00000001, "denormal + denormal");
    expect_all_modes(HS_ADD, false, 0x007FFFFF, 0x80000000, "denormal + -0");
    expect_all_modes(HS_SQRT, false, 0x00000004, 0, "sqrt denormal");
    expect_all_modes(HS_SQRT, false, 0x80000004, 0, "sqrt negative denormal (DAZ: -0)");
    expect_all_modes(HS_MUL, true, 0x0010000000000000ull, 0x3FEFFFFFFFFFFFFFull, "f64 tininess");
    expect_all_modes(HS_MUL, true, 0x001FFFFFFFFFFFFFull, 0x3FEFFFFFFFFFFFFFull, "f64 rounds to normal");
    expect_all_modes(HS_DIV, true, 0x0000000000000001ull, 0x4000000000000000ull, "half the min denormal");
    expect_all_modes(HS_CVT_TO_OTHER, true, 0x3800000000000000ull, 0, "cvtsd2ss to denormal");
    expect_all_modes(HS_CVT_TO_OTHER, true, 0x380FFFFFE0000000ull, 0, "cvtsd2ss at the f32 threshold");
    expect_all_modes(HS_CVT_TO_OTHER, false, 0x00000001, 0, "cvtss2sd of a denormal");
    expect_all_modes(HS_CVT_TO_I32, false, 0x00000001, 0, "cvtss2si of a denormal");
    expect_all_modes(HS_MUL, false, 0x7F7FFFFF, 0x40000000, "overflow");
    expect_all_modes(HS_MUL, true, 0xFFEFFFFFFFFFFFFFull, 0x4000000000000000ull, "negative overflow");
}

Test(fpu_sse, min_max_rules)
{
    static const uint32_t v[] = { 0x00000000, 0x80000000, 0x7FC00001, 0xFFC00002, 0x7F800001,
                                  0x3F800000, 0x00000010, 0x80000010, 0x7F800000 };
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        for (unsigned j = 0; j < sizeof v / sizeof v[0]; j++) {
            expect_host(HS_MIN, false, v[i], v[j], 0x1F80, "minss");
            expect_host(HS_MAX, false, v[i], v[j], 0x1F80, "maxss");
            expect_host(HS_MIN, false, v[i], v[j], 0x1FC0, "minss DAZ");
            expect_host(HS_MAX, true, (uint64_t)v[i] << 32, (uint64_t)v[j] << 32, 0x1F80, "maxsd");
        }
}

Test(fpu_sse, nan_rules_and_compares)
{
    static const uint64_t v[] = { 0x7FF8000000000001ull, 0xFFF0000000000002ull, 0x7FF0000000000000ull,
                                  0x0000000000000001ull, 0x8000000000000000ull, 0x3FF0000000000000ull };
    for (unsigned i = 0; i < 6; i++)
        for (unsigned j = 0; j < 6; j++) {
            expect_host(HS_ADD, true, v[i], v[j], 0x1F80, "addsd");
            expect_host(HS_SUB, true, v[i], v[j], 0x1F80, "subsd");
            expect_host(HS_MUL, true, v[i], v[j], 0x1F80, "mulsd");
            expect_host(HS_DIV, true, v[i], v[j], 0x1F80, "divsd");
            expect_host(HS_COMI, true, v[i], v[j], 0x1F80, "comisd");
            expect_host(HS_UCOMI, true, v[i], v[j], 0x1F80, "ucomisd");
            for (int p = 0; p < 8; p++)
                expect_host((HostSseOp)(HS_CMP0 + p), true, v[i], v[j], 0x1F80, "cmpsd");
        }
    expect_host(HS_CVT_TO_OTHER, true, 0x7FF0000000000001ull, 0, 0x1F80, "cvtsd2ss SNaN");
    expect_host(HS_CVT_TO_OTHER, false, 0xFFA00001, 0, 0x1F80, "cvtss2sd SNaN payload");
    expect_host(HS_SQRT, false, 0xBF800000, 0, 0x1F80, "sqrt(-1): default NaN");
}

Test(fpu_sse, integer_conversions)
{
    static const uint32_t f[] = { 0x4F000000, 0x4EFFFFFF, 0xCF000000, 0xCF000001, 0x3F000000,
                                  0xBFC00000, 0x40200000, 0x7FC00000, 0xFF800000, 0x5F000000 };
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++)
        for (unsigned m = 0; m < 4; m++)
            for (int op = HS_CVT_TO_I32; op <= HS_CVTT_TO_I64; op++)
                expect_host((HostSseOp)op, false, f[i], 0, mode_mxcsr(m), "cvt(t)ss2si");
    static const int64_t n[] = { 16777217, -16777217, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN,
                                 (1ll << 53) + 1, 0 };
    for (unsigned i = 0; i < sizeof n / sizeof n[0]; i++)
        for (unsigned m = 0; m < 4; m++) {
            expect_host(HS_CVT_FROM_I32, false, (uint64_t)(int64_t)(int32_t)n[i], 0, mode_mxcsr(m), "cvtsi2ss");
            expect_host(HS_CVT_FROM_I64, false, (uint64_t)n[i], 0, mode_mxcsr(m), "cvtsi2ss q");
            expect_host(HS_CVT_FROM_I64, true, (uint64_t)n[i], 0, mode_mxcsr(m), "cvtsi2sd q");
        }
}

#else

Test(fpu_sse, host_oracle_unavailable)
{
    cr_skip_test("the SSE oracle tests need an x86-64 host");
}

#endif
