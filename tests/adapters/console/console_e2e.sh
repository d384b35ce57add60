#!/usr/bin/env bash
# The web console in headless Chromium against a real `motcua serve` (console_e2e.py says what
# it checks). Screenshots go to $SHOTS (default: a directory under the build's Testing/).
#
#   console_e2e.sh MOTCUA DEFINITIONS [SHOTS]
set -u
motcua=$1 defs=$2 shots=${3:-$PWD/console-screenshots}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../serve_lib.sh
source "$here/../serve_lib.sh"
e2e_scratch console_e2e
command -v chromium > /dev/null || fail "chromium is needed (scripts/setup.sh installs it for tests)"
command -v python3 > /dev/null || fail "python3 is needed for the DevTools client"

mkdir -p "$tmp/data"
printf 'mật khẩu của Lan\n' | "$motcua" account add --accounts "$tmp/data/accounts.yaml" \
  --principal lan --name "Nguyễn Thị Lan" --roles counter --agencies 000.17.22.H56 \
  --definitions "$defs" > /dev/null || fail "account add"
start_server 1 "$motcua" serve --data "$tmp/data" --definitions "$defs"
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
base="http://127.0.0.1:$port"
# One open dossier of her agency before she signs in.
curl -s -o /dev/null -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: c1" \
  "$base/v1/dossiers" -d '{"procedure_code":"2.000908","receiving_agency":"000.17.22.H56","applicant":{"name":"Lê Thị Hoa","id_number":"001190054321"},"documents":[{"document_id":"identity_paper"}]}'
python3 "$here/console_e2e.py" "$base" "$token" "$shots" || fail "the browser test"
