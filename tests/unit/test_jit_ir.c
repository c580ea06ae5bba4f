/* test_jit_ir.c — the IR passes and the x86-64 backend, below the front end.
 *
 * The optimiser: copy propagation replaces a copy of a guest register by the register
 * only while the register is unchanged (not across a write or an interpreter call); dead
 * code elimination drops unused pure values but keeps loads (they may fault), stores, guest
 * register writes, and values that a sync list (a slow path's CpuState stores) needs.
 * The backend: random straight-line IR programs over guest registers and temporaries
 * (every arithmetic op, shifts by constants and by registers, extensions, deposits,
 * comparisons, selects, parity, address chains the optimiser fuses; many values
 * live at once, so the allocator spills) are compiled and run, and the guest registers
 * must match a small reference evaluator of the IR semantics written here.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "softmmu/ioport.h"
#include "softmmu/physmem.h"
#include "translator/jit_internal.h"

static IrBlock *ir;

static void setup(void)
{
    ir = calloc(1, sizeof *ir);
    cr_assert(ir);
    ir_reset(ir);
}
static void teardown(void) { free(ir); }

TestSuite(jit_ir, .init = setup, .fini = teardown);

static const IrOp *find(IrOpc opc, unsigned nth)
{
    for (unsigned i = 0; i < ir->nops; i++)
        if (ir->ops[i].opc == opc && nth-- == 0)
            return &ir->ops[i];
    return NULL;
}

Test(jit_ir, copy_of_an_unchanged_guest_register_is_the_register)
{
    IrVal t = ir_mov(ir, R_EBX);
    IrVal u = ir_binopi(ir, IR_ADD, t, 1);
    ir_assign(ir, R_EAX, u);
    ir_optimize(ir);
    const IrOp *add = find(IR_ADD, 0);
    cr_assert(add);
    cr_assert_eq(add->a, R_EBX, "the copy was not replaced");
    cr_assert_null(find(IR_MOV, 1), "the dead copy was not removed"); /* only eax = u */
}

Test(jit_ir, copy_is_kept_across_a_write_of_its_register)
{
    IrVal t = ir_mov(ir, R_ECX);                       /* old ECX */
    IrOp *op = ir_emit(ir, IR_ADD);                    /* ECX = ECX + 7 */
    op->d = op->a = R_ECX;
    op->flags = IRF_IMM;
    op->imm = 7;
    ir_assign(ir, R_EDX, t);                           /* EDX = old ECX */
    ir_optimize(ir);
    const IrOp *mov = find(IR_MOV, 1);
    cr_assert(mov);
    cr_assert_eq(mov->d, R_EDX);
    cr_assert_eq(mov->a, t, "EDX must get the copy, not the new ECX");
    cr_assert(find(IR_MOV, 0)->d == t, "the copy itself must stay");
}

Test(jit_ir, copy_is_kept_across_an_interpreter_call)
{
    IrVal t = ir_mov(ir, R_ESI);
    IrOp *op = ir_emit(ir, IR_HANDLER); /* may change any guest register */
    op->d = ir_temp(ir);
    ir_assign(ir, R_EDI, t);
    ir_optimize(ir);
    cr_assert_eq(find(IR_MOV, 1)->a, t);
}

Test(jit_ir, dead_code_goes_but_effects_and_sync_uses_stay)
{
    IrVal dead = ir_binopi(ir, IR_MUL, R_EAX, 3);      /* unused: removed */
    (void)dead;
    IrVal kept = ir_binopi(ir, IR_XOR, R_EBX, 0x55);   /* only a sync list uses it */
    ir_sync_begin(ir);
    ir_sync_add(ir, IRS_ST32, 0x50, kept, 0);
    uint16_t list = ir_sync_end(ir);
    IrOp *ld = ir_emit(ir, IR_LD);                     /* result unused: still a load */
    ld->d = ir_temp(ir);
    ld->a = R_ESI;
    ld->size = 4;
    ld->aux = list;
    IrVal v = ir_binopi(ir, IR_ADD, R_ECX, 2);
    IrOp *st = ir_emit(ir, IR_ST);
    st->a = R_EDI;
    st->b = v;
    st->size = 4;
    ir_optimize(ir);
    cr_assert_null(find(IR_MUL, 0));
    cr_assert(find(IR_XOR, 0), "a value a sync list stores was removed");
    cr_assert(find(IR_LD, 0), "a load was removed");
    cr_assert(find(IR_ADD, 0) && find(IR_ST, 0));
}

