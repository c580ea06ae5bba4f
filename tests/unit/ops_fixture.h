/* ops_fixture.h — a minimal machine for the integer-instruction unit tests (test_ops_*.c).
 *
 * Contract: fx_real() / fx_flat32() give a CpuState with 1 MiB of RAM in real mode
 * (CS=1000 IP=0, DS=ES=3000, SS=2000 SP=FFF0) or flat 32-bit protected mode at a given CPL
 * (code at 0x10000, stack top 0x80000); fx_run() places instruction bytes at CS:EIP and
 * executes exactly one instruction (again while a REP instruction asks to be re-executed,
 * up to `max_steps`), returning the vector of an exception it raised (not delivered), or
 * -1. Memory helpers take linear addresses. Header-only: each test file is one program.
 */
#ifndef VMM86_TESTS_UNIT_OPS_FIXTURE_H
#define VMM86_TESTS_UNIT_OPS_FIXTURE_H

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/interp.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "softmmu/physmem.h"

#define FX_RAM (1u << 20)

typedef struct Fixture {
    CpuState cpu;
    PhysMem mem;
    IoPortSpace io;
} Fixture;

static Fixture *fx;

static inline void fx_free(void)
{
    if (!fx)
        return;
    physmem_free(&fx->mem);
    free(fx);
    fx = NULL;
}

static inline CpuState *fx_real(void)
{
    fx_free();
    fx = calloc(1, sizeof *fx);
    if (!fx || !physmem_init(&fx->mem, FX_RAM))
        abort();
    ioport_init(&fx->io);
    cpu_init(&fx->cpu, &fx->mem, &fx->io);
    CpuState *cpu = &fx->cpu;
    static const struct { int seg; uint16_t sel; } segs[] = {
        {SEG_CS, 0x1000}, {SEG_DS, 0x3000}, {SEG_ES, 0x3000}, {SEG_SS, 0x2000},
        {SEG_FS, 0}, {SEG_GS, 0}};
    for (unsigned i = 0; i < 6; i++) {
        cpu->seg[segs[i].seg].sel = segs[i].sel;
        cpu->seg[segs[i].seg].base = (uint32_t)segs[i].sel << 4;
        cpu->seg[segs[i].seg].limit = 0xFFFF;
    }
    cpu->eip = cpu->next_eip = 0;
    cpu->ESP = 0xFFF0;
    return cpu;
}

static inline CpuState *fx_flat32(unsigned cpl)
{
    CpuState *cpu = fx_real();
    cpu->cr0 |= CR0_PE;
    uint16_t dpl = (uint16_t)(cpl << SA_DPL_SHIFT);
    for (int s = 0; s < SEG_COUNT; s++) {
        SegCache *sc = &cpu->seg[s];
        sc->base = 0;
        sc->limit = 0xFFFFFFFFu;
        sc->sel = (uint16_t)((s == SEG_CS ? 0x08 : 0x10) | cpl);
        sc->attr = SA_P | SA_S | SA_RW | SA_ACCESSED | SA_DB | SA_G | dpl | (s == SEG_CS ? SA_CODE : 0);
    }
    cpu->cpl = (uint8_t)cpl;
    cpu->eip = cpu->next_eip = 0x10000;
    cpu->ESP = 0x80000;
    mmu_flush_all(cpu);
    return cpu;
}

static inline uint8_t *fx_host(uint32_t lin)
{
    if (lin >= FX_RAM)
        abort();
    return fx->mem.ram + lin;
}

static inline void fx_poke(uint32_t lin, const void *p, size_t n) { memcpy(fx_host(lin), p, n); }
static inline uint8_t fx_peek8(uint32_t lin) { return *fx_host(lin); }
static inline uint16_t fx_peek16(uint32_t lin) { uint16_t v; memcpy(&v, fx_host(lin), 2); return v; }
static inline uint32_t fx_peek32(uint32_t lin) { uint32_t v; memcpy(&v, fx_host(lin), 4); return v; }
static inline void fx_poke16(uint32_t lin, uint16_t v) { fx_poke(lin, &v, 2); }
static inline void fx_poke32(uint32_t lin, uint32_t v) { fx_poke(lin, &v, 4); }

static inline int fx_step(CpuState *cpu)
{
    DecodedInsn insn;
    if (setjmp(cpu->exc_jmp))
        return cpu->exc_vector;
    cpu_fetch_decode(cpu, &insn);
    interp_execute(cpu, &insn);
    return -1;
}

/* Places `bytes` at CS:EIP and runs that one instruction (re-executions included, at most
 * max_steps executions). Returns the exception vector or -1; *steps gets the executions. */
static inline int fx_run_n(CpuState *cpu, const uint8_t *bytes, size_t len, unsigned max_steps,
                    unsigned *steps)
{
    uint32_t start = cpu->eip;
    fx_poke(cpu->seg[SEG_CS].base + start, bytes, len);
    unsigned n = 0;
    int v = -1;
    while (n < max_steps) {
        n++;
        v = fx_step(cpu);
        if (v >= 0 || cpu->eip != start)
            break;
    }
    if (steps)
        *steps = n;
    return v;
}

#define FX_RUN(cpu, ...)                                                                   \
    ({                                                                                     \
        static const uint8_t fx_bytes_[] = {__VA_ARGS__};                                  \
        fx_run_n((cpu), fx_bytes_, sizeof fx_bytes_, 100000, NULL);                        \
    })

static inline uint32_t fx_flags(const CpuState *cpu) { return cpu_get_eflags(cpu); }

static inline void fx_set_flags(CpuState *cpu, uint32_t f)
{
    cpu->eflags = f | FL_RSVD1;
    cpu->cc_op = CC_OP_EFLAGS;
}

#endif
