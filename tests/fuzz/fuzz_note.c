/* fuzz_note.c — libFuzzer harness for structured notes read back from a
 * database (kp_note_render): any bytes either render or are refused with
 * KP_EDATA, in both languages alike, and a refused note leaves the output
 * as it was.  Also: text written with kp_note_text renders as itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/note.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_note: broken promise: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	kp_sb zh = {0}, en = {0}, w = {0}, back = {0};
	kp_err err;
	int rz, re;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&err, 0, sizeof err);
	kp_sb_puts(&zh, "|");
	rz = kp_note_render(s, KP_LANG_ZH, &zh, &err);
	re = kp_note_render(s, KP_LANG_EN, &en, &err);
	if ((rz == 0) != (re == 0))
		fail("one language renders what the other refuses");
	if (rz && (rz != KP_EDATA || strcmp(kp_sb_str(&zh), "|")))
		fail("a refused note changed the output");
	kp_note_text(&w, s);
	if (kp_note_render(kp_sb_str(&w), KP_LANG_EN, &back, &err) || strcmp(kp_sb_str(&back), s))
		fail("text does not render as itself");
	kp_sb_free(&zh), kp_sb_free(&en), kp_sb_free(&w), kp_sb_free(&back);
	free(s);
	return 0;
}
