/*
 * strmap: put replaces, add keeps the first, reserve sizes once, the
 * index helpers tell index 0 from a key that is not there, and every key
 * put is found again through each growth of the table.
 */
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/strmap.h"

static void put_and_add(void)
{
	struct strmap m = { 0 };
	int a = 1, b = 2;

	CHECK(strmap_get(&m, "x") == NULL);	/* empty: no table yet */
	CHECK(strmap_add(&m, "x", &a) == NULL);
	CHECK(strmap_add(&m, "x", &b) == &a);	/* the first stays */
	CHECK(strmap_get(&m, "x") == &a);
	strmap_put(&m, "x", &b);		/* put replaces */
	CHECK(strmap_get(&m, "x") == &b);
	CHECK(m.n == 1);
	strmap_release(&m);
	CHECK(m.cap == 0 && m.keys == NULL);
}

static void indexes(void)
{
	struct strmap m = { 0 };

	CHECK(strmap_get_index(&m, "a") == -1);
	strmap_put_index(&m, "a", 0);
	CHECK(strmap_get_index(&m, "a") == 0);
	CHECK(strmap_get(&m, "a") != NULL);	/* index 0 is there */
	CHECK(strmap_add_index(&m, "a", 5) == 0);
	CHECK(strmap_add_index(&m, "b", 5) == 5);
	CHECK(strmap_get_index(&m, "b") == 5);
	CHECK(strmap_get_index(&m, "c") == -1);
	strmap_release(&m);
}

/* Many keys, reserved first: one table, never grown, every key found. */
static void reserve(void)
{
	enum { N = 20000 };
	struct strmap m = { 0 };
	char **keys = calloc(N, sizeof(*keys));
	size_t cap;
	int ok = 1;

	strmap_reserve(&m, N);
	cap = m.cap;
	CHECK(cap >= 2 * N && !(cap & (cap - 1)));
	for (int i = 0; i < N; i++) {
		keys[i] = xstrfmt("k%d", i);
		ok &= strmap_add_index(&m, keys[i], i) == i;
	}
	CHECK(ok);
	CHECK(m.cap == cap && m.n == N);
	for (int i = 0; i < N; i++)
		ok &= strmap_get_index(&m, keys[i]) == i;
	CHECK(ok);
	strmap_reserve(&m, 10);			/* never shrinks */
	CHECK(m.cap == cap);
	strmap_release(&m);
	for (int i = 0; i < N; i++)
		free(keys[i]);
	free(keys);
}

/* Growing by put keeps every key (the rehash). */
static void growth(void)
{
	struct strmap m = { 0 };
	char keys[100][8];
	int ok = 1;

	for (int i = 0; i < 100; i++) {
		snprintf(keys[i], sizeof(keys[i]), "g%d", i);
		strmap_put_index(&m, keys[i], i);
	}
	for (int i = 0; i < 100; i++)
		ok &= strmap_get_index(&m, keys[i]) == i;
	CHECK(ok);
	CHECK(m.n == 100 && m.cap >= 200);
	strmap_release(&m);
}

/*
 * Every key so far, after each put (16 slots, doubled): a growth loses
 * none; a put to a key already there replaces its value.
 */
static void each_growth(void)
{
	enum { N = 3000 };
	static char *keys[N];
	struct strmap m = { 0 };
	int lost = 0, wrong = 0;

	for (intptr_t i = 0; i < N; i++) {
		keys[i] = xstrfmt("key-%ld", (long)i);
		strmap_put(&m, keys[i], (void *)(i + 1));
		if (i % 97 == 0 || i < 64)
			for (intptr_t j = 0; j <= i; j++)
				lost += strmap_get(&m, keys[j]) != (void *)(j + 1);
	}
	CHECK(lost == 0);
	CHECK(m.n == N);
	for (intptr_t i = 0; i < N; i += 2)
		strmap_put(&m, keys[i], (void *)(-i));
	for (intptr_t i = 0; i < N; i++)
		wrong += strmap_get(&m, keys[i]) !=
			 (void *)(i % 2 ? i + 1 : -i);
	CHECK(wrong == 0);
	CHECK(m.n == N);
	CHECK(strmap_get(&m, "key-3000") == NULL);
	CHECK(strmap_get(&m, "") == NULL);
	strmap_release(&m);
	for (int i = 0; i < N; i++)
		free(keys[i]);
}

int main(void)
{
	put_and_add();
	indexes();
	reserve();
	growth();
	each_growth();
	return check_done();
}
