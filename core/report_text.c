/* report_text.c — the text reports: the terminal table aligned for
 * double-width Chinese characters, Markdown, the text form of `explain`
 * and plain grids.  Everything goes through the buffered writer of
 * report_int.h; nothing here owns memory beyond a call. */
#include "report_int.h"

#include <stdlib.h>
#include <string.h>

#include "kaoping/enc.h"

#define CELL 512

/* ---------- aligned and Markdown tables over a cell callback ---------- */

typedef const char *(*cell_fn)(const void *ctx, size_t row, size_t col, char *buf, size_t size);

struct grid {
	size_t nrows, ncols;
	const char *const *head;
	const unsigned char *right; /* right-aligned columns (numbers), or NULL */
	cell_fn cell;
	const void *ctx;
	const char *indent;
	int (*bold)(const void *ctx, size_t row); /* or NULL */
	size_t gap;             /* spaces between columns; 0: 2 */
};

/* Layout whitespace (a line break inside a cell, a tab) prints as one
 * space; any other control character (ESC, CSI U+009B, a bidi override
 * U+202E, ...), which a terminal would obey, is shown escaped ("\x1b",
 * "\u009b", "\u202e"). */
static int layout_space(unsigned char c)
{
	return c == '\n' || c == '\r' || c == '\t';
}

/* Display width of the text as put_plain shows it. */
static size_t text_width(const char *s)
{
	size_t w, k, n;
	char esc[KP_ENC_CTL_MAX];

	for (n = 0; (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f; n++)
		; /* printable ASCII (numbers, codes): a column a byte */
	if (!s[n])
		return n;
	w = kp_enc_width(s), n = strlen(s);
	for (; *s; s++, n--) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f && c != 0xC2 && c != 0xE2)
			continue; /* no control starts here */
		if (layout_space(c))
			w++;
		else if ((k = kp_enc_ctl(s, n, esc)) > 0) {
			/* kp_enc_width counts C0 and bidi controls (E2 ..) as 0,
			 * DEL and C1 as 1 */
			w += strlen(esc) - (c < 0x20 || c == 0xE2 ? 0 : 1);
			s += k - 1, n -= k - 1;
		}
	}
	return w;
}

/* Text for a terminal: controls shown as text_width says. */
static void put_plain(kp_rw *w, const char *s)
{
	const char *run;
	size_t n = strlen(s), k;
	char esc[KP_ENC_CTL_MAX];

	for (run = s; *s; s++, n--) {
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f && (unsigned char)*s != 0xC2 &&
		    (unsigned char)*s != 0xE2)
			continue;
		if (layout_space((unsigned char)*s))
			k = 1, esc[0] = ' ', esc[1] = '\0';
		else if (!(k = kp_enc_ctl(s, n, esc)))
			continue;
		kp_rw_put(w, run, (size_t)(s - run));
		kp_rw_puts(w, esc);
		s += k - 1, n -= k - 1;
		run = s + 1;
	}
	kp_rw_put(w, run, (size_t)(s - run));
}

static const char *grid_cell(const struct grid *g, size_t row, size_t col, char *buf)
{
	const char *s = g->cell(g->ctx, row, col, buf, CELL);

	return s ? s : "";
}

static int grid_widths(const struct grid *g, size_t *width, kp_err *err)
{
	char buf[CELL];
	size_t i, j;

	(void)err;
	for (j = 0; j < g->ncols; j++)
		width[j] = text_width(g->head[j] ? g->head[j] : "");
	for (i = 0; i < g->nrows; i++)
		for (j = 0; j < g->ncols; j++) {
			size_t n = text_width(grid_cell(g, i, j, buf));
			if (n > width[j])
				width[j] = n;
		}
	return 0;
}

static size_t grid_gap(const struct grid *g)
{
	return g->gap ? g->gap : 2;
}

static void grid_line(kp_rw *w, const struct grid *g, const size_t *width, const char *const *text)
{
	size_t j, last = g->ncols;

	while (last > 0 && !*text[last - 1])
		last--; /* no trailing blanks */
	kp_rw_puts(w, g->indent ? g->indent : "");
	for (j = 0; j < last; j++) {
		size_t pad = width[j] - text_width(text[j]);
		if (j)
			kp_rw_pad(w, grid_gap(g));
		if (g->right && g->right[j])
			kp_rw_pad(w, pad);
		put_plain(w, text[j]);
		if (!(g->right && g->right[j]) && j + 1 < last)
			kp_rw_pad(w, pad);
	}
}

static int grid_aligned(kp_rw *w, const struct grid *g, int color, kp_err *err)
{
	size_t *width = calloc(g->ncols + 1, sizeof *width);
	const char **text = calloc(g->ncols + 1, sizeof *text);
	char (*bufs)[CELL] = malloc((g->ncols + 1) * sizeof *bufs);
	size_t i, j, total = 0;
	int rc = 0;

	if (!width || !text || !bufs) {
		rc = kp_err_oom(err);
		goto out;
	}
	grid_widths(g, width, err);
	for (j = 0; j < g->ncols; j++)
		text[j] = g->head[j] ? g->head[j] : "";
	grid_line(w, g, width, text);
	kp_rw_putc(w, '\n');
	for (j = 0; j < g->ncols; j++)
		total += width[j] + (j ? grid_gap(g) : 0);
	kp_rw_puts(w, g->indent ? g->indent : "");
	for (j = 0; j < total; j++)
		kp_rw_putc(w, '-');
	kp_rw_putc(w, '\n');
	for (i = 0; i < g->nrows && !w->err; i++) {
		int b = color && g->bold && g->bold(g->ctx, i);
		for (j = 0; j < g->ncols; j++)
			text[j] = grid_cell(g, i, j, bufs[j]);
		if (b)
			kp_rw_puts(w, "\033[1m");
		grid_line(w, g, width, text);
		if (b)
			kp_rw_puts(w, "\033[0m");
		kp_rw_putc(w, '\n');
	}
out:
	free(width);
	free(text);
	free(bufs);
	return rc;
}

