/*
 * validate: Elyra's pipeline checks (elyra/pipeline/validation.py, with its
 * messages), plus what Kubernetes and Argo will refuse later, found here
 * instead with the node and field named. All of it runs before anything
 * is emitted.
 */
#include "pipeline/pipeline.h"

#include <glob.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "pipeline/names.h"
#include "pipeline/upload_scan.h"

/*
 * The patterns are a handful of literals used for every node: compiled
 * once each (regcomp costs a hundred times what a match does), kept for
 * the life of the process.
 */
static int matches(const char *re_text, const char *s)
{
	static struct {
		const char *text;
		regex_t re;
	} cache[16];
	static int ncache;
	int i;

	for (i = 0; i < ncache && cache[i].text != re_text; i++)
		;
	if (i == ncache) {
		regex_t re;

		if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB))
			return 0;
		if (ncache == 16) {
			int ok = !regexec(&re, s, 0, NULL, 0);

			regfree(&re);
			return ok;
		}
		cache[ncache].text = re_text;
		cache[ncache++].re = re;
	}
	return !regexec(&cache[i].re, s, 0, NULL, 0);
}

/* DNS-1123 subdomain: secrets, PVCs. */
static int k8s_resource_name(const char *s)
{
	return strlen(s) <= 253 &&
	       matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
		       "[a-z0-9])?)*$", s);
}

/* Label and annotation keys: [prefix/]name. */
static int qualified_name(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;

	if (slash) {
		char *prefix = xstrndup(s, slash - s);
		int ok = k8s_resource_name(prefix);

		free(prefix);
		if (!ok)
			return 0;
	}
	return strlen(name) <= 63 &&
	       matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", name);
}

static int label_value(const char *s)
{
	return strlen(s) <= 63 &&
	       (!*s || matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
			       s));
}

/*
 * Argo resolves every "{{...}}" in a workflow and has no escape for a
 * literal one, so a user string holding one would fail at upload.
 */
void pipeline_no_braces(struct pipeline *p, const struct node *n,
			const char *field, const char *s)
{
	if (s && strstr(s, "{{"))
		pipeline_diag(p, 1, n, field, "'%s' contains '{{', which Argo "
			      "would read as a placeholder and cannot escape; "
			      "remove it", s);
}

/*
 * Argo's global variables, which it resolves in any template field and
 * its lint (KFP's upload check) accepts: Elyra and the kfp SDK pass them
 * through in env values, and users put the run's id in env vars this way.
 */
static int argo_global(const char *v, size_t len)
{
	static const char *const exact[] = {
		"workflow.name", "workflow.namespace", "workflow.uid",
		"workflow.serviceAccountName", "workflow.mainEntrypoint",
		"workflow.creationTimestamp", "workflow.duration",
		"workflow.priority", "pod.name",
	};
	static const char *const prefix[] = {
		"workflow.creationTimestamp.", "workflow.annotations.",
		"workflow.labels.",
	};

	for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++)
		if (len == strlen(exact[i]) && !strncmp(v, exact[i], len))
			return 1;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(*prefix); i++) {
		size_t pl = strlen(prefix[i]);

		if (len > pl && !strncmp(v, prefix[i], pl))
			return 1;
	}
	return 0;
}

/* An env value may hold Argo's globals; any other '{{' is refused. */
static void env_braces(struct pipeline *p, const struct node *n,
		       const char *field, const char *s)
{
	const char *o = s;

	while (o && (o = strstr(o, "{{"))) {
		const char *b = o + 2, *c = strstr(b, "}}");

		while (c && b < c && *b == ' ')
			b++;
		if (c) {
			const char *e = c;

			while (e > b && e[-1] == ' ')
				e--;
			if (argo_global(b, e - b) && !memchr(b, '{', e - b)) {
				o = c + 2;
				continue;
			}
		}
		pipeline_diag(p, 1, n, field, "'%s' contains '{{', which Argo "
			      "would read as a placeholder: only Argo's "
			      "globals ({{workflow.uid}}, {{workflow.name}}, "
			      "{{workflow.namespace}}, {{pod.name}}, ...) can "
			      "be used, and Argo cannot escape it otherwise; "
			      "remove it", s);
		return;
	}
}

static int positive_number(const char *s, double *out)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end)
		return -1;
	if (!isfinite(d))
		return -2;
	*out = d;
	return d > 0 ? 1 : 0;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* strconv.ParseInt(s, 10, 64) succeeds: a sign, digits, within int64. */
