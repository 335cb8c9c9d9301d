/* ruletest.c — running a rule file's test cases (see ruletest.h).  Builds
 * a small dataset per case, scores it with the real engine, and compares. */
#include "kaoping/ruletest.h"

#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/data.h"
#include "kaoping/num.h"
#include "kaoping/sb.h"
#include "kaoping/score.h"
#include "rules_int.h"

/* Names in the order first added, each once; idx is an open hash table
 * of positions + 1 (cap a power of two), so that a case of many columns
 * is not quadratic (100,000 keys took 12 s). */
typedef struct strlist { char **s; size_t n, cap; size_t *idx; } strlist;

static size_t name_hash(const char *s)
{
	size_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static int add_name(strlist *l, const char *name, kp_err *err)
{
	size_t i, h;
	char **p;

	if (2 * (l->n + 1) > l->cap) { /* grow the index (and the list with it) */
		size_t cap = l->cap ? 2 * l->cap : 64, *idx = calloc(cap, sizeof *idx);
		if (!idx || !(p = realloc(l->s, cap / 2 * sizeof *p))) {
			free(idx);
			return kp_err_oom(err);
		}
		l->s = p;
		for (i = 0; i < l->n; i++) {
			for (h = name_hash(l->s[i]) & (cap - 1); idx[h]; h = (h + 1) & (cap - 1))
				;
			idx[h] = i + 1;
		}
		free(l->idx);
		l->idx = idx, l->cap = cap;
	}
	for (h = name_hash(name) & (l->cap - 1); l->idx[h]; h = (h + 1) & (l->cap - 1))
		if (!strcmp(l->s[l->idx[h] - 1], name))
			return 0;
	if (!(l->s[l->n] = strdup(name)))
		return kp_err_oom(err);
	l->idx[h] = ++l->n;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names from `from` on in byte order, as pairs walks them (the keys
 * of a case's tables came in next's order, which changes from run to run,
 * and with it the column a message names); none may be added after. */
static void sort_names(strlist *l, size_t from)
{
	if (l->n > from)
		qsort(l->s + from, l->n - from, sizeof *l->s, key_cmp);
}

static void free_list(strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->idx);
}

/* The string keys of the table at idx, added to l. */
static int keys_of(lua_State *L, int idx, strlist *l, kp_err *err)
{
	int rc = 0;

	if (lua_type(L, idx) != LUA_TTABLE)
		return 0;
	lua_pushnil(L);
	while (!rc && kp_decl_next(L, idx)) {
		if (lua_type(L, -2) == LUA_TSTRING)
			rc = add_name(l, lua_tostring(L, -2), err);
		lua_pop(L, 1);
	}
	if (rc)
		lua_pop(L, 1);
	return rc;
}

/* t[key] of the table at idx as cell text, whole, in a new string. */
static char *cell(lua_State *L, int idx, const char *key)
{
	char buf[KP_NUM_MAX];
	const char *out = "";
	char *copy;

	lua_pushstring(L, key);
	lua_rawget(L, idx);
	if (lua_type(L, -1) == LUA_TNUMBER)
		out = kp_num_short(lua_tonumber(L, -1), buf, sizeof buf);
	else if (lua_type(L, -1) == LUA_TBOOLEAN)
		out = lua_toboolean(L, -1) ? "1" : "0";
	else if (lua_type(L, -1) == LUA_TSTRING)
		out = lua_tostring(L, -1);
	copy = strdup(out);
	lua_pop(L, 1);
	return copy;
}

/* Is the row at idx (the case's unit, when what is NULL; else what[i])
 * a table?  The prelude checked the rows ipairs reaches when the case was
 * declared, but a list with a hole ({ {...}, nil, 7 }) has rows past it,
 * and the file may change a case's tables after declaring it: a raw read
 * of another value as a table crashed. */
static int row_table(lua_State *L, int idx, const char *where, const char *what, size_t i, kp_err *err)
{
	char n[24];

	if (lua_type(L, idx) == LUA_TTABLE)
		return 0;
	if (!what)
		return kp_err_msg(err, KP_ERULE, KP_M_RULE_P_CASE_UNIT, where);
	snprintf(n, sizeof n, "%zu", i);
	return kp_err_msg(err, KP_ERULE, KP_M_RULE_P_CASE_ROW, where, what, n);
}

/* One row of a table from the Lua table at idx (columns in l). */
static int add_row(kp_table *t, lua_State *L, int idx, const strlist *l, size_t first,
		   const char *const *fixed, size_t nfixed, size_t line, kp_err *err)
{
	char **f = calloc(l->n + nfixed + 1, sizeof *f);
	size_t i;
	int rc;

	if (!f)
		return kp_err_oom(err);
	for (i = 0; i < nfixed; i++)
		f[i] = strdup(fixed[i]);
	for (i = first; i < l->n; i++)
		f[nfixed + i - first] = cell(L, idx, l->s[i]);
	for (i = 0; i < nfixed + l->n - first; i++)
		if (!f[i]) {
			rc = kp_err_oom(err);
			goto out;
		}
	rc = kp_table_add(t, line, f, NULL, err);
out:
	for (i = 0; i < nfixed + l->n - first; i++)
		free(f[i]);
	free(f);
	return rc;
}

static int typed_table(kp_table **t, const char *name, const char *file, char *const *cols, size_t n,
		       const kp_rules *r, kp_err *err)
{
	unsigned char *numeric = kp_rules_numeric_mask(r, cols, n, err);
	int rc;

	if (!numeric || !(*t = kp_table_new(name, file, err))) {
		free(numeric);
		return kp_err_oom(err);
	}
	rc = kp_table_set_columns(*t, n, cols, numeric, err);
	free(numeric);
	return rc;
}

/* The columns whose blank the rules answer (a declared default, or
 * missing = "skip"), or an indicator only some categories are assessed on
 * reads (a case of another category failed: "no imported file has" the
 * column): a case need not list them, so they are added empty. */
static int blank_columns(const kp_rules *r, strlist *cols, kp_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nind && !rc; i++)
		if ((r->ind[i].has_default || r->ind[i].skip_missing || r->ind[i].only) && r->ind[i].m.src.kind == KP_SRC_COL)
			rc = add_name(cols, r->ind[i].m.src.col, err);
	for (i = 0; i < r->nbon && !rc; i++)
		if (r->bon[i].has_default && r->bon[i].m.src.kind == KP_SRC_COL)
			rc = add_name(cols, r->bon[i].m.src.col, err);
	for (i = 0; i < r->nveto && !rc; i++)
		if (r->veto[i].dflt_text && r->veto[i].when.kind == KP_SRC_COL)
			rc = add_name(cols, r->veto[i].when.col, err);
	return rc;
}

