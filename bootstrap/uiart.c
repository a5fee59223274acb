/*
 * uiart: KFP v1's inline viewers (markdown, web-app, table) as the v2
 * artifact documents. Only inline outputs are rendered: the others name
 * objects the v1 UI fetches itself, which a v2 artifact cannot point to.
 */
#include "bootstrap/uiart.h"

#include <string.h>

static const cJSON *outputs_of(const cJSON *ui)
{
	const cJSON *o = ui ? cJSON_GetObjectItemCaseSensitive(ui, "outputs")
			    : NULL;

	return cJSON_IsArray(o) ? o : NULL;
}

/* The source of an inline output of this type, or NULL. */
static const char *inline_source(const cJSON *e, const char *type)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "storage");
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");

	if (!cJSON_IsString(t) || strcmp(t->valuestring, type) ||
	    !cJSON_IsString(st) || strcmp(st->valuestring, "inline") ||
	    !cJSON_IsString(src))
		return NULL;
	return src->valuestring;
}

void uiart_markdown(struct buf *out, const cJSON *ui)
{
	const cJSON *e;
	const char *src;

	cJSON_ArrayForEach(e, outputs_of(ui))
		if ((src = inline_source(e, "markdown"))) {
			buf_adds(out, src);
			buf_adds(out, "\n\n");
		}
}

static void escape(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_addch(out, s[i]);
		}
	}
}

/*
 * One CSV record (RFC 4180: quoted fields, "" for a quote, CRLF or LF)
 * as a table row; returns where the next record starts.
 */
static const char *csv_row(struct buf *out, const char *p, const char *cell)
{
	struct buf field = BUF_INIT;

	buf_adds(out, "<tr>");
	for (;;) {
		buf_reset(&field);
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					buf_addch(&field, *p++);
				else if (*p == '"')
					break;
				else
					buf_addch(&field, *p);
			}
			if (*p == '"')
				p++;
		}
		while (*p && *p != ',' && *p != '\n' && *p != '\r')
			buf_addch(&field, *p++);
		buf_addf(out, "<%s>", cell);
		escape(out, field.buf ? field.buf : "", field.len);
		buf_addf(out, "</%s>", cell);
		if (*p != ',')
			break;
		p++;
	}
	buf_adds(out, "</tr>\n");
	buf_release(&field);
	if (*p == '\r')
		p++;
	if (*p == '\n')
		p++;
	return p;
}

static void table(struct buf *out, const cJSON *e, const char *csv)
{
	const cJSON *header = cJSON_GetObjectItemCaseSensitive(e, "header");
	const cJSON *h;

	buf_adds(out, "<table border=\"1\">\n");
	if (cJSON_IsArray(header)) {
		buf_adds(out, "<tr>");
		cJSON_ArrayForEach(h, header) {
			const char *v = cJSON_IsString(h) ? h->valuestring : "";

			buf_adds(out, "<th>");
			escape(out, v, strlen(v));
			buf_adds(out, "</th>");
		}
		buf_adds(out, "</tr>\n");
	}
	while (*csv)
		csv = csv_row(out, csv, "td");
	buf_adds(out, "</table>\n");
}

void uiart_html(struct buf *out, const cJSON *ui, const char *title)
{
	const cJSON *e;
	const char *src, *only = NULL;
	int webapps = 0, tables = 0;

	cJSON_ArrayForEach(e, outputs_of(ui)) {
		if ((src = inline_source(e, "web-app"))) {
			webapps++;
			only = src;
		}
		if (inline_source(e, "table"))
			tables++;
	}
	/* The user's own page is shown as it is, not wrapped. */
	if (webapps == 1 && !tables) {
		buf_adds(out, only);
		return;
	}
	buf_adds(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		 "<title>");
	escape(out, title, strlen(title));
	buf_adds(out, "</title></head>\n<body>\n");
	cJSON_ArrayForEach(e, outputs_of(ui)) {
		if ((src = inline_source(e, "web-app"))) {
			/* A page in a page: srcdoc keeps its own <html>. */
			buf_adds(out, "<iframe sandbox=\"allow-scripts\" "
				 "style=\"width:100%;height:600px;border:0\" "
				 "srcdoc=\"");
			escape(out, src, strlen(src));
			buf_adds(out, "\"></iframe>\n");
		} else if ((src = inline_source(e, "table"))) {
			table(out, e, src);
		}
	}
	buf_adds(out, "</body></html>\n");
}
