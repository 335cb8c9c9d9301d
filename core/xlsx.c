/* xlsx.c — the SpreadsheetML reader (see include/kaoping/xlsx.h): the zip
 * through libzip (a name held twice is refused), every part through
 * streaming expat, never a tree of a hostile file.  Reads, in order,
 * xl/workbook.xml (which sheet: the one --sheet names, else the first
 * visible one; the 1904 date system), its relationships (where the sheet,
 * the shared strings and the styles are), the styles (which cell formats
 * are dates), the shared strings, then the sheet twice: once for its
 * merged ranges (they follow the cells in the file) and once for the
 * cells, which go to the row builder of xlsx_rows.c.  Owns the zip
 * handle, the parser and the tables read from the parts; the caps below
 * bound each. */
#include "xlsx_int.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "kaoping/enc.h"
#include "kaoping/infile.h"
#include "kaoping/num.h"
#include "kaoping/sb.h"

#define XL_MAX_PART (512u << 20)       /* uncompressed bytes of one part, declared and read */
#define XL_MAX_META (16u << 20)        /* of workbook.xml, its relationships and styles.xml */
#define XL_MAX_STRINGS (1u << 22)      /* shared strings: how many */
#define XL_MAX_SST_BYTES (128u << 20)  /* and their bytes together */
#define XL_MAX_XF 65536u               /* cell formats */
#define XL_MAX_NUMFMT 4096u            /* custom number formats */
#define XL_MAX_MERGES 65536u           /* merged ranges recorded */
#define XL_MAX_PATH 1024u              /* a part's name */
#define XL_CHUNK 65536u
/* Past XL_FREE_INFLATE, a part unpacks to at most XL_MAX_RATIO times the
 * bytes of the whole file (Apache POI's bound on a part, 1 to 100): a
 * sheet of dense markup packs a thousand to one, and its 512 MiB, 500 KiB
 * packed, took half a minute to parse, twice (merges, then cells). */
#define XL_FREE_INFLATE (64u << 20)
#define XL_MAX_RATIO 100u

typedef struct merge { size_t r1, c1, r2, c2; } merge;

enum { P_WORKBOOK, P_RELS, P_STYLES, P_SST, P_MERGES, P_SHEET };

typedef struct xlsx {
	const char *name;
	size_t len;                /* bytes of the whole file */
	kp_err *err;
	int rc;                    /* first error set by a handler */
	XML_Parser p;
	const char *part;          /* the part being parsed */
	int mode;                  /* P_*: which handlers act */
	zip_t *zip;
	/* workbook.xml */
	const char *want;          /* --sheet, or NULL */
	char *sheet_name, *sheet_rid;
	int date1904, nsheets;
	char names[512];           /* the sheets' names, for a message */
	char where[1024];          /* where the cell just closed is, for a message */
	/* relationships */
	char *sheet_part, *sst_part, *styles_part;
	/* styles */
	int in_numfmts, in_xfs;
	unsigned *fmt_id;          /* custom formats that are dates */
	size_t nfmt;
	unsigned char *xf_date;    /* per cell format: 1 date */
	size_t nxf;
	/* shared strings */
	char *sst;                 /* NUL-terminated, packed */
	size_t sst_used, sst_cap;
	size_t *sst_off, nsst, sst_ncap;
	int in_si, rph;
	/* text being collected (a shared string, a cell's v or t) */
	char *tx;
	size_t txn, txcap, txmax;
	int collect;
	/* merged ranges */
	merge *mg;
	size_t nmg;
	/* the sheet */
	xl_rows rows;
	int in_data, in_row, in_c, in_is, have_v, have_f;
	size_t row, last_row, col, next_col;
	char ctype[12];
	size_t cstyle;
	int merges_checked;
} xlsx;

/* ---- helpers ---- */

static const char *local(const char *name)
{
	const char *s = strrchr(name, '|');
	return s ? s + 1 : name;
}

static const char *attr(const char **atts, const char *want)
{
	for (; atts && atts[0]; atts += 2)
		if (!strcmp(local(atts[0]), want))
			return atts[1];
	return NULL;
}

static int fail(xlsx *x, int rc)
{
	if (!x->rc)
		x->rc = rc ? rc : KP_EINTERNAL;
	XML_StopParser(x->p, XML_FALSE);
	return x->rc;
}

static int oom(xlsx *x)
{
	return fail(x, kp_err_oom(x->err));
}

static char *dup_or_fail(xlsx *x, const char *s)
{
	char *d = strdup(s);
	if (!d)
		oom(x);
	return d;
}

