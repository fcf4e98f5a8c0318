#!/usr/bin/env bash
# The docker-compose topology as processes on this machine (no Docker engine needed): Redis,
# PostgreSQL, 2 sequencers, 2 gateways and nginx with infra/nginx/nginx.conf (its upstream list
# rewritten for the local gateway ports). For demos and for the deploy integration tests.
#
#   infra/local-cluster.sh up            start what is not running (idempotent), wait until ready
#   infra/local-cluster.sh down          stop everything (gateways drain, sequencers hand over)
#   infra/local-cluster.sh status        each process: pid, port, ready or not
#   infra/local-cluster.sh kill NAME [SIGNAL]   e.g. `kill gateway-1` (-9) or `kill gateway-1 TERM`
#   infra/local-cluster.sh start NAME    start one stopped process again
#   infra/local-cluster.sh env           print FLOWSTATE_URL / FLOWSTATE_CLUSTER_DIR exports
#   infra/local-cluster.sh nginx-conf LB_PORT GATEWAY_PORT...   print the generated nginx config
#
# NAMEs: redis postgres sequencer-1 sequencer-2 gateway-1 gateway-2 nginx.
# Settings (environment): FLOWSTATE_CLUSTER_DIR (state, logs, data; default target/local-cluster),
# FLOWSTATE_CLUSTER_PORT (the load balancer's port, default 18080; gateways +1/+2, sequencers
# +11/+12, Redis +20, PostgreSQL +21), FLOWSTATE_REDIS_URL / FLOWSTATE_PG_URL (use these servers
# instead of starting Redis / PostgreSQL), FLOWSTATE_JAR (default app/target/flowstate.jar, copied
# into the state dir so that a rebuild does not pull it from under running processes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${FLOWSTATE_CLUSTER_DIR:-$ROOT/target/local-cluster}"
# `up` records its settings here so that later commands (start, kill, down) use the same ones.
if [[ -f "$STATE/settings" ]]; then
  # shellcheck disable=SC1091
  source "$STATE/settings"
fi
BASE="${FLOWSTATE_CLUSTER_PORT:-${SAVED_PORT:-18080}}"
FLOWSTATE_REDIS_URL="${FLOWSTATE_REDIS_URL:-${SAVED_REDIS_URL:-}}"
FLOWSTATE_PG_URL="${FLOWSTATE_PG_URL:-${SAVED_PG_URL:-}}"
LB_PORT=$BASE
GATEWAYS=(gateway-1 gateway-2)
SEQUENCERS=(sequencer-1 sequencer-2)
REDIS_PORT=$((BASE + 20))
PG_PORT=$((BASE + 21))
JWT_KEY="${FLOWSTATE_JWT_KEY:-local-trial-secret-change-me-0123456789abcdef}"
WAIT_SECONDS="${FLOWSTATE_CLUSTER_WAIT:-90}"

say() { echo "local-cluster: $*"; }
die() { echo "local-cluster: ERROR: $*" >&2; exit 1; }
loud() {
  echo "################################################################################" >&2
  echo "# local-cluster: $*" >&2
  echo "################################################################################" >&2
}

