/* x87_arith.c — x87 arithmetic and comparison: FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in every
 * form (register, popping, m32/m64 real, m16/m32 integer), FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/
 * FUCOMPP, FICOM/FICOMP, FCOMI/FCOMIP/FUCOMI/FUCOMIP, FTST, FXAM, FCHS, FABS, FSQRT,
 * FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1. Values come from cpu/fpu; this file is the
 * stack, tag, condition-code and exception wiring (x87_internal.h). */
#include "cpu/x87_internal.h"

/* ---- memory operands ---------------------------------------------------------------------- */

/* A real or integer memory operand, read before anything changes. */
typedef struct MemOperand {
    uint64_t bits;  /* raw value (real formats) */
    Float80 value;  /* integer formats: the exact value */
    unsigned size;  /* 2, 4 or 8 */
    bool integer;
} MemOperand;

static MemOperand read_mem_operand(CpuState *cpu, const DecodedInsn *insn, bool integer)
{
    MemOperand m = { .size = insn->opnd[0].size, .integer = integer };
    uint32_t off = insn_ea(cpu, insn);
    switch (m.size) {
    case 2: m.bits = cpu_read16(cpu, insn->seg, off); break;
    case 4: m.bits = cpu_read32(cpu, insn->seg, off); break;
    default: m.bits = cpu_read64(cpu, insn->seg, off); break;
    }
    if (integer)
        m.value = f80_from_int(m.size == 2 ? (int16_t)m.bits : (int32_t)m.bits);
    return m;
}

static bool has_mem(const DecodedInsn *insn) { return insn->nopnd && insn->opnd[0].type == OPT_MEM; }

/* ---- FADD family ---------------------------------------------------------------------------- */

static Float80 arith_regs(F80Op op, Float80 d, Float80 s, FpEnv *env)
{
    switch (op) {
    case F80_ADD: return f80_add(d, s, env);
    case F80_SUB: return f80_sub(d, s, env);
    case F80_SUBR: return f80_sub(s, d, env);
    case F80_MUL: return f80_mul(d, s, env);
    case F80_DIV: return f80_div(d, s, env);
    default: return f80_div(s, d, env);
    }
}

static Float80 arith_mem(F80Op op, Float80 st0, const MemOperand *m, FpEnv *env)
{
    if (m->integer)
        return arith_regs(op, st0, m->value, env);
    if (m->size == 4)
        return f80_arith_f32(op, st0, (uint32_t)m->bits, env);
    return f80_arith_f64(op, st0, m->bits, env);
}

/* dst = dst op src (register forms: opnd[0] op opnd[1]; memory forms: ST(0) op m). */
static void x87_arith(CpuState *cpu, const DecodedInsn *insn, F80Op op, bool integer, bool pop)
{
    if (!x87_begin(cpu, insn))
        return;
    FpEnv env = x87_env(cpu);
    unsigned d = 0, s = 0;
    MemOperand m = {0};
    bool mem = has_mem(insn);
    if (mem)
        m = read_mem_operand(cpu, insn, integer);
    else {
        d = insn->opnd[0].reg;
        s = insn->opnd[1].reg;
    }
    if (x87_empty(cpu, d) || x87_empty(cpu, s)) {
        if (x87_underflow(cpu)) {
            x87_set(cpu, d, f80_indefinite());
            if (pop)
                x87_pop(cpu);
        }
    } else {
        Float80 r = mem ? arith_mem(op, x87_get(cpu, 0), &m, &env)
                        : arith_regs(op, x87_get(cpu, d), x87_get(cpu, s), &env);
        if (x87_flags(cpu, &env)) {
            x87_set(cpu, d, r);
            x87_set_c1(cpu, env.c1);
            if (pop)
                x87_pop(cpu);
        }
    }
    x87_record(cpu, insn);
}

#define ARITH_HANDLER(name, OPV, integer, pop)                                            \
    static void op_##name(CpuState *cpu, const DecodedInsn *insn)                        \
    {                                                                                     \
        x87_arith(cpu, insn, OPV, integer, pop);                                          \
    }
