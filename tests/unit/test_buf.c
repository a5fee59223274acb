/* buf: the strbuf invariants. */
#include "check.h"

#include <stdlib.h>

#include "common/buf.h"

int main(void)
{
	struct buf b = BUF_INIT;
	char *s;
	size_t len;

	CHECK(b.buf != NULL && b.len == 0 && b.buf[0] == '\0');
	buf_adds(&b, "abc");
	buf_addch(&b, 'd');
	buf_addf(&b, "-%d-%s", 42, "x");
	CHECK_STR(b.buf, "abcd-42-x");
	for (int i = 0; i < 1000; i++)
		buf_addf(&b, "%04d", i);
	CHECK(b.len == 9 + 4000);
	CHECK(b.buf[b.len] == '\0');
	buf_setlen(&b, 3);
	CHECK_STR(b.buf, "abc");
	s = buf_detach(&b, &len);
	CHECK_STR(s, "abc");
	CHECK(len == 3);
	CHECK(b.buf != NULL && b.len == 0);
	free(s);
	s = xstrfmt("%s/%s", "a", "b");
	CHECK_STR(s, "a/b");
	free(s);
	buf_release(&b);
	buf_release(&b);
	CHECK(b.buf[0] == '\0');
	return check_done();
}
