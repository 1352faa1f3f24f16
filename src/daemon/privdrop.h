/* Least privilege for ikegated (issue 9, docs/security.md): before the daemon sets itself up it
 * gives up root and every capability but the few its sockets, TUN device and routes need, and
 * makes itself non-dumpable (no core files, no ptrace, /proc/PID/mem closed) so that the keys
 * held in its OpenSSL contexts cannot be read out of it or out of a core dump; its memory is
 * locked (not swapped) where the system allows it.
 *
 * The user: $IKEGATED_USER when set ("root" or "" keeps uid 0), else the `ikegate` system user
 * when it exists, else the daemon stays uid 0 (with the reduced capabilities and the root
 * privileges of uid 0 neutralised by securebits). It does not fall back to `nobody`: the
 * control socket serves the daemon's own uid, so every other `nobody` process could then
 * drive the VPN (IKEGATED_USER=nobody forces it anyway). Create the user with
 *   useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ikegate
 * and give it the configuration and secret files (root:ikegate 0640 / ikegate 0600): reload
 * reads them as that user. */
#ifndef IKG_PRIVDROP_H
#define IKG_PRIVDROP_H

/* Called by main() before daemon_run(). When not root: nothing (0). As root: reads config_path
 * to learn the state directory and the control socket's directory and creates them for the
 * target user, then switches to it keeping CAP_NET_ADMIN (TUN, routes on reload),
 * CAP_NET_RAW (ESP/AH sockets) and CAP_NET_BIND_SERVICE (UDP 500/4500: they are bound after
 * this call), drops every other capability from the bounding set, sets PR_SET_DUMPABLE 0,
 * RLIMIT_CORE 0 and no_new_privs, and tries mlockall(). Logs one line with the result.
 * 0, or -1 (message printed) when a step that must not fail fails: the daemon must then not
 * start. */
int privdrop_before_setup(const char *config_path);

/* For the daemon's setup code, once UDP 500/4500 are bound: drops CAP_NET_BIND_SERVICE too,
 * leaving exactly CAP_NET_ADMIN and CAP_NET_RAW. 0 or -1. (Not called yet: the call belongs
 * after setup() in daemon_run, src/daemon/daemon.c.) */
int privdrop_after_setup(void);

#endif
