/* options.c — command-line parsing (see options.h). */
#include "frontends/options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/log.h"

void options_defaults(VmOptions *o)
{
    memset(o, 0, sizeof *o);
    o->machine = "pc";
    o->ram_bytes = 128ull << 20;
    o->cpu_model = "pentium3";
    o->engine = ENGINE_JIT;
    o->debug_exit_port = 0xF4;
    o->debug_exit_size = 1;
    o->debugcon_port = 0xE9;
    o->boot_menu = -1;
}

typedef struct Parser {
    VmOptions *o;
    char *err;
    size_t errlen;
} Parser;

static ParseResult fail(Parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return PARSE_ERROR;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || s[0] == '-')
        return false;
    *out = v;
    return true;
}

/* -m SIZE: megabytes by default, or a number with a K/M/G suffix; also size=SIZE. */
static ParseResult parse_memory(Parser *p, const char *arg)
{
    if (!strncmp(arg, "size=", 5))
        arg += 5;
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || v <= 0)
        return fail(p, "invalid memory size '%s'", arg);
    double mult = 1024.0 * 1024.0;
    if (*end == 'K' || *end == 'k')
        mult = 1024.0, end++;
    else if (*end == 'M' || *end == 'm')
        end++;
    else if (*end == 'G' || *end == 'g')
        mult = 1024.0 * 1024.0 * 1024.0, end++;
    if (*end)
        return fail(p, "invalid memory size '%s'", arg);
    double bytes = v * mult;
    if (bytes < 1024.0 * 1024.0 || bytes > 3584.0 * 1024.0 * 1024.0)
        return fail(p, "memory size '%s' out of range (1M to 3584M)", arg);
    p->o->ram_bytes = ((uint64_t)bytes) & ~0xFFFull;
    return PARSE_OK;
}

static bool file_readable(const char *path) { return access(path, R_OK) == 0; }

static ParseResult need_file(Parser *p, const char *what, const char *path)
{
    if (!file_readable(path))
        return fail(p, "cannot open %s '%s': %s", what, path, strerror(errno));
    return PARSE_OK;
}

/* stdio | file:PATH | none */
static ParseResult parse_char_spec(Parser *p, const char *opt, const char *arg, CharSpec *spec)
{
    if (!strcmp(arg, "stdio"))
        spec->kind = CHAR_STDIO;
    else if (!strcmp(arg, "none") || !strcmp(arg, "null"))
        spec->kind = CHAR_NONE;
    else if (!strncmp(arg, "file:", 5) && arg[5])
        spec->kind = CHAR_FILE, spec->path = arg + 5;
    else
        return fail(p, "%s: unsupported backend '%s' (stdio, file:PATH or none)", opt, arg);
    return PARSE_OK;
}

/* Splits "a,b=c,d=e" in place: the first item, then key=value pairs via next_kv(). */
static char *next_kv(char **cursor, char **value)
{
    char *s = *cursor;
    if (!s || !*s)
        return NULL;
    char *comma = strchr(s, ',');
    if (comma) {
        *comma = 0;
        *cursor = comma + 1;
    } else {
        *cursor = NULL;
    }
    char *eq = strchr(s, '=');
    if (eq) {
        *eq = 0;
        *value = eq + 1;
    } else {
        *value = NULL;
    }
    return s;
}

static ParseResult parse_port(Parser *p, const char *opt, const char *v, uint16_t *port)
{
    uint64_t n;
    if (!v || !parse_u64(v, &n) || n > 0xFFFF)
        return fail(p, "%s: invalid port '%s'", opt, v ? v : "");
    *port = (uint16_t)n;
    return PARSE_OK;
}

static const ChardevOption *find_chardev(const VmOptions *o, const char *id)
{
    for (int i = 0; i < o->nchardevs; i++)
        if (!strcmp(o->chardevs[i].id, id))
            return &o->chardevs[i];
    return NULL;
}

