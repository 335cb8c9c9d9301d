/* check_rules.c — loading rule files: the sandbox (DESIGN §3, a contract:
 * every way out is tried from a rule file, at load and while scoring), the
 * resource limits (instructions, memory, wall clock, recursion), unknown
 * names, every validation error of the declarations with its file:line,
 * the criteria words of each helper, and the columns the rules read.
 * Each rule file is written to a temporary path and loaded with
 * kp_rules_load, as the command line does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/data.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/sandbox.h"
#include "kaoping/score.h"
#include "kaoping/table.h"

/* The smallest valid file: one category, one section, one indicator.
 * Two lines, so a snippet appended to it is on line 3. */
#define HEAD                                                                                       \
	"assessment { title = \"t\", unit = { id = \"id\", name = \"name\", category = \"cat\" },\n" \
	"  categories = { {\"A\", commend = 1} } }\n"
#define BODY                                                                                       \
	"assessment { title = \"t\", unit = { id = \"id\", name = \"name\", category = \"cat\" }, "  \
	"categories = { {\"A\", commend = 1} } }\n"                                                  \
	"section \"S\" { points = 10, indicator \"I\" { points = 10, score = target(\"x\", 1) } }\n"

/* ---------- fixture: a rule file in a temporary path ---------- */

static char path[64];

static void write_rules(const char *src)
{
	int fd;
	FILE *fp;

	snprintf(path, sizeof path, "/tmp/kp_rules_XXXXXX.lua");
	fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(src, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

/* Load src with the given limits (NULL: defaults); the file is removed. */
static int load_lim(const char *src, const kp_limits *lim, kp_rules **r, kp_err *err)
{
	int rc;

	write_rules(src);
	rc = kp_rules_load(path, lim, 0, r, err);
	unlink(path);
	return rc;
}

static int load(const char *src, kp_rules **r, kp_err *err)
{
	return load_lim(src, NULL, r, err);
}

/* The message must start with "PATH:LINE:" ("PATH:" when line is 0: an
 * error with no line, or one whose line does not matter) and contain want. */
static void assert_rule_error(int rc, const kp_err *err, int line, const char *want)
{
	char where[96];

	ck_assert_msg(rc == KP_ERULE, "expected KP_ERULE, got %d: %s", rc, err->msg);
	if (line)
		snprintf(where, sizeof where, "%s:%d:", path, line);
	else
		snprintf(where, sizeof where, "%s:", path);
	ck_assert_msg(!strncmp(err->msg, where, strlen(where)), "'%s' does not start with '%s'", err->msg, where);
	ck_assert_msg(strstr(err->msg, want) != NULL, "'%s' does not say '%s'", err->msg, want);
}

/* Expect src to fail to load with a rule error at line saying want. */
static void expect_load_error(const char *src, int line, const char *want)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	int rc = load(src, &r, &err);

	assert_rule_error(rc, &err, line, want);
	ck_assert_ptr_null(r);
	kp_err_clear(&err);
}

/* A table from "h1,h2\nv1,v2\n..." (no quoting), typed by the rules. */
static kp_table *mk_table(const kp_rules *r, const char *name, const char *csv)
{
	char *copy = strdup(csv), *save = NULL, *line;
	kp_table *t = kp_table_new(name, name, NULL);
	size_t lineno = 1;
	int header = 1;

	ck_assert_ptr_nonnull(t);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lineno++) {
		char *f[32], *p = line;
		unsigned char num[32];
		size_t n = 0, i;
		kp_err err = {0};
		f[n++] = p;
		for (; *p; p++)
			if (*p == ',')
				*p = '\0', f[n++] = p + 1;
		if (header) {
			for (i = 0; i < n; i++)
				num[i] = (unsigned char)kp_rules_is_numeric(r, f[i]);
			ck_assert_int_eq(kp_table_set_columns(t, n, f, num, &err), 0);
			header = 0;
		} else {
			ck_assert_int_eq(n, t->ncols);
			ck_assert_msg(kp_table_add(t, lineno, f, NULL, &err) == 0, "%s", err.msg);
		}
	}
	free(copy);
	return t;
}

