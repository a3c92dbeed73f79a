"""The rows an access request found in a connected system, sealed until its package is built.

Why sealed in chunks: the rows are personal data taken from another system;
they are kept only between the system's answer and the package, encrypted
with the person's key (the system key, bound to the task, when Pledge holds no
key for them), so an erasure shreds them like everything else. Chunks keep
each blob small and let a large answer be written as it streams in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pledge.connectors.base import Row
from pledge.crypto import KeyManager
from pledge.db.models import ConnectedRows, ConnectorTask

CHUNK_ROWS = 500


def _aad(task_id: str, seq: int) -> str:
    return f"connected-rows:{task_id}:{seq}"


def seal_rows(
    keys: KeyManager, task_id: str, rows: Iterable[Row], data_key: bytes | None
) -> Iterator[tuple[int, bytes, int]]:
    """(seq, ciphertext, rows in it) per chunk of ``rows``, sealed as they stream in."""
    chunk: list[dict[str, Any]] = []
    seq = 0
    for row in rows:
        chunk.append({"collection": row.collection, "key": row.key, "data": row.by_category})
        if len(chunk) >= CHUNK_ROWS:
            yield seq, _seal(keys, task_id, seq, chunk, data_key), len(chunk)
            seq, chunk = seq + 1, []
    if chunk:
        yield seq, _seal(keys, task_id, seq, chunk, data_key), len(chunk)


def _seal(
    keys: KeyManager, task_id: str, seq: int, chunk: list[dict[str, Any]], data_key: bytes | None
) -> bytes:
    aad = _aad(task_id, seq)
    if data_key is None:
        return keys.encrypt_system(chunk, aad)
    return keys.encrypt_json(data_key, chunk, aad)


def store_chunks(session: Session, task_id: str, chunks: list[tuple[int, bytes]]) -> None:
    """Replace the task's rows (a repeated attempt leaves one copy)."""
    session.execute(delete(ConnectedRows).where(ConnectedRows.task_id == task_id))
    for seq, blob in chunks:
        session.add(ConnectedRows(task_id=task_id, seq=seq, ciphertext=blob))


def rows_of_request(
    session: Session, keys: KeyManager, request_id: str, data_key: bytes | None
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """System -> collection -> rows (key, data by category) of the request's export tasks."""
    found = session.execute(
        select(
            ConnectorTask.system_id,
            ConnectedRows.task_id,
            ConnectedRows.seq,
            ConnectedRows.ciphertext,
        )
        .join(ConnectedRows, ConnectedRows.task_id == ConnectorTask.id)
        .where(ConnectorTask.request_id == request_id)
        .order_by(ConnectorTask.system_id, ConnectedRows.seq)
    ).all()
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for system_id, task_id, seq, blob in found:
        aad = _aad(task_id, seq)
        chunk = (
            keys.decrypt_system(blob, aad)
            if data_key is None
            else keys.decrypt_json(data_key, blob, aad)
        )
        collections = out.setdefault(system_id, {})
        for item in chunk:
            collections.setdefault(item["collection"], []).append(
                {"key": item["key"], "data": item["data"]}
            )
    return out


def drop_rows(session: Session, request_id: str) -> None:
    """Once the package holds them, the rows are not kept a second time."""
    tasks = select(ConnectorTask.id).where(ConnectorTask.request_id == request_id)
    session.execute(delete(ConnectedRows).where(ConnectedRows.task_id.in_(tasks)))


__all__ = ["CHUNK_ROWS", "drop_rows", "rows_of_request", "seal_rows", "store_chunks"]
