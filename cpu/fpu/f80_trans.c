/* f80_trans.c — the x87 transcendental instructions (see f80.h).
 *
 * Each result is evaluated in 128-bit working precision (fp_big.c) and rounded once to the
 * 64-bit register format with the current rounding mode. Where Intel's own algorithm shows
 * through in its results, the library reproduces it, from measurements against the host:
 * the trigonometric functions reduce their argument modulo the 66-bit internal pi (SDM
 * Vol. 1 §8.3.8), not the true pi, which makes large arguments match; some intermediates
 * are truncated to 67 bits as the hardware's are; tiny arguments take the hardware's
 * shortcuts; PE is reported even for exact results. Intel promises less than 1 ulp of
 * error (1.5 in directed modes); the library agrees bit for bit on 95-99% of inputs and
 * within that bound on the rest (tests/diff/fpu/ops_trans.c lists the differences).
 * Precision control does not apply to any of these.
 */
#include "cpu/fpu/fp_big.h"

/* The x87 evaluates logarithms, arctangent quotients and the sine and cosine it divides
 * for FPTAN to 67 bits and truncates them (measured on Intel): modelling that removes
 * most last-bit differences (FYL2X: 6% -> 2.4% of the diff tool's inputs; FPTAN near
 * multiples of pi: 75% -> 0%). FSIN and FCOS results fit best without it. */
#define X87_INNER_BITS 67

/* log2 of a positive value: e + ln(m) * log2(e) with m in [sqrt(1/2), sqrt(2)) and
 * ln(m) = 2 atanh((m - 1) / (m + 1)). */
static FpBig big_log2(FpBig x)
{
    const FpU128 sqrt2 = (FpU128)0xB504F333F9DE6484ull << 64;
    int32_t e = x.e;
    FpBig m = x;
    m.e = 0;
    if (m.m > sqrt2) {
        m.e = -1;
        e++;
    }
    FpBig one = big_from_int(1);
    FpBig s = big_div(big_sub(m, one), big_add(m, one));
    FpBig lg = big_mul(big_ln1p_ratio(s), big_const(&big_log2e, false));
    return big_add(big_from_int(e), lg);
}

/* A rounded constant such as pi/2 (FPATAN's exact-angle results). */
static Float80 const_result(const FpBigConst *c, bool neg, FpEnv *env)
{
    return big_to_f80(big_const(c, neg), env);
}

/* --- F2XM1 ---------------------------------------------------------------------------- */

Float80 f80_f2xm1(Float80 x, FpEnv *env)
{
    FpVal a = fp_unpack80(x);
    Float80 out;
    if (fp_x87_nan_operands(&a, NULL, &out, env))
        return out;
    env->c1 = false;
    if (a.kind == FPK_ZERO)
        return x;
    if (a.kind == FPK_INF) /* 2^-inf - 1 = -1 */
        return a.sign ? f80_make(0xBFFF, FP_TOP64) : x;
    fp_x87_denormals(&a, NULL, env);
    FpBig bx = big_from_val(&a);
    if (a.exp >= 0) {
        /* The SDM leaves |x| > 1 undefined; Intel returns the operand, reporting PE. */
        if (a.sig != FP_TOP64 || a.exp > 0) {
            env->flags |= FP_PE;
            return x;
        }
        /* x = ±1: 2^x - 1 = 1 or -1/2 (still reported inexact) */
        return big_to_f80(a.sign ? big_make(true, 126, 1) : big_from_int(1), env);
    }
    /* For |x| < 1/4 the hardware's x * ln 2 is a 67-bit truncated product (measured: the
     * model halves the last-bit differences there; above 1/4 the exact product fits). */
    FpBig t = big_mul(bx, big_const(&big_ln2, false));
    if (a.exp < -2)
        t = big_trunc(t, X87_INNER_BITS);
    return big_to_f80(big_expm1(t), env);
}

/* --- FYL2X / FYL2XP1 ---------------------------------------------------------------------- */

/* y * L where L = log2(x) is given by its class: -inf (x = 0), +inf (x = inf) or finite.
 * Handles the infinite and zero factors of the SDM tables; returns false to let the caller
 * multiply finite values. */
