; cdboot.asm — El Torito "no emulation" boot code for the SeaBIOS CD-ROM boot test. The
; ISO is made by run-test with genisoimage (-no-emul-boot -boot-load-size 4), so SeaBIOS
; loads these 2048 bytes at 0:7C00 and jumps there with DL = the CD's drive number. The
; code reads the ISO 9660 primary volume descriptor (2048-byte sector 16) through INT 13h
; AH=42 (SeaBIOS turns it into ATAPI READ(10)), checks its "CD001" signature, and asks
; INT 13h AH=48 for the 2048-byte sector size. Lines go to port 0x402 (where SeaBIOS logs);
; the verdict to the isa-debug-exit port 0xF4.

%define OUT_PORT 0x402
%define EXIT_PORT 0xF4
%define BUF 0x8000

[bits 16]
[org 0x7C00]

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov [drive], dl
    mov si, msg_start
    call puts
    cmp byte [drive], 0xE0      ; SeaBIOS numbers CD-ROMs from 0xE0
    jb .bad_drive
    mov si, dap
    mov ah, 0x42
    mov dl, [drive]
    int 0x13
    jc .read_failed
    cmp byte [BUF], 1           ; volume descriptor type: primary
    jne .no_pvd
    cmp dword [BUF + 1], 'CD00'
    jne .no_pvd
    cmp byte [BUF + 5], '1'
    jne .no_pvd
    mov si, msg_pvd
    call puts
    mov word [params], 0x1A     ; AH=48 buffer size
    mov si, params
    mov ah, 0x48
    mov dl, [drive]
    int 0x13
    jc .params_failed
    cmp word [params + 0x18], 2048
    jne .params_failed
    mov si, msg_params
    call puts
    mov si, msg_pass
    call puts
    mov al, 0
    out EXIT_PORT, al
.hang:
    cli
    hlt
    jmp .hang
.bad_drive:
    mov al, 1
    jmp fail
.read_failed:
    mov al, 2
    jmp fail
.no_pvd:
    mov al, 3
    jmp fail
.params_failed:
    mov al, 4
    jmp fail

puts:
    push ax
    push dx
    mov dx, OUT_PORT
.next:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    pop dx
    pop ax
    ret

fail:
    push ax
    mov si, msg_fail
    call puts
    pop ax
    push ax
    add al, '0'
    mov dx, OUT_PORT
    out dx, al
    mov al, 10
    out dx, al
    pop ax
    out EXIT_PORT, al
.hang:
    cli
    hlt
    jmp .hang

drive: db 0
msg_start: db "cdboot: El Torito boot code running", 10, 0
msg_pvd: db "cdboot: INT 13h AH=42 read the primary volume descriptor", 10, 0
msg_params: db "cdboot: AH=48 reports 2048-byte sectors", 10, 0
msg_pass: db "cdboot: PASS", 10, 0
msg_fail: db "cdboot: FAIL ", 0
align 4
dap:
    db 0x10, 0
    dw 1
    dw BUF, 0
    dq 16
params: times 0x1A db 0

    times 2048 - ($ - $$) db 0
