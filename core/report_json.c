/* report_json.c — the JSON report of DESIGN §4 (the contract: an array in
 * ranking order, each unit with category, rank, unit_id, name, total,
 * grade, commended, veto and sections) and one unit's explanation. */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>

/* Texts every unit repeats, escaped once: the sections' keys ("name":),
 * the categories' and the grades' names ("name"), each with its length. */
typedef struct json_text { char *s; size_t n; } json_text;
typedef struct json_pre {
	json_text *keys, *cats, *grades;
} json_pre;

static void json_pre_free(json_pre *jp, const kp_result *r)
{
	size_t i;

	for (i = 0; jp->keys && i < r->nsections; i++)
		free(jp->keys[i].s);
	for (i = 0; jp->cats && i < r->ncategories; i++)
		free(jp->cats[i].s);
	for (i = 0; jp->grades && i < r->ngrades; i++)
		free(jp->grades[i].s);
	free(jp->keys), free(jp->cats), free(jp->grades);
}

/* s escaped (null for NULL), then tail, into *t; 0 or -1 (out of memory). */
static int json_text_make(json_text *t, const char *s, const char *tail)
{
	size_t cap = (s ? strlen(s) * 6 : 0) + strlen(tail) + 8;
	kp_rw kw = { NULL, malloc(cap), 0, cap, 0 };

	if (!kw.buf)
		return -1;
	kp_rw_json_str(&kw, s);
	kp_rw_puts(&kw, tail);
	kw.buf[kw.len] = '\0';
	t->s = kw.buf, t->n = kw.len;
	return 0;
}

static int json_pre_make(json_pre *jp, const kp_result *r, kp_err *err)
{
	size_t i;
	int bad = 0;

	memset(jp, 0, sizeof *jp);
	jp->keys = calloc(r->nsections + 1, sizeof *jp->keys);
	jp->cats = calloc(r->ncategories + 1, sizeof *jp->cats);
	jp->grades = calloc(r->ngrades + 1, sizeof *jp->grades);
	bad = !jp->keys || !jp->cats || !jp->grades;
	for (i = 0; !bad && i < r->nsections; i++)
		bad = json_text_make(&jp->keys[i], r->sections[i], ":");
	for (i = 0; !bad && i < r->ncategories; i++)
		bad = json_text_make(&jp->cats[i], r->categories[i].name, "");
	for (i = 0; !bad && i < r->ngrades; i++)
		bad = json_text_make(&jp->grades[i], r->grades[i], "");
	if (!bad)
		return 0;
	json_pre_free(jp, r);
	return kp_err_oom(err);
}

static void json_text_put(kp_rw *w, const json_text *t)
{
	kp_rw_put(w, t->s, t->n);
}

/* The unit's grade (null when it has none), as kp_report_grade says. */
static void json_grade(kp_rw *w, const json_pre *jp, const kp_result *r, const kp_unit_result *u)
{
	if (kp_report_grade(r, u))
		json_text_put(w, &jp->grades[u->grade]);
	else
		kp_rw_put(w, "null", 4);
}

static void json_num(kp_rw *w, double x, int prec)
{
	if (!isfinite(x))
		kp_rw_put(w, "null", 4);
	else
		kp_rw_put_short(w, x, prec);
}

static void json_fixed(kp_rw *w, double x, int prec)
{
	if (!isfinite(x))
		kp_rw_put(w, "null", 4);
	else
		kp_rw_put_fixed(w, x, prec);
}

static inline void json_bool(kp_rw *w, const char *key, int v)
{
	kp_rw_puts(w, key);
	if (v)
		kp_rw_put(w, "true", 4);
	else
		kp_rw_put(w, "false", 5);
}

static void json_sections(const kp_result *r, const json_pre *jp, size_t i, kp_rw *w)
{
	size_t s;

	kp_rw_puts(w, ",\"sections\":{");
	for (s = 0; s < r->nsections; s++) {
		if (s)
			kp_rw_putc(w, ',');
		json_text_put(w, &jp->keys[s]);
		json_num(w, KP_SEC(r, i, s), r->precision);
	}
	kp_rw_putc(w, '}');
}

static void json_item(const kp_result *r, const kp_rules *rules, const kp_item *it, kp_rw *w)
{
	const char *basis, *office;

	kp_rw_puts(w, "{\"kind\":\""), kp_rw_puts(w, kp_item_kind_key(it->kind));
	kp_rw_puts(w, "\",\"section\":");
	kp_rw_json_str(w, it->section >= 0 && (size_t)it->section < r->nsections ?
				  r->sections[it->section] : NULL);
	kp_rw_puts(w, ",\"name\":"), kp_rw_json_str(w, it->name);
	kp_rw_puts(w, ",\"points\":"), json_num(w, it->points, r->precision);
	kp_rw_puts(w, ",\"max\":"), json_num(w, it->max, r->precision);
	kp_rw_puts(w, ",\"note\":"), kp_rw_json_str(w, it->note);
	json_bool(w, ",\"skipped\":", it->skipped);
	kp_report_item_texts(rules, it, &basis, &office);
	if (basis)
		kp_rw_puts(w, ",\"basis\":"), kp_rw_json_str(w, basis);
	if (office)
		kp_rw_puts(w, ",\"office\":"), kp_rw_json_str(w, office);
	kp_rw_putc(w, '}');
}

/* "items": every item of the unit as explain --format json writes them
 * (indicators, deductions, bonus, vetoes and remarks, with their notes),
 * when the result kept them (--items). */
static void json_items(const kp_result *r, const kp_unit_result *u, kp_rw *w)
{
	unsigned k;

	kp_rw_puts(w, ",\"items\":[");
	for (k = 0; k < KP_MORE(u)->nitems; k++) {
		kp_rw_puts(w, k ? "," : "");
		json_item(r, NULL, &KP_MORE(u)->items[k], w);
	}
	kp_rw_putc(w, ']');
}

