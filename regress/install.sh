# make install into a staging root puts every binary, man page, the
# configuration, the packs and the systemd unit where they belong, and
# keeps an edited config.yaml.
# timeout: 120
. "$(dirname "$0")/test-exec.sh"

cd "$REGRESS_TOP" || fail "no tree"
root="$OBJ/root"
make -s install DESTDIR="$root" >"$OBJ/install.log" 2>&1 ||
    { cat "$OBJ/install.log"; fail "make install"; }
prefix=$(sed -n 's/^prefix = //p' config.mk)
for f in "$prefix/bin/agentsh" "$prefix/sbin/agentsh-monitor" \
    "$prefix/sbin/agentshd"; do
	[ -x "$root$f" ] || fail "$f not installed"
done
for m in man1/agentsh.1 man5/agentsh.conf.5 man5/agentsh-policy.5 \
    man5/agentsh-audit.5 man8/agentsh-monitor.8 man8/agentshd.8; do
	[ -f "$root$prefix/share/man/$m" ] || fail "$m not installed"
done
[ -f "$root/etc/agentsh/config.yaml" ] || fail "config.yaml not installed"
[ -f "$root/etc/agentsh/policies/default.yaml" ] || fail "packs not installed"
unit="$root$prefix/lib/systemd/system/agentsh.service"
[ -f "$unit" ] || fail "agentsh.service not installed"
grep -q "^ExecStart=$prefix/sbin/agentsh-monitor$" "$unit" || fail "unit ExecStart"
grep -q '^Delegate=yes$' "$unit" || fail "unit without Delegate=yes"
grep -q '^Type=notify$' "$unit" || fail "unit without readiness"
echo "# edited" >>"$root/etc/agentsh/config.yaml"
make -s install DESTDIR="$root" >/dev/null 2>&1 || fail "second make install"
grep -q '^# edited$' "$root/etc/agentsh/config.yaml" ||
    fail "make install replaced an edited config.yaml"
exit 0
