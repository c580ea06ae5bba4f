/* f80_arith.c — x87 add, sub, mul, div, sqrt, compare and FXAM (see f80.h).
 *
 * Every operation follows the SDM's exception priority: unsupported operand and SNaN (IE),
 * then QNaN propagation, then the operation's own invalid cases and divide-by-zero, then
 * the denormal-operand flag, then the rounded result with OE/UE/PE.
 */
#include "cpu/fpu/fp_internal.h"

Float80 fp_x87_invalid(FpEnv *env)
{
    env->flags |= FP_IE;
    env->c1 = false;
    return f80_indefinite();
}

bool fp_x87_nan_operands(const FpVal *a, const FpVal *b, Float80 *out, FpEnv *env)
{
    if (a->kind == FPK_BAD || (b && b->kind == FPK_BAD)) {
        *out = fp_x87_invalid(env);
        return true;
    }
    bool an = fp_is_nan(a), bn = b && fp_is_nan(b);
    if (!an && !bn)
        return false;
    if (a->kind == FPK_SNAN || (b && b->kind == FPK_SNAN))
        env->flags |= FP_IE;
    FpVal n = an && bn ? fp_pick_nan_x87(a, b) : an ? *a : *b;
    *out = fp_nan80(n.sign, n.sig);
    env->c1 = false;
    return true;
}

void fp_x87_denormals(const FpVal *a, const FpVal *b, FpEnv *env)
{
    if (a->denorm || (b && b->denorm))
        env->flags |= FP_DE;
}

static Float80 x87_addsub(FpVal a, FpVal b, bool negate, FpEnv *env)
{
    Float80 out;
    if (fp_x87_nan_operands(&a, &b, &out, env))
        return out;
    b.sign ^= negate;
    if (a.kind == FPK_INF || b.kind == FPK_INF) {
        if (a.kind == FPK_INF && b.kind == FPK_INF && a.sign != b.sign)
            return fp_x87_invalid(env);
        fp_x87_denormals(&a, &b, env);
        env->c1 = false;
        return fp_inf80(a.kind == FPK_INF ? a.sign : b.sign);
    }
    fp_x87_denormals(&a, &b, env);
    FpFormat f = fp_format80(env->precision);
    if (a.kind == FPK_ZERO && b.kind == FPK_ZERO) {
        env->c1 = false;
        return fp_zero80(a.sign == b.sign ? a.sign : fp_zero_sum_sign(env));
    }
    /* x + 0 still rounds x: precision control may shorten it, a denormal may underflow. */
    if (a.kind == FPK_ZERO || b.kind == FPK_ZERO)
        return fp_x87_round(env, &f, a.kind == FPK_ZERO ? &b : &a);
    bool s;
    int32_t e;
    FpU128 m;
    if (!fp_add_core(&a, &b, false, &s, &e, &m)) {
        env->c1 = false;
        return fp_zero80(fp_zero_sum_sign(env));
    }
    return fp_pack80(fp_round(env, &f, s, e, m));
}

static Float80 x87_mul(FpVal a, FpVal b, FpEnv *env)
{
    Float80 out;
    if (fp_x87_nan_operands(&a, &b, &out, env))
        return out;
    bool s = a.sign ^ b.sign;
    if (a.kind == FPK_INF || b.kind == FPK_INF) {
        if (a.kind == FPK_ZERO || b.kind == FPK_ZERO)
            return fp_x87_invalid(env);
        fp_x87_denormals(&a, &b, env);
        env->c1 = false;
        return fp_inf80(s);
    }
    fp_x87_denormals(&a, &b, env);
    if (a.kind == FPK_ZERO || b.kind == FPK_ZERO) {
        env->c1 = false;
        return fp_zero80(s);
    }
    FpFormat f = fp_format80(env->precision);
    int32_t e;
    FpU128 m;
    fp_mul_core(&a, &b, &s, &e, &m);
    return fp_pack80(fp_round(env, &f, s, e, m));
}

static Float80 x87_div(FpVal a, FpVal b, FpEnv *env)
{
    Float80 out;
    if (fp_x87_nan_operands(&a, &b, &out, env))
        return out;
    bool s = a.sign ^ b.sign;
    if (a.kind == b.kind && (a.kind == FPK_INF || a.kind == FPK_ZERO))
        return fp_x87_invalid(env); /* inf/inf, 0/0 */
    env->c1 = false;
    if (b.kind == FPK_ZERO && a.kind == FPK_FINITE) {
        env->flags |= FP_ZE;
        return fp_inf80(s);
    }
    fp_x87_denormals(&a, &b, env);
    if (a.kind == FPK_INF || b.kind == FPK_ZERO)
        return fp_inf80(s);
    if (a.kind == FPK_ZERO || b.kind == FPK_INF)
        return fp_zero80(s);
    FpFormat f = fp_format80(env->precision);
    int32_t e;
    FpU128 m;
    fp_div_core(&a, &b, &s, &e, &m);
    return fp_pack80(fp_round(env, &f, s, e, m));
}

