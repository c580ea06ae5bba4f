/* rtc_cmos.h — the MC146818 real-time clock with 128 bytes of CMOS RAM (ports 0x70/0x71,
 * IRQ 8).
 *
 * Contract: port 0x70 selects a CMOS index (bits 0..6); its bit 7 is the PC's NMI mask
 * latch, exposed through rtc_nmi_masked() for the machine. Port 0x71 reads and writes the
 * selected byte. Bytes 0x00..0x0D are the clock (time, alarm, registers A..D), the rest is
 * NVRAM that firmware reads (memory size, disks, boot order), filled by the helpers below.
 *
 * Time: the clock starts at the wall-clock time given to rtc_cmos_init or, on the machine,
 * set right after it by the input gate's INPUT_CLOCK record at power-on (rtc_cmos_set_time,
 * Unix seconds: the host's clock or `-rtc base=`), and afterwards advances only with
 * the scheduler's virtual time: a 32.768 kHz divider chain whose phase starts at init (or
 * when the guest releases the divider reset), an update cycle every second, UIP high for
 * the 244 us before each update. The time registers hold the guest's format (BCD or binary,
 * 12- or 24-hour) exactly as the chip does: changing DM or 24/12 does not convert them.
 * State that no interrupt depends on (time registers, PF/UF/AF flags) is brought up to date
 * lazily when the guest touches the chip; a Timer is armed only for the next periodic,
 * update or alarm event whose interrupt is enabled and would change the IRQ line.
 * Leap years follow the chip: every year divisible by 4 (right for 1901..2099). The
 * century byte (0x32) is carried on a 99->00 year rollover, as the DS12887-class parts on
 * PCs do; the original MC146818 leaves it alone. After more than two days without a guest
 * access the clock skips whole days, where the daylight-saving rule (DSE) is not applied.
 */
#ifndef VMM86_DEVICES_RTC_CMOS_H
#define VMM86_DEVICES_RTC_CMOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "machine/scheduler.h"
#include "softmmu/ioport.h"

#define RTC_CMOS_PORT 0x70
#define RTC_CMOS_IRQ 8
#define RTC_CMOS_SIZE 128

/* Clock register indexes. */
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06 /* 1 = Sunday */
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0A
#define RTC_REG_B 0x0B
#define RTC_REG_C 0x0C
#define RTC_REG_D 0x0D

/* NVRAM bytes with a fixed meaning (IBM AT map, plus the Bochs/QEMU bytes SeaBIOS reads). */
#define RTC_CMOS_SHUTDOWN 0x0F
#define RTC_CMOS_FLOPPY_TYPES 0x10 /* high nibble drive A, low nibble drive B */
#define RTC_CMOS_DISK_TYPES 0x12   /* high nibble disk 0, low nibble disk 1; 0xF = see 0x19 */
#define RTC_CMOS_EQUIPMENT 0x14
#define RTC_CMOS_BASE_MEM_LO 0x15  /* KiB of base memory (640) */
#define RTC_CMOS_EXT_MEM_LO 0x17   /* KiB above 1 MiB, capped at 0xFFFF; copy at 0x30 */
#define RTC_CMOS_DISK0_EXT_TYPE 0x19
#define RTC_CMOS_DISK1_EXT_TYPE 0x1A
#define RTC_CMOS_DISK0_PARAMS 0x1B /* 9 bytes per disk: 0x1B.. disk 0, 0x24.. disk 1 */
#define RTC_CMOS_CHECKSUM_HI 0x2E  /* sum of 0x10..0x2D, high byte first */
#define RTC_CMOS_EXT_MEM2_LO 0x30
#define RTC_CMOS_CENTURY 0x32
#define RTC_CMOS_MEM_16M_LO 0x34   /* 64 KiB blocks above 16 MiB (below 4 GiB) */
#define RTC_CMOS_BOOT_FLAG1 0x38   /* high nibble: third boot device; bit 0: no floppy sig check */
#define RTC_CMOS_DISK_XLAT 0x39    /* 2 bits per ATA disk, 4 disks per byte (0x39, 0x3A) */
#define RTC_CMOS_BOOT_FLAG2 0x3D   /* low nibble first boot device, high nibble second */
#define RTC_CMOS_MEM_4G_LO 0x5B    /* 64 KiB blocks above 4 GiB, 24 bits (0x5B..0x5D) */
#define RTC_CMOS_SMP_COUNT 0x5F    /* CPUs - 1 */

/* Below-4-GiB RAM ends here when rtc_cmos_set_memory_size splits a large RAM (PCI hole). */
#define RTC_CMOS_LOWMEM_LIMIT 0xE0000000ull

typedef enum RtcFloppyType {
    RTC_FLOPPY_NONE = 0,
    RTC_FLOPPY_360K = 1,
    RTC_FLOPPY_1200K = 2,
    RTC_FLOPPY_720K = 3,
    RTC_FLOPPY_1440K = 4,
    RTC_FLOPPY_2880K = 5,
} RtcFloppyType;

typedef enum RtcBootDevice {
    RTC_BOOT_NONE = 0,
    RTC_BOOT_FLOPPY = 1,
    RTC_BOOT_DISK = 2,
    RTC_BOOT_CDROM = 3,
    RTC_BOOT_NETWORK = 4,
} RtcBootDevice;

