#!/usr/bin/env bash
# Brings the translations up to date with the sources, for the lead after a
# merge or a translator before work:
#   tools/update-po.sh            remake po/layerlab.pot, merge it into every
#                                 po/LANG.po, print what is left to do
#   tools/update-po.sh --check    the same checks the test suite runs
# The .pot is made with the same xgettext options as `ninja layerlab-pot`
# (tools/check-i18n.py).  New messages come in untranslated (no fuzzy
# guesses: --no-fuzzy-matching), so `meson test --suite data` fails until
# they are translated.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 tools/i18n-lint.py
python3 tools/check-i18n.py potfiles
python3 tools/check-i18n.py ui
if [ "${1:-}" = "--check" ]; then
  exec python3 tools/check-i18n.py po
fi

python3 - <<'PY'
import importlib.util
spec = importlib.util.spec_from_file_location('c', 'tools/check-i18n.py')
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
m.make_pot('po/layerlab.pot')
PY
for lang in $(cat po/LINGUAS); do
  msgmerge --quiet --update --backup=none --no-fuzzy-matching --previous po/$lang.po po/layerlab.pot
  msgattrib --no-obsolete --output-file=po/$lang.po po/$lang.po
  printf 'po/%s.po: ' "$lang"
  msgfmt --check --statistics --output-file=/dev/null po/$lang.po
  n=$(msgattrib --untranslated po/$lang.po | grep -c '^msgid ' || true)
  if [ "$n" -gt 1 ]; then
    echo "  to translate: msgattrib --untranslated po/$lang.po (glossary: po/README.md)"
  fi
done
