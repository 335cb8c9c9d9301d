/* xlsxw.h — the end of every workbook kaoping writes with libxlsxwriter
 * (report_xlsx.c, sheet_xlsx.c, form_write.c): closing it, and reading
 * back what was closed.
 *
 * libxlsxwriter writes each worksheet to a temporary file of its own and
 * does not check those writes: on a full disk or under a file size limit
 * it zips a part cut short into a workbook it calls whole, and Excel then
 * calls the file damaged.  So no workbook is put in place before every
 * part of it has been read back as complete, well-formed XML. */
#ifndef KAOPING_XLSXW_H
#define KAOPING_XLSXW_H

#include <xlsxwriter.h>

#include "kaoping/err.h"

/* Close wb (libxlsxwriter frees it, even after an error) with its own
 * error lines muted and the stop signals held while its named temporary
 * files exist.  Returns libxlsxwriter's error; errno is what the failed
 * call left (0 when none). */
lxw_error kp_xlsxw_close(lxw_workbook *wb);

/* Read back the workbook closed at file: the zip whole (its directory
 * there, every member's checksum right) and every .xml and .rels part
 * well-formed to its end.  0, or KP_EIO naming shown and the part. */
int kp_xlsxw_check(const char *file, const char *shown, kp_err *err);

#endif
