/* cli.c — the command line of kaoping (DESIGN §4).  Parses options into a
 * config, runs one verb through the core, prints messages as
 * "kaoping: FILE:LINE: what" on stderr, and maps error kinds to
 * <sysexits.h> codes.  The only place that prints or exits. */
#include "kaoping/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "kaoping/data.h"
#include "kaoping/enc.h"
#include "kaoping/num.h"
#include "kaoping/report.h"
#include "kaoping/rules.h"
#include "kaoping/ruletest.h"
#include "kaoping/sandbox.h"
#include "kaoping/score.h"
#include "kaoping/store.h"

#ifndef KP_VERSION
#define KP_VERSION "0.1"
#endif

typedef struct config {
	const char *verb;
	const char *db;
	int quiet, verbose, lang, format, bom, color;
	const char *output;
	int year;
	const char *as;
	int replace, encoding;
	long run_id;
	double timeout;
	long long max_instructions;
	size_t max_memory;
	char **args;
	int nargs;
} config;

enum {
	O_DB = 1 << 0, O_YEAR = 1 << 1, O_FORMAT = 1 << 2, O_OUTPUT = 1 << 3, O_LANG = 1 << 4,
	O_RUN = 1 << 5, O_AS = 1 << 6, O_REPLACE = 1 << 7, O_ENCODING = 1 << 8, O_LIMITS = 1 << 9,
	O_BOM = 1 << 10
};
#define O_REPORT (O_FORMAT | O_OUTPUT | O_LANG | O_BOM)

typedef struct verb {
	const char *name;
	int (*fn)(config *c, kp_err *err);
	int opts, min_args, max_args; /* max -1: any number */
	const char *usage, *help;
	const char *formats;          /* what --format takes */
} verb;

static const char *prog = "kaoping";
static int g_timing;                 /* KP_TIMING=1: phase times on stderr */
static const kp_sandbox *g_sandbox;   /* for the wall-clock alarm's message */
static const char *g_rules_file = "";
static double g_timeout;

/* ---- messages and exit codes ---- */

static int exit_code(int kind)
{
	switch (kind) {
	case KP_OK: return EX_OK;
	case KP_EUSAGE: return EX_USAGE;
	case KP_EDATA: return EX_DATAERR;
	case KP_ENOINPUT: return EX_NOINPUT;
	case KP_ERULE: return EX_CONFIG;
	case KP_ECREATE: return EX_CANTCREAT;
	case KP_EIO: return EX_IOERR;
	case KP_ETEST: return 1;
	default: return EX_SOFTWARE;
	}
}

static int report_error(const config *c, const kp_err *err)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", prog, err->msg[0] ? err->msg : "internal error");
	if (c && c->verbose && err->trace)
		fprintf(stderr, "%s\n", err->trace);
	else if (err->kind == KP_ERULE && err->trace && c && !c->quiet)
		fprintf(stderr, "%s: (--verbose shows the Lua traceback)\n", prog);
	return exit_code(err->kind);
}

static void on_alarm(int sig)
{
	char buf[1024];
	size_t n;
	static const char tail[] = ": time limit exceeded (a rule is stuck in a long library call; --timeout raises the limit)\n";

	(void)sig;
	memcpy(buf, "kaoping: ", 9);
	n = 9 + kp_sandbox_context(g_sandbox, g_rules_file, buf + 9, sizeof buf - 9 - sizeof tail);
	memcpy(buf + n, tail, sizeof tail - 1);
	n += sizeof tail - 1;
	if (write(STDERR_FILENO, buf, n) < 0)
		_exit(EX_CONFIG);
	_exit(EX_CONFIG);
}

/* The whole command's wall clock: the sandbox's hook stops Lua code at
 * the deadline; the alarm, a second later, stops a stuck C call. */
static void arm_timeout(const config *c, kp_limits *lim)
{
	struct sigaction sa;

	memset(lim, 0, sizeof *lim);
	lim->max_instructions = c->max_instructions;
	lim->max_memory = c->max_memory;
	g_timeout = c->timeout;
	if (c->timeout <= 0)
		return;
	lim->deadline = kp_sandbox_now() + c->timeout;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)ceil(c->timeout) + 1);
}

static void disarm_timeout(void)
{
	alarm(0);
}

