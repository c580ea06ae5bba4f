/* test_acpi_tables.c — the ACPI tables and their delivery: every table's signature, length
 * and checksum; the FADT describing the PM block acpi_pm.c decodes; the loader script run by
 * a loader written here the way the interface's description (and SeaBIOS) applies it, with
 * every pointer and checksum checked in the result; acpi_tables_write() producing the same
 * bytes, and refusing bad places; the _PRT against devices/pci.c's own swizzle; the fw_cfg
 * files as the guest reads them; and the direct install on a -M pc machine. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "devices/pci.h"
#include "machine/acpi_tables.h"
#include "machine/machine.h"

#define RAM (32u << 20)

static AcpiTables t;
static const AcpiTablesConfig cfg = {.ram_bytes = RAM, .pm_base = ACPI_PM_BASE,
                                     .sci_irq = ACPI_PM_SCI_IRQ};

static void setup(void) { cr_assert(acpi_tables_build(&cfg, &t)); }
static void teardown(void) { acpi_tables_free(&t); }

TestSuite(acpi_tables, .init = setup, .fini = teardown);

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* A table with the standard header: signature, length as expected, bytes sum to 0. */
static void check_table(const uint8_t *p, const char *sig, uint32_t len)
{
    cr_assert_eq(memcmp(p, sig, 4), 0, "signature %.4s, want %s", (const char *)p, sig);
    cr_assert_eq(le32(p + 4), len, "%s length", sig);
    cr_assert_eq(sum(p, len), 0, "%s checksum", sig);
    cr_assert_eq(memcmp(p + 10, "VMM86 ", 6), 0);
}

Test(acpi_tables, layout_lengths_and_checksums)
{
    cr_assert_eq(t.rsdp_len, ACPI_RSDP_LEN);
    cr_assert_eq(memcmp(t.rsdp, "RSD PTR ", 8), 0);
    cr_assert_eq(sum(t.rsdp, ACPI_RSDP_LEN), 0, "RSDP checksum");
    cr_assert_eq(t.rsdp[15], 0, "ACPI 1.0 RSDP");
    cr_assert_eq(le32(t.rsdp + 16), t.rsdt_off, "RSDP -> RSDT (an offset before linking)");

    cr_assert_eq(t.facs_off % 64, 0);
    cr_assert_eq(memcmp(t.tables + t.facs_off, "FACS", 4), 0);
    cr_assert_eq(le32(t.tables + t.facs_off + 4), ACPI_FACS_LEN);
    check_table(t.tables + t.dsdt_off, "DSDT", t.dsdt_len);
    check_table(t.tables + t.fadt_off, "FACP", ACPI_FADT_LEN);
    check_table(t.tables + t.rsdt_off, "RSDT", ACPI_HEADER_LEN + 4);
    cr_assert_eq(t.rsdt_len, ACPI_HEADER_LEN + 4, "the RSDT lists the FADT only");
    cr_assert_eq(le32(t.tables + t.rsdt_off + ACPI_HEADER_LEN), t.fadt_off);
    /* The tables do not overlap and the file ends with the last one. */
    cr_assert_geq(t.dsdt_off, t.facs_off + ACPI_FACS_LEN);
    cr_assert_geq(t.fadt_off, t.dsdt_off + t.dsdt_len);
    cr_assert_geq(t.rsdt_off, t.fadt_off + ACPI_FADT_LEN);
    cr_assert_eq(t.tables_len, t.rsdt_off + t.rsdt_len);
    cr_assert_eq(t.loader_len % ACPI_LOADER_ENTRY_SIZE, 0);
    /* No MADT, no HPET anywhere. */
    cr_assert_null(memmem(t.tables, t.tables_len, "APIC", 4));
    cr_assert_null(memmem(t.tables, t.tables_len, "HPET", 4));
}

