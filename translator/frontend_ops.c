/* frontend_ops.c — the operations the front end translates inline: moves, ALU operations,
 * INC/DEC/NEG/NOT, shifts by a constant, IMUL, stack operations, near branches, SETcc and
 * CMOVcc, CBW/CWD, LEAVE, CLD/STD, MOVS/STOS/LODS/SCAS without REP. Semantics (flag values included, the "undefined" ones
 * too) follow the interpreter's handlers in cpu/ops_*.c exactly; lockstep checks it. */
#include <stddef.h>

#include "cpu/exception.h"
#include "translator/frontend.h"

#define ENV(field) ((uint32_t)offsetof(CpuState, field))

static bool is_gpr_or_mem(const Operand *o) { return o->type == OPT_GPR || o->type == OPT_MEM; }

static uint32_t opmask(unsigned size) { return size_mask(size); }

/* A near branch target known at translation time, within the CS limit. */
static bool static_target(const DecodedInsn *in, uint32_t eip, const JitTranslateCtx *ctx,
                          uint32_t *target)
{
    uint32_t t = eip + in->len + in->imm;
    if (in->opsize == 2)
        t &= 0xFFFF;
    *target = t;
    return t <= ctx->cs_limit;
}

static bool shift_by_cl(const DecodedInsn *in)
{
    return in->opnd[1].type == OPT_GPR && in->opnd[1].reg == R_ECX && in->opnd[1].size == 1;
}

static bool is_rotate(unsigned op) { return op == OP_ROL || op == OP_ROR; }

static bool shift_inline(const DecodedInsn *in)
{
    if (shift_by_cl(in))
        return is_gpr_or_mem(&in->opnd[0]);
    if (in->opnd[1].type != OPT_IMM || !is_gpr_or_mem(&in->opnd[0]))
        return false;
    uint32_t count = (in->opnd[1].reg == 2 ? 1 : in->imm) & 31;
    if (is_rotate(in->op))
        return count != 0;
    return count != 0 && count < 8u * in->opnd[0].size;
}

bool fe_can_inline(const DecodedInsn *in, uint32_t eip, const JitTranslateCtx *ctx)
{
    const Operand *o = in->opnd;
    uint32_t t;
    switch (in->op) {
    case OP_MOV:
        return is_gpr_or_mem(&o[0]) && (is_gpr_or_mem(&o[1]) || o[1].type == OPT_IMM);
    case OP_MOVZX: case OP_MOVSX: case OP_CMOVCC:
        return o[0].type == OPT_GPR && is_gpr_or_mem(&o[1]);
    case OP_LEA:
        return o[0].type == OPT_GPR && o[1].type == OPT_MEM;
    case OP_ADD: case OP_OR: case OP_ADC: case OP_SBB: case OP_AND: case OP_SUB:
    case OP_XOR: case OP_CMP: case OP_TEST:
        return is_gpr_or_mem(&o[0]) && (is_gpr_or_mem(&o[1]) || o[1].type == OPT_IMM);
    case OP_INC: case OP_DEC: case OP_NEG: case OP_NOT:
        return is_gpr_or_mem(&o[0]);
    case OP_SHL: case OP_SHR: case OP_SAR: case OP_ROL: case OP_ROR:
        return shift_inline(in);
    case OP_IMUL2:
        return o[0].type == OPT_GPR && is_gpr_or_mem(&o[1]);
    case OP_IMUL3:
        return o[0].type == OPT_GPR && is_gpr_or_mem(&o[1]) && o[2].type == OPT_IMM;
    case OP_MUL: case OP_IMUL1:
        return is_gpr_or_mem(&o[0]);
    case OP_DIV:
        return is_gpr_or_mem(&o[0]) && o[0].size == 4;
    case OP_BSWAP:
        return in->opsize == 4; /* (BSWAP r16 is undefined: the interpreter's choice) */
    case OP_PUSHF:
        return !(ctx->mode & JM_VM); /* VM86: IOPL and VME checks in the interpreter */
    case OP_PUSH:
        return is_gpr_or_mem(&o[0]) || o[0].type == OPT_IMM;
    case OP_POP:
        return o[0].type == OPT_GPR;
    case OP_JMP: case OP_CALL:
        return o[0].type == OPT_REL ? static_target(in, eip, ctx, &t) : is_gpr_or_mem(&o[0]);
    case OP_RET:
        return true;
    case OP_JCC: case OP_LOOP: case OP_LOOPE: case OP_LOOPNE: case OP_JCXZ:
        return static_target(in, eip, ctx, &t);
    case OP_XCHG:
        return o[1].type == OPT_GPR && is_gpr_or_mem(&o[0]);
    case OP_SETCC:
        return is_gpr_or_mem(&o[0]);
    case OP_CBW: case OP_CWD: case OP_NOP: case OP_PAUSE: case OP_LEAVE: case OP_CLD:
    case OP_STD: case OP_FENCE: case OP_RDTSC:
        return true;
    case OP_MOVS: case OP_STOS: case OP_LODS: case OP_SCAS:
        return !in->rep; /* one element; REP stays with the interpreter's batches */
    default:
        return false;
    }
}

