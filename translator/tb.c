/* tb.c — translation blocks: the mode word, the block hash table, per-page block lists,
 * chaining and unchaining of direct exits, invalidation when guest code is written, and
 * the full flush (see jit_internal.h). */
#include <string.h>

#include "translator/jit_internal.h"
#include "translator/x86_64_emit.h"
#include "softmmu/mmu.h"

/* ---- mode word ---------------------------------------------------------------------------- */

static unsigned seg_class(const CpuState *cpu, int seg, bool prot)
{
    const SegCache *s = &cpu->seg[seg];
    const uint16_t need = SA_P | SA_S | SA_CODE | SA_DC | SA_RW;
    if (prot && (s->attr & need) != (SA_P | SA_S | SA_RW))
        return SEGC_HELPER; /* unusable, code, read-only or expand-down: full checks */
    if (s->base == 0 && s->limit == 0xFFFFFFFFu)
        return SEGC_FLAT;
    return SEGC_LIMIT;
}

uint32_t jit_mode(const CpuState *cpu)
{
    bool pe = cpu_pe(cpu), vm = cpu_vm86(cpu), prot = pe && !vm;
    uint32_t m = (cpu_code32(cpu) ? JM_CODE32 : 0) | (cpu_stack32(cpu) ? JM_STACK32 : 0) |
                 (pe ? JM_PE : 0) | (vm ? JM_VM : 0) | (uint32_t)(cpu->cpl & 3) << JM_CPL_SHIFT;
    if (cpu->mem->window && !(cpu->cr0 & CR0_PG) && cpu->a20_enabled)
        m |= JM_WINDOW; /* linear = physical: the host window may stand in for the TLB */
    /* With alignment checking on, every access goes through seg_check (SEGC_HELPER). */
    if ((cpu->cr0 & CR0_AM) && (cpu->eflags & FL_AC) && cpu->cpl == 3)
        return m | JM_ALIGN;
    for (int s = 0; s < SEG_COUNT; s++)
        if (s != JM_DYNAMIC_SEG)
            m |= seg_class(cpu, s, prot) << (JM_SEG_SHIFT + 2 * s);
    return m;
}

/* ---- metadata arena ------------------------------------------------------------------------- */

void *jit_meta_alloc(JitState *j, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > j->meta_size - j->meta_used)
        return NULL;
    void *p = j->meta + j->meta_used;
    j->meta_used += size;
    memset(p, 0, size);
    return p;
}

/* ---- lookup ------------------------------------------------------------------------------------ */

static unsigned tb_hash(uint32_t phys, uint32_t mode)
{
    uint32_t h = phys ^ (phys >> 13) ^ (mode * 0x9E3779B1u);
    return (h ^ (h >> 16)) & ((1u << JIT_HASH_BITS) - 1);
}

TransBlock *tb_lookup(JitState *j, uint32_t phys, const uint8_t *host_page, uint32_t eip,
                      uint32_t cs_base, uint32_t cs_limit, uint32_t mode)
{
    for (TransBlock *tb = j->hash[tb_hash(phys, mode)]; tb; tb = tb->hash_next)
        if (tb->phys == phys && tb->host_page == host_page && tb->eip == eip &&
            tb->mode == mode && tb->cs_base == cs_base && tb->cs_limit == cs_limit)
            return tb;
    return NULL;
}

static JitPage **page_slot(JitState *j, uint32_t page)
{
    unsigned h = ((page >> 12) ^ (page >> 24)) & ((1u << JIT_PAGE_HASH_BITS) - 1);
    JitPage **pp = &j->pages[h];
    while (*pp && (*pp)->page != page)
        pp = &(*pp)->next;
    return pp;
}

/* A page gets its first block: writes to it must now reach jit_code_write, including
 * writes through TLB entries filled before (any virtual alias of the page). */
static void protect_page(JitState *j, uint32_t page)
{
    CpuState *cpu = j->cpu;
    physmem_set_code(cpu->mem, page, true);
    for (unsigned u = 0; u < 2; u++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            TlbEntry *e = &cpu->tlb.e[u][i];
            if (!(e->tag_write & TLB_INVALID) && e->phys_page == page)
                e->tag_write |= TLB_SLOW;
        }
}

