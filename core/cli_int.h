/* cli_int.h — what the command files (core/cmd_*.c) share with the
 * command-line layer (core/cli.c): the parsed configuration, the option
 * flags a command takes, the command table's row, and the steps several
 * commands take (load the rules under the time limit, read CSV files with
 * progress, write the report, say what was done).  Only the command line
 * includes this header; nothing here is part of the core. */
#ifndef KAOPING_CLI_INT_H
#define KAOPING_CLI_INT_H

#include <stddef.h>

#include "kaoping/csv.h"
#include "kaoping/data.h"
#include "kaoping/err.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/store.h"

/* One command line, parsed.  Strings are borrowed from argv. */
typedef struct kp_cli_config {
	const char *verb;
	const char *db;
	int quiet, verbose, lang, format, bom, color;
	int items;          /* --items: JSON carries every item's points */
	const char *output;
	int year;
	const char *as;
	int replace, encoding;
	long run_id;
	double timeout;
	long long max_instructions;
	size_t max_memory;
	const char *modules;      /* --modules DIR: where use "name" looks */
	const char *sheet;        /* --sheet NAME: a workbook's sheet (NULL: the first) */
	char **args;
	int nargs;
} kp_cli_config;

/* The options a command takes (kp_cli_cmd.opts). */
enum {
	KP_O_DB = 1 << 0, KP_O_YEAR = 1 << 1, KP_O_FORMAT = 1 << 2, KP_O_OUTPUT = 1 << 3, KP_O_LANG = 1 << 4,
	KP_O_RUN = 1 << 5, KP_O_AS = 1 << 6, KP_O_REPLACE = 1 << 7, KP_O_ENCODING = 1 << 8, KP_O_LIMITS = 1 << 9,
	KP_O_BOM = 1 << 10, KP_O_ITEMS = 1 << 11,
	KP_O_SHEET = 1 << 12
};
#define KP_O_REPORT (KP_O_FORMAT | KP_O_OUTPUT | KP_O_LANG | KP_O_BOM | KP_O_ITEMS)

/* A row of the command table (core/cli.c), as luaL_Reg rows are. */
typedef struct kp_cli_cmd {
	const char *name;
	int (*fn)(kp_cli_config *c, kp_err *err);
	int opts, min_args, max_args; /* max -1: any number */
	const char *usage, *help;
	const char *formats;          /* what --format takes; NULL: every report format */
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

/* ---- shared steps (core/cli.c) ---- */

extern const char kp_cli_prog[];   /* "kaoping": the prefix of every message */

/* A message on stderr unless --quiet. */
void kp_cli_info(const kp_cli_config *c, const char *fmt, ...)
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

/* What the command is doing, named by the time limit's message; only in
 * the rule phases (and while scoring, when a rule is being called) is the
 * rule file blamed (78); otherwise the limit is a temporary failure (75). */
enum {
	KP_PH_NONE, KP_PH_RULES, KP_PH_READ, KP_PH_OPEN, KP_PH_IMPORT, KP_PH_LOAD, KP_PH_BEGIN, KP_PH_SCORE,
	KP_PH_STORE, KP_PH_REPORT, KP_PH_TEST, KP_PH_COUNT
};
void kp_cli_enter(int phase);

/* The time limit: armed by kp_cli_load_rules, disarmed when rule code is done. */
void kp_cli_disarm_timeout(void);

/* Load a rule file under the command's limits (with its test cases when
 * with_tests); *r is the caller's, freed with kp_rules_free. */
int kp_cli_load_rules(kp_cli_config *c, const char *path, int with_tests, kp_rules **r, kp_err *err);
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

/* Read CSV files into d (in memory), with progress. */
int kp_cli_read_csvs(kp_cli_config *c, const kp_rules *r, kp_data *d, char **files, int n, kp_err *err);

/* The report's format: --format, else the -o file's extension, else table. */
int kp_cli_report_format(const kp_cli_config *c);
/* Refuse an -o that cannot be created, before anything is scored or recorded. */
int kp_cli_check_output(const kp_cli_config *c, kp_err *err);
/* Write the ranking report of res as the options say. */
int kp_cli_write_report(const kp_cli_config *c, const kp_result *res, kp_err *err);

/* Import files into an open store for year, saying what was imported
 * (core/cmd_import.c). */
int kp_cli_import_files(kp_cli_config *c, kp_store *st, char **files, int n, int year, kp_err *err);
/* Load a recorded run (--run, or the newest) from --db (core/cmd_report.c);
 * *res is the caller's, freed with kp_result_free. */
int kp_cli_load_run(kp_cli_config *c, kp_result **res, kp_err *err);

#endif