/* A cell reference "C7" into column (0-based) and row; 0 when it is none
 * or past XFD1048576. */
static int parse_ref(const char *s, size_t *col, size_t *row)
{
	size_t c = 0, r = 0, nl = 0, nd = 0;

	for (; *s >= 'A' && *s <= 'Z' && nl < 4; s++, nl++)
		c = c * 26 + (size_t)(*s - 'A' + 1);
	for (; *s >= '0' && *s <= '9' && nd < 8; s++, nd++)
		r = r * 10 + (size_t)(*s - '0');
	if (*s || !nl || !nd || c > XL_MAX_COL || r < 1 || r > XL_MAX_ROW)
		return 0;
	*col = c - 1, *row = r;
	return 1;
}

static int parse_uint(const char *s, size_t max, size_t *out)
{
	size_t v = 0, n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++) {
		v = v * 10 + (size_t)(*s - '0');
		if (v > max)
			return 0;
	}
	if (*s || !n)
		return 0;
	*out = v;
	return 1;
}

/* Collected text: appended by the character handler while collect is set. */
static void on_text(void *ud, const XML_Char *s, int n)
{
	xlsx *x = ud;

	if (!x->collect || x->rc || n <= 0)
		return;
	if (x->txn + (size_t)n > x->txmax) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_TEXT_TOO_LONG, x->name, x->part, x->txmax));
		return;
	}
	if (x->txn + (size_t)n + 1 > x->txcap) {
		size_t cap = (x->txn + (size_t)n + 1) * 2;
		char *t = realloc(x->tx, cap);
		if (!t) {
			oom(x);
			return;
		}
		x->tx = t, x->txcap = cap;
	}
	memcpy(x->tx + x->txn, s, (size_t)n);
	x->txn += (size_t)n;
	x->tx[x->txn] = '\0';
}

static void start_text(xlsx *x)
{
	x->collect = 1;
	x->txn = 0;
	if (x->tx)
		x->tx[0] = '\0';
}

/* No DTD in a workbook: refused before any entity can be declared. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub, int internal)
{
	xlsx *x = ud;

	(void)name, (void)sys, (void)pub, (void)internal;
	fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_DOCTYPE, x->name, x->part));
}

static void on_entity(void *ud, const XML_Char *name, int pe, const XML_Char *v, int vlen, const XML_Char *base,
		      const XML_Char *sys, const XML_Char *pub, const XML_Char *notation)
{
	(void)name, (void)pe, (void)v, (void)vlen, (void)base, (void)sys, (void)pub, (void)notation;
	on_doctype(ud, NULL, NULL, NULL, 0);
}

/* ---- xl/workbook.xml: the sheet wanted, the date system ---- */

static void note_name(xlsx *x, const char *name)
{
	size_t used = strlen(x->names), n = strlen(name);

	if (used + n + 8 >= sizeof x->names) {
		if (!strstr(x->names, "…"))
			kp_msg_format(x->names + used, sizeof x->names - used, KP_M_IN_XLSX_SHEET_MORE);
		return;
	}
	if (used)
		kp_msg_format(x->names + used, sizeof x->names - used, KP_M_IN_XLSX_SHEET_NEXT, name);
	else
		kp_msg_format(x->names, sizeof x->names, KP_M_IN_XLSX_SHEET_FIRST, name);
}

/* The sheet read: the one --sheet names (hidden or not: asked for by
 * name), else the first visible one.  A hidden or very hidden sheet (a
 * lookup table, last year's figures) is not what the office sees and
 * fills, so it is never read unasked; any state but "visible" counts as
 * hidden. */
static void wb_start(xlsx *x, const char *el, const char **atts)
{
	const char *v, *state;

	if (!strcmp(el, "workbookPr") && (v = attr(atts, "date1904")))
		x->date1904 = !strcmp(v, "1") || !strcmp(v, "true");
	if (strcmp(el, "sheet"))
		return;
	x->nsheets++;
	if (!(v = attr(atts, "name")))
		v = "";
	note_name(x, v);
	state = attr(atts, "state");
	if (x->sheet_rid || (x->want ? strcmp(v, x->want) : state && strcmp(state, "visible")))
		return;
	if (!attr(atts, "id")) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_NO_RID, x->name, v));
		return;
	}
	if ((x->sheet_name = dup_or_fail(x, v)))
		x->sheet_rid = dup_or_fail(x, attr(atts, "id"));
}

