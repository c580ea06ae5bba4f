/* test_jit_diff.c — the JIT against the interpreter on random instruction sequences.
 *
 * Each case builds a random straight-line program (ALU operations of every size with
 * register, memory and immediate operands, shifts, IMUL, moves, LEA, stack operations
 * (PUSHF too),
 * SETcc/CMOVcc, BSWAP, conditional jumps over the next instruction, and instructions the JIT
 * hands to the interpreter: BT, BSF, MUL, XADD, SHLD, LAHF/SAHF, CLC/STC/CMC, shifts by CL,
 * rotates; a flag record left in CpuState by a handler call before INC/DEC), ending in
 * HLT, sometimes with an instruction that faults (#DE, #GP past a segment limit) whose
 * handler is a HLT. Two machines start from the same random state;
 * one runs the interpreter, the other the JIT; the registers, flags (as cpu_get_eflags
 * derives them), EIP, icount, CR2 and the data and stack areas must end equal. Modes: flat
 * 32-bit protected mode, 32-bit protected mode with a limited data segment, and real mode.
 * To debug a failing case: JIT_DIFF_SEED=<seed> runs only it and prints its blocks' IR and
 * host code.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "machine/log.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "translator/jit.h"

#define CODE 0x1000u
#define DATA 0x3000u
#define STACK_TOP 0x8000u
#define HANDLER 0x0F00u
#define GDT 0x0800u
#define IDT 0x0900u

typedef enum Mode { MODE_FLAT32, MODE_LIMIT32, MODE_REAL16 } Mode;

typedef struct Env {
    PhysMem mem;
    IoPortSpace io;
    CpuState cpu;
} Env;

/* ---- random programs ------------------------------------------------------------------------ */

typedef struct Rng {
    uint64_t s;
} Rng;

static uint32_t rnd(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 11);
}
static unsigned pick(Rng *r, unsigned n) { return rnd(r) % n; }

typedef struct Prog {
    uint8_t b[4096];
    unsigned n;
    bool code32;
    int depth; /* pushes not yet popped */
} Prog;

static void put(Prog *p, uint8_t v) { p->b[p->n++] = v; }
static void put32(Prog *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put(p, (uint8_t)(v >> (8 * i)));
}
static void put_imm(Prog *p, unsigned size, uint32_t v)
{
    for (unsigned i = 0; i < size; i++)
        put(p, (uint8_t)(v >> (8 * i)));
}

/* Operand-size prefix for a 2- or 4-byte operation in this code size. */
static void opsize(Prog *p, unsigned size)
{
    if (size != 1 && (size == 2) == p->code32)
        put(p, 0x66);
}

static const uint8_t dst_regs[6] = {0, 1, 2, 5, 6, 7};   /* EAX ECX EDX EBP ESI EDI */
static const uint8_t dst_regs8[6] = {0, 1, 2, 4, 5, 6};  /* AL CL DL AH CH DH */
static bool avoid_ebp; /* inside a LEAVE frame: EBP holds the frame */
static unsigned dreg(Rng *r)
{
    unsigned d = dst_regs[pick(r, 6)];
    return avoid_ebp && d == 5 ? 0 : d;
}
static unsigned dst_reg(Rng *r, unsigned size) { return size == 1 ? dst_regs8[pick(r, 6)] : dreg(r); }
static unsigned any_reg(Rng *r) { return pick(r, 8); }
static unsigned rsize(Rng *r) { static const unsigned s[4] = {1, 2, 4, 4}; return s[pick(r, 4)]; }

/* ModRM with a register r/m. */
static void modrm_reg(Prog *p, unsigned reg, unsigned rm) { put(p, (uint8_t)(0xC0 | reg << 3 | rm)); }
/* ModRM with the data-area operand: [ebx+disp8] or [bx+disp8]. */
static void modrm_mem(Prog *p, Rng *r, unsigned reg)
{
    put(p, (uint8_t)(0x40 | reg << 3 | (p->code32 ? 3 : 7)));
    put(p, (uint8_t)pick(r, 0x70));
}
/* Either form; returns true for memory. */
static bool modrm_any(Prog *p, Rng *r, unsigned reg, unsigned rm_reg)
{
    if (pick(r, 3) == 0) {
        modrm_mem(p, r, reg);
        return true;
    }
    modrm_reg(p, reg, rm_reg);
    return false;
}

