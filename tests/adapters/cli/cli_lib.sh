# Shared by the operations end-to-end tests (checkpoints, backups, audit), after serve_lib.sh:
#
#   dev_server DATA DEFINITIONS   starts `motcua serve` on DATA ($motcua) and sets $token (the
#                                 development token) and $base
#   receive KEY                   a counter reception of 2.000908 → the new dossier's id, once
#                                 acknowledged (nothing when refused)
#   attach_pdf ID                 uploads $tmp/a.pdf (a small PDF) to ID's identity_paper
#   start_writer                  a background writer that keeps receiving, appending each
#                                 acknowledged id to $tmp/acked, until $tmp/stop exists; returns
#                                 once 50 are acknowledged ($writer is its pid)

dev_server() {
  start_server "${3:-1}" "$motcua" serve --data "$1" --definitions "$2"
  token=$(grep -o 'mc_[0-9a-f]*' "$tmp/log" | head -1)
  [ -n "$token" ] || fail "no development token"
  base="http://127.0.0.1:$port"
}

receive() {
  curl -s -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: $1" "$base/v1/dossiers" \
    -d '{"procedure_code":"2.000908","receiving_agency":"000.17.22.H56","applicant":{"name":"Lê Thị Hoa","id_number":"001190054321"},"documents":[{"document_id":"identity_paper"}]}' |
    grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4
}

attach_pdf() {
  printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$tmp/a.pdf"
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" \
    -H "Idempotency-Key: file-$1" -H "Content-Type: application/pdf" --data-binary @"$tmp/a.pdf" \
    "$base/v1/dossiers/$1/documents/identity_paper/files?name=a.pdf")
  [ "$code" = 201 ] || fail "upload: $code"
}

start_writer() {
  ( i=0; while [ ! -f "$tmp/stop" ]; do
      i=$((i + 1)); id=$(receive "w$i"); [ -n "$id" ] && echo "$id" >> "$tmp/acked"
    done ) &
  writer=$!
  e2e_track "$writer"
  for _ in $(seq 100); do
    [ -f "$tmp/acked" ] && [ "$(wc -l < "$tmp/acked")" -ge 50 ] && return 0
    sleep 0.05
  done
  fail "the writer got fewer than 50 acknowledged in 5 s"
}
