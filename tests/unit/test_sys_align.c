/* test_sys_align.c — alignment checking (#AC, cpu/access.h): the three enabling conditions
 * (CR0.AM, EFLAGS.AC, CPL 3, virtual-8086 mode included), error code 0 and nothing
 * committed, #GP/#SS of the segment checks before #AC, #AC before #PF, and the operand
 * rules of SDM vol. 3 table 6-7 that are not plain word/dword/qword sizes (x87 80-bit reals
 * and environments, SGDT, far pointers). */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(sys_align, .fini = fx_free);

/* Flat 32-bit protected mode at `cpl` with CR0.AM and EFLAGS.AC as given. */
static CpuState *setup(unsigned cpl, bool am, bool ac)
{
    CpuState *cpu = fx_flat32(cpl);
    if (am)
        cpu->cr0 |= CR0_AM;
    fx_set_flags(cpu, ac ? FL_AC : 0);
    return cpu;
}

/* mov eax, [disp32] */
#define LOAD32(cpu, a)                                                                       \
    FX_RUN(cpu, 0x8B, 0x05, (a) & 0xFF, ((a) >> 8) & 0xFF, ((a) >> 16) & 0xFF, (a) >> 24)

Test(sys_align, needs_am_ac_and_cpl3)
{
    cr_assert_eq(LOAD32(setup(3, true, true), 0x1001), EXC_AC);
    cr_assert_eq(fx->cpu.exc_error, 0);
    cr_assert_eq(fx->cpu.eip, 0x10000, "a fault: EIP stays at the instruction");
    cr_assert_eq(LOAD32(setup(3, true, false), 0x1001), -1, "AC clear");
    cr_assert_eq(LOAD32(setup(3, false, true), 0x1001), -1, "AM clear");
    cr_assert_eq(LOAD32(setup(0, true, true), 0x1001), -1, "CPL 0");
    cr_assert_eq(LOAD32(setup(1, true, true), 0x1001), -1, "CPL 1");
    cr_assert_eq(LOAD32(setup(2, true, true), 0x1001), -1, "CPL 2");
    cr_assert_eq(LOAD32(setup(3, true, true), 0x1004), -1, "aligned");
}

Test(sys_align, natural_sizes)
{
    CpuState *cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x8A, 0x05, 0x03, 0x10, 0, 0), -1, "byte anywhere");
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x8B, 0x05, 0x03, 0x10, 0, 0), EXC_AC, "word at odd");
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x8B, 0x05, 0x02, 0x10, 0, 0), -1, "word at 2 mod 4");
    cpu = setup(3, true, true);
    cr_assert_eq(LOAD32(cpu, 0x1002), EXC_AC, "dword at 2 mod 4");
    /* cmpxchg8b [0x1004]: a qword needs 8 */
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xC7, 0x0D, 0x04, 0x10, 0, 0), EXC_AC);
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xC7, 0x0D, 0x08, 0x10, 0, 0), -1);
}

Test(sys_align, a_misaligned_push_commits_nothing)
{
    CpuState *cpu = setup(3, true, true);
    cpu->ESP = 0x80002;
    cpu->EAX = 0x12345678;
    fx_poke32(0x7FFFE, 0xAAAAAAAA);
    cr_assert_eq(FX_RUN(cpu, 0x50), EXC_AC); /* push eax */
    cr_assert_eq(cpu->ESP, 0x80002);
    cr_assert_eq(fx_peek32(0x7FFFE), 0xAAAAAAAA);
    cpu = setup(3, true, true);
    cpu->ESP = 0x80002;
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x50), -1, "a word push at 2 mod 4");
    cr_assert_eq(cpu->ESP, 0x80000);
}

Test(sys_align, segment_faults_come_first)
{
    CpuState *cpu = setup(3, true, true);
    cpu->seg[SEG_DS].limit = 0x1001; /* the dword at 0x1001 runs past the limit */
    cr_assert_eq(LOAD32(cpu, 0x1001), EXC_GP);
    cpu = setup(3, true, true);
    cpu->ESP = 0x80002;
    cpu->seg[SEG_SS].attr &= (uint16_t)~SA_RW; /* read-only stack: #SS first */
    cr_assert_eq(FX_RUN(cpu, 0x50), EXC_SS);
}

Test(sys_align, before_the_page_walk)
{
    CpuState *cpu = setup(3, true, true);
    /* PDE 0 maps 0-4 MiB with a user 4 MiB page; PDE 1 is not present. */
    fx_poke32(0x30000, 0x00000087);
    fx_poke32(0x30004, 0);
    cpu->cr3 = 0x30000;
    cpu->cr4 |= CR4_PSE;
    cpu->cr0 |= CR0_PG;
    mmu_flush_all(cpu);
    cr_assert_eq(LOAD32(cpu, 0x400001), EXC_AC, "#AC, not #PF");
    cr_assert_eq(cpu->cr2, 0, "no page walk happened");
    cpu->eip = 0x10000;
    cr_assert_eq(LOAD32(cpu, 0x400004), EXC_PF);
}

Test(sys_align, virtual_8086_mode_is_cpl3)
{
    CpuState *cpu = fx_real();
    cpu->cr0 |= CR0_PE | CR0_AM;
    cpu->cpl = 3;
    fx_set_flags(cpu, FL_VM | FL_AC);
    cr_assert_eq(FX_RUN(cpu, 0x8B, 0x06, 0x01, 0x00), EXC_AC); /* mov ax, [1] */
    cpu = fx_real();
    cpu->cr0 |= CR0_AM;
    fx_set_flags(cpu, FL_AC);
    cr_assert_eq(FX_RUN(cpu, 0x8B, 0x06, 0x01, 0x00), -1, "real mode is CPL 0");
}

Test(sys_align, x87_operands)
{
    /* fld tword [0x1002]: an 80-bit real needs 8 */
    CpuState *cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0x2D, 0x04, 0x10, 0, 0), EXC_AC);
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0x2D, 0x08, 0x10, 0, 0), -1);
    /* fnstenv [0x1002]: a 32-bit environment needs 4, a 16-bit one 2 */
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x35, 0x02, 0x10, 0, 0), EXC_AC);
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x66, 0xD9, 0x35, 0x02, 0x10, 0, 0), -1);
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x66, 0xD9, 0x35, 0x01, 0x10, 0, 0), EXC_AC);
    /* fnsave [0x1004]: the area is dword aligned; the registers inside are not checked */
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0xDD, 0x35, 0x04, 0x10, 0, 0), -1);
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0xDD, 0x35, 0x06, 0x10, 0, 0), EXC_AC);
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x66, 0xDD, 0x35, 0x06, 0x10, 0, 0), -1, "16-bit FSAVE: 2");
}

Test(sys_align, pseudo_descriptors_and_far_pointers)
{
    /* sgdt [0x1000]: the limit word is aligned, the base dword at 0x1002 is not */
    CpuState *cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x01, 0x05, 0x00, 0x10, 0, 0), EXC_AC);
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x01, 0x05, 0x02, 0x10, 0, 0), -1);
    /* les eax, [0x1002]: a 16:32 pointer needs 4 (its offset dword comes first) */
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0xC4, 0x05, 0x02, 0x10, 0, 0), EXC_AC);
    /* les ax, [0x1002]: a 16:16 pointer needs 2 (a null selector loads fine) */
    cpu = setup(3, true, true);
    cr_assert_eq(FX_RUN(cpu, 0x66, 0xC4, 0x05, 0x02, 0x10, 0, 0), -1);
}
