#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate docs/compatibility.md from the "tools:" lines that
# tests/guest/suite.d/70-tools.sh emits (issue 19): for each third-party
# tool and each of its BPF programs on each kernel, the requirements
# lsmrevoke recorded, what integrity, confidentiality and strict=1 do to
# it, and how the tool behaves while revoked.
#
# Usage: tests/compat-table.sh [-o FILE] LOG...
#   LOG  the output of tests/run-qemu.sh (suite mode, any kernels), e.g.
#        bash tests/run-qemu.sh --kernel all | tee run.log
#        tests/compat-table.sh -o docs/compatibility.md run.log
#        Lines look like "[6.1] # tools: prog <release> <tool> ..." (see
#        70-tools.sh). For a kernel that appears in several logs, the last
#        log wins. "-" reads standard input.
#   -o   write FILE instead of standard output
#
# Nothing in the output is written by hand: change 70-tools.sh or this
# script and regenerate. Fails if the logs hold no "tools:" line.

set -euo pipefail

out=
if [ "${1-}" = -o ]; then
	[ $# -ge 2 ] || { echo "usage: $0 [-o FILE] LOG..." >&2; exit 2; }
	out=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [-o FILE] LOG..." >&2; exit 2; }

gen() {
	awk '
	function sortkeys(arr, keys,    n, k, i, j, t) {
		n = 0
		for (k in arr) keys[++n] = k
		for (i = 2; i <= n; i++) {
			t = keys[i]
			for (j = i - 1; j > 0 && keys[j] > t; j--) keys[j + 1] = keys[j]
			keys[j + 1] = t
		}
		return n
	}
	# series sort key: 6.1 < 6.12 < 6.12-deb13 < 7.2 < 7.3
	function skey(s,    a, n) {
		n = split(s, a, /[.-]/)
		return sprintf("%03d.%03d.%s", a[1], a[2], n > 2 ? a[3] : "")
	}
	# tool sort key: bpftrace, then libbpf-tools, then loadall, then
	# bpftool, then systemd
	function tkey(t) {
		if (t ~ /^bpftrace/) return "1" t
		if (t ~ /^loadall/) return "3" t
		if (t ~ /^bpftool/) return "4" t
		if (t ~ /^systemd/) return "5" t
		return "2" t
	}
	function kv(s, k,    i, n, a) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
		return ""
	}
	function cell(st) {
		if (st == "") return "?"
		if (st == "revoked") return "**revoked**"
		return st
	}
	function md(s) {
		gsub(/\|/, "\\|", s)
		return s
	}
	# Which phases revoke how many of the programs of the tool line L.
	function revsum(l,    f, s, tool, ph, nm, i, j, k, n, r, out) {
		split(l, f, " ")
		s = f[2]; tool = f[3]
		s = lrel[s]
		split("integrity confidentiality strict", ph, " ")
		nm["integrity"] = "integrity"; nm["confidentiality"] = "confidentiality"; nm["strict"] = "strict=1"
		out = ""
		for (i = 1; i <= 3; i++) {
			n = 0; r = 0
			for (j = 1; (k = s SUBSEP tool SUBSEP sprintf("%04d", j)) in progs; j++) {
				n++
				if (kv(progs[k], ph[i]) == "revoked") r++
			}
			if (r) out = out (out == "" ? "" : ", ") r " of " n " revoked under " nm[ph[i]]
		}
		return out == "" ? "nothing revoked" : out
	}
	# What a user of a started tool sees, from its line counts.
	function sees(l,    p, ph, nm, quiet, loud, n, i, f) {
		split(l, f, " ")
		# systemd: the suite checks what its programs deny in each phase.
		if (f[3] == "systemd")
			return "keeps running (PID 1 of a PID namespace); DevicePolicy=strict and IPAddressDeny=any of its units deny in every phase; " revsum(l) "; powers off on SIGRTMIN+4"
		if (kv(l, "before") == "-") return "loaded, not attached (no output to see); " revsum(l)
		split("integrity confidentiality strict", ph, " ")
		nm["integrity"] = "integrity"; nm["confidentiality"] = "confidentiality"; nm["strict"] = "strict=1"
		quiet = ""; n = 0
		for (i = 1; i <= 3; i++) {
			p = ph[i]
			if (kv(l, p) == "0") { quiet = quiet (n++ ? ", " : "") nm[p] }
		}
		loud = kv(l, "exit") == "0" ? "exits 0 on SIGINT" : "exit status " kv(l, "exit")
		if (kv(l, "before") == "0") return "printed nothing even with no policy (see the tests)"
		if (n == 0) return "output in every phase; " loud
		sub(/, strict=1$/, " and strict=1", quiet)
		return "keeps running; prints nothing under " quiet "; output resumes on restore; " loud
	}
	FNR == 1 { file++ }
	/\] # tools: / {
		series = $0; sub(/^\[/, "", series); sub(/\].*/, "", series)
		line = $0; sub(/.*\] # tools: /, "", line)
		n = split(line, f, " ")
		kind = f[1]; rel = f[2]; tool = f[3]
		if (!(series in fileof) || fileof[series] < file) {
			# A newer log replaces what an older one said of this kernel.
			for (k in progs) if (index(k, series SUBSEP) == 1) delete progs[k]
			for (k in tools) if (index(k, series SUBSEP) == 1) delete tools[k]
			fileof[series] = file
		}
		relof[series] = rel
		lrel[rel] = series
		seriesk[skey(series) SUBSEP series] = 1
		toolnames[tkey(tool) SUBSEP tool] = 1
		if (kind == "prog") {
			# prog <rel> <tool> <type> <name> <requires> xlated=.. loader=.. integrity=.. ...
			key = series SUBSEP tool SUBSEP sprintf("%04d", ++nprog[series SUBSEP tool])
			progs[key] = line
		} else if (kind == "tool") {
			tools[series SUBSEP tool] = line
		} else if (kind == "cmd") {
			c = line; sub(/^cmd [^ ]+ [^ ]+ /, "", c)
			cmd[tool] = c
		}
		seen++
	}
	END {
		if (!seen) { print "compat-table.sh: no \"tools:\" lines in the logs" > "/dev/stderr"; exit 1 }
		ns = sortkeys(seriesk, sk)
		nt = sortkeys(toolnames, tk)
		print "# Compatibility of third-party BPF software"
		print ""
		print "<!-- Generated by tests/compat-table.sh from the output of"
		print "     tests/guest/suite.d/70-tools.sh; do not edit by hand. -->"
		print ""
		print "Real BPF software from Debian 12 (bookworm), run under lsmrevoke in"
		print "QEMU on each Debian kernel series by `tests/guest/suite.d/70-tools.sh`"
		print "(part of the suite: `bash tests/run-qemu.sh --kernel SERIES`), then"
		print "turned into this page by"
		print "`tests/compat-table.sh -o docs/compatibility.md LOG...` from the output"
		print "of those runs. Every tool runs, as a user would run it, through all the"
		print "policy phases below in one process; the programs it loaded are the ones whose"
		print "`loader=` field in `programs` names its process. All the events the"
		print "tools see come from one process named after the phase, so each line of"
		print "output tells its phase; the lines are counted once the tool has exited."
		print ""
		print "Kernels:"
		print ""
		for (i = 1; i <= ns; i++) {
			split(sk[i], p, SUBSEP); s = p[2]
			printf "- %s: `%s`\n", s, relof[s]
		}
		print ""
		print "The policies, as the suite applies them (lockdown itself can only rise"
		print "once per boot, so the same denials come from a BPF-LSM `locked_down`"
		print "program, which lsmrevoke treats as it treats lockdown):"
		print ""
		print "| column | policy | denies |"
		print "|---|---|---|"
		print "| integrity | `lockdown=integrity` (here: a `locked_down` denier of LOCKDOWN_BPF_WRITE_USER) | `bpf_write_user` |"
		print "| confidentiality | `lockdown=confidentiality` (here: a denier of LOCKDOWN_BPF_WRITE_USER and LOCKDOWN_BPF_READ_KERNEL) | `bpf_write_user`, `bpf_read_kernel` |"
		print "| strict=1 | `strict=1` under confidentiality | also `btf_read`, `kfunc_read`, `btf_print`, `fmt_read`, `ksym_read` |"
		print "| restored | the denier detached, `strict=0` | nothing |"
		print ""
		print "`requires` is what lsmrevoke recorded (`/sys/kernel/security/lsmrevoke/programs`,"
		print "with `strict=0`); `xlated` is what `bpftool prog dump xlated` shows the"
		print "program calling: `r` a `bpf_probe_read{,_kernel,_compat}{,_str}` helper,"
		print "`w` `bpf_probe_write_user`, `-` neither (the suite fails if `r` and"
		print "`w` disagree with `bpf_read_kernel` and `bpf_write_user` in `requires`;"
		print "a load through a BTF pointer, `btf_read`, looks like any load in this"
		print "dump). `loader` is the `loader=` command name."
		print "Program names are whole, as `bpftool prog show` reads them from the"
		print "program'"'"'s BTF (the kernel keeps 15 characters)."
		print ""
		print "## What the user sees"
		print ""
		print "| tool | version | kernels | what the user sees |"
		print "|---|---|---|---|"
		for (t = 1; t <= nt; t++) {
			split(tk[t], q, SUBSEP); tool = q[2]
			# One row per version and behaviour, the kernels that
			# showed it in series order.
			delete row
			delete rowk
			nr = 0
			for (i = 1; i <= ns; i++) {
				split(sk[i], p, SUBSEP); s = p[2]
				if (!((s SUBSEP tool) in tools)) continue
				l = tools[s SUBSEP tool]
				split(l, f, " ")
				if (f[5] != "started") {
					why = f[5]; sub(/^skip:/, "", why); gsub(/_/, " ", why)
					txt = "SKIP: " md(why)
				} else {
					txt = sees(l)
				}
				k = f[4] " | " txt
				if (k in row) {
					row[k] = row[k] ", " s
				} else {
					row[k] = s
					rowk[++nr] = k
				}
			}
			for (r = 1; r <= nr; r++) {
				split(rowk[r], v, " [|] ")
				printf "| %s | %s | %s | %s |\n", tool, v[1], row[rowk[r]], substr(rowk[r], length(v[1]) + 4)
			}
		}
		print ""
		print "## Tools and programs"
		for (t = 1; t <= nt; t++) {
			split(tk[t], q, SUBSEP); tool = q[2]
			print ""
			printf "### %s\n\n", tool
			if (tool in cmd) printf "`%s`\n\n", cmd[tool]
			print "| kernel | type | program | loader | requires | xlated | integrity | confidentiality | strict=1 | restored |"
			print "|---|---|---|---|---|---|---|---|---|---|"
			rows = 0
			for (i = 1; i <= ns; i++) {
				split(sk[i], p, SUBSEP); s = p[2]
				for (j = 1; (s SUBSEP tool SUBSEP sprintf("%04d", j)) in progs; j++) {
					l = progs[s SUBSEP tool SUBSEP sprintf("%04d", j)]
					split(l, f, " ")
					printf "| %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", s, f[4], f[5],
						kv(l, "loader"), f[6], kv(l, "xlated"),
						cell(kv(l, "integrity")), cell(kv(l, "confidentiality")),
						cell(kv(l, "strict")), cell(kv(l, "after"))
					rows++
				}
				if (j == 1 && (s SUBSEP tool) in tools) {
					split(tools[s SUBSEP tool], f, " ")
					printf "| %s | - | - | - | - | - | - | - | - | %s |\n", s, f[5] == "started" ? "no program" : "skipped (above)"
					rows++
				}
			}
			if (rows == 0) print "| - | - | - | - | - | - | - | - | - | not run |"
			hdr = 0
			for (i = 1; i <= ns; i++) {
				split(sk[i], p, SUBSEP); s = p[2]
				if (!((s SUBSEP tool) in tools)) continue
				l = tools[s SUBSEP tool]
				split(l, f, " ")
				if (f[5] != "started" || kv(l, "before") == "-") continue
				if (!hdr++) {
					print ""
					print "Lines of output in each phase (the same events in each), and the"
					print "exit status after SIGINT at the end:"
					print ""
					print "| kernel | before | integrity | confidentiality | strict=1 | restored | exit |"
					print "|---|---|---|---|---|---|---|"
				}
				printf "| %s | %s | %s | %s | %s | %s | %s |\n", s,
					kv(l, "before"), kv(l, "integrity"), kv(l, "confidentiality"),
					kv(l, "strict"), kv(l, "after"), kv(l, "exit")
			}
		}
		print ""
		print "## Rules the suite checks"
		print ""
		print "In every phase each program is revoked exactly when the policy denies"
		print "one of its requirements, and a program that needs nothing stays active;"
		print "every tool keeps running through all phases and exits 0 on SIGINT; a"
		print "tool with nothing revoked prints its lines in that phase and one with"
		print "any program revoked prints none (their programs are all on the path of"
		print "the events; opensnoop'"'"'s `open` pair, which needs nothing, is not)."
		print "A tool that cannot run on a kernel is a SKIP with its reason, above."
		print ""
		print "systemd runs as a container'"'"'s systemd does: PID 1 of a PID and mount"
		print "namespace, chrooted, in a cgroup of its own; in each phase a process"
		print "moved into `lx-dev.service` must open `/dev/null` and get EPERM for"
		print "`/dev/zero`, one moved into `lx-ip.service` must get EPERM pinging"
		print "127.0.0.1 (which works outside), and after SIGRTMIN+4 it stops both"
		print "services, powers off the namespace and its programs are freed."
		print ""
		print "Not covered:"
		print ""
		print "- systemd'"'"'s restrict-fs, restrict-ifaces and socket-bind programs"
		print "  (`RestrictFileSystems=`, `RestrictNetworkInterfaces=`,"
		print "  `SocketBindDeny=`): Debian 12 builds systemd 252 without its BPF"
		print "  framework (`systemctl --version`: `-BPF_FRAMEWORK`), so they load"
		print "  nothing (the suite checks that it still says so)."
		print "- `bpftool prog profile`: every Debian bpftool is built without its"
		print "  BPF skeletons (`bpftool version`: `skeletons` false; \"bpftool prog"
		print "  profile command is not supported\"): 7.1.0 of Debian 12, and, checked"
		print "  for issue 19 with their own libraries, 7.5.0 of Debian 13 and 7.8.0"
		print "  of trixie-backports and unstable. `tests/run-qemu.sh` therefore"
		print "  builds bpftool 7.1.0 with its skeletons from Debian 12'"'"'s"
		print "  `linux-source-6.1` (table above: `bpftool-v7.1.0-<source version>`),"
		print "  whose profiler loads, but then needs a hardware counter per CPU and"
		print "  metric (every metric it offers is a hardware event), and QEMU'"'"'s TCG,"
		print "  the only accelerator these tests have, emulates no PMU: the kernel"
		print "  says \"PMU not available due to virtualization\" and bpftool \"failed to"
		print "  create event cycles on cpu 0\". The suite runs it, and checks it like"
		print "  the other tools, where a PMU exists."
	}' "$@"
}

if [ -n "$out" ]; then
	gen "$@" >"$out.tmp"
	mv "$out.tmp" "$out"
else
	gen "$@"
fi
