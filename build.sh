#!/usr/bin/env bash
# portlab build glue: install what is missing, configure, build, then run or test.
#
#   ./build.sh run [ARGS...]   install, build (Release), run portlab with ARGS (default study)
#   ./build.sh test            install, build, build the API docs (doxygen: any warning fails),
#                              run every test; then again under ASan + UBSan (all but the
#                              README-command runs, label readme); then a short fuzz
#                              pass (CI_FUZZ_SECONDS per target)
#   ./build.sh fuzz [SECONDS]  install, build the libFuzzer targets (clang), fuzz each for
#                              SECONDS (default 40); a new crash fails with the input's path
#   ./build.sh bench [ARGS...] install, build, run the port-table benchmark
#   ./build.sh doc             install, configure, build the API docs into BUILD_DIR/doc/html
#   ./build.sh package         install, build (Release), make the Debian package (cpack -G DEB)
#                              in BUILD_DIR and print its path
#   ./build.sh deps            only check (and, as root, install) the Debian packages
#
# Environment: BUILD_DIR (default build), SANITIZE_BUILD_DIR (default build-sanitize),
# FUZZ_BUILD_DIR (default build-fuzz), FUZZ_CXX (default clang++-14), FUZZ_RSS_MB (memory
# bound per fuzz target, default 2048), CI_FUZZ_SECONDS (default 30), JOBS (default: number of
# cores), PORTLAB_SKIP_SANITIZE=1 to test the Release build only, PORTLAB_SKIP_FUZZ=1 to test
# without the fuzz pass.
set -euo pipefail

cd "$(dirname "$0")"
BUILD_DIR=${BUILD_DIR:-build}
SANITIZE_BUILD_DIR=${SANITIZE_BUILD_DIR:-build-sanitize}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
FUZZ_CXX=${FUZZ_CXX:-clang++-14}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian 12 packages. ns3 (binary package) holds helper programs that ns-3's CMake package
# insists exist; libgsl-dev is linked by ns-3's targets without being a declared dependency.
PACKAGES=(cmake make g++ libns3-dev ns3 libgsl-dev libboost-program-options-dev
          libboost-iostreams-dev libboost-filesystem-dev parallel libgnuplot-iostream-dev gnuplot-nox libgtest-dev
          libbenchmark-dev nlohmann-json3-dev
          doxygen # the API docs of the public headers (doc/): the doc target and test
          pkgconf # the test that builds an example against the installed portlab.pc
          python3 # tests/readme: the README's commands extracted and run as written
          clang-14 libclang-rt-14-dev) # the fuzz targets: clang with libFuzzer, ASan, UBSan

usage() {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
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

# The API documentation (doc/Doxyfile.in): doxygen over the public headers, where any warning
# (an undocumented entity, parameter or return value; a bad command) is an error.
build_docs() { # DIR
    local start=$SECONDS
    if ! cmake --build "$1" --target doc; then
        echo "build.sh: the API documentation has doxygen warnings (above): document each entity" >&2
        echo "build.sh: they name in the public header, then: cmake --build $1 --target doc" >&2
        exit 1
    fi
    echo "build.sh: API documentation in $1/doc/html, no warnings ($((SECONDS - start)) s)" >&2
}

# The Debian package (cmake/PortlabPackage.cmake): cpack in the build directory; prints the
# .deb's path on stdout.
make_package() { # DIR
    local dir=$1 deb
    (cd "$dir" && cpack -G DEB >cpack.log 2>&1) || {
        cat "$dir/cpack.log" >&2
        echo "build.sh: cpack -G DEB failed (log above)" >&2
        exit 1
    }
    deb=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' "$dir/cpack.log" | tail -n 1)
    if [ -z "$deb" ] || [ ! -f "$deb" ]; then
        cat "$dir/cpack.log" >&2
        echo "build.sh: cpack wrote no .deb (log above)" >&2
        exit 1
    fi
    echo "build.sh: Debian package (apt install ./$(basename "$deb") in its directory):" >&2
    echo "$deb"
}

run_tests() { # DIR [CTEST OPTIONS...]
    local dir=$1
    shift
    (cd "$dir" && ctest --output-on-failure -j "$JOBS" --timeout 900 "$@")
}

# --- fuzzing (tests/fuzz; targets.txt lists the targets, their seeds and input sizes) -------

fuzz_targets() {
    grep -E '^[a-z]' tests/fuzz/targets.txt | cut -d'|' -f1 | tr -d ' '
}

fuzz_target_field() { # TARGET FIELD(2: max_len, 3: seed globs)
    grep -E "^$1 *\|" tests/fuzz/targets.txt | cut -d'|' -f"$2"
}

build_fuzz_targets() {
    local targets=()
    for t in $(fuzz_targets); do targets+=(--target "portlab-fuzz-$t"); done
    mkdir -p "$FUZZ_BUILD_DIR"
    CXX=$FUZZ_CXX cmake -S . -B "$FUZZ_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DPORTLAB_FUZZ=ON \
        -DPORTLAB_BUILD_BENCH=OFF >"$FUZZ_BUILD_DIR/configure.log" 2>&1 || {
        cat "$FUZZ_BUILD_DIR/configure.log" >&2
        echo "build.sh: cmake configure of the fuzz tree failed (log above)" >&2
        exit 1
    }
    cmake --build "$FUZZ_BUILD_DIR" -j "$JOBS" "${targets[@]}"
}

