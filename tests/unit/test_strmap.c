/*
 * strmap: every key put is found again with its value, through each
 * growth of the table (16 slots, doubled), a put to a key already there
 * replaces its value, and an absent key is NULL.
 */
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/buf.h"
#include "common/strmap.h"

#define N 3000

int main(void)
{
	static char *keys[N];
	struct strmap m = { 0 };
	int lost = 0, wrong = 0;

	CHECK(strmap_get(&m, "x") == NULL);
	for (intptr_t i = 0; i < N; i++) {
		keys[i] = xstrfmt("key-%ld", (long)i);
		strmap_put(&m, keys[i], (void *)(i + 1));
		/* every key so far, after each put: a growth loses none */
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
	return check_done();
}
