/* compare.c — two results of the same units side by side (see
 * compare.h): units matched by id through an id-sorted index of each
 * result, rows grouped by category, the deltas and the changed sets
 * counted per category.  Owns the rows and categories of a kp_compare;
 * borrows the results. */
#include "kaoping/compare.h"

#include <stdlib.h>
#include <string.h>

#include "kaoping/sb.h"

static const char *uid(const kp_unit_result *u)
{
	return u->id ? u->id : "";
}

static const char *cat_name(const kp_result *r, const kp_unit_result *u)
{
	if (u->category < 0 || (size_t)u->category >= r->ncategories || !r->categories[u->category].name)
		return "";
	return r->categories[u->category].name;
}

static const char *grade_name(const kp_result *r, const kp_unit_result *u)
{
	if (u->grade < 0 || (size_t)u->grade >= r->ngrades)
		return NULL;
	return r->grades[u->grade];
}

/* ---- an index of one result's units by id ---- */

typedef struct id_index {
	const kp_result *r;
	size_t *ord;      /* unit indexes, by id */
} id_index;


static int by_id_r(const void *pa, const void *pb, void *ctx)
{
	const kp_result *r = ctx;
	return strcmp(uid(&r->units[*(const size_t *)pa]), uid(&r->units[*(const size_t *)pb]));
}

static int index_build(id_index *ix, const kp_result *r, const char *side, kp_err *err)
{
	size_t i;

	ix->r = r;
	if (!(ix->ord = malloc((r->nunits + 1) * sizeof *ix->ord)))
		return kp_err_oom(err);
	for (i = 0; i < r->nunits; i++)
		ix->ord[i] = i;
	qsort_r(ix->ord, r->nunits, sizeof *ix->ord, by_id_r, (void *)r);
	for (i = 1; i < r->nunits; i++)
		if (!strcmp(uid(&r->units[ix->ord[i - 1]]), uid(&r->units[ix->ord[i]])))
			return kp_err_msg(err, KP_EDATA, KP_M_ENG_CMP_UNIT_TWICE,
					  uid(&r->units[ix->ord[i]]), side);
	return 0;
}

