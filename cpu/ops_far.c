/* ops_far.c — segment-register loads (MOV, LDS/LES/LFS/LGS/LSS) and far transfers: JMP and
 * CALL far (code segments, call gates, task gates, TSS descriptors) and RET far. IRET lives
 * in ops_iret.c. Checks and error codes follow the pseudo-code of the Intel SDM, vol. 2. */
#include "cpu/cpu.h"
#include "cpu/far.h"
#include "cpu/task.h"

static void op_mov_to_seg(CpuState *cpu, const DecodedInsn *insn)
{
    int seg = insn->opnd[0].reg;
    if (seg == SEG_CS)
        cpu_raise_ud(cpu);
    uint16_t sel = (uint16_t)opnd_read(cpu, insn, 1);
    seg_load(cpu, seg, sel);
    if (seg == SEG_SS)
        cpu->inhibit_irq = 2;
}

static void op_mov_from_seg(CpuState *cpu, const DecodedInsn *insn)
{
    uint16_t sel = cpu->seg[insn->opnd[1].reg].sel;
    /* To a 32-bit register the P6 family zero-extends; to memory it stores a word. */
    if (insn->opnd[0].type == OPT_MEM)
        cpu_write16(cpu, insn->seg, insn_ea(cpu, insn), sel);
    else
        gpr_write(cpu, insn->opnd[0].reg, insn->opsize, sel);
}

/* LDS/LES/LFS/LGS/LSS: the segment load is the last thing that can fault. */
static void load_far_pointer(CpuState *cpu, const DecodedInsn *insn, int seg)
{
    uint32_t off = insn_ea(cpu, insn);
    uint32_t v = cpu_read_sz(cpu, insn->seg, off, insn->opsize);
    uint16_t sel = cpu_read16(cpu, insn->seg, off + insn->opsize);
    seg_load(cpu, seg, sel);
    gpr_write(cpu, insn->opnd[0].reg, insn->opsize, v);
}

static void op_les(CpuState *cpu, const DecodedInsn *insn) { load_far_pointer(cpu, insn, SEG_ES); }
static void op_lds(CpuState *cpu, const DecodedInsn *insn) { load_far_pointer(cpu, insn, SEG_DS); }
static void op_lfs(CpuState *cpu, const DecodedInsn *insn) { load_far_pointer(cpu, insn, SEG_FS); }
static void op_lgs(CpuState *cpu, const DecodedInsn *insn) { load_far_pointer(cpu, insn, SEG_GS); }
static void op_lss(CpuState *cpu, const DecodedInsn *insn) { load_far_pointer(cpu, insn, SEG_SS); }

/* ---- helpers -------------------------------------------------------------------------- */

void far_load_cs(CpuState *cpu, uint16_t sel, Descriptor d, unsigned cpl)
{
    desc_set_accessed(cpu, sel, &d);
    cpu->seg[SEG_CS] = desc_to_cache((uint16_t)((sel & 0xFFFC) | cpl), d);
    cpu->cpl = (uint8_t)cpl;
}

/* A code segment named directly by JMP/CALL far (no privilege change). */
static void check_direct_code(CpuState *cpu, uint16_t sel, Descriptor d)
{
    uint32_t err = sel & 0xFFFC;
    unsigned dpl = desc_dpl(d), rpl = sel & 3;
    if (d.hi & 0x400) {
        if (dpl > cpu->cpl)
            cpu_raise(cpu, EXC_GP, err);
    } else if (rpl > cpu->cpl || dpl != cpu->cpl) {
        cpu_raise(cpu, EXC_GP, err);
    }
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
}

