/* ops_x87.c — fpu-host-diff checks of the x87 operations (exact: bits, exception flags, C1
 * and the condition codes each instruction defines). */
#include <string.h>

#include "diff.h"
#include "host_x87.h"

#define SW_EXC 0x003F
#define SW_C1 0x0200
#define SW_CC_ALL (0x0100 | 0x0200 | 0x0400 | 0x4000)

/* The library's status word bits in the host's layout. */
static uint16_t lib_sw(const FpEnv *e, uint16_t cc) { return (uint16_t)(e->flags | (e->c1 ? SW_C1 : 0) | cc); }

static void report2(DiffCtx *c, Float80 a, Float80 b, HostX87 h, Float80 r, uint16_t sw,
                    uint16_t mask)
{
    bool ok = f80_same(h.r, r) && ((h.sw ^ sw) & mask) == 0;
    diff_record(c, ok, "a=%04x:%016llx b=%04x:%016llx host=%04x:%016llx sw=%04x lib=%04x:%016llx sw=%04x",
                a.se, (unsigned long long)a.mant, b.se, (unsigned long long)b.mant, h.r.se,
                (unsigned long long)h.r.mant, h.sw & mask, r.se, (unsigned long long)r.mant, sw & mask);
}

typedef Float80 (*LibBin)(Float80, Float80, FpEnv *);

static void bin_op(DiffCtx *c, Rng *r, uint32_t cw, HostX87Op hop, LibBin fn, char kind)
{
    Float80 a = gen_f80(r, GEN_ANY), b = gen_f80_pair(r, a, kind);
    if (rng_below(r, 2))
        { Float80 t = a; a = b; b = t; }
    HostX87 h = host_x87(hop, a, b, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    Float80 res = fn(a, b, &e);
    report2(c, a, b, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void one_add(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_ADD, f80_add, '+'); }
static void one_sub(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_SUB, f80_sub, '+'); }
static void one_mul(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_MUL, f80_mul, '*'); }
static void one_div(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_DIV, f80_div, '/'); }

