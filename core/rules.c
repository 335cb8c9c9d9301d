/* rules.c — loading a rule file in the sandbox and compiling its
 * declarations (recorded by scripts/prelude.lua) into kp_rules.
 * Owns the kp_rules it returns; see include/kaoping/rules.h. */
#include "kaoping/rules.h"

#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kaoping/date.h"
#include "kaoping/enc.h"
#include "kaoping/infile.h"
#include "kaoping/num.h"
#include "kaoping/sb.h"
#include "rules_int.h"

extern const char kp_prelude_lua[];
extern const size_t kp_prelude_lua_len;

#define MAX_RULES_FILE (16u << 20)

/* where(level) -> "file:line" of the rule file calling the DSL; a C
 * function there (pcall(indicator, "x")) has no line: the rule code that
 * called it has ("?" was the declaration's place in every message). */
static int l_where(lua_State *L)
{
	lua_Debug ar;
	int level = (int)luaL_optinteger(L, 1, 1);

	for (; lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar); level++)
		if (ar.currentline > 0)
			return lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline), 1;
	lua_pushliteral(L, "?");
	return 1;
}

/* msg(NAME, ...) -> the text of catalogue message NAME ("RULE_P_..."), in
 * the current language, each %s replaced by the next argument (as
 * tostring would); "%%" is "%".  The prelude's words come from here. */
static int l_msg(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1), *f;
	enum kp_msgid id;
	int arg = 2, top = lua_gettop(L);
	luaL_Buffer b;

	if (strncmp(name, "RULE_P_", 7) != 0 || !kp_msg_lookup(name, &id))
		return luaL_error(L, "prelude: no message %s", name); /* not words */
	f = kp_msg_fmt(id);
	luaL_buffinit(L, &b);
	for (; *f; f++) {
		if (f[0] == '%' && f[1] == 's') {
			if (arg > top)
				return luaL_error(L, "prelude: %s needs more arguments", name); /* not words */
			luaL_tolstring(L, arg++, NULL);
			luaL_addvalue(&b);
			f++;
		} else if (f[0] == '%' && f[1] == '%') {
			luaL_addchar(&b, '%');
			f++;
		} else {
			luaL_addchar(&b, *f);
		}
	}
	luaL_pushresult(&b);
	return 1;
}

int kp_rules_read_file(const char *path, char **buf, size_t *len, kp_err *err)
{
	struct stat st;
	FILE *fp = kp_infile_open(path, kp_msg_fmt(KP_MSG_RULE_A_RULE_FILE), &st, err);
	size_t cap = 1 << 16, n = 0;
	char *p = NULL;

	if (!fp)
		return KP_ENOINPUT;
	for (;;) {
		char *q = realloc(p, cap);
		size_t got;
		if (!q) {
			free(p);
			fclose(fp);
			return kp_err_oom(err);
		}
		p = q;
		got = fread(p + n, 1, cap - n, fp);
		n += got;
		if (got == 0 || n < cap)
			break;
		if (cap >= MAX_RULES_FILE) {
			free(p);
			fclose(fp);
			return kp_err_msg(err, KP_ERULE, KP_M_RULE_TOO_LARGE, path, MAX_RULES_FILE >> 20);
		}
		cap *= 2;
	}
	if (ferror(fp)) {
		free(p);
		fclose(fp);
		return kp_err_msg(err, KP_ENOINPUT, KP_M_RULE_CANNOT_READ, path, strerror(errno));
	}
	fclose(fp);
	*buf = p, *len = n;
	return 0;
}

/* ---- reading the spec tables (errors carry the declaration's place) ---- */

typedef struct compiler {
	kp_rules *r;
	lua_State *L;
	kp_err *err;
	int spec;      /* stack index of the spec table */
	kp_strset secs; /* the sections' names, in order (section_index) */
	kp_strset cats; /* the categories' names (category_index) */
	kp_strset grades; /* the grades' names so far (compile_grade: named twice) */
	size_t entries; /* the helpers' entries compiled so far (entries_room) */
} compiler;

/* The entries of every helper use (bands, dates, lookup keys, points by
 * rank, checklist conditions, blend parts) together.  A helper is
 * compiled for each declaration that uses it: one blend of 16,384 parts
 * in 512 indicators took 930 MB outside --max-memory (which counts Lua's
 * memory), and its scoring time outside --timeout (which counts rule
 * code).  Real rule files hold hundreds. */
#define RULES_MAX_ENTRIES 100000

static int entries_room(compiler *c, size_t n, const char *where)
{
	if (n > RULES_MAX_ENTRIES - c->entries)
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_TOO_MANY_ENTRIES, where, RULES_MAX_ENTRIES);
	c->entries += n;
	return 0;
}

static char *dupstr(compiler *c, const char *s)
{
	char *p = s ? strdup(s) : NULL;

	if (s && !p)
		kp_err_oom(c->err);
	return p;
}

/* 1 when name is blank: nothing but white space, ASCII or Unicode (U+3000,
 * NBSP ...), and characters no font draws (kp_enc_name_key leaves nothing
 * of it); 0 when not; -1 out of memory. */
static int blank_name(const char *name)
{
	char *key = kp_enc_name_key(name);
	int blank = key ? !*key : -1;

	free(key);
	return blank;
}

/* A column name with white space at an end can never be read: the readers
 * take a file's headers without it.  Said here, with the name to write,
 * rather than as a column no file has when scoring, and before a template
 * makes a form whose header comes back trimmed.  0 or KP_ERULE. */
static int col_ends_ok(compiler *c, const char *col, const char *where)
{
	size_t n = strlen(col), a = 0, b = n;

	while (a < n && strchr(" \t\r\n", col[a]))
		a++;
	while (b > a && strchr(" \t\r\n", col[b - 1]))
		b--;
	if (a == 0 && b == n)
		return 0;
	return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_COLUMN_SPACES, where, col, (int)(b - a), col + a);
}

/* t[key] as a string copy, or NULL (absent); -1 in *bad for a wrong type */
static char *field_str(compiler *c, int t, const char *key, int *bad)
{
	char *s = NULL;

	kp_decl_field(c->L, t, key);
	if (lua_type(c->L, -1) == LUA_TSTRING)
		s = dupstr(c, lua_tostring(c->L, -1));
	else if (!lua_isnil(c->L, -1) && bad)
		*bad = 1;
	lua_pop(c->L, 1);
	return s;
}

static int field_num(compiler *c, int t, const char *key, double *out)
{
	int ok = 0;

	kp_decl_field(c->L, t, key);
	if (lua_type(c->L, -1) == LUA_TNUMBER) {
		*out = lua_tonumber(c->L, -1);
		ok = isfinite(*out) ? 1 : -1;
	} else if (!lua_isnil(c->L, -1)) {
		ok = -1;
	}
	lua_pop(c->L, 1);
	return ok;
}

static int field_ref(compiler *c, int t, const char *key)
{
	kp_decl_field(c->L, t, key);
	if (lua_type(c->L, -1) != LUA_TFUNCTION) {
		lua_pop(c->L, 1);
		return 0;
	}
	c->r->uses_lua = 1;
	return luaL_ref(c->L, LUA_REGISTRYINDEX);
}

static char *where_of(compiler *c, int t)
{
	char *w = field_str(c, t, "where", NULL);
	return w ? w : dupstr(c, c->r->file);
}

/* t.columns, a list of texts (the prelude checked it), into *col: malloc'd
 * strings, with *reader as long (filled by check_declared_columns);
 * nothing when absent. */
static int field_cols(compiler *c, int t, size_t *n, char ***col, char ***reader)
{
	lua_State *L = c->L;
	size_t i, len;
	int rc = 0;

	*n = 0, *col = NULL, *reader = NULL;
	kp_decl_field(L, t, "columns");
	len = kp_decl_len(L, -1);
	if (len && (!(*col = calloc(len, sizeof **col)) || !(*reader = calloc(len, sizeof **reader))))
		rc = kp_err_oom(c->err);
	for (i = 0; i < len && !rc; i++) {
		if (kp_decl_index(L, -1, (lua_Integer)i + 1) != LUA_TSTRING)
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_COLUMNS_NAME, c->r->file, i + 1);
		else if ((rc = col_ends_ok(c, lua_tostring(L, -1), c->r->file)))
			;
		else if (!((*col)[i] = strdup(lua_tostring(L, -1))))
			rc = kp_err_oom(c->err);
		else
			*n = i + 1;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

static int event_index(const kp_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nevent; i++)
		if (!strcmp(r->event[i].name, name))
			return (int)i;
	return -1;
}

/* agg = "sum": its kp_agg_op (0: none of them). */
static int agg_op(const char *op)
{
	static const char *const ops[] = {"", "count", "sum", "avg", "min", "max", "trimmed_avg", "late", "missing"};
	int i, found = 0;

	for (i = 1; i <= KP_AGG_MISSING && op; i++)
		if (!strcmp(op, ops[i]))
			found = i;
	return found;
}

/* The filter's columns in byte order, as pairs walks them: next's order
 * changes from run to run, and the template's forms put the columns in
 * the order of the filter (an events form's columns moved each time). */
typedef struct fpair { char *col, *val; } fpair;

static int fpair_cmp(const void *a, const void *b)
{
	const fpair *x = a, *y = b;

	return strcmp(x->col ? x->col : "", y->col ? y->col : "");
}

static int sort_filter(compiler *c, kp_src *s)
{
	fpair *p;
	size_t i;

	if (s->nfilter < 2)
		return 0;
	if (!(p = malloc(s->nfilter * sizeof *p)))
		return kp_err_oom(c->err);
	for (i = 0; i < s->nfilter; i++)
		p[i].col = s->fcol[i], p[i].val = s->fval[i];
	qsort(p, s->nfilter, sizeof *p, fpair_cmp);
	for (i = 0; i < s->nfilter; i++)
		s->fcol[i] = p[i].col, s->fval[i] = p[i].val;
	free(p);
	return 0;
}

/* filter = { column = value, ... } at the top of the stack (popped). */
static int compile_filter_table(compiler *c, kp_src *s, const char *where)
{
	lua_State *L = c->L;
	size_t n = 0;
	int rc;

	lua_pushnil(L);
	while (kp_decl_next(L, -2))
		n++, lua_pop(L, 1);
	s->fcol = calloc(n + 1, sizeof *s->fcol);
	s->fval = calloc(n + 1, sizeof *s->fval);
	s->fnum = calloc(n + 1, 1);
	if (!s->fcol || !s->fval || !s->fnum)
		return kp_err_oom(c->err);
	lua_pushnil(L);
	while (kp_decl_next(L, -2)) {
		if (lua_type(L, -2) != LUA_TSTRING ||
		    (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)) {
			lua_pop(L, 3);
			return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_FILTER_FORM, where);
		}
		if ((rc = col_ends_ok(c, lua_tostring(L, -2), where))) {
			lua_pop(L, 3);
			return rc;
		}
		s->fcol[s->nfilter] = dupstr(c, lua_tostring(L, -2));
		s->fnum[s->nfilter] = lua_type(L, -1) == LUA_TNUMBER; /* before the text: it may convert in place */
		s->fval[s->nfilter] = dupstr(c, kp_decl_text(L, -1));
		lua_pop(L, 2);
		s->nfilter++;
	}
	lua_pop(L, 1);
	return sort_filter(c, s);
}

/* An aggregate of events, { event =, agg =, col =, due =, filter = } at t. */
static int compile_agg(compiler *c, kp_src *s, int t, const char *where)
{
	lua_State *L = c->L;
	int bad = 0;
	char *ev, *op;

	s->kind = KP_SRC_AGG;
	ev = field_str(c, t, "event", &bad);
	s->col = field_str(c, t, "col", &bad);
	s->due = field_str(c, t, "due", &bad);
	op = field_str(c, t, "agg", &bad);
	if (agg_op(op))
		s->op = agg_op(op);
	free(op);
	s->event = ev ? event_index(c->r, ev) : -1;
	if (s->event < 0) {
		kp_err_msg(c->err, KP_ERULE, KP_M_RULE_AGG_NO_EVENTS, where, ev ? ev : "?", ev ? ev : "?");
		free(ev);
		return KP_ERULE;
	}
	free(ev);
	kp_decl_field(L, t, "filter");
	if (lua_type(L, -1) == LUA_TFUNCTION) {
		s->ref = luaL_ref(L, LUA_REGISTRYINDEX);
		c->r->uses_lua = 1;
	} else if (lua_type(L, -1) == LUA_TTABLE) {
		return compile_filter_table(c, s, where);
	} else {
		lua_pop(L, 1);
	}
	return 0;
}

/* A value source at the top of the stack: a column, a function, or an
 * aggregate of events. */
static int compile_src(compiler *c, kp_src *s, const char *where)
{
	lua_State *L = c->L;
	int t = lua_gettop(L);

	if (lua_type(L, t) == LUA_TSTRING) {
		int rc = col_ends_ok(c, lua_tostring(L, t), where);
		s->kind = KP_SRC_COL;
		return rc ? rc : (s->col = dupstr(c, lua_tostring(L, t))) ? 0 : KP_EINTERNAL;
	}
	if (lua_type(L, t) == LUA_TFUNCTION) {
		s->kind = KP_SRC_FUNC;
		lua_pushvalue(L, t);
		s->ref = luaL_ref(L, LUA_REGISTRYINDEX);
		c->r->uses_lua = 1;
		return 0;
	}
	return compile_agg(c, s, t, where);
}

static int compile_src_field(compiler *c, int t, const char *key, kp_src *s, const char *where)
{
	int rc;

	kp_decl_field(c->L, t, key);
	rc = compile_src(c, s, where);
	lua_pop(c->L, 1);
	return rc;
}

