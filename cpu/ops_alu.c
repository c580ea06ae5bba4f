/* ops_alu.c — two-operand arithmetic and logic (ADD OR ADC SBB AND SUB XOR CMP TEST),
 * INC, DEC, NEG, NOT. Results are written before the lazy flags are recorded, so a fault
 * on the destination leaves the flags untouched. */
#include "cpu/interp.h"

typedef enum AluKind { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST } AluKind;

/* Computes op(a, b) and records its flags. Returns the result (masked to size). */
static uint32_t alu_compute(CpuState *cpu, AluKind k, uint32_t a, uint32_t b, unsigned size,
                            uint32_t *cc_op)
{
    uint32_t m = size_mask(size), r;
    switch (k) {
    case ALU_ADD: r = a + b; *cc_op = CC_OP(CC_BASE_ADD, size); break;
    case ALU_ADC: r = a + b + cpu_get_cf(cpu); *cc_op = CC_OP(CC_BASE_ADC, size); break;
    case ALU_SUB:
    case ALU_CMP: r = a - b; *cc_op = CC_OP(CC_BASE_SUB, size); break;
    case ALU_SBB: r = a - b - cpu_get_cf(cpu); *cc_op = CC_OP(CC_BASE_SBB, size); break;
    case ALU_OR: r = a | b; *cc_op = CC_OP(CC_BASE_LOGIC, size); break;
    case ALU_AND:
    case ALU_TEST: r = a & b; *cc_op = CC_OP(CC_BASE_LOGIC, size); break;
    default: r = a ^ b; *cc_op = CC_OP(CC_BASE_LOGIC, size); break;
    }
    return r & m;
}

static inline void alu_binary(CpuState *cpu, const DecodedInsn *insn, AluKind k)
{
    unsigned size = opnd_size(insn, 0);
    uint32_t b = opnd_read(cpu, insn, 1) & size_mask(size);
    uint32_t a, r, op;
    if (insn->opnd[0].type == OPT_MEM && k != ALU_CMP && k != ALU_TEST) {
        uint32_t lin = opnd_rmw_lin(cpu, insn, 0);
        bool user = cpu_user(cpu);
        a = size == 1 ? mmu_read8(cpu, lin, user) : size == 2 ? mmu_read16(cpu, lin, user)
                                                               : mmu_read32(cpu, lin, user);
        r = alu_compute(cpu, k, a, b, size, &op);
        if (size == 1)
            mmu_write8(cpu, lin, (uint8_t)r, user);
        else if (size == 2)
            mmu_write16(cpu, lin, (uint16_t)r, user);
        else
            mmu_write32(cpu, lin, r, user);
    } else {
        a = opnd_read(cpu, insn, 0);
        r = alu_compute(cpu, k, a, b, size, &op);
        if (k != ALU_CMP && k != ALU_TEST)
            opnd_write(cpu, insn, 0, r);
    }
    cc_record(cpu, op, r, a, b);
}

#define ALU_HANDLER(name, kind)                                                          \
    static void op_##name(CpuState *cpu, const DecodedInsn *insn) { alu_binary(cpu, insn, kind); }
ALU_HANDLER(add, ALU_ADD)
ALU_HANDLER(or, ALU_OR)
ALU_HANDLER(adc, ALU_ADC)
ALU_HANDLER(sbb, ALU_SBB)
ALU_HANDLER(and, ALU_AND)
ALU_HANDLER(sub, ALU_SUB)
ALU_HANDLER(xor, ALU_XOR)
ALU_HANDLER(cmp, ALU_CMP)
ALU_HANDLER(test, ALU_TEST)

/* Read-modify-write of operand 0 through fn; returns old and new values. */
static void unary_rmw(CpuState *cpu, const DecodedInsn *insn, uint32_t (*fn)(uint32_t, unsigned),
                      uint32_t *old, uint32_t *res)
{
    unsigned size = opnd_size(insn, 0);
    if (insn->opnd[0].type == OPT_MEM) {
        uint32_t lin = opnd_rmw_lin(cpu, insn, 0);
        bool user = cpu_user(cpu);
        *old = size == 1 ? mmu_read8(cpu, lin, user) : size == 2 ? mmu_read16(cpu, lin, user)
                                                                  : mmu_read32(cpu, lin, user);
        *res = fn(*old, size) & size_mask(size);
        if (size == 1)
            mmu_write8(cpu, lin, (uint8_t)*res, user);
        else if (size == 2)
            mmu_write16(cpu, lin, (uint16_t)*res, user);
        else
            mmu_write32(cpu, lin, *res, user);
    } else {
        *old = opnd_read(cpu, insn, 0);
        *res = fn(*old, size) & size_mask(size);
        opnd_write(cpu, insn, 0, *res);
    }
}

static uint32_t fn_inc(uint32_t v, unsigned size) { (void)size; return v + 1; }
static uint32_t fn_dec(uint32_t v, unsigned size) { (void)size; return v - 1; }
static uint32_t fn_neg(uint32_t v, unsigned size) { (void)size; return 0u - v; }
static uint32_t fn_not(uint32_t v, unsigned size) { (void)size; return ~v; }

static void op_inc(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t cf = cpu_get_cf(cpu) ? FL_CF : 0, old, res;
    unary_rmw(cpu, insn, fn_inc, &old, &res);
    cc_record(cpu, CC_OP(CC_BASE_INC, opnd_size(insn, 0)), res, old, cf);
}

static void op_dec(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t cf = cpu_get_cf(cpu) ? FL_CF : 0, old, res;
    unary_rmw(cpu, insn, fn_dec, &old, &res);
    cc_record(cpu, CC_OP(CC_BASE_DEC, opnd_size(insn, 0)), res, old, cf);
}

static void op_neg(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t old, res;
    unary_rmw(cpu, insn, fn_neg, &old, &res);
    cc_record(cpu, CC_OP(CC_BASE_SUB, opnd_size(insn, 0)), res, 0, old);
}

static void op_not(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t old, res;
    unary_rmw(cpu, insn, fn_not, &old, &res);
}

void ops_alu_register(InsnHandler *t)
{
    t[OP_ADD] = op_add;
    t[OP_OR] = op_or;
    t[OP_ADC] = op_adc;
    t[OP_SBB] = op_sbb;
    t[OP_AND] = op_and;
    t[OP_SUB] = op_sub;
    t[OP_XOR] = op_xor;
    t[OP_CMP] = op_cmp;
    t[OP_TEST] = op_test;
    t[OP_INC] = op_inc;
    t[OP_DEC] = op_dec;
    t[OP_NEG] = op_neg;
    t[OP_NOT] = op_not;
}
