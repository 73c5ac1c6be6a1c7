#!/usr/bin/env python3
"""Find user-visible string literals in Layerlab's C sources that are not
passed through gettext.

  tools/i18n-lint.py [FILE...]          lint: literals given to a label,
                                        title, tooltip, status or error
                                        setter without _() (exit 1 if any)
  tools/i18n-lint.py --all [FILE...]    list every unmarked literal that
                                        looks like words, for review
  tools/i18n-lint.py --wrap FILE:LINE:COL[:N_] ...
                                        wrap the literal there in _() (N_()
                                        with :N_), adjacent literals included

Without FILEs it reads the C files of po/POTFILES.in plus every .c under
app/, core/, engine/ and ui/.  A literal that is English on purpose (a
command name, a JSON key, generated code) either sits in a call that is not
a setter, or carries the comment /* no-i18n */ on its line.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Calls whose listed argument (0-based; -1 = any) is shown to the user.
SETTERS = {
    'gtk_label_new': 0, 'gtk_label_set_text': 1, 'gtk_label_set_label': 1,
    'gtk_label_set_markup': 1, 'gtk_label_new_with_mnemonic': 0,
    'gtk_label_set_text_with_mnemonic': 1, 'gtk_label_set_markup_with_mnemonic': 1,
    'gtk_button_new_with_label': 0, 'gtk_button_new_with_mnemonic': 0,
    'gtk_button_set_label': 1, 'gtk_check_button_new_with_label': 0,
    'gtk_check_button_new_with_mnemonic': 0, 'gtk_check_button_set_label': 1,
    'gtk_toggle_button_new_with_label': 0, 'gtk_toggle_button_new_with_mnemonic': 0,
    'gtk_menu_button_set_label': 1, 'gtk_frame_new': 0, 'gtk_frame_set_label': 1,
    'gtk_widget_set_tooltip_text': 1, 'gtk_widget_set_tooltip_markup': 1,
    'gtk_window_set_title': 1, 'gtk_progress_bar_set_text': 1,
    'gtk_entry_set_placeholder_text': 1, 'gtk_text_set_placeholder_text': 1,
    'gtk_editable_set_text': -2,
    'gtk_file_chooser_native_new': -1, 'gtk_file_dialog_set_title': 1,
    'gtk_file_filter_set_name': 1, 'gtk_stack_add_titled': 3,
    'gtk_stack_page_set_title': 1, 'gtk_notebook_set_tab_label_text': 2,
    'gtk_message_dialog_new': 4, 'gtk_expander_new': 0, 'gtk_expander_set_label': 1,
    'gtk_info_bar_add_button': 1, 'gtk_dialog_add_button': 1,
    'gtk_string_list_append': 1, 'gtk_column_view_column_new': 0,
    'gtk_column_view_column_set_title': 1,
    'adw_window_title_set_title': 1, 'adw_window_title_set_subtitle': 1,
    'adw_preferences_row_set_title': 1, 'adw_preferences_group_set_title': 1,
    'adw_preferences_group_set_description': 1, 'adw_preferences_page_set_title': 1,
    'adw_action_row_set_subtitle': 1, 'adw_expander_row_set_subtitle': 1,
    'adw_status_page_set_title': 1, 'adw_status_page_set_description': 1,
    'adw_toast_new': 0, 'adw_toast_new_format': 0, 'adw_toast_set_title': 1,
    'adw_toast_set_button_label': 1, 'adw_message_dialog_new': 1,
    'adw_message_dialog_set_heading': 1, 'adw_message_dialog_set_body': 1,
    'adw_message_dialog_add_response': 2, 'adw_message_dialog_add_responses': -2, 'adw_message_dialog_format_body': 1,
    'adw_message_dialog_format_heading': 1, 'adw_view_stack_add_titled': 3,
    'adw_view_stack_page_set_title': 1, 'adw_banner_set_title': 1,
    'adw_split_button_set_label': 1, 'adw_button_content_set_label': 1,
    'adw_tab_page_set_title': 1,
    'g_set_error': 3, 'g_set_error_literal': 3, 'g_error_new': 2,
    'g_error_new_literal': 2, 'g_prefix_error': 1, 'g_prefix_error_literal': 1,
    'g_propagate_prefixed_error': 2, 'g_task_return_new_error': 3,
    'g_simple_async_report_error_in_idle': 5,
    'll_set_error': -1, 'll_cli_error': -1, 'll_cli_print': -1,
    'g_print': 0, 'g_printerr': 0,
    'gtk_accessible_update_property': -2,
    'g_option_context_new': 0, 'g_option_context_set_summary': 1,
    'g_option_context_set_description': 1, 'g_application_set_option_context_summary': 1,
    'g_application_set_option_context_description': 1,
    'g_application_set_option_context_parameter_string': 1,
}
MARKERS = {'_', 'N_', 'C_', 'NC_', 'Q_', 'ngettext', 'g_dngettext', 'dngettext',
           'gettext', 'dgettext', 'g_dgettext', 'g_dpgettext2', 'pgettext', 'P_'}
# Calls whose literals are never shown: names, keys, paths, developer text.
QUIET = re.compile(r'^(g_signal_|g_object_|g_param_spec|gtk_widget_class_|g_action|'
                   r'g_simple_action|g_settings_|g_getenv|g_setenv|g_str_|g_strcmp0|g_strsplit|g_strjoin|g_strv|g_strstr|strcmp|strncmp|'
                   r'strstr|json_|ll_json_|g_debug|g_info|g_warning|g_critical|g_error$|'
                   r'g_message|g_return|g_assert|g_test_|g_hash_table_|g_key_file_|'
                   r'g_file_|g_build_|g_resources?_|g_type_|g_variant_|gtk_builder_|'
                   r'G_DEFINE|G_|g_log|gtk_widget_add_css_class|gtk_widget_remove_css_class|'
                   r'gtk_widget_has_css_class|gtk_widget_action_|gtk_widget_activate_action|'
                   r'gtk_application_|g_application_|gtk_widget_set_name|gtk_css_|'
                   r'gtk_widget_insert_action_group|gtk_actionable_|g_menu_item_new|'
                   r'g_action_map|gtk_icon_|gtk_image_|g_themed_icon|gdk_|cairo_|'
                   r'gtk_widget_set_css_classes|g_quark|g_ascii_|fprintf|printf$|'
                   r'g_spawn|g_subprocess|g_option_|g_content_type|g_uri|g_regex|'
                   r'g_date_time_format|strftime|sscanf|g_ascii_dtostr|g_ascii_formatd|'
                   r'll_test_|ll_arch_|ll_layer_info_find|ll_optimizer_|ll_loss_|'
                   r'll_activation_|g_main_|g_source_|g_dir_|g_mkdir|g_rename|g_unlink|'
                   r'g_file_test|g_open|fopen|g_fopen|g_mapped_|g_io_|g_output_|'
                   r'g_input_|g_data_|g_mutex|g_thread|g_cond|g_once|g_private|'
                   r'g_clear|g_free|gtk_style_context|gtk_widget_get_template|'
                   r'gtk_accessible_|g_bytes|g_checksum|g_compute|g_base64|g_utf8|'
                   r'g_locale|setlocale|bindtextdomain|textdomain|bind_textdomain)')

NO_I18N = '/* no-i18n */'


def tokens(text):
    """Yield (kind, value, offset): 'str' (value = the literal with its
    quotes), 'id', 'punct'."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in ' \t\r\n':
            i += 1
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            i = n if j < 0 else j + 2
        elif c == '#' and (i == 0 or text[text.rfind('\n', 0, i) + 1:i].strip() == ''):
            # a preprocessor line (with continuations)
            j = i
            while True:
                k = text.find('\n', j)
                if k < 0:
                    i = n
                    break
                if text[k - 1] == '\\':
                    j = k + 1
                    continue
                # keep #define bodies out; #include "x" is no string either
                i = k
                break
        elif c == '"' or (c in 'LuU' and i + 1 < n and text[i + 1] == '"'):
            j = i + (1 if c == '"' else 2)
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            yield 'str', text[i:j + 1], i
            i = j + 1
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == '\\' else 1
            i = j + 1
        elif c.isalpha() or c == '_':
            j = i
            while j < n and (text[j].isalnum() or text[j] == '_'):
                j += 1
            yield 'id', text[i:j], i
            i = j
        elif c.isdigit():
            j = i
            while j < n and (text[j].isalnum() or text[j] in '._'):
                j += 1
            i = j
        else:
            two = text[i:i + 2]
            if two in ('->', '==', '!=', '<=', '>=', '&&', '||', '++', '--'):
                yield 'punct', two, i
                i += 2
            else:
                yield 'punct', c, i
                i += 1


