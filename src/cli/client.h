/* The client side of the control protocol (daemon/ctlproto.h). */
#ifndef IKG_CLI_CLIENT_H
#define IKG_CLI_CLIENT_H

#include <stddef.h>

#include "common/strbuf.h"

enum client_rc {
	CLIENT_OK = 0,
	CLIENT_UNREACHABLE = -1,   /* no daemon at the socket (exit code 3) */
	CLIENT_PROTOCOL = -2,      /* the daemon answered something malformed */
};

/* Sends "IKG1 <words>" to the daemon at sock and reads the response. CLIENT_OK with *status
 * and the body, or an error with a message in err. */
int client_call(const char *sock, const char *words, int *status, struct strbuf *body,
		char *err, size_t errlen);

#endif
