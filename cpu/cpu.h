/* cpu.h — creating, resetting and running the guest CPU.
 *
 * Contract: cpu_init() prepares a CpuState bound to physical memory and the I/O space;
 * cpu_reset() puts it in the architectural power-on state of an i686 (real mode at
 * F000:FFF0 with CS base FFFF0000). cpu_exec() runs the reference interpreter until the
 * instruction budget is spent, the CPU halts with nothing to do, an exit is requested, or
 * the CPU shuts down (triple fault); it takes interrupts only between instructions and
 * honours the interrupt shadow. CPU_SIGNATURE is what EDX holds after reset and CPUID
 * leaf 1 reports in EAX. The TSC (RDTSC, MSR 0x10) is cpu_clock() + tsc_adjust: the CPU
 * asks the clock hook (CpuState.clock) for the virtual time when it reads the TSC, and a
 * reset or a WRMSR to 0x10 sets tsc_adjust relative to that clock; nothing outside the CPU
 * edits either. Translated code reads the TSC inline as icount + tsc_offset, which
 * cpu_clock_sync() derives from the hook at each engine entry (engine_run, cpu_exec): the
 * clock moves apart from icount only between runs, so both give the same value.
 */
#ifndef VMM86_CPU_CPU_H
#define VMM86_CPU_CPU_H

#include <stdint.h>

#include "cpu/cpu_state.h"

#define CPU_SIGNATURE 0x00000683u /* family 6, model 8, stepping 3 (P6 family) */

void cpu_init(CpuState *cpu, PhysMem *mem, IoPortSpace *io);
void cpu_reset(CpuState *cpu);
/* The virtual clock in TSC ticks: the hook's value, or icount when there is no hook. */
static inline uint64_t cpu_clock(CpuState *cpu)
{
    return cpu->clock ? cpu->clock(cpu->clock_opaque) : cpu->icount;
}
/* Brings tsc_offset (TSC - icount) up to date with the clock hook. */
static inline void cpu_clock_sync(CpuState *cpu)
{
    cpu->tsc_offset = cpu_clock(cpu) + cpu->tsc_adjust - cpu->icount;
}
CpuExit cpu_exec(CpuState *cpu, uint64_t max_insns);
/* Loads the EFLAGS bits in `mask` from `v` (materializing the lazy flags first); bit 1
 * stays set and bits that do not exist on an i686 stay clear. */
void cpu_load_eflags(CpuState *cpu, uint32_t v, uint32_t mask);
/* MOV to CR0 with its checks (#GP(0)) and TLB flushes; used by LMSW too. */
void cpu_write_cr0(CpuState *cpu, uint32_t v);
/* Fetches and decodes the instruction at CS:EIP (raises #PF/#GP/#UD like a fetch does). */
struct DecodedInsn;
void cpu_fetch_decode(CpuState *cpu, struct DecodedInsn *insn);
/* One instruction, with the single-step and shadow bookkeeping (used by cpu_exec). */
void cpu_step(CpuState *cpu);
/* The execute-and-retire half of cpu_step for an instruction already decoded (the JIT's
 * fallback for instructions it does not translate inline uses it, so both engines do the
 * same bookkeeping). `single_step`: TF was set when the instruction began. */
void cpu_step_decoded(CpuState *cpu, const struct DecodedInsn *insn, bool single_step);
/* Delivers the pending #DB trap (cpu->trap_pending) of the instruction just completed. */
void cpu_deliver_debug_trap(CpuState *cpu);
/* Takes a pending interrupt or NMI if it may be taken now. Returns true if one was. */
bool cpu_check_interrupts(CpuState *cpu);

#endif
