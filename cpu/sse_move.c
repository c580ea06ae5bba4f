/* sse_move.c — data movement for MMX, SSE and SSE2: MOVD, MOVQ (every form), MOVUPS/UPD/
 * APS/APD, MOVDQA/DQU, the non-temporal stores, MOVSS/MOVSD, MOVLPS/HPS/LPD/HPD, MOVHLPS,
 * MOVLHPS, MOVQ2DQ, MOVDQ2Q, MOVMSKPS/PD, PMOVMSKB, PINSRW, PEXTRW, MASKMOVQ/MASKMOVDQU, the
 * bitwise ANDPS/ANDNPS/ORPS/XORPS (and PD), UNPCKL/HPS/PD and SHUFPS/PD. */
#include "cpu/simd_internal.h"

#include "cpu/x87_internal.h"
#include "softmmu/mmu.h"

/* Clears the bytes of v from `size` up (an operand narrower than 128 bits). */
static void truncate_vec(Vec128 *v, unsigned size)
{
    for (unsigned i = size; i < 16; i++)
        v->b[i] = 0;
}

/* A whole-operand move: the source, zero-extended from its size, truncated to the
 * destination's size (so MOVQ xmm, xmm clears the upper half; MOVD r32, mm takes 32 bits). */
static void move_zx(CpuState *cpu, const DecodedInsn *insn, bool aligned)
{
    int kind = simd_begin(cpu, insn);
    if (kind == SIMD_FROZEN)
        return;
    Vec128 v;
    simd_read(cpu, insn, 1, &v, aligned);
    truncate_vec(&v, insn->opnd[1].size);
    truncate_vec(&v, insn->opnd[0].size);
    simd_write(cpu, insn, 0, &v, aligned);
    if (kind == SIMD_MMX)
        mmx_transition(cpu);
}

static void op_move_unaligned(CpuState *cpu, const DecodedInsn *insn) { move_zx(cpu, insn, false); }
static void op_move_aligned(CpuState *cpu, const DecodedInsn *insn) { move_zx(cpu, insn, true); }

/* MOVSS/MOVSD: to or from memory the scalar alone (a load clears the rest); between
 * registers only the low lane moves. */
static void move_scalar(CpuState *cpu, const DecodedInsn *insn, unsigned size)
{
    simd_begin_sse(cpu);
    Vec128 s, d;
    simd_read(cpu, insn, 1, &s, false);
    if (insn->opnd[0].type == OPT_MEM || insn->opnd[1].type == OPT_MEM) {
        truncate_vec(&s, size);
        simd_write(cpu, insn, 0, &s, false);
        return;
    }
    simd_read(cpu, insn, 0, &d, false);
    for (unsigned i = 0; i < size; i++)
        d.b[i] = s.b[i];
    simd_write(cpu, insn, 0, &d, false);
}

static void op_movss(CpuState *cpu, const DecodedInsn *insn) { move_scalar(cpu, insn, 4); }
static void op_movsd(CpuState *cpu, const DecodedInsn *insn) { move_scalar(cpu, insn, 8); }

/* MOVLPS/MOVLPD/MOVHPS/MOVHPD (half = 0 or 1): load the half from memory, or store it. */
static void move_half(CpuState *cpu, const DecodedInsn *insn, unsigned half)
{
    simd_begin_sse(cpu);
    Vec128 s, d;
    simd_read(cpu, insn, 1, &s, false);
    if (insn->opnd[0].type == OPT_MEM) {
        d.q[0] = s.q[half];
        simd_write(cpu, insn, 0, &d, false);
        return;
    }
    simd_read(cpu, insn, 0, &d, false);
    d.q[half] = s.q[0];
    simd_write(cpu, insn, 0, &d, false);
}

static void op_movlps(CpuState *cpu, const DecodedInsn *insn) { move_half(cpu, insn, 0); }
static void op_movhps(CpuState *cpu, const DecodedInsn *insn) { move_half(cpu, insn, 1); }

/* MOVHLPS: low half from the source's high half; MOVLHPS: high half from its low half. */
static void move_hl(CpuState *cpu, const DecodedInsn *insn, unsigned to, unsigned from)
{
    simd_begin_sse(cpu);
    Vec128 s, d;
    simd_read(cpu, insn, 1, &s, false);
    simd_read(cpu, insn, 0, &d, false);
    d.q[to] = s.q[from];
    simd_write(cpu, insn, 0, &d, false);
}

static void op_movhlps(CpuState *cpu, const DecodedInsn *insn) { move_hl(cpu, insn, 0, 1); }
static void op_movlhps(CpuState *cpu, const DecodedInsn *insn) { move_hl(cpu, insn, 1, 0); }

/* ---- masks, word insert/extract ------------------------------------------------------------------ */

