/* sandbox.h — the Lua state rule files run in (DESIGN §3, a contract):
 * only base (without dofile, loadfile, collectgarbage; load in text mode
 * only), string (without dump), table, math, utf8 and os.time/date/clock;
 * a memory cap through a counting allocator; an instruction budget through
 * a count hook that keeps firing once tripped; a limit on the seconds
 * spent in rule code (the calls into Lua, added up) checked by the same
 * hook.  The sandbox owns its lua_State. */
#ifndef KAOPING_SANDBOX_H
#define KAOPING_SANDBOX_H

#include <stddef.h>

struct lua_State; /* <lua.h> is for the four files that speak Lua (docs/ARCHITECTURE.md) */

#include "kaoping/err.h"
#include "kaoping/msg.h"

#define KP_DEFAULT_MAX_MEMORY (256u << 20)      /* bytes */
#define KP_DEFAULT_MAX_INSTRUCTIONS 10000000LL  /* per unit, per file load */
#define KP_DEFAULT_TIMEOUT 60.0                 /* seconds of rule code */

typedef struct kp_limits {
	size_t max_memory;          /* 0: default */
	long long max_instructions; /* 0: default */
	double timeout;             /* seconds of rule code (every kp_sandbox_call
				       added up: reading data or writing a run
				       does not count); 0: none */
	const char *modules;        /* kp_rules_load: where `use "name"` looks after
				       the rule file's folder; NULL: the installed
				       modules directory */
} kp_limits;

typedef struct kp_sandbox kp_sandbox;

kp_sandbox *kp_sandbox_new(const kp_limits *limits, kp_err *err);
void kp_sandbox_free(kp_sandbox *sb);
struct lua_State *kp_sandbox_state(kp_sandbox *sb);

/* Push a fresh environment table for a rule file: the allowed libraries
 * (shared, read-only), unknown names raise "unknown name 'x'". */
int kp_sandbox_push_env(kp_sandbox *sb, kp_err *err);
/* Freeze or thaw the environment on top of the stack's global writes. */
void kp_sandbox_freeze_env(struct lua_State *L, int idx, int frozen);

/* Load text (never binary) as a chunk called chunkname ("@rules/x.lua"),
 * with the table at env_idx as its _ENV; pushes the function. */
int kp_sandbox_load(kp_sandbox *sb, const char *chunkname, const char *buf, size_t len,
		    int env_idx, kp_err *err);

/* Call the function below nargs arguments, like lua_pcall with a message
 * handler that adds a traceback.  Resets the instruction budget first when
 * fresh_budget is set.  On failure err holds the message (KP_ERULE, or
 * KP_EDATA when a rule read a bad or missing value) with the traceback
 * kept in err->trace; nothing is left on the stack. */
int kp_sandbox_call(kp_sandbox *sb, int nargs, int nres, int fresh_budget, kp_err *err);

/* Raise a data error from inside Lua (a missing value, a bad number):
 * kp_sandbox_call reports it as KP_EDATA.  Does not return.  Like every
 * error the engine raises about a mistake (this one, kp_sandbox_error,
 * kp_sandbox_raise), it passes through the rule's own pcall and xpcall:
 * a rule cannot turn a missing value or an unknown column into points. */
int kp_sandbox_data_error(struct lua_State *L, const char *fmt, ...);

/* lua_error(L) of the value on top, as the engine's mistake (above). */
int kp_sandbox_raise(struct lua_State *L);

/* Raise a rule error from C code Lua called, with a message of the
 * catalogue after the caller's place (as luaL_error): call it with the
 * KP_M_ID macro in place of id and en.  Does not return. */
int kp_sandbox_error(struct lua_State *L, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Push a message of the catalogue (as lua_pushfstring does); returns it. */
const char *kp_sandbox_push_msg(struct lua_State *L, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Where a rule's print() goes: fn gets the line (the values as tostring
 * gives them, joined by spaces, len bytes, no newline; it may hold any
 * byte).  Without one, the default, the line is dropped: the core never
 * prints.  Set once by the command line, for every sandbox. */
typedef void (*kp_sandbox_print_fn)(const char *line, size_t len);
void kp_sandbox_print_to(kp_sandbox_print_fn fn);

/* Make a table read-only: returns (pushes) a proxy of the table at idx. */
void kp_sandbox_readonly(struct lua_State *L, int idx, const char *what);

/* What is running, for a message when the wall clock stops the command
 * in the middle of a C call: set before each Lua call (pointers are
 * borrowed), read from a signal handler (no locks, no allocation). */
void kp_sandbox_set_context(kp_sandbox *sb, const char *kind, const char *name, const char *unit);
/* Write "RULES: in KIND 'NAME' for unit 'UNIT'" (the catalogue's
 * RULE_CONTEXT in the language of messages; just RULES when nothing runs)
 * into buf with no allocation and no stdio (async-signal-safe); returns
 * its length. */
size_t kp_sandbox_context(const kp_sandbox *sb, const char *file, char *buf, size_t size);

/* Values handed to rules (the unit u, ctx, event lists, rows) point into
 * a scoring run's memory.  Each carries the generation of its run and is
 * checked on every use: kp_sandbox_open_run starts a generation,
 * kp_sandbox_close_run ends it, and kp_sandbox_check_live raises a rule
 * error (naming WHAT) for a value of a generation that is not open. */
unsigned long kp_sandbox_open_run(kp_sandbox *sb);
void kp_sandbox_close_run(kp_sandbox *sb);
int kp_sandbox_check_live(struct lua_State *L, unsigned long gen, const char *what);

/* 1 while rule code runs (inside kp_sandbox_call), else 0; a plain read,
 * safe in a signal handler. */
int kp_sandbox_in_call(const kp_sandbox *sb);

/* Seconds spent in rule code so far, the call under way included; plain
 * reads and the monotonic clock, so a signal handler may ask. */
double kp_sandbox_rule_seconds(const kp_sandbox *sb);

/* Seconds on the monotonic clock. */
double kp_sandbox_now(void);

#endif
