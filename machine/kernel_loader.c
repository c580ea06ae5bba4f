/* kernel_loader.c — reading kernel images and entering them (see kernel_loader.h). */
#include "machine/kernel_loader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpu/flags.h"
#include "cpu/segment.h"
#include "softmmu/mmu.h"

/* Flat 4 GiB descriptors, accessed bit preset so the CPU never has to write it back:
 * code = execute/read, data = read/write, both DPL 0, 32-bit, 4 KiB granularity. */
static const Descriptor gdt_code = {0x0000FFFFu, 0x00CF9B00u};
static const Descriptor gdt_data = {0x0000FFFFu, 0x00CF9300u};

bool boot_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

bool boot_range_is_ram(const E820Map *map, uint64_t addr, uint64_t size)
{
    for (int i = 0; i < map->count; i++) {
        const E820Entry *e = &map->e[i];
        if (e->type == E820_RAM && addr >= e->addr && addr - e->addr <= e->size &&
            size <= e->size - (addr - e->addr))
            return true;
    }
    return false;
}

uint64_t boot_ram_end_at(const E820Map *map, uint64_t addr)
{
    for (int i = 0; i < map->count; i++) {
        const E820Entry *e = &map->e[i];
        if (e->type == E820_RAM && addr >= e->addr && addr - e->addr < e->size)
            return e->addr + e->size;
    }
    return 0;
}

void boot_write_gdt(PhysMem *pm)
{
    uint8_t gdt[32] = {0};
    boot_put32(gdt + BOOT_SEL_CS, gdt_code.lo);
    boot_put32(gdt + BOOT_SEL_CS + 4, gdt_code.hi);
    boot_put32(gdt + BOOT_SEL_DS, gdt_data.lo);
    boot_put32(gdt + BOOT_SEL_DS + 4, gdt_data.hi);
    physmem_write_buf(pm, BOOT_GDT_ADDR, gdt, sizeof gdt);
}

void boot_zero(PhysMem *pm, uint32_t addr, uint32_t len)
{
    static const uint8_t zeros[4096];
    while (len) {
        uint32_t n = len < sizeof zeros ? len : (uint32_t)sizeof zeros;
        physmem_write_buf(pm, addr, zeros, n);
        addr += n;
        len -= n;
    }
}

/* ---- reading the files -------------------------------------------------------------------- */

