/*
 * exitcode: each of t3q's own codes in words, 128+N as the signal N (by
 * name where the table has one), and the codes either side of the signal
 * range as plain exits: what t3q-run and the bootstrap print for a step.
 */
#include "check.h"

#include <signal.h>

#include "base/exitcode.h"

static const char *describe(int code)
{
	static char buf[64];

	return exitcode_describe(code, buf, sizeof(buf));
}

int main(void)
{
	CHECK_STR(describe(T3Q_EXIT_OK), "success");
	CHECK_STR(describe(T3Q_EXIT_USAGE), "usage error");
	CHECK_STR(describe(T3Q_EXIT_STORE), "download from the object store failed");
	CHECK_STR(describe(T3Q_EXIT_ARCHIVE), "dependency archive refused");
	CHECK_STR(describe(T3Q_EXIT_INSTALL), "installing requirements failed");
	CHECK_STR(describe(T3Q_EXIT_UPLOAD), "output missing or upload failed");
	CHECK_STR(describe(T3Q_EXIT_INTERNAL), "internal error");
	CHECK_STR(describe(T3Q_EXIT_NOEXEC), "interpreter not executable");
	CHECK_STR(describe(T3Q_EXIT_NOTFOUND), "interpreter not found");
	CHECK_STR(describe(1), "exited 1");
	CHECK_STR(describe(3), "exited 3");
	/* 128 itself is no signal; 129 the first; 128 + 64 the last */
	CHECK_STR(describe(128), "exited 128");
	CHECK_STR(describe(128 + SIGHUP), "killed by SIGHUP");
	CHECK_STR(describe(128 + SIGKILL), "killed by SIGKILL");
	CHECK_STR(describe(128 + SIGSEGV), "killed by SIGSEGV");
	CHECK_STR(describe(128 + SIGPIPE), "killed by SIGPIPE");
	CHECK_STR(describe(128 + SIGTERM), "killed by SIGTERM");
	CHECK_STR(describe(128 + SIGCHLD), "killed by signal 17");
	CHECK_STR(describe(128 + 64), "killed by signal 64");
	CHECK_STR(describe(128 + 65), "exited 193");
	CHECK_STR(describe(255), "exited 255");
	return check_done();
}
