/* mmx_int.c — packed-integer instructions in their MMX (64-bit, no prefix) and SSE2
 * (128-bit, 66 prefix) forms: add/subtract (wrapping and saturating), multiplies,
 * PMADDWD, PSADBW, PAVGB/W, min/max, logic, compares, packs and unpacks, shifts by a
 * register, memory or immediate count, the byte shifts PSLLDQ/PSRLDQ, and the shuffles
 * PSHUFW/PSHUFD/PSHUFHW/PSHUFLW. One lane function per operation serves both widths. */
#include "cpu/simd_internal.h"

typedef void (*VecOp)(Vec128 *d, const Vec128 *s, unsigned n); /* n: 8 or 16 bytes */

/* d = d op s, the source read first (16-byte memory sources must be aligned). */
static void int_binop(CpuState *cpu, const DecodedInsn *insn, VecOp fn)
{
    int kind = simd_begin(cpu, insn);
    if (kind == SIMD_FROZEN)
        return;
    Vec128 d, s;
    simd_read(cpu, insn, 1, &s, true);
    simd_read(cpu, insn, 0, &d, false);
    fn(&d, &s, insn->opnd[0].type == OPT_MMX ? 8 : 16);
    simd_write(cpu, insn, 0, &d, false);
    if (kind == SIMD_MMX)
        mmx_transition(cpu);
}

/* One handler per operation, each lane computed from a (destination) and b (source). */
#define LANE_OP(name, field, expr)                                                         \
    static void lanes_##name(Vec128 *d, const Vec128 *s, unsigned n)                     \
    {                                                                                      \
        for (unsigned i = 0; i < n / sizeof d->field[0]; i++) {                            \
            __typeof__(d->field[0]) a = d->field[i], b = s->field[i];                      \
            d->field[i] = (__typeof__(d->field[0]))(expr);                                 \
        }                                                                                  \
    }                                                                                      \
    static void op_##name(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_##name); }

static int sat(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

LANE_OP(paddb, b, a + b)
LANE_OP(paddw, w, a + b)
LANE_OP(paddd, d, a + b)
LANE_OP(paddq, q, a + b)
LANE_OP(psubb, b, a - b)
LANE_OP(psubw, w, a - b)
LANE_OP(psubd, d, a - b)
LANE_OP(psubq, q, a - b)
LANE_OP(paddsb, sb, sat(a + b, -128, 127))
LANE_OP(paddsw, sw, sat(a + b, -32768, 32767))
LANE_OP(psubsb, sb, sat(a - b, -128, 127))
LANE_OP(psubsw, sw, sat(a - b, -32768, 32767))
LANE_OP(paddusb, b, sat(a + b, 0, 255))
LANE_OP(paddusw, w, sat(a + b, 0, 65535))
LANE_OP(psubusb, b, sat(a - b, 0, 255))
LANE_OP(psubusw, w, sat(a - b, 0, 65535))
LANE_OP(pmullw, w, (uint32_t)a * b)
LANE_OP(pmulhw, sw, ((int32_t)a * b) >> 16)
LANE_OP(pmulhuw, w, ((uint32_t)a * b) >> 16)
LANE_OP(pand, q, a & b)
LANE_OP(pandn, q, ~a & b)
LANE_OP(por, q, a | b)
LANE_OP(pxor, q, a ^ b)
LANE_OP(pcmpeqb, b, a == b ? 0xFF : 0)
LANE_OP(pcmpeqw, w, a == b ? 0xFFFF : 0)
LANE_OP(pcmpeqd, d, a == b ? 0xFFFFFFFFu : 0)
LANE_OP(pcmpgtb, sb, a > b ? -1 : 0)
LANE_OP(pcmpgtw, sw, a > b ? -1 : 0)
LANE_OP(pcmpgtd, sd, a > b ? -1 : 0)
LANE_OP(pminub, b, a < b ? a : b)
LANE_OP(pmaxub, b, a > b ? a : b)
LANE_OP(pminsw, sw, a < b ? a : b)
LANE_OP(pmaxsw, sw, a > b ? a : b)
LANE_OP(pavgb, b, ((unsigned)a + b + 1) >> 1)
LANE_OP(pavgw, w, ((unsigned)a + b + 1) >> 1)

/* PMULUDQ: the low dword of each quadword, multiplied unsigned into the quadword. */
static void lanes_pmuludq(Vec128 *d, const Vec128 *s, unsigned n)
{
    for (unsigned i = 0; i < n / 8; i++)
        d->q[i] = (uint64_t)d->d[2 * i] * s->d[2 * i];
}

/* PMADDWD: adjacent signed word products summed into dwords (0x8000 pairs wrap). */
static void lanes_pmaddwd(Vec128 *d, const Vec128 *s, unsigned n)
{
    for (unsigned i = 0; i < n / 4; i++) {
        int64_t sum = (int64_t)d->sw[2 * i] * s->sw[2 * i] + (int64_t)d->sw[2 * i + 1] * s->sw[2 * i + 1];
        d->d[i] = (uint32_t)sum;
    }
}

/* PSADBW: per 8-byte group, the sum of absolute differences in the group's low word. */
static void lanes_psadbw(Vec128 *d, const Vec128 *s, unsigned n)
{
    for (unsigned g = 0; g < n / 8; g++) {
        unsigned sum = 0;
        for (unsigned i = 0; i < 8; i++) {
            int diff = (int)d->b[8 * g + i] - (int)s->b[8 * g + i];
            sum += (unsigned)(diff < 0 ? -diff : diff);
        }
        d->q[g] = sum;
    }
}

static void op_pmuludq(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_pmuludq); }
static void op_pmaddwd(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_pmaddwd); }
static void op_psadbw(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_psadbw); }

