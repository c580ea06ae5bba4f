/* machine.c — board assembly and the run loop (see machine.h). */
#include "machine/machine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "machine/acpi_tables.h"
#include "machine/board_pc.h"
#include "machine/log.h"
#include "softmmu/mmu.h"

#define BIOS_MAX_SIZE (16u << 20)
#define LOW_BIOS_MAX (128u << 10) /* the part of the image visible below 1 MiB */

static bool set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static uint64_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Reads the whole firmware file, checking its size is one a PC can map. */
static uint8_t *read_bios(const char *path, uint32_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "cannot open BIOS image '%s': %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len <= 0 || len > (long)BIOS_MAX_SIZE || (len % 65536) != 0) {
        set_err(err, errlen,
                "BIOS image '%s' has size %ld: it must be a non-zero multiple of 64 KiB, "
                "at most 16 MiB",
                path, len);
        fclose(f);
        return NULL;
    }
    rewind(f);
    buf = malloc((size_t)len);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        set_err(err, errlen, "cannot read BIOS image '%s'", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (uint32_t)len;
    return buf;
}

/* The firmware sits at the top of the 4 GiB space; its last 128 KiB also appear just below
 * 1 MiB, where the reset vector F000:FFF0 and real-mode BIOS code expect it. */
static bool map_bios(Machine *m, char *err, size_t errlen)
{
    if (!m->cfg.bios_path)
        return true; /* a direct kernel boot runs no firmware */
    uint32_t size;
    uint8_t *image = read_bios(m->cfg.bios_path, &size, err, errlen);
    if (!image)
        return false;
    uint32_t low = size < LOW_BIOS_MAX ? size : LOW_BIOS_MAX;
    bool ok = physmem_map_rom(&m->mem, (uint32_t)(0x100000000ull - size), image, size) &&
              physmem_map_rom(&m->mem, 0x100000 - low, image + size - low, low);
    free(image);
    if (!ok)
        return set_err(err, errlen, "out of memory mapping the BIOS image");
    m->bios_size = size;
    return true;
}

/* ---- hooks from devices ----------------------------------------------------------------- */

static void hook_set_a20(void *opaque, bool on) { mmu_set_a20(&((Machine *)opaque)->cpu, on); }
static bool hook_get_a20(void *opaque) { return ((Machine *)opaque)->cpu.a20_enabled; }
static void hook_request_reset(void *opaque)
{
    Machine *m = opaque;
    m->reset_requested = true;
    m->cpu.exit_request = true;
}

static void hook_power_off(void *opaque)
{
    Machine *m = opaque;
    m->power_off = true;
    m->cpu.exit_request = true;
}

/* The interrupt controller drives the CPU's INTR pin; the CPU's INTA reads the vector. */
static void cpu_intr_set(void *opaque, int n, int level)
{
    (void)n;
    ((CpuState *)opaque)->intr = level != 0;
}
static int cpu_intr_ack(void *opaque) { return pic_acknowledge(opaque); }

/* A device armed a timer that falls before the end of the CPU's current slice (it was
 * sized for the deadlines known when it began): end the slice there. The exit request
 * makes translated code, which keeps its budget in a register, return to the loop. */
static void hook_earlier_deadline(void *opaque)
{
    Machine *m = opaque;
    CpuState *cpu = &m->cpu;
    uint64_t n = sched_insns_to_deadline(&m->sched, UINT64_MAX);
    if (cpu->icount < cpu->icount_limit && n < cpu->icount_limit - cpu->icount) {
        cpu->icount_limit = cpu->icount + n;
        cpu->exit_request = true;
    }
}

/* The TSC's clock: virtual time in instructions' worth (one tick per instruction at any
 * -icount shift), idle jumps included, so a guest that measures time with RDTSC (Linux's
 * clocksource and sched_clock) sees its idle time pass: a TSC counting retired instructions
 * only made a 20 ms nanosleep in an idle guest take 50 s of timer ticks. The sum is shifted
 * once, so the fractions of many short idle jumps are not lost one by one. */
static uint64_t tsc_clock(void *opaque)
{
    const Scheduler *s = opaque;
    return sched_now(s) >> s->shift;
}

/* ---- assembly ----------------------------------------------------------------------------- */

static void flush_tlbs(void *opaque) { mmu_flush_all(&((Machine *)opaque)->cpu); }

/* Hands the VGA BIOS to SeaBIOS. On isapc the card is ISA and its BIOS goes to fw_cfg's
 * "vgaroms/". On the PCI board the card is QEMU's std VGA (1234:1111 at 00:02.0) and its
 * BIOS is that function's ROM ("pci1234,1111.rom"), which SeaBIOS runs with the function's
 * address so the BIOS finds the frame buffer in BAR 0. */
