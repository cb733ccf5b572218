# Sourced by the load scripts (scripts/load.sh, scripts/write-load.sh).
# measure [wrk arguments…]: a wrk run of ${secs} seconds over ${conns:-64} connections, printed as
# "requests/s p50 p99 non-2xx" (latencies in ms; the last field empty when every answer was 2xx).
measure() {
  wrk -t2 -c"${conns:-64}" -d"${secs}s" --latency "$@" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF } END { printf "%.0f %.1f %.1f %s\n", rps, p50, p99, bad }'
}
