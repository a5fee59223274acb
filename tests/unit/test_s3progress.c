/*
 * s3_progress: the progress line of a transfer counts from zero: after
 * 1 MiB of 4 it says "1.0 of 4.0 MiB (25%)", one line an interval, none
 * when the interval is 0.
 */
#include "check.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "s3/s3_int.h"

/* stderr while fn runs, into buf. */
static void capture(void (*fn)(struct s3_progress *), struct s3_progress *p,
		    char *buf, size_t size)
{
	char path[] = "/tmp/t3q-s3progress.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	fflush(stderr);
	dup2(fd, 2);
	fn(p);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void one_mib(struct s3_progress *p)
{
	struct timespec ts = {0, 2000000};

	nanosleep(&ts, NULL);	/* past the interval */
	s3_progress_add(p, 1 << 20);
}

int main(void)
{
	struct s3_progress p;
	char out[512];

	s3_progress_init(&p, "GET s3://b/k", 4 << 20, 0.001);
	CHECK(p.done == 0);
	capture(one_mib, &p, out, sizeof(out));
	CHECK(p.done == 1 << 20);
	CHECK(strstr(out, "GET s3://b/k: 1.0 of 4.0 MiB (25%), ") != NULL);
	if (!strstr(out, "(25%)"))
		fprintf(stderr, "logged: %s\n", out);
	s3_progress_release(&p);

	s3_progress_init(&p, "PUT s3://b/k", 100, 0);
	capture(one_mib, &p, out, sizeof(out));
	CHECK(p.done == 1 << 20);
	CHECK(out[0] == '\0');
	s3_progress_release(&p);
	return check_done();
}
