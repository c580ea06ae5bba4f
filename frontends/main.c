/* main.c — vmm86's entry point: parse the command line, build the machine, run it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "frontends/char_backend.h"
#include "frontends/console.h"
#include "frontends/display.h"
#include "frontends/options.h"
#include "machine/log.h"
#include "machine/machine.h"

#define DEFAULT_BIOS "/usr/share/seabios/bios-256k.bin"
/* -M isapc has no PAM to shadow a 256 KiB SeaBIOS (whose code reaches below 0xE0000), so it
 * takes the 128 KiB build, which runs in place. */
#define DEFAULT_BIOS_ISAPC "/usr/share/seabios/bios.bin"

/* The VGA BIOS used when --vgabios names none: the first of these that is installed. On
 * the PCI board the card is the std VGA and its BIOS reads the frame buffer address from
 * BAR 0; on isapc the ISA build of SeaBIOS's VGA BIOS uses the fixed 0xE0000000 (the LGPL
 * VGA BIOS finds no PCI device there and falls back to the same address). */
static const char *const default_vgabios_pc[] = {
    "/usr/share/seabios/vgabios-stdvga.bin",
    "/usr/share/vgabios/vgabios-stdvga.bin",
};
static const char *const default_vgabios_isa[] = {
    "/usr/share/seabios/vgabios-isavga.bin",
    "/usr/share/vgabios/vgabios.bin",
};

static const char *find_vgabios(const VmOptions *o)
{
    if (o->vgabios)
        return o->vgabios;
    bool isa = !strcmp(o->machine, "isapc");
    const char *const *list = isa ? default_vgabios_isa : default_vgabios_pc;
    for (size_t i = 0; i < 2; i++)
        if (access(list[i], R_OK) == 0)
            return list[i];
    return NULL;
}

static void display_options(const VmOptions *o, DisplayOptions *d)
{
    memset(d, 0, sizeof *d);
    if (o->nographic)
        d->kind = DISPLAY_NONE;
    else if (o->display_given)
        d->kind = o->display_sdl ? DISPLAY_SDL : DISPLAY_NONE;
    else
        d->kind = display_default_kind();
    d->screenshot = o->screenshot;
    d->window_screenshot = o->screenshot_window;
    d->text_dump = o->screendump_text;
    d->vga_dump = o->screendump_vga;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "vmm86: %s\n", msg);
    return EXIT_USAGE;
}

static bool open_sink(const CharSpec *spec, CharSink *sink, char *err, size_t errlen)
{
    return char_backend_open(spec, sink, err, errlen);
}

