/* cli_mistakes.c — the command line's side of "every mistake in one
 * pass": prints the bad cells the tables gathered while the data was read
 * (every file's, up to KP_CLI_MISTAKES_SHOWN lines, then "… and N more")
 * and the rows naming units the unit table lacks (found by kp_data_bind)
 * before the command ends with 65, and the notes on what reading left out
 * (empty rows, empty trailing columns) or how it read a file (tabs; a
 * legacy .xls, whose formulas and error cells libfreexl cannot show).
 * Owns nothing. */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/num.h"
#include "kaoping/xlsx.h"

void kp_cli_read_notes(const kp_cli_config *c, const char *file, size_t skipped_rows, size_t dropped_cols, int tabs)
{
	if (tabs)
		kp_cli_note(c, KP_M_CMD_READ_TABS, file);
	if (kp_xlsx_kind_of(file) == KP_XLSX_XLS) /* the file was just read: its kind by its first bytes */
		kp_cli_note(c, KP_M_CMD_READ_XLS, file);
	if (skipped_rows == 1)
		kp_cli_note(c, KP_M_CMD_READ_EMPTY_ROW, file, skipped_rows);
	else if (skipped_rows)
		kp_cli_note(c, KP_M_CMD_READ_EMPTY_ROWS, file, skipped_rows);
	if (dropped_cols == 1)
		kp_cli_note(c, KP_M_CMD_READ_EMPTY_COL, file, dropped_cols);
	else if (dropped_cols)
		kp_cli_note(c, KP_M_CMD_READ_EMPTY_COLS, file, dropped_cols);
}

/* The name of unit id from the table that has both the rules' id and
 * name columns (the unit table), or NULL. */
static const char *unit_name(const kp_data *d, const kp_rules *r, const char *id)
{
	size_t i, row;

	for (i = 0; i < d->ntab; i++) {
		const kp_table *t = d->tab[i];
		long ic = kp_table_col(t, r->id_col), nc = kp_table_col(t, r->name_col);
		if (ic < 0 || nc < 0 || t->numeric[ic] || t->numeric[nc])
			continue;
		for (row = 0; row < t->nrows; row++)
			if (!strcmp(kp_table_text(t, row, (size_t)ic), id))
				return kp_table_text(t, row, (size_t)nc);
	}
	return NULL;
}

/* "FILE:LINE:COL: unit 'ID' (NAME), column 'C' (C7 in a workbook): why: 'text'" */
static void print_bad(const kp_data *d, const kp_rules *r, const kp_table *t, const kp_table_bad *b)
{
	const char *name = b->id ? unit_name(d, r, b->id) : NULL;
	const char *col = t->cols[b->col], *why = kp_num_why(b->status);
	char a1[KP_TABLE_A1];

	kp_table_a1(t, b->line, b->col, a1);
	if (name && *name)
		kp_cli_say(KP_M_CMD_BAD_CELL_NAMED, t->file, b->line, b->col + 1, b->id, name, col, a1, why, b->text);
	else if (b->id)
		kp_cli_say(KP_M_CMD_BAD_CELL_UNIT, t->file, b->line, b->col + 1, b->id, col, a1, why, b->text);
	else
		kp_cli_say(KP_M_CMD_BAD_CELL, t->file, b->line, b->col + 1, col, a1, why, b->text);
}

int kp_cli_bind(const kp_cli_config *c, const kp_rules *r, kp_data *d, kp_err *err)
{
	int rc = kp_data_bind(d, r, err);
	const char *p = kp_sb_str(&d->unknown);

	(void)c;
	if (!rc || d->nunknown < 2)
		return rc;
	while (*p) { /* every row naming an unknown unit, then the error */
		size_t len = strcspn(p, "\n");
		fprintf(stderr, "%s: %.*s\n", kp_cli_prog, (int)len, p);
		p += len + (p[len] == '\n');
	}
	if (d->nunknown > KP_TABLE_BAD_KEEP)
		kp_cli_say(KP_M_CMD_AND_MORE, d->nunknown - KP_TABLE_BAD_KEEP);
	return rc;
}

void kp_cli_missing_list(const kp_score_missing *m)
{
	const char *p = kp_sb_str(&m->lines);

	if (m->n < 2)
		return; /* one: the error itself says it */
	while (*p) {
		size_t len = strcspn(p, "\n");
		fprintf(stderr, "%s: %.*s\n", kp_cli_prog, (int)len, p);
		p += len + (p[len] == '\n');
	}
	if (m->n > KP_SCORE_MISSING_KEEP)
		kp_cli_say(KP_M_CMD_AND_MORE, m->n - KP_SCORE_MISSING_KEEP);
}

int kp_cli_bad_cells(const kp_cli_config *c, const kp_rules *r, const kp_data *d, kp_err *err)
{
	size_t i, k, shown = 0, total = 0;

	(void)c;
	for (i = 0; i < d->ntab; i++) {
		const kp_table *t = d->tab[i];
		total += t->nbad;
		for (k = 0; k < t->nkept && shown < KP_CLI_MISTAKES_SHOWN; k++, shown++)
			print_bad(d, r, t, &t->bad[k]);
	}
	if (total > shown)
		kp_cli_say(KP_M_CMD_AND_MORE, total - shown);
	return kp_data_bad_cells(d, err);
}
