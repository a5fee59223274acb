/* cabundle: the CA bundle for https, from the environment or the system. */
#include "s3/cabundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"

const char *const cabundle_system_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt",	/* Debian, Ubuntu, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",	/* RHEL, Fedora */
	"/etc/ssl/ca-bundle.pem",		/* SUSE */
	"/etc/pki/tls/cacert.pem",		/* OpenELEC */
	"/etc/ssl/cert.pem",			/* Alpine, macOS-like */
	NULL,
};

static const char *const env_names[] = {
	"AWS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", NULL,
};

/* 0: a readable regular file (links followed); -1 with errno otherwise. */
static int usable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return access(path, R_OK);
}

int cabundle_find_in(const char *const *system_paths, char **path)
{
	struct buf probed = BUF_INIT;
	int r;

	for (const char *const *e = env_names; *e; e++) {
		const char *v = getenv(*e);

		if (!v || !*v)
			continue;
		if (usable(v) < 0)
			return error("%s='%s' names no readable CA bundle: %s",
				     *e, v, strerror(errno));
		debug("CA bundle from %s: %s", *e, v);
		*path = xstrdup(v);
		return 0;
	}
	for (const char *const *p = system_paths; *p; p++) {
		if (!usable(*p)) {
			debug("CA bundle: %s", *p);
			*path = xstrdup(*p);
			return 0;
		}
	}
	for (const char *const *p = system_paths; *p; p++)
		buf_addf(&probed, "%s%s", probed.len ? ", " : "", *p);
	r = error("no CA bundle for the https endpoint: AWS_CA_BUNDLE, "
		  "CURL_CA_BUNDLE and SSL_CERT_FILE are unset and none of %s "
		  "exists; set AWS_CA_BUNDLE to a PEM file of CA certificates, "
		  "or mount one at %s",
		  probed.len ? probed.buf : "(no paths)",
		  system_paths[0] ? system_paths[0] : "a probed path");
	buf_release(&probed);
	return r;
}

int cabundle_find(char **path)
{
	return cabundle_find_in(cabundle_system_paths, path);
}
