/* host_sse.h — run one scalar SSE/SSE2 instruction on the host CPU (fpu-host-diff's oracle).
 *
 * Contract: each call saves the host MXCSR, loads the requested one (flags clear), runs the
 * instruction with the first operand in XMM0 and the second in XMM1 (Intel order: XMM0 is
 * the destination/first source), captures the resulting MXCSR and restores the host's.
 * Operands and results are raw bit patterns moved with MOVD/MOVQ, so the compiler never
 * does floating-point work on them. x86-64 hosts only.
 */
#ifndef VMM86_TESTS_DIFF_FPU_HOST_SSE_H
#define VMM86_TESTS_DIFF_FPU_HOST_SSE_H

#include <stdint.h>

typedef struct HostSse {
    uint64_t r;      /* result bits (low 32 for single precision, integer results sign-extended) */
    uint32_t mxcsr;  /* MXCSR after the instruction */
    uint8_t zf, pf, cf;
} HostSse;

/* Bit pattern moves: 32-bit ("d") or 64-bit ("q") into xmm0/xmm1, result out of xmm0. */
#define SSE_RUN(mov_in, body, mov_out)                                                       \
    __asm__ volatile("stmxcsr %[save]\n\tldmxcsr %[mx]\n\t"                                  \
                     mov_in " %[a], %%xmm0\n\t" mov_in " %[b], %%xmm1\n\t" body "\n\t"      \
                     "stmxcsr %[mx]\n\tldmxcsr %[save]\n\t" mov_out                          \
                     : [r] "=&r"(h.r), [mx] "+m"(h.mxcsr), [save] "+m"(save)                 \
                     : [a] "r"(a), [b] "r"(b)                                                \
                     : "xmm0", "xmm1", "cc")

#define SSE_FLAGS(mov_in, insn)                                                              \
    __asm__ volatile("stmxcsr %[save]\n\tldmxcsr %[mx]\n\t"                                  \
                     mov_in " %[a], %%xmm0\n\t" mov_in " %[b], %%xmm1\n\t" insn             \
                     " %%xmm1, %%xmm0\n\tsetz %[z]\n\tsetp %[p]\n\tsetc %[c]\n\t"            \
                     "stmxcsr %[mx]\n\tldmxcsr %[save]"                                      \
                     : [z] "=&r"(h.zf), [p] "=&r"(h.pf), [c] "=&r"(h.cf), [mx] "+m"(h.mxcsr), \
                       [save] "+m"(save)                                                     \
                     : [a] "r"(a), [b] "r"(b)                                                \
                     : "xmm0", "xmm1", "cc")

typedef enum HostSseOp {
    HS_ADD, HS_SUB, HS_MUL, HS_DIV, HS_SQRT, HS_MIN, HS_MAX,
    HS_CMP0, HS_CMP1, HS_CMP2, HS_CMP3, HS_CMP4, HS_CMP5, HS_CMP6, HS_CMP7,
    HS_COMI, HS_UCOMI,
    HS_CVT_TO_OTHER,   /* cvtss2sd / cvtsd2ss */
    HS_CVT_TO_I32, HS_CVTT_TO_I32, HS_CVT_TO_I64, HS_CVTT_TO_I64,
    HS_CVT_FROM_I32, HS_CVT_FROM_I64
} HostSseOp;

