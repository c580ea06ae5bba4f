/* char_backend.c — see char_backend.h. */
#include "frontends/char_backend.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 16

static FILE *open_files[MAX_FILES];
static int nfiles;

static void write_fd(void *opaque, const uint8_t *buf, size_t len)
{
    int fd = (int)(intptr_t)opaque;
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* the terminal went away: drop output, keep the guest running */
        }
        buf += n;
        len -= (size_t)n;
    }
}

static void write_file(void *opaque, const uint8_t *buf, size_t len)
{
    FILE *f = opaque;
    fwrite(buf, 1, len, f);
    fflush(f);
}

bool char_backend_open(const CharSpec *spec, CharSink *sink, char *err, size_t errlen)
{
    switch (spec->kind) {
    case CHAR_NONE:
        sink->write = NULL;
        sink->opaque = NULL;
        return true;
    case CHAR_STDIO:
        sink->write = write_fd;
        sink->opaque = (void *)(intptr_t)STDOUT_FILENO;
        return true;
    case CHAR_FILE: {
        /* Two devices may name the same file: share one stream. */
        if (nfiles == MAX_FILES) {
            snprintf(err, errlen, "too many output files");
            return false;
        }
        FILE *f = fopen(spec->path, "wb");
        if (!f) {
            snprintf(err, errlen, "cannot create '%s': %s", spec->path, strerror(errno));
            return false;
        }
        open_files[nfiles++] = f;
        sink->write = write_file;
        sink->opaque = f;
        return true;
    }
    }
    return false;
}

void char_backend_close_all(void)
{
    for (int i = 0; i < nfiles; i++)
        fclose(open_files[i]);
    nfiles = 0;
}
