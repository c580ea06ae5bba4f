/* acpi_tables.c — see acpi_tables.h. Table layouts from the ACPI specification (5.2: RSDP,
 * system description header, RSDT, FADT, FACS; 6.4: resource descriptors); the loader
 * commands from QEMU's description of its BIOS linker/loader interface. */
#include "machine/acpi_tables.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "devices/i440fx.h"
#include "devices/piix3.h"
#include "machine/aml.h"
#include "machine/machine.h"

#define OEM_ID "VMM86 "        /* 6 bytes */
#define OEM_TABLE_ID "VMM86PC " /* 8 bytes */
#define CREATOR_ID "VMMX"
#define LOADER_MAX_ENTRIES 16
/* End Tags carry checksum 0 ("treat as valid"), as ASL compilers emit them: iasl then
 * rebuilds our DSDT byte for byte from its own disassembly (tests/diff/acpi). */
#define RES_SUM AML_RES_NO_CHECKSUM

/* FADT fields (byte offsets, ACPI 2.0+ layout) and flags. */
enum {
    FADT_FIRMWARE_CTRL = 36, FADT_DSDT = 40, FADT_SCI_INT = 46, FADT_SMI_CMD = 48,
    FADT_PM1A_EVT = 56, FADT_PM1A_CNT = 64, FADT_PM_TMR = 76, FADT_GPE0 = 80,
    FADT_PM1_EVT_LEN = 88, FADT_PM1_CNT_LEN = 89, FADT_PM_TMR_LEN = 91, FADT_GPE0_LEN = 92,
    FADT_P_LVL2_LAT = 96, FADT_P_LVL3_LAT = 98, FADT_CENTURY = 108, FADT_BOOT_ARCH = 109,
    FADT_FLAGS = 112, FADT_RESET_REG = 116, FADT_RESET_VALUE = 128,
};
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_SLP_BUTTON (1u << 5) /* no fixed-feature sleep button */
#define FADT_FIX_RTC (1u << 6)    /* no RTC wake status in the fixed registers */
#define FADT_RESET_REG_SUP (1u << 10)
#define BOOT_ARCH_LEGACY_DEVICES 0x0001
#define BOOT_ARCH_8042 0x0002
#define RTC_CENTURY_INDEX 0x32

/* ---- little helpers ---------------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t byte_sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* Sets p[off] so that the n bytes at p sum to zero. */
static void set_checksum(uint8_t *p, size_t n, size_t off)
{
    p[off] = 0;
    p[off] = (uint8_t)-byte_sum(p, n);
}

static bool set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* The system description header; the checksum is set once the table is complete. */
static void put_header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(p, sig, 4);
    put32(p + 4, len);
    p[8] = rev;
    p[9] = 0;
    memcpy(p + 10, OEM_ID, 6);
    memcpy(p + 16, OEM_TABLE_ID, 8);
    put32(p + 24, 1);
    memcpy(p + 28, CREATOR_ID, 4);
    put32(p + 32, 1);
}

/* ---- DSDT: the ISA devices ------------------------------------------------------------------- */

typedef struct IsaDev {
    const char *name, *hid;
    uint8_t uid;                         /* 0: no _UID */
    struct { uint16_t base; uint8_t len; } io[2];
    int irq;                             /* -1: none */
} IsaDev;

static const IsaDev isa_devs[] = {
    {"PIC", "PNP0000", 0, {{0x20, 2}, {0xA0, 2}}, 2},
    {"TMR", "PNP0100", 0, {{0x40, 4}, {0, 0}}, 0},
    {"RTC", "PNP0B00", 0, {{0x70, 2}, {0, 0}}, 8},
    {"KBD", "PNP0303", 0, {{0x60, 1}, {0x64, 1}}, 1},
    {"MOU", "PNP0F13", 0, {{0, 0}, {0, 0}}, 12},
    {"COM1", "PNP0501", 1, {{0x3F8, 8}, {0, 0}}, 4},
    {"COM2", "PNP0501", 2, {{0x2F8, 8}, {0, 0}}, 3},
};

