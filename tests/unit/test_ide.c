/* test_ide.c — the IDE channel driven through its ports as a driver would: IDENTIFY
 * contents, PIO read/write, LBA48, CHS, multiple mode, error registers, reset and nIEN,
 * the ATAPI packet protocol on a small ISO-like image, and bus-master DMA through PRD
 * tables. Register layouts and status/error bits follow the ATA/ATAPI-6 and MMC specs. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/ide.h"

#define BASE 0x1F0
#define CTRL 0x3F6
#define DISK_SECTORS 64
#define CD_BLOCKS 16

static IoPortSpace io;
static PhysMem mem;
static Scheduler sched;
static uint64_t icount;
static IdeChannel ch;
static DiskImage disk, cd;
static char disk_path[256], cd_path[256];
static int irq_level, irq_rises;

static void irq_set_cb(void *opaque, int n, int level)
{
    if (level && !irq_level)
        irq_rises++;
    irq_level = level;
}

static uint8_t disk_byte(uint64_t lba, unsigned i) { return (uint8_t)(lba * 3 + i * 5 + 1); }
static uint8_t cd_byte(uint64_t blk, unsigned i) { return (uint8_t)(blk ^ (i >> 3) ^ 0xC3); }

static void make_image(char *path, uint64_t units, unsigned unit, bool cdrom)
{
    snprintf(path, 256, "%s/vmm86-test-ide-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    uint8_t *buf = malloc(unit);
    for (uint64_t u = 0; u < units; u++) {
        for (unsigned i = 0; i < unit; i++)
            buf[i] = cdrom ? cd_byte(u, i) : disk_byte(u, i);
        cr_assert(write(fd, buf, unit) == (ssize_t)unit);
    }
    free(buf);
    close(fd);
}

static void open_image(DiskImage *d, const char *path, bool cdrom)
{
    char err[256];
    DiskImageOptions o = {cdrom, false, cdrom ? 2048 : 512};
    cr_assert(disk_image_open(d, path, o, err, sizeof err), "%s", err);
}

static void base_setup(void)
{
    ioport_init(&io);
    cr_assert(physmem_init(&mem, 4u << 20));
    icount = 0;
    sched_init(&sched, &icount, 0);
    irq_level = 0;
    irq_rises = 0;
    ide_init(&ch, &sched, (IrqLine){irq_set_cb, NULL, 14}, &mem);
    ide_register(&ch, &io, BASE, CTRL);
}

static void setup(void)
{
    base_setup();
    make_image(disk_path, DISK_SECTORS, 512, false);
    make_image(cd_path, CD_BLOCKS, 2048, true);
    open_image(&disk, disk_path, false);
    open_image(&cd, cd_path, true);
    ide_attach(&ch, 0, IDE_DISK, &disk, 0);
    ide_attach(&ch, 1, IDE_CDROM, &cd, 1);
}

static void teardown(void)
{
    disk_image_close(&disk);
    disk_image_close(&cd);
    unlink(disk_path);
    unlink(cd_path);
    physmem_free(&mem);
}

TestSuite(ide, .init = setup, .fini = teardown);

static void outb(uint16_t port, uint8_t v) { ioport_write(&io, port, 1, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)ioport_read(&io, port, 1); }
static uint16_t inw(uint16_t port) { return (uint16_t)ioport_read(&io, port, 2); }
static void outw(uint16_t port, uint16_t v) { ioport_write(&io, port, 2, v); }

/* Lets virtual time pass until the selected drive is not busy (bounded). */
static uint8_t wait_not_busy(void)
{
    for (int i = 0; i < 1000; i++) {
        uint8_t st = inb(CTRL);
        if (!(st & IDE_ST_BSY))
            return st;
        uint64_t next = sched_next_deadline(&sched);
        cr_assert_neq(next, SCHED_NEVER, "busy with no timer armed");
        icount = next;
        sched_run_due(&sched);
    }
    cr_assert_fail("drive stays busy");
    return 0;
}

/* Fires every armed timer, as time passes with nobody looking. */
static void run_timers(void)
{
    for (int i = 0; i < 1000 && sched_next_deadline(&sched) != SCHED_NEVER; i++) {
        icount = sched_next_deadline(&sched);
        sched_run_due(&sched);
    }
}

static void select_drive(int dev, uint8_t head_bits) { outb(BASE + 6, (uint8_t)(0xA0 | dev << 4 | head_bits)); }

static void lba28(uint32_t lba, uint8_t count)
{
    outb(BASE + 2, count);
    outb(BASE + 3, (uint8_t)lba);
    outb(BASE + 4, (uint8_t)(lba >> 8));
    outb(BASE + 5, (uint8_t)(lba >> 16));
    select_drive(0, (uint8_t)(0x40 | ((lba >> 24) & 0x0F)));
}

