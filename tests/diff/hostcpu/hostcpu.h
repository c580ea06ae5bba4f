/* hostcpu.h — the records the host-CPU oracle (a 32-bit program, oracle.c) and the test
 * driver (driver.c, linked with vmm86) exchange.
 *
 * Contract: the driver writes HcCase records to the oracle's standard input; the oracle
 * executes each one natively and writes one HcResult per case to its standard output, in
 * order. Both sides place the code (one instruction, or a sequence of several) at HC_INSN
 * and the data window at HC_DATA_BASE,
 * so register values that point into the window (ESP included: the instruction runs on a
 * stack inside the window) mean the same on both. After the code, execution must reach
 * either the byte after it or `target` (a branch target inside the code page); the result
 * says where it went. The records hold only fixed-width fields and have the
 * same layout in 32- and 64-bit builds.
 */
#ifndef VMM86_TESTS_DIFF_HOSTCPU_H
#define VMM86_TESTS_DIFF_HOSTCPU_H

#include <stdint.h>

/* The data window straddles a page boundary, so accesses in it may cross one. */
#define HC_DATA_PAGES 0x00100000u /* two pages (read/write) holding... */
#define HC_DATA_BASE 0x00100F80u  /* ...the data window */
#define HC_DATA_SIZE 256u
#define HC_CODE_BASE 0x00202000u /* the code page (not in the data pages' TLB slots) */
#define HC_INSN (HC_CODE_BASE + 0x800) /* the instruction; branch targets lie around it */
#define HC_MAX_BYTES 15 /* one instruction */
#define HC_MAX_CODE 64  /* a case's code: one instruction or a sequence */
#define HC_MAGIC_CASE 0x45534143u   /* "CASE" */
#define HC_MAGIC_RESULT 0x544C5352u /* "RSLT" */

/* Register slots, in encoding order. */
enum { HC_EAX, HC_ECX, HC_EDX, HC_EBX, HC_ESP, HC_EBP, HC_ESI, HC_EDI };

typedef struct HcCase {
    uint32_t magic;
    uint32_t regs[8];
    uint32_t eflags;           /* arithmetic flags, DF, and bits 1 and 9 */
    uint32_t len;              /* code bytes */
    uint32_t target;           /* a branch target (0: none) */
    uint8_t bytes[HC_MAX_CODE];
    uint8_t mem[HC_DATA_SIZE]; /* the data window before the instruction */
} HcCase;

typedef struct HcResult {
    uint32_t magic;
    int32_t signal; /* 0, or the signal the instruction raised on the host */
    uint32_t eip;   /* where execution went: HC_INSN + len, or the case's target */
    uint32_t regs[8];
    uint32_t eflags;
    uint8_t mem[HC_DATA_SIZE];
} HcResult;

#endif
