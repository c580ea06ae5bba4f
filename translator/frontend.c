/* frontend.c — x86 → IR: the block loop, flag liveness, operands, memory accesses, lazy
 * flags and exits (see frontend.h; the per-operation translators are in frontend_ops.c). */
#include "translator/frontend.h"

#include <stddef.h>
#include <string.h>

#include "cpu/optable.h"

#define ENV(field) ((uint32_t)offsetof(CpuState, field))

/* ---- registers ------------------------------------------------------------------------------- */

IrVal fe_snap(Fe *f, IrVal v) { return ir_is_global(v) ? ir_mov(f->b, v) : v; }

IrVal fe_gpr_get(Fe *f, unsigned reg, unsigned size)
{
    if (size == 4)
        return (IrVal)reg;
    if (size == 2)
        return ir_ext(f->b, (IrVal)reg, 2, false);
    if (reg < 4)
        return ir_ext(f->b, (IrVal)reg, 1, false);
    return ir_ext(f->b, ir_binopi(f->b, IR_SHR, (IrVal)(reg - 4), 8), 1, false);
}

void fe_gpr_set(Fe *f, unsigned reg, unsigned size, IrVal v)
{
    if (size == 4) {
        ir_assign(f->b, (IrVal)reg, v);
        return;
    }
    bool high = size == 1 && reg >= 4;
    IrVal g = (IrVal)(high ? reg - 4 : reg);
    IrOp *op = ir_emit(f->b, IR_DEP);
    op->d = g;
    op->a = g;
    op->b = v;
    op->size = (uint8_t)size;
    op->flags = high ? IRF_HIGH8 : 0;
}

/* ---- memory ---------------------------------------------------------------------------------- */

IrVal fe_ea(Fe *f)
{
    if (f->ea != IR_NOVAL)
        return f->ea;
    const DecodedInsn *in = f->insn;
    IrBlock *b = f->b;
    IrVal v = IR_NOVAL;
    if (in->ea_base != EA_NONE)
        v = in->ea_base;
    if (in->ea_index != EA_NONE) {
        IrVal x = in->ea_index;
        if (in->ea_scale)
            x = ir_binopi(b, IR_SHL, x, in->ea_scale);
        v = v == IR_NOVAL ? x : ir_binop(b, IR_ADD, v, x);
    }
    if (v == IR_NOVAL)
        v = ir_movi(b, in->adsize == 2 ? in->disp & 0xFFFF : in->disp);
    else if (in->disp)
        v = ir_binopi(b, IR_ADD, v, in->disp);
    if (in->adsize == 2 && (in->ea_base != EA_NONE || in->ea_index != EA_NONE))
        v = ir_binopi(b, IR_AND, v, 0xFFFF);
    f->ea = fe_snap(f, v);
    return f->ea;
}

static uint8_t seg_flags(const Fe *f, int seg)
{
    unsigned c = jm_segclass(f->ctx->mode, seg);
    uint8_t fl = jm_cpl(f->ctx->mode) == 3 ? IRF_USER : 0;
    if (seg == JM_DYNAMIC_SEG) /* (alignment checking sends every access to the helper) */
        return (f->ctx->mode & JM_ALIGN) ? fl : fl | IRF_SEG_LIMIT | IRF_SEG_ATTR;
    if (c == SEGC_FLAT)
        fl |= IRF_SEG_FLAT;
    else if (c == SEGC_LIMIT)
        fl |= IRF_SEG_LIMIT;
    return fl;
}

static unsigned new_site(Fe *f, int seg, unsigned size, unsigned jms)
{
    FeOutput *o = f->out;
    if (o->nsites >= IR_MAX_SITES) {
        f->b->overflow = true;
        return 0;
    }
    if (jm_cpl(f->ctx->mode) == 3)
        jms |= JMS_USER;
    o->sites[o->nsites] = (JitMemSite){f->eip, (uint8_t)seg, (uint8_t)size, (uint8_t)jms,
                                       0, NULL, JMS_NO_WINDOW, 0};
    return o->nsites++;
}

