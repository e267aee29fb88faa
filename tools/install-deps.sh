#!/bin/sh
# Installs, from Debian's packages, what hwocr needs (apt-get, through sudo
# unless you are root). Installs nothing, and does not run apt-get update,
# when everything asked for is already installed.
#
#   tools/install-deps.sh            build the library, the emulator and the demo
#   tools/install-deps.sh --tests    ... and build and run the tests
#   tools/install-deps.sh --bench    ... and build the benchmarks
#   tools/install-deps.sh --all      all of the above
#   tools/install-deps.sh --print    list the packages that would be installed, install nothing
set -eu

# The library: compiler, build tools, libcurl, OpenSSL, nlohmann/json;
# cpp-httplib for the emulator (hwocr-emulator), which the demo and the
# examples start when no credentials are set.
build="g++ cmake ninja-build pkg-config ca-certificates libcurl4-openssl-dev libssl-dev nlohmann-json3-dev \
libcpp-httplib-dev"
tests="libgtest-dev libgmock-dev python3"
bench="libbenchmark-dev"

usage() {
  sed -n '2,11s/^# \{0,1\}//p' "$0"
}

wanted="$build"
print=no
for arg in "$@"; do
  case "$arg" in
    --tests) wanted="$wanted $tests" ;;
    --bench) wanted="$wanted $bench" ;;
    --all) wanted="$wanted $tests $bench" ;;
    --print) print=yes ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

# Those not yet installed ("install ok installed" in dpkg's status).
missing=""
for package in $wanted; do
  case " $missing " in *" $package "*) continue ;; esac
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [ "$status" != "install ok installed" ]; then missing="$missing $package"; fi
done

if [ -z "$missing" ]; then
  echo "install-deps.sh: everything needed is installed:$(printf ' %s' $wanted)"
  exit 0
fi
if [ "$print" = yes ]; then
  echo "$missing" | sed 's/^ //'
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "install-deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
# shellcheck disable=SC2086
$sudo apt-get install -y --no-install-recommends $missing
