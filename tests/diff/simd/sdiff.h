/* sdiff.h — shared records of simd-diff, the instruction-level differential test of vmm86's
 * x87, MMX, SSE and SSE2 instructions against the host CPU.
 *
 * Contract: a case is one instruction (its bytes, valid in 32-bit code and with the same
 * meaning in 64-bit code: no REX, no RIP-relative or SIB addressing) and the state it
 * starts from (SdState). Both runners — host.c (natively, x86-64) and vm.c (vmm86's
 * interpreter in flat 32-bit protected mode at CPL 3) — take the state in guest terms and
 * return it in guest terms: EBX and EDI, which point into the data window, hold guest
 * addresses (SD_DATA_BASE + offset) on both sides, and an x87 instruction pointer at the
 * instruction is SD_CODE_BASE. The x87/SSE state travels as a 512-byte FXSAVE image in the
 * 32-bit layout (SDM Vol. 1 Table 10-2), so both sides load and report it the same way.
 */
#ifndef VMM86_TESTS_DIFF_SIMD_SDIFF_H
#define VMM86_TESTS_DIFF_SIMD_SDIFF_H

#include <stdbool.h>
#include <stdint.h>

#define SD_CODE_BASE 0x00200000u /* guest address of the instruction */
#define SD_DATA_BASE 0x00100000u /* guest address of the data window */
#define SD_WINDOW 1024u          /* bytes in the data window */
#define SD_EBX_OFF 0x100u        /* EBX: the memory operands' base, [EBX + disp8] */
#define SD_EDI_OFF 0x080u        /* EDI: MASKMOVQ/MASKMOVDQU destination */
#define SD_MAX_BYTES 15

/* FXSAVE image offsets (32-bit layout). */
enum {
    FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8, FX_FCS = 12, FX_FDP = 16,
    FX_FDS = 20, FX_MXCSR = 24, FX_MXCSR_MASK = 28, FX_ST = 32, FX_XMM = 160, FX_USED = 288
};

typedef struct SdState {
    _Alignas(16) uint8_t fx[512]; /* x87/MMX/SSE state as an FXSAVE image */
    uint32_t gpr[8];              /* EAX..EDI (ESP is each side's own and not compared) */
    uint32_t eflags;
    int vector;                   /* exception the instruction raised, or -1 */
    uint8_t mem[SD_WINDOW];       /* the data window */
} SdState;

typedef struct SdCase {
    uint8_t bytes[SD_MAX_BYTES + 1];
    unsigned len;
    SdState in;
} SdCase;

/* Host runner (host.c). host_init() maps the code page and installs the signal handlers. */
bool host_init(void);
void host_run(const SdCase *c, SdState *out);

/* vmm86 runner (vm.c). */
bool vm_init(void);
void vm_run(const SdCase *c, SdState *out);
/* The decoded row of the case's bytes in 32-bit code (NULL if vmm86 does not decode it). */
const struct OpcodeRow *vm_decode_row(const SdCase *c);

static inline uint16_t sd_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t sd_get32(const uint8_t *p) { return sd_get16(p) | (uint32_t)sd_get16(p + 2) << 16; }
static inline uint64_t sd_get64(const uint8_t *p) { return sd_get32(p) | (uint64_t)sd_get32(p + 4) << 32; }
static inline void sd_put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void sd_put32(uint8_t *p, uint32_t v) { sd_put16(p, v); sd_put16(p + 2, v >> 16); }
static inline void sd_put64(uint8_t *p, uint64_t v) { sd_put32(p, (uint32_t)v); sd_put32(p + 4, (uint32_t)(v >> 32)); }

#endif
