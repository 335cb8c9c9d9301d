/* report.c — the report entry points: format names, the atomic output
 * file, the buffered writer and its escapes, labels, and the two formats
 * written for machines and spreadsheets at any scale: CSV and JSON.
 * See include/kaoping/report.h; the display formats live beside it. */
#include "report_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kaoping/num.h"

#define RW_CAP (1u << 20)
#define VBUF_CAP (1u << 18)

static const char *const format_names[] = { "table", "csv", "xlsx", "md", "json", "html" };
#define NFORMATS (sizeof format_names / sizeof format_names[0])

int kp_report_format(const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < NFORMATS; i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	if (!strcmp(name, "markdown"))
		return KP_FMT_MD;
	return -1;
}

const char *kp_report_format_name(int format)
{
	if (format < 0 || (size_t)format >= NFORMATS)
		return "unknown";
	return format_names[format];
}

/* ---------- the buffered writer ---------- */

int kp_rw_open(kp_rw *w, FILE *fp, kp_err *err)
{
	w->fp = fp;
	w->len = 0;
	w->err = 0;
	w->cap = RW_CAP;
	w->buf = malloc(w->cap);
	if (!w->buf)
		return kp_err_oom(err);
	return 0;
}

void kp_rw_flush(kp_rw *w)
{
	if (w->len && !w->err) {
		errno = 0;
		if (fwrite(w->buf, 1, w->len, w->fp) != w->len)
			w->err = errno ? errno : EIO;
	}
	w->len = 0;
}

int kp_rw_close(kp_rw *w)
{
	kp_rw_flush(w);
	free(w->buf);
	w->buf = NULL;
	w->cap = 0;
	return w->err;
}

void kp_rw_put_slow(kp_rw *w, const char *s, size_t n)
{
	kp_rw_flush(w);
	if (n <= w->cap) {
		memcpy(w->buf, s, n);
		w->len = n;
		return;
	}
	if (!w->err) {
		errno = 0;
		if (fwrite(s, 1, n, w->fp) != n)
			w->err = errno ? errno : EIO;
	}
}

void kp_rw_printf(kp_rw *w, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *big;

	if (w->cap - w->len < 512)
		kp_rw_flush(w);
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < w->cap - w->len) {
		w->len += (size_t)n;
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		w->err = w->err ? w->err : ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	kp_rw_put(w, big, (size_t)n);
	free(big);
}

void kp_rw_int(kp_rw *w, long long v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	kp_rw_put(w, p, (size_t)(tmp + sizeof tmp - p));
}

void kp_rw_pad(kp_rw *w, size_t n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		kp_rw_put(w, spaces, k);
		n -= k;
	}
}

/* ---------- escapes ---------- */

void kp_rw_json_str(kp_rw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run;

	if (!s) {
		kp_rw_put(w, "null", 4);
		return;
	}
	kp_rw_putc(w, '"');
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *esc = NULL;
		char u[7];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		kp_rw_put(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4], u[5] = hex[c & 15], u[6] = '\0';
			esc = u;
		}
		kp_rw_puts(w, esc);
	}
	kp_rw_put(w, run, (size_t)(s - run));
	kp_rw_putc(w, '"');
}

void kp_rw_csv_cell(kp_rw *w, const char *s)
{
	const char *p;
	int quote = 0, neutral;

	if (!s || !*s)
		return;
	neutral = strchr("=+-@\t\r", *s) != NULL;
	for (p = s; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n') {
			quote = 1;
			break;
		}
	if (!quote && !neutral) {
		kp_rw_put(w, s, (size_t)(p - s));
		return;
	}
	if (quote)
		kp_rw_putc(w, '"');
	if (neutral)
		kp_rw_putc(w, '\'');
	for (p = s; *p; p++) {
		if (*p == '"') {
			kp_rw_put(w, s, (size_t)(p - s + 1));
			s = p; /* the quote again, doubled */
		}
	}
	kp_rw_put(w, s, (size_t)(p - s));
	if (quote)
		kp_rw_putc(w, '"');
}

