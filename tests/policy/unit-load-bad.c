/* SPDX-License-Identifier: Apache-2.0 */
/* The profile loader on broken profiles: one file per error in
 * tests/fixtures/profiles/bad/, each with the exact line the user must see
 * (file:line:column included). "@/" stands for that directory. Every file
 * of bad/ must have a row, so a new fixture cannot go unchecked. A name that
 * exists nowhere is no error: names are not resolved when loading. */
#include <dirent.h>

#include "tests/policy/profile-test.h"

static const char *const set_unknown[] = { "ROOTT=/srv", NULL };
static const char *const set_malformed[] = { "ROOT", NULL };

static const struct {
	const char *file;
	const char *const *sets;
	const char *want;
} cases[] = {
	{ "bad-outlive.yml", NULL,
	  "@/bad-outlive.yml:4:19: bad outlive '2d' (write seconds, or a number with s, m or h: 60s, 5m)" },
	{ "outlive-too-long.yml", NULL,
	  "@/outlive-too-long.yml:4:19: bad outlive '2h' (write a duration above 0 and at most 1h, or leave outlive out)" },
	{ "outlive-runtime.yml", NULL,
	  "@/outlive-runtime.yml:4:3: unknown key 'outlive' in runtime (expected one of: read, write, exec, connect, bind, list, env, tmpfs)" },
	{ "default-relative.yml", NULL,
	  "@/default-relative.yml:4:20: bad default 'srv/repo' of {path}: the placeholder opens the grant, so its default is an absolute path (write {path:-${ROOT}})" },
	{ "default-slash.yml", NULL,
	  "@/default-slash.yml:4:19: bad default 'a/b' of {name}: the placeholder fills part of one name, so its default cannot hold a '/'" },
	{ "default-empty.yml", NULL,
	  "@/default-empty.yml:4:20: empty default in {path:-} (write {path:-${ROOT}}, or drop ':-')" },
	{ "quiet-placeholder.yml", NULL,
	  "@/quiet-placeholder.yml:4:10: quiet names noise, whatever call is in flight: no argument can fill {path} (write a fixed path)" },
	{ "unknown-key-quiet.yml", NULL,
	  "@/unknown-key-quiet.yml:4:3: unknown key 'list' in quiet (expected one of: read, write, exec, connect, bind)" },
	{ "bad-denials.yml", NULL,
	  "@/bad-denials.yml:3:10: bad denials 'loud' (write meta or note)" },
	{ "alias.yml", NULL,
	  "@/alias.yml:5:9: YAML aliases are not allowed in a profile (write the value out in full)" },
	{ "bad-record.yml", NULL,
	  "@/bad-record.yml:3:9: bad record 'some' (write tools, all or none)" },
	{ "budget-undeclared-tool.yml", NULL,
	  "@/budget-undeclared-tool.yml:7:5: budget for tool 'write_file', which tools does not declare (declare it, or remove its budget)" },
	{ "budget-zero-rate.yml", NULL,
	  "@/budget-zero-rate.yml:4:32: bad calls_per_minute '0' (write 1 or more; to refuse a tool, leave it out of tools)" },
	{ "unknown-key-budget.yml", NULL,
	  "@/unknown-key-budget.yml:4:14: unknown key 'cpu' in budgets.session (expected one of: calls_per_minute, in_flight, bytes_returned, connects, files_written)" },
	{ "bad-factor.yml", NULL,
	  "@/bad-factor.yml:3:43: bad factor '0.5' (write a number of 1 or more: 3 means three times the baseline's largest)" },
	{ "decoy-relative.yml", NULL,
	  "@/decoy-relative.yml:4:11: bad decoy 'tmp/.env' (write an absolute path)" },
	{ "bad-on-touch.yml", NULL,
	  "@/bad-on-touch.yml:3:41: bad on_touch 'explode' (write deny, allow or stop)" },
	{ "bad-concurrency.yml", NULL,
	  "@/bad-concurrency.yml:3:14: bad concurrency '4' (write parallel or serial)" },
	{ "bad-files.yml", NULL,
	  "@/bad-files.yml:3:18: bad files limit '0' (write a whole number above 0, or remove the limit)" },
	{ "bad-landlock.yml", NULL,
	  "@/bad-landlock.yml:3:19: bad require_landlock '9' (write a Landlock ABI version from 1 to 7)" },
	{ "bad-require.yml", NULL,
	  "@/bad-require.yml:3:23: bad require 'seccomp' (write namespaces or landlock)" },
	{ "bad-require-twice.yml", NULL,
	  "@/bad-require-twice.yml:3:21: require names 'landlock' twice" },
	{ "bad-require-scalar.yml", NULL,
	  "@/bad-require-scalar.yml:3:10: 'require' must be a list of layers, not a string (write require: [namespaces, landlock])" },
	{ "bad-mode.yml", NULL,
	  "@/bad-mode.yml:3:7: bad mode 'strict' (write enforce or audit)" },
	{ "bad-name.yml", NULL,
	  "@/bad-name.yml:2:7: bad name 'my profile' (1 to 128 letters, digits, '_', '.' and '-')" },
	{ "bad-network.yml", NULL,
	  "@/bad-network.yml:3:10: bad network 'bridged' (write none, brokered or host)" },
	{ "bad-pin.yml", NULL,
	  "@/bad-pin.yml:3:6: bad pin 'always' (write report or strict)" },
	{ "bad-placeholder.yml", NULL,
	  "@/bad-placeholder.yml:4:23: bad placeholder '{1path}' (write {NAME} or {NAME[]}: letters, digits, '_' and '-', not starting with a digit or '-'; options {NAME:uri}, {NAME:-DEFAULT})" },
	{ "bad-size.yml", NULL,
	  "@/bad-size.yml:3:19: bad size '12Q' (write bytes, or a number with K, M, G or T: 512M)" },
	{ "bad-tasks.yml", NULL,
	  "@/bad-tasks.yml:3:18: bad tasks limit '-1' (write a whole number above 0, or remove the limit)" },
	{ "bad-unlisted.yml", NULL,
	  "@/bad-unlisted.yml:3:17: bad unlisted_tools 'hide' (write deny or allow)" },
	{ "bad-user.yml", NULL,
	  "@/bad-user.yml:3:7: bad user '1000:staff' (write a user name, UID or UID:GID)" },
	{ "bad-utf8.yml", NULL,
	  "@/bad-utf8.yml:3:17: YAML syntax error: incomplete UTF-8 octet sequence (a profile is UTF-8 text)" },
	{ "bad-var-default.yml", NULL,
	  "@/bad-var-default.yml:4:10: bad variable reference '${ROOT:-${HOME}' (write ${NAME} or ${NAME:-default})" },
	{ "bad-var-name.yml", NULL,
	  "@/bad-var-name.yml:4:3: bad variable name 'ROOT-DIR' (letters, digits and '_', not starting with a digit)" },
	{ "bad-var-ref.yml", NULL,
	  "@/bad-var-ref.yml:6:10: bad variable reference '${ROOT' (write ${NAME} or ${NAME:-default})" },
	{ "comments-only.yml", NULL,
	  "@/comments-only.yml:1:1: the profile is empty (start it with 'version: 1')" },
	{ "complex-key.yml", NULL,
	  "@/complex-key.yml:3:3: a key must be a name, not a list (write NAME: value)" },
	{ "deep.yml", NULL,
	  "@/deep.yml:3:78: nested more than 64 levels deep (a profile is flatter than this)" },
	{ "dotdot-tool.yml", NULL,
	  "@/dotdot-tool.yml:4:23: '..' is not allowed in a grant (write '{path}/..' without it)" },
	{ "dotdot.yml", NULL,
	  "@/dotdot.yml:4:10: '..' is not allowed in a grant (write '/usr/lib/../../etc' without it)" },
	{ "doublestar.yml", NULL,
	  "@/doublestar.yml:4:10: '**' is not allowed in '/usr/**/lib' (a '*' matches within one component: write one per component)" },
	{ "duplicate-env-fragment.yml", NULL,
	  "@/runtimes/home.yml:2:9: duplicate env 'HOME' (first at @/duplicate-env-fragment.yml:5:9)" },
	{ "duplicate-env.yml", NULL,
	  "@/duplicate-env.yml:4:32: duplicate env 'PATH' (first at @/duplicate-env.yml:4:9)" },
	{ "duplicate-key-nested.yml", NULL,
	  "@/duplicate-key-nested.yml:6:3: duplicate key 'read' (first at @/duplicate-key-nested.yml:4:3)" },
	{ "duplicate-key.yml", NULL,
	  "@/duplicate-key.yml:5:1: duplicate key 'mode' (first at @/duplicate-key.yml:3:1)" },
	{ "duplicate-request.yml", NULL,
	  "@/duplicate-request.yml:5:3: duplicate request 'resources/read' (first at @/duplicate-request.yml:4:3)" },
	{ "duplicate-tool.yml", NULL,
	  "@/duplicate-tool.yml:6:3: duplicate tool 'read_file' (first at @/duplicate-tool.yml:4:3)" },
	{ "duplicate-var.yml", NULL,
	  "@/duplicate-var.yml:6:3: duplicate variable 'ROOT' (first at @/duplicate-var.yml:4:3)" },
	{ "empty-path.yml", NULL,
	  "@/empty-path.yml:4:10: empty path (write an absolute path)" },
	{ "empty.yml", NULL,
	  "@/empty.yml:1:1: the profile is empty (start it with 'version: 1')" },
	{ "endpoint-bad-host.yml", NULL,
	  "@/endpoint-bad-host.yml:4:13: bad endpoint 'db server:5432': bad host name 'db server' (letters, digits, '-' and '_' in labels joined by '.')" },
	{ "endpoint-idn.yml", NULL,
	  "@/endpoint-idn.yml:4:13: bad endpoint 'b\xc3\xbc" "cher.example:443': 'b\xc3\xbc" "cher.example' is not ASCII (write an internationalised name in its ASCII form, xn--...: idn2 prints it)" },
	{ "endpoint-long-label.yml", NULL,
	  "@/endpoint-long-label.yml:4:13: bad endpoint 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example:443': host name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example' too long (labels of at most 63 bytes, at most 253 in all)" },
	{ "endpoint-wildcard-bare.yml", NULL,
	  "@/endpoint-wildcard-bare.yml:4:13: bad endpoint '*:443': a wildcard names a domain (write *.example.org)" },
	{ "endpoint-wildcard-inner.yml", NULL,
	  "@/endpoint-wildcard-inner.yml:4:13: bad endpoint 'api.*.example:443': bad host name 'api.*.example' ('*' only as a whole first label: *.example.org)" },
	{ "endpoint-bad-ipv4.yml", NULL,
	  "@/endpoint-bad-ipv4.yml:4:13: bad endpoint '10.0.0.256:80': bad IPv4 address '10.0.0.256' (write host:port, *.domain:port, ip:port, [ipv6]:port or cidr:port)" },
	{ "endpoint-bad-ipv6.yml", NULL,
	  "@/endpoint-bad-ipv6.yml:4:13: bad endpoint '[fd00::zz]:80': bad IPv6 address 'fd00::zz' (write host:port, *.domain:port, ip:port, [ipv6]:port or cidr:port)" },
	{ "endpoint-bad-port.yml", NULL,
	  "@/endpoint-bad-port.yml:4:13: bad endpoint '127.0.0.1:0': bad port '0' (a port is 1-65535, a range N-M, or *)" },
	{ "endpoint-bracket.yml", NULL,
	  "@/endpoint-bracket.yml:4:22: bad endpoint '[::1:80': a '[' without ']' (write host:port, *.domain:port, ip:port, [ipv6]:port or cidr:port)" },
	{ "endpoint-host-bits-v6.yml", NULL,
	  "@/endpoint-host-bits-v6.yml:4:10: bad endpoint '[fd00::1]/8:80': host bits are set in fd00::1/8 (write the network address fd00::/8)" },
	{ "endpoint-host-bits.yml", NULL,
	  "@/endpoint-host-bits.yml:4:13: bad endpoint '10.1.2.3/8:80': host bits are set in 10.1.2.3/8 (write the network address 10.0.0.0/8)" },
	{ "endpoint-host-prefix.yml", NULL,
	  "@/endpoint-host-prefix.yml:4:13: bad endpoint 'localhost/8:80': a host name cannot take a prefix (write an address: 10.0.0.0/8:PORT)" },
	{ "endpoint-no-port.yml", NULL,
	  "@/endpoint-no-port.yml:4:13: bad endpoint 'example.com': no port (write example.com:PORT, PORT being N, N-M or *)" },
	{ "endpoint-proto-empty.yml", NULL,
	  "@/endpoint-proto-empty.yml:4:10: bad endpoint 'udp:': nothing after 'udp:' (write udp:HOST:PORT)" },
	{ "endpoint-proto-no-port.yml", NULL,
	  "@/endpoint-proto-no-port.yml:4:13: bad endpoint 'udp:10.0.0.1': no port (write udp:10.0.0.1:PORT, PORT being N, N-M or *)" },
	{ "endpoint-proto-twice.yml", NULL,
	  "@/endpoint-proto-twice.yml:4:22: bad endpoint 'tcp:udp:10.0.0.1:80': one protocol per endpoint (list the address twice, or write no protocol for both)" },
	{ "endpoint-proto-unknown.yml", NULL,
	  "@/endpoint-proto-unknown.yml:4:13: bad endpoint 'sctp:10.0.0.1:80': unknown protocol 'sctp' (write tcp: or udp: before the address, or neither for both)" },
	{ "endpoint-port-range.yml", NULL,
	  "@/endpoint-port-range.yml:4:13: bad endpoint '127.0.0.1:90-80': port range 90-80 is reversed (write 80-90)" },
	{ "endpoint-prefix.yml", NULL,
	  "@/endpoint-prefix.yml:4:13: bad endpoint '10.0.0.0/33:80': bad prefix '/33' (IPv4: /0 to /32)" },
	{ "endpoint-unbracketed.yml", NULL,
	  "@/endpoint-unbracketed.yml:4:13: bad endpoint '::1:80': an IPv6 address needs brackets (write [ADDR]:PORT)" },
	{ "env-bad-name.yml", NULL,
	  "@/env-bad-name.yml:4:15: bad environment variable name '2HOME' (letters, digits and '_', not starting with a digit)" },
	{ "escaped-slash.yml", NULL,
	  "@/escaped-slash.yml:4:10: '\\/' in '/usr\\/lib': a path component cannot hold a '/' (remove the '\\')" },
	{ "glob-tmpfs.yml", NULL,
	  "@/glob-tmpfs.yml:4:11: '*' is not allowed in tmpfs (name one directory; write '\\*' for a literal '*')" },
	{ "glob-within.yml", NULL,
	  "@/glob-within.yml:4:12: '*' is not allowed in arguments.within (name one directory; write '\\*' for a literal '*')" },
	{ "include-bad-name.yml", NULL,
	  "@/include-bad-name.yml:3:11: bad include 'node js' (a fragment name is letters, digits, '_', '.' and '-'; a path holds a '/')" },
	{ "include-cycle.yml", NULL,
	  "@/runtimes/cycle-b.yml:3:11: include cycle: @/runtimes/cycle-a.yml -> @/runtimes/cycle-b.yml -> @/runtimes/cycle-a.yml (remove one of these includes)" },
	{ "include-fragment-key.yml", NULL,
	  "@/runtimes/with-tools.yml:3:1: 'tools' is not allowed in a runtime fragment (a fragment holds only vars, runtime and include)" },
	{ "include-fragment-list.yml", NULL,
	  "@/runtimes/a-list.yml:1:1: a runtime fragment must be a mapping of keys, not a list (write runtime: { read: [PATH] })" },
	{ "include-fragment-syntax.yml", NULL,
	  "@/runtimes/broken.yml:3:1: YAML syntax error: did not find expected ',' or ']', while parsing a flow sequence at 2:9" },
	{ "include-fragment-var.yml", NULL,
	  "@/runtimes/needs-var.yml:2:10: undefined variable ${NODE_HOME} (define it under vars, or give --set NODE_HOME=VALUE)" },
	{ "include-path-missing.yml", NULL,
	  "@/include-path-missing.yml:3:11: unknown include 'sub/none.yml': @/sub/none.yml does not exist (check the path)" },
	{ "include-type.yml", NULL,
	  "@/include-type.yml:3:10: 'include' must be a list of fragment names, not a string (write include: [node])" },
	{ "include-unknown.yml", NULL,
	  "@/include-unknown.yml:3:11: unknown include 'nodee': none of @/runtimes/nodee.yml, /nonexistent/membrane-include-dir/runtimes/nodee.yml exists (check the name)" },
	{ "missing-name.yml", NULL,
	  "@/missing-name.yml:1:1: missing key 'name' (name the profile: name: NAME, of letters, digits, '_', '.' and '-')" },
	{ "missing-path.yml", NULL,
	  "@/missing-path.yml:4:16: path '/nonexistent/membrane-test' does not exist (create it, or mark the grant optional with a trailing '?')" },
	{ "missing-tool-prefix.yml", NULL,
	  "@/missing-tool-prefix.yml:4:23: path '/nonexistent/membrane-data' does not exist (create it, or mark the grant optional with a trailing '?')" },
	{ "missing-version.yml", NULL,
	  "@/missing-version.yml:1:1: missing key 'version' (start the profile with 'version: 1')" },
	{ "missing-within.yml", NULL,
	  "@/missing-within.yml:4:12: path '/nonexistent/membrane-root' does not exist (create it, or mark the grant optional with a trailing '?')" },
	{ "not-mapping.yml", NULL,
	  "@/not-mapping.yml:1:1: a profile must be a mapping of keys, not a list (start it with 'version: 1')" },
	{ "nul-in-string.yml", NULL,
	  "@/nul-in-string.yml:3:14: a NUL character is not allowed in a string (remove the \\0)" },
	{ "placeholder-kind.yml", NULL,
	  "@/placeholder-kind.yml:6:13: argument 'paths' is used as {paths} here and as {paths[]} at @/placeholder-kind.yml:5:12 (an argument cannot be both a string and an array)" },
	{ "placeholder-runtime.yml", NULL,
	  "@/placeholder-runtime.yml:4:10: runtime grants apply outside any call: no argument can fill {path} (write a fixed path)" },
	{ "placeholder-tmpfs.yml", NULL,
	  "@/placeholder-tmpfs.yml:4:11: tmpfs mounts are made before any call: no argument can fill {session} (write a fixed path)" },
	{ "placeholder-within.yml", NULL,
	  "@/placeholder-within.yml:4:12: arguments.within bounds every call: no argument can fill {user} (write a fixed path)" },
	{ "private-names-bad.yml", NULL,
	  "@/private-names-bad.yml:3:17: bad name '*' in private_names: a wildcard names a domain (write *.example.org)" },
	{ "private-names-port.yml", NULL,
	  "@/private-names-port.yml:3:17: bad name 'db.internal:5432' in private_names: a name has no port here (write db.internal)" },
	{ "private-names-scalar.yml", NULL,
	  "@/private-names-scalar.yml:3:16: 'private_names' must be a list of host names, not a string (write private_names: [db.internal.example, \"*.corp.example\"])" },
	{ "request-param.yml", NULL,
	  "@/request-param.yml:4:28: resources/read has no param 'path': nothing can fill {path} (a request's placeholders name its params; resources/read takes uri _meta task inputResponses requestState)" },
	{ "relative-path-tool.yml", NULL,
	  "@/relative-path-tool.yml:4:23: relative path 'data/{path}' (write an absolute path, or start with a {placeholder})" },
	{ "relative-path.yml", NULL,
	  "@/relative-path.yml:4:16: relative path 'usr/lib' (write an absolute path)" },
	{ "request-bad-method.yml", NULL,
	  "@/request-bad-method.yml:4:3: bad request method 'resources read' (a JSON-RPC method name of 1 to 128 letters, digits, '_', '.', '-' and '/', such as resources/read)" },
	{ "request-tools-call.yml", NULL,
	  "@/request-tools-call.yml:4:3: tools/call is not a request to grant (declare each tool under tools)" },
	{ "scan-bad-action.yml", NULL,
	  "@/scan-bad-action.yml:4:19: bad scan.answers action 'strip' (write report, redact or refuse)" },
	{ "scan-bad-env.yml", NULL,
	  "@/scan-bad-env.yml:4:9: bad environment variable name '1TOKEN' in scan.env (letters, digits and '_', not starting with a digit)" },
	{ "scan-unknown-kind.yml", NULL,
	  "@/scan-unknown-kind.yml:4:14: unknown kind 'aws' in scan.answers (write one of: unicode-tags, zero-width, bidi, ansi, private-key, aws-access-key, aws-secret-key, gcp-api-key, gcp-oauth-token, azure-storage-key, azure-client-secret, github-token, gitlab-token, slack-token, slack-webhook, jwt, named-secret, env-secret, canary, or a group: all, hidden, markup, instructions, secrets)" },
	{ "scan-wrong-place.yml", NULL,
	  "@/scan-wrong-place.yml:4:15: kind 'jwt' is not looked for in the contract (write it under scan.answers)" },
	{ "scalar-root.yml", NULL,
	  "@/scalar-root.yml:1:1: a profile must be a mapping of keys, not a string (start it with 'version: 1')" },
	{ "set-malformed.yml", set_malformed,
	  "command line: --set ROOT: expected NAME=VALUE (write --set ROOT=VALUE)" },
	{ "set-unknown.yml", set_unknown,
	  "command line: --set ROOTT: the profile has no variable ROOTT (it has: ROOT)" },
	{ "size-overflow.yml", NULL,
	  "@/size-overflow.yml:3:19: memory limit '99999999T' is too large (write at most 16777215T)" },
	{ "size-zero.yml", NULL,
	  "@/size-zero.yml:3:19: bad memory limit '0' (write a size above 0, such as 512M, or remove the limit)" },
	{ "syntax-flow.yml", NULL,
	  "@/syntax-flow.yml:5:8: YAML syntax error: did not find expected ',' or ']', while parsing a flow sequence at 4:9" },
	{ "syntax-indent.yml", NULL,
	  "@/syntax-indent.yml:4:10: YAML syntax error: mapping values are not allowed in this context" },
	{ "syntax-tab.yml", NULL,
	  "@/syntax-tab.yml:4:1: YAML syntax error: found character that cannot start any token, while scanning for the next token at 4:1" },
	{ "tag.yml", NULL,
	  "@/tag.yml:1:10: YAML tags are not allowed in a profile (remove the tag '!!int')" },
	{ "tests-allow-type.yml", NULL,
	  "@/tests-allow-type.yml:11:12: 'allow' must be a list of expectations, not a string (write allow: [read /srv/mcp/a.txt])" },
	{ "tests-arguments-duplicate.yml", NULL,
	  "@/tests-arguments-duplicate.yml:11:32: duplicate key 'path' (first at @/tests-arguments-duplicate.yml:11:18)" },
	{ "tests-arguments-request.yml", NULL,
	  "@/tests-arguments-request.yml:11:5: 'arguments' belongs to a tool test, not a request test (write params)" },
	{ "tests-arguments-type.yml", NULL,
	  "@/tests-arguments-type.yml:11:16: 'arguments' must be a mapping, not a list (write arguments: { path: /srv/mcp/a.txt })" },
	{ "tests-arguments-var.yml", NULL,
	  "@/tests-arguments-var.yml:11:24: undefined variable ${DATA} (define it under vars, or give --set DATA=VALUE)" },
	{ "tests-bad-op.yml", NULL,
	  "@/tests-bad-op.yml:11:12: unknown operation 'delete' in 'delete /tmp/a' (write read, write, exec, list, mkdir, connect or bind)" },
	{ "tests-entry-type.yml", NULL,
	  "@/tests-entry-type.yml:9:9: an entry of 'tests' must be a mapping, not a string (write tests: [{ tool: NAME, arguments: { path: /srv/mcp/a.txt }, allow: [read /srv/mcp/a.txt], deny: [read /etc/passwd] }])" },
	{ "tests-idle-yes.yml", NULL,
	  "@/tests-idle-yes.yml:10:11: 'idle' must be true (write idle: true)" },
	{ "tests-in-fragment.yml", NULL,
	  "@/runtimes/with-tests.yml:3:1: 'tests' is not allowed in a runtime fragment (a fragment holds only vars, runtime and include)" },
	{ "tests-item-type.yml", NULL,
	  "@/tests-item-type.yml:11:13: an entry of 'allow' must be an expectation OP TARGET, not a mapping (write allow: [read /srv/mcp/a.txt])" },
	{ "tests-no-subject.yml", NULL,
	  "@/tests-no-subject.yml:10:5: a test names what it exercises (write tool: NAME, request: METHOD or idle: true)" },
	{ "tests-no-target.yml", NULL,
	  "@/tests-no-target.yml:11:12: bad expectation 'read ' (write OP TARGET, such as read /srv/mcp/a.txt or connect 10.0.0.1:443)" },
	{ "tests-nothing.yml", NULL,
	  "@/tests-nothing.yml:10:5: a test without allow or deny checks nothing (add allow: [OP TARGET] or deny: [OP TARGET])" },
	{ "tests-params-idle.yml", NULL,
	  "@/tests-params-idle.yml:11:5: 'params' belongs to a request test, not an idle test (remove it)" },
	{ "tests-relative.yml", NULL,
	  "@/tests-relative.yml:11:12: relative path 'etc/passwd' in 'read etc/passwd' (write an absolute path)" },
	{ "tests-target-cidr.yml", NULL,
	  "@/tests-target-cidr.yml:11:12: bad target '10.0.0.0/8:443': a test names one address or name and one port (write IP:PORT, [IPV6]:PORT or HOST:PORT)" },
	{ "tests-target-no-port.yml", NULL,
	  "@/tests-target-no-port.yml:11:12: bad target '10.0.0.1': no port (write 10.0.0.1:PORT)" },
	{ "tests-target-ports.yml", NULL,
	  "@/tests-target-ports.yml:11:12: bad target '[::1]:1-1024': a test names one address or name and one port (write IP:PORT, [IPV6]:PORT or HOST:PORT)" },
	{ "tests-two-subjects.yml", NULL,
	  "@/tests-two-subjects.yml:11:5: a test exercises one thing, not both 'tool' and 'idle' (split it in two tests)" },
	{ "tests-type.yml", NULL,
	  "@/tests-type.yml:9:8: 'tests' must be a list of tests, not a mapping (write tests: [{ tool: NAME, arguments: { path: /srv/mcp/a.txt }, allow: [read /srv/mcp/a.txt], deny: [read /etc/passwd] }])" },
	{ "tests-undeclared-request.yml", NULL,
	  "@/tests-undeclared-request.yml:10:14: request 'prompts/get' is not declared under requests (declare it, or test what runtime alone allows with idle: true)" },
	{ "tests-undeclared-tool.yml", NULL,
	  "@/tests-undeclared-tool.yml:10:11: tool 'read_txt_file' is not declared under tools (declare it, or fix the name)" },
	{ "tests-unknown-key.yml", NULL,
	  "@/tests-unknown-key.yml:11:5: unknown key 'allwo' in a test (expected one of: tool, request, idle, arguments, params, allow, deny)" },
	{ "tool-bad-name.yml", NULL,
	  "@/tool-bad-name.yml:4:3: bad tool name 'read file' (1 to 128 letters, digits, '_', '.' and '-')" },
	{ "tool-long-name.yml", NULL,
	  "@/tool-long-name.yml:4:3: bad tool name 'ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt' (1 to 128 letters, digits, '_', '.' and '-')" },
	{ "trailing-backslash.yml", NULL,
	  "@/trailing-backslash.yml:4:10: a '\\' at the end of '/usr\\' escapes nothing (write '\\\\' for a backslash)" },
	{ "two-arrays.yml", NULL,
	  "@/two-arrays.yml:4:18: more than one {NAME[]} placeholder in '/usr/{a[]}/{b[]}' (each element of one array fills a grant: split it in two)" },
	{ "two-docs.yml", NULL,
	  "@/two-docs.yml:3:1: a second YAML document (a profile is one document: remove the '---')" },
	{ "type-arguments.yml", NULL,
	  "@/type-arguments.yml:3:12: 'arguments' must be a mapping, not a list (write arguments: { within: [/srv/mcp] })" },
	{ "type-description.yml", NULL,
	  "@/type-description.yml:4:3: 'description' must be a string, not a list (write description: \"TEXT\")" },
	{ "type-element.yml", NULL,
	  "@/type-element.yml:6:7: an entry of 'read' must be a path, not a list (write read: [/PATH, ...])" },
	{ "type-limits-memory.yml", NULL,
	  "@/type-limits-memory.yml:4:11: 'memory' must be a size, not a list (write memory: 512M)" },
	{ "type-name-empty.yml", NULL,
	  "@/type-name-empty.yml:2:6: 'name' must be a string, not an empty value (write name: NAME)" },
	{ "type-read.yml", NULL,
	  "@/type-read.yml:4:9: 'read' must be a list of paths, not a string (write read: [/PATH, ...])" },
	{ "type-redact.yml", NULL,
	  "@/type-redact.yml:3:9: 'redact' must be a list of argument names, not a string (write redact: [password, token])" },
	{ "type-runtime.yml", NULL,
	  "@/type-runtime.yml:3:10: 'runtime' must be a mapping of grants, not a string (write runtime: { read: [/usr] })" },
	{ "type-tool-value.yml", NULL,
	  "@/type-tool-value.yml:4:14: tool 'read_file' must be a mapping of grants, not a list (write read_file: { read: [PATH] } or read_file: {})" },
	{ "type-tools.yml", NULL,
	  "@/type-tools.yml:3:8: 'tools' must be a mapping of tool names to grants, not a list (write tools: { NAME: { read: [PATH] } })" },
	{ "type-var.yml", NULL,
	  "@/type-var.yml:4:9: variable 'ROOT' must be a string, not a list (write ROOT: VALUE)" },
	{ "undefined-var.yml", NULL,
	  "@/undefined-var.yml:6:21: undefined variable ${DATA} (define it under vars, or give --set DATA=VALUE)" },
	{ "unknown-key-limits.yml", NULL,
	  "@/unknown-key-limits.yml:5:3: unknown key 'cpu' in limits (expected one of: memory, tasks, files)" },
	{ "unknown-key-runtime.yml", NULL,
	  "@/unknown-key-runtime.yml:5:3: unknown key 'mount' in runtime (expected one of: read, write, exec, connect, bind, list, env, tmpfs)" },
	{ "unknown-key-tool.yml", NULL,
	  "@/unknown-key-tool.yml:6:5: unknown key 'delete' in tool 'read_file' (expected one of: read, write, exec, connect, bind, list, outlive)" },
	{ "unknown-key.yml", NULL,
	  "@/unknown-key.yml:4:1: unknown key 'netwrok' (expected one of: version, name, description, include, mode, vars, runtime, network, unlisted_tools, arguments, tools, requests, limits, redact, pin, concurrency, require_landlock, user, scan, require, quiet, denials, private_names, record, budgets, anomaly, decoys, tests)" },
	{ "unknown-user.yml", NULL,
	  "@/unknown-user.yml:3:7: unknown user 'no-such-user-here' (create the user, or write UID:GID)" },
	{ "unterminated-placeholder.yml", NULL,
	  "@/unterminated-placeholder.yml:4:23: bad placeholder '{path' (write {NAME} or {NAME[]}: letters, digits, '_' and '-', not starting with a digit or '-'; options {NAME:uri}, {NAME:-DEFAULT})" },
	{ "var-cycle.yml", NULL,
	  "@/var-cycle.yml:6:6: variable cycle: ${A} -> ${B} -> ${C} -> ${A} (a variable cannot refer to itself)" },
	{ "version-2.yml", NULL,
	  "@/version-2.yml:1:10: version 2 is not supported (this membrane reads profile version 1)" },
	{ "version-list.yml", NULL,
	  "@/version-list.yml:1:10: 'version' must be an integer, not a list (write version: 1)" },
	{ "version-string.yml", NULL,
	  "@/version-string.yml:1:10: bad version 'one' (write version: 1)" },
};

