/* result.h — the results of one scoring run: what the engine computes,
 * what the store saves and loads, and what every report prints.  A result
 * owns everything it points to (strings live in its pool); free it with
 * kp_result_free. */
#ifndef KAOPING_RESULT_H
#define KAOPING_RESULT_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/msg.h"

enum kp_item_kind {
	KP_ITEM_INDICATOR = 0, /* an indicator's points (max = its full points) */
	KP_ITEM_SECTION_DED,   /* a deduction inside a section (points > 0 = taken) */
	KP_ITEM_DEDUCTION,     /* a deduction from the total (points > 0 = taken) */
	KP_ITEM_BONUS,         /* bonus points */
	KP_ITEM_VETO,          /* a veto that fired (points 0) */
	KP_ITEM_NOTE           /* a remark: rescaling, caps (points 0) */
};

/* A kind's key in the JSON reports ("indicator", "section_deduction", …;
 * an unknown kind is "note").  Its words for a person are the reports'
 * labels (the catalogue's REP_L_KIND_*). */
const char *kp_item_kind_key(int kind);

/* The names of the notes that carry points (kind KP_ITEM_NOTE, points not 0):
 * what 扣完为止 gave back (deductions beyond a floor at 0; explain adds it
 * to its sums), and 折算尾差, the cent by which rescaled sections printed
 * each rounded miss the total (shown, never added: the total stands). */
#define KP_ITEM_FLOOR_NAME "扣完为止"
#define KP_ITEM_RESIDUE_NAME "折算尾差"
/* What max_total took off the total (points below 0): shown beside 扣完为止
 * so the items add up to a capped total. */
#define KP_ITEM_CAP_NAME "总分封顶"
/* Items of 10 points skipped for missing data: the rest rescaled. */
#define KP_ITEM_RESCALE_NAME "缺项折算"
/* The start of a base-score section (基础分: its points, then deductions). */
#define KP_ITEM_BASE_NAME "基础分"

typedef struct kp_item {
	int kind;
	int section;           /* section index, or -1 */
	const char *name;      /* pool string */
	double points;         /* points given, or taken for deductions */
	double max;            /* full points, or the cap */
	const char *note;      /* pool string: structured (kaoping/note.h) until
				  kp_result_render_notes writes it in a language */
	int skipped;           /* a missing value skipped and rescaled */
} kp_item;

/* What few units have, or only runs kept with details: a veto's reason,
 * a tie note, last year's result, the items.  It is kept beside the unit
 * (kp_unit_result.more) so that a million units without it stay small
 * (88 bytes each).  Read it with KP_MORE(u), all zero when the unit has
 * none; write it through kp_result_more. */
typedef struct kp_unit_more {
	const char *veto_reason;   /* pool string: why the veto fired, or NULL */
	const char *tie_note;      /* which tie-breaker decided its place, or NULL */
	kp_item *items;            /* NULL when the run kept no details */
	size_t nitems;
	double last_total;         /* last year's result, when has_last */
	int last_rank;             /* last year's rank, when has_last_rank */
	int has_last;              /* last year's result is known */
	int has_last_rank;         /* and its rank is one to compare: it was
				      ranked in the same category (a rank
				      among 镇 says nothing against one among
				      部门); the rank change is shown only then */
} kp_unit_more;

typedef struct kp_unit_result {
	const char *id, *name; /* borrowed from the data, or pool strings */
	kp_unit_more *more;    /* NULL when it has none of it: read KP_MORE(u) */
	double base;           /* sum of sections (after rescaling) */
	double deductions;     /* taken from the total */
	double bonus;          /* after the caps */
	double raw;            /* the total before rounding */
	double total;          /* rounded at the precision: the ranked score */
	int category;          /* index into categories */
	int grade;             /* index into grades, -1 when none declared */
	int rank;              /* competition rank in the category */
	int elig_rank;         /* rank among the eligible units of the category */
	unsigned scored;       /* its index in scoring order (the data's order, what
				  a sink was given as unit); 0 when read back */
	unsigned veto : 1;         /* a veto fired */
	unsigned quota_dropped : 1;/* a grade quota moved it down a grade */
	unsigned eligible : 1;     /* may be commended */
	unsigned commended : 1;
	unsigned boundary_tie : 1; /* commended as one tied at the quota boundary */
} kp_unit_result;

/* The record of a unit that has none (every field zero or NULL). */
extern const kp_unit_more kp_unit_more_none;
#define KP_MORE(u) ((u)->more ? (const kp_unit_more *)(u)->more : &kp_unit_more_none)