static bool offer_vga(Machine *m)
{
    if (m->cfg.isapc)
        return !m->vga.rom || board_pc_add_vga_rom(m, m->vga.rom, m->vga.rom_size);
    vga_pci_init(&m->vga_pci, &m->pci, VGA_PCI_DEVFN, &m->vga, flush_tlbs, m);
    m->has_vga_pci = true;
    return !m->vga.rom ||
           fw_cfg_add_file(&m->fw_cfg, VGA_PCI_ROM_NAME, m->vga.rom, m->vga.rom_size);
}

/* The VGA card and its BIOS at 0xC0000, where a BIOS that scans for option ROMs finds it.
 * On isapc the linear frame buffer sits at the Bochs default address; on the PCI board it
 * follows the std VGA's BAR 0 (offer_vga). */
static bool setup_vga(Machine *m, char *err, size_t errlen)
{
    if (!vga_init(&m->vga, &m->sched))
        return set_err(err, errlen, "cannot allocate video memory");
    vga_register(&m->vga, &m->io, &m->mem, m->cfg.isapc ? VGA_LFB_DEFAULT_BASE : 0);
    if (!m->cfg.vga_rom_path)
        return true;
    if (!vga_load_rom(&m->vga, m->cfg.vga_rom_path, err, errlen))
        return false;
    if (!physmem_map_rom(&m->mem, VGA_ROM_BASE, m->vga.rom, m->vga.rom_size))
        return set_err(err, errlen, "out of memory mapping the VGA BIOS");
    return true;
}

/* Direct kernel boot: writes the kernel and its boot data into RAM and starts the CPU at
 * its entry point, in the state the boot protocol promises (at power-on and every reset). */
static bool enter_kernel(Machine *m, char *err, size_t errlen)
{
    BootEntry entry;
    /* -M pc: the PM block and ACPI tables a BIOS would have set up (after a reset too, as
     * the chipset's PAM registers start over); the guest powers off through them. */
    if (!acpi_tables_install_direct(m, err, errlen))
        return false;
    if (!m->cfg.isapc)
        piix3_firmware_setup(&m->piix3); /* else Linux's ata_piix sees both channels off */
    if (!kernel_image_load(&m->kernel, &m->mem, &m->e820, &entry, err, errlen))
        return false;
    kernel_boot_enter(&m->cpu, &entry);
    return true;
}

static bool setup_kernel(Machine *m, char *err, size_t errlen)
{
    if (!kernel_image_open(&m->kernel, m->cfg.kernel_path, m->cfg.initrd_path,
                           m->cfg.kernel_cmdline, err, errlen))
        return false;
    m->has_kernel = true;
    return enter_kernel(m, err, errlen);
}

