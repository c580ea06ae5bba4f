/* simd_core.c — the checks, operand access and MXCSR exception rules every MMX/SSE/SSE2
 * handler uses (simd_internal.h), and the small instructions with no data path of their own:
 * EMMS, LDMXCSR, STMXCSR, the fences, PREFETCHh, CLFLUSH, MOVNTI. */
#include "cpu/simd_internal.h"

#include "cpu/x87_internal.h"
#include "softmmu/mmu.h"

/* ---- begin checks ---------------------------------------------------------------------------- */

bool simd_begin_mmx(CpuState *cpu)
{
    if (cpu->cr0 & CR0_EM)
        cpu_raise_ud(cpu);
    if (cpu->cr0 & CR0_TS)
        cpu_raise(cpu, EXC_NM, 0);
    return x87_check_pending(cpu);
}

void simd_begin_sse(CpuState *cpu)
{
    if ((cpu->cr0 & CR0_EM) || !(cpu->cr4 & CR4_OSFXSR))
        cpu_raise_ud(cpu);
    if (cpu->cr0 & CR0_TS)
        cpu_raise(cpu, EXC_NM, 0);
}

bool simd_begin_sse_mmx(CpuState *cpu)
{
    simd_begin_sse(cpu);
    return x87_check_pending(cpu);
}

int simd_begin(CpuState *cpu, const DecodedInsn *insn)
{
    bool mmx = false, xmm = false;
    for (unsigned i = 0; i < insn->nopnd; i++) {
        mmx |= insn->opnd[i].type == OPT_MMX;
        xmm |= insn->opnd[i].type == OPT_XMM;
    }
    if (!mmx) {
        simd_begin_sse(cpu);
        return SIMD_XMM;
    }
    bool ok = xmm ? simd_begin_sse_mmx(cpu) : simd_begin_mmx(cpu);
    return ok ? SIMD_MMX : SIMD_FROZEN;
}

/* ---- operands ------------------------------------------------------------------------------------ */

uint32_t simd_mem_lin(CpuState *cpu, const DecodedInsn *insn, unsigned len, bool write, bool aligned)
{
    uint32_t off = insn_ea(cpu, insn);
    if (aligned && len == 16 && ((cpu->seg[insn->seg].base + off) & 15))
        cpu_raise_gp0(cpu);
    return fpu_mem_check(cpu, insn->seg, off, len, write);
}

static void mem_read(CpuState *cpu, uint32_t lin, unsigned len, Vec128 *v)
{
    bool user = cpu_user(cpu);
    switch (len) {
    case 1: v->b[0] = mmu_read8(cpu, lin, user); break;
    case 2: v->w[0] = mmu_read16(cpu, lin, user); break;
    case 4: v->d[0] = mmu_read32(cpu, lin, user); break;
    case 8: v->q[0] = mmu_read64(cpu, lin, user); break;
    default:
        v->q[0] = mmu_read64(cpu, lin, user);
        v->q[1] = mmu_read64(cpu, lin + 8, user);
        break;
    }
}

void simd_read(CpuState *cpu, const DecodedInsn *insn, int i, Vec128 *v, bool aligned)
{
    const Operand *o = &insn->opnd[i];
    v->q[0] = v->q[1] = 0;
    switch (o->type) {
    case OPT_MMX: v->q[0] = simd_mmx_get(cpu, o->reg); break;
    case OPT_XMM: simd_xmm_get(cpu, o->reg, v); break;
    case OPT_GPR: v->d[0] = gpr_read(cpu, o->reg, o->size); break;
    case OPT_MEM: mem_read(cpu, simd_mem_lin(cpu, insn, o->size, false, aligned), o->size, v); break;
    default: cpu_raise_ud(cpu); /* not an operand kind of these rows */
    }
}