/* ,"rank_change": places gained since last year (null: new, or ranked
 * in another category), ,"last_total": last year's total (null: new). */
static void json_last(kp_rw *w, const kp_unit_result *u, int p)
{
	kp_rw_puts(w, ",\"rank_change\":");
	if (KP_MORE(u)->has_last_rank)
		kp_rw_int(w, (long long)KP_MORE(u)->last_rank - u->rank);
	else
		kp_rw_put(w, "null", 4);
	kp_rw_puts(w, ",\"last_total\":");
	if (KP_MORE(u)->has_last)
		json_num(w, KP_MORE(u)->last_total, p);
	else
		kp_rw_put(w, "null", 4);
}

static void json_unit(const kp_result *r, const kp_report_opts *o, const json_pre *jp, size_t i, kp_rw *w)
{
	const kp_unit_result *u = &r->units[i];
	int p = r->precision;

	kp_rw_puts(w, "{\"category\":");
	json_text_put(w, &jp->cats[u->category]);
	kp_rw_puts(w, ",\"rank\":"), kp_rw_int(w, u->rank);
	kp_rw_puts(w, ",\"unit_id\":"), kp_rw_json_str(w, u->id);
	kp_rw_puts(w, ",\"name\":"), kp_rw_json_str(w, u->name);
	kp_rw_puts(w, ",\"total\":"), json_fixed(w, u->total, p);
	kp_rw_puts(w, ",\"grade\":"), json_grade(w, jp, r, u);
	json_bool(w, ",\"commended\":", u->commended);
	json_bool(w, ",\"veto\":", u->veto);
	kp_rw_puts(w, ",\"veto_reason\":"), kp_rw_json_str(w, u->veto ? KP_MORE(u)->veto_reason : NULL);
	json_sections(r, jp, i, w);
	kp_rw_puts(w, ",\"deductions\":"), json_num(w, u->deductions, p);
	kp_rw_puts(w, ",\"bonus\":"), json_num(w, u->bonus, p);
	if (o->items)
		json_items(r, u, w);
	json_bool(w, ",\"eligible\":", u->eligible);
	json_bool(w, ",\"boundary_tie\":", u->boundary_tie);
	kp_rw_puts(w, ",\"tie_note\":"), kp_rw_json_str(w, KP_MORE(u)->tie_note);
	json_last(w, u, p);
	kp_rw_putc(w, '}');
}

int kp_report_json(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	json_pre jp;
	size_t i;

	if (json_pre_make(&jp, r, err))
		return err->kind;
	kp_rw_putc(w, '[');
	for (i = 0; i < r->nunits && !w->err; i++) {
		if (i + KP_UNIT_AHEAD < r->nunits)
			kp_unit_prefetch(&r->units[i + KP_UNIT_AHEAD]);
		kp_rw_puts(w, i ? ",\n" : "\n");
		json_unit(r, o, &jp, i, w);
	}
	kp_rw_puts(w, r->nunits ? "\n]\n" : "]\n");
	json_pre_free(&jp, r);
	return 0;
}

/* ---------- explain ---------- */


int kp_report_explain_json(const kp_result *r, size_t i, const kp_rules *rules, kp_rw *w, kp_err *err)
{
	const kp_unit_result *u = &r->units[i];
	json_pre jp;
	size_t k;

	if (json_pre_make(&jp, r, err))
		return err->kind;
	kp_rw_puts(w, "{\"unit_id\":"), kp_rw_json_str(w, u->id);
	kp_rw_puts(w, ",\"name\":"), kp_rw_json_str(w, u->name);
	kp_rw_puts(w, ",\"category\":"), kp_rw_json_str(w, r->categories[u->category].name);
	kp_rw_puts(w, ",\"rank\":"), kp_rw_int(w, u->rank);
	kp_rw_puts(w, ",\"total\":"), json_fixed(w, u->total, r->precision);
	kp_rw_puts(w, ",\"grade\":"), kp_rw_json_str(w, kp_report_grade(r, u));
	json_bool(w, ",\"commended\":", u->commended);
	json_bool(w, ",\"veto\":", u->veto);
	kp_rw_puts(w, ",\"veto_reason\":"), kp_rw_json_str(w, u->veto ? KP_MORE(u)->veto_reason : NULL);
	json_bool(w, ",\"eligible\":", u->eligible);
	json_bool(w, ",\"boundary_tie\":", u->boundary_tie);
	kp_rw_puts(w, ",\"tie_note\":"), kp_rw_json_str(w, KP_MORE(u)->tie_note);
	json_last(w, u, r->precision); /* as the table and md of explain show them */
	json_sections(r, &jp, i, w);
	kp_rw_puts(w, ",\n\"base\":"), json_num(w, u->base, r->precision);
	kp_rw_puts(w, ",\"deductions\":"), json_num(w, u->deductions, r->precision);
	kp_rw_puts(w, ",\"bonus\":"), json_num(w, u->bonus, r->precision);
	kp_rw_puts(w, ",\"raw\":"), json_num(w, u->raw, r->precision);
	json_bool(w, ",\"details\":", KP_MORE(u)->items != NULL);
	kp_rw_puts(w, ",\"items\":[");
	for (k = 0; k < KP_MORE(u)->nitems; k++) {
		kp_rw_puts(w, k ? ",\n  " : "\n  ");
		json_item(r, rules, &KP_MORE(u)->items[k], w);
	}
	kp_rw_puts(w, KP_MORE(u)->nitems ? "\n]}\n" : "]}\n");
	json_pre_free(&jp, r);
	return 0;
}

