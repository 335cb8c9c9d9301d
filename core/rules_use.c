/* rules_use.c — shared rule modules (DESIGN §3): `use "name"` in a rule
 * file runs name.lua, found beside the rule file or else in the shared
 * modules directory, in the same sandbox and the same environment as the
 * rule file, once; a second `use` returns the value of the first.  A name
 * is [A-Za-z0-9_-] only, so a rule file from another office can name no
 * other file.  The modules' texts count in the SHA-256 recorded for the
 * rule file.  The loader's state is a Lua table (an upvalue of `use`, out
 * of reach of rule code); nothing here outlives the kp_rules. */
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kaoping/sb.h"
#include "kaoping/rules.h"
#include "rules_int.h"

#ifndef KP_MODULES_DIR /* the Makefile sets it from PREFIX */
#define KP_MODULES_DIR "/usr/local/share/kaoping/modules"
#endif

#define USE_NAME_MAX 64

/* The slots of the loader's state table. */
enum { U_HERE = 1, U_SHARED, U_LOADED, U_LOADING, U_CHAIN, U_TEXTS, U_PATHS, U_CLOSED, U_NSLOTS = U_CLOSED };

static int use_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > USE_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* A module already loaded: push its value, return 1. */
static int use_cached(lua_State *L, int state, const char *name)
{
	lua_rawgeti(L, state, U_LOADED);
	if (lua_getfield(L, -1, name) != LUA_TTABLE) {
		lua_pop(L, 2);
		return 0;
	}
	lua_rawgeti(L, -1, 1);
	lua_replace(L, -3);
	lua_pop(L, 1);
	return 1;
}

/* name is being loaded already: raise the chain "a -> b -> a". */
static void use_check_cycle(lua_State *L, int state, const char *name)
{
	lua_Integer i, n;
	int chain;

	lua_rawgeti(L, state, U_LOADING);
	if (lua_getfield(L, -1, name) == LUA_TNIL) {
		lua_pop(L, 2);
		return;
	}
	lua_pop(L, 2);
	lua_rawgeti(L, state, U_CHAIN);
	chain = lua_gettop(L);
	n = (lua_Integer)lua_rawlen(L, chain);
	luaL_checkstack(L, (int)(2 * n + 4), "use");
	luaL_where(L, 1);
	kp_sandbox_push_msg(L, KP_M_RULE_USE_CYCLE, name);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, chain, i);
		lua_pushliteral(L, " -> ");
	}
	lua_pushstring(L, name);
	lua_concat(L, (int)(2 * n + 3));
	kp_sandbox_raise(L);
}

/* Push the path of name.lua beside the rule file, else in the shared
 * directory; 0 (nothing pushed) when neither holds it. */
