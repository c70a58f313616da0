#!/bin/sh
# One-shot set-up of the otelkit stack's Elasticsearch (and Kibana), safe to run again (every call replaces
# what it creates):
#   1. the kibana_system user's password, so Kibana can connect;
#   2. index templates for the OTel-mode data streams (templates/): equivalent to Elasticsearch's own otel-data
#      ones, for clusters that lack them; where the built-in logs-otel@template / traces-otel@template exist
#      (8.16 and later, priority 120) they stay in charge, and the `@custom` templates they compose carry
#      otelkit's settings (ignore_malformed: a value of the wrong type is kept unindexed, not rejected);
#   3. one data stream template per log stream with its own retention: audit (logs-otelkit.audit.otel-*),
#      system (logs-otelkit.system.otel-*), and the application logs (every other logs-*.otel-*); traces;
#   4. retention: an ILM policy per stream, when the cluster has ILM (it says so when it has not);
#   5. the collector's least-privilege role, and its user when OTELKIT_COLLECTOR_PASSWORD is set;
#   6. the Kibana saved objects in kibana/otelkit.ndjson (data views, saved searches, logs dashboard).
# POSIX sh and curl only. The compose stack runs it as the `setup` service; see collector/README.md.
#
#   ELASTICSEARCH_URL        http://elasticsearch:9200    ELASTIC_PASSWORD   the `elastic` superuser's password
#   KIBANA_URL               http://kibana:5601 (empty: no Kibana steps)  KIBANA_PASSWORD  for kibana_system
#   OTELKIT_ROLLOVER_SIZE    100mb  roll a backing index over at this primary shard size (or after a day)
#   OTELKIT_APP_RETENTION    30d    delete application log backing indices this long after rollover
#   OTELKIT_SYSTEM_RETENTION 90d    … system logs (the filelog overlay's records)
#   OTELKIT_AUDIT_RETENTION  365d   … audit logs (otelkit's getAuditLogger())
#   OTELKIT_TRACES_RETENTION 7d     … traces
#   OTELKIT_COLLECTOR_USER   otelkit-collector   OTELKIT_COLLECTOR_PASSWORD  (empty: the user is not created)
#   OTELKIT_DATED_INDEX_PREFIX  (empty: none) template and Kibana data view for config.dated-index.yaml's daily indices
#   OTELKIT_SAVED_OBJECTS    /setup/kibana/otelkit.ndjson
set -eu

es=${ELASTICSEARCH_URL:-http://elasticsearch:9200}
kibana=${KIBANA_URL-http://kibana:5601}
rollover_size=${OTELKIT_ROLLOVER_SIZE:-100mb}
saved_objects=${OTELKIT_SAVED_OBJECTS:-/setup/kibana/otelkit.ndjson}
templates=$(dirname "$0")/templates
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
json_file() { call "$1" "$2" -H 'Content-Type: application/json' --data-binary "@$3" >/dev/null; }
# The HTTP status of a GET, without failing.
status_of() { curl -sS -o /dev/null -u "$auth" -w '%{http_code}' "$1" || echo 000; }

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

for name in otelkit-otel@settings otelkit-otel@mappings otelkit-logs-otel@mappings otelkit-traces-otel@mappings; do
  json_file PUT "$es/_component_template/$name" "$templates/$name.json"
done

# Retention: ILM where the cluster has it (a cluster without the ILM module, such as Maven Central's
# integ-test distribution, answers 400 or 404 here).
if [ "$(status_of "$es/_ilm/status")" = 200 ]; then ilm=yes; else ilm=no; fi
retention_of() {
  case $1 in
    app) echo "${OTELKIT_APP_RETENTION:-30d}" ;;
    system) echo "${OTELKIT_SYSTEM_RETENTION:-90d}" ;;
    audit) echo "${OTELKIT_AUDIT_RETENTION:-365d}" ;;
    traces) echo "${OTELKIT_TRACES_RETENTION:-7d}" ;;
  esac
}
# The index settings a stream's template carries: its ILM policy, and ignore_malformed (a value of the wrong
# type, such as order.total once a number and then a string, is kept in _source and listed in _ignored rather
# than rejecting the whole document; Elasticsearch's own traces templates before 9.x lack it).
settings_of() {
  if [ "$ilm" = yes ]; then
    echo "{ \"index.mapping.ignore_malformed\": true, \"index.lifecycle.name\": \"otelkit-$1\" }"
  else
    echo '{ "index.mapping.ignore_malformed": true }'
  fi
}
for stream in app system audit traces; do
  retention=$(retention_of "$stream")
  if [ "$ilm" = yes ]; then
    json PUT "$es/_ilm/policy/otelkit-$stream" "{
      \"policy\": {
        \"_meta\": { \"managed_by\": \"otelkit setup\" },
        \"phases\": {
          \"hot\": { \"actions\": { \"rollover\": { \"max_primary_shard_size\": \"$rollover_size\", \"max_age\": \"1d\" } } },
          \"delete\": { \"min_age\": \"$retention\", \"actions\": { \"delete\": {} } }
        }
      }
    }"
    echo "setup: $stream: rollover at $rollover_size per primary shard or daily, deleted $retention after rollover"
  else
    echo "setup: $stream: this cluster has no ILM: retention $retention NOT applied" >&2
  fi
