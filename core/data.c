/* data.c — binding datasets to units (see include/kaoping/data.h). */
#include "kaoping/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include "kaoping/enc.h"
#include "kaoping/near.h"
#include "kaoping/num.h"
#include "kaoping/sb.h"
#include "kaoping/xlsx.h"

kp_data *kp_data_new(kp_err *err)
{
	kp_data *d = calloc(1, sizeof *d);

	if (!d)
		kp_err_oom(err);
	return d;
}

void kp_data_free(kp_data *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->ntab; i++)
		kp_table_free(d->tab[i]);
	for (i = 0; i < d->nind; i++)
		free(d->ind_row[i]);
	for (i = 0; i < d->nev; i++)
		free(d->ev[i].first), free(d->ev[i].rows);
	free(d->tab), free(d->cat), free(d->id), free(d->ind_t), free(d->ind_row);
	free(d->ev), free(d->slot);
	kp_sb_free(&d->unknown);
	free(d);
}

int kp_data_add(kp_data *d, kp_table *t, kp_err *err)
{
	kp_table **p = realloc(d->tab, (d->ntab + 1) * sizeof *p);

	if (!p) {
		kp_table_free(t);
		return kp_err_oom(err);
	}
	d->tab = p;
	d->tab[d->ntab++] = t;
	return 0;
}

kp_table *kp_data_table(const kp_data *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ntab; i++)
		if (!strcmp(d->tab[i]->name, name))
			return d->tab[i];
	return NULL;
}

long kp_data_unit(const kp_data *d, const char *id)
{
	size_t i;

	if (!d->nslot) { /* kp_data_bind dropped the index: scoring finds units by place */
		for (i = 0; d->units && i < d->nunits; i++)
			if (!strcmp(kp_data_id(d, i), id))
				return (long)i;
		return -1;
	}
	for (i = kp_hash_str(id) & (d->nslot - 1); d->slot[i]; i = (i + 1) & (d->nslot - 1))
		if (!strcmp(d->id[d->slot[i] - 1], id))
			return (long)d->slot[i] - 1;
	return -1;
}

const char *kp_data_id(const kp_data *d, size_t u)
{
	return d->id ? d->id[u] : kp_table_text(d->units, u, (size_t)d->id_col);
}

/* Once every table is joined, scoring finds a unit by its place, never by
 * its id: the hash and the id pointers (16 MB at a million units) go
 * before the results are made. */
static void drop_index(kp_data *d)
{
	free(d->slot), free(d->id);
	d->slot = NULL, d->nslot = 0, d->id = NULL;
}

/* The names kp_data_bind looks up for every table or event list, hashed:
 * the event lists' datasets and the tables' names (a linear search of
 * each for each was tables × event lists). */
typedef struct bind_names {
	kp_strset ev;    /* r->event[i].data */
	kp_strset tab;   /* d->tab[i]->name, in order */
} bind_names;

static int bind_names_make(bind_names *b, const kp_data *d, const kp_rules *r, kp_err *err)
{
	size_t i;

	memset(b, 0, sizeof *b);
	for (i = 0; i < r->nevent; i++)
		if (kp_strset_add(&b->ev, r->event[i].data) < 0)
			return kp_err_oom(err);
	for (i = 0; i < d->ntab; i++)
		if (kp_strset_add(&b->tab, d->tab[i]->name) < 0)
			return kp_err_oom(err);
	return 0;
}

static void bind_names_free(bind_names *b)
{
	kp_strset_free(&b->ev), kp_strset_free(&b->tab);
}

static int is_event_table(const bind_names *b, const kp_table *t)
{
	return kp_strset_has(&b->ev, t->name);
}

/* kp_data_table through the hash: the first table of that name. */
static const kp_table *table_named(const kp_data *d, const bind_names *b, const char *name)
{
	long k = kp_strset_index(&b->tab, name);

	return k >= 0 ? d->tab[k] : NULL;
}