/* Write s with each character esc() maps to a replacement replaced. */
static void put_escaped(kp_rw *w, const char *s, const char *(*esc)(char))
{
	const char *run, *e;

	if (!s)
		return;
	for (run = s; *s; s++) {
		if (!(e = esc(*s)))
			continue;
		kp_rw_put(w, run, (size_t)(s - run));
		kp_rw_puts(w, e);
		run = s + 1;
	}
	kp_rw_put(w, run, (size_t)(s - run));
}

static const char *html_esc(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t': case '\n': case '\r': return NULL;
	default: return (unsigned char)c < 0x20 || c == 0x7f ? "" : NULL; /* no terminal escapes */
	}
}

static const char *md_esc(char c)
{
	switch (c) {
	case '|': return "\\|";
	case '\\': return "\\\\";
	case '*': return "\\*";
	case '_': return "\\_";
	case '`': return "\\`";
	case '[': return "\\[";
	case ']': return "\\]";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '&': return "&amp;";
	case '\n': return "<br>";
	case '\r': return "";
	default: return (unsigned char)c < 0x20 || c == 0x7f ? "" : NULL; /* no terminal escapes */
	}
}

void kp_rw_html(kp_rw *w, const char *s)
{
	put_escaped(w, s, html_esc);
}

void kp_rw_md(kp_rw *w, const char *s)
{
	put_escaped(w, s, md_esc);
}

/* ---------- numbers ---------- */

static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
				    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

/* x is the double nearest to k / 10^prec, with k small enough that both
 * "%.*f" and "%.15g" print exactly that decimal. */
static int scaled(double x, int prec, long long *k)
{
	double s;

	if (prec < 0 || prec > 15)
		return 0;
	s = x * pow10_tab[prec];
	if (!(s > -1e14 && s < 1e14))
		return 0;
	*k = llround(s);
	return (double)*k / pow10_tab[prec] == x;
}

