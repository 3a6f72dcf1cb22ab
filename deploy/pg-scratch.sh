#!/usr/bin/env bash
# pg-scratch.sh starts a throwaway PostgreSQL cluster for microcoach's tests
# and prints the shell lines that point the tests at it:
#
#	eval "$(deploy/pg-scratch.sh)"     # start; sets MICROCOACH_TEST_DATABASE_URL
#	go test ./storage/...
#	deploy/pg-scratch.sh stop          # stop it and delete its files
#
# A fault test takes the server down and brings it back mid-traffic:
#
#	deploy/pg-scratch.sh down DIR      # fast shutdown: clients are cut off
#	deploy/pg-scratch.sh up DIR        # the same cluster, on the same port
#
# The cluster lives in a fresh temporary directory, listens on 127.0.0.1
# only, on a free port, with trust authentication (no password: it is for
# tests, and reachable only from this machine). It needs Debian's
# postgresql package (apt-get install postgresql); its binaries are found
# under /usr/lib/postgresql/<version>/bin, or on PATH. initdb refuses to run
# as root, so as root the cluster runs as the postgres user the package
# creates. Durability is off (fsync=off): a crash loses the scratch data,
# which is the point of it. PG_SCRATCH_DURABLE=1 keeps fsync and
# synchronous commit on, for benchmarks that should pay what production
# pays for a commit.
set -euo pipefail

usage() {
	echo "usage: eval \"\$($0 [start])\"   or   $0 stop [dir]   or   $0 down|up dir" >&2
	exit 2
}

bindir() {
	local d
	for d in $(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return
		fi
	done
	if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
		dirname "$(command -v initdb)"
		return
	fi
	echo "pg-scratch: no PostgreSQL binaries found; install them: apt-get install -y postgresql" >&2
	exit 1
}

# as runs a command as the cluster's owner: the postgres user when we are
# root, ourselves otherwise.
as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

listening() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

start() {
	local bin dir port url
	bin=$(bindir)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-scratch.XXXXXX")
	if [ "$(id -u)" -eq 0 ]; then
		if ! id postgres >/dev/null 2>&1; then
			echo "pg-scratch: running as root needs the postgres user (apt-get install -y postgresql creates it)" >&2
			exit 1
		fi
		chown postgres: "$dir"
	fi
	chmod 700 "$dir"
	as "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	cat >"$dir/data/pg_hba.conf" <<-HBA
		local all all trust
		host  all all 127.0.0.1/32 trust
	HBA
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + RANDOM % 40000))
		listening "$port" && continue
		echo "$port" >"$dir/port"
		if up "$dir"; then
			url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
			echo "export MICROCOACH_TEST_DATABASE_URL='$url'"
			echo "export MICROCOACH_PG_SCRATCH='$dir'"
			echo "# stop it with: $0 stop"
			return
		fi
	done
	echo "pg-scratch: could not start PostgreSQL; its log:" >&2
	cat "$dir/server.log" >&2 || true
	exit 1
}

# up starts the cluster in dir on the port it was first given.
up() {
	local dir=$1 port
	port=$(cat "$dir/port")
	durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	if [ "${PG_SCRATCH_DURABLE:-}" = 1 ]; then
		durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
	fi
	as "$(bindir)/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --silent \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir'" \
		-o "$durability -c max_connections=300" \
		start >&2
}

# down stops it the way a crash or failover looks to clients: sessions are
# cut, nothing waits for them.
down() {
	as "$(bindir)/pg_ctl" --pgdata="$1/data" --mode=fast --wait --silent stop >&2
}

stop() {
	local dir=${1:-${MICROCOACH_PG_SCRATCH:-}}
	[ -n "$dir" ] || usage
	if [ -f "$dir/data/postmaster.pid" ]; then
		as "$(bindir)/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --silent stop >&2 || true
	fi
	case "$dir" in
	*/pg-scratch.*) rm -rf "$dir" ;;
	*) echo "pg-scratch: $dir is not a scratch cluster; left in place" >&2 ;;
	esac
}

case "${1:-start}" in
start) start ;;
stop) stop "${2:-}" ;;
up) [ -n "${2:-}" ] || usage; up "$2" ;;
down) [ -n "${2:-}" ] || usage; down "$2" ;;
*) usage ;;
esac
