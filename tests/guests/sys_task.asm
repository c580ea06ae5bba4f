; sys_task.asm — hardware task switches: JMP to a TSS (busy bits move, no NT, outgoing
; state saved, CR0.TS set), CALL through a task gate (NT and back link, the caller stays
; busy) and IRET back, INT through a task gate in the IDT, an exception through a task gate
; with its error code pushed on the new task's stack, a 16-bit TSS, the busy-TSS #GP and
; the short-TSS #TS.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define TSS_B     0x2200
%define TSS_C     0x2400          ; 16-bit
%define TSS_D     0x2600
%define TSS_SHORT 0x2800
%define SEL_B     (SEL_FREE + 0x00)
%define SEL_GATEB (SEL_FREE + 0x08)
%define SEL_C     (SEL_FREE + 0x10)
%define SEL_D     (SEL_FREE + 0x18)
%define SEL_SHORT (SEL_FREE + 0x20)
%define MODE      (SCRATCH + 0)   ; what task B does next: 1 = JMP back to A, 2 = IRET
%define B_COUNT   (SCRATCH + 4)
%define B_TR      (SCRATCH + 8)
%define B_EFL     (SCRATCH + 12)
%define B_LINK    (SCRATCH + 16)
%define B_EAX     (SCRATCH + 20)
%define C_TR      (SCRATCH + 24)
%define D_ERR     (SCRATCH + 28)
%define D_EIP     (SCRATCH + 32)
%define D_ESP     (SCRATCH + 36)
%define B_LDT     (SCRATCH + 40)
%define SEL_LDTB  (SEL_FREE + 0x28)
%define BUSY(sel) (GDT_BASE + (sel) + 5)

; A 32-bit TSS image: INIT32 base, eip-label, esp
%macro INIT32 3
    mov dword [%1 + 0x20], OFF(%2)
    mov dword [%1 + 0x24], 2
    mov dword [%1 + 0x28], 0xB0B0B0B0       ; EAX
    mov dword [%1 + 0x38], %3               ; ESP
    mov dword [%1 + 0x48], SEL_DATA32       ; ES
    mov dword [%1 + 0x4C], SEL_CODE32       ; CS
    mov dword [%1 + 0x50], SEL_DATA32       ; SS
    mov dword [%1 + 0x54], SEL_DATA32       ; DS
    mov dword [%1 + 0x58], SEL_DATA32       ; FS
    mov dword [%1 + 0x5C], SEL_DATA32       ; GS
    mov dword [%1 + 0x60], 0                ; LDT
    mov word [%1 + 0x66], 0x68
%endmacro

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    mov edi, TSS_B                 ; clear the new TSSs
    xor eax, eax
    mov ecx, 0x800 / 4
.clr:
    mov [edi], eax
    add edi, 4
    loop .clr
    INIT32 TSS_B, task_b, 0x6800
    INIT32 TSS_D, task_d, 0x6400
    ; 16-bit TSS C: IP, FLAGS, SP, ES CS SS DS
    mov word [TSS_C + 0x0E], OFF(task_c)
    mov word [TSS_C + 0x10], 2
    mov word [TSS_C + 0x1A], 0x6C00
    mov word [TSS_C + 0x22], SEL_DATA16
    mov word [TSS_C + 0x24], SEL_CODE16
    mov word [TSS_C + 0x26], SEL_DATA16
    mov word [TSS_C + 0x28], SEL_DATA16
    SETDESC SEL_B, TSS_B, 0x67, ACC_TSS32, FLG_16
    SETTASKGATE_AT GDT_BASE + SEL_GATEB, SEL_B
    SETDESC SEL_C, TSS_C, 0x2B, ACC_TSS16, FLG_16
    SETDESC SEL_D, TSS_D, 0x67, ACC_TSS32, FLG_16
    SETDESC SEL_SHORT, TSS_SHORT, 0x60, ACC_TSS32, FLG_16
    SETDESC SEL_LDTB, 0x3000, 0x0F, ACC_LDT, FLG_16
    mov dword [0x3000 + 8], 0x0000FFFF        ; B's LDT entry 1: data at 0x20000
    mov dword [0x3000 + 12], 0x00CF9202
    mov dword [TSS_B + 0x60], SEL_LDTB        ; task B runs with its own LDT
    mov dword [B_COUNT], 0

    ; --- 1. JMP to TSS B; B jumps back ---
    mov dword [MODE], 1
    mov eax, 0xA0A0A0A0
    clts
    jmp SEL_B:0
.after_jmp:
    CHECK_MEM32 B_COUNT, 1, 1
    CHECK_MEM32 B_TR, SEL_B, 2
    CHECK_MEM32 B_EAX, 0xB0B0B0B0, 3          ; EAX came from B's TSS
    test dword [B_EFL], 0x4000                ; JMP: no NT in B
    jz .t1a
    FAIL 4
.t1a:
    cmp eax, 0xA0A0A0A0                       ; A's EAX came back from A's TSS
    je .t1b
    FAIL 5
.t1b:
    CHECK_MEM32 B_LDT, 0x5150, 28             ; B's LDT was loaded from its TSS
    sldt ax
    test ax, ax                               ; and A's (none) is back
    jz .t1x
    FAIL 29
.t1x:
    CHECK_MEM32 TSS_B + 0x20, OFF(task_b.after_jmp), 6   ; B's saved EIP
    test byte [BUSY(SEL_B)], 2                ; B left by JMP: not busy
    jz .t1c
    FAIL 7
