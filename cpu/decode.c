/* decode.c — table-driven x86 decoder (see decode.h).
 *
 * At start-up the rows of the opcode table are grouped per (map, opcode byte) into
 * candidate lists, most specific first; decoding walks prefixes, picks the opcode's
 * candidates, reads ModRM when the opcode has one, takes the first row whose selector and
 * mandatory prefix match, and then reads SIB, displacement and immediates as the row's
 * operands say.
 */
#include "cpu/decode.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CAND 48

typedef struct OpcodeSlot {
    uint16_t first;    /* index into cand_rows */
    uint8_t count;     /* number of candidate rows */
    uint8_t has_modrm; /* the opcode is followed by a ModRM byte */
    uint8_t mandatory; /* some rows select by mandatory prefix (66/F2/F3) */
    uint8_t simple;    /* exactly one row, no selector, no mandatory prefix */
} OpcodeSlot;

static OpcodeSlot slots[2][256];
static const OpcodeRow *cand_rows[2 * 256 * 8];
static bool initialised;

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

/* Lower sorts first: exact ModRM, then register/memory forms, then prefix-specific rows. */
static int row_specificity(const OpcodeRow *r)
{
    int s = 0;
    switch (SEL_KIND(r->sel)) {
    case 0x400: s = 0; break;   /* SEL_MODRM */
    case 0x200: case 0x300: s = 1; break;
    case 0x500: case 0x600: s = 2; break;
    case 0x100: s = 3; break;
    default: s = 4; break;
    }
    return s * 2 + (r->pfx == PFX_ANY);
}

static bool row_has_z(const OpcodeRow *r)
{
    for (int i = 0; i < 3; i++)
        if (OPND_KIND(r->opnd[i]) == OK_Z)
            return true;
    return false;
}

void decode_init(void)
{
    if (initialised)
        return;
    unsigned used = 0;
    for (unsigned map = 0; map < 2; map++) {
        for (unsigned opc = 0; opc < 256; opc++) {
            const OpcodeRow *tmp[MAX_CAND];
            unsigned n = 0;
            for (unsigned i = 0; i < optable_nrows; i++) {
                const OpcodeRow *r = &optable_rows[i];
                if (r->map != map)
                    continue;
                /* A row with a register-in-opcode operand covers opcode .. opcode|7, unless
                 * a row of its own names the later opcode (0x90 NOP beside 0x91 XCHG). */
                bool covers = r->opcode == opc ||
                              (row_has_z(r) && opc > r->opcode && opc <= (r->opcode | 7u));
                if (covers && n < MAX_CAND)
                    tmp[n++] = r;
            }
            /* stable insertion sort by specificity */
            for (unsigned a = 1; a < n; a++) {
                const OpcodeRow *x = tmp[a];
                unsigned b = a;
                while (b > 0 && row_specificity(tmp[b - 1]) > row_specificity(x)) {
                    tmp[b] = tmp[b - 1];
                    b--;
                }
                tmp[b] = x;
            }
            OpcodeSlot *s = &slots[map][opc];
            s->first = (uint16_t)used;
            s->count = (uint8_t)n;
            s->has_modrm = 0;
            s->mandatory = 0;
            for (unsigned k = 0; k < n; k++) {
                cand_rows[used++] = tmp[k];
                if (row_has_modrm(tmp[k]))
                    s->has_modrm = 1;
                if (tmp[k]->pfx != PFX_ANY)
                    s->mandatory = 1;
            }
            s->simple = n == 1 && tmp[0]->sel == SEL_ANY && tmp[0]->pfx == PFX_ANY;
        }
    }
    initialised = true;
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

static const OpcodeRow *pick_row(const OpcodeSlot *s, uint8_t modrm, unsigned pfx_class)
{
    const OpcodeRow *const *c = &cand_rows[s->first];
    for (unsigned i = 0; i < s->count; i++) {
        const OpcodeRow *r = c[i];
        if (r->pfx != PFX_ANY && r->pfx != pfx_class)
            continue;
        if (sel_matches(r->sel, modrm))
            return r;
    }
    return NULL;
}

/* Byte reader with the two ways to run out: the buffer, or the 15-byte limit. */
typedef struct Reader {
    const uint8_t *p;
    size_t avail;
    unsigned pos;
    DecodeStatus err;
} Reader;

static inline bool take(Reader *rd, unsigned n, uint32_t *out)
{
    if (rd->pos + n > INSN_MAX_LEN) {
        rd->err = DEC_TOO_LONG;
        return false;
    }
    if (rd->pos + n > rd->avail) {
        rd->err = DEC_NEED_MORE;
        return false;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)rd->p[rd->pos + i] << (8 * i);
    rd->pos += n;
    *out = v;
    return true;
}

static uint32_t sign_extend(uint32_t v, unsigned bytes)
{
    if (bytes == 1)
        return (uint32_t)(int32_t)(int8_t)v;
    if (bytes == 2)
        return (uint32_t)(int32_t)(int16_t)v;
    return v;
}

/* ModRM memory operand, 16-bit addressing. */
static bool decode_ea16(Reader *rd, DecodedInsn *insn, unsigned mod, unsigned rm)
{
    static const uint8_t base16[8] = {R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX};
    static const uint8_t index16[8] = {R_ESI, R_EDI, R_ESI, R_EDI, EA_NONE, EA_NONE, EA_NONE, EA_NONE};
    uint32_t d = 0;
    insn->ea_base = base16[rm];
    insn->ea_index = index16[rm];
    insn->ea_scale = 0;
    if (mod == 0 && rm == 6) {
        insn->ea_base = EA_NONE;
        if (!take(rd, 2, &d))
            return false;
        insn->disp = d;
    } else if (mod == 1) {
        if (!take(rd, 1, &d))
            return false;
        insn->disp = sign_extend(d, 1) & 0xFFFF;
    } else if (mod == 2) {
        if (!take(rd, 2, &d))
            return false;
        insn->disp = d;
    }
    if (insn->ea_base == R_EBP)
        insn->seg = SEG_SS;
    return true;
}

/* ModRM memory operand, 32-bit addressing (with SIB). */
static bool decode_ea32(Reader *rd, DecodedInsn *insn, unsigned mod, unsigned rm)
{
    uint32_t v = 0;
    insn->ea_index = EA_NONE;
    insn->ea_scale = 0;
    insn->ea_base = (uint8_t)rm;
    if (rm == 4) {
        if (!take(rd, 1, &v))
            return false;
        unsigned scale = v >> 6, index = (v >> 3) & 7, base = v & 7;
        insn->ea_scale = (uint8_t)scale;
        insn->ea_index = index == 4 ? EA_NONE : (uint8_t)index;
        insn->ea_base = (uint8_t)base;
        if (base == 5 && mod == 0)
            insn->ea_base = EA_NONE; /* disp32 with no base */
    } else if (rm == 5 && mod == 0) {
        insn->ea_base = EA_NONE;
    }
    if (insn->ea_base == EA_NONE || mod == 2) {
        if (!take(rd, 4, &v))
            return false;
        insn->disp = v;
    } else if (mod == 1) {
        if (!take(rd, 1, &v))
            return false;
        insn->disp = sign_extend(v, 1);
    }
    if (insn->ea_base == R_ESP || insn->ea_base == R_EBP)
        insn->seg = SEG_SS;
    return true;
}

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
    case SZ_V: case SZ_Z: case SZ_WV: return (uint8_t)opsize;
    default: return (uint8_t)opsize;
    }
}

