/* test_pic.c — the dual 8259A programming model, driven through its I/O ports as a guest
 * would, with the expected behaviour taken from the Intel 8259A datasheet. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pic.h"

static DualPic pic;
static IoPortSpace io;
static int intr;         /* level the PIC drives on the CPU's INTR */
static int intr_calls;   /* how many times it drove it */

static void cpu_intr_set(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    intr = level;
    intr_calls++;
}

static void setup(void)
{
    ioport_init(&io);
    intr = -1;
    intr_calls = 0;
    pic_init(&pic, (IrqLine){cpu_intr_set, NULL, 0});
    pic_register(&pic, &io);
}

TestSuite(pic, .init = setup);

static void outb(uint16_t port, uint8_t v) { ioport_write(&io, port, 1, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)ioport_read(&io, port, 1); }

static void set_irq(int irq, int level)
{
    IrqLine line = pic_irq_line(&pic, irq);
    irq_set(&line, level);
}

/* The PC BIOS sequence: edge, cascade, ICW4 (8086 mode), all unmasked. */
static void init_pc(uint8_t master_base, uint8_t slave_base, uint8_t icw4)
{
    outb(0x20, 0x11);
    outb(0x21, master_base);
    outb(0x21, 0x04); /* slave on IR2 */
    outb(0x21, icw4);
    outb(0xA0, 0x11);
    outb(0xA1, slave_base);
    outb(0xA1, 0x02); /* slave ID 2 */
    outb(0xA1, icw4 & ~0x10);
    outb(0x21, 0x00);
    outb(0xA1, 0x00);
}

static PicChipInfo info(int chip)
{
    PicChipInfo i;
    pic_chip_info(&pic, chip, &i);
    return i;
}

static void eoi_master(void) { outb(0x20, 0x20); }
static void eoi_slave(void) { outb(0xA0, 0x20); }

Test(pic, reset_state_masks_everything)
{
    cr_assert_eq(intr, 0, "reset drives INTR low");
    cr_assert_eq(inb(0x21), 0xFF);
    cr_assert_eq(inb(0xA1), 0xFF);
    cr_assert(!info(0).initialised);
    set_irq(1, 1);
    cr_assert(!pic_intr_pending(&pic), "masked until initialised");
}

Test(pic, icw_sequence_sets_vector_bases)
{
    init_pc(0x08, 0x70, 0x01);
    PicChipInfo m = info(0), s = info(1);
    cr_assert(m.initialised && s.initialised);
    cr_assert_eq(m.vector_base, 0x08);
    cr_assert_eq(s.vector_base, 0x70);
    cr_assert(!m.single && !m.auto_eoi && !m.level_triggered);
    cr_assert_eq(m.imr, 0);
    /* Low three bits of ICW2 are ignored in 8086 mode. */
    outb(0x20, 0x11);
    outb(0x21, 0x27);
    cr_assert_eq(inb(0x21), 0x00, "ICW1 clears the IMR; ICW2 is not an IMR write");
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    cr_assert_eq(info(0).vector_base, 0x20);
    outb(0x21, 0x5A);
    cr_assert_eq(inb(0x21), 0x5A, "after the sequence A0=1 writes are OCW1");
}

Test(pic, single_mode_skips_icw3)
{
    outb(0x20, 0x13); /* edge, single, IC4 */
    outb(0x21, 0x40);
    outb(0x21, 0x03); /* ICW4 straight after ICW2: AEOI, 8086 */
    cr_assert(info(0).initialised && info(0).single && info(0).auto_eoi);
    outb(0x21, 0xFE);
    cr_assert_eq(inb(0x21), 0xFE);
    /* Without IC4 the sequence ends at ICW2 and ICW4's functions are cleared. */
    outb(0x20, 0x12);
    outb(0x21, 0x48);
    cr_assert(info(0).initialised && !info(0).auto_eoi);
    cr_assert_eq(info(0).vector_base, 0x48);
}

Test(pic, request_masking_and_vector)
{
    init_pc(0x08, 0x70, 0x01);
    outb(0x21, 0x08); /* mask IR3 */
    set_irq(3, 1);
    cr_assert(!pic_intr_pending(&pic));
    cr_assert_eq(intr, 0);
    cr_assert_eq(inb(0x20), 0x08, "IRR shows the masked request");
    outb(0x21, 0x00);
    cr_assert(pic_intr_pending(&pic));
    cr_assert_eq(intr, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0B);
    cr_assert_eq(intr, 0);
    cr_assert_eq(info(0).isr, 0x08);
    cr_assert_eq(info(0).irr, 0x00);
}

