/* gen.h — simd-diff's instruction forms and random cases (gen.c).
 *
 * Contract: forms_build() lists one form per x87/MMX/SSE/SSE2 row of vmm86's opcode table
 * and operand shape (register form, memory form, and for the x87 environment instructions
 * also the 16-bit operand-size form). make_case() turns a form and a case number into a
 * concrete case, deterministic for the random stream: the case number walks through every
 * combination of rounding mode, x87 precision control and MXCSR DAZ/FTZ.
 */
#ifndef VMM86_TESTS_DIFF_SIMD_GEN_H
#define VMM86_TESTS_DIFF_SIMD_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/decode.h"
#include "sdiff.h"

#define FSW_SF_BIT 0x40u

typedef struct Rng {
    uint64_t s;
} Rng;
uint64_t rng_next(Rng *r);

typedef struct Form {
    const OpcodeRow *row;
    char name[48];
    bool mem;  /* memory form ([EBX + disp8]) */
    bool op16; /* with a 66 prefix (x87 environment layouts of 16-bit code) */
} Form;

unsigned forms_build(Form *forms, unsigned max);
void make_case(const Form *f, Rng *r, unsigned idx, SdCase *c);

#endif
