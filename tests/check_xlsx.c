/* check_xlsx.c — the workbook reader (kp_xlsx_*): every cell type, dates,
 * numbers without float noise, empty rows and columns, sheets by name,
 * and an error naming the cell for every bad input.  Workbooks are made in
 * the test: real ones with libxlsxwriter (as Excel and `kaoping template`
 * write them), hand-made SpreadsheetML zipped with libzip for the cases a
 * writer never produces. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "check_util.h"
#include "kaoping/csv.h"
#include "kaoping/xlsx.h"
#include "kaoping/xlsxw.h"

/* ---------- what the reader hands over, as text ---------- */

typedef struct sink {
	char s[8192];
	size_t rows;
	size_t stop_at;   /* fail data row number stop_at (1-based), 0: never */
} sink;

static void put_row(sink *k, const char *tag, const kp_csv_row *row)
{
	size_t i, n = strlen(k->s);

	n += (size_t)snprintf(k->s + n, sizeof k->s - n, "%s%zu:", tag, row->line);
	for (i = 0; i < row->n; i++) {
		ck_assert_uint_eq(strlen(row->f[i]), row->len[i]);
		n += (size_t)snprintf(k->s + n, sizeof k->s - n, "%s%s", i ? "|" : "", row->f[i]);
	}
	snprintf(k->s + n, sizeof k->s - n, "\n");
}

static int on_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	(void)err;
	put_row(ud, "H", row);
	return 0;
}

static int on_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	sink *k = ud;

	put_row(k, "", row);
	if (++k->rows == k->stop_at)
		return kp_err_set(err, KP_EDATA, "stopped at row %zu", k->rows);
	return 0;
}

static char path[64];

static void fresh_path(void)
{
	snprintf(path, sizeof path, "/tmp/check_xlsx.%ld.xlsx", (long)getpid());
}

/* Read path; the rows into k, the status returned, the message in err. */
static int read_path(const char *sheet, sink *k, kp_err *err, kp_csv_info *info)
{
	kp_csv_opts o;

	memset(&o, 0, sizeof o);
	memset(k, 0, sizeof *k);
	memset(err, 0, sizeof *err);
	o.sheet = sheet, o.sha256 = 1;
	return kp_xlsx_read_any(path, &o, on_header, on_row, k, info, err);
}

/* ---------- hand-made workbooks ---------- */

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	   "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define WB "<workbook " NS "><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define RELS "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
	"<Relationship Id=\"rId1\" Type=\"http://x/worksheet\" Target=\"worksheets/sheet1.xml\"/>" \
	"<Relationship Id=\"rId2\" Type=\"http://x/sharedStrings\" Target=\"sharedStrings.xml\"/>" \
	"<Relationship Id=\"rId3\" Type=\"http://x/styles\" Target=\"/xl/styles.xml\"/></Relationships>"
/* styles: 0 General, 1 built-in 14 (a date), 2 a Chinese date format,
 * 3 a time (h:mm, no date), 4 a number format with a quoted "d" */
#define STYLES "<styleSheet " NS "><numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>" \
	"<numFmt numFmtId=\"165\" formatCode=\"h:mm\"/><numFmt numFmtId=\"166\" formatCode=\"0.0&quot;d&quot;\"/></numFmts>" \
	"<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>" \
	"<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>" \
	"<xf numFmtId=\"166\"><alignment/></xf></cellXfs></styleSheet>"
#define SST "<sst " NS "><si><t>甲</t></si><si><r><t>富</t></r><r><rPr/><t xml:space=\"preserve\">文本 </t></r>" \
	"</si><si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></si><si><t/></si></sst>"

static void add(zip_t *z, const char *name, const char *text)
{
	zip_source_t *src;

	if (!text)
		return;
	src = zip_source_buffer(z, text, strlen(text), 0);
	ck_assert_ptr_nonnull(src);
	ck_assert_int_ge(zip_file_add(z, name, src, ZIP_FL_OVERWRITE), 0);
}

/* A workbook at path with these parts (NULL: left out). */
static void make_parts(const char *wb, const char *rels, const char *styles, const char *sst, const char *sheet)
{
	int ze;
	zip_t *z;

	fresh_path();
	unlink(path);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	ck_assert_ptr_nonnull(z);
	add(z, "xl/workbook.xml", wb);
	add(z, "xl/_rels/workbook.xml.rels", rels);
	add(z, "xl/styles.xml", styles);
	add(z, "xl/sharedStrings.xml", sst);
	add(z, "xl/worksheets/sheet1.xml", sheet);
	ck_assert_int_eq(zip_close(z), 0);
}

static char sheet_buf[4096];

/* A sheet of these rows (and what follows sheetData). */
static const char *sheet_of(const char *rows, const char *after)
{
	snprintf(sheet_buf, sizeof sheet_buf, "<worksheet " NS "><sheetData>%s</sheetData>%s</worksheet>", rows,
		 after ? after : "");
	return sheet_buf;
}

