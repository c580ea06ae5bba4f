; jit_smc_dma.asm — code overwritten by a device: an IDE bus-master DMA read that lands on
; translated code is seen by the next fetch, like a CPU store (DESIGN.md: engines agree).
;
; On -M pc the test enables the PIIX3 IDE function (I/O decode, bus master, IDETIM decode of
; the primary channel), then for values 1..40 writes a sector holding `mov bl, value / retf`
; to the disk by PIO and reads it back by DMA over code that has run before:
;   A  over routine A at RAM 0x8000, after it ran (and was translated, under the JIT) with
;      the previous value; the ROM starts the DMA and waits;
;   B  over the tail of routine B in the same page, while B itself is running: B starts the
;      engine and polls its status, and the transfer happens in a device event between two
;      of B's blocks; B then falls into the tail the DMA just wrote.
; vmm86-args: -M pc -m 16
; vmm86-disk: 64
%include "rom.inc"
%include "report.inc"

%define RSEG      0x0800          ; routines at 0800:0000 (linear 0x8000)
%define RA(x)     ((x) - rcode)
%define SECTOR    0x9000          ; the sector the PIO write sends (linear)
%define PRD       0xA000          ; one PRD entry (linear)
%define BMIBA     0xC000          ; bus-master registers of the primary channel
%define IDE_PCI   0x80000900      ; configuration address of 00:01.1 (PIIX3 IDE)

[bits 16]
rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    cld
    ; every exception vector fails the test (a stale jump into the 0xCC fill traps here)
    xor di, di
    mov es, ax
    mov cx, 32
.vec:
    mov word [es:di], unexpected
    mov word [es:di + 2], cs
    add di, 4
    loop .vec
    ; the PIIX3 IDE function: BAR4 (bus master), command (I/O + master), IDETIM decode
    mov eax, IDE_PCI | 0x20
    mov ebx, BMIBA | 1
    call pci_write
    mov eax, IDE_PCI | 0x04
    mov ebx, 0x0005
    call pci_write
    mov eax, IDE_PCI | 0x40
    mov ebx, 0x80008000
    call pci_write
    mov eax, IDE_PCI | 0x20        ; the BAR reads back as written
    call pci_read
    CHECK_EQ ebx, BMIBA | 1, 1

    ; copy the routines to RAM
    mov ax, RSEG
    mov es, ax
    push cs
    pop ds
    mov si, rcode
    xor di, di
    mov cx, rcode_end - rcode
    rep movsb
    xor ax, ax
    mov ds, ax

    mov cx, 1
.loop:
    ; ---- A: the ROM reads the sector by DMA over routine A, which ran before ----
    call make_sector
    call pio_write
    mov bl, 0xEE
    call RSEG:RA(a_entry)          ; the old code, translated again and again
    call RSEG:RA(a_entry)
    mov al, cl
    dec al
    jnz .old_a
    mov al, 0x5A                   ; routine A's first immediate
.old_a:
    CHECK_EQ bl, al, 2
    mov eax, 0x8000 + RA(a_entry)
    call dma_prepare
    call RSEG:RA(wait_far)
    mov bl, 0xEE
    call RSEG:RA(a_entry)
    CHECK_EQ bl, cl, 3

    ; ---- B: routine B starts the DMA over its own tail and waits for it ----
    mov eax, 0x8000 + RA(b_tail)
    call dma_prepare
    mov bl, 0xEE
    call RSEG:RA(b_entry)
    CHECK_EQ bl, cl, 4
    ; restore B's tail, so that the next round runs the old code first
    mov byte [es:RA(b_tail) + 1], 0xA5
    mov bl, 0xEE
    call RSEG:RA(b_tail)
    CHECK_EQ bl, 0xA5, 5

    inc cx
    cmp cx, 40
    jbe .loop
    PASS

unexpected:
    FAIL 9

; pci_write: configuration address EAX, value EBX (dword). pci_read: EBX = value.
pci_write:
    mov dx, 0xCF8
    out dx, eax
    mov dx, 0xCFC
    mov eax, ebx
    out dx, eax
    ret
pci_read:
    mov dx, 0xCF8
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    mov ebx, eax
    ret

; make_sector: SECTOR = `mov bl, CL / retf`, the rest 0xCC (INT3: a stale jump past the
; two instructions would trap to `unexpected`).
make_sector:
    push cx
    push es
    xor ax, ax
    mov es, ax
    mov di, SECTOR
    mov al, 0xCC
    mov cx, 512
    rep stosb
    pop es
    pop cx
    mov byte [SECTOR], 0xB3        ; mov bl, imm8
    mov [SECTOR + 1], cl
    mov byte [SECTOR + 2], 0xCB    ; retf
    ret

; wait_ready: until the drive is neither busy nor requesting data; fails on ERR.
wait_ready:
    mov dx, 0x1F7
.poll:
    in al, dx
    test al, 0x80
    jnz .poll
    test al, 0x01
    jz .ok
    FAIL 6
.ok:
    ret

; select: LBA 0, one sector, master drive, then the command in AL.
select_lba0:
    push ax
    call wait_ready
    mov dx, 0x1F6
    mov al, 0xE0
    out dx, al
    mov dx, 0x1F2
    mov al, 1
    out dx, al
    xor al, al
    mov dx, 0x1F3
    out dx, al
    inc dx
    out dx, al
    inc dx
    out dx, al
    pop ax
    mov dx, 0x1F7
    out dx, al
    ret

; pio_write: WRITE SECTORS of SECTOR to LBA 0.
pio_write:
    push cx
    mov al, 0x30
    call select_lba0
    mov dx, 0x1F7
.drq:
    in al, dx
    test al, 0x80
    jnz .drq
    test al, 0x08
    jnz .go
    FAIL 7
.go:
    mov si, SECTOR
    mov dx, 0x1F0
    mov cx, 256
    rep outsw
    call wait_ready
    pop cx
    ret

; dma_prepare: one PRD entry for 512 bytes at linear EAX, the engine stopped and set to
; write memory, status bits cleared, and READ DMA issued to the drive.
dma_prepare:
    mov [PRD], eax
    mov dword [PRD + 4], 0x80000200
    mov dx, BMIBA
    mov al, 0x08
    out dx, al
    mov dx, BMIBA + 2
    mov al, 0x06
    out dx, al
    mov dx, BMIBA + 4
    mov eax, PRD
    out dx, eax
    mov al, 0xC8
    call select_lba0
    ret

; ---- routines copied to RSEG:0 (called far, return far) ---------------------------------
    align 16, db 0                 ; so that `align` below is alignment in RAM too
rcode:
a_entry:
    mov bl, 0x5A
    retf
    times 0x200 - ($ - rcode) db 0x90   ; A's sector ends here
b_entry:                           ; start the engine, poll, then run the tail
    call dma_start_wait
    jmp b_tail
wait_far:                          ; the same for the ROM (case A)
    call dma_start_wait
    retf
; dma_start_wait: start the engine, wait for its interrupt bit, stop it; ERR fails the test.
dma_start_wait:
    mov dx, BMIBA
    mov al, 0x09
    out dx, al
    mov dx, BMIBA + 2
.poll:
    in al, dx
    test al, 0x04
    jz .poll
    mov dx, BMIBA
    mov al, 0x08
    out dx, al
    mov dx, 0x1F7
    in al, dx
    test al, 0x01
    jz .ok
    FAIL 8
.ok:
    ret
    align 16, db 0x90
b_tail:                            ; the DMA writes 512 bytes from here
    mov bl, 0xA5
    retf
rcode_end:                         ; RAM after it is free for the sector's 512 bytes

    ROM_END
