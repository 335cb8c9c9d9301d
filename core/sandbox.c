/* sandbox.c — the Lua state for rule files (see include/kaoping/sandbox.h).
 * Owns the lua_State, the counting allocator and the hook's budget. */
#include "kaoping/sandbox.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOOK_PERIOD 1000

struct kp_sandbox {
	lua_State *L;
	size_t used, cap;        /* allocator */
	long long budget, spent; /* instruction budget of the current call */
	double timeout;          /* seconds of rule code allowed (0: no limit) */
	double secs;             /* seconds spent in finished calls */
	volatile double t0;      /* when the outermost call began */
	int tripped;             /* 1 instructions, 2 memory, 3 time: sticky */
	int raised;              /* the engine raised a mistake: pcall passes it on */
	int data_error;          /* a rule read a bad value: KP_EDATA */
	int calls;               /* kp_sandbox_call depth: the cap holds inside calls */
	int base_ref;            /* the table of allowed names */
	unsigned long gen, live; /* scoring runs: the last one opened, the one open (0: none) */
	const char *volatile ctx_kind, *volatile ctx_name, *volatile ctx_unit;
};

double kp_sandbox_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static kp_sandbox *sandbox_of(lua_State *L)
{
	return *(kp_sandbox **)lua_getextraspace(L);
}

static const char *trip_words(const kp_sandbox *sb)
{
	switch (sb->tripped) {
	case 1: return kp_msg_fmt(KP_MSG_RULE_LIMIT_INSTRUCTIONS);
	case 2: return kp_msg_fmt(KP_MSG_RULE_LIMIT_MEMORY);
	default: return kp_msg_fmt(KP_MSG_RULE_LIMIT_TIME);
	}
}

static void hook(lua_State *L, lua_Debug *ar)
{
	kp_sandbox *sb = sandbox_of(L);
	lua_Debug where;
	int level;

	(void)ar;
	if (!sb->tripped) {
		sb->spent += HOOK_PERIOD;
		if (sb->spent > sb->budget)
			sb->tripped = 1;
		else if (sb->timeout > 0 && sb->secs + kp_sandbox_now() - sb->t0 > sb->timeout)
			sb->tripped = 3;
		else
			return;
		lua_sethook(L, hook, LUA_MASKCOUNT, 1); /* keep firing from now on */
	}
	/* where: the line of the rule's own code running; inside one of the
	 * prelude's helpers (however deep: "prelude:629" says nothing to a
	 * user), the line of the rule code that called it.  Pushed, not
	 * luaL_error: that would add its caller's line too ("r.lua:9: r.lua:4:
	 * …" for a loop in a function called from line 9). */
	for (level = 0; lua_getstack(L, level, &where) && lua_getinfo(L, "Sl", &where); level++)
		if (where.currentline > 0 && strcmp(where.source, "=prelude")) {
			lua_pushfstring(L, "%s:%d: %s", where.short_src, where.currentline, trip_words(sb));
			lua_error(L);
		}
	lua_pushstring(L, trip_words(sb));
	lua_error(L);
}

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	kp_sandbox *sb = ud;

	if (!ptr)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		sb->used -= osize;
		return NULL;
	}
	/* The cap binds rule code only: the host's own API calls between
	 * protected calls (refs, results) must not fail, or Lua panics. */
	if (nsize > osize && sb->calls > 0 && (sb->tripped == 2 || sb->used + (nsize - osize) > sb->cap)) {
		if (sb->L && !sb->tripped) {
			sb->tripped = 2;
			lua_sethook(sb->L, hook, LUA_MASKCOUNT, 1);
		}
		return NULL;
	}
	ptr = realloc(ptr, nsize);
	if (ptr)
		sb->used = sb->used - osize + nsize;
	return ptr;
}

/* A message of the catalogue pushed as a Lua string: formatted on the C
 * stack when short, else in a Lua buffer of its length. */
static const char *push_vmsg(lua_State *L, enum kp_msgid id, va_list ap)
{
	char small[256];
	va_list aq;
	luaL_Buffer b;
	int n;

	va_copy(aq, ap);
	n = kp_msg_vformat(small, sizeof small, id, aq);
	va_end(aq);
	if (n < 0)
		return lua_pushliteral(L, "");
	if ((size_t)n < sizeof small)
		return lua_pushlstring(L, small, (size_t)n);
	kp_msg_vformat(luaL_buffinitsize(L, &b, (size_t)n + 1), (size_t)n + 1, id, ap);
	luaL_pushresultsize(&b, (size_t)n);
	return lua_tostring(L, -1);
}

const char *kp_sandbox_push_msg(lua_State *L, enum kp_msgid id, const char *en, ...)
{
	const char *s;
	va_list ap;

	(void)en; /* the catalogue's English text, there for the compiler */
	va_start(ap, en);
	s = push_vmsg(L, id, ap);
	va_end(ap);
	return s;
}

int kp_sandbox_raise(lua_State *L)
{
	sandbox_of(L)->raised = 1;
	return lua_error(L);
}

int kp_sandbox_error(lua_State *L, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en;
	luaL_where(L, 1);
	va_start(ap, en);
	push_vmsg(L, id, ap);
	va_end(ap);
	lua_concat(L, 2);
	return kp_sandbox_raise(L);
}

static int panic(lua_State *L)
{
	/* Unreachable in practice: every entry goes through lua_pcall.  Abort
	 * rather than print: the core does not print. */
	(void)L;
	abort();
}

/* A read-only view of a table: a userdata (rawset cannot reach it) whose
 * hidden metatable reads through to the table and refuses writes; pairs
 * and # work, without handing out the table itself. */
static int l_readonly_newindex(lua_State *L)
{
	return kp_sandbox_error(L, KP_M_RULE_READ_ONLY, lua_tostring(L, lua_upvalueindex(1)));
}

