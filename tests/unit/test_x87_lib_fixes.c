/* test_x87_lib_fixes.c — regressions for the cpu/fpu library bugs simd-diff found.
 *
 * Each expectation is what an Intel CPU does (measured with tests/diff/simd on an Intel
 * Xeon); on an x86-64 host the x87 cases also run the instruction natively and check that
 * the host still agrees with the stated value, so the constants cannot drift from the
 * hardware unnoticed.
 *   - FSINCOS of ±0 returned an uninitialised sine.
 *   - A conversion to binary32 so far below the normal range that even the wrapped
 *     exponent does not fit (CVTSD2SS of 2^-1074) with UE unmasked flagged PE although
 *     the significand is exact; the same for overflow with OE unmasked.
 *   - FYL2XP1 with ST(0) <= -1 (outside the documented domain) returned the invalid
 *     indefinite; Intel returns ST(0) with PE, or ST(1) negated when it is 0 or infinite.
 */
#include <criterion/criterion.h>

#include "cpu/fpu/f80.h"
#include "cpu/fpu/sse_fp.h"

static Float80 F(uint16_t se, uint64_t m) { return f80_make(se, m); }
static const uint64_t TOP = 1ull << 63;

static FpEnv masked(void) { return (FpEnv){ .round = FP_RC_NEAREST, .precision = FP_PC_64, .masks = FP_ALL_EXC }; }

#if defined(__x86_64__)
typedef struct __attribute__((packed)) HostF80 {
    uint64_t m;
    uint16_t se;
} HostF80;

/* FYL2XP1 on the host: ST(1) = y, ST(0) = x, all exceptions masked. */
static Float80 host_yl2xp1(Float80 y, Float80 x, uint16_t *sw)
{
    HostF80 hy = { y.mant, y.se }, hx = { x.mant, x.se }, r;
    __asm__ volatile("fninit\n\tfldt %2\n\tfldt %3\n\tfyl2xp1\n\tfnstsw %1\n\tfstpt %0\n\tfninit"
                     : "=m"(r), "=m"(*sw)
                     : "m"(hy), "m"(hx));
    return F(r.se, r.m);
}
#endif

static void check_yl2xp1(Float80 y, Float80 x, Float80 want, uint8_t want_flags)
{
    FpEnv e = masked();
    Float80 r = f80_yl2xp1(y, x, &e);
    cr_expect(f80_same(r, want), "fyl2xp1(%04x:%016llx, %04x:%016llx) = %04x:%016llx, want %04x:%016llx",
              y.se, (unsigned long long)y.mant, x.se, (unsigned long long)x.mant, r.se,
              (unsigned long long)r.mant, want.se, (unsigned long long)want.mant);
    cr_expect_eq(e.flags, want_flags, "flags %#x, want %#x", e.flags, want_flags);
#if defined(__x86_64__)
    uint16_t sw;
    Float80 h = host_yl2xp1(y, x, &sw);
    cr_expect(f80_same(h, want), "the host gives %04x:%016llx", h.se, (unsigned long long)h.mant);
    cr_expect_eq(sw & FP_ALL_EXC, want_flags, "the host flags %#x", sw & FP_ALL_EXC);
#endif
}

Test(x87_lib_fixes, fsincos_of_zero)
{
    for (int neg = 0; neg < 2; neg++) {
        FpEnv e = masked();
        Float80 z = F(neg ? 0x8000 : 0, 0);
        Float80 s = F(0x1234, 0x5678), c = F(0x1234, 0x5678); /* sentinels */
        cr_assert(f80_sincos(z, &s, &c, &e));
        cr_expect(f80_same(s, z), "sin(%s0) = %04x:%016llx", neg ? "-" : "+", s.se, (unsigned long long)s.mant);
        cr_expect(f80_same(c, F(0x3FFF, TOP)), "cos(0) = %04x:%016llx", c.se, (unsigned long long)c.mant);
        cr_expect_eq(e.flags, 0);
    }
}

Test(x87_lib_fixes, narrowing_far_below_with_ue_unmasked)
{
    /* 2^-1074 is exact in binary32's 24 bits: UE (and DE for the denormal source), no PE. */
    FpEnv e = masked();
    e.masks = FP_ALL_EXC & ~FP_UE;
    (void)f64_to_f32(0x0000000000000001ull, &e);
    cr_expect_eq(e.flags, FP_UE | FP_DE);
    /* A significand that does not fit in 24 bits is inexact as well. */
    e = masked();
    e.masks = FP_ALL_EXC & ~FP_UE;
    (void)f64_to_f32(0x000FFFFFFFFFFFFFull, &e); /* 52 significant bits */
    cr_expect_eq(e.flags, FP_UE | FP_DE | FP_PE);
    /* Not so far below: the wrapped exponent fits, the exact value raises UE alone. */
    e = masked();
    e.masks = FP_ALL_EXC & ~FP_UE;
    (void)f64_to_f32(0x3000000000000000ull, &e); /* 2^-255: exact */
    cr_expect_eq(e.flags, FP_UE);
}

Test(x87_lib_fixes, narrowing_far_above_with_oe_unmasked)
{
    FpEnv e = masked();
    e.masks = FP_ALL_EXC & ~FP_OE;
    (void)f64_to_f32(0x7E70000000000000ull, &e); /* 2^1000: exact significand */
    cr_expect_eq(e.flags, FP_OE);
    e = masked();
    e.masks = FP_ALL_EXC & ~FP_OE;
    (void)f64_to_f32(0x7E70000000000001ull, &e);
    cr_expect_eq(e.flags, FP_OE | FP_PE);
}

Test(x87_lib_fixes, fyl2xp1_below_minus_one)
{
    const Float80 m1 = F(0xBFFF, TOP), m2 = F(0xC000, TOP), m263 = F(0xC03E, TOP);
    const Float80 one = F(0x3FFF, TOP), mone = F(0xBFFF, TOP), big = F(0x4005, 0xA000000000000000ull);
    const Float80 xs[] = { m1, m2, m263 };
    for (unsigned i = 0; i < 3; i++) {
        check_yl2xp1(one, xs[i], xs[i], FP_PE);
        check_yl2xp1(mone, xs[i], xs[i], FP_PE);
        check_yl2xp1(big, xs[i], xs[i], FP_PE);
        check_yl2xp1(F(0, 1), xs[i], xs[i], FP_PE | FP_DE);
        check_yl2xp1(F(0, 0), xs[i], F(0x8000, 0), 0);
        check_yl2xp1(F(0x8000, 0), xs[i], F(0, 0), 0);
        check_yl2xp1(F(0x7FFF, TOP), xs[i], F(0xFFFF, TOP), 0);
        check_yl2xp1(F(0xFFFF, TOP), xs[i], F(0x7FFF, TOP), 0);
    }
    /* Inside the domain nothing changed: log2(1 + -0.75) = -2 (PE even when exact). */
    check_yl2xp1(one, F(0xBFFE, 0xC000000000000000ull), F(0xC000, TOP), FP_PE);
}
