/* test_x87_state.c — the x87 register stack as software sees it: tags (computed from the
 * contents for FSTENV/FSAVE, abridged for FXSAVE and expanded again by FXRSTOR), stack
 * overflow and underflow with their masked and unmasked responses, the FSTENV layout of
 * virtual-8086 mode, and the MMX side effects (exponent bits, TOP = 0, tags, EMMS).
 * Expected values are worked out from the SDM (Vol. 1 §8.1.7, §8.5.1.1, Figures 8-9/8-10,
 * Tables 10-2 and 12-2) in the comments next to them.
 */
#include <criterion/criterion.h>

#include "cpu/x87.h"
#include "ops_fixture.h"

#define SW_IE 0x0001
#define SW_SF 0x0040
#define SW_ES 0x0080
#define SW_C1 0x0200
#define SW_B 0x8000
#define BUF 0x2000u /* a data area inside the fixture's RAM */

static CpuState *flat(void)
{
    CpuState *cpu = fx_flat32(0);
    cpu->cr0 |= CR0_NE;
    cpu->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    return cpu;
}

static uint16_t sw(const CpuState *cpu) { return fpu_status_word(&cpu->fpu); }
static unsigned top(const CpuState *cpu) { return cpu->fpu.top; }
static FpuReg80 st(const CpuState *cpu, unsigned i) { return cpu->fpu.st[(cpu->fpu.top + i) & 7]; }

/* FLDCW [BUF] with the given control word. */
static void fldcw(CpuState *cpu, uint16_t cw)
{
    fx_poke16(BUF + 0x100, cw);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x2D, 0x00, 0x21, 0x00, 0x00), -1); /* fldcw [0x2100] */
}

Test(x87_state, tags_are_computed_from_contents)
{
    CpuState *cpu = flat();
    /* A denormal, a NaN, +0 and 1.0 pushed in that order end in R4..R7. */
    static const uint8_t denormal[10] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    fx_poke(BUF, denormal, 10);
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE3), -1);                         /* fninit */
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xE8), -1);                         /* fld1 -> R7 */
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xEE), -1);                         /* fldz -> R6 */
    fx_poke32(BUF + 0x10, 0x7FC00000);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x05, 0x10, 0x20, 0x00, 0x00), -1); /* fld dword [0x2010] -> R5 */
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0x2D, 0x00, 0x20, 0x00, 0x00), -1); /* fld tword [0x2000] -> R4 */
    /* R7 valid 00, R6 zero 01, R5 special 10, R4 special (denormal) 10, R0-R3 empty 11. */
    cr_expect_eq(fpu_full_tag_word(&cpu->fpu), 0x1AFF);
    cr_expect_eq(fpu_abridged_tag(&cpu->fpu), 0xF0);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x35, 0x00, 0x30, 0x00, 0x00), -1); /* fnstenv [0x3000] */
    cr_expect_eq(fx_peek16(0x3008), 0x1AFF);
    /* FFREE ST(2) (R6) empties one register; FINCSTP moves TOP without touching tags. */
    cr_assert_eq(FX_RUN(cpu, 0xDD, 0xC2), -1);
    cr_expect_eq(fpu_full_tag_word(&cpu->fpu), 0x3AFF);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xF7), -1);
    cr_expect_eq(top(cpu), 5);
    cr_expect_eq(fpu_full_tag_word(&cpu->fpu), 0x3AFF);
}

Test(x87_state, push_onto_a_full_stack)
{
    CpuState *cpu = flat();
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE3), -1);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(FX_RUN(cpu, 0xD9, 0xE8), -1); /* fld1 x8: full, TOP = 0 */
    cr_assert_eq(top(cpu), 0);
    cr_assert_eq(sw(cpu) & (SW_IE | SW_SF), 0);
    /* Masked overflow: IE, SF, C1 = 1; the indefinite is pushed. */
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xEE), -1); /* fldz */
    cr_expect_eq(sw(cpu) & (SW_IE | SW_SF | SW_C1 | SW_ES), SW_IE | SW_SF | SW_C1);
    cr_expect_eq(top(cpu), 7);
    cr_expect_eq(st(cpu, 0).se, 0xFFFF);
    cr_expect_eq(st(cpu, 0).mant, 0xC000000000000000ull);
    /* Unmasked: nothing moves, ES and B are set, nothing faults until a waiting insn. */
    fldcw(cpu, 0x037E);
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE2), -1); /* fnclex */
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xE8), -1); /* fld1 */
    cr_expect_eq(top(cpu), 7);
    cr_expect_eq(st(cpu, 0).se, 0xFFFF);
    cr_expect_eq(sw(cpu) & (SW_IE | SW_SF | SW_C1 | SW_ES | SW_B), SW_IE | SW_SF | SW_C1 | SW_ES | SW_B);
    cr_expect_eq(FX_RUN(cpu, 0x9B), EXC_MF); /* fwait */
}

