/* cli.c — the command line of kaoping (DESIGN §4): what every command
 * shares.  Parses options into a config, finds the command in the command
 * table and runs it (each command is its own core/cmd_*.c), keeps the time
 * limit and the progress line, prints messages as "kaoping: FILE:LINE: what"
 * on stderr, and maps error kinds to <sysexits.h> codes. */
#include "kaoping/cli.h"
#include "cli_int.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <ctype.h>
#include <signal.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "kaoping/data.h"
#include "kaoping/enc.h"
#include "kaoping/infile.h"
#include "kaoping/near.h"
#include "kaoping/outfile.h"
#include "kaoping/xlsx.h"
#include "kaoping/report.h"
#include "kaoping/rules.h"
#include "kaoping/sandbox.h"
#include "kaoping/store.h"
#include "kaoping/derive.h"

#ifndef KP_VERSION
#define KP_VERSION "0.1"
#endif

const char kp_cli_prog[] = "kaoping";

const char *kp_cli_version(void)
{
	return KP_VERSION;
}
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
/* The bytes held back at the end of a write: the start of a control
 * (C2 of a C1 control; E2, E2 80 or E2 81 of a bidi control) whose rest
 * comes with the next write. */
static char g_err_held[2];
static size_t g_err_nheld;

/* How many bytes at the end of s[0..n) may start a control cut short. */
static size_t ctl_tail(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n >= 1 && (u[n - 1] == 0xC2 || u[n - 1] == 0xE2))
		return 1;
	if (n >= 2 && u[n - 2] == 0xE2 && (u[n - 1] == 0x80 || u[n - 1] == 0x81))
		return 2;
	return 0;
}

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
	size_t i = 0, o = 0, k, end;

	(void)cookie;
	if (g_err_nheld && n > 0) { /* bytes held back from the last write, then this one's */
		char join[4];
		size_t h = g_err_nheld, jn = h, p = 0;
		memcpy(join, g_err_held, h);
		for (; jn < sizeof join && jn - h < n; jn++)
			join[jn] = s[jn - h];
		g_err_nheld = 0;
		for (; p < h; p += k)
			o = err_put(out, o, join + p, jn - p, &k);
		i = p - h; /* a control took the first bytes of s too */
	}
	end = n - ctl_tail(s + i, n - i);
	if (end < n) { /* its rest comes with the next write */
		memcpy(g_err_held, s + end, n - end);
		g_err_nheld = n - end;
	}
	for (; i < end; i += k) {
		o = err_put(out, o, s + i, end - i, &k);
		if (o >= 4096) {
			if (err_write_all(out, o) < 0)
				return -1;
			o = 0;
		}
	}
	return o && err_write_all(out, o) < 0 ? -1 : (ssize_t)n;
}

/* A rule's print(): "[rules] …" on stderr, its controls escaped as every
 * message's are (kp_sandbox_print_to). */
static void print_rules(const char *line, size_t len)
{
	fputs("kaoping: [rules] ", stderr); /* not words */
	fwrite(line, 1, len, stderr);
	fputc('\n', stderr);
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

/* Control characters escaped; with one_line, every line break but a last
 * one too (a text read from a database may hold one: it would forge a
 * row of a listing). */
static void out_v(int one_line, const char *fmt, va_list ap)
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
		if (*p == '\n' && one_line && p + 1 < end)
			fputs("\\n", stdout), k = 1;
		else if (*p != '\n' && *p != '\t' && (k = kp_enc_ctl(p, (size_t)(end - p), esc)) > 0)
			fputs(esc, stdout);
		else
			putchar(*p), k = 1;
	free(text);
}

/* s on stderr with each line break as \n: a message is one line, and a
 * text in it (a rule's error, a unit id, a path read from a database)
 * must not start a line of its own ("kaoping: run 1 recorded ..."). */
static void err_flat(const char *s)
{
	const char *nl;

	while ((nl = strchr(s, '\n'))) {
		fwrite(s, 1, (size_t)(nl - s), stderr);
		fputs("\\n", stderr);
		s = nl + 1;
	}
	fputs(s, stderr);
}

void kp_cli_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_v(0, fmt, ap);
	va_end(ap);
}

void kp_cli_out_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_v(1, fmt, ap);
	va_end(ap);
}

void kp_cli_out_msg(enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en; /* the catalogue's English text; there for the compiler */
	va_start(ap, en);
	out_v(0, kp_msg_fmt(id), ap);
	va_end(ap);
}

/* "kaoping: ", the sentence, a newline: on stderr. */
static void say_v(enum kp_msgid id, va_list ap)
{
	char *text;

	progress_clear();
	fprintf(stderr, "%s: ", kp_cli_prog);
	if (vasprintf(&text, kp_msg_fmt(id), ap) < 0) {
		fputs(kp_msg_name(id), stderr); /* without memory, the message's name */
	} else {
		err_flat(text);
		free(text);
	}
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
	if (err->msg[0]) {
		fprintf(stderr, "%s: ", kp_cli_prog);
		err_flat(err->msg);
		fputc('\n', stderr);
	} else {
		kp_cli_say(KP_M_INTERNAL);
	}
	if (c && c->verbose && err->trace) { /* its lines, each as a line of kaoping's */
		const char *s = err->trace, *nl;
		for (; (nl = strchr(s, '\n')); s = nl + 1)
			fprintf(stderr, "%s: %.*s\n", kp_cli_prog, (int)(nl - s), s);
		fprintf(stderr, "%s: %s\n", kp_cli_prog, s);
	}
	else if (err->kind == KP_ERULE && err->trace && c && !c->quiet)
		kp_cli_say(KP_M_CLI_VERBOSE_HINT);
	/* a failure whose record was left empty is still a failure: never 0 */
	return err->kind == KP_OK ? EX_SOFTWARE : exit_code(err->kind);
}

/* The words of each phase, in the catalogue. */
static const enum kp_msgid phase_msg[] = {
	[KP_PH_NONE] = KP_MSG_CLI_PH_NONE, [KP_PH_RULES] = KP_MSG_CLI_PH_RULES, [KP_PH_READ] = KP_MSG_CLI_PH_READ,
	[KP_PH_OPEN] = KP_MSG_CLI_PH_OPEN, [KP_PH_IMPORT] = KP_MSG_CLI_PH_IMPORT,
	[KP_PH_LOAD] = KP_MSG_CLI_PH_LOAD, [KP_PH_BEGIN] = KP_MSG_CLI_PH_BEGIN,
	[KP_PH_SCORE] = KP_MSG_CLI_PH_SCORE, [KP_PH_STORE] = KP_MSG_CLI_PH_STORE, [KP_PH_REPORT] = KP_MSG_CLI_PH_REPORT,
	[KP_PH_TEST] = KP_MSG_CLI_PH_TEST, [KP_PH_DRAWS] = KP_MSG_CLI_PH_DRAWS,
};

