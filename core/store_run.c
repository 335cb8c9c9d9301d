/* store_run.c — the results layout (schema 2, see store.h): a run written
 * at close to the speed SQLite inserts, read back one unit (explain) or
 * without details (report, last year) as asked.
 *
 *   results     one row per unit, in report order (PRIMARY KEY run_id,
 *               position), its section points as a JSON array; found by
 *               unit id through results_unit
 *   unit_items  one row per unit in the order it was scored: its items as a
 *               JSON array of [item, points, note, "values"(, skipped)]
 *   run_items   the run's items (kind, section, name, full points): "item"
 *   run_notes   note templates: the note's text with "{}" for each number
 *               that differs between units ("{{" is a brace), filled in
 *               order with the space-separated "values"
 *   views points and section_points show them as rows, as schema 1 had them.
 *
 * Notes are cut into text and numbers as they are written: the template is
 * learnt per item by comparing a note with the previous one of the same
 * item, so that constant text and numbers stay in the template.  Rendering
 * a template with its values gives back the note byte for byte (checked by
 * construction: a note that does not match its item's template makes a new
 * one).  Owns the writer between kp_store_run_begin and finish/abort. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"
#include "store_int.h"

static const char *const item_kinds[] = {"indicator", "section_deduction", "deduction", "bonus", "veto", "note"};
#define NKINDS (sizeof item_kinds / sizeof *item_kinds)

/* ---- a growing text buffer ---- */

typedef struct buf {
	char *p;
	size_t n, cap;
	int oom;
} buf;

/* Room for n more bytes at the end of b (and its NUL): where to write
 * them, or NULL when memory ran out (b->oom set).  The caller adds what it
 * wrote to b->n. */
static char *buf_room(buf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap < b->n + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->oom = 1;
			return NULL;
		}
		b->p = p, b->cap = cap;
	}
	return b->p + b->n;
}

