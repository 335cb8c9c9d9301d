/* store_int.h — what the store's files share: the connection record,
 * SQL helpers that turn SQLite's codes into kp_err, and the checked
 * readers of values read back (store.c: opening, the schema, imports;
 * store_run.c: the results layout and writing a run; store_load.c:
 * reading runs back).  Private to the store. */
#ifndef KAOPING_STORE_INT_H
#define KAOPING_STORE_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sqlite3.h>

#include "kaoping/store.h"

struct store_run;

struct kp_store {
	sqlite3 *db;
	char *path;
	int in_tx;
	long run_id;
	struct store_run *run;  /* the run being written, between begin and finish */
	uint32_t app_id;        /* the database's id, once read (store_stamp) */
	int to_wal;             /* a writer's database in a rollback-journal
				   mode: switched to WAL after its first commit */
	double busy_since;      /* when SQLITE_BUSY began, for the busy handler */
	int busy_told;          /* the wait was announced */
	long busy_pid;          /* the process holding the lock, 0 if unknown */
	int created;            /* this connection made the file's schema, in the
				   transaction still open (kp_store_created) */
	int checkpointing;      /* in the checkpoint after a commit (store_busy) */
	/* kp_store_run_flush_begin's thread, until kp_store_run_flush_end:
	 * it alone uses db meanwhile */
	pthread_t flush_tid;
	int flushing;           /* the thread runs (or ran, not yet joined) */
	int flush_rc, flush_eno;/* what SQLite and the system said, 0 and 0: fine */
};

/* BEGIN IMMEDIATE, then a check that the file this connection holds is
 * still the one at its path: another kaoping that created the database
 * and failed removes it while holding its lock, and a command that waited
 * for that lock would write into a file no longer there (KP_ETEMP). */
int store_begin(kp_store *s, kp_err *err);

int store_db_error(kp_store *s, int rc, kp_err *err, enum kp_msgid doing);
/* store_db_error for an error met outside a statement (no message on the
 * connection): SQLite's words for rc, the system's for eno (0: none). */
int store_db_error_eno(kp_store *s, int rc, int eno, kp_err *err, enum kp_msgid doing);
/* Make the optional table name (store.c's store_optional_tables) when the
 * file has none yet, inside the caller's transaction. */
int store_ensure_table(kp_store *s, const char *name, kp_err *err);
/* Whether the file has a table (or any object) called name. */
int store_has_table(kp_store *s, const char *name, int *have, kp_err *err);
int store_exec(kp_store *s, const char *sql, kp_err *err);
int store_prep(kp_store *s, const char *sql, sqlite3_stmt **st, kp_err *err);
int store_step_done(kp_store *s, sqlite3_stmt *st, kp_err *err);
/* COMMIT, then checkpoint the log into the .db file. */
int store_commit(kp_store *s, kp_err *err);
void store_now_iso(char *buf, size_t n);
/* Set the database's id in the transaction begun: every transaction
 * kaoping writes carries it, so its -wal can be told from another's. */
int store_stamp(kp_store *s, kp_err *err);

/* A value of a row that is not a statement's: a unit of a results block
 * (store_load.c), typed as SQLite types a column (SQLITE_INTEGER, ...);
 * t is NUL-terminated, n its bytes. */
typedef struct store_cell {
	int type;
	sqlite3_int64 i;
	double d;
	const char *t;
	size_t n;
} store_cell;

/* A statement being read: every value checked (type, NULL, UTF-8, range);
 * the first bad one sets rc (KP_EDATA naming table and column).  With
 * cells set, the values are read from them instead (names[col] naming
 * the column), as from a row of st. */
typedef struct rd {
	kp_store *s;
	sqlite3_stmt *st;
	const char *table;
	kp_err *err;
	int rc;
	const store_cell *cells;
	const char *const *names;
} rd;

