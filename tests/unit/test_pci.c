/* test_pci.c — PCI configuration space through mechanism #1 (ports 0xCF8/0xCFC) as a
 * guest or firmware drives it: enumeration of the i440FX/PIIX3 board, read-only and
 * writable fields, BAR sizing and decoding, PIRQ routing into the PIC, the reset control
 * register, and the i440FX PAM switching 0xF0000 between ROM and RAM. IDs and register
 * offsets are from the PCI 2.1 specification and the 440FX/PIIX3 datasheets. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/i440fx.h"
#include "devices/ide.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/piix3.h"

static IoPortSpace io;
static PhysMem mem;
static Scheduler sched;
static uint64_t icount;
static DualPic pic;
static PciBus bus;
static I440fx host;
static Piix3 piix;
static IdeChannel ide[2];
static int resets, mem_changes;
static uint8_t rom[65536];

static void no_intr(void *opaque, int n, int level) {}
static void on_reset(void *opaque) { resets++; }
static void on_mem_changed(void *opaque) { mem_changes++; }

static void setup(void)
{
    ioport_init(&io);
    cr_assert(physmem_init(&mem, 2u << 20));
    physmem_unmap(&mem, 0xA0000, 0x60000);
    for (size_t i = 0; i < sizeof rom; i++)
        rom[i] = (uint8_t)(i ^ 0x5A);
    cr_assert(physmem_map_rom(&mem, 0xF0000, rom, sizeof rom));
    icount = 0;
    sched_init(&sched, &icount, 0);
    pic_init(&pic, (IrqLine){no_intr, NULL, 0});
    pic_register(&pic, &io);
    ide_init(&ide[0], &sched, pic_irq_line(&pic, 14), &mem);
    ide_init(&ide[1], &sched, pic_irq_line(&pic, 15), &mem);
    pci_bus_init(&bus, &io);
    pci_bus_register(&bus);
    resets = mem_changes = 0;
    i440fx_init(&host, &bus, &mem, on_mem_changed, NULL);
    piix3_init(&piix, &bus, &pic, &ide[0], &ide[1], on_reset, NULL);
}

static void teardown(void) { physmem_free(&mem); }

TestSuite(pci, .init = setup, .fini = teardown);

static uint32_t cfg_addr(int dev, int fn, int reg)
{
    return 0x80000000u | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (uint32_t)(reg & 0xFC);
}

static uint32_t cfg_read(int dev, int fn, int reg, unsigned size)
{
    ioport_write(&io, 0xCF8, 4, cfg_addr(dev, fn, reg));
    return ioport_read(&io, (uint16_t)(0xCFC + (reg & 3)), size);
}

static void cfg_write(int dev, int fn, int reg, unsigned size, uint32_t v)
{
    ioport_write(&io, 0xCF8, 4, cfg_addr(dev, fn, reg));
    ioport_write(&io, (uint16_t)(0xCFC + (reg & 3)), size, v);
}

Test(pci, enumerates_the_board)
{
    cr_assert_eq(cfg_read(0, 0, 0, 4), 0x12378086u);
    cr_assert_eq(cfg_read(1, 0, 0, 4), 0x70008086u);
    cr_assert_eq(cfg_read(1, 1, 0, 4), 0x70108086u);
    cr_assert_eq(cfg_read(0, 0, 0x08, 4) >> 8, 0x060000u); /* host bridge */
    cr_assert_eq(cfg_read(1, 0, 0x08, 4) >> 8, 0x060100u); /* ISA bridge */
    cr_assert_eq(cfg_read(1, 1, 0x08, 4) >> 8, 0x010180u); /* IDE, legacy, bus master */
    cr_assert_eq(cfg_read(1, 0, 0x0E, 1), 0x80);           /* multi-function */
    cr_assert_eq(cfg_read(0, 0, 0x0E, 1), 0x00);
    cr_assert_eq(cfg_read(0, 0, 0x2C, 4), 0x11001AF4u);    /* QEMU subsystem IDs */
    for (int dev = 2; dev < 32; dev++)
        cr_assert_eq(cfg_read(dev, 0, 0, 4), 0xFFFFFFFFu, "device %d", dev);
    cr_assert_eq(cfg_read(1, 2, 0, 4), 0xFFFFFFFFu);
}

