/* store_run.c — the results layout (schema 2, see store.h), and a run
 * written in it at close to the speed SQLite inserts (store_load.c reads
 * it back: one unit for explain, or without details for report and last
 * year, as asked).
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
 *   run_derived (optional, store.c) a run that keeps no items: the rule
 *               text, the statistics as 8-byte numbers, the import whose
 *               row scored + 1 each unit is scored again from (derive.c)
 *   result_blocks, result_ids (optional) such a run's units, 256 to a row,
 *               in place of its rows of results (store_blocks.c); written
 *               on both cores (save_blocks)
 *
 * Notes are cut into text and numbers as they are written: the template is
 * learnt per item by comparing a note with the previous one of the same
 * item, so that constant text and numbers stay in the template.  Rendering
 * a template with its values gives back the note byte for byte (checked by
 * construction: a note that does not match its item's template makes a new
 * one).  Owns the writer between kp_store_run_begin and finish/abort. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"
#include "kaoping/sb.h"
#include "store_int.h"

const char *const store_item_kinds[STORE_NKINDS] = {"indicator", "section_deduction", "deduction", "bonus", "veto",
						   "note"};

/* ---- a growing text buffer (store_buf, store_int.h) ---- */

char *store_buf_room(store_buf *b, size_t n)
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

void store_buf_add(store_buf *b, const char *s, size_t n)
{
	char *p = store_buf_room(b, n);

	if (!p)
		return;
	memcpy(p, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* Text that reads back as exactly v (kp_num_exact: printf-free for the
 * values scores take). */
static void buf_num(store_buf *b, double v)
{
	char t[32];

	kp_num_exact(v, t, sizeof t);
	store_buf_add(b, t, strlen(t));
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
static int tpl_match(const ctpl *c, const char *note, size_t len, store_buf *vals)
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
				store_buf_add(vals, " ", 1);
			store_buf_add(vals, note + pos, n);
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
static void tpl_make(store_buf *out, const char *note, const ntok *tok, size_t n, const char *prev, const ntok *ptok,
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
			store_buf_add(out, note[pos] == '{' ? "{{" : note + pos, note[pos] == '{' ? 2 : 1);
		if (k == n)
			break;
		if (same_shape && !mask[k] && tok[k].len == ptok[k].len &&
		    !memcmp(note + tok[k].off, prev + ptok[k].off, tok[k].len)) {
			store_buf_add(out, note + tok[k].off, tok[k].len);
		} else {
			store_buf_add(out, "{}", 2);
			if (same_shape)
				mask[k] = 1;
		}
		pos += tok[k].len;
	}
}

int store_tpl_render(store_buf *out, const char *tpl, const char *vals, size_t nv)
{
	const char *end = vals + nv;

	while (*tpl) {
		if (tpl[0] == '{' && tpl[1] == '}') {
			const char *sp = memchr(vals, ' ', (size_t)(end - vals));
			size_t n = (size_t)((sp ? sp : end) - vals);
			if (n == 0)
				return -1;
			store_buf_add(out, vals, n);
			vals += n + (sp != NULL);
			tpl += 2;
		} else if (tpl[0] == '{' && tpl[1] == '{') {
			store_buf_add(out, "{", 1), tpl += 2;
		} else if (tpl[0] == '{') {
			return -1;
		} else {
			size_t n = strcspn(tpl, "{");
			store_buf_add(out, tpl, n), tpl += n;
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

/* A run being written.  Its runs row waits in ins_run, bound, until the
 * run is finished: a page written early and changed again at the end
 * (the row's units) is one SQLite writes to the log twice in the
 * transaction, the second time in place, and a log changed in place has
 * every frame's checksum after it rewritten at the commit.  A large
 * run's early pages reach the log while the cache fills, so at 300k
 * units that was the whole log read back and written again (0.02 s and
 * a second wait for the disk of 0.02 s). */
struct store_run {
	sqlite3_stmt *ins_run, *ins_items, *ins_note;
	cat_item *cat;
	size_t ncat, capcat;
	size_t *hint;          /* per item index of a unit: its catalogue entry last time */
	size_t nhint;
	tpl_ent *tpl;          /* open addressing, by text */
	size_t ntpl, captpl;
	const char **scored;   /* unit id of each scored unit (borrowed) */
	size_t nscored, capscored;
	store_buf json, vals, tmp;
	ntok *tok;
	size_t captok;
	int derived;           /* kp_store_run_derive: no items, each unit's scored index kept */
};

void store_run_free(kp_store *s)
{
	struct store_run *w = s->run;
	size_t i;

	if (!w)
		return;
	sqlite3_finalize(w->ins_run);
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
				for (i = kp_hash_str(w->tpl[k].text) & (cap - 1); t[i].text; i = (i + 1) & (cap - 1))
					;
				t[i] = w->tpl[k];
			}
		free(w->tpl);
		w->tpl = t, w->captpl = cap;
	}
	for (i = kp_hash_str(text) & (w->captpl - 1); w->tpl[i].text; i = (i + 1) & (w->captpl - 1))
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
		cat_item *p = kp_grow(w->cat, &w->capcat, w->ncat + 1, sizeof *p);
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
	store_buf_add(&w->tmp, "", 0);
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
	char *p = store_buf_room(&w->json, 96 + (note ? w->vals.n : 0)), *p0 = p;

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
	store_buf_add(&w->json, "[", 1);
	for (i = 0; i < nitems; i++) {
		const kp_item *it = &items[i];
		if ((rc = cat_find(w, i, it, &c, err)))
			return rc;
		if (it->note && (rc = note_encode(s, &w->cat[c], it->note, &id, err)))
			return rc;
		item_json(w, c, it, it->note ? id : 0, i == 0);
	}
	store_buf_add(&w->json, "]", 1);
	return w->json.oom ? kp_err_oom(err) : 0;
}

/* Write one scored unit's items; scored is its place in scoring order. */
static int write_items(kp_store *s, size_t scored, const char *id, const kp_item *items, size_t nitems, kp_err *err)
{
	struct store_run *w = s->run;
	int rc;

	if (scored >= w->capscored) {
		size_t was = w->capscored;
		const char **p = kp_grow(w->scored, &w->capscored, scored + 1, sizeof *p);
		if (!p)
			return kp_err_oom(err);
		memset(p + was, 0, (w->capscored - was) * sizeof *p);
		w->scored = p;
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

	if (!s->run || s->run->derived)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_NO_RUN_OPEN);
	return write_items(s, unit, res->units[unit].id, items, nitems, err);
}

/* The statistics as the table keeps them: 8 bytes a number, little-endian
 * IEEE 754, so that every one reads back exactly. */
static unsigned char *stats_blob(const kp_score_stats *st, kp_err *err)
{
	unsigned char *b = malloc(st->n * 8 + 1);
	size_t i, k;

	if (!b) {
		kp_err_oom(err);
		return NULL;
	}
	for (i = 0; i < st->n; i++) {
		uint64_t u;
		memcpy(&u, &st->v[i], 8);
		for (k = 0; k < 8; k++)
			b[i * 8 + k] = (unsigned char)(u >> (8 * k));
	}
	return b;
}

int kp_store_run_derive(kp_store *s, const kp_rules *r, long import_id, const kp_score_stats *st,
			const char *version, kp_err *err)
{
	sqlite3_stmt *q = NULL;
	unsigned char *blob;
	int rc;

	if (!s->run || s->run->derived || s->run->nscored || !r->text || st->n > INT_MAX / 8 ||
	    r->text_len > INT_MAX)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_NO_RUN_OPEN);
	if (!(blob = stats_blob(st, err)))
		return KP_EINTERNAL;
	if (!(rc = store_ensure_table(s, "run_derived", err)) &&
	    !(rc = store_prep(s, "INSERT INTO run_derived(run_id, import_id, rules_text, stats, kaoping) "
			      "VALUES(?, ?, ?, ?, ?)", &q, err))) {
		sqlite3_bind_int64(q, 1, s->run_id);
		sqlite3_bind_int64(q, 2, import_id);
		sqlite3_bind_blob(q, 3, r->text, (int)r->text_len, SQLITE_STATIC);
		sqlite3_bind_blob(q, 4, blob, (int)(st->n * 8), SQLITE_STATIC);
		sqlite3_bind_text(q, 5, version, -1, SQLITE_STATIC);
		rc = store_step_done(s, q, err);
		sqlite3_finalize(q);
	}
	free(blob);
	if (!rc)
		s->run->derived = 1;
	return rc;
}

/* The id of a new run: past every run id the database holds, in runs and
 * in the tables of a run's.  A runs row deleted by another tool leaves its
 * rows behind; a new run given its id (what SQLite would give) would take
 * them for its own or collide with them. */
static int next_run_id(kp_store *s, sqlite3_int64 *id, kp_err *err)
{
	static const char *const optional[][2] = {
		{"run_derived", "SELECT max(run_id) FROM run_derived"},
		{"result_blocks", "SELECT max(run_id) FROM result_blocks"},
		{"result_ids", "SELECT max(run_id) FROM result_ids"},
	};
	rd r = {s, NULL, "runs", err, 0, NULL, NULL};
	sqlite3_int64 m = 0;
	size_t k;
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
	if (isnull)
		m = 0;
	for (k = 0; k < sizeof optional / sizeof optional[0] && !r.rc; k++) { /* the tables a file may lack */
		sqlite3_int64 t;
		int have;
		if ((rc = store_has_table(s, optional[k][0], &have, err)))
			return rc;
		if (!have)
			continue;
		r.table = optional[k][0];
		if ((rc = store_prep(s, optional[k][1], &r.st, err)))
			return rc;
		if (store_rd_step(&r) > 0 && (t = store_rd_int(&r, 0, LLONG_MIN, LONG_MAX - 1, 1, &isnull)) > m && !isnull)
			m = t;
		sqlite3_finalize(r.st);
	}
	*id = m < 0 ? 1 : m + 1;
	return r.rc;
}

/* Are the year's imports still ids (in id order, as kp_store_load read
 * them), in the transaction just begun?  Read before it, in a snapshot of
 * their own: an import, --replace or drop committed in between made the
 * run record datasets that were gone, or miss one that came, and a drop
 * told of no run that used what it dropped. */
static int still_loaded(kp_store *s, int year, const long *ids, size_t nids, kp_err *err)
{
	rd q = {s, NULL, "imports", err, 0, NULL, NULL};
	size_t i = 0;
	int rc, same = 1;

	if ((rc = store_prep(s, "SELECT id FROM imports WHERE year = ? AND replaced_at IS NULL ORDER BY id", &q.st, err)))
		return rc;
	sqlite3_bind_int(q.st, 1, year);
	while (same && store_rd_step(&q) > 0) {
		long id = (long)store_rd_int(&q, 0, 1, LONG_MAX, 0, NULL);
		if (q.rc)
			break;
		same = i < nids && ids[i++] == id;
	}
	sqlite3_finalize(q.st);
	if (q.rc)
		return q.rc;
	return same && i == nids ? 0 : kp_err_msg(err, KP_ETEMP, KP_M_STORE_IMPORTS_CHANGED, s->path, year);
}

int kp_store_run_begin(kp_store *s, const kp_rules *r, int year, const long *ids, size_t nids,
		       long *run_id, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 id = 0;
	char ts[32];
	size_t i;
	int rc;

	if (!s->in_tx) { /* else an import held its transaction open for this run */
		if ((rc = store_begin(s, err)))
			return rc;
		s->in_tx = 1;
		if ((rc = still_loaded(s, year, ids, nids, err)))
			goto fail;
	}
	if ((rc = store_stamp(s, err)) || (rc = next_run_id(s, &id, err)) || (rc = run_writer_new(s, err)))
		goto fail;
	s->run_id = *run_id = (long)id;
	/* the runs row is written when the run is finished (save_run), with
	 * its units: see struct store_run */
	store_now_iso(ts, sizeof ts);
	if ((rc = store_prep(s, "INSERT INTO runs(id, year, title, rules_file, rules_sha256, precision, scored_at, "
			     "units, last_year) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &s->run->ins_run, err)))
		goto fail;
	st = s->run->ins_run;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_text(st, 3, r->title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->file, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, r->precision);
	sqlite3_bind_text(st, 7, ts, -1, SQLITE_TRANSIENT);
	st = NULL;
	if ((rc = store_prep(s, "INSERT INTO run_imports(run_id, import_id) VALUES(?, ?)", &st, err)))
		goto fail;
	for (i = 0; i < nids && !rc; i++) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, ids[i]);
		rc = store_step_done(s, st, err);
	}
	sqlite3_finalize(st);
	if (!rc)
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
		if (c->kind < 0 || (size_t)c->kind >= STORE_NKINDS ||
		    (c->section >= 0 && (size_t)c->section >= res->nsections)) {
			rc = kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_ITEM_KIND, c->name);
			break;
		}
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 3, store_item_kinds[c->kind], -1, SQLITE_STATIC);
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
		if (w->derived) /* its row of the import: derive.c finds it by this */
			place[i] = (long long)pos;
		else
			place[i] = pos < w->nscored && w->scored[pos] == res->units[i].id ? (long long)pos : -1;
	}
}