/* The lazy flags not yet in CpuState, as stores for a slow path. */
static uint16_t pending_sync(Fe *f)
{
    FeCc *cc = &f->cc;
    if (cc->kind == CCK_ENV || cc->stored)
        return IR_NO_SYNC;
    IrBlock *b = f->b;
    ir_sync_begin(b);
    if (cc->kind == CCK_LAZY) {
        ir_sync_add(b, IRS_ST32I, ENV(cc_op), IR_NOVAL, cc->op);
        ir_sync_add(b, IRS_ST32, ENV(cc_res), cc->res, 0);
        if (cc->src1 != IR_NOVAL)
            ir_sync_add(b, IRS_ST32, ENV(cc_src1), cc->src1, 0);
        if (cc->src2 != IR_NOVAL)
            ir_sync_add(b, IRS_ST32, ENV(cc_src2), cc->src2, 0);
    } else {
        ir_sync_add(b, IRS_EFLAGS, ENV(eflags), cc->efl, 0);
        ir_sync_add(b, IRS_ST32I, ENV(cc_op), IR_NOVAL, CC_OP_EFLAGS);
    }
    return ir_sync_end(b);
}

IrVal fe_load(Fe *f, int seg, IrVal off, unsigned size, unsigned jms_flags)
{
    IrBlock *b = f->b;
    uint16_t sync = pending_sync(f);
    unsigned site = new_site(f, seg, size, jms_flags);
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_LD);
    op->d = d;
    op->a = off;
    op->cond = (uint8_t)seg;
    op->size = (uint8_t)size;
    op->flags = seg_flags(f, seg) | ((jms_flags & JMS_SIGNED) ? IRF_SIGNED : 0) |
                ((jms_flags & JMS_RMW) ? IRF_RMW : 0);
    op->aux = sync;
    op->imm = site;
    op->insn = (uint16_t)f->idx;
    return d;
}

void fe_store(Fe *f, int seg, IrVal off, unsigned size, IrVal v)
{
    IrBlock *b = f->b;
    uint16_t sync = pending_sync(f);
    unsigned site = new_site(f, seg, size, JMS_WRITE);
    IrOp *op = ir_emit(b, IR_ST);
    op->a = off;
    op->b = v;
    op->cond = (uint8_t)seg;
    op->size = (uint8_t)size;
    op->flags = seg_flags(f, seg);
    op->aux = sync;
    op->imm = site;
    op->insn = (uint16_t)f->idx;
}

uint32_t fe_imm(const Fe *f, int i)
{
    unsigned r = f->insn->opnd[i].reg;
    return r == 0 ? f->insn->imm : r == 1 ? f->insn->imm2 : 1;
}

IrVal fe_read(Fe *f, int i)
{
    const Operand *o = &f->insn->opnd[i];
    switch (o->type) {
    case OPT_GPR:
        return fe_gpr_get(f, o->reg, o->size);
    case OPT_MEM:
        return fe_load(f, f->insn->seg, fe_ea(f), o->size, 0);
    default: /* OPT_IMM (fe_can_inline admits nothing else) */
        return ir_movi(f->b, fe_imm(f, i));
    }
}

void fe_write(Fe *f, int i, IrVal v)
{
    const Operand *o = &f->insn->opnd[i];
    if (o->type == OPT_MEM)
        fe_store(f, f->insn->seg, fe_ea(f), o->size, v);
    else
        fe_gpr_set(f, o->reg, o->size, v);
}

/* ---- lazy flags ------------------------------------------------------------------------------ */

static void st_env(Fe *f, uint32_t off, IrVal v)
{
    IrOp *op = ir_emit(f->b, IR_ST_ENV);
    op->a = v;
    op->imm = off;
    op->size = 4;
}

static void st_env_imm(Fe *f, uint32_t off, uint32_t value)
{
    IrOp *op = ir_emit(f->b, IR_ST_ENV);
    op->imm = off;
    op->imm2 = value;
    op->size = 4;
    op->flags = IRF_IMM;
}

IrVal fe_ld_env(Fe *f, uint32_t off);
IrVal fe_ld_env(Fe *f, uint32_t off)
{
    IrVal d = ir_temp(f->b);
    IrOp *op = ir_emit(f->b, IR_LD_ENV);
    op->d = d;
    op->imm = off;
    op->size = 4;
    return d;
}

void fe_cc_store(Fe *f)
{
    FeCc *cc = &f->cc;
    if (cc->kind == CCK_ENV || cc->stored)
        return;
    if (cc->kind == CCK_LAZY) {
        st_env_imm(f, ENV(cc_op), cc->op);
        st_env(f, ENV(cc_res), cc->res);
        if (cc->src1 != IR_NOVAL)
            st_env(f, ENV(cc_src1), cc->src1);
        if (cc->src2 != IR_NOVAL)
            st_env(f, ENV(cc_src2), cc->src2);
    } else {
        IrVal e = fe_ld_env(f, ENV(eflags));
        e = ir_binopi(f->b, IR_AND, e, ~FL_ARITH);
        e = ir_binop(f->b, IR_OR, e, cc->efl);
        st_env(f, ENV(eflags), e);
        st_env_imm(f, ENV(cc_op), CC_OP_EFLAGS);
    }
    cc->stored = true;
}

