/*
 * benchtool: the small programs bench/run needs, in C so that they are
 * never the bottleneck of what they measure.
 *
 *   benchtool write BYTES          BYTES of 100-byte text lines to stdout,
 *                                  in write(2)s of about 1 MiB
 *   benchtool tick MS SECS         one line "SEQ USEC" every MS ms for SECS s,
 *                                  USEC the CLOCK_REALTIME time of the write,
 *                                  one write(2) per line
 *   benchtool recv                 reads tick lines on stdin; at EOF prints
 *                                  "lines=N p50_us=.. p99_us=.. max_us=.."
 *                                  of receive time minus write time
 *   benchtool fill BYTES FILE      BYTES of incompressible data into FILE
 *
 * Only bench/run builds and uses it; it is not part of t3q.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmd_write(long long bytes)
{
	/* Whole 100-byte lines per write: "line NNNNNNNNNN abcd...\n". */
	enum { LINE = 100, CHUNK = LINE * (MIB / LINE) };
	char *buf = malloc(CHUNK);
	long long left = bytes;

	if (!buf)
		return 1;
	for (int i = 0; i < CHUNK / LINE; i++) {
		char *l = buf + (size_t)i * LINE;
		int n = snprintf(l, LINE, "line %010d ", i);

		for (int k = n; k < LINE - 1; k++)
			l[k] = (char)('a' + (k + i) % 26);
		l[LINE - 1] = '\n';
	}
	while (left > 0) {
		size_t n = left > CHUNK ? CHUNK : (size_t)left;

		if (write_all(1, buf, n) < 0) {
			perror("benchtool write");
			return 1;
		}
		left -= (long long)n;
	}
	free(buf);
	return 0;
}

static int cmd_tick(long ms, long secs)
{
	struct timespec next;
	long count = secs * 1000 / ms;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < count; i++) {
		char line[64];
		int n;

		next.tv_nsec += ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		n = snprintf(line, sizeof(line), "%ld %lld\n", i, now_us());
		if (write_all(1, line, (size_t)n) < 0) {
			perror("benchtool tick");
			return 1;
		}
	}
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static long long pct(const long long *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static int cmd_recv(void)
{
	static char buf[1 << 16];
	char line[256];
	size_t len = 0, n = 0, cap = 4096;
	long long *lat = malloc(cap * sizeof(*lat));
	ssize_t r;

	if (!lat)
		return 1;
	while ((r = read(0, buf, sizeof(buf))) != 0) {
		long long t;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("benchtool recv");
			return 1;
		}
		t = now_us();
		for (ssize_t i = 0; i < r; i++) {
			long seq;
			long long sent;

			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			if (sscanf(line, "%ld %lld", &seq, &sent) != 2)
				continue;
			if (n == cap) {
				cap *= 2;
				lat = realloc(lat, cap * sizeof(*lat));
				if (!lat)
					return 1;
			}
			lat[n++] = t - sent;
		}
	}
	if (!n) {
		printf("lines=0\n");
		return 1;
	}
	qsort(lat, n, sizeof(*lat), cmp_ll);
	printf("lines=%zu p50_us=%lld p99_us=%lld max_us=%lld\n", n,
	       pct(lat, n, 50), pct(lat, n, 99), lat[n - 1]);
	free(lat);
	return 0;
}

static int cmd_fill(long long bytes, const char *path)
{
	uint64_t *buf = malloc(MIB), x = 0x9e3779b97f4a7c15ULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long long left = bytes;

	if (!buf || fd < 0) {
		perror(path);
		return 1;
	}
	while (left > 0) {
		size_t n = left > MIB ? MIB : (size_t)left;

		for (size_t i = 0; i < MIB / 8; i++) {	/* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		if (write_all(fd, (const char *)buf, n) < 0) {
			perror(path);
			return 1;
		}
		left -= (long long)n;
	}
	free(buf);
	return close(fd) < 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "write"))
		return cmd_write(atoll(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "tick"))
		return cmd_tick(atol(argv[2]), atol(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "recv"))
		return cmd_recv();
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return cmd_fill(atoll(argv[2]), argv[3]);
	fprintf(stderr, "usage: benchtool write BYTES | tick MS SECS | recv | "
		"fill BYTES FILE\n");
	return 2;
}
