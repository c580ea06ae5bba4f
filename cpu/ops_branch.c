/* ops_branch.c — near control transfers: JMP, Jcc, CALL, RET, LOOP/LOOPE/LOOPNE, JCXZ. */
#include "cpu/interp.h"

static void op_jmp(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t target = insn->opnd[0].type == OPT_REL ? cpu->next_eip + insn->imm
                                                    : opnd_read(cpu, insn, 0);
    cpu_branch_near(cpu, target, insn->opsize);
}

static void op_jcc(CpuState *cpu, const DecodedInsn *insn)
{
    if (cpu_cond(cpu, insn_cond(insn)))
        cpu_branch_near(cpu, cpu->next_eip + insn->imm, insn->opsize);
}

static void op_call(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t target = insn->opnd[0].type == OPT_REL ? cpu->next_eip + insn->imm
                                                    : opnd_read(cpu, insn, 0);
    uint32_t esp = cpu->ESP;
    stack_push(cpu, &esp, insn->opsize, cpu->next_eip);
    cpu_branch_near(cpu, target, insn->opsize);
    cpu->ESP = esp;
}

static void op_ret(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t esp = cpu->ESP;
    uint32_t target = stack_pop(cpu, &esp, insn->opsize);
    if (insn->nopnd == 1)
        esp = stack_add(cpu, esp, (int32_t)(insn->imm & 0xFFFF));
    cpu_branch_near(cpu, target, insn->opsize);
    cpu->ESP = esp;
}

/* The count register is CX or ECX by address size. */
static uint32_t count_reg(const CpuState *cpu, const DecodedInsn *insn)
{
    return insn->adsize == 2 ? cpu->gpr[R_ECX].w : cpu->ECX;
}

static void loop_common(CpuState *cpu, const DecodedInsn *insn, int zf_cond)
{
    uint32_t count = count_reg(cpu, insn) - 1;
    if (insn->adsize == 2)
        count &= 0xFFFF;
    bool take = count != 0;
    if (take && zf_cond >= 0) {
        bool zf = cpu_cond(cpu, 4);
        take = zf_cond ? zf : !zf;
    }
    if (take)
        cpu_branch_near(cpu, cpu->next_eip + insn->imm, insn->opsize);
    if (insn->adsize == 2)
        cpu->gpr[R_ECX].w = (uint16_t)count;
    else
        cpu->ECX = count;
}

static void op_loop(CpuState *cpu, const DecodedInsn *insn) { loop_common(cpu, insn, -1); }
static void op_loope(CpuState *cpu, const DecodedInsn *insn) { loop_common(cpu, insn, 1); }
static void op_loopne(CpuState *cpu, const DecodedInsn *insn) { loop_common(cpu, insn, 0); }

static void op_jcxz(CpuState *cpu, const DecodedInsn *insn)
{
    if (count_reg(cpu, insn) == 0)
        cpu_branch_near(cpu, cpu->next_eip + insn->imm, insn->opsize);
}

void ops_branch_register(InsnHandler *t)
{
    t[OP_JMP] = op_jmp;
    t[OP_JCC] = op_jcc;
    t[OP_CALL] = op_call;
    t[OP_RET] = op_ret;
    t[OP_LOOP] = op_loop;
    t[OP_LOOPE] = op_loope;
    t[OP_LOOPNE] = op_loopne;
    t[OP_JCXZ] = op_jcxz;
}
