; sys_reset_sources.asm — every way a PC program resets the machine does reset it (no
; -no-reboot here; tests sys_noreboot_* check that each one ends the run with it). The boot
; count lives in RAM, which a reset keeps; each boot checks it starts in the power-on state
; (EDX = signature, CR0 = 60000010, A20 on, port 92h bit 0 clear) and resets the next way:
;   boot 1  port 92h bit 0 (fast reset), written read-modify-write
;   boot 2  i8042 command FEh (pulse the output port's reset line)
;   boot 3  i8042 command D1h (write output port) with bit 0 = 0
;   boot 4  triple fault in real mode (IDT limit 0: #GP, double fault, shutdown)
;   boot 5  pass
; A reset that does not happen leaves the guest spinning until --max-insns (a failure).
%include "rom.inc"
%include "report.inc"

%define MARKER 0x7F00
%define BOOTS  0x7F04

rom_entry:
    mov ebp, edx                   ; the reset value of EDX
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    cmp dword [MARKER], 0x5EB007ED
    je .again
    mov dword [MARKER], 0x5EB007ED
    mov dword [BOOTS], 0
.again:
    inc dword [BOOTS]
    cmp dword [BOOTS], 1
    je .state_ok                   ; the first boot is checked by sys_reset already
    CHECK_EQ ebp, 0x683, 1
    mov eax, cr0
    CHECK_EQ eax, 0x60000010, 2
    in al, 0x92
    test al, 0x01
    jz .p92_clear
    FAIL 3
.p92_clear:
    test al, 0x02
    jnz .a20_on
    FAIL 4
.a20_on:
.state_ok:
    ; The BIOS area is RAM on isapc (a copy of the ROM made at power-on); a reset puts the
    ; ROM's bytes back. Boot 1 patches `value` (and runs the patched code, so the JIT has
    ; translated it); later boots must run the ROM's code again.
    call value
    cmp dword [BOOTS], 1
    je .patch
    CHECK_EQ eax, 0x1111, 6        ; 6: stale code after the reset
    jmp .dispatch
.patch:
    CHECK_EQ eax, 0x1111, 7
    push ds
    mov ax, 0xF000
    mov ds, ax
    mov word [value + 2], 0x2222   ; the immediate of `mov eax, 0x1111`
    pop ds
    call value
    CHECK_EQ eax, 0x2222, 8        ; 8: the BIOS area is not writable RAM here
.dispatch:
    mov eax, [BOOTS]
    cmp eax, 1
    je via_port92
    cmp eax, 2
    je via_kbc_pulse
    cmp eax, 3
    je via_kbc_output
    cmp eax, 4
    je via_triple
    cmp eax, 5
    je done
    FAIL 5

via_port92:
    in al, 0x92
    or al, 0x01
    out 0x92, al
    jmp $

via_kbc_pulse:
    call kbc_wait
    mov al, 0xFE
    out 0x64, al
    jmp $

via_kbc_output:
    call kbc_wait
    mov al, 0xD1
    out 0x64, al
    call kbc_wait
    mov al, 0x02                   ; A20 on, reset line low
    out 0x60, al
    jmp $

via_triple:
    lidt [cs:empty_idt]
    int 0x20
    jmp $

done:
    mov dword [MARKER], 0
    PASS

value:
    mov eax, 0x1111
    ret

kbc_wait:                          ; until the controller's input buffer is empty
    in al, 0x64
    test al, 0x02
    jnz kbc_wait
    ret

empty_idt:
    dw 0
    dd 0

ROM_END
