# Where a raw key's echo time goes by process, from `perf sched` (see
# echo-stages.sh, HOPS=1). Input: the lines of `perf script` (forks) and
# of `perf sched timehist -w` (runs and wakeups) of one recording; the
# variables: roots (pids whose descendants are ours: the typist first,
# sshd, the daemon), daemon (the daemon's pid), keys (keys typed), label.
#
# Only the key phase counts: from the first run of the program that
# echoes (dd) to the typist's last run. For each process on the path (by
# role), per key: its runs (each time it got a CPU: a wakeup, or a return
# after it was preempted), its system calls, its CPU time, and how long it
# waited for a CPU once runnable; and the kernel's workers our processes woke (the pty's
# buffer work). A machine busy with others shows in the waits and in
# runs above 2; perf's own tracing adds to every CPU time alike.
BEGIN {
	n = split(roots, r, " ")
	for (i = 1; i <= n; i++)
		ours[r[i]] = r[i] # each pid: the root it descends from
	typist = r[1]
}
# perf script: "comm pid/tid time: sched:sched_process_fork: comm=X pid=P child_comm=Y child_pid=C"
/sched_process_fork:/ {
	p = c = ""
	for (i = 1; i <= NF; i++) {
		if ($i ~ /^pid=/) p = substr($i, 5)
		if ($i ~ /^child_pid=/) c = substr($i, 11)
	}
	if (p in ours)
		ours[c] = ours[p]
	next
}
# perf script: "comm pid/tid time: raw_syscalls:sys_enter:"
/raw_syscalls:sys_enter:/ {
	split($2, pt, "/")
	ns++; ST[ns] = $3 + 0; SP[ns] = pt[1]; SC[ns] = $1
	SN[ns] = $0; sub(/.*NR /, "", SN[ns]); sub(/ .*/, "", SN[ns])
	next
}
# timehist: "TIME [CPU] COMM[TID/PID] WAIT SCHDELAY RUN" or "TIME [CPU] COMM[PID] awakened: COMM[PID]"
$2 ~ /^\[[0-9]+\]$/ {
	t = $1 + 0
	task = $3
	comm = task; sub(/\[.*/, "", comm)
	ids = task; sub(/^[^[]*\[/, "", ids); sub(/\]$/, "", ids)
	pid = ids; sub(/^[0-9]+\//, "", pid)
	if ($4 == "awakened:") {
		w = $5; wc = w; sub(/\[.*/, "", wc)
		wt = w; sub(/^[^[]*\[/, "", wt); sub(/\]$/, "", wt)
		if ((pid in ours) && wc ~ /^kworker|^kthreadd/)
			woken[wt] = 1 # its next run is for us
		next
	}
	if (NF < 6)
		next
	nrow++
	T[nrow] = t; P[nrow] = pid; C[nrow] = comm; ID[nrow] = ids
	D[nrow] = $(NF - 1); R[nrow] = $NF
	K[nrow] = 0
	if (ids in woken) { K[nrow] = 1; delete woken[ids] }
	if (comm == "dd" && (pid in ours) && !first) first = t
	if (comm == "typometer" && (pid in ours)) last = t
}
function role_of(pid, comm) {
	if (!(pid in ours)) return ""
	if (pid == daemon) return "telly daemon"
	if (comm == "telly") return ours[pid] == typist ? "telly attach" : "telly serve --stdio"
	if (comm == "typometer") return "typist (terminal)"
	if (comm == "sshd") return "sshd"
	if (comm == "ssh") return "ssh"
	if (comm == "dd") return "the program (dd)"
	return comm
}
function role(i) {
	if (K[i]) return "kernel worker (pty buffers)"
	return role_of(P[i], C[i])
}
END {
	# The path's order: the key out, the echo back.
	no = split("typist (terminal)|telly attach|ssh|sshd|telly daemon|the program (dd)|kernel worker (pty buffers)", order, "|")
	for (j = 1; j <= no; j++)
		known[order[j]] = 1
	for (i = 1; i <= nrow; i++) {
		if (T[i] < first || T[i] > last) continue
		k = role(i)
		if (k == "") continue
		if (!(k in known)) { known[k] = 1; order[++no] = k }
		ins[k]++; cpu[k] += R[i]; dly[k] += D[i]
	}
	for (i = 1; i <= ns; i++) {
		if (ST[i] < first || ST[i] > last) continue
		k = role_of(SP[i], SC[i])
		if (k == "") continue
		sys[k]++
		calls[k " " SN[i]]++
	}
	printf "%s, %d keys (per key):\n", label, keys
	printf "  %-30s %8s %9s %9s %9s\n", "process", "runs", "syscalls", "CPU us", "wait us"
	for (j = 1; j <= no; j++) {
		k = order[j]
		if (!(k in ins)) continue
		printf "  %-30s %8.2f %9.2f %9.1f %9.1f\n", k, ins[k] / keys, sys[k] / keys,
			cpu[k] * 1000 / keys, dly[k] * 1000 / keys
		ti += ins[k]; tc += cpu[k]; td += dly[k]; tsys += sys[k]
	}
	printf "  %-30s %8.2f %9.2f %9.1f %9.1f\n", "all", ti / keys, tsys / keys, tc * 1000 / keys,
		td * 1000 / keys
	if (detail) { # the calls by number (x86-64: 0 read, 1 write, 7 poll, 16 ioctl, 20 writev, 232 epoll_wait ...)
		for (j = 1; j <= no; j++) {
			line = ""
			for (c in calls) {
				split(c, f, " ")
				if (substr(c, 1, length(order[j]) + 1) == order[j] " " && calls[c] >= keys / 10)
					line = line sprintf(" %s:%.2f", substr(c, length(order[j]) + 2), calls[c] / keys)
			}
			if (line != "") printf "    %s calls a key:%s\n", order[j], line
		}
	}
}
