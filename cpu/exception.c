/* exception.c — raising exceptions, the double-fault rules, and event delivery through the
 * real-mode IVT or the protected-mode IDT (see exception.h). */
#include "cpu/exception.h"

#include "cpu/access.h"
#include "cpu/cpu.h"
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

/* Legacy prefixes other than LOCK (operand and address size, REP, segment overrides). */
static bool is_plain_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xF2 || b == 0xF3 || b == 0x26 || b == 0x2E ||
           b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
}

void cpu_raise_undefined(CpuState *cpu, const uint8_t *bytes, unsigned len)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS)) {
        unsigned i = 0;
        while (i < len && is_plain_prefix(bytes[i]))
            i++;
        if (i < len && bytes[i] >= 0xD8 && bytes[i] <= 0xDF)
            cpu_raise(cpu, EXC_NM, 0);
    }
    cpu_raise(cpu, EXC_UD, 0);
}

bool exception_has_error_code(int vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

void cpu_check_alignment(CpuState *cpu, uint32_t lin, unsigned size)
{
    if (cpu->cpl == 3 && (lin & access_align_mask(size)))
        cpu_raise(cpu, EXC_AC, 0);
}

static bool is_contributory(int v)
{
    return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

/* Fault-class exceptions restart the instruction; their pushed EFLAGS image has RF set so
 * that the IRET back does not re-trigger an instruction breakpoint. #DB is delivered with
 * the RF it found (instruction breakpoints set no RF: the handler decides). */
static bool is_fault_class(int v)
{
    return v == EXC_DE || (v >= EXC_BR && v <= EXC_NM) || (v >= EXC_TS && v <= EXC_PF) ||
           v == EXC_MF || v == EXC_AC || v == EXC_XM;
}

/* ---- real mode through the IVT ---------------------------------------------------------- */

static void deliver_real(CpuState *cpu, int vector, uint32_t flags, uint32_t return_eip)
{
    uint32_t off = (uint32_t)vector * 4;
    if (off + 3 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, off * 2 + 2);
    uint32_t entry = sys_read32(cpu, cpu->idtr.base + off);
    uint32_t esp = cpu->ESP;
    stack_push(cpu, &esp, 2, flags);
    stack_push(cpu, &esp, 2, cpu->seg[SEG_CS].sel);
    stack_push(cpu, &esp, 2, return_eip);
    cpu->ESP = esp;
    cpu_flags_materialize(cpu);
    cpu->eflags &= ~(FL_IF | FL_TF | FL_AC | FL_RF);
    seg_load_real(cpu, SEG_CS, (uint16_t)(entry >> 16));
    cpu->eip = cpu->next_eip = entry & 0xFFFF;
}

/* ---- protected mode through the IDT ------------------------------------------------------ */

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
    g.type = (hi >> 8) & 0x1F; /* includes the S bit: a code/data descriptor is no gate */
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

/* Pushes onto the stack described by `ss` (the current SS, or the inner stack of a
 * privilege change that is not loaded yet). A limit violation raises #SS(err). */
void push_on_stack(CpuState *cpu, const SegCache *ss, uint32_t *esp, unsigned size, uint32_t v,
                   uint32_t err, bool user)
{
    bool big = ss->attr & SA_DB;
    uint32_t nsp = big ? *esp - size : ((*esp & 0xFFFF0000u) | ((*esp - size) & 0xFFFF));
    uint32_t off = big ? nsp : (nsp & 0xFFFF);
    if (!seg_offset_ok(ss, off, size))
        cpu_raise(cpu, EXC_SS, err);
    uint32_t lin = ss->base + off;
    /* A frame pushed at CPL 3 (same-ring delivery, the error code of a task switch into a
     * ring-3 task) is a ring-3 stack write: alignment-checked, with EXT in the error code
     * (user pushes get err = EXT from their callers). */
    if (user && cpu_align_armed(cpu) && (lin & (size - 1)))
        cpu_raise(cpu, EXC_AC, err & 1);
    if (size == 4)
        mmu_write32(cpu, lin, v, user);
    else
        mmu_write16(cpu, lin, (uint16_t)v, user);
    *esp = nsp;
}

/* Task gate in the IDT: the TSS it names must be an available TSS in the GDT. The outgoing
 * TSS keeps the EFLAGS image the event would have pushed (`flags`: RF for a fault). */
static void deliver_task_gate(CpuState *cpu, const Gate *g, uint32_t flags, bool has_error,
                              uint32_t error, uint32_t return_eip, uint32_t ext)
{
    uint32_t err = (g->sel & 0xFFFC) | ext;
    if (g->sel & 4)
        cpu_raise(cpu, EXC_GP, err);
    Descriptor tss = desc_read(cpu, g->sel, ext);
    unsigned t = desc_type(tss);
    if (!desc_is_system(tss) || (t != 1 && t != 9))
        cpu_raise(cpu, EXC_GP, err);
    if (!desc_present(tss))
        cpu_raise(cpu, EXC_NP, err);
    task_switch(cpu, g->sel, tss, TS_INT, has_error, error, return_eip, flags, ext);
}

/* Reads and checks the new stack of an inner-privilege interrupt (#TS/#SS cases). */
static SegCache inner_stack(CpuState *cpu, unsigned dpl, uint32_t ext, uint32_t *esp,
                            Descriptor *ssd_out, uint16_t *sel_out)
{
    uint16_t new_ss;
    task_inner_stack(cpu, dpl, &new_ss, esp, ext);
    uint32_t ss_err = (new_ss & 0xFFFC) | ext;
    if ((new_ss & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_TS, ext);
    Descriptor ssd = desc_read_ts(cpu, new_ss, ext);
    if ((new_ss & 3) != dpl)
        cpu_raise(cpu, EXC_TS, ss_err);
    bool writable_data = !desc_is_system(ssd) && !desc_is_code(ssd) && (ssd.hi & 0x200);
    if (desc_dpl(ssd) != dpl || !writable_data)
        cpu_raise(cpu, EXC_TS, ss_err);
    if (!desc_present(ssd))
        cpu_raise(cpu, EXC_SS, ss_err);
    *ssd_out = ssd;
    *sel_out = new_ss;
    return desc_to_cache(new_ss, ssd);
}

/* The frame of an interrupt that enters a more privileged ring: the TSS stack of ring
 * `dpl`, and (from virtual-8086 mode) the data segments, which are then nulled. */
static void push_inner_frame(CpuState *cpu, unsigned dpl, unsigned size, uint32_t flags,
                             bool has_error, uint32_t error, uint32_t return_eip, uint32_t ext,
                             bool target_ok)
{
    bool from_vm86 = flags & FL_VM;
    Descriptor ssd;
    uint16_t new_ss;
    uint32_t esp;
    SegCache nss = inner_stack(cpu, dpl, ext, &esp, &ssd, &new_ss);
    if (!target_ok) /* the SDM checks the handler's EIP after the new stack */
        cpu_raise(cpu, EXC_GP, ext);
    uint32_t ss_err = (new_ss & 0xFFFC) | ext;
    /* Build the frame on the new stack; nothing is committed until it is all pushed. */
    if (from_vm86) {
        push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_GS].sel, ss_err, false);
        push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_FS].sel, ss_err, false);
        push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_DS].sel, ss_err, false);
        push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_ES].sel, ss_err, false);
    }
    push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_SS].sel, ss_err, false);
    push_on_stack(cpu, &nss, &esp, size, cpu->ESP, ss_err, false);
    push_on_stack(cpu, &nss, &esp, size, flags, ss_err, false);
    push_on_stack(cpu, &nss, &esp, size, cpu->seg[SEG_CS].sel, ss_err, false);
    push_on_stack(cpu, &nss, &esp, size, return_eip, ss_err, false);
    if (has_error)
        push_on_stack(cpu, &nss, &esp, size, error, ss_err, false);
    desc_set_accessed(cpu, new_ss, &ssd);
    cpu->seg[SEG_SS] = desc_to_cache(new_ss, ssd);
    cpu->ESP = esp;
    if (from_vm86) {
        static const int clear[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
        for (int i = 0; i < 4; i++)
            seg_make_null(&cpu->seg[clear[i]], 0);
    }
}

