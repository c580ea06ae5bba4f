/* task.c — hardware task switching and TSS stack lookup (see task.h). */
#include "cpu/task.h"

#include "cpu/access.h"
#include "cpu/exception.h"

void task_inner_stack(CpuState *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp, bool ext)
{
    bool tss32 = (cpu->tr.attr & SA_TYPE) >= 9;
    uint32_t off = tss32 ? dpl * 8 + 4 : dpl * 4 + 2;
    uint32_t size = tss32 ? 8 : 4;
    if (off + size - 1 > cpu->tr.limit)
        cpu_raise(cpu, EXC_TS, (cpu->tr.sel & 0xFFFC) | (ext ? 1 : 0));
    if (tss32) {
        *esp = sys_read32(cpu, cpu->tr.base + off);
        *ss = sys_read16(cpu, cpu->tr.base + off + 4);
    } else {
        *esp = sys_read16(cpu, cpu->tr.base + off);
        *ss = sys_read16(cpu, cpu->tr.base + off + 2);
    }
}

void task_switch(CpuState *cpu, uint16_t sel, Descriptor tss, TaskSwitchReason why,
                 bool has_error, uint32_t error, uint32_t return_eip)
{
    /* Placeholder until the task-switch implementation lands: a guest that tries one gets
     * #GP with the TSS selector, never silent success. */
    (void)tss;
    (void)why;
    (void)has_error;
    (void)error;
    (void)return_eip;
    cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
}
