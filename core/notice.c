/* notice.c — the commendation notice (通报表彰): parses a notice template
 * (placeholders {{name}}, blocks {{#name}}…{{/name}} and {{^name}}…{{/name}},
 * comments {{! … }}; docs/RULES.md "The notice template"), renders it for
 * a stored run into lines, and writes them as Markdown or HTML (DOCX in
 * notice_docx.c).  Owns the lines and cells it builds; the template, the
 * rules and the result are borrowed. */
#include "notice_int.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/enc.h"
#include "kaoping/infile.h"
#include "kaoping/num.h"
#include "kaoping/outfile.h"
#include "kaoping/rw.h"
#include "kaoping/sb.h"

/* A notice is a Chinese document whatever the language of messages: its
 * words are the catalogue's Chinese. */
#define NOTICE_LANG KP_LANG_ZH

/* ---------- the placeholders ---------- */

enum { V_TITLE, V_YEAR, V_OFFICE, V_BASIS, V_RUN, V_COUNTS, V_COMMENDED, V_TABLE, V_CATEGORIES,
       V_CATEGORY, V_COUNT, V_QUOTA, V_UNITS, V_NAME, V_ID, V_RANK, V_TOTAL, V_GRADE };

/* scope: 0 anywhere, 1 inside {{#categories}}, 2 inside {{#units}};
 * list: repeated as a block (categories, units) */
static const struct var { const char *name; int scope, list; } vars[] = {
	{"title", 0, 0}, {"year", 0, 0}, {"office", 0, 0}, {"basis", 0, 0}, {"run", 0, 0},
	{"count_by_category", 0, 0}, {"commended", 0, 0}, {"table", 0, 0}, {"categories", 0, 1},
	{"category", 1, 0}, {"count", 1, 0}, {"quota", 1, 0}, {"units", 1, 1},
	{"name", 2, 0}, {"id", 2, 0}, {"rank", 2, 0}, {"total", 2, 0}, {"grade", 2, 0},
};
#define NVARS (sizeof vars / sizeof vars[0])
#define MAX_DEPTH 16

int kp_notice_format(const char *name)
{
	if (!name)
		return 0;
	if (!strcmp(name, "md") || !strcmp(name, "markdown"))
		return KP_NOTICE_MD;
	if (!strcmp(name, "html"))
		return KP_NOTICE_HTML;
	if (!strcmp(name, "docx"))
		return KP_NOTICE_DOCX;
	return 0;
}

int kp_notice_read_template(const char *path, char **text, size_t *len, kp_err *err)
{
	struct stat st;
	FILE *fp = kp_infile_open(path, "a template", &st, err);
	char *buf;
	size_t n;

	if (!fp)
		return err->kind;
	if (!(buf = malloc(KP_NOTICE_TMPL_MAX + 1))) {
		fclose(fp);
		return kp_err_oom(err);
	}
	n = fread(buf, 1, KP_NOTICE_TMPL_MAX + 1, fp);
	if (ferror(fp) || n > KP_NOTICE_TMPL_MAX) {
		int rc = ferror(fp) ? kp_err_msg(err, KP_ENOINPUT, KP_M_REP_CANNOT_READ, path, strerror(errno ? errno : EIO))
				    : kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_TOO_BIG, path, KP_NOTICE_TMPL_MAX);
		fclose(fp);
		free(buf);
		return rc;
	}
	fclose(fp);
	buf[n] = '\0';
	*text = buf, *len = n;
	return 0;
}

/* ---------- parsing ---------- */

enum { N_TEXT = 1, N_VAR, N_BLOCK, N_TABLE };

typedef struct node {
	int kind, var, inverted;
	const char *s;       /* N_TEXT */
	size_t len;
	size_t end;          /* N_BLOCK: the index after its last child */
} node;

typedef struct parser {
	const char *name;    /* the template, for messages */
	const char *start, *p, *end;
	unsigned line;
	node *nodes;
	size_t n, cap;
	size_t open[MAX_DEPTH];  /* the blocks open, innermost last */
	unsigned open_line[MAX_DEPTH];
	int depth;
	int scope;           /* 0, 1 in categories, 2 in units */
	int table;           /* {{table}} was seen */
} parser;

static int add_node(parser *ps, node nd, kp_err *err)
{
	if (ps->n == ps->cap) {
		node *p = kp_grow(ps->nodes, &ps->cap, ps->n + 1, sizeof *p);
		if (!p)
			return kp_err_oom(err);
		ps->nodes = p;
	}
	ps->nodes[ps->n++] = nd;
	return 0;
}

