#!/usr/bin/env bash
# `make docker-check`: build the image with podman and check it from outside, the way an operator
# meets it (issue 16). Not part of `make test`: it needs podman and PyPI. Prints one PASS or FAIL
# line per check and "N passed, N failed" last; exits 1 if any check failed.
#
#   COLD=1 make docker-check     # build without the layer cache (the cold build time)
#   HEALTH_WAIT=120 ...          # seconds to wait for an unreachable platform to turn health red
#   MAX_DOWN=10 ...              # the --max-down given to the image's health command here (its
#                                # own default, 300 s, would need a wait of over 5 minutes)
#   SIZE_BUDGET_MB=100 ...       # what the image may add to its base
#
# Where ../shared/tools/container-base.sh exists (machines that reach PyPI but no container
# registry) the base is its local stand-in for python:3.11-slim, built once per machine.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

IMAGE=${IMAGE:-seminarbot}
HEALTH_WAIT=${HEALTH_WAIT:-60}
MAX_DOWN=${MAX_DOWN:-10}
SIZE_BUDGET_MB=${SIZE_BUDGET_MB:-100}
BASE=docker.io/library/python:3.11-slim
RUN_ID=sbcheck-$$
WORK=$(mktemp -d)
# A platform that is configured but unreachable: the bot keeps retrying its login.
UNREACHABLE=(-e MATRIX_HOMESERVER=http://127.0.0.1:9 -e MATRIX_USER_ID=@bot:localhost
             -e MATRIX_PASSWORD=not-a-secret)
passed=0 failed=0 failures=()