void fe_cc_set(Fe *f, uint32_t op, IrVal res, IrVal src1, IrVal src2)
{
    f->cc = (FeCc){CCK_LAZY, op, res, src1, src2, IR_NOVAL, IR_NOVAL, false, 0};
}

void fe_cc_set_efl(Fe *f, IrVal efl)
{
    f->cc = (FeCc){CCK_EFL, 0, IR_NOVAL, IR_NOVAL, IR_NOVAL, efl, IR_NOVAL, false, 0};
}

bool fe_flags_live(const Fe *f, uint32_t mask) { return (f->live_after & mask) != 0; }

static FeTest test_of(IrVal a, IrCond c, IrVal b, uint32_t imm)
{
    return (FeTest){a, b, imm, c, -1};
}
static FeTest test_const(int v) { return (FeTest){IR_NOVAL, IR_NOVAL, 0, IRC_EQ, v}; }

IrVal fe_szp_bits(Fe *f, IrVal res, unsigned size)
{
    IrBlock *b = f->b;
    IrVal zf = ir_binopi(b, IR_SHL, ir_setcci(b, IRC_EQ, res, 0), 6);
    IrVal sf = size == 1 ? res : ir_binopi(b, IR_SHR, res, 8 * size - 8);
    sf = ir_binopi(b, IR_AND, sf, FL_SF);
    IrVal pf = ir_unop(b, IR_PARITY, res);
    return ir_binop(b, IR_OR, ir_binop(b, IR_OR, zf, sf), pf);
}

static bool is_shift_record(const FeCc *cc)
{
    unsigned base = cc->op / 3;
    return cc->kind == CCK_LAZY && base >= CC_BASE_SHL && base <= CC_BASE_SAR;
}

/* The bit of a shift record's operand that ended in CF (cpu/flags.c: count < width). */
static unsigned shift_cf_bit(const FeCc *cc)
{
    unsigned w = 8u << (cc->op % 3);
    return cc->op / 3 == CC_BASE_SHL ? w - cc->count : cc->count - 1u;
}

static IrVal shift_cf(Fe *f)
{
    return ir_binopi(f->b, IR_AND, ir_binopi(f->b, IR_SHR, f->cc.src1, shift_cf_bit(&f->cc)), 1);
}

/* The six flags of a shift record, as cpu/flags.c derives them: SZP of the result, CF,
 * OF (SHL: MSB(result) ^ CF; SHR by 1: the operand's sign; else 0), AF = 0. */
static IrVal shift_record_flags(Fe *f)
{
    const FeCc *cc = &f->cc;
    IrBlock *b = f->b;
    unsigned base = cc->op / 3, size = 1u << (cc->op % 3), w = 8 * size;
    IrVal cf = shift_cf(f);
    IrVal fl = ir_binop(b, IR_OR, fe_szp_bits(f, cc->res, size), cf);
    IrVal of = IR_NOVAL;
    if (base == CC_BASE_SHL)
        of = ir_binop(b, IR_XOR, ir_binopi(b, IR_SHR, cc->res, w - 1), cf);
    else if (base == CC_BASE_SHR && cc->count == 1)
        of = ir_binopi(b, IR_SHR, cc->src1, w - 1);
    if (of != IR_NOVAL)
        fl = ir_binop(b, IR_OR, fl, ir_binopi(b, IR_SHL, of, 11));
    return fl;
}

/* Sign-extends a value of `size` bytes so signed 32-bit comparisons work. */
static IrVal sext(Fe *f, IrVal v, unsigned size)
{
    return size == 4 ? v : ir_ext(f->b, v, size, true);
}

/* Flags through the interpreter's own evaluation (cc stored first). */
static FeTest cond_by_helper(Fe *f, unsigned cc)
{
    fe_cc_store(f);
    IrBlock *b = f->b;
    IrVal arg = ir_movi(b, cc);
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_CALL);
    op->d = d;
    op->a = arg;
    op->imm = ir_helper(b, (const void *)jit_helper_cond);
    return test_of(d, IRC_NE, IR_NOVAL, 0);
}

/* CF (0 or 1) of a lazy ADC/SBB record whose carry-in is known, as cpu/flags.c derives
 * it: with a carry-in of 1 the comparison includes equality. IR_NOVAL otherwise. */
