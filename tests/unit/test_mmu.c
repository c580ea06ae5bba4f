/* The soft MMU's page walk (softmmu/mmu.c): translations, A/D bits, #PF error codes and
 * CR2, WP, PSE and reserved bits, global pages across flushes, INVLPG, precise
 * page-crossing writes, the no-side-effect peek, and data-breakpoint pages. */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdlib.h>

#include "cpu/cpu.h"
#include "cpu/debug_regs.h"
#include "cpu/exception.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "softmmu/physmem.h"

#define PD 0x10000u
#define PT 0x11000u

static struct {
    CpuState cpu;
    PhysMem mem;
    IoPortSpace io;
} *m;
static CpuState *cpu;

static void setup(void)
{
    m = calloc(1, sizeof *m);
    cr_assert(m && physmem_init(&m->mem, 8u << 20));
    ioport_init(&m->io);
    cpu_init(&m->cpu, &m->mem, &m->io);
    cpu = &m->cpu;
    cpu->cr0 |= CR0_PE | CR0_PG;
    cpu->cr3 = PD;
    mmu_flush_all(cpu);
}
static void teardown(void)
{
    physmem_free(&m->mem);
    free(m);
}
TestSuite(mmu, .init = setup, .fini = teardown);

static uint32_t rd(uint32_t pa) { return (uint32_t)physmem_read(&m->mem, pa, 4); }
static void wr(uint32_t pa, uint32_t v) { physmem_write(&m->mem, pa, 4, v); }

/* Translates; returns -1 or the vector raised (error code in *err). */
static int translate(uint32_t lin, MmuAccess acc, bool user, uint32_t *pa, uint32_t *err)
{
    if (setjmp(cpu->exc_jmp)) {
        *err = cpu->exc_error;
        return cpu->exc_vector;
    }
    *pa = mmu_translate(cpu, lin, acc, user);
    return -1;
}

/* Linear 0x00400000 + i*4K through PDE 1 and PT. */
static void map(unsigned i, uint32_t pte)
{
    wr(PD + 4, PT | 7);
    wr(PT + i * 4, pte);
}

Test(mmu, no_paging_is_identity_with_a20)
{
    uint32_t pa, err;
    cpu->cr0 &= ~CR0_PG;
    mmu_flush_all(cpu);
    cr_assert_eq(translate(0x123456, MMU_READ, false, &pa, &err), -1);
    cr_assert_eq(pa, 0x123456);
    mmu_set_a20(cpu, false);
    cr_assert_eq(translate(0x123456, MMU_READ, false, &pa, &err), -1);
    cr_assert_eq(pa, 0x023456);
}

Test(mmu, read_sets_accessed_write_sets_dirty)
{
    uint32_t pa, err;
    map(0, 0x200000 | 3);
    cr_assert_eq(translate(0x400123, MMU_READ, false, &pa, &err), -1);
    cr_assert_eq(pa, 0x200123);
    cr_assert(rd(PD + 4) & 0x20);
    cr_assert_eq(rd(PT) & 0x60, 0x20);
    cr_assert_eq(translate(0x400123, MMU_WRITE, false, &pa, &err), -1);
    cr_assert_eq(rd(PT) & 0x60, 0x60);
    cr_assert_eq(rd(PD + 4) & 0x40, 0, "D is never set in a PDE that points to a table");
}

Test(mmu, not_present_faults_with_cr2)
{
    uint32_t pa, err;
    cr_assert_eq(translate(0x400000, MMU_READ, false, &pa, &err), 14); /* PDE 1 empty */
    cr_assert_eq(err, 0);
    cr_assert_eq(cpu->cr2, 0x400000);
    map(1, 0);
    cr_assert_eq(translate(0x401FFF, MMU_WRITE, true, &pa, &err), 14);
    cr_assert_eq(err, PF_W | PF_U);
    cr_assert_eq(cpu->cr2, 0x401FFF);
    cr_assert(rd(PD + 4) & 0x20, "the PDE was used by the walk: A set");
    cr_assert_eq(rd(PT + 4), 0, "a not-present PTE is left alone");
}

Test(mmu, protection_faults_leave_the_pte_unaccessed)
{
    uint32_t pa, err;
    map(0, 0x200000 | 1); /* supervisor, read-only */
    cr_assert_eq(translate(0x400000, MMU_READ, true, &pa, &err), 14);
    cr_assert_eq(err, PF_P | PF_U);
    cr_assert_eq(translate(0x400000, MMU_WRITE, true, &pa, &err), 14);
    cr_assert_eq(err, PF_P | PF_W | PF_U);
    cr_assert_eq(rd(PT) & 0x20, 0);
    /* supervisor writes to a read-only page: allowed without WP, #PF(3) with it */
    cr_assert_eq(translate(0x400000, MMU_WRITE, false, &pa, &err), -1);
    cpu->cr0 |= CR0_WP;
    mmu_flush_all(cpu);
    map(1, 0x201000 | 1);
    cr_assert_eq(translate(0x401000, MMU_WRITE, false, &pa, &err), 14);
    cr_assert_eq(err, PF_P | PF_W);
    cr_assert_eq(rd(PT + 4) & 0x60, 0);
}

