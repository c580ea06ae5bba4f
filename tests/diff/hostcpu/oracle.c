/* oracle.c — the host CPU as the oracle: runs one instruction per case natively and reports
 * registers, EFLAGS and the data window afterwards (see hostcpu.h). Built with -m32.
 *
 * The instruction is copied to HC_CODE_BASE followed by RET, and entered with CALL from
 * oracle_exec, which loads every general register except ESP and EFLAGS from the case
 * just before and captures them right after: nothing between the instruction and PUSHFD
 * touches the flags. A fault in the instruction (the driver avoids them) is caught with a
 * signal handler and reported as the signal number instead of crashing.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "hostcpu.h"

#if !defined(__i386__)
#error "the oracle must be built for 32-bit x86 (-m32)"
#endif

typedef struct RegBlock {
    uint32_t r[8]; /* EAX ECX EDX EBX (ESP) EBP ESI EDI */
    uint32_t eflags;
} RegBlock;

void oracle_exec(RegBlock *rb, void *code);

/* cdecl: oracle_exec(RegBlock *rb, void *code). Scratch state lives in static slots so that
 * no register is needed to find it between the instruction and PUSHFD. */
__asm__(".text\n"
        ".globl oracle_exec\n"
        ".type oracle_exec, @function\n"
        "oracle_exec:\n"
        "    pushl %ebp\n"
        "    pushl %ebx\n"
        "    pushl %esi\n"
        "    pushl %edi\n"
        "    movl 20(%esp), %eax\n"
        "    movl 24(%esp), %ecx\n"
        "    movl %eax, ox_block\n"
        "    movl %ecx, ox_code\n"
        "    pushl 32(%eax)\n"
        "    popfl\n"
        "    movl 4(%eax), %ecx\n"
        "    movl 8(%eax), %edx\n"
        "    movl 12(%eax), %ebx\n"
        "    movl 20(%eax), %ebp\n"
        "    movl 24(%eax), %esi\n"
        "    movl 28(%eax), %edi\n"
        "    movl 0(%eax), %eax\n"
        "    call *ox_code\n"
        "    pushfl\n"
        "    popl ox_flags\n"
        "    cld\n"
        "    movl %eax, ox_eax\n"
        "    movl ox_block, %eax\n"
        "    movl %ecx, 4(%eax)\n"
        "    movl %edx, 8(%eax)\n"
        "    movl %ebx, 12(%eax)\n"
        "    movl %ebp, 20(%eax)\n"
        "    movl %esi, 24(%eax)\n"
        "    movl %edi, 28(%eax)\n"
        "    movl ox_eax, %ecx\n"
        "    movl %ecx, 0(%eax)\n"
        "    movl ox_flags, %ecx\n"
        "    movl %ecx, 32(%eax)\n"
        "    popl %edi\n"
        "    popl %esi\n"
        "    popl %ebx\n"
        "    popl %ebp\n"
        "    ret\n"
        ".size oracle_exec, .-oracle_exec\n"
        ".data\n"
        ".align 4\n"
        "ox_block: .long 0\n"
        "ox_code: .long 0\n"
        "ox_flags: .long 0\n"
        "ox_eax: .long 0\n"
        ".text\n");

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_signal;

static void on_fault(int sig)
{
    fault_signal = sig;
    siglongjmp(fault_jmp, 1);
}

static void *map_fixed(uint32_t addr, size_t size, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, size, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)(uintptr_t)addr) {
        fprintf(stderr, "hostcpu-oracle: cannot map %zu bytes at %#x\n", size, addr);
        return NULL;
    }
    return p;
}

int main(void)
{
    uint8_t *data = map_fixed(HC_DATA_BASE, 4096, PROT_READ | PROT_WRITE);
    uint8_t *code = map_fixed(HC_CODE_BASE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    if (!data || !code)
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGFPE, SIGSEGV, SIGILL, SIGBUS, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);

    static HcCase c;
    static HcResult r;
    while (fread(&c, sizeof c, 1, stdin) == 1) {
        if (c.magic != HC_MAGIC_CASE || c.len == 0 || c.len > HC_MAX_BYTES) {
            fprintf(stderr, "hostcpu-oracle: malformed case record\n");
            return 1;
        }
        memcpy(code, c.bytes, c.len);
        code[c.len] = 0xC3; /* RET */
        memcpy(data, c.mem, HC_DATA_SIZE);
        static RegBlock rb;
        memcpy(rb.r, c.regs, sizeof rb.r);
        rb.eflags = c.eflags;
        memset(&r, 0, sizeof r);
        r.magic = HC_MAGIC_RESULT;
        fault_signal = 0;
        if (sigsetjmp(fault_jmp, 1) == 0)
            oracle_exec(&rb, code);
        r.signal = fault_signal;
        memcpy(r.regs, rb.r, sizeof r.regs);
        r.eflags = rb.eflags;
        memcpy(r.mem, data, HC_DATA_SIZE);
        if (fwrite(&r, sizeof r, 1, stdout) != 1)
            return 1;
    }
    return ferror(stdin) ? 1 : 0;
}
