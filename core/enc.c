/* enc.c — encoding detection, UTF-8 validation, terminal width, the
 * characters XML 1.0 forbids, and the GB18030 converter (glibc iconv).
 * See include/kaoping/enc.h. */
#include "kaoping/enc.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int kp_enc_parse_name(const char *name)
{
	if (!name || !strcasecmp(name, "auto"))
		return KP_ENC_AUTO;
	if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8"))
		return KP_ENC_UTF8;
	if (!strcasecmp(name, "gb18030") || !strcasecmp(name, "gbk") ||
	    !strcasecmp(name, "gb2312") || !strcasecmp(name, "cp936"))
		return KP_ENC_GB18030;
	return -1;
}

const char *kp_enc_name(int enc)
{
	switch (enc) {
	case KP_ENC_UTF8: return "UTF-8";
	case KP_ENC_GB18030: return "GB18030";
	case KP_ENC_UTF16: return "UTF-16";
	case KP_ENC_UTF32: return "UTF-32";
	default: return "auto";
	}
}

/* Length of the UTF-8 sequence starting at s (0 if invalid, -1 if cut). */
static int utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	int n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	}
	if (n == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
		return 0; /* overlong, or a UTF-16 surrogate */
	if (n == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
		return 0;
	return n;
}

size_t kp_enc_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int n;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i);
		if (n <= 0)
			return i;
		i += (size_t)n;
	}
	return i;
}

/* UTF-32, with or without its BOM: in the first 512 bytes (at least 8),
 * the high byte of every four is 0 and the next below it at most 0x10 (a
 * code point is at most U+10FFFF), little- or big-endian.  UTF-16 fails
 * this on its first character above U+00FF or ASCII letter in the wrong
 * place. */
static int utf32(const unsigned char *buf, size_t len)
{
	size_t i, n = (len < 512 ? len : 512) & ~(size_t)3;
	int le = 1, be = 1;

	if (n < 8)
		return 0;
	for (i = 0; i < n && (le || be); i += 4) {
		le = le && buf[i + 3] == 0 && buf[i + 2] <= 0x10;
		be = be && buf[i] == 0 && buf[i + 1] <= 0x10;
	}
	return le || be;
}

int kp_enc_detect(const unsigned char *buf, size_t len)
{
	size_t i, nuls = 0, odd = 0, ok;

	if ((len >= 4 && !memcmp(buf, "\xFF\xFE\0\0", 4)) || (len >= 4 && !memcmp(buf, "\0\0\xFE\xFF", 4)) ||
	    utf32(buf, len))
		return KP_ENC_UTF32;
	if (len >= 2 && ((buf[0] == 0xFF && buf[1] == 0xFE) || (buf[0] == 0xFE && buf[1] == 0xFF)))
		return KP_ENC_UTF16;
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		return KP_ENC_UTF8;
	for (i = 0; i < len && i < 512; i++)
		if (buf[i] == 0)
			nuls++, odd += i & 1;
	if (nuls * 4 >= (len < 512 ? len : 512) && nuls > 0)
		return KP_ENC_UTF16;
	/* Chinese UTF-16 has few NULs (only its ASCII: commas, line ends),
	 * all on one side of each pair; neither UTF-8 nor GB18030 text has
	 * them (it was taken for GB18030 and called Big5 or Shift-JIS) */
	if (nuls >= 4 && (odd == 0 || odd == nuls))
		return KP_ENC_UTF16;
	ok = kp_enc_utf8_valid(buf, len);
	if (ok == len || (len - ok < 4 && utf8_seq(buf + ok, len - ok) == -1))
		return KP_ENC_UTF8;
	return KP_ENC_GB18030;
}

/* Characters a Chinese CSV is written in: CJK ideographs, radicals,
 * kana and bopomofo, CJK, general and full-width punctuation, and the
 * symbols offices type (× ÷ · ° ± ℃ № Ⅱ → √ ≥ ① ■ ★ ✓). */
