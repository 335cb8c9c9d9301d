/* rules_int.h — reading the declarations a rule file made, for the rule
 * compiler (rules.c) and the test runner (ruletest.c).  The declarations
 * are a raw copy taken when the file has loaded (kp_rules_snapshot): plain
 * tables without metatables that no rule code can reach.  These readers are
 * raw and type-safe on top of that: a field of something that is not a
 * table reads as nil, so a wrong type becomes a validation message, never a
 * Lua error outside a protected call (which would reach atpanic). */
#ifndef KAOPING_RULES_INT_H
#define KAOPING_RULES_INT_H

#include <lauxlib.h>
#include <lua.h>

#include "kaoping/err.h"
#include "kaoping/sandbox.h"

/* Read a rule file (or a module) whole (rules.c): KP_ENOINPUT when it
 * cannot be read, KP_ERULE past the size limit; *buf is malloc'd. */
int kp_rules_read_file(const char *path, char **buf, size_t *len, kp_err *err);

/* Shared modules (rules_use.c).  Install `use` in the environment at env
 * for the rule file at path, modules found beside it, then in shared (NULL:
 * the installed modules directory); path NULL and shared "": none is found
 * (a rule file's stored text).  Pushes the loader's state. */
int kp_rules_use_install(kp_sandbox *sb, int env, const char *path, const char *shared, kp_err *err);
/* The rule file has loaded: `use` of a module not yet loaded is refused. */
void kp_rules_use_close(lua_State *L, int state);
/* Does msg start with "path:" of a module that was read (so it names its
 * place already)? */
int kp_rules_use_names_file(lua_State *L, int state, const char *msg);
/* The paths of the modules read, in the order loaded, into *out (malloc'd,
 * n strings); -1 when memory ran out (*out NULL, *n 0). */
int kp_rules_use_paths(lua_State *L, int state, char ***out, size_t *n);
/* The hex SHA-256 of the rule file's bytes followed, for each module in
 * the order loaded, by a line `-- use "name" BYTES` and its bytes (just the
 * file's when state is 0 or no module was used); malloc'd, NULL: no memory. */
char *kp_rules_use_sha256(lua_State *L, int state, const char *buf, size_t len);

/* Push t[k] (raw; nil when t is no table); returns its type. */
static inline int kp_decl_field(lua_State *L, int t, const char *k)
{
	if (lua_type(L, t) != LUA_TTABLE) {
		lua_pushnil(L);
		return LUA_TNIL;
	}
	t = lua_absindex(L, t);
	lua_pushstring(L, k);
	return lua_rawget(L, t);
}

/* Push t[i] (raw; nil when t is no table); returns its type. */
static inline int kp_decl_index(lua_State *L, int t, lua_Integer i)
{
	if (lua_type(L, t) != LUA_TTABLE) {
		lua_pushnil(L);
		return LUA_TNIL;
	}
	return lua_rawgeti(L, t, i);
}

/* #t without __len (0 when t is no table). */
static inline size_t kp_decl_len(lua_State *L, int t)
{
	return lua_type(L, t) == LUA_TTABLE ? (size_t)lua_rawlen(L, t) : 0;
}

/* lua_next, or pop the key and stop when t is no table. */
static inline int kp_decl_next(lua_State *L, int t)
{
	if (lua_type(L, t) != LUA_TTABLE) {
		lua_pop(L, 1);
		return 0;
	}
	return lua_next(L, t);
}

/* Push a text for the value at idx without running __tostring: strings
 * and numbers as Lua writes them, booleans as true/false, other values
 * by their type; returns it. */
static inline const char *kp_decl_text(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
	case LUA_TNUMBER:
		lua_pushvalue(L, idx);
		return lua_tostring(L, -1); /* converts the copy, never a key in place */
	case LUA_TBOOLEAN:
		return lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
	default:
		return kp_sandbox_push_msg(L, KP_M_RULE_A_VALUE, luaL_typename(L, idx));
	}
}

#endif