static bool log_specials(const FpVal *y, FpKind lk, bool lneg, bool l_zero, Float80 *out, FpEnv *env)
{
    bool s = y->sign ^ lneg;
    if (lk == FPK_INF) {
        if (y->kind == FPK_ZERO) {
            *out = fp_x87_invalid(env); /* 0 * inf */
            return true;
        }
        if (y->kind == FPK_FINITE && lneg)
            env->flags |= FP_ZE; /* y * log2(0): a pole */
        *out = fp_inf80(s);
        return true;
    }
    if (y->kind == FPK_INF) {
        if (l_zero) {
            *out = fp_x87_invalid(env); /* inf * log2(1) */
            return true;
        }
        *out = fp_inf80(s);
        return true;
    }
    if (y->kind == FPK_ZERO || l_zero) {
        *out = fp_zero80(s);
        return true;
    }
    return false;
}

Float80 f80_yl2x(Float80 yv, Float80 xv, FpEnv *env)
{
    FpVal y = fp_unpack80(yv), x = fp_unpack80(xv);
    Float80 out;
    if (fp_x87_nan_operands(&x, &y, &out, env))
        return out;
    if (x.sign && x.kind != FPK_ZERO)
        return fp_x87_invalid(env); /* log of a negative number */
    env->c1 = false;
    if (x.kind == FPK_ZERO || x.kind == FPK_INF) {
        if (x.kind == FPK_ZERO && y.kind == FPK_ZERO)
            return fp_x87_invalid(env);
        if (x.kind == FPK_INF) /* (at x = 0 the divide-by-zero outranks DE) */
            fp_x87_denormals(&x, &y, env);
        log_specials(&y, FPK_INF, x.kind == FPK_ZERO, false, &out, env);
        return out;
    }
    fp_x87_denormals(&x, &y, env);
    bool one = x.exp == 0 && x.sig == FP_TOP64;
    if (log_specials(&y, FPK_FINITE, x.exp < 0, one, &out, env))
        return out;
    FpBig lg = big_log2(big_from_val(&x));
    /* Measured: for x = 2^-k the hardware's logarithm is a hair short of -k (its toward-zero
     * roundings of y * log2(x) come out one below y * -k, its nearest ones report C1). */
    if (x.exp < 0 && x.sig == FP_TOP64)
        lg = big_add(lg, big_make(false, lg.e - 130, 1));
    lg = big_trunc(lg, X87_INNER_BITS);
    return big_to_f80(big_mul(big_from_val(&y), lg), env);
}

Float80 f80_yl2xp1(Float80 yv, Float80 xv, FpEnv *env)
{
    FpVal y = fp_unpack80(yv), x = fp_unpack80(xv);
    Float80 out;
    if (fp_x87_nan_operands(&x, &y, &out, env))
        return out;
    env->c1 = false;
    FpBig bx = big_from_val(&x), one = big_from_int(1);
    if (x.kind == FPK_INF) {
        if (x.sign)
            return fp_x87_invalid(env);
        fp_x87_denormals(&y, NULL, env);
        log_specials(&y, FPK_INF, false, false, &out, env);
        return out;
    }
    if (x.kind == FPK_FINITE && x.sign && big_cmp_abs(bx, one) >= 0) {
        /* 1 + x <= 0 lies far outside the documented domain (|x| < 1 - sqrt(2)/2), where
         * the SDM leaves the result undefined; what Intel delivers is modelled from
         * measurements: a zero or infinite y comes back with its sign flipped (as if
         * multiplied by a finite negative logarithm) and no exception; any other y gives
         * x itself with PE (and DE for a denormal y). */
        if (y.kind == FPK_ZERO || y.kind == FPK_INF)
            return f80_make(yv.se ^ 0x8000, yv.mant);
        fp_x87_denormals(&y, NULL, env);
        env->flags |= FP_PE;
        return xv;
    }
    fp_x87_denormals(&x, &y, env);
    if (log_specials(&y, FPK_FINITE, x.sign, x.kind == FPK_ZERO, &out, env))
        return out;
    FpBig lg;
    if (x.exp < -1) { /* |x| < 1/2: ln(1+x) = 2 atanh(x / (2 + x)), no cancellation */
        FpBig s = big_div(bx, big_add(big_from_int(2), bx));
        lg = big_mul(big_ln1p_ratio(s), big_const(&big_log2e, false));
    } else {
        lg = big_log2(big_add(one, bx));
    }
    lg = big_trunc(lg, X87_INNER_BITS);
    return big_to_f80(big_mul(big_from_val(&y), lg), env);
}

/* --- FPATAN --------------------------------------------------------------------------------- */

