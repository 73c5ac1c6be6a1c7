/* ll-lesson-panel.c: the lesson panel beside the views: step cards, the
 * setup of each step through the window's and views' actions, the
 * highlighted control, the condition to go on, and the teacher's tools. */
#include "config.h"

#include "ll-lesson-panel.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ll-data-dir.h"
#include "ll-json.h"
#include "ll-lesson-watch.h"
#include "ll-view.h"
#include "ll-views.h"
#include "ll-window.h"

#define BUILTIN_PREFIX "builtin:"

struct _LlLessonPanel
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *title_label;
  GtkMenuButton *menu_button;
  GtkLabel *progress_label;
  GtkProgressBar *steps_bar;
  GtkLabel *step_title;
  GtkStack *text_stack;
  GtkLabel *text_label;
  GtkEntry *title_entry;
  GtkTextView *text_view;
  GtkWidget *wait_box;
  GtkLabel *wait_label;
  GtkProgressBar *train_bar;
  GtkButton *next_button;
  GMenu *builtin_submenu;

  LlDocument *document;
  LlLesson *lesson;
  char *source;                  /* path or builtin:ID, NULL before a save */
  int step;
  LlLessonWatch *watch;          /* the current step's condition, NULL when none */
  GtkWidget *highlighted;        /* weak: the control pulsing */
  GtkWidget *pressed;            /* weak: the button a condition waits for */
  gulong pressed_id;
  GPtrArray *hidden;             /* controls the classroom lock hid (owned refs) */
  gboolean locked;
  gboolean editing;
  int epoch_limit;
  /* A setup waiting for a replacing action (preset, open, new) to finish
   * after the unsaved-changes prompt: the remaining actions. */
  int pending_from;
  gulong pending_id;
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (LlLessonPanel, ll_lesson_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Finding actions and controls --------------------------------------- */

typedef struct {
  GtkWidget *widget;             /* a widget-class action's widget, or NULL */
  GActionGroup *group;           /* win. and app. actions */
  const char *local;             /* the name inside group */
  const GVariantType *type;
} Resolved;

static gboolean
class_action (GtkWidget *widget, const char *name, const GVariantType **type)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (widget);
  const char *n, *property;
  const GVariantType *t;
  GType owner;

  /* GTK 4.8 writes every out-argument: none may be NULL. */
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &n, &t, &property); i++)
    if (g_str_equal (n, name))
      {
        *type = t;
        return TRUE;
      }
  return FALSE;
}

static gboolean
resolve (GtkWidget *window, const char *action, Resolved *out)
{
  const char *dot = strchr (action, '.');

  memset (out, 0, sizeof *out);
  if (dot == NULL || !LL_IS_WINDOW (window))
    return FALSE;
  if (g_str_has_prefix (action, "win.") || g_str_has_prefix (action, "app."))
    {
      GActionGroup *group = action[0] == 'w'
        ? G_ACTION_GROUP (window)
        : G_ACTION_GROUP (gtk_window_get_application (GTK_WINDOW (window)));

      if (group == NULL || !g_action_group_has_action (group, dot + 1))
        return FALSE;
      out->group = group;
      out->local = dot + 1;
      out->type = g_action_group_get_action_parameter_type (group, dot + 1);
      return TRUE;
    }
  if (class_action (window, action, &out->type))
    {
      out->widget = window;
      return TRUE;
    }
  for (guint i = 0; i < ll_n_views; i++)
    {
      GtkWidget *view = ll_window_get_view_widget (LL_WINDOW (window), ll_views[i].name);
      if (view != NULL && class_action (view, action, &out->type))
        {
          out->widget = view;
          return TRUE;
        }
    }
  return FALSE;
}

static GtkWidget *
find_in (GtkWidget *widget, const char *name)
{
  const char *id = GTK_IS_BUILDABLE (widget) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) : NULL;

  if (g_strcmp0 (id, name) == 0 || g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_in (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
ll_lesson_panel_find_control (GtkWidget *window, const char *name)
{
  g_return_val_if_fail (GTK_IS_WIDGET (window), NULL);
  if (name == NULL || *name == '\0' || g_str_has_prefix (name, "Gtk") || g_str_has_prefix (name, "Adw"))
    return NULL;
  return find_in (window, name);
}

gboolean
ll_lesson_panel_activate (GtkWidget *window, const char *action, JsonNode *target, GError **error)
{
  Resolved r;
  g_autoptr(GVariant) param = NULL;
  g_autoptr(GError) local = NULL;

  if (!resolve (window, action, &r))
    {
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                   _("There is no action “%s” in this Layerlab."), action);
      return FALSE;
    }
  param = ll_lesson_target_to_variant (target, r.type, &local);
  if (local != NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_FORMAT, _("The action “%s” %s."), action, local->message);
      return FALSE;
    }
  if (param != NULL)
    g_variant_ref_sink (param);
  if (r.group != NULL)
    g_action_group_activate_action (r.group, r.local, param);
  else
    gtk_widget_activate_action_variant (r.widget, action, param);
  return TRUE;
}