static void info(const config *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
static void info(const config *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Phase times, for profiling (KP_TIMING=1 in the environment). */
static void phase(const char *what)
{
	static double last;
	double now = kp_sandbox_now();

	if (g_timing && last > 0)
		fprintf(stderr, "%s: timing: %-8s %.3f s\n", prog, what, now - last);
	last = now;
}

/* ---- progress of long imports ---- */

typedef struct progress {
	const char *file;
	double start;
	int shown;
} progress;

static void on_progress(void *ud, size_t done, size_t total)
{
	progress *p = ud;

	if (kp_sandbox_now() - p->start < 1.0)
		return;
	fprintf(stderr, "\r%s: %s %zu%% (%zu MB)", prog, p->file, total ? done * 100 / total : 0, done >> 20);
	p->shown = 1;
}

static void progress_end(progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
}

static void setup_progress(const config *c, kp_csv_opts *o, progress *p, const char *file)
{
	memset(o, 0, sizeof *o);
	o->encoding = c->encoding;
	p->file = file, p->start = kp_sandbox_now(), p->shown = 0;
	if (!c->quiet && isatty(STDERR_FILENO))
		o->progress = on_progress, o->progress_ud = p;
}

/* ---- shared steps of the verbs ---- */

static int load_rules(config *c, const char *path, int with_tests, kp_rules **r, kp_err *err)
{
	kp_limits lim;
	int rc;

	g_rules_file = path;
	arm_timeout(c, &lim);
	rc = kp_rules_load(path, &lim, with_tests, r, err);
	if (!rc)
		g_sandbox = (*r)->sb;
	return rc;
}

static int year_of(const config *c, const kp_rules *r)
{
	time_t t;
	struct tm tm;

	if (c->year)
		return c->year;
	if (r && r->year)
		return r->year;
	t = time(NULL);
	localtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

static int read_csvs(config *c, const kp_rules *r, kp_data *d, char **files, int n, kp_err *err)
{
	int i, rc = 0;

	for (i = 0; i < n && !rc; i++) {
		kp_csv_opts o;
		progress p;
		setup_progress(c, &o, &p, files[i]);
		rc = kp_data_read_csv(d, files[i], NULL, r, &o, err);
		progress_end(&p);
	}
	return rc;
}

/* The report's format: --format, else the -o file's extension, else table. */
static int report_format(const config *c)
{
	const char *dot = c->output ? strrchr(c->output, '.') : NULL;
	int f;

	if (c->format >= 0)
		return c->format;
	if (dot && (f = kp_report_format(dot + 1)) >= 0)
		return f;
	return KP_FMT_TABLE;
}

static int write_report(const config *c, const kp_result *res, kp_err *err)
{
	kp_report_opts o;
	int rc;

	memset(&o, 0, sizeof o);
	o.format = report_format(c);
	o.lang = c->lang;
	o.bom = c->bom;
	o.output = c->output;
	o.color = !c->output && isatty(STDOUT_FILENO);
	rc = kp_report_write(res, &o, stdout, err);
	if (!rc && c->output)
		info(c, "%s: wrote %s\n", prog, c->output);
	return rc;
}

/* Refuse an output file that cannot be created before anything is
 * scored or recorded: a failed -o must not leave a recorded run behind. */
static int check_output(const config *c, kp_err *err)
{
	char dir[4096];
	const char *slash;
	struct stat sb;

	if (!c->output)
		return 0;
	if (stat(c->output, &sb) == 0 && S_ISDIR(sb.st_mode))
		return kp_err_set(err, KP_ECREATE, "%s: cannot create: Is a directory", c->output);
	slash = strrchr(c->output, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - c->output) + (slash == c->output) : 1,
		 slash ? c->output : ".");
	if (access(dir, W_OK | X_OK) != 0)
		return kp_err_set(err, KP_ECREATE, "%s: cannot create: %s", c->output, strerror(errno));
	return 0;
}

static int needs_details(const config *c)
{
	int f = report_format(c);

	return f == KP_FMT_HTML || f == KP_FMT_XLSX;
}

/* Score data already bound; store the run when st is given. */
static int score_and_report(config *c, const kp_rules *r, kp_data *d, kp_store *st,
			    const long *ids, size_t nids, kp_err *err)
{
	kp_score_opts o;
	kp_last *last = NULL;
	kp_result *res = NULL;
	long run_id = 0;
	int rc = 0, year = year_of(c, r);

	memset(&o, 0, sizeof o);
	o.details = needs_details(c);
	o.release_numbers = 1;
	if (st && (rc = kp_store_last(st, year - 1, &last, err)))
		return rc;
	o.last = last;
	if (st) {
		o.sink = kp_store_run_sink;
		o.sink_ud = st;
		if ((rc = kp_store_run_begin(st, r, year, ids, nids, &run_id, err)))
			goto out;
	}
	phase("bind");
	rc = kp_score_run(r, d, &o, &res, err);
	disarm_timeout();
	phase("score");
	if (rc) {
		if (st)
			kp_store_run_abort(st);
		goto out;
	}
	res->year = year;
	if (st && (rc = kp_store_run_finish(st, res, err)))
		goto out;
	if (st)
		info(c, "%s: run %ld recorded in %s\n", prog, run_id, c->db);
	rc = write_report(c, res, err);
	phase("report");
out:
	kp_result_free(res);
	kp_store_last_free(last);
	return rc;
}

static int do_import_files(config *c, kp_store *st, char **files, int n, int year, kp_err *err)
{
	kp_import_opts o;
	kp_import_done *done = calloc((size_t)n + 1, sizeof *done);
	progress p;
	int i, rc;

	if (!done)
		return kp_err_oom(err);
	memset(&o, 0, sizeof o);
	o.year = year, o.as = c->as, o.replace = c->replace;
	setup_progress(c, &o.csv, &p, n == 1 ? files[0] : "import");
	rc = kp_store_import(st, (const char *const *)files, (size_t)n, &o, done, err);
	progress_end(&p);
	for (i = 0; i < n && !rc; i++)
		info(c, "%s: %s %s as '%s' for %d: %zu rows, %zu columns (%s)\n", prog,
		     done[i].replaced ? "replaced with" : "imported", files[i], done[i].name, year, done[i].rows,
		     done[i].cols, kp_enc_name(done[i].encoding));
	free(done);
	return rc;
}

/* ---- the verbs ---- */

/* The scoring verbs: load the rules; take the data from the CSV files
 * (into memory) or, with a store, from its imports for the year after
 * importing the files into it; score, record the run there, report. */
static int score_verb(config *c, int store_mode, char **files, int nfiles, kp_err *err)
{
	kp_rules *r = NULL;
	kp_data *d = NULL;
	kp_store *st = NULL;
	long *ids = NULL;
	size_t nids = 0;
	int rc;

	phase("start");
	if ((rc = check_output(c, err)) || (rc = load_rules(c, c->args[0], 0, &r, err)))
		goto out;
	phase("rules");
	if (!(d = kp_data_new(err))) {
		rc = KP_EINTERNAL;
		goto out;
	}
	if (store_mode >= 0) {
		if ((rc = kp_store_open(c->db, store_mode, &st, err)))
			goto out;
		if (nfiles > 0 && (rc = do_import_files(c, st, files, nfiles, year_of(c, r), err)))
			goto out;
		rc = kp_store_load(st, year_of(c, r), r, d, &ids, &nids, err);
	} else {
		rc = read_csvs(c, r, d, files, nfiles, err);
	}
	phase("read");
	if (!rc && !(rc = kp_data_bind(d, r, err)))
		rc = score_and_report(c, r, d, st, ids, nids, err);
out:
	free(ids);
	kp_data_free(d);
	kp_store_close(st);
	kp_rules_free(r);
	return rc;
}

static int cmd_run(config *c, kp_err *err)
{
	if (c->nargs < 2 && !c->db)
		return kp_err_set(err, KP_EUSAGE, "run needs CSV files after the rules (or --db with imported data); "
				  "see kaoping run --help");
	return score_verb(c, c->db ? KP_STORE_WRITE : -1, c->args + 1, c->nargs - 1, err);
}

static int cmd_import(config *c, kp_err *err)
{
	kp_store *st = NULL;
	struct stat sb;
	int rc, existed = stat(c->db, &sb) == 0;

	if (c->as && c->nargs > 1)
		return kp_err_set(err, KP_EUSAGE, "--as names one file; import the files one by one to name each");
	if ((rc = kp_store_open(c->db, KP_STORE_WRITE, &st, err)))
		return rc;
	rc = do_import_files(c, st, c->args, c->nargs, year_of(c, NULL), err);
	kp_store_close(st);
	if (rc && !existed) { /* a database this failed import created: leave nothing */
		char path[4096];
		unlink(c->db);
		snprintf(path, sizeof path, "%s-wal", c->db), unlink(path);
		snprintf(path, sizeof path, "%s-shm", c->db), unlink(path);
	}
	return rc;
}

static int cmd_score(config *c, kp_err *err)
{
	return score_verb(c, KP_STORE_UPDATE, NULL, 0, err);
}

static int load_run(config *c, kp_result **res, kp_err *err)
{
	kp_store *st = NULL;
	int rc;

	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	rc = kp_store_load_run(st, c->run_id, res, err);
	kp_store_close(st);
	return rc;
}

static int cmd_report(config *c, kp_err *err)
{
	kp_result *res = NULL;
	int rc = load_run(c, &res, err);

	if (!rc)
		rc = write_report(c, res, err);
	kp_result_free(res);
	return rc;
}

static int cmd_explain(config *c, kp_err *err)
{
	kp_result *res = NULL;
	kp_report_opts o;
	size_t i;
	int rc = load_run(c, &res, err);

	if (rc)
		return rc;
	for (i = 0; i < res->nunits; i++)
		if (!strcmp(res->units[i].id, c->args[0]) || (res->units[i].name && !strcmp(res->units[i].name, c->args[0])))
			break;
	if (i == res->nunits) {
		rc = kp_err_set(err, KP_EDATA, "%s: run %ld has no unit '%s' (give a unit id or name; kaoping report lists them)",
				c->db, res->run_id, c->args[0]);
	} else {
		memset(&o, 0, sizeof o);
		o.format = c->format >= 0 ? c->format : KP_FMT_TABLE;
		o.lang = c->lang;
		o.output = c->output;
		rc = kp_report_explain(res, i, &o, stdout, err);
	}
	kp_result_free(res);
	return rc;
}

/* Columns the rules name that the data lacks, and data columns no
 * declarative rule reads. */
static int check_columns(config *c, const kp_rules *r, const kp_data *d, kp_err *err)
{
	const char **cols = NULL;
	size_t n = kp_rules_columns(r, &cols, err), i, t, k;
	int missing = 0;

	if (!cols)
		return KP_EINTERNAL;
	for (i = 0; i < n; i++) {
		int found = 0;
		for (t = 0; t < d->ntab && !found; t++)
			found = kp_table_col(d->tab[t], cols[i]) >= 0;
		if (!found) {
			fprintf(stderr, "%s: %s: the rules read the column '%s', which no file has\n", prog, r->file, cols[i]);
			missing++;
		}
	}
	for (t = 0; t < d->ntab; t++)
		for (k = 0; k < d->tab[t]->ncols; k++) {
			int used = 0;
			for (i = 0; i < n && !used; i++)
				used = !strcmp(cols[i], d->tab[t]->cols[k]);
			if (!used && !c->quiet)
				printf("note: %s: column '%s' is read by no helper (a function rule may still read it)\n",
				       d->tab[t]->file, d->tab[t]->cols[k]);
		}
	free(cols);
	if (missing)
		return kp_err_set(err, KP_EDATA, "%s: %d column%s the rules read %s missing from the data", r->file, missing,
				  missing == 1 ? "" : "s", missing == 1 ? "is" : "are");
	return 0;
}

static int cmd_check(config *c, kp_err *err)
{
	kp_rules *r = NULL;
	kp_data *d = NULL;
	kp_result *res = NULL;
	size_t i;
	int rc;

	if ((rc = load_rules(c, c->args[0], 1, &r, err)))
		return rc;
	if (!c->quiet) {
		printf("%s: %s (%d), %zu sections, %zu indicators, %g points; %zu deductions, %zu bonus, %zu vetoes, "
		       "%zu grades, %zu test cases\n", r->file, r->title, r->year, r->nsec, r->nind, r->full_points,
		       r->nded, r->nbon, r->nveto, r->ngrade, r->ncase);
		for (i = 0; i < r->nsec; i++)
			printf("  %s: %g points, %zu indicators\n", r->sec[i].name, r->sec[i].points, r->sec[i].count);
	}
	if (c->nargs > 1) {
		kp_score_opts o;
		memset(&o, 0, sizeof o);
		if (!(d = kp_data_new(err)))
			rc = KP_EINTERNAL;
		if (!rc && !(rc = read_csvs(c, r, d, c->args + 1, c->nargs - 1, err)) && !(rc = check_columns(c, r, d, err)) &&
		    !(rc = kp_data_bind(d, r, err)) && !(rc = kp_score_run(r, d, &o, &res, err)) && !c->quiet)
			printf("data: %zu units in %zu files score without errors\n", d->nunits, d->ntab);
	}
	if (!rc && !c->quiet)
		printf("ok\n");
	kp_result_free(res);
	kp_data_free(d);
	kp_rules_free(r);
	return rc;
}

/* ---- criteria: the 考核细则 table, from the same file that scores ---- */

typedef struct grid {
	char **cells;
	size_t n, cap;
} grid;

static int grid_add(grid *g, kp_err *err, const char *a, const char *b, const char *cc, const char *d, const char *e)
{
	const char *row[5] = {a, b, cc, d, e};
	size_t i;

	if (g->n + 5 > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		char **p = realloc(g->cells, cap * sizeof *p);
		if (!p)
			return kp_err_oom(err);
		g->cells = p, g->cap = cap;
	}
	for (i = 0; i < 5; i++)
		if (!(g->cells[g->n++] = strdup(row[i] ? row[i] : "")))
			return kp_err_oom(err);
	return 0;
}

static int criteria_grid(const kp_rules *r, grid *g, kp_err *err)
{
	char a[32], b[32], words[1024], tmp[64];
	size_t i, k;
	int rc = 0;

	for (k = 0; k < r->nsec && !rc; k++) {
		const kp_section *s = &r->sec[k];
		for (i = s->first; i < s->first + s->count && !rc; i++) {
			const kp_indicator *ind = &r->ind[i];
			const char *w = ind->desc ? ind->desc : kp_rules_describe(r, &ind->m, ind->points, words, sizeof words);
			rc = grid_add(g, err, i == s->first ? s->name : "", i == s->first ? kp_num_short(s->points, a, sizeof a) : "",
				      ind->name, kp_num_short(ind->points, b, sizeof b), w);
		}
		for (i = 0; i < r->nded && !rc; i++)
			if (r->ded[i].section == (int)k) {
				snprintf(words, sizeof words, "%s", r->ded[i].desc ? r->ded[i].desc : "");
				if (!r->ded[i].desc && !r->ded[i].ref)
					snprintf(words, sizeof words, "每件扣%s分%s%s", kp_num_short(r->ded[i].per, a, sizeof a),
						 r->ded[i].has_max ? ", 最多扣" : ", 扣完为止",
						 r->ded[i].has_max ? strcat(kp_num_short(r->ded[i].max, tmp, sizeof tmp), "分") : "");
				rc = grid_add(g, err, "", "", r->ded[i].name, "扣分", words);
			}
	}
	for (i = 0; i < r->nded && !rc; i++)
		if (r->ded[i].section < 0) {
			snprintf(words, sizeof words, "%s", r->ded[i].desc ? r->ded[i].desc : "按规则函数扣分");
			if (!r->ded[i].desc && !r->ded[i].ref)
				snprintf(words, sizeof words, "每件扣%s分%s%s", kp_num_short(r->ded[i].per, a, sizeof a),
					 r->ded[i].has_max ? ", 最多扣" : ", 扣完为止",
					 r->ded[i].has_max ? strcat(kp_num_short(r->ded[i].max, tmp, sizeof tmp), "分") : "");
			rc = grid_add(g, err, "扣分项", "", r->ded[i].name, "", words);
		}
	for (i = 0; i < r->nbon && !rc; i++) {
		const char *w = r->bon[i].desc ? r->bon[i].desc
					       : kp_rules_describe(r, &r->bon[i].m, r->bon[i].max, words, sizeof words);
		rc = grid_add(g, err, "加分项", r->has_bonus_max ? kp_num_short(r->bonus_max, a, sizeof a) : "",
			      r->bon[i].name, kp_num_short(r->bon[i].max, b, sizeof b), w);
	}
	for (i = 0; i < r->nveto && !rc; i++)
		rc = grid_add(g, err, "一票否决", "", r->veto[i].name, "",
			      r->veto[i].desc ? r->veto[i].desc : r->veto[i].reason ? r->veto[i].reason : "定为最低等次, 不得评优");
	for (i = 0; i < r->ngrade && !rc; i++) {
		snprintf(words, sizeof words, "总分≥%s", kp_num_short(r->grade[i].min, a, sizeof a));
		if (r->grade[i].quota > 0)
			snprintf(words + strlen(words), sizeof words - strlen(words), ", 不超过同类单位的%s%%",
				 kp_num_short(r->grade[i].quota * 100, b, sizeof b));
		rc = grid_add(g, err, "等次", "", r->grade[i].name, "", words);
	}
	for (i = 0; i < r->ncat && !rc; i++) {
		snprintf(words, sizeof words, "表彰%d个", r->cat[i].quota);
		rc = grid_add(g, err, "表彰名额", "", r->cat[i].name, "", words);
	}
	return rc;
}

static int cmd_criteria(config *c, kp_err *err)
{
	static const char *const zh[] = {"一级指标", "分值", "二级指标", "分值", "评分标准"};
	static const char *const en[] = {"section", "points", "indicator", "points", "method"};
	kp_rules *r = NULL;
	kp_report_opts o;
	grid g = {0};
	size_t i;
	int rc;

	if ((rc = load_rules(c, c->args[0], 0, &r, err)))
		return rc;
	memset(&o, 0, sizeof o);
	o.format = c->format >= 0 ? c->format : KP_FMT_TABLE;
	o.lang = c->lang, o.bom = c->bom, o.output = c->output;
	if (o.format != KP_FMT_TABLE && o.format != KP_FMT_CSV && o.format != KP_FMT_MD)
		rc = kp_err_set(err, KP_EUSAGE, "criteria prints table, csv or md");
	if (!rc && !(rc = criteria_grid(r, &g, err))) {
		if (!c->quiet && o.format == KP_FMT_TABLE)
			printf("%s  (%g分)\n\n", r->title, r->full_points);
		rc = kp_report_grid(c->lang == KP_LANG_EN ? en : zh, 5, (const char *const *)g.cells, g.n / 5, &o, stdout, err);
	}
	for (i = 0; i < g.n; i++)
		free(g.cells[i]);
	free(g.cells);
	kp_rules_free(r);
	return rc;
}

static int cmd_test(config *c, kp_err *err)
{
	kp_rules *r = NULL;
	kp_case_result *cr = NULL;
	size_t n = 0, i, failed = 0;
	int rc;

	if ((rc = load_rules(c, c->args[0], 1, &r, err)))
		return rc;
	rc = kp_ruletest_run(r, &cr, &n, err);
	disarm_timeout();
	for (i = 0; i < n && !rc; i++) {
		if (cr[i].passed) {
			if (!c->quiet)
				printf("ok    %s\n", cr[i].name);
			continue;
		}
		failed++;
		printf("FAIL  %s  (%s)\n%s", cr[i].name, cr[i].where, cr[i].detail ? cr[i].detail : "");
	}
	if (!rc) {
		printf("%zu passed, %zu failed\n", n - failed, failed);
		if (n == 0)
			fprintf(stderr, "%s: %s: no test cases (write case \"name\" { ... } in the file or in %s)\n", prog,
				r->file, "RULES_test.lua");
		if (failed)
			rc = kp_err_set(err, KP_ETEST, "%s: %zu of %zu test cases failed", r->file, failed, n);
	}
	kp_ruletest_free(cr, n);
	kp_rules_free(r);
	return rc;
}

/* ---- the verbs, their help, and option parsing ---- */

static const verb verbs[] = {
	{"run", cmd_run, O_DB | O_YEAR | O_REPORT | O_ENCODING | O_LIMITS, 1, -1,
	 "kaoping run RULES [CSV...] [--format F] [-o FILE] [--db FILE]",
	 "Import the CSV files, score them with RULES and print the ranking, in one go.\n"
	 "Without --db nothing is stored (an in-memory run); with --db the files are\n"
	 "imported into that database and the run is recorded there.  A single CSV is\n"
	 "the unit table.\n\n"
	 "  kaoping run rules/2021-fazhi.lua samples/2021/*.csv\n"
	 "  kaoping run rules/bench.lua units.csv --format json\n", NULL},
	{"import", cmd_import, O_DB | O_YEAR | O_AS | O_REPLACE | O_ENCODING, 1, -1,
	 "kaoping import [--year Y] [--as NAME] [--replace] CSV...",
	 "Import CSV files into the database (default kaoping.db), all or nothing.\n"
	 "Each file becomes a dataset named after its file name (units.csv -> units).\n"
	 "Importing a name or file again for the same year is refused unless --replace.\n"
	 "GB18030/GBK files are detected; --encoding gb18030|utf-8 forces one.\n\n"
	 "  kaoping import --year 2021 samples/2021/*.csv\n", NULL},
	{"score", cmd_score, O_DB | O_YEAR | O_REPORT | O_LIMITS, 1, 1,
	 "kaoping score RULES [--year Y] [--format F] [-o FILE]",
	 "Score what is imported for the year (the rules' year unless --year) and\n"
	 "record the run in the database, in one transaction; print the ranking.\n\n"
	 "  kaoping score rules/2021-fazhi.lua\n", NULL},
	{"report", cmd_report, O_DB | O_RUN | O_REPORT, 0, 0,
	 "kaoping report [--run N] [--format F] [-o FILE] [--lang zh|en]",
	 "Print a recorded run (the newest unless --run) as table, csv, xlsx, md, json\n"
	 "or html.  -o FILE writes the file (its extension picks the format).\n\n"
	 "  kaoping report --format html -o 2021.html\n", NULL},
	{"explain", cmd_explain, O_DB | O_RUN | O_FORMAT | O_LANG, 1, 1,
	 "kaoping explain [--run N] UNIT",
	 "Every point of one unit (by id or name), with the rules' notes.\n\n"
	 "  kaoping explain 城关镇\n", "table, md or json"},
	{"check", cmd_check, O_LIMITS | O_ENCODING, 1, -1,
	 "kaoping check RULES [CSV...]",
	 "Check a rule file (syntax, points that must add up, declarations) and, given\n"
	 "CSV files, the data against it: columns the rules read, values they need.\n", NULL},
	{"criteria", cmd_criteria, O_FORMAT | O_OUTPUT | O_LANG | O_BOM | O_LIMITS, 1, 1,
	 "kaoping criteria RULES [--format table|csv|md]",
	 "Print the published criteria (考核细则) that RULES encode.\n", "table, csv or md"},
	{"test", cmd_test, O_LIMITS, 1, 1,
	 "kaoping test RULES",
	 "Run the test cases of RULES (case \"...\" { ... } in the file or in\n"
	 "RULES_test.lua beside it); exit 1 when one fails.\n", NULL},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL}
};

static void usage_all(FILE *fp)
{
	const verb *v;

	fprintf(fp, "kaoping %s — score assessment rules written in Lua, rank and commend\n\n", KP_VERSION);
	fprintf(fp, "usage:\n");
	for (v = verbs; v->name; v++)
		fprintf(fp, "  %s\n", v->usage);
	fprintf(fp, "  kaoping --help | kaoping COMMAND --help | kaoping --version\n\n"
		    "common options:\n"
		    "  --db FILE            the database (default kaoping.db; run: in memory unless given)\n"
		    "  --year Y             the assessment year\n"
		    "  --format F, -o FILE  report format (table csv xlsx md json html) and file\n"
		    "  --lang zh|en         report labels (default zh)\n"
		    "  --timeout SECONDS    wall-clock limit of the command (default %g)\n"
		    "  --max-instructions N Lua instructions per unit and per file load (default %lld)\n"
		    "  --max-memory SIZE    memory of the rules' Lua state, e.g. 256M (default %uM)\n"
		    "  --quiet, --verbose   fewer messages; Lua tracebacks with errors\n\n"
		    "exit status: 0 ok, 1 rule tests failed, 64 usage, 65 bad data, 66 missing input,\n"
		    "  70 internal, 73 cannot create, 74 cannot write, 78 rule file error\n",
		KP_DEFAULT_TIMEOUT, KP_DEFAULT_MAX_INSTRUCTIONS, KP_DEFAULT_MAX_MEMORY >> 20);
}

static void usage_verb(const verb *v, FILE *fp)
{
	fprintf(fp, "usage: %s\n\n%s", v->usage, v->help);
	fprintf(fp, "\noptions:\n");
	if (v->opts & O_DB)
		fprintf(fp, "  --db FILE          the database (default %s)\n", strcmp(v->name, "run") ? "kaoping.db" : "none: in memory");
	if (v->opts & O_YEAR)
		fprintf(fp, "  --year Y           the assessment year\n");
	if (v->opts & O_RUN)
		fprintf(fp, "  --run N            a recorded run (default: the newest)\n");
	if (v->opts & O_FORMAT)
		fprintf(fp, "  --format F         %s\n", v->formats ? v->formats : "table, csv, xlsx, md, json or html");
	if (v->opts & O_OUTPUT)
		fprintf(fp, "  -o, --output FILE  write to FILE (atomically) instead of stdout\n");
	if (v->opts & O_LANG)
		fprintf(fp, "  --lang zh|en       labels in Chinese (default) or English\n");
	if (v->opts & O_BOM)
		fprintf(fp, "  --bom, --no-bom    CSV: a UTF-8 BOM (default: with -o, yes)\n");
	if (v->opts & O_AS)
		fprintf(fp, "  --as NAME          the dataset name of a single file\n");
	if (v->opts & O_REPLACE)
		fprintf(fp, "  --replace          replace an earlier import of the same name and year\n");
	if (v->opts & O_ENCODING)
		fprintf(fp, "  --encoding E       auto (default), utf-8 or gb18030\n");
	if (v->opts & O_LIMITS)
		fprintf(fp, "  --timeout S, --max-instructions N, --max-memory SIZE   sandbox limits\n");
	fprintf(fp, "  --quiet, --verbose\n");
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0 || !isfinite(v))
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		v *= 1024.0 * 1024 * 1024, end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v < 1 << 20 || v > 1e13)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

