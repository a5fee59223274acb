/*
 * component: the component reader's limits and checks (issue 21), on
 * component_parse directly: every case is a YAML text and what it gives.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "component/component.h"

/* Parses text; the error (or "" when it parsed) is in err. */
static struct component *parse(const char *text, struct buf *err)
{
	buf_reset(err);
	return component_parse(text, "c.yaml", err);
}

/* text must be refused with want in the message. */
static int refused(const char *text, const char *want)
{
	struct buf err = BUF_INIT;
	struct component *c = parse(text, &err);
	int ok = !c && err.buf && strstr(err.buf, want);

	if (!ok)
		fprintf(stderr, "want refusal with '%s', got %s: %s\n", want,
			c ? "a component" : "an error", err.buf ? err.buf : "");
	component_free(c);
	buf_release(&err);
	return ok;
}

static int accepted(const char *text)
{
	struct buf err = BUF_INIT;
	struct component *c = parse(text, &err);
	int ok = c != NULL;

	if (!ok)
		fprintf(stderr, "want it accepted, got: %s\n", err.buf);
	component_free(c);
	buf_release(&err);
	return ok;
}

#define HEAD "name: C\ninputs: [{name: a}]\noutputs: [{name: o}]\n"
#define IMPL(cmd) "implementation: {container: {image: alpine, command: " \
	cmd "}}\n"

/* An if whose then is not a list: its else was never checked (a crash). */
static void test_if_else_checked(void)
{
	CHECK(refused(HEAD IMPL("[echo, {if: {cond: false, then: x, "
				"else: {}}}]"),
		      "command[1]: a command-line item is neither a string "
		      "nor one placeholder (in an if's else)"));
	CHECK(refused(HEAD IMPL("[echo, {if: {cond: false, then: x, "
				"else: [{}]}}]"), "(in an if's else)"));
	CHECK(refused(HEAD IMPL("[echo, {if: {cond: false, then: x, "
				"else: {inputValue: nosuch}}}]"),
		      "inputValue names no declared input ('nosuch') (in an "
		      "if's else)"));
	CHECK(refused(HEAD IMPL("[echo, {if: {cond: false, then: x, "
				"else: {outputPath: nosuch}}}]"),
		      "outputPath names no declared output ('nosuch')"));
	CHECK(refused(HEAD IMPL("[echo, {if: {cond: true, then: "
				"{inputPath: nosuch}, else: x}}]"),
		      "(in an if's then)"));
	CHECK(accepted(HEAD IMPL("[echo, {if: {cond: false, then: x, "
				 "else: {inputValue: a}}}]")));
	CHECK(accepted(HEAD IMPL("[echo, {if: {cond: false, then: x, "
				 "else: null}}]")));
}

