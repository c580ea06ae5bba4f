/* test_fpu_struct.c — encodings and tables of cpu/fpu checked against values stated in the
 * Intel SDM (no host needed): packed BCD layout and its indefinite, FXAM classes, the
 * indefinite encodings, condition-code mappings, the FpEnv <-> control word / MXCSR
 * helpers, the internal pi, and exact integer conversions.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/fpu/f80.h"
#include "cpu/fpu/sse_fp.h"

static Float80 F(uint16_t se, uint64_t m) { return f80_make(se, m); }

static FpEnv masked(void) { return fp_env_from_x87_cw(0x037F); }

Test(fpu_struct, bcd_layout)
{
    /* SDM Vol. 1 §4.7: 18 digits, two per byte, least significant in byte 0; byte 9 holds
     * the sign in bit 7. */
    uint8_t bcd[10] = { 0x34, 0x12 }, out[10];
    Float80 v = f80_from_bcd(bcd);
    cr_assert(f80_same(v, f80_from_int(1234)));
    bcd[9] = 0x80;
    v = f80_from_bcd(bcd);
    cr_assert(f80_same(v, f80_from_int(-1234)));
    FpEnv e = masked();
    f80_to_bcd(v, out, &e);
    cr_assert(memcmp(out, bcd, 10) == 0);
    cr_assert_eq(e.flags, 0);

    uint8_t max[10] = { 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0 };
    v = f80_from_bcd(max);
    cr_assert(f80_same(v, f80_from_int(999999999999999999ll)));
    f80_to_bcd(v, out, &e);
    cr_assert(memcmp(out, max, 10) == 0);

    uint8_t negzero[10] = { [9] = 0x80 };
    cr_assert(f80_same(f80_from_bcd(negzero), F(0x8000, 0)));
}

Test(fpu_struct, bcd_indefinite)
{
    /* SDM Table 4-x: the packed BCD integer indefinite is FFFF C000 0000 0000 0000H. */
    static const uint8_t indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
    uint8_t out[10];
    const Float80 bad[] = { f80_from_int(1000000000000000000ll), F(0x7FFF, 0xC000000000000000ull),
                            F(0xFFFF, 0x8000000000000000ull), F(0x3FFF, 0x4000000000000000ull) };
    for (unsigned i = 0; i < 4; i++) {
        FpEnv e = masked();
        f80_to_bcd(bad[i], out, &e);
        cr_expect(memcmp(out, indefinite, 10) == 0, "case %u", i);
        cr_expect_eq(e.flags, FP_IE, "case %u", i);
    }
}