static int l_pairs(lua_State *L);
static int l_pairs_next(lua_State *L);

/* The sandbox's pairs over the table behind, in the order of its keys
 * (next's order changed from run to run: the first key of pairs(ctx) or
 * pairs(string) too); the walk reads that table, the loop is handed the
 * view. */
static int l_readonly_pairs(lua_State *L)
{
	lua_settop(L, 1);
	lua_pushcfunction(L, l_pairs);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_call(L, 1, 1);
	lua_getupvalue(L, -1, 1); /* the keys in order */
	lua_pushinteger(L, 0);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushcclosure(L, l_pairs_next, 3);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int l_readonly_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
	return 1;
}

void kp_sandbox_readonly(lua_State *L, int idx, const char *what)
{
	idx = lua_absindex(L, idx);
	lua_newuserdatauv(L, 0, 0);
	lua_createtable(L, 0, 5);
	lua_pushvalue(L, idx);
	lua_setfield(L, -2, "__index");
	lua_pushstring(L, what);
	lua_pushcclosure(L, l_readonly_newindex, 1);
	lua_setfield(L, -2, "__newindex");
	lua_pushvalue(L, idx);
	lua_pushcclosure(L, l_readonly_pairs, 1);
	lua_setfield(L, -2, "__pairs");
	lua_pushvalue(L, idx);
	lua_pushcclosure(L, l_readonly_len, 1);
	lua_setfield(L, -2, "__len");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
}

/* Copy the fields of the library table on top (except the listed ones)
 * into a fresh table, freeze it, and store it in base[name]. */
static void add_lib(lua_State *L, int base, const char *name, const char *const *drop)
{
	int lib = lua_gettop(L);

	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, lib)) {
		const char *const *d;
		int skip = 0;
		if (lua_type(L, -2) == LUA_TSTRING)
			for (d = drop; d && *d; d++)
				skip |= !strcmp(*d, lua_tostring(L, -2));
		if (skip) {
			lua_pop(L, 1);
			continue;
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, -4);
	}
	kp_sandbox_readonly(L, -1, name);
	lua_setfield(L, base, name);
	lua_pop(L, 2); /* the copy and the library */
}

/* load(chunk [, name [, mode [, env]]]) in text mode only; env defaults to
 * the read-only library table, never the real globals. */
static int l_load(lua_State *L)
{
	int top = lua_gettop(L);

	if (top >= 3 && !lua_isnil(L, 3) && strcmp(luaL_checkstring(L, 3), "t") != 0)
		return kp_sandbox_error(L, KP_M_RULE_LOAD_TEXT);
	lua_settop(L, 4);
	if (lua_isnil(L, 4)) {
		lua_rawgeti(L, lua_upvalueindex(1), 1);
		lua_replace(L, 4);
	}
	lua_pushstring(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(2)); /* the real load */
	lua_insert(L, 1);
	lua_call(L, 4, LUA_MULTRET);
	return lua_gettop(L);
}

static kp_sandbox_print_fn g_print; /* kp_sandbox_print_to */

void kp_sandbox_print_to(kp_sandbox_print_fn fn)
{
	g_print = fn;
}

/* A rule's own print: one line handed to the command line's printer
 * (stderr there, so reports on stdout stay clean). */
static int l_print(lua_State *L)
{
	int i, n = lua_gettop(L);
	luaL_Buffer b;
	const char *line;
	size_t len;

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, ' ');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	line = lua_tolstring(L, -1, &len);
	if (g_print)
		g_print(line, len);
	return 0;
}

static int l_env_newindex(lua_State *L);

/* Is the table at idx a rule file's environment, frozen for scoring? */
static int frozen_env(lua_State *L, int idx)
{
	int frozen = 0;

	if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
		lua_getfield(L, -1, "__newindex");
		if (lua_tocfunction(L, -1) == l_env_newindex) {
			lua_getfield(L, -2, "frozen");
			frozen = lua_toboolean(L, -1);
			lua_pop(L, 1);
		}
		lua_pop(L, 2);
	}
	return frozen;
}

static int frozen_error(lua_State *L, int key)
{
	luaL_where(L, 1); /* level 1: the rule code that wrote the name */
	kp_sandbox_push_msg(L, KP_M_RULE_SET_GLOBAL, luaL_tolstring(L, key, NULL));
	lua_remove(L, -2);
	lua_concat(L, 2);
	return kp_sandbox_raise(L);
}

/* rawset, except into a frozen environment */
static int l_rawset(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	if (frozen_env(L, 1))
		return frozen_error(L, 2);
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 1;
}

/* rawget, except that a frozen environment is read where the freeze moved
 * its names (kp_sandbox_freeze_env): rawget(_G, "W"), the way to ask for a
 * global that may not be there without the unknown name's error, was the
 * file's W at load and nil while scoring (0 points, without a word). */
static int l_rawget(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	lua_settop(L, 2);
	if (frozen_env(L, 1) && lua_getmetatable(L, 1)) {
		lua_pushliteral(L, "__index");
		if (lua_rawget(L, -2) == LUA_TTABLE) /* the names moved */
			lua_replace(L, 1);
		lua_settop(L, 2);
	}
	lua_rawget(L, 1);
	return 1;
}

/* setmetatable, except a metatable that would run rule code outside the
 * limits or change what the collector keeps: finalizers (__gc) run when
 * the collector decides, with hooks off, and at lua_close after the limits
 * are gone; __mode and __close are refused with them (rules need none).
 * Lua reads __gc when the metatable is set, so adding it later does
 * nothing. */