static int find_unit_table(kp_data *d, const kp_rules *r, const bind_names *bn, kp_err *err)
{
	const kp_table *found = NULL;
	size_t i;

	if (r->unit_table) {
		if (!(found = table_named(d, bn, r->unit_table)))
			return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_NO_UNIT_TABLE, r->file, r->unit_table);
	}
	for (i = 0; i < d->ntab && !found; i++) {
		const kp_table *t = d->tab[i];
		size_t j;
		if (is_event_table(bn, t) || kp_table_col(t, r->cat_col) < 0)
			continue;
		for (j = i + 1; j < d->ntab; j++)
			if (!is_event_table(bn, d->tab[j]) && kp_table_col(d->tab[j], r->cat_col) >= 0)
				return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_TWO_UNIT_TABLES, t->file,
						  d->tab[j]->file, r->cat_col, t->name);
		found = t;
	}
	if (!found)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_NO_CAT_COLUMN, r->cat_col, r->id_col, r->name_col,
				  r->cat_col);
	d->units = found;
	d->id_col = kp_table_col(found, r->id_col);
	d->name_col = kp_table_col(found, r->name_col);
	d->cat_col = kp_table_col(found, r->cat_col);
	if (d->id_col < 0 || d->name_col < 0)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_UNIT_COLUMNS, found->file,
				  d->id_col < 0 ? r->id_col : r->name_col, r->name_col);
	return 0;
}

/* The index of category s, through cats (the categories' names hashed:
 * a linear search for each unit was units × categories). */
static int category_of(const kp_strset *cats, const char *s)
{
	return (int)kp_strset_index(cats, s);
}

/* Unit ids that differ only in spaces at their ends (the Unicode ones:
 * NBSP, the ideographic space U+3000 ...; the CSV reader trims ASCII
 * spaces only) or in full-width ASCII (Ｕ０１): Excel on a Chinese desk
 * types them, and the same unit would be ranked, graded and commended
 * twice.  So do ids that differ in ASCII spaces at their ends, which the
 * reader trims from a cell only when it is not quoted ("U01 " was a unit
 * of its own beside U01).  The key of an id: id_key.  Only ids
 * with a byte above 0x7F or a space at an end can differ so; the others
 * are left alone (the million-unit runs read none). */
typedef struct id_alike { char *key; size_t u; } id_alike;

static int id_alike_cmp(const void *a, const void *b)
{
	const id_alike *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->u > y->u) - (x->u < y->u);
}

/* kp_enc_name_trim, and the ASCII spaces at the ends cut too (é
 * composed and decomposed stay two ids, as for the sheets' names). */
static char *id_key(const char *id)
{
	char *k = kp_enc_name_trim(id), *b, *e;

	if (!k)
		return NULL;
	for (b = k; *b == ' ' || *b == '\t'; b++)
		;
	for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	memmove(k, b, (size_t)(e - b));
	k[e - b] = '\0';
	return k;
}

static int ids_alike(const kp_data *d, kp_err *err)
{
	const kp_table *t = d->units;
	id_alike *k;
	size_t u, n = 0;
	int rc = 0;

	for (u = 0; u < d->nunits; u++) {
		const unsigned char *p = (const unsigned char *)d->id[u];
		size_t len = strlen(d->id[u]);
		if (len && (p[0] == ' ' || p[0] == '\t' || p[len - 1] == ' ' || p[len - 1] == '\t')) {
			n++; /* a quoted cell keeps its ASCII spaces ("U01 ") */
			continue;
		}
		while (*p && *p < 0x80)
			p++;
		n += *p != 0;
	}
	if (n == 0)
		return 0;
	if (!(k = calloc(d->nunits, sizeof *k)))
		return kp_err_oom(err);
	for (u = 0; u < d->nunits && !rc; u++)
		if (!(k[u].key = id_key(d->id[u])))
			rc = kp_err_oom(err);
		else
			k[u].u = u;
	if (!rc)
		qsort(k, d->nunits, sizeof *k, id_alike_cmp);
	for (u = 1; u < d->nunits && !rc; u++)
		if (!strcmp(k[u - 1].key, k[u].key))
			rc = kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_ID_ALIKE, t->file, t->line[k[u].u], d->id[k[u].u],
					d->id[k[u - 1].u], t->line[k[u - 1].u]);
	for (u = 0; u < d->nunits; u++)
		free(k[u].key);
	free(k);
	return rc;
}

