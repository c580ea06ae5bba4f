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

/* ---- P6 performance monitoring: PerfEvtSel0/1 (186h/187h), PerfCtr0/1 (C1h/C2h) ---------- */

static uint64_t rdpmc(CpuState *cpu, uint32_t counter)
{
    cpu->eip = cpu->next_eip = 0x10000;
    cpu->ECX = counter;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x33), -1, "RDPMC %u raised an exception", counter);
    return (uint64_t)cpu->EDX << 32 | cpu->EAX;
}

/* Linux's check_hw_exists() on a P6: reads both event selects (EN must be clear: no BIOS
 * owns the counters), then flips the low 16 bits of PerfCtr0 and wants them read back. */
Test(sys_msr, p6_pmu_probe_finds_the_counters)
{
    CpuState *cpu = fx_flat32(0);
    uint64_t v = 1;
    cr_assert_eq(rdmsr(cpu, 0x186, &v), -1, "RDMSR 186h raised an exception");
    cr_assert_eq(v, 0);
    cr_assert_eq(rdmsr(cpu, 0x187, &v), -1, "RDMSR 187h raised an exception");
    cr_assert_eq(v, 0);
    cr_assert_eq(rdmsr(cpu, 0xC1, &v), -1, "RDMSR C1h raised an exception");
    v ^= 0xFFFF;
    cr_assert_eq(wrmsr(cpu, 0xC1, v), -1, "WRMSR C1h raised an exception");
    uint64_t back = 0;
    cr_assert_eq(rdmsr(cpu, 0xC1, &back), -1);
    cr_assert_eq(back, v);
}

Test(sys_msr, p6_event_selects_read_back_32_bits)
{
    CpuState *cpu = fx_flat32(0);
    /* Event 79h (CPU_CLK_UNHALTED), USR, OS, INT, EN: what a perf driver writes. */
    cr_assert_eq(wrmsr(cpu, 0x186, 0x00530079), -1);
    cr_assert_eq(wrmsr(cpu, 0x187, 0xFF8000C0), -1);
    uint64_t v;
    cr_assert_eq(rdmsr(cpu, 0x186, &v), -1);
    cr_assert_eq(v, 0x00530079);
    cr_assert_eq(rdmsr(cpu, 0x187, &v), -1);
    cr_assert_eq(v, 0xFF8000C0);
    /* Bits 63:32 are reserved: #GP, and the register keeps its value. */
    cr_assert_eq(wrmsr(cpu, 0x186, 0x100000000ull), EXC_GP);
    cr_assert_eq(rdmsr(cpu, 0x186, &v), -1);
    cr_assert_eq(v, 0x00530079);
}

/* SDM vol. 3B (P6 PerfCtr0/1): only the low 32 bits are written; bits 39:32 are sign-extended
 * from bit 31 and EDX is ignored. The counters are 40 bits wide. */
Test(sys_msr, p6_counter_writes_sign_extend_bit_31)
{
    CpuState *cpu = fx_flat32(0);
    uint64_t v;
    cr_assert_eq(wrmsr(cpu, 0xC1, 0x0000001280000001ull), -1);
    cr_assert_eq(rdmsr(cpu, 0xC1, &v), -1);
    cr_assert_eq(v, 0xFF80000001ull, "%#llx", (unsigned long long)v);
    cr_assert_eq(wrmsr(cpu, 0xC2, 0x000000FF7FFFFFFFull), -1);
    cr_assert_eq(rdmsr(cpu, 0xC2, &v), -1);
    cr_assert_eq(v, 0x7FFFFFFFull, "%#llx", (unsigned long long)v);
    /* -1000 as a perf driver arms a sampling period: reads back as the 40-bit -1000. */
    cr_assert_eq(wrmsr(cpu, 0xC2, (uint64_t)-1000), -1);
    cr_assert_eq(rdmsr(cpu, 0xC2, &v), -1);
    cr_assert_eq(v, ((uint64_t)-1000) & 0xFFFFFFFFFFull);
    cr_assert_eq(rdpmc(cpu, 0), 0xFF80000001ull, "RDPMC reads the same counters");
    cr_assert_eq(rdpmc(cpu, 1), ((uint64_t)-1000) & 0xFFFFFFFFFFull);
}

/* Events are not modelled: an enabled counter keeps the value it was given. */
Test(sys_msr, p6_counters_do_not_count)
{
    CpuState *cpu = fx_flat32(0);
    cr_assert_eq(wrmsr(cpu, 0xC1, 5), -1);
    cr_assert_eq(wrmsr(cpu, 0x186, 0x004300C0), -1); /* instructions retired, EN */
    for (int i = 0; i < 3; i++)
        rdtsc(cpu);
    cr_assert_eq(rdpmc(cpu, 0), 5);
}

Test(sys_msr, p6_pmu_registers_are_privileged_and_cleared_by_reset)
{
    CpuState *cpu = fx_flat32(0);
    cr_assert_eq(wrmsr(cpu, 0x186, 0x00430079), -1);
    cr_assert_eq(wrmsr(cpu, 0x187, 0x000000C0), -1);
    cr_assert_eq(wrmsr(cpu, 0xC1, 7), -1);
    cr_assert_eq(wrmsr(cpu, 0xC2, 9), -1);
    cpu_reset(cpu); /* SDM vol. 3 table 9-1: counters and event selects 0 after RESET */
    cr_assert_eq(cpu->perfevtsel[0], 0);
    cr_assert_eq(cpu->perfevtsel[1], 0);
    cr_assert_eq(cpu->perfctr[0], 0);
    cr_assert_eq(cpu->perfctr[1], 0);
    cpu = fx_flat32(3);
    uint64_t v;
    cr_assert_eq(rdmsr(cpu, 0x186, &v), EXC_GP);
    cr_assert_eq(wrmsr(cpu, 0xC1, 0), EXC_GP);
}