static void isa_device(AmlBuf *b, const IsaDev *d)
{
    aml_device(b, d->name);
    aml_name_eisaid(b, "_HID", d->hid);
    if (d->uid)
        aml_name_integer(b, "_UID", d->uid);
    aml_name(b, "_CRS");
    aml_resource_template(b, RES_SUM);
    for (int i = 0; i < 2; i++)
        if (d->io[i].len)
            aml_res_io(b, d->io[i].base, d->io[i].base, 1, d->io[i].len);
    if (d->irq >= 0)
        aml_res_irq_noflags(b, (uint16_t)(1u << d->irq));
    aml_end(b);
    aml_end(b);
}

/* Ports the board decodes that no other device claims: the OS keeps them out of its
 * allocations (PNP0C02, "motherboard resources"). */
static void motherboard_resources(AmlBuf *b, const AcpiTablesConfig *cfg)
{
    aml_device(b, "RES");
    aml_name_eisaid(b, "_HID", "PNP0C02");
    aml_name_integer(b, "_UID", 1);
    aml_name(b, "_CRS");
    aml_resource_template(b, RES_SUM);
    aml_res_io(b, cfg->pm_base, cfg->pm_base, 1, ACPI_PM_IO_SIZE);
    aml_res_io(b, FW_CFG_PORT_SEL, FW_CFG_PORT_SEL, 1, 2);
    aml_res_io(b, 0x4D0, 0x4D0, 1, 2); /* ELCR */
    aml_res_io(b, 0x92, 0x92, 1, 1);   /* port 92: fast A20 and reset */
    aml_end(b);
    aml_end(b);
}

/* The PIIX3 ISA bridge 00:01.0, its PIRQ route registers as fields, the legacy devices. */
static void isa_bridge(AmlBuf *b, const AcpiTablesConfig *cfg)
{
    aml_device(b, "ISA");
    aml_name_integer(b, "_ADR", (uint32_t)(PIIX3_DEVFN >> 3) << 16 | (PIIX3_DEVFN & 7));
    aml_op_region(b, "PIRQ", AML_SPACE_PCI_CONFIG, PIIX3_PIRQRC, 4);
    aml_field(b, "PIRQ", AML_FIELD_BYTE_ACC | AML_FIELD_PRESERVE);
    static const char *const prq[4] = {"PRQA", "PRQB", "PRQC", "PRQD"};
    for (int i = 0; i < 4; i++)
        aml_field_entry(b, prq[i], 8);
    aml_end(b);
    for (size_t i = 0; i < sizeof isa_devs / sizeof isa_devs[0]; i++)
        isa_device(b, &isa_devs[i]);
    motherboard_resources(b, cfg);
    aml_end(b);
}

/* ---- DSDT: the PCI root bridge --------------------------------------------------------------- */

static void pci0_crs(AmlBuf *b, const AcpiTablesConfig *cfg)
{
    const uint8_t window = AML_ADDR_MIN_FIXED | AML_ADDR_MAX_FIXED; /* producer, +decode */
    aml_name(b, "_CRS");
    aml_resource_template(b, RES_SUM);
    aml_res_word(b, AML_RES_BUS, window, 0, 0x00, 0xFF);
    aml_res_io(b, 0xCF8, 0xCF8, 1, 8); /* the configuration ports, used by the bridge */
    aml_res_word(b, AML_RES_IO, window, AML_IO_ENTIRE_RANGE, 0x0000, 0x0CF7);
    aml_res_word(b, AML_RES_IO, window, AML_IO_ENTIRE_RANGE, 0x0D00, 0xFFFF);
    aml_res_dword(b, AML_RES_MEMORY, window, AML_MEM_RW | AML_MEM_CACHEABLE, 0xA0000, 0xBFFFF);
    aml_res_dword(b, AML_RES_MEMORY, window, AML_MEM_RW, cfg->ram_bytes, ACPI_PCI_HOLE_END);
    aml_end(b);
}