static void grid_md(kp_rw *w, const struct grid *g)
{
	char buf[CELL];
	size_t i, j;

	kp_rw_putc(w, '|');
	for (j = 0; j < g->ncols; j++) {
		kp_rw_putc(w, ' ');
		kp_rw_md(w, g->head[j] ? g->head[j] : "");
		kp_rw_puts(w, " |");
	}
	kp_rw_puts(w, "\n|");
	for (j = 0; j < g->ncols; j++)
		kp_rw_puts(w, g->right && g->right[j] ? " ---: |" : " --- |");
	kp_rw_putc(w, '\n');
	for (i = 0; i < g->nrows && !w->err; i++) {
		kp_rw_putc(w, '|');
		for (j = 0; j < g->ncols; j++) {
			const char *s = grid_cell(g, i, j, buf);
			kp_rw_putc(w, ' ');
			kp_rw_md(w, s);
			kp_rw_puts(w, *s ? " |" : "|");
		}
		kp_rw_putc(w, '\n');
	}
}

/* ---------- the ranking columns ---------- */

/* The kinds of the column model (report_int.h), and one of the table's own. */
enum col_kind {
	C_RANK = KP_COL_RANK, C_ID = KP_COL_ID, C_NAME = KP_COL_NAME, C_SEC = KP_COL_SECTIONS, C_DED = KP_COL_DED,
	C_BONUS = KP_COL_BONUS, C_TOTAL = KP_COL_TOTAL, C_GRADE = KP_COL_GRADE, C_COMM = KP_COL_COMM,
	C_VETO = KP_COL_VETO, C_CHANGE = KP_COL_CHANGE,
	C_VREF = KP_COL_CHANGE + 1 /* the footnote of a veto's reason (the fitted table) */
};

struct ranking {
	const kp_result *r;
	const kp_labels *l;
	size_t first;           /* first unit of the category */
	size_t ncols;
	int kind[64 + 16];      /* per column */
	size_t sec[64 + 16];
	const char *head[64 + 16];
	unsigned char right[64 + 16];
	const char **heads;     /* when there are many sections */
	int *kinds;
	size_t *secs;
	unsigned char *rights;
	char **own;             /* heads made for the fitted table, nown of them */
	size_t nown;
	int *vref;              /* per unit: its veto footnote's number, or 0 */
};

static const char *ranking_cell(const void *ctx, size_t row, size_t col, char *buf, size_t size)
{
	const struct ranking *k = ctx;
	const kp_result *r = k->r;
	size_t i = k->first + row;
	const kp_unit_result *u = &r->units[i];

	switch (k->kinds[col]) {
	case C_RANK: snprintf(buf, size, "%d", u->rank); return buf;
	case C_ID: return u->id;
	case C_NAME: return u->name;
	case C_SEC: return kp_rw_fixed(KP_SEC(r, i, k->secs[col]), r->precision, buf);
	case C_DED: return kp_rw_fixed(u->deductions, r->precision, buf);
	case C_BONUS: return kp_rw_fixed(u->bonus, r->precision, buf);
	case C_TOTAL: return kp_rw_fixed(u->total, r->precision, buf);
	case C_GRADE: return kp_report_grade(r, u);
	case C_COMM: return u->commended ? k->l->star : "";
	case C_VETO:
		if (!u->veto)
			return "";
		return kp_result_veto_words(u, k->l->yes);
	case C_CHANGE: return kp_report_change(r, u, k->l, buf, size);
	case C_VREF:
		if (!u->veto)
			return "";
		if (!k->vref[i])
			return k->l->yes;
		snprintf(buf, size, k->l->ref_fmt, k->vref[i]);
		return buf;
	}
	return "";
}

static int ranking_bold(const void *ctx, size_t row)
{
	const struct ranking *k = ctx;

	return k->r->units[k->first + row].commended;
}

static void add_col(struct ranking *k, int kind, size_t sec, const char *head, int right)
{
	k->kinds[k->ncols] = kind;
	k->secs[k->ncols] = sec;
	k->heads[k->ncols] = head;
	k->rights[k->ncols] = (unsigned char)right;
	k->ncols++;
}

static void ranking_free(struct ranking *k)
{
	size_t i;

	for (i = 0; i < k->nown; i++)
		free(k->own[i]);
	free(k->own);
	free(k->vref);
	k->own = NULL, k->vref = NULL, k->nown = 0;
	if (k->heads != k->head) {
		free(k->heads);
		free(k->kinds);
		free(k->secs);
		free(k->rights);
	}
}

