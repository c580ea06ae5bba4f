; sys_noreboot_kbc.asm — the i8042's pulse command FEh requests a reset; with -no-reboot
; vmm86 ends the run there with status 0 (as QEMU does), instead of rebooting. If the reset
; is not requested the guest reports failure 1; if it reboots, the second boot reports
; failure 2.
; vmm86-args: -no-reboot
; vmm86-expect: 0
%include "rom.inc"
%include "report.inc"

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    cmp dword [0x7F00], 0x5EB007ED
    jne .first
    mov dword [0x7F00], 0
    FAIL 2
.first:
    mov dword [0x7F00], 0x5EB007ED
    mov al, 0xFE
    out 0x64, al
    mov ecx, 100000                ; time for the reset to take effect
.spin:
    dec ecx
    jnz .spin
    mov dword [0x7F00], 0
    FAIL 1

ROM_END
