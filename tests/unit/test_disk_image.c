/* test_disk_image.c — raw image files: opening and refusing, bounds checks, writes that
 * reach the file at once, read-only images, and the -snapshot overlay that leaves the file
 * as it was. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/disk_image.h"

static char path[256];
static DiskImage img;
static char err[256];

/* A temp file of `size` bytes; byte i holds (i * 7 + i / 512) & 0xFF. */
static void make_file(uint64_t size)
{
    snprintf(path, sizeof path, "%s/vmm86-test-disk-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    uint8_t *buf = malloc(size ? size : 1);
    for (uint64_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i * 7 + i / 512);
    cr_assert(write(fd, buf, size) == (ssize_t)size);
    close(fd);
    free(buf);
}

static uint8_t expected_byte(uint64_t i) { return (uint8_t)(i * 7 + i / 512); }

static void file_bytes(uint64_t off, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    cr_assert(fd >= 0);
    cr_assert(pread(fd, buf, len, (off_t)off) == (ssize_t)len);
    close(fd);
}

static void teardown(void)
{
    disk_image_close(&img);
    if (path[0])
        unlink(path);
    path[0] = 0;
}

TestSuite(disk_image, .fini = teardown);

static DiskImageOptions opts(bool ro, bool snap) { return (DiskImageOptions){ro, snap, 0}; }

Test(disk_image, missing_file_gives_one_line)
{
    memset(&img, 0, sizeof img);
    img.fd = -1;
    cr_assert_not(disk_image_open(&img, "/nonexistent/vmm86.img", opts(false, false), err,
                                  sizeof err));
    cr_assert(strstr(err, "/nonexistent/vmm86.img"));
    cr_assert_null(strchr(err, '\n'));
}

Test(disk_image, empty_and_directory_refused)
{
    make_file(0);
    cr_assert_not(disk_image_open(&img, path, opts(false, false), err, sizeof err));
    cr_assert(strstr(err, "size 0"), "%s", err);
    cr_assert_not(disk_image_open(&img, "/tmp", opts(false, false), err, sizeof err));
    cr_assert(strstr(err, "'/tmp'"), "%s", err);
    cr_assert_not(disk_image_open(&img, "/tmp", opts(true, false), err, sizeof err));
    cr_assert(strstr(err, "not a regular file"), "%s", err);
}

Test(disk_image, cdrom_smaller_than_a_block_refused)
{
    make_file(1024);
    DiskImageOptions o = {true, false, 2048};
    cr_assert_not(disk_image_open(&img, path, o, err, sizeof err));
    cr_assert(strstr(err, "at least 2048"), "%s", err);
}

Test(disk_image, reads_and_bounds)
{
    make_file(8 * 512);
    cr_assert(disk_image_open(&img, path, opts(false, false), err, sizeof err), "%s", err);
    cr_assert_eq(img.size, 8 * 512);
    uint8_t buf[1024];
    cr_assert(disk_image_read(&img, 7 * 512, buf, 512));
    for (int i = 0; i < 512; i++)
        cr_assert_eq(buf[i], expected_byte(7 * 512 + i));
    cr_assert(disk_image_read(&img, 8 * 512, buf, 0));
    cr_assert_not(disk_image_read(&img, 7 * 512 + 1, buf, 512));
    cr_assert_not(disk_image_read(&img, 8 * 512 + 1, buf, 0));
    cr_assert_not(disk_image_read(&img, UINT64_MAX - 10, buf, 512));
    cr_assert_not(disk_image_write(&img, 8 * 512 - 100, buf, 512));
}

Test(disk_image, writes_reach_the_file_at_once)
{
    make_file(4 * 512);
    cr_assert(disk_image_open(&img, path, opts(false, false), err, sizeof err), "%s", err);
    uint8_t data[700], back[700];
    for (int i = 0; i < 700; i++)
        data[i] = (uint8_t)(255 - i);
    cr_assert(disk_image_write(&img, 300, data, sizeof data));
    file_bytes(300, back, sizeof back); /* through another descriptor, image still open */
    cr_assert_arr_eq(back, data, sizeof data);
    cr_assert(disk_image_flush(&img));
}

Test(disk_image, read_only_refuses_writes)
{
    make_file(4 * 2048);
    cr_assert(disk_image_open(&img, path, opts(true, false), err, sizeof err), "%s", err);
    uint8_t b[512] = {1};
    cr_assert_not(disk_image_write(&img, 0, b, sizeof b));
    file_bytes(0, b, 1);
    cr_assert_eq(b[0], expected_byte(0));
}

Test(disk_image, snapshot_overlay_leaves_the_file_unchanged)
{
    make_file(6 * 512 + 100); /* a partial last sector too */
    struct stat before;
    cr_assert(stat(path, &before) == 0);
    cr_assert(disk_image_open(&img, path, opts(false, true), err, sizeof err), "%s", err);
    /* An unaligned write over a sector boundary, and one into the partial last sector. */
    uint8_t data[600], back[1024];
    memset(data, 0xAB, sizeof data);
    cr_assert(disk_image_write(&img, 500, data, sizeof data));
    cr_assert(disk_image_write(&img, 6 * 512 + 50, data, 50));
    cr_assert_not(disk_image_write(&img, 6 * 512 + 60, data, 50)); /* past the end */
    cr_assert(disk_image_read(&img, 0, back, 1024));
    for (int i = 0; i < 1024; i++) {
        uint8_t want = (i >= 500 && i < 1100) ? 0xAB : expected_byte((uint64_t)i);
        cr_assert_eq(back[i], want, "byte %d", i);
    }
    cr_assert(disk_image_read(&img, 6 * 512, back, 100));
    for (int i = 0; i < 100; i++)
        cr_assert_eq(back[i], (i >= 50) ? 0xAB : expected_byte(6 * 512 + (uint64_t)i));
    disk_image_close(&img);
    /* The file itself: every byte as it was. */
    uint8_t file[6 * 512 + 100];
    file_bytes(0, file, sizeof file);
    for (size_t i = 0; i < sizeof file; i++)
        cr_assert_eq(file[i], expected_byte(i), "file byte %zu changed", i);
    struct stat after;
    cr_assert(stat(path, &after) == 0);
    cr_assert_eq(after.st_size, before.st_size);
}

Test(disk_image, closed_image_refuses_access)
{
    memset(&img, 0, sizeof img); /* never opened: must not touch descriptor 0 */
    uint8_t b[16];
    cr_assert_not(disk_image_is_open(&img));
    cr_assert_not(disk_image_read(&img, 0, b, sizeof b));
    disk_image_close(&img);
}