static const char *const link_path[4] = {"\\_SB.LNKA", "\\_SB.LNKB", "\\_SB.LNKC",
                                         "\\_SB.LNKD"};

/* Every slot's INTA-INTD: pin p of slot s reaches PIRQ (s + p) mod 4, as devices/pci.c
 * swizzles it. */
static void pci0_prt(AmlBuf *b)
{
    aml_name(b, "_PRT");
    aml_package(b, 32 * 4);
    for (uint32_t slot = 0; slot < 32; slot++)
        for (uint32_t pin = 0; pin < 4; pin++) {
            aml_package(b, 4);
            aml_integer(b, slot << 16 | 0xFFFF);
            aml_integer(b, pin);
            aml_name_string(b, link_path[(slot + pin) & 3]);
            aml_integer(b, 0);
            aml_end(b);
        }
    aml_end(b);
}

static void pci0(AmlBuf *b, const AcpiTablesConfig *cfg)
{
    aml_device(b, "PCI0");
    aml_name_eisaid(b, "_HID", "PNP0A03");
    aml_name_integer(b, "_ADR", 0);
    aml_name_integer(b, "_BBN", 0);
    aml_name_integer(b, "_UID", 0);
    pci0_crs(b, cfg);
    pci0_prt(b);
    isa_bridge(b, cfg);
    aml_end(b);
}

/* ---- DSDT: the PCI interrupt links --------------------------------------------------------- */

#define LINK_IRQS ((1u << 5) | (1u << 9) | (1u << 10) | (1u << 11))
#define LINK_IRQ_FLAGS (AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED) /* level, active low, shared */

/* \_SB.IQST (route): _STA of a link, 0x09 (present, disabled) or 0x0B (enabled). */
static void method_iqst(AmlBuf *b)
{
    aml_method(b, "IQST", 1, false);
    aml_if(b);
    aml_op(b, AML_AND), aml_arg(b, 0), aml_integer(b, 0x80), aml_null_target(b);
    aml_op(b, AML_RETURN), aml_integer(b, 0x09);
    aml_end(b);
    aml_op(b, AML_RETURN), aml_integer(b, 0x0B);
    aml_end(b);
}

/* \_SB.IQCR (route): _CRS of a link, an IRQ descriptor with the routed IRQ or none. */
static void method_iqcr(AmlBuf *b)
{
    aml_method(b, "IQCR", 1, true);
    aml_name(b, "PRR0");
    aml_resource_template(b, RES_SUM); /* patched below */
    aml_res_irq(b, 0, LINK_IRQ_FLAGS);
    aml_end(b);
    aml_op(b, AML_CREATE_WORD_FIELD), aml_name_string(b, "PRR0"), aml_integer(b, 1);
    aml_name_string(b, "PRRI");
    aml_if(b);
    aml_op(b, AML_LNOT), aml_op(b, AML_AND), aml_arg(b, 0), aml_integer(b, 0x80);
    aml_null_target(b);
    aml_op(b, AML_SHIFT_LEFT), aml_integer(b, 1);
    aml_op(b, AML_AND), aml_arg(b, 0), aml_integer(b, 0x0F), aml_null_target(b);
    aml_name_string(b, "PRRI");
    aml_end(b);
    aml_op(b, AML_RETURN), aml_name_string(b, "PRR0");
    aml_end(b);
}

/* \_SB.IQSR (resources): the route register value for _SRS's IRQ descriptor (its lowest
 * IRQ), or 0x80 (disabled) when it names none. */
