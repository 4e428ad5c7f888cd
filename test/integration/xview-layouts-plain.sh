#!/bin/sh
# xview-layouts in a plain telly view (telly's own desktop in one desk
# window) instead of a seamless one: the same keys, the same lines.
LAYOUT_VIEW=plain exec sh test/integration/xview-layouts.sh "$1"
