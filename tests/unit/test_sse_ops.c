/* test_sse_ops.c — MMX/SSE/SSE2 behaviour the host differential test cannot reach from
 * ring 3 or does not vary: MASKMOVQ/MASKMOVDQU with a segment override and with 16-bit
 * addressing, 16-byte alignment (#GP only for the aligned forms), LDMXCSR's reserved bits,
 * PREFETCH (never faults) against CLFLUSH (checked like a load), and the accuracy promise
 * of vmm86's RCPPS/RSQRTPS (relative error at most 1.5 * 2^-12, checked with the exact
 * arithmetic of cpu/fpu), with their special operands.
 */
#include <criterion/criterion.h>

#include "cpu/fpu/sse_fp.h"
#include "ops_fixture.h"

static CpuState *flat(void)
{
    CpuState *cpu = fx_flat32(0);
    cpu->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    return cpu;
}

Test(sse_ops, maskmovq_with_override)
{
    CpuState *cpu = flat();
    cpu->seg[SEG_ES].base = 0x40000; /* ES: override target; DS stays flat */
    cpu->fpu.st[1].mant = 0x8877665544332211ull;  /* mm1: data */
    cpu->fpu.st[2].mant = 0x80007F00FF800001ull;  /* mm2: mask bytes 1, 3(FF), 5(7F: no), 7 */
    cpu->EDI = 0x3000;
    memset(fx_host(0x43000), 0xEE, 8);
    memset(fx_host(0x3000), 0xEE, 8);
    cr_assert_eq(FX_RUN(cpu, 0x26, 0x0F, 0xF7, 0xCA), -1); /* es maskmovq mm1, mm2 */
    /* mask bytes 01 00 80 FF 00 7F 00 80: bytes 2, 3 and 7 have their top bit set */
    uint8_t got[8];
    memcpy(got, fx_host(0x43000), 8);
    cr_expect_eq(got[2], 0x33);
    cr_expect_eq(got[3], 0x44);
    cr_expect_eq(got[7], 0x88);
    cr_expect_eq(got[0], 0xEE);
    cr_expect_eq(got[5], 0xEE);
    cr_expect_eq(fx_peek32(0x3000), 0xEEEEEEEEu, "DS:EDI is not the target");
    cr_expect_eq(cpu->fpu.top, 0);
}

Test(sse_ops, maskmovdqu_with_16_bit_addressing)
{
    CpuState *cpu = flat();
    cpu->EDI = 0x1234FFF8; /* with 67h only DI counts, and wraps at 64 KiB */
    cpu->fpu.xmm[0][0] = 0x0706050403020100ull;
    cpu->fpu.xmm[0][1] = 0x0F0E0D0C0B0A0908ull;
    cpu->fpu.xmm[1][0] = 0x8080808080808080ull; /* every byte */
    cpu->fpu.xmm[1][1] = 0x8080808080808080ull;
    memset(fx_host(0xFFF0), 0, 16);
    memset(fx_host(0), 0, 16);
    cr_assert_eq(FX_RUN(cpu, 0x67, 0x66, 0x0F, 0xF7, 0xC1), -1); /* maskmovdqu xmm0, xmm1 */
    cr_expect_eq(fx_peek32(0xFFF8), 0x03020100u);
    cr_expect_eq(fx_peek32(0xFFFC), 0x07060504u);
    cr_expect_eq(fx_peek32(0x0000), 0x0B0A0908u);
    cr_expect_eq(fx_peek32(0x0004), 0x0F0E0D0Cu);
}

Test(sse_ops, alignment)
{
    CpuState *cpu = flat();
    /* movaps xmm0, [0x2008]: #GP(0); movups: fine; addps m128 misaligned: #GP; addss m32: fine */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x28, 0x05, 0x08, 0x20, 0x00, 0x00), EXC_GP);
    cr_expect_eq(cpu->exc_error, 0u);
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x10, 0x05, 0x08, 0x20, 0x00, 0x00), -1);
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x58, 0x05, 0x08, 0x20, 0x00, 0x00), EXC_GP);
    cr_expect_eq(FX_RUN(cpu, 0xF3, 0x0F, 0x58, 0x05, 0x09, 0x20, 0x00, 0x00), -1);
    cr_expect_eq(FX_RUN(cpu, 0x66, 0x0F, 0x7F, 0x05, 0x04, 0x20, 0x00, 0x00), EXC_GP); /* movdqa store */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x2B, 0x05, 0x04, 0x20, 0x00, 0x00), EXC_GP);       /* movntps */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xE7, 0x05, 0x04, 0x20, 0x00, 0x00), -1);           /* movntq m64 */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x05, 0x08, 0x20, 0x00, 0x00), EXC_GP);       /* fxsave */
    /* The alignment is of the linear address: a segment base of 8 makes 2008 aligned. */
    cpu->seg[SEG_DS].base = 8;
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x28, 0x05, 0x08, 0x20, 0x00, 0x00), -1);
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x28, 0x05, 0x00, 0x20, 0x00, 0x00), EXC_GP);
}