ARITH_HANDLER(fadd, F80_ADD, false, false)
ARITH_HANDLER(fsub, F80_SUB, false, false)
ARITH_HANDLER(fsubr, F80_SUBR, false, false)
ARITH_HANDLER(fmul, F80_MUL, false, false)
ARITH_HANDLER(fdiv, F80_DIV, false, false)
ARITH_HANDLER(fdivr, F80_DIVR, false, false)
ARITH_HANDLER(faddp, F80_ADD, false, true)
ARITH_HANDLER(fsubp, F80_SUB, false, true)
ARITH_HANDLER(fsubrp, F80_SUBR, false, true)
ARITH_HANDLER(fmulp, F80_MUL, false, true)
ARITH_HANDLER(fdivp, F80_DIV, false, true)
ARITH_HANDLER(fdivrp, F80_DIVR, false, true)
ARITH_HANDLER(fiadd, F80_ADD, true, false)
ARITH_HANDLER(fisub, F80_SUB, true, false)
ARITH_HANDLER(fisubr, F80_SUBR, true, false)
ARITH_HANDLER(fimul, F80_MUL, true, false)
ARITH_HANDLER(fidiv, F80_DIV, true, false)
ARITH_HANDLER(fidivr, F80_DIVR, true, false)

/* ---- comparisons ------------------------------------------------------------------------------ */

/* FCOM/FUCOM/FICOM families and FTST: C3/C2/C0 from the comparison of ST(0) with the
 * operand (ST(i), ST(1) without an operand, memory, or +0 for FTST), C1 = 0; `pops` pops
 * after a delivered (or masked-fault) result. */
static void x87_compare(CpuState *cpu, const DecodedInsn *insn, bool quiet, bool integer, int pops,
                        bool test)
{
    if (!x87_begin(cpu, insn))
        return;
    FpEnv env = x87_env(cpu);
    bool mem = has_mem(insn);
    MemOperand m = {0};
    unsigned i = insn->nopnd ? insn->opnd[0].reg : 1;
    if (mem)
        m = read_mem_operand(cpu, insn, integer);
    /* The condition codes are set even when the exception is unmasked (measured); only
     * the pops wait for a masked one. */
    if (x87_empty(cpu, 0) || (!mem && !test && x87_empty(cpu, i))) {
        bool masked = x87_underflow(cpu);
        x87_set_cc(cpu, FP_SW_C3 | FP_SW_C2 | FP_SW_C0);
        for (int k = 0; masked && k < pops; k++)
            x87_pop(cpu);
        x87_record(cpu, insn);
        return;
    }
    Float80 a = x87_get(cpu, 0);
    FpCmp c;
    if (test)
        c = f80_compare(a, f80_make(0, 0), false, &env);
    else if (!mem)
        c = f80_compare(a, x87_get(cpu, i), quiet, &env);
    else if (integer)
        c = f80_compare(a, m.value, false, &env);
    else if (m.size == 4)
        c = f80_compare_f32(a, (uint32_t)m.bits, &env);
    else
        c = f80_compare_f64(a, m.bits, &env);
    bool ok = x87_flags(cpu, &env);
    x87_set_cc(cpu, fp_cmp_x87_cc(c));
    for (int k = 0; ok && k < pops; k++)
        x87_pop(cpu);
    x87_record(cpu, insn);
}

static void op_fcom(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, false, false, 0, false); }
static void op_fcomp(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, false, false, 1, false); }
static void op_fcompp(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, false, false, 2, false); }
static void op_fucom(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, true, false, 0, false); }
static void op_fucomp(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, true, false, 1, false); }
static void op_fucompp(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, true, false, 2, false); }
static void op_ficom(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, false, true, 0, false); }
static void op_ficomp(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, false, true, 1, false); }
static void op_ftst(CpuState *cpu, const DecodedInsn *insn) { x87_compare(cpu, insn, false, false, 0, true); }

/* FCOMI/FUCOMI(P): ZF, PF, CF from the comparison, OF, SF and AF cleared. */
static void x87_comi(CpuState *cpu, const DecodedInsn *insn, bool quiet, bool pop)
{
    if (!x87_begin(cpu, insn))
        return;
    FpEnv env = x87_env(cpu);
    unsigned i = insn->opnd[1].reg;
    /* EFLAGS are set even when the exception is unmasked; C1 keeps its value (measured). */
    if (x87_empty(cpu, 0) || x87_empty(cpu, i)) {
        bool masked = x87_underflow(cpu);
        cpu_set_arith_flags(cpu, fp_cmp_eflags(FP_CMP_UNORDERED));
        if (masked && pop)
            x87_pop(cpu);
    } else {
        FpCmp c = f80_compare(x87_get(cpu, 0), x87_get(cpu, i), quiet, &env);
        uint16_t c1 = cpu->fpu.fsw & FP_SW_C1;
        bool ok = x87_flags(cpu, &env);
        cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~FP_SW_C1) | c1);
        cpu_set_arith_flags(cpu, fp_cmp_eflags(c));
        if (ok && pop)
            x87_pop(cpu);
    }
    x87_record(cpu, insn);
}

