/* cpu_exec.c — the execution loop of the reference interpreter: fetch, decode, execute,
 * interrupts between instructions, the interrupt shadow and single-step traps. */
#include "cpu/cpu.h"

#include <stdio.h>

#include "cpu/debug_regs.h"
#include "cpu/disasm.h"
#include "cpu/interp.h"
#include "machine/log.h"
#include "softmmu/mmu.h"

static void log_instruction(CpuState *cpu, const DecodedInsn *insn)
{
    uint8_t bytes[INSN_MAX_LEN];
    uint32_t lin = cpu->seg[SEG_CS].base + cpu->eip;
    for (unsigned i = 0; i < insn->len; i++) {
        uint32_t pa;
        bytes[i] = mmu_peek_translate(cpu, lin + i, &pa) ? (uint8_t)physmem_read(cpu->mem, pa, 1)
                                                        : 0;
    }
    char text[128];
    disasm_format(bytes, insn->len, cpu_code32(cpu), cpu->eip, text, sizeof text);
    if (log_enabled(LOG_CPU))
        log_printf("EAX=%08x EBX=%08x ECX=%08x EDX=%08x ESI=%08x EDI=%08x EBP=%08x ESP=%08x "
                   "EFL=%08x\n",
                   cpu->EAX, cpu->EBX, cpu->ECX, cpu->EDX, cpu->ESI, cpu->EDI, cpu->EBP, cpu->ESP,
                   cpu_get_eflags(cpu));
    log_printf("%04x:%08x  %s\n", cpu->seg[SEG_CS].sel, cpu->eip, text);
}

void cpu_fetch_decode(CpuState *cpu, DecodedInsn *insn)
{
    const SegCache *cs = &cpu->seg[SEG_CS];
    uint32_t eip = cpu->eip;
    if (eip > cs->limit)
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t avail = cs->limit - eip + 1; /* bytes inside the CS limit */
    if (avail == 0 || avail > INSN_MAX_LEN)
        avail = INSN_MAX_LEN; /* avail == 0 only when the limit spans all 4 GiB */
    uint32_t lin = cs->base + eip;
    uint8_t buf[INSN_MAX_LEN];
    bool user = cpu->cpl == 3;
    unsigned first = 0x1000 - (lin & 0xFFF);
    if (first > avail)
        first = avail;
    mmu_fetch(cpu, lin, buf, first, user);
    bool code32 = cpu_code32(cpu);
    DecodeStatus st = decode(buf, first, code32, insn);
    unsigned fetched = first;
    if (st == DEC_NEED_MORE && first < avail) { /* continues on the next page */
        mmu_fetch(cpu, lin + first, buf + first, avail - first, user);
        st = decode(buf, avail, code32, insn);
        fetched = avail;
    }
    switch (st) {
    case DEC_OK: return;
    case DEC_UNDEFINED: cpu_raise_undefined(cpu, buf, fetched); /* #UD, or #NM for D8-DF */
    default: cpu_raise(cpu, EXC_GP, 0); /* past the CS limit, or longer than 15 bytes */
    }
}

bool cpu_check_interrupts(CpuState *cpu)
{
    if (cpu->inhibit_irq)
        return false;
    if (cpu->nmi_pending && !cpu->nmi_blocked) {
        cpu->nmi_pending = false;
        cpu->nmi_blocked = true;
        cpu->next_eip = cpu->eip;
        cpu_deliver_event(cpu, EXC_NMI, EV_EXTERNAL, false, 0, cpu->eip);
        return true;
    }
    if (cpu->intr && (cpu->eflags & FL_IF) && cpu->intr_ack) {
        int vector = cpu->intr_ack(cpu->intr_opaque);
        cpu->next_eip = cpu->eip;
        cpu_deliver_event(cpu, vector & 0xFF, EV_EXTERNAL, false, 0, cpu->eip);
        return true;
    }
    return false;
}

