/* ops_string.c — the string instructions MOVS CMPS STOS LODS SCAS INS OUTS, with REP,
 * REPE and REPNE.
 *
 * The source is seg:rSI (DS unless overridden), the destination ES:rDI (never overridden).
 * The address size picks SI/DI/CX (16-bit: they wrap at 64 KiB and the upper halves of
 * ESI/EDI/ECX are untouched) or ESI/EDI/ECX. DF picks the direction.
 * Restartability: each iteration commits its own register updates (rSI, rDI, rCX, flags)
 * before the next one begins, so a fault in iteration k leaves the registers describing the
 * remaining work and EIP at the instruction. A REP instruction stops at an iteration
 * boundary and is executed again (next_eip = eip) after REP_CHUNK iterations, after one
 * iteration when single-stepping (TF: the trap comes after every iteration, as on
 * hardware), after an iteration whose access hit a data breakpoint (the trap is reported
 * after that iteration), and as soon as an interrupt is pending, so cpu_exec can take it.
 * A count of 0 at the start does nothing.
 * RF (SDM vol. 3, 18.3.1.1): an instruction stopped with iterations left sets EFLAGS.RF
 * and keeps it (cpu->keep_rf), so the interrupt or trap taken there pushes RF = 1, and the
 * re-execution (after the IRET, or the next chunk) does not fire an instruction breakpoint
 * on it again; the last iteration leaves RF to be cleared as after any instruction, so
 * events after it push RF = 0.
 * Batches: a REP MOVS/STOS/LODS/CMPS/SCAS whose next iterations stay inside one page on
 * each side, inside the segment limits and without address-size wrap, and whose pages the
 * TLB maps for the fast path (RAM; for writes: dirty, not holding translated code; no data
 * breakpoint) runs those iterations in host memory at once (string_batch). Those are the
 * very conditions under which every single iteration would have taken the TLB fast path
 * and could not fault, so the result is the same; everything else (a first access that
 * faults, MMIO, ROM writes, code pages, page-straddling elements, expand-down segments,
 * alignment checking, armed data breakpoints) takes one reference iteration at a time.
 */
#include "cpu/ops_string.h"

#include "cpu/io_perm.h"
#include "cpu/ops_util.h"

#define REP_CHUNK 4096

typedef struct StrCtx {
    unsigned size; /* element size */
    int32_t delta; /* +size or -size (DF) */
    bool a16;      /* 16-bit address size */
} StrCtx;

static inline uint32_t str_reg(const CpuState *cpu, const StrCtx *s, int r)
{
    return s->a16 ? cpu->gpr[r].w : cpu->gpr[r].d;
}

static inline void str_advance(CpuState *cpu, const StrCtx *s, int r)
{
    if (s->a16)
        cpu->gpr[r].w = (uint16_t)(cpu->gpr[r].w + s->delta);
    else
        cpu->gpr[r].d += (uint32_t)s->delta;
}

static inline uint32_t str_acc(const CpuState *cpu, const StrCtx *s)
{
    return gpr_read(cpu, R_EAX, s->size);
}

/* One iteration of each instruction; returns the value of ZF it produced (CMPS/SCAS). */
typedef bool (*StrStep)(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s);

static bool step_movs(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t v = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    cpu_write_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size, v);
    str_advance(cpu, s, R_ESI);
    str_advance(cpu, s, R_EDI);
    return false;
}

static bool compare(CpuState *cpu, const StrCtx *s, uint32_t a, uint32_t b)
{
    uint32_t r = (a - b) & size_mask(s->size);
    cc_record(cpu, CC_OP(CC_BASE_SUB, s->size), r, a, b);
    return r == 0;
}

static bool step_cmps(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t a = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    uint32_t b = cpu_read_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size);
    str_advance(cpu, s, R_ESI);
    str_advance(cpu, s, R_EDI);
    return compare(cpu, s, a, b);
}

static bool step_stos(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    (void)insn;
    cpu_write_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size, str_acc(cpu, s));
    str_advance(cpu, s, R_EDI);
    return false;
}

static bool step_lods(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t v = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    gpr_write(cpu, R_EAX, s->size, v);
    str_advance(cpu, s, R_ESI);
    return false;
}

static bool step_scas(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    (void)insn;
    uint32_t b = cpu_read_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size);
    str_advance(cpu, s, R_EDI);
    return compare(cpu, s, str_acc(cpu, s), b);
}

