"""
Bandwidth's Numbers API without Airflow: calls as data (:mod:`.endpoints`, :mod:`.calls`), the answers' models,
safe XML, errors, the retry decision, OAuth2 tokens and connection settings. Nothing here imports Airflow (a
test walks the AST and fails on one), so the client can be read, tested and reused on its own.
"""
