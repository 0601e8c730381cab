#!/usr/bin/env bash
# Cold build of the whole book, from clean, with every cell executed; prints the time and the
# number of checks the notebooks ran. Run from the repository root after the README's book
# command has installed the book's dependencies (uses .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
rm -rf book/_build book/jupyter_execute
start=$(date +%s.%N)
"$py" -m sphinx -E -a -n -W --keep-going -T -q book book/_build/html
end=$(date +%s.%N)
checks=$(wc -l < book/_build/checks.log)
printf 'cold book build: %.1f s on %s cores\n' "$(echo "$end - $start" | bc)" "$(nproc)"
printf 'checks executed by the book: %s (%s)\n' "$checks" \
  "$(cut -f1 book/_build/checks.log | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')"
