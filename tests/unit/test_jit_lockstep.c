/* test_jit_lockstep.c — what the lockstep checker compares: two CPU states equal after a
 * reset compare equal, and a difference in any one architectural field the engines must
 * agree on (here the MSR-held registers: P6 PerfEvtSel/PerfCtr, SYSENTER, TSC offset, and
 * the general registers as a baseline) is reported.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "cpu/cpu.h"
#include "softmmu/ioport.h"
#include "softmmu/physmem.h"
#include "translator/jit_internal.h"

typedef struct Pair {
    PhysMem mem;
    IoPortSpace io;
    CpuState a, b;
} Pair;

static Pair *pair_new(void)
{
    Pair *p = calloc(1, sizeof *p);
    cr_assert(p && physmem_init(&p->mem, 1u << 20));
    ioport_init(&p->io);
    cpu_init(&p->a, &p->mem, &p->io);
    cpu_init(&p->b, &p->mem, &p->io);
    cpu_reset(&p->a);
    cpu_reset(&p->b);
    return p;
}

static void pair_free(Pair *p)
{
    physmem_free(&p->mem);
    free(p);
}

Test(jit_lockstep, equal_after_reset)
{
    Pair *p = pair_new();
    cr_assert_null(lockstep_compare_cpu(&p->a, &p->b));
    pair_free(p);
}

Test(jit_lockstep, gpr_difference)
{
    Pair *p = pair_new();
    p->b.gpr[3].d ^= 1;
    cr_assert_not_null(lockstep_compare_cpu(&p->a, &p->b));
    pair_free(p);
}

Test(jit_lockstep, pmu_msr_differences)
{
    for (int i = 0; i < 2; i++) {
        Pair *p = pair_new();
        p->b.perfevtsel[i] = 0x430079;
        cr_assert_str_eq(lockstep_compare_cpu(&p->a, &p->b), "MSRs", "perfevtsel[%d]", i);
        pair_free(p);
        p = pair_new();
        p->b.perfctr[i] = 0xFF00000001ull;
        cr_assert_str_eq(lockstep_compare_cpu(&p->a, &p->b), "MSRs", "perfctr[%d]", i);
        pair_free(p);
    }
}

Test(jit_lockstep, other_msr_differences)
{
    Pair *p = pair_new();
    p->b.sysenter_esp = 0x1000;
    cr_assert_str_eq(lockstep_compare_cpu(&p->a, &p->b), "MSRs");
    pair_free(p);
    p = pair_new();
    p->b.tsc_offset = 5;
    cr_assert_str_eq(lockstep_compare_cpu(&p->a, &p->b), "MSRs");
    pair_free(p);
}