static unsigned count_lines(const char *s, const char *e)
{
	unsigned k = 0;

	for (; s < e; s++)
		k += *s == '\n';
	return k;
}

/* The text up to the next "{{" as a text node. */
static int take_text(parser *ps, kp_err *err)
{
	const char *q = ps->p;
	node nd = {0};

	while (q < ps->end && !(q[0] == '{' && q + 1 < ps->end && q[1] == '{'))
		q++;
	if (q == ps->p)
		return 0;
	nd.kind = N_TEXT, nd.s = ps->p, nd.len = (size_t)(q - ps->p);
	ps->line += count_lines(ps->p, q);
	ps->p = q;
	return add_node(ps, nd, err);
}

/* Is the tag tag..tagend alone on its line (spaces around it only)?  Then
 * the previous text node loses the line's leading spaces and *after is
 * past the line's end. */
static int standalone(parser *ps, const char *tag, const char *tagend, const char **after)
{
	const char *b = tag, *e = tagend;

	while (b > ps->start && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	if (b > ps->start && b[-1] != '\n')
		return 0;
	while (e < ps->end && (*e == ' ' || *e == '\t' || *e == '\r'))
		e++;
	if (e < ps->end && *e != '\n')
		return 0;
	if (ps->n && ps->nodes[ps->n - 1].kind == N_TEXT && ps->nodes[ps->n - 1].s + ps->nodes[ps->n - 1].len == tag)
		ps->nodes[ps->n - 1].len -= (size_t)(tag - b);
	*after = e < ps->end ? e + 1 : e;
	return 1;
}

static int find_var(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < NVARS; i++)
		if (strlen(vars[i].name) == n && !memcmp(vars[i].name, s, n))
			return (int)i;
	return -1;
}

/* The scope the open blocks make: 1 inside categories, 2 inside units. */
static int open_scope(const parser *ps)
{
	int k, scope = 0;

	for (k = 0; k < ps->depth; k++) {
		const node *b = &ps->nodes[ps->open[k]];
		if (!b->inverted && b->var == V_CATEGORIES)
			scope = 1;
		else if (!b->inverted && b->var == V_UNITS)
			scope = 2;
	}
	return scope;
}

/* "unknown placeholder {{x}}", the name quoted as messages quote cells. */
static int unknown(const parser *ps, unsigned line, const char *name, size_t n, kp_err *err)
{
	char q[KP_ERR_QUOTE], *s = strndup(name, n);

	if (!s)
		return kp_err_oom(err);
	kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_UNKNOWN, ps->name, line, kp_err_quote(s, q));
	free(s);
	return KP_EDATA;
}

/* {{#name}} or {{^name}}: a block opens. */
static int open_block(parser *ps, int v, int inverted, unsigned line, kp_err *err)
{
	node nd = {0};

	if (v == V_TABLE)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_TABLE_BLOCK, ps->name, line);
	if (ps->depth == MAX_DEPTH)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_TOO_DEEP, ps->name, line, MAX_DEPTH);
	if (!inverted && v == V_CATEGORIES && ps->scope != 0)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_CATS_IN_CATS, ps->name, line);
	if (!inverted && v == V_UNITS && ps->scope != 1)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_UNITS_IN_UNITS, ps->name, line);
	nd.kind = N_BLOCK, nd.var = v, nd.inverted = inverted;
	ps->open[ps->depth] = ps->n;
	ps->open_line[ps->depth++] = line;
	if (add_node(ps, nd, err))
		return err->kind;
	ps->scope = open_scope(ps);
	return 0;
}

/* {{/name}}: the innermost block closes. */
static int close_block(parser *ps, int v, unsigned line, kp_err *err)
{
	node *b;

	if (!ps->depth)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_CLOSES_NONE, ps->name, line, vars[v].name);
	b = &ps->nodes[ps->open[ps->depth - 1]];
	if (b->var != v)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_CLOSES_OTHER, ps->name,
				  line, vars[v].name, b->inverted ? '^' : '#', vars[b->var].name, ps->open_line[ps->depth - 1]);
	b->end = ps->n;
	ps->depth--;
	ps->scope = open_scope(ps);
	return 0;
}