static int parse_int64(const char *s, const char *e, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0, max;

	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s == e)
		return 0;
	max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; s < e; s++) {
		if (!digit(*s) || v > (max - (*s - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

/* Go's int32(x): the low 32 bits, two's complement. */
static int32_t wrap32(int64_t x)
{
	uint32_t u = (uint32_t)((uint64_t)x & 0xffffffffu);

	return u > INT32_MAX ? -(int32_t)(~u) - 1 : (int32_t)u;
}

/*
 * The suffix as quantitySuffixer.interpret() reads it: *exp its power of
 * 10 (or of 2 when *binary), wrapped to int32 as Go does.
 */
static int quantity_suffix(const char *s, const char *e, int *binary,
			   int32_t *exp)
{
	static const char *const dec[] = { "n", "u", "m", "", "k", "M", "G",
					   "T", "P", "E" };
	static const char *const bin[] = { "Ki", "Mi", "Gi", "Ti", "Pi",
					   "Ei" };
	size_t len = e - s;
	int64_t v;

	*binary = 0;
	for (int i = 0; i < 10; i++)
		if (strlen(dec[i]) == len && !strncmp(s, dec[i], len)) {
			*exp = -9 + 3 * i;
			return 1;
		}
	for (int i = 0; i < 6; i++)
		if (len == 2 && !strncmp(s, bin[i], 2)) {
			*binary = 1;
			*exp = 10 * (i + 1);
			return 1;
		}
	if (len < 2 || (*s != 'e' && *s != 'E') || !parse_int64(s + 1, e, &v))
		return 0;
	*exp = wrap32(v);
	return 1;
}

int pipeline_quantity_ok(const char *str)
{
	const char *s = str, *num, *num_end, *den = NULL, *den_end = NULL;
	const char *suf, *c, *end = str + strlen(str);
	int binary, digits = 0, precision;
	int32_t exp, scale;

	if (s == end)
		return 0;
	/* parseQuantityString(): sign, zeros, numerator, '.' denominator */
	if (*s == '+' || *s == '-')
		s++;
	while (s < end && *s == '0')
		s++, digits = 1;
	for (num = s; s < end && digit(*s); s++)
		digits = 1;
	num_end = s;
	if (s < end && *s == '.') {
		for (den = ++s; s < end && digit(*s); s++)
			digits = 1;
		den_end = s;
	}
	/* A run of suffix letters, then an optional sign and digits. */
	for (suf = s; s < end && strchr("eEinumkKMGTP", *s); s++)
		;
	c = s;
	if (c < end && (*c == '+' || *c == '-'))
		c++;
	while (c < end && digit(*c))
		c++;
	if (c < end)
		return 0;	/* ErrFormatWrong */
	if (!quantity_suffix(suf, end, &binary, &exp))
		return 0;	/* ErrSuffix */
	{
		int nlen = num_end > num ? (int)(num_end - num) : 1;
		int dlen = den ? (int)(den_end - den) : 0;

		/*
		 * ParseQuantity's fast path (at most 18 digits, scale >= -9)
		 * needs no digit; the other parses the number with inf.Dec,
		 * which fails on none ("+e-10", ".e-10"): ErrNumeric.
		 */
		if (!binary) {
			scale = exp;
			precision = 18 - (nlen + dlen);
		} else {
			scale = 0;
			precision = dlen ? -1
				: 15 - nlen - (int)((float)exp * 3 / 10) - 1;
		}
		if (precision >= 0 &&
		    wrap32((int64_t)scale - dlen) >= -9)
			return 1;
	}
	return digits;
}

/*
 * A resource's value as t3q writes it (emitted: "<value>G" for memory) is
 * read by Kubernetes' resource.ParseQuantity on every backend; a value it
 * cannot read ("0x10", "1e3" as "1e3G", " 5") fails the run at submission.
 */
static int resource_written(struct pipeline *p, const struct node *n,
			    const char *field, const char *value,
			    const char *emitted, const char *unit)
{
	if (pipeline_quantity_ok(emitted))
		return 1;
	pipeline_diag(p, 1, n, field, "'%s' would be written as the "
		      "Kubernetes quantity '%s', which Kubernetes cannot read; "
		      "write the number of %s in decimal digits, e.g. %s",
		      value, emitted, unit, strcmp(unit, "GPUs") ? "2 or 0.5"
		      : "1 or 2");
	return 0;
}

static void check_resources(struct pipeline *p, const struct node *n)
{
	const char *names[5] = { "cpu", "cpu_limit", "memory", "memory_limit",
				 "gpu" };
	const char *units[5] = { "CPUs", "CPUs", "gigabytes", "gigabytes",
				 "GPUs" };
	const char *vals[5] = { n->cpu, n->cpu_limit, n->memory,
				n->memory_limit, n->gpu };
	double d[5] = { 0 };

	for (int i = 0; i < 5; i++) {
		char *emitted;
		int r;

		if (!vals[i])
			continue;
		r = positive_number(vals[i], &d[i]);
		if (r == -2)
			pipeline_diag(p, 1, n, names[i], "Property value %s is "
				      "not a finite number.", vals[i]);
		else if (r < 0)
			pipeline_diag(p, 1, n, names[i], "Property has a "
				      "non-numeric value.");
		else if (r == 0)
			pipeline_diag(p, 1, n, names[i], "Property must be "
				      "greater than zero.");
		/*
		 * No node has a million cores or a million G (a petabyte) of
		 * memory: a value beyond is a typo, and 1e308 would reach
		 * Kubernetes as a quantity it cannot hold.
		 */
		else if (d[i] > 1e6)
			pipeline_diag(p, 1, n, names[i], "Property value %s is "
				      "too large (at most 1000000).", vals[i]);
		if (r <= 0 || d[i] > 1e6) {
			d[i] = 0;	/* no limit/request comparison */
			continue;
		}
		emitted = i == 2 || i == 3 ? xstrfmt("%sG", vals[i])
					   : xstrdup(vals[i]);
		if (!resource_written(p, n, names[i], vals[i], emitted,
				      units[i]))
			d[i] = 0;
		else if (i == 4 && d[i] != floor(d[i]))
			pipeline_diag(p, 1, n, names[i], "Property must be a "
				      "whole number of GPUs, not %s.", vals[i]);
		free(emitted);
	}
	if (d[0] > 0 && d[1] > 0 && d[1] < d[0])
		pipeline_diag(p, 1, n, "cpu_limit", "CPU limit %s must be "
			      "greater than or equal to the CPU request %s",
			      n->cpu_limit, n->cpu);
	if (d[2] > 0 && d[3] > 0 && d[3] < d[2])
		pipeline_diag(p, 1, n, "memory_limit", "memory limit %sG must "
			      "be greater than or equal to the memory request "
			      "%sG", n->memory_limit, n->memory);
	if (n->gpu_vendor && !qualified_name(n->gpu_vendor))
		pipeline_diag(p, 1, n, "gpu_vendor", "Property is not a valid "
			      "resource vendor name.");
}

static int has_suffix(const char *s, const char *suffix, int nocase)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a > b && (nocase ? !strcasecmp(s + a - b, suffix)
				: !strcmp(s + a - b, suffix));
}

static void check_file(struct pipeline *p, const struct node *n)
{
	struct stat st;
	char *path;

	if (!n->filename) {
		pipeline_diag(p, 1, n, "filename", "Required property value "
			      "is missing.");
		return;
	}
	pipeline_no_braces(p, n, "filename", n->filename);
	path = n->filename[0] == '/' ? xstrdup(n->filename)
				     : xstrfmt("%s/%s", p->dir, n->filename);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		pipeline_diag(p, 1, n, "filename", "Property has an invalid "
			      "path to a file/dir or the file/dir does not "
			      "exist. ('%s', relative to %s)", n->filename,
			      p->dir);
	free(path);
	/*
	 * Elyra runs a file by its type whatever the node's op says (its own
	 * test pipelines put .py files in notebook nodes); so does t3q.
	 */
	if (!has_suffix(n->filename, ".ipynb", 0) &&
	    !has_suffix(n->filename, ".py", 0) &&
	    !has_suffix(n->filename, ".r", 1) &&
	    !has_suffix(n->filename, ".sh", 0))
		pipeline_diag(p, 1, n, "filename", "'%s' is not a notebook "
			      "(.ipynb), Python (.py), R (.r) or shell (.sh) "
			      "file", n->filename);
}

/* Lexically, does rel leave its directory (absolute, or ".." too far)? */
static int leaves_dir(const char *rel)
{
	int depth = 0;

	if (*rel == '/')
		return 1;
	while (*rel) {
		size_t n = strcspn(rel, "/");

		if (n == 2 && !strncmp(rel, "..", 2))
			depth--;
		else if (n && !(n == 1 && *rel == '.'))
			depth++;
		if (depth < 0)
			return 1;
		rel += n;
		rel += strspn(rel, "/");
	}
	return 0;
}

/*
 * A pattern that matched nothing because the archive refused the link it
 * names ("certs/x*" with certs -> /etc/ssl) has had its error already.
 */
static int names_refused_link(const struct strlist *outside, const char *dep)
{
	for (int i = 0; i + 1 < outside->n; i += 2) {
		size_t len = strlen(outside->v[i]);

		if (upload_fnmatch(dep, outside->v[i]) ||
		    (!strncmp(dep, outside->v[i], len) && dep[len] == '/'))
			return 1;
	}
	return 0;
}

/*
 * Elyra's _validate_filepath() on each dependency, relative to the node
 * file's directory: a '*' pattern must match something (Python's glob),
 * anything else must be a file. Then its archive: Elyra's export fails
 * when a pattern matches nothing that create_temp_archive takes
 * ("data" for a directory, "sub/x.py" with '*' crossing into a directory
 * it does not enter), so t3q refuses that here, naming the pattern.
 */
static void check_dependencies(struct pipeline *p, const struct node *n)
{
	const char *slash = n->filename ? strrchr(n->filename, '/') : NULL;
	char *dir = slash ? xstrndup(n->filename, slash - n->filename)
			  : xstrdup("");
	struct strlist members = { 0 }, unmatched = { 0 }, outside = { 0 };
	struct strlist loops = { 0 };
	char *bad = xcalloc(n->dependencies.n + 1, 1);

	for (int i = 0; i < n->dependencies.n; i++) {
		const char *dep = n->dependencies.v[i];
		char field[64], *path;
		struct stat st;
		glob_t g;

		snprintf(field, sizeof(field), "dependencies[%d]", i);
		pipeline_no_braces(p, n, field, dep);
		if (leaves_dir(dep)) {
			pipeline_diag(p, 1, n, field, "Property has an invalid "
				      "path to a file/dir outside the node's "
				      "directory ('%s'): the dependency archive "
				      "holds only '%s' and below; move the file "
				      "there", dep, *dir ? dir : ".");
			bad[i] = 1;
			continue;
		}
		path = xstrfmt("%s/%s%s%s", p->dir, dir, *dir ? "/" : "", dep);
		if (strchr(dep, '*')) {
			if (glob(path, GLOB_NOESCAPE, NULL, &g) != 0) {
				pipeline_diag(p, 1, n, field, "Property(wildcard)"
					      " has an invalid path to a file/dir "
					      "or the file/dir does not exist. "
					      "('%s')", dep);
				bad[i] = 1;
			}
			globfree(&g);
		} else if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			pipeline_diag(p, 1, n, field, "Property has an invalid "
				      "path to a file/dir or the file/dir does "
				      "not exist. ('%s'%s)", dep,
				      !stat(path, &st) && S_ISDIR(st.st_mode) ?
				      ": a directory; use 'DIR/*'" : "");
			bad[i] = 1;
		}
		free(path);
	}
	if (n->filename && !n->dependencies.n) {
		/* No scan (a directory per node is slow): the file alone. */
		char *path = n->filename[0] == '/' ? xstrdup(n->filename)
			: xstrfmt("%s/%s", p->dir, n->filename);
		char *target = upload_link_outside(p, path);

		if (target)
			pipeline_diag(p, 1, n, "filename", "'%s' is a symlink "
				      "to '%s', outside the pipeline's "
				      "directory: the dependency archive "
				      "follows links only inside it; copy the "
				      "file in instead", n->filename, target);
		free(target);
		free(path);
	}
	if (n->filename && n->dependencies.n &&
	    !upload_scan(p, n, &members, &unmatched, &outside, &loops)) {
		for (int i = 0; i + 1 < loops.n; i += 2)
			pipeline_diag(p, 1, n, "dependencies", "'%s%s%s' is a "
				      "symlink loop: it leads back to '%s%s%s', "
				      "which the dependency archive is already "
				      "in, so the archive would never end "
				      "(Elyra's fails: too many levels of "
				      "symbolic links); remove the link, or "
				      "name the files instead of its directory",
				      dir, *dir ? "/" : "", loops.v[i], dir,
				      *dir ? "/" : "", loops.v[i + 1]);
		for (int i = 0; i + 1 < outside.n; i += 2)
			pipeline_diag(p, 1, n, "dependencies", "'%s%s%s' is a "
				      "symlink to '%s', outside the pipeline's "
				      "directory: the dependency archive "
				      "follows links only inside it; copy the "
				      "file in instead", dir, *dir ? "/" : "",
				      outside.v[i], outside.v[i + 1]);
		for (int i = 0; i < unmatched.n; i++)
			for (int k = 0; k < n->dependencies.n; k++) {
				char field[64];

				if (bad[k] || strcmp(n->dependencies.v[k],
						     unmatched.v[i]) ||
				    names_refused_link(&outside,
						       unmatched.v[i]))
					continue;
				snprintf(field, sizeof(field),
					 "dependencies[%d]", k);
				pipeline_diag(p, 1, n, field, "'%s' matches no "
					      "file that the dependency archive "
					      "takes (as Elyra builds it, a "
					      "pattern's directory must be named "
					      "in it, or include_subdirectories "
					      "set)", unmatched.v[i]);
				break;
			}
	}
	upload_list_release(&members);
	upload_list_release(&unmatched);
	upload_list_release(&outside);
	upload_list_release(&loops);
	free(bad);
	free(dir);
}

static void check_image(struct pipeline *p, const struct node *n)
{
	if (!n->runtime_image) {
		pipeline_diag(p, 1, n, "runtime_image", "Required property "
			      "value is missing.");
		return;
	}
	pipeline_no_braces(p, n, "runtime_image", n->runtime_image);
	if (!matches("[^/ ]+/[^/ ]+$", n->runtime_image) ||
	    strchr(n->runtime_image, ' '))
		pipeline_diag(p, 1, n, "runtime_image", "Node contains an "
			      "invalid runtime image. Runtime image must "
			      "conform to the format [registry/]owner/image:tag");
}

static void check_env(struct pipeline *p, const struct node *n)
{
	for (int i = 0; i < n->nenv; i++) {
		char field[64];

		snprintf(field, sizeof(field), "env_vars[%s]", n->env[i].key);
		if (strpbrk(n->env[i].key, " \t"))
			pipeline_diag(p, 1, n, field, "Environment variable "
				      "'%s' includes invalid space "
				      "character(s).", n->env[i].key);
		else if (!matches("^[-._a-zA-Z][-._a-zA-Z0-9]*$",
				  n->env[i].key))
			pipeline_diag(p, 1, n, field, "Environment variable "
				      "'%s' is not a valid name: use letters, "
				      "digits, '_', '-' and '.', not starting "
				      "with a digit", n->env[i].key);
		env_braces(p, n, field, n->env[i].value);
	}
}

static void check_k8s(struct pipeline *p, const struct node *n)
{
	char field[64];

	for (int i = 0; i < n->nsecrets; i++) {
		const struct secret_ref *s = &n->secrets[i];

		snprintf(field, sizeof(field), "kubernetes_secrets[%d]", i);
		pipeline_no_braces(p, n, field, s->env_var);
		if (!s->env_var)
			pipeline_diag(p, 1, n, field, "Required environment "
				      "variable was not specified.");
		if (!s->name || !k8s_resource_name(s->name))
			pipeline_diag(p, 1, n, field, "Secret name '%s' is not "
				      "a valid Kubernetes resource name.",
				      s->name ? s->name : "");
		if (!s->key || !matches("^[-._a-zA-Z0-9]+$", s->key))
			pipeline_diag(p, 1, n, field, "Key '%s' is not a valid "
				      "Kubernetes secret key.",
				      s->key ? s->key : "");
	}
	for (int i = 0; i < n->nvolumes; i++) {
		const struct volume_mount *v = &n->volumes[i];

		snprintf(field, sizeof(field), "mounted_volumes[%d]", i);
		pipeline_no_braces(p, n, field, v->path);
		pipeline_no_braces(p, n, field, v->sub_path);
		if (!v->path)
			pipeline_diag(p, 1, n, field, "Required mount path was "
				      "not specified.");
		if (!v->pvc_name || !k8s_resource_name(v->pvc_name))
			pipeline_diag(p, 1, n, field, "PVC name '%s' is not a "
				      "valid Kubernetes resource name.",
				      v->pvc_name ? v->pvc_name : "");
		if (v->sub_path && v->sub_path[0] == '/')
			pipeline_diag(p, 1, n, field, "Sub-path '%s' must be a "
				      "relative path.", v->sub_path);
	}
	for (int i = 0; i < n->ntolerations; i++) {
		const struct toleration *t = &n->tolerations[i];
		const char *op = t->operator ? t->operator : "";

		snprintf(field, sizeof(field), "kubernetes_tolerations[%d]",
			 i);
		pipeline_no_braces(p, n, field, t->key);
		pipeline_no_braces(p, n, field, t->operator);
		pipeline_no_braces(p, n, field, t->value);
		pipeline_no_braces(p, n, field, t->effect);
		if (strcmp(op, "Exists") && strcmp(op, "Equal"))
			pipeline_diag(p, 1, n, field, "'%s' is not a valid "
				      "operator: use Equal or Exists", op);
		else if (!strcmp(op, "Equal") && (!t->key || !*t->key))
			pipeline_diag(p, 1, n, field, "operator 'Equal' needs a "
				      "key");
		else if (!strcmp(op, "Exists") && t->value && *t->value)
			pipeline_diag(p, 1, n, field, "operator 'Exists' takes "
				      "no value");
		if (t->effect && *t->effect && strcmp(t->effect, "NoExecute") &&
		    strcmp(t->effect, "NoSchedule") &&
		    strcmp(t->effect, "PreferNoSchedule"))
			pipeline_diag(p, 1, n, field, "'%s' is not a valid "
				      "effect: use NoExecute, NoSchedule or "
				      "PreferNoSchedule", t->effect);
	}
	for (int i = 0; i < n->nannotations; i++) {
		snprintf(field, sizeof(field), "kubernetes_pod_annotations[%d]",
			 i);
		if (!qualified_name(n->annotations[i].key))
			pipeline_diag(p, 1, n, field, "'%s' is not a valid "
				      "Kubernetes annotation key.",
				      n->annotations[i].key);
		pipeline_no_braces(p, n, field, n->annotations[i].value);
	}
	for (int i = 0; i < n->nlabels; i++) {
		snprintf(field, sizeof(field), "kubernetes_pod_labels[%d]", i);
		if (!qualified_name(n->labels[i].key))
			pipeline_diag(p, 1, n, field, "'%s' is not a valid "
				      "Kubernetes label key.",
				      n->labels[i].key);
		if (!label_value(n->labels[i].value))
			pipeline_diag(p, 1, n, field, "'%s' is not a valid "
				      "Kubernetes label value.",
				      n->labels[i].value);
	}
	if (n->shm_size) {
		double d;
		char *emitted = xstrfmt("%sG", n->shm_size);

		if (positive_number(n->shm_size, &d) <= 0)
			pipeline_diag(p, 1, n, "kubernetes_shared_mem_size",
				      "Shared memory size '%s' must be a "
				      "positive number.", n->shm_size);
		/* "5e-324G" is no quantity: Argo refuses the workflow */
		else if (strpbrk(n->shm_size, "eE"))
			pipeline_diag(p, 1, n, "kubernetes_shared_mem_size",
				      "Shared memory size '%s' is not a "
				      "Kubernetes quantity with units 'G': write "
				      "it without an exponent.", n->shm_size);
		else if (d > 1e6)	/* as memory: a typo */
			pipeline_diag(p, 1, n, "kubernetes_shared_mem_size",
				      "Shared memory size '%s' is too large "
				      "(at most 1000000).", n->shm_size);
		else
			resource_written(p, n, "kubernetes_shared_mem_size",
					 n->shm_size, emitted, "gigabytes");
		free(emitted);
	}
}

static void check_outputs(struct pipeline *p, const struct node *n)
{
	for (int i = 0; i < n->outputs.n; i++) {
		const char *o = n->outputs.v[i];
		char field[64];

		snprintf(field, sizeof(field), "outputs[%d]", i);
		pipeline_no_braces(p, n, field, o);
		if (strchr(o, ';'))
			pipeline_diag(p, 1, n, field, "Illegal character (;) "
				      "found in list item '%s'.", o);
		else if (o[0] == '/' || !strcmp(o, "..") ||
			 !strncmp(o, "../", 3) || strstr(o, "/../"))
			pipeline_diag(p, 1, n, field, "output '%s' must be a "
				      "path inside the node's directory", o);
	}
}

static int is_identifier(const char *s)
{
	static const char *const keywords[] = {
		"False", "None", "True", "and", "as", "assert", "async",
		"await", "break", "class", "continue", "def", "del", "elif",
		"else", "except", "finally", "for", "from", "global", "if",
		"import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
		"raise", "return", "try", "while", "with", "yield",
	};

	if (!matches("^[A-Za-z_][A-Za-z0-9_]*$", s))
		return 0;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++)
		if (!strcmp(s, keywords[i]))
			return -1;
	return 1;
}

struct named {
	const char *name;
	int i;
};

/* By name, then by place: ties keep the order they are defined in. */
static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * earlier[i]: how many parameters before the i-th have its name, by a
 * sort (a scan of the earlier ones for each was quadratic).
 */
static int *count_earlier(const struct pipeline *p)
{
	struct named *v = xcalloc(p->nparams ? p->nparams : 1, sizeof(*v));
	int *earlier = xcalloc(p->nparams ? p->nparams : 1, sizeof(*earlier));
	int n = 0;

	for (int i = 0; i < p->nparams; i++)
		if (p->params[i].name)
			v[n++] = (struct named){ p->params[i].name, i };
	qsort(v, n, sizeof(*v), by_name);
	for (int k = 1; k < n; k++)
		if (!strcmp(v[k].name, v[k - 1].name))
			earlier[v[k].i] = earlier[v[k - 1].i] + 1;
	free(v);
	return earlier;
}

static void check_params(struct pipeline *p)
{
	int *earlier = count_earlier(p);

	for (int i = 0; i < p->nparams; i++) {
		const struct param *pm = &p->params[i];
		int used, id;

		if (!pm->name) {
			pipeline_diag(p, 1, NULL, pm->path, "Required parameter "
				      "name was not specified.");
			continue;
		}
		used = pipeline_param_used(p, pm->name);
		for (int j = 0; j < earlier[i]; j++)
			pipeline_diag(p, 1, NULL, pm->path, "Pipeline "
				      "defines parameter '%s', but "
				      "multiple parameters with this "
				      "name are defined.", pm->name);
		/*
		 * As Elyra's _validate_pipeline_parameters(): only the
		 * parameters that nodes use are checked (the others are left
		 * out of the workflow).
		 */
		if (used) {
			id = is_identifier(pm->name);
			if (id == 0)
				pipeline_diag(p, 1, NULL, pm->path, "'%s' is not "
					      "a valid parameter name: name must "
					      "be a Python variable name.",
					      pm->name);
			else if (id < 0)
				pipeline_diag(p, 1, NULL, pm->path, "'%s' is not "
					      "a valid parameter name: name "
					      "cannot be a Python keyword.",
					      pm->name);
			if (names_env_dangerous(pm->name))
				pipeline_diag(p, 1, NULL, pm->path, "'%s' is not "
					      "a valid parameter name: it would "
					      "make a loader or interpreter run "
					      "code, so t3q-bootstrap skips it; "
					      "rename it", pm->name);
			if (pm->required && !pm->value)
				pipeline_diag(p, 1, NULL, pm->path, "Parameter "
					      "'%s' is marked as required but no "
					      "value has been assigned.", pm->name);
			pipeline_no_braces(p, NULL, pm->path, pm->value);
		}
		if (!used && pm->value)
			pipeline_diag(p, 0, NULL, pm->path, "Pipeline defines "
				      "parameter '%s', but it is not referenced "
				      "by any node.", pm->name);
	}
	free(earlier);
	for (int k = 0; k < p->nnodes; k++) {
		const struct node *n = &p->nodes[k];

		for (int j = 0; j < n->params.n; j++) {
			char field[64];

			snprintf(field, sizeof(field), "pipeline_parameters[%d]",
				 j);
			/* a custom node's: the property that binds it */
			if (n->kind == NODE_CUSTOM) {
				const cJSON *e;

				cJSON_ArrayForEach(e, n->component_params) {
					const char *v = cJSON_GetStringValue(
						cJSON_GetObjectItemCaseSensitive(
							e, "value"));

					if (v && !strcmp(v, n->params.v[j]))
						snprintf(field, sizeof(field),
							 "%s", e->string);
				}
			}
			if (!pipeline_param(p, n->params.v[j]))
				pipeline_diag(p, 1, n, field, "Node depends on "
					      "pipeline parameter '%s', which "
					      "is not defined.",
					      n->params.v[j]);
		}
	}
}

static void check_graph(struct pipeline *p)
{
	char *child;

	if (p->nnodes < 2)
		return;
	/* Whether some node links to it: one lookup per link. */
	child = xcalloc(p->nnodes, 1);
	for (int j = 0; j < p->nnodes; j++)
		for (int k = 0; k < p->nodes[j].parents.n; k++) {
			const struct node *q = pipeline_node(p,
						p->nodes[j].parents.v[k]);

			if (q)
				child[q - p->nodes] = 1;
		}
	for (int i = 0; i < p->nnodes; i++) {
		const struct node *n = &p->nodes[i];
		int linked = n->parents.n > 0 || child[i];

		if (!linked)
			pipeline_diag(p, 0, n, NULL, "Node is not connected to "
				      "any other node.");
		for (int k = 0; k < n->parents.n; k++)
			if (!pipeline_node(p, n->parents.v[k]))
				pipeline_diag(p, 1, n, NULL, "links to node "
					      "'%s', which is not in the "
					      "pipeline", n->parents.v[k]);
	}
	free(child);
}

/*
 * Free text (the description, comments) goes into annotations; a "{{" in
 * it would fail Argo's upload, so the emitter breaks it up and we say so.
 */
static void braces_in_text(struct pipeline *p, const struct node *n,
			   const char *field, const char *s)
{
	if (s && strstr(s, "{{"))
		pipeline_diag(p, 0, n, field, "'{{' is written as '{ {' in the "
			      "workflow, since Argo would read it as a "
			      "placeholder");
}

/*
 * A custom node, the checks that need no definition (component.c runs
 * the others once catalog.c has found it): Elyra's properties, and each
 * inputpath: well formed, naming an ancestor. Elyra 4.0.0 refuses custom
 * nodes in a pipeline older than version 8 (the widget format changed);
 * that is said once.
 */
static void check_custom(struct pipeline *p, const struct node *n, int *old)
{
	const cJSON *e;

	if (p->version < 8) {
		if (!*old)
			pipeline_diag(p, 1, NULL, "version", "Pipeline version "
				      "%d is out of date and needs to be "
				      "migrated using the Elyra pipeline "
				      "editor. (It has custom components, "
				      "whose properties Elyra 4 reads from "
				      "version 8 on.)", p->version);
		*old = 1;
		return;
	}
	check_k8s(p, n);
	cJSON_ArrayForEach(e, n->component_params) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(e, "widget"),
			    *v = cJSON_GetObjectItemCaseSensitive(e, "value");
		const char *from;
		const struct node *up;

		if (!cJSON_IsString(w) || strcmp(w->valuestring, "inputpath"))
			continue;
		if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 2 ||
		    !cJSON_GetObjectItemCaseSensitive(v, "value") ||
		    !cJSON_GetObjectItemCaseSensitive(v, "option")) {
			pipeline_diag(p, 1, n, e->string, "Node property "
				      "takes output from a parent, but "
				      "property structure is malformed. "
				      "Select the parent's output again in "
				      "Elyra's editor");
			continue;
		}
		from = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(v, "value"));
		up = from ? pipeline_node(p, from) : NULL;
		if (!up || !pipeline_is_ancestor(n, (int)(up - p->nodes)))
			pipeline_diag(p, 1, n, e->string, "Node property "
				      "takes output from a parent, but the "
				      "referenced node is not a parent. Check "
				      "your node-to-node connections.");
	}
}

