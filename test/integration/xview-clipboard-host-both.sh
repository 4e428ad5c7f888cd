#!/bin/sh
# Both host selections copied at once, 3 MB each: the desk gets both. The
# first pushes the desk's queue past its bound (1 MiB); the second was
# then dropped without a word and never sent after the desk caught up.
# Now the latest text of each is kept and sent once the desk has caught
# up.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
seamless_desk

copy_both hostclip
both_whole "the desk" deskclip
echo "both host selections, 3 MB each at once, reach the desk whole: ok"