bool fe_insn_may_sync(const DecodedInsn *in, bool inlined)
{
    if (!inlined || (in->row->attr & A_STACK))
        return true;
    if ((in->op == OP_SHL || in->op == OP_SHR || in->op == OP_SAR || is_rotate(in->op)) &&
        shift_by_cl(in))
        return true; /* it may leave to the interpreter (IR_BAIL) */
    if (in->op == OP_RDTSC)
        return true; /* CR4.TSD outside ring 0: the interpreter raises #GP (IR_BAIL) */
    if (in->op == OP_DIV)
        return true; /* #DE (IR_GUARD) */
    if (in->op == OP_LEA || in->op == OP_NOP || in->op == OP_FENCE)
        return false;
    if (in->op == OP_MOVS || in->op == OP_STOS || in->op == OP_LODS || in->op == OP_SCAS)
        return true; /* memory through SI/DI (no OPT_MEM operand) */
    for (unsigned i = 0; i < in->nopnd; i++)
        if (in->opnd[i].type == OPT_MEM)
            return true;
    return in->op == OP_RET || ((in->op == OP_JMP || in->op == OP_CALL) && in->opnd[0].type != OPT_REL);
}

/* ---- moves ---------------------------------------------------------------------------------- */

static void tr_mov(Fe *f)
{
    fe_write(f, 0, fe_read(f, 1));
}

static void tr_movx(Fe *f, bool sign)
{
    const DecodedInsn *in = f->insn;
    IrVal v = fe_read(f, 1);
    if (sign)
        v = ir_ext(f->b, v, in->opnd[1].size, true);
    if (in->opnd[0].size == 2)
        v = ir_binopi(f->b, IR_AND, v, 0xFFFF);
    fe_write(f, 0, v);
}

static void tr_lea(Fe *f)
{
    IrVal v = fe_ea(f);
    if (f->insn->opnd[0].size == 2)
        v = ir_binopi(f->b, IR_AND, v, 0xFFFF);
    fe_write(f, 0, v);
}

static void tr_xchg(Fe *f)
{
    const DecodedInsn *in = f->insn;
    unsigned size = in->opnd[0].size;
    IrVal bv = fe_snap(f, fe_gpr_get(f, in->opnd[1].reg, size));
    IrVal av;
    if (in->opnd[0].type == OPT_MEM) {
        IrVal off = fe_ea(f);
        av = fe_load(f, in->seg, off, size, JMS_RMW);
        fe_store(f, in->seg, off, size, bv);
    } else {
        av = fe_snap(f, fe_gpr_get(f, in->opnd[0].reg, size));
        fe_gpr_set(f, in->opnd[0].reg, size, bv);
    }
    fe_gpr_set(f, in->opnd[1].reg, size, av);
}

static void tr_cbw_cwd(Fe *f, bool cwd)
{
    IrBlock *b = f->b;
    unsigned size = f->insn->opsize;
    if (!cwd) { /* AX = sext(AL) or EAX = sext(AX) */
        IrVal v = ir_ext(b, R_EAX, size / 2, true);
        fe_gpr_set(f, R_EAX, size, size == 2 ? ir_binopi(b, IR_AND, v, 0xFFFF) : v);
        return;
    }
    IrVal v = ir_binopi(b, IR_SAR, size == 2 ? ir_ext(b, R_EAX, 2, true) : R_EAX, 31);
    fe_gpr_set(f, R_EDX, size, size == 2 ? ir_binopi(b, IR_AND, v, 0xFFFF) : v);
}

/* ---- arithmetic ------------------------------------------------------------------------------ */

typedef struct AluDesc {
    IrOpc op;
    unsigned cc_base;
    bool write, carry;
} AluDesc;

static AluDesc alu_desc(unsigned op)
{
    switch (op) {
    case OP_ADD: return (AluDesc){IR_ADD, CC_BASE_ADD, true, false};
    case OP_OR: return (AluDesc){IR_OR, CC_BASE_LOGIC, true, false};
    case OP_ADC: return (AluDesc){IR_ADD, CC_BASE_ADC, true, true};
    case OP_SBB: return (AluDesc){IR_SUB, CC_BASE_SBB, true, true};
    case OP_AND: return (AluDesc){IR_AND, CC_BASE_LOGIC, true, false};
    case OP_SUB: return (AluDesc){IR_SUB, CC_BASE_SUB, true, false};
    case OP_XOR: return (AluDesc){IR_XOR, CC_BASE_LOGIC, true, false};
    case OP_CMP: return (AluDesc){IR_SUB, CC_BASE_SUB, false, false};
    default: return (AluDesc){IR_AND, CC_BASE_LOGIC, false, false}; /* TEST */
    }
}

/* The second operand as a value (immediates become constants). */
static IrVal alu_src(Fe *f, bool *is_imm, uint32_t *imm)
{
    const DecodedInsn *in = f->insn;
    *is_imm = in->opnd[1].type == OPT_IMM;
    if (*is_imm) {
        *imm = fe_imm(f, 1) & opmask(in->opnd[0].size);
        return IR_NOVAL;
    }
    return fe_read(f, 1);
}

static IrVal alu_apply(Fe *f, IrOpc op, IrVal a, IrVal bv, bool bimm, uint32_t bi)
{
    return bimm ? ir_binopi(f->b, op, a, bi) : ir_binop(f->b, op, a, bv);
}

