/*
 * Events: which source may emit what, the strict check of an event, its
 * JSON (Go's escaping, omitted members), and the batch entries agentshd
 * decodes from the audit writer.
 */
#include "compat.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "audit_event.h"
#include "ipc_msg.h"

static void
ev_init(struct ipc_event *ev, enum ipc_ev_source src, const char *type)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = 1795500000123456789ULL;
	ev->source = src;
	ev->type = type;
	ev->session_id = "s1";
	ev->command_id = ev->rule = ev->message = ev->path = "";
	ev->operation = ev->domain = ev->remote = ev->filename = "";
	ev->unwrapped_from = ev->payload_command = "";
	ev->pid = ev->ppid = ev->depth = -1;
}

START_TEST(sources_and_types)
{
	struct ipc_event	 ev;
	char			 why[256];

	ev_init(&ev, IPC_SRC_MONITOR, "session_created");
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_MONITOR, why,
	    sizeof(why)), 0);
	/* claims another source than its channel's */
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_AGENTSHD, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "claims source monitor"));
	/* a type its source may not emit */
	ev_init(&ev, IPC_SRC_AGENTSHD, "file_open");
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_AGENTSHD, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "may not emit file_open"));
	ev_init(&ev, IPC_SRC_SUPERVISOR, "file_open");
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_SUPERVISOR, why,
	    sizeof(why)), 0);
	/* unknown type */
	ev_init(&ev, IPC_SRC_REGRESS, "made_up");
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_REGRESS, why,
	    sizeof(why)), -1);
	/* no timestamp, bad ids, bad pid */
	ev_init(&ev, IPC_SRC_MONITOR, "session_created");
	ev.ts_ns = 0;
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_MONITOR, why,
	    sizeof(why)), -1);
	ev_init(&ev, IPC_SRC_MONITOR, "session_created");
	ev.session_id = "../x";
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_MONITOR, why,
	    sizeof(why)), -1);
	ev_init(&ev, IPC_SRC_MONITOR, "session_created");
	ev.pid = -7;
	ck_assert_int_eq(audit_event_check(&ev, IPC_SRC_MONITOR, why,
	    sizeof(why)), -1);
}
END_TEST

START_TEST(fields)
{
	static const struct {
		const char	*f[3];
		int		 n;
		int		 ok;
	} cases[] = {
		{ { "s:a=b" }, 1, 1 },
		{ { "i:n=-12", "b:t=true" }, 2, 1 },
		{ { "i:n=12x" }, 1, 0 },
		{ { "b:t=yes" }, 1, 0 },
		{ { "x:a=b" }, 1, 0 },
		{ { "s:A=b" }, 1, 0 },		/* names are lower case */
		{ { "s:=b" }, 1, 0 },
		{ { "s:ab" }, 1, 0 },
		{ { "s:a=1", "i:a=2" }, 2, 0 },	/* twice */
		{ { "i:n=99999999999999999999" }, 1, 0 },
	};
	struct ipc_event	 ev;
	char			 why[256];

	for (size_t i = 0; i < nitems(cases); i++) {
		ev_init(&ev, IPC_SRC_MONITOR, "session_updated");
		ev.fields.n = (uint32_t)cases[i].n;
		ev.fields.v = (const char **)cases[i].f;
		ck_assert_msg(audit_event_check(&ev, IPC_SRC_MONITOR, why,
		    sizeof(why)) == (cases[i].ok ? 0 : -1), "case %zu", i);
	}
}
END_TEST