static IrVal carry_adc_sbb(Fe *f)
{
    const FeCc *cc = &f->cc;
    unsigned base = cc->op / 3;
    if ((base != CC_BASE_ADC && base != CC_BASE_SBB) || cc->cin == IR_NOVAL ||
        cc->src1 == IR_NOVAL || cc->src2 == IR_NOVAL)
        return IR_NOVAL;
    IrBlock *b = f->b;
    IrVal x = base == CC_BASE_ADC ? cc->res : cc->src1; /* ADC: res < a; SBB: a < b */
    IrVal y = base == CC_BASE_ADC ? cc->src1 : cc->src2;
    IrVal le = ir_setcc(b, IRC_LEU, x, y), lt = ir_setcc(b, IRC_LTU, x, y);
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_SELNZ);
    op->d = d;
    op->a = cc->cin;
    op->b = le;
    op->c = lt;
    return d;
}

/* Condition `k` (cc >> 1) from a lazy record; ok = false when it needs the slow path. */
static FeTest cond_lazy(Fe *f, unsigned k, bool *ok)
{
    const FeCc *cc = &f->cc;
    unsigned base = cc->op / 3, size = 1u << (cc->op % 3);
    uint32_t sign = size_sign(size);
    IrVal res = cc->res, a = cc->src1, bb = cc->src2;
    *ok = true;
    if (k == 2) /* ZF */
        return test_of(res, IRC_EQ, IR_NOVAL, 0);
    if (k == 4) /* SF */
        return size == 4 ? test_of(res, IRC_LT, IR_NOVAL, 0) : test_of(res, IRC_TSTNZ, IR_NOVAL, sign);
    switch (base) {
    case CC_BASE_SUB:
        if (k == 1)
            return test_of(a, IRC_LTU, bb, 0);
        if (k == 3)
            return test_of(a, IRC_LEU, bb, 0);
        if (k == 6)
            return test_of(sext(f, a, size), IRC_LT, sext(f, bb, size), 0);
        if (k == 7)
            return test_of(sext(f, a, size), IRC_LE, sext(f, bb, size), 0);
        break;
    case CC_BASE_ADD:
        if (k == 1)
            return test_of(res, IRC_LTU, a, 0);
        break;
    case CC_BASE_LOGIC:
        if (k == 0 || k == 1)
            return test_const(0);
        if (k == 3)
            return test_of(res, IRC_EQ, IR_NOVAL, 0);
        if (k == 6)
            return size == 4 ? test_of(res, IRC_LT, IR_NOVAL, 0)
                             : test_of(res, IRC_TSTNZ, IR_NOVAL, sign);
        if (k == 7)
            return test_of(sext(f, res, size), IRC_LE, IR_NOVAL, 0);
        break;
    case CC_BASE_INC:
    case CC_BASE_DEC:
        if (k == 1)
            return test_of(bb, IRC_TSTNZ, IR_NOVAL, FL_CF);
        break;
    case CC_BASE_SHL:
    case CC_BASE_SHR:
    case CC_BASE_SAR: {
        /* OF is 0 after SAR and after SHR by more than 1; SHR by 1 clears SF and sets OF
         * to the operand's sign. SHL's OF and the rest take the slow path. */
        bool of_zero = base == CC_BASE_SAR || (base == CC_BASE_SHR && cc->count > 1);
        bool shr1 = base == CC_BASE_SHR && cc->count == 1;
        if (k == 1)
            return test_of(a, IRC_TSTNZ, IR_NOVAL, 1u << shift_cf_bit(cc));
        if (k == 0 && of_zero)
            return test_const(0);
        if ((k == 0 || k == 6) && shr1)
            return test_of(a, IRC_TSTNZ, IR_NOVAL, sign);
        if (k == 6 && of_zero)
            return size == 4 ? test_of(res, IRC_LT, IR_NOVAL, 0)
                             : test_of(res, IRC_TSTNZ, IR_NOVAL, sign);
        if (k == 7 && of_zero)
            return test_of(sext(f, res, size), IRC_LE, IR_NOVAL, 0);
        break;
    }
    case CC_BASE_ADC:
    case CC_BASE_SBB:
        if (k == 1 || k == 3) {
            IrVal c = carry_adc_sbb(f);
            if (c == IR_NOVAL)
                break;
            if (k == 3) /* CF or ZF */
                c = ir_binop(f->b, IR_OR, c, ir_setcci(f->b, IRC_EQ, res, 0));
            return test_of(c, IRC_NE, IR_NOVAL, 0);
        }
        break;
    default:
        break;
    }
    *ok = false;
    return test_const(0);
}

