#!/usr/bin/env bash
# Install the Debian packages the portal needs, only those missing.
#   scripts/system_deps.sh pdf      Pango for WeasyPrint and a CJK font for Chinese PDFs
#   scripts/system_deps.sh browser  the above plus Debian's Chromium for the browser tests
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk)
if [[ "${1:-pdf}" == "browser" ]]; then
  packages+=(chromium)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少系统软件包：${missing[*]}。本机没有 apt-get，请用本机的包管理器安装对应软件（Pango、思源黑体/Noto CJK 字体、Chromium）。" >&2
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