/* ---- xl/_rels/workbook.xml.rels: where the parts are ---- */

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && !strcmp(s + n - m, tail);
}

/* A target relative to xl/ (or absolute from the package root). */
static char *part_path(xlsx *x, const char *target)
{
	char *p;

	if (strlen(target) > XL_MAX_PATH) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_TARGET_LONG, x->name, XL_MAX_PATH));
		return NULL;
	}
	if (target[0] == '/')
		return dup_or_fail(x, target + 1);
	if (!(p = malloc(strlen(target) + 4)))
		return oom(x), NULL;
	strcpy(p, "xl/");
	strcat(p, target);
	return p;
}

static void rels_start(xlsx *x, const char *el, const char **atts)
{
	const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
	const char *mode = attr(atts, "TargetMode");
	char **slot = NULL;

	if (strcmp(el, "Relationship") || !id || !type || !target || (mode && strcmp(mode, "Internal")))
		return;
	if (x->sheet_rid && !strcmp(id, x->sheet_rid))
		slot = &x->sheet_part;
	else if (ends_with(type, "/sharedStrings"))
		slot = &x->sst_part;
	else if (ends_with(type, "/styles"))
		slot = &x->styles_part;
	if (slot && !*slot)
		*slot = part_path(x, target);
}

/* ---- xl/styles.xml: which cell formats show dates ---- */

/* A format code shows a date when it has y or d outside quotes, escapes
 * and brackets ("yyyy-mm-dd", "yyyy\"年\"m\"月\"d\"日\"", "[$-804]d/m");
 * h:mm, 0.00 and General do not. */
static int code_is_date(const char *s)
{
	for (; *s; s++) {
		if (*s == '"') {
			while (s[1] && s[1] != '"')
				s++;
			if (s[1])
				s++;
		} else if (*s == '[') {
			while (s[1] && s[1] != ']')
				s++;
		} else if ((*s == '\\' || *s == '_' || *s == '*') && s[1]) {
			s++;
		} else if (*s == 'y' || *s == 'Y' || *s == 'd' || *s == 'D') {
			return 1;
		}
	}
	return 0;
}

/* The built-in date formats: 14-17 and 22 everywhere, 27-36 and 50-58 in
 * the East Asian locales (yyyy"年"m"月"d"日" and the like). */
static int builtin_date(size_t id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

static int fmt_is_date(const xlsx *x, size_t id)
{
	size_t i;

	for (i = 0; i < x->nfmt; i++)
		if (x->fmt_id[i] == id)
			return 1;
	return builtin_date(id);
}

static void styles_start(xlsx *x, const char *el, const char **atts)
{
	const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
	size_t v;

	if (!strcmp(el, "numFmts"))
		x->in_numfmts = 1;
	else if (!strcmp(el, "cellXfs"))
		x->in_xfs = 1;
	else if (x->in_numfmts && !strcmp(el, "numFmt") && id && code && parse_uint(id, 1u << 20, &v) &&
		 code_is_date(code)) {
		if (x->nfmt == XL_MAX_NUMFMT) {
			fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_NUMFMTS, x->name, x->part, XL_MAX_NUMFMT));
			return;
		}
		x->fmt_id[x->nfmt++] = (unsigned)v;
	} else if (x->in_xfs && !strcmp(el, "xf")) {
		if (x->nxf == XL_MAX_XF) {
			fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_XFS, x->name, x->part, XL_MAX_XF));
			return;
		}
		x->xf_date[x->nxf++] = id && parse_uint(id, 1u << 20, &v) && fmt_is_date(x, v);
	}
}

static void styles_end(xlsx *x, const char *el)
{
	if (!strcmp(el, "numFmts"))
		x->in_numfmts = 0;
	else if (!strcmp(el, "cellXfs"))
		x->in_xfs = 0;
}

/* ---- xl/sharedStrings.xml ---- */

static void sst_start(xlsx *x, const char *el)
{
	if (!strcmp(el, "si")) {
		x->in_si = 1, x->rph = 0;
		start_text(x);
		x->collect = 0;
	} else if (!strcmp(el, "rPh")) { /* phonetic guide: not the cell's text */
		x->rph++;
	} else if (!strcmp(el, "t") && x->in_si && !x->rph) {
		x->collect = 1;
	}
}

