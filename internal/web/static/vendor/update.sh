#!/usr/bin/env bash
# update.sh fetches the front-end libraries the web app embeds, at pinned
# versions, from the npm registry (npm pack: no install, no scripts run),
# and copies the files the pages use, with their licences, next to this
# script. The output is committed, so building and running Wanhu needs no
# npm and nothing is fetched at run time. Run it again after changing a
# version below, check the printed sha256 sums and commit the result.
set -euo pipefail

ECHARTS=echarts@6.0.0
# The sha256 of the files this version gives; a mismatch stops the script.
ECHARTS_SHA256="baa8dfe7e1d9336b98e8986ba7e20ea15e7cdbea1ef42a59d59478632fa45a1d  echarts.min.js
634293835b43a6dd2094fa39182a3d9a6b9ca43b7fdb9ac354e8037af2a3093a  LICENSE
dc0d9176413c3d96d0ac40b39b1dbb11e3043b7b010be560f5dfe66bd3774ae1  NOTICE"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# fetch SPEC DIR SUMS FILE...: unpack the npm package SPEC, copy FILEs
# (paths inside the package) into DIR, flat, and check them against SUMS
# (sha256sum's output).
fetch() {
	local spec="$1" dir="$2" sums="$3"
	shift 3
	local tgz
	tgz="$(cd "$tmp" && npm pack --silent "$spec" | tail -n 1)"
	mkdir -p "$tmp/${spec%%@*}"
	tar -xzf "$tmp/$tgz" -C "$tmp/${spec%%@*}"
	mkdir -p "$dir"
	for f in "$@"; do
		if [[ ! -s "$tmp/${spec%%@*}/package/$f" ]]; then
			echo "update.sh: $spec has no $f" >&2
			exit 1
		fi
		cp "$tmp/${spec%%@*}/package/$f" "$dir/$(basename "$f")"
	done
	local got
	got="$(node -p "require('$tmp/${spec%%@*}/package/package.json').version")"
	if [[ "$got" != "${spec##*@}" ]]; then
		echo "update.sh: asked for $spec, got version $got" >&2
		exit 1
	fi
	echo "$spec → ${dir#"$here"/}"
	local names=()
	for f in "$@"; do names+=("$(basename "$f")"); done
	(cd "$dir" && sha256sum -- "${names[@]}") | sed 's/^/  /'
	if ! (cd "$dir" && sha256sum --check --quiet --strict <<<"$sums"); then
		echo "update.sh: $spec: the files differ from the pinned sha256 sums above; check the new version and update them" >&2
		exit 1
	fi
}

fetch "$ECHARTS" "$here/echarts" "$ECHARTS_SHA256" dist/echarts.min.js LICENSE NOTICE
