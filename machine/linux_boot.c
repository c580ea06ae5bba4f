/* linux_boot.c — Linux's 32-bit boot protocol for bzImage kernels (see kernel_loader.h).
 *
 * Facts from the kernel's Documentation/x86/boot.rst and zero-page.rst: the setup header
 * sits at 0x1F1 of the image; the real-mode part is (setup_sects + 1) * 512 bytes (4 when
 * setup_sects is 0) and the protected-mode part follows it. A 32-bit loader builds a
 * zeroed boot_params page, copies the setup header into it at the same offset, fills the
 * loader's fields and the e820 table, and jumps to the protected-mode kernel's first byte
 * with ESI pointing at boot_params. */
#include <string.h>

#include "machine/kernel_loader.h"

/* Setup header offsets (in the image and in boot_params alike). */
enum {
    HDR_SETUP_SECTS = 0x1F1,
    HDR_SYSSIZE = 0x1F4,
    HDR_VID_MODE = 0x1FA,
    HDR_BOOT_FLAG = 0x1FE,
    HDR_JUMP = 0x200,
    HDR_MAGIC = 0x202,
    HDR_VERSION = 0x206,
    HDR_TYPE_OF_LOADER = 0x210,
    HDR_LOADFLAGS = 0x211,
    HDR_CODE32_START = 0x214,
    HDR_RAMDISK_IMAGE = 0x218,
    HDR_RAMDISK_SIZE = 0x21C,
    HDR_HEAP_END_PTR = 0x224,
    HDR_CMD_LINE_PTR = 0x228,
    HDR_INITRD_ADDR_MAX = 0x22C,
    HDR_KERNEL_ALIGNMENT = 0x230,
    HDR_RELOCATABLE = 0x234,
    HDR_XLOADFLAGS = 0x236,
    HDR_CMDLINE_SIZE = 0x238,
    HDR_PREF_ADDRESS = 0x258,
    HDR_INIT_SIZE = 0x260,
};
/* boot_params fields outside the setup header. */
enum {
    BP_EXT_MEM_K = 0x002,
    BP_ALT_MEM_K = 0x1E0,
    BP_E820_ENTRIES = 0x1E8,
    BP_SENTINEL = 0x1EF,
    BP_HDR_LIMIT = 0x290, /* the header may not grow past edd_mbr_sig_buffer */
    BP_E820_TABLE = 0x2D0,
    BP_E820_MAX = 128,
};

#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x0001
#define LOADER_TYPE_UNDEFINED 0xFF /* boot.rst: a loader with no assigned id */

bool linux_is_bzimage(const uint8_t *data, size_t size)
{
    return size >= HDR_MAGIC + 4 && !memcmp(data + HDR_MAGIC, "HdrS", 4);
}

bool linux_parse_header(const uint8_t *data, size_t size, LinuxSetupInfo *info, char *err,
                        size_t errlen)
{
    memset(info, 0, sizeof *info);
    if (!linux_is_bzimage(data, size) || boot_get16(data + HDR_BOOT_FLAG) != 0xAA55)
        return boot_set_err(err, errlen, "is not a Linux bzImage (no boot flag and HdrS magic)");
    info->version = boot_get16(data + HDR_VERSION);
    if (info->version < 0x0204)
        return boot_set_err(err, errlen,
                            "uses Linux boot protocol %u.%02u; vmm86 needs 2.04 or later",
                            info->version >> 8, info->version & 0xFF);
    info->header_end = 0x202 + (size_t)data[HDR_JUMP + 1];
    if (info->header_end > BP_HDR_LIMIT)
        info->header_end = BP_HDR_LIMIT;
    /* Fields up to 0x264 exist in every header of protocol 2.10 and later. */
    size_t need = info->version >= 0x020A ? 0x264 : 0x230;
    if (info->header_end < need || size < need)
        return boot_set_err(err, errlen, "has a setup header too short for its protocol version");
    unsigned sects = data[HDR_SETUP_SECTS] ? data[HDR_SETUP_SECTS] : 4;
    info->setup_size = (size_t)(sects + 1) * 512;
    info->loadflags = data[HDR_LOADFLAGS];
    if (!(info->loadflags & LOADED_HIGH))
        return boot_set_err(err, errlen, "is a zImage (loaded low); vmm86 boots bzImage kernels");
    if (info->version >= 0x020C)
        info->xloadflags = boot_get16(data + HDR_XLOADFLAGS);
    if (info->xloadflags & XLF_KERNEL_64)
        return boot_set_err(err, errlen, "is a 64-bit kernel; vmm86 emulates a 32-bit i686");
    /* syssize counts 16-byte paragraphs, rounded up: the file may end up to 15 bytes short
     * of it (memtest86+ 6.10's image does). */
    size_t syssize = (size_t)boot_get32(data + HDR_SYSSIZE) * 16;
    if (info->setup_size >= size || syssize > size - info->setup_size + 15)
        return boot_set_err(err, errlen,
                            "is truncated: its header says %zu bytes, the file has %zu",
                            info->setup_size + syssize, size);
    info->pm_size = size - info->setup_size;
    info->initrd_addr_max = boot_get32(data + HDR_INITRD_ADDR_MAX);
    info->cmdline_max = info->version >= 0x0206 ? boot_get32(data + HDR_CMDLINE_SIZE) : 255;
    info->relocatable = info->version >= 0x0205 && data[HDR_RELOCATABLE];
    info->kernel_alignment = info->version >= 0x0205 ? boot_get32(data + HDR_KERNEL_ALIGNMENT) : 0;
    if (info->version >= 0x020A) {
        info->pref_address = boot_get32(data + HDR_PREF_ADDRESS);
        info->init_size = boot_get32(data + HDR_INIT_SIZE);
    } else {
        info->pref_address = LINUX_LOAD_ADDR;
        info->init_size = 0;
    }
    return true;
}