static void op_fcomi(CpuState *cpu, const DecodedInsn *insn) { x87_comi(cpu, insn, false, false); }
static void op_fcomip(CpuState *cpu, const DecodedInsn *insn) { x87_comi(cpu, insn, false, true); }
static void op_fucomi(CpuState *cpu, const DecodedInsn *insn) { x87_comi(cpu, insn, true, false); }
static void op_fucomip(CpuState *cpu, const DecodedInsn *insn) { x87_comi(cpu, insn, true, true); }

/* FXAM: never faults on its operand; an empty ST(0) reports class 101 (C3, C0). */
static void op_fxam(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    Float80 a = x87_get(cpu, 0);
    if (x87_empty(cpu, 0))
        x87_set_cc(cpu, FP_SW_C3 | FP_SW_C0 | (f80_sign(a) ? FP_SW_C1 : 0));
    else
        x87_set_cc(cpu, f80_classify(a));
    x87_record(cpu, insn);
}

/* ---- one-operand operations on ST(0) -------------------------------------------------------- */

typedef Float80 (*F80Unary)(Float80 a, FpEnv *env);

/* ST(0) = fn(ST(0)); C1 from the rounding. */
static void x87_unary(CpuState *cpu, const DecodedInsn *insn, F80Unary fn)
{
    if (!x87_begin(cpu, insn))
        return;
    if (x87_empty(cpu, 0)) {
        if (x87_underflow(cpu))
            x87_set(cpu, 0, f80_indefinite());
    } else {
        FpEnv env = x87_env(cpu);
        Float80 r = fn(x87_get(cpu, 0), &env);
        if (x87_flags(cpu, &env)) {
            x87_set(cpu, 0, r);
            x87_set_c1(cpu, env.c1);
        }
    }
    x87_record(cpu, insn);
}

static Float80 f80_chs(Float80 a, FpEnv *env)
{
    env->c1 = false;
    return f80_make(a.se ^ 0x8000, a.mant);
}
static Float80 f80_abs(Float80 a, FpEnv *env)
{
    env->c1 = false;
    return f80_make(a.se & 0x7FFF, a.mant);
}

static void op_fchs(CpuState *cpu, const DecodedInsn *insn) { x87_unary(cpu, insn, f80_chs); }
static void op_fabs(CpuState *cpu, const DecodedInsn *insn) { x87_unary(cpu, insn, f80_abs); }
static void op_fsqrt(CpuState *cpu, const DecodedInsn *insn) { x87_unary(cpu, insn, f80_sqrt); }
static void op_frndint(CpuState *cpu, const DecodedInsn *insn) { x87_unary(cpu, insn, f80_round_int); }

/* ---- ST(0) with ST(1) ----------------------------------------------------------------------- */

static void op_fscale(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    if (x87_empty(cpu, 0) || x87_empty(cpu, 1)) {
        if (x87_underflow(cpu))
            x87_set(cpu, 0, f80_indefinite());
    } else {
        FpEnv env = x87_env(cpu);
        Float80 r = f80_scale(x87_get(cpu, 0), x87_get(cpu, 1), &env);
        if (x87_flags(cpu, &env)) {
            x87_set(cpu, 0, r);
            x87_set_c1(cpu, env.c1);
        }
    }
    x87_record(cpu, insn);
}

