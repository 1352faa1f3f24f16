/* Least privilege for ikegated: see privdrop.h. Capabilities through the raw capset(2) and
 * prctl(2) interfaces (no libcap). */
#include "daemon/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/conffile.h"
#include "daemon/dlog.h"
#include "daemon/evjournal.h"

#define DEFAULT_USER "ikegate"

#if defined(__SANITIZE_ADDRESS__)
#define IKG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IKG_ASAN 1
#endif
#endif

static const int kept_caps[] = {CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE};

struct target {
	char name[64];
	uid_t uid;
	gid_t gid;              /* the daemon's group: `ikegate` when that group exists */
	bool have_ctl_group;    /* the group `ikegate` exists (control socket, docs/cli.md) */
	gid_t ctl_gid;
};

static int capset_to(const int *caps, size_t n)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	for (size_t i = 0; i < n; i++) {
		d[caps[i] / 32].effective |= 1u << (caps[i] % 32);
		d[caps[i] / 32].permitted |= 1u << (caps[i] % 32);
		/* the one capability a child may inherit: `nft list ruleset` for diagnose */
		if (caps[i] == CAP_NET_ADMIN)
			d[caps[i] / 32].inheritable |= 1u << (caps[i] % 32);
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return -1;
	/* ambient: a child exec'd without file capabilities (nft) keeps CAP_NET_ADMIN, and only
	 * that; failing here only costs diagnose its view of the host firewall */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_ADMIN, 0, 0) == 0)
		for (size_t i = 0; i < n; i++)
			if (caps[i] == CAP_NET_ADMIN)
				prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0);
	return 0;
}

static int capget_eff(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	return 0;
}

static bool kept(int cap)
{
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		if (kept_caps[i] == cap)
			return true;
	return false;
}

/* Empties the bounding set but for the kept capabilities (needs CAP_SETPCAP: before capset). */
static int drop_bounding(void)
{
	for (int cap = 0; cap < 64; cap++) {
		if (kept(cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break;                         /* past the kernel's last capability */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			dlog("privdrop: cannot drop capability %d from the bounding set: %s", cap,
			     strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* $IKEGATED_USER, else the ikegate user, else uid 0. -1 when IKEGATED_USER names nobody known. */
static int resolve_target(struct target *t)
{
	const char *want = getenv("IKEGATED_USER");
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "root");
	struct group *gr = getgrnam(DEFAULT_USER);
	if (gr) {
		t->have_ctl_group = true;
		t->ctl_gid = gr->gr_gid;
	}
	if (want && (!*want || strcmp(want, "root") == 0))
		return 0;
	struct passwd *pw = getpwnam(want ? want : DEFAULT_USER);
	if (!pw) {
		if (want) {
			dlog("privdrop: IKEGATED_USER=%s: no such user", want);
			return -1;
		}
		return 0;
	}
	snprintf(t->name, sizeof(t->name), "%s", pw->pw_name);
	t->uid = pw->pw_uid;
	/* the control socket and its directory are born with the daemon's group: make it
	 * `ikegate` so that the group's members can use them (control.c chowns only as root) */
	t->gid = t->have_ctl_group ? t->ctl_gid : pw->pw_gid;
	return 0;
}

static void dir_of(const char *path, char *dir, size_t len)
{
	snprintf(dir, len, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		snprintf(dir, len, "%s", slash ? "/" : ".");
}

/* Creates dir (0750) for the target user, or hands an existing root-owned 0750 directory
 * (made for us, e.g. systemd's RuntimeDirectory/StateDirectory) over to it. Any other
 * existing directory is left alone: shared ones like /run or /tmp must not change owner. */
static void prepare_dir(const char *dir, const struct target *t, const char *what)
{
	struct stat st;
	bool created = false;
	if (stat(dir, &st) < 0) {
		if (mkdir_p(dir, 0750) < 0) {
			dlog("privdrop: cannot create the %s directory %s: %s", what, dir,
			     strerror(errno));
			return;
		}
		created = true;
	} else if (!(S_ISDIR(st.st_mode) && st.st_uid == 0 && (st.st_mode & 07777) == 0750)) {
		if (st.st_uid != t->uid && access(dir, W_OK) == 0 && !(st.st_mode & 0022))
			dlog("privdrop: note: the %s directory %s is not owned by %s", what, dir,
			     t->name);
		return;
	}
	gid_t g = created || st.st_gid == 0 ? t->gid : st.st_gid;
	if (chown(dir, t->uid, g) < 0)
		dlog("privdrop: cannot give %s to %s: %s", dir, t->name, strerror(errno));
}

/* The journal files of an earlier run as root become the user's. */
static void prepare_journal(const char *state_dir, const struct target *t)
{
	static const char *const names[] = {"events.journal", "events.journal.1"};
	char path[IKG_PATH_MAX + 32];
	for (size_t i = 0; i < 2; i++) {
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", state_dir, names[i]);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    chown(path, t->uid, t->gid) < 0)
			dlog("privdrop: cannot give %s to %s: %s", path, t->name, strerror(errno));
	}
}

static void prepare_paths(const char *config_path, const struct target *t)
{
	struct ikg_config cfg;
	struct cfg_diags diags = {0};
	char dir[IKG_PATH_MAX];
	/* A bad file is reported by daemon_run, with its diagnostics. */
	if (conffile_load(config_path, &cfg, &diags) < 0) {
		cfg_diags_free(&diags);
		return;
	}
	cfg_diags_free(&diags);
	prepare_dir(cfg.gateway.state_dir, t, "state");
	prepare_journal(cfg.gateway.state_dir, t);
	dir_of(cfg.gateway.control, dir, sizeof(dir));
	prepare_dir(dir, t, "control socket");
	ikg_config_free(&cfg);   /* wipes the secrets it read */
}

/* Keys never reach swap: lock the memory, present and future, where the system lets us (not
 * under AddressSanitizer: its shadow memory is terabytes of reservations). */
static const char *lock_memory(void)
{
#ifdef IKG_ASAN
	return "not locked (AddressSanitizer build)";
#else
	/* MCL_FUTURE makes every later allocation count against RLIMIT_MEMLOCK: only with no
	 * limit (else the daemon would run out of memory after a few MB: its SAs, its buffers) */
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY}, cur;
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited) < 0 &&
	    (getrlimit(RLIMIT_MEMLOCK, &cur) < 0 || cur.rlim_cur != RLIM_INFINITY))
		return "not locked (RLIMIT_MEMLOCK is limited and cannot be raised)";
#ifdef MCL_ONFAULT
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0)
		return "locked";
#endif
	if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0)
		return "locked";
	munlockall();
	return "not locked (mlockall refused)";
#endif
}

