/* outfile.c — a file written atomically: a temporary file beside the
 * target, renamed into place only when complete, removed on failure.  The
 * handle owns the temporary name and the stream.  See
 * include/kaoping/outfile.h.
 *
 * Where the filesystem allows (Linux O_TMPFILE, and /proc to name it), the
 * temporary file has no name while it is written: a process killed in
 * the middle (SIGKILL, the OOM killer, a power cut, a signal handled on
 * another thread while this one makes the next file) leaves nothing
 * behind, for the kernel frees an unnamed file with its last descriptor.
 * It gets a name only when complete: linked at the target's name when
 * none is there, else at a temporary name renamed over the target at
 * once.  Elsewhere a named temporary file (mkstemp) as before, which the
 * signal handlers remove. */
#include "kaoping/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VBUF_CAP (1u << 18)
/* Unnamed temporaries live only while their descriptor is open, so each
 * holds one until it is put in place; past this many at once (template
 * makes a file per form and puts them all in place together) the next
 * ones are named, and kp_outfile_done can close them: a few thousand
 * forms then stay far below the usual limit of 1,024 descriptors. */
#define UNNAMED_MAX 128

struct kp_outfile {
	FILE *fp;
	char *path, *tmp, *vbuf;
	int buffered;                 /* kp_outfile_fp has given the stream its buffer */
	char proc[40];                /* /proc/self/fd/N of an unnamed file, else "" */
	volatile sig_atomic_t named;  /* tmp names a file on disk (kp_outfile_remove_open) */
	struct kp_outfile *volatile next; /* the open outfiles (kp_outfile_remove_open) */
	struct kp_outfile *prev;
};

/* The process umask, read without changing it (umask(2) is not thread
 * safe to probe). */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned m = 022;

	if (!f)
		return 022;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Umask: %o", &m) == 1)
			break;
	fclose(f);
	return (mode_t)(m & 0777);
}

static size_t g_unnamed; /* unnamed temporaries open (main thread only) */

static void outfile_free(kp_outfile *f)
{
	if (!f)
		return;
	if (f->proc[0])
		g_unnamed--;
	if (f->fp)
		fclose(f->fp);
	free(f->vbuf);
	free(f->path);
	free(f->tmp);
	free(f);
}

static int outfile_name(kp_outfile *f, const char *path, kp_err *err)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = (size_t)(base - path), n = strlen(path) + 16;

	if (!*base)
		return kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, path, strerror(*path ? EISDIR : ENOENT));
	f->path = strdup(path);
	f->tmp = malloc(n);
	if (!f->path || !f->tmp)
		return kp_err_oom(err);
	/* ".NAME.XXXXXX" must fit NAME_MAX: for a long name, a short one */
	if (strlen(base) + 8 <= NAME_MAX)
		snprintf(f->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, base); /* not words */
	else
		snprintf(f->tmp, n, "%.*s.kaoping-out.XXXXXX", (int)dirlen, path); /* not words */
	return 0;
}

/* Where a symbolic link points, as a path usable from here (malloc'd), or
 * NULL with errno set. */
static char *link_target(const char *path)
{
	char buf[PATH_MAX], *out;
	const char *slash;
	ssize_t n = readlink(path, buf, sizeof buf);
	size_t dir;

	if (n < 0)
		return NULL;
	if (n == 0 || (size_t)n >= sizeof buf) {
		errno = n ? ENAMETOOLONG : ENOENT;
		return NULL;
	}
	buf[n] = '\0';
	slash = strrchr(path, '/');
	dir = buf[0] == '/' || !slash ? 0 : (size_t)(slash - path) + 1;
	if (!(out = malloc(dir + (size_t)n + 1)))
		return NULL;
	memcpy(out, path, dir);
	memcpy(out + dir, buf, (size_t)n + 1);
	return out;
}

/* The file path names at the end of its chain of symbolic links (l1 ->
 * l2 -> real: real), followed as the kernel does, at most LINK_HOPS links:
 * the file written, so that every link stays a link.  *real is NULL when
 * path is no link (or a name that does not exist yet), else malloc'd. */
