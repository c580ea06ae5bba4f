/* acpi_tables.h — the ACPI tables of the -M pc board (RSDP, RSDT, FADT, FACS, DSDT), and the
 * two ways they reach the guest: QEMU's BIOS linker/loader interface in fw_cfg (SeaBIOS
 * installs them) and a direct write into guest RAM for boots that run no firmware.
 *
 * Contract: acpi_tables_build() lays the tables out in two files, as QEMU's interface names
 * them: "etc/acpi/rsdp" (the 20-byte ACPI 1.0 RSDP) and "etc/acpi/tables" (FACS at offset
 * 0, then DSDT, FADT, RSDT), plus the loader script "etc/table-loader": 128-byte commands,
 * little-endian. ALLOCATE (1) places a file (tables: 64-byte aligned anywhere in RAM; RSDP:
 * 16-byte aligned in the F segment 0xE0000-0xFFFFF); ADD_POINTER (2) adds the address the
 * source file got to the 1-8 byte value at an offset in the destination file; ADD_CHECKSUM
 * (3) subtracts the byte sum of a range from the checksum byte. Pointer fields in the files
 * hold offsets into their source file, and every checksum is already right for files placed
 * at address 0, so the files are valid tables as they stand. The tables describe: FADT
 * revision 3 with the PIIX4 PM block of devices/acpi_pm.h (PM1a event/control, PM timer,
 * GPE0), SCI 9, no SMI_CMD (ACPI mode from reset), the reset register (port 0xCF9, value 6),
 * the 8042 and legacy devices; no MADT (no APIC: Linux keeps the 8259s) and no HPET. The
 * DSDT has \_S5 (SLP_TYP 0), \_SB.PCI0 (PNP0A03, bus 0-255, I/O 0-0xCF7 and 0xD00-0xFFFF,
 * the VGA window and the PCI memory hole from the top of RAM to 0xFEBFFFFF), its _PRT
 * (every slot's INTA-D to LNKA-D with pci.c's swizzle, (slot + pin) mod 4), the link
 * devices LNKA-D (PNP0C0F) working on the PIIX3's PIRQ route registers 0x60-0x63 through a
 * PCI_Config operation region of 00:01.0, and the ISA devices (PIC, PIT, RTC, keyboard,
 * PS/2 mouse, COM1, COM2, and a PNP0C02 holding the PM block, fw_cfg, ELCR and port 0x92).
 */
#ifndef VMM86_MACHINE_ACPI_TABLES_H
#define VMM86_MACHINE_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/fw_cfg.h"
#include "softmmu/physmem.h"

#define ACPI_FILE_RSDP "etc/acpi/rsdp"
#define ACPI_FILE_TABLES "etc/acpi/tables"
#define ACPI_FILE_LOADER "etc/table-loader"

/* The loader interface (QEMU's hw/acpi/bios-linker-loader.c, SeaBIOS's romfile_loader). */
#define ACPI_LOADER_ENTRY_SIZE 128
#define ACPI_LOADER_FILESZ 56
enum { ACPI_LOADER_ALLOCATE = 1, ACPI_LOADER_ADD_POINTER = 2, ACPI_LOADER_ADD_CHECKSUM = 3 };
enum { ACPI_LOADER_ZONE_HIGH = 1, ACPI_LOADER_ZONE_FSEG = 2 };

#define ACPI_RSDP_LEN 20
#define ACPI_HEADER_LEN 36
#define ACPI_FADT_LEN 244
#define ACPI_FACS_LEN 64
#define ACPI_PCI_HOLE_END 0xFEBFFFFFu

/* Direct boots: where acpi_tables_install_direct() puts them (shadow RAM the i440FX maps). */
#define ACPI_DIRECT_RSDP_ADDR 0xE0000u
#define ACPI_DIRECT_TABLES_ADDR 0xE0040u
#define ACPI_DIRECT_AREA_END 0xE8000u

typedef struct AcpiTablesConfig {
    uint32_t ram_bytes;  /* RAM below 4 GiB: the PCI memory hole starts at its top */
    uint16_t pm_base;    /* the PM block's port (ACPI_PM_BASE) */
    uint8_t sci_irq;     /* ACPI_PM_SCI_IRQ */
} AcpiTablesConfig;

typedef struct AcpiTables {
    uint8_t *rsdp, *tables, *loader;
    uint32_t rsdp_len, tables_len, loader_len;
    /* Where each table starts in `tables`, and its length. */
    uint32_t facs_off, dsdt_off, fadt_off, rsdt_off;
    uint32_t dsdt_len, rsdt_len;
} AcpiTables;

/* Builds everything; false when out of memory (or the DSDT encoder failed). */
bool acpi_tables_build(const AcpiTablesConfig *cfg, AcpiTables *t);
void acpi_tables_free(AcpiTables *t);
/* The three fw_cfg files SeaBIOS looks for. */
bool acpi_tables_add_fw_cfg(const AcpiTables *t, FwCfg *f);
/* Runs the loader script itself with "etc/acpi/rsdp" at rsdp_addr and "etc/acpi/tables" at
 * tables_addr, writing the linked tables into guest memory. Each address must meet its
 * ALLOCATE's alignment and zone, and every byte must land in writable RAM; otherwise one
 * line in err and false, with nothing written. */
bool acpi_tables_write(const AcpiTables *t, PhysMem *pm, uint32_t rsdp_addr,
                       uint32_t tables_addr, char *err, size_t errlen);

/* The machine's tables for its configuration. */
typedef struct Machine Machine;
void acpi_tables_config_of(const Machine *m, AcpiTablesConfig *cfg);
/* For a direct kernel boot (no firmware) on -M pc: does what SeaBIOS would, namely PMBA at
 * 0x600 with the SCI line 9, 0xE0000-0xE7FFF as read-write shadow RAM (PAM5), and the
 * tables linked at ACPI_DIRECT_RSDP_ADDR / ACPI_DIRECT_TABLES_ADDR, so an OS finds "RSD PTR "
 * by scanning 0xE0000-0xFFFFF. Call it after every machine reset, before entering the
 * kernel. With -M isapc (no ACPI hardware) it does nothing and returns true. */
bool acpi_tables_install_direct(Machine *m, char *err, size_t errlen);

#endif
