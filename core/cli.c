/* cli.c — the command line of kaoping (DESIGN §4): what every command
 * shares.  Parses options into a config, finds the command in the command
 * table and runs it (each command is its own core/cmd_*.c), keeps the time
 * limit and the progress line, prints messages as "kaoping: FILE:LINE: what"
 * on stderr, and maps error kinds to <sysexits.h> codes. */
#include "kaoping/cli.h"
#include "cli_int.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <ctype.h>
#include <signal.h>
#include <strings.h>
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
#include "kaoping/infile.h"
#include "kaoping/near.h"
#include "kaoping/outfile.h"
#include "kaoping/report.h"
#include "kaoping/rules.h"
#include "kaoping/sandbox.h"
#include "kaoping/store.h"

#ifndef KP_VERSION
#define KP_VERSION "0.1"
#endif

const char kp_cli_prog[] = "kaoping";
static int g_timing;                 /* KP_TIMING=1: phase times on stderr */
static const kp_sandbox *g_sandbox;   /* for the wall-clock alarm's message */
static const char *g_rules_file = "";
static double g_timeout;              /* seconds of rule code (--timeout) */
static volatile double g_armed_at;    /* when the rules began to load */
static int g_show_progress;           /* stderr is a terminal and not --quiet */
static double g_started;              /* the command's start, for progress */
static double g_progress_after = 1.0; /* seconds before progress shows
					 (KP_PROGRESS_AFTER, for tests) */
static volatile sig_atomic_t g_progress_shown;
static int g_report_tty;              /* the report goes to the terminal */
/* What the command is doing, for the alarm's message: set at each phase's
 * start (kp_cli_enter), read by the signal handler. */
static volatile sig_atomic_t g_phase;
static const char *volatile g_locked_db; /* a database found locked by another process */
static volatile long g_locked_pid;

/* ---- messages and exit codes ---- */

/* stderr shows text from rule files and data (titles, names, cells echoed
 * in messages, a rule's print): every byte of it goes through this filter,
 * which shows control characters a terminal would obey (ESC, CSI U+009B)
 * escaped ("\\x1b", "\\u009b"); line breaks and tabs pass.  The progress
 * line, which means its CR and erase, writes to g_raw_err. */
static FILE *g_raw_err;
static int g_err_c2; /* a C2 byte held back: the first half of a C1 control? */

static int err_write_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(STDERR_FILENO, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k, n -= (size_t)k;
	}
	return 0;
}

/* Append one byte, or the escape of the control at p (k bytes), to out. */
static size_t err_put(char *out, size_t o, const char *p, size_t left, size_t *k)
{
	char esc[KP_ENC_CTL_MAX];

	if (*p != '\n' && *p != '\t' && (*k = kp_enc_ctl(p, left, esc)) > 0) {
		memcpy(out + o, esc, strlen(esc));
		return o + strlen(esc);
	}
	*k = 1;
	out[o] = *p;
	return o + 1;
}

/* The filter (async-signal-safe: the alarm's message goes through it). */
static ssize_t err_filter(void *cookie, const char *s, size_t n)
{
	char out[4096 + 2 * KP_ENC_CTL_MAX];
	size_t i = 0, o = 0, k;

	(void)cookie;
	if (g_err_c2 && n > 0) { /* a C2 held back from the last write */
		const char two[2] = { '\xC2', s[0] };
		g_err_c2 = 0;
		o = err_put(out, o, two, 2, &k);
		i = k == 2 ? 1 : 0;
	}
	for (; i < n; i += k) {
		if ((unsigned char)s[i] == 0xC2 && i + 1 == n) {
			g_err_c2 = 1; /* its second byte comes with the next write */
			break;
		}
		o = err_put(out, o, s + i, n - i, &k);
		if (o >= 4096) {
			if (err_write_all(out, o) < 0)
				return -1;
			o = 0;
		}
	}
	return o && err_write_all(out, o) < 0 ? -1 : (ssize_t)n;
}

static void err_filter_install(void)
{
	static const cookie_io_functions_t io = { NULL, err_filter, NULL, NULL };
	FILE *f;

	g_raw_err = stderr;
	if (!(f = fopencookie(NULL, "w", io)))
		return;
	setvbuf(f, NULL, _IOLBF, 0);
	stderr = f;
}


static int g_out_lost; /* kp_cli_out could not format a line */
static void progress_clear(void);

static void out_v(const char *fmt, va_list ap)
{
	char esc[KP_ENC_CTL_MAX], *text;
	const char *p, *end;
	size_t k;
	int n;

	n = vasprintf(&text, fmt, ap);
	if (n < 0) { /* a line not written: the command ends in error */
		g_out_lost = 1;
		return;
	}
	for (p = text, end = text + n; p < end; p += k)
		if (*p != '\n' && *p != '\t' && (k = kp_enc_ctl(p, (size_t)(end - p), esc)) > 0)
			fputs(esc, stdout);
		else
			putchar(*p), k = 1;
	free(text);
}

void kp_cli_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_v(fmt, ap);
	va_end(ap);
}

void kp_cli_out_msg(enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en; /* the catalogue's English text; there for the compiler */
	va_start(ap, en);
	out_v(kp_msg_fmt(id), ap);
	va_end(ap);
}

/* "kaoping: ", the sentence, a newline: on stderr. */
static void say_v(enum kp_msgid id, va_list ap)
{
	progress_clear();
	fprintf(stderr, "%s: ", kp_cli_prog);
	vfprintf(stderr, kp_msg_fmt(id), ap);
	fputc('\n', stderr);
}

void kp_cli_say(enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en;
	va_start(ap, en);
	say_v(id, ap);
	va_end(ap);
}

void kp_cli_note(const kp_cli_config *c, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en;
	if (c->quiet)
		return;
	va_start(ap, en);
	say_v(id, ap);
	va_end(ap);
}

