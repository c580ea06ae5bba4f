/* x87_ldst.c — loads, stores and register moves: FLD/FST/FSTP (m32, m64, m80, ST(i)),
 * FILD/FIST/FISTP (m16, m32, m64), FBLD/FBSTP, the constants (FLD1 ... FLDZ), FXCH, FCMOVcc,
 * FFREE/FFREEP, FINCSTP/FDECSTP and FNOP. Stores check the whole destination for writing
 * first, so nothing changes when they fault. */
#include "cpu/x87_internal.h"

/* ---- loads ------------------------------------------------------------------------------- */

/* Pushes v after the overflow check; env holds the exceptions of producing v. */
static void push_result(CpuState *cpu, Float80 v, FpEnv *env)
{
    if (x87_push_blocked(cpu)) {
        if (x87_overflow(cpu))
            x87_push(cpu, f80_indefinite());
        return;
    }
    /* A denormal memory operand is loaded even when DE is unmasked (measured). */
    if (x87_flags_stop(cpu, env, FP_IE)) {
        x87_push(cpu, v);
        x87_set_c1(cpu, false);
    }
}

static Float80 read_m80(CpuState *cpu, const DecodedInsn *insn)
{
    uint8_t b[10];
    uint32_t lin = fpu_mem_check(cpu, insn->seg, insn_ea(cpu, insn), 10, false);
    fpu_mem_read(cpu, lin, b, 10);
    return f80_from_bytes(b);
}

static void op_fld(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    FpEnv env = x87_env(cpu);
    Float80 v;
    const Operand *o = &insn->opnd[0];
    if (o->type == OPT_MEM) {
        uint32_t off = insn_ea(cpu, insn);
        if (o->size == 4)
            v = f80_from_f32(cpu_read32(cpu, insn->seg, off), &env);
        else if (o->size == 8)
            v = f80_from_f64(cpu_read64(cpu, insn->seg, off), &env);
        else
            v = read_m80(cpu, insn);
    } else {
        if (x87_empty(cpu, o->reg)) { /* underflow outranks overflow (measured) */
            if (x87_underflow(cpu))
                x87_push(cpu, f80_indefinite());
            x87_record(cpu, insn);
            return;
        }
        v = x87_get(cpu, o->reg);
    }
    push_result(cpu, v, &env);
    x87_record(cpu, insn);
}

static void op_fild(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    uint32_t off = insn_ea(cpu, insn);
    int64_t v;
    switch (insn->opnd[0].size) {
    case 2: v = (int16_t)cpu_read16(cpu, insn->seg, off); break;
    case 4: v = (int32_t)cpu_read32(cpu, insn->seg, off); break;
    default: v = (int64_t)cpu_read64(cpu, insn->seg, off); break;
    }
    FpEnv env = x87_env(cpu);
    push_result(cpu, f80_from_int(v), &env);
    x87_record(cpu, insn);
}

static void op_fbld(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    uint8_t b[10];
    uint32_t lin = fpu_mem_check(cpu, insn->seg, insn_ea(cpu, insn), 10, false);
    fpu_mem_read(cpu, lin, b, 10);
    FpEnv env = x87_env(cpu);
    push_result(cpu, f80_from_bcd(b), &env);
    x87_record(cpu, insn);
}

static void op_fldconst(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    FpEnv env = x87_env(cpu);
    /* D9 E8..EE: FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (F80Const order). */
    Float80 v = f80_const((F80Const)(insn->modrm - 0xE8), &env);
    push_result(cpu, v, &env);
    x87_record(cpu, insn);
}

/* ---- stores -------------------------------------------------------------------------------- */

typedef enum StoreKind { ST_REAL, ST_INT, ST_BCD } StoreKind;

/* The memory image of ST(0) (or of the indefinite when `a` is NULL) in the destination
 * format; returns its size. */
