/* compare.c — one Case, our decode against Capstone's: the first difference, if any. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ddiff.h"

const char *const diff_kind_names[DK_COUNT] = {
    "none", "ours-only", "capstone-only", "length", "mnemonic", "operand-count", "operand",
    "truncated",
};

static bool is_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xF0: case 0xF2: case 0xF3:
        return true;
    default:
        return false;
    }
}

void skeleton_parse(const uint8_t *b, unsigned n, Skeleton *sk)
{
    memset(sk, 0, sizeof *sk);
    unsigned i = 0;
    while (i < n && is_prefix(b[i])) {
        switch (b[i]) {
        case 0x66: sk->opsize = true; break;
        case 0x67: sk->adsize = true; break;
        case 0xF0: sk->lock = true; break;
        case 0xF2: case 0xF3: sk->rep = b[i]; break;
        default: sk->seg = b[i]; break;
        }
        i++;
    }
    sk->npfx = i;
    if (i < n && b[i] == 0x0F) {
        sk->map = 1;
        i++;
        if (i < n && (b[i] == 0x38 || b[i] == 0x3A)) {
            sk->map = b[i] == 0x38 ? 2 : 3;
            i++;
        }
    }
    if (i < n)
        sk->opcode = b[i++];
    if (i < n) {
        sk->has_modrm = true;
        sk->modrm = b[i];
    }
}

/* ---- our decode in Capstone's terms -------------------------------------------------- */

static const x86_reg gpr8[8] = {X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL,
                                X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH};
static const x86_reg gpr16[8] = {X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
                                 X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI};
static const x86_reg gpr32[8] = {X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
                                 X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI};
static const x86_reg sregs[8] = {X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS,
                                 X86_REG_FS, X86_REG_GS, X86_REG_INVALID, X86_REG_INVALID};

static x86_reg gpr(unsigned reg, unsigned size)
{
    reg &= 7;
    return size == 1 ? gpr8[reg] : size == 2 ? gpr16[reg] : gpr32[reg];
}

static x86_reg addr_reg(uint8_t r, unsigned adsize)
{
    return r == EA_NONE ? X86_REG_INVALID : gpr(r, adsize);
}

static const char *string_ops[] = {"movs", "cmps", "stos", "lods", "scas", "ins", "outs"};

/* Our names for the undocumented x87 register-form aliases (A_UNDOC rows) and Capstone's. */
static const char *x87_alias(const char *m)
{
    static const char *const alias[][2] = {
        {"fstp1", "fstpnce"}, {"fcom2", "fcom"}, {"fcomp3", "fcomp"}, {"fcomp5", "fcomp"},
        {"fxch4", "fxch"},    {"fxch7", "fxch"}, {"fstp8", "fstp"},   {"fstp9", "fstp"},
        {"fneni", "feni8087_nop"}, {"fndisi", "fdisi8087_nop"}, {"fnsetpm", "fsetpm"},
    };
    for (unsigned i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(m, alias[i][0]))
            return alias[i][1];
    return NULL;
}

/* Capstone prints the operand-size forms of these with a suffix; our rows name the
 * operation once. These are spellings, not differences. */
const char *ours_mnemonic(const DecodedInsn *insn, char *buf, size_t buflen)
{
    const char *m = insn->row->mnem;
    bool d = insn->opsize == 4;
    for (unsigned i = 0; i < sizeof string_ops / sizeof string_ops[0]; i++)
        if (!strcmp(m, string_ops[i])) {
            snprintf(buf, buflen, "%s%s", m, d ? "d" : "w");
            return buf;
        }
    if (!strcmp(m, "pusha") || !strcmp(m, "popa"))
        snprintf(buf, buflen, "%s%s", m, d ? "l" : "w");
    else if (!strcmp(m, "pushf") || !strcmp(m, "popf"))
        snprintf(buf, buflen, "%s%s", m, d ? "d" : "");
    else if (!strcmp(m, "iret"))
        snprintf(buf, buflen, "%s", d ? "iretd" : "iret");
    else if (!strcmp(m, "cbw"))
        snprintf(buf, buflen, "%s", d ? "cwde" : "cbw");
    else if (!strcmp(m, "cwd"))
        snprintf(buf, buflen, "%s", d ? "cdq" : "cwd");
    else if (!strcmp(m, "jcxz"))
        snprintf(buf, buflen, "%s", insn->adsize == 4 ? "jecxz" : "jcxz");
    else if (x87_alias(m))
        snprintf(buf, buflen, "%s", x87_alias(m));
    else if ((insn->op == OP_CALLF || insn->op == OP_JMPF))
        snprintf(buf, buflen, "l%s", m);
    else
        snprintf(buf, buflen, "%s", m);
    return buf;
}

