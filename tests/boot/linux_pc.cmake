# A stock Linux boot on -M pc (linux_pc/run-test): Debian's i386 kernel and the busybox
# initramfs of scripts/fetch-linux with only console=ttyS0 on the command line (no noapic,
# pci=off or acpi=off), ending by ACPI power-off; the kernel log must show the ACPI tables,
# the PCI functions and the interrupt routing. About 6.7 billion instructions: some 20-40 s
# on the JIT. Shares boot/linux/fetch's images.
set(VMM86_LINUX_PC_ENGINE jit CACHE STRING "Engine the stock -M pc Linux boot test uses")
add_test(NAME boot/linux/pc-stock
  COMMAND ${BOOT_SRC}/linux_pc/run-test $<TARGET_FILE:vmm86> ${VMM86_LINUX_PC_ENGINE})
set_tests_properties(boot/linux/pc-stock PROPERTIES LABELS boot TIMEOUT 1800
  FIXTURES_REQUIRED linux_images)