void kp_cli_text(FILE *fp, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en;
	va_start(ap, en);
	vfprintf(fp, kp_msg_fmt(id), ap);
	va_end(ap);
}

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
	case KP_ETEMP: return EX_TEMPFAIL;
	default: return EX_SOFTWARE;
	}
}


static int report_error(const kp_cli_config *c, const kp_err *err)
{
	progress_clear();
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", kp_cli_prog, err->msg[0] ? err->msg : "internal error");
	if (c && c->verbose && err->trace)
		fprintf(stderr, "%s\n", err->trace);
	else if (err->kind == KP_ERULE && err->trace && c && !c->quiet)
		fprintf(stderr, "%s: (--verbose shows the Lua traceback)\n", kp_cli_prog);
	return exit_code(err->kind);
}

static const char *const phase_words[] = {
	[KP_PH_NONE] = "running", [KP_PH_RULES] = "loading the rules", [KP_PH_READ] = "reading the data",
	[KP_PH_OPEN] = "opening the database", [KP_PH_IMPORT] = "importing the data",
	[KP_PH_LOAD] = "reading the database", [KP_PH_BEGIN] = "starting the run in the database",
	[KP_PH_SCORE] = "scoring", [KP_PH_STORE] = "storing the run", [KP_PH_REPORT] = "writing the report",
	[KP_PH_TEST] = "running the rule tests",
};

/* Erase the progress line, if one is shown, before other text. */
static void progress_clear(void)
{
	if (g_progress_shown) {
		fprintf(g_raw_err, "\r\033[K");
		fflush(g_raw_err);
		g_progress_shown = 0;
	}
}

static void progress_show(const char *what, size_t done, size_t total)
{
	if (!g_show_progress || kp_sandbox_now() - g_started < g_progress_after)
		return;
	if (total)
		fprintf(g_raw_err, "\r%s: %s %zu%% (%zu of %zu)\033[K", kp_cli_prog, what, done * 100 / total, done, total);
	else
		fprintf(g_raw_err, "\r%s: %s...\033[K", kp_cli_prog, what);
	fflush(g_raw_err);
	g_progress_shown = 1;
}

/* A new phase: the alarm's message names it, and on a terminal a command
 * that has taken more than a second says what it is doing.  The report is
 * not announced when it goes to the terminal itself. */
void kp_cli_enter(int phase)
{
	g_phase = phase;
	g_locked_db = NULL; /* a wait for a lock, if any, is over */
	progress_clear();
	if (phase > KP_PH_NONE && phase < KP_PH_COUNT && phase != KP_PH_RULES && phase != KP_PH_TEST &&
	    !(phase == KP_PH_REPORT && g_report_tty))
		progress_show(phase_words[phase], 0, 0);
}

void kp_cli_tick(void *ud, size_t done, size_t total)
{
	int ph = g_phase;

	(void)ud;
	progress_show(phase_words[ph >= 0 && ph < KP_PH_COUNT ? ph : KP_PH_NONE], done, total);
}

/* Append s to buf[0..n) (async-signal-safe); the new length. */
static size_t put_str(char *buf, size_t n, size_t cap, const char *s)
{
	while (s && *s && n + 1 < cap)
		buf[n++] = *s++;
	return n;
}

static size_t put_long(char *buf, size_t n, size_t cap, long v)
{
	char d[24];
	int k = 0;

	do
		d[k++] = (char)('0' + v % 10), v /= 10;
	while (v > 0 && k < 23);
	while (k > 0 && n + 1 < cap)
		buf[n++] = d[--k];
	return n;
}

/* The limit ran out outside rule code: say what was going on; 75, a
 * temporary failure (try again, or give more time). */
static size_t alarm_words(char *buf, size_t cap)
{
	size_t n = put_str(buf, 0, cap, "kaoping: time limit exceeded while ");
	int ph = g_phase;

	n = put_str(buf, n, cap, phase_words[ph >= 0 && ph < KP_PH_COUNT ? ph : KP_PH_NONE]);
	if (g_locked_db) {
		n = put_str(buf, n, cap, ": the database ");
		n = put_str(buf, n, cap, g_locked_db);
		n = put_str(buf, n, cap, " is locked by another process");
		if (g_locked_pid > 0) {
			n = put_str(buf, n, cap, " (pid ");
			n = put_long(buf, n, cap, g_locked_pid);
			n = put_str(buf, n, cap, ")");
		}
	}
	return put_str(buf, n, cap, " (--timeout raises the limit)\n");
}

/* Seconds of rule code so far, and whether rule code runs now: while the
 * rules load or their tests run, the time since they began; while
 * scoring, the sandbox's count of its calls. */
static double rule_seconds(int *running)
{
	if (g_phase == KP_PH_RULES || g_phase == KP_PH_TEST) {
		*running = 1;
		return kp_sandbox_now() - g_armed_at;
	}
	*running = g_phase == KP_PH_SCORE && g_sandbox && kp_sandbox_in_call(g_sandbox);
	return kp_sandbox_rule_seconds(g_sandbox);
}

/* The limit is on rule code: a stuck C call inside a rule (the hook
 * cannot fire there) ends the command with a rule error, 78.  Reading,
 * storing and writing are never stopped while they make progress; the
 * alarm looks again later.  A wait for another process's lock is not
 * progress: it ends with 75, naming the database. */
static void on_alarm(int sig)
{
	char buf[1024];
	size_t n;
	int running;
	double left;
	static const char tail[] = ": time limit exceeded (a rule is stuck in a long library call; --timeout raises the limit)\n";

	(void)sig;
	if (g_locked_db) {
		kp_outfile_remove_open();
		n = alarm_words(buf, sizeof buf);
		err_filter(NULL, buf, n);
		_exit(EX_TEMPFAIL);
	}
	left = g_timeout - rule_seconds(&running);
	if (!running || left > 0) {
		alarm(left > 1 ? (unsigned)ceil(left) : 1);
		return;
	}
	kp_outfile_remove_open();
	memcpy(buf, "kaoping: ", 9);
	n = 9 + kp_sandbox_context(g_sandbox, g_rules_file, buf + 9, sizeof buf - 9 - sizeof tail);
	memcpy(buf + n, tail, sizeof tail - 1);
	n += sizeof tail - 1;
	err_filter(NULL, buf, n);
	_exit(EX_CONFIG);
}

