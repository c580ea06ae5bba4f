/* task.c — hardware task switching and TSS stack lookup (see task.h). Offsets and the order
 * of steps follow the Intel SDM, vol. 3, chapter 7 (Task Management). */
#include "cpu/task.h"

#include "cpu/access.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "softmmu/mmu.h"

void task_inner_stack(CpuState *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp, uint32_t ext)
{
    bool tss32 = (cpu->tr.attr & SA_TYPE) >= 9;
    uint32_t off = tss32 ? dpl * 8 + 4 : dpl * 4 + 2;
    uint32_t size = tss32 ? 8 : 4;
    if (off + size - 1 > cpu->tr.limit)
        cpu_raise(cpu, EXC_TS, (cpu->tr.sel & 0xFFFC) | ext);
    if (tss32) {
        *esp = sys_read32(cpu, cpu->tr.base + off);
        *ss = sys_read16(cpu, cpu->tr.base + off + 4);
    } else {
        *esp = sys_read16(cpu, cpu->tr.base + off);
        *ss = sys_read16(cpu, cpu->tr.base + off + 2);
    }
}

/* The state a TSS holds, in a format-neutral form. */
typedef struct TaskState {
    uint32_t cr3, eip, eflags, gpr[8];
    uint16_t seg[SEG_COUNT], ldt;
    bool trap; /* T bit (32-bit TSS only) */
} TaskState;

static void tss_read(CpuState *cpu, uint32_t base, bool tss32, TaskState *t)
{
    if (tss32) {
        t->cr3 = sys_read32(cpu, base + 0x1C);
        t->eip = sys_read32(cpu, base + 0x20);
        t->eflags = sys_read32(cpu, base + 0x24);
        for (int r = 0; r < 8; r++)
            t->gpr[r] = sys_read32(cpu, base + 0x28 + 4 * (uint32_t)r);
        for (int s = 0; s < SEG_COUNT; s++)
            t->seg[s] = sys_read16(cpu, base + 0x48 + 4 * (uint32_t)s);
        t->ldt = sys_read16(cpu, base + 0x60);
        t->trap = sys_read16(cpu, base + 0x64) & 1;
    } else {
        t->cr3 = cpu->cr3;
        t->eip = sys_read16(cpu, base + 0x0E);
        t->eflags = sys_read16(cpu, base + 0x10);
        /* A 16-bit TSS holds the low words; the upper words keep their values. */
        for (int r = 0; r < 8; r++)
            t->gpr[r] = (cpu->gpr[r].d & 0xFFFF0000u) | sys_read16(cpu, base + 0x12 + 2 * (uint32_t)r);
        for (int s = 0; s < 4; s++) /* ES CS SS DS */
            t->seg[s] = sys_read16(cpu, base + 0x22 + 2 * (uint32_t)s);
        t->seg[SEG_FS] = t->seg[SEG_GS] = 0;
        t->ldt = sys_read16(cpu, base + 0x2A);
        t->trap = false;
    }
}

/* Saves the outgoing task's dynamic state (registers, selectors, EFLAGS, EIP). */
static void tss_save(CpuState *cpu, uint32_t eflags, uint32_t eip)
{
    uint32_t base = cpu->tr.base;
    if ((cpu->tr.attr & SA_TYPE) >= 9) {
        sys_write32(cpu, base + 0x20, eip);
        sys_write32(cpu, base + 0x24, eflags);
        for (int r = 0; r < 8; r++)
            sys_write32(cpu, base + 0x28 + 4 * (uint32_t)r, cpu->gpr[r].d);
        for (int s = 0; s < SEG_COUNT; s++)
            sys_write16(cpu, base + 0x48 + 4 * (uint32_t)s, cpu->seg[s].sel);
    } else {
        sys_write16(cpu, base + 0x0E, (uint16_t)eip);
        sys_write16(cpu, base + 0x10, (uint16_t)eflags);
        for (int r = 0; r < 8; r++)
            sys_write16(cpu, base + 0x12 + 2 * (uint32_t)r, cpu->gpr[r].w);
        for (int s = 0; s < 4; s++)
            sys_write16(cpu, base + 0x22 + 2 * (uint32_t)s, cpu->seg[s].sel);
    }
}