port_of() {
  case "$1" in
    nginx) echo "$LB_PORT" ;;
    gateway-*) echo $((BASE + ${1#gateway-})) ;;
    sequencer-*) echo $((BASE + 10 + ${1#sequencer-})) ;;
    redis) echo "$REDIS_PORT" ;;
    postgres) echo "$PG_PORT" ;;
    *) die "unknown process '$1' (redis postgres sequencer-1 sequencer-2 gateway-1 gateway-2 nginx)" ;;
  esac
}

redis_url() { echo "${FLOWSTATE_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}"; }
pg_url() { echo "${FLOWSTATE_PG_URL:-postgresql://flowstate@127.0.0.1:$PG_PORT/flowstate}"; }

pid_of() {
  local file="$STATE/pids/$1.pid"
  if [[ "$1" == postgres && -f "$STATE/pgdata/postmaster.pid" ]]; then
    file="$STATE/pgdata/postmaster.pid"
  fi
  [[ -f "$file" ]] || return 1
  local pid
  pid="$(head -n1 "$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

running() { pid_of "$1" >/dev/null; }

# Waits until `curl URL` answers 200 (or the process died).
await_http() {
  local name="$1" url="$2" deadline=$((SECONDS + WAIT_SECONDS))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    running "$name" || die "$name exited while starting; see $STATE/logs/$name.log:
$(tail -n 20 "$STATE/logs/$name.log" 2>/dev/null)"
    ((SECONDS < deadline)) || die "$name not ready at $url after ${WAIT_SECONDS}s; see $STATE/logs/$name.log"
    sleep 0.3
  done
}

# Runs a command in its own session (survives the calling shell), logs to logs/NAME.log.
spawn() {
  local name="$1"; shift
  setsid "$@" >>"$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/pids/$name.pid"
}

as_pg_user() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bin() {
  local tool="$1" dir
  if command -v "$tool" >/dev/null 2>&1; then command -v "$tool"; return; fi
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/$tool" ]] && { echo "$dir/$tool"; return; }
  done
  return 1
}

start_redis() {
  if [[ -n "${FLOWSTATE_REDIS_URL:-}" ]]; then say "redis: using FLOWSTATE_REDIS_URL=$FLOWSTATE_REDIS_URL"; return; fi
  running redis && return
  command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install -y redis-server), or set FLOWSTATE_REDIS_URL"
  mkdir -p "$STATE/redis"
  spawn redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$STATE/redis"
  local deadline=$((SECONDS + 20))
  until redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; do
    running redis || die "redis exited; see $STATE/logs/redis.log"
    ((SECONDS < deadline)) || die "redis not answering on $REDIS_PORT"
    sleep 0.2
  done
  say "redis ready on 127.0.0.1:$REDIS_PORT"
}

start_postgres() {
  if [[ -n "${FLOWSTATE_PG_URL:-}" ]]; then say "postgres: using FLOWSTATE_PG_URL"; return; fi
  running postgres && return
  local initdb pg_ctl
  initdb="$(pg_bin initdb)" && pg_ctl="$(pg_bin pg_ctl)" \
    || die "PostgreSQL server binaries (initdb, pg_ctl) not found (apt-get install -y postgresql), or set FLOWSTATE_PG_URL"
  local data="$STATE/pgdata"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    mkdir -p "$data"
    [[ "$(id -u)" == 0 ]] && chown postgres "$data" "$STATE/logs" 2>/dev/null || true
    chmod 700 "$data"
    as_pg_user "$initdb" -D "$data" -U flowstate --auth=trust -E UTF8 >>"$STATE/logs/postgres.log" 2>&1 \
      || die "initdb failed; see $STATE/logs/postgres.log"
  fi
  [[ "$(id -u)" == 0 ]] && touch "$STATE/logs/postgres.log" && chown postgres "$STATE/logs/postgres.log"
  as_pg_user "$pg_ctl" -D "$data" -l "$STATE/logs/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $data -c max_connections=200" start >/dev/null \
    || die "PostgreSQL did not start; see $STATE/logs/postgres.log"
  head -n1 "$data/postmaster.pid" > "$STATE/pids/postgres.pid"
  if [[ "$(psql -h 127.0.0.1 -p "$PG_PORT" -U flowstate -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'flowstate'")" != 1 ]]; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U flowstate -d postgres -qc "CREATE DATABASE flowstate" >/dev/null
  fi
  say "postgres ready on 127.0.0.1:$PG_PORT"
}

jar() {
  local src="${FLOWSTATE_JAR:-$ROOT/app/target/flowstate.jar}"
  if [[ ! -f "$STATE/flowstate.jar" || "$src" -nt "$STATE/flowstate.jar" ]] && ! any_java_running; then
    [[ -f "$src" ]] || die "$src not found: build it first (./mvnw -B -o install -DskipTests)"
    cp "$src" "$STATE/flowstate.jar"
  fi
  [[ -f "$STATE/flowstate.jar" ]] || die "no jar in $STATE"
  echo "$STATE/flowstate.jar"
}

any_java_running() {
  local n
  for n in "${SEQUENCERS[@]}" "${GATEWAYS[@]}"; do running "$n" && return 0; done
  return 1
}

java_bin() { if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi; }

start_sequencer() {
  local name="$1" port
  running "$name" && return
  port="$(port_of "$name")"
  local jarfile; jarfile="$(jar)"
  spawn "$name" env FLOWSTATE_REDIS_URL="$(redis_url)" FLOWSTATE_PG_URL="$(pg_url)" \
    FLOWSTATE_SEQUENCER_ID="local-$name" FLOWSTATE_SEQUENCER_HTTP_HOST=127.0.0.1 \
    FLOWSTATE_SEQUENCER_HTTP_PORT="$port" FLOWSTATE_LOG_FORMAT=json FLOWSTATE_LOG_LEVEL=INFO \
    "$(java_bin)" -Xmx256m -jar "$jarfile" sequencer
}

start_gateway() {
  local name="$1" port
  running "$name" && return
  port="$(port_of "$name")"
  local jarfile; jarfile="$(jar)"
  spawn "$name" env FLOWSTATE_REDIS_URL="$(redis_url)" FLOWSTATE_PG_URL="$(pg_url)" \
    FLOWSTATE_GATEWAY_ID="local-$name" FLOWSTATE_HTTP_HOST=127.0.0.1 FLOWSTATE_HTTP_PORT="$port" \
    FLOWSTATE_JWT_KEY="$JWT_KEY" FLOWSTATE_TRUSTED_PROXIES=127.0.0.1 \
    FLOWSTATE_PUBLIC_URL="http://127.0.0.1:$LB_PORT" FLOWSTATE_LOG_FORMAT=json FLOWSTATE_LOG_LEVEL=INFO \
    "$(java_bin)" -Xmx256m -jar "$jarfile" gateway
}

# infra/nginx/nginx.conf with: the compose DNS upstream replaced by one line per local gateway, no
# Docker resolver, the listen port, and pid/log/temp paths under the state dir (nginx -p DIR).
nginx_conf() {
  local lb="$1"; shift
  local servers="" p
  for p in "$@"; do servers+="    server 127.0.0.1:$p max_fails=2 fail_timeout=5s;\n"; done
  awk -v servers="$servers" -v lb="$lb" '
    NR == 1 { print "# GENERATED by infra/local-cluster.sh from infra/nginx/nginx.conf: do not edit."
              print "pid logs/nginx.pid;"; print "error_log logs/nginx-error.log warn;" }
    /^[[:space:]]*resolver[[:space:]]/ { next }
    /^[[:space:]]*server[[:space:]]+gateway:8080/ { printf "%s", servers; next }
    /^[[:space:]]*listen[[:space:]]+8080;/ { sub(/8080/, "127.0.0.1:" lb) }
    /^[[:space:]]*worker_connections/ { sub(/[0-9]+/, "1024") }
    { print }
    /^http[[:space:]]*\{/ {
      print "  access_log logs/nginx-access.log;"
      print "  client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;"
      print "  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;"
    }' "$ROOT/infra/nginx/nginx.conf"
}

start_nginx() {
  running nginx && return
  if ! command -v nginx >/dev/null 2>&1; then
    loud "nginx is NOT installed: no load balancer. Install it (apt-get install -y nginx) for the
# real topology; until then use a gateway directly: http://127.0.0.1:$(port_of gateway-1)"
    return
  fi
  local dir="$STATE/nginx" ports=() g
  mkdir -p "$dir/logs" "$dir/tmp"
  for g in "${GATEWAYS[@]}"; do ports+=("$(port_of "$g")"); done
  nginx_conf "$LB_PORT" "${ports[@]}" > "$dir/nginx.conf"
  nginx -t -q -p "$dir/" -c "$dir/nginx.conf" 2>>"$STATE/logs/nginx.log" \
    || die "generated nginx config is invalid; see $STATE/logs/nginx.log"
  spawn nginx nginx -p "$dir/" -c "$dir/nginx.conf" -g "daemon off;"
  await_http nginx "http://127.0.0.1:$LB_PORT/health/ready"
  say "nginx ready on http://127.0.0.1:$LB_PORT (upstreams: ${ports[*]})"
}

start_one() {
  case "$1" in
    redis) start_redis ;;
    postgres) start_postgres ;;
    sequencer-*) start_sequencer "$1"; await_http "$1" "http://127.0.0.1:$(port_of "$1")/health/ready"; say "$1 ready" ;;
    gateway-*) start_gateway "$1"; await_http "$1" "http://127.0.0.1:$(port_of "$1")/health/ready"; say "$1 ready" ;;
    nginx) start_nginx ;;
    *) port_of "$1" >/dev/null ;;
  esac
}