/* Reads the immediate bytes an operand needs; returns false when bytes run out. */
static bool read_immediate(Reader *rd, DecodedInsn *insn, uint16_t spec, Operand *o,
                           int *nimm)
{
    OperandKind k = OPND_KIND(spec);
    OperandSize sz = OPND_SIZE(spec);
    uint32_t v = 0;
    unsigned n;
    switch (k) {
    case OK_I:
        n = sz == SZ_B ? 1 : sz == SZ_W ? 2 : insn->opsize;
        if (!take(rd, n, &v))
            return false;
        o->type = OPT_IMM;
        o->size = (uint8_t)n;
        o->reg = (uint8_t)*nimm;
        if ((*nimm)++ == 0)
            insn->imm = v;
        else
            insn->imm2 = v;
        return true;
    case OK_IS:
        if (!take(rd, 1, &v))
            return false;
        o->type = OPT_IMM;
        o->size = insn->opsize;
        o->reg = (uint8_t)*nimm;
        v = sign_extend(v, 1);
        if (insn->opsize == 2)
            v &= 0xFFFF;
        if ((*nimm)++ == 0)
            insn->imm = v;
        else
            insn->imm2 = v;
        return true;
    case OK_J:
        n = sz == SZ_B ? 1 : insn->opsize;
        if (!take(rd, n, &v))
            return false;
        o->type = OPT_REL;
        o->size = (uint8_t)n;
        insn->imm = sign_extend(v, n);
        return true;
    case OK_A:
        if (!take(rd, insn->opsize, &v))
            return false;
        insn->imm = v;
        if (!take(rd, 2, &v))
            return false;
        insn->imm2 = v;
        o->type = OPT_FAR;
        o->size = (uint8_t)(insn->opsize + 2);
        return true;
    case OK_O:
        if (!take(rd, insn->adsize, &v))
            return false;
        insn->disp = v;
        insn->ea_base = EA_NONE;
        insn->ea_index = EA_NONE;
        insn->ea_scale = 0;
        o->type = OPT_MEM;
        o->size = mem_size(sz, insn->opsize);
        return true;
    default:
        return true;
    }
}

