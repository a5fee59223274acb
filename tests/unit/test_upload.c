/*
 * upload: a dependency archive follows symlinks inside the pipeline's
 * directory, as Elyra does, and refuses one that leads out of it (a file
 * or a directory), uploading nothing for that node. The archives are
 * written in a temp dir of the run's own under TMPDIR, which is gone after:
 * a name another user could guess in a shared /tmp (here, one taken by a
 * directory) stops nothing.
 */
#include "check.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/upload.h"
#include "base/buf.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* One node: p/a.py with the dependencies given (a JSON list). */
static void write_pipeline(const char *path, const char *deps)
{
	char *text = xstrfmt(
		"{\"doc_type\": \"pipeline\", \"version\": \"3.0\", "
		"\"primary_pipeline\": \"p\", \"pipelines\": [{\"id\": \"p\", "
		"\"nodes\": [{\"id\": \"n\", \"type\": \"execution_node\", "
		"\"op\": \"execute-python-node\", \"app_data\": "
		"{\"component_parameters\": {\"filename\": \"a.py\", "
		"\"runtime_image\": \"x/y:1\", \"dependencies\": %s}, "
		"\"ui_data\": {\"label\": \"n\"}}, \"inputs\": [{\"id\": "
		"\"inPort\"}], \"outputs\": [{\"id\": \"outPort\"}]}], "
		"\"app_data\": {\"version\": 8, \"properties\": {}}}]}", deps);

	write_file(path, text);
	free(text);
}

/* Uploads p.pipeline's archive; 1 when it went up, 0 when refused. */
static int uploads(const char *dir, struct store *st, const char *deps)
{
	struct pipeline p;
	char *pl = xstrfmt("%s/p/p.pipeline", dir);
	char *key = xstrfmt("%s/root/k/a-n.tar.gz", dir);
	int ret;

	unlink(key);
	write_pipeline(pl, deps);
	if (pipeline_load(&p, pl) < 0) {
		free(pl);
		free(key);
		return -1;
	}
	ret = upload_archives(&p, st, "k");
	pipeline_free(&p);
	free(pl);
	/* Refused means nothing stored, not a partial archive. */
	ret = ret == 0 && !access(key, F_OK);
	free(key);
	return ret;
}

/* The entries of a directory, . and .. not counted. */
static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/t3q-upload.XXXXXX";
	struct store *st;
	char *url, *path, *target;

	if (!mkdtemp(dir))
		return 1;
	path = xstrfmt("%s/p", dir);
	mkdir(path, 0755);
	free(path);
	path = xstrfmt("%s/p/sub", dir);
	mkdir(path, 0755);
	free(path);
	path = xstrfmt("%s/outside", dir);
	mkdir(path, 0755);
	free(path);
	path = xstrfmt("%s/p/a.py", dir);
	write_file(path, "print(1)\n");
	free(path);
	path = xstrfmt("%s/p/sub/real.txt", dir);
	write_file(path, "inside\n");
	free(path);
	path = xstrfmt("%s/outside/secret.txt", dir);
	write_file(path, "secret\n");
	free(path);
	/* in.txt -> sub/real.txt, shadow -> ../outside/secret.txt, certs ->
	 * ../outside (a directory) */
	path = xstrfmt("%s/p/in.txt", dir);
	CHECK(symlink("sub/real.txt", path) == 0);
	free(path);
	path = xstrfmt("%s/p/shadow", dir);
	target = xstrfmt("%s/outside/secret.txt", dir);
	CHECK(symlink(target, path) == 0);
	free(target);
	free(path);
	path = xstrfmt("%s/p/certs", dir);
	CHECK(symlink("../outside", path) == 0);
	free(path);

	/* The name t3q once used, taken: a directory in TMPDIR. */
	path = xstrfmt("%s/tmp", dir);
	mkdir(path, 0755);
	setenv("TMPDIR", path, 1);
	free(path);
	path = xstrfmt("%s/tmp/t3q-upload-%d-a-n.tar.gz", dir, (int)getpid());
	mkdir(path, 0755);
	free(path);

	url = xstrfmt("file://%s/root", dir);
	st = store_open(url, NULL);
	CHECK(st != NULL);
	if (st) {
		CHECK(uploads(dir, st, "[\"in.txt\"]") == 1);
		CHECK(uploads(dir, st, "[\"shadow\"]") == 0);
		CHECK(uploads(dir, st, "[\"*\"]") == 0);
		CHECK(uploads(dir, st, "[\"certs/*\"]") == 0);
		CHECK(uploads(dir, st, "[\"sub/*\"]") == 1);
	}
	/* Only the directory planted is left in TMPDIR. */
	path = xstrfmt("%s/tmp", dir);
	CHECK(entries(path) == 1);
	free(path);
	store_free(st);
	free(url);
	path = xstrfmt("rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(path);
	return check_done();
}
