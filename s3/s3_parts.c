/*
 * s3_parts: the scheduler of parallel parts, one for the downloads
 * (s3_get.c: the parts of a multipart object, a batch of small whole
 * objects) and the multipart upload (s3_multipart.c). It owns the slots,
 * the multi handles and each part's attempts and backoff; what a part is,
 * and how its failures read, are the caller's (struct s3_parts).
 *
 * The slots are spread over `lanes`: a lane is one thread with its own
 * multi handle, which takes the next part from the shared list. One lane
 * runs in the calling thread. Several lanes are for the large transfers
 * (the parts of a download, of a multipart upload): on a node whose CPUs
 * are busy, the kernel shares a CPU between runnable threads, and one
 * thread receiving four connections got a quarter of what mc's several
 * threads got (bench/FINDINGS.md, issue 25). Everything
 * shared (the parts' states, the callbacks, the client's bookkeeping in
 * s3_req_judge) is under one mutex; the bytes themselves (receive, pwrite,
 * a download's CRC32C) move outside it, each in its lane. An upload part's
 * CRC32C, taken by its setup before it is sent, is under it.
 */
#include "s3/s3_int.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/* curl, OpenSSL and a CRC per lane; musl's default stack is 128 KiB. */
#define LANE_STACK (1024 * 1024)

enum part_state { PART_WAITING, PART_RUNNING, PART_DONE };

struct part_sched {
	enum part_state state;
	int attempts;
	double not_before;	/* backoff: do not start before this time */
};

struct lane {
	struct run *run;
	CURLM *multi;
	CURL **pool;		/* one easy handle a slot, reused */
	int *busy;		/* a slot's part + 1; 0 when free */
	int slots;
	int running;
	pthread_t thread;
	int started;		/* a thread of its own (lanes 1..) */
	struct buf msg;		/* the reason of the last verdict */
	struct buf what;	/* the part it is about */
};

struct run {
	const struct s3_parts *p;
	pthread_mutex_t mu;	/* everything below, and the callbacks */
	struct part_sched *st;	/* one a part */
	struct lane *lanes;
	int nlanes;
	int done;
	int ret;
	double start;
};

/* Whether the run goes on: parts left, and no final failure. */
static int run_going(const struct run *r)
{
	return r->done < r->p->n && !r->ret;
}

/* Wakes every lane's wait, once the run has ended or a part came free. */
static void run_wake(struct run *r)
{
	for (int k = 0; k < r->nlanes; k++)
		if (r->lanes[k].multi)
			curl_multi_wakeup(r->lanes[k].multi);
}

/* Whether a waiting part may start now (its backoff over). */
static int run_ready(const struct run *r, double now)
{
	for (int i = 0; i < r->p->n; i++)
		if (r->st[i].state == PART_WAITING &&
		    r->st[i].not_before <= now)
			return 1;
	return 0;
}

/*
 * Fills the lane's free slots with the first parts that may start, in
 * order. After a part that cannot be set up nothing more starts: the run
 * ends.
 */
static void lane_fill(struct lane *l, double now)
{
	struct run *r = l->run;
	const struct s3_parts *p = r->p;

	for (int s = 0; s < l->slots && !r->ret; s++) {
		if (l->busy[s])
			continue;
		for (int i = 0; i < p->n; i++) {
			struct part_sched *st = &r->st[i];

			if (st->state != PART_WAITING || st->not_before > now)
				continue;
			st->state = PART_RUNNING;
			st->attempts++;
			if (p->setup(p->ctx, i, l->pool[s]) < 0) {
				r->ret = -1;
				break;
			}
			curl_multi_add_handle(l->multi, l->pool[s]);
			l->busy[s] = i + 1;
			l->running++;
			break;
		}
	}
}

/* What part i's verdict leads to: done, final, given up or retried. */
static void lane_decide(struct lane *l, int i, enum s3_verdict v)
{
	struct run *r = l->run;
	const struct s3_parts *p = r->p;
	const struct s3_config *cfg = &p->c->cfg;
	struct part_sched *st = &r->st[i];
	double elapsed = log_now() - r->start;

	buf_reset(&l->what);
	p->describe(p->ctx, i, &l->what);
	if (v == S3_OK) {
		st->state = PART_DONE;
		r->done++;
		if (p->done && p->done(p->ctx, i) < 0)
			r->ret = -1;
	} else if (v == S3_FAIL) {
		r->ret = error("%s: %s", l->what.buf, l->msg.buf);
	} else if (st->attempts >= cfg->max_attempts ||
		   elapsed > cfg->max_time) {
		r->ret = p->give_up(p->ctx, l->what.buf, l->msg.buf,
				    st->attempts, elapsed,
				    st->attempts >= cfg->max_attempts);
	} else {
		double delay = s3_backoff(p->c, st->attempts);

		warn("%s: %s; retrying in %.2f s (attempt %d of %d)",
		     l->what.buf, l->msg.buf, delay, st->attempts + 1,
		     cfg->max_attempts);
		st->state = PART_WAITING;
		st->not_before = log_now() + delay;
	}
}

/*
 * Judges every attempt of the lane that ended and frees its slot. All are
 * judged even after a final failure, so that a part done meanwhile is
 * finished.
 */
