/*
 * pipeline_quantity_ok: Kubernetes' resource.ParseQuantity verdicts.
 * With "-" as its argument it prints "ok" or "bad" for each line of stdin,
 * for tests/compile/t-quantity.sh to compare with ParseQuantity itself.
 */
#include "check.h"

#include <stdlib.h>

#include "pipeline/pipeline.h"

static int stdin_verdicts(void)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		puts(pipeline_quantity_ok(line) ? "ok" : "bad");
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* Read by Kubernetes (apimachinery v0.23.3 and v0.33.1 agree). */
	static const char *const ok[] = {
		"0", "1", "16", "0.5", ".5", "1.", "+1", "-1", "00", "1.5G",
		"1000.0G", "100m", "1n", "1u", "1k", "1M", "1T", "1P", "1E",
		"1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei", "1e3", "1E3", "1e-09",
		"1E+2", "1e+3", "1e-12", "2.G", "+", "-", ".", "+.", "m", "e5",
		"1e4294967296", "1234567890123456789012345", "1.5Ki",
		"9223372036854775807", "1e-9223372036854775808",
	};
	/* Refused: ErrFormatWrong, ErrSuffix or ErrNumeric. */
	static const char *const bad[] = {
		"", " 5", "5 ", "0x10", "1e3G", "1e", "1K", "1ki", "1i", "1Ee3",
		"1e3.5", "inf", "nan", "1e-12G", "1..5", "1.5.", "--1", "+-1",
		"1e9223372036854775808", ".e-10", "+e-10", "e-10", "1G5",
		"1Gi5", "0b101", "1,5", "１",
	};

	if (argc > 1 && !strcmp(argv[1], "-"))
		return stdin_verdicts();
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (!pipeline_quantity_ok(ok[i])) {
			fprintf(stderr, "refused '%s'\n", ok[i]);
			CHECK(0);
		}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (pipeline_quantity_ok(bad[i])) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			CHECK(0);
		}
	CHECK(1);
	return check_done();
}
