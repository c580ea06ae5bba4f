; vga_modes.asm — the VGA card as a program without a VGA BIOS sees it: text memory with
; odd/even addressing, the attribute flip-flop, the DAC, CRTC write protection, mode 13h
; programmed from IBM's register table with pixels written through chain 4 and read back
; through the unchained planes (read mode 0) and the colour compare (read mode 1), write
; mode 2, the vertical retrace bit moving with time, and the Bochs VBE interface: a banked
; write seen through the linear frame buffer at 0xE0000000 and a linear write seen through
; the bank (the LFB is reached from big real mode: FS with a 4 GiB limit).
%include "rom.inc"
%include "report.inc"

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro
%macro INB 1
    mov dx, %1
    in al, dx
%endmacro
; index/data register pair write: port, index, value
%macro REG 3
    mov dx, %1
    mov al, %2
    out dx, al
    inc dx
    mov al, %3
    out dx, al
%endmacro

rom_entry:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7C00
    mov ds, ax

    ; --- text memory: characters in plane 0, attributes in plane 1 (odd/even) -----------
    mov ax, 0xB800
    mov es, ax
    mov word [es:0], 0x1F41
    mov word [es:2], 0x2E42
    CHECK_EQ word [es:0], 0x1F41, 1
    CHECK_EQ byte [es:3], 0x2E, 2

    ; --- attribute controller: 0x3DA resets the flip-flop, 0x3C1 reads ------------------
    INB 0x3DA
    OUTB 0x3C0, 0x12 | 0x20
    OUTB 0x3C0, 0x0B
    INB 0x3C1
    CHECK_EQ al, 0x0B, 3
    INB 0x3DA
    OUTB 0x3C0, 0x12 | 0x20
    OUTB 0x3C0, 0x0F
    INB 0x3C0
    CHECK_EQ al, 0x32, 4

    ; --- DAC: 6-bit components, auto-incrementing read index ----------------------------
    OUTB 0x3C8, 0x40
    OUTB 0x3C9, 0x11
    OUTB 0x3C9, 0x62          ; bits 6-7 are dropped
    OUTB 0x3C9, 0x33
    OUTB 0x3C7, 0x40
    INB 0x3C9
    CHECK_EQ al, 0x11, 5
    INB 0x3C9
    CHECK_EQ al, 0x22, 6
    INB 0x3C9
    CHECK_EQ al, 0x33, 7

    ; --- CRTC: with the protect bit, registers 0-7 ignore writes -------------------------
    REG 0x3D4, 0x11, 0x8E
    REG 0x3D4, 0x00, 0x12
    INB 0x3D5
    CHECK_EQ al, 0x5F, 8
    REG 0x3D4, 0x11, 0x0E

    ; --- mode 13h from the register table ------------------------------------------------
    call set_mode13
    mov ax, 0xA000
    mov es, ax
    xor di, di
    mov cx, 16
    mov al, 0x10
.fill:
    stosb
    inc al
    loop .fill
    CHECK_EQ byte [es:5], 0x15, 10          ; chain-4 read back
    CHECK_EQ byte [es:15], 0x1F, 11
    ; Unchained: pixel a lives in plane a & 3 at offset a & ~3.
    REG 0x3C4, 4, 0x06
    REG 0x3CE, 4, 1                         ; read map 1
    CHECK_EQ byte [es:4], 0x15, 12
    REG 0x3CE, 4, 3
    CHECK_EQ byte [es:12], 0x1F, 13
    ; Read mode 1: planes 0..3 = FF, 0F, F0, 00 at offset 0x100; colour 0011 matches 0x0F.
    mov bl, 0
    mov si, planes_pattern
.planes:
    mov dx, 0x3C4
    mov al, 2
    out dx, al
    inc dx
    mov al, 1
    mov cl, bl
    shl al, cl
    out dx, al
    cs lodsb
    mov [es:0x100], al
    inc bl
    cmp bl, 4
    jne .planes
    REG 0x3C4, 2, 0x0F
    REG 0x3CE, 5, 0x08                      ; read mode 1
    REG 0x3CE, 2, 0x03                      ; colour compare
    REG 0x3CE, 7, 0x0F                      ; care about every plane
    CHECK_EQ byte [es:0x100], 0x0F, 14
    REG 0x3CE, 7, 0x00                      ; care about none: everything matches
    CHECK_EQ byte [es:0x100], 0xFF, 15
    ; Write mode 2 with a bit mask: colour 1010 on bits 0xF0, latches keep the rest.
    REG 0x3CE, 5, 0x02
    REG 0x3CE, 8, 0xF0
    mov al, [es:0x100]                      ; load the latches
    mov byte [es:0x100], 0x0A
    REG 0x3CE, 5, 0x00
    REG 0x3CE, 8, 0xFF
    REG 0x3CE, 4, 0
    CHECK_EQ byte [es:0x100], 0x0F, 16      ; plane 0: F0 cleared, 0F from the latch
    REG 0x3CE, 4, 1
    CHECK_EQ byte [es:0x100], 0xFF, 17      ; plane 1: F0 set
    REG 0x3CE, 4, 3
    CHECK_EQ byte [es:0x100], 0xF0, 18      ; plane 3: F0 set

    ; --- input status 1: the vertical retrace bit comes and goes --------------------------
    mov dx, 0x3DA
    mov ecx, 8000000
