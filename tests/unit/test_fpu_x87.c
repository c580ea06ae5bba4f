/* test_fpu_x87.c — edge cases of the x87 half of cpu/fpu, with the host CPU as the oracle.
 *
 * Every expectation is produced in the test itself by running the same instruction on the
 * host's x87 (tests/diff/fpu/host_x87.h: FNINIT, FLDCW, FLD m80, op, FNSTSW, FSTP m80) and
 * compared bit for bit with the library: result, exception flags, C1 and the condition
 * codes the instruction defines. The cases are the classic trouble spots: rounding at each
 * precision control, tininess after rounding, masked and unmasked overflow/underflow, NaN
 * selection, unsupported encodings, pseudo-denormals, partial remainders, conversion limits.
 * (The random counterpart is tests/diff/fpu; this file pins the corners by name.)
 */
#include <criterion/criterion.h>

#include "cpu/fpu/f80.h"

#if defined(__x86_64__)
#include "diff/fpu/host_x87.h"

#define SW_EXC 0x003F
#define SW_C1 0x0200
#define SW_CC (0x0100 | 0x0200 | 0x0400 | 0x4000)

static Float80 F(uint16_t se, uint64_t m) { return f80_make(se, m); }

/* Every rounding control × precision control, exceptions masked, then with OE/UE unmasked. */
static uint16_t mode_cw(unsigned i)
{
    static const uint16_t pc[3] = { 0, 2, 3 };
    uint16_t masks = i >= 12 ? 0x27 : 0x3F;
    return (uint16_t)(0x40 | masks | pc[i % 3] << 8 | ((i / 3) % 4) << 10);
}
#define N_MODES 24

/* The library's version of a host instruction: result(s) and status-word bits. */
static uint16_t lib_run(HostX87Op op, Float80 a, Float80 b, FpEnv *e, Float80 *r, Float80 *r2)
{
    uint16_t cc = 0;
    bool in_range = true;
    *r = a;
    *r2 = a;
    switch (op) {
    case HX_ADD: *r = f80_add(a, b, e); break;
    case HX_SUB: *r = f80_sub(a, b, e); break;
    case HX_MUL: *r = f80_mul(a, b, e); break;
    case HX_DIV: *r = f80_div(a, b, e); break;
    case HX_COM: cc = fp_cmp_x87_cc(f80_compare(a, b, false, e)); break;
    case HX_UCOM: cc = fp_cmp_x87_cc(f80_compare(a, b, true, e)); break;
    case HX_TST: cc = fp_cmp_x87_cc(f80_compare(a, f80_make(0, 0), false, e)); break;
    case HX_PREM: *r = f80_rem(a, b, &cc, e); break;
    case HX_PREM1: *r = f80_rem1(a, b, &cc, e); break;
    case HX_SCALE: *r = f80_scale(a, b, e); break;
    case HX_YL2X: *r = f80_yl2x(a, b, e); break;
    case HX_YL2XP1: *r = f80_yl2xp1(a, b, e); break;
    case HX_PATAN: *r = f80_atan(a, b, e); break;
    case HX_SQRT: *r = f80_sqrt(a, e); break;
    case HX_RNDINT: *r = f80_round_int(a, e); break;
    case HX_XTRACT: f80_xtract(a, r2, r, e); break;
    case HX_F2XM1: *r = f80_f2xm1(a, e); break;
    case HX_SIN: in_range = f80_sin(a, r, e); break;
    case HX_COS: in_range = f80_cos(a, r, e); break;
    case HX_PTAN: in_range = f80_ptan(a, r2, r, e); break;
    case HX_SINCOS: in_range = f80_sincos(a, r2, r, e); break;
    case HX_XAM: return f80_classify(a);
    }
    if (!in_range) {
        *r = a;
        cc |= 0x0400;
    }
    if (!(cc & SW_C1) && e->c1 && op != HX_PREM && op != HX_PREM1)
        cc |= SW_C1;
    return (uint16_t)(e->flags | cc);
}

/* Whether the instruction leaves a second meaningful result in ST(1). */
static bool two_results(HostX87Op op) { return op == HX_XTRACT || op == HX_PTAN || op == HX_SINCOS; }

