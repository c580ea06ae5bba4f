/* x87_env.c — the control instructions: FLDCW, FNSTCW, FNSTSW, FNCLEX, FNINIT, FLDENV,
 * FNSTENV, FNSAVE, FRSTOR, FXSAVE, FXRSTOR. None of them updates FIP/FDP/FOP; only FLDCW,
 * FLDENV, FRSTOR and FXRSTOR can make an exception pending (x87_update_es).
 *
 * Environment layouts (SDM Vol. 1 §8.1.10, Figures 8-9 to 8-12): 14 bytes with a 16-bit
 * operand size, 28 with a 32-bit one; in protected mode the pointers are offset + selector
 * and the 32-bit form adds FOP; in real and virtual-8086 mode they are 20-bit (16-bit form)
 * or 32-bit (32-bit form) linear addresses, (selector << 4) + offset, split around FOP.
 * FXSAVE area: SDM Vol. 1 §10.5.1, Table 10-2 (the non-64-bit format).
 */
#include "cpu/x87_internal.h"

#include <string.h>

/* What FNSTENV writes in the reserved upper halves of the 32-bit layout's dwords. */
#define ENV_RESERVED 0xFFFFu

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

static bool env_protected(const CpuState *cpu) { return cpu_pe(cpu) && !cpu_vm86(cpu); }

/* ---- FLDCW, FNSTCW, FNSTSW, FNCLEX, FNINIT ------------------------------------------------ */

/* The control word keeps the exception masks, PC, RC and the infinity bit (12); bit 6
 * reads as 1 and bits 7, 13-15 as 0. */
static uint16_t cw_canonical(uint16_t v) { return (uint16_t)((v & 0x1F3F) | 0x0040); }

static void op_fldcw(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    uint16_t v = cpu_read16(cpu, insn->seg, insn_ea(cpu, insn));
    cpu->fpu.fcw = cw_canonical(v);
    x87_update_es(cpu);
}

static void op_fnstcw(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    cpu_write16(cpu, insn->seg, insn_ea(cpu, insn), cpu->fpu.fcw);
}

static void op_fnstsw(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    opnd_write(cpu, insn, 0, fpu_status_word(&cpu->fpu));
}

static void op_fnclex(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    cpu->fpu.fsw &= (uint16_t)~(FP_ALL_EXC | FSW_SF | FSW_ES | FSW_B);
    x87_drive_ferr(cpu);
}

static void fpu_init_state(CpuState *cpu)
{
    FpuState *f = &cpu->fpu;
    f->fcw = 0x037F;
    f->fsw = 0;
    f->top = 0;
    f->ftw = 0xFFFF;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = f->fop = 0;
    x87_drive_ferr(cpu);
}

static void op_fninit(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    fpu_init_state(cpu);
}

/* ---- environment images -------------------------------------------------------------------- */

/* Writes the environment in the layout for the operand size and mode; returns its size. */
static unsigned env_store(CpuState *cpu, bool op32, uint8_t *out)
{
    const FpuState *f = &cpu->fpu;
    uint16_t cw = f->fcw, sw = fpu_status_word(f), tw = fpu_full_tag_word(f);
    uint32_t ip = f->fip, dp = f->fdp;
    bool pm = env_protected(cpu);
    if (!pm) {
        ip = ((uint32_t)f->fcs << 4) + f->fip;
        dp = ((uint32_t)f->fds << 4) + f->fdp;
    }
    if (!op32) {
        put16(out + 0, cw);
        put16(out + 2, sw);
        put16(out + 4, tw);
        put16(out + 6, ip);
        put16(out + 8, pm ? f->fcs : ((ip >> 16 & 0xF) << 12) | (f->fop & 0x7FF));
        put16(out + 10, dp);
        put16(out + 12, pm ? f->fds : (dp >> 16 & 0xF) << 12);
        return 14;
    }
    put32(out + 0, cw | ENV_RESERVED << 16);
    put32(out + 4, sw | ENV_RESERVED << 16);
    put32(out + 8, tw | ENV_RESERVED << 16);
    if (pm) {
        put32(out + 12, ip);
        put32(out + 16, f->fcs | (uint32_t)(f->fop & 0x7FF) << 16);
        put32(out + 20, dp);
        put32(out + 24, f->fds | ENV_RESERVED << 16);
    } else {
        put32(out + 12, (ip & 0xFFFF) | ENV_RESERVED << 16);
        put32(out + 16, (ip >> 16) << 12 | (f->fop & 0x7FF));
        put32(out + 20, (dp & 0xFFFF) | ENV_RESERVED << 16);
        put32(out + 24, (dp >> 16) << 12);
    }
    return 28;
}

