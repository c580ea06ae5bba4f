/* ide.h — an ATA/ATAPI channel (two drive positions: master and slave) with the PIIX-style
 * bus-master DMA engine.
 *
 * Contract: a channel answers its 8 command-block ports (0x1F0-0x1F7 or 0x170-0x177) and
 * its device-control/alternate-status port (0x3F6 or 0x376), and drives one IRQ line
 * (14 or 15) with the selected drive's INTRQ, gated by nIEN. Drives are ATA disks or ATAPI
 * CD-ROMs backed by a DiskImage the machine owns. Writes to the task-file registers reach
 * both drives (each keeps its own copy, with the LBA48 "previous content" registers);
 * reads come from the selected drive; a selected absent drive reads status 0 and a
 * channel with no drives reads all ones. Commands complete after a small fixed delay in
 * virtual time (a scheduler Timer): BSY until then, then DRQ for data or the final status,
 * and INTRQ as the ATA/ATAPI protocols say. Guest-given LBAs, counts, CHS values, byte
 * counts and PRD tables are checked: a sector outside the image ends the command with
 * IDNF (ATA) or ILLEGAL REQUEST / LBA out of range (ATAPI). The bus-master registers
 * (8 bytes per channel, behind the PIIX3 IDE function's BAR4) move READ/WRITE DMA and
 * ATAPI DMA data between the image and guest memory through PRD tables read with
 * physmem_read_buf; a PRD table is followed for at most 8192 entries (64 KiB). Image
 * writes are pwrite()s at once; FLUSH CACHE asks the host to make them durable.
 */
#ifndef VMM86_DEVICES_IDE_H
#define VMM86_DEVICES_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/disk_image.h"
#include "machine/savestate.h"
#include "machine/scheduler.h"
#include "softmmu/ioport.h"
#include "softmmu/physmem.h"

#define IDE_PRIMARY_BASE 0x1F0
#define IDE_PRIMARY_CTRL 0x3F6
#define IDE_PRIMARY_IRQ 14
#define IDE_SECONDARY_BASE 0x170
#define IDE_SECONDARY_CTRL 0x376
#define IDE_SECONDARY_IRQ 15

#define IDE_BUF_SIZE 65536
#define IDE_MAX_MULT 16        /* READ/WRITE MULTIPLE block size limit (IDENTIFY word 47) */
#define IDE_CMD_DELAY_NS 5000  /* every command's (and data block's) latency */
#define IDE_CD_SECTOR 2048

/* Status register bits. */
#define IDE_ST_BSY 0x80
#define IDE_ST_DRDY 0x40
#define IDE_ST_DF 0x20
#define IDE_ST_DSC 0x10
#define IDE_ST_DRQ 0x08
#define IDE_ST_ERR 0x01
/* Error register bits. */
#define IDE_ER_UNC 0x40
#define IDE_ER_IDNF 0x10
#define IDE_ER_ABRT 0x04
/* Device control register bits. */
#define IDE_DC_NIEN 0x02
#define IDE_DC_SRST 0x04
#define IDE_DC_HOB 0x80
/* Bus-master register bits. */
#define IDE_BM_CMD_START 0x01
#define IDE_BM_CMD_TO_MEM 0x08
#define IDE_BM_ST_ACTIVE 0x01
#define IDE_BM_ST_ERROR 0x02
#define IDE_BM_ST_INTR 0x04

typedef enum IdeKind { IDE_NONE = 0, IDE_DISK, IDE_CDROM } IdeKind;

/* What the channel does when its timer fires. */
typedef enum IdeAction {
    IDE_ACT_NONE = 0,
    IDE_ACT_PIO_IN,      /* load the next data-in block (ATA read) and raise DRQ */
    IDE_ACT_PIO_OUT,     /* write the block the guest sent; ask for the next or finish */
    IDE_ACT_FINISH,      /* non-data command: post the prepared status */
    IDE_ACT_DMA,         /* run the bus-master transfer */
    IDE_ACT_PACKET,      /* an ATAPI command packet arrived: execute it */
    IDE_ACT_ATAPI_CHUNK, /* ATAPI PIO data-in: next chunk, or the final status */
} IdeAction;

/* Where the data phase's bytes come from or go to. */
typedef enum IdeXfer {
    IDE_XFER_NONE = 0,
    IDE_XFER_IN,         /* device to host through the data port */
    IDE_XFER_OUT,        /* host to device through the data port */
} IdeXfer;

