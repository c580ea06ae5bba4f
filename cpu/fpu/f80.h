/* f80.h — the x87 half of the software floating-point library: 80-bit extended values.
 *
 * Contract: each function computes what the named x87 instruction stores in its destination
 * register(s), bit for bit as an Intel P6-or-later FPU does, using integer arithmetic only.
 * Inputs are raw register contents (any encoding, including unsupported ones); outputs are
 * ready to store. Exceptions are ORed into env->flags; env->c1 is set to "rounded up" by every
 * op that rounds (and cleared when it does not round up). Masked responses (real indefinite,
 * ±inf, denormals, max-finite...) are always delivered; for an unmasked OE/UE the result is
 * delivered with its exponent wrapped by ∓24576 as the SDM specifies for register
 * destinations, and for any other unmasked exception the caller must discard the result and
 * raise #MF (check `flags & ~masks`). Stack handling (empty/full registers, TOP, tags, the
 * stack-fault C1) is the caller's. Precision control (env->precision) applies only to
 * add/sub/mul/div/sqrt, as on the hardware.
 *
 * Operand convention for two-operand ops: `a` is the left operand of the mathematical
 * expression (FSUB ST0,STi computes f80_sub(st0, sti); FSUBR computes f80_sub(sti, st0)).
 * For the NaN rules that depend on which operand is ST(0), the library uses only
 * significands and signs, so the mapping above is all the caller needs.
 * Memory operands: FLD m32/m64 use f80_from_f32/f64; arithmetic and FCOM with an m32/m64
 * operand use f80_arith_f32/f64 and f80_compare_f32/f64 (the operand must not be converted
 * first: its DE and SNaN are judged by the operation's priorities); integer operands
 * (FIADD, FICOM...) are converted exactly with f80_from_int and use the register forms.
 */
#ifndef VMM86_CPU_FPU_F80_H
#define VMM86_CPU_FPU_F80_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/fpu/fp_env.h"

/* Same layout as an x87 register as FSAVE stores it: 64-bit significand with explicit
 * integer bit, then sign<<15 | 15-bit biased exponent. */
typedef struct Float80 {
    uint64_t mant;
    uint16_t se;
} Float80;

#define F80_BIAS 16383
#define F80_EXP_MAX 0x7FFF

static inline Float80 f80_make(uint16_t se, uint64_t mant)
{
    Float80 r = { .mant = mant, .se = se };
    return r;
}
static inline bool f80_sign(Float80 a) { return a.se >> 15; }
static inline uint16_t f80_bexp(Float80 a) { return a.se & 0x7FFF; }
static inline bool f80_same(Float80 a, Float80 b) { return a.mant == b.mant && a.se == b.se; }

/* Real indefinite: the masked response to an invalid operation. */
static inline Float80 f80_indefinite(void) { return f80_make(0xFFFF, 0xC000000000000000ull); }

/* --- basic arithmetic (precision control applies) ------------------------------------ */
Float80 f80_add(Float80 a, Float80 b, FpEnv *env);
Float80 f80_sub(Float80 a, Float80 b, FpEnv *env); /* a - b */
Float80 f80_mul(Float80 a, Float80 b, FpEnv *env);
Float80 f80_div(Float80 a, Float80 b, FpEnv *env); /* a / b */
Float80 f80_sqrt(Float80 a, FpEnv *env);

/* FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR ST(0), m32/m64: st0 op m (SUBR: m - st0, DIVR: m / st0). */
typedef enum F80Op { F80_ADD, F80_SUB, F80_SUBR, F80_MUL, F80_DIV, F80_DIVR } F80Op;
Float80 f80_arith_f32(F80Op op, Float80 st0, uint32_t m, FpEnv *env);
Float80 f80_arith_f64(F80Op op, Float80 st0, uint64_t m, FpEnv *env);

/* --- comparison and classification --------------------------------------------------- */
/* FCOM/FCOMI (quiet=false: any NaN raises IE) and FUCOM/FUCOMI (quiet=true: SNaN only).
 * FTST is f80_compare(x, +0, false). Map the result with fp_cmp_x87_cc / fp_cmp_eflags. */
FpCmp f80_compare(Float80 a, Float80 b, bool quiet, FpEnv *env);
/* FXAM for a non-empty register: C3/C2/C0 class and C1 = sign (the caller reports the
 * "empty" class 101 itself). */