/* -chardev file,id=ID,path=PATH | stdio,id=ID | null,id=ID */
static ParseResult parse_chardev(Parser *p, char *arg)
{
    char *cur = arg, *v;
    char *backend = next_kv(&cur, &v);
    ChardevOption c = {0};
    if (!backend || v)
        return fail(p, "-chardev: expected a backend first (file, stdio or null)");
    if (!strcmp(backend, "file"))
        c.spec.kind = CHAR_FILE;
    else if (!strcmp(backend, "stdio"))
        c.spec.kind = CHAR_STDIO;
    else if (!strcmp(backend, "null"))
        c.spec.kind = CHAR_NONE;
    else
        return fail(p, "-chardev: unsupported backend '%s' (file, stdio or null)", backend);
    char *k;
    while ((k = next_kv(&cur, &v))) {
        if (!strcmp(k, "id") && v)
            c.id = v;
        else if (!strcmp(k, "path") && v)
            c.spec.path = v;
        else
            return fail(p, "-chardev: unknown or incomplete property '%s'", k);
    }
    if (!c.id)
        return fail(p, "-chardev: id= is required");
    if (c.spec.kind == CHAR_FILE && !c.spec.path)
        return fail(p, "-chardev file: path= is required");
    if (find_chardev(p->o, c.id))
        return fail(p, "-chardev: duplicate id '%s'", c.id);
    if (p->o->nchardevs == MAX_CHARDEVS)
        return fail(p, "-chardev: too many character devices");
    p->o->chardevs[p->o->nchardevs++] = c;
    return PARSE_OK;
}

static ParseResult parse_device(Parser *p, char *arg)
{
    char *cur = arg, *v, *k;
    char *model = next_kv(&cur, &v);
    if (!model)
        return fail(p, "-device: missing device name");
    if (!strcmp(model, "isa-debug-exit")) {
        p->o->debug_exit = true;
        while ((k = next_kv(&cur, &v))) {
            uint64_t n;
            if (!strcmp(k, "iobase")) {
                if (parse_port(p, "-device isa-debug-exit", v, &p->o->debug_exit_port))
                    return PARSE_ERROR;
            } else if (!strcmp(k, "iosize") && v && parse_u64(v, &n) &&
                       (n == 1 || n == 2 || n == 4)) {
                p->o->debug_exit_size = (uint16_t)n;
            } else {
                return fail(p, "-device isa-debug-exit: bad property '%s'", k);
            }
        }
        return PARSE_OK;
    }
    if (!strcmp(model, "isa-debugcon")) {
        if (p->o->debugcon) /* one debug console (-debugcon or -device isa-debugcon) */
            return fail(p, "-device isa-debugcon: only one debug console is supported");
        p->o->debugcon = true;
        const char *chardev = NULL;
        while ((k = next_kv(&cur, &v))) {
            if (!strcmp(k, "iobase")) {
                if (parse_port(p, "-device isa-debugcon", v, &p->o->debugcon_port))
                    return PARSE_ERROR;
            } else if (!strcmp(k, "chardev") && v) {
                chardev = v;
            } else {
                return fail(p, "-device isa-debugcon: bad property '%s'", k);
            }
        }
        if (!chardev)
            return fail(p, "-device isa-debugcon: chardev= is required");
        const ChardevOption *c = find_chardev(p->o, chardev);
        if (!c)
            return fail(p, "-device isa-debugcon: no -chardev with id '%s'", chardev);
        p->o->debugcon_spec = c->spec;
        return PARSE_OK;
    }
    if (!strcmp(model, "help"))
        return fail(p, "-device: supported devices: isa-debug-exit, isa-debugcon");
    return fail(p, "-device: unsupported device '%s' (isa-debug-exit, isa-debugcon)", model);
}

/* Places a drive at its IDE position (0-3: primary master, primary slave, secondary
 * master, secondary slave); index -1 takes the first free one. */
static ParseResult add_drive(Parser *p, const char *opt, DriveOption d)
{
    VmOptions *o = p->o;
    bool used[MAX_DRIVES] = {false};
    for (int i = 0; i < o->ndrives; i++)
        used[o->drives[i].index] = true;
    if (d.index < 0) {
        for (int i = 0; i < MAX_DRIVES && d.index < 0; i++)
            if (!used[i])
                d.index = i;
        if (d.index < 0)
            return fail(p, "%s: all %d IDE positions are taken", opt, MAX_DRIVES);
    } else if (used[d.index]) {
        return fail(p, "%s: IDE position %d is already in use", opt, d.index);
    }
    o->drives[o->ndrives++] = d;
    return PARSE_OK;
}

