/* catalog: a custom node's component definition, found as Elyra would. */
#include "component/catalog.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"

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

/*
 * curl_easy_perform(h), and when the name did not resolve, again for IPv4
 * alone, then IPv6 alone, within secs in all. musl's getaddrinfo, the
 * static t3q-compile's, gives up on a name when its A or AAAA query gets
 * NXDOMAIN, where glibc keeps the other answer; asked for one family,
 * musl sends that query alone (s3/s3.c, family_next(), says more).
 */
static CURLcode perform_any_family(CURL *h, struct buf *b, char *ebuf,
				   long secs)
{
	static const long family[] = {
		CURL_IPRESOLVE_WHATEVER, CURL_IPRESOLVE_V4, CURL_IPRESOLVE_V6,
	};
	double left = secs, took = 0;
	CURLcode rc = CURLE_OK;

	for (size_t i = 0; i < sizeof(family) / sizeof(*family); i++) {
		buf_reset(b);
		ebuf[0] = '\0';
		curl_easy_setopt(h, CURLOPT_IPRESOLVE, family[i]);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(left * 1000));
		rc = curl_easy_perform(h);
		if (rc != CURLE_COULDNT_RESOLVE_HOST)
			break;
		curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &took);
		left -= took;
		if (left < 0.001)
			break;
	}
	return rc;
}

/* Fetches url (http, https, file) into b; -1 with the reason in err. */
static int fetch(const char *url, struct buf *b, struct buf *err)
{
	CURL *h = curl_easy_init();
	char ebuf[CURL_ERROR_SIZE] = "";
	const char *env = getenv("T3Q_CATALOG_TIMEOUT");
	long status = 0, secs = env && atol(env) > 0 ? atol(env) : 30;
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
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	/*
	 * Every wait has a deadline: Elyra's url-catalog timeout
	 * (REQUEST_TIMEOUT, 30 s) in all (perform_any_family), the
	 * connection within it, and a server that stops sending is given up
	 * after 10 s.
	 */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, secs < 10 ? secs : 10L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, secs < 10 ? secs : 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	rc = perform_any_family(h, b, ebuf, secs);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		buf_addf(err, "cannot fetch it: %s", *ebuf ? ebuf :
			 curl_easy_strerror(rc));
		if (rc == CURLE_OPERATION_TIMEDOUT)
			buf_addf(err, " (t3q waits %ld s for a url-catalog "
				 "entry, as Elyra: check that '%s' answers)",
				 secs, url);
		return -1;
	}
	if (strncmp(url, "file:", 5) && status != 200) {
		buf_addf(err, "cannot fetch it: HTTP status %ld", status);
		return -1;
	}
	return 0;
}

/*
 * What a resolve reads once, however many nodes refer to it: the files
 * under the --components directories (their relative paths and Elyra's
 * ids), and every URL fetched (its text or why not).
 */
struct dir_entry {
	char *rel, *full;
	char hash[13];
};

struct fetched {
	char *url;
	struct buf text, err;
	int r;
};

struct cache {
	struct dir_entry *files;
	int nfiles;
	int indexed;
	struct fetched *urls;
	int nurls;
};

struct walk {
	struct cache *k;
	const char *dir;
	dev_t *devs;		/* the directories entered (symlink cycles) */
	ino_t *inos;
	int nseen;
};

/* Whether the directory st is entered before; marks it if not. */
static int seen_dir(struct walk *w, const struct stat *st)
{
	for (int i = 0; i < w->nseen; i++)
		if (w->devs[i] == st->st_dev && w->inos[i] == st->st_ino)
			return 1;
	w->devs = xrealloc(w->devs, (w->nseen + 1) * sizeof(*w->devs));
	w->inos = xrealloc(w->inos, (w->nseen + 1) * sizeof(*w->inos));
	w->devs[w->nseen] = st->st_dev;
	w->inos[w->nseen++] = st->st_ino;
	return 0;
}

/*
 * Adds the .yaml/.yml files under w->dir/rel to the index, depth first
 * in readdir order. A directory reached twice (a symlink cycle, or two
 * links to it) is walked once.
 */
