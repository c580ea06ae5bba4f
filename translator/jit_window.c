/* jit_window.c — translated code's side of the host window (softmmu/hostwin.h).
 *
 * Blocks translated with paging off and A20 on (JM_WINDOW) reach guest memory as one host
 * instruction, [window + linear address], instead of the inline TLB lookup. When that
 * instruction faults (MMIO, ROM, a hole, a page holding translated code, past the end of
 * RAM) the host raises SIGSEGV; the handler here finds the access's block by its code
 * address and resumes at the access's ordinary slow-path stub, which finds every register
 * as it was before the access and redoes the access exactly (the fault left no trace: an
 * x86 load or store that faults writes nothing). A block whose accesses keep faulting
 * (data next to code, a device's registers) costs a signal each time, so after
 * JIT_WIN_FAULT_LIMIT faults it is invalidated and its page is marked to be translated
 * with the TLB lookup from then on.
 */
#define _GNU_SOURCE /* REG_RIP */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "softmmu/hostwin.h"
#include "translator/jit_internal.h"

#define WIN_MAX_JITS 8

static JitState *win_jits[WIN_MAX_JITS]; /* the JITs using a window (tests make several) */
static struct sigaction old_segv;
static bool handler_installed;

/* The block whose code holds host address `pc`: blocks are appended in code order and the
 * list starts again at each flush, so it is sorted. */
static TransBlock *block_at(const JitState *j, uintptr_t pc)
{
    size_t lo = 0, hi = j->win_ntbs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)j->win_tbs[mid]->code <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    TransBlock *tb = j->win_tbs[lo - 1];
    return pc < (uintptr_t)tb->code + tb->code_size ? tb : NULL;
}

/* The stub to resume at for a faulting window access at `pc`, or NULL if `pc` is not one. */
static uint8_t *stub_for(JitState *j, uintptr_t pc, const uint8_t *addr)
{
    if (!j || !j->window || addr < j->window || addr >= j->window + HOSTWIN_SIZE + HOSTWIN_GUARD)
        return NULL;
    if (pc < (uintptr_t)j->cache || pc >= (uintptr_t)j->cache + j->cache_size)
        return NULL;
    TransBlock *tb = block_at(j, pc);
    if (!tb)
        return NULL;
    uint32_t off = (uint32_t)(pc - (uintptr_t)tb->code);
    for (unsigned i = 0; i < tb->nsites; i++)
        if (tb->sites[i].host_off == off) {
            if (tb->win_faults < UINT16_MAX)
                tb->win_faults++;
            j->stats.window_faults++;
            return tb->code + tb->sites[i].stub_off;
        }
    return NULL;
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    for (int i = 0; i < WIN_MAX_JITS; i++) {
        uint8_t *stub = stub_for(win_jits[i], pc, si->si_addr);
        if (stub) {
            uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)stub;
            return;
        }
    }
    /* Not a window access: whatever handled SIGSEGV before us (a sanitizer, or the
     * default action once the instruction faults again). */
    if ((old_segv.sa_flags & SA_SIGINFO) && old_segv.sa_sigaction) {
        old_segv.sa_sigaction(sig, si, ucv);
        return;
    }
    if (old_segv.sa_handler != SIG_DFL && old_segv.sa_handler != SIG_IGN) {
        old_segv.sa_handler(sig);
        return;
    }
    signal(SIGSEGV, SIG_DFL);
}

static bool install_handler(void)
{
    if (handler_installed)
        return true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old_segv) != 0)
        return false;
    handler_installed = true;
    return true;
}

bool jit_window_init(JitState *j)
{
    if (getenv("VMM86_NO_WINDOW")) /* measure or debug without it */
        return true;
    int slot = -1;
    for (int i = 0; i < WIN_MAX_JITS && slot < 0; i++)
        if (!win_jits[i])
            slot = i;
    if (slot < 0 || !install_handler() || !hostwin_enable(j->cpu->mem))
        return true; /* no window: the TLB path everywhere */
    j->nowin = calloc(PHYS_PAGES / 8, 1);
    if (!j->nowin) {
        hostwin_disable(j->cpu->mem);
        return false;
    }
    j->window = j->cpu->mem->window;
    win_jits[slot] = j;
    return true;
}

void jit_window_fini(JitState *j)
{
    for (int i = 0; i < WIN_MAX_JITS; i++)
        if (win_jits[i] == j)
            win_jits[i] = NULL;
    if (j->window && j->cpu && j->cpu->mem->window == j->window)
        hostwin_disable(j->cpu->mem);
    j->window = NULL;
    free(j->win_tbs);
    free(j->nowin);
    j->win_tbs = NULL;
    j->nowin = NULL;
}

uint8_t *jit_window_for(const JitState *j, const JitTranslateCtx *ctx)
{
    if (!j->window || !(ctx->mode & JM_WINDOW))
        return NULL;
    uint32_t page = ctx->phys >> 12;
    return (j->nowin[page >> 3] >> (page & 7)) & 1 ? NULL : j->window;
}

bool jit_window_add_block(JitState *j, TransBlock *tb)
{
    if (!j->window)
        return true;
    if (j->win_ntbs == j->win_cap) {
        size_t cap = j->win_cap ? 2 * j->win_cap : 4096;
        TransBlock **n = realloc(j->win_tbs, cap * sizeof *n);
        if (!n)
            return false; /* a fault in it could not be found: it must not run */
        j->win_tbs = n;
        j->win_cap = cap;
    }
    j->win_tbs[j->win_ntbs++] = tb;
    return true;
}

void jit_window_reset(JitState *j) { j->win_ntbs = 0; }

/* Called from the slow paths once a block has faulted JIT_WIN_FAULT_LIMIT times: blocks of
 * its page are translated with the TLB lookup from now on (this one as soon as it is
 * next looked up; its code stays runnable until it returns). */
void jit_window_demote(JitState *j, TransBlock *tb)
{
    uint32_t page = tb->phys >> 12;
    if (!j->nowin)
        return;
    j->nowin[page >> 3] |= (uint8_t)(1u << (page & 7));
    tb->win_faults = 0;
    j->stats.window_demotions++;
    tb_invalidate(j, tb);
}
