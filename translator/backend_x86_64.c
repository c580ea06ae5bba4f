/* backend_x86_64.c — IR → x86-64 code: register allocation and the main code of each op
 * (slow-path stubs, exits and trampolines are in backend_x86_64_stubs.c). See
 * backend_x86_64.h for the frame and register conventions. */
#include "translator/backend_x86_64.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "cpu/flags.h"

#define ENV(field) ((int32_t)offsetof(CpuState, field))
#define HOME(g) ir_global_home(g)

static_assert(sizeof(TlbEntry) == 32, "the inline TLB lookup scales the index by 32");
static_assert(offsetof(TlbEntry, tag_read) == 0 && offsetof(TlbEntry, tag_write) == 4 &&
                  offsetof(TlbEntry, addend) == 16,
              "the inline TLB lookup reads these fields");

/* Allocation orders: guest registers prefer callee-saved host registers (they survive the
 * slow-path calls), temporaries caller-saved ones. */
#define BK_NALLOC 11
#define BK_LOOP_MAX_GUESTS 9 /* globals a loop keeps in host registers (of BK_NALLOC) */
static const int8_t order_guest[BK_NALLOC] = {X_RBX, X_R12, X_R13, X_R14, X_RSI, X_RDI,
                                              X_R8,  X_R9,  X_RAX, X_RCX, X_RDX};
static const int8_t order_temp[BK_NALLOC] = {X_RAX, X_RCX, X_RDX, X_R9,  X_R8,  X_RDI,
                                             X_RSI, X_RBX, X_R12, X_R13, X_R14};

const int8_t bk_canon[IR_NGPRS] = {X_RBX, X_R12, X_R13, X_R14, X_RSI, X_RDI, X_R8, X_R9};

static bool is_temp(IrVal v) { return v >= IR_FIRST_TEMP && v < IR_HOLD; }
static unsigned tix(IrVal v) { return (unsigned)(v - IR_FIRST_TEMP); }
static XMem slot_mem(int slot) { return xmem(X_RSP, 8 * slot); }

int bk_reg_of(const Bk *k, IrVal v)
{
    if (v == IR_NOVAL)
        return -1;
    if (is_temp(v))
        return k->tloc[tix(v)];
    for (int r = 0; r < 16; r++)
        if (k->rf.val[r] == v)
            return r;
    return -1;
}

static void bind(Bk *k, int r, IrVal v)
{
    k->rf.val[r] = v;
    if (is_temp(v))
        k->tloc[tix(v)] = (int8_t)r;
}

static void unbind(Bk *k, int r)
{
    IrVal v = k->rf.val[r];
    if (is_temp(v) && k->tloc[tix(v)] == r)
        k->tloc[tix(v)] = -1;
    else if (ir_is_global(v))
        k->rf.dirty &= (uint16_t)~(1u << v);
    else if (v == IR_HOLD && k->hold_reg == r)
        k->hold_reg = -1; /* the rest of its run takes the ordinary lookup */
    k->rf.val[r] = IR_NOVAL;
}

static bool temp_dead(const Bk *k, IrVal v) { return k->last_use[tix(v)] < k->cur; }

static void free_slot_of(Bk *k, IrVal t)
{
    int s = k->tslot[tix(t)];
    if (s >= 0) {
        k->slots_used &= ~(1ull << s);
        k->tslot[tix(t)] = -1;
    }
}

static int slot_alloc(Bk *k)
{
    for (int s = 0; s < BK_SLOTS; s++)
        if (!(k->slots_used & (1ull << s))) {
            k->slots_used |= 1ull << s;
            return s;
        }
    k->failed = true;
    return 0;
}

static void store_global(Bk *k, int r, IrVal g) { x_store(&k->cb, 4, xmem(X_RBP, HOME(g)), r); }
static bool is_cc(IrVal v) { return v >= IR_NGPRS && v < IR_NGLOBALS; }

/* Frees host register r, saving what it holds if that is still needed. */
static void spill_reg(Bk *k, int r)
{
    IrVal v = k->rf.val[r];
    if (v == IR_NOVAL)
        return;
    if (ir_is_global(v)) {
        if (k->rf.dirty & (1u << v))
            store_global(k, r, v);
    } else if (is_temp(v) && !temp_dead(k, v) && k->tslot[tix(v)] < 0) {
        int s = slot_alloc(k);
        k->tslot[tix(v)] = (int16_t)s;
        x_store(&k->cb, 4, slot_mem(s), r);
    }
    unbind(k, r);
}

static bool reg_free(const Bk *k, int r)
{
    IrVal v = k->rf.val[r];
    return v == IR_NOVAL || (is_temp(v) && temp_dead(k, v));
}

/* A host register for a new value: a free one, else the cheapest to evict. */
static int alloc_reg(Bk *k, bool for_guest)
{
    const int8_t *order = for_guest ? order_guest : order_temp;
    for (unsigned i = 0; i < BK_NALLOC; i++) {
        int r = order[i];
        if (!(k->locked & (1u << r)) && reg_free(k, r)) {
            if (k->rf.val[r] != IR_NOVAL) {
                free_slot_of(k, k->rf.val[r]);
                unbind(k, r);
            }
            return r;
        }
    }
    int best = -1, best_score = 1 << 30;
    for (unsigned i = 0; i < BK_NALLOC; i++) {
        int r = order[i];
        if (k->locked & (1u << r))
            continue;
        IrVal v = k->rf.val[r];
        int score;
        if (ir_is_global(v))
            score = (k->rf.dirty & (1u << v)) ? 1 : 0;
        else if (v == IR_HOLD) /* like a temporary used until the run's last access */
            score = 2 + (IR_MAX_OPS - k->holds[k->hold_id - 1].last);
        else
            score = 2 + (IR_MAX_OPS - k->last_use[tix(v)]); /* farthest use first */
        if (score < best_score) {
            best_score = score;
            best = r;
        }
    }
    assert(best >= 0);
    spill_reg(k, best);
    return best;
}

static void lock(Bk *k, int r) { k->locked |= (uint16_t)(1u << r); }

/* Makes v available in a host register (loading a guest register or a spilled temporary)
 * and locks it for the current op. */
static int use(Bk *k, IrVal v)
{
    int r = bk_reg_of(k, v);
    if (r < 0) {
        r = alloc_reg(k, ir_is_global(v));
        if (ir_is_global(v)) {
            x_load(&k->cb, 4, r, xmem(X_RBP, HOME(v)));
        } else {
            int s = k->tslot[tix(v)];
            assert(s >= 0);
            x_load(&k->cb, 4, r, slot_mem(s));
        }
        bind(k, r, v);
    }
    lock(k, r);
    return r;
}

/* Binds the result of an op held in host register r to d. */
static void set_result(Bk *k, IrVal d, int r)
{
    IrVal held = k->rf.val[r];
    if (held != IR_NOVAL && held != d) {
        if (is_temp(held))
            free_slot_of(k, held);
        unbind(k, r);
    }
    if (ir_is_global(d)) {
        int old = bk_reg_of(k, d);
        if (old >= 0 && old != r)
            unbind(k, old);
        k->rf.val[r] = d;
        k->rf.dirty |= (uint16_t)(1u << d);
    } else {
        bind(k, r, d);
        k->tslot[tix(d)] = -1;
    }
    lock(k, r);
}

