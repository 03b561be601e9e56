#!/usr/bin/env bash
# playground-assets.sh refreshes the vendored GraphiQL playground bundles in
# playground/assets/. The files it writes are committed; the Go package
# github.com/faregraph/faregraph/playground embeds them with go:embed, so the
# server needs no CDN and works air-gapped.
#
# Everything is fetched from the npm registry with the ordinary npm client
# (`npm pack`), pinned to exact versions and checked against pinned sha512
# integrity hashes. To upgrade: change a version below, set its integrity to
# the value printed by `npm view <pkg>@<version> dist.integrity`, run this
# script, then run `go test ./playground/` (the browser test proves the page
# still works end to end).
#
# Usage: scripts/playground-assets.sh      (from anywhere; needs npm and node)
set -euo pipefail

# GraphiQL 3.x is the last line that ships a self-contained UMD bundle usable
# with plain <script> tags (4.x/5.x need an ESM loader and Monaco workers).
# It requires React 16.8-18; React 18.3.1 is the last React with UMD builds.
GRAPHIQL_VERSION=3.9.0
GRAPHIQL_INTEGRITY=sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA==
REACT_VERSION=18.3.1
REACT_INTEGRITY=sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==
REACT_DOM_VERSION=18.3.1
REACT_DOM_INTEGRITY=sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==
# graphql-sse's client runs subscriptions over server-sent events with the
# protocol the server's SSE transport speaks (distinct connections mode);
# its UMD build defines the global graphqlSse.
GRAPHQL_SSE_VERSION=2.6.1
GRAPHQL_SSE_INTEGRITY=sha512-0KbuzZlrSx2a3BlnyaL0Rf6nHd/giVUGpo8MZiEEugeQIwitnKk5RVWkriXUpuPKxMw1p4GfxYLlEmR9DR21dQ==

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/playground/assets"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch NAME VERSION INTEGRITY: npm pack NAME@VERSION into $tmp/NAME, verify
# the tarball against INTEGRITY and extract it to $tmp/NAME/package.
fetch() {
	local name=$1 version=$2 integrity=$3 dir="$tmp/$1" tgz got
	mkdir -p "$dir"
	(cd "$dir" && npm pack --silent "$name@$version" >/dev/null)
	tgz="$dir/$name-$version.tgz"
	[[ -f $tgz ]] || { echo "npm pack did not produce $tgz" >&2; exit 1; }
	got=$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tgz")
	if [[ $got != "$integrity" ]]; then
		echo "$name@$version: integrity mismatch: got $got, want $integrity" >&2
		exit 1
	fi
	tar -xzf "$tgz" -C "$dir"
}

fetch graphiql "$GRAPHIQL_VERSION" "$GRAPHIQL_INTEGRITY"
fetch react "$REACT_VERSION" "$REACT_INTEGRITY"
fetch react-dom "$REACT_DOM_VERSION" "$REACT_DOM_INTEGRITY"
fetch graphql-sse "$GRAPHQL_SSE_VERSION" "$GRAPHQL_SSE_INTEGRITY"

rm -rf "$dest"
mkdir -p "$dest"
cp "$tmp/graphiql/package/graphiql.min.js" "$dest/graphiql.min.js"
cp "$tmp/graphiql/package/graphiql.min.css" "$dest/graphiql.min.css"
cp "$tmp/react/package/umd/react.production.min.js" "$dest/react.production.min.js"
cp "$tmp/react-dom/package/umd/react-dom.production.min.js" "$dest/react-dom.production.min.js"
cp "$tmp/graphql-sse/package/umd/graphql-sse.min.js" "$dest/graphql-sse.min.js"
cp "$tmp/graphiql/package/LICENSE" "$dest/LICENSE.graphiql"
cp "$tmp/graphql-sse/package/LICENSE.md" "$dest/LICENSE.graphql-sse"
cp "$tmp/react/package/LICENSE" "$dest/LICENSE.react"
cp "$tmp/react-dom/package/LICENSE" "$dest/LICENSE.react-dom"

# The source maps are not shipped: drop the trailing sourceMappingURL comments
# so browsers (and their devtools) never ask the server for them.
for f in "$dest"/*.js "$dest"/*.css; do
	sed -i -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$f"
done

# Nothing shipped may point at a CDN or any other remote host it could load
# from at run time (fonts in graphiql.min.css are inlined as data: URLs).
if grep -EnoH 'https?://[^"'"'"' )]*(unpkg|jsdelivr|cdnjs|googleapis|gstatic|esm\.sh|skypack)' \
	"$dest"/*.js "$dest"/*.css; then
	echo "a shipped bundle references a CDN (see above)" >&2
	exit 1
fi
if grep -EnoH '(@import|url\()[[:space:]]*["'"'"']?(https?:)?//' "$dest"/*.css; then
	echo "a shipped stylesheet loads a remote resource (see above)" >&2
	exit 1
fi

{
	echo "# Vendored by scripts/playground-assets.sh from the npm registry (npm pack)."
	echo "# sourceMappingURL comments were removed; otherwise the files are unmodified."
	echo "graphiql $GRAPHIQL_VERSION $GRAPHIQL_INTEGRITY"
	echo "react $REACT_VERSION $REACT_INTEGRITY"
	echo "react-dom $REACT_DOM_VERSION $REACT_DOM_INTEGRITY"
	echo "graphql-sse $GRAPHQL_SSE_VERSION $GRAPHQL_SSE_INTEGRITY"
	echo "# sha256 of the shipped files:"
	(cd "$dest" && sha256sum graphiql.min.css graphiql.min.js graphql-sse.min.js react-dom.production.min.js react.production.min.js)
} >"$dest/VERSIONS"

echo "playground assets refreshed in $dest:"
(cd "$dest" && ls -l)
