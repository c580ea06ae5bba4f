/* test_ops_stack.c — PUSH/POP, PUSHA/POPA, PUSHF/POPF privilege rules, ENTER/LEAVE
 * (cpu/ops_stack.c), with expectations from the SDM's pseudocode for each instruction. */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(ops_stack, .fini = fx_free);

#define SS_BASE 0x20000u

Test(ops_stack, push_sp_pushes_the_old_value)
{
    CpuState *cpu = fx_real();
    cpu->ESP = 0x100;
    cr_assert_eq(FX_RUN(cpu, 0x54), -1); /* push sp */
    cr_assert_eq(cpu->ESP, 0xFE);
    cr_assert_eq(fx_peek16(SS_BASE + 0xFE), 0x100);
}

Test(ops_stack, push_wraps_sp_on_a_16bit_stack)
{
    CpuState *cpu = fx_real();
    cpu->ESP = 0x12340000; /* SP = 0: the push goes to SS:FFFE, ESP's upper half stays */
    cpu->EAX = 0xBEEF;
    cr_assert_eq(FX_RUN(cpu, 0x50), -1);
    cr_assert_eq(cpu->ESP, 0x1234FFFE);
    cr_assert_eq(fx_peek16(SS_BASE + 0xFFFE), 0xBEEF);
}

Test(ops_stack, pop_esp_and_pop_to_esp_relative_memory)
{
    CpuState *cpu = fx_flat32(0);
    fx_poke32(0x80000, 0x11111111);
    fx_poke32(0x80004, 0x22222222);
    cr_assert_eq(FX_RUN(cpu, 0x5C), -1); /* pop esp: the popped value wins */
    cr_assert_eq(cpu->ESP, 0x11111111);
    cpu = fx_flat32(0);
    fx_poke32(0x80000, 0xCAFEF00D);
    /* pop dword [esp+4]: the address uses ESP after the increment (0x80004 + 4) */
    cr_assert_eq(FX_RUN(cpu, 0x8F, 0x44, 0x24, 0x04), -1);
    cr_assert_eq(cpu->ESP, 0x80004);
    cr_assert_eq(fx_peek32(0x80008), 0xCAFEF00D);
}

Test(ops_stack, pusha_faults_before_writing_anything)
{
    CpuState *cpu = fx_real();
    /* SP = 7: the 4th word would straddle offset FFFF, beyond the limit: #SS, and the three
     * slots below SP that fit must not have been written. */
    cpu->ESP = 7;
    memset(fx_host(SS_BASE), 0xAA, 8);
    cpu->EAX = 0x1111;
    cpu->ECX = 0x2222;
    cr_assert_eq(FX_RUN(cpu, 0x60), EXC_SS);
    cr_assert_eq(cpu->ESP, 7);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(fx_peek8(SS_BASE + i), 0xAA, "byte %d written", i);
}

Test(ops_stack, pusha_popa_round_trip_and_popa_skips_esp)
{
    CpuState *cpu = fx_flat32(0);
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            cpu->gpr[r].d = 0x01010101u * (uint32_t)(r + 1);
    cr_assert_eq(FX_RUN(cpu, 0x60), -1);
    cr_assert_eq(cpu->ESP, 0x80000 - 32);
    cr_assert_eq(fx_peek32(0x80000 - 4), 0x01010101u);  /* EAX first */
    cr_assert_eq(fx_peek32(0x80000 - 20), 0x80000);     /* the original ESP */
    cr_assert_eq(fx_peek32(0x80000 - 32), 0x08080808u); /* EDI last */
    fx_poke32(0x80000 - 20, 0xDEADBEEF);                /* POPA must ignore this slot */
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            cpu->gpr[r].d = 0;
    cpu->eip = 0x10000;
    cr_assert_eq(FX_RUN(cpu, 0x61), -1);
    cr_assert_eq(cpu->ESP, 0x80000);
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            cr_assert_eq(cpu->gpr[r].d, 0x01010101u * (uint32_t)(r + 1));
}

