/* test_sys_nmi.c — NMI delivery by cpu_exec (cpu/cpu_exec.c, cpu/exception.c): through
 * vector 2 of the IVT (real mode) and of the IDT (protected mode, from ring 3 too), whatever
 * IF says and ahead of a pending INTR; the frame points at the interrupted instruction;
 * a second NMI waits until the handler's IRET; an NMI wakes the CPU from HLT and returns
 * after the HLT. */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(sys_nmi, .fini = fx_free);

#define CODE 0x10000u     /* real mode: CS = 1000 */
#define HANDLER 0x0100u   /* real-mode handler offset in CS */
#define STACK 0x2FFF0u    /* SS:SP = 2000:FFF0 */

static int intr_vector(void *opaque)
{
    (void)opaque;
    return 0x20;
}

/* Real mode; main code at CS:0 (NOPs, HLT at 0x10), the NMI handler at CS:100 (NOP, NOP,
 * IRET), IVT vector 2 -> 1000:0100, IF clear. */
static CpuState *real_setup(void)
{
    CpuState *cpu = fx_real();
    memset(fx_host(CODE), 0x90, 0x10);
    fx_poke(CODE + 0x10, (const uint8_t[]){0xF4, 0x90, 0x90}, 3);
    fx_poke(CODE + HANDLER, (const uint8_t[]){0x90, 0x90, 0xCF}, 3);
    fx_poke16(2 * 4, HANDLER);
    fx_poke16(2 * 4 + 2, 0x1000);
    fx_set_flags(cpu, 0);
    return cpu;
}

Test(sys_nmi, real_mode_delivery_ignores_if)
{
    CpuState *cpu = real_setup();
    cpu->eip = 3;
    cpu->nmi_pending = true;
    cr_assert_eq(cpu_exec(cpu, 0), CPU_EXIT_BUDGET);
    cr_assert(!cpu->nmi_pending && cpu->nmi_blocked);
    cr_assert_eq(cpu->seg[SEG_CS].sel, 0x1000);
    cr_assert_eq(cpu->eip, HANDLER);
    cr_assert_eq(cpu->ESP, 0xFFF0 - 6);
    cr_assert_eq(fx_peek16(STACK - 6), 3, "the interrupted instruction");
    cr_assert_eq(fx_peek16(STACK - 4), 0x1000);
    cr_assert_eq(fx_peek16(STACK - 2) & FL_IF, 0);
    cr_assert_eq(cpu->icount, 0, "delivery retires no instruction");
}

Test(sys_nmi, blocked_until_iret)
{
    CpuState *cpu = real_setup();
    cpu->nmi_pending = true;
    cpu_exec(cpu, 0);
    cpu->nmi_pending = true; /* a second NMI inside the handler */
    cpu_exec(cpu, 2);        /* NOP, NOP: it waits */
    cr_assert_eq(cpu->eip, HANDLER + 2);
    cr_assert(cpu->nmi_pending && cpu->nmi_blocked);
    cpu_exec(cpu, 1); /* IRET back to CS:0, then the waiting NMI at once */
    cr_assert(!cpu->nmi_pending && cpu->nmi_blocked);
    cr_assert_eq(cpu->eip, HANDLER);
    cr_assert_eq(fx_peek16(STACK - 6), 0, "the second frame returns where the first did");
    cpu_exec(cpu, 3);
    cr_assert(!cpu->nmi_blocked, "IRET ends the blocking");
    cr_assert_eq(cpu->eip, 0);
}

Test(sys_nmi, ahead_of_intr)
{
    CpuState *cpu = real_setup();
    fx_set_flags(cpu, FL_IF);
    cpu->intr = true;
    cpu->intr_ack = intr_vector;
    cpu->nmi_pending = true;
    cpu_exec(cpu, 0);
    cr_assert_eq(cpu->eip, HANDLER, "the NMI first");
    cr_assert(cpu->intr, "INTR still waits (IF is clear in the handler)");
}

Test(sys_nmi, wakes_hlt)
{
    CpuState *cpu = real_setup();
    cpu->eip = 0x10;
    cr_assert_eq(cpu_exec(cpu, 100), CPU_EXIT_HALT);
    cr_assert(cpu->halted);
    cr_assert_eq(cpu->eip, 0x11);
    cr_assert_eq(cpu_exec(cpu, 100), CPU_EXIT_HALT, "nothing pending: stays halted");
    cpu->nmi_pending = true;
    cr_assert_eq(cpu_exec(cpu, 0), CPU_EXIT_BUDGET);
    cr_assert(!cpu->halted);
    cr_assert_eq(cpu->eip, HANDLER);
    cr_assert_eq(fx_peek16(STACK - 6), 0x11, "returns after the HLT");
    cpu_exec(cpu, 3);
    cr_assert_eq(cpu->eip, 0x11);
}