int store_rd_bad(rd *r, int col, enum kp_msgid what);
const char *store_rd_text(rd *r, int col, int nullable);
sqlite3_int64 store_rd_int(rd *r, int col, sqlite3_int64 lo, sqlite3_int64 hi, int nullable, int *isnull);
double store_rd_real(rd *r, int col, int nullable);
int store_rd_is_null(const rd *r, int col);
int store_rd_step(rd *r); /* 1 a row, 0 the end, -1 an error */

#define RD_INT(r, c) ((int)store_rd_int(r, c, INT_MIN, INT_MAX, 0, NULL))
#define RD_FLAG(r, c) ((int)store_rd_int(r, c, 0, 1, 0, NULL))

/* store.c: schema 2's results tables and its views (created by a
 * migration after the runs are rewritten). */
extern const char *const store_schema_v2_runs[];
extern const char *const store_schema_v2_views[];

/* store_run.c: the runs of schema 1 read back and rewritten in the layout
 * of schema 2, inside the caller's transaction (the migration). */
int store_run_migrate_v1(kp_store *s, kp_err *err);
/* Drop a run writer (on close or abort). */
void store_run_free(kp_store *s);

/* store_run.c: what the writer and the reader of the layout share. */
#define STORE_NKINDS 6 /* the item kinds, as unit_items and run_items name them */
extern const char *const store_item_kinds[STORE_NKINDS];

/* A growing text buffer; the owner frees p.  A failed allocation sets oom
 * and later additions do nothing. */
typedef struct store_buf {
	char *p;
	size_t n, cap;
	int oom;
} store_buf;
/* Room for n more bytes at the end of b (and its NUL): where to write
 * them, or NULL when memory ran out (b->oom set).  The caller adds what it
 * wrote to b->n. */
char *store_buf_room(store_buf *b, size_t n);
void store_buf_add(store_buf *b, const char *s, size_t n);
/* Render a note template with its values (vals[0..nv)) into out; -1 when
 * they do not fit (a database changed outside kaoping). */
int store_tpl_render(store_buf *out, const char *tpl, const char *vals, size_t nv);

/* store_blocks.c: the units of a large derived run as blocks of JSON
 * rows (result_blocks), their ids in buckets (result_ids). */
#define STORE_BLOCK_UNITS 256   /* units a block, ids a bucket (on average) */
#define STORE_BLOCK_COLS 23     /* the columns of a unit: as results has them */
#define STORE_BLOCK_SECTIONS 20 /* the section points */
#define STORE_BLOCK_POSITION 22 /* its position: first + its index, not in the text */
extern const char *const store_block_cols[STORE_BLOCK_COLS];
/* Unit i of res as a row of a block, its scored place, appended to b. */
void store_block_unit(store_buf *b, const kp_result *res, size_t i, long long place);
/* s as a JSON string, v as a JSON number, appended to b. */
void store_block_str(store_buf *b, const char *s);
void store_block_int(store_buf *b, long long v);
/* The bucket of result_ids that holds id, of nbuckets; how many buckets a
 * run of nunits has. */
size_t store_block_bucket(const char *id, size_t nbuckets);
size_t store_block_nbuckets(size_t nunits);

/* A block read: n units of STORE_BLOCK_COLS cells each (the cells' text
 * in text).  Zero it before the first parse; reused by the next. */
typedef struct store_block {
	store_cell *cells;
	size_t n, cap;
	store_buf text;
} store_block;
/* Parse the text of a block whose first unit is at position first: 0, 1
 * when it is not a block as store_blocks.c writes one, -1 out of memory. */
int store_block_parse(store_block *b, const char *t, size_t len, sqlite3_int64 first);
void store_block_free(store_block *b);

/* A bucket of ids read, as a block of rows of two cells (the id, TEXT;
 * its position, INTEGER ≥ 1); freed with store_block_free. */
typedef store_block store_ids;
int store_ids_parse(store_ids *x, const char *t, size_t len); /* as store_block_parse */

/* store_load.c: a run of schema 1, read whole (for the migration); the
 * result is the caller's. */
int store_load_run_v1(kp_store *s, long id, kp_result **out, kp_err *err);

#endif
