/* check_rules.c — loading rule files: the sandbox (DESIGN §3, a contract:
 * every way out is tried from a rule file, at load and while scoring), the
 * resource limits (instructions, memory, wall clock, recursion), unknown
 * names, every validation error of the declarations with its file:line,
 * the criteria words of each helper, the columns the rules read, and
 * shared modules (use "name").
 * Each rule file is written to a temporary path and loaded with
 * kp_rules_load, as the command line does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/criteria.h"
#include "kaoping/data.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/sandbox.h"
#include "kaoping/sandbox.h"
#include "kaoping/sb.h"
#include "kaoping/score.h"
#include "kaoping/date.h"
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

/* The message must start with "PATH:LINE:" ("PATH:" when line is 0) and
 * contain want. */
static void assert_rule_error(int rc, const kp_err *err, int line, const char *want)
{
	char where[160];

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

/* ---------- the sandbox at load time ---------- */

static const struct {
	const char *what, *snippet, *want;
} escapes[] = {
	{ "os.execute", "os.execute('touch /tmp/kp_escaped')", "execute" },
	{ "os.remove", "os.remove('/tmp/kp_x')", "remove" },
	{ "os.getenv", "local h = os.getenv('HOME')", "getenv" },
	{ "io.open", "local f = io.open('/etc/passwd')", "unknown name 'io'" },
	{ "io.popen via _G", "_G.io.popen('ls')", "unknown name 'io'" },
	{ "require", "local m = require('os')", "unknown name 'require'" },
	{ "dofile", "dofile('/etc/passwd')", "unknown name 'dofile'" },
	{ "loadfile", "local f = loadfile('/etc/passwd')", "unknown name 'loadfile'" },
	{ "load binary, mode b", "local f = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n', 'x', 'b')",
	  "only text chunks" },
	{ "load binary, mode bt", "local f = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n', 'x', 'bt')",
	  "only text chunks" },
	{ "load binary, no mode",
	  "local f, m = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n') if not f then error(m) end",
	  "binary chunk" },
	{ "load binary, reader",
	  "local done local f, m = load(function() if done then return nil end done = true "
	  "return '\\27LuaT\\0' end) if not f then error(m) end", "binary chunk" },
	{ "string.dump", "local s = string.dump(print)", "dump" },
	{ "(\"\").dump", "local s = (''):dump()", "dump" },
	{ "debug", "debug.sethook()", "unknown name 'debug'" },
	{ "collectgarbage", "collectgarbage('stop')", "unknown name 'collectgarbage'" },
	{ "coroutine", "local co = coroutine.create(print)", "unknown name 'coroutine'" },
	{ "coroutine.wrap", "coroutine.wrap(function() end)()", "unknown name 'coroutine'" },
	{ "package", "package.path = '/tmp/?.lua'", "unknown name 'package'" },
	{ "string metatable, setmetatable", "setmetatable(getmetatable(''), {})", "setmetatable" },
	{ "string metatable, __index", "getmetatable('').__index.upper = print", "index" },
	{ "string metatable, replace", "setmetatable('', {})", "setmetatable" },
	{ "rawget(_G) to io", "rawget(_G, 'io').open('/etc/passwd')", "nil" },
	{ "rawget(_G) to debug", "rawget(_G, 'debug').getregistry()", "nil" },
	{ "string.upper", "string.upper = function() return 'X' end", "read-only" },
	{ "string.new", "string.evil = 1", "read-only" },
	{ "math.max", "math.max = nil", "read-only" },
	{ "agg.count", "agg.count = function() end", "read-only" },
	{ "table.insert", "table.insert = nil", "read-only" },
	{ "os.time", "os.time = nil", "read-only" },
	{ "setmetatable(string)", "setmetatable(string, nil)", "" },
	{ "unknown name", "local n = indicatr", "unknown name 'indicatr'" },
	{ "typo call", "sectoin \"X\" { points = 1 }", "unknown name 'sectoin'" },
	{ "error()", "error('stop here')", "stop here" },
	{ "syntax", "local = 1", "near '='" },
};

START_TEST(test_escape)
{
	char src[2048];

	snprintf(src, sizeof src, "%s%s\n", BODY, escapes[_i].snippet);
	expect_load_error(src, 3, escapes[_i].want);
	ck_assert_int_ne(access("/tmp/kp_escaped", F_OK), 0);
}
END_TEST

START_TEST(test_allowed)
{
	/* what rule files may use, all at once */
	static const char src[] = BODY
		"local s = string.format('%5.2f', math.pi) .. ('abc'):upper() .. utf8.char(32771)\n"
		"local t = {} table.insert(t, 3) table.insert(t, 1) table.sort(t)\n"
		"assert(t[1] == 1 and #t == 2 and select('#', 1, 2) == 2)\n"
		"assert(os.time{year = 2021, month = 1, day = 1} and os.date('%Y', 0) and os.clock())\n"
		"assert(pcall(error, 'x') == false and tostring(12) == '12' and tonumber('0x10') == 16)\n"
		"local f = load('return 1 + 1', 'x', 't') assert(f() == 2)\n"
		"local g = load('return ...') assert(g(5) == 5)\n"
		"assert(type(next) == 'function' and rawequal(t, t) and rawlen(t) == 2 and rawget(t, 1) == 1)\n"
		"local mt = setmetatable({}, {__index = function() return 7 end}) assert(mt.x == 7)\n"
		"assert(getmetatable('') == false)\n"
		"local n = 0 for _ in pairs(math) do n = n + 1 end assert(n > 10)\n"
		"assert(_VERSION == 'Lua 5.4' and _G.string == string)\n"
		"myglobal = 1 assert(myglobal == 1)\n";
	kp_rules *r = NULL;
	kp_err err = {0};

	ck_assert_msg(load(src, &r, &err) == 0, "%s", err.msg);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

START_TEST(test_load_env)
{
	/* a chunk loaded without an env sees the libraries, read-only, not the
	 * rule file's globals */
	kp_rules *r = NULL;
	kp_err err = {0};

	ck_assert_msg(load(BODY "local f = load('return string.upper(\"a\")') assert(f() == 'A')\n", &r, &err) == 0,
		      "%s", err.msg);
	kp_rules_free(r);
	/* the error is in the loaded chunk, and the file is named */
	expect_load_error(BODY "load('string = nil')()\n", 0, "[string \"string = nil\"]:1: the library is read-only");
	expect_load_error(BODY "load('x = 1')()\n", 0, "read-only");
	kp_err_clear(&err);
}
END_TEST

/* ---------- limits ---------- */

START_TEST(test_instruction_limit_load)
{
	expect_load_error(BODY "while true do end\n", 3, "instruction limit");
	/* a pcall inside the file cannot swallow it */
	expect_load_error(BODY "pcall(function() while true do end end)\nlocal x = 1\n", 0, "instruction limit");
}
END_TEST

START_TEST(test_time_limit)
{
	kp_limits lim = { 0, 1LL << 50, 0, NULL };
	kp_rules *r = NULL;
	kp_err err = {0};
	double t0 = kp_sandbox_now();
	int rc;

	lim.timeout = 0.3;
	rc = load_lim(BODY "while true do end\n", &lim, &r, &err);
	ck_assert_int_eq(rc, KP_ERULE);
	ck_assert_msg(strstr(err.msg, "time limit") != NULL, "%s", err.msg);
	ck_assert_double_lt(kp_sandbox_now() - t0, 20);
	kp_err_clear(&err);
}
END_TEST

/* The limit counts rule code only: time between calls (reading data,
 * writing a run) does not use it up. */
START_TEST(test_time_limit_rule_code_only)
{
	kp_limits lim = { 0, 0, 0.3, NULL };
	kp_err err = {0};
	kp_sandbox *sb = kp_sandbox_new(&lim, &err);
	static const char quick[] = "local n = 0 for i = 1, 1000 do n = n + i end return n";
	int i;

	ck_assert_ptr_nonnull(sb);
	ck_assert_int_eq(kp_sandbox_push_env(sb, &err), 0); /* stays on the stack: freed with sb */
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(kp_sandbox_load(sb, "=quick", quick, sizeof quick - 1, -1, &err), 0);
		ck_assert_msg(kp_sandbox_call(sb, 0, 0, 1, &err) == 0, "%s", err.msg);
		usleep(400000); /* more than the limit, outside rule code */
	}
	ck_assert_double_lt(kp_sandbox_rule_seconds(sb), 0.3);
	ck_assert_int_eq(kp_sandbox_in_call(sb), 0);
	kp_sandbox_free(sb);
	kp_err_clear(&err);
}
END_TEST

START_TEST(test_recursion)
{
	expect_load_error(BODY "local function f(n) return f(n + 1) + 1 end\nf(1)\n", 0, "stack overflow");
	/* through metamethods */
	expect_load_error(BODY "local t = setmetatable({}, {}) getmetatable(t).__index = function(s, k) return s[k] end\n"
			       "local x = t.y\n", 0, "stack overflow");
	/* deep nesting in the source */
	{
		char *src = malloc(300000);
		size_t o = (size_t)sprintf(src, "%s", BODY "local x = ");
		int i;
		for (i = 0; i < 100000; i++)
			src[o++] = '(';
		strcpy(src + o, "1");
		o++;
		for (i = 0; i < 100000; i++)
			src[o++] = ')';
		src[o] = '\0';
		expect_load_error(src, 0, "stack overflow");
		free(src);
	}
}
END_TEST

/* While scoring: the limits name the rule file, the indicator and the unit. */
START_TEST(test_limits_while_scoring)
{
	static const char loop[] = BODY
		"section \"T\" { points = 5, indicator \"endless\" { points = 5, score = function(u)\n"
		"  local ok = pcall(function() while true do end end)\n"
		"  return 5 end } }\n";
	static const char mem[] = BODY
		"section \"T\" { points = 5, indicator \"bomb\" { points = 5, score = function(u)\n"
		"  local t = {} for i = 1, 1e9 do t[#t + 1] = ('x'):rep(100) .. i end\n"
		"  return 5 end } }\n";
	static const char units[] = "id,name,cat,x\nu1,one,A,1\n";
	kp_limits lim = { 32u << 20, 1LL << 40, 0, NULL };
	kp_err err = {0};
	int rc;

	rc = score_src(loop, NULL, units, &err);
	ck_assert_int_eq(rc, KP_ERULE);
	ck_assert_msg(strstr(err.msg, "instruction limit") && strstr(err.msg, path) &&
		      strstr(err.msg, "in indicator 'endless' for unit 'u1'"), "%s", err.msg);
	kp_err_clear(&err);
	rc = score_src(mem, &lim, units, &err);
	ck_assert_int_eq(rc, KP_ERULE);
	ck_assert_msg(strstr(err.msg, "memory limit") && strstr(err.msg, "in indicator 'bomb' for unit 'u1'"), "%s",
		      err.msg);
	kp_err_clear(&err);
	lim.max_memory = 0;
	lim.timeout = 0.3;
	rc = score_src(loop, &lim, units, &err);
	ck_assert_int_eq(rc, KP_ERULE);
	ck_assert_msg(strstr(err.msg, "time limit") && strstr(err.msg, "in indicator 'endless' for unit 'u1'"), "%s",
		      err.msg);
	kp_err_clear(&err);
}
END_TEST

/* The instruction budget is per unit: many units each under the limit pass. */
START_TEST(test_budget_per_unit)
{
	static const char src[] = BODY
		"section \"T\" { points = 5, indicator \"busy\" { points = 5, score = function(u)\n"
		"  local n = 0 for i = 1, 60000 do n = n + 1 end return 5 end } }\n";
	kp_limits lim = { 0, 200000, 0, NULL };
	kp_err err = {0};

	ck_assert_msg(score_src(src, &lim, "id,name,cat,x\nu1,a,A,1\nu2,b,A,1\nu3,c,A,1\nu4,d,A,1\n", &err) == 0,
		      "%s", err.msg);
	kp_err_clear(&err);
}
END_TEST

/* ---------- the sandbox while scoring ---------- */

static const struct {
	const char *what, *body, *want;
} scoring_escapes[] = {
	{ "set a global", "counter = (rawget(_G, 'counter') or 0) + 1 return 5", "may not set the global 'counter'" },
	{ "rawset a global", "rawset(_G, 'counter', 1) return 5", "" },
	{ "unfreeze", "getmetatable(_G).frozen = false counter = 1 return 5", "" },
	{ "drop the env's metatable", "setmetatable(_G, nil) return 5", "" },
	{ "write the unit", "u.x = 3 return 5", "read-only" },
	{ "write the unit raw", "rawset(u, 'x', 3) return 5", "" },
	{ "write ctx", "ctx.max = nil return 5", "read-only" },
	{ "rawset ctx", "rawset(ctx, 'max', print) return 5", "" },
	{ "write string", "string.upper = string.lower return 5", "read-only" },
	{ "string metatable", "getmetatable('').__index = {} return 5", "index" },
	{ "unknown name", "return undefined_helper(u)", "unknown name 'undefined_helper'" },
	{ "io", "io.write('x') return 5", "unknown name 'io'" },
};

START_TEST(test_scoring_escape)
{
	char src[2048];
	kp_err err = {0};
	int rc;

	snprintf(src, sizeof src, "%s"
		 "section \"T\" { points = 5, indicator \"sneaky\" { points = 5, score = function(u, ctx)\n"
		 "  %s end } }\n", BODY, scoring_escapes[_i].body);
	rc = score_src(src, NULL, "id,name,cat,x\nu1,one,A,1\nu2,two,A,1\n", &err);
	ck_assert_msg(rc == KP_ERULE, "%s: expected a rule error, got %d: %s", scoring_escapes[_i].what, rc, err.msg);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, ":4:") &&
		      strstr(err.msg, "in indicator 'sneaky' for unit 'u1'") && strstr(err.msg, scoring_escapes[_i].want),
		      "%s: %s", scoring_escapes[_i].what, err.msg);
	kp_err_clear(&err);
}
END_TEST

