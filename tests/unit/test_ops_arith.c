/* test_ops_arith.c — edge cases of the arithmetic, shift, multiply/divide, BCD, bit and
 * move handlers that the random differential tests reach rarely or cannot reach at all
 * (faults: the host oracle must not fault), with expectations from the SDM. */
#include <criterion/criterion.h>

#include "cpu/exception.h"
#include "unit/ops_fixture.h"

TestSuite(ops_arith, .fini = fx_free);

#define DATA 0x40000u

/* ---- #DE is precise --------------------------------------------------------------------- */

Test(ops_arith, div_by_zero_changes_nothing)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EAX = 0x1234;
    cpu->EDX = 0x5678;
    cpu->ECX = 0;
    fx_set_flags(cpu, FL_CF | FL_ZF);
    cr_assert_eq(FX_RUN(cpu, 0xF7, 0xF1), EXC_DE); /* div ecx */
    cr_assert_eq(cpu->EAX, 0x1234);
    cr_assert_eq(cpu->EDX, 0x5678);
    cr_assert_eq(fx_flags(cpu), FL_CF | FL_ZF | FL_RSVD1);
    cr_assert_eq(cpu->eip, 0x10000);
}

Test(ops_arith, idiv_int_min_by_minus_one_faults)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EDX = 0x80000000;
    cpu->EAX = 0;
    cpu->ECX = 0xFFFFFFFF;
    cr_assert_eq(FX_RUN(cpu, 0xF7, 0xF9), EXC_DE); /* idiv ecx: -2^63 / -1 */
    cr_assert_eq(cpu->EDX, 0x80000000);
    cpu = fx_flat32(3);
    cpu->EDX = 0xFFFFFFFF;
    cpu->EAX = 0x80000000; /* -2^31 / -1 = 2^31: does not fit */
    cpu->ECX = 0xFFFFFFFF;
    cr_assert_eq(FX_RUN(cpu, 0xF7, 0xF9), EXC_DE);
}

Test(ops_arith, idiv8_allows_minus_128)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EAX = 0xFF00; /* -256 */
    cpu->ECX = 2;
    cr_assert_eq(FX_RUN(cpu, 0xF6, 0xF9), -1); /* idiv cl */
    cr_assert_eq(cpu->EAX & 0xFFFF, 0x0080);
    cpu = fx_flat32(3);
    cpu->EAX = 0x0100; /* 256 / 2 = 128: does not fit */
    cpu->ECX = 2;
    cr_assert_eq(FX_RUN(cpu, 0xF6, 0xF9), EXC_DE);
}

Test(ops_arith, aam_zero_faults)
{
    CpuState *cpu = fx_real();
    cpu->EAX = 0x1234;
    cr_assert_eq(FX_RUN(cpu, 0xD4, 0x00), EXC_DE);
    cr_assert_eq(cpu->EAX, 0x1234);
    cr_assert_eq(FX_RUN(cpu, 0xD4, 0x0A), -1); /* 0x34 = 52: AH 5, AL 2 */
    cr_assert_eq(cpu->EAX, 0x0502);
}

/* ---- shifts and rotates ---------------------------------------------------------------- */

Test(ops_arith, shift_count_is_masked_and_zero_count_keeps_flags)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EAX = 0x40000001;
    cpu->ECX = 33; /* masked to 1 */
    cr_assert_eq(FX_RUN(cpu, 0xD3, 0xE0), -1); /* shl eax, cl */
    cr_assert_eq(cpu->EAX, 0x80000002);
    cr_assert_eq(fx_flags(cpu) & (FL_CF | FL_OF), FL_OF);
    /* A masked count of zero leaves the lazily recorded flags as they were. */
    cpu->eip = 0x10000;
    cpu->EBX = 1;
    cr_assert_eq(FX_RUN(cpu, 0x83, 0xEB, 0x02), -1); /* sub ebx, 2: CF SF */
    uint32_t before = fx_flags(cpu);
    cpu->eip = 0x10000;
    cpu->ECX = 32;
    cr_assert_eq(FX_RUN(cpu, 0xD3, 0xE0), -1);
    cr_assert_eq(cpu->EAX, 0x80000002);
    cr_assert_eq(fx_flags(cpu), before);
}

