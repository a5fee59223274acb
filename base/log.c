/* log: "[L HH:MM:SS.mmm] message" lines on stderr. */
#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int log_level = LOG_INFO;
_Thread_local int log_thread_muted;

void log_init_env(void)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	const char *v = getenv("T3Q_LOG_LEVEL");

	if (!v || !*v)
		return;
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, names[i]) || (v[0] == '0' + i && !v[1])) {
			log_level = i;
			return;
		}
	}
	warn("ignoring T3Q_LOG_LEVEL='%s': use error, warn, info or debug", v);
}

void log_vline(enum log_level level, const char *fmt, va_list ap)
{
	static const char letters[] = "EWID";
	char line[4096];
	struct timeval tv;
	struct tm tm;
	int n, m;

	if ((int)level > log_level || log_thread_muted)
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "[%c %02d:%02d:%02d.%03d] ",
		     letters[level], tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (int)(tv.tv_usec / 1000));
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write(2) per line, so lines from several processes never mix. */
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		memmove(line, line + w, n - w);
		n -= w;
	}
}

void log_line(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(level, fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_ERROR, fmt, ap);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	char msg[2048];
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(LOG_ERROR, "%s: %s", msg, strerror(saved));
	errno = saved;
	return -1;
}

double log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
