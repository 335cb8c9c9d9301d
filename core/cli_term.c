/* cli_term.c — the ranking table on a terminal: how wide the terminal is
 * (--width, --wide, TIOCGWINSZ, COLUMNS), whether to colour (a terminal,
 * and NO_COLOR unset), and the pager ($PAGER, else less -S, as git and
 * psql do) when the table is still wider than the terminal.  Never a
 * pager, a width or colour when stdout is not a terminal, unless asked.
 * Owns the report's text while it is measured. */
#include "cli_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kaoping/enc.h"

/* The terminal's columns: TIOCGWINSZ, else COLUMNS, else 80. */
static int term_columns(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	char *end;
	long n;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && *env) {
		n = strtol(env, &end, 10);
		if (!*end && n >= 20 && n <= 10000)
			return (int)n;
	}
	return 80;
}

static int term_stdout(const kp_cli_config *c)
{
	return !c->output && isatty(STDOUT_FILENO);
}

int kp_cli_term_check(const kp_cli_config *c, kp_err *err)
{
	int f = kp_cli_report_format(c);

	if ((c->width || c->wide || c->columns) && f != KP_FMT_TABLE)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_TERM_NOT_TABLE, c->verb, kp_report_format_name(f));
	if (c->wide && (c->width || c->columns))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_TERM_WIDE, c->verb);
	if (c->summary && f != KP_FMT_HTML)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_TERM_SUMMARY, c->verb, kp_report_format_name(f));
	if (c->items && f != KP_FMT_JSON) /* as --summary: asked for and silently left out */
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_TERM_ITEMS, c->verb, kp_report_format_name(f));
	if (c->bom > 0 && f != KP_FMT_CSV) /* only the CSV writers put one */
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_TERM_BOM, c->verb, kp_report_format_name(f));
	/* a workbook's bytes on the screen (score had recorded its run): as
	 * notice's .docx, refused before any work */
	if (f == KP_FMT_XLSX && !c->output && isatty(STDOUT_FILENO))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CLI_TERM_XLSX, c->verb);
	return 0;
}

void kp_cli_term_opts(const kp_cli_config *c, kp_report_opts *o)
{
	const char *nc = getenv("NO_COLOR");
	int tty = term_stdout(c);

	o->color = tty && !(nc && *nc);
	o->columns = c->columns;
	if (c->wide)
		o->width = 0;
	else if (c->width > 0)
		o->width = c->width;
	else
		o->width = tty ? term_columns() : 0;
}

/* Display width of one line, ANSI SGR sequences (the bold of a commended
 * unit) not counted. */
static size_t line_width(const char *s, size_t n, char *scratch)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
			for (i += 2; i < n && s[i] != 'm'; i++)
				;
			continue;
		}
		scratch[k++] = s[i];
	}
	scratch[k] = '\0';
	return kp_enc_width(scratch);
}

/* The widest line of the text. */
static int text_widest(const char *buf, size_t len, size_t *widest, kp_err *err)
{
	char *scratch = malloc(len + 1);
	const char *p = buf, *end = buf + len, *nl;
	size_t lw;

	if (!scratch)
		return kp_err_oom(err);
	*widest = 0;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		lw = line_width(p, (size_t)(nl - p), scratch);
		if (lw > *widest)
			*widest = lw;
	}
	free(scratch);
	return 0;
}

static int write_stdout(const char *buf, size_t len, kp_err *err)
{
	if (len && fwrite(buf, 1, len, stdout) != len)
		return kp_err_msg(err, KP_EIO, KP_M_CLI_TERM_WRITE, strerror(errno ? errno : EIO));
	return 0;
}

/* The text through the pager; 1 when the pager could not run or failed
 * (exited non-zero: PAGER=false, a pager that cannot open the terminal),
 * and the caller writes to stdout instead, the table shown after whatever
 * the pager showed.  A reader who quits early is no error. */
static int page(const char *buf, size_t len)
{
	const char *pager = getenv("PAGER");
	void (*old_pipe)(int), (*old_int)(int);
	FILE *p;
	int st;

	if (!pager || !*pager)
		pager = "less -S";
	if (!strcmp(pager, "cat"))
		return 1;
	setenv("LESS", "FRX", 0); /* leave at once when it fits, keep colour, keep the screen */
	fflush(stdout);
	old_pipe = signal(SIGPIPE, SIG_IGN);
	old_int = signal(SIGINT, SIG_IGN); /* Ctrl-C is the pager's */
	p = popen(pager, "w");
	if (p) {
		if (len)
			fwrite(buf, 1, len, p);
		st = pclose(p);
	}
	signal(SIGPIPE, old_pipe);
	signal(SIGINT, old_int);
	if (p && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 127)
		kp_cli_say(KP_M_CLI_TERM_PAGER_FAILED, pager, WEXITSTATUS(st));
	return !p || st == -1 || (WIFEXITED(st) && WEXITSTATUS(st) != 0);
}

int kp_cli_term_write(const kp_result *res, const kp_report_opts *o, kp_err *err)
{
	char *buf = NULL;
	size_t len = 0, widest = 0, cols;
	FILE *m;
	int rc;

	if (o->format != KP_FMT_TABLE || o->output || !isatty(STDOUT_FILENO))
		return kp_report_write(res, o, stdout, err);
	if (!(m = open_memstream(&buf, &len)))
		return kp_err_oom(err);
	rc = kp_report_write(res, o, m, err);
	if (fclose(m) != 0 && !rc)
		rc = kp_err_oom(err);
	cols = o->width > 0 ? (size_t)o->width : (size_t)term_columns();
	if (!rc && !(rc = text_widest(buf, len, &widest, err))) {
		if (widest <= cols || page(buf, len))
			rc = write_stdout(buf, len, err);
	}
	free(buf);
	return rc;
}
