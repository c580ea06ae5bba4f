/* workload.h — the CPU benchmark's workload (workload.c), shared by the bare-metal guest
 * and the native program so both do exactly the same work.
 *
 * Contract: workload_run(scale) performs `scale` rounds of the integer kernels and returns
 * their combined 32-bit checksum; it touches no I/O and uses no floating point, and the
 * result depends only on `scale`.
 */
#ifndef VMM86_BENCHMARKS_CPU_WORKLOAD_H
#define VMM86_BENCHMARKS_CPU_WORKLOAD_H

#include <stdint.h>

#ifndef WORKLOAD_SCALE
#define WORKLOAD_SCALE 24
#endif

uint32_t workload_run(uint32_t scale);

#endif
