; jit_io_continue.asm — code after IN/OUT in the same stretch of straight-line code (a JIT
; may keep translating past port I/O) sees the effects of the I/O at once:
;   1  an OUT that unmasks a pending IRQ 0 at the PIC: the interrupt is taken right after
;      the OUT (the handler sees the next instruction's IP and nothing after the OUT done)
;   2  OUTs to port 92h that turn A20 off and on: the very next load through FFFF:0510h
;      reads linear 100500h or its wrapped alias 500h accordingly
;   3  IN values used by the next instructions (the PIC's mask read back)
; Each part runs four rounds: fresh translations, then reused and chained ones.
%include "rom.inc"
%include "report.inc"
%include "pc.inc"

%define RET_IP   0x600           ; word: IP the IRQ 0 handler interrupted
%define BX_AT    0x602           ; word: BX at the interrupt
%define HITS     0x604           ; word: IRQ 0 count

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    PIC_INIT 0x20, 0x28, 0xFF, 0xFF      ; everything masked
    mov word [0x20 * 4], irq0
    mov word [0x20 * 4 + 2], 0xF000
    mov al, 0x34                         ; PIT channel 0: mode 2, reload 200
    out 0x43, al
    mov al, 200
    out 0x40, al
    mov al, 0
    out 0x40, al
    mov word [HITS], 0
    mov bp, 4                            ; rounds
.round:
    call part1
    call part2
    call part3
    dec bp
    jnz .round
    cmp word [HITS], 4
    je .pass
    FAIL 1
.pass:
    PASS

part1:
    cli
.wait:                                   ; until IRQ 0 is requested (masked: not taken)
    mov al, 0x0A                         ; OCW3: read IRR
    out 0x20, al
    in al, 0x20
    test al, 1
    jz .wait
    mov word [RET_IP], 0
    mov word [BX_AT], 0xFFFF
    xor bx, bx
    sti
    nop
    mov al, 0xFE
    out 0x21, al                         ; unmask IRQ 0: deliverable now
.after:
    inc bx
    inc bx
    cli
    cmp word [RET_IP], .after
    je .ip
    FAIL 10
.ip:
    cmp word [BX_AT], 0
    je .bx
    FAIL 11
.bx:
    cmp bx, 2
    je .ok
    FAIL 12
.ok:
    ret

irq0:
    push ax
    push bp
    mov bp, sp
    mov ax, [bp + 4]                     ; the interrupted IP
    mov [RET_IP], ax
    mov [BX_AT], bx
    inc word [HITS]
    mov al, 0xFF                         ; mask IRQ 0 again
    out 0x21, al
    mov al, 0x20                         ; EOI
    out 0x20, al
    pop bp
    pop ax
    iret

part2:
    in al, 0x92                          ; A20 on
    or al, 2
    and al, 0xFE
    out 0x92, al
    mov ax, 0xFFFF
    mov fs, ax
    mov byte [0x0500], 0x11
    mov byte [fs:0x0510], 0x22           ; linear 100500h
    in al, 0x92
    and al, 0xFC
    out 0x92, al                         ; A20 off
    mov cl, [fs:0x0510]                  ; wraps to 500h
    in al, 0x92
    or al, 2
    and al, 0xFE
    out 0x92, al                         ; A20 on
    mov ch, [fs:0x0510]
    cmp cx, 0x2211
    je .ok
    FAIL 20
.ok:
    ret

part3:
    mov al, 0xA5
    out 0xA1, al                         ; slave mask
    in al, 0xA1
    mov ah, al
    mov al, 0x5A
    out 0xA1, al
    in al, 0xA1
    cmp ax, 0xA55A
    je .ok
    FAIL 30
.ok:
    mov al, 0xFF
    out 0xA1, al
    ret

ROM_END
