/* date.c — dates as offices type them and Excel exports them (see
 * include/kaoping/date.h).  Owns nothing; works on caller buffers. */
#include "kaoping/date.h"

#include "kaoping/msg.h"

#include <stdio.h>
#include <string.h>

#define DATE_SERIAL_MIN 18264 /* 1950-01-01 */
#define DATE_SERIAL_MAX 73050 /* 2099-12-31 */
#define DATE_SERIAL_EPOCH 25569 /* 1970-01-01 (Excel counts 1900-02-29) */

static int date_is_space(const char *s, const char *end)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	if (end - s >= 3 && (unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
		return 3; /* U+3000 ideographic space */
	return 0;
}

static const char *date_skip_space(const char *s, const char *end)
{
	int n;

	while (s < end && (n = date_is_space(s, end)) > 0)
		s += n;
	return s;
}

static const char *date_trim_end(const char *s, const char *end)
{
	while (end > s) {
		if (end[-1] == ' ' || end[-1] == '\t')
			end--;
		else if (end - s >= 3 && (unsigned char)end[-3] == 0xE3 && (unsigned char)end[-2] == 0x80 &&
			 (unsigned char)end[-1] == 0x80)
			end -= 3;
		else
			break;
	}
	return end;
}

/* min..max ASCII digits into *v; 0 when there are fewer or more. */
static int date_digits(const char **p, const char *end, int min, int max, int *v)
{
	const char *s = *p;
	int n = 0;

	*v = 0;
	while (s < end && *s >= '0' && *s <= '9' && n <= max)
		*v = *v * 10 + (*s++ - '0'), n++;
	if (n < min || n > max)
		return 0;
	*p = s;
	return 1;
}

/* Does the text at *p start with lit?  Then step over it. */
static int date_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n))
		return 0;
	*p += n;
	return 1;
}

int kp_date_days(int y, int m, int d)
{
	/* days from civil (H. Hinnant): March-based years */
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void date_civil(int z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static int date_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* NULL when y-m-d is a real day, else why not. */
static const char *date_check(int y, int m, int d)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (y < 1900 || y > 9999)
		return kp_msg_fmt(KP_MSG_IN_DATE_YEAR);
	if (m < 1 || m > 12)
		return kp_msg_fmt(KP_MSG_IN_DATE_MONTH);
	if (d < 1 || d > 31)
		return kp_msg_fmt(KP_MSG_IN_DATE_DAY);
	if (m == 2 && d > 28 + date_leap(y))
		return kp_msg_fmt(date_leap(y) ? KP_MSG_IN_DATE_FEB_LEAP : KP_MSG_IN_DATE_FEB);
	if (d > dim[m - 1] && m != 2)
		return kp_msg_fmt(KP_MSG_IN_DATE_30);
	return NULL;
}

/* An Excel serial: digits, optionally a fraction (the time of day). */
static int date_serial(const char *s, const char *end, int *days, const char **why)
{
	const char *p = s;
	long v = 0;

	while (p < end && *p >= '0' && *p <= '9')
		v = v < 100000000 ? v * 10 + (*p - '0') : v, p++;
	if (p == s)
		return -1;
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			;
	if (p != end)
		return -1;
	if (v < DATE_SERIAL_MIN || v > DATE_SERIAL_MAX) {
		*why = kp_msg_fmt(KP_MSG_IN_DATE_SERIAL);
		return KP_DATE_BAD;
	}
	*days = (int)(v - DATE_SERIAL_EPOCH);
	return KP_DATE_OK;
}

/* A time of day after the date, ignored: " 14:30", " 9:05:00", "T14:30:00.000". */
static int date_time(const char *s, const char *end, int ymd)
{
	const char *t = date_skip_space(s, end);
	int h, mi, sec = 0;

	if (t == s && t < end && *t == 'T')
		t++;
	else if (t == s && !ymd)
		return 0;
	if (!date_digits(&t, end, 1, 2, &h) || !date_lit(&t, end, ":") || !date_digits(&t, end, 2, 2, &mi))
		return 0;
	if (date_lit(&t, end, ":")) {
		if (!date_digits(&t, end, 2, 2, &sec))
			return 0;
		if (date_lit(&t, end, "."))
			while (t < end && *t >= '0' && *t <= '9')
				t++;
	}
	return t == end && h <= 23 && mi <= 59 && sec <= 59;
}

int kp_date_parse(const char *text, int *days, const char **why)
{
	static const char *const none[] = {"未报送", "未报", "未提交", "未交", NULL};
	const char *end = text + strlen(text), *s, *w;
	int y, m, d, rc, ymd = 0, i;

	if (!why)
		why = &w;
	*why = NULL;
	s = date_skip_space(text, end);
	end = date_trim_end(s, end);
	if (s == end)
		return KP_DATE_EMPTY;
	for (i = 0; none[i]; i++)
		if ((size_t)(end - s) == strlen(none[i]) && !memcmp(s, none[i], strlen(none[i])))
			return KP_DATE_NONE;
	if ((rc = date_serial(s, end, days, why)) >= 0)
		return rc;
	*why = kp_msg_fmt(KP_MSG_IN_DATE_FORM);
	if (!date_digits(&s, end, 4, 4, &y))
		return KP_DATE_BAD;
	if (s < end && (*s == '-' || *s == '/' || *s == '.')) {
		char sep = *s++;
		if (!date_digits(&s, end, 1, 2, &m) || s == end || *s++ != sep || !date_digits(&s, end, 1, 2, &d))
			return KP_DATE_BAD;
	} else if (date_lit(&s, end, "年")) {
		if (!date_digits(&s, end, 1, 2, &m) || !date_lit(&s, end, "月") || !date_digits(&s, end, 1, 2, &d))
			return KP_DATE_BAD;
		ymd = date_lit(&s, end, "日") || date_lit(&s, end, "号");
	} else {
		return KP_DATE_BAD;
	}
	if (s < end && !date_time(s, end, ymd)) {
		*why = kp_msg_fmt(KP_MSG_IN_DATE_TIME);
		return KP_DATE_BAD;
	}
	if ((*why = date_check(y, m, d)))
		return KP_DATE_BAD;
	*days = kp_date_days(y, m, d);
	return KP_DATE_OK;
}

char *kp_date_iso(int days, char *buf, size_t size)
{
	int y, m, d, n;

	date_civil(days, &y, &m, &d);
	n = snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
	return n < 0 || (size_t)n >= size ? NULL : buf;
}

char *kp_date_words(int days, char *buf, size_t size)
{
	int y, m, d, n;

	date_civil(days, &y, &m, &d);
	n = snprintf(buf, size, "%d年%d月%d日", y, m, d);
	return n < 0 || (size_t)n >= size ? NULL : buf;
}