/* Task gate or TSS descriptor named by JMP/CALL far. */
static void far_to_task(CpuState *cpu, uint16_t sel, Descriptor d, bool call)
{
    uint32_t err = sel & 0xFFFC;
    unsigned dpl = desc_dpl(d);
    if (dpl < cpu->cpl || dpl < (sel & 3u))
        cpu_raise(cpu, EXC_GP, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    uint16_t tss_sel = sel;
    Descriptor tss = d;
    if (desc_type(d) == 5) { /* task gate: the TSS it names must be in the GDT */
        tss_sel = (uint16_t)(d.lo >> 16);
        uint32_t terr = tss_sel & 0xFFFC;
        if (tss_sel & 4)
            cpu_raise(cpu, EXC_GP, terr);
        tss = desc_read(cpu, tss_sel, false);
        unsigned t = desc_type(tss);
        if (!desc_is_system(tss) || (t != 1 && t != 9))
            cpu_raise(cpu, EXC_GP, terr);
        if (!desc_present(tss))
            cpu_raise(cpu, EXC_NP, terr);
    }
    task_switch(cpu, tss_sel, tss, call ? TS_CALL : TS_JMP, false, 0, cpu->next_eip,
                cpu_get_eflags(cpu), 0);
}

/* CALL through a gate to a more privileged non-conforming segment: the stack switch with
 * parameter copying. Everything is checked and pushed before anything is committed. */
static void call_gate_inner(CpuState *cpu, Descriptor gate, uint16_t cs_sel, Descriptor cs,
                            uint32_t target)
{
    unsigned dpl = desc_dpl(cs);
    bool gate32 = desc_type(gate) == 12;
    unsigned size = gate32 ? 4 : 2, nparams = gate.hi & 0x1F;
    uint16_t ss_sel;
    uint32_t esp;
    task_inner_stack(cpu, dpl, &ss_sel, &esp, 0);
    uint32_t ss_err = ss_sel & 0xFFFC;
    if (ss_err == 0)
        cpu_raise(cpu, EXC_TS, 0);
    Descriptor ssd = desc_read_ts(cpu, ss_sel, false);
    bool writable_data = !desc_is_system(ssd) && !desc_is_code(ssd) && (ssd.hi & 0x200);
    if ((ss_sel & 3) != dpl || desc_dpl(ssd) != dpl || !writable_data)
        cpu_raise(cpu, EXC_TS, ss_err);
    if (!desc_present(ssd))
        cpu_raise(cpu, EXC_SS, ss_err);
    SegCache nss = desc_to_cache(ss_sel, ssd);
    if (target > desc_limit(cs))
        cpu_raise(cpu, EXC_GP, 0);
    push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_SS].sel, ss_err, false);
    push_on_stack(cpu, &nss, &esp, size, cpu->ESP, ss_err, false);
    for (unsigned i = nparams; i-- > 0;) {
        uint32_t v = stack_peek(cpu, cpu->ESP, (int32_t)(i * size), size);
        push_on_stack(cpu, &nss, &esp, size, v, ss_err, false);
    }
    push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_CS].sel, ss_err, false);
    push_on_stack(cpu, &nss, &esp, size, cpu->next_eip, ss_err, false);
    desc_set_accessed(cpu, ss_sel, &ssd);
    cpu->seg[SEG_SS] = desc_to_cache(ss_sel, ssd);
    cpu->ESP = esp;
    far_load_cs(cpu, cs_sel, cs, dpl);
    cpu->next_eip = target;
}

static void push_return(CpuState *cpu, unsigned size, uint32_t *esp)
{
    stack_push(cpu, esp, size, cpu->seg[SEG_CS].sel);
    stack_push(cpu, esp, size, cpu->next_eip);
}