static int index_units_in(kp_data *d, const kp_rules *r, const kp_table *t, const kp_strset *cats, kp_err *err);

static int index_units(kp_data *d, const kp_rules *r, kp_err *err)
{
	const kp_table *t = d->units;
	kp_strset cats = {0};
	size_t i;
	int rc;

	for (i = 0; i < r->ncat; i++)
		if (kp_strset_add(&cats, r->cat[i].name) < 0) {
			kp_strset_free(&cats);
			return kp_err_oom(err);
		}
	rc = index_units_in(d, r, t, &cats, err);
	kp_strset_free(&cats);
	return rc;
}

/* Unit u's id and category: 0, or the error of an empty id or a category
 * the rules do not have. */
static int unit_key(kp_data *d, const kp_rules *r, const kp_table *t, const kp_strset *cats, size_t u, kp_err *err)
{
	const char *id = kp_table_text(t, u, (size_t)d->id_col);
	const char *cat = kp_table_text(t, u, (size_t)d->cat_col);

	d->id[u] = id;
	if (!*id)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_EMPTY_ID, t->file, t->line[u], r->id_col);
	if ((d->cat[u] = category_of(cats, cat)) < 0)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_BAD_CATEGORY, t->file, t->line[u], id, cat);
	return 0;
}

/* The ids and categories first, each id's first slot (home[u]) with them;
 * then the slots, a unit's asked for SLOT_AHEAD units before (they are
 * 8 MiB at a million units, and each unit waited on a cache miss).  The
 * first unit in the file's order with something wrong is the one said,
 * as when both were done a unit at a time. */
#define SLOT_AHEAD 16

static int index_units_in(kp_data *d, const kp_rules *r, const kp_table *t, const kp_strset *cats, kp_err *err)
{
	size_t u, i, ok, *home;
	int rc = 0;

	d->nunits = t->nrows;
	for (d->nslot = 16; d->nslot < 2 * d->nunits; d->nslot *= 2)
		;
	d->slot = calloc(d->nslot, sizeof *d->slot);
	d->cat = calloc(d->nunits + 1, sizeof *d->cat);
	d->id = calloc(d->nunits + 1, sizeof *d->id);
	home = malloc((d->nunits + 1) * sizeof *home);
	if (!d->slot || !d->cat || !d->id || !home) {
		free(home);
		return kp_err_oom(err);
	}
	for (ok = 0; ok < d->nunits && !unit_key(d, r, t, cats, ok, NULL); ok++)
		home[ok] = kp_hash_str(d->id[ok]) & (d->nslot - 1);
	for (u = 0; u < ok && !rc; u++) {
#if defined(__GNUC__)
		if (u + SLOT_AHEAD < ok)
			__builtin_prefetch(&d->slot[home[u + SLOT_AHEAD]]);
#endif
		for (i = home[u]; d->slot[i]; i = (i + 1) & (d->nslot - 1))
			if (!strcmp(d->id[d->slot[i] - 1], d->id[u])) {
				rc = kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_ID_TWICE, t->file, t->line[u], d->id[u],
						t->line[d->slot[i] - 1]);
				break;
			}
		d->slot[i] = (uint32_t)u + 1;
	}
	free(home);
	if (!rc && ok < d->nunits) /* the unit the first pass stopped at, worded */
		rc = unit_key(d, r, t, cats, ok, err);
	return rc ? rc : ids_alike(d, err);
}

/* A row of t whose unit id the unit table does not have, with the
 * nearest id when one is close ("did you mean 'B03'?") for the first
 * SUGGEST_ROWS such rows. */
