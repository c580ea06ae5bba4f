/* The terminal console: QEMU's Ctrl-A escapes, raw mode on a terminal (a pseudo-terminal
 * here) and its restoration on close and on a fatal signal. */
#define _GNU_SOURCE /* posix_openpt, ptsname */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "frontends/console.h"

static char err[256];

static size_t filter(Console *c, const char *in, size_t n, uint8_t *out, bool *quit)
{
    return console_filter(c, (const uint8_t *)in, n, out, quit);
}

Test(console, plain_streams_pass_every_byte)
{
    Console c;
    int p[2];
    cr_assert_eq(pipe(p), 0);
    cr_assert(console_open(&c, p[0], -1, false, err, sizeof err));
    cr_assert_not(c.tty);
    uint8_t out[8];
    bool quit;
    cr_assert_eq(filter(&c, "a\001xb", 4, out, &quit), 4);
    cr_assert_not(quit);
    cr_assert_arr_eq(out, "a\001xb", 4);
}

Test(console, escapes)
{
    Console c;
    int p[2];
    cr_assert_eq(pipe(p), 0);
    cr_assert(console_open(&c, -1, p[1], true, err, sizeof err));
    uint8_t out[16];
    bool quit;
    cr_assert_eq(filter(&c, "ab\001\001c", 5, out, &quit), 4, "C-a C-a sends one C-a");
    cr_assert_arr_eq(out, "ab\001c", 4);
    cr_assert_eq(filter(&c, "\001h", 2, out, &quit), 0);
    char help[512] = {0};
    cr_assert_gt(read(p[0], help, sizeof help - 1), 0);
    cr_assert(strstr(help, "C-a x"), "the help lists the escapes: %s", help);
    cr_assert_eq(filter(&c, "\001c", 2, out, &quit), 0);
    memset(help, 0, sizeof help);
    cr_assert_gt(read(p[0], help, sizeof help - 1), 0);
    cr_assert(strstr(help, "no monitor"), "%s", help);
    cr_assert_eq(filter(&c, "\001", 1, out, &quit), 0, "an escape split across reads");
    cr_assert_eq(filter(&c, "qz", 2, out, &quit), 1, "an unknown escape is dropped");
    cr_assert_eq(out[0], 'z');
    cr_assert_eq(filter(&c, "k\001xmore", 7, out, &quit), 1);
    cr_assert(quit);
    cr_assert_eq(out[0], 'k', "bytes before the quit still count");
}

static int open_pty(int *slave)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert_geq(master, 0);
    cr_assert_eq(grantpt(master), 0);
    cr_assert_eq(unlockpt(master), 0);
    *slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    cr_assert_geq(*slave, 0);
    return master;
}

Test(console, a_terminal_goes_raw_and_comes_back)
{
    int slave, master = open_pty(&slave);
    struct termios before, during, after;
    cr_assert_eq(tcgetattr(slave, &before), 0);
    cr_assert(before.c_lflag & ICANON, "a fresh pty starts cooked");
    Console c;
    cr_assert(console_open(&c, slave, -1, false, err, sizeof err), "%s", err);
    cr_assert(c.tty);
    tcgetattr(slave, &during);
    cr_assert_eq(during.c_lflag & (ICANON | ECHO | ISIG), 0);
    cr_assert_eq(during.c_oflag, before.c_oflag, "output processing untouched");
    /* A byte typed on the terminal reaches the source at once (no line buffering). */
    cr_assert_eq(write(master, "\001x", 2), 2);
    InputSource src = console_input_source(&c);
    uint8_t buf[8];
    long n = src.read(src.opaque, buf, sizeof buf);
    if (n == 1) /* the two bytes may arrive in two reads */
        n = src.read(src.opaque, buf, sizeof buf);
    cr_assert_eq(n, INPUT_SOURCE_QUIT);
    console_close(&c);
    tcgetattr(slave, &after);
    cr_assert_eq(after.c_lflag, before.c_lflag);
    cr_assert_eq(after.c_iflag, before.c_iflag);
    close(slave);
    close(master);
}

Test(console, a_fatal_signal_restores_the_terminal)
{
    int slave, master = open_pty(&slave);
    struct termios before, after;
    tcgetattr(slave, &before);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        Console c;
        if (!console_open(&c, slave, -1, false, err, sizeof err))
            _exit(3);
        raise(SIGTERM);
        _exit(4); /* not reached: the handler re-raises with the default action */
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "died by the signal");
    tcgetattr(slave, &after);
    cr_assert_eq(after.c_lflag, before.c_lflag, "cooked again");
    close(slave);
    close(master);
}