/* k / 10^prec as text; trim drops trailing zeros of the fraction. */
static char *decimal(long long k, int prec, int trim, char *buf)
{
	char dig[24];
	unsigned long long u = k < 0 ? 0ULL - (unsigned long long)k : (unsigned long long)k;
	int nd = 0, i, frac = prec;
	char *p = buf;

	do {
		dig[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (nd <= prec)
		dig[nd++] = '0';
	if (trim)
		while (frac > 0 && dig[prec - frac] == '0')
			frac--;
	if (k < 0)
		*p++ = '-';
	for (i = nd - 1; i >= prec; i--)
		*p++ = dig[i];
	if (frac > 0) {
		*p++ = '.';
		for (i = prec - 1; i >= prec - frac; i--)
			*p++ = dig[i];
	}
	*p = '\0';
	return buf;
}

char *kp_report_fixed(double x, int prec, char *buf)
{
	long long k;

	/* an unrounded value prints as the rounding rule rounds it */
	if (scaled(x, prec, &k) || scaled(kp_num_round(x, prec), prec, &k))
		return decimal(k, prec, 0, buf);
	return kp_num_fixed(x, prec, buf, KP_NUMBUF);
}

char *kp_report_short(double x, int prec, char *buf)
{
	long long k;

	if (scaled(x, prec, &k) && (k == 0 || prec <= 4 || fabs(x) >= 1e-4))
		return decimal(k, prec, 1, buf);
	return kp_num_short(x, buf, KP_NUMBUF);
}

/* ---------- labels ---------- */

static const kp_labels labels_zh = {
	.category = "类别", .rank = "排名", .unit_id = "单位代码", .name = "单位名称",
	.total = "总分", .grade = "等次", .commended = "拟表彰", .veto = "一票否决",
	.veto_reason = "否决原因", .deductions = "扣分", .bonus = "加分",
	.rank_change = "名次变化", .base = "基础分", .yes = "是", .no = "否",
	.star = "★", .new_unit = "新", .commend_list = "拟表彰名单", .details = "得分明细",
	.grades = "等次分布", .chart = "总分图", .units_fmt = "%zu个单位",
	.quota_fmt = "表彰名额%d名", .no_quota = "不设表彰名额",
	.shortfall_fmt = "符合表彰条件的单位不足，缺额%d名", .tie_flag = "边界并列",
	.note = "说明", .none_commended = "（无）", .year_fmt = "%d年度",
	.kind = "类型", .section = "一级指标", .item = "项目", .points = "得分",
	.max = "满分", .item_note = "说明",
	.no_items = "本次评分未保留逐项得分明细。", .eligible = "可表彰",
	.last_total = "上年总分", .ungraded = "无等次", .count = "单位数",
	.too_many_fmt = "单位数超过%d个：略去逐单位得分明细和总分图。",
	.others = "其他单位", .tie_short = "并列",
	.kinds = { "指标", "分项扣分", "扣分", "加分", "一票否决", "备注" },
};

static const kp_labels labels_en = {
	.category = "category", .rank = "rank", .unit_id = "unit_id", .name = "name",
	.total = "total", .grade = "grade", .commended = "commended", .veto = "veto",
	.veto_reason = "veto_reason", .deductions = "deductions", .bonus = "bonus",
	.rank_change = "rank_change", .base = "base", .yes = "yes", .no = "no",
	.star = "yes", .new_unit = "new", .commend_list = "Proposed for commendation",
	.details = "Score details", .grades = "Grade distribution", .chart = "Totals",
	.units_fmt = "%zu units", .quota_fmt = "quota %d", .no_quota = "no quota",
	.shortfall_fmt = "%d fewer eligible units than the quota",
	.tie_flag = "tied at the boundary", .note = "note", .none_commended = "(none)",
	.year_fmt = "year %d", .kind = "kind", .section = "section", .item = "item",
	.points = "points", .max = "max", .item_note = "note",
	.no_items = "No per-item details were kept for this run.", .eligible = "eligible",
	.last_total = "last_total", .ungraded = "no grade", .count = "units",
	.too_many_fmt = "More than %d units: the per-unit breakdown and the charts are left out.",
	.others = "other units", .tie_short = "tie",
	.kinds = { "indicator", "section deduction", "deduction", "bonus", "veto", "note" },
};

const kp_labels *kp_report_labels(int lang)
{
	return lang == KP_LANG_EN ? &labels_en : &labels_zh;
}

const char *kp_report_grade(const kp_result *r, const kp_unit_result *u)
{
	if (u->grade < 0 || (size_t)u->grade >= r->ngrades)
		return NULL;
	return r->grades[u->grade];
}

int kp_report_has_change(const kp_result *r)
{
	size_t i;

	if (r->last_year)
		return 1;
	for (i = 0; i < r->nunits; i++)
		if (r->units[i].has_last)
			return 1;
	return 0;
}

int kp_report_has_items(const kp_result *r)
{
	size_t i;

	for (i = 0; i < r->nunits; i++)
		if (r->units[i].items && r->units[i].nitems)
			return 1;
	return 0;
}

const char *kp_report_change(const kp_result *r, const kp_unit_result *u, const kp_labels *l,
			     char *buf, size_t size)
{
	int d = u->last_rank - u->rank;

	if (!u->has_last)
		return r->last_year ? l->new_unit : "";
	if (d > 0)
		snprintf(buf, size, "↑%d", d);
	else if (d < 0)
		snprintf(buf, size, "↓%d", -d);
	else
		snprintf(buf, size, "–");
	return buf;
}

/* ---------- the atomic output file ---------- */

struct kp_outfile {
	FILE *fp;
	char *path, *tmp, *vbuf;
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

static void outfile_free(kp_outfile *f)
{
	if (!f)
		return;
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
		return kp_err_set(err, KP_ECREATE, "%s: cannot create: %s", path, strerror(*path ? EISDIR : ENOENT));
	f->path = strdup(path);
	f->tmp = malloc(n);
	if (!f->path || !f->tmp)
		return kp_err_oom(err);
	snprintf(f->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
	return 0;
}

/* Where a symbolic link points, as a path usable from here (malloc'd), or
 * NULL. */
static char *link_target(const char *path)
{
	char buf[4096], *out;
	const char *slash;
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	size_t dir;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(path, '/');
	dir = buf[0] == '/' || !slash ? 0 : (size_t)(slash - path) + 1;
	if (!(out = malloc(dir + (size_t)n + 1)))
		return NULL;
	memcpy(out, path, dir);
	memcpy(out + dir, buf, (size_t)n + 1);
	return out;
}

kp_outfile *kp_outfile_open(const char *path, kp_err *err)
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
	/* a link is followed: the file it names is replaced, not the link; a
	 * device, pipe or folder is never replaced by a file */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = link_target(path)))
		path = real;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		kp_err_set(err, KP_ECREATE, "%s: cannot create: not a regular file (a report replaces a file, "
			   "atomically; leave out -o to print it)", path);
		goto fail;
	}
	if (outfile_name(f, path, err))
		goto fail;
	fd = mkstemp(f->tmp);
	if (fd < 0) {
		kp_err_set(err, KP_ECREATE, "%s: cannot create: %s", path, strerror(errno));
		goto fail;
	}
	mode = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0666 & ~current_umask();
	(void)fchmod(fd, mode);
	f->fp = fdopen(fd, "w");
	if (!f->fp) {
		kp_err_set(err, KP_ECREATE, "%s: cannot create: %s", path, strerror(errno));
		close(fd);
		unlink(f->tmp);
		goto fail;
	}
	f->vbuf = malloc(VBUF_CAP);
	if (f->vbuf)
		setvbuf(f->fp, f->vbuf, _IOFBF, VBUF_CAP);
	free(real);
	return f;
fail:
	free(real);
	outfile_free(f);
	return NULL;
}

