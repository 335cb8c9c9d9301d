/* store.c — the SQLite store (see include/kaoping/store.h).  Owns the
 * connection and the statements of the transaction in progress.  Names and
 * values reach SQL only as bound parameters; the one identifier built from
 * data (a data table's name, its column names) is quoted with SQLite's
 * own %w. */
#include "kaoping/store.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "kaoping/enc.h"
#include "kaoping/near.h"
#include "kaoping/num.h"
#include "kaoping/outfile.h"
#include "kaoping/par.h"
#include "kaoping/rowq.h"
#include "kaoping/xlsx.h"
#include "kaoping/sb.h"
#include "store_int.h"


/* The schema, one list per part; a version is a list of parts.  Schema 1
 * is frozen: it is what the migration starts from. */
static const char *const schema_common[] = {
	"CREATE TABLE imports("
	" id INTEGER PRIMARY KEY, year INTEGER NOT NULL, name TEXT NOT NULL, file TEXT NOT NULL,"
	" sha256 TEXT NOT NULL, encoding TEXT NOT NULL, rows INTEGER NOT NULL,"
	" data_table TEXT, imported_at TEXT NOT NULL, replaced_at TEXT)",
	"CREATE UNIQUE INDEX imports_active ON imports(year, name) WHERE replaced_at IS NULL",
	"CREATE TABLE import_columns(import_id INTEGER NOT NULL, position INTEGER NOT NULL,"
	" name TEXT NOT NULL, PRIMARY KEY(import_id, position))",
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, year INTEGER NOT NULL, title TEXT NOT NULL,"
	" rules_file TEXT NOT NULL, rules_sha256 TEXT NOT NULL, precision INTEGER NOT NULL,"
	" scored_at TEXT NOT NULL, units INTEGER, last_year INTEGER)",
	"CREATE TABLE run_imports(run_id INTEGER NOT NULL, import_id INTEGER NOT NULL,"
	" PRIMARY KEY(run_id, import_id))",
	"CREATE TABLE run_sections(run_id INTEGER NOT NULL, position INTEGER NOT NULL,"
	" name TEXT NOT NULL, points REAL NOT NULL, PRIMARY KEY(run_id, position))",
	"CREATE TABLE run_grades(run_id INTEGER NOT NULL, position INTEGER NOT NULL,"
	" name TEXT NOT NULL, PRIMARY KEY(run_id, position))",
	"CREATE TABLE run_categories(run_id INTEGER NOT NULL, position INTEGER NOT NULL,"
	" name TEXT NOT NULL, quota INTEGER, commended INTEGER, shortfall INTEGER,"
	" boundary_ties INTEGER, note TEXT, PRIMARY KEY(run_id, position))",
	NULL
};

static const char *const schema_v1_runs[] = {
	"CREATE TABLE results(run_id INTEGER NOT NULL, position INTEGER NOT NULL, unit_id TEXT NOT NULL,"
	" name TEXT, category TEXT NOT NULL, rank INTEGER, total REAL NOT NULL, raw_total REAL,"
	" base REAL, deductions REAL, bonus REAL, grade TEXT, veto INTEGER NOT NULL, veto_reason TEXT,"
	" eligible INTEGER, elig_rank INTEGER, commended INTEGER NOT NULL, boundary_tie INTEGER,"
	" quota_dropped INTEGER, tie_note TEXT, last_rank INTEGER, last_total REAL,"
	" PRIMARY KEY(run_id, unit_id))",
	"CREATE TABLE section_points(run_id INTEGER NOT NULL, unit_id TEXT NOT NULL,"
	" section TEXT NOT NULL, points REAL NOT NULL, PRIMARY KEY(run_id, unit_id, section))",
	"CREATE TABLE points(run_id INTEGER NOT NULL, unit_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL, section TEXT, item TEXT NOT NULL, points REAL NOT NULL, max_points REAL,"
	" note TEXT, skipped INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(run_id, unit_id, seq))",
	NULL
};

/* Schema 2: the results layout of store_run.c */
const char *const store_schema_v2_runs[] = {
	"CREATE TABLE results(run_id INTEGER NOT NULL, position INTEGER NOT NULL, unit_id TEXT NOT NULL,"
	" name TEXT, category TEXT NOT NULL, rank INTEGER, total REAL NOT NULL, raw_total REAL,"
	" base REAL, deductions REAL, bonus REAL, grade TEXT, veto INTEGER NOT NULL, veto_reason TEXT,"
	" eligible INTEGER, elig_rank INTEGER, commended INTEGER NOT NULL, boundary_tie INTEGER,"
	" quota_dropped INTEGER, tie_note TEXT, last_rank INTEGER, last_total REAL,"
	" sections TEXT NOT NULL, scored INTEGER NOT NULL, PRIMARY KEY(run_id, position))",
	"CREATE UNIQUE INDEX results_unit ON results(run_id, unit_id)",
	"CREATE TABLE unit_items(run_id INTEGER NOT NULL, scored INTEGER NOT NULL, items TEXT NOT NULL,"
	" PRIMARY KEY(run_id, scored))",
	"CREATE TABLE run_items(run_id INTEGER NOT NULL, position INTEGER NOT NULL, kind TEXT NOT NULL,"
	" section INTEGER, name TEXT NOT NULL, max_points REAL, PRIMARY KEY(run_id, position))",
	"CREATE TABLE run_notes(run_id INTEGER NOT NULL, id INTEGER NOT NULL, template TEXT NOT NULL,"
	" PRIMARY KEY(run_id, id))",
	NULL
};

/* The rows of schema 1's section_points and points, for a person with any
 * SQLite tool (kaoping itself reads the tables). */
const char *const store_schema_v2_views[] = {
	"CREATE VIEW section_points AS SELECT r.run_id, r.unit_id, s.name AS section, j.value AS points"
	" FROM results r, json_each(r.sections) j"
	" JOIN run_sections s ON s.run_id = r.run_id AND s.position = j.key + 1",
	"CREATE VIEW points AS SELECT u.run_id, r.unit_id, j.key + 1 AS seq, i.kind, s.name AS section,"
	" i.name AS item, json_extract(j.value, '$[1]') AS points, i.max_points,"
	" n.template AS note_template, json_extract(j.value, '$[3]') AS note_values,"
	" coalesce(json_extract(j.value, '$[4]'), 0) AS skipped"
	" FROM unit_items u JOIN results r ON r.run_id = u.run_id AND r.scored = u.scored, json_each(u.items) j"
	" JOIN run_items i ON i.run_id = u.run_id AND i.position = json_extract(j.value, '$[0]')"
	" LEFT JOIN run_sections s ON s.run_id = u.run_id AND s.position = i.section"
	" LEFT JOIN run_notes n ON n.run_id = u.run_id AND n.id = json_extract(j.value, '$[2]')",
	NULL
};

static const char *const *const schema_v1[] = {schema_common, schema_v1_runs, NULL};
static const char *const *const schema_v2[] = {schema_common, store_schema_v2_runs, store_schema_v2_views, NULL};

/* ---- a database locked by another process ---- */

static void (*lock_wait_fn)(void *ud, const char *path, long pid);
static void *lock_wait_ud;

void kp_store_on_lock_wait(void (*fn)(void *ud, const char *path, long pid), void *ud)
{
	lock_wait_fn = fn, lock_wait_ud = ud;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The pid of another process holding a POSIX lock on the file, from
 * /proc/locks (no descriptor is opened: closing one would drop this
 * process's own locks); 0 when none is found. */
static long lock_holder(const char *file)
{
	struct stat sb;
	FILE *f;
	char line[256];
	long pid = 0, me = (long)getpid();

	if (stat(file, &sb) != 0 || !(f = fopen("/proc/locks", "r")))
		return 0;
	while (!pid && fgets(line, sizeof line, f)) {
		unsigned maj, min;
		unsigned long long ino;
		long who;
		char kind[16], mode[16], rw[16];
		if (sscanf(line, "%*[^:]: %15s %15s %15s %ld %x:%x:%llu", kind, mode, rw, &who, &maj, &min, &ino) != 7 ||
		    strcmp(kind, "POSIX"))
			continue;
		if (who != me && ino == (unsigned long long)sb.st_ino && makedev(maj, min) == sb.st_dev)
			pid = who;
	}
	fclose(f);
	return pid;
}

#define KP_STORE_CHECKPOINT_TRIES 20 /* 50 ms each: a second */

/* SQLite's busy handler: wait in short steps; say so after a while; give
 * up after KP_STORE_LOCK_WAIT seconds (SQLITE_BUSY, reported as KP_ETEMP). */
static int store_busy(void *ud, int count)
{
	kp_store *s = ud;
	double now = mono_now();

	/* the checkpoint after a commit waits a moment for readers, no more,
	 * and says nothing: the work is committed, and what a long reader (a
	 * folder of sheets) still needs stays in the -wal until it is done */
	if (s->checkpointing) {
		if (count >= KP_STORE_CHECKPOINT_TRIES)
			return 0;
		sqlite3_sleep(50);
		return 1;
	}

	if (count == 0)
		s->busy_since = now, s->busy_told = 0;
	if (now - s->busy_since >= KP_STORE_LOCK_WAIT)
		return 0;
	if (!s->busy_told && now - s->busy_since >= KP_STORE_LOCK_NOTICE) {
		char *shm = malloc(strlen(s->path) + 5);
		s->busy_told = 1;
		if (shm)
			sprintf(shm, "%s-shm", s->path);
		s->busy_pid = shm ? lock_holder(shm) : 0;
		if (!s->busy_pid)
			s->busy_pid = lock_holder(s->path);
		free(shm);
		if (lock_wait_fn)
			lock_wait_fn(lock_wait_ud, s->path, s->busy_pid);
	}
	sqlite3_sleep(count < 10 ? 10 : 50);
	return 1;
}

static int locked_error(kp_store *s, kp_err *err)
{
	char pid[40] = "";

	if (!s->busy_pid)
		s->busy_pid = lock_holder(s->path);
	if (s->busy_pid)
		snprintf(pid, sizeof pid, " (pid %ld)", s->busy_pid); /* not words */
	return kp_err_msg(err, KP_ETEMP, KP_M_STORE_LOCKED, s->path, pid, KP_STORE_LOCK_WAIT);
}

/* SQLite's code rc as an error of kaoping's kind, in msg's words (and
 * the system's reason eno, 0 for none) */
static int store_error_as(kp_store *s, int rc, const char *msg, int eno, kp_err *err, enum kp_msgid doing_id)
{
	const char *doing = kp_msg_fmt(doing_id);
	int kind = KP_EIO;

	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return locked_error(s, err);
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_CONSTRAINT: /* kaoping writes what its schema accepts: rows it did not write are in the way */
		kind = KP_EDATA;
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		kind = KP_ECREATE;
		break;
	case SQLITE_NOMEM:
		kind = KP_EINTERNAL;
		break;
	default:
		break;
	}
	/* "disk I/O error" says little: the system's reason (File too large
	 * past ulimit -f, No space left on device) says what to do */
	if (((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL) && eno)
		return kp_err_set(err, kind, "%s: %s: %s (%s)", s->path, doing, msg, strerror(eno));
	return kp_err_set(err, kind, "%s: %s: %s", s->path, doing, msg);
}

int store_db_error(kp_store *s, int rc, kp_err *err, enum kp_msgid doing_id)
{
	return store_error_as(s, rc, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc),
			      s->db ? sqlite3_system_errno(s->db) : 0, err, doing_id);
}

int store_db_error_eno(kp_store *s, int rc, int eno, kp_err *err, enum kp_msgid doing_id)
{
	return store_error_as(s, rc, sqlite3_errstr(rc), eno, err, doing_id);
}

int store_exec(kp_store *s, const char *sql, kp_err *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_db_error(s, rc, err, KP_MSG_STORE_CANNOT_WRITE_DB);
}

int store_prep(kp_store *s, const char *sql, sqlite3_stmt **st, kp_err *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : store_db_error(s, rc, err, KP_MSG_STORE_CANNOT_READ_DB);
}

int store_step_done(kp_store *s, sqlite3_stmt *st, kp_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_db_error(s, rc, err, KP_MSG_STORE_CANNOT_WRITE_DB);
}

/* ---- reading values back: every one checked ----
 *
 * A database travels between offices and any SQLite tool can write any
 * value into any column.  Every value read is checked for its type (and
 * text for valid UTF-8 without NUL bytes, numbers for being finite and in
 * range) before it is used; the first bad one stops the read with KP_EDATA
 * naming the table and the column. */


static const char *const type_names[] = {"", "INTEGER", "REAL", "TEXT", "BLOB", "NULL"};

static int rd_bad_text(rd *r, int col, const char *what)
{
	if (!r->rc)
		r->rc = kp_err_msg(r->err, KP_EDATA, KP_M_STORE_RD_BAD, r->s->path, r->table,
				   r->cells ? r->names[col] : sqlite3_column_name(r->st, col), what);
	return r->rc;
}

/* The value's type, its text (and bytes), its numbers: of the row's cells
 * or of the statement's columns. */
static int rd_type(const rd *r, int col)
{
	return r->cells ? r->cells[col].type : sqlite3_column_type(r->st, col);
}

int store_rd_is_null(const rd *r, int col)
{
	return rd_type(r, col) == SQLITE_NULL;
}

static const unsigned char *rd_text(const rd *r, int col, size_t *n)
{
	const unsigned char *t;

	if (r->cells) {
		*n = r->cells[col].n;
		return (const unsigned char *)r->cells[col].t;
	}
	t = sqlite3_column_text(r->st, col); /* then its bytes, as SQLite asks */
	*n = (size_t)sqlite3_column_bytes(r->st, col);
	return t;
}

static sqlite3_int64 rd_int64(const rd *r, int col)
{
	return r->cells ? r->cells[col].i : sqlite3_column_int64(r->st, col);
}

static double rd_double(const rd *r, int col)
{
	if (!r->cells)
		return sqlite3_column_double(r->st, col);
	return r->cells[col].type == SQLITE_INTEGER ? (double)r->cells[col].i : r->cells[col].d;
}

int store_rd_bad(rd *r, int col, enum kp_msgid what)
{
	return rd_bad_text(r, col, kp_msg_fmt(what));
}

static int rd_type_bad(rd *r, int col, int type)
{
	char what[64];

	if (type == SQLITE_BLOB)
		return store_rd_bad(r, col, KP_MSG_STORE_RD_IS_BLOB);
	kp_msg_format(what, sizeof what, KP_M_STORE_RD_IS_TYPE, type_names[type >= 1 && type <= 5 ? type : 0]);
	return rd_bad_text(r, col, what);
}

/* Text (NULL allowed only when nullable); NULL on a bad value. */
const char *store_rd_text(rd *r, int col, int nullable)
{
	int type = rd_type(r, col);
	const unsigned char *t;
	size_t n;

	if (r->rc || (type == SQLITE_NULL && nullable))
		return NULL;
	if (type != SQLITE_TEXT) {
		rd_type_bad(r, col, type);
		return NULL;
	}
	t = rd_text(r, col, &n);
	if (!t) {
		kp_err_oom(r->err), r->rc = KP_EINTERNAL;
		return NULL;
	}
	if (strlen((const char *)t) != n || kp_enc_utf8_valid(t, n) != n) {
		store_rd_bad(r, col, KP_MSG_STORE_RD_NOT_UTF8);
		return NULL;
	}
	return (const char *)t;
}

/* An integer in [lo, hi]; 0 on a bad value (or NULL when nullable, with
 * *isnull set when isnull is given). */
sqlite3_int64 store_rd_int(rd *r, int col, sqlite3_int64 lo, sqlite3_int64 hi, int nullable, int *isnull)
{
	int type = rd_type(r, col);
	sqlite3_int64 v;

	if (isnull)
		*isnull = type == SQLITE_NULL;
	if (r->rc || (type == SQLITE_NULL && nullable))
		return 0;
	if (type != SQLITE_INTEGER) {
		rd_type_bad(r, col, type);
		return 0;
	}
	v = rd_int64(r, col);
	if (v < lo || v > hi) {
		store_rd_bad(r, col, KP_MSG_STORE_RD_RANGE);
		return 0;
	}
	return v;
}

/* A finite number (REAL, or INTEGER as SQLite stores whole REALs). */
double store_rd_real(rd *r, int col, int nullable)
{
	int type = rd_type(r, col);
	double v;

	if (r->rc || (type == SQLITE_NULL && nullable))
		return 0;
	if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) {
		rd_type_bad(r, col, type);
		return 0;
	}
	v = rd_double(r, col);
	if (!isfinite(v))
		store_rd_bad(r, col, KP_MSG_STORE_RD_NOT_FINITE);
	return v;
}


