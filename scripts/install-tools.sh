#!/usr/bin/env bash
# Installs the real tools the tests drive (`npm run tools`):
#   prometheus, promtool, chromium   Debian packages, via apt-get when missing
#   k6                               go install, pinned
#   otelcol-lab                      OpenTelemetry Collector built by the official
#                                    builder from tools/otelcol/builder-config.yaml
# Go builds land in a cache outside the repo (binaries in $cache/bin) and are reused:
# with everything in place this does no work and just prints the paths.
# test/support/tools.ts resolves the tools the same way: cache bin, PATH, /usr/bin.
#
# Environment:
#   LAB_TOOLS_DIR  the cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/concurrency-lab/tools)
#   GO             the go binary (default: go on PATH, then /usr/local/go/bin/go)
set -euo pipefail

readonly K6_VERSION=v1.8.1
# Must equal the v0.x versions in the manifest; bump both together.
readonly OCB_VERSION=v0.165.0

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
readonly root
readonly manifest=$root/tools/otelcol/builder-config.yaml
readonly cache=${LAB_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/concurrency-lab/tools}
readonly bin=$cache/bin
readonly stamps=$cache/stamps
readonly otelcol_work=$cache/otelcol
readonly logs=$cache/logs

log() { printf 'install-tools: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The same lookup as resolveTool() in test/support/tools.ts.
find_tool() {
  local name=$1
  if [[ -x $bin/$name ]]; then
    printf '%s\n' "$bin/$name"
  elif command -v -- "$name" >/dev/null 2>&1; then
    command -v -- "$name"
  elif [[ -x /usr/bin/$name ]]; then
    printf '%s\n' "/usr/bin/$name"
  else
    return 1
  fi
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "root or sudo is needed to run: $*"
  fi
}

# A binary is current when it exists and its stamp records what it was built from.
is_current() {
  local binary=$1 stamp=$2 want=$3
  [[ -x $binary && -f $stamp && $(<"$stamp") == "$want" ]]
}

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# --- Debian packages -------------------------------------------------------------

# policy-rc.d answering 101 ("action forbidden") stops maintainer scripts from
# starting services; invoke-rc.d and deb-systemd-invoke both honour it. Debian's
# prometheus package otherwise starts a server on :9090 (init script or unit), which
# the bundle's port and the tests' own Prometheus instances don't want.
policy_rc_d=/usr/sbin/policy-rc.d
policy_placed=''
remove_policy() {
  if [[ -n $policy_placed ]]; then
    as_root rm -f "$policy_rc_d"
    policy_placed=''
  fi
}
trap remove_policy EXIT

# For a package this run installed only: no start at boot, and nothing left running.
quiet_prometheus_service() {
  if [[ -d /run/systemd/system ]]; then
    as_root systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    as_root update-rc.d prometheus disable >/dev/null 2>&1 || true
    local pid
    pid=$(cat /run/prometheus/prometheus.pid 2>/dev/null || true)
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      log "the prometheus package started a server (pid $pid); stopping it"
      as_root /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    fi
  fi
}

install_debian_packages() {
  local missing=()
  if ! find_tool prometheus >/dev/null || ! find_tool promtool >/dev/null; then
    missing+=(prometheus)
  fi
  find_tool chromium >/dev/null || missing+=(chromium)
  ((${#missing[@]} > 0)) || return 0

  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; install ${missing[*]} with your system's package manager"
  log "installing Debian packages: ${missing[*]} (apt-get, a minute or two)…"
  local start=$SECONDS
  if [[ ! -e $policy_rc_d ]]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' >'$policy_rc_d' && chmod 755 '$policy_rc_d'"
    policy_placed=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  remove_policy
  if [[ " ${missing[*]} " == *' prometheus '* ]]; then
    quiet_prometheus_service
  fi
  log "installed ${missing[*]} in $(elapsed $((SECONDS - start)))"
}

# --- Go builds -------------------------------------------------------------------

go_bin=''
go_flags=''
ensure_go() {
  [[ -z $go_bin ]] || return 0
  go_bin=${GO:-$(command -v go 2>/dev/null || true)}
  if [[ -z $go_bin && -x /usr/local/go/bin/go ]]; then
    go_bin=/usr/local/go/bin/go
  fi
  [[ -n $go_bin && -x $go_bin ]] ||
    die "go not found (looked at \$GO, PATH and /usr/local/go/bin/go); k6 and otelcol-lab are built from source and need Go 1.26 or newer"
  # The builder runs `go` itself: make it find the same one.
  PATH=$(dirname -- "$go_bin"):$PATH
  export PATH
  go_flags=$("$go_bin" env GOFLAGS)
  [[ " $go_flags " == *' -trimpath '* ]] || go_flags="${go_flags:+$go_flags }-trimpath"
  log "using $("$go_bin" version)"
}

# Runs a command with its output in a log file; on failure shows the tail and stops.
run_logged() { # log file, command...
  local log_file=$1
  shift
  if ! "$@" >>"$log_file" 2>&1; then
    tail -n 40 -- "$log_file" >&2
    die "failed: $* (full log: $log_file)"
  fi
}

go_install() { # GOBIN, module@version, log file
  run_logged "$3" env GOBIN="$1" GOFLAGS="$go_flags" "$go_bin" install -ldflags='-s -w' "$2"
}

install_k6() {
  local want="go.k6.io/k6@$K6_VERSION" log_file=$logs/k6.log
  is_current "$bin/k6" "$stamps/k6" "$want" && return 0
  ensure_go
  log "building k6 $K6_VERSION (first time, a few minutes)…"
  local start=$SECONDS
  : >"$log_file"
  go_install "$bin" "$want" "$log_file"
  run_logged "$log_file" "$bin/k6" version
  printf '%s\n' "$want" >"$stamps/k6"
  log "built k6 in $(elapsed $((SECONDS - start)))"
}

install_otelcol() {
  local want builder=$otelcol_work/builder build=$otelcol_work/build log_file=$logs/otelcol-lab.log
  want="manifest-sha256=$(sha256sum "$manifest" | cut -d' ' -f1) builder=$OCB_VERSION"
  is_current "$bin/otelcol-lab" "$stamps/otelcol-lab" "$want" && return 0
  ensure_go
  : >"$log_file"

  local builder_want="go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
  if ! is_current "$builder" "$stamps/builder" "$builder_want"; then
    log "installing the collector builder $OCB_VERSION…"
    go_install "$otelcol_work" "$builder_want" "$log_file"
    printf '%s\n' "$builder_want" >"$stamps/builder"
  fi

  log "building otelcol-lab with builder $OCB_VERSION (first time or manifest changed, a few minutes)…"
  local start=$SECONDS
  # The builder's three steps, run one by one because its own `go mod tidy` fails
  # outright when a component's test-only dependency can't be downloaded: the module
  # proxy here refuses otlpencodingextension, which only fileexporter's tests import.
  # `tidy -e` records everything else; a module the binary really needs still fails
  # the compile step. The manifest's output_path is relative to the working
  # directory, so the sources stay in the cache; start clean so that nothing of an
  # older manifest survives.
  rm -rf -- "$build"
  # Generating writes go.mod before the builder's own tidy runs (and may fail).
  env -C "$otelcol_work" "$builder" --config="$manifest" --skip-compilation >>"$log_file" 2>&1 || true
  [[ -f $build/go.mod ]] || {
    tail -n 40 -- "$log_file" >&2
    die "the collector builder generated no go.mod (full log: $log_file)"
  }
  run_logged "$log_file" env -C "$build" "$go_bin" mod tidy -e -compat=1.25
  if grep -q 'not available' "$log_file"; then
    log "note: test-only dependencies of some components are not on the module proxy; skipped (see $log_file)"
  fi
  # The builder compiles with -trimpath and -ldflags='-s -w' itself.
  run_logged "$log_file" env -C "$otelcol_work" \
    "$builder" --config="$manifest" --skip-generate --skip-get-modules
  install -m 755 "$build/otelcol-lab" "$bin/.otelcol-lab.tmp"
  mv -f -- "$bin/.otelcol-lab.tmp" "$bin/otelcol-lab"
  run_logged "$log_file" "$bin/otelcol-lab" components
  printf '%s\n' "$want" >"$stamps/otelcol-lab"
  log "built otelcol-lab in $(elapsed $((SECONDS - start)))"
}

# --- main ------------------------------------------------------------------------

[[ -f $manifest ]] || die "collector manifest not found: $manifest"
mkdir -p -- "$bin" "$stamps" "$otelcol_work" "$logs"
# Parallel runs (several test processes, CI steps) wait for one another.
exec 9>"$cache/.lock"
flock 9

install_debian_packages
install_k6
install_otelcol

printf 'tools ready (cache %s):\n' "$cache"
for tool in k6 otelcol-lab prometheus promtool chromium; do
  path=$(find_tool "$tool") || die "$tool is still missing after installing"
  printf '  %-12s %s\n' "$tool" "$path"
done
