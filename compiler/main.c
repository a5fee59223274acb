/*
 * t3q-compile: an Elyra .pipeline file -> Argo Workflow YAML for Kubeflow
 * Pipelines 1.8 to 2.x (--target kfp-v1), or PipelineSpec IR for KFP v2
 * (--target kfp-v2). Exit 0 when the YAML was written, 1 when the pipeline is
 * invalid (or an upload failed), 2 on a usage error.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/upload.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/version.h"
#include "compiler/argo.h"
#include "compiler/custom.h"
#include "compiler/emit.h"
#include "compiler/ir.h"
#include "compiler/plan.h"
#include "component/catalog.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

static const char usage[] =
"usage: t3q-compile PIPELINE [-o OUT.yaml] [options]\n"
"\n"
"  -o, --output FILE          write the YAML there (default: stdout)\n"
"      --target TARGET        kfp-v1 (default): an Argo Workflow; kfp-v2:\n"
"                             PipelineSpec IR and its Kubernetes platform\n"
"                             spec (t3q-bootstrap must be in the images)\n"
"      --runtime-config FILE  an Elyra KFP runtime metadata JSON\n"
"      --cos-endpoint URL     object store endpoint (overrides the config)\n"
"      --cos-bucket NAME\n"
"      --cos-secret NAME      Kubernetes secret holding AWS_ACCESS_KEY_ID\n"
"                             and AWS_SECRET_ACCESS_KEY\n"
"      --cos-username NAME, --cos-password SECRET  (as plain env values)\n"
"      --cos-directory DIR    key prefix for the run (default: the\n"
"                             pipeline's cos_object_prefix/name[-timestamp])\n"
"      --bootstrap-image IMG  the t3q-bootstrap image for the init container\n"
"                             (default t3q-bootstrap:" T3Q_VERSION ", the tag\n"
"                             scripts/build-image gives it)\n"
"      --bootstrap=in-image   the runtime images already hold the binary\n"
"      --bootstrap-path PATH  its path there (default /usr/local/bin/t3q-bootstrap;\n"
"                             kfp-v2: " IR_BOOTSTRAP_PATH ")\n"
"      --data-passing=MODE    artifacts (default) or cos (Elyra's way)\n"
"      --image-pull-policy P  Always, IfNotPresent or Never\n"
"      --image-pull-secret S  repeatable\n"
"      --timestamp[=TIME]     annotate the compilation time; also\n"
"                             timestamps the default cos directory\n"
"      --upload[=URL]         upload each node's dependency archive: to the\n"
"                             cos bucket through URL (http(s)://host:port),\n"
"                             T3Q_S3_ENDPOINT, AWS_ENDPOINT_URL or else the\n"
"                             cos endpoint; or to a store, s3://.. or file://..\n"
"                             The YAML's --cos-endpoint never changes.\n"
"      --format text|json     how diagnostics are printed (stderr/stdout)\n"
"      --base-dir DIR         resolve node files against DIR, not the\n"
"                             pipeline file's directory (Elyra's root dir)\n"
"      --dot                  print the DAG as Graphviz instead\n"
"      --components DIR       custom components' definitions: a file under\n"
"                             DIR whose relative path has the node's hash\n"
"                             (Elyra's id) or is its component-id; repeatable\n"
"      --component CATALOG:ID=FILE  the definition of the nodes whose\n"
"                             operation is CATALOG:ID; repeatable\n"
"  -v, --verbose, -h, --help, --version\n";

enum {
	OPT_RC = 256, OPT_EP, OPT_BUCKET, OPT_SECRET, OPT_USER, OPT_PASS,
	OPT_DIR, OPT_BIMG, OPT_BOOT, OPT_BPATH, OPT_DATA, OPT_PULL,
	OPT_PSECRET, OPT_TS, OPT_UPLOAD, OPT_FORMAT, OPT_DOT, OPT_VERSION,
	OPT_BASEDIR, OPT_TARGET, OPT_COMPONENTS, OPT_COMPONENT,
};

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "runtime-config", required_argument, NULL, OPT_RC },
	{ "cos-endpoint", required_argument, NULL, OPT_EP },
	{ "cos-bucket", required_argument, NULL, OPT_BUCKET },
	{ "cos-secret", required_argument, NULL, OPT_SECRET },
	{ "cos-username", required_argument, NULL, OPT_USER },
	{ "cos-password", required_argument, NULL, OPT_PASS },
	{ "cos-directory", required_argument, NULL, OPT_DIR },
	{ "bootstrap-image", required_argument, NULL, OPT_BIMG },
	{ "bootstrap", required_argument, NULL, OPT_BOOT },
	{ "bootstrap-path", required_argument, NULL, OPT_BPATH },
	{ "data-passing", required_argument, NULL, OPT_DATA },
	{ "image-pull-policy", required_argument, NULL, OPT_PULL },
	{ "image-pull-secret", required_argument, NULL, OPT_PSECRET },
	{ "timestamp", optional_argument, NULL, OPT_TS },
	{ "upload", optional_argument, NULL, OPT_UPLOAD },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "dot", no_argument, NULL, OPT_DOT },
	{ "base-dir", required_argument, NULL, OPT_BASEDIR },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "components", required_argument, NULL, OPT_COMPONENTS },
	{ "component", required_argument, NULL, OPT_COMPONENT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct cli {
	const char *pipeline, *output, *runtime_config, *format;
	const char *upload_url, *base_dir;
	int upload, dot, timestamp, default_image;
	int v2;				/* --target kfp-v2 */
	const char *timestamp_value;
	struct argo_opts argo;
	const char *pull_secrets[32];
	const char *comp_dirs[32], *comp_files[64];
	int ncomp_dirs, ncomp_files;
	char stamp[32], iso[32];		/* the compilation time (settle) */
	char *owned[24];
	int nowned;
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "t3q-compile: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

