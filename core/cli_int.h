/* cli_int.h — what the command files (core/cmd_*.c) share with the
 * command-line layer (core/cli.c): the parsed configuration, the option
 * flags a command takes, the command table's row, and the steps several
 * commands take (load the rules under the time limit, read CSV files with
 * progress, write the report, say what was done).  Only the command line
 * includes this header; nothing here is part of the core. */
#ifndef KAOPING_CLI_INT_H
#define KAOPING_CLI_INT_H

#include <stddef.h>
#include <stdio.h>

#include "kaoping/csv.h"
#include "kaoping/data.h"
#include "kaoping/err.h"
#include "kaoping/report.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/score.h"
#include "kaoping/store.h"

/* One command line, parsed.  Strings are borrowed from argv. */
typedef struct kp_cli_config {
	const char *verb;
	const char *db;
	int quiet, verbose, lang, format, bom, color;
	int items;          /* --items: JSON carries every item's points */
	int width, wide;    /* --width N, --wide: the table's width (core/cli_term.c) */
	const char *columns;/* --columns LIST: the table's columns */
	int summary;        /* --summary: HTML without each unit's details */
	int all;            /* explain --all: a sheet for every unit */
	const char *output;
	int year;
	const char *as;
	int replace, encoding;
	long run_id;
	long run_prev;      /* the --run before the last (compare --run N --run M) */
	int nruns;          /* how many --run were given */
	unsigned draws;     /* robust: --draws, --spread (percent), --seed, --by */
	double spread;
	unsigned long long seed;
	int by;
	double timeout;
	long long max_instructions;
	size_t max_memory;
	const char *modules;      /* --modules DIR: where use "name" looks */
	int opts;                 /* the options the command takes (its table row) */
	const char *format_name;  /* --format as given (KP_O_OWNFMT: the command reads it) */
	const char *tmpl;         /* --template FILE */
	const char *sheet;        /* --sheet NAME: a workbook's sheet (NULL: the first) */
	char **args;
	int nargs;
} kp_cli_config;

/* The options a command takes (kp_cli_cmd.opts). */
enum {
	KP_O_DB = 1 << 0, KP_O_YEAR = 1 << 1, KP_O_FORMAT = 1 << 2, KP_O_OUTPUT = 1 << 3, KP_O_LANG = 1 << 4,
	KP_O_RUN = 1 << 5, KP_O_AS = 1 << 6, KP_O_REPLACE = 1 << 7, KP_O_ENCODING = 1 << 8, KP_O_LIMITS = 1 << 9,
	KP_O_BOM = 1 << 10, KP_O_ITEMS = 1 << 11, KP_O_TERM = 1 << 12, KP_O_SUMMARY = 1 << 13, KP_O_ROBUST = 1 << 14,
	KP_O_TEMPLATE = 1 << 15,  /* --template FILE */
	KP_O_OWNFMT = 1 << 16,    /* --format names a format of the command's own (format_name) */
	KP_O_ALL = 1 << 17,       /* explain --all */
	KP_O_SHEET = 1 << 18      /* --sheet NAME: a workbook's sheet */
};
#define KP_O_REPORT (KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_BOM | KP_O_ITEMS | KP_O_TERM | KP_O_SUMMARY)

/* A row of the command table (core/cli.c), as luaL_Reg rows are. */
typedef struct kp_cli_cmd {
	const char *name;
	int (*fn)(kp_cli_config *c, kp_err *err);
	int opts, min_args, max_args; /* max -1: any number */
	const char *usage;            /* the same in every language */
	enum kp_msgid help;           /* the text of kaoping COMMAND --help */
	enum kp_msgid formats;        /* what --format takes; KP_MSG_NONE: every report format */
} kp_cli_cmd;

/* The commands, one file each. */
int kp_cmd_run(kp_cli_config *c, kp_err *err);
int kp_cmd_import(kp_cli_config *c, kp_err *err);
int kp_cmd_score(kp_cli_config *c, kp_err *err);
int kp_cmd_report(kp_cli_config *c, kp_err *err);
int kp_cmd_explain(kp_cli_config *c, kp_err *err);
int kp_cmd_check(kp_cli_config *c, kp_err *err);
int kp_cmd_criteria(kp_cli_config *c, kp_err *err);
int kp_cmd_test(kp_cli_config *c, kp_err *err);
int kp_cmd_template(kp_cli_config *c, kp_err *err);
int kp_cmd_compare(kp_cli_config *c, kp_err *err);
int kp_cmd_robust(kp_cli_config *c, kp_err *err);
int kp_cmd_notice(kp_cli_config *c, kp_err *err);
int kp_cmd_imports(kp_cli_config *c, kp_err *err);
int kp_cmd_runs(kp_cli_config *c, kp_err *err);
int kp_cmd_drop(kp_cli_config *c, kp_err *err);

