/* buf: growable buffer and the abort-on-OOM allocators. */
#include "base/buf.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char buf_empty[1];

static void oom(size_t n)
{
	/* Nothing sensible can continue without memory; say so and stop. */
	fprintf(stderr, "t3q: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xstrfmt(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

void buf_init(struct buf *b, size_t hint)
{
	b->alloc = b->len = 0;
	b->buf = buf_empty;
	if (hint)
		buf_grow(b, hint);
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->buf);
	buf_init(b, 0);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *res;

	buf_grow(b, 0);
	res = b->buf;
	if (len)
		*len = b->len;
	buf_init(b, 0);
	return res;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->alloc)
		return;
	if (need < b->alloc * 3 / 2)
		need = b->alloc * 3 / 2;
	if (need < 64)
		need = 64;
	if (!b->alloc) {
		b->buf = xmalloc(need);
		b->buf[0] = '\0';
	} else {
		b->buf = xrealloc(b->buf, need);
	}
	b->alloc = need;
}

void buf_setlen(struct buf *b, size_t len)
{
	if (!b->alloc && !len)
		return;
	buf_grow(b, len > b->len ? len - b->len : 0);
	b->len = len;
	b->buf[len] = '\0';
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	memcpy(b->buf + b->len, data, len);
	buf_setlen(b, b->len + len);
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc ? b->alloc - b->len : 0,
		      fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= (b->alloc ? b->alloc - b->len : 0)) {
		buf_grow(b, n);
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	buf_setlen(b, b->len + n);
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

int buf_read_file(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t old = b->len;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n;

		buf_grow(b, 8192);
		n = read(fd, b->buf + b->len, b->alloc - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			close(fd);
			buf_setlen(b, old);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		buf_setlen(b, b->len + n);
	}
	close(fd);
	return 0;
}

void buf_add_pyfloat(struct buf *b, double d)
{
	char tmp[64], digits[24];
	int nd = 0, exp10, decpt;
	char *e;

	if (isnan(d)) {
		buf_adds(b, "nan");
		return;
	}
	if (isinf(d)) {
		buf_adds(b, d < 0 ? "-inf" : "inf");
		return;
	}
	if (signbit(d))
		buf_addch(b, '-');
	d = fabs(d);
	if (d == 0) {
		buf_adds(b, "0.0");
		return;
	}
	/* The shortest "%.Ne" that reads back as the same double. */
	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	for (const char *p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	e = strchr(tmp, 'e');
	exp10 = atoi(e + 1);
	decpt = exp10 + 1;	/* d = 0.DIGITS x 10^decpt */
	if (decpt <= -4 || decpt > 16) {
		buf_addch(b, digits[0]);
		if (nd > 1)
			buf_addf(b, ".%s", digits + 1);
		buf_addf(b, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (decpt <= 0) {
		buf_adds(b, "0.");
		for (int i = 0; i < -decpt; i++)
			buf_addch(b, '0');
		buf_adds(b, digits);
	} else if (decpt >= nd) {
		buf_adds(b, digits);
		for (int i = nd; i < decpt; i++)
			buf_addch(b, '0');
		buf_adds(b, ".0");
	} else {
		buf_add(b, digits, decpt);
		buf_addf(b, ".%s", digits + decpt);
	}
}

/* Strict UTF-8: no overlongs, surrogates or code points past U+10FFFF. */
const char *utf8_invalid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c;
		int n;

		/* Most text is ASCII: skip it without the table below. */
		while (*p && *p < 0x80)
			p++;
		if (!*p)
			break;
		c = *p;
		n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 :
			c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ?
			3 : -1;

		if (n < 0)
			return (const char *)p;
		for (int i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return (const char *)p;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return (const char *)p;
		p += n + 1;
	}
	return NULL;
}
