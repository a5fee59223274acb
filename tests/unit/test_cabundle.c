/*
 * cabundle: AWS_CA_BUNDLE, then CURL_CA_BUNDLE, then SSL_CERT_FILE, then the
 * first readable system bundle; a variable naming a missing file and no
 * bundle at all are errors that say how to supply one.
 */
#include "check.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "s3/cabundle.h"

static char dir[] = "/tmp/t3q-cabundle.XXXXXX";

static char *tmp_path(const char *name)
{
	return xstrfmt("%s/%s", dir, name);
}

static void write_file(const char *path)
{
	FILE *f = fopen(path, "w");

	fputs("-----BEGIN CERTIFICATE-----\n", f);
	fclose(f);
}

/* The path cabundle_find_in() picks, or "ERROR"; stderr goes to errlog. */
static char picked[512];
static const char *errlog;

static const char *find(const char *const *sys)
{
	char *path = NULL;
	int saved = dup(2), fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC,
				      0600);
	int r;

	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	r = cabundle_find_in(sys, &path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	snprintf(picked, sizeof(picked), "%s", r == 0 && path ? path : "ERROR");
	if (r == 0 && !path)
		snprintf(picked, sizeof(picked), "NULL with 0");
	if (r < 0 && path)
		snprintf(picked, sizeof(picked), "a path with -1");
	free(path);
	return picked;
}

static int errlog_has(const char *text)
{
	char buf[4096];
	FILE *f = fopen(errlog, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

int main(void)
{
	char *aws, *curl, *ssl, *sys_missing, *sys_dir, *sys_a, *sys_b;

	if (!mkdtemp(dir))
		return 1;
	aws = tmp_path("aws.pem");
	curl = tmp_path("curl.pem");
	ssl = tmp_path("ssl.pem");
	sys_missing = tmp_path("missing.crt");
	sys_dir = tmp_path("a-directory");
	sys_a = tmp_path("sys-a.crt");
	sys_b = tmp_path("sys-b.crt");
	errlog = tmp_path("stderr");
	write_file(aws);
	write_file(curl);
	write_file(ssl);
	write_file(sys_a);
	write_file(sys_b);
	mkdir(sys_dir, 0755);
	const char *sys[] = { sys_missing, sys_dir, sys_a, sys_b, NULL };
	const char *none[] = { sys_missing, sys_dir, NULL };
	const char *empty[] = { NULL };

	unsetenv("AWS_CA_BUNDLE");
	unsetenv("CURL_CA_BUNDLE");
	unsetenv("SSL_CERT_FILE");

	/* The system paths, in order: missing ones and directories skipped. */
	CHECK_STR(find(sys), sys_a);
	const char *sys_ba[] = { sys_b, sys_a, NULL };
	CHECK_STR(find(sys_ba), sys_b);

	/* Each variable beats the next, and every variable the system. */
	setenv("SSL_CERT_FILE", ssl, 1);
	CHECK_STR(find(sys), ssl);
	setenv("CURL_CA_BUNDLE", curl, 1);
	CHECK_STR(find(sys), curl);
	setenv("AWS_CA_BUNDLE", aws, 1);
	CHECK_STR(find(sys), aws);

	/* An empty variable is unset. */
	setenv("AWS_CA_BUNDLE", "", 1);
	CHECK_STR(find(sys), curl);
	setenv("CURL_CA_BUNDLE", "", 1);
	CHECK_STR(find(none), ssl);

	/* A variable naming a missing file fails, naming it; no fallback. */
	setenv("CURL_CA_BUNDLE", sys_missing, 1);
	CHECK_STR(find(sys), "ERROR");
	CHECK(errlog_has("CURL_CA_BUNDLE="));
	CHECK(errlog_has("missing.crt"));
	setenv("CURL_CA_BUNDLE", sys_dir, 1);
	CHECK_STR(find(sys), "ERROR");

	/* Nothing at all: the message says how to supply one. */
	unsetenv("AWS_CA_BUNDLE");
	unsetenv("CURL_CA_BUNDLE");
	unsetenv("SSL_CERT_FILE");
	CHECK_STR(find(none), "ERROR");
	CHECK(errlog_has("no CA bundle for the https endpoint"));
	CHECK(errlog_has("set AWS_CA_BUNDLE"));
	CHECK(errlog_has("or mount one at "));
	CHECK(errlog_has("missing.crt, "));
	CHECK_STR(find(empty), "ERROR");

	/* The real list, in the documented order. */
	CHECK_STR(cabundle_system_paths[0], "/etc/ssl/certs/ca-certificates.crt");
	CHECK_STR(cabundle_system_paths[1], "/etc/pki/tls/certs/ca-bundle.crt");
	CHECK_STR(cabundle_system_paths[2], "/etc/ssl/ca-bundle.pem");
	CHECK_STR(cabundle_system_paths[3], "/etc/pki/tls/cacert.pem");
	CHECK_STR(cabundle_system_paths[4], "/etc/ssl/cert.pem");
	CHECK(cabundle_system_paths[5] == NULL);

	unlink(aws);
	unlink(curl);
	unlink(ssl);
	unlink(sys_a);
	unlink(sys_b);
	unlink(errlog);
	rmdir(sys_dir);
	rmdir(dir);
	free(aws);
	free(curl);
	free(ssl);
	free(sys_missing);
	free(sys_dir);
	free(sys_a);
	free(sys_b);
	free((char *)errlog);
	return check_done();
}
