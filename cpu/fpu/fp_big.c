/* fp_big.c — 128-bit working-precision arithmetic and series kernels (see fp_big.h). */
#include "cpu/fpu/fp_big.h"

/* Constants to 128 bits, computed with exact integer arithmetic (Machin's formula for pi,
 * atanh series for ln 2, argument halving plus the Gregory series for the arctangents). */
const FpBigConst big_ln2 = { 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull, -1 };
const FpBigConst big_log2e = { 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull, 0 };
const FpBigConst big_pi = { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 1 };
const FpBigConst big_pi_2 = { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 0 };
const FpBigConst big_pi_4 = { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, -1 };
const FpBigConst big_3pi_4 = { 0x96CBE3F9990E91A7ull, 0x9394C9E8A0A5159Cull, 1 };

/* atan(k/8), k = 1..8: the anchors of the arctangent reduction. */
static const FpBigConst big_atan_k8[9] = {
    { 0, 0, 0 },
    { 0xFEADD4D5617B6E32ull, 0xC897989F3E888EF7ull, -4 },
    { 0xFADBAFC96406EB15ull, 0x6DC79EF5F7A217E5ull, -3 },
    { 0xB7B0CA0F26F78473ull, 0x8AA32122DCFE4483ull, -2 },
    { 0xED63382B0DDA7B45ull, 0x6FE445ECBC3A8D03ull, -2 },
    { 0x8F005D5EF7F59F9Bull, 0x5C835E1665C43747ull, -1 },
    { 0xA4BC7D1934F70924ull, 0x19A87F2A457DAC9Eull, -1 },
    { 0xB8053E2BC2319E73ull, 0xCB2DA55210A4443Dull, -1 },
    { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, -1 },
};

/* Series stop once a term is this many binary orders below the sum: far below the 64-bit
 * result's last place, and below the truncation noise of the arithmetic itself. */
#define BIG_SERIES_BITS 132

FpBig big_make(bool s, int32_t e, FpU128 m)
{
    FpBig r = { 0, 0, s };
    if (m == 0)
        return r;
    int lz = fp_clz128(m);
    r.m = m << lz;
    r.e = e - lz;
    return r;
}

FpBig big_from_val(const FpVal *v)
{
    FpBig r = { 0, 0, v->sign };
    if (v->kind == FPK_FINITE) {
        r.m = (FpU128)v->sig << 64;
        r.e = v->exp;
    }
    return r;
}

FpBig big_from_int(int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return big_make(v < 0, 127, mag);
}

FpBig big_mul(FpBig a, FpBig b)
{
    FpBig r = { 0, 0, a.s ^ b.s };
    if (a.m == 0 || b.m == 0)
        return r;
    const FpU128 lo64 = ~(uint64_t)0;
    uint64_t ah = (uint64_t)(a.m >> 64), al = (uint64_t)a.m;
    uint64_t bh = (uint64_t)(b.m >> 64), bl = (uint64_t)b.m;
    FpU128 hh = (FpU128)ah * bh, hl = (FpU128)ah * bl, lh = (FpU128)al * bh, ll = (FpU128)al * bl;
    FpU128 mid = (hl & lo64) + (lh & lo64) + (ll >> 64);
    FpU128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
    FpU128 lo = mid << 64 | (uint64_t)ll;
    /* Both factors are in [2^127, 2^128): the top word has bit 127 or bit 126 set. */
    r.e = a.e + b.e + 1;
    if (!(hi >> 127)) {
        hi = hi << 1 | lo >> 127;
        lo <<= 1;
        r.e--;
    }
    r.m = hi | (lo != 0); /* sticky: the product was truncated */
    return r;
}

/* Sum with a sticky bit: bits of the smaller operand shifted out are not dropped silently
 * but leave bit 0 set (for a difference, the truncated result is first lowered by one), so
 * the result stays strictly on the correct side of the value it approximates. */
FpBig big_add(FpBig a, FpBig b)
{
    if (b.m == 0)
        return a;
    if (a.m == 0)
        return b;
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) {
        FpBig t = a;
        a = b;
        b = t;
    }
    int32_t d = a.e - b.e;
    FpU128 bm = d >= 128 ? 0 : b.m >> d;
    bool lost = d >= 128 ? true : d > 0 && (b.m << (128 - d)) != 0;
    if (a.s == b.s) {
        FpU128 s = a.m + bm;
        if (s < a.m) /* carry out: renormalize by one */
            return (FpBig){ (s >> 1) | (FpU128)1 << 127 | (s & 1) | lost, a.e + 1, a.s };
        return (FpBig){ s | lost, a.e, a.s };
    }
    FpBig r = big_make(a.s, a.e, a.m - bm - lost);
    r.m |= lost;
    return r;
}

/* Restoring division, one quotient bit per step: 128 quotient bits, truncated. Both
 * significands are normalized, so the quotient's leading bit comes from the first
 * comparison (a >= b) or, failing that, from the first shifted step. */
FpBig big_div(FpBig a, FpBig b)
{
    FpBig r = { 0, 0, a.s ^ b.s };
    if (a.m == 0)
        return r;
    FpU128 rem = a.m, q = 0;
    int32_t e = a.e - b.e;
    int steps = 127;
    if (rem >= b.m) {
        rem -= b.m;
        q = 1;
    } else {
        e--;
        steps = 128;
    }
    for (int i = 0; i < steps; i++) {
        bool top = rem >> 127; /* the doubled remainder needs 129 bits */
        rem <<= 1;
        q <<= 1;
        if (top || rem >= b.m) {
            rem -= b.m;
            q |= 1;
        }
    }
    r.m = q | (rem != 0); /* sticky */
    r.e = e;
    return r;
}

