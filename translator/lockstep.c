/* lockstep.c — run every block in both engines and compare (DESIGN.md invariant 4).
 *
 * For each block: snapshot CpuState, run the translated block while logging every guest
 * memory write (old bytes), record the JIT's final state and written bytes, undo its writes
 * and restore the snapshot, run the interpreter for the same number of instructions (also
 * logging writes), then compare the architectural state and every byte either engine
 * wrote. A fault inside the block is compared too: the interpreter must fault at the same
 * instruction with the same vector and error code. The first difference is printed with
 * both states and the block's disassembly, and vmm86 exits with JIT_LOCKSTEP_FAILURE.
 *
 * Writes are seen through PhysMem's code-write callback: in lockstep every RAM page is
 * marked as holding code, so every write (translated stores, interpreter handlers, page-table
 * A/D updates) reaches physmem_write. One consequence: translated stores always take their
 * slow path here; the inline store fast path is exercised by the jit engine. Port I/O never
 * runs inside a lockstep block (devices must see each access once); it and MMIO accesses
 * run in the interpreter between blocks.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/disasm.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "softmmu/mmu.h"
#include "translator/jit_internal.h"

#define LS_MAX_WRITES 4096
#define LS_MAX_BYTES 65536

typedef struct LsWrite {
    uint32_t pa;
    uint32_t len;
    uint32_t data; /* offset of the old bytes in Lockstep.bytes */
} LsWrite;

typedef struct LsLog {
    LsWrite w[LS_MAX_WRITES];
    unsigned n;
    uint8_t bytes[LS_MAX_BYTES];
    unsigned nbytes;
    bool overflow;
} LsLog;

typedef struct Lockstep {
    LsLog jit, interp;
    LsLog *active;       /* log being filled, or NULL */
    CpuState before, after_jit;
    uint8_t jit_new[LS_MAX_BYTES]; /* bytes the JIT's writes left, parallel to jit.bytes */
    uint64_t blocks, skipped_mem;
    uint64_t io_seen;    /* cpu->stats.io_accesses when pages were last marked */
    bool need_mark, marked_all;
} Lockstep;

bool lockstep_init(JitState *j)
{
    j->ls = calloc(1, sizeof *j->ls);
    if (j->ls)
        j->ls->need_mark = true;
    return j->ls != NULL;
}

void lockstep_free(JitState *j)
{
    free(j->ls);
    j->ls = NULL;
}

void lockstep_log_write(JitState *j, uint32_t pa, unsigned len)
{
    Lockstep *ls = j->ls;
    if (!ls || !ls->active)
        return;
    LsLog *log = ls->active;
    uint8_t *host = physmem_host(j->cpu->mem, pa);
    if (!host || len > 4096 - (pa & 0xFFF))
        return;
    if (log->n == LS_MAX_WRITES || len > LS_MAX_BYTES - log->nbytes) {
        log->overflow = true;
        return;
    }
    log->w[log->n++] = (LsWrite){pa, len, log->nbytes};
    memcpy(log->bytes + log->nbytes, host, len);
    log->nbytes += len;
}

static bool mark_range(PhysMem *pm, uint32_t from, uint32_t to)
{
    bool any = false;
    for (uint32_t pa = from; pa < to; pa += PAGE_SIZE) {
        uintptr_t d = physmem_desc(pm, pa);
        if ((d & (PG_RAM | PG_WRITABLE | PG_CODE)) == (PG_RAM | PG_WRITABLE)) {
            physmem_set_code(pm, pa, true);
            any = true;
        }
    }
    return any;
}

/* Every writable RAM page is marked as a code page so writes reach the log, and TLB write
 * entries filled before are sent to the slow path. The legacy area below 1 MiB is marked
 * again after port I/O or MMIO ran in the interpreter: the board may have remapped it
 * (PAM shadowing). Pages mapped elsewhere later (a linear frame buffer) are not logged: a
 * JIT write there would be replayed over itself, which only plain stores survive. */