/* Interrupted (Ctrl-C, kill): the temporary file of a report being
 * written is removed, then the signal ends the process as it would have
 * (the shell sees the signal).  A database transaction needs nothing: one
 * that did not commit is not there when the database is next opened. */
static void on_stop(int sig)
{
	kp_outfile_remove_open();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_stops(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The store waits for a database another process holds: say so at once
 * rather than pause in silence. */
static void on_lock_wait(void *ud, const char *path, long pid)
{
	(void)ud;
	g_locked_pid = pid;
	g_locked_db = path;
	if (pid > 0)
		fprintf(stderr, "%s: the database %s is locked by another process (pid %ld); waiting up to %d s...\n",
			kp_cli_prog, path, pid, KP_STORE_LOCK_WAIT);
	else
		fprintf(stderr, "%s: the database %s is locked by another process; waiting up to %d s...\n", kp_cli_prog,
			path, KP_STORE_LOCK_WAIT);
}

/* The limit on rule code: the sandbox's hook stops Lua code once its
 * calls have taken --timeout seconds; the alarm stops a C call stuck
 * inside a rule (and a wait for a locked database). */
static void arm_timeout(const kp_cli_config *c, kp_limits *lim)
{
	struct sigaction sa;

	memset(lim, 0, sizeof *lim);
	lim->max_instructions = c->max_instructions;
	lim->max_memory = c->max_memory;
	g_timeout = c->timeout;
	if (c->timeout <= 0)
		return;
	lim->timeout = c->timeout;
	g_armed_at = kp_sandbox_now();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART; /* a look that finds no rule code resumes what it interrupted */
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)ceil(c->timeout) + 1);
}

void kp_cli_disarm_timeout(void)
{
	alarm(0);
}

