/* simd_internal.h — what the MMX, SSE and SSE2 handlers (cpu/simd_*.c, mmx_*.c, sse_*.c)
 * share.
 *
 * Contract: an MMX/SSE/SSE2 handler starts with one of the begin checks, in the SDM's
 * order (Vol. 3 Table 2-2 and the exception tables of Vol. 2):
 *   simd_begin_mmx  — MMX registers: CR0.EM → #UD, CR0.TS → #NM, a pending x87 error →
 *                     #MF (or the MS-DOS-compatible freeze: it returns false);
 *   simd_begin_sse  — XMM registers: CR0.EM → #UD, CR4.OSFXSR clear → #UD, TS → #NM;
 * then reads every source (16-byte memory operands of the aligned forms raise #GP(0) when
 * misaligned), computes into locals, and for floating point calls simd_fp_finish(), which
 * raises #XM (or #UD without CR4.OSXMMEXCPT) for unmasked exceptions after setting the
 * MXCSR flags the SDM's pre-/post-computation rules give, before anything else changes.
 * Then it writes its destination. simd_mmx_write() and mmx_transition() give MMX
 * instructions their x87 side effects (exponent bits all ones, TOP = 0, every tag valid).
 * Vectors are little-endian lanes of a 128-bit union (the host is little-endian).
 */
#ifndef VMM86_CPU_SIMD_INTERNAL_H
#define VMM86_CPU_SIMD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/fpu/sse_fp.h"
#include "cpu/interp.h"
#include "cpu/x87.h"

typedef union Vec128 {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t d[4];
    int32_t sd[4];
    uint64_t q[2];
    int64_t sq[2];
} Vec128;

/* ---- begin checks (simd_core.c) ------------------------------------------------------------ */
bool simd_begin_mmx(CpuState *cpu);
void simd_begin_sse(CpuState *cpu);
/* SSE instructions with an MMX register operand (CVTPI2PS xmm, mm; CVTPS2PI; MOVQ2DQ...):
 * the SSE checks, then the pending x87 error check. False: frozen (do nothing). */
bool simd_begin_sse_mmx(CpuState *cpu);

/* Picks the checks from the operands: MMX registers only → MMX; XMM registers only →
 * SSE; both → SSE then the pending x87 check. Returns SIMD_FROZEN (do nothing),
 * SIMD_XMM, or SIMD_MMX when an MMX register is involved (the caller ends with
 * mmx_transition). */
enum { SIMD_FROZEN = -1, SIMD_XMM = 0, SIMD_MMX = 1 };
int simd_begin(CpuState *cpu, const DecodedInsn *insn);

/* TOP = 0 and every tag valid: the x87 side effect of every MMX instruction but EMMS. */
static inline void mmx_transition(CpuState *cpu)
{
    cpu->fpu.top = 0;
    cpu->fpu.ftw = 0;
}

static inline uint64_t simd_mmx_get(const CpuState *cpu, unsigned r) { return cpu->fpu.st[r & 7].mant; }
static inline void simd_mmx_write(CpuState *cpu, unsigned r, uint64_t v)
{
    cpu->fpu.st[r & 7].mant = v;
    cpu->fpu.st[r & 7].se = 0xFFFF;
}

static inline void simd_xmm_get(const CpuState *cpu, unsigned r, Vec128 *v)
{
    v->q[0] = cpu->fpu.xmm[r & 7][0];
    v->q[1] = cpu->fpu.xmm[r & 7][1];
}
static inline void simd_xmm_write(CpuState *cpu, unsigned r, const Vec128 *v)
{
    cpu->fpu.xmm[r & 7][0] = v->q[0];
    cpu->fpu.xmm[r & 7][1] = v->q[1];
}

/* ---- operands (simd_core.c) ------------------------------------------------------------------ */

/* Operand i (MMX, XMM, general register or memory of its decoded size: 4, 8 or 16
 * bytes) into v, zero-extended. `aligned`: a 16-byte memory operand must be 16-byte
 * aligned (#GP(0)). */
void simd_read(CpuState *cpu, const DecodedInsn *insn, int i, Vec128 *v, bool aligned);
/* Writes operand i: an MMX register (64 bits), an XMM register (all 128 bits), a general
 * register (32 bits) or memory (its decoded size, checked whole before any byte is
 * written; `aligned` as for simd_read). */
void simd_write(CpuState *cpu, const DecodedInsn *insn, int i, const Vec128 *v, bool aligned);
/* Checked linear address of `len` bytes of the memory operand (see simd_write). */
uint32_t simd_mem_lin(CpuState *cpu, const DecodedInsn *insn, unsigned len, bool write, bool aligned);

/* ---- floating point (simd_core.c) ------------------------------------------------------------- */

/* MXCSR environment with the flags cleared (the op's own exceptions accumulate there). */
static inline FpEnv simd_env(const CpuState *cpu)
{
    FpEnv e = fp_env_from_mxcsr(cpu->fpu.mxcsr);
    e.flags = 0;
    return e;
}

/* Records the exceptions of a whole instruction in MXCSR, or raises #XM/#UD for an unmasked
 * one (flags as the SDM sets them for that case). */
void simd_fp_finish(CpuState *cpu, uint8_t flags);

/* ---- registration ------------------------------------------------------------------------------ */
void simd_core_register(InsnHandler *t);
void mmx_int_register(InsnHandler *t);
void sse_arith_register(InsnHandler *t);
void sse_conv_register(InsnHandler *t);
void sse_move_register(InsnHandler *t);

#endif
