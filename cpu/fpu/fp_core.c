/* fp_core.c — unpacking, rounding, packing and the exact arithmetic cores (see fp_internal.h). */
#include "cpu/fpu/fp_internal.h"

/* --- formats ------------------------------------------------------------------------- */

/* The x87 keeps its own exponent range whatever the precision control says: PC only moves
 * the rounding point inside the 64-bit significand. */
FpFormat fp_format80(uint8_t precision_control)
{
    static const uint8_t prec[4] = { 24, 64, 53, 64 };
    FpFormat f = { .emin = -16382, .emax = 16383, .bias = 16383, .wrap = 24576,
                   .prec = prec[precision_control & 3], .ftz = false };
    return f;
}

/* wrap: IEEE 754's trap bias (192 / 1536), used when OE/UE is unmasked. */
const FpFormat fp_format64 = { -1022, 1023, 1023, 1536, 53, false };
const FpFormat fp_format32 = { -126, 127, 127, 192, 24, false };

/* --- unpacking ---------------------------------------------------------------------- */

static FpVal fp_denormal(bool sign, uint64_t sig, int32_t emin)
{
    int sh = fp_clz64(sig);
    FpVal v = { .sig = sig << sh, .exp = emin - sh, .kind = FPK_FINITE, .sign = sign,
                .denorm = true };
    return v;
}

FpVal fp_unpack80(Float80 a)
{
    FpVal v = { .sig = a.mant, .sign = f80_sign(a) };
    uint16_t e = f80_bexp(a);
    bool j = a.mant >> 63;
    if (e == 0x7FFF) {
        /* Without the integer bit these are pseudo-infinities/pseudo-NaNs: unsupported. */
        if (!j)
            v.kind = FPK_BAD;
        else if (a.mant == FP_TOP64)
            v.kind = FPK_INF;
        else
            v.kind = (a.mant & FP_QUIET64) ? FPK_QNAN : FPK_SNAN;
        return v;
    }
    if (e == 0) {
        if (a.mant == 0) {
            v.kind = FPK_ZERO;
            return v;
        }
        /* Denormals and pseudo-denormals (J set) both have the exponent of emin. */
        return fp_denormal(v.sign, a.mant, 1 - F80_BIAS);
    }
    if (!j) {
        v.kind = FPK_BAD; /* unnormal */
        return v;
    }
    v.kind = FPK_FINITE;
    v.exp = e - F80_BIAS;
    return v;
}

/* Shared by binary32/binary64: fraction `frac` of `fbits` bits, biased exponent `e`. */
static FpVal fp_unpack_ieee(bool sign, uint32_t e, uint64_t frac, int fbits, uint32_t emax_b,
                            int32_t bias, bool daz)
{
    FpVal v = { .sign = sign };
    uint64_t sig = frac << (63 - fbits);
    if (e == emax_b) {
        v.sig = FP_TOP64 | sig;
        v.kind = frac == 0 ? FPK_INF : (sig & FP_QUIET64) ? FPK_QNAN : FPK_SNAN;
        return v;
    }
    if (e == 0) {
        if (frac == 0 || daz) {
            v.kind = FPK_ZERO;
            return v;
        }
        return fp_denormal(sign, sig, 1 - bias);
    }
    v.kind = FPK_FINITE;
    v.sig = FP_TOP64 | sig;
    v.exp = (int32_t)e - bias;
    return v;
}

FpVal fp_unpack64(uint64_t a, bool daz)
{
    return fp_unpack_ieee(a >> 63, (a >> 52) & 0x7FF, a & ((1ull << 52) - 1), 52, 0x7FF, 1023,
                          daz);
}

FpVal fp_unpack32(uint32_t a, bool daz)
{
    return fp_unpack_ieee(a >> 31, (a >> 23) & 0xFF, a & ((1u << 23) - 1), 23, 0xFF, 127, daz);
}

/* --- rounding ------------------------------------------------------------------------ */

