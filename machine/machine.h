/* machine.h — the board: an explicit, ordered table of the parts of a PC, and the run loop.
 *
 * Contract: machine_create() builds the CPU, memory map, port space, scheduler and devices
 * for a MachineConfig, loading the firmware image; a bad image gives one error line in
 * `err` and false. machine_run() runs the guest until it powers off, exits through the
 * debug-exit port, halts for good (with exit_on_halt), hits max_insns, or shuts down with
 * no_reboot; it returns the process exit status. The host side (consoles, files) is given
 * as CharSinks; nothing in here reads the host clock except the optional idle pacing,
 * which never changes what the guest sees. Host input reaches the guest only through the
 * input gate (machine/input_gate.h), serviced between instruction slices (the RTC's
 * wall-clock time is its INPUT_CLOCK record at power-on, count 0); while the CPU
 * idles the loop waits on the host's input instead of spinning. With a kernel_path the
 * machine boots that kernel directly (machine/kernel_loader.h): no firmware runs (a
 * bios_path, if given, is still mapped), and a guest reset loads and enters it again.
 * Resets: port 92h bit 0, the i8042's output-port reset line (pulse FEh, or D1h with bit
 * 0 clear), the PIIX3's CF9h (RCPU set, -M pc) and a triple fault each reset the whole
 * machine (CPU RESET state, every device, the PAM/upper-memory ROM images; RAM and CMOS RAM
 * kept), as QEMU does; a real board turns most of them into an INIT of the CPU alone, which
 * is not modelled. With no_reboot the run ends there with status 0 instead.
 */
#ifndef VMM86_MACHINE_MACHINE_H
#define VMM86_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/engine.h"
#include "devices/acpi_pm.h"
#include "devices/debug_exit.h"
#include "devices/debugcon.h"
#include "devices/device.h"
#include "devices/fw_cfg.h"
#include "devices/fpu_irq13.h"
#include "devices/i440fx.h"
#include "devices/ide.h"
#include "devices/pci.h"
#include "devices/piix3.h"
#include "devices/port80.h"
#include "devices/i8042.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/port92.h"
#include "devices/rtc_cmos.h"
#include "devices/shutdown_port.h"
#include "devices/uart.h"
#include "devices/vga.h"
#include "devices/vga_pci.h"
#include "machine/e820.h"
#include "machine/input_gate.h"
#include "machine/kernel_loader.h"
#include "machine/disk_image.h"
#include "machine/scheduler.h"
#include "softmmu/ioport.h"
#include "softmmu/physmem.h"

/* Exit statuses of vmm86 itself (the debug-exit port gives odd ones). */
#define EXIT_OK 0
#define EXIT_USAGE 2
#define EXIT_MAX_INSNS 4
#define EXIT_INTERNAL 70

#define MACHINE_IDE_DRIVES 4 /* primary master, primary slave, secondary master, slave */

typedef struct MachineDrive {
    const char *path;      /* raw image, NULL: no drive at this position */
    bool cdrom;
} MachineDrive;

typedef struct MachineConfig {
    bool isapc;            /* -M isapc: no PCI */
    uint32_t ram_bytes;
    const char *bios_path; /* firmware image; NULL: none (direct kernel boot) */
    const char *kernel_path;    /* -kernel: boot this directly, or NULL */
    const char *initrd_path;    /* -initrd: comma-separated files, or NULL */
    const char *kernel_cmdline; /* -append, or NULL */
    InputSource input;     /* host bytes for COM1 (fd -1: none) */
    bool no_reboot;
    bool exit_on_halt;
    uint64_t max_insns;    /* 0: unlimited */
    unsigned icount_shift;
    bool no_sleep;         /* do not pace idle time to the host clock */
    CharSink serial[2];    /* COM1, COM2 outputs */
    bool debugcon;
    uint16_t debugcon_port;
    CharSink debugcon_out;
    bool debug_exit;
    uint16_t debug_exit_port, debug_exit_size;
    InputClockSpec rtc_clock; /* the RTC's time at power-on: the host's clock or a fixed
                               * date, delivered by the input gate as an INPUT_CLOCK record */
    InputRecorder recorder;   /* sees every input record from power-on on, or NULL */
    void *recorder_opaque;
    MachineDrive drives[MACHINE_IDE_DRIVES];
    bool snapshot;         /* disk writes go to temporary overlays */
    char boot_order[4];    /* up to 3 of 'a', 'c', 'd', 'n'; empty: disk, then CD-ROM */
    bool boot_menu;        /* SeaBIOS shows its boot menu */
    bool nographic;        /* tell the firmware there is no display (serial console) */
    bool no_vga;           /* -vga none: no VGA card */
    const char *vga_rom_path; /* VGA BIOS mapped read-only at 0xC0000, or NULL */
    EngineConfig engine;   /* --engine and --jit-cache */
} MachineConfig;

struct Machine {
    MachineConfig cfg;
    CpuState cpu;
    PhysMem mem;
    IoPortSpace io;
    Scheduler sched;
    DebugCon debugcon;
    DebugExit debug_exit;
    Port92 port92;
    DualPic pic;
    Pit pit;
    RtcCmos rtc;
    Uart uart[2];
    I8042 kbc;
    ShutdownPort shutdown;
    FpuIrq13 fpu_irq13;    /* FERR# -> IRQ 13, port F0h -> IGNNE# */
    Port80 port80;
    FwCfg fw_cfg;
    PciBus pci;            /* -M pc only, like the two below */
    I440fx i440fx;
    Piix3 piix3;
    AcpiPm acpi_pm;        /* -M pc: PIIX4 power management 00:01.3 (SCI, PM timer, S5) */
    IdeChannel ide[2];     /* primary, secondary */
    DiskImage disks[MACHINE_IDE_DRIVES];
    uint8_t *isapc_upper_mem; /* -M isapc: 0xC0000-0xFFFFF as at power-on (board_pc.c) */
    Vga vga;               /* vga.vram is NULL with -vga none */
    VgaPci vga_pci;        /* -M pc: the VGA as PCI function 00:02.0 (has_vga_pci) */
    bool has_vga_pci;
    /* Called by machine_run between instruction slices and while pacing idle time (the
     * display polls its window here); never changes guest-visible state by itself. */
    void (*host_poll)(void *opaque);
    void *host_poll_opaque;
    InputGate input;       /* the one entry of host input */
    E820Map e820;          /* the memory map firmware interfaces report */
    uint32_t bios_size;    /* bytes of firmware mapped below 4 GiB (0: none) */
    bool has_kernel;       /* direct kernel boot: `kernel` is loaded at every reset */
    KernelImage kernel;
    bool reset_requested;  /* a device asked for a system reset */
    bool power_off;        /* the guest powered the machine off */
    uint64_t host_start_ns;
    uint64_t resets;
};

/* Builds the machine. Returns NULL with a one-line reason in err. */
Machine *machine_create(const MachineConfig *cfg, char *err, size_t errlen);
void machine_destroy(Machine *m);
void machine_reset(Machine *m);
int machine_run(Machine *m);
void machine_print_stats(const Machine *m, double seconds);

#endif