static void lba48(uint64_t lba, uint16_t count)
{
    outb(BASE + 2, (uint8_t)(count >> 8));
    outb(BASE + 3, (uint8_t)(lba >> 24));
    outb(BASE + 4, (uint8_t)(lba >> 32));
    outb(BASE + 5, (uint8_t)(lba >> 40));
    outb(BASE + 2, (uint8_t)count);
    outb(BASE + 3, (uint8_t)lba);
    outb(BASE + 4, (uint8_t)(lba >> 8));
    outb(BASE + 5, (uint8_t)(lba >> 16));
    select_drive(0, 0x40);
}

static void read_words(uint16_t *w, int n)
{
    for (int i = 0; i < n; i++)
        w[i] = inw(BASE);
}

static void expect_sector(const uint16_t *w, uint64_t lba)
{
    const uint8_t *b = (const uint8_t *)w;
    for (unsigned i = 0; i < 512; i++)
        cr_assert_eq(b[i], disk_byte(lba, i), "LBA %llu byte %u", (unsigned long long)lba, i);
}

static void identify_string(const uint16_t *w, int first, int words, char *out)
{
    for (int i = 0; i < words; i++) {
        out[2 * i] = (char)(w[first + i] >> 8);
        out[2 * i + 1] = (char)w[first + i];
    }
    out[2 * words] = 0;
}

Test(ide, identify_device)
{
    select_drive(0, 0);
    outb(BASE + 7, 0xEC);
    cr_assert(inb(CTRL) & IDE_ST_BSY);
    uint8_t st = wait_not_busy();
    cr_assert_eq(st & (IDE_ST_DRQ | IDE_ST_DRDY | IDE_ST_ERR), IDE_ST_DRQ | IDE_ST_DRDY);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(inb(BASE + 7) & IDE_ST_DRQ, IDE_ST_DRQ); /* status read acknowledges */
    cr_assert_eq(irq_level, 0);
    uint16_t w[256];
    read_words(w, 256);
    cr_assert_eq(inb(BASE + 7) & (IDE_ST_DRQ | IDE_ST_BSY), 0);
    cr_assert_eq(w[0], 0x0040);
    cr_assert_eq(w[1] * w[3] * w[6], 1 * 16 * 63 <= DISK_SECTORS ? w[1] * w[3] * w[6] : 63);
    cr_assert_eq(w[6], DISK_SECTORS < 63 ? DISK_SECTORS : 63);
    cr_assert_eq(w[60] | (uint32_t)w[61] << 16, DISK_SECTORS);
    cr_assert_eq(w[100] | (uint32_t)w[101] << 16, DISK_SECTORS);
    cr_assert_eq(w[102] | w[103], 0);
    cr_assert(w[83] & 0x0400, "LBA48 supported");
    cr_assert(w[49] & 0x0200, "LBA supported");
    cr_assert_eq(w[47] & 0xFF, IDE_MAX_MULT);
    char model[41];
    identify_string(w, 27, 20, model);
    cr_assert(!strncmp(model, "VMM86 HARDDISK      ", 20), "model '%s'", model);
    char serial[21];
    identify_string(w, 10, 10, serial);
    cr_assert(!strncmp(serial, "VM00001 ", 8), "serial '%s'", serial);
}

Test(ide, pio_read_sectors)
{
    lba28(5, 3);
    outb(BASE + 7, 0x20);
    uint16_t w[256];
    for (int s = 0; s < 3; s++) {
        uint8_t st = wait_not_busy();
        cr_assert_eq(st & (IDE_ST_DRQ | IDE_ST_ERR), IDE_ST_DRQ, "sector %d", s);
        inb(BASE + 7); /* the driver's acknowledge */
        read_words(w, 256);
        expect_sector(w, 5 + (uint64_t)s);
    }
    cr_assert_eq(irq_rises, 3, "one interrupt per sector");
    cr_assert_eq(inb(BASE + 7), IDE_ST_DRDY | IDE_ST_DSC);
    cr_assert_eq(inb(BASE + 3), 7, "the task file names the last sector");
}

