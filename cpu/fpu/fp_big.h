/* fp_big.h — 128-bit working precision for the x87 transcendentals (internal to cpu/fpu).
 *
 * Contract: FpBig is a sign, an unbounded exponent and a 128-bit significand (bit 127 set,
 * or zero for the value 0): value = ±m * 2^(e - 127). Operations truncate to 128 bits and
 * record any discarded part in bit 0 (a sticky bit), so an inexact value never looks
 * exact and stays on the correct side of the bits kept; each adds a relative error below
 * 2^-126; the transcendental routines chain a few dozen of
 * them and round once to 64 bits, which leaves more than 50 bits of margin for the final
 * rounding decision. Pure integer arithmetic; the exponent range is that of int32_t, so
 * intermediate results never overflow or underflow.
 */
#ifndef VMM86_CPU_FPU_FP_BIG_H
#define VMM86_CPU_FPU_FP_BIG_H

#include "cpu/fpu/fp_internal.h"

typedef struct FpBig {
    FpU128 m;
    int32_t e;
    bool s;
} FpBig;

/* A 128-bit constant: significand words and the exponent of bit 127. */
typedef struct FpBigConst {
    uint64_t hi, lo;
    int32_t e;
} FpBigConst;

/* The constants are irrational and truncated: bit 0 marks them inexact (sticky). */
static inline FpBig big_const(const FpBigConst *c, bool neg)
{
    FpBig r = { (FpU128)c->hi << 64 | c->lo | 1, c->e, neg };
    return r;
}
static inline bool big_is_zero(FpBig a) { return a.m == 0; }
static inline FpBig big_neg(FpBig a) { a.s = !a.s; return a; }
static inline FpBig big_abs(FpBig a) { a.s = false; return a; }

FpBig big_make(bool s, int32_t e, FpU128 m); /* normalizes; m == 0 gives zero */
FpBig big_from_val(const FpVal *v);         /* finite or zero FpVal, exact */
FpBig big_from_int(int64_t v);
FpBig big_mul(FpBig a, FpBig b);
FpBig big_add(FpBig a, FpBig b);
static inline FpBig big_sub(FpBig a, FpBig b) { return big_add(a, big_neg(b)); }
FpBig big_div(FpBig a, FpBig b);            /* b != 0 */
FpBig big_div_small(FpBig a, uint32_t k);   /* a / k, k > 0 */
FpBig big_ldexp(FpBig a, int32_t n);        /* a * 2^n */
int big_cmp_abs(FpBig a, FpBig b);          /* -1, 0, 1 on magnitudes */
/* Keeps the top `bits` bits of the significand (toward zero, no sticky): models the x87's
 * own intermediate precision where it shows in the results. */
FpBig big_trunc(FpBig a, int bits);

/* Rounds to the x87 register format (64-bit precision), setting UE/OE and C1. PE is always
 * raised: the x87 reports every approximated transcendental result as inexact, even when
 * it happens to be exact (F2XM1(1), FYL2X(y, 2^k)), and then a tiny one as underflow. */
Float80 big_to_f80(FpBig a, FpEnv *env);

/* Series kernels on |x| small (see fp_big.c for the ranges they are used on). */
FpBig big_ln1p_ratio(FpBig s);  /* 2 * atanh(s) = ln((1+s)/(1-s)) */
FpBig big_expm1(FpBig t);       /* e^t - 1, |t| <= 0.7 */
FpBig big_atan(FpBig q);        /* atan(q), 0 <= q <= 1 */
void big_sincos(FpBig r, FpBig *sin_r, FpBig *cos_r); /* |r| <= pi/4 */

extern const FpBigConst big_ln2, big_log2e, big_pi, big_pi_2, big_pi_4, big_3pi_4;

#endif
