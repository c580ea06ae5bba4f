/* io_perm.h — may the current code touch these I/O ports? (IOPL and the TSS I/O bitmap)
 *
 * Contract: raises #GP(0) when protected-mode code with CPL > IOPL, or any virtual-8086
 * code, names a port whose bit in the 32-bit TSS's I/O permission bitmap is set or lies
 * beyond the TSS limit. Real mode always may. Used by IN, OUT, INS and OUTS.
 */
#ifndef VMM86_CPU_IO_PERM_H
#define VMM86_CPU_IO_PERM_H

#include <stdint.h>

#include "cpu/cpu_state.h"

void cpu_check_io(CpuState *cpu, uint16_t port, unsigned size);

#endif
