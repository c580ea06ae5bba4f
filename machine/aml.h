/* aml.h — a small encoder for ACPI Machine Language (the byte code of the DSDT), enough for
 * the PC board's namespace: names, integers, strings, packages, buffers and resource
 * templates, Scope/Device/Method/If/Else, operation regions and fields, and the few
 * operators the interrupt-link methods use.
 *
 * Contract: an AmlBuf is a growable byte buffer. Everything is emitted in AML's prefix
 * order, as the ACPI specification's grammar (section 20) writes it: an operator, then its
 * operands, then its target (aml_null_target() for "no target"). Constructs with a
 * PkgLength (Scope, Device, Method, If, Else, Package, Buffer, resource templates, Field)
 * are opened by their aml_* call and closed by aml_end(), which inserts the PkgLength in its
 * smallest form (1 to 4 bytes), and for buffers the BufferSize. Names are ASL-style paths:
 * an optional root prefix '\' or parent prefixes '^', then segments of 1-4 characters from
 * A-Z 0-9 '_' (not starting with a digit) separated by '.', each padded with '_' to four;
 * two segments use DualNamePrefix, more MultiNamePrefix. Integers take the smallest
 * encoding (Zero, One, Byte/Word/DWord/QWordConst). Errors (out of memory, a malformed
 * name, nesting deeper than AML_MAX_DEPTH, aml_end() with nothing open, a length past the
 * 28-bit PkgLength) are sticky: `error` stays set and the caller checks it once at the end.
 */
#ifndef VMM86_MACHINE_AML_H
#define VMM86_MACHINE_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 16
#define AML_PKGLENGTH_MAX ((1u << 28) - 1)

/* Opcodes the table builder emits directly (ACPI 6.x, section 20.3). */
enum {
    AML_ZERO = 0x00,
    AML_ONE = 0x01,
    AML_LOCAL0 = 0x60,
    AML_ARG0 = 0x68,
    AML_STORE = 0x70,
    AML_DECREMENT = 0x76,
    AML_SHIFT_LEFT = 0x79,
    AML_SHIFT_RIGHT = 0x7A,
    AML_AND = 0x7B,
    AML_OR = 0x7D,
    AML_FIND_SET_RIGHT_BIT = 0x82,
    AML_CREATE_WORD_FIELD = 0x8B,
    AML_LAND = 0x90,
    AML_LNOT = 0x92,
    AML_LEQUAL = 0x93,
    AML_RETURN = 0xA4,
};

/* OperationRegion spaces and Field flags. */
enum { AML_SPACE_MEMORY = 0, AML_SPACE_IO = 1, AML_SPACE_PCI_CONFIG = 2 };
enum { AML_FIELD_ANY_ACC = 0, AML_FIELD_BYTE_ACC = 1, AML_FIELD_WORD_ACC = 2,
       AML_FIELD_DWORD_ACC = 3 };
#define AML_FIELD_LOCK 0x10
#define AML_FIELD_PRESERVE 0x00
#define AML_FIELD_WRITE_AS_ZEROS 0x40

/* Resource templates: whether the End Tag carries a real checksum (the template's bytes
 * then sum to zero) or 0, which means "treat as valid" and suits a template that AML code
 * patches at run time. */
typedef enum { AML_RES_CHECKSUM, AML_RES_NO_CHECKSUM } AmlChecksum;

/* IRQ descriptor flags (the optional third byte of the small IRQ descriptor). */
#define AML_IRQ_EDGE 0x01
#define AML_IRQ_ACTIVE_LOW 0x08
#define AML_IRQ_SHARED 0x10

/* Address-space descriptor resource types and general flags. */
enum { AML_RES_MEMORY = 0, AML_RES_IO = 1, AML_RES_BUS = 2 };
#define AML_ADDR_CONSUMER 0x01
#define AML_ADDR_MIN_FIXED 0x04
#define AML_ADDR_MAX_FIXED 0x08
/* Type-specific flags: I/O ranges; memory read-write and cacheability. */
#define AML_IO_ENTIRE_RANGE 0x03
#define AML_MEM_RW 0x01
#define AML_MEM_CACHEABLE 0x02