static bool dies_here(const Bk *k, IrVal v) { return is_temp(v) && k->last_use[tix(v)] == k->cur; }

/* The front end computes a guest register's new value into a temporary and copies it
 * over (t = op ...; g = mov t, t dying there). The register holding g's old value, which
 * nothing reads after the op, can then take the result, so the copy is a rename and g
 * stays where it was (in a loop: where the back edge wants it). -1 when g is not in a
 * free-to-take register, or the op still reads it as an operand other than a (a reads
 * before the result is written; b, c and RCX-counted shifts may not). */
static int result_home(const Bk *k, const IrOp *op, int ra)
{
    if (!is_temp(op->d))
        return -1;
    unsigned j = k->cur + 1;
    while (j < k->ir->nops && k->ir->ops[j].opc == IR_NOP)
        j++;
    const IrOp *mv = j < k->ir->nops ? &k->ir->ops[j] : NULL;
    if (!mv || mv->opc != IR_MOV || mv->a != op->d || !ir_is_global(mv->d) ||
        k->last_use[tix(op->d)] != j)
        return -1;
    int h = bk_reg_of(k, mv->d);
    if (h < 0 || h == X_RCX || ((k->locked & (1u << h)) && h != ra))
        return -1;
    bool b_reg = op->b != IR_NOVAL && !(op->flags & IRF_IMM);
    if ((b_reg && bk_reg_of(k, op->b) == h) || (op->c != IR_NOVAL && bk_reg_of(k, op->c) == h))
        return -1;
    return h;
}

/* Where an op computes its result: in place for d = op(d, ...) on a guest register, in the
 * register of the guest it is about to be copied into, in a dying operand's register, or
 * a fresh one. */
static int dest_reg(Bk *k, const IrOp *op, int ra)
{
    if (ra >= 0 && ir_is_global(op->d) && op->d == op->a)
        return ra;
    int h = result_home(k, op, ra);
    if (h >= 0)
        return h;
    if (ra >= 0 && dies_here(k, op->a))
        return ra;
    return alloc_reg(k, ir_is_global(op->d));
}

static void release_use(IrVal v, void *arg)
{
    Bk *k = arg;
    if (!is_temp(v) || k->last_use[tix(v)] != k->cur)
        return;
    int r = k->tloc[tix(v)];
    if (r >= 0 && k->rf.val[r] == v)
        unbind(k, r);
    free_slot_of(k, v);
}

void bk_writeback_dirty(Bk *k, const RegFile *rf)
{
    for (int r = 0; r < 16; r++) {
        IrVal v = rf->val[r];
        if (ir_is_global(v) && (rf->dirty & (1u << v)))
            store_global(k, r, v);
    }
}

/* ---- comparisons ---------------------------------------------------------------------------- */

static const int8_t x_cc_of[IRC_COUNT] = {XC_E, XC_NE, XC_B, XC_AE, XC_BE, XC_A,
                                          XC_L, XC_GE, XC_LE, XC_G, XC_E, XC_NE};

/* Compares a with b (or imm) and returns the x86 condition that is true when cond holds. */
static int emit_compare(Bk *k, IrCond cond, int ra, int rb, uint32_t imm)
{
    CodeBuf *cb = &k->cb;
    bool test = cond == IRC_TSTZ || cond == IRC_TSTNZ;
    if (rb >= 0) {
        if (test)
            x_test_rr(cb, 4, ra, rb);
        else
            x_alu_rr(cb, XA_CMP, 4, ra, rb);
    } else if (test) {
        if (imm <= 0xFF && ra < 4)
            x_test_ri(cb, 1, ra, imm);
        else
            x_test_ri(cb, 4, ra, imm);
    } else if (imm == 0) {
        x_test_rr(cb, 4, ra, ra); /* same flags as cmp ra, 0 */
    } else {
        x_alu_ri(cb, XA_CMP, 4, ra, imm);
    }
    return x_cc_of[cond];
}

/* ---- ops --------------------------------------------------------------------------------------- */

const int bk_alu_of[IR_XOR + 1] = {
    [IR_ADD] = XA_ADD, [IR_SUB] = XA_SUB, [IR_AND] = XA_AND, [IR_OR] = XA_OR, [IR_XOR] = XA_XOR,
};
static const int shift_of[] = {
    [IR_SHL] = XS_SHL, [IR_SHR] = XS_SHR, [IR_SAR] = XS_SAR, [IR_ROL] = XS_ROL, [IR_ROR] = XS_ROR,
};

/* A shift by a register count: the count goes to CL (a scratch copy: whatever RCX held is
 * saved first, and the shifted value is kept out of RCX). */
static void emit_shift_cl(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int ra = use(k, op->a);
    if (ra == X_RCX) { /* move the operand out of the way */
        int r2 = alloc_reg(k, ir_is_global(op->a));
        uint16_t dirty = k->rf.dirty;
        x_mov_rr(cb, 4, r2, X_RCX);
        unbind(k, X_RCX);
        bind(k, r2, op->a);
        k->rf.dirty = dirty; /* a guest register keeps its dirty state */
        ra = r2;
        lock(k, ra);
    }
    int rb = bk_reg_of(k, op->b);
    if (rb != X_RCX) {
        if (k->rf.val[X_RCX] != IR_NOVAL && k->rf.val[X_RCX] != op->b)
            spill_reg(k, X_RCX);
        if (rb >= 0)
            x_mov_rr(cb, 4, X_RCX, rb);
        else if (ir_is_global(op->b))
            x_load(cb, 4, X_RCX, xmem(X_RBP, HOME(op->b)));
        else
            x_load(cb, 4, X_RCX, slot_mem(k->tslot[tix(op->b)]));
    }
    lock(k, X_RCX);
    int rd = dest_reg(k, op, ra);
    lock(k, rd);
    if (rd != ra)
        x_mov_rr(cb, 4, rd, ra);
    x_shift_rcl(cb, shift_of[op->opc], 4, rd);
    set_result(k, op->d, rd);
}

/* Does the branch right after this ALU op (only copies between, which emit plain MOVs
 * and redefine neither operand) test what the op's own host flags already say: a SUB and
 * a comparison of the same two operands, or ZF of the result (== / != 0)? Then the op is
 * emitted as a flag-setting instruction and the branch skips its compare. */
static bool flags_serve_next_branch(const Bk *k, const IrOp *op)
{
    if (op->opc != IR_SUB && op->opc != IR_ADD && op->opc != IR_AND && op->opc != IR_OR &&
        op->opc != IR_XOR)
        return false;
    IrVal res = op->d;
    const IrOp *br = NULL;
    for (unsigned j = k->cur + 1; j < k->ir->nops && !br; j++) {
        const IrOp *o = &k->ir->ops[j];
        if (o->opc == IR_NOP || o->opc == IR_INSN)
            continue;
        if (o->opc == IR_BRCC) {
            br = o;
            break;
        }
        if (o->opc != IR_MOV || o->d == op->a || o->d == op->b || o->d == res)
            return false;
        if (o->a == res)
            res = o->d; /* the result, renamed */
    }
    if (!br)
        return false;
    bool bimm = br->flags & IRF_IMM, opimm = op->flags & IRF_IMM;
    if ((br->cond == IRC_EQ || br->cond == IRC_NE) && bimm && br->imm == 0 &&
        (br->a == res || br->a == op->d))
        return true;
    if (op->opc != IR_SUB || br->cond == IRC_TSTZ || br->cond == IRC_TSTNZ || br->a != op->a ||
        op->d == op->a || op->d == op->b) /* (the branch would read the new value) */
        return false;
    return bimm ? opimm && br->imm == op->imm : !opimm && br->b == op->b;
}

