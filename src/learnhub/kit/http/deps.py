"""Dependencies every service's endpoints use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from learnhub.kit.cache import Cache
from learnhub.kit.db import Database
from learnhub.kit.errors import AppError
from learnhub.kit.runtime import ServiceRuntime


async def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: it commits when the endpoint returns and rolls back if it
    raises (unless the error asks to keep its changes).

    A session that never touched the database (a read answered from the cache) costs only
    its creation: there is nothing to commit or close, so neither is done.
    """
    runtime: ServiceRuntime = request.app.state.runtime
    session = runtime.db.sessionmaker()
    try:
        yield session
    except AppError as error:
        if error.keep_changes:
            await session.commit()
        else:
            await session.rollback()
        raise
    except BaseException:
        await session.rollback()
        raise
    else:
        if session.in_transaction():
            await session.commit()
    finally:
        if session.in_transaction():
            await session.close()


async def get_database(request: Request) -> Database:
    """The service's database, for reads that open a session only when they need one (a
    read answered from the cache opens none)."""
    db: Database = request.app.state.runtime.db
    return db


async def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.runtime.cache
    return cache


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
CacheDep = Annotated[Cache, Depends(get_cache)]
DatabaseDep = Annotated[Database, Depends(get_database)]


async def client_address(request: Request) -> str | None:
    """The caller's address. ``X-Forwarded-For`` counts only when the peer is a trusted
    proxy (the gateway, or the web UI calling on a browser's behalf), and then its
    right-most untrusted entry wins, so a client cannot make one up."""
    if request.client is None:
        return None
    peer = request.client.host
    trusted = set(request.app.state.runtime.settings.trusted_proxies)
    forwarded = request.headers.get("x-forwarded-for")
    if peer not in trusted or not forwarded:
        return peer
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if hop not in trusted:
            return hop
    return peer


ClientAddress = Annotated[str | None, Depends(client_address)]
