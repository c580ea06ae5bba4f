/* debug_regs.h — DR0-DR7: instruction, data and I/O breakpoints, and the DR6 status bits.
 *
 * Contract: dbg_check_insn() is called before an instruction is fetched (when EFLAGS.RF is
 * clear) and raises the #DB fault of an enabled execution breakpoint at CS.base + EIP.
 * dbg_check_data() and dbg_check_io() are called after a data access or a port access
 * succeeded; a match with an enabled breakpoint records its Bn bit in cpu->dr6_pending and
 * sets cpu->trap_pending, and the #DB trap is delivered after the instruction (cpu_exec).
 * Data accesses reach the check because the soft MMU sends every page that holds an armed
 * data breakpoint to its slow path (dbg_page_watched); a change of DR0-DR3 or DR7 flushes
 * the TLB. dbg_read/dbg_write give the architectural register values (reserved bits fixed).
 */
#ifndef VMM86_CPU_DEBUG_REGS_H
#define VMM86_CPU_DEBUG_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

#define DR6_BD 0x2000u /* general detect: MOV DR while DR7.GD was set */
#define DR6_BS 0x4000u /* single step */
#define DR6_BT 0x8000u /* task switch with the T bit */
#define DR7_GD 0x2000u

/* Is any execution breakpoint enabled? (cheap test for the fetch loop) */
static inline bool dbg_exec_armed(const CpuState *cpu)
{
    uint32_t d7 = cpu->dr[7];
    for (int n = 0; n < 4; n++)
        if ((d7 >> (2 * n) & 3) && !(d7 >> (16 + 4 * n) & 3))
            return true;
    return false;
}

void dbg_check_insn(CpuState *cpu);
void dbg_check_data(CpuState *cpu, uint32_t lin, unsigned size, bool write);
void dbg_check_io(CpuState *cpu, uint16_t port, unsigned size);
/* Does the 4 KiB linear page hold an armed data breakpoint? */
bool dbg_page_watched(const CpuState *cpu, uint32_t page);
uint32_t dbg_read(const CpuState *cpu, unsigned n);
void dbg_write(CpuState *cpu, unsigned n, uint32_t v);

#endif
