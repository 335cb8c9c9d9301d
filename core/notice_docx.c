/* notice_docx.c — the notice as a Word document (DOCX, Office Open XML):
 * [Content_Types].xml, _rels/.rels, word/document.xml with its
 * relationships, word/styles.xml (宋体 title, 黑体 headings, 仿宋 text, as
 * eastAsia fonts so Chinese shows), the commended units as a table; A4 with
 * the margins of a government document.  The package is built in memory
 * with libzip (this file is its only user) and written to the stream it is
 * given.  Every text is XML-escaped; the notice is borrowed. */
#include "notice_int.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "kaoping/enc.h"
#include "kaoping/sb.h"

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

static const char content_types[] = XML_HEAD
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/word/document.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
	"<Override PartName=\"/word/styles.xml\" "
	"ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
	"</Types>\n";

static const char package_rels[] = XML_HEAD
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" "
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
	"Target=\"word/document.xml\"/></Relationships>\n";

static const char document_rels[] = XML_HEAD
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" "
	"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
	"Target=\"styles.xml\"/></Relationships>\n";

/* Normal: 仿宋 三号 (16pt), first line indented two characters; Title:
 * 宋体 二号 (22pt) centred; Heading1: 黑体 三号; Right: set to the right,
 * four characters in (the office and the date); TableText: 仿宋 四号. */
static const char styles[] = XML_HEAD
	"<w:styles " W_NS ">"
	"<w:docDefaults><w:rPrDefault><w:rPr>"
	"<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"仿宋\" w:cs=\"Times New Roman\"/>"
	"<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>"
	"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/>"
	"</w:pPr></w:pPrDefault></w:docDefaults>"
	"<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
	"<w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>"
	"<w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/>"
	"<w:spacing w:after=\"320\" w:line=\"700\" w:lineRule=\"exact\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"宋体\"/>"
	"<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>"
	"<w:pPr><w:outlineLvl w:val=\"0\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"黑体\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Right\"><w:name w:val=\"Signature Right\"/><w:basedOn w:val=\"Normal\"/>"
	"<w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\" w:rightChars=\"400\" w:right=\"1280\"/><w:jc w:val=\"right\"/></w:pPr>"
	"</w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/>"
	"<w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/>"
	"<w:spacing w:line=\"400\" w:lineRule=\"exact\"/></w:pPr>"
	"<w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
	"</w:styles>\n";

/* Text for XML: & < > " ' escaped; characters XML 1.0 forbids dropped
 * (kp_enc_xml_bad: C0 controls, U+FFFE, U+FFFF, stray bytes), and line
 * ends and DEL too. */
static void xml_text(kp_sb *b, const char *s)
{
	const char *run = s;
	size_t left = strlen(s), k;

	while (left) {
		unsigned char c = (unsigned char)*s;
		const char *e = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;"
			: c == '\'' ? "&apos;" : (c < 0x20 && c != '\t') || c == 0x7f ? "" : NULL;
		k = 1;
		if (!e && c >= 0x80 && (k = kp_enc_xml_bad(s, left)) > 0)
			e = "";
		else if (!e && c >= 0x80) /* a whole valid character */
			k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (e) {
			kp_sb_printf(b, "%.*s%s", (int)(s - run), run, e);
			run = s + k;
		}
		s += k, left -= k;
	}
	kp_sb_puts(b, run);
}

/* One paragraph of style (NULL: Normal) holding text. */
static void para(kp_sb *b, const char *style, const char *text)
{
	kp_sb_puts(b, "<w:p>");
	if (style)
		kp_sb_printf(b, "<w:pPr><w:pStyle w:val=\"%s\"/></w:pPr>", style);
	kp_sb_puts(b, "<w:r><w:t xml:space=\"preserve\">");
	xml_text(b, text);
	kp_sb_puts(b, "</w:t></w:r></w:p>");
}

/* The table of commended units, ruled, across the text width. */
static void table(kp_sb *b, const kp_notice *n)
{
	static const char *const sides[] = {"top", "left", "bottom", "right", "insideH", "insideV"};
	size_t i, j;

	kp_sb_puts(b, "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>");
	for (i = 0; i < 6; i++)
		kp_sb_printf(b, "<w:%s w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>", sides[i]);
	kp_sb_puts(b, "</w:tblBorders></w:tblPr><w:tblGrid>");
	for (j = 0; j < n->ncols; j++)
		kp_sb_printf(b, "<w:gridCol w:w=\"%zu\"/>", (size_t)8844 / (n->ncols ? n->ncols : 1));
	kp_sb_puts(b, "</w:tblGrid>");
	for (i = 0; i < n->nrows; i++) {
		kp_sb_puts(b, i ? "<w:tr>" : "<w:tr><w:trPr><w:tblHeader/></w:trPr>");
		for (j = 0; j < n->ncols; j++) {
			kp_sb_puts(b, "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>");
			para(b, "TableText", n->cells[i * n->ncols + j]);
			kp_sb_puts(b, "</w:tc>");
		}
		kp_sb_puts(b, "</w:tr>");
	}
	kp_sb_puts(b, "</w:tbl>");
}

