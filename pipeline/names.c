/* names: file path -> Argo artifact name, shared by compiler and bootstrap. */
#include "pipeline/names.h"
#include "base/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int reserved(const char *s)
{
	/*
	 * KFP's own outputs (v2: the markdown and HTML ones too, and the
	 * launcher's executor-logs), and the logs artifact Argo adds itself.
	 */
	return !strcmp(s, "mlpipeline-ui-metadata") ||
	       !strcmp(s, "mlpipeline-metrics") || !strcmp(s, "main-logs") ||
	       !strcmp(s, "mlpipeline-markdown") ||
	       !strcmp(s, "mlpipeline-html") || !strcmp(s, "executor-logs");
}

void names_normalize(struct buf *out, const char *path)
{
	const char *b = path, *e = path + strlen(path);
	size_t start = out->len;

	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (b == e)
		return;
	if (*b == '/')
		buf_addch(out, '/');
	while (b < e) {
		size_t n = 0;

		while (b + n < e && b[n] != '/')
			n++;
		/* "." segments and empty ones ("a//b") name nothing. */
		if (n && !(n == 1 && *b == '.')) {
			if (out->len > start && out->buf[out->len - 1] != '/')
				buf_addch(out, '/');
			buf_add(out, b, n);
		}
		b += n;
		if (b < e)
			b++;
	}
	/* Nothing left of "./" or ".": it names the work dir itself. */
	if (out->len == start)
		buf_addch(out, '.');
}

void names_artifact(struct buf *out, const char *raw)
{
	size_t start = out->len, n = 0;
	uint32_t h = 2166136261u;	/* FNV-1a: stable across builds */
	int lossy = 0;
	struct buf norm = BUF_INIT;
	const char *path;

	names_normalize(&norm, raw);
	path = norm.buf;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		h = (h ^ *p) * 16777619u;
		if (name_char(*p)) {
			if (n < 48)
				buf_addch(out, *p);
			n++;
			continue;
		}
		lossy = 1;
		/* Runs of other bytes become one '-', never a leading one. */
		if (out->len > start && out->buf[out->len - 1] != '-' &&
		    n < 48) {
			buf_addch(out, '-');
			n++;
		}
	}
	if (n > 48)
		lossy = 1;
	/* Only a '-' we made: "a-" is a valid name of its own. */
	while (lossy && out->len > start && out->buf[out->len - 1] == '-')
		buf_setlen(out, out->len - 1);
	if (lossy || out->len == start || reserved(out->buf + start)) {
		if (out->len > start)
			buf_addch(out, '-');
		buf_addf(out, "%08x", (unsigned)h);
	}
	buf_release(&norm);
}

char *names_stem(const char *path)
{
	const char *b = strrchr(path, '/'), *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	return dot && dot != b ? xstrndup(b, dot - b) : xstrdup(b);
}

/*
 * "<stem>-<id>", or that with "-2", "-3", ... until no node's name is it:
 * the set holds every node's natural name and every name given so far, so
 * a given name equals neither (a third node's "run-n2.py" is "run-n2").
 */
static char *unique_log_name(struct strmap *taken, const char *stem,
			     const char *id, int node)
{
	struct buf b = BUF_INIT;
	size_t base;
	char *name;

	buf_addf(&b, "%s-", stem);
	/* A '/' in an id would make it a path, which --log-name refuses. */
	for (const char *c = id; *c; c++)
		buf_addch(&b, *c == '/' ? '-' : *c);
	base = b.len;
	for (int k = 2; strmap_get(taken, b.buf); k++) {
		buf_setlen(&b, base);
		buf_addf(&b, "-%d", k);
	}
	name = buf_detach(&b, NULL);
	strmap_put_index(taken, name, node);
	return name;
}

void names_logs(char **out, char *const *files, char *const *ids, int n)
{
	/* Every node's natural name and every name given, to its node. */
	struct strmap taken = { 0 };
	char **stems = xcalloc(n ? n : 1, sizeof(*stems));
	char *clash = xcalloc(n ? n : 1, 1);

	for (int i = 0; i < n; i++) {
		int first;

		out[i] = NULL;
		if (!files[i])
			continue;
		stems[i] = names_stem(files[i]);
		/* The node that had the stem first clashes too. */
		first = strmap_add_index(&taken, stems[i], i);
		if (first != i)
			clash[first] = clash[i] = 1;
	}
	for (int i = 0; i < n; i++)
		if (clash[i])
			out[i] = unique_log_name(&taken, stems[i], ids[i], i);
	strmap_release(&taken);
	for (int i = 0; i < n; i++)
		free(stems[i]);
	free(stems);
	free(clash);
}

int names_env_dangerous(const char *name)
{
	static const char *const exact[] = {
		"BASH_ENV", "ENV", "PYTHONSTARTUP", "PYTHONHOME",
	};
	static const char *const prefix[] = { "LD_", "R_PROFILE",
					      "R_ENVIRON" };

	for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++)
		if (!strcmp(name, exact[i]))
			return 1;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(*prefix); i++)
		if (!strncmp(name, prefix[i], strlen(prefix[i])))
			return 1;
	return 0;
}