static void make(const char *rows)
{
	make_parts(WB, RELS, STYLES, SST, sheet_of(rows, NULL));
}

#define HDR "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>n</t></is></c></row>"

/* ---------- a real workbook, as libxlsxwriter writes one ---------- */

START_TEST(test_writer_types)
{
	lxw_workbook *wb;
	lxw_worksheet *ws, *notes;
	lxw_format *date;
	lxw_datetime dt = {2024, 3, 31, 15, 30, 0};
	kp_csv_info info;
	kp_err err;
	sink k;

	fresh_path();
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, "数据");
	notes = workbook_add_worksheet(wb, "说明");
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	worksheet_write_string(ws, 0, 0, "单位代码", NULL);
	worksheet_write_string(ws, 0, 1, " 学法次数 ", NULL); /* trimmed as a CSV header is */
	worksheet_write_string(ws, 0, 2, "比例", NULL);
	worksheet_write_string(ws, 0, 3, "日期", NULL);
	worksheet_write_string(ws, 0, 4, "是否", NULL);
	worksheet_write_string(ws, 0, 5, "公式", NULL);
	worksheet_write_string(ws, 0, 6, "文字", NULL);
	worksheet_write_comment(ws, 0, 1, "每季度至少一次");
	worksheet_write_string(ws, 1, 0, "B01", NULL);
	worksheet_write_number(ws, 1, 1, 3, NULL);
	worksheet_write_number(ws, 1, 2, 0.1 + 0.2, NULL); /* stored as 0.30000000000000004 */
	worksheet_write_datetime(ws, 1, 3, &dt, date);
	worksheet_write_boolean(ws, 1, 4, 1, NULL);
	worksheet_write_formula_num(ws, 1, 5, "=B2*2", NULL, 6);
	worksheet_write_formula_str(ws, 1, 6, "=A2&\"镇\"", NULL, "B01镇");
	worksheet_write_string(ws, 3, 0, "B02", NULL); /* row 3 empty, row 4 the second unit */
	worksheet_write_number(ws, 3, 2, -0.0, NULL);
	worksheet_write_boolean(ws, 3, 4, 0, NULL);
	worksheet_write_string(notes, 0, 0, "说明", NULL);
	worksheet_write_string(notes, 1, 0, "填表须知", NULL);
	ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
	memset(&info, 0, sizeof info);
	ck_assert_int_eq(read_path(NULL, &k, &err, &info), 0);
	ck_assert_str_eq(k.s, "H1:单位代码|学法次数|比例|日期|是否|公式|文字\n"
			      "2:B01|3|0.3|2024-03-31|TRUE|6|B01镇\n"
			      "4:B02||0||FALSE||\n");
	ck_assert_int_eq(info.workbook, KP_XLSX_XLSX);
	ck_assert_uint_eq(info.rows, 2);
	ck_assert_int_eq(read_path("说明", &k, &err, NULL), 0);
	ck_assert_str_eq(k.s, "H1:说明\n2:填表须知\n");
	ck_assert_int_eq(read_path("汇总", &k, &err, NULL), KP_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "no sheet named '汇总' (the sheets: '数据', '说明')"));
	unlink(path);
}
END_TEST

/* The merged header libxlsxwriter writes (a title over two columns). */
START_TEST(test_writer_merged_header)
{
	lxw_workbook *wb;
	lxw_worksheet *ws;
	kp_err err;
	sink k;

	fresh_path();
	wb = workbook_new(path);
	ws = workbook_add_worksheet(wb, NULL);
	worksheet_write_string(ws, 0, 0, "id", NULL);
	worksheet_merge_range(ws, 0, 1, 0, 2, "得分", NULL);
	worksheet_write_string(ws, 1, 0, "u1", NULL);
	worksheet_write_number(ws, 1, 1, 1, NULL);
	worksheet_write_number(ws, 1, 2, 2, NULL);
	ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, ".xlsx:1: the header cells B1:C1 are merged; unmerge them and give each "
					      "column a name of its own in row 1"));
	unlink(path);
}
END_TEST

/* ---------- hand-made: every cell type ---------- */

