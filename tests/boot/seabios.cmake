# SeaBIOS boot tests (seabios/run-test): our own MBR and El Torito boot code, and GRUB 2
# from Debian's packages, booted through Debian's SeaBIOS on -M pc and -M isapc.
foreach(case disk disk-snapshot disk-isapc disk-lockstep cdrom grub bad-image)
  add_test(NAME boot/seabios/${case}
    COMMAND ${BOOT_SRC}/seabios/run-test ${case} $<TARGET_FILE:vmm86> ${BOOT_BIN}/seabios)
  set_tests_properties(boot/seabios/${case} PROPERTIES LABELS boot TIMEOUT 600)
endforeach()
