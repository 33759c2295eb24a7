#!/usr/bin/env bash
# Installs the real tools the tests drive (`npm run tools`):
#   chromium                         Debian package, via apt-get when missing
#   prometheus, promtool             built with Go at the version the bundle pins
#   vegeta                           go install, pinned (the load generator of the API tests
#                                    and the stress benchmark; MIT)
#   otelcol-lab                      OpenTelemetry Collector built by the official
#                                    builder from tools/otelcol/builder-config.yaml
#   kubectl kustomize / kustomize    deploy/k8s builds: kubectl from PATH when it embeds
#                                    kustomize v5 (it is not fetched here); else the
#                                    standalone kustomize, go install, pinned
#   toxiproxy-server, toxiproxy-cli  go install, pinned (network faults)
# Go builds land in a cache outside the repo (binaries in $cache/bin) and are reused:
# with everything in place this does no work and just prints the paths.
# test/support/tools.ts resolves the tools the same way: cache bin, PATH, /usr/bin.
#
# Environment:
#   LAB_TOOLS_DIR  the cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/concurrency-lab/tools)
#   GO             the go binary (default: go on PATH, then /usr/local/go/bin/go)
set -euo pipefail

# vegeta: MIT. k6 (AGPL-3.0) is not built or fetched here: the k6 scripts are for users.
readonly VEGETA_VERSION=v12.13.0
# Must equal the v0.x versions in the manifest; bump both together.
readonly OCB_VERSION=v0.165.0
# The kustomize that kubectl 1.32 embeds; built only when no such kubectl is on PATH.
readonly KUSTOMIZE_VERSION=v5.5.0
# Must equal the prom/prometheus image tag in docker-compose.yml (test/bundle/prometheus-config.test.ts
# checks both binaries' --version against it).
readonly PROMETHEUS_VERSION=3.7.0
readonly TOXIPROXY_VERSION=v2.12.0

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
# starting services; invoke-rc.d and deb-systemd-invoke both honour it: a tool the
# tests drive must not leave a server running (Prometheus is built from source now,
# not taken from Debian, whose package started one on :9090).
policy_rc_d=/usr/sbin/policy-rc.d
policy_placed=''
remove_policy() {
  if [[ -n $policy_placed ]]; then
    as_root rm -f "$policy_rc_d"
    policy_placed=''
  fi
}
trap remove_policy EXIT