/* ---- shared steps (core/cli.c) ---- */

extern const char kp_cli_prog[];   /* "kaoping": the prefix of every message */

/* A message on stderr unless --quiet. */
void kp_cli_info(const kp_cli_config *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* The catalogue's sentences (KP_M_ID in place of id and en; see
 * kaoping/msg.h), in the chosen language:
 *   kp_cli_say    "kaoping: " + the sentence + newline, on stderr;
 *   kp_cli_note   the same, unless --quiet;
 *   kp_cli_text   the text as it is on fp (help, headings);
 *   kp_cli_out_msg  as kp_cli_out: on stdout, control characters escaped. */
void kp_cli_say(enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void kp_cli_note(const kp_cli_config *c, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
void kp_cli_text(FILE *fp, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
void kp_cli_out_msg(enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Phase times on stderr when KP_TIMING is set. */
void kp_cli_phase(const char *what);
/* printf to stdout for what a person reads (check, test, the criteria
 * title): control characters from rule files and data are shown escaped
 * ("\x1b", "\u009b"), as on stderr; line ends and tabs pass.  Machine
 * formats (CSV, JSON) never go through it. */
void kp_cli_out(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
/* The same for one line of a listing (runs, imports): a line break in a
 * text it holds is shown as \n, so a database's text cannot forge a row. */
void kp_cli_out_line(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* What the command is doing, named by the time limit's message; only in
 * the rule phases (and while scoring, when a rule is being called) is the
 * rule file blamed (78); otherwise the limit is a temporary failure (75). */
enum {
	KP_PH_NONE, KP_PH_RULES, KP_PH_READ, KP_PH_OPEN, KP_PH_IMPORT, KP_PH_LOAD, KP_PH_BEGIN, KP_PH_SCORE,
	KP_PH_STORE, KP_PH_REPORT, KP_PH_TEST, KP_PH_DRAWS, KP_PH_COUNT
};
void kp_cli_enter(int phase);

/* The time limit: armed by kp_cli_load_rules, disarmed when rule code is done. */
void kp_cli_disarm_timeout(void);

/* Load a rule file under the command's limits (with its test cases when
 * with_tests); *r is the caller's, freed with kp_rules_free. */
int kp_cli_load_rules(kp_cli_config *c, const char *path, int with_tests, kp_rules **r, kp_err *err);
/* This kaoping's version ("0.1"). */
const char *kp_cli_version(void);
/* A run read back whose items are derived again (kaoping/derive.h): its
 * rule text loaded under the command's limits, then the one unit of res
 * (all 0) or every unit (all 1) scored again into it.  A run that keeps its
 * items is left as it is. */
int kp_cli_derive(kp_cli_config *c, kp_store *st, kp_result *res, int all, kp_err *err);
/* The assessment year: --year, else the rules', else this calendar year. */
int kp_cli_year(const kp_cli_config *c, const kp_rules *r);

/* Progress of reading one file on a terminal: set up the reader's options
 * (with --encoding) and, after reading, clear the progress line. */
typedef struct kp_cli_progress {
	const char *file;
	double start;
	int shown;
} kp_cli_progress;
void kp_cli_progress_begin(const kp_cli_config *c, kp_csv_opts *o, kp_cli_progress *p, const char *file);
void kp_cli_progress_end(kp_cli_progress *p);
/* Progress of a count (p->file names what is counted, p->start is set). */
void kp_cli_progress_count(const kp_cli_config *c, kp_cli_progress *p, size_t done, size_t total);

/* Progress of long work (scoring, storing) on a terminal, naming the
 * phase: a kp_score_opts.progress callback; ud is unused. */
void kp_cli_tick(void *ud, size_t done, size_t total);

/* Read CSV files into d (in memory), with progress. */
int kp_cli_read_csvs(kp_cli_config *c, const kp_rules *r, kp_data *d, char **files, int n, kp_err *err);

/* The report's format: --format, else the -o file's extension, else table. */
int kp_cli_report_format(const kp_cli_config *c);
/* kp_report_detail_limit of the report c asks for. */
size_t kp_cli_detail_limit(const kp_cli_config *c);
/* Refuse an -o that cannot be created, before anything is scored or recorded. */
int kp_cli_check_output(const kp_cli_config *c, kp_err *err);
/* The same, for a command that picks its format from -o itself (notice):
 * every check but the extension's. */
int kp_cli_check_output_path(const kp_cli_config *c, kp_err *err);
/* -o - where the command writes a folder (template, explain --all): a
 * usage error, as -o - for a file is. */
int kp_cli_output_dir_dash(const kp_cli_config *c, const char *what, kp_err *err);
/* Write the ranking report of res as the options say. */
int kp_cli_write_report(const kp_cli_config *c, const kp_result *res, kp_err *err);

/* The terminal (core/cli_term.c): fill o's width and colour for a table
 * on stdout (--width, --wide, the terminal's width, NO_COLOR), and write
 * the report through $PAGER (less -S) when stdout is a terminal narrower
 * than the table. */
void kp_cli_term_opts(const kp_cli_config *c, kp_report_opts *o);
/* Refuse --width, --wide, --columns but for the table, --summary but for
 * HTML, before any work (a usage error). */
int kp_cli_term_check(const kp_cli_config *c, kp_err *err);
int kp_cli_term_write(const kp_result *res, const kp_report_opts *o, kp_err *err);
/* ---- every mistake in one pass (core/cli_mistakes.c) ---- */

/* Lines of bad cells printed before "… and N more". */
#define KP_CLI_MISTAKES_SHOWN 50
/* The bad cells every table of d gathered, on stderr, then the KP_EDATA
 * that ends the command (0 when there are none). */
int kp_cli_bad_cells(const kp_cli_config *c, const kp_rules *r, const kp_data *d, kp_err *err);
/* kp_data_bind, and when it finds several rows naming units the unit
 * table lacks, each of them on stderr before the error. */
int kp_cli_bind(const kp_cli_config *c, const kp_rules *r, kp_data *d, kp_err *err);
/* The units a run found with missing values, on stderr, when there are
 * several (one: the error says it). */
void kp_cli_missing_list(const kp_score_missing *m);
/* Notes on what reading file left out, or read as tabs (unless --quiet). */
void kp_cli_read_notes(const kp_cli_config *c, const char *file, size_t skipped_rows, size_t dropped_cols, int tabs);

/* ---- the year (core/cli_year.c) ---- */

/* The year import works on: --year, else the folder named like a year in
 * the files' paths, else the only year st holds, else this calendar year
 * with a warning on stderr; says which (unless --quiet). */
int kp_cli_import_year(kp_cli_config *c, kp_store *st, char **files, int n, int *year, kp_err *err);
/* A warning on stderr when --year is not the year the rules declare. */
void kp_cli_year_check(const kp_cli_config *c, const kp_rules *r);

/* Import files into an open store for year, saying what was imported
 * (core/cmd_import.c). */
int kp_cli_import_files(kp_cli_config *c, kp_store *st, char **files, int n, int year, int hold, kp_err *err);
/* A database the command creates: kp_cli_new_db before the open, when db
 * does not exist; kp_cli_new_db_opened(st) after it: the file is this
 * command's only when the store made its schema (kp_store_created: another
 * command may have made it first, and its work is not this one's to
 * remove).  If the command then fails, or the time limit or a signal stops
 * it, before its first commit, the file goes with its -wal and -shm, so
 * that nothing is left.  kp_cli_new_db_done(rc), before kp_store_close
 * (the lock still held: nothing of another's can be in the file), ends
 * it: removes the file when rc says the command failed and nothing was
 * committed, else keeps it.  A file an open that failed left is removed
 * only when it is empty and no other process has it open. */
void kp_cli_new_db(const char *db);
void kp_cli_new_db_opened(const kp_store *st);
void kp_cli_new_db_done(int rc);
/* Score the year's imported data in st with the rule file, recording
 * nothing (core/cmd_compare.c): the year is year_a when not 0 (compare's
 * B scores the year A did), else --year, else the rules'; a warning when
 * the rules declare another.  *r, *d and *res are the caller's, also after
 * an error (free them with kp_rules_free, kp_data_free, kp_result_free;
 * the result borrows from the data). */
int kp_cli_score_year(kp_cli_config *c, kp_store *st, const char *rules, int year_a, int details, kp_rules **r,
		      kp_data **d, kp_result **res, kp_err *err);

/* robust's options (core/cmd_robust.c): which is 0 --draws, 1 --spread,
 * 2 --seed, 3 --by. */
int kp_cli_robust_option(kp_cli_config *c, int which, const char *arg, kp_err *err);

/* Load a recorded run (--run, or the newest) from --db (core/cmd_report.c);
 * *res is the caller's, freed with kp_result_free. */
int kp_cli_load_run(kp_cli_config *c, kp_result **res, kp_err *err);
/* The rule file of the recorded run res into *out (the caller's, freed
 * with kp_rules_free), for what the run does not keep; NULL, with a note
 * ending in left_out, when it is gone, changed since the run (its SHA-256)
 * or no longer loads.  An error only when -o names a module it uses
 * (KP_EUSAGE). */
int kp_cli_run_rules(kp_cli_config *c, const kp_result *res, const char *left_out, kp_rules **out, kp_err *err);

#endif