static int number_list(compiler *c, int t, const char *key, int pairs_, kp_method *m, const char *where)
{
	lua_State *L = c->L;
	size_t i, n;

	kp_decl_field(L, t, key);
	n = kp_decl_len(L, -1);
	if (entries_room(c, n, where)) {
		lua_pop(L, 1);
		return c->err->kind;
	}
	m->n = n;
	m->thr = calloc(n + 1, sizeof *m->thr);
	m->pts = calloc(n + 1, sizeof *m->pts);
	m->gt = calloc(n + 1, sizeof *m->gt);
	if (!m->thr || !m->pts || !m->gt) {
		lua_pop(L, 1);
		return kp_err_oom(c->err);
	}
	for (i = 0; i < n; i++) {
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		if (pairs_) {
			kp_decl_index(L, -1, 1);
			kp_decl_index(L, -2, 2);
			m->thr[i] = lua_tonumber(L, -2);
			m->pts[i] = lua_tonumber(L, -1);
			lua_pop(L, 2);
			kp_decl_field(L, -1, "gt");
			m->gt[i] = (unsigned char)lua_toboolean(L, -1);
			lua_pop(L, 1);
		} else {
			m->pts[i] = lua_tonumber(L, -1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* Lookup entries in one order, whatever order Lua's table gave them in
 * (it changes from run to run): most points first, then by the key's
 * bytes, so the published criteria read the same every time. */
static void sort_lookup(kp_method *m)
{
	size_t i, j;

	for (i = 1; i < m->n; i++)
		for (j = i; j > 0; j--) {
			double p = m->pts[j - 1], q = m->pts[j];
			char *k;
			if (p > q || (p == q && strcmp(m->keys[j - 1], m->keys[j]) <= 0))
				break;
			k = m->keys[j - 1], m->keys[j - 1] = m->keys[j], m->keys[j] = k;
			m->pts[j - 1] = q, m->pts[j] = p;
		}
}

/* Two entries of a lookup that a value would match both ([1] and ["1"]
 * are one text; 0 and "0.0" one number at the comparison precision):
 * the higher points won without a word.  Each key's canonical form
 * (its number rounded at the comparison precision, or its text),
 * sorted, so that equal ones are neighbours. */
typedef struct lookup_key { char *canon; size_t i; } lookup_key;

static int lookup_key_cmp(const void *a, const void *b)
{
	const lookup_key *x = a, *y = b;
	int c = strcmp(x->canon, y->canon);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int lookup_same(compiler *c, const kp_method *m, const char *where)
{
	lookup_key *k = calloc(m->n + 1, sizeof *k);
	size_t i;
	int rc = 0;

	if (!k)
		return kp_err_oom(c->err);
	for (i = 0; i < m->n && !rc; i++) {
		double v;
		char buf[64];
		if (kp_num_parse(m->keys[i], &v) == KP_NUM_OK)
			snprintf(buf, sizeof buf, "N%.17g", kp_num_round(v, c->r->compare));
		k[i].i = i;
		k[i].canon = malloc(strlen(m->keys[i]) + sizeof buf + 2);
		if (!k[i].canon)
			rc = kp_err_oom(c->err);
		else if (kp_num_parse(m->keys[i], &v) == KP_NUM_OK)
			strcpy(k[i].canon, buf);
		else
			strcat(strcpy(k[i].canon, "T"), m->keys[i]);
	}
	if (!rc)
		qsort(k, m->n, sizeof *k, lookup_key_cmp);
	for (i = 1; i < m->n && !rc; i++)
		if (!strcmp(k[i - 1].canon, k[i].canon))
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_LOOKUP_SAME, where, m->keys[k[i - 1].i], m->keys[k[i].i]);
	for (i = 0; i < m->n; i++)
		free(k[i].canon);
	free(k);
	return rc;
}

static int compile_lookup(compiler *c, int t, kp_method *m, const char *where)
{
	lua_State *L = c->L;
	size_t n = 0;
	int rc;

	kp_decl_field(L, t, "map");
	lua_pushnil(L);
	while (kp_decl_next(L, -2))
		n++, lua_pop(L, 1);
	if (entries_room(c, n, where)) {
		lua_pop(L, 1);
		return c->err->kind;
	}
	m->keys = calloc(n + 1, sizeof *m->keys);
	m->pts = calloc(n + 1, sizeof *m->pts);
	if (!m->keys || !m->pts)
		return kp_err_oom(c->err);
	lua_pushnil(L);
	while (kp_decl_next(L, -2)) {
		lua_pushvalue(L, -2);
		m->keys[m->n] = dupstr(c, kp_decl_text(L, -1));
		lua_pop(L, 2);
		m->pts[m->n++] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	for (n = 0; n < m->n; n++)
		if (!m->keys[n])
			return KP_EINTERNAL; /* dupstr said: out of memory */
	if ((rc = lookup_same(c, m, where)))
		return rc;
	sort_lookup(m);
	m->has_default = field_num(c, t, "default", &m->dflt) > 0;
	return 0;
}

/* The conditions of a checklist (h.items, checked by the prelude), added
 * to rules->check. */
static int compile_checklist(compiler *c, int h, kp_method *m, const char *where)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, n;
	kp_check *p;
	int rc = 0;

	kp_decl_field(L, h, "items");
	n = kp_decl_len(L, -1);
	if (entries_room(c, n, where)) {
		lua_pop(L, 1);
		return c->err->kind;
	}
	if (!(p = realloc(r->check, (r->ncheck + n + 1) * sizeof *p))) {
		lua_pop(L, 1);
		return kp_err_oom(c->err);
	}
	r->check = p;
	m->first = r->ncheck, m->count = n;
	for (i = 0; i < n && !rc; i++) {
		kp_check *k = &r->check[r->ncheck];
		int it;
		memset(k, 0, sizeof *k);
		r->ncheck++; /* kp_rules_free frees what was read so far */
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		it = lua_gettop(L);
		k->name = field_str(c, it, "name", NULL);
		k->unit = field_str(c, it, "unit", NULL);
		field_num(c, it, "amount", &k->amount);
		k->has_max = field_num(c, it, "max", &k->max) > 0;
		kp_decl_field(L, it, "per");
		k->per = lua_toboolean(L, -1);
		kp_decl_field(L, it, "is");
		k->is = lua_toboolean(L, -1);
		lua_pop(L, 2);
		rc = k->name ? compile_src_field(c, it, "src", &k->src, where)
			     : kp_err_msg(c->err, KP_EINTERNAL, KP_M_INTERNAL);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

/* The parts of a blend (h.parts, checked by the prelude), added to
 * rules->part. */
static int compile_blend(compiler *c, int h, kp_method *m, const char *where)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, n;
	kp_part *p;
	int rc = 0;

	field_num(c, h, "scale", &m->scale);
	kp_decl_field(L, h, "parts");
	n = kp_decl_len(L, -1);
	if (entries_room(c, n, where)) {
		lua_pop(L, 1);
		return c->err->kind;
	}
	if (!(p = realloc(r->part, (r->npart + n + 1) * sizeof *p))) {
		lua_pop(L, 1);
		return kp_err_oom(c->err);
	}
	r->part = p;
	m->first = r->npart, m->count = n;
	for (i = 0; i < n && !rc; i++) {
		kp_part *k = &r->part[r->npart];
		memset(k, 0, sizeof *k);
		r->npart++; /* kp_rules_free frees what was read so far */
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		field_num(c, lua_gettop(L), "weight", &k->weight);
		field_num(c, lua_gettop(L), "scale", &k->scale);
		rc = compile_src_field(c, lua_gettop(L), "src", &k->src, where);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

/* A score: a helper table or a function, at t[key]. */
/* deadline(src, { {"2024-03-31", 5}, ... }): the dates, read as a cell
 * would be, earliest first, into m->thr (days) and m->pts. */
static int compile_deadline(compiler *c, int t, kp_method *m, const char *where)
{
	lua_State *L = c->L;
	const char *why;
	size_t i, n;
	int days;

	kp_decl_field(L, t, "dates");
	n = kp_decl_len(L, -1);
	if (entries_room(c, n, where)) {
		lua_pop(L, 1);
		return c->err->kind;
	}
	m->n = n;
	m->thr = calloc(n + 1, sizeof *m->thr);
	m->pts = calloc(n + 1, sizeof *m->pts);
	if (!m->thr || !m->pts) {
		lua_pop(L, 1);
		return kp_err_oom(c->err);
	}
	for (i = 0; i < n; i++) {
		char q[KP_ERR_QUOTE];
		const char *text;
		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		lua_rawgeti(L, -1, 1);
		lua_rawgeti(L, -2, 2);
		text = lua_tostring(L, -2);
		m->pts[i] = lua_tonumber(L, -1);
		if (kp_date_parse(text, &days, &why) != KP_DATE_OK)
			why = why ? why : kp_msg_fmt(KP_MSG_RULE_NOT_A_DATE);
		else
			why = NULL;
		if (why)
			kp_err_msg(c->err, KP_ERULE, KP_M_RULE_DEADLINE_DATE, where, i + 1,
				   kp_err_quote(text, q), why);
		else if (i > 0 && days <= m->thr[i - 1])
			kp_err_msg(c->err, KP_ERULE, KP_M_RULE_DEADLINE_ORDER,
				   where, i + 1, kp_err_quote(text, q));
		lua_pop(L, 3);
		if (why || (i > 0 && days <= m->thr[i - 1])) {
			lua_pop(L, 1);
			return KP_ERULE;
		}
		m->thr[i] = days;
	}
	lua_pop(L, 1);
	return 0;
}

/* The helper's name, kind = "target" ...: m->kind, scope and order. */
static void method_kind(compiler *c, int h, kp_method *m)
{
	static const char *const kinds[] = {"", "", "target", "ratio_to_best", "min_max", "rank_points",
					    "bands", "yes_no", "lookup", "per_item", "checklist", "done",
					    "given", "blend", "deadline"};
	char *kind, *scope, *order;
	int i;

	kind = field_str(c, h, "kind", NULL);
	for (i = 2; i <= KP_M_DEADLINE && kind; i++)
		if (!strcmp(kind, kinds[i]))
			m->kind = i;
	free(kind);
	scope = field_str(c, h, "scope", NULL);
	m->scope_all = scope && !strcmp(scope, "all");
	free(scope);
	order = field_str(c, h, "order", NULL);
	m->asc = order && !strcmp(order, "asc");
	free(order);
}

/* The fields of the helper at h that its kind reads, after its sources. */
static int method_fields(compiler *c, int h, kp_method *m, const char *where)
{
	int rc = 0;

	if (m->kind == KP_M_BANDS) {
		rc = number_list(c, h, "bands", 1, m, where);
		m->has_otherwise = field_num(c, h, "otherwise", &m->otherwise) > 0;
	}
	if (!rc && m->kind == KP_M_DEADLINE) {
		rc = compile_deadline(c, h, m, where);
		m->has_otherwise = field_num(c, h, "otherwise", &m->otherwise) > 0;
	}
	if (!rc && (m->kind == KP_M_DONE || m->kind == KP_M_YESNO))
		m->has_default = field_num(c, h, "pts", &m->dflt) > 0;
	if (!rc && m->kind == KP_M_RANK)
		rc = number_list(c, h, "points", 0, m, where);
	if (!rc && m->kind == KP_M_LOOKUP)
		rc = compile_lookup(c, h, m, where);
	if (!rc && m->kind == KP_M_PERITEM) {
		field_num(c, h, "per", &m->per);
		m->has_max = field_num(c, h, "max", &m->max) > 0;
	}
	if (!rc && m->kind == KP_M_CHECKLIST)
		rc = compile_checklist(c, h, m, where);
	if (!rc && m->kind == KP_M_BLEND)
		rc = compile_blend(c, h, m, where);
	return rc;
}

/* t[key]: a rule function or a helper's table. */
static int compile_method(compiler *c, int t, const char *key, kp_method *m, const char *where)
{
	lua_State *L = c->L;
	int h, rc = 0;

	kp_decl_field(L, t, key);
	h = lua_gettop(L);
	if (lua_type(L, h) == LUA_TFUNCTION) {
		m->kind = KP_M_FUNC;
		m->ref = luaL_ref(L, LUA_REGISTRYINDEX);
		c->r->uses_lua = 1;
		return 0;
	}
	method_kind(c, h, m);
	rc = m->kind == KP_M_CHECKLIST || m->kind == KP_M_BLEND ? 0 : compile_src_field(c, h, "src", &m->src, where);
	if (!rc && m->kind == KP_M_TARGET && field_num(c, h, "goal", &m->goal) == 0)
		rc = compile_src_field(c, h, "goal_src", &m->goal_src, where);
	if (!rc)
		rc = method_fields(c, h, m, where);
	lua_pop(L, 1);
	return rc;
}

/* ---- the declarations ---- */

/* ---- names that look alike ----
 * Two names of one kind that differ only in spaces at their ends (ASCII
 * or U+3000 ...), in full-width letters or in how an accent is encoded (é
 * composed or decomposed) are two columns of a report that look the same,
 * two items explain and the test cases cannot tell apart.  The exact
 * duplicates were refused where they were read; these share a
 * kp_enc_name_key. */
typedef struct name_alike { char *key; const char *name, *where; size_t i; } name_alike;

static int name_alike_cmp(const void *a, const void *b)
{
	const name_alike *x = a, *y = b;
	int k = strcmp(x->key, y->key);

	return k ? k : (x->i > y->i) - (x->i < y->i);
}

/* The names of one kind in k[0..n) (name and where filled; where NULL:
 * decl, the declaration that lists them): refuses the first pair alike. */
static int names_alike(compiler *c, enum kp_msgid kind, name_alike *k, size_t n, const char *decl)
{
	const char *word = kp_msg_fmt(kind);
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++)
		if (!(k[i].key = kp_enc_name_key(k[i].name)))
			rc = kp_err_oom(c->err);
		else
			k[i].i = i;
	if (!rc && n > 1)
		qsort(k, n, sizeof *k, name_alike_cmp);
	for (i = 1; i < n && !rc; i++)
		if (!strcmp(k[i - 1].key, k[i].key))
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_NAME_ALIKE, k[i].where ? k[i].where : decl, word,
					k[i].name, word, k[i - 1].name, k[i - 1].where ? k[i - 1].where : decl);
	for (i = 0; i < n; i++)
		free(k[i].key);
	return rc;
}

/* A section named as a column every ranking report has (总分, 扣分 ...,
 * or its English head): the CSV, the workbook and the Markdown showed two
 * columns of that name, and one read by its header (a script, Excel's
 * lookup) gave the section's points for the total. */
static int section_like_column(compiler *c)
{
	static const enum kp_msgid cols[] = {
		KP_MSG_REP_L_CATEGORY, KP_MSG_REP_L_RANK, KP_MSG_REP_L_UNIT_ID, KP_MSG_REP_L_NAME,
		KP_MSG_REP_L_TOTAL, KP_MSG_REP_L_GRADE, KP_MSG_REP_L_COMMENDED, KP_MSG_REP_L_VETO,
		KP_MSG_REP_L_VETO_REASON, KP_MSG_REP_L_DEDUCTIONS, KP_MSG_REP_L_BONUS, KP_MSG_REP_L_RANK_CHANGE,
	};
	const kp_rules *r = c->r;
	size_t s, i;

	for (s = 0; s < r->nsec; s++)
		for (i = 0; i < sizeof cols / sizeof *cols; i++)
			if (!strcmp(r->sec[s].name, kp_msg_text(cols[i], KP_LANG_ZH)) ||
			    !strcmp(r->sec[s].name, kp_msg_text(cols[i], KP_LANG_EN)))
				return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_SECTION_LIKE_COLUMN,
						  r->sec[s].where ? r->sec[s].where : r->file, r->sec[s].name,
						  r->sec[s].name, r->sec[s].name);
	return 0;
}

static int check_names_alike(compiler *c)
{
	const kp_rules *r = c->r;
	size_t n = r->nsec, i;
	name_alike *k;
	int rc;

	n = n > r->nind ? n : r->nind;
	n = n > r->nded ? n : r->nded;
	n = n > r->nbon ? n : r->nbon;
	n = n > r->nveto ? n : r->nveto;
	if (n == 0)
		return 0;
	if (!(k = calloc(n, sizeof *k)))
		return kp_err_oom(c->err);
#define ALIKE(kind, arr, cnt)                                                    \
	do {                                                                     \
		for (i = 0; i < (cnt); i++)                                      \
			k[i].name = (arr)[i].name, k[i].where = (arr)[i].where; \
		rc = names_alike(c, kind, k, (cnt), NULL);                       \
	} while (0)
	ALIKE(KP_MSG_RULE_KIND_SECTION, r->sec, r->nsec);
	if (!rc)
		rc = section_like_column(c);
	if (!rc)
		ALIKE(KP_MSG_RULE_KIND_INDICATOR, r->ind, r->nind);
	if (!rc)
		ALIKE(KP_MSG_RULE_KIND_DEDUCTION, r->ded, r->nded);
	if (!rc)
		ALIKE(KP_MSG_RULE_KIND_BONUS, r->bon, r->nbon);
	if (!rc)
		ALIKE(KP_MSG_RULE_KIND_VETO, r->veto, r->nveto);
#undef ALIKE
	free(k);
	return rc;
}

/* The names of cat (categories) or grade (grades), all declared at where. */
static int list_names_alike(compiler *c, enum kp_msgid kind, const char *where)
{
	const kp_rules *r = c->r;
	size_t n = kind == KP_MSG_RULE_KIND_CATEGORY ? r->ncat : r->ngrade, i;
	name_alike *k;
	int rc;

	if (n < 2)
		return 0;
	if (!(k = calloc(n, sizeof *k)))
		return kp_err_oom(c->err);
	for (i = 0; i < n; i++)
		k[i].name = kind == KP_MSG_RULE_KIND_CATEGORY ? r->cat[i].name : r->grade[i].name;
	rc = names_alike(c, kind, k, n, where);
	free(k);
	return rc;
}

static int compile_categories(compiler *c, int a, const char *where)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	kp_strset seen = {0};
	size_t i, n;
	int added, blank;

	kp_decl_field(L, a, "categories");
	if (lua_type(L, -1) != LUA_TTABLE || (n = kp_decl_len(L, -1)) == 0) {
		lua_pop(L, 1);
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_CATS_NEEDED, where);
	}
	if (!(r->cat = calloc(n, sizeof *r->cat)))
		return kp_err_oom(c->err);
	r->ncat = n; /* kp_rules_free frees the names read so far, also on an error */
	for (i = 0; i < n; i++) {
		double q = 0;
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		if (lua_type(L, -1) == LUA_TSTRING) {
			r->cat[i].name = dupstr(c, lua_tostring(L, -1));
		} else if (lua_type(L, -1) == LUA_TTABLE) {
			kp_decl_index(L, -1, 1);
			if (lua_type(L, -1) == LUA_TSTRING)
				r->cat[i].name = dupstr(c, lua_tostring(L, -1));
			lua_pop(L, 1);
			if (field_num(c, lua_gettop(L), "commend", &q) < 0 || q < 0 || q != floor(q) || q > 1e6) {
				lua_pop(L, 2);
				kp_strset_free(&seen);
				return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_CAT_QUOTA, where);
			}
		}
		lua_pop(L, 1);
		if (!r->cat[i].name) {
			lua_pop(L, 1);
			kp_strset_free(&seen);
			return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_CAT_FORM, where);
		}
		/* a category "" took every unit whose category cell was blank
		 * (forgotten): ranked, graded and commended together, unnamed */
		if ((blank = blank_name(r->cat[i].name))) {
			lua_pop(L, 1);
			kp_strset_free(&seen);
			return blank < 0 ? kp_err_oom(c->err) : kp_err_msg(c->err, KP_ERULE, KP_M_RULE_CAT_EMPTY, where, (int)i + 1);
		}
		r->cat[i].quota = (int)q;
		/* hashed: comparing each with every one before took 11 s for
		 * 100,000 categories, before anything was scored */
		if ((added = kp_strset_add(&seen, r->cat[i].name)) <= 0) {
			lua_pop(L, 1);
			kp_strset_free(&seen);
			return added < 0 ? kp_err_oom(c->err)
					 : kp_err_msg(c->err, KP_ERULE, KP_M_RULE_CAT_TWICE, where, r->cat[i].name);
		}
	}
	lua_pop(L, 1);
	kp_strset_free(&seen);
	return list_names_alike(c, KP_MSG_RULE_KIND_CATEGORY, where);
}

