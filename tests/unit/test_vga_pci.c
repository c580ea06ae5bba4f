/* test_vga_pci.c — the VGA as QEMU's std VGA PCI function: its identity, BAR 0 sizing with
 * the prefetchable type bit, and the linear frame buffer following BAR 0 and the memory
 * decode bit (never over RAM), with the TLB flush hook run on every move. */
#include <criterion/criterion.h>

#include "devices/vga_pci.h"

static Vga vga;
static VgaPci vp;
static PciBus bus;
static Scheduler sched;
static uint64_t icount;
static IoPortSpace io;
static PhysMem mem;
static int flushes;

static void count_flush(void *opaque)
{
    (void)opaque;
    flushes++;
}

static void setup(void)
{
    icount = 0;
    flushes = 0;
    sched_init(&sched, &icount, 0);
    ioport_init(&io);
    cr_assert(physmem_init(&mem, 64u << 20));
    cr_assert(vga_init(&vga, &sched));
    vga_register(&vga, &io, &mem, VGA_LFB_DEFAULT_BASE);
    pci_bus_init(&bus, &io);
    pci_bus_register(&bus);
    vga_pci_init(&vp, &bus, VGA_PCI_DEVFN, &vga, count_flush, NULL);
}

static void teardown(void)
{
    vga_free(&vga);
    physmem_free(&mem);
}

TestSuite(vga_pci, .init = setup, .fini = teardown);

/* Configuration mechanism #1, as the firmware uses it. */
static uint32_t cfg_read(unsigned reg)
{
    ioport_write(&io, 0xCF8, 4, 0x80000000u | (uint32_t)VGA_PCI_DEVFN << 8 | reg);
    return ioport_read(&io, 0xCFC, 4);
}
static void cfg_write(unsigned reg, uint32_t v)
{
    ioport_write(&io, 0xCF8, 4, 0x80000000u | (uint32_t)VGA_PCI_DEVFN << 8 | reg);
    ioport_write(&io, 0xCFC, 4, v);
}

Test(vga_pci, identity_and_bar_sizing)
{
    cr_assert_eq(cfg_read(0x00), 0x11111234u);
    cr_assert_eq(cfg_read(0x08) >> 8, 0x030000u, "class: VGA-compatible display");
    cr_assert_null(physmem_host(&mem, VGA_LFB_DEFAULT_BASE), "no LFB before BAR 0 is set");
    cfg_write(0x10, 0xFFFFFFFFu);
    cr_assert_eq(cfg_read(0x10), 0xFF000008u, "16 MiB, memory, prefetchable");
}

Test(vga_pci, frame_buffer_follows_bar0_and_the_decode_bit)
{
    cfg_write(0x10, 0xFD000000u);
    cr_assert_null(physmem_host(&mem, 0xFD000000u), "memory decode still off");
    cfg_write(0x04, 0x0003);
    cr_assert_eq(physmem_host(&mem, 0xFD000000u), vga.vram);
    cr_assert_eq(physmem_host(&mem, 0xFD000000u + VGA_VRAM_SIZE - 1),
                 vga.vram + VGA_VRAM_SIZE - 1);
    cr_assert_gt(flushes, 0);
    physmem_write(&mem, 0xFD000010u, 4, 0xA5A5A5A5u);
    cr_assert_eq(vga.vram[0x10], 0xA5);
    int before = flushes;
    cfg_write(0x10, 0xE0000000u);
    cr_assert_null(physmem_host(&mem, 0xFD000000u), "the old place is let go");
    cr_assert_eq(physmem_host(&mem, 0xE0000000u), vga.vram);
    cr_assert_gt(flushes, before);
    cfg_write(0x04, 0x0000);
    cr_assert_null(physmem_host(&mem, 0xE0000000u));
}

Test(vga_pci, never_over_ram_or_the_firmware)
{
    cfg_write(0x04, 0x0003);
    cfg_write(0x10, 0x01000000u); /* inside the 64 MiB of RAM */
    cr_assert_eq(physmem_host(&mem, 0x01000000u), mem.ram + 0x01000000u, "RAM stays RAM");
    cfg_write(0x10, 0xFF000000u); /* over the BIOS at the top of 4 GiB */
    cr_assert_null(physmem_host(&mem, 0xFF000000u));
    cr_assert_eq(vga.lfb_base, 0u);
}

Test(vga_pci, reset_unmaps_and_keeps_the_bar_type)
{
    cfg_write(0x10, 0xFD000000u);
    cfg_write(0x04, 0x0003);
    cr_assert_not_null(physmem_host(&mem, 0xFD000000u));
    vga_pci_reset(&vp);
    cr_assert_null(physmem_host(&mem, 0xFD000000u));
    cr_assert_eq(cfg_read(0x10), 0x00000008u);
}