START_TEST(test_cell_types)
{
	kp_err err;
	sink k;

	make("<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"B2\" t=\"s\"><v>1</v></c><c r=\"C2\" t=\"s\"><v>2</v></c></row>"
	     "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><r><t>行</t></r><r><t>内</t></r><rPh><t>x</t></rPh></is></c>"
	     "<c r=\"B3\" t=\"str\"><f>A3</f><v>公式文本</v></c><c r=\"C3\" t=\"b\"><v>1</v></c></row>"
	     "<row r=\"4\"><c r=\"A4\" t=\"d\"><v>2024-03-31T00:00:00</v></c><c r=\"B4\"><f>1/3</f><v>0.33333333333333331</v></c>"
	     "<c r=\"C4\" t=\"s\"><v>3</v></c></row>"
	     "<row r=\"5\"><c r=\"A5\" t=\"n\"><v>1E-7</v></c><c r=\"B5\"><v>12345678901234567890</v></c>"
	     "<c r=\"C5\"><v>-0</v></c></row>");
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), 0);
	ck_assert_str_eq(k.s, "H2:甲|富文本|東京\n"
			      "3:行内|公式文本|TRUE\n"
			      "4:2024-03-31|0.333333333333333|\n"
			      "5:1e-07|1.23456789012346e+19|0\n");
}
END_TEST

/* Numbers show as the cell does in General: 15 significant digits. */
START_TEST(test_number_noise)
{
	static const struct { const char *v, *want; } cases[] = {
		{"0.30000000000000004", "0.3"}, {"2.9999999999999996", "3"}, {"100", "100"}, {"1.5", "1.5"},
		{"0.1", "0.1"}, {"85.000000000000014", "85"}, {"-3.0000000000000004", "-3"},
		{"123456789.12345679", "123456789.123457"}, {"1E+300", "1e+300"},
		/* zeros however written, and what a plain decimal may be */
		{"0", "0"}, {"0.0", "0"}, {"-0", "0"}, {"0e5", "0"}, {"0E-400", "0"}, {" 7", "7"}, {"+2.5", "2.5"},
		{".5", "0.5"}, {"5.", "5"},
	};
	char rows[512];
	kp_err err;
	sink k;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		char want[128];
		snprintf(rows, sizeof rows, HDR "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>u</t></is></c>"
			 "<c r=\"B2\"><v>%s</v></c></row>", cases[i].v);
		make(rows);
		ck_assert_int_eq(read_path(NULL, &k, &err, NULL), 0);
		snprintf(want, sizeof want, "H1:id|n\n2:u|%s\n", cases[i].want);
		ck_assert_str_eq(k.s, want);
	}
}
END_TEST

/* Dates by format: built-in 14, a Chinese custom format, not h:mm nor a
 * format with a quoted d; the 1900 leap-year bug and the 1904 system. */
START_TEST(test_dates)
{
	kp_err err;
	sink k;

	make(HDR "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>45382</v></c><c r=\"B2\" s=\"2\"><v>45382.75</v></c></row>"
	     "<row r=\"3\"><c r=\"A3\" s=\"3\"><v>0.5</v></c><c r=\"B3\" s=\"4\"><v>2.5</v></c></row>"
	     "<row r=\"4\"><c r=\"A4\" s=\"1\"><v>59</v></c><c r=\"B4\" s=\"1\"><v>61</v></c></row>"
	     "<row r=\"5\"><c r=\"A5\" s=\"1\"><v>1</v></c><c r=\"B5\" s=\"99\"><v>45382</v></c></row>");
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), 0);
	ck_assert_str_eq(k.s, "H1:id|n\n2:2024-03-31|2024-03-31\n3:0.5|2.5\n4:1900-02-28|1900-03-01\n"
			      "5:1900-01-01|45382\n");
	make_parts("<workbook " NS "><workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
		   "</sheets></workbook>", RELS, STYLES, SST,
		   sheet_of(HDR "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>43920</v></c></row>", NULL));
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), 0);
	ck_assert_str_eq(k.s, "H1:id|n\n2:2024-03-31|\n");
}
END_TEST

/* Empty rows are skipped (lines stay the sheet's rows), empty trailing
 * columns are ignored, missing cells are empty fields, cells without r
 * follow the one before. */
START_TEST(test_empty_rows_columns)
{
	kp_err err;
	sink k;

	make("<row r=\"1\"><c r=\"A1\"/><c r=\"B1\" t=\"s\"><v>3</v></c></row>"
	     "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>id</t></is></c><c t=\"inlineStr\"><is><t>n</t></is></c>"
	     "<c r=\"E3\" t=\"s\"><v>3</v></c><c r=\"F3\"/></row>"
	     "<row><c r=\"A4\"><v>1</v></c><c r=\"D4\"/></row>"
	     "<row r=\"9\"><c r=\"B9\"><v>2</v></c><c r=\"XFD9\"/></row><row r=\"10\"/>");
	ck_assert_msg(read_path(NULL, &k, &err, NULL) == 0, "%s", err.msg);
	ck_assert_str_eq(k.s, "H3:id|n\n4:1|\n9:|2\n");
}
END_TEST

/* opts.header_only: a sheet of a header and no rows (an empty row aside)
 * is a table of no rows for a caller that asked (an event list with no
 * events); a sheet with no header stays an error. */
