#!/usr/bin/env bash
# Install the Debian packages the portal needs: WeasyPrint's libraries, Chinese fonts and
# gettext (the English catalogue); with --test also Chromium for the browser tests,
# poppler-utils to read PDFs back, docker-compose to validate the compose file, and npm (unless
# one is already on PATH) to install axe-core for the browser tests' accessibility check.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-arphic-uming fonts-wqy-microhei
  gettext)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium poppler-utils docker-compose)
  command -v npm >/dev/null || packages+=(npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包：${missing[*]}" >&2
  echo "请以 root 运行：sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "安装系统软件包：${missing[*]}"
sh -c "$cmd" >/dev/null