/* Step st: 1 a row, 0 the end, <0 an error (in err). */
int store_rd_step(rd *r)
{
	int rc;

	if (r->rc)
		return -1;
	rc = sqlite3_step(r->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	r->rc = store_db_error(r->s, rc, r->err, KP_MSG_STORE_CANNOT_READ_DB);
	return -1;
}

/* ---- the schema: exactly kaoping's, or refused ----
 *
 * The reference is the schema this code creates, built in a private
 * in-memory database from the same statements (one source): every object
 * of the file must be one of those, with the same SQL, or a data table an
 * import names, with the SQL kaoping writes for its recorded columns.
 * Anything else (a trigger, a view, an index, a column, a constraint
 * removed) could change what is read or written, so it is refused before
 * anything else is read. */

typedef struct schema_obj {
	char *type, *name, *tbl, *sql; /* sql NULL for automatic indexes */
	int seen;
} schema_obj;

typedef struct schema_list {
	schema_obj *o;
	size_t n;
} schema_list;

static void schema_free(schema_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->o[i].type), free(l->o[i].name), free(l->o[i].tbl), free(l->o[i].sql);
	free(l->o);
	l->o = NULL, l->n = 0;
}

static char *dup_col(sqlite3_stmt *st, int i, int *bad)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *p;

	if (!t)
		return NULL;
	if (!(p = strdup((const char *)t)))
		*bad = 1;
	return p;
}

static int schema_read(sqlite3 *db, schema_list *l)
{
	sqlite3_stmt *st = NULL;
	int rc, oom = 0;

	l->o = NULL, l->n = 0;
	if ((rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name", -1, &st,
				     NULL)) != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		schema_obj *p = realloc(l->o, (l->n + 1) * sizeof *p), *o;
		if (!p) {
			rc = SQLITE_NOMEM;
			break;
		}
		l->o = p;
		o = &l->o[l->n++];
		memset(o, 0, sizeof *o);
		o->type = dup_col(st, 0, &oom), o->name = dup_col(st, 1, &oom);
		o->tbl = dup_col(st, 2, &oom), o->sql = dup_col(st, 3, &oom);
		if (oom || !o->type || !o->name || !o->tbl) {
			rc = oom ? SQLITE_NOMEM : SQLITE_CORRUPT;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return SQLITE_OK;
	schema_free(l);
	return rc ? rc : SQLITE_ERROR;
}

/* The objects the statements create, as SQLite records them. */
static int schema_reference(const char *const *const *parts, schema_list *l, kp_err *err)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
	size_t i, k;

	for (k = 0; rc == SQLITE_OK && parts[k]; k++)
		for (i = 0; rc == SQLITE_OK && parts[k][i]; i++)
			rc = sqlite3_exec(db, parts[k][i], NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = schema_read(db, l);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_REF_SCHEMA, sqlite3_errstr(rc));
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static schema_obj *schema_find(schema_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->o[i].name, name))
			return &l->o[i];
	return NULL;
}

static int not_ours(kp_store *s, const schema_obj *o, kp_err *err)
{
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_NOT_OURS, s->path, o->type, o->name);
}

static int not_as_created(kp_store *s, const char *type, const char *name, kp_err *err)
{
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_NOT_AS_CREATED, s->path, type, name);
}

static int check_data_tables(kp_store *s, schema_list *file, kp_err *err);
/* Tables made by the first command that needs them, so that a database
 * that never needed one keeps exactly the schema it had (check_schema
 * accepts each present, as created here, or absent):
 *   import_drops  the audit of drops (kp_store_drop)
 *   run_derived   runs whose items are derived again (store_run.c)
 *   result_blocks, result_ids, block_results
 *                 a large derived run's units in blocks (store_blocks.c) */
static const char *const store_optional_tables[][2] = {
	{"import_drops",
	 "CREATE TABLE import_drops(id INTEGER PRIMARY KEY, import_id INTEGER NOT NULL, year INTEGER NOT NULL,"
	 " name TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL, rows INTEGER NOT NULL, used_by TEXT,"
	 " dropped_at TEXT NOT NULL)"},
	{"run_derived",
	 "CREATE TABLE run_derived(run_id INTEGER PRIMARY KEY, import_id INTEGER NOT NULL, rules_text BLOB NOT NULL,"
	 " stats BLOB NOT NULL, kaoping TEXT NOT NULL)"},
	{"result_blocks",
	 "CREATE TABLE result_blocks(run_id INTEGER NOT NULL, first INTEGER NOT NULL, units TEXT NOT NULL,"
	 " PRIMARY KEY(run_id, first))"},
	{"result_ids",
	 "CREATE TABLE result_ids(run_id INTEGER NOT NULL, bucket INTEGER NOT NULL, ids TEXT NOT NULL,"
	 " PRIMARY KEY(run_id, bucket))"},
	{"block_results", /* REAL where results has REAL: 93 reads as 93.0 there */
	 "CREATE VIEW block_results AS SELECT b.run_id, b.first + j.key AS position,"
	 " json_extract(j.value, '$[0]') AS unit_id, json_extract(j.value, '$[1]') AS name,"
	 " json_extract(j.value, '$[2]') AS category, json_extract(j.value, '$[3]') AS rank,"
	 " CAST(json_extract(j.value, '$[4]') AS REAL) AS total,"
	 " CAST(json_extract(j.value, '$[5]') AS REAL) AS raw_total,"
	 " CAST(json_extract(j.value, '$[6]') AS REAL) AS base,"
	 " CAST(json_extract(j.value, '$[7]') AS REAL) AS deductions,"
	 " CAST(json_extract(j.value, '$[8]') AS REAL) AS bonus, json_extract(j.value, '$[9]') AS grade,"
	 " json_extract(j.value, '$[10]') AS veto, json_extract(j.value, '$[11]') AS veto_reason,"
	 " json_extract(j.value, '$[12]') AS eligible, json_extract(j.value, '$[13]') AS elig_rank,"
	 " json_extract(j.value, '$[14]') AS commended, json_extract(j.value, '$[15]') AS boundary_tie,"
	 " json_extract(j.value, '$[16]') AS quota_dropped, json_extract(j.value, '$[17]') AS tie_note,"
	 " json_extract(j.value, '$[18]') AS last_rank,"
	 " CAST(json_extract(j.value, '$[19]') AS REAL) AS last_total,"
	 " json_extract(j.value, '$[20]') AS sections, json_extract(j.value, '$[21]') AS scored"
	 " FROM result_blocks b, json_each(b.units) j"},
};
#define STORE_NOPTIONAL (sizeof store_optional_tables / sizeof store_optional_tables[0])

/* The optional tables the file has, each as created. */
static int check_optional_tables(kp_store *s, schema_list *file, kp_err *err)
{
	size_t k, i;
	int rc = 0;

	for (k = 0; k < STORE_NOPTIONAL && !rc; k++) {
		const char *const sql[] = {store_optional_tables[k][1], NULL};
		const char *const *const parts[] = {sql, NULL};
		schema_obj *o = schema_find(file, store_optional_tables[k][0]);
		schema_list ref = {NULL, 0};
		if (!o)
			continue;
		if ((rc = schema_reference(parts, &ref, err)))
			return rc;
		for (i = 0; i < ref.n && !rc; i++) { /* the object, and its primary key's index */
			schema_obj *f = i ? schema_find(file, ref.o[i].name) : o;
			if (!f || !same(f->type, ref.o[i].type) || !same(f->tbl, ref.o[i].tbl) || !same(f->sql, ref.o[i].sql))
				rc = not_as_created(s, o->type, o->name, err);
			else
				f->seen = 1;
		}
		if (!rc && (!ref.n || strcmp(ref.o[0].name, o->name)))
			rc = not_as_created(s, o->type, o->name, err);
		schema_free(&ref);
	}
	return rc;
}

int store_has_table(kp_store *s, const char *name, int *have, kp_err *err)
{
	rd q = {s, NULL, "sqlite_schema", err, 0, NULL, NULL};
	int rc;

	*have = 0;
	if ((rc = store_prep(s, "SELECT count(*) FROM sqlite_schema WHERE name = ?", &q.st, err)))
		return rc;
	sqlite3_bind_text(q.st, 1, name, -1, SQLITE_STATIC);
	if (store_rd_step(&q) > 0)
		*have = RD_INT(&q, 0) > 0;
	sqlite3_finalize(q.st);
	return q.rc;
}

int store_ensure_table(kp_store *s, const char *name, kp_err *err)
{
	size_t k;
	int rc, have;

	for (k = 0; k < STORE_NOPTIONAL && strcmp(store_optional_tables[k][0], name); k++)
		;
	if (k == STORE_NOPTIONAL)
		return kp_err_set(err, KP_EINTERNAL, "no optional table %s", name); /* not words */
	if ((rc = store_has_table(s, name, &have, err)))
		return rc;
	return have ? 0 : store_exec(s, store_optional_tables[k][1], err);
}

/* The file's schema against the reference of the given statements. */
static int check_schema(kp_store *s, const char *const *const *parts, kp_err *err)
{
	schema_list ref = {NULL, 0}, file = {NULL, 0};
	size_t i;
	int rc;

	if ((rc = schema_reference(parts, &ref, err)))
		return rc;
	if ((rc = schema_read(s->db, &file)) != SQLITE_OK) {
		rc = store_db_error(s, rc, err, KP_MSG_STORE_CANNOT_READ_DB);
		goto out;
	}
	for (i = 0; i < ref.n && !rc; i++) {
		schema_obj *o = schema_find(&file, ref.o[i].name);
		if (!o)
			rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_SCHEMA_MISSING, s->path,
					ref.o[i].type, ref.o[i].name);
		else if (!same(o->type, ref.o[i].type) || !same(o->tbl, ref.o[i].tbl) || !same(o->sql, ref.o[i].sql))
			rc = not_as_created(s, o->type, o->name, err);
		else
			o->seen = 1;
	}
	if (!rc)
		rc = check_data_tables(s, &file, err);
	if (!rc)
		rc = check_optional_tables(s, &file, err);
	for (i = 0; i < file.n && !rc; i++)
		if (!file.o[i].seen)
			rc = not_ours(s, &file.o[i], err);
out:
	schema_free(&ref);
	schema_free(&file);
	return rc;
}

/* CREATE TABLE for an import's data table: the line number, then the
 * columns (sqlite3_free).  The one place that SQL is written, for the
 * import and for the schema check. */
static char *data_table_sql(const char *table, const char *const *cols, size_t n)
{
	sqlite3_str *q = sqlite3_str_new(NULL);
	size_t i;

	sqlite3_str_appendf(q, "CREATE TABLE \"%w\"(\"_line\" INTEGER", table);
	for (i = 0; i < n; i++)
		sqlite3_str_appendf(q, ", \"%w\"", cols[i]);
	sqlite3_str_appendall(q, ")");
	return sqlite3_str_finish(q);
}

/* An import's recorded column names, in order (malloc'd, each and all). */
static int import_columns(kp_store *s, sqlite3_int64 id, char ***cols, size_t *n, kp_err *err)
{
	rd r = {s, NULL, "import_columns", err, 0, NULL, NULL};
	char **v = NULL;
	size_t k = 0;
	int rc;

	*cols = NULL, *n = 0;
	if ((rc = store_prep(s, "SELECT name FROM import_columns WHERE import_id = ? ORDER BY position", &r.st, err)))
		return rc;
	sqlite3_bind_int64(r.st, 1, id);
	while (store_rd_step(&r) > 0) {
		const char *t = store_rd_text(&r, 0, 0);
		char **p = t ? realloc(v, (k + 1) * sizeof *p) : NULL;
		if (t && (!p || !(p[k] = strdup(t)))) {
			if (p)
				v = p;
			r.rc = kp_err_oom(err);
		}
		if (r.rc)
			break;
		v = p, k++;
	}
	sqlite3_finalize(r.st);
	if (r.rc) {
		while (k)
			free(v[--k]);
		free(v);
		return r.rc;
	}
	*cols = v, *n = k;
	return 0;
}

static void free_columns(char **cols, size_t n)
{
	while (n)
		free(cols[--n]);
	free(cols);
}

/* Every data table an active import names, with exactly the columns it
 * recorded. */
