#!/bin/sh
# reconnect-view.sh over ssh: the connection to sshd cut while keys are
# typed and output flows; telly view runs ssh again in batch mode and
# resumes both windows' channels exactly.
RV_VIA=ssh
. test/integration/reconnect-view.sh
