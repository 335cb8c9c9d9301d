/* notice.h — the draft commendation notice (通报表彰) of a stored run: a
 * template the office can change (placeholders, blocks repeated per
 * category and unit: docs/RULES.md "The notice template") rendered with
 * the rules' title, office and basis and the run's commended units, then
 * written as Markdown, HTML or DOCX.  kp_notice owns every string it
 * holds; the template text, the rules and the result are borrowed while
 * rendering and not kept. */
#ifndef KAOPING_NOTICE_H
#define KAOPING_NOTICE_H

#include <stddef.h>
#include <stdio.h>

#include "kaoping/err.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"

/* One line of the rendered notice.  A template line starting "# " is the
 * title, "## " a heading, ">> " a line set to the right (the issuing
 * office and the date under the text), a line holding only {{table}} the
 * table of the commended units, an empty line a paragraph break, any other
 * line a paragraph. */
enum kp_notice_kind { KP_NOTICE_TITLE = 1, KP_NOTICE_HEADING, KP_NOTICE_PARA, KP_NOTICE_BLANK, KP_NOTICE_TABLE,
		      KP_NOTICE_RIGHT };

typedef struct kp_notice_line {
	int kind;
	char *text;   /* the plain text (marker removed, values as they are) */
	char *md;     /* the line as Markdown (values escaped; a right line's
			 marker removed, Markdown has no such line) */
} kp_notice_line;

typedef struct kp_notice {
	kp_notice_line *line;
	size_t n, cap;
	char **cells;          /* the table: header then rows, ncols a row */
	size_t ncols, nrows;   /* nrows counts the header */
} kp_notice;

enum kp_notice_format { KP_NOTICE_MD = 1, KP_NOTICE_HTML, KP_NOTICE_DOCX };

/* The template built into the binary (scripts/notice.md.tmpl). */
extern const char kp_notice_tmpl[];
extern const size_t kp_notice_tmpl_len;

/* Read a template file (a regular file of at most KP_NOTICE_TMPL_MAX
 * bytes) into *text (malloc'd, NUL-terminated, the caller's) and *len.
 * Missing or unreadable: KP_ENOINPUT; too big: KP_EDATA. */
#define KP_NOTICE_TMPL_MAX (1u << 20)
int kp_notice_read_template(const char *path, char **text, size_t *len, kp_err *err);

/* "md", "html", "docx" -> enum kp_notice_format, or 0. */
int kp_notice_format(const char *name);

/* The most text a notice may come to: a template repeating blocks over
 * many units is refused beyond it. */
#define KP_NOTICE_OUT_MAX (32u << 20)

/* Render the template (len bytes, named name in messages) for the run res
 * scored by the rules r into *out (zero-initialised by the caller, freed
 * with kp_notice_free even on failure).  A placeholder the template
 * language does not know, a block not closed or closed out of order, a
 * "{{" without "}}", {{table}} twice or inside {{#categories}} is KP_EDATA
 * "name:line: what"; a notice over KP_NOTICE_OUT_MAX is KP_EDATA too. */
int kp_notice_render(const char *tmpl, size_t len, const char *name, const kp_rules *r, const kp_result *res,
		     kp_notice *out, kp_err *err);
void kp_notice_free(kp_notice *n);

/* Write the notice in format to path (atomically) or, path NULL, to out. */
int kp_notice_write(const kp_notice *n, int format, const char *path, FILE *out, kp_err *err);

#endif