static void tr_alu(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    AluDesc d = alu_desc(in->op);
    unsigned size = in->opnd[0].size;
    bool flags = fe_flags_live(f, FL_ARITH);
    IrVal cf = d.carry ? fe_get_cf(f) : IR_NOVAL;
    bool bimm;
    uint32_t bi = 0;
    IrVal bv = alu_src(f, &bimm, &bi);
    bool xor_self = (in->op == OP_XOR || in->op == OP_SUB) && !bimm &&
                    in->opnd[0].type == OPT_GPR && in->opnd[1].type == OPT_GPR &&
                    in->opnd[0].reg == in->opnd[1].reg && size == 4;
    IrVal src1 = IR_NOVAL, src2 = IR_NOVAL, res;
    if (flags && d.cc_base != CC_BASE_LOGIC) /* before the destination changes */
        src2 = bimm ? ir_movi(b, bi) : fe_snap(f, bv);
    if (in->opnd[0].type == OPT_GPR && size == 4 && d.write) {
        IrVal g = in->opnd[0].reg;
        if (flags && d.cc_base != CC_BASE_LOGIC)
            src1 = fe_snap(f, g);
        if (xor_self) {
            IrOp *o = ir_emit(b, IR_MOVI);
            o->d = g;
        } else {
            IrOp *o = ir_emit(b, d.op);
            o->d = g;
            o->a = g;
            if (bimm) {
                o->flags = IRF_IMM;
                o->imm = bi;
            } else {
                o->b = bv;
            }
            if (d.carry) {
                o = ir_emit(b, d.op);
                o->d = g;
                o->a = g;
                o->b = cf;
            }
        }
        res = flags ? fe_snap(f, g) : IR_NOVAL;
    } else {
        bool mem = in->opnd[0].type == OPT_MEM;
        IrVal off = mem ? fe_ea(f) : IR_NOVAL;
        IrVal a = mem ? fe_load(f, in->seg, off, size, d.write ? JMS_RMW : 0)
                      : fe_gpr_get(f, in->opnd[0].reg, size);
        res = alu_apply(f, d.op, a, bv, bimm, bi);
        if (d.carry)
            res = ir_binop(b, d.op, res, cf);
        if (size < 4 && d.cc_base != CC_BASE_LOGIC)
            res = ir_binopi(b, IR_AND, res, opmask(size));
        if (d.write) {
            if (mem)
                fe_store(f, in->seg, off, size, res);
            else
                fe_gpr_set(f, in->opnd[0].reg, size, res);
        }
        src1 = fe_snap(f, a);
    }
    if (!flags)
        return;
    if (d.cc_base == CC_BASE_LOGIC) {
        fe_cc_set(f, CC_OP(CC_BASE_LOGIC, size), res, IR_NOVAL, IR_NOVAL);
        return;
    }
    fe_cc_set(f, CC_OP(d.cc_base, size), res, src1, src2);
    if (d.carry)
        f->cc.cin = cf;
}

/* INC, DEC, NEG, NOT: read-modify-write of one operand. */
static void tr_unary(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = in->opnd[0].size;
    bool is_incdec = in->op == OP_INC || in->op == OP_DEC;
    bool flags = in->op != OP_NOT && fe_flags_live(f, FL_ARITH);
    IrVal cf = IR_NOVAL;
    if (flags && is_incdec)
        cf = fe_flags_live(f, FL_CF) ? fe_get_cf(f) : ir_movi(b, 0);
    bool mem = in->opnd[0].type == OPT_MEM;
    if (!mem && size == 4) { /* in place on the guest register */
        IrVal g = in->opnd[0].reg;
        IrVal old = flags && in->op == OP_NEG ? fe_snap(f, g) : IR_NOVAL;
        IrOp *o = ir_emit(b, in->op == OP_INC ? IR_ADD : in->op == OP_DEC ? IR_SUB
                             : in->op == OP_NEG ? IR_NEG : IR_NOT);
        o->d = g;
        o->a = g;
        if (is_incdec) {
            o->flags = IRF_IMM;
            o->imm = 1;
        }
        if (!flags)
            return;
        IrVal r = fe_snap(f, g);
        if (is_incdec)
            fe_cc_set(f, CC_OP(in->op == OP_INC ? CC_BASE_INC : CC_BASE_DEC, 4), r, IR_NOVAL, cf);
        else
            fe_cc_set(f, CC_OP(CC_BASE_SUB, 4), r, ir_movi(b, 0), old);
        return;
    }
    IrVal off = mem ? fe_ea(f) : IR_NOVAL;
    IrVal a = mem ? fe_load(f, in->seg, off, size, JMS_RMW) : fe_gpr_get(f, in->opnd[0].reg, size);
    if (flags && in->op == OP_NEG)
        a = fe_snap(f, a); /* NEG's flags need the old value */
    IrVal r;
    switch (in->op) {
    case OP_INC: r = ir_binopi(b, IR_ADD, a, 1); break;
    case OP_DEC: r = ir_binopi(b, IR_SUB, a, 1); break;
    case OP_NEG: r = ir_unop(b, IR_NEG, a); break;
    default: r = ir_unop(b, IR_NOT, a); break;
    }
    if (size < 4)
        r = ir_binopi(b, IR_AND, r, opmask(size));
    if (mem)
        fe_store(f, in->seg, off, size, r);
    else
        fe_gpr_set(f, in->opnd[0].reg, size, r);
    if (!flags)
        return;
    if (is_incdec)
        fe_cc_set(f, CC_OP(in->op == OP_INC ? CC_BASE_INC : CC_BASE_DEC, size), r, IR_NOVAL, cf);
    else
        fe_cc_set(f, CC_OP(CC_BASE_SUB, size), r, ir_movi(b, 0), a);
}

/* The end of SHL/SHR/SAR: stores the result `r` to the operand (memory at `off`, or the
 * register) and returns the flags it sets (SF ZF PF of r, CF from `cfv`, OF from `of`
 * unless IR_NOVAL), or IR_NOVAL when no arithmetic flag is live. */
