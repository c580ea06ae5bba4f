/* backend_x86_64_loopflags.c — loops that do not carry the lazy flags from one iteration to
 * the next.
 *
 * A looping block normally keeps the four lazy-flag fields in host registers and moves the
 * iteration's flags into them at every back edge (four moves per iteration, for loops of
 * four or five guest instructions). Most loops never look at those flags: the body sets
 * its own before anything could see the old ones. What can see them is narrow: the branch
 * that leaves at the back edge when the budget runs out, and the slow paths (a TLB miss, a
 * window fault, a guard) of ops before the body's first flag-setting instruction. In "flag
 * tail" mode the back edge leaves the flags where they are (the budget bail-out stub stores
 * them from where the branch left them), and each such early slow path rebuilds them from
 * a recipe: the back edge's flags as constants and guest registers the body has not
 * changed yet (cc_res = EDX - 0x30D40, cc_src1 = EDX, ...). On the loop's first pass the
 * flags in CpuState are still the ones from before the loop, which a slow path tells by
 * R15: it equals the budget saved when the block was entered only then (every back edge
 * charges at least one instruction).
 */
#include <stddef.h>
#include <string.h>

#include "translator/backend_x86_64.h"

#define ENV(field) ((int32_t)offsetof(CpuState, field))

static bool is_flag_field(uint32_t off, unsigned size)
{
    uint32_t lo = (uint32_t)ENV(cc_op), hi = (uint32_t)ENV(cc_src2) + 4;
    return off < hi && off + size > lo;
}

static bool is_flag_global(IrVal v) { return v >= IR_NGPRS && v < IR_NGLOBALS; }

/* Does sync list `list` set the flags (0), leave them alone (1), or half (-1)? */
static int flag_coverage(const IrBlock *ir, uint16_t list)
{
    if (list == IR_NO_SYNC)
        return 1;
    const IrSyncList *l = &ir->lists[list];
    bool op = false, other = false;
    for (unsigned i = 0; i < l->count; i++) {
        const IrSync *s = &ir->syncs[l->first + i];
        if (s->kind == IRS_EFLAGS)
            other = true;
        else if (s->off == (uint16_t)ENV(cc_op))
            op = true;
        else if (is_flag_field(s->off, 4))
            other = true;
    }
    return op ? 0 : other ? -1 : 1;
}

/* Is global g assigned by any op in [from, to]? */
static bool redefined(const IrBlock *ir, IrVal g, int from, int to)
{
    for (int i = from; i <= to; i++)
        if (ir_op_defines(&ir->ops[i]) && ir->ops[i].d == g)
            return true;
    return false;
}

/* t = MOV g at op i, then g = g + / - imm once before the branch br: t = g - / + imm. */
static bool old_value_of(const IrBlock *ir, const IrOp *mov, int i, int br, FlagRecipe *r)
{
    IrVal g = mov->a;
    if (!ir_is_global(g) || g >= IR_NGPRS)
        return false;
    int step = -1;
    for (int j = i + 1; j <= br; j++) {
        const IrOp *op = &ir->ops[j];
        if (!ir_op_defines(op) || op->d != g)
            continue;
        if (step >= 0 || (op->opc != IR_ADD && op->opc != IR_SUB) || op->a != g ||
            !(op->flags & IRF_IMM))
            return false;
        step = j;
    }
    if (step < 0) {
        r->kind = FR_GLOBAL;
        r->g = g;
        return true;
    }
    r->kind = FR_OP_IMM;
    r->g = g;
    r->opc = ir->ops[step].opc == IR_ADD ? IR_SUB : IR_ADD;
    r->imm = ir->ops[step].imm;
    return true;
}

/* One flag value of the back edge at op `br` as a recipe over guest registers that hold the
 * same values at the loop head; false if it is not one. */
static bool recipe_of(const IrBlock *ir, const IrSync *s, int br, FlagRecipe *r)
{
    r->off = s->off;
    if (s->kind == IRS_ST32I) {
        r->kind = FR_IMM;
        r->imm = s->imm;
        return true;
    }
    if (s->kind != IRS_ST32)
        return false;
    if (ir_is_global(s->v)) {
        r->kind = FR_GLOBAL;
        r->g = s->v;
        return s->v < IR_NGPRS;
    }
    for (int i = br - 1; i >= 0; i--) {
        const IrOp *op = &ir->ops[i];
        if (!ir_op_defines(op) || op->d != s->v)
            continue;
        if (op->opc == IR_MOV) /* the old value of a register stepped since (SUB ECX,1) */
            return old_value_of(ir, op, i, br, r);
        if (op->opc != IR_ADD && op->opc != IR_SUB && op->opc != IR_AND && op->opc != IR_OR &&
            op->opc != IR_XOR)
            return false;
        if (!ir_is_global(op->a) || op->a >= IR_NGPRS || redefined(ir, op->a, i + 1, br))
            return false;
        r->opc = op->opc;
        r->g = op->a;
        if (op->flags & IRF_IMM) {
            r->kind = FR_OP_IMM;
            r->imm = op->imm;
            return true;
        }
        r->kind = FR_OP_GLOBAL;
        r->g2 = op->b;
        return ir_is_global(op->b) && op->b < IR_NGPRS && !redefined(ir, op->b, i + 1, br);
    }
    return false;
}