int pipeline_validate(struct pipeline *p)
{
	/* The file's stem names the pipeline and its key prefix. */
	pipeline_no_braces(p, NULL, "file name", p->name);
	pipeline_no_braces(p, NULL, "cos_object_prefix", p->cos_prefix);
	braces_in_text(p, NULL, "description", p->description);
	for (int i = 0; i < p->nnodes; i++)
		braces_in_text(p, &p->nodes[i], "comments", p->nodes[i].doc);
	if (p->version < 3)
		pipeline_diag(p, 1, NULL, "app_data.version", "Pipeline "
			      "version %d is older than Elyra 1.2; open and "
			      "save it with Elyra 2 or later", p->version);
	else if (p->version > 8)
		pipeline_diag(p, 1, NULL, "app_data.version", "Pipeline was "
			      "last edited in a newer version of Elyra. Update "
			      "Elyra to use this pipeline.");
	if (p->runtime_type && !strcmp(p->runtime_type, "APACHE_AIRFLOW")) {
		pipeline_diag(p, 1, NULL, "app_data.runtime_type", "this is "
			      "an Apache Airflow pipeline; t3q compiles "
			      "Kubeflow Pipelines and generic pipelines");
		return p->nerrors;
	}
	int custom_old = 0;

	for (int i = 0; i < p->nnodes; i++) {
		const struct node *n = &p->nodes[i];

		if (n->kind == NODE_OTHER) {
			pipeline_diag(p, 1, n, "op", "the node has no "
				      "operation ('op'); Elyra's editor "
				      "writes one for every node");
			continue;
		}
		if (n->kind == NODE_CUSTOM) {
			check_custom(p, n, &custom_old);
			continue;
		}
		if (n->unlabelled)
			pipeline_diag(p, 1, n, "label", "Invalid pipeline "
				      "operation: Missing field 'operation "
				      "name'. Give the node a label (the name "
				      "under it in Elyra's editor).");
		check_file(p, n);
		check_dependencies(p, n);
		check_image(p, n);
		check_resources(p, n);
		check_env(p, n);
		check_k8s(p, n);
		check_outputs(p, n);
		if (strlen(n->label) > 63 ||
		    !matches("^[a-z0-9]([-_.a-z0-9]{0,62}[a-z0-9])?$",
			     n->label))
			pipeline_diag(p, 0, n, "label", "The node label "
				      "contains characters that may be "
				      "replaced by the runtime service; it "
				      "runs as '%s'", n->task_name ?
				      n->task_name : "");
	}
	check_params(p);
	check_graph(p);
	return p->nerrors;
}
