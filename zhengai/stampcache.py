"""Values kept between requests until a row they are read from changes.

Two *stamps*, each the time of the last change to the rows it watches (the watch list is
``workbench/signals.py``): ``queues`` (what the province's counts, a school's round, an
expert's tasks and the province's planning pages — the cycle overview and the re-check list —
are read from) and ``heat`` (the published re-checks behind the heatmap). A value is stored
with the stamps it was computed under, read *before* computing; a saved or deleted row moves
its stamp on at once and again when the transaction commits, so a value computed from data
older than a commit is never served after it: the next request computes it again (never a
stale count).

Where the stamps live: in the cache itself when it is shared (Redis, ``REDIS_URL``), read
together with the value in one round trip; otherwise in files' modification times (the
embedded default keeps values in each process's local memory, and the worker, which also
changes rows, shares the files with the web process), as ``zhengai.pagecache`` does.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save

from zhengai.redis_cache import cache_is_shared
from zhengai.release import release

QUEUES, HEAT = "queues", "heat"
KEPT_SECONDS = 24 * 60 * 60


def _stamp_key(name: str) -> str:
    return f"workbench:stamp:{name}"


def _stamp_file(name: str) -> Path:
    return Path(settings.VAR_DIR) / f"workbench-{name}.stamp"


def bump(name: str) -> None:
    """Everything computed under the stamp ``name`` is out of date from now on."""
    now = time.time_ns()
    if cache_is_shared():
        cache.set(_stamp_key(name), now, timeout=None)
        return
    path = _stamp_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, ns=(now, now))


def _bump_queues() -> None:
    bump(QUEUES)


def _bump_heat() -> None:
    bump(HEAT)


_BUMPS = {QUEUES: _bump_queues, HEAT: _bump_heat}


def changed(name: str, *, using: str | None = None) -> None:
    """A row the stamp ``name`` watches changed: bump now and once more at commit."""
    bump_now = _BUMPS.get(name)
    if bump_now is None:  # one function a stamp, so a transaction queues it once
        bump_now = _BUMPS.setdefault(name, functools.partial(bump, name))
    bump_now()
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and any(e[1] is bump_now for e in connection.run_on_commit):
        return
    transaction.on_commit(bump_now, using=connection.alias)


def _on_signal(name: str, sender=None, using=None, **kwargs) -> None:
    changed(name, using=using)


_RECEIVERS: dict[str, functools.partial] = {}  # signals would hold them weakly


def watch(name: str, models=(), *, events=(), uid: str) -> None:
    """Move the stamp ``name`` whenever a row of one of ``models`` is saved or deleted, or one
    of ``events`` is sent (the signals that say rows were written in bulk, which sends no
    ``post_save``). ``uid`` names the connections, so connecting twice connects once."""
    receiver = _RECEIVERS.setdefault(name, functools.partial(_on_signal, name))
    for model in models:
        label = f"{uid}-{name}-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=label, weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{label}-del", weak=False)
    for number, event in enumerate(events):
        event.connect(receiver, dispatch_uid=f"{uid}-{name}-event-{number}", weak=False)


def _file_stamp(name: str) -> int:
    try:
        return _stamp_file(name).stat().st_mtime_ns
    except FileNotFoundError:
        bump(name)
        return _stamp_file(name).stat().st_mtime_ns


# With Redis: the values last read in this process, checked against the stamps on every read,
# so a large value (the heatmap's markup) is not fetched and unpickled again while its stamps
# stand (emptying the cache drops the stamps: these go too). Values are shared between
# requests: views copy them, never change them.
_LOCAL: dict[str, tuple[tuple, object]] = {}
_LOCAL_SIZE = 256


def _current(stamps: tuple[str, ...], entry_key: str | None) -> tuple[tuple, object]:
    """The stamps' values now and, when ``entry_key`` is given, the stored entry (one trip)."""
    if not cache_is_shared():
        return tuple(_file_stamp(name) for name in stamps), (
            cache.get(entry_key) if entry_key else None
        )
    stamp_keys = [_stamp_key(name) for name in stamps]
    found = cache.get_many([*stamp_keys, entry_key] if entry_key else stamp_keys)
    current = []
    for stamp_key in stamp_keys:
        stamp = found.get(stamp_key)
        if stamp is None:  # never bumped, or the cache was emptied
            cache.add(stamp_key, time.time_ns(), timeout=None)
            stamp = cache.get(stamp_key)
        current.append(stamp)
    return tuple(current), found.get(entry_key) if entry_key else None


def key_of(name: str, *parts) -> str:
    """A cache key for ``name`` and what varies it (filters, page, codes…): any text the
    parts hold (a search typed by a person) is hashed, so the key stays short and safe."""
    return f"{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:24]}"


def cached(key: str, compute, *, stamps: tuple[str, ...] = (QUEUES,)):
    """``compute()``, stored under ``key`` until one of ``stamps`` moves on."""
    entry_key = f"workbench:value:{release()}:{key}"  # a deploy makes every value again
    local = _LOCAL.get(entry_key) if cache_is_shared() else None
    current, entry = _current(stamps, None if local else entry_key)
    if local is not None:
        if local[0] == current:
            return local[1]
        entry = cache.get(entry_key)
    if entry is not None and entry[0] == current:
        if cache_is_shared():
            _keep(entry_key, entry)
        return entry[1]
    value = compute()
    cache.set(entry_key, (current, value), timeout=KEPT_SECONDS)
    if cache_is_shared():
        _keep(entry_key, (current, value))
    return value


def _keep(entry_key: str, entry: tuple) -> None:
    if entry_key not in _LOCAL and len(_LOCAL) >= _LOCAL_SIZE:
        oldest = next(iter(_LOCAL), None)  # threads may evict at once: never fail on it
        _LOCAL.pop(oldest, None)
    _LOCAL[entry_key] = entry
