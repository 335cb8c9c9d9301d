/* data.h — the datasets of one scoring run bound to the rules: the unit
 * table (ids, names, categories), indicator tables joined by unit id, and
 * event tables grouped by unit.  kp_data owns its tables and indexes. */
#ifndef KAOPING_DATA_H
#define KAOPING_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "kaoping/csv.h"
#include "kaoping/err.h"
#include "kaoping/rules.h"
#include "kaoping/sb.h"
#include "kaoping/table.h"

typedef struct kp_colref {
	const kp_table *t;
	long col;
	const int32_t *row;      /* row of each unit in t; NULL: t is the unit table */
} kp_colref;

typedef struct kp_data_events {
	const kp_table *t;
	long unit_col;
	size_t *first;           /* nunits + 1 offsets into rows */
	size_t *rows;            /* row indices grouped by unit */
} kp_data_events;

typedef struct kp_data {
	size_t ntab;
	kp_table **tab;
	/* after kp_data_bind */
	const kp_table *units;
	long id_col, name_col, cat_col;
	size_t nunits;
	int *cat;                /* category of each unit (index into the rules') */
	const char **id;         /* each unit's id (borrowed from the unit table);
				    NULL after kp_data_bind: read kp_data_id */
	size_t nind;
	const kp_table **ind_t;  /* indicator tables */
	int32_t **ind_row;       /* per indicator table: row per unit, -1 none */
	size_t nev;
	kp_data_events *ev;      /* per event declared by the rules */
	uint32_t *slot;          /* id hash: unit index + 1, 0 empty */
	size_t nslot;
	/* rows of indicator and event tables whose unit the unit table does
	 * not have, all of them found by kp_data_bind: their count, and the
	 * messages of the first KP_TABLE_BAD_KEEP, a line each */
	size_t nunknown;
	kp_sb unknown;
} kp_data;

kp_data *kp_data_new(kp_err *err);
void kp_data_free(kp_data *d);
/* Add a table; the data takes ownership of t, also on failure. */
int kp_data_add(kp_data *d, kp_table *t, kp_err *err);
/* Read a CSV file or a workbook (kaoping/xlsx.h; told by its bytes) into
 * a new table named name (NULL: the file's stem),
 * keeping the rules' numeric columns as numbers; the table joins d.  A
 * header and no rows is a table of no rows when name is an event list's
 * dataset (kp_rules_event_data: no events), else refused as the reader
 * refuses it. */
int kp_data_read_csv(kp_data *d, const char *path, const char *name, const kp_rules *r,
		     const kp_csv_opts *o, kp_err *err);
/* Set t up to gather every bad numeric cell (kp_table.collect), with the
 * unit id of each (r's id column; r may be NULL). */
void kp_data_collect(kp_table *t, const kp_rules *r);
/* 0, or KP_EDATA "N cells in M files are not read as numbers" when a
 * table gathered bad cells (each table's bad holds them). */
int kp_data_bad_cells(const kp_data *d, kp_err *err);
/* The stem of a path ("samples/2021/units.csv" -> "units") into buf. */
const char *kp_data_stem(const char *path, char *buf, size_t size);

/* The table called name, or NULL. */
kp_table *kp_data_table(const kp_data *d, const char *name);

/* Find the unit table, index ids, check categories, join indicator tables
 * and group events.  KP_EDATA errors name file and line (a unit id not in
 * the unit table with the nearest one, when close).  Data with bad cells
 * gathered (kp_data_bad_cells) is refused first.  Rows naming a unit the
 * unit table lacks are all found (d->unknown) before the error: its message
 * is the row's when there is one, else "N rows … (listed above)".  The
 * id index is dropped at the end (see kp_data_unit). */
int kp_data_bind(kp_data *d, const kp_rules *r, kp_err *err);

/* Only the unit table: find it and index its ids and categories (d->units,
 * d->nunits, d->id, d->cat; unit u is row u of d->units), leaving the other
 * datasets unbound (kaoping template prefills its forms from it). */
int kp_data_bind_units(kp_data *d, const kp_rules *r, kp_err *err);
/* Free the number columns of every table (text stays): after scoring,
 * when only ids and names are still needed. */
void kp_data_release_numbers(kp_data *d);

/* Unit u's id (borrowed from the unit table). */
const char *kp_data_id(const kp_data *d, size_t u);
/* Unit index of an id, or -1.  After kp_data_bind (which drops the id
 * index once every table is joined) it searches the ids one by one. */
long kp_data_unit(const kp_data *d, const char *id);
/* The column of any table nearest to col when one is close ("did you
 * mean …?"), and (in may be NULL) its table; NULL when none is. */
const char *kp_data_near_column(const kp_data *d, const char *col, const kp_table **in);
/* Where a column lives; 0, or -1 when no dataset has it. */
int kp_data_column(const kp_data *d, const char *name, kp_colref *out);
/* A unit's cell: KP_NUM_OK, KP_NUM_EMPTY (blank, or no row for the unit)
 * or why it is not a number. */
int kp_data_num(const kp_colref *c, size_t unit, double *v);
/* A unit's cell as text (numbers in short form); NULL when it has no row. */
const char *kp_data_text(const kp_colref *c, size_t unit, char *buf, size_t size);
/* The source line of a unit's row for this column (0: none). */
size_t kp_data_line(const kp_colref *c, size_t unit);

/* Compare the columns the rules read with the data's: fn(ud, NULL, col)
 * for each column no table has (counted in *nmissing), then fn(ud, t, col)
 * for each column of t that no declarative rule reads. */
typedef void (*kp_data_column_fn)(void *ud, const kp_table *t, const char *col);
int kp_data_check_columns(const kp_data *d, const kp_rules *r, kp_data_column_fn fn, void *ud,
			  size_t *nmissing, kp_err *err);

#endif
