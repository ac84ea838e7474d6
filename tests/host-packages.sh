# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the host-side test scripts (run-qemu.sh, matrix.sh,
# debug-kernel.sh, secureboot.sh); uses the caller's log and die.
#
# ensure_host_packages PKG...: installs those of PKG that are not
# installed, as root, refreshing apt's lists first only when one of them is
# unknown to apt; a non-root caller gets an error naming what is missing.
ensure_host_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] ||
		die "missing host packages (install them as root): ${missing[*]}"
	log "installing host packages: ${missing[*]}"
	for p in "${missing[@]}"; do
		apt-cache show "$p" >/dev/null 2>&1 || { apt-get update -q >&2; break; }
	done
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
}
