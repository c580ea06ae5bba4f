/* acpi_pm.c — see acpi_pm.h. Register layout from the Intel 82371AB (PIIX4) datasheet's
 * power-management I/O space and the ACPI specification's fixed hardware registers. */
#include "devices/acpi_pm.h"

#include <string.h>

#include "machine/log.h"

#define NS_PER_S 1000000000ull
#define TMR_BIT23_SHIFT 23
#define SAVE_VERSION 1

/* Status bits the guest may clear, enable and control bits it may set. */
#define PM1_STS_W1C (ACPI_PM1_TMR | ACPI_PM1_BM | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | \
                     ACPI_PM1_RTC | ACPI_PM1_PWRBTNOR | ACPI_PM1_WAK)
#define PM1_EN_MASK (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_RTC)
#define PM1_CNT_KEPT (ACPI_PM1_SCI_EN | 0x0002u | ACPI_PM1_SLP_TYP_MASK) /* + BM_RLD */

/* ---- the PM timer ------------------------------------------------------------------------ */

uint64_t acpi_pm_ticks_at(uint64_t ns)
{
    /* Split at whole seconds: q * f and r * f both stay far below 2^64. */
    uint64_t q = ns / NS_PER_S, r = ns % NS_PER_S;
    return q * ACPI_PM_TIMER_HZ + r * ACPI_PM_TIMER_HZ / NS_PER_S;
}

uint64_t acpi_pm_ns_of_tick(uint64_t tick)
{
    uint64_t q = tick / ACPI_PM_TIMER_HZ, r = tick % ACPI_PM_TIMER_HZ;
    if (q >= UINT64_MAX / NS_PER_S)
        return SCHED_NEVER;
    /* The smallest x with floor(x * f / 1e9) >= r, i.e. x >= r * 1e9 / f rounded up. */
    return q * NS_PER_S + (r * NS_PER_S + ACPI_PM_TIMER_HZ - 1) / ACPI_PM_TIMER_HZ;
}

static uint64_t now_ticks(const AcpiPm *pm) { return acpi_pm_ticks_at(sched_now(pm->sched)); }

/* Folds the bit-23 changes since the last look into TMR_STS. */
static void fold_timer(AcpiPm *pm)
{
    uint64_t epoch = now_ticks(pm) >> TMR_BIT23_SHIFT;
    if (epoch != pm->tmr_epoch) {
        pm->tmr_epoch = epoch;
        pm->pm1_sts |= ACPI_PM1_TMR;
    }
}

static bool sci_wanted(const AcpiPm *pm)
{
    return (pm->pm1_cnt & ACPI_PM1_SCI_EN) &&
           ((pm->pm1_sts & pm->pm1_en & PM1_EN_MASK) || (pm->gpe0_sts & pm->gpe0_en));
}

static void update_sci(AcpiPm *pm)
{
    bool level = sci_wanted(pm);
    if (level != pm->sci_level) {
        pm->sci_level = level;
        irq_set(&pm->sci, level);
    }
}

/* Arms the timer for the next bit-23 change while TMR_EN is set, and only then. */
static void rearm_timer(AcpiPm *pm)
{
    if (!(pm->pm1_en & ACPI_PM1_TMR)) {
        timer_cancel(&pm->tmr_timer);
        return;
    }
    uint64_t next = (pm->tmr_epoch + 1) << TMR_BIT23_SHIFT;
    timer_arm(&pm->tmr_timer, acpi_pm_ns_of_tick(next));
}

static void tmr_timer_cb(void *opaque)
{
    AcpiPm *pm = opaque;
    fold_timer(pm);
    update_sci(pm);
    rearm_timer(pm);
}

/* ---- the I/O block ---------------------------------------------------------------------- */

static uint8_t reg_byte(const AcpiPm *pm, uint32_t off, uint32_t tmr)
{
    uint16_t v16;
    switch (off & ~1u) {
    case ACPI_PM1_STS: v16 = pm->pm1_sts; break;
    case ACPI_PM1_EN: v16 = pm->pm1_en; break;
    case ACPI_PM1_CNT: v16 = pm->pm1_cnt; break;
    case ACPI_PM_TMR: v16 = (uint16_t)tmr; break;
    case ACPI_PM_TMR + 2: v16 = (uint16_t)(tmr >> 16); break;
    case ACPI_GPE0_STS: v16 = pm->gpe0_sts; break;
    case ACPI_GPE0_EN: v16 = pm->gpe0_en; break;
    default: v16 = 0; break;
    }
    return (uint8_t)(off & 1 ? v16 >> 8 : v16);
}

uint32_t acpi_pm_io_read(AcpiPm *pm, uint32_t offset, unsigned size)
{
    fold_timer(pm);
    update_sci(pm);
    uint32_t tmr = (uint32_t)(now_ticks(pm) & 0xFFFFFFu);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t off = offset + i;
        if (off < ACPI_PM_IO_SIZE)
            v |= (uint32_t)reg_byte(pm, off, tmr) << (8 * i);
    }
    return v;
}