Test(ops_arith, rcl8_count_nine_is_a_full_turn)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EAX = 0xA5;
    fx_set_flags(cpu, FL_CF);
    cr_assert_eq(FX_RUN(cpu, 0xC0, 0xD0, 0x09), -1); /* rcl al, 9 */
    cr_assert_eq(cpu->EAX, 0xA5);
    cr_assert(fx_flags(cpu) & FL_CF);
    cpu->eip = 0x10000;
    cr_assert_eq(FX_RUN(cpu, 0xC0, 0xD0, 0x01), -1); /* rcl al, 1: 1_1010_0101 -> 0100_1011, CF 1 */
    cr_assert_eq(cpu->EAX, 0x4B);
    cr_assert_eq(fx_flags(cpu) & (FL_CF | FL_OF), FL_CF | FL_OF);
}

Test(ops_arith, shld16_with_count_above_16_reuses_the_destination)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EAX = 0x1234; /* DEST */
    cpu->EDX = 0xABCD; /* SRC */
    /* DEST:SRC:DEST = 1234 ABCD 1234, shifted left 20: the top word is BCD1. */
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x0F, 0xA4, 0xD0, 0x14), -1); /* shld ax, dx, 20 */
    cr_assert_eq(cpu->EAX & 0xFFFF, 0xBCD1);
}

/* ---- bit instructions ------------------------------------------------------------------ */

Test(ops_arith, bt_register_offset_reaches_below_the_operand)
{
    CpuState *cpu = fx_flat32(3);
    fx_poke32(DATA - 4, 0x80000000);
    cpu->EBX = DATA;
    cpu->EAX = 0xFFFFFFFF; /* bit -1: bit 31 of the dword at EBX-4 */
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xA3, 0x03), -1); /* bt [ebx], eax */
    cr_assert(fx_flags(cpu) & FL_CF);
    cpu->eip = 0x10000;
    cpu->EAX = 100; /* dword at EBX+12, bit 4 */
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xAB, 0x03), -1); /* bts [ebx], eax */
    cr_assert_eq(fx_peek32(DATA + 12), 0x10);
    cr_assert_eq(fx_flags(cpu) & FL_CF, 0);
    cpu->eip = 0x10000;
    cpu->EAX = 0x7FFF0000 | (uint16_t)-17; /* 16-bit: offset -17 = word at EBX-4, bit 15 */
    fx_poke16(DATA - 4, 0x8000);
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x0F, 0xB3, 0x03), -1); /* btr [ebx], ax */
    cr_assert(fx_flags(cpu) & FL_CF);
    cr_assert_eq(fx_peek16(DATA - 4), 0);
}

Test(ops_arith, bt_immediate_offset_is_taken_modulo_the_width)
{
    CpuState *cpu = fx_flat32(3);
    fx_poke32(DATA, 0x2);
    cpu->EBX = DATA;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xBA, 0x23, 0x21), -1); /* bt dword [ebx], 33 = bit 1 */
    cr_assert(fx_flags(cpu) & FL_CF);
}

Test(ops_arith, bsf_of_zero_keeps_the_destination)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EAX = 0xDEADBEEF;
    cpu->ECX = 0;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xBC, 0xC1), -1); /* bsf eax, ecx */
    cr_assert_eq(cpu->EAX, 0xDEADBEEF);
    cr_assert(fx_flags(cpu) & FL_ZF);
    cpu->eip = 0x10000;
    cpu->ECX = 0x00F00000;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xBD, 0xC1), -1); /* bsr eax, ecx */
    cr_assert_eq(cpu->EAX, 23);
    cr_assert_eq(fx_flags(cpu) & FL_ZF, 0);
}

Test(ops_arith, bswap16_clears_the_low_word)
{
    CpuState *cpu = fx_flat32(3);
    cpu->ECX = 0x12345678;
    cr_assert_eq(FX_RUN(cpu, 0x66, 0x0F, 0xC9), -1);
    cr_assert_eq(cpu->ECX, 0x12340000);
    cpu->eip = 0x10000;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xC9), -1);
    cr_assert_eq(cpu->ECX, 0x00003412);
}

/* ---- exchanges ------------------------------------------------------------------------- */

Test(ops_arith, cmpxchg_writes_the_destination_even_when_unequal)
{
    CpuState *cpu = fx_flat32(3);
    /* A read-only data segment: the write CMPXCHG always does must fault. */
    cpu->seg[SEG_DS].attr &= (uint16_t)~SA_RW;
    fx_poke32(DATA, 5);
    cpu->EBX = DATA;
    cpu->EAX = 7;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xB1, 0x13), EXC_GP); /* cmpxchg [ebx], edx */
    cr_assert_eq(cpu->EAX, 7);
    cpu->seg[SEG_DS].attr |= SA_RW;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xB1, 0x13), -1);
    cr_assert_eq(cpu->EAX, 5);
    cr_assert_eq(fx_flags(cpu) & FL_ZF, 0);
}

