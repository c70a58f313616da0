#!/bin/sh
# Keeps the otelkit indices under a total size: deletes backing indices oldest first (by creation date) until the
# total store size (primaries and replicas) is at or below OTELKIT_SIZE_LIMIT. ILM deletes by age only; this job
# adds the size ceiling. A data stream's current write index is rolled over before it is deleted, so writing goes
# on into a fresh one. Run it periodically (cron, a Kubernetes CronJob, or a loop in a container); POSIX sh and
# curl only, like setup.sh.
#
#   ELASTICSEARCH_URL     http://elasticsearch:9200    ELASTIC_PASSWORD  the `elastic` superuser's password
#   OTELKIT_SIZE_LIMIT    1gb    bytes, or with a kb/mb/gb suffix (powers of 1024)
#   OTELKIT_SIZE_INDICES  .ds-logs-*.otel-*,.ds-traces-*.otel-*   the indices that count and may be deleted
set -eu

es=${ELASTICSEARCH_URL:-http://elasticsearch:9200}
auth="elastic:${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is required}"
indices=${OTELKIT_SIZE_INDICES:-.ds-logs-*.otel-*,.ds-traces-*.otel-*}
limit_text=${OTELKIT_SIZE_LIMIT:-1gb}

case $limit_text in
  *gb) limit=$(awk "BEGIN { printf \"%d\", ${limit_text%gb} * 1073741824 }") ;;
  *mb) limit=$(awk "BEGIN { printf \"%d\", ${limit_text%mb} * 1048576 }") ;;
  *kb) limit=$(awk "BEGIN { printf \"%d\", ${limit_text%kb} * 1024 }") ;;
  *[!0-9]*) echo "size-cap: OTELKIT_SIZE_LIMIT=$limit_text is not a size (e.g. 1gb, 500mb, 1048576)" >&2; exit 2 ;;
  *) limit=$limit_text ;;
esac

# method url: prints the body; the HTTP status goes to the file named by $status_file.
status_file=$(mktemp)
trap 'rm -f "$status_file"' EXIT
request() {
  out=$(curl -sS -u "$auth" -X "$1" -w '\n%{http_code}' "$2") || return 1
  printf '%s' "$out" | tail -n 1 >"$status_file"
  printf '%s' "$out" | sed '$d'
}

# Oldest first: "index bytes" per line.
listing=$(request GET "$es/_cat/indices/$indices?h=index,store.size&bytes=b&s=creation.date:asc&expand_wildcards=all")
case $(cat "$status_file") in
  2??) ;;
  *) echo "size-cap: listing $indices answered $(cat "$status_file"): $listing" >&2; exit 1 ;;
esac
total=$(printf '%s\n' "$listing" | awk '{ s += $2 } END { printf "%d", s }')
echo "size-cap: $indices hold $total bytes; limit $limit bytes"

printf '%s\n' "$listing" | while read -r index bytes; do
  [ -n "$index" ] || continue
  if awk "BEGIN { exit !($total <= $limit) }"; then break; fi
  body=$(request DELETE "$es/$index")
  if [ "$(cat "$status_file")" = 400 ] && printf '%s' "$body" | grep -q 'write index'; then
    # .ds-<data stream>-<yyyy.MM.dd>-<generation>: roll the data stream over, then the old write index can go.
    stream=$(printf '%s' "$index" | sed -e 's/^\.ds-//' -e 's/-[0-9]\{4\}\.[0-9]\{2\}\.[0-9]\{2\}-[0-9]\{6\}$//')
    request POST "$es/$stream/_rollover" >/dev/null
    body=$(request DELETE "$es/$index")
  fi
  case $(cat "$status_file") in
    2??) ;;
    *) echo "size-cap: deleting $index answered $(cat "$status_file"): $body" >&2; exit 1 ;;
  esac
  total=$(awk "BEGIN { printf \"%d\", $total - ${bytes:-0} }")
  echo "size-cap: deleted $index (${bytes:-0} bytes); $total bytes left"
done
