/* decode.c — table-driven x86 decoder (see decode.h).
 *
 * decode_init() turns the rows of the opcode table into derived tables, by the selection
 * rules of pick_row()/select_row(), once:
 *  - per (map, opcode) a Slot: whether a ModRM byte follows, which ModRM bits select the
 *    row (none, mod = 11B, that and the reg field, or the whole byte for the x87 escapes),
 *    whether 66/F2/F3 select it, and the length facts when all its rows agree;
 *  - per slot a run of sel_table entries, one per (prefix class, ModRM key): the row and
 *    what the length and validity depend on (immediate bytes, address or not, #UD forms);
 *  - per row a Recipe (register-number lanes, immediate kinds, rare checks) and four
 *    DecodedInsn templates (16/32-bit operand size x memory/register form);
 *  - per ModRM byte (and SIB byte) a packed addressing-form word.
 * Decoding then copies a template and patches it: the length, the addressing fields, the
 * immediate and the register numbers, with table lookups and masks instead of branches.
 *
 * Running out of bytes: with 32 bytes or more the decoder reads the buffer in place; with
 * fewer it works on a zero-padded copy. When at least 15 bytes are there and at most three
 * prefixes precede the opcode nothing can overrun, and no check is made (the common case).
 * Otherwise a decode that would use bytes past the end of the buffer or past 15 goes to
 * end_status(), which walks the instruction's fields in order, as a byte-by-byte reader
 * would, to tell DEC_NEED_MORE from DEC_TOO_LONG.
 */
#include "cpu/decode.h"

#include <stdio.h>
#include <string.h>

#define NO_ROW 0xFFFF /* row_index() of no row */
#define MAX_CAND 48
#define PAD_LEN 32

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

/* ---- derived structures ------------------------------------------------------------------ */

enum { SLOT_NONE, SLOT_SINGLE, SLOT_TABLE };
/* ModRM keys of a table slot: none, mod = 11B or not, that and the reg field, the byte. */
enum { MK_NONE, MK_MOD, MK_REGMOD, MK_FULL };
static const unsigned mk_count[4] = {1, 2, 16, 256};

typedef struct Slot {
    uint8_t has_modrm;  /* a ModRM byte follows the opcode */
    uint8_t modrm_mask; /* 0xFF when a ModRM byte follows, else 0 */
    uint8_t mk;         /* MK_*: which ModRM bits select the row */
    uint8_t mandatory;  /* rows are selected by 66/F2/F3 */
    uint16_t base;      /* offset of the slot's entries in sel_table */
    uint8_t kind;       /* SLOT_* (for the record; every slot is a table) */
    /* When every row of the slot agrees on the facts the length depends on (and none reads
     * a far pointer, moffs or two immediates), they are here too, so the length does not
     * wait for the row: bit 7 uniform, bit 6 an address follows when mod != 11B, bits 0-2
     * immediate bytes with a 16-bit operand size, bits 3-5 with a 32-bit one. */
    uint8_t len_facts;
} Slot;
#define LF_UNIFORM 0x80
#define LF_EA 0x40

/* A sel_table entry: the row and what the length and the validity depend on, so that
 * neither waits for the row's recipe. */
#define MAX_ROWS 2048
#define E_ROW 0x7FFu         /* row index */
#define E_EA (1u << 11)      /* mod != 11B means an address follows */
#define E_IMM16_SHIFT 12     /* 3 bits: immediate bytes with a 16-bit operand size */
#define E_IMM32_SHIFT 15     /* 3 bits: ... with a 32-bit operand size */
#define E_SLOW (1u << 18)    /* far pointer, moffs or two immediates: read_fields() */
#define E_BAD_SHIFT 19       /* bit 19: #UD with mod != 11B; bit 20: #UD with mod = 11B */
#define E_PFX66 (1u << 21)   /* selected by a mandatory 66 */
#define E_CHECKS (1u << 22)  /* late_checks() has something to check */
#define E_IK16_SHIFT 23      /* 3 bits: immediate kind (IK_*) with a 16-bit operand size */
#define E_IK32_SHIFT 26      /* 3 bits: ... with a 32-bit operand size */

/* How the one simple immediate is extended: zero-extended 8/16/32 bits, a sign-extended
 * byte, a sign-extended byte cut to 16 bits (Ibs with a 16-bit operand size), a
 * sign-extended word (rel16). */
enum { IK_NONE, IK_U8, IK_U16, IK_U32, IK_S8, IK_S8W16, IK_S16 };
static const uint8_t imm_shift_of[8] = {0, 24, 16, 0, 24, 24, 16, 0};
static const uint32_t imm_mask_of[8] = {0, 0xFFu, 0xFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFu,
                                        0xFFFFFFFFu, 0};
#define E_NONE (3u << E_BAD_SHIFT) /* no row: #UD in both forms */

/* Where an operand's register number comes from. */
enum { RS_NONE, RS_REG, RS_RM, RS_OPC };

/* Immediate-like fields, in encoding order. */
enum { IF_NONE, IF_IMM, IF_IMM_S8, IF_REL, IF_FAR, IF_MOFFS };
enum { IS_1, IS_2, IS_OPSIZE };

/* Rare checks done after the operands are known. */
#define CHK_SREG 0x01  /* ModRM reg names a segment register: 6 and 7 do not exist */
#define CHK_CREG 0x02  /* ModRM reg names a control register: CR1, CR5-CR7 do not exist */
#define CHK_MOVCS 0x04 /* MOV Sreg, r/m: CS is not a destination */

/* What decoding needs of a row (32 bytes); the operand templates are apart. */
typedef struct __attribute__((aligned(32))) Recipe {
    uint32_t lane_reg;     /* byte i is 1 when operand i's register is the ModRM reg field */
    uint32_t lane_opc;     /* ... the opcode's low three bits */
    uint32_t lane_rm[2];   /* [mod = 11B] ... the ModRM r/m field */
    uint8_t imm_len[2];    /* [32-bit operand size]: bytes of the one simple immediate */
    uint8_t imm_slow;      /* far pointer, moffs or two immediates: read_fields() */
    uint8_t imm_kind[2];   /* IF_* fields in encoding order */
    uint8_t imm_size[2];   /* IS_* */
    uint8_t needs_ea;      /* mod != 3 means an address follows */
    uint8_t bad;           /* bit 0: #UD with mod != 11B (register-only operand);
                              bit 1: #UD with mod = 11B (memory-only operand) */
    uint8_t lock_ok;       /* LOCK allowed when the destination (operand 0) is memory */
    uint8_t rep_mask;      /* 0xFF when REP/REPE/REPNE repeat it */
    uint8_t pfx66;         /* the row is selected by a mandatory 66 */
    uint8_t checks;        /* CHK_* */
} Recipe;

