/* multiboot.c — the Multiboot (version 0.6.96) boot protocol (see kernel_loader.h).
 *
 * Facts from the Multiboot Specification: a header of magic 0x1BADB002, flags and a checksum
 * (the three sum to 0) lies 32-bit aligned in the image's first 8192 bytes. Flags bits 0-15
 * are requirements a loader must refuse when it cannot honour them (bit 0: page-align
 * modules, bit 1: memory information, bit 2: video mode table); bit 16 says the header's
 * address fields (the "a.out kludge") describe where to load the image, which then need not
 * be ELF. The kernel starts with EAX = 0x2BADB002 and EBX = the physical address of the
 * multiboot information structure.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/kernel_loader.h"

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_SEARCH 8192
#define MB_PAGE_ALIGN (1u << 0)
#define MB_MEMORY_INFO (1u << 1)
#define MB_VIDEO_MODE (1u << 2)
#define MB_AOUT_KLUDGE (1u << 16)
#define MB_SUPPORTED_REQUIREMENTS (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)

/* Multiboot information flags and offsets. */
enum {
    MBI_MEMORY = 1u << 0,
    MBI_CMDLINE = 1u << 2,
    MBI_MODS = 1u << 3,
    MBI_MMAP = 1u << 6,
    MBI_LOADER_NAME = 1u << 9,
};
enum {
    MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_CMDLINE_PTR = 16,
    MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24, MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48,
    MBI_LOADER_NAME_PTR = 64, MBI_SIZE = 88,
};

/* A piece of the image to copy to guest memory, with zeroed memory after it. */
typedef struct Segment {
    uint32_t paddr;
    size_t offset, filesz;
    uint32_t memsz;
} Segment;

#define MB_MAX_SEGMENTS 32

typedef struct Layout {
    Segment seg[MB_MAX_SEGMENTS];
    int nseg;
    uint32_t entry;
    uint64_t end; /* highest byte + 1 the image occupies */
} Layout;

long multiboot_find_header(const uint8_t *data, size_t size)
{
    size_t limit = size < MB_SEARCH ? size : MB_SEARCH;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t magic = boot_get32(data + off), flags = boot_get32(data + off + 4);
        if (magic == MB_HEADER_MAGIC && magic + flags + boot_get32(data + off + 8) == 0)
            return (long)off;
    }
    return -1;
}

/* The a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr say
 * which part of the file goes where. */
static bool layout_kludge(const KernelImage *k, size_t hdr, Layout *l, char *err, size_t errlen)
{
    if (hdr + 32 > k->size)
        return boot_set_err(err, errlen, "kernel '%s': multiboot header is truncated", k->name);
    const uint8_t *h = k->data + hdr;
    uint32_t header_addr = boot_get32(h + 12), load_addr = boot_get32(h + 16);
    uint32_t load_end = boot_get32(h + 20), bss_end = boot_get32(h + 24);
    l->entry = boot_get32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > hdr)
        return boot_set_err(err, errlen,
                            "kernel '%s': multiboot load_addr 0x%x and header_addr 0x%x do not "
                            "match the header's place in the file",
                            k->name, load_addr, header_addr);
    size_t offset = hdr - (header_addr - load_addr);
    size_t filesz = k->size - offset;
    if (load_end) {
        if (load_end < load_addr || load_end - load_addr > filesz)
            return boot_set_err(err, errlen,
                                "kernel '%s': multiboot load_end_addr 0x%x is outside the file",
                                k->name, load_end);
        filesz = load_end - load_addr;
    }
    uint64_t memsz = filesz;
    if (bss_end) {
        if ((uint64_t)bss_end < (uint64_t)load_addr + filesz)
            return boot_set_err(err, errlen,
                                "kernel '%s': multiboot bss_end_addr 0x%x is below the loaded "
                                "image",
                                k->name, bss_end);
        memsz = bss_end - load_addr;
    }
    if (memsz > UINT32_MAX)
        return boot_set_err(err, errlen, "kernel '%s' is too big", k->name);
    l->seg[0] = (Segment){load_addr, offset, filesz, (uint32_t)memsz};
    l->nseg = 1;
    return true;
}