/* ---- packs and unpacks ------------------------------------------------------------------------ */

/* Packs: the destination's lanes narrowed with saturation, then the source's. */
static void lanes_packsswb(Vec128 *d, const Vec128 *s, unsigned n)
{
    Vec128 r = {0};
    unsigned h = n / 2; /* words per operand */
    for (unsigned i = 0; i < h; i++) {
        r.sb[i] = (int8_t)sat(d->sw[i], -128, 127);
        r.sb[h + i] = (int8_t)sat(s->sw[i], -128, 127);
    }
    *d = r;
}
static void lanes_packuswb(Vec128 *d, const Vec128 *s, unsigned n)
{
    Vec128 r = {0};
    unsigned h = n / 2;
    for (unsigned i = 0; i < h; i++) {
        r.b[i] = (uint8_t)sat(d->sw[i], 0, 255);
        r.b[h + i] = (uint8_t)sat(s->sw[i], 0, 255);
    }
    *d = r;
}
static int32_t sat32to16(int32_t v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }
static void lanes_packssdw(Vec128 *d, const Vec128 *s, unsigned n)
{
    Vec128 r = {0};
    unsigned h = n / 4; /* dwords per operand */
    for (unsigned i = 0; i < h; i++) {
        r.sw[i] = (int16_t)sat32to16(d->sd[i]);
        r.sw[h + i] = (int16_t)sat32to16(s->sd[i]);
    }
    *d = r;
}

/* Unpacks interleave the low (or high) halves of destination and source, lane size sz. */
static void unpack(Vec128 *d, const Vec128 *s, unsigned n, unsigned sz, bool high)
{
    Vec128 r;
    unsigned lanes = n / 2 / sz, base = high ? n / 2 : 0;
    for (unsigned i = 0; i < lanes; i++)
        for (unsigned k = 0; k < sz; k++) {
            r.b[2 * i * sz + k] = d->b[base + i * sz + k];
            r.b[(2 * i + 1) * sz + k] = s->b[base + i * sz + k];
        }
    for (unsigned k = 0; k < n; k++)
        d->b[k] = r.b[k];
}

#define UNPACK_OP(name, sz, high)                                                          \
    static void lanes_##name(Vec128 *d, const Vec128 *s, unsigned n) { unpack(d, s, n, sz, high); } \
    static void op_##name(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_##name); }
UNPACK_OP(punpcklbw, 1, false)
UNPACK_OP(punpcklwd, 2, false)
UNPACK_OP(punpckldq, 4, false)
UNPACK_OP(punpcklqdq, 8, false)
UNPACK_OP(punpckhbw, 1, true)
UNPACK_OP(punpckhwd, 2, true)
UNPACK_OP(punpckhdq, 4, true)
UNPACK_OP(punpckhqdq, 8, true)

static void op_packsswb(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_packsswb); }
static void op_packuswb(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_packuswb); }
static void op_packssdw(CpuState *cpu, const DecodedInsn *insn) { int_binop(cpu, insn, lanes_packssdw); }

