; jit_straddle.asm — an instruction that continues on the next page, run many times (a JIT
; runs it in a block of its own that holds none of its bytes), sees every write to either
; page at once:
;   1  ADD EAX, imm32 at 1FFDh (66 05 + imm32: the immediate's low byte on the first page,
;      the rest on the second), called 1000 times: EAX = 1000
;   2  its immediate's third byte (on the second page) rewritten: ADD EAX, 10001h, 100 calls
;   3  its immediate's low byte (on the first page) rewritten: ADD EAX, 10002h, 100 calls
;   4  a JMP rel32 at 2FFEh whose displacement spans the page end, retargeted between runs
;      (the second page's bytes): the jump lands where the bytes say
; Each part repeats its calls, so the first run translates and the later ones reuse.
%include "rom.inc"
%include "report.inc"

%define ADD_AT   0x1FFD          ; 66 05 imm32, then RETF at 2003h
%define JMP_AT   0x2FFE          ; E9 rel16 in real mode would be 3 bytes: 66 E9 rel32
%define LAND_A   0x3100          ; MOV AX, 0xAAAA ; RETF
%define LAND_B   0x3200          ; MOV AX, 0xBBBB ; RETF

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    ; part 1: the straddling ADD, 1000 calls
    mov byte [ADD_AT], 0x66
    mov byte [ADD_AT + 1], 0x05
    mov dword [ADD_AT + 2], 1
    mov byte [ADD_AT + 6], 0xCB          ; RETF
    xor eax, eax
    mov cx, 1000
.p1:
    call 0:ADD_AT
    loop .p1
    cmp eax, 1000
    je .p2
    FAIL 1
.p2:                                     ; part 2: a byte on the second page
    mov byte [ADD_AT + 4], 0x01          ; imm32 = 00010001h
    xor eax, eax
    mov cx, 100
.p2l:
    call 0:ADD_AT
    loop .p2l
    cmp eax, 100 * 0x10001
    je .p3
    FAIL 2
.p3:                                     ; part 3: a byte on the first page
    mov byte [ADD_AT + 2], 0x02          ; imm32 = 00010002h
    xor eax, eax
    mov cx, 100
.p3l:
    call 0:ADD_AT
    loop .p3l
    cmp eax, 100 * 0x10002
    je .p4
    FAIL 3
.p4:                                     ; part 4: a jump whose displacement spans pages
    mov dword [LAND_A], 0xCBAAAAB8       ; mov ax, 0xAAAA ; retf
    mov dword [LAND_B], 0xCBBBBBB8       ; mov ax, 0xBBBB ; retf
    mov byte [JMP_AT], 0x66
    mov byte [JMP_AT + 1], 0xE9
    mov dword [JMP_AT + 2], LAND_A - (JMP_AT + 6)
    mov si, 4                            ; rounds: A, B, A, B
.p4l:
    mov cx, 50
.p4c:
    xor ax, ax
    call 0:JMP_AT
    loop .p4c
    test si, 1
    jnz .want_b                          ; si = 3, 1: the B rounds
    cmp ax, 0xAAAA
    je .next
    FAIL 4
.want_b:
    cmp ax, 0xBBBB
    je .next
    FAIL 5
.next:
    dec si
    jz .done
    test si, 1                           ; retarget for the next round
    jnz .to_b
    mov dword [JMP_AT + 2], LAND_A - (JMP_AT + 6)
    jmp .p4l
.to_b:
    mov dword [JMP_AT + 2], LAND_B - (JMP_AT + 6)
    jmp .p4l
.done:
    PASS

    ROM_END