/* An ELF32 image: every PT_LOAD segment at its physical address. */
static bool layout_elf(const KernelImage *k, Layout *l, char *err, size_t errlen)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return boot_set_err(err, errlen, "libelf: %s", elf_errmsg(-1));
    Elf *e = elf_memory((char *)k->data, k->size);
    bool ok = false;
    if (!e || elf_kind(e) != ELF_K_ELF) {
        boot_set_err(err, errlen,
                     "kernel '%s' has a multiboot header but is not ELF and asks for no a.out "
                     "kludge",
                     k->name);
        goto out;
    }
    if (gelf_getclass(e) != ELFCLASS32) {
        boot_set_err(err, errlen, "kernel '%s' is a 64-bit ELF; multiboot kernels are ELF32",
                     k->name);
        goto out;
    }
    Elf32_Ehdr *eh = elf32_getehdr(e);
    size_t phnum;
    Elf32_Phdr *ph = eh ? elf32_getphdr(e) : NULL;
    if (!eh || !ph || elf_getphdrnum(e, &phnum) != 0) {
        boot_set_err(err, errlen, "kernel '%s': malformed ELF headers (%s)", k->name,
                     elf_errmsg(-1));
        goto out;
    }
    if (eh->e_machine != EM_386) {
        boot_set_err(err, errlen, "kernel '%s' is not an i386 ELF (machine %u)", k->name,
                     eh->e_machine);
        goto out;
    }
    l->entry = eh->e_entry;
    l->nseg = 0;
    for (size_t i = 0; i < phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        if (l->nseg == MB_MAX_SEGMENTS) {
            boot_set_err(err, errlen, "kernel '%s' has more than %d loadable segments", k->name,
                         MB_MAX_SEGMENTS);
            goto out;
        }
        if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > k->size ||
            ph[i].p_filesz > k->size - ph[i].p_offset) {
            boot_set_err(err, errlen,
                         "kernel '%s': segment %zu (file offset 0x%x, 0x%x bytes) runs past "
                         "the end of the file",
                         k->name, i, ph[i].p_offset, ph[i].p_filesz);
            goto out;
        }
        /* A higher-half kernel's entry is virtual: translate it through its segment. */
        if (ph[i].p_vaddr != ph[i].p_paddr && eh->e_entry >= ph[i].p_vaddr &&
            eh->e_entry - ph[i].p_vaddr < ph[i].p_memsz)
            l->entry = ph[i].p_paddr + (eh->e_entry - ph[i].p_vaddr);
        l->seg[l->nseg++] = (Segment){ph[i].p_paddr, ph[i].p_offset, ph[i].p_filesz,
                                      ph[i].p_memsz};
    }
    if (l->nseg == 0) {
        boot_set_err(err, errlen, "kernel '%s' has no loadable segment", k->name);
        goto out;
    }
    ok = true;
out:
    if (e)
        elf_end(e);
    return ok;
}

/* Every segment in RAM and clear of the loader's own area; also finds the image's end. */
static bool check_layout(const KernelImage *k, Layout *l, const E820Map *map, char *err,
                         size_t errlen)
{
    l->end = 0;
    for (int i = 0; i < l->nseg; i++) {
        const Segment *s = &l->seg[i];
        uint64_t lo = s->paddr, hi = (uint64_t)s->paddr + s->memsz;
        if (!boot_range_is_ram(map, lo, s->memsz))
            return boot_set_err(err, errlen,
                                "kernel '%s': segment at 0x%08llx-0x%08llx lies outside guest "
                                "RAM (give the guest more memory with -m?)",
                                k->name, (unsigned long long)lo, (unsigned long long)hi - 1);
        if (lo < BOOT_AREA_END && hi > BOOT_AREA_START)
            return boot_set_err(err, errlen,
                                "kernel '%s': segment at 0x%08llx-0x%08llx overlaps vmm86's boot "
                                "data at 0x%x-0x%x",
                                k->name, (unsigned long long)lo, (unsigned long long)hi - 1,
                                BOOT_AREA_START, BOOT_AREA_END - 1);
        if (hi > l->end)
            l->end = hi;
    }
    return true;
}

/* Strings and tables in the information area, allocated upwards. */
typedef struct InfoArea {
    uint8_t buf[MB_INFO_END - MB_INFO_ADDR];
    uint32_t used;
    bool overflow;
} InfoArea;

static uint32_t info_alloc(InfoArea *a, const void *data, uint32_t len)
{
    uint32_t off = (a->used + 3) & ~3u;
    if (len > sizeof a->buf || off > sizeof a->buf - len) {
        a->overflow = true;
        return MB_INFO_ADDR;
    }
    if (data)
        memcpy(a->buf + off, data, len);
    a->used = off + len;
    return MB_INFO_ADDR + off;
}

static uint32_t info_string(InfoArea *a, const char *s)
{
    return info_alloc(a, s, (uint32_t)strlen(s) + 1);
}

/* Places the modules after the image, page-aligned; false when they do not fit in RAM. */
static bool place_modules(const KernelImage *k, const Layout *l, const E820Map *map,
                          uint32_t *addr, char *err, size_t errlen)
{
    uint64_t at = (l->end + 0xFFF) & ~0xFFFull;
    for (int i = 0; i < k->nmodules; i++) {
        if (!boot_range_is_ram(map, at, k->modules[i].size))
            return boot_set_err(err, errlen,
                                "module '%s' (%zu bytes) does not fit in guest RAM after the "
                                "kernel; give the guest more memory with -m",
                                k->modules[i].name, k->modules[i].size);
        addr[i] = (uint32_t)at;
        at = (at + k->modules[i].size + 0xFFF) & ~0xFFFull;
    }
    return true;
}

