/* gen.c — simd-diff's inputs: instruction forms taken from vmm86's opcode table (every
 * x87, MMX, SSE and SSE2 row, in its register and memory forms) and random states rich in
 * edge values (zeros, infinities, NaNs, denormals, x87 unsupported encodings, integer
 * limits, values next to rounding and conversion boundaries), under every rounding mode,
 * precision control and DAZ/FTZ combination in turn.
 */
#include "gen.h"

#include <stdio.h>
#include <string.h>

/* ---- random numbers ------------------------------------------------------------------------ */

uint64_t rng_next(Rng *r)
{
    /* splitmix64: deterministic for a seed on every host. */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned rnd(Rng *r, unsigned n) { return (unsigned)(rng_next(r) % n); }

/* ---- value pools ------------------------------------------------------------------------------ */

static const uint32_t f32_pool[] = {
    0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000,
    0xFFC00000, 0x7F800001, 0xFF800001, 0x7FBFFFFF, 0x7FC00001, 0x00000001, 0x80000001,
    0x007FFFFF, 0x807FFFFF, 0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3F000000,
    0x3FC00000, 0x40200000, 0xC0200000, 0x4B000000, 0x4B7FFFFF, 0x4EFFFFFF, 0x4F000000,
    0xCF000000, 0xCF000001, 0x5F000000, 0xDF000000, 0x34000000, 0x00400000, 0x3F800001,
    0x3F7FFFFF, 0x0C000000, 0x72000000,
};

static const uint64_t f64_pool[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3FF0000000000000ull, 0xBFF0000000000000ull,
    0x7FF0000000000000ull, 0xFFF0000000000000ull, 0x7FF8000000000000ull, 0xFFF8000000000000ull,
    0x7FF0000000000001ull, 0x7FF4000000000000ull, 0xFFF7FFFFFFFFFFFFull, 0x0000000000000001ull,
    0x000FFFFFFFFFFFFFull, 0x800FFFFFFFFFFFFFull, 0x0010000000000000ull, 0x7FEFFFFFFFFFFFFFull,
    0x41E0000000000000ull, 0xC1E0000000000000ull, 0x41DFFFFFFFC00000ull, 0x41DFFFFFFFE00000ull,
    0xC1E0000000100000ull, 0xC1E0000000200000ull, 0x3FE0000000000000ull, 0x3FF8000000000000ull,
    0x4004000000000000ull, 0x47EFFFFFE0000000ull, 0x47EFFFFFF0000000ull, 0x3810000000000000ull,
    0x36A0000000000000ull, 0x3690000000000000ull, 0x380FFFFFF0000000ull, 0x3FF0000000000001ull,
};

static const uint32_t int_pool[] = {
    0, 1, 0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 0x7FFF, 0x8000, 0xFFFF, 0x7F, 0x80, 0xFF,
    0x00FF00FFu, 0x80008000u, 0x7FFF7FFFu, 0x01000000u, 0xFFFF8000u,
};

static const struct { uint16_t se; uint64_t m; } f80_pool[] = {
    { 0x0000, 0 }, { 0x8000, 0 }, { 0x3FFF, 1ull << 63 }, { 0xBFFF, 1ull << 63 },
    { 0x7FFF, 1ull << 63 }, { 0xFFFF, 1ull << 63 }, { 0x7FFF, 0xC000000000000000ull },
    { 0xFFFF, 0xC000000000000000ull }, { 0x7FFF, 0x8000000000000001ull },
    { 0xFFFF, 0xA000000000000000ull }, { 0x0000, 1 }, { 0x8000, 0x7FFFFFFFFFFFFFFFull },
    { 0x0000, 0x8000000000000001ull }, { 0x3FFF, 0x4000000000000000ull },
    { 0x7FFF, 0x4000000000000000ull }, { 0x7FFF, 0 }, { 0x7FFE, ~0ull }, { 0x0001, 1ull << 63 },
    { 0x403E, 1ull << 63 }, { 0xC03E, 1ull << 63 }, { 0x403D, ~0ull }, { 0x401E, 1ull << 63 },
    { 0xC01E, 0x8000000100000000ull }, { 0x400E, 1ull << 63 }, { 0xC00E, 0x8001000000000000ull },
    { 0x3FFE, 1ull << 63 }, { 0x3FFF, 0xC000000000000000ull }, { 0x4000, 0xA000000000000000ull },
    { 0xC000, 0xA000000000000000ull }, { 0x403A, 0xDE0B6B3A763FFFF0ull },
    { 0x403A, 0xDE0B6B3A76400000ull }, { 0x3FFF, 0x8000000000000001ull },
    { 0x3FFF, 0xFFFFFFFFFFFFFFFFull }, { 0x4000, 0xC90FDAA22168C235ull },
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t gen_f32(Rng *r)
{
    if (rnd(r, 3) == 0)
        return f32_pool[rnd(r, N(f32_pool))];
    static const unsigned exps[] = { 0, 1, 2, 100, 126, 127, 128, 150, 158, 159, 190, 253, 254, 255 };
    unsigned e = rnd(r, 2) ? rnd(r, 256) : exps[rnd(r, N(exps))];
    uint32_t m = (uint32_t)rng_next(r) & 0x7FFFFF;
    if (rnd(r, 4) == 0)
        m &= 0x7FF000; /* few significant bits: exact results */
    return (uint32_t)rnd(r, 2) << 31 | e << 23 | m;
}

static uint64_t gen_f64(Rng *r)
{
    if (rnd(r, 3) == 0)
        return f64_pool[rnd(r, N(f64_pool))];
    static const unsigned exps[] = { 0, 1, 2, 873, 874, 896, 897, 1022, 1023, 1024, 1053, 1054,
                                     1086, 1150, 1151, 2045, 2046, 2047 };
    uint64_t e = rnd(r, 2) ? rnd(r, 2048) : exps[rnd(r, N(exps))];
    uint64_t m = rng_next(r) & 0xFFFFFFFFFFFFFull;
    if (rnd(r, 4) == 0)
        m &= 0xFFFFFE0000000ull;
    return (uint64_t)rnd(r, 2) << 63 | e << 52 | m;
}

static uint32_t gen_int(Rng *r)
{
    if (rnd(r, 2))
        return int_pool[rnd(r, N(int_pool))];
    uint32_t v = (uint32_t)rng_next(r);
    return rnd(r, 3) ? v : v >> rnd(r, 32);
}

/* A 64-bit chunk of packed data: two singles, a double, two integers or random bits. */
static uint64_t gen_chunk(Rng *r)
{
    switch (rnd(r, 4)) {
    case 0: return gen_f32(r) | (uint64_t)gen_f32(r) << 32;
    case 1: return gen_f64(r);
    case 2: return gen_int(r) | (uint64_t)gen_int(r) << 32;
    default: return rng_next(r);
    }
}

static void gen_f80(Rng *r, uint16_t *se, uint64_t *m)
{
    unsigned k = rnd(r, 8);
    if (k < 3) {
        unsigned i = rnd(r, N(f80_pool));
        *se = f80_pool[i].se;
        *m = f80_pool[i].m;
        return;
    }
    unsigned e;
    if (k < 6)
        e = 0x3FFF - 70 + rnd(r, 140); /* the common range: conversions and sums meet */
    else if (k == 6)
        e = 1 + rnd(r, 0x7FFE);
    else
        e = rnd(r, 2) ? rnd(r, 40) : 0x7FFE - rnd(r, 40);
    uint64_t mant = rng_next(r) | 1ull << 63;
    if (rnd(r, 4) == 0)
        mant &= 0xFFFFFF0000000000ull;
    *se = (uint16_t)(rnd(r, 2) << 15 | e);
    *m = mant;
}

/* ---- forms ------------------------------------------------------------------------------------- */

static bool is_simd(const OpcodeRow *row)
{
    return row->attr & (A_X87 | A_MMX | A_SSE | A_SSE2);
}

/* Can operand kind k live in ModRM.rm as a register? As memory? */
static bool rm_reg_ok(OperandKind k) { return k == OK_E || k == OK_Q || k == OK_W || k == OK_N || k == OK_U || k == OK_R || k == OK_STI; }
static bool rm_mem_ok(OperandKind k) { return k == OK_E || k == OK_Q || k == OK_W || k == OK_M; }
static bool is_rm_kind(OperandKind k) { return rm_reg_ok(k) || rm_mem_ok(k); }

static void add_form(Form *forms, unsigned *n, unsigned max, const OpcodeRow *row, bool mem, bool op16)
{
    if (*n >= max)
        return;
    Form *f = &forms[(*n)++];
    memset(f, 0, sizeof *f);
    f->row = row;
    f->mem = mem;
    f->op16 = op16;
    snprintf(f->name, sizeof f->name, "%s%s%s %s", op16 ? "o16 " : "",
             row->pfx == PFX_66 ? "66 " : row->pfx == PFX_F3 ? "f3 " : row->pfx == PFX_F2 ? "f2 " : "",
             row->mnem, mem ? "mem" : "reg");
}

unsigned forms_build(Form *forms, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < optable_nrows; i++) {
        const OpcodeRow *row = &optable_rows[i];
        if (!is_simd(row))
            continue;
        unsigned kind = SEL_KIND(row->sel);
        OperandKind rmk = OK_NONE;
        for (int k = 0; k < row->nopnd; k++)
            if (is_rm_kind(OPND_KIND(row->opnd[k])))
                rmk = OPND_KIND(row->opnd[k]);
        bool can_reg = kind == SEL_RM3(0) || kind == SEL_MODRM(0) || kind == SEL_RM3_ANY ||
                       ((kind == SEL_ANY || kind == SEL_REG(0)) && (rmk == OK_NONE || rm_reg_ok(rmk)));
        bool can_mem = kind == SEL_MEM(0) || kind == SEL_MEM_ANY ||
                       ((kind == SEL_ANY || kind == SEL_REG(0)) && rm_mem_ok(rmk));
        if (can_reg)
            add_form(forms, &n, max, row, false, false);
        if (can_mem) {
            add_form(forms, &n, max, row, true, false);
            if (row->op == OP_FLDENV || row->op == OP_FNSTENV || row->op == OP_FNSAVE || row->op == OP_FRSTOR)
                add_form(forms, &n, max, row, true, true);
        }
    }
    return n;
}

/* ---- cases ----------------------------------------------------------------------------------------- */

static const unsigned safe_gprs[] = { R_EAX, R_ECX, R_EDX, R_EBP, R_ESI };

/* A register number for an operand kind. */
static unsigned pick_reg(Rng *r, OperandKind k)
{
    if (k == OK_G || k == OK_E || k == OK_R)
        return safe_gprs[rnd(r, N(safe_gprs))];
    return rnd(r, 8);
}

/* The ModRM byte (and whether there is one) for a form. */
static bool make_modrm(const Form *f, Rng *r, uint8_t *modrm)
{
    const OpcodeRow *row = f->row;
    unsigned kind = SEL_KIND(row->sel), val = SEL_VALUE(row->sel);
    if (kind == SEL_MODRM(0)) {
        *modrm = (uint8_t)val;
        return true;
    }
    OperandKind regk = OK_NONE, rmk = OK_NONE;
    bool any = false;
    for (int k = 0; k < row->nopnd; k++) {
        OperandKind ok = OPND_KIND(row->opnd[k]);
        if (is_rm_kind(ok))
            rmk = ok;
        else if (ok == OK_G || ok == OK_P || ok == OK_V)
            regk = ok;
        any |= is_rm_kind(ok) || ok == OK_G || ok == OK_P || ok == OK_V;
    }
    if (kind == SEL_ANY && !any && !(row->attr & A_MODRM))
        return false;
    unsigned reg = (kind == SEL_REG(0) || kind == SEL_MEM(0) || kind == SEL_RM3(0)) ? val : pick_reg(r, regk);
    unsigned rm = f->mem ? 3 /* [EBX + disp8] */ : pick_reg(r, rmk);
    *modrm = (uint8_t)((f->mem ? 1 : 3) << 6 | (reg & 7) << 3 | rm);
    return true;
}

static bool has_imm8(const OpcodeRow *row)
{
    for (int k = 0; k < row->nopnd; k++)
        if (OPND_KIND(row->opnd[k]) == OK_I)
            return true;
    return false;
}

static uint8_t gen_imm(Rng *r)
{
    static const uint8_t edge[] = { 0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 255, 0x1B, 0xE4 };
    return rnd(r, 2) ? edge[rnd(r, N(edge))] : (uint8_t)rng_next(r);
}

/* The x87 control word: rounding and precision from the case number (every combination
 * in turn), masks mostly all set. */
static uint16_t gen_fcw(Rng *r, unsigned idx)
{
    uint16_t masks = rnd(r, 4) ? 0x3F : (uint16_t)(rng_next(r) & 0x3F);
    return (uint16_t)(0x0040 | masks | (idx & 3) << 10 | ((idx >> 2) & 3) << 8);
}

/* MXCSR: rounding, DAZ and FTZ from the case number; masks mostly all set. */
static uint32_t gen_mxcsr(Rng *r, unsigned idx)
{
    uint32_t masks = rnd(r, 4) ? 0x3F : (uint32_t)(rng_next(r) & 0x3F);
    uint32_t flags = rnd(r, 2) ? 0 : (uint32_t)(rng_next(r) & 0x3F);
    return flags | masks << 7 | (idx & 3) << 13 | ((idx >> 2) & 1) << 6 | ((idx >> 3) & 1) << 15;
}

/* A whole x87/SSE state image. `pending`: leave an unmasked x87 exception pending. */
static void gen_fx(Rng *r, unsigned idx, bool x87, bool pending, uint8_t *fx)
{
    memset(fx, 0, 512);
    uint16_t fcw = x87 ? gen_fcw(r, idx) : 0x037F;
    unsigned top = rnd(r, 8);
    uint16_t flags = (uint16_t)(rng_next(r) & 0x7F) & (uint16_t)(fcw | FSW_SF_BIT); /* masked only */
    uint16_t fsw = (uint16_t)(flags | (rng_next(r) & 0x4700) | top << 11);
    if (pending) {
        fcw &= (uint16_t)~0x04; /* ZE unmasked and flagged */
        fsw |= 0x04 | 0x80 | 0x8000;
    }
    uint8_t tags = (uint8_t)rng_next(r) | (uint8_t)rng_next(r) | (uint8_t)rng_next(r);
    switch (rnd(r, 10)) {
    case 0: tags = 0xFF; break;                          /* full: pushes overflow */
    case 1: tags &= (uint8_t)~(1u << top); break;        /* ST(0) empty */
    case 2: tags &= (uint8_t)~(1u << ((top + 1) & 7)); break; /* ST(1) empty */
    default: break;
    }
    sd_put16(fx + FX_FCW, fcw);
    sd_put16(fx + FX_FSW, fsw);
    fx[FX_FTW] = tags;
    sd_put16(fx + FX_FOP, (uint16_t)(rng_next(r) & 0x7FF));
    sd_put32(fx + FX_FIP, 0x00ABC123u);
    sd_put16(fx + FX_FCS, 0x0073);
    sd_put32(fx + FX_FDP, 0x00ABD456u);
    sd_put16(fx + FX_FDS, 0x007B);
    sd_put32(fx + FX_MXCSR, gen_mxcsr(r, idx));
    for (unsigned i = 0; i < 8; i++) {
        uint16_t se;
        uint64_t m;
        if (x87) {
            gen_f80(r, &se, &m);
        } else {
            se = (uint16_t)rng_next(r);
            m = gen_chunk(r);
        }
        sd_put64(fx + FX_ST + 16 * i, m);
        sd_put16(fx + FX_ST + 16 * i + 8, se);
    }
    for (unsigned i = 0; i < 16; i++)
        sd_put64(fx + FX_XMM + 8 * i, gen_chunk(r));
}

/* A memory operand of an x87 row, in the format the row reads. */
static void gen_x87_mem(Rng *r, const DecodedInsn *insn, uint8_t *p)
{
    unsigned size = insn->opnd[0].size;
    bool integer = insn->op == OP_FILD || insn->op == OP_FIADD || insn->op == OP_FISUB ||
                   insn->op == OP_FISUBR || insn->op == OP_FIMUL || insn->op == OP_FIDIV ||
                   insn->op == OP_FIDIVR || insn->op == OP_FICOM || insn->op == OP_FICOMP;
    if (insn->op == OP_FBLD) {
        for (int i = 0; i < 9; i++)
            p[i] = (uint8_t)(rnd(r, 10) << 4 | rnd(r, 10));
        p[9] = rnd(r, 2) ? 0x80 : 0;
    } else if (integer) {
        uint64_t v = gen_int(r) | (uint64_t)(rnd(r, 4) ? 0 : gen_int(r)) << 32;
        if (size == 8 && rnd(r, 2))
            v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
        for (unsigned i = 0; i < size; i++)
            p[i] = (uint8_t)(v >> (8 * i));
    } else if (size == 4) {
        sd_put32(p, gen_f32(r));
    } else if (size == 8) {
        sd_put64(p, gen_f64(r));
    } else if (size == 10) {
        uint16_t se;
        uint64_t m;
        gen_f80(r, &se, &m);
        sd_put64(p, m);
        sd_put16(p + 8, se);
    }
}

void make_case(const Form *f, Rng *r, unsigned idx, SdCase *c)
{
    const OpcodeRow *row = f->row;
    memset(c, 0, sizeof *c);
    unsigned n = 0;
    if (f->op16)
        c->bytes[n++] = 0x66;
    if (row->pfx == PFX_66)
        c->bytes[n++] = 0x66;
    else if (row->pfx == PFX_F3)
        c->bytes[n++] = 0xF3;
    else if (row->pfx == PFX_F2)
        c->bytes[n++] = 0xF2;
    if (row->map == 1)
        c->bytes[n++] = 0x0F;
    c->bytes[n++] = row->opcode;
    uint8_t modrm;
    int8_t disp = 0;
    if (make_modrm(f, r, &modrm)) {
        c->bytes[n++] = modrm;
        if (f->mem) {
            /* Mostly 16-byte aligned; sometimes not, for the alignment checks. */
            disp = (int8_t)(rnd(r, 8) ? (int)(rnd(r, 16) * 16) - 128 : (int)rnd(r, 256) - 128);
            c->bytes[n++] = (uint8_t)disp;
        }
    }
    if (has_imm8(row))
        c->bytes[n++] = gen_imm(r);
    c->len = n;

    bool x87 = row->attr & A_X87;
    bool mmx = false;
    for (int k = 0; k < row->nopnd; k++) {
        OperandKind ok = OPND_KIND(row->opnd[k]);
        mmx |= ok == OK_P || ok == OK_Q || ok == OK_N;
    }
    bool pending = (x87 || mmx) && rnd(r, 10) == 0;
    gen_fx(r, idx, x87, pending, c->in.fx);
    for (int g = 0; g < 8; g++)
        c->in.gpr[g] = gen_int(r);
    c->in.gpr[R_EBX] = SD_DATA_BASE + SD_EBX_OFF;
    c->in.gpr[R_EDI] = SD_DATA_BASE + SD_EDI_OFF;
    c->in.gpr[R_ESP] = 0;
    c->in.eflags = 0x2 | ((uint32_t)rng_next(r) & 0x8D5);
    for (unsigned i = 0; i < SD_WINDOW; i += 8)
        sd_put64(c->in.mem + i, gen_chunk(r));
    if (!f->mem)
        return;

    /* The memory operand gets data in the form its instruction reads. */
    uint8_t *p = c->in.mem + SD_EBX_OFF + disp;
    DecodedInsn insn;
    if (decode(c->bytes, c->len, true, &insn) != DEC_OK)
        return;
    switch (insn.op) {
    case OP_LDMXCSR: sd_put32(p, rnd(r, 8) ? gen_mxcsr(r, idx) : (uint32_t)rng_next(r)); break;
    case OP_FXRSTOR: {
        uint8_t img[512];
        gen_fx(r, idx + 1, rnd(r, 2), rnd(r, 10) == 0, img);
        if (!rnd(r, 8))
            sd_put32(img + FX_MXCSR, (uint32_t)rng_next(r));
        memcpy(p, img, FX_USED);
        break;
    }
    default:
        if (x87)
            gen_x87_mem(r, &insn, p);
        break;
    }
}
