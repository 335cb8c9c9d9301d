/* enc.h — text encodings of the files offices send: UTF-8 (with or without
 * a BOM), GB18030/GBK as Excel and WPS on Chinese Windows save them, and
 * UTF-16 recognised only to be refused.  A converter owns its iconv handle
 * and carry buffer; free it with kp_enc_conv_free. */
#ifndef KAOPING_ENC_H
#define KAOPING_ENC_H

#include <stddef.h>

#include "kaoping/err.h"

enum kp_enc {
	KP_ENC_AUTO = 0,
	KP_ENC_UTF8,
	KP_ENC_GB18030,
	KP_ENC_UTF16,
	KP_ENC_UTF32     /* detected to be refused by name, never read */
};

/* Parse an --encoding name ("auto", "utf-8", "utf8", "gb18030", "gbk",
 * "gb2312"); returns -1 for an unknown name. */
int kp_enc_parse_name(const char *name);
const char *kp_enc_name(int enc);

/* Guess the encoding from the first bytes of a file: UTF-16 by BOM or NULs,
 * UTF-8 when the bytes are valid UTF-8 (a sequence cut at the end of the
 * sample is allowed), GB18030 otherwise. */
int kp_enc_detect(const unsigned char *buf, size_t len);

/* Valid UTF-8 (without a BOM) that is more likely GB18030: its non-ASCII
 * characters are mostly outside the ranges of Chinese text (CJK, full-width
 * forms, CJK and general punctuation, common symbols), as GB18030's
 * "庐山" reads "®ɽ", while the bytes are also valid GB18030 that reads as
 * ideographs.  Short GB18030 files of common characters can be such.
 * Also when the UTF-8 reading holds ideographs outside GB2312's 6763
 * common hanzi while the bytes, as GB18030, are GB2312 throughout (瑾峰华
 * in GB18030 is 誷廪 in UTF-8).  Real UTF-8 text is almost never that: its
 * continuation bytes 80-BF would all have to fall in A1-BF.  Returns 0
 * (UTF-8 it is), or which of the two it saw. */
enum { KP_ENC_UNLIKELY_LETTERS = 1, KP_ENC_UNLIKELY_RARE };
int kp_enc_utf8_unlikely(const unsigned char *buf, size_t len);

/* Bytes that are not UTF-8 and would be read as GB18030, but whose
 * characters as GB18030 are mostly not Chinese text: more than a quarter
 * outside GB2312's common hanzi and its rows of punctuation, numbers and
 * full-width forms (kana, box drawing, private use, rare hanzi), as a Big5
 * or Shift-JIS file reads (臺北市 in Big5 is 籓カ現 in GB18030).  Returns
 * 1 when so, 0 when the text reads as Chinese or is no GB18030 at all
 * (the converter then names the byte). */
int kp_enc_gb18030_unlikely(const unsigned char *buf, size_t len);

/* Length of the valid UTF-8 prefix of s[0..len). */
size_t kp_enc_utf8_valid(const unsigned char *s, size_t len);
/* Display width of UTF-8 text in terminal columns (East Asian wide = 2). */
size_t kp_enc_width(const char *s);

/* A control character at s (n bytes left): a C0 control or DEL (1 byte), a
 * C1 control U+0080..U+009F (2 bytes, C2 80..C2 9F), which a terminal
 * obeys (ESC, CSI U+009B), or a bidi embedding, override or isolate
 * (U+202A..U+202E, U+2066..U+2069: 3 bytes), which a terminal laying out
 * right-to-left text obeys.  Returns its length, 0 for anything else, and
 * writes how it is shown ("\x1b", "\u009b", "\u202e", NUL-terminated)
 * into out. */
#define KP_ENC_CTL_MAX 8
size_t kp_enc_ctl(const char *s, size_t n, char out[KP_ENC_CTL_MAX]);

/* A character XML 1.0 forbids at s (n bytes left): a C0 control other than
 * tab, line feed and carriage return, U+FFFE or U+FFFF, or a byte that
 * starts no valid UTF-8 sequence (a UTF-16 surrogate, a cut sequence).
 * Returns its length (1 for a stray byte), 0 for a character XML allows.
 * Every text that goes into an XML part (the .docx notice; the workbooks,
 * through kp_enc_xml_clean) drops these: such a part is not well-formed
 * and Word or Excel refuse the whole file. */
