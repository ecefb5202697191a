#!/usr/bin/env bash
# The UI stays in parts (issue 10): App.svelte composes regions in at most 150 lines, no other
# component passes 300 and no TypeScript module 400 (a generated `*.gen.ts` is read by the compiler,
# not by people). Prints each file over its limit and fails.
set -euo pipefail
cd "$(dirname "$0")/../ui/src"
over=0
check() { # file limit
  local lines
  lines=$(wc -l < "$1")
  if (( lines > $2 )); then echo "ui/src/$1: $lines lines (at most $2): split it by concern"; over=1; fi
}
check App.svelte 150
while IFS= read -r f; do [[ $f == ./App.svelte ]] || check "${f#./}" 300; done < <(find . -name '*.svelte')
while IFS= read -r f; do check "${f#./}" 400; done < <(find . -name '*.ts' ! -name '*.gen.ts')
exit $over
