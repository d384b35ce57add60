#!/usr/bin/env bash
# The printed forms as a person sees them: a real server on a training clock takes dossiers to
# the states that issue M01–M07; each form is fetched over HTTP, printed to PDF by headless
# Chromium, and checked with poppler: the paper size (A5 slips, A4 sheet, A4 landscape register)
# and the text a reader needs (number, applicant, received and due times, every document...).
# A form that is not issued yet answers 404. Report form 06 prints the same way.
# Usage: forms_print.sh <motcua> <definitions-dir>; with FORMS_PNG_DIR set, each printed page is
# also kept there as a PNG (docs/forms/ holds them).
set -u
motcua=$1 defs=$2
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "FAIL: chromium is not installed (scripts/setup.sh installs it)"; exit 1; }
command -v pdftotext > /dev/null || { echo "FAIL: poppler-utils is not installed"; exit 1; }
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# shellcheck source=../serve_lib.sh
source "$(cd "$(dirname "$0")/.." && pwd)/serve_lib.sh"  # call, field
fail() { echo "FAIL: $*"; exit 1; }

# The server prints ?format=pdf with the same browser.
printf 'pdf_renderer: %s\npdf_timeout_seconds: 60\n' "$chrome" > "$tmp/motcua.yaml"
# A random port; another one when something else holds it (tests run in parallel).
for attempt in 1 2 3 4 5; do
  port=$(( 10000 + RANDOM % 20000 ))  # below the ephemeral range (32768 on)
  rm -rf "$tmp/data"
  "$motcua" serve --config "$tmp/motcua.yaml" --data "$tmp/data" --definitions "$defs" \
    --listen "127.0.0.1:$port" --clock manual > "$tmp/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    grep -q "is serving" "$tmp/log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "is serving" "$tmp/log" && break
  grep -q "Address already in use" "$tmp/log" || break
  wait "$pid" 2>/dev/null
  pid=
done
token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
[ -n "$token" ] || fail "the server did not start: $(cat "$tmp/log")"
base="http://127.0.0.1:$port"
clock() { call PUT /v1/admin/clock "{\"now\":\"$1\"}" > /dev/null; }
act() {  # act ID VERSION BODY
  local out
  out=$(call POST "/v1/dossiers/$1/commands" "$3" "$2")
  echo "$out" | grep -q '"version"' || fail "command on $1 at $2: $3: $out"
}

clock 2026-03-02T08:00
applicant='"applicant":{"name":"Nguyễn Thị Thu Hằng","id_number":"001190012345","address":"Số 12, thôn Đông, xã An Hòa","phone":"0912345678","email":"hang@example.vn"}'
# A construction permit received at the provincial centre, then taken to the leader, who extends.
permit=$(call POST /v1/dossiers "{\"procedure_code\":\"1.013225\",\"receiving_agency\":\"000.00.01.H56\",$applicant,\"documents\":[{\"document_id\":\"application_form\"},{\"document_id\":\"land_use_papers\"},{\"document_id\":\"design_drawings\",\"count\":2}]}" | field id)
[ -n "$permit" ] || fail "no permit dossier"
number=$(call GET "/v1/dossiers/$permit" | field number)
due=$(call GET "/v1/dossiers/$permit" | field due_at)
act "$permit" 1 '{"command":"act","action":"forward"}'
clock 2026-03-03T09:00
act "$permit" 2 '{"command":"act","action":"forward"}'
clock 2026-03-04T09:00
act "$permit" 3 '{"command":"act","action":"forward"}'
act "$permit" 4 '{"command":"act","action":"extend","comment":"Cần kiểm tra thêm hiện trạng công trình liền kề"}'
extended=$(call GET "/v1/dossiers/$permit" | field extended_due_at)
# A copy the counter asks to complete (T3), then refuses (T4).
copy=$(call POST /v1/dossiers "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"000.17.22.H56\",$applicant,\"documents\":[]}" | field id)
[ -n "$copy" ] || fail "no copy dossier"
act "$copy" 1 '{"command":"refuse","reason":"Không thuộc thẩm quyền chứng thực của xã"}'
# A birth registration received, then withdrawn.
birth=$(call POST /v1/dossiers "{\"procedure_code\":\"1.001193\",\"receiving_agency\":\"000.17.22.H56\",$applicant,\"documents\":[{\"document_id\":\"declaration_form\"},{\"document_id\":\"birth_certificate\"}]}" | field id)
act "$birth" 1 '{"command":"withdraw","reason":"Người yêu cầu rút hồ sơ để bổ sung giấy tờ"}'
# A copy issued and returned at the counter: a line of the M07 register.
clock 2026-03-04T09:30
issued=$(call POST /v1/dossiers "{\"procedure_code\":\"2.000908\",\"receiving_agency\":\"000.17.22.H56\",$applicant,\"documents\":[{\"document_id\":\"identity_paper\"}]}" | field id)
for v in 1 2 3; do act "$issued" $v '{"command":"act","action":"forward"}'; done
act "$issued" 4 '{"command":"act","action":"issue"}'
act "$issued" 5 '{"command":"return_result","returned_via":"counter","returned_to":"Nguyễn Thị Thu Hằng","receipt_signed":true}'
issued_number=$(call GET "/v1/dossiers/$issued" | field number)