/* The JSON array of a unit's section points. */
static void sections_json(store_buf *b, const kp_result *res, size_t u)
{
	size_t k;

	b->n = 0;
	store_buf_add(b, "[", 1);
	for (k = 0; k < res->nsections; k++) {
		if (k)
			store_buf_add(b, ",", 1);
		buf_num(b, KP_SEC(res, u, k));
	}
	store_buf_add(b, "]", 1);
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
	bind_opt_text(st, 14, KP_MORE(u)->veto_reason);
	sqlite3_bind_int(st, 15, u->eligible);
	sqlite3_bind_int(st, 16, u->elig_rank);
	sqlite3_bind_int(st, 17, u->commended);
	sqlite3_bind_int(st, 18, u->boundary_tie);
	sqlite3_bind_int(st, 19, u->quota_dropped);
	bind_opt_text(st, 20, KP_MORE(u)->tie_note);
	if (KP_MORE(u)->has_last_rank)
		sqlite3_bind_int(st, 21, KP_MORE(u)->last_rank);
	else
		sqlite3_bind_null(st, 21);
	if (KP_MORE(u)->has_last)
		sqlite3_bind_double(st, 22, KP_MORE(u)->last_total);
	else
		sqlite3_bind_null(st, 22);
}

/* ---- a large derived run: blocks, written on both cores ----
 * The text of the blocks and of the id buckets (store_blocks.c) is most of
 * the work of storing such a run (0.6 s of 1M units' 0.75): a second
 * thread writes pieces of it while this one writes pieces too and inserts
 * them, in order, through a ring of BLOCK_RING buffers.  Nothing but the
 * time depends on which thread wrote a piece. */

