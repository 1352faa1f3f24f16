/* The control-socket protocol between ikegate and ikegated (docs/cli.md):
 *   request  = "IKG1 <command words...>\n"            (full words, at most CTL_REQUEST_MAX bytes)
 *   response = "IKG1 <status> <length>\n" + <length> bytes of body
 * status: 0 ok, 1 error, 2 usage. One request per connection; the daemon closes after the
 * response. */
#ifndef IKG_CTLPROTO_H
#define IKG_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CTL_MAGIC "IKG1"
#define CTL_REQUEST_MAX 1024
#define CTL_HEADER_MAX 64
#define CTL_BODY_MAX (64u * 1024 * 1024)
#define CTL_MAX_WORDS 16
#define CTL_DEFAULT_SOCKET "/run/ikegate/ikegate.sock"

enum ctl_status { CTL_OK = 0, CTL_ERROR = 1, CTL_USAGE = 2 };

/* Splits a request line (no trailing newline; modified in place) into words after the magic.
 * Returns the number of words, or -1 when the magic is missing, a control character appears,
 * or there are more than max words. */
int ctl_parse_request(char *line, char **words, int max);

/* Formats "IKG1 <words>\n" into buf; returns its length or -1 when it does not fit. */
int ctl_format_request(char *buf, size_t len, const char *words);

/* Formats the response header; returns its length or -1. */
int ctl_format_header(char *buf, size_t len, int status, size_t body_len);

/* Parses a response header line (without '\n'): 0, or -1 when malformed. */
int ctl_parse_header(const char *line, int *status, size_t *body_len);

/* Whether a control-socket peer may send commands: root, the daemon's own user (self), or a
 * member (primary or supplementary group) of the socket's group when it exists. On refusal why
 * gets the message sent back. */
bool ctl_peer_allowed(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups, uid_t self,
		      bool have_group, gid_t group, const char *group_name, char *why,
		      size_t len);

#endif
