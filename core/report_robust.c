/* report_robust.c — `kaoping robust` as a table, Markdown, CSV or JSON:
 * per category each unit's rank in the real run, its rank range over the
 * draws (5th–95th percentile), median rank and share of draws in which it
 * was commended, non-robust commendations flagged.  Renders a kp_robust
 * (robust.h) through the writer and the atomic output file; owns only
 * temporary cell arrays. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct rb_labels {
	const char *title, *rank, *range, *median, *share, *commended, *fragile, *fragile_list;
	const char *head_fmt, *by_section, *by_indicator;
} rb_labels;

#define RB_LABELS(X) \
	X(title, REP_RB_TITLE) \
	X(rank, REP_RB_RANK) \
	X(range, REP_RB_RANGE) \
	X(median, REP_RB_MEDIAN) \
	X(share, REP_RB_SHARE) \
	X(commended, REP_RB_COMMENDED) \
	X(fragile, REP_RB_FRAGILE) \
	X(fragile_list, REP_RB_FRAGILE_LIST) \
	X(head_fmt, REP_RB_HEAD_FMT) \
	X(by_section, REP_RB_BY_SECTION) \
	X(by_indicator, REP_RB_BY_INDICATOR)

KP_LABEL_TABLE(labels, rb_labels, RB_LABELS)

enum { C_ID, C_NAME, C_RANK, C_RANGE, C_MEDIAN, C_SHARE, C_COMMENDED, C_FRAGILE, NCOLS };
#define CELL 48

/* The share of draws in which a unit was commended, in percent, one decimal. */
static double share(const kp_robust *rb, size_t t)
{
	return 100.0 * rb->units[t].commended / rb->opts.draws;
}

/* The text cells of unit t; nums holds NCOLS × CELL bytes. */
static void unit_cells(const kp_robust *rb, size_t t, const rb_labels *l, const char **cell, char (*nums)[CELL])
{
	const kp_unit_result *u = &rb->res->units[t];
	const kp_robust_unit *s = &rb->units[t];
	char pct[KP_NUMBUF];

	cell[C_ID] = u->id ? u->id : "";
	cell[C_NAME] = u->name ? u->name : "";
	snprintf(nums[C_RANK], CELL, "%d", u->rank), cell[C_RANK] = nums[C_RANK];
	if (s->rank_lo == s->rank_hi)
		snprintf(nums[C_RANGE], CELL, "%d", s->rank_lo);
	else
		snprintf(nums[C_RANGE], CELL, "%d-%d", s->rank_lo, s->rank_hi);
	cell[C_RANGE] = nums[C_RANGE];
	snprintf(nums[C_MEDIAN], CELL, "%d", s->rank_median), cell[C_MEDIAN] = nums[C_MEDIAN];
	snprintf(nums[C_SHARE], CELL, "%s%%", kp_rw_fixed(share(rb, t), 1, pct)), cell[C_SHARE] = nums[C_SHARE];
	cell[C_COMMENDED] = u->commended ? "★" : "";
	cell[C_FRAGILE] = s->fragile ? "⚠" : "";
	(void)l;
}

/* range holds RANGE_HEAD bytes: the head of the range column. */
#define RANGE_HEAD 64
static void header_cells(const rb_labels *l, int lang, const char **h, char *range)
{
	const kp_labels *kl = kp_report_labels(lang);

	snprintf(range, RANGE_HEAD, l->range, 5, 95);
	h[C_ID] = kl->unit_id, h[C_NAME] = kl->name, h[C_RANK] = l->rank, h[C_RANGE] = range;
	h[C_MEDIAN] = l->median, h[C_SHARE] = l->share, h[C_COMMENDED] = l->commended, h[C_FRAGILE] = l->fragile;
}

static void head_line(kp_rw *w, const kp_robust *rb, const rb_labels *l, int lang)
{
	char pct[KP_NUMBUF];

	kp_rw_printf(w, l->head_fmt, rb->opts.draws, rb->opts.by == KP_ROBUST_INDICATOR ? l->by_indicator : l->by_section,
		     kp_rw_short(rb->opts.spread * 100, 6, pct), (unsigned long long)rb->opts.seed);
	(void)lang;
}