typedef enum RtcDiskTranslation {
    RTC_XLAT_NONE = 0,
    RTC_XLAT_LBA = 1,
    RTC_XLAT_LARGE = 2,
    RTC_XLAT_RECHS = 3,
} RtcDiskTranslation;

typedef struct RtcCmos {
    Scheduler *sched;
    IrqLine irq;
    Timer timer;            /* next periodic/update/alarm event that can raise IRQ 8 */
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;          /* selected byte, 0..127 */
    bool nmi_masked;        /* port 0x70 bit 7 */
    uint64_t origin_ns;     /* virtual time of divider tick 0 (32768 ticks per second) */
    uint64_t updates_seen;  /* update cycles accounted since origin */
    uint64_t periods_seen;  /* periodic-rate ticks accounted since origin */
    bool dst_done;          /* the October fall-back already happened today */
    bool irq_level;
} RtcCmos;

/* Read-only snapshot for the monitor, with the clock brought up to date. */
typedef struct RtcCmosInfo {
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    bool nmi_masked;
    bool irq_level;
    bool running;           /* divider in normal operation and SET clear */
    uint64_t period_ns;     /* periodic interrupt period, 0 if none */
    uint64_t next_event_ns; /* armed timer deadline or SCHED_NEVER */
} RtcCmosInfo;

/* Power-on: NVRAM cleared except base memory (640 KiB) and the equipment byte; register A
 * 0x26 (32.768 kHz, 1024 Hz rate), B 0x02 (24-hour, BCD), D 0x80; the clock set to
 * `unix_seconds` (UTC; values before 1970 are clamped to 1970). */
void rtc_cmos_init(RtcCmos *rtc, Scheduler *sched, IrqLine irq8, int64_t unix_seconds);
/* Registers ports 0x70 and 0x71. */
void rtc_cmos_register(RtcCmos *rtc, IoPortSpace *io);
/* The chip's RESET pin: clears PIE, AIE, UIE, SQWE and the flags in C, lowers IRQ 8.
 * Time, registers A, D and NVRAM are kept. The NMI mask latch is cleared. */
void rtc_cmos_reset(RtcCmos *rtc);
/* Sets the clock registers to `unix_seconds` in the current BCD/binary and 12/24 format. */
void rtc_cmos_set_time(RtcCmos *rtc, int64_t unix_seconds);

bool rtc_nmi_masked(const RtcCmos *rtc);

/* Port-level access, as the dispatcher calls it (offset 0 = index port, 1 = data port). */
uint8_t rtc_cmos_read(RtcCmos *rtc, unsigned offset);
void rtc_cmos_write(RtcCmos *rtc, unsigned offset, uint8_t value);

/* Firmware configuration. rtc_cmos_set writes a raw NVRAM byte (index & 0x7F) and
 * refreshes the checksum when the byte is inside 0x10..0x2D; every helper below does the
 * same. Clock registers (0x00..0x0D) are best set through the ports or set_time. */
void rtc_cmos_set(RtcCmos *rtc, unsigned index, uint8_t value);
uint8_t rtc_cmos_get(const RtcCmos *rtc, unsigned index); /* raw byte, no side effects */
void rtc_cmos_update_checksum(RtcCmos *rtc);
/* 0x15/0x16 base memory, 0x17/0x18 and 0x30/0x31 KiB above 1 MiB, 0x34/0x35 64 KiB
 * blocks above 16 MiB, 0x5B..0x5D 64 KiB blocks above 4 GiB. The _size form puts RAM
 * above RTC_CMOS_LOWMEM_LIMIT above 4 GiB, leaving the hole for PCI. */
void rtc_cmos_set_memory_layout(RtcCmos *rtc, uint64_t below_4g, uint64_t above_4g);
void rtc_cmos_set_memory_size(RtcCmos *rtc, uint64_t ram_bytes);
/* Floppy drive 0 (A:) or 1 (B:): type nibble at 0x10, drive count in the equipment byte. */
bool rtc_cmos_set_floppy(RtcCmos *rtc, unsigned drive, RtcFloppyType type);
/* Hard disk 0 or 1: type 0xF at 0x12, extended type 47 (user-defined) at 0x19/0x1A, and
 * the 9-byte parameter block: cylinders, heads, write precompensation (none), control byte,
 * landing zone, sectors per track. cylinders 0 removes the disk. */
bool rtc_cmos_set_hd_geometry(RtcCmos *rtc, unsigned drive, uint16_t cylinders, uint8_t heads,
                              uint8_t sectors);
/* BIOS translation of ATA disk 0..7 (channel * 2 + slave), as SeaBIOS reads 0x39/0x3A. */
bool rtc_cmos_set_disk_translation(RtcCmos *rtc, unsigned ata_disk, RtcDiskTranslation mode);
/* Up to three boot devices in order (0x3D low/high nibble, 0x38 high nibble); bit 0 of 0x38
 * set when the floppy boot-sector signature check is to be skipped. */
void rtc_cmos_set_boot_order(RtcCmos *rtc, const RtcBootDevice *order, size_t n,
                             bool check_floppy_signature);

void rtc_cmos_get_info(const RtcCmos *rtc, RtcCmosInfo *info);

void rtc_cmos_save(const RtcCmos *rtc, StateWriter *w);
bool rtc_cmos_load(RtcCmos *rtc, StateReader *r);

#endif
