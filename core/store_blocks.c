/* store_blocks.c — the units of a large derived run kept as blocks (the
 * optional tables of store.c), the text store_run.c writes and
 * store_load.c reads back.  A row per unit in results with its index cost
 * score more than scoring itself (SQLite's own floor, scripts/bench/
 * floor.c, was 2.75× run at 1M units); a row per block of units costs a
 * hundredth of the B-tree work.
 *
 *   result_blocks  (run_id, first, units): the units at positions first,
 *                  first + 1, ... in report order, a JSON array of rows,
 *                  each the array of results' columns unit_id to
 *                  last_total, the section points (an array), scored
 *   result_ids     (run_id, bucket, ids): [[unit_id, position], ...] for
 *                  the units whose id hashes to bucket (store_block_bucket),
 *                  one bucket per STORE_BLOCK_UNITS units: explain finds a
 *                  unit in one short row
 *   block_results  a view of the blocks as rows, the columns of results
 *
 * A block is read strictly, as written here (no spaces; strings with JSON's
 * escapes), into cells that store.c's checked readers take as a row (rd):
 * every value is then checked as a value of results is.  Owns the blocks
 * and ids it parses until store_block_free. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"
#include "kaoping/sb.h"
#include "store_int.h"

const char *const store_block_cols[STORE_BLOCK_COLS] = {
	"unit_id", "name", "category", "rank", "total", "raw_total", "base", "deductions", "bonus", "grade",
	"veto", "veto_reason", "eligible", "elig_rank", "commended", "boundary_tie", "quota_dropped", "tie_note",
	"last_rank", "last_total", "sections", "scored", "position"};

/* ---- writing ----
 * A unit is written in one piece: room for its longest text is made
 * first (an escape is 6 bytes a byte at most, a number 32), then its
 * bytes go straight in. */

#define NUM_ROOM 32

static char *w_lit(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *w_int(char *p, long long v)
{
	char t[24], *q = t + sizeof t;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		*--q = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--q = '-';
	return w_lit(p, q, (size_t)(t + sizeof t - q));
}

static char *w_num(char *p, double v)
{
	return p + kp_num_exact_n(v, p, NUM_ROOM);
}

static char *w_str(char *p, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			*p++ = (char)c;
		else if (c == '"' || c == '\\')
			*p++ = '\\', *p++ = (char)c;
		else
			p = w_lit(p, "\\u00", 4), *p++ = hex[c >> 4], *p++ = hex[c & 15];
	}
	*p++ = '"';
	return p;
}

static char *w_opt_str(char *p, const char *s)
{
	return s ? w_str(p, s) : w_lit(p, "null", 4);
}

static size_t str_room(const char *s)
{
	return s ? 6 * strlen(s) + 2 : 4;
}

void store_block_str(store_buf *b, const char *s)
{
	char *p = store_buf_room(b, str_room(s));

	if (p)
		b->n = (size_t)(w_str(p, s) - b->p);
}

void store_block_int(store_buf *b, long long v)
{
	char *p = store_buf_room(b, 24);

	if (p)
		b->n = (size_t)(w_int(p, v) - b->p);
}

void store_block_unit(store_buf *b, const kp_result *res, size_t i, long long place)
{
	const kp_unit_result *u = &res->units[i];
	const kp_unit_more *m = KP_MORE(u);
	const char *cat = res->categories[u->category].name, *grade = u->grade >= 0 ? res->grades[u->grade] : NULL;
	const int flags[] = {u->eligible, u->elig_rank, u->commended, u->boundary_tie, u->quota_dropped};
	size_t k, room = str_room(u->id) + str_room(u->name) + str_room(cat) + str_room(grade) +
			 str_room(m->veto_reason) + str_room(m->tie_note) + (res->nsections + 16) * (NUM_ROOM + 1);
	char *p = store_buf_room(b, room);

	if (!p)
		return;
	*p++ = '[';
	p = w_str(p, u->id), *p++ = ',';
	p = w_opt_str(p, u->name), *p++ = ',';
	p = w_str(p, cat), *p++ = ',';
	p = w_int(p, u->rank), *p++ = ',';
	p = w_num(p, u->total), *p++ = ',';
	p = w_num(p, u->raw), *p++ = ',';
	p = w_num(p, u->base), *p++ = ',';
	p = w_num(p, u->deductions), *p++ = ',';
	p = w_num(p, u->bonus), *p++ = ',';
	p = w_opt_str(p, grade), *p++ = ',';
	p = w_int(p, u->veto), *p++ = ',';
	p = w_opt_str(p, m->veto_reason);
	for (k = 0; k < sizeof flags / sizeof flags[0]; k++)
		*p++ = ',', p = w_int(p, flags[k]);
	*p++ = ',';
	p = w_opt_str(p, m->tie_note), *p++ = ',';
	p = m->has_last_rank ? w_int(p, m->last_rank) : w_lit(p, "null", 4);
	*p++ = ',';
	p = m->has_last ? w_num(p, m->last_total) : w_lit(p, "null", 4);
	p = w_lit(p, ",[", 2);
	for (k = 0; k < res->nsections; k++) {
		if (k)
			*p++ = ',';
		p = w_num(p, KP_SEC(res, i, k));
	}
	p = w_lit(p, "],", 2);
	p = w_int(p, place);
	*p++ = ']';
	*p = '\0';
	b->n = (size_t)(p - b->p);
}