#define SUGGEST_ROWS 10 /* rows given a nearest id (each suggestion reads every id) */

/* The unit whose id is id with zeros before it ('007' for '7', as Excel
 * leaves an id it took for a number), or -1; id all digits. */
static long zeros_before(const kp_data *d, const char *id)
{
	size_t n = strlen(id), u;

	if (!n || strspn(id, "0123456789") != n)
		return -1;
	for (u = 0; u < d->nunits; u++) {
		const char *x = d->id[u];
		size_t k = strspn(x, "0"), m = strlen(x);
		if (k > 0 && m > n && m - n <= k && !strcmp(x + (m - n), id) && strspn(x, "0123456789") == m)
			return (long)u;
	}
	return -1;
}

static int not_a_unit(const kp_data *d, const kp_table *t, size_t row, const char *id, kp_err *err)
{
	const char *near = d->nunknown <= SUGGEST_ROWS ? kp_near_best(id, (const char *const *)d->id, d->nunits) : NULL;
	long u = near ? kp_data_unit(d, near) : -1;
	const char *name = u >= 0 && d->name_col >= 0 ? kp_table_text(d->units, (size_t)u, (size_t)d->name_col) : "";
	long z = d->nunknown <= SUGGEST_ROWS ? zeros_before(d, id) : -1;

	if (z >= 0)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_NOT_A_UNIT_ZEROS, t->file, t->line[row], id,
				  d->units->file, d->id[z],
				  d->name_col >= 0 ? kp_table_text(d->units, (size_t)z, (size_t)d->name_col) : "");
	if (near)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_NOT_A_UNIT_NEAR, t->file, t->line[row], id,
				  d->units->file, near, name);
	return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_NOT_A_UNIT, t->file, t->line[row], id,
			  d->units->file);
}

/* One more row whose unit is not in the unit table: counted, its message
 * kept (the first KP_TABLE_BAD_KEEP); scanning goes on. */
static int unknown_unit(kp_data *d, const kp_table *t, size_t row, const char *id, kp_err *err)
{
	kp_err one = {0};

	if (d->nunknown++ >= KP_TABLE_BAD_KEEP)
		return 0;
	not_a_unit(d, t, row, id, &one);
	kp_sb_line(&d->unknown, one.msg); /* one line each, whatever the id holds */
	return kp_sb_status(&d->unknown, err);
}

/* After the joins: the error of the rows naming unknown units, if any. */
static int unknown_units_error(const kp_data *d, kp_err *err)
{
	const char *first = kp_sb_str(&d->unknown);

	if (!d->nunknown)
		return 0;
	if (d->nunknown == 1)
		return kp_err_set(err, KP_EDATA, "%.*s", (int)strcspn(first, "\n"), first);
	return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_UNKNOWN_ROWS, d->nunknown, d->units->file);
}

/* Row of each unit in an indicator table. */
static int join_table(kp_data *d, const kp_rules *r, const kp_table *t, kp_err *err)
{
	long idc = kp_table_col(t, r->id_col);
	int32_t *row;
	size_t i;
	int rc;

	if (idc < 0)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_NO_JOIN, t->file, r->id_col);
	if (!(row = malloc((d->nunits + 1) * sizeof *row)))
		return kp_err_oom(err);
	d->ind_t[d->nind] = t;
	d->ind_row[d->nind++] = row;
	for (i = 0; i < d->nunits; i++)
		row[i] = -1;
	for (i = 0; i < t->nrows; i++) {
		const char *id = kp_table_text(t, i, (size_t)idc);
		long u = kp_data_unit(d, id);
		if (u < 0) {
			if ((rc = unknown_unit(d, t, i, id, err)))
				return rc;
			continue;
		}
		if (row[u] >= 0)
			return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_UNIT_TWICE, t->file,
					  t->line[i], id, t->line[row[u]]);
		row[u] = (int32_t)i;
	}
	return 0;
}