Test(pic, fixed_priority_and_nesting)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(5, 1);
    set_irq(3, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0B, "IR3 outranks IR5");
    cr_assert(!pic_intr_pending(&pic), "IR5 waits while IR3 is in service");
    set_irq(1, 1);
    cr_assert(pic_intr_pending(&pic), "IR1 nests above IR3");
    cr_assert_eq(pic_acknowledge(&pic), 0x09);
    cr_assert_eq(info(0).isr, 0x0A);
    eoi_master(); /* ends IR1, the highest in service */
    cr_assert_eq(info(0).isr, 0x08);
    cr_assert(!pic_intr_pending(&pic));
    eoi_master();
    cr_assert(pic_intr_pending(&pic));
    cr_assert_eq(pic_acknowledge(&pic), 0x0D);
}

Test(pic, specific_eoi)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(4, 1);
    set_irq(6, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0C);
    outb(0x20, 0x66); /* specific EOI for IR6, which is not in service: no effect */
    cr_assert_eq(info(0).isr, 0x10);
    outb(0x20, 0x64); /* specific EOI IR4 */
    cr_assert_eq(info(0).isr, 0x00);
    cr_assert_eq(pic_acknowledge(&pic), 0x0E);
    outb(0x20, 0x40); /* OCW2 no-op */
    cr_assert_eq(info(0).isr, 0x40);
}

Test(pic, auto_eoi_and_rotation_in_aeoi)
{
    init_pc(0x08, 0x70, 0x03);
    cr_assert(info(0).auto_eoi);
    set_irq(3, 1);
    set_irq(5, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0B);
    cr_assert_eq(info(0).isr, 0, "AEOI leaves nothing in service");
    cr_assert(pic_intr_pending(&pic));
    cr_assert_eq(pic_acknowledge(&pic), 0x0D);
    /* Rotate in AEOI mode: each acknowledged level becomes the lowest priority. */
    outb(0x20, 0x80);
    set_irq(3, 0), set_irq(5, 0);
    set_irq(1, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x09);
    cr_assert_eq(info(0).lowest_priority, 1);
    set_irq(0, 1);
    set_irq(4, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0C, "IR2..IR7 now outrank IR0");
    cr_assert_eq(info(0).lowest_priority, 4);
    outb(0x20, 0x00); /* clear rotate in AEOI */
    cr_assert_eq(pic_acknowledge(&pic), 0x08);
    cr_assert_eq(info(0).lowest_priority, 4);
}

Test(pic, rotate_on_eoi_and_set_priority)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(1, 1);
    set_irq(6, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x09);
    outb(0x20, 0xA0); /* rotate on non-specific EOI: IR1 becomes lowest */
    cr_assert_eq(info(0).isr, 0);
    cr_assert_eq(info(0).lowest_priority, 1);
    set_irq(1, 0);
    set_irq(1, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0E, "IR6 now outranks IR1");
    outb(0x20, 0xE6); /* rotate on specific EOI IR6 */
    cr_assert_eq(info(0).lowest_priority, 6);
    cr_assert_eq(info(0).isr, 0);
    cr_assert_eq(pic_acknowledge(&pic), 0x09);
    eoi_master();
    /* Set priority: IR4 lowest, so IR5 is the highest. */
    outb(0x20, 0xC4);
    set_irq(3, 1);
    set_irq(5, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0D);
    set_irq(0, 1);
    cr_assert(!pic_intr_pending(&pic), "IR0 ranks below IR5 now");
    eoi_master();
    cr_assert_eq(pic_acknowledge(&pic), 0x08, "IR0 before IR3 (order 5,6,7,0,1,2,3,4)");
}