static void method_iqsr(AmlBuf *b)
{
    aml_method(b, "IQSR", 1, true);
    aml_op(b, AML_CREATE_WORD_FIELD), aml_arg(b, 0), aml_integer(b, 1);
    aml_name_string(b, "IRQW");
    aml_op(b, AML_FIND_SET_RIGHT_BIT), aml_name_string(b, "IRQW"), aml_local(b, 0);
    aml_if(b);
    aml_local(b, 0);
    aml_op(b, AML_DECREMENT), aml_local(b, 0);
    aml_op(b, AML_RETURN), aml_local(b, 0);
    aml_end(b);
    aml_op(b, AML_RETURN), aml_integer(b, 0x80);
    aml_end(b);
}

static void link_device(AmlBuf *b, int i)
{
    static const char *const names[4] = {"LNKA", "LNKB", "LNKC", "LNKD"};
    static const char *const route[4] = {"\\_SB.PCI0.ISA.PRQA", "\\_SB.PCI0.ISA.PRQB",
                                         "\\_SB.PCI0.ISA.PRQC", "\\_SB.PCI0.ISA.PRQD"};
    aml_device(b, names[i]);
    aml_name_eisaid(b, "_HID", "PNP0C0F");
    aml_name_integer(b, "_UID", (uint64_t)i + 1);
    aml_name(b, "_PRS");
    aml_resource_template(b, RES_SUM);
    aml_res_irq(b, LINK_IRQS, LINK_IRQ_FLAGS);
    aml_end(b);

    aml_method(b, "_STA", 0, false);
    aml_op(b, AML_RETURN), aml_name_string(b, "\\_SB.IQST"), aml_name_string(b, route[i]);
    aml_end(b);
    aml_method(b, "_DIS", 0, false);
    aml_op(b, AML_OR), aml_name_string(b, route[i]), aml_integer(b, 0x80);
    aml_name_string(b, route[i]);
    aml_end(b);
    aml_method(b, "_CRS", 0, false);
    aml_op(b, AML_RETURN), aml_name_string(b, "\\_SB.IQCR"), aml_name_string(b, route[i]);
    aml_end(b);
    aml_method(b, "_SRS", 1, false);
    aml_op(b, AML_STORE), aml_name_string(b, "\\_SB.IQSR"), aml_arg(b, 0);
    aml_name_string(b, route[i]);
    aml_end(b);
    aml_end(b);
}

/* The DSDT's definition block (the AML after the header). */
static void dsdt_body(AmlBuf *b, const AcpiTablesConfig *cfg)
{
    /* \_S5: SLP_TYP for PM1a and PM1b, then two reserved values. */
    aml_name(b, "_S5");
    aml_package(b, 4);
    for (int i = 0; i < 4; i++)
        aml_integer(b, ACPI_SLP_TYP_S5);
    aml_end(b);

    aml_scope(b, "\\_SB");
    method_iqst(b);
    method_iqcr(b);
    method_iqsr(b);
    pci0(b, cfg);
    for (int i = 0; i < 4; i++)
        link_device(b, i);
    aml_end(b);
}

/* ---- FADT, FACS, RSDT, RSDP ------------------------------------------------------------------ */

static void build_fadt(uint8_t *p, const AcpiTablesConfig *cfg, uint32_t facs, uint32_t dsdt)
{
    memset(p, 0, ACPI_FADT_LEN);
    put_header(p, "FACP", ACPI_FADT_LEN, 3);
    put32(p + FADT_FIRMWARE_CTRL, facs);
    put32(p + FADT_DSDT, dsdt);
    put16(p + FADT_SCI_INT, cfg->sci_irq);
    put32(p + FADT_SMI_CMD, 0); /* no SMM: ACPI mode from reset */
    put32(p + FADT_PM1A_EVT, cfg->pm_base + ACPI_PM1_STS);
    put32(p + FADT_PM1A_CNT, cfg->pm_base + ACPI_PM1_CNT);
    put32(p + FADT_PM_TMR, cfg->pm_base + ACPI_PM_TMR);
    put32(p + FADT_GPE0, cfg->pm_base + ACPI_GPE0_STS);
    p[FADT_PM1_EVT_LEN] = 4;
    p[FADT_PM1_CNT_LEN] = 2;
    p[FADT_PM_TMR_LEN] = 4;
    p[FADT_GPE0_LEN] = ACPI_GPE0_LEN;
    put16(p + FADT_P_LVL2_LAT, 101);  /* > 100: no C2 */
    put16(p + FADT_P_LVL3_LAT, 1001); /* > 1000: no C3 */
    p[FADT_CENTURY] = RTC_CENTURY_INDEX;
    put16(p + FADT_BOOT_ARCH, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042);
    put32(p + FADT_FLAGS, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_FIX_RTC |
                              FADT_RESET_REG_SUP);
    /* RESET_REG: system I/O, 8 bits at offset 0, byte access, port 0xCF9 (the PIIX3's
     * reset control: 6 = hard reset of the CPU). */
    uint8_t *r = p + FADT_RESET_REG;
    r[0] = 1, r[1] = 8, r[2] = 0, r[3] = 1;
    put32(r + 4, PIIX3_RCR_PORT);
    p[FADT_RESET_VALUE] = 0x06;
    set_checksum(p, ACPI_FADT_LEN, 9);
}

