/* x86_64_emit.h — a small x86-64 instruction encoder for the JIT backend.
 *
 * Contract: every function appends one host instruction to a CodeBuf. Registers are host
 * register numbers 0-15 (RAX..R15, the encoding order). Operand size is given per call:
 * 1, 2, 4 or 8 bytes. A memory operand is base + index * (1 << scale) + disp with any base
 * (including RSP/R12 and RBP/R13, which need a SIB byte or a displacement) and an optional
 * index (never RSP). Byte operations on registers 4-7 always carry a REX prefix, so they
 * name SPL/BPL/SIL/DIL, never AH..BH. When the buffer is full the encoder stops writing and
 * sets `overflow`; the caller checks it once after generating a block. Encodings are from
 * the Intel SDM, Volume 2 (opcode maps in Appendix A, ModRM/SIB in chapter 2).
 * Only backend_x86_64*.c include this file.
 */
#ifndef VMM86_TRANSLATOR_X86_64_EMIT_H
#define VMM86_TRANSLATOR_X86_64_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum {
    X_RAX, X_RCX, X_RDX, X_RBX, X_RSP, X_RBP, X_RSI, X_RDI,
    X_R8, X_R9, X_R10, X_R11, X_R12, X_R13, X_R14, X_R15,
    X_NOREG = -1
};

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum {
    XC_O, XC_NO, XC_B, XC_AE, XC_E, XC_NE, XC_BE, XC_A,
    XC_S, XC_NS, XC_P, XC_NP, XC_L, XC_GE, XC_LE, XC_G
};

/* Group-1 ALU operations: the /digit of 81/83 and the row of the 00-3F block. */
enum { XA_ADD, XA_OR, XA_ADC, XA_SBB, XA_AND, XA_SUB, XA_XOR, XA_CMP };
/* Group-2 shifts: the /digit of C1/D3. */
enum { XS_ROL = 0, XS_ROR = 1, XS_SHL = 4, XS_SHR = 5, XS_SAR = 7 };

typedef struct CodeBuf {
    uint8_t *start; /* first byte of the buffer */
    uint8_t *p;     /* next byte to write */
    uint8_t *end;   /* one past the last usable byte */
    bool overflow;  /* the buffer ran out: the block must be discarded */
} CodeBuf;

typedef struct XMem {
    int8_t base;   /* host register or X_NOREG (then an index is required: [index*scale + disp]) */
    int8_t index;  /* host register or X_NOREG */
    uint8_t scale; /* 0-3 */
    int32_t disp;
} XMem;

static inline XMem xmem(int base, int32_t disp) { return (XMem){(int8_t)base, X_NOREG, 0, disp}; }
static inline XMem xmem_idx(int base, int index, unsigned scale, int32_t disp)
{
    return (XMem){(int8_t)base, (int8_t)index, (uint8_t)scale, disp};
}

/* Room for the longest instruction plus slack; checked before every instruction. */
static inline bool x_room(CodeBuf *cb)
{
    if (cb->overflow || cb->end - cb->p < 24) {
        cb->overflow = true;
        return false;
    }
    return true;
}

static inline void x_b(CodeBuf *cb, uint8_t b) { *cb->p++ = b; }
static inline void x_d(CodeBuf *cb, uint32_t v)
{
    memcpy(cb->p, &v, 4);
    cb->p += 4;
}
static inline void x_q(CodeBuf *cb, uint64_t v)
{
    memcpy(cb->p, &v, 8);
    cb->p += 8;
}

static inline void x_opcode(CodeBuf *cb, uint32_t opc)
{
    /* opc holds 1-3 bytes, most significant first (0x0FAF = 0F AF). */
    if (opc > 0xFFFF)
        x_b(cb, (uint8_t)(opc >> 16));
    if (opc > 0xFF)
        x_b(cb, (uint8_t)(opc >> 8));
    x_b(cb, (uint8_t)opc);
}

