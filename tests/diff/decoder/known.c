/* known.c — the differences between our decoder and Capstone 4 that we accept.
 *
 * Our row table is the P6 family with MMX, SSE and SSE2 (Pentium 4 without SSE3); Capstone
 * 4 decodes everything up to AVX-512. Every entry names the difference, says why ours is
 * right (Intel SDM, Vol. 2 unless noted) and has a predicate narrow enough that only that
 * difference matches it. Entries are tried in order; the first that explains a Diff counts
 * it. Anything no entry explains fails the test.
 *
 * Not differences: the undocumented instructions the P6 has and our table accepts (SALC,
 * INT1/ICEBP, the x87 register-form aliases FSTP1/FSTPNCE, FCOM2, FCOMP3/5, FXCH4/7,
 * FSTP8/9, FFREEP, and the 8087/287 no-ops FENI/FDISI/FSETPM) are decoded by Capstone too;
 * compare.c only maps their names and Capstone's spellings (CMPccPS predicates, AAM/AAD
 * without the default 10, implicit ST(0), XCHG operand order) onto ours.
 */
#include <string.h>

#include "ddiff.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static bool cs_in_group(const Case *c, const uint8_t *groups, unsigned n)
{
    const cs_detail *d = c->cs->detail;
    for (unsigned i = 0; i < d->groups_count; i++)
        for (unsigned k = 0; k < n; k++)
            if (d->groups[i] == groups[k])
                return true;
    return false;
}

static bool cs_id_in(const Case *c, const unsigned *ids, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (c->cs->id == ids[k])
            return true;
    return false;
}

/* Our decode of c's bytes with every prefix byte in `drop` removed from the prefix run. */
static DecodeStatus decode_without(const Case *c, const char *drop, DecodedInsn *out,
                                   unsigned *removed)
{
    uint8_t b[16];
    unsigned n = 0;
    *removed = 0;
    for (unsigned i = 0; i < c->n; i++) {
        if (i < c->sk.npfx && strchr(drop, c->bytes[i])) {
            (*removed)++;
            continue;
        }
        b[n++] = c->bytes[i];
    }
    return decode(b, n, c->code32, out);
}

/* ---- 1. instructions beyond the i686 + SSE2 target ----------------------------------------- */

/* Capstone decodes ISA extensions our target does not have. On the P6 family with SSE2
 * these encodings raise #UD (new opcodes: 0F 38, 0F 3A, 0F 0F 3DNow!, VEX C4/C5 — which are
 * LES/LDS with an invalid register operand outside 64-bit mode —, SYSCALL, VMX, XSAVE,
 * MOVBE, POPCNT (0F B8 is JMPE/#UD on IA-32), FISTTP, ...), or execute as the older
 * instruction whose encoding they extend: LZCNT/TZCNT run as BSR/BSF on processors without
 * them (SDM LZCNT/TZCNT "Operation" notes), and the SSE3 forms that put F2/F3 on an existing
 * SSE opcode (MOVDDUP, MOVSLDUP, MOVSHDUP) or the SSE4a MOVNTSD/MOVNTSS meet a reserved
 * prefix that the earlier processor ignores. */
