/* cpu_state.h — the one record of guest CPU state (DESIGN.md: one source of truth).
 *
 * Contract: every architectural fact about the guest CPU lives here and nowhere else across
 * an instruction or block boundary. General registers are 64 bits wide so long mode can be
 * added later; the i686 uses the low 32. The six arithmetic flags are lazy: when cc_op is
 * CC_OP_EFLAGS they are the bits in `eflags`, otherwise they are derived from cc_* by
 * cpu/flags.h. Segment registers carry their descriptor caches. The translator reads field
 * offsets (offsetof) and never caches guest state elsewhere across a block boundary.
 * The host is little-endian (x86-64, AArch64), which the register views rely on.
 */
#ifndef VMM86_CPU_CPU_STATE_H
#define VMM86_CPU_CPU_STATE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/fpu_state.h"
#include "softmmu/tlb.h"

/* General registers, in their encoding order. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };

/* Segment registers, in their encoding order (the sreg field of ModRM). */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT, SEG_NONE = 7 };

/* EFLAGS bits. */
#define FL_CF 0x00000001u
#define FL_RSVD1 0x00000002u /* always 1 */
#define FL_PF 0x00000004u
#define FL_AF 0x00000010u
#define FL_ZF 0x00000040u
#define FL_SF 0x00000080u
#define FL_TF 0x00000100u
#define FL_IF 0x00000200u
#define FL_DF 0x00000400u
#define FL_OF 0x00000800u
#define FL_IOPL 0x00003000u
#define FL_IOPL_SHIFT 12
#define FL_NT 0x00004000u
#define FL_RF 0x00010000u
#define FL_VM 0x00020000u
#define FL_AC 0x00040000u
#define FL_VIF 0x00080000u
#define FL_VIP 0x00100000u
#define FL_ID 0x00200000u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
/* Bits software can ever see set on an i686 (everything else reads 0, bit 1 reads 1). */
#define FL_LIVE_MASK 0x003F7FD5u

/* CR0 / CR4 bits. */
#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u
#define CR4_VME 0x0001u
#define CR4_PVI 0x0002u
#define CR4_TSD 0x0004u
#define CR4_DE 0x0008u
#define CR4_PSE 0x0010u
#define CR4_PAE 0x0020u
#define CR4_MCE 0x0040u
#define CR4_PGE 0x0080u
#define CR4_PCE 0x0100u
#define CR4_OSFXSR 0x0200u
#define CR4_OSXMMEXCPT 0x0400u

/* Segment descriptor attribute bits as kept in SegCache.attr: bits 8..15 and 20..23 of the
 * descriptor's high dword, i.e. (hi >> 8) & 0xF0FF. */
#define SA_TYPE 0x000Fu    /* type field */
#define SA_ACCESSED 0x0001u
#define SA_RW 0x0002u      /* data: writable; code: readable */
#define SA_DC 0x0004u      /* data: expand-down; code: conforming */
#define SA_CODE 0x0008u
#define SA_S 0x0010u       /* code/data (1) or system (0) */
#define SA_DPL 0x0060u
#define SA_DPL_SHIFT 5
#define SA_P 0x0080u
#define SA_AVL 0x1000u
#define SA_DB 0x4000u      /* default operand size / big stack / expand-down upper bound */
#define SA_G 0x8000u

/* Descriptor cache of a segment register (or LDTR / TR). */
typedef struct SegCache {
    uint32_t base;  /* linear base address */
    uint32_t limit; /* byte-granular limit (granularity already applied) */
    uint16_t sel;   /* visible selector */
    uint16_t attr;  /* SA_* bits; 0 for an unusable (null-loaded) protected-mode segment */
} SegCache;

typedef struct DescTable {
    uint32_t base;
    uint32_t limit; /* 16 bits architecturally */
} DescTable;

/* One general register with its narrower views. */
typedef union GuestReg {
    uint64_t q;
    uint32_t d;
    uint16_t w;
    struct {
        uint8_t l, h;
    } b;
} GuestReg;

/* Why cpu_exec returned. */
typedef enum CpuExit {
    CPU_EXIT_BUDGET = 0, /* ran the requested number of instructions */
    CPU_EXIT_HALT,       /* HLT, nothing pending */
    CPU_EXIT_REQUEST,    /* a device or the front end asked to stop (cpu->exit_request) */
    CPU_EXIT_SHUTDOWN,   /* triple fault or reset request */
} CpuExit;

typedef struct Machine Machine;
typedef struct PhysMem PhysMem;
typedef struct IoPortSpace IoPortSpace;