.wait_on:
    in al, dx
    test al, 8
    jnz .on
    dec ecx
    jnz .wait_on
    FAIL 20
.on:
    mov ecx, 8000000
.wait_off:
    in al, dx
    test al, 8
    jz .off
    dec ecx
    jnz .wait_off
    FAIL 21
.off:

    ; --- Bochs VBE ------------------------------------------------------------------------
    mov dx, 0x1CE
    mov ax, 0
    out dx, ax
    inc dx
    mov ax, 0xB0C0
    out dx, ax
    in ax, dx
    CHECK_EQ ax, 0xB0C0, 30
    mov bx, 0x01
    mov cx, 640
    call vbe_write
    mov bx, 0x02
    mov cx, 480
    call vbe_write
    mov bx, 0x03
    mov cx, 8
    call vbe_write
    mov bx, 0x04
    mov cx, 0x41                            ; enabled, linear frame buffer
    call vbe_write
    mov bx, 0x05
    mov cx, 2                               ; bank 2: video memory 0x20000-0x2FFFF
    call vbe_write
    mov byte [es:0x10], 0x5A
    call enter_big_real
    mov esi, 0xE0000000 + 2 * 0x10000 + 0x10
    CHECK_EQ byte [fs:esi], 0x5A, 31
    mov esi, 0xE0000000 + 0x1234
    mov dword [fs:esi], 0xCAFEF00D
    mov bx, 0x05
    mov cx, 0
    call vbe_write
    CHECK_EQ dword [es:0x1234], 0xCAFEF00D, 32
    PASS

; BX = dispi index, CX = value
vbe_write:
    mov dx, 0x1CE
    mov ax, bx
    out dx, ax
    inc dx
    mov ax, cx
    out dx, ax
    ret

set_mode13:
    mov dx, 0x3C2
    mov al, 0x63
    out dx, al
    mov si, mode13_seq
    mov dx, 0x3C4
    mov cx, 5
    call write_regs
    mov si, mode13_crtc
    mov dx, 0x3D4
    mov cx, 25
    call write_regs
    mov si, mode13_gc
    mov dx, 0x3CE
    mov cx, 9
    call write_regs
    INB 0x3DA
    mov si, mode13_attr
    xor bl, bl
.attr:
    mov dx, 0x3C0
    mov al, bl
    out dx, al
    cs lodsb
    out dx, al
    inc bl
    cmp bl, 21
    jne .attr
    OUTB 0x3C0, 0x20                        ; palette source back to the display
    ret

; CS:SI table of CX values for the index/data pair at DX, from index 0
write_regs:
    xor bl, bl
.next:
    mov al, bl
    out dx, al
    inc dx
    cs lodsb
    out dx, al
    dec dx
    inc bl
    loop .next
    ret

; FS gets a flat 4 GiB data segment that stays usable back in real mode.
enter_big_real:
    o32 lgdt [cs:gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp .pm
.pm:
    mov bx, 0x08
    mov fs, bx
    and al, 0xFE
    mov cr0, eax
    jmp .rm
.rm:
    ret                                     ; FS keeps base 0 and its 4 GiB limit

align 8
gdt:
    dq 0
    dq 0x00CF92000000FFFF                   ; flat data, 4 GiB, writable
gdt_desc:
    dw gdt_desc - gdt - 1
    dd ROM_BASE + gdt

planes_pattern: db 0xFF, 0x0F, 0xF0, 0x00
mode13_seq:  db 0x03, 0x01, 0x0F, 0x00, 0x0E
mode13_crtc: db 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00
             db 0x00, 0x00, 0x00, 0x9C, 0x0E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF
mode13_gc:   db 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF
mode13_attr: db 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B
             db 0x0C, 0x0D, 0x0E, 0x0F, 0x41, 0x00, 0x0F, 0x00, 0x00

ROM_END
