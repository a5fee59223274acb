/*
 * metadata: the files the KFP UI reads from every step. The user's own
 * mlpipeline-ui-metadata.json and mlpipeline-metrics.json are checked and
 * copied to ELYRA_WRITABLE_CONTAINER_DIR; the UI metadata always gets
 * Elyra's "Inputs for <file>" entry and a t3q summary: the time of each
 * phase, the outputs with sizes and links, and a link to the log.
 * With KFP v2's fixed keys (--artifact-output mlpipeline-metrics=...) the
 * same go to the launcher's paths as documents (uiart.h).
 * Problems here are warnings: they never fail a step that ran.
 */
#include "bootstrap/step.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "bootstrap/uiart.h"
#include "s3/s3.h"

static cJSON *load(const char *path, int quiet)
{
	struct buf b = BUF_INIT;
	const char *end = NULL;
	cJSON *j;

	if (buf_read_file(&b, path) < 0) {
		if (!quiet)
			debug("no %s in the work dir", path);
		return NULL;
	}
	j = cJSON_ParseWithOpts(b.buf, &end, 0);
	if (!j) {
		int line = 1, col = 1;

		for (const char *p = b.buf; end && p < end; p++, col++)
			if (*p == '\n') {
				line++;
				col = 0;
			}
		warn("ignoring %s: invalid JSON at line %d, column %d", path,
		     line, col);
	}
	buf_release(&b);
	return j;
}

/* KFP 1.8's rules for mlpipeline-metrics.json; it drops what breaks them. */
static void check_metrics(const cJSON *j)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "metrics"), *m;
	regex_t re;
	int i = 0;

	if (!cJSON_IsArray(list)) {
		warn("mlpipeline-metrics.json: 'metrics' must be a list of "
		     "{name, numberValue, format}");
		return;
	}
	regcomp(&re, "^[a-zA-Z]([-_a-zA-Z0-9]{0,62}[a-zA-Z0-9])?$",
		REG_EXTENDED | REG_NOSUB);
	cJSON_ArrayForEach(m, list) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
		const cJSON *val = cJSON_GetObjectItemCaseSensitive(m,
								    "numberValue");
		const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(m, "format");

		if (!cJSON_IsString(name) ||
		    regexec(&re, name->valuestring, 0, NULL, 0))
			warn("mlpipeline-metrics.json: metrics[%d].name '%s' "
			     "must match ^[a-zA-Z]([-_a-zA-Z0-9]{0,62}"
			     "[a-zA-Z0-9])?$; KFP will drop it", i,
			     cJSON_IsString(name) ? name->valuestring : "?");
		if (!cJSON_IsNumber(val) || !isfinite(val->valuedouble))
			warn("mlpipeline-metrics.json: metrics[%d].numberValue "
			     "must be a finite number", i);
		if (fmt && (!cJSON_IsString(fmt) ||
			    (strcmp(fmt->valuestring, "RAW") &&
			     strcmp(fmt->valuestring, "PERCENTAGE"))))
			warn("mlpipeline-metrics.json: metrics[%d].format must "
			     "be RAW or PERCENTAGE", i);
		i++;
	}
	regfree(&re);
}

static int save(const char *path, cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j);
	struct buf tmp = BUF_INIT;
	int fd = fs_temp_beside(path, &tmp), ret = 0;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) < 0 || rename(tmp.buf, path) < 0) {
		ret = error_errno("cannot write '%s'", path);
		if (fd >= 0)
			unlink(tmp.buf);
	}
	cJSON_free(text);
	buf_release(&tmp);
	return ret;
}

/* An http(s) link to an object, path style, for people to click. */
static void object_url(const struct step *s, struct buf *out, const char *key)
{
	size_t n = strlen(s->endpoint);

	/* A local store (t3q-run): the file itself. */
	if (!strncmp(s->o->cos_bucket, "file://", 7)) {
		buf_addf(out, "%s/%s", s->o->cos_bucket, key);
		return;
	}

	buf_add(out, s->endpoint, n && s->endpoint[n - 1] == '/' ? n - 1 : n);
	buf_addch(out, '/');
	s3_encode(out, s->o->cos_bucket, 0);
	buf_addch(out, '/');
	s3_encode(out, key, 1);
}

static void add_markdown(cJSON *outputs, const char *source)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "storage", "inline");
	cJSON_AddStringToObject(e, "source", source);
	cJSON_AddStringToObject(e, "type", "markdown");
	cJSON_AddItemToArray(outputs, e);
}

static void summary(const struct step *s, int rc, struct buf *md)
{
	char *key;

	buf_addf(md, "## t3q: %s\n\n%s\n\n| phase | seconds |\n|---|---|\n",
		 s->o->file, rc ? "**failed**" : "succeeded");
	for (int i = 0; i < s->ntimes; i++)
		buf_addf(md, "| %s | %.3f |\n", s->times[i].what,
			 s->times[i].secs);
	buf_addf(md, "| total | %.3f |\n", log_now() - s->t0);
	if (s->noutputs) {
		buf_adds(md, "\n| output | bytes |\n|---|---|\n");
		for (int i = 0; i < s->noutputs; i++) {
			buf_adds(md, "| [");
			buf_adds(md, s->outputs[i].key);
			buf_adds(md, "](");
			object_url(s, md, s->outputs[i].key);
			buf_addf(md, ") | %lld |\n", s->outputs[i].size);
		}
	}
	if (s->log_uploaded) {
		key = step_key(s, 1, s->log_path);
		buf_adds(md, "\n[log](");
		object_url(s, md, key);
		buf_adds(md, ")\n");
		free(key);
	}
}

