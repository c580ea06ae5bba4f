/* The host window (softmmu/hostwin.h): window + pa shows guest RAM with the access the
 * page descriptors allow, and follows every map change and code-bit change. Accesses are
 * probed with a SIGSEGV handler that jumps back, so "no access" is observed, not assumed. */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <signal.h>

#include "softmmu/hostwin.h"
#include "softmmu/physmem.h"

static PhysMem pm;
static sigjmp_buf probe_env;

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(probe_env, 1);
}

static void setup(void)
{
    cr_assert(physmem_init(&pm, 1 << 20));
    cr_assert(hostwin_enable(&pm), "memfd-backed RAM and a 4 GiB reservation");
    signal(SIGSEGV, on_segv);
}
static void teardown(void)
{
    signal(SIGSEGV, SIG_DFL);
    physmem_free(&pm);
}
TestSuite(hostwin, .init = setup, .fini = teardown);

/* Can the window be read / written at guest-physical pa? A write stores v. */
static bool can_read(uint64_t pa)
{
    if (sigsetjmp(probe_env, 1))
        return false;
    volatile uint8_t v = *(volatile uint8_t *)(pm.window + pa);
    (void)v;
    return true;
}

static bool can_write(uint32_t pa, uint8_t v)
{
    if (sigsetjmp(probe_env, 1))
        return false;
    *(volatile uint8_t *)(pm.window + pa) = v;
    return true;
}

Test(hostwin, ram_is_the_same_memory)
{
    physmem_write(&pm, 0x1234, 4, 0x11223344);
    cr_assert(can_read(0x1234));
    cr_assert_eq(*(uint32_t *)(pm.window + 0x1234), 0x11223344u);
    cr_assert(can_write(0x5678, 0xAB));
    cr_assert_eq(physmem_read(&pm, 0x5678, 1), 0xAB);
    cr_assert(can_write(0xFFFFF, 1), "the last byte of RAM");
}

Test(hostwin, beyond_ram_rom_and_mmio_fault)
{
    cr_assert(!can_read(0x100000), "just past the end of RAM");
    cr_assert(!can_read(0xFFFFFFFFu));
    cr_assert(!can_read(0xFFFFFFFFu + 7ull), "the guard past 4 GiB");
    uint8_t img[4096];
    memset(img, 0x5A, sizeof img);
    cr_assert(physmem_map_rom(&pm, 0xFFFFF000u, img, sizeof img));
    cr_assert(!can_read(0xFFFFF000u), "ROM is a host copy, not RAM: slow path");
    static const IoOps ops = {0};
    physmem_map_mmio(&pm, 0x40000, 0x2000, &ops, NULL);
    cr_assert(!can_read(0x40000) && !can_read(0x41FFF));
    cr_assert(can_read(0x42000), "the page after the MMIO region is RAM again");
    physmem_unmap(&pm, 0x40000, 0x2000);
    cr_assert(!can_read(0x40000), "a hole");
}

Test(hostwin, code_pages_are_read_only_until_cleared)
{
    physmem_set_code(&pm, 0x3000, true);
    cr_assert(can_read(0x3000));
    cr_assert(!can_write(0x3000, 1));
    cr_assert(can_write(0x2FFF, 1) && can_write(0x4000, 1), "only that page");
    physmem_set_code(&pm, 0x3000, false);
    cr_assert(can_write(0x3FFF, 7));
    cr_assert_eq(physmem_read(&pm, 0x3FFF, 1), 7);
}

Test(hostwin, remapped_ram_and_read_only_ram)
{
    physmem_write(&pm, 0x9000, 1, 0x42);
    physmem_map_ram(&pm, 0xE0000, 0x9000, 0x1000, false); /* PAM-style, read-only */
    cr_assert(can_read(0xE0000));
    cr_assert_eq(pm.window[0xE0000], 0x42, "the same RAM page at a second address");
    cr_assert(!can_write(0xE0000, 0));
    physmem_map_ram(&pm, 0xE0000, 0x9000, 0x1000, true);
    cr_assert(can_write(0xE0000, 0x43));
    cr_assert_eq(physmem_read(&pm, 0x9000, 1), 0x43);
}

Test(hostwin, disable_releases_the_window)
{
    hostwin_disable(&pm);
    cr_assert_null(pm.window);
    physmem_set_code(&pm, 0x3000, true); /* no window: nothing to keep in step */
    cr_assert(hostwin_enable(&pm));
    cr_assert(can_read(0x3000) && !can_write(0x3000, 0), "enabled anew, from the descriptors");
}
