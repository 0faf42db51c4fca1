#!/usr/bin/env bash
# Start the embedded default: runserver plus one Celery worker with embedded beat, on the
# kombu filesystem broker under var/ (no external service). Ctrl-C stops both.
set -euo pipefail
host="${1:-127.0.0.1}"
port="${2:-8000}"
cd "$(dirname "$0")/.."
mkdir -p var/log
.venv/bin/celery -A zhengai worker --beat --concurrency 1 --loglevel INFO \
  --schedule var/celerybeat-schedule >var/log/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  诊改门户已启动：http://$host:$port/
  指标体系：     http://$host:$port/indicators/
  管理后台：     http://$host:$port/admin/   （用 province 登录）
  Celery worker + beat 日志：var/log/celery.log
  演示账号见上方列表；按 Ctrl-C 停止。

MSG
.venv/bin/python manage.py runserver "$host:$port"