START_TEST(test_header_only)
{
	kp_csv_info info;
	kp_csv_opts o;
	kp_err err;
	sink k;

	make(HDR "<row r=\"3\"/>");
	memset(&o, 0, sizeof o);
	memset(&k, 0, sizeof k);
	memset(&err, 0, sizeof err);
	o.header_only = 1;
	ck_assert_msg(kp_xlsx_read_any(path, &o, on_header, on_row, &k, &info, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(k.s, "H1:id|n\n");
	ck_assert_uint_eq(info.rows, 0);
	ck_assert_int_eq(info.workbook, KP_XLSX_XLSX);
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA); /* the default refuses it */
	ck_assert_ptr_nonnull(strstr(err.msg, ": the sheet has a header but no rows"));
	make("<row r=\"1\"/>");
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(kp_xlsx_read_any(path, &o, on_header, on_row, &k, &info, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, ": the sheet is empty (no header row)"));
}
END_TEST

START_TEST(test_callback_stops)
{
	kp_err err;
	kp_csv_opts o;
	sink k;

	make(HDR "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row><row r=\"3\"><c r=\"A3\"><v>2</v></c></row>"
	     "<row r=\"4\"><c r=\"A4\"><v>3</v></c></row>");
	memset(&o, 0, sizeof o);
	memset(&k, 0, sizeof k);
	k.stop_at = 2;
	ck_assert_int_eq(kp_xlsx_read_file(path, &o, on_header, on_row, &k, NULL, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "stopped at row 2");
	ck_assert_str_eq(k.s, "H1:id|n\n2:1|\n3:2|\n");
}
END_TEST

START_TEST(test_sniff_and_refs)
{
	char ref[KP_XLSX_REF];

	ck_assert_int_eq(kp_xlsx_sniff("PK\3\4rest", 8), KP_XLSX_XLSX);
	ck_assert_int_eq(kp_xlsx_sniff("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8), KP_XLSX_XLS);
	ck_assert_int_eq(kp_xlsx_sniff("id,n\n", 5), KP_XLSX_NONE);
	ck_assert_int_eq(kp_xlsx_sniff("PK", 2), KP_XLSX_NONE);
	ck_assert_str_eq(kp_xlsx_ref(0, 1, ref), "A1");
	ck_assert_str_eq(kp_xlsx_ref(25, 7, ref), "Z7");
	ck_assert_str_eq(kp_xlsx_ref(26, 10, ref), "AA10");
	ck_assert_str_eq(kp_xlsx_ref(16383, 1048576, ref), "XFD1048576");
	ck_assert_str_eq(kp_xlsx_kind_name(KP_XLSX_XLS), "xls");
}
END_TEST

/* ---------- which sheet: the first visible one, a hidden one by name ---------- */

#define RELS2 "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
	"<Relationship Id=\"rId1\" Type=\"http://x/worksheet\" Target=\"worksheets/sheet1.xml\"/>" \
	"<Relationship Id=\"rId2\" Type=\"http://x/worksheet\" Target=\"worksheets/sheet2.xml\"/></Relationships>"

/* A workbook of two sheets, 'old' (sheet1.xml, state s1) and 'Data'
 * (sheet2.xml, state s2); NULL: no state attribute. */
static void make_two(const char *s1, const char *s2)
{
	char wb[1024], one[512], two[512];
	int ze;
	zip_t *z;

	snprintf(wb, sizeof wb, "<workbook " NS "><sheets><sheet name=\"old\" sheetId=\"1\"%s%s%s r:id=\"rId1\"/>"
		 "<sheet name=\"Data\" sheetId=\"2\"%s%s%s r:id=\"rId2\"/></sheets></workbook>",
		 s1 ? " state=\"" : "", s1 ? s1 : "", s1 ? "\"" : "", s2 ? " state=\"" : "", s2 ? s2 : "",
		 s2 ? "\"" : "");
	snprintf(one, sizeof one, "<worksheet " NS "><sheetData>" HDR "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\">"
		 "<is><t>hidden</t></is></c><c r=\"B2\"><v>99</v></c></row></sheetData></worksheet>");
	snprintf(two, sizeof two, "<worksheet " NS "><sheetData>" HDR "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\">"
		 "<is><t>visible</t></is></c><c r=\"B2\"><v>1</v></c></row></sheetData></worksheet>");
	fresh_path();
	unlink(path);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	ck_assert_ptr_nonnull(z);
	add(z, "xl/workbook.xml", wb);
	add(z, "xl/_rels/workbook.xml.rels", RELS2);
	add(z, "xl/worksheets/sheet1.xml", one);
	add(z, "xl/worksheets/sheet2.xml", two);
	ck_assert_int_eq(zip_close(z), 0);
}

START_TEST(test_hidden_sheets)
{
	static const struct {
		const char *s1, *s2, *want; /* want: what the first sheet read gives */
	} c[] = {
		{"hidden", NULL, "H1:id|n\n2:visible|1\n"},
		{"veryHidden", "visible", "H1:id|n\n2:visible|1\n"},
		{"visible", NULL, "H1:id|n\n2:hidden|99\n"},
		{NULL, "hidden", "H1:id|n\n2:hidden|99\n"},
		{"bogus", NULL, "H1:id|n\n2:visible|1\n"}, /* a state not "visible" is not shown */
	};
	char want[1024];
	kp_err err;
	sink k;
	size_t i;
	int zh;

	for (i = 0; i < sizeof c / sizeof *c; i++) {
		make_two(c[i].s1, c[i].s2);
		ck_assert_msg(read_path(NULL, &k, &err, NULL) == 0, "case %zu: %s", i, err.msg);
		ck_assert_msg(!strcmp(k.s, c[i].want), "case %zu: got %s", i, k.s);
	}
	/* asked for by name, a hidden sheet is read */
	make_two("veryHidden", NULL);
	ck_assert_int_eq(read_path("old", &k, &err, NULL), 0);
	ck_assert_str_eq(k.s, "H1:id|n\n2:hidden|99\n");
	/* no sheet visible: refused, the sheets named */
	make_two("hidden", "veryHidden");
	for (zh = 0; zh <= 1; zh++) {
		kp_msg_set_lang(zh ? KP_LANG_ZH : KP_LANG_EN);
		ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
		snprintf(want, sizeof want, "%s%s", path,
			 zh ? ": 工作簿中的工作表都是隐藏的（现有工作表：“old”、“Data”）；请取消隐藏要读的工作表，或用 --sheet 指明"
			    : ": every sheet of the workbook is hidden (the sheets: 'old', 'Data'); unhide the one to read, "
			      "or name it with --sheet");
		ck_assert_str_eq(err.msg, want);
		ck_assert_str_eq(k.s, "");
	}
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_int_eq(read_path("Data", &k, &err, NULL), 0);
	ck_assert_str_eq(k.s, "H1:id|n\n2:visible|1\n");
	unlink(path);
}
END_TEST

/* ---------- a zip that holds a name twice ---------- */

/* Add to the workbook at path an entry named like `name` but with `stand`
 * (as long) in its place, then write `name` over every `stand` in the
 * file's bytes: the zip holds `name` twice (libzip writes no such zip). */
static void add_twice(const char *name, const char *stand, const char *text)
{
	size_t n = strlen(name), len;
	char *buf, *p;
	FILE *fp;
	int ze;
	zip_t *z;

	ck_assert_uint_eq(strlen(stand), n);
	z = zip_open(path, 0, &ze);
	ck_assert_ptr_nonnull(z);
	add(z, stand, text);
	ck_assert_int_eq(zip_close(z), 0);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	buf = malloc(1 << 16);
	len = fread(buf, 1, 1 << 16, fp);
	fclose(fp);
	ck_assert_uint_lt(len, 1 << 16);
	for (p = buf; (p = memmem(p, len - (size_t)(p - buf), stand, n)); p += n)
		memcpy(p, name, n);
	fp = fopen(path, "wb");
	ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
	fclose(fp);
	free(buf);
}

START_TEST(test_duplicate_part)
{
	static const struct {
		const char *name, *stand, *text;
	} c[] = {
		/* the sheet again, other figures: Python's zipfile reads this copy */
		{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet9.xml",
		 "<worksheet " NS "><sheetData>" HDR "<row r=\"2\"><c r=\"A2\"><v>9</v></c></row></sheetData></worksheet>"},
		/* a part the reader never opens: still two workbooks in one file */
		{"docProps/app.xml", "docProps/app.xm9", "<Properties/>"},
		{"xl/workbook.xml", "xl/workbooX.xml", WB},
	};
	char want[1024];
	size_t i;
	int zh;

	for (i = 0; i < sizeof c / sizeof *c; i++) {
		kp_err err;
		sink k;

		make_parts(WB, RELS, STYLES, SST, sheet_of(HDR "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row>", NULL));
		if (!strcmp(c[i].name, "docProps/app.xml")) { /* a first copy to repeat */
			int ze;
			zip_t *z = zip_open(path, 0, &ze);
			ck_assert_ptr_nonnull(z);
			add(z, c[i].name, "<Properties/>");
			ck_assert_int_eq(zip_close(z), 0);
		}
		add_twice(c[i].name, c[i].stand, c[i].text);
		for (zh = 0; zh <= 1; zh++) {
			kp_msg_set_lang(zh ? KP_LANG_ZH : KP_LANG_EN);
			ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
			snprintf(want, sizeof want, zh ? "%s: zip 压缩包中 %s 出现了两次（工作簿已损坏：不同的程序读到的可能是"
							 "不同的一份）；请在 Excel 或 WPS 中重新保存"
						       : "%s: the zip holds %s twice (a damaged workbook: programs differ on "
							 "which copy they read); save it again from Excel or WPS",
				 path, c[i].name);
			ck_assert_str_eq(err.msg, want);
			ck_assert_str_eq(k.s, "");
		}
		kp_msg_set_lang(KP_LANG_EN);
	}
	unlink(path);
}
END_TEST

/* ---------- every error names where ---------- */

#define U2 "<c r=\"A2\" t=\"inlineStr\"><is><t>u1</t></is></c>"

static const struct bad {
	const char *rows, *after;  /* the sheet; NULL rows: parts below */
	const char *want;          /* in the message, after "PATH" */
} bad[] = {
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c></row>", NULL,
	 ":2: column 'n' (B2): the cell holds the error '#DIV/0!'"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>abc</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds 'abc': not a number"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>1e999</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '1e999': out of range (not a finite number)"},
	/* strtod's hex floats, infinities and NaN are no xsd:double a cell holds */
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>0x10</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '0x10': not a number"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>0x1p3</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '0x1p3': not a number"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v> 0X1A</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '0X1A': not a number"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>inf</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds 'inf': not a number"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>NaN</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds 'NaN': not a number"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>1,234</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '1,234': not a number"},
	/* a nonzero number that would read as 0 (or a subnormal) */
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>1e-400</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '1e-400': out of range (not zero, but nearer to zero than a "
	 "number can be: 2.2e-308)"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>-1e-999</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '-1e-999': out of range"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\" s=\"1\"><v>1e-320</v></c></row>", NULL,
	 ":2: column 'n' (B2): the number cell holds '1e-320': out of range"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\" t=\"s\"><v>4</v></c></row>", NULL,
	 ":2: column 'n' (B2): no such shared string: '4'"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\" t=\"b\"><v>2</v></c></row>", NULL,
	 ":2: column 'n' (B2): the boolean cell holds '2'"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\" t=\"zz\"><v>2</v></c></row>", NULL,
	 ":2: column 'n' (B2): unknown cell type 'zz'"},
	{HDR "<row r=\"2\">" U2 "<c r=\"B2\"><f>SUM(C1:C9)</f></c></row>", NULL,
	 ":2: column 'n' (B2): a formula without a saved value (open the file in Excel or WPS and save it again)"},
	{HDR "<row r=\"2\">" U2 "<c r=\"D2\"><v>7</v></c></row>", NULL,
	 ":2:4: cell D2 holds '7', but its column has no header name (the header ends at column 2)"},
	{"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>n</t></is></c></row>",
	 NULL, ":1:2: column 2 has an empty header name"},
	{"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t> id</t></is></c></row>",
	 NULL, ":1:2: header name 'id' appears twice (columns 1 and 2)"},
	{"<row r=\"1\"><c r=\"A1\" t=\"e\"><v>#N/A</v></c></row>", NULL, ":1: header cell A1: the cell holds the error '#N/A'"},
	{HDR "<row r=\"2\">" U2 "</row>", "<mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells>",
	 ":1: the header cells A1:B1 are merged"},
	{HDR "<row r=\"2\">" U2 "</row>", "<mergeCells><mergeCell ref=\"B2:B5\"/></mergeCells>",
	 ":2: cells B2:B5 are merged, so only B2 holds a value; unmerge them and fill every cell"},
	{HDR "<row r=\"2\">" U2 "</row>", "<mergeCells><mergeCell ref=\"B2\"/></mergeCells>",
	 ": xl/worksheets/sheet1.xml: a merged range 'B2' that is not A1:B2"},
	{HDR "<row r=\"3\"><c r=\"A3\"><v>1</v></c></row><row r=\"2\"/>", NULL,
	 ": xl/worksheets/sheet1.xml: row 2 comes after row 3 (rows out of order, or past row 1048576)"},
	{HDR "<row r=\"1048577\"/>", NULL, ": xl/worksheets/sheet1.xml: row number '1048577' is not one from 1 to 1048576"},
	{HDR "<row r=\"2\"><c r=\"B2\"><v>1</v></c><c r=\"A2\"><v>1</v></c></row>", NULL,
	 ":2: cell A2 is out of place in row 2 (cells out of order)"},
	{HDR "<row r=\"2\"><c r=\"B3\"><v>1</v></c></row>", NULL, ":2: cell B3 is out of place in row 2"},
	{HDR "<row r=\"2\"><c r=\"XFE2\"><v>1</v></c></row>", NULL,
	 ":2: cell reference 'XFE2' is not a cell from A1 to XFD1048576"},
	{HDR "<row r=\"2\"><c r=\"A2\"><v>1</v></c>", NULL, ": xl/worksheets/sheet1.xml is not well-formed XML (line 1: "},
	{HDR "<c r=\"A2\"><v>1</v></c>", NULL, ": xl/worksheets/sheet1.xml: a cell outside a row"},
	{HDR, NULL, ": the sheet has a header but no rows"},
	{"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>3</v></c></row>", NULL, ": the sheet is empty (no header row)"},
};
#define NBAD (sizeof bad / sizeof *bad)

START_TEST(test_bad)
{
	const struct bad *b = &bad[_i];
	char want[1024];
	kp_err err;
	sink k;

	make_parts(WB, RELS, STYLES, SST, sheet_of(b->rows, b->after));
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
	snprintf(want, sizeof want, "%s%s", path, b->want);
	ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "case %d: got  %s\nwant %s", _i, err.msg, want);
}
END_TEST

/* Broken or hostile packages, and the parts around the sheet. */
static const struct badpart {
	const char *wb, *rels, *styles, *sst;
	const char *want;
} badparts[] = {
	{NULL, RELS, STYLES, SST, ": a zip archive, but not an Excel workbook (no xl/workbook.xml)"},
	{WB, NULL, STYLES, SST, ": the workbook has no part xl/_rels/workbook.xml.rels"},
	{"<workbook " NS "><sheets/></workbook>", RELS, STYLES, SST, ": the workbook has no sheet"},
	{"<workbook " NS "><sheets><sheet name=\"S\"/></sheets></workbook>", RELS, STYLES, SST,
	 ": xl/workbook.xml: sheet 'S' has no relationship id"},
	{WB, "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"/>", STYLES, SST,
	 ": xl/_rels/workbook.xml.rels names no part for sheet 'S'"},
	{WB, RELS, STYLES, "<!DOCTYPE sst [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><sst><si><t>&b;</t></si></sst>",
	 ": xl/sharedStrings.xml declares a DOCTYPE; a workbook has none (DTDs and entities are refused)"},
	{WB, RELS, "<!DOCTYPE s SYSTEM \"file:///etc/passwd\"><styleSheet/>", SST,
	 ": xl/styles.xml declares a DOCTYPE"},
	{"<workbook><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>", RELS, STYLES, SST,
	 ": xl/workbook.xml is not well-formed XML (line 1: unbound prefix)"},
	{WB, RELS, STYLES, "<sst><si><t>x</t></si>", ": xl/sharedStrings.xml is not well-formed XML (line 1: "},
};
#define NBADPARTS (sizeof badparts / sizeof *badparts)

START_TEST(test_bad_parts)
{
	const struct badpart *b = &badparts[_i];
	char want[1024];
	kp_err err;
	sink k;

	make_parts(b->wb, b->rels, b->styles, b->sst, sheet_of(HDR "<row r=\"2\">" U2 "</row>", NULL));
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
	snprintf(want, sizeof want, "%s%s", path, b->want);
	ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "case %d: got  %s\nwant %s", _i, err.msg, want);
}
END_TEST