Test(ide, pio_write_round_trip)
{
    lba28(10, 2);
    outb(BASE + 7, 0x30);
    cr_assert_eq(inb(CTRL) & IDE_ST_DRQ, IDE_ST_DRQ, "first block asked for at once");
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 256; i++)
            outw(BASE, (uint16_t)(0xA000 + s * 256 + i));
        uint8_t st = wait_not_busy();
        cr_assert_eq(st & IDE_ST_ERR, 0);
        inb(BASE + 7);
    }
    cr_assert_eq(inb(BASE + 7) & (IDE_ST_DRQ | IDE_ST_BSY), 0);
    cr_assert_eq(irq_rises, 2);
    /* In the file, through another descriptor. */
    int fd = open(disk_path, O_RDONLY);
    uint16_t w[512];
    cr_assert(pread(fd, w, sizeof w, 10 * 512) == (ssize_t)sizeof w);
    close(fd);
    for (int i = 0; i < 512; i++)
        cr_assert_eq(w[i], 0xA000 + i);
    /* And back through READ SECTORS with 32-bit data accesses. */
    lba28(11, 1);
    outb(BASE + 7, 0x20);
    wait_not_busy();
    for (int i = 0; i < 128; i++)
        cr_assert_eq(ioport_read(&io, BASE, 4),
                     (uint32_t)(0xA100 + 2 * i) | (uint32_t)(0xA101 + 2 * i) << 16);
}

Test(ide, errors_abrt_and_idnf)
{
    select_drive(0, 0);
    outb(BASE + 7, 0xFF); /* no such command */
    uint8_t st = wait_not_busy();
    cr_assert_eq(st & (IDE_ST_ERR | IDE_ST_DRDY), IDE_ST_ERR | IDE_ST_DRDY);
    cr_assert_eq(inb(BASE + 1), IDE_ER_ABRT);
    cr_assert_eq(irq_level, 1);
    lba28(DISK_SECTORS - 1, 2); /* runs past the end */
    outb(BASE + 7, 0x20);
    cr_assert_eq(irq_level, 0, "a new command clears the interrupt");
    st = wait_not_busy();
    cr_assert_eq(st & (IDE_ST_ERR | IDE_ST_DRQ), IDE_ST_ERR);
    cr_assert_eq(inb(BASE + 1), IDE_ER_IDNF);
    lba28(0x0FFFFFFF, 1);
    outb(BASE + 7, 0x30);
    st = wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_IDNF);
    /* READ MULTIPLE before SET MULTIPLE MODE, and a block size that is no power of two. */
    lba28(0, 4);
    outb(BASE + 7, 0xC4);
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_ABRT);
    outb(BASE + 2, 3);
    outb(BASE + 7, 0xC6);
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_ABRT);
    /* A packet command on a disk. */
    outb(BASE + 7, 0xA0);
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_ABRT);
}

Test(ide, read_multiple_blocks)
{
    select_drive(0, 0);
    outb(BASE + 2, 4);
    outb(BASE + 7, 0xC6);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    inb(BASE + 7);
    lba28(20, 10); /* blocks of 4, 4 and 2 sectors */
    outb(BASE + 7, 0xC4);
    uint16_t w[256];
    int blocks = 0;
    for (uint64_t lba = 20; lba < 30;) {
        cr_assert_eq(wait_not_busy() & IDE_ST_DRQ, IDE_ST_DRQ);
        inb(BASE + 7);
        int n = lba + 4 <= 30 ? 4 : (int)(30 - lba);
        for (int s = 0; s < n; s++, lba++) {
            read_words(w, 256);
            expect_sector(w, lba);
        }
        blocks++;
        if (lba < 30)
            cr_assert(inb(CTRL) & IDE_ST_BSY, "next block is being fetched");
    }
    cr_assert_eq(blocks, 3);
    cr_assert_eq(irq_rises, 1 + 3);
    /* IDENTIFY word 59 shows the setting. */
    outb(BASE + 7, 0xEC);
    wait_not_busy();
    read_words(w, 256);
    cr_assert_eq(w[59], 0x0104);
}

Test(ide, chs_addressing)
{
    /* 4 heads, 8 sectors per track: CHS (1, 2, 3) is LBA (1*4 + 2)*8 + 2 = 50. */
    select_drive(0, 3);
    outb(BASE + 2, 8);
    outb(BASE + 7, 0x91);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    outb(BASE + 2, 1);
    outb(BASE + 3, 3);
    outb(BASE + 4, 1);
    outb(BASE + 5, 0);
    select_drive(0, 2);
    outb(BASE + 7, 0x20);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    uint16_t w[256];
    read_words(w, 256);
    expect_sector(w, 50);
    outb(BASE + 3, 0); /* sector numbers start at 1 */
    outb(BASE + 7, 0x20);
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_IDNF);
    outb(BASE + 3, 9); /* past the 8 sectors per track */
    outb(BASE + 7, 0x20);
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_IDNF);
}

