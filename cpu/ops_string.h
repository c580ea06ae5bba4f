/* ops_string.h — test hooks of the string instructions (cpu/ops_string.c).
 *
 * Contract: ops_string_fast (default true) lets REP MOVS/STOS/LODS/CMPS/SCAS run a batch
 * of iterations that stay inside one RAM page on each side in host memory; false forces
 * the one-iteration-at-a-time reference path, so tests can compare the two. The batch path
 * must give the same architectural result (memory, registers, flags, faults, A/D bits,
 * code-page notifications) as the reference. ops_string_fast_iters counts the iterations
 * the batch path performed (tests use it to show that path ran). Neither is guest state.
 */
#ifndef VMM86_CPU_OPS_STRING_H
#define VMM86_CPU_OPS_STRING_H

#include <stdbool.h>
#include <stdint.h>

extern bool ops_string_fast;
extern uint64_t ops_string_fast_iters;

#endif
