/* derive.c — the items of a derived run scored again (see derive.h): the
 * run's rule text, loaded by the caller, is checked to be the one the run
 * recorded; the unit's row (or every row) of the run's import is read
 * back; the engine scores it with the run's statistics; every point must
 * come out as the run stored it, and the items are then copied into the
 * stored result.  Owns nothing beyond a call. */
#include "kaoping/derive.h"

#include <stdlib.h>
#include <string.h>

#include "kaoping/data.h"
#include "kaoping/score.h"

int kp_derive_check_text(const kp_store_derived *dv, const kp_result *res, kp_err *err)
{
	char *sha = kp_rules_sha256_text(dv->rules_text, dv->rules_len);
	int same = sha && res->rules_sha256 && !strcmp(sha, res->rules_sha256);

	if (!sha)
		return kp_err_oom(err);
	free(sha);
	return same ? 0 : kp_err_msg(err, KP_EDATA, KP_M_DERIVE_RULES_NOT_RECORDED, dv->run_id);
}

int kp_derive_check_rules(const kp_store_derived *dv, const kp_result *res, const kp_rules *r, kp_err *err)
{
	if (!res->rules_sha256 || !r->sha256 || strcmp(r->sha256, res->rules_sha256))
		return kp_err_msg(err, KP_EDATA, KP_M_DERIVE_RULES_NOT_RECORDED, dv->run_id);
	if (!kp_score_derivable(r))
		return kp_err_msg(err, KP_EDATA, KP_M_DERIVE_RULES_NOT_DERIVABLE, dv->run_id);
	return 0;
}

/* Unit u of res and unit k of the one scored again: the same unit, the
 * same points to the last bit. */
static int same_points(const kp_result *res, size_t u, const kp_result *again, size_t k, long run_id, kp_err *err)
{
	const kp_unit_result *a = &res->units[u], *b = &again->units[k];
	size_t j;

	if (strcmp(a->id, b->id))
		return kp_err_msg(err, KP_EDATA, KP_M_DERIVE_OTHER_UNIT, run_id, a->id, b->id);
	if (a->raw != b->raw || a->base != b->base || a->deductions != b->deductions || a->bonus != b->bonus ||
	    a->total != b->total || a->veto != b->veto)
		return kp_err_msg(err, KP_EDATA, KP_M_DERIVE_POINTS_DIFFER, run_id, a->id, b->raw, a->raw);
	for (j = 0; j < res->nsections; j++)
		if (KP_SEC(res, u, j) != KP_SEC(again, k, j))
			return kp_err_msg(err, KP_EDATA, KP_M_DERIVE_POINTS_DIFFER, run_id, a->id, b->raw, a->raw);
	return 0;
}

/* The items of unit k of again given to unit u of res: they stay in
 * again's pool, which res adopts before again is freed (kp_result_adopt),
 * so a million units' items and notes are not copied. */
static int give_items(kp_result *res, size_t u, const kp_result *again, size_t k, kp_err *err)
{
	const kp_unit_more *from = KP_MORE(&again->units[k]);
	kp_unit_more *to;

	if (!from->nitems)
		return 0;
	if (!(to = kp_result_more(res, &res->units[u], err)))
		return err->kind ? err->kind : KP_EINTERNAL;
	to->items = from->items, to->nitems = from->nitems;
	return 0;
}

/* again freed, what res was given of it kept (see give_items). */
static void again_free(kp_result *res, kp_result *again)
{
	if (again)
		kp_result_adopt(res, again);
	kp_result_free(again);
}

/* The sections of the run and of the rules: the same, in order. */
static int same_sections(const kp_result *res, const kp_result *again, long run_id, kp_err *err)
{
	size_t j;

	if (res->nsections != again->nsections)
		return kp_err_msg(err, KP_EDATA, KP_M_DERIVE_RULES_NOT_RECORDED, run_id);
	for (j = 0; j < res->nsections; j++)
		if (strcmp(res->sections[j], again->sections[j]))
			return kp_err_msg(err, KP_EDATA, KP_M_DERIVE_RULES_NOT_RECORDED, run_id);
	return 0;
}

/* Rows first..last of the run's import scored again, with the run's
 * statistics (stats_in) or computing them (stats_out, compared after).
 * *d holds the rows the result borrows its ids from: the caller frees
 * both, the result first. */
