/* decode.h — the instruction decoder: bytes in, a DecodedInsn out.
 *
 * Contract (DESIGN.md): decode() is a pure function of a byte buffer and a mode (16- or
 * 32-bit code). It never touches guest memory, the TLB or CpuState, and reads no byte of
 * the buffer past `len`. It returns
 *   DEC_OK         with *insn filled (insn->len bytes consumed),
 *   DEC_NEED_MORE  when the buffer ended before the instruction did (and is < 15),
 *   DEC_UNDEFINED  for an opcode or form that raises #UD (including a misplaced LOCK),
 *   DEC_TOO_LONG   when the instruction would exceed 15 bytes (#GP(0)).
 * When a buffer is both short and the instruction too long, the field that first runs
 * out decides, as when reading byte by byte. On anything but DEC_OK *insn is unspecified.
 * Every fact about opcodes comes from cpu/opcode_table.inc through optable.h. Operands are
 * resolved into register numbers, immediate values and one memory-operand description
 * (base, index, scale, displacement, segment); the effective address is computed at
 * execution time with insn_ea(). Conventions: the memory operand's opnd[i].reg is 0;
 * 16-bit [SI], [DI] and [BX] forms report the register as ea_base; ea_scale is 0 when there
 * is no index; seg is the override, else SS for (E)BP/(E)SP-based addresses, else DS (also
 * for instructions without a memory operand); a 16-bit displacement is the 16-bit offset
 * (0..FFFF); the operand size ignores a 66 that served as a mandatory prefix.
 * Prefix rules: segment override, the last one wins; 66/67 toggle once however often they
 * appear; for SSE rows the mandatory prefix is the last of F2/F3, else 66, and an F2/F3
 * that selects no row of the opcode is ignored. The Capstone differential test
 * (tests/diff/decoder) lists where and why we differ from Capstone 4.
 * Speed: decode_init() builds lookup tables from the rows once; the common case (no
 * prefix, or up to three, with 15 or more bytes available) needs no bounds checks and no
 * data-dependent branches (benchmarks/decoder).
 */
#ifndef VMM86_CPU_DECODE_H
#define VMM86_CPU_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/optable.h"

#define INSN_MAX_LEN 15
#define EA_NONE 0xFF

typedef enum DecodeStatus {
    DEC_OK = 0,
    DEC_NEED_MORE,
    DEC_UNDEFINED,
    DEC_TOO_LONG,
} DecodeStatus;

/* Resolved operand kinds. */
typedef enum OperandType {
    OPT_NONE = 0,
    OPT_GPR,    /* general register: reg 0-7 (for size 1, 4-7 are AH CH DH BH) */
    OPT_MEM,    /* the instruction's memory operand (see DecodedInsn ea_*) */
    OPT_IMM,    /* immediate: reg 0 = insn->imm, reg 1 = insn->imm2 */
    OPT_REL,    /* branch displacement in insn->imm (sign-extended) */
    OPT_FAR,    /* far pointer: offset in imm, selector in imm2 */
    OPT_SEG,    /* segment register */
    OPT_CR,     /* control register */
    OPT_DR,     /* debug register */
    OPT_ST,     /* x87 ST(reg) */
    OPT_MMX,    /* MMX register */
    OPT_XMM,    /* XMM register */
    OPT_STRSRC, /* string source seg:[rSI] */
    OPT_STRDST, /* string destination ES:[rDI] */
} OperandType;

typedef struct Operand {
    uint8_t type; /* OperandType */
    uint8_t size; /* bytes; for far pointers 4 or 6, BOUND 4 or 8, FPU memory sizes */
    uint8_t reg;
} Operand;

/* Prefix bits recorded in DecodedInsn.prefixes. */
#define PRE_LOCK 0x01
#define PRE_REP 0x02   /* F3 */
#define PRE_REPNE 0x04 /* F2 */
#define PRE_OPSIZE 0x08
#define PRE_ADSIZE 0x10
#define PRE_SEG 0x20

typedef struct DecodedInsn {
    const OpcodeRow *row; /* the table row (mnemonic, flags, attributes) */
    uint16_t op;          /* OpId, copied from the row for dispatch */
    uint8_t len;          /* bytes consumed */
    uint8_t map;          /* 0: one-byte map, 1: 0F map */
    uint8_t opcode;       /* opcode byte (after 0F) */
    uint8_t modrm;        /* ModRM byte, if any */
    uint8_t opsize;       /* effective operand size for 'v' operands: 2 or 4 */
    uint8_t adsize;       /* effective address size: 2 or 4 */
    uint8_t prefixes;     /* PRE_* */
    uint8_t seg;          /* segment of the memory / string-source operand */
    uint8_t rep;          /* 0, or PRE_REP / PRE_REPNE for string instructions */
    uint8_t nopnd;
    uint8_t ea_base;      /* base register or EA_NONE */
    uint8_t ea_index;     /* index register or EA_NONE */
    uint8_t ea_scale;     /* index shift, 0-3 */
    uint8_t has_modrm;
    uint32_t disp;        /* displacement (sign-extended) or moffs */
    uint32_t imm;         /* first immediate, sign- or zero-extended per operand */
    uint32_t imm2;        /* second immediate (ENTER level, far-pointer selector) */
    Operand opnd[3];
} DecodedInsn;

/* Builds the lookup structures from the opcode table. Idempotent; called by decode() on
 * first use, but cheap to call up front. */
void decode_init(void);

DecodeStatus decode(const uint8_t *bytes, size_t len, bool code32, DecodedInsn *insn);

/* The condition code of a Jcc/SETcc/CMOVcc (the opcode's low nibble). */
static inline unsigned insn_cond(const DecodedInsn *insn) { return insn->opcode & 0xF; }
static inline unsigned insn_modrm_reg(const DecodedInsn *insn) { return (insn->modrm >> 3) & 7; }
static inline unsigned insn_modrm_rm(const DecodedInsn *insn) { return insn->modrm & 7; }
static inline bool insn_mod3(const DecodedInsn *insn) { return (insn->modrm >> 6) == 3; }

#endif