Test(jit_ir, address_chains_become_one_addr)
{
    /* [ebx + esi*4 + 0x28]: shl, add, add-constant on single-use temporaries */
    IrVal t0 = ir_binopi(ir, IR_SHL, R_ESI, 2);
    IrVal t1 = ir_binop(ir, IR_ADD, R_EBX, t0);
    IrVal t2 = ir_binopi(ir, IR_ADD, t1, 0x28);
    ir_assign(ir, R_EAX, t2);
    /* [ecx*8 + 0x100880] (no base), the shifted operand on the left of the add */
    IrVal u0 = ir_binopi(ir, IR_SHL, R_ECX, 3);
    IrVal u1 = ir_binopi(ir, IR_ADD, u0, 0x100880);
    ir_assign(ir, R_EDX, u1);
    ir_optimize(ir);
    const IrOp *a = find(IR_ADDR, 0), *b = find(IR_ADDR, 1);
    cr_assert(a && b, "the chains were not fused");
    cr_assert(a->a == R_EBX && a->b == R_ESI && a->size == 2 && a->imm == 0x28);
    cr_assert(b->a == IR_NOVAL && b->b == R_ECX && b->size == 3 && b->imm == 0x100880);
    cr_assert_null(find(IR_SHL, 0), "a fused link stayed");
    cr_assert_null(find(IR_ADD, 0), "a fused link stayed");
}

Test(jit_ir, address_chains_keep_links_used_twice_or_apart)
{
    IrVal t0 = ir_binopi(ir, IR_SHL, R_ESI, 2);       /* used twice: stays */
    IrVal t1 = ir_binop(ir, IR_ADD, R_EBX, t0);
    ir_assign(ir, R_EAX, t1);
    ir_assign(ir, R_ECX, t0);
    IrVal u0 = ir_binopi(ir, IR_SHL, R_EDI, 1);       /* an instruction between: stays */
    ir_emit(ir, IR_INSN)->insn = 1;
    IrVal u1 = ir_binop(ir, IR_ADD, R_EBP, u0);
    ir_assign(ir, R_EDX, u1);
    IrVal v0 = ir_binopi(ir, IR_SHL, R_EDI, 4);       /* scale 16: no such address */
    IrVal v1 = ir_binop(ir, IR_ADD, R_EBP, v0);
    ir_assign(ir, R_EBX, v1);
    ir_optimize(ir);
    cr_assert_null(find(IR_ADDR, 0));
    cr_assert(find(IR_SHL, 2) && find(IR_ADD, 2));
}

/* ---- backend against a reference evaluator -------------------------------------------------- */

typedef struct Machine {
    PhysMem mem;
    IoPortSpace io;
    CpuState cpu;
    JitState *jit;
} Machine;

static Machine *machine_new(void)
{
    Machine *m = calloc(1, sizeof *m);
    cr_assert(m && physmem_init(&m->mem, 1u << 20));
    ioport_init(&m->io);
    cpu_init(&m->cpu, &m->mem, &m->io);
    char err[128];
    JitConfig cfg = {1u << 20, false, false};
    m->jit = jit_create(&m->cpu, &cfg, err, sizeof err);
    cr_assert(m->jit, "%s", err);
    return m;
}

static void machine_free(Machine *m)
{
    jit_destroy(m->jit);
    physmem_free(&m->mem);
    free(m);
}

