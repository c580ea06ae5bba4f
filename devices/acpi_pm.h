/* acpi_pm.h — the PIIX4 power-management function 00:01.3 (8086:7113, revision 3): the ACPI
 * fixed hardware (PM1a event and control blocks, the 24-bit PM timer) and a GPE0 block,
 * with the SCI on ISA IRQ 9. The ISA bridge and IDE stay the PIIX3's (as on QEMU's "pc").
 *
 * Contract: the PM I/O block is 64 ports at PMBA (config 0x40, bits 15:6; bit 0 reads 1),
 * decoded while PMREGMISC (config 0x80) bit 0 is set; a move (or PMREGMISC off) unregisters
 * the old window, giving its ports back to what decoded them before. Firmware puts it at 0x600
 * (ACPI_PM_BASE, what machine/acpi_tables.c writes into the FADT); acpi_pm_firmware_setup()
 * does the same for boots without firmware. Registers, offsets from PMBA, any access size:
 *   0x00 PM1_STS  TMR_STS 0, BM_STS 4, GBL_STS 5, PWRBTN_STS 8, RTC_STS 10, PWRBTNOR 11,
 *                 WAK_STS 15; a 1 written clears a bit, a 0 leaves it
 *   0x02 PM1_EN   TMR_EN 0, GBL_EN 5, PWRBTN_EN 8, RTC_EN 10
 *   0x04 PM1_CNT  SCI_EN 0, BM_RLD 1, GBL_RLS 2 (reads 0), SLP_TYP 12:10, SLP_EN 13 (reads 0)
 *   0x08 PM_TMR   24-bit count of a 3.579545 MHz clock since power-on, read-only
 *   0x0C GPE0_STS 16 bits, write one to clear;  0x0E GPE0_EN 16 bits
 *   the rest reads 0 and ignores writes.
 * The timer value is computed from virtual time (machine/scheduler.h) with integer math:
 * floor(now_ns * 3579545 / 10^9). TMR_STS is set whenever the count's bit 23 changes; a
 * scheduler timer is armed for the next change only while TMR_EN is set (otherwise the bit
 * is brought up to date when the guest reads the block). The SCI is level-triggered:
 * high while SCI_EN is set and an enabled PM1 or GPE0 status bit is set.
 * Writing SLP_EN with SLP_TYP 0 (the PIIX4's soft-off encoding, \_S5 in our DSDT) calls
 * the power-off hook; other sleep types are refused: nothing sleeps, WAK_STS is set at once
 * (so an OS waiting for the wake sees it) and the request is logged under -d unimp.
 * Choices that differ from the chip, because the board has no SMM: SCI_EN is 1 after reset
 * (the FADT has no SMI_CMD, so the OS finds the machine already in ACPI mode), and DEVACTB
 * (config 0x58) bit 25 APMC_EN reads 1 so firmware believes its SMM set-up already ran.
 * No SMBus: SMBBA (0x90) and SMBHSTCFG (0xD2) read 0; the interrupt pin register says
 * INTA as on the chip (the SMBus's), but the function never drives it.
 */
#ifndef VMM86_DEVICES_ACPI_PM_H
#define VMM86_DEVICES_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"
#include "devices/pci.h"
#include "machine/savestate.h"
#include "machine/scheduler.h"
#include "softmmu/ioport.h"

#define ACPI_PM_DEVFN 0x0B            /* 00:01.3 */
#define ACPI_PM_BASE 0x600            /* PMBA as firmware programs it */
#define ACPI_PM_IO_SIZE 64
#define ACPI_PM_SCI_IRQ 9
#define ACPI_PM_TIMER_HZ 3579545u

/* Config-space registers. */
#define ACPI_PM_PMBA 0x40
#define ACPI_PM_DEVACTB 0x58
#define ACPI_PM_PMREGMISC 0x80

/* Offsets in the I/O block. */
#define ACPI_PM1_STS 0x00
#define ACPI_PM1_EN 0x02
#define ACPI_PM1_CNT 0x04
#define ACPI_PM_TMR 0x08
#define ACPI_GPE0_STS 0x0C
#define ACPI_GPE0_EN 0x0E
#define ACPI_GPE0_LEN 4

/* PM1 status / enable bits. */
#define ACPI_PM1_TMR 0x0001u
#define ACPI_PM1_BM 0x0010u
#define ACPI_PM1_GBL 0x0020u
#define ACPI_PM1_PWRBTN 0x0100u
#define ACPI_PM1_RTC 0x0400u
#define ACPI_PM1_PWRBTNOR 0x0800u
#define ACPI_PM1_WAK 0x8000u
/* PM1 control bits. */
#define ACPI_PM1_SCI_EN 0x0001u
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP_MASK 0x1C00u
#define ACPI_PM1_SLP_EN 0x2000u
#define ACPI_SLP_TYP_S5 0             /* PIIX4 SUS_TYP 000: soft off */

typedef struct AcpiPm AcpiPm;

struct AcpiPm {
    PciDevice pci;
    Scheduler *sched;
    IoPortSpace *io;
    IrqLine sci;
    Timer tmr_timer;                  /* next bit-23 change, armed while TMR_EN is set */
    uint16_t pm1_sts, pm1_en, pm1_cnt, gpe0_sts, gpe0_en;
    uint64_t tmr_epoch;               /* bit-23 changes already folded into TMR_STS */
    bool sci_level;
    uint32_t io_base;                 /* base registered in the port space, or PCI_BAR_UNMAPPED */
    void (*power_off)(void *opaque);
    void *opaque;
};

/* Plugs the function into `bus` at 00:01.3 and resets it. The SCI goes out on `sci`. */
void acpi_pm_init(AcpiPm *pm, PciBus *bus, IoPortSpace *io, Scheduler *sched, IrqLine sci,
                  void (*power_off)(void *opaque), void *opaque);
void acpi_pm_reset(AcpiPm *pm);
/* What firmware does before an OS runs: PMBA = `base`, PMREGMISC enabled, the interrupt line
 * register = 9 (for boots that run no firmware). */
void acpi_pm_firmware_setup(AcpiPm *pm, uint16_t base);

/* The PM timer's full count (not masked to 24 bits) at virtual time `ns`, and the first
 * virtual time at which the count reaches `tick`. */
uint64_t acpi_pm_ticks_at(uint64_t ns);
uint64_t acpi_pm_ns_of_tick(uint64_t tick);

/* Host events: the power button was pressed (PWRBTN_STS), a general-purpose event (GPE0_STS
 * bit 0-15) happened. */
void acpi_pm_press_power_button(AcpiPm *pm);
void acpi_pm_raise_gpe(AcpiPm *pm, unsigned bit);

/* The I/O block as the guest sees it (offset in the block, size 1, 2 or 4). */
uint32_t acpi_pm_io_read(AcpiPm *pm, uint32_t offset, unsigned size);
void acpi_pm_io_write(AcpiPm *pm, uint32_t offset, unsigned size, uint32_t value);

void acpi_pm_save(const AcpiPm *pm, StateWriter *w);
bool acpi_pm_load(AcpiPm *pm, StateReader *r);

#endif