void kp_cli_info(const kp_cli_config *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	progress_clear();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Phase times, for profiling (KP_TIMING=1 in the environment). */
void kp_cli_phase(const char *what)
{
	static double last;
	double now = kp_sandbox_now();

	if (g_timing && last > 0)
		fprintf(stderr, "%s: timing: %-8s %.3f s\n", kp_cli_prog, what, now - last);
	last = now;
}

/* ---- progress of long imports ---- */

static void on_progress(void *ud, size_t done, size_t total)
{
	kp_cli_progress *p = ud;

	if (kp_sandbox_now() - p->start < 1.0)
		return;
	fprintf(g_raw_err, "\r%s: %s %zu%% (%zu MB)", kp_cli_prog, p->file, total ? done * 100 / total : 0, done >> 20);
	p->shown = 1;
}

void kp_cli_progress_end(kp_cli_progress *p)
{
	if (p->shown)
		fprintf(g_raw_err, "\r\033[K");
}

void kp_cli_progress_begin(const kp_cli_config *c, kp_csv_opts *o, kp_cli_progress *p, const char *file)
{
	memset(o, 0, sizeof *o);
	o->encoding = c->encoding;
	o->sheet = c->sheet;
	p->file = file, p->start = kp_sandbox_now(), p->shown = 0;
	if (!c->quiet && isatty(STDERR_FILENO))
		o->progress = on_progress, o->progress_ud = p;
}

/* Progress of a count on a terminal (explain --all writing sheets): shown
 * after the first second, every 64 items; kp_cli_progress_end clears it. */
void kp_cli_progress_count(const kp_cli_config *c, kp_cli_progress *p, size_t done, size_t total)
{
	if (c->quiet || (done % 64 && done != total) || kp_sandbox_now() - p->start < 1.0 ||
	    !isatty(STDERR_FILENO))
		return;
	fprintf(g_raw_err, "\r%s: %s %zu/%zu", kp_cli_prog, p->file, done, total);
	p->shown = 1;
}

/* ---- shared steps of the verbs ---- */

int kp_cli_load_rules(kp_cli_config *c, const char *path, int with_tests, kp_rules **r, kp_err *err)
{
	kp_limits lim;
	int rc;

	g_rules_file = path;
	arm_timeout(c, &lim);
	lim.modules = c->modules;
	kp_cli_enter(KP_PH_RULES);
	rc = kp_rules_load(path, &lim, with_tests, r, err);
	kp_cli_enter(KP_PH_NONE);
	if (!rc)
		g_sandbox = (*r)->sb;
	return rc;
}

int kp_cli_year(const kp_cli_config *c, const kp_rules *r)
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

int kp_cli_read_csvs(kp_cli_config *c, const kp_rules *r, kp_data *d, char **files, int n, kp_err *err)
{
	int i, rc = 0;

	kp_cli_enter(KP_PH_READ);
	for (i = 0; i < n && !rc; i++) {
		kp_csv_opts o;
		kp_cli_progress p;
		kp_cli_progress_begin(c, &o, &p, files[i]);
		rc = kp_data_read_csv(d, files[i], NULL, r, &o, err);
		kp_cli_progress_end(&p);
		if (!rc) {
			const kp_table *t = d->tab[d->ntab - 1];
			kp_cli_read_notes(c, files[i], t->skipped_rows, t->dropped_cols, t->tabs);
		}
	}
	return rc;
}

/* The report's format: --format, else the -o file's extension, else table. */
/* The format an -o name asks for by its extension (.csv, .xlsx, .md,
 * .json, .html or .htm, .txt for the table), or -1: none kaoping writes. */
static int format_of_name(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return -1;
	if (!strcasecmp(dot + 1, "htm"))
		return KP_FMT_HTML;
	if (!strcasecmp(dot + 1, "txt"))
		return KP_FMT_TABLE;
	if (!strcasecmp(dot + 1, "table"))
		return -1;
	{
		char ext[8];
		size_t i, n = strlen(dot + 1);
		if (n >= sizeof ext)
			return -1;
		for (i = 0; i <= n; i++)
			ext[i] = (char)tolower((unsigned char)dot[1 + i]);
		return kp_report_format(ext);
	}
}

int kp_cli_report_format(const kp_cli_config *c)
{
	int f;

	if (c->format >= 0)
		return c->format;
	if (c->output && (f = format_of_name(c->output)) >= 0)
		return f;
	return KP_FMT_TABLE;
}

int kp_cli_write_report(const kp_cli_config *c, const kp_result *res, kp_err *err)
{
	kp_report_opts o;
	int rc;

	g_report_tty = !c->output && isatty(STDOUT_FILENO);
	kp_cli_enter(KP_PH_REPORT);
	memset(&o, 0, sizeof o);
	o.format = kp_cli_report_format(c);
	o.lang = c->lang;
	o.bom = c->bom;
	o.items = c->items;
	o.output = c->output;
	o.summary = c->summary;
	kp_cli_term_opts(c, &o);
	rc = kp_cli_term_write(res, &o, err);
	if (!rc && c->output)
		kp_cli_info(c, "%s: wrote %s\n", kp_cli_prog, c->output);
	return rc;
}

/* -o naming a file the command reads (the rule file, a CSV, the
 * database; by device and inode, so "./x.csv" and a hard link count) would
 * replace the user's data with the report: a usage error, before any work. */
static int output_is_input(const kp_cli_config *c, kp_err *err)
{
	int i;

	if (kp_infile_same(c->output, c->db))
		return kp_err_set(err, KP_EUSAGE, "-o %s is the database %s: the report would replace it; "
				  "write the report to another file", c->output, c->db);
	for (i = 0; i < c->nargs; i++)
		if (kp_infile_same(c->output, c->args[i]))
			return kp_err_set(err, KP_EUSAGE, "-o %s is %s %s, which this command reads: the report would "
					  "replace it; write the report to another file", c->output,
					  i == 0 || !strcmp(c->verb, "compare") ? "the rule file" : "the CSV file", c->args[i]);
	return 0;
}

/* Refuse an output file that cannot be created before anything is
 * scored or recorded: a failed -o must not leave a recorded run behind. */
int kp_cli_check_output(const kp_cli_config *c, kp_err *err)
{
	int rc;

	if (c->output && (rc = output_is_input(c, err)))
		return rc;
	/* a name kaoping writes no format of (.docx, .pdf, .xls, none) would
	 * get a table under a name that promises something else */
	if (c->output && c->format < 0 && format_of_name(c->output) < 0)
		return kp_err_set(err, KP_EUSAGE, "-o %s: kaoping writes .csv, .xlsx, .md, .json, .html (.htm) or .txt "
				  "(the table); name the file so, or say which with --format", c->output);
	return kp_cli_check_output_path(c, err);
}

int kp_cli_check_output_path(const kp_cli_config *c, kp_err *err)
{
	char *dir;
	struct stat sb;
	int rc, ok, e;

	if ((rc = kp_cli_term_check(c, err)) || !c->output)
		return rc;
	if ((rc = output_is_input(c, err)))
		return rc;
	if (stat(c->output, &sb) == 0 && S_ISDIR(sb.st_mode))
		return kp_err_set(err, KP_ECREATE, "%s: cannot create: Is a directory", c->output);
	if (!(dir = kp_outfile_dir(c->output)))
		return kp_err_oom(err);
	ok = access(dir, W_OK | X_OK) == 0, e = errno;
	free(dir);
	if (!ok)
		return kp_err_set(err, KP_ECREATE, "%s: cannot create: %s", c->output, strerror(e));
	return 0;
}

/* ---- the verbs, their help, and option parsing ---- */

static const kp_cli_cmd verbs[] = {
	{"run", kp_cmd_run, KP_O_DB | KP_O_YEAR | KP_O_REPORT | KP_O_ENCODING | KP_O_SHEET | KP_O_LIMITS, 1, -1,
	 "kaoping run RULES [CSV...] [--format F] [-o FILE] [--db FILE]",
	 "Import the CSV files, score them with RULES and print the ranking, in one go.\n"
	 "Without --db nothing is stored (an in-memory run); with --db the files are\n"
	 "imported into that database and the run is recorded there.  A single CSV is\n"
	 "the unit table.  Excel/WPS workbooks (.xlsx, .xls) are read like CSV files.\n\n"
	 "  kaoping run rules/2021-fazhi.lua samples/2021/*.csv\n"
	 "  kaoping run rules/bench.lua units.csv --format json\n", NULL},
	{"import", kp_cmd_import, KP_O_DB | KP_O_YEAR | KP_O_AS | KP_O_REPLACE | KP_O_ENCODING | KP_O_SHEET, 1, -1,
	 "kaoping import [--year Y] [--as NAME] [--replace] CSV...",
	 "Import CSV files into the database (default kaoping.db), all or nothing.\n"
	 "Each file becomes a dataset named after its file name (units.csv -> units).\n"
	 "Importing a name or file again for the same year is refused unless --replace.\n"
	 "GB18030/GBK files are detected; --encoding gb18030|utf-8 forces one.\n"
	 "Excel/WPS workbooks (.xlsx, .xls; told by their bytes) are read too: the\n"
	 "first sheet, or --sheet NAME; its first non-empty row is the header.\n\n"
	 "  kaoping import --year 2021 samples/2021/*.csv\n"
	 "  kaoping import --year 2021 units.xlsx\n", NULL},
	{"score", kp_cmd_score, KP_O_DB | KP_O_YEAR | KP_O_REPORT | KP_O_LIMITS, 1, 1,
	 "kaoping score RULES [--year Y] [--format F] [-o FILE]",
	 "Score what is imported for the year (the rules' year unless --year) and\n"
	 "record the run in the database, in one transaction; print the ranking.\n\n"
	 "  kaoping score rules/2021-fazhi.lua\n", NULL},
	{"report", kp_cmd_report, KP_O_DB | KP_O_RUN | KP_O_REPORT, 0, 0,
	 "kaoping report [--run N] [--format F] [-o FILE] [--lang zh|en]",
	 "Print a recorded run (the newest unless --run) as table, csv, xlsx, md, json\n"
	 "or html.  -o FILE writes the file (its extension picks the format).\n\n"
	 "  kaoping report --format html -o 2021.html\n", NULL},
	{"explain", kp_cmd_explain, KP_O_DB | KP_O_RUN | KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_ALL | KP_O_REPLACE, 0, 1,
	 "kaoping explain [--run N] UNIT | kaoping explain --all [--run N] [-o DIR] [--format F]",
	 "Every point of one unit (by id or name), with the rules' notes, and each\n"
	 "item's basis and office when the rule file of the run gives them.\n"
	 "With --all: a score sheet for every unit (一单位一表), one file each in DIR\n"
	 "(default sheets/, created), named ID-NAME.html: total, rank, grade,\n"
	 "commendation, every item, and the imported rows the points came from with\n"
	 "their file and line.  Sheets already there are not overwritten unless\n"
	 "--replace.\n\n"
	 "  kaoping explain 城关镇\n"
	 "  kaoping explain --all -o sheets --format html\n",
	 "table, md or json; with --all: html (default), md, json or xlsx"},
	{"check", kp_cmd_check, KP_O_LIMITS | KP_O_ENCODING | KP_O_SHEET, 1, -1,
	 "kaoping check RULES [CSV...]",
	 "Check a rule file (syntax, points that must add up, declarations) and, given\n"
	 "CSV files, the data against it: columns the rules read, values they need.\n", NULL},
	{"criteria", kp_cmd_criteria, KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_BOM | KP_O_LIMITS, 1, 1,
	 "kaoping criteria RULES [--format table|csv|md|html]",
	 "Print the published criteria (考核细则) that RULES encode; html is a page\n"
	 "to print on A4.\n", "table, csv, md or html"},
	{"template", kp_cmd_template, KP_O_DB | KP_O_YEAR | KP_O_FORMAT | KP_O_OUTPUT | KP_O_REPLACE | KP_O_LIMITS, 1, 1,
	 "kaoping template RULES [-o DIR] [--format xlsx|csv] [--db FILE --year Y] [--replace]",
	 "Write the forms each reporting office fills in, one per dataset RULES read\n"
	 "(the unit table, each data declaration, each events list), into DIR (default\n"
	 "forms/), in a folder per office when the rules name it.  Each column carries\n"
	 "its guidance: the items that read it, what to write, whether a blank is\n"
	 "allowed (xlsx: header comments and a 说明 sheet; csv: NAME.说明.txt beside it).\n"
	 "With --db the unit rows of the year's unit table are prefilled.  A filled\n"
	 "form imports as it is.  An existing form is refused unless --replace.\n\n"
	 "  kaoping template rules/2021-fazhi.lua -o forms --format csv\n", "xlsx or csv"},
	{"test", kp_cmd_test, KP_O_LIMITS, 1, 1,
	 "kaoping test RULES",
	 "Run the test cases of RULES (case \"...\" { ... } in the file or in\n"
	 "RULES_test.lua beside it); exit 1 when one fails.\n", NULL},
	{"compare", kp_cmd_compare, KP_O_DB | KP_O_YEAR | KP_O_RUN | KP_O_REPORT | KP_O_LIMITS, 0, 2,
	 "kaoping compare RULES_A RULES_B [--year Y] | compare --run N --run M  [--format F] [-o FILE]",
	 "What a change of the rules would do: score the year's imported data with both\n"
	 "rule files (nothing is recorded), or take two recorded runs, and show per\n"
	 "category each unit's rank, total and grade under A and B, who moves up or\n"
	 "down and by how much, whose grade changes, whose commendation is gained or\n"
	 "lost, and the units only one side has.\n\n"
	 "  kaoping compare rules/2021-fazhi.lua rules/2021-fazhi-variant.lua\n"
	 "  kaoping compare --run 1 --run 2 --format json\n", NULL},
	{"robust", kp_cmd_robust, KP_O_DB | KP_O_YEAR | KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_BOM |
	 KP_O_LIMITS | KP_O_ROBUST, 1, 1,
	 "kaoping robust RULES [--draws N] [--spread P] [--seed S] [--by section|indicator]",
	 "How robust the ranking is to the weights: score the year's imported data once,\n"
	 "then N times with every section's (or indicator's) points moved by up to\n"
	 "±P%, uniformly, and scaled back so the full points stay the same; show each\n"
	 "unit's rank range (5th-95th percentile), median rank and the share of draws\n"
	 "in which it is commended, and flag commendations that are not robust\n"
	 "(commended in more than 10% and less than 90% of the draws).\n\n"
	 "  kaoping robust rules/2021-fazhi.lua --draws 1000 --spread 20 --seed 1\n",
	 "table, md, csv or json"},
	{"notice", kp_cmd_notice, KP_O_DB | KP_O_RUN | KP_O_FORMAT | KP_O_OWNFMT | KP_O_OUTPUT | KP_O_TEMPLATE | KP_O_LIMITS,
	 0, 1, "kaoping notice [RULES] [--run N] [--format md|html|docx] [-o FILE] [--template FILE]",
	 "Write the draft commendation notice (通报表彰) of a recorded run: its title,\n"
	 "year, issuing office and basis, the commended units of each category in rank\n"
	 "order, from a template (built in; scripts/notice.md.tmpl shows it, --template\n"
	 "uses another, docs/RULES.md describes its placeholders).  The rules are read\n"
	 "from RULES, else from the path the run recorded; either must be the very file\n"
	 "the run was scored with (its SHA-256).  The format is --format, else -o's\n"
	 "extension (.md, .html, .docx), else md.\n", "md, html or docx"},
	{"imports", kp_cmd_imports, KP_O_DB | KP_O_YEAR, 0, 0,
	 "kaoping imports [--year Y]",
	 "List what the database holds: each import in use with its year, rows, the\n"
	 "first digits of its file's SHA-256, when it was imported, dataset and file.\n\n"
	 "  kaoping imports --year 2021\n", NULL},
	{"runs", kp_cmd_runs, KP_O_DB, 0, 0,
	 "kaoping runs",
	 "List the recorded runs: id, year, units scored, the first digits of the rule\n"
	 "file's SHA-256, when, and the rule file.  kaoping report --run N prints one.\n", NULL},
	{"drop", kp_cmd_drop, KP_O_DB | KP_O_YEAR, 1, 1,
	 "kaoping drop --year Y DATASET",
	 "Remove the import DATASET of year Y (as kaoping imports names it), in one\n"
	 "transaction, recorded in the database (table import_drops: what was dropped,\n"
	 "when, and which runs had used it).  Runs that used it keep their results;\n"
	 "scoring the year again needs the data imported again.\n\n"
	 "  kaoping drop --year 2021 shenji\n", NULL},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL}
};

