/* form.c — planning the forms of kaoping template (include/kaoping/form.h):
 * which dataset each column the rules read comes from, in the order the
 * rules declare the items, and the guidance for each column.  Owns the
 * plan; writes nothing (form_write.c does). */
#include "kaoping/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/enc.h"
#include "kaoping/outfile.h"
#include "kaoping/sb.h"

/* One use of a column by an item: what the builder adds. */
typedef struct use {
	const char *reader;   /* the item's name */
	const char *what;     /* what to write */
	const char *example;  /* a value that reads right */
	int blank_ok;
} use;

static char *dup_or_null(const char *s, int *oom)
{
	char *p = s ? strdup(s) : NULL;

	if (s && !p)
		*oom = 1;
	return p;
}

/* Add a column to a form (or find it there); NULL when out of memory. */
static kp_form_col *form_col(kp_form *f, const char *name)
{
	kp_form_col *c;
	size_t i;

	for (i = 0; i < f->ncol; i++)
		if (!strcmp(f->col[i].name, name))
			return &f->col[i];
	if (!(c = realloc(f->col, (f->ncol + 1) * sizeof *c)))
		return NULL;
	f->col = c;
	c = &f->col[f->ncol];
	memset(c, 0, sizeof *c);
	if (!(c->name = strdup(name)))
		return NULL;
	c->blank_ok = 1;
	f->ncol++;
	return c;
}

/* Is name one of the readers ("会前学法、专题研究")? */
static int has_reader(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; p; p = strstr(p, "、"), p = p ? p + strlen("、") : NULL)
		if (!strncmp(p, name, n) && (!p[n] || !strncmp(p + n, "、", strlen("、"))))
			return 1;
	return 0;
}

/* Record one use on col: the reader joins the list, a blank stays allowed
 * only when every reader allows it, the first words stay. */
static int add_use(kp_form_col *c, const use *u)
{
	int oom = 0;

	if (!c)
		return -1;
	if (u->reader && (!c->readers || !has_reader(c->readers, u->reader))) {
		kp_sb b = {0};
		if (c->readers)
			kp_sb_printf(&b, "%s、", c->readers);
		kp_sb_puts(&b, u->reader);
		if (b.oom)
			return kp_sb_free(&b), -1;
		free(c->readers);
		c->readers = b.s;
		c->blank_ok = c->blank_ok && u->blank_ok;
	}
	if (!c->what)
		c->what = dup_or_null(u->what, &oom);
	if (!c->example)
		c->example = dup_or_null(u->example, &oom);
	return oom ? -1 : 0;
}

typedef struct builder {
	const kp_rules *r;
	kp_forms *f;
	size_t ndata;       /* forms 1..ndata are the data declarations */
	char date[16];      /* an example date in the year */
} builder;

/* The form a unit column comes from: the data declaration listing it, else
 * the unit form. */
static kp_form *unit_form_of(builder *b, const char *col)
{
	size_t i, j;

	for (i = 0; i < b->r->ndata; i++)
		for (j = 0; j < b->r->data[i].ncol; j++)
			if (!strcmp(b->r->data[i].col[j], col))
				return &b->f->form[1 + i];
	return &b->f->form[0];
}

static kp_form *event_form(builder *b, int event)
{
	return &b->f->form[1 + b->ndata + (size_t)event];
}

/* The columns of an event aggregate: the column it reads, its due date,
 * its filters. */
static int agg_uses(builder *b, const kp_src *s, const use *u)
{
	kp_form *f = event_form(b, s->event);
	use v = *u;
	size_t i;
	int rc = 0;

	v.blank_ok = 0;
	if (s->op == KP_AGG_LATE || s->op == KP_AGG_MISSING) {
		v.what = "日期（未报送的留空）", v.example = b->date, v.blank_ok = 1;
		if (s->due) {
			use d = v;
			d.what = "日期", d.blank_ok = 0;
			rc = add_use(form_col(f, s->due), &d);
		}
	} else {
		v.what = "数值", v.example = "90";
	}
	if (!rc && s->col)
		rc = add_use(form_col(f, s->col), &v);
	for (i = 0; i < s->nfilter && !rc; i++) {
		use w = *u;
		w.what = "文本（按此列筛选）", w.example = s->fval[i], w.blank_ok = 0;
		rc = add_use(form_col(f, s->fcol[i]), &w);
	}
	return rc;
}

