/* x87_internal.h — what the x87 instruction handlers (cpu/x87_*.c) share.
 *
 * Contract: the register stack (ST(i) is physical register (TOP + i) & 7), the tag word as
 * the handlers keep it (each physical register is either empty, tag 3, or in use, tag 0;
 * the zero/special distinction is computed from the contents whenever software can see a
 * tag word, as the P6 and later do: see fpu_full_tag_word), and the life of one x87
 * instruction:
 *   1. x87_begin(): CR0.EM/TS (#NM), then for waiting forms the pending-exception check
 *      (#MF with CR0.NE=1; with NE=0 FERR# is asserted and, unless IGNNE# is active, the
 *      CPU freezes until an interrupt: x87_begin returns false and the handler does
 *      nothing, the instruction will run again after the interrupt handler returns);
 *   2. memory operands are read, results computed with the cpu/fpu library into a local
 *      FpEnv, memory results written (the last possible fault);
 *   3. x87_flags() merges the exception flags into the status word (ES/B for unmasked
 *      ones, FERR#) and says whether the result may be delivered; registers, TOP and
 *      condition codes are committed; x87_record() notes FIP/FCS/FOP/FDP/FDS.
 * Nothing is committed before the last fault (DESIGN.md invariant 3).
 */
#ifndef VMM86_CPU_X87_INTERNAL_H
#define VMM86_CPU_X87_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/fpu/f80.h"
#include "cpu/interp.h"
#include "cpu/x87.h"

/* Status-word bits beyond the exception flags and condition codes (fp_env.h). */
#define FSW_SF 0x0040u  /* stack fault (with IE) */
#define FSW_ES 0x0080u  /* error summary: an unmasked exception is pending */
#define FSW_B 0x8000u   /* busy: mirrors ES on the 387 and later */
#define FSW_TOP_SHIFT 11
#define FPU_TAG_EMPTY 3u

/* ---- the register stack ------------------------------------------------------------------ */

static inline unsigned x87_phys(const CpuState *cpu, unsigned i) { return (cpu->fpu.top + i) & 7; }

static inline bool x87_phys_empty(const CpuState *cpu, unsigned p)
{
    return ((cpu->fpu.ftw >> (2 * p)) & 3) == FPU_TAG_EMPTY;
}
static inline bool x87_empty(const CpuState *cpu, unsigned i) { return x87_phys_empty(cpu, x87_phys(cpu, i)); }

static inline Float80 x87_get(const CpuState *cpu, unsigned i)
{
    const FpuReg80 *r = &cpu->fpu.st[x87_phys(cpu, i)];
    return f80_make(r->se, r->mant);
}

/* Writes ST(i) and marks it in use. */
static inline void x87_set(CpuState *cpu, unsigned i, Float80 v)
{
    unsigned p = x87_phys(cpu, i);
    cpu->fpu.st[p].mant = v.mant;
    cpu->fpu.st[p].se = v.se;
    cpu->fpu.ftw &= (uint16_t)~(3u << (2 * p));
}

static inline void x87_set_empty(CpuState *cpu, unsigned i)
{
    cpu->fpu.ftw |= (uint16_t)(3u << (2 * x87_phys(cpu, i)));
}

/* Marks ST(0) empty and increments TOP. */
static inline void x87_pop(CpuState *cpu)
{
    x87_set_empty(cpu, 0);
    cpu->fpu.top = (cpu->fpu.top + 1) & 7;
}

/* Decrements TOP and writes the new ST(0). */
static inline void x87_push(CpuState *cpu, Float80 v)
{
    cpu->fpu.top = (cpu->fpu.top - 1) & 7;
    x87_set(cpu, 0, v);
}

/* A push would overwrite a register in use (stack overflow). */
static inline bool x87_push_blocked(const CpuState *cpu) { return !x87_empty(cpu, 7); }

static inline void x87_set_cc(CpuState *cpu, uint16_t cc)
{
    cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~FP_SW_CC) | (cc & FP_SW_CC));
}
static inline void x87_set_c1(CpuState *cpu, bool c1)
{
    cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~FP_SW_C1) | (c1 ? FP_SW_C1 : 0));
}

static inline FpEnv x87_env(const CpuState *cpu) { return fp_env_from_x87_cw(cpu->fpu.fcw); }

/* ---- the life of an instruction (x87_core.c) ---------------------------------------------- */

/* Step 1 (see the contract). False: the CPU froze on a pending error; do nothing. */
bool x87_begin(CpuState *cpu, const DecodedInsn *insn);

/* The pending-exception check of waiting instructions (x87, FWAIT, MMX): #MF with CR0.NE
 * set; otherwise FERR# and, without IGNNE#, the freeze (returns false). */
bool x87_check_pending(CpuState *cpu);

/* Step 3: ORs env->flags into the status word; an unmasked one sets ES and B (and drives
 * FERR#). Returns false when an unmasked IE, DE or ZE means the destination and the stack
 * must stay as they are (only those flags are then recorded, and C1 is cleared). */
bool x87_flags(CpuState *cpu, const FpEnv *env);
/* The same with the set of unmasked exceptions that stop the instruction given: loads of
 * real memory operands stop only for IE (a denormal is loaded even with DE unmasked). */
bool x87_flags_stop(CpuState *cpu, const FpEnv *env, uint8_t stoppers);

/* Stack faults: IE and SF, C1 = 0 for underflow (an empty source), 1 for overflow (a push
 * onto a register in use). They return true when IE is masked: the caller then delivers
 * the masked response (the real indefinite, or the indefinite of a memory format). */
bool x87_underflow(CpuState *cpu);
bool x87_overflow(CpuState *cpu);

/* FIP/FCS/FOP, and FDP/FDS for a memory operand: the last non-control instruction. */
void x87_record(CpuState *cpu, const DecodedInsn *insn);

/* Re-derives ES and B from the flags and the masks after the control word or the status
 * word was loaded, and drives FERR# to match. */
void x87_update_es(CpuState *cpu);

/* FERR# follows ES while CR0.NE is clear. */
void x87_drive_ferr(CpuState *cpu);

/* ---- memory operands ---------------------------------------------------------------------- */

/* Checks `len` bytes at seg:off for a read or write (segment rights and limit, then every
 * page touched), so that a multi-part access can no longer fault half way. Returns the
 * linear address. */
uint32_t fpu_mem_check(CpuState *cpu, int seg, uint32_t off, unsigned len, bool write);
/* Byte-granular copies between guest memory (checked before) and a buffer. */
void fpu_mem_read(CpuState *cpu, uint32_t lin, void *buf, unsigned len);
void fpu_mem_write(CpuState *cpu, uint32_t lin, const void *buf, unsigned len);

/* An 80-bit value from / to 10 little-endian bytes. */
static inline Float80 f80_from_bytes(const uint8_t b[10])
{
    uint64_t m = 0;
    for (int i = 7; i >= 0; i--)
        m = m << 8 | b[i];
    return f80_make((uint16_t)(b[8] | b[9] << 8), m);
}
static inline void f80_to_bytes(Float80 v, uint8_t b[10])
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v.mant >> (8 * i));
    b[8] = (uint8_t)v.se;
    b[9] = (uint8_t)(v.se >> 8);
}

/* ---- handler registration ----------------------------------------------------------------- */
void x87_core_register(InsnHandler *t);
void x87_arith_register(InsnHandler *t);
void x87_ldst_register(InsnHandler *t);
void x87_env_register(InsnHandler *t);
void x87_trans_register(InsnHandler *t);

#endif