Test(pci, address_register_rules)
{
    ioport_write(&io, 0xCF8, 4, 0x80000003u | 1u << 16); /* bus 1; low bits ignored */
    cr_assert_eq(ioport_read(&io, 0xCF8, 4), 0x80010000u);
    cr_assert_eq(ioport_read(&io, 0xCFC, 4), 0xFFFFFFFFu);
    ioport_write(&io, 0xCF8, 4, 0x00000000u); /* enable clear */
    cr_assert_eq(ioport_read(&io, 0xCFC, 4), 0xFFFFFFFFu);
    ioport_write(&io, 0xCF8, 2, 0x1234); /* not a dword: not the address register */
    cr_assert_eq(ioport_read(&io, 0xCF8, 4), 0);
    /* Byte and word reads at every offset of the data window. */
    ioport_write(&io, 0xCF8, 4, cfg_addr(1, 1, 0));
    cr_assert_eq(ioport_read(&io, 0xCFE, 2), 0x7010);
    cr_assert_eq(ioport_read(&io, 0xCFD, 1), 0x80);
}

Test(pci, read_only_fields_stay)
{
    cfg_write(1, 1, 0, 4, 0);
    cfg_write(1, 1, 0x08, 4, 0);
    cr_assert_eq(cfg_read(1, 1, 0, 4), 0x70108086u);
    cr_assert_eq(cfg_read(1, 1, 0x08, 4) >> 8, 0x010180u);
    cfg_write(1, 0, 0x3C, 1, 0x0B); /* interrupt line is the firmware's scratch byte */
    cr_assert_eq(cfg_read(1, 0, 0x3C, 1), 0x0B);
}

Test(pci, bar_sizing_and_decoding)
{
    /* BAR4 of the IDE function: 16 bytes of I/O. */
    cfg_write(1, 1, 0x20, 4, 0xFFFFFFFFu);
    cr_assert_eq(cfg_read(1, 1, 0x20, 4), 0xFFFFFFF1u);
    cfg_write(1, 1, 0x10, 4, 0xFFFFFFFFu); /* no BAR 0: reads 0 */
    cr_assert_eq(cfg_read(1, 1, 0x10, 4), 0);
    cfg_write(1, 1, 0x20, 4, 0xC000);
    cr_assert_eq(cfg_read(1, 1, 0x20, 4), 0xC001u);
    /* Not decoded until I/O space is enabled. */
    ioport_write(&io, 0xC004, 4, 0x12345678);
    cr_assert_eq(ioport_read(&io, 0xC004, 4), 0xFFFFFFFFu);
    cfg_write(1, 1, 0x04, 2, 0x0005);
    ioport_write(&io, 0xC004, 4, 0x12345678);
    cr_assert_eq(ioport_read(&io, 0xC004, 4), 0x12345678u & ~3u);
    cr_assert_eq(ide[0].bm.prd_addr, 0x12345678u & ~3u);
    ioport_write(&io, 0xC00C, 4, 0x2000);
    cr_assert_eq(ide[1].bm.prd_addr, 0x2000);
    /* Moved: the old window goes dead, the new one works. */
    cfg_write(1, 1, 0x20, 4, 0xD000);
    cr_assert_eq(ioport_read(&io, 0xC004, 4), 0xFFFFFFFFu);
    cr_assert_eq(ioport_read(&io, 0xD004, 4), 0x12345678u & ~3u);
    /* Disabled: dead. */
    cfg_write(1, 1, 0x04, 2, 0);
    cr_assert_eq(ioport_read(&io, 0xD004, 4), 0xFFFFFFFFu);
}

Test(pci, a_bar_moves_any_number_of_times)
{
    cfg_write(1, 1, 0x04, 2, 0x0001);
    int ranges = io.nranges;
    for (uint32_t i = 0; i < 1000; i++)
        cfg_write(1, 1, 0x20, 4, 0x1000 + 0x10 * i); /* each a new place */
    cr_assert_leq(io.nranges, ranges + 1, "one registration for the BAR, wherever it is");
    /* Decoded at the last place only. */
    ioport_write(&io, 0x1000 + 0x10 * 999 + 4, 4, 0x4000);
    cr_assert_eq(ide[0].bm.prd_addr, 0x4000);
    ioport_write(&io, 0x1000 + 0x10 * 998 + 4, 4, 0x8000);
    cr_assert_eq(ide[0].bm.prd_addr, 0x4000, "an old window still decodes");
    /* Back to a place it had: decoded again. */
    cfg_write(1, 1, 0x20, 4, 0x1000);
    ioport_write(&io, 0x1004, 4, 0x5000);
    cr_assert_eq(ide[0].bm.prd_addr, 0x5000);
}

