/* scripts/bench/floor.c — what SQLite itself takes for the least that
 * `kaoping score` must do, measured by `make bench` beside score (issue 11
 * holds score to 2x run):
 *
 *   read    every cell of the import the newest run scored, as text, on
 *           one connection (score reads it on two);
 *   insert  that run's rows of `results` (of a run kept in blocks, the rows
 *           the view block_results makes of them), read beforehand into memory,
 *           into an empty table and index made from the database's own
 *           schema, one bound row at a time in one transaction, with
 *           kaoping's pragmas (16 KiB pages, WAL, synchronous NORMAL, a
 *           64 MiB cache), then a checkpoint; and again with the index
 *           made after the rows (a sorted build), as a table of its own per
 *           run could have it.
 *
 * No scoring, no items, no notes, no ranking printed.
 *
 *   floor KAOPING.DB SCRATCH.DB   prints "READ_S INSERT_S INSERT_INDEX_AFTER_S"
 *
 * A benchmark tool, not part of kaoping: it trusts the database kaoping
 * made a moment before, and stops at the first error. */
#define _POSIX_C_SOURCE 200809L /* strdup, clock_gettime */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
	exit(1);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(db, sql);
	return st;
}

/* prep of the SQL sqlite3_mprintf makes of fmt (%w quotes a name). */
static sqlite3_stmt *prepf(sqlite3 *db, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!sql)
		die(NULL, "sqlite3_vmprintf");
	st = prep(db, sql);
	sqlite3_free(sql);
	return st;
}

/* The text of the first column of the first row of st (finalized). */
static char *one_text(sqlite3 *db, sqlite3_stmt *st)
{
	char *s;

	if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0))
		die(db, sqlite3_sql(st));
	if (!(s = strdup((const char *)sqlite3_column_text(st, 0))))
		die(NULL, "strdup");
	sqlite3_finalize(st);
	return s;
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

/* Seconds to insert the n rows of v (nc values each) into a fresh
 * database at path made as kaoping makes one: the table and its index
 * first (index_first), or the index after the rows, as a table of its own
 * per run could have it; one transaction, then a checkpoint. */
static double insert(const char *path, const char *ddl, const char *index, sqlite3_value **v, size_t n, int nc,
		     int index_first)
{
	sqlite3 *out;
	sqlite3_stmt *st;
	char q[4096], *wal;
	size_t len, i;
	double t;
	int c;

	remove(path);
	if (!(wal = sqlite3_mprintf("%s-wal", path)))
		die(NULL, "sql");
	remove(wal);
	if (sqlite3_open(path, &out) != SQLITE_OK)
		die(out, path);
	exec(out, "PRAGMA page_size = 16384");
	exec(out, "PRAGMA journal_mode = WAL");
	exec(out, "PRAGMA synchronous = NORMAL");
	exec(out, "PRAGMA cache_size = -65536");
	exec(out, ddl);
	if (index_first)
		exec(out, index);
	len = (size_t)snprintf(q, sizeof q, "INSERT INTO results VALUES(?");
	for (c = 1; c < nc && len + 3 < sizeof q; c++)
		len += (size_t)snprintf(q + len, sizeof q - len, ",?");
	snprintf(q + len, sizeof q - len, ")");
	t = now();
	exec(out, "BEGIN");
	st = prep(out, q);
	for (i = 0; i < n; i++) {
		for (c = 0; c < nc; c++)
			sqlite3_bind_value(st, c + 1, v[i * (size_t)nc + (size_t)c]);
		if (sqlite3_step(st) != SQLITE_DONE)
			die(out, "insert");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (!index_first)
		exec(out, index);
	exec(out, "COMMIT");
	if (sqlite3_wal_checkpoint_v2(out, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
		die(out, "checkpoint");
	t = now() - t;
	sqlite3_close(out);
	remove(path);
	remove(wal);
	sqlite3_free(wal);
	return t;
}

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	sqlite3_value **v = NULL;
	size_t n = 0, cap = 0, i;
	int nc, c;
	double t0, t1, t2, t3;
	char *table, *ddl, *index;
	long long run, cells = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: floor KAOPING.DB SCRATCH.DB\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(db, argv[1]);
	st = prep(db, "SELECT max(id) FROM runs");
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
		die(db, "no run");
	run = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	table = one_text(db, prepf(db, "SELECT i.data_table FROM run_imports r JOIN imports i ON i.id = r.import_id "
				   "WHERE r.run_id = %lld LIMIT 1", run));

	/* read: every cell of the import, as score reads it (text) */
	t0 = now();
	st = prepf(db, "SELECT * FROM \"%w\"", table);
	nc = sqlite3_column_count(st);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (c = 0; c < nc; c++)
			cells += sqlite3_column_text(st, c) != NULL;
	sqlite3_finalize(st);
	t1 = now();

	/* the run's results rows into memory (not timed): for a run kept in
	 * blocks, its units as block_results shows them, the same columns */
	st = prepf(db, "SELECT count(*) FROM results WHERE run_id = %lld", run);
	if (sqlite3_step(st) != SQLITE_ROW)
		die(db, "count");
	c = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	st = prepf(db, c ? "SELECT * FROM block_results WHERE run_id = %lld ORDER BY position"
			 : "SELECT * FROM results WHERE run_id = %lld ORDER BY position", run);
	nc = sqlite3_column_count(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(v = realloc(v, cap * (size_t)nc * sizeof *v)))
				die(NULL, "realloc");
		}
		for (c = 0; c < nc; c++)
			if (!(v[n * (size_t)nc + (size_t)c] = sqlite3_value_dup(sqlite3_column_value(st, c))))
				die(NULL, "sqlite3_value_dup");
		n++;
	}
	sqlite3_finalize(st);
	ddl = one_text(db, prep(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'results'"));
	index = one_text(db, prep(db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'results_unit'"));
	sqlite3_close(db);

	t2 = insert(argv[2], ddl, index, v, n, nc, 1);
	t3 = insert(argv[2], ddl, index, v, n, nc, 0);

	printf("%.3f %.3f %.3f\n", t1 - t0, t2, t3);
	fprintf(stderr, "floor: read %lld cells of %s in %.3f s; inserted %zu results rows in %.3f s (the index after them: %.3f s)\n",
		cells, table, t1 - t0, n, t2, t3);
	for (i = 0; i < n * (size_t)nc; i++)
		sqlite3_value_free(v[i]);
	free(v);
	free(table);
	free(ddl);
	free(index);
	return 0;
}