/* The words of a phase in the current language (async-signal-safe: a
 * look-up in static tables). */
static const char *phase_words(int ph)
{
	return kp_msg_fmt(phase_msg[ph >= 0 && ph < KP_PH_COUNT ? ph : KP_PH_NONE]);
}

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
	static double drawn; /* when a count was last drawn */
	double now = kp_sandbox_now();

	if (!g_show_progress || now - g_started < g_progress_after)
		return;
	if (total && done < total && now - drawn < 0.1) /* ten lines a second are enough, even over ssh */
		return;
	if (total) {
		drawn = now;
		char line[256];
		kp_msg_format(line, sizeof line, KP_M_CLI_PROGRESS_COUNT, what, done * 100 / total, done, total);
		fprintf(g_raw_err, "\r%s: %s\033[K", kp_cli_prog, line);
	} else
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
		progress_show(phase_words(phase), 0, 0);
}

void kp_cli_tick(void *ud, size_t done, size_t total)
{
	int ph = g_phase;

	(void)ud;
	progress_show(phase_words(ph), done, total);
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

/* fmt with its %s taken from s[] in turn and its %ld from v, appended
 * to buf (async-signal-safe: the catalogue's formats of the alarm). */
static size_t put_fmt(char *buf, size_t n, size_t cap, const char *fmt, const char *const *s, long v)
{
	while (*fmt && n + 1 < cap) {
		if (fmt[0] == '%' && fmt[1] == 's')
			n = put_str(buf, n, cap, *s++), fmt += 2;
		else if (fmt[0] == '%' && fmt[1] == 'l' && fmt[2] == 'd')
			n = put_long(buf, n, cap, v), fmt += 3;
		else
			buf[n++] = *fmt, fmt += fmt[0] == '%' && fmt[1] == '%' ? 2 : 1;
	}
	return n;
}

/* The limit ran out outside rule code: say what was going on; 75, a
 * temporary failure (try again, or give more time). */
static size_t alarm_words(char *buf, size_t cap)
{
	const char *s[2] = { phase_words(g_phase), g_locked_db };
	enum kp_msgid id = !s[1] ? KP_MSG_CLI_ALARM : g_locked_pid > 0 ? KP_MSG_CLI_ALARM_LOCKED_PID :
			   KP_MSG_CLI_ALARM_LOCKED;
	size_t n = put_str(buf, 0, cap, kp_cli_prog);

	n = put_str(buf, n, cap, ": ");
	n = put_fmt(buf, n, cap, kp_msg_fmt(id), s, g_locked_pid);
	return put_str(buf, n, cap, "\n");
}

/* ---- a database the command creates ---- */

static char *g_new_db[3];                     /* its path, -wal, -shm; NULL when none */
static volatile sig_atomic_t g_new_db_mine;   /* the schema is this command's, nothing committed */
static int g_new_db_opened;                   /* kp_cli_new_db_opened was told of the store */
static int g_new_db_held;                     /* the stop signals held while it is opened */
static sigset_t g_new_db_was;                 /* the signal mask before */

/* While the store opens a file that was not there, it is not yet known to
 * be this command's (another may make it at once): a stop then left it
 * behind, empty (Ctrl-\ in signal-quit-new-db, one time in two).  The
 * stop signals wait until the open has said whose it is; not through a
 * wait for another's lock, which Ctrl-C must end: released when that
 * wait is told (after KP_STORE_LOCK_NOTICE seconds). */
static void hold_stops(int hold)
{
	sigset_t set;

	if (hold == g_new_db_held)
		return;
	g_new_db_held = hold;
	if (!hold) {
		sigprocmask(SIG_SETMASK, &g_new_db_was, NULL);
		return;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT), sigaddset(&set, SIGTERM), sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT), sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &g_new_db_was);
}

static void forget_new_db(void)
{
	int i;

	g_new_db_mine = 0;
	for (i = 0; i < 3; i++) {
		free(g_new_db[i]);
		g_new_db[i] = NULL;
	}
}

/* kp_store_on_commit: the work is the database's from here on (mine 0),
 * or that commit failed in the file this command made (mine 1). */
static void new_db_committed(void *ud, int mine)
{
	(void)ud;
	g_new_db_mine = mine && g_new_db[0];
}

void kp_cli_new_db_done(int rc)
{
	int i;

	/* an open that failed: the file SQLite made, if it is empty and no
	 * other command has it (or its -shm) open; else another's */
	if (rc && !g_new_db_opened && g_new_db[0] && kp_store_unused_empty(g_new_db[0]))
		g_new_db_mine = 1;
	for (i = 0; i < 3 && rc && g_new_db_mine; i++)
		if (g_new_db[i])
			unlink(g_new_db[i]);
	forget_new_db();
	g_new_db_opened = 0;
	hold_stops(0);
}

void kp_cli_new_db(const char *db)
{
	static const char *const tail[3] = {"", "-wal", "-shm"}; /* not words */
	kp_err e = { 0 };
	char *real = NULL;
	int i;

	/* --db naming a link to no file yet: SQLite creates the file the link
	 * names, and that is what a failure removes (it removed the link and
	 * left the new database) */
	if (kp_outfile_follow_links(db, &real, &e) == 0 && real)
		db = real;
	kp_err_clear(&e);
	forget_new_db();
	g_new_db_opened = 0;
	kp_store_on_commit(new_db_committed, NULL);
	for (i = 0; i < 3; i++) {
		char *p = malloc(strlen(db) + strlen(tail[i]) + 1);
		if (p) /* without memory, a stopped command may leave the file: nothing worse */
			strcat(strcpy(p, db), tail[i]);
		g_new_db[i] = p;
	}
	free(real);
	hold_stops(1);
}

void kp_cli_new_db_opened(const kp_store *st)
{
	if (!g_new_db[0])
		return;
	g_new_db_opened = 1;
	if (kp_store_created(st))
		g_new_db_mine = 1;
	else
		forget_new_db();
	hold_stops(0); /* a stop held meanwhile arrives now */
}