Test(ops_stack, pushf32_clears_vm_and_rf_in_the_image)
{
    CpuState *cpu = fx_flat32(0);
    fx_set_flags(cpu, FL_RF | FL_AC | FL_CF | FL_IF);
    cr_assert_eq(FX_RUN(cpu, 0x9C), -1);
    cr_assert_eq(fx_peek32(0x80000 - 4), FL_AC | FL_CF | FL_IF | FL_RSVD1);
}

/* POPF (with a 66 prefix when asked) of all ones, then what the flags became. */
static uint32_t popf_all_ones(CpuState *cpu, bool prefix66, int *vector)
{
    fx_poke32(cpu->seg[SEG_SS].base + (cpu->ESP & (cpu_stack32(cpu) ? ~0u : 0xFFFFu)), 0xFFFFFFFF);
    static const uint8_t popf[] = {0x9D}, popf16[] = {0x66, 0x9D};
    *vector = fx_run_n(cpu, prefix66 ? popf16 : popf, prefix66 ? 2 : 1, 1, NULL);
    return fx_flags(cpu);
}

Test(ops_stack, popf_at_cpl0_changes_iopl_not_vm_rf_vif_vip)
{
    CpuState *cpu = fx_flat32(0);
    fx_set_flags(cpu, 0);
    int v;
    uint32_t f = popf_all_ones(cpu, false, &v);
    cr_assert_eq(v, -1);
    cr_assert_eq(f, (FL_LIVE_MASK & ~(FL_VM | FL_RF | FL_VIF | FL_VIP)) | FL_RSVD1, "%08x", f);
}

Test(ops_stack, popf_at_cpl3_keeps_iopl_and_if_when_cpl_above_iopl)
{
    CpuState *cpu = fx_flat32(3);
    fx_set_flags(cpu, 0);
    int v;
    uint32_t f = popf_all_ones(cpu, false, &v);
    cr_assert_eq(v, -1);
    cr_assert_eq(f & (FL_IOPL | FL_IF), 0);
    cr_assert_eq(f & (FL_DF | FL_TF | FL_AC | FL_NT | FL_ID | FL_ARITH),
                 FL_DF | FL_TF | FL_AC | FL_NT | FL_ID | FL_ARITH);
}

Test(ops_stack, popf_at_cpl3_with_iopl3_may_change_if_not_iopl)
{
    CpuState *cpu = fx_flat32(3);
    fx_set_flags(cpu, 3u << FL_IOPL_SHIFT);
    int v;
    uint32_t f = popf_all_ones(cpu, true, &v); /* 66: a 16-bit POPF; the upper half stays */
    cr_assert_eq(v, -1);
    cr_assert(f & FL_IF);
    cr_assert_eq(f & FL_IOPL, 3u << FL_IOPL_SHIFT);
    cr_assert_eq(f & (FL_AC | FL_ID), 0);
}

Test(ops_stack, popf_in_real_mode_sets_iopl_and_nt)
{
    CpuState *cpu = fx_real();
    fx_set_flags(cpu, 0);
    int v;
    uint32_t f = popf_all_ones(cpu, false, &v); /* 16-bit code: a 16-bit POPF */
    cr_assert_eq(v, -1);
    cr_assert_eq(f, 0x7FD7, "%08x", f); /* every live bit of the low word */
}

Test(ops_stack, pushf_popf_in_vm86_need_iopl3)
{
    CpuState *cpu = fx_real();
    cpu->cr0 |= CR0_PE;
    cpu->cpl = 3;
    fx_set_flags(cpu, FL_VM | (2u << FL_IOPL_SHIFT));
    cr_assert_eq(FX_RUN(cpu, 0x9C), EXC_GP);
    cr_assert_eq(FX_RUN(cpu, 0x9D), EXC_GP);
    cr_assert_eq(cpu->ESP, 0xFFF0);
    fx_set_flags(cpu, FL_VM | (3u << FL_IOPL_SHIFT));
    int v;
    uint32_t f = popf_all_ones(cpu, true, &v); /* 66 in 16-bit code: a 32-bit POPF */
    cr_assert_eq(v, -1);
    cr_assert_eq(f & (FL_VM | FL_IOPL), FL_VM | (3u << FL_IOPL_SHIFT));
    cr_assert(f & FL_IF);
}

