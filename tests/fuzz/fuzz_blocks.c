/* fuzz_blocks.c — libFuzzer harness for the blocks of a large derived run
 * read back from a database (store_block_parse, store_ids_parse in
 * core/store_blocks.c): any text either parses or is refused, never read
 * past its length.
 *
 * Input: one options byte (bit 0: a bucket of ids, else a block; bits 1-7:
 * the block's first position, 1 to 128), then the text.  Beyond "no crash,
 * no leak, no undefined behaviour" it checks what the parser promises:
 * every cell has a type SQLite has; a TEXT cell is NUL-terminated at its
 * length; a REAL one is finite; a block's position cells count from its
 * first; a bucket's positions are at least 1; and every text a cell holds
 * (when it is UTF-8 without NUL, as the readers then take it) reads back
 * as itself once store_block_str writes it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "kaoping/enc.h"
#include "store_int.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_blocks: broken promise: %s\n", what);
	abort();
}

static void check_cell(const store_cell *c)
{
	switch (c->type) {
	case SQLITE_NULL:
	case SQLITE_INTEGER:
		break;
	case SQLITE_FLOAT:
		if (!isfinite(c->d))
			fail("a REAL cell that is not finite");
		break;
	case SQLITE_TEXT:
		if (!c->t || c->t[c->n] != '\0')
			fail("a TEXT cell not NUL-terminated at its length");
		break;
	default:
		fail("a cell of no SQLite type");
	}
}

/* A text cell written as a JSON string reads back as itself. */
static void round_trip(const store_cell *c)
{
	store_buf b = {0};
	store_ids x;
	char *t;

	if (c->type != SQLITE_TEXT || strlen(c->t) != c->n ||
	    kp_enc_utf8_valid((const unsigned char *)c->t, c->n) != c->n)
		return;
	memset(&x, 0, sizeof x);
	store_buf_add(&b, "[[", 2);
	store_block_str(&b, c->t);
	store_buf_add(&b, ",1]]", 4);
	if (b.oom || !(t = malloc(b.n + 1))) {
		free(b.p);
		return;
	}
	memcpy(t, b.p, b.n); /* no NUL after it: the parser stops at the length */
	if (store_ids_parse(&x, t, b.n) == 0 && (x.n != 1 || x.cells[0].n != c->n || memcmp(x.cells[0].t, c->t, c->n)))
		fail("a text written by store_block_str reads back otherwise");
	else if (store_ids_parse(&x, t, b.n) > 0)
		fail("a text written by store_block_str is refused");
	store_block_free(&x);
	free(t);
	free(b.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t;
	size_t n, k;
	int opt, rc;

	if (size < 1)
		return 0;
	opt = data[0];
	n = size - 1;
	if (!(t = malloc(n ? n : 1)))
		return 0;
	memcpy(t, data + 1, n); /* not NUL-terminated: the parser must stop at n */
	if (opt & 1) {
		store_ids x;
		memset(&x, 0, sizeof x);
		if ((rc = store_ids_parse(&x, t, n)) == 0) {
			for (k = 0; k < 2 * x.n; k++)
				check_cell(&x.cells[k]);
			for (k = 0; k < x.n; k++) {
				if (x.cells[2 * k].type != SQLITE_TEXT || x.cells[2 * k + 1].type != SQLITE_INTEGER ||
				    x.cells[2 * k + 1].i < 1)
					fail("a bucket's pair is not an id and a position of at least 1");
				round_trip(&x.cells[2 * k]);
			}
		}
		store_block_free(&x);
	} else {
		store_block b;
		sqlite3_int64 first = (opt >> 1) + 1;
		memset(&b, 0, sizeof b);
		if ((rc = store_block_parse(&b, t, n, first)) == 0) {
			if (!b.n)
				fail("a block of no unit");
			for (k = 0; k < b.n * STORE_BLOCK_COLS; k++)
				check_cell(&b.cells[k]);
			for (k = 0; k < b.n; k++) {
				const store_cell *c = b.cells + k * STORE_BLOCK_COLS;
				if (c[STORE_BLOCK_POSITION].type != SQLITE_INTEGER ||
				    c[STORE_BLOCK_POSITION].i != first + (sqlite3_int64)k)
					fail("a position that does not count from the block's first");
				if (c[STORE_BLOCK_SECTIONS].type != SQLITE_TEXT || c[STORE_BLOCK_SECTIONS].t[0] != '[')
					fail("section points that are not an array's text");
				round_trip(&c[0]);
				round_trip(&c[1]);
			}
		}
		store_block_free(&b);
	}
	if (rc != 0 && rc != 1 && rc != -1)
		fail("a result other than 0, 1 or -1");
	free(t);
	return 0;
}