static int l_setmetatable(lua_State *L)
{
	static const char *const refused[] = {"__gc", "__mode", "__close", NULL};
	const char *const *f;
	int t = lua_type(L, 2);

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	for (f = refused; t == LUA_TTABLE && *f; f++) {
		lua_pushstring(L, *f);
		if (lua_rawget(L, 2) != LUA_TNIL)
			return kp_sandbox_error(L, KP_M_RULE_SETMETATABLE, *f);
		lua_pop(L, 1);
	}
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return kp_sandbox_error(L, KP_M_RULE_PROTECTED_METATABLE);
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

/* The message handler of xpcall, wrapped: once a limit has tripped, the
 * error comes from the hook, where Lua runs the handler with hooks off, so
 * the rule's handler is skipped and the limit's message passes through. */
static int l_xpcall_handler(lua_State *L)
{
	if (sandbox_of(L)->tripped || sandbox_of(L)->raised)
		return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* After the real pcall or xpcall: a mistake the engine raised (a missing
 * value, an unknown column, a stale value, a refused write …) is passed
 * on, not handed to the rule as false, message: a rule's pcall would make
 * points of it (pcall(function() return u.x end) or 10). */
static int pass_raised(lua_State *L)
{
	if (sandbox_of(L)->raised && lua_gettop(L) >= 2 && lua_type(L, 1) == LUA_TBOOLEAN && !lua_toboolean(L, 1)) {
		lua_settop(L, 2);
		return lua_error(L);
	}
	return lua_gettop(L);
}

static int l_xpcall(lua_State *L)
{
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, l_xpcall_handler, 1);
	lua_replace(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1)); /* the real xpcall */
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return pass_raised(L);
}

static int l_pcall(lua_State *L)
{
	luaL_checkany(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1)); /* the real pcall */
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return pass_raised(L);
}

/* ---- pairs in an order of the keys, not of the hash ---- */

/* Lua 5.4 seeds its string hash from the clock and from addresses, so the
 * order in which next walks a table changes from one run to the next: a
 * rule taking the first key pairs gives would score differently each
 * time.  The sandbox's pairs walks numbers (by value), then strings (byte
 * order), then false and true, then other keys in next's order (they have
 * no order of their own).  next walks in the same order (l_next). */
typedef struct pkey { int rank; double num; const char *str; size_t len; size_t at; } pkey;

static int pkey_cmp(const void *a, const void *b)
{
	const pkey *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((x->rank == 0 || x->rank == 2) && x->num != y->num)
		return x->num < y->num ? -1 : 1;
	if (x->rank == 1) {
		c = memcmp(x->str, y->str, x->len < y->len ? x->len : y->len);
		if (c || x->len != y->len)
			return c ? c : (x->len < y->len ? -1 : 1);
	}
	return x->at < y->at ? -1 : x->at > y->at; /* the same number (1 and 1.0 are one key), or no order */
}

/* the iterator: upvalues the table of keys in order, the next place and,
 * behind a read-only view, the table walked (else the loop's state) */
static int l_pairs_next(lua_State *L)
{
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
	int t = lua_type(L, lua_upvalueindex(3)) == LUA_TTABLE ? lua_upvalueindex(3) : 1;

	if (t == 1)
		luaL_checktype(L, 1, LUA_TTABLE);
	for (;;) {
		lua_settop(L, 1);
		if (lua_rawgeti(L, lua_upvalueindex(1), ++i) == LUA_TNIL)
			return 0;
		lua_pushinteger(L, i);
		lua_replace(L, lua_upvalueindex(2));
		lua_pushvalue(L, -1);
		if (lua_rawget(L, t) != LUA_TNIL) /* a key cleared while walking is passed over */
			return 2;
	}
}

/* Key k of the table at t as a pkey (at: its place) */
static void pkey_of(lua_State *L, int k, size_t at, pkey *p)
{
	int t = lua_type(L, k);

	p->at = at, p->num = 0, p->str = NULL, p->len = 0, p->rank = 3;
	if (t == LUA_TNUMBER)
		p->rank = 0, p->num = lua_tonumber(L, k);
	else if (t == LUA_TSTRING)
		p->rank = 1, p->str = lua_tolstring(L, k, &p->len); /* kept alive by the table */
	else if (t == LUA_TBOOLEAN)
		p->rank = 2, p->num = lua_toboolean(L, k);
}

/* Push the keys of the table at t, in the order pkey_cmp gives, as a list;
 * returns how many. */
static size_t push_keys_in_order(lua_State *L, int t)
{
	size_t n = 0, i;
	pkey *k;
	int keys;

	t = lua_absindex(L, t);
	lua_newtable(L); /* the keys, in next's order */
	keys = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_rawseti(L, keys, (lua_Integer)++n);
	}
	/* a userdata: counted by the sandbox's memory limit, freed by Lua */
	k = lua_newuserdatauv(L, (n ? n : 1) * sizeof *k, 0);
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, keys, (lua_Integer)i + 1);
		pkey_of(L, -1, i, &k[i]);
		lua_pop(L, 1);
	}
	qsort(k, n, sizeof *k, pkey_cmp);
	lua_createtable(L, (int)(n < INT_MAX ? n : INT_MAX), 0); /* the keys in order */
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, keys, (lua_Integer)k[i].at + 1);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_replace(L, keys);
	lua_pop(L, 1); /* the userdata */
	return n;
}

static int l_pairs(lua_State *L)
{
	luaL_checkany(L, 1);
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	push_keys_in_order(L, 1);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, l_pairs_next, 2);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

/* The table a frozen environment's names moved to (kp_sandbox_freeze_env)
 * in place of the environment at idx; any other table stays. */
static void moved_names(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (frozen_env(L, idx) && lua_getmetatable(L, idx)) {
		if (lua_getfield(L, -1, "__index") == LUA_TTABLE) /* the names moved */
			lua_replace(L, idx);
		else
			lua_pop(L, 1);
		lua_pop(L, 1);
	}
}

/* Push {keys of the table at t in order, key -> place}, kept for t in
 * l_next's upvalue 1. */
