#!/bin/sh
# man/membrane-profile.5 is clean mdoc (mandoc -Tlint -W warning prints
# nothing) and documents every key of the profile language and every
# shipped profile and fragment.
. "$top_srcdir/tests/tap.sh"

page=$top_srcdir/man/membrane-profile.5
out=$(mandoc -Tlint -W warning "$page" 2>&1)
rc=$?
is "$rc" 0 "mandoc -Tlint -W warning exits 0"
is "$out" "" "mandoc -Tlint -W warning prints nothing"

text=$(mandoc -Tascii "$page" | col -b)
for key in version name description include mode vars runtime read write exec \
	connect bind env tmpfs network unlisted_tools pin concurrency require_landlock \
	user arguments within tools requests limits memory tasks files redact tests; do
	like "$text" "(^|[^a-z_])$key:" "the page documents '$key:'"
done
for f in "$top_srcdir"/profiles/*.yml "$top_srcdir"/profiles/runtimes/*.yml; do
	case $f in
	*/runtimes/*) n=runtimes/$(basename "$f") ;;
	*) n=$(basename "$f") ;;
	esac
	like "$text" "$n" "the page shows $n"
done

done_testing