static const uint8_t beyond_groups[] = {
    X86_GRP_3DNOW, X86_GRP_ADX,   X86_GRP_AES,   X86_GRP_AVX,      X86_GRP_AVX2,
    X86_GRP_AVX512, X86_GRP_BMI,  X86_GRP_BMI2,  X86_GRP_BWI,      X86_GRP_CDI,
    X86_GRP_DQI,   X86_GRP_ERI,   X86_GRP_F16C,  X86_GRP_FMA,      X86_GRP_FMA4,
    X86_GRP_FSGSBASE, X86_GRP_PCLMUL, X86_GRP_PFI, X86_GRP_RTM,    X86_GRP_SGX,
    X86_GRP_SHA,   X86_GRP_SMAP,  X86_GRP_SSE3,  X86_GRP_SSE41,    X86_GRP_SSE42,
    X86_GRP_SSE4A, X86_GRP_SSSE3, X86_GRP_TBM,   X86_GRP_VLX,      X86_GRP_VM,
    X86_GRP_XOP,
};
static const unsigned beyond_ids[] = {
    X86_INS_SYSCALL, X86_INS_SYSRET,   X86_INS_GETSEC,    X86_INS_UD0,      X86_INS_FEMMS,
    X86_INS_PREFETCH, X86_INS_PREFETCHW, X86_INS_XSAVE,   X86_INS_XSAVEC,   X86_INS_XSAVEOPT,
    X86_INS_XSAVES,  X86_INS_XRSTOR,   X86_INS_XRSTORS,   X86_INS_RDTSCP,   X86_INS_MOVBE,
    X86_INS_POPCNT,  X86_INS_FISTTP,   X86_INS_CLAC,      X86_INS_STAC,     X86_INS_RDRAND,
    X86_INS_RDSEED,  X86_INS_INVPCID,  X86_INS_XGETBV,    X86_INS_XSETBV,   X86_INS_MONITOR,
    X86_INS_MWAIT,   X86_INS_SWAPGS,   X86_INS_LZCNT,     X86_INS_TZCNT,    X86_INS_CLFLUSHOPT,
    X86_INS_CLWB,    X86_INS_INVEPT,   X86_INS_INVVPID,   X86_INS_VMFUNC,   X86_INS_ENCLS,
    X86_INS_ENCLU,   X86_INS_XTEST,    X86_INS_XEND,      X86_INS_XABORT,   X86_INS_XBEGIN,
    X86_INS_RDFSBASE, X86_INS_RDGSBASE, X86_INS_WRFSBASE, X86_INS_WRGSBASE, X86_INS_MOVDDUP,
    X86_INS_MOVSLDUP, X86_INS_MOVSHDUP, X86_INS_LDDQU,    X86_INS_MOVNTSD,  X86_INS_MOVNTSS,
    X86_INS_EXTRQ,   X86_INS_INSERTQ,  X86_INS_CRC32,     X86_INS_SKINIT,   X86_INS_INVLPGA,
    X86_INS_ENDBR32, X86_INS_ENDBR64, X86_INS_PCOMMIT, X86_INS_VMCALL,   X86_INS_VMLAUNCH,  X86_INS_VMRESUME, X86_INS_VMXOFF,
    X86_INS_VMXON,   X86_INS_VMCLEAR,  X86_INS_VMPTRLD,   X86_INS_VMPTRST,  X86_INS_VMREAD,
    X86_INS_VMWRITE, X86_INS_VMRUN,    X86_INS_VMLOAD,    X86_INS_VMSAVE,   X86_INS_VMMCALL,
    /* VIA PadLock (0F A6 /0F A7 with fixed ModRM): never on Intel parts */
    X86_INS_XSHA1,   X86_INS_XSHA256,  X86_INS_XCRYPTCBC, X86_INS_XCRYPTCFB, X86_INS_XCRYPTCTR,
    X86_INS_XCRYPTECB, X86_INS_XCRYPTOFB, X86_INS_MONTMUL, X86_INS_XSTORE,
};

static bool is_beyond(const Case *c)
{
    /* VEX (C4/C5 with mod = 11B in 32-bit code): an AVX instruction; on the i686 LES/LDS
     * with a register operand, #UD. */
    if (c->sk.map == 0 && (c->sk.opcode == 0xC4 || c->sk.opcode == 0xC5) &&
        c->cs->mnemonic[0] == 'v')
        return true;
    return cs_in_group(c, beyond_groups, sizeof beyond_groups) ||
           cs_id_in(c, beyond_ids, sizeof beyond_ids / sizeof beyond_ids[0]);
}

static bool explain_beyond_ud(const Case *c, const Diff *d)
{
    return d->kind == DK_CS_ONLY && is_beyond(c);
}

/* The older instruction the encoding runs as: BSR/BSF for LZCNT/TZCNT, the no-prefix SSE
 * form for the F2/F3 reuses. Our mnemonic must be exactly that one. */
static bool explain_beyond_older(const Case *c, const Diff *d)
{
    if (d->kind != DK_MNEMONIC || !is_beyond(c))
        return false;
    char buf[32];
    const char *m = ours_mnemonic(&c->ours, buf, sizeof buf);
    if (c->cs->id == X86_INS_LZCNT)
        return !strcmp(m, "bsr");
    if (c->cs->id == X86_INS_TZCNT)
        return !strcmp(m, "bsf");
    DecodedInsn in;
    unsigned removed;
    char nb[32];
    if (c->sk.map != 1)
        return false;
    if (decode_without(c, "\xF2\xF3", &in, &removed) == DEC_OK &&
        !strcmp(m, ours_mnemonic(&in, nb, sizeof nb)))
        return true;
    /* 66-prefixed newcomers (PCOMMIT, CLWB, CLFLUSHOPT) on a row that ignores 66 */
    return decode_without(c, "\xF2\xF3\x66", &in, &removed) == DEC_OK &&
           in.row->pfx == PFX_ANY && !strcmp(m, ours_mnemonic(&in, nb, sizeof nb));
}

