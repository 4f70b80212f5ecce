#!/usr/bin/env bash
# Install the Debian packages the portal needs, only those missing.
#   scripts/system_deps.sh pdf      Pango for WeasyPrint and a CJK font for Chinese PDFs
#   scripts/system_deps.sh browser  the above plus Debian's Chromium for the browser tests
#   scripts/system_deps.sh test     the above plus the PostgreSQL and Redis servers scripts/testenv.sh starts for
#                                   `make test` (each only when DATABASE_URL / REDIS_URL is unset and none is found).
#                                   Debian's postgresql package also creates and starts its own `main` cluster on
#                                   5432; the tests never use it. Also pg_dump/pg_restore (postgresql-client).
#   scripts/system_deps.sh backup   the pdf packages plus pg_dump/pg_restore (postgresql-client) for `manage.py backup`
#                                   and `manage.py restore` on the production server
set -euo pipefail

group="${1:-pdf}"
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk)
if [[ "$group" == "browser" || "$group" == "test" ]]; then
  packages+=(chromium)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ "$group" == "test" ]]; then
  # Same lookup as scripts/testenv.sh: any installed server version will do.
  if [[ -z "${DATABASE_URL:-}" && -z "${PG_BINDIR:-}" ]] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
      && ! command -v initdb >/dev/null 2>&1; then
    missing+=(postgresql)
  fi
  if [[ -z "${REDIS_URL:-}" ]] && ! command -v redis-server >/dev/null 2>&1; then
    missing+=(redis-server)
  fi
fi
if [[ "$group" == "test" || "$group" == "backup" ]]; then
  # pg_dump / pg_restore for `manage.py backup` and `restore` (zzmetro/backups.py takes the newest one installed).
  if ! compgen -G "/usr/lib/postgresql/*/bin/pg_dump" >/dev/null && ! command -v pg_dump >/dev/null 2>&1; then
    missing+=(postgresql-client)
  fi
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少系统软件包：${missing[*]}。本机没有 apt-get，请用本机的包管理器安装对应软件（Pango、思源黑体/Noto CJK 字体、Chromium、PostgreSQL 服务器与客户端、Redis）。" >&2
  exit 1
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "需要 root 权限安装：${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "安装系统软件包：${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