/* A source: a unit column, an event aggregate, or a function (nothing). */
static int src_uses(builder *b, const kp_src *s, const use *u)
{
	if (s->kind == KP_SRC_COL && s->col)
		return add_use(form_col(unit_form_of(b, s->col), s->col), u);
	if (s->kind == KP_SRC_AGG && s->event >= 0 && (size_t)s->event < b->r->nevent)
		return agg_uses(b, s, u);
	return 0;
}

/* Bands whose thresholds are all shares (0 < t ≤ 1, one below 1) read a
 * percentage. */
static int bands_share(const kp_method *m)
{
	size_t i;
	int below = 0;

	for (i = 0; i < m->n; i++) {
		if (!(m->thr[i] > 0 && m->thr[i] <= 1))
			return 0;
		below |= m->thr[i] < 1;
	}
	return m->n && below;
}

/* What a helper's value is written as, and an example of it. */
static void method_words(builder *b, const kp_method *m, use *u, kp_sb *keys)
{
	size_t i;

	u->what = "数值", u->example = "6";
	switch (m->kind) {
	case KP_M_BANDS:
		if (bands_share(m))
			u->what = "百分数（如 96.4% 或 0.964）", u->example = "96.4%";
		break;
	case KP_M_TARGET: /* a goal that is a share (95%) reads a percentage */
		if (!m->goal_src.kind && m->goal > 0 && m->goal < 1)
			u->what = "百分数（如 96.4% 或 0.964）", u->example = "96.4%";
		break;
	case KP_M_YESNO:
		u->what = "是/否", u->example = "是";
		break;
	case KP_M_DONE:
		u->what = "完成/未完成", u->example = "完成";
		break;
	case KP_M_LOOKUP:
		for (i = 0; i < m->n; i++)
			kp_sb_printf(keys, "%s%s", i ? "/" : "", m->keys[i]);
		u->what = kp_sb_str(keys), u->example = m->n ? m->keys[0] : "";
		break;
	case KP_M_PERITEM:
		u->what = "数量（件）", u->example = "1";
		break;
	case KP_M_GIVEN:
		u->what = "分", u->example = "90";
		break;
	case KP_M_DEADLINE:
		u->what = "日期（如 2024-03-31；未报送的写“未报送”）", u->example = b->date;
		break;
	}
}

static int checklist_uses(builder *b, const kp_method *m, const use *u)
{
	size_t i;
	int rc = 0;

	for (i = m->first; i < m->first + m->count && !rc; i++) {
		const kp_check *k = &b->r->check[i];
		kp_sb w = {0};
		use v = *u;
		kp_sb_printf(&w, "数量（%s）", k->unit ? k->unit : "次");
		if (k->per)
			v.what = kp_sb_str(&w), v.example = "1";
		else
			v.what = "是/否", v.example = "否";
		rc = w.oom ? -1 : src_uses(b, &k->src, &v);
		kp_sb_free(&w);
	}
	return rc;
}

static int blend_uses(builder *b, const kp_method *m, const use *u)
{
	size_t i;
	int rc = 0;

	for (i = m->first; i < m->first + m->count && !rc; i++) {
		use v = *u;
		v.what = b->r->part[i].scale == 10 ? "分（10分制）" : "分（百分制）";
		v.example = b->r->part[i].scale == 10 ? "8.5" : "90";
		rc = src_uses(b, &b->r->part[i].src, &v);
	}
	return rc;
}

/* Every column a method reads, for the item called name. */
static int method_uses(builder *b, const kp_method *m, const char *name, int blank_ok)
{
	kp_sb keys = {0};
	use u = {name, NULL, NULL, blank_ok};
	int rc;

	method_words(b, m, &u, &keys);
	if (keys.oom)
		rc = -1;
	else if (m->kind == KP_M_CHECKLIST)
		rc = checklist_uses(b, m, &u);
	else if (m->kind == KP_M_BLEND)
		rc = blend_uses(b, m, &u);
	else
		rc = src_uses(b, &m->src, &u);
	if (!rc && m->goal_src.kind) {
		use g = {name, "数值（本单位的目标）", "10", blank_ok};
		rc = src_uses(b, &m->goal_src, &g);
	}
	kp_sb_free(&keys);
	return rc;
}

