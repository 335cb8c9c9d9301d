/* store.h — the SQLite file that keeps imports, runs and results
 * (DESIGN §5).  A database from elsewhere is data, not code: it is opened
 * defensively (trusted_schema off, defensive mode), its schema must be
 * exactly the one this code creates (no trigger, view, index or column
 * added, no constraint dropped), every value read back is checked for its
 * type, and a -wal or hot journal beside it that kaoping did not leave is
 * never merged.  WAL mode, a busy timeout; every import and every scoring
 * run is one transaction, checkpointed into the .db file when it commits.
 * A large run of rules whose items can be derived again keeps none
 * (run_derived; kaoping/derive.h).  kp_store owns its connection. */
#ifndef KAOPING_STORE_H
#define KAOPING_STORE_H

#include <stddef.h>

#include "kaoping/csv.h"
#include "kaoping/data.h"
#include "kaoping/err.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/score.h"

#define KP_STORE_SCHEMA 2

typedef struct kp_store kp_store;

enum {
	KP_STORE_READ = 0,     /* an existing database, to read */
	KP_STORE_WRITE = 1,    /* created when missing */
	KP_STORE_UPDATE = 2    /* an existing database, to write */
};

/* Open (and with KP_STORE_WRITE create and migrate) the database at path.
 * A missing file for reading is KP_ENOINPUT; not a kaoping database, a
 * newer schema, a schema that is not exactly kaoping's, or beside it a
 * -wal with committed pages kaoping did not write that no open connection
 * holds, a -wal that is not a log or that sits beside no database, any
 * -journal, or a sidecar that is not a regular file, is KP_EDATA (each
 * left as it is: SQLite is never handed a file it would delete); cannot
 * create or write is KP_ECREATE.  A value of the
 * wrong type read back later is KP_EDATA naming the table and column. */
int kp_store_open(const char *path, int mode, kp_store **out, kp_err *err);
void kp_store_close(kp_store *s);
/* A database locked by another process: after KP_STORE_LOCK_NOTICE seconds
 * of waiting, fn (when set) is called once with the path and the pid of
 * the process holding the lock (0 when unknown), so the user hears of it;
 * after KP_STORE_LOCK_WAIT seconds the statement fails with KP_ETEMP
 * ("PATH: is locked by another process (pid N)").  Process-wide. */
#define KP_STORE_LOCK_NOTICE 2
#define KP_STORE_LOCK_WAIT 30
void kp_store_on_lock_wait(void (*fn)(void *ud, const char *path, long pid), void *ud);
/* fn (when set) is called with mine = 0 just before every commit kaoping
 * makes: from then on the work is the database's, and a command that
 * created the file must no longer remove it (a flag a signal handler
 * reads); again with mine = 1 when that commit failed in a file the
 * connection created (kp_store_created holds again).  Process-wide. */
void kp_store_on_commit(void (*fn)(void *ud, int mine), void *ud);
/* 1 while s made the file's schema itself, in the transaction still open
 * (nothing committed yet): no other command can have written to the file,
 * so a command that fails may remove it, before kp_store_close releases
 * the lock.  A command that waited for that lock and then finds the file
 * gone fails with KP_ETEMP rather than write into it. */
int kp_store_created(const kp_store *s);
/* 1 when the file at path is empty (0 bytes; no -wal content) and no
 * process holds a lock on it or its -shm: what an open that failed before
 * making a schema left, no other command's.  (A first page over an empty
 * schema is not taken: another command making the file writes it before
 * it holds a lock.) */
int kp_store_unused_empty(const char *path);
/* The SQLite library's version, for --version. */
const char *kp_store_sqlite_version(void);

typedef struct kp_import_opts {
	int year;               /* 0: the current year */
	const char *as;         /* dataset name for a single file (NULL: stem) */
	int replace;            /* replace an earlier import of the same name/year */
	int hold;               /* leave the transaction open for the run that
				   follows (kp_store_run_begin continues it): the
				   import is kept only with that run, and a
				   failure before kp_store_run_commit, or
				   kp_store_close, rolls it back */
	kp_csv_opts csv;
} kp_import_opts;

/* Runs whose items were derived from the rows a replace or a drop took
 * away (see "runs whose items are derived again"): how many, the newest. */
typedef struct kp_store_underived {
	size_t n;
	long newest;
} kp_store_underived;

typedef struct kp_import_done {  /* what one file became */
	long id;
	char name[256];
	size_t rows, cols;
	int encoding;
	int workbook;                /* 0: CSV, else its kp_xlsx_kind */
	int replaced;
	char retired[256];           /* another dataset of the same contents
					that --replace retired, "" when none */
	kp_store_underived lost;     /* runs whose items its rows replaced took */
	size_t skipped_rows, dropped_cols; /* left out (kp_csv_info) */
	int tabs;                          /* read as tab-separated */
} kp_import_done;

