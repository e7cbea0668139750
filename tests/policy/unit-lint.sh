#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane-run --lint: each warning on its fixture in
# tests/fixtures/profiles/lint/, with the exact line it must print
# ("file:line:column: warning: WHAT (FIX)"), near misses that must stay
# quiet in the same fixtures, exit 1 with warnings, 0 without, 125 for a
# broken profile. Every fixture must have its expected output here.
. "$top_srcdir/tests/tap.sh"

fix=$top_srcdir/tests/fixtures/profiles/lint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seen=" "

# lint FILE: compare `membrane-run --lint FILE` with stdin ("@/" standing
# for the fixture directory); exit 1 if stdin holds a line, else 0.
lint() {
	file=$1
	seen="$seen$file "
	sed "s|@/|$fix/|g" >"$tmp/want"
	want_rc=1
	[ -s "$tmp/want" ] || want_rc=0
	# A fixed HOME, so that the home-directory checks do not depend on who
	# runs the test.
	HOME=/home/tester "$MEMBRANE_RUN" --lint "$fix/$file" >"$tmp/got" 2>"$tmp/err"
	rc=$?
	is "$rc" "$want_rc" "$file: exit $want_rc"
	if cmp -s "$tmp/got" "$tmp/want"; then
		pass "$file: the warnings, line for line"
	else
		fail "$file: the warnings, line for line" "$(diff "$tmp/want" "$tmp/got")"
	fi
	is "$(cat "$tmp/err")" "" "$file: nothing on stderr"
}

lint clean.yml <<'OUT'
OUT
lint connect.yml <<'OUT'
@/connect.yml:6:13: warning: connect to '0.0.0.0/0:443' reaches every IPv4 address, the whole Internet and the local network (name the hosts the server talks to)
@/connect.yml:8:22: warning: connect to '[::]/0:*' reaches every IPv6 address, the whole Internet and the local network (name the hosts the server talks to)
@/connect.yml:9:20: warning: connect to '169.254.169.254:80' reaches the cloud metadata service 169.254.169.254, which hands out the host's credentials (remove it)
@/connect.yml:10:26: warning: connect to '169.254.0.0/16:80' reaches the cloud metadata service 169.254.169.254, which hands out the host's credentials (remove it)
@/connect.yml:11:21: warning: connect to '[fd00:ec2::254]:80' reaches the cloud metadata service fd00:ec2::254, which hands out the host's credentials (remove it)
@/connect.yml:12:24: warning: connect to '100.100.100.200:80' reaches the cloud metadata service 100.100.100.200, which hands out the host's credentials (remove it)
OUT
lint exec-interpreter.yml <<'OUT'
@/exec-interpreter.yml:8:19: warning: exec of /bin/sh, a shell or interpreter (sh) beyond the server's own (python): it runs any code it is given (remove it; if the server runs a helper, grant that program)
@/exec-interpreter.yml:9:18: warning: exec of /usr/bin/perl, a shell or interpreter (perl) beyond the server's own (python): it runs any code it is given (remove it; if the server runs a helper, grant that program)
@/exec-interpreter.yml:12:22: warning: exec of /usr/bin allows every program in /usr/bin, shells and interpreters included (grant the programs the server runs, one by one)
@/exec-interpreter.yml:13:21: warning: exec of /usr/local/bin (where the static layer widens '/usr/local/bin/py*') allows every program in /usr/local/bin, shells and interpreters included (grant the programs the server runs, one by one)
OUT
lint glob-wide.yml <<'OUT'
@/glob-wide.yml:5:21: warning: '/*.conf' widens to / in the static layer: the kernel grants read on the whole root (start the pattern with the directory it lies in)
@/glob-wide.yml:6:19: warning: '/home/*/notes.txt' widens to /home in the static layer, which takes in the home directories /home/*: the kernel grants read on all of it (start the pattern with the directory it lies in)
@/glob-wide.yml:8:17: warning: read of /etc (where the static layer widens '/etc/*.conf') takes in /etc whole, /etc/shadow and the host's keys with it (grant the files the server reads, such as /etc/ssl/certs)
OUT
lint limits-missing.yml <<'OUT'
@/limits-missing.yml:2:1: warning: no limits: a runaway server may take every byte of memory, task and file descriptor it can (add limits: { memory: 512M, tasks: 64, files: 1024 })
OUT
lint limits-partial.yml <<'OUT'
@/limits-partial.yml:3:9: warning: limits without tasks, files (add tasks: 64, files: 1024)
OUT
lint mode-audit.yml <<'OUT'
@/mode-audit.yml:3:7: warning: mode: audit reports violations but lets them happen (write mode: enforce; try a profile with membrane-run --mode audit instead)
OUT
lint placeholder-root.yml <<'OUT'
@/placeholder-root.yml:5:28: warning: '{path}' takes any path: no arguments.within bounds the argument, so the whole root is granted read (add arguments: { within: [DIR] })
@/placeholder-root.yml:6:25: warning: '/{name}' takes any path: no arguments.within bounds the argument, so the whole root is granted write (add arguments: { within: [DIR] })
OUT
lint read-secret.yml <<'OUT'
@/read-secret.yml:5:10: warning: read of /root/.ssh/id_rsa, in the secret store /root/.ssh (remove it; give the server the one credential it needs, in an environment variable)
@/read-secret.yml:5:32: warning: read of /etc/shadow, in the secret store /etc/shadow (remove it; give the server the one credential it needs, in an environment variable)
@/read-secret.yml:7:17: warning: read of /etc/ssl takes in the secret store /etc/ssl/private (grant the files the server needs, not the directory that holds them)
@/read-secret.yml:8:19: warning: read of /home/bob/.config takes in the secret store /home/*/.config/gcloud (grant the files the server needs, not the directory that holds them)
@/read-secret.yml:9:18: warning: read of /run/secrets/kubernetes.io, in the secret store /run/secrets (remove it; give the server the one credential it needs, in an environment variable)
OUT
lint read-wholesale.yml <<'OUT'
@/read-wholesale.yml:6:10: warning: read of /etc takes in /etc whole, /etc/shadow and the host's keys with it (grant the files the server reads, such as /etc/ssl/certs)
@/read-wholesale.yml:8:12: warning: read of /home takes in the home directories /home/* (grant the one directory the server works in)
@/read-wholesale.yml:10:24: warning: read of / takes in the whole filesystem, every home directory and /etc with it (grant the directories the server needs)
@/read-wholesale.yml:11:19: warning: read of /root takes in a home directory whole, its keys, tokens and history with it (grant the one directory the server works in)
@/read-wholesale.yml:12:18: warning: read of /home/tester takes in a home directory whole, its keys, tokens and history with it (grant the one directory the server works in)
OUT
lint unlisted-allow.yml <<'OUT'
@/unlisted-allow.yml:3:17: warning: unlisted_tools: allow lets the server run tools the profile never declared, with runtime's grants and no argument checks (declare every tool and write unlisted_tools: deny)
OUT
lint within-root.yml <<'OUT'
@/within-root.yml:5:12: warning: arguments.within '/' bounds nothing: a path argument may name any file (name the directory the server works in)
OUT
lint write-code.yml <<'OUT'
@/write-code.yml:10:22: warning: write on /usr covers /usr/bin/env, which the server may run (exec) (@/write-code.yml:6): it could change code it loads or runs (grant write on a directory of its own, apart from its code)
@/write-code.yml:11:20: warning: write on /usr/bin covers /usr/bin/env, which the server may run (exec) (@/write-code.yml:6): it could change code it loads or runs (grant write on a directory of its own, apart from its code)
@/write-code.yml:12:19: warning: write on /usr/lib covers /usr/lib, which the server reads (runtime) (@/write-code.yml:5): it could change code it loads or runs (grant write on a directory of its own, apart from its code)
OUT
lint write-exec.yml <<'OUT'
@/write-exec.yml:7:20: warning: write on /var/lib/app/bin lies inside /var/lib, which is granted exec (@/write-exec.yml:5): the server could write a program and run it (keep what it writes apart from what it runs)
OUT

# Every fixture is checked.
for f in "$fix"/*.yml; do
	b=${f##*/}
	case $seen in
	*" $b "*) pass "lint/$b has its expected output" ;;
	*) fail "lint/$b has its expected output" ;;
	esac
