/* backend_x86_64_stubs.c — the out-of-line parts of a block (slow paths of guest memory
 * accesses, guards, conditional exits, the budget bail-out), block exits with their
 * patchable chaining jumps, and the enter/return trampolines at the start of the cache. */
#include <stddef.h>
#include <string.h>

#include "cpu/flags.h"
#include "translator/backend_x86_64.h"

#define ENV(field) ((int32_t)offsetof(CpuState, field))

static Stub dummy_stub;
static void move_to_canon(Bk *k);

Stub *bk_new_stub(Bk *k, StubKind kind)
{
    Stub *s = &dummy_stub;
    if (k->nstubs < BK_MAX_STUBS)
        s = &k->stubs[k->nstubs++];
    else
        k->failed = true;
    memset(s, 0, sizeof *s);
    s->kind = (uint8_t)kind;
    s->off_reg = s->val_reg = s->dst_reg = s->hold_reg = -1;
    return s;
}

/* Records where each value of a sync list lives at the op, for the stub to store. */
void bk_capture_syncs(Bk *k, Stub *s, uint16_t list)
{
    s->sync_first = (uint16_t)k->nsyncloc;
    s->sync_count = 0;
    if (list == IR_NO_SYNC)
        return;
    const IrSyncList *l = &k->ir->lists[list];
    for (unsigned i = 0; i < l->count; i++) {
        const IrSync *sy = &k->ir->syncs[l->first + i];
        if (k->nsyncloc >= BK_MAX_SYNCLOC) {
            k->failed = true;
            return;
        }
        SyncLoc *sl = &k->syncloc[k->nsyncloc++];
        s->sync_count++;
        sl->kind = sy->kind;
        sl->off = sy->off;
        sl->reg = -1;
        if (sy->kind == IRS_ST32I) {
            sl->loc = LOC_IMM;
            sl->where = sy->imm;
            continue;
        }
        int r = bk_reg_of(k, sy->v);
        if (r >= 0) {
            sl->loc = LOC_REG;
            sl->reg = (int8_t)r;
        } else if (ir_is_global(sy->v)) {
            sl->loc = LOC_ENV;
            sl->where = (uint32_t)ir_global_home(sy->v);
        } else {
            sl->loc = LOC_SLOT;
            sl->where = (uint32_t)k->tslot[sy->v - IR_FIRST_TEMP];
        }
    }
}

/* Performs a resolved sync list. A stub stores every field (after writing back the dirty
 * globals, so these newer values win); a label going on with the block's code instead
 * assigns a lazy-flag global that sits in a host register (a loop keeps the flags there). */
void bk_emit_sync_list(Bk *k, unsigned first, unsigned count, unsigned how)
{
    CodeBuf *cb = &k->cb;
    for (unsigned i = 0; i < count; i++) {
        const SyncLoc *sl = &k->syncloc[first + i];
        XMem dst = xmem(X_RBP, sl->off);
        IrVal g = (how & SYNC_TO_REGISTERS) && sl->kind != IRS_EFLAGS ? ir_global_at(sl->off)
                                                                       : IR_NOVAL;
        if ((how & SYNC_NO_FLAGS) && (sl->kind == IRS_EFLAGS || ir_global_at(sl->off) != IR_NOVAL))
            continue;
        if (sl->loc == LOC_IMM) {
            if (!bk_assign_global(k, g, -1, sl->where))
                x_store_imm(cb, 4, dst, sl->where);
            continue;
        }
        int r = sl->reg;
        if (sl->loc == LOC_SLOT) {
            x_load(cb, 4, X_R10, xmem(X_RSP, 8 * (int32_t)sl->where));
            r = X_R10;
        } else if (sl->loc == LOC_ENV) {
            x_load(cb, 4, X_R10, xmem(X_RBP, (int32_t)sl->where));
            r = X_R10;
        }
        if (sl->kind == IRS_ST32) {
            if (!bk_assign_global(k, g, r, 0))
                x_store(cb, 4, dst, r);
        } else { /* IRS_EFLAGS */
            x_load(cb, 4, X_R11, dst);
            x_alu_ri(cb, XA_AND, 4, X_R11, ~FL_ARITH);
            x_alu_rr(cb, XA_OR, 4, X_R11, r);
            x_store(cb, 4, dst, X_R11);
        }
    }
}

