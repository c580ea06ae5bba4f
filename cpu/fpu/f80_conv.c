/* f80_conv.c — x87 conversions: integers (FILD/FIST/FISTTP), binary32/64 memory formats
 * (FLD/FST m32/m64), packed BCD (FBLD/FBSTP) and the load-constant instructions. */
#include "cpu/fpu/fp_internal.h"

/* An exactly representable value (zero, infinity, finite with an f80-range exponent). */
static Float80 fp_exact80(const FpVal *v)
{
    if (v->kind == FPK_ZERO)
        return fp_zero80(v->sign);
    if (v->kind == FPK_INF)
        return fp_inf80(v->sign);
    return f80_make((uint16_t)((v->sign ? 0x8000 : 0) | (v->exp + F80_BIAS)), v->sig);
}

/* --- integers -------------------------------------------------------------------------- */

Float80 f80_from_int(int64_t v)
{
    if (v == 0)
        return fp_zero80(false);
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int sh = fp_clz64(mag);
    return f80_make((uint16_t)((v < 0 ? 0x8000 : 0) | (F80_BIAS + 63 - sh)), mag << sh);
}

/* FIST/FISTTP of `bits` width: the integer indefinite (most negative value) with IE for
 * anything that is not a number in range after rounding. */
static int64_t x87_to_int(Float80 x, bool truncate, int bits, FpEnv *env)
{
    const int64_t indefinite = INT64_MIN >> (64 - bits);
    FpVal v = fp_unpack80(x);
    env->c1 = false;
    if (v.kind == FPK_ZERO)
        return 0;
    if (v.kind != FPK_FINITE) {
        env->flags |= FP_IE;
        return indefinite;
    }
    /* Stores convert without judging the source: no DE for a denormal (as on hardware). */
    uint64_t mag, limit = (1ull << (bits - 1)) - (v.sign ? 0 : 1);
    bool inexact, up;
    if (!fp_round_int_mag(&v, truncate ? FP_RC_ZERO : env->round, &mag, &inexact, &up) ||
        mag > limit) {
        env->flags |= FP_IE;
        return indefinite;
    }
    if (inexact) {
        env->flags |= FP_PE;
        env->c1 = up;
    }
    return v.sign ? (int64_t)(0 - mag) : (int64_t)mag;
}

int16_t f80_to_i16(Float80 a, bool truncate, FpEnv *env)
{
    return (int16_t)x87_to_int(a, truncate, 16, env);
}

int32_t f80_to_i32(Float80 a, bool truncate, FpEnv *env)
{
    return (int32_t)x87_to_int(a, truncate, 32, env);
}

int64_t f80_to_i64(Float80 a, bool truncate, FpEnv *env)
{
    return x87_to_int(a, truncate, 64, env);
}

/* --- binary32 / binary64 ------------------------------------------------------------------ */

/* FLD m32/m64: exact, except that an SNaN is quieted with IE and a denormal raises DE. */
static Float80 x87_load(FpVal v, FpEnv *env)
{
    env->c1 = false;
    if (v.kind == FPK_SNAN || v.kind == FPK_QNAN) {
        if (v.kind == FPK_SNAN)
            env->flags |= FP_IE;
        return fp_nan80(v.sign, v.sig);
    }
    fp_x87_denormals(&v, NULL, env);
    return fp_exact80(&v);
}

Float80 f80_from_f32(uint32_t a, FpEnv *env) { return x87_load(fp_unpack32(a, false), env); }
Float80 f80_from_f64(uint64_t a, FpEnv *env) { return x87_load(fp_unpack64(a, false), env); }

/* FST m32/m64: NaNs keep the top of their payload, unsupported encodings store the
 * format's indefinite, finite values round into the narrower range. */
