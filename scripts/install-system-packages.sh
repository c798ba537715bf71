#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project needs, only those missing.
#   fonts-noto-cjk        Chinese glyphs for PDFs (WeasyPrint) and map images
#   libharfbuzz-subset0   font subsetting: a PDF page in ~0.3 s instead of ~11 s
#   libpango-1.0-0 libpangoft2-1.0-0  WeasyPrint's text layout
#   chromium              headless browser for the page tests (never downloaded by Playwright)
#   gettext               compiles and extracts translations (make messages)
#   gdal-bin              ogrinfo, to check exported GIS files as GIS staff would
#   poppler-utils         pdffonts and pdftotext, to check printed documents as a reader would
#   libreoffice-calc-nogui  soffice, to check that exported workbooks convert without errors
#   wrk                   the load generator of the served benchmarks (make bench-served)
#   python3-venv          only where `python3 -m venv` is missing (Debian splits it out)
set -euo pipefail

packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 chromium gettext gdal-bin poppler-utils libreoffice-calc-nogui wrk)
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages+=("python3-venv")
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages: all present."
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "Missing system packages: ${missing[*]}; run this script as root (no sudo found)." >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
