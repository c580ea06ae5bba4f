/* ops_model.c — model-specific instructions of the i686: CPUID, RDTSC, RDMSR/WRMSR, RDPMC,
 * SYSENTER/SYSEXIT. What CPUID advertises is exactly what is implemented: no APIC, no VME,
 * no PAE, no MTRR/MCA/PAT. Leaf 1 EDX is this file's bits (FPU DE PSE TSC MSR CX8 SEP PGE
 * CLFSH CMOV) ORed with what the x87/SSE unit reports (fpu_cpuid_edx_features: FPU, MMX,
 * FXSR, SSE, SSE2). CLFLUSH executes, so CLFSH is set and EBX[15:8] gives its line size in
 * 8-byte units (8: 64 bytes). Leaf 2 has only null descriptors: there are no caches or TLB
 * geometry to describe (Linux and others then report the sizes as unknown).
 *
 * MSRs modelled: TSC (0x10: the virtual clock plus an offset, cpu.h), the two a microcode
 * loader reads on every P6: PLATFORM_ID (0x17, read-only: platform 0, bits 52:50) and
 * BIOS_SIGN_ID (0x8B: no update is ever loaded, so it reads revision 0 in EDX and EAX 0;
 * writes, which software does before CPUID to have the revision latched, are accepted and
 * change nothing), SYSENTER_CS/ESP/EIP (0x174-0x176), and the P6 performance-monitoring
 * registers PerfCtr0/1 (0xC1, 0xC2) and PerfEvtSel0/1 (0x186, 0x187) (SDM vol. 3B, "P6
 * family processor performance monitoring"; vol. 4, the P6 MSR table). They are plain
 * registers that read back what was written: the counters do not count, since no event is
 * modelled (the EN and INT bits start nothing), but a guest's probe (Linux's PMU driver
 * writes a counter and reads it back) finds the hardware there instead of taking #GP.
 * PerfCtr is 40 bits wide and, as the SDM says of the P6, WRMSR writes only its low 32
 * bits and sign-extends bit 31 into bits 39:32 (EDX is ignored). PerfEvtSel holds 32 bits
 * as written (bit 22 EN, which on the P6 enables both counters, included); its bits 63:32
 * are reserved, so a WRMSR with EDX non-zero raises #GP(0).
 * Every other index, including APIC_BASE (0x1B, no APIC), raises #GP(0). RDPMC: the P6 has
 * two counters (ECX 0 or 1), read as the 40-bit PerfCtr0/1 in EDX[7:0]:EAX; #GP(0) at
 * CPL > 0 unless CR4.PCE. */
#include "cpu/cpu.h"
#include "cpu/sysops.h"
#include "machine/log.h"

#define MSR_TSC 0x10u
#define MSR_PLATFORM_ID 0x17u
#define MSR_APIC_BASE 0x1Bu
#define MSR_PERFCTR0 0xC1u
#define MSR_PERFCTR1 0xC2u
#define MSR_BIOS_SIGN_ID 0x8Bu
#define MSR_PERFEVTSEL0 0x186u
#define MSR_PERFEVTSEL1 0x187u
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u

/* CPUID.1:EDX bits of what is implemented. */
#define CPUID_FPU (1u << 0)
#define CPUID_DE (1u << 2)
#define CPUID_PSE (1u << 3)
#define CPUID_TSC (1u << 4)
#define CPUID_MSR (1u << 5)
#define CPUID_CX8 (1u << 8)
#define CPUID_SEP (1u << 11)
#define CPUID_PGE (1u << 13)
#define CPUID_CMOV (1u << 15)
#define CPUID_CLFSH (1u << 19)
#define CPUID_FEATURES (CPUID_FPU | CPUID_DE | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8 | \
                        CPUID_SEP | CPUID_PGE | CPUID_CMOV | CPUID_CLFSH)
#define CPUID_CLFLUSH_LINE 64u /* bytes a CLFLUSH covers; CPUID.1:EBX[15:8] = this / 8 */
#define CPUID_MAX_BASIC 2u