static int group_events(kp_data *d, const bind_names *bn, const kp_event *e, kp_data_events *ev, kp_err *err)
{
	const kp_table *t = table_named(d, bn, e->data);
	size_t i, *fill;
	int rc;

	if (!t)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_EVENTS_FILE, e->where, e->name, e->data, e->data);
	ev->t = t;
	if ((ev->unit_col = kp_table_col(t, e->unit)) < 0)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_EVENTS_UNIT, t->file, e->unit, e->name);
	ev->first = calloc(d->nunits + 1, sizeof *ev->first);
	ev->rows = malloc((t->nrows + 1) * sizeof *ev->rows);
	fill = calloc(d->nunits + 1, sizeof *fill);
	if (!ev->first || !ev->rows || !fill) {
		free(fill);
		return kp_err_oom(err);
	}
	for (i = 0; i < t->nrows; i++) { /* counting sort by unit, rows kept in file order */
		const char *id = kp_table_text(t, i, (size_t)ev->unit_col);
		long u = kp_data_unit(d, id);
		if (u < 0 && (rc = unknown_unit(d, t, i, id, err))) {
			free(fill);
			return rc;
		}
		if (u >= 0)
			ev->first[u + 1]++;
	}
	for (i = 0; i < d->nunits; i++)
		ev->first[i + 1] += ev->first[i];
	for (i = 0; i < t->nrows; i++) {
		long u = kp_data_unit(d, kp_table_text(t, i, (size_t)ev->unit_col));
		if (u >= 0)
			ev->rows[ev->first[u] + fill[u]++] = i;
	}
	free(fill);
	return 0;
}

/* Column names of two datasets (not event lists) that look the same
 * (kp_enc_name_key: a space at an end that is not ASCII, an invisible
 * character, full-width letters) are one column to whoever reads the
 * files: the rules would read the one with the exact name and leave the
 * other file's unread, unsaid.  Names alike within one file are refused
 * where it is read (kp_csv_check_header).  Only names with a byte above
 * 0x7F can differ so. */
typedef struct col_key { char *key; size_t tab, col; } col_key;

static int col_key_cmp(const void *a, const void *b)
{
	const col_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->tab != y->tab)
		return (x->tab > y->tab) - (x->tab < y->tab);
	return (x->col > y->col) - (x->col < y->col);
}

static int columns_alike(const kp_data *d, const kp_rules *r, const bind_names *bn, kp_err *err)
{
	col_key *k;
	size_t n = 0, a, i, high = 0;
	int rc = 0;

	for (a = 0; a < d->ntab; a++)
		if (!is_event_table(bn, d->tab[a]))
			for (i = 0; i < d->tab[a]->ncols; i++) {
				const unsigned char *p = (const unsigned char *)d->tab[a]->cols[i];
				while (*p && *p < 0x80)
					p++;
				high |= *p != 0;
				n++;
			}
	if (!high)
		return 0;
	if (!(k = calloc(n, sizeof *k)))
		return kp_err_oom(err);
	n = 0;
	for (a = 0; a < d->ntab && !rc; a++)
		for (i = 0; !is_event_table(bn, d->tab[a]) && i < d->tab[a]->ncols && !rc; i++) {
			if (!strcmp(d->tab[a]->cols[i], r->id_col))
				continue;
			if (!(k[n].key = kp_enc_name_key(d->tab[a]->cols[i])))
				rc = kp_err_oom(err);
			k[n].tab = a, k[n++].col = i;
		}
	if (!rc)
		qsort(k, n, sizeof *k, col_key_cmp);
	for (i = 1; i < n && !rc; i++)
		if (k[i - 1].tab != k[i].tab && !strcmp(k[i - 1].key, k[i].key)) {
			const kp_table *x = d->tab[k[i - 1].tab], *y = d->tab[k[i].tab];
			rc = kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_COLUMN_ALIKE, x->cols[k[i - 1].col], x->file,
					y->cols[k[i].col], y->file);
		}
	for (i = 0; i < n; i++)
		free(k[i].key);
	free(k);
	return rc;
}