/* The units of a case: the unit itself ("case") and its peers. */
static int case_units(const kp_rules *r, lua_State *L, int c, const char *where, const char *cat,
		      kp_data *d, kp_err *err)
{
	strlist cols = {0};
	kp_table *t = NULL;
	size_t i, j, npeers, nfixed = 0;
	int rc, peers;
	char id[32];
	const char *fixed[3];

	kp_decl_field(L, c, "unit");
	kp_decl_field(L, c, "peers");
	peers = lua_gettop(L);
	npeers = lua_type(L, peers) == LUA_TTABLE ? kp_decl_len(L, peers) : 0;
	if ((rc = add_name(&cols, r->id_col, err)) || (rc = add_name(&cols, r->name_col, err)) ||
	    (rc = add_name(&cols, r->cat_col, err)))
		goto out;
	nfixed = cols.n; /* fewer than 3 when the id column is the name column too */
	if ((rc = keys_of(L, peers - 1, &cols, err)))
		goto out;
	for (i = 0; i < npeers && !rc; i++) {
		kp_decl_index(L, peers, (lua_Integer)i + 1);
		rc = keys_of(L, lua_gettop(L), &cols, err);
		lua_pop(L, 1);
	}
	if (rc || (rc = blank_columns(r, &cols, err)))
		goto out;
	sort_names(&cols, nfixed);
	/* named as the rules name the unit table (unit.table): "units"
	 * failed every case of such rules, "the unit table was not imported" */
	if ((rc = typed_table(&t, r->unit_table ? r->unit_table : "units", where, cols.s, cols.n, r, err)))
		goto out;
	/* the id and the name are the same word: a column that is the
	 * category (and not the id) holds the category */
	for (j = 0; j < nfixed; j++)
		fixed[j] = strcmp(cols.s[j], r->cat_col) || !strcmp(cols.s[j], r->id_col) ? "case" : cat;
	if (!(rc = row_table(L, peers - 1, where, NULL, 0, err)))
		rc = add_row(t, L, peers - 1, &cols, nfixed, fixed, nfixed, 1, err);
	for (i = 0; i < npeers && !rc; i++) {
		snprintf(id, sizeof id, "peer%zu", i + 1); /* not words */
		for (j = 0; j < nfixed; j++)
			if (fixed[j] != cat)
				fixed[j] = id;
		kp_decl_index(L, peers, (lua_Integer)i + 1);
		if (!(rc = row_table(L, -1, where, "peers", i + 1, err)))
			rc = add_row(t, L, lua_gettop(L), &cols, nfixed, fixed, nfixed, i + 2, err);
		lua_pop(L, 1);
	}
	if (!rc) {
		rc = kp_data_add(d, t, err);
		t = NULL;
	}
out:
	kp_table_free(t);
	free_list(&cols);
	lua_pop(L, 2);
	return rc;
}

