/*
 * s3_xml: the S3 answers we read (ListBucketResult, Error,
 * InitiateMultipartUploadResult) are flat enough that one walk, which
 * reports every element's path and text, serves them all.
 */
#include "s3/s3_int.h"

#include <expat.h>
#include <string.h>

struct walk {
	struct buf path;
	struct buf text;
	void (*on_text)(void *ctx, const char *path, const char *text);
	void *ctx;
};

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct walk *w = ud;
	const char *local = strchr(name, ' ');

	(void)attrs;
	/* Namespace processing puts "uri name"; keep the local name. */
	local = local ? local + 1 : name;
	if (w->path.len)
		buf_addch(&w->path, '/');
	buf_adds(&w->path, local);
	buf_reset(&w->text);
}

static void on_end(void *ud, const XML_Char *name)
{
	struct walk *w = ud;
	char *slash;

	(void)name;
	w->on_text(w->ctx, w->path.buf, w->text.buf);
	buf_reset(&w->text);
	slash = strrchr(w->path.buf, '/');
	buf_setlen(&w->path, slash ? (size_t)(slash - w->path.buf) : 0);
}

static void on_chars(void *ud, const XML_Char *s, int len)
{
	struct walk *w = ud;

	buf_add(&w->text, s, len);
}

int s3_xml_parse(const char *data, size_t len,
		 void (*on_text)(void *ctx, const char *path, const char *text),
		 void *ctx)
{
	struct walk w = { BUF_INIT, BUF_INIT, on_text, ctx };
	XML_Parser p = XML_ParserCreateNS(NULL, ' ');
	int ret = 0;

	if (!p)
		return -1;
	XML_SetUserData(p, &w);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_chars);
	if (XML_Parse(p, data, (int)len, 1) != XML_STATUS_OK)
		ret = -1;
	XML_ParserFree(p);
	buf_release(&w.path);
	buf_release(&w.text);
	return ret;
}

struct err_doc {
	struct buf *code;
	struct buf *message;
	int seen;
};

static void err_text(void *ctx, const char *path, const char *text)
{
	struct err_doc *d = ctx;

	if (!strcmp(path, "Error/Code")) {
		buf_reset(d->code);
		buf_adds(d->code, text);
		d->seen = 1;
	} else if (!strcmp(path, "Error/Message")) {
		buf_reset(d->message);
		buf_adds(d->message, text);
	}
}

int s3_xml_error(const char *data, size_t len, struct buf *code,
		 struct buf *message)
{
	struct err_doc d = { code, message, 0 };

	if (!len || s3_xml_parse(data, len, err_text, &d) < 0)
		return 0;
	return d.seen;
}