Test(pci, a_bar_moved_over_a_chip_gives_its_ports_back)
{
    PicChipInfo info;
    cfg_write(1, 1, 0x04, 2, 0x0001);
    ioport_write(&io, 0x21, 1, 0xA5); /* the master PIC's mask register */
    cfg_write(1, 1, 0x20, 4, 0x20);   /* the bus-master BAR over ports 20-2F */
    ioport_write(&io, 0x21, 1, 0x3C); /* reaches the BAR, not the PIC */
    pic_chip_info(&pic, 0, &info);
    cr_assert_eq(info.imr, 0xA5);
    cfg_write(1, 1, 0x20, 4, 0xC000); /* moved away */
    cr_assert_eq(ioport_read(&io, 0x21, 1), 0xA5, "the PIC decodes its ports again");
    ioport_write(&io, 0x21, 1, 0x5A);
    pic_chip_info(&pic, 0, &info);
    cr_assert_eq(info.imr, 0x5A);
}

/* A PCI function with INTA, to drive the PIIX3's PIRQ router. */
Test(pci, pirq_routing_reaches_the_pic)
{
    static PciDevice dev;
    pci_device_init(&dev, &bus, 3 << 3, 0x1234, 0x5678, 0, 0xFF0000);
    pci_device_set_int_pin(&dev, 1);
    PicChipInfo info;
    /* Device 3, INTA: PIRQ (3 + 0) & 3 = D, register 0x63. Unrouted: nothing. */
    pci_set_irq(&dev, 1);
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x08, 0);
    cfg_write(1, 0, 0x63, 1, 11); /* route PIRQD to IRQ 11 */
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x08, 0x08, "IRQ 11 not requested");
    /* INTx disable in the command register withdraws it. */
    pci_config_write(&dev, PCI_COMMAND, 2, PCI_CMD_INTX_DISABLE);
    ioport_write(&io, 0x4D1, 1, 0x08); /* ELCR: IRQ 11 level-triggered */
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.elcr & 0x08, 0x08);
    cr_assert_eq(info.irr & 0x08, 0, "a level request must fall with the line");
    pci_config_write(&dev, PCI_COMMAND, 2, 0);
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x08, 0x08);
    /* Routed elsewhere: IRQ 11 drops, IRQ 10 rises. An invalid IRQ (2) routes nowhere. */
    ioport_write(&io, 0x4D1, 1, 0x0C);
    cfg_write(1, 0, 0x63, 1, 10);
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x0C, 0x04);
    cfg_write(1, 0, 0x63, 1, 2);
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x0C, 0);
    pic_chip_info(&pic, 0, &info);
    cr_assert_eq(info.irr & 0x04, 0);
}

/* IDETIM decode enable is 0 at reset and set by firmware (SeaBIOS does it; a direct kernel
 * boot calls piix3_firmware_setup): Linux's ata_piix skips a channel whose bit is clear. */
Test(pci, ide_decode_enable_is_firmware_setup)
{
    cr_assert_eq(cfg_read(1, 1, 0x40, 2) & 0x8000, 0);
    cr_assert_eq(cfg_read(1, 1, 0x42, 2) & 0x8000, 0);
    cfg_write(1, 1, 0x40, 2, 0xA307);
    piix3_firmware_setup(&piix);
    cr_assert_eq(cfg_read(1, 1, 0x40, 2), 0xA307, "timings kept, decode still on");
    cr_assert_eq(cfg_read(1, 1, 0x42, 2), 0x8000);
    piix3_reset(&piix);
    cr_assert_eq(cfg_read(1, 1, 0x40, 4), 0, "reset clears both channels' timing");
}

Test(pci, reset_control_register)
{
    ioport_write(&io, 0xCF9, 1, 0x02);
    cr_assert_eq(resets, 0);
    cr_assert_eq(ioport_read(&io, 0xCF9, 1), 0x02);
    ioport_write(&io, 0xCF9, 1, 0x06);
    cr_assert_eq(resets, 1);
}

