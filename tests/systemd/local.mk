# SPDX-License-Identifier: Apache-2.0
# The systemd units and generator (systemd/) under a real systemd manager
# in a private namespace, serving a scripted MCP client.
TESTS += tests/systemd/kernel-systemd.sh
dist_check_DATA += tests/systemd/systemd-manager.sh tests/systemd/mcp-client.py \
	tests/systemd/echo-mcp.py tests/systemd/echo.yml
EXTRA_DIST += tests/systemd/kernel-systemd.sh
