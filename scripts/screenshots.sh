#!/usr/bin/env bash
# Render every view of the app to docs/screenshots/*.png on a virtual X display (Xvfb),
# with a virtual PulseAudio microphone and speaker so Settings shows devices as on a laptop.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" test  # the screenshots reuse the test data (graded answers, speech clips)
cd "$root"
unset QT_QPA_PLATFORM  # a real X server, not Qt's offscreen platform

runtime="$(mktemp -d)"
export PULSE_RUNTIME_PATH="$runtime"
stop_pulse() { [ -f "$runtime/pid" ] && kill "$(cat "$runtime/pid")" 2>/dev/null || true; rm -rf "$runtime"; }
trap stop_pulse EXIT
HOME="$runtime" pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
  --load=module-native-protocol-unix \
  --load="module-null-sink sink_name=speakers sink_properties=device.description=Speakers" \
  --load="module-null-sink sink_name=mic_src" \
  --load="module-remap-source source_name=microphone master=mic_src.monitor source_properties=device.description=Microphone"
for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.05; done

xvfb-run -a -s "-screen 0 1920x1200x24 -dpi 96" "${MOCKLOOP_VENV:-$root/.venv}/bin/python" scripts/screenshots.py "$@"