Machine *machine_create(const MachineConfig *cfg, char *err, size_t errlen)
{
    Machine *m = calloc(1, sizeof *m);
    if (!m) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    if (!physmem_init(&m->mem, cfg->ram_bytes)) {
        set_err(err, errlen, "cannot allocate %u MiB of guest RAM", cfg->ram_bytes >> 20);
        free(m);
        return NULL;
    }
    /* The legacy VGA window and the ROM area below 1 MiB are not RAM on a PC. */
    physmem_unmap(&m->mem, 0xA0000, 0x60000);
    if (!map_bios(m, err, errlen)) {
        physmem_free(&m->mem);
        free(m);
        return NULL;
    }
    ioport_init(&m->io);
    cpu_init(&m->cpu, &m->mem, &m->io);
    m->cpu.machine = m;
    sched_init(&m->sched, &m->cpu.icount, cfg->icount_shift);
    m->sched.earlier_deadline = hook_earlier_deadline;
    m->sched.earlier_deadline_opaque = m;
    m->cpu.clock = tsc_clock;
    m->cpu.clock_opaque = &m->sched;

    /* The device table, in the order devices are created and reset. */
    pic_init(&m->pic, (IrqLine){cpu_intr_set, &m->cpu, 0});
    pic_register(&m->pic, &m->io);
    m->cpu.intr_ack = cpu_intr_ack;
    m->cpu.intr_opaque = &m->pic;
    fpu_irq13_init(&m->fpu_irq13, pic_irq_line(&m->pic, 13), &m->cpu.ignne);
    fpu_irq13_register(&m->fpu_irq13, &m->io);
    m->cpu.ferr = fpu_irq13_ferr;
    m->cpu.ferr_opaque = &m->fpu_irq13;
    pit_init(&m->pit, &m->sched, pic_irq_line(&m->pic, 0));
    pit_register(&m->pit, &m->io);
    /* The time is host input: the gate's INPUT_CLOCK record sets it once the gate exists
     * (below); until then the clock holds the epoch, and nothing reads it. */
    rtc_cmos_init(&m->rtc, &m->sched, pic_irq_line(&m->pic, 8), 0);
    rtc_cmos_set_memory_size(&m->rtc, cfg->ram_bytes);
    rtc_cmos_register(&m->rtc, &m->io);
    static const uint16_t com_base[2] = {0x3F8, 0x2F8};
    static const int com_irq[2] = {4, 3};
    for (int i = 0; i < 2; i++) {
        uart_init(&m->uart[i], &m->sched, pic_irq_line(&m->pic, com_irq[i]), cfg->serial[i]);
        uart_register(&m->uart[i], &m->io, com_base[i]);
        /* A console that polls THRE per byte would spend ~87k instructions a character at
         * wire speed; the transmitter takes no virtual time (still deterministic). */
        uart_set_instant_tx(&m->uart[i], true);
    }
    i8042_init(&m->kbc, pic_irq_line(&m->pic, 1), pic_irq_line(&m->pic, 12),
               (I8042Callbacks){hook_set_a20, hook_request_reset, m});
    i8042_register(&m->kbc, &m->io);
    shutdown_port_init(&m->shutdown, hook_power_off, m);
    shutdown_port_register(&m->shutdown, &m->io);
    port92_init(&m->port92, (Port92Hooks){hook_set_a20, hook_get_a20, hook_request_reset, m});
    port92_register(&m->port92, &m->io);
    if (cfg->debugcon) {
        debugcon_init(&m->debugcon, cfg->debugcon_port, cfg->debugcon_out);
        debugcon_register(&m->debugcon, &m->io);
    }
    if (cfg->debug_exit) {
        debug_exit_init(&m->debug_exit, cfg->debug_exit_port, cfg->debug_exit_size,
                        &m->cpu.exit_request);
        debug_exit_register(&m->debug_exit, &m->io);
    }
    if (!cfg->no_vga && !setup_vga(m, err, errlen)) {
        machine_destroy(m);
        return NULL;
    }
    /* PCI, IDE and fw_cfg come after every ROM is mapped: the i440FX's PAM keeps what is
     * at 0xC0000-0xFFFFF now as the ROM side of its shadow switches. */
    if (!board_pc_setup(m, err, errlen)) {
        machine_destroy(m);
        return NULL;
    }
    if (m->vga.vram && !offer_vga(m)) {
        set_err(err, errlen, "out of memory offering the VGA BIOS to the firmware");
        machine_destroy(m);
        return NULL;
    }
    e820_build_pc(&m->e820, cfg->ram_bytes, m->bios_size);
    input_gate_init(&m->input, &m->sched, &m->cpu.icount, &m->uart[0], &m->kbc);
    input_gate_set_source(&m->input, &cfg->input);
    input_gate_set_rtc(&m->input, &m->rtc);
    input_gate_set_recorder(&m->input, cfg->recorder, cfg->recorder_opaque);
    input_gate_power_on_clock(&m->input, &cfg->rtc_clock); /* icount 0: nothing ran yet */
    if (cfg->kernel_path && !setup_kernel(m, err, errlen)) {
        machine_destroy(m);
        return NULL;
    }
    if (!engine_init(&m->cpu, &cfg->engine, err, errlen)) {
        machine_destroy(m);
        return NULL;
    }
    m->host_start_ns = host_now_ns();
    return m;
}

void machine_destroy(Machine *m)
{
    if (!m)
        return;
    vga_free(&m->vga);
    board_pc_free(m);
    kernel_image_free(&m->kernel);
    engine_destroy(&m->cpu);
    physmem_free(&m->mem);
    free(m);
}

void machine_reset(Machine *m)
{
    if (log_enabled(LOG_CPU_RESET))
        log_printf("reset at icount %llu\n", (unsigned long long)m->cpu.icount);
    m->resets++;
    cpu_reset(&m->cpu);
    pic_reset(&m->pic);
    pit_reset(&m->pit);
    rtc_cmos_reset(&m->rtc);
    for (int i = 0; i < 2; i++)
        uart_reset(&m->uart[i]);
    i8042_reset(&m->kbc);
    shutdown_port_reset(&m->shutdown);
    fpu_irq13_reset(&m->fpu_irq13);
    port92_reset(&m->port92);
    board_pc_reset(m);
    if (m->vga.vram)
        vga_reset(&m->vga);
    if (m->has_vga_pci)
        vga_pci_reset(&m->vga_pci);
    m->reset_requested = false;
    char err[256];
    if (m->has_kernel && !enter_kernel(m, err, sizeof err))
        fprintf(stderr, "vmm86: reloading the kernel after a reset: %s\n", err);
}

/* ---- run loop ------------------------------------------------------------------------------ */

/* The display's event pump, run by the input gate between slices and every 10 ms while
 * the host waits: it ends a wait when the window closed or the guest has an interrupt. */