static int use_find(lua_State *L, int state, const char *name)
{
	struct stat st;
	int k;

	for (k = U_HERE; k <= U_SHARED; k++) {
		const char *p;
		if (lua_rawgeti(L, state, k) != LUA_TSTRING) {
			lua_pop(L, 1);
			continue;
		}
		p = lua_pushfstring(L, "%s%s.lua", lua_tostring(L, -1), name);
		lua_remove(L, -2);
		if (stat(p, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
			return 1; /* there (or unreadable: reading it says why) */
		lua_pop(L, 1);
	}
	return 0;
}

typedef struct use_src {
	const char *buf, *chunk;
	size_t len;
} use_src;

/* Protected: push the module's text and its compiled chunk. */
static int l_use_parse(lua_State *L)
{
	const use_src *s = lua_touserdata(L, 1);
	size_t skip = s->len >= 3 && !memcmp(s->buf, "\xEF\xBB\xBF", 3) ? 3 : 0; /* Notepad's BOM */

	lua_pushlstring(L, s->buf, s->len);
	if (luaL_loadbufferx(L, s->buf + skip, s->len - skip, s->chunk, "t") != LUA_OK)
		return lua_error(L);
	return 2;
}

/* Read and compile the module at path (on top); leaves its chunk on top
 * with the rule file's environment, and records its text for the hash. */
static void use_parse(lua_State *L, int state, const char *name, const char *path)
{
	kp_err e = {0};
	use_src s;
	char *buf = NULL;
	size_t len = 0, n;
	int rc;

	lua_rawgeti(L, state, U_PATHS);
	lua_pushstring(L, path);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	lua_pop(L, 1);
	if (kp_rules_read_file(path, &buf, &len, &e)) {
		luaL_where(L, 1);
		kp_sandbox_push_msg(L, KP_M_RULE_USE_IN, name, e.msg);
		kp_err_clear(&e);
		lua_concat(L, 2);
		kp_sandbox_raise(L);
	}
	s.buf = buf, s.len = len, s.chunk = lua_pushfstring(L, "@%s", path);
	lua_pushcfunction(L, l_use_parse);
	lua_pushlightuserdata(L, &s);
	rc = lua_pcall(L, 1, 2, 0);
	free(buf);
	if (rc != LUA_OK) /* the module does not compile: no pcall of the rule's drops it */
		kp_sandbox_raise(L);
	lua_rawgeti(L, state, U_TEXTS);
	n = lua_rawlen(L, -1);
	lua_pushstring(L, name);
	lua_rawseti(L, -2, (lua_Integer)n + 1);
	lua_pushvalue(L, -3); /* the text */
	lua_rawseti(L, -2, (lua_Integer)n + 2);
	lua_pop(L, 1);
	lua_remove(L, -2); /* the text */
	lua_remove(L, -2); /* the chunk name */
	lua_pushvalue(L, lua_upvalueindex(2));
	lua_setupvalue(L, -2, 1); /* _ENV: the rule file's environment */
}

/* Mark name as loading (on) or loaded with the value on top (off). */
static void use_mark(lua_State *L, int state, const char *name, int on)
{
	lua_rawgeti(L, state, U_LOADING);
	lua_pushboolean(L, on);
	lua_setfield(L, -2, name);
	lua_rawgeti(L, state, U_CHAIN);
	if (on)
		lua_pushstring(L, name);
	else
		lua_pushnil(L);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + (on ? 1 : 0));
	lua_pop(L, 2);
	if (on)
		return;
	lua_rawgeti(L, state, U_LOADED);
	lua_createtable(L, 1, 0);
	lua_pushvalue(L, -3);
	lua_rawseti(L, -2, 1);
	lua_setfield(L, -2, name);
	lua_pop(L, 1);
}

/* use "name": upvalue 1 the loader's state, 2 the rule file's environment. */
static int l_use(lua_State *L)
{
	int state = lua_upvalueindex(1);
	size_t len;
	const char *name = luaL_checklstring(L, 1, &len);

	lua_settop(L, 1);
	if (!use_name_ok(name, len))
		return kp_sandbox_error(L, KP_M_RULE_USE_NAME, name);
	if (use_cached(L, state, name))
		return 1;
	lua_rawgeti(L, state, U_CLOSED);
	if (lua_toboolean(L, -1))
		return kp_sandbox_error(L, KP_M_RULE_USE_LATE, name);
	lua_pop(L, 1);
	use_check_cycle(L, state, name);
	if (!use_find(L, state, name)) {
		lua_rawgeti(L, state, U_SHARED);
		return kp_sandbox_error(L, KP_M_RULE_USE_NOT_FOUND, name, name,
					lua_isstring(L, -1) ? lua_tostring(L, -1) : kp_msg_fmt(KP_MSG_RULE_NONE));
	}
	use_parse(L, state, name, lua_tostring(L, 2));
	use_mark(L, state, name, 1);
	lua_call(L, 0, 1);
	use_mark(L, state, name, 0);
	return 1;
}

/* Protected: env, rule path, shared directory -> the state; sets env.use. */
static int l_use_install(lua_State *L)
{
	const char *path = lua_tostring(L, 2), *slash = path ? strrchr(path, '/') : NULL;
	const char *shared = lua_tostring(L, 3);
	int k;

	lua_createtable(L, U_NSLOTS, 0);
	if (path) { /* NULL: a rule file's text, not beside any module */
		lua_pushlstring(L, path, slash ? (size_t)(slash - path) + 1 : 0);
		lua_rawseti(L, -2, U_HERE);
	}
	if (shared && *shared) {
		lua_pushfstring(L, "%s%s", shared, shared[strlen(shared) - 1] == '/' ? "" : "/");
		lua_rawseti(L, -2, U_SHARED);
	}
	for (k = U_LOADED; k <= U_PATHS; k++) {
		lua_newtable(L);
		lua_rawseti(L, -2, k);
	}
	lua_pushboolean(L, 0);
	lua_rawseti(L, -2, U_CLOSED);
	lua_pushliteral(L, "use");
	lua_pushvalue(L, -2);
	lua_pushvalue(L, 1);
	lua_pushcclosure(L, l_use, 2);
	lua_rawset(L, 1);
	return 1;
}

int kp_rules_use_install(kp_sandbox *sb, int env, const char *path, const char *shared, kp_err *err)
{
	lua_State *L = kp_sandbox_state(sb);

	env = lua_absindex(L, env);
	lua_pushcfunction(L, l_use_install);
	lua_pushvalue(L, env);
	if (path)
		lua_pushstring(L, path);
	else
		lua_pushnil(L);
	lua_pushstring(L, shared ? shared : KP_MODULES_DIR);
	return kp_sandbox_call(sb, 3, 1, 0, err);
}

void kp_rules_use_close(lua_State *L, int state)
{
	lua_pushboolean(L, 1);
	lua_rawseti(L, state, U_CLOSED);
}

int kp_rules_use_names_file(lua_State *L, int state, const char *msg)
{
	size_t k, n, len;
	int found = 0;

	if (!state)
		return 0;
	lua_rawgeti(L, state, U_PATHS);
	n = lua_rawlen(L, -1);
	for (k = 1; k <= n && !found; k++) {
		const char *p;
		lua_rawgeti(L, -1, (lua_Integer)k);
		p = lua_tolstring(L, -1, &len);
		found = p && !strncmp(msg, p, len) && msg[len] == ':';
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return found;
}

int kp_rules_use_paths(lua_State *L, int state, char ***out, size_t *n)
{
	size_t k, len;
	char **p = NULL;

	*out = NULL, *n = 0;
	lua_rawgeti(L, state, U_PATHS);
	len = lua_rawlen(L, -1);
	if (len && !(p = calloc(len, sizeof *p))) {
		lua_pop(L, 1);
		return -1;
	}
	for (k = 0; k < len; k++) {
		lua_rawgeti(L, -1, (lua_Integer)k + 1);
		p[k] = strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
		if (!p[k]) {
			while (k > 0)
				free(p[--k]);
			free(p);
			lua_pop(L, 1);
			return -1;
		}
	}
	lua_pop(L, 1);
	if (len)
		*out = p, *n = len;
	return 0;
}

/* Feed the modules' texts, in the order they were loaded, to ctx. */
static void use_digest_modules(lua_State *L, int state, EVP_MD_CTX *ctx)
{
	size_t k, n;

	lua_rawgeti(L, state, U_TEXTS);
	n = lua_rawlen(L, -1);
	for (k = 1; k + 1 <= n; k += 2) {
		char head[128];
		size_t tl;
		const char *text;
		int hl;
		lua_rawgeti(L, -1, (lua_Integer)k);
		lua_rawgeti(L, -2, (lua_Integer)k + 1);
		text = lua_tolstring(L, -1, &tl);
		hl = snprintf(head, sizeof head, /* not words */ "\n-- use \"%s\" %zu\n", lua_tostring(L, -2), tl);
		EVP_DigestUpdate(ctx, head, (size_t)hl);
		EVP_DigestUpdate(ctx, text, tl);
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
}

char *kp_rules_sha256_text(const char *text, size_t len)
{
	return kp_rules_use_sha256(NULL, 0, text, len);
}

char *kp_rules_use_sha256(lua_State *L, int state, const char *buf, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	char *hex = malloc(65);

	if (!ctx || !hex || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		free(hex);
		return NULL;
	}
	EVP_DigestUpdate(ctx, buf, len);
	if (state)
		use_digest_modules(L, state, ctx);
	if (!EVP_DigestFinal_ex(ctx, md, &n) || n != 32) { /* never short: a SHA-256 is 32 bytes */
		EVP_MD_CTX_free(ctx);
		free(hex);
		return NULL;
	}
	EVP_MD_CTX_free(ctx);
	kp_sb_hex(md, 32, hex);
	return hex;
}
