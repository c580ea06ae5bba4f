/* fpu_irq13.h — the PC/AT glue between the x87 error output and the interrupt controller.
 *
 * Contract: with CR0.NE clear the CPU reports an unmasked x87 error on its FERR# output
 * (CpuState.ferr, which the machine points at fpu_irq13_ferr). A rising edge of FERR# sets
 * a latch that holds IRQ 13 high. Writing any value to port F0h (the error handler's
 * "clear busy") drops the latch, and while FERR# is still asserted it also asserts the
 * CPU's IGNNE# input, so the handler's own waiting x87 instructions proceed; IGNNE# falls
 * again when FERR# does (FNCLEX, FNINIT, ...). A second assertion without a fall in
 * between (a rolled-back CPU driving the pin again) re-pulses the pending request so the
 * CPU's INTR input is driven again. Reads of F0h return FFh. Nothing here
 * reads the clock; save/load cover the whole state.
 */
#ifndef VMM86_DEVICES_FPU_IRQ13_H
#define VMM86_DEVICES_FPU_IRQ13_H

#include <stdbool.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "softmmu/ioport.h"

#define FPU_IRQ13_PORT 0xF0

typedef struct FpuIrq13 {
    IrqLine irq;  /* IRQ 13 */
    bool *ignne;  /* the CPU's IGNNE# input (CpuState.ignne) */
    bool ferr;    /* FERR# level last driven by the CPU */
    bool latched; /* IRQ 13 request set by FERR#, until a write to F0h */
} FpuIrq13;

void fpu_irq13_init(FpuIrq13 *d, IrqLine irq, bool *ignne);
void fpu_irq13_register(FpuIrq13 *d, IoPortSpace *io);
void fpu_irq13_reset(FpuIrq13 *d);
/* The CPU's FERR# callback (opaque is the FpuIrq13). */
void fpu_irq13_ferr(void *opaque, bool level);
void fpu_irq13_save(const FpuIrq13 *d, StateWriter *w);
bool fpu_irq13_load(FpuIrq13 *d, StateReader *r);

#endif
