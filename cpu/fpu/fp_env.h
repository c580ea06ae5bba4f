/* fp_env.h — the floating-point environment shared by the x87 and SSE halves of the library.
 *
 * Contract: every operation of cpu/fpu takes a FpEnv* that holds the control state it reads
 * (rounding mode, x87 precision control, SSE DAZ/FTZ, exception masks) and the state it writes
 * (sticky exception flags, x87 C1 "rounded up"). Operations only OR bits into `flags`; the
 * caller clears them when the guest does (FNCLEX, LDMXCSR) and decides whether an unmasked
 * flag becomes #MF/#XM. The library never touches host floating point, host rounding state or
 * any other part of the emulator: results depend only on the operands and this struct.
 * Helpers below translate between FpEnv and the x87 control word / MXCSR encodings.
 */
#ifndef VMM86_CPU_FPU_FP_ENV_H
#define VMM86_CPU_FPU_FP_ENV_H

#include <stdbool.h>
#include <stdint.h>

/* Rounding control: the x87 CW.RC and MXCSR.RC encodings (they are the same). */
enum { FP_RC_NEAREST = 0, FP_RC_DOWN = 1, FP_RC_UP = 2, FP_RC_ZERO = 3 };

/* x87 precision control (CW.PC). The reserved encoding 1 is treated as 64 bits. */
enum { FP_PC_24 = 0, FP_PC_RESERVED = 1, FP_PC_53 = 2, FP_PC_64 = 3 };

/* Exception bits: x87 SW/CW bits 0-5 and MXCSR bits 0-5 (masks at MXCSR bits 7-12). */
enum {
    FP_IE = 0x01, /* invalid operation */
    FP_DE = 0x02, /* denormal operand */
    FP_ZE = 0x04, /* divide by zero */
    FP_OE = 0x08, /* overflow */
    FP_UE = 0x10, /* underflow */
    FP_PE = 0x20, /* precision (inexact) */
    FP_ALL_EXC = 0x3F
};

/* x87 condition-code bits, in their status-word positions, as returned by the ops that
 * define them (compare, FXAM, FPREM, FPTAN/FSIN range). */
enum { FP_SW_C0 = 0x0100, FP_SW_C1 = 0x0200, FP_SW_C2 = 0x0400, FP_SW_C3 = 0x4000 };
#define FP_SW_CC (FP_SW_C0 | FP_SW_C1 | FP_SW_C2 | FP_SW_C3)

typedef struct FpEnv {
    uint8_t round;     /* FP_RC_* */
    uint8_t precision; /* FP_PC_* (x87 add/sub/mul/div/sqrt only; ignored elsewhere) */
    bool daz;          /* SSE: denormal inputs read as zero, without DE */
    bool ftz;          /* SSE: tiny results flushed to zero (when UE is masked) */
    uint8_t masks;     /* exception masks, FP_* layout: 1 = masked */
    uint8_t flags;     /* accumulated exceptions, FP_* layout (sticky: ops only OR in) */
    bool c1;           /* x87: the last rounded result was rounded up in magnitude */
} FpEnv;

/* Result of an ordered or unordered comparison. */
typedef enum FpCmp { FP_CMP_LESS, FP_CMP_EQUAL, FP_CMP_GREATER, FP_CMP_UNORDERED } FpCmp;

/* x87 environment from a control word (flags start clear; the caller ORs them into SW). */
static inline FpEnv fp_env_from_x87_cw(uint16_t cw)
{
    FpEnv env = { .round = (uint8_t)((cw >> 10) & 3), .precision = (uint8_t)((cw >> 8) & 3),
                  .masks = (uint8_t)(cw & FP_ALL_EXC) };
    return env;
}

/* SSE environment from MXCSR (flags start as MXCSR's, so the result can be written back
 * with fp_env_to_mxcsr). */
static inline FpEnv fp_env_from_mxcsr(uint32_t mxcsr)
{
    FpEnv env = { .round = (uint8_t)((mxcsr >> 13) & 3), .precision = FP_PC_64,
                  .daz = (mxcsr >> 6) & 1, .ftz = (mxcsr >> 15) & 1,
                  .masks = (uint8_t)((mxcsr >> 7) & FP_ALL_EXC),
                  .flags = (uint8_t)(mxcsr & FP_ALL_EXC) };
    return env;
}

/* MXCSR with its flag bits replaced by env->flags. */
static inline uint32_t fp_env_to_mxcsr(uint32_t mxcsr, const FpEnv *env)
{
    return (mxcsr & ~(uint32_t)FP_ALL_EXC) | env->flags;
}

/* C3/C2/C0 of FCOM/FUCOM/FTST for a comparison result. */
static inline uint16_t fp_cmp_x87_cc(FpCmp c)
{
    static const uint16_t cc[4] = { FP_SW_C0, FP_SW_C3, 0, FP_SW_C3 | FP_SW_C2 | FP_SW_C0 };
    return cc[c];
}

/* ZF/PF/CF (EFLAGS bits 6, 2, 0) of FCOMI/FUCOMI/COMISS/UCOMISS for a comparison result. */
static inline uint32_t fp_cmp_eflags(FpCmp c)
{
    static const uint32_t fl[4] = { 0x01, 0x40, 0, 0x45 };
    return fl[c];
}

#endif