static void index_dir(struct walk *w, const char *rel, int depth)
{
	struct buf path = BUF_INIT;
	struct stat st;
	struct dirent *e;
	DIR *d;

	buf_addf(&path, "%s%s%s", w->dir, *rel ? "/" : "", rel);
	d = depth <= 16 && stat(path.buf, &st) == 0 && !seen_dir(w, &st) ?
	    opendir(path.buf) : NULL;
	buf_release(&path);
	while (d && (e = readdir(d))) {
		struct buf sub = BUF_INIT, full = BUF_INIT;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		buf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		buf_addf(&full, "%s/%s", w->dir, sub.buf);
		if (stat(full.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
			index_dir(w, sub.buf, depth + 1);
		} else if ((len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) ||
			   (len > 4 && !strcmp(e->d_name + len - 4, ".yml"))) {
			struct cache *k = w->k;
			struct dir_entry *f;

			k->files = xrealloc(k->files, (k->nfiles + 1) *
					    sizeof(*k->files));
			f = &k->files[k->nfiles++];
			short_hash(sub.buf, f->hash);
			f->rel = buf_detach(&sub, NULL);
			f->full = buf_detach(&full, NULL);
		}
		buf_release(&sub);
		buf_release(&full);
	}
	if (d)
		closedir(d);
}

/* The files of every directory, in their order: the first match wins. */
static void cache_index(struct cache *k, const struct catalog *cat)
{
	k->indexed = 1;
	for (int i = 0; i < cat->ndirs; i++) {
		struct walk w = { k, cat->dirs[i], NULL, NULL, 0 };

		index_dir(&w, "", 0);
		free(w.devs);
		free(w.inos);
	}
}

/* A file of the index whose id or relative path matches, or NULL. */
static const char *find_file(const struct cache *k, const char *hash,
			     const char *want)
{
	for (int i = 0; i < k->nfiles; i++)
		if ((hash && !strcmp(k->files[i].hash, hash)) ||
		    (want && !strcmp(k->files[i].rel, want)))
			return k->files[i].full;
	return NULL;
}

/* url's text into text, fetched once per resolve; as fetch(). */
static int fetch_once(struct cache *k, const char *url, struct buf *text,
		      struct buf *err)
{
	struct fetched *f = NULL;

	for (int i = 0; i < k->nurls && !f; i++)
		if (!strcmp(k->urls[i].url, url))
			f = &k->urls[i];
	if (!f) {
		k->urls = xrealloc(k->urls, (k->nurls + 1) * sizeof(*k->urls));
		f = &k->urls[k->nurls++];
		memset(f, 0, sizeof(*f));
		f->url = xstrdup(url);
		f->r = fetch(url, &f->text, &f->err);
	}
	if (f->r < 0)
		buf_adds(err, f->err.buf);
	else
		buf_add(text, f->text.buf ? f->text.buf : "", f->text.len);
	return f->r;
}

static void cache_release(struct cache *k)
{
	for (int i = 0; i < k->nfiles; i++) {
		free(k->files[i].rel);
		free(k->files[i].full);
	}
	for (int i = 0; i < k->nurls; i++) {
		free(k->urls[i].url);
		buf_release(&k->urls[i].text);
		buf_release(&k->urls[i].err);
	}
	free(k->files);
	free(k->urls);
}

/*
 * A definition file into text: 1, or -1 with the reason in err. Only a
 * regular file of at most MAX_DEFINITION bytes: a FIFO or a device would
 * block or never end.
 */
static int read_definition(const char *path, struct buf *text,
			   struct buf *err)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		buf_addf(err, "'%s' is not a regular file", path);
		return -1;
	}
	if (stat(path, &st) == 0 && st.st_size > MAX_DEFINITION) {
		buf_addf(err, "'%s' is larger than %d MiB, which no component "
			 "definition is", path, MAX_DEFINITION >> 20);
		return -1;
	}
	if (buf_read_file(text, path) < 0) {
		buf_addf(err, "cannot read '%s'", path);
		return -1;
	}
	return 1;
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
static int locate(const struct catalog *cat, struct cache *k,
		  const struct pipeline *p, const struct node *n,
		  const struct source *s, struct buf *text, struct buf *origin,
		  struct buf *err)
{
	const char *op = n->op ? n->op : "", *hash = strrchr(op, ':');
	const char *want = NULL, *path = NULL, *found;
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
	if (cat->ndirs && !k->indexed)
		cache_index(k, cat);
	if ((found = find_file(k, hash ? hash + 1 : NULL, want))) {
		buf_adds(&file, found);
		goto read;
	}
	/* 2. the catalogs t3q reads itself */
	if (!s->type || !s->ref)
		return 0;
	if (!strcmp(s->type, "url-catalog") && (path = ref_str(s, "url"))) {
		buf_adds(origin, path);
		r = fetch_once(k, path, text, err);
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
	r = read_definition(file.buf, text, err);
	buf_release(&file);
	return r;
}

static int resolve_one(const struct catalog *cat, struct cache *k,
		       struct pipeline *p, struct node *n,
		       struct component **def)
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
	r = locate(cat, k, p, n, &s, &text, &origin, &err);
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
	struct cache k;
	int errors = 0;

	memset(&k, 0, sizeof(k));
	for (int i = 0; i < p->nnodes; i++) {
		defs[i] = NULL;
		if (p->nodes[i].kind == NODE_CUSTOM)
			errors += resolve_one(cat, &k, p, &p->nodes[i],
					      &defs[i]);
	}
	cache_release(&k);
	return errors;
}