# print NAME PATH SIZE TEXT... : fetch, print to PDF, check the paper and each text.
print() {
  local name=$1 path=$2 size=$3; shift 3
  local code
  code=$(curl -s -o "$tmp/$name.html" -w '%{http_code}' -H "Authorization: Bearer $token" "$base$path")
  [ "$code" = 200 ] || fail "$name: $path answered $code: $(head -c 300 "$tmp/$name.html")"
  timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --print-to-pdf="$tmp/$name.pdf" "file://$tmp/$name.html" > /dev/null 2>&1
  [ -s "$tmp/$name.pdf" ] || fail "$name: Chromium printed nothing"
  local paper
  paper=$(pdfinfo "$tmp/$name.pdf" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1x\2/p' | head -1)
  case "$size:$paper" in
    A5:41[89]*x59[45]*|A5:420*x59[45]*|A4:59[45]*x84[12]*|A4L:84[12]*x59[45]*) ;;
    *) fail "$name: paper $paper, expected $size" ;;
  esac
  pdftotext "$tmp/$name.pdf" "$tmp/$name.txt"  # reading order: a table cell stays together
  tr -s ' \n' ' ' < "$tmp/$name.txt" > "$tmp/$name.flat"
  for text in "$@"; do
    grep -qF -- "$text" "$tmp/$name.flat" || fail "$name: '$text' not on the printed page: $(cat "$tmp/$name.flat")"
  done
  if [ -n "${FORMS_PNG_DIR:-}" ]; then  # pictures of the printed pages for docs/
    pdftoppm -png -r 72 -singlefile "$tmp/$name.pdf" "$FORMS_PNG_DIR/$name"
  fi
  echo "  $name: $paper pt, $(pdfinfo "$tmp/$name.pdf" | sed -n 's/^Pages: *//p') page(s), ${#@} texts found"
}
hhmm() { echo "${1:11:5}, ngày ${1:8:2}/${1:5:2}/${1:0:4}"; }

print m01 "/v1/dossiers/$permit/forms/m01" A5 "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" "$number" \
  "Nguyễn Thị Thu Hằng" "001190012345" "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" \
  "Trung tâm Phục vụ hành chính công tỉnh (mẫu)" "08:00, ngày 02/03/2026" "$(hhmm "$due")" \
  "Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)" "Giấy tờ hợp pháp về quyền sử dụng đất" \
  "Bản vẽ thiết kế xây dựng" "20 ngày làm việc"
print m04 "/v1/dossiers/$permit/forms/m04" A5 "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" "$number" \
  "Nguyễn Thị Thu Hằng" "Sở Xây dựng (mẫu)" "$(hhmm "$due")" "$(hhmm "$extended")" \
  "Cần kiểm tra thêm hiện trạng công trình liền kề"
print m06 "/v1/dossiers/$permit/forms/m06" A4 "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" "$number" \
  "Nguyễn Thị Thu Hằng" "08:00, ngày 02/03/2026" "$(hhmm "$due")" "Thẩm định hồ sơ, kiểm tra thực địa" \
  "Trước hạn" "09:00, 03/03/2026"
print m02 "/v1/dossiers/$copy/forms/m02" A5 "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" "Nguyễn Thị Thu Hằng" \
  "Giấy tờ tùy thân của người yêu cầu cấp bản sao" "$copy"
print m03 "/v1/dossiers/$copy/forms/m03" A5 "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" "Nguyễn Thị Thu Hằng" \
  "Không thuộc thẩm quyền chứng thực của xã"
print m05 "/v1/dossiers/$birth/forms/m05" A5 "PHIẾU DỪNG GIẢI QUYẾT HỒ SƠ" "Nguyễn Thị Thu Hằng" \
  "Người yêu cầu rút hồ sơ để bổ sung giấy tờ" "UBND xã An Hòa (mẫu)"
print m07 "/v1/registers/m07?agency=000.17.22.H56&from=2026-03-01T00:00&to=2026-04-01T00:00&format=html" A4L \
  "SỔ THEO DÕI HỒ SƠ" "$issued_number" "Cấp bản sao" "0912345678" "Trực tiếp" "(đã ký)"

print form06 "/v1/reports/form06?period=2026-03&agency=000.00.00.H56&format=html" A4L \
  "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" "Biểu số 06/VPCP/KSTT" "Sở Xây dựng (mẫu)" \
  "UBND xã An Hòa (mẫu)" "Kỳ báo cáo: từ ngày 01/03/2026 đến ngày 04/03/2026" "Tổng số"

# The server prints a form itself when asked for PDF: an A5 PDF with the same text.
code=$(curl -s -o "$tmp/server.pdf" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $token" \
  "$base/v1/dossiers/$permit/forms/m01?format=pdf")
[ "$code" = "200 application/pdf" ] || fail "m01?format=pdf answered $code: $(head -c 300 "$tmp/server.pdf")"
pdfinfo "$tmp/server.pdf" | grep -q "Page size: *420 x 59[45]" || fail "m01 PDF from the server is not A5"
pdftotext "$tmp/server.pdf" - | tr -s ' \n' ' ' | grep -qF "$number" || fail "m01 PDF lacks the number"
echo "  m01?format=pdf: printed by the server, A5"

# Forms the dossier's state does not issue: 404 with the reason.
for path in "/v1/dossiers/$birth/forms/m04" "/v1/dossiers/$copy/forms/m01" "/v1/dossiers/$permit/forms/m05" \
            "/v1/dossiers/$permit/forms/m09"; do
  code=$(curl -s -o "$tmp/404" -w '%{http_code}' -H "Authorization: Bearer $token" "$base$path")
  [ "$code" = 404 ] || fail "$path answered $code, expected 404: $(cat "$tmp/404")"
done
echo "forms print: OK"
