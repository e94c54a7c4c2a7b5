"""Everything bcplint asks of git, behind one way of running it.

Git is run as a subprocess (``git`` on PATH), read-only, with the plumbing commands whose
output formats git documents as stable (``ls-files -z``, ``ls-tree -z``, ``cat-file --batch``,
``log -z``). No work tree, index or ref is ever changed, and no optional lock is taken
(``GIT_OPTIONAL_LOCKS=0``), so a run inside ``git commit`` cannot disturb the commit.

- :mod:`bcplint.git.runner`: running git, the environment git gives hooks, the repository root.
- :mod:`bcplint.git.trees`: the files of the work tree, the index or a commit, and their blobs.
- :mod:`bcplint.git.history`: merge bases, what changed, and when each file last changed.
"""
