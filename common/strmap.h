/*
 * strmap: a string-keyed hash map (open addressing, FNV-1a), so that
 * lookups by name stay linear in all (mappings with many keys, components
 * with many inputs, many nodes of one component). Keys and values are
 * borrowed: a key must live as long as the map. Zero-initialised is
 * empty; strmap_release frees the table, not the keys or values.
 */
#ifndef T3Q_COMMON_STRMAP_H
#define T3Q_COMMON_STRMAP_H

#include <stddef.h>

struct strmap {
	const char **keys;
	void **vals;
	size_t cap, n;
};

/* The value under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Sets key to val (a key already there takes the new value). */
void strmap_put(struct strmap *m, const char *key, void *val);
void strmap_release(struct strmap *m);

#endif
