/* strmap: a string-keyed hash map, keys and values borrowed. */
#include "base/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Where key is, or the empty slot where it would go (cap > 0). */
static size_t slot_of(const struct strmap *m, const char *key)
{
	size_t i = str_hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Rehashes into cap slots (a power of two, more than twice n). */
static void rehash(struct strmap *m, size_t cap)
{
	struct strmap big = { NULL, NULL, cap, 0 };

	big.keys = xcalloc(big.cap, sizeof(*big.keys));
	big.vals = xcalloc(big.cap, sizeof(*big.vals));
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			strmap_put(&big, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	*m = big;
}

void strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (cap > m->cap)
		rehash(m, cap);
}

void *strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = slot_of(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

void strmap_put(struct strmap *m, const char *key, void *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		rehash(m, m->cap ? 2 * m->cap : 16);
	i = slot_of(m, key);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
}

void *strmap_add(struct strmap *m, const char *key, void *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		rehash(m, m->cap ? 2 * m->cap : 16);
	i = slot_of(m, key);
	if (m->keys[i])
		return m->vals[i];
	m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
	return NULL;
}

/* An index i is stored as i + 1: a NULL value means "absent". */
int strmap_get_index(const struct strmap *m, const char *key)
{
	return (int)((intptr_t)strmap_get(m, key) - 1);
}

void strmap_put_index(struct strmap *m, const char *key, int i)
{
	strmap_put(m, key, (void *)((intptr_t)i + 1));
}

int strmap_add_index(struct strmap *m, const char *key, int i)
{
	void *old = strmap_add(m, key, (void *)((intptr_t)i + 1));

	return old ? (int)((intptr_t)old - 1) : i;
}

void strmap_release(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