/* Where the kernel's memory ends once it has decompressed itself: the decompressor moves
 * a relocatable kernel to max(load address aligned up, pref_address) and needs init_size
 * bytes from there; a fixed kernel runs at pref_address. */
static uint64_t kernel_end(const LinuxSetupInfo *info)
{
    uint64_t load_end = (uint64_t)LINUX_LOAD_ADDR + info->pm_size;
    uint64_t run = info->pref_address;
    if (info->relocatable && info->kernel_alignment) {
        uint64_t a = info->kernel_alignment;
        uint64_t aligned = ((uint64_t)LINUX_LOAD_ADDR + a - 1) / a * a;
        if (aligned > run)
            run = aligned;
    }
    uint64_t run_end = run + info->init_size;
    return run_end > load_end ? run_end : load_end;
}

static uint64_t initrd_total(const KernelImage *k)
{
    uint64_t total = 0;
    for (int i = 0; i < k->nmodules; i++)
        total = (total + 3) / 4 * 4 + k->modules[i].size; /* each part 4-byte aligned */
    return total;
}

/* Chooses the initrd's address: page-aligned, as high as RAM and initrd_addr_max allow,
 * above the kernel. Returns false with a message when it cannot fit. */
static bool place_initrd(const KernelImage *k, const LinuxSetupInfo *info, const E820Map *map,
                         uint64_t kend, uint32_t *addr, char *err, size_t errlen)
{
    uint64_t size = initrd_total(k);
    uint64_t top = boot_ram_end_at(map, LINUX_LOAD_ADDR);
    uint64_t max = (uint64_t)info->initrd_addr_max + 1;
    if (top > max)
        top = max;
    if (size > top || ((top - size) & ~0xFFFull) < kend)
        return boot_set_err(err, errlen,
                            "initrd (%llu bytes) does not fit in guest RAM above the kernel "
                            "(which ends at %llu MiB); give the guest more memory with -m",
                            (unsigned long long)size, (unsigned long long)(kend >> 20));
    *addr = (uint32_t)((top - size) & ~0xFFFull);
    return true;
}

static void write_initrd(const KernelImage *k, PhysMem *pm, uint32_t addr)
{
    uint32_t off = 0;
    for (int i = 0; i < k->nmodules; i++) {
        uint32_t aligned = (off + 3) & ~3u;
        boot_zero(pm, addr + off, aligned - off);
        physmem_write_buf(pm, addr + aligned, k->modules[i].data, k->modules[i].size);
        off = aligned + (uint32_t)k->modules[i].size;
    }
}