static unsigned store_image(StoreKind kind, unsigned size, const Float80 *a, uint8_t out[10],
                            FpEnv *env)
{
    FpEnv scratch = *env;
    FpEnv *e = a ? env : &scratch;
    Float80 v = a ? *a : f80_indefinite();
    uint64_t bits = 0;
    if (kind == ST_BCD) {
        f80_to_bcd(v, out, e);
        return 10;
    }
    if (kind == ST_REAL && size == 10) {
        f80_to_bytes(v, out);
        return 10;
    }
    if (kind == ST_REAL)
        bits = size == 4 ? f80_to_f32(v, e) : f80_to_f64(v, e);
    else
        bits = size == 2 ? (uint16_t)f80_to_i16(v, false, e)
               : size == 4 ? (uint32_t)f80_to_i32(v, false, e)
                           : (uint64_t)f80_to_i64(v, false, e);
    for (unsigned i = 0; i < size; i++)
        out[i] = (uint8_t)(bits >> (8 * i));
    return size;
}

static void x87_store_mem(CpuState *cpu, const DecodedInsn *insn, StoreKind kind, bool pop)
{
    if (!x87_begin(cpu, insn))
        return;
    unsigned size = insn->opnd[0].size;
    uint32_t lin = fpu_mem_check(cpu, insn->seg, insn_ea(cpu, insn), size, true);
    FpEnv env = x87_env(cpu);
    uint8_t img[10];
    if (x87_empty(cpu, 0)) {
        if (x87_underflow(cpu)) {
            fpu_mem_write(cpu, lin, img, store_image(kind, size, NULL, img, &env));
            if (pop)
                x87_pop(cpu);
        }
    } else {
        Float80 a = x87_get(cpu, 0);
        unsigned n = store_image(kind, size, &a, img, &env);
        /* Unmasked overflow/underflow leave a memory destination alone (f80.h). */
        bool deliver = !(env.flags & ~env.masks & (FP_OE | FP_UE));
        bool computed = x87_flags(cpu, &env);
        if (computed)
            x87_set_c1(cpu, env.c1); /* also when an unmasked OE/UE keeps memory */
        if (computed && deliver) {
            fpu_mem_write(cpu, lin, img, n);
            if (pop)
                x87_pop(cpu);
        }
    }
    x87_record(cpu, insn);
}

/* FST/FSTP ST(i): ST(i) = ST(0). */
static void x87_store_reg(CpuState *cpu, const DecodedInsn *insn, bool pop)
{
    if (!x87_begin(cpu, insn))
        return;
    unsigned i = insn->opnd[0].reg;
    if (insn->opcode == 0xD9 && x87_empty(cpu, 0)) {
        /* The undocumented alias D9 D8+i with an empty ST(0) only pops: no stack fault,
         * no store, C1 cleared (measured on Intel). DD D8+i and DF D0+i/D8+i fault. */
        x87_pop(cpu);
        x87_set_c1(cpu, false);
        x87_record(cpu, insn);
        return;
    }
    if (x87_empty(cpu, 0)) {
        if (x87_underflow(cpu)) {
            x87_set(cpu, i, f80_indefinite());
            if (pop)
                x87_pop(cpu);
        }
    } else {
        x87_set(cpu, i, x87_get(cpu, 0));
        x87_set_c1(cpu, false);
        if (pop)
            x87_pop(cpu);
    }
    x87_record(cpu, insn);
}

static void op_fst(CpuState *cpu, const DecodedInsn *insn)
{
    if (insn->opnd[0].type == OPT_MEM)
        x87_store_mem(cpu, insn, ST_REAL, false);
    else
        x87_store_reg(cpu, insn, false);
}
static void op_fstp(CpuState *cpu, const DecodedInsn *insn)
{
    if (insn->opnd[0].type == OPT_MEM)
        x87_store_mem(cpu, insn, ST_REAL, true);
    else
        x87_store_reg(cpu, insn, true);
}
static void op_fist(CpuState *cpu, const DecodedInsn *insn) { x87_store_mem(cpu, insn, ST_INT, false); }
static void op_fistp(CpuState *cpu, const DecodedInsn *insn) { x87_store_mem(cpu, insn, ST_INT, true); }
static void op_fbstp(CpuState *cpu, const DecodedInsn *insn) { x87_store_mem(cpu, insn, ST_BCD, true); }

