/* sse_fp.h — the SSE/SSE2 half of the software floating-point library: binary32/binary64.
 *
 * Contract: values are raw IEEE bit patterns (uint32_t / uint64_t). Each function computes
 * one lane of the named SSE/SSE2 instruction exactly as an Intel CPU does under MXCSR
 * semantics held in env (rounding, DAZ, FTZ, masks), using integer arithmetic only.
 * Exceptions are ORed into env->flags (MXCSR layout); when `flags & ~masks` is non-zero
 * after an instruction the caller raises #XM (or #UD when CR4.OSXMMEXCPT is clear) and writes
 * nothing, as the hardware does. NaN rules are SSE's: an SNaN is quieted, with two NaN
 * operands the first one wins, an invalid operation returns the default NaN (negative QNaN
 * with only the quiet bit set). DAZ turns denormal inputs into zeros of the same sign
 * (without DE); FTZ turns tiny results into zeros (UE and PE raised) when UE is masked.
 * Packed instructions apply the scalar function to each lane and OR the flags.
 * RCPPS/RSQRTPS are not provided: their approximation tables are the caller's business.
 */
#ifndef VMM86_CPU_FPU_SSE_FP_H
#define VMM86_CPU_FPU_SSE_FP_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/fpu/fp_env.h"

#define F32_DEFAULT_NAN 0xFFC00000u
#define F64_DEFAULT_NAN 0xFFF8000000000000ull

/* CMPPS/CMPSS/CMPPD/CMPSD predicates (imm8 0-7). EQ, UNORD, NEQ, ORD are quiet (IE only for
 * SNaN); LT, LE, NLT, NLE signal on any NaN. */
typedef enum FpPredicate {
    FP_PRED_EQ, FP_PRED_LT, FP_PRED_LE, FP_PRED_UNORD,
    FP_PRED_NEQ, FP_PRED_NLT, FP_PRED_NLE, FP_PRED_ORD
} FpPredicate;

/* binary32 */
uint32_t f32_add(uint32_t a, uint32_t b, FpEnv *env);
uint32_t f32_sub(uint32_t a, uint32_t b, FpEnv *env); /* a - b */
uint32_t f32_mul(uint32_t a, uint32_t b, FpEnv *env);
uint32_t f32_div(uint32_t a, uint32_t b, FpEnv *env); /* a / b */
uint32_t f32_sqrt(uint32_t a, FpEnv *env);
uint32_t f32_min(uint32_t a, uint32_t b, FpEnv *env); /* MINSS: a < b ? a : b */
uint32_t f32_max(uint32_t a, uint32_t b, FpEnv *env); /* MAXSS: a > b ? a : b */
bool f32_cmp(uint32_t a, uint32_t b, FpPredicate pred, FpEnv *env); /* CMPSS: mask bit */
/* COMISS (quiet=false: IE on any NaN) and UCOMISS (quiet=true: IE on SNaN). */
FpCmp f32_compare(uint32_t a, uint32_t b, bool quiet, FpEnv *env);
uint64_t f32_to_f64(uint32_t a, FpEnv *env);          /* CVTSS2SD */
uint32_t f32_from_i32(int32_t v, FpEnv *env);         /* CVTSI2SS, CVTDQ2PS, CVTPI2PS */
/* CVTSS2SI (truncate=false: MXCSR.RC) and CVTTSS2SI (truncate=true); out of range or NaN:
 * IE and 0x80000000 (the 64-bit forms return 0x8000000000000000). */
int32_t f32_to_i32(uint32_t a, bool truncate, FpEnv *env);
int64_t f32_to_i64(uint32_t a, bool truncate, FpEnv *env);
uint32_t f32_from_i64(int64_t v, FpEnv *env);

/* binary64 */
uint64_t f64_add(uint64_t a, uint64_t b, FpEnv *env);
uint64_t f64_sub(uint64_t a, uint64_t b, FpEnv *env);
uint64_t f64_mul(uint64_t a, uint64_t b, FpEnv *env);
uint64_t f64_div(uint64_t a, uint64_t b, FpEnv *env);
uint64_t f64_sqrt(uint64_t a, FpEnv *env);
uint64_t f64_min(uint64_t a, uint64_t b, FpEnv *env);
uint64_t f64_max(uint64_t a, uint64_t b, FpEnv *env);
bool f64_cmp(uint64_t a, uint64_t b, FpPredicate pred, FpEnv *env);
FpCmp f64_compare(uint64_t a, uint64_t b, bool quiet, FpEnv *env);
uint32_t f64_to_f32(uint64_t a, FpEnv *env);          /* CVTSD2SS */
uint64_t f64_from_i32(int32_t v, FpEnv *env);         /* CVTSI2SD (exact) */
int32_t f64_to_i32(uint64_t a, bool truncate, FpEnv *env); /* CVT(T)SD2SI */
int64_t f64_to_i64(uint64_t a, bool truncate, FpEnv *env);
uint64_t f64_from_i64(int64_t v, FpEnv *env);

#endif
