# memtest86+ from Debian's package (scripts/fetch-memtest downloads and caches it), booted by
# the Linux boot protocol on -M pc: boot/memtest/pass runs until memtest86+ reports one full
# pass, judged by its serial console (memtest/run-test). About 10.7 billion instructions,
# hence the JIT; VMM86_MEMTEST_ENGINE=interp takes an hour or more.
set(VMM86_MEMTEST_ENGINE jit CACHE STRING "Engine the memtest86+ boot test uses")
add_test(NAME boot/memtest/pass
  COMMAND ${BOOT_SRC}/memtest/run-test $<TARGET_FILE:vmm86> ${VMM86_MEMTEST_ENGINE})
set_tests_properties(boot/memtest/pass PROPERTIES LABELS boot TIMEOUT 1200)