/* Validation --------------------------------------------------------- */

static gboolean
check_control (GtkWidget *window, const char *name, const char *where, const char *what,
               GError **error)
{
  if (ll_lesson_panel_find_control (window, name) != NULL)
    return TRUE;
  g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
               _("%s names the control “%s” to %s, and this Layerlab has none of that name. "
                 "docs/lessons.md lists the names."), where, name, what);
  return FALSE;
}

gboolean
ll_lesson_panel_validate (GtkWidget *window, const LlLesson *lesson, GError **error)
{
  g_return_val_if_fail (LL_IS_WINDOW (window), FALSE);
  g_return_val_if_fail (lesson != NULL, FALSE);

  for (int i = 0; lesson->locked[i] != NULL; i++)
    if (!check_control (window, lesson->locked[i], _("The lesson"), _("lock"), error))
      return FALSE;
  for (guint s = 0; s < lesson->steps->len; s++)
    {
      const LlLessonStep *step = g_ptr_array_index (lesson->steps, s);
      g_autofree char *where = g_strdup_printf (_("Step %u"), s + 1);

      for (guint a = 0; a < step->setup->len; a++)
        {
          const LlLessonAction *act = g_ptr_array_index (step->setup, a);
          Resolved r;
          g_autoptr(GVariant) param = NULL;
          g_autoptr(GError) local = NULL;

          if (!resolve (window, act->name, &r))
            {
              g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                           _("%s runs the action “%s”, which this Layerlab does not have. "
                             "docs/lessons.md lists the actions a lesson can use."),
                           where, act->name);
              return FALSE;
            }
          param = ll_lesson_target_to_variant (act->target, r.type, &local);
          if (param != NULL)
            g_variant_ref_sink (param);
          if (local == NULL && param != NULL)
            ll_window_check_action_target (LL_WINDOW (window), act->name, param, &local);
          if (local != NULL)
            {
              g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("%s: the action “%s” %s"),
                           where, act->name, local->message);
              return FALSE;
            }
        }
      if (step->highlight != NULL
          && !check_control (window, step->highlight, where, _("highlight"), error))
        return FALSE;
      if (step->condition.kind == LL_LESSON_COND_BUTTON_PRESSED)
        {
          GtkWidget *button = ll_lesson_panel_find_control (window, step->condition.control);
          if (!check_control (window, step->condition.control, where, _("wait for"), error))
            return FALSE;
          if (!GTK_IS_BUTTON (button))
            {
              g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                           _("%s waits for “%s” to be pressed, which is not a button."),
                           where, step->condition.control);
              return FALSE;
            }
        }
      if (step->expect.view != NULL && ll_view_info_lookup (step->expect.view) == NULL)
        {
          g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND, _("%s expects the view “%s”, which "
                                                              "this Layerlab does not have."),
                       where, step->expect.view);
          return FALSE;
        }
    }
  return TRUE;
}

/* Highlight, lock and the pressed button ----------------------------- */

static void
clear_highlight (LlLessonPanel *self)
{
  if (self->highlighted != NULL)
    {
      gtk_widget_remove_css_class (self->highlighted, "lesson-highlight");
      g_object_remove_weak_pointer (G_OBJECT (self->highlighted), (gpointer *) &self->highlighted);
      self->highlighted = NULL;
    }
  if (self->pressed != NULL)
    {
      g_signal_handler_disconnect (self->pressed, self->pressed_id);
      g_object_remove_weak_pointer (G_OBJECT (self->pressed), (gpointer *) &self->pressed);
      self->pressed = NULL;
      self->pressed_id = 0;
    }
}

static GtkWidget *
window_of (LlLessonPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  return LL_IS_WINDOW (root) ? GTK_WIDGET (root) : NULL;
}

/* What the lock hides: the form row holding the control, or the control. */
static GtkWidget *
lock_target (GtkWidget *control)
{
  GtkWidget *row = gtk_widget_get_ancestor (control, ADW_TYPE_PREFERENCES_ROW);
  return row != NULL ? row : control;
}

void
ll_lesson_panel_set_locked (LlLessonPanel *self, gboolean locked)
{
  GtkWidget *window = window_of (self);

  g_return_if_fail (LL_IS_LESSON_PANEL (self));

  for (guint i = 0; i < self->hidden->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->hidden, i), TRUE);
  g_ptr_array_set_size (self->hidden, 0);
  self->locked = locked && self->lesson != NULL;
  if (self->locked && window != NULL)
    for (int i = 0; self->lesson->locked[i] != NULL; i++)
      {
        GtkWidget *control = ll_lesson_panel_find_control (window, self->lesson->locked[i]);
        if (control != NULL)
          {
            GtkWidget *target = lock_target (control);
            gtk_widget_set_visible (target, FALSE);
            g_ptr_array_add (self->hidden, g_object_ref (target));
          }
      }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

