/* gen.c — operand generators for fpu-host-diff: random values weighted towards the places
 * where floating-point implementations go wrong (thresholds, halfway cases, carries,
 * special encodings). */
#include "diff.h"

/* A significand (bit 63 set) from one of several pattern families. */
uint64_t gen_sig64(Rng *r)
{
    const uint64_t top = 1ull << 63;
    uint64_t x = rng_next(r);
    switch (rng_below(r, 10)) {
    case 0: /* few significant bits: exact products, quotients, halfway sums */
        return top | (x & ~(~0ull >> rng_below(r, 64)));
    case 1: /* a run of ones: carries all the way up */
        return top | (~0ull >> rng_below(r, 64));
    case 2: { /* halfway / just-off-halfway at a precision boundary (24, 53, 64 bits) */
        static const int drops[] = { 40, 11, 1, 39, 10, 2 };
        int d = drops[rng_below(r, 6)];
        uint64_t keep = x & ~((1ull << d) - 1);
        uint64_t half = 1ull << (d - 1);
        static const int64_t tweak[] = { 0, 1, -1 };
        return top | (keep + half + (uint64_t)tweak[rng_below(r, 3)]);
    }
    case 3: /* 1.000...0 and its neighbours */
        return top + rng_below(r, 3);
    case 4:
        return ~0ull - rng_below(r, 3);
    case 5: /* sparse: a handful of random bits */
        return top | (1ull << rng_below(r, 63)) | (1ull << rng_below(r, 63));
    default:
        return top | x;
    }
}

/* Exponent anchors (unbiased) per range: each generator picks one and adds a small jitter. */
static int32_t gen_anchor(Rng *r, GenRange range)
{
    static const int32_t any[] = { 0, 0, 0, 1, -1, 16383, -16382, -16382 - 63, 8191, -8191 };
    static const int32_t f64[] = { 0, 1023, 1024, -1022, -1023, -1074, -1075, -1050 };
    static const int32_t f32[] = { 0, 127, 128, -126, -127, -149, -150, -140 };
    static const int32_t ints[] = { 0, -1, -2, 15, 14, 16, 31, 30, 32, 63, 62, 64, 52, 23 };
    static const int32_t unit[] = { 0, -1, -2, -3, -5, -10, -20, -32, -40, -64, -70, 1 };
    switch (range) {
    case GEN_F64: return f64[rng_below(r, 8)];
    case GEN_F32: return f32[rng_below(r, 8)];
    case GEN_INT: return ints[rng_below(r, 14)];
    case GEN_UNIT: return unit[rng_below(r, 12)];
    default: return any[rng_below(r, 10)];
    }
}

static int32_t gen_jitter(Rng *r)
{
    switch (rng_below(r, 4)) {
    case 0: return 0;
    case 1: return (int32_t)rng_below(r, 5) - 2;
    case 2: return (int32_t)rng_below(r, 41) - 20;
    default: return (int32_t)rng_below(r, 161) - 80;
    }
}

Float80 gen_f80_finite(Rng *r, int32_t exp)
{
    bool s = rng_bool(r);
    int32_t be = exp + F80_BIAS;
    if (be >= 0x7FFF)
        be = 0x7FFE;
    if (be <= 0) { /* below the normal range: a denormal of about that size */
        int sh = 1 - be;
        uint64_t m = sh >= 64 ? 1 : gen_sig64(r) >> sh;
        return f80_make((uint16_t)(s << 15), m ? m : 1);
    }
    return f80_make((uint16_t)(s << 15 | be), gen_sig64(r));
}

static Float80 gen_f80_nan(Rng *r)
{
    bool s = rng_bool(r);
    uint64_t payload;
    switch (rng_below(r, 4)) {
    case 0: payload = 0; break;
    case 1: payload = 1ull << rng_below(r, 62); break;
    case 2: payload = rng_below(r, 4); break;
    default: payload = rng_next(r) & ((1ull << 62) - 1); break;
    }
    bool quiet = rng_bool(r);
    if (!quiet && payload == 0)
        payload = 1; /* a zero payload would be infinity */
    return f80_make((uint16_t)(s << 15 | 0x7FFF), 1ull << 63 | (uint64_t)quiet << 62 | payload);
}

