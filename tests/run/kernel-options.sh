#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane-run's options for the static layer: --require-landlock, --best-effort,
# --user; and the record's: --record, --baseline, --control, --sign-key,
# --checkpoint-every (what they do: tests/record/kernel-record.sh). What they do to a running sandbox is tested through the launcher
# (spawn.sh); here, that the command line takes them and refuses bad ones.
. "$top_srcdir/tests/tap.sh"

help=$("$MEMBRANE_RUN" --help)
like "$help" "--require-landlock N" "--help lists --require-landlock"
like "$help" "--best-effort" "--help lists --best-effort"
like "$help" "--user USER\[:GROUP\]" "--help lists --user"
for o in "--record WHAT" "--baseline FILE" "--control PATH" "--sign-key KEY" "--checkpoint-every N"; do
	like "$help" "$o" "--help lists $o"
done

bad() { # bad DESCRIPTION WANT-REGEX ARGS...
	desc=$1 want=$2
	shift 2
	out=$("$MEMBRANE_RUN" "$@" 2>&1)
	is "$?" 125 "$desc: exit 125"
	like "$out" "$want" "$desc: says why"
}
bad "--require-landlock 0" "--require-landlock 0: expected an ABI version" \
	--require-landlock 0 --profile x -- true
bad "--require-landlock abc" "--require-landlock abc: expected an ABI version" \
	--require-landlock abc --profile x -- true
bad "--user of nobody known" "--user no-such-user-here: no such user" \
	--user no-such-user-here --profile x -- true
bad "--user with an unknown group" "--user nobody:no-such-group-here: no such group" \
	--user nobody:no-such-group-here --profile x -- true
bad "--user with an empty group" "expected USER or USER:GROUP" --user nobody: --profile x -- true
bad "--record some" "--record some: expected tools, all or none" --record some --profile x -- true
bad "--checkpoint-every 0" "--checkpoint-every 0: expected a number of lines from 1 to 1000000" \
	--checkpoint-every 0 --profile x -- true
bad "--control empty" "--control: the value is empty" --control= --profile x -- true
bad "--baseline with --learn" "--record, --baseline and --control watch a profile's run" \
	--learn /tmp/draft.yml --baseline b.json -- true
bad "a missing baseline" "^membrane-run: baseline /no/such/base.json: No such file or directory \(make it with membrane-audit baseline" \
	--profile "$top_srcdir/tests/fixtures/profiles/good/minimal.yml" --baseline /no/such/base.json -- true
bad "a missing signing key" "^membrane-run: --sign-key /no/such/key: No such file or directory" \
	--profile "$top_srcdir/tests/fixtures/profiles/good/minimal.yml" --sign-key /no/such/key --report /dev/null -- true

# --doctor: no command, its profile by --profile only; a broken profile is
# 125 as for any action (its report is tests/sandbox/kernel-refused.sh's).
like "$help" "--doctor" "--help lists --doctor"
bad "--doctor with a command" "--doctor takes no command" --doctor --profile x -- true
bad "--doctor after --lint" "--doctor takes its profile with --profile" --lint x --doctor
bad "--doctor with --learn" "does not go with .*--doctor" --doctor --learn d.yml -- true
bad "--doctor with a missing profile" "no/such/profile.yml" --doctor --profile /no/such/profile.yml
out=$("$MEMBRANE_RUN" --doctor 2>&1)
st=$?
ok "--doctor without a profile reports on this host (exit $st: 0 or 1)" test "$st" = 0 -o "$st" = 1
like "$out" "verdict: " "... and ends with its verdict"

# Good values pass the parser: what fails next is the missing profile.
for args in "--require-landlock 4" "--best-effort" "--user nobody" "--user 65534:65534" \
	"--user nobody:nogroup" "--record all" "--record none" "--checkpoint-every 7"; do
	# shellcheck disable=SC2086
	out=$("$MEMBRANE_RUN" $args --profile /no/such/profile.yml -- true 2>&1)
	case $out in
	*--require-landlock*|*--user*|*--best-effort*|*--record*|*--checkpoint*) fail "$args is accepted" "$out" ;;
	*) pass "$args is accepted" ;;
	esac
done
done_testing
