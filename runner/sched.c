/*
 * sched: the scheduler. It starts each node whose parents succeeded, -j
 * at a time, prints the children's output line by line under their
 * names, and collects the ended; a failed node's descendants are skipped.
 * Ctrl-C and SIGCHLD arrive through a signalfd, as events in the one
 * poll() loop, so that nothing happens in a signal handler.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/exitcode.h"
#include "base/log.h"
#include "runner/run.h"

/* Room for the signalfd and two pipes per running node (-j is 64 at most). */
#define MAX_FDS (1 + 2 * 64)

void sched_signals(struct run *r)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	r->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void emit_lines(struct job *j, int stream, int final)
{
	struct buf *b = &j->line[stream];
	FILE *f = stream ? stderr : stdout;
	char *nl;

	while ((nl = memchr(b->buf, '\n', b->len))) {
		size_t len = nl - b->buf + 1;

		fprintf(f, "[%s] %.*s", j->n->task_name, (int)len, b->buf);
		memmove(b->buf, b->buf + len, b->len - len);
		buf_setlen(b, b->len - len);
	}
	if (final && b->len) {
		fprintf(f, "[%s] %s\n", j->n->task_name, b->buf);
		buf_reset(b);
	}
	fflush(f);
}


void sched_skip_dependents(struct run *r, int failed)
{
	for (int i = 0; i < r->p.nnodes; i++) {
		struct job *j = &r->job[i];

		if (j->state == WAITING &&
		    pipeline_is_ancestor(j->n, failed)) {
			j->state = SKIPPED;
			warn("%s: skipped, because %s failed", j->n->task_name,
			     r->job[failed].n->task_name);
		}
	}
}

static int ready(struct run *r, int i)
{
	for (int k = 0; k < r->job[i].n->parents.n; k++) {
		const struct node *par = pipeline_node(&r->p,
						       r->job[i].n->parents.v[k]);

		if (par && r->job[par - r->p.nodes].state != DONE)
			return 0;
	}
	return 1;
}

static void reap(struct run *r)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < r->p.nnodes; i++) {
			struct job *j = &r->job[i];

			if (j->pid != pid || j->state != RUNNING)
				continue;
			j->rc = WIFEXITED(status) ? WEXITSTATUS(status)
						  : 128 + WTERMSIG(status);
			j->secs = log_now() - j->start;
			j->pid = 0;
		}
	}
}

/*
 * Starts each waiting node that is ready while fewer than -j run (none
 * after Ctrl-C). Returns how many run, or -1 when nothing runs and
 * nothing is left to start: the end.
 */
static int start_ready(struct run *r)
{
	int running = 0, pending = 0;

	for (int i = 0; i < r->p.nnodes; i++)
		if (r->job[i].state == RUNNING)
			running++;
	for (int i = 0; i < r->p.nnodes && !r->interrupted; i++) {
		struct job *j = &r->job[i];

		if (j->state != WAITING)
			continue;
		pending++;
		if (running < r->jobs && running < 64 && ready(r, i)) {
			if (node_start(r, j) == 0) {
				running++;
			} else {
				j->state = FAILED;
				j->rc = T3Q_EXIT_INTERNAL;
				sched_skip_dependents(r, i);
			}
		}
	}
	return !running && (!pending || r->interrupted) ? -1 : running;
}

/* The signalfd first, then each running node's open pipes. */
static int watch(struct run *r, struct pollfd *fds, struct job **owner)
{
	int nfds = 0;

	fds[nfds] = (struct pollfd){ r->sigfd, POLLIN, 0 };
	owner[nfds++] = NULL;
	for (int i = 0; i < r->p.nnodes; i++) {
		struct job *j = &r->job[i];

		if (j->state != RUNNING)
			continue;
		if (j->out >= 0) {
			fds[nfds] = (struct pollfd){ j->out, POLLIN, 0 };
			owner[nfds++] = j;
		}
		if (j->err >= 0) {
			fds[nfds] = (struct pollfd){ j->err, POLLIN, 0 };
			owner[nfds++] = j;
		}
	}
	return nfds;
}

/* The output that arrived, printed by line; a pipe at its end closed. */
static void pump(struct pollfd *fds, struct job **owner, int nfds)
{
	for (int k = 1; k < nfds; k++) {
		struct job *j = owner[k];
		int stream = fds[k].fd == j->err;
		char chunk[65536];
		ssize_t n;

		if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fds[k].fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf_add(&j->line[stream], chunk, n);
			emit_lines(j, stream, 0);
		} else if (n == 0 || errno != EINTR) {
			close(fds[k].fd);
			*(stream ? &j->err : &j->out) = -1;
			emit_lines(j, stream, 1);
		}
	}
}

/* Ctrl-C: each bootstrap ends its step and still uploads its log. */
static void on_signals(struct run *r)
{
	struct signalfd_siginfo si;

	while (read(r->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			continue;
		r->interrupted = 1;
		warn("interrupted: stopping the running nodes");
		for (int i = 0; i < r->p.nnodes; i++)
			if (r->job[i].state == RUNNING && r->job[i].pid > 0)
				kill(r->job[i].pid, SIGTERM);
	}
}

/* A node has ended once it is reaped and both its pipes are closed. */
static void finish_ended(struct run *r)
{
	for (int i = 0; i < r->p.nnodes; i++) {
		struct job *j = &r->job[i];
		char desc[64];

		if (j->state != RUNNING || j->pid || j->out >= 0 ||
		    j->err >= 0)
			continue;
		if (j->rc == 0) {
			j->state = DONE;
			info("%s: succeeded in %.1f s", j->n->task_name,
			     j->secs);
		} else {
			j->state = FAILED;
			error("%s: failed: %s", j->n->task_name,
			      exitcode_describe(j->rc, desc, sizeof(desc)));
			sched_skip_dependents(r, i);
		}
	}
}

void sched_run(struct run *r)
{
	struct pollfd fds[MAX_FDS];
	struct job *owner[MAX_FDS];

	while (start_ready(r) >= 0) {
		int nfds = watch(r, fds, owner);

		if (poll(fds, nfds, 500) < 0 && errno != EINTR)
			break;
		pump(fds, owner, nfds);
		if (fds[0].revents & POLLIN)
			on_signals(r);
		reap(r);
		finish_ended(r);
	}
}
