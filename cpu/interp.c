/* interp.c — handler table, generic operand access, dispatch. */
#include "cpu/interp.h"

#include <stdio.h>

#include "machine/log.h"

InsnHandler interp_handlers[OP_COUNT];

static const OpsRegistrar registrars[] = {
    ops_alu_register,    ops_shift_register,  ops_muldiv_register, ops_bcd_register,
    ops_bit_register,    ops_move_register,   ops_stack_register,  ops_string_register,
    ops_branch_register, ops_far_register,    ops_system_register, ops_io_register,
    ops_x87_register,    ops_simd_register,
};

uint64_t interp_unimplemented_count;

void op_unimplemented(CpuState *cpu, const DecodedInsn *insn)
{
    interp_unimplemented_count++;
    if (log_enabled(LOG_UNIMP))
        log_printf("cpu: instruction not implemented (op %u, %u bytes) at %04x:%08x: #UD\n",
                   (unsigned)insn->op, (unsigned)insn->len, cpu->seg[SEG_CS].sel, cpu->eip);
    cpu_raise(cpu, EXC_UD, 0);
}

void interp_init(void)
{
    static bool done;
    if (done)
        return;
    decode_init();
    for (unsigned i = 0; i < OP_COUNT; i++)
        interp_handlers[i] = op_unimplemented;
    for (unsigned i = 0; i < sizeof registrars / sizeof registrars[0]; i++)
        registrars[i](interp_handlers);
    done = true;
}

uint32_t opnd_read(CpuState *cpu, const DecodedInsn *insn, int i)
{
    const Operand *o = &insn->opnd[i];
    switch (o->type) {
    case OPT_GPR:
        return gpr_read(cpu, o->reg, o->size);
    case OPT_MEM:
        return cpu_read_sz(cpu, insn->seg, insn_ea(cpu, insn), o->size);
    case OPT_IMM:
        return o->reg == 0 ? insn->imm : o->reg == 1 ? insn->imm2 : 1;
    case OPT_SEG:
        return cpu->seg[o->reg].sel;
    default:
        fprintf(stderr, "vmm86: internal error: opnd_read of operand type %d (%s)\n", o->type,
                insn->row->mnem);
        cpu_raise(cpu, EXC_UD, 0);
    }
}

void opnd_write(CpuState *cpu, const DecodedInsn *insn, int i, uint32_t v)
{
    const Operand *o = &insn->opnd[i];
    switch (o->type) {
    case OPT_GPR:
        gpr_write(cpu, o->reg, o->size, v);
        return;
    case OPT_MEM:
        cpu_write_sz(cpu, insn->seg, insn_ea(cpu, insn), o->size, v);
        return;
    default:
        fprintf(stderr, "vmm86: internal error: opnd_write of operand type %d (%s)\n", o->type,
                insn->row->mnem);
        cpu_raise(cpu, EXC_UD, 0);
    }
}

uint32_t opnd_rmw_lin(CpuState *cpu, const DecodedInsn *insn, int i)
{
    return seg_check(cpu, insn->seg, insn_ea(cpu, insn), insn->opnd[i].size, true);
}

void interp_execute(CpuState *cpu, const DecodedInsn *insn)
{
    cpu->next_eip = cpu->eip + insn->len;
    interp_handlers[insn->op](cpu, insn);
    cpu->eip = cpu->next_eip;
    cpu->icount++;
}
