; sys_reset.asm — a triple fault resets the machine (no -no-reboot): the second boot finds
; its marker in RAM and checks the power-on state of the CPU: EDX holds the signature,
; CR0 = 60000010, EFLAGS = 2, DR6 = FFFF0FF0, DR7 = 400, GDTR/IDTR = base 0 limit FFFF,
; CS = F000 with the code at FFFF0000 + FFF0 having run (we are here), CR4 = 0, and the
; machine left real mode (protected mode and paging of the first boot are gone).
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define MARKER 0x7F00

rom_entry:
    mov ebp, edx                   ; the reset value of EDX, before anything clobbers it
    pushfd                         ; and EFLAGS (SS:SP = 0:0 wraps to 0:FFFC, in RAM)
    pop esi
    xor ax, ax
    mov ds, ax
    cmp dword [MARKER], 0x5EB007ED
    je second_boot
    mov dword [MARKER], 0x5EB007ED
    PM_ENTER pm_main

second_boot:
    mov dword [MARKER], 0
    cmp ebp, 0x00000683
    je .edx
    FAIL 1
.edx:
    mov eax, cr0
    cmp eax, 0x60000010
    je .cr0
    FAIL 2
.cr0:
    cmp esi, 2
    je .efl
    FAIL 3
.efl:
    mov eax, dr6
    cmp eax, 0xFFFF0FF0
    je .dr6
    FAIL 4
.dr6:
    mov eax, dr7
    cmp eax, 0x400
    je .dr7
    FAIL 5
.dr7:
    o32 sidt [0x7E00]
    cmp word [0x7E00], 0xFFFF
    jne .bad_idt
    cmp dword [0x7E02], 0
    je .idt
.bad_idt:
    FAIL 6
.idt:
    mov eax, cr4
    test eax, eax
    jz .cr4
    FAIL 7
.cr4:
    mov ax, cs
    cmp ax, 0xF000
    je .cs
    FAIL 8
.cs:
    PASS

[bits 32]
pm_main:
    ; turn on paging, set CR4 and DR7 bits, then triple-fault with an empty IDT
    PAGING_IDENTITY
    mov eax, 0x10
    mov cr4, eax
    mov eax, 0x1
    mov dr7, eax
    mov word [SCRATCH], 0
    lidt [SCRATCH]
    ud2
    FAIL 9

[bits 16]
ROM_END