/* Loads an environment image (the caller has read all of it). */
static void env_load(CpuState *cpu, bool op32, const uint8_t *in)
{
    FpuState *f = &cpu->fpu;
    unsigned w = op32 ? 4 : 2; /* stride between fields */
    uint16_t cw = get16(in), sw = get16(in + w), tw = get16(in + 2 * w);
    if (env_protected(cpu)) {
        f->fip = op32 ? get32(in + 12) : get16(in + 6);
        f->fcs = get16(in + (op32 ? 16 : 8));
        if (op32)
            f->fop = get16(in + 18) & 0x7FF;
        f->fdp = op32 ? get32(in + 20) : get16(in + 10);
        f->fds = get16(in + (op32 ? 24 : 12));
    } else {
        uint32_t hi_ip = op32 ? get32(in + 16) : get16(in + 8);
        uint32_t hi_dp = op32 ? get32(in + 24) : get16(in + 12);
        uint32_t hi_mask = op32 ? 0xFFFFu : 0xFu;
        f->fip = get16(in + 3 * w) | ((hi_ip >> 12) & hi_mask) << 16;
        f->fdp = get16(in + 5 * w) | ((hi_dp >> 12) & hi_mask) << 16;
        f->fop = hi_ip & 0x7FF;
        f->fcs = f->fds = 0;
    }
    f->fcw = cw_canonical(cw);
    f->fsw = sw & (uint16_t)~0x3800u;
    f->top = (sw >> 11) & 7;
    f->ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((tw >> (2 * p)) & 3) == FPU_TAG_EMPTY)
            f->ftw |= (uint16_t)(FPU_TAG_EMPTY << (2 * p));
    x87_update_es(cpu);
}

static void op_fnstenv(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    bool op32 = insn->opsize == 4;
    uint8_t img[28];
    uint32_t lin = fpu_mem_check(cpu, insn->seg, insn_ea(cpu, insn), op32 ? 28 : 14, true);
    fpu_mem_write(cpu, lin, img, env_store(cpu, op32, img));
    cpu->fpu.fcw |= FP_ALL_EXC; /* FNSTENV then masks every exception... */
    x87_update_es(cpu);         /* ...which clears ES and B (measured) */
}

static void op_fldenv(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    bool op32 = insn->opsize == 4;
    uint8_t img[28];
    unsigned n = op32 ? 28 : 14;
    uint32_t lin = fpu_mem_check(cpu, insn->seg, insn_ea(cpu, insn), n, false);
    fpu_mem_read(cpu, lin, img, n);
    env_load(cpu, op32, img);
}

/* FNSAVE: the environment, then ST(0)..ST(7) in stack order, then FNINIT. */
static void op_fnsave(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    bool op32 = insn->opsize == 4;
    uint8_t img[108];
    unsigned n = op32 ? 108 : 94;
    uint32_t lin = fpu_mem_check(cpu, insn->seg, insn_ea(cpu, insn), n, true);
    unsigned e = env_store(cpu, op32, img);
    for (unsigned i = 0; i < 8; i++)
        f80_to_bytes(x87_get(cpu, i), img + e + 10 * i);
    fpu_mem_write(cpu, lin, img, n);
    fpu_init_state(cpu);
}

static void op_frstor(CpuState *cpu, const DecodedInsn *insn)
{
    if (!x87_begin(cpu, insn))
        return;
    bool op32 = insn->opsize == 4;
    uint8_t img[108];
    unsigned n = op32 ? 108 : 94, e = op32 ? 28 : 14;
    uint32_t lin = fpu_mem_check(cpu, insn->seg, insn_ea(cpu, insn), n, false);
    fpu_mem_read(cpu, lin, img, n);
    env_load(cpu, op32, img); /* sets TOP first: the registers are in stack order */
    for (unsigned i = 0; i < 8; i++) {
        unsigned p = x87_phys(cpu, i);
        Float80 v = f80_from_bytes(img + e + 10 * i);
        cpu->fpu.st[p].mant = v.mant;
        cpu->fpu.st[p].se = v.se;
    }
}

/* ---- FXSAVE / FXRSTOR ------------------------------------------------------------------------ */

