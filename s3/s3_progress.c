/*
 * s3_progress: progress of a large transfer as log lines, never '\r', so
 * that the KFP log pane and kubectl logs show it readably.
 */
#include "s3/s3_int.h"

#include <stdlib.h>

#include "base/log.h"

void s3_progress_init(struct s3_progress *p, const char *label,
		      long long total, double interval)
{
	pthread_mutex_init(&p->mu, NULL);
	p->label = xstrdup(label);
	p->total = total;
	p->done = 0;
	p->start = p->last = log_now();
	p->interval = interval;
}

void s3_progress_add(struct s3_progress *p, long long n)
{
	double now;

	pthread_mutex_lock(&p->mu);
	p->done += n;
	if (p->interval > 0 && (now = log_now()) - p->last >= p->interval) {
		p->last = now;
		info("%s: %.1f of %.1f MiB (%d%%), %.1f MB/s", p->label,
		     p->done / 1048576.0, p->total / 1048576.0,
		     p->total > 0 ? (int)(100 * p->done / p->total) : 100,
		     p->done / 1e6 / (now - p->start > 0 ? now - p->start
							: 1e-9));
	}
	pthread_mutex_unlock(&p->mu);
}

void s3_progress_release(struct s3_progress *p)
{
	free(p->label);
	p->label = NULL;
	pthread_mutex_destroy(&p->mu);
}
