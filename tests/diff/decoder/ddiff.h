/* ddiff.h — shared pieces of decoder-diff, the differential test of cpu/decode against
 * Capstone 4.
 *
 * Contract: a Case is one byte string in one mode (16- or 32-bit code), decoded by our
 * decoder and by Capstone (detail mode). compare.c turns the pair into at most one Diff
 * (validity, length, mnemonic, operand count or one operand); known.c holds the explicit,
 * commented list of differences we accept (each checked against the Intel SDM) and says
 * which one, if any, explains a Diff. Anything unexplained fails the test.
 */
#ifndef VMM86_TESTS_DIFF_DECODER_DDIFF_H
#define VMM86_TESTS_DIFF_DECODER_DDIFF_H

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/decode.h"

/* The prefix/opcode skeleton of a byte string, parsed independently of cpu/decode.c. */
typedef struct Skeleton {
    unsigned npfx;    /* prefix bytes before the opcode */
    uint8_t seg;      /* last segment-override prefix byte, or 0 */
    uint8_t rep;      /* last of F2/F3, or 0 */
    bool opsize;      /* a 66 prefix is present */
    bool adsize;      /* a 67 prefix is present */
    bool lock;        /* an F0 prefix is present */
    unsigned map;     /* 0: one-byte, 1: 0F, 2: 0F 38, 3: 0F 3A */
    uint8_t opcode;   /* the opcode byte (after 0F / 0F 38 / 0F 3A) */
    bool has_modrm;   /* a byte follows the opcode (it is the ModRM where there is one) */
    uint8_t modrm;    /* that byte */
} Skeleton;

typedef struct Case {
    uint8_t bytes[16];
    unsigned n;          /* bytes given to both decoders */
    bool code32;
    Skeleton sk;
    DecodeStatus st;     /* ours */
    DecodedInsn ours;
    bool cs_ok;          /* Capstone accepted */
    const cs_insn *cs;   /* Capstone's result when cs_ok */
} Case;

typedef enum DiffKind {
    DK_NONE = 0,
    DK_OURS_ONLY,   /* we accept, Capstone rejects */
    DK_CS_ONLY,     /* Capstone accepts, we reject */
    DK_LENGTH,      /* both accept, lengths differ */
    DK_MNEMONIC,    /* both accept, the operation differs */
    DK_OPCOUNT,     /* both accept, different number of operands */
    DK_OPERAND,     /* both accept, one operand differs */
    DK_TRUNCATED,   /* a truncated buffer was not reported as DEC_NEED_MORE */
    DK_COUNT
} DiffKind;

typedef struct Diff {
    DiffKind kind;
    int opnd;           /* operand index for DK_OPERAND */
    char what[160];     /* human-readable detail */
} Diff;

extern const char *const diff_kind_names[DK_COUNT];

/* compare.c */
void skeleton_parse(const uint8_t *b, unsigned n, Skeleton *sk);
void compare_case(const Case *c, Diff *d);
/* Our decode as text (mnemonic and operands) for reports. */
void describe_ours(const Case *c, char *out, size_t outlen);
/* The canonical mnemonic of our decode (what Capstone would print, prefixes aside). */
const char *ours_mnemonic(const DecodedInsn *insn, char *buf, size_t buflen);

/* known.c: the accepted differences. */
typedef struct KnownDiff {
    const char *name;
    const char *reason;
    bool (*explains)(const Case *c, const Diff *d);
    unsigned long count;
} KnownDiff;

extern KnownDiff known_diffs[];
extern const unsigned known_ndiffs;
/* The first entry that explains d, or NULL. */
KnownDiff *known_explain(const Case *c, const Diff *d);

#endif