FpBig big_div_small(FpBig a, uint32_t k)
{
    if (a.m == 0)
        return a;
    FpU128 q = a.m / k, rem = a.m % k;
    int lz = fp_clz128(q); /* at most 32: k < 2^32 */
    FpU128 low = rem << lz;
    q = (q << lz) | (low / k) | (low % k != 0); /* sticky */
    return (FpBig){ q, a.e - lz, a.s };
}

FpBig big_ldexp(FpBig a, int32_t n)
{
    if (a.m)
        a.e += n;
    return a;
}

FpBig big_trunc(FpBig a, int bits)
{
    if (bits < 128)
        a.m &= ~(((FpU128)1 << (128 - bits)) - 1);
    return a;
}

int big_cmp_abs(FpBig a, FpBig b)
{
    if (a.m == 0 || b.m == 0)
        return (a.m != 0) - (b.m != 0);
    if (a.e != b.e)
        return a.e < b.e ? -1 : 1;
    return a.m == b.m ? 0 : a.m < b.m ? -1 : 1;
}

Float80 big_to_f80(FpBig a, FpEnv *env)
{
    if (a.m == 0) {
        env->c1 = false;
        return fp_zero80(a.s);
    }
    FpFormat f = fp_format80(FP_PC_64);
    FpEnv local = *env;
    local.flags = 0;
    Float80 r = fp_pack80(fp_round(&local, &f, a.s, a.e, a.m));
    if (!(local.flags & FP_PE)) { /* exact, yet reported inexact (and so tiny = underflow) */
        local.flags |= FP_PE;
        if (a.e < f.emin)
            local.flags |= FP_UE;
    }
    env->flags |= local.flags;
    env->c1 = local.c1;
    return r;
}

/* --- series kernels -------------------------------------------------------------------- */

static bool big_negligible(FpBig term, FpBig sum)
{
    return term.m == 0 || term.e < sum.e - BIG_SERIES_BITS;
}

/* 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...). Used with |s| <= 0.172 (26 terms at most). */
FpBig big_ln1p_ratio(FpBig s)
{
    FpBig s2 = big_mul(s, s), power = s, sum = s;
    for (uint32_t k = 3;; k += 2) {
        power = big_mul(power, s2);
        FpBig term = big_div_small(power, k);
        sum = big_add(sum, term); /* the last, negligible term still marks the tail */
        if (big_negligible(term, sum))
            break;
    }
    return big_ldexp(sum, 1);
}

/* e^t - 1 = t + t^2/2! + t^3/3! + ... with |t| <= ln 2 (about 30 terms). */
FpBig big_expm1(FpBig t)
{
    FpBig term = t, sum = t;
    for (uint32_t k = 2;; k++) {
        term = big_div_small(big_mul(term, t), k);
        sum = big_add(sum, term);
        if (big_negligible(term, sum))
            break;
    }
    return sum;
}

/* atan(q) for 0 <= q <= 1: atan(q) = atan(c) + atan((q - c) / (1 + q c)) with c = k/8 the
 * nearest eighth, which leaves |r| <= 1/16 for the Gregory series (16 terms at most). */
FpBig big_atan(FpBig q)
{
    if (q.m == 0)
        return q;
    /* k = round(8 q): q * 8 = m * 2^(e + 3 - 127). */
    int32_t sh = 127 - (q.e + 3);
    uint32_t k = sh > 127 ? 0 : sh <= 123 ? 8 : (uint32_t)((q.m >> (sh - 1)) + 1) >> 1;
    if (k > 8)
        k = 8;
    FpBig r = q;
    if (k) {
        FpBig c = big_div_small(big_from_int(k), 8);
        r = big_div(big_sub(q, c), big_add(big_from_int(1), big_mul(q, c)));
    }
    FpBig r2 = big_mul(r, r), power = r, sum = r;
    for (uint32_t j = 3; r.m; j += 2) {
        power = big_neg(big_mul(power, r2));
        FpBig term = big_div_small(power, j);
        sum = big_add(sum, term);
        if (big_negligible(term, sum))
            break;
    }
    return k ? big_add(big_const(&big_atan_k8[k], false), sum) : sum;
}

/* sin and cos of |r| <= pi/4 from one run of the Taylor terms r^n / n!. Each sum stops
 * after its first negligible term (which it still adds, to keep the tail's sign). */
void big_sincos(FpBig r, FpBig *sin_r, FpBig *cos_r)
{
    FpBig term = r, s = r, c = big_from_int(1);
    bool s_done = r.m == 0, c_done = false;
    for (uint32_t n = 2; !(s_done && c_done); n++) {
        term = big_div_small(big_mul(term, r), n);
        /* r^n/n! enters cos for even n, sin for odd n, with sign (-1)^(n/2) */
        FpBig t = (n & 2) ? big_neg(term) : term;
        FpBig *sum = (n & 1) ? &s : &c;
        bool *done = (n & 1) ? &s_done : &c_done;
        if (*done)
            continue;
        *sum = big_add(*sum, t);
        *done = big_negligible(term, *sum);
    }
    *sin_r = s;
    *cos_r = c;
}
