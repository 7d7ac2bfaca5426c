"""The ``rotation`` command: run, demo, serve, the emulator, and the analyst commands on top."""
