/* ops_x87.c — fpu-host-diff checks of the x87 operations (exact: bits, exception flags, C1
 * and the condition codes each instruction defines). */
#include "diff.h"
#include "host_x87.h"

#define SW_EXC 0x003F
#define SW_C1 0x0200
#define SW_CC_ALL (0x0100 | 0x0200 | 0x0400 | 0x4000)

/* The library's status word bits in the host's layout. */
static uint16_t lib_sw(const FpEnv *e, uint16_t cc) { return (uint16_t)(e->flags | (e->c1 ? SW_C1 : 0) | cc); }

static void report2(DiffCtx *c, Float80 a, Float80 b, HostX87 h, Float80 r, uint16_t sw,
                    uint16_t mask)
{
    bool ok = f80_same(h.r, r) && ((h.sw ^ sw) & mask) == 0;
    diff_record(c, ok, "a=%04x:%016llx b=%04x:%016llx host=%04x:%016llx sw=%04x lib=%04x:%016llx sw=%04x",
                a.se, (unsigned long long)a.mant, b.se, (unsigned long long)b.mant, h.r.se,
                (unsigned long long)h.r.mant, h.sw & mask, r.se, (unsigned long long)r.mant, sw & mask);
}

typedef Float80 (*LibBin)(Float80, Float80, FpEnv *);

static void bin_op(DiffCtx *c, Rng *r, uint32_t cw, HostX87Op hop, LibBin fn, char kind)
{
    Float80 a = gen_f80(r, GEN_ANY), b = gen_f80_pair(r, a, kind);
    if (rng_below(r, 2))
        { Float80 t = a; a = b; b = t; }
    HostX87 h = host_x87(hop, a, b, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    Float80 res = fn(a, b, &e);
    report2(c, a, b, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void one_add(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_ADD, f80_add, '+'); }
static void one_sub(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_SUB, f80_sub, '+'); }
static void one_mul(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_MUL, f80_mul, '*'); }
static void one_div(DiffCtx *c, Rng *r, uint32_t m) { bin_op(c, r, m, HX_DIV, f80_div, '/'); }

static void one_sqrt(DiffCtx *c, Rng *r, uint32_t cw)
{
    Float80 a = gen_f80(r, GEN_ANY);
    if (rng_below(r, 4) == 0 && f80_bexp(a) != 0x7FFF) { /* exact squares and neighbours */
        FpEnv sq = diff_x87_env(0x37F);
        Float80 b = gen_f80_finite(r, (int32_t)rng_below(r, 200) - 100);
        b.mant &= ~0ull << 32;
        a = f80_mul(b, b, &sq);
        a.mant += (uint64_t)((int)rng_below(r, 3) - 1);
        a.mant |= 1ull << 63;
    }
    HostX87 h = host_x87(HX_SQRT, a, a, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    Float80 res = f80_sqrt(a, &e);
    report2(c, a, a, h, res, lib_sw(&e, 0), SW_EXC | SW_C1);
}

static void cmp_op(DiffCtx *c, Rng *r, uint32_t cw, bool quiet)
{
    Float80 a = gen_f80(r, GEN_ANY), b = gen_f80_pair(r, a, '+');
    if (rng_below(r, 8) == 0)
        b = a;
    HostX87 h = host_x87(quiet ? HX_UCOM : HX_COM, a, b, (uint16_t)cw);
    FpEnv e = diff_x87_env(cw);
    FpCmp res = f80_compare(a, b, quiet, &e);
    h.r = a; /* FCOM leaves ST(0) alone: compare flags only */
    report2(c, a, b, h, a, lib_sw(&e, fp_cmp_x87_cc(res)), SW_EXC | SW_CC_ALL);
}

static void one_com(DiffCtx *c, Rng *r, uint32_t m) { cmp_op(c, r, m, false); }
static void one_ucom(DiffCtx *c, Rng *r, uint32_t m) { cmp_op(c, r, m, true); }

const DiffOp diff_ops_x87[] = {
    { "add", FAM_X87, true, false, one_add },
    { "sub", FAM_X87, true, false, one_sub },
    { "mul", FAM_X87, true, false, one_mul },
    { "div", FAM_X87, true, false, one_div },
    { "sqrt", FAM_X87, true, false, one_sqrt },
    { "fcom", FAM_X87, true, false, one_com },
    { "fucom", FAM_X87, true, false, one_ucom },
};
const unsigned diff_ops_x87_count = sizeof diff_ops_x87 / sizeof diff_ops_x87[0];