/* ---- 2. LOCK where the SDM raises #UD ---------------------------------------------------- */

/* SDM "LOCK—Assert LOCK# Signal Prefix": LOCK is allowed only with ADD, ADC, AND, BTC, BTR,
 * BTS, CMPXCHG, CMPXCHG8B, DEC, INC, NEG, NOT, OR, SBB, SUB, XOR, XADD, XCHG and only when
 * the destination is memory; otherwise #UD. Capstone 4 accepts LOCK on anything. The
 * predicate checks that the same bytes without F0 decode, to an operation LOCK may not
 * take or one with a register destination. */
static bool explain_lock(const Case *c, const Diff *d)
{
    if (d->kind != DK_CS_ONLY || !c->sk.lock)
        return false;
    DecodedInsn in;
    unsigned removed;
    if (decode_without(c, "\xF0", &in, &removed) != DEC_OK)
        return false;
    return !(in.row->attr & A_LOCK) || in.nopnd == 0 || in.opnd[0].type != OPT_MEM;
}

/* ---- 3. SSE mandatory-prefix selection ---------------------------------------------------- */

/* SDM Vol. 2A §2.1.1: prefixes of the four groups may come in any order; a mandatory
 * prefix (66, F2, F3) need not be the last prefix, F2/F3 take precedence over 66 and of F2
 * and F3 the last one counts (§2.1.2: 66 with F2/F3 is an operand-size prefix). Capstone 4
 * only takes the last prefix byte before 0F as the mandatory prefix. The predicate checks
 * that Capstone's instruction is exactly the one our table gives for that last byte. */
static bool explain_mandatory_order(const Case *c, const Diff *d)
{
    if (!c->code32 || c->sk.npfx == 0 || d->kind == DK_TRUNCATED)
        return false;
    if (c->sk.map != 1 && !(c->sk.map == 0 && c->sk.opcode == 0x90)) /* SSE, PAUSE */
        return false;
    uint8_t last = c->bytes[c->sk.npfx - 1];
    uint8_t cs_pfx = (last == 0x66 || last == 0xF2 || last == 0xF3) ? last : 0;
    /* The string as Capstone reads it: no 66/F2/F3 but its choice, placed last. */
    Case c3 = *c;
    unsigned k = 0;
    for (unsigned i = 0; i < c->sk.npfx; i++)
        if (c->bytes[i] != 0x66 && c->bytes[i] != 0xF2 && c->bytes[i] != 0xF3)
            c3.bytes[k++] = c->bytes[i];
    if (cs_pfx)
        c3.bytes[k++] = cs_pfx;
    for (unsigned i = c->sk.npfx; i < c->n; i++)
        c3.bytes[k++] = c->bytes[i];
    c3.n = k;
    if (k == c->n && !memcmp(c3.bytes, c->bytes, k))
        return false; /* nothing ambiguous: Capstone reads it as we do */
    skeleton_parse(c3.bytes, c3.n, &c3.sk);
    c3.st = decode(c3.bytes, c3.n, true, &c3.ours);
    if (c3.st == DEC_OK)
        c3.ours.len = (uint8_t)(c3.ours.len + c->sk.npfx - c3.sk.npfx);
    Diff d3;
    compare_case(&c3, &d3);
    return d3.kind == DK_NONE || known_explain(&c3, &d3) != NULL;
}

/* Capstone 4 loses the operand- or address-size prefix in some prefix runs (66 followed
 * by F2/F3, 66 or 67 mixed with segment prefixes: "66 26 F3 99" is CWD, Capstone prints
 * cdq; "67 66 E3" is JCXZ, Capstone prints jecxz). SDM Vol. 2A §2.1.1: the prefixes act
 * in any order (GNU objdump and ndisasm agree with us on these). Only strings with two or
 * more prefixes qualify, so a lone 66/67 is always compared strictly; explained when our
 * decode without the lost prefix agrees with Capstone. */
