/* test_ops_string.c — string instructions (cpu/ops_string.c): REP forms, address-size
 * wrap, segment override on the source only, REPE/REPNE termination, restartability after
 * a fault mid-string, the re-execution that lets interrupts in, INS/OUTS. */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(ops_string, .fini = fx_free);

#define DS_BASE 0x30000u

Test(ops_string, rep_with_zero_count_does_nothing)
{
    CpuState *cpu = fx_real();
    cpu->ECX = 0;
    cpu->ESI = 0xFFFF; /* would fault if anything were accessed */
    cpu->EDI = 0xFFFF;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0xA5), -1); /* rep movsw */
    cr_assert_eq(cpu->ESI, 0xFFFF);
    cr_assert_eq(cpu->EDI, 0xFFFF);
    cr_assert_eq(cpu->eip, 2);
}

Test(ops_string, sixteen_bit_addresses_wrap_and_keep_the_upper_halves)
{
    CpuState *cpu = fx_real();
    fx_poke(DS_BASE + 0xFFFF, "\x11", 1);
    fx_poke(DS_BASE + 0x0000, "\x22", 1);
    cpu->ESI = 0xAAAAFFFF;
    cpu->EDI = 0xBBBB0010;
    cpu->ECX = 0xCCCC0002;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0xA4), -1); /* rep movsb: SI FFFF, 0000 */
    cr_assert_eq(cpu->ESI, 0xAAAA0001);
    cr_assert_eq(cpu->EDI, 0xBBBB0012);
    cr_assert_eq(cpu->ECX, 0xCCCC0000);
    cr_assert_eq(fx_peek8(DS_BASE + 0x10), 0x11);
    cr_assert_eq(fx_peek8(DS_BASE + 0x11), 0x22);
}

Test(ops_string, direction_flag_and_element_size)
{
    CpuState *cpu = fx_flat32(0);
    fx_set_flags(cpu, FL_DF);
    cpu->EAX = 0x89ABCDEF;
    cpu->EDI = 0x40008;
    cpu->ECX = 3;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0xAB), -1); /* rep stosd, downwards */
    cr_assert_eq(cpu->EDI, 0x40008 - 12);
    for (uint32_t a = 0x40000; a <= 0x40008; a += 4)
        cr_assert_eq(fx_peek32(a), 0x89ABCDEF);
    cr_assert_eq(fx_peek32(0x3FFFC), 0);
}

Test(ops_string, segment_override_applies_to_the_source_only)
{
    CpuState *cpu = fx_real();
    fx_poke(0x40000 + 5, "\x77", 1); /* ES = 4000 after the change below */
    cpu->seg[SEG_ES].sel = 0x4000;
    cpu->seg[SEG_ES].base = 0x40000;
    cpu->ESI = 5;
    cpu->EDI = 9;
    cr_assert_eq(FX_RUN(cpu, 0x26, 0xA4), -1); /* movsb es:[si] -> es:[di] */
    cr_assert_eq(fx_peek8(0x40000 + 9), 0x77);
    cr_assert_eq(fx_peek8(DS_BASE + 9), 0);
}

Test(ops_string, repe_cmps_stops_at_the_first_difference)
{
    CpuState *cpu = fx_real();
    fx_poke(DS_BASE + 0x100, "abcdXf", 6);
    fx_poke(DS_BASE + 0x200, "abcdef", 6);
    cpu->ESI = 0x100;
    cpu->EDI = 0x200;
    cpu->ECX = 6;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0xA6), -1);
    cr_assert_eq(cpu->ECX, 1);
    cr_assert_eq(cpu->ESI, 0x105);
    cr_assert_eq(cpu->EDI, 0x205);
    cr_assert_eq(fx_flags(cpu) & (FL_ZF | FL_CF), FL_CF); /* 'X' < 'e' */
}

Test(ops_string, repne_scas_finds_the_byte)
{
    CpuState *cpu = fx_real();
    fx_poke(DS_BASE + 0x300, "hello", 5);
    cpu->EAX = 'l';
    cpu->EDI = 0x300;
    cpu->ECX = 5;
    cr_assert_eq(FX_RUN(cpu, 0xF2, 0xAE), -1);
    cr_assert_eq(cpu->EDI, 0x303);
    cr_assert_eq(cpu->ECX, 2);
    cr_assert(fx_flags(cpu) & FL_ZF);
}

