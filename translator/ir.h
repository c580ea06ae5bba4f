/* ir.h — the JIT's host-neutral intermediate representation of one translation block.
 *
 * Contract: a block is a linear list of IrOps over 32-bit values. Values 0-7 are the guest
 * general registers (EAX..EDI; their home is CpuState.gpr[]), values 8-11 the lazy-flag
 * fields (cc_op, cc_res, cc_src1, cc_src2; their home is that CpuState field); values from
 * IR_FIRST_TEMP on are temporaries, each defined by exactly one op before any use (SSA for
 * temporaries). Globals may be read and written by any op; the backend caches them in host
 * registers and writes them back where the IR says state must be in CpuState. A CpuState
 * access at a global's home (IR_LD_ENV, IR_ST_ENV, a sync-list store) is an access to that
 * global: the backend keeps the two the same thing, so a front end may name the lazy-flag
 * fields either way. Control flow
 * inside a block is limited: IR_BRCC jumps forward to an IR_LABEL, and the code between the
 * branch and its label ends in an exit, so a label is reached only by its branch.
 *
 * Ops that may leave the block early (IR_LD/IR_ST slow paths, IR_GUARD, IR_BAIL,
 * IR_HANDLER, IR_EXIT_IF) carry the index of their guest instruction; the instructions before it have
 * retired, it has not. Such ops also name a sync list: extra CpuState stores (the lazy
 * flags the front end has not written yet) that the backend performs only on the slow path,
 * so the state seen by a fault or a helper is exactly the state before that instruction.
 * Nothing here names a host register or instruction: the x86-64 backend
 * (backend_x86_64.c) and any later backend see only this.
 */
#ifndef VMM86_TRANSLATOR_IR_H
#define VMM86_TRANSLATOR_IR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef uint16_t IrVal;
#define IR_NGPRS 8         /* globals 0-7: the general registers */
#define IR_G_CC_OP 8       /* globals 8-11: the lazy-flag fields */
#define IR_G_CC_RES 9
#define IR_G_CC_SRC1 10
#define IR_G_CC_SRC2 11
#define IR_NGLOBALS 12
#define IR_FIRST_TEMP IR_NGLOBALS
#define IR_NOVAL 0xFFFFu
#define IR_MAX_OPS 3072
#define IR_MAX_TEMPS 2048
#define IR_MAX_SYNC 2048
#define IR_MAX_SYNCLISTS 512
#define IR_MAX_HELPERS 64
#define IR_MAX_LABELS 64
#define IR_MAX_SITES 512

static inline bool ir_is_global(IrVal v) { return v < IR_NGLOBALS; }
/* A global's home: its byte offset in CpuState. */
int32_t ir_global_home(IrVal g);
/* The lazy-flag global whose home is CpuState byte offset `off`, or IR_NOVAL (front ends
 * never name the general registers by offset). */
IrVal ir_global_at(uint32_t off);

/* Comparison of two 32-bit values. TSTZ/TSTNZ test (a & b) == 0 / != 0. */
typedef enum IrCond {
    IRC_EQ, IRC_NE, IRC_LTU, IRC_GEU, IRC_LEU, IRC_GTU, IRC_LT, IRC_GE, IRC_LE, IRC_GT,
    IRC_TSTZ, IRC_TSTNZ, IRC_COUNT
} IrCond;

static inline IrCond ir_cond_invert(IrCond c) { return (IrCond)(c ^ 1); }

