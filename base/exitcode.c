/* exitcode: what each t3q-bootstrap exit status means, in words. */
#include "base/exitcode.h"

#include <signal.h>
#include <stdio.h>

const char *exitcode_describe(int code, char *buf, int size)
{
	switch (code) {
	case T3Q_EXIT_OK: return "success";
	case T3Q_EXIT_USAGE: return "usage error";
	case T3Q_EXIT_STORE: return "download from the object store failed";
	case T3Q_EXIT_ARCHIVE: return "dependency archive refused";
	case T3Q_EXIT_INSTALL: return "installing requirements failed";
	case T3Q_EXIT_UPLOAD: return "output missing or upload failed";
	case T3Q_EXIT_INTERNAL: return "internal error";
	case T3Q_EXIT_NOEXEC: return "interpreter not executable";
	case T3Q_EXIT_NOTFOUND: return "interpreter not found";
	}
	if (code > 128 && code < 128 + 65) {
		static const char *const names[] = {
			[SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT",
			[SIGILL] = "ILL", [SIGABRT] = "ABRT", [SIGBUS] = "BUS",
			[SIGFPE] = "FPE", [SIGKILL] = "KILL",
			[SIGUSR1] = "USR1", [SIGSEGV] = "SEGV",
			[SIGUSR2] = "USR2", [SIGPIPE] = "PIPE",
			[SIGALRM] = "ALRM", [SIGTERM] = "TERM",
		};
		int sig = code - 128;

		/* A table, not sigabbrev_np(): musl has none. */
		if (sig < (int)(sizeof(names) / sizeof(names[0])) && names[sig])
			snprintf(buf, size, "killed by SIG%s", names[sig]);
		else
			snprintf(buf, size, "killed by signal %d", sig);
	} else {
		snprintf(buf, size, "exited %d", code);
	}
	return buf;
}
