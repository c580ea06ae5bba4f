/* disk_image.c — see disk_image.h. */
#define _GNU_SOURCE
#include "machine/disk_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/fs.h>
#include <sys/ioctl.h>
#endif

static bool set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* Full pread/pwrite: loops over short transfers; a read past the file end is an error. */
static bool pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n, len -= (size_t)n, off += (uint64_t)n;
    }
    return true;
}

static bool pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n, len -= (size_t)n, off += (uint64_t)n;
    }
    return true;
}

static bool image_size(int fd, const struct stat *st, uint64_t *size)
{
    if (S_ISREG(st->st_mode)) {
        *size = (uint64_t)st->st_size;
        return true;
    }
#if defined(__linux__) && defined(BLKGETSIZE64)
    if (S_ISBLK(st->st_mode)) {
        uint64_t bytes;
        if (ioctl(fd, BLKGETSIZE64, &bytes) == 0) {
            *size = bytes;
            return true;
        }
    }
#endif
    (void)fd;
    return false;
}

static bool open_overlay(DiskImage *d, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/vmm86-snapshot-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return set_err(err, errlen, "-snapshot: cannot create a temporary file in '%s': %s",
                       dir && *dir ? dir : "/tmp", strerror(errno));
    unlink(tmpl); /* anonymous: it vanishes with the process */
    uint64_t sectors = (d->size + DISK_SECTOR - 1) / DISK_SECTOR;
    d->dirty = calloc((size_t)((sectors + 7) / 8), 1);
    if (!d->dirty) {
        close(fd);
        return set_err(err, errlen, "-snapshot: out of memory for '%s'", d->path);
    }
    d->overlay_fd = fd;
    return true;
}

bool disk_image_open(DiskImage *d, const char *path, DiskImageOptions opt, char *err,
                     size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->fd = d->overlay_fd = -1;
    d->read_only = opt.read_only;
    d->snapshot = opt.snapshot && !opt.read_only;
    snprintf(d->path, sizeof d->path, "%s", path);
    bool want_write = !d->read_only && !d->snapshot;
    int fd = open(path, (want_write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return set_err(err, errlen, "cannot open disk image '%s': %s", path, strerror(errno));
    struct stat st;
    uint64_t size = 0;
    if (fstat(fd, &st) != 0 || !image_size(fd, &st, &size)) {
        close(fd);
        return set_err(err, errlen, "disk image '%s' is not a regular file or block device",
                       path);
    }
    uint32_t min = opt.min_size ? opt.min_size : DISK_SECTOR;
    if (size < min || size > DISK_MAX_BYTES) {
        close(fd);
        return set_err(err, errlen,
                       "disk image '%s' has size %llu bytes: it must hold at least %u bytes "
                       "and at most %llu",
                       path, (unsigned long long)size, min, (unsigned long long)DISK_MAX_BYTES);
    }
    d->fd = fd;
    d->size = size;
    if (d->snapshot && !open_overlay(d, err, errlen)) {
        close(fd);
        d->fd = -1;
        return false;
    }
    return true;
}

void disk_image_close(DiskImage *d)
{
    if (!disk_image_is_open(d))
        return;
    if (d->fd >= 0) {
        if (!d->read_only && !d->snapshot)
            fdatasync(d->fd);
        close(d->fd);
    }
    if (d->overlay_fd >= 0)
        close(d->overlay_fd);
    free(d->dirty);
    d->fd = d->overlay_fd = -1;
    d->dirty = NULL;
}

static bool in_bounds(const DiskImage *d, uint64_t off, size_t len)
{
    return d->fd >= 0 && off <= d->size && len <= d->size - off;
}

static bool sector_dirty(const DiskImage *d, uint64_t s)
{
    return d->dirty[s >> 3] & (1u << (s & 7));
}

/* Snapshot reads: each sector from the overlay if it holds it, else from the image. */
static bool overlay_read(DiskImage *d, uint64_t off, uint8_t *buf, size_t len)
{
    while (len) {
        uint64_t s = off / DISK_SECTOR;
        size_t chunk = (size_t)(DISK_SECTOR - off % DISK_SECTOR);
        if (chunk > len)
            chunk = len;
        int fd = sector_dirty(d, s) ? d->overlay_fd : d->fd;
        if (!pread_all(fd, buf, chunk, off))
            return false;
        off += chunk, buf += chunk, len -= chunk;
    }
    return true;
}

/* Snapshot writes: a sector is copied whole into the overlay before its first change. */
static bool overlay_write(DiskImage *d, uint64_t off, const uint8_t *buf, size_t len)
{
    uint8_t sec[DISK_SECTOR];
    while (len) {
        uint64_t s = off / DISK_SECTOR;
        uint64_t start = s * DISK_SECTOR;
        size_t in_sec = (size_t)(off - start);
        size_t chunk = DISK_SECTOR - in_sec;
        if (chunk > len)
            chunk = len;
        if (!sector_dirty(d, s)) {
            size_t whole = d->size - start < DISK_SECTOR ? (size_t)(d->size - start)
                                                          : DISK_SECTOR;
            if (!pread_all(d->fd, sec, whole, start))
                return false;
            memcpy(sec + in_sec, buf, chunk);
            if (!pwrite_all(d->overlay_fd, sec, whole, start))
                return false;
            d->dirty[s >> 3] |= (uint8_t)(1u << (s & 7));
        } else if (!pwrite_all(d->overlay_fd, buf, chunk, off)) {
            return false;
        }
        off += chunk, buf += chunk, len -= chunk;
    }
    return true;
}

bool disk_image_read(DiskImage *d, uint64_t off, void *buf, size_t len)
{
    if (!in_bounds(d, off, len))
        return false;
    if (d->overlay_fd >= 0)
        return overlay_read(d, off, buf, len);
    return pread_all(d->fd, buf, len, off);
}

bool disk_image_write(DiskImage *d, uint64_t off, const void *buf, size_t len)
{
    if (d->read_only || !in_bounds(d, off, len))
        return false;
    if (d->overlay_fd >= 0)
        return overlay_write(d, off, buf, len);
    return pwrite_all(d->fd, buf, len, off);
}

bool disk_image_flush(DiskImage *d)
{
    if (d->fd < 0)
        return false;
    if (d->read_only || d->snapshot)
        return true; /* nothing of the user's to make durable */
    return fdatasync(d->fd) == 0 || errno == EINVAL; /* EINVAL: a file that cannot sync */
}