Test(ops_string, fault_mid_string_leaves_the_remaining_work)
{
    CpuState *cpu = fx_flat32(0);
    /* ES's limit ends inside the third element: the third store faults. */
    cpu->seg[SEG_ES].limit = 0x50009;
    cpu->seg[SEG_ES].attr &= (uint16_t)~SA_G;
    fx_poke32(0x60000, 0x11111111);
    fx_poke32(0x60004, 0x22222222);
    fx_poke32(0x60008, 0x33333333);
    cpu->ESI = 0x60000;
    cpu->EDI = 0x50000;
    cpu->ECX = 5;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0xA5), EXC_GP); /* rep movsd */
    cr_assert_eq(cpu->eip, 0x10000);
    cr_assert_eq(cpu->ECX, 3);
    cr_assert_eq(cpu->ESI, 0x60008);
    cr_assert_eq(cpu->EDI, 0x50008);
    cr_assert_eq(fx_peek32(0x50000), 0x11111111);
    cr_assert_eq(fx_peek32(0x50004), 0x22222222);
    cr_assert_eq(fx_peek32(0x50008), 0);
}

Test(ops_string, long_rep_is_reexecuted_in_chunks)
{
    CpuState *cpu = fx_flat32(0);
    static const uint8_t rep_stosb[] = {0xF3, 0xAA};
    cpu->EAX = 0x5A;
    cpu->EDI = 0x40000;
    cpu->ECX = 10000;
    unsigned steps;
    uint64_t icount = cpu->icount;
    cr_assert_eq(fx_run_n(cpu, rep_stosb, 2, 100, &steps), -1);
    cr_assert_gt(steps, 1, "10000 iterations should take more than one execution");
    cr_assert_eq(cpu->icount - icount, steps);
    cr_assert_eq(cpu->ECX, 0);
    cr_assert_eq(cpu->EDI, 0x40000 + 10000);
    cr_assert_eq(fx_peek8(0x40000 + 9999), 0x5A);
    cr_assert_eq(fx_peek8(0x40000 + 10000), 0);
}

Test(ops_string, pending_interrupt_stops_a_rep_after_one_iteration)
{
    CpuState *cpu = fx_flat32(0);
    fx_set_flags(cpu, FL_IF);
    cpu->intr = true;
    cpu->EDI = 0x40000;
    cpu->ECX = 100;
    fx_poke(0x10000, "\xF3\xAA", 2);
    cr_assert_eq(fx_step(cpu), -1);
    cr_assert_eq(cpu->eip, 0x10000); /* to be executed again after the interrupt */
    cr_assert_eq(cpu->ECX, 99);
    cr_assert_eq(cpu->EDI, 0x40001);
}

static uint32_t port_last_write, port_reads;
static uint32_t port_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque;
    (void)size;
    return 0x40 + addr + port_reads++;
}
static void port_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    (void)opaque;
    (void)addr;
    (void)size;
    port_last_write = value;
}
static const IoOps port_ops = {port_read, port_write, 0};

Test(ops_string, rep_insb_and_outsw)
{
    CpuState *cpu = fx_real();
    ioport_register(&fx->io, 0x300, 4, &port_ops, NULL);
    port_reads = 0;
    cpu->EDX = 0x301;
    cpu->EDI = 0x20;
    cpu->ECX = 3;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0x6C), -1); /* rep insb */
    cr_assert_eq(fx_peek8(DS_BASE + 0x20), 0x41);
    cr_assert_eq(fx_peek8(DS_BASE + 0x22), 0x43);
    cr_assert_eq(cpu->EDI, 0x23);
    fx_poke16(DS_BASE + 0x40, 0xBEEF);
    cpu->ESI = 0x40;
    cr_assert_eq(FX_RUN(cpu, 0x6F), -1); /* outsw */
    cr_assert_eq(port_last_write, 0xBEEF);
    cr_assert_eq(cpu->ESI, 0x42);
}

Test(ops_string, ins_needs_io_permission_unless_the_count_is_zero)
{
    CpuState *cpu = fx_flat32(3); /* CPL 3 > IOPL 0, and no TSS bitmap */
    cpu->ECX = 0;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0x6C), -1);
    cpu->ECX = 2;
    cpu->eip = 0x10000;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0x6C), EXC_GP);
    cr_assert_eq(cpu->ECX, 2);
}

/* ---- batches in host memory against the one-iteration reference ------------------------
 * Each case runs twice on a fresh machine, with the batch path off (the reference) and on,
 * and every architectural effect is compared: all of RAM (page-table A/D bits included),
 * the registers and flags, EIP, the exception and CR2, the instructions counted and the
 * code-write notifications. Cases that the batch path should serve also check that it ran. */