static Float80 x87_binop(F80Op op, FpVal a, FpVal b, FpEnv *env)
{
    switch (op) {
    case F80_ADD: return x87_addsub(a, b, false, env);
    case F80_SUB: return x87_addsub(a, b, true, env);
    case F80_SUBR: return x87_addsub(b, a, true, env);
    case F80_MUL: return x87_mul(a, b, env);
    case F80_DIV: return x87_div(a, b, env);
    default: return x87_div(b, a, env);
    }
}

Float80 f80_add(Float80 a, Float80 b, FpEnv *env)
{
    return x87_addsub(fp_unpack80(a), fp_unpack80(b), false, env);
}

Float80 f80_sub(Float80 a, Float80 b, FpEnv *env)
{
    return x87_addsub(fp_unpack80(a), fp_unpack80(b), true, env);
}

Float80 f80_mul(Float80 a, Float80 b, FpEnv *env)
{
    return x87_mul(fp_unpack80(a), fp_unpack80(b), env);
}

Float80 f80_div(Float80 a, Float80 b, FpEnv *env)
{
    return x87_div(fp_unpack80(a), fp_unpack80(b), env);
}

/* The memory operand stays unpacked so that its denormal-ness (DE) and signalling-ness (IE)
 * are judged by the operation's priorities, exactly as for a register operand. */
Float80 f80_arith_f32(F80Op op, Float80 st0, uint32_t m, FpEnv *env)
{
    return x87_binop(op, fp_unpack80(st0), fp_unpack32(m, false), env);
}

Float80 f80_arith_f64(F80Op op, Float80 st0, uint64_t m, FpEnv *env)
{
    return x87_binop(op, fp_unpack80(st0), fp_unpack64(m, false), env);
}

Float80 f80_sqrt(Float80 x, FpEnv *env)
{
    FpVal a = fp_unpack80(x);
    Float80 out;
    if (fp_x87_nan_operands(&a, NULL, &out, env))
        return out;
    if (a.kind == FPK_ZERO) { /* sqrt(-0) = -0 */
        env->c1 = false;
        return x;
    }
    if (a.sign)
        return fp_x87_invalid(env);
    if (a.kind == FPK_INF) {
        env->c1 = false;
        return x;
    }
    fp_x87_denormals(&a, NULL, env);
    FpFormat f = fp_format80(env->precision);
    int32_t e;
    FpU128 m;
    fp_sqrt_core(&a, &e, &m);
    return fp_pack80(fp_round(env, &f, false, e, m));
}

static FpCmp x87_compare(FpVal a, FpVal b, bool quiet, FpEnv *env)
{
    env->c1 = false;
    if (a.kind == FPK_BAD || b.kind == FPK_BAD) {
        env->flags |= FP_IE;
        return FP_CMP_UNORDERED;
    }
    if (fp_is_nan(&a) || fp_is_nan(&b)) {
        if (!quiet || a.kind == FPK_SNAN || b.kind == FPK_SNAN)
            env->flags |= FP_IE;
        return FP_CMP_UNORDERED;
    }
    fp_x87_denormals(&a, &b, env);
    return fp_cmp_vals(&a, &b);
}

FpCmp f80_compare(Float80 a, Float80 b, bool quiet, FpEnv *env)
{
    return x87_compare(fp_unpack80(a), fp_unpack80(b), quiet, env);
}

FpCmp f80_compare_f32(Float80 st0, uint32_t m, FpEnv *env)
{
    return x87_compare(fp_unpack80(st0), fp_unpack32(m, false), false, env);
}

FpCmp f80_compare_f64(Float80 st0, uint64_t m, FpEnv *env)
{
    return x87_compare(fp_unpack80(st0), fp_unpack64(m, false), false, env);
}

uint16_t f80_classify(Float80 x)
{
    FpVal a = fp_unpack80(x);
    uint16_t cc = a.sign ? FP_SW_C1 : 0;
    switch (a.kind) {
    case FPK_BAD:
        return cc;
    case FPK_QNAN:
    case FPK_SNAN:
        return cc | FP_SW_C0;
    case FPK_INF:
        return cc | FP_SW_C2 | FP_SW_C0;
    case FPK_ZERO:
        return cc | FP_SW_C3;
    default:
        return cc | (a.denorm ? FP_SW_C3 | FP_SW_C2 : FP_SW_C2);
    }
}