/* From a signal handler: unlink only, and only a file whose schema this
 * command made and has not committed (its lock is still held: nothing of
 * another command's is in it). */
static void remove_new_db_now(void)
{
	int i;

	for (i = 0; i < 3 && g_new_db_mine; i++)
		if (g_new_db[i])
			unlink(g_new_db[i]);
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
#define ALARM_TAIL_ROOM 320 /* bytes kept for the sentence after the rule's place */
static void on_alarm(int sig)
{
	char buf[1024];
	size_t n;
	int running;
	double left;

	(void)sig;
	if (g_locked_db) {
		kp_outfile_remove_open();
		remove_new_db_now();
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
	remove_new_db_now();
	n = put_str(buf, 0, sizeof buf, kp_cli_prog);
	n = put_str(buf, n, sizeof buf, ": ");
	n += kp_sandbox_context(g_sandbox, g_rules_file, buf + n, sizeof buf - n - ALARM_TAIL_ROOM);
	n = put_str(buf, n, sizeof buf, ": ");
	n = put_str(buf, n, sizeof buf, kp_msg_fmt(KP_MSG_CLI_ALARM_STUCK));
	n = put_str(buf, n, sizeof buf, "\n");
	err_filter(NULL, buf, n);
	_exit(EX_CONFIG);
}

/* Interrupted (Ctrl-C, Ctrl-\ (SIGQUIT), kill, a closed pipe): the temporary file of a
 * report being written is removed, then the signal ends the process as
 * it would have (the shell sees the signal), and a database the command
 * was creating.
 * A transaction needs nothing: one that did not commit is not there when
 * the database is next opened. */
static void on_stop(int sig)
{
	kp_outfile_remove_open();
	remove_new_db_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A signal ignored from the start stays ignored: nohup's SIGHUP, the
 * SIGINT of a script's background job (kaoping died of them, its work
 * lost), a SIGPIPE the caller wants as EPIPE.  A SIGPIPE (the report
 * piped to a reader that left: | head) ends the process as before, and
 * now without leaving the database it was creating. */
static void catch_stops(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction sa, was;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	for (i = 0; i < sizeof stops / sizeof stops[0]; i++)
		if (sigaction(stops[i], NULL, &was) == 0 && was.sa_handler != SIG_IGN)
			sigaction(stops[i], &sa, NULL);
}

/* The store waits for a database another process holds: say so at once
 * rather than pause in silence. */
static void on_lock_wait(void *ud, const char *path, long pid)
{
	(void)ud;
	hold_stops(0);
	g_locked_pid = pid;
	g_locked_db = path;
	if (pid > 0)
		kp_cli_say(KP_M_CLI_LOCK_WAIT_PID, path, pid, KP_STORE_LOCK_WAIT);
	else
		kp_cli_say(KP_M_CLI_LOCK_WAIT, path, KP_STORE_LOCK_WAIT);
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
	static double last, last_cpu;
	double now = kp_sandbox_now(), cpu = 0;
	struct rusage ru;
	long peak = 0;

	if (!g_timing)
		return;
	if (!getrusage(RUSAGE_SELF, &ru)) {
		peak = ru.ru_maxrss / 1024;
		cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	}
	if (last > 0)
		kp_cli_say(KP_M_CLI_TIMING, what, now - last, cpu - last_cpu, peak);
	last = now, last_cpu = cpu;
}

/* ---- progress of long imports ---- */

/* s with its control characters escaped, into out (cut to fit): the
 * progress line goes to the raw stderr, past the filter, and a file
 * named with ESC ] 0; ... BEL retitled the terminal through it. */
static const char *ctl_escaped(const char *s, char *out, size_t cap)
{
	char esc[KP_ENC_CTL_MAX];
	const char *end = s + strlen(s);
	size_t o = 0, k;

	while (s < end && o + KP_ENC_CTL_MAX < cap) {
		if ((k = kp_enc_ctl(s, (size_t)(end - s), esc)) > 0) {
			memcpy(out + o, esc, strlen(esc));
			o += strlen(esc), s += k;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	return out;
}

static void on_progress(void *ud, size_t done, size_t total)
{
	kp_cli_progress *p = ud;
	char line[1024], name[512];

	if (kp_sandbox_now() - p->start < g_progress_after)
		return;
	kp_msg_format(line, sizeof line, KP_M_CLI_PROGRESS_MB, ctl_escaped(p->file, name, sizeof name),
		      total ? done * 100 / total : 0, done >> 20);
	fprintf(g_raw_err, "\r%s: %s", kp_cli_prog, line);
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
 * after the first second (KP_PROGRESS_AFTER), every 64 items;
 * kp_cli_progress_end clears it. */
void kp_cli_progress_count(const kp_cli_config *c, kp_cli_progress *p, size_t done, size_t total)
{
	char name[512];

	if (c->quiet || (done % 64 && done != total) || kp_sandbox_now() - p->start < g_progress_after ||
	    !isatty(STDERR_FILENO))
		return;
	fprintf(g_raw_err, "\r%s: %s %zu/%zu", kp_cli_prog, ctl_escaped(p->file, name, sizeof name), done, total);
	p->shown = 1;
}

/* ---- shared steps of the verbs ---- */

/* -o naming the rule file loaded or a module it uses (`use "mod"` read
 * mod.lua), known only once the rules have loaded, still before anything
 * is written: the report would replace it.  The rule file is checked here
 * too because notice and explain load the one a run recorded, which is
 * no argument output_is_input could see. */
static int output_is_module(const kp_cli_config *c, const kp_rules *r, kp_err *err)
{
	size_t i;

	if (c->output && kp_infile_same(c->output, r->file))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_IS_RULES, c->output, r->file);
	for (i = 0; c->output && i < r->nmodule; i++)
		if (kp_infile_same(c->output, r->module[i]))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_IS_MODULE, c->output, r->module[i], r->file);
	return 0;
}

/* A rule file named on the command line that is data (run units.csv
 * RULES, the arguments swapped): the Lua parser answered "units.csv:2:
 * '=' expected near 'U0000001'".  By its extension (.csv) or first bytes
 * (a workbook, an SQLite database); KP_MSG_NONE when it may be rules. */
static enum kp_msgid rules_arg_is_data(const kp_cli_config *c, const char *path)
{
	const char *dot = strrchr(path, '.');
	unsigned char head[16];
	struct stat st;
	ssize_t n = 0;
	int i, fd;

	for (i = 0; i < c->nargs && c->args[i] != path; i++)
		;
	if (i == c->nargs) /* the rule file a run recorded: loaded as it is */
		return KP_MSG_NONE;
	if (dot && !strchr(dot, '/') && !strcasecmp(dot, ".csv"))
		return KP_MSG_CLI_KIND_CSV;
	if ((fd = kp_infile_open_fd(path, "a rule file", &st, NULL)) >= 0) {
		n = read(fd, head, sizeof head);
		close(fd);
	}
	if (n == 16 && !memcmp(head, "SQLite format 3", 16))
		return KP_MSG_CLI_KIND_SQLITE;
	if (n >= 8 && (!memcmp(head, "PK\3\4", 4) || !memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)))
		return KP_MSG_CLI_KIND_WORKBOOK;
	return KP_MSG_NONE;
}

/* Load rules under the command's limits (the time limit armed here, its
 * messages naming path): the file at path, or text (a run's kept rule
 * text) when it is given.  The alarm's message finds the sandbox after. */
static int load_limited(kp_cli_config *c, const char *path, const char *text, size_t len, int with_tests,
			kp_rules **r, kp_err *err)
{
	kp_limits lim;
	int rc;

	g_rules_file = path;
	arm_timeout(c, &lim);
	lim.modules = c->modules;
	kp_cli_enter(KP_PH_RULES);
	rc = text ? kp_rules_load_text(path, text, len, &lim, r, err) : kp_rules_load(path, &lim, with_tests, r, err);
	kp_cli_enter(KP_PH_NONE);
	if (!rc)
		g_sandbox = (*r)->sb;
	return rc;
}

int kp_cli_load_rules(kp_cli_config *c, const char *path, int with_tests, kp_rules **r, kp_err *err)
{
	enum kp_msgid kind;
	int rc;

	if ((kind = rules_arg_is_data(c, path)) != KP_MSG_NONE)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_RULES_IS_DATA, path, kp_msg_fmt(kind), c->verb);
	if ((rc = load_limited(c, path, NULL, 0, with_tests, r, err)))
		return rc;
	if ((rc = output_is_module(c, *r, err))) {
		kp_rules_free(*r);
		*r = NULL;
	}
	return rc;
}

int kp_cli_derive(kp_cli_config *c, kp_store *st, kp_result *res, int all, kp_err *err)
{
	kp_store_derived *dv = NULL;
	kp_rules *r = NULL;
	kp_sb label = {0};
	int rc;

	if ((rc = kp_store_derived_get(st, res->run_id, &dv, err)) || !dv)
		return rc;
	if ((rc = kp_derive_check_text(dv, res, err))) { /* before any of it runs */
		kp_store_derived_free(dv);
		return rc;
	}
	if (strcmp(dv->kaoping, KP_VERSION))
		kp_cli_note(c, KP_M_CLI_DERIVE_OTHER_VERSION, res->run_id, dv->kaoping, KP_VERSION);
	/* its messages name the text as the run kept it, not the file there now */
	kp_sb_msg(&label, KP_M_CLI_DERIVE_RULES_LABEL, res->rules_file, res->run_id);
	if ((rc = kp_sb_status(&label, err))) {
		kp_store_derived_free(dv);
		return rc;
	}
	if (!(rc = load_limited(c, kp_sb_str(&label), dv->rules_text, dv->rules_len, 0, &r, err))) {
		kp_cli_enter(KP_PH_SCORE);
		rc = all ? kp_derive_run(st, dv, r, res, err) : kp_derive_unit(st, dv, r, res, err);
	}
	kp_cli_disarm_timeout();
	kp_cli_enter(KP_PH_NONE);
	g_sandbox = NULL;
	g_rules_file = "";
	kp_rules_free(r);
	kp_store_derived_free(dv);
	kp_sb_free(&label);
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
		for (i = 0; i < n && i < sizeof ext - 1; i++) /* n < sizeof ext: the second test is for gcc's -flto */
			ext[i] = (char)tolower((unsigned char)dot[1 + i]);
		ext[i] = '\0';
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

size_t kp_cli_detail_limit(const kp_cli_config *c)
{
	kp_report_opts o;

	memset(&o, 0, sizeof o);
	o.format = kp_cli_report_format(c);
	o.items = c->items;
	o.summary = c->summary;
	return kp_report_detail_limit(&o);
}

int kp_cli_write_report(const kp_cli_config *c, const kp_result *res, kp_err *err)
{
	kp_report_opts o;
	size_t cut = 0;
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
	o.cut = &cut;
	kp_cli_term_opts(c, &o);
	rc = kp_cli_term_write(res, &o, err);
	if (!rc && cut) /* with --quiet too: the workbook is not the whole report */
		kp_cli_say(KP_M_CLI_XLSX_CUT, c->output ? c->output : "-", cut);
	if (!rc && c->output && !kp_outfile_deferring()) /* else its caller says so once it is in place */
		kp_cli_note(c, KP_M_CLI_WROTE, c->output);
	return rc;
}

/* -o naming a file SQLite keeps beside the database (DB-wal, DB-shm,
 * DB-journal): a report put there replaced a log holding committed
 * changes, or left a file that stops every later command on the
 * database.  By name (the file need not be there) and folder. */
static int output_is_db_log(const char *out, const char *db)
{
	static const char *const tail[] = { "-wal", "-shm", "-journal" }; /* not words */
	const char *ob = strrchr(out, '/'), *dbb = strrchr(db, '/');
	char *od, *dd;
	struct stat a, b;
	size_t i, n;
	int same;

	ob = ob ? ob + 1 : out;
	dbb = dbb ? dbb + 1 : db;
	n = strlen(dbb);
	if (strncmp(ob, dbb, n))
		return 0;
	for (i = 0; i < 3 && strcmp(ob + n, tail[i]); i++)
		;
	if (i == 3)
		return 0;
	od = kp_outfile_dir(out), dd = kp_outfile_dir(db);
	same = od && dd && stat(od, &a) == 0 && stat(dd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	free(od), free(dd);
	return same;
}

/* -o naming a file the command reads (the rule file, a CSV, the
 * database; by device and inode, so "./x.csv" and a hard link count) would
 * replace the user's data with the report: a usage error, before any work. */
static int output_is_input(const kp_cli_config *c, kp_err *err)
{
	int i;

	if (kp_infile_same(c->output, c->db))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_IS_DB, c->output, c->db);
	if (c->db && output_is_db_log(c->output, c->db))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_IS_DB_LOG, c->output, c->db);
	for (i = 0; i < c->nargs; i++)
		if (kp_infile_same(c->output, c->args[i]))
			return i == 0 || !strcmp(c->verb, "compare") ?
				kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_IS_RULES, c->output, c->args[i]) :
				kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_IS_CSV, c->output, c->args[i]);
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
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_EXT, c->output);
	return kp_cli_check_output_path(c, err);
}