/* The frame of an interrupt that stays in the current ring, on the current stack. */
static void push_same_frame(CpuState *cpu, unsigned size, uint32_t flags, bool has_error,
                            uint32_t error, uint32_t return_eip, uint32_t ext)
{
    const SegCache ss = cpu->seg[SEG_SS];
    bool user = cpu->cpl == 3;
    uint32_t esp = cpu->ESP;
    push_on_stack(cpu, &ss, &esp, size, flags, ext, user);
    push_on_stack(cpu, &ss, &esp, size, cpu->seg[SEG_CS].sel, ext, user);
    push_on_stack(cpu, &ss, &esp, size, return_eip, ext, user);
    if (has_error)
        push_on_stack(cpu, &ss, &esp, size, error, ext, user);
    cpu->ESP = esp;
}

static void deliver_protected(CpuState *cpu, int vector, EventKind kind, uint32_t flags,
                              bool has_error, uint32_t error, uint32_t return_eip)
{
    uint32_t ext = (kind == EV_SOFTWARE_INT || kind == EV_SOFTWARE_EXC) ? 0 : 1;
    Gate g = read_gate(cpu, vector, kind, ext);
    if (g.type == 5) {
        deliver_task_gate(cpu, &g, flags, has_error, error, return_eip, ext);
        return;
    }
    bool gate32 = g.type >= 0xE, trap = g.type & 1;
    unsigned size = gate32 ? 4 : 2;
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
    bool from_vm86 = flags & FL_VM;
    uint32_t target = gate32 ? g.offset : (g.offset & 0xFFFF);
    bool inner = !conforming && dpl < cpu->cpl;
    /* Virtual-8086 code may only enter a ring-0, non-conforming handler. */
    if (from_vm86 && (!inner || dpl != 0))
        cpu_raise(cpu, EXC_GP, sel_err);
    bool target_ok = target <= desc_limit(cs);
    if (inner) {
        push_inner_frame(cpu, dpl, size, flags, has_error, error, return_eip, ext, target_ok);
    } else {
        if (!target_ok)
            cpu_raise(cpu, EXC_GP, ext);
        push_same_frame(cpu, size, flags, has_error, error, return_eip, ext);
        dpl = cpu->cpl;
    }
    desc_set_accessed(cpu, g.sel, &cs);
    cpu->seg[SEG_CS] = desc_to_cache((uint16_t)((g.sel & 0xFFFC) | dpl), cs);
    cpu->cpl = (uint8_t)dpl;
    cpu_flags_materialize(cpu);
    cpu->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM);
    if (!trap)
        cpu->eflags &= ~FL_IF;
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
    uint32_t flags = cpu_get_eflags(cpu);
    if (kind == EV_EXCEPTION && is_fault_class(vector))
        flags |= FL_RF;
    if (!cpu_pe(cpu))
        deliver_real(cpu, vector, flags, return_eip);
    else
        deliver_protected(cpu, vector, kind, flags, has_error, error, return_eip);
    /* A successful delivery leaves no instruction-level state behind. */
    cpu->inhibit_irq = 0;
}