static uint8_t *read_file(const char *what, const char *path, size_t *size, char *err,
                          size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        boot_set_err(err, errlen, "cannot open %s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        boot_set_err(err, errlen, "%s '%s' is not a regular file", what, path);
        fclose(f);
        return NULL;
    }
    if ((uint64_t)st.st_size > BOOT_MAX_FILE) {
        boot_set_err(err, errlen, "%s '%s' is too big (%lld bytes; guest RAM is at most %u MiB)",
                     what, path, (long long)st.st_size, BOOT_MAX_FILE >> 20);
        fclose(f);
        return NULL;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf || fread(buf, 1, len, f) != len) {
        boot_set_err(err, errlen, "cannot read %s '%s'", what, path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = len;
    return buf;
}

static bool detect_kind(KernelImage *k, char *err, size_t errlen)
{
    if (k->size == 0)
        return boot_set_err(err, errlen, "kernel '%s' is empty", k->name);
    if (linux_is_bzimage(k->data, k->size)) {
        LinuxSetupInfo info;
        char why[256];
        k->kind = KERNEL_LINUX;
        if (linux_parse_header(k->data, k->size, &info, why, sizeof why))
            return true;
        return boot_set_err(err, errlen, "kernel '%s' %s", k->name, why);
    }
    if (multiboot_find_header(k->data, k->size) >= 0) {
        k->kind = KERNEL_MULTIBOOT;
        return true;
    }
    if (k->size >= 4 && !memcmp(k->data, "\177ELF", 4))
        return boot_set_err(err, errlen,
                            "kernel '%s' is an ELF file without a multiboot header "
                            "(vmm86 boots bzImage and multiboot kernels)",
                            k->name);
    return boot_set_err(err, errlen, "kernel '%s' is neither a Linux bzImage nor a multiboot kernel",
                        k->name);
}

bool kernel_image_from_memory(KernelImage *k, const char *name, const void *data, size_t size,
                              const char *cmdline, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->name = strdup(name);
    k->cmdline = strdup(cmdline ? cmdline : "");
    k->data = malloc(size ? size : 1);
    if (!k->name || !k->cmdline || !k->data) {
        kernel_image_free(k);
        return boot_set_err(err, errlen, "out of memory");
    }
    memcpy(k->data, data, size);
    k->size = size;
    if (!detect_kind(k, err, errlen)) {
        kernel_image_free(k);
        return false;
    }
    return true;
}

bool kernel_image_add_module(KernelImage *k, const char *name, const void *data, size_t size,
                             char *err, size_t errlen)
{
    if (k->nmodules == BOOT_MAX_MODULES)
        return boot_set_err(err, errlen, "-initrd: at most %d files", BOOT_MAX_MODULES);
    BootModule *m = &k->modules[k->nmodules];
    m->name = strdup(name);
    m->data = malloc(size ? size : 1);
    if (!m->name || !m->data) {
        free(m->name);
        free(m->data);
        return boot_set_err(err, errlen, "out of memory");
    }
    memcpy(m->data, data, size);
    m->size = size;
    k->nmodules++;
    return true;
}

/* One -initrd item: "path [args]". The file is the text up to the first space. */
static bool open_module(KernelImage *k, const char *item, char *err, size_t errlen)
{
    size_t plen = strcspn(item, " ");
    char *path = strndup(item, plen);
    if (!path)
        return boot_set_err(err, errlen, "out of memory");
    if (!*path) {
        free(path);
        return boot_set_err(err, errlen, "-initrd: empty file name in the list");
    }
    size_t size;
    uint8_t *data = read_file("initrd", path, &size, err, errlen);
    free(path);
    if (!data)
        return false;
    if (k->nmodules == BOOT_MAX_MODULES) {
        free(data);
        return boot_set_err(err, errlen, "-initrd: at most %d files", BOOT_MAX_MODULES);
    }
    BootModule *m = &k->modules[k->nmodules];
    m->name = strdup(item);
    if (!m->name) {
        free(data);
        return boot_set_err(err, errlen, "out of memory");
    }
    m->data = data;
    m->size = size;
    k->nmodules++;
    return true;
}

bool kernel_image_open(KernelImage *k, const char *kernel, const char *initrd,
                       const char *cmdline, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->name = strdup(kernel);
    k->cmdline = strdup(cmdline ? cmdline : "");
    if (!k->name || !k->cmdline) {
        kernel_image_free(k);
        return boot_set_err(err, errlen, "out of memory");
    }
    k->data = read_file("kernel", kernel, &k->size, err, errlen);
    if (!k->data || !detect_kind(k, err, errlen)) {
        kernel_image_free(k);
        return false;
    }
    if (initrd) {
        char *list = strdup(initrd), *save = NULL;
        if (!list) {
            kernel_image_free(k);
            return boot_set_err(err, errlen, "out of memory");
        }
        for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
            if (!open_module(k, item, err, errlen)) {
                free(list);
                kernel_image_free(k);
                return false;
            }
        }
        free(list);
        if (k->nmodules == 0) {
            kernel_image_free(k);
            return boot_set_err(err, errlen, "-initrd: no file named");
        }
    }
    return true;
}

void kernel_image_free(KernelImage *k)
{
    free(k->name);
    free(k->data);
    free(k->cmdline);
    for (int i = 0; i < k->nmodules; i++) {
        free(k->modules[i].name);
        free(k->modules[i].data);
    }
    memset(k, 0, sizeof *k);
}

/* ---- loading and entering ------------------------------------------------------------------ */

bool kernel_image_load(const KernelImage *k, PhysMem *pm, const E820Map *map, BootEntry *entry,
                       char *err, size_t errlen)
{
    memset(entry, 0, sizeof *entry);
    if (!boot_range_is_ram(map, BOOT_AREA_START, BOOT_AREA_END - BOOT_AREA_START))
        return boot_set_err(err, errlen, "guest RAM does not cover the boot data area");
    switch (k->kind) {
    case KERNEL_LINUX: return linux_load(k, pm, map, entry, err, errlen);
    case KERNEL_MULTIBOOT: return multiboot_load(k, pm, map, entry, err, errlen);
    }
    return boot_set_err(err, errlen, "kernel '%s': unknown format", k->name);
}

void kernel_boot_enter(CpuState *cpu, const BootEntry *entry)
{
    cpu->cr0 = CR0_PE | CR0_ET; /* caches on, paging off */
    cpu->cr4 = 0;
    cpu->gdtr.base = BOOT_GDT_ADDR;
    cpu->gdtr.limit = 0x1F;
    cpu->idtr.base = 0; /* no IDT: a fault before the kernel sets one up shuts down */
    cpu->idtr.limit = 0;
    cpu->seg[SEG_CS] = desc_to_cache(BOOT_SEL_CS, gdt_code);
    for (int s = 0; s < SEG_COUNT; s++)
        if (s != SEG_CS)
            cpu->seg[s] = desc_to_cache(BOOT_SEL_DS, gdt_data);
    cpu->cpl = 0;
    for (int r = 0; r < 8; r++)
        cpu->gpr[r].q = 0;
    cpu->EAX = entry->eax;
    cpu->EBX = entry->ebx;
    cpu->ESI = entry->esi;
    cpu->ESP = entry->esp;
    cpu->eflags = FL_RSVD1; /* IF, TF, DF and VM clear */
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->eip = cpu->next_eip = entry->eip;
    cpu->halted = false;
    mmu_set_a20(cpu, true);
    mmu_flush_all(cpu);
}
