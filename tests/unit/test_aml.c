/* test_aml.c — the AML encoder against the ACPI specification's grammar (section 20.2):
 * PkgLength in its 1-4 byte forms at every boundary (and decoded back by a decoder written
 * here from the grammar), name strings with root and parent prefixes and dual/multi-segment
 * names, integers in their smallest encoding, EISA IDs, strings, buffers, packages,
 * methods, fields, resource templates with their End Tag and checksum, and the sticky
 * error for malformed input. */
#include <criterion/criterion.h>
#include <string.h>

#include "machine/aml.h"

static AmlBuf b;

static void setup(void) { aml_init(&b); }
static void teardown(void) { aml_free(&b); }

TestSuite(aml, .init = setup, .fini = teardown);

static void expect_bytes(const uint8_t *want, size_t n)
{
    cr_assert_not(b.error);
    cr_assert_eq(b.len, n, "length %zu, want %zu", b.len, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(b.data[i], want[i], "byte %zu: %02x, want %02x", i, b.data[i], want[i]);
}
#define EXPECT(...)                                                                        \
    do {                                                                                   \
        static const uint8_t w_[] = {__VA_ARGS__};                                         \
        expect_bytes(w_, sizeof w_);                                                       \
    } while (0)

/* PkgLength per the grammar: bits 7:6 of the lead byte count the bytes that follow; with
 * none, bits 5:0 are the value; else bits 3:0 are its low nibble and each following byte
 * adds 8 more bits. Returns the value and sets *n to the bytes used. */
static uint32_t decode_pkglength(const uint8_t *p, int *n)
{
    int follow = p[0] >> 6;
    *n = follow + 1;
    if (!follow)
        return p[0] & 0x3F;
    cr_assert_eq(p[0] & 0x30, 0, "reserved bits 5:4 set in a multi-byte PkgLength");
    uint32_t v = p[0] & 0x0F;
    for (int i = 1; i <= follow; i++)
        v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
    return v;
}

Test(aml, pkglength_forms_at_their_boundaries)
{
    static const struct { uint32_t content; int bytes; uint8_t enc[4]; } cases[] = {
        {0, 1, {0x01}},
        {62, 1, {0x3F}},                        /* 63: the largest 1-byte value */
        {63, 2, {0x41, 0x04}},                  /* 65 = 0x41 */
        {4093, 2, {0x4F, 0xFF}},                /* 4095: the largest 2-byte value */
        {4094, 3, {0x81, 0x00, 0x01}},          /* 4097 = 0x1001 */
        {(1u << 20) - 4, 3, {0x8F, 0xFF, 0xFF}}, /* 2^20 - 1 */
        {(1u << 20) - 3, 4, {0xC1, 0x00, 0x00, 0x01}},
        {(1u << 28) - 5, 4, {0xCF, 0xFF, 0xFF, 0xFF}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[4];
        int n = aml_pkglength_encode(cases[i].content, out);
        cr_assert_eq(n, cases[i].bytes, "content %u", cases[i].content);
        cr_assert_eq(memcmp(out, cases[i].enc, (size_t)n), 0, "content %u", cases[i].content);
    }
    uint8_t out[4];
    cr_assert_eq(aml_pkglength_encode((1u << 28) - 4, out), 0, "past 28 bits");
    cr_assert_eq(aml_pkgvalue_encode(1u << 28, out), 0);
}

Test(aml, pkglength_sweep_decodes_back)
{
    for (uint32_t c = 0; c < (1u << 21); c += (c < 5000 ? 1 : 997)) {
        uint8_t out[4];
        int n = aml_pkglength_encode(c, out), used;
        cr_assert_gt(n, 0);
        cr_assert_eq(decode_pkglength(out, &used), c + (uint32_t)n, "content %u", c);
        cr_assert_eq(used, n);
        /* and no shorter form would have held it */
        if (n > 1) {
            uint8_t tmp[4];
            cr_assert_neq(aml_pkgvalue_encode(c + (uint32_t)n - 1, tmp), n - 1);
        }
    }
}

Test(aml, constructs_get_their_pkglength)
{
    /* Scope (\_SB) { } : 10 PkgLength 5C 5F 53 42 5F */
    aml_scope(&b, "\\_SB");
    aml_end(&b);
    EXPECT(0x10, 0x06, 0x5C, 0x5F, 0x53, 0x42, 0x5F);
    aml_free(&b);
    /* A body of 100 bytes needs the 2-byte form: 4 name + 100 + 2 = 106 = 0x6A. */
    aml_scope(&b, "ABCD");
    for (int i = 0; i < 100; i++)
        aml_byte(&b, 0xA3); /* Noop */
    aml_end(&b);
    cr_assert_not(b.error);
    cr_assert_eq(b.len, 1 + 2 + 4 + 100);
    cr_assert_eq(b.data[1], 0x4A);
    cr_assert_eq(b.data[2], 0x06);
    cr_assert_eq(memcmp(b.data + 3, "ABCD", 4), 0);
    aml_free(&b);
    /* Nested: the inner length is inserted before the outer one is computed. */
    aml_device(&b, "DEV");
    aml_method(&b, "_STA", 0, false);
    aml_op(&b, AML_RETURN), aml_integer(&b, 0x0F);
    aml_end(&b);
    aml_end(&b);
    EXPECT(0x5B, 0x82, 0x0F, 'D', 'E', 'V', '_', 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xA4,
           0x0A, 0x0F);
}

Test(aml, name_strings)
{
    aml_name_string(&b, "_S5");
    EXPECT('_', 'S', '5', '_');
    aml_free(&b);
    aml_name_string(&b, "\\_SB.PCI0");
    EXPECT(0x5C, 0x2E, '_', 'S', 'B', '_', 'P', 'C', 'I', '0');
    aml_free(&b);
    aml_name_string(&b, "\\_SB.PCI0.ISA.PRQA");
    EXPECT(0x5C, 0x2F, 0x04, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'I', 'S', 'A', '_', 'P',
           'R', 'Q', 'A');
    aml_free(&b);
    aml_name_string(&b, "^^FOO.B2");
    EXPECT(0x5E, 0x5E, 0x2E, 'F', 'O', 'O', '_', 'B', '2', '_', '_');
    aml_free(&b);
    aml_name_string(&b, "\\");
    EXPECT(0x5C, 0x00);
    aml_free(&b);
    aml_name_string(&b, "A1_9");
    EXPECT('A', '1', '_', '9');
}

Test(aml, malformed_names_set_the_error)
{
    static const char *const bad[] = {"1ABC", "ABCDE", "A..B", "A.", ".A", "ab", "A-B",
                                      "\\^A", "^\\A", "\\_SB."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        AmlBuf t;
        aml_init(&t);
        aml_name_string(&t, bad[i]);
        cr_assert(t.error, "'%s' accepted", bad[i]);
        aml_free(&t);
    }
    aml_field_entry(&b, "TOOLONG", 8);
    cr_assert(b.error);
}

Test(aml, integers_take_the_smallest_encoding)
{
    static const struct { uint64_t v; uint8_t enc[9]; size_t n; } cases[] = {
        {0, {0x00}, 1},
        {1, {0x01}, 1},
        {2, {0x0A, 0x02}, 2},
        {0xFF, {0x0A, 0xFF}, 2},
        {0x100, {0x0B, 0x00, 0x01}, 3},
        {0xFFFF, {0x0B, 0xFF, 0xFF}, 3},
        {0x10000, {0x0C, 0x00, 0x00, 0x01, 0x00}, 5},
        {0xFFFFFFFFu, {0x0C, 0xFF, 0xFF, 0xFF, 0xFF}, 5},
        {0x100000000ull, {0x0E, 0, 0, 0, 0, 1, 0, 0, 0}, 9},
        {0x0123456789ABCDEFull, {0x0E, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01}, 9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        AmlBuf t;
        aml_init(&t);
        aml_integer(&t, cases[i].v);
        cr_assert_eq(t.len, cases[i].n, "value %#llx", (unsigned long long)cases[i].v);
        cr_assert_eq(memcmp(t.data, cases[i].enc, t.len), 0);
        aml_free(&t);
    }
}

Test(aml, eisa_ids)
{
    /* The compressed form: letters as 5-bit values (A = 1), big-endian, then hex digits. */
    cr_assert_eq(aml_eisaid("PNP0A03"), 0x030AD041u);
    cr_assert_eq(aml_eisaid("PNP0C0F"), 0x0F0CD041u);
    cr_assert_eq(aml_eisaid("PNP0303"), 0x0303D041u);
    cr_assert_eq(aml_eisaid("ABC1234"), 0x34124304u);
    cr_assert_eq(aml_eisaid("PNP0000"), 0x0000D041u);
    cr_assert_eq(aml_eisaid("pnp0a03"), 0);
    cr_assert_eq(aml_eisaid("PNP0A0"), 0);
    cr_assert_eq(aml_eisaid("PNP0A0G"), 0);
    /* Name (_HID, EisaId ("PNP0A03")) */
    aml_name_eisaid(&b, "_HID", "PNP0A03");
    EXPECT(0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x03);
    aml_free(&b);
    aml_name_eisaid(&b, "_HID", "PNPXXXX");
    cr_assert(b.error);
}

Test(aml, strings_packages_buffers)
{
    aml_string(&b, "PC");
    EXPECT(0x0D, 'P', 'C', 0x00);
    aml_free(&b);
    /* Name (_S5, Package (4) { 0, 0, 0, 0 }) */
    aml_name(&b, "_S5");
    aml_package(&b, 4);
    for (int i = 0; i < 4; i++)
        aml_integer(&b, 0);
    aml_end(&b);
    EXPECT(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0);
    aml_free(&b);
    /* Buffer () { 1, 2, 3 }: PkgLength covers BufferSize and the bytes. */
    aml_buffer(&b);
    aml_bytes(&b, "\x01\x02\x03", 3);
    aml_end(&b);
    EXPECT(0x11, 0x06, 0x0A, 0x03, 0x01, 0x02, 0x03);
    aml_free(&b);
    /* A 5000-byte buffer: WordConst size, 2-byte PkgLength (3 + 5000 + 2 = 5005). */
    aml_buffer(&b);
    for (int i = 0; i < 5000; i++)
        aml_byte(&b, (uint8_t)i);
    aml_end(&b);
    cr_assert_not(b.error);
    int n;
    cr_assert_eq(decode_pkglength(b.data + 1, &n), 5005 + (n - 2));
    cr_assert_eq(b.data[1 + n], 0x0B);
    cr_assert_eq(b.data[2 + n] | b.data[3 + n] << 8, 5000);
    cr_assert_eq(b.len, 1 + (size_t)n + 3 + 5000);
}

Test(aml, methods_fields_regions_operators)
{
    aml_method(&b, "IQSR", 1, true);
    aml_op(&b, AML_FIND_SET_RIGHT_BIT), aml_arg(&b, 0), aml_local(&b, 0);
    aml_op(&b, AML_RETURN), aml_local(&b, 0);
    aml_end(&b);
    EXPECT(0x14, 0x0B, 'I', 'Q', 'S', 'R', 0x09, 0x82, 0x68, 0x60, 0xA4, 0x60);
    aml_free(&b);
    /* OperationRegion (PIRQ, PCI_Config, 0x60, 4) and its Field */
    aml_op_region(&b, "PIRQ", AML_SPACE_PCI_CONFIG, 0x60, 4);
    aml_field(&b, "PIRQ", AML_FIELD_BYTE_ACC);
    aml_field_entry(&b, "PRQA", 8);
    aml_field_skip(&b, 8);
    aml_field_entry(&b, "WIDE", 100);
    aml_end(&b);
    EXPECT(0x5B, 0x80, 'P', 'I', 'R', 'Q', 0x02, 0x0A, 0x60, 0x0A, 0x04, /* region */
           0x5B, 0x81, 0x13, 'P', 'I', 'R', 'Q', 0x01, 'P', 'R', 'Q', 'A', 0x08, 0x00, 0x08,
           'W', 'I', 'D', 'E', 0x44, 0x06);
    aml_free(&b);
    /* If (LEqual (Arg0, 2)) { Return (One) } Else { Return (Zero) } */
    aml_if(&b);
    aml_op(&b, AML_LEQUAL), aml_arg(&b, 0), aml_integer(&b, 2);
    aml_op(&b, AML_RETURN), aml_integer(&b, 1);
    aml_end(&b);
    aml_else(&b);
    aml_op(&b, AML_RETURN), aml_integer(&b, 0);
    aml_end(&b);
    EXPECT(0xA0, 0x07, 0x93, 0x68, 0x0A, 0x02, 0xA4, 0x01, 0xA1, 0x03, 0xA4, 0x00);
    aml_free(&b);
    aml_local(&b, 8);
    cr_assert(b.error);
    aml_free(&b);
    aml_arg(&b, 7);
    cr_assert(b.error);
    aml_free(&b);
    aml_method(&b, "M", 8, false);
    cr_assert(b.error);
}

/* Walks a template's descriptors by their headers (small: bits 2:0 are the length; large:
 * a 16-bit length follows the tag) and returns the offset of the End Tag, or -1. */
static long find_end_tag(const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        uint8_t tag = p[off];
        if (tag == 0x79)
            return off + 2 == n ? (long)off : -1;
        off += (tag & 0x80) ? 3u + (p[off + 1] | p[off + 2] << 8) : 1u + (tag & 7);
    }
    return -1;
}

Test(aml, resource_templates_end_tag_and_checksum)
{
    aml_resource_template(&b, AML_RES_CHECKSUM);
    aml_res_io(&b, 0x3F8, 0x3F8, 1, 8);
    aml_res_irq_noflags(&b, 1u << 4);
    aml_res_irq(&b, 0x0E20, AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED);
    aml_res_mem32_fixed(&b, 0xFEC00000u, 0x1000, true);
    aml_res_word(&b, AML_RES_BUS, AML_ADDR_MIN_FIXED | AML_ADDR_MAX_FIXED, 0, 0, 0xFF);
    aml_res_dword(&b, AML_RES_MEMORY, AML_ADDR_MIN_FIXED | AML_ADDR_MAX_FIXED, AML_MEM_RW,
                  0x80000000u, 0xFEBFFFFFu);
    aml_end(&b);
    cr_assert_not(b.error);
    /* 11 PkgLength BufferSize descriptors */
    int n;
    uint32_t pkg = decode_pkglength(b.data + 1, &n);
    cr_assert_eq(pkg, b.len - 1);
    cr_assert_eq(b.data[1 + n], 0x0A);
    size_t size = b.data[2 + n], start = 3 + (size_t)n;
    cr_assert_eq(start + size, b.len);
    const uint8_t *t = b.data + start;
    static const uint8_t io[] = {0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08};
    cr_assert_eq(memcmp(t, io, sizeof io), 0);
    static const uint8_t irqs[] = {0x22, 0x10, 0x00, 0x23, 0x20, 0x0E, 0x18};
    cr_assert_eq(memcmp(t + 8, irqs, sizeof irqs), 0);
    static const uint8_t mem[] = {0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xC0, 0xFE, 0x00, 0x10,
                                  0x00, 0x00};
    cr_assert_eq(memcmp(t + 15, mem, sizeof mem), 0);
    static const uint8_t bus[] = {0x88, 0x0D, 0x00, 0x02, 0x0C, 0x00, 0, 0, 0x00, 0x00,
                                  0xFF, 0x00, 0, 0, 0x00, 0x01};
    cr_assert_eq(memcmp(t + 27, bus, sizeof bus), 0);
    static const uint8_t dw[] = {0x87, 0x17, 0x00, 0x00, 0x0C, 0x01, 0, 0, 0, 0,
                                 0x00, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0xBF, 0xFE,
                                 0, 0, 0, 0, 0x00, 0x00, 0xC0, 0x7E};
    cr_assert_eq(memcmp(t + 43, dw, sizeof dw), 0);
    long end = find_end_tag(t, size);
    cr_assert_eq(end, 69, "End Tag not last");
    uint8_t sum = 0;
    for (size_t i = 0; i < size; i++)
        sum = (uint8_t)(sum + t[i]);
    cr_assert_eq(sum, 0, "the checksum does not zero the template");
    cr_assert_neq(t[end + 1], 0);
    aml_free(&b);

    /* Without a checksum the End Tag's second byte is 0 ("treat as valid"). */
    aml_resource_template(&b, AML_RES_NO_CHECKSUM);
    aml_res_irq(&b, 0, AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED);
    aml_end(&b);
    EXPECT(0x11, 0x09, 0x0A, 0x06, 0x23, 0x00, 0x00, 0x18, 0x79, 0x00);
}

Test(aml, bad_ranges_and_nesting_set_the_error)
{
    aml_res_word(&b, AML_RES_IO, 0, 0, 0x10, 0x0F);
    cr_assert(b.error, "max below min");
    aml_free(&b);
    aml_res_word(&b, AML_RES_IO, 0, 0, 0, 0xFFFF);
    cr_assert(b.error, "a 0x10000 length does not fit a word");
    aml_free(&b);
    aml_end(&b);
    cr_assert(b.error, "aml_end with nothing open");
    aml_free(&b);
    for (int i = 0; i <= AML_MAX_DEPTH; i++)
        aml_scope(&b, "X");
    cr_assert(b.error, "nesting past AML_MAX_DEPTH");
    aml_free(&b);
    aml_package(&b, 256);
    cr_assert(b.error, "256 elements need a VarPackage");
}