done

# --lint judges the profile as written: --mode does not change it.
HOME=/home/tester "$MEMBRANE_RUN" --lint "$fix/clean.yml" --mode audit >"$tmp/got" 2>&1
is "$?" 0 "clean.yml with --mode audit: still clean"

# --set reaches the linter: the same grant, two verdicts.
cat >"$tmp/vars.yml" <<'YAML'
version: 1
name: vars
vars:
  DIR: /tmp
runtime:
  read: ["${DIR}"]
limits: { memory: 512M, tasks: 64, files: 1024 }
YAML
"$MEMBRANE_RUN" --lint "$tmp/vars.yml" >"$tmp/got" 2>&1
is "$?" 0 "vars.yml, DIR=/tmp: clean"
"$MEMBRANE_RUN" --lint "$tmp/vars.yml" --set DIR=/etc >"$tmp/got" 2>&1
is "$?" 1 "vars.yml, --set DIR=/etc: a warning"
like "$(cat "$tmp/got")" "^$tmp/vars.yml:6:10: warning: read of /etc takes in /etc whole" \
	"vars.yml, --set DIR=/etc: on the line that reads it"

# A broken profile: 125 and the loader's one line, nothing on stdout.
"$MEMBRANE_RUN" --lint "$top_srcdir/tests/fixtures/profiles/bad/unknown-key.yml" \
	>"$tmp/got" 2>"$tmp/err"
is "$?" 125 "a broken profile: exit 125"
like "$(cat "$tmp/err")" "unknown-key.yml:4:1: unknown key 'netwrok'" "a broken profile: the loader's error"
is "$(wc -c <"$tmp/got" | tr -d ' ')" 0 "a broken profile: nothing on stdout"

# The profile is given once.
"$MEMBRANE_RUN" --lint "$fix/clean.yml" --profile "$fix/clean.yml" >"$tmp/got" 2>"$tmp/err"
is "$?" 125 "--lint with --profile: exit 125"
like "$(cat "$tmp/err")" "^membrane-run: --profile .*: the profile is given twice" "... saying so"

done_testing
