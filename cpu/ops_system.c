/* ops_system.c — system instructions: HLT, CLI/STI, LGDT/LIDT/SGDT/SIDT,
 * SMSW/LMSW/CLTS, INVD/WBINVD/INVLPG, MOV to and from control and debug registers, CPUID,
 * RDTSC, RDMSR/WRMSR, RDPMC, SYSENTER/SYSEXIT, UD2 and RSM. Privilege checks follow the SDM:
 * CPL 0 for the privileged ones (#GP(0) otherwise, and in virtual-8086 mode). Interrupt
 * instructions are in ops_int.c, descriptor instructions in ops_desc.c. */
#include "cpu/cpu.h"
#include "cpu/debug_regs.h"
#include "cpu/interp.h"
#include "cpu/sysops.h"
#include "softmmu/mmu.h"

void sys_require_cpl0(CpuState *cpu)
{
    if (cpu_pe(cpu) && (cpu->cpl != 0 || cpu_vm86(cpu)))
        cpu_raise(cpu, EXC_GP, 0);
}

static void op_hlt(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    sys_require_cpl0(cpu);
    cpu->halted = true;
}

/* CLI/STI: allowed when CPL <= IOPL (or in real mode); VME/PVI virtual flags are not
 * implemented (CR4.VME/PVI cannot be set), so the other cases are #GP(0). */
static void check_if_change(CpuState *cpu)
{
    if (cpu_pe(cpu) && (cpu_vm86(cpu) ? cpu_iopl(cpu) < 3 : cpu->cpl > cpu_iopl(cpu)))
        cpu_raise(cpu, EXC_GP, 0);
}

static void op_cli(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    check_if_change(cpu);
    cpu->eflags &= ~FL_IF;
}

static void op_sti(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    check_if_change(cpu);
    if (!(cpu->eflags & FL_IF))
        cpu->inhibit_irq = 2; /* interrupts wait until after the next instruction */
    cpu->eflags |= FL_IF;
}

/* ---- descriptor-table registers ------------------------------------------------------- */

static void load_table_register(CpuState *cpu, const DecodedInsn *insn, DescTable *t)
{
    sys_require_cpl0(cpu);
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
    /* With a 16-bit operand size the P6 family stores 24 bits of base and a zero byte. */
    uint32_t base = insn->opsize == 2 ? (t->base & 0x00FFFFFF) : t->base;
    uint32_t lin = seg_check(cpu, insn->seg, off, 6, true); /* all six bytes, or nothing */
    (void)lin;
    cpu_write16(cpu, insn->seg, off, (uint16_t)t->limit);
    cpu_write32(cpu, insn->seg, off + 2, base);
}

static void op_lgdt(CpuState *cpu, const DecodedInsn *insn) { load_table_register(cpu, insn, &cpu->gdtr); }
static void op_lidt(CpuState *cpu, const DecodedInsn *insn) { load_table_register(cpu, insn, &cpu->idtr); }
static void op_sgdt(CpuState *cpu, const DecodedInsn *insn) { store_table_register(cpu, insn, &cpu->gdtr); }
static void op_sidt(CpuState *cpu, const DecodedInsn *insn) { store_table_register(cpu, insn, &cpu->idtr); }

/* ---- control registers -------------------------------------------------------------------- */

void cpu_write_cr0(CpuState *cpu, uint32_t v)
{
    v |= CR0_ET; /* hard-wired on the i686 */
    if ((v & CR0_PG) && !(v & CR0_PE))
        cpu_raise(cpu, EXC_GP, 0);
    if ((v & CR0_NW) && !(v & CR0_CD))
        cpu_raise(cpu, EXC_GP, 0);
    v &= 0xE005003Fu; /* writes to reserved bits are ignored */
    uint32_t changed = cpu->cr0 ^ v;
    cpu->cr0 = v;
    if (changed & (CR0_PG | CR0_WP | CR0_PE))
        mmu_flush_all(cpu);
}

