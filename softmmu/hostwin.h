/* hostwin.h — the host window: guest-physical memory seen through the host MMU.
 *
 * Contract: a reservation of 4 GiB (plus a guard for accesses that run past the top) of
 * host address space in which window + pa is guest-physical address pa wherever that page
 * is RAM held in the RAM file (PhysMem.ram_fd): readable, and writable when the guest may
 * write it and it holds no translated code. Every other page (MMIO, ROM copies, host
 * buffers such as video RAM, holes) is inaccessible. PhysMem keeps the window in step with
 * its page descriptors on every map change and every change of the code bit, so an access
 * through the window that does not fault does exactly what the slow path would do for the
 * same physical address. An access that faults is the caller's to redo through the slow
 * path: the JIT uses the window for blocks that run with paging off and A20 on (linear =
 * physical) and turns the host's SIGSEGV into its ordinary slow path (translator/
 * jit_window.c). This is DESIGN.md's "shadow page tables kept by the host MMU" for the
 * unpaged case; with paging on, the inline TLB lookup stays.
 */
#ifndef VMM86_SOFTMMU_HOSTWIN_H
#define VMM86_SOFTMMU_HOSTWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "softmmu/physmem.h"

#define HOSTWIN_SIZE (1ull << 32)
#define HOSTWIN_GUARD (64u << 10) /* an access at 0xFFFFFFFF may reach 7 bytes past 4 GiB */
#define HOSTWIN_LOW_HINT 0x10000000u /* where the window goes if free: below 2 GiB */

/* Reserves the window and maps every page as the descriptors say. False (and no window)
 * when RAM is not in a file or the host refuses the reservation. */
bool hostwin_enable(PhysMem *pm);
void hostwin_disable(PhysMem *pm);
/* Brings pages [first_page, first_page + npages) of the window in line with their
 * descriptors (no-op without a window). */
void hostwin_sync(PhysMem *pm, uint32_t first_page, uint64_t npages);

#endif
