/* ops_muldiv.c — MUL, IMUL (one, two and three operands), DIV, IDIV.
 *
 * MUL/IMUL set CF = OF = "the high half is significant"; SF, ZF, AF and PF are undefined in
 * the SDM: we give SF, ZF and PF of the low half of the product (the part that is stored
 * in the destination for the two- and three-operand forms) and clear AF. DIV/IDIV leave
 * every arithmetic flag undefined: we leave them unchanged. A zero divisor or a quotient
 * that does not fit (including INT_MIN / -1) raises #DE before anything is written.
 */
#include "cpu/ops_util.h"

static void mul_flags(CpuState *cpu, uint32_t low, unsigned size, bool overflow)
{
    cpu_set_arith_flags(cpu, flags_szp(low, size) | (overflow ? FL_CF | FL_OF : 0));
}

/* Stores a double-width product: AX for bytes, DX:AX for words, EDX:EAX for dwords. */
static void store_wide(CpuState *cpu, unsigned size, uint64_t v)
{
    if (size == 1) {
        cpu->gpr[R_EAX].w = (uint16_t)v;
    } else if (size == 2) {
        cpu->gpr[R_EAX].w = (uint16_t)v;
        cpu->gpr[R_EDX].w = (uint16_t)(v >> 16);
    } else {
        cpu->EAX = (uint32_t)v;
        cpu->EDX = (uint32_t)(v >> 32);
    }
}

static void op_mul(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned size = opnd_size(insn, 0);
    uint64_t src = opnd_read(cpu, insn, 0);
    uint64_t acc = gpr_read(cpu, R_EAX, size);
    uint64_t p = acc * src;
    store_wide(cpu, size, p);
    mul_flags(cpu, (uint32_t)p, size, (p >> (8 * size)) != 0);
}

static void op_imul1(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned size = opnd_size(insn, 0);
    int64_t src = (int32_t)sign_extend_sz(opnd_read(cpu, insn, 0), size);
    int64_t acc = (int32_t)sign_extend_sz(gpr_read(cpu, R_EAX, size), size);
    int64_t p = acc * src;
    store_wide(cpu, size, (uint64_t)p);
    int64_t low = (int32_t)sign_extend_sz((uint32_t)p & size_mask(size), size);
    mul_flags(cpu, (uint32_t)p, size, low != p);
}

/* dest = trunc(a * b) for the two- and three-operand forms. */
static void imul_trunc(CpuState *cpu, const DecodedInsn *insn, uint32_t a, uint32_t b)
{
    unsigned size = opnd_size(insn, 0);
    int64_t p = (int64_t)(int32_t)sign_extend_sz(a, size) * (int32_t)sign_extend_sz(b, size);
    uint32_t r = (uint32_t)p & size_mask(size);
    gpr_write(cpu, insn->opnd[0].reg, size, r);
    mul_flags(cpu, r, size, (int64_t)(int32_t)sign_extend_sz(r, size) != p);
}

static void op_imul2(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t b = opnd_read(cpu, insn, 1);
    imul_trunc(cpu, insn, opnd_read(cpu, insn, 0), b);
}

static void op_imul3(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t a = opnd_read(cpu, insn, 1);
    imul_trunc(cpu, insn, a, opnd_read(cpu, insn, 2));
}

/* The double-width dividend: AX, DX:AX or EDX:EAX. */
static uint64_t dividend(const CpuState *cpu, unsigned size)
{
    if (size == 1)
        return cpu->gpr[R_EAX].w;
    if (size == 2)
        return (uint32_t)cpu->gpr[R_EDX].w << 16 | cpu->gpr[R_EAX].w;
    return (uint64_t)cpu->EDX << 32 | cpu->EAX;
}

static void store_quot_rem(CpuState *cpu, unsigned size, uint32_t q, uint32_t r)
{
    if (size == 1) {
        cpu->gpr[R_EAX].b.l = (uint8_t)q;
        cpu->gpr[R_EAX].b.h = (uint8_t)r;
    } else {
        gpr_write(cpu, R_EAX, size, q);
        gpr_write(cpu, R_EDX, size, r);
    }
}

static void op_div(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned size = opnd_size(insn, 0);
    uint64_t d = opnd_read(cpu, insn, 0);
    if (d == 0)
        cpu_raise(cpu, EXC_DE, 0);
    uint64_t n = dividend(cpu, size), q = n / d;
    if (q > size_mask(size))
        cpu_raise(cpu, EXC_DE, 0);
    store_quot_rem(cpu, size, (uint32_t)q, (uint32_t)(n % d));
}

static void op_idiv(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned size = opnd_size(insn, 0), w = 8 * size;
    int64_t d = (int32_t)sign_extend_sz(opnd_read(cpu, insn, 0), size);
    uint64_t raw = dividend(cpu, size);
    int64_t n = size == 4 ? (int64_t)raw : (int64_t)(int32_t)sign_extend_sz((uint32_t)raw, 2 * size);
    if (d == 0 || (n == INT64_MIN && d == -1)) /* the latter overflows C's division too */
        cpu_raise(cpu, EXC_DE, 0);
    int64_t q = n / d, r = n % d;
    int64_t lo = -((int64_t)1 << (w - 1)), hi = ((int64_t)1 << (w - 1)) - 1;
    if (q < lo || q > hi)
        cpu_raise(cpu, EXC_DE, 0);
    store_quot_rem(cpu, size, (uint32_t)q & size_mask(size), (uint32_t)r & size_mask(size));
}

void ops_muldiv_register(InsnHandler *t)
{
    t[OP_MUL] = op_mul;
    t[OP_IMUL1] = op_imul1;
    t[OP_IMUL2] = op_imul2;
    t[OP_IMUL3] = op_imul3;
    t[OP_DIV] = op_div;
    t[OP_IDIV] = op_idiv;
}
