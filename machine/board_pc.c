/* board_pc.c — see board_pc.h. */
#include "machine/board_pc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/acpi_tables.h"
#include "machine/machine.h"
#include "softmmu/mmu.h"

#define UPPER_BASE 0xC0000u
#define UPPER_SIZE 0x40000u

static void flush_translations(void *opaque) { mmu_flush_all(&((Machine *)opaque)->cpu); }

static void request_reset(void *opaque)
{
    Machine *m = opaque;
    m->reset_requested = true;
    m->cpu.exit_request = true;
}

/* ACPI S5: the guest turned the machine off (the run ends with status 0). */
static void power_off(void *opaque)
{
    Machine *m = opaque;
    m->power_off = true;
    m->cpu.exit_request = true;
}

/* The ACPI tables through QEMU's linker/loader files, which SeaBIOS installs. */
static bool offer_acpi_tables(Machine *m)
{
    AcpiTablesConfig cfg;
    AcpiTables t;
    acpi_tables_config_of(m, &cfg);
    if (!acpi_tables_build(&cfg, &t))
        return false;
    bool ok = acpi_tables_add_fw_cfg(&t, &m->fw_cfg);
    acpi_tables_free(&t);
    return ok;
}

static bool open_disks(Machine *m, char *err, size_t errlen)
{
    for (int i = 0; i < MACHINE_IDE_DRIVES; i++) {
        const MachineDrive *d = &m->cfg.drives[i];
        if (!d->path)
            continue;
        DiskImageOptions o = {.read_only = d->cdrom, .snapshot = m->cfg.snapshot,
                              .min_size = d->cdrom ? IDE_CD_SECTOR : DISK_SECTOR};
        if (!disk_image_open(&m->disks[i], d->path, o, err, errlen))
            return false;
    }
    return true;
}

/* ---- CMOS and fw_cfg ------------------------------------------------------------------- */

static RtcBootDevice boot_device(char c)
{
    switch (c) {
    case 'a': return RTC_BOOT_FLOPPY;
    case 'c': return RTC_BOOT_DISK;
    case 'd': return RTC_BOOT_CDROM;
    case 'n': return RTC_BOOT_NETWORK;
    default: return RTC_BOOT_NONE;
    }
}

static void setup_cmos(Machine *m)
{
    for (int i = 0; i < MACHINE_IDE_DRIVES; i++) {
        uint16_t cyls;
        uint8_t heads, secs;
        if (!ide_disk_geometry(&m->ide[i / 2], i % 2, &cyls, &heads, &secs))
            continue;
        if (i < 2) /* the AT CMOS describes the primary channel's disks */
            rtc_cmos_set_hd_geometry(&m->rtc, (unsigned)i, cyls, heads, secs);
        /* Disks past 1024 cylinders need the BIOS's LBA translation for INT 13h. */
        rtc_cmos_set_disk_translation(&m->rtc, (unsigned)i,
                                      cyls > 1024 ? RTC_XLAT_LBA : RTC_XLAT_NONE);
    }
    const char *order = m->cfg.boot_order[0] ? m->cfg.boot_order : "cd";
    RtcBootDevice dev[3];
    size_t n = 0;
    for (; n < 3 && order[n]; n++)
        dev[n] = boot_device(order[n]);
    rtc_cmos_set_boot_order(&m->rtc, dev, n, true);
}

static bool setup_fw_cfg(Machine *m)
{
    FwCfg *f = &m->fw_cfg;
    const char *order = m->cfg.boot_order[0] ? m->cfg.boot_order : "cd";
    bool ok = fw_cfg_add_u64(f, FW_CFG_RAM_SIZE, m->cfg.ram_bytes) &&
              fw_cfg_add_u16(f, FW_CFG_NB_CPUS, 1) && fw_cfg_add_u16(f, FW_CFG_MAX_CPUS, 1) &&
              fw_cfg_add_u16(f, FW_CFG_NOGRAPHIC, m->cfg.nographic) &&
              fw_cfg_add_u16(f, FW_CFG_BOOT_MENU, m->cfg.boot_menu) &&
              fw_cfg_add_u16(f, FW_CFG_BOOT_DEVICE, (uint16_t)order[0]);
    return ok;
}

bool board_pc_add_vga_rom(Machine *m, const uint8_t *rom, uint32_t size)
{
    return fw_cfg_add_file(&m->fw_cfg, "vgaroms/vgabios.bin", rom, size);
}

/* ---- -M isapc: RAM under the BIOS ------------------------------------------------------------ */

