/* io_perm.h — may the current code touch these I/O ports? (IOPL and the TSS I/O bitmap)
 * And the CPU's port accesses themselves.
 *
 * Contract: cpu_check_io() raises #GP(0) when protected-mode code with CPL > IOPL, or any
 * virtual-8086 code, names a port whose bit in the 32-bit TSS's I/O permission bitmap is
 * set or lies beyond the TSS limit. Real mode always may. cpu_port_read/cpu_port_write do
 * one access of `size` bytes (1, 2, 4) in the machine's I/O space, count it for --stats and
 * log it under -d ioport (direction, port, size, value, CS:EIP). Used by IN, OUT, INS and
 * OUTS, after the check.
 */
#ifndef VMM86_CPU_IO_PERM_H
#define VMM86_CPU_IO_PERM_H

#include <stdint.h>

#include "cpu/cpu_state.h"

void cpu_check_io(CpuState *cpu, uint16_t port, unsigned size);
uint32_t cpu_port_read(CpuState *cpu, uint16_t port, unsigned size);
void cpu_port_write(CpuState *cpu, uint16_t port, unsigned size, uint32_t value);

#endif