FILE *kp_outfile_fp(kp_outfile *f)
{
	return f->fp;
}

const char *kp_outfile_tmpname(const kp_outfile *f)
{
	return f->tmp;
}

static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
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
	if (fclose(f->fp) != 0 && !e)
		e = errno ? errno : EIO;
	f->fp = NULL;
	if (e) {
		unlink(f->tmp);
		rc = kp_err_set(err, KP_EIO, "%s: cannot write: %s", f->path, strerror(e));
	} else if (rename(f->tmp, f->path) != 0) {
		e = errno;
		unlink(f->tmp);
		rc = kp_err_set(err, KP_ECREATE, "%s: cannot create: %s", f->path, strerror(e));
	} else {
		sync_dir(f->path);
	}
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
	unlink(f->tmp);
	outfile_free(f);
}

/* ---------- output plumbing ---------- */

typedef int (*body_fn)(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err);

/* Run body into o->output (atomically) or out, and check every write. */
static int emit(const kp_report_opts *o, FILE *out, body_fn body, void *ctx, kp_err *err)
{
	kp_outfile *of = NULL;
	FILE *fp = out;
	kp_rw w;
	int rc, e;

	if (o->output) {
		of = kp_outfile_open(o->output, err);
		if (!of)
			return err->kind;
		fp = kp_outfile_fp(of);
	} else if (!out) {
		return kp_err_set(err, KP_EINTERNAL, "report: no output stream");
	}
	rc = kp_rw_open(&w, fp, err);
	if (rc)
		goto out;
	rc = body(ctx, o, &w, err);
	e = kp_rw_close(&w);
	if (!rc && e)
		rc = kp_err_set(err, KP_EIO, "%s: cannot write: %s",
				o->output ? o->output : "standard output", strerror(e));
out:
	if (of) {
		if (rc)
			kp_outfile_abort(of);
		else
			rc = kp_outfile_commit(of, err);
	} else if (!rc) {
		errno = 0;
		if (fflush(out) != 0 || ferror(out))
			rc = kp_err_set(err, KP_EIO, "standard output: cannot write: %s",
					strerror(errno ? errno : EIO));
	}
	return rc;
}

static int want_bom(const kp_report_opts *o)
{
	return o->bom > 0 || (o->bom < 0 && o->output);
}

/* ---------- CSV ---------- */

static void csv_num(kp_rw *w, double x, int prec)
{
	char buf[KP_NUMBUF];

	kp_rw_puts(w, kp_report_fixed(x, prec, buf));
}

