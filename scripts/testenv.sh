#!/usr/bin/env bash
# Run a command (make test: pytest) with a PostgreSQL and a Redis to test against.
#   scripts/testenv.sh .venv/bin/python -m pytest -q
#
# DATABASE_URL / REDIS_URL from the environment are used as given. Each one that is unset is provided here: a
# throwaway PostgreSQL cluster (initdb) and a throwaway Redis, both in a fresh temporary directory, on free ports,
# listening on 127.0.0.1 only. They are stopped and the directory removed when the command ends, fails or is
# interrupted. The command's exit code is this script's exit code.
#
# Always providing (never "finding" the machine's PostgreSQL on 5432 or Redis on 6379) keeps runs reproducible: no
# dependency on how a local server is configured or authenticated, parallel runs never share a server, and the
# machine's own servers are never touched.
#
# PostgreSQL refuses to run as root, so as root both servers run as the unprivileged user `nobody` (ZZ_TEST_USER to
# choose another). The server binaries are the newest /usr/lib/postgresql/<ver>/bin (Debian), or PG_BINDIR, or
# initdb on PATH; redis-server is taken from PATH. scripts/system_deps.sh test installs both.
set -euo pipefail

[[ $# -gt 0 ]] || { echo "usage: $0 command [args...]" >&2; exit 2; }

workdir=""
pg_data=""
redis_pidfile=""

as_test_user() {
  if [[ -n "${run_uid:-}" ]]; then
    setpriv --reuid="$run_uid" --regid="$run_gid" --clear-groups -- env HOME="$workdir" "$@"
  else
    "$@"
  fi
}

cleanup() {
  local status=$?
  trap - EXIT HUP INT TERM
  if [[ -n "$pg_data" && -f "$pg_data/postmaster.pid" ]]; then
    as_test_user "$pg_bindir/pg_ctl" -D "$pg_data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
      || kill -KILL "$(head -n1 "$pg_data/postmaster.pid")" 2>/dev/null || true
  fi
  if [[ -n "$redis_pidfile" && -s "$redis_pidfile" ]]; then
    local pid
    pid=$(cat "$redis_pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [[ -n "$workdir" ]] && rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

find_pg_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    [[ -x "$PG_BINDIR/initdb" ]] && echo "$PG_BINDIR"
    return 0
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [[ -n "$newest" && -x "$newest/initdb" ]]; then
    echo "$newest"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

missing=()
if [[ -z "${DATABASE_URL:-}" ]]; then
  pg_bindir=$(find_pg_bindir)
  [[ -n "$pg_bindir" ]] || missing+=("PostgreSQL 服务器（Debian 软件包 postgresql）")
fi
if [[ -z "${REDIS_URL:-}" ]]; then
  command -v redis-server >/dev/null 2>&1 || missing+=("Redis 服务器（Debian 软件包 redis-server）")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "本机未找到测试所需的$(IFS=、; echo "${missing[*]}")。请运行 bash scripts/system_deps.sh test 安装，"\
"或用 DATABASE_URL / REDIS_URL 指向已有的服务器。" >&2
  exit 1
fi

if [[ -n "${DATABASE_URL:-}" && -n "${REDIS_URL:-}" ]]; then
  exec "$@"
fi

# Servers of an earlier run that was killed outright (SIGKILL, power loss) could not be stopped by its trap: stop
# them now. A process is only signalled if it still runs inside that run's directory.
reap_stale_runs() {
  local dir owner pid
  for dir in "${TMPDIR:-/tmp}"/zzmetro-test.*; do
    [[ -f "$dir/owner" ]] || continue
    owner=$(cat "$dir/owner" 2>/dev/null) || continue
    kill -0 "$owner" 2>/dev/null && continue
    pid=$(head -n1 "$dir/pg/postmaster.pid" 2>/dev/null) \
      && [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$dir"* ]] && kill -QUIT "$pid" 2>/dev/null  # immediate stop
    pid=$(cat "$dir/redis.pid" 2>/dev/null) \
      && [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$dir"* ]] && kill -TERM "$pid" 2>/dev/null
    rm -rf "$dir"
  done
  return 0
}
reap_stale_runs

# A short path every user can reach: the server's unix socket path must stay under 107 bytes, and `nobody` cannot
# enter a checkout under a private home directory.
workdir=$(mktemp -d "${TMPDIR:-/tmp}/zzmetro-test.XXXXXX")
echo $$ >"$workdir/owner"
if [[ $(id -u) -eq 0 ]]; then
  test_user="${ZZ_TEST_USER:-nobody}"
  run_uid=$(id -u "$test_user") && run_gid=$(id -g "$test_user") \
    || { echo "以 root 运行测试需要一个非特权用户 $test_user 来启动 PostgreSQL（可用 ZZ_TEST_USER 指定）。" >&2; exit 1; }
  chown "$run_uid:$run_gid" "$workdir"
fi

if [[ -z "${DATABASE_URL:-}" ]]; then
  pg_data="$workdir/pg"
  locale=C.UTF-8
  if ! as_test_user "$pg_bindir/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale="$locale" --no-sync \
      >"$workdir/initdb.log" 2>&1; then
    rm -rf "$pg_data"
    locale=C
    as_test_user "$pg_bindir/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale="$locale" --no-sync \
      >"$workdir/initdb.log" 2>&1 || { cat "$workdir/initdb.log" >&2; exit 1; }
  fi
  # Another process may take the chosen port before the server binds it: try a few.
  for attempt in 1 2 3 4 5; do
    pg_port=$(free_port)
    if as_test_user "$pg_bindir/pg_ctl" -D "$pg_data" -l "$workdir/postgres.log" -w -t 60 -s \
        -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start; then
      break
    fi
    [[ $attempt -eq 5 ]] && { tail -n 20 "$workdir/postgres.log" >&2; exit 1; }
  done
  # pytest creates and drops test_zzmetro; zzmetro itself exists so the URL also works for anything else.
  as_test_user "$pg_bindir/createdb" -h "$workdir" -p "$pg_port" -U postgres zzmetro
  export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/zzmetro"
  echo "测试用临时 PostgreSQL：$DATABASE_URL（$pg_data）"
fi

start_redis() {  # $1: port. Succeeds once the server answers, fails if it exits (port taken) or stays silent.
  rm -f "$redis_pidfile"
  as_test_user redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$workdir" --pidfile "$redis_pidfile" --logfile "$workdir/redis.log"
  for _ in $(seq 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    [[ -s "$redis_pidfile" ]] && ! kill -0 "$(cat "$redis_pidfile")" 2>/dev/null && return 1
    sleep 0.1
  done
  [[ -s "$redis_pidfile" ]] && kill -KILL "$(cat "$redis_pidfile")" 2>/dev/null
  return 1
}

if [[ -z "${REDIS_URL:-}" ]]; then
  redis_pidfile="$workdir/redis.pid"
  for attempt in 1 2 3 4 5; do
    redis_port=$(free_port)
    start_redis "$redis_port" && break
    [[ $attempt -eq 5 ]] && { tail -n 20 "$workdir/redis.log" >&2; exit 1; }
  done
  export REDIS_URL="redis://127.0.0.1:$redis_port/0"
  echo "测试用临时 Redis：$REDIS_URL"
fi

status=0
"$@" || status=$?
exit "$status"
