/* acpi_dump.c — writes vmm86's ACPI tables to files for the iasl round trip (run-iasl):
 * rsdp.dat, rsdt.dat, facp.dat, facs.dat and dsdt.dat in the folder given, each one table
 * exactly as the guest sees it after the loader script ran with the RSDP at 0xE0000 and the
 * tables at 0xE0040 (what acpi_tables_write() puts in guest RAM for a direct boot).
 * Usage: acpi-dump DIR [RAM_MIB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "machine/acpi_tables.h"
#include "softmmu/physmem.h"

static int write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "acpi-dump: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A table in guest memory: its header's length, bounded by what we can read. */
static int dump_table(PhysMem *pm, const char *dir, const char *name, uint32_t addr)
{
    uint8_t hdr[8];
    physmem_read_buf(pm, addr, hdr, sizeof hdr);
    uint32_t len = get32(hdr + 4);
    if (len < 36 || len > (1u << 20)) {
        fprintf(stderr, "acpi-dump: %s at %#x has length %u\n", name, addr, len);
        return 1;
    }
    uint8_t *buf = malloc(len);
    if (!buf)
        return 1;
    physmem_read_buf(pm, addr, buf, len);
    int rc = write_file(dir, name, buf, len);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: acpi-dump DIR [RAM_MIB]\n");
        return 2;
    }
    uint32_t ram = (argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 128) << 20;
    AcpiTablesConfig cfg = {.ram_bytes = ram, .pm_base = ACPI_PM_BASE,
                            .sci_irq = ACPI_PM_SCI_IRQ};
    AcpiTables t;
    PhysMem pm;
    if (!acpi_tables_build(&cfg, &t) || !physmem_init(&pm, ram)) {
        fprintf(stderr, "acpi-dump: out of memory\n");
        return 1;
    }
    char err[256];
    if (!acpi_tables_write(&t, &pm, ACPI_DIRECT_RSDP_ADDR, ACPI_DIRECT_TABLES_ADDR, err,
                           sizeof err)) {
        fprintf(stderr, "acpi-dump: %s\n", err);
        return 1;
    }
    uint8_t rsdp[ACPI_RSDP_LEN], rsdt[ACPI_HEADER_LEN + 4], fadt[48];
    physmem_read_buf(&pm, ACPI_DIRECT_RSDP_ADDR, rsdp, sizeof rsdp);
    uint32_t rsdt_at = get32(rsdp + 16);
    physmem_read_buf(&pm, rsdt_at, rsdt, sizeof rsdt);
    uint32_t fadt_at = get32(rsdt + ACPI_HEADER_LEN);
    physmem_read_buf(&pm, fadt_at, fadt, sizeof fadt);
    int rc = write_file(argv[1], "rsdp.dat", rsdp, sizeof rsdp);
    rc |= dump_table(&pm, argv[1], "rsdt.dat", rsdt_at);
    rc |= dump_table(&pm, argv[1], "facp.dat", fadt_at);
    rc |= dump_table(&pm, argv[1], "facs.dat", get32(fadt + 36));
    rc |= dump_table(&pm, argv[1], "dsdt.dat", get32(fadt + 40));
    acpi_tables_free(&t);
    physmem_free(&pm);
    return rc;
}