static int ranking_cols(struct ranking *k, const kp_result *r, const kp_labels *l, int lang, kp_err *err)
{
	size_t n = r->nsections + 16, s, i;
	int change;

	memset(k, 0, sizeof *k);
	k->r = r, k->l = l;
	if (n <= sizeof k->head / sizeof k->head[0]) {
		k->heads = k->head, k->kinds = k->kind, k->secs = k->sec, k->rights = k->right;
	} else {
		k->heads = calloc(n, sizeof *k->heads);
		k->kinds = calloc(n, sizeof *k->kinds);
		k->secs = calloc(n, sizeof *k->secs);
		k->rights = calloc(n, sizeof *k->rights);
		if (!k->heads || !k->kinds || !k->secs || !k->rights) {
			ranking_free(k);
			return kp_err_oom(err);
		}
	}
	change = kp_report_has_change(r); /* once: it reads every unit */
	for (i = 0; i < kp_report_ncols; i++) {
		const kp_column *c = &kp_report_cols[i];
		if (!kp_report_col_shown(c, KP_COLS_TABLE, change))
			continue;
		if (c->kind != KP_COL_SECTIONS)
			add_col(k, c->kind, 0, kp_report_col_label(c, lang), c->right);
		for (s = 0; c->kind == KP_COL_SECTIONS && s < r->nsections; s++)
			add_col(k, C_SEC, s, r->sections[s], c->right);
	}
	return 0;
}

static struct grid ranking_grid(const struct ranking *k, const kp_category_result *c)
{
	struct grid g = { c->count, k->ncols, k->heads, k->rights, ranking_cell, k, "", ranking_bold, 0 };

	return g;
}

/* "镇（3个单位，表彰名额2名）" */
static void category_heading(kp_rw *w, const kp_labels *l, const kp_category_result *c, int lang,
			     void (*put)(kp_rw *, const char *))
{
	put(w, c->name ? c->name : "");
	kp_rw_puts(w, kp_report_labels(lang)->lparen);
	kp_rw_printf(w, l->units_fmt, c->count);
	kp_rw_puts(w, kp_report_labels(lang)->comma);
	if (c->quota > 0)
		kp_rw_printf(w, l->quota_fmt, c->quota);
	else
		kp_rw_puts(w, l->no_quota);
	kp_rw_puts(w, kp_report_labels(lang)->rparen);
}

static void title_line(kp_rw *w, const kp_result *r, const kp_labels *l, const char *prefix,
		       void (*put)(kp_rw *, const char *))
{
	kp_rw_puts(w, prefix);
	if (r->title && *r->title)
		put(w, r->title);
	else
		kp_rw_puts(w, l->title);
	kp_rw_putc(w, '\n');
}

/* ---------- the commendation list ---------- */

struct commend_rows {
	const kp_result *r;
	const kp_labels *l;
	size_t *idx; /* commended units */
	char **tie;  /* "flag: note" of a boundary tie with a note, whole; else NULL */
	size_t n;
	int *next;   /* the fitted table: the last footnote's number; else NULL */
	int *ref;    /* the fitted table: per row, its note's footnote, or 0 */
};

static const char *commend_note(const struct commend_rows *c, size_t row)
{
	const kp_unit_result *u = &c->r->units[c->idx[row]];

	if (c->tie[row])
		return c->tie[row];
	return u->boundary_tie ? c->l->tie_flag : KP_MORE(u)->tie_note;
}

static const char *commend_cell(const void *ctx, size_t row, size_t col, char *buf, size_t size)
{
	const struct commend_rows *c = ctx;
	const kp_unit_result *u = &c->r->units[c->idx[row]];

	switch (col) {
	case 0: snprintf(buf, size, "%d", u->rank); return buf;
	case 1: return u->id;
	case 2: return u->name;
	case 3: return kp_rw_fixed(u->total, c->r->precision, buf);
	case 4: return kp_report_grade(c->r, u);
	default:
		if (!c->ref || !c->ref[row])
			return commend_note(c, row);
		snprintf(buf, size, c->l->ref_fmt, c->ref[row]);
		return buf;
	}
}

static int commend_collect(const kp_result *r, const kp_category_result *c, struct commend_rows *cr,
			   kp_err *err)
{
	size_t i;

	cr->n = 0;
	cr->idx = malloc((c->count + 1) * sizeof *cr->idx);
	cr->tie = calloc(c->count + 1, sizeof *cr->tie);
	cr->ref = cr->next ? calloc(c->count + 1, sizeof *cr->ref) : NULL;
	if (!cr->idx || !cr->tie || (cr->next && !cr->ref))
		return kp_err_oom(err);
	for (i = c->first; i < c->first + c->count; i++) {
		const kp_unit_result *u = &r->units[i];
		if (!u->commended)
			continue;
		if (u->boundary_tie && KP_MORE(u)->tie_note && asprintf(&cr->tie[cr->n], "%s: %s", cr->l->tie_flag, KP_MORE(u)->tie_note) < 0) {
			cr->tie[cr->n] = NULL;
			return kp_err_oom(err);
		}
		cr->idx[cr->n] = i;
		if (cr->next && commend_note(cr, cr->n) && *commend_note(cr, cr->n))
			cr->ref[cr->n] = ++*cr->next;
		cr->n++;
	}
	return 0;
}

static void commend_release(struct commend_rows *cr)
{
	size_t i;

	for (i = 0; cr->tie && i < cr->n; i++)
		free(cr->tie[i]);
	free(cr->tie), free(cr->idx), free(cr->ref);
	cr->tie = NULL, cr->idx = NULL, cr->ref = NULL, cr->n = 0;
}

static void commend_notes(kp_rw *w, const struct commend_rows *cr, const kp_report_opts *o);

/* The list of each category; next: NULL, or (the fitted table) the last
 * footnote's number, notes then go below the list. */