#define LINK_HOPS 40 /* the kernel's ELOOP limit */
static int follow_links(const char *path, char **real, kp_err *err)
{
	struct stat st;
	int hops;

	*real = NULL;
	for (hops = 0; lstat(*real ? *real : path, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
		char *next;
		if (hops == LINK_HOPS) {
			free(*real);
			*real = NULL;
			return kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_LINK_LOOP, path, LINK_HOPS);
		}
		if (!(next = link_target(*real ? *real : path))) {
			int e = errno;
			free(*real);
			*real = NULL;
			return e == ENOMEM ? kp_err_oom(err)
					   : kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, path, strerror(e));
		}
		free(*real);
		*real = next;
	}
	return 0;
}

int kp_outfile_follow_links(const char *path, char **real, kp_err *err)
{
	return follow_links(path, real, err);
}

/* The open outfiles, for kp_outfile_remove_open: a list through the
 * outfiles themselves, so that any number are known (template writes every
 * form before it puts any in place).  A file joins once it exists and
 * leaves before it is renamed or removed; each change is one pointer
 * written last, so a signal in between sees a whole list (at worst one
 * that still holds a name about to go).  Outfiles are made on the main
 * thread only. */
static struct kp_outfile *volatile g_open;

static void track(kp_outfile *f)
{
	f->prev = NULL, f->next = g_open;
	if (g_open)
		g_open->prev = f;
	g_open = f;
}

static void untrack(kp_outfile *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else if (g_open == f)
		g_open = f->next;
	if (f->next)
		f->next->prev = f->prev;
	f->next = f->prev = NULL;
}

/* The folders made for them (kp_outfile_made_dir), newest first. */
struct made_dir {
	struct made_dir *next;
	char path[];
};
static struct made_dir *volatile g_dirs;

void kp_outfile_remove_open(void)
{
	const struct kp_outfile *f;
	const struct made_dir *d;

	for (f = g_open; f; f = f->next)
		if (f->named)
			unlink(f->tmp);
	for (d = g_dirs; d; d = d->next) /* a folder inside another goes first */
		rmdir(d->path);
}

int kp_outfile_made_dir(const char *path, kp_err *err)
{
	size_t n = strlen(path) + 1;
	struct made_dir *d = malloc(sizeof *d + n);

	if (!d)
		return kp_err_oom(err);
	memcpy(d->path, path, n);
	d->next = g_dirs;
	g_dirs = d;
	return 0;
}

int kp_outfile_mkdir(const char *path, int *made, kp_err *err)
{
	kp_outfile_stops s;
	int rc = 0, e = 0;

	*made = 0;
	kp_outfile_hold_stops(&s);
	if (mkdir(path, 0777) != 0)
		rc = -1, e = errno;
	else if ((rc = kp_outfile_made_dir(path, err)))
		rmdir(path);
	else
		*made = 1;
	kp_outfile_release_stops(&s);
	if (rc < 0 && e == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = 0; /* a folder there already: taken as it is */
	}
	errno = e;
	return rc;
}

void kp_outfile_dirs_undo(void)
{
	const struct made_dir *d;

	for (d = g_dirs; d; d = d->next) /* a folder inside another goes first */
		rmdir(d->path);
	kp_outfile_dirs_done();
}

void kp_outfile_dirs_done(void)
{
	struct made_dir *d = g_dirs, *next;

	g_dirs = NULL;
	for (; d; d = next) {
		next = d->next;
		free(d);
	}
}

/* An unnamed file in the folder of f->path (O_TMPFILE), reachable by
 * f->proc; -1 where the kernel, the filesystem or a missing /proc does not
 * allow it (the caller makes a named one). */
static int open_unnamed(kp_outfile *f)
{
#ifdef O_TMPFILE
	char *dir = kp_outfile_dir(f->path);
	struct stat st;
	int fd;

	if (!dir)
		return -1;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	free(dir);
	if (fd < 0)
		return -1;
	snprintf(f->proc, sizeof f->proc, "/proc/self/fd/%d", fd); /* not words */
	if (stat(f->proc, &st) != 0) {
		close(fd);
		f->proc[0] = '\0';
		return -1;
	}
	return fd;
#else
	(void)f;
	return -1;
#endif
}

/* Give the unnamed file of f its name: linked at f->path when nothing is
 * there, else at a fresh temporary name (f->tmp, its X's filled) that is
 * then renamed over f->path.  0 or an errno. */
