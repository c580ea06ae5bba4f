/* test_acpi_pm.c — the PIIX4 power-management function as firmware and an OS drive it:
 * its PCI identity and PMBA/PMREGMISC decoding, the PM timer against virtual time (the
 * expected counts computed here with 128-bit arithmetic from the 3.579545 MHz clock),
 * TMR_STS on each change of bit 23, write-one-to-clear status, the SCI level and its
 * wired-OR with a PCI interrupt on IRQ 9, S5 through the power-off hook, refused sleep
 * states, save/load. Register facts from the PIIX4 datasheet and the ACPI specification. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "devices/ide.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/piix3.h"

static IoPortSpace io;
static Scheduler sched;
static uint64_t icount;
static PciBus bus;
static AcpiPm pm;
static int sci_level, sci_changes, power_offs;

static void sci_set(void *opaque, int n, int level)
{
    sci_level = level;
    sci_changes++;
}
static void on_power_off(void *opaque) { power_offs++; }
static void no_intr(void *opaque, int n, int level) {}

static void setup(void)
{
    ioport_init(&io);
    icount = 0;
    sched_init(&sched, &icount, 0); /* one instruction = one virtual ns */
    pci_bus_init(&bus, &io);
    pci_bus_register(&bus);
    sci_level = sci_changes = power_offs = 0;
    acpi_pm_init(&pm, &bus, &io, &sched, (IrqLine){sci_set, NULL, ACPI_PM_SCI_IRQ},
                 on_power_off, NULL);
}

TestSuite(acpi_pm, .init = setup);

static uint32_t cfg_read(int reg, unsigned size)
{
    ioport_write(&io, 0xCF8, 4, 0x80000000u | ACPI_PM_DEVFN << 8 | (uint32_t)(reg & 0xFC));
    return ioport_read(&io, (uint16_t)(0xCFC + (reg & 3)), size);
}

static void cfg_write(int reg, unsigned size, uint32_t v)
{
    ioport_write(&io, 0xCF8, 4, 0x80000000u | ACPI_PM_DEVFN << 8 | (uint32_t)(reg & 0xFC));
    ioport_write(&io, (uint16_t)(0xCFC + (reg & 3)), size, v);
}

/* What SeaBIOS writes (piix4_pm_setup): the block at 0x600, enabled, SCI line 9. */
static void enable_at(uint16_t base)
{
    cfg_write(PCI_INT_LINE, 1, 9);
    cfg_write(ACPI_PM_PMBA, 4, base | 1u);
    cfg_write(ACPI_PM_PMREGMISC, 1, 1);
}

static uint16_t rd16(int off) { return (uint16_t)ioport_read(&io, (uint16_t)(0x600 + off), 2); }
static void wr16(int off, uint16_t v) { ioport_write(&io, (uint16_t)(0x600 + off), 2, v); }

/* The timer count at `ns` from the definition, in wide arithmetic. */
static uint64_t ticks_ref(uint64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * ACPI_PM_TIMER_HZ / 1000000000u);
}

/* Moves virtual time to `ns` and fires what is due, as the run loop does. */
static void run_to(uint64_t ns)
{
    icount = ns;
    sched_run_due(&sched);
}

Test(acpi_pm, pci_identity_and_fixed_registers)
{
    cr_assert_eq(cfg_read(0, 4), 0x71138086u);
    cr_assert_eq(cfg_read(0x08, 4), 0x06800003u); /* class 06 80 00, revision 3 */
    cr_assert_eq(cfg_read(PCI_INT_PIN, 1), 1, "INTA, as the PIIX4 reports");
    cr_assert_eq(cfg_read(ACPI_PM_PMBA, 4), 1, "PMBA: I/O indicator only after reset");
    /* APMC_EN (DEVACTB bit 25) reads 1 and stays: firmware skips its SMM set-up. */
    cr_assert_eq(cfg_read(ACPI_PM_DEVACTB, 4) & (1u << 25), 1u << 25);
    cfg_write(ACPI_PM_DEVACTB, 4, 0);
    cr_assert_eq(cfg_read(ACPI_PM_DEVACTB, 4), 1u << 25);
    /* No SMBus. */
    cfg_write(0x90, 4, 0x701);
    cfg_write(0xD2, 1, 0x09);
    cr_assert_eq(cfg_read(0x90, 4), 0);
    cr_assert_eq(cfg_read(0xD2, 1), 0);
    /* PMBA keeps bits 15:6 only. */
    cfg_write(ACPI_PM_PMBA, 4, 0xFFFFFFFF);
    cr_assert_eq(cfg_read(ACPI_PM_PMBA, 4), 0xFFC1);
}