static void build_facs(uint8_t *p)
{
    memset(p, 0, ACPI_FACS_LEN);
    memcpy(p, "FACS", 4);
    put32(p + 4, ACPI_FACS_LEN);
    p[32] = 1; /* version (ACPI 2.0+ layout with the 64-bit waking vector) */
}

static void build_rsdt(uint8_t *p, uint32_t fadt)
{
    put_header(p, "RSDT", ACPI_HEADER_LEN + 4, 1);
    put32(p + ACPI_HEADER_LEN, fadt);
    set_checksum(p, ACPI_HEADER_LEN + 4, 9);
}

static void build_rsdp(uint8_t *p, uint32_t rsdt)
{
    memset(p, 0, ACPI_RSDP_LEN);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, OEM_ID, 6);
    p[15] = 0; /* ACPI 1.0 RSDP: the RSDT only */
    put32(p + 16, rsdt);
    set_checksum(p, ACPI_RSDP_LEN, 8);
}

/* ---- the loader script ----------------------------------------------------------------------- */

/* Appends one command (the buffer holds LOADER_MAX_ENTRIES, more than the fixed script). */
static void loader_append(AcpiTables *t, const uint8_t *e)
{
    if (t->loader_len + ACPI_LOADER_ENTRY_SIZE > LOADER_MAX_ENTRIES * ACPI_LOADER_ENTRY_SIZE)
        return;
    memcpy(t->loader + t->loader_len, e, ACPI_LOADER_ENTRY_SIZE);
    t->loader_len += ACPI_LOADER_ENTRY_SIZE;
}

static void put_file_name(uint8_t *dst, const char *name)
{
    size_t n = strlen(name);
    memcpy(dst, name, n < ACPI_LOADER_FILESZ - 1 ? n : ACPI_LOADER_FILESZ - 1);
}

static void cmd_allocate(AcpiTables *t, const char *file, uint32_t align, uint8_t zone)
{
    uint8_t e[ACPI_LOADER_ENTRY_SIZE] = {0};
    put32(e, ACPI_LOADER_ALLOCATE);
    put_file_name(e + 4, file);
    put32(e + 60, align);
    e[64] = zone;
    loader_append(t, e);
}

static void cmd_pointer(AcpiTables *t, const char *dest, const char *src, uint32_t offset,
                        uint8_t size)
{
    uint8_t e[ACPI_LOADER_ENTRY_SIZE] = {0};
    put32(e, ACPI_LOADER_ADD_POINTER);
    put_file_name(e + 4, dest);
    put_file_name(e + 60, src);
    put32(e + 116, offset);
    e[120] = size;
    loader_append(t, e);
}