/* cpu->icount = base - budget - (instructions of this block not retired yet). */
void bk_emit_icount_sync(Bk *k, unsigned retired)
{
    CodeBuf *cb = &k->cb;
    x_load(cb, 8, X_R10, xmem(X_RSP, BK_BASE_SLOT));
    x_alu_rr(cb, XA_SUB, 8, X_R10, BK_BUDGET);
    if (retired < k->tb->ninsns)
        x_alu_ri(cb, XA_SUB, 8, X_R10, k->tb->ninsns - retired);
    x_store(cb, 8, xmem(X_RBP, ENV(icount)), X_R10);
}

/* Everything a slow path must leave in CpuState before it may fault or exit: dirty guest
 * registers, pending lazy flags, and the retired-instruction count. */
static void stub_state(Bk *k, const Stub *s)
{
    bk_writeback_dirty(k, &s->rf);
    bk_emit_sync_list(k, s->sync_first, s->sync_count, 0);
    if (s->recipe)
        bk_emit_flag_recipe(k);
}

static void stub_sync(Bk *k, const Stub *s)
{
    stub_state(k, s);
    bk_emit_icount_sync(k, s->insn);
}

/* A load or store slow path: registers and pending flags to CpuState, then the shared
 * thunk (R10 = offset, R11 = value to store; the site pointer follows the call), which
 * returns past the pointer with a load's value in R10, or leaves to the interpreter. */
static void emit_stub_mem(Bk *k, const Stub *s)
{
    CodeBuf *cb = &k->cb;
    stub_state(k, s);
    ((JitMemSite *)s->site)->pending = (uint8_t)(k->tb->ninsns - s->insn);
    x_mov_rr(cb, 4, X_R10, s->off_reg);
    if (s->kind == STUB_ST && s->val_reg >= 0)
        x_mov_rr(cb, 4, X_R11, s->val_reg);
    else if (s->kind == STUB_ST)
        x_mov_ri(cb, X_R11, s->imm);
    x_call(cb, s->kind == STUB_ST ? k->j->slow_st : k->j->slow_ld);
    if (x_room(cb))
        x_q(cb, (uint64_t)(uintptr_t)s->site);
    if (s->kind == STUB_LD)
        x_mov_rr(cb, 4, s->dst_reg, X_R10);
    if (s->hold_reg >= 0) /* the helper may have changed the TLB: the run looks up again */
        x_alu_rr(cb, XA_XOR, 4, s->hold_reg, s->hold_reg);
    x_jmp(cb, s->ret);
}

static void emit_stub(Bk *k, const Stub *s)
{
    CodeBuf *cb = &k->cb;
    for (unsigned i = 0; i < s->njf; i++)
        x_patch_rel32(s->jf[i], cb->p);
    switch (s->kind) {
    case STUB_PROBE: /* a held access with the hold at 0: the ordinary lookup */
        bk_emit_tlb_lookup(k, s->op, s->off_reg, s->off_reg, s->slow, s->op->opc == IR_ST);
        bk_emit_access(k, s->op, xmem_idx(X_R10, s->off_reg, 0, 0), s->dst_reg);
        x_jmp(cb, s->ret);
        break;
    case STUB_LD:
    case STUB_ST:
        ((JitMemSite *)s->site)->stub_off = (uint32_t)(cb->p - cb->start);
        emit_stub_mem(k, s);
        break;
    case STUB_GUARD:
        stub_sync(k, s);
        x_mov_rr(cb, 8, X_RDI, X_RBP);
        x_mov_ri(cb, X_RSI, s->eip);
        x_mov_ri(cb, X_RDX, s->imm);
        x_call(cb, (const void *)jit_helper_raise); /* does not return */
        break;
    case STUB_INTERP: /* the interpreter runs this instruction */
        stub_sync(k, s);
        x_store_imm(cb, 4, xmem(X_RBP, ENV(eip)), s->eip);
        x_jmp(cb, k->j->epilogue_interp);
        break;
    case STUB_EXIT:
        stub_sync(k, s);
        x_jmp(cb, k->j->epilogue_zero_raw);
        break;
    case STUB_LOOP_BAIL: /* no budget for one more iteration: leave at the loop head */
        x_alu_ri(cb, XA_ADD, 8, BK_BUDGET, k->tb->ninsns);
        bk_writeback_dirty(k, &s->rf);
        bk_emit_sync_list(k, s->sync_first, s->sync_count, 0); /* a flag-tail loop's flags */
        x_store_imm(cb, 4, xmem(X_RBP, ENV(eip)), s->imm);
        x_jmp(cb, k->j->epilogue_zero);
        break;
    default: /* STUB_BAIL: not enough budget left for this block: give its charge back */
        x_alu_ri(cb, XA_ADD, 8, BK_BUDGET, k->tb->ninsns);
        x_store_imm(cb, 4, xmem(X_RBP, ENV(eip)), s->imm);
        x_jmp(cb, k->j->epilogue_zero);
        break;
    }
}

