/* infile.h — a file the user names as input (a CSV, a rule file): only a
 * regular file (or a link to one) is read.  It is opened without blocking
 * and checked before a byte is read, so a FIFO, a socket or a device is
 * refused at once instead of hanging the command or feeding it forever. */
#ifndef KAOPING_INFILE_H
#define KAOPING_INFILE_H

#include <stdio.h>
#include <sys/stat.h>

#include "kaoping/err.h"

/* Open path for reading: a descriptor (blocking again, close-on-exec) and
 * its stat in *st; -1 with KP_ENOINPUT in err ("PATH: cannot open: ...",
 * "PATH: is a directory, not WHAT", "PATH: is a FIFO, not a regular file").
 * what names what the file should be, in English ("a CSV file"); the
 * message says it in the current language when it is the English text of
 * a catalogue entry IN_WHAT_* (a CSV file, a data file, a workbook, a rule
 * file, a template), else as given. */
int kp_infile_open_fd(const char *path, const char *what, struct stat *st, kp_err *err);
/* The same as a stream ("rb"); NULL on failure. */
FILE *kp_infile_open(const char *path, const char *what, struct stat *st, kp_err *err);

/* 1 when a and b exist and are one file (the same device and inode: "./x",
 * "x" and a hard link of it are one file), else 0. */
int kp_infile_same(const char *a, const char *b);

#endif
