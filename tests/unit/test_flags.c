/* test_flags.c — the lazy arithmetic flags (cpu/flags.h) against flags computed here
 * from first principles (wide integer arithmetic, the SDM's definitions of CF OF AF ZF SF
 * PF), exhaustively for bytes and on random and edge operands for words and dwords; and
 * the condition-code fast paths against the slow path. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "cpu/flags.h"

static CpuState cpu;

/* Reference flags of a + b + cin (add) or a - b - cin (subtract) at `bits` wide. */
static uint32_t ref_flags(bool sub, uint64_t a, uint64_t b, unsigned cin, unsigned bits)
{
    uint64_t mask = (bits == 32) ? 0xFFFFFFFFull : ((1ull << bits) - 1);
    int64_t sa = (int64_t)(a << (64 - bits)) >> (64 - bits);
    int64_t sb = (int64_t)(b << (64 - bits)) >> (64 - bits);
    uint64_t wide = sub ? a - b - cin : a + b + cin; /* exact in 64 bits */
    int64_t swide = sub ? sa - sb - (int64_t)cin : sa + sb + (int64_t)cin;
    uint64_t r = wide & mask;
    uint32_t f = 0;
    if (sub ? (a < b + cin) : (wide > mask))
        f |= FL_CF;
    int64_t lo = -((int64_t)1 << (bits - 1)), hi = ((int64_t)1 << (bits - 1)) - 1;
    if (swide < lo || swide > hi)
        f |= FL_OF;
    unsigned nib = sub ? (unsigned)((a & 0xF) - (b & 0xF) - cin) : (unsigned)((a & 0xF) + (b & 0xF) + cin);
    if (nib > 0xF) /* a carry out of, or a borrow into, bit 3 */
        f |= FL_AF;
    if (r == 0)
        f |= FL_ZF;
    if (r >> (bits - 1))
        f |= FL_SF;
    if (!(__builtin_popcount((unsigned)(r & 0xFF)) & 1))
        f |= FL_PF;
    return f;
}

static uint32_t lazy(uint32_t op, uint32_t res, uint32_t s1, uint32_t s2)
{
    cc_record(&cpu, op, res, s1, s2);
    return cpu_compute_arith_flags(&cpu);
}

static void check_add_sub(uint32_t a, uint32_t b, unsigned size)
{
    unsigned bits = 8 * size;
    uint32_t m = size_mask(size);
    a &= m;
    b &= m;
    for (unsigned c = 0; c < 2; c++) {
        uint32_t add = (a + b + c) & m, sub = (a - b - c) & m;
        uint32_t got = lazy(CC_OP(c ? CC_BASE_ADC : CC_BASE_ADD, size), add, a, b);
        cr_assert_eq(got, ref_flags(false, a, b, c, bits), "add%u %x+%x+%u: %03x", bits, a, b, c, got);
        got = lazy(CC_OP(c ? CC_BASE_SBB : CC_BASE_SUB, size), sub, a, b);
        cr_assert_eq(got, ref_flags(true, a, b, c, bits), "sub%u %x-%x-%u: %03x", bits, a, b, c, got);
    }
}

Test(flags, add_sub_bytes_exhaustive)
{
    for (uint32_t a = 0; a < 256; a++)
        for (uint32_t b = 0; b < 256; b++)
            check_add_sub(a, b, 1);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static const uint32_t edges[] = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
                                 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x10, 0x0F};

Test(flags, add_sub_words_dwords)
{
    for (unsigned size = 2; size <= 4; size *= 2) {
        for (unsigned i = 0; i < sizeof edges / sizeof edges[0]; i++)
            for (unsigned j = 0; j < sizeof edges / sizeof edges[0]; j++)
                check_add_sub(edges[i], edges[j], size);
        for (unsigned k = 0; k < 200000; k++)
            check_add_sub(rnd(), rnd(), size);
    }
}

/* INC/DEC: the flags of +1/-1 with CF carried over unchanged. */
Test(flags, inc_dec_keep_cf)
{
    for (unsigned size = 1; size <= 4; size *= 2) {
        uint32_t m = size_mask(size);
        for (unsigned k = 0; k < 20000; k++) {
            uint32_t v = (k < 15 ? edges[k] : rnd()) & m;
            for (uint32_t cf = 0; cf <= FL_CF; cf += FL_CF) {
                uint32_t got = lazy(CC_OP(CC_BASE_INC, size), (v + 1) & m, v, cf);
                uint32_t want = (ref_flags(false, v, 1, 0, 8 * size) & ~FL_CF) | cf;
                cr_assert_eq(got, want, "inc%u %x cf=%u", 8 * size, v, cf);
                got = lazy(CC_OP(CC_BASE_DEC, size), (v - 1) & m, v, cf);
                want = (ref_flags(true, v, 1, 0, 8 * size) & ~FL_CF) | cf;
                cr_assert_eq(got, want, "dec%u %x cf=%u", 8 * size, v, cf);
            }
        }
    }
}