static void gen_alu(Prog *p, Rng *r)
{
    unsigned op = pick(r, 8), size = rsize(r);
    unsigned w = size == 1 ? 0 : 1;
    opsize(p, size);
    switch (pick(r, 4)) {
    case 0: /* r/m, r */
        put(p, (uint8_t)(op << 3 | w));
        modrm_any(p, r, any_reg(r), dst_reg(r, size));
        break;
    case 1: /* r, r/m */
        put(p, (uint8_t)(op << 3 | 2 | w));
        modrm_any(p, r, dst_reg(r, size), any_reg(r));
        break;
    case 2: { /* r/m, imm */
        bool i8 = size != 1 && pick(r, 2);
        put(p, size == 1 ? 0x80 : i8 ? 0x83 : 0x81);
        modrm_any(p, r, op, dst_reg(r, size));
        put_imm(p, i8 ? 1 : size, rnd(r));
        break;
    }
    default: /* accumulator, imm */
        put(p, (uint8_t)(op << 3 | 4 | w));
        put_imm(p, size, rnd(r));
        break;
    }
}

static void gen_unary(Prog *p, Rng *r)
{
    unsigned size = rsize(r), k = pick(r, 5);
    opsize(p, size);
    if (k == 4 && size != 1) { /* INC/DEC r16/r32 short forms */
        put(p, (uint8_t)((pick(r, 2) ? 0x40 : 0x48) + dreg(r)));
        return;
    }
    static const unsigned digit[4] = {0, 1, 2, 3}; /* inc dec (FE/FF), not neg (F6/F7) */
    unsigned d = digit[k & 3];
    put(p, (uint8_t)((d < 2 ? 0xFE : 0xF6) + (size != 1)));
    modrm_any(p, r, d, dst_reg(r, size));
}

static void gen_shift(Prog *p, Rng *r)
{
    static const unsigned kinds[7] = {0, 1, 2, 3, 4, 5, 7};
    unsigned size = rsize(r), k = kinds[pick(r, 7)], form = pick(r, 4);
    if (form < 2 && pick(r, 2))
        k = 4 + pick(r, 2) * (pick(r, 2) ? 1 : 3); /* favour SHL/SHR/SAR */
    opsize(p, size);
    unsigned w = size != 1;
    if (form == 0) {
        put(p, (uint8_t)(0xC0 + w));
        modrm_any(p, r, k, dst_reg(r, size));
        put(p, (uint8_t)(pick(r, 4) ? 1 + pick(r, 8 * size - 1) : pick(r, 40)));
    } else if (form == 1 || form == 2) {
        put(p, (uint8_t)(0xD0 + w));
        modrm_any(p, r, k, dst_reg(r, size));
    } else {
        put(p, (uint8_t)(0xD2 + w)); /* by CL */
        modrm_any(p, r, k, dst_reg(r, size));
    }
}

static void gen_imul(Prog *p, Rng *r)
{
    unsigned size = pick(r, 2) ? 4 : 2, d = dreg(r);
    opsize(p, size);
    switch (pick(r, 3)) {
    case 0:
        put(p, 0x0F);
        put(p, 0xAF);
        modrm_any(p, r, d, any_reg(r));
        break;
    case 1:
        put(p, 0x6B);
        modrm_any(p, r, d, any_reg(r));
        put(p, (uint8_t)rnd(r));
        break;
    default:
        put(p, 0x69);
        modrm_any(p, r, d, any_reg(r));
        put_imm(p, size, rnd(r));
        break;
    }
}