/* Delivers the #DB trap for the instruction just completed (single step, data or I/O
 * breakpoint, T bit of a new task): DR6 gets the recorded status bits, the pushed EIP is
 * the next instruction's.
 * Livelock guard: the delivery itself may hit a data breakpoint (on the handler's stack,
 * its IVT/IDT entry), whose trap outranks everything at the next boundary, forever, with
 * no instruction retired, so neither the engine's budget nor the run loop's timers and
 * --max-insns would ever be reached. A #DB trap delivered with no instruction retired
 * since the previous one is therefore charged as one instruction (deterministic, the same
 * in every engine: they all deliver traps here), and once that spends the budget the
 * engine is asked to return. */
void cpu_deliver_debug_trap(CpuState *cpu)
{
    if (cpu->icount == cpu->db_trap_icount) {
        cpu->icount++;
        if (cpu->icount >= cpu->icount_limit)
            cpu->exit_request = true;
    }
    cpu->dr[6] |= cpu->dr6_pending;
    cpu->dr6_pending = 0;
    cpu->trap_pending = false;
    cpu->delivering = EXC_DB;
    cpu->next_eip = cpu->eip;
    cpu_deliver_event(cpu, EXC_DB, EV_EXCEPTION, false, 0, cpu->eip);
    cpu->delivering = -1;
    cpu->db_trap_icount = cpu->icount;
}

/* MOV SS and POP SS hold the debug traps of their instruction until after the next one. */
static bool loads_ss(const DecodedInsn *insn)
{
    return (insn->op == OP_MOV_TO_SEG || insn->op == OP_POP) &&
           insn->opnd[0].type == OPT_SEG && insn->opnd[0].reg == SEG_SS;
}

void cpu_step(CpuState *cpu)
{
    bool single_step = cpu->eflags & FL_TF;
    if (!(cpu->eflags & FL_RF) && dbg_exec_armed(cpu))
        dbg_check_insn(cpu); /* instruction breakpoint: a fault before the fetch */
    DecodedInsn insn;
    cpu_fetch_decode(cpu, &insn);
    if (log_mask & (LOG_IN_ASM | LOG_CPU))
        log_instruction(cpu, &insn);
    cpu_step_decoded(cpu, &insn, single_step);
}

void cpu_step_decoded(CpuState *cpu, const DecodedInsn *insn, bool single_step)
{
    cpu->keep_rf = false;
    cpu->no_step_trap = false;
    interp_execute(cpu, insn);
    if (cpu->inhibit_irq)
        cpu->inhibit_irq--;
    if (!cpu->keep_rf)
        cpu->eflags &= ~FL_RF;
    /* Single-step trap after an instruction that began with TF set, unless it entered a
     * handler through INT n/INT3/INTO/ICEBP (the gate cleared TF). */
    if (single_step && !cpu->no_step_trap) {
        cpu->dr6_pending |= DR6_BS;
        cpu->trap_pending = true;
    }
    if (cpu->trap_pending && !loads_ss(insn))
        cpu_deliver_debug_trap(cpu);
}

CpuExit cpu_exec(CpuState *cpu, uint64_t max_insns)
{
    cpu->icount_limit = cpu->icount + max_insns;
    cpu_clock_sync(cpu);
    if (setjmp(cpu->exc_jmp)) {
        cpu_handle_exception(cpu); /* may longjmp back here for a nested fault */
        if (cpu->shutdown)
            return CPU_EXIT_SHUTDOWN;
    }
    for (;;) {
        if (cpu->exit_request) {
            cpu->exit_request = false;
            return CPU_EXIT_REQUEST;
        }
        /* A trap raised outside an instruction (T bit of a task entered through a task
         * gate) comes before interrupts. */
        if (cpu->trap_pending && !cpu->inhibit_irq) {
            cpu_deliver_debug_trap(cpu);
            continue;
        }
        if ((cpu->intr || cpu->nmi_pending) && cpu_check_interrupts(cpu))
            continue;
        if (cpu->halted)
            return CPU_EXIT_HALT;
        if (cpu->icount >= cpu->icount_limit)
            return CPU_EXIT_BUDGET;
        cpu_step(cpu);
    }
}
