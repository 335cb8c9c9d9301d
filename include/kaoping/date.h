/* date.h — dates as Excel and WPS write them in a CSV cell: 2024-03-31,
 * 2024/3/31, 2024.3.31, 2024年3月31日 (leading zeros optional, a time of
 * day after a space or T ignored) and Excel serial numbers (45382), read
 * as whole days since 1970-01-01.  No allocation. */
#ifndef KAOPING_DATE_H
#define KAOPING_DATE_H

#include <stddef.h>

enum kp_date_status {
	KP_DATE_OK = 0,
	KP_DATE_EMPTY,  /* blank cell: a missing value */
	KP_DATE_NONE,   /* 未报送, 未报, 未提交: nothing was submitted */
	KP_DATE_BAD     /* not a date, or no such day; *why says which */
};

/* Parse one cell into *days (days since 1970-01-01; negative before).
 * Surrounding ASCII and full-width spaces are ignored.  Years 1900 to
 * 9999; an Excel serial from 18264 (1950-01-01) to 73050 (2099-12-31),
 * its fraction (the time) ignored.  On KP_DATE_BAD *why (when why is not
 * NULL) is a static sentence in the current language (the catalogue's
 * IN_DATE_*): "February 2023 has 28 days" style reasons without the
 * numbers, which the caller's message quotes. */
int kp_date_parse(const char *text, int *days, const char **why);

/* Days since 1970-01-01 of a civil date (no checks). */
int kp_date_days(int y, int m, int d);

/* Bytes that hold any text kp_date_iso or kp_date_words writes. */
#define KP_DATE_MAX 32

/* "2024-03-31" and "2024年3月31日" into buf; NULL when it does not fit
 * (nothing is cut). */
char *kp_date_iso(int days, char *buf, size_t size);
char *kp_date_words(int days, char *buf, size_t size);

#endif