static void gen_mov(Prog *p, Rng *r)
{
    unsigned size = rsize(r), w = size != 1, k = pick(r, 5);
    if (k == 4) { /* MOVZX / MOVSX */
        unsigned dsize = pick(r, 2) ? 4 : 2, from = pick(r, 2) ? 1 : 2;
        opsize(p, dsize);
        put(p, 0x0F);
        put(p, (uint8_t)((pick(r, 2) ? 0xBE : 0xB6) + (from == 2)));
        modrm_any(p, r, dreg(r), any_reg(r));
        return;
    }
    opsize(p, size);
    switch (k) {
    case 0:
        put(p, (uint8_t)(0x88 + w));
        modrm_any(p, r, any_reg(r), dst_reg(r, size));
        break;
    case 1:
        put(p, (uint8_t)(0x8A + w));
        modrm_any(p, r, dst_reg(r, size), any_reg(r));
        break;
    case 2:
        put(p, (uint8_t)((w ? 0xB8 : 0xB0) + dst_reg(r, size)));
        put_imm(p, size, rnd(r));
        break;
    default:
        put(p, (uint8_t)(0xC6 + w));
        modrm_any(p, r, 0, dst_reg(r, size));
        put_imm(p, size, rnd(r));
        break;
    }
}

static void gen_lea(Prog *p, Rng *r)
{
    unsigned size = pick(r, 2) ? 4 : 2;
    opsize(p, size);
    put(p, 0x8D);
    unsigned d = dreg(r);
    if (!p->code32) {
        put(p, (uint8_t)(0x80 | d << 3 | pick(r, 8))); /* [bx+si+disp16] etc. */
        put_imm(p, 2, rnd(r));
        return;
    }
    unsigned base = any_reg(r), index = any_reg(r);
    if (index == 4)
        index = 5;
    put(p, (uint8_t)(0x80 | d << 3 | 4));
    put(p, (uint8_t)(pick(r, 4) << 6 | index << 3 | base));
    put32(p, rnd(r));
}

static void gen_stack(Prog *p, Rng *r)
{
    unsigned size = pick(r, 2) ? 4 : 2;
    if (p->depth > 0 && pick(r, 2)) {
        opsize(p, size);
        put(p, (uint8_t)(0x58 + dreg(r)));
        p->depth--;
        return;
    }
    if (p->depth >= 12)
        return;
    opsize(p, size);
    switch (pick(r, 5)) {
    case 0: put(p, (uint8_t)(0x50 + any_reg(r))); break;
    case 1: put(p, 0x6A); put(p, (uint8_t)rnd(r)); break;
    case 2: put(p, 0x68); put_imm(p, size, rnd(r)); break;
    case 3: put(p, 0x9C); break; /* PUSHF: the flags image */
    default: put(p, 0xFF); modrm_mem(p, r, 6); break;
    }
    p->depth++;
}

static void gen_misc(Prog *p, Rng *r)
{
    unsigned size = pick(r, 2) ? 4 : 2;
    switch (pick(r, 7)) {
    case 0: /* XCHG */
        if (pick(r, 2)) {
            unsigned s = rsize(r);
            opsize(p, s);
            put(p, (uint8_t)(0x86 + (s != 1)));
            modrm_any(p, r, dst_reg(r, s), dst_reg(r, s));
        } else {
            opsize(p, size);
            unsigned x = dst_regs[1 + pick(r, 5)];
            put(p, (uint8_t)(0x90 + (avoid_ebp && x == 5 ? 6 : x)));
        }
        break;
    case 1: opsize(p, size); put(p, pick(r, 2) ? 0x98 : 0x99); break; /* CBW/CWDE, CWD/CDQ */
    case 2: /* SETcc */
        put(p, 0x0F);
        put(p, (uint8_t)(0x90 + pick(r, 16)));
        modrm_any(p, r, 0, dst_regs8[pick(r, 6)]);
        break;
    case 3: /* CMOVcc */
        opsize(p, size);
        put(p, 0x0F);
        put(p, (uint8_t)(0x40 + pick(r, 16)));
        modrm_any(p, r, dreg(r), any_reg(r));
        break;
    case 4: put(p, pick(r, 2) ? 0xFC : 0xFD); break; /* CLD/STD */
    case 5: opsize(p, 4); put(p, 0x0F); put(p, (uint8_t)(0xC8 + dreg(r))); break; /* BSWAP */
    default: put(p, 0x90); break;
    }
}

