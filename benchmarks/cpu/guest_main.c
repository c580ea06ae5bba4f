/* guest_main.c — the bare-metal side of the CPU benchmark: entry.asm jumps to _start in 32-bit
 * protected mode (flat segments, paging off, stack set); we clear .bss, run the workload,
 * print its checksum on the debug console (port 0xE9) and exit through isa-debug-exit (0xF4).
 * Built freestanding; memset/memcpy are here because gcc may emit calls to them. */
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

extern char __bss_start[], __bss_end[];

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void put_hex(uint32_t v)
{
    for (int i = 7; i >= 0; i--) {
        unsigned d = (v >> (4 * i)) & 15;
        outb(0xE9, (uint8_t)(d < 10 ? '0' + d : 'a' + d - 10));
    }
    outb(0xE9, '\n');
}

__attribute__((section(".text.start"), noreturn)) void _start(void)
{
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    put_hex(workload_run(WORKLOAD_SCALE));
    outb(0xF4, 0); /* isa-debug-exit: the emulator exits with status 1 */
    for (;;)
        __asm__ volatile("cli; hlt");
}