/* "镇（表彰名额2名）" above a category's list. */
static void commend_heading(kp_rw *w, const kp_category_result *cat, const kp_labels *l, int md)
{
	kp_rw_puts(w, md ? "### " : "");
	if (md)
		kp_rw_md(w, cat->name ? cat->name : "");
	else
		put_plain(w, cat->name ? cat->name : "");
	kp_rw_puts(w, l->lparen);
	if (cat->quota > 0)
		kp_rw_printf(w, l->quota_fmt, cat->quota);
	else
		kp_rw_puts(w, l->no_quota);
	kp_rw_puts(w, l->rparen);
	kp_rw_puts(w, md ? "\n\n" : "\n");
}

/* The shortfall and the note of a category, below its list. */
static void commend_tail(kp_rw *w, const kp_category_result *cat, const kp_labels *l, int md)
{
	if (cat->shortfall > 0) {
		kp_rw_puts(w, md ? "\n" : "  ");
		kp_rw_printf(w, l->shortfall_fmt, cat->shortfall);
		kp_rw_putc(w, '\n');
	}
	if (cat->note && *cat->note) {
		kp_rw_printf(w, md ? "\n%s%s" : "  %s%s", l->note, l->colon);
		if (md)
			kp_rw_md(w, cat->note);
		else
			put_plain(w, cat->note);
		kp_rw_putc(w, '\n');
	}
	kp_rw_putc(w, '\n');
}

static int commend_section(kp_rw *w, const kp_result *r, const kp_report_opts *o, int md, int *next, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	const char *head[6] = { l->rank, l->unit_id, l->name, l->total, l->grade, l->note };
	static const unsigned char right[6] = { 1, 0, 0, 1, 0, 0 };
	struct commend_rows cr = { r, l, NULL, NULL, 0, next, NULL };
	size_t c;
	int rc = 0;

	kp_rw_puts(w, md ? "## " : "");
	kp_rw_puts(w, l->commend_list);
	kp_rw_puts(w, md ? "\n\n" : "\n");
	for (c = 0; c < r->ncategories && !rc; c++) {
		const kp_category_result *cat = &r->categories[c];
		struct grid g = { 0, 6, head, right, commend_cell, &cr, md ? "" : "  ", NULL, 0 };
		rc = commend_collect(r, cat, &cr, err);
		if (rc)
			break;
		g.nrows = cr.n;
		commend_heading(w, cat, l, md);
		if (!cr.n)
			kp_rw_printf(w, "%s%s\n", md ? "" : "  ", l->none_commended);
		else if (md)
			grid_md(w, &g);
		else
			rc = grid_aligned(w, &g, 0, err);
		if (next)
			commend_notes(w, &cr, o);
		commend_tail(w, cat, l, md);
		commend_release(&cr);
	}
	commend_release(&cr);
	return rc;
}

/* ---------- table and Markdown reports ---------- */

static void put_md(kp_rw *w, const char *s)
{
	kp_rw_md(w, s);
}

/* ---------- the ranking fitted to a terminal ---------- */

/* Short column heads of the fitted table, and the columns left out first
 * when it is still too wide (the list below the table has the rest). */
struct fit_words {
	const char *comm, *veto, *change, *legend, *omitted_fmt, *note_sep;
};
#define FIT_WORDS(X) \
	X(comm, REP_FIT_COMM) \
	X(veto, REP_FIT_VETO) \
	X(change, REP_FIT_CHANGE) \
	X(legend, REP_FIT_LEGEND) \
	X(omitted_fmt, REP_FIT_OMITTED) \
	X(note_sep, REP_FIT_NOTE_SEP)
static const int drop_order[] = { C_ID, C_CHANGE, C_COMM, C_BONUS, C_DED };

KP_LABEL_TABLE(fit_words, struct fit_words, FIT_WORDS)

/* Length of the UTF-8 character at s (a stray byte counts alone). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4, i;

	for (i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* The bytes of the ASCII word at s (up to a space or a non-ASCII byte). */
static size_t latin_word(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && (unsigned char)s[n] > 0x20 && (unsigned char)s[n] < 0x80)
		n++;
	return n;
}

/* s at column *col, broken before a character that would pass width
 * (whole characters only); a new line starts with indent. */
/* The mark of footnote n ("注3 ", "*3 ") after indent. */
static void ref_text(char *buf, size_t size, const char *indent, const kp_labels *l, int n)
{
	char mark[16];

	snprintf(mark, sizeof mark, l->ref_fmt, n);
	snprintf(buf, size, "%s%s ", indent, mark);
}

static void put_wrapped(kp_rw *w, const char *s, size_t width, const char *indent, size_t *col)
{
	size_t iw = text_width(indent);
	const char *start = s;
	char ch[8];

	while (*s) {
		size_t n = char_len(s), cw, word = 0;
		memcpy(ch, s, n), ch[n] = '\0';
		cw = text_width(ch);
		if (*s == ' ' && s != start) /* a space before a word of Latin text that would not fit */
			word = latin_word(s + 1) + 1;
		if ((*col + cw > width || (word > 1 && *col + word > width && iw + word - 1 <= width)) && *col > iw) {
			kp_rw_putc(w, '\n'), kp_rw_puts(w, indent);
			*col = iw;
			if (*s == ' ') {
				s++;
				continue;
			}
		}
		put_plain(w, ch);
		*col += cw, s += n;
	}
}

/* "一" of "一、履行第一责任人职责" (*rest: what follows 、), else the
 * section's number; NULL when out of memory. */
