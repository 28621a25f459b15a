# agentsh top-level Makefile (GNU make).
#
# On a fresh clone 'make', 'make check' and 'make demo' install the missing
# Debian packages (as root), generate and run configure, then build.
# Which objects land in which binary is listed below, one block each.

.DEFAULT_GOAL := all
SHELL := /bin/sh

# Configuration: built on demand, so a fresh clone needs no manual step.
# CONFIGURE_ARGS is passed to configure the first time (.ci/run adds
# --enable-werror).
include config.mk

config.mk: config.mk.in configure
	@if [ -x config.status ] && [ -z "$(CONFIGURE_ARGS)" ]; then \
		./config.status --recheck && ./config.status; \
	else \
		./configure $(CONFIGURE_ARGS); \
	fi

configure: configure.ac m4/agentsh.m4
	scripts/install-deps
	autoreconf -fi

config.h: config.mk

# ---------------------------------------------------------------------------
# Flags

# Where binaries are installed; the runtime paths (/etc/agentsh, /run/agentsh,
# /var/lib/agentsh, /var/log/agentsh) are fixed by the contract: pathnames.h.
# The configuration lives where the contract says, whatever the prefix.
confdir = /etc/agentsh

PATHS = -DAGENTSH_BINDIR='"$(bindir)"' \
	-DAGENTSH_SBINDIR='"$(sbindir)"' \
	-DAGENTSH_LIBEXECDIR='"$(libexecdir)/agentsh"'

INCLUDES = -I. -Icompat -Ilibagentsh-ipc -Ilibagentsh-audit \
	-Ilibagentsh-policy
LIBCFLAGS = $(EVENT_CFLAGS) $(YAML_CFLAGS) $(JANSSON_CFLAGS) $(PCRE2_CFLAGS) \
	$(SODIUM_CFLAGS) $(SECCOMP_CFLAGS) $(BPF_CFLAGS) $(CAP_CFLAGS) \
	$(FUSE3_CFLAGS) $(CRYPTO_CFLAGS)