void bk_emit_stubs(Bk *k)
{
    for (unsigned i = 0; i < k->nstubs && !k->cb.overflow; i++)
        emit_stub(k, &k->stubs[i]);
}

/* Budget check: a block runs only if all its instructions fit in the remaining budget
 * (chained entries included), so icount stays exact at every timer deadline. */
void bk_emit_prologue(Bk *k)
{
    CodeBuf *cb = &k->cb;
    x_alu_ri(cb, XA_SUB, 8, BK_BUDGET, k->tb->ninsns);
    Stub *s = bk_new_stub(k, STUB_BAIL);
    s->imm = k->tb->eip;
    if (s != &dummy_stub)
        s->jf[s->njf++] = x_jcc_fwd(cb, XC_B);
}

/* Leaves through the jump cache (cpu->eip is stored, everything else written back): the
 * entry for the linear EIP must be a block of this mode and CS, and the TLB's execute
 * translation of that EIP must still lead to the block's page (its host copy, which also
 * identifies the physical page); otherwise back to the dispatcher. The EIP comes from
 * eip_reg when one holds it, else it is the constant eip_imm: reloading the field just
 * stored would put a store-to-load forwarding delay before the lookup. */
static void emit_lookup_jump(Bk *k, int eip_reg, uint32_t eip_imm)
{
    /* (the canonical moves may overwrite eip_reg: R11 keeps it meanwhile) */
    CodeBuf *cb = &k->cb;
    JitState *j = k->j;
    if (k->ctx->no_chain) {
        x_jmp(cb, j->epilogue_zero);
        return;
    }
    int32_t tlb = ENV(tlb.e) + (jm_cpl(k->ctx->mode) == 3 ? (int32_t)(TLB_SIZE * sizeof(TlbEntry)) : 0);
    if (eip_reg >= 0)
        x_mov_rr(cb, 4, X_R11, eip_reg);
    move_to_canon(k);
    if (eip_reg < 0)                                           /* lin */
        x_mov_ri(cb, X_RAX, eip_imm + k->ctx->cs_base);
    else
        x_lea(cb, 4, X_RAX, xmem(X_R11, (int32_t)k->ctx->cs_base));
    x_mov_rr(cb, 4, X_RCX, X_RAX);
    x_shift_ri(cb, XS_SHR, 4, X_RCX, JIT_JC_BITS);
    x_alu_rr(cb, XA_XOR, 4, X_RCX, X_RAX);
    x_alu_ri(cb, XA_AND, 4, X_RCX, (1u << JIT_JC_BITS) - 1); /* jc_hash(lin) */
    x_mov_ri64(cb, X_RDX, (uint64_t)(uintptr_t)j->jcache);
    x_load(cb, 8, X_RDX, xmem_idx(X_RDX, X_RCX, 3, 0));
    x_test_rr(cb, 8, X_RDX, X_RDX);
    x_jcc(cb, XC_E, j->epilogue_jc_miss);
    x_alu_rm(cb, XA_CMP, 4, X_RAX, xmem(X_RDX, (int32_t)offsetof(TransBlock, lin)));
    x_jcc(cb, XC_NE, j->epilogue_jc_miss);
    x_alu_mi(cb, XA_CMP, 4, xmem(X_RDX, (int32_t)offsetof(TransBlock, mode)), k->ctx->mode);
    x_jcc(cb, XC_NE, j->epilogue_jc_miss);
    x_alu_mi(cb, XA_CMP, 4, xmem(X_RDX, (int32_t)offsetof(TransBlock, cs_base)), k->ctx->cs_base);
    x_jcc(cb, XC_NE, j->epilogue_jc_miss);
    x_alu_mi(cb, XA_CMP, 4, xmem(X_RDX, (int32_t)offsetof(TransBlock, cs_limit)), k->ctx->cs_limit);
    x_jcc(cb, XC_NE, j->epilogue_jc_miss);
    x_mov_rr(cb, 4, X_R10, X_RAX);
    x_shift_ri(cb, XS_SHR, 4, X_R10, 12 - 5);
    x_alu_ri(cb, XA_AND, 4, X_R10, (TLB_SIZE - 1) << 5);
    x_alu_ri(cb, XA_AND, 4, X_RAX, PAGE_MASK);
    x_alu_rm(cb, XA_CMP, 4, X_RAX, xmem_idx(X_RBP, X_R10, 0, tlb + (int32_t)offsetof(TlbEntry, tag_exec)));
    x_jcc(cb, XC_NE, j->epilogue_jc_miss);
    /* the host page the TLB maps this EIP to must be the block's */
    x_load(cb, 8, X_R11, xmem_idx(X_RBP, X_R10, 0, tlb + (int32_t)offsetof(TlbEntry, addend)));
    x_alu_rr(cb, XA_ADD, 8, X_R11, X_RAX);
    x_alu_rm(cb, XA_CMP, 8, X_R11, xmem(X_RDX, (int32_t)offsetof(TransBlock, host_page)));
    x_jcc(cb, XC_NE, j->epilogue_jc_miss);
    x_rm(cb, 0xFF, 4, 4, xmem(X_RDX, (int32_t)offsetof(TransBlock, warm))); /* jmp [rdx+warm] */
}