/*
 * Every option, the PIPELINE path (its stem is the pipeline's name) and the
 * runtime config are UTF-8, as the pipeline's own strings are: what reaches
 * the YAML must be, and plan.c marks parameters with a byte (0xff) that
 * UTF-8 never holds, so no value can forge one.
 */
static int not_utf8(const char *what, const char *s)
{
	const char *bad = utf8_invalid(s);

	if (!bad)
		return 0;
	fprintf(stderr, "t3q-compile: %s: not valid UTF-8 (byte 0x%02x at "
		"offset %d): give it in UTF-8\n", what, (unsigned char)*bad,
		(int)(bad - s));
	return 1;
}

/* optarg, of the long option at index li (-1: -o), is not UTF-8. */
static int optarg_not_utf8(int li)
{
	char *what = xstrfmt("--%s", li >= 0 ? options[li].name : "output");
	int bad = not_utf8(what, optarg);

	free(what);
	return bad;
}

/* Keeps a config value alive for the run. */
static const char *keep(struct cli *c, char *s)
{
	if (s && c->nowned < 24)
		c->owned[c->nowned++] = s;
	return s;
}

static const char *cfg_str(struct cli *c, const cJSON *md, const char *k)
{
	const char *v = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(md, k));

	return v && *v ? keep(c, xstrdup(v)) : NULL;
}

/*
 * The runtime config's text is UTF-8: every value in it, escapes aside
 * (cJSON refuses a lone surrogate), is then as the file spells it.
 */
static int config_utf8(const char *path, const char *text)
{
	const char *bad = utf8_invalid(text), *bol = text;
	int line = 1;

	if (!bad)
		return 0;
	for (const char *s = text; s < bad; s++)
		if (*s == '\n') {
			line++;
			bol = s + 1;
		}
	return error("--runtime-config '%s': line %d, column %d: not valid "
		     "UTF-8 (byte 0x%02x): save it as UTF-8", path, line,
		     (int)(bad - bol) + 1, (unsigned char)*bad);
}