static bool defines_cc(HostX87Op op)
{
    return op == HX_COM || op == HX_UCOM || op == HX_TST || op == HX_PREM || op == HX_PREM1 ||
           op == HX_XAM || op == HX_SIN || op == HX_COS || op == HX_PTAN || op == HX_SINCOS;
}

static void expect_host(HostX87Op op, Float80 a, Float80 b, uint16_t cw, const char *what)
{
    HostX87 h = host_x87(op, a, b, cw);
    FpEnv e = fp_env_from_x87_cw(cw);
    Float80 r, r2;
    uint16_t sw = lib_run(op, a, b, &e, &r, &r2);
    uint16_t mask = defines_cc(op) ? SW_EXC | SW_CC : SW_EXC | SW_C1;
    bool has_result = op != HX_COM && op != HX_UCOM && op != HX_TST && op != HX_XAM;
    cr_expect(!has_result || f80_same(h.r, r),
              "%s (cw %04x) a=%04x:%016llx b=%04x:%016llx: host %04x:%016llx, lib %04x:%016llx", what,
              cw, a.se, (unsigned long long)a.mant, b.se, (unsigned long long)b.mant, h.r.se,
              (unsigned long long)h.r.mant, r.se, (unsigned long long)r.mant);
    if (two_results(op) && !(h.sw & 0x0400))
        cr_expect(f80_same(h.r2, r2), "%s (cw %04x) second result: host %04x:%016llx, lib %04x:%016llx",
                  what, cw, h.r2.se, (unsigned long long)h.r2.mant, r2.se, (unsigned long long)r2.mant);
    cr_expect_eq(h.sw & mask, sw & mask, "%s (cw %04x) a=%04x:%016llx b=%04x:%016llx: host sw %04x, lib %04x",
                 what, cw, a.se, (unsigned long long)a.mant, b.se, (unsigned long long)b.mant, h.sw & mask,
                 sw & mask);
}

static void expect_host_all_modes(HostX87Op op, Float80 a, Float80 b, const char *what)
{
    for (unsigned i = 0; i < N_MODES; i++)
        expect_host(op, a, b, mode_cw(i), what);
}

/* Named operands. */
#define ONE F(0x3FFF, 0x8000000000000000ull)
#define TWO F(0x4000, 0x8000000000000000ull)
#define MAXN F(0x7FFE, 0xFFFFFFFFFFFFFFFFull)
#define MINN F(0x0001, 0x8000000000000000ull)
#define DEN1 F(0x0000, 0x0000000000000001ull)
#define DENH F(0x0000, 0x4000000000000000ull)
#define PSEUDO_DEN F(0x0000, 0x8000000000000001ull)
#define UNNORMAL F(0x3FFF, 0x4000000000000000ull)
#define PSEUDO_INF F(0x7FFF, 0x0000000000000000ull)
#define PSEUDO_NAN F(0x7FFF, 0x4000000000000001ull)
#define INF F(0x7FFF, 0x8000000000000000ull)
#define NINF F(0xFFFF, 0x8000000000000000ull)
#define QNAN1 F(0x7FFF, 0xC000000000000001ull)
#define QNAN2 F(0xFFFF, 0xC000000000000002ull)
#define SNAN1 F(0x7FFF, 0x8000000000000001ull)
#define SNAN3 F(0x7FFF, 0x8000000000000003ull)
#define ZERO F(0x0000, 0)
#define NZERO F(0x8000, 0)

