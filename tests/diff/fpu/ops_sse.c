/* ops_sse.c — fpu-host-diff checks of the scalar SSE/SSE2 operations (exact: result bits and
 * the MXCSR exception flags; ZF/PF/CF for COMIS*). The packed forms are lane-wise the same
 * functions, so the scalar forms cover them. */
#include "diff.h"
#include "host_sse.h"

static uint64_t gen_val(Rng *r, bool wide, GenRange range)
{
    return wide ? gen_f64(r, range) : gen_f32(r, range);
}

static uint64_t gen_pair(Rng *r, uint64_t a, bool wide, char op)
{
    return wide ? gen_f64_pair(r, a, op) : gen_f32_pair(r, (uint32_t)a, op);
}

static HostSse host_run(HostSseOp op, bool wide, uint64_t a, uint64_t b, uint32_t mx)
{
    return wide ? host_sd(op, a, b, mx) : host_ss(op, a, b, mx);
}

/* `info` identifies the variant (predicate, integer width...) in the mismatch report. */
static void report(DiffCtx *c, uint64_t a, uint64_t b, unsigned info, HostSse h, uint64_t res,
                   const FpEnv *e)
{
    uint32_t hf = h.mxcsr & FP_ALL_EXC;
    diff_record(c, h.r == res && hf == e->flags,
                "a=%llx b=%llx variant=%u host=%llx flags=%02x lib=%llx flags=%02x",
                (unsigned long long)a, (unsigned long long)b, info, (unsigned long long)h.r, hf,
                (unsigned long long)res, e->flags);
}

/* Two-operand arithmetic and min/max. */
static void arith(DiffCtx *c, Rng *r, uint32_t mx, HostSseOp op, bool wide)
{
    static const char kinds[] = { '+', '+', '*', '/', '+', '+', '+' };
    uint64_t a = gen_val(r, wide, GEN_ANY), b = gen_pair(r, a, wide, kinds[op]);
    if (rng_bool(r)) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    if (op == HS_SQRT && rng_below(r, 3) == 0) /* non-negative inputs are the interesting ones */
        a &= wide ? ~(1ull << 63) : ~(1ull << 31);
    HostSse h = host_run(op, wide, a, b, mx);
    FpEnv e = diff_sse_env(mx);
    uint64_t res;
    switch (op) {
    case HS_ADD: res = wide ? f64_add(a, b, &e) : f32_add((uint32_t)a, (uint32_t)b, &e); break;
    case HS_SUB: res = wide ? f64_sub(a, b, &e) : f32_sub((uint32_t)a, (uint32_t)b, &e); break;
    case HS_MUL: res = wide ? f64_mul(a, b, &e) : f32_mul((uint32_t)a, (uint32_t)b, &e); break;
    case HS_DIV: res = wide ? f64_div(a, b, &e) : f32_div((uint32_t)a, (uint32_t)b, &e); break;
    case HS_SQRT: res = wide ? f64_sqrt(a, &e) : f32_sqrt((uint32_t)a, &e); break;
    case HS_MIN: res = wide ? f64_min(a, b, &e) : f32_min((uint32_t)a, (uint32_t)b, &e); break;
    default: res = wide ? f64_max(a, b, &e) : f32_max((uint32_t)a, (uint32_t)b, &e); break;
    }
    report(c, a, b, 0, h, res, &e);
}

static void cmp(DiffCtx *c, Rng *r, uint32_t mx, bool wide)
{
    uint64_t a = gen_val(r, wide, GEN_ANY), b = rng_below(r, 6) ? gen_pair(r, a, wide, '+') : a;
    unsigned pred = rng_below(r, 8);
    HostSse h = host_run((HostSseOp)(HS_CMP0 + pred), wide, a, b, mx);
    FpEnv e = diff_sse_env(mx);
    bool m = wide ? f64_cmp(a, b, (FpPredicate)pred, &e) : f32_cmp((uint32_t)a, (uint32_t)b, (FpPredicate)pred, &e);
    report(c, a, b, pred, h, m ? (wide ? ~0ull : 0xFFFFFFFFull) : 0, &e);
}

static void comi(DiffCtx *c, Rng *r, uint32_t mx, bool wide)
{
    uint64_t a = gen_val(r, wide, GEN_ANY), b = rng_below(r, 6) ? gen_pair(r, a, wide, '+') : a;
    bool quiet = rng_bool(r);
    HostSse h = host_run(quiet ? HS_UCOMI : HS_COMI, wide, a, b, mx);
    FpEnv e = diff_sse_env(mx);
    FpCmp res = wide ? f64_compare(a, b, quiet, &e) : f32_compare((uint32_t)a, (uint32_t)b, quiet, &e);
    h.r = (uint64_t)(h.zf << 6 | h.pf << 2 | h.cf);
    report(c, a, b, quiet, h, fp_cmp_eflags(res), &e);
}

