/* report_common.c — what every report format shares above the writer:
 * the labels of each language (from the catalogue), grade and rank-change text, and the
 * questions every writer asks of a result.  Owns nothing. */
#include "report_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Every label with its message: the text of a report's language. */
#define REPORT_LABELS(X) \
	X(category, REP_L_CATEGORY) \
	X(rank, REP_L_RANK) \
	X(unit_id, REP_L_UNIT_ID) \
	X(name, REP_L_NAME) \
	X(total, REP_L_TOTAL) \
	X(grade, REP_L_GRADE) \
	X(commended, REP_L_COMMENDED) \
	X(veto, REP_L_VETO) \
	X(veto_reason, REP_L_VETO_REASON) \
	X(deductions, REP_L_DEDUCTIONS) \
	X(bonus, REP_L_BONUS) \
	X(rank_change, REP_L_RANK_CHANGE) \
	X(base, REP_L_BASE) \
	X(yes, REP_L_YES) \
	X(no, REP_L_NO) \
	X(star, REP_L_STAR) \
	X(new_unit, REP_L_NEW_UNIT) \
	X(commend_list, REP_L_COMMEND_LIST) \
	X(details, REP_L_DETAILS) \
	X(grades, REP_L_GRADES) \
	X(chart, REP_L_CHART) \
	X(units_fmt, REP_L_UNITS_FMT) \
	X(quota_fmt, REP_L_QUOTA_FMT) \
	X(no_quota, REP_L_NO_QUOTA) \
	X(shortfall_fmt, REP_L_SHORTFALL_FMT) \
	X(tie_flag, REP_L_TIE_FLAG) \
	X(note, REP_L_NOTE) \
	X(none_commended, REP_L_NONE_COMMENDED) \
	X(year_fmt, REP_L_YEAR_FMT) \
	X(kind, REP_L_KIND) \
	X(section, REP_L_SECTION) \
	X(item, REP_L_ITEM) \
	X(points, REP_L_POINTS) \
	X(max, REP_L_MAX) \
	X(item_note, REP_L_ITEM_NOTE) \
	X(no_items, REP_L_NO_ITEMS) \
	X(eligible, REP_L_ELIGIBLE) \
	X(last_total, REP_L_LAST_TOTAL) \
	X(ungraded, REP_L_UNGRADED) \
	X(count, REP_L_COUNT) \
	X(too_many_fmt, REP_L_TOO_MANY_FMT) \
	X(too_many_items_fmt, REP_L_TOO_MANY_ITEMS_FMT) \
	X(others, REP_L_OTHERS) \
	X(tie_short, REP_L_TIE_SHORT) \
	X(basis, REP_L_BASIS) \
	X(office, REP_L_OFFICE) \
	X(item_floor, REP_L_ITEM_FLOOR) \
	X(item_residue, REP_L_ITEM_RESIDUE) \
	X(item_rescale, REP_L_ITEM_RESCALE) \
	X(item_cap, REP_L_ITEM_CAP) \
	X(kinds[0], REP_L_KIND_INDICATOR) \
	X(kinds[1], REP_L_KIND_SECTION_DED) \
	X(kinds[2], REP_L_KIND_DEDUCTION) \
	X(kinds[3], REP_L_KIND_BONUS) \
	X(kinds[4], REP_L_KIND_VETO) \
	X(kinds[5], REP_L_KIND_NOTE) \
	X(title, REP_L_TITLE) \
	X(ref_fmt, REP_L_REF_FMT) \
	X(legend_fmt, REP_L_LEGEND_FMT) \
	X(sec_points_fmt, REP_L_SEC_POINTS_FMT) \
	X(points_fmt, REP_L_POINTS_FMT) \
	X(ranks_fmt, REP_L_RANKS_FMT) \
	X(date_fmt, REP_L_DATE_FMT) \
	X(sheet_title_fmt, REP_L_SHEET_TITLE_FMT) \
	X(footer, REP_L_FOOTER) \
	X(paren_fmt, REP_L_PAREN_FMT) \
	X(html_lang, REP_L_HTML_LANG) \
	X(lparen, REP_L_LPAREN) \
	X(lparen_tight, REP_L_LPAREN_TIGHT) \
	X(rparen, REP_L_RPAREN) \
	X(rparen_colon, REP_L_RPAREN_COLON) \
	X(comma, REP_L_COMMA) \
	X(colon, REP_L_COLON) \
	X(list_sep, REP_L_LIST_SEP) \
	X(semi, REP_L_SEMI)

