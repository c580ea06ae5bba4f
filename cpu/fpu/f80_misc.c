/* f80_misc.c — FPREM, FPREM1, FRNDINT, FSCALE, FXTRACT (see f80.h). None of these is
 * affected by precision control; FPREM/FPREM1/FXTRACT are exact. */
#include "cpu/fpu/fp_internal.h"

/* ±mag as an exact Float80 (mag != 0). */
static Float80 f80_from_mag(bool sign, uint64_t mag)
{
    int sh = fp_clz64(mag);
    return f80_make((uint16_t)((sign ? 0x8000 : 0) | (F80_BIAS + 63 - sh)), mag << sh);
}

/* An operand returned as the result (FPREM by inf, FSCALE by 0): no underflow is signalled
 * for a denormal, but a pseudo-denormal is rewritten in the normal encoding of its value. */
static Float80 x87_unchanged(Float80 x)
{
    if (f80_bexp(x) == 0 && (x.mant >> 63))
        x.se |= 1;
    return x;
}

/* --- FPREM / FPREM1 ------------------------------------------------------------------- */

/* Quotient bits Q2, Q1, Q0 of a complete reduction into C0, C3, C1. */
static uint16_t rem_cc(uint64_t q)
{
    return (uint16_t)(((q & 4) ? FP_SW_C0 : 0) | ((q & 2) ? FP_SW_C3 : 0) | ((q & 1) ? FP_SW_C1 : 0));
}

/* Exact remainder of |a| by |b| for finite nonzero operands. The remainder is an integer
 * r in units of 2^ue, then normalized and packed (exact; it can only be tiny, never inexact). */
static Float80 rem_finite(const FpVal *a, const FpVal *b, bool nearest, uint16_t *cc, FpEnv *env)
{
    int32_t d = a->exp - b->exp, ue;
    bool sign = a->sign;
    FpU128 r, unit_b = b->sig; /* |b| in units of 2^ue */
    uint64_t q = 0;
    *cc = 0;
    if (d >= 64) {
        /* Partial: the hardware removes quotient bits so that the exponent difference
         * drops to a multiple of 32 (N = 32 + d mod 32 in the SDM's words), truncating
         * for FPREM1 too, and clears the quotient bits. */
        int32_t n = 32 + d % 32;
        r = ((FpU128)a->sig << n) % b->sig;
        ue = b->exp - 63 + (d - n);
        *cc = FP_SW_C2;
        nearest = false;
    } else if (d >= 0) {
        FpU128 num = (FpU128)a->sig << d;
        q = (uint64_t)(num / b->sig);
        r = num % b->sig;
        ue = b->exp - 63;
    } else {
        /* |a| < |b|: quotient 0. Only FPREM1 with d == -1 can still round it up to 1. */
        r = a->sig;
        ue = a->exp - 63;
        nearest = nearest && d == -1;
        unit_b = (FpU128)b->sig << 1; /* only read when d == -1 */
    }
    if (nearest && (r << 1 > unit_b || (r << 1 == unit_b && (q & 1)))) {
        r = unit_b - r;
        q++;
        sign = !sign;
    }
    if (!(*cc & FP_SW_C2))
        *cc = rem_cc(q);
    if (r == 0)
        return fp_zero80(a->sign);
    int lz = fp_clz128(r);
    FpFormat f = fp_format80(FP_PC_64);
    return fp_pack80(fp_round(env, &f, sign, ue + 127 - lz, r << lz));
}

static Float80 x87_rem(Float80 x, Float80 y, bool nearest, uint16_t *cc, FpEnv *env)
{
    FpVal a = fp_unpack80(x), b = fp_unpack80(y);
    Float80 out;
    *cc = 0;
    if (fp_x87_nan_operands(&a, &b, &out, env))
        return out;
    if (a.kind == FPK_INF || b.kind == FPK_ZERO)
        return fp_x87_invalid(env);
    fp_x87_denormals(&a, &b, env);
    env->c1 = false;
    if (a.kind == FPK_ZERO)
        return x;
    if (b.kind == FPK_INF)
        return x87_unchanged(x); /* quotient 0 */
    return rem_finite(&a, &b, nearest, cc, env);
}

