/*
 * s3_parts: the scheduler of parallel parts, one for the downloads
 * (s3_get.c: the parts of a multipart object, a batch of small whole
 * objects) and the multipart upload (s3_multipart.c). It owns the slots,
 * the multi handle and each part's attempts and backoff; what a part is,
 * and how its failures read, are the caller's (struct s3_parts).
 */
#include "s3/s3_int.h"

#include <stdlib.h>

#include "base/log.h"

enum part_state { PART_WAITING, PART_RUNNING, PART_DONE };

struct part_sched {
	enum part_state state;
	int attempts;
	double not_before;	/* backoff: do not start before this time */
};

struct run {
	const struct s3_parts *p;
	struct part_sched *st;	/* one a part */
	CURLM *multi;
	CURL **pool;		/* one easy handle a slot, reused */
	int *busy;		/* a slot's part + 1; 0 when free */
	int slots;
	int done;
	int running;
	int ret;
	double start;
	struct buf msg;		/* the reason of the last verdict */
	struct buf what;	/* the part it is about */
};

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
 * Fills the free slots with the first parts that may start, in order.
 * After a part that cannot be set up nothing more starts: the run ends.
 */
static void run_fill(struct run *r, double now)
{
	const struct s3_parts *p = r->p;

	for (int s = 0; s < r->slots && !r->ret; s++) {
		if (r->busy[s])
			continue;
		for (int i = 0; i < p->n; i++) {
			struct part_sched *st = &r->st[i];

			if (st->state != PART_WAITING || st->not_before > now)
				continue;
			st->state = PART_RUNNING;
			st->attempts++;
			if (p->setup(p->ctx, i, r->pool[s]) < 0) {
				r->ret = -1;
				break;
			}
			curl_multi_add_handle(r->multi, r->pool[s]);
			r->busy[s] = i + 1;
			r->running++;
			break;
		}
	}
}

/* What part i's verdict leads to: done, final, given up or retried. */
static void run_decide(struct run *r, int i, enum s3_verdict v)
{
	const struct s3_parts *p = r->p;
	const struct s3_config *cfg = &p->c->cfg;
	struct part_sched *st = &r->st[i];
	double elapsed = log_now() - r->start;

	buf_reset(&r->what);
	p->describe(p->ctx, i, &r->what);
	if (v == S3_OK) {
		st->state = PART_DONE;
		r->done++;
		if (p->done && p->done(p->ctx, i) < 0)
			r->ret = -1;
	} else if (v == S3_FAIL) {
		r->ret = error("%s: %s", r->what.buf, r->msg.buf);
	} else if (st->attempts >= cfg->max_attempts ||
		   elapsed > cfg->max_time) {
		r->ret = p->give_up(p->ctx, r->what.buf, r->msg.buf,
				    st->attempts, elapsed,
				    st->attempts >= cfg->max_attempts);
	} else {
		double delay = s3_backoff(p->c, st->attempts);

		warn("%s: %s; retrying in %.2f s (attempt %d of %d)",
		     r->what.buf, r->msg.buf, delay, st->attempts + 1,
		     cfg->max_attempts);
		st->state = PART_WAITING;
		st->not_before = log_now() + delay;
	}
}

/*
 * Judges every attempt that ended and frees its slot. All are judged even
 * after a final failure, so that a part done meanwhile is finished.
 */
static void run_collect(struct run *r)
{
	const struct s3_parts *p = r->p;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left))) {
		struct s3_req *req = NULL;
		enum s3_verdict v;
		int s, i;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
				  (char **)&req);
		for (s = 0; s < r->slots && r->pool[s] != m->easy_handle; s++)
			;
		i = r->busy[s] - 1;
		v = s3_req_judge(p->c, req, m->data.result, &r->msg);
		curl_multi_remove_handle(r->multi, m->easy_handle);
		r->busy[s] = 0;
		r->running--;
		if (v == S3_AGAIN) {
			/* Resolved again at once, not an attempt. */
			r->st[i].attempts--;
			r->st[i].state = PART_WAITING;
			r->st[i].not_before = 0;
			continue;
		}
		if (p->judge)
			v = p->judge(p->ctx, i, v, &r->msg);
		run_decide(r, i, v);
	}
}

int s3_parts_run(const struct s3_parts *p)
{
	struct run r = { .p = p, .slots = p->slots < p->n ? p->slots : p->n,
			 .multi = curl_multi_init(), .start = log_now(),
			 .msg = BUF_INIT, .what = BUF_INIT };

	r.st = xcalloc(p->n ? p->n : 1, sizeof(*r.st));
	r.pool = xcalloc(r.slots ? r.slots : 1, sizeof(*r.pool));
	r.busy = xcalloc(r.slots ? r.slots : 1, sizeof(*r.busy));
	for (int s = 0; s < r.slots; s++)
		r.pool[s] = curl_easy_init();
	while (r.done < p->n && !r.ret) {
		int left;

		if (s3_cancelled(p->c)) {
			r.ret = p->stopped(p->ctx, r.done, p->n);
			break;
		}
		run_fill(&r, log_now());
		curl_multi_perform(r.multi, &left);
		run_collect(&r);
		/*
		 * Wait for the network only when no slot can take a part
		 * now: a freed slot refilled at once, not a poll later
		 * (that was 50 ms a part when one ran at a time).
		 */
		if (r.done < p->n && !r.ret &&
		    !(r.running < r.slots && run_ready(&r, log_now())))
			curl_multi_poll(r.multi, NULL, 0,
					r.running ? 1000 : 50, NULL);
	}
	for (int s = 0; s < r.slots; s++) {
		if (r.busy[s])
			curl_multi_remove_handle(r.multi, r.pool[s]);
		curl_easy_cleanup(r.pool[s]);
	}
	curl_multi_cleanup(r.multi);
	free(r.st);
	free(r.pool);
	free(r.busy);
	buf_release(&r.msg);
	buf_release(&r.what);
	return r.ret;
}