static char *section_short(const char *name, size_t s, const char **rest)
{
	const char *p = strstr(name, "、");
	char *out;

	if (p && p > name && p - name <= 12) {
		*rest = p + strlen("、");
		return strndup(name, (size_t)(p - name));
	}
	*rest = name;
	return asprintf(&out, "%zu", s + 1) < 0 ? NULL : out;
}

static int own(struct ranking *k, char *s, kp_err *err)
{
	if (!s)
		return kp_err_oom(err);
	k->own[k->nown++] = s;
	return 0;
}

/* The short heads: "一/15" for sections, and the words of fit_words. */
static int fit_heads(struct ranking *k, int lang, kp_err *err)
{
	const struct fit_words *fw = fit_words(lang);
	char nb[KP_NUMBUF], *sh, *h;
	const char *rest;
	size_t j;

	k->own = calloc(2 * k->ncols + 1, sizeof *k->own); /* two per section */
	if (!k->own)
		return kp_err_oom(err);
	for (j = 0; j < k->ncols; j++) {
		if (k->kinds[j] == C_COMM)
			k->heads[j] = fw->comm;
		else if (k->kinds[j] == C_VETO)
			k->heads[j] = fw->veto, k->kinds[j] = C_VREF;
		else if (k->kinds[j] == C_CHANGE)
			k->heads[j] = fw->change;
		if (k->kinds[j] != C_SEC)
			continue;
		if (own(k, sh = section_short(k->r->sections[k->secs[j]], k->secs[j], &rest), err))
			return err->kind;
		if (!kp_report_sec_points(k->r, k->secs[j], nb)) {
			k->heads[j] = sh;
			continue;
		}
		if (own(k, asprintf(&h, "%s/%s", sh, nb) < 0 ? NULL : h, err))
			return err->kind;
		k->heads[j] = h;
	}
	return 0;
}

/* Does the column answer to name (its head, its key or its full label in
 * either language, a section's full name or its words after 、)? */
static int kind_named(int kind, const char *name)
{
	const kp_column *c = kp_report_col(kind == C_VREF ? C_VETO : kind);

	return c && (!strcmp(name, c->key) || !strcmp(name, kp_report_col_label(c, KP_LANG_ZH)) ||
		     !strcmp(name, kp_report_col_label(c, KP_LANG_EN)));
}

static int col_named(const struct ranking *k, size_t j, const char *name)
{
	const char *sec, *p;
	int kind = k->kinds[j];

	if (!strcmp(name, k->heads[j]) || (kind != C_SEC && kind_named(kind, name)))
		return 1;
	if (k->kinds[j] != C_SEC)
		return 0;
	sec = k->r->sections[k->secs[j]];
	p = strstr(sec, "、");
	if (!strcmp(name, sec) || (p && !strcmp(name, p + strlen("、"))))
		return 1;
	p = strchr(k->heads[j], '/');
	return p && strlen(name) == (size_t)(p - k->heads[j]) && !strncmp(name, k->heads[j], strlen(name));
}

/* Keep the columns marked on, in the table's order. */
static void keep_cols(struct ranking *k, const unsigned char *on)
{
	size_t i, n = 0;

	for (i = 0; i < k->ncols; i++)
		if (on[i]) {
			k->kinds[n] = k->kinds[i], k->secs[n] = k->secs[i];
			k->heads[n] = k->heads[i], k->rights[n] = k->rights[i];
			n++;
		}
	k->ncols = n;
}

/* --columns LIST: mark the columns named; a name no column answers to is
 * a usage error that lists the names. */
static int pick_cols(struct ranking *k, const char *list, unsigned char *on, kp_err *err)
{
	char *copy = strdup(list), *name, *save = NULL;
	size_t j, hit;
	int rc = 0;

	if (!copy)
		return kp_err_oom(err);
	for (name = strtok_r(copy, ",", &save); name && !rc; name = strtok_r(NULL, ",", &save)) {
		for (j = 0, hit = 0; j < k->ncols; j++)
			if (col_named(k, j, name))
				on[j] = 1, hit = 1;
		if (!hit)
			rc = kp_err_msg(err, KP_EUSAGE, KP_M_REP_NO_SUCH_COLUMN, name);
	}
	free(copy);
	return rc;
}

/* The widest the table gets over every category, with gap spaces. */
static int fit_total(struct ranking *k, size_t gap, size_t *total, kp_err *err)
{
	size_t *wc = calloc(k->ncols + 1, sizeof *wc), *wmax = calloc(k->ncols + 1, sizeof *wmax);
	size_t c, j;

	if (!wc || !wmax) {
		free(wc), free(wmax);
		return kp_err_oom(err);
	}
	for (c = 0; c < k->r->ncategories; c++) {
		struct grid g = ranking_grid(k, &k->r->categories[c]);
		k->first = k->r->categories[c].first;
		grid_widths(&g, wc, err);
		for (j = 0; j < k->ncols; j++)
			wmax[j] = wc[j] > wmax[j] ? wc[j] : wmax[j];
	}
	for (*total = 0, j = 0; j < k->ncols; j++)
		*total += wmax[j] + (j ? gap : 0);
	free(wc), free(wmax);
	return 0;
}

/* Leave out the columns of drop_order, one at a time, until the table
 * fits width; their labels go into *omitted ("单位代码、名次变化"). */