/* A sleep request: S5 powers off; every other state is refused and "wakes" at once. */
static void sleep_request(AcpiPm *pm)
{
    unsigned typ = (pm->pm1_cnt & ACPI_PM1_SLP_TYP_MASK) >> ACPI_PM1_SLP_TYP_SHIFT;
    if (typ == ACPI_SLP_TYP_S5) {
        if (pm->power_off)
            pm->power_off(pm->opaque);
        return;
    }
    if (log_enabled(LOG_UNIMP))
        log_printf("acpi_pm: sleep type %u refused (only soft-off is emulated)\n", typ);
    pm->pm1_sts |= ACPI_PM1_WAK;
}

/* Applies one byte written at `off`; true when it was the byte holding SLP_EN, set. */
static bool write_byte(AcpiPm *pm, uint32_t off, uint8_t b)
{
    unsigned shift = (off & 1) * 8;
    uint16_t v = (uint16_t)(b << shift), lane = (uint16_t)(0xFFu << shift);
    switch (off & ~1u) {
    case ACPI_PM1_STS: pm->pm1_sts &= (uint16_t)~(v & PM1_STS_W1C); break;
    case ACPI_PM1_EN:
        pm->pm1_en = (uint16_t)((pm->pm1_en & ~lane) | (v & lane & PM1_EN_MASK));
        break;
    case ACPI_PM1_CNT:
        pm->pm1_cnt = (uint16_t)((pm->pm1_cnt & ~lane) | (v & lane & PM1_CNT_KEPT));
        return (v & ACPI_PM1_SLP_EN) != 0;
    case ACPI_GPE0_STS: pm->gpe0_sts &= (uint16_t)~v; break;
    case ACPI_GPE0_EN: pm->gpe0_en = (uint16_t)((pm->gpe0_en & ~lane) | (v & lane)); break;
    default: break; /* the timer and the rest are read-only */
    }
    return false;
}

void acpi_pm_io_write(AcpiPm *pm, uint32_t offset, unsigned size, uint32_t value)
{
    fold_timer(pm); /* a status write clears what happened up to now, nothing later */
    bool sleep = false;
    for (unsigned i = 0; i < size; i++) {
        uint32_t off = offset + i;
        if (off < ACPI_PM_IO_SIZE)
            sleep |= write_byte(pm, off, (uint8_t)(value >> (8 * i)));
    }
    /* The whole access has landed (SLP_TYP and SLP_EN in one word) before acting on it. */
    if (sleep)
        sleep_request(pm);
    update_sci(pm);
    rearm_timer(pm);
}

/* ---- decoding the block at PMBA ----------------------------------------------------------- */

static uint32_t block_read(void *opaque, uint32_t addr, unsigned size)
{
    return acpi_pm_io_read(opaque, addr, size);
}

static void block_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    acpi_pm_io_write(opaque, addr, size, value);
}

static const IoOps block_ops = {block_read, block_write, 0};

static uint32_t decoded_base(const AcpiPm *pm)
{
    uint32_t base = pci_get_long(&pm->pci, ACPI_PM_PMBA) & 0xFFC0u;
    if (!(pm->pci.config[ACPI_PM_PMREGMISC] & 1) || base == 0)
        return PCI_BAR_UNMAPPED;
    return base;
}

/* One registration at most, named by its base (ops and opaque pick ours out): a move
 * unregisters the old window, which gives its ports back to whatever decoded them before,
 * and registers the new one, so the block can move any number of times. */
static void update_mapping(AcpiPm *pm)
{
    uint32_t base = decoded_base(pm);
    if (base == pm->io_base || !pm->io)
        return;
    if (pm->io_base != PCI_BAR_UNMAPPED)
        ioport_unregister_ops(pm->io, (uint16_t)pm->io_base, ACPI_PM_IO_SIZE, &block_ops, pm);
    pm->io_base = base;
    if (base != PCI_BAR_UNMAPPED)
        ioport_register(pm->io, (uint16_t)base, ACPI_PM_IO_SIZE, &block_ops, pm);
}

static void config_written(void *opaque, uint32_t addr, unsigned size)
{
    if ((addr < ACPI_PM_PMBA + 4 && addr + size > ACPI_PM_PMBA) ||
        (addr <= ACPI_PM_PMREGMISC && addr + size > ACPI_PM_PMREGMISC))
        update_mapping(opaque);
}

/* ---- set-up -------------------------------------------------------------------------------- */

