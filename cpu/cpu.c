/* cpu.c — CPU initialisation and the power-on state. */
#include "cpu/cpu.h"

#include <string.h>

#include "cpu/interp.h"
#include "softmmu/mmu.h"

void cpu_init(CpuState *cpu, PhysMem *mem, IoPortSpace *io)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->mem = mem;
    cpu->io = io;
    interp_init();
    cpu_reset(cpu);
}

static void seg_reset(SegCache *s, uint16_t sel, uint32_t base, uint16_t attr)
{
    s->sel = sel;
    s->base = base;
    s->limit = 0xFFFF;
    s->attr = attr;
}

void cpu_reset(CpuState *cpu)
{
    for (int i = 0; i < 8; i++)
        cpu->gpr[i].q = 0;
    cpu->EDX = CPU_SIGNATURE;
    cpu->eip = cpu->next_eip = 0xFFF0;
    cpu->eflags = FL_RSVD1;
    cpu->cc_op = 0;
    const uint16_t data = SA_P | SA_S | SA_RW | SA_ACCESSED;
    for (int s = 0; s < SEG_COUNT; s++)
        seg_reset(&cpu->seg[s], 0, 0, data);
    seg_reset(&cpu->seg[SEG_CS], 0xF000, 0xFFFF0000u, data | SA_CODE);
    seg_reset(&cpu->ldtr, 0, 0, SA_P | 2);
    seg_reset(&cpu->tr, 0, 0, SA_P | 3);
    cpu->gdtr.base = cpu->idtr.base = 0;
    cpu->gdtr.limit = cpu->idtr.limit = 0xFFFF;
    cpu->cr0 = CR0_CD | CR0_NW | CR0_ET;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = 0;
    memset(cpu->dr, 0, sizeof cpu->dr);
    cpu->dr[6] = 0xFFFF0FF0u;
    cpu->dr[7] = 0x00000400u;
    cpu->cpl = 0;
    cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
    memset(cpu->perfevtsel, 0, sizeof cpu->perfevtsel); /* table 9-1: counters and */
    memset(cpu->perfctr, 0, sizeof cpu->perfctr);       /* event selects 0 at RESET */
    cpu->tsc_adjust = (uint64_t)0 - cpu_clock(cpu); /* the TSC restarts at 0 on reset */
    cpu_clock_sync(cpu);
    /* x87/SSE after power-up or RESET (SDM vol. 3, table 9-1): FCW 0040H, FSW 0, the eight
     * registers +0.0 and all in use (tag word 5555H: "zero"; FNINIT's FFFFH differs), the
     * pointers and FOP 0, XMM0-7 zero, MXCSR 1F80H. An INIT would leave all of it (and
     * the TSC, the MSRs, CR0.CD/NW) unchanged; no INIT is modelled: every machine reset
     * comes here. */
    memset(&cpu->fpu, 0, sizeof cpu->fpu);
    cpu->fpu.fcw = 0x0040;
    cpu->fpu.ftw = 0x0000;
    cpu->fpu.mxcsr = 0x1F80;
    cpu->intr = false;
    cpu->nmi_pending = cpu->nmi_blocked = false;
    cpu->halted = false;
    cpu->inhibit_irq = 0;
    cpu->shutdown = false;
    cpu->delivering = -1;
    cpu->trap_pending = false;
    cpu->dr6_pending = 0;
    cpu->db_trap_icount = UINT64_MAX; /* no #DB trap delivered yet */
    cpu->a20_enabled = true;
    cpu->a20_mask = 0xFFFFFFFFu;
    mmu_flush_all(cpu);
}

void cpu_load_eflags(CpuState *cpu, uint32_t v, uint32_t mask)
{
    cpu_flags_materialize(cpu);
    cpu->eflags = (((cpu->eflags & ~mask) | (v & mask)) & FL_LIVE_MASK) | FL_RSVD1;
}
