#!/usr/bin/env bash
# The README's pictures, made by the tool itself from the shipped content (build.py preview).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf docs/pictures
python3 build.py preview --variant zh-Hans --pages 1,9 --dpi 60 --to docs/pictures -q
python3 build.py preview --variant zh-Hant --only handbook --pages 12 --dpi 60 --to docs/pictures -q
# keep what the README shows
cd docs/pictures
rm -f zh-Hans-worksheet-contact.png zh-Hans-handbook-booklet-contact.png zh-Hans-handbook-booklet-09.png \
      zh-Hant-handbook-contact.png
ls
