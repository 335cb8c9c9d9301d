# kaoping — build, test, demo, bench, install.
#   make            build ./kaoping (installs missing Debian packages first;
#                   PGO=0: without profile-guided optimisation, see below)
#   make test       unit tests (Check), golden, hostile and end-to-end tests
#   make asan       the whole suite again under ASan + UBSan
#   make valgrind   unit, end-to-end, golden and demo tests under valgrind
#   make demo       the 2021 Longxian sample job
#   make bench      the benchmark of DESIGN §7 (several minutes)
#   make fuzz       the libFuzzer harnesses (FUZZ_SECONDS each, FUZZ_SEED 0: a fresh one)
#   make dbfuzz     hostile databases: random mutations, every reading command
#                   under ASan + UBSan (DBFUZZ_MINUTES)
#   make install    PREFIX=/usr/local DESTDIR=  (make uninstall: the same)
#   make deb        build/kaoping_VERSION_ARCH.deb, installing under /usr
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
BUILD ?= build
PKG_CONFIG ?= pkg-config
PKGS = lua5.4 sqlite3 xlsxwriter libcrypto libzip expat freexl
# the release number: vX.Y.Z tags, else the file VERSION (scripts/version.sh)
VERSION := $(shell scripts/version.sh)
KP_PROG ?= kaoping
MAN = $(BUILD)/kaoping.1

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror -pedantic
OPT ?= -O2 -g
# recursive (=) so pkg-config runs after scripts/deps.sh has installed things
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
DEP_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lcsv -lpthread -lm
KP_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -Iinclude -I$(BUILD) $(DEP_CFLAGS) \
	-DKP_VERSION='"$(VERSION)"' -DKP_MODULES_DIR='"$(PREFIX)/share/kaoping/modules"' $(CFLAGS) $(EXTRA_CFLAGS)
KP_LDFLAGS = $(LDFLAGS) $(EXTRA_LDFLAGS)

CORE = msg err par near sb note infile num date enc csv rowq table data store store_run store_blocks store_load derive sandbox rules rules_use criteria form form_write score score_lua rank result ruletest \
	compare robust report_compare report_robust \
	rw outfile report_common report report_csv report_json report_text report_html report_xlsx \
	notice notice_docx \
	xlsx xlsx_rows xlsx_xls xlsxw
CORE_OBJ = $(CORE:%=$(BUILD)/core/%.o) $(BUILD)/core/prelude.o $(BUILD)/core/notice_tmpl.o $(BUILD)/core/gb2312.o
CLI_CMDS = cli cli_term cli_mistakes cli_year cmd_score cmd_import cmd_report cmd_explain cmd_check cmd_criteria cmd_test \
	cmd_template cmd_compare cmd_robust cmd_notice cmd_imports cmd_runs cmd_drop main
CLI_OBJ = $(CLI_CMDS:%=$(BUILD)/core/%.o)
LIB = $(BUILD)/libkaoping.a
CHECKS = msg note par num near csv table result store rules score rank report form compare robust notice xlsx
CHECK_BIN = $(CHECKS:%=$(BUILD)/tests/check_%)
# the unit score sheets (explain --all) and the imported rows they show
CORE += store_rows sheet sheet_xlsx
CHECKS += sheet
# the command line's catalogue (help and errors in both languages)
CHECKS += cli

# make asan passes BUILD and the sanitizer flags on its sub-make's command
# line; make would also export them to every recipe, and a nested make run by
# a test (make install in tests/install, tests/docs) then relinked ./kaoping
# from the instrumented objects, so that make bench measured an ASan binary.
# Keep them to the make that was given them.
unexport BUILD OPT CFLAGS LDFLAGS EXTRA_CFLAGS EXTRA_LDFLAGS KP_PROG

Q = @
ifeq ($(V),1)
Q =
endif

all: kaoping $(MAN)

$(BUILD)/.deps:
	$(Q)scripts/deps.sh --check || scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $@

$(BUILD)/core/prelude.c: core/prelude.lua scripts/embed.sh | $(BUILD)/.deps
	$(Q)mkdir -p $(@D)
	$(Q)scripts/embed.sh kp_prelude_lua $< > $@

