/* seq.c — see seq.h. */
#include "seq.h"

#include <string.h>

#include "cpu/flags.h"

#define ALL_FLAGS (FL_LIVE_MASK & ~FL_RF) /* IF, IOPL, AC, ID, NT too (POPF) */

/* ---- flags ---------------------------------------------------------------------------- */

static bool is_shift(OpId op)
{
    return op == OP_ROL || op == OP_ROR || op == OP_RCL || op == OP_RCR || op == OP_SHL ||
           op == OP_SHR || op == OP_SAR || op == OP_SHLD || op == OP_SHRD;
}

uint32_t flags_defined(const DecodedInsn *insn, int count)
{
    uint32_t m = ALL_FLAGS & ~insn->row->fl_undef;
    unsigned w = 8u * insn->opnd[0].size, n = (unsigned)count & 31;
    if (count < 0 || !is_shift(insn->op))
        return m;
    if (n == 0)
        return ALL_FLAGS; /* a zero count changes no flag */
    if (insn->op == OP_SHLD || insn->op == OP_SHRD) {
        if (n > w)
            return FL_DF; /* count > operand size: every arithmetic flag undefined */
        return n == 1 ? m | FL_OF : m;
    }
    if (n == 1)
        m |= FL_OF;
    if ((insn->op == OP_SHL || insn->op == OP_SHR) && n >= w)
        m &= ~FL_CF; /* "undefined for SHL and SHR where the count >= the size" */
    return m;
}

/* The count of a shift whose count is an immediate (or 1); -1 for CL or other ops. */
static int static_count(const DecodedInsn *in)
{
    if (!is_shift(in->op))
        return -1;
    const Operand *o = &in->opnd[(in->op == OP_SHLD || in->op == OP_SHRD) ? 2 : 1];
    if (o->type != OPT_IMM)
        return -1;
    return o->reg == 0 ? (int)(in->imm & 0xFF) : o->reg == 1 ? (int)(in->imm2 & 0xFF) : 1;
}

/* The flags that may be undefined after `in`, given those before. */
static uint32_t undef_after(const DecodedInsn *in, uint32_t undef)
{
    const OpcodeRow *row = in->row;
    uint32_t touched = (row->fl_write | row->fl_undef) & ALL_FLAGS;
    int count = static_count(in);
    if (is_shift(in->op) && count < 0)
        return undef | touched; /* the count is in CL: assume the worst */
    if (is_shift(in->op) && (count & 31) == 0)
        return undef;
    uint32_t def = flags_defined(in, count);
    return (undef & ~(touched & def)) | (touched & ~def);
}

bool seq_flags(const HcCase *c, uint32_t *compare)
{
    uint32_t pending[HC_MAX_CODE + 1] = {0}; /* undefined on arrival by a forward branch */
    uint32_t undef = 0, off = 0;
    bool comparable = true;
    while (off < c->len) {
        DecodedInsn in;
        undef |= pending[off];
        if (decode(c->bytes + off, c->len - off, true, &in) != DEC_OK)
            return false;
        const OpcodeRow *row = in.row;
        uint32_t r = (row->fl_read & F_CC) ? cpu_cond_flags(insn_cond(&in)) : row->fl_read;
        if (r & undef)
            comparable = false;
        undef = undef_after(&in, undef);
        off += in.len;
        if (in.nopnd && in.opnd[0].type == OPT_REL) {
            uint32_t to = off + in.imm;
            if (to >= off && to <= c->len)
                pending[to] |= undef;
            else if (to < off)
                comparable = false; /* a loop: its flags are not followed round */
        }
    }
    *compare = ALL_FLAGS & ~(undef | pending[c->len]);
    return comparable;
}

/* ---- building a sequence ---------------------------------------------------------------- */

static uint32_t below(Rng *r, uint32_t n) { return rng_next(r) % n; }