/* Elyra's runtime metadata: {"schema_name":"kfp","metadata":{...}}. */
static int read_runtime_config(struct cli *c)
{
	struct buf b = BUF_INIT;
	cJSON *j, *md;
	const char *v;
	int ret = 0;

	if (buf_read_file(&b, c->runtime_config) < 0)
		return error_errno("cannot read --runtime-config '%s'",
				   c->runtime_config);
	if (config_utf8(c->runtime_config, b.buf) < 0) {
		buf_release(&b);
		return -1;
	}
	j = cJSON_Parse(b.buf);
	if (!j) {
		buf_release(&b);
		return error("--runtime-config '%s' is not valid JSON",
			     c->runtime_config);
	}
	buf_release(&b);
	md = cJSON_GetObjectItemCaseSensitive(j, "metadata");
	if (!cJSON_IsObject(md))
		md = j;
	v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md,
								  "engine"));
	if (v && strcmp(v, "Argo"))
		ret = error("--runtime-config '%s': engine '%s' is not "
			    "supported; t3q emits Argo workflows",
			    c->runtime_config, v);
	if (!c->argo.cos_endpoint)
		c->argo.cos_endpoint = cfg_str(c, md, "cos_endpoint");
	if (!c->argo.cos_bucket)
		c->argo.cos_bucket = cfg_str(c, md, "cos_bucket");
	v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md,
							"cos_auth_type"));
	/* As Elyra: a cos_secret, when set, is used whatever the auth type. */
	if (!c->argo.cos_secret)
		c->argo.cos_secret = cfg_str(c, md, "cos_secret");
	/* IRSA: the pod's service account holds the credentials. */
	if (!v || strcmp(v, "AWS_IAM_ROLES_FOR_SERVICE_ACCOUNTS")) {
		if (!c->argo.cos_username)
			c->argo.cos_username = cfg_str(c, md, "cos_username");
		if (!c->argo.cos_password)
			c->argo.cos_password = cfg_str(c, md, "cos_password");
	}
	cJSON_Delete(j);
	return ret;
}

static int parse(struct cli *c, int argc, char **argv)
{
	int opt, li, bootstrap_image_set = 0, bootstrap_path_set = 0;

	memset(c, 0, sizeof(*c));
	c->format = "text";
	c->argo.bootstrap_image = "t3q-bootstrap:" T3Q_VERSION;
	c->argo.bootstrap_path = "/usr/local/bin/t3q-bootstrap";
	c->argo.pull_secrets = c->pull_secrets;
	while ((li = -1, opt = getopt_long(argc, argv, "o:vh", options,
					      &li)) != -1) {
		if (optarg && optarg_not_utf8(li))
			return 2;
		switch (opt) {
		case 'o': c->output = optarg; break;
		case OPT_RC: c->runtime_config = optarg; break;
		case OPT_EP: c->argo.cos_endpoint = optarg; break;
		case OPT_BUCKET: c->argo.cos_bucket = optarg; break;
		case OPT_SECRET: c->argo.cos_secret = optarg; break;
		case OPT_USER: c->argo.cos_username = optarg; break;
		case OPT_PASS: c->argo.cos_password = optarg; break;
		case OPT_DIR: c->argo.cos_directory = optarg; break;
		case OPT_BIMG:
			c->argo.bootstrap_image = optarg;
			bootstrap_image_set = 1;
			break;
		case OPT_BOOT:
			if (!strcmp(optarg, "in-image"))
				c->argo.bootstrap_in_image = 1;
			else if (strcmp(optarg, "init"))
				return usage_error("--bootstrap '%s': use init "
						   "or in-image", optarg);
			break;
		case OPT_BPATH:
			c->argo.bootstrap_path = optarg;
			bootstrap_path_set = 1;
			break;
		case OPT_TARGET:
			if (!strcmp(optarg, "kfp-v2"))
				c->v2 = 1;
			else if (strcmp(optarg, "kfp-v1"))
				return usage_error("--target '%s': use kfp-v1 "
						   "or kfp-v2", optarg);
			break;
		case OPT_DATA:
			if (!strcmp(optarg, "cos"))
				c->argo.data_passing_cos = 1;
			else if (strcmp(optarg, "artifacts"))
				return usage_error("--data-passing '%s': use "
						   "artifacts or cos", optarg);
			break;
		case OPT_PULL:
			if (strcmp(optarg, "Always") &&
			    strcmp(optarg, "IfNotPresent") &&
			    strcmp(optarg, "Never"))
				return usage_error("--image-pull-policy '%s': "
						   "use Always, IfNotPresent or"
						   " Never", optarg);
			c->argo.pull_policy = optarg;
			break;
		case OPT_PSECRET:
			if (c->argo.npull_secrets < 32)
				c->pull_secrets[c->argo.npull_secrets++] =
					optarg;
			break;
		case OPT_TS:
			c->timestamp = 1;
			c->timestamp_value = optarg;
			break;
		case OPT_UPLOAD:
			c->upload = 1;
			c->upload_url = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return usage_error("--format '%s': use text or "
						   "json", optarg);
			c->format = optarg;
			break;
		case OPT_DOT: c->dot = 1; break;
		case OPT_BASEDIR: c->base_dir = optarg; break;
		case OPT_COMPONENTS:
			if (c->ncomp_dirs == 32)
				return usage_error("%s", "too many --components");
			c->comp_dirs[c->ncomp_dirs++] = optarg;
			break;
		case OPT_COMPONENT:
			if (!catalog_file_arg_ok(optarg))
				return usage_error("--component '%s': use "
						   "CATALOG:ID=FILE", optarg);
			if (c->ncomp_files == 64)
				return usage_error("%s", "too many --component");
			c->comp_files[c->ncomp_files++] = optarg;
			break;
		case 'v': log_level = LOG_DEBUG; break;
		case 'h': fputs(usage, stdout); exit(0);
		case OPT_VERSION:
			printf("t3q-compile %s\n", T3Q_VERSION);
			exit(0);
		default: return usage_error("%s", "bad option");
		}
	}
	if (optind != argc - 1)
		return usage_error("%s", "expected exactly one PIPELINE file");
	/* IR cannot add an init container: the image holds the bootstrap. */
	if (c->v2 && !bootstrap_path_set)
		c->argo.bootstrap_path = IR_BOOTSTRAP_PATH;
	c->default_image = !c->v2 && !c->argo.bootstrap_in_image &&
			   !bootstrap_image_set && !c->dot;
	c->pipeline = argv[optind];
	if (not_utf8("PIPELINE (its file name names the pipeline)",
		     c->pipeline))
		return 2;
	if (c->runtime_config && read_runtime_config(c) < 0)
		return 2;
	if (!c->dot && (!c->argo.cos_endpoint || !c->argo.cos_bucket))
		return usage_error("%s", "no object store: give "
				   "--runtime-config, or --cos-endpoint and "
				   "--cos-bucket");
	return 0;
}

