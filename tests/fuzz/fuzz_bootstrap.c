/*
 * fuzz_bootstrap: libFuzzer target for t3q-bootstrap's option parsing and
 * the parsing of --inputs, --outputs and --pipeline-parameters: any bytes
 * in (split at NUL into argv), no crash, no leak, and the parameter rule's
 * promise kept: every name set is a variable name, never a loader's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "bootstrap/items.h"
#include "bootstrap/opts.h"
#include "bootstrap/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fake_env(const char *name)
{
	/* A value with separators in it, as the compiler's env holds. */
	if (!strcmp(name, "P"))
		return "a;LD_PRELOAD=/x.so";
	if (!strcmp(name, "PATH"))
		return "/usr/bin";
	return NULL;
}

static void check_set(void *ctx, const char *name, const char *value)
{
	(void)ctx;
	if (!*name || !*value || strchr(name, '=') || strchr(name, ';') ||
	    !strncmp(name, "LD_", 3) || !strcmp(name, "P") ||
	    !strcmp(name, "PATH"))
		abort();
}

static int check_item(void *ctx, const char *item)
{
	(void)ctx;
	if (!*item)
		abort();
	items_path_ok("input", item);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), **argv;
	struct opts o;
	int argc = 1;

	log_level = -1;	/* quiet: the fuzzer prints enough */
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i < size; i++)
		argc += !copy[i];
	argv = calloc(argc + 2, sizeof(*argv));
	argv[0] = "t3q-bootstrap";
	argc = 1;
	for (char *p = copy; p < copy + size + 1; p += strlen(p) + 1)
		argv[argc++] = p;
	if (opts_parse(&o, argc, argv) == 0) {
		items_each(o.inputs, check_item, NULL);
		items_each(o.outputs, check_item, NULL);
		for (int i = 0; i < o.nparams; i++)
			params_one(o.params[i], fake_env, check_set, NULL);
		params_parse(o.pipeline_parameters, fake_env, check_set, NULL);
	}
	opts_release(&o);
	/* The raw bytes as one list too: the parsers on their own. */
	items_each(copy, check_item, NULL);
	params_parse(copy, fake_env, check_set, NULL);
	free(argv);
	free(copy);
	return 0;
}
