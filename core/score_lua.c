/* score_lua.c — what a rule written as a Lua function sees: the unit
 * record (u[col], u.id, u.events, u.last), event rows and their
 * aggregates, and the category context (ctx:max(col) …), all read-only.
 * Owns nothing beyond the userdata Lua collects. */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/enc.h"
#include "kaoping/num.h"
#include "score_int.h"

#define UNIT_MT "kaoping.unit"
#define ROW_MT "kaoping.row"
#define EVENTS_MT "kaoping.events"
#define EVSET_MT "kaoping.evset"

/* ---- what rule functions see ---- */

/* Each carries the generation of its run (the scorer it points at lives
 * only as long as the run: kp_sandbox_check_live) and the unit it was
 * made for: one kept from another unit's call would read that unit's
 * values (check_same_unit). */
typedef struct unit_ud { scorer *s; unsigned long gen; size_t unit; } unit_ud;
typedef struct row_ud { scorer *s; unsigned long gen; const kp_table *t; size_t row; size_t unit; } row_ud;
typedef struct evset_ud { scorer *s; unsigned long gen; size_t unit; int event; } evset_ud;

/* luaL_error with a message of the catalogue: the position of the rule
 * code that called, then the message in the current language. */
static int msg_error(lua_State *L, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static int msg_error(lua_State *L, enum kp_msgid id, const char *en, ...)
{
	char small[512], *p = small;
	va_list ap;
	int n;

	(void)en;
	va_start(ap, en);
	n = kp_msg_vformat(small, sizeof small, id, ap);
	va_end(ap);
	if (n >= (int)sizeof small && (p = malloc((size_t)n + 1))) {
		va_start(ap, en);
		kp_msg_vformat(p, (size_t)n + 1, id, ap);
		va_end(ap);
	}
	luaL_where(L, 1);
	lua_pushstring(L, p ? p : small);
	if (p && p != small)
		free(p);
	lua_concat(L, 2);
	return kp_sandbox_raise(L);
}

/* A column or event name from rule code: C reads it up to its first NUL,
 * so "i01\0x" would silently read i01. */
static const char *check_name(lua_State *L, int idx)
{
	size_t len;
	const char *p = luaL_checklstring(L, idx, &len);

	if (strlen(p) != len)
		msg_error(L, KP_M_ENG_LUA_NUL, p);
	return p;
}

/* A value made for one unit, used while another is scored (kept in an
 * upvalue from the call before): an error, as one kept past its run is. */
static void check_same_unit(lua_State *L, const scorer *s, size_t unit, const char *what)
{
	if (unit != s->unit)
		kp_sandbox_error(L, KP_M_RULE_KEPT, what, what);
}

static unit_ud *check_unit(lua_State *L, int idx, const char *mt, const char *what)
{
	unit_ud *ud = luaL_checkudata(L, idx, mt);

	kp_sandbox_check_live(L, ud->gen, what);
	check_same_unit(L, ud->s, ud->unit, what);
	return ud;
}

static row_ud *check_row(lua_State *L, int idx)
{
	row_ud *r = luaL_checkudata(L, idx, ROW_MT);

	kp_sandbox_check_live(L, r->gen, kp_msg_fmt(KP_MSG_ENG_LUA_EVENT_ROW));
	check_same_unit(L, r->s, r->unit, kp_msg_fmt(KP_MSG_ENG_LUA_EVENT_ROW));
	return r;
}

static evset_ud *check_evset(lua_State *L, int idx)
{
	evset_ud *e = luaL_checkudata(L, idx, EVSET_MT);

	kp_sandbox_check_live(L, e->gen, kp_msg_fmt(KP_MSG_ENG_LUA_EVENT_LIST));
	check_same_unit(L, e->s, e->unit, kp_msg_fmt(KP_MSG_ENG_LUA_EVENT_LIST));
	return e;
}

/* A number from the data: whole numbers as Lua integers, so that a rule's
 * "复议被纠错" .. n .. "件" reads "1件", not "1.0件". */
static void push_value(lua_State *L, double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		lua_pushinteger(L, (lua_Integer)v);
	else
		lua_pushnumber(L, v);
}

/* A cell of text (not a number) handed to a rule: kept, so that a rule
 * that then computes with it hears which cell it was. */
static void note_text_cell(scorer *s, const kp_table *t, size_t row, size_t col)
{
	s->text_cell.t = t, s->text_cell.row = row, s->text_cell.col = col;
}

/* t's cell at row, col as a rule sees it; s (NULL: none) keeps a text. */
static int push_cell(lua_State *L, scorer *s, const kp_table *t, size_t row, size_t col)
{
	double v;
	char buf[64];
	int st = kp_table_num(t, row, col, &v);

	if (st == KP_NUM_OK)
		push_value(L, v);
	else if (KP_NUM_MISSING(st))
		lua_pushnil(L);
	else {
		lua_pushstring(L, kp_table_cell(t, row, col, buf, sizeof buf));
		if (s)
			note_text_cell(s, t, row, col);
	}
	return 1;
}

static int l_readonly(lua_State *L)
{
	return msg_error(L, KP_M_ENG_LUA_READONLY, lua_tostring(L, lua_upvalueindex(1)));
}

static int l_row_index(lua_State *L)
{
	row_ud *r = check_row(L, 1);
	const char *col = check_name(L, 2);
	long c = kp_table_col(r->t, col);

	if (c < 0)
		return msg_error(L, KP_M_ENG_LUA_FILE_NO_COLUMN, r->t->file, col);
	return push_cell(L, r->s, r->t, r->row, (size_t)c);
}

static int push_row(scorer *s, const kp_table *t, size_t row)
{
	row_ud *r = lua_newuserdatauv(s->L, sizeof *r, 0);

	r->s = s, r->gen = s->gen, r->t = t, r->row = row, r->unit = s->unit;
	luaL_setmetatable(s->L, ROW_MT);
	return 0;
}

static int last_table(lua_State *L, scorer *s, size_t u)
{
	const kp_last *l = s->o->last;
	const kp_last_unit *lu = kp_last_find(l, kp_data_id(s->d, u));
	size_t k;

	if (!lu) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 5);
	lua_pushnumber(L, lu->total), lua_setfield(L, -2, "total");
	lua_pushinteger(L, lu->rank), lua_setfield(L, -2, "rank");
	lua_pushstring(L, lu->grade), lua_setfield(L, -2, "grade");
	lua_pushinteger(L, l->year), lua_setfield(L, -2, "year");
	lua_createtable(L, 0, (int)l->nsections);
	for (k = 0; k < l->nsections; k++) {
		lua_pushnumber(L, l->sec[lu->row * l->nsections + k]);
		lua_setfield(L, -2, l->sections[k]);
	}
	lua_setfield(L, -2, "sections");
	return 1;
}

