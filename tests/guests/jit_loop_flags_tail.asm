; jit_loop_flags_tail.asm — loops whose body sets the flags before reading them, where a
; JIT may stop carrying the flags from one iteration to the next: what can still see the
; previous iteration's flags (a fault before the body's first flag-setting instruction, an
; interrupt between iterations) must see exactly them, and on the loop's first pass the
; flags from before the loop.
;   1  CMP ESI, EDI closes the loop; a store at the head faults (#PF) in a later iteration:
;      the handler sees the flags of CMP ESI, EDI with the registers of the fault
;   2  the same loop faulting on its first pass: the flags of the ADD before the loop
;   3  SUB ECX, 1 / JNZ closes a loop whose head loads (#PF later): the flags of that SUB
;   4  a PIT interrupt (IRQ 0, ~10 us) lands inside a CMP-closed loop many times: at every
;      interrupted EIP before the CMP the flags must be those of the previous pass's CMP
;      (the handler redoes it from the interrupted ESI); the flags before the loop differ
; Four rounds: fresh translations, then reused and chained.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"
%include "pc.inc"

%define NP_PAGE  0x300000        ; not present
%define BUF      0x280000        ; case 4
%define TICKS    SCRATCH         ; case 4: interrupts inside the loop
%define BADFL    SCRATCH + 4     ;         ... with the wrong flags

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov dword [PT0_BASE + (NP_PAGE >> 12) * 4], 0
    mov eax, cr3
    mov cr3, eax

    mov ebp, 4                             ; rounds
.round:
    call case_cmp_later
    call case_cmp_first
    call case_sub_later
    call case_irq
    dec ebp
    jnz .round
    PASS

; STORE_LOOP: stores EBX at ESI, ESI += 4, until ESI reaches EDI. It is entered through an
; indirect jump, so that a JIT's block starts at its head and loops there from the first
; pass on.
%macro STORE_LOOP 0
    mov eax, OFF(%%top)
    jmp eax
%%top:
    mov [esi], ebx
    add esi, 4
    cmp esi, edi
    jb %%top
%endmacro

case_cmp_later:
    mov esi, NP_PAGE - 64                  ; faults on the 17th pass
    mov edi, NP_PAGE + 64
    mov ebx, 0x5A5A5A5A
    EXPECT_EXC 14, .after
    STORE_LOOP
    FAIL 10
.after:
    CHECK_EQ esi, NP_PAGE, 11
    CHECK_MEM32 NP_PAGE - 4, 0x5A5A5A5A, 12
    cmp esi, edi                           ; the previous pass's CMP, same registers
    pushfd
    pop eax
    mov edx, [EXC_EFL]
    SAME_FLAGS eax, edx, 13
    ret

case_cmp_first:
    mov esi, NP_PAGE + 8                   ; faults at once
    mov edi, NP_PAGE + 64
    mov edx, 5
    add edx, 7                             ; CF = 0, PF = 1: not what CMP ESI, EDI gives
    EXPECT_EXC 14, .after
    STORE_LOOP
    FAIL 20
.after:
    CHECK_EQ esi, NP_PAGE + 8, 21
    mov eax, 5
    add eax, 7
    pushfd
    pop eax
    mov edx, [EXC_EFL]
    SAME_FLAGS eax, edx, 22
    ret

case_sub_later:
    mov esi, NP_PAGE - 40                  ; the 11th load faults
    mov ecx, 100
    xor edx, edx
    EXPECT_EXC 14, .after
    mov eax, OFF(.top)
    jmp eax
.top:
    add edx, [esi]
    add esi, 4
    sub ecx, 1
    jnz .top
    FAIL 30
.after:
    CHECK_EQ ecx, 90, 31
    CHECK_EQ esi, NP_PAGE, 32
    lea eax, [ecx + 1]                     ; the previous pass's SUB
    sub eax, 1
    pushfd
    pop eax
    mov edx, [EXC_EFL]
    SAME_FLAGS eax, edx, 33
    ret

case_irq:
    mov dword [TICKS], 0
    mov dword [BADFL], 0
    SETGATE 0x20, SEL_CODE32, irq0, GATE_INT32
    PIC_INIT 0x20, 0x28, 0xFE, 0xFF
    PIT0_RATE 12                           ; ~10 us: about thirty ticks over the loop
    mov esi, BUF
    mov edi, BUF + 0x40000
    mov ebx, 0x11
    mov eax, OFF(.top)
    xor edx, edx                           ; ZF = 1, CF = 0: unlike any CMP of the loop
    sti
    jmp eax
.top:
    mov [esi], ebx
    lea ebx, [ebx + 3]
.lea:
    lea esi, [esi + 4]
.cmp:
    cmp esi, edi
    jb .top
    cli
    mov al, 0xFF                           ; mask the PIC again
    out 0x21, al
    CHECK_EQ dword [BADFL], 0, 40
    cmp dword [TICKS], 10
    jae .ticked
    FAIL 41
.ticked:
    ret

irq0:
    push eax
    push edx
    mov edx, esi                           ; the ESI of the previous pass's CMP
    mov eax, [esp + 8]                     ; interrupted EIP
    cmp eax, OFF(case_irq.top)
    jb .done
    cmp eax, OFF(case_irq.cmp)
    ja .done
    jb .esi
    sub edx, 4                             ; at .cmp the LEA has moved ESI on
.esi:
    cmp edx, BUF
    je .done                               ; the first pass: no CMP yet
    inc dword [TICKS]
    cmp edx, edi
    pushfd
    pop eax
    xor eax, [esp + 16]                    ; interrupted EFLAGS
    test eax, 0x8D5                        ; OF SF ZF AF PF CF
    jz .done
    inc dword [BADFL]
.done:
    mov al, 0x20                           ; EOI
    out 0x20, al
    pop edx
    pop eax
    iretd

ROM_END
