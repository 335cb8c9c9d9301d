/* score_int.h — what the two halves of the scorer share: score.c (the
 * engine: statistics, methods, units, threads) and score_lua.c (the objects
 * rule functions see: the unit record, event lists, rows, contexts).  Not
 * a public interface. */
#ifndef KAOPING_SCORE_INT_H
#define KAOPING_SCORE_INT_H

#include "kaoping/score.h"

struct lua_State; /* only score_lua.c sees Lua */

/* What a value came to, told through an out-parameter beside the error
 * kind (0 or KP_E*) a function returns: a value; none (a blank cell, nil,
 * the avg of nothing); none, and the indicator is skipped (missing =
 * "skip", or a rule function that read such a blank). */
enum vstat { V_VALUE = 0, V_MISSING, V_SKIP };

typedef struct mstat {         /* statistics a method needs */
	int on;
	double *max, *min;     /* per category, and [ncat] for all units */
	double *val;           /* rank_points: each unit's value (NaN: missing) */
	int *rank;             /* rank_points: each unit's rank in its scope */
} mstat;

/* An aggregate over values (events, a column): count, sum, avg, min, max,
 * the trimmed average. */
typedef struct kp_acc {
	int op;                /* KP_AGG_* */
	double v;
	size_t n;
	double lo, hi;         /* trimmed: the lowest and highest value */
} kp_acc;

static inline void kp_acc_add(kp_acc *a, double x)
{
	if (a->op == KP_AGG_TRIMMED) {
		if (a->n == 0 || x < a->lo)
			a->lo = x;
		if (a->n == 0 || x > a->hi)
			a->hi = x;
	}
	if (a->op == KP_AGG_SUM || a->op == KP_AGG_AVG || a->op == KP_AGG_TRIMMED)
		a->v += x;
	else if (a->op != KP_AGG_COUNT && (a->n == 0 || (a->op == KP_AGG_MIN ? x < a->v : x > a->v)))
		a->v = x;
	a->n++;
}

/* V_VALUE with the result, or V_MISSING: the avg, min or max of nothing.  The
 * trimmed average drops one highest and one lowest value (one each, even
 * when others tie with them); of fewer than 3 values it is their average. */
static inline enum vstat kp_acc_result(const kp_acc *a, double *out)
{
	if (a->op == KP_AGG_COUNT)
		return *out = (double)a->n, V_VALUE;
	if (a->n == 0 && a->op != KP_AGG_SUM)
		return V_MISSING;
	if (a->op == KP_AGG_TRIMMED && a->n >= 3)
		return *out = (a->v - a->lo - a->hi) / (double)(a->n - 2), V_VALUE;
	if (a->op == KP_AGG_TRIMMED)
		return *out = a->v / (double)a->n, V_VALUE;
	*out = a->op == KP_AGG_AVG ? a->v / (double)a->n : a->v;
	return V_VALUE;
}

/* Fold the event rows of unit u that pass into *a: the values of column
 * col (or only their count when col < 0, agg.count).  pass(ud, row) says
 * whether a row counts (1), not (0), or stops the fold (-1: the caller has
 * the error).  Blank cells and words for "no value" are left out.  Returns
 * 0, -1 when pass stopped it, or 1 with *bad_row and *bad_st for a cell
 * that is not a number; the caller says so in its own way (an error record
 * or a Lua error).  The one loop behind agg.* in declarations and in rule
 * functions (score.c, score_lua.c). */
int kp_score_fold_events(const kp_data_events *ev, size_t u, long col, int (*pass)(void *ud, size_t row), void *ud,
			 kp_acc *a, size_t *bad_row, int *bad_st);