/* The byte at `at` makes [start, start + len) sum to zero. */
static void cmd_checksum(AcpiTables *t, const char *file, uint32_t at, uint32_t start,
                         uint32_t len)
{
    uint8_t e[ACPI_LOADER_ENTRY_SIZE] = {0};
    put32(e, ACPI_LOADER_ADD_CHECKSUM);
    put_file_name(e + 4, file);
    put32(e + 60, at);
    put32(e + 64, start);
    put32(e + 68, len);
    loader_append(t, e);
}

static void build_loader(AcpiTables *t)
{
    const char *T = ACPI_FILE_TABLES, *R = ACPI_FILE_RSDP;
    cmd_allocate(t, T, 64, ACPI_LOADER_ZONE_HIGH); /* the FACS wants 64-byte alignment */
    cmd_allocate(t, R, 16, ACPI_LOADER_ZONE_FSEG); /* where OSes scan for "RSD PTR " */
    cmd_pointer(t, T, T, t->fadt_off + FADT_FIRMWARE_CTRL, 4);
    cmd_pointer(t, T, T, t->fadt_off + FADT_DSDT, 4);
    /* A header's checksum is its byte 9; the RSDP's is byte 8. */
    cmd_checksum(t, T, t->fadt_off + 9, t->fadt_off, ACPI_FADT_LEN);
    cmd_checksum(t, T, t->dsdt_off + 9, t->dsdt_off, t->dsdt_len);
    cmd_pointer(t, T, T, t->rsdt_off + ACPI_HEADER_LEN, 4);
    cmd_checksum(t, T, t->rsdt_off + 9, t->rsdt_off, t->rsdt_len);
    cmd_pointer(t, R, T, 16, 4);
    cmd_checksum(t, R, 8, 0, ACPI_RSDP_LEN);
}

/* ---- building -------------------------------------------------------------------------------- */

static uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) & ~(a - 1); }

bool acpi_tables_build(const AcpiTablesConfig *cfg, AcpiTables *t)
{
    memset(t, 0, sizeof *t);
    AmlBuf aml;
    aml_init(&aml);
    dsdt_body(&aml, cfg);
    if (aml.error || aml.depth != 0 || aml.len > 0x100000) {
        aml_free(&aml);
        return false;
    }
    t->facs_off = 0;
    t->dsdt_off = ACPI_FACS_LEN;
    t->dsdt_len = ACPI_HEADER_LEN + (uint32_t)aml.len;
    t->fadt_off = align_up(t->dsdt_off + t->dsdt_len, 8);
    t->rsdt_off = align_up(t->fadt_off + ACPI_FADT_LEN, 8);
    t->rsdt_len = ACPI_HEADER_LEN + 4;
    t->tables_len = t->rsdt_off + t->rsdt_len;
    t->rsdp_len = ACPI_RSDP_LEN;
    t->tables = calloc(1, t->tables_len);
    t->rsdp = calloc(1, ACPI_RSDP_LEN);
    t->loader = calloc(LOADER_MAX_ENTRIES, ACPI_LOADER_ENTRY_SIZE);
    if (!t->tables || !t->rsdp || !t->loader) {
        aml_free(&aml);
        acpi_tables_free(t);
        return false;
    }
    uint8_t *d = t->tables + t->dsdt_off;
    put_header(d, "DSDT", t->dsdt_len, 1); /* revision 1: 32-bit integers */
    memcpy(d + ACPI_HEADER_LEN, aml.data, aml.len);
    set_checksum(d, t->dsdt_len, 9);
    aml_free(&aml);
    build_facs(t->tables + t->facs_off);
    build_fadt(t->tables + t->fadt_off, cfg, t->facs_off, t->dsdt_off);
    build_rsdt(t->tables + t->rsdt_off, t->fadt_off);
    build_rsdp(t->rsdp, t->rsdt_off);
    build_loader(t);
    return true;
}

void acpi_tables_free(AcpiTables *t)
{
    free(t->rsdp);
    free(t->tables);
    free(t->loader);
    memset(t, 0, sizeof *t);
}