/* Addressing forms: packed words from the ModRM (and SIB) byte.
 * bits 0-7 base (EA_NONE for none), 8-15 index, 16-17 scale, 18-20 address bytes after
 * ModRM (SIB and displacement), 21-23 displacement kind (DK_*), 24 a SIB byte follows,
 * 25 the default segment is SS. */
enum { DK_NONE, DK_S8, DK_U16, DK_U32, DK_S8W16 }; /* DK_S8W16: disp8, 16-bit wrap */
#define EW(base, index, scale, dlen, sib, ss, w16)                                            \
    ((uint32_t)(base) | (uint32_t)(index) << 8 | (uint32_t)(scale) << 16 |                    \
     (uint32_t)((dlen) + (sib)) << 18 |                                                       \
     (uint32_t)((dlen) == 0 ? DK_NONE : (dlen) == 1 ? ((w16) ? DK_S8W16 : DK_S8)              \
                : (dlen) == 2 ? DK_U16 : DK_U32) << 21 |                                      \
     (uint32_t)(sib) << 24 | (uint32_t)(ss) << 25)
static const uint8_t disp_shift[8] = {0, 24, 0, 0, 24};
static const uint32_t disp_mask[8] = {0, 0xFFFFFFFFu, 0xFFFFu, 0xFFFFFFFFu, 0xFFFFu};
static uint32_t ea16_word[256];
static uint32_t ea32_word[256];
static uint32_t sib_word[4][256]; /* [mod][SIB byte]; mod = 11B: zero (never used) */
/* ModRM key of a table slot, per MK_* kind. */
static uint8_t modrm_key[4][256];

static Slot slots[2][256];
static uint32_t sel_table[8192];
/* [row][32-bit operand size][mod = 11B]: the decode before the per-instruction patches */
static DecodedInsn templates[MAX_ROWS][2][2] __attribute__((aligned(64)));
static bool initialised;

/* Prefix bytes: what each one does. */
enum { PK_NONE, PK_SEG, PK_OPSIZE, PK_ADSIZE, PK_LOCK, PK_REPNE, PK_REP };
static uint8_t prefix_kind[256];
static uint8_t prefix_seg[256];
static uint8_t prefix_bit[256]; /* PRE_* */

/* ---- building the structures ------------------------------------------------------------- */

static bool kind_uses_modrm(OperandKind k)
{
    switch (k) {
    case OK_E: case OK_G: case OK_M: case OK_R: case OK_S: case OK_C: case OK_D:
    case OK_STI: case OK_P: case OK_Q: case OK_N: case OK_V: case OK_W: case OK_U:
        return true;
    default:
        return false;
    }
}

static bool row_has_modrm(const OpcodeRow *r)
{
    if (r->sel != SEL_ANY)
        return true;
    for (int i = 0; i < 3; i++)
        if (kind_uses_modrm(OPND_KIND(r->opnd[i])))
            return true;
    return false;
}

static bool row_has_z(const OpcodeRow *r)
{
    for (int i = 0; i < 3; i++)
        if (OPND_KIND(r->opnd[i]) == OK_Z)
            return true;
    return false;
}

/* Lower sorts first: exact ModRM, then register/memory forms, then prefix-specific rows. */
static int row_specificity(const OpcodeRow *r)
{
    int s;
    switch (SEL_KIND(r->sel)) {
    case 0x400: s = 0; break;
    case 0x200: case 0x300: s = 1; break;
    case 0x500: case 0x600: s = 2; break;
    case 0x100: s = 3; break;
    default: s = 4; break;
    }
    return s * 2 + (r->pfx == PFX_ANY);
}

static bool sel_matches(uint16_t sel, uint8_t modrm)
{
    unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7;
    switch (SEL_KIND(sel)) {
    case 0x000: return true;
    case 0x100: return reg == SEL_VALUE(sel);
    case 0x200: return mod != 3 && reg == SEL_VALUE(sel);
    case 0x300: return mod == 3 && reg == SEL_VALUE(sel);
    case 0x400: return modrm == SEL_VALUE(sel);
    case 0x500: return mod != 3;
    case 0x600: return mod == 3;
    default: return false;
    }
}

static const OpcodeRow *pick_row(const OpcodeRow *const *cand, unsigned n, uint8_t modrm,
                                 unsigned pfx_class)
{
    for (unsigned i = 0; i < n; i++) {
        const OpcodeRow *r = cand[i];
        if (r->pfx != PFX_ANY && r->pfx != pfx_class)
            continue;
        if (sel_matches(r->sel, modrm))
            return r;
    }
    return NULL;
}

/* The row for one prefix situation. The mandatory prefix is the last of F2/F3, else 66.
 * An F2/F3 that selects no row of this opcode is ignored (a 66 then still selects the SSE2
 * form); a 66 that selects none is an operand-size prefix (MMX forms). */
static const OpcodeRow *select_row(const OpcodeRow *const *cand, unsigned n, bool mandatory,
                                   uint8_t modrm, unsigned rep, bool has66)
{
    unsigned cls = PFX_NP;
    if (mandatory)
        cls = rep == 1 ? PFX_F3 : rep == 2 ? PFX_F2 : has66 ? PFX_66 : PFX_NP;
    const OpcodeRow *r = pick_row(cand, n, modrm, cls);
    if (!r && mandatory && (cls == PFX_F2 || cls == PFX_F3) && has66)
        r = pick_row(cand, n, modrm, PFX_66);
    if (!r && mandatory && cls != PFX_NP)
        r = pick_row(cand, n, modrm, PFX_NP);
    return r;
}

