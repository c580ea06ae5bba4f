/* forms.c — see forms.h. Register conventions of every form: the r/m operand is ECX (CL,
 * CX) or [EBX]; the reg operand is EDX (DL, DX); byte forms also appear with AH and BH. */
#include "forms.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MODRM(mod, reg, rm) ((uint8_t)((mod) << 6 | (reg) << 3 | (rm)))
#define RM_ECX 1
#define RM_EBX_MEM 3 /* with mod 0: [EBX] */
#define REG_EDX 2

/* ---- random numbers ------------------------------------------------------------------- */

uint32_t rng_next(Rng *r)
{
    /* xorshift64*: small, fast, and the same on every host. */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (uint32_t)((r->s * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t rng_below(Rng *r, uint32_t n) { return rng_next(r) % n; }

static uint32_t size_mask(unsigned size) { return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; }

/* Random numbers with a strong dose of the values where arithmetic has its edges. */
static uint32_t rand_val(Rng *r, unsigned size)
{
    static const uint32_t edges[] = {
        0, 1, 2, 0xFFFFFFFF, 0x7F, 0x80, 0x81, 0xFF, 0x7FFF, 0x8000, 0x8001, 0xFFFF,
        0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0x0F, 0x10, 0x09, 0x99, 0x9A,
    };
    uint32_t k = rng_below(r, 100), v;
    if (k < 30)
        v = edges[rng_below(r, sizeof edges / sizeof edges[0])];
    else if (k < 40)
        v = rng_below(r, 17);
    else
        v = rng_next(r);
    /* Keep the upper bits of narrow operands random: they must survive untouched. */
    return size == 4 ? v : ((v & size_mask(size)) | (rng_next(r) & ~size_mask(size)));
}

static uint8_t shaped_count(Rng *r)
{
    return rng_below(r, 10) < 6 ? (uint8_t)rng_below(r, 34) : (uint8_t)rng_next(r);
}

/* ---- building the table --------------------------------------------------------------- */

typedef struct Builder {
    Form *forms;
    unsigned n, max;
} Builder;

static Form *form_new(Builder *b, FormKind kind, unsigned size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static Form *form_new(Builder *b, FormKind kind, unsigned size, const char *fmt, ...)
{
    static Form overflow;
    Form *f = b->n < b->max ? &b->forms[b->n++] : &overflow;
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    f->size = (uint8_t)size;
    f->imm_at = -1;
    f->mem_reg = -1;
    /* Sequences keep EBX (memory forms), ESP (stack) and EDI inside the window: BT m,r
     * reaches 256 bytes around EBX, and stack forms choose their role themselves. */
    f->seq = kind == FK_BTMEM || kind == FK_STACK ? SEQ_NONE : SEQ_BODY;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->name, sizeof f->name, fmt, ap);
    va_end(ap);
    if (size == 2)
        f->bytes[f->len++] = 0x66;
    return f;
}

static void put(Form *f, unsigned byte) { f->bytes[f->len++] = (uint8_t)byte; }

static void put_imm(Form *f, unsigned n)
{
    f->imm_at = (int8_t)f->len;
    f->imm_len = (uint8_t)n;
    f->len = (uint8_t)(f->len + n);
}

static const char *const sz_name[5] = {"", "8", "16", "", "32"};
static const char *const alu_name[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
static const char *const shift_name[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
static const char *const cc_name[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                        "s", "ns", "p", "np", "l", "ge", "le", "g"};

/* op r/m, reg in the register form and the memory form. */
static void rm_reg_pair(Builder *b, unsigned size, const char *name, const uint8_t *op,
                        unsigned oplen, FormSpecial sp)
{
    for (int mem = 0; mem < 2; mem++) {
        Form *f = form_new(b, mem ? FK_MEM : FK_REG, size, "%s%s %s", name, sz_name[size],
                           mem ? "m,r" : "r,r");
        for (unsigned i = 0; i < oplen; i++)
            put(f, op[i]);
        put(f, MODRM(mem ? 0 : 3, REG_EDX, mem ? RM_EBX_MEM : RM_ECX));
        f->special = (uint8_t)sp;
    }
}

/* op r/m with a /digit (group opcodes), register and memory forms. */
static void group_pair(Builder *b, unsigned size, const char *name, const uint8_t *op,
                       unsigned oplen, unsigned digit, unsigned imm, FormSpecial sp)
{
    for (int mem = 0; mem < 2; mem++) {
        Form *f = form_new(b, mem ? FK_MEM : FK_REG, size, "%s%s %s", name, sz_name[size],
                           mem ? "m" : "r");
        for (unsigned i = 0; i < oplen; i++)
            put(f, op[i]);
        put(f, MODRM(mem ? 0 : 3, digit, mem ? RM_EBX_MEM : RM_ECX));
        if (imm)
            put_imm(f, imm);
        f->special = (uint8_t)sp;
    }
}

static void build_alu(Builder *b)
{
    for (unsigned op = 0; op < 8; op++) {
        for (unsigned size = 1; size <= 4; size *= 2) {
            unsigned w = size > 1;
            uint8_t opc = (uint8_t)(op * 8 + w);
            rm_reg_pair(b, size, alu_name[op], &opc, 1, SP_NONE);
            uint8_t opc_rev = (uint8_t)(op * 8 + 2 + w);
            Form *f = form_new(b, FK_MEM, size, "%s%s r,m", alu_name[op], sz_name[size]);
            put(f, opc_rev);
            put(f, MODRM(0, REG_EDX, RM_EBX_MEM));
            f = form_new(b, FK_REG, size, "%s%s acc,imm", alu_name[op], sz_name[size]);
            put(f, op * 8 + 4 + w);
            put_imm(f, size);
            uint8_t grp = (uint8_t)(0x80 | w);
            group_pair(b, size, alu_name[op], &grp, 1, op, size, SP_NONE);
            if (size > 1) {
                uint8_t g83 = 0x83;
                f = form_new(b, FK_REG, size, "%s%s r,imm8s", alu_name[op], sz_name[size]);
                put(f, g83);
                put(f, MODRM(3, op, RM_ECX));
                put_imm(f, 1);
            }
        }
        Form *f = form_new(b, FK_REG, 1, "%s8 ah,bh", alu_name[op]);
        put(f, op * 8);
        put(f, MODRM(3, 7, 4));
    }
}

static void build_unary(Builder *b)
{
    static const uint8_t f6[1] = {0xF6}, f7[1] = {0xF7}, fe[1] = {0xFE}, ff[1] = {0xFF};
    static const uint8_t test8[1] = {0x84}, test[1] = {0x85};
    for (unsigned size = 1; size <= 4; size *= 2) {
        const uint8_t *g3 = size == 1 ? f6 : f7;
        group_pair(b, size, "not", g3, 1, 2, 0, SP_NONE);
        group_pair(b, size, "neg", g3, 1, 3, 0, SP_NONE);
        group_pair(b, size, "test", g3, 1, 0, size, SP_NONE);
        rm_reg_pair(b, size, "test", size == 1 ? test8 : test, 1, SP_NONE);
        group_pair(b, size, "inc", size == 1 ? fe : ff, 1, 0, 0, SP_NONE);
        group_pair(b, size, "dec", size == 1 ? fe : ff, 1, 1, 0, SP_NONE);
        if (size > 1) {
            Form *f = form_new(b, FK_REG, size, "inc%s ecx (40+r)", sz_name[size]);
            put(f, 0x41);
            f = form_new(b, FK_REG, size, "dec%s ecx (48+r)", sz_name[size]);
            put(f, 0x49);
        }
    }
}

static void build_shifts(Builder *b)
{
    for (unsigned size = 1; size <= 4; size *= 2) {
        unsigned w = size > 1;
        for (unsigned op = 0; op < 8; op++) {
            uint8_t c0 = (uint8_t)(0xC0 | w), d0 = (uint8_t)(0xD0 | w), d2 = (uint8_t)(0xD2 | w);
            Form *f = form_new(b, FK_REG, size, "%s%s r,imm", shift_name[op], sz_name[size]);
            put(f, c0);
            put(f, MODRM(3, op, RM_ECX));
            put_imm(f, 1);
            f->special = SP_COUNT_IMM;
            f = form_new(b, FK_REG, size, "%s%s r,1", shift_name[op], sz_name[size]);
            put(f, d0);
            put(f, MODRM(3, op, RM_ECX));
            /* The count in CL: the shifted operand must not be ECX; use EDX (DL, DX). */
            f = form_new(b, FK_REG, size, "%s%s r,cl", shift_name[op], sz_name[size]);
            put(f, d2);
            put(f, MODRM(3, op, REG_EDX));
            f->special = SP_COUNT_CL;
            f = form_new(b, FK_MEM, size, "%s%s m,cl", shift_name[op], sz_name[size]);
            put(f, d2);
            put(f, MODRM(0, op, RM_EBX_MEM));
            f->special = SP_COUNT_CL;
        }
    }
    for (unsigned size = 2; size <= 4; size *= 2) {
        static const struct { uint8_t opc; const char *name; bool cl; } dbl[] = {
            {0xA4, "shld", false}, {0xA5, "shld", true}, {0xAC, "shrd", false}, {0xAD, "shrd", true}};
        for (unsigned i = 0; i < 4; i++) {
            for (int mem = 0; mem < 2; mem++) {
                Form *f = form_new(b, mem ? FK_MEM : FK_REG, size, "%s%s %s,r,%s", dbl[i].name,
                                   sz_name[size], mem ? "m" : "r", dbl[i].cl ? "cl" : "imm");
                put(f, 0x0F);
                put(f, dbl[i].opc);
                /* r/m = EBX-memory or ESI (the count register ECX stays free), reg = EDX */
                put(f, mem ? MODRM(0, REG_EDX, RM_EBX_MEM) : MODRM(3, REG_EDX, 6));
                if (!dbl[i].cl)
                    put_imm(f, 1);
                f->special = dbl[i].cl ? SP_COUNT_CL : SP_COUNT_IMM;
                f->writes_esi = !mem;
            }
        }
    }
}

static void build_muldiv(Builder *b)
{
    static const char *const names[4] = {"mul", "imul", "div", "idiv"};
    static const FormSpecial sp[4] = {SP_NONE, SP_NONE, SP_DIV, SP_IDIV};
    for (unsigned size = 1; size <= 4; size *= 2) {
        uint8_t g3 = size == 1 ? 0xF6 : 0xF7;
        for (unsigned k = 0; k < 4; k++)
            group_pair(b, size, names[k], &g3, 1, 4 + k, 0, sp[k]);
        if (size == 1)
            continue;
        static const uint8_t imul2[2] = {0x0F, 0xAF};
        for (int mem = 0; mem < 2; mem++) {
            Form *f = form_new(b, mem ? FK_MEM : FK_REG, size, "imul%s r,%s", sz_name[size],
                               mem ? "m" : "r");
            put(f, imul2[0]);
            put(f, imul2[1]);
            put(f, MODRM(mem ? 0 : 3, REG_EDX, mem ? RM_EBX_MEM : RM_ECX));
        }
        Form *f = form_new(b, FK_REG, size, "imul%s r,r,imm", sz_name[size]);
        put(f, 0x69);
        put(f, MODRM(3, REG_EDX, RM_ECX));
        put_imm(f, size);
        f = form_new(b, FK_MEM, size, "imul%s r,m,imm8", sz_name[size]);
        put(f, 0x6B);
        put(f, MODRM(0, REG_EDX, RM_EBX_MEM));
        put_imm(f, 1);
    }
}

static void build_bcd(Builder *b)
{
    static const struct { uint8_t opc; const char *name; } one[] = {
        {0x27, "daa"}, {0x2F, "das"}, {0x37, "aaa"}, {0x3F, "aas"}};
    for (unsigned i = 0; i < 4; i++) {
        Form *f = form_new(b, FK_REG, 1, "%s", one[i].name);
        put(f, one[i].opc);
    }
    Form *f = form_new(b, FK_REG, 1, "aam imm");
    put(f, 0xD4);
    put_imm(f, 1);
    f->special = SP_AAM;
    f = form_new(b, FK_REG, 1, "aad imm");
    put(f, 0xD5);
    put_imm(f, 1);
}

static void build_bits(Builder *b)
{
    static const struct { uint8_t opc; unsigned digit; const char *name; } bt[] = {
        {0xA3, 4, "bt"}, {0xAB, 5, "bts"}, {0xB3, 6, "btr"}, {0xBB, 7, "btc"}};
    for (unsigned size = 2; size <= 4; size *= 2) {
        for (unsigned i = 0; i < 4; i++) {
            Form *f = form_new(b, FK_REG, size, "%s%s r,r", bt[i].name, sz_name[size]);
            put(f, 0x0F);
            put(f, bt[i].opc);
            put(f, MODRM(3, REG_EDX, RM_ECX));
            f = form_new(b, FK_BTMEM, size, "%s%s m,r", bt[i].name, sz_name[size]);
            put(f, 0x0F);
            put(f, bt[i].opc);
            put(f, MODRM(0, REG_EDX, RM_EBX_MEM));
            uint8_t ba[2] = {0x0F, 0xBA};
            group_pair(b, size, bt[i].name, ba, 2, bt[i].digit, 1, SP_NONE);
        }
        static const uint8_t bsf[2] = {0x0F, 0xBC}, bsr[2] = {0x0F, 0xBD};
        rm_reg_pair(b, size, "bsf", bsf, 2, SP_BSCAN);
        rm_reg_pair(b, size, "bsr", bsr, 2, SP_BSCAN);
        Form *f = form_new(b, FK_REG, size, "bswap%s ecx", sz_name[size]);
        put(f, 0x0F);
        put(f, 0xC9);
    }
    /* rm_reg_pair encodes "op r/m, reg"; BSF/BSR are "op reg, r/m": same bytes, and the
     * SP_BSCAN shaping zeroes the r/m operand, which is their source. */
}

static void build_cond(Builder *b)
{
    for (unsigned cc = 0; cc < 16; cc++) {
        Form *f = form_new(b, FK_REG, 1, "set%s r", cc_name[cc]);
        put(f, 0x0F);
        put(f, 0x90 + cc);
        put(f, MODRM(3, 0, RM_ECX));
        f = form_new(b, FK_MEM, 1, "set%s m", cc_name[cc]);
        put(f, 0x0F);
        put(f, 0x90 + cc);
        put(f, MODRM(0, 0, RM_EBX_MEM));
        for (unsigned size = 2; size <= 4; size *= 2) {
            uint8_t op[2] = {0x0F, (uint8_t)(0x40 + cc)};
            char name[16];
            snprintf(name, sizeof name, "cmov%s", cc_name[cc]);
            rm_reg_pair(b, size, name, op, 2, SP_NONE);
        }
    }
}

static void build_exchange(Builder *b)
{
    for (unsigned size = 1; size <= 4; size *= 2) {
        unsigned w = size > 1;
        uint8_t xadd[2] = {0x0F, (uint8_t)(0xC0 | w)}, cx[2] = {0x0F, (uint8_t)(0xB0 | w)};
        uint8_t xchg = (uint8_t)(0x86 | w);
        rm_reg_pair(b, size, "xadd", xadd, 2, SP_NONE);
        rm_reg_pair(b, size, "cmpxchg", cx, 2, SP_CMPXCHG);
        rm_reg_pair(b, size, "xchg", &xchg, 1, SP_NONE);
        uint8_t mov = (uint8_t)(0x88 | w), movr = (uint8_t)(0x8A | w);
        rm_reg_pair(b, size, "mov", &mov, 1, SP_NONE);
        rm_reg_pair(b, size, "mov(r)", &movr, 1, SP_NONE);
    }
    Form *f = form_new(b, FK_CX8, 4, "cmpxchg8b m");
    put(f, 0x0F);
    put(f, 0xC7);
    put(f, MODRM(0, 1, RM_EBX_MEM));
    f = form_new(b, FK_REG, 4, "xchg ecx,eax (91)");
    put(f, 0x91);
    f = form_new(b, FK_REG, 2, "xchg cx,ax (66 91)");
    put(f, 0x91);
    for (unsigned size = 2; size <= 4; size *= 2) {
        static const uint8_t zx8[2] = {0x0F, 0xB6}, zx16[2] = {0x0F, 0xB7};
        static const uint8_t sx8[2] = {0x0F, 0xBE}, sx16[2] = {0x0F, 0xBF};
        rm_reg_pair(b, size, "movzx8", zx8, 2, SP_NONE);
        rm_reg_pair(b, size, "movzx16", zx16, 2, SP_NONE);
        rm_reg_pair(b, size, "movsx8", sx8, 2, SP_NONE);
        rm_reg_pair(b, size, "movsx16", sx16, 2, SP_NONE);
    }
}

static void build_misc(Builder *b)
{
    static const struct { uint8_t opc; unsigned size; const char *name; } one[] = {
        {0x98, 4, "cwde"}, {0x98, 2, "cbw"}, {0x99, 4, "cdq"}, {0x99, 2, "cwd"},
        {0x9E, 4, "sahf"}, {0x9F, 4, "lahf"}, {0xF5, 4, "cmc"}, {0xF8, 4, "clc"},
        {0xF9, 4, "stc"}, {0xFC, 4, "cld"}, {0xFD, 4, "std"}, {0xD6, 4, "salc"},
        {0x90, 4, "nop"}, {0xD7, 4, "xlat"},
    };
    for (unsigned i = 0; i < sizeof one / sizeof one[0]; i++) {
        Form *f = form_new(b, one[i].opc == 0xD7 ? FK_XLAT : FK_REG, one[i].size, "%s", one[i].name);
        put(f, one[i].opc);
    }
    static const struct { uint8_t bytes[10]; uint8_t len; const char *name; } lea[] = {
        {{0x8D, 0x04, 0x8B}, 3, "lea eax,[ebx+ecx*4]"},
        {{0x8D, 0x44, 0x4E, 0x80}, 4, "lea eax,[esi+ecx*2-128]"},
        {{0x8D, 0x84, 0xFD, 0x78, 0x56, 0x34, 0x12}, 7, "lea eax,[ebp+edi*8+disp32]"},
        {{0x66, 0x8D, 0x43, 0x10}, 4, "lea ax,[ebx+16]"},
        {{0x67, 0x8D, 0x40, 0x7F}, 4, "lea eax,[bx+si+127] (a16)"},
        {{0x67, 0x8D, 0x87, 0x00, 0xF0}, 5, "lea eax,[bx-4096] (a16)"},
        {{0x0F, 0x1F, 0x44, 0x00, 0x00}, 5, "nop dword [eax+eax+0]"},
        {{0x66, 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0}, 9, "nop word [eax+eax+disp32]"},
    };
    for (unsigned i = 0; i < sizeof lea / sizeof lea[0]; i++) {
        Form *f = form_new(b, FK_REG, 4, "%s", lea[i].name);
        memcpy(f->bytes, lea[i].bytes, lea[i].len);
        f->len = lea[i].len;
    }
    for (unsigned size = 1; size <= 4; size *= 2) {
        Form *f = form_new(b, FK_REG, size, "mov%s r,imm (b0+r)", sz_name[size]);
        put(f, (size == 1 ? 0xB0 : 0xB8) + RM_ECX);
        put_imm(f, size);
        uint8_t c6 = size == 1 ? 0xC6 : 0xC7;
        group_pair(b, size, "mov imm", &c6, 1, 0, size, SP_NONE);
    }
}

static void build_strings(Builder *b)
{
    static const struct { uint8_t opc; const char *name; bool cmp; } str[] = {
        {0xA4, "movs", false}, {0xA6, "cmps", true}, {0xAA, "stos", false},
        {0xAC, "lods", false}, {0xAE, "scas", true}};
    static const struct { uint8_t byte; const char *name; } rep[] = {
        {0, ""}, {0xF3, "rep "}, {0xF2, "repne "}};
    for (unsigned i = 0; i < 5; i++)
        for (unsigned size = 1; size <= 4; size *= 2)
            for (unsigned r = 0; r < 3; r++) {
                Form *f = form_new(b, FK_STRING, size, "%s%s%s", rep[r].name, str[i].name,
                                   size == 1 ? "b" : size == 2 ? "w" : "d");
                if (rep[r].byte) {
                    put(f, rep[r].byte);
                    f->seq = SEQ_NONE; /* ECX is anything in a sequence */
                }
                put(f, str[i].opc + (size > 1));
                f->special = str[i].cmp ? SP_CMPS : SP_NONE;
            }
}

static void build_stack(Builder *b)
{
    /* seq: where the form may stand in a sequence (see SeqRole), delta: its ESP change
     * there. Forms that load ESP, EBP or the flags (TF) from the stack stay out. */
    static const struct {
        uint8_t bytes[4]; uint8_t len; unsigned size, imm; FormSpecial sp; SeqRole seq;
        int8_t delta; const char *name;
    } st[] = {
        {{0x51}, 1, 4, 0, SP_NONE, SEQ_BODY, -4, "push ecx"},
        {{0x51}, 1, 2, 0, SP_NONE, SEQ_BODY, -2, "push cx"},
        {{0x54}, 1, 4, 0, SP_NONE, SEQ_BODY, -4, "push esp"},
        {{0x68}, 1, 4, 4, SP_NONE, SEQ_BODY, -4, "push imm32"},
        {{0x6A}, 1, 4, 1, SP_NONE, SEQ_BODY, -4, "push imm8"},
        {{0x6A}, 1, 2, 1, SP_NONE, SEQ_BODY, -2, "push imm8 (o16)"},
        {{0xFF, 0x33}, 2, 4, 0, SP_NONE, SEQ_BODY, -4, "push dword [ebx]"},
        {{0xFF, 0x33}, 2, 2, 0, SP_NONE, SEQ_BODY, -2, "push word [ebx]"},
        {{0x59}, 1, 4, 0, SP_NONE, SEQ_BODY, 4, "pop ecx"},
        {{0x59}, 1, 2, 0, SP_NONE, SEQ_BODY, 2, "pop cx"},
        {{0x5C}, 1, 4, 0, SP_NONE, SEQ_NONE, 0, "pop esp"},
        {{0x8F, 0x03}, 2, 4, 0, SP_NONE, SEQ_BODY, 4, "pop dword [ebx]"},
        {{0x8F, 0x03}, 2, 2, 0, SP_NONE, SEQ_BODY, 2, "pop word [ebx]"},
        {{0x8F, 0x44, 0x24, 0x04}, 4, 4, 0, SP_NONE, SEQ_BODY, 4, "pop dword [esp+4]"},
        {{0x60}, 1, 4, 0, SP_NONE, SEQ_BODY, -32, "pushad"},
        {{0x60}, 1, 2, 0, SP_NONE, SEQ_BODY, -16, "pushaw"},
        {{0x61}, 1, 4, 0, SP_NONE, SEQ_NONE, 0, "popad"},
        {{0x61}, 1, 2, 0, SP_NONE, SEQ_NONE, 0, "popaw"},
        {{0x9C}, 1, 4, 0, SP_NONE, SEQ_BODY, -4, "pushfd"},
        {{0x9C}, 1, 2, 0, SP_NONE, SEQ_BODY, -2, "pushfw"},
        {{0x9D}, 1, 4, 0, SP_POPF, SEQ_NONE, 0, "popfd"},
        {{0x9D}, 1, 2, 0, SP_POPF, SEQ_NONE, 0, "popfw"},
        {{0xC8}, 1, 4, 3, SP_ENTER, SEQ_NONE, 0, "enter imm16,level"},
        {{0xC8}, 1, 2, 3, SP_ENTER, SEQ_NONE, 0, "enter imm16,level (o16)"},
        {{0xC9}, 1, 4, 0, SP_LEAVE, SEQ_NONE, 0, "leave"},
        {{0xC9}, 1, 2, 0, SP_LEAVE, SEQ_NONE, 0, "leave (o16)"},
        {{0xE8}, 1, 4, 4, SP_BRANCH_REL, SEQ_LAST, -4, "call rel32"},
        {{0xFF, 0xD1}, 2, 4, 0, SP_BRANCH_REG, SEQ_LAST, -4, "call ecx"},
        {{0xFF, 0xE1}, 2, 4, 0, SP_BRANCH_REG, SEQ_LAST, 0, "jmp ecx"},
        {{0xEB}, 1, 4, 1, SP_BRANCH_REL, SEQ_LAST, 0, "jmp rel8"},
        {{0xE9}, 1, 4, 4, SP_BRANCH_REL, SEQ_LAST, 0, "jmp rel32"},
        {{0xC3}, 1, 4, 0, SP_RET, SEQ_LAST, 4, "ret"},
        {{0xC2}, 1, 4, 2, SP_RET, SEQ_LAST, 4, "ret imm16"},
        {{0xE0}, 1, 4, 1, SP_COUNTDOWN, SEQ_LAST, 0, "loopne"},
        {{0xE1}, 1, 4, 1, SP_COUNTDOWN, SEQ_LAST, 0, "loope"},
        {{0xE2}, 1, 4, 1, SP_COUNTDOWN, SEQ_LAST, 0, "loop"},
        {{0xE3}, 1, 4, 1, SP_COUNTDOWN, SEQ_LAST, 0, "jecxz"},
        {{0x67, 0xE0}, 2, 4, 1, SP_COUNTDOWN, SEQ_LAST, 0, "loopne (a16: cx)"},
        {{0x67, 0xE2}, 2, 4, 1, SP_COUNTDOWN, SEQ_LAST, 0, "loop (a16: cx)"},
        {{0x67, 0xE3}, 2, 4, 1, SP_COUNTDOWN, SEQ_LAST, 0, "jcxz (a16)"},
    };
    for (unsigned i = 0; i < sizeof st / sizeof st[0]; i++) {
        Form *f = form_new(b, FK_STACK, st[i].size, "%s", st[i].name);
        f->seq = (uint8_t)st[i].seq;
        f->stack_delta = st[i].delta;
        for (unsigned k = 0; k < st[i].len; k++)
            put(f, st[i].bytes[k]);
        if (st[i].imm)
            put_imm(f, st[i].imm);
        f->special = (uint8_t)st[i].sp;
    }
    for (unsigned cc = 0; cc < 16; cc++) {
        Form *f = form_new(b, FK_STACK, 4, "j%s rel8", cc_name[cc]);
        put(f, 0x70 + cc);
        put_imm(f, 1);
        f->special = SP_BRANCH_REL;
        f->seq = SEQ_LAST;
        f = form_new(b, FK_STACK, 4, "j%s rel32", cc_name[cc]);
        f->seq = SEQ_LAST;
        put(f, 0x0F);
        put(f, 0x80 + cc);
        put_imm(f, 4);
        f->special = SP_BRANCH_REL;
    }
}

unsigned forms_build(Form *forms, unsigned max)
{
    Builder b = {forms, 0, max};
    build_alu(&b);
    build_unary(&b);
    build_shifts(&b);
    build_muldiv(&b);
    build_bcd(&b);
    build_bits(&b);
    build_cond(&b);
    build_exchange(&b);
    build_misc(&b);
    build_strings(&b);
    build_stack(&b);
    return b.n;
}

/* ---- cases -------------------------------------------------------------------------------- */

static uint32_t ebx_off(const HcCase *c) { return c->regs[HC_EBX] - HC_DATA_BASE; }

static void mem_put(HcCase *c, uint32_t off, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size && off + i < HC_DATA_SIZE; i++)
        c->mem[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t mem_get(const HcCase *c, uint32_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < HC_DATA_SIZE; i++)
        v |= (uint64_t)c->mem[off + i] << (8 * i);
    return v;
}

/* The r/m operand of a form: [EBX] for memory forms, else ECX / CX / CL. */
static uint32_t rm_get(const Form *f, const HcCase *c)
{
    if (f->kind == FK_MEM)
        return (uint32_t)mem_get(c, ebx_off(c), f->size);
    return c->regs[HC_ECX] & size_mask(f->size);
}

static void rm_set(const Form *f, HcCase *c, uint32_t v)
{
    if (f->kind == FK_MEM)
        mem_put(c, ebx_off(c), f->size, v);
    else
        c->regs[HC_ECX] = (c->regs[HC_ECX] & ~size_mask(f->size)) | (v & size_mask(f->size));
}

/* Dividend registers: AX, DX:AX or EDX:EAX. */
static void dividend_set(const Form *f, HcCase *c, uint64_t n)
{
    if (f->size == 1) {
        c->regs[HC_EAX] = (c->regs[HC_EAX] & 0xFFFF0000u) | (uint32_t)(n & 0xFFFF);
    } else if (f->size == 2) {
        c->regs[HC_EAX] = (c->regs[HC_EAX] & 0xFFFF0000u) | (uint32_t)(n & 0xFFFF);
        c->regs[HC_EDX] = (c->regs[HC_EDX] & 0xFFFF0000u) | (uint32_t)((n >> 16) & 0xFFFF);
    } else {
        c->regs[HC_EAX] = (uint32_t)n;
        c->regs[HC_EDX] = (uint32_t)(n >> 32);
    }
}

static uint64_t dividend_get(const Form *f, const HcCase *c)
{
    if (f->size == 1)
        return c->regs[HC_EAX] & 0xFFFF;
    if (f->size == 2)
        return (c->regs[HC_EDX] & 0xFFFF) << 16 | (c->regs[HC_EAX] & 0xFFFF);
    return (uint64_t)c->regs[HC_EDX] << 32 | c->regs[HC_EAX];
}

static int64_t sext(uint64_t v, unsigned bits)
{
    return bits == 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* Shapes DIV/IDIV operands: mostly quotients that fit, some raw values and edge cases. */
static void shape_division(const Form *f, Rng *rng, HcCase *c, bool is_signed)
{
    unsigned w = 8 * f->size;
    uint32_t k = rng_below(rng, 100);
    if (k < 30)
        return; /* raw random values: mostly quotient overflows */
    if (is_signed && k < 36) {
        /* The most negative dividend by -1, and quotients at the range limits (+-1). */
        __int128 n;
        int64_t d = (k & 1) ? -1 : 1;
        if (k == 30) {
            n = -((__int128)1 << (2 * w - 1));
            d = -1;
        } else {
            n = (k < 33 ? -((__int128)1 << (w - 1)) : ((__int128)1 << (w - 1))) * d;
        }
        rm_set(f, c, (uint32_t)d);
        dividend_set(f, c, (uint64_t)n);
        return;
    }
    uint64_t dv;
    do
        dv = rand_val(rng, f->size) & size_mask(f->size);
    while (dv == 0);
    rm_set(f, c, (uint32_t)dv);
    if (!is_signed) {
        uint64_t q = rand_val(rng, f->size) & size_mask(f->size);
        uint64_t r = rng_next(rng) % dv;
        dividend_set(f, c, q * dv + r);
    } else {
        int64_t d = sext(dv, w);
        int64_t q = sext(rand_val(rng, f->size) & size_mask(f->size), w);
        int64_t mag = d < 0 ? -d : d;
        int64_t r = (int64_t)(rng_next(rng) % (uint64_t)mag);
        __int128 n = (__int128)q * d;
        if (n < 0 || (n == 0 && (rng_next(rng) & 1)))
            r = -r;
        n += r;
        dividend_set(f, c, (uint64_t)n);
    }
}

static bool division_faults(const Form *f, const HcCase *c, bool is_signed)
{
    unsigned w = 8 * f->size;
    uint64_t dv = rm_get(f, c), n = dividend_get(f, c);
    if (dv == 0)
        return true;
    if (!is_signed)
        return n / dv > size_mask(f->size);
    __int128 sn = sext(n, 2 * w), sd = sext(dv, w);
    __int128 q = sn / sd;
    return q < -((__int128)1 << (w - 1)) || q > ((__int128)1 << (w - 1)) - 1;
}

static void shape_string(const Form *f, Rng *rng, HcCase *c)
{
    c->regs[HC_ESI] = HC_DATA_BASE + 48 + rng_below(rng, 32);
    c->regs[HC_EDI] = HC_DATA_BASE + 160 + rng_below(rng, 32);
    c->regs[HC_ECX] = rng_below(rng, 10) == 0 ? 0 : rng_below(rng, 11);
    if (rng_next(rng) & 1)
        c->eflags |= 0x400; /* DF */
    if (f->special != SP_CMPS)
        return;
    /* Make the compared data equal around both pointers (either direction, up to 10
     * elements of 4 bytes), then maybe plant one difference. For SCAS the window at EDI
     * repeats the accumulator; 40 is a multiple of every element size, so the pattern is
     * aligned with the elements that EDI steps through. */
    uint32_t s = c->regs[HC_ESI] - HC_DATA_BASE, d = c->regs[HC_EDI] - HC_DATA_BASE;
    bool scas = (f->bytes[f->len - 1] & 0xFE) == 0xAE;
    for (uint32_t i = 0; i < 80; i++)
        c->mem[d - 40 + i] = scas ? (uint8_t)(c->regs[HC_EAX] >> (8 * (i % f->size)))
                                  : c->mem[s - 40 + i];
    if (rng_next(rng) & 1)
        c->mem[d - 40 + rng_below(rng, 80)] ^= (uint8_t)(1 + rng_below(rng, 255));
}

/* A branch target near the instruction, clear of it and of the stub after it (6 bytes). */
static uint32_t pick_target(const Form *f, Rng *rng)
{
    uint32_t end = HC_INSN + f->len;
    if (rng_next(rng) & 1)
        return end + 8 + rng_below(rng, 100);
    return HC_INSN - 8 - rng_below(rng, 100);
}

static void shape_stack(const Form *f, Rng *rng, HcCase *c)
{
    c->regs[HC_ESP] = HC_DATA_BASE + 192 + rng_below(rng, 33);
    uint32_t sp = c->regs[HC_ESP] - HC_DATA_BASE;
    switch (f->special) {
    case SP_BRANCH_REL: {
        c->target = pick_target(f, rng);
        uint32_t disp = c->target - (HC_INSN + f->len);
        for (unsigned i = 0; i < f->imm_len; i++)
            c->bytes[f->imm_at + i] = (uint8_t)(disp >> (8 * i));
        break;
    }
    case SP_BRANCH_REG:
        c->target = pick_target(f, rng);
        c->regs[HC_ECX] = c->target;
        break;
    case SP_RET:
        c->target = pick_target(f, rng);
        mem_put(c, sp, 4, c->target);
        break;
    case SP_COUNTDOWN: {
        c->target = pick_target(f, rng);
        uint32_t disp = c->target - (HC_INSN + f->len);
        c->bytes[f->imm_at] = (uint8_t)disp;
        uint32_t k = rng_below(rng, 10);
        uint32_t low = k < 3 ? 0 : k < 6 ? 1 : rng_next(rng);
        bool a16 = f->bytes[0] == 0x67;
        c->regs[HC_ECX] = a16 ? ((c->regs[HC_ECX] & 0xFFFF0000u) | (low & 0xFFFF))
                              : (k < 6 ? low : c->regs[HC_ECX]);
        break;
    }
    case SP_POPF:
        mem_put(c, sp, 4, rng_next(rng) & ~0x100u); /* never TF */
        break;
    case SP_ENTER:
        /* The allocation stays small: the CPU probes the new stack top, which must remain
         * in the mapped page (vmm86 models the probe; see test_ops_stack). */
        c->regs[HC_EBP] = HC_DATA_BASE + 96 + rng_below(rng, 64);
        c->bytes[f->imm_at] = (uint8_t)rng_below(rng, 128);
        c->bytes[f->imm_at + 1] = 0;
        c->bytes[f->imm_at + 2] = (uint8_t)(rng_below(rng, 4) == 0 ? 32 + rng_below(rng, 3)
                                                                   : rng_below(rng, 6));
        break;
    case SP_LEAVE:
        c->regs[HC_EBP] = HC_DATA_BASE + 160 + rng_below(rng, 64);
        break;
    default:
        c->regs[HC_EBX] = HC_DATA_BASE + 64 + rng_below(rng, 64); /* PUSH/POP [EBX] */
        break;
    }
}

bool form_make_case(const Form *f, Rng *rng, HcCase *c)
{
    memset(c, 0, sizeof *c);
    c->magic = HC_MAGIC_CASE;
    c->len = f->len;
    memcpy(c->bytes, f->bytes, f->len);
    for (int r = 0; r < 8; r++)
        c->regs[r] = rand_val(rng, 4);
    c->regs[HC_ESP] = HC_DATA_BASE + HC_DATA_SIZE - 16; /* unused by most forms */
    c->eflags = (rng_next(rng) & 0x8D5) | 0x202; /* OF SF ZF AF PF CF random; IF; bit 1 */
    for (unsigned i = 0; i < HC_DATA_SIZE; i += 4)
        mem_put(c, i, 4, rand_val(rng, 4));
    if (f->imm_at >= 0) { /* one value, so the edge values come whole (80000000h, FFFFh) */
        uint32_t imm = rand_val(rng, f->imm_len == 4 ? 4 : f->imm_len == 1 ? 1 : 2);
        for (unsigned i = 0; i < f->imm_len; i++)
            c->bytes[f->imm_at + i] = (uint8_t)(imm >> (8 * i));
    }
    switch (f->kind) {
    case FK_MEM:
        c->regs[HC_EBX] = HC_DATA_BASE + 64 + rng_below(rng, 64);
        break;
    case FK_CX8:
        c->regs[HC_EBX] = HC_DATA_BASE + 64 + rng_below(rng, 64);
        if (rng_below(rng, 10) < 4) {
            uint64_t m = mem_get(c, ebx_off(c), 8);
            c->regs[HC_EAX] = (uint32_t)m;
            c->regs[HC_EDX] = (uint32_t)(m >> 32);
        }
        break;
    case FK_BTMEM: {
        c->regs[HC_EBX] = HC_DATA_BASE + 128;
        int32_t off = (int32_t)rng_below(rng, 2048) - 1024;
        c->regs[HC_EDX] = f->size == 2 ? ((rng_next(rng) & 0xFFFF0000u) | ((uint32_t)off & 0xFFFF))
                                       : (uint32_t)off;
        break;
    }
    case FK_STRING:
        shape_string(f, rng, c);
        break;
    case FK_XLAT:
        c->regs[HC_EBX] = HC_DATA_BASE;
        break;
    case FK_STACK:
        shape_stack(f, rng, c);
        return false;
    default:
        break;
    }
    switch (f->special) {
    case SP_COUNT_IMM:
        c->bytes[f->imm_at] = shaped_count(rng);
        break;
    case SP_COUNT_CL:
        c->regs[HC_ECX] = (c->regs[HC_ECX] & ~0xFFu) | shaped_count(rng);
        break;
    case SP_DIV:
    case SP_IDIV:
        shape_division(f, rng, c, f->special == SP_IDIV);
        return division_faults(f, c, f->special == SP_IDIV);
    case SP_AAM: {
        uint32_t k = rng_below(rng, 10);
        c->bytes[f->imm_at] = k < 2 ? 0 : k < 5 ? 10 : c->bytes[f->imm_at];
        return c->bytes[f->imm_at] == 0;
    }
    case SP_CMPXCHG:
        if (rng_below(rng, 10) < 4)
            c->regs[HC_EAX] = (c->regs[HC_EAX] & ~size_mask(f->size)) | rm_get(f, c);
        break;
    case SP_BSCAN:
        if (rng_below(rng, 4) == 0)
            rm_set(f, c, 0);
        break;
    default:
        break;
    }
    return false;
}

int form_count(const Form *f, const HcCase *c)
{
    if (f->special == SP_COUNT_IMM)
        return c->bytes[f->imm_at];
    if (f->special == SP_COUNT_CL)
        return c->regs[HC_ECX] & 0xFF;
    if (f->len >= 2 && (f->bytes[f->len - 2] & 0xFE) == 0xD0) /* D0/D1: shift by one */
        return 1;
    return -1;
}
