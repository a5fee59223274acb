/*
 * t3q-bootstrap: the entrypoint of every pipeline container.
 */
#include <stdio.h>
#include <string.h>

#include "bootstrap/s3cmd.h"
#include "common/log.h"
#include "common/version.h"

int main(int argc, char **argv)
{
	log_init_env();
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("t3q-bootstrap %s\n", T3Q_VERSION);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "s3"))
		return s3cmd_main(argc - 1, argv + 1);
	fprintf(stderr, "usage: t3q-bootstrap s3 ls|get|put|rm|stat|mb ...\n"
		"       t3q-bootstrap --version\n");
	return 2;
}
