/* mmu.c — page walk, TLB fill and the slow paths of linear-address accesses (see mmu.h). */
#include "softmmu/mmu.h"

#include "cpu/debug_regs.h"
#include "cpu/exception.h"

/* Paging-entry bits (two-level 32-bit paging). */
#define PTE_P 0x001u
#define PTE_RW 0x002u
#define PTE_US 0x004u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PTE_PS 0x080u
#define PTE_G 0x100u
#define PDE_LARGE_RSVD 0x003FE000u /* bits 21:13 of a 4 MiB PDE (no PSE-36) */

typedef struct WalkResult {
    uint32_t pa;      /* physical address of the access (A20 applied) */
    bool writable;    /* this privilege may write the page */
    bool dirty;       /* the page's dirty bit is (now) set */
    bool global;
    bool large;
} WalkResult;

static uint32_t pt_read(CpuState *cpu, uint32_t pa)
{
    return (uint32_t)physmem_read(cpu->mem, pa & cpu->a20_mask & ~3u, 4);
}

static void pt_write(CpuState *cpu, uint32_t pa, uint32_t v)
{
    physmem_write(cpu->mem, pa & cpu->a20_mask & ~3u, 4, v);
}

static _Noreturn void page_fault(CpuState *cpu, uint32_t lin, uint32_t err)
{
    cpu->cr2 = lin;
    cpu_raise(cpu, EXC_PF, err);
}

/* The two-level walk. Faults raise #PF with CR2. The accessed bit of a PDE that points to
 * a page table is set when the walk reads it; the A (and, for writes, D) bits of the entry
 * that maps the page are set only when the access is allowed. */
static void walk(CpuState *cpu, uint32_t lin, MmuAccess acc, bool user, WalkResult *w)
{
    bool write = acc == MMU_WRITE;
    uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0);
    if (!(cpu->cr0 & CR0_PG)) {
        w->pa = lin & cpu->a20_mask;
        w->writable = w->dirty = true;
        w->global = w->large = false;
        return;
    }
    uint32_t pde_addr = (cpu->cr3 & PAGE_MASK) | ((lin >> 20) & 0xFFC);
    uint32_t pde = pt_read(cpu, pde_addr);
    if (!(pde & PTE_P))
        page_fault(cpu, lin, err);
    bool large = (pde & PTE_PS) && (cpu->cr4 & CR4_PSE);
    uint32_t pte_addr = 0, pte, perms;
    if (large) {
        if (pde & PDE_LARGE_RSVD)
            page_fault(cpu, lin, err | PF_P | PF_RSVD);
        pte = pde;
        perms = pde;
    } else {
        /* A directory entry that points to a page table is used by the walk once it is
         * read as present: its accessed bit is set even if the PTE then faults. */
        if (!(pde & PTE_A)) {
            pde |= PTE_A;
            pt_write(cpu, pde_addr, pde);
        }
        pte_addr = (pde & PAGE_MASK) | ((lin >> 10) & 0xFFC);
        pte = pt_read(cpu, pte_addr);
        if (!(pte & PTE_P))
            page_fault(cpu, lin, err);
        perms = pde & pte;
    }
    bool rw = perms & PTE_RW;
    if (user && !(perms & PTE_US))
        page_fault(cpu, lin, err | PF_P);
    bool may_write = user ? rw : (rw || !(cpu->cr0 & CR0_WP));
    if (write && !may_write)
        page_fault(cpu, lin, err | PF_P);

    /* Accessed and dirty bits of the entry that maps the page: only once the access is
     * known to be allowed. */
    if (large && (!(pde & PTE_A) || (write && !(pde & PTE_D)))) {
        pde |= PTE_A | (write ? PTE_D : 0);
        pt_write(cpu, pde_addr, pde);
        pte = pde;
    }
    if (!large && (!(pte & PTE_A) || (write && !(pte & PTE_D)))) {
        pte |= PTE_A | (write ? PTE_D : 0);
        pt_write(cpu, pte_addr, pte);
    }
    uint32_t frame = large ? (pte & 0xFFC00000u) | (lin & 0x003FF000u) : pte & PAGE_MASK;
    w->pa = (frame | (lin & 0xFFF)) & cpu->a20_mask;
    w->writable = may_write;
    w->dirty = (pte & PTE_D) != 0;
    w->global = (pte & PTE_G) && (cpu->cr4 & CR4_PGE);
    w->large = large;
}

