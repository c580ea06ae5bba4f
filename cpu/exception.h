/* exception.h — raising guest exceptions and delivering exceptions and interrupts.
 *
 * Contract: cpu_raise() is the only longjmp in vmm86 (DESIGN.md). It records the vector and
 * error code and unwinds to cpu_exec, which delivers the exception with cpu->eip still the
 * faulting instruction's start and the architectural state from before it: a handler must
 * not commit register or flag changes before its last possible fault. Delivery follows the
 * SDM: real-mode IVT, protected-mode IDT gates (interrupt, trap, task), privilege and stack
 * switches (from virtual-8086 mode too), error codes with the EXT bit (set for events not
 * caused by INT n/INT3/INTO), RF set in the EFLAGS image of fault-class exceptions (pushed,
 * or saved in the outgoing TSS when a task gate switches tasks), the
 * double-fault rules and the triple-fault shutdown.
 */
#ifndef VMM86_CPU_EXCEPTION_H
#define VMM86_CPU_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

enum {
    EXC_DE = 0,  /* divide error */
    EXC_DB = 1,  /* debug */
    EXC_NMI = 2,
    EXC_BP = 3,  /* breakpoint (INT3) */
    EXC_OF = 4,  /* overflow (INTO) */
    EXC_BR = 5,  /* BOUND range exceeded */
    EXC_UD = 6,  /* invalid opcode */
    EXC_NM = 7,  /* device not available */
    EXC_DF = 8,  /* double fault */
    EXC_TS = 10, /* invalid TSS */
    EXC_NP = 11, /* segment not present */
    EXC_SS = 12, /* stack fault */
    EXC_GP = 13, /* general protection */
    EXC_PF = 14, /* page fault */
    EXC_MF = 16, /* x87 floating-point error */
    EXC_AC = 17, /* alignment check */
    EXC_MC = 18, /* machine check */
    EXC_XM = 19, /* SIMD floating-point */
};

/* Page-fault error code bits. */
#define PF_P 0x01u    /* protection violation (1) or not-present page (0) */
#define PF_W 0x02u    /* write access */
#define PF_U 0x04u    /* user-mode access */
#define PF_RSVD 0x08u /* reserved bit set in a paging entry */

/* Kinds of event for delivery. */
typedef enum EventKind {
    EV_EXCEPTION,     /* fault or trap raised by the CPU */
    EV_SOFTWARE_INT,  /* INT n (privilege-checked against the gate DPL) */
    EV_SOFTWARE_EXC,  /* INT3, INTO (DPL-checked, delivered as traps) */
    EV_ICEBP,         /* INT1 / ICEBP (not DPL-checked) */
    EV_EXTERNAL,      /* hardware interrupt (INTR) or NMI */
} EventKind;

/* Raises exception `vector` with `error` (ignored for vectors that push none). */
_Noreturn void cpu_raise(CpuState *cpu, int vector, uint32_t error);
static inline _Noreturn void cpu_raise_gp0(CpuState *cpu) { cpu_raise(cpu, EXC_GP, 0); }
static inline _Noreturn void cpu_raise_ud(CpuState *cpu) { cpu_raise(cpu, EXC_UD, 0); }

/* The fault of an opcode the decoder does not define (`bytes`: the `len` bytes fetched at
 * CS:EIP). #UD, except in the x87 escape space: CR0.EM and CR0.TS are checked first for
 * every D8-DF form, defined or not, so those raise #NM when either is set (with a LOCK
 * prefix they stay #UD). */
_Noreturn void cpu_raise_undefined(CpuState *cpu, const uint8_t *bytes, unsigned len);

/* Does this vector push an error code when raised as an exception? */
bool exception_has_error_code(int vector);

/* Delivers an event through the IVT/IDT. `return_eip` is the EIP pushed (the instruction
 * for faults, the next one for traps and software interrupts). May itself raise (which
 * becomes a double fault or shutdown by the rules in cpu_exec). */
void cpu_deliver_event(CpuState *cpu, int vector, EventKind kind, bool has_error,
                       uint32_t error, uint32_t return_eip);

/* Entry from cpu_exec after a longjmp: classifies, applies the double-fault rules and
 * delivers. Sets cpu->shutdown on a triple fault. */
void cpu_handle_exception(CpuState *cpu);

#endif