/* u[col] of a cell without a value: the declared default, a skip (said
 * out of band: the flag, not the text) or the error of a missing value. */
static int unit_missing(lua_State *L, scorer *s, size_t u, const kp_colref *c, const char *key)
{
	if (s->has_dflt && u == s->unit) {
		if (s->dflt_text)
			lua_pushstring(L, s->dflt_text);
		else
			push_value(L, s->dflt);
		return 1;
	}
	if (s->ind && s->ind->skip_missing && u == s->unit) {
		char msg[KP_ERR_MAX];
		s->skip_asked = 1;
		kp_msg_format(msg, sizeof msg, KP_M_ENG_LUA_BLANK_SKIPPED, key);
		return kp_sandbox_data_error(L, "%s", msg);
	}
	kp_score_missing_error(s, c, key);
	return kp_sandbox_data_error(L, "%s", s->err->msg);
}

/* u[col]: a number, a text, or what a missing value comes to. */
static int unit_cell(lua_State *L, scorer *s, size_t u, const char *key)
{
	kp_colref c;
	double v;
	int st;

	if (kp_data_column(s->d, key, &c) < 0) {
		const char *near = kp_data_near_column(s->d, key, NULL);
		if (near)
			return msg_error(L, KP_M_ENG_LUA_NO_COLUMN_NEAR, key, near);
		return msg_error(L, KP_M_ENG_LUA_NO_COLUMN, key);
	}
	st = kp_data_num(&c, u, &v);
	if (st == KP_NUM_OK)
		return push_value(L, v), 1;
	if (!KP_NUM_MISSING(st)) {
		char buf[64];
		lua_pushstring(L, kp_data_text(&c, u, buf, sizeof buf));
		note_text_cell(s, c.t, c.row ? (size_t)c.row[u] : u, (size_t)c.col);
		return 1;
	}
	return unit_missing(L, s, u, &c, key);
}