static int sst_push(xlsx *x)
{
	size_t n = x->tx ? kp_xlsx_unescape(x->tx, x->txn) : 0;

	if (x->nsst == XL_MAX_STRINGS)
		return fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_SST_COUNT, x->name, x->part, XL_MAX_STRINGS));
	if (x->sst_used + n + 1 > XL_MAX_SST_BYTES)
		return fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_SST_BYTES, x->name, x->part,
					  XL_MAX_SST_BYTES >> 20));
	if (x->nsst == x->sst_ncap) {
		size_t *off = kp_grow(x->sst_off, &x->sst_ncap, x->nsst + 1, sizeof *off);
		if (!off)
			return oom(x);
		x->sst_off = off;
	}
	if (x->sst_used + n + 1 > x->sst_cap) {
		size_t cap = (x->sst_used + n + 1) * 2;
		char *s = realloc(x->sst, cap);
		if (!s)
			return oom(x);
		x->sst = s, x->sst_cap = cap;
	}
	if (n)
		memcpy(x->sst + x->sst_used, x->tx, n);
	x->sst[x->sst_used + n] = '\0';
	x->sst_off[x->nsst++] = x->sst_used;
	x->sst_used += n + 1;
	return 0;
}

static void sst_end(xlsx *x, const char *el)
{
	if (!strcmp(el, "si")) {
		x->collect = 0, x->in_si = 0;
		sst_push(x);
	} else if (!strcmp(el, "rPh")) {
		x->rph--;
	} else if (!strcmp(el, "t")) {
		x->collect = 0;
	}
}

/* ---- the sheet, first pass: merged ranges ---- */

static void merges_start(xlsx *x, const char *el, const char **atts)
{
	const char *ref = attr(atts, "ref"), *colon;
	char a[32];
	merge m;

	if (strcmp(el, "mergeCell") || !ref)
		return;
	colon = strchr(ref, ':');
	if (!colon || (size_t)(colon - ref) >= sizeof a) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_MERGE_REF, x->name, x->part,
				   kp_err_quote(ref, (char[KP_ERR_QUOTE]){0})));
		return;
	}
	memcpy(a, ref, (size_t)(colon - ref));
	a[colon - ref] = '\0';
	if (!parse_ref(a, &m.c1, &m.r1) || !parse_ref(colon + 1, &m.c2, &m.r2) || m.r2 < m.r1 || m.c2 < m.c1) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_MERGE_REF, x->name, x->part,
				   kp_err_quote(ref, (char[KP_ERR_QUOTE]){0})));
		return;
	}
	if (x->nmg == XL_MAX_MERGES) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_MERGES, x->name, XL_MAX_MERGES));
		return;
	}
	x->mg[x->nmg++] = m;
}

/* Once the header is known: a merged range that reaches it or the rows
 * below is refused (only its first cell holds the value). */
static int check_merges(xlsx *x)
{
	size_t i, hrow = x->rows.row;
	char a[KP_XLSX_REF], b[KP_XLSX_REF];

	x->merges_checked = 1;
	for (i = 0; i < x->nmg; i++) {
		const merge *m = &x->mg[i];
		if (m->r2 < hrow)
			continue;
		kp_xlsx_ref(m->c1, m->r1, a), kp_xlsx_ref(m->c2, m->r2, b);
		if (m->r1 <= hrow)
			return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_MERGED_HEADER, x->name, hrow, a, b, hrow);
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_MERGED, x->name, m->r1, a, b, a);
	}
	return 0;
}

/* ---- the sheet, second pass: the cells ---- */

static void row_start(xlsx *x, const char **atts)
{
	const char *r = attr(atts, "r");
	size_t n;

	if (x->in_row) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ROW_IN_ROW, x->name, x->part));
		return;
	}
	if (!r)
		n = x->last_row + 1;
	else if (!parse_uint(r, XL_MAX_ROW, &n) || n < 1) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ROW_NUMBER, x->name, x->part,
				   kp_err_quote(r, (char[KP_ERR_QUOTE]){0}), XL_MAX_ROW));
		return;
	}
	if (n > XL_MAX_ROW || n <= x->last_row) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ROW_ORDER, x->name, x->part, n, x->last_row,
				   XL_MAX_ROW));
		return;
	}
	x->in_row = 1, x->row = x->last_row = n, x->next_col = 0;
	kp_xlsx_rows_begin(&x->rows, n);
}