gboolean
ll_lesson_panel_get_locked (LlLessonPanel *self)
{
  g_return_val_if_fail (LL_IS_LESSON_PANEL (self), FALSE);
  return self->locked;
}

/* Steps -------------------------------------------------------------- */

static LlLessonStep *
current (LlLessonPanel *self)
{
  if (self->lesson == NULL || self->step < 0 || self->step >= (int) self->lesson->steps->len)
    return NULL;
  return g_ptr_array_index (self->lesson->steps, self->step);
}

static char *
wait_text (const LlLessonCondition *c)
{
  static const char *const metrics[] = {
    N_("the training loss"), N_("the training accuracy"), N_("the validation loss"),
    N_("the validation accuracy"), N_("the test loss"), N_("the test accuracy"),
  };

  switch (c->kind)
    {
    case LL_LESSON_COND_TRAINING_STARTED: return g_strdup (_("Waiting for training to start."));
    case LL_LESSON_COND_TRAINING_FINISHED: return g_strdup (_("Waiting for the training run to finish."));
    case LL_LESSON_COND_METRIC:
      /* "Waiting for the test accuracy to go above 0.85." */
      return g_strdup_printf (c->below ? _("Waiting for %s to go below %g.") : _("Waiting for %s to go above %g."),
                              _(metrics[c->metric]), c->value);
    case LL_LESSON_COND_DIGIT_DRAWN: return g_strdup (_("Waiting for a digit to be drawn."));
    case LL_LESSON_COND_UNIT_CLICKED: return g_strdup (_("Waiting for a unit to be clicked."));
    case LL_LESSON_COND_BUTTON_PRESSED: return g_strdup (_("Waiting for the highlighted button."));
    default: return g_strdup ("");
    }
}

static void
update_buttons (LlLessonPanel *self)
{
  int n = self->lesson != NULL ? (int) self->lesson->steps->len : 0;
  gboolean ready = ll_lesson_panel_get_ready (self);
  gboolean last = self->step >= n - 1;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.back", self->lesson != NULL && self->step > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.next", self->lesson != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.remove-step", self->lesson != NULL && n > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.save", self->lesson != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.edit", self->lesson != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.choose-locked", self->lesson != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.lock", self->lesson != NULL);
  gtk_button_set_label (self->next_button, last ? _("_Finish") : ready ? _("_Next") : _("_Skip"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->next_button),
                               last ? _("End the lesson")
                               : ready ? _("The next step")
                               : _("Go on without waiting (the teacher's choice)"));
  if (ready)
    gtk_widget_add_css_class (GTK_WIDGET (self->next_button), "suggested-action");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->next_button), "suggested-action");
}

static void
on_watch_met (LlLessonWatch *watch, LlLessonPanel *self)
{
  gtk_label_set_text (self->wait_label, _("Done: go on with Next."));
  update_buttons (self);
}

static void
on_watch_progress (LlLessonWatch *watch, double fraction, LlLessonPanel *self)
{
  const char *status = ll_lesson_watch_get_status (watch);

  gtk_progress_bar_set_fraction (self->train_bar, CLAMP (fraction, 0, 1));
  gtk_progress_bar_set_text (self->train_bar, status != NULL ? status : "");
}

static void
on_pressed (GtkButton *button, LlLessonPanel *self)
{
  if (self->watch != NULL)
    ll_lesson_watch_satisfy (self->watch);
}

static void
save_position (LlLessonPanel *self)
{
  if (self->settings == NULL)
    return;
  g_settings_set_string (self->settings, "lesson",
                         self->lesson != NULL && self->source != NULL ? self->source : "");
  g_settings_set_int (self->settings, "lesson-step", self->step);
}

static void show_step (LlLessonPanel *self);

static void
text_for_edit (LlLessonPanel *self)
{
  LlLessonStep *step = current (self);
  const char *title = step != NULL ? ll_lesson_text_pick (step->title, NULL) : NULL;
  const char *text = step != NULL ? ll_lesson_text_pick (step->text, NULL) : NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->title_entry), title != NULL ? title : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text != NULL ? text : "", -1);
}

/* The user's own language code: "ko" of ko_KR.UTF-8 (the first of the
 * user's languages); "en" for C. */
static char *
user_language (void)
{
  const char *first = g_get_language_names ()[0];

  if (first == NULL || g_str_equal (first, "C") || g_str_equal (first, "POSIX"))
    return g_strdup ("en");
  return g_strndup (first, strcspn (first, "_.@"));
}

static void
keep_edit (LlLessonPanel *self)
{
  LlLessonStep *step = current (self);
  g_autofree char *lang = user_language ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  const char *title = gtk_editable_get_text (GTK_EDITABLE (self->title_entry));

  if (step == NULL)
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  ll_lesson_text_set (step->text, lang, text);
  /* English is every text's fallback: a teacher writing in Korean fills
   * it too until someone translates. */
  if (g_hash_table_lookup (step->text, "en") == NULL)
    ll_lesson_text_set (step->text, "en", text);
  if (*title != '\0')
    {
      if (step->title == NULL)
        step->title = ll_lesson_text_new ();
      ll_lesson_text_set (step->title, lang, title);
      if (g_hash_table_lookup (step->title, "en") == NULL)
        ll_lesson_text_set (step->title, "en", title);
    }
}