Test(ide, read_verify_flush_and_features)
{
    lba28(3, 5);
    outb(BASE + 7, 0x40);
    cr_assert_eq(wait_not_busy() & (IDE_ST_ERR | IDE_ST_DRQ), 0);
    cr_assert_eq(inb(BASE + 3), 7);
    outb(BASE + 7, 0xE7);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    outb(BASE + 7, 0xEA);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    outb(BASE + 1, 0x03); /* SET FEATURES: transfer mode UDMA2 */
    outb(BASE + 2, 0x42);
    outb(BASE + 7, 0xEF);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    outb(BASE + 2, 0x47); /* UDMA7 does not exist */
    outb(BASE + 7, 0xEF);
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_ABRT);
    outb(BASE + 7, 0xEC);
    wait_not_busy();
    uint16_t w[256];
    read_words(w, 256);
    cr_assert_eq(w[88], 0x043F);
}

Test(ide, soft_reset_signatures_and_nien)
{
    outb(CTRL, IDE_DC_SRST | IDE_DC_NIEN);
    cr_assert(inb(CTRL) & IDE_ST_BSY);
    outb(CTRL, IDE_DC_NIEN);
    select_drive(0, 0);
    cr_assert_eq(inb(BASE + 2), 1);
    cr_assert_eq(inb(BASE + 3), 1);
    cr_assert_eq(inb(BASE + 4), 0);
    cr_assert_eq(inb(BASE + 5), 0);
    cr_assert_eq(inb(BASE + 1), 0x01);
    cr_assert_eq(inb(CTRL), IDE_ST_DRDY | IDE_ST_DSC);
    select_drive(1, 0);
    cr_assert_eq(inb(BASE + 4), 0x14);
    cr_assert_eq(inb(BASE + 5), 0xEB);
    cr_assert_eq(inb(BASE + 6), 0xB0);
    /* nIEN: the command completes without driving the line, which follows once cleared. */
    select_drive(0, 0);
    outb(BASE + 7, 0xE7);
    wait_not_busy();
    cr_assert_eq(irq_level, 0);
    outb(CTRL, 0);
    cr_assert_eq(irq_level, 1);
}

Test(ide, absent_drive_reads_zero_status)
{
    ide_init(&ch, &sched, (IrqLine){irq_set_cb, NULL, 14}, &mem); /* no drives */
    ide_register(&ch, &io, BASE, CTRL);
    cr_assert_eq(inb(BASE + 7), 0xFF, "an empty channel floats");
    ide_attach(&ch, 0, IDE_DISK, &disk, 0);
    select_drive(1, 0);
    cr_assert_eq(inb(BASE + 7), 0);
    outb(BASE + 7, 0xEC);
    cr_assert_eq(inb(CTRL), 0, "no drive 1 to run it");
}

Test(ide, lba48_above_28_bits)
{
    /* A sparse 160 GiB image: LBA 0x10000005 needs the high address bytes. */
    DiskImage big;
    char big_path[256];
    snprintf(big_path, sizeof big_path, "%s/vmm86-test-ide-big-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(big_path);
    cr_assert(fd >= 0);
    uint64_t sectors = 160ull << 21;
    cr_assert(ftruncate(fd, (off_t)(sectors * 512)) == 0, "sparse file");
    close(fd);
    open_image(&big, big_path, false);
    ide_attach(&ch, 0, IDE_DISK, &big, 0);
    uint64_t lba = 0x10000005ull;
    lba48(lba, 1);
    outb(BASE + 7, 0x34); /* WRITE SECTORS EXT */
    for (int i = 0; i < 256; i++)
        outw(BASE, (uint16_t)(i * 0x0101 + 7));
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    uint8_t b[2];
    cr_assert(disk_image_read(&big, lba * 512 + 2, b, 2));
    cr_assert_eq(b[0] | b[1] << 8, 0x0101 + 7);
    lba48(lba, 1);
    outb(BASE + 7, 0x24); /* READ SECTORS EXT */
    cr_assert_eq(wait_not_busy() & (IDE_ST_DRQ | IDE_ST_ERR), IDE_ST_DRQ);
    for (int i = 0; i < 256; i++)
        cr_assert_eq(inw(BASE), (uint16_t)(i * 0x0101 + 7));
    /* The task file holds the 48-bit address; HOB reads the high bytes. */
    cr_assert_eq(inb(BASE + 3), 0x05);
    outb(CTRL, IDE_DC_HOB);
    cr_assert_eq(inb(BASE + 3), 0x10);
    outb(CTRL, 0);
    /* LBA28 commands cannot reach it, and IDENTIFY caps words 60-61. */
    outb(BASE + 7, 0xEC);
    wait_not_busy();
    uint16_t w[256];
    read_words(w, 256);
    cr_assert_eq(w[60] | (uint32_t)w[61] << 16, 0x0FFFFFFFu);
    cr_assert_eq(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32, sectors);
    lba48(sectors, 1); /* one past the end */
    outb(BASE + 7, 0x24);
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1), IDE_ER_IDNF);
    disk_image_close(&big);
    unlink(big_path);
}