/* FNV-1a of the id's bytes: part of the file's format, never to change. */
size_t store_block_bucket(const char *id, size_t nbuckets)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return nbuckets ? h % nbuckets : 0;
}

size_t store_block_nbuckets(size_t nunits)
{
	return nunits / STORE_BLOCK_UNITS + 1;
}

/* ---- reading ---- */


typedef struct bp {
	const char *p, *end;
	store_buf *text;
	int bad;
} bp;

static int bp_ch(bp *j, char c)
{
	if (j->bad || j->p >= j->end || *j->p != c)
		return 0;
	j->p++;
	return 1;
}

static void bp_want(bp *j, char c)
{
	if (!bp_ch(j, c))
		j->bad = 1;
}

static int bp_lit(bp *j, const char *w)
{
	size_t n = strlen(w);

	if (j->bad || (size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return 0;
	j->p += n;
	return 1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A JSON number into c: INTEGER when it has no fraction or exponent and
 * fits, else REAL (as SQLite reads one); finite, or bad. */
static void bp_num(bp *j, store_cell *c)
{
	const char *q = j->p, *start = j->p;
	int whole = 1;
	char tmp[400];
	size_t n;

	q += q < j->end && *q == '-';
	if (q < j->end && *q == '0')
		q++;
	else if (q < j->end && is_digit(*q))
		while (q < j->end && is_digit(*q))
			q++;
	else
		goto bad;
	if (q < j->end && *q == '.') {
		whole = 0;
		if (++q >= j->end || !is_digit(*q))
			goto bad;
		while (q < j->end && is_digit(*q))
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		whole = 0;
		if (++q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || !is_digit(*q))
			goto bad;
		while (q < j->end && is_digit(*q))
			q++;
	}
	if ((n = (size_t)(q - start)) >= sizeof tmp) /* no double needs so many */
		goto bad;
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	j->p = q;
	errno = 0;
	if (whole) {
		c->i = strtoll(tmp, NULL, 10);
		if (errno != ERANGE) {
			c->type = SQLITE_INTEGER;
			return;
		}
	}
	c->type = SQLITE_FLOAT;
	c->d = strtod(tmp, NULL);
	if (isfinite(c->d))
		return;
bad:
	j->bad = 1;
}

static int hex4(const char *p, unsigned *v)
{
	int k;

	*v = 0;
	for (k = 0; k < 4; k++) {
		char c = p[k];
		int d = is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		*v = *v * 16 + (unsigned)d;
	}
	return 1;
}

static void put_utf8(store_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80)
		u[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 63)), n = 2;
	else if (cp < 0x10000)
		u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 63)), u[2] = (char)(0x80 | (cp & 63)), n = 3;
	else
		u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 63)), u[2] = (char)(0x80 | (cp >> 6 & 63)),
		u[3] = (char)(0x80 | (cp & 63)), n = 4;
	store_buf_add(b, u, n);
}

/* A JSON string, unescaped into j->text with its NUL: c gets its offset
 * there (in i, made a pointer once the text stops moving) and length.
 * Control characters must be escaped; a lone surrogate is bad. */
static void bp_str(bp *j, store_cell *c)
{
	size_t off = j->text->n;

	bp_want(j, '"');
	while (!j->bad) {
		const char *run = j->p;
		while (j->p < j->end && *j->p != '"' && *j->p != '\\' && (unsigned char)*j->p >= 0x20)
			j->p++;
		store_buf_add(j->text, run, (size_t)(j->p - run));
		if (j->p >= j->end || (unsigned char)*j->p < 0x20) {
			j->bad = 1;
			break;
		}
		if (*j->p++ == '"')
			break;
		if (j->p >= j->end) {
			j->bad = 1;
			break;
		}
		switch (*j->p++) {
		case '"': store_buf_add(j->text, "\"", 1); break;
		case '\\': store_buf_add(j->text, "\\", 1); break;
		case '/': store_buf_add(j->text, "/", 1); break;
		case 'b': store_buf_add(j->text, "\b", 1); break;
		case 'f': store_buf_add(j->text, "\f", 1); break;
		case 'n': store_buf_add(j->text, "\n", 1); break;
		case 'r': store_buf_add(j->text, "\r", 1); break;
		case 't': store_buf_add(j->text, "\t", 1); break;
		case 'u': {
			unsigned cp, lo;
			if (j->end - j->p < 4 || !hex4(j->p, &cp)) {
				j->bad = 1;
				break;
			}
			j->p += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				j->bad = 1;
			else if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' || !hex4(j->p + 2, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF) {
					j->bad = 1;
					break;
				}
				j->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			if (!j->bad)
				put_utf8(j->text, cp);
			break;
		}
		default: j->bad = 1;
		}
	}
	c->type = SQLITE_TEXT;
	c->i = (sqlite3_int64)off;
	c->n = j->text->n - off;
	store_buf_room(j->text, 1);
	if (!j->text->oom)
		j->text->p[j->text->n++] = '\0'; /* the cell's NUL, then the next */
}

