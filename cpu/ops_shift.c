/* ops_shift.c — shifts and rotates: ROL ROR RCL RCR SHL/SAL SHR SAR, SHLD, SHRD.
 *
 * The count is masked to 5 bits; a masked count of 0 changes nothing (not even flags), but
 * a memory destination is still checked for writing first, as hardware does. RCL/RCR rotate
 * through w+1 bits, so their count is taken modulo 9 (bytes) or 17 (words).
 * Flags the SDM leaves undefined get deterministic values, chosen to match the "one bit at
 * a time" model (the flags of the last single-bit step), which is what the 80286 does:
 *   OF for count > 1: SHL/ROL/RCL: MSB(result) XOR CF; ROR/RCR: the two top bits of the
 *     result XORed; SHR: the top bit of the operand before the last step (0 when count > 1);
 *     SAR: 0; SHLD/SHRD: MSB(result) XOR MSB(original).
 *   CF for SHL/SHR counts >= the width: the last bit shifted out (0 once past the operand).
 *   AF after SHL/SHR/SAR/SHLD/SHRD with count != 0: 0.
 * 16-bit SHLD/SHRD with counts 17..31 (undefined in the SDM) behave as on the P6: the
 * operand is shifted as the 48-bit concatenation DEST:SRC:DEST, so bits of DEST re-enter.
 */
#include "cpu/ops_util.h"

typedef enum ShiftKind { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR } ShiftKind;

typedef struct ShiftOut {
    uint32_t res;   /* result (masked to the operand size) */
    uint32_t mask;  /* arithmetic flags the operation writes */
    uint32_t flags; /* their new values */
} ShiftOut;

static inline uint32_t bit(uint64_t v, unsigned n) { return (uint32_t)(v >> n) & 1; }

static ShiftOut rotate(ShiftKind k, uint32_t x, unsigned count, unsigned size, bool cf_in)
{
    unsigned w = 8 * size;
    uint32_t m = size_mask(size);
    ShiftOut o = {x, FL_CF | FL_OF, 0};
    uint32_t cf;
    if (k == SH_ROL || k == SH_ROR) {
        unsigned c = count % w;
        if (k == SH_ROL) {
            o.res = c ? ((x << c) | (x >> (w - c))) & m : x;
            cf = o.res & 1;
            o.flags = (bit(o.res, w - 1) ^ cf ? FL_OF : 0) | (cf ? FL_CF : 0);
        } else {
            o.res = c ? ((x >> c) | (x << (w - c))) & m : x;
            cf = bit(o.res, w - 1);
            o.flags = (cf ^ bit(o.res, w - 2) ? FL_OF : 0) | (cf ? FL_CF : 0);
        }
        return o;
    }
    /* Through carry: a (w+1)-bit rotate of CF:x. */
    unsigned c = count % (w + 1);
    uint64_t v = (uint64_t)cf_in << w | x, vm = ((uint64_t)1 << (w + 1)) - 1;
    if (c)
        v = k == SH_RCL ? ((v << c) | (v >> (w + 1 - c))) & vm
                        : ((v >> c) | (v << (w + 1 - c))) & vm;
    o.res = (uint32_t)v & m;
    cf = bit(v, w);
    if (k == SH_RCL)
        o.flags = (bit(o.res, w - 1) ^ cf ? FL_OF : 0) | (cf ? FL_CF : 0);
    else
        o.flags = (bit(o.res, w - 1) ^ bit(o.res, w - 2) ? FL_OF : 0) | (cf ? FL_CF : 0);
    return o;
}

/* The result of SHL/SHR/SAR by `count` (1..31); the flags are the lazy record's
 * (cpu/flags.c derives them from the operand and the count). */
static uint32_t shift(ShiftKind k, uint32_t x, unsigned count, unsigned size)
{
    unsigned w = 8 * size;
    uint32_t m = size_mask(size);
    if (k == SH_SHL || k == SH_SAL)
        return (uint32_t)((uint64_t)x << count) & m;
    if (k == SH_SHR)
        return (uint32_t)((uint64_t)x >> count);
    int64_t s = (int64_t)(int32_t)sign_extend_sz(x, size);
    return (uint32_t)(s >> (count < w ? count : w)) & m;
}