#define ESP_LOW 40u   /* pushes stay inside the window... */
#define ESP_HIGH 252u /* ...and so do pops */

typedef enum Want {
    W_BODY, /* any SEQ_BODY form */
    W_MID,  /* a direct branch inside the sequence: forward to a later instruction */
    W_LAST, /* the branch that ends it (to a target outside the code) */
} Want;

static bool is_direct(const Form *f)
{
    return f->special == SP_BRANCH_REL || f->special == SP_COUNTDOWN;
}

/* An indirect branch gets its target from the instruction just before it. */
static bool needs_setter(const Form *f)
{
    return f->special == SP_BRANCH_REG || f->special == SP_RET;
}

/* ESP's offset in the window: the range it may have, whichever instructions the forward
 * branches skip. */
typedef struct EspRange {
    int lo, hi;
    bool skippable; /* a forward branch came before: the next instructions may not run */
} EspRange;

static void esp_step(EspRange *r, int delta)
{
    if (!r->skippable) {
        r->lo += delta;
        r->hi += delta;
    } else if (delta < 0) {
        r->lo += delta;
    } else {
        r->hi += delta;
    }
}

/* May form f come next, with ESP in esp and len code bytes so far? In 16-bit code each
 * instruction may grow by two prefixes. */
static bool fits(const Form *f, Want want, bool strings, const EspRange *esp, unsigned len,
                 bool code16, bool loop)
{
    if (want == W_BODY ? f->seq != SEQ_BODY
                       : f->seq != SEQ_LAST || ((want == W_MID || loop) && !is_direct(f)))
        return false;
    if (loop && f->stack_delta)
        return false; /* a loop runs it up to a thousand times */
    unsigned grow = code16 ? 2 : 0;
    if (len + f->len + grow + (needs_setter(f) ? 5 + grow : 0) > HC_MAX_CODE)
        return false;
    if ((strings && f->writes_esi) || (!strings && f->kind == FK_STRING))
        return false;
    EspRange after = *esp;
    if (f->special == SP_RET)
        esp_step(&after, -4); /* its PUSH imm32 */
    esp_step(&after, f->stack_delta);
    return after.lo >= (int)ESP_LOW && after.hi <= (int)ESP_HIGH;
}

/* A branch target near the code, clear of it and of the host's stub after it (6 bytes),
 * within reach of a rel8 when `short_reach`. */
static uint32_t seq_target(Rng *rng, uint32_t len, bool short_reach)
{
    uint32_t end = HC_INSN + len;
    if (rng_next(rng) & 1)
        return end + 8 + below(rng, 100);
    uint32_t lo = short_reach ? end - 128 : HC_INSN - 107;
    if (lo < HC_INSN - 107)
        lo = HC_INSN - 107;
    return HC_INSN - 8 - below(rng, HC_INSN - 8 - lo + 1);
}

/* A branch's displacement (or a setter's immediate) is its last bytes: `end` is where the
 * instruction ends. */
static void put_imm_at_end(uint8_t *end, unsigned len, uint32_t v)
{
    for (unsigned i = 0; i < len; i++)
        end[(int)i - (int)len] = (uint8_t)(v >> (8 * i));
}

/* Aims the branch that ends the sequence at a target outside the code (an indirect one
 * gets an offset in CS: in 16-bit code, CS is based at the code's 64 KiB), or for a loop
 * back at the start (it may run until the budget ends the run). */
static void aim_last(const Form *f, Rng *rng, HcCase *c, uint32_t setter_end, bool code16,
                     bool loop)
{
    if (loop) {
        c->target = 0; /* inside the code: no stub, no HLT */
        put_imm_at_end(c->bytes + c->len, f->imm_len, HC_INSN - (HC_INSN + c->len));
        return;
    }
    c->target = seq_target(rng, c->len, f->imm_len == 1);
    uint32_t cs_base = code16 ? HC_CODE_BASE & 0xFFFF0000u : 0;
    if (needs_setter(f)) /* MOV ECX, imm32 or PUSH imm32 */
        put_imm_at_end(c->bytes + setter_end, 4, c->target - cs_base);
    else
        put_imm_at_end(c->bytes + c->len, f->imm_len, c->target - (HC_INSN + c->len));
}

