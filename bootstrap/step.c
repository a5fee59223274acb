/* step: the shared state of a step, its names, keys and log lines. */
#include "bootstrap/step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/exitcode.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "bootstrap/proc.h"

static char *trim_slashes(const char *s)
{
	size_t n;

	while (*s == '/')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	return xstrndup(s, n);
}

static int has_suffix(const char *s, const char *suffix, int nocase)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n <= m)
		return 0;
	return nocase ? !strcasecmp(s + n - m, suffix)
		      : !strcmp(s + n - m, suffix);
}

/* By suffix, not by substring as Elyra does ("run.rb" is not R). */
static int kind_of(const char *file, enum step_kind *kind)
{
	if (has_suffix(file, ".ipynb", 0))
		*kind = STEP_NOTEBOOK;
	else if (has_suffix(file, ".py", 0))
		*kind = STEP_PYTHON;
	else if (has_suffix(file, ".r", 1))
		*kind = STEP_R;
	else if (has_suffix(file, ".sh", 0))
		*kind = STEP_SHELL;
	else
		return error("unsupported file type '%s': t3q runs .ipynb, "
			     ".py, .r, .R and .sh files", file);
	return 0;
}

int step_init(struct step *s, const struct opts *o)
{
	struct s3_config cfg;
	const char *slash, *dot;
	char *url;

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->log_fd = -1;
	s->work_fd = -1;
	s->log_cut = -1;
	s->t0 = log_now();
	if (kind_of(o->file, &s->kind) < 0)
		return T3Q_EXIT_USAGE;
	s->dir = trim_slashes(o->cos_directory);
	if (o->run_id && *o->run_id) {
		char *rid = trim_slashes(o->run_id);

		s->run_dir = *s->dir ? xstrfmt("%s/%s", s->dir, rid)
				     : xstrdup(rid);
		free(rid);
	} else {
		s->run_dir = xstrdup(s->dir);
	}
	slash = strrchr(o->file, '/');
	s->base = xstrdup(slash ? slash + 1 : o->file);
	/* The suffix only, not every ".py" in the name as Elyra does. */
	dot = strrchr(s->base, '.');
	s->name = dot && dot != s->base ? xstrndup(s->base, dot - s->base)
					 : xstrdup(s->base);

	if (fs_mkdir_p(o->work_dir) < 0)
		return T3Q_EXIT_INTERNAL;
	if (chdir(o->work_dir) < 0) {
		error_errno("cannot enter the work dir '%s'", o->work_dir);
		return T3Q_EXIT_INTERNAL;
	}
	/* --log-name: two nodes' files share a stem (pipeline/pipeline.h). */
	{
		const char *ln = o->log_name ? o->log_name : s->name;

		s->log_path = xstrfmt("%s.log", ln);
		s->nb_out = xstrfmt("%s-output.ipynb", ln);
		s->nb_html = xstrfmt("%s.html", ln);
		s->nb_key = o->log_name ? xstrfmt("%s.ipynb", ln)
					: xstrdup(s->base);
	}
	s->work_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	s->work_real = realpath(".", NULL);
	if (s->work_fd < 0 || !s->work_real) {
		error_errno("cannot open the work dir '%s'", o->work_dir);
		return T3Q_EXIT_INTERNAL;
	}
	/*
	 * A link in its place (from the archive) is replaced, not followed.
	 * Read and write: the uploads read the log through this fd, needing
	 * no /proc (a chroot or a scratch image may have none).
	 */
	s->log_fd = open(s->log_path, O_RDWR | O_CREAT | O_TRUNC |
			 O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->log_fd < 0 && errno == ELOOP && unlink(s->log_path) == 0)
		s->log_fd = open(s->log_path, O_RDWR | O_CREAT | O_TRUNC |
				 O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->log_fd < 0) {
		error_errno("cannot create the log file '%s'", s->log_path);
		return T3Q_EXIT_INTERNAL;
	}

	s3_config_init(&cfg);
	if (s3_config_from_env(&cfg) < 0) {
		s3_config_release(&cfg);
		return T3Q_EXIT_USAGE;
	}
	s3_config_set(&cfg.endpoint, o->cos_endpoint);
	/* TERM stops a transfer at once: Kubernetes KILLs 30 s later. */
	cfg.cancel = step_cancel;
	{
		/* For links in the UI metadata: never with user info. */
		struct buf ep = BUF_INIT;

		s3_url_redact(&ep, o->cos_endpoint);
		s->endpoint = buf_detach(&ep, NULL);
	}
	url = !strncmp(o->cos_bucket, "file://", 7) ? xstrdup(o->cos_bucket)
		: xstrfmt("s3://%s", o->cos_bucket);
	s->store = store_open(url, &cfg);
	free(url);
	s3_config_release(&cfg);
	return s->store ? 0 : T3Q_EXIT_USAGE;
}

void step_release(struct step *s)
{
	store_free(s->store);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->work_fd >= 0)
		close(s->work_fd);
	free(s->work_real);
	free(s->endpoint);
	free(s->dir);
	free(s->run_dir);
	free(s->base);
	free(s->name);
	free(s->log_path);
	free(s->nb_out);
	free(s->nb_html);
	free(s->nb_key);
	free(s->why);
	for (int i = 0; i < s->noutputs; i++)
		free(s->outputs[i].key);
	free(s->outputs);
	memset(s, 0, sizeof(*s));
	s->log_fd = -1;
	s->work_fd = -1;
}

void step_log(const struct step *s, double secs, const char *fmt, ...)
{
	char action[2048];
	va_list ap;

	if (!s->o->pipeline_info)
		return;
	va_start(ap, fmt);
	vsnprintf(action, sizeof(action), fmt, ap);
	va_end(ap);
	/* Byte for byte what bootstrapper.py prints, trailing space too. */
	if (secs > 0)
		info("'%s':'%s' - %s (%.3f secs)", s->o->pipeline_name,
		     s->name, action, secs);
	else
		info("'%s':'%s' - %s ", s->o->pipeline_name, s->name, action);
}

void step_time(struct step *s, const char *what, double secs)
{
	if (s->ntimes < (int)(sizeof(s->times) / sizeof(*s->times)))
		s->times[s->ntimes++] = (struct step_time){ what, secs };
}

char *step_key(const struct step *s, int per_run, const char *rel)
{
	struct buf b = BUF_INIT;

	store_key_join(&b, per_run ? s->run_dir : s->dir, rel);
	return buf_detach(&b, NULL);
}

void step_fail(struct step *s, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (s->why)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	s->why = buf_detach(&b, NULL);
}

void step_terminate_message(const struct step *s, int rc, const char *why)
{
	char line[512];
	int fd, n;

	/*
	 * Kubernetes mounts this file; elsewhere it does not exist, and we
	 * do not create it under someone's /dev.
	 */
	fd = open(s->o->termination_log, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "t3q-bootstrap: %s: exit %d: %s\n",
		     s->base ? s->base : "step", rc, why);
	if (write(fd, line, n > (int)sizeof(line) ? (int)sizeof(line) : n) < 0)
		debug("cannot write %s: %s", s->o->termination_log,
		      strerror(errno));
	close(fd);
}
