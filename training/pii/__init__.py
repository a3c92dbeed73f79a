"""A generator of varied, labelled PII transcripts, held apart into train and test splits.

``python -m training.pii.generate --split train --count 4000 --seed 1 --out train.jsonl``
"""