static void push_order(lua_State *L, int t)
{
	size_t n, j;

	t = lua_absindex(L, t);
	n = push_keys_in_order(L, t);
	lua_createtable(L, 0, (int)(n < INT_MAX ? n : INT_MAX));
	for (j = 1; j <= n; j++) {
		lua_rawgeti(L, -2, (lua_Integer)j);
		lua_pushinteger(L, (lua_Integer)j);
		lua_rawset(L, -3);
	}
	lua_createtable(L, 2, 0);
	lua_insert(L, -3);
	lua_rawseti(L, -3, 2);
	lua_rawseti(L, -2, 1);
	lua_pushvalue(L, t);
	lua_pushvalue(L, -2);
	lua_rawset(L, lua_upvalueindex(1));
}

/* next, in the order pairs walks (Lua's next walks the hash, whose order
 * changes from run to run: next(t), "a key of t", or a loop `for k, v in
 * next, t` scored differently each time).  next(t) finds the first key in
 * one pass; the first next(t, k) of a walk puts t's keys in order and
 * keeps them, with each key's place, in a table of weak keys (upvalue 1)
 * until next(t) starts another walk.  A key the walk does not know (one
 * added while walking: Lua's next is undefined then too) is an error. */
static int l_next(lua_State *L)
{
	lua_Integer i;
	pkey best, k;
	int have = 0;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	moved_names(L, 1);
	if (lua_isnil(L, 2)) {
		lua_pushvalue(L, 1); /* a new walk forgets the last one's order */
		lua_pushnil(L);
		lua_rawset(L, lua_upvalueindex(1));
		lua_pushnil(L); /* 3: the first key so far */
		lua_pushnil(L); /* 4: the key walked */
		while (lua_next(L, 1)) {
			lua_pop(L, 1);
			pkey_of(L, 4, 1, &k); /* at 1: among keys with no order, the first found stays */
			if (!have || pkey_cmp(&k, &best) < 0) {
				lua_pushvalue(L, 4);
				lua_replace(L, 3);
				pkey_of(L, 3, 0, &best), have = 1;
			}
		}
		if (!have)
			return lua_pushnil(L), 1;
		lua_pushvalue(L, 3);
		lua_rawget(L, 1);
		return 2;
	}
	for (;;) {
		lua_settop(L, 2);
		lua_pushvalue(L, 1);
		if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNIL) /* 3: {keys in order, key -> place} */
			lua_pop(L, 1), push_order(L, 1), have = 1;
		lua_rawgeti(L, 3, 2); /* 4: key -> place */
		lua_pushvalue(L, 2);
		if (lua_rawget(L, 4) == LUA_TNUMBER)
			break;
		if (have) /* a key added since the order was made: made again once */
			return luaL_error(L, "invalid key to 'next'");
		lua_pushvalue(L, 1);
		lua_pushnil(L);
		lua_rawset(L, lua_upvalueindex(1));
	}
	i = lua_tointeger(L, 5);
	lua_rawgeti(L, 3, 1); /* 6: the keys in order */
	for (;;) {
		lua_settop(L, 6);
		if (lua_rawgeti(L, 6, ++i) == LUA_TNIL)
			return 1;
		lua_pushvalue(L, -1);
		if (lua_rawget(L, 1) != LUA_TNIL) /* a key cleared while walking is passed over */
			return 2;
	}
}

/* Replace base[name] by the C function f with the original as upvalue. */
static void wrap_base(lua_State *L, int base, const char *name, lua_CFunction f)
{
	lua_getfield(L, base, name);
	lua_pushcclosure(L, f, 1);
	lua_setfield(L, base, name);
}

static const char *const base_names[] = {
	"assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
	"rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type",
	"xpcall", "_VERSION", NULL
};

/* Push the table of the names rule files may see: the base library's safe
 * functions, load in text mode, and the sandbox's own print, rawset,
 * setmetatable and xpcall; returns its index.  The real globals lose
 * dofile, loadfile and collectgarbage. */
static int push_base(lua_State *L)
{
	const char *const *n;
	int base;

	lua_newtable(L);
	base = lua_gettop(L);
	lua_pushglobaltable(L);
	for (n = base_names; *n; n++) {
		lua_getfield(L, -1, *n);
		lua_setfield(L, base, *n);
	}
	/* the real globals keep nothing dangerous */
	lua_pushnil(L), lua_setfield(L, -2, "dofile");
	lua_pushnil(L), lua_setfield(L, -2, "loadfile");
	lua_pushnil(L), lua_setfield(L, -2, "collectgarbage");
	lua_newtable(L); /* upvalue 1 of load: {[1] = default env} */
	lua_getfield(L, -2, "load");
	lua_pushcclosure(L, l_load, 2);
	lua_setfield(L, base, "load");
	lua_pop(L, 1);
	lua_pushcfunction(L, l_print);
	lua_setfield(L, base, "print");
	lua_pushcfunction(L, l_rawset);
	lua_setfield(L, base, "rawset");
	lua_pushcfunction(L, l_rawget);
	lua_setfield(L, base, "rawget");
	lua_pushcfunction(L, l_setmetatable);
	lua_setfield(L, base, "setmetatable");
	lua_pushcfunction(L, l_pairs);
	lua_setfield(L, base, "pairs");
	lua_newtable(L); /* upvalue 1 of next: the walks' orders, by table, weak keys */
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_pushcclosure(L, l_next, 1);
	lua_setfield(L, base, "next");
	wrap_base(L, base, "xpcall", l_xpcall);
	wrap_base(L, base, "pcall", l_pcall);
	return base;
}

/* ---- no arithmetic on texts ---- */

