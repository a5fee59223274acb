/*
 * proc: runs the step's child the way tini would, and tees its output.
 *
 * proc_supervise() is called once, first thing in main: it blocks the
 * signals we forward (so none is lost before a child exists) and makes us
 * a child subreaper, or, as PID 1, the reaper of every zombie.
 *
 * proc_run() starts argv in its own process group with stdout and stderr
 * on pipes, and until it ends:
 *   - copies each chunk, as it arrives, to our fd 1 or 2 and to log_fd
 *     (a failed write to log_fd never stops the copy to fd 1 and 2);
 *   - forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to the
 *     child's group, and calls on_tick(PROC_TICK_SIGNAL) at once for the
 *     terminating ones, so the log can be saved before the kubelet kills us;
 *   - calls on_tick(PROC_TICK_TIMER) every tick_interval seconds
 *     (on_tick must return at once: nothing reads the pipes meanwhile, so
 *     exec.c only asks its log thread for an upload there);
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
	/*
	 * Out, when not NULL: set once a write to log_fd fails, to the
	 * bytes the file holds and the errno. The tee to our fd 1 and 2
	 * goes on; the file is not written again.
	 */
	long long *log_cut;
	int *log_errno;
	double tick_interval;	/* 0: no timer ticks */
	void (*on_tick)(void *ctx, enum proc_tick why);
	void *ctx;
	int signal_seen;	/* out: the last terminating signal, or 0 */
};

int proc_supervise(void);

/*
 * The first terminating signal (TERM, INT, HUP, QUIT) that reached us, in
 * any phase, or 0. Outside proc_run() the signals stay blocked and
 * pending, so this polls sigpending() as well; the answer is latched.
 */
int proc_stop_signal(void);
/*
 * For the s3 client and the archive (their cancel hooks): non-zero when a
 * terminating signal came and the stop is armed. proc_stop_disarm() lets
 * the transfers after it run (the log upload that a stop still owes).
 */
int proc_cancel(void);
void proc_stop_disarm(void);
void proc_stop_arm(void);

/*
 * Returns the exit code to report: the child's own, 128+N if it died of
 * signal N, 127/126 if it could not be executed (logged), or -1 when the
 * child could not be started at all (logged).
 */
int proc_run(struct proc_spec *spec);

#endif