static void emit_binop(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    bool imm = op->flags & IRF_IMM;
    bool shift = op->opc >= IR_SHL && op->opc <= IR_ROR;
    if (shift && !imm) {
        emit_shift_cl(k, op);
        return;
    }
    int ra = use(k, op->a);
    int rb = imm ? -1 : use(k, op->b);
    int rd = dest_reg(k, op, ra);
    lock(k, rd);
    bool fuse = flags_serve_next_branch(k, op);
    if (op->opc == IR_MUL && imm) {
        x_imul_rri(cb, 4, rd, ra, op->imm);
    } else if (rd != ra && imm && !fuse && (op->opc == IR_ADD || op->opc == IR_SUB)) {
        int32_t d = (int32_t)(op->opc == IR_ADD ? op->imm : 0u - op->imm); /* no signed overflow at 0x80000000 */
        x_lea(cb, 4, rd, xmem(ra, d));
    } else if (rd != ra && !imm && !fuse && op->opc == IR_ADD) {
        x_lea(cb, 4, rd, xmem_idx(ra, rb, 0, 0));
    } else {
        if (rd != ra)
            x_mov_rr(cb, 4, rd, ra);
        if (shift) {
            if (op->imm & 31)
                x_shift_ri(cb, shift_of[op->opc], 4, rd, op->imm & 31);
        } else if (op->opc == IR_MUL) {
            x_imul_rr(cb, 4, rd, rb);
        } else if (imm) {
            x_alu_ri(cb, bk_alu_of[op->opc], 4, rd, op->imm);
        } else {
            x_alu_rr(cb, bk_alu_of[op->opc], 4, rd, rb);
        }
    }
    set_result(k, op->d, rd);
    k->flags_fused = fuse;
}

/* IR_ADDR: one 32-bit LEA, so the sum wraps modulo 2^32 as the guest's does. */
static void emit_addr(Bk *k, const IrOp *op)
{
    int ra = op->a != IR_NOVAL ? use(k, op->a) : -1;
    int rb = use(k, op->b);
    int rd = dest_reg(k, op, ra);
    XMem m = ra < 0 && op->size == 0 ? xmem(rb, (int32_t)op->imm)
                                     : xmem_idx(ra < 0 ? X_NOREG : ra, rb, op->size, (int32_t)op->imm);
    x_lea(&k->cb, 4, rd, m);
    set_result(k, op->d, rd);
}

static void emit_mulh(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    bool sign = op->opc == IR_MULHS;
    int ra = use(k, op->a);
    if (sign)
        x_rr(cb, 0x63, 8, X_R10, ra); /* movsxd r10, ra */
    else
        x_mov_rr(cb, 4, X_R10, ra);
    if (op->flags & IRF_IMM) {
        x_mov_ri64(cb, X_R11, sign ? (uint64_t)(int64_t)(int32_t)op->imm : op->imm);
    } else {
        int rb = use(k, op->b);
        if (sign)
            x_rr(cb, 0x63, 8, X_R11, rb);
        else
            x_mov_rr(cb, 4, X_R11, rb);
    }
    x_imul_rr(cb, 8, X_R10, X_R11);
    x_shift_ri(cb, XS_SHR, 8, X_R10, 32);
    int rd = dest_reg(k, op, ra);
    x_mov_rr(cb, 4, rd, X_R10);
    set_result(k, op->d, rd);
}

/* d = (a:b) / c. The front end's #DE guard has excluded a zero divisor and a quotient
 * past 32 bits, so the host DIV cannot fault. RAX and RDX may hold guest values: they are
 * kept on the stack around it (no slot is addressed in between). */
static void emit_divu(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    x_mov_rr(cb, 4, X_R10, use(k, op->c));
    x_mov_rr(cb, 4, X_R11, use(k, op->b));
    int ra = use(k, op->a);
    x_push(cb, X_RAX);
    x_push(cb, X_RDX);
    x_mov_rr(cb, 4, X_RDX, ra);
    x_mov_rr(cb, 4, X_RAX, X_R11);
    x_unary(cb, 6, 4, X_R10); /* div r10d */
    x_mov_rr(cb, 4, X_R10, X_RAX);
    x_pop(cb, X_RDX);
    x_pop(cb, X_RAX);
    int rd = dest_reg(k, op, ra);
    x_mov_rr(cb, 4, rd, X_R10);
    set_result(k, op->d, rd);
}

static void emit_unary(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int ra = use(k, op->a);
    int rd = dest_reg(k, op, ra);
    switch (op->opc) {
    case IR_NEG:
    case IR_NOT:
        if (rd != ra)
            x_mov_rr(cb, 4, rd, ra);
        x_unary(cb, op->opc == IR_NEG ? 3 : 2, 4, rd);
        break;
    case IR_EXT:
        if (op->flags & IRF_SIGNED)
            x_movsx_rr(cb, op->size, rd, ra);
        else
            x_movzx_rr(cb, op->size, rd, ra);
        break;
    default: /* IR_PARITY */
        x_test_rr(cb, 1, ra, ra);
        x_setcc(cb, XC_P, rd);
        x_movzx_rr(cb, 1, rd, rd);
        x_shift_ri(cb, XS_SHL, 4, rd, 2);
        break;
    }
    set_result(k, op->d, rd);
}

static void emit_dep(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int ra = use(k, op->a);
    int rb = use(k, op->b);
    int rd = dest_reg(k, op, ra);
    if (rd == rb && rd != ra) { /* cannot happen with today's front end; stay correct */
        rd = alloc_reg(k, ir_is_global(op->d));
    }
    lock(k, rd);
    if (rd != ra)
        x_mov_rr(cb, 4, rd, ra);
    if (op->flags & IRF_HIGH8) {
        x_movzx_rr(cb, 1, X_R10, rb);
        x_shift_ri(cb, XS_SHL, 4, X_R10, 8);
        x_alu_ri(cb, XA_AND, 4, rd, 0xFFFF00FFu);
        x_alu_rr(cb, XA_OR, 4, rd, X_R10);
    } else {
        x_mov_rr(cb, op->size, rd, rb);
    }
    set_result(k, op->d, rd);
}

static void emit_setcc(Bk *k, const IrOp *op)
{
    bool imm = op->flags & IRF_IMM;
    int ra = use(k, op->a);
    int rb = imm ? -1 : use(k, op->b);
    int cc = emit_compare(k, (IrCond)op->cond, ra, rb, op->imm);
    int rd = dest_reg(k, op, ra); /* allocation moves only with mov: flags survive */
    x_setcc(&k->cb, cc, rd);
    x_movzx_rr(&k->cb, 1, rd, rd);
    set_result(k, op->d, rd);
}

