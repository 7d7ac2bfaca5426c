"""The kernel: errors, settings, load contract, JSON page readers, progress events.

It imports nothing of ours.
"""