void simd_write(CpuState *cpu, const DecodedInsn *insn, int i, const Vec128 *v, bool aligned)
{
    const Operand *o = &insn->opnd[i];
    switch (o->type) {
    case OPT_MMX: simd_mmx_write(cpu, o->reg, v->q[0]); break;
    case OPT_XMM: simd_xmm_write(cpu, o->reg, v); break;
    case OPT_GPR: gpr_write(cpu, o->reg, o->size, v->d[0]); break;
    case OPT_MEM: {
        uint32_t lin = simd_mem_lin(cpu, insn, o->size, true, aligned);
        bool user = cpu_user(cpu);
        switch (o->size) {
        case 2: mmu_write16(cpu, lin, v->w[0], user); break;
        case 4: mmu_write32(cpu, lin, v->d[0], user); break;
        case 8: mmu_write64(cpu, lin, v->q[0], user); break;
        default:
            mmu_write64(cpu, lin, v->q[0], user);
            mmu_write64(cpu, lin + 8, v->q[1], user);
            break;
        }
        break;
    }
    default: cpu_raise_ud(cpu);
    }
}

/* ---- MXCSR exceptions ------------------------------------------------------------------------------ */

void simd_fp_finish(CpuState *cpu, uint8_t flags)
{
    /* SDM Vol. 1 §11.5.1: invalid, denormal and divide-by-zero are detected before the
     * computation, in every lane; if any of them is unmasked, only they are flagged and the
     * instruction stops. Otherwise the results are computed and overflow, underflow and
     * precision examined; an unmasked one flags everything detected and stops. Either way
     * the destination keeps its old value. */
    uint8_t masks = (uint8_t)((cpu->fpu.mxcsr >> 7) & FP_ALL_EXC);
    uint8_t pre = flags & (FP_IE | FP_DE | FP_ZE);
    uint8_t post = flags & (FP_OE | FP_UE | FP_PE);
    bool raise = false;
    if (pre & ~masks) {
        flags = pre;
        raise = true;
    } else if (post & ~masks) {
        raise = true;
    }
    cpu->fpu.mxcsr |= flags;
    if (raise)
        cpu_raise(cpu, (cpu->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, 0);
}

/* ---- small instructions --------------------------------------------------------------------------- */

static void op_emms(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    if (!simd_begin_mmx(cpu))
        return;
    cpu->fpu.ftw = 0xFFFF;
    cpu->fpu.top = 0; /* like every MMX instruction (measured: EMMS sets TOP = 0 too) */
}

static void op_ldmxcsr(CpuState *cpu, const DecodedInsn *insn)
{
    simd_begin_sse(cpu);
    uint32_t v = cpu_read32(cpu, insn->seg, insn_ea(cpu, insn));
    if (v & ~FPU_MXCSR_MASK)
        cpu_raise_gp0(cpu);
    cpu->fpu.mxcsr = v;
}

static void op_stmxcsr(CpuState *cpu, const DecodedInsn *insn)
{
    simd_begin_sse(cpu);
    cpu_write32(cpu, insn->seg, insn_ea(cpu, insn), cpu->fpu.mxcsr);
}

/* LFENCE, MFENCE, SFENCE: one CPU and in-order memory: nothing to order. */
static void op_fence(CpuState *cpu, const DecodedInsn *insn)
{
    (void)cpu;
    (void)insn;
}

/* PREFETCHh is a hint: it never faults, whatever the address. */
static void op_prefetch(CpuState *cpu, const DecodedInsn *insn)
{
    (void)cpu;
    (void)insn;
}

/* CLFLUSH: no cache to flush, but the address is checked like a byte load (#GP/#SS/#PF). */
static void op_clflush(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t lin = seg_check(cpu, insn->seg, insn_ea(cpu, insn), 1, false);
    mmu_translate(cpu, lin, MMU_READ, cpu_user(cpu));
}

/* MOVNTI m32, r32: a plain store (no CR0 checks: it is a general-register instruction). */
static void op_movnti(CpuState *cpu, const DecodedInsn *insn)
{
    opnd_write(cpu, insn, 0, opnd_read(cpu, insn, 1));
}

void simd_core_register(InsnHandler *t)
{
    t[OP_EMMS] = op_emms;
    t[OP_LDMXCSR] = op_ldmxcsr;
    t[OP_STMXCSR] = op_stmxcsr;
    t[OP_FENCE] = op_fence;
    t[OP_PREFETCH] = op_prefetch;
    t[OP_CLFLUSH] = op_clflush;
    t[OP_MOVNTI] = op_movnti;
}