static IrVal shift_writeback(Fe *f, IrVal off, IrVal r, IrVal cfv, IrVal of)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = in->opnd[0].size;
    if (in->opnd[0].type == OPT_MEM)
        fe_store(f, in->seg, off, size, r);
    else
        fe_gpr_set(f, in->opnd[0].reg, size, r);
    if (!fe_flags_live(f, FL_ARITH))
        return IR_NOVAL;
    IrVal fl = ir_binop(b, IR_OR, fe_szp_bits(f, r, size), cfv);
    if (of != IR_NOVAL)
        fl = ir_binop(b, IR_OR, fl, ir_binopi(b, IR_SHL, of, 11));
    return fl;
}

/* SHL, SHR, SAR by CL. Counts 1..width-1 inline. A count of 0 leaves everything
 * unchanged: on a register the inline value is already right (a shift by 0) and the flags
 * are the old ones chosen by the count (Linux's LZMA decoder: 0.8M block aborts); on
 * memory (left unwritten) and for counts >= width the interpreter runs the instruction. */
static void tr_shift_cl(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = in->opnd[0].size, w = 8 * size;
    bool mem = in->opnd[0].type == OPT_MEM;
    IrVal c = ir_binopi(b, IR_AND, R_ECX, 31), old = IR_NOVAL;
    if (mem) {
        fe_bail(f, IRC_GEU, ir_binopi(b, IR_SUB, c, 1), w - 1); /* c == 0 or c >= w */
    } else {
        if (w < 32)
            fe_bail(f, IRC_GEU, c, w);
        if (fe_flags_live(f, FL_ARITH))
            old = fe_arith_flags(f);
    }
    IrVal off = mem ? fe_ea(f) : IR_NOVAL;
    IrVal x = fe_snap(f, mem ? fe_load(f, in->seg, off, size, JMS_RMW)
                             : fe_gpr_get(f, in->opnd[0].reg, size));
    IrVal r, cfv, of = IR_NOVAL;
    IrVal cm1 = ir_binopi(b, IR_SUB, c, 1);
    if (in->op == OP_SHL) {
        r = ir_binop(b, IR_SHL, x, c);
        if (size < 4)
            r = ir_binopi(b, IR_AND, r, opmask(size));
        cfv = ir_binopi(b, IR_AND, ir_binop(b, IR_SHR, x, ir_binop(b, IR_SUB, ir_movi(b, w), c)), 1);
        of = ir_binop(b, IR_XOR, ir_binopi(b, IR_SHR, r, w - 1), cfv);
    } else if (in->op == OP_SHR) {
        r = ir_binop(b, IR_SHR, x, c);
        cfv = ir_binopi(b, IR_AND, ir_binop(b, IR_SHR, x, cm1), 1);
        of = ir_binop(b, IR_AND, ir_setcci(b, IRC_EQ, c, 1), ir_binopi(b, IR_SHR, x, w - 1));
    } else {
        r = ir_binop(b, IR_SAR, size < 4 ? ir_ext(b, x, size, true) : x, c);
        if (size < 4)
            r = ir_binopi(b, IR_AND, r, opmask(size));
        cfv = ir_binopi(b, IR_AND, ir_binop(b, IR_SHR, x, cm1), 1);
    }
    IrVal fl = shift_writeback(f, off, r, cfv, of);
    if (fl == IR_NOVAL)
        return;
    if (old != IR_NOVAL) {
        IrVal sel = ir_temp(b);
        IrOp *op = ir_emit(b, IR_SELNZ);
        op->d = sel;
        op->a = c;
        op->b = fl;
        op->c = old;
        fl = sel;
    }
    fe_cc_set_efl(f, fl);
}

/* ROL, ROR by a constant or by CL (a masked count of 0 leaves to the interpreter: nothing
 * changes, not even the flags). An 8- or 16-bit operand is replicated across 32 bits, so
 * a 32-bit rotate by any count leaves the right bits in the low byte or word. They write
 * CF and OF only: the others come from the state before (cpu/ops_shift.c). */
static void tr_rotate(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = in->opnd[0].size, w = 8 * size;
    bool left = in->op == OP_ROL;
    IrVal c = IR_NOVAL;
    uint32_t ci = 0;
    if (shift_by_cl(in)) {
        c = ir_binopi(b, IR_AND, R_ECX, 31);
        fe_bail(f, IRC_EQ, c, 0);
    } else {
        ci = (in->opnd[1].reg == 2 ? 1 : in->imm) & 31;
    }
    bool mem = in->opnd[0].type == OPT_MEM;
    IrVal off = mem ? fe_ea(f) : IR_NOVAL;
    IrVal x = mem ? fe_load(f, in->seg, off, size, JMS_RMW) : fe_gpr_get(f, in->opnd[0].reg, size);
    if (size < 4)
        x = ir_binopi(b, IR_MUL, x, size == 1 ? 0x01010101u : 0x00010001u);
    IrOpc rop = left ? IR_ROL : IR_ROR;
    IrVal r = c == IR_NOVAL ? ir_binopi(b, rop, x, ci) : ir_binop(b, rop, x, c);
    if (size < 4)
        r = ir_binopi(b, IR_AND, r, opmask(size));
    r = fe_snap(f, r);
    if (mem)
        fe_store(f, in->seg, off, size, r);
    else
        fe_gpr_set(f, in->opnd[0].reg, size, r);
    if (!fe_flags_live(f, FL_ARITH))
        return;
    /* ROL: CF = bit 0, OF = CF ^ bit w-1. ROR: CF = bit w-1, OF = bit w-1 ^ bit w-2. */
    IrVal top = ir_binopi(b, IR_AND, ir_binopi(b, IR_SHR, r, w - 1), 1);
    IrVal cf = left ? ir_binopi(b, IR_AND, r, 1) : top;
    IrVal other = left ? cf : ir_binopi(b, IR_AND, ir_binopi(b, IR_SHR, r, w - 2), 1);
    IrVal of = ir_binop(b, IR_XOR, top, other);
    IrVal bits = ir_binop(b, IR_OR, cf, ir_binopi(b, IR_SHL, of, 11));
    if (fe_flags_live(f, FL_ARITH & ~(FL_CF | FL_OF)))
        bits = ir_binop(b, IR_OR, bits, ir_binopi(b, IR_AND, fe_arith_flags(f), ~(FL_CF | FL_OF)));
    fe_cc_set_efl(f, bits);
}