Test(acpi_tables, fadt_describes_the_pm_block)
{
    const uint8_t *f = t.tables + t.fadt_off;
    cr_assert_eq(f[8], 3, "FADT revision");
    cr_assert_eq(le32(f + 36), t.facs_off);
    cr_assert_eq(le32(f + 40), t.dsdt_off);
    cr_assert_eq(le16(f + 46), ACPI_PM_SCI_IRQ);
    cr_assert_eq(le32(f + 48), 0, "SMI_CMD: none, ACPI mode from reset");
    cr_assert_eq(le32(f + 56), ACPI_PM_BASE + ACPI_PM1_STS, "PM1a_EVT_BLK");
    cr_assert_eq(le32(f + 60), 0, "no PM1b");
    cr_assert_eq(le32(f + 64), ACPI_PM_BASE + ACPI_PM1_CNT, "PM1a_CNT_BLK");
    cr_assert_eq(le32(f + 76), ACPI_PM_BASE + ACPI_PM_TMR, "PM_TMR_BLK");
    cr_assert_eq(le32(f + 80), ACPI_PM_BASE + ACPI_GPE0_STS, "GPE0_BLK");
    cr_assert_eq(f[88], 4, "PM1_EVT_LEN: STS and EN");
    cr_assert_eq(f[89], 2);
    cr_assert_eq(f[91], 4);
    cr_assert_eq(f[92], ACPI_GPE0_LEN);
    cr_assert_eq(ACPI_GPE0_EN - ACPI_GPE0_STS, ACPI_GPE0_LEN / 2, "EN in the second half");
    cr_assert_gt(le16(f + 96), 100, "no C2");
    cr_assert_gt(le16(f + 98), 1000, "no C3");
    cr_assert_eq(f[108], 0x32, "the RTC's century byte");
    cr_assert_eq(le16(f + 109) & 3, 3, "legacy devices and an 8042");
    uint32_t flags = le32(f + 112);
    cr_assert(flags & (1u << 0), "WBINVD");
    cr_assert(flags & (1u << 2), "PROC_C1");
    cr_assert_eq(flags & (1u << 4), 0, "the power button is the fixed-feature one");
    cr_assert(flags & (1u << 5), "no sleep button");
    cr_assert_eq(flags & (1u << 8), 0, "a 24-bit PM timer");
    cr_assert(flags & (1u << 10), "reset register supported");
    /* RESET_REG: system I/O byte at 0xCF9 (the PIIX3's reset control), value 6. */
    cr_assert_eq(f[116], 1);
    cr_assert_eq(f[117], 8);
    cr_assert_eq(le32(f + 120), PIIX3_RCR_PORT);
    cr_assert_eq(f[128], 0x06);
}

/* ---- a loader like SeaBIOS's: files placed at given addresses in a flat memory -------------- */

typedef struct FakeFile {
    const char *name;
    const uint8_t *src;
    uint32_t len, addr, align;
    uint8_t zone;
    bool placed;
} FakeFile;

static FakeFile *fake_find(FakeFile *f, const uint8_t *name)
{
    cr_assert_not_null(memchr(name, 0, ACPI_LOADER_FILESZ), "file name not terminated");
    for (int i = 0; i < 2; i++)
        if (!strcmp(f[i].name, (const char *)name))
            return &f[i];
    cr_assert_fail("unknown file %s", (const char *)name);
    return NULL;
}

/* Runs the script over `mem` (a flat copy of guest memory from address 0). */
static void fake_load(uint8_t *mem, uint32_t rsdp_at, uint32_t tables_at)
{
    FakeFile files[2] = {{ACPI_FILE_RSDP, t.rsdp, t.rsdp_len, rsdp_at, 0, 0, false},
                         {ACPI_FILE_TABLES, t.tables, t.tables_len, tables_at, 0, 0, false}};
    int allocs = 0;
    for (uint32_t off = 0; off < t.loader_len; off += ACPI_LOADER_ENTRY_SIZE) {
        const uint8_t *e = t.loader + off;
        switch (le32(e)) {
        case ACPI_LOADER_ALLOCATE: {
            FakeFile *f = fake_find(files, e + 4);
            cr_assert_not(f->placed, "%s allocated twice", f->name);
            f->align = le32(e + 60);
            f->zone = e[64];
            cr_assert_eq(f->addr % f->align, 0, "%s misaligned for the test", f->name);
            memcpy(mem + f->addr, f->src, f->len);
            f->placed = true;
            allocs++;
            break;
        }
        case ACPI_LOADER_ADD_POINTER: {
            FakeFile *dst = fake_find(files, e + 4), *src = fake_find(files, e + 60);
            uint32_t at = le32(e + 116);
            uint8_t size = e[120];
            cr_assert(dst->placed && src->placed, "pointer before ALLOCATE");
            cr_assert(size == 4 || size == 8, "pointer size %u", size);
            cr_assert_leq(at + size, dst->len);
            uint64_t v = 0;
            memcpy(&v, mem + dst->addr + at, size); /* little-endian host */
            v += src->addr;
            memcpy(mem + dst->addr + at, &v, size);
            break;
        }
        case ACPI_LOADER_ADD_CHECKSUM: {
            FakeFile *f = fake_find(files, e + 4);
            uint32_t at = le32(e + 60), start = le32(e + 64), len = le32(e + 68);
            cr_assert(f->placed);
            cr_assert_lt(at, f->len);
            cr_assert_leq(start + len, f->len);
            mem[f->addr + at] = (uint8_t)(mem[f->addr + at] - sum(mem + f->addr + start, len));
            break;
        }
        default:
            cr_assert_fail("unknown loader command %u", le32(e));
        }
    }
    cr_assert_eq(allocs, 2);
    cr_assert_eq(files[0].zone, ACPI_LOADER_ZONE_FSEG, "the RSDP must go where OSes scan");
    cr_assert_eq(files[0].align, 16);
    cr_assert_eq(files[1].zone, ACPI_LOADER_ZONE_HIGH);
    cr_assert_eq(files[1].align % 64, 0, "the FACS needs 64-byte alignment");
}

