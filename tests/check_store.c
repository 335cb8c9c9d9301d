/* check_store.c — the SQLite store: opening (fresh, empty, newer, foreign
 * and non-SQLite files), imports (rows, columns, source lines, the imports
 * row), all-or-nothing imports checked byte for byte and row for row,
 * re-imports and --replace, and reading the data back typed by the rules.
 * Each test works in its own mkdtemp folder.  Run from the repository root
 * (reads rules/bench.lua and tests/data/). */
#include <dirent.h>
#include <glob.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/data.h"
#include "kaoping/derive.h"
#include "kaoping/enc.h"
#include "kaoping/num.h"
#include "kaoping/rules.h"
#include "kaoping/score.h"
#include "kaoping/note.h"
#include "kaoping/store.h"
#include "kaoping/table.h"
#include "../core/store_int.h" /* the store's connection, to inject a failure */

/* ---------- a temporary folder per test ---------- */

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/kp_store_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static const char *path(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void write_file(const char *p, const char *text, size_t n)
{
	FILE *f = fopen(p, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}
#define WRITE(p, s) write_file(p, s, strlen(s))

static int exists(const char *p)
{
	return access(p, F_OK) == 0;
}

/* ---------- looking inside with the sqlite3 API ---------- */

static sqlite3 *raw_open(const char *p)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return db;
}

/* The first column of the first row of sql, as text ("" for none, "NULL"). */
static char *q1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *out;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		out = strdup(sqlite3_column_type(st, 0) == SQLITE_NULL ? "NULL" : (const char *)sqlite3_column_text(st, 0));
	else
		out = strdup("");
	sqlite3_finalize(st);
	return out;
}

/* Every row of sql, columns joined by '|', rows ended by '\n'. */
static char *rows_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 256;
	char *out = malloc(cap);
	int i;

	out[0] = '\0';
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = sqlite3_column_type(st, i) == SQLITE_NULL ? "NULL" : (const char *)sqlite3_column_text(st, i);
			size_t len = strlen(v) + 2;
			while (n + len + 1 > cap)
				out = realloc(out, cap *= 2);
			n += (size_t)sprintf(out + n, "%s%s", i ? "|" : "", v);
		}
		while (n + 2 > cap)
			out = realloc(out, cap *= 2);
		out[n++] = '\n';
		out[n] = '\0';
	}
	sqlite3_finalize(st);
	return out;
}

static long qint(sqlite3 *db, const char *sql)
{
	char *s = q1(db, sql);
	long v = atol(s);

	free(s);
	return v;
}

/* A logical dump: schema, then every table's rows in rowid order. */
static char *dump(const char *p)
{
	sqlite3 *db = raw_open(p);
	char *schema = rows_of(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name");
	char *names = rows_of(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
	char *out = strdup(schema), *line, *save = NULL;

	for (line = strtok_r(names, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", line), *rows = rows_of(db, sql);
		size_t n = strlen(out);
		out = realloc(out, n + strlen(line) + strlen(rows) + 8);
		sprintf(out + n, "== %s\n%s", line, rows);
		sqlite3_free(sql);
		free(rows);
	}
	free(schema);
	free(names);
	sqlite3_close(db);
	return out;
}

/* SHA-256 of a file's bytes in hex, or "absent". */
static void file_hash(const char *p, char out[65])
{
	unsigned char md[32], buf[65536];
	unsigned mdlen, i;
	EVP_MD_CTX *c;
	FILE *f = fopen(p, "rb");
	size_t n;

	if (!f) {
		strcpy(out, "absent");
		return;
	}
	c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(c, buf, n);
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	fclose(f);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* ---------- fixtures ---------- */

/* Benchmark-shaped units (rules/bench.lua): ids, names (one quoted with a
 * comma and a newline), categories, i01..i20. */
static const char units_csv[] =
	"unit_id,name,category,i01,i02,i03,i04,i05,i06,i07,i08,i09,i10,i11,i12,i13,i14,i15,i16,i17,i18,i19,i20\n"
	"U01,城关镇,town,0.95,1,0.5,0.9,0.8,0.7,0.6,0.5,0.4,0.3,400,10,20,30,40,50,60,70,0,0\n"
	"U02,\"县公安局,\n治安大队\",dept,96.4%,1,1,1,1,1,1,1,1,1,\"1,102\",1,1,1,1,1,1,1,1,0\n"
	"U03,县林业局,dept,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,1\n"
	"U04,东风镇,town,0.5,,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,5,5,5,5,5,5,5,5,0,0\n";

static const char events_csv[] = "unit,case_no,score\r\nU01,A-1,90\r\nU02,A-2,85\r\nU02,A-3,\"70\"\r\n";

static kp_store *open_w(const char *p)
{
	kp_store *s = NULL;
	kp_err err = { 0 };

	ck_assert_msg(kp_store_open(p, KP_STORE_WRITE, &s, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

static int import(kp_store *s, const char *const *files, size_t n, int year, const char *as, int replace,
		  kp_import_done *done, kp_err *err)
{
	kp_import_opts o;

	memset(&o, 0, sizeof o);
	memset(err, 0, sizeof *err);
	o.year = year, o.as = as, o.replace = replace;
	return kp_store_import(s, files, n, &o, done, err);
}

/* One small import into s, committed: a new file's schema is committed
 * with the command's first work, never on its own. */
static void commit_db(kp_store *s)
{
	const char *csv = path("seed.csv"), *files[1];
	kp_err err;

	write_file(csv, "id,v\na,1\n", 9);
	files[0] = csv;
	ck_assert_msg(import(s, files, 1, 2021, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_store_created(s), 0);
}

/* A kaoping database at p holding one small import. */
static void make_db(const char *p)
{
	kp_store *s = open_w(p);

	commit_db(s);
	kp_store_close(s);
}

/* ---------- opening ---------- */

START_TEST(test_open_fresh)
{
	static const char *tables[] = { "imports", "import_columns", "runs", "run_imports", "run_sections",
					"run_grades", "run_categories", "results", "unit_items", "run_items",
					"run_notes", "section_points", "points" };
	const char *db = path("k.db");
	kp_store *s = open_w(db);
	sqlite3 *raw;
	char *v, sql[128];
	size_t i;

	ck_assert(exists(db));
	/* the schema is this command's until its work commits with it: closed
	 * without work, the file holds nothing (its command removes it) */
	ck_assert_int_eq(kp_store_created(s), 1);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "PRAGMA user_version"), 0);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM sqlite_schema"), 0);
	sqlite3_close(raw);
	s = open_w(db);
	ck_assert_int_eq(kp_store_created(s), 1);
	commit_db(s);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "PRAGMA user_version"), KP_STORE_SCHEMA);
	ck_assert_int_eq(KP_STORE_SCHEMA, 2);
	v = q1(raw, "PRAGMA journal_mode");
	ck_assert_str_eq(v, "wal");
	free(v);
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE type IN ('table', 'view') AND name = '%s'", tables[i]);
		ck_assert_msg(qint(raw, sql) == 1, "no table %s", tables[i]);
	}
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM imports"), 1); /* commit_db's */
	sqlite3_close(raw);
	/* opened again: nothing to migrate, still version 2, not made here */
	s = open_w(db);
	ck_assert_int_eq(kp_store_created(s), 0);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "PRAGMA user_version"), 2);
	sqlite3_close(raw);
	/* and for reading */
	{
		kp_err err = { 0 };
		ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), 0);
		kp_store_close(s);
	}
}
END_TEST

/* An empty (0-byte) file is migrated to the current schema. */
START_TEST(test_open_empty_file)
{
	const char *db = path("empty.db");
	kp_store *s;
	kp_err err = { 0 };
	sqlite3 *raw;

	WRITE(db, "");
	ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), KP_ENOINPUT);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
	s = open_w(db);
	commit_db(s);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "PRAGMA user_version"), 2);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM sqlite_schema WHERE name = 'imports'"), 1);
	sqlite3_close(raw);
}
END_TEST

/* A database with user_version 0 and no tables (made by another tool) is
 * migrated too. */
START_TEST(test_open_blank_sqlite)
{
	const char *db = path("blank.db");
	sqlite3 *raw = NULL;
	kp_store *s;

	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA page_size = 8192; VACUUM", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	s = open_w(db);
	commit_db(s);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "PRAGMA user_version"), 2);
	sqlite3_close(raw);
}
END_TEST

START_TEST(test_open_newer_schema)
{
	const char *db = path("newer.db");
	kp_store *s = open_w(db);
	kp_err err = { 0 };
	sqlite3 *raw;
	char before[65], after[65];

	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	file_hash(db, before);
	ck_assert_int_eq(kp_store_open(db, KP_STORE_WRITE, &s, &err), KP_EDATA);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, db) && strstr(err.msg, "newer"), "%s", err.msg);
	ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), KP_EDATA);
	file_hash(db, after);
	ck_assert_str_eq(before, after);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "PRAGMA user_version"), 3);
	sqlite3_close(raw);
}
END_TEST

START_TEST(test_open_not_sqlite)
{
	const char *p = path("notes.db"), *csv = path("units.csv");
	char before[65], after[65];
	kp_store *s;
	kp_err err = { 0 };

	WRITE(p, "This is not a database, just some notes that are long enough to look like a header.\n"
		 "More text, more text, more text, more text, more text, more text, more text.\n");
	file_hash(p, before);
	ck_assert_int_eq(kp_store_open(p, KP_STORE_WRITE, &s, &err), KP_EDATA);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, p) != NULL, "%s", err.msg);
	ck_assert_int_eq(kp_store_open(p, KP_STORE_READ, &s, &err), KP_EDATA);
	file_hash(p, after);
	ck_assert_str_eq(before, after);
	ck_assert(!exists(path("notes.db-wal")));
	/* a CSV file given as the database */
	WRITE(csv, units_csv);
	ck_assert_int_eq(kp_store_open(csv, KP_STORE_WRITE, &s, &err), KP_EDATA);
}
END_TEST

/* Another application's SQLite database is not taken over. */
START_TEST(test_open_foreign_sqlite)
{
	const char *db = path("other.db");
	sqlite3 *raw = NULL;
	kp_store *s;
	kp_err err = { 0 };
	char before[65], after[65];

	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES('x')", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	file_hash(db, before);
	ck_assert_int_eq(kp_store_open(db, KP_STORE_WRITE, &s, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "not one of kaoping's"));
	file_hash(db, after);
	ck_assert_str_eq(before, after);
}
END_TEST

/* The store's refusals in both languages, whole: a database of a newer
 * schema, another program's SQLite database, no database at all. */
START_TEST(test_open_messages_zh_en)
{
	const char *newer = path("newer.db"), *other = path("other.db"), *none = path("none.db");
	kp_store *s = open_w(newer);
	kp_err err = { 0 };
	sqlite3 *raw;
	char want[1024];

	kp_store_close(s);
	raw = raw_open(newer);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	ck_assert_int_eq(sqlite3_open(other, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "CREATE TABLE contacts(name TEXT)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);

	kp_msg_set_lang(KP_LANG_ZH);
	ck_assert_int_eq(kp_store_open(newer, KP_STORE_READ, &s, &err), KP_EDATA);
	snprintf(want, sizeof want, "%s: 由更新版本的 kaoping 写入（结构版本3；本版本只认识%d）：请升级 kaoping", newer,
		 KP_STORE_SCHEMA);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(kp_store_open(other, KP_STORE_READ, &s, &err), KP_EDATA);
	snprintf(want, sizeof want, "%s: 是 SQLite 数据库，但不是 kaoping 的数据库", other);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(kp_store_open(none, KP_STORE_READ, &s, &err), KP_ENOINPUT);
	snprintf(want, sizeof want, "%s: 找不到数据库（请先导入数据，或用 --db FILE 指定）", none);
	ck_assert_str_eq(err.msg, want);

	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_int_eq(kp_store_open(newer, KP_STORE_READ, &s, &err), KP_EDATA);
	snprintf(want, sizeof want, "%s: written by a newer kaoping (schema 3; this one knows %d): upgrade kaoping", newer,
		 KP_STORE_SCHEMA);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(kp_store_open(other, KP_STORE_READ, &s, &err), KP_EDATA);
	snprintf(want, sizeof want, "%s: an SQLite database, but not one of kaoping's", other);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(kp_store_open(none, KP_STORE_READ, &s, &err), KP_ENOINPUT);
	snprintf(want, sizeof want, "%s: no such database (import data first, or say --db FILE)", none);
	ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(test_open_missing_and_dirs)
{
	kp_store *s;
	kp_err err = { 0 };

	ck_assert_int_eq(kp_store_open(path("missing.db"), KP_STORE_READ, &s, &err), KP_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing.db"));
	ck_assert(!exists(path("missing.db"))); /* reading creates nothing */
	ck_assert_int_eq(kp_store_open(dir, KP_STORE_WRITE, &s, &err), KP_ECREATE);
	ck_assert_int_eq(kp_store_open(dir, KP_STORE_READ, &s, &err), KP_ENOINPUT);
	ck_assert_int_eq(kp_store_open(path("no/such/folder.db"), KP_STORE_WRITE, &s, &err), KP_ECREATE);
	ck_assert_ptr_null(s);
	/* not a regular file (a FIFO; a device alike): refused, nothing made beside it */
	ck_assert_int_eq(mkfifo(path("pipe.db"), 0644), 0);
	ck_assert_int_eq(kp_store_open(path("pipe.db"), KP_STORE_WRITE, &s, &err), KP_ECREATE);
	ck_assert_msg(strstr(err.msg, "is a named pipe (FIFO), not a database") != NULL, "%s", err.msg);
	ck_assert_int_eq(kp_store_open(path("pipe.db"), KP_STORE_READ, &s, &err), KP_ENOINPUT);
	ck_assert(!exists(path("pipe.db-journal")));
	ck_assert(!exists(path("pipe.db-wal")));
	unlink(path("pipe.db"));
	if (geteuid() != 0) { /* root writes anyway */
		const char *ro = path("ro.db");
		kp_store_close(open_w(ro));
		chmod(ro, 0444);
		ck_assert_int_eq(kp_store_open(ro, KP_STORE_WRITE, &s, &err), KP_ECREATE);
		chmod(ro, 0644);
	}
	ck_assert_ptr_nonnull(kp_store_sqlite_version());
	ck_assert_str_eq(kp_store_sqlite_version(), sqlite3_libversion());
}
END_TEST

/* A -journal, -wal or -shm that is not a regular file (a FIFO would block
 * open(2) for ever): refused before SQLite opens anything. */
START_TEST(test_open_sidecar_not_regular)
{
	const char *db = path("k.db");
	static const char *const sides[] = { "-journal", "-wal", "-shm" };
	char side[600];
	kp_store *s;
	kp_err err;
	size_t i;

	make_db(db);
	for (i = 0; i < 3; i++) {
		snprintf(side, sizeof side, "%s%s", db, sides[i]);
		ck_assert_int_eq(mkfifo(side, 0644), 0);
		ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), KP_EDATA);
		ck_assert_ptr_null(s);
		ck_assert_msg(strstr(err.msg, "is a named pipe (FIFO), not a regular file") != NULL, "%s", err.msg);
		ck_assert_int_eq(kp_store_open(db, KP_STORE_UPDATE, &s, &err), KP_EDATA);
		ck_assert_int_eq(unlink(side), 0);
		ck_assert_int_eq(symlink(db, side), 0);
		ck_assert_int_eq(kp_store_open(db, KP_STORE_WRITE, &s, &err), KP_EDATA);
		ck_assert_msg(strstr(err.msg, "is a symbolic link") != NULL, "%s", err.msg);
		ck_assert_int_eq(unlink(side), 0);
	}
	ck_assert_msg(kp_store_open(db, KP_STORE_READ, &s, &err) == 0, "%s", err.msg);
	kp_store_close(s);
}
END_TEST

/* A database in rollback-journal mode (another tool's doing): opening it
 * to write changes nothing until a commit, which then switches it to WAL. */
START_TEST(test_open_rollback_mode_waits_for_commit)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	char h0[65], h1[65], *v;
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;

	WRITE(u, units_csv);
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	file_hash(db, h0);
	ck_assert_msg(kp_store_open(db, KP_STORE_UPDATE, &s, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	file_hash(db, h1);
	ck_assert_str_eq(h1, h0);
	s = open_w(db);
	ck_assert_int_eq(import(s, files, 1, 2022, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	raw = raw_open(db);
	v = q1(raw, "PRAGMA journal_mode");
	ck_assert_str_eq(v, "wal");
	free(v);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM imports"), 2);
	sqlite3_close(raw);
}
END_TEST

/* A -wal left behind with committed pages, by a connection that is gone
 * (kaoping checkpoints after every command that writes, so these are from
 * a command that did not finish or from another database): never merged
 * and never deleted; opening is refused and both files stay as they were.
 * While a connection holds the database open, its -wal is live and read. */
START_TEST(test_open_refuses_stray_wal)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	char wal[600], h_db[65], h_wal[65], h2[65];
	struct stat st;
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	int mode;

	WRITE(u, units_csv);
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &mode), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA wal_autocheckpoint = 0; UPDATE imports SET rows = 999", NULL, NULL, NULL),
			 SQLITE_OK);
	/* live: the connection is open, its log is part of the database */
	ck_assert_msg(kp_store_open(db, KP_STORE_READ, &s, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	sqlite3_close(raw);
	snprintf(wal, sizeof wal, "%s-wal", db);
	ck_assert_int_eq(stat(wal, &st), 0);
	ck_assert_int_gt(st.st_size, 0);
	file_hash(db, h_db), file_hash(wal, h_wal);
	ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), KP_EDATA);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, "-wal: holds changes that are not in") != NULL, "%s", err.msg);
	ck_assert_int_eq(kp_store_open(db, KP_STORE_UPDATE, &s, &err), KP_EDATA);
	ck_assert_int_eq(kp_store_open(db, KP_STORE_WRITE, &s, &err), KP_EDATA);
	file_hash(db, h2);
	ck_assert_str_eq(h2, h_db);
	file_hash(wal, h2);
	ck_assert_str_eq(h2, h_wal);
	/* moved away, the database opens as it was */
	ck_assert_int_eq(unlink(wal), 0);
	s = open_w(db);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT rows FROM imports"), 4);
	sqlite3_close(raw);
}
END_TEST

