/* disk_image.h — raw disk and CD-ROM image files behind the emulated drives.
 *
 * Contract: an image is a host file read and written at byte offsets. Every access is
 * bounds-checked against the image size: a request that does not lie wholly inside the
 * image fails and touches nothing. Writes go to the file with pwrite() as they happen, so
 * they reach the file before vmm86 exits (disk_image_flush() also asks the host to make
 * them durable). With `snapshot`, writes go to an anonymous temporary overlay instead (an
 * unlinked file in $TMPDIR, with a bitmap of the 512-byte sectors it holds), reads take
 * overlay sectors first, and the image file is opened read-only and never changed. A
 * read-only image (a CD-ROM) refuses writes. Opening fails with one line in `err` when the
 * file cannot be opened, is not a regular file or block device, is empty, or is smaller
 * than one sector of the drive type. Nothing here is guest-visible time.
 */
#ifndef VMM86_MACHINE_DISK_IMAGE_H
#define VMM86_MACHINE_DISK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISK_SECTOR 512u
#define DISK_MAX_BYTES (1ull << 47) /* LBA48 limit at 512-byte sectors, with room to spare */

typedef struct DiskImage {
    int fd;             /* the image file, -1 when closed */
    int overlay_fd;     /* snapshot overlay, -1 when none */
    uint8_t *dirty;     /* snapshot: one bit per 512-byte sector held by the overlay */
    uint64_t size;      /* bytes */
    bool read_only;     /* writes refused (CD-ROM images) */
    bool snapshot;
    char path[256];     /* for messages */
} DiskImage;

typedef struct DiskImageOptions {
    bool read_only;
    bool snapshot;
    uint32_t min_size;  /* smallest acceptable image (one sector of the drive) */
} DiskImageOptions;

/* Opens `path`. Returns false with a one-line reason in err. */
bool disk_image_open(DiskImage *d, const char *path, DiskImageOptions opt, char *err,
                     size_t errlen);
void disk_image_close(DiskImage *d);
/* Byte-level access; false (nothing done) when [off, off+len) is not inside the image or
 * the host I/O fails. */
bool disk_image_read(DiskImage *d, uint64_t off, void *buf, size_t len);
bool disk_image_write(DiskImage *d, uint64_t off, const void *buf, size_t len);
/* Makes written data durable on the host (fdatasync); false on a host error. */
bool disk_image_flush(DiskImage *d);
/* A zero-filled DiskImage (never opened) counts as closed too. */
static inline bool disk_image_is_open(const DiskImage *d) { return d->fd >= 0 && d->size; }

#endif