static void buf_add(buf *b, const char *s, size_t n)
{
	char *p = buf_room(b, n);

	if (!p)
		return;
	memcpy(p, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* Text that reads back as exactly v (kp_num_exact: printf-free for the
 * values scores take). */
static void buf_num(buf *b, double v)
{
	char t[32];

	kp_num_exact(v, t, sizeof t);
	buf_add(b, t, strlen(t));
}

/* ---- notes: text and numbers ---- */

typedef struct ntok { size_t off, len; } ntok;

static int word_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.';
}

static int digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Does a word start with a digit at t + i (a number, or text like "2nd")? */
static int digit_word_at(const char *t, size_t i)
{
	return digit((unsigned char)t[i]) && !(i > 0 && word_char((unsigned char)t[i - 1]));
}

/* The length of the number that starts at t + i, 0 when none does: digits
 * with an optional fraction, not part of a word ("i01", "2nd" and "1.2.3"
 * are text).  t ends with a NUL. */
static size_t num_at(const char *t, size_t i)
{
	size_t j = i;

	if (!digit_word_at(t, i))
		return 0;
	while (digit((unsigned char)t[j]))
		j++;
	if (t[j] == '.' && digit((unsigned char)t[j + 1]))
		for (j++; digit((unsigned char)t[j]); j++)
			;
	return word_char((unsigned char)t[j]) ? 0 : j - i;
}

/* The numbers of a note (num_at), t[len] its NUL.  *tok grows as needed;
 * returns the count, or (size_t)-1 out of memory. */
static size_t tokenize(const char *t, size_t len, ntok **tok, size_t *cap)
{
	size_t i = 0, n = 0, k;

	while (i < len) {
		if (!(k = num_at(t, i))) {
			if (digit_word_at(t, i))
				while (i < len && word_char((unsigned char)t[i]))
					i++; /* a word that starts with a digit */
			else
				i++;
			continue;
		}
		if (n == *cap) {
			ntok *p = realloc(*tok, (*cap = *cap ? *cap * 2 : 16) * sizeof *p);
			if (!p)
				return (size_t)-1;
			*tok = p;
		}
		(*tok)[n].off = i, (*tok)[n++].len = k;
		i += k;
	}
	return n;
}

/* A template as tpl_match reads it: runs of text (their bytes in lit, a
 * "{{" already one brace) and slots, a number each. */
typedef struct tseg { size_t len; int slot; } tseg;

typedef struct ctpl {
	tseg *seg;
	size_t nseg;
	char *lit;
} ctpl;

static void ctpl_free(ctpl *c)
{
	free(c->seg), free(c->lit);
	c->seg = NULL, c->lit = NULL, c->nseg = 0;
}

/* Template text tpl compiled into *c (what it held is freed); -1 out of
 * memory (c is then empty). */
static int ctpl_make(ctpl *c, const char *tpl)
{
	size_t n = strlen(tpl);
	char *q;

	ctpl_free(c);
	c->seg = malloc((n + 1) * sizeof *c->seg);
	q = c->lit = malloc(n + 1);
	if (!c->seg || !c->lit) {
		ctpl_free(c);
		return -1;
	}
	while (*tpl) {
		const char *from = q;
		if (tpl[0] == '{' && tpl[1] == '}') {
			c->seg[c->nseg].slot = 1, c->seg[c->nseg++].len = 0;
			tpl += 2;
			continue;
		}
		while (*tpl && !(tpl[0] == '{' && tpl[1] == '}')) {
			*q++ = *tpl;
			tpl += tpl[0] == '{' && tpl[1] == '{' ? 2 : 1;
		}
		c->seg[c->nseg].slot = 0, c->seg[c->nseg++].len = (size_t)(q - from);
	}
	return 0;
}

/* Does note (len bytes) fit template c?  Appends the values of its slots
 * to vals when it does. */
static int tpl_match(const ctpl *c, const char *note, size_t len, buf *vals)
{
	const char *lit = c->lit;
	size_t pos = 0, k, start = vals->n;

	for (k = 0; k < c->nseg; k++) {
		size_t n = c->seg[k].len;
		if (!c->seg[k].slot) {
			if (n > len - pos || memcmp(note + pos, lit, n))
				goto no;
			lit += n;
		} else {
			if (!(n = num_at(note, pos)))
				goto no;
			if (vals->n > start)
				buf_add(vals, " ", 1);
			buf_add(vals, note + pos, n);
		}
		pos += n;
	}
	if (pos == len)
		return 1;
no:
	vals->n = start;
	if (vals->p)
		vals->p[start] = '\0';
	return 0;
}

/* A template for note: its numbers become slots, except those equal to the
 * same number of prev (a note of the same shape) which stay text unless
 * mask (one per number of prev, updated) says they varied before. */
static void tpl_make(buf *out, const char *note, const ntok *tok, size_t n, const char *prev, const ntok *ptok,
		     size_t pn, unsigned char *mask)
{
	size_t pos = 0, k;
	int same_shape = prev && pn == n;

	for (k = 0; same_shape && k <= n; k++) { /* the text between the numbers */
		size_t a = k ? tok[k - 1].off + tok[k - 1].len : 0, b = k < n ? tok[k].off : strlen(note);
		size_t pa = k ? ptok[k - 1].off + ptok[k - 1].len : 0, pb = k < n ? ptok[k].off : strlen(prev);
		same_shape = b - a == pb - pa && !memcmp(note + a, prev + pa, b - a);
	}
	for (k = 0; k <= n; k++) {
		size_t end = k < n ? tok[k].off : strlen(note);
		for (; pos < end; pos++)
			buf_add(out, note[pos] == '{' ? "{{" : note + pos, note[pos] == '{' ? 2 : 1);
		if (k == n)
			break;
		if (same_shape && !mask[k] && tok[k].len == ptok[k].len &&
		    !memcmp(note + tok[k].off, prev + ptok[k].off, tok[k].len)) {
			buf_add(out, note + tok[k].off, tok[k].len);
		} else {
			buf_add(out, "{}", 2);
			if (same_shape)
				mask[k] = 1;
		}
		pos += tok[k].len;
	}
}

/* Render a template with its values (vals[0..nv)) into out; -1 when they
 * do not fit (a database changed outside kaoping). */
static int tpl_render(buf *out, const char *tpl, const char *vals, size_t nv)
{
	const char *end = vals + nv;

	while (*tpl) {
		if (tpl[0] == '{' && tpl[1] == '}') {
			const char *sp = memchr(vals, ' ', (size_t)(end - vals));
			size_t n = (size_t)((sp ? sp : end) - vals);
			if (n == 0)
				return -1;
			buf_add(out, vals, n);
			vals += n + (sp != NULL);
			tpl += 2;
		} else if (tpl[0] == '{' && tpl[1] == '{') {
			buf_add(out, "{", 1), tpl += 2;
		} else if (tpl[0] == '{') {
			return -1;
		} else {
			size_t n = strcspn(tpl, "{");
			buf_add(out, tpl, n), tpl += n;
		}
	}
	return vals == end ? 0 : -1;
}

/* ---- writing a run ---- */

typedef struct cat_item {      /* one of the run's items (run_items) */
	int kind, section;
	const char *name;      /* borrowed from the rules */
	double max;
	long tpl;              /* its current note template, 0 when none */
	const char *tpl_text;  /* its text (owned by the template table) */
	ctpl match;            /* that text compiled */
	char *prev;            /* its previous note (malloc'd) */
	ntok *ptok;
	unsigned char *mask;   /* per number of prev: it varied */
	size_t pn;
	int provisional;       /* the template came from one note: refine it */
} cat_item;

typedef struct tpl_ent { char *text; long id; } tpl_ent;

struct store_run {
	sqlite3_stmt *ins_items, *ins_note;
	cat_item *cat;
	size_t ncat, capcat;
	size_t *hint;          /* per item index of a unit: its catalogue entry last time */
	size_t nhint;
	tpl_ent *tpl;          /* open addressing, by text */
	size_t ntpl, captpl;
	const char **scored;   /* unit id of each scored unit (borrowed) */
	size_t nscored, capscored;
	buf json, vals, tmp;
	ntok *tok;
	size_t captok;
};

void store_run_free(kp_store *s)
{
	struct store_run *w = s->run;
	size_t i;

	if (!w)
		return;
	sqlite3_finalize(w->ins_items);
	sqlite3_finalize(w->ins_note);
	for (i = 0; i < w->ncat; i++)
		free(w->cat[i].prev), free(w->cat[i].ptok), free(w->cat[i].mask), ctpl_free(&w->cat[i].match);
	for (i = 0; i < w->captpl; i++)
		free(w->tpl[i].text);
	free(w->cat), free(w->hint), free(w->tpl), free(w->scored);
	free(w->json.p), free(w->vals.p), free(w->tmp.p), free(w->tok);
	free(w);
	s->run = NULL;
}

static int run_writer_new(kp_store *s, kp_err *err)
{
	struct store_run *w = calloc(1, sizeof *w);
	int rc;

	if (!w)
		return kp_err_oom(err);
	s->run = w;
	if ((rc = store_prep(s, "INSERT INTO unit_items(run_id, scored, items) VALUES(?, ?, ?)", &w->ins_items, err)) ||
	    (rc = store_prep(s, "INSERT INTO run_notes(run_id, id, template) VALUES(?, ?, ?)", &w->ins_note, err)))
		return rc;
	return 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The id of a template, written to run_notes when it is new; *stored is
 * its text as the table keeps it. */
static int tpl_id(kp_store *s, const char *text, long *id, const char **stored, kp_err *err)
{
	struct store_run *w = s->run;
	size_t i;
	int rc;

	if (2 * (w->ntpl + 1) > w->captpl) {
		size_t cap = w->captpl ? w->captpl * 2 : 64, k;
		tpl_ent *t = calloc(cap, sizeof *t);
		if (!t)
			return kp_err_oom(err);
		for (k = 0; k < w->captpl; k++)
			if (w->tpl[k].text) {
				for (i = hash_str(w->tpl[k].text) & (cap - 1); t[i].text; i = (i + 1) & (cap - 1))
					;
				t[i] = w->tpl[k];
			}
		free(w->tpl);
		w->tpl = t, w->captpl = cap;
	}
	for (i = hash_str(text) & (w->captpl - 1); w->tpl[i].text; i = (i + 1) & (w->captpl - 1))
		if (!strcmp(w->tpl[i].text, text)) {
			*id = w->tpl[i].id, *stored = w->tpl[i].text;
			return 0;
		}
	if (!(w->tpl[i].text = strdup(text)))
		return kp_err_oom(err);
	*stored = w->tpl[i].text;
	*id = w->tpl[i].id = (long)++w->ntpl;
	sqlite3_bind_int64(w->ins_note, 1, s->run_id);
	sqlite3_bind_int64(w->ins_note, 2, *id);
	sqlite3_bind_text(w->ins_note, 3, text, -1, SQLITE_STATIC);
	rc = store_step_done(s, w->ins_note, err);
	return rc;
}

/* The catalogue entry of item i of a unit (added when new). */
static int cat_find(struct store_run *w, size_t i, const kp_item *it, size_t *out, kp_err *err)
{
	size_t k;

	if (i >= w->nhint) {
		size_t *p = realloc(w->hint, (i + 1) * 2 * sizeof *p);
		if (!p)
			return kp_err_oom(err);
		memset(p + w->nhint, 0, ((i + 1) * 2 - w->nhint) * sizeof *p);
		w->hint = p, w->nhint = (i + 1) * 2;
	}
	for (k = 0; k < w->ncat + 1; k++) {
		size_t c = k == 0 ? w->hint[i] : k - 1;
		const cat_item *e = &w->cat[c];
		if (c < w->ncat && e->kind == it->kind && e->section == it->section && e->max == it->max &&
		    (e->name == it->name || !strcmp(e->name, it->name))) {
			*out = w->hint[i] = c;
			return 0;
		}
	}
	if (w->ncat == w->capcat) {
		cat_item *p = realloc(w->cat, (w->capcat = w->capcat ? w->capcat * 2 : 32) * sizeof *p);
		if (!p)
			return kp_err_oom(err);
		w->cat = p;
	}
	memset(&w->cat[w->ncat], 0, sizeof *w->cat);
	w->cat[w->ncat].kind = it->kind, w->cat[w->ncat].section = it->section;
	w->cat[w->ncat].name = it->name, w->cat[w->ncat].max = it->max;
	*out = w->hint[i] = w->ncat++;
	return 0;
}

/* The note of an item as a template id and its values (into w->vals).
 * A note that does not fit the item's template makes a new one: against
 * the item's first note of the same shape, numbers that ever differed
 * become slots. */
static int note_encode(kp_store *s, cat_item *c, const char *note, long *id, kp_err *err)
{
	struct store_run *w = s->run;
	size_t len = strlen(note), n;
	long was = c->tpl;
	int rc;

	w->vals.n = 0;
	if (c->tpl && !c->provisional && tpl_match(&c->match, note, len, &w->vals)) {
		*id = c->tpl;
		return w->vals.oom ? kp_err_oom(err) : 0;
	}
	if ((n = tokenize(note, len, &w->tok, &w->captok)) == (size_t)-1)
		return kp_err_oom(err);
	if (c->prev && c->pn != n) /* another shape: start afresh */
		free(c->prev), free(c->ptok), free(c->mask), c->prev = NULL, c->ptok = NULL, c->mask = NULL, c->pn = 0;
	c->provisional = !c->prev;
	w->tmp.n = 0;
	buf_add(&w->tmp, "", 0);
	tpl_make(&w->tmp, note, w->tok, n, c->prev, c->ptok, c->pn, c->mask);
	if (w->tmp.oom)
		return kp_err_oom(err);
	if ((rc = tpl_id(s, w->tmp.p, id, &c->tpl_text, err)))
		return rc;
	c->tpl = *id;
	if ((c->tpl != was || !c->match.seg) && ctpl_make(&c->match, c->tpl_text))
		return kp_err_oom(err);
	w->vals.n = 0;
	if (!tpl_match(&c->match, note, len, &w->vals))
		return kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_NOTE_TEMPLATE);
	if (!c->prev) {
		c->prev = strdup(note);
		c->ptok = malloc((n + 1) * sizeof *c->ptok);
		c->mask = calloc(n + 1, 1);
		if (!c->prev || !c->ptok || !c->mask)
			return kp_err_oom(err);
		if (n)
			memcpy(c->ptok, w->tok, n * sizeof *c->ptok);
		c->pn = n;
	}
	return w->vals.oom ? kp_err_oom(err) : 0;
}

/* v in decimal at p; returns the bytes written (at most 20). */
static size_t put_int(char *p, long long v)
{
	char t[24];
	int n = (int)sizeof t;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		t[--n] = (char)('0' + u % 10), u /= 10;
	while (u);
	if (v < 0)
		t[--n] = '-';
	memcpy(p, t + n, sizeof t - (size_t)n);
	return sizeof t - (size_t)n;
}

/* One item of unit_items, [item, points(, note, "values"(, skipped))],
 * after a comma when it is not the first: written at once into w->json. */
static void item_json(struct store_run *w, size_t c, const kp_item *it, long note, int first)
{
	char *p = buf_room(&w->json, 96 + (note ? w->vals.n : 0)), *p0 = p;

	if (!p)
		return;
	if (!first)
		*p++ = ',';
	*p++ = '[';
	p += put_int(p, (long long)c + 1);
	*p++ = ',';
	kp_num_exact(it->points, p, 32);
	p += strlen(p);
	if (note) {
		*p++ = ',';
		p += put_int(p, note);
		*p++ = ',', *p++ = '"';
		if (w->vals.n) /* vals.p may be NULL while nothing was added */
			memcpy(p, w->vals.p, w->vals.n), p += w->vals.n;
		*p++ = '"';
	} else if (it->skipped) {
		memcpy(p, ",null,\"\"", 8), p += 8;
	}
	if (it->skipped)
		memcpy(p, ",1", 2), p += 2;
	*p++ = ']';
	*p = '\0';
	w->json.n += (size_t)(p - p0);
}

/* A unit's items as the JSON text of unit_items (into w->json). */
static int items_json(kp_store *s, const kp_item *items, size_t nitems, kp_err *err)
{
	struct store_run *w = s->run;
	size_t i, c = 0;
	long id = 0;
	int rc;

	w->json.n = 0;
	buf_add(&w->json, "[", 1);
	for (i = 0; i < nitems; i++) {
		const kp_item *it = &items[i];
		if ((rc = cat_find(w, i, it, &c, err)))
			return rc;
		if (it->note && (rc = note_encode(s, &w->cat[c], it->note, &id, err)))
			return rc;
		item_json(w, c, it, it->note ? id : 0, i == 0);
	}
	buf_add(&w->json, "]", 1);
	return w->json.oom ? kp_err_oom(err) : 0;
}

/* Write one scored unit's items; scored is its place in scoring order. */
static int write_items(kp_store *s, size_t scored, const char *id, const kp_item *items, size_t nitems, kp_err *err)
{
	struct store_run *w = s->run;
	int rc;

	if (scored >= w->capscored) {
		size_t cap = w->capscored ? w->capscored : 1024;
		const char **p;
		while (cap <= scored)
			cap *= 2;
		if (!(p = realloc(w->scored, cap * sizeof *p)))
			return kp_err_oom(err);
		memset(p + w->capscored, 0, (cap - w->capscored) * sizeof *p);
		w->scored = p, w->capscored = cap;
	}
	w->scored[scored] = id;
	if (scored >= w->nscored)
		w->nscored = scored + 1;
	if ((rc = items_json(s, items, nitems, err)))
		return rc;
	sqlite3_bind_int64(w->ins_items, 1, s->run_id);
	sqlite3_bind_int64(w->ins_items, 2, (sqlite3_int64)scored);
	sqlite3_bind_text(w->ins_items, 3, w->json.p, (int)w->json.n, SQLITE_STATIC);
	return store_step_done(s, w->ins_items, err);
}

int kp_store_run_sink(void *store, const kp_result *res, size_t unit, const kp_item *items, size_t nitems, kp_err *err)
{
	kp_store *s = store;

	if (!s->run)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_NO_RUN_OPEN);
	return write_items(s, unit, res->units[unit].id, items, nitems, err);
}

