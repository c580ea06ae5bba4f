/* vm.h — the vmm86 side of the host-CPU differential test: a bare CPU in flat 32-bit
 * protected mode at CPL 3 that runs a case's code through an execution engine.
 *
 * Contract: vm_init() builds 4 MiB of RAM holding the data window (HC_DATA_BASE, across a
 * page boundary), the code page (HC_CODE_BASE) and a small system area (GDT, IDT, TSS,
 * ring-0 stack, and one exception handler per vector: a HLT at CPL 0), then binds the
 * engine (interp, jit or lockstep) with engine_init(). vm_run() loads a case (registers,
 * flags, window, data segments, the code at HC_INSN with a HLT after it and at its branch
 * target) and runs it with engine_run() until an exception reaches its handler. The HLT's
 * #GP(0) at CPL 3 ends a case that ran to its end; any other exception is the case's own.
 * The result is the architectural state at that point, read back from the exception frame
 * (EIP, EFLAGS, ESP as before delivery), with the vector and error code of the case's own
 * exception and the number of instructions retired. A HLT also ends every translated
 * block there, and no budget ever cuts a block short. One Vm serves every case: the code
 * is written through physmem_write_buf, so the JIT drops blocks whose bytes changed and
 * keeps (and runs again) those whose bytes did not, and the TLB stays warm, so translated
 * loads and stores take their inline paths. Writes outside the window (and changes to the
 * code page or the rest of the data pages) are reported as stray.
 */
#ifndef VMM86_TESTS_DIFF_HOSTCPU_VM_H
#define VMM86_TESTS_DIFF_HOSTCPU_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/engine.h"
#include "hostcpu.h"
#include "softmmu/ioport.h"
#include "softmmu/physmem.h"

typedef enum VmStatus {
    VM_DONE = 0,  /* the case reached a HLT it placed, or raised an exception */
    VM_SHUTDOWN,  /* triple fault */
    VM_BUDGET,    /* still running at CPL 3 after VM_BUDGET instructions (a loop) */
    VM_STUCK,     /* none of these (the engine stopped elsewhere) */
} VmStatus;

#define VM_BUDGET_INSNS 1024

typedef struct VmResult {
    VmStatus status;
    int vector;          /* exception delivered, or -1 */
    int32_t error;       /* its error code, or -1 when it pushes none */
    uint64_t retired;    /* instructions retired before the end or the fault */
    uint32_t eip;
    uint32_t regs[8];
    uint32_t eflags;     /* every bit (cpu_get_eflags) */
    uint8_t mem[HC_DATA_SIZE];
    bool stray;          /* a write outside the window (first address in stray_addr) */
    uint32_t stray_addr;
} VmResult;

/* Segments other than flat 4 GiB ones (cases the interpreter is the reference for): per
 * data segment register, a base, a byte-granular limit, and whether it is read-only or
 * expand-down (the JIT's segment classes: flat, inline limit check, helper). */
typedef struct VmSegs {
    uint32_t base[SEG_COUNT];
    uint32_t limit[SEG_COUNT];
    bool read_only[SEG_COUNT];
    bool expand_down[SEG_COUNT];
    /* Instead of the above for CS and SS: 16-bit code and stack segments of 64 KiB around
     * the code page and the window (same linear addresses; EIP and SP are offsets). */
    bool code16;
} VmSegs;

typedef struct Vm {
    CpuState *cpu;
    PhysMem mem;
    IoPortSpace io;
    CpuEngine engine;
    /* The engine's code-write callback (the JIT's), called after ours. */
    void (*next_write)(void *opaque, uint32_t pa, unsigned len);
    void *next_opaque;
    bool running;        /* writes now are the guest's */
    bool stray;
    uint32_t stray_addr;
    uint8_t code[4096];  /* what the code page must hold */
    uint32_t hlt_at;     /* the HLT at the last case's branch target, or 0 */
    uint32_t cs_base;    /* of the case running */
} Vm;

bool vm_init(Vm *vm, CpuEngine engine, char *err, size_t errlen);
void vm_free(Vm *vm);
/* Runs the case's code, with flat segments or segs. The result's EIP is linear (the
 * same as the offset, except in 16-bit code). */
void vm_run(Vm *vm, const HcCase *c, const VmSegs *segs, VmResult *out);
/* Flat segments everywhere (base 0, limit 4 GiB - 1, writable, expand-up). */
void vm_segs_flat(VmSegs *segs);

#endif