/* In compile_assessment, bad says what was wrong, the last finding
 * winning: 1 a text of the wrong type, 2 precision, 3 round, 4 year,
 * 5 bonus_max, 6 max_total, 7 a number not finite, 8 compare_precision,
 * 9 compare_precision below precision. */

/* year, precision and compare_precision. */
static void assessment_precision(compiler *c, int a, int *bad)
{
	kp_rules *r = c->r;
	double v;
	int rc;

	if (field_num(c, a, "year", &v) > 0) {
		if (v < 1900 || v > 9999 || v != floor(v))
			*bad = 4;
		else
			r->year = (int)v;
	}
	r->precision = 2;
	if (field_num(c, a, "precision", &v) > 0) {
		if (v < 0 || v > 6 || v != floor(v))
			*bad = 2;
		else
			r->precision = (int)v;
	}
	r->compare = 6;
	if ((rc = field_num(c, a, "compare_precision", &v)) < 0)
		*bad = 8;
	else if (rc > 0) {
		if (v < 0 || v > 15 || v != floor(v))
			*bad = 8;
		else
			r->compare = (int)v;
	}
	if (!*bad && r->compare < r->precision)
		*bad = 9;
}

/* round, bonus_max and max_total; year and precision finite. */
static void assessment_totals(compiler *c, int a, int *bad)
{
	kp_rules *r = c->r;
	char *round = field_str(c, a, "round", bad);
	double v;
	int rc;

	r->round_items = !round || strcmp(round, "total") != 0;
	if (round && strcmp(round, "total") && strcmp(round, "items"))
		*bad = 3;
	free(round);
	if ((rc = field_num(c, a, "bonus_max", &r->bonus_max)) < 0)
		*bad = 7;
	r->has_bonus_max = rc > 0;
	if ((rc = field_num(c, a, "max_total", &r->max_total)) < 0)
		*bad = 7;
	r->has_max_total = rc > 0;
	if (field_num(c, a, "year", &v) < 0 || field_num(c, a, "precision", &v) < 0)
		*bad = 7;
}

/* unit = { id =, name =, category =, table =, office = }: the unit columns. */
static void assessment_unit(compiler *c, int a, int *bad)
{
	kp_rules *r = c->r;

	kp_decl_field(c->L, a, "unit");
	if (lua_type(c->L, -1) == LUA_TTABLE) {
		int u = lua_gettop(c->L);
		r->id_col = field_str(c, u, "id", bad);
		r->name_col = field_str(c, u, "name", bad);
		r->cat_col = field_str(c, u, "category", bad);
		r->unit_table = field_str(c, u, "table", bad);
		r->unit_office = field_str(c, u, "office", bad);
	}
	lua_pop(c->L, 1);
	if (r->has_bonus_max && r->bonus_max < 0)
		*bad = 5;
	if (r->has_max_total && r->max_total < 0)
		*bad = 6;
}

/* The message for what was wrong, else the categories. */
static int assessment_check(compiler *c, int a, int bad, const char *where)
{
	const kp_rules *r = c->r;

	switch (bad) {
	case 0: break;
	case 2: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_PRECISION, where);
	case 3: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_ROUND, where);
	case 4: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_YEAR, where);
	case 5: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_BONUS_MAX_NEGATIVE, where);
	case 6: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_MAX_TOTAL_NEGATIVE, where);
	case 7: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_NOT_FINITE, where);
	case 8: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_COMPARE_PRECISION, where);
	case 9: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_COMPARE_BELOW, where);
	default: return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_NOT_TEXTS, where);
	}
	if (!r->id_col || !r->name_col || !r->cat_col)
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_UNIT_NEEDED, where);
	return compile_categories(c, a, where);
}

static int compile_assessment(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	char *where;
	int a, bad = 0, rc;

	kp_decl_field(L, c->spec, "assessment");
	if (lua_isnil(L, -1)) {
		size_t n = strlen(r->file);
		lua_pop(L, 1);
		/* kaoping test rules/x_test.lua: the test file given as the rules */
		if (n > 9 && !strcmp(r->file + n - 9, "_test.lua"))
			return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_NO_ASSESSMENT_TEST, r->file, (int)(n - 9), r->file);
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_NO_ASSESSMENT, r->file);
	}
	a = lua_gettop(L);
	where = where_of(c, a);
	r->title = field_str(c, a, "title", &bad);
	r->office = field_str(c, a, "office", &bad);
	r->basis = field_str(c, a, "basis", &bad);
	assessment_precision(c, a, &bad);
	assessment_totals(c, a, &bad);
	assessment_unit(c, a, &bad);
	rc = assessment_check(c, a, bad, where);
	if (!rc && !r->title)
		r->title = dupstr(c, "考核"); /* the title of a rule file that gives none: data, not a message */
	free(where);
	lua_pop(L, 1);
	return rc;
}

/* The section named name, through the names compile_section hashed (a
 * linear search for each was quadratic in the sections). */
static int section_index(const compiler *c, const char *name)
{
	long k = kp_strset_index(&c->secs, name);

	return k >= 0 && (size_t)k < c->r->nsec ? (int)k : -1;
}

/* t.default: a number, or a text (kept as text, and as a number when it
 * reads as one). */
static int compile_default(compiler *c, int t, int *has, double *num, char **text)
{
	double v;

	kp_decl_field(c->L, t, "default");
	if (lua_type(c->L, -1) == LUA_TNUMBER) {
		*has = 1;
		*num = lua_tonumber(c->L, -1);
	} else if (lua_type(c->L, -1) == LUA_TSTRING) {
		*has = 1;
		if (!(*text = dupstr(c, lua_tostring(c->L, -1)))) {
			lua_pop(c->L, 1);
			return KP_EINTERNAL;
		}
		if (kp_num_parse(*text, &v) == KP_NUM_OK)
			*num = v;
	}
	lua_pop(c->L, 1);
	return 0;
}

/* The category named name, or -1 (-2: out of memory, err filled), through
 * a hash of the categories' names made on first use: by_category tables
 * name every category, and a linear search for each was quadratic. */
static int category_index(compiler *c, const char *name)
{
	const kp_rules *r = c->r;
	size_t i;

	if (c->cats.calls != r->ncat) {
		kp_strset_free(&c->cats);
		for (i = 0; i < r->ncat; i++)
			if (kp_strset_add(&c->cats, r->cat[i].name) < 0) {
				kp_strset_free(&c->cats);
				kp_err_oom(c->err);
				return -2;
			}
	}
	return (int)kp_strset_index(&c->cats, name);
}

/* indicator { categories = {"部门"} }: the categories assessed on it. */
static int compile_only(compiler *c, int t, kp_indicator *ind)
{
	lua_State *L = c->L;
	size_t i, n;
	int rc = 0;

	kp_decl_field(L, t, "categories");
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		return 0;
	}
	n = kp_decl_len(L, -1);
	if (!(ind->only = calloc(c->r->ncat + 1, 1))) {
		lua_pop(L, 1);
		return kp_err_oom(c->err);
	}
	for (i = 0; i < n && !rc; i++) {
		int k = -1;
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		if (lua_type(L, -1) != LUA_TSTRING || (k = category_index(c, lua_tostring(L, -1))) < 0) {
			rc = k == -2 ? c->err->kind
				    : kp_err_msg(c->err, KP_ERULE, KP_M_RULE_IND_CATEGORY,
						 ind->where, ind->name, kp_decl_text(L, -1));
			lua_pop(L, 1);
		} else
			ind->only[k] = 1;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

static int compile_indicator(compiler *c, int t, int sec, kp_indicator *ind)
{
	char *missing;
	int rc;

	ind->name = field_str(c, t, "name", NULL);
	ind->where = where_of(c, t);
	ind->desc = field_str(c, t, "desc", NULL);
	ind->basis = field_str(c, t, "basis", NULL);
	ind->office = field_str(c, t, "office", NULL);
	ind->section = sec;
	field_num(c, t, "points", &ind->points);
	kp_decl_field(c->L, t, "clamp");
	ind->clamp = lua_isnil(c->L, -1) || lua_toboolean(c->L, -1);
	lua_pop(c->L, 1);
	if (compile_default(c, t, &ind->has_default, &ind->dflt, &ind->dflt_text))
		return KP_EINTERNAL;
	missing = field_str(c, t, "missing", NULL);
	ind->skip_missing = missing && !strcmp(missing, "skip");
	free(missing);
	if ((rc = compile_only(c, t, ind)))
		return rc;
	return compile_method(c, t, "score", &ind->m, ind->where);
}

static int compile_deduction(compiler *c, int t, int sec, kp_deduction *d)
{
	d->name = field_str(c, t, "name", NULL);
	d->where = where_of(c, t);
	d->desc = field_str(c, t, "desc", NULL);
	d->basis = field_str(c, t, "basis", NULL);
	d->office = field_str(c, t, "office", NULL);
	d->unit = field_str(c, t, "unit", NULL);
	d->section = sec;
	d->ref = field_ref(c, t, "points");
	field_num(c, t, "per", &d->per);
	d->has_max = field_num(c, t, "max", &d->max) > 0;
	if (d->ref)
		return 0;
	return compile_src_field(c, t, "count", &d->count, d->where);
}

/* The items of section sec, the table at items: its indicators (their
 * points added to *sum) and deductions, ni and nd the room for them. */
static int compile_section_items(compiler *c, int items, int sec, size_t ni, size_t nd, double *sum)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	const kp_section *s = &r->sec[sec];
	size_t j, n = kp_decl_len(L, items);
	int rc = 0;

	for (j = 0; j < n && !rc; j++) {
		char *type;
		int is_ind;
		kp_decl_index(L, items, (lua_Integer)j + 1);
		type = field_str(c, lua_gettop(L), "type", NULL);
		is_ind = type && !strcmp(type, "indicator");
		if (is_ind ? r->nind >= ni : r->nded >= nd) /* the prelude lets none through */
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_SECTION_ITEM, s->where, s->name);
		else if (is_ind) {
			rc = compile_indicator(c, lua_gettop(L), sec, &r->ind[r->nind]);
			*sum += r->ind[r->nind++].points;
		} else {
			rc = compile_deduction(c, lua_gettop(L), sec, &r->ded[r->nded++]);
		}
		free(type);
		lua_pop(L, 1);
	}
	return rc;
}

/* Section i of the table at secs: its name, points and items, which must
 * add up to its points (or be deductions only: 基础分). */
static int compile_section(compiler *c, int secs, size_t i, size_t ni, size_t nd)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	kp_section *s = &r->sec[i];
	double sum = 0;
	size_t ded0 = r->nded;
	int rc = 0, added;

	kp_decl_index(L, secs, (lua_Integer)i + 1);
	s->name = field_str(c, lua_gettop(L), "name", NULL);
	s->where = where_of(c, lua_gettop(L));
	field_num(c, lua_gettop(L), "points", &s->points);
	r->nsec = i + 1;
	if (c->secs.calls != i) /* every earlier section's name is in (compile_tree stops at an error) */
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_SECTION_TWICE, s->where, s->name);
	else if ((added = kp_strset_add(&c->secs, s->name)) < 0)
		rc = kp_err_oom(c->err);
	else if (!added && s->name)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_SECTION_TWICE, s->where, s->name);
	s->first = r->nind;
	kp_decl_field(L, -1, "items");
	if (!rc)
		rc = compile_section_items(c, lua_gettop(L), (int)i, ni, nd, &sum);
	s->count = r->nind - s->first;
	lua_pop(L, 2);
	r->full_points += s->points;
	if (!rc && !isfinite(r->full_points)) /* 1e308 and 1e308: each finite, not their sum */
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_POINTS_OVERFLOW, s->where, s->name);
	s->base = s->count == 0 && r->nded > ded0; /* 基础分: starts at its points */
	if (!rc && s->count == 0 && !s->base)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_SECTION_NO_INDICATORS, s->where, s->name);
	if (!rc && !s->base && fabs(sum - s->points) > 1e-9)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_SECTION_SUM, s->where, s->name, s->points, sum);
	return rc;
}

/* After the sections: an indicator no section claimed is an error; the
 * deductions outside any section are compiled. */
static int compile_unclaimed(compiler *c, int inds, int deds, size_t ni, size_t nd)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i;
	int rc = 0;

	for (i = 0; i < ni && !rc; i++) {
		kp_decl_index(L, inds, (lua_Integer)i + 1);
		kp_decl_field(L, -1, "section");
		if (lua_isnil(L, -1)) {
			char *w = where_of(c, lua_gettop(L) - 1), *name = field_str(c, lua_gettop(L) - 1, "name", NULL);
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_IND_NO_SECTION, w, name ? name : "?");
			free(w), free(name);
		}
		lua_pop(L, 2);
	}
	for (i = 0; i < nd && !rc; i++) {
		kp_decl_index(L, deds, (lua_Integer)i + 1);
		kp_decl_field(L, -1, "section");
		if (lua_isnil(L, -1))
			rc = compile_deduction(c, lua_gettop(L) - 1, -1, &r->ded[r->nded++]);
		lua_pop(L, 2);
	}
	return rc;
}

/* Every category is assessed on some indicator (when there are any):
 * one that every indicator's categories leave out has nothing its
 * points could be rescaled from (百分制折算 of nothing), and its units
 * would all score 0 and rank level. */
static int categories_assessed(compiler *c)
{
	const kp_rules *r = c->r;
	size_t k, i;

	for (k = 0; k < r->ncat && r->nind > 0; k++) {
		for (i = 0; i < r->nind && !kp_indicator_applies(&r->ind[i], (int)k); i++)
			;
		if (i == r->nind)
			return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_CAT_NO_INDICATOR, r->ind[r->nind - 1].where,
					  r->ind[r->nind - 1].name, r->cat[k].name);
	}
	return 0;
}