/* ---- register moves and stack control ----------------------------------------------------- */

static void op_fxch(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    unsigned i = insn->opnd[0].reg;
    bool e0 = x87_empty(cpu, 0), ei = x87_empty(cpu, i);
    if (e0 || ei) {
        /* Masked response: an empty register takes the indefinite, then they swap. */
        if (x87_underflow(cpu)) {
            Float80 a = e0 ? f80_indefinite() : x87_get(cpu, 0);
            Float80 b = ei ? f80_indefinite() : x87_get(cpu, i);
            x87_set(cpu, 0, b);
            x87_set(cpu, i, a);
        }
    } else {
        Float80 a = x87_get(cpu, 0);
        x87_set(cpu, 0, x87_get(cpu, i));
        x87_set(cpu, i, a);
        x87_set_c1(cpu, false);
    }
    x87_record(cpu, insn);
}

/* FCMOVB/E/BE/U (DA) and their negations (DB): the condition is Jcc code 2, 4, 6 or 10,
 * odd for the negated forms. */
static void op_fcmov(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    static const unsigned cc[4] = { 2, 4, 6, 10 };
    unsigned i = insn->opnd[1].reg;
    bool move = cpu_cond(cpu, cc[insn_modrm_reg(insn) & 3] | (insn->opcode == 0xDB));
    if (x87_empty(cpu, 0) || x87_empty(cpu, i)) {
        if (x87_underflow(cpu))
            x87_set(cpu, 0, f80_indefinite());
    } else {
        if (move)
            x87_set(cpu, 0, x87_get(cpu, i)); /* C1 keeps its value (measured) */
    }
    x87_record(cpu, insn);
}

static void op_ffree(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    x87_set_empty(cpu, insn->opnd[0].reg);
    x87_set_c1(cpu, false); /* measured */
    x87_record(cpu, insn);
}

static void op_ffreep(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    x87_set_empty(cpu, insn->opnd[0].reg);
    x87_pop(cpu);
    x87_set_c1(cpu, false);
    x87_record(cpu, insn);
}

static void op_fincstp(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    cpu->fpu.top = (cpu->fpu.top + 1) & 7;
    x87_set_c1(cpu, false);
    x87_record(cpu, insn);
}

static void op_fdecstp(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    cpu->fpu.top = (cpu->fpu.top - 1) & 7;
    x87_set_c1(cpu, false);
    x87_record(cpu, insn);
}

/* FNOP, and the 8087/287 control opcodes (FNENI, FNDISI, FNSETPM) that later FPUs ignore. */
static void op_fnop(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    if (!(insn->row->attr & A_CTRL_FP))
        x87_record(cpu, insn);
}

void x87_ldst_register(InsnHandler *t)
{
    t[OP_FLD] = op_fld;
    t[OP_FILD] = op_fild;
    t[OP_FBLD] = op_fbld;
    t[OP_FLDCONST] = op_fldconst;
    t[OP_FST] = op_fst;
    t[OP_FSTP] = op_fstp;
    t[OP_FIST] = op_fist;
    t[OP_FISTP] = op_fistp;
    t[OP_FBSTP] = op_fbstp;
    t[OP_FXCH] = op_fxch;
    t[OP_FCMOV] = op_fcmov;
    t[OP_FFREE] = op_ffree;
    t[OP_FFREEP] = op_ffreep;
    t[OP_FINCSTP] = op_fincstp;
    t[OP_FDECSTP] = op_fdecstp;
    t[OP_FNOP] = op_fnop;
}
