/* exception.c — raising exceptions, the double-fault rules, and event delivery through the
 * real-mode IVT or the protected-mode IDT (see exception.h). */
#include "cpu/exception.h"

#include "cpu/access.h"
#include "cpu/flags.h"
#include "cpu/segment.h"
#include "cpu/task.h"
#include "machine/log.h"
#include "softmmu/mmu.h"

void cpu_raise(CpuState *cpu, int vector, uint32_t error)
{
    cpu->exc_vector = vector;
    cpu->exc_error = error;
    cpu->exc_has_error = exception_has_error_code(vector);
    cpu->stats.exceptions++;
    longjmp(cpu->exc_jmp, 1);
}

bool exception_has_error_code(int vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

static bool is_contributory(int v)
{
    return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

/* ---- real mode and virtual-8086 through the IVT ---------------------------------------- */

static void deliver_real(CpuState *cpu, int vector, uint32_t return_eip)
{
    uint32_t off = (uint32_t)vector * 4;
    if (off + 3 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, (uint32_t)vector * 8 + 2);
    uint32_t entry = sys_read32(cpu, cpu->idtr.base + off);
    uint32_t esp = cpu->ESP;
    uint32_t flags = cpu_get_eflags(cpu);
    stack_push(cpu, &esp, 2, flags);
    stack_push(cpu, &esp, 2, cpu->seg[SEG_CS].sel);
    stack_push(cpu, &esp, 2, return_eip);
    cpu->ESP = esp;
    cpu_flags_materialize(cpu);
    cpu->eflags &= ~(FL_IF | FL_TF | FL_AC | FL_RF);
    seg_load_real(cpu, SEG_CS, (uint16_t)(entry >> 16));
    cpu->eip = cpu->next_eip = entry & 0xFFFF;
}

/* ---- protected mode through the IDT ---------------------------------------------------- */

typedef struct Gate {
    uint16_t sel;
    uint32_t offset;
    unsigned type; /* 5 task, 6/7 16-bit int/trap, 14/15 32-bit int/trap */
    unsigned dpl;
    bool present;
} Gate;

static Gate read_gate(CpuState *cpu, int vector, EventKind kind, uint32_t ext)
{
    uint32_t idt_err = (uint32_t)vector * 8 + 2 + ext;
    if ((uint32_t)vector * 8 + 7 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, idt_err);
    uint32_t lin = cpu->idtr.base + (uint32_t)vector * 8;
    uint32_t lo = sys_read32(cpu, lin), hi = sys_read32(cpu, lin + 4);
    Gate g;
    g.type = (hi >> 8) & 0x1F;
    g.dpl = (hi >> 13) & 3;
    g.present = hi & 0x8000;
    g.sel = (uint16_t)(lo >> 16);
    g.offset = (lo & 0xFFFF) | (g.type >= 0xE ? (hi & 0xFFFF0000u) : 0);
    if (g.type != 5 && g.type != 6 && g.type != 7 && g.type != 0xE && g.type != 0xF)
        cpu_raise(cpu, EXC_GP, idt_err);
    /* INT n, INT3 and INTO check the gate's DPL; ICEBP, exceptions and IRQs do not. */
    if ((kind == EV_SOFTWARE_INT || kind == EV_SOFTWARE_EXC) && g.dpl < cpu->cpl)
        cpu_raise(cpu, EXC_GP, idt_err);
    if (!g.present)
        cpu_raise(cpu, EXC_NP, idt_err);
    return g;
}

static void push_frame(CpuState *cpu, uint32_t *esp, bool gate32, uint32_t v)
{
    stack_push(cpu, esp, gate32 ? 4 : 2, v);
}

/* Push onto a stack that is not yet SS (the inner stack of a privilege change), with
 * supervisor privilege; a limit violation raises #SS(err). */
static void push_on(CpuState *cpu, const SegCache *ss, uint32_t *esp, bool gate32, uint32_t v,
                    uint32_t err)
{
    unsigned size = gate32 ? 4 : 2;
    bool big = ss->attr & SA_DB;
    uint32_t nsp = big ? *esp - size : ((*esp & 0xFFFF0000u) | ((*esp - size) & 0xFFFF));
    uint32_t off = big ? nsp : (nsp & 0xFFFF);
    bool expand_down = (ss->attr & (SA_CODE | SA_DC)) == SA_DC;
    uint32_t upper = big ? 0xFFFFFFFFu : 0xFFFFu;
    bool ok = expand_down ? (off > ss->limit && upper - off >= size - 1)
                          : (off <= ss->limit && ss->limit - off >= size - 1);
    if (!ok)
        cpu_raise(cpu, EXC_SS, err);
    if (size == 4)
        mmu_write32(cpu, ss->base + off, v, false);
    else
        mmu_write16(cpu, ss->base + off, (uint16_t)v, false);
    *esp = nsp;
}

static void deliver_protected(CpuState *cpu, int vector, EventKind kind, bool has_error,
                              uint32_t error, uint32_t return_eip)
{
    uint32_t ext = (kind == EV_EXTERNAL || kind == EV_EXCEPTION) ? 1 : 0;
    Gate g = read_gate(cpu, vector, kind, ext);
    if (g.type == 5) {
        Descriptor tss = desc_read(cpu, g.sel, ext);
        if (g.sel & 4)
            cpu_raise(cpu, EXC_GP, (g.sel & 0xFFFC) | ext); /* TSS must be in the GDT */
        unsigned t = desc_type(tss);
        if (!desc_is_system(tss) || (t != 1 && t != 9))
            cpu_raise(cpu, EXC_GP, (g.sel & 0xFFFC) | ext);
        if (!desc_present(tss))
            cpu_raise(cpu, EXC_NP, (g.sel & 0xFFFC) | ext);
        task_switch(cpu, g.sel, tss, TS_INT, has_error, error, return_eip);
        return;
    }
    bool gate32 = g.type >= 0xE, trap = g.type & 1;
    uint32_t sel_err = (g.sel & 0xFFFC) | ext;
    if ((g.sel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, ext);
    Descriptor cs = desc_read(cpu, g.sel, ext);
    unsigned dpl = desc_dpl(cs);
    if (!desc_is_code(cs) || dpl > cpu->cpl)
        cpu_raise(cpu, EXC_GP, sel_err);
    if (!desc_present(cs))
        cpu_raise(cpu, EXC_NP, sel_err);
    bool conforming = cs.hi & 0x400;
    uint32_t flags = cpu_get_eflags(cpu);
    bool from_vm86 = flags & FL_VM;

    if (!conforming && dpl < cpu->cpl) {
        /* Inner privilege: switch to the TSS stack of ring `dpl`. */
        uint16_t new_ss;
        uint32_t new_esp;
        task_inner_stack(cpu, dpl, &new_ss, &new_esp, ext);
        uint32_t ss_err = (new_ss & 0xFFFC) | ext;
        if ((new_ss & 0xFFFC) == 0)
            cpu_raise(cpu, EXC_TS, ext);
        if ((new_ss & 3) != dpl)
            cpu_raise(cpu, EXC_TS, ss_err);
        Descriptor ssd = desc_read(cpu, new_ss, ext);
        bool writable_data = !desc_is_system(ssd) && !desc_is_code(ssd) && (ssd.hi & 0x200);
        if (desc_dpl(ssd) != dpl || !writable_data)
            cpu_raise(cpu, EXC_TS, ss_err);
        if (!desc_present(ssd))
            cpu_raise(cpu, EXC_SS, ss_err);
        if (from_vm86 && dpl != 0)
            cpu_raise(cpu, EXC_GP, sel_err);

        /* Build the frame on the new stack; nothing is committed until it is all pushed. */
        SegCache nss = desc_to_cache(new_ss, ssd);
        uint32_t esp = new_esp;
        if (from_vm86) {
            push_on(cpu, &nss, &esp, gate32, cpu->seg[SEG_GS].sel, ss_err);
            push_on(cpu, &nss, &esp, gate32, cpu->seg[SEG_FS].sel, ss_err);
            push_on(cpu, &nss, &esp, gate32, cpu->seg[SEG_DS].sel, ss_err);
            push_on(cpu, &nss, &esp, gate32, cpu->seg[SEG_ES].sel, ss_err);
        }
        push_on(cpu, &nss, &esp, gate32, cpu->seg[SEG_SS].sel, ss_err);
        push_on(cpu, &nss, &esp, gate32, cpu->ESP, ss_err);
        push_on(cpu, &nss, &esp, gate32, flags, ss_err);
        push_on(cpu, &nss, &esp, gate32, cpu->seg[SEG_CS].sel, ss_err);
        push_on(cpu, &nss, &esp, gate32, return_eip, ss_err);
        if (has_error)
            push_on(cpu, &nss, &esp, gate32, error, ss_err);
        desc_set_accessed(cpu, new_ss, &ssd);
        cpu->seg[SEG_SS] = desc_to_cache(new_ss, ssd);
        cpu->ESP = esp;
        if (from_vm86) {
            static const int clear[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
            for (int i = 0; i < 4; i++) {
                SegCache *s = &cpu->seg[clear[i]];
                s->sel = 0;
                s->base = 0;
                s->limit = 0;
                s->attr = 0;
            }
        }
    } else {
        if (from_vm86)
            cpu_raise(cpu, EXC_GP, sel_err);
        uint32_t esp = cpu->ESP;
        push_frame(cpu, &esp, gate32, flags);
        push_frame(cpu, &esp, gate32, cpu->seg[SEG_CS].sel);
        push_frame(cpu, &esp, gate32, return_eip);
        if (has_error)
            push_frame(cpu, &esp, gate32, error);
        cpu->ESP = esp;
        dpl = cpu->cpl;
    }
    desc_set_accessed(cpu, g.sel, &cs);
    cpu->seg[SEG_CS] = desc_to_cache((uint16_t)((g.sel & 0xFFFC) | dpl), cs);
    cpu->cpl = (uint8_t)dpl;
    cpu_flags_materialize(cpu);
    cpu->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
    if (!trap)
        cpu->eflags &= ~FL_IF;
    uint32_t target = gate32 ? g.offset : (g.offset & 0xFFFF);
    if (target > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, 0);
    cpu->eip = cpu->next_eip = target;
}

void cpu_deliver_event(CpuState *cpu, int vector, EventKind kind, bool has_error,
                       uint32_t error, uint32_t return_eip)
{
    cpu->halted = false;
    if (kind == EV_EXTERNAL)
        cpu->stats.interrupts++;
    if (log_enabled(LOG_INT))
        log_printf("%s %02x error %x at %04x:%08x icount %llu\n",
                   kind == EV_EXTERNAL ? "interrupt" : kind == EV_EXCEPTION ? "exception" : "int",
                   vector, has_error ? error : 0, cpu->seg[SEG_CS].sel, cpu->eip,
                   (unsigned long long)cpu->icount);
    if (!cpu_pe(cpu))
        deliver_real(cpu, vector, return_eip);
    else
        deliver_protected(cpu, vector, kind, has_error, error, return_eip);
}

void cpu_handle_exception(CpuState *cpu)
{
    int vec = cpu->exc_vector;
    int first = cpu->delivering;
    if (first == EXC_DF) {
        cpu->shutdown = true; /* triple fault */
        cpu->delivering = -1;
        return;
    }
    if (first >= 0) {
        bool df = (is_contributory(first) && is_contributory(vec)) ||
                  (first == EXC_PF && (vec == EXC_PF || is_contributory(vec)));
        if (df) {
            vec = EXC_DF;
            cpu->exc_error = 0;
            cpu->exc_has_error = true;
        }
    }
    cpu->delivering = vec;
    cpu->next_eip = cpu->eip;
    cpu_deliver_event(cpu, vec, EV_EXCEPTION, cpu->exc_has_error, cpu->exc_error, cpu->eip);
    cpu->delivering = -1;
}