static void tlb_fill(CpuState *cpu, uint32_t lin, bool user, const WalkResult *w)
{
    TlbEntry *e = tlb_entry(cpu, lin, user);
    uint32_t page = lin & PAGE_MASK;
    uint32_t phys_page = w->pa & PAGE_MASK;
    uintptr_t desc = physmem_desc(cpu->mem, phys_page);
    e->phys_page = phys_page;
    e->flags = (w->global ? TLBE_GLOBAL : 0) | (w->large ? TLBE_LARGE : 0);
    if (w->large)
        cpu->tlb.large_fills++;
    if (desc & PG_RAM) {
        e->addend = (desc & ~(uintptr_t)0xFFF) - (uintptr_t)page;
        e->tag_read = e->tag_exec = page;
    } else {
        e->addend = 0;
        e->tag_read = e->tag_exec = page | TLB_SLOW;
    }
    if (dbg_page_watched(cpu, page)) { /* data breakpoint here: every access checks */
        e->tag_read |= TLB_SLOW;
        e->tag_exec = page | (e->tag_exec & TLB_SLOW);
    }
    if (!w->writable || !w->dirty)
        e->tag_write = TLB_INVALID; /* the next write walks (and sets D or faults) */
    else if (dbg_page_watched(cpu, page))
        e->tag_write = page | TLB_SLOW;
    else if ((desc & (PG_RAM | PG_WRITABLE | PG_CODE)) == (PG_RAM | PG_WRITABLE))
        e->tag_write = page;
    else
        e->tag_write = page | TLB_SLOW; /* ROM, MMIO, unassigned or translated code */
}

uint32_t mmu_translate(CpuState *cpu, uint32_t lin, MmuAccess acc, bool user)
{
    WalkResult w;
    cpu->stats.tlb_misses++;
    walk(cpu, lin, acc, user, &w);
    tlb_fill(cpu, lin, user, &w);
    return w.pa;
}

bool mmu_peek_translate(CpuState *cpu, uint32_t lin, uint32_t *pa)
{
    if (!(cpu->cr0 & CR0_PG)) {
        *pa = lin & cpu->a20_mask;
        return true;
    }
    uint32_t pde = pt_read(cpu, (cpu->cr3 & PAGE_MASK) | ((lin >> 20) & 0xFFC));
    if (!(pde & PTE_P))
        return false;
    if ((pde & PTE_PS) && (cpu->cr4 & CR4_PSE)) {
        *pa = ((pde & 0xFFC00000u) | (lin & 0x003FFFFFu)) & cpu->a20_mask;
        return true;
    }
    uint32_t pte = pt_read(cpu, (pde & PAGE_MASK) | ((lin >> 10) & 0xFFC));
    if (!(pte & PTE_P))
        return false;
    *pa = ((pte & PAGE_MASK) | (lin & 0xFFF)) & cpu->a20_mask;
    return true;
}

/* Physical address for an access that stays in one page, using a valid TLB entry when the
 * only reason for the slow path was TLB_SLOW. */
static uint32_t slow_translate(CpuState *cpu, uint32_t lin, MmuAccess acc, bool user)
{
    TlbEntry *e = tlb_entry(cpu, lin, user);
    uint32_t tag = acc == MMU_WRITE ? e->tag_write : acc == MMU_EXEC ? e->tag_exec : e->tag_read;
    if (!(tag & TLB_INVALID) && (tag & PAGE_MASK) == (lin & PAGE_MASK))
        return e->phys_page | (lin & 0xFFF);
    return mmu_translate(cpu, lin, acc, user);
}