Test(ops_stack, enter_level0_and_leave_16bit)
{
    CpuState *cpu = fx_real();
    cpu->ESP = 0x1000;
    cpu->EBP = 0xABCD5555;
    cr_assert_eq(FX_RUN(cpu, 0xC8, 0x10, 0x00, 0x00), -1); /* enter 16, 0 */
    cr_assert_eq(fx_peek16(SS_BASE + 0xFFE), 0x5555);
    cr_assert_eq(cpu->EBP, 0xABCD0FFE); /* BP only */
    cr_assert_eq(cpu->ESP, 0x0FFE - 16);
    cr_assert_eq(FX_RUN(cpu, 0xC9), -1); /* leave */
    cr_assert_eq(cpu->ESP, 0x1000);
    cr_assert_eq(cpu->EBP, 0xABCD5555);
}

Test(ops_stack, enter_nested_copies_frame_pointers_32bit)
{
    CpuState *cpu = fx_flat32(0);
    cpu->EBP = 0x70000;
    fx_poke32(0x70000 - 4, 0xF1);
    fx_poke32(0x70000 - 8, 0xF2);
    cr_assert_eq(FX_RUN(cpu, 0xC8, 0x08, 0x00, 0x03), -1); /* enter 8, 3 */
    uint32_t frame = 0x80000 - 4;
    cr_assert_eq(fx_peek32(0x80000 - 4), 0x70000); /* old EBP */
    cr_assert_eq(fx_peek32(0x80000 - 8), 0xF1);    /* copied from [EBP-4] */
    cr_assert_eq(fx_peek32(0x80000 - 12), 0xF2);   /* copied from [EBP-8] */
    cr_assert_eq(fx_peek32(0x80000 - 16), frame);  /* the new frame pointer */
    cr_assert_eq(cpu->EBP, frame);
    cr_assert_eq(cpu->ESP, 0x80000 - 16 - 8);
}

Test(ops_stack, enter_level_is_taken_modulo_32)
{
    CpuState *cpu = fx_flat32(0);
    cpu->EBP = 0x70000;
    cr_assert_eq(FX_RUN(cpu, 0xC8, 0x00, 0x00, 0x21), -1); /* level 33 = level 1 */
    cr_assert_eq(fx_peek32(0x80000 - 8), 0x80000 - 4);
    cr_assert_eq(cpu->ESP, 0x80000 - 8);
    cr_assert_eq(cpu->EBP, 0x80000 - 4);
}

Test(ops_stack, enter_fault_leaves_registers)
{
    CpuState *cpu = fx_real();
    cpu->ESP = 0x0001; /* the push of BP straddles FFFF: #SS */
    cpu->EBP = 0x1234;
    cr_assert_eq(FX_RUN(cpu, 0xC8, 0x04, 0x00, 0x01), EXC_SS);
    cr_assert_eq(cpu->ESP, 1);
    cr_assert_eq(cpu->EBP, 0x1234);
    cr_assert_eq(cpu->eip, 0);
}

/* ENTER probes the new stack top for writing: a page fault there comes before any register
 * changes, even though nothing is stored at that address. */
Test(ops_stack, enter_probes_the_new_stack_top)
{
    CpuState *cpu = fx_flat32(3);
    const uint32_t pd = 0xE0000, pt = 0xE1000;
    fx_poke32(pd, pt | 7);
    for (uint32_t i = 0; i < 256; i++)
        fx_poke32(pt + 4 * i, i == 0x70 ? 0 : (i << 12) | 7);
    cpu->cr3 = pd;
    cpu->cr0 |= CR0_PG;
    mmu_flush_all(cpu);
    cpu->ESP = 0x71004;
    cpu->EBP = 0x12345678;
    cr_assert_eq(FX_RUN(cpu, 0xC8, 0x08, 0x00, 0x00), EXC_PF); /* enter 8, 0 */
    cr_assert_eq(cpu->cr2, 0x71000 - 8);
    cr_assert_eq(cpu->ESP, 0x71004);
    cr_assert_eq(cpu->EBP, 0x12345678);
    cpu->ESP = 0x72004;
    cr_assert_eq(FX_RUN(cpu, 0xC8, 0x08, 0x00, 0x00), -1);
    cr_assert_eq(cpu->ESP, 0x72000 - 8);
}
