/* test_sys_msr.c — the TSC and the model-specific registers (cpu/ops_model.c): RDTSC and
 * MSR 0x10 read the virtual clock through the CPU's clock hook plus an offset that reset
 * and WRMSR set relative to that clock (the hook here is a settable counter standing for the
 * scheduler, which may run ahead of icount by idle jumps); cpu_clock_sync() gives translated
 * code the same value as icount + tsc_offset. */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(sys_msr, .fini = fx_free);

static uint64_t fake_clock;
static uint64_t read_fake_clock(void *opaque)
{
    (void)opaque;
    return fake_clock;
}

static CpuState *clocked_cpu(uint64_t clock)
{
    CpuState *cpu = fx_flat32(0);
    fake_clock = clock;
    cpu->clock = read_fake_clock;
    cpu->clock_opaque = NULL;
    return cpu;
}

static uint64_t rdtsc(CpuState *cpu)
{
    cpu->eip = cpu->next_eip = 0x10000;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x31), -1);
    return (uint64_t)cpu->EDX << 32 | cpu->EAX;
}

static int rdmsr(CpuState *cpu, uint32_t msr, uint64_t *v)
{
    cpu->eip = cpu->next_eip = 0x10000;
    cpu->ECX = msr;
    int r = FX_RUN(cpu, 0x0F, 0x32);
    *v = (uint64_t)cpu->EDX << 32 | cpu->EAX;
    return r;
}

static int wrmsr(CpuState *cpu, uint32_t msr, uint64_t v)
{
    cpu->eip = cpu->next_eip = 0x10000;
    cpu->ECX = msr;
    cpu->EAX = (uint32_t)v;
    cpu->EDX = (uint32_t)(v >> 32);
    return FX_RUN(cpu, 0x0F, 0x30);
}

Test(sys_msr, tsc_reads_the_clock_hook)
{
    CpuState *cpu = clocked_cpu(5000);
    cpu->tsc_adjust = (uint64_t)0 - 5000;
    cr_assert_eq(rdtsc(cpu), 0);
    fake_clock += 123456789; /* an idle jump: no instruction retired */
    cr_assert_eq(rdtsc(cpu), 123456789);
    uint64_t v;
    cr_assert_eq(rdmsr(cpu, 0x10, &v), -1);
    cr_assert_eq(v, 123456789, "MSR 0x10 is the same counter");
}

Test(sys_msr, reset_starts_the_tsc_at_zero_on_the_clock)
{
    CpuState *cpu = clocked_cpu(777777);
    cpu_reset(cpu);
    fake_clock += 10;
    cpu->seg[SEG_CS].base = 0x10000; /* real mode; the code where the fixture has RAM */
    cpu->eip = cpu->next_eip = 0;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x31), -1);
    cr_assert_eq(cpu->EAX, 10);
    cr_assert_eq(cpu->EDX, 0);
}

Test(sys_msr, wrmsr_sets_the_offset_relative_to_the_clock)
{
    CpuState *cpu = clocked_cpu(1000);
    /* P6: the low 32 bits are written, the high 32 bits cleared. */
    cr_assert_eq(wrmsr(cpu, 0x10, 0x0000005512345678ull), -1);
    cr_assert_eq(rdtsc(cpu), 0x12345678u);
    fake_clock += 4000000000u;
    cr_assert_eq(rdtsc(cpu), 0x12345678ull + 4000000000u);
    /* Translated code's view: icount + tsc_offset after the sync an engine entry does. */
    cpu->icount = 42;
    cpu_clock_sync(cpu);
    cr_assert_eq(cpu->icount + cpu->tsc_offset, 0x12345678ull + 4000000000u);
}

Test(sys_msr, without_a_hook_the_clock_is_icount)
{
    CpuState *cpu = fx_flat32(0);
    cpu->icount = 300;
    cr_assert_eq(wrmsr(cpu, 0x10, 1000), -1);
    cpu->icount = 350;
    cr_assert_eq(rdtsc(cpu), 1050);
}

/* IA32_BIOS_SIGN_ID (0x8B): Linux reads the microcode revision from EDX after writing 0 and
 * running CPUID (SDM vol. 3, "microcode update signature"); every P6 has the MSR, so neither
 * access may #GP. No update is loaded: the revision reads 0. Ring 3 still #GPs. */
Test(sys_msr, bios_sign_id_reads_revision_zero)
{
    CpuState *cpu = fx_flat32(0);
    cr_assert_eq(wrmsr(cpu, 0x8B, 0), -1, "WRMSR 8Bh raised an exception");
    cpu->eip = cpu->next_eip = 0x10000;
    cpu->EAX = 1;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xA2), -1);
    uint64_t v = 0xDEADBEEFDEADBEEFull;
    cr_assert_eq(rdmsr(cpu, 0x8B, &v), -1, "RDMSR 8Bh raised an exception");
    cr_assert_eq(v, 0, "revision (EDX) and EAX");
    cpu = fx_flat32(3);
    cr_assert_eq(rdmsr(cpu, 0x8B, &v), EXC_GP);
    cr_assert_eq(wrmsr(cpu, 0x8B, 0), EXC_GP);
}

/* IA32_PLATFORM_ID (0x17), which the same microcode loader reads next (Linux:
 * collect_cpu_info on family 6 model >= 5): readable, platform 0; read-only, so WRMSR #GPs. */
Test(sys_msr, platform_id_reads_zero_and_is_read_only)
{
    CpuState *cpu = fx_flat32(0);
    uint64_t v = 1;
    cr_assert_eq(rdmsr(cpu, 0x17, &v), -1, "RDMSR 17h raised an exception");
    cr_assert_eq(v, 0);
    cr_assert_eq(wrmsr(cpu, 0x17, 0), EXC_GP);
}
