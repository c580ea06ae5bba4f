/* fpu_state.h — architectural x87, MMX and SSE register state, part of CpuState.
 *
 * Contract: the layout holds what FSAVE/FXSAVE expose: eight 80-bit physical registers
 * (R0..R7, MMX registers alias their significands), control/status/tag words, the last
 * instruction and operand pointers, eight XMM registers and MXCSR. TOP is kept apart from
 * the status word (fsw holds every other bit). The arithmetic on these values is the
 * software library in cpu/fpu/; nothing here uses host floating point. The views software
 * sees (status word with TOP, full and abridged tag words) are built in cpu/x87.h.
 */
#ifndef VMM86_CPU_FPU_STATE_H
#define VMM86_CPU_FPU_STATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct FpuReg80 {
    uint64_t mant; /* significand, explicit integer bit 63 */
    uint16_t se;   /* sign (bit 15) and biased exponent */
} FpuReg80;

typedef struct FpuState {
    FpuReg80 st[8]; /* physical registers R0..R7 (ST(i) is R[(top + i) & 7]) */
    uint16_t fcw;   /* control word */
    uint16_t fsw;   /* status word, TOP field (bits 11-13) kept in `top` */
    uint16_t ftw;   /* tag word, 2 bits per physical register: 3 empty, anything else in
                       use (the handlers write 0; the valid/zero/special tags software
                       sees are computed from the contents: fpu_full_tag_word, x87.h) */
    uint8_t top;    /* stack top, 0..7 */
    uint16_t fop;   /* last non-control opcode (11 bits) */
    uint32_t fip;   /* last instruction pointer (offset) */
    uint16_t fcs;   /* its code selector */
    uint32_t fdp;   /* last data (operand) pointer (offset) */
    uint16_t fds;   /* its data selector */
    uint64_t xmm[8][2]; /* XMM0..XMM7, low quadword first */
    uint32_t mxcsr;     /* SSE control and status */
    bool ferr;          /* level last driven on the FERR# output (CpuState.ferr) */
} FpuState;

/* CPUID.1:EDX bits of what the x87/MMX/SSE unit implements (FPU 0, MMX 23, FXSR 24, SSE 25,
 * SSE2 26), for the CPUID handler to OR in (defined in cpu/x87_core.c). */
uint32_t fpu_cpuid_edx_features(void);

#endif
