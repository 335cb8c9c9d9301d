/* outfile.h — a file written atomically: a temporary file in the same
 * folder, renamed into place only when complete, so a failure never leaves
 * half a file.  The handle owns the temporary name and the stream. */
#ifndef KAOPING_OUTFILE_H
#define KAOPING_OUTFILE_H

#include <signal.h>
#include <stdio.h>

#include "kaoping/err.h"

/* Open path for an atomic write: a temporary file beside it.  Commit renames
 * it into place; abort removes it. */
typedef struct kp_outfile kp_outfile;
/* 0 and *out, or an error kind (*out NULL). */
int kp_outfile_open(const char *path, kp_outfile **out, kp_err *err);
FILE *kp_outfile_fp(kp_outfile *f);
const char *kp_outfile_tmpname(const kp_outfile *f);
int kp_outfile_commit(kp_outfile *f, kp_err *err); /* frees f */
/* Commit n files at once (a folder of sheets): every file's data is made
 * durable with one sync of the filesystem instead of one per file, then
 * each is renamed into place and each folder synced once.  On the first
 * failure the files not yet renamed are removed.  Frees every f. */
int kp_outfile_commit_all(kp_outfile **f, size_t n, kp_err *err);
void kp_outfile_abort(kp_outfile *f);               /* frees f */
/* Hold the files committed from now on: kp_outfile_commit writes and
 * syncs a file but does not put it in place (the temporary file stays,
 * removed by kp_outfile_remove_open should a signal come) until
 * kp_outfile_deferred(1) puts every held file in place at once (as
 * kp_outfile_commit_all), or kp_outfile_deferred(0) removes them; either
 * ends the holding.  `score -o` holds its report until the run is
 * committed: a report is there only for a run that is.  Process-wide,
 * main thread. */
void kp_outfile_defer(void);
int kp_outfile_deferred(int keep, kp_err *err);
int kp_outfile_deferring(void); /* 1 between kp_outfile_defer and kp_outfile_deferred */
/* The file of f is written (for kp_outfile_commit_all only): its stream
 * is flushed and, for a named temporary file, closed, so that a caller
 * making thousands of files before putting them in place does not hold a
 * descriptor for each.  kp_outfile_fp may be NULL after it.  0 or KP_EIO;
 * f stays the caller's. */
int kp_outfile_done(kp_outfile *f, kp_err *err);
/* Remove the temporary files of every open kp_outfile, then the folders
 * made for them that are empty again: for a signal handler (INT, TERM,
 * the time limit's alarm) before the process ends; async-signal-safe
 * (unlink and rmdir only). */
void kp_outfile_remove_open(void);
/* A folder made for files not yet in place, which kp_outfile_remove_open
 * removes should a signal come first (rmdir: only while it is empty);
 * path is copied.  kp_outfile_dirs_done forgets them all, once the files
 * are in place or the caller has removed what it made.  0, or
 * KP_EINTERNAL when out of memory. */
int kp_outfile_made_dir(const char *path, kp_err *err);
void kp_outfile_dirs_done(void);
/* A command that failed: remove the folders made for it, newest first,
 * each only while it is empty (files already in place keep theirs), and
 * forget them. */
void kp_outfile_dirs_undo(void);
/* mkdir(path) and kp_outfile_made_dir(path) with the stop signals held
 * between the two, so that no folder is there unknown to the handlers: 0
 * and *made 1; 0 and *made 0 for a folder there already; -1 and *made 0
 * when mkdir failed (errno says why: EEXIST for something there that is
 * not a folder); KP_EINTERNAL out of memory (no folder left). */
int kp_outfile_mkdir(const char *path, int *made, kp_err *err);

/* Hold back the stop signals (INT, TERM, HUP, ALRM) for a step that must
 * not be cut in two: a set of files put in place (kp_outfile_commit_all),
 * or a library making files by name that kaoping does not know of
 * (libxlsxwriter's temporary files, made and unlinked in workbook_close).
 * A signal that comes meanwhile is delivered at kp_outfile_release_stops. */
typedef struct kp_outfile_stops {
	sigset_t was;
	int held;             /* 0: nothing was held (the mask could not change) */
} kp_outfile_stops;
void kp_outfile_hold_stops(kp_outfile_stops *s);
void kp_outfile_release_stops(const kp_outfile_stops *s);

/* Silence fd 2 while a library that prints its own error lines writes
 * (one thread at a time); returns what kp_outfile_unmute_stderr restores
 * (-1: nothing was changed). */
int kp_outfile_mute_stderr(void);
void kp_outfile_unmute_stderr(int saved);

/* The folder a path names a file in: "." for a bare name, "/" for one
 * in the root; malloc'd (the caller frees), NULL when out of memory. */
char *kp_outfile_dir(const char *path);

/* The file path names at the end of its chain of symbolic links, followed
 * as the kernel does: *real malloc'd, or NULL when path is no link (or a
 * name that does not exist yet); 73 for a loop or an unreadable link. */
int kp_outfile_follow_links(const char *path, char **real, kp_err *err);

/* 1 when Windows opens the file name s as a device, not a file: CON, PRN,
 * AUX, NUL, COM0-9, LPT0-9, COM and LPT with a superscript 1-3, CONIN$,
 * CONOUT$ and CLOCK$, in any case, alone or before a dot, spaces after it
 * ignored ("NUL .md"); else 0. */
int kp_outfile_reserved_name(const char *s);

#endif