/* Indicators in the order declared, then deductions, bonuses, vetoes. */
static int item_uses(builder *b)
{
	const kp_rules *r = b->r;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nind && !rc; i++)
		rc = method_uses(b, &r->ind[i].m, r->ind[i].name, r->ind[i].has_default || r->ind[i].skip_missing);
	for (i = 0; i < r->nded && !rc; i++) {
		kp_sb w = {0};
		use u = {r->ded[i].name, NULL, "0", 0};
		kp_sb_printf(&w, "数量（%s）", kp_deduction_unit(&r->ded[i]));
		u.what = kp_sb_str(&w);
		rc = w.oom ? -1 : src_uses(b, &r->ded[i].count, &u);
		kp_sb_free(&w);
	}
	for (i = 0; i < r->nbon && !rc; i++)
		rc = method_uses(b, &r->bon[i].m, r->bon[i].name, r->bon[i].has_default);
	for (i = 0; i < r->nveto && !rc; i++) {
		use u = {r->veto[i].name, "是/否", "否", r->veto[i].dflt_text != NULL};
		rc = src_uses(b, &r->veto[i].when, &u);
	}
	return rc;
}

/* A form with its unit id column first. */
static int new_form(kp_form *f, int kind, const char *name, const char *office, const char *event, const char *id)
{
	int oom = 0;
	kp_form_col *c;

	f->kind = kind;
	f->name = dup_or_null(name, &oom);
	f->office = dup_or_null(office, &oom);
	f->event = dup_or_null(event, &oom);
	if (oom || !(c = form_col(f, id)))
		return -1;
	c->what = strdup(kind == KP_FORM_EVENTS ? "单位代码（每件一行）" : "单位代码（每个单位一行）");
	c->example = strdup("Z01");
	c->blank_ok = 0;
	return c->what && c->example ? 0 : -1;
}

/* Columns a declaration lists for rule functions: on its form in the order
 * listed (data), or after what helpers read (events). */
static int listed_cols(kp_form *f, char *const *col, char *const *reader, size_t n)
{
	size_t i;
	kp_form_col *c;

	for (i = 0; i < n; i++) {
		use u = {reader ? reader[i] : NULL, NULL, NULL, 0}; /* what a function takes for blank is unknown */
		if (!(c = form_col(f, col[i])))
			return -1;
		c->fn = 1;
		if (u.reader && add_use(c, &u))
			return -1;
	}
	return 0;
}

static int unit_cols(const kp_rules *r, kp_form *f)
{
	kp_form_col *n, *c;
	kp_sb cats = {0};
	size_t i;

	if (!form_col(f, r->name_col) || !form_col(f, r->cat_col))
		return -1;
	n = &f->col[1], c = &f->col[2]; /* after both: a realloc moves them */
	for (i = 0; i < r->ncat; i++)
		kp_sb_printf(&cats, "%s%s", i ? "/" : "", r->cat[i].name);
	n->what = strdup("单位名称"), n->example = strdup("城关镇"), n->blank_ok = 0;
	c->what = cats.s, c->example = strdup(r->ncat ? r->cat[0].name : ""), c->blank_ok = 0;
	return cats.oom || !n->what || !n->example || !c->what || !c->example ? -1 : 0;
}

