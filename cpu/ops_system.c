/* ops_system.c — system instructions: HLT, CLI/STI, LGDT/LIDT/SGDT/SIDT, MOV to and from
 * control registers. Privilege checks follow the SDM: CPL 0 for the privileged ones
 * (#GP(0) otherwise, and in virtual-8086 mode). */
#include "cpu/interp.h"
#include "softmmu/mmu.h"

static void require_cpl0(CpuState *cpu)
{
    if (cpu_pe(cpu) && (cpu->cpl != 0 || cpu_vm86(cpu)))
        cpu_raise(cpu, EXC_GP, 0);
}

static void op_hlt(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    require_cpl0(cpu);
    cpu->halted = true;
}

/* CLI/STI: allowed when CPL <= IOPL (or in real mode); VME/PVI virtual flags are not
 * advertised, so the other cases are #GP(0). */
static void op_cli(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    if (cpu_pe(cpu) && (cpu_vm86(cpu) ? cpu_iopl(cpu) < 3 : cpu->cpl > cpu_iopl(cpu)))
        cpu_raise(cpu, EXC_GP, 0);
    cpu->eflags &= ~FL_IF;
}

static void op_sti(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    if (cpu_pe(cpu) && (cpu_vm86(cpu) ? cpu_iopl(cpu) < 3 : cpu->cpl > cpu_iopl(cpu)))
        cpu_raise(cpu, EXC_GP, 0);
    if (!(cpu->eflags & FL_IF))
        cpu->inhibit_irq = 2; /* interrupts wait until after the next instruction */
    cpu->eflags |= FL_IF;
}

static void load_table_register(CpuState *cpu, const DecodedInsn *insn, DescTable *t)
{
    require_cpl0(cpu);
    uint32_t off = insn_ea(cpu, insn);
    uint16_t limit = cpu_read16(cpu, insn->seg, off);
    uint32_t base = cpu_read32(cpu, insn->seg, off + 2);
    if (insn->opsize == 2)
        base &= 0x00FFFFFF; /* a 16-bit LGDT/LIDT loads 24 bits of base */
    t->limit = limit;
    t->base = base;
}

static void store_table_register(CpuState *cpu, const DecodedInsn *insn, const DescTable *t)
{
    uint32_t off = insn_ea(cpu, insn);
    /* The P6 family stores all 32 bits of the base even with a 16-bit operand size. */
    cpu_write16(cpu, insn->seg, off, (uint16_t)t->limit);
    cpu_write32(cpu, insn->seg, off + 2, t->base);
}

static void op_lgdt(CpuState *cpu, const DecodedInsn *insn) { load_table_register(cpu, insn, &cpu->gdtr); }
static void op_lidt(CpuState *cpu, const DecodedInsn *insn) { load_table_register(cpu, insn, &cpu->idtr); }
static void op_sgdt(CpuState *cpu, const DecodedInsn *insn) { store_table_register(cpu, insn, &cpu->gdtr); }
static void op_sidt(CpuState *cpu, const DecodedInsn *insn) { store_table_register(cpu, insn, &cpu->idtr); }

void cpu_write_cr0(CpuState *cpu, uint32_t v)
{
    v |= CR0_ET; /* hard-wired on the i686 */
    if ((v & CR0_PG) && !(v & CR0_PE))
        cpu_raise(cpu, EXC_GP, 0);
    if ((v & CR0_NW) && !(v & CR0_CD))
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t changed = cpu->cr0 ^ v;
    cpu->cr0 = v & 0xE005003Fu;
    if (changed & (CR0_PG | CR0_WP | CR0_PE))
        mmu_flush_all(cpu);
}

static void op_mov_to_cr(CpuState *cpu, const DecodedInsn *insn)
{
    require_cpl0(cpu);
    uint32_t v = cpu->gpr[insn->opnd[1].reg].d;
    switch (insn->opnd[0].reg) {
    case 0:
        cpu_write_cr0(cpu, v);
        break;
    case 2:
        cpu->cr2 = v;
        break;
    case 3:
        cpu->cr3 = v & 0xFFFFF018u;
        mmu_flush_nonglobal(cpu);
        break;
    default: { /* CR4 */
        const uint32_t supported = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE |
                                   CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_MCE;
        if (v & ~supported)
            cpu_raise(cpu, EXC_GP, 0);
        if ((cpu->cr4 ^ v) & (CR4_PSE | CR4_PGE))
            mmu_flush_all(cpu);
        cpu->cr4 = v;
        break;
    }
    }
}

static void op_mov_from_cr(CpuState *cpu, const DecodedInsn *insn)
{
    require_cpl0(cpu);
    uint32_t v;
    switch (insn->opnd[1].reg) {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    default: v = cpu->cr4; break;
    }
    cpu->gpr[insn->opnd[0].reg].d = v;
}

void ops_system_register(InsnHandler *t)
{
    t[OP_HLT] = op_hlt;
    t[OP_CLI] = op_cli;
    t[OP_STI] = op_sti;
    t[OP_LGDT] = op_lgdt;
    t[OP_LIDT] = op_lidt;
    t[OP_SGDT] = op_sgdt;
    t[OP_SIDT] = op_sidt;
    t[OP_MOV_TO_CR] = op_mov_to_cr;
    t[OP_MOV_FROM_CR] = op_mov_from_cr;
}
