/* backend_x86_64.h — shared by the x86-64 backend's files: register allocation state,
 * out-of-line stubs, and the frame layout of translated code.
 *
 * Contract: translated code runs inside the frame jit_enter builds: RBP holds the
 * CpuState pointer, RSP is 16-byte aligned and points at BK_SLOTS spill slots followed by
 * the budget base, R15 counts down the instruction budget (cpu->icount is brought up to
 * date from it only where someone may read it: helper calls, slow paths, leaving), R10
 * and R11 are scratch registers that never hold IR values across an instruction sequence.
 * Each block charges its whole instruction count to R15 on entry and bails out untouched
 * if that would go below zero; cpu->icount = base - R15 - (instructions of the current
 * block not yet retired). All other
 * registers are allocated to IR values: guest registers (written back to CpuState where
 * the IR demands) and temporaries (spilled to the slots under pressure). Every 32-bit
 * value in a host register is kept zero-extended to 64 bits. Slow paths (TLB misses and
 * segment checks that fail, guards, conditional exits) are emitted after the block's main
 * code as stubs that carry a snapshot of the register state at their op.
 */
#ifndef VMM86_TRANSLATOR_BACKEND_X86_64_H
#define VMM86_TRANSLATOR_BACKEND_X86_64_H

#include "translator/jit_internal.h"
#include "translator/x86_64_emit.h"

#define BK_SLOTS 64
#define BK_FRAME (8 + 8 * BK_SLOTS) /* keeps RSP 16-byte aligned after six pushes */
#define BK_BASE_SLOT (8 * BK_SLOTS)  /* [rsp + this]: icount_limit when the code was entered */
#define BK_BUDGET X_R15
#define BK_MAX_STUBS 768
#define BK_MAX_SYNCLOC 2048
#define BK_MAX_LABEL_STATES (JIT_MAX_EXITS + 4)
#define BK_CALLER_SAVED ((1u << X_RAX) | (1u << X_RCX) | (1u << X_RDX) | (1u << X_RSI) | \
                         (1u << X_RDI) | (1u << X_R8) | (1u << X_R9))
#define BK_ALLOCATABLE (BK_CALLER_SAVED | (1u << X_RBX) | (1u << X_R12) | (1u << X_R13) | \
                        (1u << X_R14))

/* Which IR value each host register holds, and the guest registers' write-back state. */
typedef struct RegFile {
    IrVal val[16];         /* IR_NOVAL: free */
    uint16_t dirty;        /* globals whose host copy is newer than CpuState */
} RegFile;

/* Where a sync-list value is at its op. */
typedef enum LocKind { LOC_REG, LOC_SLOT, LOC_ENV, LOC_IMM } LocKind;
typedef struct SyncLoc {
    uint8_t kind;     /* IrSyncKind */
    uint8_t loc;      /* LocKind */
    int8_t reg;       /* LOC_REG */
    uint16_t off;     /* destination field */
    uint32_t where;   /* LOC_SLOT: slot; LOC_ENV: CpuState offset; LOC_IMM: value */
} SyncLoc;

typedef enum StubKind {
    STUB_LD, STUB_ST, STUB_GUARD, STUB_INTERP, STUB_EXIT, STUB_BAIL, STUB_LOOP_BAIL,
    STUB_PROBE /* a page-hold access whose hold is 0: the ordinary TLB lookup */
} StubKind;

/* The pseudo-value a host register holds while it carries a page hold's addend. */
#define IR_HOLD ((IrVal)0xFFFEu)
#define BK_MAX_HOLDS 256

/* A lazy-flag field at a loop's head as the back edge left it, over guest registers the
 * body has not changed yet (backend_x86_64_loopflags.c). */
typedef enum FlagRecipeKind { FR_IMM, FR_GLOBAL, FR_OP_IMM, FR_OP_GLOBAL } FlagRecipeKind;
typedef struct FlagRecipe {
    uint8_t kind;         /* FlagRecipeKind */
    uint8_t opc;          /* FR_OP_*: IR_ADD, IR_SUB, IR_AND, IR_OR or IR_XOR */
    uint16_t off;         /* the CpuState field */
    IrVal g, g2;          /* g, or g opc g2 / g opc imm */
    uint32_t imm;
} FlagRecipe;

/* A planned run of accesses off one base register (backend_x86_64_hold.c). */
typedef struct PageHold {
    uint16_t head, last;  /* the run's first and last access ops */
    uint16_t count;
    IrVal base;           /* the guest register */
    int32_t lo, hi;       /* the bytes touched, relative to the base */
    bool user, read, write;
} PageHold;

/* Branches into one stub: at most an access's attribute check, limit check and TLB miss. */
#define STUB_MAX_ENTRIES 3

typedef struct Stub {
    uint8_t kind;         /* StubKind */
    int8_t off_reg;       /* LD/ST: offset register; GUARD: unused */
    int8_t val_reg;       /* ST: value register, -1 for an immediate */
    int8_t dst_reg;       /* LD: result register */
    uint8_t size;
    uint8_t sign;
    uint16_t insn;        /* instructions retired when the stub runs */
    uint32_t imm;         /* ST: immediate value; GUARD: exception vector; BAIL: EIP */
    uint32_t eip;         /* GUARD: the instruction's EIP */
    int8_t hold_reg;      /* LD/ST: a live page hold the slow path zeroes, or -1 */
    bool recipe;          /* rebuilds a loop's old flags first (bk_emit_flag_recipe) */
    const IrOp *op;       /* PROBE: the access */
    struct Stub *slow;    /* PROBE: where a TLB miss goes */
    const JitMemSite *site;
    uint8_t *jf[STUB_MAX_ENTRIES]; /* rel32 fields of the branches from the main code */
    uint8_t njf;
    uint8_t *ret;         /* where LD/ST stubs return to */
    RegFile rf;           /* register state at the op */
    uint16_t sync_first, sync_count; /* into Bk.syncloc */
} Stub;

