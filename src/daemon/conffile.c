/* Reading a configuration file and its secret files (conffile.h). */
#include "daemon/conffile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/secret.h"
#include "config/lint.h"

int conffile_diag(struct cfg_diags *d, enum cfg_severity sev, int line, const char *fix,
		  const char *fmt, ...)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct cfg_diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	struct cfg_diag *g = &d->v[d->n++];
	memset(g, 0, sizeof(*g));
	g->severity = sev;
	g->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->message, sizeof(g->message), fmt, ap);
	va_end(ap);
	snprintf(g->fix, sizeof(g->fix), "%s", fix ? fix : "");
	return 0;
}

/* Reads a whole file (at most max bytes) into a NUL-terminated heap buffer. */
static char *read_file(const char *path, size_t max, size_t *len, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		*err = errno;
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	if (cap > max + 1) {
		*err = EFBIG;
		close(fd);
		return NULL;
	}
	char *buf = malloc(cap);
	if (!buf) {
		*err = ENOMEM;
		close(fd);
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			/* the file grew while reading: stop at the size seen */
			break;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = errno;
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* secret-file paths are relative to the configuration file's directory. */
static void resolve_relative(const char *config_path, const char *file, char *out, size_t len)
{
	const char *slash = strrchr(config_path, '/');
	if (file[0] == '/' || !slash)
		snprintf(out, len, "%s", file);
	else
		snprintf(out, len, "%.*s/%s", (int)(slash - config_path), config_path, file);
}

static int load_secret(const char *config_path, struct ikg_config *cfg,
		       const struct cfg_ike_profile *ike, struct cfg_diags *diags)
{
	char path[2 * IKG_PATH_MAX];
	size_t len = 0;
	int err = 0;

	resolve_relative(config_path, ike->secret_file, path, sizeof(path));
	char *s = read_file(path, SECRET_FILE_MAX, &len, &err);
	if (!s) {
		conffile_diag(diags, CFG_ERROR, ike->line, "create the file or fix the path",
			      "ike profile '%s': cannot read secret-file '%s': %s", ike->name, path,
			      err == EFBIG ? "larger than 4096 bytes" : strerror(err));
		return -1;
	}
	size_t n = len;
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	int rc = 0;
	if (n == 0) {
		conffile_diag(diags, CFG_ERROR, ike->line, "put the pre-shared key in the file",
			      "ike profile '%s': secret-file '%s' is empty", ike->name, path);
		rc = -1;
	} else if (ikg_config_set_secret(cfg, ike->name, s, n) < 0) {
		conffile_diag(diags, CFG_ERROR, ike->line, NULL,
			      "ike profile '%s': cannot store the secret", ike->name);
		rc = -1;
	}
	struct stat st;
	if (rc == 0 && stat(path, &st) == 0)
		ikg_lint_secret_mode(path, (unsigned)st.st_mode, ike->line, diags);
	ikg_wipe(s, len);
	free(s);
	return rc;
}

int conffile_load(const char *path, struct ikg_config *out, struct cfg_diags *diags)
{
	size_t len = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	char *text = read_file(path, CONFFILE_MAX, &len, &err);
	if (!text) {
		conffile_diag(diags, CFG_ERROR, 0, NULL, "cannot read the configuration: %s",
			      err == EFBIG ? "larger than 4 MiB" : strerror(err));
		return -1;
	}
	if (strlen(text) != len) {
		conffile_diag(diags, CFG_ERROR, 0, NULL, "the configuration contains a NUL byte");
		free(text);
		return -1;
	}
	int rc = ikg_config_parse(text, path, out, diags);
	ikg_wipe(text, len);   /* may hold inline secrets */
	free(text);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < out->n_ike; i++) {
		if (out->ike[i].secret_file[0] && load_secret(path, out, &out->ike[i], diags) < 0)
			rc = -1;
	}
	if (rc < 0) {
		ikg_config_free(out);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

void conffile_print_diags(FILE *f, const struct cfg_diags *d, const char *path)
{
	char *text = cfg_diags_format(d, path);
	if (text) {
		fputs(text, f);
		if (text[0] && text[strlen(text) - 1] != '\n')
			fputc('\n', f);
		free(text);
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct cfg_diag *g = &d->v[i];
		const char *sev = g->severity == CFG_ERROR ? "error" : "warning";
		if (g->line > 0)
			fprintf(f, "%s:%d: %s: %s", path, g->line, sev, g->message);
		else
			fprintf(f, "%s: %s: %s", path, sev, g->message);
		if (g->fix[0])
			fprintf(f, " (fix: %s)", g->fix);
		fputc('\n', f);
	}
}

const char *conffile_first_error(const struct cfg_diags *d, const char *path, char *buf,
				 size_t len)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].severity != CFG_ERROR)
			continue;
		if (d->v[i].line > 0)
			snprintf(buf, len, "%s:%d: %s", path, d->v[i].line, d->v[i].message);
		else
			snprintf(buf, len, "%s: %s", path, d->v[i].message);
		return buf;
	}
	snprintf(buf, len, "%s: rejected", path);
	return buf;
}