/* SHL, SHR, SAR by a constant 1..width-1 (other counts go to the handler). The flags stay
 * a lazy record (the operand before and the count): nothing is computed for them unless
 * an instruction reads them, and a slow path only stores the record. */
static void tr_shift(Fe *f)
{
    if (is_rotate(f->insn->op)) {
        tr_rotate(f);
        return;
    }
    if (shift_by_cl(f->insn)) {
        tr_shift_cl(f);
        return;
    }
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = in->opnd[0].size;
    uint32_t c = (in->opnd[1].reg == 2 ? 1 : in->imm) & 31;
    IrVal x = fe_snap(f, in->opnd[0].type == OPT_MEM
                             ? fe_load(f, in->seg, fe_ea(f), size, JMS_RMW)
                             : fe_gpr_get(f, in->opnd[0].reg, size));
    IrVal r;
    unsigned base;
    if (in->op == OP_SHL) {
        r = ir_binopi(b, IR_SHL, x, c);
        base = CC_BASE_SHL;
    } else if (in->op == OP_SHR) {
        r = ir_binopi(b, IR_SHR, x, c);
        base = CC_BASE_SHR;
    } else {
        r = ir_binopi(b, IR_SAR, size < 4 ? ir_ext(b, x, size, true) : x, c);
        base = CC_BASE_SAR;
    }
    if (size < 4 && base != CC_BASE_SHR)
        r = ir_binopi(b, IR_AND, r, opmask(size));
    fe_write(f, 0, r);
    if (!fe_flags_live(f, FL_ARITH))
        return;
    fe_cc_set(f, CC_OP(base, size), r, x, ir_movi(b, c));
    f->cc.count = (uint8_t)c;
}

/* IMUL r, r/m [, imm]: truncated signed product; CF = OF = it did not fit; SF ZF PF of the
 * stored result; AF = 0 (the interpreter's choice for the undefined flags). */
static void tr_imul(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = in->opnd[0].size;
    IrVal a, bv;
    if (in->op == OP_IMUL3) {
        a = fe_read(f, 1);
        bv = ir_movi(b, fe_imm(f, 2));
    } else {
        bv = fe_read(f, 1);
        a = fe_gpr_get(f, in->opnd[0].reg, size);
    }
    if (size < 4) {
        a = ir_ext(b, a, size, true);
        bv = ir_ext(b, bv, size, true);
    }
    a = fe_snap(f, a);
    bv = fe_snap(f, bv);
    IrVal lo = ir_binop(b, IR_MUL, a, bv);
    IrVal r = size < 4 ? ir_binopi(b, IR_AND, lo, opmask(size)) : lo;
    IrVal ovf;
    if (size == 4) {
        IrVal hi = ir_binop(b, IR_MULHS, a, bv);
        ovf = ir_setcc(b, IRC_NE, hi, ir_binopi(b, IR_SAR, lo, 31));
    } else {
        ovf = ir_setcc(b, IRC_NE, lo, ir_ext(b, lo, size, true));
    }
    fe_gpr_set(f, in->opnd[0].reg, size, r);
    if (!fe_flags_live(f, FL_ARITH))
        return;
    IrVal ocf = ir_binopi(b, IR_MUL, ovf, FL_CF | FL_OF);
    fe_cc_set_efl(f, ir_binop(b, IR_OR, fe_szp_bits(f, r, size), ocf));
}

/* MUL / IMUL r/m (one operand): AX = AL * src, DX:AX = AX * src, EDX:EAX = EAX * src.
 * CF = OF = the high half is significant; SF ZF PF of the low half; AF = 0. */
static void tr_mul1(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = in->opnd[0].size;
    bool sign = in->op == OP_IMUL1;
    IrVal src = fe_snap(f, fe_read(f, 0));
    IrVal acc = fe_snap(f, fe_gpr_get(f, R_EAX, size));
    IrVal lo, hi, ovf;
    if (size == 4) {
        lo = ir_binop(b, IR_MUL, acc, src);
        hi = ir_binop(b, sign ? IR_MULHS : IR_MULHU, acc, src);
        ovf = sign ? ir_setcc(b, IRC_NE, hi, ir_binopi(b, IR_SAR, lo, 31))
                   : ir_setcci(b, IRC_NE, hi, 0);
        fe_gpr_set(f, R_EAX, 4, lo);
        fe_gpr_set(f, R_EDX, 4, hi);
    } else { /* the whole product fits in 32 bits */
        IrVal p = sign ? ir_binop(b, IR_MUL, ir_ext(b, acc, size, true), ir_ext(b, src, size, true))
                       : ir_binop(b, IR_MUL, acc, src);
        lo = ir_binopi(b, IR_AND, p, opmask(size));
        if (sign)
            ovf = ir_setcc(b, IRC_NE, p, ir_ext(b, p, size, true));
        else
            ovf = ir_setcci(b, IRC_GTU, p, opmask(size));
        if (size == 1) {
            fe_gpr_set(f, R_EAX, 2, ir_binopi(b, IR_AND, p, 0xFFFF));
        } else {
            fe_gpr_set(f, R_EAX, 2, lo);
            fe_gpr_set(f, R_EDX, 2, ir_binopi(b, IR_SHR, p, 16));
        }
    }
    if (!fe_flags_live(f, FL_ARITH))
        return;
    IrVal ocf = ir_binopi(b, IR_MUL, ovf, FL_CF | FL_OF);
    fe_cc_set_efl(f, ir_binop(b, IR_OR, fe_szp_bits(f, lo, size), ocf));
}

