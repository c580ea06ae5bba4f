/* x87_core.c — the life of an x87 instruction (see x87_internal.h): CR0 checks, pending
 * errors (#MF, or FERR# and the freeze of MS-DOS compatibility mode), status-word updates,
 * stack faults, the last-instruction pointers, checked multi-byte memory areas, FWAIT. */
#include "cpu/x87_internal.h"

#include "softmmu/mmu.h"

uint32_t fpu_cpuid_edx_features(void)
{
    return (1u << 0) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);
}

void x87_drive_ferr(CpuState *cpu)
{
    /* The P6 asserts FERR# when the instruction that raised the unmasked exception
     * completes (SDM Vol. 3 "Assertion of the FERR# Pin"); native reporting (NE=1) does
     * not use the pin. */
    bool level = (cpu->fpu.fsw & FSW_ES) && !(cpu->cr0 & CR0_NE);
    if (level == cpu->fpu.ferr)
        return;
    cpu->fpu.ferr = level;
    if (cpu->ferr)
        cpu->ferr(cpu->ferr_opaque, level);
}

void x87_update_es(CpuState *cpu)
{
    FpuState *f = &cpu->fpu;
    if (f->fsw & ~f->fcw & FP_ALL_EXC)
        f->fsw |= FSW_ES | FSW_B;
    else
        f->fsw &= (uint16_t)~(FSW_ES | FSW_B);
    x87_drive_ferr(cpu);
}

/* A waiting instruction (x87, FWAIT, MMX) finds an unmasked exception pending. */
bool x87_check_pending(CpuState *cpu)
{
    if (!(cpu->fpu.fsw & FSW_ES))
        return true;
    if (cpu->cr0 & CR0_NE)
        cpu_raise(cpu, EXC_MF, 0);
    /* MS-DOS compatibility: FERR# is (still) asserted; with IGNNE# the error is ignored,
     * otherwise the processor freezes before the instruction until an interrupt (the
     * IRQ 13 FERR# raised) arrives, and runs it again after the handler returns. */
    x87_drive_ferr(cpu);
    if (cpu->ignne)
        return true;
    cpu->halted = true;
    cpu->next_eip = cpu->eip;
    return false;
}

bool x87_begin(CpuState *cpu, const DecodedInsn *insn)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS))
        cpu_raise(cpu, EXC_NM, 0);
    if (insn->row->attr & A_NOWAIT)
        return true;
    return x87_check_pending(cpu);
}

bool x87_flags(CpuState *cpu, const FpEnv *env)
{
    return x87_flags_stop(cpu, env, FP_IE | FP_DE | FP_ZE);
}

bool x87_flags_stop(CpuState *cpu, const FpEnv *env, uint8_t stoppers)
{
    FpuState *f = &cpu->fpu;
    const uint8_t pre = FP_IE | FP_DE | FP_ZE; /* detected before the computation */
    uint8_t flags = env->flags & FP_ALL_EXC;
    bool stop = flags & ~env->masks & stoppers;
    if (stop) {
        /* An unmasked invalid, denormal or divide-by-zero stops the instruction before it
         * computes: no precision/underflow/overflow flags, C1 cleared (measured). */
        flags &= pre;
        f->fsw &= (uint16_t)~FP_SW_C1;
    }
    f->fsw |= flags; /* SF stays as it was: it is sticky like the flags (measured) */
    if (flags & ~env->masks) {
        f->fsw |= FSW_ES | FSW_B;
        x87_drive_ferr(cpu);
    }
    return !stop;
}

static bool stack_fault(CpuState *cpu, bool overflow)
{
    FpuState *f = &cpu->fpu;
    f->fsw |= FP_IE | FSW_SF;
    x87_set_c1(cpu, overflow);
    if (f->fcw & FP_IE)
        return true;
    f->fsw |= FSW_ES | FSW_B;
    x87_drive_ferr(cpu);
    return false;
}

bool x87_underflow(CpuState *cpu) { return stack_fault(cpu, false); }
bool x87_overflow(CpuState *cpu) { return stack_fault(cpu, true); }

void x87_record(CpuState *cpu, const DecodedInsn *insn)
{
    FpuState *f = &cpu->fpu;
    f->fip = cpu->eip;
    f->fcs = cpu->seg[SEG_CS].sel;
    f->fop = (uint16_t)(((insn->opcode & 7u) << 8) | insn->modrm);
    if (insn->nopnd && insn->opnd[0].type == OPT_MEM) {
        f->fdp = insn_ea(cpu, insn);
        f->fds = cpu->seg[insn->seg].sel;
    }
}

/* ---- checked memory areas ------------------------------------------------------------------ */

uint32_t fpu_mem_check(CpuState *cpu, int seg, uint32_t off, unsigned len, bool write)
{
    uint32_t lin = seg_check(cpu, seg, off, len, write);
    bool user = cpu_user(cpu);
    MmuAccess acc = write ? MMU_WRITE : MMU_READ;
    unsigned pages = ((lin & 0xFFFu) + len - 1) >> 12; /* page boundaries crossed */
    mmu_translate(cpu, lin, acc, user);
    for (unsigned i = 1; i <= pages; i++)
        mmu_translate(cpu, (lin & PAGE_MASK) + 0x1000u * i, acc, user);
    return lin;
}

void fpu_mem_read(CpuState *cpu, uint32_t lin, void *buf, unsigned len)
{
    uint8_t *b = buf;
    bool user = cpu_user(cpu);
    for (unsigned i = 0; i < len; i++)
        b[i] = mmu_read8(cpu, lin + i, user);
}

void fpu_mem_write(CpuState *cpu, uint32_t lin, const void *buf, unsigned len)
{
    const uint8_t *b = buf;
    bool user = cpu_user(cpu);
    for (unsigned i = 0; i < len; i++)
        mmu_write8(cpu, lin + i, b[i], user);
}

/* ---- FWAIT ---------------------------------------------------------------------------------- */

static void op_fwait(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    /* WAIT ignores EM; it traps on TS only when MP is set (SDM Vol. 3 Table 2-2). */
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_raise(cpu, EXC_NM, 0);
    x87_check_pending(cpu);
}

void x87_core_register(InsnHandler *t) { t[OP_FWAIT] = op_fwait; }
