/*
 * s3_deadline: a request's deadline grows with its body, so that a
 * healthy link never hits it (1 GiB in one GET gets over an hour, enough
 * at 270 KB/s) while a trickle does (a 16 MiB part: about 2 minutes).
 */
#include "check.h"

#include "s3/s3.h"

int main(void)
{
	struct s3_config cfg;
	double gib = 1024.0 * 1024 * 1024;

	s3_config_init(&cfg);
	CHECK(s3_deadline(&cfg, 0) == S3_DEFAULT_REQUEST_TIMEOUT);
	/* 1 GiB on a 10 MB/s link takes 107 s: far inside. */
	CHECK(s3_deadline(&cfg, (long long)gib) > gib / 10e6 * 30);
	CHECK(s3_deadline(&cfg, (long long)gib) == 60 + 4096);
	CHECK(s3_deadline(&cfg, 16LL << 20) == 124);
	/* A 16 MiB part at 2 KiB/s (8192 s) is cut long before it ends. */
	CHECK(s3_deadline(&cfg, 16LL << 20) < 8192 / 10);
	cfg.request_timeout = 5;
	CHECK(s3_deadline(&cfg, 262144) == 6);
	s3_config_release(&cfg);
	return check_done();
}