/* Sections first (their indicators and deductions), then the deductions
 * outside any section. */
static int compile_tree(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t ns, ni, nd, i;
	int top, rc = 0;

	kp_decl_field(L, c->spec, "sections");
	kp_decl_field(L, c->spec, "indicators");
	kp_decl_field(L, c->spec, "deductions");
	top = lua_gettop(L);
	ns = kp_decl_len(L, top - 2), ni = kp_decl_len(L, top - 1), nd = kp_decl_len(L, top);
	r->sec = calloc(ns + 1, sizeof *r->sec);
	r->ind = calloc(ni + 1, sizeof *r->ind);
	r->ded = calloc(nd + 1, sizeof *r->ded);
	if (!r->sec || !r->ind || !r->ded) {
		lua_pop(L, 3);
		return kp_err_oom(c->err);
	}
	for (i = 0; i < ns && !rc; i++)
		rc = compile_section(c, top - 2, i, ni, nd);
	if (!rc)
		rc = compile_unclaimed(c, top - 1, top, ni, nd);
	lua_pop(L, 3);
	if (!rc && r->nsec == 0)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_NO_SECTION, r->file);
	return rc ? rc : categories_assessed(c);
}

static int compile_bonuses(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, n;
	int rc = 0;

	kp_decl_field(L, c->spec, "bonuses");
	n = kp_decl_len(L, -1);
	if (!(r->bon = calloc(n + 1, sizeof *r->bon)))
		rc = kp_err_oom(c->err);
	for (i = 0; i < n && !rc; i++, r->nbon++) {
		kp_bonus *b = &r->bon[i];
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		b->name = field_str(c, lua_gettop(L), "name", NULL);
		b->where = where_of(c, lua_gettop(L));
		b->desc = field_str(c, lua_gettop(L), "desc", NULL);
		b->basis = field_str(c, lua_gettop(L), "basis", NULL);
		b->office = field_str(c, lua_gettop(L), "office", NULL);
		field_num(c, lua_gettop(L), "max", &b->max);
		rc = compile_default(c, lua_gettop(L), &b->has_default, &b->dflt, &b->dflt_text);
		if (!rc)
			rc = compile_method(c, lua_gettop(L), "score", &b->m, b->where);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

/* The veto at the top of the stack. */
static int compile_veto(compiler *c, kp_veto *v)
{
	lua_State *L = c->L;

	v->name = field_str(c, lua_gettop(L), "name", NULL);
	v->where = where_of(c, lua_gettop(L));
	v->desc = field_str(c, lua_gettop(L), "desc", NULL);
	v->basis = field_str(c, lua_gettop(L), "basis", NULL);
	v->office = field_str(c, lua_gettop(L), "office", NULL);
	v->reason = field_str(c, lua_gettop(L), "reason", NULL);
	v->reason_ref = field_ref(c, lua_gettop(L), "reason");
	kp_decl_field(L, -1, "default");
	if (lua_type(L, -1) == LUA_TBOOLEAN)
		v->dflt_text = dupstr(c, lua_toboolean(L, -1) ? "1" : "0");
	else if (!lua_isnil(L, -1))
		v->dflt_text = dupstr(c, kp_decl_text(L, -1)), lua_pop(L, 1);
	lua_pop(L, 1);
	return compile_src_field(c, lua_gettop(L), "when", &v->when, v->where);
}

static int compile_vetoes(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, n;
	int rc = 0;

	kp_decl_field(L, c->spec, "vetoes");
	n = kp_decl_len(L, -1);
	if (!(r->veto = calloc(n + 1, sizeof *r->veto)))
		rc = kp_err_oom(c->err);
	for (i = 0; i < n && !rc; i++, r->nveto++) {
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		rc = compile_veto(c, &r->veto[i]);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

static int compile_bonus_veto(compiler *c)
{
	int rc = compile_bonuses(c);

	return rc ? rc : compile_vetoes(c);
}

static int grade_index(const kp_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ngrade; i++)
		if (!strcmp(r->grade[i].name, name))
			return (int)i;
	return -1;
}

/* A grade's count = N (a number of units instead of a share) and its
 * by_category = { ["镇"] = 85 } minimums. */
static int grade_count_and_mins(compiler *c, int g, kp_grade *gr, const char *where)
{
	lua_State *L = c->L;
	double v = 0;
	int rc = field_num(c, g, "count", &v), k = -1;

	if (rc < 0 || (rc > 0 && (v < 1 || v != floor(v) || v > 1e6)))
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_COUNT, where);
	if (rc > 0 && gr->quota > 0)
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_QUOTA_OR_COUNT, where);
	gr->count = (int)v;
	kp_decl_field(L, g, "by_category");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_BY_CATEGORY, where);
	}
	if (!(gr->cat_min = malloc((c->r->ncat + 1) * sizeof *gr->cat_min))) {
		lua_pop(L, 1);
		return kp_err_oom(c->err);
	}
	for (k = 0; k <= (int)c->r->ncat; k++)
		gr->cat_min[k] = NAN;
	lua_pushnil(L);
	while (kp_decl_next(L, -2)) {
		if (lua_type(L, -2) != LUA_TSTRING || (k = category_index(c, lua_tostring(L, -2))) < 0 ||
		    lua_type(L, -1) != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1))) {
			lua_pop(L, 3);
			return k == -2 ? c->err->kind : kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_BY_CATEGORY_MAP, where);
		}
		gr->cat_min[k] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* Grades go from the best down in every category. */
static int grades_ordered(compiler *c, const char *where)
{
	const kp_rules *r = c->r;
	size_t g, k;

	for (k = 0; k < r->ncat; k++)
		for (g = 1; g < r->ngrade; g++)
			if (kp_grade_min(&r->grade[g], (int)k) >= kp_grade_min(&r->grade[g - 1], (int)k))
				return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_CATEGORY_ORDER,
						  where, r->cat[k].name, r->grade[g].name, r->grade[g - 1].name);
	return 0;
}

/* The last grade is every unit's that reaches none before it (kp_rank:
 * totals are 0 or more), so a minimum above 0 there, in any category,
 * would not hold: {"合格", 60} last made a unit of 32 合格, and
 * commendable by min_grade = "合格", while criteria said 合格 ≥ 60. */
static int last_grade_takes_all(compiler *c, const char *where)
{
	const kp_rules *r = c->r;
	const kp_grade *last = &r->grade[r->ngrade - 1];
	size_t k;
	char num[32];

	for (k = 0; k < r->ncat; k++)
		if (kp_grade_min(last, (int)k) > 0) {
			kp_num_short(kp_grade_min(last, (int)k), num, sizeof num);
			return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_LAST_MIN, where, last->name, num, r->cat[k].name);
		}
	/* quotas move units down a grade: there is none below the last (a
	 * quota there was ignored without a word) */
	if (last->quota > 0 || last->count > 0)
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_LAST_QUOTA, where, last->name);
	return 0;
}

/* Grade i of the grades table at g: {"name", minimum [, quota =, count =,
 * by_category =]}, below the one before it, not named twice. */
static int compile_grade(compiler *c, int g, size_t i, const char *where)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	kp_grade *gr = &r->grade[i];
	int rc = 0, has_quota = 0, added, blank;

	kp_decl_index(L, g, (lua_Integer)i + 1);
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_FORM, where);
	}
	kp_decl_index(L, -1, 1);
	kp_decl_index(L, -2, 2);
	if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)))
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_FORM, where);
	else if ((blank = blank_name(lua_tostring(L, -2))))
		/* a grade "" printed its units as having none */
		rc = blank < 0 ? kp_err_oom(c->err) : kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_EMPTY, where, (int)i + 1);
	else {
		gr->name = dupstr(c, lua_tostring(L, -2));
		gr->min = lua_tonumber(L, -1);
		r->ngrade = i + 1;
	}
	lua_pop(L, 2);
	if (!rc && (has_quota = field_num(c, lua_gettop(L), "quota", &gr->quota)) < 0)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_QUOTA_SHARE, where);
	/* a share of 0 (⌊0 × units⌋: no unit) was taken as no quota at all,
	 * while 0.01 of 5 units kept none */
	if (!rc && has_quota > 0 && !(gr->quota > 0 && gr->quota <= 1))
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_QUOTA_RANGE, where);
	if (!rc)
		rc = grade_count_and_mins(c, lua_gettop(L), gr, where);
	if (!rc && i > 0 && gr->min >= r->grade[i - 1].min)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_ORDER, where, gr->name, r->grade[i - 1].name);
	/* hashed: grade_index for each grade was quadratic (100,000 grades
	 * took 12 s) */
	if (!rc && (added = kp_strset_add(&c->grades, gr->name)) <= 0)
		rc = added < 0 ? kp_err_oom(c->err) : kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_TWICE, where, gr->name);
	lua_pop(L, 1);
	return rc;
}

static int compile_grades(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, n;
	char *where, *ties;
	int g, rc = 0;

	kp_decl_field(L, c->spec, "grades");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	g = lua_gettop(L);
	where = where_of(c, g);
	n = kp_decl_len(L, g);
	ties = field_str(c, g, "quota_ties", NULL);
	r->quota_ties_none = ties && !strcmp(ties, "none");
	if (ties && strcmp(ties, "none") && strcmp(ties, "all"))
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_TIES, where);
	free(ties);
	if (!rc && n == 0)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_GRADE_BANDS, where);
	if (!rc && !(r->grade = calloc(n, sizeof *r->grade)))
		rc = kp_err_oom(c->err);
	for (i = 0; i < n && !rc; i++)
		rc = compile_grade(c, g, i, where);
	if (!rc)
		rc = grades_ordered(c, where);
	if (!rc)
		rc = last_grade_takes_all(c, where);
	if (!rc)
		rc = list_names_alike(c, KP_MSG_RULE_KIND_GRADE, where);
	free(where);
	lua_pop(L, 1);
	return rc;
}

static int compile_tiebreaks(compiler *c, int t, const char *where)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, n;

	kp_decl_field(L, t, "tie_break");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_TIE_FORM, where);
	}
	n = kp_decl_len(L, -1);
	if (!(r->tie = calloc(n + 1, sizeof *r->tie)))
		return kp_err_oom(c->err);
	for (i = 0; i < n; i++) {
		kp_tiebreak *tb = &r->tie[i];
		const char *name;
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		if (!name) {
			lua_pop(L, 2);
			return kp_err_msg(c->err, KP_ERULE, KP_M_RULE_TIE_LIST, where);
		}
		tb->name = dupstr(c, name);
		r->ntie = i + 1;
		if (!strcmp(name, "deductions") || !strcmp(name, "扣分"))
			tb->kind = KP_TIE_DEDUCTIONS;
		else if (!strcmp(name, "bonus") || !strcmp(name, "加分"))
			tb->kind = KP_TIE_BONUS;
		else if ((tb->section = section_index(c, name)) >= 0)
			tb->kind = KP_TIE_SECTION;
		else {
			kp_err_msg(c->err, KP_ERULE, KP_M_RULE_TIE_UNKNOWN,
				   where, name);
			lua_pop(L, 2);
			return KP_ERULE;
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* commend { by_category = { ["镇"] = { min_grade = "良好", min_score = 85 } } } */
static int compile_commend_cats(compiler *c, int t, const char *where)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	int k = -1, rc = 0, bad = 0;

	kp_decl_field(L, t, "by_category");
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		return 0;
	}
	if (!(r->commend_cat = calloc(r->ncat + 1, sizeof *r->commend_cat))) {
		lua_pop(L, 1);
		return kp_err_oom(c->err);
	}
	lua_pushnil(L);
	while (!rc && kp_decl_next(L, -2)) {
		struct kp_commend_cat *cc;
		char *mg;
		if (lua_type(L, -2) != LUA_TSTRING || (k = category_index(c, lua_tostring(L, -2))) < 0) {
			rc = k == -2 ? c->err->kind
				    : kp_err_msg(c->err, KP_ERULE, KP_M_RULE_COMMEND_BY_CATEGORY,
						 where, lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
			lua_pop(L, 2);
			break;
		}
		cc = &r->commend_cat[k];
		cc->set = 1, cc->min_grade = -1;
		mg = field_str(c, lua_gettop(L), "min_grade", &bad);
		if (bad)
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_MIN_GRADE_NAME, where);
		else if (mg && (cc->min_grade = grade_index(r, mg)) < 0)
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_MIN_GRADE_UNKNOWN, where, mg);
		free(mg);
		if (!rc && (cc->has_min_score = field_num(c, lua_gettop(L), "min_score", &cc->min_score)) < 0)
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_MIN_SCORE, where);
		lua_pop(L, rc ? 2 : 1);
	}
	lua_pop(L, 1);
	return rc;
}

/* commend { veto_rank = "last" }: vetoed units after the others of their
 * category; "total" (the default) ranks them by their total like the rest */
static int compile_veto_rank(compiler *c, int t, const char *where)
{
	int bad = 0, rc = 0;
	char *vr = field_str(c, t, "veto_rank", &bad);

	if (bad || (vr && strcmp(vr, "last") && strcmp(vr, "total")))
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_VETO_RANK, where);
	c->r->veto_last = vr && !strcmp(vr, "last");
	free(vr);
	return rc;
}

static int compile_commend(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	char *where, *mg;
	int t, rc = 0, bad = 0;

	r->commend_min_grade = -1;
	kp_decl_field(L, c->spec, "commend");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	t = lua_gettop(L);
	where = where_of(c, t);
	mg = field_str(c, t, "min_grade", &bad);
	if (bad)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_MIN_GRADE_NAME, where);
	else if (mg && (r->commend_min_grade = grade_index(r, mg)) < 0)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_MIN_GRADE_UNKNOWN, where, mg);
	free(mg);
	if (!rc && (r->has_min_score = field_num(c, t, "min_score", &r->commend_min_score)) < 0)
		rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_MIN_SCORE, where);
	r->has_min_score = r->has_min_score > 0;
	r->eligible_ref = field_ref(c, t, "eligible");
	if (!rc && !r->eligible_ref) {
		if (kp_decl_field(L, t, "eligible") != LUA_TNIL)
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_ELIGIBLE, where);
		lua_pop(L, 1);
	}
	if (!rc)
		rc = compile_veto_rank(c, t, where);
	if (!rc)
		rc = compile_tiebreaks(c, t, where);
	if (!rc)
		rc = compile_commend_cats(c, t, where);
	free(where);
	lua_pop(L, 1);
	return rc;
}

static int compile_events(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, n;
	int rc = 0;

	kp_decl_field(L, c->spec, "events");
	n = kp_decl_len(L, -1);
	if (!(r->event = calloc(n + 1, sizeof *r->event)))
		rc = kp_err_oom(c->err);
	for (i = 0; i < n && !rc; i++) {
		kp_event *e = &r->event[i];
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		e->name = field_str(c, lua_gettop(L), "name", NULL);
		e->data = field_str(c, lua_gettop(L), "data", NULL);
		e->unit = field_str(c, lua_gettop(L), "unit", NULL);
		e->office = field_str(c, lua_gettop(L), "office", NULL);
		e->where = where_of(c, lua_gettop(L));
		r->nevent = i + 1;
		if (!rc)
			rc = field_cols(c, lua_gettop(L), &e->ncol, &e->col, &e->reader);
		if (event_index(r, e->name) != (int)i)
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_EVENTS_TWICE, e->where, e->name);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

/* data "name" { office = ..., columns = {...} } (checked against the
 * columns the rules read once they are compiled: check_declared_columns) */
static int compile_datas(compiler *c)
{
	lua_State *L = c->L;
	kp_rules *r = c->r;
	size_t i, j, n;
	int rc = 0;

	kp_decl_field(L, c->spec, "datas");
	n = kp_decl_len(L, -1);
	if (!(r->data = calloc(n + 1, sizeof *r->data)))
		rc = kp_err_oom(c->err);
	for (i = 0; i < n && !rc; i++) {
		kp_dataset *d = &r->data[i];
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		d->name = field_str(c, lua_gettop(L), "name", NULL);
		d->office = field_str(c, lua_gettop(L), "office", NULL);
		d->where = where_of(c, lua_gettop(L));
		r->ndata = i + 1;
		rc = field_cols(c, lua_gettop(L), &d->ncol, &d->col, &d->reader);
		lua_pop(L, 1);
		if (!rc && (!d->name || !d->where))
			rc = kp_err_oom(c->err);
		for (j = 0; j < r->nevent && !rc; j++)
			if (!strcmp(r->event[j].data, d->name))
				rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_DATA_IS_EVENTS,
						d->where, d->name, r->event[j].name, r->event[j].where);
		if (!rc && r->unit_table && !strcmp(r->unit_table, d->name))
			rc = kp_err_msg(c->err, KP_ERULE, KP_M_RULE_DATA_IS_UNITS, d->where, d->name);
	}
	lua_pop(L, 1);
	return rc;
}

