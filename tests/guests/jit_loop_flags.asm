; jit_loop_flags.asm — the lazy flags carried around a loop inside one translated block. A
; block that jumps back to its own start may keep the flags of one iteration in host
; registers for the next; whatever reads them at the top of that next iteration must still
; see them, and so must a fault there and the code after the loop.
;   1  ADC at the loop head takes CF from the previous iteration's CMP; the back edge is the
;      block's main-path exit (JAE out / JMP top)
;   2  SETC at the head: a condition evaluated from the carried flags (LOOP back edge)
;   3  PUSHFD at the head: all six arithmetic flags of the previous iteration's ADD
;   4  #PF at the head: the handler sees the previous iteration's flags and registers
; Cases 1-3 run each loop twice: as a self-loop, and as the same body closed by an indirect
; JMP (the block leaves every iteration, flags written back the ordinary way); both must
; agree, on the results and on the flags after the loop, and with the values worked out
; here. Four rounds: from fresh translations, then from translations reused and chained.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define NP_PAGE 0x300000         ; not present

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
    call case_adc
    call case_setc
    call case_pushf
    call case_fault
    dec ebp
    jnz .round
    PASS

; ADC_LOOP self: eax = the CF before the loop (set) + one for each later iteration whose
; previous CMP left CF set (ECX 1..49 below 50): 50.
%macro ADC_LOOP 1
    xor eax, eax
    xor ecx, ecx
    mov ebx, OFF(%%top)
    stc
%%top:
    adc eax, 0
    inc ecx
    cmp ecx, 50
    jae %%out
%if %1
    jmp %%top
%else
    jmp ebx
%endif
%%out:
%endmacro

case_adc:
    ADC_LOOP 1
    pushfd
    pop esi
    mov edi, eax
    ADC_LOOP 0
    pushfd
    pop edx
    CHECK_EQ edi, 50, 10
    CHECK_EQ eax, 50, 11
    SAME_FLAGS esi, edx, 12
    ret

; SETC_LOOP self: the iteration with ECX = c reads the CF of the one before (c + 1), that is
; ((c + 1 - 1) & 3) < 2; the first reads the CLC. edi = #{c in 1..39 : (c & 3) < 2} = 19.
%macro SETC_LOOP 1
    mov ecx, 40
    xor edi, edi
    xor ebx, ebx
    mov edx, OFF(%%top)
    clc
%%top:
    setc bl
    add edi, ebx
    lea eax, [ecx - 1]
    and eax, 3
    cmp eax, 2
%if %1
    loop %%top
%else
    lea ecx, [ecx - 1]                     ; LOOP without its branch: the flags stay
    jecxz %%out
    jmp edx
%endif
%%out:
%endmacro

case_setc:
    SETC_LOOP 1
    pushfd
    pop esi
    push edi
    SETC_LOOP 0
    pushfd
    pop edx
    pop eax
    CHECK_EQ eax, 19, 20
    CHECK_EQ edi, 19, 21
    SAME_FLAGS esi, edx, 22
    ret

; PUSHF_LOOP self: edi = a digest of the flags each iteration finds, those of the previous
; iteration's ADD (ESI passes 0x7FFFFFFF: OF, SF and AF change on the way; the first
; iteration finds the XOR's ZF and PF).
%macro PUSHF_LOOP 1
    mov ecx, 12
    xor edi, edi
    mov esi, 0x7FFFFFFA
    mov ebx, OFF(%%top)
    xor eax, eax
%%top:
    pushfd
    pop eax
    and eax, 0x8D5
    rol edi, 5
    xor edi, eax
    add esi, 1
%if %1
    loop %%top
%else
    lea ecx, [ecx - 1]
    jecxz %%out
    jmp ebx
%endif
%%out:
%endmacro

case_pushf:
    PUSHF_LOOP 1
    pushfd
    pop edx
    push edx
    push edi
    PUSHF_LOOP 0
    pushfd
    pop edx
    pop eax
    CHECK_EQ eax, edi, 30
    CHECK_EQ esi, 0x80000006, 31
    pop eax
    SAME_FLAGS eax, edx, 32
    ret

; The fifth iteration's load faults; the flags are those of the fourth ADD
; (0x90000000 + 0x30000000), the registers those after four iterations.
case_fault:
    mov esi, NP_PAGE - 16
    mov ecx, 100
    xor edx, edx
    EXPECT_EXC 14, .after
.insn:
    mov eax, [esi]
    add esi, 4
    add edx, 0x30000000
    loop .insn
    FAIL 40
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 41
    CHECK_EQ esi, NP_PAGE, 42
    CHECK_EQ ecx, 96, 43
    CHECK_EQ edx, 0xC0000000, 44
    mov eax, 0x90000000
    add eax, 0x30000000
    pushfd
    pop eax
    mov ebx, [EXC_EFL]
    SAME_FLAGS eax, ebx, 45
    ret

ROM_END
