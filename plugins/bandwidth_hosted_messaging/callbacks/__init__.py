"""
Bandwidth's callbacks on the API server: the receiver app (:mod:`.receiver`), reading the notifications
(:mod:`.notifications`) and recording them once as asset events (:mod:`.recording`).
"""