Test(ops_arith, cmpxchg8b_both_ways)
{
    CpuState *cpu = fx_flat32(3);
    fx_poke32(DATA, 0x11111111);
    fx_poke32(DATA + 4, 0x22222222);
    cpu->EBX = 0x33333333;
    cpu->ECX = 0x44444444;
    cpu->EAX = 0x11111111;
    cpu->EDX = 0x22222222;
    cpu->ESI = DATA;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xC7, 0x0E), -1); /* cmpxchg8b [esi] */
    cr_assert(fx_flags(cpu) & FL_ZF);
    cr_assert_eq(fx_peek32(DATA), 0x33333333);
    cr_assert_eq(fx_peek32(DATA + 4), 0x44444444);
    cpu->eip = 0x10000;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xC7, 0x0E), -1);
    cr_assert_eq(fx_flags(cpu) & FL_ZF, 0);
    cr_assert_eq(cpu->EAX, 0x33333333);
    cr_assert_eq(cpu->EDX, 0x44444444);
}

Test(ops_arith, xadd_same_register_keeps_the_sum)
{
    CpuState *cpu = fx_flat32(3);
    cpu->EAX = 5;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0xC1, 0xC0), -1); /* xadd eax, eax */
    cr_assert_eq(cpu->EAX, 10);
}

/* ---- moves ------------------------------------------------------------------------------ */

Test(ops_arith, cmov_reads_memory_even_when_false)
{
    CpuState *cpu = fx_flat32(3);
    cpu->seg[SEG_DS].limit = 0xFFFF;
    cpu->seg[SEG_DS].attr &= (uint16_t)~SA_G;
    cpu->EBX = 0x20000; /* beyond DS's limit */
    cpu->EAX = 0xAAAA5555;
    fx_set_flags(cpu, 0); /* ZF = 0: cmove is false */
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x44, 0x03), EXC_GP); /* cmove eax, [ebx] */
    cpu->EBX = 0x100;
    cr_assert_eq(FX_RUN(cpu, 0x0F, 0x44, 0x03), -1);
    cr_assert_eq(cpu->EAX, 0xAAAA5555);
}

Test(ops_arith, xlat_wraps_with_16bit_addresses)
{
    CpuState *cpu = fx_real();
    fx_poke(0x30000 + 0x0002, "\x99", 1);
    cpu->EBX = 0xFFF0;
    cpu->EAX = 0x12;
    cr_assert_eq(FX_RUN(cpu, 0xD7), -1); /* BX + AL = 0x10002 -> 0x0002 */
    cr_assert_eq(cpu->EAX, 0x99);
}

Test(ops_arith, salc_lahf_sahf)
{
    CpuState *cpu = fx_flat32(3);
    fx_set_flags(cpu, FL_CF | FL_ZF | FL_OF);
    cr_assert_eq(FX_RUN(cpu, 0xD6), -1);
    cr_assert_eq(cpu->EAX & 0xFF, 0xFF);
    cpu->eip = 0x10000;
    cr_assert_eq(FX_RUN(cpu, 0x9F), -1);
    cr_assert_eq((cpu->EAX >> 8) & 0xFF, FL_ZF | FL_CF | FL_RSVD1);
    cpu->eip = 0x10000;
    cpu->EAX = 0xD500; /* SF ZF AF PF CF */
    cr_assert_eq(FX_RUN(cpu, 0x9E), -1);
    cr_assert_eq(fx_flags(cpu), FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF | FL_OF | FL_RSVD1);
}

Test(ops_arith, rmw_fault_leaves_flags)
{
    CpuState *cpu = fx_flat32(3);
    cpu->seg[SEG_DS].attr &= (uint16_t)~SA_RW; /* read-only */
    cpu->EBX = DATA;
    fx_set_flags(cpu, FL_CF);
    cr_assert_eq(FX_RUN(cpu, 0xFF, 0x03), EXC_GP); /* inc dword [ebx] */
    cr_assert_eq(fx_flags(cpu), FL_CF | FL_RSVD1);
    cr_assert_eq(FX_RUN(cpu, 0x83, 0x3B, 0x00), -1); /* cmp dword [ebx], 0: reading is fine */
}