/* A -wal of kaoping's own transaction that stopped before its checkpoint
 * (its page 1 carries the database's id): replayed, as it must be (a
 * checkpoint cut short leaves the .db half written).  The same log under
 * another id is another database's: refused. */
START_TEST(test_open_replays_own_wal)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	long id;
	char sql[160];
	int mode;

	WRITE(u, units_csv);
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	raw = raw_open(db);
	id = qint(raw, "PRAGMA application_id");
	ck_assert_int_ne(id, 0);
	ck_assert_int_eq(sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &mode), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = 0; BEGIN; PRAGMA application_id = %ld; "
		 "UPDATE imports SET rows = 999; COMMIT", id);
	ck_assert_int_eq(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	ck_assert_msg(kp_store_open(db, KP_STORE_READ, &s, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT rows FROM imports"), 999);
	ck_assert_int_eq(sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &mode), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = 0; BEGIN; PRAGMA application_id = %ld; "
		 "UPDATE imports SET rows = 5; COMMIT", id + 1);
	ck_assert_int_eq(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "kaoping did not write") != NULL, "%s", err.msg);
}
END_TEST

/* A -wal whose transaction never committed (a command killed before its
 * COMMIT) adds nothing: the database opens, as it was. */
START_TEST(test_open_uncommitted_wal)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	char wal[600], *before, *after;
	struct stat st;
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	int mode;

	WRITE(u, units_csv);
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	before = dump(db);
	raw = raw_open(db);
	ck_assert_int_eq(sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &mode), SQLITE_OK);
	/* a small cache spills the open transaction's pages into the log */
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA cache_size = 2; BEGIN; CREATE TABLE big(x); "
				      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
				      "INSERT INTO big SELECT randomblob(4000) FROM n",
				      NULL, NULL, NULL), SQLITE_OK);
	snprintf(wal, sizeof wal, "%s-wal", db);
	ck_assert_int_eq(stat(wal, &st), 0);
	ck_assert_int_gt(st.st_size, 0);
	sqlite3_close(raw); /* no COMMIT: rolled back, the frames stay */
	ck_assert_msg(kp_store_open(db, KP_STORE_READ, &s, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	after = dump(db);
	ck_assert_str_eq(after, before);
	free(before), free(after);
	/* a writer over those frames: its log starts over them, none of the
	 * dead transaction's pages reaches the file (see check_sidecars) */
	s = open_w(db);
	ck_assert_int_eq(import(s, files, 1, 2022, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	raw = raw_open(db);
	before = q1(raw, "PRAGMA integrity_check");
	after = q1(raw, "SELECT count(*) FROM sqlite_schema WHERE name = 'big'");
	ck_assert_str_eq(before, "ok");
	ck_assert_str_eq(after, "0");
	free(before), free(after);
	before = q1(raw, "SELECT group_concat(year) FROM imports");
	ck_assert_str_eq(before, "2021,2022");
	free(before);
	sqlite3_close(raw);
}
END_TEST

/* ---------- importing ---------- */

START_TEST(test_import_good)
{
	const char *db = path("k.db"), *u = path("units.csv"), *e = path("events.csv");
	const char *files[] = { u, e };
	kp_import_done done[2];
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	char *v, sql[256];

	WRITE(u, units_csv);
	WRITE(e, events_csv);
	memset(done, 0, sizeof done);
	ck_assert_msg(import(s, files, 2, 2021, NULL, 0, done, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(done[0].name, "units");
	ck_assert_uint_eq(done[0].rows, 4);
	ck_assert_uint_eq(done[0].cols, 23);
	ck_assert_int_eq(done[0].encoding, KP_ENC_UTF8);
	ck_assert_int_eq(done[0].replaced, 0);
	ck_assert_str_eq(done[1].name, "events");
	ck_assert_uint_eq(done[1].rows, 3);
	ck_assert_uint_eq(done[1].cols, 3);
	ck_assert_int_gt(done[1].id, done[0].id);
	kp_store_close(s);

	raw = raw_open(db);
	v = rows_of(raw, "SELECT year, name, rows, encoding, data_table, replaced_at IS NULL, "
			 "imported_at LIKE '____-__-__T__:__:__Z' FROM imports ORDER BY id");
	ck_assert_str_eq(v, "2021|units|4|UTF-8|2021/units|1|1\n2021|events|3|UTF-8|2021/events|1|1\n");
	free(v);
	snprintf(sql, sizeof sql, "SELECT file = '%s' FROM imports WHERE name = 'units'", u);
	ck_assert_int_eq(qint(raw, sql), 1);
	/* the hash is of the file's bytes */
	{
		char want[65], *got;
		file_hash(u, want);
		got = q1(raw, "SELECT sha256 FROM imports WHERE name = 'units'");
		ck_assert_str_eq(got, want);
		free(got);
	}
	v = rows_of(raw, "SELECT position, name FROM import_columns WHERE import_id = "
			 "(SELECT id FROM imports WHERE name = 'events') ORDER BY position");
	ck_assert_str_eq(v, "1|unit\n2|case_no\n3|score\n");
	free(v);
	/* the data, as text, with the line each row starts on */
	v = rows_of(raw, "SELECT _line, unit_id, name, category, i01, i02, i11 FROM \"2021/units\" ORDER BY rowid");
	ck_assert_str_eq(v, "2|U01|城关镇|town|0.95|1|400\n"
			    "3|U02|县公安局,\n治安大队|dept|96.4%|1|1,102\n"
			    "5|U03|县林业局|dept|0|0|0\n"
			    "6|U04|东风镇|town|0.5||5\n");
	free(v);
	v = rows_of(raw, "SELECT * FROM \"2021/events\" ORDER BY rowid");
	ck_assert_str_eq(v, "2|U01|A-1|90\n3|U02|A-2|85\n4|U02|A-3|70\n");
	free(v);
	v = q1(raw, "SELECT group_concat(name, ',') FROM pragma_table_info('2021/events')");
	ck_assert_str_eq(v, "_line,unit,case_no,score");
	free(v);
	sqlite3_close(raw);
}
END_TEST

/* A GB18030 file is stored in UTF-8 and says what it was. */
START_TEST(test_import_gb18030)
{
	const char *db = path("k.db");
	const char *files[] = { "tests/data/gb18030.csv" };
	kp_import_done done;
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	char *v;

	ck_assert_msg(import(s, files, 1, 2021, NULL, 0, &done, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(done.encoding, KP_ENC_GB18030);
	ck_assert_uint_eq(done.rows, 4);
	ck_assert_str_eq(done.name, "gb18030");
	kp_store_close(s);
	raw = raw_open(db);
	v = rows_of(raw, "SELECT encoding, rows FROM imports");
	ck_assert_str_eq(v, "GB18030|4\n");
	free(v);
	v = rows_of(raw, "SELECT _line, 单位代码, 单位名称, 得分 FROM \"2021/gb18030\" ORDER BY rowid");
	ck_assert_str_eq(v, "2|Z01|城关镇|1,102\n3|Z02|东风镇|96.4%\n5|B01|县公安局|0\n6|B02|𠀀镇|7\n");
	free(v);
	v = q1(raw, "SELECT 备注 FROM \"2021/gb18030\" WHERE _line = 3");
	ck_assert_str_eq(v, "多行\r\n备注，含“引号”与\"双引号\"");
	free(v);
	sqlite3_close(raw);
}
END_TEST

/* Column names that need quoting in SQL are stored as they are. */
START_TEST(test_import_odd_names)
{
	const char *db = path("k.db"), *f = path("o\"dd'name.csv");
	const char *files[] = { f };
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	char *v;

	WRITE(f, "\"a\"\"b\",c'd,\"x]y\",select,\"e f\"\n1,2,3,4,5\n");
	ck_assert_msg(import(s, files, 1, 2021, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	raw = raw_open(db);
	v = rows_of(raw, "SELECT name FROM import_columns ORDER BY position");
	ck_assert_str_eq(v, "a\"b\nc'd\nx]y\nselect\ne f\n");
	free(v);
	v = rows_of(raw, "SELECT * FROM \"2021/o\"\"dd'name\"");
	ck_assert_str_eq(v, "2|1|2|3|4|5\n");
	free(v);
	sqlite3_close(raw);
}
END_TEST

/* A column called _line would clash with the line column. */
START_TEST(test_import_reserved_column)
{
	const char *db = path("k.db"), *f = path("x.csv");
	const char *files[] = { f };
	kp_store *s = open_w(db);
	kp_err err;

	WRITE(f, "a,_line\n1,2\n");
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "_line"));
	kp_store_close(s);
}
END_TEST

/* --as names a single file's dataset. */
START_TEST(test_import_as)
{
	const char *db = path("k.db"), *f = path("export (3).csv");
	const char *files[] = { f };
	kp_import_done done;
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;

	WRITE(f, events_csv);
	ck_assert_msg(import(s, files, 1, 2021, "案卷评查", 0, &done, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(done.name, "案卷评查");
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM \"2021/案卷评查\""), 3);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM imports WHERE name = '案卷评查'"), 1);
	sqlite3_close(raw);
}
END_TEST

/* Two files with one stem are refused before anything is written. */
START_TEST(test_import_same_stem)
{
	const char *db = path("k.db"), *a = path("units.csv");
	const char *files[] = { a, "tests/data/gb18030.csv", "samples/2021/units.csv" };
	kp_store *s = open_w(db);
	kp_err err;

	WRITE(a, units_csv);
	ck_assert_int_eq(import(s, files, 3, 2021, NULL, 0, NULL, &err), KP_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "'units'"));
	kp_store_close(s);
}
END_TEST

/* ---------- all or nothing ---------- */

struct snapshot {
	char db[65], wal[65];
	char *dump;
};

static void snap(struct snapshot *sn, const char *db)
{
	char w[600];

	snprintf(w, sizeof w, "%s-wal", db);
	file_hash(db, sn->db);
	file_hash(w, sn->wal);
	sn->dump = dump(db);
}

static void same_snap(struct snapshot *a, struct snapshot *b, const char *what)
{
	ck_assert_msg(!strcmp(a->db, b->db), "%s: the database file changed", what);
	ck_assert_msg(!strcmp(a->wal, b->wal), "%s: the -wal file changed (%s -> %s)", what, a->wal, b->wal);
	ck_assert_msg(!strcmp(a->dump, b->dump), "%s: the content changed:\n%s\n--- now ---\n%s", what, a->dump, b->dump);
	free(a->dump);
	free(b->dump);
}

/* One bad file among good ones: KP_EDATA and the database exactly as
 * before, on disk and in content; then the good files go in. */
START_TEST(test_import_atomic)
{
	static const char *bad[] = {
		"unit_id,x\nU01,1\nU02\n",                  /* a short row */
		"unit_id,x\nU01,\"1\nU02,2\n",              /* an unterminated quote */
		"unit_id,unit_id\nU01,1\n",                 /* a repeated header name */
		"unit_id,x\nU01,1\nU02,\xff\xfe\n",         /* not UTF-8 (nor GB18030) */
		"",                                         /* empty */
	};
	const char *db = path("k.db"), *u = path("units.csv"), *e = path("events.csv"), *b = path("bad.csv");
	const char *first[] = { u };
	const char *files[] = { e, b };
	struct snapshot before, after;
	kp_import_done done[2];
	kp_store *s = open_w(db);
	kp_err err;
	size_t i;

	WRITE(u, units_csv);
	WRITE(e, events_csv);
	ck_assert_msg(import(s, first, 1, 2021, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		WRITE(b, bad[i]);
		snap(&before, db);
		s = open_w(db);
		ck_assert_int_eq(import(s, files, 2, 2021, NULL, 0, done, &err), KP_EDATA);
		ck_assert_msg(strstr(err.msg, "bad.csv"), "case %zu: '%s' does not name the file", i, err.msg);
		kp_store_close(s);
		snap(&after, db);
		same_snap(&before, &after, bad[i]);
	}
	/* the same, with the connection kept open: the main file is untouched
	 * and the content is the same */
	s = open_w(db);
	snap(&before, db);
	ck_assert_int_eq(import(s, files, 2, 2021, NULL, 0, done, &err), KP_EDATA);
	snap(&after, db);
	ck_assert_str_eq(before.db, after.db);
	ck_assert_str_eq(before.dump, after.dump);
	free(before.dump), free(after.dump);
	/* a missing second file: KP_ENOINPUT, nothing written */
	{
		const char *missing[] = { e, path("nope.csv") };
		snap(&before, db);
		ck_assert_int_eq(import(s, missing, 2, 2021, NULL, 0, done, &err), KP_ENOINPUT);
		ck_assert_ptr_nonnull(strstr(err.msg, "nope.csv"));
		snap(&after, db);
		ck_assert_str_eq(before.dump, after.dump);
		free(before.dump), free(after.dump);
	}
	/* and the good file still goes in afterwards */
	ck_assert_msg(import(s, files, 1, 2021, NULL, 0, done, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	{
		sqlite3 *raw = raw_open(db);
		char *v = rows_of(raw, "SELECT name FROM imports ORDER BY id");
		ck_assert_str_eq(v, "units\nevents\n");
		free(v);
		ck_assert_int_eq(qint(raw, "SELECT count(*) FROM sqlite_schema WHERE name = '2021/bad'"), 0);
		sqlite3_close(raw);
	}
}
END_TEST

/* ---------- importing again ---------- */

START_TEST(test_reimport)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	kp_import_done done;
	struct snapshot before, after;
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	char *v;

	WRITE(u, units_csv);
	ck_assert_msg(import(s, files, 1, 2021, NULL, 0, &done, &err) == 0, "%s", err.msg);
	kp_store_close(s);
	/* the same file for the same year: refused, nothing written */
	snap(&before, db);
	s = open_w(db);
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, &done, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, u) && strstr(err.msg, "already imported") && strstr(err.msg, "--replace"), "%s",
		      err.msg);
	kp_store_close(s);
	snap(&after, db);
	same_snap(&before, &after, "re-import");
	/* for another year: accepted */
	s = open_w(db);
	ck_assert_msg(import(s, files, 1, 2020, NULL, 0, &done, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(done.replaced, 0);
	/* with replace: the old import is retired, the new data is there */
	WRITE(u, "unit_id,name,category,i01,i02,i03,i04,i05,i06,i07,i08,i09,i10,i11,i12,i13,i14,i15,i16,i17,i18,i19,i20\n"
		 "U09,新单位,dept,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0\n");
	ck_assert_msg(import(s, files, 1, 2021, NULL, 1, &done, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(done.replaced, 1);
	ck_assert_uint_eq(done.rows, 1);
	kp_store_close(s);
	raw = raw_open(db);
	v = rows_of(raw, "SELECT id, year, name, rows, replaced_at IS NOT NULL, data_table FROM imports ORDER BY id");
	ck_assert_str_eq(v, "1|2021|units|4|1|NULL\n2|2020|units|4|0|2020/units\n3|2021|units|1|0|2021/units\n");
	free(v);
	v = rows_of(raw, "SELECT _line, unit_id, name FROM \"2021/units\"");
	ck_assert_str_eq(v, "2|U09|新单位\n");
	free(v);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM \"2020/units\""), 4);
	/* the retired import's columns no longer matter, the new ones are there */
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM import_columns WHERE import_id = 3"), 23);
	sqlite3_close(raw);
}
END_TEST

/* Another file under a name already imported: refused unless replace. */
START_TEST(test_same_name_other_file)
{
	const char *db = path("k.db"), *u = path("units.csv");
	char other_dir[600], other[700];
	const char *files[] = { u }, *files2[] = { other };
	kp_import_done done;
	kp_store *s = open_w(db);
	kp_err err;
	sqlite3 *raw;
	char *v;

	WRITE(u, units_csv);
	snprintf(other_dir, sizeof other_dir, "%s/sub", dir);
	ck_assert_int_eq(mkdir(other_dir, 0755), 0);
	snprintf(other, sizeof other, "%s/units.csv", other_dir);
	WRITE(other, "unit_id,name,category\nX1,甲,town\n");
	ck_assert_msg(import(s, files, 1, 2021, NULL, 0, &done, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(import(s, files2, 1, 2021, NULL, 0, &done, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "units") && strstr(err.msg, "already imported") && strstr(err.msg, "--replace"),
		      "%s", err.msg);
	ck_assert_msg(import(s, files2, 1, 2021, NULL, 1, &done, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(done.replaced, 1);
	kp_store_close(s);
	raw = raw_open(db);
	v = rows_of(raw, "SELECT * FROM \"2021/units\"");
	ck_assert_str_eq(v, "2|X1|甲|town\n");
	free(v);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM imports WHERE replaced_at IS NULL"), 1);
	sqlite3_close(raw);
	unlink(other);
	rmdir(other_dir);
}
END_TEST

/* The same contents under another name: refused unless replace. */
START_TEST(test_same_file_other_name)
{
	const char *db = path("k.db"), *u = path("units.csv"), *c = path("copy.csv");
	const char *files[] = { u }, *files2[] = { c };
	kp_store *s = open_w(db);
	kp_err err;

	WRITE(u, units_csv);
	WRITE(c, units_csv);
	ck_assert_msg(import(s, files, 1, 2021, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(import(s, files2, 1, 2021, NULL, 0, NULL, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "copy.csv") && strstr(err.msg, "already imported"), "%s", err.msg);
	kp_store_close(s);
}
END_TEST


/* ---------- runs: written and read back ---------- */

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Unit a of result x equals unit b of result y: every field, every
 * section, every item and its note (points compared exactly). */
static void same_unit(const kp_result *x, size_t a, const kp_result *y, size_t b, int items)
{
	const kp_unit_result *u = &x->units[a], *v = &y->units[b];
	size_t k;

	ck_assert_str_eq(u->id, v->id);
	ck_assert(same_str(u->name, v->name));
	ck_assert(same_str(KP_MORE(u)->veto_reason, KP_MORE(v)->veto_reason));
	ck_assert(same_str(KP_MORE(u)->tie_note, KP_MORE(v)->tie_note));
	ck_assert_str_eq(x->categories[u->category].name, y->categories[v->category].name);
	ck_assert(u->total == v->total && u->raw == v->raw && u->base == v->base);
	ck_assert(u->deductions == v->deductions && u->bonus == v->bonus);
	ck_assert_int_eq(u->grade, v->grade);
	ck_assert_int_eq(u->rank, v->rank);
	ck_assert_int_eq(u->elig_rank, v->elig_rank);
	ck_assert_int_eq(u->veto, v->veto);
	ck_assert_int_eq(u->quota_dropped, v->quota_dropped);
	ck_assert_int_eq(u->eligible, v->eligible);
	ck_assert_int_eq(u->commended, v->commended);
	ck_assert_int_eq(u->boundary_tie, v->boundary_tie);
	ck_assert_int_eq(KP_MORE(u)->has_last, KP_MORE(v)->has_last);
	ck_assert_int_eq(KP_MORE(u)->has_last_rank, KP_MORE(v)->has_last_rank);
	if (KP_MORE(u)->has_last)
		ck_assert(KP_MORE(u)->last_total == KP_MORE(v)->last_total);
	if (KP_MORE(u)->has_last_rank)
		ck_assert(KP_MORE(u)->last_rank == KP_MORE(v)->last_rank);
	for (k = 0; k < x->nsections; k++)
		ck_assert_msg(KP_SEC(x, a, k) == KP_SEC(y, b, k), "%s section %zu", u->id, k);
	if (!items)
		return;
	ck_assert_uint_eq(KP_MORE(u)->nitems, KP_MORE(v)->nitems);
	for (k = 0; k < KP_MORE(u)->nitems; k++) {
		const kp_item *i = &KP_MORE(u)->items[k], *j = &KP_MORE(v)->items[k];
		ck_assert_int_eq(i->kind, j->kind);
		ck_assert_int_eq(i->section, j->section);
		ck_assert_str_eq(i->name, j->name);
		ck_assert_msg(i->points == j->points, "%s item %zu: %.17g != %.17g", u->id, k, i->points, j->points);
		ck_assert(i->max == j->max);
		ck_assert_msg(same_str(i->note, j->note), "%s item %zu: '%s' != '%s'", u->id, k, i->note, j->note);
		ck_assert_int_eq(i->skipped, j->skipped);
	}
}

static void same_run(const kp_result *x, const kp_result *y, int items)
{
	size_t k;

	ck_assert_uint_eq(x->nunits, y->nunits);
	ck_assert_uint_eq(x->nsections, y->nsections);
	ck_assert_uint_eq(x->ngrades, y->ngrades);
	ck_assert_uint_eq(x->ncategories, y->ncategories);
	ck_assert_str_eq(x->title, y->title);
	ck_assert_int_eq(x->precision, y->precision);
	ck_assert_int_eq(x->last_year, y->last_year);
	for (k = 0; k < x->nsections; k++)
		ck_assert(!strcmp(x->sections[k], y->sections[k]) && x->section_points[k] == y->section_points[k]);
	for (k = 0; k < x->ngrades; k++)
		ck_assert_str_eq(x->grades[k], y->grades[k]);
	for (k = 0; k < x->ncategories; k++) {
		const kp_category_result *c = &x->categories[k], *d = &y->categories[k];
		ck_assert(!strcmp(c->name, d->name) && c->first == d->first && c->count == d->count);
		ck_assert(c->quota == d->quota && c->commended == d->commended && c->shortfall == d->shortfall);
		ck_assert(c->boundary_ties == d->boundary_ties && same_str(c->note, d->note));
	}
	for (k = 0; k < x->nunits; k++)
		same_unit(x, k, y, k, items);
}

/* Import files for year, score them with rules into a run written but
 * not committed (the sink writes every unit's items as they are scored);
 * the in-memory result is returned. */
static kp_result *score_uncommitted(kp_store *s, const char *rules, const char *const *files, size_t n, int year,
				    kp_data **dp)
{
	kp_rules *r = NULL;
	kp_data *d;
	kp_result *res = NULL;
	kp_last *last = NULL;
	kp_score_opts o;
	long *ids = NULL, run = 0;
	size_t nids = 0;
	kp_err err;

	ck_assert_msg(import(s, files, n, year, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_rules_load(rules, NULL, 0, &r, &err) == 0, "%s", err.msg);
	d = kp_data_new(&err);
	ck_assert_msg(kp_store_load(s, year, r, d, &ids, &nids, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_data_bind(d, r, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_store_last(s, year - 1, &last, &err) == 0, "%s", err.msg);
	memset(&o, 0, sizeof o);
	o.details = 1, o.last = last, o.sink = kp_store_run_sink, o.sink_ud = s;
	ck_assert_msg(kp_store_run_begin(s, r, year, ids, nids, &run, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_score_run(r, d, &o, &res, &err) == 0, "%s", err.msg);
	res->year = year;
	ck_assert_msg(kp_store_run_finish(s, res, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(res->run_id, run);
	free(ids);
	kp_store_last_free(last);
	kp_rules_free(r);
	*dp = d; /* the result borrows unit ids and names from the data */
	return res;
}

/* score_uncommitted, and the run committed: a recorded run. */
static kp_result *score_into(kp_store *s, const char *rules, const char *const *files, size_t n, int year,
			     kp_data **dp)
{
	kp_result *res = score_uncommitted(s, rules, files, n, year, dp);
	kp_err err;

	ck_assert_msg(kp_store_run_commit(s, &err) == 0, "%s", err.msg);
	return res;
}

/* A run written but never committed (its report could not be written) is
 * not in the database once the store is closed. */
START_TEST(test_run_uncommitted)
{
	const char *db = path("k.db");
	kp_store *s = open_w(db);
	kp_result *res, *back = NULL;
	kp_data *d;
	glob_t g;
	kp_err err;
	long id;

	ck_assert_int_eq(glob("samples/2021/*.csv", 0, NULL, &g), 0);
	res = score_uncommitted(s, "rules/2021-fazhi.lua", (const char *const *)g.gl_pathv, g.gl_pathc, 2021, &d);
	id = res->run_id;
	kp_store_close(s);
	kp_result_free(res);
	kp_data_free(d);
	s = open_w(db);
	ck_assert_int_ne(kp_store_load_run(s, 0, 0, &back, &err), 0);
	ck_assert_msg(strstr(err.msg, "no scoring run yet") != NULL, "%s", err.msg);
	ck_assert_ptr_null(back);
	kp_store_close(s);
	ck_assert_int_eq(id, 1);
	globfree(&g);
}
END_TEST

static void check_read_back(kp_store *s, const kp_result *res)
{
	kp_result *back = NULL, *one = NULL;
	kp_err err;
	size_t i;

	ck_assert_msg(kp_store_load_run(s, res->run_id, SIZE_MAX, &back, &err) == 0, "%s", err.msg);
	same_run(res, back, 1);
	kp_result_free(back);
	ck_assert_msg(kp_store_load_run(s, res->run_id, 0, &back, &err) == 0, "%s", err.msg);
	same_run(res, back, 0);
	for (i = 0; i < back->nunits; i++)
		ck_assert_ptr_null(KP_MORE(&back->units[i])->items);
	kp_result_free(back);
	for (i = 0; i < res->nunits; i++) {
		ck_assert_msg(kp_store_load_unit(s, res->run_id, res->units[i].id, &one, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(one->nunits, 1);
		same_unit(res, i, one, 0, 1);
		kp_result_free(one);
	}
	ck_assert_int_eq(kp_store_load_unit(s, res->run_id, "no such unit", &one, &err), KP_EDATA);
	ck_assert_ptr_null(one);
}

/* The demo's two years with rules/2021-fazhi.lua: every kind of item and
 * note (vetoes, deductions in sections, missing data rescaled, last
 * year), written as scored and read back whole, without details, and one
 * unit at a time. */
START_TEST(test_run_round_trip)
{
	const char *db = path("k.db");
	kp_store *s = open_w(db);
	kp_result *r20, *r21;
	kp_data *d20, *d21;
	glob_t g20, g21;

	ck_assert_int_eq(glob("samples/2020/*.csv", 0, NULL, &g20), 0);
	ck_assert_int_eq(glob("samples/2021/*.csv", 0, NULL, &g21), 0);
	r20 = score_into(s, "rules/2021-fazhi.lua", (const char *const *)g20.gl_pathv, g20.gl_pathc, 2020, &d20);
	check_read_back(s, r20);
	r21 = score_into(s, "rules/2021-fazhi.lua", (const char *const *)g21.gl_pathv, g21.gl_pathc, 2021, &d21);
	ck_assert_int_eq(r21->last_year, 2020);
	check_read_back(s, r21);
	kp_store_close(s);
	kp_result_free(r20), kp_result_free(r21);
	kp_data_free(d20), kp_data_free(d21);
	globfree(&g20), globfree(&g21);
}
END_TEST

/* A unit ranked among the towns (镇) in 2020 and among the departments
 * (部门) in 2021 (Z06: 9th of 10, then 8th of 29) keeps last year's total
 * but has no rank change: the run records last_rank NULL, and reads back
 * so; the units that stayed in their category keep theirs. */
START_TEST(test_run_last_category_changed)
{
	const char *db = path("k.db"), *units = path("units.csv");
	kp_store *s = open_w(db);
	kp_result *r20, *r21, *back = NULL;
	kp_data *d20, *d21;
	glob_t g20, g21;
	size_t i, at = SIZE_MAX;
	char *orig = NULL;
	sqlite3 *raw;
	kp_err err;
	char cmd[700];

	ck_assert_int_eq(glob("samples/2020/*.csv", 0, NULL, &g20), 0);
	ck_assert_int_eq(glob("samples/2021/*.csv", 0, NULL, &g21), 0);
	snprintf(cmd, sizeof cmd, "sed 's/^Z06,曹家湾镇,镇/Z06,曹家湾镇,部门/' samples/2021/units.csv > %s", units);
	ck_assert_int_eq(system(cmd), 0);
	for (i = 0; i < g21.gl_pathc; i++)
		if (!strcmp(g21.gl_pathv[i], "samples/2021/units.csv"))
			at = i, orig = g21.gl_pathv[i], g21.gl_pathv[i] = (char *)units; /* put back before globfree */
	ck_assert_uint_ne(at, SIZE_MAX);
	r20 = score_into(s, "rules/2021-fazhi.lua", (const char *const *)g20.gl_pathv, g20.gl_pathc, 2020, &d20);
	r21 = score_into(s, "rules/2021-fazhi.lua", (const char *const *)g21.gl_pathv, g21.gl_pathc, 2021, &d21);
	g21.gl_pathv[at] = orig;
	for (i = 0; i < r21->nunits; i++) {
		const kp_unit_result *u = &r21->units[i];
		ck_assert_msg(KP_MORE(u)->has_last, "%s", u->id);
		ck_assert_msg(KP_MORE(u)->has_last_rank == (strcmp(u->id, "Z06") != 0), "%s", u->id);
	}
	check_read_back(s, r21);
	ck_assert_msg(kp_store_load_unit(s, r21->run_id, "Z06", &back, &err) == 0, "%s", err.msg);
	ck_assert(KP_MORE(&back->units[0])->has_last && !KP_MORE(&back->units[0])->has_last_rank);
	kp_result_free(back);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM results WHERE run_id = 2 AND unit_id = 'Z06'"
				   " AND last_rank IS NULL AND last_total IS NOT NULL"), 1);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM results WHERE run_id = 2 AND last_rank IS NOT NULL"), 37);
	sqlite3_close(raw);
	kp_result_free(r20), kp_result_free(r21);
	kp_data_free(d20), kp_data_free(d21);
	globfree(&g20), globfree(&g21);
}
END_TEST

/* The notes the scorer writes are structured (kaoping/note.h: bytes
 * \x01-\x04 between names and numbers): the note templates of store_run.c
 * keep them byte for byte, and they still render after the trip. */
START_TEST(test_run_round_trip_structured_notes)
{
	const char *db = path("k.db");
	kp_store *s = open_w(db);
	kp_result *res, *back = NULL;
	kp_data *d;
	glob_t g;
	kp_err err;
	kp_sb zh = {0};
	size_t u, i, structured = 0;

	ck_assert_int_eq(glob("samples/2021/*.csv", 0, NULL, &g), 0);
	res = score_into(s, "rules/2021-fazhi.lua", (const char *const *)g.gl_pathv, g.gl_pathc, 2021, &d);
	for (u = 0; u < res->nunits; u++)
		for (i = 0; i < KP_MORE(&res->units[u])->nitems; i++)
			structured += kp_note_structured(KP_MORE(&res->units[u])->items[i].note);
	ck_assert_uint_gt(structured, res->nunits);
	check_read_back(s, res);
	ck_assert_msg(kp_store_load_run(s, res->run_id, SIZE_MAX, &back, &err) == 0, "%s", err.msg);
	for (u = 0; u < back->nunits; u++)
		for (i = 0; i < KP_MORE(&back->units[u])->nitems; i++) {
			const char *n = KP_MORE(&back->units[u])->items[i].note;
			ck_assert_int_eq(kp_note_render(n, KP_LANG_ZH, &zh, &err), 0);
			ck_assert(!kp_note_structured(kp_sb_str(&zh)));
			kp_sb_reset(&zh);
		}
	ck_assert_int_eq(kp_result_render_notes(back, KP_LANG_EN, &err), 0);
	kp_sb_free(&zh);
	kp_result_free(back);
	kp_store_close(s);
	kp_result_free(res);
	kp_data_free(d);
	globfree(&g);
}
END_TEST

/* ---------- a unit's imported rows (store_rows.c) ---------- */

static const char *key_unit(void *ud, const char *dataset)
{
	(void)ud, (void)dataset;
	return "单位代码"; /* every sample file's unit column */
}

static const char *key_none(void *ud, const char *dataset)
{
	(void)ud;
	return strcmp(dataset, "case_reviews") ? "no such column" : NULL;
}

/* "dataset file:line n;" for each row, appended to the buffer. */
static int row_text(void *ud, const kp_store_row *row, kp_err *err)
{
	char *buf = ud;
	size_t n = strlen(buf);

	(void)err;
	snprintf(buf + n, 8192 - n, "%s %s:%ld %zu;", row->dataset, row->file, row->line, row->ncols);
	ck_assert_str_eq(row->cols[0], "单位代码");
	return 0;
}

/* The line of the row of unit in a CSV file whose first column is the id. */
static long line_of(const char *file, const char *unit)
{
	FILE *f = fopen(file, "r");
	char line[4096];
	long n = 0, at = 0;

	ck_assert_ptr_nonnull(f);
	while (!at && fgets(line, sizeof line, f)) {
		n++;
		if (!strncmp(line, unit, strlen(unit)) && line[strlen(unit)] == ',')
			at = n;
	}
	fclose(f);
	return at;
}

static const char *key_bench(void *ud, const char *dataset)
{
	(void)ud, (void)dataset;
	return "unit_id";
}

/* "line:i01;" for each row of the bench unit table, "gone DATASET how;"
 * for an import whose rows are gone, appended to the buffer. */
static int row_i01(void *ud, const kp_store_row *row, kp_err *err)
{
	char *buf = ud;
	size_t n = strlen(buf), c;

	(void)err;
	if (row->gone) {
		ck_assert(*row->gone && row->ncols == 0);
		snprintf(buf + n, 8192 - n, "gone %s %s;", row->dataset, row->dropped ? "dropped" : "replaced");
		return 0;
	}
	for (c = 0; c < row->ncols && strcmp(row->cols[c], "i01"); c++)
		;
	ck_assert_uint_lt(c, row->ncols);
	snprintf(buf + n, 8192 - n, "%ld:%s;", row->line, row->vals[c] ? row->vals[c] : "");
	return 0;
}

/* A reader of a run's rows reads one snapshot from open to close: the
 * unit table replaced (import --replace) through another connection
 * meanwhile, which drops the data table and creates one of the same name,
 * is not read under the old import's name (it was: the statements,
 * re-prepared, read the new table, values never scored).  A reader opened
 * after the replace reads no rows of it, and says the import is gone.
 * With and without the temporary indexes. */
START_TEST(test_unit_rows_snapshot)
{
	int many;

	for (many = 0; many < 2; many++) {
		const char *db = path(many ? "m.db" : "k.db"), *u = path("units.csv"), *u2 = path("units2.csv");
		const char *files[] = { u }, *files2[] = { u2 };
		kp_store *s = open_w(db), *r = NULL;
		kp_store_rows *rr = NULL;
		const kp_store_row *g;
		kp_result *res;
		kp_data *d;
		static char before[8192], after[8192];
		char cmd[1200];
		kp_err err = { 0 };

		snprintf(cmd, sizeof cmd, "lua5.4 scripts/gen-units 12 5 > %s && "
			 "awk -F, 'BEGIN { OFS = \",\" } NR > 1 { $4 = \"0.1234\" } { print }' %s > %s", u, u, u2);
		ck_assert_int_eq(system(cmd), 0);
		res = score_into(s, "rules/bench.lua", files, 1, 2021, &d);
		kp_store_close(s);
		ck_assert_msg(kp_store_open(db, KP_STORE_READ, &r, &err) == 0, "%s", err.msg);
		ck_assert_msg(kp_store_rows_open(r, res->run_id, key_bench, NULL, many, &rr, &err) == 0, "%s", err.msg);
		ck_assert_ptr_null(kp_store_rows_gone(rr, 0));
		before[0] = after[0] = '\0';
		ck_assert_int_eq(kp_store_rows_unit(rr, "U0000001", row_i01, before, &err), 0);
		ck_assert_int_eq(kp_store_rows_unit(rr, "U0000002", row_i01, before, &err), 0);
		ck_assert_msg(strstr(before, "2:") == before && !strstr(before, "0.1234"), "%s", before);
		/* another connection replaces the unit table (its checkpoint
		 * after the commit does not wait for this reader's snapshot, as
		 * another process's would, up to KP_STORE_LOCK_WAIT) */
		s = open_w(db);
		sqlite3_busy_handler(s->db, NULL, NULL);
		ck_assert_msg(import(s, files2, 1, 2021, "units", 1, NULL, &err) == 0, "%s", err.msg);
		kp_store_close(s);
		ck_assert_int_eq(kp_store_rows_unit(rr, "U0000001", row_i01, after, &err), 0);
		ck_assert_int_eq(kp_store_rows_unit(rr, "U0000002", row_i01, after, &err), 0);
		ck_assert_str_eq(after, before);
		kp_store_rows_close(rr);
		/* a reader opened now: the run's import is gone, said once and
		 * for each unit, and nothing of the new one is read */
		ck_assert_msg(kp_store_rows_open(r, res->run_id, key_bench, NULL, many, &rr, &err) == 0, "%s", err.msg);
		ck_assert_ptr_nonnull(g = kp_store_rows_gone(rr, 0));
		ck_assert_str_eq(g->dataset, "units");
		ck_assert_str_eq(g->file, u);
		ck_assert(g->gone && *g->gone && !g->dropped);
		ck_assert_ptr_null(kp_store_rows_gone(rr, 1));
		after[0] = '\0';
		ck_assert_int_eq(kp_store_rows_unit(rr, "U0000001", row_i01, after, &err), 0);
		ck_assert_str_eq(after, "gone units replaced;");
		kp_store_rows_close(rr);
		kp_store_close(r);
		kp_result_free(res);
		kp_data_free(d);
	}
}
END_TEST

/* Each unit's rows of every import of the run (Z01, and B01, which has
 * case reviews), with the file and the line; the same with and without
 * the temporary indexes; an id that looks like SQL is only a value; a
 * dataset without the key is left out. */
START_TEST(test_unit_rows)
{
	const char *db = path("k.db");
	kp_store *s = open_w(db);
	kp_store_rows *rr[2] = { NULL, NULL };
	kp_result *res;
	kp_data *d;
	glob_t g;
	static char got[2][8192], want[128];
	kp_err err = { 0 };
	int many;

	ck_assert_int_eq(glob("samples/2021/*.csv", 0, NULL, &g), 0);
	res = score_into(s, "rules/2021-fazhi.lua", (const char *const *)g.gl_pathv, g.gl_pathc, 2021, &d);
	for (many = 0; many < 2; many++) {
		ck_assert_msg(kp_store_rows_open(s, res->run_id, key_unit, NULL, many, &rr[many], &err) == 0, "%s", err.msg);
		got[many][0] = '\0';
		ck_assert_int_eq(kp_store_rows_unit(rr[many], "Z01", row_text, got[many], &err), 0);
		ck_assert_int_eq(kp_store_rows_unit(rr[many], "B01", row_text, got[many], &err), 0);
		ck_assert_int_eq(kp_store_rows_unit(rr[many], "Z01' OR '1'='1", row_text, got[many] + strlen(got[many]), &err), 0);
	}
	ck_assert_str_eq(got[0], got[1]);
	snprintf(want, sizeof want, "units samples/2021/units.csv:%ld ", line_of("samples/2021/units.csv", "Z01"));
	ck_assert_msg(strstr(got[0], want) != NULL, "%s not in %s", want, got[0]);
	snprintf(want, sizeof want, "case_reviews samples/2021/case_reviews.csv:%ld 5;",
		 line_of("samples/2021/case_reviews.csv", "B01"));
	ck_assert_msg(strstr(got[0], want) != NULL, "%s not in %s", want, got[0]);
	kp_store_rows_close(rr[0]), kp_store_rows_close(rr[1]);
	ck_assert_int_eq(kp_store_rows_open(s, res->run_id, key_none, NULL, 1, &rr[0], &err), 0);
	got[0][0] = '\0';
	ck_assert_int_eq(kp_store_rows_unit(rr[0], "Z01", row_text, got[0], &err), 0);
	ck_assert_str_eq(got[0], "");
	kp_store_rows_close(rr[0]);
	kp_store_close(s);
	kp_result_free(res);
	kp_data_free(d);
	globfree(&g);
}
END_TEST

/* Bench-shaped units (rules/bench.lua), and notes that change shape
 * between units: templates are learnt and re-learnt, never lose a byte. */
START_TEST(test_run_round_trip_bench)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	kp_store *s = open_w(db);
	kp_result *res;
	kp_data *d;
	char cmd[600];

	snprintf(cmd, sizeof cmd, "lua5.4 scripts/gen-units 3000 5 > %s", u);
	ck_assert_int_eq(system(cmd), 0);
	res = score_into(s, "rules/bench.lua", files, 1, 2021, &d);
	check_read_back(s, res);
	kp_store_close(s);
	kp_result_free(res);
	kp_data_free(d);
}
END_TEST

/* A run's pages written to the log while the report would be
 * (kp_store_run_flush_begin, from KP_STORE_FLUSH_UNITS units): rolled
 * back after it, the database is as it was; a flush the disk refuses (a
 * file size limit) is said as the commit would say it, the file and the
 * system's reason, and leaves it as it was too; committed after it, the
 * run reads back as it was scored.  A smaller run is not flushed. */
static void flushed_run(const char *db, const char *units, int how)
{
	const char *files[] = { units };
	kp_store *s = open_w(db);
	kp_result *res, *back = NULL;
	kp_data *d;
	struct rlimit was, lim;
	sqlite3 *raw;
	kp_err err;
	int rc;

	res = score_uncommitted(s, "rules/bench.lua", files, 1, 2021, &d);
	ck_assert_uint_eq(res->nunits, KP_STORE_FLUSH_UNITS);
	kp_store_run_flush_begin(s, res->nunits - 1);
	ck_assert(!s->flushing);
	ck_assert_int_eq(kp_store_run_flush_end(s, &err), 0); /* none begun: nothing to end */
	if (how == 1) { /* a disk that refuses the pages: the log may not grow past 64 KiB */
		ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
		signal(SIGXFSZ, SIG_IGN);
		lim = was, lim.rlim_cur = 64 * 1024;
		ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	}
	kp_store_run_flush_begin(s, res->nunits);
	ck_assert(s->flushing);
	if (how == 0) { /* a report that failed */
		kp_store_run_abort(s);
		ck_assert(!s->flushing);
	} else if (how == 1) {
		rc = kp_store_run_flush_end(s, &err);
		ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &was), 0);
		ck_assert_int_eq(rc, KP_EIO);
		ck_assert_msg(strstr(err.msg, db) && strstr(err.msg, strerror(EFBIG)), "%s", err.msg);
		kp_store_run_abort(s); /* as score does on any error before its commit */
	} else {
		ck_assert_msg(kp_store_run_commit(s, &err) == 0, "%s", err.msg);
		ck_assert(!s->flushing);
		ck_assert_msg(kp_store_load_run(s, res->run_id, SIZE_MAX, &back, &err) == 0, "%s", err.msg);
		same_run(res, back, 1);
		kp_result_free(back);
	}
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM runs"), how == 2);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM results"), how == 2 ? (long)res->nunits : 0);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM imports"), 1);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	sqlite3_close(raw);
	kp_result_free(res);
	kp_data_free(d);
}

START_TEST(test_run_flush)
{
	const char *u = path("units.csv");
	char cmd[600];

	snprintf(cmd, sizeof cmd, "lua5.4 scripts/gen-units %d 7 > %s", KP_STORE_FLUSH_UNITS, u);
	ck_assert_int_eq(system(cmd), 0);
	flushed_run(path("abort.db"), u, 0);
	flushed_run(path("full.db"), u, 1);
	flushed_run(path("commit.db"), u, 2);
}
END_TEST

/* ---- runs whose items are derived again (derive.h) ---- */

/* Rules of every statistic a derived run keeps: ratio_to_best and min_max
 * over all units and within each category, beside the benchmark's. */
static const char derived_rules[] =
	"assessment { title = \"derived\", year = 2021, precision = 2,\n"
	"  unit = { id = \"unit_id\", name = \"name\", category = \"category\" },\n"
	"  categories = { {\"dept\", commend = 3}, {\"town\", commend = 2} } }\n"
	"section \"a\" { points = 50,\n"
	"  indicator \"i01\" { points = 10, score = target(\"i01\", 0.95) },\n"
	"  indicator \"i11\" { points = 10, score = ratio_to_best(\"i11\") },\n"
	"  indicator \"i12\" { points = 10, score = ratio_to_best(\"i12\", { scope = \"all\" }) },\n"
	"  indicator \"i13\" { points = 10, score = min_max(\"i13\") },\n"
	"  indicator \"i14\" { points = 10, score = min_max(\"i14\", { scope = \"all\" }) },\n"
	"}\n"
	"deduction \"violations\" { per = 2, max = 10, count = \"i19\" }\n"
	"bonus \"i15\" { max = 3, score = ratio_to_best(\"i15\") }\n"
	"veto \"i20\" { when = \"i20\", reason = \"i20 = 1\" }\n"
	"grades { {\"优秀\", 45}, {\"合格\", 0} }\n"
	"commend {}\n";

/* rules scored on units into a derived run (as kaoping score makes one
 * of many units), committed; the in-memory result with every item. */
static kp_result *score_derived_in(kp_store *s, const char *rules, const char *units, int year, kp_data **dp,
				   kp_rules **rp)
{
	const char *files[] = { units };
	kp_rules *r = NULL;
	kp_data *d;
	kp_result *res = NULL, *ref = NULL;
	kp_score_opts o;
	kp_score_stats st = {0, NULL};
	long *ids = NULL, run = 0;
	size_t nids = 0;
	int dense = 0;
	kp_err err;

	ck_assert_msg(import(s, files, 1, year, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_rules_load(rules, NULL, 0, &r, &err) == 0, "%s", err.msg);
	ck_assert(kp_score_derivable(r));
	d = kp_data_new(&err);
	ck_assert_msg(kp_store_load(s, year, r, d, &ids, &nids, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_data_bind(d, r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(nids, 1);
	ck_assert_msg(kp_store_import_dense(s, ids[0], d->nunits, &dense, &err) == 0, "%s", err.msg);
	ck_assert(dense);
	ck_assert_msg(kp_store_import_dense(s, ids[0], d->nunits + 1, &dense, &err) == 0, "%s", err.msg);
	ck_assert(!dense); /* a row more than the table ends at: a gap */
	memset(&o, 0, sizeof o);
	o.details = 1;
	ck_assert_msg(kp_score_run(r, d, &o, &ref, &err) == 0, "%s", err.msg); /* the reference */
	memset(&o, 0, sizeof o);
	o.stats_out = &st; /* as score stores it: no notes, no sink */
	ck_assert_msg(kp_store_run_begin(s, r, year, ids, nids, &run, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_score_run(r, d, &o, &res, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_store_run_derive(s, r, ids[0], &st, "test", &err) == 0, "%s", err.msg);
	res->year = ref->year = year;
	ck_assert_msg(kp_store_run_finish(s, res, &err) == 0, "%s", err.msg);
	ck_assert_msg(kp_store_run_commit(s, &err) == 0, "%s", err.msg);
	ref->run_id = res->run_id;
	kp_result_free(res);
	kp_score_stats_free(&st);
	free(ids);
	*dp = d, *rp = r;
	return ref;
}

static kp_result *score_derived(kp_store *s, const char *rules, const char *units, kp_data **dp, kp_rules **rp)
{
	return score_derived_in(s, rules, units, 2021, dp, rp);
}

/* The derived run's rule text, loaded as explain loads it. */
static kp_rules *derived_text(kp_store *s, long run, kp_store_derived **dv)
{
	kp_rules *r = NULL;
	kp_err err;

	ck_assert_msg(kp_store_derived_get(s, run, dv, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(*dv);
	ck_assert_msg(kp_rules_load_text("rules.lua", (*dv)->rules_text, (*dv)->rules_len, NULL, &r, &err) == 0, "%s",
		      err.msg);
	return r;
}

/* A derived run read back and scored again equals the run as it was
 * scored in memory: unit for unit, item for item, note for note, one unit
 * at a time (its row and the statistics) and whole (the import again);
 * it keeps no items, and the database is the smaller for it. */
/* A derived run's units are in blocks, not in results, its ids each in
 * its bucket once, and the view block_results shows every unit as results
 * would: its id, total, unrounded total and sections, in report order. */
static void check_blocks(sqlite3 *raw, const kp_result *ref)
{
	sqlite3_stmt *st;
	size_t i = 0, k;

	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM results"), 0);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM result_blocks"),
			 (long)((ref->nunits + STORE_BLOCK_UNITS - 1) / STORE_BLOCK_UNITS));
	ck_assert_int_eq(qint(raw, "SELECT sum(json_array_length(ids)) FROM result_ids"), (long)ref->nunits);
	ck_assert_int_eq(qint(raw, "SELECT count(DISTINCT json_extract(j.value, '$[0]')) FROM result_ids, "
			      "json_each(ids) j"), (long)ref->nunits);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "SELECT position, unit_id, total, raw_total, sections, name "
					    "FROM block_results ORDER BY position", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const kp_unit_result *u = &ref->units[i];
		char want[4096] = "[", num[64];
		for (k = 0; k < ref->nsections; k++) {
			kp_num_exact(KP_SEC(ref, i, k), num, sizeof num);
			strcat(strcat(want, k ? "," : ""), num);
		}
		strcat(want, "]");
		ck_assert_int_eq(sqlite3_column_int64(st, 0), (long long)i + 1);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), u->id);
		ck_assert(sqlite3_column_double(st, 2) == u->total);
		ck_assert(sqlite3_column_double(st, 3) == u->raw);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), want);
		if (u->name)
			ck_assert_str_eq((const char *)sqlite3_column_text(st, 5), u->name);
		i++;
	}
	sqlite3_finalize(st);
	ck_assert_uint_eq(i, ref->nunits);
}

static void check_derived_on(const char *rules, const char *u)
{
	const char *db = path("k.db");
	kp_store *s;
	kp_store_derived *dv = NULL;
	kp_result *ref, *back = NULL, *one = NULL;
	kp_rules *r, *rt;
	kp_data *d;
	sqlite3 *raw;
	kp_err err;
	size_t i, units;

	unlink(db);
	s = open_w(db);
	ref = score_derived(s, rules, u, &d, &r);
	units = ref->nunits;
	rt = derived_text(s, ref->run_id, &dv);
	ck_assert_str_eq(rt->sha256, r->sha256);
	ck_assert_uint_eq(dv->rules_len, r->text_len);
	ck_assert_msg(kp_store_load_run(s, ref->run_id, SIZE_MAX, &back, &err) == 0, "%s", err.msg);
	for (i = 0; i < units; i++)
		ck_assert_ptr_null(KP_MORE(&back->units[i])->items);
	ck_assert_msg(kp_derive_run(s, dv, rt, back, &err) == 0, "%s", err.msg);
	same_run(ref, back, 1);
	kp_result_free(back);
	for (i = 0; i < units; i++) {
		ck_assert_msg(kp_store_load_unit(s, ref->run_id, ref->units[i].id, &one, &err) == 0, "%s", err.msg);
		ck_assert_msg(kp_derive_unit(s, dv, rt, one, &err) == 0, "%s", err.msg);
		same_unit(ref, i, one, 0, 1);
		kp_result_free(one);
	}
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM unit_items"), 0);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM run_derived"), 1);
	check_blocks(raw, ref);
	sqlite3_close(raw);
	kp_store_derived_free(dv);
	kp_rules_free(rt), kp_rules_free(r);
	kp_result_free(ref);
	kp_data_free(d);
}

static void check_derived(const char *rules, int units, int seed)
{
	const char *u = path("units.csv");
	char cmd[600];

	snprintf(cmd, sizeof cmd, "lua5.4 scripts/gen-units %d %d > %s", units, seed, u);
	ck_assert_int_eq(system(cmd), 0);
	check_derived_on(rules, u);
}

/* ---- each page of a run written to the log once ----
 * A page SQLite writes to the log a second time in one transaction is
 * written in place, and the commit then reads back every frame after it
 * to write its checksum again: at 1M units the whole log, 200 MB.  The
 * shim counts the log's page writes at an offset already written since
 * the log last began (its header, at offset 0). */
static sqlite3_vfs log_vfs, *log_real;
static sqlite3_io_methods log_methods;
static const sqlite3_io_methods *log_real_methods;
static unsigned char *log_seen; /* one byte a frame */
static size_t log_nseen, log_twice, log_pages;

static int log_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	if (off == 0 && log_nseen) /* the log begins again */
		memset(log_seen, 0, log_nseen);
	else if (amt == 16384 && off >= 32 + 24) {
		size_t k = (size_t)(off - 32) / (16384 + 24);
		if (k >= log_nseen) {
			size_t n = (k + 1) * 2;
			ck_assert_ptr_nonnull(log_seen = realloc(log_seen, n));
			memset(log_seen + log_nseen, 0, n - log_nseen);
			log_nseen = n;
		}
		log_twice += log_seen[k];
		log_seen[k] = 1;
		log_pages++;
	}
	return log_real_methods->xWrite(f, buf, amt, off);
}

static int log_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *f, int flags, int *out)
{
	int rc = log_real->xOpen(log_real, name, f, flags, out);

	(void)v;
	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) && f->pMethods) {
		log_real_methods = f->pMethods;
		log_methods = *f->pMethods;
		log_methods.xWrite = log_write;
		f->pMethods = &log_methods;
	}
	return rc;
}

/* A derived run of 20,000 units (about 4 MB of pages) imported and
 * scored through a cache of 1 MB, so that the first pages of each
 * transaction reach the log long before its last: into a database with
 * one small import, then into one that also holds a run.  Not one page is
 * written twice: the imports row and the runs row are written with their
 * transaction's last pages (each was made first and changed last), and
 * result_ids is made as its first bucket comes (it was made with
 * result_blocks).  Not covered: a new file's first import, whose schema's
 * pages are made in its transaction, and --replace, which retires the
 * earlier row first. */
START_TEST(test_run_log_once)
{
	const char *u = path("units.csv"), *small = path("small.csv");
	char cmd[600];
	int round;

	snprintf(cmd, sizeof cmd, "lua5.4 scripts/gen-units %d 3 > %s && lua5.4 scripts/gen-units 50 4 > %s",
		 KP_STORE_FLUSH_UNITS, u, small);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_ptr_nonnull(log_real = sqlite3_vfs_find(NULL));
	log_vfs = *log_real;
	log_vfs.zName = "kp-log-once";
	log_vfs.xOpen = log_open;
	ck_assert_int_eq(sqlite3_vfs_register(&log_vfs, 1), SQLITE_OK);
	for (round = 0; round < 2; round++) {
		const char *db = path(round ? "once1.db" : "once0.db");
		kp_store *s;
		kp_result *ref;
		kp_rules *r;
		kp_data *d;

		make_db(db);
		if (round) { /* a run before: its tables are there */
			s = open_w(db);
			ref = score_derived_in(s, "rules/bench.lua", small, 2020, &d, &r);
			kp_result_free(ref), kp_data_free(d), kp_rules_free(r);
			kp_store_close(s);
		}
		s = open_w(db);
		ck_assert_int_eq(sqlite3_exec(s->db, "PRAGMA cache_size = 64", NULL, NULL, NULL), SQLITE_OK);
		log_pages = log_twice = 0;
		ref = score_derived_in(s, "rules/bench.lua", u, 2022, &d, &r);
		ck_assert_uint_gt(log_pages, 64 * 4); /* the import and the run went through the log, past the cache */
		ck_assert_msg(log_twice == 0, "round %d: %zu of %zu pages written to the log twice", round, log_twice,
			      log_pages);
		kp_result_free(ref), kp_data_free(d), kp_rules_free(r);
		kp_store_close(s);
	}
	ck_assert_int_eq(sqlite3_vfs_unregister(&log_vfs), SQLITE_OK);
	free(log_seen);
	log_seen = NULL, log_nseen = 0;
}
END_TEST

/* The block parser takes what store_blocks.c writes and nothing else. */
START_TEST(test_block_parse)
{
#define U1 "[\"U1\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[1.5,0],0]"
	static const struct { const char *text; long long first; int rc; } cases[] = {
		{"[" U1 "]", 1, 0},
		{"[" U1 "," U1 "]", 7, 0},
		{"", 1, 1},
		{"[]", 1, 1},                          /* a block of no unit */
		{"[ " U1 "]", 1, 1},                   /* spaces */
		{"[" U1 "] ", 1, 1},
		{"[" U1 "]x", 1, 1},
		{"[" U1, 1, 1},                         /* cut short */
		{"[[\"U1\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[1.5,0]]]", 1, 1}, /* 21 */
		{"[[\"U1\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[1.5,0],0,0]]", 1, 1},
		{"[[\"U1\",null,\"c\",01,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[],0]]", 1, 1},
		{"[[\"U1\",null,\"c\",1,1e999,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[],0]]", 1, 1},
		{"[[\"U1\",null,\"c\",-,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[],0]]", 1, 1},
		{"[[\"U1\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[1,],0]]", 1, 1},
		{"[[\"U1\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,\"[1]\",0]]", 1, 1},
		{"[[\"\\ud800\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[],0]]", 1, 1},
		{"[[\"a\tb\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[],0]]", 1, 1},
		{"[[\"\\x\",null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[],0]]", 1, 1},
		{"[[true,null,\"c\",1,1,1.5,1,0,0.5,null,0,null,1,1,1,0,0,null,null,null,[],0]]", 1, 1},
		{"[" U1 "]", 0, 1},                     /* no position 0 */
		{"[" U1 "]", INT64_MAX, 1},             /* positions past the range */
	};
	store_block b;
	store_ids x;
	size_t i;

	memset(&b, 0, sizeof b), memset(&x, 0, sizeof x);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(store_block_parse(&b, cases[i].text, strlen(cases[i].text), cases[i].first) == cases[i].rc,
			      "case %zu: %s", i, cases[i].text);
	/* the cells of the second case: types, text, positions */
	ck_assert_int_eq(store_block_parse(&b, "[" U1 "," U1 "]", strlen("[" U1 "," U1 "]"), 7), 0);
	ck_assert_uint_eq(b.n, 2);
	ck_assert_int_eq(b.cells[0].type, SQLITE_TEXT);
	ck_assert_str_eq(b.cells[0].t, "U1");
	ck_assert_int_eq(b.cells[1].type, SQLITE_NULL);
	ck_assert_int_eq(b.cells[3].type, SQLITE_INTEGER);
	ck_assert_int_eq(b.cells[5].type, SQLITE_FLOAT);
	ck_assert(b.cells[5].d == 1.5);
	ck_assert_str_eq(b.cells[STORE_BLOCK_SECTIONS].t, "[1.5,0]");
	ck_assert_int_eq(b.cells[STORE_BLOCK_COLS + STORE_BLOCK_POSITION].i, 8);
	/* escapes: a NUL comes through as a byte the readers refuse (strlen) */
	ck_assert_int_eq(store_ids_parse(&x, "[[\"a\\u0000b\\n\\ud83d\\ude00\",3]]", strlen("[[\"a\\u0000b\\n\\ud83d\\ude00\",3]]")), 0);
	ck_assert_uint_eq(x.cells[0].n, 8);
	ck_assert_int_eq(memcmp(x.cells[0].t, "a\0b\n\xf0\x9f\x98\x80", 8), 0);
	ck_assert_int_eq(x.cells[1].i, 3);
	ck_assert_int_eq(store_ids_parse(&x, "[[\"a\",0]]", strlen("[[\"a\",0]]")), 1);   /* no position 0 */
	ck_assert_int_eq(store_ids_parse(&x, "[[\"a\",1.5]]", strlen("[[\"a\",1.5]]")), 1); /* nor a fraction */
	ck_assert_int_eq(store_ids_parse(&x, "[[1,1]]", strlen("[[1,1]]")), 1);
	ck_assert_int_eq(store_ids_parse(&x, "[]", strlen("[]")), 1);
	store_block_free(&b);
	store_block_free(&x);
#undef U1
}
END_TEST

START_TEST(test_run_derived_bench)
{
	check_derived("rules/bench.lua", 2000, 5);
}
END_TEST

/* The golden cases of one dataset whose rules can be derived (all but
 * compare, whose functions and rank_points are not): base
 * scores and deductions, checklists, goals, vetoes ranked last, the
 * residue of rescaling, categories; each derived run equals the run. */
START_TEST(test_run_derived_golden)
{
	static const char *const cases[] = {"base", "bench", "categories", "checklist", "compare", "deductions",
					    "goals", "residue", "vetolast"};
	size_t k, derived = 0;
	char rules[200], units[200];

	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		kp_rules *r = NULL;
		kp_err err;
		snprintf(rules, sizeof rules, "tests/golden/e2e/%s/rules.lua", cases[k]);
		snprintf(units, sizeof units, "tests/golden/e2e/%s/units.csv", cases[k]);
		ck_assert_msg(kp_rules_load(rules, NULL, 0, &r, &err) == 0, "%s", err.msg);
		if (kp_score_derivable(r)) {
			check_derived_on(rules, units);
			derived++;
		}
		kp_rules_free(r);
	}
	ck_assert_uint_eq(derived, 8); /* all but compare (functions, rank_points) */
}
END_TEST

START_TEST(test_run_derived_scopes)
{
	const char *rules = path("derived.lua");

	write_file(rules, derived_rules, sizeof derived_rules - 1);
	check_derived(rules, 1500, 7);
}
END_TEST

/* What deriving refuses, each an error and never other items: statistics
 * that do not fit the rules, another rule text, a row of another unit,
 * points that come out otherwise, an import no longer there. */
START_TEST(test_run_derived_refuses)
{
	const char *db = path("k.db"), *u = path("units.csv");
	kp_store *s = open_w(db);
	kp_store_derived *dv = NULL;
	kp_result *ref, *one = NULL;
	kp_rules *r, *rt, *other = NULL;
	kp_data *d;
	kp_store_dropped dropped;
	char cmd[600];
	double keep;
	kp_err err;

	snprintf(cmd, sizeof cmd, "lua5.4 scripts/gen-units 300 9 > %s", u);
	ck_assert_int_eq(system(cmd), 0);
	ref = score_derived(s, "rules/bench.lua", u, &d, &r);
	rt = derived_text(s, ref->run_id, &dv);
	/* statistics: one number fewer, a NaN, a lowest above its highest */
	ck_assert_msg(kp_store_load_unit(s, ref->run_id, ref->units[0].id, &one, &err) == 0, "%s", err.msg);
	dv->stats.n--;
	ck_assert_int_eq(kp_derive_unit(s, dv, rt, one, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "statistics") != NULL, "%s", err.msg);
	dv->stats.n++;
	keep = dv->stats.v[0];
	dv->stats.v[0] = NAN;
	ck_assert_int_eq(kp_derive_unit(s, dv, rt, one, &err), KP_EDATA);
	dv->stats.v[0] = keep;
	keep = dv->stats.v[2]; /* i11's best over all units (dept, town, all) */
	dv->stats.v[2] = keep * 2; /* twice as high: other points */
	ck_assert_int_eq(kp_derive_unit(s, dv, rt, one, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "scored again comes to") != NULL, "%s", err.msg);
	ck_assert_ptr_null(KP_MORE(&one->units[0])->items);
	dv->stats.v[2] = keep;
	/* the row of another unit */
	one->units[0].scored++;
	ck_assert_int_eq(kp_derive_unit(s, dv, rt, one, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "is not the unit of its row") != NULL, "%s", err.msg);
	one->units[0].scored--;
	/* other rules: the SHA-256 the run recorded */
	ck_assert_msg(kp_rules_load("rules/2021-fazhi.lua", NULL, 0, &other, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_derive_unit(s, dv, other, one, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "is not the rule file it recorded") != NULL, "%s", err.msg);
	kp_rules_free(other);
	/* as it is: the items */
	ck_assert_msg(kp_derive_unit(s, dv, rt, one, &err) == 0, "%s", err.msg);
	ck_assert_uint_gt(KP_MORE(&one->units[0])->nitems, 0);
	kp_result_free(one);
	/* the import dropped: its rows are gone, the run's totals stay */
	ck_assert_msg(kp_store_drop(s, 2021, "units", &dropped, &err) == 0, "%s", err.msg);
	kp_store_dropped_free(&dropped);
	ck_assert_msg(kp_store_load_unit(s, ref->run_id, ref->units[0].id, &one, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_derive_unit(s, dv, rt, one, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "no longer holds") != NULL, "%s", err.msg);
	same_unit(ref, 0, one, 0, 0);
	kp_result_free(one);
	kp_store_close(s);
	kp_store_derived_free(dv);
	kp_rules_free(rt), kp_rules_free(r);
	kp_result_free(ref);
	kp_data_free(d);
}
END_TEST

/* A rule text is loaded without its folder: `use` finds no module, beside
 * it or shared, and a text of a module is refused as one. */
START_TEST(test_rules_text_no_modules)
{
	static const char text[] = "use \"helpers\"\n";
	kp_rules *r = NULL;
	kp_err err = {0};

	ck_assert_int_eq(kp_rules_load_text("tests/rules/x.lua", text, sizeof text - 1, NULL, &r, &err), KP_ERULE);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err.msg, "helpers") != NULL, "%s", err.msg);
	kp_err_clear(&err);
}
END_TEST

/* The golden cases whose rankings have every shape the reading checks
 * (store_run.c check_ranking): shared ranks, ties split by a tie-breaker,
 * boundary ties past a quota, vetoed units ranked last with totals above
 * the others', units not eligible.  Each run kaoping makes reads back. */
START_TEST(test_run_round_trip_golden_rankings)
{
	static const char *const cases[] = {"bench", "categories", "vetolast", "basis", "dates", "county", "skip"};
	size_t c;

	for (c = 0; c < sizeof cases / sizeof *cases; c++) {
		char db[64], rules[128], pat[128];
		kp_store *s;
		kp_result *res;
		kp_data *d;
		glob_t g;

		snprintf(db, sizeof db, "%s.db", cases[c]);
		snprintf(rules, sizeof rules, "tests/golden/e2e/%s/rules.lua", cases[c]);
		snprintf(pat, sizeof pat, "tests/golden/e2e/%s/*.csv", cases[c]);
		ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
		s = open_w(path(db));
		res = score_into(s, rules, (const char *const *)g.gl_pathv, g.gl_pathc, 2021, &d);
		check_read_back(s, res);
		kp_store_close(s);
		kp_result_free(res);
		kp_data_free(d);
		globfree(&g);
	}
}
END_TEST

/* A ranking changed by another program, each count that is checked on its
 * own kept: the run does not read back whole (65 naming the category and
 * the unit), nor the unit changed alone when its row and the one before it
 * show it (explain), and still reads another unit alone. */
START_TEST(test_run_ranking_tampered)
{
	static const struct { const char *sql, *says, *unit, *unit_says, *other; } cases[] = {
		{"UPDATE results SET rank = 1 WHERE category = '镇' AND rank = 2", "shares rank 1 with unit", "A3",
		 "shares rank 1 with unit 'A1'", "B1"},
		{"UPDATE results SET commended = 1 - commended WHERE category = '部门'", "results marks it commended = 0", "B1",
		 "is vetoed, but results marks it eligible = 0, commended = 1", "A1"},
		{"UPDATE results SET elig_rank = elig_rank + 1 WHERE position = "
		 "(SELECT max(position) FROM results WHERE category = '镇' AND eligible = 1)",
		 "among the eligible units as", "A4", "among the eligible units as 3 where", "B1"},
		{"UPDATE results SET boundary_tie = 1 - boundary_tie WHERE position = "
		 "(SELECT min(position) FROM results WHERE category = '镇')", "boundary_tie =", NULL, NULL, "B1"},
		{"UPDATE results SET unit_id = 'ZZ' || unit_id WHERE position = "
		 "(SELECT min(position) FROM results WHERE category = '镇' AND rank = "
		 "(SELECT rank FROM results GROUP BY category, rank HAVING count(*) > 1 AND category = '镇' LIMIT 1))",
		 "unit ids within a rank are in order", "A4", "unit ids within a rank are in order", "B1"},
	};
	const char *files[] = { "tests/golden/e2e/vetolast/units.csv" };
	size_t c;

	for (c = 0; c < sizeof cases / sizeof *cases; c++) {
		char db[32];
		kp_store *s;
		kp_result *res, *back = NULL;
		kp_data *d;
		sqlite3 *raw;
		kp_err err;

		snprintf(db, sizeof db, "t%zu.db", c);
		s = open_w(path(db));
		res = score_into(s, "tests/golden/e2e/vetolast/rules.lua", files, 1, 2021, &d);
		kp_store_close(s);
		ck_assert_int_eq(sqlite3_open(path(db), &raw), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(raw, cases[c].sql, NULL, NULL, NULL), SQLITE_OK);
		ck_assert_int_ge(sqlite3_changes(raw), 1);
		sqlite3_close(raw);
		s = open_w(path(db));
		ck_assert_int_eq(kp_store_load_run(s, res->run_id, 0, &back, &err), KP_EDATA);
		ck_assert_ptr_null(back);
		ck_assert_msg(strstr(err.msg, "run 1, category '") && strstr(err.msg, cases[c].says), "%zu: %s", c,
			      err.msg);
		if (cases[c].unit) {
			ck_assert_int_eq(kp_store_load_unit(s, res->run_id, cases[c].unit, &back, &err), KP_EDATA);
			ck_assert_ptr_null(back);
			ck_assert_msg(strstr(err.msg, cases[c].unit_says), "%zu: %s", c, err.msg);
		}
		ck_assert_msg(kp_store_load_unit(s, res->run_id, cases[c].other, &back, &err) == 0, "%s", err.msg);
		kp_result_free(back);
		kp_store_close(s);
		kp_result_free(res);
		kp_data_free(d);
	}
}
END_TEST

/* Notes of a rule's own text that the template matcher of store_run.c
 * could mistake: braces (one, two, around numbers), numbers glued to words
 * ("2nd", "v1.2.3", "i01"), a trailing point, an empty note, notes one
 * character longer or shorter than the last, a fraction that comes and
 * goes, changing shape every few units.  Each is kept byte for byte. */
START_TEST(test_run_round_trip_odd_notes)
{
	const char *db = path("k.db"), *u = path("odd.csv"), *rules = path("odd.lua");
	const char *files[] = { u };
	kp_store *s = open_w(db);
	kp_result *res;
	kp_data *d;
	FILE *f = fopen(u, "w");
	int i;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "id,name,cat,a,b\n");
	for (i = 0; i < 400; i++)
		fprintf(f, "U%03d,单位%d,镇,%d,%d\n", i, i, (i * 37) % 101, (i * 11) % 7);
	fclose(f);
	WRITE(rules,
	      "assessment { title = \"odd\", unit = { id = \"id\", name = \"name\", category = \"cat\" },\n"
	      "  categories = { {\"镇\", commend = 3} } }\n"
	      "local shapes = {\n"
	      "  function(a, b) return string.format('{%d} {{%d}} {}', a, b) end,\n"
	      "  function(a, b) return string.format('%dnd v%d.%d.%d i%02d', b, a, b, a, a) end,\n"
	      "  function(a, b) return string.format('%d. %d.5 %d%%', a, b, a) end,\n"
	      "  function(a, b) return '' end,\n"
	      "  function(a, b) return string.format('x%s %d', string.rep('y', b), a) end,\n"
	      "  function(a, b) return string.format('%g', a / 8) end,\n"
	      "  function(a, b) return string.format('{%d}', a) .. ('}'):rep(b) end,\n"
	      "}\n"
	      "section \"S\" { points = 10,\n"
	      "  indicator \"甲\" { points = 5, score = function(u)\n"
	      "    return u.a % 6, shapes[(u.b % #shapes) + 1](u.a, u.b) end },\n"
	      "  indicator \"乙\" { points = 5, score = function(u)\n"
	      "    return u.b % 6, shapes[((u.a // 3) % #shapes) + 1](u.b, u.a) end } }\n");
	res = score_into(s, rules, files, 1, 2021, &d);
	check_read_back(s, res);
	kp_store_close(s);
	kp_result_free(res);
	kp_data_free(d);
}
END_TEST

/* ---------- reading back ---------- */

static kp_rules *bench_rules(void)
{
	kp_rules *r = NULL;
	kp_err err = { 0 };

	ck_assert_msg(kp_rules_load("rules/bench.lua", NULL, 0, &r, &err) == 0, "%s", err.msg);
	kp_err_clear(&err);
	return r;
}

START_TEST(test_load)
{
	const char *db = path("k.db"), *u = path("units.csv"), *e = path("events.csv");
	const char *files[] = { u, e };
	kp_store *s = open_w(db);
	kp_rules *r = bench_rules();
	kp_data *d;
	kp_table *t;
	long *ids = NULL, c;
	size_t nids = 0;
	kp_err err;
	double v;
	char buf[64];

	WRITE(u, units_csv);
	WRITE(e, events_csv);
	ck_assert_msg(import(s, files, 2, 2021, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	kp_store_close(s);

	ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), 0);
	d = kp_data_new(&err);
	ck_assert_msg(kp_store_load(s, 2021, r, d, &ids, &nids, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(nids, 2);
	ck_assert_int_eq(ids[0], 1);
	ck_assert_int_eq(ids[1], 2);
	ck_assert_uint_eq(d->ntab, 2);
	t = kp_data_table(d, "units");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->year, 2021);
	ck_assert_str_eq(t->file, u);
	ck_assert_uint_eq(t->ncols, 23);
	ck_assert_uint_eq(t->nrows, 4);
	ck_assert_str_eq(t->cols[0], "unit_id");
	ck_assert_str_eq(t->cols[22], "i20");
	/* the rules' columns are numbers, the others text */
	ck_assert_int_eq(t->numeric[kp_table_col(t, "i01")], 1);
	ck_assert_int_eq(t->numeric[kp_table_col(t, "i19")], 1);
	ck_assert_int_eq(t->numeric[kp_table_col(t, "name")], 0);
	ck_assert_int_eq(t->numeric[kp_table_col(t, "unit_id")], 0);
	c = kp_table_col(t, "i01");
	ck_assert_int_eq(kp_table_num(t, 0, (size_t)c, &v), KP_NUM_OK);
	ck_assert(v == 0.95);
	ck_assert_int_eq(kp_table_num(t, 1, (size_t)c, &v), KP_NUM_OK);
	ck_assert(v == 0.964);
	c = kp_table_col(t, "i02");
	ck_assert_int_eq(kp_table_num(t, 3, (size_t)c, &v), KP_NUM_EMPTY);
	ck_assert_str_eq(kp_table_cell(t, 3, (size_t)c, buf, sizeof buf), "");
	c = kp_table_col(t, "i11");
	ck_assert_int_eq(kp_table_num(t, 1, (size_t)c, &v), KP_NUM_OK);
	ck_assert(v == 1102);
	ck_assert_str_eq(kp_table_cell(t, 1, (size_t)c, buf, sizeof buf), "1102");
	ck_assert_str_eq(kp_table_text(t, 1, (size_t)kp_table_col(t, "name")), "县公安局,\n治安大队");
	ck_assert_str_eq(kp_table_text(t, 2, (size_t)kp_table_col(t, "category")), "dept");
	ck_assert_uint_eq(t->line[0], 2);
	ck_assert_uint_eq(t->line[1], 3);
	ck_assert_uint_eq(t->line[2], 5);
	ck_assert_uint_eq(t->line[3], 6);
	t = kp_data_table(d, "events");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->nrows, 3);
	ck_assert_str_eq(kp_table_text(t, 2, 2), "70");
	ck_assert_uint_eq(t->line[2], 4);
	free(ids);
	kp_data_free(d);

	/* a year with nothing imported */
	d = kp_data_new(&err);
	ck_assert_int_eq(kp_store_load(s, 2019, r, d, &ids, &nids, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "nothing is imported for 2019"));
	free(ids);
	kp_data_free(d);
	kp_store_close(s);
	kp_rules_free(r);
}
END_TEST

/* A file of a header and no rows imports with 0 rows (the import knows no
 * rules); loading it for rules that read it as an event list gives a table
 * of no rows (no events), as any other dataset it is refused naming the
 * file, as the reader refuses it in run.  Two such files of the same bytes
 * are not one file imported twice. */
START_TEST(test_load_header_only)
{
	const char *db = path("k.db"), *u = path("units.csv"), *e = path("lawsuits.csv"), *e2 = path("complaints.csv");
	const char *x = path("extra.csv"), *rf = path("ev.lua");
	const char *files[] = { u, e, e2 }, *more[] = { x };
	static const char rules[] =
		"assessment { title = \"t\", year = 2021,\n"
		"  unit = { id = \"unit_id\", name = \"name\", category = \"category\" },\n"
		"  categories = { {\"dept\", commend = 1}, {\"town\", commend = 1} } }\n"
		"events \"诉讼\" { file = \"lawsuits.csv\", unit = \"unit_id\" }\n"
		"events \"投诉\" { file = \"complaints.csv\", unit = \"unit_id\" }\n"
		"section \"s\" { points = 10, indicator \"a\" { points = 10, score = given(agg.count(\"诉讼\")) } }\n"
		"deduction \"d\" { per = 1, max = 5, count = agg.count(\"投诉\") }\n";
	kp_import_done done[3];
	kp_store *s = open_w(db);
	kp_rules *r = NULL;
	kp_data *d;
	long *ids = NULL;
	size_t nids = 0;
	kp_err err;

	WRITE(u, units_csv);
	WRITE(e, "unit_id,case_no\n");
	WRITE(e2, "unit_id,case_no\n");
	WRITE(x, "unit_id,i21\r\n\r\n");
	WRITE(rf, rules);
	memset(&err, 0, sizeof err);
	ck_assert_msg(kp_rules_load(rf, NULL, 0, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_rules_event_data(r, "lawsuits"), 1);
	ck_assert_int_eq(kp_rules_event_data(r, "units"), 0);
	ck_assert_int_eq(kp_rules_event_data(NULL, "lawsuits"), 0);
	ck_assert_msg(import(s, files, 3, 2021, NULL, 0, done, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(done[1].rows, 0);
	ck_assert_uint_eq(done[1].cols, 2);
	ck_assert_uint_eq(done[2].rows, 0);
	d = kp_data_new(&err);
	ck_assert_msg(kp_store_load(s, 2021, r, d, &ids, &nids, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(nids, 3);
	ck_assert_uint_eq(kp_data_table(d, "lawsuits")->nrows, 0);
	ck_assert_uint_eq(kp_data_table(d, "lawsuits")->ncols, 2);
	ck_assert_msg(kp_data_bind(d, r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(d->nunits, 4);
	free(ids);
	kp_data_free(d);

	/* run reads the files itself: the same, as it reads them */
	d = kp_data_new(&err);
	ck_assert_msg(kp_data_read_csv(d, e, NULL, r, NULL, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(kp_data_table(d, "lawsuits")->nrows, 0);
	ck_assert_int_eq(kp_data_read_csv(d, x, NULL, r, NULL, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "extra.csv: the file has a header but no rows"), "%s", err.msg);
	kp_err_clear(&err);
	kp_data_free(d);

	/* a header-only indicator file: imported, refused where it is bound */
	ck_assert_msg(import(s, more, 1, 2021, NULL, 0, done, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(done[0].rows, 0);
	d = kp_data_new(&err);
	ck_assert_int_eq(kp_store_load(s, 2021, r, d, &ids, &nids, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "extra.csv: the file has a header but no rows"), "%s", err.msg);
	free(ids);
	kp_data_free(d);
	kp_err_clear(&err);
	d = kp_data_new(&err); /* rules that read none of them as events: refused too */
	kp_rules_free(r);
	r = bench_rules();
	ck_assert_int_eq(kp_store_load(s, 2021, r, d, &ids, &nids, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "lawsuits.csv: the file has a header but no rows"), "%s", err.msg);
	free(ids);
	kp_data_free(d);
	kp_store_close(s);
	kp_rules_free(r);
}
END_TEST

/* Only the active import of a name is read after a replace. */
START_TEST(test_load_after_replace)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	kp_store *s = open_w(db);
	kp_rules *r = bench_rules();
	kp_data *d;
	long *ids = NULL;
	size_t nids = 0;
	kp_err err;

	WRITE(u, units_csv);
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), 0);
	WRITE(u, "unit_id,name,category,i01,i02,i03,i04,i05,i06,i07,i08,i09,i10,i11,i12,i13,i14,i15,i16,i17,i18,i19,i20\n"
		 "U09,新单位,dept,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0\n");
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 1, NULL, &err), 0);
	d = kp_data_new(&err);
	ck_assert_msg(kp_store_load(s, 2021, r, d, &ids, &nids, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(nids, 1);
	ck_assert_int_eq(ids[0], 2);
	ck_assert_uint_eq(d->ntab, 1);
	ck_assert_uint_eq(kp_data_table(d, "units")->nrows, 1);
	/* what is read back binds as the bench rules' unit table */
	ck_assert_msg(kp_data_bind(d, r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(d->nunits, 1);
	ck_assert_int_eq(kp_data_unit(d, "U09"), 0);
	free(ids);
	kp_data_free(d);
	kp_store_close(s);
	kp_rules_free(r);
}
END_TEST

/* A rules' numeric column holding text is an error naming file, line,
 * column and text, when the data is read back for scoring. */
START_TEST(test_load_bad_number)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	kp_store *s = open_w(db);
	kp_rules *r = bench_rules();
	kp_data *d;
	long *ids = NULL;
	size_t nids = 0;
	kp_err err;

	WRITE(u, "unit_id,name,category,i01,i02,i03,i04,i05,i06,i07,i08,i09,i10,i11,i12,i13,i14,i15,i16,i17,i18,i19,i20\n"
		 "U01,甲,dept,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0\n"
		 "U02,乙,dept,1,1,1,1,五,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0\n");
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), 0);
	d = kp_data_new(&err);
	/* read whole: the bad cell is gathered (every one, in one pass), and
	 * the data may not be scored */
	ck_assert_msg(kp_store_load(s, 2021, r, d, &ids, &nids, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(d->ntab, 1);
	ck_assert_uint_eq(d->tab[0]->nbad, 1);
	ck_assert_uint_eq(d->tab[0]->bad[0].line, 3);
	ck_assert_uint_eq(d->tab[0]->bad[0].col + 1, 8);
	ck_assert_str_eq(d->tab[0]->cols[d->tab[0]->bad[0].col], "i05");
	ck_assert_str_eq(d->tab[0]->bad[0].id, "U02");
	ck_assert_str_eq(d->tab[0]->bad[0].text, "五");
	ck_assert_int_eq(d->tab[0]->bad[0].status, KP_NUM_BAD);
	ck_assert_int_eq(kp_data_bad_cells(d, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "1 cell in 1 file is not a number (listed above): correct it and try again");
	ck_assert_int_eq(kp_data_bind(d, r, &err), KP_EDATA);
	free(ids);
	kp_data_free(d);
	kp_store_close(s);
	kp_rules_free(r);
}
END_TEST

/* A large table is read on two connections (the upper half of its rowids
 * on a thread of its own) and comes back exactly as one reader would give
 * it: every row in order, every cell, the bad cells of both halves in
 * line order, also with rowids far from 1..n as another tool may leave. */
START_TEST(test_load_two_connections)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *files[] = { u };
	kp_store *s = open_w(db);
	kp_rules *r = bench_rules();
	kp_data *d, *want;
	kp_table *t, *w;
	sqlite3 *raw;
	long *ids = NULL;
	size_t nids = 0, i, c;
	kp_err err;
	char cmd[600], a[64], b[64];

	snprintf(cmd, sizeof cmd, "lua5.4 scripts/gen-units 70000 3 > %s", u);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(import(s, files, 1, 2021, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(sqlite3_exec(raw, "UPDATE \"2021/units\" SET i05 = '六' WHERE _line = 10;"
					   "UPDATE \"2021/units\" SET i05 = '五' WHERE _line = 60000;"
					   "UPDATE \"2021/units\" SET rowid = rowid + 4000000000000 WHERE rowid > 35000;"
					   "UPDATE \"2021/units\" SET rowid = rowid - 3000 WHERE rowid < 100;",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);

	ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), 0);
	d = kp_data_new(&err);
	ck_assert_msg(kp_store_load(s, 2021, r, d, &ids, &nids, &err) == 0, "%s", err.msg);
	want = kp_data_new(&err);
	ck_assert_msg(kp_data_read_csv(want, u, NULL, r, NULL, &err) == 0, "%s", err.msg);
	t = d->tab[0], w = want->tab[0];
	ck_assert_uint_eq(t->nrows, 70000);
	ck_assert_uint_eq(t->nrows, w->nrows);
	ck_assert_uint_eq(t->ncols, w->ncols);
	for (i = 0; i < t->nrows; i++) {
		ck_assert_uint_eq(t->line[i], w->line[i]);
		for (c = 0; c < t->ncols; c++) {
			if (c == (size_t)kp_table_col(t, "i05") && (t->line[i] == 10 || t->line[i] == 60000))
				continue;
			const char *x = kp_table_cell(t, i, c, a, sizeof a), *y = kp_table_cell(w, i, c, b, sizeof b);
			ck_assert_msg(!strcmp(x, y), "row %zu column %zu: %s, not %s", i, c, x, y);
		}
	}
	ck_assert_uint_eq(t->nbad, 2);
	ck_assert_uint_eq(t->bad[0].line, 10);
	ck_assert_str_eq(t->bad[0].text, "六");
	ck_assert_uint_eq(t->bad[1].line, 60000);
	ck_assert_str_eq(t->bad[1].text, "五");
	free(ids);
	kp_data_free(d);
	kp_data_free(want);
	kp_store_close(s);
	kp_rules_free(r);
}
END_TEST

/* ---------- what the database holds: years, imports, runs, drops ---------- */

/* units_csv with every value there, so that rules/bench.lua scores it */
static void write_units_full(const char *p)
{
	size_t n = strlen(units_csv);
	char *text = malloc(n + 2), *gap; /* room for the one character put in */

	ck_assert_ptr_nonnull(text);
	memcpy(text, units_csv, n + 1);
	gap = strstr(text, ",0.5,,");
	ck_assert_ptr_nonnull(gap);
	memmove(gap + 6, gap + 5, strlen(gap + 5) + 1);
	memcpy(gap, ",0.5,0", 6);
	WRITE(p, text);
	free(text);
}

struct listing {
	char text[4096];
	size_t n;
};

static int list_import(void *ud, const kp_store_import_row *row, kp_err *err)
{
	struct listing *l = ud;

	(void)err;
	l->n += (size_t)snprintf(l->text + l->n, sizeof l->text - l->n, "%d|%s|%zu|%zu|%s\n", row->year, row->name,
				 row->rows, strlen(row->sha256), strchr(row->file, '/') ? strrchr(row->file, '/') + 1 : row->file);
	return 0;
}

static int list_run(void *ud, const kp_store_run_row *row, kp_err *err)
{
	struct listing *l = ud;

	(void)err;
	l->n += (size_t)snprintf(l->text + l->n, sizeof l->text - l->n, "%ld|%d|%ld|%zu|%s\n", row->id, row->year,
				 row->units, strlen(row->rules_sha256), row->rules_file);
	return 0;
}

START_TEST(test_list_imports_runs)
{
	const char *db = path("k.db"), *u = path("units.csv"), *e = path("events.csv");
	const char *files[] = { u, e }, *one[] = { u };
	struct listing l = { "", 0 };
	kp_store *s = open_w(db);
	kp_err err;
	int *years = NULL;
	size_t ny = 0;
	kp_data *d = NULL;
	kp_result *res;

	write_units_full(u);
	WRITE(e, events_csv);
	ck_assert_int_eq(kp_store_years(s, &years, &ny, &err), 0);
	ck_assert_uint_eq(ny, 0);
	free(years);
	ck_assert_int_eq(import(s, files, 2, 2021, NULL, 0, NULL, &err), 0);
	ck_assert_int_eq(import(s, one, 1, 2020, NULL, 0, NULL, &err), 0);
	ck_assert_int_eq(kp_store_years(s, &years, &ny, &err), 0);
	ck_assert_uint_eq(ny, 2);
	ck_assert_int_eq(years[0], 2020);
	ck_assert_int_eq(years[1], 2021);
	free(years);
	ck_assert_int_eq(kp_store_imports(s, 0, list_import, &l, &err), 0);
	ck_assert_str_eq(l.text, "2020|units|4|64|units.csv\n2021|units|4|64|units.csv\n2021|events|3|64|events.csv\n");
	l.n = 0, l.text[0] = '\0';
	ck_assert_int_eq(kp_store_imports(s, 2020, list_import, &l, &err), 0);
	ck_assert_str_eq(l.text, "2020|units|4|64|units.csv\n");
	l.n = 0, l.text[0] = '\0';
	ck_assert_int_eq(kp_store_runs(s, list_run, &l, &err), 0);
	ck_assert_str_eq(l.text, "");
	kp_store_close(s);
	s = open_w(path("r.db"));
	res = score_into(s, "rules/bench.lua", one, 1, 2021, &d);
	ck_assert_int_eq(kp_store_runs(s, list_run, &l, &err), 0);
	ck_assert_str_eq(l.text, "1|2021|4|64|rules/bench.lua\n");
	kp_result_free(res);
	kp_data_free(d);
	kp_store_close(s);
}
END_TEST

/* A drop: the data table goes, the imports row is marked, an audit row
 * says what and when and which run used it; the database opens again
 * (the audit table passes the schema check) and the name imports again. */
START_TEST(test_drop)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *one[] = { u };
	kp_store *s = open_w(db);
	kp_store_dropped dr;
	kp_data *d = NULL;
	kp_result *res;
	kp_err err;
	sqlite3 *raw;
	char *v;

	write_units_full(u);
	res = score_into(s, "rules/bench.lua", one, 1, 2021, &d);
	kp_result_free(res);
	kp_data_free(d);
	memset(&err, 0, sizeof err);
	ck_assert_msg(kp_store_drop(s, 2021, "units", &dr, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(dr.id, 1);
	ck_assert_uint_eq(dr.rows, 4);
	ck_assert_str_eq(dr.file, u);
	ck_assert_uint_eq(strlen(dr.sha256), 64);
	ck_assert_str_eq(dr.used_by, "1");
	kp_store_dropped_free(&dr);
	kp_store_close(s);

	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM sqlite_schema WHERE name = '2021/units'"), 0);
	v = rows_of(raw, "SELECT data_table IS NULL, replaced_at IS NOT NULL FROM imports");
	ck_assert_str_eq(v, "1|1\n");
	free(v);
	v = rows_of(raw, "SELECT import_id, year, name, rows, used_by, length(sha256), "
			 "dropped_at LIKE '____-__-__T__:__:__Z' FROM import_drops");
	ck_assert_str_eq(v, "1|2021|units|4|1|64|1\n");
	free(v);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM results WHERE run_id = 1"), 4); /* the run keeps its results */
	sqlite3_close(raw);

	s = open_w(db); /* the schema, with import_drops, is still kaoping's */
	ck_assert_msg(import(s, one, 1, 2021, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_store_drop(s, 2021, "units", &dr, &err), 0);
	ck_assert_ptr_null(dr.used_by); /* no run used the second import */
	kp_store_dropped_free(&dr);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(qint(raw, "SELECT count(*) FROM import_drops"), 2);
	sqlite3_close(raw);
}
END_TEST

/* A name not imported: refused, with the nearest name, the database as it
 * was (byte for byte: no audit table created). */
START_TEST(test_drop_unknown)
{
	const char *db = path("k.db"), *u = path("units.csv"), *e = path("events.csv");
	const char *files[] = { u, e };
	struct snapshot a, b;
	kp_store_dropped dr;
	kp_store *s = open_w(db);
	kp_err err;

	WRITE(u, units_csv);
	WRITE(e, events_csv);
	ck_assert_int_eq(import(s, files, 2, 2021, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	snap(&a, db);
	s = open_w(db);
	ck_assert_int_eq(kp_store_drop(s, 2021, "unit", &dr, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "nothing named 'unit' is imported for 2021; did you mean 'units'?") &&
		      strstr(err.msg, "it holds: units, events"), "%s", err.msg);
	ck_assert_ptr_null(dr.file);
	ck_assert_int_eq(kp_store_drop(s, 2020, "units", &dr, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "it holds nothing for that year"), "%s", err.msg);
	kp_store_close(s);
	snap(&b, db);
	same_snap(&a, &b, "a refused drop");
}
END_TEST

/* A drop that fails at its last step (the imports row cannot be updated:
 * a trigger on the store's own connection raises) leaves the database as
 * it was: data table, imports row, no audit row. */
START_TEST(test_drop_atomic)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *one[] = { u };
	struct snapshot a, b;
	kp_store_dropped dr;
	kp_store *s = open_w(db);
	kp_err err;

	WRITE(u, units_csv);
	ck_assert_int_eq(import(s, one, 1, 2021, NULL, 0, NULL, &err), 0);
	kp_store_close(s);
	snap(&a, db);
	s = open_w(db);
	ck_assert_int_eq(sqlite3_exec(s->db, "CREATE TEMP TRIGGER fail BEFORE UPDATE ON main.imports "
				      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(kp_store_drop(s, 2021, "units", &dr, &err), 0);
	ck_assert_msg(strstr(err.msg, "injected failure"), "%s", err.msg);
	ck_assert_ptr_null(dr.file);
	kp_store_close(s);
	snap(&b, db);
	same_snap(&a, &b, "a failed drop");
}
END_TEST

/* The audit table is checked like the rest: changed by another tool, the
 * database is refused. */
START_TEST(test_drops_table_checked)
{
	const char *db = path("k.db"), *u = path("units.csv");
	const char *one[] = { u };
	kp_store_dropped dr;
	kp_store *s = open_w(db);
	kp_err err = { 0 };
	sqlite3 *raw;

	WRITE(u, units_csv);
	ck_assert_int_eq(import(s, one, 1, 2021, NULL, 0, NULL, &err), 0);
	ck_assert_int_eq(kp_store_drop(s, 2021, "units", &dr, &err), 0);
	kp_store_dropped_free(&dr);
	kp_store_close(s);
	raw = raw_open(db);
	ck_assert_int_eq(sqlite3_exec(raw, "ALTER TABLE import_drops ADD COLUMN note TEXT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	s = NULL;
	ck_assert_int_eq(kp_store_open(db, KP_STORE_READ, &s, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "table 'import_drops' is not as kaoping creates it"), "%s", err.msg);
	ck_assert_ptr_null(s);
}
END_TEST

/* ---------- the tables the store reads back (kp_table) ---------- */

static kp_table *table_of(const char *name, unsigned char num_b)
{
	static char *cols[] = { "id", "b", "c" };
	unsigned char numeric[] = { 0, num_b, 0 };
	kp_err err = { 0 };
	kp_table *t = kp_table_new(name, "f.csv", &err);

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(kp_table_set_columns(t, 3, cols, numeric, &err), 0);
	return t;
}

static void add_row(kp_table *t, size_t line, const char *a, const char *b, const char *c)
{
	char *f[] = { (char *)a, (char *)b, (char *)c };
	size_t len[] = { strlen(a), strlen(b), strlen(c) };
	kp_err err = { 0 };

	ck_assert_msg(kp_table_add(t, line, f, len, &err) == 0, "%s", err.msg);
}

START_TEST(test_table_typed)
{
	kp_table *t = table_of("units", 1);
	kp_err err = { 0 };
	char buf[64], *bad[] = { "U9", "abc", "z" }, *pct[] = { "U9", "150%", "z" };
	double v;

	ck_assert_str_eq(t->name, "units");
	ck_assert_str_eq(t->file, "f.csv");
	add_row(t, 2, "U1", "96.4%", "城关镇");
	add_row(t, 3, "U2", "1,102", "");
	add_row(t, 5, "U3", "", "县公安局,\n治安大队");
	add_row(t, 6, "U4", "-0", "x");
	ck_assert_uint_eq(t->nrows, 4);
	ck_assert_int_eq(kp_table_col(t, "b"), 1);
	ck_assert_int_eq(kp_table_col(t, "nope"), -1);
	ck_assert_int_eq(kp_table_num(t, 0, 1, &v), KP_NUM_OK);
	ck_assert(v == 0.964);
	ck_assert_int_eq(kp_table_num(t, 1, 1, &v), KP_NUM_OK);
	ck_assert(v == 1102);
	ck_assert_int_eq(kp_table_num(t, 2, 1, &v), KP_NUM_EMPTY);
	ck_assert_int_eq(kp_table_num(t, 3, 1, &v), KP_NUM_OK);
	ck_assert(v == 0 && !signbit(v));
	ck_assert_str_eq(kp_table_cell(t, 0, 1, buf, sizeof buf), "0.964");
	ck_assert_str_eq(kp_table_cell(t, 2, 1, buf, sizeof buf), "");
	ck_assert_str_eq(kp_table_text(t, 0, 1), ""); /* a numeric column has no text */
	ck_assert_str_eq(kp_table_text(t, 0, 0), "U1");
	ck_assert_str_eq(kp_table_text(t, 0, 2), "城关镇");
	ck_assert_str_eq(kp_table_text(t, 1, 2), "");
	ck_assert_str_eq(kp_table_text(t, 2, 2), "县公安局,\n治安大队");
	ck_assert_str_eq(kp_table_cell(t, 3, 0, buf, sizeof buf), "U4");
	/* text columns read as numbers on demand */
	ck_assert_int_eq(kp_table_num(t, 0, 2, &v), KP_NUM_BAD);
	ck_assert_int_eq(kp_table_num(t, 1, 2, &v), KP_NUM_EMPTY);
	ck_assert_uint_eq(t->line[2], 5);
	/* a numeric cell that is not a number names file, line, column, text */
	ck_assert_int_eq(kp_table_add(t, 9, bad, NULL, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "f.csv:9:2: column 'b': not a number: 'abc'");
	ck_assert_int_eq(kp_table_add(t, 10, pct, NULL, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "f.csv:10:2: column 'b': a percentage above 100%"));
	ck_assert_uint_eq(t->nrows, 4);
	kp_table_free(t);
}
END_TEST

/* Many rows and long text: the arrays grow and keep their contents. */
START_TEST(test_table_grows)
{
	kp_table *t = table_of("big", 1);
	char id[32], num[32], text[128];
	size_t i;
	double v;

	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "U%zu", i);
		snprintf(num, sizeof num, "%zu.5", i);
		snprintf(text, sizeof text, "单位%zu-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i);
		add_row(t, i + 2, id, num, text);
	}
	for (i = 0; i < 5000; i += 499) {
		snprintf(id, sizeof id, "U%zu", i);
		snprintf(text, sizeof text, "单位%zu-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i);
		ck_assert_str_eq(kp_table_text(t, i, 0), id);
		ck_assert_str_eq(kp_table_text(t, i, 2), text);
		ck_assert_int_eq(kp_table_num(t, i, 1, &v), KP_NUM_OK);
		ck_assert(v == (double)i + 0.5);
		ck_assert_uint_eq(t->line[i], i + 2);
	}
	kp_table_free(t);
}
END_TEST

/* kp_table_append moves src's rows after t's and frees src. */
/* Every bad cell gathered (collect), the first KP_TABLE_BAD_KEEP kept in
 * file order across appended pieces; without collect the first is an
 * error as before.  A word for "no value" is told from a blank. */
START_TEST(test_table_collect)
{
	kp_table *t = table_of("units", 1), *a = table_of("units", 1), *strict = table_of("units", 1);
	kp_err err = { 0 };
	char *f[] = { "U9", "x", "c" };
	double v;
	size_t i;

	t->collect = a->collect = 1;
	t->idc = a->idc = 0;
	add_row(t, 2, "U1", "abc", "甲");
	add_row(t, 3, "U2", "N/A", "乙");
	add_row(t, 4, "U3", "－３", "丙");
	ck_assert_uint_eq(t->nbad, 1);
	ck_assert_int_eq(kp_table_num(t, 0, 1, &v), KP_NUM_EMPTY); /* the bad cell goes in blank */
	ck_assert_int_eq(kp_table_num(t, 1, 1, &v), KP_NUM_NA);
	ck_assert_int_eq(kp_table_num(t, 2, 1, &v), KP_NUM_OK);
	ck_assert(v == -3);
	for (i = 0; i < 60; i++)
		add_row(a, 10 + i, "V", "bad", "");
	ck_assert_uint_eq(a->nbad, 60);
	ck_assert_uint_eq(a->nkept, KP_TABLE_BAD_KEEP);
	ck_assert_int_eq(kp_table_append(t, a, &err), 0);
	ck_assert_uint_eq(t->nbad, 61);
	ck_assert_uint_eq(t->nkept, KP_TABLE_BAD_KEEP);
	ck_assert_uint_eq(t->bad[0].line, 2);
	ck_assert_str_eq(t->bad[0].id, "U1");
	ck_assert_str_eq(t->bad[0].text, "abc");
	ck_assert_uint_eq(t->bad[1].line, 10);
	ck_assert_uint_eq(t->bad[KP_TABLE_BAD_KEEP - 1].line, 10 + KP_TABLE_BAD_KEEP - 2);
	kp_table_free(t);
	ck_assert_int_eq(kp_table_add(strict, 7, f, NULL, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "f.csv:7:2: column 'b': not a number: 'x'");
	ck_assert_uint_eq(strict->nbad, 0);
	kp_table_free(strict);
}
END_TEST

START_TEST(test_table_append)
{
	kp_table *t = table_of("units", 1), *a = table_of("units", 1), *e = table_of("units", 1);
	kp_table *empty = table_of("units", 1);
	kp_err err = { 0 };
	char buf[64];
	double v;
	size_t i;

	add_row(t, 2, "U1", "1", "甲");
	add_row(t, 3, "U2", "", "乙");
	for (i = 0; i < 300; i++) {
		char id[16], n[16];
		snprintf(id, sizeof id, "V%zu", i);
		snprintf(n, sizeof n, "%zu", i);
		add_row(a, 100 + i, id, n, i % 2 ? "丙" : "");
	}
	ck_assert_int_eq(kp_table_append(t, a, &err), 0);
	ck_assert_uint_eq(t->nrows, 302);
	ck_assert_str_eq(kp_table_text(t, 1, 2), "乙");
	ck_assert_int_eq(kp_table_num(t, 1, 1, &v), KP_NUM_EMPTY);
	ck_assert_str_eq(kp_table_text(t, 2, 0), "V0");
	ck_assert_str_eq(kp_table_text(t, 2, 2), "");
	ck_assert_str_eq(kp_table_text(t, 3, 2), "丙");
	ck_assert_str_eq(kp_table_text(t, 301, 0), "V299");
	ck_assert_int_eq(kp_table_num(t, 301, 1, &v), KP_NUM_OK);
	ck_assert(v == 299);
	ck_assert_uint_eq(t->line[301], 399);
	ck_assert_str_eq(kp_table_cell(t, 150, 1, buf, sizeof buf), "148");
	/* an empty table appended changes nothing; rows still go on after */
	ck_assert_int_eq(kp_table_append(t, empty, &err), 0);
	ck_assert_uint_eq(t->nrows, 302);
	add_row(t, 500, "W1", "7", "丁");
	ck_assert_str_eq(kp_table_text(t, 302, 2), "丁");
	ck_assert_str_eq(kp_table_text(t, 301, 0), "V299");
	/* into an empty table */
	add_row(e, 2, "X", "2", "戊");
	{
		kp_table *z = table_of("units", 1);
		ck_assert_int_eq(kp_table_append(z, e, &err), 0);
		ck_assert_uint_eq(z->nrows, 1);
		ck_assert_str_eq(kp_table_text(z, 0, 2), "戊");
		add_row(z, 3, "Y", "3", "己");
		ck_assert_str_eq(kp_table_text(z, 1, 0), "Y");
		kp_table_free(z);
	}
	kp_table_free(t);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("open");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_fresh);
	tcase_add_test(tc, test_open_empty_file);
	tcase_add_test(tc, test_open_blank_sqlite);
	tcase_add_test(tc, test_open_newer_schema);
	tcase_add_test(tc, test_open_not_sqlite);
	tcase_add_test(tc, test_open_foreign_sqlite);
	tcase_add_test(tc, test_open_messages_zh_en);
	tcase_add_test(tc, test_open_missing_and_dirs);
	tcase_add_test(tc, test_open_sidecar_not_regular);
	tcase_add_test(tc, test_open_rollback_mode_waits_for_commit);
	tcase_add_test(tc, test_open_refuses_stray_wal);
	tcase_add_test(tc, test_open_uncommitted_wal);
	tcase_add_test(tc, test_open_replays_own_wal);
	suite_add_tcase(s, tc);

	tc = tcase_create("import");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_import_good);
	tcase_add_test(tc, test_import_gb18030);
	tcase_add_test(tc, test_import_odd_names);
	tcase_add_test(tc, test_import_reserved_column);
	tcase_add_test(tc, test_import_as);
	tcase_add_test(tc, test_import_same_stem);
	tcase_add_test(tc, test_import_atomic);
	tcase_add_test(tc, test_reimport);
	tcase_add_test(tc, test_same_name_other_file);
	tcase_add_test(tc, test_same_file_other_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_typed);
	tcase_add_test(tc, test_table_grows);
	tcase_add_test(tc, test_table_append);
	tcase_add_test(tc, test_table_collect);
	suite_add_tcase(s, tc);

	tc = tcase_create("runs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_run_round_trip);
	tcase_add_test(tc, test_run_last_category_changed);
	tcase_add_test(tc, test_unit_rows_snapshot);
	tcase_add_test(tc, test_run_uncommitted);
	tcase_add_test(tc, test_run_round_trip_structured_notes);
	tcase_add_test(tc, test_run_round_trip_odd_notes);
	tcase_add_test(tc, test_run_round_trip_bench);
	tcase_add_test(tc, test_run_flush);
	tcase_add_test(tc, test_run_log_once);
	tcase_add_test(tc, test_run_derived_bench);
	tcase_add_test(tc, test_run_derived_golden);
	tcase_add_test(tc, test_run_derived_scopes);
	tcase_add_test(tc, test_run_derived_refuses);
	tcase_add_test(tc, test_block_parse);
	tcase_add_test(tc, test_rules_text_no_modules);
	tcase_add_test(tc, test_run_round_trip_golden_rankings);
	tcase_add_test(tc, test_run_ranking_tampered);
	tcase_add_test(tc, test_unit_rows);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_load_header_only);
	tcase_add_test(tc, test_load_two_connections);
	tcase_add_test(tc, test_load_after_replace);
	tcase_add_test(tc, test_load_bad_number);
	suite_add_tcase(s, tc);

	tc = tcase_create("holds");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list_imports_runs);
	tcase_add_test(tc, test_drop);
	tcase_add_test(tc, test_drop_unknown);
	tcase_add_test(tc, test_drop_atomic);
	tcase_add_test(tc, test_drops_table_checked);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(store_suite)