static FpPacked x87_store(Float80 x, const FpFormat *f, bool *nan, FpEnv *env)
{
    FpVal v = fp_unpack80(x);
    FpPacked p = { .sign = v.sign, .sig = v.sig };
    env->c1 = false;
    *nan = false;
    switch (v.kind) {
    case FPK_BAD:
        env->flags |= FP_IE;
        *nan = true;
        p.sign = true;
        p.sig = FP_TOP64 | FP_QUIET64;
        return p;
    case FPK_SNAN:
        env->flags |= FP_IE;
        /* fall through */
    case FPK_QNAN:
        *nan = true;
        return p;
    case FPK_INF:
        p.bexp = f->emax + f->bias + 1;
        return p;
    case FPK_ZERO:
        return p;
    default: { /* no DE: the source is a register, not an arithmetic operand */
        /* With OE/UE unmasked nothing is stored, and then neither PE nor C1 is reported. */
        FpEnv local = *env;
        local.flags = 0;
        p = fp_round_val(&local, f, &v);
        if (local.flags & ~local.masks & (FP_OE | FP_UE)) {
            local.flags &= (uint8_t)~FP_PE;
            local.c1 = false;
        }
        env->flags |= local.flags;
        env->c1 = local.c1;
        return p;
    }
    }
}

uint32_t f80_to_f32(Float80 a, FpEnv *env)
{
    bool nan;
    FpPacked p = x87_store(a, &fp_format32, &nan, env);
    return nan ? fp_nan32(p.sign, p.sig) : fp_pack32(p);
}

uint64_t f80_to_f64(Float80 a, FpEnv *env)
{
    bool nan;
    FpPacked p = x87_store(a, &fp_format64, &nan, env);
    return nan ? fp_nan64(p.sign, p.sig) : fp_pack64(p);
}

/* --- packed BCD ------------------------------------------------------------------------------ */

/* Digits are summed with their binary value even when above 9: the SDM leaves such
 * encodings undefined, this is what the hardware computes. */
Float80 f80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (uint64_t)(bcd[i] >> 4) * 10 + (bcd[i] & 15);
    Float80 r = f80_from_int((int64_t)v);
    if (bcd[9] & 0x80)
        r.se |= 0x8000;
    return r;
}

static void bcd_indefinite(uint8_t bcd[10])
{
    for (int i = 0; i < 7; i++)
        bcd[i] = 0;
    bcd[7] = 0xC0;
    bcd[8] = 0xFF;
    bcd[9] = 0xFF;
}

void f80_to_bcd(Float80 a, uint8_t bcd[10], FpEnv *env)
{
    static const uint64_t max = 999999999999999999ull; /* 18 digits */
    FpVal v = fp_unpack80(a);
    uint64_t mag = 0;
    bool inexact = false, up = false;
    env->c1 = false;
    if (v.kind == FPK_FINITE) {
        if (!fp_round_int_mag(&v, env->round, &mag, &inexact, &up) || mag > max)
            v.kind = FPK_BAD;
    }
    if (v.kind != FPK_FINITE && v.kind != FPK_ZERO) {
        env->flags |= FP_IE;
        bcd_indefinite(bcd);
        return;
    }
    if (inexact) {
        env->flags |= FP_PE;
        env->c1 = up;
    }
    for (int i = 0; i < 9; i++) {
        uint64_t pair = mag % 100;
        mag /= 100;
        bcd[i] = (uint8_t)((pair / 10) << 4 | pair % 10);
    }
    bcd[9] = v.sign ? 0x80 : 0;
}

/* --- constants ------------------------------------------------------------------------------ */

/* 128-bit significands (bit 127 = integer bit) and exponents of the FLDxx constants,
 * computed with integer series (Machin's formula for pi, atanh series for the logarithms);
 * the hardware rounds its longer internal values to 64 bits with the current RC. */
static const struct {
    uint64_t hi, lo;
    int32_t exp;
} fp_consts[] = {
    [F80_CONST_ONE] = { 0x8000000000000000ull, 0, 0 },
    [F80_CONST_L2T] = { 0xD49A784BCD1B8AFEull, 0x492BF6FF4DAFDB4Cull, 1 },
    [F80_CONST_L2E] = { 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull, 0 },
    [F80_CONST_PI] = { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 1 },
    [F80_CONST_LG2] = { 0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull, -2 },
    [F80_CONST_LN2] = { 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull, -1 },
};

Float80 f80_const(F80Const which, const FpEnv *env)
{
    if (which == F80_CONST_ZERO || (unsigned)which > F80_CONST_ZERO)
        return fp_zero80(false);
    FpEnv quiet = *env; /* loading a constant raises nothing */
    quiet.masks = FP_ALL_EXC;
    FpFormat f = fp_format80(FP_PC_64);
    FpU128 sig = (FpU128)fp_consts[which].hi << 64 | fp_consts[which].lo;
    return fp_pack80(fp_round(&quiet, &f, false, fp_consts[which].exp, sig));
}