void bk_emit_exit_tb(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    uint32_t target = op->imm;
    JitExitSlot *es = &k->tb->exits[op->aux < k->tb->nexits ? op->aux : 0];
    es->tb = k->tb;
    es->target_eip = target;
    es->jmp_field = NULL;
    /* Chain only within the block's own page: the mapping of that page is what brought us
     * here, so a target in it is at the physical address the chain assumes. */
    bool same_page = ((k->ctx->cs_base + target) & PAGE_MASK) == (k->ctx->lin & PAGE_MASK);
    if (k->ctx->no_chain || !same_page) {
        x_store_imm(cb, 4, xmem(X_RBP, ENV(eip)), target);
        emit_lookup_jump(k, -1, target);
        return;
    }
    move_to_canon(k);
    es->jmp_field = x_jmp(cb, cb->p + 5); /* falls through until chained */
    es->unchained = cb->p;
    x_store_imm(cb, 4, xmem(X_RBP, ENV(eip)), target);
    x_mov_ri64(cb, X_RAX, (uint64_t)(uintptr_t)es);
    x_jmp(cb, k->j->epilogue);
}

/* A parallel move of globals into host registers: global g (with dst[g] >= 0) goes from
 * wherever k->rf holds it to dst[g] (R10 breaks cycles); one held in no register is loaded
 * from its home, which must then be current. */
static void parallel_move(Bk *k, const int *dst)
{
    CodeBuf *cb = &k->cb;
    int src[IR_NGLOBALS];
    for (IrVal g = 0; g < IR_NGLOBALS; g++) {
        src[g] = -1;
        if (dst[g] < 0)
            continue;
        for (int r = 0; r < 16; r++)
            if (k->rf.val[r] == g && (src[g] < 0 || r == dst[g]))
                src[g] = r;
    }
    for (bool progress = true; progress;) {
        progress = false;
        bool pending = false;
        for (IrVal g = 0; g < IR_NGLOBALS; g++) {
            if (dst[g] < 0 || src[g] < 0 || src[g] == dst[g])
                continue;
            pending = true;
            bool blocked = false; /* is dst[g] still the source of another move? */
            for (IrVal h = 0; h < IR_NGLOBALS; h++)
                if (h != g && dst[h] >= 0 && src[h] == dst[g] && src[h] != dst[h])
                    blocked = true;
            if (blocked)
                continue;
            x_mov_rr(cb, 4, dst[g], src[g]);
            src[g] = dst[g];
            progress = true;
        }
        if (!progress && pending) { /* a cycle: park one source in R10 */
            for (IrVal g = 0; g < IR_NGLOBALS; g++)
                if (dst[g] >= 0 && src[g] >= 0 && src[g] != dst[g]) {
                    x_mov_rr(cb, 4, X_R10, src[g]);
                    src[g] = X_R10;
                    progress = true;
                    break;
                }
        }
    }
    for (IrVal g = 0; g < IR_NGLOBALS; g++)
        if (dst[g] >= 0 && src[g] < 0)
            x_load(cb, 4, dst[g], xmem(X_RBP, ir_global_home(g)));
}

/* Brings every loop guest register into its host register of the loop head (guests
 * written back and dropped since are reloaded). */
static void move_to_head(Bk *k)
{
    int dst[IR_NGLOBALS];
    for (IrVal g = 0; g < IR_NGLOBALS; g++) {
        dst[g] = -1;
        if (!(k->loop_guests & (1u << g)))
            continue;
        for (int r = 0; r < 16; r++)
            if (k->head_rf.val[r] == g)
                dst[g] = r;
    }
    parallel_move(k, dst);
}

/* Before a jump to another block's warm entry (everything written back): the guest
 * registers into their canonical host registers, where that entry expects them. */
