/*
 * proc: fork/exec, one poll() loop over the child's two pipes and a
 * signalfd, signal forwarding, reaping and orphan cleanup (after tini).
 */
#include "bootstrap/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"

static sigset_t forwarded;	/* what we block and read from sigfd */
static sigset_t saved_mask;	/* what the child gets back */
static int sigfd = -1;
static int stop_sig;		/* latched: the first terminating signal */
static int stop_disarmed;

static int is_terminating(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
	       sig == SIGQUIT;
}

int proc_stop_signal(void)
{
	static const int order[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	sigset_t pend;

	if (stop_sig || sigfd < 0 || sigpending(&pend) < 0)
		return stop_sig;
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		if (sigismember(&pend, order[i])) {
			stop_sig = order[i];
			info("received SIG%s; stopping", order[i] == SIGTERM ?
			     "TERM" : order[i] == SIGINT ? "INT" :
			     order[i] == SIGHUP ? "HUP" : "QUIT");
			break;
		}
	}
	return stop_sig;
}

int proc_cancel(void)
{
	return !stop_disarmed && proc_stop_signal();
}

void proc_stop_disarm(void)
{
	stop_disarmed = 1;
}

void proc_stop_arm(void)
{
	stop_disarmed = 0;
}

static const int fwd_signals[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};

int proc_supervise(void)
{
	sigemptyset(&forwarded);
	for (size_t i = 0; i < sizeof(fwd_signals) / sizeof(*fwd_signals); i++)
		sigaddset(&forwarded, fwd_signals[i]);
	sigaddset(&forwarded, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &forwarded, &saved_mask) < 0)
		return error_errno("cannot block signals");
	sigfd = signalfd(-1, &forwarded, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return error_errno("cannot create a signalfd");
	/* A closed stdout must not kill us before the logs are saved. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * As PID 1 every orphan is ours already; otherwise ask for them, so
	 * that what the step leaves behind is reaped and ended by us.
	 */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		debug("cannot become a child subreaper: %s", strerror(errno));
	return 0;
}

/* Writes all of p, counting in *done the bytes that reached the file. */
static int log_write(int fd, const char *p, size_t n, long long *done)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		*done += w;
		p += w;
		n -= w;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	long long done = 0;

	return log_write(fd, p, n, &done);
}

/* Child side: only async-signal-safe calls until exec. */
static void child_exec(const struct proc_spec *spec, int out, int err,
		       int errpipe)
{
	int e;

	setpgid(0, 0);
	for (size_t i = 0; i < sizeof(fwd_signals) / sizeof(*fwd_signals); i++)
		signal(fwd_signals[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	if (spec->cwd && chdir(spec->cwd) < 0)
		goto fail;
	if (spec->envp)
		execvpe(spec->argv[0], spec->argv, spec->envp);
	else
		execvp(spec->argv[0], spec->argv);
fail:
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(e == ENOENT ? 127 : 126);
}

static void reap(pid_t child, int *status, int *done)
{
	pid_t p;
	int st;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == child) {
			*status = st;
			*done = 1;
		}
	}
}

/*
 * Sends sig to one child pid unless it is a zombie (already gone: the
 * reaper only has to wait); returns 1 when it was signalled.
 */
static int signal_child(long pid, int sig, pid_t self, int check_ppid)
{
	char path[64], stat[512], *p;
	long ppid;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	stat[len] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
	p = strrchr(stat, ')');
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1 ||
	    (check_ppid && ppid != self) || p[2] == 'Z')
		return 0;
	kill((pid_t)pid, sig);
	return 1;
}

/*
 * The slow way, for kernels without /proc/PID/task/TID/children
 * (CONFIG_PROC_CHILDREN): every process on the host, by its parent.
 */
static int signal_children_scan(int sig, pid_t self)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		n += signal_child(atol(de->d_name), sig, self, 1);
	}
	closedir(d);
	return n;
}

/*
 * Sends sig to every process whose parent we are; returns how many. As a
 * subreaper (or PID 1) every orphan of the step is our child, so the
 * kernel's list of our children is the whole answer: a scan of all of
 * /proc grew with the host's process count (77 ms at 150 processes).
 * Each thread has its own list; orphans go to a live thread of ours.
 */
static int signal_children(int sig)
{
	static int no_children_file;
	pid_t self = getpid();
	DIR *d;
	struct dirent *de;
	int n = 0, files = 0;

	if (no_children_file || !(d = opendir("/proc/self/task")))
		return signal_children_scan(sig, self);
	while ((de = readdir(d))) {
		char path[300], list[32768], *p, *end;
		ssize_t len, got = 0;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
			 de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		files++;
		/* "PID PID ... ", read whole: the kernel gives a page a read. */
		while (got < (ssize_t)sizeof(list) - 1 &&
		       (len = read(fd, list + got,
				   sizeof(list) - 1 - got)) > 0)
			got += len;
		close(fd);
		list[got] = '\0';
		for (p = list;; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			n += signal_child(pid, sig, self, 0);
		}
	}
	closedir(d);
	if (!files) {
		no_children_file = 1;
		return signal_children_scan(sig, self);
	}
	return n;
}

