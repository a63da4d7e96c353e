# Hallmark: one build for every room. `make help` lists the targets.
.DEFAULT_GOAL := all
SHELL := /bin/bash
.DELETE_ON_ERROR:
.SECONDARY:

VERIFIER_ES256 ?= 1
ifeq ($(VERIFIER_ES256),0)
BUILD ?= build/min
else
BUILD ?= build
endif
PREFIX ?= /usr/local
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CLANG ?= clang
FUZZ_SECONDS ?= 10
T ?=
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

OPT ?= -O2 -g
HARDEN ?= -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SAN ?=
WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Werror
# Recursive (=) on purpose: pkg-config runs when a recipe needs it, after `make deps`.
VERIFY_PKGS := libsodium jansson $(if $(filter 0,$(VERIFIER_ES256)),,libcrypto)
# p11-kit-1: only its pkcs11.h (core/sign/hm_pkcs11.c loads the vendor's module with dlopen).
ALL_PKGS := libsodium jansson libcrypto libssl libpng icu-uc libevent libevent_openssl \
            libevent_pthreads sqlite3 libpq libcurl libpsl p11-kit-1
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(ALL_PKGS) 2>/dev/null)
VERIFY_LIBS = $(shell $(PKG_CONFIG) --libs $(VERIFY_PKGS)) -pthread
CRYPTO_LIBS = $(shell $(PKG_CONFIG) --libs libsodium jansson libcrypto) -pthread
# hallmark-keys also decodes and draws PNG logos (libpng), checks display names (ICU; the
# confusable skeleton, uspoof, is in icu-i18n) and draws the message card of brand preview (pango
# lays out text in any script, cairo paints it): keys/vetting/. The signer links no vetting code,
# libhallmark none of these; only the vetting room sees pango's headers.
KEYS_LIBS = $(shell $(PKG_CONFIG) --libs libsodium jansson libcrypto libpng icu-i18n icu-uc \
            pangocairo libpsl) -lm -pthread
VETTING_CFLAGS = $(shell $(PKG_CONFIG) --cflags pangocairo 2>/dev/null)
# hallmark-signer serves HTTP(S) with libevent and OpenSSL, and keeps tokens in SQLite or
# PostgreSQL (signer/store/).
STORE_LIBS = $(shell $(PKG_CONFIG) --libs sqlite3 libpq)
SIGNER_LIBS = $(shell $(PKG_CONFIG) --libs libsodium jansson libcrypto libssl libevent \
              libevent_openssl libevent_pthreads libpsl) $(STORE_LIBS) -pthread
# hallmark-verify --fetch gets tokens from a token directory with libcurl; only the command-line
# tool: the library does no I/O.
CURL_LIBS = $(shell $(PKG_CONFIG) --libs libcurl)
# The tests, test tools, benchmarks and fuzz targets link every room.
TOOL_LIBS = $(KEYS_LIBS) $(STORE_LIBS)

# ---- rooms: each folder is one archive, and each sees only the include folders it may use -------
# core/          what every room shares (base64url, digests, JSON, keys, ES256, secure memory)
# core/sign/     signing: hallmark-keys and the signer only, never in libhallmark
# core/host/     file I/O, error text and the Public Suffix List (libpsl, the distribution's
#                file read at run time) for the programs on a platform's hosts; no app reads files
# verifier/src/  the verifier; verifier/include/hallmark.h is its public header
# keys/vetting/  brand vetting: logos, display names, confusables, colours
# keys/src/      the keystore, its audit log, key files, passphrases and what gets published
# signer/src/    the signing set and the signature log; signer/cli/ and keys/cli/ are the programs
# signer/store/  the platform's store (token directory): one interface, SQLite and PostgreSQL
# A wall is an include path: a verifier file that includes a keystore or signing header does not
# compile. tools/check-walls.sh also reads each object's dependency file, so a path around the
# include list ("sign/hm_signkey.h", "../../keys/src/...") fails the build too.
INC_CORE := -Iverifier/include -Icore
INC_VERIFIER := $(INC_CORE) -Iverifier/src
INC_SIGN := $(INC_CORE) -Icore/sign
INC_HOST := -Iverifier/include -Icore/host
INC_VERIFY_CLI := $(INC_VERIFIER) -Icore/host -Iverifier/cli
INC_VETTING := $(INC_VERIFIER) -Icore/host -Ikeys/vetting
INC_KEYS := $(INC_VERIFIER) -Icore/sign -Icore/host -Ikeys/src
INC_KEYS_CLI := $(INC_KEYS) -Ikeys/vetting -Ikeys/cli
INC_STORE := -Iverifier/include -Icore/host -Isigner/store
INC_SIGNER := $(INC_KEYS) -Isigner/src
INC_SIGNER_CLI := $(INC_SIGNER) -Isigner/store -Isigner/cli
# Tests, benchmarks and test tools see every room.
INCLUDES := $(INC_KEYS_CLI) -Isigner/src -Isigner/store -Isigner/cli

