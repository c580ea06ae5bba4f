/* ops_move.c — data movement without arithmetic: MOV, MOVZX, MOVSX, LEA, XCHG, NOP/PAUSE,
 * CBW/CWDE, CWD/CDQ, and the flag-bit instructions CLC STC CMC CLD STD. */
#include "cpu/interp.h"

static void op_mov(CpuState *cpu, const DecodedInsn *insn)
{
    opnd_write(cpu, insn, 0, opnd_read(cpu, insn, 1));
}

static void op_movzx(CpuState *cpu, const DecodedInsn *insn)
{
    opnd_write(cpu, insn, 0, opnd_read(cpu, insn, 1));
}

static void op_movsx(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t v = opnd_read(cpu, insn, 1);
    v = opnd_size(insn, 1) == 1 ? (uint32_t)(int32_t)(int8_t)v : (uint32_t)(int32_t)(int16_t)v;
    opnd_write(cpu, insn, 0, v);
}

static void op_lea(CpuState *cpu, const DecodedInsn *insn)
{
    opnd_write(cpu, insn, 0, insn_ea(cpu, insn));
}

static void op_xchg(CpuState *cpu, const DecodedInsn *insn)
{
    /* Memory first: if the store faults, the register is unchanged. */
    uint32_t a = opnd_read(cpu, insn, 0), b = opnd_read(cpu, insn, 1);
    if (insn->opnd[0].type == OPT_MEM) {
        opnd_write(cpu, insn, 0, b);
        opnd_write(cpu, insn, 1, a);
    } else {
        opnd_write(cpu, insn, 1, a);
        opnd_write(cpu, insn, 0, b);
    }
}

static void op_nop(CpuState *cpu, const DecodedInsn *insn)
{
    (void)cpu;
    (void)insn;
}

static void op_cbw(CpuState *cpu, const DecodedInsn *insn)
{
    if (insn->opsize == 2)
        cpu->gpr[R_EAX].w = (uint16_t)(int16_t)(int8_t)cpu->gpr[R_EAX].b.l;
    else
        cpu->EAX = (uint32_t)(int32_t)(int16_t)cpu->gpr[R_EAX].w;
}

static void op_cwd(CpuState *cpu, const DecodedInsn *insn)
{
    if (insn->opsize == 2)
        cpu->gpr[R_EDX].w = (cpu->gpr[R_EAX].w & 0x8000) ? 0xFFFF : 0;
    else
        cpu->EDX = (cpu->EAX & 0x80000000u) ? 0xFFFFFFFFu : 0;
}

static void set_flag_bit(CpuState *cpu, uint32_t bit, int how) /* 0 clear, 1 set, 2 flip */
{
    cpu_flags_materialize(cpu);
    if (how == 0)
        cpu->eflags &= ~bit;
    else if (how == 1)
        cpu->eflags |= bit;
    else
        cpu->eflags ^= bit;
}

static void op_clc(CpuState *cpu, const DecodedInsn *insn) { (void)insn; set_flag_bit(cpu, FL_CF, 0); }
static void op_stc(CpuState *cpu, const DecodedInsn *insn) { (void)insn; set_flag_bit(cpu, FL_CF, 1); }
static void op_cmc(CpuState *cpu, const DecodedInsn *insn) { (void)insn; set_flag_bit(cpu, FL_CF, 2); }
static void op_cld(CpuState *cpu, const DecodedInsn *insn) { (void)insn; cpu->eflags &= ~FL_DF; }
static void op_std(CpuState *cpu, const DecodedInsn *insn) { (void)insn; cpu->eflags |= FL_DF; }

void ops_move_register(InsnHandler *t)
{
    t[OP_MOV] = op_mov;
    t[OP_MOVZX] = op_movzx;
    t[OP_MOVSX] = op_movsx;
    t[OP_LEA] = op_lea;
    t[OP_XCHG] = op_xchg;
    t[OP_NOP] = op_nop;
    t[OP_PAUSE] = op_nop;
    t[OP_CBW] = op_cbw;
    t[OP_CWD] = op_cwd;
    t[OP_CLC] = op_clc;
    t[OP_STC] = op_stc;
    t[OP_CMC] = op_cmc;
    t[OP_CLD] = op_cld;
    t[OP_STD] = op_std;
}