# The known-crashes.txt entry (TARGET/FILE) whose signature is in a crash log's report (its
# error line and top stack frames), if any. A signature "A && B" needs both.
known_crash_in() { # TARGET LOG
    local report
    report=$(sed -n '/ERROR: \|runtime error:/,$p' "$2" |
        grep -E '^ *#[0-9]+ |ERROR: |runtime error:|^SUMMARY' | head -n 60)
    local entry sig part found
    while IFS='|' read -r entry sig _; do
        entry=$(echo "$entry" | tr -d ' ')
        [[ $entry == "$1"/* && -n ${sig// /} ]] || continue
        found=1
        while read -r part; do
            part=$(echo "$part" | sed 's/^ *//; s/ *$//')
            grep -qF -- "$part" <<<"$report" || found=0
        done < <(echo "$sig" | sed 's/&&/\n/g')
        if [ "$found" = 1 ]; then
            echo "$entry"
            return 0
        fi
    done < <(grep -vE '^\s*(#|$)' tests/data/fuzz/known-crashes.txt)
    return 1
}

# Fuzz one target for SECONDS; a crash listed in known-crashes.txt is reported and fuzzing goes
# on for the rest of the time; any other ends it and the target counts as failed.
fuzz_target() { # TARGET SECONDS
    local t=$1 end=$((SECONDS + $2)) execs=0 restarts=0
    local work=$FUZZ_BUILD_DIR/fuzz-work/$t
    mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
    rm -rf "$work/seeds" && mkdir -p "$work/seeds"
    local g f
    for g in $(fuzz_target_field "$t" 3); do
        for f in $g; do [ -f "$f" ] && cp "$f" "$work/seeds/"; done
    done
    while [ $((end - SECONDS)) -ge 5 ] && [ "$restarts" -le 30 ]; do
        local log=$work/fuzz-$restarts.log rc=0
        # UBSan's stack is what known_crash_in matches, as ASan's is.
        TMPDIR=$PWD/$work/tmp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$FUZZ_BUILD_DIR/tests/fuzz/portlab-fuzz-$t" -timeout=20 \
            -rss_limit_mb="$FUZZ_RSS_MB" -max_len="$(fuzz_target_field "$t" 2 | tr -d ' ')" \
            -dict="tests/fuzz/dict/$t.dict" -max_total_time=$((end - SECONDS)) \
            -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
            "$work/corpus" "$work/seeds" >"$log" 2>&1 || rc=$?
        execs=$((execs + $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 | grep . || echo 0)))
        [ "$rc" -eq 0 ] && break
        local input known
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        if known=$(known_crash_in "$t" "$log"); then
            echo "fuzz $t: known crash $known (known-crashes.txt) found again: $input" >&2
            restarts=$((restarts + 1))
            continue
        fi
        grep -E -A 40 'ERROR: |runtime error:' "$log" | head -n 60 >&2
        echo "fuzz $t: NEW CRASH (exit $rc); input: ${input:-none written, see $log}" >&2
        echo "fuzz $t: save it as tests/data/fuzz/regressions/$t/WHAT-IT-TRIGGERS" >&2
        echo "fuzz $t: $execs inputs executed (rss limit ${FUZZ_RSS_MB} MB): CRASHED" >&2
        return 1
    done
    echo "fuzz $t: $execs inputs executed (rss limit ${FUZZ_RSS_MB} MB, timeout 20 s)" >&2
}

run_fuzz() { # SECONDS per target
    build_fuzz_targets
    local failed=()
    for t in $(fuzz_targets); do
        fuzz_target "$t" "$1" || failed+=("$t")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "build.sh: fuzzing found new crashes in: ${failed[*]}" >&2
        return 1
    fi
    echo "build.sh: fuzzing found no new crash" >&2
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
        build_docs "$BUILD_DIR"
        run_tests "$BUILD_DIR"
        if [ "${PORTLAB_SKIP_SANITIZE:-0}" != 1 ]; then
            echo "build.sh: the whole suite again under AddressSanitizer + UBSan" >&2
            configure_and_build "$SANITIZE_BUILD_DIR" -DPORTLAB_SANITIZE=ON -DPORTLAB_BUILD_BENCH=OFF
            ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_tests "$SANITIZE_BUILD_DIR" -LE readme
        fi
        if [ "${PORTLAB_SKIP_FUZZ:-0}" != 1 ]; then
            echo "build.sh: a short fuzz pass (${CI_FUZZ_SECONDS:-30} s per target)" >&2
            run_fuzz "${CI_FUZZ_SECONDS:-30}"
        fi
        ;;
    fuzz)
        ensure_deps
        run_fuzz "${1:-40}"
        ;;
    bench)
        ensure_deps
        configure_and_build "$BUILD_DIR"
        exec "$BUILD_DIR/bench/portlab-bench-ports" "$@"
        ;;
    doc)
        ensure_deps
        mkdir -p "$BUILD_DIR"
        cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$BUILD_DIR/configure.log" 2>&1 || {
            cat "$BUILD_DIR/configure.log" >&2
            echo "build.sh: cmake configure failed (log above)" >&2
            exit 1
        }
        build_docs "$BUILD_DIR"
        ;;
    package)
        ensure_deps
        configure_and_build "$BUILD_DIR"
        make_package "$BUILD_DIR"
        ;;
    deps)
        ensure_deps
        echo "build.sh: all packages present"
        ;;
    -h | --help | help)
        usage
        ;;
    *)
        echo "build.sh: unknown command '${cmd}'; allowed: run, test, fuzz, bench, doc, package, deps, help" >&2
        usage >&2
        exit 2
        ;;
esac