static void usage_all(FILE *fp)
{
	const kp_cli_cmd *v;

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
		    "  --timeout SECONDS    seconds of rule code allowed (default %g)\n"
		    "  --max-instructions N Lua instructions per unit and per file load (default %lld)\n"
		    "  --max-memory SIZE    memory of the rules' Lua state, e.g. 256M (default %uM)\n"
		    "  --modules DIR        where use \"name\" finds name.lua after the rule file's folder\n"
		    "                       (default " KP_MODULES_DIR ")\n"
		    "  --quiet, --verbose   fewer messages; Lua tracebacks with errors\n\n"
		    "exit status: 0 ok, 1 rule tests failed, 64 usage, 65 bad data, 66 missing input,\n"
		    "  70 internal, 73 cannot create, 74 cannot write, 75 database locked or time limit\n"
		    "  outside the rules, 78 rule file error\n",
		KP_DEFAULT_TIMEOUT, KP_DEFAULT_MAX_INSTRUCTIONS, KP_DEFAULT_MAX_MEMORY >> 20);
}

static void usage_verb(const kp_cli_cmd *v, FILE *fp)
{
	fprintf(fp, "usage: %s\n\n%s", v->usage, v->help);
	fprintf(fp, "\noptions:\n");
	if (v->opts & KP_O_DB)
		fprintf(fp, "  --db FILE          the database (default %s)\n", !strcmp(v->name, "template") ? "none: forms not prefilled" :
			strcmp(v->name, "run") ? "kaoping.db" : "none: in memory");
	if (v->opts & KP_O_YEAR)
		fprintf(fp, "  --year Y           the assessment year\n");
	if (v->opts & KP_O_RUN)
		fprintf(fp, "  --run N            a recorded run (default: the newest)\n");
	if (v->opts & KP_O_FORMAT)
		fprintf(fp, "  --format F         %s\n", v->formats ? v->formats : "table, csv, xlsx, md, json or html");
	if (v->opts & KP_O_OUTPUT)
		fprintf(fp, "%s", !strcmp(v->name, "template") ? "  -o, --output DIR   the folder of the forms (default forms; created when missing)\n"
			    : v->opts & KP_O_ALL ? "  -o, --output FILE  write to FILE (atomically) instead of stdout; with --all: the folder\n"
			    : "  -o, --output FILE  write to FILE (atomically) instead of stdout\n");
	if (v->opts & KP_O_LANG)
		fprintf(fp, "  --lang zh|en       labels in Chinese (default) or English\n");
	if (v->opts & KP_O_BOM)
		fprintf(fp, "  --bom, --no-bom    CSV: a UTF-8 BOM (default: with -o, yes)\n");
	if (v->opts & KP_O_ITEMS)
		fprintf(fp, "  --items            JSON: every indicator, deduction and bonus of each unit too\n");
	if (v->opts & KP_O_TERM)
		fprintf(fp, "  --width N          table: fit N columns (default: the terminal's width; a pipe\n"
			    "                     or a file gets the full table)\n"
			    "  --wide             table: the full table, every column, whatever the width\n"
			    "  --columns LIST     table: these columns, by name: 排名,单位代码,单位名称,一,二,...,\n"
			    "                     扣分,加分,总分,等次,拟表彰,一票否决,名次变化 (or rank,unit_id,...)\n"
			    "                     still too wide on a terminal: through $PAGER (less -S);\n"
			    "                     NO_COLOR set: no bold\n");
	if (v->opts & KP_O_SUMMARY)
		fprintf(fp, "  --summary          html: the commendation list, grades and rankings only\n");
	if (v->opts & KP_O_AS)
		fprintf(fp, "  --as NAME          the dataset name of a single file\n");
	if (v->opts & KP_O_ALL)
		fprintf(fp, "  --all              a score sheet for every unit, into -o DIR (default sheets)\n");
	if (v->opts & KP_O_REPLACE)
		fprintf(fp, "%s", !strcmp(v->name, "template") ? "  --replace          write over forms already there\n"
			    : v->opts & KP_O_ALL ? "  --replace          --all: write over sheets already in DIR\n"
			    : "  --replace          replace an earlier import of the same name and year\n");
	if (v->opts & KP_O_ENCODING)
		fprintf(fp, "  --encoding E       auto (default), utf-8 or gb18030\n");
	if (v->opts & KP_O_ROBUST)
		fprintf(fp, "  --draws N          rankings drawn (default 1000)\n"
			    "  --spread P         the most a weight moves, in percent (default 20)\n"
			    "  --seed S           the generator's seed (default 1): same seed, same output\n"
			    "  --by W             section (default) or indicator: which weights move\n");
	if (v->opts & KP_O_TEMPLATE)
		fprintf(fp, "  --template FILE    the notice template (default: the one built in)\n");
	if (v->opts & KP_O_SHEET)
		fprintf(fp, "  --sheet NAME       a workbook's sheet to read (default: the first)\n");
	if (v->opts & KP_O_LIMITS)
		fprintf(fp, "  --timeout S, --max-instructions N, --max-memory SIZE   sandbox limits\n"
			    "  --modules DIR      where use \"name\" finds name.lua after the rule file's folder\n");
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
       OPT_TIMEOUT, OPT_MAXI, OPT_MAXM, OPT_MODULES, OPT_BOM, OPT_NOBOM, OPT_ITEMS, OPT_QUIET, OPT_VERBOSE, OPT_HELP,
       OPT_WIDTH, OPT_WIDE, OPT_COLUMNS, OPT_SUMMARY, OPT_DRAWS, OPT_SPREAD, OPT_SEED, OPT_BY, OPT_TEMPLATE, OPT_ALL, OPT_SHEET };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB}, {"year", required_argument, NULL, OPT_YEAR},
	{"format", required_argument, NULL, OPT_FORMAT}, {"output", required_argument, NULL, 'o'},
	{"lang", required_argument, NULL, OPT_LANG}, {"run", required_argument, NULL, OPT_RUN},
	{"as", required_argument, NULL, OPT_AS}, {"replace", no_argument, NULL, OPT_REPLACE},
	{"encoding", required_argument, NULL, OPT_ENCODING}, {"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"max-instructions", required_argument, NULL, OPT_MAXI}, {"max-memory", required_argument, NULL, OPT_MAXM},
	{"modules", required_argument, NULL, OPT_MODULES},
	{"bom", no_argument, NULL, OPT_BOM}, {"no-bom", no_argument, NULL, OPT_NOBOM},
	{"items", no_argument, NULL, OPT_ITEMS},
	{"width", required_argument, NULL, OPT_WIDTH}, {"wide", no_argument, NULL, OPT_WIDE},
	{"columns", required_argument, NULL, OPT_COLUMNS}, {"summary", no_argument, NULL, OPT_SUMMARY},
	{"draws", required_argument, NULL, OPT_DRAWS}, {"spread", required_argument, NULL, OPT_SPREAD},
	{"seed", required_argument, NULL, OPT_SEED}, {"by", required_argument, NULL, OPT_BY},
	{"template", required_argument, NULL, OPT_TEMPLATE},
	{"all", no_argument, NULL, OPT_ALL},
	{"sheet", required_argument, NULL, OPT_SHEET},
	{"quiet", no_argument, NULL, OPT_QUIET}, {"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0}
};

static int option_mask(int opt)
{
	switch (opt) {
	case OPT_DB: return KP_O_DB;
	case OPT_YEAR: return KP_O_YEAR;
	case OPT_FORMAT: return KP_O_FORMAT;
	case 'o': return KP_O_OUTPUT;
	case OPT_LANG: return 0; /* every command speaks both languages */
	case OPT_RUN: return KP_O_RUN;
	case OPT_AS: return KP_O_AS;
	case OPT_REPLACE: return KP_O_REPLACE;
	case OPT_ENCODING: return KP_O_ENCODING;
	case OPT_TIMEOUT: case OPT_MAXI: case OPT_MAXM: case OPT_MODULES: return KP_O_LIMITS;
	case OPT_BOM: case OPT_NOBOM: return KP_O_BOM;
	case OPT_ITEMS: return KP_O_ITEMS;
	case OPT_WIDTH: case OPT_WIDE: case OPT_COLUMNS: return KP_O_TERM;
	case OPT_SUMMARY: return KP_O_SUMMARY;
	case OPT_DRAWS: case OPT_SPREAD: case OPT_SEED: case OPT_BY: return KP_O_ROBUST;
	case OPT_TEMPLATE: return KP_O_TEMPLATE;
	case OPT_ALL: return KP_O_ALL;
	case OPT_SHEET: return KP_O_SHEET;
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
static int take_option(kp_cli_config *c, int opt, const char *arg, kp_err *err)
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
		c->format_name = arg;
		if ((c->format = kp_report_format(arg)) < 0 && !(c->opts & KP_O_OWNFMT))
			return kp_err_set(err, KP_EUSAGE, "--format: '%s' is not one of table, csv, xlsx, md, json, html", arg);
		break;
	case 'o': c->output = arg; break;
	case OPT_LANG:
		if (strcmp(arg, "zh") && strcmp(arg, "en"))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_LANG_BAD, arg);
		c->lang = !strcmp(arg, "en") ? KP_LANG_EN : KP_LANG_ZH;
		kp_msg_set_lang(c->lang);
		break;
	case OPT_RUN:
		if (parse_long(arg, 1, 1LL << 40, &v))
			return kp_err_set(err, KP_EUSAGE, "--run: '%s' is not a run number", arg);
		c->run_prev = c->run_id;
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
	case OPT_MODULES:
		if (!*arg)
			return kp_err_set(err, KP_EUSAGE, "--modules: give a directory");
		c->modules = arg;
		break;
	case OPT_BOM: c->bom = 1; break;
	case OPT_NOBOM: c->bom = 0; break;
	case OPT_ITEMS: c->items = 1; break;
	case OPT_WIDTH:
		if (parse_long(arg, 20, 10000, &v))
			return kp_err_set(err, KP_EUSAGE, "--width: '%s' is not a number of columns (20 to 10000)", arg);
		c->width = (int)v;
		break;
	case OPT_WIDE: c->wide = 1; break;
	case OPT_COLUMNS:
		if (!*arg)
			return kp_err_set(err, KP_EUSAGE, "--columns: give column names, separated by commas");
		c->columns = arg;
		break;
	case OPT_SUMMARY: c->summary = 1; break;
	case OPT_DRAWS: case OPT_SPREAD: case OPT_SEED: case OPT_BY:
		return kp_cli_robust_option(c, opt - OPT_DRAWS, arg, err);
	case OPT_TEMPLATE: c->tmpl = arg; break;
	case OPT_ALL: c->all = 1; break;
	case OPT_SHEET: c->sheet = arg; break;
	case OPT_QUIET: c->quiet = 1; break;
	case OPT_VERBOSE: c->verbose = 1; break;
	default: return kp_err_set(err, KP_EUSAGE, "unknown option");
	}
	return 0;
}