static int l_unit_index(lua_State *L)
{
	unit_ud *ud = check_unit(L, 1, UNIT_MT, kp_msg_fmt(KP_MSG_ENG_LUA_UNIT_RECORD));
	scorer *s = ud->s;
	const char *key = check_name(L, 2);
	size_t u = ud->unit;

	if (!strcmp(key, "id"))
		return lua_pushstring(L, kp_data_id(s->d, u)), 1;
	if (!strcmp(key, "name"))
		return lua_pushstring(L, unit_name(s, u)), 1;
	if (!strcmp(key, "category"))
		return lua_pushstring(L, s->r->cat[s->d->cat[u]].name), 1;
	if (!strcmp(key, "events")) {
		unit_ud *e = lua_newuserdatauv(L, sizeof *e, 0);
		*e = *ud;
		luaL_setmetatable(L, EVENTS_MT);
		return 1;
	}
	if (!strcmp(key, "last"))
		return last_table(L, s, u);
	return unit_cell(L, s, u, key);
}

static int push_unit(scorer *s)
{
	if (s->unit_ref != LUA_NOREF && s->unit_ref_of == s->unit) {
		lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->unit_ref);
		return 0;
	}
	luaL_unref(s->L, LUA_REGISTRYINDEX, s->unit_ref);
	{
		unit_ud *ud = lua_newuserdatauv(s->L, sizeof *ud, 0);
		ud->s = s, ud->gen = s->gen, ud->unit = s->unit;
	}
	luaL_setmetatable(s->L, UNIT_MT);
	lua_pushvalue(s->L, -1);
	s->unit_ref = luaL_ref(s->L, LUA_REGISTRYINDEX);
	s->unit_ref_of = s->unit;
	return 0;
}

static int l_events_index(lua_State *L)
{
	unit_ud *ud = check_unit(L, 1, EVENTS_MT, "u.events");
	const char *name = check_name(L, 2);
	const kp_rules *r = ud->s->r;
	size_t i;

	for (i = 0; i < r->nevent; i++)
		if (!strcmp(r->event[i].name, name)) {
			evset_ud *e = lua_newuserdatauv(L, sizeof *e, 0);
			e->s = ud->s, e->gen = ud->gen, e->unit = ud->unit, e->event = (int)i;
			luaL_setmetatable(L, EVSET_MT);
			return 1;
		}
	return msg_error(L, KP_M_ENG_LUA_NO_EVENTS, name);
}

/* Does a row pass a Lua filter (a table of column = value, or a function)? */
static int lua_filter_pass(lua_State *L, int fidx, scorer *s, const kp_table *t, size_t row)
{
	int pass = 1;

	if (lua_isnoneornil(L, fidx))
		return 1;
	if (lua_type(L, fidx) == LUA_TFUNCTION) {
		lua_pushvalue(L, fidx);
		push_row(s, t, row);
		lua_call(L, 1, 1);
		/* true or false (nil): Lua's truth would keep a row for 0 or 否 */
		if (!lua_isboolean(L, -1) && !lua_isnil(L, -1))
			msg_error(L, KP_M_ENG_FILTER_NOT_BOOL, luaL_typename(L, -1));
		pass = lua_toboolean(L, -1);
		lua_pop(L, 1);
		return pass;
	}
	luaL_checktype(L, fidx, LUA_TTABLE);
	lua_pushnil(L);
	while (pass && lua_next(L, fidx)) {
		long c = lua_type(L, -2) == LUA_TSTRING ? kp_table_col(t, check_name(L, -2)) : -1;
		if (c < 0)
			msg_error(L, KP_M_ENG_LUA_FILE_NO_COLUMN, t->file, luaL_tolstring(L, -2, NULL));
		/* {ok = false} or a table matched no row without a word (the
		 * declared filters refuse them) */
		if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			msg_error(L, KP_M_ENG_LUA_FILTER_VALUE, lua_tostring(L, -2), luaL_typename(L, -1));
		push_cell(L, NULL, t, row, (size_t)c); /* compared, not computed with */
		pass = lua_compare(L, -1, -2, LUA_OPEQ) ||
		       (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING &&
			!strcmp(lua_tostring(L, -1), lua_tostring(L, -2)));
		if (!pass && lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING &&
		    kp_score_text_alike(lua_tostring(L, -1), lua_tostring(L, -2))) { /* the word mistyped */
			char msg[KP_ERR_MAX], q[KP_ERR_QUOTE];
			kp_msg_format(msg, sizeof msg, KP_M_ENG_FILTER_ALIKE, t->file, t->line[row], c + 1, t->cols[c],
				      kp_table_a1(t, t->line[row], (size_t)c, (char[KP_TABLE_A1]){0}),
				      kp_err_quote(lua_tostring(L, -1), q), lua_tostring(L, -2), s->ctx_kind, s->ctx_name);
			return kp_sandbox_data_error(L, "%s", msg);
		}
		if (!pass && lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TNUMBER) {
			double want;
			pass = kp_num_parse(lua_tostring(L, -2), &want) == KP_NUM_OK && want == lua_tonumber(L, -1);
		}
		lua_pop(L, 2);
	}
	if (!pass)
		lua_pop(L, 1); /* the key lua_next left */
	return pass;
}