.t1c:
    test byte [BUSY(SEL_TSS)], 2              ; A is running: busy
    jnz .t1d
    FAIL 8
.t1d:
    mov eax, cr0
    test al, 8                                ; CR0.TS set by the switch
    jnz .t1e
    FAIL 9
.t1e:
    str ax
    cmp ax, SEL_TSS
    je .t2
    FAIL 10
.t2:
    ; --- 2. CALL through a task gate: NT and back link; IRET returns ---
    mov dword [MODE], 2
    call SEL_GATEB:0
    CHECK_MEM32 B_COUNT, 2, 11
    test dword [B_EFL], 0x4000
    jnz .t2a
    FAIL 12
.t2a:
    CHECK_MEM32 B_LINK, SEL_TSS, 13
    pushfd
    pop eax
    test eax, 0x4000                          ; A has no NT
    jz .t2b
    FAIL 14
.t2b:
    test byte [BUSY(SEL_B)], 2                ; IRET freed B
    jz .t2c
    FAIL 15
.t2c:
    ; --- 3. INT through a task gate in the IDT ---
    SETTASKGATE_AT IDT_BASE + 0x50 * 8, SEL_B
    int 0x50
    CHECK_MEM32 B_COUNT, 3, 16
    CHECK_MEM32 B_LINK, SEL_TSS, 17
    ; --- 4. a busy TSS cannot be entered: #GP(sel) ---
    EXPECT_EXC 13, .t4
    jmp SEL_TSS:0
    FAIL 18
.t4:
    CHECK_MEM32 EXC_ERR, SEL_TSS, 19
    ; --- 5. a TSS shorter than 0x67: #TS(sel) ---
    EXPECT_EXC 10, .t5
    call SEL_SHORT:0
    FAIL 20
.t5:
    CHECK_MEM32 EXC_ERR, SEL_SHORT, 21
    ; --- 6. a 16-bit TSS ---
    call SEL_C:0
    CHECK_MEM32 C_TR, SEL_C, 22
    test byte [BUSY(SEL_C)], 2
    jz .t6
    FAIL 23
.t6:
    ; --- 7. #GP through a task gate: the error code is pushed on D's stack; the saved
    ;        EIP of A is the faulting instruction ---
    SETTASKGATE_AT IDT_BASE + 13 * 8, SEL_D
    mov ax, GDT_ENTRIES * 8 + 0x10
.fault:
    mov fs, ax                     ; #GP(0x210)
    FAIL 24
.resumed:
    CHECK_MEM32 D_ERR, GDT_ENTRIES * 8 + 0x10, 25
    CHECK_MEM32 D_EIP, OFF(.fault), 26
    CHECK_MEM32 D_ESP, 0x6400 - 4, 27
    ; --- 8. CR3 comes from the new TSS: B sees linear 0x400000 through its own page
    ;        directory, and A's comes back with the IRET ---
    PAGING_IDENTITY
    mov dword [TSS_BASE + 0x1C], PD_BASE       ; A's CR3 (not saved by a switch)
    mov edi, 0x14000                           ; PD2 = copy of PD with its own PDE 1
    mov esi, PD_BASE
    mov ecx, 1024
.cp:
    mov eax, [esi]
    mov [edi], eax
    add esi, 4
    add edi, 4
    loop .cp
    mov dword [PD_BASE + 4], 0x16000 | 7
    mov dword [0x16000], 0x30000 | 7
    mov dword [0x14000 + 4], 0x15000 | 7
    mov dword [0x15000], 0x31000 | 7
    mov dword [0x30000], 0x1111
    mov dword [0x31000], 0x2222
    mov dword [TSS_B + 0x1C], 0x14000
    mov eax, cr3
    mov cr3, eax
    mov dword [MODE], 3
    call SEL_B:0
    CHECK_MEM32 B_LDT, 0x2222, 30
    mov eax, cr3
    cmp eax, PD_BASE
    je .t8
    FAIL 31
.t8:
    CHECK_MEM32 0x400000, 0x1111, 32
    PASS

task_b:
    inc dword [B_COUNT]
    mov [B_EAX], eax
    mov ax, 0x0C                   ; LDT selector 1 of B's LDT
    mov fs, ax
    mov dword [fs:0], 0x5150
    mov eax, [0x20000]
    mov [B_LDT], eax
    str ax
    movzx eax, ax
    mov [B_TR], eax
    pushfd
    pop eax
    mov [B_EFL], eax
    movzx eax, word [TSS_B]
    mov [B_LINK], eax
    cmp dword [MODE], 3
    jne .mode1
    mov eax, [0x400000]            ; through B's own page directory
    mov [B_LDT], eax
    iretd
.mode1:
    cmp dword [MODE], 1
    jne .iret
    jmp SEL_TSS:0
.after_jmp:
    jmp task_b
.iret:
    iretd
    jmp task_b

task_d:
    pop eax                        ; the error code
    mov [D_ERR], eax
    mov [D_ESP], esp
    add dword [D_ESP], -4
    mov eax, [TSS_BASE + 0x20]     ; A's saved EIP
    mov [D_EIP], eax
    mov dword [TSS_BASE + 0x20], OFF(pm_main.resumed)
    iretd

[bits 16]
task_c:
    str ax
    movzx eax, ax
    mov [C_TR], eax
    iret

ROM_END
