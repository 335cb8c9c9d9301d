/* rowq.h — a CSV file read on its own thread and handed over in batches
 * of rows, so that reading overlaps with what the consumer does with the
 * rows (the SQLite inserts of an import).  The queue owns its batches;
 * a batch is valid from kp_rowq_next until the next call. */
#ifndef KAOPING_ROWQ_H
#define KAOPING_ROWQ_H

#include "kaoping/csv.h"
#include "kaoping/err.h"

typedef struct kp_rowq kp_rowq;

typedef struct kp_rowq_batch {
	int header;         /* 1: the single row is the header */
	size_t nrows;
	kp_csv_row *rows;
} kp_rowq_batch;

/* Start reading path on a thread (the reader's options and info as for
 * kp_csv_read_file; info is filled when kp_rowq_finish returns).  A
 * workbook (.xlsx, .xls by its bytes) is read by kp_xlsx_read_any. */
int kp_rowq_start(const char *path, const kp_csv_opts *opts, kp_csv_info *info, kp_rowq **out, kp_err *err);
/* The next batch: 1 with *b set, 0 at the end of the file. */
int kp_rowq_next(kp_rowq *q, const kp_rowq_batch **b);
/* Wait for the reader; stop it first when the consumer failed (stop = 1).
 * Returns the reader's error, if any, in err.  Frees q. */
int kp_rowq_finish(kp_rowq *q, int stop, kp_err *err);

#endif