install_debian_packages() {
  local missing=()
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
    die "go not found (looked at \$GO, PATH and /usr/local/go/bin/go); vegeta and otelcol-lab are built from source and need Go 1.26 or newer"
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

install_vegeta() {
  local want="github.com/tsenart/vegeta/v12@$VEGETA_VERSION" log_file=$logs/vegeta.log
  is_current "$bin/vegeta" "$stamps/vegeta" "$want" && return 0
  ensure_go
  log "building vegeta $VEGETA_VERSION (first time, about a minute)…"
  local start=$SECONDS
  : >"$log_file"
  go_install "$bin" "$want" "$log_file"
  run_logged "$log_file" "$bin/vegeta" -version
  printf '%s\n' "$want" >"$stamps/vegeta"
  log "built vegeta in $(elapsed $((SECONDS - start)))"
}

# Prometheus 3.X.Y is the Go module github.com/prometheus/prometheus v0.3XX.Y (3.7.0: v0.307.0).
# `go install .../cmd/prometheus@v0.307.0` refuses it: the module's go.mod has exclude directives,
# which go install allows only in a main module. So the module is downloaded and built as the
# main module from a copy in the cache, with the version stamped in as the release does. Without
# the `builtinassets` tag the web UI is left out; the API, which the tests use, is all there.
install_prometheus() {
  local major minor patch
  IFS=. read -r major minor patch <<<"$PROMETHEUS_VERSION"
  local module_version
  module_version=$(printf 'v0.%d%02d.%d' "$major" "$minor" "$patch")
  local want="github.com/prometheus/prometheus@$module_version ($PROMETHEUS_VERSION)"
  if is_current "$bin/prometheus" "$stamps/prometheus" "$want" && [[ -x $bin/promtool ]]; then
    return 0
  fi
  ensure_go
  log "building prometheus and promtool $PROMETHEUS_VERSION (first time, several minutes)…"
  local start=$SECONDS log_file=$logs/prometheus.log work=$cache/prometheus
  : >"$log_file"
  mkdir -p -- "$work"
  local module_dir
  module_dir=$(env -C "$work" GOFLAGS="$go_flags" "$go_bin" mod download -json "github.com/prometheus/prometheus@$module_version" 2>>"$log_file" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
  [[ -n $module_dir && -f $module_dir/go.mod ]] || {
    tail -n 40 -- "$log_file" >&2
    die "could not download github.com/prometheus/prometheus@$module_version (full log: $log_file)"
  }
  rm -rf -- "$work/src"
  cp -R -- "$module_dir" "$work/src"
  chmod -R u+w -- "$work/src"
  local version_pkg=github.com/prometheus/common/version
  run_logged "$log_file" env -C "$work/src" GOFLAGS="$go_flags" "$go_bin" build \
    -ldflags="-s -w -X $version_pkg.Version=$PROMETHEUS_VERSION -X $version_pkg.Branch=HEAD -X $version_pkg.BuildUser=concurrency-lab" \
    -o "$work/out/" ./cmd/prometheus ./cmd/promtool
  for tool in prometheus promtool; do
    install -m 755 "$work/out/$tool" "$bin/.$tool.tmp"
    mv -f -- "$bin/.$tool.tmp" "$bin/$tool"
  done
  rm -rf -- "$work/src" "$work/out"
  run_logged "$log_file" "$bin/prometheus" --version
  printf '%s\n' "$want" >"$stamps/prometheus"
  log "built prometheus and promtool in $(elapsed $((SECONDS - start)))"
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

# --- kustomize -------------------------------------------------------------------

# test/k8s/ builds deploy/k8s with `kubectl kustomize` (what `kubectl apply -k` runs) when
# the kubectl on PATH embeds kustomize v5 (kubectl >= 1.27; the machine images here have
# one). kubectl is not installed here: Debian's package (kubernetes-client) is kubectl 1.20
# with kustomize v2, which cannot build these kustomizations, and kubectl is not published
# on the Go module proxy. Without a suitable kubectl, the standalone kustomize (Apache-2.0)
# is built from the module proxy; test/k8s/support/kustomize.ts uses it then.
kubectl_with_kustomize_v5() {
  local kubectl
  kubectl=$(find_tool kubectl) || return 1
  "$kubectl" version --client 2>/dev/null | grep -q '^Kustomize Version: v5\.' || return 1
  printf '%s\n' "$kubectl"
}

install_kustomize() {
  kubectl_with_kustomize_v5 >/dev/null && return 0
  local want="sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" log_file=$logs/kustomize.log
  is_current "$bin/kustomize" "$stamps/kustomize" "$want" && return 0
  ensure_go
  log "no kubectl with kustomize v5 on PATH: building kustomize $KUSTOMIZE_VERSION (a minute or two)…"
  local start=$SECONDS
  : >"$log_file"
  go_install "$bin" "$want" "$log_file"
  run_logged "$log_file" "$bin/kustomize" version
  printf '%s\n' "$want" >"$stamps/kustomize"
  log "built kustomize in $(elapsed $((SECONDS - start)))"
}

# --- Python reference (issue 11) ---------------------------------------------------

# The Python rows of `compare` run the talk's examples with Debian's python3 and its
# packages. A python3 first on PATH (pyenv, a venv) may lack them while /usr/bin/python3
# has them: src/report/python-interpreter.ts tries every python3 on PATH in order, so
# only install when none of them imports all three modules.
readonly python_debian_packages=(python3 python3-pil python3-requests python3-aiohttp)
python_with_modules() {
  local dir candidate
  local IFS=:
  for dir in $PATH; do
    candidate=${dir:-.}/python3
    if [[ -x $candidate ]] && "$candidate" -c 'import PIL, requests, aiohttp' >/dev/null 2>&1; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

install_python_reference() {
  python_with_modules >/dev/null && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; install ${python_debian_packages[*]} with your system's package manager"
  log "installing Debian packages for the Python reference: ${python_debian_packages[*]}…"
  local start=$SECONDS
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${python_debian_packages[@]}" >/dev/null
  python_with_modules >/dev/null ||
    die "installed ${python_debian_packages[*]} but no python3 on PATH imports PIL, requests and aiohttp"
  log "installed the Python reference's packages in $(elapsed $((SECONDS - start)))"
}

# --- Toxiproxy ---------------------------------------------------------------------

# Toxiproxy's two commands install as `server` and `cli`: built into a work dir and
# installed under names that say what they are.
install_toxiproxy() {
  local want="github.com/Shopify/toxiproxy/v2@$TOXIPROXY_VERSION" work=$cache/toxiproxy log_file=$logs/toxiproxy.log
  is_current "$bin/toxiproxy-server" "$stamps/toxiproxy" "$want" && [[ -x $bin/toxiproxy-cli ]] && return 0
  ensure_go
  log "building toxiproxy $TOXIPROXY_VERSION (first time, a minute)…"
  local start=$SECONDS
  : >"$log_file"
  mkdir -p -- "$work"
  go_install "$work" "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION" "$log_file"
  go_install "$work" "github.com/Shopify/toxiproxy/v2/cmd/cli@$TOXIPROXY_VERSION" "$log_file"
  install -m 755 "$work/server" "$bin/toxiproxy-server"
  install -m 755 "$work/cli" "$bin/toxiproxy-cli"
  run_logged "$log_file" "$bin/toxiproxy-server" -version
  printf '%s\n' "$want" >"$stamps/toxiproxy"
  log "built toxiproxy in $(elapsed $((SECONDS - start)))"
}

# --- main ------------------------------------------------------------------------

[[ -f $manifest ]] || die "collector manifest not found: $manifest"
mkdir -p -- "$bin" "$stamps" "$otelcol_work" "$logs"
# Parallel runs (several test processes, CI steps) wait for one another.
exec 9>"$cache/.lock"
flock 9

install_debian_packages
install_prometheus
install_vegeta
install_otelcol
install_kustomize
install_python_reference
install_toxiproxy

printf 'tools ready (cache %s):\n' "$cache"
for tool in vegeta otelcol-lab toxiproxy-server toxiproxy-cli prometheus promtool chromium; do
  path=$(find_tool "$tool") || die "$tool is still missing after installing"
  printf '  %-12s %s\n' "$tool" "$path"
done
if path=$(kubectl_with_kustomize_v5); then
  printf '  %-12s %s kustomize\n' kustomize "$path"
else
  path=$(find_tool kustomize) || die "kustomize is still missing after installing"
  printf '  %-12s %s\n' kustomize "$path"
fi
printf '  %-12s %s\n' python3 "$(python_with_modules)"