static void move_to_canon(Bk *k)
{
    if (k->ctx->no_chain)
        return; /* (its exits never enter another block) */
    int dst[IR_NGLOBALS];
    for (IrVal g = 0; g < IR_NGLOBALS; g++)
        dst[g] = g < IR_NGPRS ? bk_canon[g] : -1;
    parallel_move(k, dst);
}

/* Is every loop global already in its head register (move_to_head would emit nothing)? */
static bool at_head(const Bk *k)
{
    for (IrVal g = 0; g < IR_NGLOBALS; g++) {
        if (!(k->loop_guests & (1u << g)))
            continue;
        for (int r = 0; r < 16; r++)
            if (k->head_rf.val[r] == g && k->rf.val[r] != g)
                return false;
    }
    return true;
}

/* The back edge of a looping block: registers to their head positions, charge this
 * iteration's instructions (the head's charge covered the whole block once), and go round
 * again unless the budget ran out. */
/* The stub a back edge leaves through when the budget cannot pay for one more iteration;
 * entered by the branch `jb` (NULL: none yet). */
static void loop_bail_stub(Bk *k, const IrOp *op, const RegFile *rf, uint8_t *jb)
{
    Stub *s = bk_new_stub(k, STUB_LOOP_BAIL);
    s->rf = *rf;
    s->imm = k->tb->eip;
    s->insn = op->insn;
    if (k->flags_tail) { /* the flags the label left out, from where the branch left them */
        s->sync_first = k->back_sync_first;
        s->sync_count = k->back_sync_count;
    }
    if (s != &dummy_stub && jb)
        s->jf[s->njf++] = jb;
}

void bk_emit_loop_back(Bk *k, const IrOp *op)
{
    CodeBuf *cb = &k->cb;
    if (k->pre_head_jb && op->insn == k->pre_head_n && at_head(k)) {
        loop_bail_stub(k, op, &k->rf, k->pre_head_jb); /* entered from the pre-head */
        k->pre_head_jb = NULL;
        if (k->label_field && cb->p == k->label_code) /* the label's branch goes there itself */
            x_patch_rel32(k->label_field, k->pre_head);
        else
            x_jmp(cb, k->pre_head);
        return;
    }
    if (!k->flags_tail)
        move_to_head(k);
    x_alu_ri(cb, XA_SUB, 8, BK_BUDGET, op->insn);
    loop_bail_stub(k, op, k->flags_tail ? &k->rf : &k->head_rf, x_jcc_fwd(cb, XC_B));
    if (k->flags_tail)
        move_to_head(k);
    x_jmp(cb, k->loop_head);
}

void bk_emit_exit_indirect(Bk *k, int target_reg)
{
    emit_lookup_jump(k, target_reg, 0); /* (the caller has stored it to cpu->eip too) */
}

/* The shared part of every load or store slow path, called from a block's stub with
 * R10 = offset, R11 = value (stores) and the JitMemSite pointer in the 8 bytes after the
 * call. It saves the caller-saved registers (7 pushes and the return address keep RSP
 * 16-byte aligned), calls the helper with the icount of everything charged so far
 * (base - budget: the helper subtracts what the site has not retired), and returns past
 * the pointer with a load's value in R10, or, when the helper says the interpreter must
 * run the instruction, drops the return address and leaves (CpuState is complete). */
static uint8_t *emit_slow_thunk(CodeBuf *cb, JitState *j, bool store)
{
    static const int8_t saved[] = {X_RAX, X_RCX, X_RDX, X_RSI, X_RDI, X_R8, X_R9};
    uint8_t *start = cb->p;
    for (unsigned i = 0; i < 7; i++)
        x_push(cb, saved[i]);
    const int32_t frame = 8 * 8; /* the pushes and the return address: the block's RSP */
    x_mov_rr(cb, 8, X_RDI, X_RBP);
    x_mov_rr(cb, 4, X_RSI, X_R10);
    x_mov_rr(cb, 4, X_RDX, X_R11);
    x_load(cb, 8, X_RCX, xmem(X_RSP, frame - 8));
    x_load(cb, 8, X_RCX, xmem(X_RCX, 0));
    x_load(cb, 8, X_R8, xmem(X_RSP, frame + BK_BASE_SLOT));
    x_alu_rr(cb, XA_SUB, 8, X_R8, BK_BUDGET);
    x_call(cb, store ? (const void *)jit_helper_store : (const void *)jit_helper_load);
    x_mov_rr(cb, 8, X_R10, X_RAX);
    for (unsigned i = 7; i-- > 0;)
        x_pop(cb, saved[i]);
    uint8_t *to_abort;
    if (store) {
        x_test_rr(cb, 4, X_R10, X_R10);
        to_abort = x_jcc_fwd(cb, XC_NE);
    } else {
        x_bt_ri(cb, 8, X_R10, 32); /* bit 32: leave and interpret this instruction */
        to_abort = x_jcc_fwd(cb, XC_B);
    }
    x_alu_mi(cb, XA_ADD, 8, xmem(X_RSP, 0), 8); /* return past the site pointer */
    x_ret(cb);
    if (to_abort)
        x_patch_rel32(to_abort, cb->p);
    x_alu_ri(cb, XA_ADD, 8, X_RSP, 8);
    x_jmp(cb, j->epilogue_interp);
    return start;
}

