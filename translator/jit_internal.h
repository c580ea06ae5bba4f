/* jit_internal.h — what the parts of the translator share: translation blocks, their
 * metadata, the translation context, and the JIT's state.
 *
 * Contract: a TransBlock is the translation of a run of guest instructions that starts at
 * one guest-physical address and never leaves that 4 KiB page. It is keyed by
 * (physical address, EIP, CS base, CS limit, mode bits): the mode bits are everything that
 * changes how the bytes decode or what the generated code assumes (code and stack size,
 * PE, VM, CPL, and the class of each segment register but GS, see jit_mode()). Its metadata
 * (decoded instructions for interpreter fallbacks, memory-access sites, exit slots) lives in
 * the metadata arena, and its code in the code cache; both are reclaimed only by a full
 * flush, so a block invalidated while it runs stays executable until it returns. Only
 * translator/ includes this header.
 */
#ifndef VMM86_TRANSLATOR_JIT_INTERNAL_H
#define VMM86_TRANSLATOR_JIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/decode.h"
#include "cpu/optable.h"
#include "translator/ir.h"
#include "translator/jit.h"

#define JIT_MAX_INSNS 64        /* guest instructions per block */
#define JIT_MAX_EXITS 8         /* direct exits per block (conditional branches inside it) */
#define JIT_HASH_BITS 15
#define JIT_JC_BITS 14          /* jump cache entries: 16384 */
#define JIT_PAGE_HASH_BITS 12

/* Segment classes (2 bits each in the mode word). */
enum {
    SEGC_HELPER = 0, /* anything else: every access calls the checking helper */
    SEGC_LIMIT = 1,  /* usable, expand-up, readable and writable: inline limit check */
    SEGC_FLAT = 2,   /* SEGC_LIMIT with base 0 and limit 4 GiB - 1: no inline check */
};

/* Mode word bits. */
#define JM_CODE32 0x001u
#define JM_STACK32 0x002u
#define JM_PE 0x004u
#define JM_VM 0x008u
#define JM_ALIGN 0x040u /* alignment checking (CR0.AM, EFLAGS.AC, CPL 3): no inline accesses */
#define JM_WINDOW 0x080u /* paging off, A20 on, host window present: linear = physical, so
                            inline accesses may go through the host window (jit_window.c) */
#define JM_CPL_SHIFT 4 /* 2 bits */
#define JM_SEG_SHIFT 8 /* 2 bits per segment register, ES CS SS DS FS (GS: always 0) */
/* GS's class is left out of the mode: 32-bit kernels leave GS to user space (thread-local
 * storage), so with it in the key every kernel block was translated again for each GS a
 * task happened to hold (12% of a Linux boot's translations). A GS access checks the
 * segment's attributes and limit at run time instead (IRF_SEG_ATTR). */
#define JM_DYNAMIC_SEG SEG_GS
static inline unsigned jm_cpl(uint32_t mode) { return (mode >> JM_CPL_SHIFT) & 3; }
static inline unsigned jm_segclass(uint32_t mode, int seg)
{
    return (mode >> (JM_SEG_SHIFT + 2 * seg)) & 3;
}

/* A decoded guest instruction kept with its block (interpreter fallbacks read it). */
struct TransBlock;

typedef struct JitInsnRec {
    DecodedInsn insn;
    uint32_t eip;
    struct TransBlock *tb; /* the block it belongs to (is it still valid after the call?) */
} JitInsnRec;

/* A guest memory access site: what its slow path needs to redo the access exactly. */
#define JMS_WRITE 0x01
#define JMS_RMW 0x02    /* a read whose destination is written back: segment write check */
#define JMS_SIGNED 0x04
#define JMS_USER 0x08
typedef struct JitMemSite {
    uint32_t eip;   /* of the instruction (precise faults) */
    uint8_t seg;
    uint8_t size;
    uint8_t flags;  /* JMS_* */
    uint8_t pending; /* instructions of the block not retired at the access (its own too) */
    struct TransBlock *tb; /* the block it belongs to */
    uint32_t host_off;     /* offset in the block's code of its host-window access, or
                              JMS_NO_WINDOW; a fault there resumes at stub_off */
    uint32_t stub_off;     /* offset of its slow-path stub */
} JitMemSite;
#define JMS_NO_WINDOW 0xFFFFFFFFu