static bool explain_lost_size_prefix(const Case *c, const Diff *d)
{
    if (c->sk.npfx < 2 || d->kind == DK_TRUNCATED || d->kind == DK_OURS_ONLY ||
        d->kind == DK_CS_ONLY)
        return false;
    if (d->kind == DK_OPERAND && !strncmp(d->what + 11, "memory size", 11) && c->sk.opsize &&
        OPND_SIZE(c->ours.row->opnd[d->opnd]) == SZ_V && c->ours.opnd[d->opnd].size == 2 &&
        c->cs->detail->x86.operands[d->opnd].size == 4)
        return true; /* the memory operand sized without the 66 */
    static const char *const drops[] = {"\x66", "\x67", "\x66\x67"};
    for (unsigned k = 0; k < 3; k++) {
        if ((strchr(drops[k], 0x66) && !c->sk.opsize) || (strchr(drops[k], 0x67) && !c->sk.adsize))
            continue;
        Case c3 = *c;
        unsigned removed;
        c3.st = decode_without(c, drops[k], &c3.ours, &removed);
        if (c3.st != DEC_OK || (c3.ours.row->pfx != PFX_ANY))
            continue;
        c3.ours.len = (uint8_t)(c3.ours.len + removed);
        c3.sk.seg = c->sk.seg;
        Diff d3;
        compare_case(&c3, &d3);
        if (d3.kind == DK_NONE)
            return true;
        /* Capstone sometimes loses the prefix for the memory operand's size only. */
        if (d->kind == DK_OPERAND && !strncmp(d->what + 11, "memory size", 11) &&
            c3.ours.opnd[d->opnd].type == OPT_MEM &&
            c3.ours.opnd[d->opnd].size == c->cs->detail->x86.operands[d->opnd].size)
            return true;
    }
    return false;
}

/* Capstone 4 masks the target of a rel32 branch to 16 bits (sign-extending the result)
 * when the address size is 16; SDM Jcc/JMP/CALL: the target is truncated only when the
 * operand size is 16 ("IF OperandSize = 16 THEN EIP <- EIP AND 0000FFFFH"). */
static bool explain_rel_adsize(const Case *c, const Diff *d)
{
    if (d->kind != DK_OPERAND || c->ours.opnd[d->opnd].type != OPT_REL ||
        c->ours.opsize != 4 || c->ours.adsize != 2)
        return false;
    uint32_t target = c->ours.len + c->ours.imm;
    const cs_x86 *x = &c->cs->detail->x86;
    uint32_t cs = (uint32_t)x->operands[d->opnd].imm;
    return cs == (target & 0xFFFF) || cs == (uint32_t)(int32_t)(int16_t)target;
}

/* ---- 4. operands the two describe differently -------------------------------------------- */

typedef struct SizeFact {
    uint8_t map, opcode;
    int8_t reg;        /* ModRM reg field, -1: any */
    uint16_t op;       /* our OpId, to pin the row */
    uint8_t ours, cs;  /* memory operand size in bytes: ours (SDM), Capstone 4's */
    const char *sdm;   /* the SDM's operand */
} SizeFact;

/* Memory operand sizes where Capstone 4 disagrees with the SDM. */
static const SizeFact size_facts[] = {
    {1, 0x2F, -1, OP_COMISD, 8, 16, "COMISD xmm1, xmm2/m64"},
    {1, 0x2E, -1, OP_UCOMISD, 8, 16, "UCOMISD xmm1, xmm2/m64"},
    {1, 0x60, -1, OP_PUNPCKLBW, 4, 8, "PUNPCKLBW mm, mm/m32"},
    {1, 0x61, -1, OP_PUNPCKLWD, 4, 8, "PUNPCKLWD mm, mm/m32"},
    {1, 0x62, -1, OP_PUNPCKLDQ, 4, 8, "PUNPCKLDQ mm, mm/m32"},
    {1, 0x2F, -1, OP_COMISS, 4, 16, "COMISS xmm1, xmm2/m32"},
    {1, 0x2E, -1, OP_UCOMISS, 4, 16, "UCOMISS xmm1, xmm2/m32"},
    {0, 0xDD, 7, OP_FNSTSW, 2, 4, "FNSTSW m2byte"},
    {0, 0xD9, 4, OP_FLDENV, 14, 28, "FLDENV m14/28byte (16-bit operand size)"},
    {0, 0xD9, 6, OP_FNSTENV, 14, 28, "FNSTENV m14/28byte (16-bit operand size)"},
    {0, 0xDD, 6, OP_FNSAVE, 108, 4, "FNSAVE m94/108byte (32-bit operand size)"},
    {0, 0xDD, 6, OP_FNSAVE, 94, 4, "FNSAVE m94/108byte (16-bit operand size)"},
    {0, 0xDD, 4, OP_FRSTOR, 108, 4, "FRSTOR m94/108byte (32-bit operand size)"},
    {0, 0xDD, 4, OP_FRSTOR, 94, 4, "FRSTOR m94/108byte (16-bit operand size)"},
    {1, 0x02, -1, OP_LAR, 2, 4, "LAR r32, r32/m16"},
    {1, 0x03, -1, OP_LSL, 2, 4, "LSL r32, r32/m16"},
};