/* Whether rounding away the low `drop` bits of sig increments the kept part. */
static bool fp_round_up(uint8_t rc, bool sign, FpU128 sig, int drop)
{
    FpU128 rest = sig & (((FpU128)1 << drop) - 1);
    if (rest == 0)
        return false;
    switch (rc) {
    case FP_RC_NEAREST: {
        FpU128 half = (FpU128)1 << (drop - 1);
        return rest > half || (rest == half && ((sig >> drop) & 1));
    }
    case FP_RC_UP:
        return !sign;
    case FP_RC_DOWN:
        return sign;
    default:
        return false;
    }
}

/* Tininess is detected after rounding (x87 and SSE alike): a value just below the normal
 * range that rounds up to the smallest normal is not tiny. */
static bool fp_is_tiny(const FpEnv *env, const FpFormat *f, bool sign, int32_t exp, FpU128 sig)
{
    if (exp < f->emin - 1)
        return true;
    int drop = 128 - f->prec;
    bool all_ones = (sig >> drop) == ((FpU128)1 << f->prec) - 1;
    return !(all_ones && fp_round_up(env->round, sign, sig, drop));
}

/* The x87 register format (any precision control), as opposed to binary32/64. */
static bool fp_is_reg80(const FpFormat *f) { return f->emin == -16382; }

/* Masked overflow gives ±inf or the largest finite value depending on the direction;
 * unmasked overflow delivers the rounded value with its exponent wrapped into range. */
static FpPacked fp_overflow(FpEnv *env, const FpFormat *f, FpPacked r, int32_t exp, FpU128 sig)
{
    bool unmasked = !(env->masks & FP_OE);
    if (unmasked && exp - f->wrap <= f->emax) {
        env->flags |= FP_OE;
        r.sig = (uint64_t)(sig >> 64);
        r.bexp = exp - f->wrap + f->bias;
        return r;
    }
    /* Overflow so far that even the wrapped exponent is out of range: FSCALE delivers
     * infinity whatever the rounding mode; a memory or SSE destination receives nothing
     * (PE was already set by the rounding if the significand was inexact). */
    if (unmasked && !fp_is_reg80(f)) {
        env->flags |= FP_OE;
        return r;
    }
    env->flags |= FP_OE | FP_PE;
    uint8_t rc = env->round;
    bool to_inf = unmasked || rc == FP_RC_NEAREST || (rc == FP_RC_UP && !r.sign) ||
                  (rc == FP_RC_DOWN && r.sign);
    env->c1 = to_inf;
    if (to_inf) {
        r.bexp = f->emax + f->bias + 1;
        r.sig = FP_TOP64;
    } else {
        r.bexp = f->emax + f->bias;
        r.sig = ~0ull << (64 - f->prec);
    }
    return r;
}

FpPacked fp_round(FpEnv *env, const FpFormat *f, bool sign, int32_t exp, FpU128 sig)
{
    const int drop = 128 - f->prec;
    const FpU128 lsb = (FpU128)1 << drop;
    FpPacked r = { .sign = sign };
    bool tiny = false;
    if (exp < f->emin) {
        tiny = fp_is_tiny(env, f, sign, exp, sig);
        bool ue_masked = env->masks & FP_UE;
        if (tiny && f->ftz && ue_masked) {
            env->flags |= FP_UE | FP_PE;
            env->c1 = false;
            return r;
        }
        /* Unmasked underflow reports tininess even when exact, and delivers the normalized
         * result with the exponent wrapped up into range. When even that is out of range
         * (FSCALE; conversions to a narrower format), the x87 register result is a zero
         * with PE; a memory or SSE destination receives nothing and PE says whether the
         * significand was exact at the format's precision (measured: CVTSD2SS of 2^-1074
         * with UE unmasked flags UE alone). */
        if (tiny && !ue_masked) {
            if (exp + f->wrap < f->emin) {
                bool inexact = (sig & (lsb - 1)) != 0;
                env->flags |= FP_UE | (fp_is_reg80(f) || inexact ? FP_PE : 0);
                env->c1 = false;
                return r;
            }
            env->flags |= FP_UE;
            exp += f->wrap;
        } else {
            sig = fp_shr_sticky(sig, f->emin - exp);
            exp = f->emin;
        }
    }
    bool inexact = (sig & (lsb - 1)) != 0;
    bool up = fp_round_up(env->round, sign, sig, drop);
    sig &= ~(lsb - 1);
    if (up) {
        sig += lsb;
        if (sig == 0) { /* carried out of the top: 1.111.. rounded to 10.000.. */
            sig = (FpU128)1 << 127;
            exp++;
        }
    }
    if (inexact)
        env->flags |= tiny ? FP_PE | FP_UE : FP_PE;
    env->c1 = up;
    if (exp > f->emax)
        return fp_overflow(env, f, r, exp, sig);
    r.sig = (uint64_t)(sig >> 64);
    r.bexp = (r.sig >> 63) ? exp + f->bias : 0;
    return r;
}