/* fn(cpu, R10) with every allocatable register kept; the result comes back in R10. */
static uint8_t *emit_light_thunk(CodeBuf *cb, const void *fn)
{
    static const int8_t saved[] = {X_RAX, X_RCX, X_RDX, X_RSI, X_RDI, X_R8, X_R9};
    uint8_t *start = cb->p;
    for (unsigned i = 0; i < 7; i++) /* with the return address: RSP 16-byte aligned */
        x_push(cb, saved[i]);
    x_mov_rr(cb, 8, X_RDI, X_RBP);
    x_mov_rr(cb, 4, X_RSI, X_R10);
    x_call(cb, fn);
    x_mov_rr(cb, 4, X_R10, X_RAX);
    for (unsigned i = 7; i-- > 0;)
        x_pop(cb, saved[i]);
    x_ret(cb);
    return start;
}

/* `cmp r11d, op; jne <next case>`: the start of one case of the CF thunk. */
static uint8_t *cf_case(CodeBuf *cb, uint32_t op)
{
    x_alu_ri(cb, XA_CMP, 4, X_R11, op);
    return x_jcc_fwd(cb, XC_NE);
}

/* R10 = FL_CF if the host's CF is set: R10 was zeroed by a mov (flags kept) before. */
static void cf_ret(CodeBuf *cb, uint8_t *next)
{
    x_setcc(cb, XC_B, X_R10);
    x_ret(cb);
    x_patch_rel32(next, cb->p);
}

/* CF as the get_cf helper gives it (FL_CF or 0 in R10; R11 and the host flags clobbered),
 * reading the lazy record in CpuState without a call for the records a block head meets
 * most (Linux boot: SUB32 30M, SBB32 17M, DEC32 7M, LOGIC 4M, SUB8 0.6M, ADD32 0.3M): the
 * host computes the carry of the same operation. Other records go to `slow`. An SBB
 * record's borrow-in, (src1 - src2 - res), is 0 or 1 in every record an instruction
 * leaves, which the host's SBB takes as CF. */
static uint8_t *emit_get_cf_thunk(CodeBuf *cb, uint8_t *slow)
{
    uint8_t *start = cb->p, *next;
    x_load(cb, 4, X_R11, xmem(X_RBP, ENV(cc_op)));
    next = cf_case(cb, CC_OP(CC_BASE_SUB, 4));
    x_load(cb, 4, X_R11, xmem(X_RBP, ENV(cc_src1)));
    x_mov_ri(cb, X_R10, 0);
    x_alu_rm(cb, XA_CMP, 4, X_R11, xmem(X_RBP, ENV(cc_src2)));
    cf_ret(cb, next);
    next = cf_case(cb, CC_OP(CC_BASE_SBB, 4));
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(cc_src1)));
    x_alu_rm(cb, XA_SUB, 4, X_R10, xmem(X_RBP, ENV(cc_src2)));
    x_alu_rm(cb, XA_SUB, 4, X_R10, xmem(X_RBP, ENV(cc_res)));
    x_unary(cb, 3, 4, X_R10); /* neg: CF = borrow-in != 0 */
    x_mov_ri(cb, X_R10, 0);
    x_load(cb, 4, X_R11, xmem(X_RBP, ENV(cc_src1)));
    x_alu_rm(cb, XA_SBB, 4, X_R11, xmem(X_RBP, ENV(cc_src2)));
    cf_ret(cb, next);
    /* INC/DEC of every size (the last six cc_ops): the CF before them, kept in src2. */
    x_lea(cb, 4, X_R10, xmem(X_R11, -(int32_t)CC_OP(CC_BASE_INC, 1)));
    x_alu_ri(cb, XA_CMP, 4, X_R10, CC_OP(CC_BASE_DEC, 4) - CC_OP(CC_BASE_INC, 1));
    next = x_jcc_fwd(cb, XC_A);
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(cc_src2)));
    x_alu_ri(cb, XA_AND, 4, X_R10, FL_CF);
    x_ret(cb);
    x_patch_rel32(next, cb->p);
    /* LOGIC of every size: CF = 0. */
    x_lea(cb, 4, X_R10, xmem(X_R11, -(int32_t)CC_OP(CC_BASE_LOGIC, 1)));
    x_alu_ri(cb, XA_CMP, 4, X_R10, 2);
    next = x_jcc_fwd(cb, XC_A);
    x_alu_rr(cb, XA_XOR, 4, X_R10, X_R10);
    x_ret(cb);
    x_patch_rel32(next, cb->p);
    next = cf_case(cb, CC_OP(CC_BASE_SUB, 1));
    x_load(cb, 4, X_R11, xmem(X_RBP, ENV(cc_src1)));
    x_mov_ri(cb, X_R10, 0);
    x_alu_rm(cb, XA_CMP, 1, X_R11, xmem(X_RBP, ENV(cc_src2)));
    cf_ret(cb, next);
    next = cf_case(cb, CC_OP(CC_BASE_ADD, 4));
    x_load(cb, 4, X_R11, xmem(X_RBP, ENV(cc_res)));
    x_mov_ri(cb, X_R10, 0);
    x_alu_rm(cb, XA_CMP, 4, X_R11, xmem(X_RBP, ENV(cc_src1)));
    cf_ret(cb, next);
    next = cf_case(cb, CC_OP_EFLAGS);
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(eflags)));
    x_alu_ri(cb, XA_AND, 4, X_R10, FL_CF);
    x_ret(cb);
    x_patch_rel32(next, cb->p);
    x_jmp(cb, slow);
    return start;
}