static void print_dot(const struct pipeline *p, FILE *out)
{
	fprintf(out, "digraph \"%s\" {\n  rankdir=LR;\n", p->name);
	for (int i = 0; i < p->nnodes; i++)
		fprintf(out, "  \"%s\" [label=\"%s\\n%s\"];\n",
			p->nodes[i].task_name, p->nodes[i].label,
			p->nodes[i].filename ? p->nodes[i].filename : "");
	for (int i = 0; i < p->nnodes; i++)
		for (int k = 0; k < p->nodes[i].parents.n; k++) {
			const struct node *par = pipeline_node(p,
				p->nodes[i].parents.v[k]);

			if (par)
				fprintf(out, "  \"%s\" -> \"%s\";\n",
					par->task_name, p->nodes[i].task_name);
		}
	fprintf(out, "}\n");
}

static char *default_directory(const struct pipeline *p, const char *stamp)
{
	struct buf b = BUF_INIT, leaf = BUF_INIT;

	buf_adds(&leaf, p->name);
	if (stamp)
		buf_addf(&leaf, "-%s", stamp);
	store_key_join(&b, p->cos_prefix ? p->cos_prefix : "", leaf.buf);
	buf_release(&leaf);
	return buf_detach(&b, NULL);
}

static int is_http(const char *url)
{
	return url && (!strncmp(url, "http://", 7) ||
		       !strncmp(url, "https://", 8));
}

/*
 * Where the archives go up from this machine, which often is not where the
 * steps reach the store (a port-forward to the cluster's MinIO): --upload's
 * endpoint, T3Q_S3_ENDPOINT, AWS_ENDPOINT_URL, else the in-cluster one.
 */
