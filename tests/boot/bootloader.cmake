# A PC that boots a real boot loader from its hard disk (bootloader/run-test): SeaBIOS runs
# Debian's GRUB 2 from the MBR of an image scripts/mkdisk-grub builds without root (boot.img,
# core.img, an ext2 partition), and GRUB loads Debian's i386 kernel and the busybox initramfs
# (scripts/fetch-linux) from the disk.
#   boot/bootloader/image       the image builder alone (reproducible, e2fsck-clean, the MBR
#                               differs from boot.img only where grub-install patches it)
#   boot/bootloader/isapc       -M isapc: Linux runs a command and ends by reboot (-no-reboot)
#   boot/bootloader/pc          -M pc: the same, ending by ACPI power-off (SeaBIOS's tables)
#   boot/bootloader/bad-kernel  a kernel without its boot flag: GRUB's error on COM1, and the
#                               run ends at --max-insns
# Each Linux boot is some 7 billion instructions: about 20-40 s on the JIT.
foreach(case image isapc pc bad-kernel)
  add_test(NAME boot/bootloader/${case}
    COMMAND ${BOOT_SRC}/bootloader/run-test ${case} $<TARGET_FILE:vmm86> ${BOOT_BIN}/bootloader)
  set_tests_properties(boot/bootloader/${case} PROPERTIES LABELS boot TIMEOUT 1200
    FIXTURES_REQUIRED linux_images)
endforeach()