/* A placeholder used where it means nothing. */
static int check_var(const parser *ps, int v, char sigil, unsigned line, kp_err *err)
{
	static const char *const inside[] = {"", "{{#categories}}", "{{#units}}"};

	if (vars[v].scope > ps->scope)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_ONLY_INSIDE, ps->name, line,
				  vars[v].name, inside[vars[v].scope]);
	if (!sigil && v == V_CATEGORIES)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_CATS_BLOCK,
				  ps->name, line);
	return 0;
}

/* The placeholder at ps->p ("{{"). */
static int take_tag(parser *ps, kp_err *err)
{
	const char *tag = ps->p, *q = ps->p + 2, *close, *e, *after;
	unsigned line = ps->line;
	char sigil = 0;
	int v, alone;

	close = memmem(q, (size_t)(ps->end - q), "}}", 2);
	if (!close)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_OPEN_BRACES, ps->name, line);
	if (*q == '#' || *q == '^' || *q == '/' || *q == '!')
		sigil = *q++;
	while (q < close && (*q == ' ' || *q == '\t'))
		q++;
	for (e = close; e > q && (e[-1] == ' ' || e[-1] == '\t');)
		e--;
	ps->line += count_lines(tag, close);
	after = close + 2;
	alone = (sigil || (find_var(q, (size_t)(e - q)) == V_TABLE)) && standalone(ps, tag, close + 2, &after);
	ps->line += count_lines(close, after);
	ps->p = after;
	if (sigil == '!')
		return 0;
	if ((v = find_var(q, (size_t)(e - q))) < 0)
		return unknown(ps, line, q, (size_t)(e - q), err);
	if (check_var(ps, v, sigil, line, err))
		return err->kind;
	if (sigil == '#' || sigil == '^')
		return open_block(ps, v, sigil == '^', line, err);
	if (sigil == '/')
		return close_block(ps, v, line, err);
	if (v == V_TABLE && !alone)
		return kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_TABLE_ALONE, ps->name, line);
	if (v == V_TABLE && (ps->scope || ps->table))
		return ps->scope ? kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_TABLE_IN_CATS, ps->name, line)
				 : kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_TABLE_TWICE, ps->name, line);
	ps->table += v == V_TABLE;
	return add_node(ps, (node){ .kind = v == V_TABLE ? N_TABLE : N_VAR, .var = v }, err);
}

static int parse(parser *ps, kp_err *err)
{
	int rc = 0;

	while (!rc && ps->p < ps->end)
		rc = ps->p[0] == '{' && ps->p + 1 < ps->end && ps->p[1] == '{' ? take_tag(ps, err) : take_text(ps, err);
	if (!rc && ps->depth)
		rc = kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_NOT_CLOSED, ps->name,
				ps->open_line[ps->depth - 1], ps->nodes[ps->open[ps->depth - 1]].inverted ? '^' : '#',
				vars[ps->nodes[ps->open[ps->depth - 1]].var].name,
				vars[ps->nodes[ps->open[ps->depth - 1]].var].name);
	return rc;
}

/* ---------- rendering ---------- */

typedef struct render {
	const kp_rules *r;
	const kp_result *res;
	const node *nodes;
	size_t cat, unit;    /* the category and unit of the blocks around */
	kp_sb plain, md, val;
	int value_first;     /* the line began with a value (never a marker) */
	size_t bytes;        /* the text of the lines so far */
	const char *name;    /* the template, for messages */
	kp_notice *out;
	kp_err *err;
	/* the commended units, found once: every block, {{commended}} and
	 * {{units}} scanned all units again, so a template of 20,000 empty
	 * {{#categories}}{{#units}}{{/units}}{{/categories}} over 100,000
	 * units ran for minutes, writing nothing the size limit saw */
	size_t *com;         /* commended unit indexes, category by category in rank order */
	size_t *com_off;     /* per category, its start in com (ncategories + 1) */
	size_t *cats;        /* the categories with a commended unit, in order */
	size_t ncats;
} render;

/* What one pass of a repeated block costs against KP_NOTICE_OUT_MAX, as a
 * line costs its place: a block that writes nothing still takes time. */
#define STEP_COST 16u

static int add_line(kp_notice *n, int kind, const char *text, const char *md, kp_err *err)
{
	kp_notice_line *l;

	if (n->n == n->cap) {
		kp_notice_line *p = kp_grow(n->line, &n->cap, n->n + 1, sizeof *p);
		if (!p)
			return kp_err_oom(err);
		n->line = p;
	}
	l = &n->line[n->n];
	l->kind = kind;
	l->text = strdup(text);
	l->md = strdup(md);
	if (!l->text || !l->md) {
		free(l->text), free(l->md);
		return kp_err_oom(err);
	}
	n->n++;
	return 0;
}

