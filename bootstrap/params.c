/* params: the rule is in params.h; this is the reading of it. */
#include "bootstrap/params.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "pipeline/names.h"

static int name_ok(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/*
 * Whether NAME may be set from a parameter; warns and says no when it is
 * not a variable name or is one that makes a program run code.
 */
static int settable(const char *name)
{
	if (!name_ok(name, strlen(name)))
		warn("pipeline parameter '%s': not a variable name; skipped",
		     name);
	else if (names_env_dangerous(name))
		warn("pipeline parameter '%s': this variable cannot be set by "
		     "a parameter; skipped", name);
	else
		return 1;
	return 0;
}

void params_one(const char *arg, const char *(*lookup)(const char *name),
		void (*set)(void *ctx, const char *name, const char *value),
		void *ctx)
{
	const char *eq = strchr(arg, '=');
	char *name;

	if (!eq)
		return;
	name = xstrndup(arg, eq - arg);
	/* Set names keep their value; empty ones are skipped (Elyra). */
	if (settable(name) && !lookup(name) && eq[1])
		set(ctx, name, eq + 1);
	free(name);
}

int params_parse(const char *list, const char *(*lookup)(const char *name),
		 void (*set)(void *ctx, const char *name, const char *value),
		 void *ctx)
{
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ";="), vlen;
		const char *v, *env;
		char *name;

		if (*p == ';') {
			p++;
			continue;
		}
		if (p[n] != '=') {
			error("pipeline parameter '%.*s' has no '=': write "
			      "name=value", (int)n, p);
			return -1;
		}
		name = xstrndup(p, n);
		v = p + n + 1;
		env = name_ok(p, n) ? lookup(name) : NULL;
		if (env && !strncmp(v, env, strlen(env)) &&
		    (v[strlen(env)] == ';' || !v[strlen(env)])) {
			/* The env's own value: its ';' are not separators. */
			vlen = strlen(env);
		} else {
			vlen = strcspn(v, ";");
			/* Set names keep their value; empty ones are skipped. */
			if (settable(name) && !env && vlen) {
				char *val = xstrndup(v, vlen);

				set(ctx, name, val);
				free(val);
			}
		}
		free(name);
		p = v + vlen;
		if (*p == ';')
			p++;
	}
	return 0;
}
