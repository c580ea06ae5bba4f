; sys_reset_cf9.asm — the PIIX3's reset control register (port CF9h, -M pc) resets the
; machine on the write that sets RCPU (bit 2), and only then: not on SRST (bit 1) alone,
; which reads back, nor on a dword write to the PCI configuration address at CF8h whose
; second byte has bit 2 set (00:00.4's address: the dword belongs to CF8h alone). The phase
; reached is kept in RAM, which a reset keeps; the second boot checks that the reset came
; in phase 3 (failure 10 + phase otherwise).
; vmm86-args: -M pc
%include "rom.inc"
%include "report.inc"

%define MARKER 0x7F00
%define PHASE  0x7F04

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    cmp dword [MARKER], 0x5EB007ED
    jne .first
    mov dword [MARKER], 0
    mov eax, [PHASE]
    cmp eax, 3
    je .pass
    add al, 10
    out 0xF4, al
    jmp $
.pass:
    PASS
.first:
    mov dword [MARKER], 0x5EB007ED
    mov dword [PHASE], 1
    mov dx, 0xCF8
    mov eax, 0x80000400
    out dx, eax
    call spin
    mov dword [PHASE], 2
    mov dx, 0xCF9
    mov al, 0x02
    out dx, al
    call spin
    in al, dx
    CHECK_EQ al, 0x02, 1
    mov dword [PHASE], 3
    mov al, 0x06
    out dx, al
    call spin
    mov dword [MARKER], 0
    FAIL 2

spin:                              ; time for a reset to take effect
    mov ecx, 100000
.loop:
    dec ecx
    jnz .loop
    ret

ROM_END