/* What a report says in a vetoed unit's veto column: its reason, or yes
 * when it has none (or an empty one).  Borrowed from u or yes. */
const char *kp_result_veto_words(const kp_unit_result *u, const char *yes);

typedef struct kp_category_result {
	const char *name;
	int quota;             /* commendation quota (0: none) */
	size_t first, count;   /* its units: units[first .. first+count) */
	int commended;         /* how many were commended */
	int shortfall;         /* quota - eligible units, when positive */
	int boundary_ties;     /* units tied at the commendation boundary */
	const char *note;      /* quota remarks (ties across a grade quota) */
} kp_category_result;

typedef struct kp_result {
	const char *title;
	int year;
	int precision;
	const char *rules_file;
	const char *rules_sha256;   /* hex */
	long run_id;                /* 0 when not stored */
	const char *office;         /* the issuing office (assessment { office }), or
				       NULL (a run read back from the store: not kept) */
	const char *scored_at;      /* when it was scored, "2021-12-31T08:00:00Z" (UTC), or NULL */
	int last_year;              /* 0 when no previous run is known */
	size_t nsections;
	const char **sections;
	double *section_points;
	size_t ngrades;
	const char **grades;        /* best first */
	size_t ncategories;
	kp_category_result *categories;
	size_t nunits;
	kp_unit_result *units;      /* in report order after kp_rank_run */
	double *sec;                /* nunits × nsections section points */
	/* internals: the pool */
	struct kp_pool *pool;
} kp_result;

/* 0 and an empty result in *out (free it with kp_result_free), or
 * KP_EINTERNAL when memory ran out (*out NULL). */
int kp_result_new(kp_result **out, kp_err *err);
void kp_result_free(kp_result *r);
/* Copy a string into the result's pool (NULL stays NULL). */
const char *kp_result_str(kp_result *r, const char *s, kp_err *err);
/* Replace every note of the result (items', tie and quota notes) by its
 * rendering in lang (kaoping/note.h), in the pool: the engine and the store
 * keep notes structured, a report shows them in its language.  0, or
 * KP_EDATA for a note that is not well formed (nothing is changed then:
 * notes before it may be rendered already, which renders them again as
 * themselves). */
int kp_result_render_notes(kp_result *r, enum kp_lang lang, kp_err *err);
/* Take every allocation of from's pool into to's, so that what from's
 * items and strings point to lives as long as to (items move from one
 * result to another without a copy).  from is then freed as usual: its
 * units, sections and categories are its own, its pool is empty. */
void kp_result_adopt(kp_result *to, kp_result *from);
/* Memory from the pool, zeroed. */
void *kp_result_alloc(kp_result *r, size_t size, kp_err *err);
/* u's record of what few units have (kp_unit_more), made zeroed when it
 * has none; owned by the result.  NULL with err when memory ran out.  The
 * scorer's workers call it at once for different units (it has a pool of
 * its own, under a lock); the other pool functions are not for threads. */
kp_unit_more *kp_result_more(kp_result *r, kp_unit_result *u, kp_err *err);
/* Section points of unit u. */
#define KP_SEC(r, u, s) ((r)->sec[(size_t)(u) * (r)->nsections + (size_t)(s)])

/* Ask for unit u's id and name ahead of their use (a hint, no effect on
 * what is read): they lie in the order the units were read, which the
 * ranking scatters, so a writer going down the ranking waits on two
 * cache misses a unit unless it asks KP_UNIT_AHEAD units before. */
#define KP_UNIT_AHEAD 8
#if defined(__GNUC__)
#define kp_unit_prefetch(u) (__builtin_prefetch((u)->id), __builtin_prefetch((u)->name))
#else
#define kp_unit_prefetch(u) ((void)(u))
#endif

/* Last year's results, by unit id, visible to rules (u.last) and reports. */
typedef struct kp_last_unit {
	const char *id;
	double total;
	int rank;
	const char *grade;
	size_t row;            /* its row in sec */
	const char *category;  /* the category it was ranked in; NULL: not
				  known, and its rank not compared */
} kp_last_unit;

typedef struct kp_last {
	int year;
	size_t n;
	kp_last_unit *u;       /* sorted by id (strcmp) */
	size_t nsections;
	const char **sections; /* section names */
	double *sec;           /* n × nsections */
} kp_last;

/* Last year's result of the unit id, or NULL (l may be NULL): the one
 * lookup the scorer and the rules' u.last share. */
const kp_last_unit *kp_last_find(const kp_last *l, const char *id);

#endif
