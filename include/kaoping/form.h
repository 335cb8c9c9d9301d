/* form.h — the forms the assessment office sends each reporting office
 * before the year's data comes in (kaoping template): one form per dataset
 * the rules read (the unit table, each `data` declaration, each `events`
 * list), its columns in the order the rules declare them, and guidance for
 * each column (which items read it, what to write, whether a blank is
 * allowed).  A filled form imports as it is: its file stem is the dataset
 * name the rules bind.  kp_forms owns every string of the plan; the rules
 * and the unit rows it was built from are borrowed only while building. */
#ifndef KAOPING_FORM_H
#define KAOPING_FORM_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/rules.h"

enum kp_form_kind { KP_FORM_UNITS = 1, KP_FORM_DATA, KP_FORM_EVENTS };

typedef struct kp_form_col {
	char *name;        /* the header cell */
	char *readers;     /* the items that read it ("会前学法、专题研究": helpers, and
			      functions naming it), or NULL: a unit column, or
			      read only by a shared module's functions */
	char *what;        /* what to write ("次", "日期", "是/否", "优秀/良好/…") */
	char *example;     /* a value that reads right */
	int blank_ok;      /* a blank is allowed (default, missing = "skip", a
			      date not yet submitted) */
	int fn;            /* listed by a declaration's columns = {...} (rule functions read it) */
} kp_form_col;

typedef struct kp_form {
	int kind;
	char *name;        /* the dataset name: the form's file stem */
	char *office;      /* who fills it (the rules' office), or NULL */
	char *event;       /* KP_FORM_EVENTS: the events' name */
	size_t ncol;
	kp_form_col *col;  /* col[0] is the unit id column */
} kp_form;

/* Unit rows to prefill (from a database's unit table), borrowed. */
typedef struct kp_form_units {
	size_t n;
	const char *const *id, *const *name, *const *cat;
} kp_form_units;

typedef struct kp_forms {
	char *title;       /* the rules' title */
	int year;
	size_t n;
	kp_form *form;     /* the unit form first, then data, then events */
	kp_form_units units;  /* borrowed: valid while the caller keeps them */
} kp_forms;

/* Plan the forms of r for year.  A column or dataset name that cannot be
 * written safely (a CSV formula start; a path separator, "." or ".." in a
 * file or folder name) is KP_ERULE naming its declaration.  *out is the
 * caller's, freed with kp_forms_free. */
int kp_forms_plan(const kp_rules *r, int year, const kp_form_units *units, kp_forms **out, kp_err *err);
void kp_forms_free(kp_forms *f);

enum kp_form_format { KP_FORM_CSV = 1, KP_FORM_XLSX };

/* The path of form i's file under dir ("DIR/OFFICE/NAME.csv", or without
 * OFFICE when the rules name none); malloc'd, NULL when out of memory.
 * notes: the CSV form's companion "NAME.说明.txt" instead. */
char *kp_forms_path(const kp_forms *f, size_t i, const char *dir, int format, int notes);
/* fn on the path of every file the forms write under dir (each form, and
 * in CSV its 说明.txt), in order, until it returns non-zero (returned);
 * the path is freed after fn.  KP_EINTERNAL when out of memory. */
typedef int (*kp_forms_path_fn)(void *ud, const char *path, kp_err *err);
int kp_forms_each_path(const kp_forms *f, const char *dir, int format, kp_forms_path_fn fn, void *ud, kp_err *err);

/* Write every form under dir (created with its office folders when
 * missing), all or nothing: each to a temporary file, all renamed into
 * place once every one is written; on a failure none is, and the folders
 * this call made are removed.  An existing file is refused (KP_ECREATE,
 * before anything is written) unless replace; a text longer than a
 * workbook cell holds is KP_EDATA.  CSV: the
 * header (and prefilled unit rows) in UTF-8 with a BOM, the guidance in
 * NAME.说明.txt beside it; XLSX: the data on the first sheet, header in
 * row 1 with a comment on each header cell, a 说明 sheet after it. */
int kp_forms_write(const kp_forms *f, const char *dir, int format, int replace, kp_err *err);

#endif