/* Score src on the units given; returns kp_score_run's code. */
static int score_src(const char *src, const kp_limits *lim, const char *units, kp_err *err)
{
	kp_rules *r = NULL;
	kp_data *d;
	kp_result *res = NULL;
	kp_score_opts o = {0};
	int rc;

	ck_assert_msg(load_lim(src, lim, &r, err) == 0, "%s", err->msg);
	d = kp_data_new(err);
	ck_assert_int_eq(kp_data_add(d, mk_table(r, "units", units), err), 0);
	ck_assert_msg(kp_data_bind(d, r, err) == 0, "%s", err->msg);
	o.threads = 1;
	rc = kp_score_run(r, d, &o, &res, err);
	kp_result_free(res);
	kp_data_free(d);
	kp_rules_free(r);
	return rc;
}

/* ---------- regressions ---------- */

/* load() lost its default environment and called the chunk text instead of
 * the real load; with a reader function it handed the rule the real,
 * unrestricted load (binary chunks, the real globals). */
START_TEST(test_load_works)
{
	kp_rules *r = NULL;
	kp_err err = {0};

	ck_assert_msg(load(BODY "local f = load('return 1 + 1') assert(f() == 2)\n"
			   "local e = load(function() return nil end) assert(select('#', e()) == 0)\n", &r, &err) == 0,
		      "%s", err.msg);
	kp_rules_free(r);
	expect_load_error(BODY "local f, m = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n') if not f then error(m) end\n", 3,
			  "binary chunk");
}
END_TEST

/* "unknown name" and "may not set the global" took the position of the
 * caller of the rule code (level 2): no file:line at load, the indicator's
 * declaration instead of the offending line while scoring. */
START_TEST(test_name_errors_have_lines)
{
	static const char src[] = BODY
		"section \"T\" { points = 5, indicator \"G\" { points = 5, score = function(u)\n"
		"  counter = 1\n"
		"  return 5 end } }\n";
	kp_err err = {0};
	char where[160];

	expect_load_error(BODY "local n = indicatr\n", 3, "unknown name 'indicatr'");
	expect_load_error(BODY "\nio.open('/etc/passwd')\n", 4, "unknown name 'io'");
	ck_assert_int_eq(score_src(src, NULL, "id,name,cat,x\nu1,one,A,1\n", &err), KP_ERULE);
	snprintf(where, sizeof where, "%s:4: in indicator 'G' for unit 'u1': ", path);
	ck_assert_msg(!strncmp(err.msg, where, strlen(where)) && strstr(err.msg, "may not set the global 'counter'"),
		      "%s", err.msg);
}
END_TEST

/* The read-only libraries were tables behind a metatable: rawset wrote
 * into them, so one rule could change string.upper, math.max, agg or ctx
 * for every other rule. */
static const char *const rawsets[] = {
	"rawset(string, 'upper', function() return 'X' end)",
	"rawset(math, 'max', function() return 0 end)",
	"rawset(agg, 'count', function() end)",
	"rawset(table, 'concat', nil)",
	"rawset(os, 'execute', print)",
};

START_TEST(test_rawset_library)
{
	char src[1024];
	kp_err err = {0};

	snprintf(src, sizeof src, "%s%s\n", BODY, rawsets[_i]);
	expect_load_error(src, 3, "bad argument #1 to 'rawset'");
	snprintf(src, sizeof src, "%s"
		 "section \"T\" { points = 5, indicator \"C\" { points = 5, score = function(u, ctx)\n"
		 "  rawset(ctx, 'max', print) return 5 end } }\n", BODY);
	ck_assert_int_eq(score_src(src, NULL, "id,name,cat,x\nu1,one,A,1\n", &err), KP_ERULE);
	ck_assert_msg(strstr(err.msg, ":4: in indicator 'C' for unit 'u1'") && strstr(err.msg, "rawset"), "%s", err.msg);
	/* still usable: pairs, #, reading */
	ck_assert_msg(score_src(BODY "local n = 0 for k, v in pairs(math) do n = n + 1 end assert(n > 10)\n"
				"local _, t = pairs(string) assert(t == string and #string == 0)\n"
				"assert(math.max(1, 2) == 2 and string.upper('a') == 'A')\n",
				NULL, "id,name,cat,x\nu1,one,A,1\n", &err) == 0, "%s", err.msg);
}
END_TEST