static int check_data_tables(kp_store *s, schema_list *file, kp_err *err)
{
	rd r = {s, NULL, "imports", err, 0, NULL, NULL};
	int rc;

	if ((rc = store_prep(s, "SELECT id, data_table FROM imports WHERE data_table IS NOT NULL ORDER BY id", &r.st, err)))
		return rc;
	while (!rc && store_rd_step(&r) > 0) {
		sqlite3_int64 id = store_rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
		const char *t = store_rd_text(&r, 1, 0);
		schema_obj *o = t ? schema_find(file, t) : NULL;
		char **cols = NULL, *sql = NULL;
		size_t n = 0;
		if (r.rc)
			break;
		if (!o || strcmp(o->type, "table") || o->seen) {
			rc = !o ? kp_err_msg(err, KP_EDATA, KP_M_STORE_IMPORT_NO_TABLE, s->path, (long long)id, t)
			     : o->seen ? kp_err_msg(err, KP_EDATA, KP_M_STORE_IMPORT_TABLE_TWICE, s->path, (long long)id, t)
				       : kp_err_msg(err, KP_EDATA, KP_M_STORE_IMPORT_NOT_TABLE, s->path, (long long)id, t);
			break;
		}
		if (!(rc = import_columns(s, id, &cols, &n, err))) {
			if (!(sql = data_table_sql(t, (const char *const *)cols, n)))
				rc = kp_err_oom(err);
			else if (!same(sql, o->sql) || strcmp(o->tbl, t))
				rc = not_as_created(s, "table", t, err);
			o->seen = 1;
		}
		sqlite3_free(sql);
		free_columns(cols, n);
	}
	sqlite3_finalize(r.st);
	return rc ? rc : r.rc;
}

/* ---- sidecar files: what SQLite would merge into the database at open ----
 *
 * SQLite replays a -wal (or plays back a hot -journal) it finds beside a
 * database without asking whether it belongs to that database: nothing in
 * SQLite's files ties the two.  kaoping ties them: every database it
 * writes carries a random id in its header (application_id), and every
 * transaction it writes sets it, so the log of each of its transactions
 * holds a copy of page 1 with that id.  At open, a -wal with committed
 * transactions that no running program holds is merged only when its last
 * page 1 carries the database's id (a kaoping command that stopped before
 * its checkpoint finished: the log must be replayed); one of another
 * database, or of a transaction kaoping did not write, is refused and both
 * files are left as they are.  A -wal with no committed transaction (a
 * command killed before its commit) adds nothing: SQLite ignores it.
 * Accepting it, whoever wrote it, is not harmful, so it is not refused:
 * SQLite reads a log only up to its last valid commit frame, so no page
 * of it is ever read; the next writer writes a new log header and starts
 * at frame 1 over the dead frames, and each frame's checksum chains from
 * all before it, so a dead frame left past the new commit frame never
 * validates (the crash recovery SQLite itself relies on); the commit's
 * TRUNCATE checkpoint then empties the file.  What is lost is only a
 * transaction no one committed.  Refusing it would stop every command
 * after a killed writer until the user moved a file that holds nothing
 * (check_store's test_open_uncommitted_wal reads and writes over one).
 * Every command that writes checkpoints when it commits, so the .db file
 * alone holds every finished command.
 *
 * kaoping never deletes a sidecar, nor lets SQLite delete one whose
 * contents were not its own: a -journal of any kind, a -wal that is not a
 * log (SQLite would start a new log over it), any -wal beside a database
 * with no pages (SQLite deletes it at open) are refused, to be moved aside
 * by the user.  A reader opens the database read-only whenever a -wal is
 * there, so that its close neither checkpoints nor deletes it: a reading
 * command leaves the folder as it was (SQLite may add a -shm). */

#define WAL_HDR 32
#define WAL_FRAME_HDR 24

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The WAL checksum (the file format's own): over n bytes, n a multiple of 8,
 * words in the byte order the magic number names, continuing from s. */
static void wal_sum(int native_be, const unsigned char *p, size_t n, uint32_t s[2])
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint32_t a = native_be ? get32(p + i) : (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
				(uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
		uint32_t b = native_be ? get32(p + i + 4) : (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 |
				(uint32_t)p[i + 6] << 16 | (uint32_t)p[i + 7] << 24;
		s[0] += a + s[1];
		s[1] += b + s[0];
	}
}

/* What a WAL file holds: the valid frames up to its last commit. */
typedef struct wal_info {
	int shorter;           /* gone, or not even a whole header: a log being cut or removed */
	int commit;            /* a committed transaction */
	int page1;             /* a copy of page 1 among the committed frames */
	uint32_t app_id;       /* the application_id of the last such copy */
	uint32_t version;      /* and its user_version (the schema) */
	uint32_t page_size;
} wal_info;

/* Read the WAL's frames (the file format's own checks: magic, header
 * checksum, salts, cumulative checksums); -1 when it cannot be read. */
static int wal_read(const char *wal, wal_info *w)
{
	unsigned char hdr[WAL_HDR], fh[WAL_FRAME_HDR], *page = NULL;
	uint32_t s[2] = {0, 0}, magic, psize, app = 0, ver = 0;
	FILE *f = fopen(wal, "rb");
	int be, p1 = 0;

	memset(w, 0, sizeof *w);
	if (!f && errno == ENOENT)
		w->shorter = 1; /* gone since it was looked at: a command ending removed it */
	if (!f)
		return errno == ENOENT ? 0 : -1;
	/* the size was looked at before: a log truncated by the checkpoint
	 * of a command ending now reads shorter than its header */
	if (fread(hdr, 1, WAL_HDR, f) != WAL_HDR) {
		w->shorter = 1;
		goto out;
	}
	magic = get32(hdr), psize = get32(hdr + 8);
	if ((magic & 0xfffffffeu) != 0x377f0682u || psize < 512 || psize > 65536 || (psize & (psize - 1)))
		goto out;
	be = magic & 1;
	wal_sum(be, hdr, 24, s);
	if (s[0] != get32(hdr + 24) || s[1] != get32(hdr + 28) || !(page = malloc(psize)))
		goto out;
	w->page_size = psize;
	while (fread(fh, 1, WAL_FRAME_HDR, f) == WAL_FRAME_HDR && fread(page, 1, psize, f) == psize) {
		if (memcmp(fh + 8, hdr + 16, 8))
			break; /* salts of another generation: the end of the log */
		wal_sum(be, fh, 8, s);
		wal_sum(be, page, psize, s);
		if (s[0] != get32(fh + 16) || s[1] != get32(fh + 20))
			break;
		if (get32(fh) == 1)
			p1 = 1, app = get32(page + 68), ver = get32(page + 60);
		if (get32(fh + 4) != 0) { /* a commit frame: the database size after it */
			w->commit = 1;
			w->page1 |= p1;
			if (p1)
				w->app_id = app, w->version = ver;
		}
	}
out:
	free(page);
	fclose(f);
	return 0;
}

/* The application_id, user_version and page size in a database file's
 * header; 0 when there is no such header. */
static int db_header(const char *path, uint32_t *app_id, uint32_t *version, uint32_t *page_size)
{
	unsigned char h[100];
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fread(h, 1, sizeof h, f) == sizeof h && !memcmp(h, "SQLite format 3", 16);
	fclose(f);
	if (ok) {
		*app_id = get32(h + 68);
		*version = get32(h + 60);
		*page_size = (uint32_t)h[16] << 8 | h[17];
		if (*page_size == 1)
			*page_size = 65536;
	}
	return ok;
}

/* 1 when some process holds a lock on the file at path covering byte
 * (any byte when byte < 0).  Read from /proc/locks, so that no descriptor
 * of the file is opened and closed here (closing one would drop this
 * process's own POSIX locks). */
static int locked_at(const char *path, long long byte)
{
	struct stat sb;
	FILE *f;
	char line[256];
	int used = 0;

	if (stat(path, &sb) != 0)
		return 0;
	if (!(f = fopen("/proc/locks", "r")))
		return 1; /* cannot tell: leave the -wal to SQLite */
	while (!used && fgets(line, sizeof line, f)) {
		unsigned maj, min;
		unsigned long long ino;
		char start[32], end[32];
		const char *p = strstr(line, "POSIX");
		if (!p)
			p = strstr(line, "OFDLCK");
		if (!p || !(p = strchr(p, ':')))
			continue;
		while (p > line && p[-1] != ' ')
			p--;
		if (sscanf(p, "%x:%x:%llu %31s %31s", &maj, &min, &ino, start, end) != 5)
			continue;
		used = ino == (unsigned long long)sb.st_ino && makedev(maj, min) == sb.st_dev &&
		       (byte < 0 || (strtoull(start, NULL, 10) <= (unsigned long long)byte &&
				     (!strcmp(end, "EOF") || strtoull(end, NULL, 10) >= (unsigned long long)byte)));
	}
	fclose(f);
	return used;
}

/* 1 when some process has the database open through SQLite's WAL index
 * (it holds a lock on the -shm's dead-man byte, 128), or holds a lock on
 * the database file itself (a command writing, or closing: between
 * letting the -shm go and deleting the -wal, SQLite holds the database
 * locked): its -wal is live, being written or cut, and SQLite, not this
 * look, judges it. */
static int wal_live(const char *path, const char *shm)
{
	return locked_at(shm, 128) || locked_at(path, -1);
}

static char *sidecar(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);
	char *p = malloc(n + k + 1);

	if (p)
		memcpy(p, path, n), memcpy(p + n, suffix, k + 1);
	return p;
}

/* What a file that is not a regular one is, in words (a message's). */
static const char *store_kind_word(mode_t m)
{
	return kp_msg_fmt(S_ISLNK(m) ? KP_MSG_STORE_KIND_LINK : S_ISFIFO(m) ? KP_MSG_STORE_KIND_FIFO
			  : S_ISCHR(m) || S_ISBLK(m) ? KP_MSG_STORE_KIND_DEVICE : S_ISDIR(m) ? KP_MSG_STORE_KIND_DIR
			  : S_ISSOCK(m) ? KP_MSG_STORE_KIND_SOCKET : KP_MSG_STORE_KIND_OTHER);
}

/* A sidecar that exists must be a regular file, itself (lstat: not a
 * link to one): SQLite opens it with open(2), and a FIFO there blocks
 * every command for ever, a device or a link takes writes elsewhere. */
static int sidecar_regular(const char *path, const char *side, kp_err *err)
{
	struct stat sb;

	if (lstat(side, &sb) != 0)
		return errno == ENOENT || errno == ENOTDIR /* no folder there: said by the open */
			       ? 0
			       : kp_err_msg(err, KP_ENOINPUT, KP_M_STORE_CANNOT_READ, side, strerror(errno));
	if (S_ISREG(sb.st_mode))
		return 0;
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_SIDECAR_NOT_REGULAR, side, store_kind_word(sb.st_mode), path, path);
}

#define JOURNAL_HDR 28
#define JOURNAL_LOOK 16 /* records looked at: kaoping's first is page 1 (store_stamp) */

/* The first bytes of a rollback journal whose header SQLite wrote. */
static const unsigned char journal_magic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};

/* Whether a rollback journal is the database's own: among its first
 * records a copy of page 1, of the database's page size, carrying the
 * database's own id (app, not 0; store_stamp writes it first thing in
 * every transaction, so that page leads the journal).  A database that
 * came in rollback-journal mode (another tool left it so) keeps its
 * journal through a command's transaction; a command stopped there
 * (kill -9, Ctrl-C) leaves it: hot, and only its playback makes the file
 * whole again, or with its header still zeroed (stopped before the
 * journal was synced, the file not yet written), which SQLite leaves and
 * the next write replaces. */
static int journal_ours(const char *journal, uint32_t app, uint32_t psize)
{
	static const unsigned char zero[8] = {0};
	unsigned char h[JOURNAL_HDR], pg[4], *page = NULL;
	FILE *f = fopen(journal, "rb");
	uint32_t sector, i;
	int ours = 0;

	if (!f)
		return 0;
	if (!app || fread(h, 1, sizeof h, f) != sizeof h || (memcmp(h, journal_magic, 8) && memcmp(h, zero, 8)) ||
	    get32(h + 24) != psize || (sector = get32(h + 20)) < JOURNAL_HDR || sector > 65536 ||
	    fseek(f, (long)sector, SEEK_SET) || !(page = malloc(psize)))
		goto out;
	for (i = 0; i < JOURNAL_LOOK && fread(pg, 1, 4, f) == 4 && fread(page, 1, psize, f) == psize &&
		    fseek(f, 4, SEEK_CUR) == 0; i++)
		if (get32(pg) == 1) {
			ours = get32(page + 68) == app;
			break;
		}
out:
	free(page);
	fclose(f);
	return ours;
}

/* A journal SQLite would play back: its header written (the magic). */
static int journal_hot(const char *journal)
{
	unsigned char h[8];
	FILE *f = fopen(journal, "rb");
	int hot;

	if (!f)
		return 0;
	hot = fread(h, 1, sizeof h, f) == sizeof h && !memcmp(h, journal_magic, 8);
	fclose(f);
	return hot;
}

/* Any -journal, hot or not: a hot one SQLite would play back; one with a
 * zeroed header (or empty) it deletes beside an empty database, and a
 * write in rollback mode overwrites it.  kaoping's databases keep no
 * journal between commands unless one was stopped in a transaction while
 * the database was in rollback-journal mode (journal_ours); any other
 * there is another program's. */
static int check_journal(const char *path, const char *journal, kp_err *err)
{
	struct stat sb;
	uint32_t app = 0, version = 0, psize = 0;
	int look;

	/* one whose database another process holds locked is that process's
	 * own, live (kaoping making a new file writes through one): SQLite's
	 * locks make this command wait for it, as for any lock.  Between two
	 * transactions of that process the journal may be seen with no lock
	 * held for a moment: only one that stays without a lock is refused */
	for (look = 0; look < 5; look++) {
		if (lstat(journal, &sb) != 0 || locked_at(path, -1))
			return 0;
		sqlite3_sleep(20);
	}
	if (db_header(path, &app, &version, &psize) && journal_ours(journal, app, psize))
		return 0;
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_JOURNAL, journal, path, path);
}

/* A file of at most its first page, and that page (whole or cut short by
 * a full disk) an SQLite header over an empty schema: what the switch of
 * a new file to WAL writes before anything of kaoping's is in it. */
static int first_page_only(const char *path, off_t size)
{
	unsigned char h[108];
	uint32_t app, version, psize;
	FILE *f;
	int ok;

	if (size < (off_t)sizeof h || !db_header(path, &app, &version, &psize) || version || size > (off_t)psize ||
	    !(f = fopen(path, "rb")))
		return 0;
	ok = fread(h, 1, sizeof h, f) == sizeof h && h[100] == 0x0d && !h[103] && !h[104];
	fclose(f);
	return ok;
}

