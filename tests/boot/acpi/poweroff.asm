; poweroff.asm — a raw disk image (1 MiB) whose MBR checks the ACPI tables SeaBIOS installed
; from vmm86's fw_cfg linker/loader files, then turns the machine off through ACPI, as an OS
; does: find "RSD PTR " on a 16-byte boundary in 0xE0000-0xFFFFF with a valid checksum,
; follow the RSDT to the FADT (checksums checked), the FADT to the DSDT (checksum checked),
; read \_S5's first value from the DSDT's AML, check the PM timer named by the FADT runs,
; and write SLP_TYP(S5) | SLP_EN to PM1a_CNT_BLK. The run must end there, with status 0: a
; failure (or surviving the S5 write) is reported through the isa-debug-exit port 0xF4,
; which never gives status 0. Lines go to the debug console at 0x402.
;
; Build: nasm -f bin -o poweroff.img poweroff.asm

%define OUT_PORT 0x402
%define EXIT_PORT 0xF4
%define STAGE2 0x8000
%define STAGE2_SECTORS 4
%define IMAGE_SECTORS 2048

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
    call puts16
    mov ax, 0x0200 + STAGE2_SECTORS ; CHS read: cylinder 0, head 0, sectors 2-5 to 0:8000
    mov cx, 0x0002
    mov dh, 0
    mov dl, [boot_drive]
    mov bx, STAGE2
    int 0x13
    jc .read_failed
    cmp dword [STAGE2], 'ACPI'
    jne .read_failed
    in al, 0x92                 ; A20 on: the tables may sit at odd megabytes
    or al, 2
    and al, 0xFE
    out 0x92, al
    cli
    lgdt [gdt_desc]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp 0x08:pm32
.read_failed:
    mov al, 1
    out EXIT_PORT, al
.hang:
    hlt
    jmp .hang

puts16:
    mov dx, OUT_PORT
.next:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    ret

[bits 32]
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x7C00
    jmp STAGE2 + 4

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF       ; 0x08: flat 32-bit code
    dq 0x00CF92000000FFFF       ; 0x10: flat data
gdt_desc:
    dw gdt_desc - gdt - 1
    dd gdt

boot_drive: db 0
msg_mbr: db "acpi: MBR running", 10, 0

    times 510 - ($ - $$) db 0
    dw 0xAA55

; ---- stage 2: sectors 1-4, loaded at 0:8000, 32-bit protected mode ------------------------
[section .stage2 vstart=STAGE2 follows=.text]
    db "ACPI"
stage2:
    mov esi, msg_pm
    call puts

    ; The RSDP: "RSD PTR " on a 16-byte boundary with its 20 bytes summing to 0.
    mov ebx, 0xE0000
.scan:
    cmp dword [ebx], 'RSD '
    jne .scan_next
    cmp dword [ebx + 4], 'PTR '
    jne .scan_next
    mov esi, ebx
    mov ecx, 20
    call sum8
    jz .rsdp_found
.scan_next:
    add ebx, 16
    cmp ebx, 0x100000
    jb .scan
    mov al, 3
    jmp fail
.rsdp_found:
    mov esi, msg_rsdp
    call puts
    mov eax, ebx
    call puthex
    mov ebx, [ebx + 16]         ; RSDT
    cmp dword [ebx], 'RSDT'
    mov al, 5
    jne fail
    call table_sum              ; EBX = table: checksum over its length
    mov al, 7
    jnz fail
    mov ecx, [ebx + 4]
    sub ecx, 36
    shr ecx, 2
    lea edi, [ebx + 36]
.entry:
    mov al, 9
    test ecx, ecx
    jz fail
    mov edx, [edi]
    cmp dword [edx], 'FACP'
    je .fadt
    add edi, 4
    dec ecx
    jmp .entry
.fadt:
    mov [fadt], edx
    mov ebx, edx
    call table_sum
    mov al, 11
    jnz fail
    mov ebx, [edx + 40]         ; DSDT
    cmp dword [ebx], 'DSDT'
    mov al, 13
    jne fail
    call table_sum
    mov al, 15
    jnz fail
    mov esi, msg_tables
    call puts

    ; \_S5: Name (_S5_, Package { SLP_TYP-a, ... }) in the DSDT's AML.
    lea esi, [ebx + 36]
    mov ecx, [ebx + 4]
    sub ecx, 36 + 8