static void isapc_restore_upper(Machine *m)
{
    uint32_t room = m->mem.ram_size > UPPER_BASE ? m->mem.ram_size - UPPER_BASE : 0;
    uint32_t n = room < UPPER_SIZE ? room : UPPER_SIZE;
    memcpy(m->mem.ram + UPPER_BASE, m->isapc_upper_mem, n);
    physmem_map_ram(&m->mem, UPPER_BASE, UPPER_BASE, n, true);
    mmu_flush_all(&m->cpu);
}

static bool isapc_setup_upper(Machine *m)
{
    m->isapc_upper_mem = calloc(1, UPPER_SIZE);
    if (!m->isapc_upper_mem)
        return false;
    for (uint32_t off = 0; off < UPPER_SIZE; off += 4096) {
        const uint8_t *rom = physmem_host(&m->mem, UPPER_BASE + off);
        if (rom)
            memcpy(m->isapc_upper_mem + off, rom, 4096);
    }
    isapc_restore_upper(m);
    return true;
}

/* ---- set-up ------------------------------------------------------------------------------ */

bool board_pc_setup(Machine *m, char *err, size_t errlen)
{
    for (int i = 0; i < MACHINE_IDE_DRIVES; i++)
        m->disks[i].fd = m->disks[i].overlay_fd = -1;
    if (!open_disks(m, err, errlen))
        return false;
    port80_init(&m->port80);
    port80_register(&m->port80, &m->io);

    PhysMem *dma = NULL;
    if (!m->cfg.isapc) {
        pci_bus_init(&m->pci, &m->io);
        pci_bus_register(&m->pci);
        i440fx_init(&m->i440fx, &m->pci, &m->mem, flush_translations, m);
        dma = &m->mem;
    } else if (!isapc_setup_upper(m)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    static const int irq[2] = {IDE_PRIMARY_IRQ, IDE_SECONDARY_IRQ};
    static const uint16_t base[2] = {IDE_PRIMARY_BASE, IDE_SECONDARY_BASE};
    static const uint16_t ctrl[2] = {IDE_PRIMARY_CTRL, IDE_SECONDARY_CTRL};
    for (int c = 0; c < 2; c++) {
        ide_init(&m->ide[c], &m->sched, pic_irq_line(&m->pic, irq[c]), dma);
        ide_register(&m->ide[c], &m->io, base[c], ctrl[c]);
    }
    for (int i = 0; i < MACHINE_IDE_DRIVES; i++)
        if (disk_image_is_open(&m->disks[i]))
            ide_attach(&m->ide[i / 2], i % 2, m->cfg.drives[i].cdrom ? IDE_CDROM : IDE_DISK,
                       &m->disks[i], i);
    if (!m->cfg.isapc) {
        piix3_init(&m->piix3, &m->pci, &m->pic, &m->ide[0], &m->ide[1], request_reset, m);
        acpi_pm_init(&m->acpi_pm, &m->pci, &m->io, &m->sched,
                     piix3_board_irq_line(&m->piix3, ACPI_PM_SCI_IRQ), power_off, m);
    }

    fw_cfg_init(&m->fw_cfg);
    fw_cfg_register(&m->fw_cfg, &m->io);
    if (!setup_fw_cfg(m)) {
        snprintf(err, errlen, "out of memory setting up fw_cfg");
        return false;
    }
    if (!m->cfg.isapc && !offer_acpi_tables(m)) {
        snprintf(err, errlen, "out of memory building the ACPI tables");
        return false;
    }
    setup_cmos(m);
    return true;
}

void board_pc_reset(Machine *m)
{
    port80_reset(&m->port80);
    fw_cfg_reset(&m->fw_cfg);
    if (!m->cfg.isapc) {
        pci_bus_reset(&m->pci);
        i440fx_reset(&m->i440fx);
        piix3_reset(&m->piix3);
        acpi_pm_reset(&m->acpi_pm);
    } else if (m->isapc_upper_mem) {
        isapc_restore_upper(m);
    }
    ide_reset(&m->ide[0]);
    ide_reset(&m->ide[1]);
}

void board_pc_free(Machine *m)
{
    for (int i = 0; i < MACHINE_IDE_DRIVES; i++)
        if (disk_image_is_open(&m->disks[i]))
            disk_image_close(&m->disks[i]);
    fw_cfg_free(&m->fw_cfg);
    free(m->isapc_upper_mem);
    m->isapc_upper_mem = NULL;
}
