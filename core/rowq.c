/* rowq.c — reading a CSV file (or a workbook) on a thread of its own and passing rows in
 * batches (see include/kaoping/rowq.h).  Owns the thread, two batches
 * (one filled while the other is consumed) and their copies of the rows. */
#include "kaoping/rowq.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/xlsx.h"

#define BATCH_ROWS 2048
#define NBUF 3

typedef struct buf {
	kp_rowq_batch b;
	char *text;             /* the fields, packed */
	size_t used, cap;
	char **f;               /* field pointers of all rows */
	size_t *len;
	size_t nf, fcap;
	kp_csv_row rows[BATCH_ROWS];
} buf;

struct kp_rowq {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *path;
	kp_csv_opts opts;
	kp_csv_info *info;
	buf bufs[NBUF];
	int fill;               /* the buffer the reader fills */
	int full[NBUF];         /* handed over, not yet consumed */
	int next_out;           /* the buffer the consumer takes next */
	int in_use;             /* the buffer the consumer holds, or -1 */
	int done, stop;
	int rc;
	kp_err err;
};

static int append(buf *b, const kp_csv_row *row, int header, kp_err *err)
{
	size_t need = 0, i;

	for (i = 0; i < row->n; i++)
		need += row->len[i] + 1;
	if (b->used + need > b->cap) {
		size_t cap = (b->used + need) * 2;
		char *p = realloc(b->text, cap);
		if (!p)
			return kp_err_oom(err);
		b->text = p, b->cap = cap;
	}
	if (b->nf + row->n > b->fcap) {
		size_t cap = (b->nf + row->n) * 2;
		char **f = realloc(b->f, cap * sizeof *f);
		size_t *len = f ? realloc(b->len, cap * sizeof *len) : NULL;
		if (f)
			b->f = f;
		if (!len)
			return kp_err_oom(err);
		b->len = len, b->fcap = cap;
	}
	b->rows[b->b.nrows].line = row->line;
	b->rows[b->b.nrows].n = row->n;
	b->rows[b->b.nrows].part = 0;
	b->rows[b->b.nrows].cells = NULL; /* the import reads text: no numeric hint given */
	/* offsets now, pointers when handed over (text may still move) */
	b->rows[b->b.nrows].f = (char **)(uintptr_t)b->nf;
	for (i = 0; i < row->n; i++) {
		memcpy(b->text + b->used, row->f[i], row->len[i] + 1);
		b->f[b->nf] = (char *)(uintptr_t)b->used;
		b->len[b->nf++] = row->len[i];
		b->used += row->len[i] + 1;
	}
	b->b.nrows++;
	b->b.header = header;
	return 0;
}

/* Hand the filled buffer over and wait for a free one. */
static int hand_over(kp_rowq *q)
{
	buf *b = &q->bufs[q->fill];
	size_t i, k;
	int next;

	for (i = 0; i < b->nf; i++)
		b->f[i] = b->text + (uintptr_t)b->f[i];
	for (k = 0; k < b->b.nrows; k++) {
		b->rows[k].f = b->f + (uintptr_t)b->rows[k].f;
		b->rows[k].len = b->len + (b->rows[k].f - b->f);
	}
	b->b.rows = b->rows;
	pthread_mutex_lock(&q->mu);
	q->full[q->fill] = 1;
	pthread_cond_broadcast(&q->cv);
	next = (q->fill + 1) % NBUF;
	while (!q->stop && (q->full[next] || q->in_use == next))
		pthread_cond_wait(&q->cv, &q->mu);
	q->fill = next;
	pthread_mutex_unlock(&q->mu);
	b = &q->bufs[next];
	b->used = b->nf = b->b.nrows = 0;
	return q->stop;
}

static int on_row(kp_rowq *q, const kp_csv_row *row, int header, kp_err *err)
{
	buf *b = &q->bufs[q->fill];
	int rc;

	if ((rc = append(b, row, header, err)))
		return rc;
	if ((header || b->b.nrows == BATCH_ROWS) && hand_over(q))
		return kp_err_msg(err, KP_EINTERNAL, KP_M_IN_ROWQ_STOPPED);
	return 0;
}

static int q_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	return on_row(ud, row, 1, err);
}

static int q_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	return on_row(ud, row, 0, err);
}

static void *reader_main(void *arg)
{
	kp_rowq *q = arg;
	int rc = kp_xlsx_read_any(q->path, &q->opts, q_header, q_row, q, q->info, &q->err);

	if (!rc && q->bufs[q->fill].b.nrows)
		hand_over(q);
	pthread_mutex_lock(&q->mu);
	q->rc = rc;
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int kp_rowq_start(const char *path, const kp_csv_opts *opts, kp_csv_info *info, kp_rowq **out, kp_err *err)
{
	kp_rowq *q = calloc(1, sizeof *q);

	*out = NULL;
	if (!q || !(q->path = strdup(path))) {
		free(q);
		return kp_err_oom(err);
	}
	if (opts)
		q->opts = *opts;
	q->opts.numeric = NULL; /* rows pass as text: copied, they carry no cells */
	q->info = info;
	q->in_use = -1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->tid, NULL, reader_main, q) != 0) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		free(q->path);
		free(q);
		return kp_err_msg(err, KP_EINTERNAL, KP_M_IN_ROWQ_THREAD);
	}
	*out = q;
	return 0;
}

int kp_rowq_next(kp_rowq *q, const kp_rowq_batch **b)
{
	int got = 0;

	pthread_mutex_lock(&q->mu);
	if (q->in_use >= 0) { /* the consumer is done with the last one */
		q->full[q->in_use] = 0;
		q->in_use = -1;
		pthread_cond_broadcast(&q->cv);
	}
	while (!q->full[q->next_out] && !q->done)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->full[q->next_out]) {
		q->in_use = q->next_out;
		*b = &q->bufs[q->next_out].b;
		q->next_out = (q->next_out + 1) % NBUF;
		got = 1;
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

int kp_rowq_finish(kp_rowq *q, int stop, kp_err *err)
{
	int i, rc;

	pthread_mutex_lock(&q->mu);
	q->stop |= stop;
	q->in_use = -1;
	for (i = 0; i < NBUF; i++)
		q->full[i] = 0;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->tid, NULL);
	rc = q->stop ? 0 : q->rc;
	if (rc && err) {
		err->kind = q->err.kind;
		memcpy(err->msg, q->err.msg, sizeof err->msg);
	}
	for (i = 0; i < NBUF; i++) {
		free(q->bufs[i].text);
		free(q->bufs[i].f);
		free(q->bufs[i].len);
	}
	kp_err_clear(&q->err);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q->path);
	free(q);
	return rc;
}