static uint16_t row_index(const OpcodeRow *r)
{
    return r ? (uint16_t)(r - optable_rows) : NO_ROW;
}

static Recipe recipes[MAX_ROWS];

/* The IK_* kind of a row's simple immediate for one operand size. */
static unsigned imm_kind_of(const Recipe *rc, unsigned os32)
{
    if (rc->imm_slow || rc->imm_kind[0] == IF_NONE)
        return IK_NONE;
    unsigned len = rc->imm_len[os32];
    switch (rc->imm_kind[0]) {
    case IF_IMM_S8: return os32 ? IK_S8 : IK_S8W16;
    case IF_REL: return len == 1 ? IK_S8 : len == 2 ? IK_S16 : IK_U32;
    default: return len == 1 ? IK_U8 : len == 2 ? IK_U16 : IK_U32;
    }
}

static bool sel_reg_only(uint16_t sel)
{
    unsigned kind = SEL_KIND(sel);
    return kind == 0x300 || kind == 0x400 || kind == 0x600;
}

/* The slot's len_facts: uniform when all its rows agree on the immediate bytes and on
 * whether an address follows mod != 11B (rows reachable only with mod = 11B have none). */
static uint8_t slot_len_facts(const OpcodeRow *const *cand, unsigned n)
{
    int ea = -1;
    unsigned l16 = 0, l32 = 0;
    for (unsigned k = 0; k < n; k++) {
        const Recipe *rc = &recipes[cand[k] - optable_rows];
        if (rc->imm_slow || (k && (rc->imm_len[0] != l16 || rc->imm_len[1] != l32)))
            return 0;
        l16 = rc->imm_len[0];
        l32 = rc->imm_len[1];
        if (!sel_reg_only(cand[k]->sel)) {
            if (ea >= 0 && ea != rc->needs_ea)
                return 0;
            ea = rc->needs_ea;
        }
    }
    return (uint8_t)(n ? LF_UNIFORM | (ea > 0 ? LF_EA : 0) | l16 | l32 << 3 : 0);
}

/* The sel_table entry of a row (recipes are built first). */
static uint32_t sel_entry(const OpcodeRow *r)
{
    if (!r)
        return E_NONE;
    unsigned ri = row_index(r);
    const Recipe *rc = &recipes[ri];
    return ri | (rc->needs_ea ? E_EA : 0) | (uint32_t)rc->imm_len[0] << E_IMM16_SHIFT |
           (uint32_t)rc->imm_len[1] << E_IMM32_SHIFT | (rc->imm_slow ? E_SLOW : 0) |
           (uint32_t)rc->bad << E_BAD_SHIFT | (rc->pfx66 ? E_PFX66 : 0) |
           (rc->checks ? E_CHECKS : 0) |
           (uint32_t)imm_kind_of(rc, 0) << E_IK16_SHIFT | (uint32_t)imm_kind_of(rc, 1) << E_IK32_SHIFT;
}

/* Candidate rows of one opcode, most specific first. */
static unsigned gather(unsigned map, unsigned opc, const OpcodeRow **tmp)
{
    unsigned n = 0;
    for (unsigned i = 0; i < optable_nrows; i++) {
        const OpcodeRow *r = &optable_rows[i];
        if (r->map != map)
            continue;
        /* A row with a register-in-opcode operand covers opcode .. opcode|7. */
        bool covers = r->opcode == opc ||
                      (row_has_z(r) && opc > r->opcode && opc <= (r->opcode | 7u));
        if (covers && n < MAX_CAND)
            tmp[n++] = r;
    }
    for (unsigned a = 1; a < n; a++) { /* stable insertion sort */
        const OpcodeRow *x = tmp[a];
        unsigned b = a;
        while (b > 0 && row_specificity(tmp[b - 1]) > row_specificity(x)) {
            tmp[b] = tmp[b - 1];
            b--;
        }
        tmp[b] = x;
    }
    return n;
}

/* A ModRM byte that stands for table key k. */
static uint8_t key_modrm(const Slot *s, unsigned k)
{
    switch (s->mk) {
    case MK_MOD: return (uint8_t)(k ? 0xC0 : 0);
    case MK_REGMOD: return (uint8_t)(k < 8 ? k << 3 : 0xC0 | (k - 8) << 3);
    case MK_FULL: return (uint8_t)k;
    default: return 0;
    }
}

/* Which ModRM bits the rows of a slot select on. */
static unsigned slot_mk(const OpcodeRow *const *cand, unsigned n, bool has_modrm)
{
    unsigned mk = has_modrm ? MK_MOD : MK_NONE;
    for (unsigned k = 0; k < n; k++) {
        unsigned kind = SEL_KIND(cand[k]->sel);
        if (kind == 0x400)
            return MK_FULL;
        if (kind == 0x100 || kind == 0x200 || kind == 0x300)
            mk = MK_REGMOD;
    }
    return mk;
}

static unsigned build_slot(unsigned map, unsigned opc, unsigned used)
{
    const OpcodeRow *cand[MAX_CAND];
    unsigned n = gather(map, opc, cand);
    Slot *s = &slots[map][opc];
    memset(s, 0, sizeof *s);
    bool any_sel = false;
    for (unsigned k = 0; k < n; k++) {
        s->has_modrm |= row_has_modrm(cand[k]);
        s->mandatory |= cand[k]->pfx != PFX_ANY;
        any_sel |= cand[k]->sel != SEL_ANY;
    }
    s->mk = (uint8_t)slot_mk(cand, n, s->has_modrm);
    s->len_facts = slot_len_facts(cand, n);
    s->modrm_mask = s->has_modrm ? 0xFF : 0;
    if (n == 0 || (n == 1 && !any_sel && !s->mandatory)) {
        /* no rows, or one for the whole opcode: a one-entry table */
        s->kind = (uint8_t)(n ? SLOT_SINGLE : SLOT_NONE);
        s->mk = MK_NONE;
        s->base = (uint16_t)used;
        if (used < sizeof sel_table / sizeof sel_table[0])
            sel_table[used] = sel_entry(n ? cand[0] : NULL);
        return used + 1;
    }
    s->kind = SLOT_TABLE;
    s->base = (uint16_t)used;
    unsigned nk = mk_count[s->mk], np = s->mandatory ? 6 : 1;
    for (unsigned p = 0; p < np; p++)
        for (unsigned k = 0; k < nk; k++) {
            const OpcodeRow *r = select_row(cand, n, s->mandatory, key_modrm(s, k), p >> 1, p & 1);
            if (used < sizeof sel_table / sizeof sel_table[0])
                sel_table[used] = sel_entry(r);
            used++;
        }
    return used;
}

