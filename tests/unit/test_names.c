/* names_artifact: Argo-valid, stable, and distinct for distinct paths. */
#include "check.h"

#include <stdlib.h>

#include "pipeline/names.h"

static const char *name(const char *path)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	names_artifact(&b, path);
	return b.buf;
}

static int valid(const char *s)
{
	if (!*s)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789-_") == strlen(s);
}

/*
 * names_logs over n nodes: each node's effective name (its --log-name, or
 * its file's stem) into eff, and 1 if no two nodes with files share one.
 */
static int logs_distinct(char *const *files, char *const *ids, int n,
			 char **out, char eff[][64])
{
	names_logs(out, files, ids, n);
	for (int i = 0; i < n; i++) {
		const char *b, *dot;

		eff[i][0] = '\0';
		if (!files[i])
			continue;
		if (out[i]) {
			snprintf(eff[i], 64, "%s", out[i]);
			if (strchr(out[i], '/'))
				return 0;
			continue;
		}
		b = strrchr(files[i], '/');
		b = b ? b + 1 : files[i];
		dot = strrchr(b, '.');
		snprintf(eff[i], 64, "%.*s",
			 (int)(dot && dot != b ? dot - b : (int)strlen(b)), b);
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (files[i] && files[j] && !strcmp(eff[i], eff[j]))
				return 0;
	return 1;
}

static void free_all(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
}

static void check_logs(void)
{
	/* The case: a third node's own file is "run-n2.py". */
	char *f1[] = { "a/run.py", "b/run.py", "run-n2.py", "c.ipynb", NULL };
	char *i1[] = { "n2", "n3", "n1", "n4", "n5" };
	/* A chain: "<stem>-<id>" and "<stem>-<id>-2" are files too. */
	char *f2[] = { "a/r.sh", "b/r.sh", "r-n.sh", "r-n-2.py" };
	char *i2[] = { "n", "m", "x", "y" };
	/* Two stems' "<stem>-<id>" agree: "a-b" + "c", "a" + "b-c". */
	char *f3[] = { "x/a-b.sh", "y/a-b.sh", "x/a.sh", "y/a.sh" };
	char *i3[] = { "c", "z", "b-c", "w" };
	/* x.py and x.ipynb; an id with a '/'. */
	char *f4[] = { "x.py", "d/x.ipynb", "unique.sh" };
	char *i4[] = { "p/q", "id2", "id3" };
	char *out[8], eff[8][64];

	CHECK(logs_distinct(f1, i1, 5, out, eff));
	CHECK(out[2] == NULL && out[3] == NULL && out[4] == NULL);
	CHECK_STR(out[1], "run-n3");
	CHECK(out[0] && strcmp(out[0], "run-n2") != 0);
	CHECK_STR(out[0], "run-n2-2");
	free_all(out, 5);
	CHECK(logs_distinct(f2, i2, 4, out, eff));
	CHECK_STR(out[0], "r-n-3");
	CHECK_STR(out[1], "r-m");
	free_all(out, 4);
	CHECK(logs_distinct(f3, i3, 4, out, eff));
	CHECK_STR(out[0], "a-b-c");
	CHECK_STR(out[2], "a-b-c-2");
	free_all(out, 4);
	CHECK(logs_distinct(f4, i4, 3, out, eff));
	CHECK_STR(out[0], "x-p-q");
	CHECK_STR(out[1], "x-id2");
	CHECK(out[2] == NULL);
	free_all(out, 3);
}

/*
 * Every small pipeline over a few stems and ids: files "<d>/<s>.py" with
 * s from a set that holds the "<stem>-<id>" forms themselves.
 */
static void check_logs_exhaustive(void)
{
	static char *const stems[] = { "a", "a-1", "a-1-2", "a-2", "b" };
	static char *const dirs[] = { "d0", "d1" };
	char files[6][32], *f[6], *ids[6] = { "1", "2", "1-2", "3", "4", "5" };
	char *out[6], eff[6][64];
	int bad = 0;

	/* 10 choices of (dir, stem) for each of 4 nodes: 10^4 pipelines. */
	for (int code = 0; code < 10000; code++) {
		int c = code;

		for (int i = 0; i < 4; i++, c /= 10) {
			snprintf(files[i], sizeof(files[i]), "%s/%s.py",
				 dirs[c % 10 / 5], stems[c % 10 % 5]);
			f[i] = files[i];
		}
		bad += !logs_distinct(f, ids, 4, out, eff);
		free_all(out, 4);
	}
	CHECK(bad == 0);
}

int main(void)
{
	char a[64], b[64];

	CHECK_STR(name("model_v2"), "model_v2");
	CHECK_STR(name("Results-1"), "Results-1");
	/* Each end of each range of valid characters is kept. */
	CHECK_STR(name("aA0-zZ9_"), "aA0-zZ9_");
	CHECK(!strncmp(name("data/x.csv"), "data-x-csv-", 11));
	CHECK(strlen(name("data/x.csv")) == 19);
	/* Stable: the compiler and the bootstrap run on different machines. */
	CHECK_STR(name("data/x.csv"), name("data/x.csv"));
	snprintf(a, sizeof(a), "%s", name("a.b"));
	snprintf(b, sizeof(b), "%s", name("a-b"));
	CHECK(strcmp(a, b) != 0);
	CHECK_STR(b, "a-b");
	CHECK(valid(name("../weird path/ü€.txt")));
	CHECK(valid(name("///")));
	CHECK(valid(name("")));
	CHECK(strcmp(name("mlpipeline-metrics"), "mlpipeline-metrics") != 0);
	CHECK(valid(name("mlpipeline-metrics")));
	/* KFP v2's fixed outputs and its launcher's logs are taken too. */
	CHECK(strcmp(name("mlpipeline-markdown"), "mlpipeline-markdown") != 0);
	CHECK(strcmp(name("mlpipeline-html"), "mlpipeline-html") != 0);
	CHECK(strcmp(name("executor-logs"), "executor-logs") != 0);
	CHECK(strlen(name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")) <= 57);
	CHECK(valid(name("*.csv")));
	/* 48 characters are a name whole; a 49th brings the hash. */
	memset(a, 'b', 48);
	a[48] = '\0';
	CHECK_STR(name(a), a);
	a[48] = 'b';
	a[49] = '\0';
	CHECK(strlen(name(a)) == 57 && !strncmp(name(a), a, 48));
	check_logs();
	check_logs_exhaustive();
	return check_done();
}