$(BUILD)/obj/core/%.o: ROOM_INC = $(INC_CORE)
$(BUILD)/obj/core/sign/%.o: ROOM_INC = $(INC_SIGN)
$(BUILD)/obj/core/host/%.o: ROOM_INC = $(INC_HOST)
$(BUILD)/obj/verifier/%.o: ROOM_INC = $(INC_VERIFIER)
$(BUILD)/obj/verifier/cli/%.o: ROOM_INC = $(INC_VERIFY_CLI)
$(BUILD)/obj/keys/vetting/%.o: ROOM_INC = $(INC_VETTING)
$(BUILD)/obj/keys/vetting/%.o: ROOM_CFLAGS = $(VETTING_CFLAGS)
$(BUILD)/obj/keys/src/%.o: ROOM_INC = $(INC_KEYS)
$(BUILD)/obj/keys/cli/%.o: ROOM_INC = $(INC_KEYS_CLI)
$(BUILD)/obj/signer/src/%.o: ROOM_INC = $(INC_SIGNER)
$(BUILD)/obj/signer/store/%.o: ROOM_INC = $(INC_STORE)
$(BUILD)/obj/signer/cli/%.o: ROOM_INC = $(INC_SIGNER_CLI)
ROOM_INC ?= $(INCLUDES)