static void cell_start(xlsx *x, const char **atts)
{
	const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
	size_t col, row;

	if (!x->in_row || x->in_c) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_CELL_OUTSIDE, x->name, x->part));
		return;
	}
	if (!r) {
		col = x->next_col, row = x->row;
	} else if (!parse_ref(r, &col, &row)) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_CELL_REF, x->name, x->row,
				   kp_err_quote(r, (char[KP_ERR_QUOTE]){0}), XL_MAX_ROW));
		return;
	}
	if (row != x->row || col < x->next_col || col >= XL_MAX_COL) {
		fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_CELL_ORDER, x->name, x->row,
				   kp_xlsx_ref(col, row, (char[KP_XLSX_REF]){0}), x->row));
		return;
	}
	x->in_c = 1, x->col = col, x->next_col = col + 1, x->have_v = 0, x->have_f = 0, x->in_is = 0;
	snprintf(x->ctype, sizeof x->ctype, "%s", t ? t : "n");
	if (!s || !parse_uint(s, XL_MAX_XF, &x->cstyle))
		x->cstyle = (size_t)-1;
	x->txn = 0;
	if (x->tx)
		x->tx[0] = '\0';
}

static void sheet_start(xlsx *x, const char *el, const char **atts)
{
	if (!strcmp(el, "sheetData"))
		x->in_data = 1;
	else if (!x->in_data)
		return;
	else if (!strcmp(el, "row"))
		row_start(x, atts);
	else if (!strcmp(el, "c"))
		cell_start(x, atts);
	else if (x->in_c && !strcmp(el, "v"))
		start_text(x), x->have_v = 1;
	else if (x->in_c && !strcmp(el, "f"))
		x->have_f = 1;
	else if (x->in_c && !strcmp(el, "is"))
		x->in_is = 1, x->rph = 0, start_text(x), x->collect = 0, x->have_v = 1;
	else if (x->in_is && !strcmp(el, "rPh"))
		x->rph++;
	else if (x->in_is && !x->rph && !strcmp(el, "t"))
		x->collect = 1;
}

/* Where the cell just closed is ("column 'C' (B3)"), for its faults. */
static const char *cell_where(xlsx *x)
{
	return kp_xlsx_rows_where(&x->rows, x->col, x->row, x->where, sizeof x->where);
}

/* The cell error (#N/A, #DIV/0!, ...) and other faults of one cell: the
 * message M takes the file, the row, where the cell is and the quoted text. */
#define CELL_FAULT(x, M, text)                                                                                 \
	fail(x, kp_err_msg((x)->err, KP_EDATA, M, (x)->name, (x)->row, cell_where(x),                           \
			   kp_err_quote(text, (char[KP_ERR_QUOTE]){0})))

/* A number cell's text: as a date when its format is one.  The number is
 * a plain decimal (kp_num_parse_plain: not strtod's hex, inf or nan, so a
 * cell reads as the same text in a CSV file does), finite, and zero only
 * when it is written as zero. */
static int cell_number(xlsx *x, const char *v, const char **out, char *buf)
{
	double d;
	int st;

	while (*v == ' ')
		v++;
	if ((st = kp_num_parse_plain(v, &d)) != KP_NUM_OK)
		return fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_CELL_NUMBER, x->name, x->row, cell_where(x),
					  kp_err_quote(v, (char[KP_ERR_QUOTE]){0}), kp_num_why(st)));
	if (x->cstyle < x->nxf && x->xf_date[x->cstyle] && (*out = kp_xlsx_date(d, x->date1904, buf)))
		return 0;
	*out = kp_xlsx_number(d, buf);
	return 0;
}

/* The text of the cell just closed, by its type. */
static int cell_text(xlsx *x, const char **out, size_t *n, char *buf)
{
	const char *t = x->ctype, *v = x->tx && x->have_v ? x->tx : "";
	size_t i;
	int rc = 0;

	*out = v;
	if (x->have_f && !x->have_v) /* written by a program that does not compute formulas */
		return fail(x, kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_CELL_FORMULA, x->name, x->row, cell_where(x)));
	if (!strcmp(t, "s")) {
		if (!*v)
			return 0;
		if (!parse_uint(v, XL_MAX_STRINGS, &i) || i >= x->nsst)
			return CELL_FAULT(x, KP_M_IN_XLSX_CELL_SST, v);
		*out = x->sst + x->sst_off[i];
	} else if (!strcmp(t, "str") || !strcmp(t, "inlineStr")) {
		if (x->tx && x->have_v) /* the text, its _xHHHH_ decoded */
			x->txn = kp_xlsx_unescape(x->tx, x->txn);
	} else if (!strcmp(t, "b")) {
		if (*v && strcmp(v, "0") && strcmp(v, "1"))
			return CELL_FAULT(x, KP_M_IN_XLSX_CELL_BOOL, v);
		*out = !*v ? "" : *v == '1' ? "TRUE" : "FALSE";
	} else if (!strcmp(t, "e")) {
		return CELL_FAULT(x, KP_M_IN_XLSX_CELL_ERROR, v);
	} else if (!strcmp(t, "d")) {
		const char *tt = strchr(v, 'T');
		*n = tt ? (size_t)(tt - v) : strlen(v);
		return 0;
	} else if (!strcmp(t, "n")) {
		if (*v)
			rc = cell_number(x, v, out, buf);
	} else {
		return CELL_FAULT(x, KP_M_IN_XLSX_CELL_TYPE, t);
	}
	*n = strlen(*out);
	return rc;
}

