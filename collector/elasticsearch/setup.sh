#!/bin/sh
# One-shot set-up of the otelkit stack, safe to run again (every call replaces what it creates):
#   1. the kibana_system user's password, so Kibana can connect;
#   2. retention: ILM policies for the OTel logs and traces data streams, attached through the `logs-otel@custom`
#      and `traces-otel@custom` component templates, which Elasticsearch's built-in OTel index templates
#      (8.16 and later) compose; new backing indices pick them up, and existing ones are switched over;
#   3. the Kibana saved objects in kibana/otelkit.ndjson (data views, saved searches, logs dashboard).
# POSIX sh and curl only. The compose stack runs it as the `setup` service; see collector/README.md.
#
#   ELASTICSEARCH_URL        http://elasticsearch:9200    ELASTIC_PASSWORD   the `elastic` superuser's password
#   KIBANA_URL               http://kibana:5601           KIBANA_PASSWORD    password to set for kibana_system
#   OTELKIT_ROLLOVER_SIZE    100mb  roll a backing index over at this primary shard size (or after a day)
#   OTELKIT_LOGS_RETENTION   7d     delete log backing indices this long after rollover
#   OTELKIT_TRACES_RETENTION 3d     delete trace backing indices this long after rollover
#   OTELKIT_SAVED_OBJECTS    /setup/kibana/otelkit.ndjson
set -eu

es=${ELASTICSEARCH_URL:-http://elasticsearch:9200}
kibana=${KIBANA_URL:-http://kibana:5601}
rollover_size=${OTELKIT_ROLLOVER_SIZE:-100mb}
saved_objects=${OTELKIT_SAVED_OBJECTS:-/setup/kibana/otelkit.ndjson}
auth="elastic:${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is required}"

# Prints the response body; fails (with the body on stderr) on a status other than 2xx.
call() { # method url [curl args…]
  method=$1 url=$2
  shift 2
  out=$(curl -sS -u "$auth" -X "$method" -w '\n%{http_code}' "$@" "$url") || return 1
  status=$(printf '%s' "$out" | tail -n 1)
  body=$(printf '%s' "$out" | sed '$d')
  case $status in
    2??) printf '%s\n' "$body" ;;
    *) echo "setup: $method $url answered $status: $body" >&2; return 1 ;;
  esac
}
json() { call "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3" >/dev/null; }

wait_for() { # what url
  i=0
  until curl -sS -o /dev/null -u "$auth" -f "$2" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le 120 ] || { echo "setup: $1 did not answer at $2" >&2; exit 1; }
    sleep 2
  done
}

echo "setup: waiting for Elasticsearch at $es"
wait_for Elasticsearch "$es/_cluster/health?wait_for_status=yellow&timeout=5s"

if [ -n "${KIBANA_PASSWORD:-}" ]; then
  json POST "$es/_security/user/kibana_system/_password" "{\"password\":\"$KIBANA_PASSWORD\"}"
  echo "setup: kibana_system password set"
fi

for signal in logs traces; do
  if [ "$signal" = logs ]; then retention=${OTELKIT_LOGS_RETENTION:-7d}; else retention=${OTELKIT_TRACES_RETENTION:-3d}; fi
  json PUT "$es/_ilm/policy/otelkit-$signal" "{
    \"policy\": {
      \"_meta\": { \"managed_by\": \"otelkit setup\" },
      \"phases\": {
        \"hot\": { \"actions\": { \"rollover\": { \"max_primary_shard_size\": \"$rollover_size\", \"max_age\": \"1d\" } } },
        \"delete\": { \"min_age\": \"$retention\", \"actions\": { \"delete\": {} } }
      }
    }
  }"
  json PUT "$es/_component_template/$signal-otel@custom" "{
    \"_meta\": { \"managed_by\": \"otelkit setup\" },
    \"template\": { \"settings\": { \"index.lifecycle.name\": \"otelkit-$signal\" } }
  }"
  # Backing indices created before this run (or under another policy) switch over too.
  json PUT "$es/$signal-*.otel-*/_settings?allow_no_indices=true&expand_wildcards=all" \
    "{ \"index.lifecycle.name\": \"otelkit-$signal\" }"
  echo "setup: $signal: rollover at $rollover_size per primary shard or daily, deleted $retention after rollover"
done

echo "setup: waiting for Kibana at $kibana"
wait_for Kibana "$kibana/api/status"
call POST "$kibana/api/saved_objects/_import?overwrite=true" -H 'kbn-xsrf: true' -F "file=@$saved_objects" >/dev/null
echo "setup: Kibana saved objects imported from $saved_objects"