pass() { passed=$((passed + 1)); echo "PASS  $1 — $2"; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL  $1 — $2"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
oneline() { tr "\n" " " | cut -c1-160; }
# A container without the HEALTHCHECK (podman would schedule it via systemd), named so that the
# clean-up finds it even when `timeout` (T seconds) gave up on it.
run_in() { timeout "${T:-120}" podman run --no-healthcheck --name "$RUN_ID-$RANDOM$RANDOM" "$@"; }

cleanup() {
  podman ps -aq --filter "name=$RUN_ID" | xargs -r podman rm -f -v -t 0 >/dev/null 2>&1
  podman volume rm -f "$RUN_ID-data" >/dev/null 2>&1
  podman rmi -f "$IMAGE-check:source-change" "$IMAGE-check:context" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

setup_podman() {
  local standin=../shared/tools/container-base.sh
  if [ -x "$standin" ] || [ -f "$standin" ]; then
    echo "base: the local stand-in for python:3.11-slim ($standin)"
    eval "$(bash "$standin" | tail -n 1)" || { echo "container-base.sh failed" >&2; exit 1; }
    BUILD=(podman build --pull=never --network host --format docker)
  else
    command -v podman >/dev/null || { echo "docker-check needs podman" >&2; exit 1; }
    BUILD=(podman build --pull=missing --format docker)
  fi
}

check_build() {
  local start; start=$(now)
  if ! "${BUILD[@]}" ${COLD:+--no-cache} -t "$IMAGE" . >"$WORK/build.log" 2>&1; then
    tail -n 30 "$WORK/build.log"; fail "build" "podman build failed (log above)"; summary; exit 1
  fi
  pass "build" "${COLD:+cold, }$(since "$start") s"
}

# A copy of the context (podman's cache keys include mtimes: cp -a keeps them), built once as it
# is (layers that a --no-cache build made are not reused), then with one source line changed and
# with strays that .dockerignore must keep out.
check_source_change() {
  local ctx=$WORK/context start
  mkdir -p "$ctx" && cp -a Dockerfile .dockerignore requirements*.lock pyproject.toml README.md \
    src content prompts "$ctx"/
  "${BUILD[@]}" -t "$IMAGE-check:source-change" "$ctx" >"$WORK/rebuild.log" 2>&1
  echo "# a source change" >>"$ctx/src/seminarbot/__init__.py"
  mkdir -p "$ctx/data" "$ctx/.hypothesis" "$ctx/.venv"
  mkdir -p "$ctx/content/.hypothesis"
  touch "$ctx/data/seminarbot.db" "$ctx/src/seminarbot/x.db-wal" "$ctx/.env" "$ctx/.hypothesis/x" \
    "$ctx/src/.env" "$ctx/src/seminarbot/x.db-journal" "$ctx/src/seminarbot/.coverage" \
    "$ctx/content/incident-x.log" "$ctx/content/.hypothesis/y" "$ctx/prompts/.DS_Store" \
    "$ctx/src/x.partial"
  start=$(now)
  "${BUILD[@]}" -t "$IMAGE-check:source-change" "$ctx" >"$WORK/rebuild.log" 2>&1 \
    || { tail -n 20 "$WORK/rebuild.log"; fail "source change" "the rebuild failed"; return; }
  local took; took=$(since "$start")
  if awk '/^STEP .*RUN .*-r requirements.lock/ { getline; exit !/Using cache/ }' "$WORK/rebuild.log"
  then pass "source change" "rebuilt in $took s, the dependency layer reused"
  else fail "source change" "rebuilt in $took s, but the dependencies were installed again"; fi
  # The context is what the build stage copied; the running image holds only the wheel.
  "${BUILD[@]}" --target build -t "$IMAGE-check:context" "$ctx" >"$WORK/context.log" 2>&1 \
    || { tail -n 20 "$WORK/context.log"; fail "build context" "the build stage failed"; return; }
  local top strays
  top=$(run_in --rm --entrypoint sh "$IMAGE-check:context" -c \
    'ls -A /app | tr "\n" " "; find /app -type f ! -name "*.py" ! -name "*.sql" ! -name "*.yaml" \
     ! -path /app/README.md ! -path /app/pyproject.toml ! -path "/app/requirements*.lock" \
     | tr "\n" " "')
  strays=${top#README.md content prompts pyproject.toml requirements-build.lock requirements-pip.lock requirements.lock src }
  if [ -z "$strays" ]; then pass "build context" "/app holds only the allowlisted files"
  else fail "build context" "strays in /app: $strays"; fi
  if run_in --rm --entrypoint python "$IMAGE" -c 'import hatchling' >/dev/null 2>&1
  then fail "no build backend" "hatchling is importable in the running image"
  else pass "no build backend" "the running image holds the wheel's install only"; fi
}

check_console() {
  local out
  out=$(printf '/term glasnost\n' | run_in --rm -i "$IMAGE" console 2>&1)
  if [ $? -eq 0 ] && grep -q 'гласность' <<<"$out"; then
    pass "console" "\`podman run -i $IMAGE console\` answers /term glasnost"
  else fail "console" "no glossary entry: $(oneline <<<"$out")"; fi
}

# The idle console (standard input held open) is then stopped: issue 16 item 1.
check_user_and_stop_console() {
  local name=$RUN_ID-console status
  podman run -d -i --no-healthcheck --name "$name" "$IMAGE" console >/dev/null
  sleep 2
  status=$(podman exec "$name" grep -E '^(Uid|Gid):' /proc/1/status | awk '{print $1, $2, $3}')
  if [ "$status" = $'Uid: 10001 10001\nGid: 10001 10001' ]; then
    pass "not root" "the bot runs as uid 10001, gid 10001"
  else fail "not root" "$(oneline <<<"$status")"; fi
  check_stop "$name" "stop (console)"
}

check_stop() {
  local name=$1 label=$2 start took code
  start=$(now); podman stop -t 10 "$name" >/dev/null 2>&1; took=$(since "$start")
  code=$(podman inspect "$name" --format '{{.State.ExitCode}}')
  if le "$took" 3 && [ "$code" = 0 ]; then pass "$label" "stopped in $took s, exit 0"
  else fail "$label" "stopped in $took s, exit $code (want ≤ 3 s, exit 0)"; fi
}

check_volume() {
  local vol=$RUN_ID-data out mode
  podman volume create "$vol" >/dev/null
  printf '/seminar setup tuesday 19:00 Europe/London\n' \
    | run_in --rm -i -v "$vol:/data" "$IMAGE" console --clock 2026-01-05T09:00Z \
    >/dev/null 2>&1
  out=$(printf '/seminar schedule\n' | run_in --rm -i -v "$vol:/data" "$IMAGE" \
    console --clock 2026-01-05T09:00Z 2>&1)
  if grep -q 'Tuesdays at 19:00 Europe/London' <<<"$out"; then
    pass "named volume" "a seminar set up in one container is scheduled in the next"
  else fail "named volume" "the second container saw: $(oneline <<<"$out")"; fi
  mode=$(run_in --rm -v "$vol:/data" --entrypoint stat "$IMAGE" -c '%u:%g %a' /data)
  if [ "$mode" = "10001:10001 700" ]; then pass "data private" "/data is 10001:10001, mode 700"
  else fail "data private" "/data is $mode (want 10001:10001 700)"; fi
}

# Issue 16 item 3: a host folder that uid 10001 cannot write.
check_unwritable() {
  local dir=$WORK/host-data out code lines
  mkdir -p "$dir" && chmod 755 "$dir"
  out=$(T=30 run_in --rm -v "$dir:/data" "${UNREACHABLE[@]}" "$IMAGE" 2>&1); code=$?
  lines=$(grep -c . <<<"$out")
  if [ "$code" = 2 ] && [ "$lines" = 1 ] && grep -q '/data' <<<"$out" && grep -q 10001 <<<"$out"
  then pass "unwritable /data" "$(oneline <<<"$out")"
  else fail "unwritable /data" "exit $code, $lines lines (want exit 2 and one line naming /data \
and uid 10001); last: $(tail -n 1 <<<"$out" | oneline)"; fi
}

# Issue 16 item 6: the image's own HEALTHCHECK command, run while the platform is unreachable.
check_health() {
  local name=$RUN_ID-health start test out code=0
  podman run -d --name "$name" "${UNREACHABLE[@]}" "$IMAGE" >/dev/null 2>&1
  test=$(podman image inspect "$IMAGE" --format '{{json .Config.Healthcheck.Test}}' \
    | python3 -c 'import json, sys; print(*json.load(sys.stdin)[1:])')
  start=$(now)
  while le "$(since "$start")" "$HEALTH_WAIT"; do
    [ "$(podman inspect "$name" --format '{{.State.Running}}')" = true ] || break
    podman exec "$name" test -e /data/heartbeat \
      && { out=$(podman exec "$name" $test --max-down "$MAX_DOWN" 2>&1); code=$?; }
    [ "$code" != 0 ] && break
    sleep 5
  done
  if [ "$(podman inspect "$name" --format '{{.State.Running}}')" != true ]; then
    fail "health" "the bot exited: $(podman logs "$name" 2>&1 | tail -n 1 | oneline)"
  elif [ "$code" != 0 ]; then
    pass "health" "unhealthy after $(since "$start") s (--max-down $MAX_DOWN): $(oneline <<<"$out")"
  else fail "health" "still healthy after $HEALTH_WAIT s with the Matrix homeserver unreachable \
(--max-down $MAX_DOWN)"; fi
  check_stop "$name" "stop (run)"
}

# `docker run -dt IMAGE` with no platform: a terminal nobody types at. `run` must not wait on it.
check_tty_without_platform() {
  local name=$RUN_ID-tty code
  podman run -dt --no-healthcheck --name "$name" "$IMAGE" >/dev/null
  code=$(timeout 30 podman wait "$name" 2>/dev/null)
  if [ "$code" = 2 ]; then pass "-dt, no platform" "exit 2: $(podman logs "$name" 2>&1 | oneline)"
  else fail "-dt, no platform" "still running or exit ${code:-?} (want exit 2 at once)"; fi
}

# A stop right after the start: the handlers are in place before anything else (PID 1 ignores
# a signal it has no handler for).
check_early_stop() {
  local name=$RUN_ID-early
  podman run -d --no-healthcheck --name "$name" "${UNREACHABLE[@]}" "$IMAGE" >/dev/null
  check_stop "$name" "stop at once (run)"
}

check_size() {
  local size base added
  size=$(podman image inspect "$IMAGE" --format '{{.Size}}')
  base=$(podman image inspect "$BASE" --format '{{.Size}}' 2>/dev/null || echo 0)
  added=$(( (size - base) / 1000000 ))
  if [ "$added" -le "$SIZE_BUDGET_MB" ]; then
    pass "image size" "$((size / 1000000)) MB, $added MB over the base (budget $SIZE_BUDGET_MB MB)"
  else fail "image size" "$((size / 1000000)) MB, $added MB over the base (budget $SIZE_BUDGET_MB MB)"; fi
}

summary() {
  echo
  [ "$failed" -gt 0 ] && echo "failed: ${failures[*]}"
  echo "$passed passed, $failed failed"
}

setup_podman
check_build
check_source_change
check_size
check_console
check_user_and_stop_console
check_volume
check_unwritable
check_health
check_tty_without_platform
check_early_stop
summary
[ "$failed" -eq 0 ]