#define CR4_SUPPORTED (CR4_TSD | CR4_DE | CR4_PSE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | \
                       CR4_OSXMMEXCPT)

static void op_mov_to_cr(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_cpl0(cpu);
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
    case 4:
        /* VME, PVI and PAE are not implemented, so they are reserved here (#GP(0)). */
        if (v & ~CR4_SUPPORTED)
            cpu_raise(cpu, EXC_GP, 0);
        if ((cpu->cr4 ^ v) & (CR4_PSE | CR4_PGE))
            mmu_flush_all(cpu);
        cpu->cr4 = v;
        break;
    default:
        cpu_raise_ud(cpu);
    }
}

static void op_mov_from_cr(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_cpl0(cpu);
    uint32_t v;
    switch (insn->opnd[1].reg) {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    case 4: v = cpu->cr4; break;
    default: cpu_raise_ud(cpu);
    }
    cpu->gpr[insn->opnd[0].reg].d = v;
}

static void op_smsw(CpuState *cpu, const DecodedInsn *insn)
{
    if (insn->opnd[0].type == OPT_MEM)
        cpu_write16(cpu, insn->seg, insn_ea(cpu, insn), (uint16_t)cpu->cr0);
    else
        gpr_write(cpu, insn->opnd[0].reg, insn->opsize, cpu->cr0);
}

/* LMSW loads PE, MP, EM and TS; it can set PE but never clear it. */
static void op_lmsw(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_cpl0(cpu);
    uint32_t v = opnd_read(cpu, insn, 0) & 0xF;
    cpu_write_cr0(cpu, (cpu->cr0 & ~0xEu) | v | (cpu->cr0 & CR0_PE));
}

static void op_clts(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    sys_require_cpl0(cpu);
    cpu->cr0 &= ~CR0_TS;
}

static void op_cache(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    sys_require_cpl0(cpu); /* INVD, WBINVD: no caches to act on */
}

static void op_invlpg(CpuState *cpu, const DecodedInsn *insn)
{
    sys_require_cpl0(cpu);
    mmu_invlpg(cpu, cpu->seg[insn->seg].base + insn_ea(cpu, insn));
}

/* ---- debug registers ------------------------------------------------------------------------ */

static unsigned dr_access(CpuState *cpu, unsigned n)
{
    sys_require_cpl0(cpu);
    if (n == 4 || n == 5) {
        if (cpu->cr4 & CR4_DE)
            cpu_raise_ud(cpu);
        n += 2; /* DR4/DR5 alias DR6/DR7 */
    }
    if (cpu->dr[7] & DR7_GD) {
        cpu->dr[6] |= DR6_BD;
        cpu->dr[7] &= ~DR7_GD; /* so the handler may use the debug registers */
        cpu_raise(cpu, EXC_DB, 0);
    }
    return n;
}

static void op_mov_from_dr(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned n = dr_access(cpu, insn->opnd[1].reg);
    cpu->gpr[insn->opnd[0].reg].d = dbg_read(cpu, n);
}

static void op_mov_to_dr(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned n = dr_access(cpu, insn->opnd[0].reg);
    dbg_write(cpu, n, cpu->gpr[insn->opnd[1].reg].d);
}

static void op_ud(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    cpu_raise_ud(cpu); /* UD2, and RSM outside system-management mode */
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
    t[OP_SMSW] = op_smsw;
    t[OP_LMSW] = op_lmsw;
    t[OP_CLTS] = op_clts;
    t[OP_INVD] = op_cache;
    t[OP_WBINVD] = op_cache;
    t[OP_INVLPG] = op_invlpg;
    t[OP_MOV_FROM_DR] = op_mov_from_dr;
    t[OP_MOV_TO_DR] = op_mov_to_dr;
    t[OP_UD2] = op_ud;
    t[OP_RSM] = op_ud;
    t[OP_UD1] = op_ud;
    ops_int_register(t);
    ops_desc_register(t);
    ops_model_register(t);
}