static void csv_header(const kp_result *r, const kp_labels *l, kp_rw *w)
{
	size_t s;

	kp_rw_puts(w, l->category), kp_rw_putc(w, ',');
	kp_rw_puts(w, l->rank), kp_rw_putc(w, ',');
	kp_rw_puts(w, l->unit_id), kp_rw_putc(w, ',');
	kp_rw_puts(w, l->name);
	for (s = 0; s < r->nsections; s++) {
		kp_rw_putc(w, ',');
		kp_rw_csv_cell(w, r->sections[s]);
	}
	kp_rw_printf(w, ",%s,%s,%s,%s,%s,%s,%s,%s\r\n", l->deductions, l->bonus, l->total, l->grade,
		     l->commended, l->veto, l->veto_reason, l->rank_change);
}

static void csv_unit(const kp_result *r, const kp_labels *l, size_t i, kp_rw *w)
{
	const kp_unit_result *u = &r->units[i];
	int p = r->precision;
	size_t s;

	kp_rw_csv_cell(w, r->categories[u->category].name), kp_rw_putc(w, ',');
	kp_rw_int(w, u->rank), kp_rw_putc(w, ',');
	kp_rw_csv_cell(w, u->id), kp_rw_putc(w, ',');
	kp_rw_csv_cell(w, u->name);
	for (s = 0; s < r->nsections; s++) {
		kp_rw_putc(w, ',');
		csv_num(w, KP_SEC(r, i, s), p);
	}
	kp_rw_putc(w, ','), csv_num(w, u->deductions, p);
	kp_rw_putc(w, ','), csv_num(w, u->bonus, p);
	kp_rw_putc(w, ','), csv_num(w, u->total, p);
	kp_rw_putc(w, ','), kp_rw_csv_cell(w, kp_report_grade(r, u));
	kp_rw_putc(w, ','), kp_rw_puts(w, u->commended ? l->yes : l->no);
	kp_rw_putc(w, ','), kp_rw_puts(w, u->veto ? l->yes : l->no);
	kp_rw_putc(w, ','), kp_rw_csv_cell(w, u->veto ? u->veto_reason : NULL);
	kp_rw_putc(w, ',');
	if (u->has_last)
		kp_rw_int(w, (long long)u->last_rank - u->rank);
	kp_rw_put(w, "\r\n", 2);
}

static int write_csv(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_result *r = ctx;
	const kp_labels *l = kp_report_labels(o->lang);
	size_t i;

	(void)err;
	if (want_bom(o))
		kp_rw_puts(w, "\xEF\xBB\xBF");
	csv_header(r, l, w);
	for (i = 0; i < r->nunits && !w->err; i++)
		csv_unit(r, l, i, w);
	return 0;
}

/* ---------- JSON ---------- */

/* The escaped keys of the sections ("name":), built once. */
static char **json_keys(const kp_result *r, kp_err *err)
{
	char **keys = calloc(r->nsections + 1, sizeof *keys);
	size_t s;

	if (!keys) {
		kp_err_oom(err);
		return NULL;
	}
	for (s = 0; s < r->nsections; s++) {
		char *buf = malloc(strlen(r->sections[s]) * 6 + 8);
		kp_rw kw = { NULL, buf, 0, strlen(r->sections[s]) * 6 + 8, 0 };
		if (!buf)
			goto oom;
		kp_rw_json_str(&kw, r->sections[s]);
		kp_rw_putc(&kw, ':');
		buf[kw.len] = '\0';
		keys[s] = buf;
	}
	return keys;
oom:
	for (s = 0; s < r->nsections; s++)
		free(keys[s]);
	free(keys);
	kp_err_oom(err);
	return NULL;
}

static void json_num(kp_rw *w, double x, int prec)
{
	char buf[KP_NUMBUF];

	if (!isfinite(x))
		kp_rw_put(w, "null", 4);
	else
		kp_rw_puts(w, kp_report_short(x, prec, buf));
}

static void json_fixed(kp_rw *w, double x, int prec)
{
	char buf[KP_NUMBUF];

	if (!isfinite(x))
		kp_rw_put(w, "null", 4);
	else
		kp_rw_puts(w, kp_report_fixed(x, prec, buf));
}

