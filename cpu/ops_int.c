/* ops_int.c — software interrupts and BOUND: INT n, INT3, INTO, INT1 (ICEBP) and #BR.
 * INT n is IOPL-sensitive in virtual-8086 mode (#GP(0) with IOPL < 3; VME is not
 * implemented); INT3 and INTO are not, and go through the IDT with the gate-DPL check. */
#include "cpu/sysops.h"

static void software_int(CpuState *cpu, int vector, EventKind kind)
{
    /* RF is cleared at the start of every instruction (after the breakpoint check), so a
     * software interrupt pushes RF = 0 even right after an IRET that set it. */
    cpu->eflags &= ~FL_RF;
    cpu_deliver_event(cpu, vector, kind, false, 0, cpu->next_eip);
    cpu->no_step_trap = true; /* the gate cleared TF: no single-step trap after INT */
}

static void op_int(CpuState *cpu, const DecodedInsn *insn)
{
    if (cpu_vm86(cpu) && cpu_iopl(cpu) < 3)
        cpu_raise(cpu, EXC_GP, 0);
    software_int(cpu, (int)(insn->imm & 0xFF), EV_SOFTWARE_INT);
}

static void op_int3(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    software_int(cpu, EXC_BP, EV_SOFTWARE_EXC);
}

static void op_into(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    if (cpu_cond(cpu, 0))
        software_int(cpu, EXC_OF, EV_SOFTWARE_EXC);
}

static void op_int1(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    software_int(cpu, EXC_DB, EV_ICEBP);
}

/* BOUND r, m: signed bounds pair; out of range is the #BR fault. */
static void op_bound(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned sz = insn->opsize;
    uint32_t ea = insn_ea(cpu, insn);
    uint32_t lo = cpu_read_sz(cpu, insn->seg, ea, sz);
    uint32_t hi = cpu_read_sz(cpu, insn->seg, insn->adsize == 2 ? ((ea + sz) & 0xFFFF) : ea + sz, sz);
    uint32_t idx = gpr_read(cpu, insn->opnd[0].reg, sz);
    int32_t i, l, h;
    if (sz == 2) {
        i = (int16_t)idx;
        l = (int16_t)lo;
        h = (int16_t)hi;
    } else {
        i = (int32_t)idx;
        l = (int32_t)lo;
        h = (int32_t)hi;
    }
    if (i < l || i > h)
        cpu_raise(cpu, EXC_BR, 0);
}

void ops_int_register(InsnHandler *t)
{
    t[OP_INT] = op_int;
    t[OP_INT3] = op_int3;
    t[OP_INTO] = op_into;
    t[OP_INT1] = op_int1;
    t[OP_BOUND] = op_bound;
}
