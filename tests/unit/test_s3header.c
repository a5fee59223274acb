/*
 * s3_cb_header: a header's value without its blanks, quotes or line end,
 * read within the line curl hands over and never past it, even when the
 * line is blanks to its end with no line end.
 */
#include "check.h"

#include "s3/s3_int.h"

/* The header callback on the first len bytes of text; the ETag it kept. */
static const char *etag_of(const char *text, size_t len)
{
	static struct s3_req r;
	static char line[200];

	memset(&r, 0, sizeof(r));
	memset(line, 'Z', sizeof(line) - 1);	/* what lies past the line */
	line[sizeof(line) - 1] = '\0';
	memcpy(line, text, strlen(text));
	CHECK(s3_cb_header(line, 1, len, &r) == len);
	return r.etag;
}

int main(void)
{
	CHECK_STR(etag_of("ETag: \"abc\"\r\n", 13), "abc");
	CHECK_STR(etag_of("etag:abc \r\n", 11), "abc");
	CHECK_STR(etag_of("ETag: \t\"\"\r\n", 11), "");
	/* blanks to the end, no line end, a blank just past it */
	CHECK_STR(etag_of("ETag:     ", 9), "");
	CHECK_STR(etag_of("ETag: x  ", 8), "x");
	return check_done();
}