/* ---- stack ------------------------------------------------------------------------------------ */

static void push_value(Fe *f, IrVal v, unsigned size)
{
    IrVal nsp = fe_stack_add(f, R_ESP, -(int32_t)size);
    fe_store(f, SEG_SS, fe_stack_off(f, nsp), size, v);
    fe_set_esp(f, nsp);
}

static void tr_push(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrVal v = in->opnd[0].type == OPT_IMM ? ir_movi(f->b, fe_imm(f, 0)) : fe_read(f, 0);
    push_value(f, fe_snap(f, v), in->opsize);
}

static void tr_pop(Fe *f)
{
    const DecodedInsn *in = f->insn;
    unsigned size = in->opsize;
    IrVal v = fe_load(f, SEG_SS, fe_stack_off(f, R_ESP), size, 0);
    fe_set_esp(f, fe_stack_add(f, R_ESP, (int32_t)size));
    fe_gpr_set(f, in->opnd[0].reg, size, v);
}

static void tr_leave(Fe *f)
{
    const DecodedInsn *in = f->insn;
    unsigned size = in->opsize;
    IrVal v = fe_load(f, SEG_SS, fe_stack_off(f, R_EBP), size, 0);
    IrVal nsp;
    if (fe_stack32(f)) {
        nsp = ir_binopi(f->b, IR_ADD, R_EBP, size);
    } else { /* SP = BP + size; the high half of ESP stays */
        IrVal sum = ir_binopi(f->b, IR_ADD, R_EBP, size);
        nsp = ir_temp(f->b);
        IrOp *op = ir_emit(f->b, IR_DEP);
        op->d = nsp;
        op->a = R_ESP;
        op->b = sum;
        op->size = 2;
    }
    fe_set_esp(f, nsp);
    fe_gpr_set(f, R_EBP, size, v);
}

/* ---- branches ----------------------------------------------------------------------------------- */

static uint32_t branch_target(const Fe *f)
{
    uint32_t t = f->next_eip + f->insn->imm;
    return f->insn->opsize == 2 ? (t & 0xFFFF) : t;
}

/* Indirect targets: masked to the operand size and checked against the CS limit. */
static IrVal checked_target(Fe *f, IrVal t)
{
    if (f->insn->opsize == 2)
        t = ir_binopi(f->b, IR_AND, t, 0xFFFF);
    if (f->ctx->cs_limit != 0xFFFFFFFFu)
        fe_guard(f, IRC_GTU, t, f->ctx->cs_limit, EXC_GP);
    return t;
}

static void tr_jmp(Fe *f)
{
    if (f->insn->opnd[0].type == OPT_REL) {
        if (!f->cont) /* else the block goes on at the target */
            fe_exit_tb(f, branch_target(f));
        return;
    }
    IrVal t = checked_target(f, fe_snap(f, fe_read(f, 0)));
    fe_exit_indirect(f, t);
}

static void tr_call(Fe *f)
{
    const DecodedInsn *in = f->insn;
    unsigned size = in->opsize;
    bool rel = in->opnd[0].type == OPT_REL;
    IrVal t = rel ? IR_NOVAL : fe_snap(f, fe_read(f, 0));
    IrVal nsp = fe_stack_add(f, R_ESP, -(int32_t)size);
    fe_store(f, SEG_SS, fe_stack_off(f, nsp), size, ir_movi(f->b, f->next_eip));
    if (!rel)
        t = checked_target(f, t);
    fe_set_esp(f, nsp);
    if (!rel)
        fe_exit_indirect(f, t);
    else if (!f->cont) /* else the block goes on at the target */
        fe_exit_tb(f, branch_target(f));
}

static void tr_ret(Fe *f)
{
    const DecodedInsn *in = f->insn;
    unsigned size = in->opsize;
    IrVal t = fe_load(f, SEG_SS, fe_stack_off(f, R_ESP), size, 0);
    int32_t pop = (int32_t)size + (in->nopnd == 1 ? (int32_t)(in->imm & 0xFFFF) : 0);
    IrVal nsp = fe_stack_add(f, R_ESP, pop);
    t = checked_target(f, t);
    fe_set_esp(f, nsp);
    fe_exit_indirect(f, t);
}

/* Conditional branch: a side exit to `target`; the block either goes on with the
 * fall-through or ends with an exit to it. */
static void exit_two_way(Fe *f, FeTest t, uint32_t target)
{
    fe_side_exit(f, t, target);
    if (!f->cont)
        fe_exit_tb(f, f->next_eip);
}

static void tr_jcc(Fe *f)
{
    exit_two_way(f, fe_cond(f, insn_cond(f->insn)), branch_target(f));
}

