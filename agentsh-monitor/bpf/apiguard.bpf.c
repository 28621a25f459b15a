/*
 * The API guard: cgroup connect4/connect6 programs on the sessions
 * subtree that refuse (EPERM) a connection to the API's TCP port at any
 * address that reaches this host's listener: 127.0.0.0/8, 0.0.0.0/8, ::,
 * ::1, their v4-mapped forms (::ffff:127.0.0.0/104, ::ffff:0.0.0.0/104),
 * and the addresses in local_addrs (the address the API binds, or every
 * local address when it binds a wildcard).  Other ports pass untouched.
 */
#include "vmlinux.h"

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "apiguard.h"

/* Set by the loader before the program is loaded. */
const volatile __u16 api_port = 0;		/* host order */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, APIGUARD_MAX_ADDRS);
	__type(key, struct apiguard_addr);
	__type(value, __u8);
} local_addrs SEC(".maps");

#define REFUSE	 0
#define PASS	 1

static __always_inline int
v4_local(__u32 be)
{
	__u32	 a = bpf_ntohl(be);

	return (a >> 24) == 127 || (a >> 24) == 0;
}

static __always_inline int
listed(__u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	struct apiguard_addr	 k = { { w0, w1, w2, w3 } };

	return bpf_map_lookup_elem(&local_addrs, &k) != NULL;
}

SEC("cgroup/connect4")
int
apiguard_connect4(struct bpf_sock_addr *ctx)
{
	__u32	 a;

	if (ctx->user_port != bpf_htons(api_port))
		return PASS;
	a = ctx->user_ip4;
	if (v4_local(a) || listed(0, 0, bpf_htonl(0xffff), a))
		return REFUSE;
	return PASS;
}

SEC("cgroup/connect6")
int
apiguard_connect6(struct bpf_sock_addr *ctx)
{
	__u32	 w0, w1, w2, w3;

	if (ctx->user_port != bpf_htons(api_port))
		return PASS;
	w0 = ctx->user_ip6[0];
	w1 = ctx->user_ip6[1];
	w2 = ctx->user_ip6[2];
	w3 = ctx->user_ip6[3];
	if (w0 == 0 && w1 == 0) {
		/* :: and ::1 */
		if (w2 == 0 && (w3 == 0 || w3 == bpf_htonl(1)))
			return REFUSE;
		/* ::ffff:127.0.0.0/104 and ::ffff:0.0.0.0/104 */
		if (w2 == bpf_htonl(0xffff) && v4_local(w3))
			return REFUSE;
	}
	if (listed(w0, w1, w2, w3))
		return REFUSE;
	return PASS;
}

char LICENSE[] SEC("license") = "GPL";