static void emit_selnz(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int ra = use(k, op->a);
    int rb = use(k, op->b);
    int rc = use(k, op->c);
    int rd;
    if ((ir_is_global(op->d) && op->d == op->c) || dies_here(k, op->c))
        rd = rc;
    else {
        rd = alloc_reg(k, ir_is_global(op->d));
        x_mov_rr(cb, 4, rd, rc);
    }
    lock(k, rd);
    x_test_rr(cb, 4, ra, ra);
    x_cmov_rr(cb, XC_NE, 4, rd, rb);
    set_result(k, op->d, rd);
}

static void emit_mov(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    if (op->opc == IR_MOVI) {
        int rd = ir_is_global(op->d) ? bk_reg_of(k, op->d) : -1;
        if (rd < 0)
            rd = alloc_reg(k, ir_is_global(op->d));
        x_mov_ri(cb, rd, op->imm);
        set_result(k, op->d, rd);
        return;
    }
    int ra = use(k, op->a);
    if (dies_here(k, op->a)) { /* rename: no code */
        set_result(k, op->d, ra);
        return;
    }
    int rd = ir_is_global(op->d) ? bk_reg_of(k, op->d) : -1;
    if (rd < 0)
        rd = alloc_reg(k, ir_is_global(op->d));
    x_mov_rr(cb, 4, rd, ra);
    set_result(k, op->d, rd);
}

/* A CpuState access at a global's home (the lazy-flag fields) is an access to the global:
 * it goes to the host register while one holds the global, else to memory. */
static void emit_env(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    XMem m = xmem(X_RBP, (int32_t)op->imm);
    IrVal g = op->size == 4 ? ir_global_at(op->imm) : IR_NOVAL;
    if (op->opc == IR_LD_ENV) {
        int rd = alloc_reg(k, false);
        int rg = bk_reg_of(k, g);
        if (rg >= 0)
            x_mov_rr(cb, 4, rd, rg);
        else if (op->size == 4)
            x_load(cb, 4, rd, m);
        else
            x_movzx_rm(cb, op->size, rd, m);
        set_result(k, op->d, rd);
        return;
    }
    int ra = (op->flags & IRF_IMM) ? -1 : use(k, op->a);
    if (bk_assign_global(k, g, ra, op->imm2))
        return;
    if (ra < 0)
        x_store_imm(cb, op->size, m, op->imm2);
    else
        x_store(cb, op->size, m, ra);
}

/* g = the value in host register src (or imm when src < 0), if a host register holds g;
 * false (nothing emitted) otherwise. */
bool bk_assign_global(Bk *k, IrVal g, int src, uint32_t imm)
{
    int rg = bk_reg_of(k, g);
    if (rg < 0)
        return false;
    if (src < 0)
        x_mov_ri(&k->cb, rg, imm);
    else if (src != rg)
        x_mov_rr(&k->cb, 4, rg, src);
    k->rf.dirty |= (uint16_t)(1u << g);
    return true;
}

/* The TSC as RDTSC at instruction op->insn reads it: the icount bk_emit_icount_sync
 * would store, plus the offset. */
static void emit_tsc(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int rd = alloc_reg(k, ir_is_global(op->d));
    x_load(cb, 8, X_R10, xmem(X_RSP, BK_BASE_SLOT));
    x_alu_rr(cb, XA_SUB, 8, X_R10, BK_BUDGET);
    if (op->insn < k->tb->ninsns)
        x_alu_ri(cb, XA_SUB, 8, X_R10, k->tb->ninsns - op->insn);
    x_alu_rm(cb, XA_ADD, 8, X_R10, xmem(X_RBP, ENV(tsc_offset)));
    if (op->imm)
        x_shift_ri(cb, XS_SHR, 8, X_R10, op->imm & 63);
    x_mov_rr(cb, 4, rd, X_R10);
    set_result(k, op->d, rd);
}

/* ---- guest memory -------------------------------------------------------------------------------- */

static void capture_stub_state(Bk *k, Stub *s, const IrOp *op)
{
    s->rf = k->rf;
    s->insn = op->insn;
    s->recipe = bk_needs_recipe(k, op);
    bk_capture_syncs(k, s, op->aux);
}

static void stub_entry(Stub *s, uint8_t *field)
{
    if (field && s->njf < STUB_MAX_ENTRIES)
        s->jf[s->njf++] = field;
}

/* A window below 2 GiB fits an instruction's displacement: the access is then
 * [lin + window], with no register to load (hostwin_enable asks for such a place). */
static bool window_low(const Bk *k) { return (uintptr_t)k->window < 0x80000000u; }

/* The guest access's host operand after bk_emit_tlb_lookup. */
static XMem access_mem(const Bk *k, int lin)
{
    if (k->window && window_low(k))
        return xmem(lin, (int32_t)(uintptr_t)k->window);
    return xmem_idx(X_R10, lin, 0, 0);
}

/* Emits the inline segment check (SEGC_LIMIT) and TLB lookup for a guest access; every
 * miss branches to the stub. Afterwards the access is [R10 + lin_reg]. In a host-window
 * block R10 is the window instead and the access itself may fault (its SIGSEGV resumes at
 * the stub, see note_window_access). */
void bk_emit_tlb_lookup(Bk *k, const IrOp *op, int ro, int lin_reg, Stub *s, bool write)
{
    CodeBuf *cb = &k->cb;
    unsigned size = op->size;
    int32_t seg = ENV(seg) + op->cond * (int32_t)sizeof(SegCache);
    if (!(op->flags & (IRF_SEG_FLAT | IRF_SEG_LIMIT))) {
        stub_entry(s, x_jmp_fwd(cb)); /* full checks in the helper, every time */
        return;
    }
    if (op->flags & IRF_SEG_ATTR) {
        /* the conditions of SEGC_LIMIT, from the segment's attributes (see jit_mode) */
        x_movzx_rm(cb, 2, X_R10, xmem(X_RBP, seg + (int32_t)offsetof(SegCache, attr)));
        x_alu_ri(cb, XA_AND, 4, X_R10, SA_P | SA_S | SA_CODE | SA_DC | SA_RW);
        x_alu_ri(cb, XA_CMP, 4, X_R10, SA_P | SA_S | SA_RW);
        stub_entry(s, x_jcc_fwd(cb, XC_NE));
    }
    if (op->flags & IRF_SEG_LIMIT) {
        /* offset + size - 1 <= limit, in 64 bits so it cannot wrap; then add the base */
        x_lea(cb, 8, X_R11, xmem(ro, (int32_t)size - 1));
        x_load(cb, 4, X_R10, xmem(X_RBP, seg + (int32_t)offsetof(SegCache, limit)));
        x_alu_rr(cb, XA_CMP, 8, X_R11, X_R10);
        stub_entry(s, x_jcc_fwd(cb, XC_A));
        x_mov_rr(cb, 4, lin_reg, ro);
        x_alu_rm(cb, XA_ADD, 4, lin_reg, xmem(X_RBP, seg + (int32_t)offsetof(SegCache, base)));
    }
    if (k->window) {
        if (!window_low(k))
            x_mov_ri64(cb, X_R10, (uint64_t)(uintptr_t)k->window);
        return;
    }
    /* Entry index * 32; compare the tag with the page of the access's last byte, which
     * also sends page-crossing accesses to the slow path. */
    int32_t tlb = ENV(tlb.e) + ((op->flags & IRF_USER) ? (int32_t)(TLB_SIZE * sizeof(TlbEntry)) : 0);
    x_mov_rr(cb, 4, X_R11, lin_reg);
    x_shift_ri(cb, XS_SHR, 4, X_R11, 12 - 5);
    x_alu_ri(cb, XA_AND, 4, X_R11, (TLB_SIZE - 1) << 5);
    if (size > 1)
        x_lea(cb, 4, X_R10, xmem(lin_reg, (int32_t)size - 1));
    else
        x_mov_rr(cb, 4, X_R10, lin_reg);
    x_alu_ri(cb, XA_AND, 4, X_R10, PAGE_MASK);
    int32_t tag = write ? (int32_t)offsetof(TlbEntry, tag_write) : (int32_t)offsetof(TlbEntry, tag_read);
    x_alu_rm(cb, XA_CMP, 4, X_R10, xmem_idx(X_RBP, X_R11, 0, tlb + tag));
    stub_entry(s, x_jcc_fwd(cb, XC_NE));
    x_load(cb, 8, X_R10, xmem_idx(X_RBP, X_R11, 0, tlb + (int32_t)offsetof(TlbEntry, addend)));
}