/* The line so far becomes a title, heading, paragraph or blank line. */
static int finish_line(render *rd)
{
	const char *t, *md;
	int kind = KP_NOTICE_PARA, rc;
	size_t skip = 0, mdskip = 0;

	if ((rc = kp_sb_status(&rd->plain, rd->err)) || (rc = kp_sb_status(&rd->md, rd->err)))
		return rc;
	t = kp_sb_str(&rd->plain), md = kp_sb_str(&rd->md);
	if (!rd->value_first && !strncmp(t, "# ", 2))
		kind = KP_NOTICE_TITLE, skip = 2;
	else if (!rd->value_first && !strncmp(t, "## ", 3))
		kind = KP_NOTICE_HEADING, skip = 3;
	else if (!rd->value_first && !strncmp(t, ">> ", 3))
		kind = KP_NOTICE_RIGHT, skip = mdskip = 3;
	else if (t[strspn(t, " \t\r")] == '\0')
		kind = KP_NOTICE_BLANK;
	/* a line costs its place too: a block repeating blank lines adds no
	 * text, yet millions of them took gigabytes and minutes */
	rd->bytes += strlen(t) + strlen(md) + sizeof(kp_notice_line);
	rc = add_line(rd->out, kind, t + skip, md + mdskip, rd->err);
	kp_sb_reset(&rd->plain), kp_sb_reset(&rd->md);
	rd->value_first = 0;
	return rc;
}

/* The notice so far over KP_NOTICE_OUT_MAX: the template repeats too much. */
static int too_big(render *rd)
{
	if (rd->bytes + rd->plain.len + rd->md.len > KP_NOTICE_OUT_MAX)
		return kp_err_msg(rd->err, KP_EDATA, KP_M_REP_NOTICE_TOO_BIG, rd->name, KP_NOTICE_OUT_MAX >> 20);
	return 0;
}

/* Template text: line ends (LF or CRLF) finish lines. */
static int put_text(render *rd, const char *s, size_t n)
{
	const char *nl;
	int rc = 0;

	while (n && !rc && !(rc = too_big(rd))) {
		size_t k = (nl = memchr(s, '\n', n)) ? (size_t)(nl - s) : n;
		int w = (int)(nl && k && s[k - 1] == '\r' ? k - 1 : k); /* a CRLF line (Notepad) ends as LF */
		kp_sb_printf(&rd->plain, "%.*s", w, s);
		kp_sb_printf(&rd->md, "%.*s", w, s);
		if (nl)
			rc = finish_line(rd), k++;
		s += k, n -= k;
	}
	return rc;
}

/* How a value's character c is written in Markdown (NULL: as it is). */
static const char *md_escape(unsigned char c)
{
	switch (c) {
	case '\\': return "\\\\";
	case '`': return "\\`";
	case '*': return "\\*";
	case '_': return "\\_";
	case '[': return "\\[";
	case ']': return "\\]";
	case '#': return "\\#";
	case '|': return "\\|";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '&': return "&amp;";
	default: return c < 0x20 || c == 0x7f ? " " : NULL;
	}
}

/* A value that starts a Markdown line: what would make the line a list
 * item, a rule, a setext underline or a fence ("- ", "+ ", "1. ", "2) ",
 * "---", "===", "~~~") gets a backslash before its marker. */
static const char *md_line_start(render *rd, const char *v)
{
	size_t k = strspn(v, "0123456789");

	if (rd->md.len && kp_sb_str(&rd->md)[strspn(kp_sb_str(&rd->md), " \t")] != '\0')
		return v; /* not at the line's start */
	if (*v == '-' || *v == '+' || *v == '=' || *v == '~')
		k = 0;
	else if (!(k > 0 && k <= 9 && (v[k] == '.' || v[k] == ')')))
		return v;
	kp_sb_printf(&rd->plain, "%.*s%c", (int)k, v, v[k]);
	kp_sb_printf(&rd->md, "%.*s\\%c", (int)k, v, v[k]);
	return v + k + 1;
}

/* A value: control characters (line ends too) become spaces; in the
 * Markdown, the characters Markdown reads are escaped. */
