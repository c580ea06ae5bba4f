/* hostwin.c — see hostwin.h. */
#define _GNU_SOURCE /* MAP_FIXED_NOREPLACE */
#include "softmmu/hostwin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* What the window shows at one page: no access, or the RAM file at `off` with `prot`. */
typedef struct WinPage {
    int prot;
    uint64_t off;
} WinPage;

static WinPage win_page(const PhysMem *pm, uint32_t page)
{
    uintptr_t d = pm->pages[page];
    const uint8_t *host = (const uint8_t *)(d & ~(uintptr_t)0xFFF);
    if (!(d & PG_RAM) || host < pm->ram || host >= pm->ram + pm->ram_size)
        return (WinPage){PROT_NONE, 0};
    int prot = PROT_READ;
    if ((d & PG_WRITABLE) && !(d & PG_CODE))
        prot |= PROT_WRITE;
    return (WinPage){prot, (uint64_t)(host - pm->ram)};
}

/* Maps one run of pages that look alike (same protection, consecutive file offsets). A
 * failure would leave a stale mapping that lets the guest past the slow path: fatal. */
static void map_run(PhysMem *pm, uint32_t first, uint64_t n, WinPage w)
{
    uint8_t *at = pm->window + ((uint64_t)first << 12);
    size_t len = (size_t)n << 12;
    void *r = w.prot == PROT_NONE
                  ? mmap(at, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                         MAP_FIXED, -1, 0)
                  : mmap(at, len, w.prot, MAP_SHARED | MAP_FIXED, pm->ram_fd, (off_t)w.off);
    if (r == MAP_FAILED) {
        fprintf(stderr, "vmm86: cannot map guest memory into the host window: %s\n",
                strerror(errno));
        exit(1);
    }
}

void hostwin_sync(PhysMem *pm, uint32_t first_page, uint64_t npages)
{
    if (!pm->window || first_page >= PHYS_PAGES)
        return;
    if (npages > PHYS_PAGES - first_page)
        npages = PHYS_PAGES - first_page;
    uint64_t run_start = first_page, end = (uint64_t)first_page + npages;
    WinPage run = win_page(pm, first_page);
    for (uint64_t p = (uint64_t)first_page + 1; p <= end; p++) {
        uint64_t len = p - run_start;
        if (p < end) {
            WinPage w = win_page(pm, (uint32_t)p);
            if (w.prot == run.prot && (w.prot == PROT_NONE || w.off == run.off + (len << 12)))
                continue;
            map_run(pm, (uint32_t)run_start, len, run);
            run_start = p;
            run = w;
        } else {
            map_run(pm, (uint32_t)run_start, len, run);
        }
    }
}

bool hostwin_enable(PhysMem *pm)
{
    if (pm->window)
        return true;
    if (pm->ram_fd < 0)
        return false;
    /* Below 2 GiB if that room is free (translated code then needs no register for the
     * base: it fits a displacement), else anywhere. */
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *w = mmap((void *)HOSTWIN_LOW_HINT, HOSTWIN_SIZE + HOSTWIN_GUARD, PROT_NONE,
                   flags | MAP_FIXED_NOREPLACE, -1, 0);
    if (w != MAP_FAILED && w != (void *)HOSTWIN_LOW_HINT) { /* a kernel without NOREPLACE */
        munmap(w, HOSTWIN_SIZE + HOSTWIN_GUARD);
        w = MAP_FAILED;
    }
    if (w == MAP_FAILED)
        w = mmap(NULL, HOSTWIN_SIZE + HOSTWIN_GUARD, PROT_NONE, flags, -1, 0);
    if (w == MAP_FAILED)
        return false;
    pm->window = w;
    hostwin_sync(pm, 0, PHYS_PAGES);
    return true;
}

void hostwin_disable(PhysMem *pm)
{
    if (!pm->window)
        return;
    munmap(pm->window, HOSTWIN_SIZE + HOSTWIN_GUARD);
    pm->window = NULL;
}