/* FPREM/FPREM1: ST(0) = remainder; C2 = incomplete, C0/C3/C1 = quotient bits 2/1/0. */
static void x87_prem(CpuState *cpu, const DecodedInsn *insn, bool ieee)
{
    if (!x87_begin(cpu, insn))
        return;
    if (x87_empty(cpu, 0) || x87_empty(cpu, 1)) {
        if (x87_underflow(cpu))
            x87_set(cpu, 0, f80_indefinite());
        cpu->fpu.fsw &= (uint16_t)~FP_SW_C2; /* "complete"; C3 and C0 stay (measured) */
    } else {
        FpEnv env = x87_env(cpu);
        uint16_t cc = 0;
        Float80 a = x87_get(cpu, 0), b = x87_get(cpu, 1);
        Float80 r = ieee ? f80_rem1(a, b, &cc, &env) : f80_rem(a, b, &cc, &env);
        if (x87_flags(cpu, &env)) {
            x87_set(cpu, 0, r);
            /* A NaN result (NaN or invalid operands) leaves the quotient bits C3 and C0 as
             * they were and clears C2 and C1 (measured). */
            bool nan = (r.se & 0x7FFF) == 0x7FFF && (r.mant << 1) != 0;
            x87_set_cc(cpu, nan ? cpu->fpu.fsw & (FP_SW_C3 | FP_SW_C0) : cc);
        } else {
            cpu->fpu.fsw &= (uint16_t)~FP_SW_C2; /* and C1, by x87_flags */
        }
    }
    x87_record(cpu, insn);
}

static void op_fprem(CpuState *cpu, const DecodedInsn *insn) { x87_prem(cpu, insn, false); }
static void op_fprem1(CpuState *cpu, const DecodedInsn *insn) { x87_prem(cpu, insn, true); }

/* FXTRACT: ST(0) becomes the exponent, then the significand is pushed. */
static void op_fxtract(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    bool under = x87_empty(cpu, 0);
    if (under || x87_push_blocked(cpu)) {
        if (under ? x87_underflow(cpu) : x87_overflow(cpu)) {
            x87_set(cpu, 0, f80_indefinite());
            x87_push(cpu, f80_indefinite());
        }
    } else {
        FpEnv env = x87_env(cpu);
        Float80 e, s;
        f80_xtract(x87_get(cpu, 0), &e, &s, &env);
        if (x87_flags(cpu, &env)) {
            x87_set(cpu, 0, e);
            x87_push(cpu, s);
            x87_set_c1(cpu, false);
        }
    }
    x87_record(cpu, insn);
}

void x87_arith_register(InsnHandler *t)
{
    t[OP_FADD] = op_fadd;
    t[OP_FSUB] = op_fsub;
    t[OP_FSUBR] = op_fsubr;
    t[OP_FMUL] = op_fmul;
    t[OP_FDIV] = op_fdiv;
    t[OP_FDIVR] = op_fdivr;
    t[OP_FADDP] = op_faddp;
    t[OP_FSUBP] = op_fsubp;
    t[OP_FSUBRP] = op_fsubrp;
    t[OP_FMULP] = op_fmulp;
    t[OP_FDIVP] = op_fdivp;
    t[OP_FDIVRP] = op_fdivrp;
    t[OP_FIADD] = op_fiadd;
    t[OP_FISUB] = op_fisub;
    t[OP_FISUBR] = op_fisubr;
    t[OP_FIMUL] = op_fimul;
    t[OP_FIDIV] = op_fidiv;
    t[OP_FIDIVR] = op_fidivr;
    t[OP_FCOM] = op_fcom;
    t[OP_FCOMP] = op_fcomp;
    t[OP_FCOMPP] = op_fcompp;
    t[OP_FUCOM] = op_fucom;
    t[OP_FUCOMP] = op_fucomp;
    t[OP_FUCOMPP] = op_fucompp;
    t[OP_FICOM] = op_ficom;
    t[OP_FICOMP] = op_ficomp;
    t[OP_FTST] = op_ftst;
    t[OP_FCOMI] = op_fcomi;
    t[OP_FCOMIP] = op_fcomip;
    t[OP_FUCOMI] = op_fucomi;
    t[OP_FUCOMIP] = op_fucomip;
    t[OP_FXAM] = op_fxam;
    t[OP_FCHS] = op_fchs;
    t[OP_FABS] = op_fabs;
    t[OP_FSQRT] = op_fsqrt;
    t[OP_FRNDINT] = op_frndint;
    t[OP_FSCALE] = op_fscale;
    t[OP_FPREM] = op_fprem;
    t[OP_FPREM1] = op_fprem1;
    t[OP_FXTRACT] = op_fxtract;
}