bool acpi_tables_add_fw_cfg(const AcpiTables *t, FwCfg *f)
{
    return fw_cfg_add_file(f, ACPI_FILE_TABLES, t->tables, t->tables_len) &&
           fw_cfg_add_file(f, ACPI_FILE_RSDP, t->rsdp, t->rsdp_len) &&
           fw_cfg_add_file(f, ACPI_FILE_LOADER, t->loader, t->loader_len);
}

/* ---- running the script ourselves (direct boots) --------------------------------------------- */

typedef struct LinkFile {
    const char *name;
    uint8_t *data;       /* a copy being linked */
    uint32_t len, addr;
    bool allocated;
} LinkFile;

static LinkFile *link_find(LinkFile *files, const uint8_t *name)
{
    if (memchr(name, 0, ACPI_LOADER_FILESZ) == NULL)
        return NULL;
    for (int i = 0; i < 2; i++)
        if (!strcmp(files[i].name, (const char *)name))
            return &files[i];
    return NULL;
}

static bool link_allocate(LinkFile *files, const uint8_t *e, char *err, size_t errlen)
{
    LinkFile *f = link_find(files, e + 4);
    uint32_t align = get32(e + 60);
    if (!f || !align || (align & (align - 1)) || (e[64] != ACPI_LOADER_ZONE_HIGH &&
                                                  e[64] != ACPI_LOADER_ZONE_FSEG))
        return set_err(err, errlen, "ACPI loader: bad ALLOCATE command");
    if (f->addr & (align - 1))
        return set_err(err, errlen, "ACPI: %s at %#x is not %u-byte aligned", f->name,
                       f->addr, align);
    if (e[64] == ACPI_LOADER_ZONE_FSEG &&
        (f->addr < 0xE0000 || (uint64_t)f->addr + f->len > 0x100000))
        return set_err(err, errlen, "ACPI: %s must lie in 0xE0000-0xFFFFF", f->name);
    f->allocated = true;
    return true;
}

static bool link_pointer(LinkFile *files, const uint8_t *e, char *err, size_t errlen)
{
    LinkFile *dst = link_find(files, e + 4), *src = link_find(files, e + 60);
    uint32_t off = get32(e + 116);
    uint8_t size = e[120];
    if (!dst || !src || !dst->allocated || !src->allocated || !size || size > 8 ||
        (size & (size - 1)) || off > dst->len || size > dst->len - off)
        return set_err(err, errlen, "ACPI loader: bad ADD_POINTER command");
    uint64_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint64_t)dst->data[off + i] << (8 * i);
    v += src->addr;
    for (int i = 0; i < size; i++)
        dst->data[off + i] = (uint8_t)(v >> (8 * i));
    return true;
}

static bool link_checksum(LinkFile *files, const uint8_t *e, char *err, size_t errlen)
{
    LinkFile *f = link_find(files, e + 4);
    uint32_t off = get32(e + 60), start = get32(e + 64), len = get32(e + 68);
    if (!f || !f->allocated || off >= f->len || start > f->len || len > f->len - start)
        return set_err(err, errlen, "ACPI loader: bad ADD_CHECKSUM command");
    f->data[off] = (uint8_t)(f->data[off] - byte_sum(f->data + start, len));
    return true;
}

static bool writable_ram(PhysMem *pm, uint32_t addr, uint32_t len)
{
    if ((uint64_t)addr + len > 0x100000000ull)
        return false;
    for (uint64_t a = addr & ~0xFFFu; a < (uint64_t)addr + len; a += 4096) {
        uintptr_t d = physmem_desc(pm, (uint32_t)a);
        if (!(d & PG_RAM) || !(d & PG_WRITABLE))
            return false;
    }
    return true;
}