static int category_grid(kp_rw *w, const kp_robust *rb, const kp_category_result *k, const kp_report_opts *o,
			 kp_err *err)
{
	const rb_labels *l = labels(o->lang);
	const char *head[NCOLS], **cells = calloc(k->count * NCOLS + 1, sizeof *cells);
	char (*nums)[CELL] = malloc((k->count * NCOLS + 1) * CELL), range[RANGE_HEAD];
	size_t i;
	int rc;

	if (!cells || !nums) {
		free(cells), free(nums);
		return kp_err_oom(err);
	}
	header_cells(l, o->lang, head, range);
	for (i = 0; i < k->count; i++)
		unit_cells(rb, k->first + i, l, cells + i * NCOLS, nums + i * NCOLS);
	rc = kp_report_grid_text(head, NCOLS, cells, k->count, o, w, err);
	free(cells), free(nums);
	return rc;
}

static void fragile_line(kp_rw *w, const kp_robust *rb, const kp_category_result *k, const rb_labels *l,
			 const kp_report_opts *o)
{
	void (*put)(kp_rw *, const char *) = o->format == KP_FMT_MD ? kp_rw_md : kp_report_plain;
	size_t i, n = 0;

	for (i = k->first; i < k->first + k->count; i++) {
		const kp_unit_result *u = &rb->res->units[i];
		if (!rb->units[i].fragile)
			continue;
		if (!n++) {
			kp_rw_puts(w, l->fragile_list);
			kp_rw_puts(w, kp_report_labels(o->lang)->colon);
		} else {
			kp_rw_puts(w, kp_report_labels(o->lang)->list_sep);
		}
		put(w, u->name ? u->name : "");
		kp_rw_putc(w, '(');
		put(w, u->id ? u->id : "");
		kp_rw_putc(w, ')');
	}
	if (n)
		kp_rw_putc(w, '\n');
}

static int write_text(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_robust *rb = ctx;
	const kp_result *r = rb->res;
	const rb_labels *l = labels(o->lang);
	void (*put)(kp_rw *, const char *) = o->format == KP_FMT_MD ? kp_rw_md : kp_report_plain;
	size_t i;
	int rc = 0;

	kp_rw_puts(w, o->format == KP_FMT_MD ? "# " : "");
	kp_rw_puts(w, l->title);
	kp_rw_puts(w, ": ");
	put(w, r->rules_file ? r->rules_file : "");
	kp_rw_puts(w, "\n");
	head_line(w, rb, l, o->lang);
	kp_rw_putc(w, '\n');
	for (i = 0; i < r->ncategories && !rc; i++) {
		const kp_category_result *k = &r->categories[i];
		kp_rw_puts(w, o->format == KP_FMT_MD ? "\n## " : "\n");
		put(w, k->name ? k->name : "");
		kp_rw_puts(w, kp_report_labels(o->lang)->lparen);
		if (k->quota > 0)
			kp_rw_printf(w, kp_report_labels(o->lang)->quota_fmt, k->quota);
		else
			kp_rw_puts(w, kp_report_labels(o->lang)->no_quota);
		kp_rw_puts(w, kp_report_labels(o->lang)->rparen), kp_rw_puts(w, "\n\n");
		if ((rc = category_grid(w, rb, k, o, err)))
			break;
		fragile_line(w, rb, k, l, o);
	}
	return rc;
}

/* CSV: numbers a spreadsheet reads as numbers (a range "3-7" would
 * become a date), one row per unit. */
