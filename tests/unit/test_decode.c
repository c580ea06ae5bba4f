/* test_decode.c — decoder rows: byte strings with the expected status, length, operation,
 * operands, prefixes and addressing, from the Intel SDM (Vol. 2: the instruction pages,
 * §2.1 prefixes and ModRM/SIB tables 2-1 to 2-3, Appendix A opcode maps).
 *
 * Every row is decoded twice: from a buffer holding exactly its bytes and from a long
 * buffer with trailing filler (the decoder reads long buffers in place and copies short
 * ones); both must meet the expectations. Rows that expect DEC_NEED_MORE are only decoded
 * from the exact buffer. The last suite checks cpu/disasm.c's formatting and its "(bad)".
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cpu/decode.h"
#include "cpu/disasm.h"


/* One expected operand: type, size (bytes) and register number. */
typedef struct ExpOpnd {
    uint8_t type, size, reg;
} ExpOpnd;

typedef struct Row {
    const char *hex;      /* the bytes */
    bool code32;
    DecodeStatus st;
    uint8_t len;          /* checked when st == DEC_OK */
    int op;               /* OpId + 1; 0: not checked */
    const char *mnem;     /* NULL: not checked */
    ExpOpnd opnd[3];      /* checked for i < nopnd when check_opnd */
    bool check_opnd;
    /* expected value + 1; 0: not checked */
    int opsize, adsize, seg, rep, base, index, scale;
    bool check_disp, check_imm, check_imm2;
    uint32_t disp, imm, imm2;
} Row;

/* Row builders: the fields a row does not name are not checked. */
#define ROW(h, c32, ...) {.hex = h, .code32 = c32, __VA_ARGS__}
#define OK(n) .st = DEC_OK, .len = n
#define OP(o) .op = (o) + 1
#define OS(v) .opsize = (v) + 1
#define AS(v) .adsize = (v) + 1
#define SEG(v) .seg = (v) + 1
#define REP(v) .rep = (v) + 1
#define OPS(...) .check_opnd = true, .opnd = {__VA_ARGS__}
#define GPR(sz, r) {OPT_GPR, sz, r}
#define MEM(sz) {OPT_MEM, sz, 0}
#define IMM(sz, i) {OPT_IMM, sz, i}
#define EA(b, i, s) .base = (b) + 1, .index = (i) + 1, .scale = (s) + 1
#define DISP(v) .check_disp = true, .disp = v
#define IMMV(v) .check_imm = true, .imm = v
#define IMM2V(v) .check_imm2 = true, .imm2 = v

