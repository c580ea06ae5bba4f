/* ops_far.c — segment-register moves and far transfers (JMP far so far). */
#include "cpu/interp.h"
#include "cpu/segment.h"

static void op_mov_to_seg(CpuState *cpu, const DecodedInsn *insn)
{
    uint16_t sel = (uint16_t)opnd_read(cpu, insn, 1);
    int seg = insn->opnd[0].reg;
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

/* Far jump to a code segment (real, virtual-8086, or protected mode without gates). */
static void far_jump(CpuState *cpu, uint16_t sel, uint32_t offset, unsigned opsize)
{
    if (opsize == 2)
        offset &= 0xFFFF;
    if (!cpu_pe(cpu) || cpu_vm86(cpu)) {
        if (offset > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0);
        seg_load_real(cpu, SEG_CS, sel);
        cpu->next_eip = offset;
        return;
    }
    uint32_t err = sel & 0xFFFC;
    if (!err)
        cpu_raise(cpu, EXC_GP, 0);
    Descriptor d = desc_read(cpu, sel, false);
    if (!desc_is_code(d))
        cpu_raise(cpu, EXC_GP, err); /* gates and TSS descriptors: not yet */
    unsigned dpl = desc_dpl(d), rpl = sel & 3;
    if (d.hi & 0x400) {
        if (dpl > cpu->cpl)
            cpu_raise(cpu, EXC_GP, err);
    } else if (rpl > cpu->cpl || dpl != cpu->cpl) {
        cpu_raise(cpu, EXC_GP, err);
    }
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    if (offset > desc_limit(d))
        cpu_raise(cpu, EXC_GP, 0);
    desc_set_accessed(cpu, sel, &d);
    seg_load_cache(cpu, SEG_CS, (uint16_t)((sel & 0xFFFC) | cpu->cpl), d);
    cpu->next_eip = offset;
}

static void op_jmpf(CpuState *cpu, const DecodedInsn *insn)
{
    if (insn->opnd[0].type == OPT_FAR) {
        far_jump(cpu, (uint16_t)insn->imm2, insn->imm, insn->opsize);
        return;
    }
    uint32_t off = insn_ea(cpu, insn);
    uint32_t offset = cpu_read_sz(cpu, insn->seg, off, insn->opsize);
    uint16_t sel = cpu_read16(cpu, insn->seg, off + insn->opsize);
    far_jump(cpu, sel, offset, insn->opsize);
}

void ops_far_register(InsnHandler *t)
{
    t[OP_MOV_TO_SEG] = op_mov_to_seg;
    t[OP_MOV_FROM_SEG] = op_mov_from_seg;
    t[OP_JMPF] = op_jmpf;
}
