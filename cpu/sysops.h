/* sysops.h — registration and shared checks of the system-instruction handlers
 * (ops_system.c, ops_int.c, ops_desc.c, ops_model.c).
 *
 * Contract: sys_require_cpl0() raises #GP(0) for protected-mode code at CPL > 0 and for
 * virtual-8086 code; real mode passes. sys_require_pm() raises #UD outside protected mode
 * (real and virtual-8086 mode), as the SDM lists for LLDT, LTR, SLDT, STR, LAR, LSL, VERR,
 * VERW and ARPL.
 */
#ifndef VMM86_CPU_SYSOPS_H
#define VMM86_CPU_SYSOPS_H

#include "cpu/interp.h"

void sys_require_cpl0(CpuState *cpu);
static inline void sys_require_pm(CpuState *cpu)
{
    if (!cpu_pe(cpu) || cpu_vm86(cpu))
        cpu_raise_ud(cpu);
}

void ops_int_register(InsnHandler *t);
void ops_desc_register(InsnHandler *t);
void ops_model_register(InsnHandler *t);

#endif