void cpu_handle_exception(CpuState *cpu)
{
    int vec = cpu->exc_vector;
    int first = cpu->delivering;
    if (first == EXC_DF) {
        if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("cpu: triple fault: exception %02x while delivering the double fault "
                       "at %04x:%08x\n", vec, cpu->seg[SEG_CS].sel, cpu->eip);
        cpu->shutdown = true; /* triple fault */
        cpu->delivering = -1;
        return;
    }
    if (first >= 0) {
        bool df = (is_contributory(first) && is_contributory(vec)) ||
                  (first == EXC_PF && (vec == EXC_PF || is_contributory(vec)));
        if (df) {
            if (log_enabled(LOG_GUEST_ERRORS))
                log_printf("cpu: double fault: exception %02x while delivering %02x at "
                           "%04x:%08x\n", vec, first, cpu->seg[SEG_CS].sel, cpu->eip);
            vec = EXC_DF;
            cpu->exc_error = 0;
            cpu->exc_has_error = true;
        }
    }
    cpu->trap_pending = false; /* a fault cancels the traps of the instruction */
    cpu->dr6_pending = 0;
    cpu->delivering = vec;
    cpu->next_eip = cpu->eip;
    cpu_deliver_event(cpu, vec, EV_EXCEPTION, cpu->exc_has_error, cpu->exc_error, cpu->eip);
    cpu->delivering = -1;
}