/* Decides the mode for a loop whose body is ops 0..end (backend_x86_64.c's setup_loop). */
void bk_plan_loop_flags(Bk *k, int end)
{
    const IrBlock *ir = k->ir;
    k->flags_tail = false;
    k->recipe_upto = -1;
    k->nrecipe = 0;
    int back_edge = -1, nback = 0;
    for (int i = 0; i <= end; i++) {
        const IrOp *op = &ir->ops[i];
        switch (op->opc) {
        case IR_CALL: case IR_HANDLER: case IR_EXIT_IF: case IR_EXIT_TB: case IR_EXIT_INDIRECT:
        case IR_EXIT: case IR_LABEL: case IR_TSC:
            return;
        case IR_LD_ENV: case IR_ST_ENV:
            if (is_flag_field(op->imm, op->size))
                return;
            break;
        default:
            break;
        }
        if (is_flag_global(op->a) || is_flag_global(op->b) || is_flag_global(op->c) ||
            (ir_op_defines(op) && is_flag_global(op->d)))
            return;
        bool synced = op->opc == IR_LD || op->opc == IR_ST || op->opc == IR_GUARD ||
                      op->opc == IR_BAIL || op->opc == IR_BRCC;
        if (!synced)
            continue;
        int cov = flag_coverage(ir, op->aux);
        if (cov < 0)
            return;
        const IrOp *target = NULL;
        if (op->opc == IR_BRCC)
            for (unsigned j = (unsigned)i + 1; j + 1 < ir->nops && !target; j++)
                if (ir->ops[j].opc == IR_LABEL && ir->ops[j].imm == op->imm2)
                    target = &ir->ops[j + 1];
        if (op->opc == IR_BRCC) {
            if (cov != 0)
                return; /* its path would leave with the old flags */
            if (target && target->opc == IR_EXIT_TB && (target->flags & IRF_LOOP)) {
                back_edge = i;
                nback++;
            }
            continue;
        }
        if (cov == 1)
            k->recipe_upto = i; /* its slow path sees the old flags */
    }
    /* Every back edge must be a branch to a label (the main path's own back edge would
     * store its flags inline). */
    for (unsigned i = (unsigned)end + 1; i < ir->nops; i++)
        if (ir->ops[i].opc == IR_EXIT_TB && (ir->ops[i].flags & IRF_LOOP) &&
            ir->ops[i - 1].opc != IR_LABEL)
            return;
    if (!nback)
        return;
    if (k->recipe_upto >= 0) {
        if (nback != 1)
            return;
        const IrSyncList *l = &ir->lists[ir->ops[back_edge].aux];
        for (unsigned i = 0; i < l->count; i++) {
            const IrSync *s = &ir->syncs[l->first + i];
            if (!is_flag_field(s->off, 4) && s->kind != IRS_EFLAGS)
                continue;
            FlagRecipe *r = &k->recipe[k->nrecipe];
            if (k->nrecipe >= 4 || !recipe_of(ir, s, back_edge, r))
                return;
            if ((r->kind != FR_IMM && redefined(ir, r->g, 0, k->recipe_upto)) ||
                (r->kind == FR_OP_GLOBAL && redefined(ir, r->g2, 0, k->recipe_upto)))
                return;
            k->nrecipe++;
        }
    }
    k->flags_tail = true;
}

/* Does the slow path of the current op (LD/ST/GUARD/BAIL) rebuild the old flags? */
bool bk_needs_recipe(const Bk *k, const IrOp *op)
{
    return k->flags_tail && (int)k->cur <= k->recipe_upto && flag_coverage(k->ir, op->aux) == 1;
}

/* In a slow path of an op up to recipe_upto, after the guest registers were written back:
 * unless this is the loop's first pass, CpuState's flags become the previous iteration's. */
void bk_emit_flag_recipe(Bk *k)
{
    CodeBuf *cb = &k->cb;
    x_alu_rm(cb, XA_CMP, 8, BK_BUDGET, xmem(X_RSP, 8 * k->flags_entry_slot));
    uint8_t *first = x_jcc_fwd(cb, XC_E);
    for (unsigned i = 0; i < k->nrecipe; i++) {
        const FlagRecipe *r = &k->recipe[i];
        XMem dst = xmem(X_RBP, r->off);
        if (r->kind == FR_IMM) {
            x_store_imm(cb, 4, dst, r->imm);
            continue;
        }
        x_load(cb, 4, X_R10, xmem(X_RBP, ir_global_home(r->g)));
        if (r->kind == FR_OP_IMM) {
            x_alu_ri(cb, bk_alu_of[r->opc], 4, X_R10, r->imm);
        } else if (r->kind == FR_OP_GLOBAL) {
            x_load(cb, 4, X_R11, xmem(X_RBP, ir_global_home(r->g2)));
            x_alu_rr(cb, bk_alu_of[r->opc], 4, X_R10, X_R11);
        }
        x_store(cb, 4, dst, X_R10);
    }
    if (first)
        x_patch_rel32(first, cb->p);
}