static unsigned shift_count(CpuState *cpu, const DecodedInsn *insn, int i)
{
    return opnd_read(cpu, insn, i) & 0x1F;
}

static void shift_op(CpuState *cpu, const DecodedInsn *insn, ShiftKind k)
{
    unsigned count = shift_count(cpu, insn, 1);
    Rmw d;
    uint32_t x = rmw_read(cpu, insn, 0, &d);
    if (count == 0)
        return;
    bool is_shift = k >= SH_SHL;
    ShiftOut o = is_shift ? (ShiftOut){shift(k, x, count, d.size), 0, 0}
                          : rotate(k, x, count, d.size, cpu_get_cf(cpu));
    rmw_write(cpu, &d, o.res);
    if (is_shift) {
        unsigned base = k == SH_SHR ? CC_BASE_SHR : k == SH_SAR ? CC_BASE_SAR : CC_BASE_SHL;
        cc_record(cpu, CC_OP(base, d.size), o.res, x, count);
    } else {
        flags_update(cpu, o.mask, o.flags);
    }
}

#define SHIFT_HANDLER(name, kind)                                                         \
    static void op_##name(CpuState *cpu, const DecodedInsn *insn) { shift_op(cpu, insn, kind); }
SHIFT_HANDLER(rol, SH_ROL)
SHIFT_HANDLER(ror, SH_ROR)
SHIFT_HANDLER(rcl, SH_RCL)
SHIFT_HANDLER(rcr, SH_RCR)
SHIFT_HANDLER(shl, SH_SHL)
SHIFT_HANDLER(shr, SH_SHR)
SHIFT_HANDLER(sar, SH_SAR)

/* SHLD/SHRD. 32-bit: the 64-bit concatenation DEST:SRC (SHLD) or SRC:DEST (SHRD). 16-bit:
 * the 48-bit DEST:SRC:DEST, which gives the usual result for counts up to 16. */
static void double_shift(CpuState *cpu, const DecodedInsn *insn, bool left)
{
    unsigned count = shift_count(cpu, insn, 2);
    unsigned size = opnd_size(insn, 0), w = 8 * size;
    uint32_t src = gpr_read(cpu, insn->opnd[1].reg, size);
    Rmw d;
    uint32_t x = rmw_read(cpu, insn, 0, &d);
    if (count == 0)
        return;
    uint64_t res, cf;
    if (size == 4) {
        if (left) {
            uint64_t v = (uint64_t)x << 32 | src;
            res = (v << count) >> 32;
            cf = (v >> (64 - count)) & 1;
        } else {
            uint64_t v = (uint64_t)src << 32 | x;
            res = v >> count;
            cf = (v >> (count - 1)) & 1;
        }
    } else {
        uint64_t v = (uint64_t)x << 32 | (uint64_t)src << 16 | x;
        if (left) {
            res = (v << count) >> 32;
            cf = (v >> (48 - count)) & 1;
        } else {
            res = v >> count;
            cf = (v >> (count - 1)) & 1;
        }
    }
    uint32_t r = (uint32_t)res & size_mask(size);
    uint32_t flags = flags_szp(r, size) | (cf ? FL_CF : 0);
    if (bit(r, w - 1) != bit(x, w - 1))
        flags |= FL_OF;
    rmw_write(cpu, &d, r);
    flags_update(cpu, FL_ARITH, flags);
}

static void op_shld(CpuState *cpu, const DecodedInsn *insn) { double_shift(cpu, insn, true); }
static void op_shrd(CpuState *cpu, const DecodedInsn *insn) { double_shift(cpu, insn, false); }

void ops_shift_register(InsnHandler *t)
{
    t[OP_ROL] = op_rol;
    t[OP_ROR] = op_ror;
    t[OP_RCL] = op_rcl;
    t[OP_RCR] = op_rcr;
    t[OP_SHL] = op_shl;
    t[OP_SHR] = op_shr;
    t[OP_SAR] = op_sar;
    t[OP_SHLD] = op_shld;
    t[OP_SHRD] = op_shrd;
}
