"""
The inventory's Alembic migrations, run programmatically (:func:`..database.upgrade`; no ``alembic.ini``): ``env.py``
applies ``versions/`` on the connection it is given, with the version table ``bandwidth_inventory_version``.

A new revision: a new file in ``versions/`` (``script.py.mako`` is its template) with the next ``revision`` and
``down_revision`` set to the previous one, and the same change in :mod:`..schema` (a test checks that the
migrated database and the schema module agree, on SQLite and PostgreSQL).
"""