/* ModRM for a register-direct operand. */
static inline void x_modrm_reg(CodeBuf *cb, int reg, int rm)
{
    x_b(cb, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
}

/* ModRM (+SIB, +displacement) for a memory operand. */
static inline void x_modrm_mem(CodeBuf *cb, int reg, XMem m)
{
    int base = m.base, index = m.index;
    unsigned mod;
    if (base == X_NOREG) { /* [index*scale + disp32]: SIB with base 101b and mod 00 */
        x_b(cb, (uint8_t)((reg & 7) << 3 | 4));
        x_b(cb, (uint8_t)(m.scale << 6 | (index & 7) << 3 | 5));
        x_d(cb, (uint32_t)m.disp);
        return;
    }
    if (m.disp == 0 && (base & 7) != X_RBP)
        mod = 0;
    else if (m.disp >= -128 && m.disp <= 127)
        mod = 1;
    else
        mod = 2;
    if (index == X_NOREG && (base & 7) != X_RSP) {
        x_b(cb, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
    } else {
        int idx = index == X_NOREG ? X_RSP : index; /* index 100b = none */
        x_b(cb, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
        x_b(cb, (uint8_t)(m.scale << 6 | (idx & 7) << 3 | (base & 7)));
    }
    if (mod == 1)
        x_b(cb, (uint8_t)(int8_t)m.disp);
    else if (mod == 2)
        x_d(cb, (uint32_t)m.disp);
}

/* op reg, rm (register form). `size` 1 uses byte registers. */
static inline void x_rr(CodeBuf *cb, uint32_t opc, unsigned size, int reg, int rm)
{
    if (!x_room(cb))
        return;
    if (size == 2)
        x_b(cb, 0x66);
    uint8_t rex = 0x40 | (size == 8 ? 8 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0);
    if (rex != 0x40 || (size == 1 && ((reg >= 4 && reg < 8) || (rm >= 4 && rm < 8))))
        x_b(cb, rex);
    x_opcode(cb, opc);
    x_modrm_reg(cb, reg, rm);
}

/* op reg, [mem]. */
static inline void x_rm(CodeBuf *cb, uint32_t opc, unsigned size, int reg, XMem m)
{
    if (!x_room(cb))
        return;
    if (size == 2)
        x_b(cb, 0x66);
    uint8_t rex = 0x40 | (size == 8 ? 8 : 0) | (reg >= 8 ? 4 : 0) |
                  (m.index >= 8 ? 2 : 0) | (m.base >= 8 ? 1 : 0);
    if (rex != 0x40 || (size == 1 && reg >= 4 && reg < 8))
        x_b(cb, rex);
    x_opcode(cb, opc);
    x_modrm_mem(cb, reg, m);
}

/* ---- moves ------------------------------------------------------------------------------ */

static inline void x_mov_rr(CodeBuf *cb, unsigned size, int dst, int src)
{
    x_rr(cb, size == 1 ? 0x88 : 0x89, size, src, dst);
}
static inline void x_load(CodeBuf *cb, unsigned size, int dst, XMem m)
{
    x_rm(cb, size == 1 ? 0x8A : 0x8B, size, dst, m);
}
static inline void x_store(CodeBuf *cb, unsigned size, XMem m, int src)
{
    x_rm(cb, size == 1 ? 0x88 : 0x89, size, src, m);
}
static inline void x_movzx_rm(CodeBuf *cb, unsigned from, int dst, XMem m)
{
    x_rm(cb, from == 1 ? 0x0FB6 : 0x0FB7, 4, dst, m);
}
static inline void x_movsx_rm(CodeBuf *cb, unsigned from, int dst, XMem m)
{
    x_rm(cb, from == 1 ? 0x0FBE : 0x0FBF, 4, dst, m);
}
static inline void x_movzx_rr(CodeBuf *cb, unsigned from, int dst, int src)
{
    if (!x_room(cb))
        return;
    uint8_t rex = 0x40 | (dst >= 8 ? 4 : 0) | (src >= 8 ? 1 : 0);
    if (rex != 0x40 || (from == 1 && src >= 4 && src < 8))
        x_b(cb, rex);
    x_opcode(cb, from == 1 ? 0x0FB6 : 0x0FB7);
    x_modrm_reg(cb, dst, src);
}
static inline void x_movsx_rr(CodeBuf *cb, unsigned from, int dst, int src)
{
    if (!x_room(cb))
        return;
    uint8_t rex = 0x40 | (dst >= 8 ? 4 : 0) | (src >= 8 ? 1 : 0);
    if (rex != 0x40 || (from == 1 && src >= 4 && src < 8))
        x_b(cb, rex);
    x_opcode(cb, from == 1 ? 0x0FBE : 0x0FBF);
    x_modrm_reg(cb, dst, src);
}

/* mov r32, imm32 (zero-extends to 64 bits); xor for 0 would clobber flags, so not here. */
static inline void x_mov_ri(CodeBuf *cb, int dst, uint32_t imm)
{
    if (!x_room(cb))
        return;
    if (dst >= 8)
        x_b(cb, 0x41);
    x_b(cb, (uint8_t)(0xB8 + (dst & 7)));
    x_d(cb, imm);
}
static inline void x_mov_ri64(CodeBuf *cb, int dst, uint64_t imm)
{
    if (imm <= 0xFFFFFFFFu) {
        x_mov_ri(cb, dst, (uint32_t)imm);
        return;
    }
    if (!x_room(cb))
        return;
    x_b(cb, (uint8_t)(0x48 | (dst >= 8 ? 1 : 0)));
    x_b(cb, (uint8_t)(0xB8 + (dst & 7)));
    x_q(cb, imm);
}
/* mov [mem], imm (size 1, 2 or 4; 8 sign-extends a 32-bit immediate). */
static inline void x_store_imm(CodeBuf *cb, unsigned size, XMem m, uint32_t imm)
{
    x_rm(cb, size == 1 ? 0xC6 : 0xC7, size, 0, m);
    if (cb->overflow)
        return;
    if (size == 1)
        x_b(cb, (uint8_t)imm);
    else if (size == 2) {
        x_b(cb, (uint8_t)imm);
        x_b(cb, (uint8_t)(imm >> 8));
    } else
        x_d(cb, imm);
}

static inline void x_lea(CodeBuf *cb, unsigned size, int dst, XMem m)
{
    x_rm(cb, 0x8D, size, dst, m);
}

/* ---- arithmetic --------------------------------------------------------------------------- */

/* op dst, src (XA_*). */
static inline void x_alu_rr(CodeBuf *cb, int op, unsigned size, int dst, int src)
{
    x_rr(cb, (uint32_t)(op << 3 | (size == 1 ? 0 : 1)), size, src, dst);
}
/* op dst, [mem]. */
static inline void x_alu_rm(CodeBuf *cb, int op, unsigned size, int dst, XMem m)
{
    x_rm(cb, (uint32_t)(op << 3 | (size == 1 ? 2 : 3)), size, dst, m);
}
/* op [mem], src. */
static inline void x_alu_mr(CodeBuf *cb, int op, unsigned size, XMem m, int src)
{
    x_rm(cb, (uint32_t)(op << 3 | (size == 1 ? 0 : 1)), size, src, m);
}
static inline void x_imm_tail(CodeBuf *cb, unsigned size, bool imm8, uint32_t imm)
{
    if (cb->overflow)
        return;
    if (imm8 || size == 1)
        x_b(cb, (uint8_t)imm);
    else if (size == 2) {
        x_b(cb, (uint8_t)imm);
        x_b(cb, (uint8_t)(imm >> 8));
    } else
        x_d(cb, imm);
}
static inline bool x_fits8(uint32_t imm, unsigned size)
{
    int32_t s = size == 2 ? (int16_t)imm : (int32_t)imm;
    return s >= -128 && s <= 127;
}
/* op dst, imm. */
static inline void x_alu_ri(CodeBuf *cb, int op, unsigned size, int dst, uint32_t imm)
{
    bool i8 = size != 1 && x_fits8(imm, size);
    x_rr(cb, size == 1 ? 0x80 : i8 ? 0x83 : 0x81, size, op, dst);
    x_imm_tail(cb, size, i8, imm);
}
/* op [mem], imm. */
static inline void x_alu_mi(CodeBuf *cb, int op, unsigned size, XMem m, uint32_t imm)
{
    bool i8 = size != 1 && x_fits8(imm, size);
    x_rm(cb, size == 1 ? 0x80 : i8 ? 0x83 : 0x81, size, op, m);
    x_imm_tail(cb, size, i8, imm);
}
static inline void x_test_rr(CodeBuf *cb, unsigned size, int a, int b)
{
    x_rr(cb, size == 1 ? 0x84 : 0x85, size, b, a);
}
static inline void x_test_ri(CodeBuf *cb, unsigned size, int a, uint32_t imm)
{
    x_rr(cb, size == 1 ? 0xF6 : 0xF7, size, 0, a);
    x_imm_tail(cb, size, false, imm);
}
static inline void x_test_mi(CodeBuf *cb, unsigned size, XMem m, uint32_t imm)
{
    x_rm(cb, size == 1 ? 0xF6 : 0xF7, size, 0, m);
    x_imm_tail(cb, size, false, imm);
}
/* Group 3 unary: /2 NOT, /3 NEG, /4 MUL, /5 IMUL (rdx:rax). */
static inline void x_unary(CodeBuf *cb, int digit, unsigned size, int r)
{
    x_rr(cb, size == 1 ? 0xF6 : 0xF7, size, digit, r);
}
static inline void x_imul_rr(CodeBuf *cb, unsigned size, int dst, int src)
{
    x_rr(cb, 0x0FAF, size, dst, src);
}
static inline void x_imul_rri(CodeBuf *cb, unsigned size, int dst, int src, uint32_t imm)
{
    bool i8 = x_fits8(imm, size);
    x_rr(cb, i8 ? 0x6B : 0x69, size, dst, src);
    x_imm_tail(cb, size, i8, imm);
}
static inline void x_shift_ri(CodeBuf *cb, int op, unsigned size, int r, unsigned count)
{
    if (count == 1) {
        x_rr(cb, size == 1 ? 0xD0 : 0xD1, size, op, r);
        return;
    }
    x_rr(cb, size == 1 ? 0xC0 : 0xC1, size, op, r);
    if (!cb->overflow)
        x_b(cb, (uint8_t)count);
}
static inline void x_shift_rcl(CodeBuf *cb, int op, unsigned size, int r)
{
    x_rr(cb, size == 1 ? 0xD2 : 0xD3, size, op, r);
}
/* bt r, imm8 */
static inline void x_bt_ri(CodeBuf *cb, unsigned size, int r, unsigned bit)
{
    x_rr(cb, 0x0FBA, size, 4, r);
    if (!cb->overflow)
        x_b(cb, (uint8_t)bit);
}
static inline void x_setcc(CodeBuf *cb, int cc, int r)
{
    x_rr(cb, (uint32_t)(0x0F90 + cc), 1, 0, r);
}
static inline void x_cmov_rr(CodeBuf *cb, int cc, unsigned size, int dst, int src)
{
    x_rr(cb, (uint32_t)(0x0F40 + cc), size, dst, src);
}
static inline void x_popcnt_rr(CodeBuf *cb, int dst, int src)
{
    if (!x_room(cb))
        return;
    x_b(cb, 0xF3);
    uint8_t rex = 0x40 | (dst >= 8 ? 4 : 0) | (src >= 8 ? 1 : 0);
    if (rex != 0x40)
        x_b(cb, rex);
    x_opcode(cb, 0x0FB8);
    x_modrm_reg(cb, dst, src);
}

/* ---- control flow ------------------------------------------------------------------------- */

/* jmp rel32 / jcc rel32 / call rel32 to an absolute host address. Returns the address of the
 * rel32 field (for patching), or NULL on overflow or when the target is out of range. */
static inline uint8_t *x_rel32(CodeBuf *cb, uint32_t opc, const void *target)
{
    if (!x_room(cb))
        return NULL;
    x_opcode(cb, opc);
    uint8_t *field = cb->p;
    int64_t rel = (const uint8_t *)target - (field + 4);
    x_d(cb, (uint32_t)(int32_t)rel);
    return field;
}
static inline uint8_t *x_jmp(CodeBuf *cb, const void *target) { return x_rel32(cb, 0xE9, target); }
static inline uint8_t *x_jcc(CodeBuf *cb, int cc, const void *target)
{
    return x_rel32(cb, (uint32_t)(0x0F80 + cc), target);
}
/* Forward branch to a label not yet placed: emits rel32 = 0 and returns the field. */
static inline uint8_t *x_jcc_fwd(CodeBuf *cb, int cc) { return x_jcc(cb, cc, cb->p + 6); }
static inline uint8_t *x_jmp_fwd(CodeBuf *cb) { return x_jmp(cb, cb->p + 5); }
/* Points a rel32 field at `target`. */
static inline void x_patch_rel32(uint8_t *field, const void *target)
{
    int32_t rel = (int32_t)((const uint8_t *)target - (field + 4));
    memcpy(field, &rel, 4);
}
static inline bool x_in_rel32(const void *from, const void *to)
{
    int64_t d = (const uint8_t *)to - (const uint8_t *)from;
    return d > INT32_MIN + 64 && d < INT32_MAX - 64;
}
/* call to a C function: rel32 when reachable, else through R11. */
static inline void x_call(CodeBuf *cb, const void *fn)
{
    if (x_in_rel32(cb->p, fn)) {
        x_rel32(cb, 0xE8, fn);
        return;
    }
    x_mov_ri64(cb, X_R11, (uint64_t)(uintptr_t)fn);
    x_rr(cb, 0xFF, 4, 2, X_R11); /* call r11 */
}
static inline void x_jmp_reg(CodeBuf *cb, int r) { x_rr(cb, 0xFF, 4, 4, r); }
static inline void x_push(CodeBuf *cb, int r)
{
    if (!x_room(cb))
        return;
    if (r >= 8)
        x_b(cb, 0x41);
    x_b(cb, (uint8_t)(0x50 + (r & 7)));
}
static inline void x_pop(CodeBuf *cb, int r)
{
    if (!x_room(cb))
        return;
    if (r >= 8)
        x_b(cb, 0x41);
    x_b(cb, (uint8_t)(0x58 + (r & 7)));
}
static inline void x_ret(CodeBuf *cb)
{
    if (x_room(cb))
        x_b(cb, 0xC3);
}

#endif
