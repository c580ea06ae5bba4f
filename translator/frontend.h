/* frontend.h — shared by the x86 → IR front end's two files (frontend.c: the block loop,
 * operands, memory and lazy flags; frontend_ops.c: one translator per inlined operation).
 *
 * Contract: while an instruction is translated, Fe holds it, its index and EIPs, and the
 * front end's view of the arithmetic flags (FeCc). The flags are lazy at translation time
 * too: the last flag-writing instruction's operation and IR values are remembered and
 * written to CpuState only where something needs them there (a handler or helper call, a
 * block exit; for loads and stores only on their slow path, through a sync list).
 * Translators must perform every access that can fault before they change a guest
 * register or the flags, so the state at a fault is the state before the instruction.
 */
#ifndef VMM86_TRANSLATOR_FRONTEND_H
#define VMM86_TRANSLATOR_FRONTEND_H

#include "cpu/flags.h"
#include "translator/jit_internal.h"

typedef enum FeCcKind {
    CCK_ENV,  /* flags are in CpuState (cc_op and friends), unknown here */
    CCK_LAZY, /* cc_op `op` with IR values res/src1/src2 */
    CCK_EFL,  /* the arithmetic flags are the bits of IR value `efl` */
} FeCcKind;

typedef struct FeCc {
    FeCcKind kind;
    uint32_t op;
    IrVal res, src1, src2, efl;
    IrVal cin;   /* ADC/SBB: the carry-in (0 or 1), or IR_NOVAL */
    bool stored; /* CpuState already holds this state */
    uint8_t count; /* SHL/SHR/SAR records: the count (1..width-1), known here */
} FeCc;

/* A condition as one IR comparison, or a constant. */
typedef struct FeTest {
    IrVal a, b;        /* b == IR_NOVAL: compare with imm */
    uint32_t imm;
    IrCond cond;
    int constant;      /* -1: a real test; 0 or 1: always false/true */
} FeTest;

typedef struct Fe {
    IrBlock *b;
    FeOutput *out;
    const JitTranslateCtx *ctx;
    unsigned idx;              /* instruction index */
    const DecodedInsn *insn;
    uint32_t eip, next_eip;
    uint32_t live_after;       /* arithmetic flags live after this instruction */
    FeCc cc;
    IrVal ea;                  /* effective address, computed once per instruction */
    bool ended;                /* the instruction emitted the block's exit */
    bool cont;                 /* a branch the block continues after (side exit or followed) */
    unsigned nslots;           /* exit slots used */
    struct {
        unsigned label, slot, insn;
        uint32_t target;
    } side[JIT_MAX_EXITS];     /* conditional exits, emitted after the main path */
    unsigned nside;
} Fe;

/* frontend.c */
IrVal fe_snap(Fe *f, IrVal v);
IrVal fe_gpr_get(Fe *f, unsigned reg, unsigned size);
void fe_gpr_set(Fe *f, unsigned reg, unsigned size, IrVal v);
IrVal fe_ea(Fe *f);
IrVal fe_load(Fe *f, int seg, IrVal off, unsigned size, unsigned jms_flags);
void fe_store(Fe *f, int seg, IrVal off, unsigned size, IrVal v);
IrVal fe_read(Fe *f, int i);
void fe_write(Fe *f, int i, IrVal v);
uint32_t fe_imm(const Fe *f, int i);
void fe_cc_store(Fe *f);
void fe_cc_set(Fe *f, uint32_t op, IrVal res, IrVal src1, IrVal src2);
void fe_cc_set_efl(Fe *f, IrVal efl);
bool fe_flags_live(const Fe *f, uint32_t mask);
FeTest fe_cond(Fe *f, unsigned cc);
IrVal fe_test_value(Fe *f, FeTest t);
IrVal fe_get_cf(Fe *f);
/* All six arithmetic flags as their EFLAGS bits (a helper call unless they are explicit). */
IrVal fe_arith_flags(Fe *f);
/* SF, ZF and PF of a `size`-byte result as flag bits. */
IrVal fe_szp_bits(Fe *f, IrVal res, unsigned size);
void fe_brcc(Fe *f, FeTest t, unsigned label);
void fe_guard(Fe *f, IrCond cond, IrVal a, uint32_t imm, unsigned vector);
/* If cond(a, imm), leave the block before this instruction: the interpreter runs it. */
void fe_bail(Fe *f, IrCond cond, IrVal a, uint32_t imm);
void fe_handler(Fe *f, bool ends_block);
void fe_exit_tb(Fe *f, uint32_t target);
/* A conditional exit to `target` that lets the block continue on the fall-through. */
void fe_side_exit(Fe *f, FeTest t, uint32_t target);
void fe_exit_indirect(Fe *f, IrVal target);
IrVal fe_stack_off(Fe *f, IrVal sp);
IrVal fe_stack_add(Fe *f, IrVal sp, int32_t delta);
void fe_set_esp(Fe *f, IrVal nsp);
bool fe_stack32(const Fe *f);

/* frontend_ops.c: translates the current instruction inline; false = not handled here
 * (the caller falls back to the interpreter's handler). */
bool fe_inline_insn(Fe *f);
/* Will fe_inline_insn handle this instruction (decided before translation, for the flag
 * liveness pass), and may it touch memory or call out? */
bool fe_can_inline(const DecodedInsn *insn, uint32_t eip, const JitTranslateCtx *ctx);
bool fe_insn_may_sync(const DecodedInsn *insn, bool inlined);

#endif
