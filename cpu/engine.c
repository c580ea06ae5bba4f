/* engine.c — dispatch to the interpreter or the JIT (see engine.h). */
#include "cpu/engine.h"

#include "cpu/cpu.h"
#include "machine/log.h"
#include "translator/jit.h"

bool engine_init(CpuState *cpu, const EngineConfig *cfg, char *err, size_t errlen)
{
    cpu->engine = NULL;
    if (cfg->kind == CPU_ENGINE_INTERP)
        return true;
    unsigned mb = cfg->jit_cache_mb ? cfg->jit_cache_mb : JIT_DEFAULT_CACHE_MB;
    JitConfig jc = {(size_t)mb << 20, cfg->kind == CPU_ENGINE_LOCKSTEP,
                    log_enabled(LOG_OUT_ASM)};
    return jit_create(cpu, &jc, err, errlen) != NULL;
}

CpuExit engine_run(CpuState *cpu, uint64_t budget)
{
    cpu_clock_sync(cpu); /* the clock may have jumped (idle) since the last run */
    if (!cpu->engine)
        return cpu_exec(cpu, budget);
    return jit_exec(cpu->engine, budget);
}

void engine_destroy(CpuState *cpu)
{
    if (cpu->engine)
        jit_destroy(cpu->engine);
    cpu->engine = NULL;
}

void engine_print_stats(const CpuState *cpu, FILE *out)
{
    if (cpu->engine)
        jit_print_stats(cpu->engine, out);
}

const char *engine_name(CpuEngine kind)
{
    switch (kind) {
    case CPU_ENGINE_JIT: return "jit";
    case CPU_ENGINE_LOCKSTEP: return "lockstep";
    default: return "interp";
    }
}
