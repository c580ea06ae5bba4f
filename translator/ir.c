/* ir.c — building, optimising and printing IR blocks (see ir.h). */
#include "translator/ir.h"

#include <stddef.h>
#include <string.h>

#include "cpu/cpu_state.h"

static const int32_t cc_home[IR_NGLOBALS - IR_NGPRS] = {
    (int32_t)offsetof(CpuState, cc_op), (int32_t)offsetof(CpuState, cc_res),
    (int32_t)offsetof(CpuState, cc_src1), (int32_t)offsetof(CpuState, cc_src2)};

int32_t ir_global_home(IrVal g)
{
    if (g < IR_NGPRS)
        return (int32_t)(offsetof(CpuState, gpr) + 8 * g);
    return cc_home[g - IR_NGPRS];
}

IrVal ir_global_at(uint32_t off)
{
    for (IrVal g = IR_NGPRS; g < IR_NGLOBALS; g++)
        if ((uint32_t)cc_home[g - IR_NGPRS] == off)
            return g;
    return IR_NOVAL;
}

void ir_reset(IrBlock *b)
{
    b->nops = 0;
    b->ntemps = 0;
    b->nsyncs = 0;
    b->nlists = 1; /* list 0: empty */
    b->lists[0].first = 0;
    b->lists[0].count = 0;
    b->nhelpers = 0;
    b->nlabels = 0;
    b->overflow = false;
}

IrVal ir_temp(IrBlock *b)
{
    if (b->ntemps >= IR_MAX_TEMPS - 1) {
        b->overflow = true;
        return IR_FIRST_TEMP; /* any valid value: the block is discarded */
    }
    return (IrVal)(IR_FIRST_TEMP + b->ntemps++);
}

IrOp *ir_emit(IrBlock *b, IrOpc opc)
{
    static IrOp scratch;
    if (b->nops >= IR_MAX_OPS) {
        b->overflow = true;
        memset(&scratch, 0, sizeof scratch);
        return &scratch;
    }
    IrOp *op = &b->ops[b->nops++];
    memset(op, 0, sizeof *op);
    op->opc = (uint8_t)opc;
    op->d = op->a = op->b = op->c = IR_NOVAL;
    return op;
}

unsigned ir_label(IrBlock *b)
{
    if (b->nlabels >= IR_MAX_LABELS) {
        b->overflow = true;
        return 0;
    }
    return b->nlabels++;
}

unsigned ir_helper(IrBlock *b, const void *fn)
{
    for (unsigned i = 0; i < b->nhelpers; i++)
        if (b->helpers[i] == fn)
            return i;
    if (b->nhelpers >= IR_MAX_HELPERS) {
        b->overflow = true;
        return 0;
    }
    b->helpers[b->nhelpers] = fn;
    return b->nhelpers++;
}

void ir_sync_begin(IrBlock *b)
{
    if (b->nlists >= IR_MAX_SYNCLISTS) {
        b->overflow = true;
        b->nlists = IR_MAX_SYNCLISTS - 1;
    }
    b->lists[b->nlists].first = (uint16_t)b->nsyncs;
    b->lists[b->nlists].count = 0;
}

void ir_sync_add(IrBlock *b, IrSyncKind kind, uint16_t off, IrVal v, uint32_t imm)
{
    if (b->nsyncs >= IR_MAX_SYNC) {
        b->overflow = true;
        return;
    }
    b->syncs[b->nsyncs++] = (IrSync){(uint8_t)kind, off, v, imm};
    b->lists[b->nlists].count++;
}

uint16_t ir_sync_end(IrBlock *b)
{
    if (b->lists[b->nlists].count == 0)
        return IR_NO_SYNC;
    return (uint16_t)b->nlists++;
}

/* ---- builders ------------------------------------------------------------------------------ */

IrVal ir_mov(IrBlock *b, IrVal a)
{
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_MOV);
    op->d = d;
    op->a = a;
    return d;
}

IrVal ir_movi(IrBlock *b, uint32_t imm)
{
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_MOVI);
    op->d = d;
    op->imm = imm;
    return d;
}

IrVal ir_binop(IrBlock *b, IrOpc opc, IrVal a, IrVal c)
{
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, opc);
    op->d = d;
    op->a = a;
    op->b = c;
    return d;
}

