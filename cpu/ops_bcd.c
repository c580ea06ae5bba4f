/* ops_bcd.c — decimal adjust: DAA DAS AAA AAS AAM AAD, as the SDM's pseudocode gives them.
 *
 * Undefined flags get these deterministic values:
 *   DAA/DAS: OF as for the signed overflow of the whole adjustment (old AL -> new AL);
 *   AAA/AAS: SF, ZF, PF from the final AL, OF cleared;
 *   AAM: OF, AF, CF cleared; AAD: OF, AF, CF of the 8-bit addition AL + AH * imm8 it does.
 * AAM with an immediate of 0 raises #DE before changing anything.
 */
#include "cpu/ops_util.h"

static void op_daa(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    uint32_t f = cpu_get_eflags(cpu);
    uint8_t old_al = cpu->gpr[R_EAX].b.l, al = old_al;
    bool old_cf = f & FL_CF, cf = false, af = false;
    if ((al & 0xF) > 9 || (f & FL_AF)) {
        cf = old_cf || al > 0xF9; /* carry out of AL + 6 */
        al += 6;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al += 0x60;
        cf = true;
    } else {
        cf = false;
    }
    cpu->gpr[R_EAX].b.l = al;
    uint32_t nf = flags_szp(al, 1) | (cf ? FL_CF : 0) | (af ? FL_AF : 0);
    if (~old_al & al & 0x80)
        nf |= FL_OF;
    cpu_set_arith_flags(cpu, nf);
}

static void op_das(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    uint32_t f = cpu_get_eflags(cpu);
    uint8_t old_al = cpu->gpr[R_EAX].b.l, al = old_al;
    bool old_cf = f & FL_CF, cf = false, af = false;
    if ((al & 0xF) > 9 || (f & FL_AF)) {
        cf = old_cf || al < 6; /* borrow out of AL - 6 */
        al -= 6;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al -= 0x60;
        cf = true;
    }
    cpu->gpr[R_EAX].b.l = al;
    uint32_t nf = flags_szp(al, 1) | (cf ? FL_CF : 0) | (af ? FL_AF : 0);
    if (old_al & ~al & 0x80)
        nf |= FL_OF;
    cpu_set_arith_flags(cpu, nf);
}

/* AAA: AX += 0x106 (a carry out of AL reaches AH); AAS: AX -= 6 then AH -= 1. */
static void ascii_adjust(CpuState *cpu, bool add)
{
    uint32_t f = cpu_get_eflags(cpu);
    uint16_t ax = cpu->gpr[R_EAX].w;
    bool adjust = (ax & 0xF) > 9 || (f & FL_AF);
    if (adjust)
        ax = add ? (uint16_t)(ax + 0x106) : (uint16_t)(ax - 0x106);
    ax &= 0xFF0F;
    cpu->gpr[R_EAX].w = ax;
    cpu_set_arith_flags(cpu, flags_szp(ax & 0xFF, 1) | (adjust ? FL_AF | FL_CF : 0));
}

static void op_aaa(CpuState *cpu, const DecodedInsn *insn) { (void)insn; ascii_adjust(cpu, true); }
static void op_aas(CpuState *cpu, const DecodedInsn *insn) { (void)insn; ascii_adjust(cpu, false); }

static void op_aam(CpuState *cpu, const DecodedInsn *insn)
{
    uint8_t base = (uint8_t)insn->imm, al = cpu->gpr[R_EAX].b.l;
    if (base == 0)
        cpu_raise(cpu, EXC_DE, 0);
    cpu->gpr[R_EAX].b.h = al / base;
    cpu->gpr[R_EAX].b.l = al % base;
    cpu_set_arith_flags(cpu, flags_szp(al % base, 1));
}

static void op_aad(CpuState *cpu, const DecodedInsn *insn)
{
    uint8_t base = (uint8_t)insn->imm, al = cpu->gpr[R_EAX].b.l, ah = cpu->gpr[R_EAX].b.h;
    uint8_t addend = (uint8_t)(ah * base);
    uint8_t res = (uint8_t)(al + addend);
    cpu->gpr[R_EAX].w = res;
    /* The undefined OF/AF/CF: those of the 8-bit addition AL + (AH * imm8). */
    cc_record(cpu, CC_OP(CC_BASE_ADD, 1), res, al, addend);
}

void ops_bcd_register(InsnHandler *t)
{
    t[OP_DAA] = op_daa;
    t[OP_DAS] = op_das;
    t[OP_AAA] = op_aaa;
    t[OP_AAS] = op_aas;
    t[OP_AAM] = op_aam;
    t[OP_AAD] = op_aad;
}
