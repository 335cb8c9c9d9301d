/* msg.c — the message catalogue (see include/kaoping/msg.h): the table of
 * every message in both languages, the language chosen, and formatting. */
#include "kaoping/msg.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	const char *name, *en, *zh;
};

#define KP_MSG(id, en, zh) {#id, en, zh},
static const struct entry table[KP_MSG_COUNT] = {
	{"NONE", "%s", "%s"},
#include "kaoping/msg/all.def"
};
#undef KP_MSG

static enum kp_lang current = KP_LANG_ZH;

void kp_msg_set_lang(enum kp_lang lang)
{
	current = lang == KP_LANG_EN ? KP_LANG_EN : KP_LANG_ZH;
}

enum kp_lang kp_msg_lang(void)
{
	return current;
}

int kp_msg_lang_parse(const char *name, enum kp_lang *out)
{
	if (!name || !((name[0] == 'z' && name[1] == 'h') || (name[0] == 'e' && name[1] == 'n')))
		return 0;
	if (name[2] && name[2] != '_' && name[2] != '-' && name[2] != '.' && name[2] != '@')
		return 0;
	*out = name[0] == 'e' ? KP_LANG_EN : KP_LANG_ZH;
	return 1;
}

enum kp_lang kp_msg_lang_env(const char *kaoping_lang, const char *lc_all, const char *lc_messages,
			     const char *lang)
{
	const char *v[] = {kaoping_lang, lc_all, lc_messages, lang};
	enum kp_lang l = KP_LANG_ZH;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (v[i] && *v[i]) {
			kp_msg_lang_parse(v[i], &l);
			return l;
		}
	}
	return KP_LANG_ZH;
}

const char *kp_msg_text(enum kp_msgid id, enum kp_lang lang)
{
	if ((unsigned)id >= KP_MSG_COUNT)
		id = KP_MSG_NONE;
	return lang == KP_LANG_EN ? table[id].en : table[id].zh;
}

const char *kp_msg_fmt(enum kp_msgid id)
{
	return kp_msg_text(id, current);
}

const char *kp_msg_name(enum kp_msgid id)
{
	return (unsigned)id < KP_MSG_COUNT ? table[id].name : "?";
}

/* The identifiers sorted by name, built once (notes are rendered from
 * several threads). */
static enum kp_msgid by_name[KP_MSG_COUNT];
static pthread_once_t by_name_once = PTHREAD_ONCE_INIT;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(table[*(const enum kp_msgid *)a].name, table[*(const enum kp_msgid *)b].name);
}

static void sort_names(void)
{
	size_t i;

	for (i = 0; i < KP_MSG_COUNT; i++)
		by_name[i] = (enum kp_msgid)i;
	qsort(by_name, KP_MSG_COUNT, sizeof by_name[0], cmp_name);
}

int kp_msg_lookup(const char *name, enum kp_msgid *out)
{
	size_t lo = 0, hi = KP_MSG_COUNT;

	pthread_once(&by_name_once, sort_names);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, table[by_name[mid]].name);
		if (c == 0) {
			*out = by_name[mid];
			return 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* vsnprintf kept n - 1 bytes: drop a character it kept only in part. */
static void cut_utf8(char *buf, size_t n)
{
	size_t len = n - 1, s = len;
	unsigned char lead;
	size_t need;

	while (s > 0 && ((unsigned char)buf[s - 1] & 0xC0) == 0x80)
		s--;
	if (s == 0)
		return;
	lead = (unsigned char)buf[--s];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (s + need > len)
		buf[s] = '\0';
}

int kp_msg_vformat(char *buf, size_t n, enum kp_msgid id, va_list ap)
{
	int w = vsnprintf(buf, n, kp_msg_fmt(id), ap);

	if (w < 0)
		buf[0] = '\0';
	else if ((size_t)w >= n)
		cut_utf8(buf, n);
	return w;
}

int kp_msg_format(char *buf, size_t n, enum kp_msgid id, const char *en, ...)
{
	va_list ap;
	int w;

	(void)en; /* the same text as the catalogue's; there for the compiler */
	va_start(ap, en);
	w = kp_msg_vformat(buf, n, id, ap);
	va_end(ap);
	return w;
}