Test(pic, cascade_through_irq2)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(12, 1);
    cr_assert(pic_intr_pending(&pic));
    cr_assert_eq(info(0).irr, 0x04, "the slave's INT is the master's IR2");
    cr_assert_eq(info(1).irr, 0x10);
    cr_assert_eq(pic_acknowledge(&pic), 0x74);
    cr_assert_eq(info(0).isr, 0x04);
    cr_assert_eq(info(1).isr, 0x10);
    cr_assert_eq(info(0).irr, 0x00);
    /* A higher slave request waits: master IR2 is in service (no SFNM). */
    set_irq(8, 1);
    cr_assert(info(1).int_out);
    cr_assert(!pic_intr_pending(&pic));
    eoi_slave();
    eoi_master();
    cr_assert(pic_intr_pending(&pic));
    cr_assert_eq(pic_acknowledge(&pic), 0x70);
    /* A master request below IR2 is held off while the slave is serviced. */
    set_irq(5, 1);
    cr_assert(!pic_intr_pending(&pic));
    set_irq(1, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x09);
}

Test(pic, special_fully_nested_mode)
{
    init_pc(0x08, 0x70, 0x11); /* master ICW4: SFNM, 8086 */
    cr_assert(info(0).special_fully_nested);
    set_irq(12, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x74);
    set_irq(9, 1);
    cr_assert(pic_intr_pending(&pic), "a higher slave request gets through IR2 in service");
    cr_assert_eq(pic_acknowledge(&pic), 0x71);
    cr_assert_eq(info(1).isr, 0x12);
    set_irq(14, 1);
    cr_assert(!pic_intr_pending(&pic), "a lower slave request still waits");
}

Test(pic, irq2_pin_routes_to_irq9)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(2, 1);
    cr_assert_eq(info(1).irr, 0x02);
    cr_assert_eq(pic_acknowledge(&pic), 0x71);
    uint8_t irr0 = info(0).irr, irr1 = info(1).irr;
    IrqLine bad = pic_irq_line(&pic, 16);
    irq_raise(&bad); /* out of range: a dead line */
    pic_set_irq(&pic, -1, 1);
    cr_assert(info(0).irr == irr0 && info(1).irr == irr1);
}

Test(pic, slave_with_wrong_id_does_not_answer)
{
    init_pc(0x08, 0x70, 0x01);
    outb(0xA0, 0x11);
    outb(0xA1, 0x70);
    outb(0xA1, 0x03); /* ID 3, but wired to master IR2 */
    outb(0xA1, 0x01);
    outb(0xA1, 0x00);
    set_irq(10, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0xFF, "floating data bus");
    cr_assert_eq(info(0).isr, 0x04);
    cr_assert_eq(info(1).isr, 0x00);
}

Test(pic, edge_needs_a_new_rising_edge)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(4, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0C);
    eoi_master();
    cr_assert(!pic_intr_pending(&pic), "a line held high asks only once");
    set_irq(4, 1);
    cr_assert(!pic_intr_pending(&pic), "no edge, no request");
    set_irq(4, 0);
    set_irq(4, 1);
    cr_assert(pic_intr_pending(&pic));
}

Test(pic, elcr_level_triggering)
{
    init_pc(0x08, 0x70, 0x01);
    outb(0x4D0, 0xFF);
    outb(0x4D1, 0xFF);
    cr_assert_eq(inb(0x4D0), 0xF8, "IRQ 0, 1, 2 stay edge-triggered");
    cr_assert_eq(inb(0x4D1), 0xDE, "IRQ 8 and 13 stay edge-triggered");
    outb(0x4D1, 0x08); /* IRQ 11 level */
    set_irq(11, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x73);
    cr_assert_eq(info(1).irr, 0x08, "a level input is re-sensed at once");
    eoi_slave();
    eoi_master();
    cr_assert(pic_intr_pending(&pic), "still high after EOI: asks again");
    cr_assert_eq(pic_acknowledge(&pic), 0x73);
    set_irq(11, 0);
    eoi_slave();
    eoi_master();
    cr_assert(!pic_intr_pending(&pic));
    /* Edge input on the same chip for contrast. */
    set_irq(10, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x72);
    eoi_slave();
    eoi_master();
    cr_assert(!pic_intr_pending(&pic));
}

Test(pic, elcr_switch_resenses_level_inputs)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(5, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0D);
    eoi_master();
    cr_assert(!pic_intr_pending(&pic));
    outb(0x4D0, 0x20); /* IRQ5 becomes level-triggered while its line is high */
    cr_assert(pic_intr_pending(&pic));
}