static unsigned parse_hex(const char *s, uint8_t *out, unsigned max)
{
    unsigned n = 0, v;
    while (*s && n < max) {
        if (*s == ' ') {
            s++;
            continue;
        }
        cr_assert(sscanf(s, "%2x", &v) == 1, "bad hex in row %s", s);
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static void check_insn(const Row *r, const DecodedInsn *in, const char *how)
{
    const char *h = r->hex;
    cr_expect_eq(in->len, r->len, "%s [%s]: len %u, expected %u", how, h, in->len, r->len);
    if (r->op)
        cr_expect_eq(in->op, r->op - 1, "%s [%s]: op %s, expected %s", how, h,
                     op_names[in->op], op_names[r->op - 1]);
    if (r->mnem)
        cr_expect_str_eq(in->row->mnem, r->mnem, "%s [%s]: mnemonic", how, h);
    if (r->check_opnd)
        for (unsigned i = 0; i < 3; i++) {
            const ExpOpnd *e = &r->opnd[i];
            const Operand *o = &in->opnd[i];
            cr_expect(o->type == e->type && o->size == e->size && o->reg == e->reg,
                      "%s [%s]: operand %u is %u/%u/%u, expected %u/%u/%u", how, h, i, o->type,
                      o->size, o->reg, e->type, e->size, e->reg);
        }
#define CHK(field, name)                                                                        \
    if (r->field)                                                                               \
        cr_expect_eq(in->name, r->field - 1, "%s [%s]: " #name " %u, expected %u", how, h,      \
                     in->name, r->field - 1);
    CHK(opsize, opsize) CHK(adsize, adsize) CHK(seg, seg) CHK(rep, rep)
    CHK(base, ea_base) CHK(index, ea_index) CHK(scale, ea_scale)
#undef CHK
    if (r->check_disp)
        cr_expect_eq(in->disp, r->disp, "%s [%s]: disp %#x, expected %#x", how, h, in->disp,
                     r->disp);
    if (r->check_imm)
        cr_expect_eq(in->imm, r->imm, "%s [%s]: imm %#x, expected %#x", how, h, in->imm, r->imm);
    if (r->check_imm2)
        cr_expect_eq(in->imm2, r->imm2, "%s [%s]: imm2 %#x, expected %#x", how, h, in->imm2,
                     r->imm2);
}

static void run_rows(const Row *rows, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        const Row *r = &rows[i];
        uint8_t buf[64];
        memset(buf, 0x90, sizeof buf); /* filler after the row's bytes: NOPs */
        unsigned len = parse_hex(r->hex, buf, sizeof buf);
        DecodedInsn in;
        memset(&in, 0xA5, sizeof in);
        DecodeStatus st = decode(buf, len, r->code32, &in);
        cr_expect_eq(st, r->st, "exact [%s] (%s): status %d, expected %d", r->hex,
                     r->code32 ? "32" : "16", st, r->st);
        if (st == DEC_OK && r->st == DEC_OK)
            check_insn(r, &in, "exact");
        if (r->st == DEC_NEED_MORE)
            continue;
        memset(&in, 0x5A, sizeof in);
        st = decode(buf, sizeof buf, r->code32, &in);
        cr_expect_eq(st, r->st, "long [%s] (%s): status %d, expected %d", r->hex,
                     r->code32 ? "32" : "16", st, r->st);
        if (st == DEC_OK && r->st == DEC_OK)
            check_insn(r, &in, "long");
    }
}

#define RUN(rows) run_rows(rows, sizeof rows / sizeof rows[0])

/* ---- prefixes ------------------------------------------------------------------------- */

Test(decode, segment_override_last_wins)
{
    static const Row rows[] = {
        ROW("8B 00", true, OK(2), SEG(SEG_DS)),
        ROW("26 36 8B 00", true, OK(4), SEG(SEG_SS)),
        ROW("36 26 8B 00", true, OK(4), SEG(SEG_ES)),
        ROW("64 65 64 8B 00", true, OK(5), SEG(SEG_FS)),
        ROW("2E 8B 45 00", true, OK(4), SEG(SEG_CS)), /* override beats the SS default */
        ROW("8B 45 00", true, OK(3), SEG(SEG_SS)),    /* [ebp+0] defaults to SS */
        ROW("8B 04 24", true, OK(3), SEG(SEG_SS)),    /* [esp] defaults to SS */
        ROW("A4", true, OK(1), SEG(SEG_DS)),          /* MOVSB source: DS */
        ROW("26 A4", true, OK(2), SEG(SEG_ES)),       /* ... overridable */
    };
    RUN(rows);
}

Test(decode, operand_and_address_size_toggle)
{
    static const Row rows[] = {
        ROW("B8 78 56 34 12", true, OK(5), OS(4), IMMV(0x12345678),
            OPS(GPR(4, R_EAX), IMM(4, 0))),
        ROW("66 B8 34 12", true, OK(4), OS(2), IMMV(0x1234), OPS(GPR(2, R_EAX), IMM(2, 0))),
        ROW("B8 34 12", false, OK(3), OS(2), IMMV(0x1234)),
        ROW("66 B8 78 56 34 12", false, OK(6), OS(4), IMMV(0x12345678)),
        ROW("66 66 B8 34 12", true, OK(5), OS(2)), /* a repeated 66 toggles once */
        ROW("67 8B 00", true, OK(3), AS(2), EA(R_EBX, R_ESI, 0)),
        ROW("67 8B 00", false, OK(3), AS(4), EA(R_EAX, EA_NONE, 0)),
        ROW("67 66 8B 00", false, OK(4), AS(4), OS(4), OPS(GPR(4, 0), MEM(4))),
        ROW("67 E3 10", true, OK(3), .mnem = "jcxz", AS(2)),
    };
    RUN(rows);
}

Test(decode, repeat_prefixes)
{
    static const Row rows[] = {
        ROW("F3 A5", true, OK(2), OP(OP_MOVS), REP(PRE_REP), OS(4)),
        ROW("F2 A6", true, OK(2), OP(OP_CMPS), REP(PRE_REPNE)),
        ROW("F2 F3 AE", true, OK(3), OP(OP_SCAS), REP(PRE_REP)), /* last wins */
        ROW("F3 F2 AE", true, OK(3), OP(OP_SCAS), REP(PRE_REPNE)),
        ROW("F3 8B 00", true, OK(3), OP(OP_MOV), REP(0)), /* ignored: not a string op */
        ROW("F3 90", true, OK(2), OP(OP_PAUSE)),
        ROW("F3 3E 90", true, OK(3), OP(OP_PAUSE)), /* the F3 need not be last */
        ROW("90", true, OK(1), OP(OP_NOP)),
    };
    RUN(rows);
}

/* SSE: F2/F3 (the last of them) take precedence over 66 as the mandatory prefix; a 66
 * beside them is an operand-size prefix. An F2/F3 that selects nothing is ignored, and a
 * 66 then still selects the SSE2 form (the second-to-last row failed before the fix). */
Test(decode, sse_mandatory_prefix)
{
    static const Row rows[] = {
        ROW("0F 58 C1", true, OK(3), OP(OP_ADDPS)),
        ROW("66 0F 58 C1", true, OK(4), OP(OP_ADDPD)),
        ROW("F3 0F 58 C1", true, OK(4), OP(OP_ADDSS)),
        ROW("F2 0F 58 C1", true, OK(4), OP(OP_ADDSD)),
        ROW("F2 F3 0F 58 C1", true, OK(5), OP(OP_ADDSS)),
        ROW("F3 F2 0F 58 C1", true, OK(5), OP(OP_ADDSD)),
        ROW("66 F3 0F 58 C1", true, OK(5), OP(OP_ADDSS)),
        ROW("F3 66 0F 58 C1", true, OK(5), OP(OP_ADDSS)),
        ROW("F3 3E 0F 58 C1", true, OK(5), OP(OP_ADDSS)),
        ROW("66 0F 58 C1", false, OK(4), OP(OP_ADDPD)), /* the same in 16-bit code */
        ROW("F3 0F 10 00", true, OK(4), OP(OP_MOVSS), OPS({OPT_XMM, 16, 0}, MEM(4))),
        ROW("0F 75 C1", true, OK(3), OP(OP_PCMPEQW), OPS({OPT_MMX, 8, 0}, {OPT_MMX, 8, 1})),
        ROW("F2 66 0F 75 C1", true, OK(5), OP(OP_PCMPEQW), OPS({OPT_XMM, 16, 0}, {OPT_XMM, 16, 1})),
        ROW("F3 0F 75 C1", true, OK(4), OP(OP_PCMPEQW), OPS({OPT_MMX, 8, 0}, {OPT_MMX, 8, 1})),
        ROW("0F 12 C1", true, OK(3), OP(OP_MOVHLPS)),
        ROW("0F 12 00", true, OK(3), OP(OP_MOVLPS)),
        ROW("66 0F 12 C1", true, .st = DEC_UNDEFINED), /* MOVLPD has no register form */
        ROW("0F 6C C1", true, .st = DEC_UNDEFINED),    /* PUNPCKLQDQ needs 66 */
        ROW("F3 0F D6 C1", true, OK(4), OP(OP_MOVQ2DQ)),
        ROW("F3 0F D6 00", true, .st = DEC_UNDEFINED), /* MOVQ2DQ xmm, mm: register only */
    };
    RUN(rows);
}

/* LOCK: only the listed read-modify-write operations, and only with a memory destination
 * (SDM "LOCK"); otherwise #UD. */
Test(decode, lock_rules)
{
    static const Row rows[] = {
        ROW("F0 01 00", true, OK(3), OP(OP_ADD)),
        ROW("F0 01 C0", true, .st = DEC_UNDEFINED), /* register destination */
        ROW("F0 8B 00", true, .st = DEC_UNDEFINED), /* MOV is not lockable */
        ROW("F0 87 00", true, OK(3), OP(OP_XCHG)),
        ROW("F0 0F C7 08", true, OK(4), OP(OP_CMPXCHG8B)),
        ROW("F0 0F A3 00", true, .st = DEC_UNDEFINED), /* BT only reads */
        ROW("F0 0F AB 00", true, OK(4), OP(OP_BTS)),
        ROW("F0 F6 10", true, OK(3), OP(OP_NOT)),
        ROW("F0 F6 00 05", true, .st = DEC_UNDEFINED), /* TEST */
        ROW("F0 80 38 01", true, .st = DEC_UNDEFINED), /* CMP */
        ROW("F0 90", true, .st = DEC_UNDEFINED),
        ROW("26 F0 FF 00", true, OK(4), OP(OP_INC), SEG(SEG_ES)),
    };
    RUN(rows);
}

/* ---- the 15-byte limit and running out of bytes ------------------------------------------ */

Test(decode, length_limit)
{
    static const Row rows[] = {
        /* 14 prefixes + NOP: 15 bytes, fine */
        ROW("66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", true, OK(15), OP(OP_NOP)),
        /* 15 prefixes + NOP: 16 bytes */
        ROW("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", true, .st = DEC_TOO_LONG),
        /* 12 prefixes + ADD eAX, imm32 = 17 bytes */
        ROW("26 26 26 26 26 26 26 26 26 26 26 26 05 01 02 03 04", true, .st = DEC_TOO_LONG),
        /* ... cut after 14 and after 13 bytes: the imm32 field would pass byte 15, which
         * decides before the end of the buffer does */
        ROW("26 26 26 26 26 26 26 26 26 26 26 26 05 01", true, .st = DEC_TOO_LONG),
        ROW("26 26 26 26 26 26 26 26 26 26 26 26 05", true, .st = DEC_TOO_LONG),
        /* ... cut after 12 bytes: the opcode itself is missing */
        ROW("26 26 26 26 26 26 26 26 26 26 26 26", true, .st = DEC_NEED_MORE),
        ROW("", true, .st = DEC_NEED_MORE),
        ROW("0F", true, .st = DEC_NEED_MORE),
        ROW("8B", true, .st = DEC_NEED_MORE),
        ROW("8B 44", true, .st = DEC_NEED_MORE),           /* SIB missing */
        ROW("8B 44 24", true, .st = DEC_NEED_MORE),        /* disp8 missing */
        ROW("C7 05 00 00 00 00 01", true, .st = DEC_NEED_MORE),
        ROW("66 66 66 66 66 66 66 66 66 66", true, .st = DEC_NEED_MORE),
        ROW("EA 34 12 00", false, .st = DEC_NEED_MORE),    /* far pointer cut in the selector */
        ROW("8B 86 00", false, .st = DEC_NEED_MORE),       /* disp16 cut */
    };
    RUN(rows);
}

/* ---- addressing forms ---------------------------------------------------------------------- */

Test(decode, modrm16)
{
    static const Row rows[] = {
        ROW("8B 00", false, OK(2), EA(R_EBX, R_ESI, 0), SEG(SEG_DS), DISP(0)),
        ROW("8B 02", false, OK(2), EA(R_EBP, R_ESI, 0), SEG(SEG_SS)),
        ROW("8B 04", false, OK(2), EA(R_ESI, EA_NONE, 0), SEG(SEG_DS)),
        ROW("8B 05", false, OK(2), EA(R_EDI, EA_NONE, 0), SEG(SEG_DS)),
        ROW("8B 06 34 12", false, OK(4), EA(EA_NONE, EA_NONE, 0), SEG(SEG_DS), DISP(0x1234)),
        ROW("8B 46 FE", false, OK(3), EA(R_EBP, EA_NONE, 0), SEG(SEG_SS), DISP(0xFFFE)),
        ROW("8B 86 00 80", false, OK(4), EA(R_EBP, EA_NONE, 0), SEG(SEG_SS), DISP(0x8000)),
        ROW("8B 47 7F", false, OK(3), EA(R_EBX, EA_NONE, 0), DISP(0x7F)),
        ROW("8B C3", false, OK(2), OPS(GPR(2, R_EAX), GPR(2, R_EBX))),
        ROW("8A E3", false, OK(2), OPS(GPR(1, 4), GPR(1, 3))), /* mov ah, bl */
    };
    RUN(rows);
}

Test(decode, modrm32_sib)
{
    static const Row rows[] = {
        ROW("8B 04 8D 78 56 34 12", true, OK(7), EA(EA_NONE, R_ECX, 2), SEG(SEG_DS),
            DISP(0x12345678)), /* SIB with no base */
        ROW("8B 04 25 78 56 34 12", true, OK(7), EA(EA_NONE, EA_NONE, 0), DISP(0x12345678)),
        ROW("8B 04 24", true, OK(3), EA(R_ESP, EA_NONE, 0), SEG(SEG_SS)),
        ROW("8B 44 24 08", true, OK(4), EA(R_ESP, EA_NONE, 0), DISP(8)),
        ROW("8B 44 48 F0", true, OK(4), EA(R_EAX, R_ECX, 1), DISP(0xFFFFFFF0)),
        ROW("8B 45 00", true, OK(3), EA(R_EBP, EA_NONE, 0), SEG(SEG_SS), DISP(0)),
        ROW("8B 05 78 56 34 12", true, OK(6), EA(EA_NONE, EA_NONE, 0), SEG(SEG_DS),
            DISP(0x12345678)),
        ROW("8B 84 F5 00 01 00 00", true, OK(7), EA(R_EBP, R_ESI, 3), SEG(SEG_SS), DISP(0x100)),
        ROW("8B 4C 65 00", true, OK(4), EA(R_EBP, EA_NONE, 0), SEG(SEG_SS)), /* index 4: none */
        ROW("8D 04 C5 00 00 00 00", true, OK(7), OP(OP_LEA), EA(EA_NONE, R_EAX, 3)),
        ROW("8D C0", true, .st = DEC_UNDEFINED), /* LEA needs memory */
    };
    RUN(rows);
}

Test(decode, moffs)
{
    static const Row rows[] = {
        ROW("A1 78 56 34 12", true, OK(5), OP(OP_MOV), DISP(0x12345678),
            EA(EA_NONE, EA_NONE, 0), OPS(GPR(4, R_EAX), MEM(4))),
        ROW("A1 34 12", false, OK(3), DISP(0x1234), OPS(GPR(2, R_EAX), MEM(2))),
        ROW("67 A1 34 12", true, OK(4), DISP(0x1234), AS(2)),
        ROW("A2 34 12", false, OK(3), DISP(0x1234), OPS(MEM(1), GPR(1, R_EAX))),
        ROW("64 A3 00 00 00 00", true, OK(6), SEG(SEG_FS), OPS(MEM(4), GPR(4, R_EAX))),
    };
    RUN(rows);
}

/* ---- immediates ------------------------------------------------------------------------------ */

Test(decode, immediates)
{
    static const Row rows[] = {
        ROW("C8 10 00 02", true, OK(4), OP(OP_ENTER), IMMV(0x10), IMM2V(2),
            OPS(IMM(2, 0), IMM(1, 1))),
        ROW("83 C0 FF", true, OK(3), OP(OP_ADD), IMMV(0xFFFFFFFF), OPS(GPR(4, 0), IMM(4, 0))),
        ROW("83 C0 FF", false, OK(3), IMMV(0xFFFF), OPS(GPR(2, 0), IMM(2, 0))),
        ROW("6A 80", true, OK(2), OP(OP_PUSH), IMMV(0xFFFFFF80)),
        ROW("68 00 00 00 80", true, OK(5), IMMV(0x80000000)),
        ROW("B0 FF", true, OK(2), IMMV(0xFF), OPS(GPR(1, 0), IMM(1, 0))),
        ROW("C1 E0 1F", true, OK(3), OP(OP_SHL), IMMV(0x1F)),
        ROW("D1 E0", true, OK(2), OP(OP_SHL), OPS(GPR(4, 0), IMM(1, 2))), /* the constant 1 */
        ROW("EB FE", true, OK(2), OP(OP_JMP), IMMV(0xFFFFFFFE), OPS({OPT_REL, 1, 0})),
        ROW("E8 FD FF", false, OK(3), OP(OP_CALL), IMMV(0xFFFFFFFD), OPS({OPT_REL, 2, 0})),
        ROW("66 E9 00 80", true, OK(4), OS(2), IMMV(0xFFFF8000)),
        ROW("0F 84 00 00 00 80", true, OK(6), OP(OP_JCC), IMMV(0x80000000)),
        ROW("F6 C3 80", true, OK(3), OP(OP_TEST), IMMV(0x80)),
        ROW("F7 D8", true, OK(2), OP(OP_NEG)),
        ROW("66 F7 C3 34 12", true, OK(5), OP(OP_TEST), IMMV(0x1234)),
        ROW("69 C0 78 56 34 12", true, OK(6), OP(OP_IMUL3),
            OPS(GPR(4, 0), GPR(4, 0), IMM(4, 0)), IMMV(0x12345678)),
        ROW("0F A4 C8 05", true, OK(4), OP(OP_SHLD), IMMV(5), OPS(GPR(4, 0), GPR(4, 1), IMM(1, 0))),
    };
    RUN(rows);
}

Test(decode, far_pointers)
{
    static const Row rows[] = {
        ROW("EA 78 56 34 12 08 00", true, OK(7), OP(OP_JMPF), IMMV(0x12345678), IMM2V(8),
            OPS({OPT_FAR, 6, 0})),
        ROW("EA 34 12 00 F0", false, OK(5), OP(OP_JMPF), IMMV(0x1234), IMM2V(0xF000),
            OPS({OPT_FAR, 4, 0})),
        ROW("9A 34 12 00 F0", false, OK(5), OP(OP_CALLF)),
        ROW("66 9A 78 56 34 12 08 00", false, OK(8), OP(OP_CALLF), IMMV(0x12345678)),
        ROW("FF 2F", true, OK(2), OP(OP_JMPF), OPS(MEM(6))),
        ROW("FF 1F", false, OK(2), OP(OP_CALLF), OPS(MEM(4))),
        ROW("FF EF", true, .st = DEC_UNDEFINED), /* JMP FAR needs memory */
        ROW("C4 C0", true, .st = DEC_UNDEFINED), /* LES with a register: #UD on the i686 */
        ROW("C5 06 34 12", false, OK(4), OP(OP_LDS), OPS(GPR(2, 0), MEM(4))),
    };
    RUN(rows);
}

/* ---- undefined forms ------------------------------------------------------------------------- */

Test(decode, groups_with_invalid_reg)
{
    static const Row rows[] = {
        ROW("FF 38", true, .st = DEC_UNDEFINED), /* FF /7 */
        ROW("FE 10", true, .st = DEC_UNDEFINED), /* FE /2 */
        ROW("8F 08", true, .st = DEC_UNDEFINED), /* 8F /1 */
        ROW("C6 08 00", true, .st = DEC_UNDEFINED),
        ROW("C7 C8 00 00 00 00", true, .st = DEC_UNDEFINED),
        ROW("0F BA 00 05", true, .st = DEC_UNDEFINED), /* 0F BA /0 */
        ROW("0F BA 20 05", true, OK(4), OP(OP_BT)),
        ROW("0F 00 30", true, .st = DEC_UNDEFINED), /* 0F 00 /6 */
        ROW("0F 01 28", true, .st = DEC_UNDEFINED), /* 0F 01 /5 */
        ROW("0F 01 C0", true, .st = DEC_UNDEFINED), /* SGDT needs memory */
        ROW("0F C7 C8", true, .st = DEC_UNDEFINED), /* CMPXCHG8B needs memory */
        ROW("0F C7 00", true, .st = DEC_UNDEFINED), /* 0F C7 /0 */
        ROW("0F 0F C1 00", true, .st = DEC_UNDEFINED), /* 3DNow!: not on the i686 */
        ROW("0F 38 00 C1", true, .st = DEC_UNDEFINED), /* SSSE3 */
        ROW("0F 0D 00", true, .st = DEC_UNDEFINED),    /* PREFETCHW: #UD on P6 */
        ROW("0F 05", true, .st = DEC_UNDEFINED),       /* SYSCALL */
        ROW("0F B8 00", true, .st = DEC_UNDEFINED),    /* JMPE / POPCNT */
        ROW("0F FF", true, .st = DEC_UNDEFINED),
        ROW("D6", true, OK(1), OP(OP_SALC)),         /* undocumented, present on P6 */
        ROW("F1", true, OK(1), OP(OP_INT1)),
        ROW("0F 0B", true, OK(2), OP(OP_UD2)),       /* a row of its own that raises #UD */
        ROW("0F B9 C0", true, OK(3), OP(OP_UD1)),
    };
    RUN(rows);
}

Test(decode, segment_and_control_registers)
{
    static const Row rows[] = {
        ROW("8E D8", true, OK(2), OP(OP_MOV_TO_SEG), OPS({OPT_SEG, 2, SEG_DS}, GPR(2, 0))),
        ROW("8E C8", true, .st = DEC_UNDEFINED), /* MOV CS, ax */
        ROW("8E 08", true, .st = DEC_UNDEFINED), /* MOV CS, [eax] */
        ROW("8E F0", true, .st = DEC_UNDEFINED), /* Sreg 6 */
        ROW("8C F8", true, .st = DEC_UNDEFINED), /* Sreg 7 */
        ROW("8C C8", true, OK(2), OP(OP_MOV_FROM_SEG), OPS(GPR(4, 0), {OPT_SEG, 2, SEG_CS})),
        ROW("8C 08", true, OK(2), OPS(MEM(2), {OPT_SEG, 2, SEG_CS})),
        ROW("0F 20 C0", true, OK(3), OP(OP_MOV_FROM_CR), OPS(GPR(4, 0), {OPT_CR, 4, 0})),
        ROW("0F 20 C8", true, .st = DEC_UNDEFINED), /* CR1 */
        ROW("0F 22 E0", true, OK(3), OP(OP_MOV_TO_CR), OPS({OPT_CR, 4, 4}, GPR(4, 0))),
        ROW("0F 22 E8", true, .st = DEC_UNDEFINED), /* CR5 */
        ROW("0F 20 F8", true, .st = DEC_UNDEFINED), /* CR7 */
        ROW("0F 20 00", true, OK(3), OPS(GPR(4, 0), {OPT_CR, 4, 0})), /* mod is ignored */
        ROW("0F 21 F8", true, OK(3), OP(OP_MOV_FROM_DR), OPS(GPR(4, 0), {OPT_DR, 4, 7})),
    };
    RUN(rows);
}

Test(decode, x87)
{
    static const Row rows[] = {
        ROW("D8 C1", true, OK(2), OP(OP_FADD), OPS({OPT_ST, 10, 0}, {OPT_ST, 10, 1})),
        ROW("DC C1", true, OK(2), OP(OP_FADD), OPS({OPT_ST, 10, 1}, {OPT_ST, 10, 0})),
        ROW("DD 00", true, OK(2), OP(OP_FLD), OPS(MEM(8))),
        ROW("DB 28", true, OK(2), OP(OP_FLD), OPS(MEM(10))),
        ROW("D9 C9", true, OK(2), OP(OP_FXCH), OPS({OPT_ST, 10, 1})),
        ROW("DE D9", true, OK(2), OP(OP_FCOMPP)),
        ROW("DF E0", true, OK(2), OP(OP_FNSTSW), OPS(GPR(2, 0))),
        ROW("D9 30", true, OK(2), OP(OP_FNSTENV), OPS(MEM(28))),
        ROW("66 D9 30", true, OK(3), OP(OP_FNSTENV), OPS(MEM(14))),
        ROW("D9 08", true, .st = DEC_UNDEFINED), /* D9 /1 memory */
        ROW("D9 D1", true, .st = DEC_UNDEFINED),
        ROW("D9 E2", true, .st = DEC_UNDEFINED),
        ROW("D9 E3", true, .st = DEC_UNDEFINED),
        ROW("D9 E6", true, .st = DEC_UNDEFINED),
        ROW("D9 EF", true, .st = DEC_UNDEFINED),
        ROW("DA E8", true, .st = DEC_UNDEFINED),
        ROW("DA EA", true, .st = DEC_UNDEFINED),
        ROW("DB E5", true, .st = DEC_UNDEFINED),
        ROW("DB 08", true, .st = DEC_UNDEFINED), /* DB /1 (FISTTP, SSE3) */
        ROW("DE D8", true, .st = DEC_UNDEFINED),
        ROW("DF E1", true, .st = DEC_UNDEFINED),
        ROW("DF F8", true, .st = DEC_UNDEFINED),
        ROW("D9 D8", true, OK(2), OP(OP_FSTP)), /* undocumented alias, present on P6 */
    };
    RUN(rows);
}

/* ---- regressions found by the Capstone differential test -------------------------------------- */

/* BSWAP with a 16-bit operand size: the operand is the 16-bit register (the handler clears
 * it, as the P6 does); it was reported as 32-bit. */
Test(decode, bswap_operand_size)
{
    static const Row rows[] = {
        ROW("0F C9", true, OK(2), OP(OP_BSWAP), OPS(GPR(4, 1))),
        ROW("66 0F C9", true, OK(3), OP(OP_BSWAP), OS(2), OPS(GPR(2, 1))),
        ROW("0F CF", false, OK(2), OP(OP_BSWAP), OPS(GPR(2, 7))),
    };
    RUN(rows);
}

/* The whole table: every opcode in both maps, with every ModRM byte and each prefix
 * class, decodes the same from a short and a long buffer, and never claims more bytes than
 * the 15-byte limit allows or the buffer holds. */
Test(decode, every_opcode_consistent)
{
    static const uint8_t pfx[][2] = {{0, 0}, {0x66, 0}, {0xF3, 0}, {0xF2, 0}, {0x67, 0}, {0xF0, 0}};
    unsigned checked = 0;
    for (unsigned p = 0; p < sizeof pfx / sizeof pfx[0]; p++)
        for (unsigned map = 0; map < 2; map++)
            for (unsigned opc = 0; opc < 256; opc++)
                for (unsigned m = 0; m < 256; m++)
                    for (int c32 = 0; c32 < 2; c32++) {
                        uint8_t b[64];
                        for (unsigned i = 0; i < sizeof b; i++)
                            b[i] = (uint8_t)(i * 37 + m);
                        unsigned k = 0;
                        if (pfx[p][0])
                            b[k++] = pfx[p][0];
                        if (map)
                            b[k++] = 0x0F;
                        b[k++] = (uint8_t)opc;
                        b[k++] = (uint8_t)m;
                        DecodedInsn a, l;
                        DecodeStatus sa = decode(b, 16, c32, &a);
                        DecodeStatus sl = decode(b, sizeof b, c32, &l);
                        cr_assert_eq(sa, sl, "%02x %02x %02x %02x: status %d vs %d", b[0], b[1],
                                     b[2], b[3], sa, sl);
                        if (sa != DEC_OK)
                            continue;
                        cr_assert(a.len >= 1 && a.len <= 15);
                        cr_assert(a.row == l.row && a.len == l.len && a.disp == l.disp &&
                                      a.imm == l.imm && a.imm2 == l.imm2 &&
                                      !memcmp(a.opnd, l.opnd, sizeof a.opnd),
                                  "%02x %02x %02x %02x: short and long decodes differ", b[0],
                                  b[1], b[2], b[3]);
                        checked++;
                    }
    cr_expect_gt(checked, 200000u);
}

/* ---- disassembly (cpu/disasm.c) ----------------------------------------------------------- */

static unsigned dis(const char *hex, bool code32, uint32_t eip, char *out, size_t outlen)
{
    uint8_t b[32];
    unsigned n = parse_hex(hex, b, sizeof b);
    return disasm_format(b, n, code32, eip, out, outlen);
}

Test(disasm, formats_good_bytes)
{
    char t[96];
    cr_expect_eq(dis("90", true, 0, t, sizeof t), 1u);
    cr_expect_str_eq(t, "nop");
    cr_expect_eq(dis("8B 45 FC", true, 0, t, sizeof t), 3u);
    cr_expect_str_eq(t, "mov eax, dword ptr [ebp - 4]");
    cr_expect_eq(dis("EB 00", true, 0x1000, t, sizeof t), 2u);
    cr_expect_str_eq(t, "jmp 0x1002");
    cr_expect_eq(dis("8B 46 FE", false, 0, t, sizeof t), 3u);
    cr_expect_str_eq(t, "mov ax, word ptr [bp - 2]");
    /* trailing bytes after the instruction are not part of it */
    cr_expect_eq(dis("C3 FF FF FF", true, 0, t, sizeof t), 1u);
    cr_expect_str_eq(t, "ret");
}

Test(disasm, bad_bytes)
{
    char t[96];
    static const char *const bad[] = {
        "FF FF",       /* FF /7 */
        "F0 8B 00",    /* LOCK MOV */
        "0F 38 00 C1", /* SSSE3: #UD on the i686 though Capstone knows it */
        "C5 F8 77",    /* VEX: LDS with a register operand here */
        "8B",          /* cut short */
        "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", /* 16 bytes */
        "",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(t, 'x', sizeof t);
        cr_expect_eq(dis(bad[i], true, 0, t, sizeof t), 0u, "[%s]", bad[i]);
        cr_expect_str_eq(t, "(bad)", "[%s]", bad[i]);
    }
    cr_expect_eq(disasm_format(NULL, 5, true, 0, t, sizeof t), 0u);
    cr_expect_str_eq(t, "(bad)");
}

Test(disasm, small_output_buffers)
{
    char t[8];
    memset(t, 'x', sizeof t);
    cr_expect_eq(dis("8B 45 FC", true, 0, t, 6), 3u);
    cr_expect_str_eq(t, "mov e"); /* cut, and terminated */
    cr_expect_eq(t[6], 'x');      /* nothing written past outlen */
    cr_expect_eq(dis("8B 45 FC", true, 0, NULL, 0), 3u);
    cr_expect_eq(dis("FF FF", true, 0, NULL, 0), 0u);
}