/* The access instruction at `at` goes through the host window: its fault resumes at the
 * site's stub. */
static void note_window_access(Bk *k, const IrOp *op, const uint8_t *at)
{
    if (k->window && (op->flags & (IRF_SEG_FLAT | IRF_SEG_LIMIT)))
        k->tb->sites[op->imm].host_off = (uint32_t)(at - k->cb.start);
}

/* The access itself, once its host operand m is known: a load into reg, or a store of
 * reg (of imm2 when the op says IRF_IMM). */
void bk_emit_access(Bk *k, const IrOp *op, XMem m, int reg)
{
    CodeBuf *cb = &k->cb;
    if (op->opc == IR_ST) {
        if (op->flags & IRF_IMM)
            x_store_imm(cb, op->size, m, op->imm2);
        else
            x_store(cb, op->size, m, reg);
    } else if (op->size == 4) {
        x_load(cb, 4, reg, m);
    } else if (op->flags & IRF_SIGNED) {
        x_movsx_rm(cb, op->size, reg, m);
    } else {
        x_movzx_rm(cb, op->size, reg, m);
    }
}

static void release_hold(Bk *k)
{
    if (k->hold_reg >= 0) {
        k->rf.val[k->hold_reg] = IR_NOVAL;
        k->hold_reg = -1;
    }
}

/* A host register for a page hold: one no fixed-register op (MUL, DIV, shifts by CL)
 * wants, if free. */
static int hold_reg_pick(Bk *k)
{
    static const int8_t order[] = {X_RSI, X_RDI, X_R8, X_R9, X_RBX, X_R12, X_R13, X_R14};
    for (unsigned i = 0; i < sizeof order; i++)
        if (!(k->locked & (1u << order[i])) && k->rf.val[order[i]] == IR_NOVAL)
            return order[i];
    return alloc_reg(k, false);
}

/* Does this access go through a live page hold (backend_x86_64_hold.c)? The run's first
 * access starts it. */
static bool hold_access(Bk *k)
{
    uint16_t id = k->hold_of[k->cur];
    if (!id)
        return false;
    const PageHold *ph = &k->holds[id - 1];
    if (ph->head == k->cur) {
        release_hold(k);
        int rg = use(k, ph->base);
        int r = hold_reg_pick(k); /* free, or freed by alloc_reg */
        k->rf.val[r] = IR_HOLD;
        k->hold_reg = (int8_t)r;
        k->hold_id = id;
        bk_emit_hold_head(k, ph, rg, r);
    }
    if (k->hold_reg < 0 || k->hold_id != id)
        return false;
    lock(k, k->hold_reg);
    return true;
}

/* A held access: [hold + offset] unless the hold is 0 (then the probe stub). */
static void emit_held_access(Bk *k, const IrOp *op, Stub *p, Stub *slow, int ro, int reg)
{
    p->op = op;
    p->slow = slow;
    p->off_reg = (int8_t)ro;
    p->dst_reg = (int8_t)reg;
    x_test_rr(&k->cb, 8, k->hold_reg, k->hold_reg);
    stub_entry(p, x_jcc_fwd(&k->cb, XC_E));
    bk_emit_access(k, op, xmem_idx(k->hold_reg, ro, 0, 0), reg);
}

static void end_of_access(Bk *k, Stub *p, Stub *s)
{
    s->ret = k->cb.p;
    if (p)
        p->ret = k->cb.p;
    uint16_t id = k->hold_of[k->cur];
    if (id && id == k->hold_id && k->holds[id - 1].last == k->cur)
        release_hold(k);
}

static void emit_ld(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int ro = use(k, op->a);
    Stub *p = hold_access(k) ? bk_new_stub(k, STUB_PROBE) : NULL;
    Stub *s = bk_new_stub(k, STUB_LD);
    /* (a flat access leaves rd alone until the load itself: its stub still sees and
     * writes back the old guest value there) */
    int rd = (op->flags & IRF_SEG_FLAT) ? result_home(k, op, -1) : -1;
    if (rd < 0 || rd == ro)
        rd = alloc_reg(k, false);
    lock(k, rd);
    capture_stub_state(k, s, op);
    s->off_reg = (int8_t)ro;
    s->dst_reg = (int8_t)rd;
    s->size = op->size;
    s->sign = (op->flags & IRF_SIGNED) != 0;
    s->site = &k->tb->sites[op->imm];
    s->hold_reg = k->hold_reg;
    if (p) {
        emit_held_access(k, op, p, s, ro, rd);
    } else {
        int lin = (op->flags & IRF_SEG_FLAT) ? ro : rd;
        bk_emit_tlb_lookup(k, op, ro, lin, s, false);
        note_window_access(k, op, cb->p);
        if (op->flags & (IRF_SEG_FLAT | IRF_SEG_LIMIT))
            bk_emit_access(k, op, access_mem(k, lin), rd);
    }
    end_of_access(k, p, s);
    set_result(k, op->d, rd);
}

static void emit_st(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int ro = use(k, op->a);
    bool imm = op->flags & IRF_IMM; /* the value is imm2 */
    int rv = imm ? -1 : use(k, op->b);
    int lin = ro;
    if (op->flags & IRF_SEG_LIMIT) { /* a scratch register, free (and unsaved) in the stub */
        lin = alloc_reg(k, false);
        lock(k, lin);
    }
    Stub *p = hold_access(k) ? bk_new_stub(k, STUB_PROBE) : NULL;
    Stub *s = bk_new_stub(k, STUB_ST);
    capture_stub_state(k, s, op);
    s->off_reg = (int8_t)ro;
    s->val_reg = (int8_t)rv;
    s->imm = op->imm2;
    s->size = op->size;
    s->site = &k->tb->sites[op->imm];
    s->hold_reg = k->hold_reg;
    if (p) {
        emit_held_access(k, op, p, s, ro, rv);
    } else {
        bk_emit_tlb_lookup(k, op, ro, lin, s, true);
        note_window_access(k, op, cb->p);
        if (op->flags & (IRF_SEG_FLAT | IRF_SEG_LIMIT))
            bk_emit_access(k, op, access_mem(k, lin), rv);
    }
    end_of_access(k, p, s);
}

