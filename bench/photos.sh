#!/usr/bin/env bash
# Photo benchmark: a built `wanhu serve` on a fresh SQLite database (the
# demo community, its key file beside it), eight photo uploads at once
# through POST /api/v1/visits/{id}/photos as the demo's grid worker
# (visitor1), for each of: the largest photos the server accepts (a 24.9 MP
# JPEG; a 12.6 MP RGBA PNG, 48 MB decoded), the hostile 8000×8000 PNG of
# one colour, and a phone's ordinary 12 MP JPEG. The server is started
# afresh for each, so its peak RSS (VmHWM) is that case's alone.
# Goal: peak RSS < 300 MB in every case. Run from the repo root:
#
#   bench/photos.sh [--before REV] [at-once=8] [photo-decoders=0 (the server's default)]
#
# --before REV runs the same cases against wanhu built from git revision
# REV first, side by side (before the photo limits, the hostile case takes
# about 2 GB and a minute or two). See bench/README.md for the figures.
set -euo pipefail

before=
while [ $# -gt 0 ]; do
	case $1 in
	--before) before=$2; shift ;;
	--*) echo "unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
at_once=${1:-8}
decoders=${2:-0}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/photos" ./bench/photos
go build -o "$dir/wanhu" ./cmd/wanhu

echo "machine: $(nproc) cores, $(uname -sm), $(go version | cut -d' ' -f3), $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with changes)')"
if [ -n "$before" ]; then
	mkdir "$dir/before"
	git archive "$before" | tar -x -C "$dir/before"
	(cd "$dir/before" && go build -o "$dir/wanhu-before" ./cmd/wanhu)
	echo
	echo "== before: $(git rev-parse --short "$before")"
	"$dir/photos" -wanhu "$dir/wanhu-before" -dir "$dir" -at-once "$at_once" -limit 300
	echo
	echo "== now"
fi
"$dir/photos" -wanhu "$dir/wanhu" -dir "$dir" -at-once "$at_once" -decoders "$decoders"