/* A direct exit of a block: a patchable jump, chained to the target block or not. */
typedef struct JitExitSlot {
    struct TransBlock *tb;       /* the block this exit belongs to */
    struct TransBlock *target;   /* block it is chained to, or NULL */
    struct JitExitSlot *next_in; /* next slot in target->incoming */
    uint8_t *jmp_field;          /* rel32 field of the jump (NULL: not chainable) */
    uint8_t *unchained;          /* code the jump reaches when not chained */
    uint32_t target_eip;
} JitExitSlot;

typedef struct TransBlock {
    uint32_t phys;      /* guest-physical address of the first byte */
    uint32_t phys_page; /* phys & PAGE_MASK */
    const uint8_t *host_page; /* the host copy of the page the code was read from: a block
                                 runs only while the TLB maps its EIP to this very page
                                 (remapped pages, e.g. PAM shadowing, get new blocks) */
    uint32_t lin;       /* linear address of the first byte (cs_base + eip) */
    uint32_t eip, cs_base, cs_limit, mode;
    uint16_t ninsns;    /* guest instructions */
    uint16_t cover_lo, cover_hi; /* page offsets of the bytes its instructions occupy: the
                                    block follows jumps but never leaves its page */
    bool valid;
    uint16_t win_faults; /* host-window accesses of this block that faulted */
    uint8_t *code;      /* entry from the dispatcher */
    uint8_t *warm;      /* entry from other blocks (chained jumps, the jump cache), which
                           hand over the guest registers in host registers as well */
    uint32_t code_size;
    JitInsnRec *insns;  /* lockstep: every instruction's record; otherwise only those of
                           the instructions it hands to their handlers, in order */
    JitMemSite *sites;
    uint16_t nsites;
    JitExitSlot *exits; /* its direct exits (IR_EXIT_TB slots), nexits of them */
    uint8_t nexits;
    JitExitSlot *incoming;       /* slots of other blocks chained to this one */
    struct TransBlock *hash_next;
    struct TransBlock *page_next;
} TransBlock;

/* Blocks of one physical page. */
typedef struct JitPage {
    uint32_t page;
    TransBlock *blocks;
    struct JitPage *next;
} JitPage;

/* What the front end and backend know about the block being translated. */
typedef struct JitTranslateCtx {
    uint32_t mode, eip, cs_base, cs_limit, lin, phys;
    const uint8_t *host_page;
    unsigned max_insns;
    bool no_chain;     /* lockstep: every exit returns to the dispatcher */
    bool stop_at_io;   /* lockstep: port I/O is never inside a block */
} JitTranslateCtx;

/* Output of the front end beside the IR. */
typedef struct FeOutput {
    JitInsnRec insns[JIT_MAX_INSNS];
    bool handler[JIT_MAX_INSNS]; /* runs through its interpreter handler (IR_HANDLER) */
    bool cont[JIT_MAX_INSNS]; /* a branch whose block continues (fall-through or target) */
    unsigned ninsns;
    uint16_t cover_lo, cover_hi;
    JitMemSite sites[IR_MAX_SITES];
    unsigned nsites;
    unsigned ninline;     /* instructions translated inline (the rest call handlers) */
    uint32_t exit_eip[JIT_MAX_EXITS]; /* target EIPs of the IR_EXIT_TB slots */
    unsigned nexits;      /* slots used */
} FeOutput;