/* Condition `k` from explicit flag bits. */
static FeTest cond_efl(Fe *f, unsigned k)
{
    static const uint32_t bits[6] = {FL_OF, FL_CF, FL_ZF, FL_CF | FL_ZF, FL_SF, FL_PF};
    IrVal e = f->cc.efl;
    if (k < 6)
        return test_of(e, IRC_TSTNZ, IR_NOVAL, bits[k]);
    /* SF ^ OF lands in bit 7 of e ^ (e >> 4); bit 6 of it is ZF (bit 10 of e is clear). */
    IrVal t = ir_binop(f->b, IR_XOR, e, ir_binopi(f->b, IR_SHR, e, 4));
    return test_of(t, IRC_TSTNZ, IR_NOVAL, k == 6 ? FL_SF : FL_SF | FL_ZF);
}

FeTest fe_cond(Fe *f, unsigned cc)
{
    unsigned k = cc >> 1;
    FeTest t;
    bool ok = false;
    if (f->cc.kind == CCK_LAZY)
        t = cond_lazy(f, k, &ok);
    else if (f->cc.kind == CCK_EFL) {
        t = cond_efl(f, k);
        ok = true;
    }
    if (!ok)
        return cond_by_helper(f, cc);
    if (cc & 1) {
        if (t.constant >= 0)
            t.constant ^= 1;
        else
            t.cond = ir_cond_invert(t.cond);
    }
    return t;
}

IrVal fe_test_value(Fe *f, FeTest t)
{
    if (t.constant >= 0)
        return ir_movi(f->b, (uint32_t)t.constant);
    return t.b == IR_NOVAL ? ir_setcci(f->b, t.cond, t.a, t.imm) : ir_setcc(f->b, t.cond, t.a, t.b);
}

IrVal fe_get_cf(Fe *f)
{
    const FeCc *cc = &f->cc;
    IrBlock *b = f->b;
    if (cc->kind == CCK_EFL)
        return ir_binopi(b, IR_AND, cc->efl, FL_CF);
    if (cc->kind == CCK_LAZY) {
        switch (cc->op / 3) {
        case CC_BASE_SUB: return ir_setcc(b, IRC_LTU, cc->src1, cc->src2);
        case CC_BASE_ADD: return ir_setcc(b, IRC_LTU, cc->res, cc->src1);
        case CC_BASE_LOGIC: return ir_movi(b, 0);
        case CC_BASE_INC:
        case CC_BASE_DEC: return ir_binopi(b, IR_AND, cc->src2, FL_CF);
        case CC_BASE_SHL:
        case CC_BASE_SHR:
        case CC_BASE_SAR: return shift_cf(f);
        default: {
            IrVal c = carry_adc_sbb(f);
            if (c != IR_NOVAL)
                return c;
            break;
        }
        }
    }
    fe_cc_store(f);
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_CALL);
    op->d = d;
    op->imm = ir_helper(b, (const void *)jit_helper_get_cf);
    return d;
}

IrVal fe_arith_flags(Fe *f)
{
    const FeCc *cc = &f->cc;
    IrBlock *b = f->b;
    if (cc->kind == CCK_EFL)
        return cc->efl;
    if (is_shift_record(cc))
        return shift_record_flags(f);
    fe_cc_store(f);
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_CALL);
    op->d = d;
    op->imm = ir_helper(b, (const void *)jit_helper_arith_flags);
    return d;
}

void fe_brcc(Fe *f, FeTest t, unsigned label)
{
    if (t.constant >= 0)
        t = test_of(ir_movi(f->b, (uint32_t)t.constant), IRC_NE, IR_NOVAL, 0);
    IrOp *op = ir_emit(f->b, IR_BRCC);
    op->a = t.a;
    op->cond = (uint8_t)t.cond;
    if (t.b == IR_NOVAL) {
        op->flags = IRF_IMM;
        op->imm = t.imm;
    } else {
        op->b = t.b;
    }
    op->imm2 = label;
    op->insn = (uint16_t)f->idx;
}

void fe_guard(Fe *f, IrCond cond, IrVal a, uint32_t imm, unsigned vector)
{
    uint16_t sync = pending_sync(f);
    IrOp *op = ir_emit(f->b, IR_GUARD);
    op->a = a;
    op->cond = (uint8_t)cond;
    op->flags = IRF_IMM;
    op->imm = imm;
    op->imm2 = vector;
    op->aux = sync;
    op->insn = (uint16_t)f->idx;
}

void fe_bail(Fe *f, IrCond cond, IrVal a, uint32_t imm)
{
    uint16_t sync = pending_sync(f);
    IrOp *op = ir_emit(f->b, IR_BAIL);
    op->a = a;
    op->cond = (uint8_t)cond;
    op->flags = IRF_IMM;
    op->imm = imm;
    op->aux = sync;
    op->insn = (uint16_t)f->idx;
}