/* Single precision: a, b are the low 32 bits. */
static inline HostSse host_ss(HostSseOp op, uint64_t a64, uint64_t b64, uint32_t mxcsr)
{
    HostSse h = { .mxcsr = mxcsr };
    uint32_t save = 0, a = (uint32_t)a64, b = (uint32_t)b64;
    uint64_t wa = a64;
    switch (op) {
    case HS_ADD: SSE_RUN("movd", "addss %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_SUB: SSE_RUN("movd", "subss %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_MUL: SSE_RUN("movd", "mulss %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_DIV: SSE_RUN("movd", "divss %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_SQRT: SSE_RUN("movd", "sqrtss %%xmm0, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_MIN: SSE_RUN("movd", "minss %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_MAX: SSE_RUN("movd", "maxss %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP0: SSE_RUN("movd", "cmpss $0, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP1: SSE_RUN("movd", "cmpss $1, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP2: SSE_RUN("movd", "cmpss $2, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP3: SSE_RUN("movd", "cmpss $3, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP4: SSE_RUN("movd", "cmpss $4, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP5: SSE_RUN("movd", "cmpss $5, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP6: SSE_RUN("movd", "cmpss $6, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CMP7: SSE_RUN("movd", "cmpss $7, %%xmm1, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_COMI: SSE_FLAGS("movd", "comiss"); break;
    case HS_UCOMI: SSE_FLAGS("movd", "ucomiss"); break;
    case HS_CVT_TO_OTHER: SSE_RUN("movd", "cvtss2sd %%xmm0, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CVT_TO_I32: SSE_RUN("movd", "cvtss2si %%xmm0, %k[r]", "movslq %k[r], %[r]"); break;
    case HS_CVTT_TO_I32: SSE_RUN("movd", "cvttss2si %%xmm0, %k[r]", "movslq %k[r], %[r]"); break;
    case HS_CVT_TO_I64: SSE_RUN("movd", "cvtss2si %%xmm0, %[r]", ""); break;
    case HS_CVTT_TO_I64: SSE_RUN("movd", "cvttss2si %%xmm0, %[r]", ""); break;
    case HS_CVT_FROM_I32: SSE_RUN("movd", "cvtsi2ssl %k[a], %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CVT_FROM_I64: {
        uint64_t b2 = b;
        __asm__ volatile("stmxcsr %[save]\n\tldmxcsr %[mx]\n\tcvtsi2ssq %[a], %%xmm0\n\t"
                         "stmxcsr %[mx]\n\tldmxcsr %[save]\n\tmovd %%xmm0, %k[r]"
                         : [r] "=&r"(h.r), [mx] "+m"(h.mxcsr), [save] "+m"(save)
                         : [a] "r"(wa), [b] "r"(b2)
                         : "xmm0", "cc");
        break;
    }
    }
    return h;
}

/* Double precision. */
static inline HostSse host_sd(HostSseOp op, uint64_t a, uint64_t b, uint32_t mxcsr)
{
    HostSse h = { .mxcsr = mxcsr };
    uint32_t save = 0;
    switch (op) {
    case HS_ADD: SSE_RUN("movq", "addsd %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_SUB: SSE_RUN("movq", "subsd %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_MUL: SSE_RUN("movq", "mulsd %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_DIV: SSE_RUN("movq", "divsd %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_SQRT: SSE_RUN("movq", "sqrtsd %%xmm0, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_MIN: SSE_RUN("movq", "minsd %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_MAX: SSE_RUN("movq", "maxsd %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP0: SSE_RUN("movq", "cmpsd $0, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP1: SSE_RUN("movq", "cmpsd $1, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP2: SSE_RUN("movq", "cmpsd $2, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP3: SSE_RUN("movq", "cmpsd $3, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP4: SSE_RUN("movq", "cmpsd $4, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP5: SSE_RUN("movq", "cmpsd $5, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP6: SSE_RUN("movq", "cmpsd $6, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CMP7: SSE_RUN("movq", "cmpsd $7, %%xmm1, %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_COMI: SSE_FLAGS("movq", "comisd"); break;
    case HS_UCOMI: SSE_FLAGS("movq", "ucomisd"); break;
    case HS_CVT_TO_OTHER: SSE_RUN("movq", "cvtsd2ss %%xmm0, %%xmm0", "movd %%xmm0, %k[r]"); break;
    case HS_CVT_TO_I32: SSE_RUN("movq", "cvtsd2si %%xmm0, %k[r]", "movslq %k[r], %[r]"); break;
    case HS_CVTT_TO_I32: SSE_RUN("movq", "cvttsd2si %%xmm0, %k[r]", "movslq %k[r], %[r]"); break;
    case HS_CVT_TO_I64: SSE_RUN("movq", "cvtsd2si %%xmm0, %[r]", ""); break;
    case HS_CVTT_TO_I64: SSE_RUN("movq", "cvttsd2si %%xmm0, %[r]", ""); break;
    case HS_CVT_FROM_I32: SSE_RUN("movq", "cvtsi2sdl %k[a], %%xmm0", "movq %%xmm0, %[r]"); break;
    case HS_CVT_FROM_I64: SSE_RUN("movq", "cvtsi2sdq %[a], %%xmm0", "movq %%xmm0, %[r]"); break;
    }
    return h;
}

#endif
