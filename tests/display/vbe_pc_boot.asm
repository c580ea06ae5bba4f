; vbe_pc_boot.asm — a boot sector for the PCI board (-M pc -hda): SeaBIOS has run the std
; VGA's BIOS as PCI function 00:02.0's ROM; the VBE mode information must report the frame
; buffer where the function's BAR 0 points, a linear 640x480x8 mode must be settable, and a
; write through that address must be the same memory the 64 KiB bank window shows. Reports
; on the isa-debug-exit port (0: pass, n: failure n) and fills the screen with a ramp.
[bits 16]
[org 0x7C00]

%macro FAILN 1
    mov al, %1
    out 0xF4, al
    cli
    hlt
%endmacro

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    ; BAR 0 of 00:02.0 through configuration mechanism #1.
    mov dx, 0xCF8
    mov eax, 0x80001010
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    and eax, 0xFFFFFFF0
    mov [bar0], eax
    cmp eax, 0
    jne .bar_set
    FAILN 1
.bar_set:
    mov ax, 0x4F01
    mov cx, 0x0101
    mov di, 0x8000
    int 0x10
    cmp ax, 0x004F
    je .info
    FAILN 2
.info:
    mov eax, [0x8000 + 0x28]
    cmp eax, [bar0]
    je .same
    FAILN 3
.same:
    mov ax, 0x4F02
    mov bx, 0x4101
    int 0x10
    cmp ax, 0x004F
    je .mode
    FAILN 4
.mode:
    cli
    lgdt [gdt_desc]
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
    ; A ramp over the whole screen through the LFB (pixel i = i / 640 + i % 640).
    mov edi, [bar0]
    xor ecx, ecx
.fill:
    mov eax, ecx
    xor edx, edx
    mov ebx, 640
    div ebx
    add eax, edx
    mov [fs:edi + ecx], al
    inc ecx
    cmp ecx, 640 * 480
    jne .fill
    mov edi, [bar0]
    mov dword [fs:edi + 0x100], 0x11223344
    ; Bank 0 of the window at A0000 shows the same bytes.
    mov dx, 0x1CE
    mov ax, 5
    out dx, ax
    inc dx
    xor ax, ax
    out dx, ax
    push word 0xA000
    pop es
    cmp dword [es:0x100], 0x11223344
    je .pass
    FAILN 5
.pass:
    xor al, al
    out 0xF4, al
    cli
    hlt

align 8
gdt:
    dq 0
    dq 0x00CF92000000FFFF
gdt_desc:
    dw gdt_desc - gdt - 1
    dd gdt
bar0: dd 0

    times 510 - ($ - $$) db 0
    dw 0xAA55