/* Every key of the case's events names a declared events list: a typo's
 * rows were left out without a word, and the case passed or failed for
 * the wrong reason. */
static int events_declared(const kp_rules *r, lua_State *L, int evs, const char *where, kp_err *err)
{
	size_t e;
	int rc = 0;

	if (lua_type(L, evs) != LUA_TTABLE)
		return 0;
	lua_pushnil(L);
	while (!rc && kp_decl_next(L, evs)) {
		const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		for (e = 0; name && e < r->nevent && strcmp(r->event[e].name, name); e++)
			;
		if (!name || e == r->nevent) {
			lua_pushvalue(L, -2); /* the key as text, without touching the key next needs */
			rc = kp_err_msg(err, KP_ERULE, KP_M_RULE_TEST_NO_EVENTS, where,
					lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER ? lua_tostring(L, -1) : "?");
			lua_pop(L, 3);
			return rc;
		}
		lua_pop(L, 1);
	}
	return 0;
}

/* One table per declared event, holding the case's events. */
static int case_events(const kp_rules *r, lua_State *L, int c, const char *where, kp_data *d, kp_err *err)
{
	size_t e, i, n;
	int rc, evs, rows;

	kp_decl_field(L, c, "events");
	evs = lua_gettop(L);
	rc = events_declared(r, L, evs, where, err);
	for (e = 0; e < r->nevent && !rc; e++) {
		strlist cols = {0};
		kp_table *t = NULL;
		const char *fixed[1] = {"case"};
		if (lua_type(L, evs) == LUA_TTABLE)
			kp_decl_field(L, evs, r->event[e].name);
		else
			lua_pushnil(L);
		rows = lua_gettop(L);
		n = lua_type(L, rows) == LUA_TTABLE ? kp_decl_len(L, rows) : 0;
		rc = add_name(&cols, r->event[e].unit, err);
		for (i = 0; i < n && !rc; i++) {
			kp_decl_index(L, rows, (lua_Integer)i + 1);
			rc = keys_of(L, lua_gettop(L), &cols, err);
			lua_pop(L, 1);
		}
		sort_names(&cols, 1);
		if (!rc)
			rc = typed_table(&t, r->event[e].data, where, cols.s, cols.n, r, err);
		for (i = 0; i < n && !rc; i++) {
			kp_decl_index(L, rows, (lua_Integer)i + 1);
			if (lua_type(L, -1) != LUA_TTABLE) {
				char *what = NULL;
				if (asprintf(&what, "events[%s]", r->event[e].name) < 0)
					what = NULL;
				rc = what ? row_table(L, -1, where, what, i + 1, err) : kp_err_oom(err);
				free(what);
			} else {
				rc = add_row(t, L, lua_gettop(L), &cols, 1, fixed, 1, i + 2, err);
			}
			lua_pop(L, 1);
		}
		if (!rc) {
			rc = kp_data_add(d, t, err);
			t = NULL;
		}
		kp_table_free(t);
		free_list(&cols);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

/* A line of what differed, added to the case's detail (a builder: one
 * realloc and strlen of the whole text per line made an expect of 100,000
 * names quadratic, minutes before the first line was printed). */
/* s with its line breaks written \n and \r: a case's name or a line of
 * what it got wrong cannot pass for another line of the output (a case
 * named "x\nok    y" printed a line "ok    y"); NULL without memory. */
static char *flat_dup(const char *s)
{
	size_t n = 0;
	const char *p;
	char *out, *o;

	for (p = s; *p; p++)
		n += *p == '\n' || *p == '\r' ? 2 : 1;
	if (!(o = out = malloc(n + 1)))
		return NULL;
	for (p = s; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*o++ = '\\', *o++ = *p == '\n' ? 'n' : 'r';
		else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

static void say(kp_sb *detail, const char *fmt, const char *what, const char *want, const char *got)
{
	char *w = flat_dup(what), *a = flat_dup(want), *g = flat_dup(got);

	if (w && a && g)
		kp_sb_printf(detail, fmt, w, a, g);
	else
		detail->oom = 1;
	free(w), free(a), free(g);
}

/* Is name a declared deduction or bonus?  One that did not fire leaves no
 * item: its points are 0. */
static int declared_extra(const kp_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nded; i++)
		if (!strcmp(r->ded[i].name, name))
			return 1;
	for (i = 0; i < r->nbon; i++)
		if (!strcmp(r->bon[i].name, name))
			return 1;
	return 0;
}

/* The case unit's sections, items and the declared deductions and
 * bonuses, hashed for points_of: an expect naming every one of thousands
 * of indicators searched them all for each (keys × items).  ok 0 (memory
 * ran out): points_of searches as before. */
typedef struct case_names {
	kp_strset sec, item, extra;
	int ok;
} case_names;

static void case_names_make(case_names *n, const kp_rules *r, const kp_result *res, const kp_unit_result *u)
{
	size_t i;
	int bad = 0;

	memset(n, 0, sizeof *n);
	for (i = 0; i < res->nsections; i++)
		bad |= kp_strset_add(&n->sec, res->sections[i]) < 0;
	for (i = 0; i < KP_MORE(u)->nitems; i++)
		bad |= kp_strset_add(&n->item, KP_MORE(u)->items[i].name) < 0;
	for (i = 0; i < r->nded; i++)
		bad |= kp_strset_add(&n->extra, r->ded[i].name) < 0;
	for (i = 0; i < r->nbon; i++)
		bad |= kp_strset_add(&n->extra, r->bon[i].name) < 0;
	n->ok = !bad;
}

static void case_names_free(case_names *n)
{
	kp_strset_free(&n->sec), kp_strset_free(&n->item), kp_strset_free(&n->extra);
}

/* The points the result gave the named indicator, section, bonus or
 * deduction; 0 when it found one. */
static int points_of(const case_names *n, const kp_rules *r, const kp_result *res, const kp_unit_result *u,
		     const char *name, double *v)
{
	size_t i;
	long k;

	if (n->ok) {
		if ((k = kp_strset_index(&n->sec, name)) >= 0)
			return *v = KP_SEC(res, u - res->units, (size_t)k), 0;
		if ((k = kp_strset_index(&n->item, name)) >= 0)
			return *v = KP_MORE(u)->items[k].points, 0;
		return kp_strset_has(&n->extra, name) ? (*v = 0, 0) : -1;
	}
	for (i = 0; i < res->nsections; i++)
		if (!strcmp(res->sections[i], name))
			return *v = KP_SEC(res, u - res->units, i), 0;
	for (i = 0; i < KP_MORE(u)->nitems; i++)
		if (!strcmp(KP_MORE(u)->items[i].name, name))
			return *v = KP_MORE(u)->items[i].points, 0;
	if (declared_extra(r, name))
		return *v = 0, 0;
	return -1;
}

/* Why a grade differs, when the ranking knows: a grade quota. */
static const char *grade_why(const kp_unit_result *u)
{
	return u->quota_dropped ? kp_msg_fmt(KP_MSG_RULE_TEST_QUOTA) : "";
}

/* expect.grade (on top): the name of the grade, with why when the ranking
 * knows. */
static void compare_grade(lua_State *L, const char *key, const kp_result *res, const kp_unit_result *u,
			  kp_sb *out)
{
	const char *g = u->grade >= 0 ? res->grades[u->grade] : kp_msg_fmt(KP_MSG_RULE_NONE);
	/* no grade: a case says "(none)" whatever the language of messages */
	const char *token = u->grade >= 0 ? g : kp_msg_text(KP_MSG_RULE_NONE, KP_LANG_EN);
	char *why = NULL;

	if (lua_isstring(L, -1) && (!strcmp(lua_tostring(L, -1), token) || !strcmp(lua_tostring(L, -1), g)))
		return;
	if (asprintf(&why, "%s%s", g, grade_why(u)) < 0)
		why = NULL;
	say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, kp_decl_text(L, -1), why ? why : g);
	lua_pop(L, 1);
	free(why);
}

/* expect.total, .deductions, .bonus or the points of an item (on top), at
 * the rules' precision. */
static void compare_points(const case_names *n, const kp_rules *r, lua_State *L, const char *key,
			   const kp_result *res, const kp_unit_result *u, kp_sb *out)
{
	char want[KP_NUM_MAX], got[KP_NUM_MAX];
	double want_v = lua_tonumber(L, -1), v;
	int found = 0;

	if (!strcmp(key, "total"))
		v = u->total, found = 1;
	else if (!strcmp(key, "deductions"))
		v = u->deductions, found = 1;
	else if (!strcmp(key, "bonus"))
		v = u->bonus, found = 1;
	else
		found = points_of(n, r, res, u, key, &v) == 0;
	kp_num_fixed(kp_num_round(want_v, r->precision), r->precision, want, sizeof want);
	if (!found)
		say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, want, kp_msg_fmt(KP_MSG_RULE_TEST_NO_ITEM));
	else if (strcmp(want, kp_num_fixed(kp_num_round(v, r->precision), r->precision, got, sizeof got)))
		say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, want, got);
}

