#!/usr/bin/env bash
# scripts/toolchain.sh — build the pinned local toolchain (Pulumi CLI, Node.js language
# host, provider plugins, Kubernetes control plane, etcd, kwok) from Go modules into a
# versioned per-machine cache, once.
#
#   scripts/toolchain.sh              build whatever is missing, then print the exports
#   scripts/toolchain.sh env          print the exports only (no build; exit 1 if not built)
#   scripts/toolchain.sh --print-dir  print the bin directory
#   scripts/toolchain.sh sync         maintainers: re-pin wrapper go.mod files from
#                                     toolchain/versions.env (needs the module proxy)
#
# Typical use:   eval "$(scripts/toolchain.sh env || scripts/toolchain.sh | tail -n 5)"
# or simply:     scripts/toolchain.sh >/dev/null && eval "$(scripts/toolchain.sh env)"
#
# Cache layout (see toolchain/README.md):
#   ${MODEL_SERVICES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/model-services}/toolchain/<hash>/
#     bin/          the binaries (or symlinks to matching binaries found on PATH)
#     providers/    pulumi-resource-{kubernetes,random} (kept off PATH)
#     pulumi-home/  PULUMI_HOME with those provider plugins installed
#     logs/<step>.log, stamps/<step>, build/ (scratch), env.sh
# <hash> covers toolchain/versions.env and every wrapper go.mod/go.sum; each step's stamp
# also covers that step's own sources, so editing one wrapper rebuilds only that step.
# Go's module and build caches (GOMODCACHE, GOCACHE) are the normal ones and are reused.
set -euo pipefail

# Everything is inside main() so bash parses the whole file before running any of it
# (editing this script while a long build runs must not break that build).
main() {

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TC="$REPO_ROOT/toolchain"
export LC_ALL=C

log() { printf '[toolchain] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -f "$TC/versions.env" ]] || die "missing $TC/versions.env"
# shellcheck source=../toolchain/versions.env
. "$TC/versions.env"

CACHE_ROOT="${MODEL_SERVICES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/model-services}"
WRAPPERS=()
for w in pulumi pulumi-language-nodejs pulumi-yaml pulumi-kubernetes pulumi-random kubernetes etcd kwok; do
  [[ -f "$TC/$w/go.mod" ]] && WRAPPERS+=("$w")
done

inputs_hash() {
  (
    cd "$TC"
    local f
    for f in versions.env "${WRAPPERS[@]/%//go.mod}" "${WRAPPERS[@]/%//go.sum}"; do
      printf '%s\n' "$f"
      cat "$f"
    done
  ) | sha256sum | cut -c1-16
}

HASH="$(inputs_hash)"
DIR="$CACHE_ROOT/toolchain/$HASH"
BIN="$DIR/bin"
# Provider plugins live outside bin/ (the engine would otherwise pick them up from PATH
# with a warning); they are installed into PULUMI_HOME from here.
PROVIDERS="$DIR/providers"
PULUMI_HOME_DIR="$DIR/pulumi-home"
LOGS="$DIR/logs"
STAMPS="$DIR/stamps"
ENV_FILE="$DIR/env.sh"

env_text() {
  cat <<EOF
export PATH="$BIN:\$PATH"
export PULUMI_HOME="$PULUMI_HOME_DIR"
export MODEL_SERVICES_TOOLCHAIN_BIN="$BIN"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
EOF
}

case "${1:-build}" in
  env)
    if [[ -f "$DIR/complete" && -f "$ENV_FILE" ]]; then
      cat "$ENV_FILE"
      exit 0
    fi
    log "toolchain $HASH is not built yet (run scripts/toolchain.sh)"
    exit 1
    ;;
  --print-dir | print-dir)
    printf '%s\n' "$BIN"
    exit 0
    ;;
  -h | --help | help)
    sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  build | sync) ;;
  *) die "unknown command '$1' (try --help)" ;;
esac