/* The last word of Capstone's mnemonic: prefixes (lock, rep, ...) are compared elsewhere. */
static const char *cs_base_mnemonic(const cs_insn *cs)
{
    const char *sp = strrchr(cs->mnemonic, ' ');
    return sp ? sp + 1 : cs->mnemonic;
}

static uint32_t size_mask(unsigned bytes)
{
    return bytes >= 4 ? 0xFFFFFFFFu : (1u << (8 * bytes)) - 1;
}

static uint32_t imm_value(const DecodedInsn *insn, const Operand *o)
{
    return o->reg == 0 ? insn->imm : o->reg == 1 ? insn->imm2 : 1;
}

/* Checks one memory operand; returns false with a reason in why. */
static bool mem_matches(const Case *c, const cs_x86_op *op, uint8_t base, uint8_t index,
                        unsigned scale, uint32_t disp, unsigned seg, bool es_dst, char *why,
                        size_t wl)
{
    const DecodedInsn *in = &c->ours;
    if (op->type != X86_OP_MEM) {
        snprintf(why, wl, "capstone operand is not memory");
        return false;
    }
    x86_reg b = addr_reg(base, in->adsize), x = addr_reg(index, in->adsize);
    if (op->mem.base != b || op->mem.index != x) {
        snprintf(why, wl, "base/index %u/%u vs capstone %u/%u", b, x, op->mem.base,
                 op->mem.index);
        return false;
    }
    if (index != EA_NONE && op->mem.scale != (1 << scale)) {
        snprintf(why, wl, "scale %u vs capstone %d", 1u << scale, op->mem.scale);
        return false;
    }
    uint32_t m = size_mask(in->adsize);
    if ((disp & m) != ((uint32_t)op->mem.disp & m)) {
        snprintf(why, wl, "disp %#x vs capstone %#x", disp & m, (uint32_t)op->mem.disp & m);
        return false;
    }
    x86_reg s = sregs[seg & 7];
    if (op->mem.segment != X86_REG_INVALID ? op->mem.segment != s : c->sk.seg != 0) {
        snprintf(why, wl, "segment %u vs capstone %u", s, op->mem.segment);
        return false;
    }
    /* Without an override the segment is the SDM's default (Vol. 1 §3.7.4): SS for an
     * address based on (E)BP or (E)SP, DS otherwise; the string destination is ES. */
    unsigned def = es_dst ? SEG_ES : (base == R_EBP || base == R_ESP) ? SEG_SS : SEG_DS;
    if (c->sk.seg == 0 && seg != def) {
        snprintf(why, wl, "default segment %u, SDM says %u", seg, def);
        return false;
    }
    return true;
}

/* Capstone's operands, after the spellings are normalised (see compare_case). */
typedef struct CsOps {
    unsigned op_count;
    cs_x86_op operands[8];
} CsOps;

/* A string operand: [rSI] in the source segment or ES:[rDI], sized like the operation. */
static bool string_matches(const Case *c, const Operand *o, const cs_x86_op *op, char *why,
                           size_t wl)
{
    const DecodedInsn *in = &c->ours;
    bool src = o->type == OPT_STRSRC;
    unsigned seg = src ? in->seg : SEG_ES;
    if (!mem_matches(c, op, src ? R_ESI : R_EDI, EA_NONE, 0, 0, seg, !src, why, wl)) {
        /* Capstone names ES for the destination explicitly; accept that spelling. */
        if (src || op->type != X86_OP_MEM || op->mem.segment != X86_REG_ES ||
            op->mem.base != addr_reg(R_EDI, in->adsize))
            return false;
    }
    if (op->size != o->size) {
        snprintf(why, wl, "string size %u vs capstone %u", o->size, op->size);
        return false;
    }
    return true;
}

/* Immediates and branch targets (Capstone gives the target address; ours is relative to
 * the end of the instruction, here at address 0). */
static bool value_matches(const Case *c, const Operand *o, const cs_x86_op *op, char *why,
                          size_t wl)
{
    const DecodedInsn *in = &c->ours;
    if (op->type != X86_OP_IMM) {
        snprintf(why, wl, "capstone operand is not an immediate");
        return false;
    }
    bool rel = o->type == OPT_REL;
    uint32_t m = size_mask(rel ? in->opsize : o->size);
    uint32_t v = (rel ? in->len + in->imm : imm_value(in, o)) & m;
    if (v != ((uint32_t)op->imm & m)) {
        snprintf(why, wl, "%s %#x vs capstone %#x", rel ? "target" : "immediate", v,
                 (uint32_t)op->imm & m);
        return false;
    }
    return true;
}

