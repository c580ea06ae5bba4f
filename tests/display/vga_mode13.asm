; vga_mode13.asm — a graphics screen for the display test: the VGA BIOS at POST, then mode
; 13h through INT 10h, a 256-colour ramp loaded into the DAC through the ports, and a
; pattern drawn straight into 0xA0000; then power off through the debug-exit port.
%include "rom.inc"
%include "report.inc"
%include "vgabios.inc"

rom_entry:
    VGA_POST
    mov ax, 0x0013
    int 0x10
    ; DAC entry i: red i / 4, green 63 - i / 4, blue (i * 7) & 63.
    mov dx, 0x3C8
    xor al, al
    out dx, al
    inc dx
    xor cx, cx
.dac:
    mov al, cl
    shr al, 2
    out dx, al
    mov al, 63
    mov bl, cl
    shr bl, 2
    sub al, bl
    out dx, al
    mov al, cl
    mov bl, 7
    mul bl
    and al, 63
    out dx, al
    inc cx
    cmp cx, 256
    jne .dac
    ; Pixel (x, y) = x + 2y (mod 256): diagonal bands through the whole ramp.
    mov ax, 0xA000
    mov es, ax
    xor di, di
    xor bx, bx                          ; y
.row:
    xor cx, cx                          ; x
.col:
    mov ax, bx
    shl ax, 1
    add ax, cx
    stosb
    inc cx
    cmp cx, 320
    jne .col
    inc bx
    cmp bx, 200
    jne .row
    PASS

VGAPOST_SUPPORT
ROM_END