static uint32_t parity4(uint32_t v) { return (__builtin_popcount(v & 0xFF) & 1) ? 0 : 4; }

static bool cond_holds(IrCond c, uint32_t a, uint32_t b)
{
    switch (c) {
    case IRC_EQ: return a == b;
    case IRC_NE: return a != b;
    case IRC_LTU: return a < b;
    case IRC_GEU: return a >= b;
    case IRC_LEU: return a <= b;
    case IRC_GTU: return a > b;
    case IRC_LT: return (int32_t)a < (int32_t)b;
    case IRC_GE: return (int32_t)a >= (int32_t)b;
    case IRC_LE: return (int32_t)a <= (int32_t)b;
    case IRC_GT: return (int32_t)a > (int32_t)b;
    case IRC_TSTZ: return (a & b) == 0;
    default: return (a & b) != 0;
    }
}

static uint32_t extend(uint32_t v, unsigned size, bool sign)
{
    if (size == 1)
        return sign ? (uint32_t)(int32_t)(int8_t)v : (v & 0xFF);
    return sign ? (uint32_t)(int32_t)(int16_t)v : (v & 0xFFFF);
}

/* The IR semantics (ir.h), for the ops random programs use. */
static void evaluate(const IrBlock *b, uint32_t *val)
{
    for (unsigned i = 0; i < b->nops; i++) {
        const IrOp *op = &b->ops[i];
        uint32_t a = op->a != IR_NOVAL ? val[op->a] : 0;
        uint32_t x = (op->flags & IRF_IMM) ? op->imm : op->b != IR_NOVAL ? val[op->b] : 0;
        uint32_t c = op->c != IR_NOVAL ? val[op->c] : 0, r = 0, s = x & 31;
        switch (op->opc) {
        case IR_MOV: r = a; break;
        case IR_MOVI: r = op->imm; break;
        case IR_ADD: r = a + x; break;
        case IR_SUB: r = a - x; break;
        case IR_AND: r = a & x; break;
        case IR_OR: r = a | x; break;
        case IR_XOR: r = a ^ x; break;
        case IR_SHL: r = a << s; break;
        case IR_SHR: r = a >> s; break;
        case IR_SAR: r = (uint32_t)((int32_t)a >> s); break;
        case IR_ROL: r = s ? (a << s | a >> (32 - s)) : a; break;
        case IR_ROR: r = s ? (a >> s | a << (32 - s)) : a; break;
        case IR_MUL: r = a * x; break;
        case IR_MULHU: r = (uint32_t)(((uint64_t)a * x) >> 32); break;
        case IR_MULHS: r = (uint32_t)((uint64_t)((int64_t)(int32_t)a * (int32_t)x) >> 32); break;
        case IR_NEG: r = 0u - a; break;
        case IR_NOT: r = ~a; break;
        case IR_EXT: r = extend(a, op->size, op->flags & IRF_SIGNED); break;
        case IR_DEP:
            if (op->flags & IRF_HIGH8)
                r = (a & 0xFFFF00FFu) | (x & 0xFF) << 8;
            else if (op->size == 1)
                r = (a & 0xFFFFFF00u) | (x & 0xFF);
            else
                r = (a & 0xFFFF0000u) | (x & 0xFFFF);
            break;
        case IR_SETCC: r = cond_holds((IrCond)op->cond, a, x); break;
        case IR_SELNZ: r = a ? x : c; break;
        case IR_PARITY: r = parity4(a); break;
        case IR_ADDR: r = a + (val[op->b] << op->size) + op->imm; break;
        default: continue;
        }
        val[op->d] = r;
    }
}

/* A random program: each op reads earlier values (or constants) and defines a new
 * temporary or a guest register; some values stay live long (spills). */