/* The unit with this id, or -1. */
static long index_find(const id_index *ix, const char *id)
{
	size_t lo = 0, hi = ix->r->nunits;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(uid(&ix->r->units[ix->ord[mid]]), id);
		if (!c)
			return (long)ix->ord[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- categories: b's, then the ones only a has ---- */

/* The categories' names, hashed: a linear search for each category and
 * each unit made 100,000 categories take over a minute.  names holds
 * each name once, added in c->cats' order, so its index is the row's. */
static long cat_find(const kp_strset *names, const char *name)
{
	return kp_strset_index(names, name);
}

/* name as the next category (not there yet); -1 out of memory. */
static int cat_add(kp_compare *c, kp_strset *names, const char *name)
{
	if (kp_strset_add(names, name) < 0)
		return -1;
	c->cats[c->ncats++].name = name;
	return 0;
}

static int cats_build(kp_compare *c, kp_strset *names, kp_err *err)
{
	const kp_result *side[2] = { c->b, c->a };
	size_t s, i;

	if (!(c->cats = calloc(c->a->ncategories + c->b->ncategories + 1, sizeof *c->cats)))
		return kp_err_oom(err);
	for (s = 0; s < 2; s++)
		for (i = 0; i < side[s]->ncategories; i++) {
			const char *n = side[s]->categories[i].name ? side[s]->categories[i].name : "";
			if (cat_find(names, n) < 0 && cat_add(c, names, n))
				return kp_err_oom(err);
		}
	return 0;
}

/* A unit's category among the compared ones; a unit whose category is
 * out of range ("") gets a category of its own, room for which
 * cats_build left.  -1 out of memory. */
static long cat_index(kp_compare *c, kp_strset *names, const char *name)
{
	long k = cat_find(names, name);

	if (k >= 0)
		return k;
	if (cat_add(c, names, name))
		return -1;
	return (long)c->ncats - 1;
}

/* ---- rows ---- */

typedef struct keyed {
	size_t cat, seq;
	kp_compare_row row;
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
	const keyed *x = pa, *y = pb;

	if (x->cat != y->cat)
		return x->cat < y->cat ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void fill_row(const kp_compare *c, kp_compare_row *w)
{
	const kp_unit_result *a = w->a, *b = w->b;

	w->id = uid(b ? b : a);
	w->name = b ? b->name : a->name;
	w->gained = b && b->commended && !(a && a->commended);
	w->lost = a && a->commended && !(b && b->commended);
	if (!a || !b)
		return;
	w->category_changed = strcmp(cat_name(c->a, a), cat_name(c->b, b)) != 0;
	if (!w->category_changed)
		w->rank_change = a->rank - b->rank;
	w->total_change = b->total - a->total;
	{
		const char *ga = grade_name(c->a, a), *gb = grade_name(c->b, b);
		w->grade_changed = (ga || gb) && (!ga || !gb || strcmp(ga, gb));
	}
}

static void count_row(kp_compare_cat *k, const kp_compare_row *w)
{
	k->up += w->rank_change > 0;
	k->down += w->rank_change < 0;
	k->grade_changed += w->grade_changed;
	k->gained += w->gained;
	k->lost += w->lost;
	k->only_a += !w->b;
	k->only_b += !w->a;
}

/* Rows for b's units in order, then a's units b does not have. */
static int rows_build(kp_compare *c, kp_strset *names, const id_index *ia, keyed *kr, kp_err *err)
{
	char *seen = calloc(c->a->nunits + 1, 1);
	size_t i, n = 0;
	long k = 0;

	if (!seen)
		return kp_err_oom(err);
	for (i = 0; i < c->b->nunits; i++) {
		const kp_unit_result *b = &c->b->units[i];
		long j = index_find(ia, uid(b));
		kr[n].row.b = b;
		if (j >= 0)
			kr[n].row.a = &c->a->units[j], seen[j] = 1;
		if ((k = cat_index(c, names, cat_name(c->b, b))) < 0)
			break;
		kr[n].cat = (size_t)k;
		kr[n].seq = n;
		n++;
	}
	for (i = 0; i < c->a->nunits && k >= 0; i++) {
		if (seen[i])
			continue;
		kr[n].row.a = &c->a->units[i];
		if ((k = cat_index(c, names, cat_name(c->a, &c->a->units[i]))) < 0)
			break;
		kr[n].cat = (size_t)k;
		kr[n].seq = n;
		n++;
	}
	free(seen);
	c->nrows = n;
	return k < 0 ? kp_err_oom(err) : 0;
}

static int build(kp_compare *c, kp_err *err)
{
	id_index ia = { 0 }, ib = { 0 };
	kp_strset names = { 0 };
	keyed *kr = NULL;
	size_t i;
	int rc;

	if ((rc = index_build(&ia, c->a, kp_msg_fmt(KP_MSG_ENG_CMP_FIRST), err)) ||
	    (rc = index_build(&ib, c->b, kp_msg_fmt(KP_MSG_ENG_CMP_SECOND), err)) || (rc = cats_build(c, &names, err)))
		goto out;
	if (!(kr = calloc(c->a->nunits + c->b->nunits + 1, sizeof *kr)) ||
	    !(c->rows = calloc(c->a->nunits + c->b->nunits + 1, sizeof *c->rows))) {
		rc = kp_err_oom(err);
		goto out;
	}
	if ((rc = rows_build(c, &names, &ia, kr, err)))
		goto out;
	qsort(kr, c->nrows, sizeof *kr, keyed_cmp);
	for (i = 0; i < c->nrows; i++) {
		kp_compare_cat *k = &c->cats[kr[i].cat];
		if (!k->count)
			k->first = i;
		k->count++;
		c->rows[i] = kr[i].row;
		fill_row(c, &c->rows[i]);
		count_row(k, &c->rows[i]);
	}
out:
	free(ia.ord), free(ib.ord), free(kr);
	kp_strset_free(&names);
	return rc;
}

int kp_compare_run(const kp_result *a, const kp_result *b, kp_compare **out, kp_err *err)
{
	kp_compare *c;
	int rc;

	*out = NULL;
	if (!(c = calloc(1, sizeof *c)))
		return kp_err_oom(err);
	c->a = a, c->b = b;
	c->precision = a->precision > b->precision ? a->precision : b->precision;
	if ((rc = build(c, err))) {
		kp_compare_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void kp_compare_free(kp_compare *c)
{
	if (!c)
		return;
	free(c->rows);
	free(c->cats);
	free(c);
}