typedef struct JitStats {
    uint64_t blocks;          /* blocks translated */
    uint64_t flushes;         /* code-cache flushes */
    uint64_t chains;          /* jumps patched to chain blocks */
    uint64_t unchains;        /* chained jumps undone by invalidation */
    uint64_t invalidations;   /* blocks invalidated by writes to their code */
    uint64_t block_runs;      /* entries from the dispatcher */
    uint64_t jc_misses;       /* indirect exits the jump cache could not resolve */
    uint64_t helper_calls;    /* interpreter handlers called from translated code */
    uint64_t slow_mem;        /* memory accesses that took the slow path */
    uint64_t window_faults;   /* host-window accesses that faulted (to the slow path) */
    uint64_t window_demotions; /* blocks retranslated without the window (faulted often) */
    uint64_t aborts;          /* blocks left early to run an instruction in the interpreter */
    uint64_t interp_insns;    /* instructions the dispatcher ran in the interpreter */
    uint64_t ir_ops;          /* IR ops generated (after optimisation) */
    uint64_t code_bytes;      /* host code generated */
    uint64_t guest_insns;     /* guest instructions translated */
    uint64_t inline_insns;    /* ... of which translated inline (not handler calls) */
    uint64_t handler_by_op[OP_COUNT]; /* helper calls per operation (--stats: the top few) */
} JitStats;

typedef uintptr_t (*JitEnterFn)(CpuState *cpu, const void *code);

struct Lockstep;

struct JitState {
    CpuState *cpu;
    bool lockstep;
    /* Code cache: [cache, cache + cache_size); the trampolines sit at the start. */
    uint8_t *cache;
    size_t cache_size;
    uint8_t *cache_ptr;        /* next free byte */
    uint8_t *cache_body;       /* first byte after the trampolines */
    JitEnterFn enter;          /* runs code until it returns to the dispatcher */
    uint8_t *epilogue;         /* returns rax to the dispatcher */
    uint8_t *epilogue_zero;    /* returns JIT_RET_NORMAL */
    uint8_t *epilogue_zero_raw; /* the same when cpu->icount is already exact */
    uint8_t *epilogue_interp;  /* returns JIT_RET_INTERP (cpu->icount already exact) */
    uint8_t *epilogue_jc_miss; /* counts a jump-cache miss, returns JIT_RET_NORMAL */
    uint8_t *slow_ld;          /* shared slow paths of guest loads and stores (see */
    uint8_t *slow_st;          /* bk_emit_trampolines) */
    uint8_t *light_get_cf;     /* register-preserving calls of the flag helpers */
    uint8_t *light_cond;
    uint8_t *light_arith;
    /* Metadata arena. */
    uint8_t *meta;
    size_t meta_size, meta_used;
    TransBlock *hash[1u << JIT_HASH_BITS];
    TransBlock *jcache[1u << JIT_JC_BITS];
    JitPage *pages[1u << JIT_PAGE_HASH_BITS];
    IrBlock *ir;               /* scratch for one translation */
    JitInsnRec *rec_of[JIT_MAX_INSNS]; /* scratch: the records of its handler calls */
    FeOutput *fe_out;
    bool dump;                 /* -d jit: print IR and host code of each block */
    FILE *perf_map;            /* $VMM86_PERF_MAP set: /tmp/perf-PID.map for perf report */
    /* Host window (jit_window.c): the blocks by code address, for the fault handler. */
    uint8_t *window;           /* PhysMem's window when this JIT uses it, else NULL */
    TransBlock **win_tbs;
    size_t win_ntbs, win_cap;
    uint8_t *nowin;            /* bit per guest-physical page: its blocks use the TLB path */
    JitStats stats;
    struct Lockstep *ls;
};

/* Values a block returns to the dispatcher (anything larger is a JitExitSlot pointer: a
 * direct exit that is not chained yet). */
#define JIT_RET_NORMAL 0u  /* CpuState is complete; continue at cpu->eip */
#define JIT_RET_INTERP 1u  /* run the instruction at cpu->eip in the interpreter first */

/* ---- tb.c --------------------------------------------------------------------------------- */
uint32_t jit_mode(const CpuState *cpu);
void *jit_meta_alloc(JitState *j, size_t size);
TransBlock *tb_lookup(JitState *j, uint32_t phys, const uint8_t *host_page, uint32_t eip,
                      uint32_t cs_base, uint32_t cs_limit, uint32_t mode);
void tb_insert(JitState *j, TransBlock *tb);
void tb_chain(JitState *j, JitExitSlot *slot, TransBlock *target);
void tb_invalidate(JitState *j, TransBlock *tb);
void tb_flush_all(JitState *j);
bool tb_page_has_code(JitState *j, uint32_t pa, unsigned len);
bool tb_overlaps(const TransBlock *tb, uint32_t pa, unsigned len);