/* Whether the log's last page 1 is kaoping's for a database whose header
 * holds app and version: the same id; or, for a schema-1 database that
 * carries no id yet (schema 1 set none), the first transaction kaoping
 * wrote to it, which upgrades it to schema 2 and stamps an id in the same
 * commit (upgrade_v1): a command killed between that commit and its
 * checkpoint leaves such a log, and it must be replayed like any other.
 * So for a new file (empty: its first page only, over an empty schema, as
 * the switch to WAL wrote it): the first transaction makes the schema and
 * stamps the id; killed before its checkpoint wrote page 1, the command
 * left a log every later command refused as another's, the import it had
 * said done unreachable. */
static int wal_ours(const wal_info *w, uint32_t app, uint32_t version, int empty)
{
	if (app)
		return w->app_id == app;
	return (version == 1 || (!version && empty)) && w->app_id && w->version == KP_STORE_SCHEMA;
}

/* Refuse to open path when SQLite would merge into it what kaoping did
 * not write to it (see above). */
static int check_sidecars(const char *path, kp_err *err)
{
	char *wal = sidecar(path, "-wal"), *shm = sidecar(path, "-shm"), *journal = sidecar(path, "-journal");
	struct stat sb;
	wal_info w;
	uint32_t app = 0, version = 0, psize = 0;
	int rc = 0;

	if (!wal || !shm || !journal) {
		rc = kp_err_oom(err);
		goto out;
	}
	if ((rc = sidecar_regular(path, journal, err)) || (rc = sidecar_regular(path, wal, err)) ||
	    (rc = sidecar_regular(path, shm, err)) || (rc = check_journal(path, journal, err)))
		goto out;
	if (lstat(wal, &sb) != 0 || wal_live(path, shm))
		goto out;
	/* beside a database with no pages SQLite deletes any -wal at open */
	if (!db_header(path, &app, &version, &psize)) {
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_WAL_ALONE, wal, path);
		goto out;
	}
	if (sb.st_size == 0)
		goto out;
	if (wal_read(wal, &w) < 0)
		rc = kp_err_msg(err, KP_ENOINPUT, KP_M_STORE_CANNOT_READ, wal, strerror(errno));
	else if (w.shorter || ((!w.page_size || w.commit) && wal_live(path, shm)))
		rc = 0; /* emptied, or taken up by a command, since it was looked at */
	else if (!w.page_size) /* not a log: SQLite would start a new one over it */
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_WAL_NOT_LOG, wal, path, path);
	else if (w.commit && (!w.page1 || w.page_size != psize ||
			      !wal_ours(&w, app, version, stat(path, &sb) == 0 && first_page_only(path, sb.st_size))))
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_WAL_FOREIGN, wal, path, path);
out:
	free(wal), free(shm), free(journal);
	return rc;
}

/* Commit the transaction in progress, then move the log into the database
 * file, so that the .db file alone holds every finished command (a copy of
 * it is complete).  A reader holding a read open past the busy timeout
 * keeps the pages in the -wal, live, until it closes; that is no error:
 * the transaction is committed. */
static void (*commit_fn)(void *ud, int mine);
static void *commit_ud;

void kp_store_on_commit(void (*fn)(void *ud, int mine), void *ud)
{
	commit_fn = fn, commit_ud = ud;
}

int store_begin(kp_store *s, kp_err *err)
{
	int rc, moved = 0;

	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return kp_err_msg(err, KP_ETEMP, KP_M_STORE_MOVED, s->path);
	}
	return 0;
}

int store_commit(kp_store *s, kp_err *err)
{
	int rc, created = s->created;

	if (commit_fn) /* from here on the work is the database's, not this command's to remove */
		commit_fn(commit_ud, 0);
	s->created = 0;
	rc = store_exec(s, "COMMIT", err);
	if (rc && created) { /* not committed (a full disk): still only this command's */
		s->created = 1;
		if (commit_fn)
			commit_fn(commit_ud, 1);
	}

	/* a database that came in a rollback-journal mode: to WAL now that the
	 * command's work is committed (see setup_db); should the switch fail
	 * (another program has it open), it stays as it is, the work done */
	if (!rc && s->to_wal && sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK)
		s->to_wal = 0;
	if (!rc) {
		s->checkpointing = 1;
		sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		s->checkpointing = 0;
	}
	return rc;
}

/* Set the database's id in the transaction begun (see the sidecar files
 * above): a random one, not 0, for a database that has none yet. */
int store_stamp(kp_store *s, kp_err *err)
{
	rd r = {s, NULL, kp_msg_fmt(KP_MSG_STORE_DB_HEADER), err, 0, NULL, NULL};
	char sql[64];
	int rc;

	if (!s->app_id) {
		if ((rc = store_prep(s, "PRAGMA application_id", &r.st, err)))
			return rc;
		if (store_rd_step(&r) > 0)
			s->app_id = (uint32_t)RD_INT(&r, 0);
		sqlite3_finalize(r.st);
		if (r.rc)
			return r.rc;
		while (!s->app_id)
			sqlite3_randomness(sizeof s->app_id, &s->app_id);
	}
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", (int)(int32_t)s->app_id); /* not words */
	return store_exec(s, sql, err);
}

void store_now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Create every part of a schema version. */
static int create_schema(kp_store *s, const char *const *const *parts, kp_err *err)
{
	size_t i, k;
	int rc = 0;

	for (k = 0; parts[k] && !rc; k++)
		for (i = 0; parts[k][i] && !rc; i++)
			rc = store_exec(s, parts[k][i], err);
	return rc;
}

/* A database that may not be written (a read-only file) is upgraded in a
 * private copy in memory: the file is left as it is. */
static int copy_to_memory(kp_store *s, kp_err *err)
{
	sqlite3 *mem = NULL;
	sqlite3_backup *b;
	int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);

	if (rc == SQLITE_OK && !(b = sqlite3_backup_init(mem, "main", s->db, "main")))
		rc = sqlite3_errcode(mem);
	else if (rc == SQLITE_OK) {
		sqlite3_backup_step(b, -1);
		rc = sqlite3_backup_finish(b);
	}
	if (rc != SQLITE_OK) {
		sqlite3_close(mem);
		return store_db_error(s, rc, err, KP_MSG_STORE_CANNOT_READ_DB);
	}
	sqlite3_close(s->db);
	s->db = mem;
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	return 0;
}

/* Schema 1 to 2: the runs rewritten in the new layout (store_run.c), then
 * the result checked against schema 2 itself.  Only a command that writes
 * upgrades the file; a reading one (and one on a file it may not write)
 * upgrades a private copy in memory, so that it never writes the
 * database, failed or not.
 *
 * A writer's upgrade is not committed here: its transaction stays open
 * (in_tx) and the command's own work joins it (import, drop and the run
 * begin no transaction of their own while one is open), so that one
 * commit makes the file schema 2 with the command's work in it, and a
 * command that fails (a bad CSV, no such dataset, a rule error while
 * scoring) rolls the upgrade back with its work: the file is byte for
 * byte what it was, still schema 1 (DESIGN §5). */
static int begin_still(kp_store *s, int version, kp_err *err);
/* migrate_once's answer when another command changed the schema meanwhile:
 * look again (begin_still, upgrade_v1) */
#define STORE_AGAIN (-1)
static int read_version(kp_store *s, int *version, int *tables, kp_err *err);

static int upgrade_v1(kp_store *s, int writes, kp_err *err)
{
	int rc, now = 1, in_memory = !writes || sqlite3_db_readonly(s->db, "main") == 1;

	/* read after the version, in a snapshot of its own: another command's
	 * upgrade committed in between shows version 2's objects, not changed
	 * ones (import and drop at once on a schema-1 file: "view 'points' is
	 * not as kaoping creates it"); migrate looks again */
	if ((rc = check_schema(s, schema_v1, err))) {
		if (!read_version(s, &now, NULL, err) && now != 1) {
			kp_err_clear(err);
			return STORE_AGAIN;
		}
		return rc;
	}
	if (in_memory && (rc = copy_to_memory(s, err)))
		return rc;
	if ((rc = begin_still(s, 1, err)))
		return rc;
	if (!(rc = store_stamp(s, err)) && !(rc = store_run_migrate_v1(s, err)) && !(rc = store_exec(s, "PRAGMA user_version = 2", err)) &&
	    !(rc = check_schema(s, schema_v2, err))) {
		if (!in_memory) {
			s->in_tx = 1; /* committed with the command's work, or rolled back */
			return 0;
		}
		rc = store_commit(s, err);
	}
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* kaoping creates UTF-8 databases only: in one of UTF-16, SQLite converts
 * text before store_rd_text checks it, and an unpaired surrogate comes out
 * as another character, so such a database is refused. */
static int check_encoding(kp_store *s, kp_err *err)
{
	rd r = {s, NULL, kp_msg_fmt(KP_MSG_STORE_DB_HEADER), err, 0, NULL, NULL};
	const char *enc;
	int rc;

	if ((rc = store_prep(s, "PRAGMA encoding", &r.st, err)))
		return rc;
	if (store_rd_step(&r) > 0 && (enc = store_rd_text(&r, 0, 0)) && strcmp(enc, "UTF-8"))
		r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_NOT_UTF8_DB, s->path, enc);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* The schema version, and (tables non-NULL) how many objects the
 * schema holds. */
static int read_version(kp_store *s, int *version, int *tables, kp_err *err)
{
	rd r = {s, NULL, kp_msg_fmt(KP_MSG_STORE_DB_HEADER), err, 0, NULL, NULL};
	int rc;

	/* one statement, one snapshot: read apart, another command's commit
	 * between them gave version 0 with its tables, "not kaoping's" */
	if ((rc = store_prep(s, tables ? "SELECT user_version, (SELECT count(*) FROM sqlite_schema) FROM pragma_user_version"
				       : "PRAGMA user_version", &r.st, err)))
		return rc;
	if (store_rd_step(&r) > 0) {
		*version = RD_INT(&r, 0);
		if (tables)
			*tables = RD_INT(&r, 1);
	} else {
		*version = 0;
		if (tables)
			*tables = 0;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

/* Begin the write transaction of an upgrade from version (0: a new
 * file), which was read before any lock was held: another command may
 * have upgraded or created the database while this one waited for the
 * lock (two imports at once on a schema-1 file, or on a file neither
 * found).  Read again under the lock; when it changed, STORE_AGAIN (the
 * transaction rolled back): migrate looks at the database afresh. */
static int begin_still(kp_store *s, int version, kp_err *err)
{
	int now = 0, tables = 0, rc;

	if ((rc = store_begin(s, err)))
		return rc;
	if ((rc = read_version(s, &now, version ? NULL : &tables, err)) || (now == version && !tables))
		return rc ? (sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL), rc) : 0;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return STORE_AGAIN;
}

static int migrate_once(kp_store *s, int writable, kp_err *err)
{
	int version, tables, rc;

	if ((rc = read_version(s, &version, NULL, err)))
		return rc;
	if (version > KP_STORE_SCHEMA)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NEWER,
				  s->path, version, KP_STORE_SCHEMA);
	if (version > 0 && (rc = check_encoding(s, err)))
		return rc;
	if (version == KP_STORE_SCHEMA)
		return check_schema(s, schema_v2, err);
	if (version == 1)
		return upgrade_v1(s, writable, err);
	if (version < 0)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NOT_KAOPING, s->path);
	if ((rc = read_version(s, &version, &tables, err)))
		return rc;
	if (version != 0) /* another command made it since the first look */
		return STORE_AGAIN;
	if (tables > 0)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NOT_KAOPING, s->path);
	if (!writable)
		return kp_err_msg(err, KP_ENOINPUT, KP_M_STORE_EMPTY, s->path);
	/* a new file: larger pages suit tables of many rows; WAL from the
	 * first transaction, so that no rollback journal is ever kaoping's.
	 * The switch to WAL writes the file's first page in a transaction of
	 * its own: through a -journal, a command stopped in it (kill -9,
	 * Ctrl-C) left one beside the new file, which every later command
	 * refused as another program's; in memory, none.  (A file another
	 * command made WAL meanwhile is not written: its page says WAL.) */
	if ((rc = store_exec(s, "PRAGMA page_size = 16384", err)) ||
	    (s->to_wal && (rc = store_exec(s, "PRAGMA journal_mode = MEMORY", err))) ||
	    (rc = store_exec(s, "PRAGMA journal_mode = WAL", err)) || (rc = begin_still(s, 0, err)))
		return rc;
	/* the schema is committed with the command's work, as an upgrade's is:
	 * until then this command holds the lock, so no other commits into the
	 * file, and one that fails may remove it (kp_store_created) */
	if (!(rc = store_stamp(s, err)) && !(rc = create_schema(s, schema_v2, err)) &&
	    !(rc = store_exec(s, "PRAGMA user_version = 2", err))) {
		s->in_tx = s->created = 1;
		return 0;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The schema checked, upgraded or created; again when another command
 * changed it while this one waited for the lock (begin_still). */
static int migrate(kp_store *s, int writable, kp_err *err)
{
	int rc, tries = 0;

	/* the version only rises (0 or 1 to 2): a second look settles it */
	while ((rc = migrate_once(s, writable, err)) == STORE_AGAIN && ++tries < 4)
		;
	return rc == STORE_AGAIN ? locked_error(s, err) : rc;
}

static int dir_writable(const char *path)
{
	char *dir = kp_outfile_dir(path);
	int ok = dir && access(dir, W_OK) == 0;

	free(dir);
	return ok;
}

/* "file:PATH?immutable=1" with the path percent-encoded (sqlite3_free). */
static char *immutable_uri(const char *path)
{
	sqlite3_str *u = sqlite3_str_new(NULL);
	const unsigned char *p;

	/* a relative path as ./path: "file::memory:" is a database in memory
	 * (--db :memory:, a file of that name, read as an empty database) */
	sqlite3_str_appendall(u, path[0] == '/' ? "file:" : "file:./");
	for (p = (const unsigned char *)path; *p; p++)
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20)
			sqlite3_str_appendf(u, "%%%02X", *p);
		else
			sqlite3_str_appendchar(u, 1, (char)*p);
	sqlite3_str_appendall(u, "?immutable=1");
	return sqlite3_str_finish(u);
}

/* A writer's -wal and -shm, where they are, must be its to write: left by
 * a command of another user (a reader stopped), they failed every write
 * with "kaoping.db: attempt to write a readonly database", naming the
 * file that may be written; where they are not, the folder must be. */