typedef struct scorer {
	const kp_rules *r;
	const kp_data *d;
	const kp_score_opts *o;
	kp_result *res;
	kp_err *err;
	struct lua_State *L;
	kp_colref *ind_ref, *bon_ref, *ded_ref, *veto_ref;
	kp_colref *chk_ref;       /* checklist conditions: rules->check */
	kp_colref *ind_goal, *bon_goal; /* target(src, "goal column") */
	kp_colref *part_ref;      /* blend parts: rules->part */
	kp_acc last_acc;          /* the last event aggregate computed (notes) */
	const kp_colref *goal_ref; /* the goal of the method being scored */
	mstat *ind_stat, *bon_stat;
	size_t unit;              /* the unit being scored */
	const char *ctx_kind;     /* "indicator", "bonus", … for messages */
	const char *ctx_name;
	const char *ctx_where;
	const kp_indicator *ind;  /* the indicator being scored, for skipping */
	int has_dflt;             /* its declared default for a blank cell */
	double dflt;
	const char *dflt_text;
	int first_call;           /* the next Lua call starts the unit's budget */
	int rescaled;             /* the unit's sections were rescaled (缺项) */
	int notes;
	double cmp_unit;          /* kp_num_cmp_unit(r->compare) */
	kp_item *items;
	size_t nitems, icap;
	char *notebuf;            /* notes of the current unit, packed */
	size_t nused, ncap;
	int unit_ref, ctx_ref;    /* registry refs: the unit proxy, the contexts */
	size_t unit_ref_of;       /* the unit unit_ref stands for */
	int top;                  /* the Lua stack on entry, restored on exit */
	unsigned long gen;        /* the sandbox generation of this run's values */
	int lua_open;             /* kp_score_lua_open ran: close undoes it */
	int skip_asked;           /* u[col] met a blank under missing = "skip" */
	int missing_hit;          /* this unit met a missing value (kp_score_missing_error) */
	/* the last cell a rule function read in this call that holds text, not
	 * a number (t NULL: none): named as the data's mistake when the call
	 * then fails computing with a string */
	struct { const kp_table *t; size_t row, col; } text_cell;
	const char **veto_reason; /* pool copies of the vetoes' fixed reasons */
	struct kp_pack *pack;     /* a worker of a batched run: units' items go
				     here, handed on in order by the main thread */
} scorer;

static inline const char *unit_id(const scorer *s, size_t u)
{
	return kp_data_id(s->d, u);
}

static inline const char *unit_name(const scorer *s, size_t u)
{
	return kp_table_text(s->d->units, u, (size_t)s->d->name_col);
}

/* score.c */
int kp_score_missing_error(scorer *s, const kp_colref *c, const char *col);
/* Enter Lua for a rule function (the arguments pushed by score_lua.c):
 * kp_sandbox_call with the unit's budget and its context for messages; a
 * rule error fills s->err; *vs is V_SKIP (and 0 returned, no results on
 * the stack) when the function read a blank its indicator skips on. */
int kp_score_call_lua(scorer *s, int nargs, int nres, enum vstat *vs);

/* score_lua.c: the bridge to rule functions.  score.c is plain C: it asks
 * for a call and gets the results as kp_fnval, read without running any
 * metamethod (a __tostring or __index never runs unprotected). */
typedef struct kp_fnval {
	enum { KP_FV_NIL, KP_FV_BOOL, KP_FV_NUM, KP_FV_TEXT, KP_FV_OTHER } type;
	int yes;               /* KP_FV_BOOL */
	int numeric;           /* a number, or a text Lua reads as one (num) */
	double num;
	char *text;            /* KP_FV_TEXT, and a number as Lua writes it:
				  an owned copy (kp_fnval_free) */
	const char *type_name; /* "table", "function", … for messages */
} kp_fnval;
void kp_fnval_free(kp_fnval *v);

/* What a rule function is given: the unit (and its category's context),
 * or an event row. */
enum kp_fnargs { KP_FN_UNIT = 1, KP_FN_UNIT_CTX, KP_FN_ROW };
/* Call the function at registry ref with those arguments and take its
 * first nres (1 or 2) results into res[]: 0 or an error kind; res[] is
 * filled only when *vs is V_VALUE (V_SKIP: see kp_score_call_lua). */
/* A rule error (78) naming the rule file, what is scored and the unit:
 * "RULES: in indicator 'X' for unit 'Y': msg". */
int kp_score_rule_error(scorer *s, const char *msg);
/* Do a cell and a word of the rules look the same but differ (a space at
 * an end that is not ASCII, an invisible character, full-width letters:
 * kp_enc_name_key)?  The cell is the word mistyped, not another word. */
int kp_score_text_alike(const char *cell, const char *word);
int kp_score_call_fn(scorer *s, int ref, enum kp_fnargs args, const kp_table *t, size_t row, int nres, kp_fnval *res,
		     enum vstat *vs);
/* commend { eligible = function(r) }: r is the unit's result as a table. */
int kp_score_call_eligible(scorer *s, const kp_result *res, size_t unit, kp_fnval *out);
/* Open the run's Lua side (metatables, the contexts) and close it. */
int kp_score_lua_open(scorer *s);
void kp_score_lua_close(scorer *s);

#endif
