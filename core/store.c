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

/* ---- reading values back: every one checked ----
 *
 * A database travels between offices and any SQLite tool can write any
 * value into any column.  Every value read is checked for its type (and
 * text for valid UTF-8 without NUL bytes, numbers for being finite and in
 * range) before it is used; the first bad one stops the read with KP_EDATA
 * naming the table and the column. */

typedef struct rd {
	kp_store *s;
	sqlite3_stmt *st;
	const char *table;
	kp_err *err;
	int rc;
} rd;

static const char *const type_names[] = {"", "INTEGER", "REAL", "TEXT", "a BLOB", "NULL"};

static int rd_bad(rd *r, int col, const char *what)
{
	if (!r->rc)
		r->rc = kp_err_set(r->err, KP_EDATA, "%s: table %s: %s %s (the database was changed outside kaoping?)",
				   r->s->path, r->table, sqlite3_column_name(r->st, col), what);
	return r->rc;
}

static int rd_type_bad(rd *r, int col, int type)
{
	char what[64];

	snprintf(what, sizeof what, "is %s", type_names[type >= 1 && type <= 5 ? type : 0]);
	return rd_bad(r, col, what);
}

/* Text (NULL allowed only when nullable); NULL on a bad value. */
static const char *rd_text(rd *r, int col, int nullable)
{
	int type = sqlite3_column_type(r->st, col);
	const unsigned char *t;
	size_t n;

	if (r->rc || (type == SQLITE_NULL && nullable))
		return NULL;
	if (type != SQLITE_TEXT) {
		rd_type_bad(r, col, type);
		return NULL;
	}
	t = sqlite3_column_text(r->st, col);
	n = (size_t)sqlite3_column_bytes(r->st, col);
	if (!t) {
		kp_err_oom(r->err), r->rc = KP_EINTERNAL;
		return NULL;
	}
	if (strlen((const char *)t) != n || kp_enc_utf8_valid(t, n) != n) {
		rd_bad(r, col, "is not UTF-8 text");
		return NULL;
	}
	return (const char *)t;
}

/* An integer in [lo, hi]; 0 on a bad value (or NULL when nullable, with
 * *isnull set when isnull is given). */
static sqlite3_int64 rd_int(rd *r, int col, sqlite3_int64 lo, sqlite3_int64 hi, int nullable, int *isnull)
{
	int type = sqlite3_column_type(r->st, col);
	sqlite3_int64 v;

	if (isnull)
		*isnull = type == SQLITE_NULL;
	if (r->rc || (type == SQLITE_NULL && nullable))
		return 0;
	if (type != SQLITE_INTEGER) {
		rd_type_bad(r, col, type);
		return 0;
	}
	v = sqlite3_column_int64(r->st, col);
	if (v < lo || v > hi) {
		rd_bad(r, col, "is out of range");
		return 0;
	}
	return v;
}

/* A finite number (REAL, or INTEGER as SQLite stores whole REALs). */
static double rd_real(rd *r, int col, int nullable)
{
	int type = sqlite3_column_type(r->st, col);
	double v;

	if (r->rc || (type == SQLITE_NULL && nullable))
		return 0;
	if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) {
		rd_type_bad(r, col, type);
		return 0;
	}
	v = sqlite3_column_double(r->st, col);
	if (!isfinite(v))
		rd_bad(r, col, "is not a finite number");
	return v;
}

#define RD_INT(r, c) ((int)rd_int(r, c, INT_MIN, INT_MAX, 0, NULL))
#define RD_FLAG(r, c) ((int)rd_int(r, c, 0, 1, 0, NULL))