/* The id of a new run: past every run id the database holds, in runs and
 * in the tables of a run's.  A runs row deleted by another tool leaves its
 * rows behind; a new run given its id (what SQLite would give) would take
 * them for its own or collide with them. */
static int next_run_id(kp_store *s, sqlite3_int64 *id, kp_err *err)
{
	rd r = {s, NULL, "runs", err, 0};
	sqlite3_int64 m = 0;
	int rc, isnull = 0;

	if ((rc = store_prep(s, "SELECT max(m) FROM (SELECT max(id) AS m FROM runs UNION ALL " /* not words */
			     "SELECT max(run_id) FROM run_imports UNION ALL SELECT max(run_id) FROM run_sections UNION ALL "
			     "SELECT max(run_id) FROM run_grades UNION ALL SELECT max(run_id) FROM run_categories UNION ALL "
			     "SELECT max(run_id) FROM results UNION ALL SELECT max(run_id) FROM unit_items UNION ALL "
			     "SELECT max(run_id) FROM run_items UNION ALL SELECT max(run_id) FROM run_notes)",
			     &r.st, err)))
		return rc;
	if (store_rd_step(&r) > 0) /* an id a run cannot follow (LONG_MAX, a text) is a bad value */
		m = store_rd_int(&r, 0, LLONG_MIN, LONG_MAX - 1, 1, &isnull);
	sqlite3_finalize(r.st);
	*id = isnull || m < 0 ? 1 : m + 1;
	return r.rc;
}

