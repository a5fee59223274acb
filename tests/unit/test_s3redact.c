/*
 * User info in an endpoint: redacted wherever a URL is shown, and taken as
 * the credentials (percent-decoded) when the config has none (issue #11).
 */
#include "check.h"

#include <stdlib.h>

#include "s3/s3_int.h"

static void redact(const char *in, const char *want)
{
	struct buf b = BUF_INIT;

	s3_url_redact(&b, in);
	CHECK_STR(b.buf, want);
	buf_release(&b);
}

static void creds(const char *endpoint, const char *key, const char *secret,
		  const char *hostport)
{
	struct s3_client c = { 0 };

	CHECK(s3_endpoint_parse(&c, endpoint) == 0);
	CHECK_STR(c.cfg.access_key, key);
	CHECK_STR(c.cfg.secret_key, secret);
	CHECK_STR(c.hostport, hostport);
	s3_config_release(&c.cfg);
	free(c.scheme);
	free(c.hostport);
	free(c.base);
}

int main(void)
{
	redact("http://AK:SECRET@host:9000", "http://***@host:9000");
	redact("https://AK:S%2Fx@host/base?x=@", "https://***@host/base?x=@");
	redact("http://a:b@c@host", "http://***@host");
	redact("http://host:9000/p@th", "http://host:9000/p@th");
	redact("host", "host");
	redact("AK:SECRET@host", "***@host");
	creds("http://AK:SE%2FCR%2BET@127.0.0.1:9000", "AK", "SE/CR+ET",
	      "127.0.0.1:9000");
	creds("http://AK:p@ss@h", "AK", "p@ss", "h");
	creds("http://AK@h", "AK", "", "h");
	return check_done();
}
