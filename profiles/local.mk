# SPDX-License-Identifier: Apache-2.0
# Shipped profiles for real MCP servers, and the runtime fragments they
# include; installed in $(pkgdatadir)/profiles, where --profile NAME finds
# them. tests/profiles/unit-check.sh runs --check on each.
profilesdir = $(pkgdatadir)/profiles
runtimesdir = $(profilesdir)/runtimes
dist_profiles_DATA = \
	profiles/brave-search.yml \
	profiles/db.yml \
	profiles/desktop-commander.yml \
	profiles/everything.yml \
	profiles/fetch.yml \
	profiles/filesystem.yml \
	profiles/git.yml \
	profiles/memory.yml \
	profiles/sequential-thinking.yml \
	profiles/sqlite.yml
dist_runtimes_DATA = \
	profiles/runtimes/node.yml \
	profiles/runtimes/npx.yml \
	profiles/runtimes/python.yml \
	profiles/runtimes/resolver.yml