/* Follows the linked tables from the RSDP at `rsdp_at`, checking every pointer. */
static void check_linked(const uint8_t *mem, uint32_t rsdp_at, uint32_t tables_at)
{
    const uint8_t *rsdp = mem + rsdp_at;
    cr_assert_eq(memcmp(rsdp, "RSD PTR ", 8), 0);
    cr_assert_eq(sum(rsdp, ACPI_RSDP_LEN), 0, "RSDP checksum after linking");
    uint32_t rsdt = le32(rsdp + 16);
    cr_assert_eq(rsdt, tables_at + t.rsdt_off);
    check_table(mem + rsdt, "RSDT", t.rsdt_len);
    uint32_t fadt = le32(mem + rsdt + ACPI_HEADER_LEN);
    cr_assert_eq(fadt, tables_at + t.fadt_off);
    check_table(mem + fadt, "FACP", ACPI_FADT_LEN);
    uint32_t facs = le32(mem + fadt + 36), dsdt = le32(mem + fadt + 40);
    cr_assert_eq(facs, tables_at + t.facs_off);
    cr_assert_eq(facs % 64, 0);
    cr_assert_eq(memcmp(mem + facs, "FACS", 4), 0);
    cr_assert_eq(dsdt, tables_at + t.dsdt_off);
    check_table(mem + dsdt, "DSDT", t.dsdt_len);
}

Test(acpi_tables, loader_script_links_like_seabios)
{
    uint8_t *mem = calloc(1, RAM);
    cr_assert_not_null(mem);
    /* Where SeaBIOS might put them: the F segment and the top of RAM. */
    fake_load(mem, 0xF5A40, RAM - 0x10000);
    check_linked(mem, 0xF5A40, RAM - 0x10000);
    free(mem);
}

Test(acpi_tables, direct_write_equals_the_loader)
{
    PhysMem pm;
    cr_assert(physmem_init(&pm, RAM));
    uint8_t *mem = calloc(1, RAM);
    cr_assert_not_null(mem);
    char err[200];
    cr_assert(acpi_tables_write(&t, &pm, ACPI_DIRECT_RSDP_ADDR, ACPI_DIRECT_TABLES_ADDR, err,
                                sizeof err), "%s", err);
    fake_load(mem, ACPI_DIRECT_RSDP_ADDR, ACPI_DIRECT_TABLES_ADDR);
    cr_assert_eq(memcmp(pm.ram + ACPI_DIRECT_RSDP_ADDR, mem + ACPI_DIRECT_RSDP_ADDR,
                        ACPI_RSDP_LEN), 0);
    cr_assert_eq(memcmp(pm.ram + ACPI_DIRECT_TABLES_ADDR, mem + ACPI_DIRECT_TABLES_ADDR,
                        t.tables_len), 0);
    check_linked(pm.ram, ACPI_DIRECT_RSDP_ADDR, ACPI_DIRECT_TABLES_ADDR);
    /* Linking somewhere else moves every pointer with it. */
    cr_assert(acpi_tables_write(&t, &pm, 0xFFFE0, 0x1000000, err, sizeof err), "%s", err);
    check_linked(pm.ram, 0xFFFE0, 0x1000000);
    free(mem);
    physmem_free(&pm);
}