/* atan2(y, x) when x or y is zero or infinite (SDM FPATAN table; no invalid cases). */
static Float80 atan_specials(const FpVal *y, const FpVal *x, FpEnv *env)
{
    bool s = y->sign;
    if (y->kind == FPK_INF) {
        if (x->kind == FPK_INF)
            return const_result(x->sign ? &big_3pi_4 : &big_pi_4, s, env);
        return const_result(&big_pi_2, s, env);
    }
    if (x->kind == FPK_INF) /* y finite or zero */
        return x->sign ? const_result(&big_pi, s, env) : fp_zero80(s);
    if (y->kind == FPK_ZERO) /* x finite or zero */
        return x->sign ? const_result(&big_pi, s, env) : fp_zero80(s);
    return const_result(&big_pi_2, s, env); /* x zero, y finite */
}

/* Measured on Intel: FPATAN forms the quotient of the smaller by the larger magnitude with
 * 67 bits, truncated; for quotients below 2^-4 that truncated quotient is what its
 * arctangent is computed from (modelling it makes FPATAN bit-exact there, where an exact
 * quotient differed in ~6% of cases; above 2^-4 its table-driven path is not reproduced
 * and the exact quotient fits better). Below 2^-40 it returns that quotient itself, rounded
 * with RC (the true arctangent differs by less than 2^-80 relative). */
#define ATAN_Q67_EXP (-4)
#define ATAN_TINY_EXP (-40)

Float80 f80_atan(Float80 yv, Float80 xv, FpEnv *env)
{
    FpVal y = fp_unpack80(yv), x = fp_unpack80(xv);
    Float80 out;
    if (fp_x87_nan_operands(&x, &y, &out, env))
        return out;
    fp_x87_denormals(&x, &y, env);
    env->c1 = false;
    if (x.kind != FPK_FINITE || y.kind != FPK_FINITE)
        return atan_specials(&y, &x, env);
    FpBig by = big_abs(big_from_val(&y)), bx = big_abs(big_from_val(&x));
    bool steep = big_cmp_abs(by, bx) > 0; /* |y| > |x|: use pi/2 - atan(x/y) */
    FpBig q = steep ? big_div(bx, by) : big_div(by, bx);
    if (q.e < ATAN_Q67_EXP)
        q = big_trunc(q, X87_INNER_BITS);
    if (!steep && !x.sign && q.e < ATAN_TINY_EXP) { /* atan(q) = q: the hardware's shortcut */
        q.s = y.sign;
        return big_to_f80(q, env);
    }
    FpBig a = big_atan(q);
    if (steep)
        a = big_sub(big_const(&big_pi_2, false), a);
    if (x.sign)
        a = big_sub(big_const(&big_pi, false), a);
    a.s = y.sign;
    return big_to_f80(a, env);
}

/* --- FSIN / FCOS / FPTAN / FSINCOS ----------------------------------------------------------- */

/* Half of the 66-bit pi of the x87 ROM (C90FDAA2 2168C234 C, SDM §8.3.8) as an integer in
 * units of 2^-65. */
#define PI66_HALF_HI 0x3ull
#define PI66_HALF_LO 0x243F6A8885A308D3ull

/* Reduces |x| (finite, nonzero, < 2^63) to r = |x| - k * P/2 with |r| <= P/4, exactly, the
 * way FPREM1 would with the ROM's pi. Returns k mod 4. */
static unsigned trig_reduce(const FpVal *a, FpBig *r)
{
    const FpU128 h = (FpU128)PI66_HALF_HI << 64 | PI66_HALF_LO;
    FpBig ax = big_abs(big_from_val(a));
    if (a->exp < -1) { /* |x| < 1/2 < P/4 */
        *r = ax;
        return 0;
    }
    /* |x| in units of 2^-65: sig << (exp + 2), at most 127 bits since exp <= 62. */
    FpU128 xi = (FpU128)a->sig << (a->exp + 2);
    FpU128 k = xi / h, rem = xi % h;
    bool neg = false;
    if (rem > h - rem || (rem == h - rem && (k & 1))) { /* round the quotient to nearest */
        rem = h - rem;
        k++;
        neg = true;
    }
    *r = big_make(neg, 127 - 65, rem);
    return (unsigned)(k & 3);
}

typedef enum TrigFn { TRIG_SIN, TRIG_COS, TRIG_TAN } TrigFn;

/* Below 2^-68 the hardware takes a shortcut (measured on Intel): sin and tan return the
 * argument and cos returns 1, reported inexact but never nudged in a directed rounding
 * mode (the true values differ by less than 2^-136 relative). */
#define TRIG_TINY_EXP (-68)