IrVal ir_binopi(IrBlock *b, IrOpc opc, IrVal a, uint32_t imm)
{
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, opc);
    op->d = d;
    op->a = a;
    op->imm = imm;
    op->flags = IRF_IMM;
    return d;
}

IrVal ir_unop(IrBlock *b, IrOpc opc, IrVal a)
{
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, opc);
    op->d = d;
    op->a = a;
    return d;
}

IrVal ir_ext(IrBlock *b, IrVal a, unsigned size, bool sign)
{
    IrVal d = ir_temp(b);
    IrOp *op = ir_emit(b, IR_EXT);
    op->d = d;
    op->a = a;
    op->size = (uint8_t)size;
    op->flags = sign ? IRF_SIGNED : 0;
    return d;
}

IrVal ir_setcc(IrBlock *b, IrCond cond, IrVal a, IrVal c)
{
    IrVal d = ir_binop(b, IR_SETCC, a, c);
    b->ops[b->nops - 1].cond = (uint8_t)cond;
    return d;
}

IrVal ir_setcci(IrBlock *b, IrCond cond, IrVal a, uint32_t imm)
{
    IrVal d = ir_binopi(b, IR_SETCC, a, imm);
    if (!b->overflow)
        b->ops[b->nops - 1].cond = (uint8_t)cond;
    return d;
}

void ir_assign(IrBlock *b, IrVal d, IrVal a)
{
    if (d == a)
        return;
    IrOp *op = ir_emit(b, IR_MOV);
    op->d = d;
    op->a = a;
}

/* ---- op properties ------------------------------------------------------------------------- */

bool ir_op_defines(const IrOp *op)
{
    switch (op->opc) {
    case IR_MOV: case IR_MOVI: case IR_ADD: case IR_SUB: case IR_AND: case IR_OR:
    case IR_XOR: case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR:
    case IR_MUL: case IR_MULHU: case IR_MULHS: case IR_NEG: case IR_NOT: case IR_EXT:
    case IR_DEP: case IR_SETCC: case IR_SELNZ: case IR_PARITY: case IR_LD_ENV: case IR_LD:
    case IR_CALL: case IR_HANDLER: case IR_TSC: case IR_DIVU: case IR_ADDR:
        return op->d != IR_NOVAL;
    default:
        return false;
    }
}

bool ir_op_has_effects(const IrOp *op)
{
    switch (op->opc) {
    case IR_MOV: case IR_MOVI: case IR_ADD: case IR_SUB: case IR_AND: case IR_OR:
    case IR_XOR: case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR:
    case IR_MUL: case IR_MULHU: case IR_MULHS: case IR_NEG: case IR_NOT: case IR_EXT:
    case IR_DEP: case IR_SETCC: case IR_SELNZ: case IR_PARITY: case IR_LD_ENV: case IR_TSC:
    case IR_DIVU: case IR_ADDR:
        return ir_is_global(op->d);
    case IR_NOP:
        return false;
    default:
        return true; /* loads may fault; everything else changes state or control flow */
    }
}

void ir_op_uses(const IrBlock *b, const IrOp *op, void (*fn)(IrVal v, void *arg), void *arg)
{
    if (op->opc == IR_NOP || op->opc == IR_MOVI || op->opc == IR_LD_ENV || op->opc == IR_LABEL ||
        op->opc == IR_TSC)
        return;
    if (op->a != IR_NOVAL)
        fn(op->a, arg);
    if (op->b != IR_NOVAL && !(op->flags & IRF_IMM))
        fn(op->b, arg);
    if (op->opc == IR_ST_ENV && (op->flags & IRF_IMM))
        return;
    if (op->c != IR_NOVAL)
        fn(op->c, arg);
    /* IR_DEP reads the register it updates through a; nothing else reads d. */
    bool has_sync = op->opc == IR_LD || op->opc == IR_ST || op->opc == IR_GUARD ||
                    op->opc == IR_BAIL || op->opc == IR_BRCC;
    if (has_sync && op->aux != IR_NO_SYNC) {
        const IrSyncList *l = &b->lists[op->aux];
        for (unsigned i = 0; i < l->count; i++) {
            const IrSync *s = &b->syncs[l->first + i];
            if (s->kind != IRS_ST32I)
                fn(s->v, arg);
        }
    }
}

/* ---- copy propagation ------------------------------------------------------------------------ */

