/*
 * check: the unit-test helpers (redis testhelp.h, curl fail_unless).
 * CHECK(cond) and CHECK_STR(a, b) count and report; check_done() prints
 * "N passed, N failed" and is main's return value.
 */
#ifndef T3Q_TESTS_CHECK_H
#define T3Q_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) { \
		check_passed++; \
	} else { \
		check_failed++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			__LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && !strcmp(g_, w_)) { \
		check_passed++; \
	} else { \
		check_failed++; \
		fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, \
			__LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} \
} while (0)

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed != 0;
}

#endif
