/* engine.h — the execution engine the machine runs the CPU with: the reference
 * interpreter, the JIT, or both in lockstep.
 *
 * Contract: engine_run() has cpu_exec()'s contract (cpu/cpu.h) whatever the engine: it
 * runs at most `budget` instructions, returns on HLT with nothing pending, on an exit
 * request or a shutdown, takes interrupts only at instruction boundaries, and keeps icount
 * exact. The engines differ only in speed (lockstep: in checking the JIT against the
 * interpreter block by block). engine_init() must be called after cpu_init() and before
 * the first engine_run(); the interpreter needs no state (cpu->engine stays NULL).
 */
#ifndef VMM86_CPU_ENGINE_H
#define VMM86_CPU_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu_state.h"

typedef enum CpuEngine {
    CPU_ENGINE_INTERP = 0,
    CPU_ENGINE_JIT,
    CPU_ENGINE_LOCKSTEP,
} CpuEngine;

typedef struct EngineConfig {
    CpuEngine kind;
    unsigned jit_cache_mb; /* code cache size; 0: the default */
} EngineConfig;

bool engine_init(CpuState *cpu, const EngineConfig *cfg, char *err, size_t errlen);
CpuExit engine_run(CpuState *cpu, uint64_t budget);
void engine_destroy(CpuState *cpu);
/* The engine's --stats section (nothing for the interpreter). */
void engine_print_stats(const CpuState *cpu, FILE *out);
const char *engine_name(CpuEngine kind);

#endif