START_TEST(json)
{
	struct audit_buf	 b = { 0 };
	struct ipc_event	 ev;
	const char		*argv[] = { "sh", "-c", "a && b 2>&1 <x" };
	const char		*f[] = { "s:note=\xe2\x80\xa8\x01", "i:n=5",
				    "b:ok=false" };
	char			*s;

	ev_init(&ev, IPC_SRC_SUPERVISOR, "execve");
	ev.command_id = "cmd-1";
	ev.pid = 10;
	ev.ppid = 0;		/* 0 is absent, as Go's omitempty */
	ev.depth = 2;
	ev.decision = IPC_DEC_DENY;
	ev.effective = IPC_DEC_DENY;
	ev.rule = "no-rm";
	ev.argv.n = 3;
	ev.argv.v = argv;
	ev.fields.n = 3;
	ev.fields.v = f;
	ck_assert_int_eq(audit_event_json(&b, "id-1", &ev), 0);
	ck_assert_int_eq(audit_buf_addc(&b, '\0'), 0);
	s = (char *)b.data;
	ck_assert_str_eq(s, "{\"id\":\"id-1\","
	    "\"timestamp\":\"2026-11-24T06:00:00.123456789Z\","
	    "\"type\":\"execve\",\"session_id\":\"s1\","
	    "\"command_id\":\"cmd-1\",\"source\":\"supervisor\",\"pid\":10,"
	    "\"depth\":2,\"policy\":{\"decision\":\"deny\","
	    "\"effective_decision\":\"deny\",\"rule\":\"no-rm\"},"
	    "\"argv\":[\"sh\",\"-c\",\"a \\u0026\\u0026 b 2\\u003e\\u00261 "
	    "\\u003cx\"],"
	    "\"fields\":{\"note\":\"\\u2028\\u0001\",\"n\":5,\"ok\":false}}");
	audit_buf_clear(&b);

	/* everything absent: only what is always there */
	ev_init(&ev, IPC_SRC_MONITOR, "session_destroyed");
	ev.ts_ns = 1000000000ULL;
	ck_assert_int_eq(audit_event_json(&b, "x", &ev), 0);
	ck_assert_int_eq(audit_buf_addc(&b, '\0'), 0);
	ck_assert_str_eq((char *)b.data, "{\"id\":\"x\","
	    "\"timestamp\":\"1970-01-01T00:00:01Z\","
	    "\"type\":\"session_destroyed\",\"session_id\":\"s1\","
	    "\"source\":\"monitor\"}");
	audit_buf_clear(&b);
}
END_TEST

START_TEST(categories)
{
	ck_assert_str_eq(audit_event_category("file_write"), "file");
	ck_assert_str_eq(audit_event_category("dns_query"), "net");
	ck_assert_str_eq(audit_event_category("execve"), "exec");
	ck_assert_str_eq(audit_event_category("session_created"), "other");
	ck_assert_str_eq(audit_event_category("nonsense"), "other");
	/* the table is searched by halves: it must stay sorted */
	ck_assert(audit_event_type_known("approval_requested"));
	ck_assert(audit_event_type_known("unix_socket_op"));
	ck_assert(audit_event_type_known("file_soft_deleted"));
	ck_assert(!audit_event_type_known("file"));
}
END_TEST

START_TEST(batch_roundtrip)
{
	uint8_t			 buf[4096];
	size_t			 len = 0, off = 0;
	struct ipc_evb_entry	 e, got;
	struct ipc_bytes	 b;

	memset(&e, 0, sizeof(e));
	e.seq = 7;
	e.ts_ns = 99;
	e.decision = IPC_DEC_ALLOW;
	strlcpy(e.session_id, "s", sizeof(e.session_id));
	strlcpy(e.type, "file_open", sizeof(e.type));
	strlcpy(e.command_id, "c", sizeof(e.command_id));
	e.json = "{\"a\":1}";
	e.jsonlen = 7;
	ck_assert_int_eq(ipc_evb_add(buf, sizeof(buf), &len, &e), 0);
	e.seq = 8;
	ck_assert_int_eq(ipc_evb_add(buf, sizeof(buf), &len, &e), 0);
	/* does not fit: nothing appended */
	ck_assert_int_eq(ipc_evb_add(buf, len + 3, &len, &e), -1);
	b.p = buf;
	b.len = (uint32_t)len;
	ck_assert_int_eq(ipc_evb_next(&b, &off, &got), 1);
	ck_assert(got.seq == 7);
	ck_assert_str_eq(got.type, "file_open");
	ck_assert_int_eq(got.jsonlen, 7);
	ck_assert_int_eq(ipc_evb_next(&b, &off, &got), 1);
	ck_assert(got.seq == 8);
	ck_assert_int_eq(ipc_evb_next(&b, &off, &got), 0);

	/* every truncation is refused, never read past */
	for (size_t cut = 1; cut < len / 2; cut++) {
		b.len = (uint32_t)cut;
		off = 0;
		ck_assert_int_eq(ipc_evb_next(&b, &off, &got), -1);
	}
	/* a NUL inside a name, a decision out of range, empty JSON */
	b.len = (uint32_t)len;
	buf[8 + 8 + 1 + 2] = '\0';
	off = 0;
	ck_assert_int_eq(ipc_evb_next(&b, &off, &got), -1);
	buf[8 + 8 + 1 + 2] = 's';
	buf[16] = IPC_DEC_MAX;
	off = 0;
	ck_assert_int_eq(ipc_evb_next(&b, &off, &got), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("events");
	TCase	*tc = tcase_create("events");
	SRunner	*sr;
	int	 nfail;

	tcase_add_test(tc, sources_and_types);
	tcase_add_test(tc, fields);
	tcase_add_test(tc, json);
	tcase_add_test(tc, categories);
	tcase_add_test(tc, batch_roundtrip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
