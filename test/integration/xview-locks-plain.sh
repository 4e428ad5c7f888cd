#!/bin/sh
# xview-locks in a plain telly view (telly's own desktop in one desk
# window): the same keys, the same lines.
LOCKS_VIEW=plain exec sh test/integration/xview-locks.sh "$1"