/* An option getopt does not know, with the nearest one when it is close
 * ("--yaer": did you mean --year?). */
static int unknown_option(const kp_cli_cmd *v, const char *arg, kp_err *err)
{
	const char *names[sizeof long_opts / sizeof long_opts[0]], *near;
	char word[64];
	size_t n = 0;
	const struct option *o;

	for (o = long_opts; o->name; o++)
		names[n++] = o->name;
	snprintf(word, sizeof word, "%s", arg + strspn(arg, "-"));
	word[strcspn(word, "=")] = '\0';
	if (strlen(arg) < sizeof word && (near = kp_near_best(word, names, n)))
		return kp_err_set(err, KP_EUSAGE, "%s: unknown option '%s'; did you mean --%s? (kaoping %s --help lists them)",
				  v->name, arg, near, v->name);
	return kp_err_set(err, KP_EUSAGE, "%s: unknown option '%s' (kaoping %s --help lists them)", v->name, arg,
			  v->name);
}

static int parse(kp_cli_config *c, const kp_cli_cmd *v, int argc, char **argv, kp_err *err)
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
			return unknown_option(v, argv[optind - 1], err);
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
	if (g_out_lost)
		return kp_err_oom(err);
	return 0;
}

/* A command not in the table, with the nearest one when it is close. */
static void unknown_command(const char *word)
{
	const char *names[sizeof verbs / sizeof verbs[0]], *near;
	size_t n = 0;
	const kp_cli_cmd *v;

	for (v = verbs; v->name; v++)
		names[n++] = v->name;
	if ((near = kp_near_best(word, names, n)))
		fprintf(stderr, "%s: unknown command '%s'; did you mean '%s'? (kaoping --help lists the commands)\n",
			kp_cli_prog, word, near);
	else
		fprintf(stderr, "%s: unknown command '%s' (kaoping --help lists the commands)\n", kp_cli_prog, word);
}

