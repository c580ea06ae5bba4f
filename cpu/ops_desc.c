/* ops_desc.c — instructions on descriptors and selectors: SLDT, STR, LLDT, LTR, LAR, LSL,
 * VERR, VERW, ARPL. All are protected-mode only (#UD in real and virtual-8086 mode).
 * Type rules follow the SDM's LAR/LSL tables for 32-bit processors. */
#include "cpu/segment.h"
#include "cpu/sysops.h"

/* Stores a selector: a word to memory, zero-extended to a register of the operand size. */
static void store_selector(CpuState *cpu, const DecodedInsn *insn, uint16_t sel)
{
    if (insn->opnd[0].type == OPT_MEM)
        cpu_write16(cpu, insn->seg, insn_ea(cpu, insn), sel);
    else
        gpr_write(cpu, insn->opnd[0].reg, insn->opsize, sel);
}

static void op_sldt(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_pm(cpu);
    store_selector(cpu, insn, cpu->ldtr.sel);
}

static void op_str(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_pm(cpu);
    store_selector(cpu, insn, cpu->tr.sel);
}

static void op_lldt(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_pm(cpu);
    sys_require_cpl0(cpu);
    uint16_t sel = (uint16_t)opnd_read(cpu, insn, 0);
    uint32_t err = sel & 0xFFFC;
    if (!err) {
        seg_make_null(&cpu->ldtr, sel);
        return;
    }
    if (sel & 4)
        cpu_raise(cpu, EXC_GP, err);
    Descriptor d = desc_read(cpu, sel, false);
    if (!desc_is_system(d) || desc_type(d) != 2)
        cpu_raise(cpu, EXC_GP, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    cpu->ldtr = desc_to_cache(sel, d);
}

static void op_ltr(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_pm(cpu);
    sys_require_cpl0(cpu);
    uint16_t sel = (uint16_t)opnd_read(cpu, insn, 0);
    uint32_t err = sel & 0xFFFC;
    if (!err)
        cpu_raise(cpu, EXC_GP, 0);
    if (sel & 4)
        cpu_raise(cpu, EXC_GP, err);
    Descriptor d = desc_read(cpu, sel, false);
    unsigned t = desc_type(d);
    if (!desc_is_system(d) || (t != 1 && t != 9))
        cpu_raise(cpu, EXC_GP, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    d.hi |= 0x200; /* busy */
    desc_write_type_byte(cpu, sel, (uint8_t)(d.hi >> 8));
    cpu->tr = desc_to_cache(sel, d);
}

static void set_zf(CpuState *cpu, bool z)
{
    cpu_flags_materialize(cpu);
    if (z)
        cpu->eflags |= FL_ZF;
    else
        cpu->eflags &= ~FL_ZF;
}

/* The descriptor a LAR/LSL/VERR/VERW selector names, if it exists and the privilege rule
 * (DPL >= CPL and DPL >= RPL, except for conforming code) allows looking at it. */
static bool visible_desc(CpuState *cpu, uint16_t sel, Descriptor *d)
{
    if ((sel & 0xFFFC) == 0 || !desc_try_read(cpu, sel, d))
        return false;
    bool conforming_code = desc_is_code(*d) && (d->hi & 0x400);
    unsigned dpl = desc_dpl(*d);
    return conforming_code || (dpl >= cpu->cpl && dpl >= (sel & 3u));
}

static void op_lar(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_pm(cpu);
    uint16_t sel = (uint16_t)opnd_read(cpu, insn, 1);
    Descriptor d;
    bool ok = visible_desc(cpu, sel, &d);
    if (ok && desc_is_system(d)) {
        /* TSSs (16/32-bit, available/busy), LDT, call gates and task gates. */
        static const bool valid[16] = {[1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1,
                                       [9] = 1, [11] = 1, [12] = 1};
        ok = valid[desc_type(d)];
    }
    if (ok)
        gpr_write(cpu, insn->opnd[0].reg, insn->opsize, d.hi & 0x00FFFF00u);
    set_zf(cpu, ok);
}

static void op_lsl(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_pm(cpu);
    uint16_t sel = (uint16_t)opnd_read(cpu, insn, 1);
    Descriptor d;
    bool ok = visible_desc(cpu, sel, &d);
    if (ok && desc_is_system(d)) {
        static const bool valid[16] = {[1] = 1, [2] = 1, [3] = 1, [9] = 1, [11] = 1};
        ok = valid[desc_type(d)];
    }
    if (ok)
        gpr_write(cpu, insn->opnd[0].reg, insn->opsize, desc_limit(d));
    set_zf(cpu, ok);
}

static void verify(CpuState *cpu, const DecodedInsn *insn, bool write)
{
    sys_require_pm(cpu);
    uint16_t sel = (uint16_t)opnd_read(cpu, insn, 0);
    Descriptor d;
    bool ok = visible_desc(cpu, sel, &d) && !desc_is_system(d);
    if (ok) {
        bool code = desc_is_code(d), rw = d.hi & 0x200;
        ok = write ? (!code && rw) : (!code || rw);
        /* Conforming code passes the privilege rule, but VERW never accepts code. */
    }
    set_zf(cpu, ok);
}

static void op_verr(CpuState *cpu, const DecodedInsn *insn) { verify(cpu, insn, false); }
static void op_verw(CpuState *cpu, const DecodedInsn *insn) { verify(cpu, insn, true); }

static void op_arpl(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_pm(cpu);
    uint16_t dst = (uint16_t)opnd_read(cpu, insn, 0);
    uint16_t src = (uint16_t)opnd_read(cpu, insn, 1);
    if ((dst & 3) < (src & 3)) {
        opnd_write(cpu, insn, 0, (dst & 0xFFFC) | (src & 3));
        set_zf(cpu, true);
    } else {
        set_zf(cpu, false);
    }
}

void ops_desc_register(InsnHandler *t)
{
    t[OP_SLDT] = op_sldt;
    t[OP_STR] = op_str;
    t[OP_LLDT] = op_lldt;
    t[OP_LTR] = op_ltr;
    t[OP_LAR] = op_lar;
    t[OP_LSL] = op_lsl;
    t[OP_VERR] = op_verr;
    t[OP_VERW] = op_verw;
    t[OP_ARPL] = op_arpl;
}
