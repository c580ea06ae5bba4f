/* optable.h — the opcode facts of the i686 (+MMX, SSE, SSE2, x87), in one table.
 *
 * Contract: cpu/opcode_table.inc holds one row per instruction form; cpu/ops.inc names the
 * operations (OpId). The decoder, interpreter, disassembler and translator all read these
 * rows and nothing else for opcode facts. A row says: which map and opcode byte, which
 * ModRM selector (group member, register/memory form, or exact ModRM byte for x87) and
 * mandatory prefix pick it, the operation, the mnemonic, up to three operands in the Intel
 * SDM's Appendix A notation (kind + size), the EFLAGS it reads, writes and leaves
 * undefined, and attributes (lockable, REP-able, privileged, ends a block, ...).
 * Derived lookup structures are built from the rows once, at start-up (optable.c).
 */
#ifndef VMM86_CPU_OPTABLE_H
#define VMM86_CPU_OPTABLE_H

#include <stdint.h>

#include "cpu/cpu_state.h"

typedef enum OpId {
#define OP(name) OP_##name,
#include "cpu/ops.inc"
#undef OP
    OP_COUNT
} OpId;

/* Operand kinds (SDM Appendix A letters where there is one). */
typedef enum OperandKind {
    OK_NONE = 0,
    OK_E,      /* ModRM r/m: general register or memory */
    OK_G,      /* ModRM reg: general register */
    OK_M,      /* ModRM r/m: memory only */
    OK_R,      /* ModRM r/m: general register only (mod ignored: MOV CR/DR) */
    OK_S,      /* ModRM reg: segment register */
    OK_C,      /* ModRM reg: control register */
    OK_D,      /* ModRM reg: debug register */
    OK_I,      /* immediate */
    OK_IS,     /* immediate byte, sign-extended to the operand size */
    OK_J,      /* relative branch displacement */
    OK_A,      /* direct far pointer (offset, then selector) */
    OK_O,      /* memory offset (moffs), no ModRM */
    OK_X,      /* string source DS:rSI (segment override allowed) */
    OK_Y,      /* string destination ES:rDI */
    OK_Z,      /* general register from the opcode's low three bits */
    OK_FIXREG, /* a fixed general register (AL, eAX, CL, DX, ...) */
    OK_FIXSEG, /* a fixed segment register (PUSH ES, ...) */
    OK_ONE,    /* the constant 1 (shift by one) */
    OK_ST0,    /* x87 ST(0) */
    OK_STI,    /* x87 ST(i), i from ModRM r/m */
    OK_P,      /* ModRM reg: MMX register */
    OK_Q,      /* ModRM r/m: MMX register or memory */
    OK_N,      /* ModRM r/m: MMX register only */
    OK_V,      /* ModRM reg: XMM register */
    OK_W,      /* ModRM r/m: XMM register or memory */
    OK_U,      /* ModRM r/m: XMM register only */
    OK_COUNT
} OperandKind;

/* Operand sizes. */
typedef enum OperandSize {
    SZ_NONE = 0,
    SZ_B,    /* byte */
    SZ_W,    /* word */
    SZ_D,    /* doubleword */
    SZ_V,    /* word or doubleword by operand size */
    SZ_Z,    /* immediate: word or doubleword by operand size */
    SZ_WV,   /* memory: word; register: operand size (MOV r/m,Sreg; SLDT; STR; SMSW) */
    SZ_P,    /* far pointer: 16:16 or 16:32 by operand size */
    SZ_A,    /* BOUND pair: 2 words or 2 doublewords */
    SZ_S,    /* pseudo-descriptor: 6 bytes (LGDT/SGDT) */
    SZ_Q,    /* quadword */
    SZ_DQ,   /* double quadword (128 bits) */
    SZ_F32,  /* x87 single-real memory operand */
    SZ_F64,  /* x87 double-real */
    SZ_F80,  /* x87 extended-real */
    SZ_I16,  /* x87 word integer */
    SZ_I32,  /* x87 short integer */
    SZ_I64,  /* x87 long integer */
    SZ_BCD,  /* x87 packed BCD (10 bytes) */
    SZ_ENV,  /* x87 environment: 14 or 28 bytes by operand size */
    SZ_FSAVE,  /* x87 state: 94 or 108 bytes by operand size */
    SZ_FXSAVE, /* FXSAVE area: 512 bytes */
    SZ_COUNT
} OperandSize;

/* An operand spec packs kind, size and (for fixed registers) the register number. */
#define OPND(kind, size, reg) ((uint16_t)((kind) | (size) << 5 | (reg) << 10))
#define OPND_KIND(spec) ((OperandKind)((spec)&0x1F))
#define OPND_SIZE(spec) ((OperandSize)(((spec) >> 5) & 0x1F))
#define OPND_REG(spec) (((spec) >> 10) & 0x7)

