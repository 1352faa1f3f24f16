/* The control socket: a Unix stream socket (mode 0660, group "ikegate" when that group
 * exists, in a directory created 0750). Each connection carries one request and one response
 * (ctlproto.h); peers are checked with SO_PEERCRED / SO_PEERGROUPS: root, the daemon's own
 * user, or a member of the socket's group. */
#ifndef IKG_CONTROL_H
#define IKG_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "common/types.h"
#include "daemon/ctlproto.h"

#define CTL_GROUP "ikegate"
#define CTL_MAX_CONNS 16
#define CTL_IDLE_MS 5000

struct ctl_conn {
	int fd;                          /* -1: free slot */
	char in[CTL_REQUEST_MAX + 1];
	size_t in_len;
	struct strbuf out;
	size_t out_off;
	bool writing;
	bool denied;                     /* peer refused: answer the request with why */
	char why[160];
	ikg_ms deadline;
};

/* Runs one request: words are full command words; the body goes to out; returns a status. */
typedef int (*ctl_exec_fn)(void *ctx, int n, char **words, struct strbuf *out);

struct control {
	int fd;
	char path[256];
	bool have_group;
	gid_t gid;
	int epfd;
	unsigned tag;                    /* epoll tag of the listening socket; conns use tag+1+i */
	ctl_exec_fn exec;
	void *ctx;
	struct ctl_conn conns[CTL_MAX_CONNS];
	uint64_t refused;
};

/* Creates the socket and registers it with epfd (data.u64 = tag; connection i gets
 * tag + 1 + i). 0, or -1 with a message in err. */
int control_open(struct control *c, const char *path, int epfd, unsigned tag, ctl_exec_fn exec,
		 void *ctx, char *err, size_t errlen);
void control_close(struct control *c);
/* Handles an epoll event whose tag is in [tag, tag + CTL_MAX_CONNS]. */
void control_event(struct control *c, unsigned tag, uint32_t events, ikg_ms now);
/* Closes connections idle past their deadline; returns the next deadline. */
ikg_ms control_expire(struct control *c, ikg_ms now);

#endif