/* ---- recipes ----------------------------------------------------------------------------- */

/* Bytes of a memory operand of the given size (0 when the size is not fixed: LEA, INVLPG). */
static uint8_t mem_size(OperandSize sz, unsigned opsize)
{
    switch (sz) {
    case SZ_B: return 1;
    case SZ_W: case SZ_WV: case SZ_I16: return 2;
    case SZ_D: case SZ_F32: case SZ_I32: return 4;
    case SZ_V: case SZ_Z: return (uint8_t)opsize;
    case SZ_P: return (uint8_t)(opsize + 2);
    case SZ_A: return (uint8_t)(opsize * 2);
    case SZ_S: return 6;
    case SZ_Q: case SZ_F64: case SZ_I64: return 8;
    case SZ_F80: case SZ_BCD: return 10;
    case SZ_DQ: return 16;
    case SZ_ENV: return opsize == 4 ? 28 : 14;
    case SZ_FSAVE: return opsize == 4 ? 108 : 94;
    case SZ_FXSAVE: return 0; /* 512: larger than a byte; handlers know */
    default: return 0;
    }
}

static uint8_t reg_size(OperandSize sz, unsigned opsize)
{
    switch (sz) {
    case SZ_B: return 1;
    case SZ_W: return 2;
    case SZ_D: return 4;
    default: return (uint8_t)opsize;
    }
}

/* The resolved operand for one spec, operand size and ModRM form; *src says where its
 * register number comes from. Immediates get their index in reg (0: imm, 1: imm2). */
static Operand resolve(uint16_t spec, unsigned opsize, bool mod3, uint8_t *src, int *nimm)
{
    OperandKind k = OPND_KIND(spec);
    OperandSize sz = OPND_SIZE(spec);
    Operand o = {0, 0, 0};
    *src = RS_NONE;
    switch (k) {
    case OK_E: case OK_Q: case OK_W:
        if (mod3) {
            o.type = k == OK_E ? OPT_GPR : k == OK_Q ? OPT_MMX : OPT_XMM;
            o.size = k == OK_E ? reg_size(sz, opsize) : mem_size(sz, opsize);
            *src = RS_RM;
        } else {
            o.type = OPT_MEM;
            o.size = mem_size(sz, opsize);
        }
        break;
    case OK_M: o.type = OPT_MEM; o.size = mem_size(sz, opsize); break;
    case OK_R: o.type = OPT_GPR; o.size = 4; *src = RS_RM; break;
    case OK_N: case OK_U:
        o.type = k == OK_N ? OPT_MMX : OPT_XMM;
        o.size = mem_size(sz, opsize);
        *src = RS_RM;
        break;
    case OK_G: o.type = OPT_GPR; o.size = reg_size(sz, opsize); *src = RS_REG; break;
    case OK_P: case OK_V:
        o.type = k == OK_P ? OPT_MMX : OPT_XMM;
        o.size = mem_size(sz, opsize);
        *src = RS_REG;
        break;
    case OK_S: o.type = OPT_SEG; o.size = 2; *src = RS_REG; break;
    case OK_C: o.type = OPT_CR; o.size = 4; *src = RS_REG; break;
    case OK_D: o.type = OPT_DR; o.size = 4; *src = RS_REG; break;
    case OK_Z: o.type = OPT_GPR; o.size = reg_size(sz, opsize); *src = RS_OPC; break;
    case OK_FIXREG: o.type = OPT_GPR; o.size = reg_size(sz, opsize); o.reg = (uint8_t)OPND_REG(spec); break;
    case OK_FIXSEG: o.type = OPT_SEG; o.size = 2; o.reg = (uint8_t)OPND_REG(spec); break;
    case OK_ONE: o.type = OPT_IMM; o.size = 1; o.reg = 2; break; /* the constant 1 */
    case OK_ST0: o.type = OPT_ST; o.size = 10; break;
    case OK_STI: o.type = OPT_ST; o.size = 10; *src = RS_RM; break;
    case OK_X: o.type = OPT_STRSRC; o.size = reg_size(sz, opsize); break;
    case OK_Y: o.type = OPT_STRDST; o.size = reg_size(sz, opsize); break;
    case OK_I:
        o.type = OPT_IMM;
        o.size = (uint8_t)(sz == SZ_B ? 1 : sz == SZ_W ? 2 : opsize);
        o.reg = (uint8_t)(*nimm)++;
        break;
    case OK_IS: o.type = OPT_IMM; o.size = (uint8_t)opsize; o.reg = (uint8_t)(*nimm)++; break;
    case OK_J: o.type = OPT_REL; o.size = (uint8_t)(sz == SZ_B ? 1 : opsize); break;
    case OK_A: o.type = OPT_FAR; o.size = (uint8_t)(opsize + 2); break;
    case OK_O: o.type = OPT_MEM; o.size = mem_size(sz, opsize); break;
    default: break;
    }
    return o;
}

/* Immediate-like fields of a row, in encoding order (operand order). */
static void recipe_fields(const OpcodeRow *r, Recipe *rc)
{
    unsigned f = 0;
    for (int i = 0; i < r->nopnd && f < 2; i++) {
        OperandKind k = OPND_KIND(r->opnd[i]);
        OperandSize sz = OPND_SIZE(r->opnd[i]);
        uint8_t size = sz == SZ_B ? IS_1 : sz == SZ_W ? IS_2 : IS_OPSIZE;
        switch (k) {
        case OK_I: rc->imm_kind[f] = IF_IMM; rc->imm_size[f++] = size; break;
        case OK_IS: rc->imm_kind[f] = IF_IMM_S8; rc->imm_size[f++] = IS_1; break;
        case OK_J: rc->imm_kind[f] = IF_REL; rc->imm_size[f++] = size; break;
        case OK_A: rc->imm_kind[f] = IF_FAR; rc->imm_size[f++] = IS_OPSIZE; break;
        case OK_O: rc->imm_kind[f] = IF_MOFFS; rc->imm_size[f++] = IS_OPSIZE; break;
        default: break;
        }
    }
}

