/* Descriptor decoding and the checks of segment-register loads (cpu/segment.c): the
 * SDM's #GP/#SS/#NP cases with their selector error codes, accessed bits, expand-down
 * limits, and the data-segment nulling of a return to an outer ring. */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdlib.h>

#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/segment.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "softmmu/physmem.h"

#define GDT 0x1000u

static struct {
    CpuState cpu;
    PhysMem mem;
    IoPortSpace io;
} *m;
static CpuState *cpu;

/* A descriptor from base, limit (20 bits), access byte and flag nibble. */
static void put_desc(uint16_t sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint32_t lo = (limit & 0xFFFF) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xFF) | ((uint32_t)access << 8) | (limit & 0xF0000) |
                  ((uint32_t)flags << 20) | (base & 0xFF000000u);
    physmem_write(&m->mem, GDT + (sel & 0xFFF8u), 4, lo);
    physmem_write(&m->mem, GDT + (sel & 0xFFF8u) + 4, 4, hi);
}

static void setup(void)
{
    m = calloc(1, sizeof *m);
    cr_assert(m && physmem_init(&m->mem, 1u << 20));
    ioport_init(&m->io);
    cpu_init(&m->cpu, &m->mem, &m->io);
    cpu = &m->cpu;
    cpu->cr0 |= CR0_PE;
    cpu->gdtr.base = GDT;
    cpu->gdtr.limit = 0xFF;
    cpu->cpl = 0;
    put_desc(0x08, 0, 0xFFFFF, 0x9A, 0xC);       /* ring-0 code */
    put_desc(0x10, 0x20000, 0xFFFF, 0x92, 0x4);  /* ring-0 data, A clear */
    put_desc(0x18, 0, 0xFFFF, 0xF2, 0x4);        /* ring-3 data */
    put_desc(0x20, 0, 0xFFFF, 0x12, 0x4);        /* not present */
    put_desc(0x28, 0, 0xFFFF, 0x98, 0x4);        /* execute-only code */
    put_desc(0x30, 0, 0xFFFF, 0x9E, 0x4);        /* conforming readable code, DPL 0 */
    put_desc(0x38, 0x3000, 0x67, 0x89, 0x0);     /* TSS */
    put_desc(0x40, 0, 0xFFF, 0x96, 0x4);         /* expand-down, B = 1 */
    mmu_flush_all(cpu);
}
static void teardown(void)
{
    physmem_free(&m->mem);
    free(m);
}
TestSuite(segment, .init = setup, .fini = teardown);

/* Loads; returns -1 or the vector (error code in *err). */
static int load(int seg, uint16_t sel, uint32_t *err)
{
    if (setjmp(cpu->exc_jmp)) {
        *err = cpu->exc_error;
        return cpu->exc_vector;
    }
    seg_load(cpu, seg, sel);
    return -1;
}

Test(segment, descriptor_fields)
{
    Descriptor d = {0x1234FFFF, 0xAB8F9256};
    cr_assert_eq(desc_base(d), 0xAB561234);
    cr_assert_eq(desc_limit(d), 0xFFFFFFFF, "G scales the limit to 4 KiB units");
    cr_assert_eq(desc_dpl(d), 0);
    cr_assert(desc_present(d));
    cr_assert(!desc_is_code(d));
    cr_assert_eq(desc_attr(d) & (SA_G | SA_DB), SA_G);
}

Test(segment, data_load_sets_accessed)
{
    uint32_t err;
    cr_assert_eq(load(SEG_DS, 0x10, &err), -1);
    cr_assert_eq(cpu->seg[SEG_DS].base, 0x20000);
    cr_assert_eq(cpu->seg[SEG_DS].limit, 0xFFFF);
    cr_assert(physmem_read(&m->mem, GDT + 0x10 + 5, 1) & 1, "accessed bit written back");
}

Test(segment, null_selectors)
{
    uint32_t err;
    cr_assert_eq(load(SEG_ES, 0x0003, &err), -1);
    cr_assert_eq(cpu->seg[SEG_ES].attr, 0, "usable no more");
    cr_assert_eq(cpu->seg[SEG_ES].sel, 3);
    cr_assert_eq(load(SEG_SS, 0, &err), EXC_GP);
    cr_assert_eq(err, 0);
}

