/* log.c — see log.h. */
#include "machine/log.h"

#include <stdarg.h>
#include <string.h>

unsigned log_mask;
FILE *log_file;

static const struct {
    const char *name;
    unsigned bit;
} categories[] = {
    {"int", LOG_INT},       {"in_asm", LOG_IN_ASM},
    {"cpu", LOG_CPU},       {"unimp", LOG_UNIMP},
    {"guest_errors", LOG_GUEST_ERRORS}, {"ioport", LOG_IOPORT},
    {"cpu_reset", LOG_CPU_RESET}, {"out_asm", LOG_OUT_ASM},
};

const char *log_category_names(void)
{
    return "int, in_asm, cpu, unimp, guest_errors, ioport, cpu_reset, out_asm";
}

bool log_parse_categories(const char *list, unsigned *mask)
{
    *mask = 0;
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        bool found = false;
        for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++) {
            if (strlen(categories[i].name) == len && !strncmp(categories[i].name, p, len)) {
                *mask |= categories[i].bit;
                found = true;
            }
        }
        if (!found)
            return false;
        p += len;
        if (*p == ',')
            p++;
    }
    return *mask != 0;
}

bool log_open(const char *path)
{
    if (!path) {
        log_file = stderr;
        return true;
    }
    log_file = fopen(path, "w");
    return log_file != NULL;
}

void log_printf(const char *fmt, ...)
{
    FILE *f = log_file ? log_file : stderr;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
}