int kp_cli_output_dir_dash(const kp_cli_config *c, const char *what, kp_err *err)
{
	if (c->output && !strcmp(c->output, "-")) /* as -o - for a file: a folder named '-' made unasked */
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OUT_DIR_DASH, what);
	return 0;
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
		return kp_err_msg(err, KP_ECREATE, KP_M_CLI_CREATE_DIR, c->output);
	if (!(dir = kp_outfile_dir(c->output)))
		return kp_err_oom(err);
	ok = access(dir, W_OK | X_OK) == 0, e = errno;
	free(dir);
	if (!ok)
		return kp_err_msg(err, KP_ECREATE, KP_M_CLI_CREATE, c->output, strerror(e));
	/* a file the user may not write is not replaced (the report's writer
	 * says so too; here before any work) */
	if (access(c->output, F_OK) == 0 && access(c->output, W_OK) != 0 && errno == EACCES)
		return kp_err_msg(err, KP_ECREATE, KP_M_CLI_CREATE, c->output, strerror(EACCES));
	return 0;
}

/* ---- the verbs, their help, and option parsing ---- */

static const kp_cli_cmd verbs[] = {
	{"run", kp_cmd_run, KP_O_DB | KP_O_YEAR | KP_O_REPORT | KP_O_ENCODING | KP_O_SHEET | KP_O_LIMITS, 1, -1,
	 "kaoping run RULES [CSV...] [--format F] [-o FILE] [--db FILE]",
	 KP_MSG_CLI_HELP_RUN, KP_MSG_NONE},
	{"import", kp_cmd_import, KP_O_DB | KP_O_YEAR | KP_O_AS | KP_O_REPLACE | KP_O_ENCODING | KP_O_SHEET, 1, -1,
	 "kaoping import [--year Y] [--as NAME] [--replace] CSV...",
	 KP_MSG_CLI_HELP_IMPORT, KP_MSG_NONE},
	{"score", kp_cmd_score, KP_O_DB | KP_O_YEAR | KP_O_REPORT | KP_O_LIMITS, 1, 1,
	 "kaoping score RULES [--year Y] [--format F] [-o FILE]",
	 KP_MSG_CLI_HELP_SCORE, KP_MSG_NONE},
	{"report", kp_cmd_report, KP_O_DB | KP_O_RUN | KP_O_REPORT, 0, 0,
	 "kaoping report [--run N] [--format F] [-o FILE] [--lang zh|en]",
	 KP_MSG_CLI_HELP_REPORT, KP_MSG_NONE},
	{"explain", kp_cmd_explain, KP_O_DB | KP_O_RUN | KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_ALL | KP_O_REPLACE, 0, 1,
	 "kaoping explain [--run N] UNIT | kaoping explain --all [--run N] [-o DIR] [--format F]",
	 KP_MSG_CLI_HELP_EXPLAIN, KP_MSG_CLI_FORMATS_EXPLAIN},
	{"check", kp_cmd_check, KP_O_LIMITS | KP_O_ENCODING | KP_O_SHEET, 1, -1,
	 "kaoping check RULES [CSV...]",
	 KP_MSG_CLI_HELP_CHECK, KP_MSG_NONE},
	{"criteria", kp_cmd_criteria, KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_BOM | KP_O_LIMITS, 1, 1,
	 "kaoping criteria RULES [--format table|csv|md|html]",
	 KP_MSG_CLI_HELP_CRITERIA, KP_MSG_CLI_FORMATS_CRITERIA},
	{"template", kp_cmd_template, KP_O_DB | KP_O_YEAR | KP_O_FORMAT | KP_O_OUTPUT | KP_O_REPLACE | KP_O_LIMITS, 1, 1,
	 "kaoping template RULES [-o DIR] [--format xlsx|csv] [--db FILE --year Y] [--replace]",
	 KP_MSG_CLI_HELP_TEMPLATE, KP_MSG_CLI_FORMATS_TEMPLATE},
	{"test", kp_cmd_test, KP_O_LIMITS, 1, 1,
	 "kaoping test RULES",
	 KP_MSG_CLI_HELP_TEST, KP_MSG_NONE},
	/* not KP_O_TERM: compare's table neither fits a width nor picks
	 * columns, and took --width, --wide and --columns without a word */
	{"compare", kp_cmd_compare, KP_O_DB | KP_O_YEAR | KP_O_RUN | (KP_O_REPORT & ~(KP_O_ITEMS | KP_O_SUMMARY | KP_O_TERM)) | KP_O_LIMITS, 0, 2,
	 "kaoping compare RULES_A RULES_B [--year Y] | compare --run N --run M  [--format F] [-o FILE]",
	 KP_MSG_CLI_HELP_COMPARE, KP_MSG_NONE},
	{"robust", kp_cmd_robust, KP_O_DB | KP_O_YEAR | KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_BOM |
	 KP_O_LIMITS | KP_O_ROBUST, 1, 1,
	 "kaoping robust RULES [--draws N] [--spread P] [--seed S] [--by section|indicator]",
	 KP_MSG_CLI_HELP_ROBUST, KP_MSG_CLI_FORMATS_ROBUST},
	{"notice", kp_cmd_notice, KP_O_DB | KP_O_RUN | KP_O_FORMAT | KP_O_OWNFMT | KP_O_OUTPUT | KP_O_TEMPLATE | KP_O_LIMITS,
	 0, 1, "kaoping notice [RULES] [--run N] [--format md|html|docx] [-o FILE] [--template FILE]",
	 KP_MSG_CLI_HELP_NOTICE, KP_MSG_CLI_FORMATS_NOTICE},
	{"imports", kp_cmd_imports, KP_O_DB | KP_O_YEAR, 0, 0,
	 "kaoping imports [--year Y]",
	 KP_MSG_CLI_HELP_IMPORTS, KP_MSG_NONE},
	{"runs", kp_cmd_runs, KP_O_DB, 0, 0,
	 "kaoping runs",
	 KP_MSG_CLI_HELP_RUNS, KP_MSG_NONE},
	{"drop", kp_cmd_drop, KP_O_DB | KP_O_YEAR, 1, 1,
	 "kaoping drop --year Y DATASET",
	 KP_MSG_CLI_HELP_DROP, KP_MSG_NONE},
	{NULL, NULL, 0, 0, 0, NULL, KP_MSG_NONE, KP_MSG_NONE}
};