/* Resolves one ModRM-based or implicit operand. Returns false for an invalid form. */
static bool resolve_operand(DecodedInsn *insn, uint16_t spec, Operand *o, uint8_t opcode)
{
    OperandKind k = OPND_KIND(spec);
    OperandSize sz = OPND_SIZE(spec);
    unsigned mod = insn->modrm >> 6, reg = (insn->modrm >> 3) & 7, rm = insn->modrm & 7;
    switch (k) {
    case OK_E:
    case OK_Q:
    case OK_W:
        if (mod == 3) {
            o->type = k == OK_E ? OPT_GPR : k == OK_Q ? OPT_MMX : OPT_XMM;
            o->size = k == OK_E ? reg_size(sz, insn->opsize) : mem_size(sz, insn->opsize);
            o->reg = (uint8_t)rm;
        } else {
            o->type = OPT_MEM;
            o->size = mem_size(sz, insn->opsize);
        }
        return true;
    case OK_M:
        if (mod == 3)
            return false;
        o->type = OPT_MEM;
        o->size = mem_size(sz, insn->opsize);
        return true;
    case OK_R:
        o->type = OPT_GPR;
        o->size = 4;
        o->reg = (uint8_t)rm;
        return true;
    case OK_N:
    case OK_U:
        if (mod != 3)
            return false;
        o->type = k == OK_N ? OPT_MMX : OPT_XMM;
        o->size = mem_size(sz, insn->opsize);
        o->reg = (uint8_t)rm;
        return true;
    case OK_G:
        o->type = OPT_GPR;
        o->size = reg_size(sz, insn->opsize);
        o->reg = (uint8_t)reg;
        return true;
    case OK_P:
    case OK_V:
        o->type = k == OK_P ? OPT_MMX : OPT_XMM;
        o->size = mem_size(sz, insn->opsize);
        o->reg = (uint8_t)reg;
        return true;
    case OK_S:
        if (reg >= SEG_COUNT)
            return false;
        o->type = OPT_SEG;
        o->size = 2;
        o->reg = (uint8_t)reg;
        return true;
    case OK_C:
        if (reg == 1 || reg > 4) /* CR1, CR5-CR7 do not exist */
            return false;
        o->type = OPT_CR;
        o->size = 4;
        o->reg = (uint8_t)reg;
        return true;
    case OK_D:
        o->type = OPT_DR;
        o->size = 4;
        o->reg = (uint8_t)reg;
        return true;
    case OK_Z:
        o->type = OPT_GPR;
        o->size = reg_size(sz, insn->opsize);
        o->reg = opcode & 7;
        return true;
    case OK_FIXREG:
        o->type = OPT_GPR;
        o->size = reg_size(sz, insn->opsize);
        o->reg = (uint8_t)OPND_REG(spec);
        return true;
    case OK_FIXSEG:
        o->type = OPT_SEG;
        o->size = 2;
        o->reg = (uint8_t)OPND_REG(spec);
        return true;
    case OK_ONE:
        o->type = OPT_IMM;
        o->size = 1;
        o->reg = 2; /* the constant 1 */
        return true;
    case OK_ST0:
        o->type = OPT_ST;
        o->size = 10;
        o->reg = 0;
        return true;
    case OK_STI:
        o->type = OPT_ST;
        o->size = 10;
        o->reg = (uint8_t)rm;
        return true;
    case OK_X:
        o->type = OPT_STRSRC;
        o->size = reg_size(sz, insn->opsize);
        return true;
    case OK_Y:
        o->type = OPT_STRDST;
        o->size = reg_size(sz, insn->opsize);
        return true;
    default:
        return true; /* immediates were handled by read_immediate */
    }
}

static bool is_immediate_kind(OperandKind k)
{
    return k == OK_I || k == OK_IS || k == OK_J || k == OK_A || k == OK_O;
}