static void one_sqrt(DiffCtx *c, Rng *r, uint32_t cw)
{
    Float80 a = gen_f80(r, GEN_ANY);
    if (rng_below(r, 4) == 0 && f80_bexp(a) != 0x7FFF) { /* exact squares and neighbours */
        FpEnv sq = diff_x87_env(0x37F);
        Float80 b = gen_f80_finite(r, (int32_t)rng_below(r, 200) - 100);
        b.mant &= ~0ull << 32;
        a = f80_mul(b, b, &sq);
        a.mant += (uint64_t)((int)rng_below(r, 3) - 1);
        a.mant |= 1ull << 63;
    }
    HostX87 h = host_x87(HX_SQRT, a, a, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    Float80 res = f80_sqrt(a, &e);
    report2(c, a, a, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void cmp_op(DiffCtx *c, Rng *r, uint32_t cw, bool quiet)
{
    Float80 a = gen_f80(r, GEN_ANY), b = gen_f80_pair(r, a, '+');
    if (rng_below(r, 8) == 0)
        b = a;
    HostX87 h = host_x87(quiet ? HX_UCOM : HX_COM, a, b, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    FpCmp res = f80_compare(a, b, quiet, &e);
    h.r = a; /* FCOM leaves ST(0) alone: compare flags only */
    report2(c, a, b, h, a, lib_sw(&e, fp_cmp_x87_cc(res)), SW_EXC | SW_CC_ALL);
}

static void one_com(DiffCtx *c, Rng *r, uint32_t m) { cmp_op(c, r, m, false); }
static void one_ucom(DiffCtx *c, Rng *r, uint32_t m) { cmp_op(c, r, m, true); }

/* --- one-operand register instructions ------------------------------------------------- */

static void one_rndint(DiffCtx *c, Rng *r, uint32_t cw)
{
    Float80 a = gen_f80(r, rng_bool(r) ? GEN_INT : GEN_ANY);
    HostX87 h = host_x87(HX_RNDINT, a, a, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    Float80 res = f80_round_int(a, &e);
    report2(c, a, a, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void one_xtract(DiffCtx *c, Rng *r, uint32_t cw)
{
    Float80 a = gen_f80(r, GEN_ANY), ex, sig;
    HostX87 h = host_x87(HX_XTRACT, a, a, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    f80_xtract(a, &ex, &sig, &e);
    /* Fold the second result into the comparison through a second record. */
    report2(c, a, a, h, sig, lib_sw(&e, 0), SW_EXC | SW_C1);
    h.r = h.r2;
    report2(c, a, a, h, ex, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void one_xam(DiffCtx *c, Rng *r, uint32_t cw)
{
    Float80 a = gen_f80(r, GEN_ANY);
    HostX87 h = host_x87(HX_XAM, a, a, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    h.r = a;
    report2(c, a, a, h, a, lib_sw(&e, f80_classify(a)), SW_EXC | SW_CC_ALL);
}

static void one_tst(DiffCtx *c, Rng *r, uint32_t cw)
{
    Float80 a = gen_f80(r, GEN_ANY);
    HostX87 h = host_x87(HX_TST, a, a, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    FpCmp res = f80_compare(a, f80_make(0, 0), false, &e);
    h.r = a;
    report2(c, a, a, h, a, lib_sw(&e, fp_cmp_x87_cc(res)), SW_EXC | SW_CC_ALL);
}

/* --- two-operand register instructions with condition codes --------------------------- */

static void rem_op(DiffCtx *c, Rng *r, uint32_t cw, bool one)
{
    Float80 b = gen_f80(r, GEN_ANY), a;
    if (rng_below(r, 6) == 0) { /* both tiny: remainders in the denormal range */
        a = gen_f80_finite(r, -16382 - (int32_t)rng_below(r, 70) + 40);
        b = gen_f80_finite(r, -16382 - (int32_t)rng_below(r, 70));
    } else if (rng_below(r, 4) && f80_bexp(b) != 0x7FFF) /* exponent differences -3..200 */
        a = gen_f80_finite(r, (int32_t)f80_bexp(b) - F80_BIAS + (int32_t)rng_below(r, 204) - 3);
    else
        a = gen_f80(r, GEN_ANY);
    HostX87 h = host_x87(one ? HX_PREM1 : HX_PREM, a, b, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    uint16_t cc;
    Float80 res = one ? f80_rem1(a, b, &cc, &e) : f80_rem(a, b, &cc, &e);
    uint16_t sw = (uint16_t)(e.flags | cc | ((cc & SW_C1) ? 0 : (e.c1 ? SW_C1 : 0)));
    report2(c, a, b, h, res, sw, SW_EXC | SW_CC_ALL);
}

static void one_prem(DiffCtx *c, Rng *r, uint32_t m) { rem_op(c, r, m, false); }
static void one_prem1(DiffCtx *c, Rng *r, uint32_t m) { rem_op(c, r, m, true); }

static void one_scale(DiffCtx *c, Rng *r, uint32_t cw)
{
    Float80 a = gen_f80(r, GEN_ANY), b;
    switch (rng_below(r, 4)) {
    case 0: b = gen_f80(r, GEN_ANY); break;
    case 1: b = f80_from_int((int64_t)rng_below(r, 66000) - 33000); break;
    default: b = gen_f80(r, GEN_INT); break;
    }
    HostX87 h = host_x87(HX_SCALE, a, b, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    Float80 res = f80_scale(a, b, &e);
    report2(c, a, b, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

/* --- conversions --------------------------------------------------------------------- */

static void fist_op(DiffCtx *c, Rng *r, uint32_t mode, int bits, bool trunc)
{
    Float80 a = gen_f80(r, rng_below(r, 4) ? GEN_INT : GEN_ANY);
    uint16_t cw = (uint16_t)mode;
    HostX87 h = { 0 };
    int64_t hv = 0, lv = 0;
    FpEnv e = diff_x87_env(cw);
    switch (bits) {
    case 16:
        if (trunc) HOST_X87_STORE("fisttps", i16); else HOST_X87_STORE("fistps", i16);
        hv = h.m.i16;
        lv = f80_to_i16(a, trunc, &e);
        break;
    case 32:
        if (trunc) HOST_X87_STORE("fisttpl", i32); else HOST_X87_STORE("fistpl", i32);
        hv = h.m.i32;
        lv = f80_to_i32(a, trunc, &e);
        break;
    default:
        if (trunc) HOST_X87_STORE("fisttpll", i64); else HOST_X87_STORE("fistpll", i64);
        hv = h.m.i64;
        lv = f80_to_i64(a, trunc, &e);
        break;
    }
    uint16_t sw = lib_sw(&e, 0), mask = SW_EXC | SW_C1;
    diff_record(c, hv == lv && ((h.sw ^ sw) & mask) == 0,
                "a=%04x:%016llx host=%llx sw=%04x lib=%llx sw=%04x", a.se, (unsigned long long)a.mant,
                (unsigned long long)hv, h.sw & mask, (unsigned long long)lv, sw & mask);
}

static void one_fist16(DiffCtx *c, Rng *r, uint32_t m) { fist_op(c, r, m, 16, false); }
static void one_fist32(DiffCtx *c, Rng *r, uint32_t m) { fist_op(c, r, m, 32, false); }
static void one_fist64(DiffCtx *c, Rng *r, uint32_t m) { fist_op(c, r, m, 64, false); }
static void one_fisttp16(DiffCtx *c, Rng *r, uint32_t m) { fist_op(c, r, m, 16, true); }
static void one_fisttp32(DiffCtx *c, Rng *r, uint32_t m) { fist_op(c, r, m, 32, true); }
static void one_fisttp64(DiffCtx *c, Rng *r, uint32_t m) { fist_op(c, r, m, 64, true); }

static void one_fild(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    int64_t v = gen_int(r, 64);
    HostX87 h = { 0 };
    HOST_X87_LOAD("fildll", v);
    Float80 res = f80_from_int(v);
    report2(c, res, res, h, res, 0, SW_EXC);
}

static void one_fld32(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    uint32_t v = gen_f32(r, GEN_ANY);
    HostX87 h = { 0 };
    HOST_X87_LOAD("flds", v);
    FpEnv e = diff_x87_env(cw);
    Float80 res = f80_from_f32(v, &e), in = f80_make(0, v);
    report2(c, in, in, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void one_fld64(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    uint64_t v = gen_f64(r, GEN_ANY);
    HostX87 h = { 0 };
    HOST_X87_LOAD("fldl", v);
    FpEnv e = diff_x87_env(cw);
    Float80 res = f80_from_f64(v, &e), in = f80_make(0, v);
    report2(c, in, in, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void one_fst32(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    Float80 a = gen_f80(r, rng_below(r, 4) ? GEN_F32 : GEN_ANY);
    HostX87 h = { 0 };
    HOST_X87_STORE("fstps", f32);
    FpEnv e = diff_x87_env(cw);
    uint32_t res = f80_to_f32(a, &e);
    uint16_t sw = lib_sw(&e, 0), mask = SW_EXC | SW_C1;
    if (e.flags & ~e.masks) /* unmasked OE/UE: memory is left alone */
        res = h.m.f32;
    diff_record(c, res == h.m.f32 && ((h.sw ^ sw) & mask) == 0,
                "a=%04x:%016llx host=%08x sw=%04x lib=%08x sw=%04x", a.se, (unsigned long long)a.mant,
                h.m.f32, h.sw & mask, res, sw & mask);
}

static void one_fst64(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    Float80 a = gen_f80(r, rng_below(r, 4) ? GEN_F64 : GEN_ANY);
    HostX87 h = { 0 };
    HOST_X87_STORE("fstpl", f64);
    FpEnv e = diff_x87_env(cw);
    uint64_t res = f80_to_f64(a, &e);
    uint16_t sw = lib_sw(&e, 0), mask = SW_EXC | SW_C1;
    if (e.flags & ~e.masks)
        res = h.m.f64;
    diff_record(c, res == h.m.f64 && ((h.sw ^ sw) & mask) == 0,
                "a=%04x:%016llx host=%016llx sw=%04x lib=%016llx sw=%04x", a.se,
                (unsigned long long)a.mant, (unsigned long long)h.m.f64, h.sw & mask,
                (unsigned long long)res, sw & mask);
}

/* FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR/FCOM with an m32 or m64 operand. */
static void one_arith_mem(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    Float80 a = gen_f80(r, GEN_ANY);
    bool wide = rng_bool(r);
    uint32_t m32 = gen_f32(r, GEN_ANY);
    uint64_t m64 = gen_f64(r, GEN_ANY);
    unsigned op = rng_below(r, 7);
    HostX87 h = { 0 };
    FpEnv e = diff_x87_env(cw);
    Float80 res = a;
    uint16_t cc = 0, mask = SW_EXC | SW_C1;
    switch (op * 2 + wide) {
    case 0: HOST_X87_MEM("fadds", m32); break;
    case 1: HOST_X87_MEM("faddl", m64); break;
    case 2: HOST_X87_MEM("fsubs", m32); break;
    case 3: HOST_X87_MEM("fsubl", m64); break;
    case 4: HOST_X87_MEM("fsubrs", m32); break;
    case 5: HOST_X87_MEM("fsubrl", m64); break;
    case 6: HOST_X87_MEM("fmuls", m32); break;
    case 7: HOST_X87_MEM("fmull", m64); break;
    case 8: HOST_X87_MEM("fdivs", m32); break;
    case 9: HOST_X87_MEM("fdivl", m64); break;
    case 10: HOST_X87_MEM("fdivrs", m32); break;
    case 11: HOST_X87_MEM("fdivrl", m64); break;
    case 12: HOST_X87_MEM("fcoms", m32); break;
    default: HOST_X87_MEM("fcoml", m64); break;
    }
    if (op < 6) {
        res = wide ? f80_arith_f64((F80Op)op, a, m64, &e) : f80_arith_f32((F80Op)op, a, m32, &e);
    } else {
        cc = fp_cmp_x87_cc(wide ? f80_compare_f64(a, m64, &e) : f80_compare_f32(a, m32, &e));
        mask |= SW_CC_ALL;
    }
    Float80 mem = wide ? f80_make(0x6464, m64) : f80_make(0x3232, m32);
    report2(c, a, mem, h, res, lib_sw(&e, cc), mask);
}

static void one_fbld(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    uint8_t bcd[10];
    bool bad = rng_below(r, 8) == 0;
    unsigned len = rng_below(r, 10);
    for (unsigned i = 0; i < 9; i++) {
        unsigned lo = rng_below(r, bad ? 16 : 10), hi = rng_below(r, bad ? 16 : 10);
        bcd[i] = i < len ? (uint8_t)(hi << 4 | lo) : 0;
    }
    bcd[9] = (uint8_t)(rng_bool(r) ? rng_next(r) : 0);
    HostX87 h = { 0 };
    HOST_X87_LOAD("fbld", bcd);
    Float80 res = f80_from_bcd(bcd), in;
    memcpy(&in.mant, bcd, 8);
    in.se = (uint16_t)(bcd[8] | bcd[9] << 8);
    report2(c, in, in, h, res, 0, SW_EXC);
}

static void one_fbstp(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    Float80 a = rng_bool(r) ? gen_f80(r, GEN_INT) : gen_f80_finite(r, (int32_t)rng_below(r, 66) - 3);
    HostX87 h = { 0 };
    HOST_X87_STORE("fbstp", bcd);
    FpEnv e = diff_x87_env(cw);
    uint8_t res[10];
    f80_to_bcd(a, res, &e);
    uint16_t sw = lib_sw(&e, 0), mask = SW_EXC | SW_C1;
    Float80 hb, lb;
    memcpy(&hb.mant, h.m.bcd, 8);
    hb.se = (uint16_t)(h.m.bcd[8] | h.m.bcd[9] << 8);
    memcpy(&lb.mant, res, 8);
    lb.se = (uint16_t)(res[8] | res[9] << 8);
    h.r = hb;
    report2(c, a, a, h, lb, sw, mask);
}

static void one_const(DiffCtx *c, Rng *r, uint32_t mode)
{
    uint16_t cw = (uint16_t)mode;
    FpEnv e = diff_x87_env(cw);
    HostX87 h = { 0 };
    Float80 a = f80_make(0x3FFF, 1ull << 63); /* loaded, then popped before the constant */
    unsigned k = rng_below(r, 7);
    switch (k) {
    case F80_CONST_ONE: HOST_X87_1("fstp %%st(0)\n\tfld1"); break;
    case F80_CONST_L2T: HOST_X87_1("fstp %%st(0)\n\tfldl2t"); break;
    case F80_CONST_L2E: HOST_X87_1("fstp %%st(0)\n\tfldl2e"); break;
    case F80_CONST_PI: HOST_X87_1("fstp %%st(0)\n\tfldpi"); break;
    case F80_CONST_LG2: HOST_X87_1("fstp %%st(0)\n\tfldlg2"); break;
    case F80_CONST_LN2: HOST_X87_1("fstp %%st(0)\n\tfldln2"); break;
    default: HOST_X87_1("fstp %%st(0)\n\tfldz"); break;
    }
    Float80 res = f80_const((F80Const)k, &e), in = f80_make((uint16_t)k, 0);
    report2(c, in, in, h, res, 0, SW_EXC);
}

const DiffOp diff_ops_x87[] = {
    { "add", FAM_X87, true, false, one_add },
    { "sub", FAM_X87, true, false, one_sub },
    { "mul", FAM_X87, true, false, one_mul },
    { "div", FAM_X87, true, false, one_div },
    { "sqrt", FAM_X87, true, false, one_sqrt },
    { "fcom", FAM_X87, true, false, one_com },
    { "fucom", FAM_X87, true, false, one_ucom },
    { "ftst", FAM_X87, false, false, one_tst },
    { "fxam", FAM_X87, false, false, one_xam },
    { "frndint", FAM_X87, true, false, one_rndint },
    { "fprem", FAM_X87, false, false, one_prem },
    { "fprem1", FAM_X87, false, false, one_prem1 },
    { "fscale", FAM_X87, false, false, one_scale },
    { "fxtract", FAM_X87, false, false, one_xtract },
    { "fist16", FAM_X87, true, false, one_fist16 },
    { "fist32", FAM_X87, true, false, one_fist32 },
    { "fist64", FAM_X87, true, false, one_fist64 },
    { "fisttp16", FAM_X87, true, false, one_fisttp16 },
    { "fisttp32", FAM_X87, true, false, one_fisttp32 },
    { "fisttp64", FAM_X87, true, false, one_fisttp64 },
    { "fild", FAM_X87, true, false, one_fild },
    { "fld32", FAM_X87, true, false, one_fld32 },
    { "fld64", FAM_X87, true, false, one_fld64 },
    { "fst32", FAM_X87, true, false, one_fst32 },
    { "fst64", FAM_X87, true, false, one_fst64 },
    { "arith_mem", FAM_X87, true, false, one_arith_mem },
    { "fbld", FAM_X87, false, false, one_fbld },
    { "fbstp", FAM_X87, false, false, one_fbstp },
    { "fldconst", FAM_X87, false, false, one_const },
};
const unsigned diff_ops_x87_count = sizeof diff_ops_x87 / sizeof diff_ops_x87[0];