static void build_info(InfoArea *a, const KernelImage *k, const E820Map *map,
                       const uint32_t *mod_addr)
{
    uint8_t *mbi = a->buf;
    a->used = MBI_SIZE;
    uint32_t flags = MBI_MEMORY | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
    boot_put32(mbi + MBI_MEM_LOWER, (uint32_t)(e820_ram_in(map, 0, 0xA0000) >> 10));
    boot_put32(mbi + MBI_MEM_UPPER,
               (uint32_t)((boot_ram_end_at(map, 0x100000) - 0x100000) >> 10));
    /* The kernel's command line starts with its own name, as boot loaders pass it. */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s%s%s", k->name, *k->cmdline ? " " : "", k->cmdline);
    boot_put32(mbi + MBI_CMDLINE_PTR, strlen(k->name) + 1 + strlen(k->cmdline) < sizeof cmd
                                          ? info_string(a, cmd)
                                          : (a->overflow = true, 0));
    boot_put32(mbi + MBI_LOADER_NAME_PTR, info_string(a, "vmm86"));
    uint8_t mmap[E820_MAX * 24];
    for (int i = 0; i < map->count; i++) {
        uint8_t *e = mmap + 24 * i;
        boot_put32(e, 20); /* size of the rest of the entry */
        boot_put32(e + 4, (uint32_t)map->e[i].addr);
        boot_put32(e + 8, (uint32_t)(map->e[i].addr >> 32));
        boot_put32(e + 12, (uint32_t)map->e[i].size);
        boot_put32(e + 16, (uint32_t)(map->e[i].size >> 32));
        boot_put32(e + 20, map->e[i].type);
    }
    boot_put32(mbi + MBI_MMAP_ADDR, info_alloc(a, mmap, 24u * (uint32_t)map->count));
    boot_put32(mbi + MBI_MMAP_LENGTH, 24u * (uint32_t)map->count);
    if (k->nmodules) {
        flags |= MBI_MODS;
        uint8_t mods[BOOT_MAX_MODULES * 16] = {0};
        for (int i = 0; i < k->nmodules; i++) {
            boot_put32(mods + 16 * i, mod_addr[i]);
            boot_put32(mods + 16 * i + 4, mod_addr[i] + (uint32_t)k->modules[i].size);
            boot_put32(mods + 16 * i + 8, info_string(a, k->modules[i].name));
        }
        boot_put32(mbi + MBI_MODS_COUNT, (uint32_t)k->nmodules);
        boot_put32(mbi + MBI_MODS_ADDR, info_alloc(a, mods, 16u * (uint32_t)k->nmodules));
    }
    boot_put32(mbi + MBI_FLAGS, flags);
}

bool multiboot_load(const KernelImage *k, PhysMem *pm, const E820Map *map, BootEntry *entry,
                    char *err, size_t errlen)
{
    long hdr = multiboot_find_header(k->data, k->size);
    if (hdr < 0)
        return boot_set_err(err, errlen, "kernel '%s' has no multiboot header", k->name);
    uint32_t flags = boot_get32(k->data + hdr + 4);
    if (flags & 0xFFFFu & ~MB_SUPPORTED_REQUIREMENTS)
        return boot_set_err(err, errlen,
                            "kernel '%s' requires multiboot features vmm86 does not know "
                            "(flags 0x%08x)",
                            k->name, flags);
    Layout l = {0}; /* zeroed: the layout functions fill it only on success */
    bool ok = (flags & MB_AOUT_KLUDGE) ? layout_kludge(k, (size_t)hdr, &l, err, errlen)
                                       : layout_elf(k, &l, err, errlen);
    if (!ok || !check_layout(k, &l, map, err, errlen))
        return false;
    uint32_t mod_addr[BOOT_MAX_MODULES];
    if (!place_modules(k, &l, map, mod_addr, err, errlen))
        return false;
    InfoArea *area = calloc(1, sizeof *area); /* 20 KiB: kept off the stack */
    if (!area)
        return boot_set_err(err, errlen, "out of memory");
    build_info(area, k, map, mod_addr);
    if (area->overflow) {
        free(area);
        return boot_set_err(err, errlen,
                            "the command lines are too long for the multiboot information "
                            "area (%u bytes)",
                            MB_INFO_END - MB_INFO_ADDR);
    }

    /* Every check passed: write the guest's memory. Video mode requests (flag 2) get no
     * video information: there is no VBE, and the guest stays in text mode. */
    boot_write_gdt(pm);
    for (int i = 0; i < l.nseg; i++) {
        const Segment *s = &l.seg[i];
        physmem_write_buf(pm, s->paddr, k->data + s->offset, s->filesz);
        boot_zero(pm, s->paddr + (uint32_t)s->filesz, s->memsz - (uint32_t)s->filesz);
    }
    for (int i = 0; i < k->nmodules; i++)
        physmem_write_buf(pm, mod_addr[i], k->modules[i].data, k->modules[i].size);
    physmem_write_buf(pm, MB_INFO_ADDR, area->buf, area->used);
    free(area);
    entry->eip = l.entry;
    entry->eax = MULTIBOOT_BOOTLOADER_MAGIC;
    entry->ebx = MB_INFO_ADDR;
    entry->esp = BOOT_STACK_TOP;
    return true;
}
