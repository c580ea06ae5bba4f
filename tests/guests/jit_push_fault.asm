; jit_push_fault.asm — precise #PF on the stack write of PUSHFD, PUSHF, PUSH r32, CALL and a
; PUSH whose four bytes straddle into a not-present page. The pushes run at ring 3 with the
; ring-3 stack pointed at the page; the fault switches to the ring-0 stack from the TSS, so
; the handler's frame holds the faulting context untouched: EIP of the push, the ring-3 ESP
; before it, the arithmetic flags of the last flag-writing instruction (lazy under a JIT),
; and nothing written. Four rounds: fresh translations, then reused (and chained) ones.
;   1  PUSHFD after SUB: flags CF SF AF; error code U|W; CR2 the page
;   2  O16 PUSHF after STC; INC (CF kept from STC): CR2 the page (a 2-byte push)
;   3  PUSH EBX after ADD EBX: EBX updated, ESP not
;   4  CALL: ESP unchanged, no jump taken
;   5  PUSH EAX with ESP 2 bytes into the page: the two bytes below the page (present) keep
;      their contents
; (A stray success at ring 3 executes UD2: the test fails with code 96 + 6.)
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define NP_PAGE   0x300000       ; not present; the page below it is present
%define EFL_MASK  0x8D5          ; OF SF ZF AF PF CF
%define ERR_UW    6              ; #PF error code: not present, write, user

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov dword [PT0_BASE + (NP_PAGE >> 12) * 4], 0
    mov eax, cr3
    mov cr3, eax
    mov dword [TSS_BASE + 4], STACK0_TOP - 0x400 ; ring 0 from ring 3: below the calls' frames
    mov ebp, 4                             ; rounds
.round:
    call case1
    call case2
    call case3
    call case4
    call case5
    dec ebp
    jnz .round
    PASS

; FAULT_AT insn-label, esp, code: the #PF came from `insn` at ring 3 with ESP `esp` and
; error code U|W; fails with code, code + 1, code + 2, code + 3 otherwise.
%macro FAULT_AT 3
    CHECK_MEM32 EXC_EIP, OFF(%1), %3
    CHECK_MEM32 EXC_ESP, %2, %3 + 1
    CHECK_MEM32 EXC_ERR, ERR_UW, %3 + 2
    CHECK_MEM32 EXC_CS, SEL_CODE3, %3 + 3
%endmacro

; FLAGS_ARE value, code: the faulting context's arithmetic flags.
%macro FLAGS_ARE 2
    mov eax, [EXC_EFL]
    and eax, EFL_MASK
    cmp eax, %1
    je %%ok
    FAIL %2
%%ok:
%endmacro

; CR2_IS value, code
%macro CR2_IS 2
    mov eax, cr2
    cmp eax, %1
    je %%ok
    FAIL %2
%%ok:
%endmacro

case1:
    EXPECT_EXC 14, .after
    TO_RING3 .r3
.r3:
    mov esp, NP_PAGE + 4
    mov eax, 3
    sub eax, 5                             ; CF SF AF (0xFFFFFFFE: PF clear)
.insn:
    pushfd
    ud2
.after:
    FAULT_AT .insn, NP_PAGE + 4, 10
    FLAGS_ARE 0x91, 14
    CR2_IS NP_PAGE, 15
    ret

case2:
    EXPECT_EXC 14, .after
    TO_RING3 .r3
.r3:
    mov esp, NP_PAGE + 2
    stc
    mov eax, 0x7FFFFFFF
    inc eax                                ; OF SF AF PF, CF kept
.insn:
    o16 pushf
    ud2
.after:
    FAULT_AT .insn, NP_PAGE + 2, 20
    FLAGS_ARE 0x895, 24
    CR2_IS NP_PAGE, 25
    ret

case3:
    EXPECT_EXC 14, .after
    TO_RING3 .r3
.r3:
    mov esp, NP_PAGE + 4
    mov ebx, 0x1234
    add ebx, 1
.insn:
    push ebx
    mov ebx, 0
    ud2
.after:
    FAULT_AT .insn, NP_PAGE + 4, 30
    cmp ebx, 0x1235
    je .ok
    FAIL 34
.ok:
    ret

case4:
    EXPECT_EXC 14, .after
    TO_RING3 .r3
.r3:
    mov esp, NP_PAGE + 4
    mov ecx, 0
.insn:
    call .target
    ud2
.target:
    mov ecx, 1
    ud2
.after:
    FAULT_AT .insn, NP_PAGE + 4, 40
    cmp ecx, 0
    je .ok
    FAIL 44
.ok:
    ret

case5:
    mov dword [NP_PAGE - 4], 0x55667788
    EXPECT_EXC 14, .after
    TO_RING3 .r3
.r3:
    mov esp, NP_PAGE + 2
    mov eax, 0x11223344
.insn:
    push eax                               ; NP_PAGE - 2 .. NP_PAGE + 1
    ud2
.after:
    FAULT_AT .insn, NP_PAGE + 2, 50
    CHECK_MEM32 NP_PAGE - 4, 0x55667788, 54
    ret

[bits 16]
ROM_END