int kp_store_run_begin(kp_store *s, const kp_rules *r, int year, const long *ids, size_t nids,
		       long *run_id, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 id = 0;
	char ts[32];
	size_t i;
	int rc;

	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	s->in_tx = 1;
	if ((rc = store_stamp(s, err)) || (rc = next_run_id(s, &id, err)))
		goto fail;
	store_now_iso(ts, sizeof ts);
	if ((rc = store_prep(s, "INSERT INTO runs(id, year, title, rules_file, rules_sha256, precision, scored_at) "
			     "VALUES(?, ?, ?, ?, ?, ?, ?)", &st, err)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_text(st, 3, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->precision);
	sqlite3_bind_text(st, 7, ts, -1, SQLITE_STATIC);
	rc = store_step_done(s, st, err);
	sqlite3_finalize(st);
	if (rc)
		goto fail;
	s->run_id = *run_id = (long)id;
	if ((rc = store_prep(s, "INSERT INTO run_imports(run_id, import_id) VALUES(?, ?)", &st, err)))
		goto fail;
	for (i = 0; i < nids && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, ids[i]);
		rc = store_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (!rc && !(rc = run_writer_new(s, err)))
		return 0;
fail:
	kp_store_run_abort(s);
	return rc;
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int save_meta(kp_store *s, const kp_result *res, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if ((rc = store_prep(s, "INSERT INTO run_sections VALUES(?, ?, ?, ?)", &st, err)))
		return rc;
	for (i = 0; i < res->nsections && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, res->sections[i], -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, res->section_points[i]);
		rc = store_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (rc || (rc = store_prep(s, "INSERT INTO run_grades VALUES(?, ?, ?)", &st, err)))
		return rc;
	for (i = 0; i < res->ngrades && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, res->grades[i], -1, SQLITE_STATIC);
		rc = store_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (rc || (rc = store_prep(s, "INSERT INTO run_categories VALUES(?, ?, ?, ?, ?, ?, ?, ?)", &st, err)))
		return rc;
	for (i = 0; i < res->ncategories && !rc; i++) {
		const kp_category_result *c = &res->categories[i];
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, c->quota);
		sqlite3_bind_int(st, 5, c->commended);
		sqlite3_bind_int(st, 6, c->shortfall);
		sqlite3_bind_int(st, 7, c->boundary_ties);
		bind_opt_text(st, 8, c->note);
		rc = store_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int save_catalogue(kp_store *s, const kp_result *res, kp_err *err)
{
	struct store_run *w = s->run;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if ((rc = store_prep(s, "INSERT INTO run_items VALUES(?, ?, ?, ?, ?, ?)", &st, err)))
		return rc;
	for (i = 0; i < w->ncat && !rc; i++) {
		const cat_item *c = &w->cat[i];
		if (c->kind < 0 || (size_t)c->kind >= NKINDS ||
		    (c->section >= 0 && (size_t)c->section >= res->nsections)) {
			rc = kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_ITEM_KIND, c->name);
			break;
		}
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, item_kinds[c->kind], -1, SQLITE_STATIC);
		if (c->section >= 0)
			sqlite3_bind_int(st, 4, c->section + 1);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_text(st, 5, c->name, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 6, c->max);
		rc = store_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Where each unit of the result was scored (its unit_items row), -1 when
 * it has none: its index in scoring order, when the sink saw that unit
 * there (the same id pointer). */
static void scored_places(const struct store_run *w, const kp_result *res, long long *place)
{
	size_t i;

	for (i = 0; i < res->nunits; i++) {
		size_t pos = res->units[i].scored;
		place[i] = pos < w->nscored && w->scored[pos] == res->units[i].id ? (long long)pos : -1;
	}
}

/* The JSON array of a unit's section points. */
static void sections_json(buf *b, const kp_result *res, size_t u)
{
	size_t k;

	b->n = 0;
	buf_add(b, "[", 1);
	for (k = 0; k < res->nsections; k++) {
		if (k)
			buf_add(b, ",", 1);
		buf_num(b, KP_SEC(res, u, k));
	}
	buf_add(b, "]", 1);
}

static void bind_unit(sqlite3_stmt *st, const kp_result *res, size_t i)
{
	const kp_unit_result *u = &res->units[i];

	sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
	sqlite3_bind_text(st, 3, u->id, -1, SQLITE_STATIC);
	bind_opt_text(st, 4, u->name);
	sqlite3_bind_text(st, 5, res->categories[u->category].name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, u->rank);
	sqlite3_bind_double(st, 7, u->total);
	sqlite3_bind_double(st, 8, u->raw);
	sqlite3_bind_double(st, 9, u->base);
	sqlite3_bind_double(st, 10, u->deductions);
	sqlite3_bind_double(st, 11, u->bonus);
	bind_opt_text(st, 12, u->grade >= 0 ? res->grades[u->grade] : NULL);
	sqlite3_bind_int(st, 13, u->veto);
	bind_opt_text(st, 14, u->veto_reason);
	sqlite3_bind_int(st, 15, u->eligible);
	sqlite3_bind_int(st, 16, u->elig_rank);
	sqlite3_bind_int(st, 17, u->commended);
	sqlite3_bind_int(st, 18, u->boundary_tie);
	sqlite3_bind_int(st, 19, u->quota_dropped);
	bind_opt_text(st, 20, u->tie_note);
	if (u->has_last) {
		sqlite3_bind_int(st, 21, u->last_rank);
		sqlite3_bind_double(st, 22, u->last_total);
	} else {
		sqlite3_bind_null(st, 21);
		sqlite3_bind_null(st, 22);
	}
}

static int save_units(kp_store *s, const kp_result *res, kp_err *err)
{
	struct store_run *w = s->run;
	sqlite3_stmt *st = NULL;
	long long *place = calloc(res->nunits + 1, sizeof *place);
	size_t i;
	int rc;

	if (!place)
		return kp_err_oom(err);
	scored_places(w, res, place);
	if ((rc = store_prep(s, "INSERT INTO results VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
			     "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)", &st, err)))
		goto out;
	for (i = 0; i < res->nunits && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		bind_unit(st, res, i);
		sections_json(&w->tmp, res, i);
		if (w->tmp.oom) {
			rc = kp_err_oom(err);
			break;
		}
		sqlite3_bind_text(st, 23, w->tmp.p, (int)w->tmp.n, SQLITE_STATIC);
		sqlite3_bind_int64(st, 24, place[i]);
		rc = store_step_done(s, st, err);
	}
out:
	sqlite3_finalize(st);
	free(place);
	return rc;
}

/* Everything of a run but what the sink wrote, when scoring is done. */
static int save_run(kp_store *s, kp_result *res, int meta, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((meta && (rc = save_meta(s, res, err))) || (rc = save_catalogue(s, res, err)) ||
	    (rc = save_units(s, res, err)))
		return rc;
	if ((rc = store_prep(s, "UPDATE runs SET units = ?, last_year = ? WHERE id = ?", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)res->nunits);
	if (res->last_year)
		sqlite3_bind_int(st, 2, res->last_year);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, s->run_id);
	rc = store_step_done(s, st, err);
	sqlite3_finalize(st);
	return rc;
}

int kp_store_run_finish(kp_store *s, kp_result *res, kp_err *err)
{
	int rc;

	if (!s->run) {
		rc = kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_NO_RUN_OPEN);
		goto fail;
	}
	if ((rc = save_run(s, res, 1, err)))
		goto fail;
	store_run_free(s);
	if ((rc = store_commit(s, err)))
		goto fail;
	s->in_tx = 0;
	res->run_id = s->run_id;
	return 0;
fail:
	kp_store_run_abort(s);
	return rc;
}

void kp_store_run_abort(kp_store *s)
{
	store_run_free(s);
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

/* ---- schema 2: JSON of our own shape, read strictly ---- */

typedef struct jp { const char *p; int bad; } jp;

static int jp_ch(jp *j, char c)
{
	if (j->bad || *j->p != c)
		return 0;
	j->p++;
	return 1;
}

static void jp_want(jp *j, char c)
{
	if (!jp_ch(j, c))
		j->bad = 1;
}

static double jp_num(jp *j)
{
	char *end;
	double v;

	if (j->bad || !(*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))) {
		j->bad = 1;
		return 0;
	}
	errno = 0;
	v = strtod(j->p, &end);
	if (end == j->p || !isfinite(v))
		j->bad = 1;
	j->p = end;
	return v;
}

static long long jp_int(jp *j, long long lo, long long hi)
{
	double v = jp_num(j);

	if (!j->bad && (v != floor(v) || v < (double)lo || v > (double)hi))
		j->bad = 1;
	return j->bad ? 0 : (long long)v;
}

/* A string of values: digits, points and spaces only. */
static const char *jp_vals(jp *j, size_t *len)
{
	const char *start;

	jp_want(j, '"');
	start = j->p;
	while (!j->bad && ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' || *j->p == ' '))
		j->p++;
	*len = (size_t)(j->p - start);
	jp_want(j, '"');
	return start;
}

static void parse_sections(rd *r, int col, kp_result *res, size_t u)
{
	const char *t = store_rd_text(r, col, 0);
	jp j = {t, !t};
	size_t k;

	jp_want(&j, '[');
	for (k = 0; k < res->nsections && !j.bad; k++) {
		if (k)
			jp_want(&j, ',');
		KP_SEC(res, u, k) = jp_num(&j);
	}
	jp_want(&j, ']');
	if (!r->rc && (j.bad || *j.p))
		store_rd_bad(r, col, KP_MSG_STORE_RD_NOT_SECTION_ARRAY);
}

/* ---- reading runs back ---- */

/* The newest run (of the year, or of any year when year is 0) in *id,
 * 0 when there is none. */
static int newest_run(kp_store *s, int year, long *id, kp_err *err)
{
	rd r = {s, NULL, "runs", err, 0};
	int rc;

	*id = 0;
	if ((rc = store_prep(s, year ? "SELECT max(id) FROM runs WHERE year = ?" : "SELECT max(id) FROM runs", &r.st, err)))
		return rc;
	if (year)
		sqlite3_bind_int(r.st, 1, year);
	if (store_rd_step(&r) > 0)
		*id = (long)store_rd_int(&r, 0, 1, LONG_MAX, 1, NULL);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* A checked text copied into the result's pool (NULL stays NULL). */
static const char *rd_str(rd *r, kp_result *res, int col, int nullable)
{
	const char *t = store_rd_text(r, col, nullable), *p;

	if (!t || r->rc)
		return NULL;
	if (!(p = kp_result_str(res, t, r->err)))
		r->rc = KP_EINTERNAL;
	return p;
}

static int name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* How many rows sql (one count(*), the run id bound) counts. */
static int run_count(kp_store *s, const char *table, const char *sql, long id, size_t *n, kp_err *err)
{
	rd r = {s, NULL, table, err, 0};
	int rc;

	*n = 0;
	if ((rc = store_prep(s, sql, &r.st, err)))
		return rc;
	sqlite3_bind_int64(r.st, 1, id);
	if (store_rd_step(&r) > 0)
		*n = (size_t)store_rd_int(&r, 0, 0, INT_MAX, 0, NULL);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* Open a per-run query: its statement with the run id bound. */
static int run_query(kp_store *s, rd *r, const char *table, const char *sql, long id, kp_err *err)
{
	int rc;

	r->s = s, r->st = NULL, r->table = table, r->err = err, r->rc = 0;
	if ((rc = store_prep(s, sql, &r->st, err)))
		return rc;
	sqlite3_bind_int64(r->st, 1, id);
	return 0;
}

static int too_many(rd *r)
{
	if (!r->rc)
		r->rc = kp_err_msg(r->err, KP_EDATA, KP_M_STORE_MORE_ROWS,
				   r->s->path, r->table);
	return r->rc;
}

static int load_sections(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_sections", "SELECT count(*) FROM run_sections WHERE run_id = ?", id, &n, err)))
		return rc;
	res->sections = kp_result_alloc(res, (n + 1) * sizeof *res->sections, err);
	res->section_points = kp_result_alloc(res, (n + 1) * sizeof *res->section_points, err);
	if (!res->sections || !res->section_points)
		return KP_EINTERNAL;
	if ((rc = run_query(s, &r, "run_sections", "SELECT name, points FROM run_sections WHERE run_id = ? "
			    "ORDER BY position", id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		res->sections[k] = rd_str(&r, res, 0, 0);
		res->section_points[k++] = store_rd_real(&r, 1, 0);
	}
	sqlite3_finalize(r.st);
	res->nsections = k;
	return r.rc;
}

static int load_grades(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_grades", "SELECT count(*) FROM run_grades WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(res->grades = kp_result_alloc(res, (n + 1) * sizeof *res->grades, err)))
		return KP_EINTERNAL;
	if ((rc = run_query(s, &r, "run_grades", "SELECT name FROM run_grades WHERE run_id = ? ORDER BY position", id,
			    err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r)))
		res->grades[k++] = rd_str(&r, res, 0, 0);
	sqlite3_finalize(r.st);
	res->ngrades = k;
	return r.rc;
}

static int load_categories(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_categories", "SELECT count(*) FROM run_categories WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(res->categories = calloc(n + 1, sizeof *res->categories)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "run_categories", "SELECT name, quota, commended, shortfall, boundary_ties, note "
			    "FROM run_categories WHERE run_id = ? ORDER BY position", id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		kp_category_result *c = &res->categories[k++];
		c->name = rd_str(&r, res, 0, 0);
		c->quota = (int)store_rd_int(&r, 1, 0, INT_MAX, 0, NULL);
		c->commended = (int)store_rd_int(&r, 2, 0, INT_MAX, 0, NULL);
		c->shortfall = (int)store_rd_int(&r, 3, 0, INT_MAX, 0, NULL);
		c->boundary_ties = (int)store_rd_int(&r, 4, 0, INT_MAX, 0, NULL);
		c->note = rd_str(&r, res, 5, 1);
	}
	sqlite3_finalize(r.st);
	res->ncategories = k;
	return r.rc;
}

/* One row of results into u. */
static void read_unit(rd *r, kp_result *res, kp_unit_result *u)
{
	const char *cat, *grade;
	int isnull;

	memset(u, 0, sizeof *u);
	u->id = rd_str(r, res, 0, 0);
	u->name = rd_str(r, res, 1, 1);
	cat = store_rd_text(r, 2, 0);
	u->category = -1;
	for (size_t k = 0; cat && k < res->ncategories; k++)
		if (!strcmp(res->categories[k].name, cat)) {
			u->category = (int)k;
			break;
		}
	u->rank = (int)store_rd_int(r, 3, 0, INT_MAX, 0, NULL);
	u->total = store_rd_real(r, 4, 0);
	u->raw = store_rd_real(r, 5, 0);
	/* the ranked score is the unrounded one rounded, as score wrote it: a
	 * total changed by another program is not printed as the run's */
	if (!r->rc && u->total != kp_num_round(u->raw, res->precision))
		store_rd_bad(r, 4, KP_MSG_STORE_RD_TOTAL_NOT_RAW);
	u->base = store_rd_real(r, 6, 0);
	u->deductions = store_rd_real(r, 7, 0);
	u->bonus = store_rd_real(r, 8, 0);
	grade = store_rd_text(r, 9, 1);
	u->grade = grade ? name_index(res->grades, res->ngrades, grade) : -1;
	if (grade && u->grade < 0)
		store_rd_bad(r, 9, KP_MSG_STORE_RD_NO_GRADE);
	u->veto = RD_FLAG(r, 10);
	u->veto_reason = rd_str(r, res, 11, 1);
	u->eligible = RD_FLAG(r, 12);
	u->elig_rank = (int)store_rd_int(r, 13, 0, INT_MAX, 0, NULL);
	u->commended = RD_FLAG(r, 14);
	u->boundary_tie = RD_FLAG(r, 15);
	u->quota_dropped = RD_FLAG(r, 16);
	u->tie_note = rd_str(r, res, 17, 1);
	u->last_rank = (int)store_rd_int(r, 18, 0, INT_MAX, 1, &isnull);
	u->has_last = !isnull;
	u->last_total = store_rd_real(r, 19, 1);
	if (cat && u->category < 0)
		store_rd_bad(r, 2, KP_MSG_STORE_RD_NO_CATEGORY);
}

/* Each category's count of commended units is the number of its units
 * marked commended, as the ranking left them: a flag another program set
 * (a unit added to the notice) or cleared stops the reading. */
static int check_commended(kp_store *s, long id, const kp_result *res, kp_err *err)
{
	size_t c, k, n;

	for (c = 0; c < res->ncategories; c++) {
		const kp_category_result *cat = &res->categories[c];
		for (n = 0, k = cat->first; k < cat->first + cat->count; k++)
			n += res->units[k].commended;
		if (n != (size_t)cat->commended)
			return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_COMMENDED, s->path, id, cat->name, cat->commended, n);
	}
	return 0;
}

/* What a unit's row says against the ranking: the reason in why (a
 * message of the catalogue with its arguments), 65 naming the unit. */
static int ranking_bad(kp_store *s, long id, const kp_category_result *cat, const kp_unit_result *u, kp_err *err,
		       enum kp_msgid why, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, why);
	kp_msg_vformat(what, sizeof what, why, ap);
	va_end(ap);
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_RANKING, s->path, id, cat->name, u->id, what);
}

/* Unit i's rank against the unit before it in its category (first is the
 * category's first unit): 1, 2, 2, 4 in report order, a shared rank only
 * for the same total and then in unit id order, and no higher total after
 * a lower one (but a vetoed unit that veto_rank = "last" placed last). */
static int check_rank(kp_store *s, long id, const kp_result *res, const kp_category_result *cat, size_t i,
		      kp_err *err)
{
	const kp_unit_result *u = &res->units[i], *p = i > cat->first ? u - 1 : NULL;
	size_t place = i - cat->first + 1;
	char a[KP_NUM_MAX], b[KP_NUM_MAX];
	int prec = res->precision;

	if (p && u->rank == p->rank) {
		if (u->total != p->total)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_TIE, u->rank, p->id,
					   kp_num_fixed(u->total, prec, a, sizeof a), kp_num_fixed(p->total, prec, b, sizeof b));
		if (strcmp(p->id, u->id) >= 0)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_ID, u->rank, p->id);
		return 0;
	}
	if ((size_t)u->rank != place)
		return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_PLACE, u->rank, place, p ? p->rank : 1);
	if (p && u->total > p->total && !(u->veto && !p->veto))
		return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_TOTAL, kp_num_fixed(u->total, prec, a, sizeof a),
				   kp_num_fixed(p->total, prec, b, sizeof b), p->id);
	return 0;
}

