/* log.h — the -d / -D debug log: categories of events written as text lines.
 *
 * Contract: logging observes the guest and never changes it (determinism). Each category is
 * a bit; log_enabled() is a cheap test so call sites cost nothing when a category is off.
 * Lines go to stderr or to the -D file.
 */
#ifndef VMM86_MACHINE_LOG_H
#define VMM86_MACHINE_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum {
    LOG_INT = 1u << 0,          /* interrupts and exceptions as they are delivered */
    LOG_IN_ASM = 1u << 1,       /* each executed instruction, disassembled */
    LOG_CPU = 1u << 2,          /* register state before each instruction */
    LOG_UNIMP = 1u << 3,        /* guest use of something vmm86 does not implement */
    LOG_GUEST_ERRORS = 1u << 4, /* guest mistakes: bad port accesses, bad device programming */
    LOG_IOPORT = 1u << 5,       /* every port access */
    LOG_CPU_RESET = 1u << 6,    /* resets and shutdowns */
    LOG_OUT_ASM = 1u << 7,      /* each block the JIT translates: its IR and host code */
};

extern unsigned log_mask;
extern FILE *log_file;

static inline bool log_enabled(unsigned category) { return log_mask & category; }
bool log_parse_categories(const char *list, unsigned *mask);
const char *log_category_names(void);
/* Opens the -D file (NULL: stderr). Returns false with errno set when it cannot. */
bool log_open(const char *path);
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
