/* infile.c — opening a file the user names as input: regular files only,
 * checked with fstat on a descriptor opened with O_NONBLOCK, so that the
 * open itself cannot wait on a FIFO.  The descriptor stays non-blocking:
 * a file on disk reads the same, and a "regular" file of the kernel's
 * whose read waits (/proc/kmsg, which a database may name as its rule
 * file) fails at once instead of hanging.  See include/kaoping/infile.h. */
#include "kaoping/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char *kind_name(mode_t m)
{
	if (S_ISFIFO(m))
		return kp_msg_fmt(KP_MSG_IN_KIND_FIFO);
	if (S_ISSOCK(m))
		return kp_msg_fmt(KP_MSG_IN_KIND_SOCKET);
	if (S_ISCHR(m))
		return kp_msg_fmt(KP_MSG_IN_KIND_CHR);
	if (S_ISBLK(m))
		return kp_msg_fmt(KP_MSG_IN_KIND_BLK);
	return kp_msg_fmt(KP_MSG_IN_KIND_OTHER);
}

/* what in the current language: the callers name it in English ("a CSV
 * file"), which is the English text of one of the catalogue's IN_WHAT_*. */
static const char *what_text(const char *what)
{
	static const enum kp_msgid whats[] = {KP_MSG_IN_WHAT_CSV, KP_MSG_IN_WHAT_DATA, KP_MSG_IN_WHAT_WORKBOOK,
					      KP_MSG_IN_WHAT_RULES, KP_MSG_IN_WHAT_TEMPLATE};
	size_t i;

	for (i = 0; i < sizeof whats / sizeof whats[0]; i++)
		if (!strcmp(what, kp_msg_text(whats[i], KP_LANG_EN)))
			return kp_msg_fmt(whats[i]);
	return what;
}

static int refuse(const char *path, const char *what, mode_t m, kp_err *err)
{
	if (S_ISDIR(m))
		return kp_err_msg(err, KP_ENOINPUT, KP_M_IN_FILE_IS_DIR, path, what_text(what));
	return kp_err_msg(err, KP_ENOINPUT, KP_M_IN_FILE_NOT_REGULAR, path, kind_name(m), what_text(what));
}

int kp_infile_open_fd(const char *path, const char *what, struct stat *st, kp_err *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		kp_err_msg(err, KP_ENOINPUT, KP_M_IN_FILE_CANNOT_OPEN, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0) {
		kp_err_msg(err, KP_ENOINPUT, KP_M_IN_FILE_CANNOT_OPEN, path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		refuse(path, what, st->st_mode, err);
		close(fd);
		return -1;
	}
	return fd;
}

FILE *kp_infile_open(const char *path, const char *what, struct stat *st, kp_err *err)
{
	int fd = kp_infile_open_fd(path, what, st, err);
	FILE *fp;

	if (fd < 0)
		return NULL;
	if (!(fp = fdopen(fd, "rb"))) {
		kp_err_msg(err, KP_ENOINPUT, KP_M_IN_FILE_CANNOT_OPEN, path, strerror(errno));
		close(fd);
	}
	return fp;
}

int kp_infile_same(const char *a, const char *b)
{
	struct stat sa, sb;

	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