static int switch_user(const struct target *t)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(1, &t->gid) < 0 ||
	    setresgid(t->gid, t->gid, t->gid) < 0 || setresuid(t->uid, t->uid, t->uid) < 0) {
		dlog("privdrop: cannot become %s (uid %u): %s", t->name, (unsigned)t->uid,
		     strerror(errno));
		return -1;
	}
	uid_t r, e, s;
	if (getresuid(&r, &e, &s) < 0 || r != t->uid || e != t->uid || s != t->uid ||
	    setuid(0) == 0) {
		dlog("privdrop: still able to regain uid 0 after becoming %s", t->name);
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

int privdrop_before_setup(const char *config_path)
{
	struct target t;
	if (geteuid() != 0)
		return 0;
	if (resolve_target(&t) < 0)
		return -1;
	if (t.uid != 0)
		prepare_paths(config_path, &t);

	/* no core files (they would hold keys), no ptrace, /proc/PID/mem root-only */
	struct rlimit zero = {0, 0};
	if (setrlimit(RLIMIT_CORE, &zero) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		dlog("privdrop: cannot disable core dumps: %s", strerror(errno));
		return -1;
	}
	const char *mem = lock_memory();
	if (drop_bounding() < 0)
		return -1;
	if (t.uid == 0) {
		/* No inherited supplementary groups (root's "disk", ...). Without CAP_CHOWN, root may
		 * still give what it owns to a group it is in: the control socket and its directory
		 * go to group ikegate (control.c), so that group is the one kept when it exists. */
		if (setgroups(t.have_ctl_group ? 1 : 0, &t.ctl_gid) < 0) {
			dlog("privdrop: setgroups: %s", strerror(errno));
			return -1;
		}
		/* uid 0 gets no capabilities back from exec or setuid games */
		if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
			  SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED, 0, 0, 0) < 0) {
			dlog("privdrop: securebits: %s", strerror(errno));
			return -1;
		}
	} else if (switch_user(&t) < 0) {
		return -1;
	}
	if (capset_to(kept_caps, sizeof(kept_caps) / sizeof(kept_caps[0])) < 0) {
		dlog("privdrop: capset: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		dlog("privdrop: no_new_privs: %s", strerror(errno));
		return -1;
	}
	uint64_t eff = 0, prm = 0;
	if (capget_eff(&eff, &prm) < 0 || prm != eff) {
		dlog("privdrop: capabilities not as set");
		return -1;
	}
	dlog("privileges dropped: user %s (uid %u), capabilities net_admin net_raw "
	     "net_bind_service (CapEff %016llx), not dumpable, memory %s%s", t.name,
	     (unsigned)getuid(), (unsigned long long)eff, mem,
	     t.uid == 0 ? "; no 'ikegate' user: uid 0 kept (create it: see docs/security.md)" : "");
	return 0;
}

int privdrop_after_setup(void)
{
	uint64_t eff = 0, prm = 0, ours = 0;
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		ours |= 1ull << kept_caps[i];
	/* only after privdrop_before_setup (a daemon started unprivileged has nothing to drop) */
	if (capget_eff(&eff, &prm) < 0 || prm != ours)
		return 0;
	static const int final_caps[] = {CAP_NET_ADMIN, CAP_NET_RAW};
	if (capset_to(final_caps, 2) < 0) {
		dlog("privdrop: capset: %s", strerror(errno));
		return -1;
	}
	return 0;
}