/* ---- ATAPI ------------------------------------------------------------------------------ */

/* Sends a 12-byte packet to the CD (drive 1) with byte count limit `limit`; dma per flag. */
static void send_packet(const uint8_t *cdb, uint16_t limit, bool dma)
{
    select_drive(1, 0);
    outb(BASE + 1, dma ? 1 : 0);
    outb(BASE + 4, (uint8_t)limit);
    outb(BASE + 5, (uint8_t)(limit >> 8));
    outb(BASE + 7, 0xA0);
    uint8_t st = inb(CTRL);
    cr_assert_eq(st & (IDE_ST_DRQ | IDE_ST_BSY), IDE_ST_DRQ, "packet not asked for");
    cr_assert_eq(inb(BASE + 2) & 3, 1, "interrupt reason: command out");
    for (int i = 0; i < 12; i += 2)
        outw(BASE, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
}

/* Reads a PIO data-in phase into buf; returns the byte count moved. */
static uint32_t atapi_data_in(uint8_t *buf, uint32_t cap, int *chunks)
{
    uint32_t got = 0;
    *chunks = 0;
    for (;;) {
        uint8_t st = wait_not_busy();
        if (!(st & IDE_ST_DRQ))
            return got;
        cr_assert_eq(inb(BASE + 2) & 3, 2, "interrupt reason: data in");
        uint32_t n = inb(BASE + 4) | (uint32_t)inb(BASE + 5) << 8;
        cr_assert(got + n <= cap);
        for (uint32_t i = 0; i < n; i += 2) {
            uint16_t v = inw(BASE);
            buf[got + i] = (uint8_t)v;
            buf[got + i + 1] = (uint8_t)(v >> 8);
        }
        got += n;
        (*chunks)++;
    }
}

static uint8_t atapi_final_status(void)
{
    cr_assert_eq(inb(BASE + 2) & 3, 3, "interrupt reason: status");
    return inb(BASE + 7);
}

Test(ide, atapi_identify_and_signature)
{
    select_drive(1, 0);
    outb(BASE + 7, 0xEC); /* IDENTIFY DEVICE: aborted, signature shown */
    wait_not_busy();
    cr_assert_eq(inb(BASE + 1) & IDE_ER_ABRT, IDE_ER_ABRT);
    cr_assert_eq(inb(BASE + 4), 0x14);
    cr_assert_eq(inb(BASE + 5), 0xEB);
    outb(BASE + 7, 0xA1);
    cr_assert_eq(wait_not_busy() & IDE_ST_DRQ, IDE_ST_DRQ);
    uint16_t w[256];
    read_words(w, 256);
    cr_assert_eq(w[0], 0x85C0);
    char model[41];
    identify_string(w, 27, 20, model);
    cr_assert(!strncmp(model, "VMM86 CD-ROM ", 13), "model '%s'", model);
}

Test(ide, atapi_read_capacity_inquiry_sense)
{
    uint8_t buf[64];
    int chunks;
    const uint8_t cap[12] = {0x25};
    send_packet(cap, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 8);
    cr_assert_eq(atapi_final_status() & IDE_ST_ERR, 0);
    cr_assert_eq(buf[3], CD_BLOCKS - 1);
    cr_assert_eq(buf[6] << 8 | buf[7], 2048);
    const uint8_t inq[12] = {0x12, 0, 0, 0, 36};
    send_packet(inq, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 36);
    cr_assert_eq(buf[0], 0x05);
    cr_assert_eq(buf[1], 0x80);
    cr_assert(!memcmp(buf + 8, "VMM86", 5));
    const uint8_t tur[12] = {0x00};
    send_packet(tur, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 0);
    cr_assert_eq(atapi_final_status() & IDE_ST_ERR, 0);
    /* Unknown opcode: CHECK CONDITION, then REQUEST SENSE tells why. */
    const uint8_t bad[12] = {0xFF};
    send_packet(bad, 0xFFFE, false);
    atapi_data_in(buf, sizeof buf, &chunks);
    cr_assert_eq(atapi_final_status() & IDE_ST_ERR, IDE_ST_ERR);
    cr_assert_eq(inb(BASE + 1) >> 4, 0x05);
    const uint8_t sense[12] = {0x03, 0, 0, 0, 18};
    send_packet(sense, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 18);
    cr_assert_eq(buf[0], 0x70);
    cr_assert_eq(buf[2], 0x05);
    cr_assert_eq(buf[12], 0x20);
}

Test(ide, atapi_read10_in_chunks)
{
    static uint8_t buf[3 * 2048];
    int chunks;
    const uint8_t rd[12] = {0x28, 0, 0, 0, 0, 3, 0, 0, 3};
    send_packet(rd, 2048, false); /* byte count limit: one block per DRQ */
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 3 * 2048);
    cr_assert_eq(chunks, 3);
    cr_assert_eq(atapi_final_status() & IDE_ST_ERR, 0);
    for (unsigned b = 0; b < 3; b++)
        for (unsigned i = 0; i < 2048; i++)
            cr_assert_eq(buf[b * 2048 + i], cd_byte(3 + b, i));
    /* READ(12), one block past the end: ILLEGAL REQUEST, LBA out of range. */
    const uint8_t rd12[12] = {0xA8, 0, 0, 0, 0, CD_BLOCKS - 1, 0, 0, 0, 2};
    send_packet(rd12, 0xFFFE, false);
    atapi_data_in(buf, sizeof buf, &chunks);
    cr_assert_eq(atapi_final_status() & IDE_ST_ERR, IDE_ST_ERR);
    const uint8_t sense[12] = {0x03, 0, 0, 0, 18};
    send_packet(sense, 0xFFFE, false);
    atapi_data_in(buf, sizeof buf, &chunks);
    cr_assert_eq(buf[2], 0x05);
    cr_assert_eq(buf[12], 0x21);
}