/* Instructions the JIT leaves to the interpreter's handlers. */
static void gen_handler_only(Prog *p, Rng *r)
{
    unsigned size = pick(r, 2) ? 4 : 2;
    switch (pick(r, 8)) {
    case 0: opsize(p, size); put(p, 0x0F); put(p, 0xA3); modrm_reg(p, any_reg(r), dreg(r)); break;
    case 1: opsize(p, size); put(p, 0x0F); put(p, 0xBC); modrm_any(p, r, dreg(r), any_reg(r)); break;
    case 2: { /* MUL / IMUL r/m (one operand), any size */
        unsigned s = rsize(r);
        opsize(p, s);
        put(p, s == 1 ? 0xF6 : 0xF7);
        modrm_any(p, r, 4 + pick(r, 2), any_reg(r));
        break;
    }
    case 3: opsize(p, size); put(p, 0x0F); put(p, 0xC1); modrm_any(p, r, dreg(r), dreg(r)); break;
    case 4: opsize(p, size); put(p, 0x0F); put(p, 0xA4); modrm_any(p, r, any_reg(r), dreg(r)); put(p, (uint8_t)pick(r, 32)); break;
    case 5: put(p, pick(r, 2) ? 0x9E : 0x9F); break; /* SAHF / LAHF */
    case 6: { static const uint8_t f[3] = {0xF8, 0xF9, 0xF5}; put(p, f[pick(r, 3)]); break; }
    default: put(p, 0x0F); put(p, (uint8_t)(0xC8 + dreg(r))); break; /* BSWAP */
    }
}

/* An instruction that may fault: DIV (divide error) or an access past the limit. */
static void gen_faulting(Prog *p, Rng *r, Mode mode)
{
    if (mode != MODE_FLAT32 && pick(r, 2)) {
        unsigned size = pick(r, 2) ? 4 : 2;
        opsize(p, size);
        put(p, 0x8B);
        if (p->code32) { /* [ebx + disp32] just inside or past the 4 KiB data limit */
            put(p, (uint8_t)(0x80 | dreg(r) << 3 | 3));
            put32(p, 0x1000 - 1 - pick(r, 6));
        } else {         /* [bx + disp16] at the end of the 64 KiB segment */
            put(p, (uint8_t)(0x80 | dreg(r) << 3 | 7));
            put_imm(p, 2, 0xFFFF - pick(r, 6));
        }
        return;
    }
    unsigned size = rsize(r);
    opsize(p, size);
    put(p, size == 1 ? 0xF6 : 0xF7);
    modrm_any(p, r, 6 + pick(r, 2), any_reg(r)); /* DIV / IDIV */
}

/* A flag record left in CpuState (ALU of any size, INC/DEC, or CLC/STC/CMC for explicit
 * flags), then a handler that keeps the flags (LAHF), then INC/DEC (the old CF from
 * CpuState's lazy record: the JIT's CF thunk) or a shift by CL (all six old flags). */
static void gen_cf_seam(Prog *p, Rng *r)
{
    switch (pick(r, 4)) {
    case 0: case 1: gen_alu(p, r); break;
    case 2: gen_unary(p, r); break;
    default: { static const uint8_t f[3] = {0xF8, 0xF9, 0xF5}; put(p, f[pick(r, 3)]); break; }
    }
    put(p, 0x9F); /* LAHF */
    if (pick(r, 2)) {
        unsigned size = pick(r, 2) ? 4 : 2;
        opsize(p, size);
        put(p, (uint8_t)((pick(r, 2) ? 0x40 : 0x48) + dreg(r)));
        return;
    }
    /* SHL/SHR/SAR r32, CL with a count that is often 0 mod 32: the flags before it (all
     * six, from CpuState's record: the JIT's arith-flags thunk) must survive. */
    opsize(p, 4);
    put(p, 0xB9); /* mov ecx, imm32 */
    put32(p, pick(r, 4) ? rnd(r) & ~31u : rnd(r));
    static const unsigned kinds[3] = {4, 5, 7};
    opsize(p, 4);
    put(p, 0xD3);
    modrm_reg(p, kinds[pick(r, 3)], dreg(r) == 1 ? 0 : dreg(r));
}