typedef struct CpuState {
    GuestReg gpr[8];     /* EAX..EDI */
    uint32_t eip;        /* start of the current instruction (precise-exception EIP) */
    uint32_t next_eip;   /* during an instruction: EIP after it; handlers set it to branch */
    uint32_t eflags;     /* EFLAGS; the FL_ARITH bits are stale unless cc_op == CC_OP_EFLAGS */
    uint32_t cc_op;      /* lazy-flag operation (cpu/flags.h) */
    uint32_t cc_res;     /* its result */
    uint32_t cc_src1;    /* its first source */
    uint32_t cc_src2;    /* its second source (or carry-in / old CF, per cc_op) */

    SegCache seg[SEG_COUNT]; /* ES CS SS DS FS GS */
    SegCache ldtr;           /* local descriptor table register */
    SegCache tr;             /* task register */
    DescTable gdtr;          /* global descriptor table */
    DescTable idtr;          /* interrupt descriptor table (IVT base/limit in real mode) */

    uint32_t cr0, cr2, cr3, cr4; /* control registers */
    uint32_t dr[8];              /* debug registers (DR4/DR5 alias DR6/DR7) */
    uint8_t cpl;                 /* current privilege level */

    /* Model-specific registers we model. */
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint32_t perfevtsel[2]; /* P6 PerfEvtSel0/1 (MSR 186h/187h), as written; reset: 0 */
    uint64_t perfctr[2];    /* P6 PerfCtr0/1 (MSR C1h/C2h, 40 bits), as written: no event is
                             * counted (events are not modelled); reset: 0 */
    uint64_t tsc_adjust; /* TSC = virtual clock (the clock hook) + tsc_adjust: reset and
                          * WRMSR to 0x10 set it */
    uint64_t tsc_offset; /* TSC - icount during a run: cpu_clock_sync() derives it from the
                          * hook at each engine entry (the JIT's inline RDTSC reads it) */

    FpuState fpu; /* x87, MMX and SSE state (cpu/fpu_state.h) */

    /* Execution and interrupt state. */
    uint64_t icount;       /* retired instructions: the virtual clock's source (a #DB trap
                            * delivered with none retired since the last counts as one) */
    uint64_t icount_limit; /* cpu_exec stops when icount reaches this */
    bool intr;             /* level of the INTR pin from the interrupt controller */
    bool nmi_pending;      /* an NMI edge is latched */
    bool nmi_blocked;      /* inside an NMI handler until IRET */
    bool halted;           /* in HLT, waiting for an interrupt */
    uint8_t inhibit_irq;   /* interrupt shadow: 1 after STI / MOV SS / POP SS */
    bool exit_request;     /* ask cpu_exec to return at the next instruction boundary */
    bool shutdown;         /* triple fault: the machine resets (or exits with -no-reboot) */
    bool a20_enabled;      /* A20 gate: false masks physical address bit 20 */
    uint32_t a20_mask;     /* 0xFFFFFFFF or 0xFFEFFFFF */
    int (*intr_ack)(void *opaque); /* INTA cycle: the vector from the interrupt controller */
    void *intr_opaque;
    void (*ferr)(void *opaque, bool level); /* FERR# output (x87 errors with CR0.NE=0), or NULL */
    void *ferr_opaque;
    bool ignne;            /* level of the IGNNE# input: waiting x87 instructions ignore errors */
    /* The virtual clock in TSC ticks (one per instruction's worth of virtual time, idle
     * jumps included): the machine's scheduler. It may move apart from icount only between
     * engine runs (idle jumps). NULL: icount alone (bare CPU tests). */
    uint64_t (*clock)(void *opaque);
    void *clock_opaque;

    /* Exception delivery. A guest exception longjmps here (the only longjmp there is). */
    jmp_buf exc_jmp;
    int exc_vector;     /* vector being raised (valid after the longjmp) */
    uint32_t exc_error; /* its error code */
    bool exc_has_error; /* it pushes an error code */
    int delivering;     /* vector being delivered (for #DF / triple-fault rules), -1 if none */
    uint32_t dr6_pending; /* DR6 bits to report with a pending #DB trap */
    uint64_t db_trap_icount; /* icount when the last #DB trap was delivered (livelock guard) */
    bool trap_pending;    /* single-step or data breakpoint trap after this instruction */
    bool keep_rf;         /* this instruction loaded EFLAGS.RF (IRET, task switch): keep it */
    bool no_step_trap;    /* this instruction entered a handler through INT n/INT3/INTO/ICEBP:
                           * no single-step trap after it (the gate cleared TF) */

    /* Memory and I/O. The TLB lives here so translated code can reach it by offset. */
    Tlb tlb;
    PhysMem *mem;
    IoPortSpace *io;
    Machine *machine;
    void *engine; /* the execution engine's private state (JIT) */

    /* Counters, printed by --stats. */
    struct {
        uint64_t exceptions, interrupts, tlb_misses, tlb_flushes, io_accesses;
    } stats;
} CpuState;

/* Register views. */
#define CPU_REG32(cpu, r) ((cpu)->gpr[(r)].d)
#define CPU_REG16(cpu, r) ((cpu)->gpr[(r)].w)
#define EAX gpr[R_EAX].d
#define ECX gpr[R_ECX].d
#define EDX gpr[R_EDX].d
#define EBX gpr[R_EBX].d
#define ESP gpr[R_ESP].d
#define EBP gpr[R_EBP].d
#define ESI gpr[R_ESI].d
#define EDI gpr[R_EDI].d

/* 8-bit register by encoding: 0-3 are AL CL DL BL, 4-7 are AH CH DH BH. */
static inline uint8_t *cpu_reg8_ptr(CpuState *cpu, int r)
{
    return r < 4 ? &cpu->gpr[r].b.l : &cpu->gpr[r - 4].b.h;
}

static inline bool cpu_pe(const CpuState *cpu) { return cpu->cr0 & CR0_PE; }
static inline bool cpu_vm86(const CpuState *cpu) { return cpu->eflags & FL_VM; }
static inline bool cpu_real(const CpuState *cpu) { return !(cpu->cr0 & CR0_PE); }
/* Default operand/address size of the code segment: 32-bit in a D=1 protected segment. */
static inline bool cpu_code32(const CpuState *cpu)
{
    return (cpu->seg[SEG_CS].attr & SA_DB) && cpu_pe(cpu) && !cpu_vm86(cpu);
}
static inline bool cpu_stack32(const CpuState *cpu)
{
    return (cpu->seg[SEG_SS].attr & SA_DB) && cpu_pe(cpu) && !cpu_vm86(cpu);
}
static inline unsigned cpu_iopl(const CpuState *cpu)
{
    return (cpu->eflags & FL_IOPL) >> FL_IOPL_SHIFT;
}

#endif