/* Lua turns a text into a number wherever a number is wanted: "0x10" + 0
 * is 16, math.floor("1e309") is inf.  A cell kaoping refused as a number
 * reaches a rule as its text, so a rule computing with it would score a
 * number the data never held.  The string metatable loses its arithmetic
 * and the math functions take numbers only; tonumber converts, as asked. */
static int l_math_numbers(lua_State *L)
{
	int i, n = lua_gettop(L);

	for (i = 1; i <= n; i++)
		if (lua_type(L, i) == LUA_TSTRING)
			luaL_typeerror(L, i, "number");
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

static void numbers_only(lua_State *L)
{
	static const char *const arith[] = {"__add", "__sub", "__mul", "__div", "__mod", "__pow", "__unm", "__idiv", NULL};
	const char *const *a;
	int math = lua_gettop(L);

	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	for (a = arith; *a; a++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *a);
	}
	lua_pop(L, 2);
	lua_pushnil(L);
	while (lua_next(L, math)) {
		if (lua_type(L, -1) == LUA_TFUNCTION && strcmp(lua_tostring(L, -2), "type") != 0) {
			lua_pushcclosure(L, l_math_numbers, 1);
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_rawset(L, math); /* a field met, changed: allowed while walking */
		} else {
			lua_pop(L, 1);
		}
	}
}

/* The same for the other libraries' numeric arguments: Lua's C functions
 * read a number with luaL_checkinteger / luaL_checknumber, which convert a
 * text ("0x10" is 16 to string.rep, string.format("%d"), select …).  Each
 * function is wrapped, in the rules' copy of its library, with the
 * positions of its numeric arguments; a text there is refused as by math.
 * The string methods (("x"):rep(n)) read the same copy.  string.format
 * and string.pack read their format for the arguments a number is for. */
#define NUM_ALL 0x40000000UL   /* every argument */
#define NUM_IF3 0x20000000UL   /* only when there are 3 arguments or more (table.insert) */
#define NUM_SELECT 0x10000000UL /* the first, unless it is "#" (select) */

static void refuse_text(lua_State *L, int i)
{
	if (lua_type(L, i) == LUA_TSTRING)
		luaL_typeerror(L, i, "number");
}

/* string.format: the argument of each %d, %f, %c … */
static void format_numbers(lua_State *L, int first)
{
	size_t len = 0;
	const char *f = lua_type(L, first) == LUA_TSTRING ? lua_tolstring(L, first, &len) : "";
	const char *end = f + len; /* Lua reads past a NUL byte in the format */
	int arg = first;

	while (f < end && (f = memchr(f, '%', (size_t)(end - f)))) {
		if (++f < end && *f == '%') {
			f++;
			continue;
		}
		while (f < end && *f && strchr("-+ #0123456789.", *f))
			f++;
		arg++;
		if (f < end && *f && strchr("diouxXcaAeEfFgG", *f))
			refuse_text(L, arg);
		if (f < end)
			f++;
	}
}

/* string.pack: the argument of each numeric option. */
static void pack_numbers(lua_State *L)
{
	const char *f = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : "";
	int arg = 1;

	for (; *f; f++) {
		if (*f == 'X') { /* an alignment: its option takes no argument */
			if (f[1])
				f++;
		} else if (strchr("bBhHlLjJTiIfdn", *f)) {
			refuse_text(L, ++arg);
		} else if (*f == 's' || *f == 'z' || *f == 'c') { /* a string (c: of a fixed size) */
			++arg;
		}
	}
}

/* string.rep of "" without a separator (or with ""), a whole number of
 * times: "" at once.  Lua copies nothing n times: string.rep("", 1e18)
 * ran in one C call, the hook never firing, until the wall clock stopped
 * it (60 s by default). */
static int empty_rep(lua_State *L)
{
	size_t len = 1, lsep = 0;
	int whole = 0;

	if (lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TNUMBER ||
	    !(lua_isnoneornil(L, 3) || lua_type(L, 3) == LUA_TSTRING))
		return 0;
	lua_tolstring(L, 1, &len);
	if (!lua_isnoneornil(L, 3))
		lua_tolstring(L, 3, &lsep);
	lua_tointegerx(L, 2, &whole); /* 2.5: Lua's own refusal */
	return whole && len == 0 && lsep == 0;
}

