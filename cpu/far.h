/* far.h — helpers shared by the far-transfer handlers (ops_far.c, ops_iret.c, ops_system.c).
 *
 * Contract: far_check_return_cs/ss apply the SDM's checks for the code and stack segments
 * that RET far and IRET return to (#GP/#NP/#SS with selector error codes) and return the
 * descriptor; nothing is committed until far_load_cs / far_return_outer, which the caller
 * invokes after its last possible fault.
 */
#ifndef VMM86_CPU_FAR_H
#define VMM86_CPU_FAR_H

#include "cpu/interp.h"
#include "cpu/segment.h"

/* Loads CS from a validated descriptor with RPL = cpl and makes cpl the CPL. */
void far_load_cs(CpuState *cpu, uint16_t sel, Descriptor d, unsigned cpl);
Descriptor far_check_return_cs(CpuState *cpu, uint16_t sel);
Descriptor far_check_return_ss(CpuState *cpu, uint16_t sel, unsigned rpl);
/* Commits a return to the outer level RPL(cs_sel): CS, CPL, SS:ESP, data-segment nulling. */
void far_return_outer(CpuState *cpu, uint16_t cs_sel, Descriptor cs, uint16_t ss_sel,
                      Descriptor ss, uint32_t new_esp);
void ops_iret_register(InsnHandler *t);

#endif
