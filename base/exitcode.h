/*
 * exitcode: t3q-bootstrap's exit status, one table (mirrored in README.md).
 *
 * A failing child's own code passes through, and a child killed by signal N
 * gives 128+N, as in a shell; so the bootstrap's own failures use codes a
 * script rarely chooses. t3q-run reads them back with exitcode_describe().
 */
#ifndef T3Q_BASE_EXITCODE_H
#define T3Q_BASE_EXITCODE_H

enum t3q_exit {
	T3Q_EXIT_OK = 0,
	T3Q_EXIT_USAGE = 2,	/* bad flags, as bootstrapper.py's argparse */
	T3Q_EXIT_STORE = 81,	/* archive or input download failed */
	T3Q_EXIT_ARCHIVE = 82,	/* the dependency archive is unsafe/corrupt */
	T3Q_EXIT_INSTALL = 83,	/* pip install of the requirements failed */
	T3Q_EXIT_UPLOAD = 84,	/* an output is missing, or an upload failed */
	T3Q_EXIT_INTERNAL = 85,	/* the bootstrap itself could not go on */
	T3Q_EXIT_NOEXEC = 126,	/* the interpreter is not executable */
	T3Q_EXIT_NOTFOUND = 127, /* the interpreter was not found */
};

/* "object store", "child killed by SIGKILL", "child exited 3", ... */
const char *exitcode_describe(int code, char *buf, int size);

#endif
