#!/usr/bin/env bash
# Bootstrap for the Cake build: installs the native BLAS libraries and Open MPI the tests exercise (Debian),
# restores the pinned local tools (.config/dotnet-tools.json) and runs build.cake.
# Usage: ./build.sh [--target=Default|Clean|Restore|Build|Test|Pack|Demo|Bench] [--configuration=Release] [--kernels=all|none|NAME,...]
#                   [--bench-args="--filter *"]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages (space separated): the native CBLAS libraries under test, Open MPI (mpirun, libmpi.so.40) for
# synchronized statistics across processes, and a font for the demo's plots (without one, ScottPlot draws no text).
NATIVE_PACKAGES="libopenblas0-pthread libblis4 libblas3 openmpi-bin fonts-dejavu-core"

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

ensure_native_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "build.sh: dpkg-query not found (not Debian?); not checking for: $NATIVE_PACKAGES" >&2
        echo "build.sh: native BLAS and MPI tests will skip unless the libraries are present." >&2
        return 0
    fi

    local missing=() pkg
    for pkg in $NATIVE_PACKAGES; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0

    if [ "$(id -u)" -eq 0 ]; then
        echo "build.sh: installing missing packages: ${missing[*]}"
        if ! apt-get update; then
            echo "build.sh: WARNING: 'apt-get update' failed; trying the install anyway." >&2
        fi
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
            echo "build.sh: WARNING: could not install ${missing[*]}; native BLAS and MPI tests will skip." >&2
        fi
    else
        echo "build.sh: missing packages: ${missing[*]}. Install them with:" >&2
        echo "    sudo apt-get install -y ${missing[*]}" >&2
        echo "build.sh: continuing; native BLAS and MPI tests will skip with a reason." >&2
    fi
}

ensure_native_packages

dotnet tool restore
exec dotnet cake build.cake "$@"
