/* fp_internal.h — machinery shared by the x87 and SSE halves of cpu/fpu (not for callers).
 *
 * Contract: every format is unpacked into one FpVal (significand aligned as an x87
 * significand: bit 63 is the integer bit, NaN payloads are kept in that alignment so they
 * convert between formats by shifting). Exact intermediate results are carried as a
 * normalized 128-bit significand (bit 127 set) plus the unbiased exponent of bit 127, and
 * fp_round turns them into a destination format described by FpFormat, applying the rounding
 * mode, tininess-after-rounding, masked/unmasked underflow and overflow responses, FTZ,
 * and setting PE/UE/OE and C1. Everything is integer arithmetic.
 */
#ifndef VMM86_CPU_FPU_FP_INTERNAL_H
#define VMM86_CPU_FPU_FP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/fpu/f80.h"
#include "cpu/fpu/fp_env.h"

typedef unsigned __int128 FpU128;

#define FP_TOP64 0x8000000000000000ull
#define FP_QUIET64 0x4000000000000000ull /* quiet bit in x87 significand alignment */

typedef enum FpKind {
    FPK_ZERO,
    FPK_FINITE, /* nonzero: normals, denormals (normalized on unpack) */
    FPK_INF,
    FPK_QNAN,
    FPK_SNAN,
    FPK_BAD /* x87 unsupported encodings: unnormal, pseudo-NaN, pseudo-infinity */
} FpKind;

typedef struct FpVal {
    uint64_t sig; /* FINITE: normalized, bit 63 set; NaN: x87-aligned significand */
    int32_t exp;  /* FINITE: unbiased exponent of bit 63 */
    uint8_t kind; /* FpKind */
    bool sign;
    bool denorm;  /* operand was denormal or pseudo-denormal (for DE) */
} FpVal;

/* Destination format for rounding. */
typedef struct FpFormat {
    int32_t emin, emax; /* unbiased exponent range of normal numbers */
    int32_t bias;
    int32_t wrap;       /* exponent adjustment delivered on unmasked OE/UE */
    uint8_t prec;       /* significand bits kept: 24, 53 or 64 */
    bool ftz;           /* flush tiny results to zero (SSE FTZ with UE masked) */
} FpFormat;

/* A rounded result, still format-neutral: significand in x87 alignment (bit 63 = integer
 * bit, clear for denormals and zero), biased exponent of the destination format. */
typedef struct FpPacked {
    uint64_t sig;
    int32_t bexp;
    bool sign;
} FpPacked;

static inline int fp_clz64(uint64_t x) { return __builtin_clzll(x); }
static inline int fp_clz128(FpU128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? fp_clz64(hi) : 64 + fp_clz64((uint64_t)x);
}

/* x >> n, with every bit shifted out ORed into bit 0 so rounding still sees it. */
static inline FpU128 fp_shr_sticky(FpU128 x, int32_t n)
{
    if (n <= 0)
        return x;
    if (n >= 128)
        return x != 0;
    return (x >> n) | ((x << (128 - n)) != 0);
}

/* Formats. */
FpFormat fp_format80(uint8_t precision_control);
extern const FpFormat fp_format64, fp_format32;

/* Unpacking: f80 keeps unsupported encodings as FPK_BAD; daz reads denormals as zero. */
FpVal fp_unpack80(Float80 a);
FpVal fp_unpack64(uint64_t a, bool daz);
FpVal fp_unpack32(uint32_t a, bool daz);

/* Round sign * sig * 2^(exp-127) (sig normalized, bit 127 set) into format f. */
FpPacked fp_round(FpEnv *env, const FpFormat *f, bool sign, int32_t exp, FpU128 sig);
/* Round an FpVal (finite or zero) with a 64-bit significand. */
FpPacked fp_round_val(FpEnv *env, const FpFormat *f, const FpVal *v);

Float80 fp_pack80(FpPacked p);
uint64_t fp_pack64(FpPacked p);
uint32_t fp_pack32(FpPacked p);

/* Special values built from an FpVal: infinity, zero, and NaN (payload truncated). */
Float80 fp_nan80(bool sign, uint64_t sig);
uint64_t fp_nan64(bool sign, uint64_t sig);
uint32_t fp_nan32(bool sign, uint64_t sig);
static inline Float80 fp_inf80(bool sign) { return f80_make((uint16_t)(sign << 15 | 0x7FFF), FP_TOP64); }
static inline Float80 fp_zero80(bool sign) { return f80_make((uint16_t)(sign << 15), 0); }

/* NaN selection. x87: quiets, larger significand wins. Returns the chosen NaN value. */
FpVal fp_pick_nan_x87(const FpVal *a, const FpVal *b);
static inline bool fp_is_nan(const FpVal *v) { return v->kind == FPK_QNAN || v->kind == FPK_SNAN; }

/* Exact arithmetic cores on finite nonzero operands, producing the unrounded result as
 * (sign, exp, sig128) for fp_round. They return false when the exact result is zero
 * (only fp_add_core can: x + (-x)). */
bool fp_add_core(const FpVal *a, const FpVal *b, bool negate_b, bool *sign, int32_t *exp,
                 FpU128 *sig);
void fp_mul_core(const FpVal *a, const FpVal *b, bool *sign, int32_t *exp, FpU128 *sig);
void fp_div_core(const FpVal *a, const FpVal *b, bool *sign, int32_t *exp, FpU128 *sig);
void fp_sqrt_core(const FpVal *a, int32_t *exp, FpU128 *sig);

/* Rounds |v| (finite) to an integer with rounding mode rc (v's sign steers the directed
 * modes). Returns false when the rounded magnitude does not fit in 64 bits. */
bool fp_round_int_mag(const FpVal *v, uint8_t rc, uint64_t *mag, bool *inexact, bool *up);

/* Order of two non-NaN values (zeros, finite, infinities; signed zeros are equal). */
FpCmp fp_cmp_vals(const FpVal *a, const FpVal *b);

/* x87 helpers shared by the f80_*.c files (defined in f80_arith.c). */
Float80 fp_x87_invalid(FpEnv *env); /* IE, real indefinite */
/* Unsupported encodings and NaN operands outrank every other exception: handles them (b may
 * be NULL) and returns true with the result in *out. */
bool fp_x87_nan_operands(const FpVal *a, const FpVal *b, Float80 *out, FpEnv *env);
/* DE for (pseudo-)denormal operands (b may be NULL). */
void fp_x87_denormals(const FpVal *a, const FpVal *b, FpEnv *env);
static inline Float80 fp_x87_round(FpEnv *env, const FpFormat *f, const FpVal *v)
{
    return fp_pack80(fp_round_val(env, f, v));
}

/* Sign of an exact zero sum: + unless rounding toward -inf. */
static inline bool fp_zero_sum_sign(const FpEnv *env) { return env->round == FP_RC_DOWN; }

#endif