Test(ide, atapi_toc_mode_sense_config_events)
{
    uint8_t buf[256];
    int chunks;
    const uint8_t toc[12] = {0x43, 0, 0, 0, 0, 0, 0, 0, 100};
    send_packet(toc, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 20);
    cr_assert_eq(buf[1], 18);
    cr_assert_eq(buf[2], 1);
    cr_assert_eq(buf[6], 1);                        /* track 1 */
    cr_assert_eq(buf[14], 0xAA);                    /* lead-out */
    cr_assert_eq(buf[19], CD_BLOCKS);               /* at LBA 16 */
    const uint8_t toc_msf[12] = {0x43, 2, 0, 0, 0, 0, 0, 0, 100};
    send_packet(toc_msf, 0xFFFE, false);
    atapi_data_in(buf, sizeof buf, &chunks);
    cr_assert_eq(buf[10], 2);                       /* track 1 at 00:02:00 */
    cr_assert_eq(buf[18], 2);                       /* lead-out 00:02:16 */
    cr_assert_eq(buf[19], 16);
    const uint8_t sess[12] = {0x43, 0, 1, 0, 0, 0, 0, 0, 100};
    send_packet(sess, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 12);
    cr_assert_eq(buf[1], 10);
    const uint8_t ms[12] = {0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 200};
    send_packet(ms, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 28);
    cr_assert_eq(buf[8], 0x2A);
    const uint8_t gc[12] = {0x46, 0, 0, 0, 0, 0, 0, 0, 200};
    send_packet(gc, 0xFFFE, false);
    uint32_t n = atapi_data_in(buf, sizeof buf, &chunks);
    cr_assert_eq((uint32_t)(buf[3] + 4), n);
    cr_assert_eq(buf[7], 0x08);                     /* current profile CD-ROM */
    const uint8_t ev[12] = {0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8};
    send_packet(ev, 0xFFFE, false);
    cr_assert_eq(atapi_data_in(buf, sizeof buf, &chunks), 8);
    cr_assert_eq(buf[2], 0x04);
    cr_assert_eq(buf[5] & 0x02, 0x02);              /* media present */
    const uint8_t lock[12] = {0x1E, 0, 0, 0, 1};
    send_packet(lock, 0xFFFE, false);
    atapi_data_in(buf, sizeof buf, &chunks);
    const uint8_t eject[12] = {0x1B, 0, 0, 0, 2};
    send_packet(eject, 0xFFFE, false);
    atapi_data_in(buf, sizeof buf, &chunks);
    cr_assert_eq(atapi_final_status() & IDE_ST_ERR, IDE_ST_ERR, "locked tray refuses eject");
}

/* ---- bus-master DMA --------------------------------------------------------------------- */

static void put_prd(uint32_t at, uint32_t base, uint16_t len, bool eot)
{
    physmem_write(&mem, at, 4, base);
    physmem_write(&mem, at + 4, 4, len | (eot ? 0x80000000u : 0));
}

static void bm_start(bool to_mem, uint32_t prd)
{
    ide_bm_write(&ch, 4, 4, prd);
    ide_bm_write(&ch, 2, 1, IDE_BM_ST_INTR | IDE_BM_ST_ERROR);
    ide_bm_write(&ch, 0, 1, (to_mem ? IDE_BM_CMD_TO_MEM : 0) | IDE_BM_CMD_START);
}