uint16_t f80_classify(Float80 a);
/* FCOM/FCOMP m32/m64 (signalling compare of ST(0) with the memory operand). */
FpCmp f80_compare_f32(Float80 st0, uint32_t m, FpEnv *env);
FpCmp f80_compare_f64(Float80 st0, uint64_t m, FpEnv *env);

/* --- remainder, rounding, scaling ------------------------------------------------------ */
/* FPREM (truncating) and FPREM1 (IEEE, round to nearest) of a by b. *cc receives C2 (set:
 * reduction incomplete, run again) and the quotient bits Q2→C0, Q1→C3, Q0→C1. */
Float80 f80_rem(Float80 a, Float80 b, uint16_t *cc, FpEnv *env);
Float80 f80_rem1(Float80 a, Float80 b, uint16_t *cc, FpEnv *env);
Float80 f80_round_int(Float80 a, FpEnv *env);           /* FRNDINT */
Float80 f80_scale(Float80 a, Float80 b, FpEnv *env);    /* FSCALE: a * 2^trunc(b) */
/* FXTRACT: *exponent gets the unbiased exponent as a value (it goes to ST(1) after the
 * push), *significand the significand with exponent 0 (the new ST(0)). */
void f80_xtract(Float80 a, Float80 *exponent, Float80 *significand, FpEnv *env);

/* --- conversions ----------------------------------------------------------------------- */
Float80 f80_from_int(int64_t v); /* FILD m16/m32/m64, FIADD... operands: always exact */
/* FIST/FISTP (truncate=false: env->round) and FISTTP (truncate=true). Out of range, NaN,
 * infinity or unsupported: IE and the integer indefinite (the most negative value). */
int16_t f80_to_i16(Float80 a, bool truncate, FpEnv *env);
int32_t f80_to_i32(Float80 a, bool truncate, FpEnv *env);
int64_t f80_to_i64(Float80 a, bool truncate, FpEnv *env);
/* FLD m32/m64: exact; DE for a denormal, IE and quieting for an SNaN. */
Float80 f80_from_f32(uint32_t a, FpEnv *env);
Float80 f80_from_f64(uint64_t a, FpEnv *env);
/* FST/FSTP m32/m64: rounded with env->round to the memory format's precision and exponent
 * range. For an unmasked OE/UE the caller must not store (the hardware leaves memory). */
uint32_t f80_to_f32(Float80 a, FpEnv *env);
uint64_t f80_to_f64(Float80 a, FpEnv *env);
/* FBLD / FBSTP: 10-byte packed BCD, little-endian (byte 9 bit 7 = sign). FBSTP rounds with
 * env->round; out of range / NaN / inf / unsupported gives IE and the BCD indefinite. */
Float80 f80_from_bcd(const uint8_t bcd[10]);
void f80_to_bcd(Float80 a, uint8_t bcd[10], FpEnv *env);

/* FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: the internal constants rounded with
 * env->round (no exception is raised). */
typedef enum F80Const {
    F80_CONST_ONE, F80_CONST_L2T, F80_CONST_L2E, F80_CONST_PI,
    F80_CONST_LG2, F80_CONST_LN2, F80_CONST_ZERO
} F80Const;
Float80 f80_const(F80Const which, const FpEnv *env);

/* --- transcendentals (always 64-bit precision) ---------------------------------------- */
Float80 f80_f2xm1(Float80 x, FpEnv *env);             /* 2^x - 1, defined for |x| <= 1 */
Float80 f80_yl2x(Float80 y, Float80 x, FpEnv *env);   /* FYL2X: ST1 * log2(ST0), y=ST1 */
Float80 f80_yl2xp1(Float80 y, Float80 x, FpEnv *env); /* FYL2XP1: ST1 * log2(ST0 + 1) */
Float80 f80_atan(Float80 y, Float80 x, FpEnv *env);   /* FPATAN: atan2(ST1=y, ST0=x) */
/* FSIN, FCOS, FPTAN, FSINCOS. They return false (C2 = 1, nothing to store, no exception)
 * when |x| >= 2^63; otherwise true with C2 = 0. FPTAN replaces ST(0) with *tan_r and pushes
 * *pushed (1.0, or the same NaN when the result is a NaN); FSINCOS replaces ST(0) with the
 * sine and pushes the cosine. */
bool f80_sin(Float80 x, Float80 *r, FpEnv *env);
bool f80_cos(Float80 x, Float80 *r, FpEnv *env);
bool f80_ptan(Float80 x, Float80 *tan_r, Float80 *pushed, FpEnv *env);
bool f80_sincos(Float80 x, Float80 *sin_r, Float80 *cos_r, FpEnv *env);

#endif