static void put_value(render *rd, const char *v)
{
	const char *run, *p, *e;

	if (!rd->plain.len && !rd->md.len)
		rd->value_first = 1;
	run = v = md_line_start(rd, v);
	for (p = v;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c && !(e = md_escape(c)))
			continue;
		kp_sb_printf(&rd->plain, "%.*s", (int)(p - run), run);
		kp_sb_printf(&rd->md, "%.*s", (int)(p - run), run);
		if (!c)
			break;
		kp_sb_printf(&rd->plain, "%c", c < 0x20 || c == 0x7f ? ' ' : (char)c);
		kp_sb_puts(&rd->md, e);
		run = p + 1;
	}
}

/* Commended units of category c. */
static int commended_in(const render *rd, size_t c)
{
	return (int)(rd->com_off[c + 1] - rd->com_off[c]);
}

/* The commended units, category by category (rd->com, com_off, cats). */
static int find_commended(render *rd)
{
	const kp_result *res = rd->res;
	size_t c, i, n = 0;

	rd->com = calloc(res->nunits + 1, sizeof *rd->com);
	rd->com_off = calloc(res->ncategories + 1, sizeof *rd->com_off);
	rd->cats = calloc(res->ncategories + 1, sizeof *rd->cats);
	if (!rd->com || !rd->com_off || !rd->cats)
		return kp_err_oom(rd->err);
	for (c = 0; c < res->ncategories; c++) {
		const kp_category_result *k = &res->categories[c];
		for (i = k->first; i < k->first + k->count && i < res->nunits && n < res->nunits; i++)
			if (res->units[i].commended)
				rd->com[n++] = i;
		rd->com_off[c + 1] = n;
		if (n > rd->com_off[c])
			rd->cats[rd->ncats++] = c;
	}
	return 0;
}

/* "2个镇、9个部门" */
static void counts_words(const render *rd, kp_sb *out)
{
	size_t j;

	for (j = 0; j < rd->ncats; j++)
		kp_sb_printf(out, kp_msg_text(KP_MSG_REP_NOTICE_COUNT, NOTICE_LANG), j ? kp_msg_text(KP_MSG_REP_L_LIST_SEP, NOTICE_LANG) : "",
			     commended_in(rd, rd->cats[j]), rd->res->categories[rd->cats[j]].name);
}

/* "城关镇、东风镇": the commended units of category c, in rank order. */
static void unit_names(const render *rd, size_t c, kp_sb *out)
{
	size_t j;

	for (j = rd->com_off[c]; j < rd->com_off[c + 1]; j++)
		kp_sb_printf(out, "%s%s", j > rd->com_off[c] ? kp_msg_text(KP_MSG_REP_L_LIST_SEP, NOTICE_LANG) : "",
			     rd->res->units[rd->com[j]].name);
}

/* The value of a placeholder, into rd->val. */
static void value_of(render *rd, int v)
{
	const kp_result *res = rd->res;
	const kp_unit_result *u = &res->units[rd->unit < res->nunits ? rd->unit : 0];
	char buf[KP_NUM_MAX];
	kp_sb *o = &rd->val;

	kp_sb_reset(o);
	switch (v) {
	case V_TITLE: kp_sb_puts(o, res->title ? res->title : ""); break;
	case V_YEAR: kp_sb_printf(o, "%d", res->year); break;
	case V_OFFICE: kp_sb_puts(o, rd->r->office ? rd->r->office : ""); break;
	case V_BASIS: kp_sb_puts(o, rd->r->basis ? rd->r->basis : ""); break;
	case V_RUN: kp_sb_printf(o, "%ld", res->run_id); break;
	case V_COUNTS: counts_words(rd, o); break;
	case V_COMMENDED: kp_sb_printf(o, "%zu", rd->com_off[res->ncategories]); break;
	case V_CATEGORY: kp_sb_puts(o, res->categories[rd->cat].name); break;
	case V_COUNT: kp_sb_printf(o, "%d", commended_in(rd, rd->cat)); break;
	case V_QUOTA: kp_sb_printf(o, "%d", res->categories[rd->cat].quota); break;
	case V_UNITS: unit_names(rd, rd->cat, o); break;
	case V_NAME: kp_sb_puts(o, u->name ? u->name : ""); break;
	case V_ID: kp_sb_puts(o, u->id ? u->id : ""); break;
	case V_RANK: kp_sb_printf(o, "%d", u->rank); break;
	case V_TOTAL: kp_sb_puts(o, kp_num_fixed(u->total, res->precision, buf, sizeof buf) ? buf : ""); break;
	case V_GRADE: kp_sb_puts(o, u->grade >= 0 && (size_t)u->grade < res->ngrades ? res->grades[u->grade] : ""); break;
	default: break;
	}
}

