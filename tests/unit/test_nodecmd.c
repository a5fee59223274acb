/* nodecmd_archive_name: Elyra's <stem>-<node id>.tar.gz for every name. */
#include "check.h"

#include <stdlib.h>

#include "pipeline/nodecmd.h"

static char *archive(const char *filename)
{
	static char *last;
	struct node n;

	memset(&n, 0, sizeof(n));
	n.filename = (char *)filename;
	n.id = (char *)"abc";
	free(last);
	last = nodecmd_archive_name(&n);
	return last;
}

int main(void)
{
	CHECK_STR(archive("train.py"), "train-abc.tar.gz");
	CHECK_STR(archive("dir/hello.ipynb"), "hello-abc.tar.gz");
	CHECK_STR(archive("a.b.py"), "a.b-abc.tar.gz");
	CHECK_STR(archive("Makefile"), "Makefile-abc.tar.gz");
	/* A leading dot and no other: the whole name is the stem. */
	CHECK_STR(archive(".ipynb"), ".ipynb-abc.tar.gz");
	CHECK_STR(archive("dir/.ipynb"), ".ipynb-abc.tar.gz");
	CHECK_STR(archive(".env.py"), ".env-abc.tar.gz");
	free(archive("x"));
	return check_done();
}
