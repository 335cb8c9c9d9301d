/* store_rows.c — the imported rows a unit's points came from: in each
 * import a stored run used, the rows whose unit column holds the unit's
 * id, with the file and the line each came from (the data tables keep the
 * source line of every row in "_line").  Reads the import tables only,
 * never the results layout.  A kp_store_rows owns its statements, its
 * copies of the imports' names and columns, the imports whose rows are
 * gone, (for many units) the temporary indexes it builds in the
 * connection's temp schema, and the read transaction it reads in: from
 * open to close one snapshot, so that an import --replace committed by
 * another process meanwhile (which drops the data table and creates one
 * of the same name) is never read under the old import's name. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

struct rows_src {               /* one import of the run */
	char *name, *file;
	char **cols;
	size_t ncols;
	sqlite3_stmt *q;        /* the rows of one unit: _line, then the columns */
};

struct kp_store_rows {
	kp_store *s;
	struct rows_src *src;
	size_t nsrc;
	const char **vals;      /* one row's values, ncols of the widest import */
	size_t nvals;
	kp_store_row *gone;     /* imports of the run whose rows are gone (own strings) */
	size_t ngone;
	int own_tx;             /* the read transaction is this reader's */
};

static void src_free(struct rows_src *x)
{
	size_t i;

	sqlite3_finalize(x->q);
	for (i = 0; i < x->ncols; i++)
		free(x->cols[i]);
	free(x->cols), free(x->name), free(x->file);
}

void kp_store_rows_close(kp_store_rows *rr)
{
	size_t i;

	if (!rr)
		return;
	for (i = 0; i < rr->nsrc; i++)
		src_free(&rr->src[i]);
	for (i = 0; i < rr->ngone; i++)
		free((char *)rr->gone[i].dataset), free((char *)rr->gone[i].file), free((char *)rr->gone[i].gone);
	free(rr->src);
	free(rr->gone);
	free(rr->vals);
	if (rr->own_tx) /* a read transaction: nothing to keep, and nothing lost if it fails */
		sqlite3_exec(rr->s->db, "COMMIT", NULL, NULL, NULL);
	free(rr);
}