def literals(text):
    """Yield dicts for each group of adjacent literals: start, end offsets,
    the innermost call's name and argument index, whether it is marked,
    whether it initialises a field/array (static data), and its text."""
    toks = list(tokens(text))
    stack = []  # frames: [kind, name, argidx, marked]
    k = 0
    out = []
    while k < len(toks):
        kind, val, off = toks[k]
        if kind == 'punct' and val == '(':
            name = toks[k - 1][1] if k > 0 and toks[k - 1][0] == 'id' else ''
            stack.append(['(', name, 0])
        elif kind == 'punct' and val == '{':
            # a function body ({ after ')'), or data
            body = k > 0 and toks[k - 1][1] == ')' or any(f[1] == 'body' for f in stack)
            stack.append(['{', 'body' if body else '', 0])
        elif kind == 'punct' and val in ')}':
            if stack:
                stack.pop()
        elif kind == 'punct' and val == ',':
            if stack:
                stack[-1][2] += 1
        elif kind == 'punct' and val == ';':
            pass
        elif kind == 'str':
            start = off
            parts = [val]
            end = off + len(val)
            j = k + 1
            # adjacent literals, also across format macros (G_GUINT64_FORMAT)
            while j < len(toks):
                if toks[j][0] == 'str':
                    parts.append(toks[j][1])
                    end = toks[j][2] + len(toks[j][1])
                    j += 1
                elif toks[j][0] == 'id' and re.match(r'^(G_\w*FORMAT\w*|PRI\w+)$', toks[j][1]):
                    parts.append(toks[j][1])
                    end = toks[j][2] + len(toks[j][1])
                    j += 1
                else:
                    break
            frame = stack[-1] if stack else None
            call = frame[1] if frame and frame[0] == '(' else ''
            arg = frame[2] if frame else 0
            marked = any(f[0] == '(' and f[1] in MARKERS for f in stack)
            frames_named = [f[1] for f in stack if f[0] == '(']
            prev = toks[k - 1][1] if k > 0 else ''
            out.append(dict(start=start, end=end, call=call, arg=arg, marked=marked,
                            frames=[f[1] for f in stack if f[0] == '('],
                            prev=prev, parts=parts, in_brace=bool(frame and frame[0] == '{'),
                            static=not any(f[1] == 'body' for f in stack)))
            k = j
            continue
        k += 1
    return out


