/* x87_trans.c — the transcendental instructions: F2XM1, FYL2X, FYL2XP1, FPATAN, FSIN,
 * FCOS, FPTAN, FSINCOS. Values come from cpu/fpu/f80_trans.c; this file is the stack,
 * condition-code (C2 = argument out of range) and exception wiring. */
#include "cpu/x87_internal.h"

static void op_f2xm1(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    if (x87_empty(cpu, 0)) {
        if (x87_underflow(cpu))
            x87_set(cpu, 0, f80_indefinite());
    } else {
        FpEnv env = x87_env(cpu);
        Float80 r = f80_f2xm1(x87_get(cpu, 0), &env);
        if (x87_flags(cpu, &env)) {
            x87_set(cpu, 0, r);
            x87_set_c1(cpu, env.c1);
        }
    }
    x87_record(cpu, insn);
}

typedef Float80 (*F80YX)(Float80 y, Float80 x, FpEnv *env);

/* ST(1) = fn(ST(1), ST(0)), then pop. */
static void x87_yx_pop(CpuState *cpu, const DecodedInsn *insn, F80YX fn)
{
    if (!x87_begin(cpu, insn))
        return;
    if (x87_empty(cpu, 0) || x87_empty(cpu, 1)) {
        if (x87_underflow(cpu)) {
            x87_set(cpu, 1, f80_indefinite());
            x87_pop(cpu);
        }
    } else {
        FpEnv env = x87_env(cpu);
        Float80 r = fn(x87_get(cpu, 1), x87_get(cpu, 0), &env);
        if (x87_flags(cpu, &env)) {
            x87_set(cpu, 1, r);
            x87_set_c1(cpu, env.c1);
            x87_pop(cpu);
        }
    }
    x87_record(cpu, insn);
}

static void op_fyl2x(CpuState *cpu, const DecodedInsn *insn) { x87_yx_pop(cpu, insn, f80_yl2x); }
static void op_fyl2xp1(CpuState *cpu, const DecodedInsn *insn) { x87_yx_pop(cpu, insn, f80_yl2xp1); }
static void op_fpatan(CpuState *cpu, const DecodedInsn *insn) { x87_yx_pop(cpu, insn, f80_atan); }

/* FSIN/FCOS: out of range (|x| >= 2^63) sets C2 and leaves ST(0); otherwise C2 is cleared,
 * also after a stack fault or an unmasked exception (measured). */
static void x87_trig(CpuState *cpu, const DecodedInsn *insn, bool cosine)
{
    if (!x87_begin(cpu, insn))
        return;
    if (x87_empty(cpu, 0)) {
        if (x87_underflow(cpu))
            x87_set(cpu, 0, f80_indefinite());
        cpu->fpu.fsw &= (uint16_t)~FP_SW_C2; /* measured */
    } else {
        FpEnv env = x87_env(cpu);
        Float80 r;
        bool in_range = cosine ? f80_cos(x87_get(cpu, 0), &r, &env) : f80_sin(x87_get(cpu, 0), &r, &env);
        if (!in_range) {
            cpu->fpu.fsw |= FP_SW_C2;
        } else {
            if (x87_flags(cpu, &env)) {
                x87_set(cpu, 0, r);
                x87_set_c1(cpu, env.c1);
            }
            cpu->fpu.fsw &= (uint16_t)~FP_SW_C2;
        }
    }
    x87_record(cpu, insn);
}

static void op_fsin(CpuState *cpu, const DecodedInsn *insn) { x87_trig(cpu, insn, false); }
static void op_fcos(CpuState *cpu, const DecodedInsn *insn) { x87_trig(cpu, insn, true); }

/* FPTAN and FSINCOS replace ST(0) and push a second result. */
static void x87_trig2(CpuState *cpu, const DecodedInsn *insn, bool sincos)
{
    if (!x87_begin(cpu, insn))
        return;
    bool under = x87_empty(cpu, 0);
    if (under || x87_push_blocked(cpu)) {
        if (under ? x87_underflow(cpu) : x87_overflow(cpu)) {
            x87_set(cpu, 0, f80_indefinite());
            x87_push(cpu, f80_indefinite());
        }
        cpu->fpu.fsw &= (uint16_t)~FP_SW_C2;
    } else {
        FpEnv env = x87_env(cpu);
        Float80 r0, r1;
        bool in_range = sincos ? f80_sincos(x87_get(cpu, 0), &r0, &r1, &env)
                               : f80_ptan(x87_get(cpu, 0), &r0, &r1, &env);
        if (!in_range) {
            cpu->fpu.fsw |= FP_SW_C2;
        } else {
            if (x87_flags(cpu, &env)) {
                x87_set(cpu, 0, r0);
                x87_push(cpu, r1);
                x87_set_c1(cpu, env.c1);
            }
            cpu->fpu.fsw &= (uint16_t)~FP_SW_C2;
        }
    }
    x87_record(cpu, insn);
}

static void op_fptan(CpuState *cpu, const DecodedInsn *insn) { x87_trig2(cpu, insn, false); }
static void op_fsincos(CpuState *cpu, const DecodedInsn *insn) { x87_trig2(cpu, insn, true); }

void x87_trans_register(InsnHandler *t)
{
    t[OP_F2XM1] = op_f2xm1;
    t[OP_FYL2X] = op_fyl2x;
    t[OP_FYL2XP1] = op_fyl2xp1;
    t[OP_FPATAN] = op_fpatan;
    t[OP_FSIN] = op_fsin;
    t[OP_FCOS] = op_fcos;
    t[OP_FPTAN] = op_fptan;
    t[OP_FSINCOS] = op_fsincos;
}