Test(mmu, user_needs_us_in_both_levels)
{
    uint32_t pa, err;
    wr(PD + 4, PT | 3); /* PDE supervisor */
    wr(PT, 0x200000 | 7);
    cr_assert_eq(translate(0x400000, MMU_READ, true, &pa, &err), 14);
    cr_assert_eq(err, PF_P | PF_U);
    wr(PD + 4, PT | 5); /* PDE user, read-only */
    mmu_flush_all(cpu);
    cr_assert_eq(translate(0x400000, MMU_READ, true, &pa, &err), -1);
    cr_assert_eq(translate(0x400000, MMU_WRITE, true, &pa, &err), 14);
    cr_assert_eq(err, PF_P | PF_W | PF_U);
}

Test(mmu, large_pages_and_reserved_bits)
{
    uint32_t pa, err;
    wr(PD + 8, 0x400000 | 0x83); /* 4 MiB at linear 800000 */
    cr_assert_eq(translate(0x812345, MMU_READ, false, &pa, &err), 14,
                 "without CR4.PSE the PS bit is ignored: PDE points to a table at 400000");
    cpu->cr4 |= CR4_PSE;
    mmu_flush_all(cpu);
    wr(PD + 8, 0x400000 | 0x83);
    cr_assert_eq(translate(0x812345, MMU_WRITE, false, &pa, &err), -1);
    cr_assert_eq(pa, 0x412345);
    cr_assert_eq(rd(PD + 8) & 0x60, 0x60);
    wr(PD + 12, 0x400000 | 0x2000 | 0x83);
    cr_assert_eq(translate(0xC00000, MMU_READ, false, &pa, &err), 14);
    cr_assert_eq(err, PF_P | PF_RSVD);
}

Test(mmu, global_entries_survive_nonglobal_flush)
{
    uint32_t pa, err;
    cpu->cr4 |= CR4_PGE;
    map(0, 0x200000 | 0x103);
    map(1, 0x201000 | 0x003);
    cr_assert_eq(translate(0x400000, MMU_READ, false, &pa, &err), -1);
    cr_assert_eq(translate(0x401000, MMU_READ, false, &pa, &err), -1);
    mmu_flush_nonglobal(cpu);
    cr_assert_eq(tlb_entry(cpu, 0x400000, false)->tag_read & PAGE_MASK, 0x400000);
    cr_assert(tlb_entry(cpu, 0x400000, false)->tag_read != TLB_INVALID);
    cr_assert_eq(tlb_entry(cpu, 0x401000, false)->tag_read, TLB_INVALID);
    mmu_flush_all(cpu);
    cr_assert_eq(tlb_entry(cpu, 0x400000, false)->tag_read, TLB_INVALID);
}

Test(mmu, invlpg_drops_the_entry)
{
    uint32_t pa, err;
    map(0, 0x200000 | 3);
    physmem_write(&m->mem, 0x200000, 4, 0x11);
    cr_assert_eq(mmu_read32(cpu, 0x400000, false), 0x11);
    map(0, 0x201000 | 3);
    physmem_write(&m->mem, 0x201000, 4, 0x22);
    cr_assert_eq(mmu_read32(cpu, 0x400000, false), 0x11, "stale until invalidated");
    mmu_invlpg(cpu, 0x400000);
    cr_assert_eq(mmu_read32(cpu, 0x400000, false), 0x22);
    (void)pa;
    (void)err;
}

Test(mmu, page_crossing_write_is_precise)
{
    map(0, 0x200000 | 3);
    map(1, 0); /* second page not present */
    wr(0x200FFC, 0xAAAAAAAA);
    if (setjmp(cpu->exc_jmp)) {
        cr_assert_eq(cpu->exc_vector, 14);
        cr_assert_eq(cpu->cr2, 0x401000);
        cr_assert_eq(rd(0x200FFC), 0xAAAAAAAA, "nothing written to the first page");
        return;
    }
    mmu_write32(cpu, 0x400FFE, 0x12345678, false);
    cr_assert_fail("no #PF");
}

Test(mmu, peek_has_no_side_effects)
{
    map(0, 0x200000 | 3);
    uint32_t pa;
    cr_assert(mmu_peek_translate(cpu, 0x400010, &pa));
    cr_assert_eq(pa, 0x200010);
    cr_assert_eq(rd(PT) & 0x60, 0);
    cr_assert_eq(rd(PD + 4) & 0x20, 0);
    cr_assert(!mmu_peek_translate(cpu, 0x401000, &pa));
}

Test(mmu, data_breakpoint_pages_take_the_slow_path)
{
    map(0, 0x200000 | 3);
    dbg_write(cpu, 1, 0x400010);
    dbg_write(cpu, 7, 0x00D00004); /* DR1: write, 4 bytes */
    mmu_write32(cpu, 0x400020, 1, false);
    cr_assert(!cpu->trap_pending);
    (void)mmu_read32(cpu, 0x400010, false);
    cr_assert(!cpu->trap_pending, "a write breakpoint ignores reads");
    mmu_write8(cpu, 0x400013, 1, false);
    cr_assert(cpu->trap_pending);
    cr_assert_eq(cpu->dr6_pending, 2);
}
