/* aml.c — see aml.h. Encodings from the ACPI specification, section 20 (AML grammar) and
 * section 6.4 (resource data types). */
#include "machine/aml.h"

#include <stdlib.h>
#include <string.h>

enum { KIND_PKG, KIND_BUFFER, KIND_RES_SUM, KIND_RES_NOSUM };

#define ROOT_CHAR 0x5C
#define PARENT_PREFIX 0x5E
#define DUAL_NAME_PREFIX 0x2E
#define MULTI_NAME_PREFIX 0x2F
#define EXT_PREFIX 0x5B

/* ---- the buffer ----------------------------------------------------------------------------- */

void aml_init(AmlBuf *b) { memset(b, 0, sizeof *b); }

void aml_free(AmlBuf *b)
{
    free(b->data);
    aml_init(b);
}

static bool reserve(AmlBuf *b, size_t more)
{
    if (b->error)
        return false;
    if (more > SIZE_MAX / 2 - b->len) {
        b->error = true;
        return false;
    }
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->error = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void aml_bytes(AmlBuf *b, const void *p, size_t n)
{
    if (!n || !reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void aml_byte(AmlBuf *b, uint8_t v) { aml_bytes(b, &v, 1); }

static void insert_at(AmlBuf *b, size_t pos, const uint8_t *p, size_t n)
{
    if (!reserve(b, n))
        return;
    memmove(b->data + pos + n, b->data + pos, b->len - pos);
    memcpy(b->data + pos, p, n);
    b->len += n;
}

static void put_le(AmlBuf *b, uint64_t v, int n)
{
    uint8_t tmp[8];
    for (int i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * i));
    aml_bytes(b, tmp, (size_t)n);
}

/* ---- PkgLength ------------------------------------------------------------------------------ */

int aml_pkgvalue_encode(uint32_t value, uint8_t out[4])
{
    if (value < 0x40) {
        out[0] = (uint8_t)value;
        return 1;
    }
    int follow = value < (1u << 12) ? 1 : value < (1u << 20) ? 2 : value < (1u << 28) ? 3 : 0;
    if (!follow)
        return 0;
    /* Lead byte: bits 7:6 count the bytes that follow, bits 3:0 are the value's low nibble. */
    out[0] = (uint8_t)(follow << 6 | (value & 0x0F));
    for (int i = 1; i <= follow; i++)
        out[i] = (uint8_t)(value >> (4 + 8 * (i - 1)));
    return follow + 1;
}

int aml_pkglength_encode(uint32_t content, uint8_t out[4])
{
    /* The length counts its own bytes: take the smallest form that still fits. */
    for (uint32_t k = 1; k <= 4; k++) {
        if (content > AML_PKGLENGTH_MAX - k)
            return 0;
        uint8_t tmp[4];
        if (aml_pkgvalue_encode(content + k, tmp) == (int)k) {
            memcpy(out, tmp, k);
            return (int)k;
        }
    }
    return 0;
}

/* ---- names, integers, strings ---------------------------------------------------------------- */

static bool lead_char(char c) { return (c >= 'A' && c <= 'Z') || c == '_'; }
static bool name_char(char c) { return lead_char(c) || (c >= '0' && c <= '9'); }

/* One 1-4 character segment of `s` (up to '.' or the end), padded with '_'. */
static size_t name_seg(const char *s, uint8_t seg[4], bool *ok)
{
    size_t n = 0;
    while (s[n] && s[n] != '.')
        n++;
    *ok = n >= 1 && n <= 4 && lead_char(s[0]);
    for (size_t i = 0; *ok && i < n; i++)
        *ok = name_char(s[i]);
    for (size_t i = 0; i < 4; i++)
        seg[i] = (uint8_t)(i < n && *ok ? s[i] : '_');
    return n;
}

void aml_name_string(AmlBuf *b, const char *path)
{
    const char *p = path;
    if (*p == '\\')
        aml_byte(b, ROOT_CHAR), p++;
    else
        while (*p == '^')
            aml_byte(b, PARENT_PREFIX), p++;
    if (!*p) {
        aml_byte(b, 0x00); /* NullName */
        return;
    }
    uint8_t segs[255][4];
    unsigned count = 0;
    for (;;) {
        bool ok;
        if (count == 255) {
            b->error = true;
            return;
        }
        p += name_seg(p, segs[count++], &ok);
        if (!ok) {
            b->error = true;
            return;
        }
        if (!*p)
            break;
        p++; /* '.', and a segment must follow */
    }
    if (count == 2)
        aml_byte(b, DUAL_NAME_PREFIX);
    else if (count > 2)
        aml_byte(b, MULTI_NAME_PREFIX), aml_byte(b, (uint8_t)count);
    aml_bytes(b, segs, 4 * (size_t)count);
}

void aml_integer(AmlBuf *b, uint64_t v)
{
    if (v <= 1)
        aml_byte(b, (uint8_t)v); /* ZeroOp, OneOp */
    else if (v <= 0xFF)
        aml_byte(b, 0x0A), put_le(b, v, 1);
    else if (v <= 0xFFFF)
        aml_byte(b, 0x0B), put_le(b, v, 2);
    else if (v <= 0xFFFFFFFFu)
        aml_byte(b, 0x0C), put_le(b, v, 4);
    else
        aml_byte(b, 0x0E), put_le(b, v, 8);
}

void aml_string(AmlBuf *b, const char *s)
{
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c > 0x7F)
            b->error = true;
    aml_byte(b, 0x0D);
    aml_bytes(b, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint32_t aml_eisaid(const char *id)
{
    if (strlen(id) != 7)
        return 0;
    uint8_t b[4];
    for (int i = 0; i < 3; i++)
        if (id[i] < 'A' || id[i] > 'Z')
            return 0;
    for (int i = 3; i < 7; i++)
        if (hex_digit(id[i]) < 0)
            return 0;
    /* Three 5-bit letters (A = 1) packed big-endian into 15 bits, then the product number
     * as four nibbles; the bytes in this order read as a little-endian dword. */
    unsigned l0 = (unsigned)(id[0] - 0x40), l1 = (unsigned)(id[1] - 0x40),
             l2 = (unsigned)(id[2] - 0x40);
    b[0] = (uint8_t)(l0 << 2 | l1 >> 3);
    b[1] = (uint8_t)((l1 & 7) << 5 | l2);
    b[2] = (uint8_t)(hex_digit(id[3]) << 4 | hex_digit(id[4]));
    b[3] = (uint8_t)(hex_digit(id[5]) << 4 | hex_digit(id[6]));
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- operators and named objects ------------------------------------------------------------- */

void aml_op(AmlBuf *b, uint8_t op) { aml_byte(b, op); }

void aml_local(AmlBuf *b, unsigned n)
{
    if (n > 7)
        b->error = true;
    aml_byte(b, (uint8_t)(AML_LOCAL0 + (n & 7)));
}

void aml_arg(AmlBuf *b, unsigned n)
{
    if (n > 6)
        b->error = true;
    aml_byte(b, (uint8_t)(AML_ARG0 + (n > 6 ? 0 : n)));
}

void aml_null_target(AmlBuf *b) { aml_byte(b, 0x00); }

void aml_name(AmlBuf *b, const char *name)
{
    aml_byte(b, 0x08);
    aml_name_string(b, name);
}

void aml_name_integer(AmlBuf *b, const char *name, uint64_t v)
{
    aml_name(b, name);
    aml_integer(b, v);
}

void aml_name_eisaid(AmlBuf *b, const char *name, const char *id)
{
    uint32_t v = aml_eisaid(id);
    if (!v)
        b->error = true;
    aml_name(b, name);
    aml_integer(b, v); /* a DWordConst unless the ID ends in "0000" (as iasl encodes it) */
}

void aml_op_region(AmlBuf *b, const char *name, uint8_t space, uint64_t offset, uint64_t len)
{
    aml_byte(b, EXT_PREFIX);
    aml_byte(b, 0x80);
    aml_name_string(b, name);
    aml_byte(b, space);
    aml_integer(b, offset);
    aml_integer(b, len);
}

void aml_field_entry(AmlBuf *b, const char *seg, uint32_t bits)
{
    uint8_t s[4], len[4];
    bool ok;
    if (seg[name_seg(seg, s, &ok)] != '\0' || !ok)
        b->error = true;
    int n = aml_pkgvalue_encode(bits, len);
    if (!n)
        b->error = true;
    aml_bytes(b, s, 4);
    aml_bytes(b, len, (size_t)n);
}

void aml_field_skip(AmlBuf *b, uint32_t bits)
{
    uint8_t len[4];
    int n = aml_pkgvalue_encode(bits, len);
    if (!n)
        b->error = true;
    aml_byte(b, 0x00); /* ReservedField */
    aml_bytes(b, len, (size_t)n);
}

/* ---- constructs with a PkgLength ------------------------------------------------------------- */

static void open_construct(AmlBuf *b, uint8_t kind)
{
    if (b->depth == AML_MAX_DEPTH) {
        b->error = true;
        return;
    }
    b->open[b->depth++] = (AmlOpen){b->len, kind};
}

void aml_scope(AmlBuf *b, const char *name)
{
    aml_byte(b, 0x10);
    open_construct(b, KIND_PKG);
    aml_name_string(b, name);
}

void aml_device(AmlBuf *b, const char *name)
{
    aml_byte(b, EXT_PREFIX);
    aml_byte(b, 0x82);
    open_construct(b, KIND_PKG);
    aml_name_string(b, name);
}

void aml_method(AmlBuf *b, const char *name, unsigned nargs, bool serialized)
{
    if (nargs > 7)
        b->error = true;
    aml_byte(b, 0x14);
    open_construct(b, KIND_PKG);
    aml_name_string(b, name);
    aml_byte(b, (uint8_t)((nargs & 7) | (serialized ? 0x08 : 0)));
}

void aml_if(AmlBuf *b)
{
    aml_byte(b, 0xA0);
    open_construct(b, KIND_PKG);
}

void aml_else(AmlBuf *b)
{
    aml_byte(b, 0xA1);
    open_construct(b, KIND_PKG);
}

void aml_package(AmlBuf *b, unsigned nelements)
{
    if (nelements > 255)
        b->error = true;
    aml_byte(b, 0x12);
    open_construct(b, KIND_PKG);
    aml_byte(b, (uint8_t)nelements);
}

void aml_buffer(AmlBuf *b)
{
    aml_byte(b, 0x11);
    open_construct(b, KIND_BUFFER);
}

void aml_resource_template(AmlBuf *b, AmlChecksum sum)
{
    aml_byte(b, 0x11);
    open_construct(b, sum == AML_RES_CHECKSUM ? KIND_RES_SUM : KIND_RES_NOSUM);
}

void aml_field(AmlBuf *b, const char *region, uint8_t flags)
{
    aml_byte(b, EXT_PREFIX);
    aml_byte(b, 0x81);
    open_construct(b, KIND_PKG);
    aml_name_string(b, region);
    aml_byte(b, flags);
}

/* The End Tag: its checksum byte makes the descriptors and the tag sum to zero. */
static void end_tag(AmlBuf *b, size_t start, bool sum)
{
    aml_byte(b, 0x79);
    uint8_t s = 0;
    for (size_t i = start; sum && !b->error && i < b->len; i++)
        s = (uint8_t)(s + b->data[i]);
    aml_byte(b, (uint8_t)(sum ? -s : 0));
}

void aml_end(AmlBuf *b)
{
    if (b->depth == 0) {
        b->error = true;
        return;
    }
    AmlOpen o = b->open[--b->depth];
    if (b->error)
        return;
    uint8_t prefix[13];
    size_t np = 0;
    if (o.kind == KIND_RES_SUM || o.kind == KIND_RES_NOSUM)
        end_tag(b, o.start, o.kind == KIND_RES_SUM);
    if (o.kind != KIND_PKG) {
        /* BufferSize: the byte count, as the smallest integer. */
        AmlBuf size;
        aml_init(&size);
        aml_integer(&size, b->len - o.start);
        if (size.error || size.len > 9)
            b->error = true;
        else
            memcpy(prefix + 4, size.data, size.len), np = size.len;
        aml_free(&size);
    }
    uint64_t content = b->len - o.start + np;
    uint8_t pkg[4];
    int k = content <= AML_PKGLENGTH_MAX ? aml_pkglength_encode((uint32_t)content, pkg) : 0;
    if (!k || b->error) {
        b->error = true;
        return;
    }
    memcpy(prefix + 4 - k, pkg, (size_t)k);
    insert_at(b, o.start, prefix + 4 - k, (size_t)k + np);
}

/* ---- resource descriptors -------------------------------------------------------------------- */

void aml_res_irq_noflags(AmlBuf *b, uint16_t mask)
{
    aml_byte(b, 0x22);
    put_le(b, mask, 2);
}

void aml_res_irq(AmlBuf *b, uint16_t mask, uint8_t flags)
{
    aml_byte(b, 0x23);
    put_le(b, mask, 2);
    aml_byte(b, flags);
}

void aml_res_io(AmlBuf *b, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    aml_byte(b, 0x47);
    aml_byte(b, 0x01); /* 16-bit decode */
    put_le(b, min, 2);
    put_le(b, max, 2);
    aml_byte(b, align);
    aml_byte(b, len);
}

void aml_res_mem32_fixed(AmlBuf *b, uint32_t base, uint32_t len, bool writable)
{
    aml_byte(b, 0x86);
    put_le(b, 9, 2);
    aml_byte(b, writable ? 1 : 0);
    put_le(b, base, 4);
    put_le(b, len, 4);
}

/* Word and DWord address-space descriptors: granularity and translation 0, the length
 * max - min + 1 (both ends fixed). */
void aml_res_word(AmlBuf *b, uint8_t type, uint8_t gflags, uint8_t tflags, uint16_t min,
                  uint16_t max)
{
    uint32_t len = (uint32_t)max - min + 1;
    if (max < min || len > 0xFFFF)
        b->error = true;
    aml_byte(b, 0x88);
    put_le(b, 13, 2);
    aml_byte(b, type);
    aml_byte(b, gflags);
    aml_byte(b, tflags);
    put_le(b, 0, 2);
    put_le(b, min, 2);
    put_le(b, max, 2);
    put_le(b, 0, 2);
    put_le(b, len, 2);
}

void aml_res_dword(AmlBuf *b, uint8_t type, uint8_t gflags, uint8_t tflags, uint32_t min,
                   uint32_t max)
{
    uint64_t len = (uint64_t)max - min + 1;
    if (max < min || len > 0xFFFFFFFFu)
        b->error = true;
    aml_byte(b, 0x87);
    put_le(b, 23, 2);
    aml_byte(b, type);
    aml_byte(b, gflags);
    aml_byte(b, tflags);
    put_le(b, 0, 4);
    put_le(b, min, 4);
    put_le(b, max, 4);
    put_le(b, 0, 4);
    put_le(b, len, 4);
}