/* One name of expect, its value on top (left there). */
static void compare_one(const case_names *names, const kp_rules *r, lua_State *L, const char *key,
			const kp_result *res, const kp_unit_result *u, kp_sb *out)
{
	char got[KP_NUM_MAX];

	if (!strcmp(key, "grade")) {
		compare_grade(L, key, res, u, out);
	} else if ((!strcmp(key, "veto") || !strcmp(key, "commended")) && !lua_isboolean(L, -1)) {
		/* veto = "no" (or "否", 0) is true to Lua: it passed for a vetoed unit */
		say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, kp_msg_fmt(KP_MSG_RULE_TEST_A_BOOLEAN),
		    luaL_typename(L, -1));
	} else if (!strcmp(key, "veto") || !strcmp(key, "commended")) {
		int g = !strcmp(key, "veto") ? u->veto : u->commended;
		if (lua_toboolean(L, -1) != g)
			say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, lua_toboolean(L, -1) ? "true" : "false",
			    g ? "true" : "false");
	} else if (!strcmp(key, "rank") && lua_type(L, -1) != LUA_TNUMBER) {
		/* rank = "1" said "expected 1, got 1" */
		say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, kp_msg_fmt(KP_MSG_RULE_TEST_A_NUMBER),
		    luaL_typename(L, -1));
	} else if (!strcmp(key, "rank")) {
		snprintf(got, sizeof got, "%d", u->rank);
		/* rank = 1.0 is rank 1, as 1 == 1.0 in Lua (it failed: "expected 1.0, got 1") */
		if (lua_tonumber(L, -1) != (lua_Number)u->rank)
			say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, kp_decl_text(L, -1), got), lua_pop(L, 1);
	} else if (!lua_isnumber(L, -1)) {
		say(out, kp_msg_fmt(KP_MSG_RULE_TEST_DIFF), key, kp_msg_fmt(KP_MSG_RULE_TEST_A_NUMBER),
		    luaL_typename(L, -1));
	} else {
		compare_points(names, r, L, key, res, u, out);
	}
}

