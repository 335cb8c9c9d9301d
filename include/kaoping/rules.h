/* rules.h — a rule file, loaded in the sandbox and compiled: the indicator
 * tree, the scoring methods, deductions, bonus, vetoes, grades, the
 * commendation and the test cases (docs/RULES.md).  kp_rules owns its
 * sandbox and every string; functions written in Lua stay in the sandbox's
 * registry and are referenced by number. */
#ifndef KAOPING_RULES_H
#define KAOPING_RULES_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/sandbox.h"
#include "kaoping/sb.h"

enum kp_src_kind { KP_SRC_COL = 1, KP_SRC_FUNC, KP_SRC_AGG };
/* KP_AGG_TRIMMED: 去掉一个最高分和一个最低分 then the average (fewer than
 * 3 values: their plain average); KP_AGG_LATE, KP_AGG_MISSING: dated logs,
 * rows submitted after their due date, rows not submitted */
enum kp_agg_op { KP_AGG_COUNT = 1, KP_AGG_SUM, KP_AGG_AVG, KP_AGG_MIN, KP_AGG_MAX, KP_AGG_TRIMMED,
		 KP_AGG_LATE, KP_AGG_MISSING };

typedef struct kp_src {          /* where a value comes from */
	int kind;
	char *col;               /* KP_SRC_COL; KP_SRC_AGG: the event column
				    (late, missing: the submitted date) */
	char *due;               /* KP_AGG_LATE: the due date column */
	int ref;                 /* KP_SRC_FUNC: the function; AGG: a filter function (or 0) */
	int op;                  /* KP_SRC_AGG */
	int event;               /* KP_SRC_AGG: index into rules->events */
	size_t nfilter;          /* KP_SRC_AGG: column = value filters */
	char **fcol, **fval;
	unsigned char *fnum;     /* per filter: 1 when its value is a number
				    (compared as numbers, as a function's is) */
} kp_src;

enum kp_method_kind {
	KP_M_FUNC = 1, KP_M_TARGET, KP_M_RATIO, KP_M_MINMAX, KP_M_RANK, KP_M_BANDS,
	KP_M_YESNO, KP_M_LOOKUP, KP_M_PERITEM, KP_M_CHECKLIST, KP_M_DONE,
	KP_M_GIVEN,              /* given(src): points sent in by another office */
	KP_M_BLEND,              /* blend { {src, weight}, ... }: P × Σ w × v / scale */
	KP_M_DEADLINE            /* deadline(src, {{date, P}, ...}): on or before */
};

typedef struct kp_part {         /* one part of a blend */
	kp_src src;
	double weight;           /* 0.85 for 85%; a blend's weights add up to 1 */
	double scale;            /* the value's full marks (default 100) */
} kp_part;

typedef struct kp_check {        /* one condition of a checklist */
	char *name;              /* "没有总体方案" */
	char *unit;              /* per: what is counted ("次", "起"), or NULL */
	kp_src src;              /* the yes/no value (when) or the count (per) */
	double amount;           /* points deducted, or per counted item */
	double max;              /* per: the cap */
	int has_max;
	int per;                 /* 1: amount × count; 0: amount when the value is `is` */
	int is;                  /* when: 1 deducts on yes, 0 on no */
} kp_check;

typedef struct kp_method {
	int kind;
	kp_src src;
	int ref;                 /* KP_M_FUNC */
	double goal;             /* target */
	kp_src goal_src;         /* target: each unit's own goal (kind 0: the number) */
	int scope_all;           /* statistics over all units, not the category */
	int asc;                 /* rank_points: lower is better */
	size_t n;                /* bands, rank points, lookup entries */
	double *thr, *pts;       /* bands: thresholds and points; rank: pts;
				    deadline: the dates (days since 1970-01-01,
				    earliest first) and their points */
	unsigned char *gt;       /* bands: 1 where the threshold is strict (>) */
	int has_otherwise;       /* bands: the points below every band (else 0);
				    deadline: late or not submitted */
	double otherwise;
	char **keys;             /* lookup keys */
	int has_default;         /* lookup default, yes_no points given, done's
				    points when not done */
	double dflt;
	double per, max;         /* per_item */
	int has_max;
	size_t first, count;     /* checklist: rules->check[first .. first+count);
				    blend: rules->part[first .. first+count) */
	double scale;            /* blend: the scale its value is on (default 100) */
} kp_method;

typedef struct kp_indicator {
	char *name, *where, *desc;
	char *basis, *office;    /* the document it rests on, who scores it; or NULL */
	int section;
	double points;
	kp_method m;
	int has_default;
	double dflt;
	char *dflt_text;
	int skip_missing;
	int clamp;               /* 1 (default): keep within [0, points] */
	unsigned char *only;     /* categories = {...}: 1 for each category assessed
				    on it (indexes of rules->cat), NULL: all */
} kp_indicator;

