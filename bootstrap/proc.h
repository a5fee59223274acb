/*
 * proc: runs the step's child the way tini would, and tees its output.
 *
 * proc_supervise() is called once, first thing in main: it blocks the
 * signals we forward (so none is lost before a child exists) and makes us
 * a child subreaper, or, as PID 1, the reaper of every zombie.
 *
 * proc_run() starts argv in its own process group with stdout and stderr
 * on pipes, and until it ends:
 *   - copies each chunk, as it arrives, to our fd 1 or 2 and to log_fd;
 *   - forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to the
 *     child's group, and calls on_tick(PROC_TICK_SIGNAL) at once for the
 *     terminating ones, so the log can be saved before the kubelet kills us;
 *   - calls on_tick(PROC_TICK_TIMER) every tick_interval seconds;
 *   - reaps every zombie;
 * and after the child's exit ends whatever it left running (TERM, then KILL
 * after a grace), so no orphan outlives the step.
 */
#ifndef T3Q_BOOTSTRAP_PROC_H
#define T3Q_BOOTSTRAP_PROC_H

enum proc_tick { PROC_TICK_TIMER, PROC_TICK_SIGNAL };

struct proc_spec {
	char *const *argv;
	char *const *envp;	/* NULL: our environment */
	const char *cwd;	/* NULL: ours */
	int log_fd;		/* -1: no tee */
	double tick_interval;	/* 0: no timer ticks */
	void (*on_tick)(void *ctx, enum proc_tick why);
	void *ctx;
	int signal_seen;	/* out: the last terminating signal, or 0 */
};

int proc_supervise(void);

/*
 * Returns the exit code to report: the child's own, 128+N if it died of
 * signal N, 127/126 if it could not be executed (logged), or -1 when the
 * child could not be started at all (logged).
 */
int proc_run(struct proc_spec *spec);

#endif