/* A column name may live in one dataset only (the unit id aside).  The
 * first column of each name among the datasets (not event lists) is
 * hashed; the pair reported is the one a search table by table, column by
 * column, then through the later tables finds first: the least (table,
 * column, later table).  Searching every later table for each column was
 * tables² × columns. */
static int check_columns(const kp_data *d, const kp_rules *r, const bind_names *bn, kp_err *err)
{
	kp_strset seen = {0};
	size_t *tab_of = NULL, *col_of = NULL, n = 0, a, i, ba = 0, bi = 0, bb = 0;
	int found = 0, rc = 0;

	for (a = 0; a < d->ntab; a++)
		if (!is_event_table(bn, d->tab[a]))
			n += d->tab[a]->ncols;
	if (!(tab_of = malloc((n + 1) * sizeof *tab_of)) || !(col_of = malloc((n + 1) * sizeof *col_of))) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (a = 0; a < d->ntab; a++) {
		const kp_table *ta = d->tab[a];
		if (is_event_table(bn, ta))
			continue;
		for (i = 0; i < ta->ncols; i++) {
			long k;
			int added;
			if (!strcmp(ta->cols[i], r->id_col))
				continue;
			if ((added = kp_strset_add(&seen, ta->cols[i])) < 0) {
				rc = kp_err_oom(err);
				goto out;
			}
			k = kp_strset_index(&seen, ta->cols[i]);
			if (added) {
				tab_of[k] = a, col_of[k] = i;
				continue;
			}
			if (tab_of[k] == a) /* twice in one table: not this check's */
				continue;
			if (!found || tab_of[k] < ba || (tab_of[k] == ba && (col_of[k] < bi || (col_of[k] == bi && a < bb))))
				found = 1, ba = tab_of[k], bi = col_of[k], bb = a;
		}
	}
	if (found)
		rc = kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_COLUMN_TWICE, d->tab[ba]->cols[bi], d->tab[ba]->file,
				d->tab[bb]->file);
	else
		rc = columns_alike(d, r, bn, err);
out:
	kp_strset_free(&seen);
	free(tab_of);
	free(col_of);
	return rc;
}

int kp_data_bind_units(kp_data *d, const kp_rules *r, kp_err *err)
{
	bind_names bn;
	int rc;

	if (!(rc = bind_names_make(&bn, d, r, err)) && !(rc = find_unit_table(d, r, &bn, err)))
		rc = index_units(d, r, err);
	bind_names_free(&bn);
	return rc;
}

const char *kp_data_near_column(const kp_data *d, const char *col, const kp_table **in)
{
	const char *best = NULL;
	size_t i, bd = (size_t)-1;

	for (i = 0; i < d->ntab; i++) {
		const char *near = kp_near_best(col, (const char *const *)d->tab[i]->cols, d->tab[i]->ncols);
		size_t dist = near ? kp_near_distance(col, near) : (size_t)-1;
		if (near && dist < bd) {
			best = near, bd = dist;
			if (in)
				*in = d->tab[i];
		}
	}
	return best;
}

int kp_data_bad_cells(const kp_data *d, kp_err *err)
{
	size_t i, n = 0, files = 0;

	for (i = 0; i < d->ntab; i++)
		if (d->tab[i]->nbad)
			n += d->tab[i]->nbad, files++;
	if (!n)
		return 0;
	if (n == 1)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_BAD_CELL, n, files);
	if (files == 1)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_BAD_CELLS_FILE, n, files);
	return kp_err_msg(err, KP_EDATA, KP_M_IN_DATA_BAD_CELLS, n, files);
}

