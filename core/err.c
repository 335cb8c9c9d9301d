/* err.c — the error record (see include/kaoping/err.h). */
#include "kaoping/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kp_err_set(kp_err *err, int kind, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return kind;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return kind;
}

int kp_err_prefix(kp_err *err, const char *fmt, ...)
{
	char head[KP_ERR_MAX], old[KP_ERR_MAX];
	va_list ap;

	if (!err)
		return KP_EINTERNAL;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	if (snprintf(err->msg, sizeof err->msg, "%s: %s", head, old) >= (int)sizeof err->msg)
		memcpy(err->msg + sizeof err->msg - 4, "...", 4); /* cut: say so */
	return err->kind;
}

void kp_err_trace(kp_err *err, const char *trace)
{
	if (!err)
		return;
	free(err->trace);
	err->trace = trace ? strdup(trace) : NULL;
}

void kp_err_clear(kp_err *err)
{
	if (!err)
		return;
	free(err->trace);
	memset(err, 0, sizeof *err);
}

int kp_err_oom(kp_err *err)
{
	return kp_err_set(err, KP_EINTERNAL, "out of memory");
}