void tb_insert(JitState *j, TransBlock *tb)
{
    unsigned h = tb_hash(tb->phys, tb->mode);
    tb->hash_next = j->hash[h];
    j->hash[h] = tb;
    uint32_t page = tb->phys & PAGE_MASK;
    JitPage **pp = page_slot(j, page);
    if (!*pp) {
        JitPage *p = jit_meta_alloc(j, sizeof *p);
        if (!p)
            return; /* cannot happen: the caller reserved room */
        p->page = page;
        *pp = p;
        protect_page(j, page);
    } else if (!(physmem_desc(j->cpu->mem, page) & PG_CODE)) {
        protect_page(j, page); /* the page was mapped anew since its first block */
    }
    tb->page_next = (*pp)->blocks;
    (*pp)->blocks = tb;
    tb->valid = true;
}

/* ---- chaining ---------------------------------------------------------------------------------- */

void tb_chain(JitState *j, JitExitSlot *slot, TransBlock *target)
{
    if (!slot->jmp_field || slot->target || !slot->tb->valid || !target->valid)
        return;
    x_patch_rel32(slot->jmp_field, target->warm);
    slot->target = target;
    slot->next_in = target->incoming;
    target->incoming = slot;
    j->stats.chains++;
}

static void unlink_incoming(JitState *j, TransBlock *tb)
{
    for (JitExitSlot *s = tb->incoming; s; s = s->next_in) {
        x_patch_rel32(s->jmp_field, s->unchained);
        s->target = NULL;
        j->stats.unchains++;
    }
    tb->incoming = NULL;
}

static void unlink_outgoing(TransBlock *tb)
{
    for (unsigned i = 0; i < tb->nexits; i++) {
        JitExitSlot *s = &tb->exits[i];
        if (!s->target)
            continue;
        JitExitSlot **pp = &s->target->incoming;
        while (*pp && *pp != s)
            pp = &(*pp)->next_in;
        if (*pp)
            *pp = s->next_in;
        s->target = NULL;
    }
}

/* ---- invalidation ------------------------------------------------------------------------------ */

void tb_invalidate(JitState *j, TransBlock *tb)
{
    if (!tb->valid)
        return;
    tb->valid = false;
    j->stats.invalidations++;
    TransBlock **pp = &j->hash[tb_hash(tb->phys, tb->mode)];
    while (*pp && *pp != tb)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = tb->hash_next;
    unsigned jc = jc_hash(tb->lin);
    if (j->jcache[jc] == tb)
        j->jcache[jc] = NULL;
    unlink_incoming(j, tb);
    unlink_outgoing(tb);
    /* Its code and metadata stay until the next flush: it may be running right now. */
}

bool tb_overlaps(const TransBlock *tb, uint32_t pa, unsigned len)
{
    uint32_t lo = tb->phys_page + tb->cover_lo, hi = tb->phys_page + tb->cover_hi;
    return pa < hi && lo < pa + len;
}

bool tb_page_has_code(JitState *j, uint32_t pa, unsigned len)
{
    JitPage *p = *page_slot(j, pa & PAGE_MASK);
    if (!p)
        return false;
    for (TransBlock *tb = p->blocks; tb; tb = tb->page_next)
        if (tb_overlaps(tb, pa, len))
            return true;
    return false;
}

/* PhysMem's code-write callback: a write of len bytes at pa (within one page) is about to
 * happen to a page that holds translated code. */
void jit_code_write(void *opaque, uint32_t pa, unsigned len)
{
    JitState *j = opaque;
    if (j->lockstep)
        lockstep_log_write(j, pa, len);
    JitPage **pp = page_slot(j, pa & PAGE_MASK);
    JitPage *p = *pp;
    if (!p)
        return;
    TransBlock **tp = &p->blocks;
    while (*tp) {
        TransBlock *tb = *tp;
        if (tb_overlaps(tb, pa, len)) {
            tb_invalidate(j, tb);
            *tp = tb->page_next;
        } else {
            tp = &tb->page_next;
        }
    }
    if (!p->blocks) { /* no code left: writes to the page may take the fast path again */
        *pp = p->next;
        if (!j->lockstep)
            physmem_set_code(j->cpu->mem, pa & PAGE_MASK, false);
    }
}

void tb_flush_all(JitState *j)
{
    for (unsigned h = 0; h < (1u << JIT_PAGE_HASH_BITS); h++)
        for (JitPage *p = j->pages[h]; p; p = p->next)
            if (!j->lockstep)
                physmem_set_code(j->cpu->mem, p->page, false);
    memset(j->hash, 0, sizeof j->hash);
    memset(j->jcache, 0, sizeof j->jcache);
    memset(j->pages, 0, sizeof j->pages);
    j->meta_used = 0;
    j->cache_ptr = j->cache_body;
    jit_window_reset(j);
    j->stats.flushes++;
}