static int make_forms(builder *b)
{
	const kp_rules *r = b->r;
	kp_forms *f = b->f;
	size_t i, j;

	if (new_form(&f->form[0], KP_FORM_UNITS, r->unit_table ? r->unit_table : "units", r->unit_office, NULL, r->id_col) ||
	    unit_cols(r, &f->form[0]))
		return -1;
	for (i = 0; i < r->ndata; i++)
		if (new_form(&f->form[1 + i], KP_FORM_DATA, r->data[i].name, r->data[i].office, NULL, r->id_col) ||
		    listed_cols(&f->form[1 + i], r->data[i].col, r->data[i].reader, r->data[i].ncol))
			return -1;
	for (i = 0; i < r->nevent; i++)
		if (new_form(event_form(b, (int)i), KP_FORM_EVENTS, r->event[i].data, r->event[i].office, r->event[i].name,
			     r->event[i].unit))
			return -1;
	if (item_uses(b))
		return -1;
	for (i = 0; i < r->nevent; i++)
		if (listed_cols(event_form(b, (int)i), r->event[i].col, r->event[i].reader, r->event[i].ncol))
			return -1;
	for (i = 0; i < f->n; i++) /* what only a module's functions read: no blank is known to be allowed */
		for (j = 1; j < f->form[i].ncol; j++)
			if (f->form[i].col[j].fn && !f->form[i].col[j].readers)
				f->form[i].col[j].blank_ok = 0;
	return 0;
}

/* Can s name a file (the stem of a form) or, with folder, a folder on
 * every filesystem the forms travel to (the offices fill them on
 * Windows)?  Not empty, no separator, control or character Windows
 * refuses (: * ? " < > |), not starting with a dot, a space or a dash
 * (read as an option by rm, tar, zip), no device name (CON, NUL, COM1
 * ...); a folder not ending with a dot or a space either (Windows drops
 * them). */
static int file_name_ok(const char *s, int folder)
{
	const unsigned char *p;
	size_t n;

	if (!s || !*s || *s == '.' || *s == ' ' || *s == '-' || (n = strlen(s)) > 200 ||
	    (folder && (s[n - 1] == '.' || s[n - 1] == ' ')) || kp_outfile_reserved_name(s))
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || strchr("/\\:*?\"<>|", *p))
			return 0;
	return 1;
}

/* A header Excel would read as a formula cannot be written as it is, and
 * changed it would no longer import as the column. */
static int header_ok(const char *s)
{
	return !strchr("=+-@\t\r", *s) && !strchr(s, '\n');
}

/* The names check_names compares, folded once as a case-insensitive
 * filesystem (Windows, macOS: "Extra" and "extra") compares them, and
 * hashed: folding both names of every pair made thousands of forms take
 * seconds.  fold[i] is form i's name; top[k] the k-th file of a form in
 * the top folder (NAME.xlsx, NAME.csv, NAME.说明.txt: an office's folder
 * named so clashed with it at write time, 73 "not a regular file"),
 * tfold[k] folded; seen holds fold[0..i) in order, tops every tfold. */
typedef struct name_sets {
	char **fold, **top, **tfold;
	size_t n, ntop;
	kp_strset seen, tops;
} name_sets;

static void name_sets_free(name_sets *ns)
{
	size_t i;

	for (i = 0; ns->fold && i < ns->n; i++)
		free(ns->fold[i]);
	for (i = 0; i < ns->ntop; i++)
		free(ns->top[i]), free(ns->tfold[i]);
	free(ns->fold), free(ns->top), free(ns->tfold);
	kp_strset_free(&ns->seen), kp_strset_free(&ns->tops);
}

/* 0, or -1 out of memory (ns freed by the caller either way). */
static int name_sets_make(name_sets *ns, const kp_forms *f)
{
	static const char *const ext[] = { ".xlsx", ".csv", ".说明.txt" };
	size_t i, e;

	memset(ns, 0, sizeof *ns);
	if (!(ns->fold = calloc(f->n + 1, sizeof *ns->fold)) || !(ns->top = calloc(3 * f->n + 1, sizeof *ns->top)) ||
	    !(ns->tfold = calloc(3 * f->n + 1, sizeof *ns->tfold)))
		return -1;
	for (i = 0; i < f->n; i++, ns->n = i)
		if (!(ns->fold[i] = kp_enc_fold_name(f->form[i].name)))
			return -1;
	for (i = 0; i < f->n; i++)
		for (e = 0; !f->form[i].office && e < sizeof ext / sizeof *ext; e++) {
			size_t t = ns->ntop;
			if (asprintf(&ns->top[t], "%s%s", f->form[i].name, ext[e]) < 0) {
				ns->top[t] = NULL;
				return -1;
			}
			ns->ntop = t + 1; /* top[t] is the set's to free now */
			if (!(ns->tfold[t] = kp_enc_fold_name(ns->top[t])) || kp_strset_add(&ns->tops, ns->tfold[t]) < 0)
				return -1;
		}
	return 0;
}