Test(fpu_x87, rounding_at_every_precision)
{
    /* 1 + 2^-k lands exactly on, just above and just below each precision's halfway point. */
    for (int k = 20; k <= 70; k++) {
        Float80 t = F((uint16_t)(0x3FFF - k), 0x8000000000000000ull);
        Float80 t3 = F((uint16_t)(0x3FFF - k), 0xC000000000000000ull);
        expect_host_all_modes(HX_ADD, ONE, t, "1 + 2^-k");
        expect_host_all_modes(HX_ADD, ONE, t3, "1 + 1.5*2^-k");
        expect_host_all_modes(HX_SUB, ONE, t, "1 - 2^-k");
        expect_host_all_modes(HX_ADD, F(0xBFFF, 0x8000000000000000ull), t, "-1 + 2^-k");
    }
    /* Odd significands at the 24/53-bit boundaries: ties to even go both ways. */
    expect_host_all_modes(HX_ADD, F(0x3FFF, 0x8000018000000000ull), ZERO, "x + 0 rounds at PC");
    expect_host_all_modes(HX_ADD, F(0x3FFF, 0x8000008000000000ull), ZERO, "tie to even (24)");
    expect_host_all_modes(HX_ADD, F(0x3FFF, 0x8000000000000C00ull), ZERO, "tie to odd (53)");
    expect_host_all_modes(HX_MUL, F(0x3FFF, 0xFFFFFFFFFFFFFFFFull), F(0x3FFF, 0xFFFFFFFFFFFFFFFFull), "max sig squared");
    expect_host_all_modes(HX_DIV, ONE, F(0x4000, 0xC000000000000000ull), "1/3");
    expect_host_all_modes(HX_SQRT, TWO, TWO, "sqrt 2");
    expect_host_all_modes(HX_SUB, ONE, ONE, "exact zero: sign depends on RC");
    expect_host_all_modes(HX_ADD, NZERO, ZERO, "-0 + +0");
    expect_host_all_modes(HX_ADD, NZERO, NZERO, "-0 + -0");
}

Test(fpu_x87, overflow_and_underflow)
{
    expect_host_all_modes(HX_ADD, MAXN, MAXN, "overflow");
    expect_host_all_modes(HX_MUL, MAXN, F(0xFFFE, 0xFFFFFFFFFFFFFFFFull), "negative overflow");
    expect_host_all_modes(HX_ADD, MAXN, F(0x7FBE, 0x8000000000000000ull), "max + half ulp");
    expect_host_all_modes(HX_MUL, MINN, F(0x3FFE, 0x8000000000000000ull), "min normal / 2: exact denormal");
    expect_host_all_modes(HX_MUL, MINN, F(0x3FFE, 0xFFFFFFFFFFFFFFFFull), "just below min normal");
    expect_host_all_modes(HX_MUL, F(0x0001, 0xFFFFFFFFFFFFFFFFull), F(0x3FFE, 0xFFFFFFFFFFFFFFFFull),
                          "tininess after rounding");
    expect_host_all_modes(HX_DIV, MINN, F(0x403E, 0x8000000000000000ull), "2^-16382 / 2^63");
    expect_host_all_modes(HX_DIV, MINN, F(0x4050, 0x8000000000000000ull), "total underflow");
    expect_host_all_modes(HX_ADD, DEN1, DEN1, "denormal + denormal");
    expect_host_all_modes(HX_ADD, F(0x0000, 0x7FFFFFFFFFFFFFFFull), DEN1, "denormal carries to normal");
    expect_host_all_modes(HX_MUL, DENH, F(0x3FFF, 0xFFFFFF8000000001ull), "denormal result at PC 24");
    expect_host_all_modes(HX_SCALE, ONE, F(0x400D, 0x8000000000000000ull), "fscale 2^16384");
    expect_host_all_modes(HX_SCALE, ONE, F(0x401E, 0x8000000000000000ull), "fscale far past the wrap");
    expect_host_all_modes(HX_SCALE, ONE, F(0xC01E, 0x8000000000000000ull), "fscale far below the wrap");
}