/* One trigonometric result from the reduced argument and the quadrant. */
static FpBig trig_eval(TrigFn fn, unsigned q, FpBig s, FpBig c)
{
    switch (fn) {
    case TRIG_SIN: /* sin(r + q pi/2) */
        return (q & 1) ? ((q & 2) ? big_neg(c) : c) : ((q & 2) ? big_neg(s) : s);
    case TRIG_COS:
        return (q & 1) ? ((q & 2) ? s : big_neg(s)) : ((q & 2) ? big_neg(c) : c);
    default: /* tan(r + q pi/2) = tan r or -cot r, from 67-bit sine and cosine */
        s = big_trunc(s, X87_INNER_BITS);
        c = big_trunc(c, X87_INNER_BITS);
        return (q & 1) ? big_neg(big_div(c, s)) : big_div(s, c);
    }
}

/* Shared front end: NaN/unsupported, infinities (invalid), out of range (C2: false, no
 * result), zero. Returns 1 to compute, 0 when *out holds the result, -1 when out of range. */
static int trig_front(Float80 x, FpVal *a, Float80 *out, FpEnv *env)
{
    *a = fp_unpack80(x);
    if (fp_x87_nan_operands(a, NULL, out, env))
        return 0;
    if (a->kind == FPK_INF) {
        *out = fp_x87_invalid(env);
        return 0;
    }
    if (a->kind == FPK_FINITE && a->exp >= 63)
        return -1;
    fp_x87_denormals(a, NULL, env);
    env->c1 = false;
    return a->kind == FPK_ZERO ? 0 : 1;
}

static bool trig_one(TrigFn fn, Float80 x, Float80 *res, FpEnv *env)
{
    FpVal a;
    int k = trig_front(x, &a, res, env);
    if (k < 0)
        return false;
    if (k == 0) {
        if (a.kind == FPK_ZERO) /* sin, tan: ±0; cos: 1 */
            *res = fn == TRIG_COS ? f80_make(0x3FFF, FP_TOP64) : x;
        return true;
    }
    if (a.exp < TRIG_TINY_EXP) { /* sin x = tan x = x, cos x = 1 */
        *res = big_to_f80(fn == TRIG_COS ? big_from_int(1) : big_from_val(&a), env);
        return true;
    }
    FpBig r, s, c;
    unsigned q = trig_reduce(&a, &r);
    big_sincos(r, &s, &c);
    FpBig v = trig_eval(fn, q, s, c);
    if (a.sign && fn != TRIG_COS) /* odd functions */
        v = big_neg(v);
    *res = big_to_f80(v, env);
    return true;
}

bool f80_sin(Float80 x, Float80 *r, FpEnv *env) { return trig_one(TRIG_SIN, x, r, env); }
bool f80_cos(Float80 x, Float80 *r, FpEnv *env) { return trig_one(TRIG_COS, x, r, env); }
bool f80_ptan(Float80 x, Float80 *tan_r, Float80 *pushed, FpEnv *env)
{
    if (!trig_one(TRIG_TAN, x, tan_r, env))
        return false;
    bool nan = f80_bexp(*tan_r) == 0x7FFF && tan_r->mant != FP_TOP64;
    *pushed = nan ? *tan_r : f80_make(0x3FFF, FP_TOP64);
    return true;
}

bool f80_sincos(Float80 x, Float80 *sin_r, Float80 *cos_r, FpEnv *env)
{
    FpVal a;
    int k = trig_front(x, &a, sin_r, env);
    if (k < 0)
        return false;
    if (k == 0) {
        if (a.kind == FPK_ZERO) { /* sin ±0 = ±0 (trig_front leaves *out alone), cos 0 = 1 */
            *sin_r = x;
            *cos_r = f80_make(0x3FFF, FP_TOP64);
        } else {
            *cos_r = *sin_r;
        }
        return true;
    }
    if (a.exp < TRIG_TINY_EXP) {
        *sin_r = big_to_f80(big_from_val(&a), env);
        *cos_r = big_to_f80(big_from_int(1), env);
        return true;
    }
    FpBig r, s, c;
    unsigned q = trig_reduce(&a, &r);
    big_sincos(r, &s, &c);
    FpBig vs = trig_eval(TRIG_SIN, q, s, c), vc = trig_eval(TRIG_COS, q, s, c);
    if (a.sign)
        vs = big_neg(vs);
    *sin_r = big_to_f80(vs, env);
    *cos_r = big_to_f80(vc, env); /* C1 reports the rounding of the value pushed last */
    return true;
}
