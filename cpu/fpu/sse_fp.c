/* sse_fp.c — SSE/SSE2 scalar binary32/binary64 operations (see sse_fp.h).
 *
 * Both widths share one implementation: values travel as uint64_t bit patterns plus a
 * `wide` flag, are unpacked into FpVal (DAZ applied there) and rounded with the format's
 * FpFormat (FTZ applied there). Exception priority is the x87's: SNaN/QNaN first, then the
 * operation's own invalid cases and divide-by-zero, then DE, then OE/UE/PE.
 */
#include "cpu/fpu/fp_internal.h"
#include "cpu/fpu/sse_fp.h"

/* --- format plumbing ------------------------------------------------------------------ */

static FpVal sse_unpack(uint64_t a, bool wide, const FpEnv *env)
{
    return wide ? fp_unpack64(a, env->daz) : fp_unpack32((uint32_t)a, env->daz);
}

static FpFormat sse_format(bool wide, const FpEnv *env)
{
    FpFormat f = wide ? fp_format64 : fp_format32;
    f.ftz = env->ftz;
    return f;
}

static uint64_t sse_pack(FpPacked p, bool wide) { return wide ? fp_pack64(p) : fp_pack32(p); }

static uint64_t sse_nan(const FpVal *v, bool wide)
{
    return wide ? fp_nan64(v->sign, v->sig) : fp_nan32(v->sign, v->sig);
}

static uint64_t sse_default_nan(FpEnv *env, bool wide)
{
    env->flags |= FP_IE;
    return wide ? F64_DEFAULT_NAN : F32_DEFAULT_NAN;
}

static uint64_t sse_inf(bool sign, bool wide)
{
    return wide ? (uint64_t)sign << 63 | 0x7FF0000000000000ull : (uint64_t)sign << 31 | 0x7F800000u;
}

static uint64_t sse_zero(bool sign, bool wide) { return (uint64_t)sign << (wide ? 63 : 31); }

static uint64_t sse_round(FpEnv *env, bool wide, bool sign, int32_t exp, FpU128 sig)
{
    FpFormat f = sse_format(wide, env);
    return sse_pack(fp_round(env, &f, sign, exp, sig), wide);
}

/* NaN operands: IE for an SNaN, the first NaN operand quieted. */
static bool sse_nan_operands(const FpVal *a, const FpVal *b, bool wide, uint64_t *out, FpEnv *env)
{
    bool an = fp_is_nan(a), bn = b && fp_is_nan(b);
    if (!an && !bn)
        return false;
    if (a->kind == FPK_SNAN || (b && b->kind == FPK_SNAN))
        env->flags |= FP_IE;
    *out = sse_nan(an ? a : b, wide);
    return true;
}

static void sse_denormals(const FpVal *a, const FpVal *b, FpEnv *env)
{
    if (a->denorm || (b && b->denorm))
        env->flags |= FP_DE;
}

/* --- arithmetic ----------------------------------------------------------------------- */

static uint64_t sse_addsub(FpVal a, FpVal b, bool negate, bool wide, FpEnv *env)
{
    uint64_t out;
    if (sse_nan_operands(&a, &b, wide, &out, env))
        return out;
    b.sign ^= negate;
    if (a.kind == FPK_INF || b.kind == FPK_INF) {
        if (a.kind == FPK_INF && b.kind == FPK_INF && a.sign != b.sign)
            return sse_default_nan(env, wide);
        sse_denormals(&a, &b, env);
        return sse_inf(a.kind == FPK_INF ? a.sign : b.sign, wide);
    }
    sse_denormals(&a, &b, env);
    if (a.kind == FPK_ZERO && b.kind == FPK_ZERO)
        return sse_zero(a.sign == b.sign ? a.sign : fp_zero_sum_sign(env), wide);
    if (a.kind == FPK_ZERO || b.kind == FPK_ZERO) {
        const FpVal *v = a.kind == FPK_ZERO ? &b : &a; /* may still flush (FTZ) */
        return sse_round(env, wide, v->sign, v->exp, (FpU128)v->sig << 64);
    }
    bool s;
    int32_t e;
    FpU128 m;
    if (!fp_add_core(&a, &b, false, &s, &e, &m))
        return sse_zero(fp_zero_sum_sign(env), wide);
    return sse_round(env, wide, s, e, m);
}