Test(fpu_x87, invalid_and_nans)
{
    const struct { Float80 a, b; const char *what; } pairs[] = {
        { QNAN1, QNAN2, "two QNaNs: larger significand" },
        { SNAN1, SNAN3, "two SNaNs" },
        { SNAN3, QNAN1, "SNaN and QNaN: the QNaN" },
        { F(0xFFFF, 0xC000000000000001ull), QNAN1, "equal significands: the positive one" },
        { SNAN1, ONE, "SNaN quieted" },
        { ONE, QNAN2, "QNaN propagates" },
        { QNAN1, DEN1, "QNaN outranks DE" },
        { INF, NINF, "inf - inf" },
        { UNNORMAL, ONE, "unnormal" },
        { PSEUDO_INF, ONE, "pseudo-infinity" },
        { PSEUDO_NAN, QNAN1, "pseudo-NaN beats a QNaN" },
        { PSEUDO_DEN, ONE, "pseudo-denormal is accepted (DE)" },
        { ZERO, ZERO, "0 and 0" },
        { INF, ZERO, "inf and 0" },
    };
    static const HostX87Op ops[] = { HX_ADD, HX_SUB, HX_MUL, HX_DIV, HX_COM, HX_UCOM, HX_PREM,
                                     HX_PREM1, HX_SCALE };
    for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            expect_host(ops[k], pairs[i].a, pairs[i].b, 0x037F, pairs[i].what);
            expect_host(ops[k], pairs[i].b, pairs[i].a, 0x037F, pairs[i].what);
        }
    expect_host(HX_DIV, ONE, ZERO, 0x037F, "x / 0");
    expect_host(HX_DIV, DEN1, NZERO, 0x037F, "denormal / -0: ZE outranks DE");
    expect_host(HX_SQRT, F(0xBFFF, 0x8000000000000000ull), ZERO, 0x037F, "sqrt(-1)");
    expect_host(HX_SQRT, NZERO, ZERO, 0x037F, "sqrt(-0)");
    expect_host(HX_SQRT, PSEUDO_DEN, ZERO, 0x037F, "sqrt(pseudo-denormal)");
}

Test(fpu_x87, classify_and_test)
{
    const Float80 vals[] = { ZERO, NZERO, ONE, DEN1, PSEUDO_DEN, UNNORMAL, PSEUDO_INF, PSEUDO_NAN,
                             INF, NINF, QNAN1, SNAN1, MAXN, F(0x8000, 0x0000000000000123ull) };
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        expect_host(HX_XAM, vals[i], vals[i], 0x037F, "fxam");
        expect_host(HX_TST, vals[i], vals[i], 0x037F, "ftst");
    }
}

Test(fpu_x87, remainders)
{
    Float80 b = F(0x3FFF, 0xC90FDAA22168C235ull); /* pi/2, the classic reduction */
    for (int d = -2; d <= 130; d += 3) {
        Float80 a = F((uint16_t)(0x3FFF + d), 0xD6F1E6C8B3A5E4F7ull);
        expect_host(HX_PREM, a, b, 0x037F, "fprem, complete and partial");
        expect_host(HX_PREM1, a, b, 0x037F, "fprem1, complete and partial");
    }
    expect_host(HX_PREM1, F(0x3FFE, 0xC000000000000000ull), ONE, 0x037F, "fprem1 0.75 mod 1 = -0.25");
    expect_host(HX_PREM1, F(0x4000, 0xA000000000000000ull), TWO, 0x037F, "fprem1 tie (5 mod 2)");
    expect_host(HX_PREM1, F(0x4000, 0xE000000000000000ull), TWO, 0x037F, "fprem1 tie (7 mod 2)");
    expect_host(HX_PREM, PSEUDO_DEN, INF, 0x037F, "fprem by inf: pseudo-denormal rewritten");
    expect_host(HX_PREM, DEN1, INF, 0x0327, "fprem by inf: no underflow");
    expect_host(HX_PREM, F(0x0005, 0xF000000000000000ull), F(0x0003, 0x8000000000000001ull), 0x0327,
                "tiny remainder, UE unmasked");
}

