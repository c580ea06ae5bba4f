/* jit.c — the JIT engine: creation, the dispatcher loop, finding and translating blocks,
 * chaining on demand, and the --stats report (see jit.h). */
#include "translator/jit.h"

#include <capstone/capstone.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "machine/log.h"
#include "softmmu/mmu.h"
#include "translator/jit_internal.h"

JitState *jit_create(CpuState *cpu, const JitConfig *cfg, char *err, size_t errlen)
{
    JitState *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory for the JIT");
        return NULL;
    }
    j->cpu = cpu;
    j->lockstep = cfg->lockstep;
    j->dump = cfg->dump;
    j->cache_size = cfg->cache_bytes < (64u << 10) ? (64u << 10) : cfg->cache_bytes;
    j->cache = mmap(NULL, j->cache_size, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    j->meta_size = j->cache_size / 2;
    j->meta = mmap(NULL, j->meta_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    j->ir = calloc(1, sizeof *j->ir);
    j->fe_out = calloc(1, sizeof *j->fe_out);
    if (j->cache == MAP_FAILED || j->meta == MAP_FAILED || !j->ir || !j->fe_out ||
        !backend_init(j)) {
        snprintf(err, errlen, "cannot set up the JIT code cache (%zu bytes of executable "
                 "memory)", j->cache_size);
        if (j->cache == MAP_FAILED)
            j->cache = NULL;
        if (j->meta == MAP_FAILED)
            j->meta = NULL;
        jit_destroy(j);
        return NULL;
    }
    if (getenv("VMM86_PERF_MAP")) { /* lets `perf report` name samples in generated code */
        char path[64];
        snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
        j->perf_map = fopen(path, "w");
    }
    cpu->engine = j;
    cpu->mem->code_write = jit_code_write;
    cpu->mem->code_write_opaque = j;
    if (!j->lockstep && !jit_window_init(j)) { /* lockstep compares on the TLB path */
        snprintf(err, errlen, "out of memory for the JIT's host window");
        jit_destroy(j);
        return NULL;
    }
    if (j->lockstep && !lockstep_init(j)) {
        snprintf(err, errlen, "out of memory for lockstep");
        jit_destroy(j);
        return NULL;
    }
    return j;
}

void jit_destroy(JitState *j)
{
    if (!j)
        return;
    if (j->cpu && j->cpu->engine == j) {
        j->cpu->engine = NULL;
        j->cpu->mem->code_write = NULL;
        j->cpu->mem->code_write_opaque = NULL;
    }
    lockstep_free(j);
    jit_window_fini(j);
    if (j->perf_map)
        fclose(j->perf_map);
    if (j->cache)
        munmap(j->cache, j->cache_size);
    if (j->meta)
        munmap(j->meta, j->meta_size);
    free(j->ir);
    free(j->fe_out);
    free(j);
}

void jit_flush(JitState *j) { tb_flush_all(j); }

/* Translation is exact only where the interpreter would behave the same way instruction
 * by instruction: not with single-stepping, debug breakpoints, RF, or an interrupt shadow
 * pending (the interpreter runs those instructions). */
bool jit_needs_interp(const CpuState *cpu)
{
    return (cpu->eflags & (FL_TF | FL_RF)) || (cpu->dr[7] & 0xFF) || cpu->inhibit_irq ||
           (log_mask & (LOG_IN_ASM | LOG_CPU)); /* per-instruction traces stay complete */
}

static void dump_block(JitState *j, const TransBlock *tb)
{
    log_printf("jit: block %04x:%08x phys %08x mode %08x: %u insns (%u inline), %u code "
               "bytes\n",
               j->cpu->seg[SEG_CS].sel, tb->eip, tb->phys, tb->mode, tb->ninsns,
               j->fe_out->ninline, tb->code_size);
    ir_dump(j->ir, log_file ? log_file : stderr);
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
        return;
    cs_insn *insn;
    size_t n = cs_disasm(h, tb->code, tb->code_size, (uint64_t)(uintptr_t)tb->code, 0, &insn);
    for (size_t i = 0; i < n; i++)
        log_printf("  %012llx  %s %s\n", (unsigned long long)insn[i].address, insn[i].mnemonic,
                   insn[i].op_str);
    if (n)
        cs_free(insn, n);
    cs_close(&h);
}

/* Places the front end's metadata in the arena (instruction records only for the handler
 * calls, unless lockstep wants them all) and fills j->rec_of. NULL when the arena is full. */
static TransBlock *new_block(JitState *j, const JitTranslateCtx *ctx)
{
    const FeOutput *o = j->fe_out;
    unsigned nrec = 0;
    for (unsigned i = 0; i < o->ninsns; i++)
        nrec += j->lockstep || o->handler[i];
    TransBlock *tb = jit_meta_alloc(j, sizeof *tb);
    JitInsnRec *insns = jit_meta_alloc(j, sizeof *insns * (nrec ? nrec : 1));
    JitMemSite *sites = jit_meta_alloc(j, sizeof *sites * (o->nsites ? o->nsites : 1));
    unsigned nexits = o->nexits ? o->nexits : 1;
    JitExitSlot *exits = jit_meta_alloc(j, sizeof *exits * nexits);
    void *page = jit_meta_alloc(j, sizeof(JitPage)); /* room for tb_insert's page record */
    if (!tb || !insns || !sites || !exits || !page)
        return NULL;
    j->meta_used -= (sizeof(JitPage) + 15) & ~(size_t)15;
    tb->phys = ctx->phys;
    tb->phys_page = ctx->phys & PAGE_MASK;
    tb->host_page = ctx->host_page;
    tb->lin = ctx->lin;
    tb->eip = ctx->eip;
    tb->cs_base = ctx->cs_base;
    tb->cs_limit = ctx->cs_limit;
    tb->mode = ctx->mode;
    tb->ninsns = (uint16_t)o->ninsns;
    tb->cover_lo = o->cover_lo;
    tb->cover_hi = o->cover_hi;
    for (unsigned i = 0, r = 0; i < o->ninsns; i++) {
        j->rec_of[i] = NULL;
        if (!j->lockstep && !o->handler[i])
            continue;
        insns[r] = o->insns[i];
        insns[r].tb = tb;
        j->rec_of[i] = &insns[r++];
    }
    memcpy(sites, o->sites, sizeof *sites * o->nsites);
    for (unsigned i = 0; i < o->nsites; i++)
        sites[i].tb = tb;
    tb->nsites = (uint16_t)o->nsites;
    tb->insns = insns;
    tb->sites = sites;
    tb->exits = exits;
    tb->nexits = (uint8_t)nexits;
    return tb;
}

static TransBlock *translate(JitState *j, JitTranslateCtx *ctx)
{
    const uint8_t *page = ctx->host_page;
    for (int attempt = 0; attempt < 8; attempt++) {
        if (!fe_translate(ctx, page, j->ir, j->fe_out))
            return NULL;
        TransBlock *tb = new_block(j, ctx);
        if (!tb) {
            tb_flush_all(j);
            continue;
        }
        BackendInput in = {j->ir, ctx, tb, j->fe_out, j->rec_of};
        BackendResult r = backend_gen(j, &in);
        if (r == BK_CACHE_FULL) {
            tb_flush_all(j);
            continue;
        }
        if (r == BK_TOO_BIG) {
            if (ctx->max_insns <= 1)
                return NULL;
            ctx->max_insns = (j->fe_out->ninsns + 1) / 2;
            continue;
        }
        tb_insert(j, tb);
        if (!jit_window_add_block(j, tb)) {
            tb_invalidate(j, tb);
            return NULL;
        }
        j->stats.blocks++;
        j->stats.guest_insns += tb->ninsns;
        j->stats.inline_insns += j->fe_out->ninline;
        j->stats.code_bytes += tb->code_size;
        if (j->dump && log_file)
            dump_block(j, tb);
        if (j->perf_map)
            fprintf(j->perf_map, "%llx %x guest_%08x_%08x\n",
                    (unsigned long long)(uintptr_t)tb->code, tb->code_size, tb->lin, tb->phys);
        return tb;
    }
    return NULL;
}

TransBlock *jit_find_block(JitState *j)
{
    CpuState *cpu = j->cpu;
    const SegCache *cs = &cpu->seg[SEG_CS];
    uint32_t eip = cpu->eip;
    if (eip > cs->limit)
        return NULL;
    uint32_t lin = cs->base + eip;
    uint32_t mode = jit_mode(cpu);
    const TlbEntry *e = tlb_entry(cpu, lin, jm_cpl(mode) == 3);
    if (e->tag_exec != (lin & PAGE_MASK))
        return NULL; /* TLB miss or not RAM/ROM: the interpreter fetches (and faults) */
    uint32_t phys = e->phys_page | (lin & 0xFFF);
    /* The page the interpreter would fetch from: through the same TLB entry. */
    const uint8_t *host = (const uint8_t *)(e->addend + (lin & PAGE_MASK));
    unsigned jc = jc_hash(lin);
    TransBlock *tb = j->jcache[jc];
    if (tb && tb->lin == lin && tb->phys == phys && tb->host_page == host && tb->mode == mode &&
        tb->eip == eip && tb->cs_base == cs->base && tb->cs_limit == cs->limit)
        return tb;
    tb = tb_lookup(j, phys, host, eip, cs->base, cs->limit, mode);
    if (!tb) {
        JitTranslateCtx ctx = {mode, eip, cs->base, cs->limit, lin, phys, host, JIT_MAX_INSNS,
                               j->lockstep, j->lockstep};
        tb = translate(j, &ctx);
        if (!tb)
            return NULL;
    }
    j->jcache[jc] = tb;
    return tb;
}

static void interp_one(JitState *j)
{
    j->stats.interp_insns++;
    cpu_step(j->cpu);
}

/* Runs one block (and whatever it chains to). */
static void run_block(JitState *j, TransBlock *tb)
{
    CpuState *cpu = j->cpu;
    j->stats.block_runs++;
    uintptr_t r = j->enter(cpu, tb->code);
    if (r == JIT_RET_NORMAL)
        return;
    if (r == JIT_RET_INTERP) { /* MMIO, or a write to the running block's code */
        j->stats.aborts++;
        interp_one(j);
        return;
    }
    JitExitSlot *slot = (JitExitSlot *)r;
    if (!slot->tb->valid || slot->target || jit_needs_interp(cpu))
        return;
    uint64_t flushes = j->stats.flushes;
    TransBlock *target = jit_find_block(j);
    if (j->stats.flushes != flushes)
        return; /* translating the target flushed the cache: `slot` is gone */
    if (target && target->mode == slot->tb->mode && target->cs_base == slot->tb->cs_base &&
        target->cs_limit == slot->tb->cs_limit)
        tb_chain(j, slot, target);
}

/* The next instruction's first fetch missed the TLB: walk for it here, as the
 * interpreter's fetch would (a #PF is raised the same way: EIP at this instruction, the
 * state complete), instead of running that instruction in the interpreter. True if the
 * page is now mapped for execution. */
static bool fill_fetch_tlb(CpuState *cpu)
{
    const SegCache *cs = &cpu->seg[SEG_CS];
    if (cpu->eip > cs->limit)
        return false;
    uint32_t lin = cs->base + cpu->eip;
    bool user = cpu->cpl == 3;
    const TlbEntry *e = tlb_entry(cpu, lin, user);
    if (e->tag_exec == (lin & PAGE_MASK))
        return false;
    mmu_translate(cpu, lin, MMU_EXEC, user);
    return e->tag_exec == (lin & PAGE_MASK);
}

CpuExit jit_exec(JitState *j, uint64_t budget)
{
    if (j->lockstep)
        return lockstep_exec(j, budget);
    CpuState *cpu = j->cpu;
    cpu->icount_limit = cpu->icount + budget;
    if (setjmp(cpu->exc_jmp)) {
        cpu_handle_exception(cpu); /* may longjmp back here for a nested fault */
        if (cpu->shutdown)
            return CPU_EXIT_SHUTDOWN;
    }
    bool tail = false; /* the next block did not fit: the budget ends in the interpreter */
    for (;;) {
        if (cpu->exit_request) {
            cpu->exit_request = false;
            return CPU_EXIT_REQUEST;
        }
        if (cpu->trap_pending && !cpu->inhibit_irq) { /* as cpu_exec: before interrupts */
            cpu_deliver_debug_trap(cpu);
            continue;
        }
        if ((cpu->intr || cpu->nmi_pending) && cpu_check_interrupts(cpu))
            continue;
        if (cpu->halted)
            return CPU_EXIT_HALT;
        if (cpu->icount >= cpu->icount_limit)
            return CPU_EXIT_BUDGET;
        bool jit_ok = !tail && !jit_needs_interp(cpu);
        TransBlock *tb = jit_ok ? jit_find_block(j) : NULL;
        if (!tb && jit_ok && fill_fetch_tlb(cpu))
            tb = jit_find_block(j);
        if (tb && tb->ninsns > cpu->icount_limit - cpu->icount) {
            tail = true;
            tb = NULL;
        }
        if (!tb)
            interp_one(j);
        else
            run_block(j, tb);
    }
}

/* The operations translated code handed to the interpreter most often (candidates for
 * translating inline). */
static void print_top_handlers(const JitStats *s, FILE *out)
{
    bool shown[OP_COUNT] = {false};
    fprintf(out, "  helper calls by op:");
    const uint64_t *h = s->handler_by_op;
    for (int n = 0; n < 10; n++) {
        int best = -1;
        for (int o = 0; o < OP_COUNT; o++)
            if (!shown[o] && h[o] && (best < 0 || h[o] > h[best]))
                best = o;
        if (best < 0)
            break;
        shown[best] = true;
        fprintf(out, " %s %llu", op_names[best], (unsigned long long)h[best]);
    }
    fputc('\n', out);
}

void jit_print_stats(const JitState *j, FILE *out)
{
    const JitStats *s = &j->stats;
    fprintf(out,
            "jit stats:\n"
            "  blocks translated  %llu (%llu guest insns, %llu inline, %llu code bytes)\n"
            "  code-cache flushes %llu\n"
            "  chained jumps      %llu (undone %llu)\n"
            "  invalidations      %llu\n"
            "  block entries      %llu\n"
            "  jump-cache misses  %llu\n"
            "  helper calls       %llu\n"
            "  slow memory paths  %llu\n"
            "  window faults      %llu (blocks moved to the TLB path %llu)\n"
            "  block aborts       %llu\n"
            "  interp fallbacks   %llu\n",
            (unsigned long long)s->blocks, (unsigned long long)s->guest_insns,
            (unsigned long long)s->inline_insns, (unsigned long long)s->code_bytes,
            (unsigned long long)s->flushes, (unsigned long long)s->chains,
            (unsigned long long)s->unchains, (unsigned long long)s->invalidations,
            (unsigned long long)s->block_runs, (unsigned long long)s->jc_misses, (unsigned long long)s->helper_calls,
            (unsigned long long)s->slow_mem, (unsigned long long)s->window_faults,
            (unsigned long long)s->window_demotions, (unsigned long long)s->aborts,
            (unsigned long long)s->interp_insns);
    print_top_handlers(s, out);
    lockstep_print_stats(j, out);
}