static const char *upload_endpoint(const struct cli *c)
{
	const char *v;

	if (is_http(c->upload_url))
		return c->upload_url;
	if ((v = getenv("T3Q_S3_ENDPOINT")) && *v)
		return v;
	if ((v = getenv("AWS_ENDPOINT_URL")) && *v)
		return v;
	return c->argo.cos_endpoint;
}

static int upload(struct cli *c, const struct pipeline *p)
{
	struct s3_config cfg;
	struct store *st;
	const char *store_url = is_http(c->upload_url) ? NULL : c->upload_url;
	char *url;
	int ret;

	s3_config_init(&cfg);
	if (s3_config_from_env(&cfg) < 0) {
		s3_config_release(&cfg);
		return -1;
	}
	s3_config_set(&cfg.endpoint, upload_endpoint(c));
	/* The runtime config's credentials, unless the env gives some. */
	if (!cfg.access_key && c->argo.cos_username) {
		s3_config_set(&cfg.access_key, c->argo.cos_username);
		s3_config_set(&cfg.secret_key, c->argo.cos_password);
	}
	url = store_url ? xstrdup(store_url)
			: xstrfmt("s3://%s", c->argo.cos_bucket);
	st = store_open(url, &cfg);
	ret = st ? upload_archives(p, st, store_url ? "" :
				   c->argo.cos_directory) : -1;
	store_free(st);
	free(url);
	s3_config_release(&cfg);
	return ret;
}

/*
 * Flags and runtime-config values reach the YAML as they are: they pass the
 * same '{{' check as the pipeline's strings. An endpoint with user info
 * (http://KEY:SECRET@host) would put a secret in the workflow, which every
 * user of the cluster can read.
 */
static void check_settings(const struct cli *c, struct pipeline *p)
{
	const struct argo_opts *a = &c->argo;
	const char *ep = a->cos_endpoint;
	const struct {
		const char *field, *value;
	} s[] = {
		{ "cos_endpoint", a->cos_endpoint },
		{ "cos_bucket", a->cos_bucket },
		{ "cos_secret", a->cos_secret },
		{ "cos_username", a->cos_username },
		{ "cos_password", a->cos_password },
		{ "--cos-directory", a->cos_directory },
		{ "--bootstrap-image", a->bootstrap_image },
		{ "--bootstrap-path", a->bootstrap_path },
		{ "--timestamp", c->timestamp_value },
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(*s); i++)
		pipeline_no_braces(p, NULL, s[i].field, s[i].value);
	for (int i = 0; i < a->npull_secrets; i++)
		pipeline_no_braces(p, NULL, "--image-pull-secret",
				   a->pull_secrets[i]);
	if (ep && strstr(ep, "://")) {
		const char *host = strstr(ep, "://") + 3;

		if (memchr(host, '@', strcspn(host, "/?#")))
			pipeline_diag(p, 1, NULL, "cos_endpoint", "the endpoint "
				      "carries user info, which would put a "
				      "secret in the workflow: give the "
				      "credentials by --cos-secret (or "
				      "cos_username/cos_password) instead");
	}
}

/*
 * Custom nodes: each definition from its catalog, then Elyra's checks
 * that need it. Nothing to do without custom nodes, or when the
 * pipeline's version already ruled them out (validate.c).
 */
static void load_custom(struct cli *c, struct pipeline *p,
			struct custom_set *cs)
{
	struct catalog cat = { c->comp_dirs, c->ncomp_dirs, c->comp_files,
			       c->ncomp_files };
	int any = 0;

	for (int i = 0; i < p->nnodes; i++)
		any |= p->nodes[i].kind == NODE_CUSTOM;
	if (!any || p->version < 8)
		return;
	cs->nnodes = p->nnodes;
	cs->defs = xcalloc(p->nnodes, sizeof(*cs->defs));
	if (catalog_resolve(&cat, p, cs->defs))
		return;
	cs->kfp2 = c->v2;
	cs->args = component_args(p, cs->defs, c->v2);
	if (!p->nerrors) {
		custom_prepare(cs, p);
		c->argo.custom = cs;
	}
}