static void set_busy(CpuState *cpu, uint16_t sel, Descriptor *d, bool busy)
{
    if (busy)
        d->hi |= 0x200;
    else
        d->hi &= ~0x200u;
    desc_write_type_byte(cpu, sel, (uint8_t)(d->hi >> 8));
}

/* LDTR of the new task (#TS(LDT selector) on any problem). */
static void load_task_ldt(CpuState *cpu, uint16_t sel, uint32_t ext)
{
    if ((sel & 0xFFFC) == 0) {
        seg_make_null(&cpu->ldtr, sel);
        return;
    }
    uint32_t err = (sel & 0xFFFC) | ext;
    if ((sel & 4) || (sel & 0xFFF8u) + 7 > cpu->gdtr.limit)
        cpu_raise(cpu, EXC_TS, err);
    Descriptor d = desc_read(cpu, sel, ext);
    if (!desc_is_system(d) || desc_type(d) != 2 || !desc_present(d))
        cpu_raise(cpu, EXC_TS, err);
    cpu->ldtr = desc_to_cache(sel, d);
}

/* Reads a descriptor of the new task, or raises #TS(sel) when it lies outside its table. */
static Descriptor task_desc(CpuState *cpu, uint16_t sel, uint32_t ext)
{
    return desc_read_ts(cpu, sel, ext != 0);
}

