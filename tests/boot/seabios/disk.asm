; disk.asm — a raw hard-disk image (2 MiB) whose MBR is our own boot sector, for the
; SeaBIOS boot test. SeaBIOS loads sector 0 at 0:7C00 and jumps there with DL = the drive;
; the boot sector reads the next sectors through INT 13h (extended read), and that second
; stage checks the BIOS disk services against each other: CHS read (AH=02) versus LBA read
; (AH=42), drive parameters (AH=08), an extended write (AH=43) read back, then the memory
; size services (INT 12h, INT 15h E820). Lines go to the debug console at port 0x402,
; where SeaBIOS writes its own log; the verdict goes to the isa-debug-exit port 0xF4.
; The host side (run-test) also checks that the written sector reached the image file.
;
; Build: nasm -f bin -o disk.img disk.asm

%define OUT_PORT 0x402
%define EXIT_PORT 0xF4
%define STAGE2 0x8000
%define WRITE_LBA 8
%define IMAGE_SECTORS 4096

[bits 16]
[org 0x7C00]

mbr:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov [boot_drive], dl
    mov si, msg_mbr
    call puts
    mov ah, 0x41                ; INT 13h extensions present?
    mov bx, 0x55AA
    mov dl, [boot_drive]
    int 0x13
    jc .no_ext
    cmp bx, 0xAA55
    jne .no_ext
    mov si, dap_stage2          ; read sectors 1-3 to 0:8000
    mov ah, 0x42
    mov dl, [boot_drive]
    int 0x13
    jc .read_failed
    cmp dword [STAGE2], 'VMM8'
    jne .bad_magic
    jmp 0:STAGE2 + 4
.no_ext:
    mov al, 1
    jmp fail
.read_failed:
    mov al, 2
    jmp fail
.bad_magic:
    mov al, 3
    jmp fail

; puts: print the NUL-terminated string at DS:SI on the debug console.
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

; fail: print "FAIL n" with n = AL and report failure code AL.
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

boot_drive: db 0
msg_mbr: db "boot: MBR running", 10, 0
msg_fail: db "boot: FAIL ", 0
dap_stage2:
    db 0x10, 0
    dw 3                        ; sectors
    dw STAGE2, 0                ; offset, segment
    dq 1                        ; LBA

    times 446 - ($ - $$) db 0
    ; one partition covering the rest of the disk (type 0xDA, "non-FS data")
    db 0x80, 0, 2, 0, 0xDA, 15, 63, 3
    dd 1, IMAGE_SECTORS - 1
    times 510 - ($ - $$) db 0
    dw 0xAA55

; ---- second stage: sectors 1-3, loaded at 0:8000 ------------------------------------------
stage2_start:
[section .stage2 vstart=STAGE2 follows=.text]
    db "VMM8"
stage2:
    mov si, msg_stage2
    call puts

    ; CHS read of sector 3 (C0 H0 S4) to 0:9000 must match what AH=42 put at 0:8400.
    mov ax, 0x0201
    mov cx, 0x0004
    mov dh, 0
    mov dl, [boot_drive]
    mov bx, 0x9000
    int 0x13
    jc .chs_failed
    mov si, 0x8400
    mov di, 0x9000
    mov cx, 256
    repe cmpsw
    jne .chs_differs
    mov si, msg_chs
    call puts

    ; Drive parameters: 16 heads, 63 sectors per track for a 2 MiB disk.
    mov ah, 0x08
    mov dl, [boot_drive]
    int 0x13
    jc .params_failed
    cmp dh, 15
    jne .params_wrong
    and cl, 0x3F
    cmp cl, 63
    jne .params_wrong
    mov si, msg_params
    call puts

    ; Extended write of a pattern to WRITE_LBA, then read it back to 0:A000.
    mov di, 0x9800
    mov cx, 512
    xor ax, ax
.fill:
    mov [di], al
    inc di
    add al, 7
    loop .fill
    mov si, signature
    mov di, 0x9800
    mov cx, signature_len
    rep movsb
    mov si, dap_write
    mov ax, 0x4300
    mov dl, [boot_drive]
    int 0x13
    jc .write_failed
    mov si, dap_readback
    mov ah, 0x42
    mov dl, [boot_drive]
    int 0x13
    jc .write_failed
    mov si, 0x9800
    mov di, 0xA000
    mov cx, 256
    repe cmpsw
    jne .readback_differs
    mov si, msg_write
    call puts

    ; Memory: INT 12h base memory, and an E820 RAM range that starts at 1 MiB.
    int 0x12
    cmp ax, 600
    jb .mem_wrong
    xor ebx, ebx
.e820:
    mov eax, 0xE820
    mov edx, 0x534D4150
    mov ecx, 20
    mov di, 0xB000
    int 0x15
    jc .mem_wrong
    cmp eax, 0x534D4150
    jne .mem_wrong
    cmp dword [0xB000 + 16], 1  ; usable RAM
    jne .e820_next
    cmp dword [0xB000], 0x100000
    jne .e820_next
    cmp dword [0xB000 + 8], 0x100000 ; at least 1 MiB of it
    jb .mem_wrong
    mov si, msg_mem
    call puts
    mov si, msg_pass
    call puts
    mov al, 0
    out EXIT_PORT, al
.hang:
    cli
    hlt
    jmp .hang
.e820_next:
    test ebx, ebx
    jnz .e820
    jmp .mem_wrong

.chs_failed:        mov al, 4
                    jmp fail
.chs_differs:       mov al, 5
                    jmp fail
.params_failed:     mov al, 6
                    jmp fail
.params_wrong:      mov al, 7
                    jmp fail
.write_failed:      mov al, 8
                    jmp fail
.readback_differs:  mov al, 9
                    jmp fail
.mem_wrong:         mov al, 10
                    jmp fail

msg_stage2: db "boot: stage 2 loaded by INT 13h AH=42", 10, 0
msg_chs: db "boot: CHS read (AH=02) matches LBA read", 10, 0
msg_params: db "boot: AH=08 geometry 16 heads, 63 sectors", 10, 0
msg_write: db "boot: AH=43 write read back", 10, 0
msg_mem: db "boot: INT 12h and E820 memory map look right", 10, 0
msg_pass: db "boot: PASS", 10, 0
signature: db "vmm86 boot test wrote this sector"
signature_len equ $ - signature
dap_write:
    db 0x10, 0
    dw 1
    dw 0x9800, 0
    dq WRITE_LBA
dap_readback:
    db 0x10, 0
    dw 1
    dw 0xA000, 0
    dq WRITE_LBA

    times 2 * 512 - ($ - $$) db 0

; Sector 3 (the last one AH=42 loaded, and the one the CHS read fetches) holds a pattern.
[section .pattern follows=.stage2]
%assign i 0
%rep 512
    db (i * 13 + 5) & 0xFF
%assign i i + 1
%endrep

[section .rest follows=.pattern]
    times (IMAGE_SECTORS - 4) * 512 db 0xE5