static uint64_t sse_mul(FpVal a, FpVal b, bool wide, FpEnv *env)
{
    uint64_t out;
    if (sse_nan_operands(&a, &b, wide, &out, env))
        return out;
    bool s = a.sign ^ b.sign;
    if (a.kind == FPK_INF || b.kind == FPK_INF) {
        if (a.kind == FPK_ZERO || b.kind == FPK_ZERO)
            return sse_default_nan(env, wide);
        sse_denormals(&a, &b, env);
        return sse_inf(s, wide);
    }
    sse_denormals(&a, &b, env);
    if (a.kind == FPK_ZERO || b.kind == FPK_ZERO)
        return sse_zero(s, wide);
    int32_t e;
    FpU128 m;
    fp_mul_core(&a, &b, &s, &e, &m);
    return sse_round(env, wide, s, e, m);
}

static uint64_t sse_div(FpVal a, FpVal b, bool wide, FpEnv *env)
{
    uint64_t out;
    if (sse_nan_operands(&a, &b, wide, &out, env))
        return out;
    bool s = a.sign ^ b.sign;
    if (a.kind == b.kind && (a.kind == FPK_INF || a.kind == FPK_ZERO))
        return sse_default_nan(env, wide);
    if (b.kind == FPK_ZERO && a.kind == FPK_FINITE) {
        env->flags |= FP_ZE;
        return sse_inf(s, wide);
    }
    sse_denormals(&a, &b, env);
    if (a.kind == FPK_INF || b.kind == FPK_ZERO)
        return sse_inf(s, wide);
    if (a.kind == FPK_ZERO || b.kind == FPK_INF)
        return sse_zero(s, wide);
    int32_t e;
    FpU128 m;
    fp_div_core(&a, &b, &s, &e, &m);
    return sse_round(env, wide, s, e, m);
}

static uint64_t sse_sqrt(FpVal a, bool wide, FpEnv *env)
{
    uint64_t out;
    if (sse_nan_operands(&a, NULL, wide, &out, env))
        return out;
    if (a.kind == FPK_ZERO)
        return sse_zero(a.sign, wide);
    if (a.sign)
        return sse_default_nan(env, wide);
    if (a.kind == FPK_INF)
        return sse_inf(false, wide);
    sse_denormals(&a, NULL, env);
    int32_t e;
    FpU128 m;
    fp_sqrt_core(&a, &e, &m);
    return sse_round(env, wide, false, e, m);
}

/* --- min / max / compares ---------------------------------------------------------------- */

/* MIN/MAX are compares: any NaN raises IE and, like equal values (±0 included), yields the
 * second operand unchanged. `a` and `b` are the raw operands (the unchanged source is
 * returned, unless DAZ read it as zero). */
static uint64_t sse_minmax(uint64_t a, uint64_t b, bool max, bool wide, FpEnv *env)
{
    FpVal x = sse_unpack(a, wide, env), y = sse_unpack(b, wide, env);
    bool take_a = false;
    if (fp_is_nan(&x) || fp_is_nan(&y)) {
        env->flags |= FP_IE;
    } else {
        sse_denormals(&x, &y, env);
        FpCmp c = fp_cmp_vals(&x, &y);
        take_a = max ? c == FP_CMP_GREATER : c == FP_CMP_LESS;
    }
    const FpVal *v = take_a ? &x : &y;
    if (v->kind == FPK_ZERO)
        return sse_zero(v->sign, wide); /* a DAZ-flushed denormal comes out as zero */
    return take_a ? a : b;
}

