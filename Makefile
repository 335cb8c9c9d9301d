# kaoping — build, test, demo, bench, install.
#   make            build ./kaoping (installs missing Debian packages first)
#   make test       unit tests (Check), golden, hostile and end-to-end tests
#   make asan       the whole suite again under ASan + UBSan
#   make valgrind   unit, end-to-end, golden and demo tests under valgrind
#   make demo       the 2021 Longxian sample job
#   make bench      the benchmark of DESIGN §7 (several minutes)
#   make fuzz       the libFuzzer harnesses (FUZZ_SECONDS each)
#   make install    PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
BUILD ?= build
PKG_CONFIG ?= pkg-config
PKGS = lua5.4 sqlite3 xlsxwriter libcrypto libzip expat freexl
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror -pedantic
OPT ?= -O2 -g
# recursive (=) so pkg-config runs after scripts/deps.sh has installed things
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
DEP_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lcsv -lpthread -lm
KP_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -Iinclude -I$(BUILD) $(DEP_CFLAGS) \
	-DKP_VERSION='"$(VERSION)"' -DKP_MODULES_DIR='"$(PREFIX)/share/kaoping/modules"' $(CFLAGS) $(EXTRA_CFLAGS)
KP_LDFLAGS = $(LDFLAGS) $(EXTRA_LDFLAGS)

CORE = err sb infile num date enc csv rowq table data store store_run sandbox rules rules_use criteria score score_lua rank result ruletest \
	rw outfile report_common report report_csv report_json report_text report_html report_xlsx \
	xlsx xlsx_rows xlsx_xls
CORE_OBJ = $(CORE:%=$(BUILD)/core/%.o) $(BUILD)/core/prelude.o
CLI_CMDS = cli cmd_score cmd_import cmd_report cmd_explain cmd_check cmd_criteria cmd_test main
CLI_OBJ = $(CLI_CMDS:%=$(BUILD)/core/%.o)
LIB = $(BUILD)/libkaoping.a
CHECKS = num csv store rules score rank report xlsx
CHECK_BIN = $(CHECKS:%=$(BUILD)/tests/check_%)

Q = @
ifeq ($(V),1)
Q =
endif

all: kaoping

$(BUILD)/.deps:
	$(Q)scripts/deps.sh --check || scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $@

$(BUILD)/core/prelude.c: scripts/prelude.lua scripts/embed.sh | $(BUILD)/.deps
	$(Q)mkdir -p $(@D)
	$(Q)scripts/embed.sh kp_prelude_lua $< > $@

$(BUILD)/core/%.o: core/%.c include/kaoping/*.h core/*.h | $(BUILD)/.deps
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(KP_CFLAGS) -c $< -o $@

$(BUILD)/core/prelude.o: $(BUILD)/core/prelude.c
	$(Q)$(CC) -std=c11 -c $< -o $@

$(LIB): $(CORE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

kaoping: $(CLI_OBJ) $(LIB)
	@echo "  LD $@"
	$(Q)$(CC) $(KP_CFLAGS) $(CLI_OBJ) $(LIB) $(DEP_LIBS) $(KP_LDFLAGS) -o $@

$(BUILD)/tests/check_%: tests/check_%.c tests/check_util.h $(LIB)
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(KP_CFLAGS) -Wno-missing-prototypes $(shell $(PKG_CONFIG) --cflags check) $< $(LIB) \
		$(shell $(PKG_CONFIG) --libs check) $(DEP_LIBS) $(KP_LDFLAGS) -o $@

test-deps: | $(BUILD)/.deps
	$(Q)scripts/deps.sh --check-test || scripts/deps.sh

test: kaoping $(CHECK_BIN) test-deps
	$(Q)tests/run.sh $(CHECK_BIN)

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" kaoping-asan

kaoping-asan: $(CLI_OBJ) $(LIB) $(CHECK_BIN) test-deps
	$(Q)$(CC) $(KP_CFLAGS) $(CLI_OBJ) $(LIB) $(DEP_LIBS) $(KP_LDFLAGS) -o $(BUILD)/kaoping
	$(Q)KP_BIN=$(BUILD)/kaoping ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run.sh $(CHECK_BIN)

# the Check unit tests and the end-to-end, golden and demo suites again
# under valgrind (memcheck; definite leaks fail)
valgrind: $(CHECK_BIN)
	$(Q)for t in $(CHECK_BIN); do \
		echo "  VALGRIND $$t"; \
		KP_VALGRIND=1 CK_TIMEOUT_MULTIPLIER=30 valgrind -q --trace-children=yes --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite $$t > $$t.valgrind.log 2>&1 || \
			{ tail -30 $$t.valgrind.log; exit 1; }; \
		tail -n 1 $$t.valgrind.log; \
	done
	$(Q)for s in tests/e2e/run.sh tests/golden/run.sh tests/samples/demo.sh; do \
		echo "  VALGRIND $$s"; KP_BIN=tests/valgrind-kaoping $$s > build/valgrind-$$(basename $$(dirname $$s)).log 2>&1 || \
			{ tail -30 build/valgrind-$$(basename $$(dirname $$s)).log; exit 1; }; \
		tail -n 1 build/valgrind-$$(basename $$(dirname $$s)).log; \
	done

demo: kaoping
	$(Q)scripts/demo.sh
	$(Q)mkdir -p $(BUILD)/demo-xlsx && for f in samples/2021/*.csv; do python3 tests/xlsx/mkxlsx.py csv $$f $(BUILD)/demo-xlsx/$$(basename $$f .csv).xlsx; done && ./kaoping run rules/2021-fazhi.lua $(BUILD)/demo-xlsx/*.xlsx | head -n 6

bench: kaoping
	$(Q)scripts/bench/run.sh

FUZZ_SECONDS ?= 60
fuzz: | $(BUILD)/.deps
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS)

install: kaoping
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kaoping/rules $(DESTDIR)$(PREFIX)/share/kaoping/modules
	install -m 755 kaoping $(DESTDIR)$(PREFIX)/bin/kaoping
	install -m 644 rules/*.lua $(DESTDIR)$(PREFIX)/share/kaoping/rules/
	install -m 644 scripts/modules/*.lua $(DESTDIR)$(PREFIX)/share/kaoping/modules/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kaoping
	rm -rf $(DESTDIR)$(PREFIX)/share/kaoping

clean:
	rm -rf $(BUILD) kaoping demo.db

.PHONY: all test test-deps asan kaoping-asan valgrind demo bench fuzz install uninstall clean
.SECONDARY:
