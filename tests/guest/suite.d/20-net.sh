# SPDX-License-Identifier: GPL-2.0
#
# Networking programs revoked in place (sourced by suite.sh after the
# foundation tests; busybox sh, set -u; lib.sh and suite.sh's variables).
#
# For every hook an offender (calls bpf_probe_read_kernel, counts its runs
# in a global, and has a verdict of its own: truncate, drop or deny) and a
# control on the same hook (no gated helper, counts, lets traffic pass).
# All hooks are set up at once, each acting on its own traffic only (UDP
# port, socket or cgroup), and go through five phases together:
#   before    module loaded (on_revoke=detach), no denial: the offenders'
#             verdicts are seen and they count
#   revoked   the BPF-LSM denier (net_denier) attached, revalidate: every
#             offender is "revoked", traffic passes as if it were
#             detached, its counter stays exactly where it was
#   relaxed   denier detached, revalidate: offenders active and counting
#   deny      module reloaded with on_revoke=deny, denier, revalidate:
#             traffic is dropped (sockets denied), counters frozen
#   restored  rmmod refused while they are revoked; denier detached,
#             revalidate, rmmod: the offenders run their own code again
# while the controls count every round's traffic throughout. Each test
# reports once at the end; its failures name the phase, what was expected
# and what was seen. The file leaves the module unloaded, and its programs,
# links, network namespace, veths and cgroups gone.
#
# Traffic comes from one long-lived "lsmrevoke-test net serve" process
# (sockets with socket filters must outlive the policy changes), which
# sends NET_COUNT datagrams per flow in each round the file triggers.

NET_COUNT=20
NET_W=$WORK/net
NET_PINS=$PINS/net
NET_LINKS=$PINS/net-links
NET_NS=lsmrevoke-net
NET_NSP=/run/netns/$NET_NS
NET_CG=/sys/fs/cgroup
NET_CGA=$NET_CG/lsmrevoke-net-traffic
NET_CGB=$NET_CG/lsmrevoke-net-probe
NET_SYSCTL=/proc/sys/kernel/ostype
NET_IP=/usr/sbin/ip
NET_TESTS='sockfilter cgroup_skb cgroup_sock cgroup_sysctl tc tcx xdp_native xdp_generic xdp_ext'
NET_BROKEN=
NET_CG_MOUNTED=
NET_SRV_PID=
NET_DENIER_PID=
NET_ROUND=0

# Global counters: key, object (tests/progs/net_<object>.bpf.c), program,
# variable.
NET_VARS='sf_off sockfilter sf_offender sf_off_runs
sf_ctl sockfilter sf_control sf_ctl_runs
cgi_off cgskb cgskb_off_in cgskb_off_in_runs
cgi_ctl cgskb cgskb_ctl_in cgskb_ctl_in_runs
cge_off cgskb cgskb_off_eg cgskb_off_eg_runs
cge_ctl cgskb cgskb_ctl_eg cgskb_ctl_eg_runs
sock_off cgsock sock_offender sock_off_runs
sock_ctl cgsock sock_control sock_ctl_runs
sysctl_off sysctl sysctl_offender sysctl_off_runs
sysctl_ctl sysctl sysctl_control sysctl_ctl_runs
tci_off tc tc_off_in tc_off_in_runs
tci_ctl tc tc_ctl_in tc_ctl_in_runs
tce_off tc tc_off_eg tc_off_eg_runs
tce_ctl tc tc_ctl_eg tc_ctl_eg_runs
tcx_off tcx tcx_offender tcx_off_runs
tcx_ctl tcx tcx_control tcx_ctl_runs
xdpd_off xdp xdp_off_drv xdp_off_drv_runs
xdpd_ctl xdp xdp_ctl_drv xdp_ctl_drv_runs
xdpg_off xdp xdp_off_gen xdp_off_gen_runs
xdpg_ctl xdp xdp_ctl_gen xdp_ctl_gen_runs
xe_off xdpext xdp_ext_off xdp_ext_off_runs
xe_ctl xdp xdp_ext_tgt xdp_ext_ctl_runs
xe_own xdp xdp_ext_tgt xdp_ext_own_runs
xe_own2 xdp xdp_ext_tgt2 xdp_ext_own2_runs'

# What is checked: test, offender counter, control counter, the offender's
# flow (@sock, @sysctl: the cgroup probes), the control's flow if it has
# its own (-: the same traffic), the offender's own verdict.
NET_UNITS='sockfilter sf_off sf_ctl sf_off sf_ctl truncate
cgroup_skb cgi_off cgi_ctl cg_in - drop
cgroup_skb cge_off cge_ctl cg_eg - drop
cgroup_sock sock_off sock_ctl @sock - deny
cgroup_sysctl sysctl_off sysctl_ctl @sysctl - deny
tc tci_off tci_ctl tc_in - drop
tc tce_off tce_ctl tc_eg - drop
tcx tcx_off tcx_ctl tcx - drop
xdp_native xdpd_off xdpd_ctl xdp_drv xdp_drv_ctl drop
xdp_generic xdpg_off xdpg_ctl xdp_gen xdp_gen_ctl drop
xdp_ext xe_off xe_ctl xdp_ext - drop'

# A stub with on_revoke=deny drops everything that reaches its hook, not
# just its program's port, so no two hooks with an offender share a path:
# every device hook has a veth pair of its own, and only the sockets of
# the cgroup_skb flows are in that test's cgroup. Pair i is nv<i>a
# 10.77.<i>.1 (here) <-> nv<i>b 10.77.<i>.2 (in $NET_NS), with static
# neighbour entries (a stub dropping ARP would stop the datagrams before
# a control could count them):
#   0 tc ingress on nv0b    1 tc egress on nv1a    2 tcx ingress on nv2b
#   3 XDP (native) offender on nv3b    4 XDP (native) control on nv4b
#   5 XDP (native) program whose function an extension replaces, on nv5b
# Generic XDP: offender on $NET_NS's lo, control on ours.
#
# xdp_ext: the offender is an extension (freplace) of xdp_ext_verdict() in
# the control program xdp_ext_tgt. Revoked, it is as if detached: the
# function's own code runs again and passes (xe_own counts), with
# on_revoke=deny too (the function's return is not a verdict of the
# hook, so a stub's fail-closed value has no meaning there).
NET_PAIRS='0 1 3 4 5'

# The flows of the traffic server: name,sender netns,receiver netns,
# destination,port[,socket filter[,sender cgroup[,receiver cgroup]]].
# Ports as in tests/progs/net.h (the socket filters' 4701 and 4702 are
# arbitrary: those programs see their own socket's datagrams only).
NET_FLOWS="sf_off,-,-,127.0.0.1,4701,$NET_PINS/sockfilter/sf_offender
sf_ctl,-,-,127.0.0.1,4702,$NET_PINS/sockfilter/sf_control
cg_in,-,-,127.0.0.1,4703,-,-,$NET_CGA
cg_eg,-,-,127.0.0.1,4704,-,$NET_CGA,-
tc_in,-,$NET_NSP,10.77.0.2,4705
tc_eg,-,$NET_NSP,10.77.1.2,4706
tcx,-,$NET_NSP,10.77.2.2,4707
xdp_drv,-,$NET_NSP,10.77.3.2,4708
xdp_drv_ctl,-,$NET_NSP,10.77.4.2,4708
xdp_gen,$NET_NSP,$NET_NSP,127.0.0.1,4709
xdp_gen_ctl,-,-,127.0.0.1,4709
xdp_ext,-,$NET_NSP,10.77.5.2,4710"

# tcx links exist from 6.6 on.
case $(uname -r) in
[0-5].* | 6.[0-5].* | 6.[0-5]-*) NET_TCX= ;;
*) NET_TCX=1 ;;
esac
if [ -n "$NET_TCX" ]; then
	NET_PAIRS='0 1 2 3 4 5'
else
	NET_VARS=$(printf '%s\n' "$NET_VARS" | grep -v '^tcx_')
	NET_UNITS=$(printf '%s\n' "$NET_UNITS" | grep -v '^tcx ')
	NET_FLOWS=$(printf '%s\n' "$NET_FLOWS" | grep -v '^tcx,')
fi

# --- bookkeeping: one .err and one .ok file per test ---------------------

net_err() {
	printf '%s\n' "$2" >>"$NET_W/$1.err"
}

net_ok() {
	echo . >>"$NET_W/$1.ok"
}

# net_all_err MSG: a failure of every test (shared setup).
net_all_err() {
	for _t in $NET_TESTS; do
		net_err "$_t" "$1"
	done
}

# net_fatal MSG: shared setup failed; later phases are not run.
net_fatal() {
	net_all_err "$1"
	NET_BROKEN=1
}

# net_run TEST WHAT CMD...: run CMD (bounded), output to $NET_W/last.out;
# a failure is TEST's (all tests' for TEST "-").
net_run() {
	_nt=$1
	_nwhat=$2
	shift 2
	if to 60 "$@" >"$NET_W/last.out" 2>&1; then
		return 0
	fi
	_nmsg="$_nwhat: expected success, saw '$(tr '\n' ' ' <"$NET_W/last.out")'"
	if [ "$_nt" = - ]; then
		net_all_err "$_nmsg"
	else
		net_err "$_nt" "$_nmsg"
	fi
	return 1
}

# net_var KEY FIELD: field 2 (object), 3 (program) or 4 (variable) of KEY.
net_var() {
	printf '%s\n' "$NET_VARS" | awk -v k="$1" -v f="$2" '$1 == k { print $f }'
}

# net_id KEY: the program id of KEY's program.
net_id() {
	awk -v n="$(net_var "$1" 3)" '$1 == n { print $2 }' \
		"$NET_W/$(net_var "$1" 2).ids" 2>/dev/null
}

net_pin() {
	echo "$NET_PINS/$(net_var "$1" 2)/$(net_var "$1" 3)"
}

# --- setup ---------------------------------------------------------------

net_setup_host() {
	for _m in veth sch_ingress cls_bpf; do
		modprobe "$_m" 2>/dev/null ||
			grep -q "/$_m.ko" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null ||
			diag "net: modprobe $_m failed (built in?)"
	done
	if ! grep -q " $NET_CG cgroup2 " /proc/mounts; then
		if mount -t cgroup2 none "$NET_CG" 2>"$NET_W/last.out"; then
			NET_CG_MOUNTED=1
		else
			net_fatal "mount cgroup2 on $NET_CG: expected success, saw '$(cat "$NET_W/last.out")'"
			return 1
		fi
	fi
	mkdir -p "$NET_CGA" "$NET_CGB" || {
		net_fatal "mkdir $NET_CGA $NET_CGB: expected success, saw failure"
		return 1
	}

	net_run - "ip netns add $NET_NS" "$NET_IP" netns add "$NET_NS" || {
		NET_BROKEN=1
		return 1
	}
	for _i in $NET_PAIRS; do
		if ! net_pair "$_i"; then
			NET_BROKEN=1
			return 1
		fi
	done
	net_run - "up lo in $NET_NS" "$NET_IP" -n "$NET_NS" link set lo up || {
		NET_BROKEN=1
		return 1
	}
}

# net_pair I: veth pair I (see NET_PAIRS), addresses, static neighbours.
net_pair() {
	net_run - "create veth nv$1a" "$NET_IP" link add "nv$1a" \
		address "02:77:00:00:0$1:0a" type veth peer name "nv$1b" \
		address "02:77:00:00:0$1:0b" netns "$NET_NS" || return 1
	net_run - "address nv$1a" "$NET_IP" addr add "10.77.$1.1/24" \
		dev "nv$1a" || return 1
	net_run - "address nv$1b" "$NET_IP" -n "$NET_NS" addr add \
		"10.77.$1.2/24" dev "nv$1b" || return 1
	net_run - "neighbour on nv$1a" "$NET_IP" neigh replace "10.77.$1.2" \
		lladdr "02:77:00:00:0$1:0b" dev "nv$1a" nud permanent || return 1
	net_run - "neighbour on nv$1b" "$NET_IP" -n "$NET_NS" neigh replace \
		"10.77.$1.1" lladdr "02:77:00:00:0$1:0a" dev "nv$1b" \
		nud permanent || return 1
	net_run - "up nv$1a" "$NET_IP" link set "nv$1a" up || return 1
	net_run - "up nv$1b" "$NET_IP" -n "$NET_NS" link set "nv$1b" up
}

net_load() {
	_objs='sockfilter cgskb cgsock sysctl tc xdp denier'
	[ -z "$NET_TCX" ] || _objs="$_objs tcx"
	for _o in $_objs; do
		if ! to 60 "$BIN" load "$PROGS/net_$_o.bpf.o" "$NET_PINS/$_o" \
			>"$NET_W/$_o.ids" 2>"$NET_W/$_o.load.err"; then
			_msg="load net_$_o.bpf.o: expected success, saw '$(tr '\n' ' ' <"$NET_W/$_o.load.err")'"
			case $_o in
			denier) net_fatal "$_msg" ;;
			sockfilter) net_err sockfilter "$_msg" ;;
			cgskb) net_err cgroup_skb "$_msg" ;;
			cgsock) net_err cgroup_sock "$_msg" ;;
			sysctl) net_err cgroup_sysctl "$_msg" ;;
			tc) net_err tc "$_msg" ;;
			tcx) net_err tcx "$_msg" ;;
			xdp)
				net_err xdp_native "$_msg"
				net_err xdp_generic "$_msg"
				net_err xdp_ext "$_msg"
				;;
			esac
		fi
	done
	diag "net: loaded" $(cat "$NET_W"/*.ids)
}

# net_link TEST KEY KIND ARGS...: attach KEY's program through a pinned link.
net_link() {
	_nt=$1
	_nk=$2
	_nkind=$3
	shift 3
	net_run "$_nt" "attach $(net_var "$_nk" 3) ($_nkind $*)" \
		"$BIN" net link "$_nkind" "$(net_pin "$_nk")" \
		"$NET_LINKS/$(net_var "$_nk" 3)" "$@"
}

net_tc() {
	net_run tc "tc attach $(net_var "$1" 3) ($*)" \
		"$BIN" net tc-attach "$(net_pin "$1")" "$2" "$3" "$4" "$5"
}

net_attach() {
	mkdir -p "$NET_LINKS"
	# Controls first: tc and tcx run in order and stop at a verdict.
	net_link cgroup_skb cgi_ctl cgroup ingress "$NET_CGA"
	net_link cgroup_skb cgi_off cgroup ingress "$NET_CGA"
	net_link cgroup_skb cge_ctl cgroup egress "$NET_CGA"
	net_link cgroup_skb cge_off cgroup egress "$NET_CGA"
	net_link cgroup_sock sock_ctl cgroup sock_create "$NET_CGB"
	net_link cgroup_sock sock_off cgroup sock_create "$NET_CGB"
	net_link cgroup_sysctl sysctl_ctl cgroup sysctl "$NET_CGB"
	net_link cgroup_sysctl sysctl_off cgroup sysctl "$NET_CGB"
	net_tc tci_ctl ingress nv0b "$NET_NSP" 1
	net_tc tci_off ingress nv0b "$NET_NSP" 2
	net_tc tce_ctl egress nv1a - 1
	net_tc tce_off egress nv1a - 2
	if [ -n "$NET_TCX" ]; then
		net_link tcx tcx_ctl tcx ingress nv2b "$NET_NSP"
		net_link tcx tcx_off tcx ingress nv2b "$NET_NSP"
	fi
	net_link xdp_native xdpd_off xdp drv nv3b "$NET_NSP"
	net_link xdp_native xdpd_ctl xdp drv nv4b "$NET_NSP"
	net_link xdp_generic xdpg_off xdp skb lo "$NET_NSP"
	net_link xdp_generic xdpg_ctl xdp skb lo -
	net_link xdp_ext xe_ctl xdp drv nv5b "$NET_NSP" &&
		net_run xdp_ext "load and attach the extension xdp_ext_off" \
			"$BIN" net ext "$PROGS/net_xdpext.bpf.o" "$NET_PINS/xdpext" \
			"$(net_pin xe_ctl)" "$NET_LINKS/xdp_ext_off" &&
		cp "$NET_W/last.out" "$NET_W/xdpext.ids"
}

net_serve_start() {
	mkdir -p "$NET_W/srv"
	# shellcheck disable=SC2086
	"$BIN" net serve "$NET_W/srv" "$NET_COUNT" "$NET_CG" $NET_FLOWS \
		>"$NET_W/serve.out" 2>&1 &
	NET_SRV_PID=$!
	_n=100
	while [ ! -e "$NET_W/srv/ready" ] && kill -0 "$NET_SRV_PID" 2>/dev/null &&
		[ "$_n" -gt 0 ]; do
		nap
		_n=$((_n - 1))
	done
	if [ ! -e "$NET_W/srv/ready" ]; then
		net_fatal "traffic server: expected ready within 10 s, saw '$(tr '\n' ' ' <"$NET_W/serve.out")'"
		return 1
	fi
}

net_serve_stop() {
	[ -n "$NET_SRV_PID" ] || return 0
	touch "$NET_W/srv/quit"
	_n=100
	while kill -0 "$NET_SRV_PID" 2>/dev/null && [ "$_n" -gt 0 ]; do
		nap
		_n=$((_n - 1))
	done
	if kill -0 "$NET_SRV_PID" 2>/dev/null; then
		diag "net: traffic server still running after 10 s; killing it"
		kill "$NET_SRV_PID" 2>/dev/null
	fi
	wait "$NET_SRV_PID" 2>/dev/null
	NET_SRV_PID=
	diag_file "$NET_W/serve.out" "net serve: "
}

# --- the denier ------------------------------------------------------------

# The link is held by a process of ours: a pinned link would be released
# from an RCU callback some time after its pin goes, and a revalidate in
# between would still see the denial.
net_denier_attach() {
	mark
	rm -rf "$NET_W/denier"
	mkdir -p "$NET_W/denier"
	"$BIN" net hold-lsm "$NET_PINS/denier/net_denier" "$NET_W/denier" \
		>"$NET_W/denier.out" 2>&1 &
	NET_DENIER_PID=$!
	_n=100
	while [ ! -e "$NET_W/denier/held" ] && [ ! -e "$NET_W/denier/failed" ] &&
		[ "$_n" -gt 0 ]; do
		nap
		_n=$((_n - 1))
	done
	[ -e "$NET_W/denier/held" ] && return 0
	net_all_err "$1: attach the denier: expected success, saw '$(tr '\n' ' ' <"$NET_W/denier.out")'"
	net_denier_detach
	return 1
}

net_denier_detach() {
	[ -n "$NET_DENIER_PID" ] || return 0
	mark
	touch "$NET_W/denier/release"
	_n=100
	while kill -0 "$NET_DENIER_PID" 2>/dev/null && [ "$_n" -gt 0 ]; do
		nap
		_n=$((_n - 1))
	done
	kill -0 "$NET_DENIER_PID" 2>/dev/null && kill "$NET_DENIER_PID"
	wait "$NET_DENIER_PID" 2>/dev/null
	NET_DENIER_PID=
}

# net_revalidate PHASE: one pass; the module's lines since the last mark
# (set before the policy change: the module may act on the change itself)
# as diagnostics.
net_revalidate() {
	if ! echo 1 >"$SFS/revalidate" 2>"$NET_W/reval.err"; then
		net_all_err "$1: write 1 to revalidate: expected success, saw '$(cat "$NET_W/reval.err")'"
	fi
	module_lines_since_mark >"$WORK/net.reval.lines"
	diag "net: $1: policy change and revalidate: $(wc -l <"$WORK/net.reval.lines") module lines"
	diag_file "$WORK/net.reval.lines" "net: $1: "
}

# net_modprobe PHASE ARGS...
net_modprobe() {
	if module_loaded; then
		net_run - "$1: rmmod lsmrevoke" rmmod lsmrevoke || return 1
	fi
	shift
	net_run - "modprobe lsmrevoke $*" modprobe lsmrevoke "$@" $QUIET || return 1
	[ -r "$SFS/programs" ] && return 0
	net_all_err "modprobe lsmrevoke $*: expected $SFS/programs, saw none"
	return 1
}

# --- one phase -------------------------------------------------------------

# net_counts FILE: "<key> <value>" for every counter.
net_counts() {
	_specs=$(printf '%s\n' "$NET_VARS" | while read -r _k _o _p _v; do
		printf '%s=%s/%s/%s:%s\n' "$_k" "$NET_PINS" "$_o" "$_p" "$_v"
	done)
	# shellcheck disable=SC2086
	if ! to 60 "$BIN" net count $_specs >"$1" 2>"$1.err"; then
		diag_file "$1.err" "net count: "
	fi
}

# net_round PHASE: one round of the traffic server, results in
# $NET_W/res.PHASE.
net_round() {
	NET_ROUND=$((NET_ROUND + 1))
	touch "$NET_W/srv/go.$NET_ROUND"
	_n=300
	while [ ! -e "$NET_W/srv/res.$NET_ROUND" ] && [ "$_n" -gt 0 ] &&
		kill -0 "$NET_SRV_PID" 2>/dev/null; do
		nap
		_n=$((_n - 1))
	done
	if [ -e "$NET_W/srv/res.$NET_ROUND" ]; then
		cp "$NET_W/srv/res.$NET_ROUND" "$NET_W/res.$1"
		diag_file "$NET_W/res.$1" "net: $1: "
	else
		: >"$NET_W/res.$1"
		net_all_err "$1: traffic round $NET_ROUND: expected results within 30 s, saw none ($(tr '\n' ' ' <"$NET_W/serve.out"))"
	fi
}

# net_probes PHASE: the cgroup_sock and cgroup_sysctl probes, one line
# each ("@sock created C denied D other O", "@sysctl read R denied D
# other O") in $NET_W/probe.PHASE.
net_probes() {
	: >"$NET_W/probe.$1"
	if to 60 "$BIN" net sock-create "$NET_CGB" "$NET_COUNT" \
		>"$NET_W/probe.out" 2>&1; then
		echo "@sock $(head -n 1 "$NET_W/probe.out")" >>"$NET_W/probe.$1"
	else
		net_err cgroup_sock "$1: sock-create: expected success, saw '$(tr '\n' ' ' <"$NET_W/probe.out")'"
	fi
	if to 60 "$BIN" net sysctl-read "$NET_CGB" "$NET_SYSCTL" "$NET_COUNT" \
		>"$NET_W/probe.out" 2>&1; then
		echo "@sysctl $(head -n 1 "$NET_W/probe.out")" >>"$NET_W/probe.$1"
	else
		net_err cgroup_sysctl "$1: sysctl-read: expected success, saw '$(tr '\n' ' ' <"$NET_W/probe.out")'"
	fi
	diag_file "$NET_W/probe.$1" "net: $1: "
}

# net_check_flow TEST PHASE FLOW EXPECT: EXPECT is pass, drop, truncate
# (traffic) or pass, deny (probes).
net_check_flow() {
	case $3 in
	@*)
		_l=$(awk -v f="$3" '$1 == f' "$NET_W/probe.$2")
		[ -n "$_l" ] || return 0	# failed probe: already reported
		set -- "$1" "$2" "$3" "$4" $_l
		# $5 flow, $6 created|read, $7 C, $8 denied, $9 D, ${10} other, ${11} O
		case $4 in
		pass) _want="$6 $NET_COUNT denied 0" ;;
		*) _want="$6 0 denied $NET_COUNT" ;;
		esac
		_saw="$6 $7 denied $9"
		_ctx="other ${11}"
		;;
	*)
		_l=$(awk -v f="$3" '$1 == f' "$NET_W/res.$2")
		if [ -z "$_l" ]; then
			net_err "$1" "$2: flow $3: expected a result line, saw none"
			return
		fi
		set -- "$1" "$2" "$3" "$4" $_l
		# $5 flow, $7 sent, $9 senderr, ${11} recv, ${13} whole, ${15} late
		case $4 in
		pass) _want="recv $NET_COUNT whole $NET_COUNT" ;;
		truncate) _want="recv $NET_COUNT whole 0" ;;
		drop) _want="recv 0 whole 0" ;;
		esac
		_saw="recv ${11} whole ${13}"
		_ctx="sent $7 senderr $9 late ${15}"
		;;
	esac
	if [ "$_want" = "$_saw" ]; then
		net_ok "$1"
	else
		net_err "$1" "$2: flow $3: expected $_want ($4), saw $_saw ($_ctx)"
	fi
}

# net_delta PHASE KEY: the change of KEY's counter over the phase's round.
net_delta() {
	_a=$(awk -v k="$2" '$1 == k { print $2 }' "$NET_W/c0.$1")
	_b=$(awk -v k="$2" '$1 == k { print $2 }' "$NET_W/c1.$1")
	if [ -z "$_a" ] || [ -z "$_b" ]; then
		echo unknown
	else
		echo $((_b - _a))
	fi
}

# net_check_count TEST PHASE KEY ge|zero
net_check_count() {
	_d=$(net_delta "$2" "$3")
	_what="$2: $(net_var "$3" 3) runs ($(net_var "$3" 4))"
	case $4:$_d in
	*:unknown) net_err "$1" "$_what: expected a value, saw none (net count failed)" ;;
	zero:0) net_ok "$1" ;;
	zero:*) net_err "$1" "$_what: expected exactly +0, saw +$_d" ;;
	ge:*)
		if [ "$_d" -ge "$NET_COUNT" ]; then
			net_ok "$1"
		else
			net_err "$1" "$_what: expected >= +$NET_COUNT, saw +$_d"
		fi
		;;
	esac
}

# net_check_state TEST PHASE KEY STATE REQUIRES
net_check_state() {
	_id=$(net_id "$3")
	if [ -z "$_id" ]; then
		net_err "$1" "$2: $(net_var "$3" 3): not loaded, cannot check"
		return
	fi
	_l=$(prog_line "$_id")
	if [ -z "$_l" ]; then
		net_err "$1" "$2: $(net_var "$3" 3) (id $_id): expected a line in programs, saw none"
		return
	fi
	# The offenders call bpf_get_current_task (net.h): found by the walk
	# (after a reload) on 7.x, that counts as btf_read too (suite.sh).
	_rq=$5
	[ "$_rq" != - ] && [ "$(kv "$_l" src)" = walk ] && _rq=$_rq$TASK_INLINE
	set -- "$1" "$2" "$3" "$4" "$_rq" $_l
	# $6 id, $7 type, $8 name, $9 requires, ${10} state
	if [ "$9 ${10}" = "$5 $4" ]; then
		net_ok "$1"
	else
		net_err "$1" "$2: $8 (id $6): expected '$5 $4', saw '$9 ${10}'"
	fi
}

# net_phase PHASE MODE: MODE says what the offenders are: active (their
# own code, also after rmmod), detach or deny (revoked, stubbed).
net_phase() {
	[ -z "$NET_BROKEN" ] || return 0
	diag "net: phase $1 (offenders $2)"
	if module_loaded; then
		printf '%s\n' "$NET_UNITS" | while read -r _t _off _ctl _of _cf _v; do
			case $2 in
			active) net_check_state "$_t" "$1" "$_off" active bpf_read_kernel ;;
			*) net_check_state "$_t" "$1" "$_off" revoked bpf_read_kernel ;;
			esac
			net_check_state "$_t" "$1" "$_ctl" active -
		done
		diag_file "$SFS/stats" "net: $1: stats: "
	fi
	net_counts "$NET_W/c0.$1"
	net_probes "$1"
	net_round "$1"
	net_counts "$NET_W/c1.$1"
	printf '%s\n' "$NET_UNITS" | while read -r _t _off _ctl _of _cf _v; do
		case $_t:$2 in
		*:active) _e=$_v ;;
		*:detach | xdp_ext:deny) _e=pass ;;
		*:deny) [ "$_v" = deny ] && _e=deny || _e=drop ;;
		esac
		net_check_flow "$_t" "$1" "$_of" "$_e"
		[ "$_cf" = - ] || net_check_flow "$_t" "$1" "$_cf" pass
		case $2 in
		active) net_check_count "$_t" "$1" "$_off" ge ;;
		*) net_check_count "$_t" "$1" "$_off" zero ;;
		esac
		net_check_count "$_t" "$1" "$_ctl" ge
	done
	# The function the extension replaces runs only while it is revoked.
	case $2 in
	active) net_check_count xdp_ext "$1" xe_own zero ;;
	*) net_check_count xdp_ext "$1" xe_own ge ;;
	esac
}

# net_ext_move FUNC KEY: detach the extension and attach it to FUNC of
# KEY's program through a new link.
net_ext_move() {
	rm -f "$NET_LINKS/xdp_ext_off"
	# A pinned link goes from an RCU callback: until it has, the function
	# it extended stays extended, and a new link to it is refused (EBUSY).
	_n=100
	until to 60 "$BIN" net ext-link "$(net_pin xe_off)" "$(net_pin "$2")" \
		"$1" "$NET_LINKS/xdp_ext_off" >"$NET_W/relink.out" 2>&1; do
		_n=$((_n - 1))
		if [ "$_n" -le 0 ]; then
			net_err xdp_ext "relinked: attach the revoked extension to $1: expected success within 10 s, saw '$(tr '\n' ' ' <"$NET_W/relink.out")'"
			return 1
		fi
		nap
	done
}

# net_count1 KEY: KEY's counter now.
net_count1() {
	"$BIN" net count "$1=$(net_pin "$1"):$(net_var "$1" 4)" 2>/dev/null |
		awk '{ print $2 }'
}

# net_ext_relink: while the extension is revoked, move it to the function
# of xdp_ext_tgt2 (never attached; run with BPF_PROG_TEST_RUN), then back
# (each link and unlink runs a pass). Run there, the extension's jump must
# land in xdp_ext_tgt2's own function, not in the one it replaced before;
# back, the next phase must see it as in "revoked".
net_ext_relink() {
	[ -z "$NET_BROKEN" ] || return 0
	mark
	if net_ext_move xdp_ext_verdict2 xe_own2; then
		_o=$(net_count1 xe_own)
		_o2=$(net_count1 xe_own2)
		_e=$(net_count1 xe_off)
		if net_run xdp_ext "relinked: test-run xdp_ext_tgt2" \
			"$BIN" net xdp-run "$(net_pin xe_own2)" 4710 "$NET_COUNT"; then
			_r=$(cat "$NET_W/last.out")
			[ "$_r" = "retval 2" ] || net_err xdp_ext "relinked: xdp_ext_tgt2's verdict with the revoked extension on its function: expected 'retval 2' (pass), saw '$_r'"
			_d2=$(($(net_count1 xe_own2) - _o2))
			_d=$(($(net_count1 xe_own) - _o))
			_de=$(($(net_count1 xe_off) - _e))
			if [ "$_d2 $_d $_de" = "$NET_COUNT 0 0" ]; then
				net_ok xdp_ext
			else
				net_err xdp_ext "relinked: runs of xdp_ext_tgt2's function, xdp_ext_tgt's, the extension's: expected +$NET_COUNT +0 +0, saw +$_d2 +$_d +$_de"
			fi
		fi
		net_ext_move xdp_ext_verdict xe_ctl
	fi
	module_lines_since_mark >"$WORK/net.relink.lines"
	diag_file "$WORK/net.relink.lines" "net: relinked: "
}

# --- teardown ----------------------------------------------------------------

net_teardown() {
	net_serve_stop
	net_denier_detach
	_ids=$(cat "$NET_W"/*.ids 2>/dev/null | awk '{ print $2 }')
	[ -d "$NET_LINKS" ] && rm -rf "$NET_LINKS"
	"$BIN" net tc-detach nv1a - >/dev/null 2>&1
	"$BIN" net tc-detach nv0b "$NET_NSP" >/dev/null 2>&1
	for _i in $NET_PAIRS; do
		"$NET_IP" link del "nv${_i}a" 2>/dev/null
	done
	[ -e "$NET_NSP" ] && "$NET_IP" netns del "$NET_NS"
	rm -rf "$NET_PINS"
	# The programs go once their last link, filter and pin are released
	# (some of that from RCU callbacks and workqueues).
	_n=100
	while [ "$_n" -gt 0 ]; do
		"$BIN" ids >"$NET_W/ids.live" 2>/dev/null
		_left=
		for _i in $_ids; do
			grep -qx "$_i" "$NET_W/ids.live" && _left="$_left $_i"
		done
		[ -z "$_left" ] && break
		nap
		_n=$((_n - 1))
	done
	for _d in "$NET_CGA" "$NET_CGB"; do
		[ -d "$_d" ] && ! rmdir "$_d" 2>/dev/null &&
			net_err cleanup "rmdir $_d: expected success, saw failure"
	done
	if [ -n "$NET_CG_MOUNTED" ]; then
		umount "$NET_CG" 2>/dev/null || diag "net: umount $NET_CG failed"
	fi
	[ -z "$_left" ] ||
		net_err cleanup "programs:$_left: expected freed within 10 s, still loaded"
	[ -e "$NET_NSP" ] && net_err cleanup "netns $NET_NS: expected deleted, still there"
	for _i in $NET_PAIRS; do
		"$NET_IP" link show "nv${_i}a" >/dev/null 2>&1 &&
			net_err cleanup "nv${_i}a: expected deleted, still there"
	done
	if module_loaded; then
		to 60 rmmod lsmrevoke >"$NET_W/last.out" 2>&1 ||
			net_err cleanup "rmmod lsmrevoke: expected success, saw '$(cat "$NET_W/last.out")'"
	fi
	net_ok cleanup
}

net_report() {
	t_begin "net_$1"
	if [ "$1" = tcx ] && [ -z "$NET_TCX" ]; then
		t_skip "tcx needs 6.6"
		return
	fi
	if [ -s "$NET_W/$1.ok" ]; then
		while read -r _l; do
			t_pass
		done <"$NET_W/$1.ok"
	fi
	if [ -s "$NET_W/$1.err" ]; then
		while IFS= read -r _l; do
			t_err "$_l"
		done <"$NET_W/$1.err"
	fi
	t_end
}

# --- the run -------------------------------------------------------------------

rm -rf "$NET_W"
mkdir -p "$NET_W"
if module_loaded; then
	diag "net: module loaded at start; unloading it"
	rmmod lsmrevoke
fi
if net_modprobe setup && net_setup_host; then
	net_load
	net_attach
	net_serve_start
else
	NET_BROKEN=1
fi

net_phase before active

if [ -z "$NET_BROKEN" ] && net_denier_attach revoked; then
	net_revalidate revoked
	net_phase revoked detach
	net_ext_relink
	net_phase relinked detach
	net_denier_detach
	net_revalidate relaxed
	net_phase relaxed active
else
	net_all_err "revoked: not run"
fi

if [ -z "$NET_BROKEN" ] && net_modprobe deny on_revoke=deny &&
	net_denier_attach deny; then
	net_revalidate deny
	net_phase deny deny
	# The ratchet: unloading would restore them while denied.
	rmmod lsmrevoke >"$NET_W/ratchet.out" 2>&1 &&
		net_all_err "deny: rmmod lsmrevoke with revoked programs: expected a refusal, saw success"
	net_denier_detach
	net_revalidate restored
	net_run - "restored: rmmod lsmrevoke" rmmod lsmrevoke
	module_loaded && net_all_err "restored: expected lsmrevoke unloaded, saw it loaded"
	net_phase restored active
else
	net_all_err "deny: not run"
fi

net_teardown
for _t in $NET_TESTS cleanup; do
	net_report "$_t"
done