static bool explain_mem_size(const Case *c, const Diff *d)
{
    if (d->kind != DK_OPERAND || strncmp(d->what + 11, "memory size", 11) != 0)
        return false;
    const Operand *o = &c->ours.opnd[d->opnd];
    uint8_t reg = (c->ours.modrm >> 3) & 7;
    for (unsigned i = 0; i < sizeof size_facts / sizeof size_facts[0]; i++) {
        const SizeFact *f = &size_facts[i];
        if (f->map == c->ours.map && f->opcode == c->ours.opcode && f->op == c->ours.op &&
            (f->reg < 0 || f->reg == reg) && o->size == f->ours &&
            c->cs->detail->x86.operands[d->opnd].size == f->cs)
            return true;
    }
    return false;
}

/* Far pointers in memory (LES, LDS, LSS, LFS, LGS, CALL/JMP FAR m16:16/m16:32): the SDM's
 * operand is m16:16 or m16:32, 4 or 6 bytes; Capstone 4 gives the offset's size. */
static bool explain_far_size(const Case *c, const Diff *d)
{
    if (d->kind != DK_OPERAND || strncmp(d->what + 11, "memory size", 11) != 0)
        return false;
    const Operand *o = &c->ours.opnd[d->opnd];
    unsigned spec = c->ours.row->opnd[d->opnd];
    return OPND_SIZE(spec) == SZ_P && o->size == c->ours.opsize + 2;
}

/* SDM "r32/m16" and "r/m16" operands whose register form reads only bits 15:0 (LAR, LSL,
 * MOV Sreg, PINSRW, ...): we report the 16 bits read; Capstone names the operand-size or
 * 32-bit register. Same register number, different width only. */
static bool explain_r16_spelling(const Case *c, const Diff *d)
{
    if (d->kind != DK_OPERAND || strncmp(d->what + 11, "register", 8) != 0)
        return false;
    const Operand *o = &c->ours.opnd[d->opnd];
    unsigned spec = c->ours.row->opnd[d->opnd];
    if (o->type != OPT_GPR || o->size != 2 || OPND_KIND(spec) != OK_E ||
        OPND_SIZE(spec) != SZ_W)
        return false;
    /* find Capstone's operand at the same position */
    const cs_x86 *x = &c->cs->detail->x86;
    if (d->opnd >= x->op_count || x->operands[d->opnd].type != X86_OP_REG)
        return false;
    static const x86_reg r32[8] = {X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
                                   X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI};
    return x->operands[d->opnd].reg == r32[o->reg];
}

/* ---- 5. encodings the SDM defines and Capstone 4 rejects or reads differently ------------ */

/* MOV to/from CR1, CR5-CR7: SDM MOV (control registers): "#UD if an attempt is made to
 * access CR1, CR5, CR6, or CR7". Capstone 4 decodes them. */
static bool explain_bad_cr(const Case *c, const Diff *d)
{
    unsigned reg = (c->sk.modrm >> 3) & 7;
    return d->kind == DK_CS_ONLY && c->sk.map == 1 &&
           (c->sk.opcode == 0x20 || c->sk.opcode == 0x22) && (reg == 1 || reg >= 5);
}

/* MOV CS, r/m16: SDM MOV: "If the destination operand is the CS register, #UD". Capstone 4
 * decodes it. */
static bool explain_mov_cs(const Case *c, const Diff *d)
{
    return d->kind == DK_CS_ONLY && c->sk.map == 0 && c->sk.opcode == 0x8E &&
           ((c->sk.modrm >> 3) & 7) == SEG_CS;
}

/* 0F B9: the SDM (UD1 r32, r/m32) gives it a ModRM byte; Capstone 4 decodes it as "ud2b"
 * without one. Both raise #UD; only the length differs. */