static int compile(compiler *c)
{
	int rc;

	if ((rc = compile_assessment(c)) || (rc = compile_events(c)) || (rc = compile_datas(c)) || (rc = compile_tree(c)) ||
	    (rc = compile_bonus_veto(c)) || (rc = compile_grades(c)) || (rc = compile_commend(c)) ||
	    (rc = check_names_alike(c)))
		return rc;
	kp_decl_field(c->L, c->spec, "cases");
	c->r->ncase = kp_decl_len(c->L, -1);
	c->r->cases_ref = luaL_ref(c->L, LUA_REGISTRYINDEX);
	return 0;
}

/* ---- the columns the rules read ---- */

static int add_numcol(kp_rules *r, const char *col, kp_err *err)
{
	char **p;

	if (!col || kp_rules_is_numeric(r, col))
		return 0;
	if (!(p = realloc(r->numcol, (r->nnumcol + 1) * sizeof *p)) || !(p[r->nnumcol] = strdup(col))) {
		if (p)
			r->numcol = p;
		return kp_err_oom(err);
	}
	r->numcol = p;
	if (kp_strset_add(&r->numcol_set, p[r->nnumcol]) < 0) {
		free(p[r->nnumcol]);
		return kp_err_oom(err);
	}
	r->nnumcol++;
	return 0;
}

/* The event column an aggregate reads as numbers, or NULL (a count; the
 * dates of late and missing are read as text). */
static const char *agg_numcol(const kp_src *s)
{
	return s->op == KP_AGG_COUNT || s->op == KP_AGG_LATE || s->op == KP_AGG_MISSING ? NULL : s->col;
}

static int numeric_method(kp_rules *r, const kp_method *m, kp_err *err)
{
	size_t i;
	int rc = 0;

	if (m->goal_src.kind == KP_SRC_COL && (rc = add_numcol(r, m->goal_src.col, err)))
		return rc;
	if (m->goal_src.kind == KP_SRC_AGG && (rc = add_numcol(r, agg_numcol(&m->goal_src), err)))
		return rc;

	if (m->kind == KP_M_CHECKLIST) { /* counts are numbers, yes/no columns text */
		for (i = m->first; i < m->first + m->count && !rc; i++) {
			const kp_src *s = &r->check[i].src;
			if (s->kind == KP_SRC_AGG)
				rc = add_numcol(r, agg_numcol(s), err);
			else if (s->kind == KP_SRC_COL && r->check[i].per)
				rc = add_numcol(r, s->col, err);
		}
		return rc;
	}
	for (i = m->first; m->kind == KP_M_BLEND && i < m->first + m->count && !rc; i++) {
		const kp_src *s = &r->part[i].src;
		if (s->kind == KP_SRC_COL || (s->kind == KP_SRC_AGG && s->op != KP_AGG_COUNT))
			rc = add_numcol(r, s->col, err);
	}
	if (rc || m->kind == KP_M_BLEND)
		return rc;
	if (m->src.kind == KP_SRC_AGG)
		return add_numcol(r, agg_numcol(&m->src), err);
	if (m->kind == KP_M_YESNO || m->kind == KP_M_DONE || m->kind == KP_M_LOOKUP || m->kind == KP_M_DEADLINE ||
	    m->src.kind != KP_SRC_COL)
		return 0;
	return add_numcol(r, m->src.col, err);
}

static int collect_numeric(kp_rules *r, kp_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nind && !rc; i++)
		rc = numeric_method(r, &r->ind[i].m, err);
	for (i = 0; i < r->nbon && !rc; i++)
		rc = numeric_method(r, &r->bon[i].m, err);
	for (i = 0; i < r->nded && !rc; i++)
		if (r->ded[i].count.kind == KP_SRC_COL)
			rc = add_numcol(r, r->ded[i].count.col, err);
		else if (r->ded[i].count.kind == KP_SRC_AGG)
			rc = add_numcol(r, agg_numcol(&r->ded[i].count), err);
	for (i = 0; i < r->nveto && !rc; i++)
		if (r->veto[i].when.kind == KP_SRC_AGG)
			rc = add_numcol(r, agg_numcol(&r->veto[i].when), err);
	return rc;
}

int kp_rules_is_numeric(const kp_rules *r, const char *col)
{
	size_t i;

	if (r->numcol_set.n == r->nnumcol && r->nnumcol) /* as add_numcol keeps it */
		return kp_strset_has(&r->numcol_set, col);
	for (i = 0; i < r->nnumcol; i++)
		if (!strcmp(r->numcol[i], col))
			return 1;
	return 0;
}

int kp_rules_event_data(const kp_rules *r, const char *name)
{
	size_t i;

	for (i = 0; r && i < r->nevent; i++)
		if (!strcmp(r->event[i].data, name))
			return 1;
	return 0;
}

unsigned char *kp_rules_numeric_mask(const kp_rules *r, char *const *cols, size_t n, kp_err *err)
{
	unsigned char *numeric = calloc(n + 1, 1);
	size_t i;

	if (!numeric) {
		kp_err_oom(err);
		return NULL;
	}
	for (i = 0; r && i < n; i++)
		numeric[i] = (unsigned char)kp_rules_is_numeric(r, cols[i]);
	return numeric;
}

/* The list kp_rules_columns builds, each column once (a hash set: a
 * linear search for each was quadratic in the columns the rules read). */
typedef struct col_list {
	const char **list;
	size_t n;
	kp_strset seen;
	int oom;
} col_list;

static void push_col(col_list *c, const char *col)
{
	int added;

	if (!col || c->oom)
		return;
	if ((added = kp_strset_add(&c->seen, col)) < 0)
		c->oom = 1;
	else if (added)
		c->list[c->n++] = col;
}

static void src_cols(col_list *c, const kp_src *s)
{
	size_t i;

	if (s->kind == KP_SRC_COL || s->kind == KP_SRC_AGG)
		push_col(c, s->col);
	push_col(c, s->due);
	for (i = 0; i < s->nfilter; i++)
		push_col(c, s->fcol[i]);
}

size_t kp_rules_columns(const kp_rules *r, const char ***out, kp_err *err)
{
	size_t cap = 8 + r->nind + r->nbon + r->nded + r->nveto + r->nevent, i;
	col_list c = {0};

	for (i = 0; i < r->nind; i++)
		cap += 2 + r->ind[i].m.src.nfilter + r->ind[i].m.goal_src.nfilter;
	for (i = 0; i < r->nded; i++)
		cap += 1 + r->ded[i].count.nfilter;
	for (i = 0; i < r->nbon; i++)
		cap += 2 + r->bon[i].m.src.nfilter + r->bon[i].m.goal_src.nfilter;
	for (i = 0; i < r->nveto; i++)
		cap += 1 + r->veto[i].when.nfilter;
	for (i = 0; i < r->ncheck; i++)
		cap += 2 + r->check[i].src.nfilter;
	for (i = 0; i < r->npart; i++)
		cap += 2 + r->part[i].src.nfilter;
	if (!(c.list = calloc(cap, sizeof *c.list))) {
		kp_err_oom(err);
		*out = NULL;
		return 0;
	}
	push_col(&c, r->id_col);
	push_col(&c, r->name_col);
	push_col(&c, r->cat_col);
	for (i = 0; i < r->nevent; i++)
		push_col(&c, r->event[i].unit);
	for (i = 0; i < r->nind; i++)
		src_cols(&c, &r->ind[i].m.src), src_cols(&c, &r->ind[i].m.goal_src);
	for (i = 0; i < r->nbon; i++)
		src_cols(&c, &r->bon[i].m.src), src_cols(&c, &r->bon[i].m.goal_src);
	for (i = 0; i < r->nded; i++)
		src_cols(&c, &r->ded[i].count);
	for (i = 0; i < r->nveto; i++)
		src_cols(&c, &r->veto[i].when);
	for (i = 0; i < r->ncheck; i++)
		src_cols(&c, &r->check[i].src);
	for (i = 0; i < r->npart; i++)
		src_cols(&c, &r->part[i].src);
	kp_strset_free(&c.seen);
	if (c.oom) {
		free(c.list);
		kp_err_oom(err);
		*out = NULL;
		return 0;
	}
	*out = c.list;
	return c.n;
}

/* ---- the criteria in words ---- */

void kp_rules_words(kp_sb *out, enum kp_lang lang, enum kp_msgid id, const char *en, ...)
{
	char small[256], *p = small;
	va_list ap;
	int n;

	(void)en; /* the catalogue's English text, there for the compiler */
	va_start(ap, en);
	n = vsnprintf(small, sizeof small, kp_msg_text(id, lang), ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		if (!(p = malloc((size_t)n + 1))) {
			out->oom = 1;
			return;
		}
		va_start(ap, en);
		vsnprintf(p, (size_t)n + 1, kp_msg_text(id, lang), ap);
		va_end(ap);
	}
	kp_sb_puts(out, p);
	if (p != small)
		free(p);
}

/* The words for an aggregate of events: "信访(筛选)合计件数". */
static void agg_words(const kp_rules *r, const kp_src *s, enum kp_lang lang, kp_sb *out)
{
	const char *ev = r->event[s->event].name;
	const char *f = s->nfilter || s->ref ? kp_msg_text(KP_MSG_RULE_CRIT_FILTERED, lang) : "";

	switch (s->op) {
	case KP_AGG_COUNT: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_COUNT, ev, f); break;
	case KP_AGG_SUM: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_SUM, ev, f, s->col); break;
	case KP_AGG_AVG: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_AVG, ev, f, s->col); break;
	case KP_AGG_MIN: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_MIN, ev, f, s->col); break;
	case KP_AGG_MAX: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_MAX, ev, f, s->col); break;
	case KP_AGG_TRIMMED: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_TRIMMED, ev, f, s->col); break;
	case KP_AGG_LATE: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_LATE, ev, f, s->col, s->due); break;
	case KP_AGG_MISSING: kp_rules_words(out, lang, KP_M_RULE_CRIT_AGG_MISSING, ev, f, s->col); break;
	default: kp_sb_printf(out, "%s%s%s", ev, f, s->col ? s->col : "");
	}
}

/* The words for a source: a column, an aggregate of events, or 计算值. */
static void src_words(const kp_rules *r, const kp_src *s, enum kp_lang lang, kp_sb *out)
{
	if (s->kind == KP_SRC_COL)
		kp_sb_puts(out, s->col);
	else if (s->kind == KP_SRC_AGG)
		agg_words(r, s, lang, out);
	else
		kp_rules_words(out, lang, KP_M_RULE_CRIT_COMPUTED);
}

/* "满分3分, 扣完为止: 没有总体方案扣3分; 迟报每次扣0.5分, 最多扣2分" */
static void describe_checklist(const kp_rules *r, const kp_method *m, const char *points, enum kp_lang lang,
			       kp_sb *out)
{
	char a[32], b[32];
	size_t i;

	kp_rules_words(out, lang, KP_M_RULE_CRIT_CHECKLIST, points);
	for (i = m->first; i < m->first + m->count; i++) {
		const kp_check *k = &r->check[i];
		kp_sb_printf(out, "%s%s", i > m->first ? "; " : "", k->name);
		if (!k->per) {
			kp_rules_words(out, lang, KP_M_RULE_CRIT_CHECK_MINUS, kp_num_short(k->amount, a, sizeof a));
			continue;
		}
		kp_rules_words(out, lang, KP_M_RULE_CRIT_CHECK_PER,
			       k->unit ? k->unit : kp_msg_text(KP_MSG_RULE_CRIT_TIME, lang),
			       kp_num_short(k->amount, a, sizeof a));
		if (k->has_max)
			kp_rules_words(out, lang, KP_M_RULE_CRIT_AT_MOST, kp_num_short(k->max, b, sizeof b));
	}
}

/* "按报送日期: 2024年3月31日前(含)得5分; 2024年4月15日前(含)得3分; 逾期或未报送得0分" */
static void describe_deadline(const kp_method *m, const char *src, enum kp_lang lang, kp_sb *out)
{
	char a[32], day[KP_DATE_MAX];
	size_t i;

	kp_rules_words(out, lang, KP_M_RULE_CRIT_BY, src);
	for (i = 0; i < m->n; i++)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_BY_DATE,
			       lang == KP_LANG_EN ? kp_date_iso((int)m->thr[i], day, sizeof day)
						  : kp_date_words((int)m->thr[i], day, sizeof day),
			       kp_num_short(m->pts[i], a, sizeof a));
	kp_rules_words(out, lang, KP_M_RULE_CRIT_LATE_POINTS,
		       m->has_otherwise ? kp_num_short(m->otherwise, a, sizeof a) : "0");
}

/* "考核得分×85% + 评议得分×15%, 折算为10分"; a part on a scale of its own
 * says it (评议得分(满分10分)×15%), a blend not on 100 too. */
static void describe_blend(const kp_rules *r, const kp_method *m, const char *points, enum kp_lang lang, kp_sb *out)
{
	char a[32], b[32];
	size_t i;

	for (i = m->first; i < m->first + m->count; i++) {
		const kp_part *p = &r->part[i];
		kp_sb_puts(out, i > m->first ? " + " : "");
		src_words(r, &p->src, lang, out);
		if (p->scale != m->scale)
			kp_rules_words(out, lang, KP_M_RULE_CRIT_PART_SCALE, kp_num_short(p->scale, a, sizeof a));
		kp_sb_printf(out, "×%s%%", kp_num_short(kp_num_round(p->weight * 100, 6), b, sizeof b));
	}
	if (m->scale != 100)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_BLEND_SCALE, kp_num_short(m->scale, a, sizeof a));
	kp_rules_words(out, lang, KP_M_RULE_CRIT_SCALED_TO, points);
}

/* One step of a list: 第2—4名各3分 (ranks with the same points in one),
 * ≥0.9得8分, 优秀 10分; returns the last index it covered. */
static size_t describe_step(const kp_method *m, size_t i, enum kp_lang lang, kp_sb *out)
{
	char b[32], c[32];
	size_t j = i;

	if (m->kind == KP_M_RANK) {
		while (j + 1 < m->n && m->pts[j + 1] == m->pts[i])
			j++;
		if (j > i)
			kp_rules_words(out, lang, KP_M_RULE_CRIT_RANKS, i + 1, j + 1, kp_num_short(m->pts[i], b, sizeof b));
		else
			kp_rules_words(out, lang, KP_M_RULE_CRIT_RANK, i + 1, kp_num_short(m->pts[i], b, sizeof b));
	} else if (m->kind == KP_M_BANDS) {
		kp_rules_words(out, lang, KP_M_RULE_CRIT_BAND, m->gt && m->gt[i] ? ">" : "≥",
			       kp_num_short(m->thr[i], c, sizeof c), kp_num_short(m->pts[i], b, sizeof b));
	} else {
		kp_rules_words(out, lang, KP_M_RULE_CRIT_LOOKUP, m->keys[i], kp_num_short(m->pts[i], b, sizeof b),
			       i + 1 < m->n || m->has_default ? "; " : "");
	}
	return j;
}