static void far_through_call_gate(CpuState *cpu, uint16_t sel, Descriptor gate, bool call)
{
    uint32_t err = sel & 0xFFFC;
    unsigned gdpl = desc_dpl(gate);
    if (gdpl < cpu->cpl || gdpl < (sel & 3u))
        cpu_raise(cpu, EXC_GP, err);
    if (!desc_present(gate))
        cpu_raise(cpu, EXC_NP, err);
    uint16_t cs_sel = (uint16_t)(gate.lo >> 16);
    bool gate32 = desc_type(gate) == 12;
    uint32_t target = (gate.lo & 0xFFFF) | (gate32 ? (gate.hi & 0xFFFF0000u) : 0);
    uint32_t cerr = cs_sel & 0xFFFC;
    if (cerr == 0)
        cpu_raise(cpu, EXC_GP, 0);
    Descriptor cs = desc_read(cpu, cs_sel, false);
    unsigned dpl = desc_dpl(cs);
    bool conforming = cs.hi & 0x400;
    if (!desc_is_code(cs) || dpl > cpu->cpl || (!call && !conforming && dpl != cpu->cpl))
        cpu_raise(cpu, EXC_GP, cerr);
    if (!desc_present(cs))
        cpu_raise(cpu, EXC_NP, cerr);
    if (call && !conforming && dpl < cpu->cpl) {
        call_gate_inner(cpu, gate, cs_sel, cs, target);
        return;
    }
    if (target > desc_limit(cs))
        cpu_raise(cpu, EXC_GP, 0);
    if (call) {
        uint32_t esp = cpu->ESP;
        push_return(cpu, gate32 ? 4 : 2, &esp);
        cpu->ESP = esp;
    }
    far_load_cs(cpu, cs_sel, cs, cpu->cpl);
    cpu->next_eip = target;
}

/* JMP/CALL far to sel:offset in any mode. */
static void far_transfer(CpuState *cpu, uint16_t sel, uint32_t offset, unsigned opsize, bool call)
{
    if (opsize == 2)
        offset &= 0xFFFF;
    if (!cpu_pe(cpu) || cpu_vm86(cpu)) {
        if (offset > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0);
        uint32_t esp = cpu->ESP;
        if (call)
            push_return(cpu, opsize, &esp);
        cpu->ESP = esp;
        seg_load_real(cpu, SEG_CS, sel);
        cpu->next_eip = offset;
        return;
    }
    uint32_t err = sel & 0xFFFC;
    if (!err)
        cpu_raise(cpu, EXC_GP, 0);
    Descriptor d = desc_read(cpu, sel, false);
    if (desc_is_code(d)) {
        check_direct_code(cpu, sel, d);
        if (offset > desc_limit(d))
            cpu_raise(cpu, EXC_GP, 0);
        if (call) {
            uint32_t esp = cpu->ESP;
            push_return(cpu, opsize, &esp);
            cpu->ESP = esp;
        }
        far_load_cs(cpu, sel, d, cpu->cpl);
        cpu->next_eip = offset;
        return;
    }
    if (!desc_is_system(d))
        cpu_raise(cpu, EXC_GP, err); /* a data segment */
    switch (desc_type(d)) {
    case 4:
    case 12:
        far_through_call_gate(cpu, sel, d, call);
        return;
    case 1:
    case 5:
    case 9:
        far_to_task(cpu, sel, d, call);
        return;
    default:
        cpu_raise(cpu, EXC_GP, err);
    }
}

/* The far pointer operand: an immediate (Ap) or memory (Mp). */
static void far_operand(CpuState *cpu, const DecodedInsn *insn, uint16_t *sel, uint32_t *off)
{
    if (insn->opnd[0].type == OPT_FAR) {
        *sel = (uint16_t)insn->imm2;
        *off = insn->imm;
        return;
    }
    uint32_t ea = insn_ea(cpu, insn);
    *off = cpu_read_sz(cpu, insn->seg, ea, insn->opsize);
    *sel = cpu_read16(cpu, insn->seg, ea + insn->opsize);
}

static void op_jmpf(CpuState *cpu, const DecodedInsn *insn)
{
    uint16_t sel;
    uint32_t off;
    far_operand(cpu, insn, &sel, &off);
    far_transfer(cpu, sel, off, insn->opsize, false);
}

static void op_callf(CpuState *cpu, const DecodedInsn *insn)
{
    uint16_t sel;
    uint32_t off;
    far_operand(cpu, insn, &sel, &off);
    far_transfer(cpu, sel, off, insn->opsize, true);
}

/* ---- RET far ---------------------------------------------------------------------------- */