Test(ide, dma_read_and_write)
{
    put_prd(0x1000, 0x20000, 1024, false);
    put_prd(0x1008, 0x30000, 512, true);
    lba28(7, 3);
    outb(BASE + 7, 0xC8); /* READ DMA */
    bm_start(true, 0x1000);
    uint8_t st = wait_not_busy();
    cr_assert_eq(st & (IDE_ST_ERR | IDE_ST_DRQ), 0);
    uint8_t bms = (uint8_t)ide_bm_read(&ch, 2, 1);
    cr_assert_eq(bms & (IDE_BM_ST_ACTIVE | IDE_BM_ST_INTR | IDE_BM_ST_ERROR), IDE_BM_ST_INTR);
    cr_assert_eq(irq_level, 1);
    for (unsigned i = 0; i < 1024; i++)
        cr_assert_eq(physmem_read(&mem, 0x20000 + i, 1), disk_byte(7 + i / 512, i % 512));
    for (unsigned i = 0; i < 512; i++)
        cr_assert_eq(physmem_read(&mem, 0x30000 + i, 1), disk_byte(9, i));
    ide_bm_write(&ch, 0, 1, 0);
    /* WRITE DMA from one 64 KiB entry (length 0 means 64 KiB) of which 2 sectors are used:
     * the engine stays active with PRD space left. */
    for (unsigned i = 0; i < 1024; i++)
        physmem_write(&mem, 0x40000 + i, 1, (uint8_t)(i * 11));
    put_prd(0x1010, 0x40000, 0, true);
    lba28(40, 2);
    outb(BASE + 7, 0xCA);
    bm_start(false, 0x1010);
    wait_not_busy();
    bms = (uint8_t)ide_bm_read(&ch, 2, 1);
    cr_assert_eq(bms & (IDE_BM_ST_ACTIVE | IDE_BM_ST_INTR), IDE_BM_ST_ACTIVE | IDE_BM_ST_INTR);
    uint8_t back[1024];
    cr_assert(disk_image_read(&disk, 40 * 512, back, sizeof back));
    for (unsigned i = 0; i < 1024; i++)
        cr_assert_eq(back[i], (uint8_t)(i * 11));
}

Test(ide, dma_waits_for_the_engine_and_short_prd_fails)
{
    put_prd(0x1000, 0x20000, 512, true); /* one sector of room for two */
    lba28(0, 2);
    outb(BASE + 7, 0xC8);
    for (int i = 0; i < 5; i++) { /* no start bit: nothing happens however long we wait */
        cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
        cr_assert(inb(CTRL) & IDE_ST_BSY);
    }
    bm_start(true, 0x1000);
    uint8_t st = wait_not_busy();
    cr_assert_eq(st & IDE_ST_ERR, IDE_ST_ERR);
    uint8_t bms = (uint8_t)ide_bm_read(&ch, 2, 1);
    cr_assert_eq(bms & (IDE_BM_ST_ERROR | IDE_BM_ST_INTR), IDE_BM_ST_ERROR | IDE_BM_ST_INTR);
    /* W1C clears the two flags. */
    ide_bm_write(&ch, 2, 1, IDE_BM_ST_ERROR | IDE_BM_ST_INTR);
    cr_assert_eq(ide_bm_read(&ch, 2, 1) & 6, 0);
}

Test(ide, dma_prd_table_without_end_is_bounded)
{
    /* 8192 zero-length-free entries of 2 bytes and no EOT, in a guest table: the walk stops. */
    for (uint32_t i = 0; i < 8192; i++)
        put_prd(0x100000 + 8 * i, 0x200000, 2, false);
    lba28(0, 64);
    outb(BASE + 7, 0xC8);
    bm_start(true, 0x100000);
    uint8_t st = wait_not_busy();
    cr_assert_eq(st & IDE_ST_ERR, IDE_ST_ERR);
    cr_assert_eq(ide_bm_read(&ch, 2, 1) & IDE_BM_ST_ERROR, IDE_BM_ST_ERROR);
}

Test(ide, atapi_dma_read10)
{
    put_prd(0x1000, 0x50000, 4096, true);
    const uint8_t rd[12] = {0x28, 0, 0, 0, 0, 9, 0, 0, 2};
    send_packet(rd, 0xFFFE, true);
    /* The packet is taken; the data waits for the bus master, busy meanwhile. */
    run_timers();
    cr_assert(inb(CTRL) & IDE_ST_BSY);
    cr_assert_eq(sched_next_deadline(&sched), SCHED_NEVER);
    bm_start(true, 0x1000);
    uint8_t st = wait_not_busy();
    cr_assert_eq(st & (IDE_ST_ERR | IDE_ST_DRQ), 0);
    cr_assert_eq(atapi_final_status() & IDE_ST_ERR, 0);
    for (unsigned b = 0; b < 2; b++)
        for (unsigned i = 0; i < 2048; i++)
            cr_assert_eq(physmem_read(&mem, 0x50000 + b * 2048 + i, 1), cd_byte(9 + b, i));
    cr_assert_eq(ide_bm_read(&ch, 2, 1) & (IDE_BM_ST_ACTIVE | IDE_BM_ST_INTR), IDE_BM_ST_INTR);
}