/* The one simple immediate of a row (none, or one Ib/Iw/Iz/Ibs/Jb/Jz), for the
 * branch-free path; anything else is read by read_fields(). */
static void recipe_simple_imm(Recipe *rc)
{
    unsigned n = (rc->imm_kind[0] != IF_NONE) + (rc->imm_kind[1] != IF_NONE);
    unsigned k = rc->imm_kind[0];
    rc->imm_slow = n > 1 || k == IF_FAR || k == IF_MOFFS;
    if (n == 0 || rc->imm_slow)
        return;
    for (unsigned os = 0; os < 2; os++)
        rc->imm_len[os] = (uint8_t)(rc->imm_size[0] == IS_1 ? 1
                                    : rc->imm_size[0] == IS_2 ? 2 : os ? 4 : 2);
}

static void recipe_templates(const OpcodeRow *r, Recipe *rc, DecodedInsn tmpl[2][2])
{
    for (unsigned os = 0; os < 2; os++)
        for (unsigned m3 = 0; m3 < 2; m3++) {
            DecodedInsn *t = &tmpl[os][m3];
            memset(t, 0, sizeof *t);
            t->row = r;
            t->op = r->op;
            t->map = r->map;
            t->opsize = os ? 4 : 2;
            t->adsize = os ? 4 : 2; /* without prefixes the two sizes agree */
            t->has_modrm = row_has_modrm(r);
            t->seg = SEG_DS;
            t->nopnd = r->nopnd;
            t->ea_base = t->ea_index = EA_NONE;
            int nimm = 0;
            for (int i = 0; i < r->nopnd; i++) {
                uint8_t src;
                t->opnd[i] = resolve(r->opnd[i], os ? 4 : 2, m3, &src, &nimm);
                uint32_t lane = 1u << (8 * i);
                if (src == RS_REG)
                    rc->lane_reg |= lane;
                else if (src == RS_RM)
                    rc->lane_rm[m3] |= lane;
                else if (src == RS_OPC)
                    rc->lane_opc |= lane;
            }
        }
}

static void build_recipe(const OpcodeRow *r, Recipe *rc, DecodedInsn tmpl[2][2])
{
    memset(rc, 0, sizeof *rc);
    recipe_templates(r, rc, tmpl);
    recipe_fields(r, rc);
    recipe_simple_imm(rc);
    bool bad_mod3 = false, bad_mem = false;
    for (int i = 0; i < r->nopnd; i++) {
        OperandKind k = OPND_KIND(r->opnd[i]);
        rc->needs_ea |= k == OK_E || k == OK_M || k == OK_Q || k == OK_W;
        bad_mod3 |= k == OK_M;
        bad_mem |= k == OK_N || k == OK_U;
        if (k == OK_S)
            rc->checks |= CHK_SREG;
        if (k == OK_C)
            rc->checks |= CHK_CREG;
    }
    rc->bad = (uint8_t)(bad_mem | bad_mod3 << 1);
    rc->needs_ea |= SEL_KIND(r->sel) == 0x200 || SEL_KIND(r->sel) == 0x500;
    if (r->op == OP_MOV_TO_SEG)
        rc->checks |= CHK_MOVCS;
    OperandKind k0 = r->nopnd ? OPND_KIND(r->opnd[0]) : OK_NONE;
    rc->lock_ok = (r->attr & A_LOCK) && (k0 == OK_E || k0 == OK_M);
    rc->rep_mask = (r->attr & (A_REP | A_REPCC)) ? 0xFF : 0;
    rc->pfx66 = r->pfx == PFX_66;
}

/* The addressing-form words and the ModRM keys. */
static void build_ea_tables(void)
{
    static const uint8_t base16[8] = {R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX};
    static const uint8_t index16[8] = {R_ESI, R_EDI, R_ESI, R_EDI, EA_NONE, EA_NONE, EA_NONE,
                                       EA_NONE};
    for (unsigned m = 0; m < 256; m++) {
        unsigned mod = m >> 6, rm = m & 7;
        unsigned b = base16[rm], d = mod == 1 ? 1 : mod == 2 ? 2 : 0;
        if (mod == 0 && rm == 6)
            b = EA_NONE, d = 2;
        ea16_word[m] = EW(b, index16[rm], 0, d, 0, b == R_EBP, 1);
        unsigned d32 = mod == 1 ? 1 : mod == 2 ? 4 : 0;
        if (mod == 3)
            ea32_word[m] = 0; /* a register: never used as an address */
        else if (rm == 4)
            ea32_word[m] = EW(EA_NONE, EA_NONE, 0, 0, 1, 0, 0); /* from the SIB byte */
        else if (mod == 0 && rm == 5)
            ea32_word[m] = EW(EA_NONE, EA_NONE, 0, 4, 0, 0, 0);
        else
            ea32_word[m] = EW(rm, EA_NONE, 0, d32, 0, rm == R_EBP, 0);
        modrm_key[MK_NONE][m] = 0;
        modrm_key[MK_MOD][m] = mod == 3;
        modrm_key[MK_REGMOD][m] = (uint8_t)((mod == 3 ? 8 : 0) + ((m >> 3) & 7));
        modrm_key[MK_FULL][m] = (uint8_t)m;
    }
    for (unsigned mod = 0; mod < 3; mod++)
        for (unsigned sb = 0; sb < 256; sb++) {
            unsigned base = sb & 7, index = (sb >> 3) & 7, d = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            if (mod == 0 && base == 5)
                base = EA_NONE, d = 4;
            /* index 100b is "no index": its scale means nothing, report 0 */
            sib_word[mod][sb] = EW(base, index == 4 ? EA_NONE : index, index == 4 ? 0 : sb >> 6, d, 1,
                                   base == R_ESP || base == R_EBP, 0);
        }
}