static void sheet_end(xlsx *x, const char *el)
{
	char buf[XL_NUM_MAX];
	const char *s;
	size_t n = 0;
	int rc;

	if (!strcmp(el, "sheetData")) {
		x->in_data = 0;
	} else if (!x->in_data) {
		return;
	} else if (!strcmp(el, "c") && x->in_c) {
		x->in_c = 0, x->collect = 0;
		if (!cell_text(x, &s, &n, buf) && (rc = kp_xlsx_rows_cell(&x->rows, x->col, s, n)))
			fail(x, rc);
	} else if (!strcmp(el, "row") && x->in_row) {
		x->in_row = 0;
		if ((rc = kp_xlsx_rows_end(&x->rows)) ||
		    (x->rows.ncols && !x->merges_checked && (rc = check_merges(x))))
			fail(x, rc);
	} else if (!strcmp(el, "v") || !strcmp(el, "t")) {
		x->collect = 0;
	} else if (!strcmp(el, "rPh")) {
		x->rph--;
	} else if (!strcmp(el, "is")) {
		x->in_is = 0;
	}
}

/* ---- expat over one part ---- */

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xlsx *x = ud;
	const char *el = local(name);

	if (x->rc)
		return;
	switch (x->mode) {
	case P_WORKBOOK: wb_start(x, el, atts); break;
	case P_RELS: rels_start(x, el, atts); break;
	case P_STYLES: styles_start(x, el, atts); break;
	case P_SST: sst_start(x, el); break;
	case P_MERGES: merges_start(x, el, atts); break;
	default: sheet_start(x, el, atts); break;
	}
}

static void on_end(void *ud, const XML_Char *name)
{
	xlsx *x = ud;
	const char *el = local(name);

	if (x->rc)
		return;
	if (x->mode == P_STYLES)
		styles_end(x, el);
	else if (x->mode == P_SST)
		sst_end(x, el);
	else if (x->mode == P_SHEET)
		sheet_end(x, el);
}

static int new_parser(xlsx *x)
{
	if (!(x->p = XML_ParserCreateNS(NULL, '|')))
		return kp_err_oom(x->err);
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
	return 0;
}

static int xml_error(xlsx *x)
{
	if (x->rc)
		return x->rc;
	return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_BAD_XML, x->name, x->part,
			  (unsigned long)XML_GetCurrentLineNumber(x->p), XML_ErrorString(XML_GetErrorCode(x->p)));
}

/* Does a part of size bytes unpack to more than XL_MAX_RATIO times the file? */
static int over_ratio(const xlsx *x, zip_uint64_t size)
{
	return size > XL_FREE_INFLATE && size / XL_MAX_RATIO > x->len;
}

/* Feed the member to expat, counting the bytes actually read against the
 * caps (a zip's declared size may lie). */
static int feed(xlsx *x, zip_file_t *zf, size_t cap, zip_uint64_t declared, int has_size)
{
	char *buf = malloc(XL_CHUNK);
	zip_uint64_t total = 0;
	zip_int64_t n;
	int rc = 0;

	if (!buf)
		return kp_err_oom(x->err);
	while (!rc && (n = zip_fread(zf, buf, XL_CHUNK)) > 0) {
		total += (zip_uint64_t)n;
		if (total > cap)
			rc = kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ZIP_BOMB, x->name, x->part, cap >> 20);
		else if (over_ratio(x, total))
			rc = kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ZIP_RATIO, x->name, x->part, XL_MAX_RATIO);
		else if (XML_Parse(x->p, buf, (int)n, 0) != XML_STATUS_OK)
			rc = xml_error(x);
	}
	if (!rc && n < 0)
		rc = kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_DAMAGED, x->name, x->part, zip_file_strerror(zf));
	if (!rc && has_size && total != declared)
		rc = kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_SIZE_LIE, x->name,
				x->part, (unsigned long long)total, (unsigned long long)declared);
	if (!rc && XML_Parse(x->p, buf, 0, 1) != XML_STATUS_OK)
		rc = xml_error(x);
	free(buf);
	return rc;
}

