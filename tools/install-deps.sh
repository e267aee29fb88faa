#!/bin/sh
# Installs what hwocr needs to build, test and benchmark, from Debian's packages.
set -eu
packages="g++ cmake ninja-build pkg-config ca-certificates libcurl4-openssl-dev libssl-dev \
nlohmann-json3-dev libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev python3"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
