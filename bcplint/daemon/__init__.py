"""The daemon: a long-lived process that serves ``bcplint check --daemon`` runs.

- :mod:`~bcplint.daemon.address`: where this installation's daemon listens, named by a
  fingerprint of its code, so a client only talks to a daemon running what it would run;
- :mod:`~bcplint.daemon.wire`: the messages, one JSON frame each way;
- :mod:`~bcplint.daemon.client`: hand a run over, or start a daemon for the next one;
- :mod:`~bcplint.daemon.server`: serve runs in the client's place, keeping parsed files in
  memory between them (:mod:`bcplint.load.memory`).

This package and the client import nothing heavy; the server loads the command line.
"""