FpPacked fp_round_val(FpEnv *env, const FpFormat *f, const FpVal *v)
{
    if (v->kind == FPK_ZERO) {
        FpPacked z = { .sign = v->sign };
        env->c1 = false;
        return z;
    }
    return fp_round(env, f, v->sign, v->exp, (FpU128)v->sig << 64);
}

/* --- packing ------------------------------------------------------------------------- */

Float80 fp_pack80(FpPacked p)
{
    return f80_make((uint16_t)((p.sign ? 0x8000 : 0) | p.bexp), p.sig);
}

uint64_t fp_pack64(FpPacked p)
{
    return (uint64_t)p.sign << 63 | (uint64_t)p.bexp << 52 | ((p.sig >> 11) & ((1ull << 52) - 1));
}

uint32_t fp_pack32(FpPacked p)
{
    return (uint32_t)p.sign << 31 | (uint32_t)p.bexp << 23 | (uint32_t)((p.sig >> 40) & 0x7FFFFF);
}

Float80 fp_nan80(bool sign, uint64_t sig)
{
    return f80_make((uint16_t)((sign ? 0x8000 : 0) | 0x7FFF), sig | FP_TOP64 | FP_QUIET64);
}

uint64_t fp_nan64(bool sign, uint64_t sig)
{
    return (uint64_t)sign << 63 | 0x7FF8000000000000ull | ((sig >> 11) & ((1ull << 52) - 1));
}

uint32_t fp_nan32(bool sign, uint64_t sig)
{
    return (uint32_t)sign << 31 | 0x7FC00000u | (uint32_t)((sig >> 40) & 0x7FFFFF);
}

/* --- NaN selection --------------------------------------------------------------------- */

/* SDM "Rules for generating QNaNs" (x87 column): a QNaN beats an SNaN; between two NaNs of
 * the same kind the larger significand wins; on a tie the positive one. */
FpVal fp_pick_nan_x87(const FpVal *a, const FpVal *b)
{
    if (a->kind != b->kind)
        return a->kind == FPK_QNAN ? *a : *b;
    if (a->sig != b->sig)
        return a->sig > b->sig ? *a : *b;
    return a->sign ? *b : *a;
}

/* --- exact arithmetic cores -------------------------------------------------------------- */

bool fp_add_core(const FpVal *a, const FpVal *b, bool negate_b, bool *sign, int32_t *exp,
                 FpU128 *sig)
{
    const FpVal *x = a, *y = b;
    bool sx = a->sign, sy = b->sign ^ negate_b;
    if (a->exp < b->exp || (a->exp == b->exp && a->sig < b->sig)) {
        x = b;
        y = a;
        bool t = sx;
        sx = sy;
        sy = t;
    }
    /* Bit 126 holds x's integer bit so a carry fits; y's bits shifted past bit 0 survive as
     * a sticky bit, which is far enough below the rounding point to round correctly even
     * after the at most one-bit cancellation a far subtraction can cause. */
    FpU128 X = (FpU128)x->sig << 63;
    FpU128 Y = fp_shr_sticky((FpU128)y->sig << 63, x->exp - y->exp);
    FpU128 s = sx == sy ? X + Y : X - Y;
    if (s == 0)
        return false;
    int lz = fp_clz128(s);
    *sign = sx;
    *sig = s << lz;
    *exp = x->exp + 1 - lz;
    return true;
}