/* jit_window.c: translated code's side of the host window (softmmu/hostwin.h). */
#define JIT_WIN_FAULT_LIMIT 32 /* faults after which a block is translated without it */
bool jit_window_init(JitState *j);
void jit_window_fini(JitState *j);
uint8_t *jit_window_for(const JitState *j, const JitTranslateCtx *ctx);
bool jit_window_add_block(JitState *j, TransBlock *tb); /* false: out of memory */
void jit_window_reset(JitState *j);
void jit_window_demote(JitState *j, TransBlock *tb);
void jit_code_write(void *opaque, uint32_t pa, unsigned len);
static inline unsigned jc_hash(uint32_t lin)
{
    return (lin ^ (lin >> JIT_JC_BITS)) & ((1u << JIT_JC_BITS) - 1);
}

/* ---- frontend.c ---------------------------------------------------------------------------- */
/* Decodes and translates the block starting at ctx (bytes from the host copy of its page).
 * Returns false when not even one instruction can be translated. */
bool fe_translate(const JitTranslateCtx *ctx, const uint8_t *page, IrBlock *ir, FeOutput *out);

/* ---- backend (backend_x86_64.c) -------------------------------------------------------------- */
typedef struct BackendInput {
    const IrBlock *ir;
    const JitTranslateCtx *ctx;
    TransBlock *tb;            /* metadata already placed (insns, sites, exit targets) */
    const FeOutput *fe;        /* the instructions' EIPs (IR_GUARD); NULL: none guard */
    JitInsnRec *const *rec_of; /* per instruction: its record for IR_HANDLER, or NULL */
} BackendInput;
typedef enum BackendResult {
    BK_OK,
    BK_CACHE_FULL, /* flush the cache and translate again */
    BK_TOO_BIG,    /* out of registers, spill slots or stubs: translate fewer instructions */
} BackendResult;
bool backend_init(JitState *j);
/* Generates the block's code at j->cache_ptr. */
BackendResult backend_gen(JitState *j, const BackendInput *in);

/* ---- jit_helpers.c: called from generated code -------------------------------------------------- */
uint32_t jit_helper_exec_insn(CpuState *cpu, const JitInsnRec *rec);
/* The same for a record with no decoded instruction (insn.len 0: it continues on the next
 * page, see fe_translate): fetches and decodes it first, as the interpreter does. */
uint32_t jit_helper_exec_fetch(CpuState *cpu, const JitInsnRec *rec);
/* The slow paths of guest accesses. `icount` is the count with every instruction the block
 * charged retired; the helpers set cpu->icount from it (site->pending not retired). */
uint64_t jit_helper_load(CpuState *cpu, uint32_t off, uint32_t unused, const JitMemSite *site,
                         uint64_t icount);
uint32_t jit_helper_store(CpuState *cpu, uint32_t off, uint32_t value, const JitMemSite *site,
                          uint64_t icount);
void jit_helper_raise(CpuState *cpu, uint32_t eip, uint32_t vector);
uint32_t jit_helper_cond(CpuState *cpu, uint32_t cc);
uint32_t jit_helper_get_cf(CpuState *cpu);
uint32_t jit_helper_arith_flags(CpuState *cpu);

/* ---- lockstep.c ------------------------------------------------------------------------------- */
CpuExit lockstep_exec(JitState *j, uint64_t budget);
bool lockstep_init(JitState *j);
void lockstep_free(JitState *j);
void lockstep_log_write(JitState *j, uint32_t pa, unsigned len);
void lockstep_print_stats(const JitState *j, FILE *out);
/* The architectural state two engines must agree on: NULL if a and b match, else a
 * description of the first group of fields that differs. */
const char *lockstep_compare_cpu(const CpuState *a, const CpuState *b);

/* ---- jit.c ------------------------------------------------------------------------------------- */
/* Finds or translates the block at CS:EIP; NULL when the interpreter must run this
 * instruction (not translatable, TLB miss on the fetch, ...). */
TransBlock *jit_find_block(JitState *j);
bool jit_needs_interp(const CpuState *cpu);

#endif