/* Translates the options into the board's configuration and opens the host-side outputs. */
static bool configure(const VmOptions *o, MachineConfig *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->isapc = !strcmp(o->machine, "isapc");
    cfg->ram_bytes = (uint32_t)o->ram_bytes;
    /* A direct kernel boot needs no firmware: none is mapped unless -bios names one. */
    cfg->bios_path = o->bios     ? o->bios
                     : o->kernel ? NULL
                     : cfg->isapc ? DEFAULT_BIOS_ISAPC
                                  : DEFAULT_BIOS;
    cfg->kernel_path = o->kernel;
    cfg->initrd_path = o->initrd;
    cfg->kernel_cmdline = o->append;
    cfg->no_reboot = o->no_reboot;
    cfg->exit_on_halt = o->exit_on_halt;
    cfg->max_insns = o->max_insns;
    cfg->icount_shift = o->icount_shift;
    cfg->no_sleep = o->no_sleep;
    cfg->engine.kind = o->engine == ENGINE_JIT        ? CPU_ENGINE_JIT
                       : o->engine == ENGINE_LOCKSTEP ? CPU_ENGINE_LOCKSTEP
                                                      : CPU_ENGINE_INTERP;
    cfg->engine.jit_cache_mb = o->jit_cache_mb;
    /* COM1 goes to the terminal unless -serial says otherwise (there is no window to put it
     * in yet); COM2 exists only when asked for. */
    CharSpec com1 = {CHAR_STDIO, NULL};
    if (o->nserial > 0)
        com1 = o->serial[0];
    if (!open_sink(&com1, &cfg->serial[0], err, errlen))
        return false;
    if (o->nserial > 1 && !open_sink(&o->serial[1], &cfg->serial[1], err, errlen))
        return false;
    cfg->debugcon = o->debugcon;
    cfg->debugcon_port = o->debugcon_port;
    if (o->debugcon && !open_sink(&o->debugcon_spec, &cfg->debugcon_out, err, errlen))
        return false;
    cfg->debug_exit = o->debug_exit;
    cfg->debug_exit_port = o->debug_exit_port;
    cfg->debug_exit_size = o->debug_exit_size;
    for (int i = 0; i < o->ndrives; i++) {
        cfg->drives[o->drives[i].index].path = o->drives[i].file;
        cfg->drives[o->drives[i].index].cdrom = o->drives[i].cdrom;
    }
    cfg->snapshot = o->snapshot;
    if (o->boot_order)
        snprintf(cfg->boot_order, sizeof cfg->boot_order, "%s", o->boot_order);
    cfg->boot_menu = o->boot_menu == 1;
    cfg->nographic = o->nographic;
    cfg->no_vga = o->no_vga;
    cfg->vga_rom_path = o->no_vga ? NULL : find_vgabios(o);
    /* The wall-clock time at power-on is host input: the input gate reads the host clock
     * (unless -rtc base= fixes the date) and delivers it as a record. A date wins over
     * base=localtime given with it. */
    cfg->rtc_clock.base = o->rtc_fixed       ? INPUT_CLOCK_FIXED
                          : o->rtc_localtime ? INPUT_CLOCK_HOST_LOCAL
                                             : INPUT_CLOCK_HOST_UTC;
    cfg->rtc_clock.fixed = o->rtc_base;
    return true;
}

/* A standard descriptor that is closed at start would be the next file vmm86 opens (a disk
 * image), and the console would read that file as typed input: keep 0-2 taken. */
static void hold_standard_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) < 0)
            return;
}

int main(int argc, char **argv)
{
    VmOptions opts;
    char err[512] = "";
    hold_standard_fds();
    options_defaults(&opts);
    ParseResult pr = options_parse(argc, argv, &opts, err, sizeof err);
    if (pr == PARSE_EXIT_OK)
        return EXIT_OK;
    if (pr == PARSE_ERROR)
        return usage_error(err);
    if (!log_open(opts.log_file)) {
        snprintf(err, sizeof err, "cannot create log file '%s': %s", opts.log_file,
                 strerror(errno));
        return usage_error(err);
    }
    log_mask = opts.log_mask;

    MachineConfig cfg;
    if (!configure(&opts, &cfg, err, sizeof err))
        return usage_error(err);
    Machine *m = machine_create(&cfg, err, sizeof err);
    if (!m) {
        char_backend_close_all();
        return usage_error(err);
    }
    /* COM1 on the terminal also reads it: raw mode with C-a escapes, or a plain stream. */
    static Console console;
    bool com1_stdio = opts.nserial == 0 || opts.serial[0].kind == CHAR_STDIO;
    if (com1_stdio) {
        if (!console_open(&console, STDIN_FILENO, STDOUT_FILENO, false, err, sizeof err)) {
            machine_destroy(m);
            char_backend_close_all();
            return usage_error(err);
        }
        InputSource src = console_input_source(&console);
        input_gate_set_source(&m->input, &src);
    }
    DisplayOptions dopt;
    display_options(&opts, &dopt);
    Display *display = display_open(&dopt, m, err, sizeof err);
    if (!display) {
        machine_destroy(m);
        char_backend_close_all();
        return usage_error(err);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = machine_run(m);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    console_close(&console); /* the terminal's own mode again before anything is printed */
    if (!display_close(display, err, sizeof err)) {
        fprintf(stderr, "vmm86: %s\n", err);
        if (status == EXIT_OK)
            status = EXIT_INTERNAL;
    }
    if (opts.stats) {
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        machine_print_stats(m, secs);
    }
    machine_destroy(m);
    char_backend_close_all();
    if (log_file && log_file != stderr)
        fclose(log_file);
    return status;
}
