; jit_timer.asm — tight loops still receive their timer interrupts, on time.
;
; The PIT (channel 0, mode 2, ~1 ms) drives IRQ 0 through the PIC. Part 1 spins in
; `jmp $` (one instruction that a JIT translates into a block chained to itself); the IRQ 0
; handler counts ticks, records the TSC (the retired-instruction count) at each one, checks
; that the interrupted IP is the loop's, and after the last tick rewrites the return
; address to leave the loop. Part 2 does the same with a loop that polls the tick count in
; memory. The ticks of a periodic timer arrive a constant number of instructions apart: the
; TSC deltas may differ by at most 2 (the PIT period is not a whole number of
; instructions), so an engine that takes interrupts late (at the end of a block or a chain)
; fails. The first two ticks are not compared: the CPU's current run was budgeted before the
; guest programmed the PIT, so the first deadline is seen late (by every engine alike).
%include "rom.inc"
%include "report.inc"
%include "pc.inc"

%define TICKS    0x600           ; word: IRQ 0 count
%define TSC      0x610           ; dword per tick: low half of the TSC
%define LOOP_LO  0x604           ; the interrupted IP must lie in [LOOP_LO, LOOP_HI]
%define LOOP_HI  0x606
%define ESCAPE   0x608           ; where the handler sends the fifth tick (0: nowhere)
%define NTICKS   6

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    ; PIC: master at vector 0x20, slave at 0x28, only IRQ 0 unmasked.
    PIC_INIT 0x20, 0x28, 0xFE, 0xFF
    mov word [0x20 * 4], irq0
    mov word [0x20 * 4 + 2], 0xF000
    ; PIT channel 0: mode 2 (rate generator), binary, reload 1193 (about 1 ms).
    mov al, 0x34
    out 0x43, al
    mov al, 1193 & 0xFF
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al

    ; --- part 1: jmp $ ---
    call reset_counts
    mov word [LOOP_LO], spin1
    mov word [LOOP_HI], spin1
    mov word [ESCAPE], done1
    sti
spin1:
    jmp spin1
done1:
    cli
    mov bx, 1
    call check_ticks

    ; --- part 2: a loop polling memory ---
    call reset_counts
    mov word [LOOP_LO], spin2
    mov word [LOOP_HI], spin2_end
    mov word [ESCAPE], 0
    xor ecx, ecx
    sti
spin2:
    inc ecx
    cmp word [TICKS], NTICKS
    jb spin2
spin2_end:
    cli
    test ecx, ecx
    jnz .counted
    FAIL 20
.counted:
    mov bx, 2
    call check_ticks
    PASS

reset_counts:
    mov word [TICKS], 0
    mov di, TSC
.clr:
    mov dword [di], 0
    add di, 4
    cmp di, TSC + 4 * NTICKS
    jb .clr
    ret

; Checks the tick count and the spacing of the ticks; bx = part number (failure codes).
check_ticks:
    cmp word [TICKS], NTICKS
    je .count_ok
    mov al, bl
    add al, 30
    out EXIT_PORT, al
    hlt
.count_ok:
    mov eax, [TSC + 12]
    sub eax, [TSC + 8]
    jnz .nonzero
    mov al, bl
    add al, 40
    out EXIT_PORT, al
    hlt
.nonzero:
    mov esi, eax                     ; the period from tick 2 to tick 3
    mov di, TSC + 12
.next:
    mov eax, [di + 4]
    sub eax, [di]
    sub eax, esi
    jns .abs
    neg eax
.abs:
    cmp eax, 2
    jbe .close
    mov al, bl
    add al, 50
    out EXIT_PORT, al
    hlt
.close:
    add di, 4
    cmp di, TSC + 4 * (NTICKS - 1)
    jb .next
    ret

irq0:
    push bp
    mov bp, sp
    push eax
    push edx
    push si
    rdtsc
    mov si, [TICKS]
    shl si, 2
    mov [TSC + si], eax
    mov ax, [bp + 2]                 ; interrupted IP
    cmp ax, [LOOP_LO]
    jb .outside
    cmp ax, [LOOP_HI]
    ja .outside
    inc word [TICKS]
    cmp word [TICKS], NTICKS
    jb .eoi
    mov ax, [ESCAPE]
    test ax, ax
    jz .eoi
    mov [bp + 2], ax                 ; leave `jmp $`
.eoi:
    mov al, 0x20
    out 0x20, al
    pop si
    pop edx
    pop eax
    pop bp
    iret
.outside:
    FAIL 10

ROM_END