Test(fpu_x87, rndint_scale_xtract)
{
    const Float80 vals[] = {
        F(0x3FFE, 0x8000000000000000ull), F(0xBFFE, 0x8000000000000000ull), /* ±0.5 */
        F(0x4000, 0xA000000000000000ull), F(0x4000, 0xE000000000000000ull), /* 2.5, 3.5 */
        F(0x403D, 0xFFFFFFFFFFFFFFFFull), F(0x403E, 0xFFFFFFFFFFFFFFFFull), /* 2^62.., 2^63.. */
        DEN1, PSEUDO_DEN, ZERO, NZERO, INF, QNAN1, SNAN1, UNNORMAL,
    };
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        for (unsigned m = 0; m < N_MODES; m += 3)
            expect_host(HX_RNDINT, vals[i], vals[i], mode_cw(m), "frndint");
        expect_host(HX_XTRACT, vals[i], vals[i], 0x037F, "fxtract");
        expect_host(HX_SCALE, vals[i], F(0x4002, 0xA000000000000000ull), 0x037F, "fscale by 5");
        expect_host(HX_SCALE, vals[i], ZERO, 0x0327, "fscale by 0");
        expect_host(HX_SCALE, vals[i], F(0x3FFE, 0x8000000000000000ull), 0x0327, "fscale by 0.5");
        expect_host(HX_SCALE, vals[i], INF, 0x037F, "fscale by +inf");
        expect_host(HX_SCALE, vals[i], NINF, 0x037F, "fscale by -inf");
    }
}

/* --- memory-format conversions ----------------------------------------------------------- */

static void expect_store(Float80 a, uint16_t cw, const char *what)
{
    HostX87 h = { 0 };
    FpEnv e;
#define STORE_CHECK(insn, field, call)                                                        \
    do {                                                                                       \
        h.m.i64 = 0;                                                                           \
        HOST_X87_STORE(insn, field);                                                           \
        e = fp_env_from_x87_cw(cw);                                                            \
        __typeof__(h.m.field) v = call;                                                        \
        uint16_t sw = (uint16_t)(e.flags | (e.c1 ? SW_C1 : 0));                                \
        if (!(e.flags & ~e.masks))                                                             \
            cr_expect_eq((long long)h.m.field, (long long)v, "%s %s (cw %04x) %04x:%016llx", what, \
                         insn, cw, a.se, (unsigned long long)a.mant);                         \
        cr_expect_eq(h.sw & (SW_EXC | SW_C1), sw, "%s %s (cw %04x) %04x:%016llx flags", what,   \
                     insn, cw, a.se, (unsigned long long)a.mant);                              \
    } while (0)
    STORE_CHECK("fistps", i16, f80_to_i16(a, false, &e));
    STORE_CHECK("fistpl", i32, f80_to_i32(a, false, &e));
    STORE_CHECK("fistpll", i64, f80_to_i64(a, false, &e));
    STORE_CHECK("fisttps", i16, f80_to_i16(a, true, &e));
    STORE_CHECK("fisttpl", i32, f80_to_i32(a, true, &e));
    STORE_CHECK("fisttpll", i64, f80_to_i64(a, true, &e));
    STORE_CHECK("fstps", f32, f80_to_f32(a, &e));
    STORE_CHECK("fstpl", f64, f80_to_f64(a, &e));
#undef STORE_CHECK
}

Test(fpu_x87, stores_to_memory_formats)
{
    const Float80 vals[] = {
        F(0x400D, 0xFFFF000000000000ull), F(0xC00D, 0x8000000000000000ull), /* 65535.., -32768 */
        F(0x400D, 0xFFFF800000000000ull), F(0xC00D, 0x8000800000000000ull), /* 32767.5, -32768.5 */
        F(0x401D, 0xFFFFFFFF00000000ull), F(0xC01E, 0x8000000080000000ull), /* 2^31 limits */
        F(0x403D, 0xFFFFFFFFFFFFFFFFull), F(0xC03E, 0x8000000000000000ull), /* 2^63 limits */
        F(0x403E, 0x8000000000000000ull), F(0xBFFE, 0x8000000000000000ull), /* 2^63, -0.5 */
        F(0x407E, 0xFFFFFF8000000000ull), F(0x407E, 0xFFFFFF7FFFFFFFFFull), /* f32 max boundary */
        F(0x3F81, 0x8000000000000000ull), F(0x3F80, 0xFFFFFF0000000000ull), /* f32 min normal */
        F(0x3F6A, 0xC000000000000000ull), F(0x3F69, 0x8000000000000000ull), /* f32 denormal edge */
        F(0x43FE, 0xFFFFFFFFFFFFF800ull), F(0x43FE, 0xFFFFFFFFFFFFFC00ull), /* f64 max boundary */
        F(0x3C01, 0x8000000000000000ull), F(0x3BCD, 0x8000000000000000ull), /* f64 min normal, min denormal */
        DEN1, PSEUDO_DEN, UNNORMAL, QNAN2, SNAN1, NINF, NZERO,
    };
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++)
        for (unsigned m = 0; m < N_MODES; m++)
            expect_store(vals[i], mode_cw(m), "store");
}