Test(pic, icw1_ltim_makes_every_input_level)
{
    outb(0x20, 0x19); /* LTIM, cascade, IC4 */
    outb(0x21, 0x08);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0x21, 0x00);
    cr_assert(info(0).level_triggered);
    set_irq(0, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x08);
    eoi_master();
    cr_assert(pic_intr_pending(&pic));
}

Test(pic, icw1_resets_edge_sense)
{
    init_pc(0x08, 0x70, 0x01);
    outb(0x21, 0xFF);
    set_irq(6, 1);
    cr_assert_eq(info(0).irr, 0x40);
    init_pc(0x08, 0x70, 0x01);
    cr_assert_eq(info(0).irr, 0x00, "an edge input must rise again after ICW1");
    cr_assert(!pic_intr_pending(&pic));
}

Test(pic, withdrawn_request_drops_intr)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(6, 1);
    cr_assert_eq(intr, 1);
    set_irq(6, 0);
    cr_assert_eq(intr, 0);
    cr_assert_eq(info(0).irr, 0);
    set_irq(13, 1);
    cr_assert_eq(intr, 1);
    set_irq(13, 0);
    cr_assert_eq(intr, 0, "the slave's INT falls and so does master IR2");
    cr_assert_eq(info(0).irr, 0);
}

Test(pic, spurious_irq7)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(4, 1);
    cr_assert_eq(intr, 1);
    /* The CPU has committed to the INTA cycle when the request goes away. */
    set_irq(4, 0);
    cr_assert_eq(pic_acknowledge(&pic), 0x0F);
    cr_assert_eq(info(0).isr, 0, "no ISR bit for a spurious IRQ 7");
    /* A real IRQ 7 does set its ISR bit. */
    set_irq(7, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0F);
    cr_assert_eq(info(0).isr, 0x80);
}

Test(pic, spurious_irq15)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(10, 1);
    cr_assert_eq(intr, 1);
    /* The race a synchronous model cannot produce by itself: the slave's request vanishes
     * after the master has latched IR2 but before the slave resolves its priority. */
    pic.chip[1].pins = 0;
    pic.chip[1].irr = 0;
    cr_assert_eq(pic_acknowledge(&pic), 0x77);
    cr_assert_eq(info(0).isr, 0x04, "the master puts IR2 in service as hardware does");
    cr_assert_eq(info(1).isr, 0x00);
    eoi_master();
    cr_assert_eq(info(0).isr, 0);
}

Test(pic, poll_mode)
{
    init_pc(0x08, 0x70, 0x01);
    outb(0x20, 0x0C); /* OCW3 poll */
    cr_assert_eq(inb(0x20), 0x00, "nothing requesting");
    set_irq(3, 1);
    set_irq(5, 1);
    outb(0x20, 0x0C);
    cr_assert_eq(inb(0x21), 0x83, "either port answers the poll");
    cr_assert_eq(info(0).isr, 0x08, "a poll acts as an acknowledge");
    cr_assert_eq(inb(0x21), 0x00, "the next read is an IMR read again");
    eoi_master();
    /* Polling through the cascade: the master says IR2, then the slave is polled. */
    set_irq(5, 0);
    set_irq(3, 0);
    set_irq(14, 1);
    outb(0x20, 0x0C);
    cr_assert_eq(inb(0x20), 0x82);
    outb(0xA0, 0x0C);
    cr_assert_eq(inb(0xA0), 0x86);
    cr_assert_eq(info(1).isr, 0x40);
}

Test(pic, special_mask_mode)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(3, 1);
    cr_assert_eq(pic_acknowledge(&pic), 0x0B);
    set_irq(6, 1);
    cr_assert(!pic_intr_pending(&pic));
    /* The IR3 handler masks itself and enters special mask mode: lower levels open up. */
    outb(0x21, 0x08);
    outb(0x20, 0x68);
    cr_assert(info(0).special_mask);
    cr_assert(pic_intr_pending(&pic));
    cr_assert_eq(pic_acknowledge(&pic), 0x0E);
    /* A non-specific EOI skips the masked IR3 and ends IR6. */
    eoi_master();
    cr_assert_eq(info(0).isr, 0x08);
    outb(0x20, 0x48); /* leave special mask mode */
    cr_assert(!info(0).special_mask);
    outb(0x21, 0x00);
    set_irq(6, 0);
    set_irq(6, 1);
    cr_assert(!pic_intr_pending(&pic), "IR3 in service blocks again");
}