static void json_bool(kp_rw *w, const char *key, int v)
{
	kp_rw_puts(w, key);
	if (v)
		kp_rw_put(w, "true", 4);
	else
		kp_rw_put(w, "false", 5);
}

static void json_sections(const kp_result *r, char **keys, size_t i, kp_rw *w)
{
	size_t s;

	kp_rw_puts(w, ",\"sections\":{");
	for (s = 0; s < r->nsections; s++) {
		if (s)
			kp_rw_putc(w, ',');
		kp_rw_puts(w, keys[s]);
		json_num(w, KP_SEC(r, i, s), r->precision);
	}
	kp_rw_putc(w, '}');
}

static void json_unit(const kp_result *r, char **keys, size_t i, kp_rw *w)
{
	const kp_unit_result *u = &r->units[i];
	int p = r->precision;

	kp_rw_puts(w, "{\"category\":");
	kp_rw_json_str(w, r->categories[u->category].name);
	kp_rw_puts(w, ",\"rank\":"), kp_rw_int(w, u->rank);
	kp_rw_puts(w, ",\"unit_id\":"), kp_rw_json_str(w, u->id);
	kp_rw_puts(w, ",\"name\":"), kp_rw_json_str(w, u->name);
	kp_rw_puts(w, ",\"total\":"), json_fixed(w, u->total, p);
	kp_rw_puts(w, ",\"grade\":"), kp_rw_json_str(w, kp_report_grade(r, u));
	json_bool(w, ",\"commended\":", u->commended);
	json_bool(w, ",\"veto\":", u->veto);
	kp_rw_puts(w, ",\"veto_reason\":"), kp_rw_json_str(w, u->veto ? u->veto_reason : NULL);
	json_sections(r, keys, i, w);
	kp_rw_puts(w, ",\"deductions\":"), json_num(w, u->deductions, p);
	kp_rw_puts(w, ",\"bonus\":"), json_num(w, u->bonus, p);
	json_bool(w, ",\"eligible\":", u->eligible);
	json_bool(w, ",\"boundary_tie\":", u->boundary_tie);
	kp_rw_puts(w, ",\"tie_note\":"), kp_rw_json_str(w, u->tie_note);
	kp_rw_puts(w, ",\"rank_change\":");
	if (u->has_last)
		kp_rw_int(w, (long long)u->last_rank - u->rank);
	else
		kp_rw_put(w, "null", 4);
	kp_rw_puts(w, ",\"last_total\":");
	if (u->has_last)
		json_num(w, u->last_total, p);
	else
		kp_rw_put(w, "null", 4);
	kp_rw_putc(w, '}');
}

static int write_json(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_result *r = ctx;
	char **keys = json_keys(r, err);
	size_t i;

	(void)o;
	if (!keys)
		return err->kind;
	kp_rw_putc(w, '[');
	for (i = 0; i < r->nunits && !w->err; i++) {
		kp_rw_puts(w, i ? ",\n" : "\n");
		json_unit(r, keys, i, w);
	}
	kp_rw_puts(w, r->nunits ? "\n]\n" : "]\n");
	for (i = 0; i < r->nsections; i++)
		free(keys[i]);
	free(keys);
	return 0;
}

/* ---------- entry points ---------- */

static int write_table(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_table(ctx, o, w, err);
}

static int write_md(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_md(ctx, o, w, err);
}

static int write_html(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_html(ctx, o, w, err);
}

static int check_result(const kp_result *r, kp_err *err)
{
	size_t i;

	if (r->precision < 0 || r->precision > 15)
		return kp_err_set(err, KP_EINTERNAL, "report: precision %d out of range", r->precision);
	for (i = 0; i < r->nunits; i++)
		if (r->units[i].category < 0 || (size_t)r->units[i].category >= r->ncategories)
			return kp_err_set(err, KP_EINTERNAL, "report: unit '%s' has no category",
					  r->units[i].id ? r->units[i].id : "?");
	for (i = 0; i < r->ncategories; i++)
		if (r->categories[i].first > r->nunits ||
		    r->categories[i].count > r->nunits - r->categories[i].first)
			return kp_err_set(err, KP_EINTERNAL, "report: category '%s' out of range",
					  r->categories[i].name ? r->categories[i].name : "?");
	return 0;
}