static int check_names(const kp_rules *r, const kp_forms *f, kp_err *err)
{
	name_sets ns;
	size_t i, j;
	long k;
	int rc = 0;

	if (name_sets_make(&ns, f)) {
		name_sets_free(&ns);
		return kp_err_oom(err);
	}
	for (i = 0; i < f->n && !rc; i++) {
		const kp_form *m = &f->form[i];
		const char *where = m->kind == KP_FORM_DATA ? r->data[i - 1].where :
				    m->kind == KP_FORM_EVENTS ? r->event[i - 1 - r->ndata].where : r->file;
		if (!file_name_ok(m->name, 0) || (m->office && !file_name_ok(m->office, 1))) {
			rc = kp_err_msg(err, KP_ERULE, KP_M_IN_FORM_BAD_NAME, where, m->name, m->office ? m->office : "");
			break;
		}
		for (j = 0; j < m->ncol && !rc; j++)
			if (!*m->col[j].name || !header_ok(m->col[j].name))
				rc = kp_err_msg(err, KP_ERULE, KP_M_IN_FORM_BAD_HEADER, where, m->col[j].name);
		if (rc)
			break;
		/* the first form before it named alike: seen holds one name a form */
		if ((k = kp_strset_index(&ns.seen, ns.fold[i])) >= 0) {
			const char *had = f->form[k].name;
			rc = !strcmp(had, m->name) ? kp_err_msg(err, KP_ERULE, KP_M_IN_FORM_TWICE, where, m->name)
						   : kp_err_msg(err, KP_ERULE, KP_M_IN_FORM_TWICE_CASE, where, had, m->name);
			break;
		}
		if (kp_strset_add(&ns.seen, ns.fold[i]) < 0) {
			rc = kp_err_oom(err);
			break;
		}
		if (m->office) {
			char *fo = kp_enc_fold_name(m->office);
			if (!fo)
				rc = kp_err_oom(err);
			else if ((k = kp_strset_index(&ns.tops, fo)) >= 0)
				rc = kp_err_msg(err, KP_ERULE, KP_M_IN_FORM_OFFICE_IS_FILE, where, m->office, ns.top[k]);
			free(fo);
		}
	}
	name_sets_free(&ns);
	return rc;
}

int kp_forms_plan(const kp_rules *r, int year, const kp_form_units *units, kp_forms **out, kp_err *err)
{
	builder b;
	kp_forms *f = calloc(1, sizeof *f);

	*out = NULL;
	if (!f || !(f->form = calloc(1 + r->ndata + r->nevent, sizeof *f->form)) || !(f->title = strdup(r->title))) {
		kp_forms_free(f);
		return kp_err_oom(err);
	}
	f->year = year;
	f->n = 1 + r->ndata + r->nevent; /* zeroed: freed safely if building stops */
	if (units)
		f->units = *units;
	memset(&b, 0, sizeof b);
	b.r = r, b.f = f, b.ndata = r->ndata;
	snprintf(b.date, sizeof b.date, "%04d-03-31", year > 0 && year < 10000 ? year : 2024);
	if (make_forms(&b)) {
		kp_forms_free(f);
		return kp_err_oom(err);
	}
	if (check_names(r, f, err)) {
		kp_forms_free(f);
		return err->kind;
	}
	*out = f;
	return 0;
}

void kp_forms_free(kp_forms *f)
{
	size_t i, j;

	if (!f)
		return;
	for (i = 0; f->form && i < f->n; i++) {
		kp_form *m = &f->form[i];
		for (j = 0; j < m->ncol; j++)
			free(m->col[j].name), free(m->col[j].readers), free(m->col[j].what), free(m->col[j].example);
		free(m->col), free(m->name), free(m->office), free(m->event);
	}
	free(f->form);
	free(f->title);
	free(f);
}
