/* segment.c — descriptor access and data/stack segment loads (see segment.h). */
#include "cpu/segment.h"

#include "cpu/access.h"
#include "cpu/exception.h"

uint32_t desc_addr(CpuState *cpu, uint16_t sel, bool ext)
{
    uint32_t err = (sel & 0xFFFC) | (ext ? 1 : 0);
    uint32_t index = sel & 0xFFF8u;
    if (sel & 4) {
        if (!(cpu->ldtr.attr & SA_P) || index + 7 > cpu->ldtr.limit)
            cpu_raise(cpu, EXC_GP, err);
        return cpu->ldtr.base + index;
    }
    if (index + 7 > cpu->gdtr.limit)
        cpu_raise(cpu, EXC_GP, err);
    return cpu->gdtr.base + index;
}

Descriptor desc_read(CpuState *cpu, uint16_t sel, bool ext)
{
    uint32_t lin = desc_addr(cpu, sel, ext);
    Descriptor d = {sys_read32(cpu, lin), sys_read32(cpu, lin + 4)};
    return d;
}

Descriptor desc_read_ts(CpuState *cpu, uint16_t sel, bool ext)
{
    uint32_t index = sel & 0xFFF8u;
    bool ok = (sel & 4) ? (cpu->ldtr.attr & SA_P) && index + 7 <= cpu->ldtr.limit
                        : index + 7 <= cpu->gdtr.limit;
    if (!ok)
        cpu_raise(cpu, EXC_TS, (sel & 0xFFFC) | (ext ? 1 : 0));
    return desc_read(cpu, sel, ext);
}

void desc_write_type_byte(CpuState *cpu, uint16_t sel, uint8_t v)
{
    uint32_t lin = (sel & 4 ? cpu->ldtr.base : cpu->gdtr.base) + (sel & 0xFFF8u);
    sys_write8(cpu, lin + 5, v);
}

bool desc_try_read(CpuState *cpu, uint16_t sel, Descriptor *d)
{
    uint32_t index = sel & 0xFFF8u, base;
    if (sel & 4) {
        if (!(cpu->ldtr.attr & SA_P) || index + 7 > cpu->ldtr.limit)
            return false;
        base = cpu->ldtr.base;
    } else {
        if (index + 7 > cpu->gdtr.limit)
            return false;
        base = cpu->gdtr.base;
    }
    d->lo = sys_read32(cpu, base + index);
    d->hi = sys_read32(cpu, base + index + 4);
    return true;
}

void desc_set_accessed(CpuState *cpu, uint16_t sel, Descriptor *d)
{
    if (d->hi & 0x100)
        return;
    d->hi |= 0x100;
    uint32_t lin = (sel & 4 ? cpu->ldtr.base : cpu->gdtr.base) + (sel & 0xFFF8u);
    sys_write8(cpu, lin + 5, (uint8_t)(d->hi >> 8));
}

void seg_load_real(CpuState *cpu, int seg, uint16_t sel)
{
    SegCache *s = &cpu->seg[seg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    if (cpu_vm86(cpu)) {
        s->limit = 0xFFFF;
        s->attr = SA_P | SA_S | (3 << SA_DPL_SHIFT) | SA_RW | SA_ACCESSED |
                  (seg == SEG_CS ? SA_CODE : 0);
    } else if (seg == SEG_CS) {
        /* A real-mode CS load keeps the limit and makes the segment a present 16-bit
         * code segment, so code fetched from it is 16-bit. */
        s->attr = (uint16_t)((s->attr & ~SA_DB) | SA_P | SA_S);
    } else if (!(s->attr & SA_P)) {
        /* A segment left unusable by protected mode becomes a usable 64 KiB segment. */
        s->attr = SA_P | SA_S | SA_RW | SA_ACCESSED;
        s->limit = 0xFFFF;
    }
}

void seg_load_cache(CpuState *cpu, int seg, uint16_t sel, Descriptor d)
{
    cpu->seg[seg] = desc_to_cache(sel, d);
}


void seg_load(CpuState *cpu, int seg, uint16_t sel)
{
    if (!cpu_pe(cpu) || cpu_vm86(cpu)) {
        seg_load_real(cpu, seg, sel);
        return;
    }
    unsigned rpl = sel & 3, cpl = cpu->cpl;
    uint32_t err = sel & 0xFFFC;
    if ((sel & 0xFFFC) == 0) {
        if (seg == SEG_SS)
            cpu_raise(cpu, EXC_GP, 0);
        seg_make_null(&cpu->seg[seg], sel);
        return;
    }
    Descriptor d = desc_read(cpu, sel, false);
    unsigned dpl = desc_dpl(d);
    if (seg == SEG_SS) {
        bool writable_data = !desc_is_system(d) && !desc_is_code(d) && (d.hi & 0x200);
        if (rpl != cpl || !writable_data || dpl != cpl)
            cpu_raise(cpu, EXC_GP, err);
        if (!desc_present(d))
            cpu_raise(cpu, EXC_SS, err);
    } else {
        if (desc_is_system(d))
            cpu_raise(cpu, EXC_GP, err);
        bool code = desc_is_code(d);
        if (code && !(d.hi & 0x200)) /* execute-only code */
            cpu_raise(cpu, EXC_GP, err);
        bool conforming_code = code && (d.hi & 0x400);
        if (!conforming_code && (rpl > dpl || cpl > dpl))
            cpu_raise(cpu, EXC_GP, err);
        if (!desc_present(d))
            cpu_raise(cpu, EXC_NP, err);
    }
    desc_set_accessed(cpu, sel, &d);
    seg_load_cache(cpu, seg, sel, d);
}

void seg_invalidate_for_cpl(CpuState *cpu)
{
    static const int segs[] = {SEG_ES, SEG_FS, SEG_GS, SEG_DS};
    for (unsigned i = 0; i < 4; i++) {
        SegCache *s = &cpu->seg[segs[i]];
        uint16_t a = s->attr;
        bool code = a & SA_CODE;
        bool usable = (a & SA_S) && (!code || (a & SA_RW));
        bool conforming_code = code && (a & SA_DC);
        unsigned dpl = (a & SA_DPL) >> SA_DPL_SHIFT;
        /* SDM (RET, IRET): data and non-conforming code segments more privileged than
         * the new CPL become null, as do segments that are not data or readable code. */
        if (!usable || (!conforming_code && dpl < cpu->cpl))
            seg_make_null(s, 0);
    }
}