ALL_CPPFLAGS = -D_GNU_SOURCE $(INCLUDES) $(AGENTSH_CPPFLAGS) $(PATHS) $(CPPFLAGS)
ALL_CFLAGS = -std=gnu11 $(AGENTSH_CFLAGS) $(LIBCFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(AGENTSH_LDFLAGS) $(LDFLAGS)

# V=1 shows whole command lines.
Q = $(if $(V),,@)
%.o: %.c config.h
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# ---------------------------------------------------------------------------
# Libraries

COMPAT_OBJS = \
	compat/closefrom.o \
	compat/freezero.o \
	compat/recallocarray.o \
	compat/setproctitle.o \
	compat/strlcpy.o \
	compat/strtonum.o

IPC_OBJS = \
	libagentsh-ipc/ipc.o \
	libagentsh-ipc/ipc_codec.o \
	libagentsh-ipc/ipc_event.o \
	libagentsh-ipc/ipc_log.o \
	libagentsh-ipc/ipc_msg.o \
	libagentsh-ipc/ipc_sandbox.o \
	libagentsh-ipc/ipc_spawn.o

AUDIT_OBJS = \
	libagentsh-audit/audit_chain.o \
	libagentsh-audit/audit_event.o \
	libagentsh-audit/audit_json.o \
	libagentsh-audit/audit_sidecar.o \
	libagentsh-audit/audit_verify.o \
	libagentsh-audit/audit_writer.o

POLICY_OBJS = \
	libagentsh-policy/pol_build.o \
	libagentsh-policy/pol_env.o \
	libagentsh-policy/pol_eval.o \
	libagentsh-policy/pol_exec.o \
	libagentsh-policy/pol_glob.o \
	libagentsh-policy/pol_json.o \
	libagentsh-policy/pol_print.o \
	libagentsh-policy/pol_ser.o \
	libagentsh-policy/pol_shell.o \
	libagentsh-policy/pol_util.o \
	libagentsh-policy/pol_vars.o \
	libagentsh-policy/pol_yaml.o
# What a program linking libagentsh-policy.a links too.
POLICY_LIBS = $(YAML_LIBS) $(PCRE2_LIBS) $(JANSSON_LIBS)

compat/libcompat.a: $(COMPAT_OBJS)
libagentsh-ipc/libagentsh-ipc.a: $(IPC_OBJS)
libagentsh-audit/libagentsh-audit.a: $(AUDIT_OBJS)
libagentsh-policy/libagentsh-policy.a: $(POLICY_OBJS)

LIBS_A = libagentsh-policy/libagentsh-policy.a \
	libagentsh-audit/libagentsh-audit.a libagentsh-ipc/libagentsh-ipc.a \
	compat/libcompat.a

# agentshd's HTTP/1.1 server; the agentshd binary links these.
AGENTSHD_HTTP_OBJS = \
	agentshd/http.o \
	agentshd/http_parse.o

%.a:
	@$(if $(V),,echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# ---------------------------------------------------------------------------
# Binaries

CLI_OBJS = \
	agentsh/agentsh.o \
	agentsh/cli_api.o \
	agentsh/client.o \
	agentsh/cmd_audit.o \
	agentsh/cmd_events.o \
	agentsh/cmd_policy.o \
	agentsh/cmd_server.o \
	agentsh/cmd_session.o
CLI_LIBS = $(POLICY_LIBS) $(JANSSON_LIBS) $(SODIUM_LIBS) \
	$(MONITOR_CONFIG_LIBS)

# The CLI reads the server's configuration too (policies.dir).
agentsh/agentsh: $(CLI_OBJS) $(MONITOR_CONFIG_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(MONITOR_CONFIG_OBJS) \
	    $(LIBS_A) $(CLI_LIBS)

AGENTSHD_OBJS = \
	agentshd/agentshd.o \
	agentshd/api.o \
	agentshd/api_events.o \
	agentshd/api_policy.o \
	agentshd/d_conn.o \
	agentshd/d_events.o \
	agentshd/d_sessions.o \
	agentshd/sandbox.o \
	agentshd/store.o \
	$(AGENTSHD_HTTP_OBJS)
AGENTSHD_LIBS = $(EVENT_LIBS) $(JANSSON_LIBS) $(SECCOMP_LIBS) $(SODIUM_LIBS) \
	$(LMDB_LIBS) $(POLICY_LIBS)

agentshd/agentshd: $(AGENTSHD_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(AGENTSHD_OBJS) $(LIBS_A) $(AGENTSHD_LIBS)

# The session init (and, later, the supervisor).
UNIXWRAP_OBJS = \
	agentsh-unixwrap/agentsh-unixwrap.o \
	agentsh-unixwrap/uw_filter.o \
	agentsh-unixwrap/uw_init.o \
	agentsh-unixwrap/uw_landlock.o \
	agentsh-unixwrap/uw_mounts.o \
	agentsh-unixwrap/uw_serve.o
UNIXWRAP_LIBS = $(SECCOMP_LIBS) $(EVENT_LIBS)

agentsh-unixwrap/agentsh-unixwrap: $(UNIXWRAP_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIXWRAP_OBJS) $(LIBS_A) $(UNIXWRAP_LIBS)

BINS = agentsh/agentsh agentsh-monitor/agentsh-monitor agentshd/agentshd \
	agentsh-unixwrap/agentsh-unixwrap

# The monitor's configuration: config.yaml and the API keys file.  Linked
# into agentsh-monitor (by its own block) and into the unit suite.
MONITOR_CONFIG_OBJS = \
	agentsh-monitor/cfgval.o \
	agentsh-monitor/config.o \
	agentsh-monitor/keys.o \
	agentsh-monitor/ytree.o
MONITOR_CONFIG_LIBS = $(YAML_LIBS) $(SODIUM_LIBS)

MONITOR_OBJS = \
	agentsh-monitor/auditw.o \
	agentsh-monitor/auditw_sandbox.o \
	agentsh-monitor/mon_agentshd.o \
	agentsh-monitor/mon_audit.o \
	agentsh-monitor/mon_cgroup.o \
	agentsh-monitor/mon_listen.o \
	agentsh-monitor/mon_peer.o \
	agentsh-monitor/mon_policy.o \
	agentsh-monitor/mon_sessions.o \
	agentsh-monitor/mon_users.o \
	agentsh-monitor/monitor.o \
	$(MONITOR_CONFIG_OBJS)
MONITOR_LIBS = $(EVENT_LIBS) $(JANSSON_LIBS) $(SECCOMP_LIBS) \
	$(MONITOR_CONFIG_LIBS) $(POLICY_LIBS)

agentsh-monitor/agentsh-monitor: $(MONITOR_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MONITOR_OBJS) $(LIBS_A) $(MONITOR_LIBS)

# Regress-only helper programs, staged beside the binaries under test.
REGRESS_HELPERS = regress/helpers/fake-agentshd regress/helpers/event-source
regress/helpers/event-source: regress/helpers/event-source.o $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ regress/helpers/event-source.o $(LIBS_A) \
	    $(EVENT_LIBS)
regress/helpers/fake-agentshd: regress/helpers/fake-agentshd.o $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ regress/helpers/fake-agentshd.o $(LIBS_A) \
	    $(EVENT_LIBS)

# ---------------------------------------------------------------------------
# Unit tests (Check), fuzz harnesses, regress

UNIT_IPC_OBJS = regress/unittests/ipc/test_ipc.o
regress/unittests/ipc/test_ipc: $(UNIT_IPC_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_IPC_OBJS) $(LIBS_A) \
	    $(EVENT_LIBS) $(CHECK_LIBS)

UNIT_CONFIG_OBJS = regress/unittests/config/test_config.o
regress/unittests/config/test_config: $(UNIT_CONFIG_OBJS) \
    $(MONITOR_CONFIG_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_CONFIG_OBJS) \
	    $(MONITOR_CONFIG_OBJS) $(LIBS_A) $(MONITOR_CONFIG_LIBS) \
	    $(CHECK_LIBS)

UNIT_AUDIT_OBJS = regress/unittests/audit/test_audit.o
regress/unittests/audit/test_audit: $(UNIT_AUDIT_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_AUDIT_OBJS) $(LIBS_A) \
	    $(SODIUM_LIBS) $(CHECK_LIBS)

# Writes audit logs with the library for regress/audit-verify.sh.
AUDIT_MKLOG_OBJS = regress/audit_mklog.o
regress/audit_mklog: $(AUDIT_MKLOG_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(AUDIT_MKLOG_OBJS) $(LIBS_A) \
	    $(SODIUM_LIBS)

UNIT_HTTP_OBJS = regress/unittests/http/test_http.o
regress/unittests/http/test_http: $(UNIT_HTTP_OBJS) $(AGENTSHD_HTTP_OBJS) \
    agentsh/client.o $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_HTTP_OBJS) $(AGENTSHD_HTTP_OBJS) \
	    agentsh/client.o $(LIBS_A) $(EVENT_LIBS) $(CHECK_LIBS)

UNIT_POLICY_OBJS = \
	regress/unittests/policy/test_policy.o \
	regress/unittests/policy/ported.o \
	regress/unittests/policy/exec_cases.o
$(UNIT_POLICY_OBJS): ALL_CPPFLAGS += -Iregress/unittests/policy
regress/unittests/policy/test_policy: $(UNIT_POLICY_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_POLICY_OBJS) $(LIBS_A) \
	    $(POLICY_LIBS) $(CHECK_LIBS) -lpthread

UNIT_EVENTS_OBJS = regress/unittests/events/test_events.o
regress/unittests/events/test_events: $(UNIT_EVENTS_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_EVENTS_OBJS) $(LIBS_A) \
	    $(SODIUM_LIBS) $(CHECK_LIBS)

UNIT_UWFILTER_OBJS = regress/unittests/unixwrap/test_uw_filter.o
regress/unittests/unixwrap/test_uw_filter: $(UNIT_UWFILTER_OBJS) \
    agentsh-unixwrap/uw_filter.o $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_UWFILTER_OBJS) \
	    agentsh-unixwrap/uw_filter.o $(LIBS_A) $(SECCOMP_LIBS) \
	    $(CHECK_LIBS)

UNITTESTS = regress/unittests/ipc/test_ipc \
	regress/unittests/events/test_events \
	regress/unittests/unixwrap/test_uw_filter \
	regress/unittests/config/test_config \
	regress/unittests/policy/test_policy \
	regress/unittests/audit/test_audit \
	regress/unittests/http/test_http \
	regress/audit_mklog

# libFuzzer harnesses: each is built by clang from its own sources.
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
	$(INCLUDES) $(LIBCFLAGS)
FUZZ_IPC_SRCS = regress/fuzz/ipc_decode_fuzz.c libagentsh-ipc/ipc_codec.c \
	libagentsh-ipc/ipc_msg.c compat/strlcpy.c
regress/fuzz/ipc_decode_fuzz: $(FUZZ_IPC_SRCS) config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_IPC_SRCS)

FUZZ_CONFIG_COMMON = agentsh-monitor/cfgval.c agentsh-monitor/config.c \
	agentsh-monitor/keys.c agentsh-monitor/ytree.c compat/strlcpy.c \
	compat/strtonum.c compat/freezero.c
regress/fuzz/config_yaml_fuzz: regress/fuzz/config_yaml_fuzz.c \
    $(FUZZ_CONFIG_COMMON) config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ regress/fuzz/config_yaml_fuzz.c \
	    $(FUZZ_CONFIG_COMMON) $(MONITOR_CONFIG_LIBS)
regress/fuzz/api_keys_fuzz: regress/fuzz/api_keys_fuzz.c \
    $(FUZZ_CONFIG_COMMON) config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ regress/fuzz/api_keys_fuzz.c \
	    $(FUZZ_CONFIG_COMMON) $(MONITOR_CONFIG_LIBS)

FUZZ_AUDIT_SRCS = regress/fuzz/audit_canon_fuzz.c \
	libagentsh-audit/audit_json.c
regress/fuzz/audit_canon_fuzz: $(FUZZ_AUDIT_SRCS) config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_AUDIT_SRCS)

FUZZ_HTTP_REQ_SRCS = regress/fuzz/http_request_fuzz.c agentshd/http_parse.c \
	compat/strlcpy.c
regress/fuzz/http_request_fuzz: $(FUZZ_HTTP_REQ_SRCS) agentshd/http.h config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_HTTP_REQ_SRCS)