static bool explain_ud1(const Case *c, const Diff *d)
{
    if (c->sk.map != 1 || c->sk.opcode != 0xB9 || !c->cs_ok || c->cs->id != X86_INS_UD2B ||
        c->cs->size != c->sk.npfx + 2)
        return false;
    /* ours is longer: by the ModRM form, or past the 15-byte limit */
    return (d->kind == DK_LENGTH && c->ours.op == OP_UD1) ||
           (d->kind == DK_CS_ONLY && c->st == DEC_TOO_LONG);
}

/* Capstone 4 rejects some non-string instructions with an F2/F3 prefix (MOV moffs A0-A3,
 * CALL/JMP rel16 after 66: its MPX "bnd" reading). SDM Vol. 2A §2.1.1 makes a repeat
 * prefix on a non-string instruction reserved; our decoder ignores it there (as it does
 * everywhere else Capstone accepts the same prefix), and before later extensions gave
 * F2/F3 meanings processors ignored it too ("rep ret"). Explained when Capstone accepts
 * the string without its F2/F3 bytes, as the same length our decode has without them. */
static csh cs_modes[2];
static cs_insn *cs_mode_insn[2];

static bool cs_decode_mode(const uint8_t *b, unsigned n, bool code32, cs_insn **out)
{
    int m = code32;
    if (!cs_mode_insn[m]) {
        cs_open(CS_ARCH_X86, m ? CS_MODE_32 : CS_MODE_16, &cs_modes[m]);
        cs_option(cs_modes[m], CS_OPT_DETAIL, CS_OPT_ON);
        cs_mode_insn[m] = cs_malloc(cs_modes[m]);
    }
    const uint8_t *p = b;
    size_t left = n;
    uint64_t addr = 0;
    *out = cs_mode_insn[m];
    return cs_disasm_iter(cs_modes[m], &p, &left, &addr, cs_mode_insn[m]);
}

static bool explain_rep_rejected(const Case *c, const Diff *d)
{
    if (d->kind != DK_OURS_ONLY || !c->sk.rep)
        return false;
    uint8_t b[16];
    unsigned n = 0;
    for (unsigned i = 0; i < c->n; i++)
        if (!(i < c->sk.npfx && (c->bytes[i] == 0xF2 || c->bytes[i] == 0xF3)))
            b[n++] = c->bytes[i];
    DecodedInsn in;
    cs_insn *cs;
    return decode(b, n, c->code32, &in) == DEC_OK && in.op == c->ours.op &&
           in.row->pfx == PFX_ANY && cs_decode_mode(b, n, c->code32, &cs) &&
           cs->size == in.len;
}

/* Capstone 4 drops the 66 prefix for the implicit accumulator operand (AX read as EAX) in
 * prefix runs that hold F2/F3 too; the other operands keep the 16-bit size. The SDM
 * applies the operand size to all operands alike. */
static bool explain_lost_66_accumulator(const Case *c, const Diff *d)
{
    if (d->kind != DK_OPERAND || !c->sk.opsize || !c->sk.rep || c->sk.npfx < 2)
        return false;
    const cs_x86 *x = &c->cs->detail->x86;
    const DecodedInsn *in = &c->ours;
    if (in->op == OP_XCHG && in->nopnd == 2 && x->op_count == 2)
        return x->operands[0].type == X86_OP_REG && x->operands[0].reg == X86_REG_EAX &&
               in->opnd[1].reg == R_EAX && in->opnd[1].size == 2;
    unsigned spec = in->row->opnd[d->opnd];
    return OPND_KIND(spec) == OK_FIXREG && OPND_REG(spec) == R_EAX && in->opnd[d->opnd].size == 2 &&
           d->opnd < x->op_count && x->operands[d->opnd].type == X86_OP_REG &&
           x->operands[d->opnd].reg == X86_REG_EAX;
}

/* 66 0F 12 and 66 0F 16 are MOVLPD/MOVHPD xmm, m64 only: the SDM defines no register form
 * (MOVHLPS/MOVLHPS are NP 0F 12/16 mod 11B). Capstone 4 decodes 66 0F 12/16 mod 11B as
 * movhlps/movlhps. */