#define FXSAVE_SIZE 512u
#define FXSAVE_USED 288u /* legacy header, ST0-7, XMM0-7; the rest is reserved or software's */

/* #NM on CR0.EM or TS (not #UD: FXSAVE belongs to the FPU's state management), #GP(0)
 * when the area is not 16-byte aligned; returns the checked linear address. */
static uint32_t fxsave_area(CpuState *cpu, const DecodedInsn *insn, bool write)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS))
        cpu_raise(cpu, EXC_NM, 0);
    uint32_t off = insn_ea(cpu, insn);
    if ((cpu->seg[insn->seg].base + off) & 15)
        cpu_raise_gp0(cpu);
    return fpu_mem_check(cpu, insn->seg, off, FXSAVE_SIZE, write);
}

static void op_fxsave(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t lin = fxsave_area(cpu, insn, true);
    const FpuState *f = &cpu->fpu;
    uint8_t img[FXSAVE_USED];
    memset(img, 0, sizeof img);
    put16(img + 0, f->fcw);
    put16(img + 2, fpu_status_word(f));
    img[4] = fpu_abridged_tag(f);
    put16(img + 6, f->fop & 0x7FF);
    put32(img + 8, f->fip);
    put16(img + 12, f->fcs);
    put32(img + 16, f->fdp);
    put16(img + 20, f->fds);
    put32(img + 24, f->mxcsr);
    put32(img + 28, FPU_MXCSR_MASK);
    for (unsigned i = 0; i < 8; i++) /* ST(i) order, like FSAVE */
        f80_to_bytes(x87_get(cpu, i), img + 32 + 16 * i);
    unsigned n = 160;
    if (cpu->cr4 & CR4_OSFXSR) { /* without it the XMM registers are not saved */
        for (unsigned r = 0; r < 8; r++)
            for (unsigned h = 0; h < 2; h++)
                for (unsigned b = 0; b < 8; b++)
                    img[160 + 16 * r + 8 * h + b] = (uint8_t)(f->xmm[r][h] >> (8 * b));
        n = FXSAVE_USED;
    }
    fpu_mem_write(cpu, lin, img, n);
}

static void op_fxrstor(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t lin = fxsave_area(cpu, insn, false);
    uint8_t img[FXSAVE_USED];
    fpu_mem_read(cpu, lin, img, sizeof img);
    uint32_t mxcsr = get32(img + 24);
    if (mxcsr & ~FPU_MXCSR_MASK)
        cpu_raise_gp0(cpu);
    FpuState *f = &cpu->fpu;
    uint16_t sw = get16(img + 2);
    f->fcw = cw_canonical(get16(img));
    f->fsw = sw & (uint16_t)~0x3800u;
    f->top = (sw >> 11) & 7;
    f->ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (!(img[4] >> p & 1))
            f->ftw |= (uint16_t)(FPU_TAG_EMPTY << (2 * p));
    f->fop = get16(img + 6) & 0x7FF;
    f->fip = get32(img + 8);
    f->fcs = get16(img + 12);
    f->fdp = get32(img + 16);
    f->fds = get16(img + 20);
    f->mxcsr = mxcsr;
    for (unsigned i = 0; i < 8; i++) {
        unsigned p = x87_phys(cpu, i);
        Float80 v = f80_from_bytes(img + 32 + 16 * i);
        f->st[p].mant = v.mant;
        f->st[p].se = v.se;
    }
    if (cpu->cr4 & CR4_OSFXSR)
        for (unsigned r = 0; r < 8; r++)
            for (unsigned h = 0; h < 2; h++) {
                uint64_t q = 0;
                for (int b = 7; b >= 0; b--)
                    q = q << 8 | img[160 + 16 * r + 8 * h + (unsigned)b];
                f->xmm[r][h] = q;
            }
    x87_update_es(cpu);
}

void x87_env_register(InsnHandler *t)
{
    t[OP_FLDCW] = op_fldcw;
    t[OP_FNSTCW] = op_fnstcw;
    t[OP_FNSTSW] = op_fnstsw;
    t[OP_FNCLEX] = op_fnclex;
    t[OP_FNINIT] = op_fninit;
    t[OP_FNSTENV] = op_fnstenv;
    t[OP_FLDENV] = op_fldenv;
    t[OP_FNSAVE] = op_fnsave;
    t[OP_FRSTOR] = op_frstor;
    t[OP_FXSAVE] = op_fxsave;
    t[OP_FXRSTOR] = op_fxrstor;
}