#define BLOCK_RING 16

typedef struct block_job {
	const kp_result *res;
	const long long *place;       /* each unit's scored */
	size_t nblocks, nbuckets;     /* the pieces: the blocks, then the buckets */
	const size_t *order, *end;    /* unit indexes by bucket; where bucket k ends in order */
	store_buf buf[BLOCK_RING];    /* piece k in buf[k % BLOCK_RING] */
	int ready[BLOCK_RING];
	size_t claim, insert;         /* the next piece to write, to insert */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} block_job;

/* Piece k's text into b: a block of units, or the [id, position] pairs of
 * a bucket (empty when it has none). */
static void block_piece(const block_job *j, size_t k, store_buf *b)
{
	size_t i, from, to;

	b->n = 0;
	if (k < j->nblocks) {
		from = k * STORE_BLOCK_UNITS;
		to = j->res->nunits - from < STORE_BLOCK_UNITS ? j->res->nunits : from + STORE_BLOCK_UNITS;
		for (i = from; i < to; i++) {
			if (i + KP_UNIT_AHEAD < to) /* a unit's write waited on two cache misses: a third of the blocks' time */
				kp_unit_prefetch(&j->res->units[i + KP_UNIT_AHEAD]);
			store_buf_add(b, i == from ? "[" : ",", 1);
			store_block_unit(b, j->res, i, j->place[i]);
		}
		store_buf_add(b, "]", 1);
		return;
	}
	k -= j->nblocks;
	from = k ? j->end[k - 1] : 0, to = j->end[k];
	for (i = from; i < to; i++) {
		if (i + KP_UNIT_AHEAD < to)
			kp_unit_prefetch(&j->res->units[j->order[i + KP_UNIT_AHEAD]]);
		store_buf_add(b, i == from ? "[[" : ",[", 2);
		store_block_str(b, j->res->units[j->order[i]].id);
		store_buf_add(b, ",", 1);
		store_block_int(b, (long long)j->order[i] + 1);
		store_buf_add(b, "]", 1);
	}
	if (to > from)
		store_buf_add(b, "]", 1);
}

