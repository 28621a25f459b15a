/*
 * libagentsh-ipc: framing, descriptor passing, the codec's checks, the
 * catalogue's invariants, the log-record channel, spawning and libevent.
 */
#include "compat.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "ipc.h"
#include "ipc_log.h"
#include "ipc_msg.h"

static int	 sv[2];
static struct ipc_chan	 a, b;

static void
setup_pair(unsigned int flags)
{
	ck_assert_int_eq(ipc_socketpair(sv), 0);
	ck_assert_int_eq(ipc_chan_init(&a, sv[0], flags), 0);
	ck_assert_int_eq(ipc_chan_init(&b, sv[1], flags), 0);
}

static void
setup_fdpass(void)
{
	setup_pair(IPC_CHAN_FDPASS);
}

static void
setup_plain(void)
{
	setup_pair(0);
}

static void
teardown(void)
{
	ipc_chan_clear(&a);
	ipc_chan_clear(&b);
}

static int
count_fds(void)
{
	int	 n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

/* Sends a raw record with an optional cmsg carrying nfds descriptors. */
static void
raw_send(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr	 h;
		char		 b[CMSG_SPACE(4 * sizeof(int))];
	}		 cb;
	struct msghdr	 mh;
	struct iovec	 iov = { (void *)buf, len };
	struct cmsghdr	*cm;

	memset(&mh, 0, sizeof(mh));
	memset(&cb, 0, sizeof(cb));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = cb.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	ck_assert_int_eq(sendmsg(sock, &mh, 0), (ssize_t)len);
}

static void
raw_msg(int sock, uint32_t type, uint32_t hdrlen, const void *p, size_t plen,
    const int *fds, int nfds)
{
	uint8_t		 buf[IPC_MAX_MSG + 64];
	struct ipc_hdr	 h = { type, hdrlen, 7, 1 };

	memcpy(buf, &h, sizeof(h));
	if (plen)
		memcpy(buf + sizeof(h), p, plen);
	raw_send(sock, buf, sizeof(h) + plen, fds, nfds);
}

START_TEST(roundtrip_plain)
{
	struct ipc_ping	 p = { 0x1122334455667788ULL }, q;
	struct ipc_msg	 m;

	ck_assert_int_eq(ipc_send(&a, IPC_PING, 42, -1, &p), 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 1);
	ck_assert_uint_eq(m.hdr.type, IPC_PING);
	ck_assert_uint_eq(m.hdr.peerid, 42);
	ck_assert_uint_eq(m.hdr.pid, (uint32_t)getpid());
	ck_assert_int_eq(m.fd, -1);
	ck_assert_int_eq(ipc_decode(m.hdr.type, m.data, m.datalen, &q, NULL,
	    0), 0);
	ck_assert(q.cookie == p.cookie);
	ipc_msg_clear(&m);
}
END_TEST

