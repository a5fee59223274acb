/* catalog: a custom node's component definition, found as Elyra would. */
#include "common/catalog.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"

#define MAX_DEFINITION (4 << 20)	/* no component.yaml is this big */

int catalog_file_arg_ok(const char *arg)
{
	const char *eq = strchr(arg, '='), *colon = strchr(arg, ':');

	return eq && colon && colon < eq && colon > arg && eq[1];
}

/* The first 12 hex digits of sha256(s): Elyra's catalog entry hash. */
static void short_hash(const char *s, char out[13])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL);
	for (int i = 0; i < 6; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;

	if (b->len + size * nmemb > MAX_DEFINITION)
		return 0;
	buf_add(b, ptr, size * nmemb);
	return size * nmemb;
}

/* Fetches url (http, https, file) into b; -1 with the reason in err. */
static int fetch(const char *url, struct buf *b, struct buf *err)
{
	CURL *h = curl_easy_init();
	char ebuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	if (!h) {
		buf_adds(err, "libcurl cannot start");
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP |
			 CURLPROTO_HTTPS | CURLPROTO_FILE));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP |
			 CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	/* Elyra's url-catalog timeout (REQUEST_TIMEOUT). */
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		buf_addf(err, "cannot fetch it: %s", *ebuf ? ebuf :
			 curl_easy_strerror(rc));
		return -1;
	}
	if (strncmp(url, "file:", 5) && status != 200) {
		buf_addf(err, "cannot fetch it: HTTP status %ld", status);
		return -1;
	}
	return 0;
}

/* A file under dir whose relative path matches; 1 found, 0 not. */
static int find_in_dir(const char *dir, const char *rel, const char *hash,
		       const char *want, struct buf *found, int depth)
{
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (depth > 16)
		return 0;
	{
		struct buf path = BUF_INIT;

		buf_addf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
		d = opendir(path.buf);
		buf_release(&path);
	}
	if (!d)
		return 0;
	while (!r && (e = readdir(d))) {
		struct buf sub = BUF_INIT, full = BUF_INIT;
		struct stat st;
		char h[13];
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		buf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		buf_addf(&full, "%s/%s", dir, sub.buf);
		if (stat(full.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
			r = find_in_dir(dir, sub.buf, hash, want, found,
					depth + 1);
		} else if ((len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) ||
			   (len > 4 && !strcmp(e->d_name + len - 4, ".yml"))) {
			short_hash(sub.buf, h);
			if ((hash && !strcmp(h, hash)) ||
			    (want && !strcmp(sub.buf, want))) {
				buf_adds(found, full.buf);
				r = 1;
			}
		}
		buf_release(&sub);
		buf_release(&full);
	}
	closedir(d);
	return r;
}

struct source {
	const char *type;	/* catalog type, or NULL */
	cJSON *ref;		/* component_ref, or NULL */
	const char *plain;	/* an old plain-string component_source */
};

static const char *ref_str(const struct source *s, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->ref,
								     k));
}

/* The reference in words, for messages. */
static void describe(struct buf *out, const struct node *n,
		     const struct source *s)
{
	if (s->ref) {
		char *j = cJSON_PrintUnformatted(s->ref);

		buf_addf(out, "catalog '%s', reference %s",
			 s->type ? s->type : "?", j);
		cJSON_free(j);
	} else if (s->plain) {
		buf_addf(out, "component source '%s'", s->plain);
	} else {
		buf_addf(out, "operation '%s'", n->op ? n->op : "");
	}
}

/*
 * The definition's text into text and where it is into origin. Returns
 * 1 found, 0 not found (nowhere to look), -1 found but unreadable (err).
 */
static int locate(const struct catalog *cat, const struct pipeline *p,
		  const struct node *n, const struct source *s,
		  struct buf *text, struct buf *origin, struct buf *err)
{
	const char *op = n->op ? n->op : "", *hash = strrchr(op, ':');
	const char *want = NULL, *path = NULL;
	struct buf file = BUF_INIT;
	int r = 0;