static void forward(pid_t pgid, int sig)
{
	if (kill(-pgid, sig) < 0 && errno == ESRCH)
		kill(pgid, sig);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/*
 * After the child's exit: end what it left behind, politely first. The
 * pipes are still drained meanwhile, so nothing they print is lost.
 */
struct cleanup {
	int state;		/* 0: not begun, 1: TERM sent, 2: KILL sent */
	double deadline;
};

static void cleanup_step(struct cleanup *c, pid_t pgid)
{
	double now = log_now();
	int n;

	if (c->state == 0) {
		/* Count our children before the group's TERM makes zombies. */
		n = signal_children(SIGTERM);
		kill(-pgid, SIGTERM);
		if (n)
			warn("the step left %d process%s running; ending them",
			     n, n == 1 ? "" : "es");
		c->state = 1;
		c->deadline = now + 2;
	} else if (c->state == 1 && now >= c->deadline) {
		kill(-pgid, SIGKILL);
		signal_children(SIGKILL);
		c->state = 2;
		c->deadline = now + 1;
	}
}

int proc_run(struct proc_spec *spec)
{
	int out[2], err[2], errpipe[2], exec_errno = 0, status = 0;
	int done = 0, open_pipes = 2;
	long long logged = 0;
	struct cleanup cl = { 0, 0 };
	double next_tick;
	pid_t pid;
	char chunk[65536];
	ssize_t n;

	spec->signal_seen = 0;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    pipe2(errpipe, O_CLOEXEC) < 0)
		return error_errno("cannot create pipes for '%s'",
				   spec->argv[0]);
	pid = fork();
	if (pid < 0)
		return error_errno("cannot fork for '%s'", spec->argv[0]);
	if (pid == 0)
		child_exec(spec, out[1], err[1], errpipe[1]);
	setpgid(pid, pid);	/* both sides: whichever runs first */
	close(out[1]);
	close(err[1]);
	close(errpipe[1]);
	n = read(errpipe[0], &exec_errno, sizeof(exec_errno));
	close(errpipe[0]);
	if (n == sizeof(exec_errno)) {
		close(out[0]);
		close(err[0]);
		waitpid(pid, &status, 0);
		error("cannot run '%s': %s", spec->argv[0],
		      strerror(exec_errno));
		return exec_errno == ENOENT ? 127 : 126;
	}

	next_tick = log_now() + spec->tick_interval;
	/*
	 * Until the child is reaped and its pipes are closed, and until
	 * whatever it left behind (holding the pipes or not) has ended.
	 */
	while (!done || open_pipes > 0 || cl.state == 0 ||
	       signal_children(0) > 0) {
		struct pollfd fds[3] = {
			{ out[0], POLLIN, 0 },
			{ err[0], POLLIN, 0 },
			{ sigfd, POLLIN, 0 },
		};
		double now = log_now();
		int timeout = 1000;

		if (spec->tick_interval > 0) {
			if (now >= next_tick) {
				spec->on_tick(spec->ctx, PROC_TICK_TIMER);
				next_tick = log_now() + spec->tick_interval;
			}
			if ((next_tick - now) * 1000 < timeout)
				timeout = (int)((next_tick - now) * 1000) + 1;
		}
		if (done) {
			cleanup_step(&cl, pid);
			/* All ended and drained: no reason to wait a round. */
			if (!open_pipes && !signal_children(0))
				break;
			/* A grandchild past SIGKILL still holding a pipe. */
			if (cl.state == 2 && log_now() > cl.deadline)
				break;
			timeout = 50;
		}
		if (poll(fds, 3, timeout) < 0 && errno != EINTR)
			return error_errno("poll");
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents &
					       (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(fds[i].fd);
				if (i == 0)
					out[0] = -1;
				else
					err[0] = -1;
				open_pipes--;
				continue;
			}
			/* Our stdout may be gone; the log file must not be. */
			write_all(i + 1, chunk, n);
			if (spec->log_fd >= 0 &&
			    log_write(spec->log_fd, chunk, n, &logged) < 0) {
				error_errno("cannot write the log file after "
					    "%lld bytes; the container log "
					    "goes on, the file stops there",
					    logged);
				if (spec->log_cut)
					*spec->log_cut = logged;
				if (spec->log_errno)
					*spec->log_errno = errno;
				spec->log_fd = -1;
			}
		}
		if (fds[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				int sig = (int)si.ssi_signo;

				if (sig == SIGCHLD)
					continue;
				if (!done)
					forward(pid, sig);
				if (is_terminating(sig)) {
					spec->signal_seen = sig;
					if (!stop_sig)
						stop_sig = sig;
					info("received SIG%s; passed it to "
					     "the step", sig == SIGTERM ?
					     "TERM" : sig == SIGINT ? "INT" :
					     sig == SIGHUP ? "HUP" : "QUIT");
					if (spec->on_tick)
						spec->on_tick(spec->ctx,
							      PROC_TICK_SIGNAL);
				}
			}
		}
		/* Every round, as tini does: SIGCHLDs coalesce. */
		reap(pid, &status, &done);
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	/* Reap what the cleanup ended. */
	reap(pid, &status, &done);
	return exit_code(status);
}
