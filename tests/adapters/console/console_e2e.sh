#!/usr/bin/env bash
# The web console in headless Chromium against a real `motcua serve` on the training clock
# (console_e2e.py says what it checks). Screenshots go to $SHOTS (default: ./console-screenshots).
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
# The people of the scenario: the centre's clerk, the Department of Construction's specialist,
# division head and leader, a provincial manager (and admin), clerks of two communes.
while read -r principal name roles agencies; do
  printf 'mật khẩu thử nghiệm\n' | "$motcua" account add --accounts "$tmp/data/accounts.yaml" \
    --principal "$principal" --name "${name//_/ }" --roles "$roles" --agencies "$agencies" \
    --definitions "$defs" > /dev/null || fail "account add $principal"
done << 'PEOPLE'
an Nguyễn_Văn_An counter 000.00.01.H56
son Trần_Thanh_Sơn specialist 000.00.12.H56
tuan Lê_Minh_Tuấn division_head 000.00.12.H56
minh Phạm_Quang_Minh leader 000.00.12.H56
khoa Đặng_Văn_Khoa leader 000.00.12.H56
ha Vũ_Thu_Hà manager,admin 000.00.00.H56
binh Hoàng_Văn_Bình counter 000.18.22.H56
lan Nguyễn_Thị_Lan counter 000.17.22.H56
PEOPLE
start_server 1 "$motcua" serve --data "$tmp/data" --definitions "$defs" --clock manual
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "no development token"
python3 "$here/console_e2e.py" "http://127.0.0.1:$port" "$token" "$shots" || fail "the browser test"