static int sidecars_writable(const char *path, kp_err *err)
{
	static const char *const tail[] = {"-wal", "-shm"};
	size_t i;
	int rc = 0, there = 0;
	char *dir;
	struct stat sb;

	for (i = 0; i < 2 && !rc; i++) {
		char *side = sidecar(path, tail[i]);
		if (!side)
			return kp_err_oom(err);
		if (access(side, F_OK) == 0 && ++there && access(side, W_OK) != 0)
			rc = kp_err_msg(err, KP_ECREATE, KP_M_STORE_CANNOT_WRITE_DB_WHY, side, strerror(errno));
		free(side);
	}
	/* and where they are not, the folder must take them: else "cannot
	 * read the database: attempt to write a readonly database" (an
	 * import), "unable to open database file" (a new one) */
	if (rc || there == 2)
		return rc;
	if (!(dir = kp_outfile_dir(path)))
		return kp_err_oom(err);
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && access(dir, W_OK) != 0)
		rc = kp_err_msg(err, KP_ECREATE, KP_M_STORE_FOLDER_READ_ONLY, path, dir, strerror(errno));
	free(dir);
	return rc;
}

/* Before SQLite sees path: a folder or another file that is not a regular
 * one, a database that is not there, one that cannot be written, or files
 * beside it kaoping would not merge (beside real, the file at the end of
 * path's links). */
static int open_check(const char *path, const char *real, int mode, kp_err *err)
{
	struct stat sb;
	int rc, writes = mode != KP_STORE_READ;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return kp_err_msg(err, writes ? KP_ECREATE : KP_ENOINPUT, KP_M_STORE_IS_DIR, path);
	/* a device, a FIFO, a socket (the link followed): SQLite would open
	 * it, and a writer would leave PATH-journal beside it (/dev/null-journal
	 * as root) */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return kp_err_msg(err, writes ? KP_ECREATE : KP_ENOINPUT, KP_M_STORE_NOT_REGULAR, path,
				  store_kind_word(sb.st_mode));
	/* a file that is there but may not be looked at (a folder without
	 * search permission) is no missing database: it was "no such
	 * database" to a reader, "PATH-journal: cannot read" to a writer */
	if (access(path, F_OK) != 0 && errno != ENOENT && errno != ENOTDIR)
		return writes ? kp_err_msg(err, KP_ECREATE, KP_M_STORE_CANNOT_WRITE_DB_WHY, path, strerror(errno))
			      : kp_err_msg(err, KP_ENOINPUT, KP_M_STORE_CANNOT_READ, path, strerror(errno));
	if (mode != KP_STORE_WRITE && access(path, F_OK) != 0)
		return kp_err_msg(err, KP_ENOINPUT, KP_M_STORE_NO_DB, path);
	if (writes && access(path, F_OK) == 0 && access(path, W_OK) != 0)
		return kp_err_msg(err, KP_ECREATE, KP_M_STORE_CANNOT_WRITE_DB_WHY, path, strerror(errno));
	/* SQLite keeps the -wal and -shm beside the name it opens: two
	 * writers through two names of one file (hard links) each had a log
	 * and a lock of its own, and one's commit overwrote the other's (two
	 * imports at once, both "imported", one kept) */
	if (writes && stat(path, &sb) == 0 && sb.st_nlink > 1)
		return kp_err_msg(err, KP_ECREATE, KP_M_STORE_HARD_LINKS, path, (unsigned long)sb.st_nlink);
	if ((rc = check_sidecars(real, err)) || !writes)
		return rc;
	return sidecars_writable(real, err);
}

/* The connection of s to path. */
static int open_db(kp_store *s, const char *path, int mode, kp_err *err)
{
	/* a reader opens read-write when it may and no -wal is there, so that
	 * closing the last connection tidies away the -wal and -shm files its
	 * own open made, as SQLite does; with a -wal there, read-only, so that
	 * its close neither checkpoints nor deletes a log it did not write */
	int flags = mode == KP_STORE_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
		    : mode == KP_STORE_UPDATE ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
	int rc;

	/* (the folder too: SQLite makes the -wal and -shm there; a file that
	 * may be written in a folder that may not failed every reading verb,
	 * "attempt to write a readonly database") */
	if (mode == KP_STORE_READ && access(path, W_OK) == 0 && dir_writable(path)) {
		char *wal = sidecar(path, "-wal");
		struct stat sb;
		if (!wal)
			return kp_err_oom(err);
		if (lstat(wal, &sb) != 0 && errno == ENOENT)
			flags = SQLITE_OPEN_READWRITE;
		free(wal);
	}

	/* a hot journal (the database's own, journal_ours: others are refused
	 * before) is played back only by a connection that may write: opened
	 * immutable, SQLite would read past it the half-written file; read
	 * only, it fails "attempt to write a readonly database" */
	if (flags == SQLITE_OPEN_READONLY) {
		char *journal = sidecar(path, "-journal");
		int hot;
		if (!journal)
			return kp_err_oom(err);
		hot = journal_hot(journal);
		if (hot)
			kp_err_msg(err, KP_ENOINPUT, KP_M_STORE_JOURNAL_UNREADABLE, journal, path);
		free(journal);
		if (hot)
			return KP_ENOINPUT;
	}

	/* one connection per thread, used by one thread: no locking inside
	 * SQLite, no memory statistics */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (flags == SQLITE_OPEN_READONLY && !dir_writable(path)) {
		/* nobody can change a read-only file in a read-only folder, and
		 * SQLite could not make the WAL's -shm beside it: read it as is.
		 * Read as is, a -wal's committed changes would be ignored (a
		 * silently older state): refused */
		char *uri, *wal = sidecar(path, "-wal");
		wal_info w;
		if (!wal)
			return kp_err_oom(err);
		rc = wal_read(wal, &w) == 0 && w.commit;
		if (rc)
			kp_err_msg(err, KP_ENOINPUT, KP_M_STORE_WAL_UNREADABLE, wal, path);
		free(wal);
		if (rc)
			return KP_ENOINPUT;
		if (!(uri = immutable_uri(path)))
			return kp_err_oom(err);
		rc = sqlite3_open_v2(uri, &s->db, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
		sqlite3_free(uri);
	} else if (!strcmp(path, ":memory:") || !strncmp(path, "file:", 5)) {
		/* SQLite's names for a database in memory and for a URI (this
		 * SQLite may read URIs): --db :memory: or file:x?mode=memory
		 * took an import or a run and kept nothing.  The file so named */
		char *dot = sqlite3_mprintf("./%s", path);
		if (!dot)
			return kp_err_oom(err);
		rc = sqlite3_open_v2(dot, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
		sqlite3_free(dot);
	} else {
		rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	}
	if (rc == SQLITE_OK)
		return 0;
	rc = store_db_error(s, rc, err, KP_MSG_STORE_CANNOT_OPEN_DB);
	if (rc == KP_ECREATE && mode == KP_STORE_READ)
		err->kind = rc = KP_ENOINPUT;
	return rc;
}

/* The journal mode a writer found: one other than WAL (a database another
 * SQLite tool left in rollback-journal mode) is noted, not changed here. */
static int note_journal_mode(kp_store *s, kp_err *err)
{
	rd r = {s, NULL, kp_msg_fmt(KP_MSG_STORE_DB_HEADER), err, 0, NULL, NULL};
	const char *m;
	int rc;

	if ((rc = store_prep(s, "PRAGMA journal_mode", &r.st, err)))
		return rc;
	if (store_rd_step(&r) > 0 && (m = store_rd_text(&r, 0, 0)))
		s->to_wal = strcmp(m, "wal") != 0;
	sqlite3_finalize(r.st);
	return r.rc;
}

/* The connection's settings, the schema checked (or made, or upgraded),
 * WAL for a writer.
 *
 * Switching a database to WAL writes its header: done before the
 * command's transaction, it would change the file of a command that then
 * fails (DESIGN §5: a failure leaves the database exactly as it was), and
 * it cannot be done inside a transaction.  So a writer that finds a
 * rollback-journal mode keeps it for its transaction (SQLite's own
 * journal makes that transaction all or nothing as WAL would) and
 * switches to WAL in store_commit, after the commit: only a command whose
 * work is committed changes the mode. */
static int setup_db(kp_store *s, int writes, kp_err *err)
{
	int rc;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_busy_handler(s->db, store_busy, s);
	/* the safety level first: an upgrade from schema 1 leaves its
	 * transaction open for the command's work, and the level may not
	 * change inside one */
	if ((rc = store_exec(s, "PRAGMA trusted_schema = OFF", err)) || (writes && (rc = note_journal_mode(s, err))))
		return rc;
	if (writes && (rc = store_exec(s, "PRAGMA synchronous = NORMAL", err)))
		return rc;
	if ((rc = migrate(s, writes, err)))
		return rc;
	/* the cache after the schema: sized before a new file's page size
	 * (16 KiB) was set, it let an import of 1M units grow to 170 MB
	 * instead of 79 (measured; PRAGMA cache_size reads the same either
	 * way) */
	return writes ? store_exec(s, "PRAGMA cache_size = -65536", err) : 0;
}

/* kp_store_open; checked: the file and its sidecars were checked by a
 * connection of this process that has it open still (see open_again). */
static int store_open(const char *path, int mode, int checked, kp_store **out, kp_err *err)
{
	kp_store *s = calloc(1, sizeof *s);
	kp_err e = {0};
	char *real = NULL;
	int rc;

	*out = NULL;
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return kp_err_oom(err);
	}
	/* --db naming a link: SQLite opens the file at the end of the links,
	 * and its -wal, -shm and -journal are beside that file, not beside the
	 * link: they are the ones looked at (a foreign -wal beside the file a
	 * link named was merged into it, and removed, by a reading command) */
	kp_outfile_follow_links(path, &real, &e);
	kp_err_clear(&e);
	if ((!checked && (rc = open_check(path, real ? real : path, mode, err))) ||
	    (rc = open_db(s, real ? real : path, mode, err)) || (rc = setup_db(s, mode != KP_STORE_READ, err))) {
		free(real);
		kp_store_close(s);
		return rc;
	}
	free(real);
	*out = s;
	return 0;
}

int kp_store_open(const char *path, int mode, kp_store **out, kp_err *err)
{
	return store_open(path, mode, 0, out, err);
}

/* A second connection, for reading, to the database s has open.  s
 * checked the file and its sidecars when it opened it, and keeps its -wal
 * live while it is open: looking again, through every lock of the machine
 * in /proc/locks, would say only that (10 ms of a score's read at 300k
 * units, on a machine with many locks). */
static int open_again(const kp_store *s, kp_store **out, kp_err *err)
{
	return store_open(s->path, KP_STORE_READ, 1, out, err);
}

int kp_store_unused_empty(const char *path)
{
	char *wal = sidecar(path, "-wal"), *shm = sidecar(path, "-shm");
	struct stat sb;
	/* 0 bytes only: a first page over an empty schema is also what another
	 * command making the file has written before it holds a lock (between
	 * its switch to WAL and its first transaction), and a command whose
	 * own open failed removed that file under it (db-new-two-imports-at-once
	 * failed one round in ten) */
	int empty = wal && shm && stat(path, &sb) == 0 && sb.st_size == 0 &&
		    (stat(wal, &sb) != 0 || sb.st_size == 0) && !locked_at(path, -1) && !locked_at(shm, -1);

	free(wal), free(shm);
	return empty;
}

int kp_store_created(const kp_store *s)
{
	return s && s->created;
}

void kp_store_close(kp_store *s)
{
	if (!s)
		return;
	if (s->in_tx || s->flushing)
		kp_store_run_abort(s);
	store_run_free(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* ---- import ---- */

typedef struct importer {
	kp_store *s;
	const char *file;
	long import_id;
	char table[600];
	sqlite3_stmt *ins;
	size_t ncols;
	kp_err *err;
} importer;

#define MAX_DB_COLUMNS 1999 /* SQLite's 2000 columns, less the line number */

static int imp_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	importer *im = ud;
	kp_store *s = im->s;
	sqlite3_str *insert = sqlite3_str_new(s->db);
	char *sql_create, *sql_insert;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	if (row->n > MAX_DB_COLUMNS)
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_TOO_MANY_COLUMNS,
				im->file, row->n, MAX_DB_COLUMNS);
	for (i = 0; i < row->n && !rc; i++)
		if (!strcmp(row->f[i], "_line"))
			rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_LINE_RESERVED, im->file);
	sqlite3_str_appendf(insert, "INSERT INTO \"%w\" VALUES(?", im->table);
	for (i = 0; i < row->n; i++)
		sqlite3_str_appendall(insert, ",?");
	sqlite3_str_appendall(insert, ")");
	sql_create = data_table_sql(im->table, (const char *const *)row->f, row->n);
	sql_insert = sqlite3_str_finish(insert);
	if (!rc && (!sql_create || !sql_insert))
		rc = kp_err_oom(err);
	if (!rc && !(rc = store_exec(s, sql_create, err)))
		rc = store_prep(s, sql_insert, &im->ins, err);
	sqlite3_free(sql_create);
	sqlite3_free(sql_insert);
	if (!rc)
		rc = store_prep(s, "INSERT INTO import_columns(import_id, position, name) VALUES(?, ?, ?)", &st, err);
	for (i = 0; i < row->n && !rc; i++) {
		sqlite3_bind_int64(st, 1, im->import_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, row->f[i], -1, SQLITE_TRANSIENT);
		rc = store_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	im->ncols = row->n;
	return rc;
}

static int imp_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	importer *im = ud;
	size_t i;
	int rc;

	sqlite3_bind_int64(im->ins, 1, (sqlite3_int64)row->line);
	for (i = 0; i < row->n; i++)
		sqlite3_bind_text(im->ins, (int)i + 2, row->f[i], (int)row->len[i], SQLITE_STATIC);
	rc = sqlite3_step(im->ins);
	sqlite3_reset(im->ins);
	if (rc != SQLITE_DONE)
		return store_db_error(im->s, rc, err, KP_MSG_STORE_CANNOT_WRITE_DB);
	return 0;
}

/* The file's rows into the data table: read on a thread of its own while
 * this one inserts. */
