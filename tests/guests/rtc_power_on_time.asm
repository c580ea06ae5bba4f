; rtc_power_on_time.asm — the RTC's time at power-on is the input gate's INPUT_CLOCK record:
; with -rtc base=DATE the guest reads exactly that date and time (BCD, 24-hour: the power-on
; register B). A machine reset (port 92h) delivers no new clock record and reads no host
; clock: the chip keeps the time the guest set before it, as an MC146818 does (its RESET
; pin leaves the time alone). Boot 1 checks the date, sets 23:45:00 on 1999-12-31 and
; resets; boot 2 finds that time (give or take the seconds the clock ran), not the base date.
; vmm86-args: -rtc base=2006-06-17T16:01:21
%include "rom.inc"
%include "report.inc"

%define MARKER 0x7F00

%macro CMOS_IS 3                   ; index, expected byte, failure code
    mov al, %1
    call cmos_read
    CHECK_EQ al, %2, %3
%endmacro

%macro CMOS_SET 2                  ; index, value
    mov al, %1
    out 0x70, al
    mov al, %2
    out 0x71, al
%endmacro

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    call wait_no_uip
    cmp dword [MARKER], 0x5EB007ED
    je second_boot
    ; Boot 1: the date -rtc base= fixed (2006-06-17 was a Saturday: day 7).
    CMOS_IS 0x0B, 0x02, 1          ; 24-hour, BCD
    CMOS_IS 0x09, 0x06, 2          ; year
    CMOS_IS 0x08, 0x06, 3          ; month
    CMOS_IS 0x07, 0x17, 4          ; day of the month
    CMOS_IS 0x06, 0x07, 5          ; day of the week
    CMOS_IS 0x04, 0x16, 6          ; hours
    CMOS_IS 0x02, 0x01, 7          ; minutes
    CMOS_IS 0x00, 0x21, 8          ; seconds: no virtual second has passed yet
    CMOS_IS 0x32, 0x20, 9          ; century
    ; The guest's own time: SET stops updates while the registers are written.
    CMOS_SET 0x0B, 0x82
    CMOS_SET 0x09, 0x99
    CMOS_SET 0x08, 0x12
    CMOS_SET 0x07, 0x31
    CMOS_SET 0x04, 0x23
    CMOS_SET 0x02, 0x45
    CMOS_SET 0x00, 0x00
    CMOS_SET 0x32, 0x19
    CMOS_SET 0x0B, 0x02
    mov dword [MARKER], 0x5EB007ED
    in al, 0x92
    or al, 0x01
    out 0x92, al
    jmp $

second_boot:
    mov dword [MARKER], 0
    CMOS_IS 0x32, 0x19, 20         ; the century the guest wrote
    CMOS_IS 0x09, 0x99, 21
    CMOS_IS 0x08, 0x12, 22
    CMOS_IS 0x07, 0x31, 23
    CMOS_IS 0x04, 0x23, 24
    CMOS_IS 0x02, 0x45, 25
    PASS

cmos_read:                         ; AL = index -> AL = byte
    out 0x70, al
    in al, 0x71
    ret

wait_no_uip:                       ; until register A's update-in-progress bit is clear
    mov al, 0x0A
    call cmos_read
    test al, 0x80
    jnz wait_no_uip
    ret

ROM_END