/* The ranking as kp_rank_run leaves it, checked in report order within each
 * category: the ranks (check_rank); the rank among the eligible units
 * (n for the n-th, or that of the eligible unit before it when the two
 * share a rank: the order is transitive, kp_num_cmp compares rounded
 * values); the commended flag that rank and the quota give; the boundary
 * flag of the commended units of the last commended rank when the quota
 * was passed.  A rank or flag another program changed stops the reading
 * rather than print a ranking, or a notice, the run did not make. */
static int check_ranking(kp_store *s, long id, const kp_result *res, kp_err *err)
{
	size_t c, i;
	int rc;

	for (c = 0; c < res->ncategories; c++) {
		const kp_category_result *cat = &res->categories[c];
		const kp_unit_result *prev = NULL;
		int nel = 0, worst = 0;

		for (i = cat->first; i < cat->first + cat->count; i++) {
			const kp_unit_result *u = &res->units[i];
			int want;
			if ((rc = check_rank(s, id, res, cat, i, err)))
				return rc;
			if (!u->eligible) {
				if (u->elig_rank)
					return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_ELIG_RANK, u->elig_rank, 0);
				if (u->commended)
					return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_COMMEND_FLAG, 1, 0, cat->quota, 0);
				continue;
			}
			nel++;
			want = prev && prev->rank == u->rank ? prev->elig_rank : nel;
			if (u->elig_rank != want)
				return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_ELIG_RANK, u->elig_rank, want);
			prev = u;
			want = cat->quota > 0 && u->elig_rank <= cat->quota;
			if (u->commended != want)
				return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_COMMEND_FLAG, u->commended, u->elig_rank,
						   cat->quota, want);
			if (want)
				worst = u->elig_rank;
		}
		for (i = cat->first; i < cat->first + cat->count; i++) {
			const kp_unit_result *u = &res->units[i];
			int want = u->commended && cat->commended > cat->quota && u->elig_rank == worst;
			if (u->boundary_tie != want)
				return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_BOUNDARY_FLAG, u->boundary_tie, want);
		}
	}
	return 0;
}

/* The units of a run in report order, from sql (the run id bound; the
 * columns of read_unit, then in schema 2 sections and scored); place[]
 * receives scored when given. */
