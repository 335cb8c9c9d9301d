/* notice_int.h — what the files of the notice module share: the DOCX
 * writer (core/notice_docx.c, the only user of libzip) is handed the
 * rendered notice by core/notice.c.  Not part of the interface. */
#ifndef KAOPING_NOTICE_INT_H
#define KAOPING_NOTICE_INT_H

#include <stdio.h>

#include "kaoping/err.h"
#include "kaoping/notice.h"

/* Write n as a DOCX package to fp (name: the file, for messages). */
int kp_notice_docx(const kp_notice *n, FILE *fp, const char *name, kp_err *err);

#endif