uint64_t mmu_read_slow(CpuState *cpu, uint32_t lin, unsigned size, bool user)
{
    if (cpu->dr[7] & 0xFF)
        dbg_check_data(cpu, lin, size, false); /* a fault below cancels the trap */
    unsigned first = 0x1000 - (lin & 0xFFF);
    if (first < size) { /* crosses a page: two accesses, low page first */
        uint64_t lo = 0, hi = 0;
        uint32_t pa_lo = slow_translate(cpu, lin, MMU_READ, user);
        uint32_t pa_hi = slow_translate(cpu, lin + first, MMU_READ, user);
        for (unsigned i = 0; i < first; i++)
            lo |= physmem_read(cpu->mem, pa_lo + i, 1) << (8 * i);
        for (unsigned i = 0; i < size - first; i++)
            hi |= physmem_read(cpu->mem, pa_hi + i, 1) << (8 * i);
        return lo | hi << (8 * first);
    }
    return physmem_read(cpu->mem, slow_translate(cpu, lin, MMU_READ, user), size);
}

void mmu_write_slow(CpuState *cpu, uint32_t lin, unsigned size, uint64_t value, bool user)
{
    if (cpu->dr[7] & 0xFF)
        dbg_check_data(cpu, lin, size, true); /* a fault below cancels the trap */
    unsigned first = 0x1000 - (lin & 0xFFF);
    if (first < size) { /* crosses a page: both translations before any byte is written */
        uint32_t pa_lo = slow_translate(cpu, lin, MMU_WRITE, user);
        uint32_t pa_hi = slow_translate(cpu, lin + first, MMU_WRITE, user);
        for (unsigned i = 0; i < first; i++)
            physmem_write(cpu->mem, pa_lo + i, 1, (uint8_t)(value >> (8 * i)));
        for (unsigned i = first; i < size; i++)
            physmem_write(cpu->mem, pa_hi + (i - first), 1, (uint8_t)(value >> (8 * i)));
        return;
    }
    physmem_write(cpu->mem, slow_translate(cpu, lin, MMU_WRITE, user), size, value);
}

void mmu_fetch(CpuState *cpu, uint32_t lin, uint8_t *buf, unsigned n, bool user)
{
    TlbEntry *e = tlb_entry(cpu, lin, user);
    if (e->tag_exec == (lin & PAGE_MASK)) {
        memcpy(buf, (const void *)(e->addend + lin), n);
        return;
    }
    uint32_t pa = slow_translate(cpu, lin, MMU_EXEC, user);
    uint8_t *host = physmem_host(cpu->mem, pa);
    if (host) {
        memcpy(buf, host, n);
        return;
    }
    for (unsigned i = 0; i < n; i++)
        buf[i] = (uint8_t)physmem_read(cpu->mem, pa + i, 1);
}

static void tlb_invalidate(TlbEntry *e)
{
    e->tag_read = e->tag_write = e->tag_exec = TLB_INVALID;
    e->flags = 0;
}

void mmu_flush_all(CpuState *cpu)
{
    for (unsigned u = 0; u < 2; u++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            tlb_invalidate(&cpu->tlb.e[u][i]);
    cpu->tlb.large_fills = 0;
    cpu->stats.tlb_flushes++;
}

void mmu_flush_nonglobal(CpuState *cpu)
{
    for (unsigned u = 0; u < 2; u++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            if (!(cpu->tlb.e[u][i].flags & TLBE_GLOBAL))
                tlb_invalidate(&cpu->tlb.e[u][i]);
    cpu->stats.tlb_flushes++;
}

void mmu_invlpg(CpuState *cpu, uint32_t lin)
{
    /* Our entries are 4 KiB slices; a 4 MiB translation may sit in many of them. */
    if (cpu->tlb.large_fills) {
        mmu_flush_all(cpu);
        return;
    }
    for (unsigned u = 0; u < 2; u++) {
        TlbEntry *e = tlb_entry(cpu, lin, u);
        tlb_invalidate(e);
    }
}

void mmu_set_a20(CpuState *cpu, bool enabled)
{
    if (cpu->a20_enabled == enabled)
        return;
    cpu->a20_enabled = enabled;
    cpu->a20_mask = enabled ? 0xFFFFFFFFu : 0xFFEFFFFFu;
    mmu_flush_all(cpu);
}