/* The pointer registers every sequence keeps inside the window (the first form's own
 * shaping wins for the registers its kind uses). */
static void aim_pointers(const Form *first, Rng *rng, HcCase *c, int esp_off)
{
    if (first->kind != FK_MEM && first->kind != FK_CX8)
        c->regs[HC_EBX] = HC_DATA_BASE + 64 + below(rng, 64); /* XLAT too: vary() adds disp8 */
    if (first->kind != FK_STRING) {
        c->regs[HC_ESI] = HC_DATA_BASE + 48 + below(rng, 32);
        c->regs[HC_EDI] = HC_DATA_BASE + 96 + below(rng, 32);
        if (rng_next(rng) & 1)
            c->eflags |= FL_DF;
    }
    c->regs[HC_ESP] = HC_DATA_BASE + (uint32_t)esp_off;
}

/* ---- varying the forms' registers and addresses ------------------------------------------- */

static bool is_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xF2 || b == 0xF3 || b == 0xF0 || b == 0x26 ||
           b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
}

/* A register the sequence may write: EBX, ESP (and ESI, EDI when strings run) are the
 * pointers the forms rely on, and so are BL and BH. */
static unsigned pick_reg(Rng *rng, unsigned size, bool strings)
{
    static const uint8_t r8[] = {0, 1, 2, 4, 5, 6};          /* AL CL DL AH CH DH */
    static const uint8_t r32[] = {HC_EAX, HC_ECX, HC_EDX, HC_EBP, HC_ESI, HC_EDI};
    if (size == 1)
        return r8[below(rng, 6)];
    return r32[below(rng, strings ? 4 : 6)];
}

/* Gives a register/memory form other registers in its ModRM fields (the ones the table
 * names as G, and E when it is a register), and a memory form [EBX] a displacement
 * (EBX lies 64 to 127 bytes into the window, so [EBX-64] to [EBX+63] stay inside).
 * Returns the new length. */
static unsigned vary(const Form *f, Rng *rng, bool strings, bool segmented, uint8_t *b,
                     unsigned len)
{
    DecodedInsn in;
    if ((f->kind != FK_REG && f->kind != FK_MEM) || below(rng, 3) == 0 ||
        decode(b, len, true, &in) != DEC_OK || !in.has_modrm)
        return len;
    unsigned at = 0;
    while (at < len && is_prefix(b[at]))
        at++;
    at += in.map == 1 ? 2 : 1; /* the ModRM byte */
    if (at >= len || b[at] != in.modrm)
        return len;
    for (unsigned i = 0; i < in.row->nopnd; i++) {
        OperandKind k = OPND_KIND(in.row->opnd[i]);
        unsigned size = in.opnd[i].size;
        if (k == OK_G)
            b[at] = (uint8_t)((b[at] & 0xC7) | pick_reg(rng, size, strings) << 3);
        else if (k == OK_E && insn_mod3(&in))
            b[at] = (uint8_t)((b[at] & 0xF8) | pick_reg(rng, size, strings));
    }
    if ((b[at] & 0xC7) == 0x03 && in.adsize == 4 && len < HC_MAX_BYTES && below(rng, 2)) {
        memmove(b + at + 2, b + at + 1, len - at - 1); /* [EBX] → [EBX+disp8] */
        b[at] |= 0x40;
        b[at + 1] = (uint8_t)(below(rng, 120) - 64);
        len++;
    }
    if (segmented && !insn_mod3(&in) && len < HC_MAX_BYTES && below(rng, 2)) {
        static const uint8_t over[] = {0x26, 0x36, 0x3E, 0x64, 0x65}; /* ES SS DS FS GS */
        memmove(b + 1, b, len++);
        b[0] = over[below(rng, 5)];
    }
    return len;
}