enum { OPT_DB = 256, OPT_YEAR, OPT_FORMAT, OPT_LANG, OPT_RUN, OPT_AS, OPT_REPLACE, OPT_ENCODING,
       OPT_TIMEOUT, OPT_MAXI, OPT_MAXM, OPT_BOM, OPT_NOBOM, OPT_QUIET, OPT_VERBOSE, OPT_HELP };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB}, {"year", required_argument, NULL, OPT_YEAR},
	{"format", required_argument, NULL, OPT_FORMAT}, {"output", required_argument, NULL, 'o'},
	{"lang", required_argument, NULL, OPT_LANG}, {"run", required_argument, NULL, OPT_RUN},
	{"as", required_argument, NULL, OPT_AS}, {"replace", no_argument, NULL, OPT_REPLACE},
	{"encoding", required_argument, NULL, OPT_ENCODING}, {"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"max-instructions", required_argument, NULL, OPT_MAXI}, {"max-memory", required_argument, NULL, OPT_MAXM},
	{"bom", no_argument, NULL, OPT_BOM}, {"no-bom", no_argument, NULL, OPT_NOBOM},
	{"quiet", no_argument, NULL, OPT_QUIET}, {"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0}
};

static int option_mask(int opt)
{
	switch (opt) {
	case OPT_DB: return O_DB;
	case OPT_YEAR: return O_YEAR;
	case OPT_FORMAT: return O_FORMAT;
	case 'o': return O_OUTPUT;
	case OPT_LANG: return O_LANG;
	case OPT_RUN: return O_RUN;
	case OPT_AS: return O_AS;
	case OPT_REPLACE: return O_REPLACE;
	case OPT_ENCODING: return O_ENCODING;
	case OPT_TIMEOUT: case OPT_MAXI: case OPT_MAXM: return O_LIMITS;
	case OPT_BOM: case OPT_NOBOM: return O_BOM;
	default: return 0;
	}
}

/* "--run", "-o": how an option is written, for messages. */
static const char *option_name(int opt)
{
	static char buf[64];
	const struct option *o;

	if (opt == 'o')
		return "-o";
	for (o = long_opts; o->name; o++)
		if (o->val == opt) {
			snprintf(buf, sizeof buf, "--%s", o->name);
			return buf;
		}
	return "?";
}

/* One option's value into the config; 0, or a usage error. */
static int take_option(config *c, int opt, const char *arg, kp_err *err)
{
	long long v;

	switch (opt) {
	case OPT_DB: c->db = arg; break;
	case OPT_YEAR:
		if (parse_long(arg, 1900, 9999, &v))
			return kp_err_set(err, KP_EUSAGE, "--year: '%s' is not a year", arg);
		c->year = (int)v;
		break;
	case OPT_FORMAT:
		if ((c->format = kp_report_format(arg)) < 0)
			return kp_err_set(err, KP_EUSAGE, "--format: '%s' is not one of table, csv, xlsx, md, json, html", arg);
		break;
	case 'o': c->output = arg; break;
	case OPT_LANG:
		if (strcmp(arg, "zh") && strcmp(arg, "en"))
			return kp_err_set(err, KP_EUSAGE, "--lang: '%s' is not zh or en", arg);
		c->lang = !strcmp(arg, "en") ? KP_LANG_EN : KP_LANG_ZH;
		break;
	case OPT_RUN:
		if (parse_long(arg, 1, 1LL << 40, &v))
			return kp_err_set(err, KP_EUSAGE, "--run: '%s' is not a run number", arg);
		c->run_id = (long)v;
		break;
	case OPT_AS: c->as = arg; break;
	case OPT_REPLACE: c->replace = 1; break;
	case OPT_ENCODING:
		if ((c->encoding = kp_enc_parse_name(arg)) < 0)
			return kp_err_set(err, KP_EUSAGE, "--encoding: '%s' is not auto, utf-8 or gb18030", arg);
		break;
	case OPT_TIMEOUT: {
		char *end;
		c->timeout = strtod(arg, &end);
		if (end == arg || *end || !(c->timeout > 0) || c->timeout > 1e6)
			return kp_err_set(err, KP_EUSAGE, "--timeout: '%s' is not a number of seconds", arg);
		break;
	}
	case OPT_MAXI:
		if (parse_long(arg, 1000, 1LL << 50, &v))
			return kp_err_set(err, KP_EUSAGE, "--max-instructions: '%s' is not a count of at least 1000", arg);
		c->max_instructions = v;
		break;
	case OPT_MAXM:
		if (parse_size(arg, &c->max_memory))
			return kp_err_set(err, KP_EUSAGE, "--max-memory: '%s' is not a size of at least 1M (like 256M)", arg);
		break;
	case OPT_BOM: c->bom = 1; break;
	case OPT_NOBOM: c->bom = 0; break;
	case OPT_QUIET: c->quiet = 1; break;
	case OPT_VERBOSE: c->verbose = 1; break;
	default: return kp_err_set(err, KP_EUSAGE, "unknown option");
	}
	return 0;
}

static int parse(config *c, const verb *v, int argc, char **argv, kp_err *err)
{
	int opt, rc;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":o:", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			usage_verb(v, stdout);
			return -1;
		}
		if (opt == '?')
			return kp_err_set(err, KP_EUSAGE, "%s: unknown option '%s' (kaoping %s --help lists them)", v->name,
					  argv[optind - 1], v->name);
		if (opt == ':')
			return kp_err_set(err, KP_EUSAGE, "%s: option '%s' needs a value", v->name, argv[optind - 1]);
		if (option_mask(opt) && !(option_mask(opt) & v->opts))
			return kp_err_set(err, KP_EUSAGE, "%s does not take '%s' (kaoping %s --help)", v->name,
					  option_name(opt), v->name);
		if ((rc = take_option(c, opt, optarg, err)))
			return rc;
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	if (c->nargs < v->min_args || (v->max_args >= 0 && c->nargs > v->max_args))
		return kp_err_set(err, KP_EUSAGE, "usage: %s", v->usage);
	return 0;
}

