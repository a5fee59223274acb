/* items: reading --inputs and --outputs lists, and keeping paths inside. */
#include "bootstrap/items.h"

#include <string.h>

#include "base/buf.h"
#include "base/log.h"

int items_each(const char *list, int (*fn)(void *ctx, const char *item),
	       void *ctx)
{
	struct buf item = BUF_INIT;
	int ret = 0;

	while (list && *list) {
		size_t n = strcspn(list, ";");
		const char *b = list, *e = list + n;

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		buf_reset(&item);
		buf_add(&item, b, e - b);
		/* "./x" and "x" are one file; a trailing '/' names a dir. */
		while (item.len > 2 && !strncmp(item.buf, "./", 2)) {
			memmove(item.buf, item.buf + 2, item.len - 1);
			item.len -= 2;
		}
		while (item.len > 1 && item.buf[item.len - 1] == '/')
			buf_setlen(&item, item.len - 1);
		if (item.len) {
			int r = fn(ctx, item.buf);

			if (r && !ret)
				ret = r;
		}
		list += n;
		if (*list)
			list++;
	}
	buf_release(&item);
	return ret;
}

/* Inputs and outputs are paths in the work dir: never outside it. */
int items_path_ok(const char *what, const char *p)
{
	const char *q = p;

	if (*p == '/')
		return error("%s '%s' is an absolute path; give it relative "
			     "to the notebook or script", what, p);
	while (*q) {
		size_t n = strcspn(q, "/");

		if (n == 2 && !strncmp(q, "..", 2))
			return error("%s '%s' reaches outside the work dir "
				     "with '..'", what, p);
		q += n;
		if (*q)
			q++;
	}
	return 0;
}