#include "cpu/ops_string.h"

#define PT_DIR 0x90000u
#define PT_TAB 0x91000u
#define PT_TAB_HIGH 0x92000u /* the page table of an alias_lin beyond 4 MiB */

typedef struct StrCase {
    uint8_t bytes[3];
    size_t len;
    bool real;            /* real mode (DS=ES=3000) instead of flat 32-bit */
    bool paging;          /* identity page tables at PT_DIR, A/D bits clear */
    unsigned cpl;
    uint32_t eflags, eax, ecx, esi, edi;
    uint32_t absent;      /* linear page made not present (0: none) */
    uint32_t alias_lin;   /* linear page mapped to alias_phys (0: none; beyond 4 MiB: the
                             only page mapped there) */
    uint32_t alias_phys;
    uint32_t code_page;   /* physical page marked as holding translated code (0: none) */
    uint32_t es_limit;    /* ES limit in bytes (0: as the fixture sets it) */
    uint32_t ds_es_base;  /* DS and ES base (0: as the fixture sets it) */
    bool slow_expected;   /* the batch path must not run at all */
} StrCase;

typedef struct StrResult {
    int vector;
    unsigned steps;
    uint32_t eax, ecx, esi, edi, eflags, eip, cr2;
    uint64_t icount, fast_iters;
    unsigned code_writes;
    uint64_t code_sum;
    uint8_t *ram;
} StrResult;

static unsigned code_writes;
static uint64_t code_sum;
static void record_code_write(void *opaque, uint32_t pa, unsigned len)
{
    (void)opaque;
    code_writes++;
    code_sum = code_sum * 31 + pa * 7u + len;
}

static void set_paging(CpuState *cpu, const StrCase *c)
{
    fx_poke32(PT_DIR, PT_TAB | 0x7); /* P RW US, A clear */
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t lin = i << 12;
        uint32_t pte = lin == c->absent ? 0 : (lin | 0x7);
        if (c->alias_lin && lin == c->alias_lin)
            pte = c->alias_phys | 0x7;
        fx_poke32(PT_TAB + 4 * i, pte);
    }
    if (c->alias_lin >> 22) {
        fx_poke32(PT_DIR + 4 * (c->alias_lin >> 22), PT_TAB_HIGH | 0x7);
        for (uint32_t i = 0; i < 1024; i++)
            fx_poke32(PT_TAB_HIGH + 4 * i, 0);
        fx_poke32(PT_TAB_HIGH + 4 * ((c->alias_lin >> 12) & 1023), c->alias_phys | 0x7);
    }
    cpu->cr3 = PT_DIR;
    cpu->cr0 |= CR0_PG;
    mmu_flush_all(cpu);
}

static void str_run_case(const StrCase *c, bool fast, StrResult *r)
{
    CpuState *cpu = c->real ? fx_real() : fx_flat32(c->cpl);
    for (uint32_t a = 0x40000; a < 0x7F000; a++)
        *fx_host(a) = (uint8_t)(a * 37 + (a >> 9)); /* sparse repeats: overlap shows */
    if (c->paging)
        set_paging(cpu, c);
    if (c->es_limit) {
        cpu->seg[SEG_ES].limit = c->es_limit;
        cpu->seg[SEG_ES].attr &= (uint16_t)~SA_G;
    }
    if (c->ds_es_base)
        cpu->seg[SEG_DS].base = cpu->seg[SEG_ES].base = c->ds_es_base;
    fx->mem.code_write = record_code_write;
    if (c->code_page)
        physmem_set_code(&fx->mem, c->code_page, true);
    code_writes = 0;
    code_sum = 0;
    fx_set_flags(cpu, c->eflags);
    cpu->EAX = c->eax;
    cpu->ECX = c->ecx;
    cpu->ESI = c->esi;
    cpu->EDI = c->edi;
    ops_string_fast = fast;
    uint64_t iters = ops_string_fast_iters, icount = cpu->icount;
    r->vector = fx_run_n(cpu, c->bytes, c->len, 100000, &r->steps);
    ops_string_fast = true;
    r->fast_iters = ops_string_fast_iters - iters;
    r->icount = cpu->icount - icount;
    r->eax = cpu->EAX;
    r->ecx = cpu->ECX;
    r->esi = cpu->ESI;
    r->edi = cpu->EDI;
    r->eflags = fx_flags(cpu);
    r->eip = cpu->eip;
    r->cr2 = cpu->cr2;
    r->code_writes = code_writes;
    r->code_sum = code_sum;
    r->ram = malloc(FX_RAM);
    cr_assert_not_null(r->ram);
    memcpy(r->ram, fx->mem.ram, FX_RAM);
}

