/*
 * strmap: a string-keyed hash map (open addressing, FNV-1a), so that
 * lookups by name stay linear in all (mappings with many keys, components
 * with many inputs, many nodes of one component). Keys and values are
 * borrowed: a key must live as long as the map. Zero-initialised is
 * empty; strmap_release frees the table, not the keys or values.
 */
#ifndef T3Q_BASE_STRMAP_H
#define T3Q_BASE_STRMAP_H

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
/*
 * Sets key to val unless key is there: returns the value already there,
 * or NULL once val is in. One probe where "the first of its name" wins.
 */
void *strmap_add(struct strmap *m, const char *key, void *val);
/*
 * Room for n keys without growing: a map filled with a count known in
 * advance (every node, every output of the ancestors) is sized once.
 */
void strmap_reserve(struct strmap *m, size_t n);

/*
 * The same with indexes (into an array the caller keeps) as values, 0
 * included: strmap_get_index returns -1 for a key that is not there, and
 * strmap_add_index the index already there, else i.
 */
int strmap_get_index(const struct strmap *m, const char *key);
void strmap_put_index(struct strmap *m, const char *key, int i);
int strmap_add_index(struct strmap *m, const char *key, int i);
void strmap_release(struct strmap *m);

#endif