/* The document(s) of the target, as YAML to -o or stdout. */
static int write_output(struct cli *c, const struct pipeline *p)
{
	const cJSON *docs[2];
	cJSON *doc, *platform = NULL;
	FILE *out = stdout;
	int r;

	if (c->v2)
		doc = ir_build(p, &c->argo, &platform);
	else
		doc = argo_build(p, &c->argo);
	docs[0] = doc;
	docs[1] = platform;
	if (c->output && !strcmp(c->output, "-"))
		c->output = NULL;	/* "-o -": stdout, as everywhere */
	if (c->output && !(out = fopen(c->output, "w"))) {
		r = error_errno("cannot write '%s'", c->output) ? 2 : 2;
	} else {
		r = emit_yaml_docs(out, docs, platform ? 2 : 1) < 0 ? 1 : 0;
		if (out != stdout && fclose(out) != 0)
			r = error_errno("cannot write '%s'", c->output) ? 1 : 1;
	}
	cJSON_Delete(doc);
	cJSON_Delete(platform);
	return r;
}

static void cli_release(struct cli *c)
{
	for (int i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	c->nowned = 0;
}

/* 1. read, 2. validate: nothing is emitted from a bad pipeline. */
static int load(struct cli *c, struct pipeline *p, struct custom_set *cs)
{
	int r = pipeline_load(p, c->pipeline);

	if (!r && c->base_dir) {
		/* Elyra's server root: node files are relative to it. */
		free(p->dir);
		p->dir = xstrdup(c->base_dir);
	}
	if (!r && !pipeline_validate(p)) {
		load_custom(c, p, cs);
		/* Parameter defaults as Elyra reads them, on both targets. */
		plan_params(p);
	}
	if (!r && c->v2 && !p->nerrors)
		ir_check(p, c->argo.custom);	/* what only v2 refuses */
	check_settings(c, p);
	pipeline_print_diags(p, !strcmp(c->format, "json"));
	return r < 0 || p->nerrors ? -1 : 0;
}

/*
 * Elyra's stamp, for --timestamp and for --upload's directory (a fresh
 * one per upload), and the warning for a bootstrap image nobody pushed.
 */
static void settle(struct cli *c, const struct pipeline *p)
{
	time_t now = time(NULL);
	struct tm tm;
	int generic = 0;

	gmtime_r(&now, &tm);
	strftime(c->stamp, sizeof(c->stamp), "%m%d%H%M%S", &tm);
	strftime(c->iso, sizeof(c->iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (c->timestamp)
		c->argo.timestamp = c->timestamp_value ? c->timestamp_value
						       : c->iso;
	if (!c->argo.cos_directory)
		c->argo.cos_directory = keep(c, default_directory(p,
			(c->timestamp || c->upload) && !c->timestamp_value ?
			c->stamp : NULL));
	for (int i = 0; i < p->nnodes; i++)
		generic |= p->nodes[i].kind != NODE_CUSTOM;
	if (c->default_image && generic)
		warn("no --bootstrap-image: the init containers name '%s', "
		     "which no registry serves; build and push the "
		     "t3q-bootstrap image (scripts/build-image --push "
		     "REGISTRY/t3q-bootstrap) and pass "
		     "--bootstrap-image REGISTRY/t3q-bootstrap:%s",
		     c->argo.bootstrap_image, T3Q_VERSION);
}

int main(int argc, char **argv)
{
	struct pipeline p;
	struct cli c;
	struct custom_set cs = { NULL, NULL, NULL, NULL, NULL, 0, 0 };
	int r;

	log_init_env();
	r = parse(&c, argc, argv);
	if (r) {
		/* The runtime config's values, read before the error. */
		cli_release(&c);
		return r;
	}
	if (load(&c, &p, &cs) < 0) {
		r = 1;
	} else if (c.dot) {
		print_dot(&p, stdout);
	} else {
		settle(&c, &p);
		/* 3. the dependency archives, where the steps will look;
		 * 4. the document, 5. YAML */
		r = c.upload && upload(&c, &p) < 0 ? 1 : write_output(&c, &p);
	}
	cli_release(&c);
	custom_release(&cs);
	pipeline_free(&p);
	return r;
}
