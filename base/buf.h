/*
 * buf: a growable byte buffer (git's strbuf).
 *
 * Invariants: b->buf is never NULL and always NUL-terminated, so it can be
 * used as a C string. Start with "struct buf b = BUF_INIT;". buf_release()
 * frees the contents and leaves the buffer reusable; buf_detach() hands the
 * malloc'd string to the caller, who frees it with free().
 *
 * Allocation failure aborts (xmalloc), so callers never check for NULL.
 */
#ifndef T3Q_BASE_BUF_H
#define T3Q_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char buf_empty[];
#define BUF_INIT { 0, 0, buf_empty }

void buf_init(struct buf *b, size_t hint);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);
void buf_grow(struct buf *b, size_t extra);
void buf_setlen(struct buf *b, size_t len);
#define buf_reset(b) buf_setlen((b), 0)

void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Reads a whole file into b (appending). Returns 0, or -1 with errno set. */
int buf_read_file(struct buf *b, const char *path);

/*
 * Appends d as Python's repr() of a float writes it, the way Elyra prints
 * a number: the shortest digits that read back as d, fixed notation from
 * 1e-4 to below 1e16 ("0.3", "3.0", "1e-07", "1e+16", "inf").
 */
void buf_add_pyfloat(struct buf *b, double d);

/*
 * The first byte of s that is not strict UTF-8 (overlong forms, surrogates
 * and code points past U+10FFFF are not), or NULL when all of it is.
 */
const char *utf8_invalid(const char *s);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