Test(pci, pam_switches_the_bios_area)
{
    cr_assert_eq(physmem_read(&mem, 0xF0010, 1), rom[0x10]);
    physmem_write(&mem, 0xF0010, 1, 0x77); /* ROM: dropped */
    cr_assert_eq(physmem_read(&mem, 0xF0010, 1), rom[0x10]);
    int before = mem_changes;
    cfg_write(0, 0, 0x59, 1, 0x30); /* PAM0 high nibble: RE|WE */
    cr_assert_gt(mem_changes, before);
    physmem_write(&mem, 0xF0010, 1, 0x77);
    cr_assert_eq(physmem_read(&mem, 0xF0010, 1), 0x77);
    cfg_write(0, 0, 0x59, 1, 0x10); /* read-only RAM */
    physmem_write(&mem, 0xF0010, 1, 0x66);
    cr_assert_eq(physmem_read(&mem, 0xF0010, 1), 0x77);
    cfg_write(0, 0, 0x59, 1, 0x00); /* back to the ROM */
    cr_assert_eq(physmem_read(&mem, 0xF0010, 1), rom[0x10]);
    /* The C0000 block (PAM1 low nibble) has no ROM: unassigned, then RAM. */
    cr_assert_eq(physmem_read(&mem, 0xC0000, 1), 0xFF);
    cfg_write(0, 0, 0x5A, 1, 0x03);
    physmem_write(&mem, 0xC0000, 1, 0x12);
    cr_assert_eq(physmem_read(&mem, 0xC0000, 1), 0x12);
    cr_assert_eq(physmem_read(&mem, 0xC4000, 1), 0xFF); /* the next 16 KiB block: PCI */
    /* A dword write over 0x58-0x5B, as SeaBIOS does. */
    cfg_write(0, 0, 0x58, 4, 0x33333300u);
    cr_assert_eq(cfg_read(0, 0, 0x59, 1), 0x33);
    physmem_write(&mem, 0xC4000, 1, 0x34);
    cr_assert_eq(physmem_read(&mem, 0xC4000, 1), 0x34);
    i440fx_reset(&host);
    cr_assert_eq(physmem_read(&mem, 0xF0010, 1), rom[0x10]);
}

Test(pci, smram_register)
{
    cr_assert_eq(cfg_read(0, 0, 0x72, 1), 0x02);
    cfg_write(0, 0, 0x72, 1, 0x4F); /* D_OPEN|G_SMRAME; base bits fixed */
    cr_assert_eq(cfg_read(0, 0, 0x72, 1), 0x4A);
    cfg_write(0, 0, 0x72, 1, 0x1A); /* D_LCK */
    cfg_write(0, 0, 0x72, 1, 0x5A); /* D_OPEN and D_LCK: locked now */
    cr_assert_eq(cfg_read(0, 0, 0x72, 1) & 0x50, 0x10);
}

static uint32_t mem_bar_addr = 0x12345678;
static void mem_bar_moved(void *opaque, int bar, uint32_t addr) { mem_bar_addr = addr; }

Test(pci, memory_bar_decoding_and_reset)
{
    static PciDevice dev;
    pci_device_init(&dev, &bus, 4 << 3, 0x1234, 0x1111, 0, 0x030000);
    pci_device_set_mem_bar(&dev, 0, 16u << 20, mem_bar_moved, NULL);
    dev.config[PCI_BAR0] |= 0x08; /* the device marks it prefetchable */
    cfg_write(4, 0, 0x10, 4, 0xFFFFFFFFu);
    cr_assert_eq(cfg_read(4, 0, 0x10, 4), 0xFF000008u);
    cr_assert_eq(mem_bar_addr, 0x12345678u, "no decode yet: no call");
    cfg_write(4, 0, 0x10, 4, 0xE0000000u);
    cfg_write(4, 0, 0x04, 2, PCI_CMD_MEM);
    cr_assert_eq(mem_bar_addr, 0xE0000000u);
    cfg_write(4, 0, 0x10, 4, 0xFFFFFFFFu); /* sizing with decode on: not mapped at the mask */
    cr_assert_eq(mem_bar_addr, PCI_BAR_UNMAPPED);
    cfg_write(4, 0, 0x10, 4, 0xF0000000u);
    cr_assert_eq(mem_bar_addr, 0xF0000000u);
    pci_device_reset(&dev);
    cr_assert_eq(mem_bar_addr, PCI_BAR_UNMAPPED);
    cr_assert_eq(cfg_read(4, 0, 0x10, 4), 0x00000008u, "type bits survive a reset");
    cr_assert_eq(cfg_read(4, 0, 0x04, 2), 0);
}