/* rank_points, bands, lookup: "按持证率: ≥0.95得10分; ≥0.9得8分; 其余0分" */
static void describe_list(const kp_method *m, const char *src, enum kp_lang lang, kp_sb *out)
{
	char b[32];
	size_t i;

	if (m->kind == KP_M_RANK && m->asc)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_RANK_ASC, src);
	else if (m->kind == KP_M_RANK)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_RANK_DESC, src);
	else
		kp_rules_words(out, lang, KP_M_RULE_CRIT_BY, src);
	for (i = 0; i < m->n; i++)
		i = describe_step(m, i, lang, out);
	/* a lookup without a default scores no other value (it is an error),
	 * so its words promise nothing for one */
	if (m->kind != KP_M_LOOKUP || m->has_default)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_OTHERWISE,
			       m->kind == KP_M_LOOKUP ? kp_num_short(m->dflt, b, sizeof b)
			       : m->kind == KP_M_BANDS && m->has_otherwise ? kp_num_short(m->otherwise, b, sizeof b) : "0");
}

/* target: "完成数 ÷ 任务数 × 10分, 完成率最高按100%计" */
static void describe_target(const kp_rules *r, const kp_method *m, const char *src, const char *points,
			    enum kp_lang lang, kp_sb *out)
{
	char b[32];

	kp_sb_printf(out, "%s ÷ ", src);
	if (m->goal_src.kind)
		src_words(r, &m->goal_src, lang, out);
	else
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GOAL, kp_num_short(m->goal, b, sizeof b));
	kp_rules_words(out, lang, KP_M_RULE_CRIT_TARGET, points);
}

/* per_item: "满分10分, 问题数每件扣2分, 最多扣6分" */
static void describe_per_item(const kp_method *m, const char *src, const char *a, enum kp_lang lang, kp_sb *out)
{
	char b[32], c[32];

	kp_rules_words(out, lang, KP_M_RULE_CRIT_PER_ITEM, a, src, kp_num_short(m->per, b, sizeof b));
	if (m->has_max)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_DEDUCT_AT_MOST, kp_num_short(m->max, c, sizeof c));
	else
		kp_rules_words(out, lang, KP_M_RULE_CRIT_DOWN_TO_ZERO);
}

/* The methods of one formula: target, done, ratio_to_best, min_max,
 * yes_no, given; 0 when m is of another kind. */
static int describe_formula(const kp_rules *r, const kp_method *m, const char *src, const char *a,
			    enum kp_lang lang, kp_sb *out)
{
	char b[32];
	const char *dflt = m->has_default ? kp_num_short(m->dflt, b, sizeof b) : NULL;

	if (m->kind == KP_M_TARGET)
		describe_target(r, m, src, a, lang, out);
	else if (m->kind == KP_M_DONE)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_DONE, src, a, dflt ? dflt : "0");
	else if (m->kind == KP_M_RATIO && m->scope_all)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_RATIO_ALL, src, a);
	else if (m->kind == KP_M_RATIO)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_RATIO_CATEGORY, src, a);
	else if (m->kind == KP_M_MINMAX && m->scope_all)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_MINMAX_ALL, src, a);
	else if (m->kind == KP_M_MINMAX)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_MINMAX_CATEGORY, src, a);
	else if (m->kind == KP_M_YESNO)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_YESNO, src, dflt ? dflt : a);
	else if (m->kind == KP_M_GIVEN && m->src.kind == KP_SRC_COL)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GIVEN_COLUMN, src, a);
	else if (m->kind == KP_M_GIVEN)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GIVEN, src, a);
	else
		return 0;
	return 1;
}

/* The method's words after its source's words, src, are known. */
static void describe_method(const kp_rules *r, const kp_method *m, const char *src, const char *a, enum kp_lang lang,
			    kp_sb *out)
{
	if (describe_formula(r, m, src, a, lang, out))
		return;
	switch (m->kind) {
	case KP_M_RANK:
	case KP_M_BANDS:
	case KP_M_LOOKUP:
		describe_list(m, src, lang, out);
		break;
	case KP_M_PERITEM:
		describe_per_item(m, src, a, lang, out);
		break;
	case KP_M_CHECKLIST:
		describe_checklist(r, m, a, lang, out);
		break;
	case KP_M_BLEND:
		describe_blend(r, m, a, lang, out);
		break;
	case KP_M_DEADLINE:
		describe_deadline(m, src, lang, out);
		break;
	default:
		kp_rules_words(out, lang, KP_M_RULE_CRIT_FUNCTION, a);
	}
}

void kp_rules_describe(const kp_rules *r, const kp_method *m, double points, enum kp_lang lang, kp_sb *out)
{
	kp_sb src = {0};
	char a[32];

	src_words(r, &m->src, lang, &src);
	if (src.oom)
		out->oom = 1;
	else
		describe_method(r, m, kp_sb_str(&src), kp_num_short(points, a, sizeof a), lang, out);
	kp_sb_free(&src);
}

/* ---- loading ---- */

/* ---- declared columns: data { columns } and events { columns } ---- */

/* The rule functions that might name a declared column, gathered once in
 * the order of the items (indicators, deductions, bonuses, vetoes,
 * commend), each with the bytes of its lines in the rule file.  Every
 * quoted text of those lines ("col", 'col') then goes into one hash table,
 * so that a column's readers are a look-up: columns × functions × file
 * (each function's lines found by counting from the start) was cubic,
 * a minute at 1,000 indicators naming their column in a function. */
typedef struct fn_ent {
	const char *item;
	int kind;         /* 1: a function of the rule file, 2: of a module (may read anything) */
	size_t a, b;      /* kind 1: its lines, text[a..b) */
	size_t range;     /* kind 1: its span's number (equal spans share it) */
} fn_ent;

typedef struct fn_node { size_t range, next; } fn_node; /* next: index + 1, 0 none */

typedef struct fnscan {
	lua_State *L;
	const char *file, *text;
	size_t len;
	size_t *line, nline;   /* line[k]: where line k + 1 starts */
	fn_ent *e;
	size_t ne, cap;
	int maybe;             /* a module's function may read any column */
	int oom;
	size_t *ord;           /* kind-1 entries by span */
	size_t *rstart;        /* span r's entries: ord[rstart[r] .. rstart[r + 1]) */
	size_t nrange;
	struct qslot { size_t off, n, head; } *q; /* quoted texts: head = node index + 1 */
	size_t qcap;
	fn_node *node;
	size_t nnode, nodecap;
	size_t *hits;          /* scratch: entries naming one column */
} fnscan;

static int src_fn(const kp_src *s)
{
	return s->kind == KP_SRC_FUNC || s->kind == KP_SRC_AGG ? s->ref : 0;
}

/* Where line k (1-based) starts; past the end: len. */
static size_t line_at(const fnscan *s, long k)
{
	if (k < 1)
		k = 1;
	return (size_t)k > s->nline ? s->len : s->line[k - 1];
}

/* Note the function at ref as one the items' item may call. */
static void scan(fnscan *s, int ref, const char *item)
{
	lua_Debug ar;
	fn_ent *e;
	long first;

	if (ref <= 0 || s->oom)
		return;
	lua_rawgeti(s->L, LUA_REGISTRYINDEX, ref);
	if (lua_type(s->L, -1) != LUA_TFUNCTION) {
		lua_pop(s->L, 1);
		return;
	}
	if (!lua_getinfo(s->L, ">S", &ar) || ar.what[0] == 'C')
		return;
	if (ar.source[0] != '@' || strcmp(ar.source + 1, s->file)) {
		s->maybe = 1;
		return;
	}
	if (s->ne == s->cap) {
		if (!(e = kp_grow(s->e, &s->cap, s->ne + 1, sizeof *e))) {
			s->oom = 1;
			return;
		}
		s->e = e;
	}
	e = &s->e[s->ne++];
	e->item = item, e->kind = 1;
	first = ar.linedefined < 1 ? 1 : ar.linedefined;
	e->a = line_at(s, first);
	e->b = ar.lastlinedefined < first ? e->a : line_at(s, ar.lastlinedefined + 1L);
	if (e->b < e->a)
		e->b = e->a;
	e->range = 0;
}

static void scan_method(fnscan *s, const kp_rules *r, const kp_method *m, const char *item)
{
	size_t i;

	scan(s, m->ref, item);
	scan(s, src_fn(&m->src), item);
	scan(s, src_fn(&m->goal_src), item);
	for (i = m->first; m->kind == KP_M_CHECKLIST && i < m->first + m->count; i++)
		scan(s, src_fn(&r->check[i].src), item);
	for (i = m->first; m->kind == KP_M_BLEND && i < m->first + m->count; i++)
		scan(s, src_fn(&r->part[i].src), item);
}

static void scan_items(fnscan *s, const kp_rules *r)
{
	size_t i;

	for (i = 0; i < r->nind; i++)
		scan_method(s, r, &r->ind[i].m, r->ind[i].name);
	for (i = 0; i < r->nded; i++)
		scan(s, r->ded[i].ref, r->ded[i].name), scan(s, src_fn(&r->ded[i].count), r->ded[i].name);
	for (i = 0; i < r->nbon; i++)
		scan_method(s, r, &r->bon[i].m, r->bon[i].name);
	for (i = 0; i < r->nveto; i++)
		scan(s, src_fn(&r->veto[i].when), r->veto[i].name), scan(s, r->veto[i].reason_ref, r->veto[i].name);
	scan(s, r->eligible_ref, "commend");
}