static int read_rows(const char *file, const kp_csv_opts *co, importer *im, kp_csv_info *info, kp_err *err)
{
	const kp_rowq_batch *b;
	kp_rowq *q;
	size_t i;
	int rc, rrc;

	if ((rc = kp_rowq_start(file, co, info, &q, err)))
		return rc;
	while (!rc && kp_rowq_next(q, &b))
		for (i = 0; i < b->nrows && !rc; i++)
			rc = b->header ? imp_header(im, &b->rows[i], err) : imp_row(im, &b->rows[i], err);
	rrc = kp_rowq_finish(q, rc != 0, err);
	return rc ? rc : rrc;
}

/* Retire an earlier import: drop its data table, mark its row replaced. */
/* The runs whose items are derived from import id's rows (store.h),
 * added to *lost. */
static int runs_derived_from(kp_store *s, sqlite3_int64 id, kp_store_underived *lost, kp_err *err)
{
	rd q = {s, NULL, "run_derived", err, 0, NULL, NULL};
	int rc, have;

	if ((rc = store_has_table(s, "run_derived", &have, err)) || !have)
		return rc;
	if ((rc = store_prep(s, "SELECT count(*), max(run_id) FROM run_derived WHERE import_id = ?", &q.st, err)))
		return rc;
	sqlite3_bind_int64(q.st, 1, id);
	if (store_rd_step(&q) > 0) {
		sqlite3_int64 n = store_rd_int(&q, 0, 0, INT64_MAX, 0, NULL);
		long newest = (long)store_rd_int(&q, 1, 1, LONG_MAX, 1, NULL);
		if (!q.rc && n > 0) {
			lost->n += (size_t)n;
			if (newest > lost->newest)
				lost->newest = newest;
		}
	}
	sqlite3_finalize(q.st);
	return q.rc;
}

/* Import id replaced or dropped: its data table goes; the runs whose
 * items were derived from it are counted into lost (may be NULL). */
static int retire(kp_store *s, sqlite3_int64 id, const char *dtable, kp_store_underived *lost, kp_err *err)
{
	sqlite3_stmt *up = NULL;
	char ts[32], *drop;
	int rc = 0;

	if (lost && (rc = runs_derived_from(s, id, lost, err)))
		return rc;
	if (dtable) {
		if (!(drop = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\"", dtable)))
			return kp_err_oom(err);
		rc = store_exec(s, drop, err);
		sqlite3_free(drop);
	}
	store_now_iso(ts, sizeof ts);
	if (!rc && !(rc = store_prep(s, "UPDATE imports SET replaced_at = ?1, data_table = NULL WHERE id = ?2", &up, err))) {
		sqlite3_bind_text(up, 1, ts, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 2, id);
		rc = store_step_done(s, up, err);
	}
	sqlite3_finalize(up);
	return rc;
}

/* An active import for the year whose name differs from name only in
 * ASCII letter case: SQLite's table names ignore it, so the two data
 * tables would be one.  Refused, --replace or not: the rules read the
 * name as it is written, so the user says which name (--as). */
static int check_case(kp_store *s, const kp_import_opts *o, const char *name, const char *file, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	rd r = {s, NULL, "imports", err, 0, NULL, NULL};
	int rc;

	if ((rc = store_prep(s, "SELECT name, file, imported_at FROM imports WHERE year = ?1 AND replaced_at IS NULL "
			     "AND name <> ?2 AND name = ?2 COLLATE NOCASE LIMIT 1", &st, err)))
		return rc;
	sqlite3_bind_int(st, 1, o->year);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	r.st = st;
	if (store_rd_step(&r) > 0) {
		const char *other = store_rd_text(&r, 0, 0), *from = store_rd_text(&r, 1, 0), *at = store_rd_text(&r, 2, 0);
		if (!r.rc)
			rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_NAME_CASE, file, name, o->year, other, from, at, other);
	}
	sqlite3_finalize(st);
	return rc ? rc : r.rc;
}

/* Do imports a and b hold the same rows (lines too) under the same column
 * names?  *same 1 or 0.  One workbook is as many tables as it has sheets:
 * its SHA-256 alone does not say that two imports of it hold one. */
static int same_rows(kp_store *s, sqlite3_int64 a, const char *ta, sqlite3_int64 b, const char *tb, int *same,
		     kp_err *err)
{
	rd r = {s, NULL, "import_columns", err, 0, NULL, NULL};
	char *sql = NULL;
	int rc, pass;

	*same = 0;
	for (pass = 0; pass < 2; pass++) {
		if (pass && !(sql = sqlite3_mprintf("SELECT NOT EXISTS (SELECT * FROM \"%w\" EXCEPT SELECT * FROM \"%w\") "
						    "AND NOT EXISTS (SELECT * FROM \"%w\" EXCEPT SELECT * FROM \"%w\")",
						    ta, tb, tb, ta)))
			return kp_err_oom(err);
		rc = store_prep(s, pass ? sql : "SELECT NOT EXISTS (SELECT position, name FROM import_columns WHERE "
				"import_id = ?1 EXCEPT SELECT position, name FROM import_columns WHERE import_id = ?2) AND "
				"NOT EXISTS (SELECT position, name FROM import_columns WHERE import_id = ?2 EXCEPT "
				"SELECT position, name FROM import_columns WHERE import_id = ?1)", &r.st, err);
		sqlite3_free(sql);
		if (rc)
			return rc;
		if (!pass)
			sqlite3_bind_int64(r.st, 1, a), sqlite3_bind_int64(r.st, 2, b);
		r.table = pass ? ta : "import_columns";
		*same = store_rd_step(&r) > 0 && store_rd_int(&r, 0, 0, 1, 0, NULL) == 1;
		sqlite3_finalize(r.st);
		if (r.rc || !*same)
			return r.rc;
	}
	return 0;
}

/* An earlier import of the same name (before reading, sha NULL) or of the
 * same contents under another name (after, sha given: the same file, and
 * for a workbook, stable naming this import's data table, the same rows: its
 * other sheet is other contents; self is this import) for the year:
 * refused, or retired with --replace. */
static int check_earlier(kp_store *s, const kp_import_opts *o, const char *name, const char *sha,
			 long self, const char *stable, const char *file, int *replaced, char retired[256],
			 kp_store_underived *lost, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	rd r = {s, NULL, "imports", err, 0, NULL, NULL};
	int rc;

	if ((rc = store_prep(s, sha ? "SELECT id, file, imported_at, data_table, name FROM imports WHERE year = ?1 AND "
				"replaced_at IS NULL AND sha256 = ?2 AND id <> ?3"
			      : "SELECT id, file, imported_at, data_table, name FROM imports WHERE year = ?1 AND "
				"replaced_at IS NULL AND name = ?2", &st, err)))
		return rc;
	sqlite3_bind_int(st, 1, o->year);
	sqlite3_bind_text(st, 2, sha ? sha : name, -1, SQLITE_STATIC);
	if (sha)
		sqlite3_bind_int64(st, 3, self);
	/* one at a time: a table cannot be dropped while a query reads */
	r.st = st;
	while (!rc && store_rd_step(&r) > 0) {
		sqlite3_int64 id = store_rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
		const char *from = store_rd_text(&r, 1, 0), *at = store_rd_text(&r, 2, 0), *t = store_rd_text(&r, 3, 1);
		char *dtable;
		int same = 1;
		if (r.rc)
			break;
		if (sha && t && stable && (rc = same_rows(s, id, t, self, stable, &same, err)))
			break;
		if (!same)
			continue;
		if (!o->replace) { /* run --db (hold) has no --replace to suggest */
			if (sha && o->hold)
				rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_SAME_CONTENTS_RUN, file, o->year, from, at);
			else if (sha)
				rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_SAME_CONTENTS, file, o->year, from, at);
			else if (o->hold)
				rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_ALREADY_RUN, file, name, o->year, from, at);
			else
				rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_ALREADY, file, name, o->year, from, at);
			break;
		}
		if (sha && retired && !retired[0]) { /* another name: said even with --quiet */
			const char *was = store_rd_text(&r, 4, 0);
			if (was && strlen(was) > 255) { /* kaoping names none longer (a file's name, --as) */
				rc = store_rd_bad(&r, 4, KP_MSG_STORE_RD_NAME_LONG);
				break;
			}
			snprintf(retired, 256, "%s", was ? was : "");
		}
		dtable = t ? sqlite3_mprintf("%s", t) : NULL;
		if (t && !dtable) {
			rc = kp_err_oom(err);
			break;
		}
		sqlite3_reset(st);
		rc = retire(s, id, dtable, lost, err);
		sqlite3_free(dtable);
		*replaced = 1;
	}
	sqlite3_finalize(st);
	return rc ? rc : r.rc;
}


/* The id of a new import: what SQLite would give its row (one past the
 * largest), found before the file is read.  A hostile file's id at the
 * end of the range is a bad value, not an id SQLite would pick at random. */
static int next_import_id(kp_store *s, long *id, kp_err *err)
{
	rd r = {s, NULL, "imports", err, 0, NULL, NULL};
	sqlite3_int64 m = 0;
	int rc, isnull = 0;

	if ((rc = store_prep(s, "SELECT max(id) AS id FROM imports", &r.st, err)))
		return rc;
	if (store_rd_step(&r) > 0)
		m = store_rd_int(&r, 0, LLONG_MIN, LONG_MAX - 1, 1, &isnull);
	sqlite3_finalize(r.st);
	*id = isnull || m < 0 ? 1 : (long)m + 1;
	return r.rc;
}

/* The imports row of a file read, with its rows, encoding and checksum.
 * Written when the file is read, not before it with these filled in
 * after: a page written early in a transaction and changed at its end is
 * one SQLite writes to the log twice, the second time in place, and the
 * commit then writes every later frame's checksum again (at 1M units,
 * the whole log read back: see struct store_run in store_run.c). */
static int import_row(kp_store *s, const kp_import_opts *o, long id, const char *name, const char *file,
		      const char *tname, const char *ts, const kp_csv_info *info, const char *sha, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, "INSERT INTO imports(id, year, name, file, sha256, encoding, rows, data_table, "
			     "imported_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, o->year);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, info->workbook ? kp_xlsx_kind_name(info->workbook) : kp_enc_name(info->encoding), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)info->rows);
	sqlite3_bind_text(st, 8, tname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, ts, -1, SQLITE_STATIC);
	rc = store_step_done(s, st, err);
	sqlite3_finalize(st);
	return rc;
}

static int import_one(kp_store *s, const char *file, const kp_import_opts *o, const char *name,
		      kp_import_done *done, kp_err *err)
{
	importer im;
	kp_csv_info info;
	kp_csv_opts co = o->csv;
	char sha[65], tname[400], retired[256] = "", ts[32];
	kp_store_underived lost = {0, 0};
	int rc, replaced = 0;

	memset(&im, 0, sizeof im);
	memset(&info, 0, sizeof info);
	if ((rc = check_case(s, o, name, file, err)) || (rc = check_earlier(s, o, name, NULL, 0, NULL, file, &replaced, NULL, &lost, err)))
		return rc;
	snprintf(tname, sizeof tname, "%d/%s", o->year, name);
	store_now_iso(ts, sizeof ts); /* when it began, as before */
	if ((rc = next_import_id(s, &im.import_id, err)))
		return rc;
	im.s = s, im.file = file, im.err = err;
	snprintf(im.table, sizeof im.table, "%s", tname);
	co.sha256 = 1;
	co.header_only = 1; /* no events; refused for any other dataset by kp_store_load, which has the rules */
	rc = read_rows(file, &co, &im, &info, err);
	sqlite3_finalize(im.ins);
	if (rc)
		return rc;
	kp_sb_hex(info.sha256, 32, sha);
	/* two event lists of no rows may well be the same bytes (one header):
	 * not one file imported twice */
	if (info.rows && (rc = check_earlier(s, o, name, sha, im.import_id, info.workbook ? im.table : NULL, file,
					     &replaced, retired, &lost, err)))
		return rc;
	rc = import_row(s, o, im.import_id, name, file, tname, ts, &info, sha, err);
	if (done) {
		done->id = im.import_id, done->rows = info.rows, done->cols = im.ncols;
		done->encoding = info.encoding, done->workbook = info.workbook, done->replaced = replaced;
		snprintf(done->retired, sizeof done->retired, "%s", retired);
		done->lost = lost;
		done->skipped_rows = info.skipped_rows, done->dropped_cols = info.dropped_cols, done->tabs = info.tabs;
		snprintf(done->name, sizeof done->name, "%s", name);
	}
	return rc;
}

/* A file's dataset name and its place among the files, sorted by the
 * name as SQLite folds it (one table to SQLite), then by place. */
typedef struct stem_at {
	char name[256];
	size_t at;
} stem_at;

static int stem_cmp(const void *a, const void *b)
{
	const stem_at *x = a, *y = b;
	int c = sqlite3_stricmp(x->name, y->name);

	return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* Two files may not claim one name: the first file i that repeats an
 * earlier file j's name (in SQLite's case folding), said of the first
 * such j.  Sorted, not pairwise: import *.csv with tens of thousands of
 * names took minutes before it read a file. */
static int same_names(const char *const *files, size_t n, kp_err *err)
{
	stem_at *s;
	size_t k, i = SIZE_MAX, j = 0;
	int rc = 0;

	if (n < 2)
		return 0;
	if (!(s = malloc(n * sizeof *s)))
		return kp_err_oom(err);
	for (k = 0; k < n; k++) {
		kp_data_stem(files[k], s[k].name, sizeof s[k].name);
		s[k].at = k;
	}
	qsort(s, n, sizeof *s, stem_cmp);
	for (k = 1; k < n; k++) /* a group's second is its first repeat */
		if (!sqlite3_stricmp(s[k - 1].name, s[k].name) && (k < 2 || sqlite3_stricmp(s[k - 2].name, s[k].name)) &&
		    s[k].at < i)
			i = s[k].at, j = s[k - 1].at;
	if (i != SIZE_MAX) {
		char name[256], other[256];
		kp_data_stem(files[i], name, sizeof name);
		kp_data_stem(files[j], other, sizeof other);
		rc = !strcmp(name, other) ? kp_err_msg(err, KP_EUSAGE, KP_M_STORE_SAME_NAME, files[j], files[i], name)
					  : kp_err_msg(err, KP_EUSAGE, KP_M_STORE_SAME_NAME_CASE, files[j], files[i],
						       other, name);
	}
	free(s);
	return rc;
}