static bool poll_display(void *opaque)
{
    Machine *m = opaque;
    m->host_poll(m->host_poll_opaque);
    return m->cpu.exit_request || m->cpu.intr;
}

/* Keeps idle virtual time from running ahead of host time (unless sleep=off). The host
 * waits on its input meanwhile, so a key typed during the wait reaches the guest at once. */
static void pace_idle(Machine *m)
{
    if (m->cfg.no_sleep)
        return;
    uint64_t guest = sched_now(&m->sched);
    uint64_t host = host_now_ns() - m->host_start_ns;
    if (guest > host)
        input_gate_wait(&m->input, (int64_t)(guest - host));
}

/* After an open-ended wait for host input, idle virtual time catches up with host time
 * (unless sleep=off), so the guest's clock does not stand still while nobody types. */
static void catch_up_idle(Machine *m)
{
    if (m->cfg.no_sleep)
        return;
    uint64_t guest = sched_now(&m->sched);
    uint64_t host = host_now_ns() - m->host_start_ns;
    if (host > guest)
        sched_skip_idle(&m->sched, host - guest);
}

int machine_run(Machine *m)
{
    CpuState *cpu = &m->cpu;
    const uint64_t slice = 1u << 20; /* longest run between checks when no timer is armed */
    if (m->host_poll && !m->input.poller)
        input_gate_set_poller(&m->input, poll_display, m, 10000000u);
    for (;;) {
        uint64_t budget = sched_insns_to_deadline(&m->sched, slice);
        if (m->cfg.max_insns) {
            if (cpu->icount >= m->cfg.max_insns) {
                fprintf(stderr, "vmm86: stopped after %llu instructions (--max-insns)\n",
                        (unsigned long long)cpu->icount);
                return EXIT_MAX_INSNS;
            }
            uint64_t left = m->cfg.max_insns - cpu->icount;
            if (budget > left)
                budget = left;
        }
        CpuExit why = engine_run(cpu, budget);
        sched_run_due(&m->sched);
        /* An instruction boundary: host input enters here and only here. */
        bool delivered = input_gate_service(&m->input);
        if (input_gate_quit_requested(&m->input))
            return EXIT_OK;

        if (m->cfg.debug_exit && m->debug_exit.requested)
            return m->debug_exit.status;
        if (m->power_off)
            return EXIT_OK;
        if (why == CPU_EXIT_SHUTDOWN || m->reset_requested) {
            if (log_enabled(LOG_CPU_RESET))
                log_printf("%s at eip %08x\n", why == CPU_EXIT_SHUTDOWN ? "triple fault" : "reset request",
                           cpu->eip);
            if (m->cfg.no_reboot)
                return EXIT_OK;
            machine_reset(m);
            continue;
        }
        if (why == CPU_EXIT_HALT && !delivered) {
            bool can_wake = (cpu->eflags & FL_IF) || cpu->nmi_pending;
            if (!can_wake && m->cfg.exit_on_halt)
                return EXIT_OK;
            bool armed = sched_skip_to_next(&m->sched);
            if (!armed) {
                if (m->cfg.exit_on_halt && !can_wake)
                    return EXIT_OK;
                /* No timer is armed: only host input can wake the CPU now. */
                if (can_wake && input_gate_wait(&m->input, -1)) {
                    catch_up_idle(m);
                    continue;
                }
                fprintf(stderr, "vmm86: the CPU halted with nothing left to wake it\n");
                return EXIT_OK;
            }
            pace_idle(m);
            sched_run_due(&m->sched);
        }
    }
}

void machine_print_stats(const Machine *m, double seconds)
{
    const CpuState *c = &m->cpu;
    extern uint64_t interp_unimplemented_count;
    fprintf(stderr,
            "vmm86 stats:\n"
            "  instructions       %llu\n"
            "  host seconds       %.3f\n"
            "  guest MIPS         %.1f\n"
            "  virtual time (ms)  %.3f\n"
            "  exceptions         %llu\n"
            "  interrupts         %llu\n"
            "  tlb misses         %llu\n"
            "  tlb flushes        %llu\n"
            "  port accesses      %llu\n"
            "  unimplemented ops  %llu\n"
            "  resets             %llu\n",
            (unsigned long long)c->icount, seconds,
            seconds > 0 ? (double)c->icount / seconds / 1e6 : 0.0,
            (double)sched_now(&m->sched) / 1e6, (unsigned long long)c->stats.exceptions,
            (unsigned long long)c->stats.interrupts, (unsigned long long)c->stats.tlb_misses,
            (unsigned long long)c->stats.tlb_flushes, (unsigned long long)c->stats.io_accesses,
            (unsigned long long)interp_unimplemented_count, (unsigned long long)m->resets);
    engine_print_stats(c, stderr);
}