/* LOOP/LOOPE/LOOPNE/JCXZ: the count register is CX or ECX by address size. */
static void tr_loop(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned asz = in->adsize;
    IrVal cnt = asz == 2 ? ir_ext(b, R_ECX, 2, false) : R_ECX;
    if (in->op == OP_JCXZ) {
        FeTest t = {fe_snap(f, cnt), IR_NOVAL, 0, IRC_EQ, -1};
        exit_two_way(f, t, branch_target(f));
        return;
    }
    IrVal zf = IR_NOVAL;
    if (in->op != OP_LOOP)
        zf = fe_test_value(f, fe_cond(f, in->op == OP_LOOPE ? 4 : 5));
    IrVal n = ir_binopi(b, IR_SUB, cnt, 1);
    if (asz == 2)
        n = ir_binopi(b, IR_AND, n, 0xFFFF);
    fe_gpr_set(f, R_ECX, asz, n);
    IrVal take = ir_setcci(b, IRC_NE, n, 0);
    if (zf != IR_NOVAL)
        take = ir_binop(b, IR_AND, take, zf);
    FeTest t = {take, IR_NOVAL, 0, IRC_NE, -1};
    exit_two_way(f, t, branch_target(f));
}

static void tr_setcc(Fe *f)
{
    fe_write(f, 0, fe_test_value(f, fe_cond(f, insn_cond(f->insn))));
}

static void tr_cmov(Fe *f)
{
    const DecodedInsn *in = f->insn;
    unsigned size = in->opnd[0].size;
    IrVal v = fe_read(f, 1); /* read (and possibly fault) whatever the condition */
    IrVal c = fe_test_value(f, fe_cond(f, insn_cond(in)));
    IrVal old = fe_gpr_get(f, in->opnd[0].reg, size);
    IrVal r = ir_temp(f->b);
    IrOp *op = ir_emit(f->b, IR_SELNZ);
    op->d = r;
    op->a = c;
    op->b = v;
    op->c = old;
    fe_gpr_set(f, in->opnd[0].reg, size, r);
}

/* PUSHF outside VM86: EFLAGS with the arithmetic flags derived, VM and RF clear in the
 * image (cpu/ops_stack.c). */
static void tr_pushf(Fe *f)
{
    IrBlock *b = f->b;
    IrVal arith = ir_binopi(b, IR_AND, fe_arith_flags(f), FL_ARITH);
    IrVal e = ir_temp(b);
    IrOp *op = ir_emit(b, IR_LD_ENV);
    op->d = e;
    op->imm = ENV(eflags);
    op->size = 4;
    e = ir_binopi(b, IR_AND, e, ~(FL_ARITH | FL_VM | FL_RF));
    push_value(f, ir_binop(b, IR_OR, e, arith), f->insn->opsize);
}

/* BSWAP r32: the bytes of ror 8 and of rol 8, interleaved. */
static void tr_bswap(Fe *f)
{
    IrBlock *b = f->b;
    unsigned reg = f->insn->opnd[0].reg;
    IrVal x = fe_gpr_get(f, reg, 4);
    IrVal hi = ir_binopi(b, IR_AND, ir_binopi(b, IR_ROR, x, 8), 0xFF00FF00u);
    IrVal lo = ir_binopi(b, IR_AND, ir_binopi(b, IR_ROL, x, 8), 0x00FF00FFu);
    fe_gpr_set(f, reg, 4, ir_binop(b, IR_OR, hi, lo));
}

/* CLD/STD: DF lives in eflags whatever the lazy state of the arithmetic flags. */
static void tr_cld_std(Fe *f, bool set)
{
    IrBlock *b = f->b;
    IrVal e = ir_temp(b);
    IrOp *op = ir_emit(b, IR_LD_ENV);
    op->d = e;
    op->imm = ENV(eflags);
    op->size = 4;
    e = set ? ir_binopi(b, IR_OR, e, FL_DF) : ir_binopi(b, IR_AND, e, ~FL_DF);
    op = ir_emit(b, IR_ST_ENV);
    op->a = e;
    op->imm = ENV(eflags);
    op->size = 4;
}

/* RDTSC: EDX:EAX = icount + tsc_offset (cpu/ops_model.c). With CR4.TSD set, only ring 0
 * may read it; the mode says whether this code can run outside ring 0, CR4 is read at run
 * time and the interpreter raises the #GP. */
static void tr_rdtsc(Fe *f)
{
    IrBlock *b = f->b;
    uint32_t m = f->ctx->mode;
    if ((m & JM_PE) && (jm_cpl(m) != 0 || (m & JM_VM))) {
        IrVal cr4 = ir_temp(b);
        IrOp *op = ir_emit(b, IR_LD_ENV);
        op->d = cr4;
        op->imm = ENV(cr4);
        op->size = 4;
        fe_bail(f, IRC_TSTNZ, cr4, CR4_TSD);
    }
    IrVal part[2];
    for (unsigned i = 0; i < 2; i++) {
        part[i] = ir_temp(b);
        IrOp *op = ir_emit(b, IR_TSC);
        op->d = part[i];
        op->imm = 32 * i;
        op->insn = (uint16_t)f->idx;
    }
    fe_gpr_set(f, R_EAX, 4, part[0]);
    fe_gpr_set(f, R_EDX, 4, part[1]);
}

/* DIV r/m32: EDX:EAX / src, quotient to EAX, remainder to EDX; the flags stay as they
 * were (cpu/ops_muldiv.c's choice for "undefined"). #DE, for a zero divisor or a quotient
 * past 32 bits (EDX >= src covers both), is a guard before anything changes. */
static void tr_div(Fe *f)
{
    IrBlock *b = f->b;
    IrVal v = fe_snap(f, fe_read(f, 0));
    fe_guard(f, IRC_NE, ir_setcc(b, IRC_GEU, R_EDX, v), 0, EXC_DE);
    IrVal q = ir_temp(b);
    IrOp *op = ir_emit(b, IR_DIVU);
    op->d = q;
    op->a = R_EDX;
    op->b = R_EAX;
    op->c = v;
    IrVal r = ir_binop(b, IR_SUB, R_EAX, ir_binop(b, IR_MUL, q, v)); /* EAX - q * src */
    fe_gpr_set(f, R_EAX, 4, q);
    fe_gpr_set(f, R_EDX, 4, r);
}