FUZZ_HTTP_RESP_SRCS = regress/fuzz/http_response_fuzz.c agentsh/client.c \
	compat/freezero.c compat/strlcpy.c
regress/fuzz/http_response_fuzz: $(FUZZ_HTTP_RESP_SRCS) agentsh/client.h \
    config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_HTTP_RESP_SRCS)

FUZZ_POLICY_SRCS = $(POLICY_OBJS:.o=.c) compat/strlcpy.c compat/strtonum.c
regress/fuzz/policy_yaml_fuzz: regress/fuzz/policy_yaml_fuzz.c \
    $(FUZZ_POLICY_SRCS) config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ regress/fuzz/policy_yaml_fuzz.c \
	    $(FUZZ_POLICY_SRCS) $(POLICY_LIBS)
regress/fuzz/compiled_policy_fuzz: regress/fuzz/compiled_policy_fuzz.c \
    $(FUZZ_POLICY_SRCS) config.h
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ regress/fuzz/compiled_policy_fuzz.c \
	    $(FUZZ_POLICY_SRCS) $(POLICY_LIBS)

FUZZERS = regress/fuzz/ipc_decode_fuzz \
	regress/fuzz/policy_yaml_fuzz \
	regress/fuzz/compiled_policy_fuzz \
	regress/fuzz/config_yaml_fuzz \
	regress/fuzz/api_keys_fuzz \
	regress/fuzz/audit_canon_fuzz \
	regress/fuzz/http_request_fuzz \
	regress/fuzz/http_response_fuzz