/* Checks the code segment a RET far / IRET returns to; returns its descriptor. */
Descriptor far_check_return_cs(CpuState *cpu, uint16_t sel)
{
    uint32_t err = sel & 0xFFFC;
    if (!err)
        cpu_raise(cpu, EXC_GP, 0);
    Descriptor d = desc_read(cpu, sel, false);
    unsigned rpl = sel & 3, dpl = desc_dpl(d);
    if (rpl < cpu->cpl || !desc_is_code(d))
        cpu_raise(cpu, EXC_GP, err);
    if ((d.hi & 0x400) ? dpl > rpl : dpl != rpl)
        cpu_raise(cpu, EXC_GP, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    return d;
}

/* Checks the stack segment of a return to an outer level (RPL of the return CS = rpl). */
Descriptor far_check_return_ss(CpuState *cpu, uint16_t sel, unsigned rpl)
{
    uint32_t err = sel & 0xFFFC;
    if (!err)
        cpu_raise(cpu, EXC_GP, 0);
    Descriptor d = desc_read(cpu, sel, false);
    bool writable_data = !desc_is_system(d) && !desc_is_code(d) && (d.hi & 0x200);
    if ((sel & 3u) != rpl || !writable_data || desc_dpl(d) != rpl)
        cpu_raise(cpu, EXC_GP, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_SS, err);
    return d;
}

/* Commits a return to an outer privilege level. */
void far_return_outer(CpuState *cpu, uint16_t cs_sel, Descriptor cs, uint16_t ss_sel,
                      Descriptor ss, uint32_t new_esp)
{
    unsigned rpl = cs_sel & 3;
    far_load_cs(cpu, cs_sel, cs, rpl);
    desc_set_accessed(cpu, ss_sel, &ss);
    cpu->seg[SEG_SS] = desc_to_cache(ss_sel, ss);
    if (cpu->seg[SEG_SS].attr & SA_DB)
        cpu->ESP = new_esp;
    else
        cpu->ESP = (cpu->ESP & 0xFFFF0000u) | (new_esp & 0xFFFF);
    seg_invalidate_for_cpl(cpu);
}

static void op_retf(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned sz = insn->opsize;
    uint32_t imm = insn->nopnd ? (insn->imm & 0xFFFF) : 0;
    uint32_t esp = cpu->ESP;
    uint32_t off = stack_peek(cpu, esp, 0, sz);
    uint16_t sel = (uint16_t)stack_peek(cpu, esp, (int32_t)sz, 2);
    if (sz == 2)
        off &= 0xFFFF;
    if (!cpu_pe(cpu) || cpu_vm86(cpu)) {
        if (off > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0);
        seg_load_real(cpu, SEG_CS, sel);
        cpu->ESP = stack_add(cpu, esp, (int32_t)(2 * sz + imm));
        cpu->next_eip = off;
        return;
    }
    Descriptor cs = far_check_return_cs(cpu, sel);
    unsigned rpl = sel & 3;
    if (rpl == cpu->cpl) {
        if (off > desc_limit(cs))
            cpu_raise(cpu, EXC_GP, 0);
        far_load_cs(cpu, sel, cs, rpl);
        cpu->ESP = stack_add(cpu, esp, (int32_t)(2 * sz + imm));
        cpu->next_eip = off;
        return;
    }
    uint32_t new_esp = stack_peek(cpu, esp, (int32_t)(2 * sz + imm), sz);
    uint16_t ss_sel = (uint16_t)stack_peek(cpu, esp, (int32_t)(3 * sz + imm), 2);
    Descriptor ss = far_check_return_ss(cpu, ss_sel, rpl);
    if (off > desc_limit(cs))
        cpu_raise(cpu, EXC_GP, 0);
    far_return_outer(cpu, sel, cs, ss_sel, ss, new_esp + imm);
    cpu->next_eip = off;
}

void ops_far_register(InsnHandler *t)
{
    t[OP_MOV_TO_SEG] = op_mov_to_seg;
    t[OP_MOV_FROM_SEG] = op_mov_from_seg;
    t[OP_LES] = op_les;
    t[OP_LDS] = op_lds;
    t[OP_LFS] = op_lfs;
    t[OP_LGS] = op_lgs;
    t[OP_LSS] = op_lss;
    t[OP_JMPF] = op_jmpf;
    t[OP_CALLF] = op_callf;
    t[OP_RETF] = op_retf;
    ops_iret_register(t);
}