/* ---- protected mode ---------------------------------------------------------------------- */

#define GDT 0x1000u
#define IDT 0x2000u
#define PM_HANDLER 0x30000u
#define PM_CODE 0x10000u
#define TSS 0x3000u

static void put_desc(uint32_t at, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    fx_poke32(at, (limit & 0xFFFF) | (base << 16));
    fx_poke32(at + 4, ((base >> 16) & 0xFF) | ((uint32_t)access << 8) | (limit & 0xF0000) |
                          ((uint32_t)flags << 20) | (base & 0xFF000000u));
}

/* Flat protected mode at `cpl`: ring-0 code 0x08, data 0x10, ring-3 code 0x1B, data 0x23,
 * a TSS with SS0:ESP0 = 10:90000, IDT gate 2 -> 08:PM_HANDLER (interrupt gate). */
static CpuState *pm_setup(unsigned cpl)
{
    CpuState *cpu = fx_flat32(cpl);
    put_desc(GDT + 0x08, 0, 0xFFFFF, 0x9A, 0xC);
    put_desc(GDT + 0x10, 0, 0xFFFFF, 0x92, 0xC);
    put_desc(GDT + 0x18, 0, 0xFFFFF, 0xFA, 0xC);
    put_desc(GDT + 0x20, 0, 0xFFFFF, 0xF2, 0xC);
    put_desc(GDT + 0x28, TSS, 0x67, 0x8B, 0x0);
    cpu->gdtr.base = GDT;
    cpu->gdtr.limit = 0x2F;
    cpu->idtr.base = IDT;
    cpu->idtr.limit = 0x7FF;
    cpu->tr = (SegCache){TSS, 0x67, 0x28, SA_P | 0xB};
    fx_poke32(TSS + 4, 0x90000);
    fx_poke32(TSS + 8, 0x10);
    fx_poke32(IDT + 2 * 8, (PM_HANDLER & 0xFFFF) | (0x08u << 16));
    fx_poke32(IDT + 2 * 8 + 4, (PM_HANDLER & 0xFFFF0000u) | 0x8E00);
    memset(fx_host(PM_CODE), 0x90, 0x10);
    fx_poke(PM_HANDLER, (const uint8_t[]){0x90, 0xCF}, 2); /* NOP, IRETD */
    fx_set_flags(cpu, FL_IF);
    return cpu;
}

Test(sys_nmi, protected_mode_same_ring)
{
    CpuState *cpu = pm_setup(0);
    cpu->eip = PM_CODE + 4;
    cpu->nmi_pending = true;
    cpu_exec(cpu, 0);
    cr_assert_eq(cpu->eip, PM_HANDLER);
    cr_assert(cpu->nmi_blocked);
    cr_assert_eq(cpu->ESP, 0x80000 - 12, "no error code");
    cr_assert_eq(fx_peek32(0x80000 - 12), PM_CODE + 4);
    cr_assert_eq(fx_peek32(0x80000 - 8), 0x08);
    cr_assert(fx_peek32(0x80000 - 4) & FL_IF, "the pushed EFLAGS had IF");
    cr_assert_eq(cpu_get_eflags(cpu) & FL_IF, 0, "an interrupt gate clears IF");
    cpu_exec(cpu, 2); /* NOP, IRETD */
    cr_assert_eq(cpu->eip, PM_CODE + 4);
    cr_assert(!cpu->nmi_blocked);
}

Test(sys_nmi, protected_mode_from_ring3)
{
    CpuState *cpu = pm_setup(3);
    cpu->seg[SEG_CS].sel = 0x1B;
    cpu->seg[SEG_SS].sel = 0x23;
    cpu->eip = PM_CODE;
    cpu->nmi_pending = true;
    cpu_exec(cpu, 0);
    cr_assert_eq(cpu->cpl, 0);
    cr_assert_eq(cpu->eip, PM_HANDLER);
    cr_assert_eq(cpu->ESP, 0x90000 - 20, "the ring-0 stack from the TSS");
    cr_assert_eq(fx_peek32(0x90000 - 20), PM_CODE);
    cr_assert_eq(fx_peek32(0x90000 - 16), 0x1B);
    cr_assert_eq(fx_peek32(0x90000 - 8), 0x80000, "ring-3 ESP");
    cr_assert_eq(fx_peek32(0x90000 - 4), 0x23, "ring-3 SS");
    cpu_exec(cpu, 2);
    cr_assert_eq(cpu->cpl, 3);
    cr_assert_eq(cpu->eip, PM_CODE);
    cr_assert(!cpu->nmi_blocked);
}