void decode_init(void)
{
    if (initialised)
        return;
    static const uint8_t segs[6][2] = {{0x26, SEG_ES}, {0x2E, SEG_CS}, {0x36, SEG_SS},
                                       {0x3E, SEG_DS}, {0x64, SEG_FS}, {0x65, SEG_GS}};
    for (unsigned i = 0; i < 6; i++) {
        prefix_kind[segs[i][0]] = PK_SEG;
        prefix_seg[segs[i][0]] = segs[i][1];
    }
    for (unsigned i = 0; i < 6; i++)
        prefix_bit[segs[i][0]] = PRE_SEG;
    prefix_bit[0x66] = PRE_OPSIZE;
    prefix_bit[0x67] = PRE_ADSIZE;
    prefix_bit[0xF0] = PRE_LOCK;
    prefix_bit[0xF2] = PRE_REPNE;
    prefix_bit[0xF3] = PRE_REP;
    prefix_kind[0x66] = PK_OPSIZE;
    prefix_kind[0x67] = PK_ADSIZE;
    prefix_kind[0xF0] = PK_LOCK;
    prefix_kind[0xF2] = PK_REPNE;
    prefix_kind[0xF3] = PK_REP;
    build_ea_tables();
    for (unsigned i = 0; i < optable_nrows && i < MAX_ROWS; i++)
        build_recipe(&optable_rows[i], &recipes[i], templates[i]);
    unsigned used = 0;
    for (unsigned map = 0; map < 2; map++)
        for (unsigned opc = 0; opc < 256; opc++)
            used = build_slot(map, opc, used);
    /* The tables are sized for the i686 rows with room to spare; a table that outgrew
     * them would be a build-time mistake, so fail loudly in every decode. */
    initialised = used <= sizeof sel_table / sizeof sel_table[0] && optable_nrows <= MAX_ROWS;
    if (!initialised)
        fprintf(stderr, "vmm86: decode_init: the opcode table (%u rows, %u selector entries) "
                        "outgrew the decoder's tables (%u, %zu): raise MAX_ROWS / sel_table\n",
                optable_nrows, used, MAX_ROWS, sizeof sel_table / sizeof sel_table[0]);
}

/* ---- decoding ---------------------------------------------------------------------------- */

_Static_assert(offsetof(DecodedInsn, ea_index) == offsetof(DecodedInsn, ea_base) + 1 &&
                   offsetof(DecodedInsn, ea_scale) == offsetof(DecodedInsn, ea_base) + 2 &&
                   offsetof(DecodedInsn, has_modrm) == offsetof(DecodedInsn, ea_base) + 3,
               "decode_body() stores ea_base..has_modrm as one word");

static inline uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static inline uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint32_t rdn(const uint8_t *p, unsigned n)
{
    return n == 1 ? p[0] : n == 2 ? rd16(p) : rd32(p);
}

/* The field layout of one decoded instruction, for end_status(). */
typedef struct Fields {
    unsigned head;      /* prefix, escape and opcode bytes (and ModRM), one byte each */
    unsigned sib;       /* 0 or 1 */
    unsigned disp;      /* displacement bytes */
    unsigned imm[3];    /* immediate fields (a far pointer is two) */
} Fields;

/* Status when the decoded instruction ends past the buffer or past 15 bytes: the first
 * field that does not fit decides, as when reading byte by byte. */
static DecodeStatus end_status(const Fields *f, size_t avail)
{
    size_t lim = avail < INSN_MAX_LEN ? avail : INSN_MAX_LEN;
    if (f->head > lim)
        return avail < INSN_MAX_LEN ? DEC_NEED_MORE : DEC_TOO_LONG;
    unsigned sizes[5] = {f->sib, f->disp, f->imm[0], f->imm[1], f->imm[2]};
    unsigned pos = f->head;
    for (unsigned i = 0; i < 5; i++) {
        pos += sizes[i];
        if (pos > INSN_MAX_LEN)
            return DEC_TOO_LONG;
        if (pos > avail)
            return DEC_NEED_MORE;
    }
    return DEC_OK;
}

/* Reads the immediate-like fields; returns the bytes consumed. */
static inline unsigned read_fields(const uint8_t *p, DecodedInsn *insn, const Recipe *rc,
                                   Fields *f)
{
    unsigned pos = 0;
    for (unsigned i = 0; i < 2 && rc->imm_kind[i] != IF_NONE; i++) {
        unsigned n = rc->imm_size[i] == IS_1 ? 1 : rc->imm_size[i] == IS_2 ? 2 : insn->opsize;
        uint32_t v;
        switch (rc->imm_kind[i]) {
        case IF_IMM:
            v = rdn(p + pos, n);
            if (i == 0 || !(rc->imm_kind[0] == IF_IMM || rc->imm_kind[0] == IF_IMM_S8))
                insn->imm = v;
            else
                insn->imm2 = v;
            break;
        case IF_IMM_S8:
            v = (uint32_t)(int32_t)(int8_t)p[pos];
            if (insn->opsize == 2)
                v &= 0xFFFF;
            if (i == 0 || !(rc->imm_kind[0] == IF_IMM || rc->imm_kind[0] == IF_IMM_S8))
                insn->imm = v;
            else
                insn->imm2 = v;
            break;
        case IF_REL:
            v = rdn(p + pos, n);
            insn->imm = n == 1 ? (uint32_t)(int32_t)(int8_t)v
                      : n == 2 ? (uint32_t)(int32_t)(int16_t)v : v;
            break;
        case IF_FAR:
            insn->imm = rdn(p + pos, n);
            insn->imm2 = rd16(p + pos + n);
            f->imm[2] = 2;
            break;
        case IF_MOFFS:
            n = insn->adsize;
            insn->disp = rdn(p + pos, n);
            break;
        }
        f->imm[i] = n;
        pos += n;
    }
    return pos + f->imm[2];
}