/* Push an aggregate's result: nil for the avg, min or max of nothing. */
static int push_acc(lua_State *L, const kp_acc *a)
{
	double v;

	if (kp_acc_result(a, &v) != V_VALUE)
		lua_pushnil(L);
	else if (a->op == KP_AGG_COUNT)
		lua_pushinteger(L, (lua_Integer)a->n);
	else
		lua_pushnumber(L, v);
	return 1;
}

/* A cell of an event row that is not a number: a data error. */
/* A Lua filter as kp_score_fold_events asks it (an error in it is raised
 * as Lua errors are, out of the fold). */
typedef struct lua_pass_ud {
	lua_State *L;
	int fidx;
	scorer *s;
	const kp_table *t;
} lua_pass_ud;

static int lua_pass(void *ud, size_t row)
{
	lua_pass_ud *f = ud;

	return lua_filter_pass(f->L, f->fidx, f->s, f->t, row) != 0;
}

static int bad_event_number(lua_State *L, const kp_table *t, size_t row, long col, int st)
{
	char msg[KP_ERR_MAX];

	kp_msg_format(msg, sizeof msg, KP_M_ENG_EVENT_BAD_NUMBER, t->file, t->line[row], col + 1, t->cols[col],
		      kp_num_why(st));
	return kp_sandbox_data_error(L, "%s", msg);
}

static int evset_agg(lua_State *L, int op)
{
	evset_ud *e = check_evset(L, 1);
	const kp_data_events *ev = &e->s->d->ev[e->event];
	const kp_table *t = ev->t;
	lua_pass_ud f = {L, op == KP_AGG_COUNT ? 2 : 3, e->s, t};
	kp_acc a = {op, 0, 0, 0, 0};
	long col = -1;
	size_t bad_row = 0;
	int st = 0;

	if (op != KP_AGG_COUNT && (col = kp_table_col(t, check_name(L, 2))) < 0 && t->nrows > 0)
		return msg_error(L, KP_M_ENG_LUA_FILE_NO_COLUMN, t->file, lua_tostring(L, 2));
	if (kp_score_fold_events(ev, e->unit, op == KP_AGG_COUNT ? -1 : col, lua_pass, &f, &a, &bad_row, &st))
		return bad_event_number(L, t, bad_row, col, st); /* a Lua filter raises, never returns -1 */
	return push_acc(L, &a);
}

static int l_ev_count(lua_State *L) { return evset_agg(L, KP_AGG_COUNT); }
static int l_ev_sum(lua_State *L) { return evset_agg(L, KP_AGG_SUM); }
static int l_ev_avg(lua_State *L) { return evset_agg(L, KP_AGG_AVG); }
static int l_ev_min(lua_State *L) { return evset_agg(L, KP_AGG_MIN); }
static int l_ev_max(lua_State *L) { return evset_agg(L, KP_AGG_MAX); }
static int l_ev_trimmed_avg(lua_State *L) { return evset_agg(L, KP_AGG_TRIMMED); }

