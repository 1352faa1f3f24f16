/* The control protocol framing and the peer check of the control socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctlproto.h"

static void request_round_trip(void **state)
{
	(void)state;
	char buf[64], *w[CTL_MAX_WORDS];
	assert_int_equal(ctl_format_request(buf, sizeof(buf), "show vpn --json"), 21);
	assert_string_equal(buf, "IKG1 show vpn --json\n");
	buf[20] = '\0';   /* the daemon strips the newline */
	assert_int_equal(ctl_parse_request(buf, w, CTL_MAX_WORDS), 3);
	assert_string_equal(w[0], "show");
	assert_string_equal(w[1], "vpn");
	assert_string_equal(w[2], "--json");
}

static void request_rejects(void **state)
{
	(void)state;
	char *w[4];
	char a[] = "IKG2 show vpn";
	assert_int_equal(ctl_parse_request(a, w, 4), -1);
	char b[] = "IKG1show";
	assert_int_equal(ctl_parse_request(b, w, 4), -1);
	char c[] = "IKG1 show\tvpn";
	assert_int_equal(ctl_parse_request(c, w, 4), -1);
	char d[] = "IKG1 a b c d e";
	assert_int_equal(ctl_parse_request(d, w, 4), -1);
	char e[] = "IKG1   reload  ";
	assert_int_equal(ctl_parse_request(e, w, 4), 1);
	assert_string_equal(w[0], "reload");
	char f[] = "IKG1";
	assert_int_equal(ctl_parse_request(f, w, 4), 0);
	char big[CTL_REQUEST_MAX + 16];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char out[sizeof(big) + 16];
	assert_int_equal(ctl_format_request(out, sizeof(out), big), -1);
}

static void header_round_trip(void **state)
{
	(void)state;
	char buf[CTL_HEADER_MAX];
	int st;
	size_t len;
	assert_int_equal(ctl_format_header(buf, sizeof(buf), 1, 1234), 12);
	assert_string_equal(buf, "IKG1 1 1234\n");
	buf[11] = '\0';
	assert_int_equal(ctl_parse_header(buf, &st, &len), 0);
	assert_int_equal(st, 1);
	assert_int_equal(len, 1234);
	assert_int_equal(ctl_parse_header("IKG1 0 0", &st, &len), 0);
	assert_int_equal(st, 0);
	assert_int_equal(len, 0);
}

static void header_rejects(void **state)
{
	(void)state;
	int st;
	size_t len;
	assert_int_equal(ctl_parse_header("IKG1 3 10", &st, &len), -1);     /* unknown status */
	assert_int_equal(ctl_parse_header("IKG1 0 -1", &st, &len), -1);
	assert_int_equal(ctl_parse_header("IKG1 0 10x", &st, &len), -1);
	assert_int_equal(ctl_parse_header("IKG1 0", &st, &len), -1);
	assert_int_equal(ctl_parse_header("XKG1 0 1", &st, &len), -1);
	assert_int_equal(ctl_parse_header("IKG1 0 999999999999", &st, &len), -1); /* > max */
}

static void peer_check(void **state)
{
	(void)state;
	char why[160] = "";
	gid_t groups[] = { 100, 4242 };
	/* root and the daemon's own user always */
	assert_true(ctl_peer_allowed(0, 0, NULL, 0, 0, false, 0, "ikegate", why, sizeof(why)));
	assert_true(ctl_peer_allowed(1000, 1000, NULL, 0, 1000, false, 0, "ikegate", why,
				     sizeof(why)));
	/* group members: primary or supplementary */
	assert_true(ctl_peer_allowed(1000, 4242, NULL, 0, 0, true, 4242, "ikegate", why,
				     sizeof(why)));
	assert_true(ctl_peer_allowed(1000, 1000, groups, 2, 0, true, 4242, "ikegate", why,
				     sizeof(why)));
	/* others are refused with a reason */
	assert_false(ctl_peer_allowed(65534, 65534, groups, 1, 0, true, 4242, "ikegate", why,
				      sizeof(why)));
	assert_string_equal(why, "permission denied: uid 65534 is neither root nor in group "
			    "'ikegate'");
	/* without the group, only root (a gid-0 member is not root) */
	assert_false(ctl_peer_allowed(65534, 0, NULL, 0, 0, false, 0, "ikegate", why,
				      sizeof(why)));
	assert_string_equal(why, "permission denied: uid 65534 is not root (create group "
			    "'ikegate' to delegate access)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_round_trip),
		cmocka_unit_test(request_rejects),
		cmocka_unit_test(header_round_trip),
		cmocka_unit_test(header_rejects),
		cmocka_unit_test(peer_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