/* ---- shifts ------------------------------------------------------------------------------------- */

typedef enum ShiftKind { SH_LL, SH_RL, SH_RA } ShiftKind;

/* PSLL/PSRL/PSRA by the source's low 64 bits or by an immediate (forms 71-73, the
 * destination is then opnd[0] and the count opnd[1]). Counts beyond the lane width clear
 * the lane (or fill it with the sign). */
static void int_shift(CpuState *cpu, const DecodedInsn *insn, unsigned bits, ShiftKind kind)
{
    int k = simd_begin(cpu, insn);
    if (k == SIMD_FROZEN)
        return;
    uint64_t count;
    if (insn->opnd[1].type == OPT_IMM) {
        count = insn->imm & 0xFF;
    } else {
        Vec128 c;
        simd_read(cpu, insn, 1, &c, true);
        count = c.q[0];
    }
    Vec128 d;
    simd_read(cpu, insn, 0, &d, false);
    unsigned n = insn->opnd[0].type == OPT_MMX ? 8 : 16;
    for (unsigned i = 0; i < n * 8 / bits; i++) {
        uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1, sign = 1ull << (bits - 1);
        uint64_t v = bits == 16 ? d.w[i] : bits == 32 ? d.d[i] : d.q[i], r;
        if (kind == SH_RA && count >= bits)
            r = (v & sign) ? mask : 0;
        else if (count >= bits)
            r = 0;
        else if (kind == SH_LL)
            r = (v << count) & mask;
        else if (kind == SH_RL)
            r = v >> count;
        else
            r = ((v >> count) | ((v & sign) ? ~(mask >> count) : 0)) & mask;
        if (bits == 16)
            d.w[i] = (uint16_t)r;
        else if (bits == 32)
            d.d[i] = (uint32_t)r;
        else
            d.q[i] = r;
    }
    simd_write(cpu, insn, 0, &d, false);
    if (k == SIMD_MMX)
        mmx_transition(cpu);
}

static void op_psllw(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 16, SH_LL); }
static void op_pslld(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 32, SH_LL); }
static void op_psllq(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 64, SH_LL); }
static void op_psrlw(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 16, SH_RL); }
static void op_psrld(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 32, SH_RL); }
static void op_psrlq(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 64, SH_RL); }
static void op_psraw(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 16, SH_RA); }
static void op_psrad(CpuState *cpu, const DecodedInsn *insn) { int_shift(cpu, insn, 32, SH_RA); }

/* PSLLDQ/PSRLDQ: the whole register shifted by imm8 bytes (more than 15 clears it). */
static void byte_shift(CpuState *cpu, const DecodedInsn *insn, bool left)
{
    simd_begin_sse(cpu);
    Vec128 d, r = {0};
    simd_read(cpu, insn, 0, &d, false);
    unsigned c = insn->imm & 0xFF;
    for (unsigned i = 0; i < 16; i++) {
        if (left && i >= c)
            r.b[i] = d.b[i - c];
        else if (!left && i + c < 16)
            r.b[i] = d.b[i + c];
    }
    simd_write(cpu, insn, 0, &r, false);
}

static void op_pslldq(CpuState *cpu, const DecodedInsn *insn) { byte_shift(cpu, insn, true); }
static void op_psrldq(CpuState *cpu, const DecodedInsn *insn) { byte_shift(cpu, insn, false); }

/* ---- shuffles ------------------------------------------------------------------------------------ */

/* PSHUFW (MMX) / PSHUFD / PSHUFHW / PSHUFLW: lanes of the source picked by imm8 pairs. */
static void int_shuffle(CpuState *cpu, const DecodedInsn *insn, unsigned lane_bytes, unsigned first,
                        unsigned count)
{
    int k = simd_begin(cpu, insn);
    if (k == SIMD_FROZEN)
        return;
    Vec128 s, r;
    simd_read(cpu, insn, 1, &s, true);
    r = s;
    unsigned imm = insn->imm & 0xFF;
    for (unsigned i = 0; i < count; i++) {
        unsigned pick = first + ((imm >> (2 * i)) & 3);
        for (unsigned b = 0; b < lane_bytes; b++)
            r.b[(first + i) * lane_bytes + b] = s.b[pick * lane_bytes + b];
    }
    simd_write(cpu, insn, 0, &r, false);
    if (k == SIMD_MMX)
        mmx_transition(cpu);
}