static int write_csv(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_robust *rb = ctx;
	const kp_result *r = rb->res;
	const kp_labels *kl = kp_report_labels(o->lang);
	char pct[KP_NUMBUF];
	size_t i;

	(void)err;
	if (kp_report_want_bom(o))
		kp_rw_puts(w, "\xEF\xBB\xBF");
	kp_rw_printf(w, kp_msg_text(KP_MSG_REP_RB_CSV_HEAD, o->lang), kl->category, kl->unit_id, kl->name);
	for (i = 0; i < r->nunits; i++) {
		const kp_unit_result *u = &r->units[i];
		const kp_robust_unit *s = &rb->units[i];
		kp_rw_csv_cell(w, r->categories[u->category].name), kp_rw_putc(w, ',');
		kp_rw_csv_cell(w, u->id), kp_rw_putc(w, ',');
		kp_rw_csv_cell(w, u->name);
		kp_rw_printf(w, ",%d,%d,%d,%d,%s,%s,%s\r\n", u->rank, s->rank_lo, s->rank_median, s->rank_hi,
			     kp_rw_fixed(share(rb, i), 1, pct), u->commended ? kl->yes : kl->no,
			     s->fragile ? kl->yes : kl->no);
	}
	return 0;
}

/* JSON (fields in README: kaoping robust). */
static void json_unit(kp_rw *w, const kp_robust *rb, size_t i)
{
	const kp_unit_result *u = &rb->res->units[i];
	const kp_robust_unit *s = &rb->units[i];
	char pct[KP_NUMBUF];

	kp_rw_puts(w, "{\"unit_id\":");
	kp_rw_json_str(w, u->id);
	kp_rw_puts(w, ",\"name\":");
	kp_rw_json_str(w, u->name);
	kp_rw_printf(w, ",\"rank\":%d,\"commended\":%s,\"rank_p5\":%d,\"rank_median\":%d,\"rank_p95\":%d,"
		     "\"rank_min\":%d,\"rank_max\":%d,\"commended_draws\":%u,\"commended_share\":%s,\"not_robust\":%s}",
		     u->rank, u->commended ? "true" : "false", s->rank_lo, s->rank_median, s->rank_hi, s->rank_min,
		     s->rank_max, s->commended, kp_rw_fixed(share(rb, i) / 100, 4, pct), s->fragile ? "true" : "false");
}

static int write_json(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_robust *rb = ctx;
	const kp_result *r = rb->res;
	char pct[KP_NUMBUF];
	size_t c, i;

	(void)o, (void)err;
	kp_rw_puts(w, "{\"rules_file\":");
	kp_rw_json_str(w, r->rules_file);
	kp_rw_printf(w, ",\"year\":%d,\"draws\":%u,\"spread_percent\":%s,\"seed\":%llu,\"by\":\"%s\",\"weights\":%zu,"
		     "\"not_robust\":%zu,\n\"categories\":[",
		     r->year, rb->opts.draws, kp_rw_short(rb->opts.spread * 100, 6, pct),
		     (unsigned long long)rb->opts.seed, rb->opts.by == KP_ROBUST_INDICATOR ? "indicator" : "section",
		     rb->nweights, rb->nfragile);
	for (c = 0; c < r->ncategories; c++) {
		const kp_category_result *k = &r->categories[c];
		kp_rw_puts(w, c ? ",\n{\"name\":" : "\n{\"name\":");
		kp_rw_json_str(w, k->name);
		kp_rw_printf(w, ",\"quota\":%d,\"units\":[", k->quota);
		for (i = k->first; i < k->first + k->count; i++) {
			kp_rw_puts(w, i > k->first ? ",\n" : "\n");
			json_unit(w, rb, i);
		}
		kp_rw_puts(w, k->count ? "\n]}" : "]}");
	}
	kp_rw_puts(w, "\n]}\n");
	return 0;
}

int kp_report_robust(const kp_robust *rb, const kp_report_opts *o, FILE *out, kp_err *err)
{
	kp_err local = { 0 };

	if (!err)
		err = &local;
	if (o->format == KP_FMT_CSV)
		return kp_report_emit(o, out, write_csv, (void *)rb, err);
	if (o->format == KP_FMT_JSON)
		return kp_report_emit(o, out, write_json, (void *)rb, err);
	if (o->format == KP_FMT_TABLE || o->format == KP_FMT_MD)
		return kp_report_emit(o, out, write_text, (void *)rb, err);
	return kp_err_msg(err, KP_EUSAGE, KP_M_REP_ROBUST_FORMAT,
			  kp_report_format_name(o->format));
}