/* Import every file in one transaction: all or nothing (with o->hold, the
 * transaction stays open: see kp_import_opts).  done (may be NULL)
 * receives one entry per file.  A file of a header and no rows is
 * imported with 0 rows (the import knows no rules: an event list may have
 * none); kp_store_load decides.  Such a file is not checked against the
 * year's others for the same contents (two empty lists may share a
 * header). */
int kp_store_import(kp_store *s, const char *const *files, size_t n, const kp_import_opts *o,
		    kp_import_done *done, kp_err *err);

/* Read the year's datasets into d, typing the rules' numeric columns;
 * ids and nids receive the import ids used (malloc'd, caller frees).  An
 * import of no rows is refused (KP_EDATA, "FILE: the file has a header
 * but no rows", as the reader says it) unless it is an event list's
 * dataset (kp_rules_event_data): no events. */
int kp_store_load(kp_store *s, int year, const kp_rules *r, kp_data *d, long **ids, size_t *nids,
		  kp_err *err);

/* Last year's newest run, for rank change and u.last; NULL when none.
 * Free with kp_store_last_free. */
int kp_store_last(kp_store *s, int year, kp_last **out, kp_err *err);
void kp_store_last_free(kp_last *l);

/* A scoring run in one transaction (begun here, or the one a held import
 * left open): begin, the sink for each unit's
 * items, then finish (commit) or abort (roll back).  finish links each
 * unit of res to the items the sink was given for it through the unit's
 * scored index (kp_unit_result.scored: what the scorer sets) and the same
 * id pointer; a unit the sink never saw keeps no items. */
int kp_store_run_begin(kp_store *s, const kp_rules *r, int year, const long *ids, size_t nids,
		       long *run_id, kp_err *err);
int kp_store_run_sink(void *store, const kp_result *res, size_t unit, const kp_item *items,
		      size_t nitems, kp_err *err);
int kp_store_run_finish(kp_store *s, kp_result *res, kp_err *err);
/* Commit the run kp_store_run_finish wrote (and the imports its
 * transaction holds): the caller writes its report first, so that a
 * report that cannot be written leaves the database as it was.  On
 * failure the run is rolled back. */
int kp_store_run_commit(kp_store *s, kp_err *err);
void kp_store_run_abort(kp_store *s);
/* Between kp_store_run_finish and kp_store_run_commit, while the caller
 * writes its report: the run's pages written to the log and the log to
 * disk on a thread of their own, the part of the commit that can be done
 * before it (nothing is committed).  Only for a run of units or more
 * (KP_STORE_FLUSH_UNITS: a small one's commit is quick).  Until
 * kp_store_run_flush_end, s must not be used; commit and abort end it
 * themselves.  flush_end: 0, or the error the commit would have met (err
 * may be NULL when the caller is failing anyway). */
#define KP_STORE_FLUSH_UNITS 20000
void kp_store_run_flush_begin(kp_store *s, size_t units);
int kp_store_run_flush_end(kp_store *s, kp_err *err);

/* ---- runs whose items are derived again ----
 * A large run of rules whose items follow from each unit's row and the
 * run's statistics (kp_score_derivable) is stored without its items and
 * notes, the bulk of a run: the table run_derived keeps the rule file's
 * text, the statistics and the import the rows come from, and explain
 * scores a unit again from them (core/derive.c). */

/* What deriving a run's items again takes (owned; kp_store_derived_free). */
typedef struct kp_store_derived {
	long run_id, import_id;
	char *rules_text;          /* the rule file's bytes as scored */
	size_t rules_len;
	kp_score_stats stats;
	char *kaoping;             /* the version that scored it */
} kp_store_derived;

/* *dense: the nrows rows read from import id have the rowids 1..nrows,
 * without a gap (what an import writes), so that unit u of a run scored
 * from it alone is rowid u + 1; 0 otherwise, also for an import no longer
 * in use. */
int kp_store_import_dense(kp_store *s, long id, size_t nrows, int *dense, kp_err *err);
/* Record the run being written (after kp_store_run_begin, before finish)
 * as derived: its items are not stored, and the sink is not to be given
 * any.  r's text, the statistics and the version are kept with it. */
int kp_store_run_derive(kp_store *s, const kp_rules *r, long import_id, const kp_score_stats *st,
			const char *version, kp_err *err);
/* *out: the run's record, or NULL when the run keeps its items. */
int kp_store_derived_get(kp_store *s, long run_id, kp_store_derived **out, kp_err *err);
void kp_store_derived_free(kp_store_derived *d);
/* The rows first..last (rowids) of import id as a table joining d, typed
 * as kp_store_load types them; *gone (nothing read) when the import is
 * no longer in use (replaced or dropped). */
int kp_store_load_rows(kp_store *s, long id, long long first, long long last, const kp_rules *r, kp_data *d,
		       int *gone, kp_err *err);

/* Load a stored run (0: the newest); its items and notes too when it has
 * at most details_upto units (0: never, SIZE_MAX: always; the HTML and
 * XLSX reports up to their kp_report_detail_limit), else only what
 * rankings show. */
int kp_store_load_run(kp_store *s, long run_id, size_t details_upto, kp_result **out, kp_err *err);

