#!/usr/bin/env bash
# portlab build glue: install what is missing, configure, build, then run or test.
#
#   ./build.sh run [ARGS...]   install, build (Release), run portlab with ARGS (default study)
#   ./build.sh test            install, build, run every test; then again under ASan + UBSan
#   ./build.sh bench [ARGS...] install, build, run the port-table benchmark
#   ./build.sh deps            only check (and, as root, install) the Debian packages
#
# Environment: BUILD_DIR (default build), SANITIZE_BUILD_DIR (default build-sanitize),
# JOBS (default: number of cores), PORTLAB_SKIP_SANITIZE=1 to test the Release build only.
set -euo pipefail

cd "$(dirname "$0")"
BUILD_DIR=${BUILD_DIR:-build}
SANITIZE_BUILD_DIR=${SANITIZE_BUILD_DIR:-build-sanitize}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian 12 packages. ns3 (binary package) holds helper programs that ns-3's CMake package
# insists exist; libgsl-dev is linked by ns-3's targets without being a declared dependency.
PACKAGES=(cmake make g++ libns3-dev ns3 libgsl-dev libboost-program-options-dev
          libboost-iostreams-dev libboost-filesystem-dev parallel libgnuplot-iostream-dev gnuplot-nox libgtest-dev
          libbenchmark-dev)

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

missing_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    echo "${missing[@]:-}"
}

ensure_deps() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "build.sh: this is not a Debian system (no dpkg-query); install the equivalents of:" >&2
        echo "  ${PACKAGES[*]}" >&2
        exit 1
    fi
    local missing
    missing=$(missing_packages)
    [ -z "$missing" ] && return 0
    local cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
    if [ "$(id -u)" -ne 0 ]; then
        echo "build.sh: missing Debian packages: $missing" >&2
        echo "build.sh: run as root (or with sudo):" >&2
        echo "  $cmd" >&2
        exit 1
    fi
    echo "build.sh: installing $missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    missing=$(missing_packages)
    if [ -n "$missing" ]; then
        echo "build.sh: still missing after apt-get: $missing" >&2
        exit 1
    fi
}

configure_and_build() { # DIR [cmake args...]
    local dir=$1
    shift
    mkdir -p "$dir"
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir/configure.log" 2>&1 || {
        cat "$dir/configure.log" >&2
        echo "build.sh: cmake configure failed (log above)" >&2
        exit 1
    }
    cmake --build "$dir" -j "$JOBS"
}

run_tests() { # DIR
    (cd "$1" && ctest --output-on-failure -j "$JOBS" --timeout 900)
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    run)
        ensure_deps
        configure_and_build "$BUILD_DIR"
        exec "$BUILD_DIR/scratch/portlab" "$@"
        ;;
    test)
        ensure_deps
        configure_and_build "$BUILD_DIR"
        run_tests "$BUILD_DIR"
        if [ "${PORTLAB_SKIP_SANITIZE:-0}" != 1 ]; then
            echo "build.sh: the whole suite again under AddressSanitizer + UBSan" >&2
            configure_and_build "$SANITIZE_BUILD_DIR" -DPORTLAB_SANITIZE=ON -DPORTLAB_BUILD_BENCH=OFF
            ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_tests "$SANITIZE_BUILD_DIR"
        fi
        ;;
    bench)
        ensure_deps
        configure_and_build "$BUILD_DIR"
        exec "$BUILD_DIR/bench/portlab-bench-ports" "$@"
        ;;
    deps)
        ensure_deps
        echo "build.sh: all packages present"
        ;;
    -h | --help | help)
        usage
        ;;
    *)
        echo "build.sh: unknown command '${cmd}'; allowed: run, test, bench, deps, help" >&2
        usage >&2
        exit 2
        ;;
esac
