/* xlsxw.c — the end of every workbook kaoping writes (see
 * include/kaoping/xlsxw.h): libxlsxwriter closed quietly with the stop
 * signals held, then the file read back part by part through libzip and
 * a streaming expat parser that only checks the XML is whole.  Owns
 * nothing past a call. */
#include "kaoping/xlsxw.h"

#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "kaoping/outfile.h"

lxw_error kp_xlsxw_close(lxw_workbook *wb)
{
	int saved = kp_outfile_mute_stderr(), keep;
	kp_outfile_stops stops;
	lxw_error e;

	errno = 0;
	kp_outfile_hold_stops(&stops); /* its temporary files are named */
	e = workbook_close(wb);        /* frees it, even after an error */
	kp_outfile_release_stops(&stops);
	keep = errno;
	kp_outfile_unmute_stderr(saved);
	errno = keep;
	return e;
}

static int is_xml_part(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && !strcmp(name + n - 4, ".xml")) || (n > 5 && !strcmp(name + n - 5, ".rels"));
}

/* Member i through a parser to its end: 0 when whole, else 1 with why
 * not into why. */
static int check_part(zip_t *z, zip_uint64_t i, char *buf, size_t size, char *why, size_t wn)
{
	zip_file_t *zf = zip_fopen_index(z, i, 0);
	XML_Parser p;
	zip_int64_t n;
	int bad = 0;

	if (!zf)
		return snprintf(why, wn, "%s", zip_strerror(z)), 1;
	if (!(p = XML_ParserCreate("UTF-8"))) {
		zip_fclose(zf);
		return snprintf(why, wn, "%s", strerror(ENOMEM)), 1;
	}
	while (!bad && (n = zip_fread(zf, buf, size)) > 0)
		bad = XML_Parse(p, buf, (int)n, 0) != XML_STATUS_OK;
	if (!bad && n < 0) /* a checksum that does not match */
		bad = 1, snprintf(why, wn, "%s", zip_file_strerror(zf));
	else if (bad || XML_Parse(p, "", 0, 1) != XML_STATUS_OK)
		bad = 1, snprintf(why, wn, "%s", XML_ErrorString(XML_GetErrorCode(p)));
	XML_ParserFree(p);
	zip_fclose(zf);
	return bad;
}

int kp_xlsxw_check(const char *file, const char *shown, kp_err *err)
{
	enum { CHUNK = 1 << 16 };
	char why[256], *buf;
	zip_error_t ze;
	zip_t *z;
	zip_int64_t i, n;
	const char *name = NULL;
	int code = 0, bad = 0, rc = 0;

	/* not ZIP_CHECKCONS: the zip64 local headers libxlsxwriter writes for
	 * a big report (use_zip64) differ from its central directory in ways
	 * libzip calls inconsistent, yet Excel, WPS and zipfile read them; a
	 * file cut short has no directory at all */
	if (!(z = zip_open(file, ZIP_RDONLY, &code))) {
		zip_error_init_with_code(&ze, code);
		rc = kp_err_msg(err, KP_EIO, KP_M_REP_XLSX_NOT_ZIP, shown, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	if (!(buf = malloc(CHUNK))) {
		zip_discard(z);
		return kp_err_oom(err);
	}
	n = zip_get_num_entries(z, 0);
	for (i = 0; i < n && !bad; i++)
		if ((name = zip_get_name(z, (zip_uint64_t)i, 0)) && is_xml_part(name))
			bad = check_part(z, (zip_uint64_t)i, buf, CHUNK, why, sizeof why);
	if (bad)
		rc = kp_err_msg(err, KP_EIO, KP_M_REP_XLSX_PART_CUT, shown, name, why);
	else if (n <= 0)
		rc = kp_err_msg(err, KP_EIO, KP_M_REP_XLSX_EMPTY, shown);
	free(buf);
	zip_discard(z);
	return rc;
}