/* word/document.xml: the lines in order, on A4 (版心 156 × 225 mm). */
static void document(kp_sb *b, const kp_notice *n)
{
	size_t i;

	kp_sb_puts(b, XML_HEAD "<w:document " W_NS "><w:body>");
	for (i = 0; i < n->n; i++) {
		const kp_notice_line *l = &n->line[i];
		if (l->kind == KP_NOTICE_TITLE)
			para(b, "Title", l->text);
		else if (l->kind == KP_NOTICE_HEADING)
			para(b, "Heading1", l->text);
		else if (l->kind == KP_NOTICE_PARA)
			para(b, NULL, l->text);
		else if (l->kind == KP_NOTICE_RIGHT)
			para(b, "Right", l->text);
		else if (l->kind == KP_NOTICE_TABLE)
			table(b, n), para(b, NULL, "");
	}
	kp_sb_puts(b, "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" "
		      "w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
		      "</w:sectPr></w:body></w:document>\n");
}

/* Add one part; the data stays the caller's until the archive is closed. */
static int add_part(zip_t *za, const char *name, const char *data, kp_err *err)
{
	zip_source_t *s = zip_source_buffer(za, data, strlen(data), 0);
	zip_int64_t idx;

	if (!s)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_DOCX_PART, name, zip_strerror(za));
	if ((idx = zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(s);
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_DOCX_PART, name, zip_strerror(za));
	}
	/* a fixed time (1980-01-01), so the same notice makes the same bytes */
	zip_file_set_mtime(za, (zip_uint64_t)idx, 315532800, 0);
	return 0;
}

/* Copy the finished archive in src to fp. */
static int copy_archive(zip_source_t *src, FILE *fp, const char *name, kp_err *err)
{
	char buf[1 << 15];
	zip_int64_t k;

	if (zip_source_open(src) < 0)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_DOCX, zip_error_strerror(zip_source_error(src)));
	while ((k = zip_source_read(src, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)k, fp) != (size_t)k)
			break;
	zip_source_close(src);
	if (k < 0)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_DOCX, zip_error_strerror(zip_source_error(src)));
	if (k > 0 || fflush(fp) != 0 || ferror(fp))
		return kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE_BARE, name);
	return 0;
}

/* The parts into an archive in src. */
static int build(zip_source_t *src, const char *doc, kp_err *err)
{
	zip_error_t ze;
	zip_t *za;
	int rc;

	zip_error_init(&ze);
	if (!(za = zip_open_from_source(src, ZIP_TRUNCATE, &ze))) {
		rc = kp_err_msg(err, KP_EINTERNAL, KP_M_REP_DOCX, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	zip_source_keep(src); /* zip_close must leave the bytes to us */
	if ((rc = add_part(za, "[Content_Types].xml", content_types, err)) ||
	    (rc = add_part(za, "_rels/.rels", package_rels, err)) ||
	    (rc = add_part(za, "word/_rels/document.xml.rels", document_rels, err)) ||
	    (rc = add_part(za, "word/document.xml", doc, err)) || (rc = add_part(za, "word/styles.xml", styles, err))) {
		zip_discard(za);
		return rc;
	}
	if (zip_close(za) < 0) {
		rc = kp_err_msg(err, KP_EINTERNAL, KP_M_REP_DOCX, zip_strerror(za));
		zip_discard(za);
	}
	return rc;
}

int kp_notice_docx(const kp_notice *n, FILE *fp, const char *name, kp_err *err)
{
	kp_sb doc = {0};
	zip_error_t ze;
	zip_source_t *src;
	int rc;

	document(&doc, n);
	if ((rc = kp_sb_status(&doc, err))) {
		kp_sb_free(&doc);
		return rc;
	}
	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze))) {
		rc = kp_err_msg(err, KP_EINTERNAL, KP_M_REP_DOCX, zip_error_strerror(&ze));
	} else {
		rc = build(src, kp_sb_str(&doc), err);
		if (!rc)
			rc = copy_archive(src, fp, name, err);
		zip_source_free(src);
	}
	zip_error_fini(&ze);
	kp_sb_free(&doc);
	return rc;
}
