#!/bin/sh
# run_with_disabled_api.sh EMULATOR API PROGRAM [ARGS...]
# Runs PROGRAM (a demo or example that starts the emulator itself) with
# HWOCR_EMULATOR set to a wrapper that starts EMULATOR with --disable-api API;
# prints PROGRAM's output (stderr included), then "exit CODE".
emulator=$1
api=$2
shift 2
wrapper=$(mktemp) || exit 1
printf '#!/bin/sh\nexec "%s" --disable-api "%s" "$@"\n' "$emulator" "$api" > "$wrapper"
chmod +x "$wrapper"
HWOCR_EMULATOR=$wrapper "$@" 2>&1
code=$?
rm -f "$wrapper"
echo "exit $code"