static bool link_run(const AcpiTables *t, LinkFile *files, char *err, size_t errlen)
{
    for (uint32_t off = 0; off + ACPI_LOADER_ENTRY_SIZE <= t->loader_len;
         off += ACPI_LOADER_ENTRY_SIZE) {
        const uint8_t *e = t->loader + off;
        bool ok;
        switch (get32(e)) {
        case ACPI_LOADER_ALLOCATE: ok = link_allocate(files, e, err, errlen); break;
        case ACPI_LOADER_ADD_POINTER: ok = link_pointer(files, e, err, errlen); break;
        case ACPI_LOADER_ADD_CHECKSUM: ok = link_checksum(files, e, err, errlen); break;
        default: ok = set_err(err, errlen, "ACPI loader: unknown command %u", get32(e));
        }
        if (!ok)
            return false;
    }
    return true;
}

bool acpi_tables_write(const AcpiTables *t, PhysMem *pm, uint32_t rsdp_addr,
                       uint32_t tables_addr, char *err, size_t errlen)
{
    LinkFile files[2] = {{ACPI_FILE_RSDP, NULL, t->rsdp_len, rsdp_addr, false},
                         {ACPI_FILE_TABLES, NULL, t->tables_len, tables_addr, false}};
    if ((uint64_t)rsdp_addr + t->rsdp_len > tables_addr &&
        (uint64_t)tables_addr + t->tables_len > rsdp_addr)
        return set_err(err, errlen, "ACPI: the RSDP and the tables overlap");
    for (int i = 0; i < 2; i++)
        if (!writable_ram(pm, files[i].addr, files[i].len))
            return set_err(err, errlen, "ACPI: %#x-%#x (%s) is not writable RAM",
                           files[i].addr, files[i].addr + files[i].len - 1, files[i].name);
    files[0].data = malloc(t->rsdp_len);
    files[1].data = malloc(t->tables_len);
    bool ok = files[0].data && files[1].data;
    if (!ok)
        set_err(err, errlen, "out of memory linking the ACPI tables");
    if (ok) {
        memcpy(files[0].data, t->rsdp, t->rsdp_len);
        memcpy(files[1].data, t->tables, t->tables_len);
        ok = link_run(t, files, err, errlen);
    }
    for (int i = 0; i < 2 && ok; i++)
        if (!files[i].allocated)
            ok = set_err(err, errlen, "ACPI loader: %s never allocated", files[i].name);
    for (int i = 0; i < 2 && ok; i++)
        physmem_write_buf(pm, files[i].addr, files[i].data, files[i].len);
    free(files[0].data);
    free(files[1].data);
    return ok;
}

/* ---- the machine ----------------------------------------------------------------------------- */

void acpi_tables_config_of(const Machine *m, AcpiTablesConfig *cfg)
{
    *cfg = (AcpiTablesConfig){.ram_bytes = m->cfg.ram_bytes, .pm_base = ACPI_PM_BASE,
                              .sci_irq = ACPI_PM_SCI_IRQ};
}

bool acpi_tables_install_direct(Machine *m, char *err, size_t errlen)
{
    if (m->cfg.isapc)
        return true;
    acpi_pm_firmware_setup(&m->acpi_pm, ACPI_PM_BASE);
    /* PAM5: 0xE0000-0xE7FFF reads and writes RAM, as a BIOS leaves its shadow. */
    pci_config_write(&m->i440fx.pci, I440FX_PAM0 + 5, 1, 0x33);
    AcpiTablesConfig cfg;
    acpi_tables_config_of(m, &cfg);
    AcpiTables t;
    if (!acpi_tables_build(&cfg, &t))
        return set_err(err, errlen, "out of memory building the ACPI tables");
    bool ok;
    if (ACPI_DIRECT_TABLES_ADDR + t.tables_len > ACPI_DIRECT_AREA_END)
        ok = set_err(err, errlen, "the ACPI tables (%u bytes) do not fit below %#x",
                     t.tables_len, ACPI_DIRECT_AREA_END);
    else
        ok = acpi_tables_write(&t, &m->mem, ACPI_DIRECT_RSDP_ADDR, ACPI_DIRECT_TABLES_ADDR,
                               err, errlen);
    acpi_tables_free(&t);
    return ok;
}
