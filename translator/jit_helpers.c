/* jit_helpers.c — the C functions translated code calls: interpreter fallbacks, the slow
 * paths of guest memory accesses, raising exceptions, flag evaluation, and the lookup of
 * the next block for indirect exits. Each one that can fault first puts the faulting
 * instruction's EIP in CpuState; the generated code has already written back everything
 * else (registers, lazy flags, icount), so a fault is delivered exactly as the interpreter
 * would deliver it. */
#include "cpu/access.h"
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp.h"
#include "softmmu/mmu.h"
#include "translator/jit_internal.h"

#define ABORT_LOAD (1ull << 32)

/* Runs `insn` (the instruction at rec->eip) as cpu_step does; true when the block must be
 * left after it for a reason other than where it went (see jit_helper_exec_insn). */
static bool run_insn(CpuState *cpu, const JitInsnRec *rec, const DecodedInsn *insn)
{
    JitState *j = cpu->engine;
    j->stats.helper_calls++;
    j->stats.handler_by_op[insn->op]++;
    uint64_t flushes = cpu->stats.tlb_flushes;
    cpu_step_decoded(cpu, insn, false);
    bool irq = (cpu->intr && (cpu->eflags & FL_IF)) || cpu->nmi_pending;
    return !rec->tb->valid || cpu->exit_request || cpu->halted || irq ||
           cpu->stats.tlb_flushes != flushes;
}

/* Runs one instruction through its interpreter handler, with the bookkeeping cpu_step does
 * after every instruction (cpu_step_decoded; the JIT never runs with TF set).
 * Returns nonzero when the block must be left after this instruction: it branched, its
 * block was invalidated (it wrote its own code, or a device DMAed over it), an interrupt
 * became deliverable, something asked the CPU to stop (a device's earlier deadline too),
 * or the TLB was flushed (A20 or a PAM register: the rest of the block may have been
 * decoded from memory that is no longer there). */
uint32_t jit_helper_exec_insn(CpuState *cpu, const JitInsnRec *rec)
{
    cpu->eip = rec->eip;
    bool leave = run_insn(cpu, rec, &rec->insn);
    return leave || cpu->eip != rec->eip + rec->insn.len;
}

/* A block made of one instruction that continues on the next page holds none of its
 * bytes (a block never depends on a second page): the instruction is fetched and decoded
 * here on every run, so a write to either page or a new mapping of the second is seen as
 * the interpreter sees it. The block then goes on at cpu->eip through the jump cache, so
 * besides run_insn's reasons it returns nonzero (leave through the dispatcher) when the
 * next instruction needs the interpreter (an interrupt shadow after a load of SS, TF set
 * by POPF). */
uint32_t jit_helper_exec_fetch(CpuState *cpu, const JitInsnRec *rec)
{
    cpu->eip = rec->eip;
    DecodedInsn insn;
    cpu_fetch_decode(cpu, &insn);
    return run_insn(cpu, rec, &insn) || jit_needs_interp(cpu);
}

/* Physical address of `lin` for an access, from the TLB when it holds a translation, else
 * by a page walk (which may raise #PF). */
static uint32_t translate(CpuState *cpu, uint32_t lin, MmuAccess acc, bool user)
{
    const TlbEntry *e = tlb_entry(cpu, lin, user);
    uint32_t tag = acc == MMU_WRITE ? e->tag_write : e->tag_read;
    if (!(tag & TLB_INVALID) && (tag & PAGE_MASK) == (lin & PAGE_MASK))
        return e->phys_page | (lin & 0xFFF);
    return mmu_translate(cpu, lin, acc, user);
}

/* Can the access at [lin, lin+size) be done here? Translates both pages first (in order,
 * as the interpreter does: a fault is raised now). RAM and ROM can; MMIO and holes (device
 * side effects, and the interrupt they may raise must be taken right after the
 * instruction) and writes over the running block's own code go to the interpreter. */
static bool can_access(CpuState *cpu, uint32_t lin, unsigned size, bool write, bool user,
                       const TransBlock *running)
{
    unsigned first = 0x1000 - (lin & 0xFFF);
    uint32_t pa[2];
    unsigned len[2] = {size < first ? size : first, size < first ? 0 : size - first};
    MmuAccess acc = write ? MMU_WRITE : MMU_READ;
    pa[0] = translate(cpu, lin, acc, user);
    if (len[1])
        pa[1] = translate(cpu, lin + first, acc, user);
    for (int i = 0; i < 2 && len[i]; i++) {
        uintptr_t d = physmem_desc(cpu->mem, pa[i]);
        if (!(d & PG_RAM))
            return false;
        if (write && (d & PG_CODE) && tb_overlaps(running, pa[i], len[i]))
            return false;
    }
    return true;
}

/* A block whose host-window accesses keep faulting goes back to the TLB path. */
static inline void check_window_faults(JitState *j, const JitMemSite *site)
{
    if (__builtin_expect(site->tb->win_faults >= JIT_WIN_FAULT_LIMIT, 0))
        jit_window_demote(j, site->tb);
}

static uint32_t sign_extend(uint32_t v, unsigned size)
{
    return size == 1 ? (uint32_t)(int32_t)(int8_t)v
           : size == 2 ? (uint32_t)(int32_t)(int16_t)v
                       : v;
}

uint64_t jit_helper_load(CpuState *cpu, uint32_t off, uint32_t unused, const JitMemSite *site,
                         uint64_t icount)
{
    (void)unused;
    JitState *j = cpu->engine;
    j->stats.slow_mem++;
    check_window_faults(j, site);
    cpu->icount = icount - site->pending;
    cpu->eip = site->eip;
    bool user = site->flags & JMS_USER;
    uint32_t lin = seg_check(cpu, site->seg, off, site->size, (site->flags & JMS_RMW) != 0);
    if (!can_access(cpu, lin, site->size, false, user, site->tb))
        return ABORT_LOAD;
    uint32_t v = (uint32_t)mmu_read_slow(cpu, lin, site->size, user);
    return (site->flags & JMS_SIGNED) ? sign_extend(v, site->size) : v;
}

uint32_t jit_helper_store(CpuState *cpu, uint32_t off, uint32_t value, const JitMemSite *site,
                          uint64_t icount)
{
    JitState *j = cpu->engine;
    j->stats.slow_mem++;
    check_window_faults(j, site);
    cpu->icount = icount - site->pending;
    cpu->eip = site->eip;
    bool user = site->flags & JMS_USER;
    uint32_t lin = seg_check(cpu, site->seg, off, site->size, true);
    if (!can_access(cpu, lin, site->size, true, user, site->tb))
        return 1;
    mmu_write_slow(cpu, lin, site->size, value, user);
    return 0;
}

void jit_helper_raise(CpuState *cpu, uint32_t eip, uint32_t vector)
{
    cpu->eip = eip;
    cpu_raise(cpu, (int)vector, 0);
}

uint32_t jit_helper_cond(CpuState *cpu, uint32_t cc) { return cpu_cond(cpu, cc & 15); }

uint32_t jit_helper_get_cf(CpuState *cpu) { return cpu_get_cf(cpu) ? FL_CF : 0; }

uint32_t jit_helper_arith_flags(CpuState *cpu) { return cpu_get_eflags(cpu) & FL_ARITH; }