	/* 1. what the caller handed over: --component, --components */
	for (int i = 0; i < cat->nfiles; i++) {
		const char *eq = strchr(cat->files[i], '=');

		if (eq && (size_t)(eq - cat->files[i]) == strlen(op) &&
		    !strncmp(cat->files[i], op, eq - cat->files[i])) {
			buf_adds(&file, eq + 1);
			goto read;
		}
	}
	if (s->ref && s->ref->child && !s->ref->child->next &&
	    cJSON_IsString(s->ref->child))
		want = s->ref->child->valuestring;
	for (int i = 0; i < cat->ndirs; i++)
		if (find_in_dir(cat->dirs[i], "", hash ? hash + 1 : NULL, want,
				&file, 0))
			goto read;
	/* 2. the catalogs t3q reads itself */
	if (!s->type || !s->ref)
		return 0;
	if (!strcmp(s->type, "url-catalog") && (path = ref_str(s, "url"))) {
		buf_adds(origin, path);
		r = fetch(path, text, err);
		return r < 0 ? -1 : 1;
	}
	if (!strcmp(s->type, "local-file-catalog") &&
	    (path = ref_str(s, "path"))) {
		const char *base = ref_str(s, "base_dir");

		if (path[0] != '/')
			buf_addf(&file, "%s/", base ? base : p->dir);
		buf_adds(&file, path);
	} else if (!strcmp(s->type, "local-directory-catalog") &&
		   (path = ref_str(s, "path")) && ref_str(s, "base_dir")) {
		buf_addf(&file, "%s/%s", ref_str(s, "base_dir"), path);
	} else {
		return 0;
	}
read:
	buf_adds(origin, file.buf);
	if (buf_read_file(text, file.buf) < 0) {
		buf_addf(err, "cannot read '%s'", file.buf);
		r = -1;
	} else {
		r = 1;
	}
	buf_release(&file);
	return r;
}

static int resolve_one(const struct catalog *cat, struct pipeline *p,
		       struct node *n, struct component **def)
{
	struct source s = { NULL, NULL, NULL };
	struct buf text = BUF_INIT, origin = BUF_INIT, err = BUF_INIT,
		   what = BUF_INIT;
	cJSON *src = NULL;
	int r, errors = 0;

	if (n->component_source) {
		src = cJSON_Parse(n->component_source);
		if (cJSON_IsObject(src)) {
			s.type = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(src,
							 "catalog_type"));
			s.ref = cJSON_GetObjectItemCaseSensitive(src,
							 "component_ref");
			if (!cJSON_IsObject(s.ref))
				s.ref = NULL;
		} else {
			s.plain = n->component_source;
		}
	}
	describe(&what, n, &s);
	r = locate(cat, p, n, &s, &text, &origin, &err);
	if (r == 0) {
		pipeline_diag(p, 1, n, "op", "This component was not found "
			      "in the catalog (%s). t3q reads "
			      "local-file-catalog, local-directory-catalog "
			      "and url-catalog entries itself; give the "
			      "definition of any other with --component "
			      "'%s=FILE' or --components DIR", what.buf,
			      n->op ? n->op : "");
		errors++;
	} else if (r < 0) {
		pipeline_diag(p, 1, n, "component_source", "the component "
			      "definition (%s) is unreadable: %s", what.buf,
			      err.buf);
		errors++;
	} else if (!(*def = component_parse(text.buf ? text.buf : "",
					     origin.buf, &err))) {
		pipeline_diag(p, 1, n, "component_source", "Invalid "
			      "component definition '%s' (%s): %s; fix the "
			      "component YAML", origin.buf, what.buf, err.buf);
		errors++;
	}
	cJSON_Delete(src);
	buf_release(&text);
	buf_release(&origin);
	buf_release(&err);
	buf_release(&what);
	return errors;
}

int catalog_resolve(const struct catalog *cat, struct pipeline *p,
		    struct component **defs)
{
	int errors = 0;

	for (int i = 0; i < p->nnodes; i++) {
		defs[i] = NULL;
		if (p->nodes[i].kind == NODE_CUSTOM)
			errors += resolve_one(cat, p, &p->nodes[i], &defs[i]);
	}
	return errors;
}