static void load_task_cs(CpuState *cpu, uint16_t sel, uint32_t ext)
{
    uint32_t err = (sel & 0xFFFC) | ext;
    if ((sel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_TS, err);
    Descriptor d = task_desc(cpu, sel, ext);
    unsigned dpl = desc_dpl(d), rpl = sel & 3;
    if (!desc_is_code(d))
        cpu_raise(cpu, EXC_TS, err);
    if ((d.hi & 0x400) ? dpl > rpl : dpl != rpl)
        cpu_raise(cpu, EXC_TS, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    desc_set_accessed(cpu, sel, &d);
    cpu->seg[SEG_CS] = desc_to_cache(sel, d);
}

static void load_task_ss(CpuState *cpu, uint16_t sel, uint32_t ext)
{
    uint32_t err = (sel & 0xFFFC) | ext;
    if ((sel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_TS, err);
    Descriptor d = task_desc(cpu, sel, ext);
    bool writable_data = !desc_is_system(d) && !desc_is_code(d) && (d.hi & 0x200);
    if ((sel & 3) != cpu->cpl || desc_dpl(d) != cpu->cpl || !writable_data)
        cpu_raise(cpu, EXC_TS, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_SS, err);
    desc_set_accessed(cpu, sel, &d);
    cpu->seg[SEG_SS] = desc_to_cache(sel, d);
}

static void load_task_data(CpuState *cpu, int seg, uint16_t sel, uint32_t ext)
{
    if ((sel & 0xFFFC) == 0) {
        seg_make_null(&cpu->seg[seg], sel);
        return;
    }
    uint32_t err = (sel & 0xFFFC) | ext;
    Descriptor d = task_desc(cpu, sel, ext);
    bool code = desc_is_code(d);
    if (desc_is_system(d) || (code && !(d.hi & 0x200)))
        cpu_raise(cpu, EXC_TS, err);
    unsigned dpl = desc_dpl(d);
    bool conforming_code = code && (d.hi & 0x400);
    if (!conforming_code && (dpl < cpu->cpl || dpl < (sel & 3u)))
        cpu_raise(cpu, EXC_TS, err);
    if (!desc_present(d))
        cpu_raise(cpu, EXC_NP, err);
    desc_set_accessed(cpu, sel, &d);
    cpu->seg[seg] = desc_to_cache(sel, d);
}

/* Loads the new task's segment registers: first every selector (with its cache marked
 * unusable, as the SDM describes), then each descriptor with its checks. */
static void load_task_segments(CpuState *cpu, const TaskState *t, uint32_t ext)
{
    for (int s = 0; s < SEG_COUNT; s++)
        seg_make_null(&cpu->seg[s], t->seg[s]);
    load_task_ldt(cpu, t->ldt, ext);
    if (t->eflags & FL_VM) {
        cpu->cpl = 3;
        for (int s = 0; s < SEG_COUNT; s++)
            seg_load_real(cpu, s, t->seg[s]);
        return;
    }
    cpu->cpl = t->seg[SEG_CS] & 3;
    load_task_cs(cpu, t->seg[SEG_CS], ext);
    load_task_ss(cpu, t->seg[SEG_SS], ext);
    static const int data[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (int i = 0; i < 4; i++)
        load_task_data(cpu, data[i], t->seg[data[i]], ext);
}

void task_switch(CpuState *cpu, uint16_t sel, Descriptor tss, TaskSwitchReason why,
                 bool has_error, uint32_t error, uint32_t return_eip, uint32_t old_eflags,
                 uint32_t ext)
{
    bool new32 = desc_type(tss) >= 9;
    uint32_t new_base = desc_base(tss), new_limit = desc_limit(tss);
    if (new_limit < (new32 ? 0x67u : 0x2Bu))
        cpu_raise(cpu, EXC_TS, (sel & 0xFFFC) | ext);

    /* Everything that may fault before the commit point: read the new state, touch the
     * old TSS's fields we will write, and the back-link field. */
    TaskState t;
    tss_read(cpu, new_base, new32, &t);
    uint16_t old_sel = cpu->tr.sel;
    uint16_t old_attr = cpu->tr.attr;
    (void)mmu_translate(cpu, cpu->tr.base, MMU_WRITE, false);
    (void)mmu_translate(cpu, cpu->tr.base + ((old_attr & SA_TYPE) >= 9 ? 0x5C : 0x28),
                        MMU_WRITE, false);
    (void)mmu_translate(cpu, new_base, MMU_WRITE, false);

    /* ---- commit ---- */
    uint32_t eflags = old_eflags;
    if (why == TS_JMP || why == TS_IRET) {
        Descriptor old = desc_read(cpu, old_sel, ext);
        set_busy(cpu, old_sel, &old, false);
    }
    if (why == TS_IRET)
        eflags &= ~FL_NT;
    tss_save(cpu, eflags, return_eip);
    if (why == TS_CALL || why == TS_INT) {
        sys_write16(cpu, new_base, old_sel);
        t.eflags |= FL_NT;
    }
    if (why != TS_IRET)
        set_busy(cpu, sel, &tss, true);
    cpu->tr = desc_to_cache(sel, tss);
    cpu->cr0 |= CR0_TS;
    cpu->dr[7] &= ~0x155u; /* L0-L3 and LE are cleared on every task switch */
    if (new32 && (cpu->cr0 & CR0_PG)) {
        cpu->cr3 = t.cr3 & 0xFFFFF018u;
        mmu_flush_nonglobal(cpu);
    }
    cpu->eflags = (t.eflags & FL_LIVE_MASK) | FL_RSVD1;
    if (!new32)
        cpu->eflags &= 0xFFFF;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->keep_rf = true;
    for (int r = 0; r < 8; r++)
        cpu->gpr[r].d = t.gpr[r];
    cpu->eip = cpu->next_eip = t.eip;
    cpu->inhibit_irq = 0;

    /* Faults from here on belong to the new task. */
    load_task_segments(cpu, &t, ext);
    if (has_error) {
        uint32_t esp = cpu->ESP;
        push_on_stack(cpu, &cpu->seg[SEG_SS], &esp, new32 ? 4 : 2, error, ext,
                      cpu->cpl == 3);
        cpu->ESP = esp;
    }
    if (cpu->eip > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, ext);
    if (t.trap) {
        cpu->dr6_pending |= 0x8000; /* BT */
        cpu->trap_pending = true;
    }
}