/* Is the indicator assessed for units of category cat?  (Others leave it
 * out and have their points rescaled: 百分制折算.) */
static inline int kp_indicator_applies(const kp_indicator *d, int cat)
{
	return !d->only || (cat >= 0 && d->only[cat]);
}

typedef struct kp_deduction {
	char *name, *where, *desc;
	char *basis, *office;    /* as for indicators */
	int section;             /* -1: from the total */
	int ref;                 /* points = function(u, ctx) */
	kp_src count;            /* or per × count */
	char *unit;              /* the word counted ("起", "卷"), or NULL: 件 */
	double per, max;
	int has_max;
} kp_deduction;

/* The word a deduction counts in ("件" unless declared). */
static inline const char *kp_deduction_unit(const kp_deduction *d)
{
	return d->unit ? d->unit : "件";
}

typedef struct kp_bonus {
	char *name, *where, *desc;
	char *basis, *office;    /* as for indicators */
	double max;
	kp_method m;
	int has_default;         /* the value used for a blank cell */
	double dflt;
	char *dflt_text;
} kp_bonus;

typedef struct kp_veto {
	char *name, *where, *desc;
	char *basis, *office;    /* as for indicators */
	kp_src when;
	char *reason;
	int reason_ref;
	char *dflt_text;         /* the value used for a blank cell, or NULL */
} kp_veto;

typedef struct kp_section {
	char *name, *where;
	double points;
	size_t first, count;     /* its indicators: indicators[first .. first+count) */
	int base;                /* 基础分: no indicators, starts at its points and
				    has only deductions (never rescaled) */
} kp_section;

typedef struct kp_grade {
	char *name;
	double min;
	double quota;            /* share of the category, 0: none */
	int count;               /* or a number of units (一等奖 the top 3), 0: none */
	double *cat_min;         /* by_category: the minimum for each category
				    (NaN: min), or NULL */
} kp_grade;

/* The minimum score of grade g for units of category cat. */
static inline double kp_grade_min(const kp_grade *g, int cat)
{
	return g->cat_min && cat >= 0 && g->cat_min[cat] == g->cat_min[cat] ? g->cat_min[cat] : g->min;
}

enum kp_tie { KP_TIE_SECTION = 1, KP_TIE_DEDUCTIONS, KP_TIE_BONUS };
typedef struct kp_tiebreak { int kind; int section; char *name; } kp_tiebreak;

typedef struct kp_category { char *name; int quota; } kp_category;
typedef struct kp_event {
	char *name, *data, *unit, *where, *office;  /* office: who sends it, or NULL */
	size_t ncol; char **col;  /* columns = {...}: columns rule functions read
				     (for the form), beyond what helpers read */
	char **reader;            /* for each: the items whose functions name it
				     ("复议应诉"), or NULL */
} kp_event;
/* data "法治宣传" { office = ..., columns = {...} }: the indicator columns one
 * office sends, on a form (and a dataset) of that name (kaoping template) */
typedef struct kp_dataset {
	char *name, *where, *office;
	size_t ncol; char **col;
	char **reader;            /* as kp_event's */
} kp_dataset;