/* ModRM selectors: which rows of one opcode a given ModRM byte picks. */
#define SEL_ANY 0x000          /* no ModRM, or ModRM without a group field */
#define SEL_REG(r) (0x100 | (r))  /* group member /r, any mod */
#define SEL_MEM(r) (0x200 | (r))  /* /r with a memory operand (mod != 3) */
#define SEL_RM3(r) (0x300 | (r))  /* /r with a register operand (mod == 3) */
#define SEL_MODRM(m) (0x400 | (m)) /* exactly this ModRM byte (mod == 3): x87 specials */
#define SEL_MEM_ANY 0x500          /* any /r with a memory operand */
#define SEL_RM3_ANY 0x600          /* any /r with a register operand */
#define SEL_KIND(s) ((s)&0x700)
#define SEL_VALUE(s) ((s)&0xFF)

/* Mandatory prefixes for the 0F map (SSE): which of none/66/F3/F2 picks the row. */
#define PFX_ANY 0 /* legacy instruction: prefixes have their usual meaning */
#define PFX_NP 1  /* no 66/F2/F3 */
#define PFX_66 2
#define PFX_F3 3
#define PFX_F2 4

/* Row attributes. */
#define A_MODRM 0x00000001u    /* has a ModRM byte (derived from operands and selector) */
#define A_LOCK 0x00000002u     /* LOCK allowed (with a memory destination) */
#define A_REP 0x00000004u      /* REP repeats it (MOVS, STOS, LODS, INS, OUTS) */
#define A_REPCC 0x00000008u    /* REPE/REPNE repeat it (CMPS, SCAS) */
#define A_BRANCH 0x00000010u   /* transfers control (ends a block) */
#define A_COND 0x00000020u     /* condition code in the opcode's low nibble (Jcc/SETcc/CMOVcc) */
#define A_ENDBLK 0x00000040u   /* may change mode, interrupt state or code: ends a block */
#define A_PRIV 0x00000080u     /* CPL 0 only */
#define A_IO 0x00000100u       /* port I/O (IOPL and I/O-bitmap checks) */
#define A_SYS 0x00000200u      /* system instruction: the translator calls the monitor */
#define A_X87 0x00000400u      /* x87 (CR0.EM/TS apply) */
#define A_MMX 0x00000800u      /* MMX */
#define A_SSE 0x00001000u      /* SSE */
#define A_SSE2 0x00002000u     /* SSE2 */
#define A_STACK 0x00004000u    /* implicit stack access (uses the stack size) */
#define A_STRING 0x00008000u   /* string instruction */
#define A_NOWAIT 0x00010000u   /* x87 control instruction that does not check pending errors */
#define A_UNDOC 0x00020000u    /* undocumented but present on P6 (SALC, ICEBP, x87 aliases) */
#define A_BYTE 0x00040000u     /* byte-sized operation (w bit clear) */
#define A_CTRL_FP 0x00080000u  /* x87 control op: does not update FIP/FDP/FOP */
#define A_FAR 0x00100000u      /* far transfer / segment load */

/* EFLAGS masks used in the table's flag columns. */
#define F__ 0u
#define F_C FL_CF
#define F_P FL_PF
#define F_A FL_AF
#define F_Z FL_ZF
#define F_S FL_SF
#define F_O FL_OF
#define F_D FL_DF
#define F_OSZAPC FL_ARITH
#define F_OSZAP (FL_OF | FL_SF | FL_ZF | FL_AF | FL_PF)
#define F_SZAPC (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)
#define F_SZP (FL_SF | FL_ZF | FL_PF)
#define F_OSZP (FL_OF | FL_SF | FL_ZF | FL_PF)
#define F_SZAP (FL_SF | FL_ZF | FL_AF | FL_PF)
#define F_OC (FL_OF | FL_CF)
#define F_OA (FL_OF | FL_AF)
#define F_OAC (FL_OF | FL_AF | FL_CF)
#define F_OSAP (FL_OF | FL_SF | FL_AF | FL_PF)
#define F_OSZPC (FL_OF | FL_SF | FL_ZF | FL_PF | FL_CF)
#define F_CC 0x80000000u /* reads the flags its condition code names (cpu_cond_flags) */
#define F_ALL 0x003F7FD5u /* every flag (POPF, IRET, SAHF-like whole-register writes) */
#define F_SAHF (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

typedef struct OpcodeRow {
    uint16_t op;       /* OpId */
    uint8_t map;       /* 0: one-byte map, 1: 0F map */
    uint8_t opcode;    /* opcode byte */
    uint16_t sel;      /* SEL_* */
    uint8_t pfx;       /* PFX_* */
    uint8_t nopnd;     /* number of explicit operands */
    const char *mnem;  /* mnemonic (Intel syntax, lower case) */
    uint16_t opnd[3];  /* OPND specs */
    uint32_t fl_read;  /* EFLAGS bits read (F_CC: by condition) */
    uint32_t fl_write; /* EFLAGS bits written with a defined value */
    uint32_t fl_undef; /* EFLAGS bits left undefined */
    uint32_t attr;     /* A_* */
} OpcodeRow;

extern const OpcodeRow optable_rows[];
extern const unsigned optable_nrows;
extern const char *const op_names[OP_COUNT];

/* The EFLAGS bits condition code cc (0..15, the Jcc low nibble) reads. */
uint32_t cpu_cond_flags(unsigned cc);

#endif
