/* backend_x86_64_hold.c — page holds: one TLB lookup for a run of guest accesses off one
 * unchanged base register.
 *
 * Compiled code reads its stack frame as [EBP - 0x10], [EBP - 0x28], ... many times per
 * block; each access alone costs the inline TLB lookup (nine host instructions, three
 * loads). A page hold plans, before the block is emitted, runs of flat-segment accesses
 * whose address is one guest register plus a constant, with that register unchanged and
 * nothing between them that could change the TLB (calls, handlers, exits). At the run's
 * first access the head checks once that the whole span [base + lo, base + hi] lies in one
 * page and that the page's TLB entry allows every kind of access the run makes; it leaves
 * the entry's addend in a host register (the hold), or 0 when a check fails. Each access of
 * the run is then `test hold; jz probe; mov [hold + address]`; a zero hold sends it to a
 * probe stub that does the ordinary lookup. A slow path that returns into the block (it
 * may have refilled or changed the TLB) zeroes the hold, so what the run reads is always
 * what the ordinary lookup would read at that point.
 */
#include <stddef.h>
#include <string.h>

#include "translator/backend_x86_64.h"

#define ENV(field) ((int32_t)offsetof(CpuState, field))
#define HOLD_MIN_ACCESSES 3 /* fewer do not pay for the head */

/* An access the planner can place: flat segment, address = global + constant. */
static bool hold_address(const Bk *k, const IrOp *op, const uint16_t *gver, IrVal *base,
                         int32_t *disp)
{
    if ((op->opc != IR_LD && op->opc != IR_ST) || !(op->flags & IRF_SEG_FLAT))
        return false;
    if (ir_is_global(op->a) && op->a < IR_NGPRS) {
        *base = op->a;
        *disp = 0;
        return true;
    }
    if (op->a < IR_FIRST_TEMP || op->a == IR_NOVAL)
        return false;
    unsigned t = op->a - IR_FIRST_TEMP;
    if (k->hold_tbase[t] == IR_NOVAL || k->hold_tver[t] != gver[k->hold_tbase[t]])
        return false;
    *base = k->hold_tbase[t];
    *disp = k->hold_tdisp[t];
    return true;
}

static bool hold_barrier(const IrOp *op)
{
    switch (op->opc) {
    case IR_CALL: case IR_HANDLER: case IR_LABEL: case IR_EXIT_TB: case IR_EXIT_INDIRECT:
    case IR_EXIT: case IR_EXIT_IF:
        return true;
    default:
        return false;
    }
}

/* Ends the run open on base g: a run too short to pay is forgotten. */
static void close_run(Bk *k, int *open, IrVal g)
{
    int h = open[g];
    open[g] = -1;
    if (h < 0)
        return;
    PageHold *ph = &k->holds[h];
    if (ph->count >= HOLD_MIN_ACCESSES)
        return;
    for (unsigned i = ph->head; i <= ph->last; i++)
        if (k->hold_of[i] == h + 1)
            k->hold_of[i] = 0;
}

