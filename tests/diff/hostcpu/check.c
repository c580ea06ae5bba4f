/* check.c — see check.h. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpu/disasm.h"

const char *const hc_reg_names[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

void say(Report *r, const char *fmt, ...)
{
    if (r->len + 16 >= sizeof r->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
    va_end(ap);
    if (k > 0)
        r->len += (size_t)k < sizeof r->text - r->len ? (size_t)k : sizeof r->text - r->len - 1;
}

static unsigned check_mem(const uint8_t *got, const uint8_t *want, const char *want_name,
                          const char *got_name, Report *r)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < HC_DATA_SIZE; i++)
        if (got[i] != want[i]) {
            if (bad < 12)
                say(r, "    mem[%u]: %s %02x %s %02x\n", i, want_name, want[i], got_name,
                    got[i]);
            bad++;
        }
    return bad;
}

unsigned check_sane(const VmResult *got, const char *name, Report *r)
{
    unsigned bad = 0;
    if (got->status == VM_SHUTDOWN)
        say(r, "    %s: the CPU shut down (triple fault)\n", name), bad++;
    else if (got->status == VM_STUCK)
        say(r, "    %s: stopped at %08x after %llu instructions, neither done nor in a "
               "handler\n", name, got->eip, (unsigned long long)got->retired), bad++;
    if (got->stray)
        say(r, "    %s wrote outside the data window at %#x\n", name, got->stray_addr), bad++;
    return bad;
}

unsigned check_host(const VmResult *got, const HcResult *host, uint32_t flag_mask, Report *r)
{
    unsigned bad = check_sane(got, "vmm86", r);
    if (got->vector >= 0) {
        say(r, "    vmm86 raised vector %d; the host raised nothing\n", got->vector);
        return bad + 1;
    }
    if (got->eip != host->eip) {
        say(r, "    eip: host %08x vmm86 %08x\n", host->eip, got->eip);
        return bad + 1;
    }
    for (int i = 0; i < 8; i++)
        if (got->regs[i] != host->regs[i]) {
            say(r, "    %s: host %08x vmm86 %08x\n", hc_reg_names[i], host->regs[i],
                got->regs[i]);
            bad++;
        }
    if ((got->eflags ^ host->eflags) & flag_mask) {
        say(r, "    eflags: host %08x vmm86 %08x (compared %08x)\n", host->eflags, got->eflags,
            flag_mask);
        bad++;
    }
    return bad + check_mem(got->mem, host->mem, "host", "vmm86", r);
}

unsigned check_exact(const VmResult *got, const VmResult *ref, const char *got_name,
                     Report *r)
{
    static const char *const status[] = {"done", "shutdown", "out of budget", "stuck"};
    unsigned bad = check_sane(got, got_name, r);
    if (got->status != ref->status) {
        say(r, "    run: interp %s %s %s\n", status[ref->status], got_name, status[got->status]);
        bad++;
    }
    if (got->vector != ref->vector || got->error != ref->error) {
        say(r, "    exception: interp %d (error %d) %s %d (error %d)\n", ref->vector,
            ref->error, got_name, got->vector, got->error);
        bad++;
    }
    if (got->retired != ref->retired) {
        say(r, "    retired: interp %llu %s %llu\n", (unsigned long long)ref->retired, got_name,
            (unsigned long long)got->retired);
        bad++;
    }
    if (got->eip != ref->eip) {
        say(r, "    eip: interp %08x %s %08x\n", ref->eip, got_name, got->eip);
        bad++;
    }
    for (int i = 0; i < 8; i++)
        if (got->regs[i] != ref->regs[i]) {
            say(r, "    %s: interp %08x %s %08x\n", hc_reg_names[i], ref->regs[i], got_name,
                got->regs[i]);
            bad++;
        }
    if (got->eflags != ref->eflags) {
        say(r, "    eflags: interp %08x %s %08x (differ in %08x)\n", ref->eflags, got_name,
            got->eflags, ref->eflags ^ got->eflags);
        bad++;
    }
    return bad + check_mem(got->mem, ref->mem, "interp", got_name, r);
}

void describe_code(Report *r, const HcCase *c, bool code16)
{
    uint32_t off = 0, cs_base = code16 ? HC_CODE_BASE & 0xFFFF0000u : 0;
    if (code16)
        say(r, "    (16-bit code: CS base %08x, SS base %08x, 64 KiB each)\n", cs_base,
            HC_DATA_PAGES & 0xFFFF0000u);
    while (off < c->len) {
        char text[128];
        unsigned n = disasm_format(c->bytes + off, c->len - off, !code16,
                                   HC_INSN + off - cs_base, text, sizeof text);
        if (n == 0)
            n = c->len - off;
        say(r, "    %08x ", HC_INSN + off);
        for (unsigned i = 0; i < 10; i++)
            say(r, i < n ? "%02x" : "  ", c->bytes[off + (i < n ? i : 0)]);
        say(r, "  %s\n", text);
        off += n;
    }
}

void describe_inputs(Report *r, const HcCase *c)
{
    say(r, "    bytes:");
    for (unsigned i = 0; i < c->len; i++)
        say(r, " %02x", c->bytes[i]);
    say(r, "\n    in:");
    for (int i = 0; i < 8; i++)
        say(r, " %s=%08x", hc_reg_names[i], c->regs[i]);
    say(r, " eflags=%08x", c->eflags);
    if (c->target)
        say(r, " target=%08x", c->target);
    say(r, "\n");
}

void describe_result(Report *r, const char *name, const VmResult *v)
{
    say(r, "    %-8s", name);
    for (int i = 0; i < 8; i++)
        say(r, " %s=%08x", hc_reg_names[i], v->regs[i]);
    say(r, " eflags=%08x eip=%08x vector=%d retired=%llu\n", v->eflags, v->eip, v->vector,
        (unsigned long long)v->retired);
}

static const char *const seg_names[SEG_COUNT] = {"es", "cs", "ss", "ds", "fs", "gs"};

void describe_segs(Report *r, const VmSegs *segs)
{
    if (segs->code16) {
        say(r, "    segments: code16=1\n");
        return;
    }
    bool any = false;
    for (int s = 0; s < SEG_COUNT; s++) {
        if (!segs->base[s] && segs->limit[s] == 0xFFFFFFFFu && !segs->read_only[s] &&
            !segs->expand_down[s])
            continue;
        say(r, "%s %s=%x:%x%s%s", any ? "" : "    segments:", seg_names[s], segs->base[s],
            segs->limit[s], segs->read_only[s] ? ":ro" : "", segs->expand_down[s] ? ":ed" : "");
        any = true;
    }
    if (any)
        say(r, "\n");
}