/* The caps of the options: a cell's bytes and the header's columns. */
START_TEST(test_caps)
{
	kp_csv_opts o;
	kp_err err;
	sink k;

	make(HDR "<row r=\"2\">" U2 "<c r=\"B2\" t=\"inlineStr\"><is><t>123456789</t></is></c></row>");
	memset(&o, 0, sizeof o);
	o.max_field = 8;
	ck_assert_int_eq(kp_xlsx_read_file(path, &o, on_header, on_row, &k, NULL, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, ": a text longer than 8 bytes"));
	o.max_field = 0, o.max_cols = 1;
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(kp_xlsx_read_file(path, &o, on_header, on_row, &k, NULL, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, ".xlsx:1: more than 1 columns"));
}
END_TEST

/* Not a zip after all, and an OLE2 file that is no workbook. */
START_TEST(test_damaged_containers)
{
	FILE *fp;
	kp_err err;
	sink k;

	fresh_path();
	fp = fopen(path, "wb");
	fputs("PK\3\4 this is not a zip", fp);
	fclose(fp);
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, ": the file starts as a zip archive (.xlsx) but cannot be read as one"));
	fp = fopen(path, "wb");
	fwrite("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", 1, 12, fp);
	fclose(fp);
	ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, ": the file starts as an Office file (.xls) but cannot be read"));
	unlink(path);
}
END_TEST

