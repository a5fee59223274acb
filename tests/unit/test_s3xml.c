/* The S3 XML answers: listings, errors, with and without namespaces. */
#include "check.h"

#include "s3/s3_int.h"

struct seen {
	struct buf all;
};

static void collect(void *ctx, const char *path, const char *text)
{
	struct seen *s = ctx;

	buf_addf(&s->all, "%s=%s\n", path, text);
}

int main(void)
{
	static const char list[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
		"2006-03-01/\"><Name>b</Name><IsTruncated>true</IsTruncated>"
		"<Contents><Key>a &amp; b/\xc3\xbc.txt</Key><Size>5</Size>"
		"</Contents><NextContinuationToken>tok/+=</NextContinuationToken>"
		"</ListBucketResult>";
	static const char err[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<Error><Code>NoSuchKey</Code><Message>The specified key does "
		"not exist.</Message><Key>x</Key></Error>";
	struct seen s = { BUF_INIT };
	struct buf code = BUF_INIT, msg = BUF_INIT;

	CHECK(s3_xml_parse(list, sizeof(list) - 1, collect, &s) == 0);
	CHECK(strstr(s.all.buf, "ListBucketResult/Contents/Key=a & b/\xc3\xbc"
		     ".txt\n") != NULL);
	CHECK(strstr(s.all.buf, "ListBucketResult/IsTruncated=true\n") != NULL);
	CHECK(strstr(s.all.buf, "ListBucketResult/NextContinuationToken="
		     "tok/+=\n") != NULL);

	CHECK(s3_xml_error(err, sizeof(err) - 1, &code, &msg) == 1);
	CHECK_STR(code.buf, "NoSuchKey");
	CHECK_STR(msg.buf, "The specified key does not exist.");
	CHECK(s3_xml_error(list, sizeof(list) - 1, &code, &msg) == 0);
	CHECK(s3_xml_error("<html>oops", 10, &code, &msg) == 0);
	CHECK(s3_xml_error("", 0, &code, &msg) == 0);
	CHECK(s3_xml_parse("<a><b>", 6, collect, &s) < 0);

	buf_release(&s.all);
	buf_release(&code);
	buf_release(&msg);
	return check_done();
}