static void lane_collect(struct lane *l)
{
	struct run *r = l->run;
	const struct s3_parts *p = r->p;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(l->multi, &left))) {
		struct s3_req *req = NULL;
		enum s3_verdict v;
		int s, i;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
				  (char **)&req);
		for (s = 0; s < l->slots && l->pool[s] != m->easy_handle; s++)
			;
		i = l->busy[s] - 1;
		v = s3_req_judge(p->c, req, m->data.result, &l->msg);
		curl_multi_remove_handle(l->multi, m->easy_handle);
		l->busy[s] = 0;
		l->running--;
		if (v == S3_AGAIN) {
			/* Resolved again at once, not an attempt. */
			r->st[i].attempts--;
			r->st[i].state = PART_WAITING;
			r->st[i].not_before = 0;
			continue;
		}
		if (p->judge)
			v = p->judge(p->ctx, i, v, &l->msg);
		lane_decide(l, i, v);
	}
}

/* One round of a lane: start, move bytes, judge. 0 when the run ended. */
static int lane_round(struct lane *l)
{
	struct run *r = l->run;
	int left, wait, going;

	pthread_mutex_lock(&r->mu);
	if (run_going(r) && s3_cancelled(r->p->c))
		r->ret = r->p->stopped(r->p->ctx, r->done, r->p->n);
	if (run_going(r))
		lane_fill(l, log_now());
	going = run_going(r);
	pthread_mutex_unlock(&r->mu);
	if (!going) {
		/* The others may sleep in a poll of up to 1 s otherwise. */
		run_wake(r);
		return 0;
	}
	curl_multi_perform(l->multi, &left);
	pthread_mutex_lock(&r->mu);
	lane_collect(l);
	going = run_going(r);
	/*
	 * Wait for the network only when no slot can take a part now: a
	 * freed slot refilled at once, not a poll later (that was 50 ms a
	 * part when one ran at a time).
	 */
	wait = going && !(l->running < l->slots && run_ready(r, log_now()));
	pthread_mutex_unlock(&r->mu);
	if (!going) {
		run_wake(r);
		return 0;
	}
	if (wait)
		curl_multi_poll(l->multi, NULL, 0, l->running ? 1000 : 50,
				NULL);
	return 1;
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;

	while (lane_round(l))
		;
	return NULL;
}

static void lane_init(struct lane *l, struct run *r, int slots)
{
	l->run = r;
	l->slots = slots;
	l->multi = curl_multi_init();
	l->pool = xcalloc(slots, sizeof(*l->pool));
	l->busy = xcalloc(slots, sizeof(*l->busy));
	for (int s = 0; s < slots; s++)
		l->pool[s] = curl_easy_init();
	buf_init(&l->msg, 0);
	buf_init(&l->what, 0);
}

static void lane_release(struct lane *l)
{
	for (int s = 0; s < l->slots; s++) {
		if (l->busy[s])
			curl_multi_remove_handle(l->multi, l->pool[s]);
		curl_easy_cleanup(l->pool[s]);
	}
	curl_multi_cleanup(l->multi);
	free(l->pool);
	free(l->busy);
	buf_release(&l->msg);
	buf_release(&l->what);
}

/*
 * Lanes 1.. in threads of their own, with every signal blocked: a signal
 * is the calling thread's to take (the bootstrap's signalfd, s3cmd's
 * handler), and the lanes see it through cfg.cancel. A lane whose thread
 * cannot start leaves its slots unused; the others take its parts.
 */
static void lanes_start(struct run *r)
{
	pthread_attr_t attr;
	sigset_t all, saved;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, LANE_STACK);
	for (int k = 1; k < r->nlanes; k++) {
		int e = pthread_create(&r->lanes[k].thread, &attr, lane_main,
				       &r->lanes[k]);

		if (e) {
			warn("cannot start a thread for parallel parts (%s); "
			     "fewer at once", strerror(e));
			break;
		}
		r->lanes[k].started = 1;
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

int s3_parts_run(const struct s3_parts *p)
{
	struct run r = { .p = p, .start = log_now() };
	int slots = p->slots < p->n ? p->slots : p->n;

	if (slots < 1)
		slots = 1;
	r.nlanes = p->lanes > 1 ? (p->lanes < slots ? p->lanes : slots) : 1;
	pthread_mutex_init(&r.mu, NULL);
	r.st = xcalloc(p->n ? p->n : 1, sizeof(*r.st));
	r.lanes = xcalloc(r.nlanes, sizeof(*r.lanes));
	for (int k = 0; k < r.nlanes; k++)
		lane_init(&r.lanes[k], &r, slots / r.nlanes +
			  (k < slots % r.nlanes));
	lanes_start(&r);
	lane_main(&r.lanes[0]);
	for (int k = 1; k < r.nlanes; k++)
		if (r.lanes[k].started)
			pthread_join(r.lanes[k].thread, NULL);
	/*
	 * A lane that never started, when the others ended early: its
	 * handles hold no transfer. Released after every join, since any
	 * lane may wake any other's multi handle until it ends.
	 */
	for (int k = 0; k < r.nlanes; k++)
		lane_release(&r.lanes[k]);
	free(r.lanes);
	free(r.st);
	pthread_mutex_destroy(&r.mu);
	return r.ret;
}
