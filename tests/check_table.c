/* check_table.c — a table's numeric columns: whatever form a column takes
 * (integers of 1, 2 or 4 bytes at a scale, or doubles), and however it
 * changes form as rows arrive or tables are appended, every cell reads
 * back as exactly the double and the status kp_num_parse gives its text. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/num.h"
#include "kaoping/sb.h"
#include "kaoping/table.h"

/* Cells of every kind a column meets: plain decimals of 0..15 places,
 * integers near the edges of each width, signs and zeros, the forms only
 * strtod reads (percent, separators, exponents, full width), words for no
 * value and blanks. */
static const char *const cells[] = {
	"0", "1", "-1", "7", "125", "-126", "127", "128", "-127", "-128", "-129", "32765", "32767", "32768",
	"-32766", "-32767", "-32769", "2147483645", "2147483647", "2147483648", "-2147483646", "-2147483647",
	"-2147483649", "0.8951", "0.95", "1.0000", "94.2", "-0.5", "-0.50", "0.1", "0.123456789", "0.1234567891",
	"12345.6789", "0.000000001", "0.0000000001", "999999999999999", "123456789012345", "0.30000000000000004",
	"-0", "-0.0", "0.0", "12.", "95%", "95.5%", "1,234", "1,234.5", "1e3", "2.5E-3", "１２３", "－３",
	"３．５％", "\xE2\x88\x92\x37", " 42 ", "N/A", "-", "无", "", "  ",
};
#define NCELLS (sizeof cells / sizeof cells[0])

/* x and y are the same double, bit for bit (NaNs by their sign). */
static int same(double x, double y)
{
	if (isnan(x) || isnan(y))
		return isnan(x) && isnan(y) && !signbit(x) == !signbit(y);
	return memcmp(&x, &y, sizeof x) == 0;
}

static kp_table *one_column(void)
{
	static char name[] = "v";
	char *names[] = {name};
	const unsigned char numeric[] = {1};
	kp_err err = {0};
	kp_table *t = kp_table_new("d", "d.csv", &err);

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(kp_table_set_columns(t, 1, names, numeric, &err), 0);
	return t;
}

static void add(kp_table *t, const char *cell)
{
	char buf[64];
	char *f[] = {buf};
	kp_err err = {0};

	snprintf(buf, sizeof buf, "%s", cell);
	ck_assert_msg(kp_table_add(t, t->nrows + 2, f, NULL, &err) == 0, "%s: %s", cell, err.msg);
}

/* Row r of t reads back as kp_num_parse reads cell. */
static void check_row(const kp_table *t, size_t r, const char *cell)
{
	double want, got;
	int st = kp_num_parse(cell, &want), gst = kp_table_num(t, r, 0, &got);

	if (st == KP_NUM_EMPTY)
		want = NAN;
	else if (st == KP_NUM_NA)
		want = copysign(NAN, -1.0);
	ck_assert_msg(gst == st, "row %zu '%s': status %d, want %d", r, cell, gst, st);
	ck_assert_msg(same(got, want), "row %zu '%s': %.17g, want %.17g (width %d scale %d)", r, cell, got, want,
		      t->num[0].width, t->num[0].scale);
}

