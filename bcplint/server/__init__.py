"""``bcplint server``: a language server, so editors show bcplint's findings while people type.

Needs the optional ``server`` extra (``pip install 'bcplint[server]'``: pygls and lsprotocol).
Nothing here is imported by ``bcplint check``. Modules, one job each:

- :mod:`~bcplint.server.app`: the LSP features wired to the rest (pygls);
- :mod:`~bcplint.server.session`: when to lint, on which thread, and what to publish;
- :mod:`~bcplint.server.lint`: one workspace linted with the open buffers overlaid;
- :mod:`~bcplint.server.cache`: parsed files kept between runs while unchanged on disk;
- :mod:`~bcplint.server.diagnostics`: findings as LSP diagnostics;
- :mod:`~bcplint.server.navigation`: references under the cursor, definitions, reference hovers;
- :mod:`~bcplint.server.explain`: rule hovers;
- :mod:`~bcplint.server.suppress`: the quick fix that writes an inline suppression;
- :mod:`~bcplint.server.text`: lines, columns and tokens, as YAML and LSP count them.
"""
