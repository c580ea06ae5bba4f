/* ops_iret.c — IRET/IRETD in every mode: real mode, virtual-8086 mode (IOPL-sensitive),
 * protected mode to the same or an outer level, back to virtual-8086 mode, and the NT task
 * return. Follows the IRET pseudo-code of the Intel SDM, vol. 2. */
#include "cpu/cpu.h"
#include "cpu/far.h"
#include "cpu/task.h"

/* EFLAGS bits any IRET may load (the rest depend on CPL and IOPL). */
#define IRET_BASE_MASK (FL_ARITH | FL_TF | FL_DF | FL_NT | FL_RF | FL_AC | FL_ID)

static void iret_done(CpuState *cpu, uint32_t eip)
{
    cpu->next_eip = eip;
    cpu->nmi_blocked = false; /* IRET ends the NMI handler's blocking */
    cpu->keep_rf = true;
}

/* Real and virtual-8086 mode: IP, CS, FLAGS from the stack; `mask` says which flags load. */
static void iret_simple(CpuState *cpu, unsigned sz, uint32_t mask)
{
    uint32_t esp = cpu->ESP;
    uint32_t eip = stack_peek(cpu, esp, 0, sz);
    uint16_t cs = (uint16_t)stack_peek(cpu, esp, (int32_t)sz, 2);
    uint32_t fl = stack_peek(cpu, esp, (int32_t)(2 * sz), sz);
    if (eip > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, 0);
    seg_load_real(cpu, SEG_CS, cs);
    cpu->ESP = stack_add(cpu, esp, (int32_t)(3 * sz));
    cpu_load_eflags(cpu, fl, mask);
    iret_done(cpu, eip);
}

/* VM, VIF and VIP keep their values; a 16-bit IRET loads the low word only. */
static uint32_t simple_mask(unsigned sz)
{
    return sz == 4 ? (FL_LIVE_MASK & ~(FL_VM | FL_VIF | FL_VIP)) : 0xFFFFu;
}

static void iret_v86(CpuState *cpu, unsigned sz)
{
    if (cpu_iopl(cpu) < 3)
        cpu_raise(cpu, EXC_GP, 0);
    /* IOPL is not the virtual-8086 task's to change. */
    iret_simple(cpu, sz, simple_mask(sz) & ~FL_IOPL);
}

/* NT set: return to the task in the back link of the current TSS. */
static void iret_task(CpuState *cpu)
{
    uint16_t link = sys_read16(cpu, cpu->tr.base);
    uint32_t err = link & 0xFFFC;
    if (link & 4)
        cpu_raise(cpu, EXC_TS, err);
    Descriptor d = desc_read_ts(cpu, link, false);
    unsigned t = desc_type(d);
    if (!desc_is_system(d) || (t != 3 && t != 11))
        cpu_raise(cpu, EXC_TS, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    task_switch(cpu, link, d, TS_IRET, false, 0, cpu->next_eip, cpu_get_eflags(cpu), 0);
    cpu->nmi_blocked = false;
}

/* IRETD at CPL 0 with VM set in the popped EFLAGS: back to virtual-8086 mode. */
static void iret_to_v86(CpuState *cpu, uint32_t esp, uint32_t eip, uint16_t cs, uint32_t fl)
{
    uint32_t new_esp = stack_peek(cpu, esp, 12, 4);
    uint16_t sel[6];
    sel[SEG_SS] = (uint16_t)stack_peek(cpu, esp, 16, 2);
    sel[SEG_ES] = (uint16_t)stack_peek(cpu, esp, 20, 2);
    sel[SEG_DS] = (uint16_t)stack_peek(cpu, esp, 24, 2);
    sel[SEG_FS] = (uint16_t)stack_peek(cpu, esp, 28, 2);
    sel[SEG_GS] = (uint16_t)stack_peek(cpu, esp, 32, 2);
    sel[SEG_CS] = cs;
    if (eip > 0xFFFF)
        cpu_raise(cpu, EXC_GP, 0);
    cpu_load_eflags(cpu, fl, FL_LIVE_MASK);
    cpu->cpl = 3;
    for (int s = 0; s < SEG_COUNT; s++)
        seg_load_real(cpu, s, sel[s]);
    cpu->ESP = new_esp;
    iret_done(cpu, eip);
}

static void iret_protected(CpuState *cpu, unsigned sz)
{
    if (cpu->eflags & FL_NT) {
        iret_task(cpu);
        return;
    }
    uint32_t esp = cpu->ESP;
    uint32_t eip = stack_peek(cpu, esp, 0, sz);
    uint16_t sel = (uint16_t)stack_peek(cpu, esp, (int32_t)sz, 2);
    uint32_t fl = stack_peek(cpu, esp, (int32_t)(2 * sz), sz);
    if (sz == 4 && (fl & FL_VM) && cpu->cpl == 0) {
        iret_to_v86(cpu, esp, eip, sel, fl);
        return;
    }
    Descriptor cs = far_check_return_cs(cpu, sel);
    unsigned rpl = sel & 3, old_cpl = cpu->cpl;
    uint32_t mask = IRET_BASE_MASK;
    if (old_cpl <= cpu_iopl(cpu))
        mask |= FL_IF;
    if (old_cpl == 0)
        mask |= FL_IOPL | (sz == 4 ? (FL_VIF | FL_VIP) : 0);
    if (sz == 2)
        mask &= 0xFFFF;
    if (rpl == old_cpl) {
        if (eip > desc_limit(cs))
            cpu_raise(cpu, EXC_GP, 0);
        far_load_cs(cpu, sel, cs, rpl);
        cpu->ESP = stack_add(cpu, esp, (int32_t)(3 * sz));
    } else {
        uint32_t new_esp = stack_peek(cpu, esp, (int32_t)(3 * sz), sz);
        uint16_t ss_sel = (uint16_t)stack_peek(cpu, esp, (int32_t)(4 * sz), 2);
        Descriptor ss = far_check_return_ss(cpu, ss_sel, rpl);
        if (eip > desc_limit(cs))
            cpu_raise(cpu, EXC_GP, 0);
        far_return_outer(cpu, sel, cs, ss_sel, ss, new_esp);
    }
    cpu_load_eflags(cpu, fl, mask);
    iret_done(cpu, eip);
}

static void op_iret(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned sz = insn->opsize;
    if (!cpu_pe(cpu))
        iret_simple(cpu, sz, simple_mask(sz));
    else if (cpu_vm86(cpu))
        iret_v86(cpu, sz);
    else
        iret_protected(cpu, sz);
}

void ops_iret_register(InsnHandler *t)
{
    t[OP_IRET] = op_iret;
}