static void op_cpuid(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    uint32_t leaf = cpu->EAX;
    /* Leaves above the highest basic leaf (extended ones too: a P6 has none) return the
     * highest basic leaf's values, as Intel processors do. */
    if (leaf > CPUID_MAX_BASIC)
        leaf = CPUID_MAX_BASIC;
    switch (leaf) {
    case 0:
        cpu->EAX = CPUID_MAX_BASIC;
        cpu->EBX = 0x756E6547u; /* "Genu" */
        cpu->EDX = 0x49656E69u; /* "ineI" */
        cpu->ECX = 0x6C65746Eu; /* "ntel" */
        break;
    case 1:
        cpu->EAX = CPU_SIGNATURE;
        cpu->EBX = (CPUID_CLFLUSH_LINE / 8) << 8; /* brand index 0, APIC ID 0 */
        cpu->ECX = 0;
        cpu->EDX = CPUID_FEATURES | fpu_cpuid_edx_features();
        break;
    default:
        /* Leaf 2: AL = 1 (one call), every descriptor byte 0 ("null": no cache info). */
        cpu->EAX = 1;
        cpu->EBX = cpu->ECX = cpu->EDX = 0;
        break;
    }
}

static uint64_t tsc_now(CpuState *cpu) { return cpu_clock(cpu) + cpu->tsc_adjust; }

static void op_rdtsc(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    if ((cpu->cr4 & CR4_TSD) && cpu_pe(cpu) && (cpu->cpl != 0 || cpu_vm86(cpu)))
        cpu_raise(cpu, EXC_GP, 0);
    uint64_t t = tsc_now(cpu);
    cpu->EAX = (uint32_t)t;
    cpu->EDX = (uint32_t)(t >> 32);
}

/* An MSR index this model does not have: #GP(0), as the CPU would; logged under -d unimp,
 * since a guest that relies on it usually means a model gap (Linux reads many). */
static _Noreturn void unmodelled_msr(CpuState *cpu, const char *what)
{
    if (log_enabled(LOG_UNIMP))
        log_printf("cpu: %s of MSR 0x%x, not modelled, at %04x:%08x: #GP\n", what, cpu->ECX,
                   cpu->seg[SEG_CS].sel, cpu->eip);
    cpu_raise(cpu, EXC_GP, 0);
}

/* A P6 PerfCtr after WRMSR: EAX with bit 31 copied into bits 39:32. */
static uint64_t perfctr_from_eax(uint32_t eax)
{
    return (uint64_t)(int64_t)(int32_t)eax & 0xFFFFFFFFFFull;
}

static void op_rdmsr(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    sys_require_cpl0(cpu);
    uint64_t v;
    switch (cpu->ECX) {
    case MSR_TSC: v = tsc_now(cpu); break;
    case MSR_PLATFORM_ID: v = 0; break;  /* platform 0; WRMSR: #GP (read-only) */
    case MSR_BIOS_SIGN_ID: v = 0; break; /* microcode revision 0 (EDX): none loaded */
    case MSR_SYSENTER_CS: v = cpu->sysenter_cs; break;
    case MSR_SYSENTER_ESP: v = cpu->sysenter_esp; break;
    case MSR_SYSENTER_EIP: v = cpu->sysenter_eip; break;
    case MSR_PERFCTR0:
    case MSR_PERFCTR1: v = cpu->perfctr[cpu->ECX - MSR_PERFCTR0]; break;
    case MSR_PERFEVTSEL0:
    case MSR_PERFEVTSEL1: v = cpu->perfevtsel[cpu->ECX - MSR_PERFEVTSEL0]; break;
    default: unmodelled_msr(cpu, "rdmsr"); /* includes APIC_BASE: there is no APIC */
    }
    cpu->EAX = (uint32_t)v;
    cpu->EDX = (uint32_t)(v >> 32);
}