KP_LABEL_TABLE(labels_of, kp_labels, REPORT_LABELS)

const kp_labels *kp_report_labels(int lang)
{
	return labels_of(lang);
}

const char *kp_report_item_name(const kp_item *it, const kp_labels *l)
{
	if (!it->name)
		return "";
	if (it->kind == KP_ITEM_NOTE) {
		if (!strcmp(it->name, KP_ITEM_FLOOR_NAME))
			return l->item_floor;
		if (!strcmp(it->name, KP_ITEM_RESIDUE_NAME))
			return l->item_residue;
		if (!strcmp(it->name, KP_ITEM_RESCALE_NAME))
			return l->item_rescale;
		if (!strcmp(it->name, KP_ITEM_CAP_NAME))
			return l->item_cap;
		if (!strcmp(it->name, KP_ITEM_BASE_NAME))
			return l->base;
	}
	return it->name;
}

int kp_report_item_floor(const kp_item *it)
{
	return it->kind == KP_ITEM_NOTE && it->points != 0 && it->name &&
	       (!strcmp(it->name, KP_ITEM_FLOOR_NAME) || !strcmp(it->name, KP_ITEM_CAP_NAME));
}

#define BOTH (KP_COLS_CSV | KP_COLS_TABLE)
const kp_column kp_report_cols[] = {
	{ KP_COL_CATEGORY, "category", KP_MSG_REP_L_CATEGORY, 0, KP_COLS_CSV },
	{ KP_COL_RANK, "rank", KP_MSG_REP_L_RANK, 1, BOTH },
	{ KP_COL_ID, "unit_id", KP_MSG_REP_L_UNIT_ID, 0, BOTH },
	{ KP_COL_NAME, "name", KP_MSG_REP_L_NAME, 0, BOTH },
	{ KP_COL_SECTIONS, "sections", KP_MSG_NONE, 1, BOTH },
	{ KP_COL_DED, "deductions", KP_MSG_REP_L_DEDUCTIONS, 1, BOTH },
	{ KP_COL_BONUS, "bonus", KP_MSG_REP_L_BONUS, 1, BOTH },
	{ KP_COL_TOTAL, "total", KP_MSG_REP_L_TOTAL, 1, BOTH },
	{ KP_COL_GRADE, "grade", KP_MSG_REP_L_GRADE, 0, BOTH },
	{ KP_COL_COMM, "commended", KP_MSG_REP_L_COMMENDED, 0, BOTH },
	{ KP_COL_VETO, "veto", KP_MSG_REP_L_VETO, 0, BOTH },
	{ KP_COL_VETO_REASON, "veto_reason", KP_MSG_REP_L_VETO_REASON, 0, KP_COLS_CSV },
	{ KP_COL_CHANGE, "rank_change", KP_MSG_REP_L_RANK_CHANGE, 0, BOTH },
};
#undef BOTH
const size_t kp_report_ncols = sizeof kp_report_cols / sizeof kp_report_cols[0];

const char *kp_report_col_label(const kp_column *c, int lang)
{
	return c->label == KP_MSG_NONE ? "" : kp_msg_text(c->label, lang == KP_LANG_EN ? KP_LANG_EN : KP_LANG_ZH);
}

int kp_report_col_shown(const kp_column *c, unsigned writer, int change)
{
	if (!(c->in & writer))
		return 0;
	return c->kind != KP_COL_CHANGE || writer != KP_COLS_TABLE || change;
}

size_t kp_report_col_count(const kp_result *r, unsigned writer, int change)
{
	size_t i, n = 0;

	for (i = 0; i < kp_report_ncols; i++)
		if (kp_report_col_shown(&kp_report_cols[i], writer, change))
			n += kp_report_cols[i].kind == KP_COL_SECTIONS ? r->nsections : 1;
	return n;
}