/* Aliases and nesting: bounded while parsing. */
static void test_yaml_limits(void)
{
	struct buf deep = BUF_INIT;
	clock_t t0 = clock();

	CHECK(refused("a: &a [x,x,x,x,x,x,x,x,x]\n"
		      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n", "too much"));
	CHECK(refused("r: &a [*a, *a]\n", "recursive alias"));
	CHECK(refused("r: *nosuch\n", "alias *nosuch at line 1 names no"));
	/* many small aliases: the count is bounded too */
	buf_adds(&deep, "a: &a x\nb: [");
	for (int i = 0; i < 2000; i++)
		buf_adds(&deep, "*a, ");
	buf_adds(&deep, "]\n");
	CHECK(refused(deep.buf, "at most 1000 aliases"));
	buf_reset(&deep);
	buf_adds(&deep, "a: ");
	for (int i = 0; i < 1000000; i++)
		buf_addch(&deep, '[');
	CHECK(refused(deep.buf, "the YAML nests deeper than 64 levels"));
	buf_reset(&deep);
	for (int i = 0; i < 200000; i++)
		buf_adds(&deep, "{a: ");
	CHECK(refused(deep.buf, "nests deeper"));
	buf_release(&deep);
	/* all of it in well under a second, not minutes */
	CHECK(clock() - t0 < 2 * CLOCKS_PER_SEC);
	/* aliases within the limits still work */
	CHECK(accepted("name: C\nx: &img alpine\n" IMPL("[echo, *img]")));
	CHECK(refused("name: C\n---\nname: D\n", "more than one YAML document"));
}

/* A repeated key takes the new value in the old place (a Python dict). */
static void test_repeated_keys(void)
{
	struct buf err = BUF_INIT, big = BUF_INIT;
	struct component *c = parse("name: A\nimplementation: {container: "
				    "{image: x}}\nname: B\n", &err);

	CHECK(c && c->name && !strcmp(c->name, "B"));
	CHECK(c && c->doc->child && !strcmp(c->doc->child->string, "name"));
	component_free(c);
	/* and many keys stay linear */
	buf_adds(&big, "name: C\nimplementation: {container: {image: x, "
		 "env: {");
	for (int i = 0; i < 50000; i++)
		buf_addf(&big, "K%d: v, ", i % 40000);
	buf_adds(&big, "}}}\n");
	c = parse(big.buf, &err);
	CHECK(c && cJSON_GetArraySize(c->env) == 40000);
	component_free(c);
	buf_release(&big);
	buf_release(&err);
}

/* Names that kfp or Elyra would make one (issue 21 item 6). */
static void test_names_apart(void)
{
	CHECK(refused("name: C\noutputs: [{name: a-b}, {name: a b}]\n"
		      IMPL("[echo, {outputPath: a-b}, {outputPath: a b}]"),
		      "outputs 'a-b' and 'a b' are both 'a-b' as the Argo "
		      "artifact name"));
	CHECK(refused("name: C\noutputs: [{name: a b}, {name: a_b}]\n"
		      IMPL("[echo]"), "outputs 'a b' and 'a_b' are both "
		      "'a_b' as Elyra's property id"));
	CHECK(refused("name: C\noutputs: [{name: x}, {name: x}]\n"
		      IMPL("[echo]"), "output 'x' is declared twice"));
	CHECK(refused("name: C\ninputs: [{name: a b}, {name: a_b}]\n"
		      IMPL("[echo]"), "inputs 'a b' and 'a_b'"));
	CHECK(refused("name: C\ninputs: [{name: A}, {name: a}]\n"
		      IMPL("[echo]"), "inputs 'A' and 'a' are both 'a' as "
		      "Elyra's property id"));
	CHECK(refused("name: C\ninputs: [{name: a*b}, {name: a?b}]\n"
		      IMPL("[echo]"), "as the file name in the container"));
	/* an input's artifact name only counts when a path reads it */
	CHECK(accepted("name: C\ninputs: [{name: a b}, {name: a-b}]\n"
		       IMPL("[echo, {inputValue: a b}, {inputValue: a-b}]")));
	CHECK(refused("name: C\ninputs: [{name: a b}, {name: a-b}]\n"
		      IMPL("[echo, {inputPath: a b}, {concat: [{inputPath: "
			   "a-b}]}]"), "inputs 'a b' and 'a-b' are both "
		      "'a-b' as the Argo artifact name"));
}

/* What Argo or Kubernetes refused only at submission. */
static void test_k8s_rules(void)
{
	CHECK(refused("name: C\nimplementation: {container: {image: x, "
		      "env: {MY VAR: v}}}\n", "implementation.container.env: "
		      "'MY VAR' is not a name Kubernetes takes"));
	CHECK(refused("name: C\nimplementation: {container: {image: x, "
		      "env: {1A: v}}}\n", "'1A' is not a name"));
	CHECK(refused("name: C\nimplementation: {container: {image: x, "
		      "env: {'': v}}}\n", "'' is not a name"));
	CHECK(accepted("name: C\nimplementation: {container: {image: x, "
		       "env: {my.var-1_X: v, _A: v, -b: v, .c: v}}}\n"));
	CHECK(refused("name: C\ninputs: [{name: a, default: 'x{{y}}'}]\n"
		      IMPL("[echo]"), "inputs[0] ('a'): the default "
		      "'x{{y}}' contains '{{'"));
	CHECK(accepted("name: C\ninputs: [{name: a, default: 'x{ {y}'}]\n"
		       IMPL("[echo]")));
}

/* cJSON's allocator, failing from the nth call on (n < 0: never). */
static long alloc_left = -1;

static void *failing_malloc(size_t n)
{
	if (alloc_left == 0)
		return NULL;
	if (alloc_left > 0)
		alloc_left--;
	return malloc(n);
}

/*
 * Out of memory while reading: an error, never a component missing some
 * of its parts (a wrong verdict). Every allocation point in turn fails.
 */
static void test_out_of_memory(void)
{
	static const char text[] = "name: C\ninputs: [{name: a}, {name: b, "
		"default: &d 7}]\noutputs: [{name: o}]\nimplementation: "
		"{container: {image: alpine, env: {X: *d}, command: [sh, "
		"{inputValue: a}, {inputValue: b}, {outputPath: o}]}}\n";
	cJSON_Hooks hooks = { failing_malloc, free };
	int wrong = 0, refused_oom = 0;

	cJSON_InitHooks(&hooks);
	for (long n = 0; n < 400; n++) {
		struct buf err = BUF_INIT;
		struct component *c;

		alloc_left = n;
		c = parse(text, &err);
		alloc_left = -1;
		if (!c && err.buf && strstr(err.buf, "out of memory"))
			refused_oom++;
		else if (!c || c->ninputs != 2 || c->noutputs != 1 ||
			 cJSON_GetArraySize(c->command) != 4 ||
			 cJSON_GetArraySize(c->env) != 1 || !c->image ||
			 strcmp(c->inputs[1].def, "7"))
			wrong++, fprintf(stderr, "allocation %ld failing: %s\n",
					 n, c ? "a wrong component" : err.buf);
		component_free(c);
		buf_release(&err);
	}
	cJSON_InitHooks(NULL);
	CHECK(refused_oom > 10);
	CHECK(wrong == 0);
}

int main(void)
{
	test_out_of_memory();
	test_k8s_rules();
	test_names_apart();
	test_if_else_checked();
	test_yaml_limits();
	test_repeated_keys();
	return check_done();
}