static int link_into_place(kp_outfile *f)
{
	static unsigned long count;
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(f->tmp), i;
	int tries, e;

	if (linkat(AT_FDCWD, f->proc, AT_FDCWD, f->path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST)
		return errno;
	for (tries = 0; tries < 100; tries++) {
		unsigned long long v = (unsigned long long)getpid() * 2654435761u ^ (unsigned long long)time(NULL) ^
				       (unsigned long long)++count * 0x9E3779B97F4A7C15ull;
		for (i = n - 6; i < n; i++, v /= 62)
			f->tmp[i] = chars[v % 62];
		f->named = 1; /* before the name exists: a signal removes it */
		if (linkat(AT_FDCWD, f->proc, AT_FDCWD, f->tmp, AT_SYMLINK_FOLLOW) == 0)
			break;
		e = errno;
		f->named = 0;
		if (e != EEXIST)
			return e;
	}
	if (!f->named)
		return EEXIST;
	if (rename(f->tmp, f->path) != 0) {
		e = errno;
		unlink(f->tmp);
		f->named = 0;
		return e;
	}
	f->named = 0;
	return 0;
}

static kp_outfile *outfile_new(const char *path, kp_err *err)
{
	kp_outfile *f = calloc(1, sizeof *f);
	struct stat st;
	char *real = NULL;
	mode_t mode;
	int fd;

	if (!f) {
		kp_err_oom(err);
		return NULL;
	}
	/* links are followed to the end: the file they name is replaced, not
	 * a link; a device, pipe or folder is never replaced by a file */
	if (follow_links(path, &real, err))
		goto fail;
	if (real)
		path = real;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_NOT_REGULAR, path);
		goto fail;
	}
	/* a file the user may not write (chmod a-w) is not replaced behind
	 * its back, as > FILE would not write it: 73 (README: read-only) */
	if (stat(path, &st) == 0 && access(path, W_OK) != 0 && errno == EACCES) {
		kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, path, strerror(EACCES));
		goto fail;
	}
	if (outfile_name(f, path, err))
		goto fail;
	if (g_unnamed < UNNAMED_MAX && (fd = open_unnamed(f)) >= 0)
		g_unnamed++;
	else {
		f->named = 1;
		fd = mkstemp(f->tmp);
	}
	if (fd < 0) {
		kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, path, strerror(errno));
		goto fail;
	}
	track(f);
	mode = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0666 & ~current_umask();
	(void)fchmod(fd, mode);
	f->fp = fdopen(fd, "w");
	if (!f->fp) {
		kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, path, strerror(errno));
		close(fd);
		if (f->named)
			unlink(f->tmp);
		untrack(f);
		goto fail;
	}
	free(real);
	return f;
fail:
	free(real);
	outfile_free(f);
	return NULL;
}

int kp_outfile_open(const char *path, kp_outfile **out, kp_err *err)
{
	kp_err local = {0};
	kp_err *e = err ? err : &local;
	int rc;

	if (!strcmp(path, "-")) { /* the usual "stdout", which is what no -o gives */
		*out = NULL;
		return kp_err_msg(err, KP_EUSAGE, KP_M_STORE_OUT_DASH);
	}
	*out = outfile_new(path, e);
	rc = *out ? 0 : e->kind ? e->kind : KP_ECREATE;
	kp_err_clear(&local);
	return rc;
}

/* The stream gets its large buffer here, on first use (before any I/O on
 * it), not when the file opens: a file written by path (an xlsx form,
 * libxlsxwriter) never needs it; and kp_outfile_done gives it back, for
 * template holds every form until they are all committed (4,000 forms at
 * 256 KiB each would be 1 GB). */
FILE *kp_outfile_fp(kp_outfile *f)
{
	if (f->fp && !f->buffered) {
		f->buffered = 1;
		if ((f->vbuf = malloc(VBUF_CAP)))
			setvbuf(f->fp, f->vbuf, _IOFBF, VBUF_CAP);
	}
	return f->fp;
}

const char *kp_outfile_tmpname(const kp_outfile *f)
{
	return f->proc[0] ? f->proc : f->tmp;
}

