/* ops_stack.c — PUSH and POP of registers, memory, immediates and segment registers. */
#include "cpu/interp.h"
#include "cpu/segment.h"

static void op_push(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t v = opnd_read(cpu, insn, 0), esp = cpu->ESP;
    if (insn->opnd[0].type == OPT_SEG && insn->opsize == 4) {
        /* A 32-bit push of a segment register writes only the low word on the P6 family. */
        uint32_t nsp = stack_add(cpu, esp, -4);
        cpu_write16(cpu, SEG_SS, stack_offset(cpu, nsp), (uint16_t)v);
        esp = nsp;
    } else {
        stack_push(cpu, &esp, insn->opsize, v);
    }
    cpu->ESP = esp;
}

static void op_pop(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t esp = cpu->ESP;
    uint32_t v = stack_pop(cpu, &esp, insn->opsize);
    switch (insn->opnd[0].type) {
    case OPT_SEG:
        seg_load(cpu, insn->opnd[0].reg, (uint16_t)v);
        cpu->ESP = esp;
        if (insn->opnd[0].reg == SEG_SS)
            cpu->inhibit_irq = 2;
        break;
    case OPT_MEM: {
        /* POP to memory computes the address with ESP already incremented. */
        uint32_t old = cpu->ESP;
        cpu->ESP = esp;
        uint32_t off = insn_ea(cpu, insn);
        cpu->ESP = old;
        cpu_write_sz(cpu, insn->seg, off, insn->opsize, v);
        cpu->ESP = esp;
        break;
    }
    default:
        cpu->ESP = esp;
        gpr_write(cpu, insn->opnd[0].reg, insn->opsize, v);
        break;
    }
}

void ops_stack_register(InsnHandler *t)
{
    t[OP_PUSH] = op_push;
    t[OP_POP] = op_pop;
}