static int l_ev_rows_iter(lua_State *L)
{
	evset_ud *e = check_evset(L, lua_upvalueindex(1));
	lua_Integer k = lua_tointeger(L, lua_upvalueindex(2));
	const kp_data_events *ev = &e->s->d->ev[e->event];
	size_t i = ev->first[e->unit] + (size_t)k;

	if (i >= ev->first[e->unit + 1])
		return 0;
	lua_pushinteger(L, k + 1);
	lua_replace(L, lua_upvalueindex(2));
	push_row(e->s, ev->t, ev->rows[i]);
	return 1;
}

static int l_ev_rows(lua_State *L)
{
	check_evset(L, 1);
	lua_settop(L, 1);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, l_ev_rows_iter, 2);
	return 1;
}

/* ctx:max(col [, "all"]) and friends: statistics of a column over the
 * unit's category (or all units). */
static int ctx_stat(lua_State *L, int op)
{
	scorer *s = lua_touserdata(L, lua_upvalueindex(1));
	int cat = (int)lua_tointeger(L, lua_upvalueindex(2));
	unsigned long gen = (unsigned long)lua_tointeger(L, lua_upvalueindex(3));
	const char *col = op == KP_AGG_COUNT ? NULL : check_name(L, 2);
	int at = op == KP_AGG_COUNT ? 2 : 3, all = 0;
	kp_acc a = {op, 0, 0, 0, 0};
	kp_colref c;
	size_t u;

	/* "ALL", "全部" or true were the category without a word */
	if (!lua_isnoneornil(L, at)) {
		const char *w = lua_type(L, at) == LUA_TSTRING ? lua_tostring(L, at) : NULL;
		if (!w || (strcmp(w, "all") && strcmp(w, "category")))
			return msg_error(L, KP_M_ENG_LUA_CTX_SCOPE, luaL_tolstring(L, at, NULL));
		all = !strcmp(w, "all");
	}

	kp_sandbox_check_live(L, gen, "ctx");
	if (col && kp_data_column(s->d, col, &c) < 0) {
		const char *near = kp_data_near_column(s->d, col, NULL);
		if (near)
			return msg_error(L, KP_M_ENG_LUA_NO_COLUMN_NEAR, col, near);
		return msg_error(L, KP_M_ENG_LUA_NO_COLUMN, col);
	}
	for (u = 0; u < s->d->nunits; u++) {
		double v = 0;
		if (!all && s->d->cat[u] != cat)
			continue;
		if (!col || kp_data_num(&c, u, &v) == KP_NUM_OK)
			kp_acc_add(&a, v);
	}
	return push_acc(L, &a);
}

static int l_ctx_count(lua_State *L) { return ctx_stat(L, KP_AGG_COUNT); }
static int l_ctx_sum(lua_State *L) { return ctx_stat(L, KP_AGG_SUM); }
static int l_ctx_avg(lua_State *L) { return ctx_stat(L, KP_AGG_AVG); }
static int l_ctx_min(lua_State *L) { return ctx_stat(L, KP_AGG_MIN); }
static int l_ctx_max(lua_State *L) { return ctx_stat(L, KP_AGG_MAX); }

static int push_ctx(scorer *s)
{
	lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->ctx_ref);
	lua_rawgeti(s->L, -1, s->d->cat[s->unit] + 1);
	lua_remove(s->L, -2);
	return 0;
}

/* One read-only context table per category. */
static int make_contexts(lua_State *L)
{
	scorer *s = lua_touserdata(L, 1);
	static const luaL_Reg fns[] = {
		{"count", l_ctx_count}, {"sum", l_ctx_sum}, {"avg", l_ctx_avg},
		{"min", l_ctx_min}, {"max", l_ctx_max}, {NULL, NULL}
	};
	size_t c;
	const luaL_Reg *f;

	lua_createtable(L, (int)s->r->ncat, 0);
	for (c = 0; c < s->r->ncat; c++) {
		lua_createtable(L, 0, 8);
		lua_pushinteger(L, s->r->year), lua_setfield(L, -2, "year");
		lua_pushstring(L, s->r->cat[c].name), lua_setfield(L, -2, "category");
		for (f = fns; f->name; f++) {
			lua_pushlightuserdata(L, s);
			lua_pushinteger(L, (lua_Integer)c);
			lua_pushinteger(L, (lua_Integer)s->gen);
			lua_pushcclosure(L, f->func, 3);
			lua_setfield(L, -2, f->name);
		}
		kp_sandbox_readonly(L, -1, "ctx");
		lua_remove(L, -2);
		lua_rawseti(L, -2, (lua_Integer)c + 1);
	}
	return 1;
}