const kp_column *kp_report_col(int kind)
{
	size_t i;

	for (i = 0; i < kp_report_ncols; i++)
		if (kp_report_cols[i].kind == kind)
			return &kp_report_cols[i];
	return NULL;
}

const char *kp_report_grade(const kp_result *r, const kp_unit_result *u)
{
	if (u->grade < 0 || (size_t)u->grade >= r->ngrades)
		return NULL;
	return r->grades[u->grade];
}

int kp_report_has_change(const kp_result *r)
{
	size_t i;

	if (r->last_year)
		return 1;
	for (i = 0; i < r->nunits; i++)
		if (KP_MORE(&r->units[i])->has_last)
			return 1;
	return 0;
}

size_t kp_report_detail_limit(const kp_report_opts *o)
{
	switch (o->format) {
	case KP_FMT_HTML: return o->summary ? 0 : KP_REPORT_HTML_DETAILS;
	case KP_FMT_XLSX: return KP_REPORT_XLSX_DETAILS;
	case KP_FMT_JSON: return o->items ? SIZE_MAX : 0;
	default: return 0;
	}
}

int kp_report_has_items(const kp_result *r)
{
	size_t i;

	for (i = 0; i < r->nunits; i++)
		if (KP_MORE(&r->units[i])->items && KP_MORE(&r->units[i])->nitems)
			return 1;
	return 0;
}

const char *kp_report_change(const kp_result *r, const kp_unit_result *u, const kp_labels *l,
			     char *buf, size_t size)
{
	int d = KP_MORE(u)->last_rank - u->rank;

	if (!KP_MORE(u)->has_last)
		return r->last_year ? l->new_unit : "";
	if (!KP_MORE(u)->has_last_rank)
		return ""; /* ranked in another category last year: not compared */
	if (d > 0)
		snprintf(buf, size, "↑%d", d);
	else if (d < 0)
		snprintf(buf, size, "↓%d", -d);
	else
		snprintf(buf, size, "–");
	return buf;
}

int kp_report_want_bom(const kp_report_opts *o)
{
	return o->bom > 0 || (o->bom < 0 && o->output);
}

const char *kp_report_sec_points(const kp_result *r, size_t s, char *buf)
{
	if (!r->section_points || s >= r->nsections || !isfinite(r->section_points[s]))
		return NULL;
	return kp_rw_short(r->section_points[s], r->precision, buf);
}

/* The declaration an item comes from: indicators, deductions (in a
 * section or from the total), bonuses and vetoes have unique names. */
void kp_report_item_texts(const kp_rules *rules, const kp_item *it, const char **basis, const char **office)
{
	long i;

	*basis = *office = NULL;
	if (!rules || !it->name)
		return;
	switch (it->kind) { /* through the rules' name index: items × declarations stays linear */
	case KP_ITEM_INDICATOR:
		if ((i = kp_rules_find_decl(rules, 0, it->name)) >= 0)
			*basis = rules->ind[i].basis, *office = rules->ind[i].office;
		break;
	case KP_ITEM_SECTION_DED:
	case KP_ITEM_DEDUCTION:
		if ((i = kp_rules_find_decl(rules, 1, it->name)) >= 0)
			*basis = rules->ded[i].basis, *office = rules->ded[i].office;
		break;
	case KP_ITEM_BONUS:
		if ((i = kp_rules_find_decl(rules, 2, it->name)) >= 0)
			*basis = rules->bon[i].basis, *office = rules->bon[i].office;
		break;
	case KP_ITEM_VETO:
		if ((i = kp_rules_find_decl(rules, 3, it->name)) >= 0)
			*basis = rules->veto[i].basis, *office = rules->veto[i].office;
		break;
	default: break;
	}
}

int kp_report_has_texts(const kp_rules *rules, const kp_unit_result *u)
{
	const char *b, *o;
	unsigned i;

	for (i = 0; rules && i < KP_MORE(u)->nitems; i++) {
		kp_report_item_texts(rules, &KP_MORE(u)->items[i], &b, &o);
		if (b || o)
			return 1;
	}
	return 0;
}
