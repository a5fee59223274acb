/* strmap: a string-keyed hash map, keys and values borrowed. */
#include "common/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = str_hash(key) & (m->cap - 1); m->keys[i];
	     i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], key))
			return m->vals[i];
	return NULL;
}

void strmap_put(struct strmap *m, const char *key, void *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct strmap big = { NULL, NULL, m->cap ? 2 * m->cap : 16, 0 };

		big.keys = xcalloc(big.cap, sizeof(*big.keys));
		big.vals = xcalloc(big.cap, sizeof(*big.vals));
		for (i = 0; i < m->cap; i++)
			if (m->keys[i])
				strmap_put(&big, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = big;
	}
	for (i = str_hash(key) & (m->cap - 1); m->keys[i];
	     i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], key))
			break;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
}

void strmap_release(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