static void gen_one(Prog *p, Rng *r, Mode mode);

static void put_rel(Prog *p, unsigned size, int32_t rel) { put_imm(p, size, (uint32_t)rel); }

/* Control structures: a LEAVE frame, a called subroutine, a counted LOOP. */
static void gen_control(Prog *p, Rng *r, Mode mode)
{
    unsigned osz = p->code32 ? 4 : 2;
    switch (pick(r, 3)) {
    case 0: { /* push ebp; mov ebp, esp; ...; leave (16- or 32-bit operand size) */
        unsigned size = pick(r, 2) ? 4 : 2;
        opsize(p, size);
        put(p, 0x55);
        opsize(p, size);
        put(p, 0x89);
        put(p, 0xE5);
        int depth = p->depth;
        bool outer = avoid_ebp;
        avoid_ebp = true;
        for (unsigned i = pick(r, 3); i > 0; i--)
            gen_one(p, r, mode);
        avoid_ebp = outer;
        if (pick(r, 2)) { /* something on the frame LEAVE discards */
            opsize(p, size);
            put(p, (uint8_t)(0x50 + any_reg(r)));
        }
        p->depth = depth;
        opsize(p, size);
        put(p, 0xC9);
        break;
    }
    case 1: { /* call S; jmp L; S: body; ret [imm]; L: */
        Prog body = *p; /* no stack operations inside: RET must find its address */
        body.n = 0;
        for (unsigned i = 1 + pick(r, 3); i > 0; i--) {
            unsigned k = pick(r, 3);
            if (k == 0)
                gen_alu(&body, r);
            else if (k == 1)
                gen_mov(&body, r);
            else
                gen_shift(&body, r);
        }
        unsigned ret_len = pick(r, 2) ? 1 : 3;
        put(p, 0xE8);
        put_rel(p, osz, 2);                    /* over the short jmp */
        put(p, 0xEB);
        put(p, (uint8_t)(body.n + ret_len));
        memcpy(p->b + p->n, body.b, body.n);
        p->n += body.n;
        if (ret_len == 1) {
            put(p, 0xC3);
        } else { /* ret 0: the imm16 form */
            put(p, 0xC2);
            put_imm(p, 2, 0);
        }
        break;
    }
    default: { /* mov ecx, n; L: add/inc/xor eax|edx; loop L */
        opsize(p, 4);
        put(p, 0xB9);
        put32(p, 1 + pick(r, 6));
        unsigned start = p->n;
        static const uint8_t body[4][2] = {{0x01, 0xD0}, {0x31, 0xC2}, {0x40, 0x90}, {0x4A, 0x90}};
        const uint8_t *b = body[pick(r, 4)];
        put(p, b[0]);
        put(p, b[1]);
        put(p, 0xE2);
        put(p, (uint8_t)(start - (p->n + 1)));
        break;
    }
    }
}

static void gen_one(Prog *p, Rng *r, Mode mode)
{
    unsigned k = pick(r, 100);
    if (k < 28)
        gen_alu(p, r);
    else if (k < 36)
        gen_unary(p, r);
    else if (k < 46)
        gen_shift(p, r);
    else if (k < 51)
        gen_imul(p, r);
    else if (k < 63)
        gen_mov(p, r);
    else if (k < 68)
        gen_lea(p, r);
    else if (k < 76)
        gen_stack(p, r);
    else if (k < 86)
        gen_misc(p, r);
    else if (k < 92)
        gen_handler_only(p, r);
    else if (k < 95)
        gen_cf_seam(p, r);
    else if (k < 97)
        gen_faulting(p, r, mode);
    else
        gen_control(p, r, mode);
}

static void gen_program(Prog *p, Rng *r, Mode mode, unsigned count)
{
    p->n = 0;
    p->depth = 0;
    p->code32 = mode != MODE_REAL16;
    for (unsigned i = 0; i < count; i++) {
        if (pick(r, 8) == 0) { /* Jcc over the next instruction */
            Prog next = *p;
            next.n = 0;
            gen_one(&next, r, mode);
            put(p, (uint8_t)(0x70 + pick(r, 16)));
            put(p, (uint8_t)next.n);
            memcpy(p->b + p->n, next.b, next.n);
            p->n += next.n;
            p->depth = next.depth;
        } else {
            gen_one(p, r, mode);
        }
    }
    put(p, 0xF4); /* HLT */
}