void acpi_pm_init(AcpiPm *pm, PciBus *bus, IoPortSpace *io, Scheduler *sched, IrqLine sci,
                  void (*power_off)(void *opaque), void *opaque)
{
    memset(pm, 0, sizeof *pm);
    pm->sched = sched;
    pm->io = io;
    pm->sci = sci;
    pm->power_off = power_off;
    pm->opaque = opaque;
    pm->io_base = PCI_BAR_UNMAPPED;
    timer_init(&pm->tmr_timer, sched, tmr_timer_cb, pm);

    PciDevice *d = &pm->pci;
    pci_device_init(d, bus, ACPI_PM_DEVFN, 0x8086, 0x7113, 0x03, 0x068000);
    d->config_written = config_written;
    d->opaque = pm;
    d->wmask[PCI_COMMAND] = 0x01;     /* I/O space (the SMBus's, absent) */
    d->wmask[PCI_COMMAND + 1] = 0x00;
    d->wmask[ACPI_PM_PMBA] = 0xC0;    /* bits 15:6 of the base; bit 0 is the I/O indicator */
    d->wmask[ACPI_PM_PMBA + 1] = 0xFF;
    memset(d->wmask + 0x44, 0xFF, 8); /* CNTA, CNTB */
    memset(d->wmask + 0x50, 0xFF, 12); /* GENCFG, DEVACTA, DEVACTB ... */
    d->wmask[ACPI_PM_DEVACTB + 3] = 0xFD; /* ... except APMC_EN (bit 25), fixed at 1 */
    d->wmask[ACPI_PM_PMREGMISC] = 0x01;
    /* INTA, as the chip reports for its SMBus interrupt; with no SMBus it never asserts. */
    pci_device_set_int_pin(d, 1);
    acpi_pm_reset(pm);
}

void acpi_pm_reset(AcpiPm *pm)
{
    PciDevice *d = &pm->pci;
    pci_device_reset(d);
    pci_set_word(d, PCI_STATUS, 0x0280); /* medium DEVSEL, fast back-to-back */
    memset(d->config + 0x40, 0, 0xC0);
    d->config[ACPI_PM_PMBA] = 0x01;
    d->config[ACPI_PM_DEVACTB + 3] = 0x02;
    update_mapping(pm);

    pm->pm1_sts = pm->pm1_en = pm->gpe0_sts = pm->gpe0_en = 0;
    pm->pm1_cnt = ACPI_PM1_SCI_EN;
    pm->tmr_epoch = now_ticks(pm) >> TMR_BIT23_SHIFT;
    timer_cancel(&pm->tmr_timer);
    update_sci(pm);
}

void acpi_pm_firmware_setup(AcpiPm *pm, uint16_t base)
{
    pci_config_write(&pm->pci, PCI_INT_LINE, 1, ACPI_PM_SCI_IRQ);
    pci_config_write(&pm->pci, ACPI_PM_PMBA, 4, (uint32_t)base | 1u);
    pci_config_write(&pm->pci, ACPI_PM_PMREGMISC, 1, 0x01);
}

void acpi_pm_press_power_button(AcpiPm *pm)
{
    pm->pm1_sts |= ACPI_PM1_PWRBTN;
    update_sci(pm);
}

void acpi_pm_raise_gpe(AcpiPm *pm, unsigned bit)
{
    if (bit >= 16)
        return;
    pm->gpe0_sts |= (uint16_t)(1u << bit);
    update_sci(pm);
}

/* ---- save/load ----------------------------------------------------------------------------- */

void acpi_pm_save(const AcpiPm *pm, StateWriter *w)
{
    sw_u8(w, SAVE_VERSION);
    pci_device_save(&pm->pci, w);
    sw_u16(w, pm->pm1_sts);
    sw_u16(w, pm->pm1_en);
    sw_u16(w, pm->pm1_cnt);
    sw_u16(w, pm->gpe0_sts);
    sw_u16(w, pm->gpe0_en);
    sw_u64(w, pm->tmr_epoch);
}

bool acpi_pm_load(AcpiPm *pm, StateReader *r)
{
    if (sr_u8(r) != SAVE_VERSION)
        return sr_fail(r);
    PciDevice saved = pm->pci;
    if (!pci_device_load(&pm->pci, r)) {
        pm->pci = saved;
        return false;
    }
    uint16_t sts = sr_u16(r), en = sr_u16(r), cnt = sr_u16(r);
    uint16_t gsts = sr_u16(r), gen = sr_u16(r);
    uint64_t epoch = sr_u64(r);
    if (r->error || (sts & ~PM1_STS_W1C) || (en & ~PM1_EN_MASK) || (cnt & ~PM1_CNT_KEPT) ||
        epoch > (UINT64_MAX >> TMR_BIT23_SHIFT) - 1) {
        pm->pci = saved;
        return sr_fail(r);
    }
    pm->pm1_sts = sts, pm->pm1_en = en, pm->pm1_cnt = cnt;
    pm->gpe0_sts = gsts, pm->gpe0_en = gen;
    pm->tmr_epoch = epoch;
    update_mapping(pm);
    /* Drive the line even if our copy of its level agrees: the receiver was loaded too. */
    pm->sci_level = sci_wanted(pm);
    irq_set(&pm->sci, pm->sci_level);
    rearm_timer(pm);
    return true;
}
