#!/usr/bin/env python3
"""Checks that keep Layerlab translatable (run by `meson test --suite data`).

  tools/check-i18n.py potfiles      po/POTFILES.in lists exactly the files
                                    with marked strings, and xgettext finds
                                    a string in each of them
  tools/check-i18n.py ui            every text property in a .ui file is
                                    translatable="yes" (or says why not)
  tools/check-i18n.py po LANG...    after msgmerge against the current
                                    sources, po/LANG.po has no untranslated
                                    and no fuzzy message and passes
                                    msgfmt --check (prints --statistics)

The C lint (literals given to setters without _()) is tools/i18n-lint.py.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIRS = ('app', 'core', 'engine', 'ui', 'resources')
MARK_C = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dpgettext2)\s*\(')
MARK_UI = re.compile(r'translatable="yes"')
# Keep in step with po/meson.build (the glib preset) so that the test sees
# what `ninja layerlab-pot` sees.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments=Translators', '--keyword=_', '--keyword=N_',
    '--keyword=C_:1c,2', '--keyword=NC_:1c,2', '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format',
    '--flag=g_printf:1:c-format', '--flag=g_fprintf:2:c-format',
    '--flag=g_sprintf:2:c-format', '--flag=g_snprintf:3:c-format',
]


def potfiles():
    with open(os.path.join(ROOT, 'po', 'POTFILES.in')) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith('#')]


def marked_files():
    found = set()
    for d in SOURCE_DIRS:
        for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
            for name in names:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                if name.endswith('.c'):
                    text = open(path, encoding='utf-8').read()
                    # a comment that shows _() is no use of it
                    text = re.sub(r'/\*.*?\*/|//[^\n]*', '', text, flags=re.S)
                    if MARK_C.search(text):
                        found.add(rel)
                elif name.endswith('.ui'):
                    if MARK_UI.search(open(path, encoding='utf-8').read()):
                        found.add(rel)
                elif name.endswith(('.desktop.in', '.metainfo.xml.in', '.gschema.xml')):
                    found.add(rel)
    return found


def make_pot(out):
    subprocess.run(['xgettext', '--directory', ROOT, '--output', out,
                    '--files-from', os.path.join(ROOT, 'po', 'POTFILES.in'),
                    '--package-name=layerlab'] + XGETTEXT_ARGS, check=True)


def check_potfiles():
    listed = potfiles()
    problems = []
    if listed != sorted(listed, key=lambda p: (p.count('/') < 0, p)) and listed != sorted(listed):
        pass  # the order is the lead's business; only completeness fails
    for rel in listed:
        if not os.path.exists(os.path.join(ROOT, rel)):
            problems.append(f'po/POTFILES.in lists {rel}, which does not exist: remove the line')
    marked = marked_files()
    for rel in sorted(marked - set(listed)):
        problems.append(f'{rel} has translatable strings but is not in po/POTFILES.in: add it (sorted)')
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'layerlab.pot')
        make_pot(pot)
        text = open(pot, encoding='utf-8').read()
        referenced = set(re.findall(r'^#: (.*)$', text, flags=re.M))
        refs = set()
        for line in referenced:
            for ref in line.split():
                refs.add(ref.rsplit(':', 1)[0])
        for rel in sorted(marked):
            if rel in listed and rel not in refs:
                problems.append(f'{rel} marks strings, but xgettext found none in it: '
                                'check the markers (a macro inside _() is not read)')
        n = len(re.findall(r'^msgid ', text, flags=re.M)) - 1
    for p in problems:
        print(p)
    print(f'{len(listed)} files in po/POTFILES.in, {n} messages')
    return 1 if problems else 0


TEXT_PROPS = ('label', 'title', 'subtitle', 'tooltip-text', 'tooltip-markup', 'description',
              'placeholder-text', 'text', 'secondary-text', 'heading', 'body', 'button-label')


def check_ui():
    problems = []
    for dirpath, _, names in os.walk(os.path.join(ROOT, 'resources')):
        for name in names:
            if not name.endswith('.ui'):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, ROOT)
            for n, line in enumerate(open(path, encoding='utf-8'), 1):
                for m in re.finditer(r'<(property|attribute) name="([a-z-]+)"([^>]*)>([^<]*)<', line):
                    kind, prop, attrs, value = m.groups()
                    if prop not in TEXT_PROPS or not re.search(r'[A-Za-z]{2}', value):
                        continue
                    if 'translatable=' not in attrs:
                        problems.append(f'{rel}:{n}: {prop} "{value}" is not marked translatable="yes" '
                                        '(translatable="no" if it is a name)')
                for m in re.finditer(r'<item( [^>]*)?>([^<]*[A-Za-z]{2}[^<]*)</item>', line):
                    if 'translatable=' not in (m.group(1) or ''):
                        problems.append(f'{rel}:{n}: item "{m.group(2)}" is not translatable="yes"')
    for p in problems:
        print(p)
    return 1 if problems else 0


def check_po(langs):
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'layerlab.pot')
        make_pot(pot)
        for lang in langs:
            merged = os.path.join(tmp, lang + '.po')
            subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '--output-file', merged,
                            os.path.join(ROOT, 'po', lang + '.po'), pot], check=True)
            r = subprocess.run(['msgfmt', '--check', '--statistics', '--output-file', os.devnull, merged],
                               capture_output=True, text=True, env=dict(os.environ, LC_ALL='C'))
            stats = (r.stdout + r.stderr).strip()
            print(f'po/{lang}.po: {stats}')
            if r.returncode != 0:
                bad += 1
                continue
            untranslated = subprocess.run(['msgattrib', '--untranslated', '--no-obsolete', merged],
                                          capture_output=True, text=True, check=True).stdout
            fuzzy = subprocess.run(['msgattrib', '--only-fuzzy', '--no-obsolete', merged],
                                   capture_output=True, text=True, check=True).stdout
            for what, out in (('untranslated', untranslated), ('fuzzy', fuzzy)):
                ids = re.findall(r'^msgid "(.+)"$', out, flags=re.M)
                if ids:
                    bad += 1
                    print(f'po/{lang}.po: {len(ids)} {what} messages; run tools/update-po.sh and '
                          'translate them. The first ones:')
                    for i in ids[:10]:
                        print('   ', i)
            if re.search(r'untranslated|fuzzy', stats):
                bad += 1
    return 1 if bad else 0


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cmd = sys.argv[1]
    if cmd == 'potfiles':
        return check_potfiles()
    if cmd == 'ui':
        return check_ui()
    if cmd == 'po':
        langs = sys.argv[2:] or open(os.path.join(ROOT, 'po', 'LINGUAS')).read().split()
        return check_po(langs)
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