/* The section points: an array of numbers, kept as its text (TEXT, as
 * results.sections holds it; store_load.c parses it with the run's
 * section count in hand). */
static void bp_sections(bp *j, store_cell *c)
{
	const char *start = j->p;
	size_t off = j->text->n;
	store_cell num;

	bp_want(j, '[');
	if (!bp_ch(j, ']')) {
		do
			bp_num(j, &num);
		while (bp_ch(j, ','));
		bp_want(j, ']');
	}
	if (j->bad)
		return;
	store_buf_add(j->text, start, (size_t)(j->p - start));
	store_buf_room(j->text, 1);
	if (j->text->oom)
		return;
	j->text->p[j->text->n++] = '\0';
	c->type = SQLITE_TEXT, c->i = (sqlite3_int64)off, c->n = (size_t)(j->p - start);
}

static void bp_value(bp *j, store_cell *c, int col)
{
	memset(c, 0, sizeof *c);
	if (j->bad || j->p >= j->end)
		j->bad = 1;
	else if (col == STORE_BLOCK_SECTIONS)
		bp_sections(j, c);
	else if (*j->p == '"')
		bp_str(j, c);
	else if (bp_lit(j, "null"))
		c->type = SQLITE_NULL;
	else
		bp_num(j, c);
}

void store_block_free(store_block *b)
{
	free(b->cells);
	free(b->text.p);
	memset(b, 0, sizeof *b);
}

/* Text offsets made pointers, once the text no longer moves. */
static void fix_text(store_cell *c, size_t n, const store_buf *text)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (c[k].type == SQLITE_TEXT)
			c[k].t = text->p + c[k].i;
}

/* The cells of row b->n (width cells a row) made room for: NULL when
 * memory ran out. */
static store_cell *row_room(store_block *b, size_t width)
{
	size_t cap = b->cap;
	store_cell *p = kp_grow(b->cells, &cap, (b->n + 1) * width, sizeof *p);

	if (!p)
		return NULL;
	b->cells = p, b->cap = cap;
	return p + b->n * width;
}

/* The end of a parse, after its last row: 0 and the text cells pointing
 * into the text, 1 when the text was not what kaoping writes, -1 when
 * memory ran out. */
static int parse_end(bp *j, store_block *b, size_t width)
{
	bp_want(j, ']');
	if (b->text.oom)
		return -1;
	if (j->bad || j->p != j->end)
		return 1;
	fix_text(b->cells, b->n * width, &b->text);
	return 0;
}

int store_block_parse(store_block *b, const char *t, size_t len, sqlite3_int64 first)
{
	bp j = {t, t + len, &b->text, 0};

	b->n = 0, b->text.n = 0, b->text.oom = 0;
	if (first < 1 || first > INT64_MAX - (sqlite3_int64)len) /* each position fits */
		return 1;
	bp_want(&j, '['); /* a block has a unit at least */
	do {
		store_cell *c = row_room(b, STORE_BLOCK_COLS);
		int col;
		if (!c)
			return -1;
		bp_want(&j, '[');
		for (col = 0; col < STORE_BLOCK_POSITION; col++) {
			if (col)
				bp_want(&j, ',');
			bp_value(&j, &c[col], col);
		}
		bp_want(&j, ']');
		memset(&c[STORE_BLOCK_POSITION], 0, sizeof *c);
		c[STORE_BLOCK_POSITION].type = SQLITE_INTEGER;
		c[STORE_BLOCK_POSITION].i = first + (sqlite3_int64)b->n;
		b->n++;
	} while (!j.bad && bp_ch(&j, ','));
	return parse_end(&j, b, STORE_BLOCK_COLS);
}

int store_ids_parse(store_ids *x, const char *t, size_t len)
{
	bp j = {t, t + len, &x->text, 0};

	x->n = 0, x->text.n = 0, x->text.oom = 0;
	bp_want(&j, '['); /* a bucket has an id at least: none has no row */
	do {
		store_cell *c = row_room(x, 2);
		if (!c)
			return -1;
		memset(c, 0, 2 * sizeof *c);
		x->n++;
		bp_want(&j, '[');
		if (j.p < j.end && *j.p == '"')
			bp_str(&j, &c[0]);
		else
			j.bad = 1;
		bp_want(&j, ',');
		if (!j.bad)
			bp_num(&j, &c[1]);
		bp_want(&j, ']');
		if (!j.bad && (c[1].type != SQLITE_INTEGER || c[1].i < 1))
			j.bad = 1;
	} while (!j.bad && bp_ch(&j, ','));
	return parse_end(&j, x, 2);
}