static void sync_dir(const char *path)
{
	char *dir = kp_outfile_dir(path);
	int fd;

	if (!dir)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* The files kp_outfile_commit holds while kp_outfile_defer is on. */
static int g_defer;
static kp_outfile **g_held;
static size_t g_nheld, g_capheld;

void kp_outfile_defer(void)
{
	g_defer = 1;
}

int kp_outfile_deferring(void)
{
	return g_defer;
}

int kp_outfile_deferred(int keep, kp_err *err)
{
	size_t i, n = g_nheld;
	kp_outfile **f = g_held;
	int rc = 0;

	g_defer = 0;
	g_held = NULL, g_nheld = g_capheld = 0;
	if (keep && n)
		rc = kp_outfile_commit_all(f, n, err);
	else
		for (i = 0; i < n; i++)
			kp_outfile_abort(f[i]);
	free(f);
	return rc;
}

/* Hold f, written and synced, for kp_outfile_deferred. */
static int hold(kp_outfile *f, kp_err *err)
{
	if (g_nheld == g_capheld) {
		size_t cap = g_capheld ? 2 * g_capheld : 4;
		kp_outfile **p = realloc(g_held, cap * sizeof *p);
		if (!p) {
			kp_outfile_abort(f);
			return kp_err_oom(err);
		}
		g_held = p, g_capheld = cap;
	}
	g_held[g_nheld++] = f;
	return 0;
}

int kp_outfile_commit(kp_outfile *f, kp_err *err)
{
	int e = 0, rc = 0;

	errno = 0;
	if (fflush(f->fp) != 0)
		e = errno ? errno : EIO;
	if (!e && ferror(f->fp))
		e = EIO;
	if (!e && fsync(fileno(f->fp)) != 0)
		e = errno;
	if (!e && g_defer)
		return hold(f, err);
	if (!e && f->proc[0]) { /* named while its descriptor is open */
		if ((e = link_into_place(f)) != 0) {
			fclose(f->fp);
			f->fp = NULL;
			rc = kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, f->path, strerror(e));
			untrack(f);
			outfile_free(f);
			return rc;
		}
		fclose(f->fp); /* the data is synced and in place */
		f->fp = NULL;
		sync_dir(f->path);
		untrack(f);
		outfile_free(f);
		return 0;
	}
	if (fclose(f->fp) != 0 && !e)
		e = errno ? errno : EIO;
	f->fp = NULL;
	if (e) {
		if (f->named)
			unlink(f->tmp);
		rc = kp_err_msg(err, KP_EIO, KP_M_STORE_OUT_CANNOT_WRITE, f->path, strerror(e));
	} else if (rename(f->tmp, f->path) != 0) {
		e = errno;
		unlink(f->tmp);
		rc = kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, f->path, strerror(e));
	} else {
		sync_dir(f->path);
	}
	untrack(f);
	outfile_free(f);
	return rc;
}

void kp_outfile_abort(kp_outfile *f)
{
	if (!f)
		return;
	if (f->fp) {
		fclose(f->fp);
		f->fp = NULL;
	}
	if (f->named)
		unlink(f->tmp);
	untrack(f);
	outfile_free(f);
}


void kp_outfile_hold_stops(kp_outfile_stops *s)
{
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT), sigaddset(&stops, SIGTERM), sigaddset(&stops, SIGHUP), sigaddset(&stops, SIGQUIT);
	sigaddset(&stops, SIGALRM);
	s->held = pthread_sigmask(SIG_BLOCK, &stops, &s->was) == 0;
}

void kp_outfile_release_stops(const kp_outfile_stops *s)
{
	if (s->held) /* a signal that came meanwhile is delivered now */
		pthread_sigmask(SIG_SETMASK, &s->was, NULL);
}

/* Point fd 2 at /dev/null for a library's write, saving it; a library
 * that prints its own "[ERROR] ..." lines (libxlsxwriter on EFBIG or
 * ENOSPC) also returns the error, which kaoping reports once. */
int kp_outfile_mute_stderr(void)
{
	int saved, null;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	if (null >= 0)
		close(null);
	return saved;
}

void kp_outfile_unmute_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

char *kp_outfile_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Flush f's stream to the kernel and close it (no sync): 0 or an errno.
 * An unnamed file stays open (closing it would free it) until it is
 * linked into place. */
