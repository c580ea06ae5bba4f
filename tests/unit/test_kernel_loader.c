/* Direct kernel boot: the PC's e820 map, bzImage header parsing and boot_params, multiboot
 * ELF and a.out-kludge loading, the entry CPU state, and the errors for malformed images.
 * Images are built here field by field from the boot protocol documents
 * (Documentation/x86/boot.rst, zero-page.rst; the Multiboot Specification 0.6.96). */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "machine/kernel_loader.h"
#include "softmmu/ioport.h"

static PhysMem pm;
static E820Map map;
static char err[512];

static void use_ram(uint32_t mib)
{
    cr_assert(physmem_init(&pm, mib << 20));
    physmem_unmap(&pm, 0xA0000, 0x60000);
    e820_build_pc(&map, mib << 20, 0);
}

static void teardown(void)
{
    if (pm.pages)
        physmem_free(&pm);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { boot_put32(p, v); }
static uint32_t rd32(uint32_t pa) { return (uint32_t)physmem_read(&pm, pa, 4); }
static uint8_t rd8(uint32_t pa) { return (uint8_t)physmem_read(&pm, pa, 1); }

static bool guest_equals(uint32_t pa, const void *data, size_t len)
{
    uint8_t *buf = malloc(len ? len : 1);
    physmem_read_buf(&pm, pa, buf, len);
    bool eq = memcmp(buf, data, len) == 0;
    free(buf);
    return eq;
}

/* ---- the memory map ------------------------------------------------------------------- */

Test(e820, pc_map_is_sorted_disjoint_and_counts_the_ram)
{
    E820Map m;
    e820_build_pc(&m, 16u << 20, 256u << 10);
    for (int i = 1; i < m.count; i++)
        cr_assert_geq(m.e[i].addr, m.e[i - 1].addr + m.e[i - 1].size, "entry %d overlaps", i);
    cr_assert_eq(e820_ram_in(&m, 0, 1ull << 32), 0x9FC00 + (15u << 20));
    cr_assert_eq(e820_ram_in(&m, 0xA0000, 0x100000), 0, "no RAM in the 640K-1M hole");
    cr_assert_eq(m.e[m.count - 1].addr + m.e[m.count - 1].size, 1ull << 32);
    cr_assert_eq(m.e[m.count - 1].type, E820_RESERVED, "the firmware below 4 GiB");
}

Test(e820, no_firmware_no_firmware_ranges)
{
    E820Map m;
    e820_build_pc(&m, 8u << 20, 0);
    for (int i = 0; i < m.count; i++)
        cr_assert_lt(m.e[i].addr, 0xF0000000u);
    cr_assert_eq(e820_ram_in(&m, 0x100000, 1ull << 32), 7u << 20);
}

/* ---- bzImage ------------------------------------------------------------------------------ */

typedef struct BzSpec {
    uint16_t version;
    uint8_t setup_sects, loadflags, relocatable;
    uint16_t xloadflags;
    uint32_t pm_size, syssize_bytes, initrd_addr_max, cmdline_size, alignment, pref, init_size;
} BzSpec;

static BzSpec bz_default(void)
{
    return (BzSpec){.version = 0x020F, .setup_sects = 2, .loadflags = 0x01,
                    .pm_size = 0x3000, .syssize_bytes = 0x3000,
                    .initrd_addr_max = 0x7FFFFFFF, .cmdline_size = 2047,
                    .alignment = 0x100000, .pref = 0x100000, .init_size = 0x200000};
}

/* A bzImage: the setup header as boot.rst lays it out, a protected-mode part of
 * recognisable bytes. Returns its size. */
static size_t make_bz(uint8_t *img, const BzSpec *s)
{
    unsigned sects = s->setup_sects ? s->setup_sects : 4;
    size_t setup = (sects + 1) * 512u;
    memset(img, 0, setup);
    img[0x1F1] = s->setup_sects;
    put32(img + 0x1F4, s->syssize_bytes / 16);
    put16(img + 0x1FE, 0xAA55);
    img[0x200] = 0xEB;
    img[0x201] = 0x6A; /* header ends at 0x26C, as protocol 2.15's */
    memcpy(img + 0x202, "HdrS", 4);
    put16(img + 0x206, s->version);
    img[0x211] = s->loadflags;
    put32(img + 0x214, 0x100000);
    put32(img + 0x22C, s->initrd_addr_max);
    put32(img + 0x230, s->alignment);
    img[0x234] = s->relocatable;
    put16(img + 0x236, s->xloadflags);
    put32(img + 0x238, s->cmdline_size);
    put32(img + 0x258, s->pref);
    put32(img + 0x260, s->init_size);
    img[0x264] = 0x5C; /* a header byte the loader must copy as it is */
    for (uint32_t i = 0; i < s->pm_size; i++)
        img[setup + i] = (uint8_t)(i * 7 + 3);
    return setup + s->pm_size;
}

static uint8_t img[1 << 20];

TestSuite(bzimage, .fini = teardown);

Test(bzimage, header_fields_and_sizes)
{
    BzSpec s = bz_default();
    size_t n = make_bz(img, &s);
    LinuxSetupInfo info;
    cr_assert(linux_is_bzimage(img, n));
    cr_assert(linux_parse_header(img, n, &info, err, sizeof err), "%s", err);
    cr_assert_eq(info.setup_size, 3 * 512);
    cr_assert_eq(info.pm_size, 0x3000);
    cr_assert_eq(info.cmdline_max, 2047);
    cr_assert_eq(info.header_end, 0x26C);
    cr_assert_eq(info.init_size, 0x200000);
}

Test(bzimage, zero_setup_sects_means_four)
{
    BzSpec s = bz_default();
    s.setup_sects = 0;
    size_t n = make_bz(img, &s);
    LinuxSetupInfo info;
    cr_assert(linux_parse_header(img, n, &info, err, sizeof err), "%s", err);
    cr_assert_eq(info.setup_size, 5 * 512);
}

Test(bzimage, refuses_old_protocols_zimages_64_bit_and_truncation)
{
    LinuxSetupInfo info;
    BzSpec s = bz_default();
    s.version = 0x0203;
    size_t n = make_bz(img, &s);
    cr_assert_not(linux_parse_header(img, n, &info, err, sizeof err));
    cr_assert(strstr(err, "2.04"), "%s", err);

    s = bz_default();
    s.loadflags = 0;
    n = make_bz(img, &s);
    cr_assert_not(linux_parse_header(img, n, &info, err, sizeof err));
    cr_assert(strstr(err, "zImage"), "%s", err);

    s = bz_default();
    s.xloadflags = 1; /* XLF_KERNEL_64 */
    n = make_bz(img, &s);
    cr_assert_not(linux_parse_header(img, n, &info, err, sizeof err));
    cr_assert(strstr(err, "64-bit"), "%s", err);

    s = bz_default();
    s.syssize_bytes = 0x4000; /* more than the file holds */
    n = make_bz(img, &s);
    cr_assert_not(linux_parse_header(img, n, &info, err, sizeof err));
    cr_assert(strstr(err, "truncated"), "%s", err);

    s = bz_default();
    s.syssize_bytes = s.pm_size + 16; /* a whole paragraph more than the file holds */
    n = make_bz(img, &s);
    cr_assert_not(linux_parse_header(img, n, &info, err, sizeof err));
    cr_assert(strstr(err, "truncated"), "%s", err);

    s = bz_default();
    n = make_bz(img, &s);
    cr_assert_not(linux_parse_header(img, 0x300, &info, err, sizeof err), "cut in the header");
    img[0x1FE] = 0;
    cr_assert_not(linux_parse_header(img, n, &info, err, sizeof err), "no boot flag");
}

/* syssize is in 16-byte paragraphs rounded up, so the file may end inside the last one
 * (memtest86+ 6.10's ia32 image is 8 bytes short of its syssize). */
Test(bzimage, syssize_rounded_up_to_a_paragraph)
{
    BzSpec s = bz_default();
    s.pm_size = 0x3000 - 8;
    size_t n = make_bz(img, &s);
    LinuxSetupInfo info;
    cr_assert(linux_parse_header(img, n, &info, err, sizeof err), "%s", err);
    cr_assert_eq(info.pm_size, 0x3000 - 8);
}

static void load_bz(const BzSpec *s, const char *cmdline, int nmods, const size_t *mod_sizes,
                    KernelImage *k, BootEntry *e, bool expect_ok)
{
    size_t n = make_bz(img, s);
    cr_assert(kernel_image_from_memory(k, "bz", img, n, cmdline, err, sizeof err), "%s", err);
    cr_assert_eq(k->kind, KERNEL_LINUX);
    for (int i = 0; i < nmods; i++) {
        uint8_t *d = malloc(mod_sizes[i]);
        for (size_t j = 0; j < mod_sizes[i]; j++)
            d[j] = (uint8_t)(0x40 + i + j % 13);
        cr_assert(kernel_image_add_module(k, "rd", d, mod_sizes[i], err, sizeof err));
        free(d);
    }
    bool ok = kernel_image_load(k, &pm, &map, e, err, sizeof err);
    cr_assert_eq(ok, expect_ok, "%s", err);
}

Test(bzimage, boot_params_carry_the_header_loader_fields_and_e820)
{
    use_ram(16);
    BzSpec s = bz_default();
    KernelImage k;
    BootEntry e;
    size_t rd = 5000;
    load_bz(&s, "console=ttyS0 quiet", 1, &rd, &k, &e, true);
    uint32_t bp = e.esi;
    cr_assert_eq(e.eip, 0x100000);
    cr_assert(guest_equals(bp + 0x1F1, img + 0x1F1, 0x1FA - 0x1F1), "header copied");
    cr_assert(guest_equals(bp + 0x1FC, img + 0x1FC, 0x210 - 0x1FC), "header copied");
    cr_assert_eq(rd8(bp + 0x1FA) | rd8(bp + 0x1FB) << 8, 0xFFFF, "vid_mode: normal");
    cr_assert_eq(rd8(bp + 0x264), 0x5C);
    cr_assert_eq(rd8(bp + 0x210), 0xFF, "type_of_loader: no assigned id");
    cr_assert_eq(rd32(bp + 0x214), 0x100000);
    cr_assert(guest_equals(rd32(bp + 0x228), "console=ttyS0 quiet", 20));
    cr_assert_eq(rd8(bp + 0x1EF), 0, "sentinel");
    /* The e820 table is the board's map, entry by entry. */
    cr_assert_eq(rd8(bp + 0x1E8), map.count);
    for (int i = 0; i < map.count; i++) {
        uint32_t ent = bp + 0x2D0 + 20 * i;
        cr_assert_eq(rd32(ent), (uint32_t)map.e[i].addr);
        cr_assert_eq(rd32(ent + 4), (uint32_t)(map.e[i].addr >> 32));
        cr_assert_eq(rd32(ent + 8), (uint32_t)map.e[i].size);
        cr_assert_eq(rd32(ent + 16), map.e[i].type);
    }
    cr_assert_eq(rd32(bp + 0x1E0), 15u * 1024, "alt_mem_k: KiB above 1 MiB");
    /* The protected-mode kernel at 1 MiB. */
    cr_assert(guest_equals(0x100000, img + 3 * 512, s.pm_size));
    kernel_image_free(&k);
}

Test(bzimage, initrd_goes_high_page_aligned_and_below_its_limit)
{
    use_ram(16);
    BzSpec s = bz_default();
    KernelImage k;
    BootEntry e;
    size_t rd = 5000;
    load_bz(&s, "", 1, &rd, &k, &e, true);
    uint32_t addr = rd32(e.esi + 0x218), size = rd32(e.esi + 0x21C);
    cr_assert_eq(size, rd);
    cr_assert_eq(addr & 0xFFF, 0);
    cr_assert_leq(addr + size, 16u << 20);
    cr_assert_gt(addr + size + 0x1000, 16u << 20, "as high as RAM allows");
    cr_assert(guest_equals(addr, k.modules[0].data, rd));
    kernel_image_free(&k);

    s.initrd_addr_max = 0x00BFFFFF; /* the kernel can reach only 12 MiB */
    load_bz(&s, "", 1, &rd, &k, &e, true);
    addr = rd32(e.esi + 0x218);
    cr_assert_leq(addr + rd, 0x00C00000u);
    cr_assert_geq(addr, 0x100000 + s.init_size, "above the kernel");
    kernel_image_free(&k);
}

Test(bzimage, several_initrds_are_concatenated_4_byte_aligned)
{
    use_ram(16);
    BzSpec s = bz_default();
    KernelImage k;
    BootEntry e;
    size_t sizes[2] = {1001, 300};
    load_bz(&s, "", 2, sizes, &k, &e, true);
    uint32_t addr = rd32(e.esi + 0x218);
    cr_assert_eq(rd32(e.esi + 0x21C), 1004 + 300);
    cr_assert(guest_equals(addr, k.modules[0].data, 1001));
    cr_assert(guest_equals(addr + 1004, k.modules[1].data, 300));
    kernel_image_free(&k);
}

Test(bzimage, relocatable_kernel_needs_ram_up_to_pref_address_plus_init_size)
{
    BzSpec s = bz_default();
    s.relocatable = 1;
    s.alignment = 0x1000000;
    s.pref = 0x1000000;
    s.init_size = 0x1000000; /* runs at 16 MiB, needs up to 32 MiB */
    KernelImage k;
    BootEntry e;
    use_ram(24);
    load_bz(&s, "", 0, NULL, &k, &e, false);
    cr_assert(strstr(err, "-m"), "the message says how to fix it: %s", err);
    cr_assert_eq(rd32(0x100000), 0, "nothing written before the checks passed");
    kernel_image_free(&k);
    physmem_free(&pm);
    use_ram(64);
    size_t rd = 4096;
    load_bz(&s, "", 1, &rd, &k, &e, true);
    cr_assert_geq(rd32(e.esi + 0x218), 32u << 20, "the initrd stays clear of the kernel");
    kernel_image_free(&k);
}

Test(bzimage, errors_for_big_initrd_and_long_command_line)
{
    use_ram(16);
    BzSpec s = bz_default();
    KernelImage k;
    BootEntry e;
    size_t rd = 15u << 20;
    load_bz(&s, "", 1, &rd, &k, &e, false);
    cr_assert(strstr(err, "initrd"), "%s", err);
    kernel_image_free(&k);
    char longcmd[400];
    memset(longcmd, 'a', sizeof longcmd - 1);
    longcmd[sizeof longcmd - 1] = 0;
    s.cmdline_size = 255;
    load_bz(&s, longcmd, 0, NULL, &k, &e, false);
    cr_assert(strstr(err, "255"), "%s", err);
    kernel_image_free(&k);
}

/* ---- multiboot ---------------------------------------------------------------------------- */

#define MB_MAGIC 0x1BADB002u

static void put_mb_header(uint8_t *p, uint32_t flags)
{
    put32(p, MB_MAGIC);
    put32(p + 4, flags);
    put32(p + 8, (uint32_t)-(MB_MAGIC + flags));
}

typedef struct Seg {
    uint32_t vaddr, paddr, filesz, memsz;
} Seg;

/* An ELF32 i386 executable: headers, then each segment's bytes (a pattern), with the
 * multiboot header at the start of the first segment. Returns the file size. */
static size_t make_elf(uint8_t *f, const Seg *segs, int n, uint32_t entry, uint32_t mb_flags,
                       bool elf64)
{
    memset(f, 0, 0x10000);
    Elf32_Ehdr *eh = (Elf32_Ehdr *)f;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = elf64 ? ELFCLASS64 : ELFCLASS32;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_386;
    eh->e_version = EV_CURRENT;
    eh->e_entry = entry;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof(Elf32_Phdr);
    eh->e_phnum = (uint16_t)n;
    Elf32_Phdr *ph = (Elf32_Phdr *)(f + sizeof *eh);
    uint32_t off = 0x1000;
    for (int i = 0; i < n; i++) {
        ph[i].p_type = PT_LOAD;
        ph[i].p_offset = off;
        ph[i].p_vaddr = segs[i].vaddr;
        ph[i].p_paddr = segs[i].paddr;
        ph[i].p_filesz = segs[i].filesz;
        ph[i].p_memsz = segs[i].memsz;
        ph[i].p_flags = PF_R | PF_X;
        for (uint32_t j = 0; j < segs[i].filesz; j++)
            f[off + j] = (uint8_t)(i * 31 + j * 5 + 1);
        off += (segs[i].filesz + 0xFFF) & ~0xFFFu;
    }
    put_mb_header(f + 0x1000, mb_flags);
    return off;
}

static uint8_t elf[0x10000];

static void mb_load(size_t n, const char *cmdline, KernelImage *k, BootEntry *e, bool expect_ok)
{
    cr_assert(kernel_image_from_memory(k, "/boot/kern", elf, n, cmdline, err, sizeof err), "%s",
              err);
    cr_assert_eq(k->kind, KERNEL_MULTIBOOT);
    bool ok = kernel_image_load(k, &pm, &map, e, err, sizeof err);
    cr_assert_eq(ok, expect_ok, "%s", err);
}

TestSuite(multiboot, .fini = teardown);

Test(multiboot, header_search_rules)
{
    uint8_t buf[9000] = {0};
    put_mb_header(buf + 64, 0);
    cr_assert_eq(multiboot_find_header(buf, sizeof buf), 64);
    memset(buf, 0, sizeof buf);
    put_mb_header(buf + 66, 0);
    cr_assert_eq(multiboot_find_header(buf, sizeof buf), -1, "must be 32-bit aligned");
    memset(buf, 0, sizeof buf);
    put_mb_header(buf + 8192, 0);
    cr_assert_eq(multiboot_find_header(buf, sizeof buf), -1, "only the first 8 KiB");
    memset(buf, 0, sizeof buf);
    put_mb_header(buf + 8, 2);
    buf[16] ^= 1;
    cr_assert_eq(multiboot_find_header(buf, sizeof buf), -1, "bad checksum");
}

Test(multiboot, elf_segments_bss_and_information)
{
    use_ram(16);
    /* The bss part of segment 1 must be cleared even over old memory contents. */
    for (uint32_t a = 0x102000; a < 0x105000; a += 4)
        physmem_write(&pm, a, 4, 0xAAAAAAAAu);
    Seg segs[2] = {{0x100000, 0x100000, 0x600, 0x600}, {0x102000, 0x102000, 0x100, 0x2800}};
    size_t n = make_elf(elf, segs, 2, 0x10000C, 0x3, false);
    KernelImage k;
    BootEntry e;
    cr_assert(kernel_image_from_memory(&k, "/boot/kern", elf, n, "a=1 b", err, sizeof err));
    cr_assert(kernel_image_add_module(&k, "mod.bin x y", "MODULE", 6, err, sizeof err));
    cr_assert(kernel_image_load(&k, &pm, &map, &e, err, sizeof err), "%s", err);
    cr_assert_eq(e.eip, 0x10000C);
    cr_assert_eq(e.eax, 0x2BADB002u);
    cr_assert(guest_equals(0x100000, elf + 0x1000, 0x600));
    cr_assert(guest_equals(0x102000, elf + 0x2000, 0x100));
    for (uint32_t a = 0x102100; a < 0x104800; a++)
        cr_assert_eq(rd8(a), 0, "bss byte at %x", a);
    cr_assert_eq(rd8(0x104800), 0xAA, "nothing past memsz is touched");

    uint32_t mbi = e.ebx;
    uint32_t flags = rd32(mbi);
    cr_assert(flags & (1u << 0) && flags & (1u << 2) && flags & (1u << 3) && flags & (1u << 6));
    cr_assert_eq(rd32(mbi + 4), 639);
    cr_assert_eq(rd32(mbi + 8), 15 * 1024);
    cr_assert(guest_equals(rd32(mbi + 16), "/boot/kern a=1 b", 17));
    cr_assert_eq(rd32(mbi + 20), 1);
    uint32_t mod = rd32(mbi + 24);
    uint32_t start = rd32(mod), end = rd32(mod + 4);
    cr_assert_eq(start & 0xFFF, 0);
    cr_assert_geq(start, 0x104800, "modules follow the image");
    cr_assert_eq(end - start, 6);
    cr_assert(guest_equals(start, "MODULE", 6));
    cr_assert(guest_equals(rd32(mod + 8), "mod.bin x y", 12));
    /* mmap: one 24-byte record (size 20 + fields) per e820 entry. */
    cr_assert_eq(rd32(mbi + 44), 24u * (uint32_t)map.count);
    uint32_t mm = rd32(mbi + 48);
    for (int i = 0; i < map.count; i++) {
        cr_assert_eq(rd32(mm + 24 * i), 20);
        cr_assert_eq(rd32(mm + 24 * i + 4), (uint32_t)map.e[i].addr);
        cr_assert_eq(rd32(mm + 24 * i + 12), (uint32_t)map.e[i].size);
        cr_assert_eq(rd32(mm + 24 * i + 20), map.e[i].type);
    }
    cr_assert(flags & (1u << 9));
    cr_assert(guest_equals(rd32(mbi + 64), "vmm86", 6));
    kernel_image_free(&k);
}

Test(multiboot, higher_half_entry_is_translated_to_its_physical_address)
{
    use_ram(8);
    Seg segs[1] = {{0xC0100000u, 0x100000, 0x400, 0x400}};
    size_t n = make_elf(elf, segs, 1, 0xC0100010u, 0, false);
    KernelImage k;
    BootEntry e;
    mb_load(n, "", &k, &e, true);
    cr_assert_eq(e.eip, 0x100010);
    kernel_image_free(&k);
}

Test(multiboot, aout_kludge_loads_by_the_header_addresses)
{
    use_ram(8);
    for (uint32_t a = 0x200000; a < 0x203000; a += 4)
        physmem_write(&pm, a, 4, 0x55555555u);
    /* File: 0x40 bytes of junk, then the header (at load address 0x200000 + 0x40 - 0x40),
     * code up to load_end 0x200800, then bytes that must not be loaded. */
    uint8_t f[0x1000];
    for (size_t i = 0; i < sizeof f; i++)
        f[i] = (uint8_t)(i | 1);
    uint8_t *h = f + 0x40;
    put_mb_header(h, 1u << 16);
    put32(h + 12, 0x200040); /* header_addr */
    put32(h + 16, 0x200000); /* load_addr: file offset 0 */
    put32(h + 20, 0x200800); /* load_end_addr */
    put32(h + 24, 0x202000); /* bss_end_addr */
    put32(h + 28, 0x200100); /* entry_addr */
    KernelImage k;
    BootEntry e;
    cr_assert(kernel_image_from_memory(&k, "k", f, sizeof f, NULL, err, sizeof err), "%s", err);
    cr_assert(kernel_image_load(&k, &pm, &map, &e, err, sizeof err), "%s", err);
    cr_assert_eq(e.eip, 0x200100);
    cr_assert(guest_equals(0x200000, f, 0x800));
    for (uint32_t a = 0x200800; a < 0x202000; a++)
        cr_assert_eq(rd8(a), 0, "bss at %x", a);
    cr_assert_eq(rd8(0x202000), 0x55);
    kernel_image_free(&k);
}

Test(multiboot, malformed_images_are_refused_with_a_reason)
{
    use_ram(8);
    KernelImage k;
    BootEntry e;
    Seg out[1] = {{0x7F0000, 0x7F0000, 0x100, 0x20000}}; /* memsz runs past 8 MiB */
    mb_load(make_elf(elf, out, 1, 0x7F0000, 0, false), "", &k, &e, false);
    cr_assert(strstr(err, "outside guest RAM"), "%s", err);
    kernel_image_free(&k);

    Seg low[1] = {{0x8000, 0x8000, 0x100, 0x100}};
    mb_load(make_elf(elf, low, 1, 0x8000, 0, false), "", &k, &e, false);
    cr_assert(strstr(err, "boot data"), "%s", err);
    kernel_image_free(&k);

    Seg ok[1] = {{0x100000, 0x100000, 0x100, 0x100}};
    size_t n = make_elf(elf, ok, 1, 0x100000, 0, false);
    ((Elf32_Phdr *)(elf + sizeof(Elf32_Ehdr)))->p_filesz = 0x80000; /* past the file end */
    ((Elf32_Phdr *)(elf + sizeof(Elf32_Ehdr)))->p_memsz = 0x80000;
    mb_load(n, "", &k, &e, false);
    cr_assert(strstr(err, "past the end of the file"), "%s", err);
    kernel_image_free(&k);

    n = make_elf(elf, ok, 1, 0x100000, 1u << 3, false); /* an undefined requirement bit */
    mb_load(n, "", &k, &e, false);
    cr_assert(strstr(err, "features"), "%s", err);
    kernel_image_free(&k);

    n = make_elf(elf, ok, 1, 0x100000, 0, true);
    mb_load(n, "", &k, &e, false);
    cr_assert(strstr(err, "64-bit"), "%s", err);
    kernel_image_free(&k);

    n = make_elf(elf, ok, 1, 0x100000, 0, false);
    cr_assert(kernel_image_from_memory(&k, "k", elf, n, NULL, err, sizeof err));
    uint8_t big[64] = {0};
    cr_assert(kernel_image_add_module(&k, "m", big, sizeof big, err, sizeof err));
    free(k.modules[0].data);
    k.modules[0].size = 9u << 20; /* claims more than RAM holds; never read */
    k.modules[0].data = NULL;
    cr_assert_not(kernel_image_load(&k, &pm, &map, &e, err, sizeof err));
    cr_assert(strstr(err, "does not fit"), "%s", err);
    kernel_image_free(&k);
}

Test(multiboot, kludge_addresses_must_match_the_file)
{
    use_ram(8);
    uint8_t f[0x200] = {0};
    put_mb_header(f, 1u << 16);
    put32(f + 12, 0x200000); /* header_addr below load_addr: inconsistent */
    put32(f + 16, 0x200100);
    put32(f + 28, 0x200100);
    KernelImage k;
    BootEntry e;
    cr_assert(kernel_image_from_memory(&k, "k", f, sizeof f, NULL, err, sizeof err));
    cr_assert_not(kernel_image_load(&k, &pm, &map, &e, err, sizeof err));
    cr_assert(strstr(err, "load_addr"), "%s", err);
    kernel_image_free(&k);
}

/* ---- formats, files, entry ---------------------------------------------------------------- */

Test(kernel_image, unknown_formats_are_named_in_the_error)
{
    KernelImage k;
    cr_assert_not(kernel_image_from_memory(&k, "junk", "hello world", 11, NULL, err, sizeof err));
    cr_assert(strstr(err, "neither a Linux bzImage nor a multiboot kernel"), "%s", err);
    Elf32_Ehdr eh = {0};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    cr_assert_not(kernel_image_from_memory(&k, "elf", &eh, sizeof eh, NULL, err, sizeof err));
    cr_assert(strstr(err, "without a multiboot header"), "%s", err);
    cr_assert_not(kernel_image_from_memory(&k, "empty", "", 0, NULL, err, sizeof err));
    cr_assert(strstr(err, "empty"), "%s", err);
}

Test(kernel_image, files_and_initrd_lists)
{
    char dir[] = "/tmp/vmm86-kl-XXXXXX";
    cr_assert(mkdtemp(dir));
    char kpath[64], m1[64], m2[64], list[200];
    snprintf(kpath, sizeof kpath, "%s/k", dir);
    snprintf(m1, sizeof m1, "%s/m1", dir);
    snprintf(m2, sizeof m2, "%s/m2", dir);
    uint8_t f[0x200] = {0};
    put_mb_header(f, 1u << 16);
    FILE *fp = fopen(kpath, "wb");
    fwrite(f, 1, sizeof f, fp);
    fclose(fp);
    fp = fopen(m1, "wb");
    fputs("one", fp);
    fclose(fp);
    fp = fopen(m2, "wb");
    fputs("second", fp);
    fclose(fp);
    KernelImage k;
    snprintf(list, sizeof list, "%s with args,%s", m1, m2);
    cr_assert(kernel_image_open(&k, kpath, list, "c", err, sizeof err), "%s", err);
    cr_assert_eq(k.nmodules, 2);
    cr_assert_eq(k.modules[0].size, 3);
    cr_assert_eq(k.modules[1].size, 6);
    cr_assert(strstr(k.modules[0].name, " with args"));
    kernel_image_free(&k);
    snprintf(list, sizeof list, "%s/nope", dir);
    cr_assert_not(kernel_image_open(&k, kpath, list, NULL, err, sizeof err));
    cr_assert(strstr(err, "cannot open initrd"), "%s", err);
    cr_assert_not(kernel_image_open(&k, dir, NULL, NULL, err, sizeof err));
    cr_assert(strstr(err, "not a regular file"), "%s", err);
    unlink(kpath);
    unlink(m1);
    unlink(m2);
    rmdir(dir);
}

Test(kernel_image, entry_state_is_flat_32_bit_protected_mode)
{
    use_ram(4);
    IoPortSpace io;
    ioport_init(&io);
    static CpuState cpu;
    cpu_init(&cpu, &pm, &io);
    boot_write_gdt(&pm);
    BootEntry e = {.eip = 0x100000, .eax = 1, .ebx = 2, .esi = 3, .esp = 0x2000};
    kernel_boot_enter(&cpu, &e);
    cr_assert_eq(cpu.cr0 & (CR0_PE | CR0_PG), CR0_PE);
    cr_assert_eq(cpu.seg[SEG_CS].sel, 0x10);
    cr_assert_eq(cpu.seg[SEG_CS].base, 0);
    cr_assert_eq(cpu.seg[SEG_CS].limit, 0xFFFFFFFFu);
    cr_assert(cpu.seg[SEG_CS].attr & SA_DB, "32-bit code");
    cr_assert(cpu.seg[SEG_CS].attr & SA_CODE);
    for (int s = 0; s < SEG_COUNT; s++) {
        if (s == SEG_CS)
            continue;
        cr_assert_eq(cpu.seg[s].sel, 0x18);
        cr_assert_eq(cpu.seg[s].limit, 0xFFFFFFFFu);
        cr_assert(cpu.seg[s].attr & SA_RW);
    }
    cr_assert_eq(cpu.eflags & (FL_IF | FL_VM | FL_TF), 0);
    cr_assert_eq(cpu.eip, 0x100000);
    cr_assert_eq(cpu.EAX, 1);
    cr_assert_eq(cpu.EBX, 2);
    cr_assert_eq(cpu.ESI, 3);
    cr_assert_eq(cpu.EDI, 0);
    cr_assert_eq(cpu.EBP, 0);
    cr_assert(cpu.a20_enabled);
    cr_assert_eq(cpu.gdtr.base, BOOT_GDT_ADDR);
    /* The GDT in memory holds the same descriptors the caches were built from. */
    cr_assert_eq(rd32(BOOT_GDT_ADDR + 0x10 + 4) & 0x00FFFF00u, 0x00CF9B00u);
    cr_assert_eq(rd32(BOOT_GDT_ADDR + 0x18 + 4) & 0x00FFFF00u, 0x00CF9300u);
}