Test(acpi_pm, block_decodes_at_pmba_while_enabled)
{
    cr_assert_eq(ioport_read(&io, 0x608, 4), 0xFFFFFFFFu, "decoded before firmware set it up");
    cfg_write(ACPI_PM_PMBA, 4, 0x601);
    cr_assert_eq(ioport_read(&io, 0x608, 4), 0xFFFFFFFFu, "decoded without PMIOSE");
    cfg_write(ACPI_PM_PMREGMISC, 1, 1);
    cr_assert_eq(rd16(ACPI_PM1_CNT), ACPI_PM1_SCI_EN, "SCI_EN is set after reset");
    /* Moved: the old place goes dead, the new one answers; back again reuses the first. */
    cfg_write(ACPI_PM_PMBA, 4, 0xB001);
    cr_assert_eq(ioport_read(&io, 0x604, 2), 0xFFFFu);
    cr_assert_eq(ioport_read(&io, 0xB004, 2), ACPI_PM1_SCI_EN);
    int ranges = io.nranges;
    cfg_write(ACPI_PM_PMBA, 4, 0x601);
    cr_assert_eq(rd16(ACPI_PM1_CNT), ACPI_PM1_SCI_EN);
    cr_assert_eq(io.nranges, ranges, "moving back registered the block again");
    cfg_write(ACPI_PM_PMREGMISC, 1, 0);
    cr_assert_eq(ioport_read(&io, 0x604, 2), 0xFFFFu);
    /* A guest that keeps moving it: it decodes at the last place only, and holds one
     * registration whatever the number of moves. */
    cfg_write(ACPI_PM_PMREGMISC, 1, 1);
    for (uint32_t b = 0x1000; b < 0x1000 + 64 * 900; b += 64)
        cfg_write(ACPI_PM_PMBA, 4, b | 1);
    uint16_t last = 0x1000 + 64 * 899;
    cr_assert_eq(ioport_read(&io, (uint16_t)(last + ACPI_PM1_CNT), 2), ACPI_PM1_SCI_EN);
    cr_assert_eq(ioport_read(&io, 0x1000 + ACPI_PM1_CNT, 2), 0xFFFFu);
    cr_assert_eq(ioport_read(&io, (uint16_t)(last - 64 + ACPI_PM1_CNT), 2), 0xFFFFu);
    cr_assert_leq(io.nranges, ranges);
}

/* A chip whose ports the PM block may be moved over: reads give its own pattern. */
static uint32_t other_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque;
    (void)size;
    return 0xA500u | addr;
}
static const IoOps other_ops = {other_read, NULL, 0};

/* Moving the block twice, with the port space's slots reused underneath (another window
 * unregistered before the block was first placed): each move unregisters the window it
 * left, so the old bases go back to whatever decoded them before (here a chip at 0xC000,
 * or nothing at 0x600) and only the new base answers. An earlier version remembered
 * `nranges` as its slot, which is stale once a freed slot is reused, and so left its old
 * windows registered (reading all ones over the chip it had covered). */
Test(acpi_pm, moved_twice_gives_the_old_ports_back)
{
    ioport_register(&io, 0x3000, 8, &other_ops, NULL);
    ioport_register(&io, 0xC000, ACPI_PM_IO_SIZE, &other_ops, NULL);
    cr_assert(ioport_unregister(&io, 0x3000, 8)); /* a free slot below nranges */
    int ranges = io.nranges;
    enable_at(0x600);
    cr_assert_eq(rd16(ACPI_PM1_CNT), ACPI_PM1_SCI_EN);
    cfg_write(ACPI_PM_PMBA, 4, 0xC001); /* over the chip */
    cr_assert_eq(ioport_read(&io, 0x600 + ACPI_PM1_CNT, 2), 0xFFFFu, "old base still decodes");
    cr_assert_eq(ioport_read(&io, 0xC000 + ACPI_PM1_CNT, 2), ACPI_PM1_SCI_EN);
    cfg_write(ACPI_PM_PMBA, 4, 0xD001); /* and away again */
    cr_assert_eq(ioport_read(&io, 0xC000 + ACPI_PM1_CNT, 2), 0xA500u | ACPI_PM1_CNT,
                 "the chip at the old base did not get its ports back");
    cr_assert_eq(ioport_read(&io, 0x600 + ACPI_PM1_CNT, 2), 0xFFFFu);
    cr_assert_eq(ioport_read(&io, 0xD000 + ACPI_PM1_CNT, 2), ACPI_PM1_SCI_EN);
    cr_assert_leq(io.nranges, ranges + 1, "old windows stayed registered");
    /* Off and on again at the same place. */
    cfg_write(ACPI_PM_PMREGMISC, 1, 0);
    cr_assert_eq(ioport_read(&io, 0xD000 + ACPI_PM1_CNT, 2), 0xFFFFu);
    cfg_write(ACPI_PM_PMREGMISC, 1, 1);
    cr_assert_eq(ioport_read(&io, 0xD000 + ACPI_PM1_CNT, 2), ACPI_PM1_SCI_EN);
}