#define ABSENT (-1) /* an optional part the zip does not hold */

/* Parse one part with the handlers of mode; ABSENT when it is absent and
 * optional. */
static int parse_part(xlsx *x, const char *part, int mode, size_t cap, int optional)
{
	zip_stat_t st;
	zip_file_t *zf;
	zip_int64_t idx = zip_name_locate(x->zip, part, 0);
	int rc;

	if (idx < 0 && optional)
		return ABSENT;
	if (idx < 0)
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_NO_PART, x->name, part);
	zip_stat_init(&st);
	if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size > cap)
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ZIP_BOMB, x->name, part,
				  cap >> 20);
	if ((st.valid & ZIP_STAT_SIZE) && over_ratio(x, st.size))
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ZIP_RATIO, x->name, part, XL_MAX_RATIO);
	if (!(zf = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0)))
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_UNPACK, x->name, part,
				  zip_strerror(x->zip));
	x->part = part, x->mode = mode, x->rc = 0, x->collect = 0;
	if (!(rc = new_parser(x)))
		rc = feed(x, zf, cap, st.size, (st.valid & ZIP_STAT_SIZE) != 0);
	XML_ParserFree(x->p);
	x->p = NULL;
	zip_fclose(zf);
	return rc;
}

/* ---- the workbook ---- */

/* A name the zip holds twice: libzip finds the first copy, other programs
 * (Python's zipfile, what is built on it) the last, so one file would be
 * two workbooks, and Excel calls it damaged.  zip_name_locate gives the
 * first entry of a name (a hash lookup), so an entry it does not give is
 * a second copy. */
static int check_names(xlsx *x)
{
	zip_int64_t i, n = zip_get_num_entries(x->zip, 0);
	const char *name;

	for (i = 0; i < n; i++)
		if ((name = zip_get_name(x->zip, (zip_uint64_t)i, 0)) && zip_name_locate(x->zip, name, 0) != i)
			return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_DUPLICATE_PART, x->name,
					  kp_err_quote(name, (char[KP_ERR_QUOTE]){0}));
	return 0;
}

static int open_zip(xlsx *x, const void *buf, size_t len)
{
	zip_error_t ze;
	zip_source_t *src;
	int rc = 0;

	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(buf, len, 0, &ze)))
		rc = kp_err_oom(x->err);
	else if (!(x->zip = zip_open_from_source(src, ZIP_RDONLY, &ze))) {
		zip_source_free(src);
		rc = kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_BAD_ZIP, x->name, zip_error_strerror(&ze));
	} else if ((rc = check_names(x))) {
		/* said */
	} else if (zip_name_locate(x->zip, "xl/workbook.xml", 0) < 0) {
		rc = kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_NOT_EXCEL, x->name);
	}
	zip_error_fini(&ze);
	return rc;
}

/* workbook.xml and its relationships: which part is the sheet. */
static int find_sheet(xlsx *x)
{
	int rc;

	if ((rc = parse_part(x, "xl/workbook.xml", P_WORKBOOK, XL_MAX_META, 0)))
		return rc;
	if (!x->sheet_rid && x->want)
		return kp_err_msg(x->err, KP_EUSAGE, KP_M_IN_XLSX_NO_SHEET_NAMED, x->name, x->want,
				  x->names);
	if (!x->sheet_rid && x->nsheets)
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_ALL_HIDDEN, x->name, x->names);
	if (!x->sheet_rid)
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_NO_SHEET, x->name);
	if ((rc = parse_part(x, "xl/_rels/workbook.xml.rels", P_RELS, XL_MAX_META, 0)))
		return rc;
	if (!x->sheet_part)
		return kp_err_msg(x->err, KP_EDATA, KP_M_IN_XLSX_NO_SHEET_PART, x->name, x->sheet_name);
	return 0;
}

