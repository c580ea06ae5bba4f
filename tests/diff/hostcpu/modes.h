/* modes.h — the driver's three ways to run cases, and what they share.
 *
 * Contract: every mode runs each case in the engine under test (Engines.test) and, when
 * that is not the interpreter, in the reference interpreter too (Engines.ref), and holds
 * the engine to the interpreter bit for bit (run_both). mode_forms (driver.c): every form
 * of forms.c, one instruction per case, against the host. mode_sequences (seqmode.c):
 * random sequences of several instructions that translate into one block, against the
 * interpreter always and against the host when the host can run them and their flags
 * are defined (seq.h). mode_replay (seqmode.c): the cases listed in a file (known JIT
 * failures, reduced by hand), against the interpreter. Each mode prints its failures and
 * a last line "N passed, M failed", and returns false when a case failed or the mode
 * could not run.
 */
#ifndef VMM86_TESTS_DIFF_HOSTCPU_MODES_H
#define VMM86_TESTS_DIFF_HOSTCPU_MODES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "forms.h"
#include "vm.h"

typedef struct Options {
    const char *oracle;
    CpuEngine engine;
    unsigned count;     /* cases per form */
    uint64_t seed;
    unsigned details;   /* failures described per form (per mode for sequences) */
    const char *only;   /* forms whose name contains this */
    unsigned sequences; /* > 0: sequence mode with this many sequences */
    unsigned seq_len;   /* longest sequence */
    const char *replay; /* replay mode: the case file */
    bool stats;         /* print the engine's counters at the end */
    unsigned show;      /* sequences: print the first N (code and result) */
} Options;

typedef struct Engines {
    Vm ref;   /* the interpreter */
    Vm test;  /* the engine under test (unused when it is the interpreter) */
    bool two;
    unsigned long long retired; /* instructions the engine under test retired */
} Engines;

/* Runs c (segs: NULL for flat segments) in the reference and (if different) the engine
 * under test, adds their differences to *bad and r, and returns the engine under test's
 * result. */
const VmResult *run_both(Engines *e, const HcCase *c, const VmSegs *segs, Report *r,
                         unsigned *bad);

/* Runs the oracle on a rewound file of n HcCase records; a rewound file of n HcResults, or
 * NULL with a message. */
FILE *run_oracle(const char *oracle, FILE *cases, size_t n);

bool mode_forms(const Options *o, Engines *e);
bool mode_sequences(const Options *o, Engines *e);
bool mode_replay(const Options *o, Engines *e);

#endif
