"""
What the runs leave behind: the per-number rows (:mod:`.rows`, :mod:`.health`), their rendering written once
(:mod:`.render`), where report files live (:mod:`.storage`), and the ledger of hosted numbers (:mod:`.ledger`: the
folding rules the inventory applies, and the file folding its backfill reads).
"""