static int load_units(kp_store *s, long id, const char *table, const char *count_sql, const char *sql,
		      kp_result *res, long long **place, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc, last = 0;

	if ((rc = run_count(s, table, count_sql, id, &n, err)))
		return rc;
	if (!(res->units = calloc(n + 1, sizeof *res->units)) || (place && !(*place = calloc(n + 1, sizeof **place))))
		return kp_err_oom(err);
	if (place && !(res->sec = calloc(n * res->nsections + 1, sizeof *res->sec)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, table, sql, id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		kp_unit_result *u = &res->units[k];
		read_unit(&r, res, u);
		if (!r.rc && u->category < last) /* the slices below need report order */
			store_rd_bad(&r, 2, KP_MSG_STORE_RD_ORDER);
		last = u->category;
		if (place) {
			parse_sections(&r, 20, res, k);
			(*place)[k] = store_rd_int(&r, 21, -1, INT64_MAX, 0, NULL);
		}
		k++;
	}
	sqlite3_finalize(r.st);
	res->nunits = k;
	for (k = 0; k < res->nunits && !r.rc; k++) { /* category slices */
		kp_category_result *c = &res->categories[res->units[k].category];
		if (!c->count)
			c->first = k;
		c->count++;
	}
	if (r.rc)
		return r.rc;
	if ((rc = check_commended(s, id, res, err)))
		return rc;
	return check_ranking(s, id, res, err);
}

typedef struct id_pos { const char *id; size_t pos; } id_pos;
static int id_cmp(const void *a, const void *b)
{
	return strcmp(((const id_pos *)a)->id, ((const id_pos *)b)->id);
}

/* The unit a row names, by id (column col); NULL (and r->rc) when none. */
static kp_unit_result *row_unit(rd *r, kp_result *res, const id_pos *ix, int col, size_t *pos)
{
	id_pos key, *hit;

	if (!(key.id = store_rd_text(r, col, 0)))
		return NULL;
	if (!(hit = bsearch(&key, ix, res->nunits, sizeof *ix, id_cmp))) {
		store_rd_bad(r, col, KP_MSG_STORE_RD_NO_UNIT);
		return NULL;
	}
	if (pos)
		*pos = hit->pos;
	return &res->units[hit->pos];
}

static int load_section_points(kp_store *s, long id, kp_result *res, const id_pos *ix, kp_err *err)
{
	rd r;
	size_t pos;
	int rc, k;

	if ((rc = run_query(s, &r, "section_points", "SELECT unit_id, section, points FROM section_points "
			    "WHERE run_id = ?", id, err)))
		return rc;
	while (store_rd_step(&r) > 0) {
		const char *sec;
		double v;
		if (!row_unit(&r, res, ix, 0, &pos) || !(sec = store_rd_text(&r, 1, 0)))
			break;
		v = store_rd_real(&r, 2, 0);
		if ((k = name_index(res->sections, res->nsections, sec)) < 0)
			store_rd_bad(&r, 1, KP_MSG_STORE_RD_NO_SECTION);
		if (!r.rc)
			KP_SEC(res, pos, k) = v;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}


/* Room for each unit's items (cap[pos]: how many its rows counted). */
static int alloc_items(kp_store *s, long id, kp_result *res, const id_pos *ix, unsigned *cap, kp_err *err)
{
	rd r;
	size_t pos;
	int rc;

	if ((rc = run_query(s, &r, "points", "SELECT unit_id, count(*) FROM points WHERE run_id = ? GROUP BY unit_id",
			    id, err)))
		return rc;
	while (store_rd_step(&r) > 0) {
		kp_unit_result *u = row_unit(&r, res, ix, 0, &pos);
		size_t cnt = (size_t)store_rd_int(&r, 1, 1, UINT_MAX, 0, NULL);
		if (r.rc)
			break;
		if (!(u->items = kp_result_alloc(res, cnt * sizeof *u->items, err)))
			r.rc = KP_EINTERNAL;
		cap[pos] = (unsigned)cnt;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_items(kp_store *s, long id, kp_result *res, const id_pos *ix, const unsigned *cap, kp_err *err)
{
	rd r;
	size_t pos;
	int rc;

	if ((rc = run_query(s, &r, "points", "SELECT unit_id, kind, section, item, points, max_points, note, skipped "
			    "FROM points WHERE run_id = ? ORDER BY unit_id, seq", id, err)))
		return rc;
	while (store_rd_step(&r) > 0) {
		kp_unit_result *u = row_unit(&r, res, ix, 0, &pos);
		const char *kind, *sec;
		kp_item *it;
		if (!u || (u->nitems >= cap[pos] && too_many(&r)))
			break;
		it = &u->items[u->nitems++];
		kind = store_rd_text(&r, 1, 0);
		it->kind = name_index(item_kinds, NKINDS, kind);
		sec = store_rd_text(&r, 2, 1);
		it->section = sec ? name_index(res->sections, res->nsections, sec) : -1;
		it->name = rd_str(&r, res, 3, 0);
		it->points = store_rd_real(&r, 4, 0);
		it->max = store_rd_real(&r, 5, 1);
		it->note = rd_str(&r, res, 6, 1);
		it->skipped = RD_FLAG(&r, 7);
		if (kind && it->kind < 0)
			store_rd_bad(&r, 1, KP_MSG_STORE_RD_ITEM_KIND);
		if (sec && it->section < 0)
			store_rd_bad(&r, 2, KP_MSG_STORE_RD_NO_SECTION);
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_details_v1(kp_store *s, long id, kp_result *res, kp_err *err)
{
	id_pos *ix = malloc((res->nunits + 1) * sizeof *ix);
	unsigned *cap = calloc(res->nunits + 1, sizeof *cap);
	size_t i;
	int rc;

	res->sec = calloc(res->nunits * res->nsections + 1, sizeof *res->sec);
	if (!ix || !cap || !res->sec) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < res->nunits; i++)
		ix[i].id = res->units[i].id, ix[i].pos = i;
	qsort(ix, res->nunits, sizeof *ix, id_cmp);
	if (!(rc = load_section_points(s, id, res, ix, err)) && !(rc = alloc_items(s, id, res, ix, cap, err)))
		rc = load_items(s, id, res, ix, cap, err);
out:
	free(ix);
	free(cap);
	return rc;
}

static int load_run_row(kp_store *s, long run_id, kp_result *res, kp_err *err)
{
	rd r;
	int rc, got;

	if ((rc = run_query(s, &r, "runs", "SELECT year, title, rules_file, rules_sha256, precision, last_year, scored_at "
			    "FROM runs WHERE id = ?", run_id, err)))
		return rc;
	if ((got = store_rd_step(&r)) > 0) {
		res->run_id = run_id;
		res->year = (int)store_rd_int(&r, 0, 0, 99999, 0, NULL);
		res->title = rd_str(&r, res, 1, 0);
		res->rules_file = rd_str(&r, res, 2, 0);
		res->rules_sha256 = rd_str(&r, res, 3, 0);
		res->precision = (int)store_rd_int(&r, 4, 0, 6, 0, NULL);
		res->last_year = (int)store_rd_int(&r, 5, 0, 99999, 1, NULL);
		res->scored_at = rd_str(&r, res, 6, 1);
	}
	sqlite3_finalize(r.st);
	if (got == 0)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_SUCH_RUN, s->path, run_id);
	return r.rc;
}

void kp_store_last_free(kp_last *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free((char *)l->u[i].id), free((char *)l->u[i].grade);
	for (i = 0; i < l->nsections; i++)
		free((char *)l->sections[i]);
	free(l->u), free(l->sections), free(l->sec);
	free(l);
}

static int last_cmp(const void *a, const void *b)
{
	return strcmp(((const kp_last_unit *)a)->id, ((const kp_last_unit *)b)->id);
}

/* Last year's units from a loaded run (copies: the run is freed). */
static int last_of(const kp_result *res, int year, kp_last **out, kp_err *err)
{
	kp_last *l = calloc(1, sizeof *l);
	size_t i, k;

	if (!l || !(l->u = calloc(res->nunits + 1, sizeof *l->u)) ||
	    !(l->sections = calloc(res->nsections + 1, sizeof *l->sections)) ||
	    !(l->sec = calloc(res->nunits * res->nsections + 1, sizeof *l->sec)))
		goto oom;
	l->year = year;
	for (k = 0; k < res->nsections; k++, l->nsections = k)
		if (!(l->sections[k] = strdup(res->sections[k])))
			goto oom;
	for (i = 0; i < res->nunits; i++) {
		const kp_unit_result *u = &res->units[i];
		l->u[i].id = strdup(u->id);
		l->u[i].grade = u->grade >= 0 ? strdup(res->grades[u->grade]) : NULL;
		l->u[i].total = u->total;
		l->u[i].rank = u->rank;
		l->u[i].row = i;
		for (k = 0; k < res->nsections; k++)
			l->sec[i * res->nsections + k] = KP_SEC(res, i, k);
		l->n = i + 1;
		if (!l->u[i].id || (u->grade >= 0 && !l->u[i].grade))
			goto oom;
	}
	qsort(l->u, l->n, sizeof *l->u, last_cmp);
	*out = l;
	return 0;
oom:
	kp_store_last_free(l);
	return kp_err_oom(err);
}

int kp_store_last(kp_store *s, int year, kp_last **out, kp_err *err)
{
	kp_result *res = NULL;
	long id;
	int rc;

	*out = NULL;
	if ((rc = newest_run(s, year, &id, err)) || id == 0)
		return rc;
	if ((rc = kp_store_load_run(s, id, 0, &res, err)))
		return rc;
	rc = last_of(res, year, out, err);
	kp_result_free(res);
	return rc;
}

/* The run's items (run_items), by position. */
typedef struct catalogue {
	kp_item *it;           /* kind, section, name, max of each */
	size_t n;
	const char **tpl;      /* run_notes by id (index id - 1), all of them or those asked */
	size_t ntpl;
	sqlite3_stmt *one_note;/* explain: a template by id */
} catalogue;

static int load_catalogue(kp_store *s, long id, kp_result *res, catalogue *c, kp_err *err)
{
	rd r;
	size_t n;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = run_count(s, "run_items", "SELECT count(*) FROM run_items WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(c->it = calloc(n + 1, sizeof *c->it)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "run_items", "SELECT position, kind, section, name, max_points FROM run_items "
			    "WHERE run_id = ? ORDER BY position", id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (c->n < n || !too_many(&r))) {
		kp_item *it = &c->it[c->n];
		const char *kind;
		int isnull;
		if (store_rd_int(&r, 0, 1, INT_MAX, 0, NULL) != (sqlite3_int64)c->n + 1 && !r.rc)
			store_rd_bad(&r, 0, KP_MSG_STORE_RD_SKIPS_POSITION);
		kind = store_rd_text(&r, 1, 0);
		it->kind = name_index(item_kinds, NKINDS, kind);
		if (kind && it->kind < 0)
			store_rd_bad(&r, 1, KP_MSG_STORE_RD_ITEM_KIND);
		it->section = (int)store_rd_int(&r, 2, 1, (sqlite3_int64)res->nsections, 1, &isnull) - 1;
		if (isnull)
			it->section = -1;
		it->name = rd_str(&r, res, 3, 0);
		it->max = store_rd_real(&r, 4, 1);
		c->n++;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_templates(kp_store *s, long id, kp_result *res, catalogue *c, kp_err *err)
{
	rd r;
	size_t n;
	int rc;

	if ((rc = run_count(s, "run_notes", "SELECT count(*) FROM run_notes WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(c->tpl = calloc(n + 1, sizeof *c->tpl)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "run_notes", "SELECT id, template FROM run_notes WHERE run_id = ? ORDER BY id", id,
			    err)))
		return rc;
	while (store_rd_step(&r) > 0 && (c->ntpl < n || !too_many(&r))) {
		if (store_rd_int(&r, 0, 1, INT64_MAX, 0, NULL) != (sqlite3_int64)c->ntpl + 1 && !r.rc)
			store_rd_bad(&r, 0, KP_MSG_STORE_RD_SKIPS_ID);
		c->tpl[c->ntpl++] = rd_str(&r, res, 1, 0);
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

/* Template id of the run: from the table read whole, or looked up. */
static const char *template_of(kp_store *s, long run, catalogue *c, kp_result *res, long long id, rd *r)
{
	rd q = {s, c->one_note, "run_notes", r->err, 0};
	const char *t = NULL;

	if (c->tpl)
		return id >= 1 && (size_t)id <= c->ntpl ? c->tpl[id - 1] : NULL;
	if (!c->one_note)
		return NULL;
	sqlite3_reset(c->one_note);
	sqlite3_bind_int64(c->one_note, 1, run);
	sqlite3_bind_int64(c->one_note, 2, id);
	if (store_rd_step(&q) > 0)
		t = rd_str(&q, res, 0, 0);
	if (q.rc)
		r->rc = q.rc;
	return t;
}

/* One item of unit_items: [item, points(, note, "values"(, skipped))]. */
static void parse_item(jp *j, kp_store *s, long run, catalogue *c, kp_result *res, kp_item *it, buf *note, rd *r)
{
	long long ref, tid = 0;
	const char *vals = NULL, *tpl;
	size_t nv = 0;

	jp_want(j, '[');
	ref = jp_int(j, 1, (long long)c->n);
	jp_want(j, ',');
	it->points = jp_num(j);
	if (jp_ch(j, ',')) {
		if (!strncmp(j->p, "null", 4))
			j->p += 4, tid = 0;
		else
			tid = jp_int(j, 1, INT64_MAX);
		jp_want(j, ',');
		vals = jp_vals(j, &nv);
		if (jp_ch(j, ','))
			it->skipped = (int)jp_int(j, 1, 1);
	}
	jp_want(j, ']');
	if (j->bad || r->rc)
		return;
	*it = (kp_item){c->it[ref - 1].kind, c->it[ref - 1].section, c->it[ref - 1].name, it->points,
			c->it[ref - 1].max, NULL, it->skipped};
	if (!tid)
		return;
	if (!(tpl = template_of(s, run, c, res, tid, r))) {
		j->bad = 1;
		return;
	}
	note->n = 0;
	buf_add(note, "", 0);
	if (tpl_render(note, tpl, vals, nv) || note->oom)
		j->bad = 1;
	if (!j->bad && !(it->note = kp_result_str(res, note->p, r->err)))
		r->rc = KP_EINTERNAL;
}

/* A unit's items from the text of unit_items. */
static void parse_items(rd *r, int col, kp_store *s, long run, catalogue *c, kp_result *res, kp_unit_result *u,
			buf *note)
{
	const char *t = store_rd_text(r, col, 0);
	jp j = {t, !t};
	size_t n = 0, k;

	if (r->rc)
		return;
	for (k = 0; t[k]; k++) /* items are arrays inside the array */
		n += t[k] == '[';
	n = n ? n - 1 : 0;
	if (!(u->items = kp_result_alloc(res, (n + 1) * sizeof *u->items, r->err))) {
		r->rc = KP_EINTERNAL;
		return;
	}
	u->nitems = 0;
	jp_want(&j, '[');
	if (!jp_ch(&j, ']')) {
		do {
			if (u->nitems >= n) {
				j.bad = 1;
				break;
			}
			memset(&u->items[u->nitems], 0, sizeof *u->items);
			parse_item(&j, s, run, c, res, &u->items[u->nitems++], note, r);
		} while (!j.bad && !r->rc && jp_ch(&j, ','));
		jp_want(&j, ']');
	}
	if (!r->rc && (j.bad || *j.p))
		store_rd_bad(r, col, KP_MSG_STORE_RD_NOT_ITEMS);
}

static void catalogue_free(catalogue *c)
{
	sqlite3_finalize(c->one_note);
	free(c->it);
	free(c->tpl);
}

typedef struct sc_pos { long long scored; size_t pos; int got; } sc_pos;
static int sc_cmp(const void *a, const void *b)
{
	long long x = ((const sc_pos *)a)->scored, y = ((const sc_pos *)b)->scored;

	return x < y ? -1 : x > y;
}

/* Every unit's items (schema 2), matched to its results row by scored. */
static int load_details_v2(kp_store *s, long id, kp_result *res, const long long *place, kp_err *err)
{
	sc_pos *ix = malloc((res->nunits + 1) * sizeof *ix), key, *hit;
	catalogue c;
	buf note = {0};
	rd r = {s, NULL, "unit_items", err, 0};
	size_t i;
	int rc;

	memset(&c, 0, sizeof c);
	if (!ix) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < res->nunits; i++)
		ix[i].scored = place[i], ix[i].pos = i, ix[i].got = 0;
	qsort(ix, res->nunits, sizeof *ix, sc_cmp);
	if ((rc = load_catalogue(s, id, res, &c, err)) || (rc = load_templates(s, id, res, &c, err)) ||
	    (rc = run_query(s, &r, "unit_items", "SELECT scored, items FROM unit_items WHERE run_id = ?", id, err)))
		goto out;
	while (store_rd_step(&r) > 0) {
		key.scored = store_rd_int(&r, 0, 0, INT64_MAX, 0, NULL);
		if (r.rc)
			break;
		if (!(hit = bsearch(&key, ix, res->nunits, sizeof *ix, sc_cmp)) || hit->got) {
			store_rd_bad(&r, 0, KP_MSG_STORE_RD_UNIT_TWICE);
			break;
		}
		hit->got = 1;
		parse_items(&r, 1, s, id, &c, res, &res->units[hit->pos], &note);
	}
	for (i = 0; !r.rc && i < res->nunits; i++) /* every unit scored has its row */
		if (ix[i].scored >= 0 && !ix[i].got)
			r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_NO_ITEMS, s->path, res->units[ix[i].pos].id, id);
	rc = r.rc;
out:
	sqlite3_finalize(r.st);
	catalogue_free(&c);
	free(note.p);
	free(ix);
	return rc;
}

#define V2_UNIT_COLS "unit_id, name, category, rank, total, raw_total, base, deductions, bonus, grade, veto, " \
	"veto_reason, eligible, elig_rank, commended, boundary_tie, quota_dropped, tie_note, last_rank, last_total, " \
	"sections, scored"

static int load_head(kp_store *s, long *run_id, kp_result *res, kp_err *err)
{
	int rc = 0;

	if (*run_id == 0 && !(rc = newest_run(s, 0, run_id, err)) && *run_id == 0)
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_RUN_YET, s->path);
	if (!rc && !(rc = load_run_row(s, *run_id, res, err)) && !(rc = load_sections(s, *run_id, res, err)) &&
	    !(rc = load_grades(s, *run_id, res, err)))
		rc = load_categories(s, *run_id, res, err);
	return rc;
}

int kp_store_load_run(kp_store *s, long run_id, size_t details_upto, kp_result **out, kp_err *err)
{
	kp_result *res = NULL;
	long long *place = NULL;
	int rc;

	*out = NULL;
	if ((rc = kp_result_new(&res, err)))
		return rc;
	/* one read transaction: one consistent view of the run */
	if ((rc = store_exec(s, "BEGIN", err)))
		goto out;
	if (!(rc = load_head(s, &run_id, res, err)) &&
	    !(rc = load_units(s, run_id, "results", "SELECT count(*) FROM results WHERE run_id = ?",
			      "SELECT " V2_UNIT_COLS " FROM results WHERE run_id = ? ORDER BY position", res, &place, err)) &&
	    res->nunits <= details_upto)
		rc = load_details_v2(s, run_id, res, place, err);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
out:
	free(place);
	if (rc) {
		kp_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* The results row of one unit, by id (the index), else by name in report
 * order: its position, 0 when none. */
static int find_unit(kp_store *s, long run_id, const char *unit, sqlite3_int64 *pos, kp_err *err)
{
	static const char *const sql[] = {
		"SELECT position FROM results WHERE run_id = ? AND unit_id = ?",
		"SELECT position FROM results WHERE run_id = ? AND name = ? ORDER BY position LIMIT 1",
	};
	size_t k;
	int rc;

	*pos = 0;
	for (k = 0; k < 2 && !*pos; k++) {
		rd r;
		if ((rc = run_query(s, &r, "results", sql[k], run_id, err)))
			return rc;
		sqlite3_bind_text(r.st, 2, unit, -1, SQLITE_STATIC);
		if (store_rd_step(&r) > 0)
			*pos = store_rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
		sqlite3_finalize(r.st);
		if (r.rc)
			return r.rc;
	}
	return 0;
}

/* Unit pos's results row and items into res (one unit). */
static int load_one(kp_store *s, long run_id, sqlite3_int64 pos, kp_result *res, kp_err *err)
{
	rd r;
	catalogue c;
	buf note = {0};
	long long place = -1;
	int rc;

	memset(&c, 0, sizeof c);
	if (!(res->units = calloc(1, sizeof *res->units)) || !(res->sec = calloc(res->nsections + 1, sizeof *res->sec)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "results", "SELECT " V2_UNIT_COLS " FROM results WHERE run_id = ? AND position = ?",
			    run_id, err)))
		return rc;
	sqlite3_bind_int64(r.st, 2, pos);
	if (store_rd_step(&r) > 0) {
		read_unit(&r, res, &res->units[0]);
		parse_sections(&r, 20, res, 0);
		place = store_rd_int(&r, 21, -1, INT64_MAX, 0, NULL);
		res->nunits = 1;
	}
	sqlite3_finalize(r.st);
	if ((rc = r.rc) || place < 0 || (rc = load_catalogue(s, run_id, res, &c, err)) ||
	    (rc = store_prep(s, "SELECT template FROM run_notes WHERE run_id = ? AND id = ?", &c.one_note, err)) ||
	    (rc = run_query(s, &r, "unit_items", "SELECT items FROM unit_items WHERE run_id = ? AND scored = ?", run_id,
			    err)))
		goto out;
	sqlite3_bind_int64(r.st, 2, place);
	if (store_rd_step(&r) > 0)
		parse_items(&r, 0, s, run_id, &c, res, &res->units[0], &note);
	else if (!r.rc)
		r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_NO_ITEMS, s->path, res->units[0].id, run_id);
	sqlite3_finalize(r.st);
	rc = r.rc;
out:
	catalogue_free(&c);
	free(note.p);
	if (!rc && res->nunits) {
		res->categories[res->units[0].category].first = 0;
		res->categories[res->units[0].category].count = 1;
	}
	return rc;
}

int kp_store_load_unit(kp_store *s, long run_id, const char *unit, kp_result **out, kp_err *err)
{
	kp_result *res = NULL;
	sqlite3_int64 pos = 0;
	int rc;

	*out = NULL;
	if ((rc = kp_result_new(&res, err)))
		return rc;
	if ((rc = store_exec(s, "BEGIN", err)))
		goto out;
	if (!(rc = load_head(s, &run_id, res, err)) && !(rc = find_unit(s, run_id, unit, &pos, err)) && pos)
		rc = load_one(s, run_id, pos, res, err);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (!rc && !pos)
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RUN_NO_UNIT, s->path, run_id, unit);
out:
	if (rc) {
		kp_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* ---- from schema 1 ---- */

static int load_run_v1(kp_store *s, long id, kp_result **out, kp_err *err)
{
	kp_result *res = NULL;
	int rc;

	if ((rc = kp_result_new(&res, err)))
		return rc;
	if (!(rc = load_head(s, &id, res, err)) &&
	    !(rc = load_units(s, id, "results", "SELECT count(*) FROM v1_results WHERE run_id = ?",
			      "SELECT unit_id, name, category, rank, total, raw_total, base, deductions, bonus, grade, veto, "
			      "veto_reason, eligible, elig_rank, commended, boundary_tie, quota_dropped, tie_note, last_rank, "
			      "last_total FROM v1_results WHERE run_id = ? ORDER BY position", res, NULL, err)))
		rc = load_details_v1(s, id, res, err);
	if (rc) {
		kp_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* One run of schema 1, read whole, written again in the layout of 2. */
static int migrate_run(kp_store *s, long id, kp_err *err)
{
	kp_result *res = NULL;
	size_t i;
	int rc;

	if ((rc = load_run_v1(s, id, &res, err)))
		return rc;
	s->run_id = id;
	if (!(rc = run_writer_new(s, err))) {
		if (res->nunits > UINT_MAX)
			rc = kp_err_msg(err, KP_EDATA, KP_M_ENG_TOO_MANY_UNITS, res->nunits, UINT_MAX);
		for (i = 0; i < res->nunits && !rc; i++) { /* written in report order: scored there */
			res->units[i].scored = (unsigned)i;
			rc = write_items(s, i, res->units[i].id, res->units[i].items, res->units[i].nitems, err);
		}
		if (!rc)
			rc = save_run(s, res, 0, err);
	}
	store_run_free(s);
	kp_result_free(res);
	return rc;
}

int store_run_migrate_v1(kp_store *s, kp_err *err)
{
	rd r = {s, NULL, "runs", err, 0};
	long *ids = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = store_exec(s, "ALTER TABLE results RENAME TO v1_results", err)))
		return rc;
	for (i = 0; store_schema_v2_runs[i] && !rc; i++)
		rc = store_exec(s, store_schema_v2_runs[i], err);
	if (rc || (rc = store_prep(s, "SELECT id FROM runs ORDER BY id", &r.st, err)))
		return rc;
	while (store_rd_step(&r) > 0) {
		long *p = realloc(ids, (n + 1) * sizeof *p);
		if (!p) {
			r.rc = kp_err_oom(err);
			break;
		}
		ids = p;
		ids[n++] = (long)store_rd_int(&r, 0, 1, LONG_MAX, 0, NULL);
	}
	sqlite3_finalize(r.st);
	rc = r.rc;
	for (i = 0; i < n && !rc; i++)
		rc = migrate_run(s, ids[i], err);
	free(ids);
	if (rc || (rc = store_exec(s, "DROP TABLE v1_results", err)) || (rc = store_exec(s, "DROP TABLE points", err)) ||
	    (rc = store_exec(s, "DROP TABLE section_points", err)))
		return rc;
	for (i = 0; store_schema_v2_views[i] && !rc; i++)
		rc = store_exec(s, store_schema_v2_views[i], err);
	return rc;
}