static FpCmp sse_compare(uint64_t a, uint64_t b, bool quiet, bool wide, FpEnv *env)
{
    FpVal x = sse_unpack(a, wide, env), y = sse_unpack(b, wide, env);
    if (fp_is_nan(&x) || fp_is_nan(&y)) {
        if (!quiet || x.kind == FPK_SNAN || y.kind == FPK_SNAN)
            env->flags |= FP_IE;
        return FP_CMP_UNORDERED;
    }
    sse_denormals(&x, &y, env);
    return fp_cmp_vals(&x, &y);
}

static bool sse_cmp(uint64_t a, uint64_t b, FpPredicate pred, bool wide, FpEnv *env)
{
    /* EQ, UNORD, NEQ, ORD are quiet; LT, LE, NLT, NLE signal on QNaN too. */
    bool quiet = (pred & 3) == FP_PRED_EQ || (pred & 3) == FP_PRED_UNORD;
    FpCmp c = sse_compare(a, b, quiet, wide, env);
    bool r;
    switch (pred & 3) {
    case FP_PRED_EQ: r = c == FP_CMP_EQUAL; break;
    case FP_PRED_LT: r = c == FP_CMP_LESS; break;
    case FP_PRED_LE: r = c == FP_CMP_LESS || c == FP_CMP_EQUAL; break;
    default: r = c == FP_CMP_UNORDERED; break;
    }
    return (pred & 4) ? !r : r; /* NEQ, NLT, NLE, ORD are the negations */
}

/* --- conversions ----------------------------------------------------------------------- */

/* CVTSS2SD / CVTSD2SS. */
static uint64_t sse_convert(uint64_t a, bool from_wide, FpEnv *env)
{
    FpVal v = sse_unpack(a, from_wide, env);
    bool to_wide = !from_wide;
    uint64_t out;
    if (sse_nan_operands(&v, NULL, to_wide, &out, env))
        return out;
    if (v.kind == FPK_INF)
        return sse_inf(v.sign, to_wide);
    if (v.kind == FPK_ZERO)
        return sse_zero(v.sign, to_wide);
    sse_denormals(&v, NULL, env);
    return sse_round(env, to_wide, v.sign, v.exp, (FpU128)v.sig << 64);
}

/* CVT(T)SS2SI / CVT(T)SD2SI: IE and the integer indefinite when out of range. */
static int64_t sse_to_int(uint64_t a, bool wide, bool truncate, int bits, FpEnv *env)
{
    const int64_t indefinite = INT64_MIN >> (64 - bits);
    FpVal v = sse_unpack(a, wide, env);
    if (v.kind == FPK_ZERO)
        return 0;
    if (v.kind != FPK_FINITE) {
        env->flags |= FP_IE;
        return indefinite;
    }
    uint64_t mag, limit = (1ull << (bits - 1)) - (v.sign ? 0 : 1);
    bool inexact, up;
    if (!fp_round_int_mag(&v, truncate ? FP_RC_ZERO : env->round, &mag, &inexact, &up) ||
        mag > limit) {
        env->flags |= FP_IE;
        return indefinite;
    }
    if (inexact)
        env->flags |= FP_PE;
    return v.sign ? (int64_t)(0 - mag) : (int64_t)mag;
}

/* CVTSI2SS / CVTSI2SD: exact or rounded (PE). */
static uint64_t sse_from_int(int64_t v, bool wide, FpEnv *env)
{
    if (v == 0)
        return 0;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int sh = fp_clz64(mag);
    return sse_round(env, wide, v < 0, 63 - sh, (FpU128)(mag << sh) << 64);
}

/* --- public entry points ------------------------------------------------------------------ */

#define SSE_UNPACK2(w) sse_unpack(a, w, env), sse_unpack(b, w, env)