/* The language of messages: --lang anywhere on the line (before the
 * command too: kaoping --lang en report), else the environment
 * (KAOPING_LANG, LC_ALL, LC_MESSAGES, LANG), else Chinese.  Report labels
 * follow --lang only (DESIGN §4: default zh).  A --lang before the command
 * is taken out of argv; returns the new argc. */
static int choose_language(kp_cli_config *c, int argc, char **argv)
{
	enum kp_lang env = kp_msg_lang_env(getenv("KAOPING_LANG"), getenv("LC_ALL"), getenv("LC_MESSAGES"),
					   getenv("LANG"));
	int i, j;

	kp_msg_set_lang(env);
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *v = !strncmp(argv[i], "--lang=", 7) ? argv[i] + 7 :
				!strcmp(argv[i], "--lang") && i + 1 < argc ? argv[i + 1] : NULL;
		if (v && (!strcmp(v, "zh") || !strcmp(v, "en")))
			kp_msg_set_lang(!strcmp(v, "en") ? KP_LANG_EN : KP_LANG_ZH);
	}
	/* global options before the command: --lang L, --lang=L */
	for (i = 1; i < argc && !strncmp(argv[i], "--lang", 6); ) {
		int n = argv[i][6] == '=' ? 1 : !argv[i][6] && i + 1 < argc ? 2 : 0;
		const char *v = n == 1 ? argv[i] + 7 : n == 2 ? argv[i + 1] : NULL;

		if (!v || (strcmp(v, "zh") && strcmp(v, "en")))
			break; /* the command's parser says what is wrong */
		c->lang = !strcmp(v, "en") ? KP_LANG_EN : KP_LANG_ZH;
		for (j = i; j + n < argc; j++)
			argv[j] = argv[j + n];
		argc -= n;
		argv[argc] = NULL;
	}
	return argc;
}