/* The messages in both languages, whole: a cell that holds an error
 * value (where it is: column and cell), a sheet asked for by a name the
 * workbook does not have (the sheets listed). */
START_TEST(test_lang)
{
	static const struct {
		const char *sheet;
		int rc;
		const char *en, *zh;
	} c[] = {
		{NULL, KP_EDATA, ":2: column 'n' (B2): the cell holds the error '#N/A'", ":2: 列“n”（B2）：单元格中是错误值“#N/A”"},
		{"X", KP_EUSAGE, ": no sheet named 'X' (the sheets: 'S')", ": 没有名为“X”的工作表（现有工作表：“S”）"},
	};
	char want[1024];
	size_t i;
	int zh;

	make(HDR "<row r=\"2\">" U2 "<c r=\"B2\" t=\"e\"><v>#N/A</v></c></row>");
	for (i = 0; i < sizeof c / sizeof c[0]; i++)
		for (zh = 0; zh <= 1; zh++) {
			kp_err err;
			sink k;

			kp_msg_set_lang(zh ? KP_LANG_ZH : KP_LANG_EN);
			ck_assert_int_eq(read_path(c[i].sheet, &k, &err, NULL), c[i].rc);
			snprintf(want, sizeof want, "%s%s", path, zh ? c[i].zh : c[i].en);
			ck_assert_str_eq(err.msg, want);
		}
	make(HDR "<row r=\"2\">" U2 "<c r=\"B2\"><v>0x10</v></c></row>");
	for (zh = 0; zh <= 1; zh++) {
		kp_err err;
		sink k;

		kp_msg_set_lang(zh ? KP_LANG_ZH : KP_LANG_EN);
		ck_assert_int_eq(read_path(NULL, &k, &err, NULL), KP_EDATA);
		snprintf(want, sizeof want, "%s%s", path,
			 zh ? ":2: 列“n”（B2）：数字单元格中是“0x10”：不是数字"
			    : ":2: column 'n' (B2): the number cell holds '0x10': not a number");
		ck_assert_str_eq(err.msg, want);
	}
	kp_msg_set_lang(KP_LANG_EN);
}
END_TEST