.s5:
    cmp dword [esi], '_S5_'
    je .s5_found
    inc esi
    loop .s5
    mov al, 17
    jmp fail
.s5_found:
    add esi, 4
    cmp byte [esi], 0x12        ; PackageOp
    mov al, 19
    jne fail
    movzx eax, byte [esi + 1]   ; PkgLength: 1 + (bits 7:6) bytes
    shr eax, 6
    lea esi, [esi + eax + 3]    ; past PackageOp, PkgLength, NumElements
    movzx eax, byte [esi]
    cmp al, 0x0A                ; BytePrefix
    jne .s5_small
    movzx eax, byte [esi + 1]
    jmp .s5_typ
.s5_small:
    cmp al, 1                   ; ZeroOp or OneOp
    mov ah, 21
    ja fail_ah
.s5_typ:
    and eax, 7
    mov [slp_typ], eax
    mov esi, msg_s5
    call puts
    mov eax, [slp_typ]
    call puthex

    ; The PM timer (24 bits at 3.579545 MHz) moves.
    mov edx, [fadt]
    mov edx, [edx + 76]         ; PM_TMR_BLK
    in eax, dx
    mov ebp, eax
    mov ecx, 20000
.spin:
    loop .spin
    in eax, dx
    cmp eax, ebp
    mov al, 23
    je fail
    mov esi, msg_timer
    call puts

    ; S5: SLP_TYP and SLP_EN into PM1a_CNT, keeping its other bits (SCI_EN).
    mov esi, msg_s5_write
    call puts
    mov edx, [fadt]
    mov edx, [edx + 64]         ; PM1a_CNT_BLK
    in ax, dx
    and ax, ~0x3C00
    mov ecx, [slp_typ]
    shl ecx, 10
    or ax, cx
    or ax, 0x2000
    out dx, ax
    mov esi, msg_alive
    call puts
    mov al, 25
    jmp fail

; table_sum: ZF set when the table at EBX sums to 0 over its header's length.
table_sum:
    push esi
    push ecx
    mov esi, ebx
    mov ecx, [ebx + 4]
    call sum8
    pop ecx
    pop esi
    ret

; sum8: AL = byte sum of ECX bytes at ESI; ZF set when it is 0. Clobbers ESI, ECX.
sum8:
    xor eax, eax
.add:
    add al, [esi]
    inc esi
    loop .add
    test al, al
    ret

; puts: the NUL-terminated string at ESI. puthex: EAX in hex and a newline.
puts:
    push eax
    push edx
    mov dx, OUT_PORT
.next:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    pop edx
    pop eax
    ret

puthex:
    push ecx
    push edx
    mov ecx, 8
    mov dx, OUT_PORT
.digit:
    rol eax, 4
    push eax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    out dx, al
    pop eax
    loop .digit
    mov al, 10
    out dx, al
    pop edx
    pop ecx
    ret

; fail: print "acpi: FAIL n" (n = AL, or AH via fail_ah) and exit with that code.
fail_ah:
    mov al, ah
fail:
    push eax
    mov esi, msg_fail
    call puts
    pop eax
    push eax
    movzx eax, al
    call puthex
    pop eax
    out EXIT_PORT, al
.hang:
    hlt
    jmp .hang

fadt: dd 0
slp_typ: dd 0
msg_pm: db "acpi: protected mode, scanning 0xE0000-0xFFFFF for the RSDP", 10, 0
msg_rsdp: db "acpi: RSDP at ", 0
msg_tables: db "acpi: RSDP, RSDT, FADT and DSDT checksums are valid", 10, 0
msg_s5: db "acpi: \_S5 SLP_TYP ", 0
msg_timer: db "acpi: the PM timer runs", 10, 0
msg_s5_write: db "acpi: writing SLP_TYP | SLP_EN to PM1a_CNT", 10, 0
msg_alive: db "acpi: still running after the S5 write", 10, 0
msg_fail: db "acpi: FAIL ", 0

    times STAGE2_SECTORS * 512 - ($ - $$) db 0

[section .rest follows=.stage2]
    times (IMAGE_SECTORS - 1 - STAGE2_SECTORS) * 512 db 0