static void
set_editing (LlLessonPanel *self, gboolean editing)
{
  if (self->editing && !editing)
    keep_edit (self);
  self->editing = editing && current (self) != NULL;
  if (self->editing)
    text_for_edit (self);
  gtk_stack_set_visible_child_name (self->text_stack, self->editing ? "edit" : "show");
  if (!self->editing)
    show_step (self);
}

static void
show_step (LlLessonPanel *self)
{
  LlLessonStep *step = current (self);
  GtkWidget *window = window_of (self);
  int n = self->lesson != NULL ? (int) self->lesson->steps->len : 0;
  g_autofree char *progress = NULL;
  const char *title;

  clear_highlight (self);
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  gtk_widget_set_visible (GTK_WIDGET (self), self->lesson != NULL);
  if (step == NULL)
    {
      update_buttons (self);
      return;
    }
  gtk_label_set_text (self->title_label, ll_lesson_text_pick (self->lesson->title, NULL));
  progress = g_strdup_printf (_("Step %d of %d"), self->step + 1, n);
  gtk_label_set_text (self->progress_label, progress);
  gtk_progress_bar_set_fraction (self->steps_bar, (self->step + 1.0) / n);
  title = ll_lesson_text_pick (step->title, NULL);
  gtk_label_set_text (self->step_title, title != NULL ? title : "");
  gtk_widget_set_visible (GTK_WIDGET (self->step_title), title != NULL);
  gtk_label_set_text (self->text_label, ll_lesson_text_pick (step->text, NULL));

  if (window != NULL && step->highlight != NULL)
    {
      self->highlighted = ll_lesson_panel_find_control (window, step->highlight);
      if (self->highlighted != NULL)
        {
          gtk_widget_add_css_class (self->highlighted, "lesson-highlight");
          g_object_add_weak_pointer (G_OBJECT (self->highlighted), (gpointer *) &self->highlighted);
        }
    }
  gtk_widget_set_visible (self->wait_box, step->condition.kind != LL_LESSON_COND_NONE);
  /* Shown for the whole of a training step, not from its first progress:
   * no widget appears in the middle of a frame while training runs. */
  gtk_widget_set_visible (GTK_WIDGET (self->train_bar),
                          step->condition.kind == LL_LESSON_COND_TRAINING_FINISHED
                          || step->condition.kind == LL_LESSON_COND_METRIC);
  gtk_progress_bar_set_fraction (self->train_bar, 0);
  gtk_progress_bar_set_text (self->train_bar, _("Not started"));
  if (step->condition.kind != LL_LESSON_COND_NONE && self->document != NULL)
    {
      self->watch = ll_lesson_watch_new (self->document, &step->condition);
      g_signal_connect (self->watch, "met", G_CALLBACK (on_watch_met), self);
      g_signal_connect (self->watch, "progress", G_CALLBACK (on_watch_progress), self);
      {
        g_autofree char *text = wait_text (&step->condition);
        gtk_label_set_text (self->wait_label, text);
      }
      if (step->condition.kind == LL_LESSON_COND_BUTTON_PRESSED && window != NULL)
        {
          GtkWidget *button = ll_lesson_panel_find_control (window, step->condition.control);
          if (GTK_IS_BUTTON (button))
            {
              self->pressed = button;
              self->pressed_id = g_signal_connect (button, "clicked", G_CALLBACK (on_pressed), self);
              g_object_add_weak_pointer (G_OBJECT (button), (gpointer *) &self->pressed);
            }
        }
    }
  save_position (self);
  update_buttons (self);
}

static void
cancel_pending (LlLessonPanel *self)
{
  if (self->pending_id != 0 && self->document != NULL)
    g_signal_handler_disconnect (self->document, self->pending_id);
  self->pending_id = 0;
}

static gboolean
replaces_document (const char *action)
{
  return g_str_equal (action, "window.load-preset") || g_str_equal (action, "window.open-file")
         || g_str_equal (action, "window.new");
}

static void run_setup_from (LlLessonPanel *self, int from);

static void
on_pending_changed (LlDocument *document, LlLessonPanel *self)
{
  int from = self->pending_from;

  cancel_pending (self);
  /* A preset, an opened file or a new model leaves a clean document
   * without undo history; any other change means the prompt was
   * cancelled and the user went on editing: the rest is dropped. */
  if (!ll_document_get_dirty (document) && !ll_document_get_can_undo (document))
    run_setup_from (self, from);
}

