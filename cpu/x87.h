/* x87.h — the x87/MMX/SSE unit as the rest of vmm86 sees it.
 *
 * Contract: the handlers of every x87, MMX, SSE and SSE2 instruction register themselves
 * through ops_x87_register / ops_simd_register (interp.h). Outside them, other parts need
 * only the views below: the status word with TOP folded in, the full tag word as FSTENV
 * stores it (computed from the register contents: 0 valid, 1 zero, 2 special, 3 empty),
 * the abridged tag byte of FXSAVE, and the CPUID.1:EDX feature bits this unit implements
 * (for the CPUID handler to OR in). The CPU's FERR# output and IGNNE# input are fields of
 * CpuState (cpu_state.h); the board connects them to IRQ 13 (devices/fpu_irq13.h).
 */
#ifndef VMM86_CPU_X87_H
#define VMM86_CPU_X87_H

#include <stdint.h>

#include "cpu/fpu_state.h"

/* MXCSR bits that exist (FXSAVE's MXCSR_MASK): DAZ is supported, as on every SSE2 part. */
#define FPU_MXCSR_MASK 0x0000FFFFu
#define FPU_MXCSR_DEFAULT 0x1F80u

/* Status word as FSTSW stores it (TOP in bits 11-13). */
static inline uint16_t fpu_status_word(const FpuState *f)
{
    return (uint16_t)((f->fsw & ~0x3800u) | (unsigned)(f->top & 7) << 11);
}

/* Tag of one physical register's contents (not empty): 0 valid, 1 zero, 2 special (NaN,
 * infinity, denormal, pseudo-denormal, unnormal or another unsupported encoding). */
static inline unsigned fpu_tag_of(const FpuReg80 *r)
{
    unsigned e = r->se & 0x7FFF;
    if (e == 0x7FFF)
        return 2;
    if (e == 0)
        return r->mant == 0 ? 1 : 2;
    return (r->mant >> 63) ? 0 : 2;
}

/* Full tag word (FSTENV/FSAVE): empty registers stay 3, the others are classified. */
static inline uint16_t fpu_full_tag_word(const FpuState *f)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = ((f->ftw >> (2 * p)) & 3) == 3 ? 3 : fpu_tag_of(&f->st[p]);
        tw |= (uint16_t)(t << (2 * p));
    }
    return tw;
}

/* Abridged tag byte (FXSAVE): bit p set when physical register p is in use. */
static inline uint8_t fpu_abridged_tag(const FpuState *f)
{
    uint8_t t = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((f->ftw >> (2 * p)) & 3) != 3)
            t |= (uint8_t)(1u << p);
    return t;
}

#endif