void bk_plan_holds(Bk *k)
{
    const IrBlock *ir = k->ir;
    k->nholds = 0;
    memset(k->hold_of, 0, sizeof(uint16_t) * ir->nops);
    if (k->window) /* host-window blocks need no lookup */
        return;
    uint16_t gver[IR_NGLOBALS] = {0};
    int open[IR_NGLOBALS];
    for (unsigned g = 0; g < IR_NGLOBALS; g++)
        open[g] = -1;
    for (unsigned t = 0; t < ir->ntemps; t++)
        k->hold_tbase[t] = IR_NOVAL;
    for (unsigned i = 0; i < ir->nops; i++) {
        const IrOp *op = &ir->ops[i];
        if (hold_barrier(op))
            for (IrVal g = 0; g < IR_NGLOBALS; g++)
                close_run(k, open, g);
        IrVal g;
        int32_t disp;
        if (hold_address(k, op, gver, &g, &disp)) {
            int32_t lo = disp, hi = disp + (int32_t)op->size - 1;
            bool user = op->flags & IRF_USER;
            int h = open[g];
            if (h >= 0) {
                PageHold *ph = &k->holds[h];
                int32_t nlo = lo < ph->lo ? lo : ph->lo, nhi = hi > ph->hi ? hi : ph->hi;
                if (ph->user != user || (int64_t)nhi - nlo >= PAGE_SIZE) {
                    close_run(k, open, g);
                    h = -1;
                } else {
                    ph->lo = nlo;
                    ph->hi = nhi;
                }
            }
            if (h < 0 && k->nholds < BK_MAX_HOLDS) {
                h = open[g] = (int)k->nholds++;
                k->holds[h] = (PageHold){.head = (uint16_t)i, .base = g, .lo = lo, .hi = hi,
                                         .user = user};
            }
            if (h >= 0) {
                PageHold *ph = &k->holds[h];
                ph->last = (uint16_t)i;
                ph->count++;
                ph->write |= op->opc == IR_ST;
                ph->read |= op->opc == IR_LD;
                k->hold_of[i] = (uint16_t)(h + 1);
            }
        }
        if (!ir_op_defines(op))
            continue;
        if (ir_is_global(op->d)) {
            close_run(k, open, op->d);
            gver[op->d]++;
        } else if ((op->opc == IR_ADD || op->opc == IR_SUB) && (op->flags & IRF_IMM) &&
                   ir_is_global(op->a) && op->a < IR_NGPRS) {
            unsigned t = op->d - IR_FIRST_TEMP;
            k->hold_tbase[t] = op->a;
            k->hold_tver[t] = gver[op->a];
            k->hold_tdisp[t] = op->opc == IR_ADD ? (int32_t)op->imm : -(int32_t)op->imm;
        }
    }
    for (IrVal g = 0; g < IR_NGLOBALS; g++)
        close_run(k, open, g);
}

/* The head: hold = the TLB addend of the page holding base + lo .. base + hi when one
 * entry allows all the run's accesses, else 0. R10 and R11 are scratch. */
void bk_emit_hold_head(Bk *k, const PageHold *ph, int base_reg, int hold)
{
    CodeBuf *cb = &k->cb;
    int32_t tlb = ENV(tlb.e) + (ph->user ? (int32_t)(TLB_SIZE * sizeof(TlbEntry)) : 0);
    uint8_t *skip[4];
    unsigned nskip = 0;
    x_alu_rr(cb, XA_XOR, 4, hold, hold);
    x_lea(cb, 4, X_R10, xmem(base_reg, ph->lo));
    x_lea(cb, 4, X_R11, xmem(base_reg, ph->hi));
    x_alu_rr(cb, XA_XOR, 4, X_R11, X_R10);
    x_test_ri(cb, 4, X_R11, PAGE_MASK);
    skip[nskip++] = x_jcc_fwd(cb, XC_NE); /* the span crosses a page */
    x_mov_rr(cb, 4, X_R11, X_R10);
    x_shift_ri(cb, XS_SHR, 4, X_R11, 12 - 5);
    x_alu_ri(cb, XA_AND, 4, X_R11, (TLB_SIZE - 1) << 5);
    x_alu_ri(cb, XA_AND, 4, X_R10, PAGE_MASK);
    if (ph->read) {
        x_alu_rm(cb, XA_CMP, 4, X_R10,
                 xmem_idx(X_RBP, X_R11, 0, tlb + (int32_t)offsetof(TlbEntry, tag_read)));
        skip[nskip++] = x_jcc_fwd(cb, XC_NE);
    }
    if (ph->write) {
        x_alu_rm(cb, XA_CMP, 4, X_R10,
                 xmem_idx(X_RBP, X_R11, 0, tlb + (int32_t)offsetof(TlbEntry, tag_write)));
        skip[nskip++] = x_jcc_fwd(cb, XC_NE);
    }
    x_load(cb, 8, hold, xmem_idx(X_RBP, X_R11, 0, tlb + (int32_t)offsetof(TlbEntry, addend)));
    for (unsigned i = 0; i < nskip; i++)
        if (skip[i])
            x_patch_rel32(skip[i], cb->p);
}
