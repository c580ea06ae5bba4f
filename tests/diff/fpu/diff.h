/* diff.h — shared pieces of fpu-host-diff, the differential test of cpu/fpu against the host.
 *
 * Contract: the host's own x87 and SSE units (an x86-64 CPU) are the oracle. Each checked
 * operation is a DiffOp whose `one` function draws operands from the generators below, runs
 * them on the host (inline asm, all exceptions masked) and through the library under one
 * mode (x87: a control word; SSE: an MXCSR), compares result bits and flags, and reports the
 * outcome through DiffCtx. Everything is deterministic for a given seed.
 */
#ifndef VMM86_TESTS_DIFF_FPU_DIFF_H
#define VMM86_TESTS_DIFF_FPU_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/fpu/f80.h"
#include "cpu/fpu/sse_fp.h"

/* --- deterministic random numbers (splitmix64) --------------------------------------- */
typedef struct Rng {
    uint64_t s;
} Rng;

static inline uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline uint32_t rng_below(Rng *r, uint32_t n) { return (uint32_t)(rng_next(r) % n); }
static inline bool rng_bool(Rng *r) { return rng_next(r) & 1; }

/* --- operand generators (gen.c) -------------------------------------------------------- */
/* Exponent anchors (unbiased) that a generator gravitates to: the thresholds of a format. */
typedef enum GenRange {
    GEN_ANY,     /* f80 range: centre, f80 overflow/underflow */
    GEN_F64,     /* f64 overflow/underflow thresholds as seen from f80 */
    GEN_F32,     /* f32 thresholds */
    GEN_INT,     /* integer conversion limits and small fractions */
    GEN_UNIT     /* |x| around 2^-70 .. 2^2 (transcendental domains) */
} GenRange;

uint64_t gen_sig64(Rng *r);                   /* significand pattern, bit 63 set */
Float80 gen_f80(Rng *r, GenRange range);     /* any encoding, weighted to edge cases */
Float80 gen_f80_finite(Rng *r, int32_t exp); /* normal with this unbiased exponent */
/* Second operand related to `a`: near its exponent/significand, or placed so that the
 * result of `op` ('+', '*', '/') lands near a threshold. */
Float80 gen_f80_pair(Rng *r, Float80 a, char op);
uint64_t gen_f64(Rng *r, GenRange range);
uint32_t gen_f32(Rng *r, GenRange range);
uint64_t gen_f64_pair(Rng *r, uint64_t a, char op);
uint32_t gen_f32_pair(Rng *r, uint32_t a, char op);
int64_t gen_int(Rng *r, int bits); /* edge-weighted integer of that width */

/* --- reporting ------------------------------------------------------------------------ */
typedef struct DiffCtx {
    uint64_t run, failed;       /* exact comparisons */
    uint64_t tol_run, tol_failed, tol_exact; /* transcendental: beyond tolerance / bit-exact */
    uint64_t shown, show_max;
    uint64_t tol_shown, tol_show_max; /* within-tolerance differences printed (--show-tol) */
    const char *op;
    uint32_t mode;              /* x87 control word or MXCSR */
    bool verbose;
} DiffCtx;

/* Records one exact comparison; prints the first few mismatches with `what` describing
 * operands and both results. */
void diff_record(DiffCtx *c, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef enum DiffFamily { FAM_X87, FAM_SSE } DiffFamily;

typedef struct DiffOp {
    const char *name;
    DiffFamily family;
    bool basic;          /* part of the --full run with its 1,000,000 operands */
    bool transcendental; /* compared with a tolerance */
    void (*one)(DiffCtx *c, Rng *r, uint32_t mode);
} DiffOp;

extern const DiffOp diff_ops_x87[], diff_ops_sse[], diff_ops_trans[];
extern const unsigned diff_ops_x87_count, diff_ops_sse_count, diff_ops_trans_count;

/* x87 library environment from a host control word. */
static inline FpEnv diff_x87_env(uint32_t cw) { return fp_env_from_x87_cw((uint16_t)cw); }
/* SSE library environment from a host MXCSR, flags cleared. */
static inline FpEnv diff_sse_env(uint32_t mxcsr)
{
    FpEnv e = fp_env_from_mxcsr(mxcsr);
    e.flags = 0;
    return e;
}

#endif