static int fit_drop(struct ranking *k, size_t width, size_t gap, char **omitted, kp_err *err)
{
	unsigned char *on = malloc(k->ncols + 1);
	size_t d, j, total;
	int rc = 0;

	if (!on)
		return kp_err_oom(err);
	for (d = 0; d < sizeof drop_order / sizeof drop_order[0] && !rc; d++) {
		if ((rc = fit_total(k, gap, &total, err)) || total <= width)
			break;
		for (j = 0; j < k->ncols; j++)
			on[j] = k->kinds[j] != drop_order[d];
		for (j = 0; j < k->ncols && on[j]; j++)
			;
		if (j == k->ncols)
			continue;
		if (!*omitted)
			*omitted = strdup(k->heads[j]);
		else {
			char *more;
			if (asprintf(&more, "%s%s%s", *omitted, k->l->list_sep, k->heads[j]) < 0)
				more = NULL;
			free(*omitted);
			*omitted = more;
		}
		if (!*omitted)
			rc = kp_err_oom(err);
		keep_cols(k, on);
	}
	free(on);
	return rc;
}

/* Number the vetoes that give a reason, in report order: their footnotes. */
static int fit_vrefs(struct ranking *k, kp_err *err)
{
	size_t i;
	int n = 0;

	k->vref = calloc(k->r->nunits + 1, sizeof *k->vref);
	if (!k->vref)
		return kp_err_oom(err);
	for (i = 0; i < k->r->nunits; i++)
		if (k->r->units[i].veto && KP_MORE(&k->r->units[i])->veto_reason && *KP_MORE(&k->r->units[i])->veto_reason)
			k->vref[i] = ++n;
	return 0;
}

/* The columns of the fitted table: short heads, --columns, and when still
 * too wide one space between columns, then fewer columns. */
static int fit_cols(struct ranking *k, const kp_report_opts *o, size_t *gap, char **omitted, kp_err *err)
{
	unsigned char *on;
	size_t total;
	int rc;

	if ((rc = fit_heads(k, o->lang, err)) || (rc = fit_vrefs(k, err)))
		return rc;
	if (o->columns) {
		if (!(on = calloc(k->ncols + 1, 1)))
			return kp_err_oom(err);
		rc = pick_cols(k, o->columns, on, err);
		if (!rc)
			keep_cols(k, on);
		free(on);
		if (rc)
			return rc;
	}
	*gap = 2;
	if (o->width <= 0 || (rc = fit_total(k, 2, &total, err)) || total <= (size_t)o->width)
		return rc;
	*gap = 1;
	if ((rc = fit_total(k, 1, &total, err)) || total <= (size_t)o->width || o->columns)
		return rc;
	return fit_drop(k, (size_t)o->width, 1, omitted, err);
}

/* "指标：一 履行第一责任人职责（15分）  二 …", wrapped at the width. */
static int fit_legend(kp_rw *w, const struct ranking *k, const kp_report_opts *o, kp_err *err)
{
	const struct fit_words *fw = fit_words(o->lang);
	size_t width = o->width > 0 ? (size_t)o->width : (size_t)-1, col = 0, j, n = 0;
	char nb[KP_NUMBUF], *e;
	const char *rest;

	for (j = 0; j < k->ncols; j++) {
		char *sh;
		if (k->kinds[j] != C_SEC)
			continue;
		if (!(sh = section_short(k->r->sections[k->secs[j]], k->secs[j], &rest)))
			return kp_err_oom(err);
		if ((kp_report_sec_points(k->r, k->secs[j], nb) ?
			     asprintf(&e, kp_report_labels(o->lang)->legend_fmt, sh, rest, nb) :
			     asprintf(&e, "%s %s", sh, rest)) < 0)
			e = NULL;
		free(sh);
		if (!e)
			return kp_err_oom(err);
		if (!n++)
			put_wrapped(w, fw->legend, width, "  ", &col);
		else if (col + 2 + text_width(e) > width)
			kp_rw_puts(w, "\n  "), col = 2;
		else
			kp_rw_puts(w, "  "), col += 2;
		put_wrapped(w, e, width, "  ", &col);
		free(e);
	}
	if (n)
		kp_rw_putc(w, '\n');
	return 0;
}

/* The notes of the commendation list, one footnote each. */
static void commend_notes(kp_rw *w, const struct commend_rows *cr, const kp_report_opts *o)
{
	size_t width = o->width > 0 ? (size_t)o->width : (size_t)-1, i, col;
	const kp_unit_result *u;
	char ref[32];

	for (i = 0; i < cr->n; i++) {
		if (!cr->ref[i])
			continue;
		u = &cr->r->units[cr->idx[i]];
		ref_text(ref, sizeof ref, "  ", kp_report_labels(o->lang), cr->ref[i]);
		col = 0;
		put_wrapped(w, ref, width, "      ", &col);
		put_wrapped(w, u->name ? u->name : u->id, width, "      ", &col);
		put_wrapped(w, fit_words(o->lang)->note_sep, width, "      ", &col);
		put_wrapped(w, commend_note(cr, i), width, "      ", &col);
		kp_rw_putc(w, '\n');
	}
}

/* The veto reasons of a category's units, one footnote each. */
static void fit_notes(kp_rw *w, const struct ranking *k, const kp_category_result *c, const kp_report_opts *o)
{
	size_t width = o->width > 0 ? (size_t)o->width : (size_t)-1, i, col;
	const kp_unit_result *u;
	char ref[32];

	for (i = c->first; i < c->first + c->count; i++) {
		if (!k->vref[i])
			continue;
		u = &k->r->units[i];
		ref_text(ref, sizeof ref, "", kp_report_labels(o->lang), k->vref[i]);
		col = 0;
		put_wrapped(w, ref, width, "    ", &col);
		put_wrapped(w, u->name ? u->name : u->id, width, "    ", &col);
		put_wrapped(w, fit_words(o->lang)->note_sep, width, "    ", &col);
		put_wrapped(w, KP_MORE(u)->veto_reason, width, "    ", &col);
		kp_rw_putc(w, '\n');
	}
}

