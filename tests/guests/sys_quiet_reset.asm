; sys_quiet_reset.asm — what a program that replaces the BIOS may assume about the board
; before it programs anything (test ROMs such as CPU testers rely on it):
;   1. no interrupt arrives, however long interrupts stay enabled, until the guest programs
;      the PIC and the PIT: every IVT vector points at a failing handler, IF = 1 for about
;      half a second of virtual time (-icount shift=10: 1 us per instruction, so a PIT
;      counting from power-on would have raised IRQ 0 many times), and afterwards neither
;      8259 has a request latched in its IRR;
;   2. the 64 KiB image is the same memory at F0000 and at FFFF0000 (checked through a flat
;      4 GiB data segment);
;   3. --exit-on-halt does not end the run on a HLT with IF = 1 (the PIT's IRQ 0 wakes it),
;      and does end it on a HLT with IF = 0 even while a periodic PIT timer is armed: the run
;      ends with status 0 without the test writing to the exit port (a missing exit would
;      leave vmm86 idling until the harness times out).
; vmm86-args: -icount shift=10,sleep=off --exit-on-halt
; vmm86-expect: 0
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define IRQ_COUNT SCRATCH        ; segment 0 in real mode
%define SPIN      300000           ; ~600k instructions, ~0.6 s of virtual time

rom_entry:
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    ; every vector of the real-mode IVT fails the test
    xor bx, bx
    mov cx, 256
.ivt:
    mov word [bx], OFF(unexpected)
    mov word [bx + 2], 0xF000
    add bx, 4
    loop .ivt
    ; --- 1. interrupts enabled on the unprogrammed board ---
    sti
    mov ecx, SPIN
.spin:
    dec ecx
    jnz .spin
    cli
    mov al, 0x0A                   ; OCW3: read IRR
    out 0x20, al
    in al, 0x20
    test al, al
    jz .master_quiet
    FAIL 2
.master_quiet:
    mov al, 0x0A
    out 0xA0, al
    in al, 0xA0
    test al, al
    jz .slave_quiet
    FAIL 3
.slave_quiet:
    PM_ENTER pm_main

unexpected:
    FAIL 1

[bits 32]
pm_main:
    ; --- 2. the ROM seen at the top of 1 MiB and at the top of 4 GiB ---
    mov esi, LIN(0)
    mov edi, 0xFFFF0000
    mov ecx, 0x10000 / 4
    cld
    repe cmpsd
    je .aliased
    FAIL 4
.aliased:
    ; back to real mode for the interrupt part (the real-mode IVT is still in place)
    jmp SEL_CODE16:OFF(rm16_entry)

[bits 16]
rm16_entry:
    mov ax, SEL_DATA16
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr0
    and eax, ~1
    mov cr0, eax
    jmp 0xF000:OFF(real_again)
real_again:
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    o32 lidt [cs:OFF(rm_idtr)]
    ; --- 3. HLT with IF = 1 is woken by IRQ 0 ---
    mov word [0x50 * 4], OFF(irq0_handler)
    mov word [0x50 * 4 + 2], 0xF000
    mov dword [IRQ_COUNT], 0
    mov al, 0x11                   ; ICW1: edge, cascade, ICW4
    out 0x20, al
    mov al, 0x50                   ; ICW2: IRQ 0 is vector 0x50
    out 0x21, al
    mov al, 0x04                   ; ICW3: slave on IR2
    out 0x21, al
    mov al, 0x01                   ; ICW4: 8086 mode
    out 0x21, al
    mov al, 0xFE                   ; only IRQ 0
    out 0x21, al
    mov al, 0x34                   ; channel 0, lobyte/hibyte, mode 2 (periodic)
    out 0x43, al
    mov al, 0xE8                   ; count 1000
    out 0x40, al
    mov al, 0x03
    out 0x40, al
    sti
    hlt
    cli
    cmp dword [IRQ_COUNT], 1
    jae .woke
    FAIL 5
.woke:
    ; --- HLT with IF = 0 while the PIT keeps counting: --exit-on-halt ends the run here ---
    mov al, 0xFF
    out 0x21, al
    cli
    hlt
    FAIL 6                         ; only an NMI could get here

irq0_handler:
    inc dword [IRQ_COUNT]
    push ax
    mov al, 0x20                   ; non-specific EOI
    out 0x20, al
    pop ax
    iret

rm_idtr:
    dw 0x3FF
    dd 0

ROM_END
