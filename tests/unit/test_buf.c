/* buf: the strbuf invariants. */
#include "check.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"

/*
 * buf_read_file: the whole file, appended; errno is looked at only after
 * a failed read, so a stale EINTR left by an earlier call is no reason to
 * read again at the end of the file (that loop never ends: an alarm ends
 * the test).
 */
static void read_file(void)
{
	char path[] = "/tmp/t3q-buf.XXXXXX";
	int fd = mkstemp(path);
	struct buf b = BUF_INIT;

	CHECK(fd >= 0 && write(fd, "one\ntwo\n", 8) == 8);
	close(fd);
	buf_adds(&b, ">");
	alarm(10);
	errno = EINTR;
	CHECK(buf_read_file(&b, path) == 0);
	alarm(0);
	CHECK_STR(b.buf, ">one\ntwo\n");
	unlink(path);
	CHECK(buf_read_file(&b, path) < 0 && errno == ENOENT);
	CHECK_STR(b.buf, ">one\ntwo\n");
	buf_release(&b);
}

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
	read_file();
	return check_done();
}
