/* host.c — simd-diff's oracle: one instruction executed natively on the x86-64 host.
 *
 * The instruction bytes are copied to an executable page followed by RET. A small stub
 * (below, in assembly) loads the whole x87/MMX/SSE state with FXRSTOR, the general
 * registers and the flags, calls the instruction, and stores everything back with FXSAVE.
 * A fault (#GP for a misaligned operand, #MF for a pending x87 error, #XM for an unmasked
 * SIMD exception, #UD) arrives as a signal: the handler copies the state at the fault from
 * the signal context (the first 512 bytes of the kernel's XSAVE area are the FXSAVE image)
 * and the trap number, and jumps back. Pointers into the data window and the instruction
 * address are translated to and from guest terms (sdiff.h).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "sdiff.h"

typedef struct HostCtx {
    _Alignas(64) uint8_t fx[512];
    uint64_t regs[8];       /* RAX RCX RDX RBX (RSP unused) RBP RSI RDI */
    uint64_t rflags;
    uint32_t mxcsr_default; /* reloaded after the case, for the C code that follows */
} HostCtx;

_Static_assert(offsetof(HostCtx, regs) == 512, "stub offsets");
_Static_assert(offsetof(HostCtx, rflags) == 576, "stub offsets");
_Static_assert(offsetof(HostCtx, mxcsr_default) == 584, "stub offsets");

void sd_host_exec(HostCtx *ctx, const uint8_t *code);

/* FXRSTOR and FXSAVE without REX.W use the 32-bit image layout. The instruction is entered
 * with CALL so that its RET comes back here. */
__asm__(".text\n"
        ".globl sd_host_exec\n"
        ".type sd_host_exec, @function\n"
        "sd_host_exec:\n"
        "    push %rbx\n    push %rbp\n    push %r12\n    push %r13\n    push %r14\n    push %r15\n"
        "    mov %rdi, %r15\n"
        "    mov %rsi, %r14\n"
        "    fxrstor (%r15)\n"
        "    mov 512(%r15), %rax\n"
        "    mov 520(%r15), %rcx\n"
        "    mov 528(%r15), %rdx\n"
        "    mov 536(%r15), %rbx\n"
        "    mov 552(%r15), %rbp\n"
        "    mov 560(%r15), %rsi\n"
        "    mov 568(%r15), %rdi\n"
        "    pushq 576(%r15)\n"
        "    popfq\n"
        "    call *%r14\n"
        "    pushfq\n"
        "    popq 576(%r15)\n"
        "    mov %rax, 512(%r15)\n"
        "    mov %rcx, 520(%r15)\n"
        "    mov %rdx, 528(%r15)\n"
        "    mov %rbx, 536(%r15)\n"
        "    mov %rbp, 552(%r15)\n"
        "    mov %rsi, 560(%r15)\n"
        "    mov %rdi, 568(%r15)\n"
        "    fxsave (%r15)\n"
        "    fninit\n"
        "    ldmxcsr 584(%r15)\n"
        "    pop %r15\n    pop %r14\n    pop %r13\n    pop %r12\n    pop %rbp\n    pop %rbx\n"
        "    ret\n"
        ".size sd_host_exec, .-sd_host_exec\n");

static uint8_t *code_page;
static uint8_t *window;
static HostCtx ctx;
static sigjmp_buf fault_jmp;
static volatile int fault_vector;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    fault_vector = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    if (uc->uc_mcontext.fpregs)
        memcpy(ctx.fx, uc->uc_mcontext.fpregs, sizeof ctx.fx);
    static const int map[8] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI };
    for (int r = 0; r < 8; r++)
        ctx.regs[r] = (uint64_t)uc->uc_mcontext.gregs[map[r]];
    ctx.rflags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
    siglongjmp(fault_jmp, 1);
}

bool host_init(void)
{
    code_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    window = aligned_alloc(4096, 4096);
    if (code_page == MAP_FAILED || !window) {
        perror("simd-diff: host pages");
        return false;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = { SIGFPE, SIGSEGV, SIGBUS, SIGILL };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL)) {
            perror("simd-diff: sigaction");
            return false;
        }
    return true;
}

/* EBX (the memory operands' base) and EDI (MASKMOV*'s destination); other registers hold
 * data that may happen to look like a window address. */
static bool is_pointer(int r) { return r == 3 || r == 7; }

static uint64_t to_host(uint32_t v)
{
    if (v >= SD_DATA_BASE && v < SD_DATA_BASE + SD_WINDOW)
        return (uint64_t)(uintptr_t)window + (v - SD_DATA_BASE);
    return v;
}

static uint32_t from_host(uint64_t v)
{
    uint64_t w = (uint64_t)(uintptr_t)window;
    if (v >= w && v < w + SD_WINDOW)
        return SD_DATA_BASE + (uint32_t)(v - w);
    return (uint32_t)v;
}

void host_run(const SdCase *c, SdState *out)
{
    memcpy(ctx.fx, c->in.fx, sizeof ctx.fx);
    for (int r = 0; r < 8; r++) /* only the pointer registers point into the window */
        ctx.regs[r] = is_pointer(r) ? to_host(c->in.gpr[r]) : c->in.gpr[r];
    ctx.rflags = c->in.eflags;
    ctx.mxcsr_default = 0x1F80;
    memcpy(window, c->in.mem, SD_WINDOW);
    memcpy(code_page, c->bytes, c->len);
    code_page[c->len] = 0xC3;
    fault_vector = -1;
    if (sigsetjmp(fault_jmp, 1) == 0)
        sd_host_exec(&ctx, code_page);
    out->vector = fault_vector;
    memcpy(out->fx, ctx.fx, sizeof out->fx);
    for (int r = 0; r < 8; r++)
        out->gpr[r] = is_pointer(r) ? from_host(ctx.regs[r]) : (uint32_t)ctx.regs[r];
    out->eflags = (uint32_t)ctx.rflags;
    memcpy(out->mem, window, SD_WINDOW);
    /* The x87 pointers in guest terms (only their low 32 bits are comparable). */
    uint32_t fip = sd_get32(out->fx + FX_FIP), fdp = sd_get32(out->fx + FX_FDP);
    if (fip == (uint32_t)(uintptr_t)code_page)
        fip = SD_CODE_BASE;
    uint32_t wlo = (uint32_t)(uintptr_t)window;
    if (fdp - wlo < SD_WINDOW)
        fdp = SD_DATA_BASE + (fdp - wlo);
    sd_put32(out->fx + FX_FIP, fip);
    sd_put32(out->fx + FX_FDP, fdp);
}