/* INS: the destination is checked and translated for writing before the port is read, so
 * a fault does not swallow a device's data. */
static bool step_ins(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    (void)insn;
    uint16_t port = cpu->gpr[R_EDX].w;
    uint32_t lin = seg_check(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size, true);
    mmu_translate(cpu, lin, MMU_WRITE, cpu_user(cpu));
    if ((lin & 0xFFF) + s->size > 0x1000)
        mmu_translate(cpu, lin + s->size - 1, MMU_WRITE, cpu_user(cpu));
    uint32_t v = cpu_port_read(cpu, port, s->size);
    lin_write_sz(cpu, lin, s->size, v);
    str_advance(cpu, s, R_EDI);
    return false;
}

static bool step_outs(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t v = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    cpu_port_write(cpu, cpu->gpr[R_EDX].w, s->size, v);
    str_advance(cpu, s, R_ESI);
    return false;
}

static inline bool interrupt_pending(const CpuState *cpu)
{
    return (cpu->nmi_pending && !cpu->nmi_blocked) || (cpu->intr && (cpu->eflags & FL_IF));
}

/* ---- batches in host memory ------------------------------------------------------------ */

bool ops_string_fast = true;
uint64_t ops_string_fast_iters;

typedef enum StrKind { K_MOVS, K_CMPS, K_STOS, K_LODS, K_SCAS, K_IO } StrKind;

/* How many elements from offset `off` onwards (in the direction of s->delta) pass the
 * segment checks of `seg` for this access, with no address-size wrap; 0 when the first
 * would fault or the segment is left to seg_check (expand-down). At most one page's worth. */
static uint32_t seg_span(const CpuState *cpu, int seg, uint32_t off, const StrCtx *s, bool write)
{
    const SegCache *sc = &cpu->seg[seg];
    uint16_t attr = sc->attr;
    if (cpu_pe(cpu) && !cpu_vm86(cpu)) {
        if (!(attr & SA_P) || (attr & (SA_CODE | SA_DC)) == SA_DC)
            return 0;
        if (write ? ((attr & SA_CODE) || !(attr & SA_RW)) : ((attr & (SA_CODE | SA_RW)) == SA_CODE))
            return 0;
    }
    uint32_t top = sc->limit; /* the highest offset an element may touch */
    if (s->a16 && top > 0xFFFF)
        top = 0xFFFF; /* SI/DI wrap: the element after 0xFFFF is at 0 */
    if (off > top || top - off < s->size - 1)
        return 0;
    uint32_t n = s->delta > 0 ? (top - off - (s->size - 1)) / s->size : off / s->size;
    return n < PAGE_SIZE ? n + 1 : PAGE_SIZE;
}

/* How many elements from linear `lin` onwards stay inside its page (0: the first straddles). */
static uint32_t page_span(uint32_t lin, const StrCtx *s)
{
    uint32_t in = lin & 0xFFF;
    if (in + s->size > PAGE_SIZE)
        return 0;
    return s->delta > 0 ? (PAGE_SIZE - in) / s->size : in / s->size + 1;
}

/* Host pointer for `lin` when its page's TLB entry lets this kind of access take the fast
 * path, else NULL. `walk`: a missing entry is filled first by the page walk the reference
 * iteration would do first anyway (it may raise #PF: then exactly that iteration's fault). */
static uint8_t *str_host(CpuState *cpu, uint32_t lin, bool write, bool walk)
{
    bool user = cpu_user(cpu);
    TlbEntry *e = tlb_entry(cpu, lin, user);
    uint32_t page = lin & PAGE_MASK;
    uint32_t tag = write ? e->tag_write : e->tag_read;
    if (tag != page) {
        if (!walk || (!(tag & TLB_INVALID) && (tag & PAGE_MASK) == page))
            return NULL; /* a slow page (MMIO, ROM write, code, watched) */
        mmu_translate(cpu, lin, write ? MMU_WRITE : MMU_READ, user);
        if ((write ? e->tag_write : e->tag_read) != page)
            return NULL;
    }
    return (uint8_t *)(e->addend + lin);
}

/* Where the batch may go on one side: elements available (0: none) and the host pointer. */
static uint32_t side_span(CpuState *cpu, int seg, int reg, const StrCtx *s, bool write, bool walk,
                          uint8_t **host)
{
    uint32_t off = str_reg(cpu, s, reg);
    uint32_t n = seg_span(cpu, seg, off, s, write);
    uint32_t lin = cpu->seg[seg].base + off;
    uint32_t p = page_span(lin, s);
    n = n < p ? n : p;
    if (n && !(*host = str_host(cpu, lin, write, walk)))
        n = 0;
    return n;
}

