/* sb.c — the growable string builder and arrays, the string set and the hash of
 * kaoping's hash tables (see include/kaoping/sb.h). */
#include "kaoping/sb.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* Room for need more bytes and the NUL; 0, or -1 (and oom set). */
static int sb_grow(kp_sb *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	if (b->oom)
		return -1;
	if (need >= (size_t)-1 - b->len - 1) {
		b->oom = 1;
		return -1;
	}
	if (b->len + need + 1 <= b->cap)
		return 0;
	while (cap < b->len + need + 1)
		cap = cap > (size_t)-1 / 2 ? b->len + need + 1 : cap * 2;
	if (!(p = realloc(b->s, cap))) {
		b->oom = 1;
		return -1;
	}
	b->s = p, b->cap = cap;
	return 0;
}

void *kp_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *q;

	if (p && need <= *cap)
		return p;
	if (!size || need > SIZE_MAX / size)
		return NULL;
	while (c < need)
		c = c > SIZE_MAX / size / 2 ? need : c * 2;
	if (!(q = realloc(p, c * size)))
		return NULL;
	*cap = c;
	return q;
}

/* Append text formatted by fmt (not a literal: the catalogue's). */
static void sb_vprintf(kp_sb *b, const char *fmt, va_list ap)
{
	va_list aq;
	int w;

	va_copy(aq, ap);
	w = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (w < 0) {
		b->oom = 1; /* cannot format: the text would be incomplete */
		return;
	}
	if (sb_grow(b, (size_t)w))
		return;
	vsnprintf(b->s + b->len, (size_t)w + 1, fmt, ap);
	b->len += (size_t)w;
}

void kp_sb_printf(kp_sb *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void kp_sb_msg(kp_sb *b, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en; /* the catalogue's English text; there for the compiler */
	va_start(ap, en);
	sb_vprintf(b, kp_msg_fmt(id), ap);
	va_end(ap);
}

void kp_sb_puts(kp_sb *b, const char *s)
{
	size_t n = strlen(s);

	if (sb_grow(b, n))
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void kp_sb_line(kp_sb *b, const char *s)
{
	const char *nl;

	while ((nl = strchr(s, '\n'))) {
		kp_sb_printf(b, "%.*s\\n", (int)(nl - s), s);
		s = nl + 1;
	}
	kp_sb_printf(b, "%s\n", s);
}

const char *kp_sb_str(const kp_sb *b)
{
	return b->s ? b->s : "";
}

void kp_sb_reset(kp_sb *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

int kp_sb_status(const kp_sb *b, kp_err *err)
{
	return b->oom ? kp_err_oom(err) : 0;
}

void kp_sb_free(kp_sb *b)
{
	free(b->s);
	memset(b, 0, sizeof *b);
}

void kp_sb_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++)
		out[2 * i] = digits[bytes[i] >> 4], out[2 * i + 1] = digits[bytes[i] & 15];
	out[2 * n] = '\0';
}

static uint64_t hash_start;
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void hash_seed(void)
{
	uint64_t r = 0;
	struct timespec ts;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) { /* early boot: still not known ahead */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 17) ^ (uintptr_t)&r;
	}
	hash_start = 14695981039346656037ull ^ r;
}

static size_t hash_end(uint64_t h)
{
	h ^= h >> 33; /* the high bits into the low ones (MurmurHash3's finaliser) */
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h;
}

size_t kp_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h;

	pthread_once(&hash_once, hash_seed);
	for (h = hash_start; n--; s++)
		h = (h ^ *s) * 1099511628211ull;
	return hash_end(h);
}

size_t kp_hash_str(const char *s)
{
	uint64_t h;

	pthread_once(&hash_once, hash_seed);
	for (h = hash_start; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return hash_end(h);
}

static size_t strset_slot(const char *const *key, size_t cap, const char *k)
{
	size_t h = kp_hash_str(k) & (cap - 1);

	while (key[h] && strcmp(key[h], k))
		h = (h + 1) & (cap - 1);
	return h;
}

int kp_strset_add(kp_strset *s, const char *k)
{
	size_t h, i;

	if (!k || (s->cap && s->key[strset_slot(s->key, s->cap, k)])) {
		s->calls++;
		return 0;
	}
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16, j;
		const char **key;
		size_t *ord;
		if (cap < s->cap || !(key = calloc(cap, sizeof *key)))
			return -1;
		if (!(ord = calloc(cap, sizeof *ord))) {
			free(key);
			return -1;
		}
		for (i = 0; i < s->cap; i++)
			if (s->key[i]) {
				j = strset_slot(key, cap, s->key[i]);
				key[j] = s->key[i], ord[j] = s->ord[i];
			}
		free(s->key);
		free(s->ord);
		s->key = key, s->ord = ord, s->cap = cap;
	}
	h = strset_slot(s->key, s->cap, k);
	s->key[h] = k;
	s->ord[h] = s->calls++;
	s->n++;
	return 1;
}

int kp_strset_has(const kp_strset *s, const char *k)
{
	return k && s->cap && s->key[strset_slot(s->key, s->cap, k)] != NULL;
}

long kp_strset_index(const kp_strset *s, const char *k)
{
	size_t h;

	if (!k || !s->cap || !s->key[h = strset_slot(s->key, s->cap, k)])
		return -1;
	return (long)s->ord[h];
}

void kp_strset_free(kp_strset *s)
{
	free(s->key);
	free(s->ord);
	s->key = NULL, s->ord = NULL, s->cap = s->n = s->calls = 0;
}