/* Logic results: CF = OF = 0, AF = 0 (our choice for the undefined AF), SZP from the result. */
Test(flags, logic)
{
    for (unsigned size = 1; size <= 4; size *= 2)
        for (unsigned k = 0; k < 10000; k++) {
            uint32_t r = rnd() & size_mask(size);
            uint32_t want = ref_flags(false, r, 0, 0, 8 * size) & (FL_ZF | FL_SF | FL_PF);
            cr_assert_eq(lazy(CC_OP(CC_BASE_LOGIC, size), r, rnd(), rnd()), want);
        }
}

/* SHL/SHR/SAR by `count` one bit at a time: CF is the bit that leaves at the last step and
 * OF what that step does to the sign (SHL: MSB(result) XOR CF; SHR: the sign before it,
 * so 0 after the first; SAR: 0), the model cpu/ops_shift.c takes for the flags the SDM
 * leaves undefined. AF = 0. Returns the flags; *res gets the result. */
static uint32_t ref_shift(unsigned base, uint32_t x, unsigned count, unsigned size,
                          uint32_t *res)
{
    unsigned w = 8 * size;
    uint32_t m = size_mask(size), v = x & m, cf = 0, of = 0;
    for (unsigned i = 0; i < count; i++) {
        uint32_t top = (v >> (w - 1)) & 1;
        if (base == CC_BASE_SHL) {
            cf = top;
            v = (v << 1) & m;
            of = ((v >> (w - 1)) & 1) ^ cf;
        } else {
            cf = v & 1;
            of = base == CC_BASE_SHR ? top : 0;
            v = (v >> 1) | (base == CC_BASE_SAR ? top << (w - 1) : 0);
        }
    }
    *res = v;
    uint32_t f = (cf ? FL_CF : 0) | (of ? FL_OF : 0) | (v == 0 ? FL_ZF : 0) |
                 ((v >> (w - 1)) & 1 ? FL_SF : 0);
    if (!(__builtin_popcount(v & 0xFF) & 1))
        f |= FL_PF;
    return f;
}

/* Shift records (operand before, count) give the one-bit-at-a-time flags, counts 1-31. */
Test(flags, shifts)
{
    static const unsigned bases[] = {CC_BASE_SHL, CC_BASE_SHR, CC_BASE_SAR};
    for (unsigned size = 1; size <= 4; size *= 2)
        for (unsigned bi = 0; bi < 3; bi++)
            for (unsigned count = 1; count < 32; count++)
                for (unsigned k = 0; k < 400; k++) {
                    uint32_t x = (k < 15 ? edges[k] : rnd()) & size_mask(size), r;
                    uint32_t want = ref_shift(bases[bi], x, count, size, &r);
                    uint32_t got = lazy(CC_OP(bases[bi], size), r, x, count);
                    cr_assert_eq(got, want, "base %u size %u %x by %u: %03x, want %03x",
                                 bases[bi], size, x, count, got, want);
                    cr_assert_eq(cpu_get_cf(&cpu), (want & FL_CF) != 0);
                }
}

/* The SUB/CMP fast path of cpu_cond must agree with the flags it stands for. */
Test(flags, condition_fast_path_matches_flags)
{
    for (unsigned size = 1; size <= 4; size *= 2)
        for (unsigned k = 0; k < 20000; k++) {
            uint32_t m = size_mask(size);
            uint32_t a = (k % 7 == 0 ? edges[k % 15] : rnd()) & m, b = rnd() & m;
            if (k % 5 == 0)
                b = a;
            cc_record(&cpu, CC_OP(CC_BASE_SUB, size), (a - b) & m, a, b);
            for (unsigned cc = 0; cc < 16; cc++)
                cr_assert_eq(cpu_cond(&cpu, cc), cpu_cond_slow(&cpu, cc), "cc %u, %x-%x", cc, a, b);
        }
}

/* Materialising keeps every flag and switches to the explicit representation. */
Test(flags, materialize_and_set)
{
    cpu.eflags = FL_RSVD1 | FL_DF | FL_IF;
    cc_record(&cpu, CC_OP(CC_BASE_SUB, 1), 0xFF, 0x00, 0x01); /* 0 - 1: CF SF AF PF */
    uint32_t before = cpu_get_eflags(&cpu);
    cpu_flags_materialize(&cpu);
    cr_assert_eq(cpu.cc_op, CC_OP_EFLAGS);
    cr_assert_eq(cpu.eflags, before);
    cr_assert_eq(before & FL_ARITH, FL_CF | FL_SF | FL_AF | FL_PF);
    cr_assert_eq(before & ~FL_ARITH, FL_RSVD1 | FL_DF | FL_IF);
    cpu_set_arith_flags(&cpu, FL_ZF | FL_DF);
    cr_assert_eq(cpu_get_eflags(&cpu), FL_RSVD1 | FL_DF | FL_IF | FL_ZF);
}
