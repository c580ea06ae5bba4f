/* jit.h — the translating execution engine (and its lockstep checker), as cpu/engine.c
 * sees it.
 *
 * Contract: jit_create() binds a JIT to a CpuState (it installs itself as the physical
 * memory's code-write callback, so every write to a page holding translated code — through
 * any virtual alias, or DMA through physmem_write_buf — invalidates the blocks it
 * touches). jit_exec() has cpu_exec()'s contract exactly: it runs until `budget`
 * instructions have retired, the CPU halts, an exit is requested or the CPU shuts down,
 * takes interrupts only at instruction boundaries (block boundaries inside translated
 * code), keeps icount exact, and leaves CpuState complete whenever it returns or a guest
 * exception is delivered. With `lockstep`, every block also runs in the interpreter from
 * the same state and the two results are compared; the first difference is printed with
 * both states and the block's disassembly, and the process exits with status 70.
 */
#ifndef VMM86_TRANSLATOR_JIT_H
#define VMM86_TRANSLATOR_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu_state.h"

#define JIT_DEFAULT_CACHE_MB 64u
#define JIT_LOCKSTEP_FAILURE 70 /* process exit status when lockstep finds a difference */

typedef struct JitState JitState;

typedef struct JitConfig {
    size_t cache_bytes; /* code cache size (the metadata arena is half of it) */
    bool lockstep;
    bool dump;          /* print each block's IR and host code to the log */
} JitConfig;

JitState *jit_create(CpuState *cpu, const JitConfig *cfg, char *err, size_t errlen);
void jit_destroy(JitState *j);
CpuExit jit_exec(JitState *j, uint64_t budget);
/* Throws away every translation (also done automatically when the cache fills up). */
void jit_flush(JitState *j);
void jit_print_stats(const JitState *j, FILE *out);

#endif
