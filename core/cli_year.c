/* cli_year.c — which year a command works on when the command line does
 * not say: import takes it from a folder named like the year in the
 * files' paths (samples/2021/units.csv), else from the only year the
 * database holds, else this calendar year, said loudly; score warns when
 * --year is not the year the rule file declares.  Owns nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_int.h"

/* The year of the innermost folder of path named like one (four digits,
 * 1900..2999), or 0. */
static int folder_year(const char *path)
{
	const char *end = strrchr(path, '/'), *p;
	int y = 0;

	while (end && end > path) {
		for (p = end; p > path && p[-1] != '/'; p--)
			;
		if (end - p == 4 && strspn(p, "0123456789") >= 4 && (y = atoi(p)) >= 1900 && y <= 2999)
			return y;
		end = p > path ? p - 1 : NULL;
	}
	return 0;
}

/* The year of the folders of files: 0 when none has one; a usage error
 * when two disagree. */
static int files_year(char **files, int n, int *year, const char **from, kp_err *err)
{
	int i, y;

	*year = 0;
	for (i = 0; i < n; i++) {
		if (!(y = folder_year(files[i])))
			continue;
		if (*year && y != *year)
			return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_YEAR_FOLDERS_DIFFER, *from, *year, files[i], y);
		if (!*year)
			*year = y, *from = files[i];
	}
	return 0;
}

/* "2020, 2021" into buf (cut at a year boundary, never mid-number). */
static void years_text(const int *years, size_t n, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used + 8 < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%d", i ? ", " : "", years[i]);
	if (i < n)
		snprintf(buf + used, size - used, ", …");
}

int kp_cli_import_year(kp_cli_config *c, kp_store *st, char **files, int n, int *year, kp_err *err)
{
	const char *from = NULL;
	int *years = NULL, rc;
	size_t ny = 0;
	char held[128];

	if ((*year = c->year))
		return 0;
	if ((rc = files_year(files, n, year, &from, err)))
		return rc;
	if (*year) {
		kp_cli_note(c, KP_M_CMD_YEAR_FROM_FOLDER, *year, from);
		return 0;
	}
	if ((rc = kp_store_years(st, &years, &ny, err)))
		return rc;
	years_text(years, ny, held, sizeof held);
	if (ny == 1) {
		*year = years[0];
		kp_cli_note(c, KP_M_CMD_YEAR_ONLY_HELD, *year, c->db);
	} else {
		*year = kp_cli_year(c, NULL);
		if (ny)
			kp_cli_say(KP_M_CMD_YEAR_THIS_HELD, *year, c->db, held, *year);
		else
			kp_cli_say(KP_M_CMD_YEAR_THIS_EMPTY, *year, c->db, *year);
	}
	free(years);
	return 0;
}

void kp_cli_year_check(const kp_cli_config *c, const kp_rules *r)
{
	if (c->year && r->year && c->year != r->year)
		kp_cli_say(KP_M_CMD_YEAR_NOT_RULES, c->year, r->file, r->year, c->year, r->year);
}
