/* task.h — hardware task switching (JMP/CALL/INT/IRET through a TSS or task gate).
 *
 * Contract: task_switch() performs the whole switch the SDM describes for a TSS descriptor
 * already read and privilege-checked by the caller (type available, or busy for IRET, and
 * present): the new TSS's limit check (#TS), saving the outgoing state into the current
 * TSS, busy bits, NT and the back link (CALL/INT), CR3 and LDT loads, segment loads with
 * their checks (faults after the switch are delivered in the new task, with cpu->eip the
 * new task's EIP), TS in CR0, the local breakpoint enables cleared, the T-bit debug trap,
 * and for INT with an error code the push of that code on the new stack. 16-bit (type
 * 1/3) and 32-bit (type 9/11) TSS formats are both supported. `return_eip` and
 * `old_eflags` are the EIP and EFLAGS saved in the outgoing TSS (for an event, the image
 * it would have pushed: RF set for a fault, SDM vol. 3 17.3.1.1; NT is cleared for IRET);
 * `ext` is the EXT bit of error codes raised on the way.
 */
#ifndef VMM86_CPU_TASK_H
#define VMM86_CPU_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/segment.h"

typedef enum TaskSwitchReason { TS_JMP, TS_CALL, TS_IRET, TS_INT } TaskSwitchReason;

void task_switch(CpuState *cpu, uint16_t sel, Descriptor tss, TaskSwitchReason why,
                 bool has_error, uint32_t error, uint32_t return_eip, uint32_t old_eflags,
                 uint32_t ext);

/* The ring-`dpl` stack pointer from the current TSS (for inner-privilege transfers).
 * Raises #TS(TR selector) when the TSS is too short for it. */
void task_inner_stack(CpuState *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp, uint32_t ext);

#endif