static bool explain_movlpd_reg(const Case *c, const Diff *d)
{
    return d->kind == DK_CS_ONLY && c->sk.map == 1 && (c->sk.opcode == 0x12 || c->sk.opcode == 0x16) &&
           (c->sk.modrm >> 6) == 3 && (c->cs->id == X86_INS_MOVHLPS || c->cs->id == X86_INS_MOVLHPS);
}

/* Group 15 fences: the opcode map (Table A-6) gives LFENCE/MFENCE/SFENCE for 0F AE /5 /6 /7
 * with mod = 11B and any r/m; Capstone 4 accepts only r/m = 0 (E8, F0, F8). */
static bool explain_fence_rm(const Case *c, const Diff *d)
{
    return d->kind == DK_OURS_ONLY && c->ours.op == OP_FENCE && (c->ours.modrm & 7) != 0;
}

/* Reserved-NOP space: the opcode map (Table) makes 0F 19-0F 1E and 0F 18 /4-/7
 * and mod = 11B "NOP Ev"; 0F 1F /0 is NOP r/m16/32 with a register operand allowed.
 * Capstone 4 rejects the register forms and some /r, or reports a second operand. */
static bool explain_reserved_nop(const Case *c, const Diff *d)
{
    if (c->sk.map != 1 || c->sk.opcode < 0x18 || c->sk.opcode > 0x1F)
        return false;
    if (d->kind == DK_OURS_ONLY)
        return c->ours.op == OP_NOP;
    if (d->kind == DK_OPCOUNT || d->kind == DK_MNEMONIC || d->kind == DK_OPERAND)
        return c->ours.op == OP_NOP && c->cs->id == X86_INS_NOP;
    return false;
}

/* ---- 6. Capstone 4's 16-bit mode ------------------------------------------------------- */

/* Capstone 4's 16-bit mode has its own bugs: it never takes 66/F2/F3 as SSE mandatory
 * prefixes, prints CDQ for CWD, masks rel32 branch targets to 16 bits, ... The SDM (Vol. 1
 * §3.6, Vol. 2A §2.1.1) makes 16-bit code the same as 32-bit code with the operand- and
 * address-size attributes swapped, so the oracle for a 16-bit string Capstone-16 disagrees
 * with is Capstone's 32-bit mode on the equivalent string: 67 toggled (all removed, or one
 * added) and 66 toggled too, except for opcodes where 66 is a mandatory prefix. Explained
 * when that decode agrees with ours exactly, or differs only in a way an entry above
 * explains (then that entry counts it). */
static csh cs32;
static cs_insn *cs32_insn;
static bool sse_opcode[256]; /* 0F opcodes with mandatory-prefix rows */

static void cs32_setup(void)
{
    if (cs32_insn)
        return;
    cs_open(CS_ARCH_X86, CS_MODE_32, &cs32);
    cs_option(cs32, CS_OPT_DETAIL, CS_OPT_ON);
    cs32_insn = cs_malloc(cs32);
    for (unsigned i = 0; i < optable_nrows; i++)
        if (optable_rows[i].map == 1 && optable_rows[i].pfx != PFX_ANY)
            sse_opcode[optable_rows[i].opcode] = true;
}

/* Removes every `pfx` from the prefix run, or, when there is none, reports that one must
 * be added (the caller prepends them all at once: Capstone 4 misreads 66 before 67). */
static unsigned drop_prefix(uint8_t *b, unsigned n, unsigned *npfx, uint8_t pfx, bool *had)
{
    unsigned k = 0, np = *npfx;
    *had = false;
    for (unsigned i = 0; i < n; i++) {
        if (i < np && b[i] == pfx) {
            *had = true;
            (*npfx)--;
            continue;
        }
        b[k++] = b[i];
    }
    return k;
}