/* MOVMSKPS/MOVMSKPD/PMOVMSKB: the sign bit of each lane of `lane` bytes into a register. */
static void move_mask(CpuState *cpu, const DecodedInsn *insn, unsigned lane)
{
    int kind = simd_begin(cpu, insn);
    if (kind == SIMD_FROZEN)
        return;
    Vec128 s;
    simd_read(cpu, insn, 1, &s, false);
    unsigned n = insn->opnd[1].type == OPT_MMX ? 8 : 16;
    uint32_t m = 0;
    for (unsigned i = 0; i < n / lane; i++)
        m |= (uint32_t)(s.b[i * lane + lane - 1] >> 7) << i;
    gpr_write(cpu, insn->opnd[0].reg, 4, m);
    if (kind == SIMD_MMX)
        mmx_transition(cpu);
}

static void op_movmskps(CpuState *cpu, const DecodedInsn *insn) { move_mask(cpu, insn, 4); }
static void op_movmskpd(CpuState *cpu, const DecodedInsn *insn) { move_mask(cpu, insn, 8); }
static void op_pmovmskb(CpuState *cpu, const DecodedInsn *insn) { move_mask(cpu, insn, 1); }

static void op_pinsrw(CpuState *cpu, const DecodedInsn *insn)
{
    int kind = simd_begin(cpu, insn);
    if (kind == SIMD_FROZEN)
        return;
    Vec128 s, d;
    simd_read(cpu, insn, 1, &s, false);
    simd_read(cpu, insn, 0, &d, false);
    d.w[insn->imm & (kind == SIMD_MMX ? 3 : 7)] = s.w[0];
    simd_write(cpu, insn, 0, &d, false);
    if (kind == SIMD_MMX)
        mmx_transition(cpu);
}

static void op_pextrw(CpuState *cpu, const DecodedInsn *insn)
{
    int kind = simd_begin(cpu, insn);
    if (kind == SIMD_FROZEN)
        return;
    Vec128 s;
    simd_read(cpu, insn, 1, &s, false);
    gpr_write(cpu, insn->opnd[0].reg, 4, s.w[insn->imm & (kind == SIMD_MMX ? 3 : 7)]);
    if (kind == SIMD_MMX)
        mmx_transition(cpu);
}

/* MASKMOVQ/MASKMOVDQU: the bytes of the first register whose mask byte (second register)
 * has its top bit set go to DS:(E)DI (segment override allowed). Every selected byte is
 * checked before any is written. */
static void op_maskmov(CpuState *cpu, const DecodedInsn *insn)
{
    int kind = simd_begin(cpu, insn);
    if (kind == SIMD_FROZEN)
        return;
    Vec128 data, mask;
    simd_read(cpu, insn, 0, &data, false);
    simd_read(cpu, insn, 1, &mask, false);
    unsigned n = kind == SIMD_MMX ? 8 : 16;
    uint32_t base = insn->adsize == 2 ? cpu->gpr[R_EDI].w : cpu->EDI;
    uint32_t lin[16];
    for (unsigned i = 0; i < n; i++)
        if (mask.b[i] & 0x80) {
            uint32_t off = insn->adsize == 2 ? (base + i) & 0xFFFF : base + i;
            lin[i] = fpu_mem_check(cpu, insn->seg, off, 1, true);
        }
    bool user = cpu_user(cpu);
    for (unsigned i = 0; i < n; i++)
        if (mask.b[i] & 0x80)
            mmu_write8(cpu, lin[i], data.b[i], user);
    if (kind == SIMD_MMX)
        mmx_transition(cpu);
}

/* ---- bitwise, unpacks, shuffles ------------------------------------------------------------------ */

typedef void (*PsOp)(Vec128 *d, const Vec128 *s, unsigned imm);

static void ps_binop(CpuState *cpu, const DecodedInsn *insn, PsOp fn)
{
    simd_begin_sse(cpu);
    Vec128 d, s;
    simd_read(cpu, insn, 1, &s, true);
    simd_read(cpu, insn, 0, &d, false);
    fn(&d, &s, insn->imm & 0xFF);
    simd_write(cpu, insn, 0, &d, false);
}