/* A catalogue text as it is (help): its only conversions are the
 * arguments given, "%%" a percent sign. */
static void help_text(FILE *fp, enum kp_msgid id, ...)
{
	va_list ap;

	va_start(ap, id);
	vfprintf(fp, kp_msg_fmt(id), ap);
	va_end(ap);
}

static void usage_all(FILE *fp)
{
	const kp_cli_cmd *v;

	kp_cli_text(fp, KP_M_CLI_HELP_TITLE, KP_VERSION);
	for (v = verbs; v->name; v++)
		fprintf(fp, "  %s\n", v->usage);
	kp_cli_text(fp, KP_M_CLI_HELP_COMMON, KP_DEFAULT_TIMEOUT, KP_DEFAULT_MAX_INSTRUCTIONS,
		    KP_DEFAULT_MAX_MEMORY >> 20, KP_MODULES_DIR);
}

/* The option lines of COMMAND --help, in the order they are listed: an
 * option the command takes prints its line (the few that read
 * differently for some commands are written by option_lines_special). */
static const struct { int opt; enum kp_msgid line; } option_lines[] = {
	{KP_O_LANG, KP_MSG_CLI_OPT_LANG}, {KP_O_BOM, KP_MSG_CLI_OPT_BOM}, {KP_O_ITEMS, KP_MSG_CLI_OPT_ITEMS},
	{KP_O_TERM, KP_MSG_CLI_OPT_TERM}, {KP_O_SUMMARY, KP_MSG_CLI_OPT_SUMMARY}, {KP_O_AS, KP_MSG_CLI_OPT_AS},
	{KP_O_ALL, KP_MSG_CLI_OPT_ALL}, {KP_O_REPLACE, KP_MSG_NONE}, {KP_O_ENCODING, KP_MSG_CLI_OPT_ENCODING},
	{KP_O_ROBUST, KP_MSG_CLI_OPT_ROBUST}, {KP_O_TEMPLATE, KP_MSG_CLI_OPT_TEMPLATE},
	{KP_O_SHEET, KP_MSG_CLI_OPT_SHEET}, {KP_O_LIMITS, KP_MSG_CLI_OPT_LIMITS},
};