/* A far pointer: Capstone gives two immediates, the selector, then the offset. */
static bool far_matches(const Case *c, const CsOps *x, unsigned *j, char *why, size_t wl)
{
    const DecodedInsn *in = &c->ours;
    const cs_x86_op *sel = &x->operands[*j - 1];
    if (sel->type != X86_OP_IMM || *j >= x->op_count || x->operands[*j].type != X86_OP_IMM) {
        snprintf(why, wl, "capstone far pointer is not two immediates");
        return false;
    }
    const cs_x86_op *off = &x->operands[(*j)++];
    uint32_t m = size_mask(in->opsize);
    if ((uint32_t)sel->imm != (in->imm2 & 0xFFFF) || ((uint32_t)off->imm & m) != in->imm) {
        snprintf(why, wl, "far %04x:%x vs capstone %04x:%x", in->imm2 & 0xFFFF, in->imm,
                 (uint32_t)sel->imm, (uint32_t)off->imm);
        return false;
    }
    return true;
}

/* The Capstone register our register operand names (X86_REG_INVALID for other kinds). */
static x86_reg reg_of(const Operand *o)
{
    switch (o->type) {
    case OPT_GPR: return gpr(o->reg, o->size);
    case OPT_SEG: return sregs[o->reg & 7];
    case OPT_CR: return (x86_reg)(X86_REG_CR0 + o->reg);
    case OPT_DR: return (x86_reg)(X86_REG_DR0 + o->reg);
    case OPT_ST: return (x86_reg)(X86_REG_ST0 + o->reg);
    case OPT_MMX: return (x86_reg)(X86_REG_MM0 + o->reg);
    case OPT_XMM: return (x86_reg)(X86_REG_XMM0 + o->reg);
    default: return X86_REG_INVALID;
    }
}

/* Compares our operand o with Capstone's operand(s) from *j on; advances *j. */
static bool operand_matches(const Case *c, const Operand *o, const CsOps *x, unsigned *j,
                            char *why, size_t wl)
{
    const DecodedInsn *in = &c->ours;
    if (*j >= x->op_count) {
        snprintf(why, wl, "capstone has fewer operands");
        return false;
    }
    const cs_x86_op *op = &x->operands[(*j)++];
    switch (o->type) {
    case OPT_MEM:
        if (!mem_matches(c, op, in->ea_base, in->ea_index, in->ea_scale, in->disp, in->seg,
                         false, why, wl))
            return false;
        if (o->size && op->size && o->size != op->size) {
            snprintf(why, wl, "memory size %u vs capstone %u", o->size, op->size);
            return false;
        }
        return true;
    case OPT_STRSRC: case OPT_STRDST: return string_matches(c, o, op, why, wl);
    case OPT_IMM: case OPT_REL: return value_matches(c, o, op, why, wl);
    case OPT_FAR: return far_matches(c, x, j, why, wl);
    default: break;
    }
    x86_reg want = reg_of(o);
    if (want == X86_REG_INVALID) {
        snprintf(why, wl, "operand type %u not compared", o->type);
        return false;
    }
    if (op->type != X86_OP_REG || op->reg != want) {
        snprintf(why, wl, "register %u vs capstone %s", want,
                 op->type == X86_OP_REG ? "other register" : "non-register");
        return false;
    }
    if (o->type == OPT_GPR && op->size && op->size != o->size) {
        snprintf(why, wl, "register size %u vs capstone %u", o->size, op->size);
        return false;
    }
    return true;
}

/* Capstone spells the SSE compare predicates into the mnemonic (cmpltps = cmpps with
 * immediate 1) and drops the immediate. Returns true when cs_m is that spelling of our
 * cmpps/cmppd/cmpss/cmpsd with our immediate. */
static bool cmp_predicate_spelling(const DecodedInsn *in, const char *ours_m, const char *cs_m)
{
    static const char *const preds[8] = {"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"};
    if (strncmp(ours_m, "cmp", 3) != 0 || strlen(ours_m) != 5 || in->imm >= 8)
        return false;
    char want[16];
    snprintf(want, sizeof want, "cmp%s%s", preds[in->imm], ours_m + 3);
    return strcmp(want, cs_m) == 0;
}

/* Capstone's x87 register forms name ST(0) or leave it out inconsistently (fsub st(5) for
 * fsub st(0), st(5); fcom st(0), st(1) for fcom st(1)); compare without ST(0) on both sides. */