uint32_t f32_add(uint32_t a, uint32_t b, FpEnv *env) { return (uint32_t)sse_addsub(SSE_UNPACK2(false), false, false, env); }
uint32_t f32_sub(uint32_t a, uint32_t b, FpEnv *env) { return (uint32_t)sse_addsub(SSE_UNPACK2(false), true, false, env); }
uint32_t f32_mul(uint32_t a, uint32_t b, FpEnv *env) { return (uint32_t)sse_mul(SSE_UNPACK2(false), false, env); }
uint32_t f32_div(uint32_t a, uint32_t b, FpEnv *env) { return (uint32_t)sse_div(SSE_UNPACK2(false), false, env); }
uint32_t f32_sqrt(uint32_t a, FpEnv *env) { return (uint32_t)sse_sqrt(sse_unpack(a, false, env), false, env); }
uint32_t f32_min(uint32_t a, uint32_t b, FpEnv *env) { return (uint32_t)sse_minmax(a, b, false, false, env); }
uint32_t f32_max(uint32_t a, uint32_t b, FpEnv *env) { return (uint32_t)sse_minmax(a, b, true, false, env); }
bool f32_cmp(uint32_t a, uint32_t b, FpPredicate p, FpEnv *env) { return sse_cmp(a, b, p, false, env); }
FpCmp f32_compare(uint32_t a, uint32_t b, bool quiet, FpEnv *env) { return sse_compare(a, b, quiet, false, env); }
uint64_t f32_to_f64(uint32_t a, FpEnv *env) { return sse_convert(a, false, env); }
uint32_t f32_from_i32(int32_t v, FpEnv *env) { return (uint32_t)sse_from_int(v, false, env); }
uint32_t f32_from_i64(int64_t v, FpEnv *env) { return (uint32_t)sse_from_int(v, false, env); }
int32_t f32_to_i32(uint32_t a, bool truncate, FpEnv *env) { return (int32_t)sse_to_int(a, false, truncate, 32, env); }
int64_t f32_to_i64(uint32_t a, bool truncate, FpEnv *env) { return sse_to_int(a, false, truncate, 64, env); }

uint64_t f64_add(uint64_t a, uint64_t b, FpEnv *env) { return sse_addsub(SSE_UNPACK2(true), false, true, env); }
uint64_t f64_sub(uint64_t a, uint64_t b, FpEnv *env) { return sse_addsub(SSE_UNPACK2(true), true, true, env); }
uint64_t f64_mul(uint64_t a, uint64_t b, FpEnv *env) { return sse_mul(SSE_UNPACK2(true), true, env); }
uint64_t f64_div(uint64_t a, uint64_t b, FpEnv *env) { return sse_div(SSE_UNPACK2(true), true, env); }
uint64_t f64_sqrt(uint64_t a, FpEnv *env) { return sse_sqrt(sse_unpack(a, true, env), true, env); }
uint64_t f64_min(uint64_t a, uint64_t b, FpEnv *env) { return sse_minmax(a, b, false, true, env); }
uint64_t f64_max(uint64_t a, uint64_t b, FpEnv *env) { return sse_minmax(a, b, true, true, env); }
bool f64_cmp(uint64_t a, uint64_t b, FpPredicate p, FpEnv *env) { return sse_cmp(a, b, p, true, env); }
FpCmp f64_compare(uint64_t a, uint64_t b, bool quiet, FpEnv *env) { return sse_compare(a, b, quiet, true, env); }
uint32_t f64_to_f32(uint64_t a, FpEnv *env) { return (uint32_t)sse_convert(a, true, env); }
uint64_t f64_from_i32(int32_t v, FpEnv *env) { return sse_from_int(v, true, env); }
uint64_t f64_from_i64(int64_t v, FpEnv *env) { return sse_from_int(v, true, env); }
int32_t f64_to_i32(uint64_t a, bool truncate, FpEnv *env) { return (int32_t)sse_to_int(a, true, truncate, 32, env); }
int64_t f64_to_i64(uint64_t a, bool truncate, FpEnv *env) { return sse_to_int(a, true, truncate, 64, env); }