static void emit_guard(Bk *k, const IrOp *op)
{
    int ra = use(k, op->a);
    Stub *s = bk_new_stub(k, op->opc == IR_BAIL ? STUB_INTERP : STUB_GUARD);
    capture_stub_state(k, s, op);
    s->imm = op->imm2;
    s->eip = k->in->fe ? k->in->fe->insns[op->insn].eip : 0;
    int cc = emit_compare(k, (IrCond)op->cond, ra, -1, op->imm);
    stub_entry(s, x_jcc_fwd(&k->cb, cc));
}

/* ---- calls ---------------------------------------------------------------------------------------- */

/* Empties the caller-saved registers before a call: guest registers are written back if
 * dirty (and dropped when `drop_guests` or they sit in a caller-saved register), live
 * temporaries move to a free callee-saved register or a spill slot. */
static void prepare_call(Bk *k, bool drop_guests)
{
    static const int8_t callee[] = {X_RBX, X_R12, X_R13, X_R14};
    for (int r = 0; r < 16; r++) {
        IrVal v = k->rf.val[r];
        if (v == IR_NOVAL)
            continue;
        bool caller = BK_CALLER_SAVED & (1u << r);
        if (ir_is_global(v)) {
            if (drop_guests || caller || is_cc(v)) /* helpers read the flag fields */
                spill_reg(k, r);
            continue;
        }
        if (!caller)
            continue;
        if (v == IR_HOLD || k->last_use[tix(v)] < k->cur) { /* dead already */
            unbind(k, r);
            continue;
        }
        int to = -1;
        for (unsigned i = 0; i < 4 && to < 0; i++)
            if (reg_free(k, callee[i]))
                to = callee[i];
        if (to >= 0) {
            if (k->rf.val[to] != IR_NOVAL)
                unbind(k, to);
            x_mov_rr(&k->cb, 4, to, r);
            unbind(k, r);
            bind(k, to, v);
        } else {
            spill_reg(k, r);
        }
    }
}

static void load_arg(Bk *k, int host, IrVal v)
{
    int r = bk_reg_of(k, v);
    if (r >= 0)
        x_mov_rr(&k->cb, 4, host, r);
    else if (ir_is_global(v))
        x_load(&k->cb, 4, host, xmem(X_RBP, HOME(v)));
    else
        x_load(&k->cb, 4, host, slot_mem(k->tslot[tix(v)]));
}

/* The flag helpers read only the lazy-flag fields (stored before the call) and take at
 * most one argument: they go through a thunk that keeps every register (R10 carries the
 * argument and the result), so the block's registers stay where they are. */
static bool call_light(Bk *k, const IrOp *op)
{
    const void *fn = k->ir->helpers[op->imm];
    uint8_t *thunk = fn == (const void *)jit_helper_get_cf       ? k->j->light_get_cf
                     : fn == (const void *)jit_helper_cond        ? k->j->light_cond
                     : fn == (const void *)jit_helper_arith_flags ? k->j->light_arith
                                                                   : NULL;
    if (!thunk || op->b != IR_NOVAL || op->c != IR_NOVAL || op->d == IR_NOVAL)
        return false;
    if (op->a != IR_NOVAL)
        load_arg(k, X_R10, op->a);
    for (int r = 0; r < 16; r++) { /* the flag fields they read: up to date, kept here */
        IrVal v = k->rf.val[r];
        if (is_cc(v) && (k->rf.dirty & (1u << v))) {
            store_global(k, r, v);
            k->rf.dirty &= (uint16_t)~(1u << v);
        }
    }
    x_call(&k->cb, thunk);
    int rd = alloc_reg(k, ir_is_global(op->d));
    x_mov_rr(&k->cb, 4, rd, X_R10);
    set_result(k, op->d, rd);
    return true;
}

static void emit_call(Bk *k, const IrOp *op)
{
    k->locked = 0;
    if (call_light(k, op))
        return;
    prepare_call(k, false);
    if (op->a != IR_NOVAL)
        load_arg(k, X_RSI, op->a);
    if (op->b != IR_NOVAL)
        load_arg(k, X_RDX, op->b);
    if (op->c != IR_NOVAL)
        load_arg(k, X_RCX, op->c);
    x_mov_rr(&k->cb, 8, X_RDI, X_RBP);
    x_call(&k->cb, k->ir->helpers[op->imm]);
    if (op->d != IR_NOVAL)
        set_result(k, op->d, X_RAX);
}

static void emit_handler(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    k->locked = 0;
    prepare_call(k, true);
    bk_emit_icount_sync(k, op->insn); /* the handler retires its instruction itself */
    x_mov_rr(cb, 8, X_RDI, X_RBP);
    const JitInsnRec *rec = k->in->rec_of ? k->in->rec_of[op->insn] : NULL;
    if (!rec) {
        k->failed = true; /* cannot happen: new_block made one for every IR_HANDLER */
        return;
    }
    x_mov_ri64(cb, X_RSI, (uint64_t)(uintptr_t)rec);
    x_call(cb, rec->insn.len ? (const void *)jit_helper_exec_insn
                             : (const void *)jit_helper_exec_fetch);
    set_result(k, op->d, X_RAX);
}

static void emit_exit_if(Bk *k, const IrOp *op)
{
    int ra = use(k, op->a);
    Stub *s = bk_new_stub(k, STUB_EXIT);
    s->rf = k->rf;
    s->insn = op->insn;
    x_test_rr(&k->cb, 4, ra, ra);
    stub_entry(s, x_jcc_fwd(&k->cb, XC_NE));
}

/* ---- control flow inside the block --------------------------------------------------------------- */

static void emit_brcc(Bk *k, const IrOp *op)
{
    bool imm = op->flags & IRF_IMM;
    bool fused = k->flags_fused; /* the host flags of the op before say it */
    k->flags_fused = false;      /* (for this branch only) */
    int ra = use(k, op->a);
    int rb = imm ? -1 : use(k, op->b);
    int cc = fused ? x_cc_of[op->cond] : emit_compare(k, (IrCond)op->cond, ra, rb, op->imm);
    LabelState *l = &k->labels[op->imm2];
    uint8_t *field = x_jcc_fwd(&k->cb, cc);
    if (l->nfields == 0 && field)
        l->fields[l->nfields++] = field;
    else
        k->failed = true; /* one branch per label */
    Stub where; /* where the sync list's values are now: the taken path stores them */
    bk_capture_syncs(k, &where, op->aux);
    l->sync_first = where.sync_first;
    l->sync_count = where.sync_count;
    /* The branch's operands die here on both paths; release them before the snapshot. */
    k->locked = 0;
    ir_op_uses(k->ir, op, release_use, k);
    if (!l->have_state) {
        if (k->npool >= BK_MAX_LABEL_STATES) {
            k->failed = true;
            return;
        }
        l->tslot = k->tslot_pool[k->npool++];
        memcpy(l->tslot, k->tslot, sizeof(int16_t) * k->ir->ntemps);
        l->rf = k->rf;
        l->slots_used = k->slots_used;
        l->have_state = true;
    }
}