up() {
  mkdir -p "$STATE/pids" "$STATE/logs"
  printf 'SAVED_PORT=%q\nSAVED_REDIS_URL=%q\nSAVED_PG_URL=%q\n' "$BASE" "$FLOWSTATE_REDIS_URL" "$FLOWSTATE_PG_URL" \
    > "$STATE/settings"
  start_redis
  start_postgres
  local n
  # Java processes start together (a JVM start is the slow part), then are awaited one by one.
  for n in "${SEQUENCERS[@]}"; do start_sequencer "$n"; done
  for n in "${GATEWAYS[@]}"; do start_gateway "$n"; done
  for n in "${SEQUENCERS[@]}" "${GATEWAYS[@]}"; do
    await_http "$n" "http://127.0.0.1:$(port_of "$n")/health/ready"
    say "$n ready on 127.0.0.1:$(port_of "$n")"
  done
  start_nginx
  write_env
  say "up. export \$(infra/local-cluster.sh env)   # FLOWSTATE_URL=$(lb_url)"
}

lb_url() {
  if running nginx; then echo "http://127.0.0.1:$LB_PORT"; else echo "http://127.0.0.1:$(port_of gateway-1)"; fi
}

write_env() {
  {
    echo "FLOWSTATE_URL=$(lb_url)"
    echo "FLOWSTATE_CLUSTER_DIR=$STATE"
  } > "$STATE/cluster.env"
}