typedef struct IdeDrive {
    IdeKind kind;
    DiskImage *image;      /* not owned */
    uint64_t sectors;      /* 512-byte sectors (disk) or 2048-byte blocks (CD) */
    uint16_t cyls, heads, secs;             /* default geometry (IDENTIFY words 1, 3, 6) */
    uint16_t cur_cyls, cur_heads, cur_secs; /* current translation (words 54-56) */
    uint8_t mult;          /* READ/WRITE MULTIPLE block size, 0: disabled */
    uint8_t xfer_mode;     /* SET FEATURES transfer mode (PIO/MWDMA/UDMA code) */
    bool write_cache;
    char serial[21], model[41];
    /* Task file, as this drive sees it. */
    uint8_t feature, nsector, sector, lcyl, hcyl, select;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t status, error;
    bool intrq;
    /* ATAPI sense data and medium state. */
    uint8_t sense_key, asc, ascq;
    bool locked;
} IdeDrive;

typedef struct IdeBusMaster {
    uint8_t cmd;           /* start bit, direction */
    uint8_t status;        /* active, error, interrupt, drive-DMA-capable bits 5-6 */
    uint32_t prd_addr;     /* PRD table base, dword aligned */
} IdeBusMaster;

typedef struct IdeChannel {
    IdeDrive drive[2];
    int cur;               /* selected drive (DEV bit) */
    uint8_t devctl;
    IrqLine irq;
    bool irq_level;        /* level last driven */
    Scheduler *sched;
    Timer timer;
    PhysMem *mem;          /* for bus-master DMA; NULL: no DMA (ISA) */
    IdeBusMaster bm;
    /* The command in progress. */
    IdeAction action;
    int act_drive;         /* drive the command is for */
    uint8_t cmd;
    bool lba48;
    bool dma;              /* data phase by bus master */
    bool dma_to_mem;
    uint64_t lba;          /* next sector (ATA) */
    uint32_t remaining;    /* sectors left (ATA) */
    uint32_t block;        /* sectors per DRQ block */
    uint8_t final_status, final_error; /* IDE_ACT_FINISH */
    /* ATAPI data-in: `cd_remaining` bytes from image offset `cd_offset`, or `resp_len` bytes
     * of response prepared in buf (the two never at once). */
    uint64_t cd_offset;
    uint32_t cd_remaining;
    uint32_t resp_len, resp_pos;
    uint16_t byte_limit;
    /* Data port. */
    IdeXfer xfer;
    uint32_t pos, end;     /* bytes of buf done / in this block */
    uint8_t buf[IDE_BUF_SIZE];
} IdeChannel;

/* Powers the channel up (no drives yet). `mem` NULL means no bus-master DMA. */
void ide_init(IdeChannel *ch, Scheduler *sched, IrqLine irq, PhysMem *mem);
/* Attaches a drive at position 0 (master) or 1 (slave). A disk gets the default geometry
 * for its size; `index` makes its serial number unique. */
void ide_attach(IdeChannel *ch, int pos, IdeKind kind, DiskImage *image, int index);
void ide_register(IdeChannel *ch, IoPortSpace *io, uint16_t base, uint16_t ctrl);
/* Hardware reset (RESET-): the drives show their signatures, transfers stop. */
void ide_reset(IdeChannel *ch);

/* Port-level access (what the registered ports call): `reg` 0-7 in the command block. */
uint32_t ide_cmd_read(IdeChannel *ch, unsigned reg, unsigned size);
void ide_cmd_write(IdeChannel *ch, unsigned reg, unsigned size, uint32_t value);
uint8_t ide_ctrl_read(IdeChannel *ch);
void ide_ctrl_write(IdeChannel *ch, uint8_t value);
/* Bus-master registers, `reg` 0-7 of this channel's half of BAR4. */
uint32_t ide_bm_read(IdeChannel *ch, unsigned reg, unsigned size);
void ide_bm_write(IdeChannel *ch, unsigned reg, unsigned size, uint32_t value);

/* BIOS geometry of a disk at position pos (false when there is no disk there). */
bool ide_disk_geometry(const IdeChannel *ch, int pos, uint16_t *cyls, uint8_t *heads,
                       uint8_t *secs);

void ide_save(const IdeChannel *ch, StateWriter *w);
bool ide_load(IdeChannel *ch, StateReader *r);

#endif