static void new_metatable(lua_State *L, const char *name, lua_CFunction index, const luaL_Reg *methods)
{
	luaL_newmetatable(L, name);
	if (methods) {
		lua_newtable(L);
		luaL_setfuncs(L, methods, 0);
		lua_setfield(L, -2, "__index");
	} else {
		lua_pushcfunction(L, index);
		lua_setfield(L, -2, "__index");
	}
	lua_pushstring(L, name + 8); /* "unit", "row", … */
	lua_pushcclosure(L, l_readonly, 1);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pushstring(L, name);
	lua_setfield(L, -2, "__name");
	lua_pop(L, 1);
}

static int setup_lua(lua_State *L)
{
	scorer *s = lua_touserdata(L, 1);
	static const luaL_Reg evset[] = {
		{"count", l_ev_count}, {"sum", l_ev_sum}, {"avg", l_ev_avg}, {"min", l_ev_min},
		{"max", l_ev_max}, {"trimmed_avg", l_ev_trimmed_avg}, {"rows", l_ev_rows}, {NULL, NULL}
	};

	new_metatable(L, UNIT_MT, l_unit_index, NULL);
	new_metatable(L, ROW_MT, l_row_index, NULL);
	new_metatable(L, EVENTS_MT, l_events_index, NULL);
	new_metatable(L, EVSET_MT, NULL, evset);
	lua_pushcfunction(L, make_contexts);
	lua_pushlightuserdata(L, s);
	lua_call(L, 1, 1);
	s->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}


/* ---- the bridge: score.c calls rule functions through these ---- */

void kp_fnval_free(kp_fnval *v)
{
	free(v->text);
	memset(v, 0, sizeof *v);
}

/* The value at idx as a kp_fnval, with raw reads only.  A text must be
 * UTF-8 without NUL bytes: C would read it only up to the NUL ("否\0是"
 * read as 否), and reports and the database would carry bytes no reader
 * takes back. */
static int take_value(scorer *s, lua_State *L, int idx, kp_fnval *v)
{
	const char *p;
	size_t len, z;
	int isnum;

	memset(v, 0, sizeof *v);
	v->type_name = luaL_typename(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		v->type = KP_FV_NIL;
		return 0;
	case LUA_TBOOLEAN:
		v->type = KP_FV_BOOL, v->yes = lua_toboolean(L, idx);
		return 0;
	case LUA_TNUMBER:
	case LUA_TSTRING:
		v->type = lua_type(L, idx) == LUA_TNUMBER ? KP_FV_NUM : KP_FV_TEXT;
		v->num = lua_tonumberx(L, idx, &isnum);
		v->numeric = isnum;
		lua_pushvalue(L, idx); /* a copy: converting it leaves the result as it was */
		p = lua_tolstring(L, -1, &len);
		/* a text is a number as a cell would be (kp_num_parse), not by
		 * Lua's rules: "0x10", " 7 " or "0x1p-1" are texts in the data,
		 * and a function handing one back must not make it 16, 7 or 0.5 */
		if (v->type == KP_FV_TEXT)
			v->numeric = strlen(p) == len && kp_num_parse(p, &v->num) == KP_NUM_OK;
		if ((z = strlen(p)) != len || kp_enc_utf8_valid((const unsigned char *)p, len) != len) {
			char msg[320], q[KP_ERR_QUOTE];
			if (z != len && kp_enc_utf8_valid((const unsigned char *)p, z) == z) /* valid up to its NUL */
				kp_msg_format(msg, sizeof msg, KP_M_ENG_FN_TEXT_NUL, kp_err_quote(p, q));
			else
				kp_msg_format(msg, sizeof msg, KP_M_ENG_FN_TEXT_NOT_UTF8);
			lua_pop(L, 1);
			return kp_score_rule_error(s, msg);
		}
		v->text = strdup(p);
		lua_pop(L, 1);
		return v->text ? 0 : kp_err_oom(s->err);
	default:
		v->type = KP_FV_OTHER;
		return 0;
	}
}

