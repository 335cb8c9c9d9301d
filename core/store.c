/* store.c — the SQLite store (see include/kaoping/store.h).  Owns the
 * connection and the statements of the transaction in progress.  Names and
 * values reach SQL only as bound parameters; the one identifier built from
 * data (a data table's name, its column names) is quoted with SQLite's
 * own %w. */
#include "kaoping/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kaoping/enc.h"
#include "kaoping/num.h"
#include "kaoping/rowq.h"

struct kp_store {
	sqlite3 *db;
	char *path;
	int in_tx;
	long run_id;
	sqlite3_stmt *ins_point;
};

static const char *const schema_v1[] = {
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

static int db_error(kp_store *s, int rc, kp_err *err, const char *doing)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int kind = KP_EIO;

	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
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
	return kp_err_set(err, kind, "%s: %s: %s", s->path, doing, msg);
}

static int exec(kp_store *s, const char *sql, kp_err *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(s, rc, err, "cannot write the database");
}

static int prep(kp_store *s, const char *sql, sqlite3_stmt **st, kp_err *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : db_error(s, rc, err, "cannot read the database");
}

static int step_done(kp_store *s, sqlite3_stmt *st, kp_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_error(s, rc, err, "cannot write the database");
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int migrate(kp_store *s, int writable, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int version = 0, tables = 0, rc, i;

	if ((rc = prep(s, "PRAGMA user_version", &st, err)))
		return rc;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(s, rc, err, "cannot read the database");
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > KP_STORE_SCHEMA)
		return kp_err_set(err, KP_EDATA, "%s: written by a newer kaoping (schema %d; this one knows %d): upgrade kaoping",
				  s->path, version, KP_STORE_SCHEMA);
	if (version == KP_STORE_SCHEMA)
		return 0;
	if ((rc = prep(s, "SELECT count(*) FROM sqlite_schema", &st, err)))
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (tables > 0)
		return kp_err_set(err, KP_EDATA, "%s: an SQLite database, but not one of kaoping's", s->path);
	if (!writable)
		return kp_err_set(err, KP_ENOINPUT, "%s: the database is empty: import data first", s->path);
	/* a new file: larger pages suit tables of many rows */
	if ((rc = exec(s, "PRAGMA page_size = 16384", err)) || (rc = exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	for (i = 0; schema_v1[i] && !rc; i++)
		rc = exec(s, schema_v1[i], err);
	if (!rc)
		rc = exec(s, "PRAGMA user_version = 1", err);
	if (!rc)
		rc = exec(s, "COMMIT", err);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int dir_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
	return access(dir, W_OK) == 0;
}

/* "file:PATH?immutable=1" with the path percent-encoded (sqlite3_free). */
static char *immutable_uri(const char *path)
{
	sqlite3_str *u = sqlite3_str_new(NULL);
	const unsigned char *p;

	sqlite3_str_appendall(u, "file:");
	for (p = (const unsigned char *)path; *p; p++)
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20)
			sqlite3_str_appendf(u, "%%%02X", *p);
		else
			sqlite3_str_appendchar(u, 1, (char)*p);
	sqlite3_str_appendall(u, "?immutable=1");
	return sqlite3_str_finish(u);
}

int kp_store_open(const char *path, int mode, kp_store **out, kp_err *err)
{
	kp_store *s = calloc(1, sizeof *s);
	struct stat sb;
	/* a reader opens read-write when it may, so that closing the last
	 * connection tidies the -wal and -shm files away as SQLite does */
	int flags = mode == KP_STORE_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
		    : mode == KP_STORE_UPDATE || access(path, W_OK) == 0 ? SQLITE_OPEN_READWRITE
		    : SQLITE_OPEN_READONLY;
	int writes = mode != KP_STORE_READ;
	int rc;

	*out = NULL;
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return kp_err_oom(err);
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rc = kp_err_set(err, writes ? KP_ECREATE : KP_ENOINPUT, "%s: is a directory, not a database", path);
		goto fail;
	}
	if (mode != KP_STORE_WRITE && access(path, F_OK) != 0) {
		rc = kp_err_set(err, KP_ENOINPUT, "%s: no such database (import data first, or say --db FILE)", path);
		goto fail;
	}
	if (writes && access(path, F_OK) == 0 && access(path, W_OK) != 0) {
		rc = kp_err_set(err, KP_ECREATE, "%s: cannot write the database: %s", path, strerror(errno));
		goto fail;
	}
	/* one connection per thread, used by one thread: no locking inside
	 * SQLite, no memory statistics */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (flags == SQLITE_OPEN_READONLY && !dir_writable(path)) {
		/* nobody can change a read-only file in a read-only folder, and
		 * SQLite could not make the WAL's -shm beside it: read it as is */
		char *uri = immutable_uri(path);
		if (!uri) {
			rc = kp_err_oom(err);
			goto fail;
		}
		rc = sqlite3_open_v2(uri, &s->db, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
		sqlite3_free(uri);
	} else {
		rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	}
	if (rc != SQLITE_OK) {
		rc = db_error(s, rc, err, "cannot open the database");
		if (rc == KP_ECREATE && mode == KP_STORE_READ)
			err->kind = rc = KP_ENOINPUT;
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_busy_timeout(s->db, 30000);
	if ((rc = exec(s, "PRAGMA trusted_schema = OFF", err)))
		goto fail;
	if ((rc = migrate(s, writes, err)))
		goto fail;
	if (writes &&
	    ((rc = exec(s, "PRAGMA journal_mode = WAL", err)) || (rc = exec(s, "PRAGMA synchronous = NORMAL", err)) ||
	     (rc = exec(s, "PRAGMA cache_size = -65536", err))))
		goto fail;
	*out = s;
	return 0;
fail:
	kp_store_close(s);
	return rc;
}

void kp_store_close(kp_store *s)
{
	if (!s)
		return;
	if (s->in_tx)
		kp_store_run_abort(s);
	sqlite3_finalize(s->ins_point);
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
	sqlite3_str *create = sqlite3_str_new(s->db), *insert = sqlite3_str_new(s->db);
	char *sql_create, *sql_insert;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	if (row->n > MAX_DB_COLUMNS)
		rc = kp_err_set(err, KP_EDATA, "%s:1: %zu columns; a file imported into the database may have at most %d",
				im->file, row->n, MAX_DB_COLUMNS);
	for (i = 0; i < row->n && !rc; i++)
		if (!strcmp(row->f[i], "_line"))
			rc = kp_err_set(err, KP_EDATA, "%s:1: '_line' is reserved as a column name", im->file);
	sqlite3_str_appendf(create, "CREATE TABLE \"%w\"(\"_line\" INTEGER", im->table);
	sqlite3_str_appendf(insert, "INSERT INTO \"%w\" VALUES(?", im->table);
	for (i = 0; i < row->n; i++) {
		sqlite3_str_appendf(create, ", \"%w\"", row->f[i]);
		sqlite3_str_appendall(insert, ",?");
	}
	sqlite3_str_appendall(create, ")");
	sqlite3_str_appendall(insert, ")");
	sql_create = sqlite3_str_finish(create);
	sql_insert = sqlite3_str_finish(insert);
	if (!rc && (!sql_create || !sql_insert))
		rc = kp_err_oom(err);
	if (!rc && !(rc = exec(s, sql_create, err)))
		rc = prep(s, sql_insert, &im->ins, err);
	sqlite3_free(sql_create);
	sqlite3_free(sql_insert);
	if (!rc)
		rc = prep(s, "INSERT INTO import_columns(import_id, position, name) VALUES(?, ?, ?)", &st, err);
	for (i = 0; i < row->n && !rc; i++) {
		sqlite3_bind_int64(st, 1, im->import_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, row->f[i], -1, SQLITE_TRANSIENT);
		rc = step_done(s, st, err);
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
		return db_error(im->s, rc, err, "cannot write the database");
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
static int retire(kp_store *s, sqlite3_int64 id, const char *dtable, kp_err *err)
{
	sqlite3_stmt *up = NULL;
	char ts[32], *drop;
	int rc = 0;

	if (dtable) {
		if (!(drop = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\"", dtable)))
			return kp_err_oom(err);
		rc = exec(s, drop, err);
		sqlite3_free(drop);
	}
	now_iso(ts, sizeof ts);
	if (!rc && !(rc = prep(s, "UPDATE imports SET replaced_at = ?1, data_table = NULL WHERE id = ?2", &up, err))) {
		sqlite3_bind_text(up, 1, ts, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 2, id);
		rc = step_done(s, up, err);
	}
	sqlite3_finalize(up);
	return rc;
}

/* An earlier import of the same name (before reading, sha NULL) or of the
 * same contents under another name (after, sha given) for the year:
 * refused, or retired with --replace. */
static int check_earlier(kp_store *s, const kp_import_opts *o, const char *name, const char *sha,
			 long self, const char *file, int *replaced, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, sha ? "SELECT id, file, imported_at, data_table FROM imports WHERE year = ?1 AND "
				"replaced_at IS NULL AND sha256 = ?2 AND id <> ?3"
			      : "SELECT id, file, imported_at, data_table FROM imports WHERE year = ?1 AND "
				"replaced_at IS NULL AND name = ?2", &st, err)))
		return rc;
	sqlite3_bind_int(st, 1, o->year);
	sqlite3_bind_text(st, 2, sha ? sha : name, -1, SQLITE_STATIC);
	if (sha)
		sqlite3_bind_int64(st, 3, self);
	/* one at a time: a table cannot be dropped while a query reads */
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		char *dtable;
		if (!o->replace) {
			rc = kp_err_set(err, KP_EDATA, "%s: %s for %d was already imported from %s on %s; "
					"say --replace to replace it", file, sha ? "the same contents" : name, o->year,
					(const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
			break;
		}
		dtable = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL
				: sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 3));
		sqlite3_reset(st);
		rc = retire(s, id, dtable, err);
		sqlite3_free(dtable);
		*replaced = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

static void hex(const unsigned char *md, char *out)
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int import_one(kp_store *s, const char *file, const kp_import_opts *o, const char *name,
		      kp_import_done *done, kp_err *err)
{
	importer im;
	kp_csv_info info;
	kp_csv_opts co = o->csv;
	sqlite3_stmt *st = NULL;
	char sha[65], ts[32], tname[400];
	int rc, replaced = 0;

	memset(&im, 0, sizeof im);
	memset(&info, 0, sizeof info);
	if ((rc = check_earlier(s, o, name, NULL, 0, file, &replaced, err)))
		return rc;
	now_iso(ts, sizeof ts);
	snprintf(tname, sizeof tname, "%d/%s", o->year, name);
	if ((rc = prep(s, "INSERT INTO imports(year, name, file, sha256, encoding, rows, data_table, imported_at) "
			  "VALUES(?1, ?2, ?3, '', '', 0, ?4, ?5)", &st, err)))
		return rc;
	sqlite3_bind_int(st, 1, o->year);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ts, -1, SQLITE_STATIC);
	rc = step_done(s, st, err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	im.s = s, im.file = file, im.err = err;
	im.import_id = (long)sqlite3_last_insert_rowid(s->db);
	snprintf(im.table, sizeof im.table, "%s", tname);
	co.sha256 = 1;
	rc = read_rows(file, &co, &im, &info, err);
	sqlite3_finalize(im.ins);
	if (rc)
		return rc;
	hex(info.sha256, sha);
	if ((rc = check_earlier(s, o, name, sha, im.import_id, file, &replaced, err)))
		return rc;
	if ((rc = prep(s, "UPDATE imports SET rows = ?1, encoding = ?2, sha256 = ?3 WHERE id = ?4", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)info.rows);
	sqlite3_bind_text(st, 2, kp_enc_name(info.encoding), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, im.import_id);
	rc = step_done(s, st, err);
	sqlite3_finalize(st);
	if (done) {
		done->id = im.import_id, done->rows = info.rows, done->cols = im.ncols;
		done->encoding = info.encoding, done->replaced = replaced;
		snprintf(done->name, sizeof done->name, "%s", name);
	}
	return rc;
}

int kp_store_import(kp_store *s, const char *const *files, size_t n, const kp_import_opts *o,
		    kp_import_done *done, kp_err *err)
{
	size_t i, j;
	int rc;
	char name[256], other[256];

	for (i = 0; i < n; i++) { /* two files may not claim one name */
		kp_data_stem(files[i], name, sizeof name);
		for (j = 0; j < i && !(n == 1 && o->as); j++) {
			kp_data_stem(files[j], other, sizeof other);
			if (!strcmp(name, other))
				return kp_err_set(err, KP_EUSAGE, "%s and %s would both be imported as '%s'", files[j],
						  files[i], name);
		}
	}
	if ((rc = exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	for (i = 0; i < n && !rc; i++) {
		if (n == 1 && o->as)
			snprintf(name, sizeof name, "%s", o->as);
		else
			kp_data_stem(files[i], name, sizeof name);
		rc = import_one(s, files[i], o, name, done ? &done[i] : NULL, err);
	}
	if (!rc)
		rc = exec(s, "COMMIT", err);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- reading data back for scoring ---- */

static int load_table(kp_store *s, long id, const char *name, const char *file, const char *dtable,
		      int year, const kp_rules *r, kp_data *d, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	kp_table *t = kp_table_new(name, file, err);
	char **cols = NULL, *sql = NULL, **f = NULL;
	unsigned char *numeric = NULL;
	size_t n = 0, i, *len = NULL;
	int rc;

	if (!t)
		return KP_EINTERNAL;
	t->year = year;
	if ((rc = prep(s, "SELECT name FROM import_columns WHERE import_id = ? ORDER BY position", &st, err)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char **p = realloc(cols, (n + 1) * sizeof *p);
		if (!p || !(p[n] = strdup((const char *)sqlite3_column_text(st, 0)))) {
			if (p)
				cols = p;
			rc = kp_err_oom(err);
			goto out;
		}
		cols = p;
		n++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!(numeric = calloc(n + 1, 1)) || !(f = calloc(n + 1, sizeof *f)) || !(len = calloc(n + 1, sizeof *len))) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < n; i++)
		numeric[i] = (unsigned char)kp_rules_is_numeric(r, cols[i]);
	if ((rc = kp_table_set_columns(t, n, cols, numeric, err)))
		goto out;
	if (!(sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", dtable))) {
		rc = kp_err_oom(err);
		goto out;
	}
	if ((rc = prep(s, sql, &st, err)))
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			f[i] = (char *)sqlite3_column_text(st, (int)i + 1);
			if (!f[i])
				f[i] = (char *)"";
			len[i] = (size_t)sqlite3_column_bytes(st, (int)i + 1);
		}
		if ((rc = kp_table_add(t, (size_t)sqlite3_column_int64(st, 0), f, len, err)))
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : db_error(s, rc, err, "cannot read the database");
out:
	sqlite3_finalize(st);
	sqlite3_free(sql);
	for (i = 0; i < n; i++)
		free(cols[i]);
	free(cols), free(numeric), free(f), free(len);
	if (rc) {
		kp_table_free(t);
		return rc;
	}
	return kp_data_add(d, t, err);
}

int kp_store_load(kp_store *s, int year, const kp_rules *r, kp_data *d, long **ids, size_t *nids, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*ids = NULL, *nids = 0;
	if ((rc = prep(s, "SELECT id, name, file, data_table FROM imports WHERE year = ? AND replaced_at IS NULL "
			  "ORDER BY id", &st, err)))
		return rc;
	sqlite3_bind_int(st, 1, year);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		long *p = realloc(*ids, (*nids + 1) * sizeof *p);
		if (!p) {
			rc = kp_err_oom(err);
			break;
		}
		*ids = p;
		p[(*nids)++] = (long)sqlite3_column_int64(st, 0);
		rc = load_table(s, p[*nids - 1], (const char *)sqlite3_column_text(st, 1),
				(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
				year, r, d, err);
	}
	sqlite3_finalize(st);
	if (!rc && *nids == 0)
		rc = kp_err_set(err, KP_EDATA, "%s: nothing is imported for %d (kaoping import --year %d FILE.csv ...)",
				s->path, year, year);
	return rc;
}

/* ---- runs ---- */

int kp_store_run_begin(kp_store *s, const kp_rules *r, int year, const long *ids, size_t nids,
		       long *run_id, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	char ts[32];
	size_t i;
	int rc;

	if ((rc = exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	s->in_tx = 1;
	now_iso(ts, sizeof ts);
	if ((rc = prep(s, "INSERT INTO runs(year, title, rules_file, rules_sha256, precision, scored_at) "
			  "VALUES(?, ?, ?, ?, ?, ?)", &st, err)))
		goto fail;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, r->precision);
	sqlite3_bind_text(st, 6, ts, -1, SQLITE_STATIC);
	rc = step_done(s, st, err);
	sqlite3_finalize(st);
	if (rc)
		goto fail;
	s->run_id = *run_id = (long)sqlite3_last_insert_rowid(s->db);
	if ((rc = prep(s, "INSERT INTO run_imports(run_id, import_id) VALUES(?, ?)", &st, err)))
		goto fail;
	for (i = 0; i < nids && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, ids[i]);
		rc = step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = prep(s, "INSERT INTO points(run_id, unit_id, seq, kind, section, item, points, max_points, note, skipped) "
			     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s->ins_point, err);
	if (!rc)
		return 0;
fail:
	kp_store_run_abort(s);
	return rc;
}

static const char *const item_kinds[] = {"indicator", "section_deduction", "deduction", "bonus", "veto", "note"};

int kp_store_run_sink(void *store, const kp_result *res, size_t unit, const kp_item *items, size_t nitems, kp_err *err)
{
	kp_store *s = store;
	sqlite3_stmt *st = s->ins_point;
	size_t i;
	int rc = 0;

	for (i = 0; i < nitems && !rc; i++) {
		const kp_item *it = &items[i];
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_text(st, 2, res->units[unit].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 4, item_kinds[it->kind], -1, SQLITE_STATIC);
		if (it->section >= 0)
			sqlite3_bind_text(st, 5, res->sections[it->section], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_text(st, 6, it->name, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 7, it->points);
		sqlite3_bind_double(st, 8, it->max);
		sqlite3_bind_text(st, 9, it->note, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 10, it->skipped);
		rc = step_done(s, st, err);
	}
	return rc;
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int save_meta(kp_store *s, const kp_result *res, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if ((rc = prep(s, "INSERT INTO run_sections VALUES(?, ?, ?, ?)", &st, err)))
		return rc;
	for (i = 0; i < res->nsections && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, res->sections[i], -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, res->section_points[i]);
		rc = step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (rc || (rc = prep(s, "INSERT INTO run_grades VALUES(?, ?, ?)", &st, err)))
		return rc;
	for (i = 0; i < res->ngrades && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, res->grades[i], -1, SQLITE_STATIC);
		rc = step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (rc || (rc = prep(s, "INSERT INTO run_categories VALUES(?, ?, ?, ?, ?, ?, ?, ?)", &st, err)))
		return rc;
	for (i = 0; i < res->ncategories && !rc; i++) {
		const kp_category_result *c = &res->categories[i];
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, c->quota);
		sqlite3_bind_int(st, 5, c->commended);
		sqlite3_bind_int(st, 6, c->shortfall);
		sqlite3_bind_int(st, 7, c->boundary_ties);
		bind_opt_text(st, 8, c->note);
		rc = step_done(s, st, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int save_units(kp_store *s, const kp_result *res, kp_err *err)
{
	sqlite3_stmt *st = NULL, *sp = NULL;
	size_t i, k;
	int rc;

	if ((rc = prep(s, "INSERT INTO results VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
			  "?16, ?17, ?18, ?19, ?20, ?21, ?22)", &st, err)) ||
	    (rc = prep(s, "INSERT INTO section_points VALUES(?, ?, ?, ?)", &sp, err))) {
		sqlite3_finalize(st);
		return rc;
	}
	for (i = 0; i < res->nunits && !rc; i++) {
		const kp_unit_result *u = &res->units[i];
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, u->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, u->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, res->categories[u->category].name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, u->rank);
		sqlite3_bind_double(st, 7, u->total);
		sqlite3_bind_double(st, 8, u->raw);
		sqlite3_bind_double(st, 9, u->base);
		sqlite3_bind_double(st, 10, u->deductions);
		sqlite3_bind_double(st, 11, u->bonus);
		bind_opt_text(st, 12, u->grade >= 0 ? res->grades[u->grade] : NULL);
		sqlite3_bind_int(st, 13, u->veto);
		bind_opt_text(st, 14, u->veto_reason);
		sqlite3_bind_int(st, 15, u->eligible);
		sqlite3_bind_int(st, 16, u->elig_rank);
		sqlite3_bind_int(st, 17, u->commended);
		sqlite3_bind_int(st, 18, u->boundary_tie);
		sqlite3_bind_int(st, 19, u->quota_dropped);
		bind_opt_text(st, 20, u->tie_note);
		if (u->has_last) {
			sqlite3_bind_int(st, 21, u->last_rank);
			sqlite3_bind_double(st, 22, u->last_total);
		} else {
			sqlite3_bind_null(st, 21);
			sqlite3_bind_null(st, 22);
		}
		rc = step_done(s, st, err);
		for (k = 0; k < res->nsections && !rc; k++) {
			sqlite3_bind_int64(sp, 1, s->run_id);
			sqlite3_bind_text(sp, 2, u->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(sp, 3, res->sections[k], -1, SQLITE_STATIC);
			sqlite3_bind_double(sp, 4, KP_SEC(res, i, k));
			rc = step_done(s, sp, err);
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(sp);
	return rc;
}

int kp_store_run_finish(kp_store *s, kp_result *res, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = save_meta(s, res, err)) || (rc = save_units(s, res, err)))
		goto fail;
	if ((rc = prep(s, "UPDATE runs SET units = ?, last_year = ? WHERE id = ?", &st, err)))
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)res->nunits);
	if (res->last_year)
		sqlite3_bind_int(st, 2, res->last_year);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, s->run_id);
	rc = step_done(s, st, err);
	sqlite3_finalize(st);
	if (rc || (rc = exec(s, "COMMIT", err)))
		goto fail;
	sqlite3_finalize(s->ins_point);
	s->ins_point = NULL;
	s->in_tx = 0;
	res->run_id = s->run_id;
	return 0;
fail:
	kp_store_run_abort(s);
	return rc;
}

void kp_store_run_abort(kp_store *s)
{
	sqlite3_finalize(s->ins_point);
	s->ins_point = NULL;
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

/* ---- reading runs back ---- */

static long newest_run(kp_store *s, int year, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	long id = 0;

	if (prep(s, year ? "SELECT max(id) FROM runs WHERE year = ?" : "SELECT max(id) FROM runs", &st, err))
		return -1;
	if (year)
		sqlite3_bind_int(st, 1, year);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static const char *col_str(kp_result *res, sqlite3_stmt *st, int i, kp_err *err)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? kp_result_str(res, t, err) : NULL;
}

static int name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* The run's sections, grades and categories. */
static int load_meta(kp_store *s, long id, kp_result *res, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t n;
	int rc;

	if ((rc = prep(s, "SELECT name, points FROM run_sections WHERE run_id = ? ORDER BY position", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	res->sections = kp_result_alloc(res, 64 * sizeof *res->sections, err);
	res->section_points = kp_result_alloc(res, 64 * sizeof *res->section_points, err);
	for (n = 0; sqlite3_step(st) == SQLITE_ROW && n < 64; n++) {
		res->sections[n] = col_str(res, st, 0, err);
		res->section_points[n] = sqlite3_column_double(st, 1);
	}
	res->nsections = n;
	sqlite3_finalize(st);
	if ((rc = prep(s, "SELECT name FROM run_grades WHERE run_id = ? ORDER BY position", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	res->grades = kp_result_alloc(res, 64 * sizeof *res->grades, err);
	for (n = 0; sqlite3_step(st) == SQLITE_ROW && n < 64; n++)
		res->grades[n] = col_str(res, st, 0, err);
	res->ngrades = n;
	sqlite3_finalize(st);
	if ((rc = prep(s, "SELECT name, quota, commended, shortfall, boundary_ties, note FROM run_categories "
			  "WHERE run_id = ? ORDER BY position", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	res->categories = calloc(64, sizeof *res->categories);
	if (!res->categories || !res->sections || !res->grades || !res->section_points) {
		sqlite3_finalize(st);
		return kp_err_oom(err);
	}
	for (n = 0; sqlite3_step(st) == SQLITE_ROW && n < 64; n++) {
		kp_category_result *c = &res->categories[n];
		c->name = col_str(res, st, 0, err);
		c->quota = sqlite3_column_int(st, 1);
		c->commended = sqlite3_column_int(st, 2);
		c->shortfall = sqlite3_column_int(st, 3);
		c->boundary_ties = sqlite3_column_int(st, 4);
		c->note = col_str(res, st, 5, err);
	}
	res->ncategories = n;
	sqlite3_finalize(st);
	return 0;
}

static int load_units(kp_store *s, long id, kp_result *res, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0, k;
	int rc;

	if ((rc = prep(s, "SELECT unit_id, name, category, rank, total, raw_total, base, deductions, bonus, grade, veto, "
			  "veto_reason, eligible, elig_rank, commended, boundary_tie, quota_dropped, tie_note, last_rank, "
			  "last_total FROM results WHERE run_id = ? ORDER BY position", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		kp_unit_result *u;
		if (n == cap) {
			kp_unit_result *p = realloc(res->units, (cap = cap ? cap * 2 : 64) * sizeof *p);
			if (!p) {
				sqlite3_finalize(st);
				return kp_err_oom(err);
			}
			res->units = p;
		}
		u = &res->units[n++];
		memset(u, 0, sizeof *u);
		u->id = col_str(res, st, 0, err);
		u->name = col_str(res, st, 1, err);
		u->category = -1;
		for (k = 0; k < res->ncategories; k++)
			if (!strcmp(res->categories[k].name, (const char *)sqlite3_column_text(st, 2)))
				u->category = (int)k;
		u->rank = sqlite3_column_int(st, 3);
		u->total = sqlite3_column_double(st, 4);
		u->raw = sqlite3_column_double(st, 5);
		u->base = sqlite3_column_double(st, 6);
		u->deductions = sqlite3_column_double(st, 7);
		u->bonus = sqlite3_column_double(st, 8);
		u->grade = name_index(res->grades, res->ngrades, (const char *)sqlite3_column_text(st, 9));
		u->veto = sqlite3_column_int(st, 10);
		u->veto_reason = col_str(res, st, 11, err);
		u->eligible = sqlite3_column_int(st, 12);
		u->elig_rank = sqlite3_column_int(st, 13);
		u->commended = sqlite3_column_int(st, 14);
		u->boundary_tie = sqlite3_column_int(st, 15);
		u->quota_dropped = sqlite3_column_int(st, 16);
		u->tie_note = col_str(res, st, 17, err);
		if ((u->has_last = sqlite3_column_type(st, 18) != SQLITE_NULL)) {
			u->last_rank = sqlite3_column_int(st, 18);
			u->last_total = sqlite3_column_double(st, 19);
		}
		if (u->category < 0) {
			sqlite3_finalize(st);
			return kp_err_set(err, KP_EDATA, "%s: run %ld: unit '%s' has an unknown category", s->path, id, u->id);
		}
	}
	sqlite3_finalize(st);
	res->nunits = n;
	for (k = 0; k < n; k++) { /* category slices */
		kp_category_result *c = &res->categories[res->units[k].category];
		if (!c->count)
			c->first = k;
		c->count++;
	}
	return 0;
}

typedef struct id_pos { const char *id; size_t pos; } id_pos;
static int id_cmp(const void *a, const void *b)
{
	return strcmp(((const id_pos *)a)->id, ((const id_pos *)b)->id);
}

static int load_sections_and_items(kp_store *s, long id, kp_result *res, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	id_pos *ix = malloc((res->nunits + 1) * sizeof *ix), key, *hit;
	size_t i;
	int rc;

	res->sec = calloc(res->nunits * res->nsections + 1, sizeof *res->sec);
	if (!ix || !res->sec) {
		free(ix);
		return kp_err_oom(err);
	}
	for (i = 0; i < res->nunits; i++)
		ix[i].id = res->units[i].id, ix[i].pos = i;
	qsort(ix, res->nunits, sizeof *ix, id_cmp);
	if ((rc = prep(s, "SELECT unit_id, section, points FROM section_points WHERE run_id = ?", &st, err)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int k = name_index(res->sections, res->nsections, (const char *)sqlite3_column_text(st, 1));
		key.id = (const char *)sqlite3_column_text(st, 0);
		if (k >= 0 && (hit = bsearch(&key, ix, res->nunits, sizeof *ix, id_cmp)))
			KP_SEC(res, hit->pos, k) = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	if ((rc = prep(s, "SELECT unit_id, count(*) FROM points WHERE run_id = ? GROUP BY unit_id", &st, err)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		key.id = (const char *)sqlite3_column_text(st, 0);
		if ((hit = bsearch(&key, ix, res->nunits, sizeof *ix, id_cmp))) {
			kp_unit_result *u = &res->units[hit->pos];
			size_t cnt = (size_t)sqlite3_column_int64(st, 1);
			if (!(u->items = kp_result_alloc(res, cnt * sizeof *u->items, err))) {
				rc = KP_EINTERNAL;
				goto out;
			}
		}
	}
	sqlite3_finalize(st);
	if ((rc = prep(s, "SELECT unit_id, kind, section, item, points, max_points, note, skipped FROM points "
			  "WHERE run_id = ? ORDER BY unit_id, seq", &st, err)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		kp_unit_result *u;
		kp_item *it;
		key.id = (const char *)sqlite3_column_text(st, 0);
		if (!(hit = bsearch(&key, ix, res->nunits, sizeof *ix, id_cmp)) || !(u = &res->units[hit->pos])->items)
			continue;
		it = &u->items[u->nitems++];
		it->kind = name_index(item_kinds, 6, (const char *)sqlite3_column_text(st, 1));
		it->section = name_index(res->sections, res->nsections, (const char *)sqlite3_column_text(st, 2));
		it->name = col_str(res, st, 3, err);
		it->points = sqlite3_column_double(st, 4);
		it->max = sqlite3_column_double(st, 5);
		it->note = col_str(res, st, 6, err);
		it->skipped = sqlite3_column_int(st, 7);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(ix);
	return rc;
}

int kp_store_load_run(kp_store *s, long run_id, kp_result **out, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	kp_result *res;
	int rc;

	*out = NULL;
	if (run_id == 0 && (run_id = newest_run(s, 0, err)) <= 0)
		return run_id < 0 ? err->kind : kp_err_set(err, KP_EDATA, "%s: no scoring run yet (kaoping score RULES)", s->path);
	if (!(res = kp_result_new(err)))
		return KP_EINTERNAL;
	if ((rc = prep(s, "SELECT year, title, rules_file, rules_sha256, precision, last_year FROM runs WHERE id = ?",
		       &st, err)))
		goto out;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = kp_err_set(err, KP_EDATA, "%s: there is no run %ld", s->path, run_id);
		goto out;
	}
	res->run_id = run_id;
	res->year = sqlite3_column_int(st, 0);
	res->title = col_str(res, st, 1, err);
	res->rules_file = col_str(res, st, 2, err);
	res->rules_sha256 = col_str(res, st, 3, err);
	res->precision = sqlite3_column_int(st, 4);
	res->last_year = sqlite3_column_int(st, 5);
	sqlite3_finalize(st);
	st = NULL;
	if (!(rc = load_meta(s, run_id, res, err)) && !(rc = load_units(s, run_id, res, err)))
		rc = load_sections_and_items(s, run_id, res, err);
out:
	sqlite3_finalize(st);
	if (rc) {
		kp_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

void kp_store_last_free(kp_last *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free((char *)l->u[i].id), free((char *)l->u[i].grade);
	for (i = 0; i < l->nsections; i++)
		free((char *)l->sections[i]);
	free(l->u), free(l->sections), free(l->sec);
	free(l);
}

static int last_cmp(const void *a, const void *b)
{
	return strcmp(((const kp_last_unit *)a)->id, ((const kp_last_unit *)b)->id);
}

int kp_store_last(kp_store *s, int year, kp_last **out, kp_err *err)
{
	kp_result *res = NULL;
	kp_last *l;
	long id;
	size_t i, k;
	int rc;

	*out = NULL;
	if ((id = newest_run(s, year, err)) < 0)
		return err->kind;
	if (id == 0)
		return 0;
	if ((rc = kp_store_load_run(s, id, &res, err)))
		return rc;
	l = calloc(1, sizeof *l);
	if (!l || !(l->u = calloc(res->nunits + 1, sizeof *l->u)) ||
	    !(l->sections = calloc(res->nsections + 1, sizeof *l->sections)) ||
	    !(l->sec = calloc(res->nunits * res->nsections + 1, sizeof *l->sec))) {
		kp_store_last_free(l);
		kp_result_free(res);
		return kp_err_oom(err);
	}
	l->year = year;
	l->nsections = res->nsections;
	for (k = 0; k < res->nsections; k++)
		l->sections[k] = strdup(res->sections[k]);
	for (i = 0; i < res->nunits; i++) {
		l->u[i].id = strdup(res->units[i].id);
		l->u[i].grade = res->units[i].grade >= 0 ? strdup(res->grades[res->units[i].grade]) : NULL;
		l->u[i].total = res->units[i].total;
		l->u[i].rank = res->units[i].rank;
		l->u[i].row = i;
		for (k = 0; k < res->nsections; k++)
			l->sec[i * res->nsections + k] = KP_SEC(res, i, k);
		l->n = i + 1;
		if (!l->u[i].id) {
			kp_store_last_free(l);
			kp_result_free(res);
			return kp_err_oom(err);
		}
	}
	kp_result_free(res);
	qsort(l->u, l->n, sizeof *l->u, last_cmp);
	*out = l;
	return 0;
}

const char *kp_store_sqlite_version(void)
{
	return sqlite3_libversion();
}