static int render_range(render *rd, size_t first, size_t end);

/* A block over categories or units: its body once per commended one. */
static int render_list(render *rd, const node *b, size_t first)
{
	size_t j, cat = rd->cat;
	int rc = 0;

	if (b->var == V_UNITS) {
		for (j = rd->com_off[cat]; j < rd->com_off[cat + 1] && !rc; j++) {
			rd->bytes += STEP_COST;
			if (!(rc = too_big(rd)))
				rd->unit = rd->com[j], rc = render_range(rd, first, b->end);
		}
		return rc;
	}
	for (j = 0; j < rd->ncats && !rc; j++) {
		rd->bytes += STEP_COST;
		if (!(rc = too_big(rd)))
			rd->cat = rd->cats[j], rc = render_range(rd, first, b->end);
	}
	rd->cat = cat;
	return rc;
}

/* Is the block's condition met: a list with a commended member, a value
 * that is neither empty nor 0. */
static int truthy(render *rd, int v)
{
	const char *s;

	if (v == V_CATEGORIES) {
		value_of(rd, V_COMMENDED);
		return strcmp(kp_sb_str(&rd->val), "0") != 0;
	}
	value_of(rd, v == V_UNITS ? V_COUNT : v);
	/* the value is built, written or not: 20,000 {{#count_by_category}}
	 * blocks over 20,000 categories ran for a minute, writing nothing */
	rd->bytes += STEP_COST + rd->val.len;
	s = kp_sb_str(&rd->val);
	return s[0] && strcmp(s, "0") != 0;
}

static int render_node(render *rd, size_t i, size_t *next)
{
	const node *nd = &rd->nodes[i];

	*next = i + 1;
	if (too_big(rd))
		return rd->err->kind;
	switch (nd->kind) {
	case N_TEXT: return put_text(rd, nd->s, nd->len);
	case N_VAR:
		value_of(rd, nd->var);
		put_value(rd, kp_sb_str(&rd->val));
		return kp_sb_status(&rd->val, rd->err);
	case N_TABLE: return add_line(rd->out, KP_NOTICE_TABLE, "", "", rd->err);
	default:
		*next = nd->end;
		if (!nd->inverted && vars[nd->var].list)
			return render_list(rd, nd, i + 1);
		if (truthy(rd, nd->var) != !nd->inverted)
			return 0;
		return render_range(rd, i + 1, nd->end);
	}
}

static int render_range(render *rd, size_t first, size_t end)
{
	size_t i = first;
	int rc = 0;

	while (i < end && !rc)
		rc = render_node(rd, i, &i);
	return rc;
}

/* ---------- the table of commended units ---------- */

/* Row k of the table: the cells of unit u (NULL: the header). */
static int table_row(kp_notice *n, size_t k, const kp_result *res, const kp_unit_result *u)
{
	static const enum kp_msgid head[] = {KP_MSG_REP_NOTICE_CATEGORY, KP_MSG_REP_NOTICE_RANK, KP_MSG_REP_NOTICE_UNIT,
					     KP_MSG_REP_NOTICE_TOTAL, KP_MSG_REP_NOTICE_GRADE};
	char buf[KP_NUM_MAX], rank[24];
	const char *row[5];
	size_t j;

	if (!u) {
		for (j = 0; j < 5; j++)
			row[j] = kp_msg_text(head[j], NOTICE_LANG);
	} else {
		snprintf(rank, sizeof rank, "%d", u->rank);
		row[0] = res->categories[u->category].name, row[1] = rank, row[2] = u->name ? u->name : "";
		row[3] = kp_num_fixed(u->total, res->precision, buf, sizeof buf) ? buf : "";
		row[4] = u->grade >= 0 && (size_t)u->grade < res->ngrades ? res->grades[u->grade] : "";
	}
	for (j = 0; j < n->ncols; j++)
		if (!(n->cells[k * n->ncols + j] = strdup(row[j] ? row[j] : "")))
			return -1;
	return 0;
}

/* 类别, 名次, 单位, 总分 (and 等次 when the rules grade) of every
 * commended unit, category by category in rank order. */