void fp_mul_core(const FpVal *a, const FpVal *b, bool *sign, int32_t *exp, FpU128 *sig)
{
    FpU128 p = (FpU128)a->sig * b->sig; /* in [2^126, 2^128): exact */
    *sign = a->sign ^ b->sign;
    if (p >> 127) {
        *sig = p;
        *exp = a->exp + b->exp + 1;
    } else {
        *sig = p << 1;
        *exp = a->exp + b->exp;
    }
}

/* 128 quotient bits from two 128/64 divisions, the final remainder as sticky bit. */
void fp_div_core(const FpVal *a, const FpVal *b, bool *sign, int32_t *exp, FpU128 *sig)
{
    /* Scale the dividend so the first quotient word has its top bit set (and fits). */
    int k = a->sig >= b->sig ? 63 : 64;
    FpU128 num = (FpU128)a->sig << k;
    uint64_t q1 = (uint64_t)(num / b->sig);
    FpU128 r = num % b->sig;
    FpU128 num2 = r << 64;
    uint64_t q2 = (uint64_t)(num2 / b->sig);
    bool sticky = (num2 % b->sig) != 0;
    *sign = a->sign ^ b->sign;
    *sig = ((FpU128)q1 << 64) | q2 | sticky;
    *exp = a->exp - b->exp - (k - 63);
}

/* Digit-by-digit square root of the significand scaled by 2^68, giving a 66-67 bit root
 * (64 bits plus guard bits); the remainder supplies the sticky bit. */
void fp_sqrt_core(const FpVal *a, int32_t *exp, FpU128 *sig)
{
    FpU128 m = a->sig;
    int32_t t = a->exp - 63; /* value = m * 2^t; make t even so it halves exactly */
    if (t & 1) {
        m <<= 1;
        t -= 1;
    }
    FpU128 root = 0, rem = 0;
    for (int i = 66; i >= 0; i--) {
        int pos = 2 * i - 68; /* bit of m that lands at bit 2i of m * 2^68 */
        unsigned pair = pos >= 0 ? (unsigned)(m >> pos) & 3 : 0;
        FpU128 trial = (root << 2) | 1;
        rem = (rem << 2) | pair;
        root <<= 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1;
        }
    }
    int lz = fp_clz128(root);
    *sig = (root << lz) | (rem != 0);
    *exp = 127 - lz - 34 + t / 2;
}

FpCmp fp_cmp_vals(const FpVal *a, const FpVal *b)
{
    if (a->kind == FPK_ZERO && b->kind == FPK_ZERO)
        return FP_CMP_EQUAL;
    if (a->sign != b->sign)
        return a->sign ? FP_CMP_LESS : FP_CMP_GREATER;
    /* Same sign: compare magnitudes, then flip for negatives. */
    int mag;
    if (a->kind != b->kind) {
        /* ZERO < FINITE < INF in enum order. */
        mag = a->kind < b->kind ? -1 : 1;
    } else if (a->kind != FPK_FINITE) {
        mag = 0;
    } else if (a->exp != b->exp) {
        mag = a->exp < b->exp ? -1 : 1;
    } else {
        mag = a->sig == b->sig ? 0 : a->sig < b->sig ? -1 : 1;
    }
    if (a->sign)
        mag = -mag;
    return mag < 0 ? FP_CMP_LESS : mag > 0 ? FP_CMP_GREATER : FP_CMP_EQUAL;
}

bool fp_round_int_mag(const FpVal *v, uint8_t rc, uint64_t *mag, bool *inexact, bool *up)
{
    if (v->exp >= 64)
        return false;
    /* Fixed point with 64 fraction bits; bits below those only matter as sticky. */
    FpU128 x = fp_shr_sticky((FpU128)v->sig << 64, 63 - v->exp);
    uint64_t ip = (uint64_t)(x >> 64), frac = (uint64_t)x;
    const uint64_t half = 1ull << 63;
    bool inc;
    switch (rc) {
    case FP_RC_NEAREST: inc = frac > half || (frac == half && (ip & 1)); break;
    case FP_RC_UP: inc = frac && !v->sign; break;
    case FP_RC_DOWN: inc = frac && v->sign; break;
    default: inc = false; break;
    }
    *inexact = frac != 0;
    *up = inc;
    *mag = ip + inc;
    return !(inc && *mag == 0); /* 2^64 - 1 rounded up does not fit */
}