static inline uint32_t load_sz(const uint8_t *p, unsigned size)
{
    uint8_t b[4] = {0};
    memcpy(b, p, size);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void store_sz(uint8_t *p, unsigned size, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    memcpy(p, b, size);
}

/* MOVS of n elements: src and dst point at the first element of each side. Host ranges
 * that do not overlap, or overlap so no element reads what an earlier one wrote, copy as
 * memmove; otherwise element by element (dst = src + 1 forwards replicates a byte). */
static void batch_movs(uint8_t *dst, const uint8_t *src, uint32_t n, const StrCtx *s)
{
    size_t len = (size_t)n * s->size;
    ptrdiff_t back = s->delta > 0 ? 0 : (ptrdiff_t)(n - 1) * s->size;
    uint8_t *dlo = dst - back;
    const uint8_t *slo = src - back;
    uintptr_t d0 = (uintptr_t)dlo, s0 = (uintptr_t)slo;
    bool apart = d0 + len <= s0 || s0 + len <= d0;
    if (apart || (s->delta > 0 ? d0 <= s0 : d0 >= s0)) {
        memmove(dlo, slo, len);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        ptrdiff_t d = (ptrdiff_t)i * s->delta;
        store_sz(dst + d, s->size, load_sz(src + d, s->size));
    }
}

static void batch_stos(uint8_t *dst, uint32_t n, const StrCtx *s, uint32_t v)
{
    uint8_t *lo = s->delta > 0 ? dst : dst - (ptrdiff_t)(n - 1) * s->size;
    if (s->size == 1) {
        memset(lo, (int)(v & 0xFF), n);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        store_sz(lo + (size_t)i * s->size, s->size, v);
}

/* CMPS (src != NULL) or SCAS (the accumulator) over up to n elements; stops after the
 * element that ends a REPE/REPNE (*stop). Records the flags of the last comparison. */
static uint32_t batch_cmp(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s,
                          const uint8_t *src, const uint8_t *dst, uint32_t n, bool *stop)
{
    uint32_t mask = size_mask(s->size), acc = str_acc(cpu, s), a = 0, b = 0, i = 0;
    bool want = insn->rep == PRE_REP; /* REPE goes on while ZF = 1 */
    while (i < n) {
        ptrdiff_t d = (ptrdiff_t)i * s->delta;
        a = src ? load_sz(src + d, s->size) : acc;
        b = load_sz(dst + d, s->size);
        i++;
        if ((((a - b) & mask) == 0) != want) {
            *stop = true;
            break;
        }
    }
    compare(cpu, s, a, b);
    return i;
}

static void str_advance_n(CpuState *cpu, const StrCtx *s, int r, uint32_t n)
{
    uint32_t d = (uint32_t)((int64_t)s->delta * n);
    if (s->a16)
        cpu->gpr[r].w = (uint16_t)(cpu->gpr[r].w + d);
    else
        cpu->gpr[r].d += d;
}

/* Runs up to `max` (>= 1) iterations in host memory; returns how many (0: take one
 * reference iteration instead). *stop: a REPE/REPNE condition ended the instruction.
 * The source side is looked at first, as the reference iteration reads it first: a page
 * walk for the destination (which may set A/D bits the source then reads) is left to it. */
static uint32_t string_batch(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s,
                             StrKind kind, uint32_t max, bool *stop)
{
    if (!ops_string_fast || (cpu->dr[7] & 0xFF) || cpu_align_armed(cpu))
        return 0;
    if ((kind == K_CMPS || kind == K_SCAS) && !(insn->row->attr & A_REPCC))
        return 0;
    bool use_src = kind == K_MOVS || kind == K_CMPS || kind == K_LODS;
    bool use_dst = kind != K_LODS;
    bool write = kind == K_MOVS || kind == K_STOS;
    uint8_t *src = NULL, *dst = NULL;
    uint32_t n = max;
    if (use_src) {
        uint32_t m = side_span(cpu, insn->seg, R_ESI, s, false, true, &src);
        n = m < n ? m : n;
    }
    if (n && use_dst) {
        uint32_t m = side_span(cpu, SEG_ES, R_EDI, s, write, !use_src, &dst);
        n = m < n ? m : n;
    }
    if (!n)
        return 0;
    switch (kind) {
    case K_MOVS: batch_movs(dst, src, n, s); break;
    case K_STOS: batch_stos(dst, n, s, str_acc(cpu, s)); break;
    case K_LODS: /* only the last element stays in the accumulator */
        gpr_write(cpu, R_EAX, s->size, load_sz(src + (ptrdiff_t)(n - 1) * s->delta, s->size));
        break;
    case K_CMPS: n = batch_cmp(cpu, insn, s, src, dst, n, stop); break;
    case K_SCAS: n = batch_cmp(cpu, insn, s, NULL, dst, n, stop); break;
    case K_IO: return 0;
    }
    if (use_src)
        str_advance_n(cpu, s, R_ESI, n);
    if (use_dst)
        str_advance_n(cpu, s, R_EDI, n);
    ops_string_fast_iters += n;
    return n;
}

/* ---- the REP loop ---------------------------------------------------------------------- */

static void string_run(CpuState *cpu, const DecodedInsn *insn, StrStep step, StrKind kind)
{
    bool io = kind == K_IO;
    StrCtx s;
    s.size = (insn->row->attr & A_BYTE) ? 1 : insn->opsize;
    s.delta = (cpu->eflags & FL_DF) ? -(int32_t)s.size : (int32_t)s.size;
    s.a16 = insn->adsize == 2;
    if (!insn->rep) {
        if (io)
            cpu_check_io(cpu, cpu->gpr[R_EDX].w, s.size);
        step(cpu, insn, &s);
        return;
    }
    bool conditional = insn->row->attr & A_REPCC;
    unsigned limit = (cpu->eflags & FL_TF) ? 1 : REP_CHUNK;
    for (unsigned n = 0;;) {
        uint32_t count = str_reg(cpu, &s, R_ECX);
        if (count == 0)
            return;
        if (n == limit || (n > 0 && (interrupt_pending(cpu) || cpu->trap_pending))) {
            cpu->next_eip = cpu->eip; /* resume this instruction later */
            cpu->eflags |= FL_RF; /* not a lazy bit */
            cpu->keep_rf = true;
            return;
        }
        if (n == 0 && io)
            cpu_check_io(cpu, cpu->gpr[R_EDX].w, s.size);
        /* A batch touches RAM only, so no interrupt or trap can become pending in it; one
         * already pending lets exactly one iteration run, as above. */
        bool stop = false;
        uint32_t room = (interrupt_pending(cpu) || cpu->trap_pending) ? 1 : limit - n;
        uint32_t max = count < room ? count : room;
        uint32_t done = io ? 0 : string_batch(cpu, insn, &s, kind, max, &stop);
        if (done == 0) {
            bool zf = step(cpu, insn, &s);
            done = 1;
            stop = conditional && zf != (insn->rep == PRE_REP); /* REPE: ZF = 0 ends it */
        }
        n += done;
        if (s.a16)
            cpu->gpr[R_ECX].w = (uint16_t)(count - done);
        else
            cpu->ECX = count - done;
        if (stop)
            return;
    }
}

static void op_movs(CpuState *cpu, const DecodedInsn *insn)
{
    string_run(cpu, insn, step_movs, K_MOVS);
}
static void op_cmps(CpuState *cpu, const DecodedInsn *insn)
{
    string_run(cpu, insn, step_cmps, K_CMPS);
}
static void op_stos(CpuState *cpu, const DecodedInsn *insn)
{
    string_run(cpu, insn, step_stos, K_STOS);
}
static void op_lods(CpuState *cpu, const DecodedInsn *insn)
{
    string_run(cpu, insn, step_lods, K_LODS);
}
static void op_scas(CpuState *cpu, const DecodedInsn *insn)
{
    string_run(cpu, insn, step_scas, K_SCAS);
}
static void op_ins(CpuState *cpu, const DecodedInsn *insn)
{
    string_run(cpu, insn, step_ins, K_IO);
}
static void op_outs(CpuState *cpu, const DecodedInsn *insn)
{
    string_run(cpu, insn, step_outs, K_IO);
}

void ops_string_register(InsnHandler *t)
{
    t[OP_MOVS] = op_movs;
    t[OP_CMPS] = op_cmps;
    t[OP_STOS] = op_stos;
    t[OP_LODS] = op_lods;
    t[OP_SCAS] = op_scas;
    t[OP_INS] = op_ins;
    t[OP_OUTS] = op_outs;
}