/* R10 = the host's OF SF ZF AF PF CF (pushfq; pop) masked by `mask`, then return. */
static void arith_ret(CodeBuf *cb, uint32_t mask)
{
    if (x_room(cb))
        x_b(cb, 0x9C); /* pushfq */
    x_pop(cb, X_R10);
    x_alu_ri(cb, XA_AND, 4, X_R10, mask);
    x_ret(cb);
}

/* One INC/DEC case of the arith thunk: step the result back (`undo`, the /n of opcode FF)
 * and again (`redo`), so the host's OF SF ZF AF PF are the guest's; CF from src2. */
static void incdec_case(CodeBuf *cb, unsigned base, unsigned undo, unsigned redo)
{
    uint8_t *next = cf_case(cb, CC_OP(base, 4));
    x_load(cb, 4, X_R11, xmem(X_RBP, ENV(cc_src2)));
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(cc_res)));
    x_rr(cb, 0xFF, 4, undo, X_R10);
    x_rr(cb, 0xFF, 4, redo, X_R10);
    if (x_room(cb))
        x_b(cb, 0x9C); /* pushfq */
    x_pop(cb, X_R10);
    x_alu_ri(cb, XA_AND, 4, X_R10, FL_ARITH & ~FL_CF);
    x_alu_ri(cb, XA_AND, 4, X_R11, FL_CF);
    x_alu_rr(cb, XA_OR, 4, X_R10, X_R11);
    x_ret(cb);
    x_patch_rel32(next, cb->p);
}

/* The six arithmetic flags as the arith_flags helper gives them (R10; R11 and the host
 * flags clobbered), without a call for the 32-bit records the shift-by-CL and PUSHF paths
 * meet most (Linux boot: INC 2.7M, LOGIC 2.3M, DEC 0.3M, ADD 0.15M, SUB 0.08M): the host
 * redoes the operation on the recorded values and its own flags are the guest's (same bit
 * positions). INC/DEC: the step back and again (DEC then INC of the result) gives their
 * OF, AF, SF, ZF, PF and leaves CF, taken from src2. Other records go to `slow`. */