/* Runs the case both ways, compares, and returns the batch run's result (caller frees). */
static StrResult str_compare(const StrCase *c)
{
    StrResult ref, got;
    str_run_case(c, false, &ref);
    str_run_case(c, true, &got);
    cr_assert_eq(ref.fast_iters, 0);
    if (c->slow_expected)
        cr_assert_eq(got.fast_iters, 0, "the batch path ran where it must not");
    else
        cr_assert_gt(got.fast_iters, 0, "the batch path never ran");
    cr_assert_eq(got.vector, ref.vector);
    cr_assert_eq(got.steps, ref.steps);
    cr_assert_eq(got.icount, ref.icount);
    cr_assert_eq(got.eax, ref.eax, "EAX %08x vs %08x", got.eax, ref.eax);
    cr_assert_eq(got.ecx, ref.ecx, "ECX %08x vs %08x", got.ecx, ref.ecx);
    cr_assert_eq(got.esi, ref.esi, "ESI %08x vs %08x", got.esi, ref.esi);
    cr_assert_eq(got.edi, ref.edi, "EDI %08x vs %08x", got.edi, ref.edi);
    cr_assert_eq(got.eflags, ref.eflags, "EFLAGS %08x vs %08x", got.eflags, ref.eflags);
    cr_assert_eq(got.eip, ref.eip);
    cr_assert_eq(got.cr2, ref.cr2);
    cr_assert_eq(got.code_writes, ref.code_writes);
    cr_assert_eq(got.code_sum, ref.code_sum);
    for (uint32_t a = 0; a < FX_RAM; a++)
        if (got.ram[a] != ref.ram[a])
            cr_assert_fail("RAM differs first at %05x: %02x vs %02x", a, got.ram[a], ref.ram[a]);
    free(ref.ram);
    return got;
}

#define INSN(...) .bytes = {__VA_ARGS__}, .len = sizeof((uint8_t[]){__VA_ARGS__})