/* want with "@/" -> dir + "/". */
static char *expand(const char *want, const char *dir)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	for (const char *p = want; *p;) {
		if (strncmp(p, "@/", 2) == 0) {
			fprintf(f, "%s/", dir);
			p += 2;
		} else {
			fputc(*p++, f);
		}
	}
	fclose(f);
	return out;
}

static bool in_table(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (strcmp(cases[i].file, name) == 0)
			return true;
	return false;
}

int main(void)
{
	char *dir = fixture("bad");
	const char *const include_dirs[] = { "/nonexistent/membrane-include-dir", NULL };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, cases[i].file) < 0)
			abort();
		char *want = expand(cases[i].want, dir);
		struct mb_load_opts o = {
			.sets = cases[i].sets,
			.include_dirs = include_dirs,
			.check_existence = true,
		};
		struct mb_profile *p = NULL;
		struct mb_error err = { 0 };
		int r = mb_profile_load(path, &o, &p, &err);
		ok(r < 0 && err.code == r && p == NULL, "%s is refused", cases[i].file);
		is_str(err.msg, want, "%s: message", cases[i].file);
		ok(!strchr(err.msg, '\n'), "%s: one line", cases[i].file);
		mb_profile_free(p);
		free(want);
		free(path);
	}

	DIR *d = opendir(dir);
	if (!ok(d != NULL, "open %s", dir))
		return done_testing();
	unsigned n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".yml") != 0)
			continue;
		n++;
		ok(in_table(e->d_name), "bad/%s has an expected message", e->d_name);
	}
	closedir(d);
	ok(n >= 40, "%u broken profiles (at least 40)", n);
	free(dir);
	return done_testing();
}