Test(acpi_pm, timer_follows_virtual_time)
{
    enable_at(0x600);
    static const uint64_t at[] = {0, 279, 280, 1000, 999999999, 1000000000, 4687500000u,
                                  12345678901ull, 86400000000000ull};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        icount = at[i];
        uint64_t want = ticks_ref(at[i]) & 0xFFFFFF;
        cr_assert_eq(ioport_read(&io, 0x608, 4), want, "at %llu ns",
                     (unsigned long long)at[i]);
        cr_assert_eq(acpi_pm_ticks_at(at[i]), ticks_ref(at[i]));
    }
    /* One second is 3579545 counts; the register holds 24 bits and wraps to 0. */
    icount = 1000000000;
    cr_assert_eq(ioport_read(&io, 0x608, 4), 3579545u);
    icount = acpi_pm_ns_of_tick(1u << 24);
    cr_assert_eq(ioport_read(&io, 0x608, 4), 0);
    cr_assert_eq(ioport_read(&io, 0x60A, 2), 0, "bits 31:24 read 0");
    /* Writes do not change it. */
    icount = 5000;
    ioport_write(&io, 0x608, 4, 0x123456);
    cr_assert_eq(ioport_read(&io, 0x608, 4), ticks_ref(5000));
}

Test(acpi_pm, ns_of_tick_is_the_first_ns_reaching_it)
{
    static const uint64_t ticks[] = {1, 2, 3579545, 1u << 23, 1u << 24, 3u << 23,
                                     123456789012ull};
    for (size_t i = 0; i < sizeof ticks / sizeof ticks[0]; i++) {
        uint64_t ns = acpi_pm_ns_of_tick(ticks[i]);
        cr_assert_geq(ticks_ref(ns), ticks[i]);
        cr_assert_lt(ticks_ref(ns - 1), ticks[i]);
    }
}

Test(acpi_pm, tmr_sts_on_each_bit23_change_and_write_one_to_clear)
{
    enable_at(0x600);
    uint64_t flip1 = acpi_pm_ns_of_tick(1u << 23), flip2 = acpi_pm_ns_of_tick(2u << 23);
    icount = flip1 - 1;
    cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_TMR, 0);
    icount = flip1;
    cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_TMR, ACPI_PM1_TMR, "bit 23 went 0 -> 1");
    wr16(ACPI_PM1_STS, 0); /* a 0 leaves it */
    cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_TMR, ACPI_PM1_TMR);
    wr16(ACPI_PM1_STS, ACPI_PM1_TMR);
    cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_TMR, 0);
    icount = flip2 - 1;
    cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_TMR, 0);
    icount = flip2;
    cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_TMR, ACPI_PM1_TMR, "bit 23 went 1 -> 0");
    /* Writing ones elsewhere sets nothing; byte writes clear their byte only. */
    wr16(ACPI_PM1_STS, 0xFFFE);
    cr_assert_eq(rd16(ACPI_PM1_STS), ACPI_PM1_TMR);
    ioport_write(&io, 0x601, 1, 0xFF);
    cr_assert_eq(rd16(ACPI_PM1_STS), ACPI_PM1_TMR);
    ioport_write(&io, 0x600, 1, 0x01);
    cr_assert_eq(rd16(ACPI_PM1_STS), 0);
}