typedef enum IrOpc {
    IR_NOP,
    IR_MOV,    /* d = a */
    IR_MOVI,   /* d = imm */
    IR_ADD,    /* d = a op b (or imm with IRF_IMM) */
    IR_SUB,
    IR_AND,
    IR_OR,
    IR_XOR,
    IR_SHL,    /* shifts and rotates: count taken modulo 32 */
    IR_SHR,
    IR_SAR,
    IR_ROL,
    IR_ROR,
    IR_MUL,    /* low 32 bits of a * b */
    IR_MULHU,  /* high 32 bits of the unsigned 64-bit product */
    IR_MULHS,  /* high 32 bits of the signed 64-bit product */
    IR_NEG,    /* d = -a */
    IR_NOT,    /* d = ~a */
    IR_EXT,    /* d = a extended from `size` bytes (IRF_SIGNED: sign-extended) */
    IR_DEP,    /* d = a with its low `size` bytes (IRF_HIGH8: bits 8-15) replaced by b's */
    IR_SETCC,  /* d = cond(a, b) ? 1 : 0 */
    IR_SELNZ,  /* d = a != 0 ? b : c */
    IR_PARITY, /* d = 4 (FL_PF) if the low byte of a has an even number of ones, else 0 */
    IR_LD_ENV, /* d = CpuState field at byte offset imm (`size` bytes, zero-extended) */
    IR_ST_ENV, /* CpuState field at offset imm = a (or imm2 with IRF_IMM) */
    IR_LD,     /* d = guest memory [segment cond : offset a], `size` bytes; imm = site index */
    IR_ST,     /* guest memory [segment cond : offset a] = b (or imm2 with IRF_IMM);
                  imm = site index */
    IR_GUARD,  /* if cond(a, b) raise exception imm2 (error code 0) at this instruction */
    IR_BAIL,   /* if cond(a, b) leave the block; the interpreter runs this instruction */
    IR_CALL,   /* d = helpers[imm](cpu, a, b, c); reads only CpuState fields it is given */
    IR_HANDLER,/* d = run the interpreter's handler for instruction `insn` (nonzero: leave) */
    IR_EXIT_IF,/* if a != 0 leave the block; CpuState (EIP included) is already complete */
    IR_BRCC,   /* if cond(a, b) goto label imm2; the taken path first does its sync list */
    IR_LABEL,  /* label imm */
    IR_EXIT_TB,       /* leave to guest EIP imm, chainable through exit slot aux */
    IR_EXIT_INDIRECT, /* leave to guest EIP a (looked up at run time) */
    IR_EXIT,          /* leave to the dispatcher; EIP imm (IRF_IMM) or already in CpuState */
    IR_INSN,          /* start of guest instruction `insn` */
    IR_TSC,           /* d = bits imm..imm+31 of (TSC offset + icount before instruction
                         `insn`): RDTSC without a call */
    IR_DIVU,          /* d = (a << 32 | b) / c, unsigned; an IR_GUARD before it has excluded
                         c == 0 and a quotient past 32 bits (a >= c) */
    IR_ADDR,          /* d = a + (b << size) + imm, modulo 2^32 (size 0-3; a may be IR_NOVAL:
                         no base): an address computation, formed by ir_optimize from
                         shift, add and add-constant chains */
    IR_OPC_COUNT
} IrOpc;

/* IrOp.flags */
#define IRF_IMM 0x01      /* b is the immediate imm (IR_ST_ENV: the value is imm2) */
#define IRF_SIGNED 0x02   /* IR_EXT, IR_LD: sign-extend */
#define IRF_HIGH8 0x04    /* IR_DEP: the field is bits 8-15 */
#define IRF_RMW 0x08      /* IR_LD: the destination is written back (segment write check) */
#define IRF_USER 0x10     /* IR_LD/IR_ST: a CPL 3 access (user TLB) */
#define IRF_SEG_FLAT 0x20 /* IR_LD/IR_ST: segment base 0, limit 4G-1, usable: no check */
#define IRF_SEG_LIMIT 0x40 /* IR_LD/IR_ST: expand-up usable segment: check limit, add base */
#define IRF_LOOP 0x80      /* IR_EXIT_TB: the target is this block's own start */
#define IRF_SEG_ATTR 0x80  /* IR_LD/IR_ST with IRF_SEG_LIMIT: the segment's class is not
                              known at translation: check at run time that it is usable,
                              expand-up data, writable (else the helper decides) */
/* neither SEG flag: the segment needs the full check (helper for every access) */