/*
 * The user's metrics (checked; NULL when none) and the UI metadata as the
 * KFP UI gets it: the user's outputs, Elyra's "Inputs for" entry and the
 * t3q summary.
 */
static cJSON *load_metrics(void)
{
	cJSON *j = load("mlpipeline-metrics.json", 0);

	if (j)
		check_metrics(j);
	return j;
}

static cJSON *build_ui(struct step *s, int rc)
{
	struct buf md = BUF_INIT;
	cJSON *ui = load("mlpipeline-ui-metadata.json", 0), *outputs;
	char *dirkey;

	if (!ui || !cJSON_IsObject(ui)) {
		cJSON_Delete(ui);
		ui = cJSON_CreateObject();
	}
	outputs = cJSON_GetObjectItemCaseSensitive(ui, "outputs");
	if (!cJSON_IsArray(outputs)) {
		cJSON_DeleteItemFromObjectCaseSensitive(ui, "outputs");
		outputs = cJSON_AddArrayToObject(ui, "outputs");
	}
	/* Elyra's entry, as bootstrapper.py writes it. */
	dirkey = xstrfmt("%s/", s->dir);
	buf_addf(&md, "## Inputs for %s\n[%s](", s->o->file, s->o->archive);
	object_url(s, &md, dirkey);
	buf_addch(&md, ')');
	free(dirkey);
	add_markdown(outputs, md.buf);
	buf_reset(&md);
	summary(s, rc, &md);
	add_markdown(outputs, md.buf);
	buf_release(&md);
	return ui;
}

static void put_text(const char *path, const struct buf *b)
{
	struct buf tmp = BUF_INIT;
	int fd;

	/* The launcher creates the parents; a harness may not have. */
	if (fs_mkdir_parents(path) < 0)
		return;
	fd = fs_temp_beside(path, &tmp);
	if (fd < 0 || write(fd, b->buf ? b->buf : "", b->len) !=
	    (ssize_t)b->len || close(fd) < 0 || rename(tmp.buf, path) < 0) {
		error_errno("cannot write '%s'", path);
		if (fd >= 0)
			unlink(tmp.buf);
	}
	buf_release(&tmp);
}

/*
 * KFP v2's fixed keys (--artifact-output mlpipeline-metrics=PATH, ...):
 * the launcher fails a step whose output path is missing, so each given
 * path gets a document, an empty but valid one when the step made none.
 */
static void write_fixed(const struct step *s, const cJSON *metrics,
			const cJSON *ui)
{
	const struct opts *o = s->o;
	struct buf doc = BUF_INIT;
	const char *path;
	char *text;

	if ((path = opts_artifact_path(o->art_outs, o->nart_outs,
				       OPTS_KEY_METRICS))) {
		text = metrics ? cJSON_PrintUnformatted(metrics) : NULL;
		buf_adds(&doc, text ? text : "{\"metrics\": []}");
		cJSON_free(text);
		put_text(path, &doc);
	}
	if ((path = opts_artifact_path(o->art_outs, o->nart_outs,
				       OPTS_KEY_MARKDOWN))) {
		buf_reset(&doc);
		uiart_markdown(&doc, ui);
		put_text(path, &doc);
	}
	if ((path = opts_artifact_path(o->art_outs, o->nart_outs,
				       OPTS_KEY_HTML))) {
		buf_reset(&doc);
		uiart_html(&doc, ui, s->o->file);
		put_text(path, &doc);
	}
	buf_release(&doc);
}

void step_write_fixed(struct step *s, int rc)
{
	cJSON *metrics, *ui;

	if (!s->o->nart_outs)
		return;
	metrics = load_metrics();
	ui = build_ui(s, rc);
	write_fixed(s, metrics, ui);
	cJSON_Delete(metrics);
	cJSON_Delete(ui);
}

void step_write_metadata(struct step *s, int rc)
{
	const char *dir = s->o->writable_dir;
	struct buf path = BUF_INIT;
	cJSON *metrics, *ui;
	double t = log_now();

	step_log(s, 0, "processing metrics and metadata");
	metrics = load_metrics();
	ui = build_ui(s, rc);
	write_fixed(s, metrics, ui);
	if (fs_mkdir_p(dir) < 0 || access(dir, W_OK) < 0) {
		warn("Cannot create files in \"%s\".", dir);
		step_log(s, 0, "Aborted metrics and metadata processing");
	} else {
		if (metrics) {
			buf_addf(&path, "%s/mlpipeline-metrics.json", dir);
			save(path.buf, metrics);
		}
		buf_reset(&path);
		buf_addf(&path, "%s/mlpipeline-ui-metadata.json", dir);
		save(path.buf, ui);
		step_log(s, log_now() - t, "metrics and metadata processed");
	}
	cJSON_Delete(metrics);
	cJSON_Delete(ui);
	buf_release(&path);
}
