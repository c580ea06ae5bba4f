# ACPI on -M pc: SeaBIOS installs our tables (fw_cfg linker/loader) and a guest of ours
# checks them and powers off through the FADT (acpi/run-test).
add_test(NAME boot/seabios/acpi-poweroff
  COMMAND ${BOOT_SRC}/acpi/run-test $<TARGET_FILE:vmm86> ${BOOT_BIN}/acpi)
set_tests_properties(boot/seabios/acpi-poweroff PROPERTIES LABELS boot TIMEOUT 600)