/* The rare checks: segment and control register numbers, MOV CS, LOCK. */
static DecodeStatus late_checks(const Recipe *rc, unsigned modrm, unsigned pfx, bool has_modrm)
{
    unsigned reg = (modrm >> 3) & 7;
    if ((rc->checks & CHK_SREG) && reg >= SEG_COUNT)
        return DEC_UNDEFINED;
    if ((rc->checks & CHK_CREG) && (reg == 1 || reg > 4)) /* CR1, CR5-CR7 */
        return DEC_UNDEFINED;
    if ((rc->checks & CHK_MOVCS) && reg == SEG_CS) /* MOV CS is #UD on the 386 and later */
        return DEC_UNDEFINED;
    if ((pfx & PRE_LOCK) && !(rc->lock_ok && has_modrm && modrm < 0xC0))
        return DEC_UNDEFINED;
    return DEC_OK;
}

/* The addressing-form word of the ModRM byte, or of the SIB byte when there is one; the
 * SIB word is loaded whether or not it is used and picked without a branch. */
static inline __attribute__((always_inline)) uint32_t
address_word(unsigned modrm, unsigned sib, unsigned adsize)
{
    if (adsize == 2)
        return ea16_word[modrm];
    uint32_t w = ea32_word[modrm], sw = sib_word[modrm >> 6][sib];
    uint32_t pick = -((w >> 24) & 1);
    return (w & ~pick) | (sw & pick);
}

/* Status of an instruction that ends past the buffer or past 15 bytes: its fields again,
 * for end_status(). p points after the ModRM byte (or the opcode). */
static DecodeStatus overrun_status(const uint8_t *p, unsigned head, unsigned modrm, unsigned mem,
                                   unsigned adsize, unsigned opsize, const Recipe *rc,
                                   size_t avail)
{
    Fields f = {head, 0, 0, {0, 0, 0}};
    if (mem) {
        uint32_t w = address_word(modrm, p[0], adsize);
        f.sib = (w >> 24) & 1;
        f.disp = ((w >> 18) & 7) - f.sib;
    }
    for (unsigned i = 0; i < 2; i++) {
        unsigned k = rc->imm_kind[i], sz = rc->imm_size[i];
        if (k == IF_NONE)
            continue;
        f.imm[i] = k == IF_MOFFS ? adsize : sz == IS_1 ? 1 : sz == IS_2 ? 2 : opsize;
        if (k == IF_FAR)
            f.imm[2] = 2;
    }
    return end_status(&f, avail);
}

/* The sel_table entry: the slot's rows, by the ModRM key and the prefix class. */
static inline __attribute__((always_inline)) uint32_t
select_entry(const Slot *s, unsigned modrm, unsigned pfx, unsigned rep)
{
    unsigned key = modrm_key[s->mk][modrm];
    if (UNLIKELY(s->mandatory))
        key += ((rep == PRE_REP ? 1u : rep == PRE_REPNE ? 2u : 0u) * 2 +
                ((pfx & PRE_OPSIZE) != 0)) * mk_count[s->mk];
    return sel_table[s->base + key];
}

/* Whether an address follows a ModRM with mod != 11B, and the immediate bytes: from the
 * slot when its rows agree (then the length does not wait for the entry). */
static inline __attribute__((always_inline)) unsigned
length_facts(const Slot *s, uint32_t e, unsigned os32, unsigned *imm_len)
{
    unsigned lf = s->len_facts;
    if (LIKELY(lf & LF_UNIFORM)) {
        *imm_len = (lf >> (os32 ? 3 : 0)) & 7;
        return (lf & LF_EA) != 0;
    }
    *imm_len = (e >> (os32 ? E_IMM32_SHIFT : E_IMM16_SHIFT)) & 7;
    return (e & E_EA) != 0;
}

/* The memory operand from the addressing bytes at p, computed always and kept only when
 * mem_mask says there is one (the template has none): no branch on the addressing form. */
static inline __attribute__((always_inline)) void
fill_memory(DecodedInsn *restrict insn, const uint8_t *p, uint32_t w, uint32_t mem_mask,
            unsigned has_modrm)
{
    unsigned dk = (w >> 21) & 7;
    uint32_t raw = rd32(p + ((w >> 24) & 1));
    insn->disp = (uint32_t)((int32_t)(raw << disp_shift[dk]) >> disp_shift[dk]) &
                 disp_mask[dk] & mem_mask;
    /* ea_base, ea_index, ea_scale and has_modrm are adjacent: one store */
    uint32_t none = EA_NONE | EA_NONE << 8;
    uint32_t ea = (w & 0x3FFFF & mem_mask) | (none & ~mem_mask) | (uint32_t)has_modrm << 24;
    memcpy(&insn->ea_base, &ea, 4);
    insn->seg = ((w & mem_mask) >> 25) & 1 ? SEG_SS : SEG_DS;
}

/* The one simple immediate, extended as its kind says; returns nothing else to read. */
static inline __attribute__((always_inline)) void
fill_immediate(DecodedInsn *restrict insn, const uint8_t *p, uint32_t e, unsigned os32)
{
    unsigned ik = (e >> (os32 ? E_IK32_SHIFT : E_IK16_SHIFT)) & 7;
    unsigned sh = imm_shift_of[ik];
    insn->imm = (uint32_t)((int32_t)(rd32(p) << sh) >> sh) & imm_mask_of[ik];
}

/* The instruction after its prefixes: p points at the opcode (or 0F). Inlined for constant
 * "no prefixes" in 16- and 32-bit code (the common cases) and for the general one. `roomy`
 * says at least 15 bytes are there (and 32 readable) and there are at most 3 prefixes:
 * nothing can run past them or past 15 bytes (2 opcode bytes + ModRM + SIB + disp32 + imm32
 * = 12 at most). The length is the critical path (the next decode starts from it): the
 * bytes that may be the opcode, ModRM and SIB are loaded at once, the 0F escape is resolved
 * without a branch, and the length does not wait for the row's recipe. */