/* ---- handler calls and exits -------------------------------------------------------------------- */

void fe_handler(Fe *f, bool ends_block)
{
    fe_cc_store(f);
    IrVal d = ir_temp(f->b);
    IrOp *op = ir_emit(f->b, IR_HANDLER);
    op->d = d;
    op->insn = (uint16_t)f->idx;
    f->cc = (FeCc){CCK_ENV, 0, IR_NOVAL, IR_NOVAL, IR_NOVAL, IR_NOVAL, IR_NOVAL, true, 0};
    if (ends_block) {
        op = ir_emit(f->b, IR_EXIT);
        op->insn = (uint16_t)(f->idx + 1);
        f->ended = true;
    } else {
        op = ir_emit(f->b, IR_EXIT_IF);
        op->a = d;
        op->insn = (uint16_t)(f->idx + 1);
    }
}

static unsigned new_slot(Fe *f, uint32_t target)
{
    unsigned slot = f->nslots < JIT_MAX_EXITS ? f->nslots++ : 0;
    if (f->nslots > JIT_MAX_EXITS - 1 && slot == 0)
        f->b->overflow = true; /* decode_block limits the branches: cannot happen */
    f->out->exit_eip[slot] = target;
    return slot;
}

static void emit_exit_tb(Fe *f, uint32_t target, unsigned retired)
{
    IrOp *op = ir_emit(f->b, IR_EXIT_TB);
    op->imm = target;
    if (target == f->ctx->eip)
        op->flags = IRF_LOOP;
    op->aux = (uint16_t)new_slot(f, target);
    op->insn = (uint16_t)retired;
}

void fe_exit_tb(Fe *f, uint32_t target)
{
    fe_cc_store(f);
    emit_exit_tb(f, target, f->idx + 1);
    f->ended = true;
}

void fe_side_exit(Fe *f, FeTest t, uint32_t target)
{
    if (t.constant == 0)
        return;
    unsigned label = ir_label(f->b);
    fe_brcc(f, t, label);
    /* The lazy flags are stored on the taken path only; the block goes on with them pending. */
    f->b->ops[f->b->nops - 1].aux = pending_sync(f);
    if (f->nside < JIT_MAX_EXITS)
        f->side[f->nside++] = (typeof(f->side[0])){label, 0, f->idx + 1, target};
}

/* The conditional exits' targets, reached through their labels after the main path (each
 * branch stored the flags on its way; the exit itself writes nothing more). */
static void emit_side_exits(Fe *f)
{
    for (unsigned i = 0; i < f->nside; i++) {
        IrOp *op = ir_emit(f->b, IR_LABEL);
        op->imm = f->side[i].label;
        emit_exit_tb(f, f->side[i].target, f->side[i].insn);
    }
}

void fe_exit_indirect(Fe *f, IrVal target)
{
    fe_cc_store(f);
    IrOp *op = ir_emit(f->b, IR_EXIT_INDIRECT);
    op->a = target;
    op->insn = (uint16_t)(f->idx + 1);
    f->ended = true;
}

/* ---- stack ---------------------------------------------------------------------------------- */

bool fe_stack32(const Fe *f) { return (f->ctx->mode & JM_STACK32) != 0; }

IrVal fe_stack_off(Fe *f, IrVal sp)
{
    return fe_stack32(f) ? sp : ir_ext(f->b, sp, 2, false);
}

IrVal fe_stack_add(Fe *f, IrVal sp, int32_t delta)
{
    IrVal t = ir_binopi(f->b, IR_ADD, sp, (uint32_t)delta);
    if (fe_stack32(f))
        return t;
    IrVal d = ir_temp(f->b);
    IrOp *op = ir_emit(f->b, IR_DEP);
    op->d = d;
    op->a = sp;
    op->b = t;
    op->size = 2;
    return d;
}

void fe_set_esp(Fe *f, IrVal nsp) { ir_assign(f->b, R_ESP, nsp); }

/* ---- the block loop ------------------------------------------------------------------------------ */

/* IN and OUT (not INS/OUTS) let the block go on: their handler call leaves it only when
 * it must (an interrupt became deliverable, the device asked the CPU to stop or moved a
 * deadline, wrote over translated code, or remapped memory: see jit_helper_exec_insn).
 * Lockstep keeps port I/O out of blocks altogether. */
static bool ends_block(const JitTranslateCtx *ctx, const DecodedInsn *in)
{
    if ((in->op == OP_IN || in->op == OP_OUT) && !ctx->stop_at_io)
        return false;
    return in->op == OP_INVALID ||
           (in->row->attr & (A_BRANCH | A_ENDBLK | A_SYS | A_FAR | A_IO)) != 0;
}