static int build_table(kp_notice *n, const kp_result *res, kp_err *err)
{
	size_t i, k = 0, rows = 1;

	for (i = 0; i < res->nunits; i++)
		rows += res->units[i].commended && (size_t)res->units[i].category < res->ncategories;
	n->ncols = res->ngrades ? 5 : 4;
	if (!(n->cells = calloc(rows * n->ncols, sizeof *n->cells)))
		return kp_err_oom(err);
	n->nrows = rows;
	if (table_row(n, k++, res, NULL))
		return kp_err_oom(err);
	for (i = 0; i < res->nunits; i++)
		if (res->units[i].commended && (size_t)res->units[i].category < res->ncategories &&
		    table_row(n, k++, res, &res->units[i]))
			return kp_err_oom(err);
	return 0;
}

/* A template is UTF-8 text: no NUL byte, no other encoding. */
static int check_text(const char *t, size_t len, const char *name, kp_err *err)
{
	size_t ok = kp_enc_utf8_valid((const unsigned char *)t, len), nul;
	const char *z = memchr(t, '\0', len);

	nul = z ? (size_t)(z - t) : len;
	if (ok < len || nul < len) {
		unsigned line = count_lines(t, t + (ok < nul ? ok : nul)) + 1;
		return nul <= ok ? kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_NUL, name, line)
				 : kp_err_msg(err, KP_EDATA, KP_M_REP_TMPL_NOT_UTF8, name, line);
	}
	return 0;
}

int kp_notice_render(const char *tmpl, size_t len, const char *name, const kp_rules *r, const kp_result *res,
		     kp_notice *out, kp_err *err)
{
	parser ps;
	render rd;
	int rc;

	if (len >= 3 && !memcmp(tmpl, "\xEF\xBB\xBF", 3)) /* Notepad's BOM */
		tmpl += 3, len -= 3;
	if ((rc = check_text(tmpl, len, name, err)))
		return rc;
	memset(&ps, 0, sizeof ps);
	ps.name = name, ps.start = ps.p = tmpl, ps.end = tmpl + len, ps.line = 1;
	if ((rc = parse(&ps, err)) || (rc = build_table(out, res, err))) {
		free(ps.nodes);
		return rc;
	}
	memset(&rd, 0, sizeof rd);
	rd.r = r, rd.res = res, rd.nodes = ps.nodes, rd.out = out, rd.err = err, rd.name = name;
	if (!(rc = find_commended(&rd)))
		rc = render_range(&rd, 0, ps.n);
	if (!rc && (kp_sb_str(&rd.plain)[0] || kp_sb_str(&rd.md)[0]))
		rc = finish_line(&rd);
	kp_sb_free(&rd.plain), kp_sb_free(&rd.md), kp_sb_free(&rd.val);
	free(rd.com), free(rd.com_off), free(rd.cats);
	free(ps.nodes);
	return rc;
}

void kp_notice_free(kp_notice *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		free(n->line[i].text), free(n->line[i].md);
	for (i = 0; n->cells && i < n->nrows * n->ncols; i++)
		free(n->cells[i]);
	free(n->line);
	free(n->cells);
	memset(n, 0, sizeof *n);
}

/* ---------- Markdown and HTML ---------- */

static void md_table(const kp_notice *n, kp_rw *w)
{
	size_t i, j;

	for (i = 0; i < n->nrows; i++) {
		for (j = 0; j < n->ncols; j++) {
			kp_rw_puts(w, j ? " | " : "| ");
			kp_rw_md(w, n->cells[i * n->ncols + j]);
		}
		kp_rw_puts(w, " |\n");
		for (j = 0; !i && j < n->ncols; j++)
			kp_rw_puts(w, j ? " | ---" : "| ---");
		if (!i)
			kp_rw_puts(w, " |\n");
	}
}

static void write_md(const kp_notice *n, kp_rw *w)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		if (n->line[i].kind == KP_NOTICE_TABLE) {
			md_table(n, w);
			continue;
		}
		kp_rw_puts(w, n->line[i].md);
		kp_rw_putc(w, '\n');
	}
}