/* ---------- a workbook kaoping wrote, read back (xlsxw.c) ---------- */

/* What kp_xlsxw_check says of path: 0, or its message into msg. */
static int written(char *msg, size_t n)
{
	kp_err err;
	int rc;

	memset(&err, 0, sizeof err);
	rc = kp_xlsxw_check(path, "out.xlsx", &err);
	snprintf(msg, n, "%s", rc ? err.msg : "");
	return rc;
}

START_TEST(test_written_read_back)
{
	static const char *const cut[] = {
		"<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>", /* no end */
		"<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></ro",                /* mid-tag */
		"",                                                                                        /* nothing */
	};
	char msg[KP_ERR_MAX];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	FILE *f;
	size_t i;

	/* a whole workbook as libxlsxwriter writes one: accepted */
	fresh_path();
	unlink(path);
	ck_assert_ptr_nonnull(wb = workbook_new(path));
	ck_assert_ptr_nonnull(ws = workbook_add_worksheet(wb, NULL));
	for (i = 0; i < 2000; i++)
		worksheet_write_number(ws, (lxw_row_t)i, 0, (double)i, NULL);
	ck_assert_int_eq(kp_xlsxw_close(wb), LXW_NO_ERROR);
	ck_assert_msg(written(msg, sizeof msg) == 0, "%s", msg);
	/* a part cut short (the zip itself whole, its checksums right): named */
	for (i = 0; i < sizeof cut / sizeof *cut; i++) {
		make_parts(WB, RELS, STYLES, SST, cut[i]);
		ck_assert_int_eq(written(msg, sizeof msg), KP_EIO);
		ck_assert_msg(strstr(msg, "out.xlsx: cannot write: part xl/worksheets/sheet1.xml") == msg, "%s", msg);
		ck_assert_msg(strstr(msg, "file size limit"), "%s", msg);
	}
	/* a whole zip, every part whole: accepted */
	make(HDR);
	ck_assert_msg(written(msg, sizeof msg) == 0, "%s", msg);
	/* the file itself cut short: no zip at all */
	ck_assert_int_eq(truncate(path, 100), 0);
	ck_assert_int_eq(written(msg, sizeof msg), KP_EIO);
	ck_assert_msg(strstr(msg, "out.xlsx: cannot write: the workbook came out damaged") == msg, "%s", msg);
	/* an empty file */
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	ck_assert_int_eq(written(msg, sizeof msg), KP_EIO);
	ck_assert_msg(strstr(msg, "out.xlsx: cannot write: the workbook came out") == msg, "%s", msg);
	unlink(path);
}
END_TEST

static Suite *xlsx_suite(void)
{
	Suite *s = suite_create("xlsx");
	TCase *tc = tcase_create("cells");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_writer_types);
	tcase_add_test(tc, test_writer_merged_header);
	tcase_add_test(tc, test_cell_types);
	tcase_add_test(tc, test_number_noise);
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_empty_rows_columns);
	tcase_add_test(tc, test_header_only);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(tc, test_sniff_and_refs);
	tcase_add_test(tc, test_hidden_sheets);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad, 0, (int)NBAD);
	tcase_add_loop_test(tc, test_bad_parts, 0, (int)NBADPARTS);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_damaged_containers);
	tcase_add_test(tc, test_duplicate_part);
	tcase_add_test(tc, test_lang);
	tcase_add_test(tc, test_written_read_back);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(xlsx_suite)
