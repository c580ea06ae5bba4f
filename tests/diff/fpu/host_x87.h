/* host_x87.h — run one x87 instruction on the host CPU (the oracle of fpu-host-diff).
 *
 * Contract: each function starts from FNINIT, loads the control word and the operands,
 * executes the instruction, captures the status word with FNSTSW before anything else can
 * change it, clears the flags (FNCLEX, so that an unmasked exception cannot fault at the next
 * waiting instruction), stores the result(s) with FSTP m80 (which neither rounds nor raises)
 * and leaves the FPU initialised. Operand convention: `a` is ST(0), `b` is ST(1) at the instruction.
 * x86-64 hosts only (the whole tool is built only there).
 */
#ifndef VMM86_TESTS_DIFF_FPU_HOST_X87_H
#define VMM86_TESTS_DIFF_FPU_HOST_X87_H

#include <stdint.h>

#include "cpu/fpu/f80.h"

typedef struct HostX87 {
    Float80 r;   /* ST(0) after the instruction */
    Float80 r2;  /* ST(1) after it (FXTRACT, FPTAN, FSINCOS) */
    uint16_t sw; /* status word right after it */
    union {      /* integer / memory-format results */
        int16_t i16;
        int32_t i32;
        int64_t i64;
        uint32_t f32;
        uint64_t f64;
        uint8_t bcd[10];
    } m;
} HostX87;

#define X87_CLOBBERS "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

/* Two register operands, one result in ST(0). */
#define HOST_X87_2(insn)                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"      \
                     "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit"                                  \
                     : [r] "=m"(h.r), [sw] "=m"(h.sw)                                        \
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw)                                  \
                     : X87_CLOBBERS)

/* One register operand, results in ST(0) and ST(1). */
#define HOST_X87_1(insn)                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn "\n\t"                   \
                     "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfstpt %[r2]\n\tfninit"                   \
                     : [r] "=m"(h.r), [r2] "=m"(h.r2), [sw] "=m"(h.sw)                       \
                     : [a] "m"(a), [cw] "m"(cw)                                              \
                     : X87_CLOBBERS)

/* Store ST(0)=a to memory with a converting store. */
#define HOST_X87_STORE(insn, field)                                                          \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[m]\n\t"              \
                     "fnstsw %[sw]\n\tfninit"                                                \
                     : [m] "=m"(h.m.field), [sw] "=m"(h.sw)                                  \
                     : [a] "m"(a), [cw] "m"(cw)                                              \
                     : X87_CLOBBERS)

/* Load a memory operand, store ST(0) as m80. */
#define HOST_X87_LOAD(insn, src)                                                             \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn " %[s]\n\t"                           \
                     "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit"                                  \
                     : [r] "=m"(h.r), [sw] "=m"(h.sw)                                        \
                     : [s] "m"(src), [cw] "m"(cw)                                            \
                     : X87_CLOBBERS)

/* Arithmetic with a memory operand: ST(0)=a op m. */
#define HOST_X87_MEM(insn, src)                                                              \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[s]\n\t"              \
                     "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfninit"                                  \
                     : [r] "=m"(h.r), [sw] "=m"(h.sw)                                        \
                     : [a] "m"(a), [s] "m"(src), [cw] "m"(cw)                                \
                     : X87_CLOBBERS)

typedef enum HostX87Op {
    HX_ADD, HX_SUB, HX_MUL, HX_DIV, HX_COM, HX_UCOM, HX_PREM, HX_PREM1, HX_SCALE,
    HX_YL2X, HX_YL2XP1, HX_PATAN,
    HX_SQRT, HX_RNDINT, HX_XTRACT, HX_F2XM1, HX_SIN, HX_COS, HX_PTAN, HX_SINCOS, HX_XAM,
    HX_TST
} HostX87Op;

/* Register-operand instructions. */
static inline HostX87 host_x87(HostX87Op op, Float80 a, Float80 b, uint16_t cw)
{
    HostX87 h = { 0 };
    switch (op) {
    case HX_ADD: HOST_X87_2("fadd %%st(1), %%st"); break;
    case HX_SUB: HOST_X87_2("fsub %%st(1), %%st"); break;
    case HX_MUL: HOST_X87_2("fmul %%st(1), %%st"); break;
    case HX_DIV: HOST_X87_2("fdiv %%st(1), %%st"); break;
    case HX_COM: HOST_X87_2("fcom %%st(1)"); break;
    case HX_UCOM: HOST_X87_2("fucom %%st(1)"); break;
    case HX_PREM: HOST_X87_2("fprem"); break;
    case HX_PREM1: HOST_X87_2("fprem1"); break;
    case HX_SCALE: HOST_X87_2("fscale"); break;
    case HX_YL2X: HOST_X87_2("fxch\n\tfyl2x"); break;     /* ST1=a(y), ST0=b(x) */
    case HX_YL2XP1: HOST_X87_2("fxch\n\tfyl2xp1"); break;
    case HX_PATAN: HOST_X87_2("fxch\n\tfpatan"); break;   /* atan(a/b) */
    case HX_SQRT: HOST_X87_1("fsqrt"); break;
    case HX_RNDINT: HOST_X87_1("frndint"); break;
    case HX_XTRACT: HOST_X87_1("fxtract"); break;
    case HX_F2XM1: HOST_X87_1("f2xm1"); break;
    case HX_SIN: HOST_X87_1("fsin"); break;
    case HX_COS: HOST_X87_1("fcos"); break;
    case HX_PTAN: HOST_X87_1("fptan"); break;
    case HX_SINCOS: HOST_X87_1("fsincos"); break;
    case HX_XAM: HOST_X87_1("fxam"); break;
    case HX_TST: HOST_X87_1("ftst"); break;
    }
    return h;
}

#endif