/* The names of expect in byte order, as the sandbox's pairs walks them:
 * next's order changes from run to run, and the lines of a failing case
 * with it. */
static void compare(const kp_rules *r, lua_State *L, int expect, const kp_result *res, kp_sb *out)
{
	const kp_unit_result *u = NULL;
	case_names names;
	const char **keys = NULL;
	size_t i, nk = 0;

	for (i = 0; i < res->nunits; i++)
		if (!strcmp(res->units[i].id, "case"))
			u = &res->units[i];
	if (!u)
		return;
	case_names_make(&names, r, res, u);
	lua_pushnil(L);
	while (kp_decl_next(L, expect)) {
		if (lua_type(L, -2) == LUA_TSTRING)
			nk++;
		else
			compare_one(&names, r, L, "?", res, u, out);
		lua_pop(L, 1);
	}
	if (nk && !(keys = malloc(nk * sizeof *keys)))
		out->oom = 1; /* the case fails for want of memory */
	if (keys) {
		size_t k = 0;
		lua_pushnil(L);
		for (; kp_decl_next(L, expect); lua_pop(L, 1))
			if (lua_type(L, -2) == LUA_TSTRING && k < nk)
				keys[k++] = lua_tostring(L, -2); /* kept alive by the table */
		qsort(keys, k, sizeof *keys, key_cmp);
		for (i = 0; i < k; i++) {
			lua_pushstring(L, keys[i]);
			lua_rawget(L, expect);
			compare_one(&names, r, L, keys[i], res, u, out);
			lua_pop(L, 1);
		}
		free(keys);
	}
	case_names_free(&names);
}