/* ---- machines ------------------------------------------------------------------------------ */

static void seg_set(SegCache *s, uint16_t sel, uint32_t base, uint32_t limit, uint16_t attr)
{
    s->sel = sel;
    s->base = base;
    s->limit = limit;
    s->attr = attr;
}

static void setup_tables(Env *e, Mode mode)
{
    uint8_t *ram = e->mem.ram;
    ram[HANDLER] = 0xF4; /* every exception handler is a HLT */
    if (mode == MODE_REAL16) {
        for (unsigned v = 0; v < 32; v++) {
            uint32_t ent = HANDLER; /* 0000:0F00 */
            memcpy(ram + v * 4, &ent, 4);
        }
        return;
    }
    uint64_t gdt[3] = {0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull};
    memcpy(ram + GDT, gdt, sizeof gdt);
    for (unsigned v = 0; v < 32; v++) {
        uint64_t gate = (uint64_t)(HANDLER & 0xFFFF) | (uint64_t)0x08 << 16 |
                        (uint64_t)0x8E00 << 32 | (uint64_t)(HANDLER >> 16) << 48;
        memcpy(ram + IDT + v * 8, &gate, 8);
    }
}

static void setup_cpu(CpuState *c, Mode mode, Rng *r)
{
    const uint16_t data = SA_P | SA_S | SA_RW | SA_ACCESSED;
    for (int i = 0; i < 8; i++)
        c->gpr[i].d = rnd(r);
    c->eflags = FL_RSVD1 | (rnd(r) & (FL_ARITH | FL_DF));
    c->cc_op = CC_OP_EFLAGS;
    c->halted = false;
    if (mode == MODE_REAL16) {
        c->cr0 = CR0_ET;
        for (int s = 0; s < SEG_COUNT; s++)
            seg_set(&c->seg[s], 0x300, DATA, 0xFFFF, data);
        seg_set(&c->seg[SEG_CS], CODE >> 4, CODE, 0xFFFF, data | SA_CODE);
        seg_set(&c->seg[SEG_SS], 0, 0, 0xFFFF, data);
        c->gpr[R_EBX].d &= 0xFFFF0000u; /* BX = 0: [bx+disp8] is the data area */
        c->gpr[R_ESP].d = (c->gpr[R_ESP].d & 0xFFFF0000u) | STACK_TOP;
        c->eip = 0;
        c->idtr.base = 0;
        c->idtr.limit = 0x3FF;
        return;
    }
    c->cr0 = CR0_ET | CR0_PE;
    uint32_t dlimit = mode == MODE_LIMIT32 ? 0xFFF : 0xFFFFFFFFu;
    uint32_t dbase = mode == MODE_LIMIT32 ? DATA : 0;
    for (int s = 0; s < SEG_COUNT; s++)
        seg_set(&c->seg[s], 0x10, dbase, dlimit, data | SA_DB | SA_G);
    seg_set(&c->seg[SEG_SS], 0x10, 0, 0xFFFFFFFFu, data | SA_DB | SA_G);
    seg_set(&c->seg[SEG_CS], 0x08, 0, 0xFFFFFFFFu, data | SA_CODE | SA_DB | SA_G);
    c->gpr[R_EBX].d = mode == MODE_LIMIT32 ? 0 : DATA;
    c->gpr[R_ESP].d = STACK_TOP;
    c->eip = CODE;
    c->gdtr.base = GDT;
    c->gdtr.limit = 0x17;
    c->idtr.base = IDT;
    c->idtr.limit = 32 * 8 - 1;
    c->cpl = 0;
}

static Env *env_new(void)
{
    Env *e = calloc(1, sizeof *e);
    cr_assert(e && physmem_init(&e->mem, 1u << 20));
    ioport_init(&e->io);
    cpu_init(&e->cpu, &e->mem, &e->io);
    return e;
}

