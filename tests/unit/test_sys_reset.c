/* test_sys_reset.c — cpu_reset() gives the power-up/RESET state of SDM vol. 3 table 9-1,
 * including the x87 and SSE rows (FCW 0040H, FSW 0, tag word 5555H with every register
 * +0.0, pointers 0, MXCSR 1F80H, XMM zero) whatever the state before. */
#include <criterion/criterion.h>

#include "cpu/x87.h"
#include "unit/ops_fixture.h"

TestSuite(sys_reset, .fini = fx_free);

static void check_fpu_reset_state(const CpuState *cpu)
{
    const FpuState *f = &cpu->fpu;
    cr_assert_eq(f->fcw, 0x0040);
    cr_assert_eq(fpu_status_word(f), 0);
    cr_assert_eq(fpu_full_tag_word(f), 0x5555, "tag word %#x", fpu_full_tag_word(f));
    cr_assert_eq(fpu_abridged_tag(f), 0xFF);
    for (int i = 0; i < 8; i++)
        cr_assert(f->st[i].mant == 0 && f->st[i].se == 0, "R%d is not +0.0", i);
    cr_assert(f->fip == 0 && f->fcs == 0 && f->fdp == 0 && f->fds == 0 && f->fop == 0);
    cr_assert_eq(f->mxcsr, 0x1F80);
    for (int i = 0; i < 8; i++)
        cr_assert(f->xmm[i][0] == 0 && f->xmm[i][1] == 0, "XMM%d", i);
}

Test(sys_reset, power_on_fpu_state)
{
    CpuState *cpu = fx_real(); /* cpu_init ends with cpu_reset */
    check_fpu_reset_state(cpu);
}

Test(sys_reset, reset_overwrites_every_fpu_field)
{
    CpuState *cpu = fx_real();
    FpuState *f = &cpu->fpu;
    f->fcw = 0x037F;
    f->fsw = 0x00FF;
    f->top = 5;
    f->ftw = 0xFFFF;
    f->st[3].mant = 0x8000000000000000ull;
    f->st[3].se = 0x3FFF;
    f->fip = 0x1234;
    f->fcs = 0x8;
    f->fdp = 0x5678;
    f->fds = 0x10;
    f->fop = 0x7FF;
    f->mxcsr = 0x9FC0;
    f->xmm[7][1] = 1;
    cpu_reset(cpu);
    check_fpu_reset_state(cpu);
}

Test(sys_reset, power_on_registers)
{
    CpuState *cpu = fx_real();
    cpu_reset(cpu);
    cr_assert_eq(cpu->EDX, CPU_SIGNATURE);
    cr_assert_eq(cpu->eip, 0xFFF0);
    cr_assert_eq(cpu->seg[SEG_CS].sel, 0xF000);
    cr_assert_eq(cpu->seg[SEG_CS].base, 0xFFFF0000u);
    cr_assert_eq(cpu_get_eflags(cpu), 0x00000002);
    cr_assert_eq(cpu->cr0, 0x60000010);
    cr_assert_eq(cpu->dr[6], 0xFFFF0FF0u);
    cr_assert_eq(cpu->dr[7], 0x00000400u);
    cr_assert(!cpu->nmi_pending && !cpu->nmi_blocked && !cpu->halted);
}