/* -boot [order=]LETTERS[,once=LETTERS][,menu=on|off][,strict=on|off][,splash-time=N] */
static ParseResult parse_boot(Parser *p, char *arg)
{
    char *cur = arg, *v, *k;
    while ((k = next_kv(&cur, &v))) {
        const char *letters = NULL;
        if (!v)
            letters = k;
        else if (!strcmp(k, "order") || !strcmp(k, "once"))
            letters = v;
        else if (!strcmp(k, "menu") && (!strcmp(v, "on") || !strcmp(v, "off")))
            p->o->boot_menu = !strcmp(v, "on");
        else if (!strcmp(k, "strict") || !strcmp(k, "splash-time") || !strcmp(k, "reboot-timeout"))
            continue;
        else
            return fail(p, "-boot: bad property '%s'", k);
        if (!letters)
            continue;
        if (!*letters || strlen(letters) > 3 || strspn(letters, "acdn") != strlen(letters))
            return fail(p, "-boot: invalid boot order '%s' (up to 3 of a, c, d, n)", letters);
        p->o->boot_order = letters;
    }
    return PARSE_OK;
}

static ParseResult parse_drive(Parser *p, char *arg)
{
    char *cur = arg, *v, *k;
    DriveOption d = {NULL, -1, false};
    while ((k = next_kv(&cur, &v))) {
        uint64_t n;
        if (!strcmp(k, "file") && v)
            d.file = v;
        else if (!strcmp(k, "format") && v) {
            if (strcmp(v, "raw"))
                return fail(p, "-drive: unsupported format '%s' (only raw)", v);
        } else if (!strcmp(k, "if") && v) {
            if (strcmp(v, "ide"))
                return fail(p, "-drive: unsupported interface '%s' (only ide)", v);
        } else if (!strcmp(k, "index") && v && parse_u64(v, &n) && n < MAX_DRIVES)
            d.index = (int)n;
        else if (!strcmp(k, "media") && v && (!strcmp(v, "cdrom") || !strcmp(v, "disk")))
            d.cdrom = !strcmp(v, "cdrom");
        else
            return fail(p, "-drive: bad property '%s'", k);
    }
    if (!d.file)
        return fail(p, "-drive: file= is required");
    if (need_file(p, "disk image", d.file))
        return PARSE_ERROR;
    return add_drive(p, "-drive", d);
}

static ParseResult parse_log(Parser *p, const char *arg)
{
    unsigned mask;
    if (!log_parse_categories(arg, &mask)) {
        return fail(p, "-d: unknown log category in '%s' (known: %s)", arg,
                    log_category_names());
    }
    p->o->log_mask |= mask;
    return PARSE_OK;
}

