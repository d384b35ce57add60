# Sourced by the HTTP benchmarks. read_ids PORT TOKEN FILE: writes to FILE the ids of up to 2,000
# dossiers of agency 000.17.22.H56 (the write mix's), paging through GET /v1/dossiers.
read_ids() {
  local port=$1 token=$2 file=$3 cursor="" page
  : > "$file"
  for _ in $(seq 10); do
    page=$(curl -s -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/v1/dossiers?agency=000.17.22.H56&limit=200&cursor=$cursor")
    echo "$page" | grep -o '"id":"[0-9a-f]*"' | cut -d'"' -f4 >> "$file"
    cursor=$(echo "$page" | grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4)
    [ -n "$cursor" ] || break
  done
}