static void emit_label(Bk *k, const IrOp *op)
{
    LabelState *l = &k->labels[op->imm];
    for (unsigned i = 0; i < l->nfields; i++)
        x_patch_rel32(l->fields[i], k->cb.p);
    if (!l->have_state)
        return; /* no branch reaches it */
    k->rf = l->rf;
    k->slots_used = l->slots_used;
    memcpy(k->tslot, l->tslot, sizeof(int16_t) * k->ir->ntemps);
    for (unsigned t = 0; t < k->ir->ntemps; t++)
        k->tloc[t] = -1;
    k->hold_reg = -1; /* a page hold lives on the path it started on only */
    for (int r = 0; r < 16; r++) {
        if (is_temp(k->rf.val[r]))
            k->tloc[tix(k->rf.val[r])] = (int8_t)r;
        else if (k->rf.val[r] == IR_HOLD)
            k->rf.val[r] = IR_NOVAL;
    }
    k->dead = false;
    k->label_code = k->cb.p;
    k->label_field = l->nfields == 1 ? l->fields[0] : NULL;
    unsigned how = SYNC_TO_REGISTERS;
    const IrOp *next = k->cur + 1 < k->ir->nops ? &k->ir->ops[k->cur + 1] : NULL;
    if (k->flags_tail && next && next->opc == IR_EXIT_TB && (next->flags & IRF_LOOP)) {
        how |= SYNC_NO_FLAGS; /* the back edge's bail stub stores them */
        k->back_sync_first = l->sync_first;
        k->back_sync_count = l->sync_count;
    }
    bk_emit_sync_list(k, l->sync_first, l->sync_count, how);
}

static void emit_exit(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    int target = -1;
    if (op->opc == IR_EXIT_INDIRECT) {
        target = use(k, op->a);
        x_store(cb, 4, xmem(X_RBP, ENV(eip)), target);
    }
    if (op->opc == IR_EXIT_TB && (op->flags & IRF_LOOP) && k->looping) {
        bk_emit_loop_back(k, op);
        k->dead = true;
        return;
    }
    bk_writeback_dirty(k, &k->rf);
    if (op->insn < k->tb->ninsns) /* a side exit: give back the charge of the rest */
        x_alu_ri(cb, XA_ADD, 8, BK_BUDGET, k->tb->ninsns - op->insn);
    if (op->opc == IR_EXIT_TB) {
        bk_emit_exit_tb(k, op);
    } else if (op->opc == IR_EXIT_INDIRECT) {
        bk_emit_exit_indirect(k, target);
    } else {
        if (op->flags & IRF_IMM)
            x_store_imm(cb, 4, xmem(X_RBP, ENV(eip)), op->imm);
        x_jmp(cb, k->j->epilogue_zero);
    }
    k->dead = true;
}

/* ---- driver ---------------------------------------------------------------------------------------- */

static void note_use(IrVal v, void *arg)
{
    Bk *k = arg;
    if (is_temp(v))
        k->last_use[tix(v)] = (uint16_t)k->cur;
}

static void note_loop_guest(IrVal v, void *arg)
{
    Bk *k = arg;
    if (ir_is_global(v))
        k->loop_guests |= (uint16_t)(1u << v);
}

/* The last op of the loop body: the latest branch into a back edge (a label followed by
 * an exit to the block's own start), or a back edge on the main path; -1 if none. */
static int loop_body_end(const IrBlock *ir)
{
    int end = -1;
    for (unsigned i = 1; i < ir->nops; i++) {
        const IrOp *op = &ir->ops[i];
        if (op->opc != IR_EXIT_TB || !(op->flags & IRF_LOOP))
            continue;
        if (ir->ops[i - 1].opc != IR_LABEL) {
            end = (int)i > end ? (int)i : end;
            continue;
        }
        for (unsigned j = 0; j < i; j++)
            if (ir->ops[j].opc == IR_BRCC && ir->ops[j].imm2 == ir->ops[i - 1].imm)
                end = (int)j > end ? (int)j : end;
    }
    return end;
}

/* The globals a loop body reads or writes, the lazy-flag fields it stores among them. */
static void find_loop_guests(Bk *k, int end)
{
    k->loop_guests = 0;
    for (int i = 0; i <= end; i++) {
        const IrOp *op = &k->ir->ops[i];
        ir_op_uses(k->ir, op, note_loop_guest, k);
        if (ir_op_defines(op))
            note_loop_guest(op->d, k);
        IrVal g = IR_NOVAL;
        if (op->opc == IR_ST_ENV && op->size == 4)
            g = ir_global_at(op->imm);
        note_loop_guest(g, k);
        if (op->opc == IR_BRCC && op->aux != IR_NO_SYNC) { /* a back edge's flags */
            const IrSyncList *l = &k->ir->lists[op->aux];
            for (unsigned s = 0; s < l->count; s++)
                note_loop_guest(ir_global_at(k->ir->syncs[l->first + s].off), k);
        }
    }
}

/* The charge of the first back edge of the IR (most loops have one), just before the
 * head: a back edge that needs no register moves jumps there (or its branch does), so an
 * iteration takes one taken branch, not a branch to a stub and a jump back. The block's
 * entry jumps over it. */
static void emit_pre_head(Bk *k)
{
    unsigned n = 0;
    for (unsigned i = 0; i < k->ir->nops && !n; i++)
        if (k->ir->ops[i].opc == IR_EXIT_TB && (k->ir->ops[i].flags & IRF_LOOP))
            n = k->ir->ops[i].insn;
    if (!n)
        return;
    uint8_t *skip = x_jmp_fwd(&k->cb);
    k->pre_head = k->cb.p;
    k->pre_head_n = n;
    x_alu_ri(&k->cb, XA_SUB, 8, BK_BUDGET, n);
    k->pre_head_jb = x_jcc_fwd(&k->cb, XC_B);
    if (skip)
        x_patch_rel32(skip, k->cb.p);
}

/* The guest registers some op of the loop body (ops 0..end) writes. */
static uint16_t gprs_written(const IrBlock *ir, int end)
{
    uint16_t w = 0;
    for (int i = 0; i <= end; i++) {
        const IrOp *op = &ir->ops[i];
        if (ir_op_defines(op) && op->d < IR_NGPRS)
            w |= (uint16_t)(1u << op->d);
    }
    return w;
}

/* A block that jumps back to its own start becomes a loop: every global its loop body
 * uses (the guest registers, and the lazy-flag fields it sets) is loaded once, at the loop
 * head, and stays in its host register from one iteration to the next. Those the body
 * writes (and the flag fields) count as dirty, so every real exit writes them back; a
 * guest register the body only reads still equals its home at every exit. */