typedef struct span_key { size_t a, b, idx; } span_key;
static int span_cmp(const void *x, const void *y)
{
	const span_key *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int size_cmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* The slot of text[off..off+n) in the quoted texts' table. */
static struct qslot *q_slot(fnscan *s, const char *p, size_t n)
{
	size_t h = kp_hash(p, n) & (s->qcap - 1);

	while (s->q[h].head && !(s->q[h].n == n && !memcmp(s->text + s->q[h].off, p, n)))
		h = (h + 1) & (s->qcap - 1);
	return &s->q[h];
}

/* Record that span r quotes text[off..off+n). */
static int q_add(fnscan *s, size_t off, size_t n, size_t r)
{
	struct qslot *q = q_slot(s, s->text + off, n);

	if (q->head && s->node[q->head - 1].range == r)
		return 0; /* this span already has it */
	if (s->nnode == s->nodecap) {
		fn_node *nd = kp_grow(s->node, &s->nodecap, s->nnode + 1, sizeof *nd);
		if (!nd)
			return -1;
		s->node = nd;
	}
	if (!q->head)
		q->off = off, q->n = n;
	s->node[s->nnode].range = r, s->node[s->nnode].next = q->head;
	q->head = ++s->nnode;
	return 0;
}

/* Index the rule file's lines, gather the functions, number their spans
 * and put every quoted text of every span in the table.  The texts of a
 * span are those between two quotes of a kind with none of that kind
 * between them: a column without quote marks matches "col" exactly there. */
static int fnscan_build(fnscan *s, const kp_rules *r)
{
	size_t i, k, nq = 0;

	for (i = 0; i < s->len; i++)
		s->nline += s->text[i] == '\n';
	s->nline++;
	if (!(s->line = malloc(s->nline * sizeof *s->line)))
		return -1;
	s->line[0] = 0;
	for (i = 0, k = 1; i < s->len; i++)
		if (s->text[i] == '\n')
			s->line[k++] = i + 1;
	scan_items(s, r);
	if (s->oom)
		return -1;
	if (!(s->ord = malloc((s->ne + 1) * sizeof *s->ord)) || !(s->rstart = malloc((s->ne + 2) * sizeof *s->rstart)) ||
	    !(s->hits = malloc((s->ne + 1) * sizeof *s->hits)))
		return -1;
	if (s->ne) {
		span_key *key = malloc(s->ne * sizeof *key);
		if (!key)
			return -1;
		for (i = 0; i < s->ne; i++)
			key[i].a = s->e[i].a, key[i].b = s->e[i].b, key[i].idx = i;
		qsort(key, s->ne, sizeof *key, span_cmp);
		for (i = 0; i < s->ne; i++) {
			if (!i || key[i].a != key[i - 1].a || key[i].b != key[i - 1].b)
				s->rstart[s->nrange++] = i;
			s->ord[i] = key[i].idx;
			s->e[key[i].idx].range = s->nrange - 1;
		}
		free(key);
	}
	s->rstart[s->nrange] = s->ne;
	/* room: at most one quoted text per byte of the spans */
	for (i = 0; i < s->nrange; i++) {
		const fn_ent *e = &s->e[s->ord[s->rstart[i]]];
		for (k = e->a; k < e->b; k++)
			nq += s->text[k] == '"' || s->text[k] == '\'';
	}
	for (s->qcap = 16; s->qcap < 2 * nq + 2; s->qcap *= 2)
		;
	if (!(s->q = calloc(s->qcap, sizeof *s->q)))
		return -1;
	for (i = 0; i < s->nrange; i++) {
		const fn_ent *e = &s->e[s->ord[s->rstart[i]]];
		size_t last[2] = {0, 0};
		int have[2] = {0, 0};
		for (k = e->a; k < e->b; k++) {
			int w = s->text[k] == '"' ? 0 : s->text[k] == '\'' ? 1 : -1;
			if (w < 0)
				continue;
			if (have[w] && q_add(s, last[w] + 1, k - last[w] - 1, i))
				return -1;
			have[w] = 1, last[w] = k;
		}
	}
	return 0;
}

static void fnscan_free(fnscan *s)
{
	free(s->line), free(s->e), free(s->ord), free(s->rstart), free(s->q), free(s->node), free(s->hits);
}

/* Does text[a..b) hold "col" or 'col'?  (For a column with a quote mark in
 * its name, which the table cannot answer.) */
static int text_quotes(const char *text, size_t a, size_t b, const char *col)
{
	size_t n = strlen(col), k;

	for (k = a; k + n + 2 <= b; k++)
		if ((text[k] == '"' || text[k] == '\'') && text[k + n + 1] == text[k] && !memcmp(text + k + 1, col, n))
			return 1;
	return 0;
}

/* The items whose functions name col, "重大决策程序、…", into who. */
static void fn_readers(fnscan *s, const char *col, kp_sb *who)
{
	size_t nh = 0, i, k;
	const char *last = NULL;

	if (strchr(col, '"') || strchr(col, '\'')) {
		for (i = 0; i < s->ne; i++)
			if (text_quotes(s->text, s->e[i].a, s->e[i].b, col))
				s->hits[nh++] = i;
	} else if (s->qcap) {
		const struct qslot *q = q_slot(s, col, strlen(col));
		size_t nd;
		for (nd = q->head; nd; nd = s->node[nd - 1].next) {
			size_t r = s->node[nd - 1].range;
			for (k = s->rstart[r]; k < s->rstart[r + 1]; k++)
				s->hits[nh++] = s->ord[k];
		}
		qsort(s->hits, nh, sizeof *s->hits, size_cmp);
	}
	for (i = 0; i < nh; i++) {
		const char *item = s->e[s->hits[i]].item;
		if (item == last)
			continue;
		kp_sb_printf(who, "%s%s", last ? "、" : "", item);
		last = item;
	}
}

/* One declared column: read by a helper or named by a rule function, never
 * a unit column (the prelude refuses one in two data declarations).  *reader: the items
 * whose functions name it (malloc'd), or NULL. */
static int check_one_column(const kp_rules *r, const kp_strset *list, fnscan *fs, const char *what,
			    const char *name, const char *where, const char *col, char **reader, kp_err *err)
{
	kp_sb who = {0};

	if (!strcmp(col, r->id_col) || !strcmp(col, r->name_col) || !strcmp(col, r->cat_col))
		return kp_err_msg(err, KP_ERULE, KP_M_RULE_COLUMN_OF_UNITS,
				  where, what, name, col);
	fn_readers(fs, col, &who);
	if (who.oom)
		return kp_sb_free(&who), kp_err_oom(err);
	*reader = who.s; /* NULL when no function names it */
	if (who.s || fs->maybe || kp_strset_has(list, col))
		return 0;
	return kp_err_msg(err, KP_ERULE, KP_M_RULE_COLUMN_UNREAD, where, what, name, col);
}

static int check_declared_columns(kp_rules *r, kp_err *err)
{
	const char **list = NULL;
	char *text = NULL;
	size_t n, len = 0, i, j;
	kp_strset set = {0};
	fnscan fs;
	int rc = 0;

	if (!r->ndata) {
		for (i = 0; i < r->nevent && !r->event[i].ncol; i++)
			;
		if (i == r->nevent)
			return 0;
	}
	n = kp_rules_columns(r, &list, err);
	if (!list)
		return err->kind;
	if ((rc = kp_rules_read_file(r->file, &text, &len, err))) {
		free(list);
		return rc;
	}
	memset(&fs, 0, sizeof fs);
	fs.L = kp_sandbox_state(r->sb), fs.file = r->file, fs.text = text, fs.len = len;
	for (i = 0; i < n && !rc; i++)
		if (kp_strset_add(&set, list[i]) < 0)
			rc = kp_err_oom(err);
	if (!rc && fnscan_build(&fs, r))
		rc = kp_err_oom(err);
	for (i = 0; i < r->ndata && !rc; i++)
		for (j = 0; j < r->data[i].ncol && !rc; j++)
			rc = check_one_column(r, &set, &fs, "data", r->data[i].name, r->data[i].where,
					      r->data[i].col[j], &r->data[i].reader[j], err);
	for (i = 0; i < r->nevent && !rc; i++)
		for (j = 0; j < r->event[i].ncol && !rc; j++)
			rc = check_one_column(r, &set, &fs, "events", r->event[i].name, r->event[i].where,
					      r->event[i].col[j], &r->event[i].reader[j], err);
	fnscan_free(&fs);
	kp_strset_free(&set);
	free(text);
	free(list);
	return rc;
}

/* raise(text, level): error(text, level) for the prelude's refusals of a
 * declaration, raised as the engine's mistake, so that a rule file's
 * pcall(function() deduction "d" { per = -2, … } end) cannot drop the
 * declaration without a word. */
static int l_raise(lua_State *L)
{
	int level = (int)luaL_optinteger(L, 2, 1);
	lua_Debug ar;

	lua_settop(L, 1);
	if (lua_type(L, 1) == LUA_TSTRING && level > 0) {
		/* luaL_where, past a C function (pcall(target, "i01", -1)): it has no line */
		while (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline <= 0)
			level++;
		luaL_where(L, level);
		lua_insert(L, 1);
		lua_concat(L, 2);
	}
	return kp_sandbox_raise(L);
}

#define SNAPSHOT_DEPTH 100 /* declarations nested deeper are refused (copy_value) */

/* Is the value at v a table (or inside one, raw) with a metatable?
 * Items (DECL, at 5) are skipped, helpers (HELPER, at 4) must keep the
 * prelude's metatable (at 6); memo at 7.  Nested deeper than the
 * snapshot takes is left to it (KP_M_RULE_DECL_DEEP). */
static int plain_bad(lua_State *L, int v, int depth)
{
	int bad = 0;

	if (lua_type(L, v) != LUA_TTABLE)
		return 0;
	lua_pushvalue(L, 5);
	if (lua_rawget(L, v) != LUA_TNIL)
		return lua_pop(L, 1), 0;
	lua_pop(L, 1);
	lua_pushvalue(L, 4);
	if (lua_rawget(L, v) != LUA_TNIL) {
		lua_pop(L, 1);
		if (!lua_getmetatable(L, v))
			return 1;
		bad = !lua_rawequal(L, -1, 6);
		return lua_pop(L, 1), bad;
	}
	lua_pop(L, 1);
	if (lua_getmetatable(L, v))
		return lua_pop(L, 1), 1;
	if (depth > SNAPSHOT_DEPTH)
		return 0;
	lua_pushvalue(L, v);
	if (lua_rawget(L, 7) != LUA_TNIL)
		return lua_pop(L, 1), 0;
	lua_pop(L, 1);
	lua_pushvalue(L, v);
	lua_pushboolean(L, 1);
	lua_rawset(L, 7);
	luaL_checkstack(L, 6, NULL);
	lua_pushnil(L);
	while (!bad && lua_next(L, v)) {
		int top = lua_gettop(L);
		bad = plain_bad(L, top, depth + 1) || plain_bad(L, top - 1, depth + 1);
		lua_pop(L, bad ? 2 : 1);
	}
	return bad;
}

/* The level of the place in the rule file (or module) that called into
 * the prelude: the first frame that is neither C nor the prelude (helpers
 * are often tail calls, so a level counted from the prelude would miss
 * it). */
static int rule_level(lua_State *L)
{
	lua_Debug ar;
	int level;

	for (level = 1; lua_getstack(L, level, &ar) && lua_getinfo(L, "S", &ar); level++)
		if (strcmp(ar.what, "C") != 0 && strcmp(ar.source, "=prelude") != 0)
			break;
	return level;
}

/* check_plain(v, what, level, HELPER, DECL, HELPER_MT): the prelude's
 * refusal of a declaration holding a table with a metatable, at the
 * place in the rule file that made it. */
static int l_check_plain(lua_State *L)
{
	luaL_checkinteger(L, 3);
	lua_settop(L, 6);
	lua_newtable(L); /* 7: memo */
	if (!plain_bad(L, 1, 0))
		return 0;
	luaL_where(L, rule_level(L));
	kp_sandbox_push_msg(L, KP_M_RULE_P_METATABLE, luaL_checkstring(L, 2));
	lua_concat(L, 2);
	return kp_sandbox_raise(L);
}

/* ---- sealing: a declaration is compiled as it was when it was made ----
 *
 * The prelude checks a declaration (or helper, or aggregate) when it is
 * made and keeps a raw copy of it, made at once (seal); the compiler reads
 * only the copies.  The rule file keeps the tables it was handed and may
 * still change them (h.dates[1] = 5, d.per = -2, i.name = {}): had the
 * compiler read those, it would compile what no check saw.  When the file
 * has loaded, each table is compared with its copy (seal_verify), raw (no
 * metamethod runs): a declaration changed after it was made is a rule
 * error at the line that made it, never compiled silently either way. */

static void copy_value(lua_State *L, int sealed, int memo, int depth, int texts);

/* seal(sealed, v) -> the copy of v, and the place in the rule file that
 * made it ("file:line") */
static int l_seal(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	lua_newtable(L); /* 3: memo */
	lua_pushvalue(L, 2);
	copy_value(L, 1, 3, 0, 0);
	luaL_where(L, rule_level(L));
	if (lua_rawlen(L, -1) >= 2) { /* "file:line: " without its ": " */
		lua_pushlstring(L, lua_tostring(L, -1), lua_rawlen(L, -1) - 2);
		lua_remove(L, -2);
	}
	return 2;
}

/* Is the table at a a key of the map at map: then 1 if its value is the
 * value at b, else 0; -1 if it is not a key. */
static int mapped_to(lua_State *L, int map, int a, int b)
{
	int same = -1;

	lua_pushvalue(L, a);
	if (lua_rawget(L, map) != LUA_TNIL)
		same = lua_rawequal(L, -1, b);
	lua_pop(L, 1);
	return same;
}

/* Does the value at a (as the rule file holds it) still hold what the copy
 * at b holds?  Tables sealed on their own (at sealed) must be their copies
 * (deeper than the top); memo (a -> b) keeps shared tables and cycles. */
static int seal_same(lua_State *L, int a, int b, int sealed, int memo, int depth)
{
	int same = 1;

	if (lua_type(L, a) != lua_type(L, b))
		return 0;
	if (lua_type(L, a) == LUA_TNUMBER && lua_tonumber(L, a) != lua_tonumber(L, a))
		return lua_tonumber(L, b) != lua_tonumber(L, b); /* NaN is NaN */
	if (lua_type(L, a) != LUA_TTABLE)
		return lua_rawequal(L, a, b);
	if (depth > 0 && (same = mapped_to(L, sealed, a, b)) >= 0)
		return same;
	if ((same = mapped_to(L, memo, a, b)) >= 0)
		return same;
	same = 1;
	if (depth > SNAPSHOT_DEPTH) /* the copy stopped there */
		return 1;
	luaL_checkstack(L, 8, kp_msg_fmt(KP_MSG_RULE_DECL_TOO_DEEP));
	lua_pushvalue(L, a);
	lua_pushvalue(L, b);
	lua_rawset(L, memo);
	lua_pushnil(L);
	while (same && lua_next(L, a)) {
		int top = lua_gettop(L);
		lua_pushvalue(L, top - 1);
		lua_rawget(L, b);
		same = seal_same(L, top, top + 1, sealed, memo, depth + 1);
		lua_pop(L, 2);
	}
	if (!same)
		return lua_pop(L, 1), 0;
	lua_pushnil(L); /* nothing in the copy that the table lost */
	while (same && lua_next(L, b)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		same = lua_rawget(L, a) != LUA_TNIL;
		lua_pop(L, 1);
	}
	if (!same)
		lua_pop(L, 1);
	return same;
}

/* seal_verify(list, sealed): each {table, copy, what, where} of the list
 * the same as when it was sealed, or a rule error at its where. */
static int l_seal_verify(lua_State *L)
{
	lua_Integer i, n;

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	n = (lua_Integer)lua_rawlen(L, 1);
	for (i = 1; i <= n; i++) {
		int e, same;
		lua_settop(L, 2);
		lua_rawgeti(L, 1, i);
		e = lua_gettop(L);
		luaL_checktype(L, e, LUA_TTABLE);
		lua_rawgeti(L, e, 1);
		lua_rawgeti(L, e, 2);
		lua_newtable(L); /* memo */
		same = seal_same(L, e + 1, e + 2, 2, e + 3, 0);
		if (!same) {
			lua_rawgeti(L, e, 4);
			lua_pushliteral(L, ": ");
			lua_rawgeti(L, e, 3);
			kp_sandbox_push_msg(L, KP_M_RULE_DECL_CHANGED, lua_tostring(L, -1));
			lua_remove(L, -2);
			lua_concat(L, 3);
			return kp_sandbox_raise(L);
		}
	}
	return 0;
}

/* Compare the tables the prelude sealed (spec.sealed_list, by
 * spec.sealed_map) with their copies, then drop both from spec. */
static int verify_sealed(kp_rules *r, lua_State *L, int spec, kp_err *err)
{
	int rc;

	lua_pushcfunction(L, l_seal_verify);
	lua_getfield(L, spec, "sealed_list");
	lua_getfield(L, spec, "sealed_map");
	if (lua_type(L, -1) != LUA_TTABLE || lua_type(L, -2) != LUA_TTABLE) {
		lua_pop(L, 3);
		return kp_err_msg(err, KP_EINTERNAL, KP_M_INTERNAL);
	}
	rc = kp_sandbox_call(r->sb, 2, 0, 1, err);
	lua_pushnil(L);
	lua_setfield(L, spec, "sealed_list");
	lua_pushnil(L);
	lua_setfield(L, spec, "sealed_map");
	return rc;
}

static int run_prelude(kp_rules *r, lua_State *L, int spec, kp_err *err)
{
	int rc;

	if ((rc = kp_sandbox_push_env(r->sb, err)))
		return rc;
	if ((rc = kp_sandbox_load(r->sb, "=prelude", kp_prelude_lua, kp_prelude_lua_len, -1, err)))
		return rc;
	lua_remove(L, -2);
	lua_pushvalue(L, spec);
	lua_pushcfunction(L, l_where);
	lua_pushcfunction(L, l_msg);
	lua_pushcfunction(L, l_raise);
	lua_pushcfunction(L, l_check_plain);
	lua_pushcfunction(L, l_seal);
	return kp_sandbox_call(r->sb, 6, 1, 1, err);
}

/* The declarations, copied raw (next and rawset: no __index, __pairs or
 * __newindex runs) into plain tables without metatables, shared tables and
 * cycles kept as they are.  The compiler and the test runner read only the
 * copy, which no rule code can reach, so a declaration changed or given a
 * metatable after it was made changes nothing and runs nothing. */

/* C reads names and texts up to their first NUL: "a\0b" and "a\0c" would
 * be one name there and two in Lua, so a NUL byte is refused. */
/* A declared text: UTF-8 without NUL bytes (C reads it up to the NUL;
 * reports, workbooks and the database carry nothing else). */
static void snapshot_text(lua_State *L, int idx)
{
	size_t len;
	const char *p;

	if (lua_type(L, idx) != LUA_TSTRING || !(p = lua_tolstring(L, idx, &len)))
		return;
	if (strlen(p) != len)
		kp_sandbox_error(L, KP_M_RULE_DECL_NUL, p);
	if (kp_enc_utf8_valid((const unsigned char *)p, len) != len)
		kp_sandbox_error(L, KP_M_RULE_DECL_NOT_UTF8, (int)kp_enc_utf8_valid((const unsigned char *)p, len), p);
}

/* Replace the value on top by its copy: a table copied raw (next and
 * rawset), shared tables and cycles kept (memo: original -> copy); with
 * sealed (its index, else 0), a table that maps is replaced by its copy
 * there (seal: a declaration sealed before); with texts, every text,
 * key or value, checked (snapshot_text). */
static void copy_value(lua_State *L, int sealed, int memo, int depth, int texts)
{
	int src, dst;

	if (texts)
		snapshot_text(L, -1);
	if (lua_type(L, -1) != LUA_TTABLE)
		return;
	if (sealed) {
		lua_pushvalue(L, -1);
		if (lua_rawget(L, sealed) != LUA_TNIL) {
			lua_remove(L, -2);
			return;
		}
		lua_pop(L, 1);
	}
	lua_pushvalue(L, -1);
	if (lua_rawget(L, memo) != LUA_TNIL) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	if (depth > SNAPSHOT_DEPTH)
		kp_sandbox_error(L, KP_M_RULE_DECL_DEEP, SNAPSHOT_DEPTH);
	luaL_checkstack(L, 8, kp_msg_fmt(KP_MSG_RULE_DECL_TOO_DEEP));
	src = lua_gettop(L);
	lua_newtable(L);
	dst = src + 1;
	lua_pushvalue(L, src);
	lua_pushvalue(L, dst);
	lua_rawset(L, memo);
	lua_pushnil(L);
	while (lua_next(L, src)) {
		if (texts)
			snapshot_text(L, -2);
		copy_value(L, sealed, memo, depth + 1, texts);
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, dst);
	}
	lua_remove(L, src);
}

static int l_snapshot(lua_State *L)
{
	lua_settop(L, 1);
	lua_newtable(L); /* memo: original -> copy */
	lua_insert(L, 1);
	copy_value(L, 0, 1, 0, 1);
	return 1;
}

/* Replace the spec table at idx by its snapshot. */
static int snapshot_spec(kp_rules *r, lua_State *L, int idx, kp_err *err)
{
	int rc;

	lua_pushcfunction(L, l_snapshot);
	lua_pushvalue(L, idx);
	if ((rc = kp_sandbox_call(r->sb, 1, 1, 1, err)))
		return kp_err_prefix(err, "%s", r->file), rc;
	lua_replace(L, idx);
	return 0;
}

/* Copy the DSL (on top) into the environment at env; agg read-only. */
static void install_dsl(lua_State *L, int env)
{
	lua_pushnil(L);
	while (kp_decl_next(L, -2)) {
		if (lua_type(L, -1) == LUA_TTABLE) {
			kp_sandbox_readonly(L, -1, "agg");
			lua_remove(L, -2);
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, env);
	}
	lua_pop(L, 1);
}