static void op_wrmsr(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    sys_require_cpl0(cpu);
    switch (cpu->ECX) {
    case MSR_TSC:
        /* P6 family: the low 32 bits are written and the high 32 bits cleared. */
        cpu->tsc_adjust = (uint64_t)cpu->EAX - cpu_clock(cpu);
        cpu_clock_sync(cpu);
        break;
    case MSR_BIOS_SIGN_ID: break; /* the revision is latched by CPUID: still 0 */
    case MSR_SYSENTER_CS: cpu->sysenter_cs = cpu->EAX; break;
    case MSR_SYSENTER_ESP: cpu->sysenter_esp = cpu->EAX; break;
    case MSR_SYSENTER_EIP: cpu->sysenter_eip = cpu->EAX; break;
    case MSR_PERFCTR0:
    case MSR_PERFCTR1:
        cpu->perfctr[cpu->ECX - MSR_PERFCTR0] = perfctr_from_eax(cpu->EAX);
        break;
    case MSR_PERFEVTSEL0:
    case MSR_PERFEVTSEL1:
        if (cpu->EDX != 0)
            cpu_raise(cpu, EXC_GP, 0); /* bits 63:32 are reserved */
        cpu->perfevtsel[cpu->ECX - MSR_PERFEVTSEL0] = cpu->EAX;
        break;
    default: unmodelled_msr(cpu, "wrmsr");
    }
}

static void op_rdpmc(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    bool privileged = !cpu_pe(cpu) || (cpu->cpl == 0 && !cpu_vm86(cpu));
    if ((!privileged && !(cpu->cr4 & CR4_PCE)) || cpu->ECX > 1)
        cpu_raise(cpu, EXC_GP, 0);
    uint64_t v = cpu->perfctr[cpu->ECX];
    cpu->EAX = (uint32_t)v;
    cpu->EDX = (uint32_t)(v >> 32);
}

/* The flat segments SYSENTER and SYSEXIT load, as the SDM defines them. */
static SegCache flat_seg(uint16_t sel, unsigned dpl, bool code)
{
    SegCache s = {0, 0xFFFFFFFFu, sel,
                  (uint16_t)(SA_P | SA_S | SA_RW | SA_ACCESSED | SA_DB | SA_G |
                             (dpl << SA_DPL_SHIFT) | (code ? SA_CODE : 0))};
    return s;
}

static void op_sysenter(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    uint16_t cs = (uint16_t)(cpu->sysenter_cs & 0xFFFC);
    if (!cpu_pe(cpu) || cs == 0)
        cpu_raise(cpu, EXC_GP, 0);
    cpu_flags_materialize(cpu);
    cpu->eflags &= ~(FL_VM | FL_IF | FL_RF);
    cpu->cpl = 0;
    cpu->seg[SEG_CS] = flat_seg(cs, 0, true);
    cpu->seg[SEG_SS] = flat_seg((uint16_t)(cs + 8), 0, false);
    cpu->ESP = cpu->sysenter_esp;
    cpu->next_eip = cpu->sysenter_eip;
}

static void op_sysexit(CpuState *cpu, const DecodedInsn *insn)
{
    (void)insn;
    uint16_t cs = (uint16_t)(cpu->sysenter_cs & 0xFFFC);
    if (!cpu_pe(cpu) || cpu_vm86(cpu) || cpu->cpl != 0 || cs == 0)
        cpu_raise(cpu, EXC_GP, 0);
    cpu->cpl = 3;
    cpu->seg[SEG_CS] = flat_seg((uint16_t)((cs + 16) | 3), 3, true);
    cpu->seg[SEG_SS] = flat_seg((uint16_t)((cs + 24) | 3), 3, false);
    cpu->ESP = cpu->ECX;
    cpu->next_eip = cpu->EDX;
}

void ops_model_register(InsnHandler *t)
{
    t[OP_CPUID] = op_cpuid;
    t[OP_RDTSC] = op_rdtsc;
    t[OP_RDMSR] = op_rdmsr;
    t[OP_WRMSR] = op_wrmsr;
    t[OP_RDPMC] = op_rdpmc;
    t[OP_SYSENTER] = op_sysenter;
    t[OP_SYSEXIT] = op_sysexit;
}