/* Step st: 1 a row, 0 the end, <0 an error (in err). */
static int rd_step(rd *r)
{
	int rc;

	if (r->rc)
		return -1;
	rc = sqlite3_step(r->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	r->rc = db_error(r->s, rc, r->err, "cannot read the database");
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
static int schema_reference(const char *const *stmts, schema_list *l, kp_err *err)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
	size_t i;

	for (i = 0; rc == SQLITE_OK && stmts[i]; i++)
		rc = sqlite3_exec(db, stmts[i], NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = schema_read(db, l);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : kp_err_set(err, KP_EINTERNAL, "cannot build the reference schema: %s", sqlite3_errstr(rc));
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
	return kp_err_set(err, KP_EDATA, "%s: %s '%s' is not part of kaoping's schema (added with another tool?): "
			  "refused, nothing read or written", s->path, o->type, o->name);
}

static int not_as_created(kp_store *s, const char *type, const char *name, kp_err *err)
{
	return kp_err_set(err, KP_EDATA, "%s: %s '%s' is not as kaoping creates it (changed with another tool?): "
			  "refused, nothing read or written", s->path, type, name);
}

static int check_data_tables(kp_store *s, schema_list *file, kp_err *err);

/* The file's schema against the reference of the given statements. */
static int check_schema(kp_store *s, const char *const *stmts, kp_err *err)
{
	schema_list ref = {NULL, 0}, file = {NULL, 0};
	size_t i;
	int rc;

	if ((rc = schema_reference(stmts, &ref, err)))
		return rc;
	if ((rc = schema_read(s->db, &file)) != SQLITE_OK) {
		rc = db_error(s, rc, err, "cannot read the database");
		goto out;
	}
	for (i = 0; i < ref.n && !rc; i++) {
		schema_obj *o = schema_find(&file, ref.o[i].name);
		if (!o)
			rc = kp_err_set(err, KP_EDATA, "%s: %s '%s' of kaoping's schema is missing: refused", s->path,
					ref.o[i].type, ref.o[i].name);
		else if (!same(o->type, ref.o[i].type) || !same(o->tbl, ref.o[i].tbl) || !same(o->sql, ref.o[i].sql))
			rc = not_as_created(s, o->type, o->name, err);
		else
			o->seen = 1;
	}
	if (!rc)
		rc = check_data_tables(s, &file, err);
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
	rd r = {s, NULL, "import_columns", err, 0};
	char **v = NULL;
	size_t k = 0;
	int rc;

	*cols = NULL, *n = 0;
	if ((rc = prep(s, "SELECT name FROM import_columns WHERE import_id = ? ORDER BY position", &r.st, err)))
		return rc;
	sqlite3_bind_int64(r.st, 1, id);
	while (rd_step(&r) > 0) {
		const char *t = rd_text(&r, 0, 0);
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
	rd r = {s, NULL, "imports", err, 0};
	int rc;

	if ((rc = prep(s, "SELECT id, data_table FROM imports WHERE data_table IS NOT NULL ORDER BY id", &r.st, err)))
		return rc;
	while (!rc && rd_step(&r) > 0) {
		sqlite3_int64 id = rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
		const char *t = rd_text(&r, 1, 0);
		schema_obj *o = t ? schema_find(file, t) : NULL;
		char **cols = NULL, *sql = NULL;
		size_t n = 0;
		if (r.rc)
			break;
		if (!o || strcmp(o->type, "table") || o->seen) {
			rc = kp_err_set(err, KP_EDATA, "%s: import %lld names the table '%s', which is not there: refused",
					s->path, (long long)id, t);
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
 * the file ties the two.  kaoping checkpoints after every command that
 * writes, so the .db file alone holds every finished command; committed
 * pages in a -wal that no running program holds open are from a command
 * that never finished or from another database, and are never merged: the
 * open is refused and both files are left as they are.  A -wal with no
 * committed transaction (a command killed before its commit) adds nothing,
 * and SQLite ignores it. */

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

/* 1 when the WAL file holds at least one valid commit frame (a transaction
 * SQLite would replay), 0 when not, -1 when it cannot be read. */
static int wal_has_commit(const char *wal)
{
	unsigned char hdr[WAL_HDR], fh[WAL_FRAME_HDR], *page = NULL;
	uint32_t s[2] = {0, 0}, magic, psize;
	FILE *f = fopen(wal, "rb");
	int be, found = 0;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	if (fread(hdr, 1, WAL_HDR, f) != WAL_HDR)
		goto out;
	magic = get32(hdr), psize = get32(hdr + 8);
	if ((magic & 0xfffffffeu) != 0x377f0682u || psize < 512 || psize > 65536 || (psize & (psize - 1)))
		goto out;
	be = magic & 1;
	wal_sum(be, hdr, 24, s);
	if (s[0] != get32(hdr + 24) || s[1] != get32(hdr + 28) || !(page = malloc(psize)))
		goto out;
	while (!found && fread(fh, 1, WAL_FRAME_HDR, f) == WAL_FRAME_HDR && fread(page, 1, psize, f) == psize) {
		if (memcmp(fh + 8, hdr + 16, 8))
			break; /* salts of another generation: the end of the log */
		wal_sum(be, fh, 8, s);
		wal_sum(be, page, psize, s);
		if (s[0] != get32(fh + 16) || s[1] != get32(fh + 20))
			break;
		found = get32(fh + 4) != 0; /* a commit frame: the database size after it */
	}
out:
	free(page);
	fclose(f);
	return found;
}

/* 1 when some process has the database open through SQLite's WAL index
 * (it holds a lock on the -shm's dead-man byte, 128): its -wal is live.
 * Read from /proc/locks, so that no descriptor of the -shm is opened and
 * closed here (closing one would drop this process's own POSIX locks). */
static int shm_in_use(const char *shm)
{
	struct stat sb;
	FILE *f;
	char line[256];
	int used = 0;

	if (stat(shm, &sb) != 0)
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
		       strtoull(start, NULL, 10) <= 128 && (!strcmp(end, "EOF") || strtoull(end, NULL, 10) >= 128);
	}
	fclose(f);
	return used;
}

static char *sidecar(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);
	char *p = malloc(n + k + 1);

	if (p)
		memcpy(p, path, n), memcpy(p + n, suffix, k + 1);
	return p;
}

static int check_journal(const char *path, const char *journal, kp_err *err)
{
	struct stat sb;
	unsigned char b = 0;
	FILE *f;

	if (stat(journal, &sb) != 0 || sb.st_size == 0 || !(f = fopen(journal, "rb")))
		return 0;
	if (fread(&b, 1, 1, f) != 1)
		b = 0;
	fclose(f);
	if (!b) /* a zeroed header: not hot */
		return 0;
	return kp_err_set(err, KP_EDATA, "%s: a rollback journal beside %s: kaoping keeps its databases in WAL mode "
			  "and never plays back a journal from elsewhere; move it away to use %s", journal, path, path);
}

/* Refuse to open path when SQLite would merge into it what kaoping did
 * not finish writing into it (see above). */
static int check_sidecars(const char *path, kp_err *err)
{
	char *wal = sidecar(path, "-wal"), *shm = sidecar(path, "-shm"), *journal = sidecar(path, "-journal");
	struct stat sb;
	int rc = 0, c;

	if (!wal || !shm || !journal) {
		rc = kp_err_oom(err);
		goto out;
	}
	if ((rc = check_journal(path, journal, err)))
		goto out;
	if (stat(wal, &sb) != 0 || sb.st_size == 0 || shm_in_use(shm))
		goto out;
	if ((c = wal_has_commit(wal)) < 0)
		rc = kp_err_set(err, KP_ENOINPUT, "%s: cannot read: %s", wal, strerror(errno));
	else if (c > 0 && access(path, F_OK) != 0)
		rc = kp_err_set(err, KP_EDATA, "%s: a write-ahead log beside no database %s: move it away", wal, path);
	else if (c > 0)
		rc = kp_err_set(err, KP_EDATA, "%s: holds changes that are not in %s (a command that did not finish, or "
				"the log of another database): kaoping never merges them; move it away to use %s as it is",
				wal, path, path);
out:
	free(wal), free(shm), free(journal);
	return rc;
}

/* Commit the transaction in progress, then move the log into the database
 * file, so that the .db file alone holds every finished command (a copy of
 * it is complete).  A reader holding a read open past the busy timeout
 * keeps the pages in the -wal, live, until it closes; that is no error:
 * the transaction is committed. */
static int commit(kp_store *s, kp_err *err)
{
	int rc = exec(s, "COMMIT", err);

	if (!rc)
		sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return rc;
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
	rd r = {s, NULL, "the database header", err, 0};
	int version, tables, rc, i;

	if ((rc = prep(s, "PRAGMA user_version", &r.st, err)))
		return rc;
	version = rd_step(&r) > 0 ? RD_INT(&r, 0) : 0;
	sqlite3_finalize(r.st);
	if (r.rc)
		return r.rc;
	if (version > KP_STORE_SCHEMA)
		return kp_err_set(err, KP_EDATA, "%s: written by a newer kaoping (schema %d; this one knows %d): upgrade kaoping",
				  s->path, version, KP_STORE_SCHEMA);
	if (version == KP_STORE_SCHEMA)
		return check_schema(s, schema_v1, err);
	if (version < 0)
		return kp_err_set(err, KP_EDATA, "%s: an SQLite database, but not one of kaoping's", s->path);
	r.table = "sqlite_schema";
	if ((rc = prep(s, "SELECT count(*) FROM sqlite_schema", &r.st, err)))
		return rc;
	tables = rd_step(&r) > 0 ? RD_INT(&r, 0) : 0;
	sqlite3_finalize(r.st);
	if (r.rc)
		return r.rc;
	if (tables > 0)
		return kp_err_set(err, KP_EDATA, "%s: an SQLite database, but not one of kaoping's", s->path);
	if (!writable)
		return kp_err_set(err, KP_ENOINPUT, "%s: the database is empty: import data first", s->path);
	/* a new file: larger pages suit tables of many rows; WAL from the
	 * first transaction, so that no rollback journal is ever kaoping's */
	if ((rc = exec(s, "PRAGMA page_size = 16384", err)) || (rc = exec(s, "PRAGMA journal_mode = WAL", err)) ||
	    (rc = exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	for (i = 0; schema_v1[i] && !rc; i++)
		rc = exec(s, schema_v1[i], err);
	if (!rc)
		rc = exec(s, "PRAGMA user_version = 1", err);
	if (!rc)
		rc = commit(s, err);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int dir_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) + (slash == path) : 1;
	char *dir = malloc(n + 1);
	int ok;

	if (!dir)
		return 0;
	memcpy(dir, slash ? path : ".", n);
	dir[n] = '\0';
	ok = access(dir, W_OK) == 0;
	free(dir);
	return ok;
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
	if ((rc = check_sidecars(path, err)))
		goto fail;
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
	sqlite3_str *insert = sqlite3_str_new(s->db);
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
	sqlite3_str_appendf(insert, "INSERT INTO \"%w\" VALUES(?", im->table);
	for (i = 0; i < row->n; i++)
		sqlite3_str_appendall(insert, ",?");
	sqlite3_str_appendall(insert, ")");
	sql_create = data_table_sql(im->table, (const char *const *)row->f, row->n);
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
	rd r = {s, NULL, "imports", err, 0};
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
	r.st = st;
	while (!rc && rd_step(&r) > 0) {
		sqlite3_int64 id = rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
		const char *from = rd_text(&r, 1, 0), *at = rd_text(&r, 2, 0), *t = rd_text(&r, 3, 1);
		char *dtable;
		if (r.rc)
			break;
		if (!o->replace) {
			rc = kp_err_set(err, KP_EDATA, "%s: %s for %d was already imported from %s on %s; "
					"say --replace to replace it", file, sha ? "the same contents" : name, o->year,
					from, at);
			break;
		}
		dtable = t ? sqlite3_mprintf("%s", t) : NULL;
		if (t && !dtable) {
			rc = kp_err_oom(err);
			break;
		}
		sqlite3_reset(st);
		rc = retire(s, id, dtable, err);
		sqlite3_free(dtable);
		*replaced = 1;
	}
	sqlite3_finalize(st);
	return rc ? rc : r.rc;
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
		rc = commit(s, err);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- reading data back for scoring ---- */

/* The rows of a data table into t: the line number, then text cells
 * (numbers written by another tool are taken as their text). */
static int load_rows(kp_store *s, kp_table *t, const char *dtable, size_t n, kp_err *err)
{
	rd r = {s, NULL, dtable, err, 0};
	char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", dtable), **f = calloc(n + 1, sizeof *f);
	size_t i, *len = calloc(n + 1, sizeof *len);
	int rc;

	if (!sql || !f || !len) {
		rc = kp_err_oom(err);
		goto out;
	}
	if ((rc = prep(s, sql, &r.st, err)))
		goto out;
	while (!rc && rd_step(&r) > 0) {
		size_t line = (size_t)rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
		for (i = 0; i < n && !r.rc; i++) {
			int type = sqlite3_column_type(r.st, (int)i + 1);
			f[i] = (char *)(type == SQLITE_INTEGER || type == SQLITE_FLOAT ? (const char *)sqlite3_column_text(r.st, (int)i + 1)
									     : rd_text(&r, (int)i + 1, 0));
			len[i] = f[i] ? (size_t)sqlite3_column_bytes(r.st, (int)i + 1) : 0;
			if (!f[i] && !r.rc)
				r.rc = kp_err_oom(err);
		}
		if (!r.rc)
			rc = kp_table_add(t, line, f, len, err);
	}
	if (!rc)
		rc = r.rc;
out:
	sqlite3_finalize(r.st);
	sqlite3_free(sql);
	free(f), free(len);
	return rc;
}

static int load_table(kp_store *s, long id, const char *name, const char *file, const char *dtable,
		      int year, const kp_rules *r, kp_data *d, kp_err *err)
{
	kp_table *t = kp_table_new(name, file, err);
	char **cols = NULL;
	unsigned char *numeric = NULL;
	size_t n = 0, i;
	int rc;

	if (!t)
		return KP_EINTERNAL;
	t->year = year;
	if ((rc = import_columns(s, id, &cols, &n, err)))
		goto out;
	if (!(numeric = calloc(n + 1, 1))) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < n; i++)
		numeric[i] = (unsigned char)kp_rules_is_numeric(r, cols[i]);
	if (!(rc = kp_table_set_columns(t, n, cols, numeric, err)))
		rc = load_rows(s, t, dtable, n, err);
out:
	free_columns(cols, n);
	free(numeric);
	if (rc) {
		kp_table_free(t);
		return rc;
	}
	return kp_data_add(d, t, err);
}

int kp_store_load(kp_store *s, int year, const kp_rules *r, kp_data *d, long **ids, size_t *nids, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0};
	int rc;

	*ids = NULL, *nids = 0;
	if ((rc = prep(s, "SELECT id, name, file, data_table FROM imports WHERE year = ? AND replaced_at IS NULL "
			  "ORDER BY id", &q.st, err)))
		return rc;
	sqlite3_bind_int(q.st, 1, year);
	while (!rc && rd_step(&q) > 0) {
		long id = (long)rd_int(&q, 0, 1, LONG_MAX, 0, NULL), *p;
		const char *name = rd_text(&q, 1, 0), *file = rd_text(&q, 2, 0), *dtable = rd_text(&q, 3, 0);
		if (q.rc)
			break;
		if (!(p = realloc(*ids, (*nids + 1) * sizeof *p))) {
			rc = kp_err_oom(err);
			break;
		}
		*ids = p;
		p[(*nids)++] = id;
		rc = load_table(s, id, name, file, dtable, year, r, d, err);
	}
	sqlite3_finalize(q.st);
	if (!rc)
		rc = q.rc;
	if (!rc && *nids == 0)
		rc = kp_err_set(err, KP_EDATA, "%s: nothing is imported for %d (kaoping import --year %d FILE.csv ...)",
				s->path, year, year);
	return rc;
}

/* ---- runs ---- */

static const char *const item_kinds[] = {"indicator", "section_deduction", "deduction", "bonus", "veto", "note"};
#define NKINDS (sizeof item_kinds / sizeof *item_kinds)

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
	if (rc || (rc = commit(s, err)))
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

/* The newest run (of the year, or of any year when year is 0) in *id,
 * 0 when there is none. */
static int newest_run(kp_store *s, int year, long *id, kp_err *err)
{
	rd r = {s, NULL, "runs", err, 0};
	int rc;

	*id = 0;
	if ((rc = prep(s, year ? "SELECT max(id) FROM runs WHERE year = ?" : "SELECT max(id) FROM runs", &r.st, err)))
		return rc;
	if (year)
		sqlite3_bind_int(r.st, 1, year);
	if (rd_step(&r) > 0)
		*id = (long)rd_int(&r, 0, 1, LONG_MAX, 1, NULL);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* A checked text copied into the result's pool (NULL stays NULL). */
static const char *rd_str(rd *r, kp_result *res, int col, int nullable)
{
	const char *t = rd_text(r, col, nullable), *p;

	if (!t || r->rc)
		return NULL;
	if (!(p = kp_result_str(res, t, r->err)))
		r->rc = KP_EINTERNAL;
	return p;
}

static int name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* How many rows sql (one count(*), the run id bound) counts. */
static int run_count(kp_store *s, const char *table, const char *sql, long id, size_t *n, kp_err *err)
{
	rd r = {s, NULL, table, err, 0};
	int rc;

	*n = 0;
	if ((rc = prep(s, sql, &r.st, err)))
		return rc;
	sqlite3_bind_int64(r.st, 1, id);
	if (rd_step(&r) > 0)
		*n = (size_t)rd_int(&r, 0, 0, INT_MAX, 0, NULL);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* Open a per-run query: its statement with the run id bound. */
static int run_query(kp_store *s, rd *r, const char *table, const char *sql, long id, kp_err *err)
{
	int rc;

	r->s = s, r->st = NULL, r->table = table, r->err = err, r->rc = 0;
	if ((rc = prep(s, sql, &r->st, err)))
		return rc;
	sqlite3_bind_int64(r->st, 1, id);
	return 0;
}

static int too_many(rd *r)
{
	if (!r->rc)
		r->rc = kp_err_set(r->err, KP_EDATA, "%s: table %s: more rows than it counted (changed while read?)",
				   r->s->path, r->table);
	return r->rc;
}

static int load_sections(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_sections", "SELECT count(*) FROM run_sections WHERE run_id = ?", id, &n, err)))
		return rc;
	res->sections = kp_result_alloc(res, (n + 1) * sizeof *res->sections, err);
	res->section_points = kp_result_alloc(res, (n + 1) * sizeof *res->section_points, err);
	if (!res->sections || !res->section_points)
		return KP_EINTERNAL;
	if ((rc = run_query(s, &r, "run_sections", "SELECT name, points FROM run_sections WHERE run_id = ? "
			    "ORDER BY position", id, err)))
		return rc;
	while (rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		res->sections[k] = rd_str(&r, res, 0, 0);
		res->section_points[k++] = rd_real(&r, 1, 0);
	}
	sqlite3_finalize(r.st);
	res->nsections = k;
	return r.rc;
}

static int load_grades(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_grades", "SELECT count(*) FROM run_grades WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(res->grades = kp_result_alloc(res, (n + 1) * sizeof *res->grades, err)))
		return KP_EINTERNAL;
	if ((rc = run_query(s, &r, "run_grades", "SELECT name FROM run_grades WHERE run_id = ? ORDER BY position", id,
			    err)))
		return rc;
	while (rd_step(&r) > 0 && (k < n || !too_many(&r)))
		res->grades[k++] = rd_str(&r, res, 0, 0);
	sqlite3_finalize(r.st);
	res->ngrades = k;
	return r.rc;
}

static int load_categories(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_categories", "SELECT count(*) FROM run_categories WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(res->categories = calloc(n + 1, sizeof *res->categories)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "run_categories", "SELECT name, quota, commended, shortfall, boundary_ties, note "
			    "FROM run_categories WHERE run_id = ? ORDER BY position", id, err)))
		return rc;
	while (rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		kp_category_result *c = &res->categories[k++];
		c->name = rd_str(&r, res, 0, 0);
		c->quota = (int)rd_int(&r, 1, 0, INT_MAX, 0, NULL);
		c->commended = (int)rd_int(&r, 2, 0, INT_MAX, 0, NULL);
		c->shortfall = (int)rd_int(&r, 3, 0, INT_MAX, 0, NULL);
		c->boundary_ties = (int)rd_int(&r, 4, 0, INT_MAX, 0, NULL);
		c->note = rd_str(&r, res, 5, 1);
	}
	sqlite3_finalize(r.st);
	res->ncategories = k;
	return r.rc;
}

/* One row of results into u. */
static void read_unit(rd *r, kp_result *res, kp_unit_result *u)
{
	const char *cat, *grade;
	int isnull;

	memset(u, 0, sizeof *u);
	u->id = rd_str(r, res, 0, 0);
	u->name = rd_str(r, res, 1, 1);
	cat = rd_text(r, 2, 0);
	u->category = -1;
	for (size_t k = 0; cat && k < res->ncategories; k++)
		if (!strcmp(res->categories[k].name, cat)) {
			u->category = (int)k;
			break;
		}
	u->rank = (int)rd_int(r, 3, 0, INT_MAX, 0, NULL);
	u->total = rd_real(r, 4, 0);
	u->raw = rd_real(r, 5, 0);
	u->base = rd_real(r, 6, 0);
	u->deductions = rd_real(r, 7, 0);
	u->bonus = rd_real(r, 8, 0);
	grade = rd_text(r, 9, 1);
	u->grade = grade ? name_index(res->grades, res->ngrades, grade) : -1;
	if (grade && u->grade < 0)
		rd_bad(r, 9, "names a grade the run does not have");
	u->veto = RD_FLAG(r, 10);
	u->veto_reason = rd_str(r, res, 11, 1);
	u->eligible = RD_FLAG(r, 12);
	u->elig_rank = (int)rd_int(r, 13, 0, INT_MAX, 0, NULL);
	u->commended = RD_FLAG(r, 14);
	u->boundary_tie = RD_FLAG(r, 15);
	u->quota_dropped = RD_FLAG(r, 16);
	u->tie_note = rd_str(r, res, 17, 1);
	u->last_rank = (int)rd_int(r, 18, 0, INT_MAX, 1, &isnull);
	u->has_last = !isnull;
	u->last_total = rd_real(r, 19, 1);
	if (cat && u->category < 0)
		rd_bad(r, 2, "names a category the run does not have");
}

static int load_units(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc, last = 0;

	if ((rc = run_count(s, "results", "SELECT count(*) FROM results WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(res->units = calloc(n + 1, sizeof *res->units)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "results", "SELECT unit_id, name, category, rank, total, raw_total, base, deductions, "
			    "bonus, grade, veto, veto_reason, eligible, elig_rank, commended, boundary_tie, quota_dropped, "
			    "tie_note, last_rank, last_total FROM results WHERE run_id = ? ORDER BY position", id, err)))
		return rc;
	while (rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		kp_unit_result *u = &res->units[k++];
		read_unit(&r, res, u);
		if (!r.rc && u->category < last) /* the slices below need report order */
			rd_bad(&r, 2, "is out of report order (categories as the rules declare them)");
		last = u->category;
	}
	sqlite3_finalize(r.st);
	res->nunits = k;
	for (k = 0; k < res->nunits && !r.rc; k++) { /* category slices */
		kp_category_result *c = &res->categories[res->units[k].category];
		if (!c->count)
			c->first = k;
		c->count++;
	}
	return r.rc;
}

typedef struct id_pos { const char *id; size_t pos; } id_pos;
static int id_cmp(const void *a, const void *b)
{
	return strcmp(((const id_pos *)a)->id, ((const id_pos *)b)->id);
}

/* The unit a row names, by id (column col); NULL (and r->rc) when none. */
static kp_unit_result *row_unit(rd *r, kp_result *res, const id_pos *ix, int col, size_t *pos)
{
	id_pos key, *hit;

	if (!(key.id = rd_text(r, col, 0)))
		return NULL;
	if (!(hit = bsearch(&key, ix, res->nunits, sizeof *ix, id_cmp))) {
		rd_bad(r, col, "names a unit the run does not have");
		return NULL;
	}
	if (pos)
		*pos = hit->pos;
	return &res->units[hit->pos];
}

static int load_section_points(kp_store *s, long id, kp_result *res, const id_pos *ix, kp_err *err)
{
	rd r;
	size_t pos;
	int rc, k;

	if ((rc = run_query(s, &r, "section_points", "SELECT unit_id, section, points FROM section_points "
			    "WHERE run_id = ?", id, err)))
		return rc;
	while (rd_step(&r) > 0) {
		const char *sec;
		double v;
		if (!row_unit(&r, res, ix, 0, &pos) || !(sec = rd_text(&r, 1, 0)))
			break;
		v = rd_real(&r, 2, 0);
		if ((k = name_index(res->sections, res->nsections, sec)) < 0)
			rd_bad(&r, 1, "names a section the run does not have");
		if (!r.rc)
			KP_SEC(res, pos, k) = v;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}


/* Room for each unit's items (cap[pos]: how many its rows counted). */
static int alloc_items(kp_store *s, long id, kp_result *res, const id_pos *ix, unsigned *cap, kp_err *err)
{
	rd r;
	size_t pos;
	int rc;

	if ((rc = run_query(s, &r, "points", "SELECT unit_id, count(*) FROM points WHERE run_id = ? GROUP BY unit_id",
			    id, err)))
		return rc;
	while (rd_step(&r) > 0) {
		kp_unit_result *u = row_unit(&r, res, ix, 0, &pos);
		size_t cnt = (size_t)rd_int(&r, 1, 1, UINT_MAX, 0, NULL);
		if (r.rc)
			break;
		if (!(u->items = kp_result_alloc(res, cnt * sizeof *u->items, err)))
			r.rc = KP_EINTERNAL;
		cap[pos] = (unsigned)cnt;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_items(kp_store *s, long id, kp_result *res, const id_pos *ix, const unsigned *cap, kp_err *err)
{
	rd r;
	size_t pos;
	int rc;

	if ((rc = run_query(s, &r, "points", "SELECT unit_id, kind, section, item, points, max_points, note, skipped "
			    "FROM points WHERE run_id = ? ORDER BY unit_id, seq", id, err)))
		return rc;
	while (rd_step(&r) > 0) {
		kp_unit_result *u = row_unit(&r, res, ix, 0, &pos);
		const char *kind, *sec;
		kp_item *it;
		if (!u || (u->nitems >= cap[pos] && too_many(&r)))
			break;
		it = &u->items[u->nitems++];
		kind = rd_text(&r, 1, 0);
		it->kind = name_index(item_kinds, NKINDS, kind);
		sec = rd_text(&r, 2, 1);
		it->section = sec ? name_index(res->sections, res->nsections, sec) : -1;
		it->name = rd_str(&r, res, 3, 0);
		it->points = rd_real(&r, 4, 0);
		it->max = rd_real(&r, 5, 1);
		it->note = rd_str(&r, res, 6, 1);
		it->skipped = RD_FLAG(&r, 7);
		if (kind && it->kind < 0)
			rd_bad(&r, 1, "is not a kind of item kaoping writes");
		if (sec && it->section < 0)
			rd_bad(&r, 2, "names a section the run does not have");
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_details(kp_store *s, long id, kp_result *res, kp_err *err)
{
	id_pos *ix = malloc((res->nunits + 1) * sizeof *ix);
	unsigned *cap = calloc(res->nunits + 1, sizeof *cap);
	size_t i;
	int rc;

	res->sec = calloc(res->nunits * res->nsections + 1, sizeof *res->sec);
	if (!ix || !cap || !res->sec) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < res->nunits; i++)
		ix[i].id = res->units[i].id, ix[i].pos = i;
	qsort(ix, res->nunits, sizeof *ix, id_cmp);
	if (!(rc = load_section_points(s, id, res, ix, err)) && !(rc = alloc_items(s, id, res, ix, cap, err)))
		rc = load_items(s, id, res, ix, cap, err);
out:
	free(ix);
	free(cap);
	return rc;
}

static int load_run_row(kp_store *s, long run_id, kp_result *res, kp_err *err)
{
	rd r;
	int rc, got;

	if ((rc = run_query(s, &r, "runs", "SELECT year, title, rules_file, rules_sha256, precision, last_year "
			    "FROM runs WHERE id = ?", run_id, err)))
		return rc;
	if ((got = rd_step(&r)) > 0) {
		res->run_id = run_id;
		res->year = (int)rd_int(&r, 0, 0, 99999, 0, NULL);
		res->title = rd_str(&r, res, 1, 0);
		res->rules_file = rd_str(&r, res, 2, 0);
		res->rules_sha256 = rd_str(&r, res, 3, 0);
		res->precision = (int)rd_int(&r, 4, 0, 6, 0, NULL);
		res->last_year = (int)rd_int(&r, 5, 0, 99999, 1, NULL);
	}
	sqlite3_finalize(r.st);
	if (got == 0)
		return kp_err_set(err, KP_EDATA, "%s: there is no run %ld", s->path, run_id);
	return r.rc;
}

int kp_store_load_run(kp_store *s, long run_id, kp_result **out, kp_err *err)
{
	kp_result *res = NULL;
	int rc;

	*out = NULL;
	/* one read transaction: one consistent view of the run */
	if ((rc = exec(s, "BEGIN", err)))
		return rc;
	if (run_id == 0 && !(rc = newest_run(s, 0, &run_id, err)) && run_id == 0)
		rc = kp_err_set(err, KP_EDATA, "%s: no scoring run yet (kaoping score RULES)", s->path);
	if (!rc && !(res = kp_result_new(err)))
		rc = KP_EINTERNAL;
	if (!rc && !(rc = load_run_row(s, run_id, res, err)) && !(rc = load_sections(s, run_id, res, err)) &&
	    !(rc = load_grades(s, run_id, res, err)) && !(rc = load_categories(s, run_id, res, err)) &&
	    !(rc = load_units(s, run_id, res, err)))
		rc = load_details(s, run_id, res, err);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
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

/* Last year's units from a loaded run (copies: the run is freed). */
static int last_of(const kp_result *res, int year, kp_last **out, kp_err *err)
{
	kp_last *l = calloc(1, sizeof *l);
	size_t i, k;

	if (!l || !(l->u = calloc(res->nunits + 1, sizeof *l->u)) ||
	    !(l->sections = calloc(res->nsections + 1, sizeof *l->sections)) ||
	    !(l->sec = calloc(res->nunits * res->nsections + 1, sizeof *l->sec)))
		goto oom;
	l->year = year;
	for (k = 0; k < res->nsections; k++, l->nsections = k)
		if (!(l->sections[k] = strdup(res->sections[k])))
			goto oom;
	for (i = 0; i < res->nunits; i++) {
		const kp_unit_result *u = &res->units[i];
		l->u[i].id = strdup(u->id);
		l->u[i].grade = u->grade >= 0 ? strdup(res->grades[u->grade]) : NULL;
		l->u[i].total = u->total;
		l->u[i].rank = u->rank;
		l->u[i].row = i;
		for (k = 0; k < res->nsections; k++)
			l->sec[i * res->nsections + k] = KP_SEC(res, i, k);
		l->n = i + 1;
		if (!l->u[i].id || (u->grade >= 0 && !l->u[i].grade))
			goto oom;
	}
	qsort(l->u, l->n, sizeof *l->u, last_cmp);
	*out = l;
	return 0;
oom:
	kp_store_last_free(l);
	return kp_err_oom(err);
}

int kp_store_last(kp_store *s, int year, kp_last **out, kp_err *err)
{
	kp_result *res = NULL;
	long id;
	int rc;

	*out = NULL;
	if ((rc = newest_run(s, year, &id, err)) || id == 0)
		return rc;
	if ((rc = kp_store_load_run(s, id, &res, err)))
		return rc;
	rc = last_of(res, year, out, err);
	kp_result_free(res);
	return rc;
}

const char *kp_store_sqlite_version(void)
{
	return sqlite3_libversion();
}