static int run_case(const kp_rules *r, lua_State *L, int c, kp_case_result *cr, kp_err *err)
{
	kp_data *d = kp_data_new(err);
	kp_result *res = NULL;
	kp_score_opts o;
	kp_err e = {0};
	kp_sb detail = {0};
	kp_sb *out = &detail;
	char *cat;
	int rc;

	if (!d)
		return KP_EINTERNAL;
	kp_decl_field(L, c, "category");
	cat = strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : r->cat[0].name);
	lua_pop(L, 1);
	memset(&o, 0, sizeof o);
	o.details = 1;
	if (!cat)
		rc = kp_err_oom(&e);
	else if (!(rc = case_units(r, L, c, cr->where, cat, d, &e)) && !(rc = case_events(r, L, c, cr->where, d, &e)) &&
		 !(rc = kp_data_bind(d, r, &e)))
		rc = kp_score_run(r, d, &o, &res, &e);
	if (rc == KP_EINTERNAL) {
		kp_err_set(err, rc, "%s", e.msg);
	} else if (rc) {
		say(out, "  %s%s%s\n", "", e.msg, "");
		rc = 0;
	} else {
		kp_decl_field(L, c, "expect");
		compare(r, L, lua_gettop(L), res, out);
		lua_pop(L, 1);
	}
	if (!rc && !(rc = kp_sb_status(&detail, err)) && detail.len)
		cr->detail = detail.s, detail.s = NULL; /* the builder's text becomes the case's */
	kp_sb_free(&detail);
	cr->passed = !rc && !cr->detail;
	kp_err_clear(&e);
	kp_result_free(res);
	kp_data_free(d);
	free(cat);
	return rc;
}

int kp_ruletest_run(const kp_rules *r, kp_case_result **out, size_t *n, kp_err *err)
{
	lua_State *L = kp_sandbox_state(r->sb);
	kp_case_result *cr = calloc(r->ncase + 1, sizeof *cr);
	size_t i;
	int rc = 0;

	*out = cr, *n = 0;
	if (!cr)
		return kp_err_oom(err);
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->cases_ref);
	for (i = 0; i < r->ncase && !rc; i++) {
		kp_decl_index(L, -1, (lua_Integer)i + 1);
		kp_decl_field(L, -1, "name");
		cr[i].name = flat_dup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
		kp_decl_field(L, -2, "where");
		cr[i].where = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : r->file);
		lua_pop(L, 2);
		*n = i + 1;
		if (!cr[i].name || !cr[i].where)
			rc = kp_err_oom(err);
		else
			rc = run_case(r, L, lua_gettop(L), &cr[i], err);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

void kp_ruletest_free(kp_case_result *c, size_t n)
{
	size_t i;

	for (i = 0; c && i < n; i++)
		free(c[i].name), free(c[i].where), free(c[i].detail);
	free(c);
}