static void env_free(Env *e)
{
    physmem_free(&e->mem);
    free(e);
}

static void load_case(Env *e, Mode mode, const Prog *p, uint64_t seed)
{
    Rng r = {seed};
    memset(e->mem.ram, 0, 0x10000);
    setup_tables(e, mode);
    memcpy(e->mem.ram + CODE, p->b, p->n);
    for (unsigned i = 0; i < 0x1000; i++)
        e->mem.ram[DATA + i] = (uint8_t)rnd(&r);
    setup_cpu(&e->cpu, mode, &r);
    mmu_flush_all(&e->cpu);
    e->cpu.icount = 0;
}

static void dump(const char *who, const CpuState *c)
{
    fprintf(stderr, "%s: eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x "
            "eip=%08x efl=%08x icount=%llu\n",
            who, c->EAX, c->ECX, c->EDX, c->EBX, c->ESP, c->EBP, c->ESI, c->EDI, c->eip,
            cpu_get_eflags(c), (unsigned long long)c->icount);
}

static void check_equal(Env *a, Env *b, const Prog *p, uint64_t seed)
{
    const CpuState *x = &a->cpu, *y = &b->cpu;
    bool same = x->eip == y->eip && cpu_get_eflags(x) == cpu_get_eflags(y) &&
                x->icount == y->icount && x->cr2 == y->cr2 && x->halted == y->halted;
    for (int i = 0; i < 8; i++)
        same = same && x->gpr[i].d == y->gpr[i].d;
    same = same && !memcmp(a->mem.ram + DATA, b->mem.ram + DATA, 0x1000) &&
           !memcmp(a->mem.ram + STACK_TOP - 0x200, b->mem.ram + STACK_TOP - 0x200, 0x200);
    if (!same) {
        fprintf(stderr, "seed %llu, program:", (unsigned long long)seed);
        for (unsigned i = 0; i < p->n; i++)
            fprintf(stderr, " %02x", p->b[i]);
        fprintf(stderr, "\n");
        dump("interp", x);
        dump("jit   ", y);
    }
    cr_assert(same, "the JIT and the interpreter differ (seed %llu)", (unsigned long long)seed);
}

static void run_cases(Mode mode, unsigned ncases, uint64_t seed0)
{
    Env *a = env_new(), *b = env_new();
    char err[128];
    const char *only = getenv("JIT_DIFF_SEED"); /* debugging: one case, with its blocks */
    JitConfig cfg = {1u << 20, false, only != NULL};
    if (only)
        log_file = stderr;
    JitState *j = jit_create(&b->cpu, &cfg, err, sizeof err);
    cr_assert(j, "%s", err);
    Prog *p = malloc(sizeof *p);
    for (unsigned c = 0; c < ncases; c++) {
        uint64_t seed = seed0 + c * 7919u;
        if (only && seed != strtoull(only, NULL, 0))
            continue;
        Rng r = {seed};
        gen_program(p, &r, mode, 8 + pick(&r, 40));
        load_case(a, mode, p, seed);
        load_case(b, mode, p, seed);
        jit_flush(j); /* the same code bytes, new translations */
        CpuExit ea = cpu_exec(&a->cpu, 10000);
        CpuExit eb = jit_exec(j, 10000);
        if (ea != CPU_EXIT_HALT) {
            fprintf(stderr, "exit %d, program:", ea);
            for (unsigned i = 0; i < p->n; i++)
                fprintf(stderr, " %02x", p->b[i]);
            fprintf(stderr, "\n");
            dump("interp", &a->cpu);
        }
        cr_assert_eq(ea, CPU_EXIT_HALT, "the interpreter did not reach HLT (seed %llu)",
                     (unsigned long long)seed);
        cr_assert_eq(eb, ea);
        check_equal(a, b, p, seed);
    }
    free(p);
    jit_destroy(j);
    env_free(a);
    env_free(b);
}

Test(jit_diff, flat32) { run_cases(MODE_FLAT32, 1500, 1); }
Test(jit_diff, limit32) { run_cases(MODE_LIMIT32, 800, 2); }
Test(jit_diff, real16) { run_cases(MODE_REAL16, 1200, 3); }