/* ---------- validation of the declarations ---------- */

#define S10 "section \"S\" { points = 10,\n"
static const struct {
	const char *src, *want;
	int line;
} invalid[] = {
	{ HEAD S10 "  indicator \"I\" { score = target(\"x\", 1) } }\n", "points must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = -1, score = target(\"x\", 1) } }\n", "points must be above 0", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 6, score = target(\"x\", 1) },\n"
		   "  indicator \"J\" { points = 3, score = target(\"x\", 1) } }\n",
	  "section 'S' has 10 points but its indicators add up to 9", 3 },
	{ HEAD "section \"S\" { points = 5 }\n", "section 'S' has no indicators", 3 },
	{ HEAD "section \"S\" { indicator \"I\" { points = 5, score = target(\"x\", 1) } }\n",
	  "section \"S\": points must be a finite number", 3 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(\"x\", 1) } }\n"
		   "indicator \"J\" { points = 1, score = target(\"x\", 1) }\n",
	  "indicator 'J' is not inside a section", 5 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(\"x\", 1) } }\n"
		   "section \"S\" { points = 1, indicator \"J\" { points = 1, score = target(\"x\", 1) } }\n",
	  "section 'S' is declared twice", 5 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = 5 } }\n", "score must be a helper", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, missing = \"maybe\", score = target(\"x\", 1) } }\n",
	  "missing must be \"skip\" or \"error\"", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, default = {}, score = target(\"x\", 1) } }\n",
	  "default must be a number or a text", 4 },
	{ HEAD "section \"S\" { points = 10, pts = 3,\n  indicator \"I\" { points = 10, score = target(\"x\", 1) } }\n",
	  "unknown field 'pts'", 3 },
	{ HEAD "section \"S\" { points = 10, 7 }\n", "item 1 is not an indicator or a deduction", 3 },
	{ HEAD "local i = indicator \"I\" { points = 5, score = target(\"x\", 1) }\n"
	       "section \"S\" { points = 5, i }\nsection \"T\" { points = 5, i }\n",
	  "already in section \"S\"", 5 },
	{ HEAD "indicator \"\" { points = 5 }\n", "indicator needs a name", 3 },
	{ HEAD "section \"S\" \"x\"\n", "section \"S\" needs a table", 3 },
	/* helpers */
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(\"x\") } }\n", "target: give the goal, a number or the column", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(\"x\", 0/0) } }\n", "target: the goal must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(\"x\", 0) } }\n", "target: the goal must be above 0", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(5, 1) } }\n", "target: the first argument must be a column", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(\"\", 1) } }\n", "target: the first argument", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = ratio_to_best(\"x\", {scope = \"world\"}) } }\n",
	  "ratio_to_best: scope must be \"all\" or \"category\"", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = min_max(\"x\", \"all\") } }\n", "min_max: options must be a table", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = rank_points(\"x\", {}) } }\n", "rank_points: give the points by rank", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = rank_points(\"x\", {10, \"8\"}) } }\n",
	  "rank_points: points[2] must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = rank_points(\"x\", {10}, {order = \"up\"}) } }\n",
	  "rank_points: order must be \"asc\" or \"desc\"", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = bands(\"x\", {{0.9, 8}, {0.95, 10}}) } }\n",
	  "bands: thresholds must go from the highest down (band 2)", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = bands(\"x\", {0.9, 8}) } }\n", "bands: band 1 must be {threshold, points}", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = bands(\"x\", {{0.9}}) } }\n", "the points of band 1 must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = bands(\"x\") } }\n", "bands: give the bands", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = yes_no(\"x\", \"a\") } }\n", "yes_no: the points must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = yes_no(nil) } }\n", "yes_no: the first argument", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = lookup(\"x\", {}) } }\n", "lookup: give the table of values", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = lookup(\"x\", {a = \"five\"}) } }\n",
	  "lookup: the value for a must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = lookup(\"x\", {a = 1}, {default = \"0\"}) } }\n",
	  "lookup: default must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = per_item(\"x\") } }\n", "per_item: the points per item must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = per_item(\"x\", 2, 0/0) } }\n", "per_item: the maximum must be a finite number", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(agg.count(\"nope\"), 1) } }\n",
	  "no events declared as 'nope'", 4 },
	{ HEAD S10 "  indicator \"I\" { points = 10, score = target(agg.count(5), 1) } }\n", "agg.count: the first argument", 4 },
	{ HEAD "events \"E\" { file = \"e.csv\", unit = \"id\" }\n" S10
	       "  indicator \"I\" { points = 10, score = target(agg.sum(\"E\"), 1) } }\n",
	  "agg.sum: the second argument is a column", 5 },
	{ HEAD "events \"E\" { file = \"e.csv\", unit = \"id\" }\n" S10
	       "  indicator \"I\" { points = 10, score = target(agg.count(\"E\", 3), 1) } }\n",
	  "a filter is a table", 5 },
	/* deductions, bonus, veto, events */
	{ BODY "deduction \"D\" { per = 2 }\n", "deduction \"D\" count: the first argument", 3 },
	{ BODY "deduction \"D\" { count = \"n\" }\n", "per (points per item) must be a finite number", 3 },
	{ BODY "deduction \"D\" { points = 3 }\n", "points must be a function", 3 },
	{ BODY "deduction \"D\" { per = 1, count = \"n\", max = \"6\" }\n", "max must be a finite number", 3 },
	{ BODY "bonus \"B\" { score = yes_no(\"y\") }\n", "bonus \"B\": max is needed", 3 },
	{ BODY "bonus \"B\" { score = target(\"y\", 3) }\n", "it may be left out only when the points are fixed", 3 },
	{ BODY "bonus \"B\" { max = \"3\", score = yes_no(\"y\", 3) }\n", "bonus \"B\": max must be a finite number", 3 },
	{ BODY "bonus \"B\" { max = 3 }\n", "bonus \"B\": score must be a helper", 3 },
	{ BODY "veto \"V\" { }\n", "veto \"V\" when: the first argument", 3 },
	{ BODY "veto \"V\" { when = \"x\", reason = 3 }\n", "reason must be a text or a function", 3 },
	{ BODY "events \"E\" { unit = \"id\" }\n", "say file = \"x.csv\" or data = \"name\"", 3 },
	{ BODY "events \"E\" { file = \"e.csv\" }\n", "unit = \"the unit id column\" is needed", 3 },
	{ BODY "events \"E\" { file = \"e.csv\", unit = \"id\" }\nevents \"E\" { file = \"f.csv\", unit = \"id\" }\n",
	  "events 'E' is declared twice", 4 },
	/* assessment */
	{ BODY "assessment { }\n", "assessment is declared twice (first at", 3 },
	{ "assessment { unit = { id = \"id\", name = \"name\" }, categories = { \"A\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "unit = { id = ", 1 },
	{ "assessment { unit = { id = \"id\", name = \"name\", category = \"c\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "categories = ", 1 },
	{ "assessment { unit = { id = \"id\", name = \"name\", category = \"c\" }, categories = { {\"A\"}, \"A\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "category 'A' is declared twice", 1 },
	{ "assessment { unit = { id = \"id\", name = \"name\", category = \"c\" }, categories = { {\"A\", commend = 1.5} } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "commend quota must be a whole number", 1 },
	{ "assessment { precision = 7, unit = { id = \"id\", name = \"name\", category = \"c\" }, categories = { \"A\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "precision must be a whole number from 0 to 6", 1 },
	{ "assessment { compare_precision = 16, unit = { id = \"id\", name = \"name\", category = \"c\" }, categories = { \"A\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "compare_precision must be a whole number from 0 to 15", 1 },
	{ "assessment { compare_precision = \"6\", unit = { id = \"id\", name = \"name\", category = \"c\" }, categories = { \"A\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "compare_precision must be a whole number from 0 to 15", 1 },
	{ "assessment { precision = 3, compare_precision = 2, unit = { id = \"id\", name = \"name\", category = \"c\" }, categories = { \"A\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "compare_precision must be at least the precision", 1 },
	{ "assessment { round = \"up\", unit = { id = \"id\", name = \"name\", category = \"c\" }, categories = { \"A\" } }\n"
	  "section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n",
	  "round must be \"items\" or \"total\"", 1 },
	/* per-unit targets, strict bands, otherwise, done */
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = target(\"x\") } }\n",
	  "target: give the goal, a number or the column", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = bands(\"x\", { {0.12, 3}, {gt = 0.12, 2} }) } }\n",
	  "thresholds must go from the highest down (band 2)", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = bands(\"x\", { {0.12, 3}, {0.12, 2} }) } }\n",
	  "thresholds must go from the highest down (band 2)", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = bands(\"x\", { {ge = 0.12, 3} }) } }\n",
	  "band 1: unknown field 'ge'", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = bands(\"x\", { {0.1, 3} }, { otherwize = 1 }) } }\n",
	  "bands: unknown option 'otherwize'", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = bands(\"x\", { {0.1, 3} }, { otherwise = \"1\" }) } }\n",
	  "otherwise must be a finite number", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = done(\"x\", \"2\") } }\n",
	  "the points when not done must be a finite number", 3 },
	/* given, blend, the trimmed mean */
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = given(5) } }\n",
	  "given: the first argument must be a column", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3,\n"
	  "  score = blend { {given(\"x\"), 0.8}, {given(\"y\"), 0.15} } } }\n",
	  "blend: the weights must add up to 1 (100%), they add up to 0.95", 4 }, /* the line of the blend */
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3,\n"
	  "  score = blend { {given(\"x\"), 0.85}, {given(\"y\"), 0.15}, {\"z\", 0.1} } } }\n",
	  "they add up to 1.1", 4 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = blend { {\"x\", 0}, {\"y\", 1} } } }\n",
	  "blend: part 1: the weight must be above 0", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = blend { {\"x\", \"85%\"}, {\"y\", 0.15} } } }\n",
	  "blend: part 1: the weight must be a finite number", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = blend { {yes_no(\"x\"), 1} } } }\n",
	  "blend: part 1: a part is a value", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = blend { {\"x\", 1}, scal = 10 } } }\n",
	  "blend: unknown field 'scal'", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = blend { {\"x\", 1, scale = 0} } } }\n",
	  "blend: part 1: scale must be above 0", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = blend {} } }\n",
	  "blend: give the parts and their weights", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = given(agg.trimmed_avg(\"E\")) } }\n",
	  "agg.trimmed_avg: the second argument is a column", 3 },
	/* categories, per-category grades and conditions, count quotas */
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, categories = {\"县\"}, score = target(\"x\", 1) } }\n",
	  "indicator 'L': '县' is not one of the categories", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, categories = \"A\", score = target(\"x\", 1) } }\n",
	  "categories lists the categories assessed on it", 3 },
	{ BODY "grades { {\"优秀\", 90, count = 1.5}, {\"良好\", 0} }\n", "count is a whole number of units", 3 },
	{ BODY "grades { {\"优秀\", 90, count = 2, quota = 0.2}, {\"良好\", 0} }\n", "a quota (a share) or a count, not both", 3 },
	{ BODY "grades { {\"优秀\", 90, by_category = { B = 80 } }, {\"良好\", 0} }\n", "maps categories of the assessment", 3 },
	{ BODY "grades { {\"优秀\", 90, by_category = { A = 50 } }, {\"良好\", 60} }\n",
	  "in category 'A', '良好' must have a lower minimum than '优秀'", 3 },
	{ BODY "commend { by_category = { B = { min_score = 80 } } }\n", "by_category names a category that is not declared: 'B'", 3 },
	{ BODY "commend { by_category = { A = { min_scor = 80 } } }\n", "unknown field 'min_scor'", 3 },
	/* deadlines and dated logs (issue 15.8) */
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(\"d\", {}) } }\n",
	  "deadline: give the dates", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(\"d\", { {20240331, 3} }) } }\n",
	  "deadline: date 1 must be {\"2024-03-31\", points} (the date a text)", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(\"d\", { {\"2024-03-31\"} }) } }\n",
	  "the points of date 1 must be a finite number", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(\"d\", { {\"2023-02-29\", 3} }) } }\n",
	  "deadline: date 1 '2023-02-29' is not a date: there is no such day (February has 28 days", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(\"d\", { {\"2024-13-01\", 3} }) } }\n",
	  "'2024-13-01' is not a date: there is no such month", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3,\n"
	  "  score = deadline(\"d\", { {\"2024-04-15\", 3}, {\"2024/4/15\", 1} }) } }\n",
	  "deadline: the dates must go from the earliest on (date 2, '2024/4/15')", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(\"d\", { {\"2024-04-15\", 3} }, { otherwize = 0 }) } }\n",
	  "deadline: unknown option 'otherwize'", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(\"d\", { {\"2024-04-15\", 3, late = 1} }) } }\n",
	  "deadline: date 1 is {\"2024-03-31\", points}, not 'late'", 3 },
	{ BODY "events \"E\" { data = \"e\", unit = \"id\" }\n"
	  "section \"C\" { points = 3, indicator \"L\" { points = 3, score = deadline(agg.count(\"E\"), { {\"2024-04-15\", 3} }) } }\n",
	  "deadline: the first argument must be the date column", 4 },
	{ BODY "events \"E\" { data = \"e\", unit = \"id\" }\n"
	  "section \"C\" { points = 3, indicator \"L\" { points = 3, score = per_item(agg.late(\"E\", \"due\"), 1) } }\n",
	  "agg.late: the third argument (the submitted date) is a column of the event file", 4 },
	{ BODY "events \"E\" { data = \"e\", unit = \"id\" }\n"
	  "section \"C\" { points = 3, indicator \"L\" { points = 3, score = per_item(agg.missing(\"E\"), 1) } }\n",
	  "agg.missing: the second argument (the submitted date) is a column", 4 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = per_item(agg.late(\"F\", \"a\", \"b\"), 1) } }\n",
	  "agg: no events declared as 'F'", 3 },
	/* checklists */
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = {} } }\n",
	  "checklist lists the conditions", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {\"a\", 1} } } }\n",
	  "condition 1: say when = \"yes/no column\" or per = \"count column\"", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {\"a\", 1, when = \"x\", per = \"y\"} } } }\n",
	  "(one of them)", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {\"a\", 4, when = \"x\"} } } }\n",
	  "deducts 4 points, more than the item's 3", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {\"a\", 0, when = \"x\"} } } }\n",
	  "the points must be above 0", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {\"a\", 1, when = \"x\", iss = false} } } }\n",
	  "unknown field 'iss'", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {\"a\", 1, when = \"x\", is = \"否\"} } } }\n",
	  "is = true or false goes with when", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {\"a\", 1, when = \"x\", max = 2} } } }\n",
	  "max (above 0) caps a per-item deduction", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, checklist = { {1, 1, per = \"x\"} } } }\n",
	  "condition 1 is {\"what\", points", 3 },
	{ BODY "section \"C\" { points = 3, indicator \"L\" { points = 3, score = target(\"x\", 1), checklist = { {\"a\", 1, per = \"x\"} } } }\n",
	  "give score or checklist, not both", 3 },
	/* grades */
	{ BODY "grades { {\"优秀\", 90}, {\"优秀\", 80} }\n", "grades: '优秀' appears twice", 3 },
	{ BODY "grades { {\"优秀\", 80}, {\"良好\", 90} }\n", "'良好' must have a lower minimum than '优秀'", 3 },
	/* the last grade takes every unit below the others: a minimum there would not hold */
	{ BODY "grades { {\"优秀\", 90}, {\"合格\", 60} }\n", "the last grade, '合格', is given to every unit below the grades before it, so its minimum 60", 3 },
	{ BODY "grades { {\"优秀\", 90}, {\"合格\", 0, by_category = { A = 10 } } }\n", "its minimum 10 (category 'A')", 3 },
	{ BODY "grades { {\"优秀\", 90}, {\"良好\", 90} }\n", "'良好' must have a lower minimum than '优秀'", 3 },
	{ BODY "grades { {\"优秀\", 90, quota = 1.5}, {\"良好\", 0} }\n", "a quota is a share above 0 and at most 1", 3 },
	/* a share of 0 was no quota at all, while 0.01 of 5 units kept none */
	{ BODY "grades { {\"优秀\", 90, quota = 0}, {\"良好\", 0} }\n", "a quota is a share above 0 and at most 1", 3 },
	/* a section named as a report's column: the CSV had two columns 总分 */
	{ HEAD "section \"总分\" { points = 10, indicator \"I\" { points = 10, score = yes_no(\"x\") } }\n",
	  "has the name of a column every report has", 3 },
	{ HEAD "section \"Deductions\" { points = 10, indicator \"I\" { points = 10, score = yes_no(\"x\") } }\n",
	  "has the name of a column every report has", 3 },
	/* no grade below the last to move a unit down to: the quota did nothing */
	{ BODY "grades { {\"优秀\", 90}, {\"良好\", 0, quota = 0.1} }\n", "a quota or count there would move no unit down", 3 },
	{ BODY "grades { {\"优秀\", 90}, {\"良好\", 0, count = 2} }\n", "a quota or count there would move no unit down", 3 },
	{ BODY "grades { {\"优秀\", 90, quota = \"20%\"}, {\"良好\", 0} }\n", "a quota is a share of the category", 3 },
	{ BODY "grades { {\"优秀\", 90}, quota_ties = \"some\" }\n", "quota_ties must be \"all\" or \"none\"", 3 },
	{ BODY "grades { }\n", "grades: give the bands", 3 },
	{ BODY "grades { {90, \"优秀\"} }\n", "each grade is {\"name\", minimum score", 3 },
	{ BODY "grades { {\"a\", 1} }\ngrades { {\"a\", 1} }\n", "grades is declared twice", 4 },
	/* commendation */
	{ BODY "grades { {\"优秀\", 90}, {\"良好\", 0} }\ncommend { min_grade = \"特优\" }\n",
	  "commend: min_grade '特优' is not one of the grades", 4 },
	{ BODY "commend { tie_break = { \"X\" } }\n", "commend: tie_break 'X' is not a section", 3 },
	{ BODY "commend { tie_break = { {} } }\n", "tie_break lists section names", 3 },
	{ BODY "commend { }\ncommend { }\n", "commend is declared twice", 4 },
	/* test cases */
	{ BODY "case \"c\" { expect = { total = 1 } }\n", "case \"c\": unit = { column = value", 3 },
	{ BODY "case \"c\" { unit = { x = 1 } }\n", "case \"c\": expect = { total =", 3 },
};

START_TEST(test_invalid)
{
	expect_load_error(invalid[_i].src, invalid[_i].line, invalid[_i].want);
}
END_TEST

START_TEST(test_no_assessment)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	int rc = load("section \"S\" { points = 1, indicator \"I\" { points = 1, score = target(\"x\", 1) } }\n", &r, &err);

	ck_assert_int_eq(rc, KP_ERULE);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, "no assessment"), "%s", err.msg);
	rc = load(HEAD, &r, &err);
	ck_assert_int_eq(rc, KP_ERULE);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, "no section declared"), "%s", err.msg);
	rc = kp_rules_load("/nonexistent/rules.lua", NULL, 0, &r, &err);
	ck_assert_int_eq(rc, KP_ENOINPUT);
	ck_assert_msg(strstr(err.msg, "/nonexistent/rules.lua") != NULL, "%s", err.msg);
	kp_err_clear(&err);
}
END_TEST

/* ---------- what a valid file compiles to ---------- */

static const char full[] =
	"assessment { title = \"县考核\", year = 2021, precision = 1, round = \"total\",\n"
	"  unit = { id = \"代码\", name = \"名称\", category = \"类别\" },\n"
	"  categories = { {\"镇\", commend = 2}, {\"部门\", commend = 9}, \"其他\" },\n"
	"  bonus_max = 5, max_total = 100 }\n"
	"events \"案卷\" { file = \"cases/case_reviews.csv\", unit = \"被评单位\" }\n"
	"section \"一\" { points = 30,\n"
	"  indicator \"目标\" { points = 5, score = target(\"学法次数\", 6) },\n"
	"  indicator \"最高\" { points = 5, score = ratio_to_best(\"公开条数\") },\n"
	"  indicator \"全部最高\" { points = 5, score = ratio_to_best(\"公开条数\", { scope = \"all\" }) },\n"
	"  indicator \"极差\" { points = 5, score = min_max(\"意见数\") },\n"
	"  indicator \"名次\" { points = 10, score = rank_points(\"采用条数\", {10, 8, 6}, {order = \"asc\"}) },\n"
	"  deduction \"迟报\" { per = 1, max = 3, count = \"迟报次数\" },\n"
	"}\n"
	"section \"二\" { points = 70,\n"
	"  indicator \"分档\" { points = 10, score = bands(\"持证率\", {{0.95, 10}, {0.9, 8}}) },\n"
	"  indicator \"是否\" { points = 5, score = yes_no(\"印发要点\") },\n"
	"  indicator \"是否3\" { points = 5, score = yes_no(\"示范\", 3) },\n"
	"  indicator \"对照\" { points = 10, score = lookup(\"等次\", {[\"优秀\"] = 10}, {default = 2}) },\n"
	"  indicator \"每件\" { points = 10, score = per_item(\"问题数\", 2, 6) },\n"
	"  indicator \"每件无上限\" { points = 10, score = per_item(\"问题数2\", 2.5) },\n"
	"  indicator \"平均\" { points = 10, default = 0, missing = \"skip\", clamp = false,\n"
	"    score = target(agg.avg(\"案卷\", \"得分\", { [\"类型\"] = \"处罚\" }), 100) },\n"
	"  indicator \"函数\" { points = 10, desc = \"自定义说明\", score = function(u) return 10 end },\n"
	"}\n"
	"deduction \"复议\" { per = 2, max = 6, count = \"复议纠错数\" }\n"
	"deduction \"其他\" { points = function(u) return 1, \"通报\" end, max = 5 }\n"
	"bonus \"示范创建\" { max = 3, score = yes_no(\"示范创建\") }\n"
	"bonus \"件数\" { max = 2, score = bands(agg.count(\"案卷\", function(r) return true end), {{3, 2}}) }\n"
	"veto \"过错\" { when = \"重大过错\", reason = \"发生重大过错\" }\n"
	"veto \"事故\" { when = function(u) return false end, reason = function(u) return \"x\" end }\n"
	"veto \"件\" { when = agg.max(\"案卷\", \"扣分\") }\n"
	"grades { {\"优秀\", 90, quota = 0.2}, {\"良好\", 80}, {\"合格\", 60}, {\"不合格\", 0}, quota_ties = \"none\" }\n"
	"commend { min_grade = \"良好\", min_score = 85, eligible = function(r) return true end,\n"
	"  tie_break = { \"二\", \"deductions\", \"bonus\", \"扣分\", \"加分\" } }\n"
	"case \"c1\" { unit = { [\"学法次数\"] = 6 }, expect = { total = 1 } }\n";

START_TEST(test_compiled)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	size_t i;

	ck_assert_msg(load(full, &r, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(r->title, "县考核");
	ck_assert_int_eq(r->year, 2021);
	ck_assert_int_eq(r->precision, 1);
	ck_assert_int_eq(r->round_items, 0);
	ck_assert_str_eq(r->id_col, "代码");
	ck_assert_str_eq(r->name_col, "名称");
	ck_assert_str_eq(r->cat_col, "类别");
	ck_assert_int_eq(r->ncat, 3);
	ck_assert_str_eq(r->cat[0].name, "镇");
	ck_assert_int_eq(r->cat[0].quota, 2);
	ck_assert_str_eq(r->cat[1].name, "部门");
	ck_assert_int_eq(r->cat[1].quota, 9);
	ck_assert_str_eq(r->cat[2].name, "其他");
	ck_assert_int_eq(r->cat[2].quota, 0);
	ck_assert(r->has_bonus_max && r->bonus_max == 5);
	ck_assert(r->has_max_total && r->max_total == 100);
	ck_assert_int_eq(r->nevent, 1);
	ck_assert_str_eq(r->event[0].data, "case_reviews");
	ck_assert_str_eq(r->event[0].unit, "被评单位");
	ck_assert_int_eq(r->nsec, 2);
	ck_assert_double_eq(r->full_points, 100);
	ck_assert_int_eq(r->sec[0].first, 0);
	ck_assert_int_eq(r->sec[0].count, 5);
	ck_assert_int_eq(r->sec[1].first, 5);
	ck_assert_int_eq(r->sec[1].count, 8);
	ck_assert_int_eq(r->nind, 13);
	ck_assert_int_eq(r->ind[0].m.kind, KP_M_TARGET);
	ck_assert_double_eq(r->ind[0].m.goal, 6);
	ck_assert_int_eq(r->ind[1].m.kind, KP_M_RATIO);
	ck_assert_int_eq(r->ind[1].m.scope_all, 0);
	ck_assert_int_eq(r->ind[2].m.scope_all, 1);
	ck_assert_int_eq(r->ind[3].m.kind, KP_M_MINMAX);
	ck_assert_int_eq(r->ind[4].m.kind, KP_M_RANK);
	ck_assert_int_eq(r->ind[4].m.asc, 1);
	ck_assert_int_eq(r->ind[4].m.n, 3);
	ck_assert_int_eq(r->ind[5].m.kind, KP_M_BANDS);
	ck_assert_double_eq(r->ind[5].m.thr[1], 0.9);
	ck_assert_double_eq(r->ind[5].m.pts[1], 8);
	ck_assert_int_eq(r->ind[7].m.has_default, 1);
	ck_assert_double_eq(r->ind[7].m.dflt, 3);
	ck_assert_int_eq(r->ind[8].m.kind, KP_M_LOOKUP);
	ck_assert(r->ind[8].m.has_default && r->ind[8].m.dflt == 2);
	ck_assert_int_eq(r->ind[9].m.kind, KP_M_PERITEM);
	ck_assert(r->ind[9].m.has_max && r->ind[9].m.max == 6 && r->ind[9].m.per == 2);
	ck_assert_int_eq(r->ind[10].m.has_max, 0);
	ck_assert_int_eq(r->ind[11].m.src.kind, KP_SRC_AGG);
	ck_assert_int_eq(r->ind[11].m.src.op, KP_AGG_AVG);
	ck_assert_int_eq(r->ind[11].m.src.nfilter, 1);
	ck_assert_str_eq(r->ind[11].m.src.fcol[0], "类型");
	ck_assert_str_eq(r->ind[11].m.src.fval[0], "处罚");
	ck_assert(r->ind[11].has_default && r->ind[11].skip_missing && !r->ind[11].clamp);
	ck_assert(r->ind[0].clamp);
	ck_assert_int_eq(r->ind[12].m.kind, KP_M_FUNC);
	ck_assert_str_eq(r->ind[12].desc, "自定义说明");
	ck_assert_int_eq(r->nded, 3);
	for (i = 0; i < r->nded && strcmp(r->ded[i].name, "迟报"); i++)
		;
	ck_assert_int_eq(r->ded[i].section, 0);
	for (i = 0; i < r->nded && strcmp(r->ded[i].name, "复议"); i++)
		;
	ck_assert_int_eq(r->ded[i].section, -1);
	ck_assert(r->ded[i].has_max && r->ded[i].max == 6 && r->ded[i].per == 2);
	ck_assert_int_eq(r->nbon, 2);
	ck_assert_int_eq(r->bon[1].m.src.op, KP_AGG_COUNT);
	ck_assert_int_ne(r->bon[1].m.src.ref, 0);
	ck_assert_int_eq(r->nveto, 3);
	ck_assert_str_eq(r->veto[0].reason, "发生重大过错");
	ck_assert_int_ne(r->veto[1].reason_ref, 0);
	ck_assert_int_eq(r->ngrade, 4);
	ck_assert_double_eq(r->grade[0].quota, 0.2);
	ck_assert_int_eq(r->quota_ties_none, 1);
	ck_assert_int_eq(r->commend_min_grade, 1);
	ck_assert(r->has_min_score && r->commend_min_score == 85);
	ck_assert_int_ne(r->eligible_ref, 0);
	ck_assert_int_eq(r->ntie, 5);
	ck_assert_int_eq(r->tie[0].kind, KP_TIE_SECTION);
	ck_assert_int_eq(r->tie[0].section, 1);
	ck_assert_int_eq(r->tie[1].kind, KP_TIE_DEDUCTIONS);
	ck_assert_int_eq(r->tie[2].kind, KP_TIE_BONUS);
	ck_assert_int_eq(r->tie[3].kind, KP_TIE_DEDUCTIONS);
	ck_assert_int_eq(r->tie[4].kind, KP_TIE_BONUS);
	ck_assert_int_eq(r->ncase, 1);
	ck_assert_int_eq(r->uses_lua, 1);
	ck_assert_ptr_nonnull(r->sha256);
	ck_assert_int_eq(strlen(r->sha256), 64);
	ck_assert(strstr(r->ind[0].where, path) && strstr(r->ind[0].where, ":7"));
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

START_TEST(test_defaults)
{
	kp_rules *r = NULL;
	kp_err err = {0};

	ck_assert_msg(load(BODY, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->precision, 2);
	ck_assert_int_eq(r->compare, 6);
	ck_assert_int_eq(r->round_items, 1);
	ck_assert_int_eq(r->has_bonus_max, 0);
	ck_assert_int_eq(r->has_max_total, 0);
	ck_assert_int_eq(r->ngrade, 0);
	ck_assert_int_eq(r->commend_min_grade, -1);
	ck_assert_int_eq(r->ntie, 0);
	ck_assert_int_eq(r->uses_lua, 0);
	ck_assert_int_eq(r->ncase, 0);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* office and basis: who issues, scores or sends, and what a criterion rests
 * on; texts, kept as written, NULL when left out. */
START_TEST(test_office_basis)
{
	kp_rules *r = NULL;
	kp_err err = {0};

	ck_assert_msg(load("assessment { title = \"t\", office = \"陇县司法局\", basis = \"《方案》\",\n"
			   "  unit = { id = \"id\", name = \"name\", category = \"cat\", office = \"县政府办\" },\n"
			   "  categories = { {\"A\", commend = 1} } }\n"
			   "events \"E\" { data = \"e\", unit = \"id\", office = \"县司法局\" }\n"
			   "section \"S\" { points = 10, indicator \"I\" { points = 10, score = target(\"x\", 1),\n"
			   "  basis = \"《规定》\", office = \"法制股\" },\n"
			   "  deduction \"D\" { per = 1, count = \"d\", office = \"监督股\" } }\n",
			   &r, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(r->office, "陇县司法局");
	ck_assert_str_eq(r->basis, "《方案》");
	ck_assert_str_eq(r->unit_office, "县政府办");
	ck_assert_str_eq(r->event[0].office, "县司法局");
	ck_assert_str_eq(r->ind[0].basis, "《规定》");
	ck_assert_str_eq(r->ind[0].office, "法制股");
	ck_assert_ptr_null(r->ded[0].basis);
	ck_assert_str_eq(r->ded[0].office, "监督股");
	kp_rules_free(r);
	r = NULL;
	ck_assert_msg(load(BODY, &r, &err) == 0, "%s", err.msg);
	ck_assert_ptr_null(r->office);
	ck_assert_ptr_null(r->ind[0].basis);
	kp_rules_free(r);
	r = NULL;
	assert_rule_error(load(HEAD "section \"S\" { points = 10, indicator \"I\" { points = 10,\n"
			       "  score = target(\"x\", 1), basis = 3 } }\n", &r, &err),
			  &err, 3, "basis must be a text");
	kp_err_clear(&err);
}
END_TEST

START_TEST(test_numeric_columns)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	const char **cols = NULL;
	size_t n, i;
	static const char *const numeric[] = {
		"学法次数", "公开条数", "意见数", "采用条数", "持证率", "问题数", "问题数2", "得分", "迟报次数",
		"复议纠错数", "扣分"
	};
	static const char *const text[] = {
		"印发要点", "示范", "等次", "示范创建", "重大过错", "类型", "代码", "名称", "类别", "被评单位", "nothing"
	};
	static const char *const mentioned[] = {
		"代码", "名称", "类别", "被评单位", "学法次数", "公开条数", "意见数", "采用条数", "持证率", "印发要点",
		"示范", "等次", "问题数", "问题数2", "得分", "类型", "迟报次数", "复议纠错数", "示范创建", "重大过错", "扣分"
	};

	ck_assert_msg(load(full, &r, &err) == 0, "%s", err.msg);
	for (i = 0; i < sizeof numeric / sizeof *numeric; i++)
		ck_assert_msg(kp_rules_is_numeric(r, numeric[i]), "%s should be numeric", numeric[i]);
	for (i = 0; i < sizeof text / sizeof *text; i++)
		ck_assert_msg(!kp_rules_is_numeric(r, text[i]), "%s should be text", text[i]);
	n = kp_rules_columns(r, &cols, &err);
	ck_assert_ptr_nonnull(cols);
	ck_assert_int_eq(n, sizeof mentioned / sizeof *mentioned);
	for (i = 0; i < sizeof mentioned / sizeof *mentioned; i++) {
		size_t j;
		for (j = 0; j < n && strcmp(cols[j], mentioned[i]); j++)
			;
		ck_assert_msg(j < n, "%s is not among the columns", mentioned[i]);
	}
	for (i = 0; i + 1 < n; i++) {
		size_t j;
		for (j = i + 1; j < n; j++)
			ck_assert_str_ne(cols[i], cols[j]);
	}
	free(cols);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* ---------- criteria in words ---------- */

/* A method in words, into out (emptied first). */
static const char *words(const kp_rules *r, const kp_method *m, double points, kp_sb *out)
{
	kp_err err = {0};

	kp_sb_reset(out);
	kp_rules_describe(r, m, points, KP_LANG_ZH, out);
	ck_assert_int_eq(kp_sb_status(out, &err), 0);
	return kp_sb_str(out);
}

static const char *describe(const kp_rules *r, const char *ind, kp_sb *out)
{
	size_t i;

	for (i = 0; i < r->nind; i++)
		if (!strcmp(r->ind[i].name, ind))
			return words(r, &r->ind[i].m, r->ind[i].points, out);
	ck_abort_msg("no indicator %s", ind);
	return NULL;
}

START_TEST(test_describe)
{
	static const struct {
		const char *ind, *words[6];
	} cases[] = {
		{ "目标", { "学法次数 ÷ 目标6 × 5分", "完成率最高按100%计" } },
		{ "最高", { "公开条数 ÷ 同类单位最高值 × 5分" } },
		{ "全部最高", { "公开条数 ÷ 全部单位最高值 × 5分" } },
		{ "极差", { "(意见数 − 同类单位最低值) ÷ (最高值 − 最低值) × 5分" } },
		{ "名次", { "按采用条数从低到高排名", "第1名10分", "第2名8分", "第3名6分", "其余0分" } },
		{ "分档", { "按持证率", "≥0.95得10分", "≥0.9得8分", "其余0分" } },
		{ "是否", { "印发要点: 是得5分, 否得0分" } },
		{ "是否3", { "示范: 是得3分, 否得0分" } },
		{ "对照", { "按等次", "优秀 10分", "其余2分" } },
		{ "每件", { "满分10分, 问题数每件扣2分, 最多扣6分" } },
		{ "每件无上限", { "满分10分, 问题数2每件扣2.5分, 扣完为止" } },
		{ "平均", { "案卷(筛选)平均得分 ÷ 目标100 × 10分" } },
		{ "函数", { "按规则函数计分 (满分10分)" } },
	};
	kp_rules *r = NULL;
	kp_err err = {0};
	kp_sb sb = {0};
	size_t i, k;

	ck_assert_msg(load(full, &r, &err) == 0, "%s", err.msg);
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *w = describe(r, cases[i].ind, &sb);
		for (k = 0; k < 6 && cases[i].words[k]; k++)
			ck_assert_msg(strstr(w, cases[i].words[k]) != NULL, "%s: '%s' does not say '%s'", cases[i].ind, w,
				      cases[i].words[k]);
	}
	/* appended to what the builder holds */
	kp_sb_reset(&sb);
	kp_sb_puts(&sb, "» ");
	kp_rules_describe(r, &r->ind[0].m, r->ind[0].points, KP_LANG_ZH, &sb);
	ck_assert_str_eq(kp_sb_str(&sb), "» 学法次数 ÷ 目标6 × 5分, 完成率最高按100%计");
	kp_sb_free(&sb);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* A checklist compiles into its conditions; its criteria read like the
 * published 扣分标准; count columns are numbers, yes/no columns text. */
START_TEST(test_checklist)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	const char **cols = NULL;
	kp_sb sb = {0};
	size_t n, i, found = 0;

	ck_assert_msg(load(HEAD "section \"一\" { points = 3,\n"
			   "  indicator \"组织领导\" { points = 3, checklist = {\n"
			   "    {\"没有总体方案\", 3, when = \"有总体方案\", is = false},\n"
			   "    {\"未及时备案\", 1, when = \"备案及时\", is = false},\n"
			   "    {\"迟报\", 0.5, per = \"迟报次数\"},\n"
			   "    {\"漏报\", 1, per = \"漏报次数\", max = 2, unit = \"项\"} } } }\n",
			   &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->ind[0].m.kind, KP_M_CHECKLIST);
	ck_assert_int_eq(r->ncheck, 4);
	ck_assert_str_eq(r->check[0].name, "没有总体方案");
	ck_assert_int_eq(r->check[0].per, 0);
	ck_assert_int_eq(r->check[0].is, 0);
	ck_assert_double_eq(r->check[2].amount, 0.5);
	ck_assert_int_eq(r->check[2].per, 1);
	ck_assert_int_eq(r->check[3].has_max, 1);
	ck_assert_str_eq(r->check[3].unit, "项");
	ck_assert_str_eq(words(r, &r->ind[0].m, 3, &sb),
			 "满分3分, 扣完为止: 没有总体方案扣3分; 未及时备案扣1分; 迟报每次扣0.5分; 漏报每项扣1分, 最多扣2分");
	kp_sb_free(&sb);
	ck_assert_int_eq(kp_rules_is_numeric(r, "迟报次数"), 1);
	ck_assert_int_eq(kp_rules_is_numeric(r, "漏报次数"), 1);
	ck_assert_int_eq(kp_rules_is_numeric(r, "有总体方案"), 0);
	n = kp_rules_columns(r, &cols, &err);
	for (i = 0; i < n; i++)
		found += !strcmp(cols[i], "有总体方案") || !strcmp(cols[i], "备案及时") || !strcmp(cols[i], "迟报次数") ||
			 !strcmp(cols[i], "漏报次数");
	ck_assert_int_eq(found, 4);
	free(cols);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* 基础分: a section of deductions only starts at its points; a bonus of
 * fixed points needs no max (issue 15.5). */
START_TEST(test_base_section)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	kp_sb sb = {0};

	ck_assert_msg(load(HEAD "section \"一\" { points = 20,\n"
			   "  deduction \"错案\" { per = 2, max = 10, count = \"错案数\" } }\n"
			   "section \"二\" { points = 10, indicator \"I\" { points = 10, score = target(\"x\", 1) } }\n"
			   "bonus \"示范\" { score = yes_no(\"示范\", 3) }\n"
			   "bonus \"表扬\" { score = bands(\"表扬数\", { {3, 2}, {1, 1} }) }\n"
			   "bonus \"等次\" { score = lookup(\"等次\", { [\"优\"] = 1.5, [\"良\"] = 1 }, { default = 0 }) }\n"
			   "bonus \"名次\" { score = rank_points(\"次数\", {2, 1}) }\n",
			   &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->sec[0].base, 1);
	ck_assert_int_eq(r->sec[0].count, 0);
	ck_assert_int_eq(r->sec[1].base, 0);
	ck_assert_double_eq(r->full_points, 30);
	ck_assert_double_eq(r->bon[0].max, 3);
	ck_assert_double_eq(r->bon[1].max, 2);
	ck_assert_double_eq(r->bon[2].max, 1.5);
	ck_assert_double_eq(r->bon[3].max, 2);
	ck_assert_str_eq(words(r, &r->bon[0].m, r->bon[0].max, &sb), "示范: 是得3分, 否得0分");
	kp_sb_free(&sb);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* target with each unit's own goal, strict bands with otherwise, done
 * (issue 15.6): what they compile to and their criteria words. */
START_TEST(test_goal_bands_done)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	kp_sb sb = {0};

	ck_assert_msg(load(HEAD "section \"一\" { points = 30,\n"
			   "  indicator \"任务\" { points = 10, score = target(\"完成数\", \"任务数\") },\n"
			   "  indicator \"增幅\" { points = 10, score = bands(\"增幅\", { {gt = 0.12, 10}, {0.12, 8}, {0.08, 6} },\n"
			   "      { otherwise = 2 }) },\n"
			   "  indicator \"完成\" { points = 10, score = done(\"完成情况\", 4) } }\n"
			   "bonus \"B\" { score = bands(\"增幅\", { {0.2, 1} }, { otherwise = 0.5 }) }\n",
			   &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->ind[0].m.goal_src.kind, KP_SRC_COL);
	ck_assert_str_eq(r->ind[0].m.goal_src.col, "任务数");
	ck_assert_int_eq(kp_rules_is_numeric(r, "任务数"), 1);
	ck_assert_int_eq(r->ind[1].m.gt[0], 1);
	ck_assert_int_eq(r->ind[1].m.gt[1], 0);
	ck_assert_double_eq(r->ind[1].m.thr[0], 0.12);
	ck_assert_double_eq(r->ind[1].m.pts[0], 10);
	ck_assert_int_eq(r->ind[1].m.has_otherwise, 1);
	ck_assert_int_eq(r->ind[2].m.kind, KP_M_DONE);
	ck_assert_int_eq(kp_rules_is_numeric(r, "完成情况"), 0);
	ck_assert_double_eq(r->bon[0].max, 1);
	ck_assert_str_eq(words(r, &r->ind[0].m, 10, &sb), "完成数 ÷ 任务数 × 10分, 完成率最高按100%计");
	ck_assert_str_eq(words(r, &r->ind[1].m, 10, &sb),
			 "按增幅: >0.12得10分; ≥0.12得8分; ≥0.08得6分; 其余2分");
	ck_assert_str_eq(words(r, &r->ind[2].m, 10, &sb), "完成情况: 完成得10分, 未完成得4分");
	kp_sb_free(&sb);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* No criteria text is cut: a lookup of 120 long keys, a checklist of 100
 * conditions, a column name of 1500 bytes and an indicator for 59 of 60
 * categories each make a cell far longer than any fixed buffer, and each
 * cell is whole. */
#define WHOLE_NCAT 60
#define WHOLE_NKEY 120
#define WHOLE_NCHECK 100

static void whole_source(kp_sb *src, kp_sb *col)
{
	int i;

	for (i = 0; i < 100; i++)
		kp_sb_puts(col, "很长的列名");
	kp_sb_puts(src, "assessment { title = \"t\", unit = { id = \"id\", name = \"name\", category = \"cat\" },\n categories = {");
	for (i = 0; i < WHOLE_NCAT; i++)
		kp_sb_printf(src, " {\"名称很长的单位类别%03d\", commend = 1},", i);
	kp_sb_puts(src, " } }\nsection \"S\" { points = 30,\n indicator \"对照\" { points = 10, categories = {");
	for (i = 1; i < WHOLE_NCAT; i++)
		kp_sb_printf(src, "\"名称很长的单位类别%03d\", ", i);
	kp_sb_puts(src, "}, score = lookup(\"所在镇\", {");
	for (i = 0; i < WHOLE_NKEY; i++)
		kp_sb_printf(src, " [\"名称相当长的第%03d个乡镇街道\"] = 1,", i);
	kp_sb_puts(src, " }) },\n indicator \"清单\" { points = 10, checklist = {");
	for (i = 0; i < WHOLE_NCHECK; i++)
		kp_sb_printf(src, " {\"第%03d项检查内容没有做到\", 1, when = \"c%03d\", is = false},", i, i);
	kp_sb_printf(src, " } },\n indicator \"目标\" { points = 10, score = target(\"%s\", \"%s\") } }\n", kp_sb_str(col),
		     kp_sb_str(col));
}

START_TEST(test_criteria_whole)
{
	kp_sb src = {0}, col = {0}, want = {0};
	kp_rules *r = NULL;
	kp_criteria g = {0};
	kp_err err = {0};
	const char *cell;
	char key[64];
	int i;

	whole_source(&src, &col);
	ck_assert_int_eq(kp_sb_status(&src, &err), 0);
	ck_assert_msg(load(kp_sb_str(&src), &r, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_criteria_build(r, &g, &err) == 0, "%s", err.msg);
	cell = g.cells[KP_CRITERIA_COLS - 1]; /* 对照 */
	ck_assert_int_gt(strlen(cell), 4096);
	for (i = 0; i < WHOLE_NKEY - 1; i++) { /* in key order: the points are equal */
		snprintf(key, sizeof key, "名称相当长的第%03d个乡镇街道 1分; ", i);
		ck_assert_msg(strstr(cell, key) != NULL, "the lookup words leave out '%s'", key);
	}
	/* no default: no "其余0分" (scoring another value is an error) */
	ck_assert_ptr_nonnull(strstr(cell, "第119个乡镇街道 1分（仅名称很长的单位类别001、"));
	ck_assert_ptr_nonnull(strstr(cell, "、名称很长的单位类别059考核, 其他类别不考核此项, 得分按比例折算）"));
	cell = g.cells[2 * KP_CRITERIA_COLS - 1]; /* 清单 */
	ck_assert_int_gt(strlen(cell), 2048);
	ck_assert_ptr_nonnull(strstr(cell, "满分10分, 扣完为止: 第000项检查内容没有做到扣1分; "));
	ck_assert_ptr_nonnull(strstr(cell, "; 第099项检查内容没有做到扣1分"));
	ck_assert_int_eq(strlen(strstr(cell, "; 第099项")), strlen("; 第099项检查内容没有做到扣1分"));
	kp_sb_printf(&want, "%s ÷ %s × 10分, 完成率最高按100%%计", kp_sb_str(&col), kp_sb_str(&col));
	ck_assert_str_eq(g.cells[3 * KP_CRITERIA_COLS - 1], kp_sb_str(&want)); /* 目标 */
	kp_criteria_free(&g);
	kp_rules_free(r);
	kp_sb_free(&src), kp_sb_free(&col), kp_sb_free(&want);
}
END_TEST

/* given, blend and the trimmed mean (issue 15.9): what they compile to,
 * the columns they read and their criteria words. */
START_TEST(test_given_blend_words)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	const char **cols = NULL;
	size_t n, i;
	int seen = 0;
	kp_sb buf = {0};

	ck_assert_msg(load(HEAD "events \"评议打分\" { data = \"ratings\", unit = \"id\" }\n"
			   "section \"一\" { points = 40,\n"
			   "  indicator \"评议\" { points = 10, score = given(\"评议得分\") },\n"
			   "  indicator \"综合\" { points = 10, score = blend { {given(\"考核得分\"), 0.85}, {given(\"评议得分\"), 0.15} } },\n"
			   "  indicator \"群众\" { points = 10, score = given(agg.trimmed_avg(\"评议打分\", \"分数\")) },\n"
			   "  indicator \"满意\" { points = 10, score = blend { {\"考核得分\", 0.7},\n"
			   "      {agg.trimmed_avg(\"评议打分\", \"分数\"), 0.3, scale = 10}, scale = 100 } } }\n"
			   "bonus \"B\" { max = 2, score = blend { {\"加分\", 1}, scale = 10 } }\n",
			   &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->ind[0].m.kind, KP_M_GIVEN);
	ck_assert_int_eq(r->ind[1].m.kind, KP_M_BLEND);
	ck_assert_uint_eq(r->npart, 5);
	ck_assert_uint_eq(r->ind[1].m.count, 2);
	ck_assert_double_eq(r->part[r->ind[1].m.first].weight, 0.85);
	ck_assert_double_eq(r->part[r->ind[1].m.first + 1].scale, 100);
	ck_assert_int_eq(r->ind[2].m.src.op, KP_AGG_TRIMMED);
	ck_assert_double_eq(r->part[r->ind[3].m.first + 1].scale, 10);
	ck_assert_double_eq(r->bon[0].m.scale, 10);
	ck_assert_int_eq(kp_rules_is_numeric(r, "考核得分"), 1);
	ck_assert_int_eq(kp_rules_is_numeric(r, "分数"), 1);
	ck_assert_int_eq(kp_rules_is_numeric(r, "加分"), 1);
	n = kp_rules_columns(r, &cols, &err);
	for (i = 0; i < n; i++)
		seen += !strcmp(cols[i], "考核得分") + !strcmp(cols[i], "加分");
	ck_assert_int_eq(seen, 2);
	free(cols);
	ck_assert_str_eq(words(r, &r->ind[0].m, 10, &buf), "评议得分: 按报送单位评定的得分计, 满分10分");
	ck_assert_str_eq(words(r, &r->ind[1].m, 10, &buf), "考核得分×85% + 评议得分×15%, 折算为10分");
	ck_assert_str_eq(words(r, &r->ind[2].m, 10, &buf),
			 "按评议打分去掉最高分和最低分后平均分数计, 满分10分");
	ck_assert_str_eq(words(r, &r->ind[3].m, 10, &buf),
			 "考核得分×70% + 评议打分去掉最高分和最低分后平均分数(满分10分)×30%, 折算为10分");
	ck_assert_str_eq(words(r, &r->bon[0].m, 2, &buf), "加分×100% (满分10分), 折算为2分");
	kp_sb_free(&buf);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* deadline and the dated aggregates (issue 15.8): what they compile to,
 * the columns read as text, and their criteria words. */
START_TEST(test_deadline_late)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	kp_sb sb = {0};
	const char **cols = NULL;
	size_t n, i;
	int due = 0;

	ck_assert_msg(load(HEAD "events \"报送记录\" { data = \"log\", unit = \"id\" }\n"
			   "section \"一\" { points = 20,\n"
			   "  indicator \"年报\" { points = 10,\n"
			   "    score = deadline(\"报送日期\", { {\"2024-03-31\", 10}, {\"2024年4月15日\", 6} }, { otherwise = 1 }) },\n"
			   "  indicator \"月报\" { points = 10, score = per_item(agg.late(\"报送记录\", \"应报日期\", \"实报日期\"), 2) } }\n"
			   "deduction \"缺报\" { per = 1, count = agg.missing(\"报送记录\", \"实报日期\", {kind = \"月报\"}) }\n"
			   "bonus \"提前\" { score = deadline(\"报送日期\", { {\"45366\", 1} }) }\n",
			   &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->ind[0].m.kind, KP_M_DEADLINE);
	ck_assert_int_eq(r->ind[0].m.n, 2);
	ck_assert_double_eq(r->ind[0].m.thr[0], kp_date_days(2024, 3, 31));
	ck_assert_double_eq(r->ind[0].m.thr[1], kp_date_days(2024, 4, 15));
	ck_assert_double_eq(r->ind[0].m.pts[1], 6);
	ck_assert_int_eq(r->ind[0].m.has_otherwise, 1);
	ck_assert_int_eq(r->ind[1].m.src.op, KP_AGG_LATE);
	ck_assert_str_eq(r->ind[1].m.src.due, "应报日期");
	ck_assert_str_eq(r->ind[1].m.src.col, "实报日期");
	ck_assert_int_eq(r->ded[0].count.op, KP_AGG_MISSING);
	ck_assert_double_eq(r->bon[0].max, 1); /* the most a deadline gives */
	ck_assert_double_eq(r->bon[0].m.thr[0], kp_date_days(2024, 3, 15));
	/* dates are text, never numbers */
	ck_assert_int_eq(kp_rules_is_numeric(r, "报送日期"), 0);
	ck_assert_int_eq(kp_rules_is_numeric(r, "应报日期"), 0);
	ck_assert_int_eq(kp_rules_is_numeric(r, "实报日期"), 0);
	n = kp_rules_columns(r, &cols, &err);
	for (i = 0; i < n; i++)
		due += !strcmp(cols[i], "应报日期") || !strcmp(cols[i], "实报日期") || !strcmp(cols[i], "报送日期");
	ck_assert_int_eq(due, 3);
	free(cols);
	ck_assert_str_eq(words(r, &r->ind[0].m, 10, &sb),
			 "按报送日期: 2024年3月31日前(含)得10分; 2024年4月15日前(含)得6分; 逾期或未报送得1分");
	ck_assert_str_eq(words(r, &r->ind[1].m, 10, &sb),
			 "满分10分, 报送记录逾期件数(实报日期晚于应报日期)每件扣2分, 扣完为止");
	ck_assert_str_eq(words(r, &r->bon[0].m, 1, &sb),
			 "按报送日期: 2024年3月15日前(含)得1分; 逾期或未报送得0分");
	kp_sb_free(&sb);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* ---------- tests beside the file ---------- */

START_TEST(test_with_tests)
{
	char tp[96];
	FILE *fp;
	kp_rules *r = NULL;
	kp_err err = {0};
	size_t n;

	write_rules(BODY "case \"in file\" { unit = { x = 1 }, expect = { total = 10 } }\n");
	snprintf(tp, sizeof tp, "%.*s_test.lua", (int)(strlen(path) - 4), path);
	fp = fopen(tp, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("case \"beside\" { unit = { x = 0 }, expect = { total = 0 } }\n"
	      "case \"beside 2\" { unit = { x = 0.5 }, expect = { total = 5 } }\n", fp);
	fclose(fp);
	ck_assert_msg(kp_rules_load(path, NULL, 0, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->ncase, 1);
	kp_rules_free(r);
	ck_assert_msg(kp_rules_load(path, NULL, 1, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->ncase, 3);
	n = r->ncase;
	kp_rules_free(r);
	ck_assert_int_eq(n, 3);
	/* an error in the test file names the test file */
	fp = fopen(tp, "w");
	fputs("\ncase \"bad\" { }\n", fp);
	fclose(fp);
	ck_assert_int_eq(kp_rules_load(path, NULL, 1, &r, &err), KP_ERULE);
	ck_assert_msg(strstr(err.msg, tp) && strstr(err.msg, ":2:"), "%s", err.msg);
	unlink(tp);
	/* no test file: fine */
	ck_assert_msg(kp_rules_load(path, NULL, 1, &r, &err) == 0, "%s", err.msg);
	kp_rules_free(r);
	unlink(path);
	kp_err_clear(&err);
}
END_TEST

/* ---------- shared modules: use "name" ---------- */

/* A folder of its own for a rule file and its modules. */
static char moddir[64];

static void mod_write(const char *name, const char *src)
{
	char p[128];
	FILE *fp;

	snprintf(p, sizeof p, "%s/%s", moddir, name);
	fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(src, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

static void mod_unlink(const char *name)
{
	char p[128];

	snprintf(p, sizeof p, "%s/%s", moddir, name);
	unlink(p);
}

/* Load moddir/rules.lua and score one unit "x\n4"; the first unit's total. */
static double mod_score(const kp_limits *lim, const char *units, kp_rules **keep, kp_err *err)
{
	char p[128];
	kp_rules *r = NULL;
	kp_data *d;
	kp_result *res = NULL;
	kp_score_opts o = {0};
	double total;

	snprintf(p, sizeof p, "%s/rules.lua", moddir);
	ck_assert_msg(kp_rules_load(p, lim, 0, &r, err) == 0, "%s", err->msg);
	d = kp_data_new(err);
	ck_assert_int_eq(kp_data_add(d, mk_table(r, "units", units), err), 0);
	ck_assert_msg(kp_data_bind(d, r, err) == 0, "%s", err->msg);
	o.threads = 1;
	ck_assert_msg(kp_score_run(r, d, &o, &res, err) == 0, "%s", err->msg);
	total = res->units[0].total;
	kp_result_free(res);
	kp_data_free(d);
	if (keep)
		*keep = r;
	else
		kp_rules_free(r);
	return total;
}

/* A module beside the rule file declares a global helper, returns local
 * functions and declares the grades; it runs once, in the rule file's
 * environment; its text counts in the rule file's hash. */
START_TEST(test_use_module)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	char *sha;

	snprintf(moddir, sizeof moddir, "/tmp/kp_use_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(moddir));
	mod_write("house.lua", "-- house\n"
			       "function half(v) return v / 2 end\n"
			       "local M = {}\n"
			       "function M.double(v) return v * 2 end\n"
			       "loads = (rawget(_G, 'loads') or 0) + 1\n"
			       "grades { {\"好\", 8}, {\"差\", 0} }\n"
			       "return M\n");
	mod_write("rules.lua", HEAD "local h = use \"house\"\n"
				    "local h2 = use \"house\"\n"
				    "assert(h == h2 and loads == 1, \"loaded once\")\n"
				    "section \"S\" { points = 10, indicator \"I\" { points = 10,\n"
				    "  score = function(u) return half(h.double(u.x)) + (use \"house\" == h and 0 or 1) end } }\n");
	ck_assert_double_eq(mod_score(NULL, "id,name,cat,x\nu1,u1,A,4\n", &r, &err), 4);
	ck_assert_int_eq(r->ngrade, 2);
	ck_assert_str_eq(r->grade[0].name, "好");
	/* the module read, once, by the path it was opened at (for -o's check) */
	{
		char want[160];
		snprintf(want, sizeof want, "%s/house.lua", moddir);
		ck_assert_uint_eq(r->nmodule, 1);
		ck_assert_str_eq(r->module[0], want);
	}
	sha = strdup(r->sha256);
	kp_rules_free(r);
	/* the same files: the same hash; a changed module: another */
	mod_score(NULL, "id,name,cat,x\nu1,u1,A,4\n", &r, &err);
	ck_assert_str_eq(r->sha256, sha);
	kp_rules_free(r);
	mod_write("house.lua", "-- house, changed\n"
			       "function half(v) return v / 2 end\n"
			       "loads = 1\n"
			       "grades { {\"好\", 8}, {\"差\", 0} }\n"
			       "return { double = function(v) return v * 2 end }\n");
	mod_score(NULL, "id,name,cat,x\nu1,u1,A,4\n", &r, &err);
	ck_assert_str_ne(r->sha256, sha);
	ck_assert_int_eq((int)strlen(r->sha256), 64);
	kp_rules_free(r);
	free(sha);
	mod_unlink("house.lua");
	mod_unlink("rules.lua");
	rmdir(moddir);
	kp_err_clear(&err);
}
END_TEST

/* The shipped module (scripts/modules/longxian.lua) through the modules
 * directory; beside the rule file wins over it. */
START_TEST(test_use_shipped_module)
{
	kp_limits lim = {0};
	kp_rules *r = NULL;
	kp_err err = {0};

	lim.modules = "scripts/modules";
	snprintf(moddir, sizeof moddir, "/tmp/kp_use_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(moddir));
	mod_write("rules.lua", HEAD "local lx = use \"longxian\"\n"
				    "section \"S\" { points = 10, indicator \"I\" { points = 10, score = lx.by_rate(\"x\", \"n\", 10) } }\n"
				    "lx.grades()\n");
	ck_assert_double_eq(mod_score(&lim, "id,name,cat,x,n\nu1,u1,A,8,10\n", &r, &err), 8);
	ck_assert_int_eq(r->ngrade, 4);
	ck_assert_str_eq(r->grade[0].name, "优秀");
	ck_assert_double_eq_tol(r->grade[0].quota, 0.2, 1e-12);
	ck_assert_uint_eq(r->nmodule, 1);
	ck_assert_str_eq(r->module[0], "scripts/modules/longxian.lua");
	kp_rules_free(r);
	/* without the directory it is not found */
	lim.modules = "/nonexistent";
	{
		char p[128];
		snprintf(p, sizeof p, "%s/rules.lua", moddir);
		ck_assert_int_eq(kp_rules_load(p, &lim, 0, &r, &err), KP_ERULE);
		ck_assert_msg(strstr(err.msg, "rules.lua:3: use \"longxian\": no module longxian.lua"), "%s", err.msg);
	}
	/* a longxian.lua beside the rule file comes first */
	lim.modules = "scripts/modules";
	mod_write("longxian.lua", "return { by_rate = function() return function() return 3 end end, grades = function() end }\n");
	ck_assert_double_eq(mod_score(&lim, "id,name,cat,x,n\nu1,u1,A,8,10\n", NULL, &err), 3);
	mod_unlink("longxian.lua");
	mod_unlink("rules.lua");
	rmdir(moddir);
	kp_err_clear(&err);
}
END_TEST

/* Names that are paths are refused at the rule file's line; a module that
 * is not there; use while scoring. */
START_TEST(test_use_errors)
{
	static const char *const bad[] = {"../x", "/etc/passwd", "a/b", "x.lua", "..", "", "a b",
					   "0123456789012345678901234567890123456789012345678901234567890123456789"};
	char src[256];
	size_t i;
	kp_err err = {0};

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(src, sizeof src, HEAD "use \"%s\"\n", bad[i]);
		expect_load_error(src, 3, "a module is named with letters, digits, _ and - only");
	}
	expect_load_error(HEAD "use(nil)\n", 3, "bad argument #1 to 'use'");
	expect_load_error(HEAD "use \"kp_no_such_module_zz\"\n", 3, "no module kp_no_such_module_zz.lua beside the rule file");
	/* modules load with the file, not while scoring */
	ck_assert_int_eq(score_src(HEAD "section \"S\" { points = 10, indicator \"I\" { points = 10,\n"
				   "  score = function(u) use \"kp_no_such_module_zz\" return 1 end } }\n",
				   NULL, "id,name,cat\nu1,u1,A\n", &err), KP_ERULE);
	ck_assert_msg(strstr(err.msg, "modules are loaded with the rule file, not while scoring"), "%s", err.msg);
	kp_err_clear(&err);
}
END_TEST

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
	kp_err_clear(&err);
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
	kp_err_clear(&err);
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
	kp_err_clear(&err);
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
	kp_err_clear(&err);
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
	kp_limits lim = { 16u << 20, 1LL << 40, 0, NULL };
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
	kp_err_clear(&err);
}
END_TEST

/* A load error without a position (the memory limit, "C stack overflow",
 * error(x, 0)) came out as a bare message that named no file. */
START_TEST(test_load_errors_name_the_file)
{
	kp_limits lim = { 16u << 20, 1LL << 40, 0, NULL };
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
	kp_err_clear(&err);
}
END_TEST

/* ---------- the messages in both languages (the catalogue) ---------- */

/* Load src in lang; the whole message after "PATH:" must be want. */
static void assert_said(enum kp_lang lang, const char *src, const kp_limits *lim, const char *want)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	char whole[KP_ERR_MAX];
	int rc;

	kp_msg_set_lang(lang);
	rc = load_lim(src, lim, &r, &err);
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_msg(rc == KP_ERULE, "expected KP_ERULE, got %d: %s", rc, err.msg);
	snprintf(whole, sizeof whole, "%s%s", path, want);
	ck_assert_str_eq(err.msg, whole);
	kp_rules_free(r);
	kp_err_clear(&err);
}

/* A declaration error of ours: the place first, as it is, then the
 * sentence in the language of messages. */
START_TEST(test_msg_rule_error_languages)
{
	static const char src[] = HEAD "section \"S\" { points = 10, indicator \"I\" { points = 10, score = target(\"x\", 1) } }\n"
				  "grades { quota_ties = \"some\", {\"优秀\", 90} }\n";

	assert_said(KP_LANG_EN, src, NULL, ":4: grades: quota_ties must be \"all\" or \"none\"");
	assert_said(KP_LANG_ZH, src, NULL, ":4: grades：quota_ties 必须是 \"all\" 或 \"none\"");
	assert_said(KP_LANG_EN, HEAD "section \"S\" { points = 10 }\n", NULL,
		    ":3: section 'S' has no indicators (a section of deductions only starts at its points: give it a deduction)");
	assert_said(KP_LANG_ZH, HEAD "section \"S\" { points = 10 }\n", NULL,
		    ":3: 大项“S”没有指标（只有扣分项的大项以其分值为起点：请给它一项 deduction）");
}
END_TEST

/* The sandbox refuses, and its limits stop, in both languages; a message
 * of Lua itself passes on as it is. */
START_TEST(test_msg_sandbox_languages)
{
	static const char gc[] = BODY "setmetatable({}, { __gc = function() end })\n";
	static const char io[] = BODY "local f = io.open\n";
	kp_limits lim = {0};

	assert_said(KP_LANG_EN, gc, NULL,
		    ":3: setmetatable: rule files may not use __gc (finalizers, weak and to-be-closed values would run or "
		    "vanish outside the sandbox's limits)");
	assert_said(KP_LANG_ZH, gc, NULL, ":3: setmetatable：规则文件不能使用 __gc（终结器、弱表和待关闭值会在沙箱的限制之外运行或消失）");
	assert_said(KP_LANG_EN, io, NULL, ":3: unknown name 'io' (a typo, or a library rule files may not use?)");
	assert_said(KP_LANG_ZH, io, NULL, ":3: 未知名称“io”（是否写错了，或是规则文件不能使用的库？）");
	lim.max_instructions = 100000;
	assert_said(KP_LANG_EN, BODY "while true do end\n", &lim,
		    ":3: instruction limit exceeded (raise it with --max-instructions)");
	assert_said(KP_LANG_ZH, BODY "while true do end\n", &lim, ":3: 超出指令数限制（可用 --max-instructions 调高）");
	assert_said(KP_LANG_ZH, BODY "local x = 1 + {}\n", NULL, ":3: attempt to perform arithmetic on a table value");
}
END_TEST

/* What the wall clock names when it stops a C call: no allocation, the
 * message language's words. */
START_TEST(test_msg_context_languages)
{
	kp_err err = {0};
	kp_sandbox *sb = kp_sandbox_new(NULL, &err);
	char buf[256];

	ck_assert_ptr_nonnull(sb);
	kp_sandbox_context(sb, "r.lua", buf, sizeof buf);
	ck_assert_str_eq(buf, "r.lua");
	kp_sandbox_set_context(sb, "indicator", "学法", "U1");
	kp_sandbox_context(sb, "r.lua", buf, sizeof buf);
	ck_assert_str_eq(buf, "r.lua: in indicator '学法' for unit 'U1'");
	kp_msg_set_lang(KP_LANG_ZH);
	kp_sandbox_context(sb, "r.lua", buf, sizeof buf);
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_str_eq(buf, "r.lua: indicator “学法”，单位“U1”");
	ck_assert_uint_eq(kp_sandbox_context(sb, "r.lua", buf, 12), 11);
	ck_assert_str_eq(buf, "r.lua: in i");
	kp_sandbox_free(sb);
}
END_TEST

/* The criteria speak the report's language, whatever the messages'. */
START_TEST(test_criteria_languages)
{
	kp_rules *r = NULL;
	kp_err err = {0};
	kp_sb sb = {0};
	kp_criteria g = {0};

	ck_assert_msg(load(full, &r, &err) == 0, "%s", err.msg);
	kp_msg_set_lang(KP_LANG_EN); /* messages in English: the words stay Chinese */
	ck_assert_str_eq(describe(r, "目标", &sb), "学法次数 ÷ 目标6 × 5分, 完成率最高按100%计");
	kp_sb_reset(&sb);
	kp_rules_describe(r, &r->ind[0].m, r->ind[0].points, KP_LANG_EN, &sb);
	ck_assert_str_eq(kp_sb_str(&sb), "学法次数 ÷ target 6 × 5 points, completion counted at 100% at most");
	kp_msg_set_lang(KP_LANG_ZH);
	kp_sb_reset(&sb);
	kp_rules_describe(r, &r->ind[0].m, r->ind[0].points, KP_LANG_EN, &sb);
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_str_eq(kp_sb_str(&sb), "学法次数 ÷ target 6 × 5 points, completion counted at 100% at most");
	g.lang = KP_LANG_EN;
	ck_assert_msg(kp_criteria_build(r, &g, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(g.cells[KP_CRITERIA_COLS - 1], kp_sb_str(&sb));
	kp_criteria_free(&g);
	ck_assert_msg(kp_criteria_build(r, &g, &err) == 0, "%s", err.msg); /* zero: Chinese */
	ck_assert_str_eq(g.cells[KP_CRITERIA_COLS - 1], "学法次数 ÷ 目标6 × 5分, 完成率最高按100%计");
	kp_criteria_free(&g);
	kp_sb_free(&sb);
	kp_rules_free(r);
}
END_TEST

/* The rule language's own checks (core/prelude.lua) speak the language of
 * messages too: msg("RULE_P_...") fills in %s, "%%" is "%". */
#define IND(score) HEAD "section \"S\" { points = 10, indicator \"I\" { points = 10, " score " } }\n"
START_TEST(test_prelude_languages)
{
	static const char goal[] = IND("score = target(\"x\", 0)");
	static const char bands[] = IND("score = bands(\"x\", {{0.5, 5}, {0.9, 10}})");
	static const char blend[] = IND("score = blend { {\"a\", 0.5}, {\"b\", 0.3} }");
	static const char typo[] = IND("scor = 1");

	assert_said(KP_LANG_EN, goal, NULL, ":3: target: the goal must be above 0");
	assert_said(KP_LANG_ZH, goal, NULL, ":3: target：目标值必须大于 0");
	assert_said(KP_LANG_EN, bands, NULL, ":3: bands: thresholds must go from the highest down (band 2)");
	assert_said(KP_LANG_ZH, bands, NULL, ":3: bands：阈值必须从高到低排列（第 2 档）");
	assert_said(KP_LANG_EN, blend, NULL, ":3: blend: the weights must add up to 1 (100%), they add up to 0.8");
	assert_said(KP_LANG_ZH, blend, NULL, ":3: blend：权重之和必须为 1（100%），现在是 0.8");
	assert_said(KP_LANG_EN, typo, NULL,
		    ":3: indicator \"I\": unknown field 'scor' (a typo? known: basis, categories, checklist, clamp, default, "
		    "desc, missing, office, points, score)");
	assert_said(KP_LANG_ZH, typo, NULL,
		    ":3: indicator \"I\"：未知字段“scor”（是否写错了？已知字段：basis, categories, checklist, clamp, default, "
		    "desc, missing, office, points, score）");
}
END_TEST
#undef IND

/* msg() in the prelude knows %s and %% only: every RULE_P_ format, in
 * both languages, uses no other conversion. */
START_TEST(test_prelude_formats)
{
	int id, n = 0;

	for (id = 1; id < KP_MSG_COUNT; id++) {
		enum kp_lang langs[2] = {KP_LANG_EN, KP_LANG_ZH};
		int l;

		if (strncmp(kp_msg_name((enum kp_msgid)id), "RULE_P_", 7) != 0)
			continue;
		n++;
		for (l = 0; l < 2; l++) {
			const char *f = kp_msg_text((enum kp_msgid)id, langs[l]);
			for (; (f = strchr(f, '%')) != NULL; f += 2)
				ck_assert_msg(f[1] == 's' || f[1] == '%', "%s: %%%c", kp_msg_name((enum kp_msgid)id), f[1]);
		}
	}
	ck_assert_int_gt(n, 80);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("sandbox");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_escape, 0, sizeof escapes / sizeof *escapes);
	tcase_add_test(tc, test_allowed);
	tcase_add_test(tc, test_load_env);
	tcase_add_loop_test(tc, test_scoring_escape, 0, sizeof scoring_escapes / sizeof *scoring_escapes);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_instruction_limit_load);
	tcase_add_test(tc, test_time_limit);
	tcase_add_test(tc, test_recursion);
	tcase_add_test(tc, test_limits_while_scoring);
	tcase_add_test(tc, test_budget_per_unit);
	suite_add_tcase(s, tc);
	tc = tcase_create("declarations");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_invalid, 0, sizeof invalid / sizeof *invalid);
	tcase_add_test(tc, test_no_assessment);
	tcase_add_test(tc, test_compiled);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_numeric_columns);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_checklist);
	tcase_add_test(tc, test_base_section);
	tcase_add_test(tc, test_goal_bands_done);
	tcase_add_test(tc, test_criteria_whole);
	tcase_add_test(tc, test_given_blend_words);
	tcase_add_test(tc, test_deadline_late);
	tcase_add_test(tc, test_with_tests);
	tcase_add_test(tc, test_use_module);
	tcase_add_test(tc, test_use_shipped_module);
	tcase_add_test(tc, test_use_errors);
	tcase_add_test(tc, test_msg_rule_error_languages);
	tcase_add_test(tc, test_msg_sandbox_languages);
	tcase_add_test(tc, test_msg_context_languages);
	tcase_add_test(tc, test_criteria_languages);
	tcase_add_test(tc, test_prelude_languages);
	tcase_add_test(tc, test_prelude_formats);
	suite_add_tcase(s, tc);
	tc = tcase_create("regressions");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_load_works);
	tcase_add_test(tc, test_name_errors_have_lines);
	tcase_add_loop_test(tc, test_rawset_library, 0, sizeof rawsets / sizeof *rawsets);
	tcase_add_loop_test(tc, test_frozen_env, 0, sizeof unfreeze / sizeof *unfreeze);
	tcase_add_test(tc, test_memory_limit);
	tcase_add_test(tc, test_load_errors_name_the_file);
	tcase_add_test(tc, test_office_basis);
	tcase_add_test(tc, test_time_limit_rule_code_only);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(rules_suite)