static bool x87_register_form(const DecodedInsn *in)
{
    if (!(in->row->attr & A_X87) || in->nopnd == 0)
        return false;
    for (unsigned i = 0; i < in->nopnd; i++)
        if (in->opnd[i].type != OPT_ST)
            return false;
    return true;
}

static bool operands_match(const Case *c, const Operand *ours, unsigned n, const CsOps *x,
                           Diff *d)
{
    unsigned j = 0;
    for (unsigned i = 0; i < n; i++) {
        char why[120];
        if (!operand_matches(c, &ours[i], x, &j, why, sizeof why)) {
            d->kind = DK_OPERAND;
            d->opnd = (int)i;
            snprintf(d->what, sizeof d->what, "operand %u: %s", i, why);
            return false;
        }
    }
    if (j != x->op_count) {
        d->kind = DK_OPCOUNT;
        snprintf(d->what, sizeof d->what, "%u operands vs capstone %u", j, x->op_count);
        return false;
    }
    return true;
}

void compare_case(const Case *c, Diff *d)
{
    memset(d, 0, sizeof *d);
    bool ours = c->st == DEC_OK;
    if (!ours && !c->cs_ok)
        return;
    if (ours != c->cs_ok) {
        d->kind = ours ? DK_OURS_ONLY : DK_CS_ONLY;
        return;
    }
    const DecodedInsn *in = &c->ours;
    if (in->len != c->cs->size) {
        d->kind = DK_LENGTH;
        snprintf(d->what, sizeof d->what, "length %u vs capstone %u", in->len, c->cs->size);
        return;
    }
    char mbuf[32];
    const char *m = ours_mnemonic(in, mbuf, sizeof mbuf);
    const char *csm = cs_base_mnemonic(c->cs);
    bool cmp_pred = cmp_predicate_spelling(in, m, csm);
    if (strcmp(m, csm) != 0 && !cmp_pred) {
        d->kind = DK_MNEMONIC;
        snprintf(d->what, sizeof d->what, "%s vs capstone %s", m, c->cs->mnemonic);
        return;
    }
    Operand ops[3];
    unsigned n = 0;
    bool x87 = x87_register_form(in);
    for (unsigned i = 0; i < in->nopnd; i++)
        if (!(x87 && in->opnd[i].reg == 0))
            ops[n++] = in->opnd[i];
    if (cmp_pred)
        n--; /* the immediate is in the mnemonic */
    if ((in->op == OP_AAM || in->op == OP_AAD) && in->imm == 10 &&
        c->cs->detail->x86.op_count == 0)
        n = 0; /* Capstone leaves out the default base 10 */
    CsOps x = {0};
    const cs_x86 *cx = &c->cs->detail->x86;
    for (unsigned i = 0; i < cx->op_count; i++)
        if (!(x87 && cx->operands[i].type == X86_OP_REG && cx->operands[i].reg == X86_REG_ST0))
            x.operands[x.op_count++] = cx->operands[i];
    if (operands_match(c, ops, n, &x, d))
        return;
    if (in->op == OP_XCHG && n == 2) { /* the exchange is symmetric: either order */
        Operand sw[2] = {ops[1], ops[0]};
        Diff d2 = {0};
        if (operands_match(c, sw, 2, &x, &d2))
            memset(d, 0, sizeof *d);
    }
}

void describe_ours(const Case *c, char *out, size_t outlen)
{
    if (c->st != DEC_OK) {
        static const char *const st[] = {"ok", "need-more", "undefined", "too-long"};
        snprintf(out, outlen, "(%s)", st[c->st]);
        return;
    }
    const DecodedInsn *in = &c->ours;
    char mbuf[32];
    size_t k = (size_t)snprintf(out, outlen, "%s", ours_mnemonic(in, mbuf, sizeof mbuf));
    for (unsigned i = 0; i < in->nopnd && k < outlen; i++) {
        const Operand *o = &in->opnd[i];
        k += (size_t)snprintf(out + k, outlen - k, "%s t%u/s%u/r%u", i ? "," : "", o->type,
                              o->size, o->reg);
    }
    if (k < outlen)
        snprintf(out + k, outlen - k, " [len %u os%u as%u seg%u b%d i%d s%u d%#x imm %#x %#x]",
                 in->len, in->opsize, in->adsize, in->seg,
                 in->ea_base == EA_NONE ? -1 : in->ea_base,
                 in->ea_index == EA_NONE ? -1 : in->ea_index, in->ea_scale, in->disp, in->imm,
                 in->imm2);
}