Test(acpi_tables, direct_write_refuses_bad_places)
{
    PhysMem pm;
    cr_assert(physmem_init(&pm, RAM));
    memset(pm.ram + 0xE0000, 0xA5, 0x20000);
    char err[200];
    static const struct { uint32_t rsdp, tables; const char *why; } bad[] = {
        {0xE0000, 0xE0044, "tables not 64-byte aligned"},
        {0xE0008, 0xE0040, "RSDP not 16-byte aligned"},
        {0xD0000, 0xE0040, "RSDP below the F segment"},
        {0xFFFF0, 0xE0040, "RSDP past 1 MiB"},
        {0xE0040, 0xE0040, "overlap"},
        {0xE0000, RAM - 64, "tables past the end of RAM"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        cr_assert_not(acpi_tables_write(&t, &pm, bad[i].rsdp, bad[i].tables, err, sizeof err),
                      "%s accepted", bad[i].why);
        cr_assert_neq(err[0], 0, "%s: no message", bad[i].why);
    }
    physmem_unmap(&pm, 0xE0000, 0x10000);
    cr_assert_not(acpi_tables_write(&t, &pm, 0xE0000, 0x100000, err, sizeof err));
    cr_assert_not_null(strstr(err, "not writable RAM"), "%s", err);
    for (uint32_t a = 0xE0000; a < 0x100000; a++)
        cr_assert_eq(pm.ram[a], 0xA5, "a refused write wrote at %#x", a);
    physmem_free(&pm);
}

/* ---- the DSDT's content -------------------------------------------------------------------- */

static const uint8_t *dsdt_aml(size_t *len)
{
    *len = t.dsdt_len - ACPI_HEADER_LEN;
    return t.tables + t.dsdt_off + ACPI_HEADER_LEN;
}

static uint32_t pkglen(const uint8_t *p, int *n)
{
    int follow = p[0] >> 6;
    *n = follow + 1;
    if (!follow)
        return p[0] & 0x3F;
    uint32_t v = p[0] & 0x0F;
    for (int i = 1; i <= follow; i++)
        v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
    return v;
}

/* An integer term (Zero, One, Byte/Word/DWordConst); advances *p. */
static uint32_t aml_int(const uint8_t **p)
{
    const uint8_t *q = *p;
    switch (q[0]) {
    case 0x00: *p += 1; return 0;
    case 0x01: *p += 1; return 1;
    case 0x0A: *p += 2; return q[1];
    case 0x0B: *p += 3; return le16(q + 1);
    case 0x0C: *p += 5; return le32(q + 1);
    }
    cr_assert_fail("not an integer: %02x", q[0]);
    return 0;
}

/* Which PIRQ devices/pci.c drives for a function at `slot` raising pin (1-4). */
static int pirq_seen;
static void note_pirq(void *opaque, int pirq, int level)
{
    if (level)
        pirq_seen = pirq;
}

static int pci_pirq_of(uint32_t slot, uint32_t pin)
{
    static IoPortSpace io;
    static PciBus bus;
    static PciDevice dev;
    ioport_init(&io);
    pci_bus_init(&bus, &io);
    bus.route_irq = note_pirq;
    pci_device_init(&dev, &bus, (uint8_t)(slot << 3), 0x1234, 0x5678, 0, 0xFF0000);
    pci_device_set_int_pin(&dev, (int)pin);
    pirq_seen = -1;
    pci_set_irq(&dev, 1);
    return pirq_seen;
}

Test(acpi_tables, prt_matches_the_pci_swizzle)
{
    size_t len;
    const uint8_t *aml = dsdt_aml(&len);
    static const uint8_t prt[] = {0x08, '_', 'P', 'R', 'T', 0x12};
    const uint8_t *p = memmem(aml, len, prt, sizeof prt);
    cr_assert_not_null(p, "no Name (_PRT, Package ...)");
    p += sizeof prt;
    int n;
    uint32_t plen = pkglen(p, &n);
    const uint8_t *end = p + plen;
    p += n;
    cr_assert_eq(*p++, 128, "32 slots x 4 pins");
    bool seen[32][4] = {{false}};
    for (int i = 0; i < 128; i++) {
        cr_assert_eq(*p++, 0x12, "entry %d is not a Package", i);
        const uint8_t *entry_end = p + pkglen(p, &n);
        p += n;
        cr_assert_eq(*p++, 4);
        uint32_t addr = aml_int(&p), pin = aml_int(&p);
        cr_assert_eq(addr & 0xFFFF, 0xFFFF, "any function of the slot");
        uint32_t slot = addr >> 16;
        cr_assert_lt(slot, 32);
        cr_assert_lt(pin, 4);
        static const uint8_t lnk[] = {0x5C, 0x2E, '_', 'S', 'B', '_', 'L', 'N', 'K'};
        cr_assert_eq(memcmp(p, lnk, sizeof lnk), 0, "source is not \\_SB.LNKx");
        int link = p[sizeof lnk] - 'A';
        p += sizeof lnk + 1;
        cr_assert_eq(aml_int(&p), 0, "source index");
        cr_assert_eq(p, entry_end);
        cr_assert_eq(link, pci_pirq_of(slot, pin + 1), "slot %u pin %u", slot, pin);
        cr_assert_not(seen[slot][pin]);
        seen[slot][pin] = true;
    }
    cr_assert_eq(p, end);
}

Test(acpi_tables, dsdt_names_the_devices_an_os_looks_for)
{
    size_t len;
    const uint8_t *aml = dsdt_aml(&len);
    /* Name (_HID, EisaId (...)) as DWordConst, the form SeaBIOS's parser matches; the
     * compressed IDs of PNP0A03, PNP0C0F, PNP0100, PNP0B00, PNP0303, PNP0F13, PNP0501 and
     * PNP0C02 ("PNP" is 41 D0, then the product number's nibbles). */
    static const char *const ids[] = {"PNP0A03", "PNP0C0F", "PNP0100", "PNP0B00", "PNP0303",
                                      "PNP0F13", "PNP0501", "PNP0C02"};
    static const uint32_t eisa[] = {0x030AD041, 0x0F0CD041, 0x0001D041, 0x000BD041,
                                    0x0303D041, 0x130FD041, 0x0105D041, 0x020CD041};
    static const int count[] = {1, 4, 1, 1, 1, 1, 2, 1};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint8_t hid[10] = {0x08, '_', 'H', 'I', 'D', 0x0C};
        memcpy(hid + 6, &eisa[i], 4);
        int found = 0;
        for (const uint8_t *p = aml; (p = memmem(p, len - (size_t)(p - aml), hid, 10)); p++)
            found++;
        cr_assert_eq(found, count[i], "%s: %d devices", ids[i], found);
    }
    /* \_S5 = (0, 0, 0, 0): PIIX4 soft off. */
    static const uint8_t s5[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
    cr_assert_not_null(memmem(aml, len, s5, sizeof s5));
    /* The PIRQ route registers as a PCI_Config region of the ISA bridge 00:01.0. */
    static const uint8_t region[] = {0x5B, 0x80, 'P', 'I', 'R', 'Q', 0x02, 0x0A, 0x60, 0x0A, 4};
    cr_assert_not_null(memmem(aml, len, region, sizeof region));
    static const uint8_t isa_adr[] = {'I', 'S', 'A', '_', 0x08, '_', 'A', 'D', 'R', 0x0C,
                                      0x00, 0x00, 0x01, 0x00};
    cr_assert_not_null(memmem(aml, len, isa_adr, sizeof isa_adr));
    /* PCI0's _CRS ends its memory window at the top of RAM and 0xFEBFFFFF. */
    uint8_t hole[8];
    uint32_t lo = RAM, hi = ACPI_PCI_HOLE_END;
    memcpy(hole, &lo, 4);
    memcpy(hole + 4, &hi, 4);
    cr_assert_not_null(memmem(aml, len, hole, sizeof hole), "no PCI hole from RAM's top");
}

Test(acpi_tables, fw_cfg_files_read_back)
{
    FwCfg f;
    fw_cfg_init(&f);
    cr_assert(acpi_tables_add_fw_cfg(&t, &f));
    static const char *const names[3] = {ACPI_FILE_RSDP, ACPI_FILE_TABLES, ACPI_FILE_LOADER};
    const uint8_t *data[3] = {t.rsdp, t.tables, t.loader};
    uint32_t lens[3] = {t.rsdp_len, t.tables_len, t.loader_len};
    /* The directory, as firmware reads it: a big-endian count, then 64-byte entries. */
    fw_cfg_select(&f, FW_CFG_FILE_DIR);
    uint32_t count = 0;
    for (int i = 0; i < 4; i++)
        count = count << 8 | fw_cfg_read_data(&f);
    int found = 0;
    for (uint32_t e = 0; e < count; e++) {
        uint8_t ent[64];
        for (int i = 0; i < 64; i++)
            ent[i] = fw_cfg_read_data(&f);
        uint32_t size = (uint32_t)ent[0] << 24 | ent[1] << 16 | ent[2] << 8 | ent[3];
        uint16_t key = (uint16_t)(ent[4] << 8 | ent[5]);
        for (int k = 0; k < 3; k++) {
            if (strcmp((const char *)ent + 8, names[k]))
                continue;
            found++;
            cr_assert_eq(size, lens[k], "%s size", names[k]);
            FwCfg copy = f; /* read the file without losing our place in the directory */
            fw_cfg_select(&copy, key);
            for (uint32_t i = 0; i < size; i++)
                cr_assert_eq(fw_cfg_read_data(&copy), data[k][i], "%s byte %u", names[k], i);
        }
    }
    cr_assert_eq(found, 3);
    fw_cfg_free(&f);
}

/* ---- the machine ----------------------------------------------------------------------------- */

static Machine *pc_machine(bool isapc)
{
    MachineConfig mc;
    memset(&mc, 0, sizeof mc);
    mc.isapc = isapc;
    mc.ram_bytes = RAM;
    mc.no_vga = true;
    mc.input.fd = -1;
    char err[256];
    Machine *m = machine_create(&mc, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

Test(acpi_tables, direct_install_on_a_pc_machine)
{
    Machine *m = pc_machine(false);
    char err[256];
    cr_assert(acpi_tables_install_direct(m, err, sizeof err), "%s", err);
    /* An OS scans 0xE0000-0xFFFFF on 16-byte boundaries for a valid RSDP. */
    uint32_t found = 0;
    for (uint32_t a = 0xE0000; a < 0x100000 && !found; a += 16) {
        uint8_t r[ACPI_RSDP_LEN];
        physmem_read_buf(&m->mem, a, r, sizeof r);
        if (!memcmp(r, "RSD PTR ", 8) && sum(r, sizeof r) == 0)
            found = a;
    }
    cr_assert_eq(found, ACPI_DIRECT_RSDP_ADDR);
    uint8_t *flat = calloc(1, 0x100000);
    cr_assert_not_null(flat);
    physmem_read_buf(&m->mem, 0, flat, 0x100000);
    check_linked(flat, ACPI_DIRECT_RSDP_ADDR, ACPI_DIRECT_TABLES_ADDR);
    free(flat);
    /* The PM block the FADT names answers: the timer runs, SCI_EN is set. */
    cr_assert_eq(ioport_read(&m->io, ACPI_PM_BASE + ACPI_PM1_CNT, 2), ACPI_PM1_SCI_EN);
    cr_assert_eq(pci_config_read(&m->acpi_pm.pci, PCI_INT_LINE, 1), ACPI_PM_SCI_IRQ);
    /* S5 through the FADT's PM1a_CNT ends the run. */
    ioport_write(&m->io, ACPI_PM_BASE + ACPI_PM1_CNT, 2, ACPI_PM1_SLP_EN);
    cr_assert(m->power_off);
    machine_destroy(m);

    Machine *isa = pc_machine(true);
    cr_assert(acpi_tables_install_direct(isa, err, sizeof err), "isapc: %s", err);
    uint8_t r[8];
    physmem_read_buf(&isa->mem, ACPI_DIRECT_RSDP_ADDR, r, 8);
    cr_assert_neq(memcmp(r, "RSD PTR ", 8), 0, "tables on a board without ACPI hardware");
    machine_destroy(isa);
}

Test(acpi_tables, the_pc_board_offers_them_in_fw_cfg)
{
    Machine *m = pc_machine(false);
    int found = 0;
    for (int i = 0; i < m->fw_cfg.nitems; i++)
        if (!strcmp(m->fw_cfg.items[i].name, ACPI_FILE_LOADER) ||
            !strcmp(m->fw_cfg.items[i].name, ACPI_FILE_RSDP) ||
            !strcmp(m->fw_cfg.items[i].name, ACPI_FILE_TABLES))
            found++;
    cr_assert_eq(found, 3);
    machine_destroy(m);
}
