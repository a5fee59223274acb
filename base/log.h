/*
 * log: the one log format of t3q.
 *
 * Every line is "[L HH:MM:SS.mmm] message", the format of Elyra's
 * bootstrapper.py, so that log readers written for Elyra keep working.
 * L is one of E, W, I, D. Lines go to stderr; the child's own output is
 * never passed through here.
 *
 * error() logs and returns -1, so that library code can say
 * "return error(...)" (git's idiom). Formats carry no trailing newline.
 */
#ifndef T3Q_BASE_LOG_H
#define T3Q_BASE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* The current level; lines above it are dropped. Default LOG_INFO. */
extern int log_level;

/*
 * Lines from the calling thread are dropped while it is non-zero: the
 * bootstrap's periodic log upload, abandoned on purpose when the run
 * ends, does not report the stop it was asked for (bootstrap/exec.c).
 */
extern _Thread_local int log_thread_muted;

/* Raises the level from T3Q_LOG_LEVEL (error|warn|info|debug or 0-3). */
void log_init_env(void);

void log_line(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vline(enum log_level level, const char *fmt, va_list ap);

/* Logs at LOG_ERROR and returns -1. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs at LOG_ERROR with ": strerror(errno)" appended, returns -1. */
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define warn(...) log_line(LOG_WARN, __VA_ARGS__)
#define info(...) log_line(LOG_INFO, __VA_ARGS__)
/* Checks the level first, so arguments are not evaluated when off. */
#define debug(...) do { \
	if (log_level >= LOG_DEBUG) \
		log_line(LOG_DEBUG, __VA_ARGS__); \
} while (0)

/* Monotonic seconds, for durations and deadlines. */
double log_now(void);

#endif