static inline __attribute__((always_inline)) DecodeStatus
decode_body(const uint8_t *p0, const uint8_t *p, size_t avail, bool code32, unsigned pfx,
            uint8_t seg, unsigned rep, DecodedInsn *restrict insn, bool roomy)
{
    unsigned b0 = p[0], b1 = p[1], b2 = p[2], b3 = p[3];
    unsigned map = b0 == 0x0F;
    unsigned opc = map ? b1 : b0, raw_modrm = map ? b2 : b1, raw_sib = map ? b3 : b2;
    const Slot *s = &slots[map][opc];
    unsigned modrm = raw_modrm & s->modrm_mask, mod3 = raw_modrm >= 0xC0;
    p += 1 + map + s->has_modrm;
    unsigned head = (unsigned)(p - p0);
    unsigned adsize = (code32 ^ ((pfx & PRE_ADSIZE) != 0)) ? 4 : 2;
    uint32_t w = address_word(raw_modrm, raw_sib, adsize);
    uint32_t e = select_entry(s, modrm, pfx, rep);
    if (!roomy && UNLIKELY(head > avail || head > INSN_MAX_LEN)) {
        Fields f = {head, 0, 0, {0, 0, 0}};
        return end_status(&f, avail);
    }
    if (UNLIKELY((e >> (E_BAD_SHIFT + mod3)) & 1)) /* no row, or a form it does not have */
        return DEC_UNDEFINED;
    /* a mandatory 66 is not an operand-size prefix */
    unsigned os32 = code32 ^ ((pfx & PRE_OPSIZE) && !(e & E_PFX66));
    unsigned imm_len, mem = length_facts(s, e, os32, &imm_len) & (mod3 ^ 1);
    uint32_t mem_mask = -(uint32_t)mem;
    unsigned ea_len = ((w >> 18) & 7) & mem_mask;

    unsigned ri = e & E_ROW;
    const Recipe *rc = &recipes[ri];
    uint32_t regs = ((modrm >> 3) & 7) * rc->lane_reg + (modrm & 7) * rc->lane_rm[mod3] +
                    (opc & 7) * rc->lane_opc;
    uint8_t rep_mask = rc->rep_mask;
    *insn = templates[ri][os32][mod3];
    fill_memory(insn, p, w, mem_mask, s->has_modrm);
    if (LIKELY(!(e & E_SLOW))) {
        fill_immediate(insn, p + ea_len, e, os32);
    } else {
        Fields f = {0, 0, 0, {0, 0, 0}};
        insn->opsize = (uint8_t)(os32 ? 4 : 2);
        insn->adsize = (uint8_t)adsize;
        imm_len = read_fields(p + ea_len, insn, rc, &f);
    }
    unsigned len = head + ea_len + imm_len;
    if (!roomy && UNLIKELY(len > avail || len > INSN_MAX_LEN))
        return overrun_status(p, head, modrm, mem, adsize, os32 ? 4 : 2, rc, avail);

    insn->len = (uint8_t)len;
    insn->opcode = (uint8_t)opc;
    insn->modrm = (uint8_t)modrm;
    if (pfx) { /* the templates are for no prefixes */
        insn->adsize = (uint8_t)adsize;
        insn->prefixes = (uint8_t)pfx;
        insn->rep = (uint8_t)(rep & rep_mask);
        if (seg != SEG_NONE)
            insn->seg = seg;
    }
    insn->opnd[0].reg |= (uint8_t)regs;
    insn->opnd[1].reg |= (uint8_t)(regs >> 8);
    insn->opnd[2].reg |= (uint8_t)(regs >> 16);
    if (UNLIKELY((e & E_CHECKS) | (pfx & PRE_LOCK)))
        return late_checks(rc, modrm, pfx, s->has_modrm);
    return DEC_OK;
}

/* Prefixes, then the body. `avail` is what the caller really has (p may be padded). */
static DecodeStatus decode_at(const uint8_t *p0, size_t avail, bool code32, DecodedInsn *insn)
{
    const uint8_t *p = p0;
    unsigned pfx = 0, rep = 0;
    uint8_t seg = SEG_NONE;
    do { /* table-driven: no branch per kind of prefix */
        unsigned b = *p++, bit = prefix_bit[b];
        pfx |= bit;
        seg = prefix_kind[b] == PK_SEG ? prefix_seg[b] : seg;
        rep = (bit & (PRE_REP | PRE_REPNE)) ? bit : rep;
        if (UNLIKELY(p - p0 >= INSN_MAX_LEN)) { /* no room left for an opcode */
            Fields f = {INSN_MAX_LEN + 1, 0, 0, {0, 0, 0}};
            return end_status(&f, avail);
        }
    } while (prefix_kind[*p] != PK_NONE);
    if (avail >= INSN_MAX_LEN && p - p0 <= 3) /* p0 has PAD_LEN readable bytes */
        return decode_body(p0, p, avail, code32, pfx, seg, rep, insn, true);
    return decode_body(p0, p, avail, code32, pfx, seg, rep, insn, false);
}

/* Short buffers: a zero-padded copy, read with every check. */
static DecodeStatus decode_short(const uint8_t *bytes, size_t len, bool code32,
                                 DecodedInsn *insn)
{
    uint8_t pad[PAD_LEN] = {0};
    if (len)
        memcpy(pad, bytes, len);
    if (prefix_kind[pad[0]] != PK_NONE)
        return decode_at(pad, len, code32, insn);
    if (len >= INSN_MAX_LEN) /* what the CPU's fetch passes: no instruction can overrun it */
        return code32 ? decode_body(pad, pad, len, true, 0, SEG_NONE, 0, insn, true)
                      : decode_body(pad, pad, len, false, 0, SEG_NONE, 0, insn, true);
    return decode_body(pad, pad, len, code32, 0, SEG_NONE, 0, insn, false);
}

DecodeStatus decode(const uint8_t *bytes, size_t len, bool code32, DecodedInsn *insn)
{
    if (UNLIKELY(!initialised)) {
        decode_init();
        if (!initialised)
            return DEC_UNDEFINED;
    }
    if (UNLIKELY(len < PAD_LEN))
        return decode_short(bytes, len, code32, insn);
    if (LIKELY(prefix_kind[bytes[0]] == PK_NONE)) { /* the common cases, specialised */
        if (code32)
            return decode_body(bytes, bytes, len, true, 0, SEG_NONE, 0, insn, true);
        return decode_body(bytes, bytes, len, false, 0, SEG_NONE, 0, insn, true);
    }
    return decode_at(bytes, len, code32, insn);
}
