#!/bin/sh
# The README's "The command line" commands, as written there (the emulator on a
# free port instead of 8080). Usage: cli_readme_test.sh HWOCR SOURCE_DIR
set -eu
hwocr=$1
cd "$2"
work=$(mktemp -d)
trap 'kill $emulator 2>/dev/null || true; rm -rf "$work"' EXIT
"$hwocr" emulator --port 0 >"$work/emulator.out" 2>/dev/null &
emulator=$!
i=0; while ! grep -q listening "$work/emulator.out"; do i=$((i + 1)); [ $i -lt 300 ] || exit 1; sleep 0.1; done
endpoint=$(sed -n 's/.*listening on //p' "$work/emulator.out")
export HUAWEICLOUD_SDK_AK=HWOCREMULATORAK000001 HUAWEICLOUD_SDK_SK=hwocr-emulator-secret-key-0000000000000001 \
       HUAWEICLOUD_SDK_OCR_ENDPOINT=$endpoint HUAWEICLOUD_SDK_IAM_ENDPOINT=$endpoint
unset HUAWEICLOUD_SDK_PROJECT_ID HUAWEICLOUD_SDK_USERNAME HUAWEICLOUD_SDK_PASSWORD HUAWEICLOUD_SDK_DOMAIN_NAME || true
"$hwocr" id-card --side front examples/data/id-card-front.png >"$work/one.json"
grep -q '"number": "11010519900307021X"' "$work/one.json"
"$hwocr" id-card -j 16 examples/data -o "$work/cards.jsonl"
grep -q '"status":"ok"' "$work/cards.jsonl"
"$hwocr" id-card --csv --fields number,name,valid_to examples/data -o "$work/cards.csv"
head -1 "$work/cards.csv" | grep -qx 'input,status,number,name,valid_to,error'
"$hwocr" id-card -j 16 examples/data -o "$work/cards.jsonl" --resume 2>"$work/resume.err"
grep -q '0 to go' "$work/resume.err"
"$hwocr" id-card --dry-run examples/data/id-card-front.png >"$work/dry.txt"
grep -q 'Signature=\*\*\*' "$work/dry.txt"
if grep -q "$HUAWEICLOUD_SDK_SK" "$work/dry.txt"; then exit 1; fi
"$hwocr" --help | grep -q 'Exit codes:'
echo "README command-line commands: ok"