static bool explain_cs16(const Case *c, const Diff *d)
{
    if (c->code32 || c->st == DEC_TOO_LONG || d->kind == DK_TRUNCATED)
        return false;
    cs32_setup();
    Case c2 = *c;
    c2.code32 = true;
    uint8_t tmp[20];
    memcpy(tmp, c->bytes, c->n);
    unsigned npfx = c->sk.npfx, n = c->n;
    bool had67, had66 = true;
    n = drop_prefix(tmp, n, &npfx, 0x67, &had67);
    Skeleton sk;
    skeleton_parse(tmp, n, &sk);
    if (!(sk.map == 1 && sse_opcode[sk.opcode]))
        n = drop_prefix(tmp, n, &npfx, 0x66, &had66);
    /* Adding prefixes must not push the instruction past 15 bytes: drop earlier copies of
     * repeated prefix bytes first (a repeated identical prefix byte changes nothing). */
    unsigned need = !had67 + !had66;
    for (unsigned i = 0; need && i < npfx; i++) {
        bool later = false;
        for (unsigned j = i + 1; j < npfx; j++)
            later |= tmp[j] == tmp[i];
        if (later) {
            memmove(tmp + i, tmp + i + 1, n - i - 1);
            n--;
            npfx--;
            need--;
            i--;
        }
    }
    unsigned k = 0;
    if (!had67)
        c2.bytes[k++] = 0x67;
    if (!had66)
        c2.bytes[k++] = 0x66;
    for (unsigned i = 0; i < n && k < 16; i++)
        c2.bytes[k++] = tmp[i];
    n = k;
    c2.n = n;
    skeleton_parse(c2.bytes, n, &c2.sk);
    int delta = (int)c2.sk.npfx - (int)c->sk.npfx;
    if (c2.st == DEC_OK)
        c2.ours.len = (uint8_t)(c2.ours.len + delta);
    const uint8_t *p = c2.bytes;
    size_t left = n;
    uint64_t addr = 0;
    c2.cs_ok = cs_disasm_iter(cs32, &p, &left, &addr, cs32_insn);
    c2.cs = cs32_insn;
    Diff d2;
    compare_case(&c2, &d2);
    if (d2.kind == DK_NONE)
        return true;
    return known_explain(&c2, &d2) != NULL;
}

KnownDiff known_diffs[] = {
    {"beyond-target: #UD on i686", "later ISA extension (SSE3+, 3DNow!, VMX, AVX, ...)",
     explain_beyond_ud, 0},
    {"beyond-target: older form runs", "LZCNT/TZCNT run as BSR/BSF; reserved F2/F3 ignored",
     explain_beyond_older, 0},
    {"lock: #UD (not lockable/reg dest)", "SDM LOCK: #UD unless listed op with memory dest",
     explain_lock, 0},
    {"mandatory prefix position", "SDM 2.1.1: any order; Capstone needs it last",
     explain_mandatory_order, 0},
    {"capstone loses 66/67 in runs", "SDM 2.1.1 prefixes in any order (objdump agrees)",
     explain_lost_size_prefix, 0},
    {"capstone: ax read as eax", "SDM: one operand size for all operands",
     explain_lost_66_accumulator, 0},
    {"capstone rejects ignored rep", "REP on a non-string op is ignored (P6)",
     explain_rep_rejected, 0},
    {"rel32 target cut by adsize", "SDM: only a 16-bit operand size truncates EIP",
     explain_rel_adsize, 0},
    {"memory size: capstone differs", "Capstone 4 sizes disagree with the SDM operand",
     explain_mem_size, 0},
    {"far pointer size", "m16:16/m16:32 is 4/6 bytes; Capstone gives the offset size",
     explain_far_size, 0},
    {"r32/m16: 16 bits read", "we report the 16 bits read, Capstone the 32-bit name",
     explain_r16_spelling, 0},
    {"mov cr1/cr5-7: #UD", "SDM MOV CR: #UD for CR1, CR5-CR7", explain_bad_cr, 0},
    {"mov cs: #UD", "SDM MOV: #UD when the destination is CS", explain_mov_cs, 0},
    {"ud1 has modrm", "SDM UD1 r32, r/m32; Capstone 4 ud2b without ModRM", explain_ud1, 0},
    {"movlpd/movhpd register form", "SDM: 66 0F 12/16 take m64 only; Capstone accepts",
     explain_movlpd_reg, 0},
    {"fence with r/m != 0", "opcode map: 0F AE /5-/7 mod 11B, any r/m", explain_fence_rm, 0},
    {"reserved-nop forms", "opcode map: 0F 18-1F reserved-NOP Ev", explain_reserved_nop, 0},
    {"capstone 16-bit mode", "agrees with Capstone-32 on the 66/67-toggled string",
     explain_cs16, 0},
};
const unsigned known_ndiffs = sizeof known_diffs / sizeof known_diffs[0];

KnownDiff *known_explain(const Case *c, const Diff *d)
{
    for (unsigned i = 0; i < known_ndiffs; i++)
        if (known_diffs[i].explains(c, d)) {
            known_diffs[i].count++;
            return &known_diffs[i];
        }
    return NULL;
}