# the catalogue's KP_M_* macros (include/kaoping/msg.h), from its .def files
MSG_DEFS = $(wildcard include/kaoping/msg/*.def)
$(BUILD)/kp_msg_en.h: $(MSG_DEFS) scripts/msgids.sh | $(BUILD)/.deps
	$(Q)scripts/msgids.sh "$(CC)" include > $@.tmp && mv $@.tmp $@

$(BUILD)/core/%.o: core/%.c include/kaoping/*.h core/*.h $(MSG_DEFS) $(BUILD)/kp_msg_en.h | $(BUILD)/.deps
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(KP_CFLAGS) -c $< -o $@

$(BUILD)/core/prelude.o: $(BUILD)/core/prelude.c
	$(Q)$(CC) -std=c11 -c $< -o $@

# the notice template built into the binary (kp_notice_tmpl)
$(BUILD)/core/notice_tmpl.c: scripts/notice.md.tmpl scripts/embed.sh | $(BUILD)/.deps
	$(Q)mkdir -p $(@D)
	$(Q)scripts/embed.sh kp_notice_tmpl $< > $@

$(BUILD)/core/notice_tmpl.o: $(BUILD)/core/notice_tmpl.c
	$(Q)$(CC) -std=c11 -c $< -o $@

# GB2312's hanzi as a bitmap (kp_gb2312_hanzi), from glibc's table
$(BUILD)/core/gb2312.c: scripts/gb2312.sh | $(BUILD)/.deps
	$(Q)mkdir -p $(@D)
	$(Q)scripts/gb2312.sh > $@.tmp && mv $@.tmp $@

$(BUILD)/core/gb2312.o: $(BUILD)/core/gb2312.c
	$(Q)$(CC) -std=c11 -c $< -o $@

$(LIB): $(CORE_OBJ)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# VERSION and PREFIX are compiled in: the objects that use them are rebuilt
# when one changes (make install PREFIX=/opt after make)
$(BUILD)/version.stamp $(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(@D)
	$(Q)v='$(if $(findstring version,$@),$(VERSION),$(PREFIX))'; echo "$$v" | cmp -s - $@ || echo "$$v" > $@
$(BUILD)/core/cli.o: $(BUILD)/version.stamp $(BUILD)/prefix.stamp
$(BUILD)/core/rules_use.o: $(BUILD)/prefix.stamp

# ./kaoping: with gcc, built again under profile-guided optimisation
# (scripts/pgo.sh: an instrumented build, a training run, the build laid out
# by its counts, in $(BUILD)/pgo; about a tenth less CPU); PGO=0 links it
# from the objects as they are (quicker while editing), as any other
# compiler does.  The unit tests link those objects either way.
PGO ?= auto
$(KP_PROG): $(CLI_OBJ) $(LIB) scripts/pgo.sh
	@echo "  LD $@"
	$(Q)if [ "$$(scripts/pgo.sh --wanted '$(PGO)' '$(CC)')" = 1 ]; then \
		MAKE='$(MAKE)' OPT='$(OPT)' EXTRA_CFLAGS='$(EXTRA_CFLAGS)' scripts/pgo.sh $(BUILD)/pgo $@ \
			CC='$(CC)' PREFIX='$(PREFIX)' CFLAGS='$(CFLAGS)' LDFLAGS='$(LDFLAGS)' EXTRA_LDFLAGS='$(EXTRA_LDFLAGS)'; \
	else \
		$(CC) $(KP_CFLAGS) $(CLI_OBJ) $(LIB) $(DEP_LIBS) $(KP_LDFLAGS) -o $@; \
	fi

$(BUILD)/tests/check_%: tests/check_%.c tests/check_util.h tests/check_fixture.h $(LIB) $(BUILD)/kp_msg_en.h
	@mkdir -p $(@D)
	@echo "  CC $<"
	$(Q)$(CC) $(KP_CFLAGS) -Wno-missing-prototypes $(shell $(PKG_CONFIG) --cflags check) $< $(LIB) \
		$(shell $(PKG_CONFIG) --libs check) $(DEP_LIBS) $(KP_LDFLAGS) -o $@

test-deps: | $(BUILD)/.deps
	$(Q)scripts/deps.sh --check-test || scripts/deps.sh

test: kaoping $(CHECK_BIN) test-deps
	$(Q)tests/run.sh $(CHECK_BIN)

# float-cast-overflow by name: GCC's "undefined" leaves it out, so a
# double out of an integer's range converted (C11 6.3.1.4: undefined) from a
# hostile database went unseen by make asan, dbfuzz and the hostile cases
ASAN_VARS = BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	EXTRA_CFLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow" \
	EXTRA_LDFLAGS="-fsanitize=address,undefined,float-cast-overflow"
asan:
	$(MAKE) $(ASAN_VARS) kaoping-asan

# build/asan/kaoping alone, for trying one case: KP_BIN=build/asan/kaoping tests/hostile/run.sh NAME
asan-bin:
	$(MAKE) $(ASAN_VARS) $(BUILD)/asan/kaoping

$(BUILD)/kaoping: $(CLI_OBJ) $(LIB)
	$(Q)$(CC) $(KP_CFLAGS) $(CLI_OBJ) $(LIB) $(DEP_LIBS) $(KP_LDFLAGS) -o $@

kaoping-asan: $(BUILD)/kaoping $(CHECK_BIN) test-deps
	$(Q)KP_BIN=$(BUILD)/kaoping KP_TIME_SCALE=3 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run.sh $(CHECK_BIN)

# the Check unit tests and the end-to-end, golden and demo suites again
# under valgrind (memcheck; definite leaks fail)
valgrind: kaoping $(CHECK_BIN)
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
	$(Q)./kaoping template rules/2021-fazhi.lua --db demo.db -o build/demo/forms --replace  # the forms for the offices, units prefilled
	$(Q)$(MAKE) -s install DESTDIR=$(CURDIR)/$(BUILD)/demo/root && cd $(BUILD)/demo/root$(PREFIX) && echo "== installed in $(BUILD)/demo/root$(PREFIX): $$(bin/kaoping --version), man -l share/man/man1/kaoping.1" && bin/kaoping run share/kaoping/rules/2021-fazhi.lua share/kaoping/samples/2021/*.csv -o $(CURDIR)/$(BUILD)/demo/installed-run.csv
	$(Q)./kaoping report --db demo.db --width 80 --columns 排名,单位名称,四,总分,等次,一票否决 && ./kaoping report --db demo.db --format html --summary -o build/demo/2021-summary.html
	$(Q)./kaoping compare --db demo.db rules/2021-fazhi.lua rules/2021-fazhi-variant.lua && ./kaoping robust --db demo.db rules/2021-fazhi.lua --seed 1
	$(Q)./kaoping imports --db demo.db --year 2021 && ./kaoping runs --db demo.db
	$(Q)./kaoping explain --all --db demo.db -o build/demo/sheets --replace   # 一单位一表: a score sheet per unit
	$(Q)mkdir -p $(BUILD)/demo-xlsx && for f in samples/2021/*.csv; do python3 tests/workbooks/mkxlsx.py csv $$f $(BUILD)/demo-xlsx/$$(basename $$f .csv).xlsx; done && ./kaoping run rules/2021-fazhi.lua $(BUILD)/demo-xlsx/*.xlsx | head -n 6

bench: kaoping
	$(Q)scripts/bench/run.sh

FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 0
fuzz: | $(BUILD)/.deps
	$(Q)FUZZ_SEED=$(FUZZ_SEED) tests/fuzz/run.sh $(FUZZ_SECONDS)

DBFUZZ_MINUTES ?= 10
dbfuzz: kaoping
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined,float-cast-overflow" KP_PROG=build/asan/kaoping build/asan/kaoping
	$(Q)python3 tests/hostile/dbfuzz.py --minutes $(DBFUZZ_MINUTES) --bin build/asan/kaoping --plain ./kaoping

# the binary, its manual page (from its own --help), the rule files and
# shared modules, the samples, and the user docs (README, RULES, DESIGN:
# README's links to docs/ hold there too)
SHARE = $(DESTDIR)$(PREFIX)/share/kaoping
DOC = $(DESTDIR)$(PREFIX)/share/doc/kaoping
MAN1 = $(DESTDIR)$(PREFIX)/share/man/man1
install: $(KP_PROG) $(MAN)
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/rules $(SHARE)/modules $(MAN1) $(DOC)/docs
	install -m 755 $(KP_PROG) $(DESTDIR)$(PREFIX)/bin/kaoping
	install -m 644 $(MAN) $(MAN1)/kaoping.1
	install -m 644 rules/*.lua $(SHARE)/rules/
	install -m 644 scripts/modules/*.lua $(SHARE)/modules/
	for d in $$(cd samples && find . -type d); do install -d $(SHARE)/samples/$$d || exit 1; done
	for f in $$(cd samples && find . -type f); do install -m 644 samples/$$f $(SHARE)/samples/$$f || exit 1; done
	install -m 644 README.md $(DOC)/
	install -m 644 docs/RULES.md docs/DESIGN.md $(DOC)/docs/
	install -m 644 scripts/notice.md.tmpl $(SHARE)/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kaoping $(MAN1)/kaoping.1
	rm -rf $(SHARE) $(DOC)

# kaoping's manual page, written from what the binary's --help prints
$(MAN): $(KP_PROG) scripts/manpage.sh
	@echo "  MAN $@"
	$(Q)scripts/manpage.sh $(abspath $(KP_PROG)) > $@.tmp && mv $@.tmp $@

# a Debian package of the release, built apart in build/deb (PREFIX=/usr)
deb: | $(BUILD)/.deps
	$(Q)MAKE="$(MAKE)" scripts/deb.sh

clean:
	rm -rf $(BUILD) kaoping demo.db

.PHONY: all test test-deps asan asan-bin kaoping-asan valgrind demo bench fuzz dbfuzz install uninstall deb clean FORCE
.SECONDARY:
