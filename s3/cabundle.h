/*
 * cabundle: the CA certificates for an https endpoint, found at run time.
 *
 * The static t3q-bootstrap runs in images it was not built for, so no CA
 * path compiled into it means anything. The first of these wins:
 *   1. AWS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE (set and non-empty; the
 *      file must then be readable: a variable naming a missing file is an
 *      error, not a reason to look further);
 *   2. the first readable regular file among cabundle_system_paths, the
 *      bundles of the common distributions.
 * The S3 client asks only for https endpoints with no CA bundle configured.
 */
#ifndef T3Q_S3_CABUNDLE_H
#define T3Q_S3_CABUNDLE_H

/* NULL-terminated, in probe order. */
extern const char *const cabundle_system_paths[];

/*
 * Sets *path to a malloc'd path of the CA bundle to use and returns 0; or
 * logs what is missing and how to supply one, and returns -1.
 */
int cabundle_find(char **path);

/* The same, probing system_paths (NULL-terminated) instead. */
int cabundle_find_in(const char *const *system_paths, char **path);

#endif