int kp_store_import(kp_store *s, const char *const *files, size_t n, const kp_import_opts *o,
		    kp_import_done *done, kp_err *err)
{
	size_t i, k;
	int rc;
	char name[256];

	/* a file's name gives at most 255 bytes; --as may not give more (it
	 * would be cut where the data table is named) */
	if (o->as && strlen(o->as) >= sizeof name)
		return kp_err_msg(err, KP_EUSAGE, KP_M_STORE_AS_TOO_LONG,
				  sizeof name - 1, strlen(o->as));
	/* the database reads back UTF-8 text only: a name or a path (a file
	 * name in GBK) of other bytes made every later command refuse it */
	if (o->as && (k = kp_enc_utf8_valid((const unsigned char *)o->as, strlen(o->as))) != strlen(o->as))
		return kp_err_msg(err, KP_EUSAGE, KP_M_STORE_AS_NOT_UTF8, (int)k, o->as);
	for (i = 0; i < n; i++)
		if ((k = kp_enc_utf8_valid((const unsigned char *)files[i], strlen(files[i]))) != strlen(files[i]))
			return kp_err_msg(err, KP_EUSAGE, KP_M_STORE_PATH_NOT_UTF8, files[i], (int)k, files[i]);
	if (!(n == 1 && o->as) && (rc = same_names(files, n, err)))
		return rc;
	if (!s->in_tx && (rc = store_begin(s, err))) /* else the upgrade's or creation's, joined */
		return rc;
	s->in_tx = 0; /* this transaction is the import's now: committed or rolled back below */
	rc = store_stamp(s, err);
	for (i = 0; i < n && !rc; i++) {
		if (n == 1 && o->as)
			snprintf(name, sizeof name, "%s", o->as);
		else
			kp_data_stem(files[i], name, sizeof name);
		rc = import_one(s, files[i], o, name, done ? &done[i] : NULL, err);
	}
	if (!rc && o->hold) {
		s->in_tx = 1; /* committed with the run, or rolled back */
		return 0;
	}
	if (!rc)
		rc = store_commit(s, err);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- reading data back for scoring ---- */

/* Are the n bytes at s all ASCII and none NUL (most cells: "0.8951",
 * "375")?  Then they need neither memchr's nor the UTF-8 check's call. */
static int plain_ascii(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if ((unsigned char)s[k] - 1u >= 0x7fu)
			return 0;
	return 1;
}

/* The rows of dtable into t in rowid order, all of them or (range) those
 * with rowid in [range[0], range[1]]: the line number, then text cells
 * (numbers written by another tool are taken as their text). */
static int load_rows(kp_store *s, kp_table *t, const char *dtable, size_t n, const sqlite3_int64 *range,
		     kp_err *err)
{
	rd r = {s, NULL, dtable, err, 0, NULL, NULL};
	char *sql = sqlite3_mprintf(range ? "SELECT * FROM \"%w\" WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid"
					  : "SELECT * FROM \"%w\" ORDER BY rowid", dtable);
	char **f = calloc(n + 1, sizeof *f);
	size_t i, *len = calloc(n + 1, sizeof *len);
	kp_num_cell *cells = calloc(n + 1, sizeof *cells);
	int rc;

	if (!sql || !f || !len || !cells) {
		rc = kp_err_oom(err);
		goto out;
	}
	if ((rc = store_prep(s, sql, &r.st, err)))
		goto out;
	if (range)
		sqlite3_bind_int64(r.st, 1, range[0]), sqlite3_bind_int64(r.st, 2, range[1]);
	while (!rc && store_rd_step(&r) > 0) {
		size_t line = (size_t)store_rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
		for (i = 0; i < n && !r.rc; i++) { /* store_rd_text's checks, each asked of SQLite once */
			int col = (int)i + 1;
			/* the cell looked up once, not by three column calls (a
			 * fifth of reading 300k rows back); unprotected, which
			 * is no matter on a connection opened NOMUTEX and used
			 * by one thread at a time */
			sqlite3_value *v = sqlite3_column_value(r.st, col);
			int type = sqlite3_value_type(v);
			if (type != SQLITE_TEXT && type != SQLITE_INTEGER && type != SQLITE_FLOAT) {
				store_rd_text(&r, col, 0); /* NULL or a BLOB: says which */
				break;
			}
			f[i] = (char *)sqlite3_value_text(v);
			len[i] = f[i] ? (size_t)sqlite3_value_bytes(v) : 0;
			if (!f[i])
				r.rc = kp_err_oom(err);
			else if (t->numeric[i] && kp_num_parse_common(f[i], len[i], &cells[i]))
				; /* a number in its common form: ASCII digits, nothing to check */
			else if (type == SQLITE_TEXT && !plain_ascii(f[i], len[i]) &&
				 (memchr(f[i], 0, len[i]) ||
				  kp_enc_utf8_valid((const unsigned char *)f[i], len[i]) != len[i]))
				store_rd_bad(&r, col, KP_MSG_STORE_RD_NOT_UTF8);
		}
		if (!r.rc)
			rc = kp_table_add_cells(t, line, f, len, cells, err);
	}
	if (!rc)
		rc = r.rc;
out:
	sqlite3_finalize(r.st);
	sqlite3_free(sql);
	free(f), free(len), free(cells);
	return rc;
}

/* ---- a large data table read on two connections at once ----
 * Reading rows back is SQLite's work, one core's worth: the upper half of
 * the rowids is read by a second connection on a thread of its own into a
 * table of its own, appended after the lower half (as the CSV reader's
 * pieces are).  The second connection reads in a snapshot of its own, so
 * it first checks there that the import is the same one (an import's
 * table is written once, with its row of imports, and replaced or dropped
 * only with that row): otherwise, or when it cannot open, this
 * connection reads the upper half too.  Nothing changes but the time. */

#define LOAD_SPLIT_ROWS 65536 /* fewer rowids: one connection */

typedef struct load_part {
	kp_store *s;           /* the connection it reads with */
	kp_table *t;
	const char *dtable;
	size_t n;
	sqlite3_int64 range[2];
	long import_id;        /* set for the second connection: checked first */
	int rc, usable;        /* usable: that check passed */
	kp_err err;
} load_part;

/* Is the import still id with its table dtable, not replaced, in the
 * snapshot of the transaction begun on s? */
static int same_import(kp_store *s, long id, const char *dtable, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int same;

	if (store_prep(s, "SELECT 1 FROM imports WHERE id = ?1 AND data_table = ?2 AND replaced_at IS NULL", &st, err))
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, dtable, -1, SQLITE_STATIC);
	same = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return same;
}

static void *load_part_run(void *arg)
{
	load_part *p = arg;

	if (!p->import_id) {
		p->rc = load_rows(p->s, p->t, p->dtable, p->n, p->range, &p->err);
		return NULL;
	}
	if (store_exec(p->s, "BEGIN", &p->err) == 0) {
		if ((p->usable = same_import(p->s, p->import_id, p->dtable, &p->err)))
			p->rc = load_rows(p->s, p->t, p->dtable, p->n, p->range, &p->err);
		sqlite3_exec(p->s->db, "ROLLBACK", NULL, NULL, NULL); /* it only read */
	}
	return NULL;
}

/* The query of a table's smallest and largest rowid (sqlite3_free it).
 * Each end in a query of its own: SQLite finds a lone min() or max() at
 * an end of the rowid index, but both in one query scanned the whole
 * table (20 ms at 300k rows, twice in a score). */
static char *rowid_ends_sql(const char *dtable)
{
	return sqlite3_mprintf("SELECT (SELECT min(rowid) FROM \"%w\"), (SELECT max(rowid) FROM \"%w\")", dtable,
			       dtable);
}

/* The smallest and largest rowid of dtable; 0 when it has fewer than
 * LOAD_SPLIT_ROWS between them (or on any failure: one connection). */
static int load_split_range(kp_store *s, const char *dtable, sqlite3_int64 *lo, sqlite3_int64 *hi)
{
	char *sql = rowid_ends_sql(dtable);
	sqlite3_stmt *st = NULL;
	int ok = 0;

	if (sql && sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER && sqlite3_column_type(st, 1) == SQLITE_INTEGER) {
		*lo = sqlite3_column_int64(st, 0), *hi = sqlite3_column_int64(st, 1);
		ok = *hi / 2 - *lo / 2 >= LOAD_SPLIT_ROWS / 2;
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return ok;
}

/* Rows of dtable into t, the upper half read on a second connection when
 * the table is large and the machine has a core for it. */
static int load_all_rows(kp_store *s, long id, kp_table *t, kp_table *upper, const char *dtable, size_t n, kp_err *err)
{
	load_part part[2];
	kp_store *second = NULL;
	kp_err ignored = {0};
	sqlite3_int64 lo, hi;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	/* not while a transaction is open (an import held for the run, an
	 * upgrade from schema 1): a second connection sees none of it */
	if (!upper || cores < 2 || s->in_tx || !load_split_range(s, dtable, &lo, &hi) ||
	    open_again(s, &second, &ignored)) {
		kp_err_clear(&ignored);
		kp_table_free(upper);
		return load_rows(s, t, dtable, n, NULL, err);
	}
	sqlite3_busy_handler(second->db, NULL, NULL); /* busy: this connection reads it, no waiting there */
	memset(part, 0, sizeof part);
	part[0] = (load_part){s, t, dtable, n, {lo, lo + (hi / 2 - lo / 2)}, 0, 0, 0, {0}};
	part[1] = (load_part){second, upper, dtable, n, {part[0].range[1] + 1, hi}, id, 0, 0, {0}};
	kp_par_run(part, 2, sizeof *part, load_part_run);
	kp_store_close(second);
	if ((rc = part[0].rc)) {
		kp_err_move(err, &part[0].err);
	} else if (part[1].usable && part[1].rc == KP_EDATA) { /* a bad value of the upper half */
		rc = part[1].rc;
		kp_err_move(err, &part[1].err);
	} else if (part[1].usable && !part[1].rc) {
		rc = kp_table_append(t, upper, err);
		upper = NULL;
	} else { /* not the same import there, or it could not read: here */
		rc = load_rows(s, t, dtable, n, part[1].range, err);
	}
	kp_table_free(upper);
	kp_err_clear(&part[0].err), kp_err_clear(&part[1].err), kp_err_clear(&ignored);
	return rc;
}

/* A table like t for the upper half of its rows (NULL when memory ran
 * out: one connection reads them all). */
static kp_table *load_upper_table(const kp_table *t, size_t n, char *const *cols, const unsigned char *numeric,
				  const kp_rules *r)
{
	kp_err ignored = {0};
	kp_table *u = kp_table_new(t->name, t->file, &ignored);

	if (u && kp_table_set_columns(u, n, cols, numeric, &ignored)) {
		kp_table_free(u);
		u = NULL;
	}
	if (u) {
		u->year = t->year, u->a1 = t->a1;
		kp_data_collect(u, r);
	}
	kp_err_clear(&ignored);
	return u;
}

static int load_table(kp_store *s, long id, const char *name, const char *file, const char *dtable,
		      int year, int a1, const sqlite3_int64 *range, const kp_rules *r, kp_data *d, kp_err *err)
{
	kp_table *t = kp_table_new(name, file, err);
	char **cols = NULL;
	unsigned char *numeric = NULL;
	size_t n = 0;
	int rc;

	if (!t)
		return KP_EINTERNAL;
	t->year = year, t->a1 = a1;
	if ((rc = import_columns(s, id, &cols, &n, err)))
		goto out;
	if (!(numeric = kp_rules_numeric_mask(r, cols, n, err))) {
		rc = KP_EINTERNAL;
		goto out;
	}
	if (!(rc = kp_table_set_columns(t, n, cols, numeric, err))) {
		kp_table *upper = range ? NULL : load_upper_table(t, n, cols, numeric, r);
		kp_data_collect(t, r);
		rc = range ? load_rows(s, t, dtable, n, range, err) : load_all_rows(s, id, t, upper, dtable, n, err);
	}
	/* the import took a header and no rows (kp_import_opts): no events
	 * for an event list, refused for any other table as the reader
	 * refuses it in run */
	if (!rc && !t->nrows && !range && !kp_rules_event_data(r, name))
		rc = a1 ? kp_err_msg(err, KP_EDATA, KP_M_IN_XLSX_NO_ROWS, file)
			: kp_err_msg(err, KP_EDATA, KP_M_IN_CSV_NO_ROWS, file);
out:
	free_columns(cols, n);
	free(numeric);
	if (rc) {
		kp_table_free(t);
		return rc;
	}
	return kp_data_add(d, t, err);
}

/* "nothing is imported for Y", with the years that do have imports */
static int nothing_for(kp_store *s, int year, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	kp_sb held = {0};
	int rc;

	if ((rc = store_prep(s, "SELECT DISTINCT year FROM imports WHERE replaced_at IS NULL ORDER BY year", &q.st, err)))
		return rc;
	while (store_rd_step(&q) > 0) {
		long y = (long)store_rd_int(&q, 0, 0, 99999, 0, NULL);
		if (q.rc)
			break;
		kp_sb_printf(&held, "%s%ld", kp_sb_str(&held)[0] ? ", " : "", y);
	}
	sqlite3_finalize(q.st);
	if (!(rc = q.rc) && !(rc = kp_sb_status(&held, err)))
		rc = kp_sb_str(&held)[0] ? kp_err_msg(err, KP_EDATA, KP_M_STORE_NOTHING_FOR, s->path, year, kp_sb_str(&held), year)
					 : kp_err_msg(err, KP_EDATA, KP_M_STORE_NOTHING_AT_ALL, s->path, year, year);
	kp_sb_free(&held);
	return rc;
}

int kp_store_load(kp_store *s, int year, const kp_rules *r, kp_data *d, long **ids, size_t *nids, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	char **names = NULL;
	size_t i;
	int rc;

	*ids = NULL, *nids = 0;
	if ((rc = store_prep(s, "SELECT id, name, file, data_table, encoding FROM imports WHERE year = ? AND replaced_at IS NULL "
			  "ORDER BY id", &q.st, err)))
		return rc;
	sqlite3_bind_int(q.st, 1, year);
	while (!rc && store_rd_step(&q) > 0) {
		long id = (long)store_rd_int(&q, 0, 1, LONG_MAX, 0, NULL), *p;
		const char *name = store_rd_text(&q, 1, 0), *file = store_rd_text(&q, 2, 0), *dtable = store_rd_text(&q, 3, 0);
		const char *enc = store_rd_text(&q, 4, 0);
		char **pn;
		if (q.rc)
			break;
		/* one active import per name (imports_active), even if another
		 * program made that index non-unique */
		for (i = 0; i < *nids && strcmp(names[i], name); i++)
			;
		if (i < *nids) {
			rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_IMPORT_TWICE, s->path, year, name);
			break;
		}
		if ((p = realloc(*ids, (*nids + 1) * sizeof *p)))
			*ids = p;
		if ((pn = realloc(names, (*nids + 1) * sizeof *pn)))
			names = pn;
		if (!p || !pn || !(names[*nids] = strdup(name))) {
			rc = kp_err_oom(err);
			break;
		}
		p[(*nids)++] = id;
		rc = load_table(s, id, name, file, dtable, year, enc && (!strcmp(enc, "xlsx") || !strcmp(enc, "xls")), NULL, r,
				d, err);
	}
	sqlite3_finalize(q.st);
	for (i = 0; names && i < *nids; i++)
		free(names[i]);
	free(names);
	if (!rc)
		rc = q.rc;
	if (!rc && *nids == 0)
		rc = nothing_for(s, year, err);
	return rc;
}