Float80 gen_f80(Rng *r, GenRange range)
{
    bool s = rng_bool(r);
    uint16_t sb = (uint16_t)(s << 15);
    uint32_t k = rng_below(r, 100);
    if (k < 55)
        return gen_f80_finite(r, gen_anchor(r, range) + gen_jitter(r));
    if (k < 62) /* anywhere in the range */
        return f80_make((uint16_t)(sb | (1 + rng_below(r, 0x7FFE))), gen_sig64(r));
    if (k < 69) /* denormal */
        return f80_make(sb, (rng_next(r) >> rng_below(r, 64)) | 1);
    if (k < 72) /* pseudo-denormal */
        return f80_make(sb, 1ull << 63 | (rng_next(r) >> rng_below(r, 64)));
    if (k < 77)
        return f80_make(sb, 0);
    if (k < 81)
        return f80_make(sb | 0x7FFF, 1ull << 63);
    if (k < 89)
        return gen_f80_nan(r);
    if (k < 92) /* unnormal */
        return f80_make((uint16_t)(sb | (1 + rng_below(r, 0x7FFE))), rng_next(r) >> 1);
    if (k < 94) /* pseudo-infinity / pseudo-NaN */
        return f80_make(sb | 0x7FFF, rng_bool(r) ? 0 : rng_next(r) >> 1);
    /* small integers and simple fractions */
    return f80_make((uint16_t)(sb | (F80_BIAS + rng_below(r, 8))), 1ull << 63 | (rng_next(r) & (0xFull << 59)));
}

/* Unbiased exponent of a finite Float80 (denormals as if normalized is not needed here). */
static int32_t f80_uexp(Float80 a) { return (int32_t)f80_bexp(a) - F80_BIAS; }

Float80 gen_f80_pair(Rng *r, Float80 a, char op)
{
    uint16_t ea = f80_bexp(a);
    if (ea == 0 || ea == 0x7FFF || rng_below(r, 3) == 0)
        return gen_f80(r, GEN_ANY);
    int32_t e = f80_uexp(a);
    switch (rng_below(r, 4)) {
    case 0: { /* close significand: cancellation in add/sub, quotient near 1 */
        uint64_t m = a.mant + (uint64_t)((int64_t)rng_below(r, 9) - 4);
        if (!(m >> 63))
            m = a.mant;
        return f80_make((uint16_t)((rng_bool(r) << 15) | ea), m);
    }
    case 1: { /* result exponent near the underflow or overflow threshold */
        int32_t target = rng_bool(r) ? 16383 : -16382;
        target += (int32_t)rng_below(r, 5) - 2 - (target < 0 ? (int32_t)rng_below(r, 66) : 0);
        int32_t eb = op == '*' ? target - e : op == '/' ? e - target : target;
        return gen_f80_finite(r, eb);
    }
    default: /* nearby exponent */
        return gen_f80_finite(r, e + gen_jitter(r));
    }
}

/* --- binary64 / binary32 ------------------------------------------------------------- */

/* An IEEE value of `fbits` fraction bits, `ebits` exponent bits, from the shared patterns. */
static uint64_t gen_ieee(Rng *r, GenRange range, int fbits, int ebits)
{
    const int32_t bias = (1 << (ebits - 1)) - 1, emaxb = (1 << ebits) - 1;
    uint64_t s = (uint64_t)rng_bool(r) << (fbits + ebits);
    uint64_t fmask = (1ull << fbits) - 1;
    uint32_t k = rng_below(r, 100);
    if (k < 60) {
        int32_t e = gen_anchor(r, range) + gen_jitter(r);
        if (range == GEN_ANY) /* GEN_ANY anchors are f80-sized: fold into this format */
            e = e % bias;
        int32_t be = e + bias;
        uint64_t frac = (gen_sig64(r) >> (63 - fbits)) & fmask;
        if (be >= emaxb)
            be = emaxb - 1;
        if (be <= 0) {
            int sh = 1 - be;
            frac = sh > fbits ? 1 : ((frac | 1ull << fbits) >> sh);
            return s | (frac ? frac : 1);
        }
        return s | (uint64_t)be << fbits | frac;
    }
    if (k < 67)
        return s | (uint64_t)(1 + rng_below(r, (uint32_t)emaxb - 1)) << fbits | (rng_next(r) & fmask);
    if (k < 77) /* denormal */
        return s | (((rng_next(r) & fmask) >> rng_below(r, (uint32_t)fbits)) | 1);
    if (k < 82)
        return s;
    if (k < 86)
        return s | (uint64_t)emaxb << fbits;
    if (k < 95) { /* NaN with assorted payloads, quiet or signalling */
        uint64_t payload = rng_bool(r) ? (rng_next(r) & (fmask >> 1)) : rng_below(r, 4);
        uint64_t quiet = (uint64_t)rng_bool(r) << (fbits - 1);
        if (!quiet && !payload)
            payload = 1;
        return s | (uint64_t)emaxb << fbits | quiet | payload;
    }
    return s | (uint64_t)(bias + rng_below(r, 8)) << fbits | (rng_next(r) & (0xFull << (fbits - 4)));
}