static void
limit_epochs (LlLessonPanel *self, GtkWidget *window)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) target = NULL;

  if (self->epoch_limit <= 0 || self->document == NULL
      || ll_document_get_config (self->document)->epochs <= self->epoch_limit)
    return;
  json = g_strdup_printf ("{\"epochs\": %d}", self->epoch_limit);
  target = ll_json_parse (json, -1, 0, NULL);
  ll_lesson_panel_activate (window, "window.apply-settings", target, NULL);
}

/* Runs the step's setup from action from on; a replacing action that
 * waits for the unsaved-changes prompt resumes the rest when the
 * document has changed (a cancelled prompt leaves the rest undone). */
static void
run_setup_from (LlLessonPanel *self, int from)
{
  LlLessonStep *step = current (self);
  GtkWidget *window = window_of (self);

  if (step == NULL || window == NULL)
    return;
  for (guint i = from; i < step->setup->len; i++)
    {
      const LlLessonAction *act = g_ptr_array_index (step->setup, i);
      g_autoptr(GError) error = NULL;
      gboolean replacing = replaces_document (act->name) && self->document != NULL;
      gboolean dirty = replacing && ll_document_get_dirty (self->document);
      /* A model file is read on a worker thread (ll_window_open_file): the
       * rest of the setup waits until it has replaced the document. */
      gboolean waits = dirty || (replacing && g_str_equal (act->name, "window.open-file"));

      if (waits)
        {
          self->pending_from = i + 1;
          self->pending_id = g_signal_connect (self->document, "changed",
                                               G_CALLBACK (on_pending_changed), self);
        }
      if (g_str_equal (act->name, "train.start"))
        limit_epochs (self, window);
      if (!ll_lesson_panel_activate (window, act->name, act->target, &error))
        {
          cancel_pending (self);
          g_warning ("Lesson %s, step %d: %s", self->lesson->id, self->step + 1, error->message);
          continue;
        }
      if (waits && self->pending_id != 0)
        return;   /* the prompt is up or the file is read: on_pending_changed goes on */
    }
  if (step->condition.kind == LL_LESSON_COND_TRAINING_FINISHED
      || step->condition.kind == LL_LESSON_COND_TRAINING_STARTED
      || step->condition.kind == LL_LESSON_COND_METRIC)
    limit_epochs (self, window);
  /* The setup may have shown the highlighted control's view: highlight again. */
  if (step->highlight != NULL && self->highlighted == NULL)
    {
      self->highlighted = ll_lesson_panel_find_control (window, step->highlight);
      if (self->highlighted != NULL)
        {
          gtk_widget_add_css_class (self->highlighted, "lesson-highlight");
          g_object_add_weak_pointer (G_OBJECT (self->highlighted), (gpointer *) &self->highlighted);
        }
    }
}

void
ll_lesson_panel_go (LlLessonPanel *self, int step)
{
  g_return_if_fail (LL_IS_LESSON_PANEL (self));

  if (self->lesson == NULL)
    return;
  if (self->editing)
    set_editing (self, FALSE);
  cancel_pending (self);
  self->step = CLAMP (step, 0, (int) self->lesson->steps->len - 1);
  show_step (self);
  run_setup_from (self, 0);
}

gboolean
ll_lesson_panel_get_ready (LlLessonPanel *self)
{
  LlLessonStep *step;

  g_return_val_if_fail (LL_IS_LESSON_PANEL (self), FALSE);
  step = current (self);
  if (step == NULL || step->condition.kind == LL_LESSON_COND_NONE)
    return TRUE;
  return self->watch != NULL && ll_lesson_watch_get_met (self->watch);
}

void
ll_lesson_panel_set_lesson (LlLessonPanel *self, LlLesson *lesson, const char *source, int step,
                            gboolean run_setup)
{
  g_return_if_fail (LL_IS_LESSON_PANEL (self));

  if (self->editing)
    set_editing (self, FALSE);
  cancel_pending (self);
  ll_lesson_panel_set_locked (self, FALSE);
  g_clear_pointer (&self->lesson, ll_lesson_free);
  g_free (self->source);
  self->source = g_strdup (source);
  self->lesson = lesson;
  self->step = lesson != NULL ? CLAMP (step, 0, (int) lesson->steps->len - 1) : 0;
  show_step (self);
  if (run_setup)
    run_setup_from (self, 0);
}

gboolean
ll_lesson_panel_open (LlLessonPanel *self, const char *path_or_id, GError **error)
{
  g_autoptr(LlLesson) lesson = NULL;
  g_autofree char *source = NULL;
  GtkWidget *window = window_of (self);

  g_return_val_if_fail (LL_IS_LESSON_PANEL (self), FALSE);
  g_return_val_if_fail (path_or_id != NULL, FALSE);

  if (g_str_has_prefix (path_or_id, BUILTIN_PREFIX))
    path_or_id += strlen (BUILTIN_PREFIX);
  if (!g_str_has_suffix (path_or_id, ".json") && strchr (path_or_id, '/') == NULL
      && !g_file_test (path_or_id, G_FILE_TEST_EXISTS))
    {
      lesson = ll_lesson_load_builtin (path_or_id, error);
      source = g_strconcat (BUILTIN_PREFIX, path_or_id, NULL);
    }
  else
    {
      lesson = ll_lesson_load (path_or_id, error);
      source = g_canonicalize_filename (path_or_id, NULL);
    }
  if (lesson == NULL)
    return FALSE;
  if (window != NULL && !ll_lesson_panel_validate (window, lesson, error))
    return FALSE;
  ll_lesson_panel_set_lesson (self, g_steal_pointer (&lesson), source, 0, TRUE);
  return TRUE;
}