/* The import id as it is in use (not replaced or dropped): its name,
 * file, data table and whether it came from a workbook, into the
 * caller's copies; *gone when it is no longer in use. */
typedef struct import_at { char *name, *file, *dtable; int year, a1, gone; } import_at;

static void import_at_free(import_at *a)
{
	free(a->name), free(a->file), free(a->dtable);
}

static int import_in_use(kp_store *s, long id, import_at *a, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	int rc;

	memset(a, 0, sizeof *a);
	a->gone = 1;
	if ((rc = store_prep(s, "SELECT name, file, data_table, encoding, year FROM imports WHERE id = ? "
			     "AND replaced_at IS NULL AND data_table IS NOT NULL", &q.st, err)))
		return rc;
	sqlite3_bind_int64(q.st, 1, id);
	if (store_rd_step(&q) > 0) {
		const char *name = store_rd_text(&q, 0, 0), *file = store_rd_text(&q, 1, 0);
		const char *dtable = store_rd_text(&q, 2, 0), *enc = store_rd_text(&q, 3, 0);
		int year = (int)store_rd_int(&q, 4, 0, 99999, 0, NULL);
		if (!q.rc && (!(a->name = strdup(name)) || !(a->file = strdup(file)) || !(a->dtable = strdup(dtable))))
			q.rc = kp_err_oom(err);
		a->year = year, a->gone = 0;
		a->a1 = enc && (!strcmp(enc, "xlsx") || !strcmp(enc, "xls"));
	}
	sqlite3_finalize(q.st);
	if (q.rc)
		import_at_free(a);
	return q.rc;
}

int kp_store_import_dense(kp_store *s, long id, size_t nrows, int *dense, kp_err *err)
{
	import_at a;
	rd q = {s, NULL, NULL, err, 0, NULL, NULL};
	char *sql;
	int rc;

	*dense = 0;
	if ((rc = import_in_use(s, id, &a, err)) || a.gone)
		return rc;
	q.table = a.dtable;
	/* the ends of the rowid index, not a count: nrows distinct rowids from
	 * 1 to nrows leave no gap */
	if (!(sql = rowid_ends_sql(a.dtable))) {
		import_at_free(&a);
		return kp_err_oom(err);
	}
	if (!(rc = store_prep(s, sql, &q.st, err)) && store_rd_step(&q) > 0)
		*dense = nrows > 0 && sqlite3_column_int64(q.st, 0) == 1 &&
			 sqlite3_column_int64(q.st, 1) == (sqlite3_int64)nrows;
	sqlite3_finalize(q.st);
	sqlite3_free(sql);
	import_at_free(&a);
	return rc ? rc : q.rc;
}

int kp_store_load_rows(kp_store *s, long id, long long first, long long last, const kp_rules *r, kp_data *d,
		       int *gone, kp_err *err)
{
	sqlite3_int64 range[2] = {first, last};
	import_at a;
	int rc;

	if ((rc = import_in_use(s, id, &a, err)))
		return rc;
	if (!(*gone = a.gone))
		rc = load_table(s, id, a.name, a.file, a.dtable, a.year, a.a1, range, r, d, err);
	import_at_free(&a);
	return rc;
}

const char *kp_store_sqlite_version(void)
{
	return sqlite3_libversion();
}

/* ---- what the database holds: years, imports, runs; dropping an import ---- */

int kp_store_years(kp_store *s, int **years, size_t *n, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	int rc, *p;

	*years = NULL, *n = 0;
	if ((rc = store_prep(s, "SELECT DISTINCT year FROM imports WHERE replaced_at IS NULL ORDER BY year", &q.st, err)))
		return rc;
	while (store_rd_step(&q) > 0) {
		int y = (int)store_rd_int(&q, 0, 0, 99999, 0, NULL);
		if (q.rc)
			break;
		if (!(p = realloc(*years, (*n + 1) * sizeof *p))) {
			q.rc = kp_err_oom(err);
			break;
		}
		*years = p;
		p[(*n)++] = y;
	}
	sqlite3_finalize(q.st);
	if (q.rc) {
		free(*years);
		*years = NULL, *n = 0;
	}
	return q.rc;
}

int kp_store_imports(kp_store *s, int year, kp_store_import_fn fn, void *ud, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	int rc = 0;

	/* Two imports in use under one year and name (another program made
	 * imports_active non-unique): score and drop refuse the year; the
	 * listing says so too, before a line, instead of showing both as if
	 * each were the dataset scored. */
	if ((rc = store_prep(s, "SELECT year, name FROM imports WHERE replaced_at IS NULL AND (?1 = 0 OR year = ?1) "
			  "GROUP BY year, name HAVING count(*) > 1 ORDER BY year, name LIMIT 1", &q.st, err)))
		return rc;
	sqlite3_bind_int(q.st, 1, year);
	if (store_rd_step(&q) > 0) {
		int y = (int)store_rd_int(&q, 0, 0, 99999, 0, NULL);
		const char *name = store_rd_text(&q, 1, 0);
		if (!q.rc)
			rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_IMPORT_TWICE, s->path, y, name);
	}
	sqlite3_finalize(q.st);
	if (rc || (rc = q.rc))
		return rc;
	q.st = NULL;
	if ((rc = store_prep(s, "SELECT id, year, name, file, sha256, rows, imported_at FROM imports WHERE "
			  "replaced_at IS NULL AND (?1 = 0 OR year = ?1) ORDER BY year, id", &q.st, err)))
		return rc;
	sqlite3_bind_int(q.st, 1, year);
	while (!rc && store_rd_step(&q) > 0) {
		kp_store_import_row row;
		row.id = (long)store_rd_int(&q, 0, 1, LONG_MAX, 0, NULL);
		row.year = (int)store_rd_int(&q, 1, 0, 99999, 0, NULL);
		row.name = store_rd_text(&q, 2, 0), row.file = store_rd_text(&q, 3, 0);
		row.sha256 = store_rd_text(&q, 4, 0);
		row.rows = (size_t)store_rd_int(&q, 5, 0, INT64_MAX, 0, NULL);
		row.when = store_rd_text(&q, 6, 0);
		if (q.rc)
			break;
		rc = fn(ud, &row, err);
	}
	sqlite3_finalize(q.st);
	return rc ? rc : q.rc;
}

int kp_store_runs(kp_store *s, kp_store_run_fn fn, void *ud, kp_err *err)
{
	rd q = {s, NULL, "runs", err, 0, NULL, NULL};
	int rc = 0;

	if ((rc = store_prep(s, "SELECT id, year, rules_file, rules_sha256, units, scored_at FROM runs ORDER BY id", &q.st,
			  err)))
		return rc;
	while (!rc && store_rd_step(&q) > 0) {
		kp_store_run_row row;
		int isnull = 0;
		row.id = (long)store_rd_int(&q, 0, 1, LONG_MAX, 0, NULL);
		row.year = (int)store_rd_int(&q, 1, 0, 99999, 0, NULL);
		row.rules_file = store_rd_text(&q, 2, 0), row.rules_sha256 = store_rd_text(&q, 3, 0);
		row.units = (long)store_rd_int(&q, 4, 0, LONG_MAX, 1, &isnull);
		if (isnull)
			row.units = -1;
		row.when = store_rd_text(&q, 5, 0);
		if (q.rc)
			break;
		rc = fn(ud, &row, err);
	}
	sqlite3_finalize(q.st);
	return rc ? rc : q.rc;
}

/* "3, 5": the runs that used import id (empty when none). */
static int runs_using(kp_store *s, sqlite3_int64 id, kp_sb *out, kp_err *err)
{
	rd q = {s, NULL, "run_imports", err, 0, NULL, NULL};
	int rc;

	if ((rc = store_prep(s, "SELECT run_id FROM run_imports WHERE import_id = ? ORDER BY run_id", &q.st, err)))
		return rc;
	sqlite3_bind_int64(q.st, 1, id);
	while (store_rd_step(&q) > 0) {
		long r = (long)store_rd_int(&q, 0, 1, LONG_MAX, 0, NULL);
		if (q.rc)
			break;
		kp_sb_printf(out, "%s%ld", out->len ? ", " : "", r);
	}
	sqlite3_finalize(q.st);
	return q.rc ? q.rc : kp_sb_status(out, err);
}

/* The message of no_such_import: with or without a near name, with the
 * names there are or none. */
static int no_such_import_error(kp_store *s, int year, const char *name, const char *near, const char *names,
				kp_err *err)
{
	if (near && *names)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_IMPORT_NEAR, s->path, name, year, near, names);
	if (near)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_IMPORT_NEAR_NONE, s->path, name, year, near);
	if (*names)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_IMPORT, s->path, name, year, names);
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_IMPORT_NONE, s->path, name, year);
}

/* Nothing named name for year: say what there is, and the nearest name. */
static int no_such_import(kp_store *s, int year, const char *name, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	kp_sb names = {0};
	const char *near = NULL;
	size_t best = (size_t)-1;
	char nearbuf[256] = "";
	int rc;

	if ((rc = store_prep(s, "SELECT name FROM imports WHERE year = ? AND replaced_at IS NULL ORDER BY id", &q.st, err)))
		return rc;
	sqlite3_bind_int(q.st, 1, year);
	while (store_rd_step(&q) > 0) {
		const char *n = store_rd_text(&q, 0, 0);
		size_t d;
		if (q.rc)
			break;
		kp_sb_printf(&names, "%s%s", names.len ? ", " : "", n);
		if (kp_near_close(name, n) && (d = kp_near_distance(name, n)) < best)
			best = d, snprintf(nearbuf, sizeof nearbuf, "%s", n), near = nearbuf;
	}
	sqlite3_finalize(q.st);
	if (!(rc = q.rc) && !(rc = kp_sb_status(&names, err)))
		rc = no_such_import_error(s, year, name, near, kp_sb_str(&names), err);
	kp_sb_free(&names);
	return rc;
}

/* The steps of a drop, inside its transaction. */
/* The import named name for year: its id, file, checksum and rows into
 * out, its data table (NULL for none) into *dtable; not there is an error
 * saying what is. */
static int drop_find(kp_store *s, int year, const char *name, kp_store_dropped *out, char **dtable, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	sqlite3_int64 id = 0;
	int rc, found = 0;

	*dtable = NULL;
	/* name as a range: on "name = ?" SQLite trusts imports_active to be
	 * unique and stops at one row, so a second one would go unseen */
	if ((rc = store_prep(s, "SELECT id, file, sha256, rows, data_table FROM imports WHERE year = ?1 AND name >= ?2 AND "
			  "name <= ?2 AND replaced_at IS NULL", &q.st, err)))
		return rc;
	sqlite3_bind_int(q.st, 1, year);
	sqlite3_bind_text(q.st, 2, name, -1, SQLITE_STATIC);
	if (store_rd_step(&q) > 0) {
		const char *file = store_rd_text(&q, 1, 0), *sha = store_rd_text(&q, 2, 0), *t = store_rd_text(&q, 4, 1);
		id = store_rd_int(&q, 0, 1, INT64_MAX, 0, NULL);
		out->rows = (size_t)store_rd_int(&q, 3, 0, INT64_MAX, 0, NULL);
		if (!q.rc && (!(out->file = strdup(file)) || !(out->sha256 = strdup(sha)) || (t && !(*dtable = strdup(t)))))
			q.rc = kp_err_oom(err);
		found = !q.rc;
		if (found && store_rd_step(&q) > 0 && !q.rc)
			q.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_IMPORT_TWICE, s->path, year, name);
	}
	sqlite3_finalize(q.st);
	if (q.rc || !found) {
		free(*dtable);
		*dtable = NULL;
		return q.rc ? q.rc : no_such_import(s, year, name, err);
	}
	out->id = (long)id;
	return 0;
}

static int drop_steps(kp_store *s, int year, const char *name, kp_store_dropped *out, kp_err *err)
{
	sqlite3_stmt *ins = NULL;
	char ts[32], *dtable = NULL;
	kp_sb used = {0};
	sqlite3_int64 id;
	int rc;

	if ((rc = drop_find(s, year, name, out, &dtable, err)))
		return rc;
	id = out->id;
	store_now_iso(ts, sizeof ts);
	if (!(rc = runs_using(s, id, &used, err)) && !(rc = store_ensure_table(s, "import_drops", err)) &&
	    !(rc = store_prep(s, "INSERT INTO import_drops(import_id, year, name, file, sha256, rows, used_by, dropped_at) "
			     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &ins, err))) {
		sqlite3_bind_int64(ins, 1, id);
		sqlite3_bind_int(ins, 2, year);
		sqlite3_bind_text(ins, 3, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, out->file, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, out->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 6, (sqlite3_int64)out->rows);
		if (used.len)
			sqlite3_bind_text(ins, 7, kp_sb_str(&used), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 8, ts, -1, SQLITE_STATIC);
		if (!(rc = store_step_done(s, ins, err)))
			rc = retire(s, id, dtable, &out->lost, err);
	}
	sqlite3_finalize(ins);
	if (!rc && used.len && !(out->used_by = strdup(kp_sb_str(&used))))
		rc = kp_err_oom(err);
	kp_sb_free(&used);
	free(dtable);
	return rc;
}

int kp_store_drop(kp_store *s, int year, const char *name, kp_store_dropped *out, kp_err *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (!s->in_tx && (rc = store_begin(s, err))) /* else the upgrade's or creation's, joined */
		return rc;
	s->in_tx = 0; /* the drop's now: committed or rolled back below */
	if (!(rc = store_stamp(s, err)) && !(rc = drop_steps(s, year, name, out, err)))
		rc = store_commit(s, err);
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		kp_store_dropped_free(out);
	}
	return rc;
}

void kp_store_dropped_free(kp_store_dropped *d)
{
	free(d->file), free(d->sha256), free(d->used_by);
	memset(d, 0, sizeof *d);
}
