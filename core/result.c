/* result.c — the result record and its string pool (see result.h). */
#include "kaoping/result.h"
#include "kaoping/note.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 16)

typedef struct kp_pool {
	struct chunk *head;
	struct chunk *more;     /* the kp_unit_more records, under lock */
	pthread_mutex_t lock;
} kp_pool;

const kp_unit_more kp_unit_more_none;

const char *kp_result_veto_words(const kp_unit_result *u, const char *yes)
{
	const char *why = KP_MORE(u)->veto_reason;

	return why && *why ? why : yes;
}

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

int kp_result_new(kp_result **out, kp_err *err)
{
	kp_result *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r || !(r->pool = calloc(1, sizeof *r->pool))) {
		free(r);
		return kp_err_oom(err);
	}
	if (pthread_mutex_init(&r->pool->lock, NULL)) {
		free(r->pool), free(r);
		return kp_err_oom(err);
	}
	*out = r;
	return 0;
}

void kp_result_free(kp_result *r)
{
	struct chunk *c, *next;

	if (!r)
		return;
	for (c = r->pool ? r->pool->head : NULL; c; c = next) {
		next = c->next;
		free(c);
	}
	for (c = r->pool ? r->pool->more : NULL; c; c = next) {
		next = c->next;
		free(c);
	}
	if (r->pool)
		pthread_mutex_destroy(&r->pool->lock);
	free(r->pool);
	free(r->units);
	free(r->sec);
	free(r->categories);
	free(r);
}

/* size bytes from the pool at a multiple of align (a power of two, at
 * most that of max_align_t); not zeroed.  Strings take align 1: a
 * million unit names read back for a report would otherwise leave up to
 * 15 bytes of padding each. */
static void *chunk_take(struct chunk **head, size_t size, size_t align, kp_err *err)
{
	struct chunk *c = *head;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	void *p;

	if (!c || at > c->cap || c->cap - at < size) {
		size_t cap = size > CHUNK ? size : CHUNK;
		c = cap <= SIZE_MAX - sizeof *c ? malloc(sizeof *c + cap) : NULL;
		if (!c) {
			kp_err_oom(err);
			return NULL;
		}
		c->used = 0, c->cap = cap;
		c->next = *head;
		*head = c;
		at = 0;
	}
	p = (char *)c->data + at;
	c->used = at + size;
	return p;
}

/* Append the chunks of *from to the list at *to: *to's first chunk, the
 * one it takes from, stays first. */
static void chunks_append(struct chunk **to, struct chunk **from)
{
	while (*to)
		to = &(*to)->next;
	*to = *from;
	*from = NULL;
}

void kp_result_adopt(kp_result *to, kp_result *from)
{
	chunks_append(&to->pool->head, &from->pool->head);
	chunks_append(&to->pool->more, &from->pool->more);
}

static void *pool_take(kp_result *r, size_t size, size_t align, kp_err *err)
{
	return chunk_take(&r->pool->head, size, align, err);
}

void *kp_result_alloc(kp_result *r, size_t size, kp_err *err)
{
	void *p = pool_take(r, size ? size : 1, _Alignof(max_align_t), err);

	if (p)
		memset(p, 0, size);
	return p;
}

kp_unit_more *kp_result_more(kp_result *r, kp_unit_result *u, kp_err *err)
{
	kp_unit_more *m;

	if (u->more)
		return u->more;
	pthread_mutex_lock(&r->pool->lock);
	m = chunk_take(&r->pool->more, sizeof *m, _Alignof(kp_unit_more), err);
	pthread_mutex_unlock(&r->pool->lock);
	if (m)
		*m = kp_unit_more_none;
	return u->more = m;
}

const char *kp_result_str(kp_result *r, const char *s, kp_err *err)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = pool_take(r, n, 1, err);
	if (p)
		memcpy(p, s, n);
	return p;
}

const kp_last_unit *kp_last_find(const kp_last *l, const char *id)
{
	size_t lo = 0, hi = l ? l->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->u[mid].id, id);
		if (c == 0)
			return &l->u[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* *note rendered in lang, in the pool (a note without pieces stays). */
static int render_one(kp_result *r, const char **note, enum kp_lang lang, kp_sb *b, kp_err *err)
{
	const char *s;
	int rc;

	if (!*note || !kp_note_structured(*note))
		return 0;
	kp_sb_reset(b);
	if ((rc = kp_note_render(*note, lang, b, err)))
		return rc;
	if (!(s = kp_result_str(r, kp_sb_str(b), err)))
		return KP_EINTERNAL;
	*note = s;
	return 0;
}

int kp_result_render_notes(kp_result *r, enum kp_lang lang, kp_err *err)
{
	kp_sb b = {0};
	size_t u, i;
	int rc = 0;

	for (u = 0; u < r->nunits && !rc; u++) {
		kp_unit_result *ur = &r->units[u];
		if (ur->more)
			rc = render_one(r, &ur->more->tie_note, lang, &b, err);
		for (i = 0; i < KP_MORE(ur)->nitems && !rc; i++)
			rc = render_one(r, &KP_MORE(ur)->items[i].note, lang, &b, err);
	}
	for (i = 0; i < r->ncategories && !rc; i++)
		rc = render_one(r, &r->categories[i].note, lang, &b, err);
	kp_sb_free(&b);
	return rc;
}

const char *kp_item_kind_key(int kind)
{
	static const char *const keys[] = {"indicator", "section_deduction", "deduction", "bonus", "veto", "note"};

	return kind >= KP_ITEM_INDICATOR && kind <= KP_ITEM_NOTE ? keys[kind] : keys[KP_ITEM_NOTE];
}