Test(fpu_struct, fxam_classes)
{
    /* SDM FXAM: C3 C2 C0 = 000 unsupported, 001 NaN, 010 normal, 011 infinity, 100 zero,
     * 110 denormal; C1 = sign. */
    const struct { Float80 v; uint16_t cc; } t[] = {
        { F(0x0000, 0), FP_SW_C3 },
        { F(0x8000, 0), FP_SW_C3 | FP_SW_C1 },
        { F(0x3FFF, 0x8000000000000000ull), FP_SW_C2 },
        { F(0xBFFF, 0x8000000000000000ull), FP_SW_C2 | FP_SW_C1 },
        { F(0x0000, 1), FP_SW_C3 | FP_SW_C2 },
        { F(0x0000, 0x8000000000000000ull), FP_SW_C3 | FP_SW_C2 }, /* pseudo-denormal */
        { F(0x7FFF, 0x8000000000000000ull), FP_SW_C2 | FP_SW_C0 },
        { F(0x7FFF, 0xC000000000000000ull), FP_SW_C0 },
        { F(0xFFFF, 0x8000000000000001ull), FP_SW_C0 | FP_SW_C1 },
        { F(0x3FFF, 0x7FFFFFFFFFFFFFFFull), 0 },                  /* unnormal */
        { F(0x7FFF, 0x0000000000000000ull), 0 },                  /* pseudo-infinity */
        { F(0x7FFF, 0x4000000000000000ull), 0 },                  /* pseudo-NaN */
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_expect_eq(f80_classify(t[i].v), t[i].cc, "case %u: %04x", i, f80_classify(t[i].v));
}

Test(fpu_struct, indefinites)
{
    FpEnv e = masked();
    Float80 nan = F(0x7FFF, 0xC000000000000000ull);
    cr_assert(f80_same(f80_indefinite(), F(0xFFFF, 0xC000000000000000ull)));
    cr_assert(f80_same(f80_sqrt(F(0xBFFF, 0x8000000000000000ull), &e), f80_indefinite()));
    cr_assert_eq((uint16_t)f80_to_i16(nan, false, &e), 0x8000);
    cr_assert_eq((uint32_t)f80_to_i32(nan, true, &e), 0x80000000u);
    cr_assert_eq((uint64_t)f80_to_i64(nan, false, &e), 0x8000000000000000ull);
    cr_assert_eq(f80_to_f32(F(0x3FFF, 0x4000000000000000ull), &e), F32_DEFAULT_NAN);
    FpEnv s = fp_env_from_mxcsr(0x1F80);
    cr_assert_eq(f32_sqrt(0xBF800000, &s), 0xFFC00000u);
    cr_assert_eq(f64_mul(0x7FF0000000000000ull, 0, &s), 0xFFF8000000000000ull);
    cr_assert_eq((uint32_t)f64_to_i32(0x41E0000000000000ull, true, &s), 0x80000000u); /* 2^31 */
    cr_assert_eq(s.flags, FP_IE);
}

Test(fpu_struct, condition_code_mappings)
{
    /* SDM FCOM: > 000, < 001 (C0), = 100 (C3), unordered 111; FCOMI/COMISS: ZF PF CF. */
    cr_assert_eq(fp_cmp_x87_cc(FP_CMP_GREATER), 0);
    cr_assert_eq(fp_cmp_x87_cc(FP_CMP_LESS), FP_SW_C0);
    cr_assert_eq(fp_cmp_x87_cc(FP_CMP_EQUAL), FP_SW_C3);
    cr_assert_eq(fp_cmp_x87_cc(FP_CMP_UNORDERED), FP_SW_C3 | FP_SW_C2 | FP_SW_C0);
    cr_assert_eq(fp_cmp_eflags(FP_CMP_GREATER), 0u);
    cr_assert_eq(fp_cmp_eflags(FP_CMP_LESS), 0x01u);
    cr_assert_eq(fp_cmp_eflags(FP_CMP_EQUAL), 0x40u);
    cr_assert_eq(fp_cmp_eflags(FP_CMP_UNORDERED), 0x45u);
    FpEnv e = masked();
    cr_assert_eq(f80_compare(F(0, 0), F(0x8000, 0), false, &e), FP_CMP_EQUAL); /* +0 == -0 */
}

Test(fpu_struct, environment_helpers)
{
    FpEnv e = fp_env_from_x87_cw(0x037F); /* FNINIT default */
    cr_assert_eq(e.round, FP_RC_NEAREST);
    cr_assert_eq(e.precision, FP_PC_64);
    cr_assert_eq(e.masks, FP_ALL_EXC);
    cr_assert_eq(e.flags, 0);
    e = fp_env_from_x87_cw(0x0C72); /* RC=zero, PC=24, DE and IE unmasked */
    cr_assert_eq(e.round, FP_RC_ZERO);
    cr_assert_eq(e.precision, FP_PC_24);
    cr_assert_eq(e.masks, 0x32);
    FpEnv s = fp_env_from_mxcsr(0x1F80 | 0x8000 | 0x0040 | 0x4000 | 0x21); /* FTZ DAZ RC=up PE IE */
    cr_assert(s.ftz && s.daz);
    cr_assert_eq(s.round, FP_RC_UP);
    cr_assert_eq(s.masks, FP_ALL_EXC);
    cr_assert_eq(s.flags, 0x21);
    s.flags |= FP_OE;
    cr_assert_eq(fp_env_to_mxcsr(0x1FA1, &s), 0x1FA9u);
}

Test(fpu_struct, internal_pi_and_exact_integers)
{
    /* SDM §8.3.8: the internal pi is C90FDAA2 2168C234 C (66 bits); FLDPI rounds it. */
    FpEnv e = masked();
    cr_assert(f80_same(f80_const(F80_CONST_PI, &e), F(0x4000, 0xC90FDAA22168C235ull)));
    e.round = FP_RC_ZERO;
    cr_assert(f80_same(f80_const(F80_CONST_PI, &e), F(0x4000, 0xC90FDAA22168C234ull)));
    cr_assert(f80_same(f80_from_int(INT64_MIN), F(0xC03E, 0x8000000000000000ull)));
    cr_assert(f80_same(f80_from_int(-1), F(0xBFFF, 0x8000000000000000ull)));
    cr_assert(f80_same(f80_from_int(0), F(0, 0)));
    e = masked();
    cr_assert_eq(f80_to_i64(F(0xC03E, 0x8000000000000000ull), false, &e), INT64_MIN);
    cr_assert_eq(e.flags, 0);
}