static void ps_and(Vec128 *d, const Vec128 *s, unsigned imm) { (void)imm; d->q[0] &= s->q[0]; d->q[1] &= s->q[1]; }
static void ps_andn(Vec128 *d, const Vec128 *s, unsigned imm)
{
    (void)imm;
    d->q[0] = ~d->q[0] & s->q[0];
    d->q[1] = ~d->q[1] & s->q[1];
}
static void ps_or(Vec128 *d, const Vec128 *s, unsigned imm) { (void)imm; d->q[0] |= s->q[0]; d->q[1] |= s->q[1]; }
static void ps_xor(Vec128 *d, const Vec128 *s, unsigned imm) { (void)imm; d->q[0] ^= s->q[0]; d->q[1] ^= s->q[1]; }
static void ps_unpcklps(Vec128 *d, const Vec128 *s, unsigned imm)
{
    (void)imm;
    Vec128 r = { .d = { d->d[0], s->d[0], d->d[1], s->d[1] } };
    *d = r;
}
static void ps_unpckhps(Vec128 *d, const Vec128 *s, unsigned imm)
{
    (void)imm;
    Vec128 r = { .d = { d->d[2], s->d[2], d->d[3], s->d[3] } };
    *d = r;
}
static void ps_unpcklpd(Vec128 *d, const Vec128 *s, unsigned imm) { (void)imm; d->q[1] = s->q[0]; }
static void ps_unpckhpd(Vec128 *d, const Vec128 *s, unsigned imm)
{
    (void)imm;
    d->q[0] = d->q[1];
    d->q[1] = s->q[1];
}
static void ps_shufps(Vec128 *d, const Vec128 *s, unsigned imm)
{
    Vec128 r = { .d = { d->d[imm & 3], d->d[(imm >> 2) & 3], s->d[(imm >> 4) & 3], s->d[(imm >> 6) & 3] } };
    *d = r;
}
static void ps_shufpd(Vec128 *d, const Vec128 *s, unsigned imm)
{
    Vec128 r = { .q = { d->q[imm & 1], s->q[(imm >> 1) & 1] } };
    *d = r;
}

#define PS_OP(name, fn)                                                                    \
    static void op_##name(CpuState *cpu, const DecodedInsn *insn) { ps_binop(cpu, insn, fn); }
PS_OP(andps, ps_and)
PS_OP(andnps, ps_andn)
PS_OP(orps, ps_or)
PS_OP(xorps, ps_xor)
PS_OP(unpcklps, ps_unpcklps)
PS_OP(unpckhps, ps_unpckhps)
PS_OP(unpcklpd, ps_unpcklpd)
PS_OP(unpckhpd, ps_unpckhpd)
PS_OP(shufps, ps_shufps)
PS_OP(shufpd, ps_shufpd)

void sse_move_register(InsnHandler *t)
{
    t[OP_MOVUPS] = op_move_unaligned;
    t[OP_MOVUPD] = op_move_unaligned;
    t[OP_MOVDQU] = op_move_unaligned;
    t[OP_MOVAPS] = op_move_aligned;
    t[OP_MOVAPD] = op_move_aligned;
    t[OP_MOVDQA] = op_move_aligned;
    t[OP_MOVNTPS] = op_move_aligned;
    t[OP_MOVNTPD] = op_move_aligned;
    t[OP_MOVNTDQ] = op_move_aligned;
    t[OP_MOVNTQ] = op_move_unaligned;
    t[OP_MOVD] = op_move_unaligned;
    t[OP_MOVQ] = op_move_unaligned;
    t[OP_MOVQ2DQ] = op_move_unaligned;
    t[OP_MOVDQ2Q] = op_move_unaligned;
    t[OP_MOVSS] = op_movss;
    t[OP_MOVSD_SSE] = op_movsd;
    t[OP_MOVLPS] = op_movlps;
    t[OP_MOVLPD] = op_movlps;
    t[OP_MOVHPS] = op_movhps;
    t[OP_MOVHPD] = op_movhps;
    t[OP_MOVHLPS] = op_movhlps;
    t[OP_MOVLHPS] = op_movlhps;
    t[OP_MOVMSKPS] = op_movmskps;
    t[OP_MOVMSKPD] = op_movmskpd;
    t[OP_PMOVMSKB] = op_pmovmskb;
    t[OP_PINSRW] = op_pinsrw;
    t[OP_PEXTRW] = op_pextrw;
    t[OP_MASKMOVQ] = op_maskmov;
    t[OP_MASKMOVDQU] = op_maskmov;
    t[OP_ANDPS] = op_andps;
    t[OP_ANDPD] = op_andps;
    t[OP_ANDNPS] = op_andnps;
    t[OP_ANDNPD] = op_andnps;
    t[OP_ORPS] = op_orps;
    t[OP_ORPD] = op_orps;
    t[OP_XORPS] = op_xorps;
    t[OP_XORPD] = op_xorps;
    t[OP_UNPCKLPS] = op_unpcklps;
    t[OP_UNPCKHPS] = op_unpckhps;
    t[OP_UNPCKLPD] = op_unpcklpd;
    t[OP_UNPCKHPD] = op_unpckhpd;
    t[OP_SHUFPS] = op_shufps;
    t[OP_SHUFPD] = op_shufpd;
}
