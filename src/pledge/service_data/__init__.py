"""Processor mode: collect only what each Client instructed, redact the rest."""