static int flush_stdout(kp_err *err)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return kp_err_set(err, KP_EIO, "stdout: cannot write: %s", strerror(errno ? errno : EIO));
	return 0;
}

int kp_cli_main(int argc, char **argv)
{
	config c;
	kp_err err;
	const verb *v;
	int rc;

	memset(&c, 0, sizeof c);
	memset(&err, 0, sizeof err);
	c.format = -1, c.bom = -1, c.timeout = KP_DEFAULT_TIMEOUT;
	g_timing = getenv("KP_TIMING") != NULL;
	if (argc < 2) {
		usage_all(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage_all(stdout);
		return flush_stdout(&err) ? report_error(&c, &err) : EX_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kaoping %s (Lua 5.4, SQLite %s)\n", KP_VERSION, kp_store_sqlite_version());
		return flush_stdout(&err) ? report_error(&c, &err) : EX_OK;
	}
	for (v = verbs; v->name && strcmp(v->name, argv[1]); v++)
		;
	if (!v->name) {
		fprintf(stderr, "%s: unknown command '%s' (kaoping --help lists the commands)\n", prog, argv[1]);
		return EX_USAGE;
	}
	c.verb = v->name;
	rc = parse(&c, v, argc - 1, argv + 1, &err);
	if (rc < 0)
		return flush_stdout(&err) ? report_error(&c, &err) : EX_OK;
	if (!rc && !c.db && strcmp(v->name, "run"))
		c.db = "kaoping.db";
	if (!rc)
		rc = v->fn(&c, &err);
	disarm_timeout();
	if (!rc)
		rc = flush_stdout(&err);
	rc = rc ? report_error(&c, &err) : EX_OK;
	kp_err_clear(&err);
	return rc;
}