static int l_lib_numbers(lua_State *L)
{
	unsigned long mask = (unsigned long)lua_tointeger(L, lua_upvalueindex(2));
	lua_Integer kind = lua_tointeger(L, lua_upvalueindex(3)); /* 1 string.pack, 2 string.rep */
	int i, n = lua_gettop(L);

	if (mask & NUM_SELECT) {
		if (!(lua_type(L, 1) == LUA_TSTRING && !strcmp(lua_tostring(L, 1), "#")))
			refuse_text(L, 1);
	} else if (mask == 0) { /* string.format, string.pack */
		if (kind == 1)
			pack_numbers(L);
		else
			format_numbers(L, 1);
	} else if (!(mask & NUM_IF3) || n >= 3) {
		for (i = 1; i <= n; i++)
			if ((mask & NUM_ALL) || (i <= 28 && (mask & (1UL << (i - 1)))))
				refuse_text(L, i);
	}
	if (kind == 2 && empty_rep(L))
		return lua_pushliteral(L, ""), 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

#define ARG(a) (1UL << ((a) - 1))
static const struct lib_numbers {
	const char *name;
	unsigned long mask; /* 0: read the format */
	int pack;           /* 1 string.pack, 2 string.rep */
} string_numbers[] = {
	{"byte", ARG(2) | ARG(3), 0}, {"char", NUM_ALL, 0}, {"find", ARG(3), 0}, {"format", 0, 0},
	{"gmatch", ARG(3), 0}, {"gsub", ARG(4), 0}, {"match", ARG(3), 0}, {"rep", ARG(2), 2},
	{"sub", ARG(2) | ARG(3), 0}, {"pack", 0, 1}, {"unpack", ARG(3), 0}, {NULL, 0, 0}
}, table_numbers[] = {
	{"concat", ARG(3) | ARG(4), 0}, {"insert", ARG(2) | NUM_IF3, 0}, {"move", ARG(2) | ARG(3) | ARG(4), 0},
	{"remove", ARG(2), 0}, {"unpack", ARG(2) | ARG(3), 0}, {NULL, 0, 0}
}, utf8_numbers[] = {
	{"char", NUM_ALL, 0}, {"codepoint", ARG(2) | ARG(3), 0}, {"len", ARG(2) | ARG(3), 0}, {"offset", ARG(2) | ARG(3), 0},
	{NULL, 0, 0}
}, os_numbers[] = {
	{"date", ARG(2), 0}, {NULL, 0, 0}
}, base_numbers[] = {
	{"select", NUM_SELECT, 0}, {"tonumber", ARG(2), 0}, {NULL, 0, 0} /* tonumber("10", "16"): the base */
};

/* os.time{year = "2024", ...}: os.time reads its table's fields as
 * integers, texts too.  The fields are read once each (an __index could
 * answer differently the second time) into a plain copy, a text refused;
 * os.time gets the copy and, as it would have, the normalized fields are
 * written back to the table given. */
static int l_os_time(lua_State *L)
{
	static const char *const in[] = {"year", "month", "day", "hour", "min", "sec", "isdst", NULL};
	static const char *const out[] = {"year", "month", "day", "hour", "min", "sec", "yday", "wday", "isdst", NULL};
	const char *const *f;

	if (lua_type(L, 1) != LUA_TTABLE) {
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_insert(L, 1);
		lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
		return lua_gettop(L);
	}
	lua_settop(L, 1);
	lua_createtable(L, 0, 9);
	for (f = in; *f; f++) {
		if (lua_getfield(L, 1, *f) == LUA_TSTRING) {
			luaL_where(L, 1);
			kp_sandbox_push_msg(L, KP_M_RULE_TIME_FIELD_TEXT, *f);
			lua_concat(L, 2);
			return lua_error(L);
		}
		lua_setfield(L, 2, *f);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 2);
	lua_call(L, 1, 1);
	for (f = out; *f; f++) {
		lua_getfield(L, 2, *f);
		lua_setfield(L, 1, *f);
	}
	return 1;
}

/* Wrap the functions of the table at idx listed in list. */
static void lib_numbers_in(lua_State *L, int idx, const struct lib_numbers *list)
{
	idx = lua_absindex(L, idx);
	for (; list->name; list++) {
		if (lua_getfield(L, idx, list->name) != LUA_TFUNCTION) {
			lua_pop(L, 1);
			continue;
		}
		lua_pushinteger(L, (lua_Integer)list->mask);
		lua_pushinteger(L, list->pack);
		lua_pushcclosure(L, l_lib_numbers, 3);
		lua_setfield(L, idx, list->name);
	}
}

/* Wrap the functions listed in list in base[name], the copy add_lib made
 * (the library itself keeps its functions: their errors name them
 * string.rep …); leaves the copy on the stack. */
static void lib_numbers(lua_State *L, int base, const char *name, const struct lib_numbers *list)
{
	int idx;

	lua_getfield(L, base, name); /* the read-only view */
	lua_getmetatable(L, -1);
	lua_getfield(L, -1, "__index");
	lua_replace(L, -3);
	lua_pop(L, 1);
	idx = lua_gettop(L);
	lib_numbers_in(L, idx, list);
}

/* string (without dump), table, math, utf8 and os.time/date/clock into
 * the table at base. */
static void add_libs(lua_State *L, int base)
{
	static const char *const no_dump[] = {"dump", NULL};

	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
	add_lib(L, base, "string", no_dump);
	lib_numbers(L, base, "string", string_numbers);
	lua_pushliteral(L, ""); /* the methods of texts: the copy, not the library */
	lua_getmetatable(L, -1);
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 3);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
	add_lib(L, base, "table", NULL);
	lib_numbers(L, base, "table", table_numbers);
	lua_pop(L, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
	lua_getfield(L, -1, "randomseed"); /* Lua seeds math.random from the clock: the same numbers on every run */
	lua_pushinteger(L, 2021);
	lua_call(L, 1, 0);
	numbers_only(L);
	add_lib(L, base, "math", NULL);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);
	add_lib(L, base, "utf8", NULL);
	lib_numbers(L, base, "utf8", utf8_numbers);
	lua_pop(L, 1);
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
	lua_newtable(L);
	lua_getfield(L, -2, "time"), lua_setfield(L, -2, "time");
	lua_getfield(L, -2, "date"), lua_setfield(L, -2, "date");
	lua_getfield(L, -2, "clock"), lua_setfield(L, -2, "clock");
	lua_remove(L, -2);
	add_lib(L, base, "os", NULL);
	lib_numbers(L, base, "os", os_numbers);
	lua_getfield(L, -1, "time");
	lua_pushcclosure(L, l_os_time, 1);
	lua_setfield(L, -2, "time");
	lua_pop(L, 1);
	lua_pushvalue(L, base);
	lib_numbers_in(L, -1, base_numbers);
	lua_pop(L, 1);
}

static int setup(lua_State *L)
{
	kp_sandbox *sb = lua_touserdata(L, 1);
	int base;

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump"); /* reachable through ("").dump otherwise */
	lua_pop(L, 1);
	base = push_base(L);
	add_libs(L, base);
	/* the shared string metatable: hidden and fixed */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);
	/* load's default env: the read-only library table */
	lua_getfield(L, base, "load");
	lua_getupvalue(L, -1, 1);
	kp_sandbox_readonly(L, base, kp_msg_fmt(KP_MSG_RULE_THE_LIBRARY));
	lua_rawseti(L, -2, 1);
	lua_pop(L, 2);
	sb->base_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