def literal_text(parts):
    s = ''
    for p in parts:
        if p.startswith('"'):
            s += p[1:-1]
        else:
            s += '%<' + p + '>'
    return s


def wordy(s):
    """Looks like words for a person: two letters in a row, and either a
    space, a capital start or sentence punctuation; not a path, key,
    identifier or format-only string."""
    s2 = re.sub(r'%[-+ #0-9.*]*[lhzjt]*[a-zA-Z%]|%<\w+>|\\[nt"]', ' ', s)
    if not re.search(r'[A-Za-z]{2}', s2):
        return False
    if re.fullmatch(r'[A-Z]?[a-z]*_[A-Za-z][a-z]*', s2.strip()) and re.search(r'[A-Z]', s2):
        return True  # a mnemonic: _Save
    if re.fullmatch(r'[\w.:/\-+]*', s2.strip()) and not re.match(r'^[A-Z][a-z]+$', s2.strip()):
        return False  # an identifier, key, path or action name
    if re.fullmatch(r'\s*[a-z_]+\s*', s2):
        return False
    return True


def c_files(args):
    if args:
        return args
    files = set()
    with open(os.path.join(ROOT, 'po', 'POTFILES.in')) as f:
        for line in f:
            line = line.strip()
            if line.endswith('.c') and not line.startswith('#'):
                files.add(line)
    for d in ('app', 'core', 'engine', 'ui'):
        for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
            for name in names:
                if name.endswith('.c'):
                    files.add(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return sorted(files)


def line_col(text, off):
    line = text.count('\n', 0, off) + 1
    col = off - (text.rfind('\n', 0, off) + 1) + 1
    return line, col


def lint(files, show_all):
    bad = 0
    for rel in files:
        path = os.path.join(ROOT, rel)
        if not os.path.exists(path):
            continue
        text = open(path, encoding='utf-8').read()
        lines = text.split('\n')
        for lit in literals(text):
            if lit['marked']:
                continue
            s = literal_text(lit['parts'])
            line, col = line_col(text, lit['start'])
            if NO_I18N in lines[line - 1] or (line >= 2 and NO_I18N in lines[line - 2]):
                continue
            call, arg = lit['call'], lit['arg']
            want = SETTERS.get(call)
            flagged = False
            if want is not None and wordy(s):
                if want == -1 or want == arg or (want == -2 and arg >= 1):
                    flagged = True
            if flagged:
                bad += 1
                print(f'{rel}:{line}:{col}: {call}() is given "{s}" without _()')
            elif show_all and wordy(s) and not any(QUIET.match(f) for f in lit['frames'] if f):
                where = f'{call}#{arg}' if call else ('{static}' if lit['static'] else '{code}')
                print(f'{rel}:{line}:{col}: [{where}] "{s}"')
    return bad


def wrap(specs):
    by_file = {}
    for spec in specs:
        parts = spec.split(':')
        rel, line, col = parts[0], int(parts[1]), int(parts[2])
        macro = parts[3] if len(parts) > 3 else '_'
        by_file.setdefault(rel, []).append((line, col, macro))
    for rel, items in by_file.items():
        path = os.path.join(ROOT, rel)
        text = open(path, encoding='utf-8').read()
        lits = {line_col(text, l['start']): l for l in literals(text)}
        edits = []
        for line, col, macro in items:
            lit = lits.get((line, col))
            if lit is None:
                print(f'{rel}:{line}:{col}: no literal starts here', file=sys.stderr)
                continue
            if lit['marked']:
                continue
            edits.append((lit['start'], lit['end'], macro))
        for start, end, macro in sorted(edits, reverse=True):
            text = text[:start] + macro + '(' + portable(text[start:end]) + ')' + text[end:]
        if 'PRI' in text and '<inttypes.h>' not in text:
            text = re.sub(r'(#include <glib[^\n]*\n)', r'\1#include <inttypes.h>\n', text, count=1)
        open(path, 'w', encoding='utf-8').write(text)


def portable(src):
    """xgettext and msgfmt know <inttypes.h>'s PRI macros, not GLib's
    format macros: %zu for a gsize, PRIu64/PRId64 for 64-bit integers."""
    src = re.sub(r'"\s*G_GSIZE_FORMAT\s*"', 'zu', src)
    src = re.sub(r'"\s*G_GSIZE_FORMAT\b', 'zu"', src)
    src = src.replace('G_GUINT64_FORMAT', 'PRIu64').replace('G_GINT64_FORMAT', 'PRId64')
    return src


def main():
    args = sys.argv[1:]
    if args and args[0] == '--wrap':
        wrap(args[1:])
        return 0
    show_all = False
    if args and args[0] == '--all':
        show_all = True
        args = args[1:]
    bad = lint(c_files(args), show_all)
    if bad and not show_all:
        print(f'{bad} user-visible literal(s) without _(): wrap them, or add {NO_I18N} '
              'when the text is English on purpose (po/README.md).', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