START_TEST(roundtrip_fd)
{
	struct ipc_conn_new	 c = { 9, IPC_CONN_UNIX, 1000, 1000, 55,
				    IPC_ROLE_AGENT, "peer" }, d;
	struct ipc_msg		 m;
	int			 p[2], before;
	char			 ch = 0;

	ck_assert_int_eq(pipe(p), 0);
	before = count_fds();
	ck_assert_int_eq(ipc_send(&a, IPC_CONN_NEW, 1, p[1], &c), 0);
	/* The sender's copy is closed once sent. */
	ck_assert_int_eq(count_fds(), before - 1);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 1);
	ck_assert_int_ne(m.fd, -1);
	ck_assert_int_eq(fcntl(m.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(write(m.fd, "x", 1), 1);
	ck_assert_int_eq(read(p[0], &ch, 1), 1);
	ck_assert_int_eq(ch, 'x');
	ck_assert_int_eq(ipc_decode(m.hdr.type, m.data, m.datalen, &d, NULL,
	    0), 0);
	ck_assert_str_eq(d.peer, "peer");
	ck_assert_uint_eq(d.uid, 1000);
	ipc_msg_clear(&m);
	close(p[0]);
}
END_TEST

START_TEST(zero_length)
{
	struct ipc_msg	 m;

	ck_assert_int_eq(ipc_ev_send(&a, IPC_SESS_SYNCED, 0, -1, NULL, 0), 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 1);
	ck_assert_uint_eq(m.datalen, 0);
	ck_assert_int_eq(ipc_decode(m.hdr.type, m.data, m.datalen, NULL, NULL,
	    0), 0);
	ipc_msg_clear(&m);
	/* A payload on a message that has none is trailing bytes. */
	ck_assert_int_eq(ipc_ev_send(&a, IPC_SESS_SYNCED, 0, -1, "x", 1), 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 1);
	ck_assert_int_eq(ipc_decode(m.hdr.type, m.data, m.datalen, NULL, NULL,
	    0), -1);
	ipc_msg_clear(&m);
}
END_TEST

START_TEST(truncated_and_trailing)
{
	struct ipc_sess_destroy	 s = { 3, "sess-1" }, d;
	uint8_t			*buf;
	size_t			 len;
	char			 why[128];

	ck_assert_int_eq(ipc_encode(IPC_SESS_DESTROY, &s, &buf, &len), 0);
	for (size_t cut = 0; cut < len; cut++)
		ck_assert_int_eq(ipc_decode(IPC_SESS_DESTROY, buf, cut, &d,
		    why, sizeof(why)), -1);
	ck_assert_int_eq(ipc_decode(IPC_SESS_DESTROY, buf, len, &d, why,
	    sizeof(why)), 0);
	ck_assert_str_eq(d.id, "sess-1");
	buf = realloc(buf, len + 1);
	buf[len] = 0;
	ck_assert_int_eq(ipc_decode(IPC_SESS_DESTROY, buf, len + 1, &d, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "trailing"));
	free(buf);
}
END_TEST

START_TEST(string_checks)
{
	uint8_t		 buf[64];
	uint64_t	 connid = 1;
	uint32_t	 n;
	struct ipc_sess_destroy	 d;
	char		 why[128];

	/* embedded NUL */
	memcpy(buf, &connid, 8);
	n = 3;
	memcpy(buf + 8, &n, 4);
	memcpy(buf + 12, "a\0b\0", 4);
	ck_assert_int_eq(ipc_decode(IPC_SESS_DESTROY, buf, 16, &d, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "embedded NUL"));
	/* missing terminator */
	memcpy(buf + 12, "abcX", 4);
	ck_assert_int_eq(ipc_decode(IPC_SESS_DESTROY, buf, 16, &d, why,
	    sizeof(why)), -1);
	/* length SIZE_MAX-ish */
	n = UINT32_MAX;
	memcpy(buf + 8, &n, 4);
	ck_assert_int_eq(ipc_decode(IPC_SESS_DESTROY, buf, 16, &d, why,
	    sizeof(why)), -1);
	/* over the field's limit */
	n = IPC_ID_MAX + 1;
	memcpy(buf + 8, &n, 4);
	ck_assert_int_eq(ipc_decode(IPC_SESS_DESTROY, buf, 16, &d, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "limit"));
}
END_TEST

START_TEST(flags_and_enums)
{
	struct ipc_sess_create	 c = { 1, "", "/ws", "", 0 }, d;
	uint8_t			*buf;
	size_t			 len;
	uint32_t		 bad = 0x80;
	char			 why[128];

	c.flags = 0x80;
	ck_assert_int_eq(ipc_encode(IPC_SESS_CREATE, &c, &buf, &len), -1);
	c.flags = IPC_SESS_F_REAL_PATHS;
	ck_assert_int_eq(ipc_encode(IPC_SESS_CREATE, &c, &buf, &len), 0);
	/* flags are the last field: set an unknown bit on the wire */
	memcpy(buf + len - 4, &bad, 4);
	ck_assert_int_eq(ipc_decode(IPC_SESS_CREATE, buf, len, &d, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "unknown flag bits"));
	free(buf);

	struct ipc_conn_new	 cn = { 1, IPC_CONN_KIND_MAX, 0, 0, 0, 0, "" };
	ck_assert_int_eq(ipc_encode(IPC_CONN_NEW, &cn, &buf, &len), -1);
}
END_TEST

START_TEST(strv_roundtrip)
{
	const char		*layers[] = { "namespaces", "filter", NULL };
	struct ipc_sess_info	 s = { 0 }, d;
	uint8_t			*buf;
	size_t			 len;

	s.id = "s1";
	s.workspace = "/w";
	s.enforcement.n = 2;
	s.enforcement.v = layers;
	ck_assert_int_eq(ipc_encode(IPC_SESS_INFO, &s, &buf, &len), 0);
	ck_assert_int_eq(ipc_decode(IPC_SESS_INFO, buf, len, &d, NULL, 0), 0);
	ck_assert_uint_eq(d.enforcement.n, 2);
	ck_assert_str_eq(d.enforcement.v[1], "filter");
	ck_assert_ptr_null(d.enforcement.v[2]);
	ck_assert_str_eq(d.owner_key, "");
	ipc_decoded_free(IPC_SESS_INFO, &d);
	free(buf);

	/* a count larger than the bytes could hold is refused up front */
	s.enforcement.n = 0;
	ck_assert_int_eq(ipc_encode(IPC_SESS_INFO, &s, &buf, &len), 0);
	uint32_t	 huge = 1000000;
	memcpy(buf + len - 4, &huge, 4);
	ck_assert_int_eq(ipc_decode(IPC_SESS_INFO, buf, len, &d, NULL, 0), -1);
	free(buf);
}
END_TEST

/* The session init's set-up: a BYTES field (groups) and a STRV (masks);
 * every cut is refused, an unknown flag bit is refused. */
START_TEST(init_setup_roundtrip)
{
	const char		*masks[] = { "/run/agentsh", "/etc/agentsh", NULL };
	uint32_t		 groups[] = { 1000, 27 };
	struct ipc_init_setup	 s = { 0 }, d;
	uint8_t			*buf;
	size_t			 len;
	char			 why[128];

	s.id = "s1";
	s.mount_path = "/workspace";
	s.cgroup_path = "/sys/fs/cgroup";
	s.flags = IPC_INIT_F_USERNS | IPC_INIT_F_NO_FILTER;
	s.uid = 1000;
	s.gid = 1000;
	s.groups.p = (const uint8_t *)groups;
	s.groups.len = sizeof(groups);
	s.masks.n = 2;
	s.masks.v = masks;
	ck_assert_int_eq(ipc_encode(IPC_INIT_SETUP, &s, &buf, &len), 0);
	for (size_t cut = 0; cut < len; cut++)
		ck_assert_int_eq(ipc_decode(IPC_INIT_SETUP, buf, cut, &d, why,
		    sizeof(why)), -1);
	ck_assert_int_eq(ipc_decode(IPC_INIT_SETUP, buf, len, &d, why,
	    sizeof(why)), 0);
	ck_assert_str_eq(d.mount_path, "/workspace");
	ck_assert_uint_eq(d.groups.len, sizeof(groups));
	ck_assert_int_eq(memcmp(d.groups.p, groups, sizeof(groups)), 0);
	ck_assert_str_eq(d.masks.v[1], "/etc/agentsh");
	ipc_decoded_free(IPC_INIT_SETUP, &d);
	free(buf);

	s.flags = IPC_INIT_F_ALL + 1;
	ck_assert_int_eq(ipc_encode(IPC_INIT_SETUP, &s, &buf, &len), -1);
	/* more groups than a session may carry */
	s.flags = 0;
	s.groups.len = (IPC_INIT_GROUPS_MAX + 1) * 4;
	s.groups.p = calloc(1, s.groups.len);
	ck_assert_int_eq(ipc_encode(IPC_INIT_SETUP, &s, &buf, &len), -1);
	free((void *)s.groups.p);
}
END_TEST

/* A command: argv and env as STRV, the answer's flags checked. */
START_TEST(exec_roundtrip)
{
	const char		*args[] = { "-c", "echo hi", NULL };
	const char		*env[] = { "A=1", NULL };
	struct ipc_exec		 e = { 0 }, d;
	struct ipc_exec_r	 r = { 0 };
	uint8_t			*buf;
	size_t			 len;
	uint32_t		 bad = 0x80;
	char			 why[128];

	e.connid = 9;
	e.id = "s1";
	e.command = "/bin/sh";
	e.args.n = 2;
	e.args.v = args;
	e.env.n = 1;
	e.env.v = env;
	e.cwd = "";
	e.timeout_ms = 1500;
	ck_assert_int_eq(ipc_encode(IPC_EXEC, &e, &buf, &len), 0);
	ck_assert_int_eq(ipc_decode(IPC_EXEC, buf, len, &d, why,
	    sizeof(why)), 0);
	ck_assert_str_eq(d.args.v[1], "echo hi");
	ck_assert_str_eq(d.env.v[0], "A=1");
	ck_assert_uint_eq(d.timeout_ms, 1500);
	ipc_decoded_free(IPC_EXEC, &d);
	free(buf);

	r.status = 200;
	r.flags = IPC_EXEC_F_TIMED_OUT;
	ck_assert_int_eq(ipc_encode(IPC_EXEC_R, &r, &buf, &len), 0);
	/* flags follow status, error, id, command_id and exit_code */
	memcpy(buf + 4 + 5 + 5 + 5 + 4, &bad, 4);
	ck_assert_int_eq(ipc_decode(IPC_EXEC_R, buf, len, &r, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "unknown flag bits"));
	free(buf);
}
END_TEST

/* The init's descriptors: a slot beyond the last is refused, and the
 * workspace message carries nothing but its descriptor. */
START_TEST(init_fd_messages)
{
	struct ipc_init_fd	 f = { 1, IPC_INIT_SLOT_MAX }, d;
	uint8_t			*buf;
	size_t			 len;

	ck_assert_int_eq(ipc_encode(IPC_INIT_FD, &f, &buf, &len), -1);
	f.slot = IPC_INIT_SLOT_STDERR;
	ck_assert_int_eq(ipc_encode(IPC_INIT_FD, &f, &buf, &len), 0);
	ck_assert_int_eq(ipc_decode(IPC_INIT_FD, buf, len, &d, NULL, 0), 0);
	free(buf);
	ck_assert_int_eq(ipc_msg_fdspec(IPC_INIT_WORKSPACE), IPC_FD_REQUIRED);
	ck_assert_int_eq(ipc_msg_fdspec(IPC_INIT_USERNS), IPC_FD_REQUIRED);
	ck_assert_int_eq(ipc_msg_fdspec(IPC_EXEC_OUTPUT), IPC_FD_REQUIRED);
	ck_assert_int_eq(ipc_decode(IPC_INIT_WORKSPACE, (const uint8_t *)"x",
	    1, NULL, NULL, 0), -1);
}
END_TEST

START_TEST(oversized)
{
	static uint8_t	 big[IPC_MAX_MSG + 16];
	struct ipc_msg	 m;

	ck_assert_int_eq(ipc_compose(&a, IPC_PING, 0, -1, big,
	    IPC_MAX_PAYLOAD + 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	raw_send(sv[0], big, sizeof(big), NULL, 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(header_mismatch)
{
	uint64_t	 c = 1;
	struct ipc_msg	 m;

	raw_msg(sv[0], IPC_PING, 100, &c, 8, NULL, 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* short record */
	raw_send(sv[0], "abc", 3, NULL, 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(unknown_type_then_good)
{
	uint64_t	 c = 1;
	struct ipc_ping	 p = { 5 };
	struct ipc_msg	 m;

	raw_msg(sv[0], 0x7ffe, IPC_HDR_SIZE + 8, &c, 8, NULL, 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_ptr_nonnull(strstr(b.why, "unknown message type"));
	/* record boundaries survive: the next message reads fine */
	ck_assert_int_eq(ipc_send(&a, IPC_PING, 0, -1, &p), 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 1);
	ipc_msg_clear(&m);
}
END_TEST

START_TEST(fd_on_fdless_type)
{
	uint64_t	 c = 1;
	struct ipc_msg	 m;
	int		 p[2], before;

	ck_assert_int_eq(pipe(p), 0);
	before = count_fds();
	raw_msg(sv[0], IPC_PING, IPC_HDR_SIZE + 8, &c, 8, &p[0], 1);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_ptr_nonnull(strstr(b.why, "carries none"));
	ck_assert_int_eq(count_fds(), before);
	/* and compose refuses to send one */
	ck_assert_int_eq(ipc_compose(&a, IPC_PING, 0, p[0], &c, 8), -1);
	ck_assert_int_eq(fcntl(p[0], F_GETFD), -1);	/* closed */
	close(p[1]);
}
END_TEST

START_TEST(missing_required_fd)
{
	struct ipc_conn_new	 cn = { 1, 0, 0, 0, 0, 0, "" };
	uint8_t			*buf;
	size_t			 len;
	struct ipc_msg		 m;

	ck_assert_int_eq(ipc_encode(IPC_CONN_NEW, &cn, &buf, &len), 0);
	raw_msg(sv[0], IPC_CONN_NEW, IPC_HDR_SIZE + len, buf, len, NULL, 0);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	ck_assert_ptr_nonnull(strstr(b.why, "without its descriptor"));
	free(buf);
}
END_TEST

START_TEST(wrong_fd_count)
{
	struct ipc_conn_new	 cn = { 1, 0, 0, 0, 0, 0, "" };
	uint8_t			*buf;
	size_t			 len;
	struct ipc_msg		 m;
	int			 p[2], before;

	ck_assert_int_eq(pipe(p), 0);
	before = count_fds();
	ck_assert_int_eq(ipc_encode(IPC_CONN_NEW, &cn, &buf, &len), 0);
	raw_msg(sv[0], IPC_CONN_NEW, IPC_HDR_SIZE + len, buf, len, p, 2);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	/* two descriptors do not fit the exact control buffer: CTRUNC, and
	 * whatever did arrive is closed */
	ck_assert(errno == EPROTO || errno == EBADMSG);
	ck_assert_int_eq(count_fds(), before);
	free(buf);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(fd_on_plain_channel)
{
	uint64_t	 c = 1;
	struct ipc_msg	 m;
	int		 p[2], before;

	ck_assert_int_eq(pipe(p), 0);
	before = count_fds();
	raw_msg(sv[0], IPC_CONN_GONE, IPC_HDR_SIZE + 8, &c, 8, &p[0], 1);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), -1);
	ck_assert_int_eq(count_fds(), before);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(peer_dies)
{
	struct ipc_ping	 p = { 1 };
	struct ipc_msg	 m;
	pid_t		 pid;

	if ((pid = fork()) == 0) {
		close(sv[1]);
		/* one PING without its payload, one whole, then die */
		(void)ipc_send_sync(&a, IPC_PING, 0, -1, NULL, 0, 1000);
		(void)ipc_send(&a, IPC_PING, 0, -1, &p);
		_exit(0);
	}
	close(sv[0]);
	a.fd = -1;
	waitpid(pid, NULL, 0);
	/* the first message was bad (empty payload), the second is whole */
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 1);
	ck_assert_int_eq(ipc_decode(m.hdr.type, m.data, m.datalen,
	    &p, NULL, 0), -1);
	ipc_msg_clear(&m);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 1);
	ipc_msg_clear(&m);
	ck_assert_int_eq(ipc_recv_sync(&b, &m, 1000), 0);
	ck_assert_int_eq(ipc_send_sync(&b, IPC_PING, 0, -1, &p, 0, 100), -1);
}
END_TEST

START_TEST(fd_exhaustion)
{
	struct ipc_conn_new	 cn = { 1, 0, 0, 0, 0, 0, "" };
	struct rlimit		 rl;
	struct ipc_msg		 m;
	int			 p[2], hi, fd;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(ipc_send(&a, IPC_CONN_NEW, 0, p[0], &cn), 0);
	close(p[1]);
	/* Fill the table up to the reserve: the read must wait, not lose. */
	hi = count_fds();
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = (rlim_t)hi + IPC_FD_RESERVE / 2;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(ipc_read(&b, &m), -1);
	ck_assert_int_eq(errno, EMFILE);
	rl.rlim_cur = 1024;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(ipc_read(&b, &m), 1);
	ck_assert_int_ne((fd = m.fd), -1);
	ipc_msg_clear(&m);
}
END_TEST

START_TEST(catalogue_invariants)
{
	const struct ipc_msgdef	*d, *prev = NULL;

	for (size_t i = 0; (d = ipc_msg_def_at(i)) != NULL; i++) {
		ck_assert_msg(prev == NULL || prev->type < d->type,
		    "catalogue not sorted at %s", d->name);
		ck_assert_ptr_eq(ipc_msg_def(d->type), d);
		/* an answer follows its request */
		if (d->type & 1)
			ck_assert_msg(ipc_msg_def(d->type - 1) != NULL,
			    "answer %s without a request", d->name);
		for (size_t f = 0; f < d->nfields; f++)
			ck_assert(d->fields[f].off < d->size);
		prev = d;
	}
	ck_assert_ptr_null(ipc_msg_def(0x7ffe));
	ck_assert_int_eq(ipc_msg_fdspec(0x7ffe), -1);
}
END_TEST

START_TEST(unknown_type_compose)
{
	ck_assert_int_eq(ipc_compose(&a, 0x7ffe, 0, -1, NULL, 0), -1);
}
END_TEST

static int	 seen_level;
static char	 seen_msg[LOG_REC_MSG_MAX + 1];

static void
emit(int level, const char *msg, void *arg)
{
	seen_level = level;
	(void)strlcpy(seen_msg, msg, sizeof(seen_msg));
	(*(int *)arg)++;
}

START_TEST(log_records)
{
	struct log_reader	 lr;
	int			 p[2], n = 0;
	uint32_t		 rec[2];

	/* keep the pipe clear of fd 4, which becomes its write end */
	int	 lo;
	ck_assert_int_eq(pipe(p), 0);
	lo = p[0];
	ck_assert_int_ge((p[0] = fcntl(lo, F_DUPFD, 10)), 10);
	close(lo);
	ck_assert_int_eq(dup2(p[1], LOG_HELPER_FD), LOG_HELPER_FD);
	log_init(LOG_TO_FD, 0, "t");
	log_warnx("hello \x1b[31m %d", 5);
	log_info("second");
	memset(&lr, 0, sizeof(lr));
	ck_assert_msg(log_reader_feed(&lr, p[0], emit, &n) == 1, "%s", lr.why);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(seen_msg, "second");
	ck_assert_int_eq(seen_level, LOG_INFO);

	/* a helper may not claim LOG_CRIT: it is capped at LOG_ERR */
	logit(LOG_EMERG, "boom");
	ck_assert_int_eq(log_reader_feed(&lr, p[0], emit, &n), 1);
	ck_assert_int_eq(seen_level, LOG_ERR);

	close(p[0]);
	close(p[1]);
	close(LOG_HELPER_FD);

	/* bad level, over the size limit, NUL inside: each refused */
	static const struct { uint32_t len, level; const char *body; } bad[] = {
		{ 1, 99, "x" },
		{ LOG_REC_MSG_MAX + 1, LOG_INFO, "" },
		{ 3, LOG_INFO, "a\0b" },
	};
	for (size_t i = 0; i < nitems(bad); i++) {
		ck_assert_int_eq(pipe(p), 0);
		memset(&lr, 0, sizeof(lr));
		rec[0] = bad[i].len;
		rec[1] = bad[i].level;
		ck_assert_int_eq(write(p[1], rec, 8), 8);
		if (bad[i].len <= 3)
			ck_assert_int_eq(write(p[1], bad[i].body, bad[i].len),
			    (ssize_t)bad[i].len);
		ck_assert_int_eq(log_reader_feed(&lr, p[0], emit, &n), -1);
		close(p[0]);
		close(p[1]);
	}
	/* a helper dying mid-record */
	ck_assert_int_eq(pipe(p), 0);
	memset(&lr, 0, sizeof(lr));
	rec[0] = 10; rec[1] = LOG_INFO;
	ck_assert_int_eq(write(p[1], rec, 8), 8);
	ck_assert_int_eq(write(p[1], "abc", 3), 3);
	close(p[1]);
	ck_assert_int_eq(log_reader_feed(&lr, p[0], emit, &n), 1);
	ck_assert_int_eq(log_reader_feed(&lr, p[0], emit, &n), -1);
	ck_assert_ptr_nonnull(strstr(lr.why, "truncated"));
}
END_TEST

START_TEST(spawn_fds)
{
	char *const	 argv[] = { "sh", "-c",
	    "[ -S /proc/self/fd/3 ] || [ -e /proc/self/fd/3 ] || exit 3; "
	    "[ -e /proc/self/fd/4 ] || exit 4; "
	    "[ -e /proc/self/fd/5 ] && exit 5; exit 0", NULL };
	char *const	 envp[] = { "PATH=/bin:/usr/bin", NULL };
	struct ipc_spawn sp;
	int		 p[2], stray, st;
	pid_t		 pid;

	ck_assert_int_eq(pipe(p), 0);
	/* a descriptor without CLOEXEC must not leak into the helper */
	stray = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(stray, 0);
	memset(&sp, 0, sizeof(sp));
	sp.path = "/bin/sh";
	sp.argv = argv;
	sp.envp = envp;
	sp.ipc_fd = sv[1];
	sp.log_fd = p[1];
	ck_assert_int_gt((pid = ipc_spawn(&sp)), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);

	sp.path = "/nonexistent";
	ck_assert_int_eq(ipc_spawn(&sp), -1);
	ck_assert_int_eq(errno, ENOENT);
	close(stray);
	close(p[0]);
	close(p[1]);
}
END_TEST

struct evtest {
	int		 got;
	int		 want;
	struct event_base *base;
};

static void
ev_msg(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	struct evtest	*t = arg;

	if (++t->got == t->want)
		event_base_loopbreak(t->base);
}

static void
ev_err(struct ipc_chan *ch, int err, const char *why, void *arg)
{
	ck_abort_msg("channel error %d %s", err, why);
}

/* Where a bare name is looked for: absolute PATH entries only, in order. */
START_TEST(exec_path_walk)
{
	const char	*p = "/usr/bin::rel/dir:.:/bin:";
	char		 buf[64], small[8];

	ck_assert_int_eq(ipc_exec_path_next(&p, "ls", buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "/usr/bin/ls");
	ck_assert_int_eq(ipc_exec_path_next(&p, "ls", buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "/bin/ls");
	ck_assert_int_eq(ipc_exec_path_next(&p, "ls", buf, sizeof(buf)), 0);
	ck_assert_int_eq(ipc_exec_path_next(&p, "ls", buf, sizeof(buf)), 0);
	p = "";
	ck_assert_int_eq(ipc_exec_path_next(&p, "ls", buf, sizeof(buf)), 0);
	/* too long for the buffer: skipped, never cut short */
	p = "/usr/local/bin:/b";
	ck_assert_int_eq(ipc_exec_path_next(&p, "ls", small, sizeof(small)), 1);
	ck_assert_str_eq(small, "/b/ls");
	p = IPC_EXEC_DEFAULT_PATH;
	ck_assert_int_eq(ipc_exec_path_next(&p, "x", buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "/usr/local/sbin/x");
}
END_TEST

START_TEST(libevent_many)
{
	struct evtest	 t = { 0, 5000, event_base_new() };
	struct ipc_ping	 p;

	ck_assert_int_eq(ipc_ev_attach(&a, t.base, ev_msg, ev_err, &t), 0);
	ck_assert_int_eq(ipc_ev_attach(&b, t.base, ev_msg, ev_err, &t), 0);
	for (int i = 0; i < t.want; i++) {
		p.cookie = (uint64_t)i;
		ck_assert_int_eq(ipc_send(&a, IPC_PING, 0, -1, &p), 0);
	}
	ck_assert_int_eq(event_base_dispatch(t.base), 0);
	ck_assert_int_eq(t.got, t.want);
	ipc_ev_detach(&a);
	ipc_ev_detach(&b);
	event_base_free(t.base);
}
END_TEST

static Suite *
ipc_suite(void)
{
	Suite	*s = suite_create("ipc");
	TCase	*tc;

	tc = tcase_create("fdpass");
	tcase_add_checked_fixture(tc, setup_fdpass, teardown);
	tcase_add_test(tc, roundtrip_plain);
	tcase_add_test(tc, roundtrip_fd);
	tcase_add_test(tc, zero_length);
	tcase_add_test(tc, oversized);
	tcase_add_test(tc, header_mismatch);
	tcase_add_test(tc, unknown_type_then_good);
	tcase_add_test(tc, fd_on_fdless_type);
	tcase_add_test(tc, missing_required_fd);
	tcase_add_test(tc, wrong_fd_count);
	tcase_add_test(tc, peer_dies);
	tcase_add_test(tc, fd_exhaustion);
	tcase_add_test(tc, unknown_type_compose);
	tcase_add_test(tc, spawn_fds);
	tcase_add_test(tc, libevent_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("plain");
	tcase_add_checked_fixture(tc, setup_plain, teardown);
	tcase_add_test(tc, fd_on_plain_channel);
	suite_add_tcase(s, tc);

	tc = tcase_create("codec");
	tcase_add_test(tc, truncated_and_trailing);
	tcase_add_test(tc, string_checks);
	tcase_add_test(tc, flags_and_enums);
	tcase_add_test(tc, strv_roundtrip);
	tcase_add_test(tc, init_setup_roundtrip);
	tcase_add_test(tc, exec_roundtrip);
	tcase_add_test(tc, init_fd_messages);
	tcase_add_test(tc, catalogue_invariants);
	tcase_add_test(tc, log_records);
	tcase_add_test(tc, exec_path_walk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ipc_suite());
	int	 nfail;

	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
