/* infile.c — opening a file the user names as input: regular files only,
 * checked with fstat on a descriptor opened with O_NONBLOCK, so that the
 * open itself cannot wait on a FIFO.  See include/kaoping/infile.h. */
#include "kaoping/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char *kind_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

static int refuse(const char *path, const char *what, mode_t m, kp_err *err)
{
	if (S_ISDIR(m))
		return kp_err_set(err, KP_ENOINPUT, "%s: is a directory, not %s", path, what);
	return kp_err_set(err, KP_ENOINPUT, "%s: is %s, not a regular file: give %s", path, kind_name(m), what);
}

int kp_infile_open_fd(const char *path, const char *what, struct stat *st, kp_err *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY), flags;

	if (fd < 0) {
		kp_err_set(err, KP_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0) {
		kp_err_set(err, KP_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		refuse(path, what, st->st_mode, err);
		close(fd);
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

FILE *kp_infile_open(const char *path, const char *what, struct stat *st, kp_err *err)
{
	int fd = kp_infile_open_fd(path, what, st, err);
	FILE *fp;

	if (fd < 0)
		return NULL;
	if (!(fp = fdopen(fd, "rb"))) {
		kp_err_set(err, KP_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
		close(fd);
	}
	return fp;
}

int kp_infile_same(const char *a, const char *b)
{
	struct stat sa, sb;

	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
