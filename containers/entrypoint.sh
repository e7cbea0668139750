#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The image's entry point (containers/Containerfile): server-filesystem over
# /srv/mcp under membrane-run with the shipped profile. Standard input and
# output are the MCP session (podman run -i); standard error carries
# membrane's reports (--report -) and the server's own lines: the
# container's log. MEMBRANE_OPTIONS adds membrane-run options, e.g.
# --best-effort where the runtime refuses namespaces (docs/containers.md).
#   IMAGE            one session on standard input and output
#   IMAGE serve [PORT]  one sandboxed server per TCP connection on PORT
#                    (default 8700), as the Kubernetes example runs it
#   IMAGE doctor     membrane-run --doctor for this profile
set -eu
M=/opt/mcp/node_modules
S=$M/@modelcontextprotocol/server-filesystem
case ${1:-} in
doctor)
	exec membrane-run --doctor --profile filesystem \
		--set ROOT=/srv/mcp --set SERVER_DIR="$S" --set MODULES="$M" ;;
serve)
	exec socat "TCP-LISTEN:${2:-8700},reuseaddr,fork" "EXEC:$0" ;;
'') ;;
*)
	echo "membrane-entrypoint: unknown command $1 (expected nothing, serve [PORT] or doctor)" >&2
	exit 125 ;;
esac
# shellcheck disable=SC2086 # MEMBRANE_OPTIONS is a list of options
exec membrane-run --profile filesystem --set ROOT=/srv/mcp --set SERVER_DIR="$S" \
	--set MODULES="$M" --report - ${MEMBRANE_OPTIONS:-} -- node "$S/dist/index.js" /srv/mcp
