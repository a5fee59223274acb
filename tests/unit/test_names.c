/* names_artifact: Argo-valid, stable, and distinct for distinct paths. */
#include "check.h"

#include "common/names.h"

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
	return check_done();
}