/* The zero page: the image's setup header, the loader's fields and the memory map. */
static void build_zero_page(uint8_t *bp, const KernelImage *k, const LinuxSetupInfo *info,
                            const E820Map *map, uint32_t initrd_addr, uint32_t initrd_size)
{
    memset(bp, 0, 4096);
    memcpy(bp + HDR_SETUP_SECTS, k->data + HDR_SETUP_SECTS, info->header_end - HDR_SETUP_SECTS);
    bp[BP_SENTINEL] = 0;
    bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
    bp[HDR_VID_MODE] = bp[HDR_VID_MODE + 1] = 0xFF; /* "normal" */
    boot_put32(bp + HDR_CODE32_START, LINUX_LOAD_ADDR);
    boot_put32(bp + HDR_RAMDISK_IMAGE, initrd_addr);
    boot_put32(bp + HDR_RAMDISK_SIZE, initrd_size);
    boot_put32(bp + HDR_CMD_LINE_PTR, LINUX_CMDLINE_ADDR);
    bp[HDR_HEAP_END_PTR] = bp[HDR_HEAP_END_PTR + 1] = 0;
    int n = map->count < BP_E820_MAX ? map->count : BP_E820_MAX;
    for (int i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * i;
        boot_put32(e, (uint32_t)map->e[i].addr);
        boot_put32(e + 4, (uint32_t)(map->e[i].addr >> 32));
        boot_put32(e + 8, (uint32_t)map->e[i].size);
        boot_put32(e + 12, (uint32_t)(map->e[i].size >> 32));
        boot_put32(e + 16, map->e[i].type);
    }
    bp[BP_E820_ENTRIES] = (uint8_t)n;
    /* The old memory-size fields: KiB of RAM from 1 MiB up to the first hole. */
    uint64_t ext_k = (boot_ram_end_at(map, LINUX_LOAD_ADDR) - LINUX_LOAD_ADDR) >> 10;
    boot_put32(bp + BP_ALT_MEM_K, (uint32_t)ext_k);
    bp[BP_EXT_MEM_K] = (uint8_t)(ext_k > 0xFFFF ? 0xFF : ext_k);
    bp[BP_EXT_MEM_K + 1] = (uint8_t)(ext_k > 0xFFFF ? 0xFF : ext_k >> 8);
}

bool linux_load(const KernelImage *k, PhysMem *pm, const E820Map *map, BootEntry *entry,
                char *err, size_t errlen)
{
    LinuxSetupInfo info;
    char why[256];
    if (!linux_parse_header(k->data, k->size, &info, why, sizeof why))
        return boot_set_err(err, errlen, "kernel '%s' %s", k->name, why);
    uint64_t kend = kernel_end(&info);
    if (!boot_range_is_ram(map, LINUX_LOAD_ADDR, kend - LINUX_LOAD_ADDR))
        return boot_set_err(err, errlen,
                            "kernel '%s' needs RAM up to %llu MiB; give the guest more memory "
                            "with -m",
                            k->name, (unsigned long long)((kend + 0xFFFFF) >> 20));
    size_t cmdlen = strlen(k->cmdline);
    uint32_t cmd_room = LINUX_CMDLINE_END - LINUX_CMDLINE_ADDR - 1;
    uint32_t cmd_max = info.cmdline_max < cmd_room ? info.cmdline_max : cmd_room;
    if (cmdlen > cmd_max)
        return boot_set_err(err, errlen,
                            "the kernel command line is %zu bytes; this kernel accepts at most %u",
                            cmdlen, cmd_max);
    uint32_t initrd_addr = 0, initrd_size = 0;
    if (k->nmodules) {
        if (!place_initrd(k, &info, map, kend, &initrd_addr, err, errlen))
            return false;
        initrd_size = (uint32_t)initrd_total(k);
    }

    /* Every check passed: write the guest's memory. */
    uint8_t bp[4096];
    build_zero_page(bp, k, &info, map, initrd_addr, initrd_size);
    boot_write_gdt(pm);
    physmem_write_buf(pm, LINUX_ZERO_PAGE, bp, sizeof bp);
    physmem_write_buf(pm, LINUX_CMDLINE_ADDR, k->cmdline, cmdlen + 1);
    physmem_write_buf(pm, LINUX_LOAD_ADDR, k->data + info.setup_size, info.pm_size);
    if (k->nmodules)
        write_initrd(k, pm, initrd_addr);
    entry->eip = LINUX_LOAD_ADDR;
    entry->esi = LINUX_ZERO_PAGE;
    entry->esp = BOOT_STACK_TOP;
    return true;
}