typedef struct IrOp {
    uint8_t opc;   /* IrOpc */
    uint8_t cond;  /* IrCond; for IR_LD/IR_ST the segment register */
    uint8_t size;  /* bytes, where the op says */
    uint8_t flags; /* IRF_* */
    IrVal d, a, b, c;
    uint16_t insn; /* guest instruction index in the block */
    uint16_t aux;  /* sync list (IR_LD/ST/GUARD/BAIL/BRCC), exit slot (IR_EXIT_TB) */
    uint32_t imm, imm2;
} IrOp;

/* One deferred CpuState store of a sync list. */
typedef enum IrSyncKind {
    IRS_ST32,   /* field at off = value v */
    IRS_ST32I,  /* field at off = imm */
    IRS_EFLAGS, /* eflags = (eflags & ~arithmetic flags) | v */
} IrSyncKind;

typedef struct IrSync {
    uint8_t kind;
    uint16_t off;
    IrVal v;
    uint32_t imm;
} IrSync;

typedef struct IrSyncList {
    uint16_t first, count;
} IrSyncList;

#define IR_NO_SYNC 0 /* sync list 0 is always the empty list */

typedef struct IrBlock {
    IrOp ops[IR_MAX_OPS];
    unsigned nops;
    unsigned ntemps;    /* temporaries allocated (values IR_FIRST_TEMP ..) */
    IrSync syncs[IR_MAX_SYNC];
    unsigned nsyncs;
    IrSyncList lists[IR_MAX_SYNCLISTS];
    unsigned nlists;
    const void *helpers[IR_MAX_HELPERS];
    unsigned nhelpers;
    unsigned nlabels;
    bool overflow;      /* a table filled up: the block must be cut shorter */
} IrBlock;

void ir_reset(IrBlock *b);
IrVal ir_temp(IrBlock *b);
/* Appends an op (returns a dummy op on overflow so callers need not check). */
IrOp *ir_emit(IrBlock *b, IrOpc opc);
unsigned ir_label(IrBlock *b);
unsigned ir_helper(IrBlock *b, const void *fn);
/* Sync lists: begin, add entries, end (returns the list id; empty lists return 0). */
void ir_sync_begin(IrBlock *b);
void ir_sync_add(IrBlock *b, IrSyncKind kind, uint16_t off, IrVal v, uint32_t imm);
uint16_t ir_sync_end(IrBlock *b);

/* Builders for the common shapes; each returns the defined temporary. */
IrVal ir_mov(IrBlock *b, IrVal a);
IrVal ir_movi(IrBlock *b, uint32_t imm);
IrVal ir_binop(IrBlock *b, IrOpc opc, IrVal a, IrVal c);
IrVal ir_binopi(IrBlock *b, IrOpc opc, IrVal a, uint32_t imm);
IrVal ir_unop(IrBlock *b, IrOpc opc, IrVal a);
IrVal ir_ext(IrBlock *b, IrVal a, unsigned size, bool sign);
IrVal ir_setcc(IrBlock *b, IrCond cond, IrVal a, IrVal c);
IrVal ir_setcci(IrBlock *b, IrCond cond, IrVal a, uint32_t imm);
/* d = a (d a guest register or any value). */
void ir_assign(IrBlock *b, IrVal d, IrVal a);

/* Does the op define d? Does it have effects beyond defining d? */
bool ir_op_defines(const IrOp *op);
bool ir_op_has_effects(const IrOp *op);
/* Calls fn(v, arg) for each value the op reads, including its sync list. */
void ir_op_uses(const IrBlock *b, const IrOp *op, void (*fn)(IrVal v, void *arg), void *arg);

/* Optimisation passes: copy propagation (uses of a copy of a guest register read the
 * register itself while it is unchanged), constants into immediate operands, address
 * chains (shift by 1-3, add, add constant, on single-use temporaries) into IR_ADDR, then
 * dead-code elimination. */
void ir_optimize(IrBlock *b);

/* Prints the block, one op per line (for -d jit traces and test failures). */
void ir_dump(const IrBlock *b, FILE *out);
const char *ir_opc_name(IrOpc opc);

#endif