static void setup_loop(Bk *k)
{
    k->looping = false;
    k->flags_tail = false;
    k->recipe_upto = -1;
    k->loop_guests = 0;
    if (k->ctx->no_chain)
        return;
    int end = loop_body_end(k->ir);
    if (end < 0)
        return;
    k->looping = true;
    find_loop_guests(k, end);
    bk_plan_loop_flags(k, end);
    /* The flag fields only while enough registers stay for the body's temporaries (and
     * never in a loop that leaves them to its bail stubs). */
    uint16_t cc = (uint16_t)(((1u << IR_NGLOBALS) - 1) & ~((1u << IR_NGPRS) - 1));
    if (k->flags_tail || __builtin_popcount(k->loop_guests) > BK_LOOP_MAX_GUESTS)
        k->loop_guests &= (uint16_t)~cc;
    if (k->flags_tail && k->recipe_upto >= 0) { /* first pass or not: R15 tells */
        k->flags_entry_slot = slot_alloc(k);
        x_store(&k->cb, 8, slot_mem(k->flags_entry_slot), BK_BUDGET);
    }
    uint16_t written = gprs_written(k->ir, end);
    for (int r = 0; r < 16; r++) { /* the head state names only what the loop keeps */
        IrVal v = k->rf.val[r];
        if (ir_is_global(v) && !(k->loop_guests & (1u << v)))
            unbind(k, r); /* (clean: from the warm entry) */
    }
    for (IrVal g = 0; g < IR_NGLOBALS; g++) {
        if (!(k->loop_guests & (1u << g)))
            continue;
        int r = bk_reg_of(k, g); /* (a guest register from the warm entry stays there) */
        if (r < 0) {
            r = alloc_reg(k, true);
            x_load(&k->cb, 4, r, xmem(X_RBP, HOME(g)));
            k->rf.val[r] = g;
        }
        if (is_cc(g) || (written & (1u << g)))
            k->rf.dirty |= (uint16_t)(1u << g);
    }
    k->head_rf = k->rf;
    emit_pre_head(k);
    k->loop_head = k->cb.p;
}

static void emit_op(Bk *k, const IrOp *op)
{
    switch (op->opc) {
    case IR_NOP: case IR_INSN: break;
    case IR_MOV: case IR_MOVI: emit_mov(k, op); break;
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_SHL:
    case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR: case IR_MUL:
        emit_binop(k, op);
        break;
    case IR_MULHU: case IR_MULHS: emit_mulh(k, op); break;
    case IR_ADDR: emit_addr(k, op); break;
    case IR_DIVU: emit_divu(k, op); break;
    case IR_NEG: case IR_NOT: case IR_EXT: case IR_PARITY: emit_unary(k, op); break;
    case IR_DEP: emit_dep(k, op); break;
    case IR_SETCC: emit_setcc(k, op); break;
    case IR_SELNZ: emit_selnz(k, op); break;
    case IR_LD_ENV: case IR_ST_ENV: emit_env(k, op); break;
    case IR_TSC: emit_tsc(k, op); break;
    case IR_LD: emit_ld(k, op); break;
    case IR_ST: emit_st(k, op); break;
    case IR_GUARD: case IR_BAIL: emit_guard(k, op); break;
    case IR_CALL: emit_call(k, op); break;
    case IR_HANDLER: emit_handler(k, op); break;
    case IR_EXIT_IF: emit_exit_if(k, op); break;
    case IR_BRCC: emit_brcc(k, op); break;
    case IR_LABEL: emit_label(k, op); break;
    case IR_EXIT_TB: case IR_EXIT_INDIRECT: case IR_EXIT: emit_exit(k, op); break;
    default: k->failed = true; break;
    }
}

static Bk *bk_scratch(void)
{
    static Bk bk;
    return &bk;
}

BackendResult backend_gen(JitState *j, const BackendInput *in)
{
    Bk *k = bk_scratch();
    const IrBlock *ir = in->ir;
    k->j = j;
    k->ir = ir;
    k->ctx = in->ctx;
    k->tb = in->tb;
    k->in = in;
    k->cb = (CodeBuf){j->cache_ptr, j->cache_ptr, j->cache + j->cache_size, false};
    k->window = jit_window_for(j, in->ctx);
    memset(&k->rf, 0, sizeof k->rf);
    for (int r = 0; r < 16; r++)
        k->rf.val[r] = IR_NOVAL;
    k->slots_used = 0;
    k->nstubs = k->nsyncloc = k->npool = 0;
    k->dead = k->failed = false;
    k->flags_fused = false;
    k->hold_reg = -1;
    k->hold_id = 0;
    k->pre_head = k->pre_head_jb = k->label_code = k->label_field = NULL;
    for (unsigned t = 0; t < ir->ntemps; t++) {
        k->tloc[t] = -1;
        k->tslot[t] = -1;
        k->last_use[t] = 0;
    }
    for (unsigned i = 0; i < ir->nlabels; i++) {
        k->labels[i].nfields = 0;
        k->labels[i].have_state = false;
    }
    for (k->cur = 0; k->cur < ir->nops; k->cur++)
        ir_op_uses(ir, &ir->ops[k->cur], note_use, k);

    /* The cold entry loads the guest registers into their canonical registers; the warm
     * entry, where other blocks jump, finds them there, clean (their homes are current). */
    if (!k->ctx->no_chain) {
        for (IrVal g = 0; g < IR_NGPRS; g++) {
            x_load(&k->cb, 4, bk_canon[g], xmem(X_RBP, HOME(g)));
            k->rf.val[bk_canon[g]] = g;
        }
    }
    uint8_t *warm = k->cb.p;
    bk_emit_prologue(k);
    k->cur = 0;
    setup_loop(k);
    bk_plan_holds(k);
    for (k->cur = 0; k->cur < ir->nops && !k->failed; k->cur++) {
        const IrOp *op = &ir->ops[k->cur];
        if (k->dead && op->opc != IR_LABEL)
            continue;
        k->locked = 0;
        if (op->opc != IR_MOV && op->opc != IR_NOP && op->opc != IR_INSN && op->opc != IR_BRCC)
            k->flags_fused = false; /* only copies may come between a fused op and its branch */
        emit_op(k, op);
        k->locked = 0;
        if (op->opc != IR_BRCC)
            ir_op_uses(ir, op, release_use, k);
    }
    if (k->pre_head_jb) { /* no back edge took the pre-head: it is never reached */
        Stub *s = bk_new_stub(k, STUB_LOOP_BAIL);
        s->rf = k->head_rf;
        s->imm = k->tb->eip;
        if (s->njf < STUB_MAX_ENTRIES)
            s->jf[s->njf++] = k->pre_head_jb;
    }
    bk_emit_stubs(k);
    if (k->cb.overflow)
        return BK_CACHE_FULL;
    if (k->failed)
        return BK_TOO_BIG;
    in->tb->code = k->cb.start;
    in->tb->warm = warm;
    in->tb->code_size = (uint32_t)(k->cb.p - k->cb.start);
    uintptr_t next = ((uintptr_t)k->cb.p + 15) & ~(uintptr_t)15;
    j->cache_ptr = (uint8_t *)next;
    return BK_OK;
}
