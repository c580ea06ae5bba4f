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