Test(ops_string, batch_movs_across_pages_both_directions_and_sizes)
{
    static const StrCase cases[] = {
        {INSN(0xF3, 0xA4), .ecx = 0x3000, .esi = 0x40F00, .edi = 0x52F83},            /* movsb */
        {INSN(0xF3, 0xA5), .ecx = 0x900, .esi = 0x45FFE, .edi = 0x48FF1}, /* straddling */
        {INSN(0xF3, 0xA5), .eflags = FL_DF, .ecx = 0x900, .esi = 0x45FFC, .edi = 0x58FF0},
        {INSN(0xF3, 0x66, 0xA5), .eflags = FL_DF, .ecx = 0x1801, .esi = 0x47001, .edi = 0x5A002},
        {INSN(0xF3, 0xA4), .ecx = 0x2345, .esi = 0x41234, .edi = 0x61000, .paging = true},
        {INSN(0xF3, 0xA5), .ecx = 0x800, .esi = 0x41000, .edi = 0x6A000, .paging = true, .cpl = 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        free(str_compare(&cases[i]).ram);
}

Test(ops_string, batch_movs_overlap_is_element_by_element)
{
    static const StrCase cases[] = {
        {INSN(0xF3, 0xA4), .ecx = 0x2000, .esi = 0x407F0, .edi = 0x407F1}, /* replicate */
        {INSN(0xF3, 0xA5), .ecx = 0x800, .esi = 0x40800, .edi = 0x40801},             /* d < size */
        {INSN(0xF3, 0x66, 0xA5), .ecx = 0x1000, .esi = 0x40800, .edi = 0x40803},
        {INSN(0xF3, 0xA4), .ecx = 0x2000, .esi = 0x42800, .edi = 0x427FB}, /* safe way */
        {INSN(0xF3, 0xA4), .eflags = FL_DF, .ecx = 0x2000, .esi = 0x43800, .edi = 0x437FF},
        {INSN(0xF3, 0xA5), .eflags = FL_DF, .ecx = 0x700, .esi = 0x43800, .edi = 0x43802},
        {INSN(0xF3, 0xA4), .eflags = FL_DF, .ecx = 0x2000, .esi = 0x43800, .edi = 0x43805},
        /* the same RAM through two linear pages: the overlap is in host memory */
        {INSN(0xF3, 0xA4), .ecx = 0x800, .esi = 0x44100, .edi = 0x70101, .paging = true,
         .alias_lin = 0x70000, .alias_phys = 0x44000},
        /* source and destination pages share a TLB slot (TLB_SIZE pages apart) */
        {INSN(0xF3, 0xA5), .ecx = 0x500, .esi = 0x41000, .edi = 0x41000 + TLB_SIZE * PAGE_SIZE,
         .paging = true, .alias_lin = 0x41000 + TLB_SIZE * PAGE_SIZE, .alias_phys = 0x60000,
         .slow_expected = true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        free(str_compare(&cases[i]).ram);
    /* and against the expected memory: dst = src + 1 replicates the first byte */
    StrResult r = str_compare(&cases[0]);
    uint8_t first = (uint8_t)(0x407F0 * 37 + (0x407F0 >> 9));
    for (uint32_t a = 0x407F0; a <= 0x407F0 + 0x2000; a++)
        cr_assert_eq(r.ram[a], first, "at %05x", a);
    free(r.ram);
}

Test(ops_string, batch_stos_lods_fill_and_load)
{
    static const StrCase cases[] = {
        {INSN(0xF3, 0xAA), .eax = 0x5A, .ecx = 0x2801, .edi = 0x40FFF},
        {INSN(0xF3, 0xAB), .eax = 0x89ABCDEF, .ecx = 0x805, .edi = 0x41FFE},       /* straddles */
        {INSN(0xF3, 0x66, 0xAB), .eflags = FL_DF, .eax = 0x1234, .ecx = 0x1803, .edi = 0x45001},
        {INSN(0xF3, 0xAB), .eflags = FL_DF, .eax = 0xCAFEF00D, .ecx = 0x400, .edi = 0x48FFC,
         .paging = true},
        {INSN(0xF3, 0xAD), .ecx = 0x803, .esi = 0x40FF0},                          /* lodsd */
        {INSN(0xF3, 0xAC), .eflags = FL_DF, .ecx = 0x1803, .esi = 0x43002, .paging = true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        free(str_compare(&cases[i]).ram);
}

Test(ops_string, batch_cmps_scas_stop_where_the_reference_stops)
{
    /* The pattern repeats with period 0x1000 * 37-ish, so REPE runs far and then stops. */
    static const StrCase cases[] = {
        {INSN(0xF3, 0xA6), .ecx = 0x3000, .esi = 0x40000, .edi = 0x40000},       /* all equal */
        {INSN(0xF3, 0xA6), .ecx = 0x3000, .esi = 0x40000, .edi = 0x40200},       /* 1st differs */
        {INSN(0xF2, 0xA7), .ecx = 0x800, .esi = 0x40F00, .edi = 0x51F08},
        {INSN(0xF3, 0xA7), .eflags = FL_DF, .ecx = 0x800, .esi = 0x42FF0, .edi = 0x42FF0},
        {INSN(0xF2, 0xAE), .eax = 0xFF, .ecx = 0x3000, .edi = 0x40001},          /* repne scasb */
        {INSN(0xF3, 0xAE), .eax = 0x11, .ecx = 0x3000, .edi = 0x40001},          /* repe scasb */
        {INSN(0xF2, 0x66, 0xAF), .eflags = FL_DF, .eax = 0xFFFF, .ecx = 0x1800, .edi = 0x46FFF},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        free(str_compare(&cases[i]).ram);
    /* REPE over identical data: the batch must leave ZF = 1 and ECX = 0 */
    StrResult r = str_compare(&cases[0]);
    cr_assert_eq(r.ecx, 0);
    cr_assert_eq(r.eflags & FL_ZF, FL_ZF);
    free(r.ram);
}

Test(ops_string, batch_page_fault_on_the_second_page_is_at_its_iteration)
{
    static const StrCase cases[] = {
        {INSN(0xF3, 0xA5), .ecx = 0x200, .esi = 0x44000, .edi = 0x52F00, .paging = true,
         .absent = 0x53000}, /* destination */
        {INSN(0xF3, 0xA5), .ecx = 0x200, .esi = 0x52F00, .edi = 0x44000, .paging = true,
         .absent = 0x53000}, /* source */
        {INSN(0xF3, 0xAB), .eflags = FL_DF, .ecx = 0x200, .edi = 0x54100, .paging = true,
         .absent = 0x53000},
        {INSN(0xF3, 0xA7), .ecx = 0x200, .esi = 0x52F00, .edi = 0x52F00, .paging = true,
         .absent = 0x53000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        free(str_compare(&cases[i]).ram);
    StrResult r = str_compare(&cases[0]);
    cr_assert_eq(r.vector, EXC_PF);
    cr_assert_eq(r.cr2, 0x53000);
    cr_assert_eq(r.ecx, 0x200 - 0x40); /* 0x100 bytes = 0x40 dwords done */
    cr_assert_eq(r.esi, 0x44100);
    cr_assert_eq(r.edi, 0x53000);
    cr_assert_eq(r.eip, 0x10000);
    free(r.ram);
}

Test(ops_string, batch_segment_limit_and_sixteen_bit_wrap)
{
    static const StrCase cases[] = {
        {INSN(0xF3, 0xA5), .ecx = 0x400, .esi = 0x60000, .edi = 0x50000, .es_limit = 0x50809},
        {INSN(0xF3, 0xAB), .eflags = FL_DF, .ecx = 0x400, .edi = 0x50800, .es_limit = 0x50809},
        {INSN(0xF3, 0xA4), .real = true, .ecx = 0x1000, .esi = 0xFF80, .edi = 0xF000},
        {INSN(0x66, 0xF3, 0xA5), .real = true, .ecx = 0x800, .esi = 0x1000, .edi = 0xFF02},
        {INSN(0xF3, 0xAA), .real = true, .eflags = FL_DF, .ecx = 0x300, .edi = 0x0100, .eax = 0x77},
        {INSN(0xF3, 0xAB), .real = true, .eflags = FL_DF, .ecx = 0x300, .edi = 0x0100, .eax = 0x77},
        {INSN(0x67, 0xF3, 0xA4), .ecx = 0xABCD0400, .esi = 0x1234FF00, .edi = 0x5678FE00},
        /* a 16-bit address size in a 4 GiB segment whose base is not page aligned: SI and
         * DI wrap in the middle of a page */
        {INSN(0x67, 0xF3, 0xA4), .ecx = 0x400, .esi = 0xFF00, .edi = 0xFE00, .ds_es_base = 0x40800},
        {INSN(0x67, 0xF3, 0xAA), .eflags = FL_DF, .ecx = 0x400, .edi = 0x100,
         .ds_es_base = 0x40800},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        free(str_compare(&cases[i]).ram);
    StrResult r = str_compare(&cases[3]); /* real mode: a dword at FFFE passes the limit */
    cr_assert_eq(r.vector, EXC_GP, "vector %d edi %x ecx %x", r.vector, r.edi, r.ecx);
    cr_assert_eq(r.edi, 0xFFFE);
    cr_assert_eq(r.ecx, 0x800 - (0xFFFE - 0xFF02) / 4);
    free(r.ram);
}

Test(ops_string, batch_code_page_writes_reach_the_code_write_hook)
{
    static const StrCase cases[] = {
        {INSN(0xF3, 0xAB), .eax = 0x90909090, .ecx = 0x500, .edi = 0x46F00, .code_page = 0x47000},
        {INSN(0xF3, 0xA4), .ecx = 0x2000, .esi = 0x40000, .edi = 0x46800, .code_page = 0x47000,
         .paging = true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        StrResult r = str_compare(&cases[i]);
        cr_assert_gt(r.code_writes, 0);
        free(r.ram);
    }
}

Test(ops_string, batch_keeps_chunks_and_stops_for_pending_interrupts)
{
    static const StrCase chunked = {INSN(0xF3, 0xAA), .eax = 0x33, .ecx = 10000, .edi = 0x40000};
    StrResult r = str_compare(&chunked);
    cr_assert_gt(r.steps, 2);
    free(r.ram);
    /* data breakpoints armed (on an unrelated address): the reference path only */
    CpuState *cpu = fx_flat32(0);
    cpu->dr[0] = 0x7000;
    cpu->dr[7] = 0x1;
    cpu->EAX = 0x44;
    cpu->ECX = 0x100;
    cpu->EDI = 0x40000;
    uint64_t iters = ops_string_fast_iters;
    cr_assert_eq(FX_RUN(cpu, 0xF3, 0xAA), -1);
    cr_assert_eq(ops_string_fast_iters, iters);
    cr_assert_eq(fx_peek8(0x400FF), 0x44);
    cr_assert_eq(cpu->ECX, 0);
}
