; int_string.asm — string instructions with REP over fault-free buffers, in real mode and
; in flat 32-bit protected mode: REP MOVSB/MOVSW/MOVSD forwards and backwards (longer than
; one re-execution chunk), REPE CMPS and REPNE SCAS termination, REP STOS, LODS, SI/DI
; wrap-around at 64 KiB with a 16-bit address size, and the segment override on the
; source. Expected data is computed with plain MOV loops.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define SRC_SEG 0x1000     ; real-mode buffers: 1000:0000 and 2000:0000
%define DST_SEG 0x2000
%define LEN     20000

rom_entry:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    ; source pattern: byte i = 3 + 7 * i
    mov ax, SRC_SEG
    mov ds, ax
    xor si, si
    mov cx, LEN
    mov al, 3
.fill:
    mov [si], al
    add al, 7
    inc si
    dec cx
    jnz .fill

    ; 1. REP MOVSB forwards, more than one chunk
    mov ax, DST_SEG
    mov es, ax
    xor si, si
    xor di, di
    mov cx, LEN
    cld
    rep movsb
    CHECK_EQ cx, 0, 1
    CHECK_EQ si, LEN, 2
    CHECK_EQ di, LEN, 3
    xor bx, bx
.cmp1:
    mov al, [bx]
    cmp al, [es:bx]
    je .ok1
    FAIL 4
.ok1:
    inc bx
    cmp bx, LEN
    jne .cmp1

    ; 2. REPE CMPSB over equal data runs to the end with ZF = 1
    xor si, si
    xor di, di
    mov cx, LEN
    repe cmpsb
    jz .eq2
    FAIL 5
.eq2:
    CHECK_EQ cx, 0, 6
    ; ... and stops right after the first difference
    xor byte [es:12345], 0x80
    xor si, si
    xor di, di
    mov cx, LEN
    repe cmpsb
    jnz .ne2
    FAIL 7
.ne2:
    CHECK_EQ si, 12346, 8
    CHECK_EQ cx, LEN - 12346, 9

    ; 3. REPNE SCASB finds the first 0x80-flipped byte's value
    mov al, [es:12345]
    xor di, di
    mov cx, LEN
    repne scasb
    jz .found3
    FAIL 10
.found3:
    ; the first index i with 3 + 7i = al (mod 256) or the flipped byte
    dec di
    mov bl, [es:di]
    cmp bl, al
    je .same3
    FAIL 11
.same3:

    ; 4. STD; REP MOVSW backwards: move words 0..99 up by one word (memmove)
    xor bx, bx
.fill4:
    mov [es:bx], bx
    add bx, 2
    cmp bx, 202
    jne .fill4
    push ds
    push es
    pop ds
    std
    mov si, 198
    mov di, 200
    mov cx, 100
    rep movsw
    cld
    pop ds
    CHECK_EQ si, 0xFFFE, 12
    CHECK_EQ di, 0, 13
    mov bx, 2
.chk4:
    mov ax, bx
    sub ax, 2
    cmp [es:bx], ax
    je .ok4
    FAIL 14
.ok4:
    add bx, 2
    cmp bx, 202
    jne .chk4

    ; 5. REP STOSW, then LODSW reads it back
    mov ax, 0xBEEF
    mov di, 0x4000
    mov cx, 0x800
    rep stosw
    CHECK_EQ di, 0x5000, 15
    push ds
    push es
    pop ds
    mov si, 0x4000
    mov cx, 0x800
.lods5:
    lodsw
    cmp ax, 0xBEEF
    je .ok5
    pop ds
    FAIL 16
.ok5:
    loop .lods5
    pop ds

    ; 6. 16-bit wrap: copy 32 bytes from DS:FFF0, SI wraps to 0000 (byte accesses only)
    mov si, 0xFFF0
    mov di, 0x6000
    mov cx, 32
    rep movsb
    CHECK_EQ si, 0x0010, 17
    mov al, [0xFFF0]
    CHECK_EQ byte [es:0x6000], al, 18
    mov al, [0x0000]
    CHECK_EQ byte [es:0x6010], al, 19
    mov al, [0x000F]
    CHECK_EQ byte [es:0x601F], al, 20

    ; 7. segment override on the source: ES:SI -> ES:DI
    mov byte [es:0x7000], 0x5C
    mov si, 0x7000
    mov di, 0x7001
    es movsb
    CHECK_EQ byte [es:0x7001], 0x5C, 21

    PM_ENTER pm_main

[bits 32]
%define PSRC 0x200000
%define PDST 0x400000     ; (bit 20 clear: independent of the A20 gate)
%define PLEN 0x10000        ; dwords

pm_main:
    mov edi, PSRC
    mov eax, 0x01234567
    mov ecx, PLEN
.fill:
    mov [edi], eax
    add eax, 0x9E3779B9
    add edi, 4
    dec ecx
    jnz .fill
    ; 8. REP MOVSD, 256 KiB
    mov esi, PSRC
    mov edi, PDST
    mov ecx, PLEN
    cld
    rep movsd
    CHECK_EQ ecx, 0, 30
    CHECK_EQ esi, PSRC + 4 * PLEN, 31
    CHECK_EQ edi, PDST + 4 * PLEN, 32
    ; 9. REPE CMPSD: equal throughout
    mov esi, PSRC
    mov edi, PDST
    mov ecx, PLEN
    repe cmpsd
    jz .eq9
    FAIL 33
.eq9:
    ; 10. REPNE SCASD for the value at index 50000
    mov eax, [PSRC + 4 * 50000]
    mov edi, PDST
    mov ecx, PLEN
    repne scasd
    jz .found10
    FAIL 34
.found10:
    CHECK_EQ edi, PDST + 4 * 50001, 35
    CHECK_EQ ecx, PLEN - 50001, 36
    ; 11. STD; REP STOSB backwards over 5000 bytes
    std
    mov al, 0xA5
    mov edi, PDST + 4999
    mov ecx, 5000
    rep stosb
    cld
    CHECK_EQ edi, PDST - 1, 37
    CHECK_EQ byte [PDST], 0xA5, 38
    CHECK_EQ byte [PDST + 4999], 0xA5, 39
    mov eax, [PSRC + 5000]
    cmp byte [PDST + 5000], al
    je .ok11
    FAIL 40
.ok11:
    PASS

[bits 16]                  ; the reset vector is 16-bit code
ROM_END
