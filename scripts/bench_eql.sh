#!/usr/bin/env bash
# Benchmark: the Foxmail EQL query over N generated events (default 100,000), our engine vs the
# reference Python engine (pip `eql`, via shared/conformance/eql/bench_oracle.py), same events,
# same run. A measurement script, not a test. The headline ratio compares match-only throughput:
# ours over the event view (EventTable, built once per batch), Python's over its pre-built Event
# objects; both one-time preparation steps are printed beside it.
#
#   scripts/bench_eql.sh [N]        env: VENV (default /work/venv-eql or .venv-eql), CARGO_TARGET_DIR
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="$ROOT/../shared"
N="${1:-100000}"
CONF="$SHARED/conformance/eql"
RULE="$SHARED/seeds/potential_foxmail_exploitation.toml"
if [[ ! -f "$CONF/gen_events.py" || ! -f "$RULE" ]]; then
  echo "bench_eql: SKIPPED: ../shared (gen_events.py, the Foxmail seed rule) is absent" >&2
  exit 0
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
EVENTS="$WORK/events.ndjson"
python3 "$CONF/gen_events.py" "$N" > "$EVENTS"

echo "== ruleplay (release)"
( cd "$ROOT/crate" && cargo build --release --quiet --bin bench_eql )
TARGET="${CARGO_TARGET_DIR:-$ROOT/crate/target}"
"$TARGET/release/bench_eql" "$RULE" "$EVENTS" --repeat 5 | tee "$WORK/rust.txt"
RUST_EPS="$(sed -n 's/^BEST match-only throughput: \([0-9]*\).*/\1/p' "$WORK/rust.txt")"
RUST_JSON_EPS="$(sed -n 's/^BEST serde_json match-only throughput: \([0-9]*\).*/\1/p' "$WORK/rust.txt")"
TABLE_S="$(sed -n 's/^table_build=\([0-9.]*\)s.*/\1/p' "$WORK/rust.txt")"

echo "== python eql (reference engine, ES semantics patched in by oracle_eql.py)"
PY=""
for v in "${VENV:-}" /work/venv-eql "$ROOT/.venv-eql"; do
  if [[ -n "$v" && -x "$v/bin/python" ]] && "$v/bin/python" -c "import eql" 2>/dev/null; then PY="$v/bin/python"; break; fi
done
if [[ -z "$PY" ]]; then
  echo "bench_eql: Python half SKIPPED: no venv with 'eql' (python3 -m venv .venv-eql && .venv-eql/bin/pip install eql)" >&2
  exit 0
fi
"$PY" "$CONF/bench_oracle.py" "$RULE" "$EVENTS" --repeat 3 | tee "$WORK/py.txt"
PY_EPS="$(sed -n 's/^BEST match-only throughput: \([0-9]*\).*/\1/p' "$WORK/py.txt")"
RUST_MATCHES="$(sed -n 's/^matches=\([0-9]*\)$/\1/p' "$WORK/rust.txt")"
PY_MATCHES="$(grep -o 'matches=[0-9]*' "$WORK/py.txt" | tail -1 | cut -d= -f2)"
echo "== summary ($N events)"
PY_BUILD_S="$(grep -o 'build_events=[0-9.]*' "$WORK/py.txt" | head -1 | cut -d= -f2)"
echo "match-only throughput: ruleplay (event view) $RUST_EPS events/s   python eql $PY_EPS events/s   ratio: $(python3 -c "print(f'{$RUST_EPS/$PY_EPS:.0f}x')")"
echo "  (ruleplay on serde_json values: $RUST_JSON_EPS events/s, $(python3 -c "print(f'{$RUST_JSON_EPS/$PY_EPS:.1f}x')") python)"
echo "one-time event preparation (not in the throughput): ruleplay event view ${TABLE_S}s, python build_events ${PY_BUILD_S:-?}s"
echo "matches: ruleplay $RUST_MATCHES, python $PY_MATCHES"
