/* sheet.h — a score sheet for each unit (一单位一表): one file per unit,
 * so each unit can check its score and appeal.  A sheet shows the
 * assessment's title and year, the unit's total, rank in its category,
 * grade, commendation and rank change, every item with its points, full
 * points, note, basis and office, the sums, and the imported rows its
 * points came from with their file and line.  Formats: md, html (one A4
 * page where it fits), json, xlsx (fit to one page).  Also the sheets'
 * file names: safe on every filesystem and unique within one set.
 * A sheet borrows the result, the rules and the rows; each sheet is
 * written to its file as it is made (atomically, kaoping/outfile.h), so
 * a set of sheets never holds more than one sheet's text. */
#ifndef KAOPING_SHEET_H
#define KAOPING_SHEET_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/report.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/store.h"

/* The imported rows of one unit, copied (kp_store_row's strings are
 * borrowed for one call), and the imports of the run whose rows the
 * database no longer holds (a kp_store_row with gone set): the sheet says
 * so rather than look complete.  Owns every row and string it holds. */
typedef struct kp_sheet_rows {
	kp_store_row *row;
	size_t n, cap;
	kp_store_row *gone;
	size_t ngone, gcap;
} kp_sheet_rows;

/* Copy row into l, keeping only the columns keep(ud, column) says yes to
 * (the columns the rules read); a row with none of them is left out.  A
 * row with gone set is kept in l->gone, whatever its columns. */
typedef int (*kp_sheet_keep_fn)(void *ud, const char *col);
int kp_sheet_rows_add(kp_sheet_rows *l, const kp_store_row *row, kp_sheet_keep_fn keep, void *ud, kp_err *err);
/* Drop the rows (l stays usable); kp_sheet_rows_free also frees the array. */
void kp_sheet_rows_clear(kp_sheet_rows *l);
void kp_sheet_rows_free(kp_sheet_rows *l);

typedef struct kp_sheet {
	const kp_result *r;        /* the run */
	size_t unit;               /* index into r->units */
	const kp_rules *rules;     /* basis and office of items, or NULL */
	const kp_sheet_rows *rows; /* the unit's data rows, or NULL when they
				      could not be looked up (no rules) */
	int lang;                  /* enum kp_lang */
	size_t *cut;               /* xlsx: when not NULL, counts the cells whose
				      text was cut to the 32,767 characters a
				      cell holds */
} kp_sheet;

/* The formats a sheet is written in (enum kp_format): md, html, json, xlsx. */
int kp_sheet_format_ok(int format);
/* "md", "html", "json", "xlsx": the file name extension of a format. */
const char *kp_sheet_ext(int format);

/* Write the sheet to path in format, atomically. */
int kp_sheet_write(const kp_sheet *s, int format, const char *path, kp_err *err);

/* Many sheets (a folder of them): each is written to its temporary file
 * at once (its text is not kept), and every KP_SHEET_BATCH sheets, and at
 * kp_sheet_batch_commit, they are made durable together (one sync, not
 * one per file: kp_outfile_commit_all) and renamed into place.  Free
 * removes the sheets not committed. */
#define KP_SHEET_BATCH 64 /* well below the 128 unnamed temporaries kp_outfile keeps open */
typedef struct kp_sheet_batch kp_sheet_batch;
kp_sheet_batch *kp_sheet_batch_new(kp_err *err);
int kp_sheet_batch_add(kp_sheet_batch *b, const kp_sheet *s, int format, const char *path, kp_err *err);
int kp_sheet_batch_commit(kp_sheet_batch *b, kp_err *err);
void kp_sheet_batch_free(kp_sheet_batch *b);

/* The names given in one set of sheets: a name is never given twice,
 * letters compared without case (as case-insensitive filesystems do). */
typedef struct kp_sheet_names kp_sheet_names;
kp_sheet_names *kp_sheet_names_new(kp_err *err);
void kp_sheet_names_free(kp_sheet_names *n);

/* The file name of a unit's sheet, "ID-NAME.EXT" (malloc'd, the caller's):
 * the characters no filesystem takes (/ \ : * ? " < > |), control
 * characters (C0, DEL, C1), invisible format characters (bidi marks,
 * zero-width, BOM) and bytes that are not UTF-8 are dropped, leading dots
 * and spaces, trailing dots and spaces too; the id is kept to
 * KP_SHEET_ID_MAX bytes and the whole stem to KP_SHEET_STEM_MAX, cut at a
 * character; a Windows device name (CON, NUL, COM0-9, LPT¹, CONIN$ ...)
 * or a stem starting with "-" gets a "_" before it; an id that cleans to
 * nothing gives "NAME" (no "-"); an empty stem is "unit".  When seen (may be NULL)
 * already gave the name or one a case-insensitive filesystem takes for it
 * (kp_enc_fold_name: Ａ and ａ, Ä and ä, é and its decomposed form),
 * "~2", "~3" ... is added before the extension; the name given is
 * recorded in seen. */
#define KP_SHEET_ID_MAX 64
#define KP_SHEET_STEM_MAX 180
char *kp_sheet_filename(kp_sheet_names *seen, const char *id, const char *name, const char *ext, kp_err *err);

#endif