/* --db, --year, --run, --format, -o: the lines that begin the list. */
static void option_lines_head(const kp_cli_cmd *v, FILE *fp)
{
	int forms = !strcmp(v->name, "template");

	if (v->opts & KP_O_DB)
		kp_cli_text(fp, KP_M_CLI_OPT_DB, forms ? kp_msg_fmt(KP_MSG_CLI_OPT_DB_FORMS) :
			    strcmp(v->name, "run") ? "kaoping.db" : kp_msg_fmt(KP_MSG_CLI_OPT_DB_MEMORY));
	if (v->opts & KP_O_YEAR)
		help_text(fp, KP_MSG_CLI_OPT_YEAR);
	if (v->opts & KP_O_RUN)
		help_text(fp, KP_MSG_CLI_OPT_RUN);
	if (v->opts & KP_O_FORMAT)
		fprintf(fp, "  --format F         %s\n", /* not words */
			kp_msg_fmt(v->formats ? v->formats : KP_MSG_CLI_FORMATS_REPORT));
	if (v->opts & KP_O_OUTPUT)
		help_text(fp, forms ? KP_MSG_CLI_OPT_OUTPUT_FORMS : v->opts & KP_O_ALL ? KP_MSG_CLI_OPT_OUTPUT_ALL :
			  KP_MSG_CLI_OPT_OUTPUT);
}

static void usage_verb(const kp_cli_cmd *v, FILE *fp)
{
	size_t i;

	kp_cli_text(fp, KP_M_CLI_HELP_USAGE, v->usage);
	help_text(fp, v->help);
	kp_cli_text(fp, KP_M_CLI_HELP_OPTIONS);
	option_lines_head(v, fp);
	for (i = 0; i < sizeof option_lines / sizeof option_lines[0]; i++) {
		enum kp_msgid line = option_lines[i].line;
		if (!(v->opts & option_lines[i].opt))
			continue;
		if (option_lines[i].opt == KP_O_REPLACE) /* forms, sheets or an import */
			line = !strcmp(v->name, "template") ? KP_MSG_CLI_OPT_REPLACE_FORMS :
			       v->opts & KP_O_ALL ? KP_MSG_CLI_OPT_REPLACE_SHEETS : KP_MSG_CLI_OPT_REPLACE;
		help_text(fp, line);
	}
	fputs("  --quiet, --verbose\n", fp); /* not words */
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

/* An option's number into the config: --year, --run, --timeout,
 * --max-instructions, --max-memory, --width; 0, or a usage error. */
static int take_number(kp_cli_config *c, int opt, const char *arg, kp_err *err)
{
	long long v;
	char *end;

	switch (opt) {
	case OPT_YEAR:
		if (parse_long(arg, 1900, 9999, &v))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_YEAR_BAD, arg);
		c->year = (int)v;
		break;
	case OPT_RUN:
		if (parse_long(arg, 1, 1LL << 40, &v))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_RUN_BAD, arg);
		c->run_prev = c->run_id;
		c->run_id = (long)v;
		c->nruns++;
		break;
	case OPT_TIMEOUT:
		c->timeout = strtod(arg, &end);
		if (end == arg || *end || !(c->timeout > 0) || c->timeout > 1e6)
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_TIMEOUT_BAD, arg);
		break;
	case OPT_MAXI:
		if (parse_long(arg, 1000, 1LL << 50, &v))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_MAXI_BAD, arg);
		c->max_instructions = v;
		break;
	case OPT_MAXM:
		if (parse_size(arg, &c->max_memory))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_MAXM_BAD, arg);
		break;
	case OPT_WIDTH:
		if (parse_long(arg, 20, 10000, &v))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_WIDTH_BAD, arg);
		c->width = (int)v;
		break;
	}
	return 0;
}

/* An option's word into the config: --format, --lang, --encoding,
 * --modules, --columns; 0, or a usage error. */
