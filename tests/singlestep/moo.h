/* moo.h — reader for SingleStepTests' MOO files (gzip-compressed, chunked, little-endian).
 *
 * Contract: moo_load() gunzips one file with zlib and parses it into MooTest records,
 * checking every length against the bytes present; a malformed file gives an error message
 * and false, never a crash. Unknown chunk ids are skipped by their length. Only what the
 * harness needs is kept: name, instruction bytes, initial and final registers and RAM, the
 * exception record and the test's SHA-1 hash (as hex, for the revocation list).
 */
#ifndef VMM86_TESTS_SINGLESTEP_MOO_H
#define VMM86_TESTS_SINGLESTEP_MOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register order of the REGS bit mask. */
enum {
    MOO_AX, MOO_BX, MOO_CX, MOO_DX, MOO_CS, MOO_SS, MOO_DS, MOO_ES,
    MOO_SP, MOO_BP, MOO_SI, MOO_DI, MOO_IP, MOO_FLAGS, MOO_NREGS
};

typedef struct MooRam {
    uint32_t addr;
    uint8_t value;
} MooRam;

typedef struct MooState {
    uint16_t mask;             /* which registers are listed */
    uint16_t regs[MOO_NREGS];
    MooRam *ram;
    size_t nram;
} MooState;

typedef struct MooTest {
    uint32_t index;
    char name[96];
    uint8_t bytes[16];
    size_t nbytes;
    MooState init, final;
    bool has_exception;
    uint8_t exc_vector;
    uint32_t exc_flags_addr; /* where the exception pushed FLAGS */
    char hash[41];           /* SHA-1 in hex, "" when absent */
} MooTest;

typedef struct MooFile {
    MooTest *tests;
    size_t ntests;
} MooFile;

extern const char *const moo_reg_names[MOO_NREGS];

/* Loads `path`. On failure writes a message into err and returns false. */
bool moo_load(const char *path, MooFile *out, char *err, size_t errlen);
void moo_free(MooFile *f);

#endif
