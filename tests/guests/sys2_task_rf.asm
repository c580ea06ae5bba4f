; sys2_task_rf.asm — the RF flag saved in the outgoing TSS when an event switches tasks
; through a task gate follows the rule for the EFLAGS image an event pushes (SDM vol. 3,
; 17.3.1.1): 1 for a fault-class exception (#DE here), else the current RF (0 for INT n and
; for INT3, a trap). The IRET back loads that RF, so an instruction breakpoint the handler
; task placed on the faulting instruction does not fire when it restarts.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define TSS_H      0x2200
%define SEL_H      (SEL_FREE + 0x00)
%define MODE       (SCRATCH + 0)   ; 1: #DE (fix ECX, arm DR0 on the restart), 0: just record
%define SAVED_EFL  (SCRATCH + 4)   ; the outgoing task's EFLAGS as its TSS holds it
%define SAVED_EIP  (SCRATCH + 8)
%define H_COUNT    (SCRATCH + 12)
%define FL_RF      0x10000

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    mov edi, TSS_H
    xor eax, eax
    mov ecx, 0x68 / 4
    rep stosd
    mov dword [TSS_H + 0x20], OFF(task_h)
    mov dword [TSS_H + 0x24], 2
    mov dword [TSS_H + 0x38], 0x6800          ; ESP
    mov dword [TSS_H + 0x48], SEL_DATA32      ; ES
    mov dword [TSS_H + 0x4C], SEL_CODE32      ; CS
    mov dword [TSS_H + 0x50], SEL_DATA32      ; SS
    mov dword [TSS_H + 0x54], SEL_DATA32      ; DS
    mov dword [TSS_H + 0x58], SEL_DATA32      ; FS
    mov dword [TSS_H + 0x5C], SEL_DATA32      ; GS
    mov word [TSS_H + 0x66], 0x68
    SETDESC SEL_H, TSS_H, 0x67, ACC_TSS32, FLG_16
    SETTASKGATE_AT IDT_BASE + 0 * 8, SEL_H    ; #DE
    SETTASKGATE_AT IDT_BASE + 3 * 8, SEL_H    ; #BP
    SETTASKGATE_AT IDT_BASE + 0x40 * 8, SEL_H ; INT 40h
    mov dword [H_COUNT], 0

    ; --- 1. a fault: RF = 1 in the saved image, and it suppresses the breakpoint ---
    mov dword [MODE], 1
    mov eax, 100
    xor edx, edx
    xor ecx, ecx
.div:
    div ecx                        ; #DE; the handler task sets the saved ECX to 1
    cmp eax, 100
    je .c1
    FAIL 1
.c1:
    CHECK_MEM32 H_COUNT, 1, 2
    CHECK_MEM32 SAVED_EIP, OFF(.div), 3
    test dword [SAVED_EFL], FL_RF
    jnz .c2
    FAIL 4
.c2:
    xor eax, eax
    mov dr7, eax                   ; (an unexpected #DB would have failed with 97)

    ; --- 2. INT n: RF as it is (0) ---
    mov dword [MODE], 0
    int 0x40
.after_int:
    CHECK_MEM32 H_COUNT, 2, 5
    CHECK_MEM32 SAVED_EIP, OFF(.after_int), 6
    test dword [SAVED_EFL], FL_RF
    jz .c3
    FAIL 7
.c3:
    ; --- 3. INT3, a trap-class exception: RF as it is (0) ---
    int3
.after_int3:
    CHECK_MEM32 H_COUNT, 3, 8
    CHECK_MEM32 SAVED_EIP, OFF(.after_int3), 9
    test dword [SAVED_EFL], FL_RF
    jz .c4
    FAIL 10
.c4:
    PASS

; The handler task: records the outgoing task's saved EFLAGS and EIP, fixes the #DE, and
; IRETs back (NT is set: a task return); entered again, it starts after its IRET.
task_h:
    inc dword [H_COUNT]
    cmp word [TSS_H], SEL_TSS      ; back link
    je .link
    FAIL 20
.link:
    mov eax, [TSS_BASE + 0x24]
    mov [SAVED_EFL], eax
    mov eax, [TSS_BASE + 0x20]
    mov [SAVED_EIP], eax
    cmp dword [MODE], 1
    jne .back
    mov dword [TSS_BASE + 0x2C], 1 ; the faulting task's ECX: the DIV succeeds next time
    add eax, 0xF0000               ; linear address of the DIV (CS base F0000)
    mov dr0, eax
    mov eax, 0x2                   ; G0, execution breakpoint, 1 byte
    mov dr7, eax
.back:
    iretd
    jmp task_h

[bits 16]
ROM_END