command -v go >/dev/null || die "go is not on PATH (Go >= $GO_MIN_VERSION is needed)"
GO_HAVE="$(go env GOVERSION)"
GO_HAVE="${GO_HAVE#go}"
if [[ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "${GO_HAVE%%[-+ ]*}" | sort -V | head -n1)" != "$GO_MIN_VERSION" ]]; then
  die "go $GO_HAVE is older than $GO_MIN_VERSION (set GOTOOLCHAIN=go$GO_MIN_VERSION or newer)"
fi

export CGO_ENABLED=0
# -mod=readonly: the committed go.mod/go.sum must already cover the build (reproducible).
export GOFLAGS="-buildvcs=false -mod=readonly"

# ---- version pins expected in the wrapper go.mod files ----------------------------------
declare -A PIN=(
  [pulumi:github.com/pulumi/pulumi/pkg/v3]="v$PULUMI_VERSION"
  [pulumi:github.com/pulumi/pulumi/sdk/v3]="v$PULUMI_VERSION"
  [pulumi-language-nodejs:github.com/pulumi/pulumi/sdk/v3]="v$PULUMI_VERSION"
  [pulumi-yaml:github.com/pulumi/pulumi-yaml]="v$PULUMI_YAML_VERSION"
  [pulumi-random:github.com/pulumi/pulumi/sdk/v3]="v$PULUMI_VERSION"
  [pulumi-kubernetes:github.com/pulumi/pulumi-kubernetes/provider/v4]="$PULUMI_KUBERNETES_MODULE_VERSION"
  [kubernetes:k8s.io/kubernetes]="v$KUBERNETES_VERSION"
  [etcd:go.etcd.io/etcd/server/v3]="v$ETCD_VERSION"
  [kwok:sigs.k8s.io/kwok]="v$KWOK_VERSION"
)

modfile_version() { # <wrapper> <module>: version required in toolchain/<wrapper>/go.mod
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' \
    "$TC/$1/go.mod"
}

if [[ "${1:-build}" == sync ]]; then
  K8S_MINOR_PATCH="${KUBERNETES_VERSION#*.}"
  for key in "${!PIN[@]}"; do
    w="${key%%:*}" m="${key#*:}" v="${PIN[$key]}"
    log "sync $w: $m@$v"
    (cd "$TC/$w" && GOFLAGS=-mod=mod go get "$m@$v")
  done
  # k8s.io/kubernetes points its staging modules at ./staging/src; map each to v0.<minor>.<patch>.
  k8s_mod="$(cd "$TC/kubernetes" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | awk -F'"' '/"GoMod"/ {print $4}')"
  grep -E '^\s*k8s.io/[a-z0-9-]+ => \./staging/' "$k8s_mod" | awk '{print $1}' | while read -r m; do
    (cd "$TC/kubernetes" && go mod edit -replace "$m=$m@v0.$K8S_MINOR_PATCH")
  done
  for w in "${WRAPPERS[@]}"; do
    log "tidy $w"
    (cd "$TC/$w" && GOFLAGS=-mod=mod go mod tidy)
  done
  log "done; review and commit toolchain/*/go.mod toolchain/*/go.sum"
  exit 0
fi

for key in "${!PIN[@]}"; do
  w="${key%%:*}" m="${key#*:}" want="${PIN[$key]}"
  have="$(modfile_version "$w" "$m")"
  [[ "$have" == "$want" ]] ||
    die "toolchain/$w/go.mod requires $m ${have:-<none>}, versions.env pins $want (run scripts/toolchain.sh sync)"
done

mkdir -p "$BIN" "$PROVIDERS" "$PULUMI_HOME_DIR" "$LOGS" "$STAMPS" "$DIR/build"

# One build per cache dir at a time (CI and a developer shell may race).
if command -v flock >/dev/null; then
  exec 9>"$DIR/lock"
  flock 9
fi

TOTAL_START=$SECONDS
BUILT_ANY=0

# ---- helpers ----------------------------------------------------------------------------
step_hash() { # <wrapper dir> <extra text>: fingerprint of a step's own inputs
  {
    printf '%s\n' "$HASH" "$2"
    (cd "$TC/$1" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 |
      sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

stamp_ok() { # <step> <fingerprint> <binaries...>
  local step=$1 fp=$2 b
  shift 2
  [[ -f "$STAMPS/$step" && "$(head -n1 "$STAMPS/$step")" == "$fp" ]] || return 1
  for b in "$@"; do [[ -x "$BIN/$b" ]] || return 1; done
}

write_stamp() { printf '%s\n%s\n' "$2" "$(date -u +%FT%TZ)" >"$STAMPS/$1"; }

# run_step <step> <fingerprint> <function> <binaries...>
run_step() {
  local step=$1 fp=$2 fn=$3
  shift 3
  if stamp_ok "$step" "$fp" "$@"; then
    log "$step ... cached"
    return 0
  fi
  local start=$SECONDS logf="$LOGS/$step.log"
  log "$step ..."
  # Not inside `if`: set -e must stay in force in the step (bash ignores it in conditions).
  local rc=0
  set +e
  (
    set -e
    "$fn" "$@"
  ) >"$logf" 2>&1
  rc=$?
  set -e
  if ((rc != 0)); then
    log "$step ... FAILED after $((SECONDS - start))s; log: $logf"
    tail -n 25 "$logf" | sed 's/^/    /' >&2
    exit 1
  fi
  write_stamp "$step" "$fp"
  BUILT_ANY=1
  log "$step ... done in $((SECONDS - start))s"
}

# find_on_path <name> <version check command pattern...>: a binary of that name on PATH
# (outside our bin dir) whose version output contains the wanted string.
find_on_path() { # <name> <wanted substring> <version args...>
  local name=$1 want=$2 p
  shift 2
  while IFS= read -r p; do
    [[ -n "$p" && "$(readlink -f "$p")" != "$BIN"/* && "$(dirname "$p")" != "$BIN" ]] || continue
    if "$p" "$@" 2>&1 | head -n 5 | grep -qF -- "$want"; then
      printf '%s\n' "$p"
      return 0
    fi
  done < <(type -ap "$name" 2>/dev/null)
  return 1
}

# reuse_or_build <step> <binary> <wanted substring> <version args...>: link a matching
# binary from PATH into bin/ and stamp it; returns 1 when there is none.
reuse_from_path() {
  local step=$1 name=$2 want=$3 p
  shift 3
  p="$(find_on_path "$name" "$want" "$@")" || return 1
  ln -sfn "$p" "$BIN/$name"
  log "$step ... using $p ($want)"
  return 0
}

check_version() { # <binary> <wanted substring> <args...>
  local b=$1 want=$2 out
  shift 2
  out="$("$BIN/$b" "$@" 2>&1 | head -n 5)" || true
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "$b $*: expected '$want' in: $out"
    return 1
  fi
  echo "$b $*: $(head -n1 <<<"$out")"
}

gobuild() { # <wrapper dir> <go build args...>
  local w=$1
  shift
  cd "$TC/$w"
  echo "+ (cd toolchain/$w && go build $*)"
  go build -trimpath "$@"
}

# ---- steps ------------------------------------------------------------------------------
step_modules() {
  local w
  for w in "${WRAPPERS[@]}"; do
    echo "== $w"
    (cd "$TC/$w" && go mod download)
  done
}

PULUMI_LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
step_pulumi() {
  gobuild pulumi -tags osusergo,grpcnotrace -ldflags "$PULUMI_LDFLAGS" \
    -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  check_version pulumi "v$PULUMI_VERSION" version
}

step_language_nodejs() {
  gobuild pulumi-language-nodejs -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_LANGUAGE_NODEJS_VERSION" \
    -o "$BIN/pulumi-language-nodejs" .
  check_version pulumi-language-nodejs "v$PULUMI_LANGUAGE_NODEJS_VERSION" -version
}

YAML_LDFLAGS="-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION"
step_language_yaml() {
  gobuild pulumi-yaml -tags osusergo,grpcnotrace -ldflags "$YAML_LDFLAGS" \
    -o "$BIN/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
  # The host has no version flag; the module version is in the binary's build info.
  go version -m "$BIN/pulumi-language-yaml" | grep -E "^\s+(mod|dep)\s+github.com/pulumi/pulumi-yaml\s+v$PULUMI_YAML_VERSION\s"
}

K8S_MINOR="${KUBERNETES_VERSION#*.}"
K8S_MINOR="${K8S_MINOR%%.*}"
K8S_VERSION_VARS=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_VERSION_VARS+=" -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=${KUBERNETES_VERSION%%.*}"
  K8S_VERSION_VARS+=" -X $pkg.gitMinor=$K8S_MINOR -X $pkg.gitTreeState=clean"
  K8S_VERSION_VARS+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
step_kubernetes() {
  local b pkgs=()
  for b in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  gobuild kubernetes -pgo=off -ldflags "-s -w$K8S_VERSION_VARS" -o "$BIN/" "${pkgs[@]}"
  for b in "$@"; do
    case $b in
      kubectl) check_version kubectl "v$KUBERNETES_VERSION" version --client ;;
      *) check_version "$b" "Kubernetes v$KUBERNETES_VERSION" --version ;;
    esac
  done
}

step_etcd() {
  gobuild etcd -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-v$ETCD_VERSION" \
    -o "$BIN/etcd" .
  check_version etcd "etcd Version: $ETCD_VERSION" --version
}

KWOK_LDFLAGS="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
KWOK_LDFLAGS+=" -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBERNETES_VERSION"
KWOK_LDFLAGS+=" -X sigs.k8s.io/kwok/pkg/consts.PreRelease=GA"
step_kwok() {
  gobuild kwok -ldflags "$KWOK_LDFLAGS" -o "$BIN/" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
  check_version kwokctl "$KWOK_VERSION" --version
  check_version kwok "$KWOK_VERSION" --version
}

step_pulumi_kubernetes() {
  local src build="$DIR/build/pulumi-kubernetes"
  src="$(cd "$TC/pulumi-kubernetes" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
  rm -rf "$build"
  mkdir -p "$build"
  cp "$TC/pulumi-kubernetes/go.mod" "$TC/pulumi-kubernetes/go.sum" "$TC/pulumi-kubernetes/"*.go "$build/"
  cd "$build"
  go run gen_embed.go "$src/cmd/pulumi-resource-kubernetes/schema.json" \
    "$src/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$PULUMI_KUBERNETES_VERSION"
  echo "+ go build (generated schema-embed.json for $PULUMI_KUBERNETES_VERSION from $src)"
  go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" \
    -o "$PROVIDERS/pulumi-resource-kubernetes" .
  rm -rf "$build"
}

step_pulumi_random() {
  gobuild pulumi-random -ldflags "-s -w -X main.providerVersion=$PULUMI_RANDOM_VERSION" \
    -o "$PROVIDERS/pulumi-resource-random" .
  "$PROVIDERS/pulumi-resource-random" -version | grep -qxF "$PULUMI_RANDOM_VERSION"
}

step_plugins() {
  export PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true
  "$BIN/pulumi" plugin install resource kubernetes "$PULUMI_KUBERNETES_VERSION" \
    --file "$PROVIDERS/pulumi-resource-kubernetes" --reinstall
  "$BIN/pulumi" plugin install resource random "$PULUMI_RANDOM_VERSION" \
    --file "$PROVIDERS/pulumi-resource-random" --reinstall
  "$BIN/pulumi" plugin ls
}

# ---- run --------------------------------------------------------------------------------
log "cache: $DIR"

run_step modules "$HASH" step_modules

# Pulumi CLI (+ its language host when a matching pulumi install already has one).
fp="$(step_hash pulumi "$PULUMI_LDFLAGS")"
if ! stamp_ok pulumi "$fp" pulumi && reuse_from_path pulumi pulumi "v$PULUMI_VERSION" version; then
  write_stamp pulumi "$fp"
fi
run_step pulumi "$fp" step_pulumi pulumi

fp="$( [[ -d "$TC/pulumi-language-nodejs" ]] && step_hash pulumi-language-nodejs "$PULUMI_LANGUAGE_NODEJS_VERSION" || echo none)"
if ! stamp_ok pulumi-language-nodejs "$fp" pulumi-language-nodejs; then
  ext="$(readlink -f "$BIN/pulumi")"
  if [[ "$ext" != "$BIN"/* && -x "$(dirname "$ext")/pulumi-language-nodejs" ]]; then
    ln -sfn "$(dirname "$ext")/pulumi-language-nodejs" "$BIN/pulumi-language-nodejs"
    log "pulumi-language-nodejs ... using the one beside $ext"
    write_stamp pulumi-language-nodejs "$fp"
  fi
fi
if [[ -d "$TC/pulumi-language-nodejs" ]]; then
  run_step pulumi-language-nodejs "$fp" step_language_nodejs pulumi-language-nodejs
else
  log "pulumi-language-nodejs ... no wrapper (toolchain/pulumi-language-nodejs missing)"
fi

fp="$(step_hash pulumi-yaml "$YAML_LDFLAGS")"
run_step pulumi-language-yaml "$fp" step_language_yaml pulumi-language-yaml

# Kubernetes binaries: reuse matching ones from PATH, build the rest in one go build.
K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
fp="$(step_hash kubernetes "$K8S_VERSION_VARS")"
if ! stamp_ok kubernetes "$fp" "${K8S_BINS[@]}"; then
  missing=()
  for b in "${K8S_BINS[@]}"; do
    if [[ $b == kubectl ]]; then
      reuse_from_path kubernetes kubectl "Client Version: v$KUBERNETES_VERSION" version --client || missing+=("$b")
    else
      reuse_from_path kubernetes "$b" "Kubernetes v$KUBERNETES_VERSION" --version || missing+=("$b")
    fi
  done
  ((${#missing[@]})) || write_stamp kubernetes "$fp"
fi
run_step kubernetes "$fp" step_kubernetes "${K8S_BINS[@]}"

fp="$(step_hash etcd "$ETCD_VERSION")"
if ! stamp_ok etcd "$fp" etcd && reuse_from_path etcd etcd "etcd Version: $ETCD_VERSION" --version; then
  write_stamp etcd "$fp"
fi
run_step etcd "$fp" step_etcd etcd

fp="$(step_hash kwok "$KWOK_LDFLAGS")"
if ! stamp_ok kwok "$fp" kwok kwokctl &&
  reuse_from_path kwok kwokctl "$KWOK_VERSION" --version && reuse_from_path kwok kwok "$KWOK_VERSION" --version; then
  write_stamp kwok "$fp"
fi
run_step kwok "$fp" step_kwok kwok kwokctl

fp="$(step_hash pulumi-kubernetes "$PULUMI_KUBERNETES_VERSION")"
run_step pulumi-kubernetes "$fp" step_pulumi_kubernetes ../providers/pulumi-resource-kubernetes

fp="$(step_hash pulumi-random "$PULUMI_RANDOM_VERSION")"
run_step pulumi-random "$fp" step_pulumi_random ../providers/pulumi-resource-random

# Plugins: re-install when a provider binary, a plugin version or the CLI changed.
fp="$(cat "$STAMPS/pulumi-kubernetes" "$STAMPS/pulumi-random" | sha256sum | cut -c1-16)"
fp+="-$PULUMI_KUBERNETES_VERSION-$PULUMI_RANDOM_VERSION-$(readlink -f "$BIN/pulumi" | sha256sum | cut -c1-8)"
for p in "kubernetes-v$PULUMI_KUBERNETES_VERSION" "random-v$PULUMI_RANDOM_VERSION"; do
  [[ -d "$PULUMI_HOME_DIR/plugins/resource-$p" ]] || rm -f "$STAMPS/plugins"
done
run_step plugins "$fp" step_plugins

# The Envoy config validator (tools/envoy-validate) keeps its own cache, keyed by its sources.
if [[ -x "$("$REPO_ROOT/scripts/envoy-validate.sh" --print-path 2>/dev/null)" ]]; then
  log "envoy-validate ... cached"
else
  start=$SECONDS
  log "envoy-validate ..."
  mkdir -p "$LOGS"
  "$REPO_ROOT/scripts/envoy-validate.sh" --build-only >"$LOGS/envoy-validate.log" 2>&1 || {
    log "envoy-validate ... FAILED after $((SECONDS - start))s; log: $LOGS/envoy-validate.log"
    tail -n 25 "$LOGS/envoy-validate.log" | sed 's/^/    /' >&2
    exit 1
  }
  BUILT_ANY=1
  log "envoy-validate ... done in $((SECONDS - start))s"
fi

env_text >"$ENV_FILE"
touch "$DIR/complete"
if ((BUILT_ANY)); then
  log "total $((SECONDS - TOTAL_START))s; $(du -sh "$DIR" 2>/dev/null | cut -f1) in $DIR"
else
  log "nothing to build ($((SECONDS - TOTAL_START))s)"
fi
cat "$ENV_FILE"
}

main "$@"
