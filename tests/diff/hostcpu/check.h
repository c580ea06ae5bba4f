/* check.h — comparing vmm86's results with the host's and with the reference interpreter,
 * and describing cases in reports (shared by the driver's modes).
 *
 * Contract: a Report collects text for one case; check_host() compares a VmResult with
 * the host's result over the given flag mask (registers, where execution went, flags, the
 * data window, stray writes), check_exact() compares two VmResults bit for bit (every
 * EFLAGS bit, the exception and its error code, the instructions retired: the engines
 * must agree exactly, DESIGN.md invariant 4). Both return the number of differences and
 * say what differed. describe_code() disassembles a case's code, describe_inputs() prints
 * its inputs, describe_result() a VmResult.
 */
#ifndef VMM86_TESTS_DIFF_HOSTCPU_CHECK_H
#define VMM86_TESTS_DIFF_HOSTCPU_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostcpu.h"
#include "vm.h"

typedef struct Report {
    char text[8192];
    size_t len;
} Report;

void say(Report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

unsigned check_host(const VmResult *got, const HcResult *host, uint32_t flag_mask, Report *r);
unsigned check_exact(const VmResult *got, const VmResult *ref, const char *got_name,
                     Report *r);
/* A VmResult must be a clean run (no shutdown, stuck engine or stray write). */
unsigned check_sane(const VmResult *got, const char *name, Report *r);

void describe_code(Report *r, const HcCase *c, bool code16);
void describe_inputs(Report *r, const HcCase *c);
void describe_result(Report *r, const char *name, const VmResult *v);
/* The segments that are not flat, in the replay file's syntax (seqmode.c). */
void describe_segs(Report *r, const VmSegs *segs);

extern const char *const hc_reg_names[8];

#endif