static bool is_cond_branch(unsigned op)
{
    return op == OP_JCC || op == OP_LOOP || op == OP_LOOPE || op == OP_LOOPNE || op == OP_JCXZ;
}

/* May the block go on after this branch, and where? Conditional branches continue with
 * their fall-through (the taken path becomes a side exit); direct JMP and CALL continue at
 * their target when it lies in the same page and was not decoded yet (no loops). */
static bool branch_continues(const JitTranslateCtx *ctx, const FeOutput *out, unsigned n,
                             uint32_t *eip, uint32_t *off)
{
    const JitInsnRec *rec = &out->insns[n - 1];
    const DecodedInsn *in = &rec->insn;
    if (!(in->row->attr & A_BRANCH) || (in->row->attr & (A_FAR | A_SYS)) || !in->nopnd ||
        in->opnd[0].type != OPT_REL || !fe_can_inline(in, rec->eip, ctx))
        return false;
    if (is_cond_branch(in->op))
        return *off < 0x1000;
    if (in->op != OP_JMP && in->op != OP_CALL)
        return false;
    uint32_t target = rec->eip + in->len + in->imm;
    if (in->opsize == 2)
        target &= 0xFFFF;
    uint32_t lin = ctx->cs_base + target;
    if ((lin & PAGE_MASK) != (ctx->lin & PAGE_MASK))
        return false;
    for (unsigned i = 0; i < n; i++)
        if (out->insns[i].eip == target)
            return false;
    *eip = target;
    *off = lin & 0xFFF;
    return true;
}

/* Decodes the block's instructions into out->insns; returns how many. */
static unsigned decode_block(const JitTranslateCtx *ctx, const uint8_t *page, FeOutput *out)
{
    bool code32 = ctx->mode & JM_CODE32;
    uint32_t off = ctx->phys & 0xFFF, eip = ctx->eip;
    unsigned n = 0, branches = 0;
    out->cover_lo = out->cover_hi = (uint16_t)off;
    while (n < ctx->max_insns) {
        if (eip > ctx->cs_limit)
            break;
        uint32_t avail = 0x1000 - off;
        uint32_t in_limit = ctx->cs_limit - eip + 1; /* 0: the limit spans 4 GiB */
        if (in_limit && in_limit < avail)
            avail = in_limit;
        if (avail > INSN_MAX_LEN)
            avail = INSN_MAX_LEN;
        JitInsnRec *rec = &out->insns[n];
        if (decode(page + off, avail, code32, &rec->insn) != DEC_OK)
            break; /* undefined, too long, or continues past the page or the limit */
        if (ctx->stop_at_io && (rec->insn.row->attr & A_IO))
            break;
        rec->eip = eip;
        out->cont[n] = false;
        n++;
        if (off < out->cover_lo)
            out->cover_lo = (uint16_t)off;
        off += rec->insn.len;
        eip += rec->insn.len;
        if (off > out->cover_hi)
            out->cover_hi = (uint16_t)off;
        if (ends_block(ctx, &rec->insn)) {
            if (branches + 2 >= JIT_MAX_EXITS || !branch_continues(ctx, out, n, &eip, &off))
                break;
            branches++;
            out->cont[n - 1] = true;
            continue;
        }
        if (off >= 0x1000)
            break;
    }
    return n;
}

/* Backward pass over the rows' flag columns: which arithmetic flags are live after each
 * instruction. A possible fault, a call-out or a side exit reads them all. */
static void flag_liveness(const FeOutput *out, const bool *inlined, uint32_t *live_after)
{
    uint32_t live = FL_ARITH;
    for (unsigned i = out->ninsns; i-- > 0;) {
        const DecodedInsn *in = &out->insns[i].insn;
        const OpcodeRow *row = in->row;
        live_after[i] = live;
        uint32_t w = (row->fl_write | row->fl_undef) & FL_ARITH;
        uint32_t r = (row->fl_read & F_CC) ? cpu_cond_flags(insn_cond(in)) : row->fl_read;
        r &= FL_ARITH;
        if (fe_insn_may_sync(in, inlined[i]) || (out->cont[i] && is_cond_branch(in->op)))
            r = FL_ARITH; /* a fault, a call-out, or a side exit leaving the block */
        live = (live & ~w) | r;
    }
}