int kp_data_bind(kp_data *d, const kp_rules *r, kp_err *err)
{
	bind_names bn;
	size_t i;
	int rc;

	if ((rc = kp_data_bad_cells(d, err)))
		return rc;
	if ((rc = bind_names_make(&bn, d, r, err)))
		goto out;
	if ((rc = find_unit_table(d, r, &bn, err)) || (rc = index_units(d, r, err)) || (rc = check_columns(d, r, &bn, err)))
		goto out;
	d->ind_t = calloc(d->ntab + 1, sizeof *d->ind_t);
	d->ind_row = calloc(d->ntab + 1, sizeof *d->ind_row);
	d->ev = calloc(r->nevent + 1, sizeof *d->ev);
	if (!d->ind_t || !d->ind_row || !d->ev) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < d->ntab && !rc; i++)
		if (d->tab[i] != d->units && !is_event_table(&bn, d->tab[i]))
			rc = join_table(d, r, d->tab[i], err);
	for (i = 0; i < r->nevent && !rc; i++, d->nev++)
		rc = group_events(d, &bn, &r->event[i], &d->ev[i], err);
	if (!rc)
		rc = unknown_units_error(d, err);
	if (!rc)
		drop_index(d);
out:
	bind_names_free(&bn);
	return rc;
}

int kp_data_column(const kp_data *d, const char *name, kp_colref *out)
{
	size_t i;
	long c;

	if ((c = kp_table_col(d->units, name)) >= 0) {
		out->t = d->units, out->col = c, out->row = NULL;
		return 0;
	}
	for (i = 0; i < d->nind; i++)
		if ((c = kp_table_col(d->ind_t[i], name)) >= 0) {
			out->t = d->ind_t[i], out->col = c, out->row = d->ind_row[i];
			return 0;
		}
	return -1;
}

int kp_data_num(const kp_colref *c, size_t unit, double *v)
{
	long row = c->row ? c->row[unit] : (long)unit;

	if (row < 0)
		return KP_NUM_EMPTY;
	return kp_table_num(c->t, (size_t)row, (size_t)c->col, v);
}

const char *kp_data_text(const kp_colref *c, size_t unit, char *buf, size_t size)
{
	long row = c->row ? c->row[unit] : (long)unit;

	if (row < 0)
		return NULL;
	return kp_table_cell(c->t, (size_t)row, (size_t)c->col, buf, size);
}

size_t kp_data_line(const kp_colref *c, size_t unit)
{
	long row = c->row ? c->row[unit] : (long)unit;

	return row < 0 ? 0 : c->t->line[row];
}

const char *kp_data_stem(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t len;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	snprintf(buf, size, "%.*s", (int)len, base);
	return buf;
}

#define MAX_PARTS 8

typedef struct csv_load {
	kp_table *t[MAX_PARTS];  /* one table per piece of the file */
	const kp_rules *r;
	/* the numeric columns but the unit id's (its text names a unit in
	 * messages), for the reader to parse as it reads (kp_csv_opts.numeric) */
	const unsigned char *parse;
} csv_load;

void kp_data_collect(kp_table *t, const kp_rules *r)
{
	t->collect = 1;
	t->idc = r ? kp_table_col(t, r->id_col) : -1;
}

static int load_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	csv_load *cl = ud;
	unsigned char *numeric = kp_rules_numeric_mask(cl->r, row->f, row->n, err);
	int rc = 0, p;

	if (!numeric)
		return KP_EINTERNAL;
	for (p = 0; p < MAX_PARTS && !rc; p++)
		if (!(rc = kp_table_set_columns(cl->t[p], row->n, row->f, numeric, err)))
			kp_data_collect(cl->t[p], cl->r);
	if (!rc && cl->t[0]->idc >= 0)
		numeric[cl->t[0]->idc] = 0;
	if (rc)
		free(numeric);
	else
		cl->parse = numeric; /* freed by kp_data_read_csv */
	return rc;
}

static int load_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	csv_load *cl = ud;

	return kp_table_add_cells(cl->t[row->part], row->line, row->f, row->len, row->cells, err);
}

