/* test_sys_undefined.c — the fault of an undefined opcode (cpu_raise_undefined, reached
 * from cpu_fetch_decode): #UD, except that CR0.EM/TS give #NM first for the x87 escape
 * space D8-DF, after prefixes too and when the instruction straddles a page; LOCK keeps
 * #UD; opcodes outside D8-DF are #UD whatever EM and TS say. */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(sys_undefined, .fini = fx_free);

static CpuState *setup(uint32_t cr0_bits)
{
    CpuState *cpu = fx_flat32(0);
    cpu->cr0 = (cpu->cr0 & ~(CR0_EM | CR0_TS)) | cr0_bits;
    return cpu;
}

Test(sys_undefined, x87_escapes_check_em_and_ts_first)
{
    static const uint32_t modes[] = {CR0_EM, CR0_TS, CR0_EM | CR0_TS};
    for (unsigned m = 0; m < 3; m++) {
        cr_assert_eq(FX_RUN(setup(modes[m]), 0xD9, 0xD1), EXC_NM);
        cr_assert_eq(FX_RUN(setup(modes[m]), 0xDA, 0xE8), EXC_NM);
        cr_assert_eq(FX_RUN(setup(modes[m]), 0xD9, 0x08), EXC_NM, "D9 /1 memory form");
        cr_assert_eq(FX_RUN(setup(modes[m]), 0x67, 0x3E, 0xDF, 0xE1), EXC_NM);
        cr_assert_eq(FX_RUN(setup(modes[m]), 0xF0, 0xD9, 0xD1), EXC_UD, "LOCK");
        cr_assert_eq(FX_RUN(setup(modes[m]), 0x0F, 0x0B), EXC_UD, "UD2");
        cr_assert_eq(FX_RUN(setup(modes[m]), 0x0F, 0xFF), EXC_UD, "UD0");
    }
    cr_assert_eq(FX_RUN(setup(0), 0xD9, 0xD1), EXC_UD);
    cr_assert_eq(FX_RUN(setup(0), 0xD9, 0x08), EXC_UD);
}

Test(sys_undefined, across_a_page_boundary)
{
    /* Two prefixes end one page, the escape begins the next: both pages are looked at. */
    CpuState *cpu = setup(CR0_EM);
    cpu->eip = cpu->next_eip = 0x10FFE;
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x2E, 0xD9, 0xD1), EXC_NM);
    cpu = setup(0);
    cpu->eip = cpu->next_eip = 0x10FFE;
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x2E, 0xD9, 0xD1), EXC_UD);
}