void
ll_lesson_panel_close (LlLessonPanel *self)
{
  g_return_if_fail (LL_IS_LESSON_PANEL (self));
  ll_lesson_panel_set_lesson (self, NULL, NULL, 0, FALSE);
  save_position (self);
}

LlLesson *
ll_lesson_panel_get_lesson (LlLessonPanel *self)
{
  g_return_val_if_fail (LL_IS_LESSON_PANEL (self), NULL);
  return self->lesson;
}

int
ll_lesson_panel_get_step (LlLessonPanel *self)
{
  g_return_val_if_fail (LL_IS_LESSON_PANEL (self), -1);
  return self->step;
}

void
ll_lesson_panel_set_epoch_limit (LlLessonPanel *self, int epochs)
{
  g_return_if_fail (LL_IS_LESSON_PANEL (self));
  self->epoch_limit = MAX (epochs, 0);
}

void
ll_lesson_panel_set_document (LlLessonPanel *self, LlDocument *document)
{
  g_return_if_fail (LL_IS_LESSON_PANEL (self));
  cancel_pending (self);
  g_set_object (&self->document, document);
  show_step (self);
}

/* Teachers ----------------------------------------------------------- */

gint64
ll_lesson_panel_count_params (LlDocument *document)
{
  gint64 total = 0;

  if (!ll_document_get_valid (document))
    return 0;
  for (int i = 0; i < ll_arch_n_layers (ll_document_get_arch (document)); i++)
    total += MAX (ll_document_get_layer_params (document, i), 0);
  return total;
}