/* Segments for a segmented sequence. The bases stay small enough (and ES's and SS's at 0)
 * that every write still lands in the window. */
static void make_segs(Rng *rng, VmSegs *s)
{
    static const int data[] = {SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    vm_segs_flat(s);
    for (unsigned i = 0; i < 4; i++) {
        int g = data[i];
        if (g != SEG_ES && below(rng, 2))
            s->base[g] = 1 + below(rng, 48);
        unsigned k = below(rng, 8);
        if (k < 3) {
            s->limit[g] = HC_DATA_BASE + 64 + below(rng, 192);
        } else if (k == 3) {
            s->expand_down[g] = true;
            s->limit[g] = HC_DATA_BASE + below(rng, 96);
        }
        s->read_only[g] = below(rng, 8) == 0;
    }
    if (below(rng, 2))
        s->limit[SEG_SS] = HC_DATA_BASE + 128 + below(rng, 128);
}

/* A sequence being built: where its instructions start (starts[count] = the end), for the
 * branches, and what constrains the next form. */
typedef struct Build {
    SeqCase *out;
    unsigned len, count;
    uint32_t starts[SEQ_MAX + 2];
    unsigned mid[SEQ_MAX]; /* instruction indexes of the forward branches */
    unsigned nmid;
    unsigned indirect;     /* index of an indirect branch (not a target: its setter is), or 0 */
    uint32_t setter_end;
    EspRange esp;
    bool strings, loop, have_last;
} Build;

/* Aims each forward branch at the start of a later instruction, or the end. */
static void aim_mids(const Build *b, const Form *forms, Rng *rng)
{
    for (unsigned m = 0; m < b->nmid; m++) {
        unsigned k = b->mid[m];
        unsigned t = k + 1 + below(rng, b->count - k);
        if (b->indirect && t == b->indirect)
            t--; /* its setter (the branch is never right after a forward branch) */
        put_imm_at_end(b->out->c.bytes + b->starts[k + 1], forms[b->out->form[k]].imm_len,
                       b->starts[t] - b->starts[k + 1]);
    }
}

/* The same instruction for 16-bit code: 66 and 67 toggled (absent ones added, present
 * ones dropped), so operand and address sizes stay what they were. Returns the length. */
static unsigned to_code16(uint8_t *b, unsigned len)
{
    uint8_t out[HC_MAX_BYTES + 3];
    unsigned n = 0, i = 0;
    bool o16 = false, a16 = false;
    for (; i < len && is_prefix(b[i]); i++) {
        if (b[i] == 0x66)
            o16 = true;
        else if (b[i] == 0x67)
            a16 = true;
    }
    if (!o16)
        out[n++] = 0x66;
    if (!a16)
        out[n++] = 0x67;
    for (unsigned k = 0; k < i; k++)
        if (b[k] != 0x66 && b[k] != 0x67)
            out[n++] = b[k];
    memcpy(out + n, b + i, len - i);
    n += len - i;
    memcpy(b, out, n);
    return n;
}

/* Appends the form's bytes (varied, in 16-bit code with toggled prefixes). Returns the
 * bytes added. */
static unsigned append(const Form *f, Rng *rng, SeqCase *out, unsigned len, bool strings,
                       const uint8_t *bytes, unsigned blen)
{
    uint8_t var[HC_MAX_BYTES + 3];
    memcpy(var, bytes, blen);
    unsigned flen = f ? vary(f, rng, strings, out->segmented && !out->segs.code16, var, blen)
                      : blen;
    if (out->segs.code16)
        flen = to_code16(var, flen);
    if (len + flen > HC_MAX_CODE) { /* the form itself fits */
        memcpy(var, bytes, blen);
        flen = out->segs.code16 ? to_code16(var, blen) : blen;
    }
    memcpy(out->c.bytes + len, var, flen);
    return flen;
}

/* The setter of an indirect branch: MOV ECX, imm32 or PUSH imm32 (aim_last fills it). */
static void add_setter(Build *b, const Form *f, Rng *rng)
{
    uint8_t setter[5] = {f->special == SP_RET ? 0x68 : 0xB9};
    b->starts[b->count] = b->len;
    b->out->form[b->count++] = SEQ_SETTER;
    b->len += append(NULL, rng, b->out, b->len, b->strings, setter, 5);
    b->setter_end = b->len;
    b->indirect = b->count;
    if (f->special == SP_RET)
        esp_step(&b->esp, -4);
}

/* Draws and appends the form at position pos; false when none fits. */
static bool add_form(Build *b, const Form *forms, unsigned nforms, Rng *rng, Want want,
                     unsigned pos)
{
    static HcCase part;
    unsigned fi, tries = 0;
    do
        fi = below(rng, nforms);
    while (!fits(&forms[fi], want, b->strings, &b->esp, b->len, b->out->segs.code16, b->loop) &&
           ++tries < 10000);
    if (tries == 10000)
        return false; /* (only when the code is full) */
    const Form *f = &forms[fi];
    form_make_case(f, rng, &part);
    if (pos == 0) {
        b->out->c = part;
        aim_pointers(f, rng, &b->out->c, b->esp.lo);
    }
    if (want == W_LAST && needs_setter(f))
        add_setter(b, f, rng);
    if (want == W_MID)
        b->mid[b->nmid++] = b->count;
    b->have_last |= want == W_LAST;
    b->starts[b->count] = b->len;
    b->out->form[b->count++] = (uint16_t)fi;
    b->len += append(f, rng, b->out, b->len, b->strings, part.bytes, f->len);
    esp_step(&b->esp, f->stack_delta);
    b->esp.skippable |= want == W_MID;
    return true;
}

/* Half the sequences run in flat segments; a quarter with other data segments, a quarter
 * in 16-bit code. */
static void pick_variant(Rng *rng, SeqCase *out)
{
    unsigned variant = below(rng, 8);
    out->segmented = variant < 4;
    vm_segs_flat(&out->segs);
    if (variant < 2)
        make_segs(rng, &out->segs);
    else if (variant < 4)
        out->segs.code16 = true;
}

void seq_make(const Form *forms, unsigned nforms, Rng *rng, unsigned max_len, SeqCase *out)
{
    static Build b;
    memset(out, 0, sizeof *out);
    memset(&b, 0, sizeof b);
    b.out = out;
    max_len = max_len > SEQ_MAX ? SEQ_MAX : max_len < 2 ? 2 : max_len;
    unsigned n = 2 + below(rng, max_len - 1);
    bool last_branch = rng_next(rng) & 1;
    b.strings = (rng_next(rng) & 3) == 0;
    b.loop = last_branch && below(rng, 12) == 0; /* no stack forms, no strings: */
    b.strings &= !b.loop;                        /* they would leave the window */
    int esp_start = 200 + (int)below(rng, 25);
    b.esp = (EspRange){esp_start, esp_start, false};
    pick_variant(rng, out);
    for (unsigned pos = 0; pos < n; pos++) {
        Want want = pos == n - 1 && last_branch    ? W_LAST
                    : pos > 0 && below(rng, 5) == 0 ? W_MID
                                                     : W_BODY;
        if (!add_form(&b, forms, nforms, rng, want, pos))
            break;
    }
    b.starts[b.count] = b.len;
    out->c.len = b.len;
    out->c.target = 0;
    out->ninsns = b.count;
    aim_mids(&b, forms, rng);
    if (b.have_last)
        aim_last(&forms[out->form[b.count - 1]], rng, &out->c, b.setter_end,
                 out->segs.code16, b.loop);
}
