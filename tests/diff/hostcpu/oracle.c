/* oracle.c — the host CPU as the oracle: runs each case's code natively and reports
 * registers, EFLAGS, where execution went and the data window afterwards (see hostcpu.h).
 * Built with -m32.
 *
 * The code is copied to HC_INSN; right after it, and at the case's branch target,
 * sits a stub "jmp [slot]" leading back into oracle_exec (one back door for each, so the
 * oracle knows which way the instruction went). oracle_exec loads every general register
 * (ESP too: the instruction runs on a stack inside the data window) and EFLAGS from the
 * case, jumps to the instruction, and on the way back stores them before anything touches
 * the flags, then restores its own stack and sane flags (DF and AC clear). A fault in the
 * instruction (the driver avoids them) is caught by a signal handler on an alternate stack
 * and reported as the signal number.
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
    uint32_t r[8]; /* EAX ECX EDX EBX ESP EBP ESI EDI */
    uint32_t eflags;
    uint32_t taken; /* 1 when execution came back through the branch-target stub */
} RegBlock;

void oracle_exec(RegBlock *rb, void *code);
extern uint32_t ox_slot_next, ox_slot_taken; /* addresses of the two back doors */

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
        "    movl %esp, ox_own_esp\n"
        "    pushl 32(%eax)\n"
        "    popfl\n"
        "    movl 4(%eax), %ecx\n"
        "    movl 8(%eax), %edx\n"
        "    movl 12(%eax), %ebx\n"
        "    movl 16(%eax), %esp\n"
        "    movl 20(%eax), %ebp\n"
        "    movl 24(%eax), %esi\n"
        "    movl 28(%eax), %edi\n"
        "    movl 0(%eax), %eax\n"
        "    jmp *ox_code\n"
        "ox_back_next:\n"
        "    movl $0, ox_taken\n"
        "    jmp ox_join\n"
        "ox_back_taken:\n"
        "    movl $1, ox_taken\n"
        "ox_join:\n"
        "    movl %esp, ox_case_esp\n"
        "    movl ox_own_esp, %esp\n"
        "    pushfl\n"
        "    popl ox_flags\n"
        "    pushl $0x202\n" /* DF, AC, TF clear for the C code */
        "    popfl\n"
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
        "    movl ox_case_esp, %ecx\n"
        "    movl %ecx, 16(%eax)\n"
        "    movl ox_flags, %ecx\n"
        "    movl %ecx, 32(%eax)\n"
        "    movl ox_taken, %ecx\n"
        "    movl %ecx, 36(%eax)\n"
        "    popl %edi\n"
        "    popl %esi\n"
        "    popl %ebx\n"
        "    popl %ebp\n"
        "    ret\n"
        ".size oracle_exec, .-oracle_exec\n"
        ".data\n"
        ".align 4\n"
        ".globl ox_slot_next\n"
        ".globl ox_slot_taken\n"
        "ox_slot_next: .long ox_back_next\n"
        "ox_slot_taken: .long ox_back_taken\n"
        "ox_block: .long 0\n"
        "ox_code: .long 0\n"
        "ox_own_esp: .long 0\n"
        "ox_case_esp: .long 0\n"
        "ox_flags: .long 0\n"
        "ox_eax: .long 0\n"
        "ox_taken: .long 0\n"
        ".text\n");

/* Writes "jmp [slot]" (FF 25 disp32) at p. */
static void put_stub(uint8_t *p, const uint32_t *slot)
{
    uint32_t a = (uint32_t)(uintptr_t)slot;
    p[0] = 0xFF;
    p[1] = 0x25;
    memcpy(p + 2, &a, 4);
}

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
    uint8_t *pages = map_fixed(HC_DATA_PAGES, 8192, PROT_READ | PROT_WRITE);
    uint8_t *data = pages ? pages + (HC_DATA_BASE - HC_DATA_PAGES) : NULL;
    uint8_t *code = map_fixed(HC_CODE_BASE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    if (!data || !code)
        return 1;
    static uint8_t altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL)) {
        perror("hostcpu-oracle: sigaltstack");
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGFPE, SIGSEGV, SIGILL, SIGBUS, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);

    static HcCase c;
    static HcResult r;
    while (fread(&c, sizeof c, 1, stdin) == 1) {
        uint32_t insn = HC_INSN - HC_CODE_BASE;
        if (c.magic != HC_MAGIC_CASE || c.len == 0 || c.len > HC_MAX_CODE ||
            (c.target && (c.target < HC_CODE_BASE || c.target + 6 > HC_CODE_BASE + 4096))) {
            fprintf(stderr, "hostcpu-oracle: malformed case record\n");
            return 1;
        }
        memset(code, 0xCC, 4096); /* INT3 anywhere else */
        memcpy(code + insn, c.bytes, c.len);
        put_stub(code + insn + c.len, &ox_slot_next);
        if (c.target)
            put_stub(code + (c.target - HC_CODE_BASE), &ox_slot_taken);
        memcpy(data, c.mem, HC_DATA_SIZE);
        static RegBlock rb;
        memcpy(rb.r, c.regs, sizeof rb.r);
        rb.eflags = c.eflags;
        rb.taken = 0;
        memset(&r, 0, sizeof r);
        r.magic = HC_MAGIC_RESULT;
        fault_signal = 0;
        if (sigsetjmp(fault_jmp, 1) == 0)
            oracle_exec(&rb, code + insn);
        r.signal = fault_signal;
        r.eip = rb.taken ? c.target : HC_INSN + c.len;
        memcpy(r.regs, rb.r, sizeof r.regs);
        r.eflags = rb.eflags;
        memcpy(r.mem, data, HC_DATA_SIZE);
        if (fwrite(&r, sizeof r, 1, stdout) != 1)
            return 1;
    }
    return ferror(stdin) ? 1 : 0;
}
