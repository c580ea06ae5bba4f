/* ops_bit.c — bit tests and scans: BT BTS BTR BTC, BSF BSR, BSWAP.
 *
 * BT* with a register bit offset and a memory operand address memory beyond the operand:
 * the offset is signed, and the operand-size unit it falls in is at
 * EA + (offset >> 4) * 2 (16-bit) or EA + (offset >> 5) * 4 (32-bit), the sum wrapped to
 * the address size. The immediate form and the register-destination form take the offset
 * modulo the operand width. CF gets the selected bit; OF SF AF PF (undefined) and ZF are
 * left unchanged.
 * BSF/BSR with a zero source set ZF and leave the destination unchanged, as the P6 does;
 * the undefined CF OF SF AF PF are left unchanged.
 * BSWAP with a 16-bit operand size is undefined in the SDM; the P6 clears the low word of
 * the register (the high word is unchanged), and so do we.
 */
#include "cpu/ops_util.h"

typedef enum BitKind { BIT_TEST, BIT_SET, BIT_RESET, BIT_COMPLEMENT } BitKind;

static void bit_op(CpuState *cpu, const DecodedInsn *insn, BitKind k)
{
    unsigned size = opnd_size(insn, 0), w = 8 * size;
    uint32_t off = opnd_read(cpu, insn, 1);
    uint32_t mask = 1u << (off & (w - 1));
    Rmw d;
    uint32_t v;
    if (insn->opnd[0].type == OPT_MEM && insn->opnd[1].type == OPT_GPR) {
        int32_t soff = (int32_t)sign_extend_sz(off, size);
        int32_t units = size == 2 ? soff >> 4 : soff >> 5; /* arithmetic: floor division */
        uint32_t ea = insn_ea(cpu, insn) + (uint32_t)units * size;
        if (insn->adsize == 2)
            ea &= 0xFFFF;
        d.mem = true;
        d.size = (uint8_t)size;
        if (k == BIT_TEST) {
            v = cpu_read_sz(cpu, insn->seg, ea, size);
        } else {
            d.lin = seg_check(cpu, insn->seg, ea, size, true);
            v = lin_read_sz(cpu, d.lin, size);
        }
    } else if (k == BIT_TEST) {
        v = opnd_read(cpu, insn, 0);
    } else {
        v = rmw_read(cpu, insn, 0, &d);
    }
    bool cf = v & mask;
    if (k != BIT_TEST) {
        uint32_t nv = k == BIT_SET ? v | mask : k == BIT_RESET ? v & ~mask : v ^ mask;
        rmw_write(cpu, &d, nv);
    }
    flags_update(cpu, FL_CF, cf ? FL_CF : 0);
}

static void op_bt(CpuState *cpu, const DecodedInsn *insn) { bit_op(cpu, insn, BIT_TEST); }
static void op_bts(CpuState *cpu, const DecodedInsn *insn) { bit_op(cpu, insn, BIT_SET); }
static void op_btr(CpuState *cpu, const DecodedInsn *insn) { bit_op(cpu, insn, BIT_RESET); }
static void op_btc(CpuState *cpu, const DecodedInsn *insn) { bit_op(cpu, insn, BIT_COMPLEMENT); }

static void bit_scan(CpuState *cpu, const DecodedInsn *insn, bool reverse)
{
    uint32_t src = opnd_read(cpu, insn, 1);
    if (src == 0) {
        flags_update(cpu, FL_ZF, FL_ZF);
        return;
    }
    uint32_t index = reverse ? 31u - (uint32_t)__builtin_clz(src) : (uint32_t)__builtin_ctz(src);
    gpr_write(cpu, insn->opnd[0].reg, opnd_size(insn, 0), index);
    flags_update(cpu, FL_ZF, 0);
}

static void op_bsf(CpuState *cpu, const DecodedInsn *insn) { bit_scan(cpu, insn, false); }
static void op_bsr(CpuState *cpu, const DecodedInsn *insn) { bit_scan(cpu, insn, true); }

static void op_bswap(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned r = insn->opnd[0].reg;
    if (insn->opsize == 2)
        cpu->gpr[r].w = 0;
    else
        cpu->gpr[r].d = __builtin_bswap32(cpu->gpr[r].d);
}

void ops_bit_register(InsnHandler *t)
{
    t[OP_BT] = op_bt;
    t[OP_BTS] = op_bts;
    t[OP_BTR] = op_btr;
    t[OP_BTC] = op_btc;
    t[OP_BSF] = op_bsf;
    t[OP_BSR] = op_bsr;
    t[OP_BSWAP] = op_bswap;
}
