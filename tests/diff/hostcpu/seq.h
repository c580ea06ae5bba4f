/* seq.h — sequences of several random instructions, run as one translated block, and
 * which of their flags the host CPU can be held to.
 *
 * Contract: seq_make() draws 2 to max_len forms (forms.h: SEQ_BODY ones, then optionally
 * one SEQ_LAST branch) and builds one case from a deterministic random stream: the first
 * form's shaped inputs, with EBX, ESI, EDI and ESP aimed inside the window so that every
 * write stays there (the forms keep those registers: see SeqRole), the other forms' bytes
 * with their own random immediates, and a branch target when the sequence ends with a
 * branch. Sequences with a string form leave out the forms that compute ESI. Nothing
 * keeps a later instruction's inputs shaped (a DIV may raise #DE), so a sequence may
 * fault; the interpreter is then the reference. seq_flags() walks the flag columns of the
 * opcode table: a sequence is host-comparable when no instruction reads a flag that an
 * earlier one may have left undefined, and the flags compared at the end are the ones
 * no instruction left undefined. A quarter of the sequences are `segmented`: DS, ES, FS,
 * GS and SS get bases, tight limits (accesses past them fault), expand-down or read-only
 * descriptors, and memory forms segment-override prefixes, so translated code meets every
 * segment class; those run against the interpreter only. flags_defined() is the per-instruction rule both modes
 * share.
 */
#ifndef VMM86_TESTS_DIFF_HOSTCPU_SEQ_H
#define VMM86_TESTS_DIFF_HOSTCPU_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/decode.h"
#include "forms.h"
#include "vm.h"

#define SEQ_MAX 12
#define SEQ_SETTER 0xFFFF /* form[] entry: MOV ECX / PUSH imm32 with an indirect branch's target */

typedef struct SeqCase {
    HcCase c;
    unsigned ninsns;        /* in the code, whichever way the branches go */
    bool segmented;         /* runs with segs (the interpreter is the reference) */
    VmSegs segs;
    uint16_t form[SEQ_MAX + 1]; /* the forms, in order (for reports), or SEQ_SETTER */
} SeqCase;

/* The flags the SDM defines after `insn` (the written ones minus the undefined ones, with
 * the count rules of shifts and rotates; count < 0: not a shift). All other live bits are
 * unchanged, hence defined too. */
uint32_t flags_defined(const DecodedInsn *insn, int count);

void seq_make(const Form *forms, unsigned nforms, Rng *rng, unsigned max_len, SeqCase *out);

/* Walks the sequence's code: false when an instruction reads a flag that may be undefined
 * (or the code does not decode); *compare gets the flags defined at the end. */
bool seq_flags(const HcCase *c, uint32_t *compare);

#endif