static void mark_pages(JitState *j)
{
    CpuState *cpu = j->cpu;
    PhysMem *pm = cpu->mem;
    Lockstep *ls = j->ls;
    bool any;
    if (!ls->marked_all) {
        any = mark_range(pm, 0, pm->ram_size > 0x100000 ? pm->ram_size : 0x100000);
        ls->marked_all = true;
    } else if (ls->need_mark || cpu->stats.io_accesses != ls->io_seen) {
        any = mark_range(pm, 0xA0000, 0x100000);
    } else {
        return;
    }
    ls->need_mark = false;
    ls->io_seen = cpu->stats.io_accesses;
    if (!any)
        return;
    for (unsigned u = 0; u < 2; u++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            if (!(cpu->tlb.e[u][i].tag_write & TLB_INVALID))
                cpu->tlb.e[u][i].tag_write |= TLB_SLOW;
}

/* ---- reporting ---------------------------------------------------------------------------- */

static void print_state(const char *title, const CpuState *c)
{
    fprintf(stderr, "%s:\n", title);
    fprintf(stderr, "  EAX=%08x EBX=%08x ECX=%08x EDX=%08x ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n",
            c->EAX, c->EBX, c->ECX, c->EDX, c->ESI, c->EDI, c->EBP, c->ESP);
    fprintf(stderr, "  EIP=%08x EFLAGS=%08x CPL=%u icount=%llu halted=%d shadow=%u\n", c->eip,
            cpu_get_eflags(c), c->cpl, (unsigned long long)c->icount, c->halted,
            c->inhibit_irq);
    static const char *const names[SEG_COUNT] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    for (int s = 0; s < SEG_COUNT; s++)
        fprintf(stderr, "  %s=%04x base %08x limit %08x attr %04x\n", names[s], c->seg[s].sel,
                c->seg[s].base, c->seg[s].limit, c->seg[s].attr);
    fprintf(stderr, "  CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", c->cr0, c->cr2, c->cr3, c->cr4);
}

static void print_block(JitState *j, const TransBlock *tb)
{
    fprintf(stderr, "block at %08x (phys %08x, mode %08x), %u instructions:\n", tb->eip,
            tb->phys, tb->mode, tb->ninsns);
    for (unsigned i = 0; i < tb->ninsns; i++) {
        const JitInsnRec *r = &tb->insns[i];
        const uint8_t *host = physmem_host(j->cpu->mem,
                                           tb->phys_page | ((tb->cs_base + r->eip) & 0xFFF));
        char text[128] = "?";
        if (host)
            disasm_format(host, r->insn.len, tb->mode & JM_CODE32, r->eip, text, sizeof text);
        fprintf(stderr, "  %08x  %s\n", r->eip, text);
    }
}

static _Noreturn void report(JitState *j, const TransBlock *tb, const char *what)
{
    fprintf(stderr, "vmm86: lockstep: the JIT and the interpreter differ: %s\n", what);
    print_block(j, tb);
    print_state("state before the block", &j->ls->before);
    print_state("JIT", &j->ls->after_jit);
    print_state("interpreter", j->cpu);
    fflush(stderr);
    exit(JIT_LOCKSTEP_FAILURE);
}

/* ---- comparison ---------------------------------------------------------------------------- */

static bool seg_equal(const SegCache *a, const SegCache *b)
{
    return a->base == b->base && a->limit == b->limit && a->sel == b->sel && a->attr == b->attr;
}

/* The architectural state: NULL if equal, else what differs. */
const char *lockstep_compare_cpu(const CpuState *a, const CpuState *b)
{
    for (int r = 0; r < 8; r++)
        if (a->gpr[r].d != b->gpr[r].d)
            return "general registers";
    if (a->eip != b->eip)
        return "EIP";
    if (cpu_get_eflags(a) != cpu_get_eflags(b))
        return "EFLAGS";
    for (int s = 0; s < SEG_COUNT; s++)
        if (!seg_equal(&a->seg[s], &b->seg[s]))
            return "segment registers";
    if (!seg_equal(&a->ldtr, &b->ldtr) || !seg_equal(&a->tr, &b->tr) ||
        a->gdtr.base != b->gdtr.base || a->gdtr.limit != b->gdtr.limit ||
        a->idtr.base != b->idtr.base || a->idtr.limit != b->idtr.limit)
        return "descriptor-table registers";
    if (a->cr0 != b->cr0 || a->cr2 != b->cr2 || a->cr3 != b->cr3 || a->cr4 != b->cr4)
        return "control registers";
    if (memcmp(a->dr, b->dr, sizeof a->dr))
        return "debug registers";
    if (a->cpl != b->cpl || a->icount != b->icount || a->halted != b->halted ||
        a->inhibit_irq != b->inhibit_irq || a->nmi_blocked != b->nmi_blocked)
        return "CPL, icount, halt or interrupt-shadow state";
    if (a->sysenter_cs != b->sysenter_cs || a->sysenter_esp != b->sysenter_esp ||
        a->sysenter_eip != b->sysenter_eip || a->tsc_offset != b->tsc_offset ||
        memcmp(a->perfevtsel, b->perfevtsel, sizeof a->perfevtsel) ||
        memcmp(a->perfctr, b->perfctr, sizeof a->perfctr))
        return "MSRs";
    if (memcmp(&a->fpu, &b->fpu, sizeof a->fpu))
        return "x87/SSE state";
    return NULL;
}

/* The JIT's final value of each byte it wrote is in jit_new; a byte only the interpreter
 * wrote must still hold its value from before the block. */
static bool jit_final_byte(const Lockstep *ls, uint32_t pa, uint8_t *v)
{
    for (unsigned i = ls->jit.n; i-- > 0;) {
        const LsWrite *w = &ls->jit.w[i];
        if (pa >= w->pa && pa - w->pa < w->len) {
            *v = ls->jit_new[w->data + (pa - w->pa)];
            return true;
        }
    }
    return false;
}

static const char *compare_memory(JitState *j, uint32_t *where)
{
    Lockstep *ls = j->ls;
    PhysMem *pm = j->cpu->mem;
    for (unsigned i = 0; i < ls->jit.n; i++) {
        const LsWrite *w = &ls->jit.w[i];
        const uint8_t *host = physmem_host(pm, w->pa);
        for (uint32_t k = 0; k < w->len; k++) {
            uint8_t v = 0;
            jit_final_byte(ls, w->pa + k, &v);
            if (host[k] != v) {
                *where = w->pa + k;
                return "memory written by the JIT";
            }
        }
    }
    for (unsigned i = 0; i < ls->interp.n; i++) {
        const LsWrite *w = &ls->interp.w[i];
        const uint8_t *host = physmem_host(pm, w->pa);
        for (uint32_t k = 0; k < w->len; k++) {
            uint8_t v = 0;
            if (!jit_final_byte(ls, w->pa + k, &v)) {
                /* The first interpreter write of this byte logged its original value. */
                v = ls->interp.bytes[w->data + k];
                for (unsigned e = 0; e < i; e++) {
                    const LsWrite *x = &ls->interp.w[e];
                    if (w->pa + k >= x->pa && w->pa + k - x->pa < x->len) {
                        v = ls->interp.bytes[x->data + (w->pa + k - x->pa)];
                        break;
                    }
                }
            }
            if (host[k] != v) {
                *where = w->pa + k;
                return "memory written by the interpreter only";
            }
        }
    }
    return NULL;
}

/* Undoes the JIT's writes, newest first, straight in host memory (no more logging). */
static void undo_jit_writes(JitState *j)
{
    Lockstep *ls = j->ls;
    for (unsigned i = 0; i < ls->jit.n; i++) {
        const LsWrite *w = &ls->jit.w[i];
        memcpy(ls->jit_new + w->data, physmem_host(j->cpu->mem, w->pa), w->len);
    }
    for (unsigned i = ls->jit.n; i-- > 0;) {
        const LsWrite *w = &ls->jit.w[i];
        memcpy(physmem_host(j->cpu->mem, w->pa), ls->jit.bytes + w->data, w->len);
    }
}

/* ---- one block in both engines --------------------------------------------------------------- */

typedef struct Fault {
    bool happened;
    int vector;
    uint32_t error;
} Fault;

/* Copies CpuState, the TLB (16 KiB of the structure) only when asked. */
static void copy_cpu(CpuState *dst, const CpuState *src, bool with_tlb)
{
    size_t t0 = offsetof(CpuState, tlb), t1 = t0 + sizeof(Tlb);
    memcpy(dst, src, t0);
    memcpy((uint8_t *)dst + t1, (const uint8_t *)src + t1, sizeof *dst - t1);
    if (with_tlb)
        memcpy(&dst->tlb, &src->tlb, sizeof dst->tlb);
}

/* Did running the block change the TLB? Fills and flushes are counted; INVLPG is not. */
static bool tlb_changed(const CpuState *now, const CpuState *before, const TransBlock *tb)
{
    if (now->stats.tlb_misses != before->stats.tlb_misses ||
        now->stats.tlb_flushes != before->stats.tlb_flushes)
        return true;
    for (unsigned i = 0; i < tb->ninsns; i++)
        if (tb->insns[i].insn.op == OP_INVLPG)
            return true;
    return false;
}

/* Restores cpu from `s` but keeps the live exception jump buffer. */
static void restore_cpu(CpuState *cpu, const CpuState *s, bool with_tlb)
{
    jmp_buf keep;
    memcpy(keep, cpu->exc_jmp, sizeof keep);
    copy_cpu(cpu, s, with_tlb);
    memcpy(cpu->exc_jmp, keep, sizeof keep);
}

static uintptr_t run_jit(JitState *j, TransBlock *tb, Fault *f)
{
    CpuState *cpu = j->cpu;
    jmp_buf outer;
    memcpy(outer, cpu->exc_jmp, sizeof outer);
    volatile uintptr_t r = JIT_RET_NORMAL;
    f->happened = false;
    if (setjmp(cpu->exc_jmp) == 0) {
        r = j->enter(cpu, tb->code);
    } else {
        f->happened = true;
        f->vector = cpu->exc_vector;
        f->error = cpu->exc_error;
    }
    memcpy(cpu->exc_jmp, outer, sizeof outer);
    return r;
}

/* Runs n instructions in the interpreter, then (if `expect_fault`) one that must fault. */
static bool run_interp(JitState *j, uint64_t n, bool expect_fault, Fault *f)
{
    CpuState *cpu = j->cpu;
    jmp_buf outer;
    memcpy(outer, cpu->exc_jmp, sizeof outer);
    volatile uint64_t done = 0;
    f->happened = false;
    if (setjmp(cpu->exc_jmp) == 0) {
        while (done < n + (expect_fault ? 1 : 0)) {
            cpu_step(cpu);
            done++;
        }
    } else {
        f->happened = true;
        f->vector = cpu->exc_vector;
        f->error = cpu->exc_error;
    }
    memcpy(cpu->exc_jmp, outer, sizeof outer);
    return done == n;
}

static void check_block(JitState *j, TransBlock *tb)
{
    Lockstep *ls = j->ls;
    CpuState *cpu = j->cpu;
    ls->blocks++;
    copy_cpu(&ls->before, cpu, true);
    ls->jit.n = ls->jit.nbytes = 0;
    ls->jit.overflow = false;
    ls->active = &ls->jit;
    Fault fj, fi;
    uintptr_t r = run_jit(j, tb, &fj);
    ls->active = NULL;
    copy_cpu(&ls->after_jit, cpu, false);
    uint64_t n = cpu->icount - ls->before.icount;
    undo_jit_writes(j);
    restore_cpu(cpu, &ls->before, tlb_changed(cpu, &ls->before, tb));

    ls->interp.n = ls->interp.nbytes = 0;
    ls->interp.overflow = false;
    ls->active = &ls->interp;
    bool all_ran = run_interp(j, n, fj.happened, &fi);
    ls->active = NULL;
    if (!all_ran)
        report(j, tb, "the interpreter faulted inside the block where the JIT did not");
    if (fj.happened && (!fi.happened || fi.vector != fj.vector || fi.error != fj.error))
        report(j, tb, "the JIT faulted; the interpreter did not fault the same way");
    const char *diff = lockstep_compare_cpu(&ls->after_jit, cpu);
    if (diff)
        report(j, tb, diff);
    if (ls->jit.overflow || ls->interp.overflow) {
        ls->skipped_mem++;
    } else {
        uint32_t where = 0;
        diff = compare_memory(j, &where);
        if (diff) {
            fprintf(stderr, "vmm86: lockstep: byte at physical %08x differs\n", where);
            report(j, tb, diff);
        }
    }
    if (fj.happened) {
        cpu_handle_exception(cpu);
        return;
    }
    if (r == JIT_RET_INTERP) {
        j->stats.aborts++;
        j->stats.interp_insns++;
        ls->need_mark = true;
        cpu_step(cpu); /* the MMIO or self-modifying access, outside the comparison */
    }
}

CpuExit lockstep_exec(JitState *j, uint64_t budget)
{
    CpuState *cpu = j->cpu;
    cpu->icount_limit = cpu->icount + budget;
    if (setjmp(cpu->exc_jmp)) {
        cpu_handle_exception(cpu);
        if (cpu->shutdown)
            return CPU_EXIT_SHUTDOWN;
    }
    for (;;) {
        if (cpu->exit_request) {
            cpu->exit_request = false;
            return CPU_EXIT_REQUEST;
        }
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
        TransBlock *tb = jit_needs_interp(cpu) ? NULL : jit_find_block(j);
        if (!tb || tb->ninsns > cpu->icount_limit - cpu->icount) {
            j->stats.interp_insns++;
            cpu_step(cpu);
            continue;
        }
        mark_pages(j);
        j->stats.block_runs++;
        check_block(j, tb);
        if (cpu->shutdown)
            return CPU_EXIT_SHUTDOWN;
    }
}

void lockstep_print_stats(const JitState *j, FILE *out)
{
    if (j->ls)
        fprintf(out, "  lockstep blocks    %llu compared (%llu without memory: log full)\n",
                (unsigned long long)j->ls->blocks, (unsigned long long)j->ls->skipped_mem);
}