Test(sse_ops, ldmxcsr_reserved_bits)
{
    CpuState *cpu = flat();
    fx_poke32(0x2000, 0x00010000);
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x15, 0x00, 0x20, 0x00, 0x00), EXC_GP);
    cr_expect_eq(cpu->fpu.mxcsr, 0x1F80u);
    fx_poke32(0x2000, 0x0000FFFF); /* every defined bit, DAZ included */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x15, 0x00, 0x20, 0x00, 0x00), -1);
    cr_expect_eq(cpu->fpu.mxcsr, 0xFFFFu);
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x1D, 0x04, 0x20, 0x00, 0x00), -1); /* stmxcsr */
    cr_expect_eq(fx_peek32(0x2004), 0xFFFFu);
}

Test(sse_ops, prefetch_never_faults_clflush_does)
{
    CpuState *cpu = flat();
    cpu->seg[SEG_DS].limit = 0xFFFF;
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x18, 0x0D, 0x00, 0x00, 0x10, 0x00), -1); /* prefetcht0 [0x100000] */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x3D, 0x00, 0x00, 0x10, 0x00), EXC_GP); /* clflush */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x3D, 0x00, 0x10, 0x00, 0x00), -1);
}

/* |x * r - 1| <= 1.5 * 2^-12 (RCP) or |x * r * r - 1| <= 3 * 2^-12 (RSQRT: twice the
 * relative error of r, to first order), all in binary64 where these products are exact. */
static bool close_enough(uint32_t x, uint32_t r, bool rsqrt)
{
    FpEnv e = { .round = FP_RC_NEAREST, .masks = FP_ALL_EXC };
    uint64_t p = f64_mul(f32_to_f64(x, &e), f32_to_f64(r, &e), &e);
    if (rsqrt)
        p = f64_mul(p, f32_to_f64(r, &e), &e);
    uint64_t d = f64_sub(p, 0x3FF0000000000000ull, &e) & ~(1ull << 63);
    uint64_t bound = rsqrt ? 0x3F48100000000000ull : 0x3F38000000000000ull;
    return d <= bound;
}

static uint32_t run_approx(CpuState *cpu, uint8_t opcode, uint32_t x)
{
    cpu->fpu.xmm[1][0] = x;
    const uint8_t code[] = { 0xF3, 0x0F, opcode, 0xC1 }; /* rcpss/rsqrtss xmm0, xmm1 */
    cr_assert_eq(fx_run_n(cpu, code, sizeof code, 1, NULL), -1);
    return (uint32_t)cpu->fpu.xmm[0][0];
}

Test(sse_ops, rcp_rsqrt_accuracy)
{
    CpuState *cpu = flat();
    uint64_t s = 12345;
    for (int i = 0; i < 20000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t x = (uint32_t)(s >> 32);
        uint32_t e = (x >> 23) & 0xFF;
        if (e == 0 || e >= 253)
            x = (x & 0x807FFFFF) | 0x3F800000; /* keep the reciprocal normal */
        uint32_t r = run_approx(cpu, 0x53, x);
        cr_assert(close_enough(x, r, false), "rcpss(%08x) = %08x", x, r);
        uint32_t ax = x & 0x7FFFFFFF;
        r = run_approx(cpu, 0x52, ax);
        cr_assert(close_enough(ax, r, true), "rsqrtss(%08x) = %08x", ax, r);
    }
}

Test(sse_ops, rcp_rsqrt_specials)
{
    CpuState *cpu = flat();
    cr_expect_eq(run_approx(cpu, 0x53, 0x00000000), 0x7F800000u);
    cr_expect_eq(run_approx(cpu, 0x53, 0x80000000), 0xFF800000u);
    cr_expect_eq(run_approx(cpu, 0x53, 0x00000001), 0x7F800000u); /* denormal: as zero */
    cr_expect_eq(run_approx(cpu, 0x53, 0xFF800000), 0x80000000u);
    cr_expect_eq(run_approx(cpu, 0x53, 0x7F800001), 0x7FC00001u); /* SNaN quieted */
    cr_expect_eq(run_approx(cpu, 0x53, 0x3F800000), 0x3F800000u); /* exact 1 stays 1 */
    cr_expect_eq(run_approx(cpu, 0x52, 0xBF800000), 0xFFC00000u); /* negative: default NaN */
    cr_expect_eq(run_approx(cpu, 0x52, 0x80000000), 0xFF800000u);
    cr_expect_eq(run_approx(cpu, 0x52, 0x7F800000), 0x00000000u);
    cr_expect_eq(run_approx(cpu, 0x52, 0x40800000), 0x3F000000u); /* 1/sqrt(4) */
    cr_expect_eq(cpu->fpu.mxcsr, 0x1F80u, "no exception flags from RCP/RSQRT");
}