CFLAGS_ALL = $(ROOM_INC) $(WARN) $(OPT) $(HARDEN) -fPIC -fvisibility=hidden \
             -D_POSIX_C_SOURCE=200809L -DHALLMARK_WITH_ES256=$(VERIFIER_ES256) -MMD -MP \
             $(PKG_CFLAGS) $(ROOM_CFLAGS) $(SAN) $(CFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

# ---- sources, by room: the folder decides the archive ----------------------------------------
src = $(sort $(wildcard $(1)/*.c))
CORE_SRC := $(filter-out $(if $(filter 0,$(VERIFIER_ES256)),core/hm_es256.c core/hm_evp_pool.c),$(call src,core))
VERIFY_SRC := $(call src,verifier/src)
SIGN_CORE_SRC := $(call src,core/sign)
HOST_SRC := $(call src,core/host)
VETTING_SRC := $(call src,keys/vetting)
KEYS_SRC := $(call src,keys/src)
KEYS_CLI_SRC := $(call src,keys/cli)
SIGNER_SRC := $(call src,signer/src)
STORE_SRC := $(call src,signer/store)
SIGNER_CLI_SRC := $(call src,signer/cli)
UNIT_SRC := $(call src,tests/unit)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ := $(call obj,$(CORE_SRC) $(VERIFY_SRC))
SIGN_OBJ := $(call obj,$(SIGN_CORE_SRC))
UNIT_OBJ := $(call obj,$(UNIT_SRC))

LIB_A := $(BUILD)/lib/libhallmark.a
LIB_SO := $(BUILD)/lib/libhallmark.so.0
SIGN_A := $(BUILD)/lib/libhmsign.a
HOST_A := $(BUILD)/lib/libhmhost.a
VETTING_A := $(BUILD)/lib/libhmvetting.a
KEYS_A := $(BUILD)/lib/libhmkeys.a
SIGNER_A := $(BUILD)/lib/libhmsigner.a
STORE_A := $(BUILD)/lib/libhmstore.a
# Everything the tests and test tools may link, in link order.
HOST_ARCHIVES := $(SIGNER_A) $(STORE_A) $(KEYS_A) $(VETTING_A) $(HOST_A) $(SIGN_A) $(LIB_A)
RUNNER := $(BUILD)/tests/runner

REPLAY := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/tests/replay-%,$(FUZZ_SRC))

VERIFY_CLI := $(BUILD)/bin/hallmark-verify
KEYS_CLI := $(BUILD)/bin/hallmark-keys
SIGNER_CLI := $(BUILD)/bin/hallmark-signer
TEST_SIGN := $(BUILD)/tests/hm-test-sign
TEST_PKCS11 := $(BUILD)/tests/hm-test-pkcs11
VERIFY_BATCH := $(BUILD)/tests/hm-verify-batch
DEMO_LOGO := $(BUILD)/tests/hm-demo-logo

ifeq ($(VERIFIER_ES256),0)
ALL_TARGETS := $(LIB_A) $(LIB_SO) $(VERIFY_CLI)
else
ALL_TARGETS := $(LIB_A) $(LIB_SO) $(SIGN_A) $(RUNNER) $(REPLAY) $(VERIFY_CLI) $(KEYS_CLI) \
               $(SIGNER_CLI) $(TEST_SIGN) $(TEST_PKCS11) $(VERIFY_BATCH) $(DEMO_LOGO) \
               $(BUILD)/tests/gen-vectors
endif

# ---- Java binding (JNI) --------------------------------------------------------------------------
JAVAC ?= javac
JAVA ?= java
JAR_TOOL ?= jar
JAVA_HOME ?= $(shell d=$$(readlink -f "$$(command -v $(JAVAC))" 2>/dev/null) && dirname "$$(dirname "$$d")")
JNI_CFLAGS = -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux
JNI_LIB := $(BUILD)/lib/libhallmark_jni.so
JAVA_SRC := $(sort $(wildcard verifier/bindings/java/src/dev/hallmark/*.java))
JAVA_TEST_SRC := $(sort $(wildcard verifier/bindings/java/test/dev/hallmark/*.java))
JAR := $(BUILD)/java/hallmark.jar

.PHONY: all help deps deps-check deps-fuzz test test-run check check-exports format-check tidy \
        cppcheck asan valgrind fuzz fuzz-bins bench callgrind install uninstall clean demo vectors java \
        room-includes wasm man
comma := ,

all: $(ALL_TARGETS)

help:
	@echo "make demo        run Hallmark on a built-in example"
	@echo "make test        build and run every test (T=NAME runs the unit tests matching NAME)"
	@echo "make check       tests, the export check, clang-format, clang-tidy and cppcheck"
	@echo "make asan        the whole suite under AddressSanitizer + UBSan (build/asan)"
	@echo "make valgrind    the unit suite under valgrind memcheck; any error fails"
	@echo "make fuzz        libFuzzer targets with clang, FUZZ_SECONDS=N each (default $(FUZZ_SECONDS))"
	@echo "make bench       benchmarks against raw libsodium and OpenSSL"
	@echo "make callgrind   instructions per signature and per verification (valgrind)"
	@echo "make install     the CLIs, libhallmark, hallmark.h, hallmark.pc, man pages, the API, bash"
	@echo "                 completion, deploy/ units, and the jar and JNI library after make java"
	@echo "                 (PREFIX, DESTDIR; PC_RPATH=no: no rpath in hallmark.pc)"
	@echo "make man         man pages from each tool's --help (help2man), in BUILD/man"
	@echo "make VERIFIER_ES256=0   verifier without OpenSSL (libsodium + jansson only), in build/min"
	@echo "make deps        install missing Debian packages (needs root; else prints the command)"
	@echo "make wasm        the verifier for WebAssembly and its npm package, in build/wasm"

deps:
	@tools/deps.sh build test
deps-check:
	@tools/deps.sh check
deps-fuzz:
	@tools/deps.sh fuzz

# ---- compile and link -------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

# An archive of one room, after checking that its objects include only what the room may see.
define room_archive # archive, objects, include flags
$(1): $(2)
	@mkdir -p $$(@D)
	$$(Q)tools/check-walls.sh "$(3)" $$(patsubst %.o,%.d,$(2))
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $(2)
endef
$(eval $(call room_archive,$(LIB_A),$(LIB_OBJ),$(INC_VERIFIER)))
$(eval $(call room_archive,$(SIGN_A),$(SIGN_OBJ),$(INC_SIGN)))
$(eval $(call room_archive,$(HOST_A),$(call obj,$(HOST_SRC)),$(INC_HOST)))
$(eval $(call room_archive,$(VETTING_A),$(call obj,$(VETTING_SRC)),$(INC_VETTING)))
$(eval $(call room_archive,$(KEYS_A),$(call obj,$(KEYS_SRC)),$(INC_KEYS)))
$(eval $(call room_archive,$(SIGNER_A),$(call obj,$(SIGNER_SRC)),$(INC_SIGNER)))
$(eval $(call room_archive,$(STORE_A),$(call obj,$(STORE_SRC)),$(INC_STORE)))

$(LIB_SO): $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(CC) -shared -Wl,-soname,libhallmark.so.0 -Wl,-z,relro,-z,now -o $@ $(LIB_OBJ) \
	    $(LDFLAGS_ALL) $(VERIFY_LIBS)
	$(Q)ln -sf libhallmark.so.0 $(BUILD)/lib/libhallmark.so

$(RUNNER): $(UNIT_OBJ) $(HOST_ARCHIVES)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $^ $(LDFLAGS_ALL) $(TOOL_LIBS)

# The programs: each links only the rooms it needs (the signer no vetting, the verifier no signing).
$(VERIFY_CLI): $(call obj,verifier/cli/hallmark_verify.c verifier/cli/verify_fetch.c \
                          verifier/cli/verify_logos.c \
                          verifier/cli/verify_json.c) $(HOST_A) $(LIB_A)
$(KEYS_CLI): $(call obj,$(KEYS_CLI_SRC)) $(KEYS_A) $(VETTING_A) $(HOST_A) $(SIGN_A) $(LIB_A)
$(SIGNER_CLI): $(call obj,$(SIGNER_CLI_SRC)) $(SIGNER_A) $(STORE_A) $(KEYS_A) $(HOST_A) $(SIGN_A) \
               $(LIB_A)
$(VERIFY_CLI): INC_PROGRAM = $(INC_VERIFY_CLI)
$(KEYS_CLI): INC_PROGRAM = $(INC_KEYS_CLI)
$(SIGNER_CLI): INC_PROGRAM = $(INC_SIGNER_CLI)
$(VERIFY_CLI): LIBS_PROGRAM = $(VERIFY_LIBS) $(CURL_LIBS)
$(KEYS_CLI): LIBS_PROGRAM = $(KEYS_LIBS)
$(SIGNER_CLI): LIBS_PROGRAM = $(SIGNER_LIBS)
$(VERIFY_CLI) $(KEYS_CLI) $(SIGNER_CLI):
	@mkdir -p $(@D)
	$(Q)tools/check-walls.sh "$(INC_PROGRAM)" $(patsubst %.o,%.d,$(filter %.o,$^))
	$(Q)$(CC) -o $@ $^ $(LDFLAGS_ALL) $(LIBS_PROGRAM)

# Test tools: a demo logo, batch verification, and signing test messages with a keystore's key.
$(DEMO_LOGO): $(call obj,tests/tools/hm_demo_logo.c)
$(VERIFY_BATCH): $(call obj,tests/tools/hm_verify_batch.c)
$(TEST_SIGN): $(call obj,tests/tools/hm_test_sign.c)
$(TEST_PKCS11): $(call obj,tests/tools/hm_test_pkcs11.c)
$(DEMO_LOGO) $(VERIFY_BATCH) $(TEST_SIGN) $(TEST_PKCS11): $(HOST_ARCHIVES)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDFLAGS_ALL) $(TOOL_LIBS)

$(BUILD)/tests/replay-%: $(call obj,tests/fuzz/fuzz_%.c tests/fuzz/replay.c) $(HOST_ARCHIVES)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $^ $(LDFLAGS_ALL) $(TOOL_LIBS)

GEN_VECTORS := $(BUILD)/tests/gen-vectors
$(GEN_VECTORS): $(call obj,tests/vectors/gen_vectors.c tests/unit/fixture.c) $(SIGN_A) $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $^ $(LDFLAGS_ALL) $(CRYPTO_LIBS)

# Rebuilds spec/vectors/ from the generator (ES256 tokens are kept, see spec §12.4).
vectors: $(GEN_VECTORS)
	@rm -rf $(BUILD)/vectors.new && mkdir -p $(BUILD)/vectors.new
	@$(GEN_VECTORS) $(BUILD)/vectors.new spec/vectors
	@rm -f spec/vectors/*.json spec/vectors/lookup/*.json && mkdir -p spec/vectors/lookup
	@cp $(BUILD)/vectors.new/*.json spec/vectors/ && cp $(BUILD)/vectors.new/lookup/*.json spec/vectors/lookup/

# The include flags of one room, for tests/cli/walls.sh: make -s room-includes ROOM=VERIFIER
room-includes:
	@echo $(INC_$(ROOM))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# The JNI shim links the verifier's objects into one shared library an app loads.
$(BUILD)/obj/verifier/bindings/java/jni/hallmark_jni.o: CFLAGS += $(JNI_CFLAGS)
$(JNI_LIB): $(call obj,verifier/bindings/java/jni/hallmark_jni.c) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)$(CC) -shared -Wl,-soname,libhallmark_jni.so -Wl,-z,relro,-z,now -o $@ $^ $(LDFLAGS_ALL) \
	    $(VERIFY_LIBS)

$(JAR): $(JAVA_SRC) $(JAVA_TEST_SRC)
	@mkdir -p $(BUILD)/java/classes $(BUILD)/java/test-classes
	$(Q)$(JAVAC) -Xlint:all -Werror -d $(BUILD)/java/classes $(JAVA_SRC)
	$(Q)$(JAVAC) -Xlint:all -Werror -cp $(BUILD)/java/classes -d $(BUILD)/java/test-classes \
	    $(JAVA_TEST_SRC)
	$(Q)$(JAR_TOOL) cf $@ -C $(BUILD)/java/classes .

# make java: the jar (dev.hallmark) and libhallmark_jni.so; needs a JDK (javac, jni.h).
java: $(JNI_LIB) $(JAR)

# ---- WebAssembly (issue 17) ---------------------------------------------------------------------
# make wasm: the verifier for the web and Node (verifier/bindings/wasm), with Debian's emscripten;
# libsodium and jansson are built for wasm from Debian's sources once, cached in build/wasm/.
# Always build/wasm: it does not depend on BUILD (the sanitizer builds do not make one).
wasm:
	@tools/build-wasm.sh build/wasm

# ---- tests ------------------------------------------------------------------------------------
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory test-run

# The OpenSSL-free verifier is built beside the full one (in its min/ folder) and tested too; the
# tests sign with the full tree, so `make VERIFIER_ES256=0 test` runs the same suite.
TEST_BUILD := $(if $(filter 0,$(VERIFIER_ES256)),$(patsubst %/min,%,$(BUILD)),$(BUILD))
test-run:
	@$(MAKE) --no-print-directory VERIFIER_ES256=1 BUILD=$(TEST_BUILD) all
	@$(MAKE) --no-print-directory VERIFIER_ES256=0 BUILD=$(TEST_BUILD)/min all
	@tools/run-tests.sh $(TEST_BUILD) $(T)

asan:
	@$(MAKE) --no-print-directory deps
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 \
	    $(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g" HARDEN= \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    test-run

valgrind:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build/valgrind OPT="-O1 -g" all
	@$(MAKE) --no-print-directory VERIFIER_ES256=0 BUILD=build/valgrind/min OPT="-O1 -g" all
	@HALLMARK_RUNNER_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	    --suppressions=$(CURDIR)/tools/valgrind.supp" \
	    tools/run-tests.sh build/valgrind $(T)

check: test
	@$(MAKE) --no-print-directory deps-check
	@$(MAKE) --no-print-directory check-exports format-check tidy cppcheck
	@echo "check: exports, format, clang-tidy and cppcheck clean"

# libhallmark exports only hallmark_* and carries no signing code (as jansson's check-exports).
check-exports: $(LIB_A) $(LIB_SO)
	@tools/check-exports.sh $(LIB_SO) $(LIB_A)

C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find verifier signer keys tests bench -name '*.[ch]')

format-check:
	@clang-format --dry-run --Werror $(C_FILES)

# The JNI shim is checked only where a JDK provides jni.h.
JNI_SHIM := verifier/bindings/java/jni/hallmark_jni.c
CHECK_C = $(filter-out $(if $(wildcard $(JAVA_HOME)/include/jni.h),,$(JNI_SHIM)) \
            $(if $(wildcard $(WASM_MBEDTLS_INC)/mbedtls/ecdsa.h),,$(WASM_ES256_SHIM)),$(filter %.c,$(C_FILES)))

# The wasm shim (verifier/bindings/wasm) is checked natively, with the CLI's JSON view it shares;
# its mbed TLS backend of ES256 where make wasm has built mbed TLS's headers (found after the
# system's, so that libsodium's and jansson's stay Debian's).
WASM_CHECK_INC := -Iverifier/cli -Iverifier/bindings/wasm
WASM_MBEDTLS_INC := build/wasm/prefix/include
WASM_ES256_SHIM := verifier/bindings/wasm/hm_es256_mbedtls.c

tidy:
	@clang-tidy --quiet $(CHECK_C) -- $(WARN) -D_POSIX_C_SOURCE=200809L \
	    -DHALLMARK_WITH_ES256=1 $(INCLUDES) $(PKG_CFLAGS) $(VETTING_CFLAGS) $(JNI_CFLAGS) \
	    -Itests/unit $(WASM_CHECK_INC) -idirafter $(WASM_MBEDTLS_INC) 2>&1 | \
	    { grep -v -E '^[0-9]+ warnings? generated\.$$' || true; }; \
	    test $${PIPESTATUS[0]} -eq 0

cppcheck:
	@cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	    --inline-suppr --suppress=missingIncludeSystem -DHALLMARK_WITH_ES256=1 \
	    $(INCLUDES) -Itests/unit $(WASM_CHECK_INC) $(CHECK_C)

# ---- fuzzing (clang + libFuzzer) --------------------------------------------------------------
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_ARCHIVES := $(patsubst $(BUILD)/%,build/fuzz-lib/%,$(HOST_ARCHIVES))
fuzz:
	@$(MAKE) --no-print-directory deps deps-fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz-lib CC=$(CLANG) OPT="-O1 -g" HARDEN= \
	    SAN="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer" $(FUZZ_ARCHIVES)
	@$(MAKE) --no-print-directory fuzz-bins
	@tools/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-bins: $(FUZZ_BIN)
build/fuzz/%: tests/fuzz/%.c $(FUZZ_ARCHIVES)
	@mkdir -p $(@D)
	$(CLANG) $(WARN) -O1 -g -fsanitize=address,undefined,fuzzer -DHALLMARK_WITH_ES256=1 \
	    $(INCLUDES) $(PKG_CFLAGS) -o $@ $< $(FUZZ_ARCHIVES) $(TOOL_LIBS)

# ---- benchmarks -------------------------------------------------------------------------------
# make bench: every row of docs/benchmarks.md in one run (bench/run.sh), about 5 minutes on two
# cores; BENCH_SECONDS sets the seconds per measured row (default 2).
BENCH_DIR := $(BUILD)/bench
BENCH_UTIL := $(call obj,bench/bench_util.c)
BENCH_TOOLS := $(BENCH_DIR)/bench-core $(BENCH_DIR)/bench-sign $(BENCH_DIR)/bench-verify \
               $(BENCH_DIR)/bench-bundle $(BENCH_DIR)/bench-store $(BENCH_DIR)/bench-peers \
               $(BENCH_DIR)/bench-pkcs11
$(BENCH_DIR)/bench-core: $(call obj,bench/bench_core.c) $(BENCH_UTIL) $(SIGN_A) $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $^ $(LDFLAGS_ALL) $(CRYPTO_LIBS)
# The C JOSE peers (issue 16): cjose and libjwt from Debian, linked only into this tool.
$(BENCH_DIR)/bench-peers: $(call obj,bench/bench_peers.c) $(BENCH_UTIL) $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $^ $(LDFLAGS_ALL) $(CRYPTO_LIBS) -lcjose -ljwt
$(BENCH_DIR)/bench-sign: $(call obj,bench/bench_sign.c)
$(BENCH_DIR)/bench-verify: $(call obj,bench/bench_verify.c)
$(BENCH_DIR)/bench-bundle: $(call obj,bench/bench_bundle.c)
$(BENCH_DIR)/bench-store: $(call obj,bench/bench_store.c)
$(BENCH_DIR)/bench-pkcs11: $(call obj,bench/bench_pkcs11.c)
$(BENCH_DIR)/bench-sign $(BENCH_DIR)/bench-verify $(BENCH_DIR)/bench-bundle \
$(BENCH_DIR)/bench-store $(BENCH_DIR)/bench-pkcs11: $(BENCH_UTIL) $(HOST_ARCHIVES)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDFLAGS_ALL) $(TOOL_LIBS)
# make callgrind: instructions per signature and per verification (bench/callgrind.sh), counted
# by valgrind: repeatable on a busy machine, where make bench's rates are not.
callgrind:
	@tools/deps.sh build test bench
	@$(MAKE) --no-print-directory all $(BENCH_TOOLS)
	@bench/callgrind.sh $(BUILD)
bench:
	@tools/deps.sh build test bench
	@$(MAKE) --no-print-directory all $(BENCH_TOOLS) wasm
	@bench/run.sh $(BUILD)

# ---- man pages ---------------------------------------------------------------------------------
# Made by help2man from each tool's --help and --version (one source: the text the tool prints),
# so a page cannot drift from its program. Where man/NAME.h2m exists it adds sections.
MAN_DIR := $(BUILD)/man
MAN_PAGES := $(MAN_DIR)/hallmark-verify.1 $(MAN_DIR)/hallmark-keys.1 $(MAN_DIR)/hallmark-signer.1
MAN_NAME_hallmark-verify := decide whether a message earns the Hallmark verified checkmark
MAN_NAME_hallmark-keys := manage a Hallmark keystore: brands, keys, trust bundles
MAN_NAME_hallmark-signer := sign brand messages for Hallmark (pipe and HTTPS service)
$(MAN_DIR)/%.1: $(BUILD)/bin/%
	@mkdir -p $(@D)
	$(Q)help2man --no-info --no-discard-stderr --section=1 --name="$(MAN_NAME_$*)" \
	    --output=$@ $(CURDIR)/$<
man: $(MAN_PAGES)

# ---- install ----------------------------------------------------------------------------------
# PREFIX/bin: the three tools (linked with the static archives: they need no libhallmark.so);
# PREFIX/lib: libhallmark.a, libhallmark.so.0 and its libhallmark.so link, pkgconfig/hallmark.pc,
# whose Libs carry -Wl,-rpath,PREFIX/lib (PC_RPATH=no leaves it out, for a prefix the dynamic
# linker searches anyway, e.g. /usr); PREFIX/include/hallmark.h; PREFIX/share/man/man1;
# PREFIX/share/hallmark: signer-api.yaml (hallmark-signer --help cites it there) and deploy/;
# PREFIX/share/bash-completion/completions; when `make java` has run, PREFIX/share/java/hallmark.jar
# and PREFIX/lib/jni/libhallmark_jni.so (java -Djava.library.path=PREFIX/lib/jni).
PC_RPATH ?= $(if $(filter /usr,$(PREFIX)),no,yes)
HALLMARK_VERSION = $(shell sed -n 's/^\#define HALLMARK_VERSION_STRING "\(.*\)"/\1/p' \
                     verifier/include/hallmark.h)
install: all man
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/hallmark/deploy \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 verifier/include/hallmark.h $(DESTDIR)$(PREFIX)/include/hallmark.h
	install -m 0644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/libhallmark.a
	install -m 0755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/libhallmark.so.0
	ln -sf libhallmark.so.0 $(DESTDIR)$(PREFIX)/lib/libhallmark.so
	install -m 0755 $(VERIFY_CLI) $(DESTDIR)$(PREFIX)/bin/hallmark-verify
	install -m 0755 $(KEYS_CLI) $(DESTDIR)$(PREFIX)/bin/hallmark-keys
	install -m 0755 $(SIGNER_CLI) $(DESTDIR)$(PREFIX)/bin/hallmark-signer
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 spec/signer-api.yaml $(DESTDIR)$(PREFIX)/share/hallmark/signer-api.yaml
	for f in $(wildcard deploy/*); do \
	    sed 's|/usr/local/|$(PREFIX)/|g' $$f > $(DESTDIR)$(PREFIX)/share/hallmark/$$f && \
	    chmod 0644 $(DESTDIR)$(PREFIX)/share/hallmark/$$f || exit 1; \
	done
	install -m 0644 tools/completion.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hallmark-verify
	ln -sf hallmark-verify $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hallmark-keys
	ln -sf hallmark-verify $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hallmark-signer
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(HALLMARK_VERSION)|g' \
	    -e 's|@REQUIRES@|$(VERIFY_PKGS)|g' \
	    -e 's|@RPATH@|$(if $(filter yes,$(PC_RPATH)),-Wl$(comma)-rpath$(comma)$${libdir} ,)|g' \
	    tools/hallmark.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/hallmark.pc
	if [ -f $(JAR) ] && [ -f $(JNI_LIB) ]; then \
	    install -d $(DESTDIR)$(PREFIX)/share/java $(DESTDIR)$(PREFIX)/lib/jni && \
	    install -m 0644 $(JAR) $(DESTDIR)$(PREFIX)/share/java/hallmark.jar && \
	    install -m 0755 $(JNI_LIB) $(DESTDIR)$(PREFIX)/lib/jni/libhallmark_jni.so; \
	fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hallmark-verify $(DESTDIR)$(PREFIX)/bin/hallmark-keys \
	    $(DESTDIR)$(PREFIX)/bin/hallmark-signer \
	    $(DESTDIR)$(PREFIX)/include/hallmark.h $(DESTDIR)$(PREFIX)/lib/libhallmark.a \
	    $(DESTDIR)$(PREFIX)/lib/libhallmark.so.0 $(DESTDIR)$(PREFIX)/lib/libhallmark.so \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/hallmark.pc \
	    $(patsubst $(MAN_DIR)/%,$(DESTDIR)$(PREFIX)/share/man/man1/%,$(MAN_PAGES)) \
	    $(addprefix $(DESTDIR)$(PREFIX)/share/bash-completion/completions/, \
	        hallmark-verify hallmark-keys hallmark-signer) \
	    $(DESTDIR)$(PREFIX)/share/java/hallmark.jar $(DESTDIR)$(PREFIX)/lib/jni/libhallmark_jni.so
	rm -rf $(DESTDIR)$(PREFIX)/share/hallmark

clean:
	rm -rf build

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all wasm
	@tools/demo.sh $(BUILD)