static int score_again(kp_store *s, const kp_store_derived *dv, const kp_rules *r, long long first, long long last,
		       kp_score_stats *computed, kp_data **dp, kp_result **again, kp_err *err)
{
	kp_score_opts o;
	kp_data *d = *dp = kp_data_new(err);
	int rc, gone = 0;

	*again = NULL;
	if (!d)
		return err->kind ? err->kind : KP_EINTERNAL;
	memset(&o, 0, sizeof o);
	o.details = 1;
	if (computed)
		o.stats_out = computed;
	else
		o.stats_in = &dv->stats;
	if (!(rc = kp_store_load_rows(s, dv->import_id, first, last, r, d, &gone, err)) && gone)
		rc = kp_err_msg(err, KP_EDATA, KP_M_DERIVE_IMPORT_GONE, dv->run_id, dv->import_id);
	else if (!rc && (d->ntab != 1 || d->tab[0]->nrows != (size_t)(last - first + 1)))
		rc = kp_err_msg(err, KP_EDATA, KP_M_DERIVE_NO_ROWS, dv->run_id, first, last, dv->import_id);
	if (!rc && !(rc = kp_data_bind(d, r, err)))
		rc = kp_score_run(r, d, &o, again, err);
	return rc;
}

int kp_derive_unit(kp_store *s, const kp_store_derived *dv, const kp_rules *r, kp_result *res, kp_err *err)
{
	kp_result *again = NULL;
	kp_data *d = NULL;
	long long row;
	int rc;

	if (res->nunits != 1)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_DERIVE_OTHER_UNIT, dv->run_id, "", "");
	if ((rc = kp_derive_check_rules(dv, res, r, err)))
		return rc;
	row = (long long)res->units[0].scored + 1;
	if (!(rc = score_again(s, dv, r, row, row, NULL, &d, &again, err))) {
		if (again->nunits != 1)
			rc = kp_err_msg(err, KP_EDATA, KP_M_DERIVE_OTHER_UNIT, dv->run_id, res->units[0].id, "");
		else if (!(rc = same_sections(res, again, dv->run_id, err)) &&
			 !(rc = same_points(res, 0, again, 0, dv->run_id, err)))
			rc = give_items(res, 0, again, 0, err);
	}
	again_free(res, again);
	kp_data_free(d);
	return rc;
}

int kp_derive_run(kp_store *s, const kp_store_derived *dv, const kp_rules *r, kp_result *res, kp_err *err)
{
	kp_result *again = NULL;
	kp_data *d = NULL;
	kp_score_stats computed = {0, NULL};
	size_t *at = NULL, i;
	int rc;

	if ((rc = kp_derive_check_rules(dv, res, r, err)) ||
	    (rc = score_again(s, dv, r, 1, (long long)res->nunits, &computed, &d, &again, err)))
		goto out;
	if (again->nunits != res->nunits || computed.n != dv->stats.n ||
	    (computed.n && memcmp(computed.v, dv->stats.v, computed.n * sizeof *computed.v))) {
		rc = kp_err_msg(err, KP_EDATA, KP_M_DERIVE_DATA_CHANGED, dv->run_id);
		goto out;
	}
	if ((rc = same_sections(res, again, dv->run_id, err)))
		goto out;
	/* the units scored again by their place in the import, as stored */
	if (!(at = malloc((again->nunits + 1) * sizeof *at))) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < again->nunits; i++)
		at[i] = SIZE_MAX;
	for (i = 0; i < again->nunits; i++)
		if (again->units[i].scored < again->nunits)
			at[again->units[i].scored] = i;
	for (i = 0; i < res->nunits && !rc; i++) {
		unsigned k = res->units[i].scored;
		if (k >= again->nunits || at[k] == SIZE_MAX)
			rc = kp_err_msg(err, KP_EDATA, KP_M_DERIVE_OTHER_UNIT, dv->run_id, res->units[i].id, "");
		else if (!(rc = same_points(res, i, again, at[k], dv->run_id, err)))
			rc = give_items(res, i, again, at[k], err);
	}
out:
	free(at);
	kp_score_stats_free(&computed);
	again_free(res, again);
	kp_data_free(d);
	return rc;
}