/* While scoring the environment is frozen, but rawset(_G, ...) wrote
 * straight past it, and getmetatable(_G) let a rule unfreeze it or drop
 * the unknown-name check for every later unit. */
static const char *const unfreeze[] = {
	"rawset(_G, 'counter', 1)",
	"getmetatable(_G).frozen = false counter = 1",
	"setmetatable(_G, nil)",
	"rawset(getmetatable(_G), 'frozen', false)",
};

START_TEST(test_frozen_env)
{
	char src[1024];
	kp_err err = {0};

	snprintf(src, sizeof src, "%s"
		 "section \"T\" { points = 5, indicator \"F\" { points = 5, score = function(u, ctx)\n"
		 "  %s return 5 end } }\n", BODY, unfreeze[_i]);
	ck_assert_int_eq(score_src(src, NULL, "id,name,cat,x\nu1,one,A,1\nu2,two,A,1\n", &err), KP_ERULE);
	ck_assert_msg(strstr(err.msg, ":4: in indicator 'F' for unit 'u1'"), "%s", err.msg);
	/* at load, globals may still be set, rawset included */
	ck_assert_msg(score_src(BODY "rawset(_G, 'k', 2) assert(k == 2) k = 3 assert(rawget(_G, 'k') == 3)\n",
				NULL, "id,name,cat,x\nu1,one,A,1\n", &err) == 0, "%s", err.msg);
}
END_TEST

/* Once the memory cap tripped it refused every allocation, also the host's
 * own between protected calls (luaL_ref after the load), and Lua panicked:
 * abort() instead of a rule error. */
START_TEST(test_memory_limit)
{
	static const char *const bombs[] = {
		BODY "local s = 'x' for i = 1, 40 do s = s .. s end\n",
		BODY "local s = string.rep('x', 1 << 30)\n",
		BODY "local t = {} for i = 1, 1e9 do t[i] = i end\n",
		BODY "pcall(string.rep, 'x', 1 << 30)\nlocal t = {} for i = 1, 10 do t[i] = {} end\n",
	};
	kp_limits lim = { 16u << 20, 1LL << 40, 0 };
	kp_rules *r = NULL;
	kp_err err = {0};
	size_t i;

	for (i = 0; i < sizeof bombs / sizeof *bombs; i++) {
		int rc = load_lim(bombs[i], &lim, &r, &err);
		ck_assert_msg(rc == KP_ERULE, "bomb %zu: %d %s", i, rc, err.msg);
		ck_assert_msg(strstr(err.msg, "memory limit") != NULL, "bomb %zu: %s", i, err.msg);
		ck_assert_ptr_null(r);
		kp_err_clear(&err);
	}
}
END_TEST

/* A load error without a position (the memory limit, "C stack overflow",
 * error(x, 0)) came out as a bare message that named no file. */
START_TEST(test_load_errors_name_the_file)
{
	kp_limits lim = { 16u << 20, 1LL << 40, 0 };
	kp_rules *r = NULL;
	kp_err err = {0};
	char want[160];

	ck_assert_int_eq(load_lim(BODY "local s = string.rep('x', 1 << 30)\n", &lim, &r, &err), KP_ERULE);
	snprintf(want, sizeof want, "%s: memory limit exceeded", path);
	ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "%s", err.msg);
	expect_load_error(BODY "local t = setmetatable({}, {}) getmetatable(t).__index = function(s, k) return s[k] end\n"
			       "local x = t.y\n", 0, "stack overflow");
	expect_load_error(BODY "error('bare', 0)\n", 0, "bare");
	expect_load_error(BODY "error({})\n", 0, "table value");
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("regressions");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_load_works);
	tcase_add_test(tc, test_name_errors_have_lines);
	tcase_add_loop_test(tc, test_rawset_library, 0, sizeof rawsets / sizeof *rawsets);
	tcase_add_loop_test(tc, test_frozen_env, 0, sizeof unfreeze / sizeof *unfreeze);
	tcase_add_test(tc, test_memory_limit);
	tcase_add_test(tc, test_load_errors_name_the_file);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(rules_suite)