int kp_report_write(const kp_result *r, const kp_report_opts *o, FILE *out, kp_err *err)
{
	static const body_fn bodies[] = {
		[KP_FMT_TABLE] = write_table, [KP_FMT_CSV] = write_csv, [KP_FMT_XLSX] = NULL,
		[KP_FMT_MD] = write_md, [KP_FMT_JSON] = write_json, [KP_FMT_HTML] = write_html,
	};
	kp_err local = { 0 };
	int rc;

	if (!err)
		err = &local;
	if (o->format < 0 || (size_t)o->format >= NFORMATS)
		return kp_err_set(err, KP_EUSAGE, "unknown report format %d", o->format);
	rc = check_result(r, err);
	if (rc)
		return rc;
	if (o->format == KP_FMT_XLSX)
		return kp_report_xlsx(r, o, out, err);
	return emit(o, out, bodies[o->format], (void *)r, err);
}

/* ---------- explain ---------- */

static const char *const kind_keys[] = { "indicator", "section_deduction", "deduction",
					 "bonus", "veto", "note" };

struct explain_ctx {
	const kp_result *r;
	size_t unit;
};

static void json_item(const kp_result *r, const kp_item *it, kp_rw *w)
{
	int k = it->kind >= 0 && it->kind <= KP_ITEM_NOTE ? it->kind : KP_ITEM_NOTE;

	kp_rw_puts(w, "{\"kind\":\""), kp_rw_puts(w, kind_keys[k]);
	kp_rw_puts(w, "\",\"section\":");
	kp_rw_json_str(w, it->section >= 0 && (size_t)it->section < r->nsections ?
				  r->sections[it->section] : NULL);
	kp_rw_puts(w, ",\"name\":"), kp_rw_json_str(w, it->name);
	kp_rw_puts(w, ",\"points\":"), json_num(w, it->points, r->precision);
	kp_rw_puts(w, ",\"max\":"), json_num(w, it->max, r->precision);
	kp_rw_puts(w, ",\"note\":"), kp_rw_json_str(w, it->note);
	json_bool(w, ",\"skipped\":", it->skipped);
	kp_rw_putc(w, '}');
}

static int explain_json(const kp_result *r, size_t i, kp_rw *w, kp_err *err)
{
	const kp_unit_result *u = &r->units[i];
	char **keys = json_keys(r, err);
	size_t k;

	if (!keys)
		return err->kind;
	kp_rw_puts(w, "{\"unit_id\":"), kp_rw_json_str(w, u->id);
	kp_rw_puts(w, ",\"name\":"), kp_rw_json_str(w, u->name);
	kp_rw_puts(w, ",\"category\":"), kp_rw_json_str(w, r->categories[u->category].name);
	kp_rw_puts(w, ",\"rank\":"), kp_rw_int(w, u->rank);
	kp_rw_puts(w, ",\"total\":"), json_fixed(w, u->total, r->precision);
	kp_rw_puts(w, ",\"grade\":"), kp_rw_json_str(w, kp_report_grade(r, u));
	json_bool(w, ",\"commended\":", u->commended);
	json_bool(w, ",\"veto\":", u->veto);
	kp_rw_puts(w, ",\"veto_reason\":"), kp_rw_json_str(w, u->veto ? u->veto_reason : NULL);
	json_bool(w, ",\"eligible\":", u->eligible);
	json_bool(w, ",\"boundary_tie\":", u->boundary_tie);
	kp_rw_puts(w, ",\"tie_note\":"), kp_rw_json_str(w, u->tie_note);
	json_sections(r, keys, i, w);
	kp_rw_puts(w, ",\n\"base\":"), json_num(w, u->base, r->precision);
	kp_rw_puts(w, ",\"deductions\":"), json_num(w, u->deductions, r->precision);
	kp_rw_puts(w, ",\"bonus\":"), json_num(w, u->bonus, r->precision);
	kp_rw_puts(w, ",\"raw\":"), json_num(w, u->raw, r->precision);
	json_bool(w, ",\"details\":", u->items != NULL);
	kp_rw_puts(w, ",\"items\":[");
	for (k = 0; u->items && k < u->nitems; k++) {
		kp_rw_puts(w, k ? ",\n  " : "\n  ");
		json_item(r, &u->items[k], w);
	}
	kp_rw_puts(w, u->items && u->nitems ? "\n]}\n" : "]}\n");
	for (k = 0; k < r->nsections; k++)
		free(keys[k]);
	free(keys);
	return 0;
}