void
ll_lesson_panel_add_step (LlLessonPanel *self)
{
  GtkWidget *window = window_of (self);
  LlLessonStep *step;
  g_autofree char *arch = NULL;
  g_autoptr(JsonNode) arch_node = NULL;
  g_autoptr(JsonNode) settings = NULL;
  g_autoptr(JsonNode) dataset = NULL;
  g_autoptr(JsonNode) view = NULL;
  g_autofree char *lang = user_language ();

  g_return_if_fail (LL_IS_LESSON_PANEL (self));
  if (self->document == NULL || window == NULL)
    return;
  if (self->lesson == NULL)
    {
      LlLesson *lesson = ll_lesson_new ("my-lesson");
      ll_lesson_text_set (lesson->title, "en", _("My lesson"));
      if (!g_str_equal (lang, "en"))
        ll_lesson_text_set (lesson->title, lang, _("My lesson"));
      ll_lesson_panel_set_lesson (self, lesson, NULL, 0, FALSE);
    }
  if (self->editing)
    set_editing (self, FALSE);
  step = ll_lesson_step_new ();
  arch = ll_arch_to_json (ll_document_get_arch (self->document));
  arch_node = ll_json_parse (arch, -1, 0, NULL);
  ll_lesson_step_add_action (step, "window.set-architecture", arch_node);
  dataset = json_node_init_string (json_node_alloc (), ll_document_get_dataset (self->document));
  ll_lesson_step_add_action (step, "window.set-dataset", dataset);
  settings = ll_fit_config_to_json_node (ll_document_get_config (self->document));
  ll_lesson_step_add_action (step, "window.apply-settings", settings);
  view = json_node_init_string (json_node_alloc (), ll_window_get_view (LL_WINDOW (window)));
  ll_lesson_step_add_action (step, "window.show-view", view);
  ll_lesson_text_set (step->text, "en", "");
  if (!g_str_equal (lang, "en"))
    ll_lesson_text_set (step->text, lang, "");
  step->expect.view = g_strdup (ll_window_get_view (LL_WINDOW (window)));
  step->expect.params = ll_lesson_panel_count_params (self->document);
  if (self->lesson->steps->len == 0)
    {
      g_ptr_array_add (self->lesson->steps, step);
      self->step = 0;
    }
  else
    g_ptr_array_insert (self->lesson->steps, ++self->step, step);
  show_step (self);
  set_editing (self, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

gboolean
ll_lesson_panel_save_to (LlLessonPanel *self, const char *path, GError **error)
{
  g_return_val_if_fail (LL_IS_LESSON_PANEL (self), FALSE);

  if (self->lesson == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID, _("There is no lesson to save."));
      return FALSE;
    }
  if (self->editing)
    keep_edit (self);
  if (!ll_lesson_save (self->lesson, path, error))
    return FALSE;
  g_free (self->source);
  self->source = g_canonicalize_filename (path, NULL);
  save_position (self);
  return TRUE;
}

/* Actions ------------------------------------------------------------ */

static void
action_next (GtkWidget *widget, const char *name, GVariant *param)
{
  LlLessonPanel *self = LL_LESSON_PANEL (widget);

  if (self->lesson == NULL)
    return;
  if (self->step >= (int) self->lesson->steps->len - 1)
    ll_lesson_panel_close (self);
  else
    ll_lesson_panel_go (self, self->step + 1);
}

static void
action_back (GtkWidget *widget, const char *name, GVariant *param)
{
  LlLessonPanel *self = LL_LESSON_PANEL (widget);

  /* Going back shows the step without running its setup again: the
   * class sees the state it has now. */
  if (self->lesson == NULL || self->step == 0)
    return;
  if (self->editing)
    set_editing (self, FALSE);
  cancel_pending (self);
  self->step--;
  show_step (self);
}

static void
action_close (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_lesson_panel_close (LL_LESSON_PANEL (widget));
}

static void
action_new (GtkWidget *widget, const char *name, GVariant *param)
{
  LlLessonPanel *self = LL_LESSON_PANEL (widget);

  ll_lesson_panel_set_lesson (self, NULL, NULL, 0, FALSE);
  ll_lesson_panel_add_step (self);
}

static void
action_add_step (GtkWidget *widget, const char *name, GVariant *param)
{
  ll_lesson_panel_add_step (LL_LESSON_PANEL (widget));
}

static void
action_edit (GtkWidget *widget, const char *name, GVariant *param)
{
  LlLessonPanel *self = LL_LESSON_PANEL (widget);

  set_editing (self, !self->editing);
}

static void
action_remove_step (GtkWidget *widget, const char *name, GVariant *param)
{
  LlLessonPanel *self = LL_LESSON_PANEL (widget);

  if (self->lesson == NULL || self->lesson->steps->len <= 1)
    return;
  self->editing = FALSE;
  gtk_stack_set_visible_child_name (self->text_stack, "show");
  g_ptr_array_remove_index (self->lesson->steps, self->step);
  self->step = MIN (self->step, (int) self->lesson->steps->len - 1);
  show_step (self);
}

static void
ll_lesson_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LlLessonPanel *self = LL_LESSON_PANEL (object);

  switch (prop_id)
    {
    case PROP_LOCKED:
      g_value_set_boolean (value, self->locked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_lesson_panel_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LlLessonPanel *self = LL_LESSON_PANEL (object);

  switch (prop_id)
    {
    case PROP_LOCKED:
      ll_lesson_panel_set_locked (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_save_response (GtkNativeDialog *dialog, int response, LlLessonPanel *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path != NULL && !g_str_has_suffix (path, ".json"))
        {
          char *with = g_strconcat (path, ".json", NULL);
          g_free (path);
          path = with;
        }
      if (path == NULL)
        g_set_error (&error, LL_ERROR, LL_ERROR_IO,
                     _("The chosen place is not a local file. Choose a folder on this computer."));
      if (error != NULL || !ll_lesson_panel_save_to (self, path, &error))
        {
          GtkWidget *alert = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                     _("Could not save the lesson"), error->message);
          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (alert), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (alert));
        }
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
action_save (GtkWidget *widget, const char *name, GVariant *param)
{
  LlLessonPanel *self = LL_LESSON_PANEL (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();
  g_autofree char *file_name = NULL;

  if (self->lesson == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Save Lesson"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Layerlab lessons (*.json)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  file_name = g_strconcat (self->lesson->id, ".json", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), file_name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* The lock's list: every named control of the window, ticked when locked. */
static void
collect_names (GtkWidget *widget, GPtrArray *names)
{
  const char *id = GTK_IS_BUILDABLE (widget) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) : NULL;
  const char *name = gtk_widget_get_name (widget);
  const char *use = NULL;

  if (name != NULL && !g_str_equal (name, G_OBJECT_TYPE_NAME (widget))
      && (GTK_IS_BUTTON (widget) || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_DROP_DOWN (widget)
          || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_SCALE (widget) || GTK_IS_MENU_BUTTON (widget)))
    use = name;
  else if (id != NULL && (GTK_IS_BUTTON (widget) || GTK_IS_SPIN_BUTTON (widget)
                          || GTK_IS_DROP_DOWN (widget) || GTK_IS_SCALE (widget)
                          || GTK_IS_MENU_BUTTON (widget)))
    use = id;
  if (use != NULL && !g_ptr_array_find_with_equal_func (names, use, g_str_equal, NULL))
    g_ptr_array_add (names, g_strdup (use));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_names (child, names);
}

static void
on_lock_toggled (GtkCheckButton *check, LlLessonPanel *self)
{
  const char *name = g_object_get_data (G_OBJECT (check), "ll-name");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (self->lesson == NULL)
    return;
  for (int i = 0; self->lesson->locked[i] != NULL; i++)
    if (!g_str_equal (self->lesson->locked[i], name))
      g_strv_builder_add (builder, self->lesson->locked[i]);
  if (gtk_check_button_get_active (check))
    g_strv_builder_add (builder, name);
  g_strfreev (self->lesson->locked);
  self->lesson->locked = g_strv_builder_end (builder);
  if (self->locked)
    ll_lesson_panel_set_locked (self, TRUE);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
action_choose_locked (GtkWidget *widget, const char *name, GVariant *param)
{
  LlLessonPanel *self = LL_LESSON_PANEL (widget);
  GtkWidget *window = window_of (self);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *dialog, *scroller, *list;

  if (self->lesson == NULL || window == NULL)
    return;
  /* Hidden controls are still in the tree: they are listed too. */
  collect_names (window, names);
  g_ptr_array_sort (names, compare_names);
  dialog = adw_message_dialog_new (GTK_WINDOW (window), _("Classroom Lock"),
                                   _("Tick the controls that the lock hides from the class. "
                                     "Turn the lock on and off in the lesson menu."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      GtkWidget *check = gtk_check_button_new_with_label (n);

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   g_strv_contains ((const char *const *) self->lesson->locked, n));
      g_object_set_data_full (G_OBJECT (check), "ll-name", g_strdup (n), g_free);
      g_signal_connect (check, "toggled", G_CALLBACK (on_lock_toggled), self);
      gtk_list_box_append (GTK_LIST_BOX (list), check);
    }
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 260);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The built-in lessons in the menu. */
static void
fill_builtin_menu (LlLessonPanel *self)
{
  g_auto(GStrv) ids = ll_lesson_list_builtin ();

  g_menu_remove_all (self->builtin_submenu);
  for (int i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(LlLesson) lesson = ll_lesson_load_builtin (ids[i], NULL);
      g_autoptr(GMenuItem) item = NULL;

      if (lesson == NULL)
        continue;
      item = g_menu_item_new (ll_lesson_text_pick (lesson->title, NULL), NULL);
      g_menu_item_set_action_and_target (item, "window.open-lesson-file", "s", ids[i]);
      g_menu_append_item (self->builtin_submenu, item);
    }
}

/* GObject ------------------------------------------------------------ */

static void
ll_lesson_panel_dispose (GObject *object)
{
  LlLessonPanel *self = LL_LESSON_PANEL (object);

  cancel_pending (self);
  clear_highlight (self);
  if (self->hidden != NULL)
    {
      for (guint i = 0; i < self->hidden->len; i++)
        gtk_widget_set_visible (g_ptr_array_index (self->hidden, i), TRUE);
      g_clear_pointer (&self->hidden, g_ptr_array_unref);
    }
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  g_clear_object (&self->document);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->lesson, ll_lesson_free);
  g_clear_pointer (&self->source, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LL_TYPE_LESSON_PANEL);
  G_OBJECT_CLASS (ll_lesson_panel_parent_class)->dispose (object);
}

static void
ll_lesson_panel_class_init (LlLessonPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ll_lesson_panel_dispose;
  object_class->get_property = ll_lesson_panel_get_property;
  object_class->set_property = ll_lesson_panel_set_property;

  /* The classroom lock: the lesson's locked controls are hidden. */
  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  ll_ui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, LL_RESOURCE_PREFIX "/ui/ll-lesson-panel.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lessonpanel");
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, box);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, menu_button);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, steps_bar);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, step_title);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, text_stack);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, text_label);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, title_entry);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, text_view);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, wait_box);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, wait_label);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, train_bar);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, next_button);
  gtk_widget_class_bind_template_child (widget_class, LlLessonPanel, builtin_submenu);

  gtk_widget_class_install_action (widget_class, "lesson.next", NULL, action_next);
  gtk_widget_class_install_action (widget_class, "lesson.back", NULL, action_back);
  gtk_widget_class_install_action (widget_class, "lesson.close", NULL, action_close);
  gtk_widget_class_install_action (widget_class, "lesson.new", NULL, action_new);
  gtk_widget_class_install_action (widget_class, "lesson.add-step", NULL, action_add_step);
  gtk_widget_class_install_action (widget_class, "lesson.edit", NULL, action_edit);
  gtk_widget_class_install_action (widget_class, "lesson.remove-step", NULL, action_remove_step);
  gtk_widget_class_install_action (widget_class, "lesson.choose-locked", NULL, action_choose_locked);
  gtk_widget_class_install_property_action (widget_class, "lesson.lock", "locked");
  gtk_widget_class_install_action (widget_class, "lesson.save", NULL, action_save);
}

static void
ll_lesson_panel_init (LlLessonPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->hidden = g_ptr_array_new_with_free_func (g_object_unref);
  self->settings = ll_settings_new_if_installed ("lesson");
  fill_builtin_menu (self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  update_buttons (self);
}

GtkWidget *
ll_lesson_panel_new (void)
{
  return g_object_new (LL_TYPE_LESSON_PANEL, NULL);
}