static int take_word(kp_cli_config *c, int opt, const char *arg, kp_err *err)
{
	switch (opt) {
	case OPT_FORMAT:
		c->format_name = arg;
		if ((c->format = kp_report_format(arg)) < 0 && !(c->opts & KP_O_OWNFMT))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_FORMAT_BAD, arg);
		break;
	case OPT_LANG:
		if (strcmp(arg, "zh") && strcmp(arg, "en"))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_LANG_BAD, arg);
		c->lang = !strcmp(arg, "en") ? KP_LANG_EN : KP_LANG_ZH;
		kp_msg_set_lang(c->lang);
		break;
	case OPT_ENCODING:
		if ((c->encoding = kp_enc_parse_name(arg)) < 0)
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_ENCODING_BAD, arg);
		break;
	case OPT_MODULES:
		if (!*arg)
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_MODULES_EMPTY);
		c->modules = arg;
		break;
	case OPT_COLUMNS:
		if (!arg[strspn(arg, ",")]) /* ",,," names no column: a table of none */
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_COLUMNS_EMPTY);
		c->columns = arg;
		break;
	}
	return 0;
}

/* One option's value into the config; 0, or a usage error. */
static int take_option(kp_cli_config *c, int opt, const char *arg, kp_err *err)
{
	/* an empty file or dataset name: --db '' is SQLite's private temporary
	 * database (an import or a run said done, and nothing was kept) */
	if ((opt == OPT_DB || opt == 'o' || opt == OPT_AS || opt == OPT_TEMPLATE) && !*arg)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OPT_EMPTY, c->verb, option_name(opt));
	if (opt == OPT_DB && !strcmp(arg, "-")) /* as -o -: a file named '-' made unasked */
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_DB_DASH);
	switch (opt) {
	case OPT_YEAR: case OPT_RUN: case OPT_TIMEOUT: case OPT_MAXI: case OPT_MAXM: case OPT_WIDTH:
		return take_number(c, opt, arg, err);
	case OPT_FORMAT: case OPT_LANG: case OPT_ENCODING: case OPT_MODULES: case OPT_COLUMNS:
		return take_word(c, opt, arg, err);
	case OPT_DRAWS: case OPT_SPREAD: case OPT_SEED: case OPT_BY:
		return kp_cli_robust_option(c, opt - OPT_DRAWS, arg, err);
	case OPT_DB: c->db = arg; break;
	case 'o': c->output = arg; break;
	case OPT_AS: c->as = arg; break;
	case OPT_TEMPLATE: c->tmpl = arg; break;
	case OPT_SHEET: c->sheet = arg; break;
	case OPT_REPLACE: c->replace = 1; break;
	case OPT_BOM: c->bom = 1; break;
	case OPT_NOBOM: c->bom = 0; break;
	case OPT_ITEMS: c->items = 1; break;
	case OPT_WIDE: c->wide = 1; break;
	case OPT_SUMMARY: c->summary = 1; break;
	case OPT_ALL: c->all = 1; break;
	case OPT_QUIET: c->quiet = 1; break;
	case OPT_VERBOSE: c->verbose = 1; break;
	default: return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OPT_UNKNOWN_BARE);
	}
	return 0;
}

/* An option getopt does not know, with the nearest one the command takes
 * when it is close ("--yaer": did you mean --year?). */
static int unknown_option(const kp_cli_cmd *v, const char *arg, kp_err *err)
{
	const char *names[sizeof long_opts / sizeof long_opts[0]], *near;
	char word[64];
	size_t n = 0;
	const struct option *o;

	for (o = long_opts; o->name; o++) /* the command's: report --yaer is no --year */
		if (!option_mask(o->val) || (option_mask(o->val) & v->opts))
			names[n++] = o->name;
	snprintf(word, sizeof word, "%s", arg + strspn(arg, "-"));
	word[strcspn(word, "=")] = '\0';
	if (strlen(arg) < sizeof word && (near = kp_near_best(word, names, n)))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OPT_UNKNOWN_NEAR, v->name, arg, near, v->name);
	return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OPT_UNKNOWN, v->name, arg, v->name);
}

/* One of kaoping's options, "--" or "--name[=...]", standing where a value
 * goes: --db --replace made a database named "--replace", -o --quiet a
 * report named "--quiet", the option meant unsaid (a file so named: ./--x;
 * a value written --opt=--x is taken as written). */
static int is_option_word(const char *s)
{
	const struct option *o;
	size_t n;

	if (!strcmp(s, "-o") || !strcmp(s, "-h") || !strcmp(s, "--"))
		return 1;
	if (strncmp(s, "--", 2))
		return 0;
	n = strcspn(s + 2, "=");
	for (o = long_opts; o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, s + 2, n))
			return 1;
	return 0;
}

static int parse(kp_cli_config *c, const kp_cli_cmd *v, int argc, char **argv, kp_err *err)
{
	int opt, rc;

	opterr = 0;
	/* options after the files, as every example writes them (run RULES
	 * a.csv --format json): with POSIXLY_CORRECT in the environment glibc's
	 * getopt stopped at the first file and took --format for one */
	unsetenv("POSIXLY_CORRECT");
	optind = 0; /* 0: getopt starts over and reads the environment again */
	while ((opt = getopt_long(argc, argv, ":o:h", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP || opt == 'h') { /* -h as kaoping -h takes it */
			usage_verb(v, stdout);
			return -1;
		}
		if (opt == '?' && optopt > 0 && optopt < 256) { /* -q of -qo: optind still on "-qo" */
			char word[3] = { '-', (char)optopt, '\0' };
			return unknown_option(v, word, err);
		}
		if (opt == '?')
			return unknown_option(v, argv[optind - 1], err);
		if (opt == ':')
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OPT_NEEDS_VALUE, v->name, argv[optind - 1]);
		if (option_mask(opt) && !(option_mask(opt) & v->opts))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OPT_NOT_TAKEN, v->name, option_name(opt), v->name);
		if (optarg && optarg == argv[optind - 1] && is_option_word(optarg)) /* not --as=--x */
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_OPT_VALUE_IS_OPTION, v->name, option_name(opt), optarg);
		if ((rc = take_option(c, opt, optarg, err)))
			return rc;
	}
	/* the last --run of report --run 1 --run 2 was taken, the first
	 * dropped unsaid (compare, which takes two, counts its own) */
	if (c->nruns > 1 && strcmp(v->name, "compare"))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_RUN_TWICE, v->name, c->run_prev, c->run_id, v->name);
	c->args = argv + optind;
	c->nargs = argc - optind;
	if (c->nargs < v->min_args || (v->max_args >= 0 && c->nargs > v->max_args))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_USAGE, v->usage);
	return 0;
}