int kp_cli_main(int argc, char **argv)
{
	kp_cli_config c;
	kp_err err;
	const kp_cli_cmd *v;
	int rc;

	memset(&c, 0, sizeof c);
	memset(&err, 0, sizeof err);
	c.format = -1, c.bom = -1, c.timeout = KP_DEFAULT_TIMEOUT;
	c.draws = 1000, c.spread = 20, c.seed = 1; /* robust's defaults */
	g_timing = getenv("KP_TIMING") != NULL;
	/* past a file-size limit (ulimit -f) a write fails with EFBIG, which
	 * every writer reports, instead of the process dying by SIGXFSZ with
	 * its temporary files left behind */
	signal(SIGXFSZ, SIG_IGN);
	catch_stops();
	kp_store_on_lock_wait(on_lock_wait, NULL);
	err_filter_install();
	argc = choose_language(&c, argc, argv);
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
		unknown_command(argv[1]);
		return EX_USAGE;
	}
	c.verb = v->name;
	c.opts = v->opts;
	rc = parse(&c, v, argc - 1, argv + 1, &err);
	if (rc < 0)
		return flush_stdout(&err) ? report_error(&c, &err) : EX_OK;
	if (!rc && !c.db && strcmp(v->name, "run") && strcmp(v->name, "template"))
		c.db = "kaoping.db";
	g_show_progress = !c.quiet && isatty(STDERR_FILENO);
	g_started = kp_sandbox_now();
	if (getenv("KP_PROGRESS_AFTER"))
		g_progress_after = atof(getenv("KP_PROGRESS_AFTER"));
	if (!rc)
		rc = v->fn(&c, &err);
	kp_cli_disarm_timeout();
	progress_clear();
	if (!rc)
		rc = flush_stdout(&err);
	rc = rc ? report_error(&c, &err) : EX_OK;
	kp_err_clear(&err);
	return rc;
}