static int table_fitted(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	struct ranking k;
	char *omitted = NULL;
	size_t c, gap = 2, col = 0;
	int rc = ranking_cols(&k, r, l, o->lang, err);

	if (rc || (rc = fit_cols(&k, o, &gap, &omitted, err)))
		goto out;
	title_line(w, r, l, "", put_plain);
	if (r->year)
		kp_rw_printf(w, l->year_fmt, r->year), kp_rw_putc(w, '\n');
	if ((rc = fit_legend(w, &k, o, err)))
		goto out;
	if (omitted) {
		char *line;
		if (asprintf(&line, fit_words(o->lang)->omitted_fmt, omitted) < 0) {
			rc = kp_err_oom(err);
			goto out;
		}
		put_wrapped(w, line, o->width > 0 ? (size_t)o->width : (size_t)-1, "  ", &col);
		kp_rw_putc(w, '\n');
		free(line);
	}
	kp_rw_putc(w, '\n');
	for (c = 0; c < r->ncategories && !rc; c++) {
		const kp_category_result *cat = &r->categories[c];
		struct grid g = ranking_grid(&k, cat);
		g.gap = gap;
		k.first = cat->first;
		category_heading(w, l, cat, o->lang, put_plain);
		kp_rw_putc(w, '\n');
		rc = grid_aligned(w, &g, o->color, err);
		fit_notes(w, &k, cat, o);
		kp_rw_putc(w, '\n');
	}
	if (!rc) {
		int next = 0;
		for (c = 0; c < r->nunits; c++)
			next = k.vref[c] > next ? k.vref[c] : next;
		rc = commend_section(w, r, o, 0, &next, err);
	}
out:
	free(omitted);
	ranking_free(&k);
	return rc;
}

int kp_report_table(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	struct ranking k;
	size_t c;
	int rc;

	if (o->width > 0 || o->columns)
		return table_fitted(r, o, w, err);
	if ((rc = ranking_cols(&k, r, l, o->lang, err)))
		return rc;
	title_line(w, r, l, "", put_plain);
	if (r->year)
		kp_rw_printf(w, l->year_fmt, r->year), kp_rw_putc(w, '\n');
	kp_rw_putc(w, '\n');
	for (c = 0; c < r->ncategories && !rc; c++) {
		const kp_category_result *cat = &r->categories[c];
		struct grid g = ranking_grid(&k, cat);
		k.first = cat->first;
		category_heading(w, l, cat, o->lang, put_plain);
		kp_rw_putc(w, '\n');
		rc = grid_aligned(w, &g, o->color, err);
		kp_rw_putc(w, '\n');
	}
	if (!rc)
		rc = commend_section(w, r, o, 0, NULL, err);
	ranking_free(&k);
	return rc;
}

int kp_report_md(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	struct ranking k;
	size_t c;
	int rc = ranking_cols(&k, r, l, o->lang, err);

	if (rc)
		return rc;
	title_line(w, r, l, "# ", put_md);
	kp_rw_putc(w, '\n');
	if (r->year) {
		kp_rw_printf(w, l->year_fmt, r->year);
		kp_rw_puts(w, "\n\n");
	}
	for (c = 0; c < r->ncategories; c++) {
		const kp_category_result *cat = &r->categories[c];
		struct grid g = ranking_grid(&k, cat);
		k.first = cat->first;
		kp_rw_puts(w, "## ");
		category_heading(w, l, cat, o->lang, put_md);
		kp_rw_puts(w, "\n\n");
		grid_md(w, &g);
		kp_rw_putc(w, '\n');
	}
	rc = commend_section(w, r, o, 1, NULL, err);
	ranking_free(&k);
	return rc;
}

/* ---------- explain ---------- */

struct items_ctx {
	const kp_result *r;
	const kp_labels *l;
	const kp_unit_result *u;
	const kp_rules *rules;  /* basis and office, or NULL */
};

static const char *item_cell(const void *ctx, size_t row, size_t col, char *buf, size_t size)
{
	const struct items_ctx *c = ctx;
	const kp_item *it = &KP_MORE(c->u)->items[row];
	int k = it->kind >= 0 && it->kind <= KP_ITEM_NOTE ? it->kind : KP_ITEM_NOTE;
	const char *basis, *office;

	(void)size;
	switch (col) {
	case 0: return c->l->kinds[k];
	case 1:
		return it->section >= 0 && (size_t)it->section < c->r->nsections ?
			       c->r->sections[it->section] : "";
	case 2: return kp_report_item_name(it, c->l);
	case 3:
		if (kp_report_item_plain(it))
			return "";
		return kp_rw_fixed(k == KP_ITEM_DEDUCTION || k == KP_ITEM_SECTION_DED ?
					       -it->points : it->points, c->r->precision, buf);
	case 4:
		if (k == KP_ITEM_VETO || k == KP_ITEM_NOTE || !(it->max > 0))
			return "";
		return kp_rw_fixed(it->max, c->r->precision, buf);
	case 5: return it->note;
	default:
		kp_report_item_texts(c->rules, it, &basis, &office);
		return col == 6 ? (basis ? basis : "") : (office ? office : "");
	}
}

