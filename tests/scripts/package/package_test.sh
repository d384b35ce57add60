#!/usr/bin/env bash
# The Debian package (issue 15 §5; scripts/package/, CMakeLists.txt "CPack"): `cpack -G DEB`
# makes it; it holds /usr/bin/motcua, /etc/motcua/motcua.yaml and the definitions (conffiles),
# the systemd unit (which `systemd-analyze verify` accepts), and the maintainer scripts that add
# the service's user; its dependencies are the shared libraries the binary needs. Unpacked into a
# clean directory root, the installed binary starts from the installed configuration (its paths
# moved into the root), serves, and accepts no request until an admin adds a token.
#
#   package_test.sh BUILD_DIR
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../adapters/serve_lib.sh
source "$here/../../adapters/serve_lib.sh"
e2e_scratch package_test

(cd "$build" && cpack -G DEB -B "$tmp/pkg") > "$tmp/cpack.log" 2>&1 || fail "cpack: $(tail -20 "$tmp/cpack.log")"
deb=$(ls "$tmp"/pkg/motcua_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || fail "no package: $(ls "$tmp/pkg")"
info=$(dpkg-deb -I "$deb")
echo "$info" | grep -q "Package: motcua" || fail "control: $info"
echo "$info" | grep "Depends:" | grep -q "libprotobuf" || fail "no dependency on libprotobuf: $info"
echo "$info" | grep "Depends:" | grep -q "adduser" || fail "no dependency on adduser: $info"
dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./conffiles > "$tmp/conffiles" || fail "no conffiles"
grep -qx "/etc/motcua/motcua.yaml" "$tmp/conffiles" || fail "conffiles: $(cat "$tmp/conffiles")"
# The definitions are the admin's once installed: samples in /usr/share, copied on a first install.
grep -q "definitions" "$tmp/conffiles" && fail "definitions are conffiles: an upgrade would write into them"
dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./postinst > "$tmp/postinst"
grep -q "adduser --system" "$tmp/postinst" || fail "postinst adds no user"
grep -q "cp -r /usr/share/motcua/definitions /etc/motcua/definitions" "$tmp/postinst" || fail "postinst copies no definitions"
echo "$info" | grep -q "Version: 0.1.0-[0-9]" || fail "no release in the version (an upgrade would not replace it): $info"
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/motcua ./etc/motcua/motcua.yaml ./lib/systemd/system/motcua.service \
         ./usr/share/doc/motcua/operations.md ./usr/share/motcua/audit_check.py \
         ./usr/share/motcua/definitions/agencies/; do
  echo "$contents" | grep -q " $f$" || fail "the package lacks $f"
done

root="$tmp/root"
dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x"
unit="$root/lib/systemd/system/motcua.service"
for want in "User=motcua" "ExecReload=/bin/kill -HUP \$MAINPID" "ProtectSystem=strict" \
            "NoNewPrivileges=yes" "Restart=on-failure" "StateDirectory=motcua"; do
  grep -qxF "$want" "$unit" || fail "the unit lacks $want"
done
if command -v systemd-analyze > /dev/null; then
  # The unit's own syntax and settings (ExecStart's binary is the root's).
  sed "s#/usr/bin/motcua#$root/usr/bin/motcua#" "$unit" > "$tmp/motcua.service"
  out=$(systemd-analyze verify "$tmp/motcua.service" 2>&1 | grep -v "Failed to \|No such file\|Cannot add dependency\|is not a valid unit\|Unit .* not found") ||
    true
  echo "$out" | grep -q "motcua.service:" && fail "systemd-analyze verify: $out"
fi

# The installed binary on the installed configuration, moved into the root (postinst's copy of
# the sample definitions done by hand: no maintainer script runs in a directory root).
cp -r "$root/usr/share/motcua/definitions" "$root/etc/motcua/definitions"
sed -e "s#/var/lib/motcua#$tmp/var#" -e "s#/etc/motcua#$root/etc/motcua#" \
  "$root/etc/motcua/motcua.yaml" > "$tmp/motcua.yaml"
start_server 1 "$root/usr/bin/motcua" serve --config "$tmp/motcua.yaml"
grep -q "development token" "$tmp/log" && fail "an installed server printed a development token"
base="http://127.0.0.1:$port"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" = 200 ] || fail "healthz"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/v1/procedures")" = 401 ] || fail "served without a token"
secret=$("$root/usr/bin/motcua" token add --tokens "$tmp/var/tokens.yaml" --principal ops \
  --roles admin --agencies '*' --definitions "$root/etc/motcua/definitions" 2>/dev/null) || fail "token add"
for _ in $(seq 30); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $secret" "$base/v1/procedures")
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || fail "the admin's token answered $code"
# A setting of the configuration that is wrong is named with its file and line, and nothing starts.
printf 'data: %s\ntrusted_proxies: ["127.0.0.1", "10.0.0.0/33"]\n' "$tmp/var2" > "$tmp/bad.yaml"
out=$("$root/usr/bin/motcua" serve --config "$tmp/bad.yaml" 2>&1) && fail "a bad trusted_proxies started"
echo "$out" | grep -q "bad.yaml:2:1: trusted_proxies: '10.0.0.0/33' is not an address or a network" ||
  fail "a bad trusted_proxies said: $out"
echo "package: OK ($(du -h "$deb" | cut -f1) $(basename "$deb"))"
