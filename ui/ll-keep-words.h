/* ll-keep-words.h: Korean words are not broken across lines. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* From now on every GtkLabel keeps each run of Hangul together when it
 * wraps (Pango, following UAX #14, may break between any two syllables,
 * which cuts Korean words in half).  Idempotent; call on the main thread. */
void ll_keep_words_install (void);

/* The same for one label now (the hook calls it when a label changes). */
void ll_keep_words_apply (GtkLabel *label);

G_END_DECLS
