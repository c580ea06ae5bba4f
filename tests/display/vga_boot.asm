; vga_boot.asm — a boot-loader stand-in for the display test: a tiny BIOS that runs the VGA
; option ROM at C000:0003 the way a PC BIOS does at POST, then prints a banner through the
; VGA BIOS (INT 10h teletype) and powers off through the debug-exit port. The VGA BIOS's
; own sign-on text (if it prints one) stays on the screen above the banner.
;
; Built into a 64 KiB image mapped at F0000 (tests/guests/lib/rom.inc).
%include "rom.inc"
%include "report.inc"

rom_entry:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7C00
    mov ds, ax
    mov es, ax
    ; Every interrupt vector points at an IRET until the VGA BIOS takes INT 10h and 1Fh/43h.
    xor di, di
    mov cx, 256
.ivt:
    mov word [di], iret_stub
    mov word [di + 2], 0xF000
    add di, 4
    loop .ivt
    ; BIOS data area: 639 KiB of base memory, an 80x25 colour display in the equipment word.
    mov word [0x413], 639
    mov word [0x410], 0x0020
    mov ax, 0xC000
    mov es, ax
    cmp word [es:0], 0xAA55
    je .have_rom
    PUTS16 msg_no_rom
    FAIL 1
.have_rom:
    call 0xC000:0x0003
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7C00
    ; INT 10h must now belong to the VGA BIOS.
    cmp word [0x10 * 4 + 2], 0xC000
    je .hooked
    PUTS16 msg_not_hooked
    FAIL 2
.hooked:
    ; A BIOS selects text mode 3 once the VGA BIOS is in (SeaBIOS does this too); a VGA
    ; BIOS that printed a sign-on at POST has already done it and keeps its text.
    mov ah, 0x0F
    int 0x10
    cmp al, 0x03
    je .mode_ok
    mov ax, 0x0003
    int 0x10
.mode_ok:
    mov si, banner
.print:
    cs lodsb
    test al, al
    jz .printed
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp .print
.printed:
    PUTS16 msg_done
    PASS

iret_stub:
    iret

banner:     db 13, 10, "vmm86 VGA boot test: the option ROM ran and INT 10h printed this.", 13, 10, 0
msg_no_rom: db "vga_boot: no option ROM at C000:0", 10, 0
msg_not_hooked: db "vga_boot: the VGA BIOS did not hook INT 10h", 10, 0
msg_done:   db "vga_boot: banner printed", 10, 0

ROM_END
