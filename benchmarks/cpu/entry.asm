; entry.asm — the CPU benchmark's ROM: from the reset vector to the C payload in 32-bit
; protected mode. Enables A20 (port 92h), loads a flat GDT, enters protected mode, copies the
; payload (PAYLOAD, built from guest_main.c + workload.c, linked at 1 MiB) from the ROM to
; 1 MiB and jumps to it with the stack below 640 KiB. A 64 KiB image: vmm86 and QEMU both map
; it at F0000 and at FFFF0000 (-bios).
[bits 16]
[org 0]
%define ROM_LIN   0xF0000
%define LOAD_ADDR 0x100000
%define STACK_TOP 0x9F000
%defstr PAYLOAD_FILE PAYLOAD

rom_entry:
    cli
    cld
    in al, 0x92
    or al, 2                              ; fast A20
    and al, 0xFE                          ; (bit 0 would reset the machine)
    out 0x92, al
    o32 lgdt [cs:gdt_ptr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(ROM_LIN + pm32)

[bits 32]
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, STACK_TOP
    mov esi, ROM_LIN + payload
    mov edi, LOAD_ADDR
    mov ecx, (payload_end - payload + 3) / 4
    rep movsd
    mov eax, LOAD_ADDR                    ; (a near jmp would be relative to org 0)
    jmp eax

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF                 ; 0x08: flat 32-bit code
    dq 0x00CF92000000FFFF                 ; 0x10: flat data
gdt_ptr:
    dw 3 * 8 - 1
    dd ROM_LIN + gdt

align 4
payload:
    incbin PAYLOAD_FILE
payload_end:

    times 0xFFF0 - ($ - $$) db 0xFF
[bits 16]
    jmp 0xF000:rom_entry                  ; the reset vector
    times 0x10000 - ($ - $$) db 0xFF