Test(acpi_pm, timer_armed_only_with_tmr_en_and_raises_the_sci)
{
    enable_at(0x600);
    cr_assert_not(timer_armed(&pm.tmr_timer));
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
    wr16(ACPI_PM1_EN, ACPI_PM1_TMR);
    cr_assert(timer_armed(&pm.tmr_timer));
    uint64_t flip1 = acpi_pm_ns_of_tick(1u << 23);
    cr_assert_eq(sched_next_deadline(&sched), flip1);
    run_to(flip1 - 1);
    cr_assert_eq(sci_level, 0);
    run_to(flip1);
    cr_assert_eq(sci_level, 1, "TMR_STS with TMR_EN and SCI_EN raises the SCI");
    cr_assert_eq(sched_next_deadline(&sched), acpi_pm_ns_of_tick(2u << 23), "re-armed");
    wr16(ACPI_PM1_STS, ACPI_PM1_TMR);
    cr_assert_eq(sci_level, 0, "clearing the status drops the level");
    wr16(ACPI_PM1_EN, 0);
    cr_assert_not(timer_armed(&pm.tmr_timer));
    /* The status still follows the timer with TMR_EN clear (read lazily), without an SCI. */
    icount = acpi_pm_ns_of_tick(2u << 23);
    cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_TMR, ACPI_PM1_TMR);
    cr_assert_eq(sci_level, 0);
    /* Enabling with the status pending raises at once; SCI_EN gates the line. */
    wr16(ACPI_PM1_EN, ACPI_PM1_TMR);
    cr_assert_eq(sci_level, 1);
    wr16(ACPI_PM1_CNT, 0);
    cr_assert_eq(sci_level, 0);
    wr16(ACPI_PM1_CNT, ACPI_PM1_SCI_EN);
    cr_assert_eq(sci_level, 1);
}

Test(acpi_pm, power_button_and_gpe)
{
    enable_at(0x600);
    acpi_pm_press_power_button(&pm);
    cr_assert_eq(rd16(ACPI_PM1_STS), ACPI_PM1_PWRBTN);
    cr_assert_eq(sci_level, 0, "not enabled");
    wr16(ACPI_PM1_EN, ACPI_PM1_PWRBTN);
    cr_assert_eq(sci_level, 1);
    wr16(ACPI_PM1_STS, ACPI_PM1_PWRBTN);
    cr_assert_eq(sci_level, 0);
    cr_assert_eq(rd16(ACPI_PM1_EN), ACPI_PM1_PWRBTN);
    wr16(ACPI_PM1_EN, 0xFFFF);
    cr_assert_eq(rd16(ACPI_PM1_EN), ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_RTC);
    wr16(ACPI_PM1_EN, 0);

    acpi_pm_raise_gpe(&pm, 3);
    acpi_pm_raise_gpe(&pm, 16); /* no such bit */
    cr_assert_eq(rd16(ACPI_GPE0_STS), 0x0008);
    cr_assert_eq(sci_level, 0);
    ioport_write(&io, 0x60E, 2, 0x0008);
    cr_assert_eq(sci_level, 1);
    ioport_write(&io, 0x60C, 4, 0x00000008); /* a dword write: clears STS, EN 0 */
    cr_assert_eq(rd16(ACPI_GPE0_STS), 0);
    cr_assert_eq(rd16(ACPI_GPE0_EN), 0);
    cr_assert_eq(sci_level, 0);
}

Test(acpi_pm, s5_calls_the_power_off_hook)
{
    enable_at(0x600);
    /* SLP_TYP alone (Linux writes it first) does nothing; SLP_EN reads back 0. */
    wr16(ACPI_PM1_CNT, ACPI_PM1_SCI_EN | ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT);
    cr_assert_eq(power_offs, 0);
    wr16(ACPI_PM1_CNT, ACPI_PM1_SCI_EN | ACPI_PM1_SLP_EN);
    cr_assert_eq(power_offs, 1);
    cr_assert_eq(rd16(ACPI_PM1_CNT) & ACPI_PM1_SLP_EN, 0);
    /* A byte write to the high half carries SLP_TYP and SLP_EN together. */
    ioport_write(&io, 0x605, 1, ACPI_PM1_SLP_EN >> 8);
    cr_assert_eq(power_offs, 2);
}

Test(acpi_pm, other_sleep_states_are_refused_and_wake_at_once)
{
    enable_at(0x600);
    for (unsigned typ = 1; typ < 8; typ++) {
        wr16(ACPI_PM1_STS, ACPI_PM1_WAK);
        wr16(ACPI_PM1_CNT, (uint16_t)(ACPI_PM1_SCI_EN | typ << ACPI_PM1_SLP_TYP_SHIFT |
                                      ACPI_PM1_SLP_EN));
        cr_assert_eq(power_offs, 0, "SLP_TYP %u powered off", typ);
        cr_assert_eq(rd16(ACPI_PM1_STS) & ACPI_PM1_WAK, ACPI_PM1_WAK);
        cr_assert_eq(rd16(ACPI_PM1_CNT),
                     ACPI_PM1_SCI_EN | typ << ACPI_PM1_SLP_TYP_SHIFT, "SLP_TYP reads back");
    }
}