Test(x87_state, reading_an_empty_register)
{
    CpuState *cpu = flat();
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE3), -1);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xE8), -1); /* fld1: ST(1) stays empty */
    /* Masked underflow in FADD ST(0), ST(1): IE, SF, C1 = 0, ST(0) = indefinite. */
    cr_assert_eq(FX_RUN(cpu, 0xD8, 0xC1), -1);
    cr_expect_eq(sw(cpu) & (SW_IE | SW_SF | SW_C1 | SW_ES), SW_IE | SW_SF);
    cr_expect_eq(st(cpu, 0).se, 0xFFFF);
    cr_expect_eq(st(cpu, 0).mant, 0xC000000000000000ull);
    /* FSTP m32 / FISTP m16 of an empty ST(0), masked: the memory indefinites, popped. */
    cr_assert_eq(FX_RUN(cpu, 0xDD, 0xD8), -1); /* fstp st0: empty again */
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE2), -1);
    fx_poke32(BUF, 0x12345678);
    unsigned t = top(cpu);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x1D, 0x00, 0x20, 0x00, 0x00), -1); /* fstp dword [0x2000] */
    cr_expect_eq(fx_peek32(BUF), 0xFFC00000u);
    cr_expect_eq(top(cpu), (t + 1) & 7);
    cr_assert_eq(FX_RUN(cpu, 0xDF, 0x1D, 0x04, 0x20, 0x00, 0x00), -1); /* fistp word [0x2004] */
    cr_expect_eq(fx_peek16(BUF + 4), 0x8000);
    /* Unmasked: memory and TOP are left alone. */
    fldcw(cpu, 0x037E);
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE2), -1);
    t = top(cpu);
    fx_poke32(BUF, 0x12345678);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x1D, 0x00, 0x20, 0x00, 0x00), -1);
    cr_expect_eq(fx_peek32(BUF), 0x12345678u);
    cr_expect_eq(top(cpu), t);
    cr_expect_eq(sw(cpu) & (SW_IE | SW_SF | SW_ES), SW_IE | SW_SF | SW_ES);
}

Test(x87_state, fstenv_in_virtual_8086_mode)
{
    /* V86 uses the real-mode layout: the instruction pointer is (CS << 4) + IP. */
    CpuState *cpu = fx_real();
    cpu->cr0 |= CR0_PE;
    cpu->eflags |= FL_VM;
    cpu->cpl = 3;
    cpu->eip = cpu->next_eip = 0x0010;
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE3), -1);                     /* fninit */
    uint32_t fld_ip = cpu->eip;
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x06, 0x00, 0x01), -1);         /* fld dword [0x100] */
    cr_assert_eq(FX_RUN(cpu, 0x66, 0xD9, 0x36, 0x00, 0x02), -1);   /* o32 fnstenv [0x200] */
    uint32_t env = 0x30000 + 0x200, ip = 0x10000 + fld_ip, dp = 0x30000 + 0x100;
    cr_expect_eq(fx_peek32(env + 12), 0xFFFF0000u | (ip & 0xFFFF));
    cr_expect_eq(fx_peek32(env + 16), (ip >> 16) << 12 | 0x106); /* FOP D9 06 */
    cr_expect_eq(fx_peek32(env + 20), 0xFFFF0000u | (dp & 0xFFFF));
    cr_expect_eq(fx_peek32(env + 24), (dp >> 16) << 12);
}

Test(x87_state, fxrstor_expands_the_abridged_tags)
{
    CpuState *cpu = flat();
    uint8_t img[512];
    memset(img, 0, sizeof img);
    img[0] = 0x7F; img[1] = 0x03;   /* FCW 037F */
    img[2] = 0x00; img[3] = 0x30;   /* FSW: TOP = 6 */
    img[4] = 0xC1;                  /* R0, R6, R7 in use */
    img[24] = 0x80; img[25] = 0x1F; /* MXCSR 1F80 */
    /* ST(0) = R6 = 1.0, ST(1) = R7 = +0, ST(2) = R0 = an unnormal (special) */
    img[32 + 7] = 0x80; img[32 + 8] = 0xFF; img[32 + 9] = 0x3F;
    img[64 + 6] = 0x40; img[64 + 8] = 0xFF; img[64 + 9] = 0x3F;
    fx_poke(BUF, img, sizeof img);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x0D, 0x00, 0x20, 0x00, 0x00), -1); /* fxrstor [0x2000] */
    /* R7 zero 01, R6 valid 00, R0 special 10, the rest empty. */
    cr_expect_eq(fpu_full_tag_word(&cpu->fpu), 0x4FFE);
    cr_expect_eq(fpu_abridged_tag(&cpu->fpu), 0xC1);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x05, 0x00, 0x24, 0x00, 0x00), -1); /* fxsave [0x2400] */
    cr_expect_eq(fx_peek8(0x2404), 0xC1);
    cr_expect_eq(fx_peek16(0x2402), 0x3000);
}

Test(x87_state, mmx_aliases_the_significands)
{
    CpuState *cpu = flat();
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE3), -1);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xE8), -1); /* TOP = 7, R7 = 1.0 */
    cpu->EAX = 0xCAFEF00D;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x6E, 0xD8), -1); /* movd mm3, eax */
    /* MM3 is R3 whatever TOP was; its exponent bits become all ones; TOP = 0; all tags
     * valid (FSTENV then classifies: R3 has exponent 7FFF, "special"). */
    cr_expect_eq(cpu->fpu.st[3].mant, 0xCAFEF00Dull);
    cr_expect_eq(cpu->fpu.st[3].se, 0xFFFF);
    cr_expect_eq(top(cpu), 0);
    cr_expect_eq(fpu_abridged_tag(&cpu->fpu), 0xFF);
    cr_expect_eq((fpu_full_tag_word(&cpu->fpu) >> 6) & 3, 2);
    cr_expect_eq(cpu->fpu.st[7].mant, 0x8000000000000000ull); /* R7 untouched */
    /* EMMS empties every tag. */
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x77), -1);
    cr_expect_eq(fpu_full_tag_word(&cpu->fpu), 0xFFFF);
    cr_expect_eq(top(cpu), 0);
    /* MOVD r32, mm reads R3 and makes the transition too. */
    cpu->fpu.top = 5;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x7E, 0xD9), -1); /* movd ecx, mm3 */
    cr_expect_eq(cpu->ECX, 0xCAFEF00Du);
    cr_expect_eq(top(cpu), 0);
    cr_expect_eq(fpu_abridged_tag(&cpu->fpu), 0xFF);
}
