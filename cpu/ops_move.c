/* ops_move.c — data movement without arithmetic: MOV, MOVZX, MOVSX, LEA, XCHG, XLAT,
 * NOP/PAUSE/multi-byte NOP, CBW/CWDE, CWD/CDQ, SETcc, CMOVcc, LAHF/SAHF, SALC, and the
 * flag-bit instructions CLC STC CMC CLD STD. */
#include "cpu/ops_util.h"

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
    /* Operand 1 is always a register; the (possibly memory) operand 0 is stored first, so a
     * faulting store leaves the register unchanged. */
    Rmw d;
    uint32_t b = opnd_read(cpu, insn, 1);
    uint32_t a = rmw_read(cpu, insn, 0, &d);
    rmw_write(cpu, &d, b);
    opnd_write(cpu, insn, 1, a);
}

/* XLAT: AL = [seg:(E)BX + AL], the sum wrapped to the address size. */
static void op_xlat(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t off = cpu->EBX + cpu->gpr[R_EAX].b.l;
    if (insn->adsize == 2)
        off &= 0xFFFF;
    cpu->gpr[R_EAX].b.l = cpu_read8(cpu, insn->seg, off);
}

static void op_setcc(CpuState *cpu, const DecodedInsn *insn)
{
    opnd_write(cpu, insn, 0, cpu_cond(cpu, insn_cond(insn)) ? 1 : 0);
}

/* CMOVcc reads its source even when the condition is false (a memory source may fault);
 * with a false condition the destination is not written (on the i686 a 32-bit register
 * keeps its value; only long mode would clear its upper half). */
static void op_cmovcc(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t v = opnd_read(cpu, insn, 1);
    if (cpu_cond(cpu, insn_cond(insn)))
        opnd_write(cpu, insn, 0, v);
}

/* LAHF: AH = SF ZF 0 AF 0 PF 1 CF. SAHF: the reverse for SF ZF AF PF CF. */
static void op_lahf(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    uint32_t f = cpu_get_eflags(cpu);
    cpu->gpr[R_EAX].b.h = (uint8_t)((f & (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)) | FL_RSVD1);
}

static void op_sahf(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    flags_update(cpu, FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF, cpu->gpr[R_EAX].b.h);
}

/* SALC (undocumented, D6): AL = CF ? 0xFF : 0x00; flags unchanged. */
static void op_salc(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    cpu->gpr[R_EAX].b.l = cpu_get_cf(cpu) ? 0xFF : 0x00;
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
    t[OP_XLAT] = op_xlat;
    t[OP_SETCC] = op_setcc;
    t[OP_CMOVCC] = op_cmovcc;
    t[OP_LAHF] = op_lahf;
    t[OP_SAHF] = op_sahf;
    t[OP_SALC] = op_salc;
}