static int flush_stdout(kp_err *err)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return kp_err_msg(err, KP_EIO, KP_M_CLI_STDOUT_WRITE, strerror(errno ? errno : EIO));
	if (g_out_lost)
		return kp_err_oom(err);
	return 0;
}

/* A command not in the table, with the nearest one when it is close; an
 * option where the command goes (kaoping --db x.db report, a --lang
 * without zh or en) is said as one, not as an unknown command. */
static void unknown_command(const char *word, const char *next)
{
	const char *names[sizeof verbs / sizeof verbs[0]], *near;
	size_t n = 0;
	const kp_cli_cmd *v;

	for (v = verbs; v->name; v++)
		names[n++] = v->name;
	if (!strcmp(word, "--lang") && !next)
		kp_cli_say(KP_M_CLI_LANG_NEEDS_VALUE);
	else if (!strncmp(word, "--lang", 6) && (word[6] == '=' || !word[6]))
		kp_cli_say(KP_M_CLI_LANG_BAD, word[6] ? word + 7 : next);
	else if (strcmp(word, "--") && is_option_word(word))
		kp_cli_say(KP_M_CLI_OPT_BEFORE_CMD, word, word);
	else if ((near = kp_near_best(word, names, n)))
		kp_cli_say(KP_M_CLI_CMD_UNKNOWN_NEAR, word, near);
	else
		kp_cli_say(KP_M_CLI_CMD_UNKNOWN, word);
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

/* The config's defaults, the signals, the lock-wait message, the stderr
 * filter: everything before the command line is read. */
static void cli_setup(kp_cli_config *c)
{
	int fd;

	/* a standard stream closed (2>&-, >&-) would be the number the next
	 * open gets: an output file at fd 2 took the messages (and the xlsx
	 * writer's muting of stderr closed it: exit 74, the report lost).  A
	 * placeholder that takes no writes: writing to it fails as before */
	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDONLY) != fd)
			break;
	memset(c, 0, sizeof *c);
	c->format = -1, c->bom = -1, c->timeout = KP_DEFAULT_TIMEOUT;
	c->draws = 1000, c->spread = 20, c->seed = 1; /* robust's defaults */
	g_timing = getenv("KP_TIMING") != NULL;
	/* past a file-size limit (ulimit -f) a write fails with EFBIG, which
	 * every writer reports, instead of the process dying by SIGXFSZ with
	 * its temporary files left behind */
	signal(SIGXFSZ, SIG_IGN);
	catch_stops();
	kp_store_on_lock_wait(on_lock_wait, NULL);
	err_filter_install();
	kp_sandbox_print_to(print_rules);
}

/* What comes before a command: nothing (the usage, 64), --help or
 * --version.  Returns the exit code, or -1 when argv[1] is a command. */
static int before_command(kp_cli_config *c, int argc, char **argv, kp_err *err)
{
	if (argc < 2) {
		usage_all(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage_all(stdout);
		return flush_stdout(err) ? report_error(c, err) : EX_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kaoping %s (Lua 5.4, SQLite %s)\n", KP_VERSION, kp_store_sqlite_version()); /* not words */
		return flush_stdout(err) ? report_error(c, err) : EX_OK;
	}
	return -1;
}

/* A .lua file among the data files of import, run or check (run RULES
 * units.csv RULES): the CSV reader answered "mini.lua:2: malformed
 * quoting". */
static int data_args_not_rules(const kp_cli_config *c, kp_err *err)
{
	int i = !strcmp(c->verb, "import") ? 0 : !strcmp(c->verb, "run") || !strcmp(c->verb, "check") ? 1 : c->nargs;
	int books = 0, files = c->nargs - i;

	if (i == 1 && rules_arg_is_data(c, c->args[0]) != KP_MSG_NONE)
		return 0; /* run units.csv RULES: the rule file's place says it, as the swap it is */
	for (; i < c->nargs; i++) {
		const char *dot = strrchr(c->args[i], '.');
		if (dot && !strchr(dot, '/') && !strcasecmp(dot, ".lua"))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_DATA_IS_RULES, c->args[i], c->verb);
		books += kp_xlsx_kind_of(c->args[i]) != KP_XLSX_NONE;
	}
	/* --sheet with CSV files only was taken and read nowhere */
	if (c->sheet && files > 0 && !books)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_SHEET_NO_BOOK, c->verb);
	return 0;
}

/* Parse the command's options and run it; the exit code. */
static int run_command(kp_cli_config *c, const kp_cli_cmd *v, int argc, char **argv, kp_err *err)
{
	int rc;

	c->verb = v->name;
	c->opts = v->opts;
	rc = parse(c, v, argc - 1, argv + 1, err);
	if (rc < 0) /* --help */
		return flush_stdout(err) ? report_error(c, err) : EX_OK;
	if (!rc && !c->db && strcmp(v->name, "run") && strcmp(v->name, "template"))
		c->db = "kaoping.db";
	g_show_progress = !c->quiet && isatty(STDERR_FILENO);
	g_started = kp_sandbox_now();
	if (getenv("KP_PROGRESS_AFTER"))
		g_progress_after = atof(getenv("KP_PROGRESS_AFTER"));
	if (!rc && !(rc = data_args_not_rules(c, err)))
		rc = v->fn(c, err);
	kp_cli_disarm_timeout();
	progress_clear();
	if (!rc)
		rc = flush_stdout(err);
	return rc ? report_error(c, err) : EX_OK;
}

int kp_cli_main(int argc, char **argv)
{
	kp_cli_config c;
	kp_err err;
	const kp_cli_cmd *v;
	int rc;

	memset(&err, 0, sizeof err);
	cli_setup(&c);
	argc = choose_language(&c, argc, argv);
	if ((rc = before_command(&c, argc, argv, &err)) >= 0)
		return rc;
	for (v = verbs; v->name && strcmp(v->name, argv[1]); v++)
		;
	if (!v->name) {
		unknown_command(argv[1], argv[2]);
		return EX_USAGE;
	}
	rc = run_command(&c, v, argc, argv, &err);
	kp_err_clear(&err);
	return rc;
}