Test(pic, read_irr_and_isr)
{
    init_pc(0x08, 0x70, 0x01);
    set_irq(1, 1);
    set_irq(6, 1);
    cr_assert_eq(inb(0x20), 0x42, "IRR is read after ICW1");
    pic_acknowledge(&pic);
    outb(0x20, 0x0B); /* read ISR */
    cr_assert_eq(inb(0x20), 0x02);
    cr_assert_eq(inb(0x20), 0x02, "the selection sticks");
    outb(0x20, 0x08); /* RR=0: no change */
    cr_assert_eq(inb(0x20), 0x02);
    outb(0x20, 0x0A); /* read IRR */
    cr_assert_eq(inb(0x20), 0x40);
    cr_assert_eq(inb(0x21), 0x00, "A0=1 reads the IMR");
}

Test(pic, intr_driven_only_on_change)
{
    init_pc(0x08, 0x70, 0x01);
    int calls = intr_calls;
    set_irq(3, 1);
    set_irq(4, 1);
    set_irq(5, 1);
    cr_assert_eq(intr_calls, calls + 1);
    cr_assert_eq(intr, 1);
}

Test(pic, word_access_is_split)
{
    init_pc(0x08, 0x70, 0x01);
    ioport_write(&io, 0x4D0, 2, 0x0820); /* IRQ5 and IRQ11 level */
    cr_assert_eq(ioport_read(&io, 0x4D0, 2), 0x0820);
}

/* True if both PICs save to the same bytes (their whole state). */
static bool same_state(const DualPic *a, const DualPic *b)
{
    StateWriter wa, wb;
    sw_init(&wa);
    sw_init(&wb);
    pic_save(a, &wa);
    pic_save(b, &wb);
    bool same = wa.len == wb.len && memcmp(wa.buf, wb.buf, wa.len) == 0;
    sw_free(&wa);
    sw_free(&wb);
    return same;
}

static void busy_state(void)
{
    init_pc(0x20, 0x28, 0x01);
    outb(0x4D1, 0x08);
    outb(0x21, 0x40);
    outb(0x20, 0xC3);
    set_irq(11, 1);
    set_irq(6, 1);
    set_irq(1, 1);
    pic_acknowledge(&pic);
    outb(0xA0, 0x0B);
}

Test(pic, save_load_round_trip)
{
    busy_state();
    DualPic before = pic;
    StateWriter w;
    sw_init(&w);
    pic_save(&pic, &w);
    pic_init(&pic, (IrqLine){cpu_intr_set, NULL, 0});
    cr_assert_eq(intr, 0);
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(pic_load(&pic, &r));
    cr_assert_eq(r.pos, w.len);
    cr_assert(same_state(&pic, &before));
    cr_assert_eq(info(1).isr, before.chip[1].isr);
    cr_assert_eq(intr, pic_intr_pending(&pic), "INTR re-driven after load");
    cr_assert_eq(pic_acknowledge(&pic), pic_acknowledge(&before));
    sw_free(&w);
}

Test(pic, truncated_or_invalid_stream_rejected)
{
    busy_state();
    StateWriter w;
    sw_init(&w);
    pic_save(&pic, &w);
    DualPic before = pic;
    for (size_t len = 0; len < w.len; len++) {
        StateReader r;
        sr_init(&r, w.buf, len);
        cr_assert(!pic_load(&pic, &r), "length %zu accepted", len);
        cr_assert(r.error);
    }
    cr_assert(same_state(&pic, &before), "state untouched");
    /* Field corruption: bad version, vector base with low bits, lowest priority 8, ELCR
     * bit for IRQ 0, IRR without a high input. Offsets follow pic_save's layout. */
    const struct { size_t off; uint8_t val; } bad[] = {
        {0, 2}, {1 + 5, 0x21}, {1 + 10, 8}, {1 + 4, 0x01}, {1 + 0, 0x80 | before.chip[0].irr},
        {1 + 9, 1}, {1 + 11, 0x20},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *copy = malloc(w.len);
        memcpy(copy, w.buf, w.len);
        copy[bad[i].off] = bad[i].val;
        StateReader r;
        sr_init(&r, copy, w.len);
        cr_assert(!pic_load(&pic, &r), "corruption %zu accepted", i);
        free(copy);
    }
    cr_assert(same_state(&pic, &before));
    sw_free(&w);
}
