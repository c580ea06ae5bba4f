/* ops_alu.c — two-operand arithmetic and logic (ADD OR ADC SBB AND SUB XOR CMP TEST),
 * INC, DEC, NEG, NOT, and the exchanging arithmetic XADD, CMPXCHG, CMPXCHG8B.
 * Results are stored before the lazy flags are recorded, so a fault on the destination
 * leaves the flags (and every register) untouched. Logic ops leave AF undefined; we clear
 * it (the lazy LOGIC record derives AF = 0). */
#include "cpu/ops_util.h"

typedef enum AluKind { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST } AluKind;

/* Computes op(a, b); sets *cc_op to its lazy-flag record. Returns the result (masked). */
static uint32_t alu_compute(CpuState *cpu, AluKind k, uint32_t a, uint32_t b, unsigned size,
                            uint32_t *cc_op)
{
    uint32_t r;
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
    return r & size_mask(size);
}

static inline void alu_binary(CpuState *cpu, const DecodedInsn *insn, AluKind k)
{
    unsigned size = opnd_size(insn, 0);
    uint32_t b = opnd_read(cpu, insn, 1) & size_mask(size);
    uint32_t a, r, op;
    if (k == ALU_CMP || k == ALU_TEST) { /* read-only destination: a read check suffices */
        a = opnd_read(cpu, insn, 0);
        r = alu_compute(cpu, k, a, b, size, &op);
    } else {
        Rmw d;
        a = rmw_read(cpu, insn, 0, &d);
        r = alu_compute(cpu, k, a, b, size, &op);
        rmw_write(cpu, &d, r);
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

/* INC and DEC keep CF: the lazy record carries the old CF in cc_src2. */
static void inc_dec(CpuState *cpu, const DecodedInsn *insn, int delta, int base)
{
    uint32_t cf = cpu_get_cf(cpu) ? FL_CF : 0;
    Rmw d;
    uint32_t old = rmw_read(cpu, insn, 0, &d);
    uint32_t res = (old + (uint32_t)delta) & size_mask(d.size);
    rmw_write(cpu, &d, res);
    cc_record(cpu, CC_OP(base, d.size), res, old, cf);
}

static void op_inc(CpuState *cpu, const DecodedInsn *insn) { inc_dec(cpu, insn, 1, CC_BASE_INC); }
static void op_dec(CpuState *cpu, const DecodedInsn *insn) { inc_dec(cpu, insn, -1, CC_BASE_DEC); }

/* NEG is 0 - x: CF = (x != 0), the other flags those of the subtraction. */
static void op_neg(CpuState *cpu, const DecodedInsn *insn)
{
    Rmw d;
    uint32_t old = rmw_read(cpu, insn, 0, &d);
    uint32_t res = (0u - old) & size_mask(d.size);
    rmw_write(cpu, &d, res);
    cc_record(cpu, CC_OP(CC_BASE_SUB, d.size), res, 0, old);
}

static void op_not(CpuState *cpu, const DecodedInsn *insn)
{
    Rmw d;
    uint32_t old = rmw_read(cpu, insn, 0, &d);
    rmw_write(cpu, &d, ~old & size_mask(d.size));
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. The destination is stored first (a
 * faulting store changes nothing); with the same register for both, DEST wins. */
static void op_xadd(CpuState *cpu, const DecodedInsn *insn)
{
    Rmw d;
    unsigned size = opnd_size(insn, 0);
    uint32_t src = gpr_read(cpu, insn->opnd[1].reg, size);
    uint32_t dst = rmw_read(cpu, insn, 0, &d);
    uint32_t sum = (src + dst) & size_mask(size);
    if (d.mem) {
        rmw_write(cpu, &d, sum);
        gpr_write(cpu, insn->opnd[1].reg, size, dst);
    } else {
        gpr_write(cpu, insn->opnd[1].reg, size, dst);
        rmw_write(cpu, &d, sum);
    }
    cc_record(cpu, CC_OP(CC_BASE_ADD, size), sum, dst, src);
}

/* CMPXCHG: flags of CMP accumulator, DEST. Equal: DEST = SRC. Not equal: the accumulator
 * takes DEST, and DEST is written back with its own value (the processor always writes). */
static void op_cmpxchg(CpuState *cpu, const DecodedInsn *insn)
{
    Rmw d;
    unsigned size = opnd_size(insn, 0);
    uint32_t acc = gpr_read(cpu, R_EAX, size);
    uint32_t src = gpr_read(cpu, insn->opnd[1].reg, size);
    uint32_t dst = rmw_read(cpu, insn, 0, &d);
    if (acc == dst) {
        rmw_write(cpu, &d, src);
    } else {
        rmw_write(cpu, &d, dst);
        gpr_write(cpu, R_EAX, size, dst);
    }
    cc_record(cpu, CC_OP(CC_BASE_SUB, size), (acc - dst) & size_mask(size), acc, dst);
}

/* CMPXCHG8B m64: compares EDX:EAX with m64. Equal: ZF = 1, m64 = ECX:EBX. Otherwise ZF = 0,
 * EDX:EAX = m64, and m64 is written back unchanged. Only ZF changes. */
static void op_cmpxchg8b(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t lin = seg_check(cpu, insn->seg, insn_ea(cpu, insn), 8, true);
    bool user = cpu_user(cpu);
    uint64_t old = mmu_read64(cpu, lin, user);
    uint64_t cmp = (uint64_t)cpu->EDX << 32 | cpu->EAX;
    if (old == cmp) {
        mmu_write64(cpu, lin, (uint64_t)cpu->ECX << 32 | cpu->EBX, user);
        flags_update(cpu, FL_ZF, FL_ZF);
    } else {
        mmu_write64(cpu, lin, old, user);
        cpu->EAX = (uint32_t)old;
        cpu->EDX = (uint32_t)(old >> 32);
        flags_update(cpu, FL_ZF, 0);
    }
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
    t[OP_XADD] = op_xadd;
    t[OP_CMPXCHG] = op_cmpxchg;
    t[OP_CMPXCHG8B] = op_cmpxchg8b;
}