Test(segment, data_load_faults)
{
    uint32_t err;
    cr_assert_eq(load(SEG_DS, 0x23, &err), EXC_GP, "RPL 3 > DPL 0 is checked first");
    cr_assert_eq(err, 0x20);
    put_desc(0x20, 0, 0xFFFF, 0x72, 0x4); /* DPL 3, not present */
    cr_assert_eq(load(SEG_DS, 0x23, &err), EXC_NP);
    cr_assert_eq(err, 0x20);
    cr_assert_eq(load(SEG_DS, 0x28, &err), EXC_GP, "execute-only code");
    cr_assert_eq(err, 0x28);
    cr_assert_eq(load(SEG_DS, 0x38, &err), EXC_GP, "system descriptor");
    cr_assert_eq(err, 0x38);
    cr_assert_eq(load(SEG_DS, 0x100, &err), EXC_GP, "beyond the GDT limit");
    cr_assert_eq(err, 0x100);
    cr_assert_eq(load(SEG_DS, 0x0C, &err), EXC_GP, "LDT selector with no LDT");
    cr_assert_eq(err, 0x0C);
    cpu->cpl = 3;
    cr_assert_eq(load(SEG_DS, 0x13, &err), EXC_GP, "DPL 0 data at CPL 3");
    cr_assert_eq(load(SEG_DS, 0x33, &err), -1, "conforming readable code: no DPL check");
}

Test(segment, stack_load_faults)
{
    uint32_t err;
    cr_assert_eq(load(SEG_SS, 0x11, &err), EXC_GP, "RPL != CPL");
    cr_assert_eq(err, 0x10);
    cr_assert_eq(load(SEG_SS, 0x18, &err), EXC_GP, "DPL != CPL");
    cr_assert_eq(load(SEG_SS, 0x30, &err), EXC_GP, "code is no stack");
    put_desc(0x20, 0, 0xFFFF, 0x12, 0x4);
    cr_assert_eq(load(SEG_SS, 0x20, &err), EXC_SS, "not present stack: #SS(sel)");
    cr_assert_eq(err, 0x20);
    cr_assert_eq(load(SEG_SS, 0x10, &err), -1);
}

Test(segment, expand_down_limits)
{
    uint32_t err;
    cr_assert_eq(load(SEG_ES, 0x40, &err), -1);
    const SegCache *s = &cpu->seg[SEG_ES];
    cr_assert(!seg_offset_ok(s, 0xFFF, 1));
    cr_assert(seg_offset_ok(s, 0x1000, 4));
    cr_assert(seg_offset_ok(s, 0xFFFFFFFC, 4));
    cr_assert(!seg_offset_ok(s, 0xFFFFFFFD, 4));
    SegCache s16 = *s;
    s16.attr &= ~SA_DB;
    cr_assert(seg_offset_ok(&s16, 0xFFFE, 2));
    cr_assert(!seg_offset_ok(&s16, 0xFFFF, 2), "16-bit upper bound FFFF");
}

Test(segment, outer_return_nulls_privileged_data)
{
    uint32_t err;
    cr_assert_eq(load(SEG_DS, 0x10, &err), -1);
    cr_assert_eq(load(SEG_ES, 0x1B, &err), -1);
    cr_assert_eq(load(SEG_FS, 0x30, &err), -1);
    cpu->cpl = 3;
    seg_invalidate_for_cpl(cpu);
    cr_assert_eq(cpu->seg[SEG_DS].sel, 0);
    cr_assert_eq(cpu->seg[SEG_DS].attr, 0);
    cr_assert_eq(cpu->seg[SEG_ES].sel, 0x1B, "DPL 3 data stays");
    cr_assert_eq(cpu->seg[SEG_FS].sel, 0x30, "conforming code stays");
}

Test(segment, real_mode_load_keeps_limit)
{
    cpu->cr0 &= ~CR0_PE;
    cpu->seg[SEG_DS].limit = 0xFFFFFFFF;
    cpu->seg[SEG_DS].attr = SA_P | SA_S | SA_RW;
    seg_load(cpu, SEG_DS, 0x1234);
    cr_assert_eq(cpu->seg[SEG_DS].base, 0x12340);
    cr_assert_eq(cpu->seg[SEG_DS].limit, 0xFFFFFFFF);
}