static void op_pshufw(CpuState *cpu, const DecodedInsn *insn) { int_shuffle(cpu, insn, 2, 0, 4); }
static void op_pshufd(CpuState *cpu, const DecodedInsn *insn) { int_shuffle(cpu, insn, 4, 0, 4); }
static void op_pshuflw(CpuState *cpu, const DecodedInsn *insn) { int_shuffle(cpu, insn, 2, 0, 4); }
static void op_pshufhw(CpuState *cpu, const DecodedInsn *insn) { int_shuffle(cpu, insn, 2, 4, 4); }

void mmx_int_register(InsnHandler *t)
{
    t[OP_PADDB] = op_paddb;
    t[OP_PADDW] = op_paddw;
    t[OP_PADDD] = op_paddd;
    t[OP_PADDQ] = op_paddq;
    t[OP_PSUBB] = op_psubb;
    t[OP_PSUBW] = op_psubw;
    t[OP_PSUBD] = op_psubd;
    t[OP_PSUBQ] = op_psubq;
    t[OP_PADDSB] = op_paddsb;
    t[OP_PADDSW] = op_paddsw;
    t[OP_PSUBSB] = op_psubsb;
    t[OP_PSUBSW] = op_psubsw;
    t[OP_PADDUSB] = op_paddusb;
    t[OP_PADDUSW] = op_paddusw;
    t[OP_PSUBUSB] = op_psubusb;
    t[OP_PSUBUSW] = op_psubusw;
    t[OP_PMULLW] = op_pmullw;
    t[OP_PMULHW] = op_pmulhw;
    t[OP_PMULHUW] = op_pmulhuw;
    t[OP_PMULUDQ] = op_pmuludq;
    t[OP_PMADDWD] = op_pmaddwd;
    t[OP_PSADBW] = op_psadbw;
    t[OP_PAND] = op_pand;
    t[OP_PANDN] = op_pandn;
    t[OP_POR] = op_por;
    t[OP_PXOR] = op_pxor;
    t[OP_PCMPEQB] = op_pcmpeqb;
    t[OP_PCMPEQW] = op_pcmpeqw;
    t[OP_PCMPEQD] = op_pcmpeqd;
    t[OP_PCMPGTB] = op_pcmpgtb;
    t[OP_PCMPGTW] = op_pcmpgtw;
    t[OP_PCMPGTD] = op_pcmpgtd;
    t[OP_PMINUB] = op_pminub;
    t[OP_PMAXUB] = op_pmaxub;
    t[OP_PMINSW] = op_pminsw;
    t[OP_PMAXSW] = op_pmaxsw;
    t[OP_PAVGB] = op_pavgb;
    t[OP_PAVGW] = op_pavgw;
    t[OP_PACKSSWB] = op_packsswb;
    t[OP_PACKUSWB] = op_packuswb;
    t[OP_PACKSSDW] = op_packssdw;
    t[OP_PUNPCKLBW] = op_punpcklbw;
    t[OP_PUNPCKLWD] = op_punpcklwd;
    t[OP_PUNPCKLDQ] = op_punpckldq;
    t[OP_PUNPCKLQDQ] = op_punpcklqdq;
    t[OP_PUNPCKHBW] = op_punpckhbw;
    t[OP_PUNPCKHWD] = op_punpckhwd;
    t[OP_PUNPCKHDQ] = op_punpckhdq;
    t[OP_PUNPCKHQDQ] = op_punpckhqdq;
    t[OP_PSLLW] = op_psllw;
    t[OP_PSLLD] = op_pslld;
    t[OP_PSLLQ] = op_psllq;
    t[OP_PSRLW] = op_psrlw;
    t[OP_PSRLD] = op_psrld;
    t[OP_PSRLQ] = op_psrlq;
    t[OP_PSRAW] = op_psraw;
    t[OP_PSRAD] = op_psrad;
    t[OP_PSLLDQ] = op_pslldq;
    t[OP_PSRLDQ] = op_psrldq;
    t[OP_PSHUFW] = op_pshufw;
    t[OP_PSHUFD] = op_pshufd;
    t[OP_PSHUFLW] = op_pshuflw;
    t[OP_PSHUFHW] = op_pshufhw;
}
