# The two commands (see README.md): `make demo` and `make check`.
# Plain `make` builds the release preset into build/, with the emulator at build/vmm86.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build demo check check-asan bench clean

all: build

deps:
	@scripts/install-deps check

build:
	@test -f build/CMakeCache.txt || cmake --preset release >/dev/null
	@cmake --build build -j $(JOBS)

demo: deps build
	@scripts/demo

check: deps build
	@scripts/run-tests build

# The unit and guest tests again under AddressSanitizer and UBSan (CI runs this after check).
check-asan: deps
	@test -f build-asan/CMakeCache.txt || cmake --preset asan-ubsan >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@scripts/run-tests build-asan -L 'unit|guest'

bench: build
	@scripts/install-deps bench
	@benchmarks/run-all

clean:
	rm -rf build build-debug build-asan