typedef struct CopyProp {
    IrVal src[IR_MAX_TEMPS];     /* a temporary that is a copy of src (or IR_NOVAL) */
    uint32_t src_gen[IR_MAX_TEMPS];
    uint32_t gen[IR_NGLOBALS];   /* bumped whenever the guest register is written */
} CopyProp;

static IrVal cp_resolve(const CopyProp *cp, IrVal v)
{
    if (ir_is_global(v) || v == IR_NOVAL)
        return v;
    IrVal s = cp->src[v - IR_FIRST_TEMP];
    if (s == IR_NOVAL)
        return v;
    if (ir_is_global(s) && cp->src_gen[v - IR_FIRST_TEMP] != cp->gen[s])
        return v;
    return s;
}

static void cp_rewrite(IrBlock *b, CopyProp *cp, IrOp *op)
{
    if (op->opc == IR_NOP || op->opc == IR_MOVI || op->opc == IR_LD_ENV || op->opc == IR_LABEL ||
        op->opc == IR_TSC)
        return;
    op->a = cp_resolve(cp, op->a);
    if (!(op->flags & IRF_IMM))
        op->b = cp_resolve(cp, op->b);
    op->c = cp_resolve(cp, op->c);
    bool has_sync = op->opc == IR_LD || op->opc == IR_ST || op->opc == IR_GUARD ||
                    op->opc == IR_BAIL || op->opc == IR_BRCC;
    if (has_sync && op->aux != IR_NO_SYNC) {
        IrSyncList *l = &b->lists[op->aux];
        for (unsigned i = 0; i < l->count; i++) {
            IrSync *s = &b->syncs[l->first + i];
            if (s->kind != IRS_ST32I)
                s->v = cp_resolve(cp, s->v);
        }
    }
}

/* After op has been rewritten: what it tells copy propagation about later ops. */
static void cp_note(CopyProp *cp, const IrOp *op)
{
    if (op->opc == IR_HANDLER || op->opc == IR_LABEL) {
        for (int g = 0; g < IR_NGLOBALS; g++)
            cp->gen[g]++;
    }
    if (!ir_op_defines(op))
        return;
    if (ir_is_global(op->d)) {
        cp->gen[op->d]++;
    } else if (op->opc == IR_MOV) {
        unsigned t = op->d - IR_FIRST_TEMP;
        cp->src[t] = op->a;
        cp->src_gen[t] = ir_is_global(op->a) ? cp->gen[op->a] : 0;
    }
}

/* ---- constants into immediates ------------------------------------------------------------------ */

static bool takes_imm_b(IrOpc opc)
{
    switch (opc) {
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_SHL: case IR_SHR:
    case IR_SAR: case IR_ROL: case IR_ROR: case IR_MUL: case IR_MULHU: case IR_MULHS:
    case IR_SETCC: case IR_BRCC:
        return true;
    default:
        return false;
    }
}

static bool commutes(IrOpc opc)
{
    return opc == IR_ADD || opc == IR_AND || opc == IR_OR || opc == IR_XOR || opc == IR_MUL ||
           opc == IR_MULHU || opc == IR_MULHS;
}

/* Temporaries defined by IR_MOVI are constants (SSA): their uses become immediates where
 * the op has an immediate form, and the IR_MOVI then usually dies. */
typedef struct Consts {
    uint8_t is_const[IR_MAX_TEMPS];
    uint32_t value[IR_MAX_TEMPS];
} Consts;