/* The styles and the shared strings, both optional. */
static int read_tables(xlsx *x, size_t max_field)
{
	int rc;

	if (!(x->fmt_id = malloc(XL_MAX_NUMFMT * sizeof *x->fmt_id)) || !(x->xf_date = malloc(XL_MAX_XF)))
		return kp_err_oom(x->err);
	rc = parse_part(x, x->styles_part ? x->styles_part : "xl/styles.xml", P_STYLES, XL_MAX_META, 1);
	if (rc && rc != ABSENT)
		return rc;
	x->txmax = max_field;
	rc = parse_part(x, x->sst_part ? x->sst_part : "xl/sharedStrings.xml", P_SST, XL_MAX_PART, 1);
	return rc == ABSENT ? 0 : rc;
}

static int read_workbook(xlsx *x, const void *buf, size_t len)
{
	int rc;

	if ((rc = open_zip(x, buf, len)) || (rc = find_sheet(x)) || (rc = read_tables(x, x->rows.o.max_field)))
		return rc;
	if (!(x->mg = malloc(XL_MAX_MERGES * sizeof *x->mg)))
		return kp_err_oom(x->err);
	if ((rc = parse_part(x, x->sheet_part, P_MERGES, XL_MAX_PART, 0)))
		return rc;
	if ((rc = parse_part(x, x->sheet_part, P_SHEET, XL_MAX_PART, 0)))
		return rc;
	return kp_xlsx_rows_finish(&x->rows);
}

static void xlsx_free(xlsx *x)
{
	kp_xlsx_rows_free(&x->rows);
	if (x->zip)
		zip_discard(x->zip);
	free(x->sheet_name);
	free(x->sheet_rid);
	free(x->sheet_part);
	free(x->sst_part);
	free(x->styles_part);
	free(x->fmt_id);
	free(x->xf_date);
	free(x->sst);
	free(x->sst_off);
	free(x->tx);
	free(x->mg);
}

int kp_xlsx_read_buffer(const char *name, const void *buf, size_t len, const kp_csv_opts *opts,
			kp_csv_fn on_header, kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	xlsx x;
	int rc;

	memset(&x, 0, sizeof x);
	x.name = name, x.len = len, x.err = err, x.want = opts ? opts->sheet : NULL;
	kp_xlsx_rows_init(&x.rows, name, opts, on_header, on_row, ud, err);
	rc = read_workbook(&x, buf, len);
	if (info) {
		info->encoding = KP_ENC_UTF8; /* the XML's text */
		info->bytes = len, info->rows = x.rows.nrows, info->workbook = KP_XLSX_XLSX;
	}
	xlsx_free(&x);
	return rc;
}

/* ---- files ---- */

int kp_xlsx_sniff(const void *head, size_t len)
{
	const unsigned char *h = head;

	if (len >= 4 && h[0] == 'P' && h[1] == 'K' && ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6)))
		return KP_XLSX_XLSX;
	if (len >= 8 && !memcmp(h, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return KP_XLSX_XLS;
	return KP_XLSX_NONE;
}

int kp_xlsx_kind_of(const char *path)
{
	unsigned char head[8];
	struct stat st;
	ssize_t n;
	int fd = kp_infile_open_fd(path, "a data file", &st, NULL);

	if (fd < 0)
		return KP_XLSX_NONE;
	n = read(fd, head, sizeof head);
	close(fd);
	return n > 0 ? kp_xlsx_sniff(head, (size_t)n) : KP_XLSX_NONE;
}

const char *kp_xlsx_kind_name(int kind)
{
	return kind == KP_XLSX_XLSX ? "xlsx" : kind == KP_XLSX_XLS ? "xls" : "csv";
}

int kp_xlsx_read_file(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		      kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	unsigned char *buf, sha[32];
	size_t len;
	int rc;

	if (kp_xlsx_kind_of(path) == KP_XLSX_XLS)
		return kp_xlsx_read_xls(path, opts, on_header, on_row, ud, info, err);
	if ((rc = kp_xlsx_load(path, &buf, &len, sha, err)))
		return rc;
	if (kp_xlsx_sniff(buf, len) != KP_XLSX_XLSX)
		rc = kp_err_msg(err, KP_EIO, KP_M_IN_XLSX_CHANGED, path);
	else
		rc = kp_xlsx_read_buffer(path, buf, len, opts, on_header, on_row, ud, info, err);
	if (info && opts && opts->sha256)
		memcpy(info->sha256, sha, sizeof sha);
	free(buf);
	return rc;
}

int kp_xlsx_read_any(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		     kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	if (info)
		info->workbook = 0;
	if (kp_xlsx_kind_of(path) != KP_XLSX_NONE)
		return kp_xlsx_read_file(path, opts, on_header, on_row, ud, info, err);
	return kp_csv_read_file(path, opts, on_header, on_row, ud, info, err);
}