Test(fpu_x87, loads_from_memory_formats)
{
    static const uint32_t f32s[] = { 0x00000001, 0x807FFFFF, 0x7F800001, 0xFFC00000, 0x7FBFFFFF, 0x3F800000 };
    static const uint64_t f64s[] = { 1, 0x800FFFFFFFFFFFFFull, 0x7FF0000000000001ull, 0xFFF8000000000000ull, 0 };
    uint16_t cw = 0x037F;
    for (unsigned i = 0; i < sizeof f32s / sizeof f32s[0]; i++) {
        HostX87 h = { 0 };
        uint32_t v = f32s[i];
        HOST_X87_LOAD("flds", v);
        FpEnv e = fp_env_from_x87_cw(cw);
        Float80 r = f80_from_f32(v, &e);
        cr_expect(f80_same(h.r, r), "flds %08x", v);
        cr_expect_eq(h.sw & SW_EXC, e.flags, "flds %08x flags", v);
    }
    for (unsigned i = 0; i < sizeof f64s / sizeof f64s[0]; i++) {
        HostX87 h = { 0 };
        uint64_t v = f64s[i];
        HOST_X87_LOAD("fldl", v);
        FpEnv e = fp_env_from_x87_cw(cw);
        Float80 r = f80_from_f64(v, &e);
        cr_expect(f80_same(h.r, r), "fldl %016llx", (unsigned long long)v);
        cr_expect_eq(h.sw & SW_EXC, e.flags, "fldl %016llx flags", (unsigned long long)v);
    }
    /* Arithmetic with a memory operand: a QNaN in ST(0) hides the m32 denormal's DE. */
    Float80 a = QNAN1;
    uint32_t m32 = 0x00000123;
    HostX87 h = { 0 };
    HOST_X87_MEM("fadds", m32);
    FpEnv e = fp_env_from_x87_cw(cw);
    Float80 r = f80_arith_f32(F80_ADD, a, m32, &e);
    cr_expect(f80_same(h.r, r), "fadds QNaN + denormal");
    cr_expect_eq(h.sw & SW_EXC, e.flags, "fadds QNaN + denormal: no DE");
}

/* FLD1 ... FLDZ on the host, after loading and popping a value (HOST_X87_1 loads one). */
static HostX87 host_const(unsigned i, uint16_t cw)
{
    HostX87 h = { 0 };
    Float80 a = ONE;
    switch (i) {
    case 0: HOST_X87_1("fstp %%st(0)\n\tfld1"); break;
    case 1: HOST_X87_1("fstp %%st(0)\n\tfldl2t"); break;
    case 2: HOST_X87_1("fstp %%st(0)\n\tfldl2e"); break;
    case 3: HOST_X87_1("fstp %%st(0)\n\tfldpi"); break;
    case 4: HOST_X87_1("fstp %%st(0)\n\tfldlg2"); break;
    case 5: HOST_X87_1("fstp %%st(0)\n\tfldln2"); break;
    default: HOST_X87_1("fstp %%st(0)\n\tfldz"); break;
    }
    return h;
}

Test(fpu_x87, constants_in_every_rounding_mode)
{
    static const F80Const ids[] = { F80_CONST_ONE, F80_CONST_L2T, F80_CONST_L2E, F80_CONST_PI,
                                    F80_CONST_LG2, F80_CONST_LN2, F80_CONST_ZERO };
    for (unsigned rc = 0; rc < 4; rc++) {
        uint16_t cw = (uint16_t)(0x037F | rc << 10);
        FpEnv e = fp_env_from_x87_cw(cw);
        for (unsigned i = 0; i < 7; i++) {
            HostX87 h = host_const(i, cw);
            Float80 r = f80_const(ids[i], &e);
            cr_expect(f80_same(h.r, r), "constant %u rc %u: host %04x:%016llx lib %04x:%016llx", i, rc,
                      h.r.se, (unsigned long long)h.r.mant, r.se, (unsigned long long)r.mant);
        }
    }
}