Float80 f80_rem(Float80 a, Float80 b, uint16_t *cc, FpEnv *env) { return x87_rem(a, b, false, cc, env); }
Float80 f80_rem1(Float80 a, Float80 b, uint16_t *cc, FpEnv *env) { return x87_rem(a, b, true, cc, env); }

/* --- FRNDINT ------------------------------------------------------------------------------ */

Float80 f80_round_int(Float80 x, FpEnv *env)
{
    FpVal a = fp_unpack80(x);
    Float80 out;
    if (fp_x87_nan_operands(&a, NULL, &out, env))
        return out;
    env->c1 = false;
    if (a.kind != FPK_FINITE)
        return x;
    fp_x87_denormals(&a, NULL, env);
    if (a.exp >= 63)
        return x; /* no fraction bits */
    uint64_t mag;
    bool inexact, up;
    fp_round_int_mag(&a, env->round, &mag, &inexact, &up); /* |a| < 2^63: always fits */
    if (inexact) {
        env->flags |= FP_PE;
        env->c1 = up;
    }
    return mag ? f80_from_mag(a.sign, mag) : fp_zero80(a.sign);
}

/* --- FSCALE -------------------------------------------------------------------------------- */

/* FSCALE with an infinite scale (SDM table): +inf scales a nonzero finite value to ±inf,
 * -inf scales it to ±0; 0 * 2^+inf and inf * 2^-inf are invalid. */
static Float80 scale_by_inf(const FpVal *a, bool minus, FpEnv *env)
{
    if ((minus && a->kind == FPK_INF) || (!minus && a->kind == FPK_ZERO))
        return fp_x87_invalid(env);
    fp_x87_denormals(a, NULL, env);
    env->c1 = false;
    return minus ? fp_zero80(a->sign) : fp_inf80(a->sign);
}

Float80 f80_scale(Float80 x, Float80 y, FpEnv *env)
{
    FpVal a = fp_unpack80(x), b = fp_unpack80(y);
    Float80 out;
    if (fp_x87_nan_operands(&a, &b, &out, env))
        return out;
    if (b.kind == FPK_INF)
        return scale_by_inf(&a, b.sign, env);
    fp_x87_denormals(&a, &b, env);
    env->c1 = false;
    if (a.kind != FPK_FINITE)
        return x; /* ±0, ±inf */
    if (b.kind == FPK_ZERO) /* (a nonzero |b| < 1 still rounds the operand) */
        return x87_unchanged(x);
    /* trunc(b), clamped far beyond any exponent that can still matter. */
    int32_t n = 0;
    if (b.kind == FPK_FINITE && b.exp >= 0)
        n = b.exp >= 20 ? 1 << 20 : (int32_t)(b.sig >> (63 - b.exp));
    if (b.sign)
        n = -n;
    FpFormat f = fp_format80(FP_PC_64);
    return fp_pack80(fp_round(env, &f, a.sign, a.exp + n, (FpU128)a.sig << 64));
}

/* --- FXTRACT ------------------------------------------------------------------------------- */

void f80_xtract(Float80 x, Float80 *exponent, Float80 *significand, FpEnv *env)
{
    FpVal a = fp_unpack80(x);
    Float80 out;
    if (fp_x87_nan_operands(&a, NULL, &out, env)) {
        *exponent = *significand = out;
        return;
    }
    env->c1 = false;
    if (a.kind == FPK_ZERO) { /* log of zero: divide-by-zero, exponent -inf */
        env->flags |= FP_ZE;
        *exponent = fp_inf80(true);
        *significand = x;
        return;
    }
    if (a.kind == FPK_INF) {
        *exponent = fp_inf80(false);
        *significand = x;
        return;
    }
    fp_x87_denormals(&a, NULL, env);
    *exponent = a.exp ? f80_from_mag(a.exp < 0, (uint64_t)(a.exp < 0 ? -(int64_t)a.exp : a.exp))
                      : fp_zero80(false);
    *significand = f80_make((uint16_t)((a.sign ? 0x8000 : 0) | F80_BIAS), a.sig);
}