static void cvt_float(DiffCtx *c, Rng *r, uint32_t mx, bool wide)
{
    uint64_t a = gen_val(r, wide, wide ? (rng_bool(r) ? GEN_F32 : GEN_ANY) : GEN_ANY);
    HostSse h = host_run(HS_CVT_TO_OTHER, wide, a, 0, mx);
    FpEnv e = diff_sse_env(mx);
    uint64_t res = wide ? f64_to_f32(a, &e) : f32_to_f64((uint32_t)a, &e);
    report(c, a, 0, 0, h, res, &e);
}

static void cvt_to_int(DiffCtx *c, Rng *r, uint32_t mx, bool wide)
{
    uint64_t a = gen_val(r, wide, rng_below(r, 4) ? GEN_INT : GEN_ANY);
    unsigned k = rng_below(r, 4); /* cvt/cvtt × 32/64 */
    bool trunc = k & 1, i64 = k & 2;
    HostSse h = host_run((HostSseOp)(HS_CVT_TO_I32 + k), wide, a, 0, mx);
    FpEnv e = diff_sse_env(mx);
    int64_t res;
    if (i64)
        res = wide ? f64_to_i64(a, trunc, &e) : f32_to_i64((uint32_t)a, trunc, &e);
    else
        res = wide ? f64_to_i32(a, trunc, &e) : f32_to_i32((uint32_t)a, trunc, &e);
    report(c, a, 0, k, h, (uint64_t)res, &e);
}

static void cvt_from_int(DiffCtx *c, Rng *r, uint32_t mx, bool wide)
{
    bool i64 = rng_bool(r);
    int64_t v = gen_int(r, i64 ? 64 : 32);
    HostSse h = host_run(i64 ? HS_CVT_FROM_I64 : HS_CVT_FROM_I32, wide, (uint64_t)v, 0, mx);
    FpEnv e = diff_sse_env(mx);
    uint64_t res;
    if (i64)
        res = wide ? f64_from_i64(v, &e) : f32_from_i64(v, &e);
    else
        res = wide ? f64_from_i32((int32_t)v, &e) : f32_from_i32((int32_t)v, &e);
    report(c, (uint64_t)v, 0, i64, h, res, &e);
}

#define ARITH(name, op)                                                                          \
    static void one_##name##ss(DiffCtx *c, Rng *r, uint32_t m) { arith(c, r, m, op, false); }   \
    static void one_##name##sd(DiffCtx *c, Rng *r, uint32_t m) { arith(c, r, m, op, true); }
ARITH(add, HS_ADD)
ARITH(sub, HS_SUB)
ARITH(mul, HS_MUL)
ARITH(div, HS_DIV)
ARITH(sqrt, HS_SQRT)
ARITH(min, HS_MIN)
ARITH(max, HS_MAX)

#define WIDTHS(name, fn)                                                                        \
    static void one_##name##s(DiffCtx *c, Rng *r, uint32_t m) { fn(c, r, m, false); }           \
    static void one_##name##d(DiffCtx *c, Rng *r, uint32_t m) { fn(c, r, m, true); }
WIDTHS(cmps, cmp)
WIDTHS(comis, comi)
WIDTHS(cvt_from_s, cvt_float)
WIDTHS(cvt_int_s, cvt_to_int)
WIDTHS(cvt_to_s, cvt_from_int)

const DiffOp diff_ops_sse[] = {
    { "addss", FAM_SSE, true, false, one_addss },
    { "addsd", FAM_SSE, true, false, one_addsd },
    { "subss", FAM_SSE, true, false, one_subss },
    { "subsd", FAM_SSE, true, false, one_subsd },
    { "mulss", FAM_SSE, true, false, one_mulss },
    { "mulsd", FAM_SSE, true, false, one_mulsd },
    { "divss", FAM_SSE, true, false, one_divss },
    { "divsd", FAM_SSE, true, false, one_divsd },
    { "sqrtss", FAM_SSE, true, false, one_sqrtss },
    { "sqrtsd", FAM_SSE, true, false, one_sqrtsd },
    { "minss", FAM_SSE, true, false, one_minss },
    { "minsd", FAM_SSE, true, false, one_minsd },
    { "maxss", FAM_SSE, true, false, one_maxss },
    { "maxsd", FAM_SSE, true, false, one_maxsd },
    { "cmpss", FAM_SSE, true, false, one_cmpss },
    { "cmpsd", FAM_SSE, true, false, one_cmpsd },
    { "comiss", FAM_SSE, true, false, one_comiss },
    { "comisd", FAM_SSE, true, false, one_comisd },
    { "cvtss2sd", FAM_SSE, true, false, one_cvt_from_ss },
    { "cvtsd2ss", FAM_SSE, true, false, one_cvt_from_sd },
    { "cvtss2si", FAM_SSE, true, false, one_cvt_int_ss },
    { "cvtsd2si", FAM_SSE, true, false, one_cvt_int_sd },
    { "cvtsi2ss", FAM_SSE, true, false, one_cvt_to_ss },
    { "cvtsi2sd", FAM_SSE, true, false, one_cvt_to_sd },
};
const unsigned diff_ops_sse_count = sizeof diff_ops_sse / sizeof diff_ops_sse[0];
