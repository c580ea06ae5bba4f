; rtc_host_clock.asm — with no -rtc option the RTC starts at the host's clock (UTC), which
; the input gate reads at power-on and delivers as its INPUT_CLOCK record. The guest cannot
; know the host's date, so it checks only what any run on a host set after this test was
; written gives: the 21st century, a year from 2024 on, and valid BCD fields; a clock that
; never reached the chip reads 1970 (century 19, year 70).
%include "rom.inc"
%include "report.inc"

%macro BCD_BELOW 3                 ; index, limit (BCD, exclusive), failure code
    mov al, %1
    call cmos_read
    call check_bcd
    cmp al, %2
    jb %%ok
    FAIL %3
%%ok:
%endmacro

rom_entry:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
.uip:
    mov al, 0x0A
    call cmos_read
    test al, 0x80
    jnz .uip
    mov al, 0x32
    call cmos_read
    CHECK_EQ al, 0x20, 1           ; century
    mov al, 0x09
    call cmos_read
    call check_bcd
    cmp al, 0x24
    jae .year_ok
    FAIL 2
.year_ok:
    BCD_BELOW 0x08, 0x13, 3        ; month 1..12
    BCD_BELOW 0x07, 0x32, 4        ; day 1..31
    BCD_BELOW 0x04, 0x24, 5        ; hours
    BCD_BELOW 0x02, 0x60, 6        ; minutes
    BCD_BELOW 0x00, 0x60, 7        ; seconds
    PASS

cmos_read:                         ; AL = index -> AL = byte
    out 0x70, al
    in al, 0x71
    ret

check_bcd:                         ; both nibbles of AL must be 0..9
    mov ah, al
    and ah, 0x0F
    cmp ah, 10
    jae .bad
    mov ah, al
    shr ah, 4
    cmp ah, 10
    jae .bad
    ret
.bad:
    FAIL 10

ROM_END