/* The recorded column names of import id, in order, into x. */
static int src_columns(kp_store *s, sqlite3_int64 id, struct rows_src *x, kp_err *err)
{
	rd r = {s, NULL, "import_columns", err, 0, NULL, NULL};
	int rc;

	if ((rc = store_prep(s, "SELECT name FROM import_columns WHERE import_id = ? ORDER BY position", &r.st, err)))
		return rc;
	sqlite3_bind_int64(r.st, 1, id);
	while (!r.rc && store_rd_step(&r) > 0) {
		const char *t = store_rd_text(&r, 0, 0);
		char **p = t ? realloc(x->cols, (x->ncols + 1) * sizeof *p) : NULL;
		if (p)
			x->cols = p;
		if (t && (!p || !(p[x->ncols] = strdup(t))))
			r.rc = kp_err_oom(err);
		else if (t)
			x->ncols++;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int has_col(const struct rows_src *x, const char *col)
{
	size_t i;

	for (i = 0; i < x->ncols; i++)
		if (!strcmp(x->cols[i], col))
			return 1;
	return 0;
}

/* Run SQL built in q (freed); KP_ENOMEM when it could not be built. */
static int exec_str(kp_store *s, sqlite3_str *q, kp_err *err)
{
	char *sql = sqlite3_str_finish(q);
	int rc = sql ? store_exec(s, sql, err) : kp_err_oom(err);

	sqlite3_free(sql);
	return rc;
}

/* For many units: a temporary index of the unit column (k) to the row. */
static int src_index(kp_store *s, size_t n, const char *table, const char *key, kp_err *err)
{
	sqlite3_str *q = sqlite3_str_new(s->db);
	int rc;

	sqlite3_str_appendf(q, "CREATE TEMP TABLE \"kp_rows_%lld\" AS SELECT \"%w\" AS k, rowid AS r FROM main.\"%w\"",
			    (long long)n, key, table);
	if ((rc = exec_str(s, q, err)))
		return rc;
	q = sqlite3_str_new(s->db);
	sqlite3_str_appendf(q, "CREATE INDEX temp.\"kp_rows_%lld_k\" ON \"kp_rows_%lld\"(k)", (long long)n, (long long)n);
	return exec_str(s, q, err);
}

/* The statement that reads one unit's rows of the import. */
static int src_query(kp_store *s, struct rows_src *x, size_t n, const char *table, const char *key, int many,
		     kp_err *err)
{
	sqlite3_str *q = sqlite3_str_new(s->db);
	char *sql;
	size_t i;
	int rc;

	sqlite3_str_appendall(q, "SELECT t.\"_line\"");
	for (i = 0; i < x->ncols; i++)
		sqlite3_str_appendf(q, ", t.\"%w\"", x->cols[i]);
	if (many)
		sqlite3_str_appendf(q, " FROM \"kp_rows_%lld\" x JOIN main.\"%w\" t ON t.rowid = x.r WHERE x.k = ?1"
				       " ORDER BY t.\"_line\", t.rowid", (long long)n, table);
	else
		sqlite3_str_appendf(q, " FROM main.\"%w\" t WHERE t.\"%w\" = ?1 ORDER BY t.\"_line\", t.rowid",
				    table, key);
	if (!(sql = sqlite3_str_finish(q)))
		return kp_err_oom(err);
	rc = store_prep(s, sql, &x->q, err);
	sqlite3_free(sql);
	return rc;
}

/* An import of the run whose rows are gone (replaced or dropped), kept to
 * be told: when the run's key names a column it had. */
static int add_gone(kp_store_rows *rr, sqlite3_int64 id, const char *name, const char *file, const char *key,
		    const char *at, int dropped, kp_err *err)
{
	struct rows_src cols;
	kp_store_row *p, *g;
	int rc;

	memset(&cols, 0, sizeof cols);
	if ((rc = src_columns(rr->s, id, &cols, err)) || !has_col(&cols, key)) {
		src_free(&cols);
		return rc;
	}
	src_free(&cols);
	if (!(p = realloc(rr->gone, (rr->ngone + 1) * sizeof *p)))
		return kp_err_oom(err);
	rr->gone = p, g = &p[rr->ngone];
	memset(g, 0, sizeof *g);
	g->dropped = dropped;
	if (!(g->dataset = strdup(name)) || !(g->file = strdup(file)) || !(g->gone = strdup(at))) {
		free((char *)g->dataset), free((char *)g->file);
		return kp_err_oom(err);
	}
	rr->ngone++;
	return 0;
}

/* Add one import (name, file, its data table) when the run's key names a
 * column of it.  The import's table is read only while the snapshot says
 * it is still that import's (not replaced: --replace gives a new import
 * a table of the same name); else the import is one whose rows are gone. */
static int add_src(kp_store_rows *rr, rd *r, kp_store_key_fn key_of, void *kud, int many, kp_err *err)
{
	const char *name = store_rd_text(r, 0, 0), *file = store_rd_text(r, 1, 0);
	const char *table = store_rd_text(r, 2, 1), *key;
	sqlite3_int64 id = store_rd_int(r, 3, 1, INT64_MAX, 0, NULL);
	const char *replaced = store_rd_text(r, 4, 1);
	int dropped = RD_FLAG(r, 5);
	struct rows_src *x, *p;
	int rc;

	if (r->rc || !(key = key_of(kud, name)))
		return r->rc;
	if (replaced)
		return add_gone(rr, id, name, file, key, replaced, dropped, err);
	if (!table)
		return 0;
	if (!(p = realloc(rr->src, (rr->nsrc + 1) * sizeof *p)))
		return kp_err_oom(err);
	rr->src = p, x = &p[rr->nsrc];
	memset(x, 0, sizeof *x);
	if (!(x->name = strdup(name)) || !(x->file = strdup(file))) {
		src_free(x);
		return kp_err_oom(err);
	}
	if ((rc = src_columns(rr->s, id, x, err)) || !has_col(x, key) ||
	    (many && (rc = src_index(rr->s, rr->nsrc, table, key, err))) ||
	    (rc = src_query(rr->s, x, rr->nsrc, table, key, many, err))) {
		src_free(x);
		return rc;
	}
	if (x->ncols > rr->nvals)
		rr->nvals = x->ncols;
	rr->nsrc++;
	return 0;
}

/* Does the database hold the audit of drops (made by the first drop)? */
static int has_drops(kp_store *s, int *yes, kp_err *err)
{
	rd r = {s, NULL, "sqlite_schema", err, 0, NULL, NULL};

	*yes = 0;
	if ((r.rc = store_prep(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'import_drops'",
			       &r.st, err)))
		return r.rc;
	if (store_rd_step(&r) > 0)
		*yes = store_rd_int(&r, 0, 0, 1, 0, NULL) != 0;
	sqlite3_finalize(r.st);
	return r.rc;
}

int kp_store_rows_open(kp_store *s, long run_id, kp_store_key_fn key_of, void *kud, int many, kp_store_rows **out,
		       kp_err *err)
{
	kp_store_rows *rr = calloc(1, sizeof *rr);
	rd r = {s, NULL, "imports", err, 0, NULL, NULL};
	int drops = 0;

	*out = NULL;
	if (!rr)
		return kp_err_oom(err);
	rr->s = s;
	/* one snapshot from here to kp_store_rows_close (inside a transaction
	 * the caller holds, that one) */
	if (sqlite3_get_autocommit(s->db)) {
		if ((r.rc = store_exec(s, "BEGIN", err)))
			goto out;
		rr->own_tx = 1;
	}
	if ((r.rc = has_drops(s, &drops, err)))
		goto out;
	if ((r.rc = store_prep(s, drops ? "SELECT i.name, i.file, i.data_table, i.id, i.replaced_at,"
					  " EXISTS(SELECT 1 FROM import_drops d WHERE d.import_id = i.id) FROM run_imports ri"
					  " JOIN imports i ON i.id = ri.import_id WHERE ri.run_id = ? ORDER BY i.id"
					: "SELECT i.name, i.file, i.data_table, i.id, i.replaced_at, 0 FROM run_imports ri"
					  " JOIN imports i ON i.id = ri.import_id WHERE ri.run_id = ? ORDER BY i.id",
			       &r.st, err)))
		goto out;
	sqlite3_bind_int64(r.st, 1, run_id);
	while (!r.rc && store_rd_step(&r) > 0)
		r.rc = add_src(rr, &r, key_of, kud, many, err);
	if (!r.rc && !(rr->vals = calloc(rr->nvals ? rr->nvals : 1, sizeof *rr->vals)))
		r.rc = kp_err_oom(err);
out:
	sqlite3_finalize(r.st);
	if (r.rc) {
		kp_store_rows_close(rr);
		return r.rc;
	}
	*out = rr;
	return 0;
}

/* The rows of one import for the unit, each handed to fn. */
static int src_rows(kp_store_rows *rr, struct rows_src *x, const char *unit, kp_store_row_fn fn, void *ud,
		    kp_err *err)
{
	rd r = {rr->s, x->q, x->name, err, 0, NULL, NULL};
	kp_store_row row = { x->name, x->file, 0, x->ncols, (const char *const *)x->cols, rr->vals, NULL, 0 };
	size_t i;

	sqlite3_reset(x->q);
	sqlite3_bind_text(x->q, 1, unit, -1, SQLITE_STATIC);
	while (!r.rc && store_rd_step(&r) > 0) {
		row.line = (long)store_rd_int(&r, 0, 0, LONG_MAX, 0, NULL);
		for (i = 0; i < x->ncols; i++)
			rr->vals[i] = store_rd_text(&r, (int)i + 1, 1);
		if (!r.rc)
			r.rc = fn(ud, &row, err);
	}
	sqlite3_reset(x->q);
	sqlite3_clear_bindings(x->q);
	return r.rc;
}

int kp_store_rows_unit(kp_store_rows *rr, const char *unit, kp_store_row_fn fn, void *ud, kp_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < rr->nsrc && !rc; i++)
		rc = src_rows(rr, &rr->src[i], unit, fn, ud, err);
	for (i = 0; i < rr->ngone && !rc; i++)
		rc = fn(ud, &rr->gone[i], err);
	return rc;
}

const kp_store_row *kp_store_rows_gone(const kp_store_rows *rr, size_t i)
{
	return rr && i < rr->ngone ? &rr->gone[i] : NULL;
}