typedef struct LabelState {
    RegFile rf;
    uint64_t slots_used;
    uint8_t *fields[8];   /* rel32 fields of branches to this label */
    unsigned nfields;
    bool have_state;
    int16_t *tslot;       /* spill-slot map at the branch (ntemps entries) */
    uint16_t sync_first, sync_count; /* the branch's sync list, resolved (Bk.syncloc) */
} LabelState;

typedef struct Bk {
    JitState *j;
    const IrBlock *ir;
    const JitTranslateCtx *ctx;
    TransBlock *tb;
    const BackendInput *in;
    CodeBuf cb;
    RegFile rf;
    unsigned cur;                       /* index of the op being emitted */
    uint16_t locked;                    /* host registers the current op uses */
    uint64_t slots_used;
    int8_t tloc[IR_MAX_TEMPS];          /* host register of a temporary, or -1 */
    int16_t tslot[IR_MAX_TEMPS];        /* its spill slot holding its value, or -1 */
    uint16_t last_use[IR_MAX_TEMPS];
    bool dead;                          /* after an exit, until the next label */
    bool looping;                       /* exits to the block's own start loop inside it */
    uint16_t loop_guests;               /* globals held in host registers at the loop
                                           head (all counted as dirty there) */
    RegFile head_rf;                    /* register state at the loop head */
    bool flags_tail;                    /* the loop leaves the flags to its bail stubs */
    int recipe_upto;                    /* slow paths of ops up to here may need... */
    FlagRecipe recipe[4];               /* ...the old flags rebuilt from this */
    unsigned nrecipe;
    int flags_entry_slot;               /* spill slot: R15 when the block was entered */
    uint16_t back_sync_first, back_sync_count; /* the back edge's flags (flags_tail) */
    uint8_t *loop_head;
    uint8_t *pre_head;                  /* charge of one back edge, falling into the head */
    uint8_t *pre_head_jb;               /* its out-of-budget branch, until a back edge
                                           (whose bail stub it then enters) claims it */
    unsigned pre_head_n;                /* the instructions it charges */
    uint8_t *label_code, *label_field;  /* the last label's code and its one branch */
    bool failed;                        /* out of spill slots or stubs */
    bool flags_fused;                   /* set by an ALU op whose host flags the next
                                           IR_BRCC uses instead of a compare */
    uint16_t hold_of[IR_MAX_OPS];       /* page hold + 1 of an access op, or 0 */
    PageHold holds[BK_MAX_HOLDS];
    unsigned nholds;
    int8_t hold_reg;                    /* the host register of the live hold, or -1 */
    uint16_t hold_id;                   /* which hold (+ 1) it is */
    IrVal hold_tbase[IR_MAX_TEMPS];     /* planning: a temporary = guest register + disp */
    int32_t hold_tdisp[IR_MAX_TEMPS];
    uint16_t hold_tver[IR_MAX_TEMPS];
    uint8_t *window;                    /* host window base for inline accesses, or NULL:
                                           the inline TLB lookup (translator/jit_window.c) */
    Stub stubs[BK_MAX_STUBS];
    unsigned nstubs;
    SyncLoc syncloc[BK_MAX_SYNCLOC];
    unsigned nsyncloc;
    LabelState labels[IR_MAX_LABELS];
    int16_t tslot_pool[BK_MAX_LABEL_STATES][IR_MAX_TEMPS]; /* spill maps at branches */
    unsigned npool;
} Bk;

/* backend_x86_64.c: allocation */
int bk_reg_of(const Bk *k, IrVal v);
void bk_writeback_dirty(Bk *k, const RegFile *rf);
bool bk_assign_global(Bk *k, IrVal g, int src, uint32_t imm);

extern const int bk_alu_of[IR_XOR + 1]; /* IR_ADD..IR_XOR: the x86 ALU op (XA_*) */
void bk_emit_tlb_lookup(Bk *k, const IrOp *op, int ro, int lin_reg, Stub *s, bool write);
void bk_emit_access(Bk *k, const IrOp *op, XMem m, int reg);

/* backend_x86_64_loopflags.c */
void bk_plan_loop_flags(Bk *k, int end);
bool bk_needs_recipe(const Bk *k, const IrOp *op);
void bk_emit_flag_recipe(Bk *k);

/* backend_x86_64_hold.c */
void bk_plan_holds(Bk *k);
void bk_emit_hold_head(Bk *k, const PageHold *ph, int base_reg, int hold);

/* backend_x86_64_stubs.c */
/* The canonical host register of each guest register: at a block's warm entry (chained
 * jumps and the jump cache) every guest register is there, and equal to its CpuState home;
 * the cold entry (from the dispatcher) loads them first. */
extern const int8_t bk_canon[IR_NGPRS];

Stub *bk_new_stub(Bk *k, StubKind kind);
void bk_capture_syncs(Bk *k, Stub *s, uint16_t list);
#define SYNC_TO_REGISTERS 1u /* a label going on: assign lazy-flag globals held in registers */
#define SYNC_NO_FLAGS 2u     /* a flag-tail loop's back edge: leave the flag fields alone */
void bk_emit_sync_list(Bk *k, unsigned first, unsigned count, unsigned how);
void bk_emit_stubs(Bk *k);
void bk_emit_icount_sync(Bk *k, unsigned retired);
void bk_emit_exit_tb(Bk *k, const IrOp *op);
void bk_emit_exit_indirect(Bk *k, int target_reg);
void bk_emit_prologue(Bk *k);
void bk_emit_loop_back(Bk *k, const IrOp *op);
bool bk_emit_trampolines(JitState *j);

#endif