static uint8_t *emit_arith_thunk(CodeBuf *cb, uint8_t *slow)
{
    uint8_t *start = cb->p, *next;
    x_load(cb, 4, X_R11, xmem(X_RBP, ENV(cc_op)));
    incdec_case(cb, CC_BASE_INC, 1, 0); /* dec r10d, then inc r10d */
    next = cf_case(cb, CC_OP(CC_BASE_LOGIC, 4));
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(cc_res)));
    x_test_rr(cb, 4, X_R10, X_R10);
    arith_ret(cb, FL_SF | FL_ZF | FL_PF); /* CF = OF = 0, AF reads as 0 */
    x_patch_rel32(next, cb->p);
    incdec_case(cb, CC_BASE_DEC, 0, 1); /* inc r10d, then dec r10d */
    next = cf_case(cb, CC_OP(CC_BASE_ADD, 4));
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(cc_src1)));
    x_alu_rm(cb, XA_ADD, 4, X_R10, xmem(X_RBP, ENV(cc_src2)));
    arith_ret(cb, FL_ARITH);
    x_patch_rel32(next, cb->p);
    next = cf_case(cb, CC_OP(CC_BASE_SUB, 4));
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(cc_src1)));
    x_alu_rm(cb, XA_CMP, 4, X_R10, xmem(X_RBP, ENV(cc_src2)));
    arith_ret(cb, FL_ARITH);
    x_patch_rel32(next, cb->p);
    next = cf_case(cb, CC_OP_EFLAGS);
    x_load(cb, 4, X_R10, xmem(X_RBP, ENV(eflags)));
    x_alu_ri(cb, XA_AND, 4, X_R10, FL_ARITH);
    x_ret(cb);
    x_patch_rel32(next, cb->p);
    x_jmp(cb, slow);
    return start;
}

bool bk_emit_trampolines(JitState *j)
{
    CodeBuf cb = {j->cache, j->cache, j->cache + j->cache_size, false};
    static const int8_t saved[] = {X_RBX, X_RBP, X_R12, X_R13, X_R14, X_R15};
    j->enter = (JitEnterFn)(void *)cb.p;
    for (unsigned i = 0; i < 6; i++)
        x_push(&cb, saved[i]);
    x_alu_ri(&cb, XA_SUB, 8, X_RSP, BK_FRAME);
    x_mov_rr(&cb, 8, X_RBP, X_RDI);
    x_load(&cb, 8, BK_BUDGET, xmem(X_RBP, ENV(icount_limit))); /* budget = limit - icount */
    x_store(&cb, 8, xmem(X_RSP, BK_BASE_SLOT), BK_BUDGET);
    x_alu_rm(&cb, XA_SUB, 8, BK_BUDGET, xmem(X_RBP, ENV(icount)));
    x_jmp_reg(&cb, X_RSI);

    /* Leaving with every instruction charged so far retired: icount = base - budget. */
    j->epilogue = cb.p;
    x_load(&cb, 8, X_R10, xmem(X_RSP, BK_BASE_SLOT));
    x_alu_rr(&cb, XA_SUB, 8, X_R10, BK_BUDGET);
    x_store(&cb, 8, xmem(X_RBP, ENV(icount)), X_R10);
    uint8_t *raw = cb.p; /* icount already in CpuState */
    x_alu_ri(&cb, XA_ADD, 8, X_RSP, BK_FRAME);
    for (unsigned i = 6; i-- > 0;)
        x_pop(&cb, saved[i]);
    x_ret(&cb);

    j->epilogue_zero = cb.p;
    x_alu_rr(&cb, XA_XOR, 4, X_RAX, X_RAX);
    x_jmp(&cb, j->epilogue);

    j->epilogue_zero_raw = cb.p;
    x_alu_rr(&cb, XA_XOR, 4, X_RAX, X_RAX);
    x_jmp(&cb, raw);

    j->epilogue_interp = cb.p; /* from slow paths: icount already synced */
    x_mov_ri(&cb, X_RAX, JIT_RET_INTERP);
    x_jmp(&cb, raw);

    j->epilogue_jc_miss = cb.p;
    x_mov_ri64(&cb, X_RAX, (uint64_t)(uintptr_t)&j->stats.jc_misses);
    x_alu_mi(&cb, XA_ADD, 8, xmem(X_RAX, 0), 1);
    x_jmp(&cb, j->epilogue_zero);

    j->slow_ld = emit_slow_thunk(&cb, j, false);
    j->slow_st = emit_slow_thunk(&cb, j, true);
    uint8_t *get_cf_slow = emit_light_thunk(&cb, (const void *)jit_helper_get_cf);
    j->light_get_cf = emit_get_cf_thunk(&cb, get_cf_slow);
    j->light_cond = emit_light_thunk(&cb, (const void *)jit_helper_cond);
    uint8_t *arith_slow = emit_light_thunk(&cb, (const void *)jit_helper_arith_flags);
    j->light_arith = emit_arith_thunk(&cb, arith_slow);
    if (cb.overflow)
        return false;
    j->cache_body = (uint8_t *)(((uintptr_t)cb.p + 63) & ~(uintptr_t)63);
    j->cache_ptr = j->cache_body;
    return true;
}

bool backend_init(JitState *j) { return bk_emit_trampolines(j); }
