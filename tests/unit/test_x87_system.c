/* test_x87_system.c — how the x87/MMX/SSE unit meets the rest of the system: the CR0/CR4
 * checks in the SDM's order, pending errors (#MF with CR0.NE, FERR#/IGNNE# and the freeze
 * without it), the IRQ 13 glue device, precise faults of multi-byte state stores that
 * cross into a missing page, CPUID's feature bits, and that every x87/MMX/SSE/SSE2 row of
 * the opcode table has a handler.
 */
#include <criterion/criterion.h>

#include "cpu/x87.h"
#include "devices/fpu_irq13.h"
#include "ops_fixture.h"

static CpuState *flat(void)
{
    CpuState *cpu = fx_flat32(0);
    cpu->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    return cpu;
}

Test(x87_system, every_row_has_a_handler)
{
    interp_init();
    unsigned n = 0;
    for (unsigned i = 0; i < optable_nrows; i++) {
        const OpcodeRow *r = &optable_rows[i];
        if (!(r->attr & (A_X87 | A_MMX | A_SSE | A_SSE2)))
            continue;
        n++;
        cr_expect(interp_handlers[r->op] != op_unimplemented, "%s (%s) has no handler", r->mnem,
                  op_names[r->op]);
    }
    cr_expect_gt(n, 300);
}

Test(x87_system, cr0_and_cr4_checks)
{
    CpuState *cpu = flat();
    cpu->cr0 |= CR0_EM;
    cr_expect_eq(FX_RUN(cpu, 0xD9, 0xE8), EXC_NM);             /* fld1 */
    cr_expect_eq(FX_RUN(cpu, 0x9B), -1);                       /* fwait ignores EM */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xEF, 0xC0), EXC_UD);       /* pxor mm0, mm0 */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x57, 0xC0), EXC_UD);       /* xorps xmm0, xmm0 */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x77), EXC_UD);             /* emms */
    cpu->cr0 |= CR0_TS;                                        /* EM outranks TS */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x57, 0xC0), EXC_UD);
    cpu->cr0 &= ~CR0_EM;
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x57, 0xC0), EXC_NM);
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xEF, 0xC0), EXC_NM);
    cr_expect_eq(FX_RUN(cpu, 0xDB, 0xE3), EXC_NM);             /* fninit: no-wait, still #NM */
    cr_expect_eq(FX_RUN(cpu, 0x9B), -1);                       /* fwait: TS without MP */
    cpu->cr0 |= CR0_MP;
    cr_expect_eq(FX_RUN(cpu, 0x9B), EXC_NM);
    /* Not FP instructions: fences, PREFETCH, MOVNTI, CLFLUSH run whatever CR0 says. */
    cpu->cr0 |= CR0_EM;
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0xF8), -1);           /* sfence */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x18, 0x05, 0, 0, 0, 0), -1); /* prefetchnta [0] */
    cpu->cr0 &= ~(CR0_EM | CR0_TS | CR0_MP);
    cpu->cr4 &= ~CR4_OSFXSR;
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x57, 0xC0), EXC_UD);
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xEF, 0xC0), -1);           /* MMX does not need it */
}

/* Leaves an unmasked divide by zero pending: FLDCW 037B, FLD1, FLDZ, FDIVP. */
static void make_pending(CpuState *cpu)
{
    fx_poke16(0x2000, 0x037B);
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE3), -1);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0x2D, 0x00, 0x20, 0x00, 0x00), -1);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xE8), -1);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xEE), -1);
    cr_assert_eq(FX_RUN(cpu, 0xDE, 0xF9), -1);
}

Test(x87_system, pending_error_with_ne)
{
    CpuState *cpu = flat();
    cpu->cr0 |= CR0_NE;
    make_pending(cpu);
    uint32_t at = cpu->eip;
    cr_expect_eq(FX_RUN(cpu, 0x9B), EXC_MF);
    cr_expect_eq(cpu->eip, at, "#MF is a fault at the waiting instruction");
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xEF, 0xC0), EXC_MF);      /* MMX waits too */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0x57, 0xC0), -1);          /* SSE does not */
    cr_expect_eq(FX_RUN(cpu, 0xDF, 0xE0), -1);                /* fnstsw ax */
    cr_expect_eq(cpu->gpr[R_EAX].w & 0x8084, 0x8084);
    cr_expect_eq(FX_RUN(cpu, 0xDB, 0xE2), -1);                /* fnclex */
    cr_expect_eq(FX_RUN(cpu, 0x9B), -1);
}

typedef struct FerrLog {
    int calls;
    bool level;
} FerrLog;

static void log_ferr(void *opaque, bool level)
{
    FerrLog *l = opaque;
    l->calls++;
    l->level = level;
}

Test(x87_system, ferr_ignne_and_the_freeze)
{
    CpuState *cpu = flat(); /* CR0.NE clear */
    FerrLog log = {0};
    cpu->ferr = log_ferr;
    cpu->ferr_opaque = &log;
    make_pending(cpu);
    cr_expect_eq(log.calls, 1, "FERR# rises when the faulting instruction completes");
    cr_expect(log.level);
    /* A waiting instruction freezes: no fault, halted, EIP stays on it. */
    uint32_t at = cpu->eip;
    cr_expect_eq(fx_run_n(cpu, (const uint8_t[]){ 0x9B }, 1, 1, NULL), -1);
    cr_expect(cpu->halted);
    cr_expect_eq(cpu->eip, at);
    /* With IGNNE# it runs. */
    cpu->halted = false;
    cpu->ignne = true;
    cr_expect_eq(FX_RUN(cpu, 0x9B), -1);
    cr_expect_eq(cpu->eip, at + 1);
    cr_expect(!cpu->halted);
    /* FNCLEX drops FERR#. */
    cr_expect_eq(FX_RUN(cpu, 0xDB, 0xE2), -1);
    cr_expect_eq(log.calls, 2);
    cr_expect(!log.level);
}