kp_sandbox *kp_sandbox_new(const kp_limits *limits, kp_err *err)
{
	kp_sandbox *sb = calloc(1, sizeof *sb);

	if (!sb) {
		kp_err_oom(err);
		return NULL;
	}
	sb->cap = limits && limits->max_memory ? limits->max_memory : KP_DEFAULT_MAX_MEMORY;
	sb->budget = limits && limits->max_instructions ? limits->max_instructions
							 : KP_DEFAULT_MAX_INSTRUCTIONS;
	sb->timeout = limits ? limits->timeout : 0;
	sb->L = lua_newstate(counting_alloc, sb);
	if (!sb->L) {
		free(sb);
		kp_err_oom(err);
		return NULL;
	}
	*(kp_sandbox **)lua_getextraspace(sb->L) = sb;
	lua_atpanic(sb->L, panic);
	lua_pushcfunction(sb->L, setup);
	lua_pushlightuserdata(sb->L, sb);
	if (kp_sandbox_call(sb, 1, 0, 1, err)) {
		kp_err_prefix_msg(err, KP_M_RULE_SANDBOX_SETUP);
		kp_sandbox_free(sb);
		return NULL;
	}
	return sb;
}

void kp_sandbox_free(kp_sandbox *sb)
{
	if (!sb)
		return;
	if (sb->L)
		lua_close(sb->L);
	free(sb);
}

lua_State *kp_sandbox_state(kp_sandbox *sb)
{
	return sb->L;
}

/* __index of a rule file's environment: the allowed names, else an error. */
static int l_env_index(lua_State *L)
{
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	if (!lua_isnil(L, -1))
		return 1;
	if (lua_type(L, 2) == LUA_TSTRING && !strcmp(lua_tostring(L, 2), "_G")) {
		lua_pushvalue(L, 1);
		return 1;
	}
	luaL_where(L, 1); /* level 1: the rule code that read or wrote the name */
	kp_sandbox_push_msg(L, KP_M_RULE_UNKNOWN_NAME, luaL_tolstring(L, 2, NULL));
	lua_remove(L, -2);
	lua_concat(L, 2);
	return lua_error(L);
}

static int l_env_newindex(lua_State *L)
{
	if (frozen_env(L, 1))
		return frozen_error(L, 2);
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 0;
}

static int push_env(lua_State *L)
{
	kp_sandbox *sb = lua_touserdata(L, 1);

	lua_newtable(L);
	lua_createtable(L, 0, 4);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->base_ref);
	lua_pushcclosure(L, l_env_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_env_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "frozen");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable"); /* getmetatable(_G) cannot unfreeze it */
	lua_setmetatable(L, -2);
	return 1;
}

int kp_sandbox_push_env(kp_sandbox *sb, kp_err *err)
{
	lua_pushcfunction(sb->L, push_env);
	lua_pushlightuserdata(sb->L, sb);
	return kp_sandbox_call(sb, 1, 1, 1, err);
}

/* Frozen, the environment keeps no names of its own: the globals the
 * rule file set move to a table behind it (its __index, whose own
 * __index is the library's), so that every write reaches __newindex and
 * is refused.  A global set at load (a counter) could otherwise be
 * changed while scoring, and a unit's score depend on the units before
 * it.  _G there names the environment. */
/* pairs(_G) of a frozen environment: the names the file set, where the
 * freeze moved them (upvalue 1; not the _G it put there, upvalue 2), in
 * order.  The environment itself holds none: pairs(_G) walked nothing
 * while scoring, and a rule summing its globals scored 0. */
static int l_frozen_pairs(lua_State *L)
{
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, lua_upvalueindex(1))) {
		if (lua_type(L, -2) == LUA_TSTRING && !strcmp(lua_tostring(L, -2), "_G") &&
		    lua_rawequal(L, -1, lua_upvalueindex(2))) {
			lua_pop(L, 1);
			continue;
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -4);
	}
	lua_pushcfunction(L, l_pairs);
	lua_insert(L, -2);
	lua_call(L, 1, 3);
	return 3;
}

void kp_sandbox_freeze_env(lua_State *L, int idx, int frozen)
{
	idx = lua_absindex(L, idx);
	if (!lua_getmetatable(L, idx))
		return;
	if (frozen) {
		lua_getfield(L, -1, "__index");
		if (lua_type(L, -1) == LUA_TFUNCTION) { /* not moved yet */
			int defs;
			lua_newtable(L);
			defs = lua_gettop(L);
			lua_pushnil(L);
			while (lua_next(L, idx)) { /* clearing a field met is allowed */
				lua_pushvalue(L, -2);
				lua_insert(L, -2);
				lua_rawset(L, defs);
				lua_pushvalue(L, -1);
				lua_pushnil(L);
				lua_rawset(L, idx);
			}
			lua_pushvalue(L, idx);
			lua_setfield(L, defs, "_G");
			lua_createtable(L, 0, 1);
			lua_pushvalue(L, -3); /* the library's __index */
			lua_setfield(L, -2, "__index");
			lua_setmetatable(L, defs);
			lua_pushvalue(L, defs);
			lua_pushvalue(L, idx);
			lua_pushcclosure(L, l_frozen_pairs, 2);
			lua_setfield(L, -4, "__pairs");
			lua_setfield(L, -3, "__index");
		}
		lua_pop(L, 1);
	}
	lua_pushboolean(L, frozen);
	lua_setfield(L, -2, "frozen");
	lua_pop(L, 1);
}

