#!/usr/bin/env bash
# `log_format: json` (issue 15 §5): every line the server writes on stderr is one JSON object with
# its time, level, source and message; a request's line also has its method, path, status,
# latency, actor and client, and the client is the one a trusted proxy forwarded (trusted_proxies),
# so the logs tell citizens behind a proxy apart.
#
#   json_log_e2e.sh MOTCUA DEFINITIONS
set -u
motcua=$1 defs=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../serve_lib.sh
source "$here/../serve_lib.sh"
# shellcheck source=cli_lib.sh
source "$here/cli_lib.sh"
e2e_scratch json_log_e2e

printf 'log_format: json\ntrusted_proxies: ["127.0.0.1"]\n' > "$tmp/motcua.yaml"
start_server 1 "$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data" --definitions "$defs"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
base="http://127.0.0.1:$port"
curl -s -o /dev/null "$base/v1/procedures"                                   # 401
curl -s -o /dev/null -H "X-Forwarded-For: 198.51.100.7" "$base/healthz"       # a citizen, via us
[ -n "$(receive j1)" ] || fail "no reception"
kill "$pid"; wait "$pid" 2>/dev/null
# stdout keeps the banner; stderr (in the log too) is JSON only.
out=$(grep -v "^motcua is serving\|^  " "$tmp/log" | python3 -c '
import json, sys
lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
objs = []
for l in lines:
    try:
        o = json.loads(l)
    except ValueError:
        sys.exit("not JSON: " + l)
    for k in ("time", "level", "source", "msg"):
        if k not in o:
            sys.exit("no %s in %s" % (k, l))
    objs.append(o)
http = [o for o in objs if o["source"] == "http"]
unauth = [o for o in http if o.get("status") == 401 and o.get("path") == "/v1/procedures"]
if not unauth or unauth[0]["level"] != "warn" or "unauthenticated" not in unauth[0]["reason"]:
    sys.exit("the 401 line: %r" % unauth)
fwd = [o for o in http if o.get("path") == "/healthz"]
if not fwd or fwd[0]["client"] != "198.51.100.7":
    sys.exit("the forwarded client: %r" % fwd)
post = [o for o in http if o.get("method") == "POST" and o.get("status") == 201]
if not post or post[0]["actor"] != "dev-admin" or not isinstance(post[0]["ms"], float):
    sys.exit("the reception: %r" % post)
if not any("stopped; every acknowledged write is on disk" in o["msg"] for o in objs):
    sys.exit("no stop line")
print("%d JSON lines" % len(objs))
') || fail "$out"
echo "json log: OK ($out)"