Test(ide, save_and_load_mid_transfer)
{
    lba28(2, 2);
    outb(BASE + 7, 0x20);
    wait_not_busy();
    uint16_t w[256];
    for (int i = 0; i < 100; i++)
        w[i] = inw(BASE);
    StateWriter sw;
    sw_init(&sw);
    ide_save(&ch, &sw);
    /* Scribble over the channel, then restore it. */
    outb(CTRL, IDE_DC_SRST);
    outb(CTRL, 0);
    StateReader sr;
    sr_init(&sr, sw.buf, sw.len);
    cr_assert(ide_load(&ch, &sr));
    for (int i = 100; i < 256; i++)
        w[i] = inw(BASE);
    expect_sector(w, 2);
    wait_not_busy();
    read_words(w, 256);
    expect_sector(w, 3);
    /* A truncated stream is refused. */
    sr_init(&sr, sw.buf, sw.len / 2);
    cr_assert_not(ide_load(&ch, &sr));
    sw_free(&sw);
}

Test(ide, write_multiple_ext_and_dma_ext)
{
    select_drive(0, 0);
    outb(BASE + 2, 2);
    outb(BASE + 7, 0xC6); /* SET MULTIPLE MODE: 2 */
    wait_not_busy();
    inb(BASE + 7);
    lba48(30, 4);
    outb(BASE + 7, 0x39); /* WRITE MULTIPLE EXT: two blocks of two sectors */
    for (int blk = 0; blk < 2; blk++) {
        cr_assert_eq(inb(CTRL) & (IDE_ST_DRQ | IDE_ST_BSY), IDE_ST_DRQ, "block %d", blk);
        for (int i = 0; i < 512; i++)
            outw(BASE, (uint16_t)(blk * 512 + i));
        cr_assert(inb(CTRL) & IDE_ST_BSY, "a full block is being written");
        cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
        inb(BASE + 7);
    }
    cr_assert_eq(irq_rises, 1 + 2, "SET MULTIPLE, then one per block");
    cr_assert_eq(inb(BASE + 7) & IDE_ST_DRQ, 0);
    /* READ DMA EXT of the same four sectors. */
    put_prd(0x1000, 0x60000, 2048, true);
    lba48(30, 4);
    outb(BASE + 7, 0x25);
    bm_start(true, 0x1000);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    for (unsigned i = 0; i < 1024; i++)
        cr_assert_eq(physmem_read(&mem, 0x60000 + 2 * i, 2), i);
    /* WRITE DMA EXT, then the file. */
    for (unsigned i = 0; i < 512; i++)
        physmem_write(&mem, 0x70000 + i, 1, (uint8_t)(i ^ 0x3C));
    put_prd(0x1008, 0x70000, 512, true);
    lba48(DISK_SECTORS - 1, 1);
    outb(BASE + 7, 0x35);
    bm_start(false, 0x1008);
    cr_assert_eq(wait_not_busy() & IDE_ST_ERR, 0);
    uint8_t back[512];
    cr_assert(disk_image_read(&disk, (DISK_SECTORS - 1) * 512, back, sizeof back));
    for (unsigned i = 0; i < 512; i++)
        cr_assert_eq(back[i], (uint8_t)(i ^ 0x3C));
}

Test(ide, execute_device_diagnostic)
{
    select_drive(1, 0);
    outb(BASE + 2, 0x55);
    outb(BASE + 7, 0x90);
    wait_not_busy();
    cr_assert_eq(irq_level, 1, "device 0 interrupts");
    cr_assert_eq(inb(BASE + 6) & 0x10, 0, "device 0 selected afterwards");
    cr_assert_eq(inb(BASE + 1), 0x01);
    cr_assert_eq(inb(BASE + 2), 1);
    cr_assert_eq(inb(BASE + 7), IDE_ST_DRDY | IDE_ST_DSC);
    select_drive(1, 0);
    cr_assert_eq(inb(BASE + 1), 0x01);
    cr_assert_eq(inb(BASE + 4), 0x14);
    cr_assert_eq(inb(BASE + 5), 0xEB);
}
