/* options.h — the command line: QEMU's spellings for what QEMU users already type, our own
 * long options beside them.
 *
 * Contract: options_parse() fills a VmOptions from argv or explains in one line why it
 * cannot (unknown option, missing or bad value, an option that is not implemented yet,
 * a file that does not exist). It never exits; main() prints the message and exits 2.
 * QEMU options are accepted with one or two leading dashes, as QEMU does.
 */
#ifndef VMM86_FRONTENDS_OPTIONS_H
#define VMM86_FRONTENDS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_DRIVES 4
#define MAX_SERIAL 2
#define MAX_CHARDEVS 8

typedef enum CharKind { CHAR_NONE = 0, CHAR_STDIO, CHAR_FILE } CharKind;

typedef struct CharSpec {
    CharKind kind;
    const char *path; /* CHAR_FILE */
} CharSpec;

typedef struct ChardevOption {
    const char *id;
    CharSpec spec;
} ChardevOption;

typedef struct DriveOption {
    const char *file;
    int index;   /* IDE position 0-3 (primary master, primary slave, ...) */
    bool cdrom;
} DriveOption;

typedef enum Engine { ENGINE_INTERP = 0, ENGINE_JIT, ENGINE_LOCKSTEP } Engine;

typedef enum ParseResult { PARSE_OK = 0, PARSE_EXIT_OK, PARSE_ERROR } ParseResult;

typedef struct VmOptions {
    const char *machine;     /* "pc" or "isapc" */
    uint64_t ram_bytes;
    const char *bios;        /* NULL: the default firmware */
    const char *kernel, *initrd, *append;
    DriveOption drives[MAX_DRIVES];
    int ndrives;
    const char *boot_order;  /* device letters: a floppy, c disk, d CD-ROM, n network */
    int boot_menu;           /* -boot menu=on|off: 1/0; -1 not given */
    bool snapshot;           /* -snapshot: disk writes go to a temporary overlay */
    const char *cpu_model;
    bool nographic;
    bool display_sdl;
    bool display_given;      /* -display was on the command line */
    bool no_vga;             /* -vga none */
    const char *vgabios;     /* --vgabios FILE; NULL: the default */
    const char *screenshot;  /* --screenshot FILE (PNG of the VGA frame at exit) */
    const char *screenshot_window; /* --screenshot-window FILE (the SDL window at exit) */
    const char *screendump_text;   /* --screendump-text FILE (the text screen at exit) */
    const char *screendump_vga;    /* --screendump-vga FILE (VGA registers and planes) */
    CharSpec serial[MAX_SERIAL];
    int nserial;             /* how many -serial options were given */
    bool debugcon;           /* an isa-debugcon device exists */
    uint16_t debugcon_port;
    CharSpec debugcon_spec;
    ChardevOption chardevs[MAX_CHARDEVS];
    int nchardevs;
    bool debug_exit;         /* an isa-debug-exit device exists */
    uint16_t debug_exit_port;
    uint16_t debug_exit_size;
    bool no_reboot;
    unsigned log_mask;       /* -d categories (machine/log.h) */
    const char *log_file;    /* -D */
    Engine engine;
    unsigned jit_cache_mb;   /* --jit-cache: JIT code cache in MiB (0: default) */
    bool stats;
    bool exit_on_halt;
    uint64_t max_insns;      /* 0: no limit */
    bool no_sleep;           /* -icount ...,sleep=off: idle time is not paced to host time */
    unsigned icount_shift;   /* virtual ns per instruction = 1 << shift */
    bool rtc_fixed;          /* -rtc base=DATE given */
    int64_t rtc_base;        /* that date, Unix seconds (UTC) */
    bool rtc_localtime;      /* -rtc base=localtime */
} VmOptions;

void options_defaults(VmOptions *o);
ParseResult options_parse(int argc, char **argv, VmOptions *o, char *err, size_t errlen);
void options_print_help(void);

#endif