int kp_sandbox_load(kp_sandbox *sb, const char *chunkname, const char *buf, size_t len,
		    int env_idx, kp_err *err)
{
	lua_State *L = sb->L;
	int rc;

	env_idx = lua_absindex(L, env_idx);
	rc = luaL_loadbufferx(L, buf, len, chunkname, "t");
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		kp_err_set(err, KP_ERULE, "%s",
			   rc == LUA_ERRMEM ? kp_msg_fmt(KP_MSG_RULE_LIMIT_MEMORY_LOADING) : (msg ? msg : "?"));
		lua_pop(L, 1);
		return KP_ERULE;
	}
	lua_pushvalue(L, env_idx);
	lua_setupvalue(L, -2, 1); /* _ENV */
	return 0;
}

/* The text at idx as a C string: a NUL byte (error("a\0b")) would end
 * the message there in C, so it is written \0. */
static const char *text_without_nul(lua_State *L, int idx)
{
	size_t len, i;
	const char *p = lua_tolstring(L, idx, &len);
	luaL_Buffer b;

	if (strlen(p) == len)
		return p;
	luaL_buffinit(L, &b);
	for (i = 0; i < len; i++) {
		if (p[i])
			luaL_addchar(&b, p[i]);
		else
			luaL_addstring(&b, "\\0");
	}
	luaL_pushresult(&b);
	return lua_tostring(L, -1);
}

static int msghandler(lua_State *L)
{
	const char *msg = NULL;

	if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER)
		msg = text_without_nul(L, 1);
	else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
		msg = text_without_nul(L, -1);
	else
		msg = kp_sandbox_push_msg(L, KP_M_RULE_ERROR_OBJECT, luaL_typename(L, 1));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

int kp_sandbox_data_error(lua_State *L, const char *fmt, ...)
{
	va_list ap;

	sandbox_of(L)->data_error = 1;
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	return kp_sandbox_raise(L);
}

int kp_sandbox_call(kp_sandbox *sb, int nargs, int nres, int fresh_budget, kp_err *err)
{
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nargs, rc;
	const char *msg, *cut;

	if (fresh_budget && !sb->tripped) {
		sb->spent = 0;
		lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_PERIOD);
	}
	sb->data_error = 0;
	lua_pushcfunction(L, msghandler);
	lua_insert(L, base);
	if (sb->calls == 0)
		sb->t0 = kp_sandbox_now(), sb->raised = 0;
	sb->calls++;
	rc = lua_pcall(L, nargs, nres, base);
	if (--sb->calls == 0)
		sb->secs += kp_sandbox_now() - sb->t0;
	lua_remove(L, base);
	if (rc == LUA_OK) {
		sb->data_error = 0;
		return 0;
	}
	msg = lua_tostring(L, -1);
	if (!msg)
		msg = kp_msg_fmt(rc == LUA_ERRMEM ? KP_MSG_RULE_NOT_ENOUGH_MEMORY : KP_MSG_RULE_ERROR);
	if (rc == LUA_ERRMEM && !sb->tripped)
		sb->tripped = 2;
	if (sb->tripped == 2)
		msg = trip_words(sb);
	cut = strstr(msg, "\nstack traceback:");
	kp_err_set(err, sb->data_error ? KP_EDATA : KP_ERULE, "%.*s", cut ? (int)(cut - msg) : (int)strlen(msg), msg);
	kp_err_trace(err, lua_tostring(L, -1));
	lua_pop(L, 1);
	return err ? err->kind : KP_ERULE;
}

int kp_sandbox_in_call(const kp_sandbox *sb)
{
	return sb && sb->calls > 0;
}

double kp_sandbox_rule_seconds(const kp_sandbox *sb)
{
	if (!sb)
		return 0;
	return sb->secs + (sb->calls > 0 ? kp_sandbox_now() - sb->t0 : 0);
}

void kp_sandbox_set_context(kp_sandbox *sb, const char *kind, const char *name, const char *unit)
{
	sb->ctx_kind = kind, sb->ctx_name = name, sb->ctx_unit = unit;
}

static size_t append(char *buf, size_t o, size_t size, const char *s)
{
	while (s && *s && o + 1 < size)
		buf[o++] = *s++;
	buf[o] = '\0';
	return o;
}

/* The catalogue's format with each %s replaced by the next of arg[]: no
 * allocation and no stdio (the context message's formats hold only %s). */
static size_t append_format(char *buf, size_t o, size_t size, const char *fmt, const char *const *arg, size_t n)
{
	size_t k = 0;

	for (; *fmt && o + 1 < size; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			o = append(buf, o, size, k < n ? arg[k++] : "");
			fmt++;
		} else {
			buf[o++] = *fmt;
		}
	}
	buf[o] = '\0';
	return o;
}

size_t kp_sandbox_context(const kp_sandbox *sb, const char *file, char *buf, size_t size)
{
	size_t o = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (sb && sb->ctx_kind) {
		const char *arg[4] = {file, sb->ctx_kind, sb->ctx_name, sb->ctx_unit};
		return append_format(buf, o, size, kp_msg_fmt(KP_MSG_RULE_CONTEXT), arg, 4);
	}
	return append(buf, o, size, file);
}

unsigned long kp_sandbox_open_run(kp_sandbox *sb)
{
	/* A run after one stopped by a limit (kaoping test: the case before
	 * looped) starts without its trip: instructions are counted per unit
	 * and the collector gives memory back, so the next case's every call
	 * failed with the last one's words.  The seconds of rule code add up
	 * over the command: once out, out. */
	if (sb->tripped != 3)
		sb->tripped = 0;
	sb->live = ++sb->gen;
	return sb->live;
}

void kp_sandbox_close_run(kp_sandbox *sb)
{
	sb->live = 0;
}

int kp_sandbox_check_live(lua_State *L, unsigned long gen, const char *what)
{
	kp_sandbox *sb = sandbox_of(L);

	if (gen && gen == sb->live)
		return 0;
	return kp_sandbox_error(L, KP_M_RULE_KEPT, what, what);
}