typedef struct IrqLog {
    int level, edges;
} IrqLog;

static void log_irq(void *opaque, int n, int level)
{
    IrqLog *l = opaque;
    (void)n;
    if (level && !l->level)
        l->edges++;
    l->level = level;
}

Test(x87_system, irq13_device)
{
    IrqLog irq = {0};
    bool ignne = false;
    FpuIrq13 d;
    IoPortSpace io;
    ioport_init(&io);
    fpu_irq13_init(&d, (IrqLine){ log_irq, &irq, 13 }, &ignne);
    fpu_irq13_register(&d, &io);
    fpu_irq13_ferr(&d, true);
    cr_expect_eq(irq.level, 1);
    cr_expect(!ignne);
    ioport_write(&io, 0xF0, 1, 0);      /* the handler's "clear busy" */
    cr_expect_eq(irq.level, 0);
    cr_expect(ignne, "IGNNE# while FERR# is still asserted");
    fpu_irq13_ferr(&d, true);           /* no new edge: no new request */
    cr_expect_eq(irq.level, 0);
    fpu_irq13_ferr(&d, false);
    cr_expect(!ignne);
    ioport_write(&io, 0xF0, 1, 0);      /* without FERR#: no IGNNE# */
    cr_expect(!ignne);
    fpu_irq13_ferr(&d, true);
    cr_expect_eq(irq.level, 1);
    cr_expect_eq(irq.edges, 2);
    /* Asserted again without a fall while still pending (a CPU rolled back by the
     * lockstep engine): the request is pulsed so INTR is driven again. */
    fpu_irq13_ferr(&d, true);
    cr_expect_eq(irq.edges, 3);
    cr_expect_eq(irq.level, 1);
    fpu_irq13_reset(&d);
    cr_expect_eq(irq.level, 0);
    cr_expect(!ignne);
    cr_expect_eq(ioport_read(&io, 0xF0, 1), 0xFF);
}

/* Identity paging of the fixture's first 1 MiB with one page left out. */
static void page_out(CpuState *cpu, uint32_t missing)
{
    const uint32_t pd = 0x80000, pt = 0x81000;
    memset(fx_host(pd), 0, 0x2000);
    fx_poke32(pd, pt | 7);
    for (uint32_t p = 0; p < 256; p++)
        fx_poke32(pt + 4 * p, p * 0x1000 | (p * 0x1000 == missing ? 0 : 7));
    cpu->cr3 = pd;
    cpu->cr0 |= CR0_PG;
    mmu_flush_all(cpu);
}

Test(x87_system, state_stores_fault_before_writing)
{
    CpuState *cpu = flat();
    cr_assert_eq(FX_RUN(cpu, 0xDB, 0xE3), -1);
    cr_assert_eq(FX_RUN(cpu, 0xD9, 0xE8), -1);
    page_out(cpu, 0x6000);
    memset(fx_host(0x5F00), 0xAA, 0x100);
    FpuState before = cpu->fpu;
    /* FNSAVE of 108 bytes at 5FC0 reaches into the missing page: #PF, nothing written,
     * no FNINIT. */
    cr_expect_eq(FX_RUN(cpu, 0xDD, 0x35, 0xC0, 0x5F, 0x00, 0x00), EXC_PF);
    cr_expect_eq(cpu->cr2, 0x6000u);
    cr_expect_eq(fx_peek32(0x5FC0), 0xAAAAAAAAu);
    cr_expect_eq(memcmp(&before, &cpu->fpu, sizeof before), 0);
    /* FXSAVE at 5F00 (aligned, 512 bytes) likewise. */
    cr_expect_eq(FX_RUN(cpu, 0x0F, 0xAE, 0x05, 0x00, 0x5F, 0x00, 0x00), EXC_PF);
    cr_expect_eq(fx_peek32(0x5F00), 0xAAAAAAAAu);
    /* MOVDQU [5FF8], xmm0: 8 bytes on each page. */
    cr_expect_eq(FX_RUN(cpu, 0xF3, 0x0F, 0x7F, 0x05, 0xF8, 0x5F, 0x00, 0x00), EXC_PF);
    cr_expect_eq(fx_peek32(0x5FF8), 0xAAAAAAAAu);
    /* FLD m80 across the boundary faults on the read, before pushing. */
    cr_expect_eq(FX_RUN(cpu, 0xDB, 0x2D, 0xFA, 0x5F, 0x00, 0x00), EXC_PF);
    cr_expect_eq(cpu->fpu.top, before.top);
}

Test(x87_system, cpuid_reports_the_unit)
{
    CpuState *cpu = flat();
    const uint32_t bits = 1u << 0 | 1u << 23 | 1u << 24 | 1u << 25 | 1u << 26;
    cr_expect_eq(fpu_cpuid_edx_features() & bits, bits);
    cpu->EAX = 1;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xA2), -1);
    cr_expect_eq(cpu->EDX & bits, bits);
}