done

# Application logs and traces: the `@custom` templates that both Elasticsearch's built-in OTel templates and
# otelkit's own (templates/otelkit-*-otel.json, priority 110, below the built-in 120) compose.
json PUT "$es/_component_template/logs-otel@custom" "{
  \"_meta\": { \"managed_by\": \"otelkit setup\" }, \"template\": { \"settings\": $(settings_of app) }
}"
json PUT "$es/_component_template/traces-otel@custom" "{
  \"_meta\": { \"managed_by\": \"otelkit setup\" }, \"template\": { \"settings\": $(settings_of traces) }
}"
json_file PUT "$es/_index_template/otelkit-logs-otel" "$templates/otelkit-logs-otel.json"
json_file PUT "$es/_index_template/otelkit-traces-otel" "$templates/otelkit-traces-otel.json"

# System and audit logs: data streams of their own (the collector routes them by data_stream.dataset), above
# every logs-*.otel-* template.
for stream in system audit; do
  json PUT "$es/_component_template/otelkit-$stream@lifecycle" "{
    \"_meta\": { \"managed_by\": \"otelkit setup\" }, \"template\": { \"settings\": $(settings_of "$stream") }
  }"
  json PUT "$es/_index_template/otelkit-logs-$stream" "{
    \"_meta\": { \"managed_by\": \"otelkit setup\" },
    \"index_patterns\": [\"logs-otelkit.$stream.otel-*\"],
    \"priority\": 130,
    \"data_stream\": {},
    \"allow_auto_create\": true,
    \"composed_of\": [\"otelkit-otel@settings\", \"otelkit-otel@mappings\", \"otelkit-logs-otel@mappings\",
      \"logs-otel@custom\", \"otelkit-$stream@lifecycle\"]
  }"
done
echo "setup: index templates for logs-*.otel-* (application), logs-otelkit.system.otel-*, logs-otelkit.audit.otel-*, traces-*.otel-*"

# Daily indices for config.dated-index.yaml: <prefix>-logs-YYYY.MM.DD, each a data stream with the application
# logs' settings and retention.
dated=${OTELKIT_DATED_INDEX_PREFIX:-}
if [ -n "$dated" ]; then
  json PUT "$es/_index_template/otelkit-dated-logs" "{
    \"_meta\": { \"managed_by\": \"otelkit setup\" },
    \"index_patterns\": [\"$dated-logs-*\"],
    \"priority\": 130,
    \"data_stream\": {},
    \"allow_auto_create\": true,
    \"composed_of\": [\"otelkit-otel@settings\", \"otelkit-otel@mappings\", \"otelkit-logs-otel@mappings\", \"logs-otel@custom\"]
  }"
  echo "setup: index template for daily indices $dated-logs-YYYY.MM.DD"
fi

# Backing indices created before this run (or under another policy) switch over too.
if [ "$ilm" = yes ]; then
  for pair in "logs-*.otel-*:app" "logs-otelkit.system.otel-*:system" "logs-otelkit.audit.otel-*:audit" "traces-*.otel-*:traces"; do
    json PUT "$es/${pair%%:*}/_settings?allow_no_indices=true&expand_wildcards=all" \
      "{ \"index.lifecycle.name\": \"otelkit-${pair##*:}\" }"
  done
fi

# The collector's least-privilege user and role (collector-role.json: create the OTel data streams and documents
# in them, nothing else), when OTELKIT_COLLECTOR_PASSWORD is set. Both live in the .security index.
if [ -n "${OTELKIT_COLLECTOR_PASSWORD:-}" ]; then
  json_file PUT "$es/_security/role/otelkit_collector" "$(dirname "$0")/collector-role.json"
  json PUT "$es/_security/user/${OTELKIT_COLLECTOR_USER:-otelkit-collector}" "{
    \"password\": \"$OTELKIT_COLLECTOR_PASSWORD\", \"roles\": [\"otelkit_collector\"],
    \"metadata\": { \"managed_by\": \"otelkit setup\" }
  }"
  echo "setup: user ${OTELKIT_COLLECTOR_USER:-otelkit-collector} with role otelkit_collector"
fi

if [ -z "$kibana" ]; then
  echo "setup: KIBANA_URL is empty: Kibana saved objects not imported"
  exit 0
fi
echo "setup: waiting for Kibana at $kibana"
wait_for Kibana "$kibana/api/status"
if [ -n "$dated" ]; then
  call POST "$kibana/api/data_views/data_view" -H 'kbn-xsrf: true' -H 'Content-Type: application/json' --data-binary "{
    \"override\": true,
    \"data_view\": { \"id\": \"otelkit-dated-logs\", \"name\": \"$dated logs (daily indices)\",
      \"title\": \"$dated-logs-*\", \"timeFieldName\": \"@timestamp\" }
  }" >/dev/null
  echo "setup: Kibana data view $dated-logs-*"
fi
call POST "$kibana/api/saved_objects/_import?overwrite=true" -H 'kbn-xsrf: true' -F "file=@$saved_objects" >/dev/null
echo "setup: Kibana saved objects imported from $saved_objects"
