/* kernel_loader.h — direct kernel boot (-kernel, -initrd, -append) without firmware.
 *
 * Contract: kernel_image_open() reads the kernel and the -initrd files into host memory and
 * recognises the kernel's format: a Linux bzImage (32-bit boot protocol 2.04 or later) or a
 * multiboot (v1) kernel, ELF32 or with the a.out-kludge header. kernel_image_load() writes
 * the kernel, its modules or initrd and the boot information into guest RAM, checking every
 * address and length against the board's memory map (machine/e820.h), and fills a
 * BootEntry; kernel_boot_enter() then puts the CPU in the state the protocol promises:
 * 32-bit protected mode, paging off, interrupts off, A20 on, flat 4 GiB segments from a
 * GDT we write (selector 0x10 code, 0x18 data: Linux's __BOOT_CS/__BOOT_DS), no IDT.
 * Linux gets ESI = boot_params ("zero page"); multiboot kernels get EAX = 0x2BADB002 and
 * EBX = the multiboot information. Every failure (unknown format, truncated file, a
 * segment outside RAM, not enough RAM, a command line too long) is one line in `err` and
 * false; nothing is written to the guest before the checks pass. The image stays in host
 * memory so the machine can load it again on a guest reset.
 *
 * Guest memory the loaders use (all below 64 KiB, which Linux keeps for the BIOS anyway):
 *   0x1000  the GDT, then the entry stack up to 0x2000
 *   0x2000-0x6FFF  multiboot information, mmap, strings
 *   0x7000  Linux boot_params     0x8000-0xFFFF  Linux command line
 * The Linux protected-mode kernel goes to 1 MiB, the initrd as high as the kernel allows;
 * multiboot modules follow the kernel's highest segment, page-aligned.
 */
#ifndef VMM86_MACHINE_KERNEL_LOADER_H
#define VMM86_MACHINE_KERNEL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "machine/e820.h"
#include "softmmu/physmem.h"

#define BOOT_GDT_ADDR 0x1000u
#define BOOT_SEL_CS 0x10u
#define BOOT_SEL_DS 0x18u
#define BOOT_AREA_START 0x1000u /* guest memory the loaders own (GDT and boot data) */
#define BOOT_AREA_END 0x10000u
#define BOOT_STACK_TOP 0x2000u  /* ESP at entry, above the GDT (the protocols leave it undefined) */
#define MB_INFO_ADDR 0x2000u
#define MB_INFO_END 0x7000u
#define LINUX_ZERO_PAGE 0x7000u
#define LINUX_CMDLINE_ADDR 0x8000u
#define LINUX_CMDLINE_END 0x10000u
#define LINUX_LOAD_ADDR 0x100000u

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define BOOT_MAX_MODULES 16
#define BOOT_MAX_FILE (PHYS_MAX_RAM) /* no kernel or initrd larger than RAM can be */

typedef enum KernelKind { KERNEL_LINUX = 1, KERNEL_MULTIBOOT = 2 } KernelKind;

/* One -initrd file: the Linux initrd (several are concatenated) or a multiboot module. */
typedef struct BootModule {
    char *name;    /* the -initrd item as given: "path [args]" (the module's string) */
    uint8_t *data;
    size_t size;
} BootModule;

typedef struct KernelImage {
    char *name;    /* the kernel's path, for messages and the multiboot command line */
    uint8_t *data;
    size_t size;
    KernelKind kind;
    char *cmdline; /* -append, "" when absent */
    int nmodules;
    BootModule modules[BOOT_MAX_MODULES];
} KernelImage;

/* Register state at the kernel's entry point (the rest is kernel_boot_enter's fixed state). */
typedef struct BootEntry {
    uint32_t eip, eax, ebx, esi, esp;
} BootEntry;

/* Reads `kernel` and the comma-separated `initrd` list ("path [args],path2": a module's
 * text after the first space is its argument string) and recognises the format. `initrd`
 * and `cmdline` may be NULL. */
bool kernel_image_open(KernelImage *k, const char *kernel, const char *initrd,
                       const char *cmdline, char *err, size_t errlen);
/* The same from memory (the data is copied): for tests and other front ends. */
bool kernel_image_from_memory(KernelImage *k, const char *name, const void *data, size_t size,
                              const char *cmdline, char *err, size_t errlen);
bool kernel_image_add_module(KernelImage *k, const char *name, const void *data, size_t size,
                             char *err, size_t errlen);
void kernel_image_free(KernelImage *k);

/* Writes the kernel and its boot data into guest RAM as `map` describes it. */
bool kernel_image_load(const KernelImage *k, PhysMem *pm, const E820Map *map, BootEntry *entry,
                       char *err, size_t errlen);
/* The protocols' entry state (call after cpu_reset). */
void kernel_boot_enter(CpuState *cpu, const BootEntry *entry);

/* ---- the two formats (linux_boot.c, multiboot.c) ---------------------------------------- */

/* What the setup header of a bzImage says (Documentation/x86/boot.rst). */
typedef struct LinuxSetupInfo {
    uint16_t version;        /* protocol, e.g. 0x020F */
    uint8_t loadflags;
    uint16_t xloadflags;
    bool relocatable;
    size_t setup_size;       /* bytes of real-mode code (boot sector included) */
    size_t pm_size;          /* bytes of protected-mode kernel in the file */
    uint32_t initrd_addr_max;
    uint32_t cmdline_max;    /* longest command line, NUL not counted */
    uint32_t kernel_alignment;
    uint32_t pref_address;   /* where the kernel runs (decompresses to) */
    uint32_t init_size;      /* memory it needs from there */
    size_t header_end;       /* end of the setup header in the file (0x202 + byte at 0x201) */
} LinuxSetupInfo;

bool linux_is_bzimage(const uint8_t *data, size_t size);
bool linux_parse_header(const uint8_t *data, size_t size, LinuxSetupInfo *info, char *err,
                        size_t errlen);
bool linux_load(const KernelImage *k, PhysMem *pm, const E820Map *map, BootEntry *entry,
                char *err, size_t errlen);

/* Offset of the multiboot header in the first 8 KiB (32-bit aligned), or -1. */
long multiboot_find_header(const uint8_t *data, size_t size);
bool multiboot_load(const KernelImage *k, PhysMem *pm, const E820Map *map, BootEntry *entry,
                    char *err, size_t errlen);

/* Shared helpers. */
bool boot_set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Is [addr, addr+size) inside one RAM range of the map? */
bool boot_range_is_ram(const E820Map *map, uint64_t addr, uint64_t size);
/* End of the RAM range that contains `addr` (0 if none). */
uint64_t boot_ram_end_at(const E820Map *map, uint64_t addr);
void boot_write_gdt(PhysMem *pm);
void boot_zero(PhysMem *pm, uint32_t addr, uint32_t len);
static inline void boot_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t boot_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint16_t boot_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

#endif
