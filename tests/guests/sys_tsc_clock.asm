; sys_tsc_clock.asm — the TSC is the virtual clock (DESIGN.md: time from the instruction
; count, idle jumps included), one tick per instruction's worth of virtual time, at any
; -icount shift.
;
; At shift=10 (1024 virtual ns per instruction) the guest halts between PIT interrupts
; (mode 2, count 1000: 838.1 us), so nearly all of the time passes in idle jumps whose
; lengths are not multiples of 1024 ns. Between the handler's RDTSC at IRQ number FIRST and
; the same RDTSC at IRQ FIRST + PERIODS the virtual clock advanced by exactly PERIODS * 1000
; PIT input ticks (the handler runs the same instructions each time), so the TSC must
; advance by that time / 1024 ns, computed here from the PIT's 1193182 Hz: within 2 ticks
; for the rounding at both ends. (Regression: the TSC was moved by each idle jump shifted
; on its own, so the fractions were lost jump by jump and it fell ~100 ticks behind.)
; Then WRMSR 10h: the TSC continues from the written value (the high dword cleared, P6).
; vmm86-args: -icount shift=10,sleep=off
%include "rom.inc"
%include "report.inc"
%include "pc.inc"

%define COUNT   0x500              ; IRQ 0 count
%define T0      0x508              ; TSC (edx:eax) at IRQ FIRST
%define T1      0x510              ; TSC at IRQ FIRST + PERIODS
%define FIRST   3
%define PERIODS 200
%define PIT_COUNT 1000
%define PIT_HZ  1193182

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov dword [COUNT], 0
    mov word [8 * 4], irq0
    mov word [8 * 4 + 2], 0xF000
    ; 8259: vectors 8-15, only IRQ 0 unmasked
    PIC_INIT 0x08, 0x70, 0xFE, 0xFF
    ; PIT channel 0, mode 2, count PIT_COUNT
    mov al, 0x34
    out 0x43, al
    mov al, PIT_COUNT & 0xFF
    out 0x40, al
    mov al, PIT_COUNT >> 8
    out 0x40, al
    sti
.idle:
    hlt
    cmp dword [COUNT], FIRST + PERIODS
    jb .idle
    cli
    ; measured: T1 - T0 (64-bit)
    mov eax, [T1]
    mov edx, [T1 + 4]
    sub eax, [T0]
    sbb edx, [T0 + 4]
    CHECK_EQ edx, 0, 1
    mov esi, eax
    ; expected: PERIODS * PIT_COUNT * 10^9 / PIT_HZ ns, in 1024 ns ticks
    mov eax, PERIODS * PIT_COUNT
    mov ecx, 1000000000
    mul ecx
    mov ecx, PIT_HZ
    div ecx
    shr eax, 10
    mov edi, eax
    sub esi, edi                   ; measured - expected
    add esi, 2
    cmp esi, 4
    jbe .rate_ok
    FAIL 2
.rate_ok:
    ; WRMSR 10h sets the offset relative to the virtual clock; the high dword is cleared.
    mov ecx, 0x10
    mov eax, 0x40000000
    mov edx, 0x55
    wrmsr
    rdtsc
    CHECK_EQ edx, 0, 3
    sub eax, 0x40000000
    cmp eax, 4                     ; a couple of instructions later
    jbe .wr_ok
    FAIL 4
.wr_ok:
    ; and it keeps following idle time: two more interrupts take between one and two PIT
    ; periods (818 ticks each)
    mov ecx, 0x10
    xor eax, eax
    xor edx, edx
    wrmsr
    mov ebx, [COUNT]
    add ebx, 2
    sti
.two:
    hlt
    cmp [COUNT], ebx
    jb .two
    cli
    rdtsc
    cmp eax, 810
    jb .idle_lost
    cmp eax, 1700
    jbe .done
.idle_lost:
    FAIL 5
.done:
    PASS

irq0:
    push eax
    push edx
    push ebx
    inc dword [COUNT]
    mov ebx, [COUNT]
    rdtsc
    cmp ebx, FIRST
    jne .not_first
    mov [T0], eax
    mov [T0 + 4], edx
.not_first:
    cmp ebx, FIRST + PERIODS
    jne .eoi
    mov [T1], eax
    mov [T1 + 4], edx
.eoi:
    mov al, 0x20
    out 0x20, al
    pop ebx
    pop edx
    pop eax
    iret

ROM_END
