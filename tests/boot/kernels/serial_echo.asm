; serial_echo.asm — a firmware-sized guest that echoes COM1 input, upper-cased, back to COM1.
; It sleeps in HLT between bytes and wakes on the UART's receive interrupt (IRQ 4 through
; the 8259), so the run loop must wait on the host's input rather than find nothing to do.
; A '.' ends the run: pass (debug-exit 0) when no byte was lost to a receiver overrun.
%include "rom.inc"
%include "report.inc"

COM1 equ 0x3F8
IRQ4_VECTOR equ 0x0C                 ; the master 8259's base is 0x08 after our ICW2

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [IRQ4_VECTOR * 4], uart_irq
    mov word [IRQ4_VECTOR * 4 + 2], 0xF000
    mov byte [lost], 0
    ; 8259 pair: edge triggered, vectors 0x08 and 0x70, cascade on IRQ 2, 8086 mode.
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x08
    out 0x21, al
    mov al, 0x70
    out 0xA1, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01
    out 0x21, al
    out 0xA1, al
    mov al, 0xEF                     ; only IRQ 4
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    ; COM1: 115200 8N1, FIFOs on (trigger level 1), receive interrupt, OUT2 (the IRQ gate).
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al
    mov dx, COM1
    mov al, 1
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov dx, COM1 + 2
    mov al, 0x07
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x0B                     ; DTR, RTS, OUT2
    out dx, al
    mov dx, COM1 + 1
    mov al, 0x01                     ; received-data interrupt
    out dx, al
    mov si, ready
    call com1_puts
.idle:
    sti
    hlt
    jmp .idle

; IRQ 4: drain the receiver, echo each byte upper-cased, stop at '.'.
uart_irq:
    push ax
    push dx
.more:
    mov dx, COM1 + 5
    in al, dx
    test al, 0x02                    ; overrun error: a byte was lost
    jz .no_overrun
    mov byte [lost], 1
.no_overrun:
    test al, 0x01                    ; data ready
    jz .done
    mov dx, COM1
    in al, dx
    cmp al, '.'
    je .finish
    cmp al, 'a'
    jb .send
    cmp al, 'z'
    ja .send
    sub al, 'a' - 'A'
.send:
    call com1_putc
    jmp .more
.done:
    mov al, 0x20                     ; end of interrupt
    out 0x20, al
    pop dx
    pop ax
    iret
.finish:
    mov al, 10
    call com1_putc
    cmp byte [lost], 0
    je .pass
    FAIL 1
.pass:
    PASS

; com1_putc: send AL (waits for the transmitter). Clobbers DX.
com1_putc:
    push ax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop ax
    mov dx, COM1
    out dx, al
    ret

; com1_puts: send the zero-terminated string at CS:SI. Clobbers AL, DX, SI.
com1_puts:
    mov al, [cs:si]
    inc si
    test al, al
    jz .done
    call com1_putc
    jmp com1_puts
.done:
    ret

ready: db "echo ready", 13, 10, 0
lost equ 0x6000                      ; a byte of RAM

ROM_END
