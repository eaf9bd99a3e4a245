#!/usr/bin/env bash
# Regenerate the expected outputs of tests/golden/examples.txt with the binary $1 (only when a change of
# numbers is intended and explained in the commit).
set -euo pipefail
bin=$1; dir=$(cd "$(dirname "$0")" && pwd); tmp=$(mktemp -d)
while IFS=$'\t' read -r id cmd; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  read -ra words <<< "$cmd"
  case "${words[0]}" in
    validate) "$bin" --quiet "${words[@]}" --report "$tmp/r.json" > /dev/null || true; cp "$tmp/r.json" "$dir/$id.json";;
    table) "$bin" --quiet "${words[@]}" --out "$tmp/t.json"; cp "$tmp/t.json" "$dir/$id.json";;
    *) "$bin" "${words[@]}" --format json > "$dir/$id.json";;
  esac
  echo "$id"
done < "$dir/examples.txt"