/* A4, the fonts of a government document: 方正小标宋/宋体 title, 仿宋 text. */
static const char html_css[] =
	"@page { size: A4; margin: 37mm 26mm 35mm 28mm; }\n"
	"body { font-family: \"FangSong\", \"仿宋\", \"仿宋_GB2312\", \"STFangsong\", \"Noto Serif CJK SC\", serif;\n"
	"  font-size: 16pt; line-height: 1.75; color: #000; background: #fff; max-width: 156mm; margin: 0 auto; }\n"
	"h1 { font-family: \"方正小标宋简体\", \"SimSun\", \"宋体\", \"Noto Serif CJK SC\", serif; font-size: 22pt;\n"
	"  font-weight: normal; text-align: center; margin: 0 0 8mm; }\n"
	"h2 { font-family: \"SimHei\", \"黑体\", \"Noto Sans CJK SC\", sans-serif; font-size: 16pt; font-weight: normal;\n"
	"  margin: 4mm 0 2mm; }\n"
	"p { text-indent: 2em; margin: 0; text-align: justify; }\n"
	"p.right { text-indent: 0; text-align: right; padding-right: 4em; }\n"
	"table { border-collapse: collapse; width: 100%; font-size: 14pt; margin: 3mm 0; }\n"
	"th, td { border: 0.6pt solid #000; padding: 1mm 2mm; text-align: center; }\n"
	"thead { display: table-header-group; }\n"
	"tr { break-inside: avoid; page-break-inside: avoid; }\n";

static void html_table(const kp_notice *n, kp_rw *w)
{
	size_t i, j;

	kp_rw_puts(w, "<table>\n<thead><tr>");
	for (j = 0; j < n->ncols; j++) {
		kp_rw_puts(w, "<th>");
		kp_rw_html(w, n->cells[j]);
		kp_rw_puts(w, "</th>");
	}
	kp_rw_puts(w, "</tr></thead>\n<tbody>\n");
	for (i = 1; i < n->nrows; i++) {
		kp_rw_puts(w, "<tr>");
		for (j = 0; j < n->ncols; j++) {
			kp_rw_puts(w, "<td>");
			kp_rw_html(w, n->cells[i * n->ncols + j]);
			kp_rw_puts(w, "</td>");
		}
		kp_rw_puts(w, "</tr>\n");
	}
	kp_rw_puts(w, "</tbody>\n</table>\n");
}

/* The title of the page: the notice's first title line. */
static const char *first_title(const kp_notice *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (n->line[i].kind == KP_NOTICE_TITLE)
			return n->line[i].text;
	return kp_msg_text(KP_MSG_REP_NOTICE_TITLE, NOTICE_LANG);
}

static void write_html(const kp_notice *n, kp_rw *w)
{
	static const char *const open[] = {"", "<h1>", "<h2>", "<p>", "", "", "<p class=\"right\">"};
	static const char *const close[] = {"", "</h1>", "</h2>", "</p>", "", "", "</p>"};
	size_t i;

	kp_rw_puts(w, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	kp_rw_html(w, first_title(n));
	kp_rw_printf(w, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_css);
	for (i = 0; i < n->n; i++) {
		const kp_notice_line *l = &n->line[i];
		if (l->kind == KP_NOTICE_TABLE)
			html_table(n, w);
		if (l->kind == KP_NOTICE_TABLE || l->kind == KP_NOTICE_BLANK)
			continue;
		kp_rw_puts(w, open[l->kind]);
		kp_rw_html(w, l->text);
		kp_rw_puts(w, close[l->kind]);
		kp_rw_putc(w, '\n');
	}
	kp_rw_puts(w, "</body>\n</html>\n");
}

static int write_text(const kp_notice *n, int format, FILE *fp, const char *name, kp_err *err)
{
	kp_rw w;
	int rc, e;

	if ((rc = kp_rw_open(&w, fp, err)))
		return rc;
	if (format == KP_NOTICE_HTML)
		write_html(n, &w);
	else
		write_md(n, &w);
	if ((e = kp_rw_close(&w)))
		return kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, name, strerror(e));
	return 0;
}

int kp_notice_write(const kp_notice *n, int format, const char *path, FILE *out, kp_err *err)
{
	const char *name = path ? path : kp_msg_fmt(KP_MSG_REP_STDOUT);
	kp_outfile *of = NULL;
	FILE *fp = out;
	int rc;

	if (path) {
		if ((rc = kp_outfile_open(path, &of, err)))
			return rc;
		fp = kp_outfile_fp(of);
	} else if (!out) {
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_NOTICE_NO_STREAM);
	}
	rc = format == KP_NOTICE_DOCX ? kp_notice_docx(n, fp, name, err) : write_text(n, format, fp, name, err);
	if (of && rc)
		kp_outfile_abort(of);
	if (of)
		return rc ? rc : kp_outfile_commit(of, err);
	errno = 0;
	if (!rc && (fflush(out) != 0 || ferror(out)))
		rc = kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, name, strerror(errno ? errno : EIO));
	return rc;
}