static int write_explain(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	struct explain_ctx *c = ctx;

	if (o->format == KP_FMT_JSON)
		return explain_json(c->r, c->unit, w, err);
	return kp_report_explain_text(c->r, c->unit, o, w, err);
}

int kp_report_explain(const kp_result *r, size_t unit, const kp_report_opts *o, FILE *out, kp_err *err)
{
	struct explain_ctx c = { r, unit };
	kp_err local = { 0 };
	int rc;

	if (!err)
		err = &local;
	if (unit >= r->nunits)
		return kp_err_set(err, KP_EINTERNAL, "explain: unit index %zu out of range", unit);
	if (o->format != KP_FMT_TABLE && o->format != KP_FMT_MD && o->format != KP_FMT_JSON)
		return kp_err_set(err, KP_EUSAGE, "explain: format '%s' is not supported (table, md, json)",
				  kp_report_format_name(o->format));
	rc = check_result(r, err);
	if (rc)
		return rc;
	return emit(o, out, write_explain, &c, err);
}

/* ---------- grid ---------- */

struct grid_ctx {
	const char *const *header, *const *cells;
	size_t ncols, nrows;
};

static void grid_csv(const struct grid_ctx *g, const kp_report_opts *o, kp_rw *w)
{
	size_t i, j;

	if (want_bom(o))
		kp_rw_puts(w, "\xEF\xBB\xBF");
	for (i = 0; i <= g->nrows; i++) {
		const char *const *row = i ? g->cells + (i - 1) * g->ncols : g->header;
		for (j = 0; j < g->ncols; j++) {
			if (j)
				kp_rw_putc(w, ',');
			kp_rw_csv_cell(w, row[j]);
		}
		kp_rw_put(w, "\r\n", 2);
	}
}

static void grid_json(const struct grid_ctx *g, kp_rw *w)
{
	size_t i, j;

	kp_rw_putc(w, '[');
	for (i = 0; i < g->nrows; i++) {
		kp_rw_puts(w, i ? ",\n{" : "\n{");
		for (j = 0; j < g->ncols; j++) {
			if (j)
				kp_rw_putc(w, ',');
			kp_rw_json_str(w, g->header[j] ? g->header[j] : "");
			kp_rw_putc(w, ':');
			kp_rw_json_str(w, g->cells[i * g->ncols + j]);
		}
		kp_rw_putc(w, '}');
	}
	kp_rw_puts(w, g->nrows ? "\n]\n" : "]\n");
}

static int write_grid(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const struct grid_ctx *g = ctx;

	if (o->format == KP_FMT_CSV) {
		grid_csv(g, o, w);
		return 0;
	}
	if (o->format == KP_FMT_JSON) {
		grid_json(g, w);
		return 0;
	}
	return kp_report_grid_text(g->header, g->ncols, g->cells, g->nrows, o, w, err);
}

int kp_report_grid(const char *const *header, size_t ncols, const char *const *cells,
		   size_t nrows, const kp_report_opts *o, FILE *out, kp_err *err)
{
	struct grid_ctx g = { header, cells, ncols, nrows };
	kp_err local = { 0 };

	if (!err)
		err = &local;
	if (o->format != KP_FMT_TABLE && o->format != KP_FMT_CSV && o->format != KP_FMT_MD &&
	    o->format != KP_FMT_JSON)
		return kp_err_set(err, KP_EUSAGE, "format '%s' is not supported here (table, csv, md, json)",
				  kp_report_format_name(o->format));
	return emit(o, out, write_grid, &g, err);
}