typedef struct AmlOpen {
    size_t start;  /* where the PkgLength goes */
    uint8_t kind;
} AmlOpen;

typedef struct AmlBuf {
    uint8_t *data;
    size_t len, cap;
    bool error;
    int depth;
    AmlOpen open[AML_MAX_DEPTH];
} AmlBuf;

void aml_init(AmlBuf *b);
void aml_free(AmlBuf *b);

/* Raw bytes. */
void aml_byte(AmlBuf *b, uint8_t v);
void aml_bytes(AmlBuf *b, const void *p, size_t n);

/* The PkgLength that encodes a construct whose contents after the PkgLength are
 * `content` bytes: writes 1-4 bytes to out and returns how many (0: too long). */
int aml_pkglength_encode(uint32_t content, uint8_t out[4]);
/* A bare value in PkgLength form (a field's width in bits). 0: too large. */
int aml_pkgvalue_encode(uint32_t value, uint8_t out[4]);

void aml_name_string(AmlBuf *b, const char *path);
void aml_integer(AmlBuf *b, uint64_t v);
void aml_string(AmlBuf *b, const char *s);
/* A 7-character EISA ID ("PNP0A03") compressed to the 32-bit form _HID uses; 0 if it is
 * not three letters A-Z and four hex digits. */
uint32_t aml_eisaid(const char *id);

/* Operators and their operands. */
void aml_op(AmlBuf *b, uint8_t op);
void aml_local(AmlBuf *b, unsigned n); /* Local0-7 */
void aml_arg(AmlBuf *b, unsigned n);   /* Arg0-6 */
void aml_null_target(AmlBuf *b);

/* Named objects. aml_name() is followed by the object's value. */
void aml_name(AmlBuf *b, const char *name);
void aml_name_integer(AmlBuf *b, const char *name, uint64_t v);
void aml_name_eisaid(AmlBuf *b, const char *name, const char *id);
void aml_op_region(AmlBuf *b, const char *name, uint8_t space, uint64_t offset, uint64_t len);
/* Field list entries, between aml_field() and aml_end(). */
void aml_field_entry(AmlBuf *b, const char *seg, uint32_t bits);
void aml_field_skip(AmlBuf *b, uint32_t bits);

/* Constructs closed by aml_end(). */
void aml_scope(AmlBuf *b, const char *name);
void aml_device(AmlBuf *b, const char *name);
void aml_method(AmlBuf *b, const char *name, unsigned nargs, bool serialized);
void aml_if(AmlBuf *b);   /* the predicate follows, then the body */
void aml_else(AmlBuf *b); /* right after an If's aml_end() */
void aml_package(AmlBuf *b, unsigned nelements);
void aml_buffer(AmlBuf *b);
void aml_resource_template(AmlBuf *b, AmlChecksum sum);
void aml_field(AmlBuf *b, const char *region, uint8_t flags);
void aml_end(AmlBuf *b);

/* Resource descriptors, inside aml_resource_template(). */
void aml_res_irq_noflags(AmlBuf *b, uint16_t mask);
void aml_res_irq(AmlBuf *b, uint16_t mask, uint8_t flags);
void aml_res_io(AmlBuf *b, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
void aml_res_mem32_fixed(AmlBuf *b, uint32_t base, uint32_t len, bool writable);
void aml_res_word(AmlBuf *b, uint8_t type, uint8_t gflags, uint8_t tflags, uint16_t min,
                  uint16_t max);
void aml_res_dword(AmlBuf *b, uint8_t type, uint8_t gflags, uint8_t tflags, uint32_t min,
                   uint32_t max);

#endif