static void fold_op(IrBlock *b, Consts *k, IrOp *op)
{
#define CONST(v) ((v) != IR_NOVAL && !ir_is_global(v) && k->is_const[(v) - IR_FIRST_TEMP])
#define VALUE(v) k->value[(v) - IR_FIRST_TEMP]
    IrOpc opc = (IrOpc)op->opc;
    if (opc == IR_MOVI && !ir_is_global(op->d)) {
        k->is_const[op->d - IR_FIRST_TEMP] = 1;
        VALUE(op->d) = op->imm;
        return;
    }
    if (takes_imm_b(opc) && !(op->flags & IRF_IMM)) {
        if (commutes(opc) && CONST(op->a) && !CONST(op->b)) {
            IrVal t = op->a;
            op->a = op->b;
            op->b = t;
        }
        if (CONST(op->b)) {
            op->imm = VALUE(op->b);
            op->b = IR_NOVAL;
            op->flags |= IRF_IMM;
        }
    } else if ((opc == IR_ST && CONST(op->b)) || (opc == IR_ST_ENV && CONST(op->a))) {
        IrVal v = opc == IR_ST ? op->b : op->a;
        op->imm2 = VALUE(v);
        op->flags |= IRF_IMM;
        if (opc == IR_ST)
            op->b = IR_NOVAL;
        else
            op->a = IR_NOVAL;
    }
    bool has_sync = opc == IR_LD || opc == IR_ST || opc == IR_GUARD || opc == IR_BAIL ||
                    opc == IR_BRCC;
    if (has_sync && op->aux != IR_NO_SYNC) {
        IrSyncList *l = &b->lists[op->aux];
        for (unsigned i = 0; i < l->count; i++) {
            IrSync *s = &b->syncs[l->first + i];
            if (s->kind == IRS_ST32 && CONST(s->v)) {
                s->kind = IRS_ST32I;
                s->imm = VALUE(s->v);
            }
        }
    }
#undef CONST
#undef VALUE
}

/* ---- address chains ---------------------------------------------------------------------- */

/* Uses of each temporary, sync lists included. */
static void count_use(IrVal v, void *arg)
{
    uint16_t *uses = arg;
    if (!ir_is_global(v) && v != IR_NOVAL && uses[v - IR_FIRST_TEMP] < 0xFFFF)
        uses[v - IR_FIRST_TEMP]++;
}

/* Does op define temporary v, which has exactly one use (the op being fused)? */
static bool feeds_only(const IrOp *op, const uint16_t *uses, IrVal v)
{
    return op->d == v && !ir_is_global(v) && v != IR_NOVAL && uses[v - IR_FIRST_TEMP] == 1;
}

/* The front end computes base + index*scale + displacement as a chain of ops, each on the
 * previous one's temporary: t0 = shl x, #s; t1 = add y, t0; t2 = add t1, #c. Adjacent
 * links (nothing but NOPs between, so no operand can change in between) whose temporary
 * has no other use become one IR_ADDR, which a host computes in one instruction. */
static void fuse_addresses(IrBlock *b, const uint16_t *uses)
{
    int prev = -1;
    for (unsigned i = 0; i < b->nops; i++) {
        IrOp *op = &b->ops[i];
        if (op->opc == IR_NOP)
            continue;
        IrOp *p = prev >= 0 ? &b->ops[prev] : NULL;
        prev = (int)i;
        if (!p || op->opc != IR_ADD)
            continue;
        bool pshift = p->opc == IR_SHL && (p->flags & IRF_IMM) && p->imm >= 1 && p->imm <= 3;
        bool padd = p->opc == IR_ADD && !(p->flags & IRF_IMM);
        if (!(op->flags & IRF_IMM)) { /* y + (x << s) */
            bool left = feeds_only(p, uses, op->a), right = feeds_only(p, uses, op->b);
            if (!pshift || left == right)
                continue;
            op->opc = IR_ADDR;
            op->a = left ? op->b : op->a;
            op->b = p->a;
            op->size = (uint8_t)p->imm;
            op->imm = 0;
        } else if (feeds_only(p, uses, op->a) && (pshift || padd || p->opc == IR_ADDR)) {
            uint32_t c = op->imm; /* (chain) + c */
            if (pshift) {
                op->a = IR_NOVAL;
                op->b = p->a;
                op->size = (uint8_t)p->imm;
                op->imm = c;
            } else {
                op->a = p->a;
                op->b = p->b;
                op->size = p->opc == IR_ADDR ? p->size : 0;
                op->imm = (p->opc == IR_ADDR ? p->imm : 0) + c;
            }
            op->opc = IR_ADDR;
        } else {
            continue;
        }
        op->flags = 0;
        p->opc = IR_NOP;
    }
}

/* ---- dead-code elimination ------------------------------------------------------------------- */

static void mark_live(IrVal v, void *arg)
{
    uint8_t *live = arg;
    if (!ir_is_global(v) && v != IR_NOVAL)
        live[v - IR_FIRST_TEMP] = 1;
}

static void eliminate_dead(IrBlock *b)
{
    static uint8_t live[IR_MAX_TEMPS];
    memset(live, 0, b->ntemps);
    for (unsigned i = b->nops; i-- > 0;) {
        IrOp *op = &b->ops[i];
        bool needed = ir_op_has_effects(op) ||
                      (ir_op_defines(op) && !ir_is_global(op->d) &&
                       live[op->d - IR_FIRST_TEMP]);
        if (!needed) {
            op->opc = IR_NOP;
            continue;
        }
        ir_op_uses(b, op, mark_live, live);
    }
}

