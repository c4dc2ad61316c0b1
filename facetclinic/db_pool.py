"""Callbacks for psycopg's connection pool (settings.py, DATABASES OPTIONS["pool"]).

psycopg's pool, left to itself, recovers slowly from an outage: it pauses between connection attempts, and
between checks of pooled connections, doubling the pause each time (1, 2, 4, 8 s ...). Measured with
bench/faults.py and tests/test_database_outage.py: a request waited 7 s after an 8 s outage had ended, and
with five dead connections in a pool (it grows during each outage) a request failed after 10 s although
PostgreSQL was up. These two callbacks make it reconnect at once.
"""


def check_connection(conn) -> None:
    """The pool's ``check`` of a connection before handing it out. One dead connection means the others in
    the pool most likely died with it (a restart, or our connections ended): check them all now, instead
    of one per pause."""
    from psycopg_pool import ConnectionPool

    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        pool = getattr(conn, "_pool", None)  # psycopg_pool sets it while handing the connection out
        if pool is not None and not pool.closed:
            pool.check()  # drops the dead ones, each replaced by a new connection at once
        raise


def reconnect_at_once(pool) -> None:
    """The pool's ``reconnect_failed``: an attempt to reconnect gave up (after ``reconnect_timeout``);
    ``check()`` lets the pool grow again, with a new attempt straight away instead of a longer pause."""
    if not pool.closed:
        pool.check()