# ---------------------------------------------------------------------------
# Targets

all: $(LIBS_A) $(BINS)

unittests: $(UNITTESTS)

fuzz: $(FUZZERS)

# Every test: unit suites, fuzz smoke runs, man page lint and the end-to-end
# tests, each as one item of the runner (LTESTS=... picks a subset).
check: all unittests fuzz $(REGRESS_HELPERS)
	REGRESS_BINS="$(BINS) $(REGRESS_HELPERS)" regress/run

demo: all
	scripts/demo

# Benchmarks (bench/README): each prints its numbers.
BENCH_AUDIT_OBJS = bench/audit-append.o
bench/audit-append: $(BENCH_AUDIT_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(BENCH_AUDIT_OBJS) $(LIBS_A) \
	    $(SODIUM_LIBS)

BENCH_POLICY_OBJS = bench/policy-eval.o
bench/policy-eval: $(BENCH_POLICY_OBJS) $(LIBS_A)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(BENCH_POLICY_OBJS) $(LIBS_A) \
	    $(POLICY_LIBS)

BENCHES = bench/audit-append bench/policy-eval

bench: all $(BENCHES) $(REGRESS_HELPERS)
	bench/audit-append
	bench/policy-eval -d etc/policies
	REGRESS_BINS="$(BINS) $(REGRESS_HELPERS)" bench/events-pipeline

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir) \
	    $(DESTDIR)$(libexecdir)/agentsh $(DESTDIR)$(confdir) \
	    $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 \
	    $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(confdir)/policies
	$(INSTALL) -m 755 agentsh/agentsh $(DESTDIR)$(bindir)/
	$(INSTALL) -m 755 agentsh-monitor/agentsh-monitor agentshd/agentshd \
	    $(DESTDIR)$(sbindir)/
	$(INSTALL) -m 755 agentsh-unixwrap/agentsh-unixwrap \
	    $(DESTDIR)$(libexecdir)/agentsh/
	$(INSTALL) -m 644 man/agentsh.1 $(DESTDIR)$(mandir)/man1/
	$(INSTALL) -m 644 man/agentsh-monitor.8 man/agentsh-unixwrap.8 \
	    man/agentshd.8 $(DESTDIR)$(mandir)/man8/
	$(INSTALL) -d $(DESTDIR)$(prefix)/lib/systemd/system
	sed 's|@sbindir@|$(sbindir)|g' etc/agentsh.service.in \
	    >$(DESTDIR)$(prefix)/lib/systemd/system/agentsh.service
	$(INSTALL) -m 644 man/agentsh.conf.5 $(DESTDIR)$(mandir)/man5/
	$(INSTALL) -m 644 man/agentsh-audit.5 $(DESTDIR)$(mandir)/man5/
	$(INSTALL) -m 644 man/agentsh-policy.5 $(DESTDIR)$(mandir)/man5/