/* --- transcendentals: the cases where the library is bit-exact by construction -------- */

Test(fpu_x87, transcendental_exact_cases)
{
    /* F2XM1 at the ends of its domain, outside it (operand returned), zeros, infinities. */
    const Float80 f2[] = { ONE, F(0xBFFF, 0x8000000000000000ull), F(0x4000, 0xC000000000000000ull),
                           ZERO, NZERO, NINF, INF, DEN1, F(0x3FB9, 0xA000000000000001ull) };
    for (unsigned i = 0; i < sizeof f2 / sizeof f2[0]; i++)
        for (unsigned m = 0; m < N_MODES; m += 3)
            expect_host(HX_F2XM1, f2[i], f2[i], mode_cw(m), "f2xm1");
    /* FYL2X with x a power of two is exact, yet reported inexact. */
    expect_host_all_modes(HX_YL2X, F(0x4000, 0xC000000000000000ull), F(0x4002, 0x8000000000000000ull), "3*log2(8)");
    expect_host(HX_YL2X, DEN1, ZERO, 0x037F, "log2(0) with a denormal y: ZE only");
    expect_host(HX_YL2X, ONE, F(0xBFFF, 0x8000000000000000ull), 0x037F, "log2(-1)");
    expect_host(HX_YL2X, ZERO, ONE, 0x037F, "0 * log2(1)");
    expect_host(HX_YL2X, INF, ONE, 0x037F, "inf * log2(1)");
    /* FPATAN's special table. */
    const Float80 at[] = { ZERO, NZERO, INF, NINF, ONE, F(0xBFFF, 0x8000000000000000ull) };
    for (unsigned i = 0; i < 6; i++)
        for (unsigned j = 0; j < 6; j++)
            if (i < 4 || j < 4)
                expect_host(HX_PATAN, at[i], at[j], 0x037F, "fpatan special");
    /* Trigonometric: below 2^-68 the hardware returns x (sin, tan) or 1 (cos) in every mode. */
    const Float80 tiny[] = { F(0x3FBA, 0xA000000000000001ull), DEN1, F(0x8001, 0x8000000000000000ull) };
    static const HostX87Op trig[] = { HX_SIN, HX_COS, HX_PTAN, HX_SINCOS };
    for (unsigned i = 0; i < 3; i++)
        for (unsigned k = 0; k < 4; k++)
            for (unsigned m = 0; m < N_MODES; m += 3)
                expect_host(trig[k], tiny[i], tiny[i], mode_cw(m), "trig of a tiny argument");
    /* Out of range (C2 set, operand untouched), invalid, NaN (FPTAN pushes the NaN). */
    const Float80 odd[] = { F(0x403E, 0x8000000000000000ull), INF, QNAN1, SNAN1, UNNORMAL, ZERO, NZERO };
    for (unsigned i = 0; i < sizeof odd / sizeof odd[0]; i++)
        for (unsigned k = 0; k < 4; k++)
            expect_host(trig[k], odd[i], odd[i], 0x037F, "trig special");
    /* Near multiples of pi/2 the 66-bit-pi reduction decides everything: bit-exact. */
    const uint64_t ks[] = { 1, 2, 3, 7, 1000, 123456789, 0x3FFFFFFFFFFFull };
    for (unsigned i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        FpEnv e = fp_env_from_x87_cw(0x037F);
        Float80 x = f80_mul(f80_from_int((int64_t)ks[i]), F(0x3FFF, 0xC90FDAA22168C235ull), &e);
        expect_host(HX_SIN, x, x, 0x037F, "sin near k pi/2");
        expect_host(HX_COS, x, x, 0x037F, "cos near k pi/2");
    }
}

#else

Test(fpu_x87, host_oracle_unavailable)
{
    cr_skip_test("the x87 oracle tests need an x86-64 host");
}

#endif