static void random_program(IrBlock *b, uint64_t seed)
{
    uint64_t s = seed | 1;
#define RND() (s ^= s << 13, s ^= s >> 7, s ^= s << 17, (uint32_t)(s >> 17))
    ir_reset(b);
    IrVal vals[IR_MAX_TEMPS];
    unsigned nvals = 0;
    for (IrVal g = 0; g < IR_NGLOBALS; g++)
        vals[nvals++] = g;
    static const IrOpc bin[] = {IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_MUL, IR_MULHU,
                                IR_MULHS, IR_SHL, IR_SHR, IR_SAR, IR_ROL, IR_ROR, IR_SETCC};
    unsigned n = 40 + RND() % 120;
    for (unsigned i = 0; i < n; i++) {
        IrVal a = vals[RND() % nvals], x = vals[RND() % nvals], c = vals[RND() % nvals];
        bool to_guest = RND() % 6 == 0;
        IrVal d = to_guest ? (IrVal)(RND() % IR_NGLOBALS) : ir_temp(b);
        unsigned kind = RND() % 9;
        IrOp *op;
        if (kind == 8) { /* an address chain: ir_optimize fuses it into IR_ADDR */
            IrVal t = ir_binopi(b, IR_SHL, x, 1 + RND() % 3);
            if (RND() % 2) {
                t = RND() % 2 ? ir_binop(b, IR_ADD, a, t) : ir_binop(b, IR_ADD, t, a);
                vals[nvals++] = t;
            }
            op = ir_emit(b, IR_ADD);
            op->a = t;
            op->flags = IRF_IMM;
            op->imm = RND() % 2 ? RND() : RND() % 64;
        } else if (kind < 5) {
            IrOpc opc = bin[RND() % (sizeof bin / sizeof bin[0])];
            op = ir_emit(b, opc);
            op->a = a;
            bool shift = opc >= IR_SHL && opc <= IR_ROR;
            if (shift ? RND() % 2 == 0 : RND() % 3 == 0) { /* shifts: constant or CL count */
                op->flags = IRF_IMM;
                op->imm = shift ? RND() % 32 : RND();
            } else {
                op->b = x;
            }
            if (opc == IR_SETCC)
                op->cond = (uint8_t)(RND() % IRC_COUNT);
            if (opc == IR_SETCC && (op->flags & IRF_IMM) && RND() % 2)
                op->imm = 0;
        } else if (kind == 5) {
            static const IrOpc un[] = {IR_NEG, IR_NOT, IR_EXT, IR_PARITY, IR_MOV};
            op = ir_emit(b, un[RND() % 5]);
            op->a = a;
            op->size = RND() % 2 ? 1 : 2;
            op->flags = RND() % 2 ? IRF_SIGNED : 0;
        } else if (kind == 6) {
            op = ir_emit(b, IR_DEP);
            op->a = to_guest ? d : a; /* guest deposits update the register in place */
            op->b = x;
            op->size = RND() % 2 ? 1 : 2;
            op->flags = op->size == 1 && RND() % 2 ? IRF_HIGH8 : 0;
        } else {
            op = ir_emit(b, RND() % 2 ? IR_SELNZ : IR_MOVI);
            op->a = a;
            op->b = x;
            op->c = c;
            op->imm = RND();
            if (op->opc == IR_MOVI)
                op->a = op->b = op->c = IR_NOVAL;
        }
        op->d = d;
        if (!to_guest)
            vals[nvals++] = d;
    }
    for (IrVal g = 0; g < IR_NGLOBALS; g++) /* results: the last values into guests */
        ir_assign(b, g, vals[nvals - 1 - g]);
    IrOp *ex = ir_emit(b, IR_EXIT);
    ex->flags = IRF_IMM;
    ex->imm = 0x1234;
    ex->insn = 1;
#undef RND
}