static void explain_field(kp_rw *w, const char *label, const char *value, int md, int lang)
{
	kp_rw_puts(w, md ? "- **" : "");
	kp_rw_puts(w, label);
	kp_rw_puts(w, md ? "**" : "");
	kp_rw_puts(w, kp_report_labels(lang)->colon);
	if (md)
		kp_rw_md(w, value ? value : "");
	else
		put_plain(w, value ? value : "");
	kp_rw_putc(w, '\n');
}

static void explain_head(kp_rw *w, const kp_result *r, const kp_unit_result *u, const kp_labels *l,
			 int md, int lang)
{
	char buf[KP_NUMBUF + 64], nb[KP_NUMBUF];
	const char *grade = kp_report_grade(r, u);

	kp_rw_puts(w, md ? "# " : "");
	if (md) {
		kp_rw_md(w, u->id), kp_rw_putc(w, ' '), kp_rw_md(w, u->name);
	} else {
		put_plain(w, u->id), kp_rw_putc(w, ' '), put_plain(w, u->name);
	}
	kp_rw_puts(w, md ? "\n\n" : "\n");
	explain_field(w, l->category, r->categories[u->category].name, md, lang);
	explain_field(w, l->total, kp_rw_fixed(u->total, r->precision, nb), md, lang);
	snprintf(buf, sizeof buf, "%d", u->rank);
	explain_field(w, l->rank, buf, md, lang);
	explain_field(w, l->grade, grade ? grade : l->ungraded, md, lang);
	explain_field(w, l->veto, u->veto ? kp_result_veto_words(u, l->yes) : l->no,
		      md, lang);
	explain_field(w, l->commended, u->commended ? (u->boundary_tie ? l->tie_flag : l->yes) : l->no, md, lang);
	if (KP_MORE(u)->tie_note)
		explain_field(w, l->note, KP_MORE(u)->tie_note, md, lang);
	if (KP_MORE(u)->has_last) {
		explain_field(w, l->last_total, kp_rw_fixed(KP_MORE(u)->last_total, r->precision, nb), md, lang);
		if (KP_MORE(u)->has_last_rank) /* not across categories */
			explain_field(w, l->rank_change, kp_report_change(r, u, l, buf, sizeof buf), md, lang);
	}
}

static void explain_sums(kp_rw *w, const kp_result *r, const kp_unit_result *u, const kp_labels *l,
			 int md, int lang)
{
	char nb[KP_NUMBUF];

	size_t i;

	explain_field(w, l->base, kp_rw_fixed(u->base, r->precision, nb), md, lang);
	explain_field(w, l->deductions, kp_rw_fixed(u->deductions, r->precision, nb), md, lang);
	for (i = 0; i < KP_MORE(u)->nitems; i++) /* adjustments: 扣完为止 */
		if (kp_report_item_floor(&KP_MORE(u)->items[i]))
			explain_field(w, kp_report_item_name(&KP_MORE(u)->items[i], l), kp_rw_fixed(KP_MORE(u)->items[i].points, r->precision, nb), md, lang);
	explain_field(w, l->bonus, kp_rw_fixed(u->bonus, r->precision, nb), md, lang);
	explain_field(w, l->total, kp_rw_fixed(u->total, r->precision, nb), md, lang);
}

int kp_report_explain_text(const kp_result *r, size_t unit, const kp_rules *rules, const kp_report_opts *o,
			   kp_rw *w, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	const kp_unit_result *u = &r->units[unit];
	const char *head[8] = { l->kind, l->section, l->item, l->points, l->max, l->item_note, l->basis, l->office };
	static const unsigned char right[8] = { 0, 0, 0, 1, 1, 0, 0, 0 };
	struct items_ctx c = { r, l, u, rules };
	/* the columns basis and office only when the rules give some item one */
	size_t ncols = kp_report_has_texts(rules, u) ? 8 : 6;
	struct grid g = { KP_MORE(u)->items ? KP_MORE(u)->nitems : 0, ncols, head, right, item_cell, &c, "", NULL, 0 };
	int md = o->format == KP_FMT_MD, rc = 0;

	explain_head(w, r, u, l, md, o->lang);
	kp_rw_putc(w, '\n');
	if (!KP_MORE(u)->items || !KP_MORE(u)->nitems) {
		kp_rw_puts(w, l->no_items);
		kp_rw_puts(w, "\n\n");
	} else if (md) {
		grid_md(w, &g);
		kp_rw_putc(w, '\n');
	} else {
		rc = grid_aligned(w, &g, 0, err);
		kp_rw_putc(w, '\n');
	}
	explain_sums(w, r, u, l, md, o->lang);
	return rc;
}

/* ---------- plain grids ---------- */

struct plain_ctx {
	const char *const *cells;
	size_t ncols;
};

static const char *plain_cell(const void *ctx, size_t row, size_t col, char *buf, size_t size)
{
	const struct plain_ctx *p = ctx;

	(void)buf, (void)size;
	return p->cells[row * p->ncols + col];
}

int kp_report_grid_text(const char *const *header, size_t ncols, const char *const *cells,
			size_t nrows, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	struct plain_ctx p = { cells, ncols };
	struct grid g = { nrows, ncols, header, NULL, plain_cell, &p, "", NULL, 0 };

	if (o->format == KP_FMT_MD) {
		grid_md(w, &g);
		return 0;
	}
	return grid_aligned(w, &g, 0, err);
}

void kp_report_plain(kp_rw *w, const char *s)
{
	put_plain(w, s);
}