/* One unit of a stored run (0: the newest), by id or else by name, with its
 * items and notes (a derived run's without: kp_derive_unit adds them; its
 * unit's scored index is kept then): a result of one unit (units[0]) and the run's sections,
 * grades and categories.  Reads only that unit's rows.  A unit the run does
 * not have is KP_EDATA. */
int kp_store_load_unit(kp_store *s, long run_id, const char *unit, kp_result **out, kp_err *err);

/* ---- what the database holds ---- */

/* The years that have imports (malloc'd, ascending; the caller frees). */
int kp_store_years(kp_store *s, int **years, size_t *n, kp_err *err);

/* One import or one run as the listings give it: strings borrowed for
 * the call only. */
typedef struct kp_store_import_row {
	long id;
	int year;
	const char *name, *file, *sha256, *when;
	size_t rows;
} kp_store_import_row;
typedef struct kp_store_run_row {
	long id;
	int year;
	const char *rules_file, *rules_sha256, *when;
	long units;               /* -1: not recorded */
} kp_store_run_row;
typedef int (*kp_store_import_fn)(void *ud, const kp_store_import_row *row, kp_err *err);
typedef int (*kp_store_run_fn)(void *ud, const kp_store_run_row *row, kp_err *err);
/* The imports in use (not replaced or dropped), of year (0: every year),
 * by year then import order; fn returning non-zero stops with it. */
int kp_store_imports(kp_store *s, int year, kp_store_import_fn fn, void *ud, kp_err *err);
/* The recorded runs, oldest first. */
int kp_store_runs(kp_store *s, kp_store_run_fn fn, void *ud, kp_err *err);

/* What a drop removed (strings owned; kp_store_dropped_free). */
typedef struct kp_store_dropped {
	long id;
	char *file, *sha256;
	size_t rows;
	char *used_by;            /* "3, 5": runs that used it, or NULL */
	kp_store_underived lost;  /* of those, the runs whose items were derived
				     from its rows: explain can no longer show them */
} kp_store_dropped;
/* Drop the import called name for year, in one transaction: its data
 * table goes, its row in imports is marked (replaced_at, no data table)
 * and a row of import_drops records what was dropped, when, and which
 * runs had used it (their results stay: a run keeps what it scored).
 * Any failure rolls all of it back.  A name not imported for the year is
 * KP_EDATA naming what there is (and the nearest name when close). */
int kp_store_drop(kp_store *s, int year, const char *name, kp_store_dropped *out, kp_err *err);
void kp_store_dropped_free(kp_store_dropped *d);

/* The imported rows a unit's points came from (core/store_rows.c): in each
 * import the run used, the rows whose unit column holds the unit's id, in
 * line order, with the file and the source line each came from.  key_of
 * names each dataset's unit column (NULL: leave the dataset out; a column
 * the import does not have leaves it out too).  many: build temporary
 * indexes first, for reading every unit of a large run (without, each
 * unit reads each import once).  A row and its strings are borrowed for
 * the call of fn only.  kp_store_rows is the caller's, closed with
 * kp_store_rows_close before the store.
 *
 * Everything is read in one read transaction, from open to close: one
 * snapshot of the database, so an import --replace or a drop committed
 * meanwhile by another process is not seen, and every row read is of the
 * import the run recorded (its data table is checked to be that import's
 * in the snapshot).  An import of the run whose rows the database no
 * longer holds (replaced or dropped before the snapshot) is not left out
 * silently: kp_store_rows_unit hands fn, for each unit, one row of it
 * with gone set and no line or columns, and kp_store_rows_gone lists them
 * once. */
typedef struct kp_store_row {
	const char *dataset;       /* the import's name ("units") */
	const char *file;          /* the file as it was imported */
	long line;                 /* the row's line in that file */
	size_t ncols;
	const char *const *cols;   /* the column names */
	const char *const *vals;   /* the values as imported (NULL: blank) */
	const char *gone;          /* NULL for a row; else the import's rows
				      are no longer in the database: when it
				      was replaced or dropped (its replaced_at,
				      as stored) */
	int dropped;               /* with gone: dropped (kaoping drop), not
				      replaced by a new import */
} kp_store_row;
typedef const char *(*kp_store_key_fn)(void *ud, const char *dataset);
typedef int (*kp_store_row_fn)(void *ud, const kp_store_row *row, kp_err *err);
typedef struct kp_store_rows kp_store_rows;
int kp_store_rows_open(kp_store *s, long run_id, kp_store_key_fn key_of, void *kud, int many,
		       kp_store_rows **out, kp_err *err);
int kp_store_rows_unit(kp_store_rows *rr, const char *unit, kp_store_row_fn fn, void *ud, kp_err *err);
/* The i-th import of the run whose rows are gone (a row with gone set),
 * or NULL past the last: for the command to say so once. */
const kp_store_row *kp_store_rows_gone(const kp_store_rows *rr, size_t i);
void kp_store_rows_close(kp_store_rows *rr);

#endif