typedef struct kp_rules {
	char *file;              /* path as given */
	char *sha256;            /* hex of the file's bytes */
	char *text;              /* the file's bytes as loaded (owned), kept with a
				    run whose items are derived again (store.h) */
	size_t text_len;
	size_t nmodule;
	char **module;           /* the files `use` read, as opened (beside the
				    rule file or in the modules folder), in
				    the order loaded: inputs too, which -o may
				    not name */
	char *title;
	char *office, *basis;    /* the issuing office, the document the
				    assessment rests on; or NULL */
	char *unit_office;       /* who sends the unit table, or NULL */
	int year;
	int precision;
	int compare;             /* decimals at which computed values are compared
				    (thresholds, ranks, ties, lookups; default 6) */
	int round_items;         /* round each indicator's points, not only the total */
	char *id_col, *name_col, *cat_col, *unit_table;
	double bonus_max, max_total;
	int has_bonus_max, has_max_total;
	size_t ncat; kp_category *cat;
	size_t nsec; kp_section *sec;
	size_t nind; kp_indicator *ind;
	size_t nded; kp_deduction *ded;
	size_t nbon; kp_bonus *bon;
	size_t nveto; kp_veto *veto;
	size_t ncheck; kp_check *check;  /* every checklist's conditions */
	size_t npart; kp_part *part;     /* every blend's parts */
	size_t ngrade; kp_grade *grade;  /* best first */
	int quota_ties_none;
	int commend_min_grade;   /* index, -1: none */
	double commend_min_score;
	int has_min_score;
	struct kp_commend_cat {  /* commend { by_category = { ["镇"] = { ... } } } */
		int set;         /* 1: this category's conditions replace the common ones */
		int min_grade;   /* index, -1: none */
		double min_score;
		int has_min_score;
	} *commend_cat;          /* ncat entries, or NULL */
	int eligible_ref;
	int veto_last;           /* commend { veto_rank = "last" }: vetoed units
				    ranked after every other unit of their category */
	size_t ntie; kp_tiebreak *tie;
	size_t nevent; kp_event *event;
	size_t ndata; kp_dataset *data;   /* data declarations, in file order */
	size_t ncase;
	int cases_ref;           /* the list of case tables */
	int env_ref;             /* the rule file's environment */
	double full_points;      /* sum of section points */
	int uses_lua;            /* some method, source or veto is a Lua function */
	kp_sandbox *sb;
	size_t nnumcol;
	char **numcol;           /* columns read as numbers */
	kp_strset numcol_set;    /* numcol hashed (its strings), as add_numcol keeps it */
	/* The names of indicators, deductions, bonuses and vetoes, hashed for
	 * kp_rules_find_decl: slot = position + 1 over ind|ded|bon|veto (the
	 * counts below, as loaded), 0 empty; cap a power of two.  Owned; NULL
	 * (a kp_rules made by hand) finds by a linear search. */
	size_t *decl_ix, decl_cap, decl_n[4];
} kp_rules;

/* The first declaration of group g (0 indicators, 1 deductions, 2 bonuses,
 * 3 vetoes) named name: its index in that array, or -1.  Constant time when
 * kp_rules_load indexed the names, so that items × declarations (explain,
 * reports of thousands of indicators) stays linear. */
long kp_rules_find_decl(const kp_rules *r, int g, const char *name);

/* Where `use "name"` finds name.lua when it is not beside the rule file
 * (kp_limits.modules, the --modules option, replaces it). */
#ifndef KP_MODULES_DIR
#define KP_MODULES_DIR "/usr/local/share/kaoping/modules"
#endif

/* Load and compile a rule file (and RULES_test.lua beside it when
 * with_tests), and the modules it uses.  Errors are KP_ENOINPUT (cannot read) or KP_ERULE with
 * "file:line: what".  On success *out is owned by the caller. */
int kp_rules_load(const char *path, const kp_limits *limits, int with_tests,
		  kp_rules **out, kp_err *err);
/* The same from the bytes of a rule file read before (a run's stored
 * text; path names it in messages, and `use` is refused: modules are read
 * from files).  text is copied. */
int kp_rules_load_text(const char *path, const char *text, size_t len, const kp_limits *limits,
		       kp_rules **out, kp_err *err);
void kp_rules_free(kp_rules *r);
/* The SHA-256 (hex) kp_rules_load records for a rule file of these bytes
 * that uses no module, or NULL when memory ran out; the caller frees it. */
char *kp_rules_sha256_text(const char *text, size_t len);

/* The columns the rules read as numbers (helper sources, deduction counts,
 * event columns), for typing tables as they load.  Borrowed strings. */
int kp_rules_is_numeric(const kp_rules *r, const char *col);
/* For a table's columns cols[0..n): 1 where the rules read a number (r may
 * be NULL: none).  malloc'd (n + 1 bytes, the caller frees), or NULL with
 * err filled when memory ran out.  The one mask for kp_table_set_columns. */
unsigned char *kp_rules_numeric_mask(const kp_rules *r, char *const *cols, size_t n, kp_err *err);
/* 1 when the dataset called name is an event list's (events "X" { file
 * = "name.csv" }), which may have no rows: no events (r may be NULL: 0).
 * Any other dataset of a header and no rows is refused where it is read
 * or bound. */
int kp_rules_event_data(const kp_rules *r, const char *name);
/* Every column name the rules mention (for check's unknown/unused). */
size_t kp_rules_columns(const kp_rules *r, const char ***out, kp_err *err);

/* The method of an indicator in words (the criteria table), appended whole
 * to out in lang (the report's language, which may differ from the
 * messages'); a failed allocation sets out->oom, for the owner to check
 * with kp_sb_status. */
void kp_rules_describe(const kp_rules *r, const kp_method *m, double points, enum kp_lang lang, kp_sb *out);
/* Append a message of the catalogue in lang, whole (the criteria words):
 * KP_M_ID in place of id and en, as kp_sb_msg takes it. */
void kp_rules_words(kp_sb *out, enum kp_lang lang, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

#endif