static int run_file(kp_rules *r, const char *path, int env, int use, kp_err *err)
{
	lua_State *L = kp_sandbox_state(r->sb);
	char *buf = NULL, *chunk;
	size_t len = 0, skip;
	int rc;

	if (r->text && !r->sha256) { /* kp_rules_load_text: the rule file's bytes given */
		if (!(buf = malloc(r->text_len + 1)))
			return kp_err_oom(err);
		memcpy(buf, r->text, r->text_len);
		buf[len = r->text_len] = '\0';
	} else if ((rc = kp_rules_read_file(path, &buf, &len, err))) {
		return rc;
	}
	if (!r->sha256 && !r->text) { /* the rule file: its bytes kept */
		if (!(r->text = malloc(len + 1))) {
			free(buf);
			return kp_err_oom(err);
		}
		memcpy(r->text, buf, len);
		r->text[r->text_len = len] = '\0';
	}
	if (!(chunk = malloc(strlen(path) + 2))) {
		free(buf);
		return kp_err_oom(err);
	}
	sprintf(chunk, "@%s", path);
	/* Notepad saves UTF-8 with a byte-order mark; Lua would stop at it */
	skip = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	rc = kp_sandbox_load(r->sb, chunk, buf + skip, len - skip, env, err);
	if (!rc)
		rc = kp_sandbox_call(r->sb, 0, 0, 1, err);
	if (rc == KP_EDATA)
		err->kind = rc = KP_ERULE;
	/* an error without a position (the memory limit, "C stack overflow",
	 * error(x, 0)) still names the file ("..." starts a shortened path) */
	if (rc == KP_ERULE && err && strncmp(err->msg, path, strlen(path)) && strncmp(err->msg, "...", 3) &&
	    !kp_rules_use_names_file(L, use, err->msg))
		kp_err_prefix(err, "%s", path);
	if (!r->sha256 && !(r->sha256 = kp_rules_use_sha256(L, use, buf, len)) && !rc)
		rc = kp_err_oom(err);
	free(chunk);
	free(buf);
	return rc;
}

static char *test_path(const char *path)
{
	size_t n = strlen(path);
	char *p = malloc(n + 16);

	if (!p)
		return NULL;
	memcpy(p, path, n + 1);
	if (n > 4 && !strcmp(p + n - 4, ".lua"))
		p[n - 4] = '\0';
	strcat(p, "_test.lua");
	return p;
}

/* The rule file's globals (the fields of the environment, arg 1) in a new
 * table: what RULES_test.lua may not change. */
static int l_globals_snapshot(lua_State *L)
{
	lua_newtable(L);
	lua_pushnil(L);
	while (kp_decl_next(L, 1)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, 2);
	}
	return 1;
}

/* The first global of the snapshot (arg 2) the environment (arg 1) no
 * longer holds as it was: its name and its value now; nothing when all
 * are kept. */
static int l_globals_changed(lua_State *L)
{
	lua_pushnil(L);
	while (kp_decl_next(L, 2)) {
		lua_pushvalue(L, -2);
		lua_rawget(L, 1);
		if (!lua_rawequal(L, -1, -2)) {
			lua_remove(L, -2);
			return 2;
		}
		lua_pop(L, 2);
	}
	return 0;
}

/* RULES_test.lua set a global the rule file defines (snapshot at snap):
 * function pts(u) return 0 end changed what every rule function calling
 * pts scores, for the cases and check only, never for a run.  A rule
 * error at the new function's line when it is one. */
static int globals_kept(kp_rules *r, lua_State *L, int env, int snap, const char *tp, kp_err *err)
{
	lua_Debug ar;
	char where[64];
	int rc;

	lua_pushcfunction(L, l_globals_changed);
	lua_pushvalue(L, env);
	lua_pushvalue(L, snap);
	if ((rc = kp_sandbox_call(r->sb, 2, 2, 0, err)))
		return rc;
	if (lua_isnil(L, -2)) {
		lua_pop(L, 2);
		return 0;
	}
	where[0] = '\0';
	if (lua_type(L, -1) == LUA_TFUNCTION && !lua_iscfunction(L, -1)) {
		lua_pushvalue(L, -1);
		if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
			snprintf(where, sizeof where, ":%d", ar.linedefined);
	}
	rc = kp_err_msg(err, KP_ERULE, KP_M_RULE_TEST_SETS_GLOBAL, tp, where,
			lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?");
	lua_pop(L, 2);
	return rc;
}

/* The rule file (and its tests when with_tests) run in a fresh environment
 * with the DSL and `use`; the environment is kept, frozen, and the spec
 * table at spec replaced by its snapshot. */
static int run_rules(kp_rules *r, lua_State *L, int spec, const char *path, const kp_limits *limits, int with_tests,
		     kp_err *err)
{
	int rc, env, use;

	if ((rc = kp_sandbox_push_env(r->sb, err)))
		return rc;
	env = lua_gettop(L);
	lua_pushvalue(L, env - 1);
	install_dsl(L, env);
	lua_remove(L, env - 1); /* the dsl table */
	env--;
	if (r->text) /* kp_rules_load_text: no module is found, beside it or shared */
		rc = kp_rules_use_install(r->sb, env, NULL, "", err);
	else
		rc = kp_rules_use_install(r->sb, env, path, limits ? limits->modules : NULL, err);
	use = rc ? 0 : lua_gettop(L);
	if (!rc)
		rc = run_file(r, path, env, use, err);
	if (!rc && with_tests) {
		/* RULES_test.lua is optional when it is not there; one that is
		 * there but cannot be read (a folder, a FIFO, a dangling link, no
		 * permission) is an error, not a run of no test cases */
		char *tp = test_path(path);
		struct stat st;
		if (!tp)
			rc = kp_err_oom(err);
		else if (lstat(tp, &st) == 0 || errno != ENOENT) {
			lua_pushcfunction(L, l_globals_snapshot);
			lua_pushvalue(L, env);
			if (!(rc = kp_sandbox_call(r->sb, 1, 1, 0, err))) {
				int snap = lua_gettop(L);
				lua_pushboolean(L, 1); /* cases only (prelude's open_for) */
				lua_setfield(L, spec, "tests");
				rc = run_file(r, tp, env, use, err);
				lua_pushnil(L);
				lua_setfield(L, spec, "tests");
				if (!rc)
					rc = globals_kept(r, L, env, snap, tp, err);
				lua_settop(L, snap - 1);
			}
		}
		free(tp);
	}
	if (use) {
		kp_rules_use_close(L, use);
		if (kp_rules_use_paths(L, use, &r->module, &r->nmodule) && !rc)
			rc = kp_err_oom(err);
	}
	kp_sandbox_freeze_env(L, env, 1);
	lua_pushvalue(L, env);
	r->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushvalue(L, spec); /* the table the declarations write: closed for them */
	if (!rc)
		rc = verify_sealed(r, L, lua_gettop(L), err);
	if (!rc)
		rc = snapshot_spec(r, L, spec, err);
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "closed");
	lua_pop(L, 1);
	return rc;
}

/* The name at position p over ind|ded|bon|veto (counts n), and its group. */
static const char *decl_name(const kp_rules *r, const size_t *n, size_t p, int *g)
{
	if (p < n[0])
		return *g = 0, r->ind[p].name;
	if ((p -= n[0]) < n[1])
		return *g = 1, r->ded[p].name;
	if ((p -= n[1]) < n[2])
		return *g = 2, r->bon[p].name;
	return *g = 3, r->veto[p - n[2]].name;
}

/* Fill r->decl_ix (kp_rules_find_decl): the first of equal names wins, as
 * in a search from the start. */
static int index_decls(kp_rules *r, kp_err *err)
{
	size_t n[4] = {r->nind, r->nded, r->nbon, r->nveto}, total = n[0] + n[1] + n[2] + n[3], cap = 16, p, h;

	while (cap < 2 * total)
		cap *= 2;
	if (!(r->decl_ix = calloc(cap, sizeof *r->decl_ix)))
		return kp_err_oom(err);
	r->decl_cap = cap;
	memcpy(r->decl_n, n, sizeof n);
	for (p = 0; p < total; p++) {
		int g, hg;
		const char *name = decl_name(r, n, p, &g);
		if (!name)
			continue;
		for (h = kp_hash_str(name) & (cap - 1); r->decl_ix[h]; h = (h + 1) & (cap - 1)) {
			const char *had = decl_name(r, n, r->decl_ix[h] - 1, &hg);
			if (hg == g && !strcmp(had, name))
				break;
		}
		if (!r->decl_ix[h])
			r->decl_ix[h] = p + 1;
	}
	return 0;
}

long kp_rules_find_decl(const kp_rules *r, int g, const char *name)
{
	size_t n[4] = {r->nind, r->nded, r->nbon, r->nveto}, h, i;
	int hg;

	if (g < 0 || g > 3 || !name)
		return -1;
	if (r->decl_ix && !memcmp(n, r->decl_n, sizeof n)) {
		for (h = kp_hash_str(name) & (r->decl_cap - 1); r->decl_ix[h]; h = (h + 1) & (r->decl_cap - 1)) {
			size_t p = r->decl_ix[h] - 1;
			const char *had = decl_name(r, n, p, &hg);
			if (hg == g && !strcmp(had, name)) {
				for (i = 0; i < (size_t)g; i++)
					p -= n[i];
				return (long)p;
			}
		}
		return -1;
	}
	for (i = 0; i < n[g]; i++) {
		const char *had = g == 0 ? r->ind[i].name : g == 1 ? r->ded[i].name : g == 2 ? r->bon[i].name : r->veto[i].name;
		if (had && !strcmp(had, name))
			return (long)i;
	}
	return -1;
}

static int load(kp_rules *r, const char *path, const kp_limits *limits, int with_tests, kp_rules **out, kp_err *err);

int kp_rules_load(const char *path, const kp_limits *limits, int with_tests, kp_rules **out, kp_err *err)
{
	kp_rules *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r || !(r->file = strdup(path))) {
		free(r);
		return kp_err_oom(err);
	}
	return load(r, path, limits, with_tests, out, err);
}

int kp_rules_load_text(const char *path, const char *text, size_t len, const kp_limits *limits, kp_rules **out,
		       kp_err *err)
{
	kp_rules *r = calloc(1, sizeof *r);
	*out = NULL;
	if (!r || !(r->file = strdup(path)) || !(r->text = malloc(len + 1))) {
		if (r)
			free(r->file);
		free(r);
		return kp_err_oom(err);
	}
	memcpy(r->text, text, len);
	r->text[r->text_len = len] = '\0';
	return load(r, path, limits, 0, out, err); /* run_rules: `use` finds no module */
}

static int load(kp_rules *r, const char *path, const kp_limits *limits, int with_tests, kp_rules **out, kp_err *err)
{
	lua_State *L;
	compiler c;
	int rc, spec;
	/* the path is in every position a declaration keeps, whose texts must
	 * be UTF-8: refused as the path it is, not as the file's contents */
	if (kp_enc_utf8_valid((const unsigned char *)path, strlen(path)) != strlen(path)) {
		kp_rules_free(r);
		return kp_err_msg(err, KP_EUSAGE, KP_M_RULE_PATH_NOT_UTF8, path,
				  (int)kp_enc_utf8_valid((const unsigned char *)path, strlen(path)), path);
	}
	if (!(r->sb = kp_sandbox_new(limits, err))) {
		kp_rules_free(r);
		return err ? err->kind : KP_EINTERNAL;
	}
	L = kp_sandbox_state(r->sb);
	lua_newtable(L);
	spec = lua_gettop(L);
	rc = run_prelude(r, L, spec, err);
	if (!rc)
		rc = run_rules(r, L, spec, path, limits, with_tests, err);
	memset(&c, 0, sizeof c);
	c.r = r, c.L = L, c.err = err, c.spec = spec;
	if (!rc)
		rc = compile(&c);
	kp_strset_free(&c.secs);
	kp_strset_free(&c.cats);
	kp_strset_free(&c.grades);
	if (!rc)
		rc = collect_numeric(r, err);
	if (!rc)
		rc = check_declared_columns(r, err);
	if (!rc)
		rc = index_decls(r, err);
	lua_settop(L, 0);
	if (rc) {
		kp_rules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void free_cols(char **col, char **reader, size_t n)
{
	size_t i;

	for (i = 0; col && i < n; i++)
		free(col[i]);
	for (i = 0; reader && i < n; i++)
		free(reader[i]);
	free(col);
	free(reader);
}

static void free_src(kp_src *s)
{
	size_t i;

	free(s->col);
	free(s->due);
	for (i = 0; i < s->nfilter; i++)
		free(s->fcol[i]), free(s->fval[i]);
	free(s->fcol);
	free(s->fval);
	free(s->fnum);
}

static void free_method(kp_method *m)
{
	size_t i;

	free_src(&m->src);
	free_src(&m->goal_src);
	free(m->gt);
	free(m->thr);
	free(m->pts);
	for (i = 0; m->keys && i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
}

/* The sections, indicators, deductions, bonuses and vetoes. */
static void free_items(kp_rules *r)
{
	size_t i;

	for (i = 0; i < r->nsec; i++)
		free(r->sec[i].name), free(r->sec[i].where);
	for (i = 0; i < r->nind; i++) {
		kp_indicator *d = &r->ind[i];
		free(d->name), free(d->where), free(d->desc), free(d->dflt_text), free(d->only);
		free(d->basis), free(d->office);
		free_method(&d->m);
	}
	for (i = 0; i < r->nded; i++) {
		kp_deduction *d = &r->ded[i];
		free(d->name), free(d->where), free(d->desc), free(d->unit);
		free(d->basis), free(d->office);
		free_src(&d->count);
	}
	for (i = 0; i < r->nbon; i++) {
		free(r->bon[i].name), free(r->bon[i].where), free(r->bon[i].desc), free(r->bon[i].dflt_text);
		free(r->bon[i].basis), free(r->bon[i].office);
		free_method(&r->bon[i].m);
	}
	for (i = 0; i < r->nveto; i++) {
		kp_veto *v = &r->veto[i];
		free(v->name), free(v->where), free(v->desc), free(v->reason), free(v->dflt_text);
		free(v->basis), free(v->office);
		free_src(&v->when);
	}
	for (i = 0; i < r->ncheck; i++) {
		free(r->check[i].name), free(r->check[i].unit);
		free_src(&r->check[i].src);
	}
	free(r->check);
	for (i = 0; i < r->npart; i++)
		free_src(&r->part[i].src);
	free(r->part);
}

/* The grades, tie-breaks, events, datasets and numeric columns. */
static void free_tables(kp_rules *r)
{
	size_t i;

	for (i = 0; i < r->ngrade; i++)
		free(r->grade[i].name), free(r->grade[i].cat_min);
	for (i = 0; i < r->ntie; i++)
		free(r->tie[i].name);
	for (i = 0; i < r->nevent; i++)
		free(r->event[i].name), free(r->event[i].data), free(r->event[i].unit), free(r->event[i].where), free(r->event[i].office);
	for (i = 0; i < r->nevent; i++)
		free_cols(r->event[i].col, r->event[i].reader, r->event[i].ncol);
	for (i = 0; i < r->ndata; i++) {
		free(r->data[i].name), free(r->data[i].where), free(r->data[i].office);
		free_cols(r->data[i].col, r->data[i].reader, r->data[i].ncol);
	}
	free(r->data);
	for (i = 0; i < r->nnumcol; i++)
		free(r->numcol[i]);
	free(r->numcol);
}

void kp_rules_free(kp_rules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ncat; i++)
		free(r->cat[i].name);
	free_items(r);
	free_tables(r);
	for (i = 0; i < r->nmodule; i++)
		free(r->module[i]);
	free(r->module);
	free(r->cat), free(r->sec), free(r->ind), free(r->ded), free(r->bon), free(r->veto);
	free(r->grade), free(r->tie), free(r->event), free(r->commend_cat);
	free(r->file), free(r->sha256), free(r->text), free(r->title), free(r->office), free(r->basis), free(r->unit_office);
	free(r->id_col), free(r->name_col), free(r->cat_col), free(r->unit_table);
	free(r->decl_ix);
	kp_strset_free(&r->numcol_set);
	kp_sandbox_free(r->sb);
	free(r);
}
