/*
 * s3fill: writes N small objects "PREFIXkNNNNN" through one client, which
 * keeps its connection, so listing tests can have >1000 keys in seconds.
 * Endpoint and credentials come from the environment, as for t3q-bootstrap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "store/store.h"

int main(int argc, char **argv)
{
	struct s3_config cfg;
	struct store *st;
	char tmp[] = "/tmp/s3fill.XXXXXX";
	int n, fd, ret = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: s3fill s3://bucket/prefix/ N\n");
		return 2;
	}
	n = atoi(argv[2]);
	s3_config_init(&cfg);
	if (s3_config_from_env(&cfg) < 0 || !(st = store_open(argv[1], &cfg)))
		return 1;
	fd = mkstemp(tmp);
	if (fd < 0 || write(fd, "x", 1) != 1)
		return error_errno("cannot write '%s'", tmp) ? 1 : 1;
	close(fd);
	for (int i = 0; i < n && !ret; i++) {
		char key[32];

		snprintf(key, sizeof(key), "k%05d", i);
		ret = store_put(st, tmp, key);
	}
	unlink(tmp);
	store_free(st);
	s3_config_release(&cfg);
	return ret ? 1 : 0;
}
