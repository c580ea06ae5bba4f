/* Physical memory map: RAM, ROM (read-only), MMIO dispatch, holes, code-page writes. */
#include <criterion/criterion.h>

#include "softmmu/physmem.h"

static PhysMem pm;

static void setup(void) { cr_assert(physmem_init(&pm, 1 << 20)); }
static void teardown(void) { physmem_free(&pm); }
TestSuite(physmem, .init = setup, .fini = teardown);

Test(physmem, ram_reads_back_little_endian)
{
    physmem_write(&pm, 0x1000, 4, 0x11223344);
    cr_assert_eq(physmem_read(&pm, 0x1000, 1), 0x44);
    cr_assert_eq(physmem_read(&pm, 0x1002, 2), 0x1122);
    cr_assert_eq(physmem_read(&pm, 0x1000, 8), 0x11223344ull);
}

Test(physmem, holes_read_all_ones_and_drop_writes)
{
    physmem_write(&pm, 0x200000, 4, 0);
    cr_assert_eq(physmem_read(&pm, 0x200000, 4), 0xFFFFFFFFu);
    physmem_unmap(&pm, 0xA0000, 0x20000);
    cr_assert_eq(physmem_read(&pm, 0xA0000, 1), 0xFF);
}

Test(physmem, rom_is_read_only)
{
    uint8_t img[8192];
    memset(img, 0x5A, sizeof img);
    cr_assert(physmem_map_rom(&pm, 0xFFFFE000u, img, sizeof img));
    cr_assert_eq(physmem_read(&pm, 0xFFFFFFF0u, 1), 0x5A);
    physmem_write(&pm, 0xFFFFFFF0u, 1, 0);
    cr_assert_eq(physmem_read(&pm, 0xFFFFFFF0u, 1), 0x5A);
}

static uint32_t mmio_last;
static uint32_t mmio_read(void *o, uint32_t addr, unsigned size)
{
    (void)o;
    return addr * 16 + size;
}
static void mmio_write(void *o, uint32_t addr, unsigned size, uint32_t v)
{
    (void)o;
    (void)size;
    mmio_last = addr ^ v;
}

Test(physmem, mmio_gets_offsets_from_its_base)
{
    static const IoOps ops = {mmio_read, mmio_write, 0};
    physmem_map_mmio(&pm, 0xFEC00000u, 0x1000, &ops, NULL);
    cr_assert_eq(physmem_read(&pm, 0xFEC00010u, 4), 0x10 * 16 + 4);
    physmem_write(&pm, 0xFEC00004u, 4, 0xF0);
    cr_assert_eq(mmio_last, 4 ^ 0xF0);
}

static uint32_t code_pa;
static void on_code_write(void *o, uint32_t pa, unsigned len)
{
    (void)o;
    (void)len;
    code_pa = pa;
}

Test(physmem, writes_to_code_pages_are_reported)
{
    pm.code_write = on_code_write;
    physmem_set_code(&pm, 0x3000, true);
    physmem_write(&pm, 0x3004, 2, 1);
    cr_assert_eq(code_pa, 0x3004);
    code_pa = 0;
    physmem_write_buf(&pm, 0x2FFE, "abcd", 4); /* DMA across into the code page */
    cr_assert_eq(code_pa, 0x3000);
    physmem_set_code(&pm, 0x3000, false);
    code_pa = 0;
    physmem_write(&pm, 0x3004, 2, 1);
    cr_assert_eq(code_pa, 0);
}

Test(physmem, bulk_copies_cross_pages)
{
    uint8_t out[6000], in[6000];
    for (int i = 0; i < 6000; i++)
        in[i] = (uint8_t)(i * 7);
    physmem_write_buf(&pm, 0x5F00, in, sizeof in);
    physmem_read_buf(&pm, 0x5F00, out, sizeof out);
    cr_assert_eq(memcmp(in, out, sizeof in), 0);
}
