/* forms.h — the instruction forms the host-CPU differential test exercises, and how their
 * random inputs are shaped.
 *
 * Contract: forms_build() fills a table of forms (instruction byte templates in 32-bit
 * code, with the offset of an immediate to randomise, and an input kind). form_make_case()
 * turns one form into one concrete case from a deterministic random stream: register and
 * flag values (a mix of random numbers and edge values), the immediate, and the data
 * window, with pointer registers aimed inside the window for memory forms. It also says
 * whether the case must raise #DE (decided here from the inputs, independently of vmm86),
 * in which case the host does not run it. Each form also says whether and where it may
 * stand in a sequence of several instructions (SeqRole, seq.h): the forms keep EBX, ESP
 * and EDI (and ESI, unless writes_esi) pointing where they were, or move them by a known
 * stack delta, so a sequence's writes stay inside the window.
 */
#ifndef VMM86_TESTS_DIFF_HOSTCPU_FORMS_H
#define VMM86_TESTS_DIFF_HOSTCPU_FORMS_H

#include <stdbool.h>
#include <stdint.h>

#include "hostcpu.h"

typedef enum FormKind {
    FK_REG,    /* register (and immediate) operands only */
    FK_MEM,    /* a memory operand at [EBX], EBX inside the window */
    FK_BTMEM,  /* BT* m, r: EBX mid-window, the bit offset register kept in range */
    FK_STRING, /* string instruction: ESI, EDI inside the window, small ECX, random DF */
    FK_XLAT,   /* XLAT: EBX at the window start */
    FK_CX8,    /* CMPXCHG8B [EBX] */
    FK_STACK,  /* stack and control-transfer forms: ESP (and EBP) inside the window */
} FormKind;

typedef enum FormSpecial {
    SP_NONE,
    SP_COUNT_IMM, /* shift/rotate count in the immediate */
    SP_COUNT_CL,  /* shift/rotate count in CL */
    SP_DIV,       /* DIV: divisor in ECX (or memory) */
    SP_IDIV,      /* IDIV */
    SP_AAM,       /* AAM imm8 (0 raises #DE) */
    SP_CMPXCHG,   /* accumulator often equal to the destination */
    SP_BSCAN,     /* BSF/BSR: source often 0 */
    SP_CMPS,      /* CMPS/SCAS: operands often equal */
    SP_BRANCH_REL, /* the immediate is a displacement to a target near the instruction */
    SP_BRANCH_REG, /* ECX holds the target (CALL/JMP r/m) */
    SP_RET,       /* the stack top holds the target */
    SP_COUNTDOWN, /* LOOP/JECXZ: the count register is often 0 or 1 */
    SP_POPF,      /* the stack top holds flags to pop (TF clear: no trap on the host) */
    SP_ENTER,     /* ENTER: EBP points at a frame in the window */
    SP_LEAVE,     /* LEAVE: EBP points into the window */
} FormSpecial;

/* Where a form may stand in a sequence of several instructions (one translated block). */
typedef enum SeqRole {
    SEQ_NONE, /* not in sequences (its inputs cannot be kept safe after other forms) */
    SEQ_BODY, /* anywhere */
    SEQ_LAST, /* only last: a branch (ends the block) */
} SeqRole;

typedef struct Form {
    char name[48];
    uint8_t bytes[HC_MAX_BYTES];
    uint8_t len;
    uint8_t kind;    /* FormKind */
    uint8_t special; /* FormSpecial */
    uint8_t size;    /* operand size: 1, 2 or 4 */
    int8_t imm_at;   /* offset of the immediate to randomise, or -1 */
    uint8_t imm_len;
    int8_t mem_reg;  /* register whose value the memory operand mirrors (divisor, source) */
    uint8_t seq;     /* SeqRole */
    int8_t stack_delta; /* its change to ESP (stack forms in sequences) */
    bool writes_esi; /* writes ESI with a computed value (the string forms' source) */
} Form;

#define MAX_FORMS 1024

typedef struct Rng {
    uint64_t s;
} Rng;

uint32_t rng_next(Rng *r);

/* Builds the table; returns the number of forms. */
unsigned forms_build(Form *forms, unsigned max);

/* Fills *c from form f. Returns true when the case must raise #DE. */
bool form_make_case(const Form *f, Rng *rng, HcCase *c);

/* The shift/rotate count of a case (masking left to the caller), or -1 for other forms. */
int form_count(const Form *f, const HcCase *c);

#endif