Test(acpi_pm, reset_clears_the_registers)
{
    enable_at(0x600);
    wr16(ACPI_PM1_EN, ACPI_PM1_PWRBTN);
    acpi_pm_press_power_button(&pm);
    cr_assert_eq(sci_level, 1);
    acpi_pm_reset(&pm);
    cr_assert_eq(sci_level, 0);
    cr_assert_eq(cfg_read(ACPI_PM_PMBA, 4), 1);
    cr_assert_eq(ioport_read(&io, 0x600, 2), 0xFFFFu, "still decoded after reset");
    enable_at(0x600);
    cr_assert_eq(rd16(ACPI_PM1_STS), 0);
    cr_assert_eq(rd16(ACPI_PM1_EN), 0);
    cr_assert_eq(rd16(ACPI_PM1_CNT), ACPI_PM1_SCI_EN);
}

Test(acpi_pm, save_and_load)
{
    enable_at(0x600);
    wr16(ACPI_PM1_EN, ACPI_PM1_TMR | ACPI_PM1_PWRBTN);
    acpi_pm_press_power_button(&pm);
    ioport_write(&io, 0x60E, 2, 0x0101);
    StateWriter w;
    sw_init(&w);
    acpi_pm_save(&pm, &w);
    acpi_pm_reset(&pm);
    cr_assert_eq(sci_level, 0);
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(acpi_pm_load(&pm, &r));
    cr_assert_eq(rd16(ACPI_PM1_STS), ACPI_PM1_PWRBTN);
    cr_assert_eq(rd16(ACPI_PM1_EN), ACPI_PM1_TMR | ACPI_PM1_PWRBTN);
    cr_assert_eq(rd16(ACPI_GPE0_EN), 0x0101);
    cr_assert_eq(sci_level, 1);
    cr_assert(timer_armed(&pm.tmr_timer), "TMR_EN re-arms the timer");
    /* A damaged stream (a status bit that does not exist) is refused. */
    w.buf[1 + 256 + 1] = 0x02;
    sr_init(&r, w.buf, w.len);
    cr_assert_not(acpi_pm_load(&pm, &r));
    cr_assert_eq(rd16(ACPI_PM1_STS), ACPI_PM1_PWRBTN, "a refused load changed the state");
    sw_free(&w);
}

/* On the board, the SCI and a PCI interrupt routed to IRQ 9 share the line (wired-OR). */
Test(acpi_pm, sci_and_a_pirq_share_irq9)
{
    static DualPic pic;
    static Piix3 piix;
    static IdeChannel ide[2];
    static PciDevice dev;
    static AcpiPm bpm;
    static PciBus b2;
    static IoPortSpace io2;
    static PhysMem mem;
    cr_assert(physmem_init(&mem, 1u << 20));
    ioport_init(&io2);
    pic_init(&pic, (IrqLine){no_intr, NULL, 0});
    pic_register(&pic, &io2);
    ide_init(&ide[0], &sched, pic_irq_line(&pic, 14), &mem);
    ide_init(&ide[1], &sched, pic_irq_line(&pic, 15), &mem);
    pci_bus_init(&b2, &io2);
    pci_bus_register(&b2);
    piix3_init(&piix, &b2, &pic, &ide[0], &ide[1], NULL, NULL);
    acpi_pm_init(&bpm, &b2, &io2, &sched, piix3_board_irq_line(&piix, ACPI_PM_SCI_IRQ),
                 on_power_off, NULL);
    acpi_pm_firmware_setup(&bpm, ACPI_PM_BASE);
    ioport_write(&io2, 0x4D1, 1, 0x02); /* ELCR: IRQ 9 level-triggered */
    pci_device_init(&dev, &b2, 3 << 3, 0x1234, 0x5678, 0, 0xFF0000);
    pci_device_set_int_pin(&dev, 1); /* slot 3 INTA: PIRQD */
    pci_config_write(&piix.isa, PIIX3_PIRQRC + 3, 1, 9);
    PicChipInfo info;
    pci_set_irq(&dev, 1);
    ioport_write(&io2, ACPI_PM_BASE + ACPI_PM1_EN, 2, ACPI_PM1_PWRBTN);
    acpi_pm_press_power_button(&bpm);
    pci_set_irq(&dev, 0);
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x02, 0x02, "the SCI still holds IRQ 9");
    ioport_write(&io2, ACPI_PM_BASE + ACPI_PM1_STS, 2, ACPI_PM1_PWRBTN);
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x02, 0);
    pci_set_irq(&dev, 1);
    acpi_pm_press_power_button(&bpm);
    ioport_write(&io2, ACPI_PM_BASE + ACPI_PM1_STS, 2, ACPI_PM1_PWRBTN);
    pic_chip_info(&pic, 1, &info);
    cr_assert_eq(info.irr & 0x02, 0x02, "the PCI device still holds IRQ 9");
    physmem_free(&mem);
}