static ParseResult parse_engine(Parser *p, const char *arg)
{
    static const struct { const char *name; Engine e; } engines[] = {
        {"interp", ENGINE_INTERP}, {"jit", ENGINE_JIT}, {"lockstep", ENGINE_LOCKSTEP}};
    for (unsigned i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (!strcmp(arg, engines[i].name)) {
            p->o->engine = engines[i].e;
            return PARSE_OK;
        }
    return fail(p, "--engine: unknown engine '%s' (interp, jit, lockstep)", arg);
}

static ParseResult parse_icount(Parser *p, char *arg)
{
    char *cur = arg, *v, *k;
    while ((k = next_kv(&cur, &v))) {
        uint64_t n;
        if (!v && parse_u64(k, &n) && n <= 10)
            p->o->icount_shift = (unsigned)n;
        else if (!strcmp(k, "shift") && v && parse_u64(v, &n) && n <= 10)
            p->o->icount_shift = (unsigned)n;
        else if (!strcmp(k, "sleep") && v && (!strcmp(v, "on") || !strcmp(v, "off")))
            p->o->no_sleep = !strcmp(v, "off");
        else
            return fail(p, "-icount: bad value '%s' (shift=0..10, sleep=on|off)", k);
    }
    return PARSE_OK;
}

/* -rtc base=utc|localtime|YYYY-MM-DD[THH:MM:SS] */
static ParseResult parse_rtc(Parser *p, char *arg)
{
    char *cur = arg, *v, *k;
    while ((k = next_kv(&cur, &v))) {
        if (strcmp(k, "base") || !v)
            return fail(p, "-rtc: unsupported property '%s' (base=utc|localtime|DATE)", k);
        if (!strcmp(v, "utc")) {
            p->o->rtc_fixed = p->o->rtc_localtime = false;
            continue;
        }
        if (!strcmp(v, "localtime")) {
            p->o->rtc_localtime = true;
            continue;
        }
        int y, mo, d, h = 0, mi = 0, sec = 0;
        int n = sscanf(v, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec);
        if ((n != 3 && n != 6) || y < 1970 || y > 2099 || mo < 1 || mo > 12 || d < 1 ||
            d > 31 || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
            return fail(p, "-rtc: invalid date '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)", v);
        /* Days since 1970-01-01 by the civil-calendar formula (no host time zone). */
        int yy = mo <= 2 ? y - 1 : y;
        int era = yy / 400, yoe = yy - era * 400;
        int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        int64_t days = (int64_t)era * 146097 + doe - 719468;
        p->o->rtc_fixed = true;
        p->o->rtc_base = days * 86400 + h * 3600 + mi * 60 + sec;
    }
    return PARSE_OK;
}

void options_print_help(void)
{
    printf("usage: vmm86 [options]\n"
           "\n"
           "Machine:\n"
           "  -M pc|isapc            board (pc: the default; isapc: no PCI)\n"
           "  -m SIZE                guest RAM in MiB, or with a K/M/G suffix (default 128M)\n"
           "  -cpu MODEL             pentium3 (default) or pentium2\n"
           "  -bios FILE             firmware image, mapped below 1 MiB and 4 GiB\n"
           "  -no-reboot             exit instead of resetting on a triple fault or reset\n"
           "  -rtc base=utc|localtime|YYYY-MM-DD[THH:MM:SS]\n"
           "                         the real-time clock's time at power-on\n"
           "  -icount [shift=N][,sleep=on|off]\n"
           "                         N: 2^N virtual ns per instruction; sleep=off: idle\n"
           "                         time is not paced to the host clock\n"
           "\n"
           "Disks (raw images on the PIIX3 IDE channels):\n"
           "  -hda/-hdb/-hdc/-hdd FILE   hard disk at primary master ... secondary slave\n"
           "  -cdrom FILE            CD-ROM image (ISO) at secondary master\n"
           "  -drive file=FILE[,format=raw][,if=ide][,index=0-3][,media=disk|cdrom]\n"
           "  -boot [order=]LETTERS[,menu=on|off]  c: hard disk, d: CD-ROM, a: floppy\n"
           "  -snapshot              disk writes go to a temporary file, not the images\n"
           "\n"
           "Direct kernel boot (no firmware runs; -bios, if given, is only mapped):\n"
           "  -kernel FILE           a Linux bzImage or a multiboot (ELF or a.out-kludge)\n"
           "                         kernel, started in 32-bit protected mode\n"
           "  -initrd FILE[,FILE...] Linux: the initrd (several are concatenated);\n"
           "                         multiboot: the modules, each \"FILE [ARGS]\"\n"
           "  -append CMDLINE        the kernel command line\n"
           "\n"
           "Consoles:\n"
           "  -nographic             no display; COM1 on the terminal (C-a h: its escape\n"
           "                         keys; C-a x quits)\n"
           "  -display sdl|none      a window showing the VGA (default when built with SDL2\n"
           "                         and $DISPLAY is set), or none\n"
           "  -vga std|none          the VGA card (std: VGA + Bochs VBE, the default)\n"
           "  --vgabios FILE         the VGA BIOS (default: seabios's vgabios-stdvga.bin\n"
           "                         with -M pc, vgabios-isavga.bin with -M isapc)\n"
           "  --screenshot FILE      at exit, write the VGA screen as PNG\n"
           "  --screenshot-window FILE  at exit, write the SDL window's pixels as PNG\n"
           "  --screendump-text FILE at exit, write a text-mode screen as text\n"
           "  --screendump-vga FILE  at exit, write the VGA registers and planes (tests)\n"
           "  -serial stdio|file:PATH|none   COM1, then COM2 (repeat the option)\n"
           "  -debugcon stdio|file:PATH      port 0xE9 debug console\n"
           "  -chardev file,id=ID,path=PATH  a named output for -device\n"
           "  -device isa-debugcon,iobase=PORT,chardev=ID\n"
           "  -device isa-debug-exit,iobase=0xf4,iosize=4\n"
           "                         writing v to the port exits with status (v << 1) | 1\n"
           "\n"
           "Debugging:\n"
           "  -d LIST                log categories, comma-separated (%s)\n"
           "  -D FILE                write the log to FILE instead of stderr\n"
           "  --engine interp|jit|lockstep\n"
           "                         execution engine: the JIT (default), the interpreter,\n"
           "                         or both compared block by block (stops at a difference)\n"
           "  --jit-cache MB         JIT code cache size (default 64; flushed when full)\n"
           "  --stats                print counters at exit\n"
           "  --exit-on-halt         end the run when the CPU halts with interrupts off\n"
           "  --max-insns N          end the run after N instructions (exit status 4)\n"
           "  --help, --version\n"
           "\n"
           "Not implemented yet (refused with a message): -s -S -gdb\n",
           log_category_names());
}

typedef enum ArgKind { NO_ARG, HAS_ARG } ArgKind;

static bool match(const char *a, const char *name)
{
    if (a[0] != '-')
        return false;
    a += (a[1] == '-') ? 2 : 1; /* QEMU accepts -opt and --opt alike */
    return !strcmp(a, name);
}

ParseResult options_parse(int argc, char **argv, VmOptions *o, char *err, size_t errlen)
{
    Parser p = {o, err, errlen};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE_ARG()                                                                         \
    do {                                                                                   \
        if (!arg)                                                                          \
            return fail(&p, "option '%s' needs a value", a);                               \
        i++;                                                                               \
    } while (0)
        ParseResult r = PARSE_OK;
        if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "-help")) {
            options_print_help();
            return PARSE_EXIT_OK;
        } else if (!strcmp(a, "--version") || !strcmp(a, "-version")) {
            printf("vmm86 %s\n", VMM86_VERSION);
            return PARSE_EXIT_OK;
        } else if (match(a, "m")) {
            TAKE_ARG();
            r = parse_memory(&p, arg);
        } else if (match(a, "M") || match(a, "machine")) {
            TAKE_ARG();
            const char *m = arg;
            if (!strncmp(m, "type=", 5))
                m += 5;
            if (strcmp(m, "pc") && strcmp(m, "isapc"))
                return fail(&p, "-M: unsupported machine '%s' (pc, isapc)", arg);
            o->machine = m;
        } else if (match(a, "cpu")) {
            TAKE_ARG();
            if (strcmp(arg, "pentium3") && strcmp(arg, "pentium2"))
                return fail(&p, "-cpu: unsupported model '%s' (pentium3, pentium2)", arg);
            o->cpu_model = arg;
        } else if (match(a, "bios")) {
            TAKE_ARG();
            o->bios = arg;
            r = need_file(&p, "BIOS image", arg);
        } else if (match(a, "kernel")) {
            TAKE_ARG();
            o->kernel = arg;
            r = need_file(&p, "kernel", arg);
        } else if (match(a, "initrd")) {
            TAKE_ARG();
            o->initrd = arg; /* a list: the machine opens each file */
        } else if (match(a, "append")) {
            TAKE_ARG();
            o->append = arg;
        } else if (match(a, "hda") || match(a, "hdb") || match(a, "hdc") || match(a, "hdd") ||
                   match(a, "cdrom")) {
            TAKE_ARG();
            r = need_file(&p, "disk image", arg);
            bool cd = match(a, "cdrom");
            int index = cd ? 2 : a[strlen(a) - 1] - 'a';
            if (r == PARSE_OK)
                r = add_drive(&p, a, (DriveOption){arg, index, cd});
        } else if (match(a, "drive")) {
            TAKE_ARG();
            r = parse_drive(&p, argv[i]);
        } else if (match(a, "boot")) {
            TAKE_ARG();
            r = parse_boot(&p, argv[i]);
        } else if (match(a, "snapshot")) {
            o->snapshot = true;
        } else if (match(a, "nographic")) {
            o->nographic = true;
        } else if (match(a, "display")) {
            TAKE_ARG();
            o->display_given = true;
            if (!strcmp(arg, "none"))
                o->display_sdl = false;
            else if (!strcmp(arg, "sdl"))
#ifdef VMM86_HAVE_SDL
                o->display_sdl = true;
#else
                return fail(&p, "-display sdl: this vmm86 was built without SDL2");
#endif
            else
                return fail(&p, "-display: unsupported display '%s' (none, sdl)", arg);
        } else if (match(a, "vga")) {
            TAKE_ARG();
            if (!strcmp(arg, "std"))
                o->no_vga = false;
            else if (!strcmp(arg, "none"))
                o->no_vga = true;
            else
                return fail(&p, "-vga: unsupported card '%s' (std, none)", arg);
        } else if (!strcmp(a, "--vgabios")) {
            TAKE_ARG();
            o->vgabios = arg;
            r = need_file(&p, "VGA BIOS", arg);
        } else if (!strcmp(a, "--screenshot")) {
            TAKE_ARG();
            o->screenshot = arg;
        } else if (!strcmp(a, "--screenshot-window")) {
            TAKE_ARG();
            o->screenshot_window = arg;
        } else if (!strcmp(a, "--screendump-text")) {
            TAKE_ARG();
            o->screendump_text = arg;
        } else if (!strcmp(a, "--screendump-vga")) {
            TAKE_ARG();
            o->screendump_vga = arg;
        } else if (match(a, "serial")) {
            TAKE_ARG();
            if (o->nserial == MAX_SERIAL)
                return fail(&p, "-serial: at most %d serial ports", MAX_SERIAL);
            r = parse_char_spec(&p, "-serial", arg, &o->serial[o->nserial++]);
        } else if (match(a, "debugcon")) {
            TAKE_ARG();
            if (o->debugcon)
                return fail(&p, "-debugcon: only one debug console is supported");
            o->debugcon = true;
            r = parse_char_spec(&p, "-debugcon", arg, &o->debugcon_spec);
        } else if (match(a, "chardev")) {
            TAKE_ARG();
            r = parse_chardev(&p, argv[i]);
        } else if (match(a, "device")) {
            TAKE_ARG();
            r = parse_device(&p, argv[i]);
        } else if (match(a, "no-reboot")) {
            o->no_reboot = true;
        } else if (match(a, "d")) {
            TAKE_ARG();
            r = parse_log(&p, arg);
        } else if (match(a, "D")) {
            TAKE_ARG();
            o->log_file = arg;
        } else if (match(a, "icount")) {
            TAKE_ARG();
            r = parse_icount(&p, argv[i]);
        } else if (match(a, "rtc")) {
            TAKE_ARG();
            r = parse_rtc(&p, argv[i]);
        } else if (match(a, "s") || match(a, "S")) {
            return fail(&p, "option '%s': the gdb stub is not implemented yet", a);
        } else if (match(a, "gdb")) {
            TAKE_ARG();
            return fail(&p, "option '-gdb': the gdb stub is not implemented yet");
        } else if (!strcmp(a, "--engine")) {
            TAKE_ARG();
            r = parse_engine(&p, arg);
        } else if (!strcmp(a, "--jit-cache")) {
            TAKE_ARG();
            uint64_t mb;
            if (!parse_u64(arg, &mb) || mb < 1 || mb > 1024)
                return fail(&p, "--jit-cache: invalid size '%s' (1 to 1024 MiB)", arg);
            o->jit_cache_mb = (unsigned)mb;
        } else if (!strcmp(a, "--stats")) {
            o->stats = true;
        } else if (!strcmp(a, "--exit-on-halt")) {
            o->exit_on_halt = true;
        } else if (!strcmp(a, "--max-insns")) {
            TAKE_ARG();
            if (!parse_u64(arg, &o->max_insns) || o->max_insns == 0)
                return fail(&p, "--max-insns: invalid count '%s'", arg);
        } else if (a[0] == '-') {
            return fail(&p, "unknown option '%s' (see --help)", a);
        } else {
            return fail(&p, "unexpected argument '%s' (see --help)", a);
        }
#undef TAKE_ARG
        if (r != PARSE_OK)
            return r;
    }
    if ((o->initrd || o->append) && !o->kernel)
        return fail(&p, "%s needs -kernel", o->initrd ? "-initrd" : "-append");
    return PARSE_OK;
}