/* ---- string operations without REP (cpu/ops_string.c: one iteration) ------------------------ */

/* 2 * size if DF is set, else 0: a string register advances by size minus this. DF lives
 * in eflags whatever the lazy state of the arithmetic flags. */
static IrVal str_back(Fe *f, unsigned size)
{
    IrBlock *b = f->b;
    IrVal e = ir_temp(b);
    IrOp *op = ir_emit(b, IR_LD_ENV);
    op->d = e;
    op->imm = ENV(eflags);
    op->size = 4;
    unsigned shift = 10 - (size == 1 ? 1 : size == 2 ? 2 : 3); /* FL_DF is bit 10 */
    return ir_binopi(b, IR_SHR, ir_binopi(b, IR_AND, e, FL_DF), shift);
}

/* SI or DI as an offset: 16 bits with a 16-bit address size. */
static IrVal str_off(Fe *f, unsigned reg) { return fe_gpr_get(f, reg, f->insn->adsize); }

/* SI or DI += +-size; with a 16-bit address size only the low 16 bits change (they wrap). */
static void str_advance(Fe *f, unsigned reg, unsigned size, IrVal back)
{
    unsigned as = f->insn->adsize;
    IrVal v = ir_binopi(f->b, IR_ADD, fe_gpr_get(f, reg, as), size);
    fe_gpr_set(f, reg, as, ir_binop(f->b, IR_SUB, v, back));
}

/* The accesses come first (they may fault), then the registers change. */
static void tr_string(Fe *f)
{
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    unsigned size = (in->row->attr & A_BYTE) ? 1 : in->opsize;
    IrVal back = str_back(f, size);
    switch (in->op) {
    case OP_MOVS: {
        IrVal v = fe_load(f, in->seg, str_off(f, R_ESI), size, 0);
        fe_store(f, SEG_ES, str_off(f, R_EDI), size, v);
        str_advance(f, R_ESI, size, back);
        str_advance(f, R_EDI, size, back);
        break;
    }
    case OP_STOS:
        fe_store(f, SEG_ES, str_off(f, R_EDI), size, fe_gpr_get(f, R_EAX, size));
        str_advance(f, R_EDI, size, back);
        break;
    case OP_LODS: {
        IrVal v = fe_load(f, in->seg, str_off(f, R_ESI), size, 0);
        fe_gpr_set(f, R_EAX, size, v);
        str_advance(f, R_ESI, size, back);
        break;
    }
    default: { /* SCAS: flags of acc - [ES:DI] */
        IrVal m = fe_load(f, SEG_ES, str_off(f, R_EDI), size, 0);
        str_advance(f, R_EDI, size, back);
        if (!fe_flags_live(f, FL_ARITH))
            break;
        IrVal acc = fe_snap(f, fe_gpr_get(f, R_EAX, size));
        IrVal r = ir_binop(b, IR_SUB, acc, m);
        if (size < 4)
            r = ir_binopi(b, IR_AND, r, opmask(size));
        fe_cc_set(f, CC_OP(CC_BASE_SUB, size), r, acc, m);
        break;
    }
    }
}

bool fe_inline_insn(Fe *f)
{
    switch (f->insn->op) {
    case OP_MOV: tr_mov(f); break;
    case OP_MOVZX: tr_movx(f, false); break;
    case OP_MOVSX: tr_movx(f, true); break;
    case OP_LEA: tr_lea(f); break;
    case OP_XCHG: tr_xchg(f); break;
    case OP_CBW: tr_cbw_cwd(f, false); break;
    case OP_CWD: tr_cbw_cwd(f, true); break;
    case OP_ADD: case OP_OR: case OP_ADC: case OP_SBB: case OP_AND: case OP_SUB:
    case OP_XOR: case OP_CMP: case OP_TEST:
        tr_alu(f);
        break;
    case OP_INC: case OP_DEC: case OP_NEG: case OP_NOT: tr_unary(f); break;
    case OP_SHL: case OP_SHR: case OP_SAR: case OP_ROL: case OP_ROR: tr_shift(f); break;
    case OP_IMUL2: case OP_IMUL3: tr_imul(f); break;
    case OP_MUL: case OP_IMUL1: tr_mul1(f); break;
    case OP_DIV: tr_div(f); break;
    case OP_BSWAP: tr_bswap(f); break;
    case OP_PUSHF: tr_pushf(f); break;
    case OP_PUSH: tr_push(f); break;
    case OP_POP: tr_pop(f); break;
    case OP_LEAVE: tr_leave(f); break;
    case OP_JMP: tr_jmp(f); break;
    case OP_CALL: tr_call(f); break;
    case OP_RET: tr_ret(f); break;
    case OP_JCC: tr_jcc(f); break;
    case OP_LOOP: case OP_LOOPE: case OP_LOOPNE: case OP_JCXZ: tr_loop(f); break;
    case OP_SETCC: tr_setcc(f); break;
    case OP_CMOVCC: tr_cmov(f); break;
    case OP_CLD: tr_cld_std(f, false); break;
    case OP_STD: tr_cld_std(f, true); break;
    case OP_NOP: case OP_PAUSE: case OP_FENCE: break;
    case OP_RDTSC: tr_rdtsc(f); break;
    case OP_MOVS: case OP_STOS: case OP_LODS: case OP_SCAS: tr_string(f); break;
    default: return false;
    }
    return true;
}