static bool room_for_insn(const Fe *f)
{
    const IrBlock *b = f->b;
    return !b->overflow && b->nops + 160 < IR_MAX_OPS && b->ntemps + 96 < IR_MAX_TEMPS &&
           b->nsyncs + 48 < IR_MAX_SYNC && b->nlists + 12 < IR_MAX_SYNCLISTS &&
           f->out->nsites + 8 < IR_MAX_SITES && b->nlabels + 2 < IR_MAX_LABELS;
}

/* The block's first instruction does not decode within the page (it continues on the
 * next one). A block holds bytes of one page only, so this one holds none of the
 * instruction's: a handler call that fetches and decodes it on every run
 * (jit_helper_exec_fetch, asked for by a record of length 0), then an indirect exit to
 * wherever it left EIP. Before, each run fell back to the dispatcher, a failed
 * translation and the interpreter (Linux's get_symbol_pos: 0.6M times per boot). Not in
 * lockstep, which compares instructions the JIT decoded. */
static bool straddle_block(const JitTranslateCtx *ctx, IrBlock *ir, FeOutput *out)
{
    uint32_t off = ctx->phys & 0xFFF;
    if (ctx->stop_at_io || 0x1000 - off >= INSN_MAX_LEN || ctx->eip > ctx->cs_limit)
        return false;
    memset(&out->insns[0], 0, sizeof out->insns[0]);
    out->insns[0].eip = ctx->eip;
    out->ninsns = 1;
    out->handler[0] = true;
    out->cont[0] = false;
    out->cover_lo = (uint16_t)off;
    out->cover_hi = 0x1000;
    Fe f;
    memset(&f, 0, sizeof f);
    f.b = ir;
    f.out = out;
    f.ctx = ctx;
    f.cc = (FeCc){CCK_ENV, 0, IR_NOVAL, IR_NOVAL, IR_NOVAL, IR_NOVAL, IR_NOVAL, true, 0};
    f.eip = ctx->eip;
    ir_emit(ir, IR_INSN)->insn = 0;
    fe_handler(&f, false);
    fe_exit_indirect(&f, fe_ld_env(&f, ENV(eip)));
    out->nexits = f.nslots;
    return !ir->overflow;
}

bool fe_translate(const JitTranslateCtx *ctx, const uint8_t *page, IrBlock *ir, FeOutput *out)
{
    ir_reset(ir);
    out->nsites = 0;
    out->ninline = 0;
    out->ninsns = decode_block(ctx, page, out);
    if (out->ninsns == 0)
        return straddle_block(ctx, ir, out);
    bool inlined[JIT_MAX_INSNS];
    uint32_t live_after[JIT_MAX_INSNS];
    for (unsigned i = 0; i < out->ninsns; i++)
        inlined[i] = fe_can_inline(&out->insns[i].insn, out->insns[i].eip, ctx);
    flag_liveness(out, inlined, live_after);

    Fe f;
    memset(&f, 0, sizeof f);
    f.b = ir;
    f.out = out;
    f.ctx = ctx;
    f.cc = (FeCc){CCK_ENV, 0, IR_NOVAL, IR_NOVAL, IR_NOVAL, IR_NOVAL, IR_NOVAL, true, 0};
    unsigned i;
    for (i = 0; i < out->ninsns && !f.ended; i++) {
        if (!room_for_insn(&f))
            break;
        f.idx = i;
        f.insn = &out->insns[i].insn;
        f.eip = out->insns[i].eip;
        f.next_eip = f.eip + f.insn->len;
        f.live_after = live_after[i];
        f.cont = out->cont[i] && i + 1 < out->ninsns;
        f.ea = IR_NOVAL;
        IrOp *mark = ir_emit(ir, IR_INSN);
        mark->insn = (uint16_t)i;
        out->handler[i] = false;
        if (inlined[i] && fe_inline_insn(&f)) {
            out->ninline++;
        } else {
            out->handler[i] = true;
            fe_handler(&f, ends_block(ctx, f.insn));
        }
    }
    out->ninsns = i;
    if (!f.ended) { /* cut short (or by a page end): continue with the next instruction */
        f.idx = i - 1;
        const JitInsnRec *last = &out->insns[i - 1];
        uint32_t next = last->eip + last->insn.len;
        if (out->cont[i - 1] && (last->insn.op == OP_JMP || last->insn.op == OP_CALL))
            next = last->eip + last->insn.len + last->insn.imm; /* a followed JMP/CALL */
        if (out->cont[i - 1] && last->insn.opsize == 2)
            next &= 0xFFFF;
        fe_exit_tb(&f, next);
    }
    emit_side_exits(&f);
    out->nexits = f.nslots;
    if (ir->overflow)
        return false;
    ir_optimize(ir);
    return true;
}