static int chinese_text(unsigned cp)
{
	return cp == 0xB7 || cp == 0xD7 || cp == 0xF7 || cp == 0xB0 || cp == 0xB1 ||
	       (cp >= 0x2000 && cp <= 0x22FF) || (cp >= 0x2460 && cp <= 0x24FF) ||
	       (cp >= 0x25A0 && cp <= 0x27BF) || (cp >= 0x2E80 && cp <= 0x9FFF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
	       (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

static unsigned utf8_cp(const unsigned char *s, int n)
{
	if (n == 2)
		return (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
	if (n == 3)
		return (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
	return (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
}

/* Are buf[0..len) valid GB18030 (a character cut at the end allowed)
 * whose characters are mostly ideographs (lead bytes outside the symbol
 * rows A1-A9)? */
static int gb18030_chinese(const unsigned char *b, size_t len)
{
	size_t i = 0, chars = 0, hanzi = 0;

	while (i < len) {
		if (b[i] < 0x80) {
			i++;
			continue;
		}
		if (b[i] == 0x80 || b[i] == 0xFF)
			return 0;
		if (i + 1 >= len)
			break; /* cut at the end of the sample */
		if (b[i + 1] >= 0x30 && b[i + 1] <= 0x39) { /* four bytes */
			if (i + 3 < len && (b[i + 2] < 0x81 || b[i + 2] == 0xFF || b[i + 3] < 0x30 || b[i + 3] > 0x39))
				return 0;
			chars++, i += 4;
			continue;
		}
		if (b[i + 1] < 0x40 || b[i + 1] == 0x7F || b[i + 1] == 0xFF)
			return 0;
		chars++, hanzi += b[i] < 0xA1 || b[i] > 0xA9;
		i += 2;
	}
	return chars > 0 && hanzi * 2 >= chars;
}

/* Are buf[0..len) as GB18030 nothing but ASCII and characters of GB2312
 * (both bytes A1-FE: its symbols and its 6763 common hanzi), at least one,
 * a character cut at the end allowed? */
static int gb18030_gb2312(const unsigned char *b, size_t len)
{
	size_t i = 0, chars = 0;

	while (i < len) {
		if (b[i] < 0x80) {
			i++;
			continue;
		}
		if (b[i] < 0xA1 || b[i] > 0xF7 || (i + 1 < len && (b[i + 1] < 0xA1 || b[i + 1] == 0xFF)))
			return 0;
		chars++, i += 2;
	}
	return chars > 0;
}

/* GB2312's 6763 hanzi, a bit each over U+4E00..U+9FA5 (built from glibc's
 * table by scripts/gb2312.sh: reading a file loads no converter for it). */
#define GB2312_FIRST 0x4E00u
#define GB2312_LAST 0x9FA5u
extern const unsigned char kp_gb2312_hanzi[(GB2312_LAST - GB2312_FIRST) / 8 + 1];

/* Is ideograph cp outside GB2312's hanzi, a rare character (誷, not 廪)? */
static int rare_hanzi(unsigned cp)
{
	unsigned k = cp - GB2312_FIRST;

	if (cp < GB2312_FIRST || cp > GB2312_LAST)
		return 1;
	return !(kp_gb2312_hanzi[k / 8] >> (k % 8) & 1);
}

int kp_enc_utf8_unlikely(const unsigned char *buf, size_t len)
{
	size_t i = 0, good = 0, bad = 0, rare = 0;

	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		return 0; /* a BOM says UTF-8 */
	while (i < len) {
		int n = buf[i] < 0x80 ? 1 : utf8_seq(buf + i, len - i);
		unsigned cp;
		if (n <= 0)
			break;
		cp = n > 1 ? utf8_cp(buf + i, n) : 0;
		if (n > 1 && chinese_text(cp)) {
			good++;
			rare += ((cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) || cp >= 0x20000) &&
				rare_hanzi(cp);
		} else if (n > 1 && cp != 0xFEFF) { /* a stray BOM says nothing */
			bad++;
		}
		i += (size_t)n;
	}
	/* letters where Chinese is expected; or rare ideographs where the same
	 * bytes are GB2312 throughout (瑾峰华 in GB18030 reads 誷廪 as UTF-8) */
	if (bad > good && gb18030_chinese(buf, len))
		return KP_ENC_UNLIKELY_LETTERS;
	return rare > 0 && gb18030_gb2312(buf, len) ? KP_ENC_UNLIKELY_RARE : 0;
}

/* GB18030 that reads as Chinese uses GB2312's common hanzi (lead byte
 * B0-F7) and its punctuation, numbers and full-width forms (rows A1-A3),
 * both with a trail byte A1-FE.  Big5 read as GBK is mostly the rest: a
 * Big5 trail byte 40-7E makes a rare GBK hanzi, its commonest lead bytes
 * A4-AF make kana, Greek, box drawing or private-use characters (臺北市
 * reads 籓カ現); Shift-JIS likewise.  A file of Chinese in GB18030 has a
 * few such characters at most (a rare hanzi in a name, a Greek letter). */
int kp_enc_gb18030_unlikely(const unsigned char *b, size_t len)
{
	size_t i = 0, chars = 0, odd = 0;

	while (i + 1 < len) {
		if (b[i] < 0x80) {
			i++;
			continue;
		}
		if (b[i] == 0x80 || b[i] == 0xFF || b[i + 1] < 0x30 || (b[i + 1] > 0x39 && b[i + 1] < 0x40) ||
		    b[i + 1] == 0x7F || b[i + 1] == 0xFF)
			return 0; /* not GB18030 at all: the converter names the byte */
		chars++;
		if (b[i + 1] >= 0x30 && b[i + 1] <= 0x39) { /* four bytes: outside GBK */
			odd++, i += 4;
			continue;
		}
		odd += !(((b[i] >= 0xB0 && b[i] <= 0xF7) || (b[i] >= 0xA1 && b[i] <= 0xA3)) && b[i + 1] >= 0xA1 &&
			 b[i + 1] <= 0xFE);
		i += 2;
	}
	return odd * 4 > chars;
}

/* Is cp default-ignorable (Unicode's Default_Ignorable_Code_Point): a
 * character no font draws -- the soft hyphen, zero-width space, joiners
 * and non-joiner, direction marks and embeddings, the word joiner and the
 * invisible operators, variation selectors, the BOM, Hangul fillers, tag
 * characters? */
static int ignorable(unsigned cp)
{
	return cp == 0xAD || cp == 0x34F || cp == 0x61C || cp == 0x115F || cp == 0x1160 ||
	       cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	       cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) ||
	       (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
	       (cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* East Asian Wide and Fullwidth ranges (enough for Chinese reports). */
static int wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	       (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t kp_enc_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t w = 0, left = strlen(str);

	while (left) {
		unsigned cp;
		int n;
		if (*s >= 0x20 && *s < 0x80) { /* printable ASCII and DEL: one column */
			s++, w++, left--;
			continue;
		}
		if ((n = utf8_seq(s, left)) <= 0) {
			s++, w++, left--;
			continue;
		}
		if (n == 1)
			cp = s[0];
		else if (n == 2)
			cp = (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
		else if (n == 3)
			cp = (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
		else
			cp = (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
		if (cp >= 0x20 && !ignorable(cp) && !(cp >= 0x300 && cp <= 0x36F))
			w += wide(cp) ? 2 : 1;
		s += n, left -= (size_t)n;
	}
	return w;
}

size_t kp_enc_ctl(const char *str, size_t n, char out[KP_ENC_CTL_MAX])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;

	if (n >= 1 && (s[0] < 0x20 || s[0] == 0x7f)) {
		out[0] = '\\', out[1] = 'x', out[2] = hex[s[0] >> 4], out[3] = hex[s[0] & 15], out[4] = '\0';
		return 1;
	}
	if (n >= 2 && s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
		memcpy(out, "\\u00", 4);
		out[4] = hex[s[1] >> 4], out[5] = hex[s[1] & 15], out[6] = '\0';
		return 2;
	}
	/* a bidi embedding, override or isolate (U+202A..U+202E, E2 80 AA..AE;
	 * U+2066..U+2069, E2 81 A6..A9): a terminal that lays out right-to-left
	 * text obeys it, and the rest of a row shows reversed (59.00 as 00.95) */
	if (n >= 3 && s[0] == 0xE2 && ((s[1] == 0x80 && s[2] >= 0xAA && s[2] <= 0xAE) ||
				       (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9))) {
		unsigned cp = 0x2000u | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
		memcpy(out, "\\u", 2);
		out[2] = hex[cp >> 12], out[3] = hex[(cp >> 8) & 15], out[4] = hex[(cp >> 4) & 15], out[5] = hex[cp & 15];
		out[6] = '\0';
		return 3;
	}
	return 0;
}

size_t kp_enc_xml_bad(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	int k;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' && s[0] != '\r';
	if ((k = utf8_seq(s, n)) <= 0)
		return 1;
	return k == 3 && s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF) ? 3 : 0;
}

/* The base letter (lower case) of U+00C0..U+017F, or '.' where the
 * character has none (Æ, Ð, Ø, Đ, Ł ...) and only its case folds. */
static const char latin_base[] =
	"aaaaaa.ceeeeiiii.nooooo..uuuuy.." "aaaaaa.ceeeeiiii.nooooo..uuuuy.y"
	"aaaaaaccccccccdd..eeeeeeeeeegggg" "gggghh..iiiiiiiii...jjkk.llllll."
	"...nnnnnn...oooooo..rrrrrrssssss" "sstttt..uuuuuuuuuuuuwwyyyzzzzzz.";

/* The code point a case-insensitive filesystem takes cp for: lower case
 * (Latin, Greek, Cyrillic, Roman numerals, circled and full-width
 * letters), accents off the Latin letters; 0 drops it (a combining mark,
 * so that a decomposed é is the é macOS stores). */
static unsigned fold_cp(unsigned cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	if (cp >= 0x300 && cp <= 0x36F)
		return 0;
	if (cp >= 0xC0 && cp <= 0x17F && latin_base[cp - 0xC0] != '.')
		return (unsigned char)latin_base[cp - 0xC0];
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 0x20;
	if (cp >= 0x100 && cp <= 0x17F) /* the pairs of Latin Extended-A */
		return cp == 0x131 ? 'i' : cp == 0x17F ? 's' :
		       ((cp < 0x138 || (cp >= 0x14A && cp < 0x178)) && !(cp & 1)) ||
				       (cp >= 0x139 && cp < 0x149 && (cp & 1)) ? cp + 1 : cp;
	if ((cp >= 0x391 && cp <= 0x3AB) || (cp >= 0x410 && cp <= 0x42F) || (cp >= 0xFF21 && cp <= 0xFF3A))
		return cp + 0x20;
	if (cp == 0x3C2)
		return 0x3C3; /* final sigma */
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	if (cp >= 0x2160 && cp <= 0x216F)
		return cp + 0x10;
	if (cp >= 0x24B6 && cp <= 0x24CF)
		return cp + 0x1A;
	return cp == 0x212A ? 'k' : cp == 0x212B ? 'a' : cp == 0x2126 ? 0x3C9 : cp; /* Kelvin, Angstrom, Ohm */
}

char *kp_enc_fold_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;
	char *out = malloc(n + 1); /* a folded character is never longer */
	int k;

	if (!out)
		return NULL;
	while (i < n) {
		unsigned cp;
		if ((k = utf8_seq(p + i, n - i)) <= 0) { /* not UTF-8: the byte as it is */
			out[o++] = (char)p[i++];
			continue;
		}
		cp = fold_cp(k == 1 ? p[i] : utf8_cp(p + i, k));
		i += (size_t)k;
		if (!cp)
			continue;
		if (cp < 0x80)
			out[o++] = (char)cp;
		else if (cp < 0x800)
			out[o++] = (char)(0xC0 | cp >> 6), out[o++] = (char)(0x80 | (cp & 0x3F));
		else if (cp < 0x10000)
			out[o++] = (char)(0xE0 | cp >> 12), out[o++] = (char)(0x80 | (cp >> 6 & 0x3F)),
			out[o++] = (char)(0x80 | (cp & 0x3F));
		else
			out[o++] = (char)(0xF0 | cp >> 18), out[o++] = (char)(0x80 | (cp >> 12 & 0x3F)),
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3F)), out[o++] = (char)(0x80 | (cp & 0x3F));
	}
	out[o] = '\0';
	return out;
}

/* The code point of the UTF-8 character at p (n > 0 bytes left) and its
 * length in *len; a byte that starts no valid sequence is itself, length 1. */
static unsigned cp_at(const unsigned char *p, size_t n, size_t *len)
{
	int k = p[0] < 0x80 ? 1 : utf8_seq(p, n);

	if (k <= 1) {
		*len = 1;
		return p[0] < 0x80 ? p[0] : 0xFFFD;
	}
	*len = (size_t)k;
	return utf8_cp(p, k);
}

/* Is cp a space kp_enc_name_trim cuts at the ends: NBSP, the ideographic
 * space U+3000, U+2000..U+200A, U+202F, U+205F, and with ascii, ASCII
 * white space? */
static int name_space(unsigned cp, int ascii)
{
	if (cp < 0x80)
		return ascii && (cp == ' ' || (cp >= '\t' && cp <= '\r'));
	return cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F;
}

/* s without the spaces at its ends and without default-ignorable
 * characters anywhere, full-width ASCII narrowed (see kp_enc_name_trim). */
static char *name_trim(const char *s, int ascii)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	char *key = malloc((size_t)(end - p) + 1), *o = key;
	size_t n, keep = 0; /* the key's length up to its last character that is no space */
	int started = 0;

	if (!key)
		return NULL;
	for (; p < end; p += n) {
		unsigned cp = cp_at(p, (size_t)(end - p), &n);
		if (ignorable(cp) || (!started && name_space(cp, ascii)))
			continue;
		started = 1;
		if (cp >= 0xFF01 && cp <= 0xFF5E) { /* full-width ASCII: Ｕ０１ */
			*o++ = (char)(cp - 0xFF01 + 0x21);
		} else {
			memcpy(o, p, n);
			o += n;
		}
		if (!name_space(cp, ascii))
			keep = (size_t)(o - key);
	}
	key[keep] = '\0'; /* spaces at the end */
	return key;
}

char *kp_enc_name_trim(const char *s)
{
	return name_trim(s, 0);
}

/* The canonical decomposition (NFD) of U+00C0..U+017F: the base letter,
 * '.' where there is none, and its combining mark as '@' + (mark - U+0300). */
static const char nfd_base[] =
	"AAAAAA.CEEEEIIII.NOOOOO..UUUUY.." "aaaaaa.ceeeeiiii.nooooo..uuuuy.y"
	"AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGg" "GgGgHh..IiIiIiIiI...JjKk.LlLlLl."
	"...NnNnNn...OoOoOo..RrRrRrSsSsSs" "SsTtTt..UuUuUuUuUuUuWwYyYZzZzZz.";
static const char nfd_mark[] =
	"@ABCHJ.g@ABH@ABH.C@ABCH..@ABHA.." "@ABCHJ.g@ABH@ABH.C@ABCH..@ABHA.H"
	"DDFFhhAABBGGLLLL..DDFFGGhhLLBBFF" "GGggBB..CCDDFFhhG...BBgg.AAggLL."
	"...AAggLL...DDFFKK..AAggLLAABBgg" "LLggLL..CCDDFFJJKKhhBBBBHAAGGLL.";

char *kp_enc_name_key(const char *s)
{
	char *t = name_trim(s, 1), *out;
	const unsigned char *p;
	size_t o = 0;

	if (!t)
		return NULL;
	if (!(out = malloc(2 * strlen(t) + 1))) { /* a 2-byte letter becomes 3 bytes */
		free(t);
		return NULL;
	}
	for (p = (const unsigned char *)t; *p; p++) {
		unsigned cp = p[0] >= 0xC3 && p[0] <= 0xC5 && (p[1] & 0xC0) == 0x80 ? (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F) : 0;
		if (cp >= 0xC0 && nfd_base[cp - 0xC0] != '.') {
			unsigned m = (unsigned)(nfd_mark[cp - 0xC0] - '@');
			out[o++] = nfd_base[cp - 0xC0];
			out[o++] = (char)0xCC, out[o++] = (char)(0x80 + m); /* U+0300..U+033F */
			p++;
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
	free(t);
	return out;
}

/* The length of the character at s (n > 0 bytes left) that XML allows. */
static size_t xml_ok_len(const char *s, size_t n)
{
	return (unsigned char)*s < 0x80 ? 1 : (size_t)utf8_seq((const unsigned char *)s, n);
}

const char *kp_enc_xml_clean(const char *s, char **copy)
{
	size_t n = strlen(s), i = 0, k, m;
	char *out;

	*copy = NULL;
	while (i < n && !kp_enc_xml_bad(s + i, n - i))
		i += xml_ok_len(s + i, n - i);
	if (i == n)
		return s;
	if (!(out = malloc(n + 1)))
		return NULL;
	memcpy(out, s, m = i);
	while (i < n) {
		if ((k = kp_enc_xml_bad(s + i, n - i))) {
			i += k;
			continue;
		}
		k = xml_ok_len(s + i, n - i);
		memcpy(out + m, s + i, k);
		m += k, i += k;
	}
	out[m] = '\0';
	return *copy = out;
}

/* An escape _xHHHH_ of ECMA-376's ST_Xstring at s (n bytes left)? */
static int xstring_escape_at(const char *s, size_t n)
{
	size_t i;

	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return 0;
	for (i = 2; i < 6; i++)
		if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	return 1;
}

const char *kp_enc_xlsx_text(const char *s, char **copy)
{
	const char *c = kp_enc_xml_clean(s, copy);
	size_t n, i, k = 0, m = 0;
	char *out;

	if (!c)
		return NULL;
	n = strlen(c);
	for (i = 0; i < n; i++)
		k += xstring_escape_at(c + i, n - i);
	if (!k)
		return c;
	if (!(out = malloc(n + 6 * k + 1))) {
		free(*copy);
		*copy = NULL;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (xstring_escape_at(c + i, n - i)) {
			memcpy(out + m, "_x005F", 6); /* the '_' itself as an escape: then as written */
			m += 6;
		}
		out[m++] = c[i];
	}
	out[m] = '\0';
	free(*copy);
	return *copy = out;
}

size_t kp_enc_utf16_prefix(const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, units = 0, k, j;

	while (s[i]) {
		k = s[i] < 0x80 ? 1 : s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;
		for (j = 1; j < k && s[i + j]; j++)
			;
		if (j < k || units + (k == 4 ? 2 : 1) > max)
			break;
		units += k == 4 ? 2 : 1, i += k;
	}
	return i;
}

const char *kp_enc_utf16_cut(const char *s, size_t max, char **cut)
{
	size_t n;

	*cut = NULL;
	if (!s[kp_enc_utf16_prefix(s, max)] || max < 1)
		return s;
	n = kp_enc_utf16_prefix(s, max - 1); /* room for the "…", one unit */
	if (!(*cut = malloc(n + 4)))
		return NULL;
	memcpy(*cut, s, n);
	memcpy(*cut + n, "\xE2\x80\xA6", 4);
	return *cut;
}

struct kp_enc_conv {
	iconv_t cd;
	char carry[8];
	size_t ncarry;
	char *out;
	size_t cap;
	size_t done; /* bytes converted so far, for messages */
	size_t bad;  /* the offset (from 1) of the byte refused last, 0: none */
};

kp_enc_conv *kp_enc_conv_new(kp_err *err)
{
	kp_enc_conv *c = calloc(1, sizeof *c);

	if (!c) {
		kp_err_oom(err);
		return NULL;
	}
	c->cd = iconv_open("UTF-8", "GB18030");
	if (c->cd == (iconv_t)-1) {
		free(c);
		kp_err_msg(err, KP_EINTERNAL, KP_M_IN_ENC_NO_ICONV);
		return NULL;
	}
	return c;
}

void kp_enc_conv_free(kp_enc_conv *c)
{
	if (!c)
		return;
	iconv_close(c->cd);
	free(c->out);
	free(c);
}

size_t kp_enc_conv_bad_at(const kp_enc_conv *c)
{
	return c->bad;
}

int kp_enc_conv_run(kp_enc_conv *c, const char *in, size_t len, int final,
		    const char **out, size_t *outlen, kp_err *err)
{
	char *joined = NULL, *src, *dst;
	size_t left, room, need;
	int rc = 0;

	if (c->ncarry) { /* a sequence cut at the end of the last block */
		joined = malloc(c->ncarry + len);
		if (!joined)
			return kp_err_oom(err);
		memcpy(joined, c->carry, c->ncarry);
		memcpy(joined + c->ncarry, in, len);
		in = joined, len += c->ncarry, c->ncarry = 0;
	}
	need = len * 2 + 16; /* GB18030 never grows by more than 1.5x */
	if (c->cap < need) {
		char *p = realloc(c->out, need);
		if (!p) {
			rc = kp_err_oom(err);
			goto out;
		}
		c->out = p, c->cap = need;
	}
	src = (char *)in, left = len, dst = c->out, room = c->cap;
	while (left > 0 && iconv(c->cd, &src, &left, &dst, &room) == (size_t)-1) {
		if (errno == EINVAL && !final && left < sizeof c->carry) {
			memcpy(c->carry, src, left);
			c->ncarry = left;
			break;
		}
		c->bad = c->done + (size_t)(src - in) + 1;
		rc = kp_err_msg(err, KP_EDATA, KP_M_IN_ENC_BAD_BYTE, c->bad);
		goto out;
	}
	*out = c->out;
	*outlen = c->cap - room;
	c->done += (size_t)(src - in);
out:
	free(joined);
	return rc;
}