static int push_args(scorer *s, enum kp_fnargs args, const kp_table *t, size_t row)
{
	if (args == KP_FN_ROW)
		return push_row(s, t, row), 1;
	push_unit(s);
	if (args == KP_FN_UNIT)
		return 1;
	push_ctx(s);
	return 2;
}

/* The nres results on top into res[], popped.  On an error every res[]
 * is zeroed: the ones after the bad one were never taken, and freeing
 * what they held before would free whatever the caller's stack held. */
static int take_results(scorer *s, int nres, kp_fnval *res)
{
	int i, taken, rc = 0;

	for (i = 0; i < nres; i++)
		memset(&res[i], 0, sizeof res[i]);
	for (taken = 0; taken < nres && !rc; taken++)
		rc = take_value(s, s->L, -nres + taken, &res[taken]);
	lua_pop(s->L, nres);
	for (i = 0; rc && i < taken; i++)
		kp_fnval_free(&res[i]);
	return rc;
}

int kp_score_call_fn(scorer *s, int ref, enum kp_fnargs args, const kp_table *t, size_t row, int nres, kp_fnval *res,
		     enum vstat *vs)
{
	int rc;

	lua_rawgeti(s->L, LUA_REGISTRYINDEX, ref);
	if ((rc = kp_score_call_lua(s, push_args(s, args, t, row), nres, vs)) || *vs != V_VALUE)
		return rc;
	return take_results(s, nres, res);
}

/* r: the unit's result, a plain table of fresh values. */
static void push_result(lua_State *L, const kp_result *res, size_t unit)
{
	const kp_unit_result *u = &res->units[unit];
	size_t k;

	lua_createtable(L, 0, 12);
	lua_pushstring(L, u->id), lua_setfield(L, -2, "unit_id");
	lua_pushstring(L, u->name), lua_setfield(L, -2, "name");
	lua_pushstring(L, res->categories[u->category].name), lua_setfield(L, -2, "category");
	lua_pushnumber(L, u->total), lua_setfield(L, -2, "total");
	lua_pushinteger(L, u->rank), lua_setfield(L, -2, "rank");
	lua_pushstring(L, u->grade >= 0 ? res->grades[u->grade] : NULL), lua_setfield(L, -2, "grade");
	lua_pushboolean(L, u->veto), lua_setfield(L, -2, "veto");
	lua_pushnumber(L, u->deductions), lua_setfield(L, -2, "deductions");
	lua_pushnumber(L, u->bonus), lua_setfield(L, -2, "bonus");
	lua_createtable(L, 0, (int)res->nsections);
	for (k = 0; k < res->nsections; k++) {
		lua_pushnumber(L, KP_SEC(res, unit, k));
		lua_setfield(L, -2, res->sections[k]);
	}
	lua_setfield(L, -2, "sections");
}

int kp_score_call_eligible(scorer *s, const kp_result *res, size_t unit, kp_fnval *out)
{
	enum vstat vs;
	int rc;

	lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->r->eligible_ref);
	push_result(s->L, res, unit);
	if ((rc = kp_score_call_lua(s, 1, 1, &vs)))
		return rc;
	if (vs != V_VALUE) /* no indicator is scored here: nothing to skip */
		return kp_err_msg(s->err, KP_EINTERNAL, KP_M_INTERNAL);
	return take_results(s, 1, out);
}

int kp_score_lua_open(scorer *s)
{
	s->lua_open = 1;
	s->top = lua_gettop(s->L);
	s->unit_ref = s->ctx_ref = LUA_NOREF;
	s->gen = kp_sandbox_open_run(s->r->sb);
	lua_pushcfunction(s->L, setup_lua);
	lua_pushlightuserdata(s->L, s);
	return kp_sandbox_call(s->r->sb, 1, 0, 1, s->err);
}

void kp_score_lua_close(scorer *s)
{
	if (!s->lua_open)
		return;
	s->lua_open = 0;
	kp_sandbox_close_run(s->r->sb);
	luaL_unref(s->L, LUA_REGISTRYINDEX, s->unit_ref);
	luaL_unref(s->L, LUA_REGISTRYINDEX, s->ctx_ref);
	lua_settop(s->L, s->top);
	s->unit_ref = s->ctx_ref = LUA_NOREF;
}
