"""Open Badges 3.0 credentials: keys, canonical JSON-LD, proofs, status lists, baking, verification.

Plain Python with no Flask imports, so the issuing code, the verification page
and the tests all call the same functions.
"""