static int flush_close(kp_outfile *f)
{
	int e = 0;

	if (!f->fp) /* kp_outfile_done closed it */
		return 0;
	errno = 0;
	if (fflush(f->fp) != 0)
		e = errno ? errno : EIO;
	if (!e && ferror(f->fp))
		e = EIO;
	if (f->proc[0])
		return e;
	if (fclose(f->fp) != 0 && !e)
		e = errno ? errno : EIO;
	f->fp = NULL;
	return e;
}

/* Sync the filesystem f is on (every file written so far); where syncfs
 * is refused, each file by itself. */
static int sync_all(kp_outfile **f, size_t n)
{
	size_t i;
	int fd = n ? open(kp_outfile_tmpname(f[0]), O_RDONLY | O_CLOEXEC) : -1, e = 0;

	if (fd >= 0 && syncfs(fd) == 0) {
		close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < n && !e; i++) {
		fd = open(kp_outfile_tmpname(f[i]), O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0)
			e = errno ? errno : EIO;
		if (fd >= 0)
			close(fd);
	}
	return e;
}

/* 1 when a and b are in the same folder (their paths up to the last /). */
static int same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && !strncmp(a, b, la);
}

int kp_outfile_done(kp_outfile *f, kp_err *err)
{
	int e = flush_close(f);

	if (!f->fp) { /* closed: its buffer too */
		free(f->vbuf);
		f->vbuf = NULL;
	}
	return e ? kp_err_msg(err, KP_EIO, KP_M_STORE_OUT_CANNOT_WRITE, f->path, strerror(e)) : 0;
}

int kp_outfile_commit_all(kp_outfile **f, size_t n, kp_err *err)
{
	size_t i, bad = n;
	int e = 0, rc = 0;
	kp_outfile_stops stops = {.held = 0};

	for (i = 0; i < n && !e; i++)
		if ((e = flush_close(f[i])))
			bad = i;
	if (!e && (e = sync_all(f, n)))
		bad = 0;
	if (e)
		rc = kp_err_msg(err, KP_EIO, KP_M_STORE_OUT_CANNOT_WRITE, f[bad]->path, strerror(e));
	/* The files go into place together: no signal the command catches
	 * (Ctrl-C, TERM, HUP, the time limit's alarm) stops it between two of
	 * them, it waits until all are there; the folders are synced after,
	 * so that the renames follow each other closely (a SIGKILL, which
	 * nothing defers, has the shortest window). */
	if (!rc)
		kp_outfile_hold_stops(&stops);
	for (i = 0; i < n && !rc; i++)
		if ((e = f[i]->proc[0] ? link_into_place(f[i]) : rename(f[i]->tmp, f[i]->path) != 0 ? errno : 0))
			rc = kp_err_msg(err, KP_ECREATE, KP_M_STORE_OUT_CANNOT_CREATE, f[i]->path, strerror(e));
	if (rc && i)
		i--; /* the one that failed */
	for (bad = rc ? i : n, i = 0; i < bad; i++)
		if (i + 1 == bad || !same_dir(f[i]->path, f[i + 1]->path))
			sync_dir(f[i]->path);
	for (i = 0; i < n; i++) {
		if (f[i]->fp)
			fclose(f[i]->fp);
		f[i]->fp = NULL;
		if (i >= bad && f[i]->named)
			unlink(f[i]->tmp);
		untrack(f[i]);
		outfile_free(f[i]);
	}
	kp_outfile_release_stops(&stops);
	return rc;
}

int kp_outfile_reserved_name(const char *s)
{
	static const char *const dev[] = { "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$" };
	size_t n = strcspn(s, "."), i;

	while (n && s[n - 1] == ' ')
		n--;
	for (i = 0; i < sizeof dev / sizeof dev[0]; i++)
		if (n == strlen(dev[i]) && !strncasecmp(s, dev[i], n))
			return 1;
	if (n < 4 || (strncasecmp(s, "COM", 3) && strncasecmp(s, "LPT", 3)))
		return 0;
	return (n == 4 && s[3] >= '0' && s[3] <= '9') || /* ¹ ² ³: C2 B9, C2 B2, C2 B3 */
	       (n == 5 && (unsigned char)s[3] == 0xC2 &&
		((unsigned char)s[4] == 0xB9 || (unsigned char)s[4] == 0xB2 || (unsigned char)s[4] == 0xB3));
}