/* Claim the next piece that has a free buffer and write it; 0 when there
 * is none to claim now.  Called and returns with j->mu held. */
static int block_claim(block_job *j)
{
	size_t total = j->nblocks + j->nbuckets, k;

	if (j->stop || j->claim >= total || j->claim >= j->insert + BLOCK_RING)
		return 0;
	k = j->claim++;
	pthread_mutex_unlock(&j->mu);
	block_piece(j, k, &j->buf[k % BLOCK_RING]);
	pthread_mutex_lock(&j->mu);
	j->ready[k % BLOCK_RING] = 1;
	pthread_cond_broadcast(&j->cv);
	return 1;
}

static void *block_worker(void *ud)
{
	block_job *j = ud;

	pthread_mutex_lock(&j->mu);
	while (!j->stop && j->claim < j->nblocks + j->nbuckets)
		if (!block_claim(j))
			pthread_cond_wait(&j->cv, &j->mu);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* Insert the pieces in order, writing pieces while the next is not ready.
 * result_ids is made (when the file has none) as its first bucket comes,
 * not with result_blocks: a table's new pages, made before a large run's
 * blocks and changed after them, would be written to the log twice (see
 * struct store_run). */
static int block_insert_all(kp_store *s, block_job *j, sqlite3_stmt *blocks, sqlite3_stmt **ids, kp_err *err)
{
	size_t total = j->nblocks + j->nbuckets, k;
	int rc = 0;

	for (k = 0; k < total && !rc; k++) {
		store_buf *b = &j->buf[k % BLOCK_RING];
		sqlite3_stmt *st = blocks;
		if (k >= j->nblocks && !*ids &&
		    ((rc = store_ensure_table(s, "result_ids", err)) ||
		     (rc = store_prep(s, "INSERT INTO result_ids VALUES(?, ?, ?)", ids, err))))
			break;
		if (k >= j->nblocks)
			st = *ids;
		pthread_mutex_lock(&j->mu);
		while (!j->ready[k % BLOCK_RING])
			if (!block_claim(j))
				pthread_cond_wait(&j->cv, &j->mu);
		pthread_mutex_unlock(&j->mu);
		if (b->oom || b->n > INT_MAX)
			rc = kp_err_oom(err);
		else if (b->n) {
			sqlite3_bind_int64(st, 1, s->run_id);
			sqlite3_bind_int64(st, 2, k < j->nblocks ? (sqlite3_int64)(k * STORE_BLOCK_UNITS) + 1
							     : (sqlite3_int64)(k - j->nblocks));
			sqlite3_bind_text(st, 3, b->p, (int)b->n, SQLITE_STATIC);
			rc = store_step_done(s, st, err);
		}
		pthread_mutex_lock(&j->mu);
		j->ready[k % BLOCK_RING] = 0;
		j->insert++;
		if (rc)
			j->stop = 1;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
	if (!rc && !*ids) /* no bucket: readers still find the table */
		rc = store_ensure_table(s, "result_ids", err);
	return rc;
}

/* A derived run's units (place[] their scored) as blocks of
 * STORE_BLOCK_UNITS in report order, and their ids in buckets, each
 * bucket's ids in report order (store_blocks.c). */
static int save_blocks(kp_store *s, const kp_result *res, const long long *place, kp_err *err)
{
	block_job j;
	sqlite3_stmt *blocks = NULL, *ids = NULL;
	size_t i, k, *bucket = NULL, *end = NULL, *order = NULL;
	pthread_t worker;
	int rc, threaded = 0;

	memset(&j, 0, sizeof j);
	j.res = res, j.place = place;
	j.nblocks = (res->nunits + STORE_BLOCK_UNITS - 1) / STORE_BLOCK_UNITS;
	j.nbuckets = store_block_nbuckets(res->nunits);
	if ((rc = store_ensure_table(s, "result_blocks", err)) || (rc = store_ensure_table(s, "block_results", err)) ||
	    (rc = store_prep(s, "INSERT INTO result_blocks VALUES(?, ?, ?)", &blocks, err)))
		goto out;
	/* the ids by bucket: counted, then placed (a counting sort) */
	if (!(bucket = malloc((res->nunits + 1) * sizeof *bucket)) || !(end = calloc(j.nbuckets + 1, sizeof *end)) ||
	    !(order = malloc((res->nunits + 1) * sizeof *order))) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < res->nunits; i++)
		end[(bucket[i] = store_block_bucket(res->units[i].id, j.nbuckets)) + 1]++;
	for (k = 0; k < j.nbuckets; k++)
		end[k + 1] += end[k];
	for (i = 0; i < res->nunits; i++) /* end[k] moves from where bucket k starts to where it ends */
		order[end[bucket[i]]++] = i;
	j.order = order, j.end = end;
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	/* without a second thread this one writes every piece */
	threaded = j.nblocks > 1 && pthread_create(&worker, NULL, block_worker, &j) == 0;
	rc = block_insert_all(s, &j, blocks, &ids, err);
	if (threaded) {
		pthread_mutex_lock(&j.mu);
		j.stop = 1;
		pthread_cond_broadcast(&j.cv);
		pthread_mutex_unlock(&j.mu);
		pthread_join(worker, NULL);
	}
	pthread_cond_destroy(&j.cv);
	pthread_mutex_destroy(&j.mu);
out:
	sqlite3_finalize(blocks);
	sqlite3_finalize(ids);
	for (k = 0; k < BLOCK_RING; k++)
		free(j.buf[k].p);
	free(bucket), free(end), free(order);
	return rc;
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
	if (w->derived) {
		rc = save_blocks(s, res, place, err);
		goto out;
	}
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

/* The run's units and last year into st, its parameters ?8 and ?9. */
static int put_units(kp_store *s, sqlite3_stmt *st, const kp_result *res, kp_err *err)
{
	sqlite3_bind_int64(st, 8, (sqlite3_int64)res->nunits);
	if (res->last_year)
		sqlite3_bind_int(st, 9, res->last_year);
	else
		sqlite3_bind_null(st, 9);
	return store_step_done(s, st, err);
}

/* Everything of a run but what the sink wrote, when scoring is done: a
 * run being written (meta) gets its runs row, one migrated from schema 1
 * has its row and gets the number of its units. */
static int save_run(kp_store *s, kp_result *res, int meta, kp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((meta && (rc = save_meta(s, res, err))) || (rc = save_catalogue(s, res, err)) ||
	    (rc = save_units(s, res, err)))
		return rc;
	if (meta)
		return put_units(s, s->run->ins_run, res, err);
	if ((rc = store_prep(s, "UPDATE runs SET units = ?8, last_year = ?9 WHERE id = ?1", &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, s->run_id);
	rc = put_units(s, st, res, err);
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
	res->run_id = s->run_id;
	return 0;
fail:
	kp_store_run_abort(s);
	return rc;
}

/* ---- the run's pages to disk while the report is written ----
 * A large run's pages are mostly still in SQLite's cache when it is
 * finished: the commit writes them to the log, and the checkpoint after
 * it first waits for the log to reach the disk (fdatasync), then copies
 * it into the file.  The report, which must be whole before the commit,
 * is written by one core while the other has nothing to do: this thread
 * does those two steps of the commit meanwhile (at 300k units 0.08 s of
 * a score's 0.6, half of it the wait for the disk).  Nothing is
 * committed here: a run whose report fails is rolled back as before, and
 * a log synced early is only on disk sooner.  An error here (a full
 * disk) is the one the commit would have met, said the same way. */

static void *flush_main(void *ud)
{
	kp_store *s = ud;
	sqlite3_file *log = NULL;
	int rc = sqlite3_db_cacheflush(s->db), eno = errno;

	if (rc == SQLITE_BUSY) /* pages it could not write now: the commit writes them */
		rc = SQLITE_OK;
	if (rc == SQLITE_OK &&
	    sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) == SQLITE_OK && log &&
	    log->pMethods && log->pMethods->xSync) {
		rc = log->pMethods->xSync(log, SQLITE_SYNC_NORMAL);
		eno = errno;
	}
	s->flush_rc = rc;
	s->flush_eno = rc == SQLITE_OK ? 0 : eno;
	return NULL;
}

void kp_store_run_flush_begin(kp_store *s, size_t units)
{
	if (s->flushing || !s->in_tx || s->run || units < KP_STORE_FLUSH_UNITS)
		return;
	s->flush_rc = SQLITE_OK, s->flush_eno = 0;
	s->flushing = pthread_create(&s->flush_tid, NULL, flush_main, s) == 0;
}

int kp_store_run_flush_end(kp_store *s, kp_err *err)
{
	if (!s->flushing)
		return 0;
	pthread_join(s->flush_tid, NULL);
	s->flushing = 0;
	return s->flush_rc == SQLITE_OK ? 0 : store_db_error_eno(s, s->flush_rc, s->flush_eno, err,
								   KP_MSG_STORE_CANNOT_WRITE_DB);
}

int kp_store_run_commit(kp_store *s, kp_err *err)
{
	int rc;

	if ((rc = kp_store_run_flush_end(s, err))) {
		kp_store_run_abort(s);
		return rc;
	}
	if (!s->in_tx || s->run)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_STORE_NO_RUN_OPEN);
	if ((rc = store_commit(s, err))) {
		kp_store_run_abort(s);
		return rc;
	}
	s->in_tx = 0;
	return 0;
}

void kp_store_run_abort(kp_store *s)
{
	kp_store_run_flush_end(s, NULL);
	store_run_free(s);
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}


/* ---- from schema 1 ---- */

/* One run of schema 1, read whole, written again in the layout of 2. */
static int migrate_run(kp_store *s, long id, kp_err *err)
{
	kp_result *res = NULL;
	size_t i;
	int rc;

	if ((rc = store_load_run_v1(s, id, &res, err)))
		return rc;
	s->run_id = id;
	if (!(rc = run_writer_new(s, err))) {
		if (res->nunits > UINT_MAX)
			rc = kp_err_msg(err, KP_EDATA, KP_M_ENG_TOO_MANY_UNITS, res->nunits, UINT_MAX);
		for (i = 0; i < res->nunits && !rc; i++) { /* written in report order: scored there */
			res->units[i].scored = (unsigned)i;
			rc = write_items(s, i, res->units[i].id, KP_MORE(&res->units[i])->items, KP_MORE(&res->units[i])->nitems, err);
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
	rd r = {s, NULL, "runs", err, 0, NULL, NULL};
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