static void run_compiled(Machine *m, IrBlock *b, const uint32_t *in, uint32_t *out)
{
    JitState *j = m->jit;
    JitTranslateCtx ctx = {0};
    ctx.max_insns = 1;
    TransBlock tb;
    memset(&tb, 0, sizeof tb);
    tb.ninsns = 1;
    BackendInput bi = {b, &ctx, &tb, NULL, NULL};
    cr_assert_eq(backend_gen(j, &bi), BK_OK);
    CpuState *cpu = &m->cpu;
    for (int g = 0; g < 8; g++)
        cpu->gpr[g].d = in[g];
    cpu->cc_op = in[IR_G_CC_OP]; /* the lazy-flag globals live in these fields */
    cpu->cc_res = in[IR_G_CC_RES];
    cpu->cc_src1 = in[IR_G_CC_SRC1];
    cpu->cc_src2 = in[IR_G_CC_SRC2];
    cpu->icount = 100;
    cpu->icount_limit = 1000;
    cr_assert_eq(j->enter(cpu, tb.code), JIT_RET_NORMAL);
    cr_assert_eq(cpu->eip, 0x1234);
    cr_assert_eq(cpu->icount, 101, "icount %llu", (unsigned long long)cpu->icount);
    for (int g = 0; g < 8; g++)
        out[g] = cpu->gpr[g].d;
    out[IR_G_CC_OP] = cpu->cc_op;
    out[IR_G_CC_RES] = cpu->cc_res;
    out[IR_G_CC_SRC1] = cpu->cc_src1;
    out[IR_G_CC_SRC2] = cpu->cc_src2;
}

Test(jit_ir, random_programs_compile_to_what_the_ir_means)
{
    Machine *m = machine_new();
    static uint32_t ref[IR_NGLOBALS + IR_MAX_TEMPS];
    for (uint64_t seed = 1; seed <= 600; seed++) {
        random_program(ir, seed * 0x9E3779B97F4A7C15ull);
        uint32_t in[IR_NGLOBALS], out[IR_NGLOBALS];
        for (int g = 0; g < IR_NGLOBALS; g++)
            in[g] = ref[g] = (uint32_t)(seed * 2654435761u * (uint32_t)(g + 1)) ^ (uint32_t)g << 29;
        evaluate(ir, ref);
        if (seed % 2) /* half the programs optimised first: the result must not change */
            ir_optimize(ir);
        jit_flush(m->jit);
        run_compiled(m, ir, in, out);
        for (int g = 0; g < IR_NGLOBALS; g++)
            if (out[g] != ref[g]) {
                ir_dump(ir, stderr);
                cr_assert_fail("seed %llu: guest %d is %08x, the IR means %08x",
                               (unsigned long long)seed, g, out[g], ref[g]);
            }
    }
    machine_free(m);
}

Test(jit_ir, a_block_without_budget_bails_out_untouched)
{
    Machine *m = machine_new();
    IrOp *op = ir_emit(ir, IR_MOVI);
    op->d = R_EAX;
    op->imm = 77;
    op = ir_emit(ir, IR_EXIT);
    op->flags = IRF_IMM;
    op->imm = 0x2000;
    op->insn = 3;
    JitTranslateCtx ctx = {0};
    TransBlock tb;
    memset(&tb, 0, sizeof tb);
    tb.ninsns = 3;
    tb.eip = 0x1000;
    BackendInput bi = {ir, &ctx, &tb, NULL, NULL};
    cr_assert_eq(backend_gen(m->jit, &bi), BK_OK);
    CpuState *cpu = &m->cpu;
    cpu->gpr[R_EAX].d = 5;
    cpu->icount = 10;
    cpu->icount_limit = 12; /* two left: the block needs three */
    cr_assert_eq(m->jit->enter(cpu, tb.code), JIT_RET_NORMAL);
    cr_assert_eq(cpu->gpr[R_EAX].d, 5);
    cr_assert_eq(cpu->eip, 0x1000);
    cr_assert_eq(cpu->icount, 10);
    cpu->icount_limit = 13;
    cr_assert_eq(m->jit->enter(cpu, tb.code), JIT_RET_NORMAL);
    cr_assert_eq(cpu->gpr[R_EAX].d, 77);
    cr_assert_eq(cpu->eip, 0x2000);
    cr_assert_eq(cpu->icount, 13);
    machine_free(m);
}
