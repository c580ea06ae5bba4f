/* test_sys_cpuid.c — CPUID (cpu/ops_model.c): leaf 0 (highest leaf 2, "GenuineIntel"),
 * leaf 1 (signature, CLFSH with the CLFLUSH line size, and the features the instructions
 * behind them back up), leaf 2 (one call, valid null descriptors), and every leaf above the
 * highest basic one, extended ones included, returning leaf 2's values (SDM vol. 2, CPUID). */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(sys_cpuid, .fini = fx_free);

typedef struct Regs {
    uint32_t a, b, c, d;
} Regs;

static Regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    CpuState *cpu = fx_flat32(3); /* CPUID is not privileged */
    cpu->EAX = leaf;
    cpu->ECX = subleaf;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xA2), -1);
    Regs r = {cpu->EAX, cpu->EBX, cpu->ECX, cpu->EDX};
    return r;
}

Test(sys_cpuid, leaf0_vendor_and_highest_leaf)
{
    Regs r = cpuid(0, 0);
    cr_assert_eq(r.a, 2);
    char vendor[13];
    memcpy(vendor, &r.b, 4);
    memcpy(vendor + 4, &r.d, 4);
    memcpy(vendor + 8, &r.c, 4);
    vendor[12] = 0;
    cr_assert_str_eq(vendor, "GenuineIntel");
}

Test(sys_cpuid, leaf1_clflush)
{
    Regs r = cpuid(1, 0);
    cr_assert_eq(r.a, CPU_SIGNATURE);
    cr_assert(r.d & (1u << 19), "CLFSH: CLFLUSH executes");
    cr_assert_eq((r.b >> 8) & 0xFF, 8, "CLFLUSH line size in 8-byte units");
    cr_assert_eq(r.b & 0xFFFF00FFu, 0, "brand index, logical count and APIC ID are 0");
    cr_assert_eq(r.c, 0);
    /* What is advertised executes: clflush [0x1000], cmovz eax, ecx, cmpxchg8b, rdtsc. */
    CpuState *cpu = fx_flat32(3);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x3D, 0x00, 0x10, 0x00, 0x00), -1);
    cpu = fx_flat32(3);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x44, 0xC1), -1);
    cpu = fx_flat32(3);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xC7, 0x0D, 0x00, 0x10, 0x00, 0x00), -1);
    cpu = fx_flat32(3);
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x31), -1);
    /* What is not advertised is absent: no APIC (bit 9), so no APIC_BASE MSR either. */
    cr_assert_eq(r.d & (1u << 9), 0);
    cpu = fx_flat32(0);
    cpu->ECX = 0x1B;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x32), EXC_GP);
}

Test(sys_cpuid, leaf2_descriptors)
{
    Regs r = cpuid(2, 0);
    cr_assert_eq(r.a & 0xFF, 1, "AL: one CPUID(2) call returns every descriptor");
    /* Bit 31 clear: each register holds valid (here null) descriptors. */
    cr_assert_eq((r.a | r.b | r.c | r.d) & 0x80000000u, 0);
}

Test(sys_cpuid, leaves_above_the_highest_return_leaf2)
{
    Regs two = cpuid(2, 0);
    static const uint32_t leaves[] = {3, 4, 7, 0x40000000, 0x7FFFFFFF, 0x80000000,
                                      0x80000001, 0x80000008, 0xFFFFFFFF};
    for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
        Regs r = cpuid(leaves[i], 5);
        cr_assert(r.a == two.a && r.b == two.b && r.c == two.c && r.d == two.d,
                  "leaf %#x", leaves[i]);
    }
}
