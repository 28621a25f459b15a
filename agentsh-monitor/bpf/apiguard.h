/*
 * Shared by apiguard.bpf.c and its loader (mon_apiguard.c): the set of
 * addresses the API can be reached at besides every loopback and wildcard
 * spelling, which the program knows by itself.
 */
#ifndef AGENTSH_APIGUARD_H
#define AGENTSH_APIGUARD_H

#define APIGUARD_MAX_ADDRS	 256

/* An IPv6 address in network order; IPv4 as ::ffff:a.b.c.d. */
struct apiguard_addr {
	__u32	 w[4];
};

#endif /* AGENTSH_APIGUARD_H */