int kp_data_read_csv(kp_data *d, const char *path, const char *name, const kp_rules *r,
		     const kp_csv_opts *o, kp_err *err)
{
	char stem[256];
	csv_load cl;
	kp_csv_info info;
	kp_csv_opts co = {0};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = 0, p, nparts = ncpu > MAX_PARTS ? MAX_PARTS : ncpu < 1 ? 1 : (int)ncpu;

	if (!name)
		name = kp_data_stem(path, stem, sizeof stem);
	if (kp_data_table(d, name))
		return kp_err_msg(err, KP_EUSAGE, KP_M_IN_DATA_SECOND_FILE, path, name);
	memset(&cl, 0, sizeof cl);
	cl.r = r;
	for (p = 0; p < MAX_PARTS && !rc; p++)
		if (!(cl.t[p] = kp_table_new(name, path, err)))
			rc = KP_EINTERNAL;
	memset(&info, 0, sizeof info);
	if (o)
		co = *o;
	co.header_only = kp_rules_event_data(r, name); /* no events: a list of none; any other table: refused */
	co.numeric = &cl.parse;
	if (!rc && kp_xlsx_kind_of(path) != KP_XLSX_NONE) { /* a workbook: its rows all go to part 0 */
		cl.t[0]->a1 = 1;
		rc = kp_xlsx_read_file(path, &co, load_header, load_row, &cl, &info, err);
	} else if (!rc)
		rc = kp_csv_read_file_parts(path, &co, nparts, load_header, load_row, &cl, &info, err);
	free((void *)cl.parse);
	for (p = 1; p < MAX_PARTS; p++) { /* the pieces, in file order, into the first */
		if (!rc && cl.t[p])
			rc = kp_table_append(cl.t[0], cl.t[p], err);
		else
			kp_table_free(cl.t[p]);
	}
	if (rc) {
		kp_table_free(cl.t[0]);
		return rc;
	}
	cl.t[0]->skipped_rows = info.skipped_rows, cl.t[0]->dropped_cols = info.dropped_cols;
	cl.t[0]->tabs = info.tabs;
	return kp_data_add(d, cl.t[0], err);
}

/* The columns were grown by realloc while they were read, so glibc took
 * most of them from the heap, not from mappings of their own: freed,
 * they stay resident until the heap is trimmed.  Trimming here is what
 * lets the ranking that follows use their pages (run of 1M units: peak
 * 260 MiB without it, 245 MiB with it). */
void kp_data_release_numbers(kp_data *d)
{
	size_t i;

	for (i = 0; i < d->ntab; i++)
		kp_table_release_numbers(d->tab[i]);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* Each column the rules read that no table has (t NULL), then each table
 * column no declarative rule reads, in table order. */
int kp_data_check_columns(const kp_data *d, const kp_rules *r, kp_data_column_fn fn, void *ud,
			  size_t *nmissing, kp_err *err)
{
	const char **cols = NULL;
	size_t n = kp_rules_columns(r, &cols, err), i, t, k;
	kp_strset named = {0}; /* cols, hashed: table columns × rule columns was quadratic */

	*nmissing = 0;
	if (!cols)
		return KP_EINTERNAL;
	for (i = 0; i < n; i++)
		if (kp_strset_add(&named, cols[i]) < 0) {
			kp_strset_free(&named);
			free(cols);
			return kp_err_oom(err);
		}
	for (i = 0; i < n; i++) {
		int found = 0;
		for (t = 0; t < d->ntab && !found; t++)
			found = kp_table_col(d->tab[t], cols[i]) >= 0;
		if (!found)
			fn(ud, NULL, cols[i]), ++*nmissing;
	}
	for (t = 0; t < d->ntab; t++)
		for (k = 0; k < d->tab[t]->ncols; k++) {
			if (!kp_strset_has(&named, d->tab[t]->cols[k]))
				fn(ud, d->tab[t], d->tab[t]->cols[k]);
		}
	kp_strset_free(&named);
	free(cols);
	return 0;
}
