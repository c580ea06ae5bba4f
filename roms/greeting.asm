; greeting.asm — vmm86's own first guest: prints a greeting on COM1 (and the debug console)
; and powers the machine off through the Bochs/QEMU "Shutdown" port (0x8900).
; It is the default program of `make demo` until a real guest boots.
%include "rom.inc"

COM1 equ 0x3F8

rom_entry:
    cli
    ; 115200 8N1, FIFOs on: what a BIOS would set up.
    mov dx, COM1 + 3
    mov al, 0x80            ; DLAB
    out dx, al
    mov dx, COM1
    mov al, 1               ; divisor 1 = 115200 baud
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03            ; 8 data bits, no parity, 1 stop bit
    out dx, al
    mov dx, COM1 + 2
    mov al, 0x07            ; enable and clear FIFOs
    out dx, al

    mov si, message
.next:
    mov al, [cs:si]         ; (no string instructions: the simplest code a CPU can run)
    inc si
    test al, al
    jz .done
    mov ah, al
    out 0xE9, al            ; the debug console too, when there is one
.wait:
    mov dx, COM1 + 5        ; line status: wait for the transmitter holding register
    in al, dx
    test al, 0x20
    jz .wait
    mov dx, COM1
    mov al, ah
    out dx, al
    jmp .next
.done:
    mov si, shutdown
    mov dx, 0x8900
.off:
    mov al, [cs:si]
    inc si
    test al, al
    jz .halt
    out dx, al
    jmp .off
.halt:
    hlt
    jmp .halt

message:  db "Hello from vmm86! This guest runs on our own x86 interpreter.", 13, 10, 0
shutdown: db "Shutdown", 0

ROM_END