uint64_t gen_f64(Rng *r, GenRange range) { return gen_ieee(r, range, 52, 11); }
uint32_t gen_f32(Rng *r, GenRange range) { return (uint32_t)gen_ieee(r, range, 23, 8); }

static uint64_t gen_ieee_pair(Rng *r, uint64_t a, char op, int fbits, int ebits)
{
    const int32_t bias = (1 << (ebits - 1)) - 1, emaxb = (1 << ebits) - 1;
    uint64_t fmask = (1ull << fbits) - 1;
    int32_t ea = (int32_t)((a >> fbits) & (uint64_t)emaxb);
    if (ea == 0 || ea == emaxb || rng_below(r, 3) == 0)
        return gen_ieee(r, GEN_ANY, fbits, ebits);
    uint64_t s = (uint64_t)rng_bool(r) << (fbits + ebits);
    int32_t eb;
    switch (rng_below(r, 4)) {
    case 0: { /* close significand */
        uint64_t f = ((a & fmask) + (uint64_t)((int64_t)rng_below(r, 9) - 4)) & fmask;
        return s | (uint64_t)ea << fbits | f;
    }
    case 1: { /* result near a threshold */
        int32_t target = rng_bool(r) ? bias + 1 : 1 - bias - (int32_t)rng_below(r, (uint32_t)fbits + 3);
        target += (int32_t)rng_below(r, 5) - 2;
        int32_t e = ea - bias;
        eb = op == '*' ? target - e : op == '/' ? e - target : target;
        break;
    }
    default:
        eb = ea - bias + gen_jitter(r);
        break;
    }
    int32_t be = eb + bias;
    uint64_t frac = (gen_sig64(r) >> (63 - fbits)) & fmask;
    if (be >= emaxb)
        be = emaxb - 1;
    if (be <= 0) {
        int sh = 1 - be;
        frac = sh > fbits ? 1 : ((frac | 1ull << fbits) >> sh);
        return s | (frac ? frac : 1);
    }
    return s | (uint64_t)be << fbits | frac;
}

uint64_t gen_f64_pair(Rng *r, uint64_t a, char op) { return gen_ieee_pair(r, a, op, 52, 11); }
uint32_t gen_f32_pair(Rng *r, uint32_t a, char op) { return (uint32_t)gen_ieee_pair(r, a, op, 23, 8); }

int64_t gen_int(Rng *r, int bits)
{
    int64_t max = (int64_t)(~0ull >> (65 - bits)); /* 2^(bits-1) - 1 */
    switch (rng_below(r, 6)) {
    case 0: return max - (int64_t)rng_below(r, 4);
    case 1: return -max - 1 + (int64_t)rng_below(r, 4);
    case 2: return (int64_t)rng_below(r, 33) - 16;
    case 3: { /* many significant bits: rounding in int->float conversions */
        int64_t v = (int64_t)(rng_next(r) >> (65 - bits + rng_below(r, (uint32_t)bits - 1)));
        return rng_bool(r) ? -v : v;
    }
    default: {
        uint64_t v = rng_next(r);
        return (int64_t)(v << (64 - bits)) >> (64 - bits);
    }
    }
}