size_t kp_enc_xml_bad(const char *s, size_t n);
/* s without the characters kp_enc_xml_bad finds.  Returns s itself when
 * it has none (nothing allocated; *copy is NULL), else a new string that
 * is also left in *copy for the caller to free; NULL when out of memory. */
const char *kp_enc_xml_clean(const char *s, char **copy);
/* The text of a workbook cell (or comment, or page header) as
 * libxlsxwriter is to write it: kp_enc_xml_clean's, and every literal
 * _xHHHH_ in it written _x005F_xHHHH_, as Excel writes it (ECMA-376
 * ST_Xstring: Excel, WPS and kaoping's own reader decode _xHHHH_, so the
 * unit id "U_x0031_" written as it is would read back as "U1").
 * Returns and allocates as kp_enc_xml_clean does. */
const char *kp_enc_xlsx_text(const char *s, char **copy);
/* The bytes of the longest start of the UTF-8 text s, cut at a character,
 * that holds at most max UTF-16 code units: what of s fits in a workbook
 * cell of max characters, as Excel counts them (32767 characters, not
 * bytes: a cut at 32767 bytes kept a third of a Chinese name). */
size_t kp_enc_utf16_prefix(const char *s, size_t max);
/* s whole when it holds at most max UTF-16 code units (*cut NULL);
 * else, in a new string in *cut, its start and "…" within max units, so
 * that a workbook cell shows where it was cut (a cut without a mark
 * passed for the whole text).  The text to write, or NULL without
 * memory. */
const char *kp_enc_utf16_cut(const char *s, size_t max, char **cut);

/* The key under which a case-insensitive filesystem (Windows, macOS)
 * takes two file names for the same file: s in lower case for ASCII,
 * Latin-1, Latin Extended-A, the basic Greek and Cyrillic alphabets, Roman
 * numerals, circled and full-width Latin letters, without the accents of
 * those Latin letters and without combining marks U+0300..U+036F (macOS
 * stores é decomposed).  It may merge names such a filesystem keeps apart
 * (é and e), never the other way round for those letters; other scripts'
 * case pairs (Greek with tonos, Cyrillic extensions, Armenian ...) and
 * decomposed kana or Hangul are not folded.  Bytes that are not UTF-8 stay
 * as they are.  malloc'd, the caller's; NULL when out of memory. */
char *kp_enc_fold_name(const char *s);

/* s without the Unicode spaces at its ends that Excel on a Chinese desk
 * types (NBSP, U+3000, U+2000..U+200A, U+202F, U+205F; the CSV reader has
 * trimmed ASCII spaces), without the characters no font draws anywhere in
 * it (Unicode's default-ignorable code points: U+00AD, U+034F, U+180E,
 * U+200B..U+200F, U+202A..U+202E, U+2060..U+206F, variation selectors,
 * U+FEFF ...), full-width ASCII (U+FF01..U+FF5E: Ｕ０１) narrowed.  Unit
 * ids that share it are the same unit typed twice.
 * malloc'd, the caller's; NULL when out of memory. */
char *kp_enc_name_trim(const char *s);
/* kp_enc_name_trim that also cuts ASCII white space at the ends, the
 * letters of U+00C0..U+017F decomposed (NFD: é is e + U+0301): names that
 * share it look the same in a report (" 党建", "党建　", "Ａ" and "A", é
 * composed and decomposed) and the rule loader refuses two such names of
 * one kind.  Case and accents are kept (Ä and ä, é and e stay apart: a
 * reader tells them apart); other scripts' precomposed letters are not
 * decomposed.  malloc'd, the caller's; NULL when out of memory. */
char *kp_enc_name_key(const char *s);

typedef struct kp_enc_conv kp_enc_conv;
/* A GB18030 -> UTF-8 converter. */
kp_enc_conv *kp_enc_conv_new(kp_err *err);
void kp_enc_conv_free(kp_enc_conv *c);
/* Convert in[0..len) (any split point); *out points to converted bytes
 * valid until the next call; final=1 on the last block.  Fails on an
 * invalid byte sequence with the converted-byte offset in the message. */
int kp_enc_conv_run(kp_enc_conv *c, const char *in, size_t len, int final,
		    const char **out, size_t *outlen, kp_err *err);
/* The offset (from 1, in the converter's whole input) of the byte the last
 * failed kp_enc_conv_run refused; 0 when none was refused. */
size_t kp_enc_conv_bad_at(const kp_enc_conv *c);

#endif