DecodeStatus decode(const uint8_t *bytes, size_t len, bool code32, DecodedInsn *insn)
{
    if (!initialised)
        decode_init();
    Reader rd = {bytes, len, 0, DEC_OK};
    uint8_t prefixes = 0, seg = SEG_NONE, last_rep = 0;
    uint32_t b = 0;

    /* Prefixes: any number, any order, until the 15-byte limit. */
    for (;;) {
        if (!take(&rd, 1, &b))
            return rd.err;
        switch (b) {
        case 0x26: seg = SEG_ES; prefixes |= PRE_SEG; continue;
        case 0x2E: seg = SEG_CS; prefixes |= PRE_SEG; continue;
        case 0x36: seg = SEG_SS; prefixes |= PRE_SEG; continue;
        case 0x3E: seg = SEG_DS; prefixes |= PRE_SEG; continue;
        case 0x64: seg = SEG_FS; prefixes |= PRE_SEG; continue;
        case 0x65: seg = SEG_GS; prefixes |= PRE_SEG; continue;
        case 0x66: prefixes |= PRE_OPSIZE; continue;
        case 0x67: prefixes |= PRE_ADSIZE; continue;
        case 0xF0: prefixes |= PRE_LOCK; continue;
        case 0xF2: prefixes |= PRE_REPNE; last_rep = PRE_REPNE; continue;
        case 0xF3: prefixes |= PRE_REP; last_rep = PRE_REP; continue;
        default: break;
        }
        break;
    }
    unsigned map = 0;
    if (b == 0x0F) {
        map = 1;
        if (!take(&rd, 1, &b))
            return rd.err;
    }
    const OpcodeSlot *slot = &slots[map][b];
    uint8_t opcode = (uint8_t)b;
    uint32_t modrm = 0;
    if (slot->has_modrm && !take(&rd, 1, &modrm))
        return rd.err;

    /* Mandatory prefix class: the last of F2/F3, else 66, else none. */
    unsigned pfx_class = PFX_NP;
    if (slot->mandatory) {
        if (last_rep)
            pfx_class = last_rep == PRE_REP ? PFX_F3 : PFX_F2;
        else if (prefixes & PRE_OPSIZE)
            pfx_class = PFX_66;
    }
    const OpcodeRow *row = slot->count ? pick_row(slot, (uint8_t)modrm, pfx_class) : NULL;
    /* An F2/F3 that selects no row of this opcode is ignored (a 66 then still selects the
     * SSE2 form); a 66 that selects none is an operand-size prefix (MMX forms). */
    if (!row && slot->mandatory && (pfx_class == PFX_F2 || pfx_class == PFX_F3) &&
        (prefixes & PRE_OPSIZE))
        row = pick_row(slot, (uint8_t)modrm, PFX_66);
    if (!row && slot->mandatory && pfx_class != PFX_NP)
        row = pick_row(slot, (uint8_t)modrm, PFX_NP);
    if (!row)
        return DEC_UNDEFINED;

    memset(insn, 0, sizeof *insn);
    insn->row = row;
    insn->op = row->op;
    insn->map = (uint8_t)map;
    insn->opcode = opcode;
    insn->modrm = (uint8_t)modrm;
    insn->has_modrm = slot->has_modrm;
    insn->prefixes = prefixes;
    bool opsize_prefix = (prefixes & PRE_OPSIZE) && row->pfx != PFX_66;
    insn->opsize = (code32 ^ opsize_prefix) ? 4 : 2;
    insn->adsize = (code32 ^ !!(prefixes & PRE_ADSIZE)) ? 4 : 2;
    insn->seg = SEG_DS;
    insn->ea_base = insn->ea_index = EA_NONE;
    insn->nopnd = row->nopnd;
    if (row->attr & (A_REP | A_REPCC))
        insn->rep = last_rep;

    /* Memory operand addressing bytes. */
    unsigned mod = modrm >> 6;
    if (slot->has_modrm && mod != 3) {
        bool needs_mem = false;
        for (int i = 0; i < 3; i++) {
            OperandKind k = OPND_KIND(row->opnd[i]);
            if (k == OK_E || k == OK_M || k == OK_Q || k == OK_W)
                needs_mem = true;
        }
        /* Register-only forms (MOV CR/DR) ignore mod; x87 memory rows use OK_M. */
        if (needs_mem || SEL_KIND(row->sel) == 0x200 || SEL_KIND(row->sel) == 0x500) {
            bool ok = insn->adsize == 2 ? decode_ea16(&rd, insn, mod, modrm & 7)
                                        : decode_ea32(&rd, insn, mod, modrm & 7);
            if (!ok)
                return rd.err;
        }
    }

    /* Operands: immediates in order, then the rest. */
    int nimm = 0;
    for (int i = 0; i < row->nopnd; i++) {
        uint16_t spec = row->opnd[i];
        if (is_immediate_kind(OPND_KIND(spec))) {
            if (!read_immediate(&rd, insn, spec, &insn->opnd[i], &nimm))
                return rd.err;
        } else if (!resolve_operand(insn, spec, &insn->opnd[i], opcode)) {
            return DEC_UNDEFINED;
        }
    }
    if (seg != SEG_NONE)
        insn->seg = seg;
    insn->len = (uint8_t)rd.pos;

    /* Forms the table cannot express. */
    if (row->op == OP_MOV_TO_SEG && insn_modrm_reg(insn) == SEG_CS)
        return DEC_UNDEFINED; /* MOV CS, r/m is #UD on the 386 and later */
    if (prefixes & PRE_LOCK) {
        bool mem_dest = row->nopnd > 0 && insn->opnd[0].type == OPT_MEM;
        if (!(row->attr & A_LOCK) || !mem_dest)
            return DEC_UNDEFINED;
    }
    return DEC_OK;
}