/* A small deterministic generator, so a failure names its seed. */
static unsigned next(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

/* Rows in random orders (each seed another order, so every cell comes
 * first, last, and after rows that force each change of form), read
 * back after every row added. */
START_TEST(test_cells_read_back)
{
	unsigned seed = (unsigned)_i + 1;
	const char *rows[400];
	kp_table *t = one_column();
	size_t n = 0, r;

	for (n = 0; n < sizeof rows / sizeof rows[0]; n++) {
		/* runs of one kind, then a jump: the column changes form mid-way */
		unsigned k = next(&seed);
		rows[n] = k % 4 ? cells[(n / 7 + (size_t)_i) % NCELLS] : cells[k % NCELLS];
		add(t, rows[n]);
		if (n % 37 == 0)
			for (r = 0; r <= n; r++)
				check_row(t, r, rows[r]);
	}
	for (r = 0; r < n; r++)
		check_row(t, r, rows[r]);
	kp_table_free(t);
}
END_TEST

/* Every cell alone, and each after each: a column's first value and
 * every change of form from one kind to another. */
START_TEST(test_every_pair)
{
	size_t i, j;

	for (i = 0; i < NCELLS; i++)
		for (j = 0; j < NCELLS; j++) {
			kp_table *t = one_column();
			add(t, cells[i]);
			add(t, cells[j]);
			add(t, cells[i]);
			check_row(t, 0, cells[i]);
			check_row(t, 1, cells[j]);
			check_row(t, 2, cells[i]);
			kp_table_free(t);
		}
}
END_TEST

/* The form a column takes: as narrow as its values allow. */
START_TEST(test_forms)
{
	static const struct {
		const char *a, *b;
		int width, scale;
	} c[] = {
		{"3", "10", 1, 0},         {"0.8951", "1", 2, 4},      {"375", "5000", 2, 0},
		{"0.5", "-12", 1, 1},      {"0.123456789", "1", 4, 9}, {"1", "32767", 2, 0},
		{"1", "32768", 4, 0},      {"-32766", "0", 2, 0},      {"-32767", "0", 4, 0},
		{"0.1234567891", "1", 8, 0}, {"2147483648", "1", 8, 0}, {"95%", "1", 1, 2},
		{"N/A", "", 1, 0},         {"1e300", "1", 8, 0},        {"0.30000000000000004", "1", 8, 0},
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		kp_table *t = one_column();
		add(t, c[i].a);
		add(t, c[i].b);
		ck_assert_msg(t->num[0].width == c[i].width && (c[i].width == 8 || t->num[0].scale == c[i].scale),
			      "'%s', '%s': width %d scale %d, want %d %d", c[i].a, c[i].b, t->num[0].width,
			      t->num[0].scale, c[i].width, c[i].scale);
		check_row(t, 0, c[i].a);
		check_row(t, 1, c[i].b);
		kp_table_free(t);
	}
}
END_TEST

/* A table appended to another (the pieces a file is read in on threads,
 * an import read back in parts), each in its own form: the rows of both
 * read back, whichever form the first had. */
START_TEST(test_append_forms)
{
	size_t i, j, r;

	for (i = 0; i < NCELLS; i += 3)
		for (j = 0; j < NCELLS; j += 2) {
			kp_table *a = one_column(), *b = one_column();
			kp_err err = {0};
			for (r = 0; r < 300; r++)
				add(a, cells[(i + r % 3) % NCELLS]);
			for (r = 0; r < 200; r++)
				add(b, cells[(j + r % 5) % NCELLS]);
			ck_assert_int_eq(kp_table_append(a, b, &err), 0);
			ck_assert_uint_eq(a->nrows, 500);
			for (r = 0; r < 300; r++)
				check_row(a, r, cells[(i + r % 3) % NCELLS]);
			for (r = 0; r < 200; r++)
				check_row(a, 300 + r, cells[(j + r % 5) % NCELLS]);
			kp_table_free(a);
		}
}
END_TEST

/* A cell as text: the shortest form of its number, as the double gives
 * it ("1.0000" is 1, "95%" 0.95), a blank and a word for no value empty. */
START_TEST(test_cell_text)
{
	static const char *const in[] = {"0.8951", "1.0000", "95%", "-0.50", "", "N/A", "1e3", "2147483648"};
	static const char *const want[] = {"0.8951", "1", "0.95", "-0.5", "", "", "1000", "2147483648"};
	kp_table *t = one_column();
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof in / sizeof in[0]; i++)
		add(t, in[i]);
	for (i = 0; i < sizeof in / sizeof in[0]; i++)
		ck_assert_str_eq(kp_table_cell(t, i, 0, buf, sizeof buf), want[i]);
	kp_table_free(t);
}
END_TEST

/* Many rows: the column grows and keeps its form, then rescales every
 * row it holds when a value with more places comes last. */
START_TEST(test_many_rows_rescaled)
{
	kp_table *t = one_column();
	char cell[32];
	size_t r, n = 100000;
	double v;

	for (r = 0; r < n; r++) {
		snprintf(cell, sizeof cell, "%zu", r % 1000);
		add(t, cell);
	}
	ck_assert_int_eq(t->num[0].width, 2);
	add(t, "0.001");
	ck_assert_int_eq(t->num[0].width, 4);
	ck_assert_int_eq(t->num[0].scale, 3);
	for (r = 0; r < n; r++) {
		ck_assert_int_eq(kp_table_num(t, r, 0, &v), KP_NUM_OK);
		ck_assert(v == (double)(r % 1000));
	}
	check_row(t, n, "0.001");
	kp_table_free(t);
}
END_TEST

/* kp_hash of "U0000001" in a process of its own (fork: the start is
 * drawn on first use). */
static size_t hash_in_child(void)
{
	int fd[2], st;
	size_t h = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		h = kp_hash_str("U0000001");
		_exit(write(fd[1], &h, sizeof h) == (ssize_t)sizeof h ? 0 : 1);
	}
	close(fd[1]);
	ck_assert_int_eq(read(fd[0], &h, sizeof h), (ssize_t)sizeof h);
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return h;
}

/* The hash of every hash table starts from a value drawn per process:
 * the same key hashes otherwise in another process (so no file can hold
 * keys made ahead to collide), alike within one, and the same by both
 * entry points. */
START_TEST(test_hash_per_process)
{
	size_t a = hash_in_child(), b = hash_in_child();

	ck_assert_uint_ne(a, b);
	ck_assert_uint_eq(kp_hash_str("U0000001"), kp_hash("U0000001", 8));
	ck_assert_uint_eq(kp_hash_str(""), kp_hash("", 0));
	ck_assert_uint_ne(kp_hash_str("U0000001"), kp_hash_str("U0000002"));
}
END_TEST

static Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("table");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cells_read_back, 0, 40);
	tcase_add_test(tc, test_every_pair);
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_append_forms);
	tcase_add_test(tc, test_cell_text);
	tcase_add_test(tc, test_many_rows_rescaled);
	tcase_add_test(tc, test_hash_per_process);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(table_suite)