stop_one() {
  local name="$1" pid
  pid="$(pid_of "$name")" || { rm -f "$STATE/pids/$name.pid"; return 0; }
  if [[ "$name" == postgres ]]; then
    as_pg_user "$(pg_bin pg_ctl)" -D "$STATE/pgdata" -m fast -w stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  local deadline=$((SECONDS + 40))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then say "$name did not stop in 40 s: kill -9"; kill -9 "$pid" 2>/dev/null || true; fi
    sleep 0.2
  done
  rm -f "$STATE/pids/$name.pid"
  say "$name stopped"
}

down() {
  [[ -d "$STATE/pids" ]] || { say "nothing running ($STATE)"; return; }
  stop_one nginx
  local n pids=()
  # Gateways drain in parallel, then sequencers hand over, then the stores.
  for n in "${GATEWAYS[@]}"; do stop_one "$n" & pids+=($!); done
  wait "${pids[@]}" 2>/dev/null || true
  for n in "${SEQUENCERS[@]}"; do stop_one "$n"; done
  stop_one redis
  stop_one postgres
  rm -f "$STATE/cluster.env" "$STATE/settings"
}

status() {
  local n pid ready url
  printf '%-12s %-8s %-6s %s\n' NAME PID PORT STATE
  for n in redis postgres "${SEQUENCERS[@]}" "${GATEWAYS[@]}" nginx; do
    if pid="$(pid_of "$n")"; then
      ready=running
      case "$n" in
        gateway-*|sequencer-*|nginx)
          url="http://127.0.0.1:$(port_of "$n")/health/ready"
          if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then ready=ready; else ready="running, NOT ready"; fi ;;
      esac
    else
      pid=-; ready=stopped
    fi
    printf '%-12s %-8s %-6s %s\n' "$n" "$pid" "$(port_of "$n")" "$ready"
  done
  [[ -f "$STATE/cluster.env" ]] && sed 's/^/  /' "$STATE/cluster.env"
  return 0
}

cmd="${1:-}"
case "$cmd" in
  up) up ;;
  down) down ;;
  status) status ;;
  kill)
    name="${2:?usage: local-cluster.sh kill NAME [SIGNAL]}"; port_of "$name" >/dev/null
    pid="$(pid_of "$name")" || die "$name is not running"
    kill -s "${3:-KILL}" "$pid"; say "sent SIG${3:-KILL} to $name (pid $pid)" ;;
  start)
    name="${2:?usage: local-cluster.sh start NAME}"; mkdir -p "$STATE/pids" "$STATE/logs"; start_one "$name" ;;
  env) [[ -f "$STATE/cluster.env" ]] || die "not up ($STATE)"; cat "$STATE/cluster.env" ;;
  nginx-conf) shift; [[ $# -ge 2 ]] || die "usage: nginx-conf LB_PORT GATEWAY_PORT..."; nginx_conf "$@" ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; [[ -z "$cmd" || "$cmd" == help ]] || exit 2 ;;
esac