# The sample config is installed once: an edited one is kept.
	if [ ! -e $(DESTDIR)$(confdir)/config.yaml ]; then \
		$(INSTALL) -m 644 etc/config.yaml \
		    $(DESTDIR)$(confdir)/config.yaml; \
	fi
	$(INSTALL) -m 644 etc/policies/*.yaml \
	    $(DESTDIR)$(confdir)/policies

clean:
	rm -f $(COMPAT_OBJS) $(IPC_OBJS) $(AUDIT_OBJS) $(POLICY_OBJS) \
	    $(CLI_OBJS) $(LIBS_A) \
	    $(BINS) $(MONITOR_CONFIG_OBJS) $(AGENTSHD_HTTP_OBJS) \
	    $(UNIT_IPC_OBJS) $(UNIT_CONFIG_OBJS) $(UNIT_AUDIT_OBJS) \
	    $(UNIT_POLICY_OBJS) $(UNIT_UWFILTER_OBJS) \
	    $(UNIT_HTTP_OBJS) $(AUDIT_MKLOG_OBJS) $(UNITTESTS) $(FUZZERS) \
	    $(BENCH_AUDIT_OBJS) $(BENCH_POLICY_OBJS) $(BENCHES) \
	    $(UNIXWRAP_OBJS) $(BPF_GENERATED)
	find . -name '*.d' -not -path './.git/*' -delete

distclean: clean
	rm -rf config.mk config.h config.status config.log configure \
	    autom4te.cache aclocal.m4 config.h.in config.h.in~ build-aux

.PHONY: all unittests fuzz check demo bench install clean distclean

-include $(shell find . -name '*.d' -not -path './.git/*' 2>/dev/null)