/* Copy propagation, constant folding and the use counts address fusion needs, in one
 * forward pass (each op is rewritten, then folded, then counted: the same result as three
 * passes, for a third of the walks over ops and sync lists); then fusion and dead-code
 * elimination. */
void ir_optimize(IrBlock *b)
{
    static CopyProp cp;
    static Consts k;
    static uint16_t uses[IR_MAX_TEMPS];
    if (b->overflow)
        return;
    for (unsigned i = 0; i < b->ntemps; i++)
        cp.src[i] = IR_NOVAL;
    memset(cp.gen, 0, sizeof cp.gen);
    memset(k.is_const, 0, b->ntemps);
    memset(uses, 0, b->ntemps * sizeof uses[0]);
    for (unsigned i = 0; i < b->nops; i++) {
        IrOp *op = &b->ops[i];
        cp_rewrite(b, &cp, op);
        fold_op(b, &k, op);
        ir_op_uses(b, op, count_use, uses);
        cp_note(&cp, op);
    }
    fuse_addresses(b, uses);
    eliminate_dead(b);
}

/* ---- printing --------------------------------------------------------------------------------- */

static const char *const opc_names[IR_OPC_COUNT] = {
    "nop", "mov", "movi", "add", "sub", "and", "or", "xor", "shl", "shr", "sar", "rol", "ror",
    "mul", "mulhu", "mulhs", "neg", "not", "ext", "dep", "setcc", "selnz", "parity", "ld_env",
    "st_env", "ld", "st", "guard", "bail", "call", "handler", "exit_if", "brcc", "label", "exit_tb",
    "exit_indirect", "exit", "insn", "tsc", "divu", "addr",
};
static const char *const cond_names[IRC_COUNT] = {
    "eq", "ne", "ltu", "geu", "leu", "gtu", "lt", "ge", "le", "gt", "tstz", "tstnz",
};

const char *ir_opc_name(IrOpc opc) { return opc < IR_OPC_COUNT ? opc_names[opc] : "?"; }

static void print_val(FILE *out, IrVal v)
{
    static const char *const g[IR_NGLOBALS] = {"eax", "ecx",   "edx",   "ebx",    "esp",   "ebp",
                                               "esi", "edi",   "ccop",  "ccres",  "ccsrc1",
                                               "ccsrc2"};
    if (v == IR_NOVAL)
        fprintf(out, "-");
    else if (ir_is_global(v))
        fprintf(out, "%s", g[v]);
    else
        fprintf(out, "t%u", v - IR_FIRST_TEMP);
}

void ir_dump(const IrBlock *b, FILE *out)
{
    for (unsigned i = 0; i < b->nops; i++) {
        const IrOp *op = &b->ops[i];
        if (op->opc == IR_NOP)
            continue;
        fprintf(out, "%4u  ", i);
        if (ir_op_defines(op)) {
            print_val(out, op->d);
            fprintf(out, " = ");
        }
        fprintf(out, "%s", ir_opc_name((IrOpc)op->opc));
        if (op->opc == IR_SETCC || op->opc == IR_BRCC || op->opc == IR_GUARD || op->opc == IR_BAIL)
            fprintf(out, ".%s", op->cond < IRC_COUNT ? cond_names[op->cond] : "?");
        if (op->size)
            fprintf(out, "/%u", op->size);
        if (op->a != IR_NOVAL) {
            fprintf(out, " ");
            print_val(out, op->a);
        }
        if (op->flags & IRF_IMM)
            fprintf(out, ", #0x%x", op->imm);
        else if (op->b != IR_NOVAL) {
            fprintf(out, ", ");
            print_val(out, op->b);
        }
        if (op->c != IR_NOVAL) {
            fprintf(out, ", ");
            print_val(out, op->c);
        }
        if (!(op->flags & IRF_IMM) && (op->imm || op->imm2))
            fprintf(out, "  [imm %#x imm2 %#x]", op->imm, op->imm2);
        fprintf(out, "  (insn %u flags %#x aux %u)\n", op->insn, op->flags, op->aux);
    }
}
