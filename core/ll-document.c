/* ll-document.c: the shared model document: edits, undo/redo as whole
 * snapshots of (arch, config, data set), validation and the built model.
 *
 * Snapshots are small (a few dozen layer specs), so whole copies keep undo
 * trivially correct for every kind of edit. */
#include "ll-document.h"

#include <glib/gi18n.h>
#include <math.h>
#include <inttypes.h>
#include <string.h>

#include "ll-import.h"
#include "ll-model-file.h"
#include "ll-model-reader.h"
#include "ll-presets.h"
#include "ll-shipped-model.h"

#define SHIPPED_DIGITS_TITLE "Shipped digit model"

typedef struct {
  LlArch *arch;
  LlFitConfig config;
  char *dataset;
  guint serial;                  /* identifies the state, for the dirty flag */
} Snapshot;

struct _LlDocument
{
  GObject parent_instance;

  LlArch *arch;
  LlFitConfig config;
  char *dataset;
  guint serial;
  guint saved_serial;
  guint next_serial;

  LlTrainer *trainer;            /* NULL when the stack is invalid */
  char *error_message;
  int bad_layer;
  LlShape *shapes;               /* n_known valid entries */
  gssize *n_params;              /* -1 where unknown */
  int n_known;
  int n_alloc;

  char *path;
  char *preset_title;
  char *weights_run;             /* the run whose weights the model holds, NULL otherwise */
  char *snapshot_run;            /* the run the snapshots come from, NULL when unnamed */
  double live_dropout;           /* a running run's own Dropout rate, NAN when none */

  GPtrArray *undo;               /* of Snapshot*, oldest first */
  GPtrArray *redo;
  char *merge_key;               /* "layer:param" of the last parameter edit */
  gint64 merge_time;
  gboolean trained;              /* trainer weights came from a file or training */
  gboolean imported;             /* trainer weights came from an ONNX or Keras file */

  LlModel *snapshot;             /* latest published while training */
  int snapshot_epoch, snapshot_batch;
  GPtrArray *history;            /* of HistoryEntry*, oldest first */
  int last_kept_batch;           /* epoch 0: the batch of the last early entry kept */
  float *drawn;                  /* 28×28, or NULL */
  LlTrainingJob *training_job;   /* the run training this document, NULL when none */
};

typedef struct {
  LlModel *model;
  int epoch, batch;
} HistoryEntry;

#define EARLY_HISTORY 6          /* entries kept within epoch 0 */

enum {
  PROP_0,
  PROP_VALID,
  PROP_ERROR_MESSAGE,
  PROP_BAD_LAYER,
  PROP_DIRTY,
  PROP_PATH,
  PROP_TITLE,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_TRAINING_JOB,
  PROP_LIVE_DROPOUT,
  N_PROPS
};

enum {
  CHANGED,
  SNAPSHOT,
  DRAWN_INPUT_CHANGED,
  UNIT_EXPLAINED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlDocument, ll_document, G_TYPE_OBJECT)

#define MAX_UNDO 200

static void
snapshot_free (gpointer data)
{
  Snapshot *s = data;

  ll_arch_free (s->arch);
  ll_fit_config_clear (&s->config);
  g_free (s->dataset);
  g_free (s);
}

static Snapshot *
snapshot_take (LlDocument *self)
{
  Snapshot *s = g_new0 (Snapshot, 1);

  s->arch = ll_arch_copy (self->arch);
  ll_fit_config_copy (&s->config, &self->config);
  s->dataset = g_strdup (self->dataset);
  s->serial = self->serial;
  return s;
}

static void
history_entry_free (gpointer data)
{
  HistoryEntry *e = data;

  ll_model_free (e->model);
  g_free (e);
}

/* Without a signal: the callers emit "changed" anyway. */
static void
drop_snapshots (LlDocument *self)
{
  g_clear_pointer (&self->snapshot, ll_model_free);
  self->snapshot_epoch = self->snapshot_batch = -1;
  g_ptr_array_set_size (self->history, 0);
  self->last_kept_batch = -1;
}

/* Model and shapes --------------------------------------------------- */

static void
compute_shapes (LlDocument *self)
{
  int n = ll_arch_n_layers (self->arch);

  if (n > self->n_alloc)
    {
      self->n_alloc = MAX (n, 16);
      self->shapes = g_renew (LlShape, self->shapes, self->n_alloc);
      self->n_params = g_renew (gssize, self->n_params, self->n_alloc);
    }
  self->n_known = 0;
  for (int i = 0; i < n; i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (self->arch, i);
      const LlShape *in = i > 0 ? &self->shapes[i - 1] : &self->shapes[0];
      LlWeightInfo info[LL_MAX_WEIGHTS];

      self->n_params[i] = -1;
      if ((i == 0) != (spec->type == &ll_layer_input))
        break;
      if (i == 0)
        memset (&self->shapes[0], 0, sizeof (LlShape));
      if (!spec->type->infer (spec, in, &self->shapes[i], NULL)
          || ll_shape_size (&self->shapes[i]) == 0)
        break;
      self->n_params[i] = 0;
      if (spec->type->weights != NULL)
        {
          int nw = spec->type->weights (spec, in, &self->shapes[i], info);
          for (int w = 0; w < nw; w++)
            self->n_params[i] += ll_weight_info_size (&info[w]);
        }
      self->n_known = i + 1;
    }
  for (int i = self->n_known; i < n; i++)
    self->n_params[i] = -1;
}

static void
set_error_state (LlDocument *self, const char *message, int bad_layer)
{
  gboolean was_valid = self->error_message == NULL;

  if (g_strcmp0 (message, self->error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (self->bad_layer != bad_layer)
    {
      self->bad_layer = bad_layer;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAD_LAYER]);
    }
  if (was_valid != (message == NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

/* Rebuilds the model after an edit.  Trained weights survive a change of
 * training settings, never a change of architecture. */
static void
rebuild (LlDocument *self)
{
  g_autoptr(GError) error = NULL;
  int bad = -1;

  compute_shapes (self);

  if (self->trainer != NULL
      && ll_arch_equal (ll_model_get_arch (ll_trainer_get_model (self->trainer)), self->arch))
    {
      if (!ll_trainer_set_config (self->trainer, &self->config, &error))
        g_debug ("Training settings not applied: %s", error->message);
      /* A rename keeps the weights; the model (and its file) take the names. */
      ll_model_set_layer_names (ll_trainer_get_model (self->trainer), self->arch);
      set_error_state (self, NULL, -1);
      return;
    }

  g_clear_pointer (&self->trainer, ll_trainer_free);
  g_clear_pointer (&self->weights_run, g_free);
  g_clear_pointer (&self->snapshot_run, g_free);
  self->trained = FALSE;
  self->imported = FALSE;
  drop_snapshots (self);
  if (ll_arch_validate (self->arch, &bad, &error))
    {
      LlModel *model = ll_model_new (self->arch, &error);
      if (model != NULL)
        {
          self->trainer = ll_trainer_new (model, &self->config);
          ll_trainer_reset (self->trainer);
          for (int i = 0; i < ll_model_n_layers (model) && i < self->n_alloc; i++)
            self->n_params[i] = ll_model_layer_n_params (model, i);
          set_error_state (self, NULL, -1);
          return;
        }
      bad = -1;
    }
  set_error_state (self, error != NULL ? error->message : _("The model cannot be built."), bad);
}

static void
notify_history (LlDocument *self, gboolean could_undo, gboolean could_redo, gboolean was_dirty)
{
  if (could_undo != ll_document_get_can_undo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (could_redo != ll_document_get_can_redo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
  if (was_dirty != ll_document_get_dirty (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
}

/* Records the current state for undo, then lets the caller mutate. */
static void
begin_edit (LlDocument *self, const char *merge_key)
{
  gint64 now = g_get_monotonic_time ();

  if (merge_key != NULL && g_strcmp0 (merge_key, self->merge_key) == 0
      && now - self->merge_time < G_USEC_PER_SEC && self->undo->len > 0)
    {
      self->merge_time = now;
      g_ptr_array_set_size (self->redo, 0);
      self->serial = self->next_serial++;
      return;
    }
  g_free (self->merge_key);
  self->merge_key = g_strdup (merge_key);
  self->merge_time = now;

  g_ptr_array_add (self->undo, snapshot_take (self));
  if (self->undo->len > MAX_UNDO)
    g_ptr_array_remove_index (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  self->serial = self->next_serial++;
}

static void
end_edit (LlDocument *self, gboolean could_undo, gboolean could_redo, gboolean was_dirty)
{
  rebuild (self);
  notify_history (self, could_undo, could_redo, was_dirty);
  g_signal_emit (self, signals[CHANGED], 0);
}

#define EDIT_BEGIN(self, key)                                       \
  gboolean could_undo = ll_document_get_can_undo (self);            \
  gboolean could_redo = ll_document_get_can_redo (self);            \
  gboolean was_dirty = ll_document_get_dirty (self);                \
  begin_edit (self, key)

#define EDIT_END(self) end_edit (self, could_undo, could_redo, was_dirty)

/* GObject ------------------------------------------------------------ */

static void
ll_document_finalize (GObject *object)
{
  LlDocument *self = LL_DOCUMENT (object);

  g_clear_pointer (&self->arch, ll_arch_free);
  ll_fit_config_clear (&self->config);
  g_clear_pointer (&self->dataset, g_free);
  g_clear_pointer (&self->trainer, ll_trainer_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->shapes, g_free);
  g_clear_pointer (&self->n_params, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->preset_title, g_free);
  g_clear_pointer (&self->weights_run, g_free);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->merge_key, g_free);
  g_clear_pointer (&self->snapshot, ll_model_free);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->drawn, g_free);
  g_clear_object (&self->training_job);

  G_OBJECT_CLASS (ll_document_parent_class)->finalize (object);
}

static void
ll_document_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LlDocument *self = LL_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, ll_document_get_valid (self));
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_BAD_LAYER:
      g_value_set_int (value, self->bad_layer);
      break;
    case PROP_DIRTY:
      g_value_set_boolean (value, ll_document_get_dirty (self));
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_TITLE:
      g_value_take_string (value, ll_document_dup_title (self));
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, ll_document_get_can_undo (self));
      break;
    case PROP_LIVE_DROPOUT:
      g_value_set_double (value, self->live_dropout);
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, ll_document_get_can_redo (self));
      break;
    case PROP_TRAINING_JOB:
      g_value_set_object (value, self->training_job);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ll_document_class_init (LlDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ll_document_finalize;
  object_class->get_property = ll_document_get_property;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, "Whether the layer stack builds a model",
                          FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, "Why the stack does not build, and how to fix it",
                         NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BAD_LAYER] =
    g_param_spec_int ("bad-layer", NULL, "Index of the layer at fault, -1 when valid",
                      -1, G_MAXINT, -1, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIRTY] =
    g_param_spec_boolean ("dirty", NULL, "Unsaved changes",
                          FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, "The model file",
                         NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, "File name or preset title",
                         NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL,
                          FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL,
                          FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRAINING_JOB] =
    g_param_spec_object ("training-job", NULL, "The training run of this document's model, NULL when none",
                         LL_TYPE_TRAINING_JOB,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE_DROPOUT] =
    g_param_spec_double ("live-dropout", NULL, "The Dropout rate a running run uses instead of "
                         "the model's (\"Dropout, this run\"), NAN when none",
                         -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Any change of content: an edit, undo/redo, open, preset, new. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A model snapshot was published (or the snapshots were cleared). */
  signals[SNAPSHOT] = g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DRAWN_INPUT_CHANGED] = g_signal_new ("drawn-input-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 0);
  /* A unit was chosen for its arithmetic (the layer's index). */
  signals[UNIT_EXPLAINED] = g_signal_new ("unit-explained", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_INT);
}

static LlArch *
default_arch (void)
{
  LlArch *arch = ll_arch_new ();
  LlLayerSpec spec;

  ll_layer_spec_init (&spec, &ll_layer_input);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_flatten);
  ll_arch_append (arch, &spec);
  ll_layer_spec_init (&spec, &ll_layer_dense);
  ll_layer_spec_set (&spec, "units", 10, NULL);
  ll_layer_spec_set_choice (&spec, "activation", "softmax", NULL);
  ll_arch_append (arch, &spec);
  return arch;
}

static void
ll_document_init (LlDocument *self)
{
  self->live_dropout = NAN;
  self->arch = default_arch ();
  ll_fit_config_init (&self->config);
  self->dataset = g_strdup ("mnist");
  self->bad_layer = -1;
  self->undo = g_ptr_array_new_with_free_func (snapshot_free);
  self->redo = g_ptr_array_new_with_free_func (snapshot_free);
  self->next_serial = 1;
  self->history = g_ptr_array_new_with_free_func (history_entry_free);
  self->snapshot_epoch = self->snapshot_batch = -1;
  self->last_kept_batch = -1;
  rebuild (self);
}

LlDocument *
ll_document_new (void)
{
  return g_object_new (LL_TYPE_DOCUMENT, NULL);
}

/* Getters ------------------------------------------------------------ */

const LlArch *
ll_document_get_arch (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->arch;
}

const LlFitConfig *
ll_document_get_config (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return &self->config;
}

const char *
ll_document_get_dataset (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->dataset;
}

LlModel *
ll_document_get_model (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->trainer != NULL ? ll_trainer_get_model (self->trainer) : NULL;
}

LlTrainer *
ll_document_get_trainer (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->trainer;
}

gboolean
ll_document_get_valid (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  return self->error_message == NULL;
}

const char *
ll_document_get_error_message (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->error_message;
}

int
ll_document_get_bad_layer (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), -1);
  return self->bad_layer;
}

gboolean
ll_document_get_layer_shape (LlDocument *self, int i, LlShape *shape)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  if (i < 0 || i >= self->n_known)
    return FALSE;
  *shape = self->shapes[i];
  return TRUE;
}

gssize
ll_document_get_layer_params (LlDocument *self, int i)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), -1);
  if (i < 0 || i >= ll_arch_n_layers (self->arch))
    return -1;
  return self->n_params[i];
}

const char *
ll_document_get_path (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->path;
}

char *
ll_document_dup_title (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  if (self->path != NULL)
    return g_path_get_basename (self->path);
  if (self->preset_title != NULL)
    return g_strdup (self->preset_title);
  return g_strdup (_("New model"));
}

gboolean
ll_document_get_dirty (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  return self->serial != self->saved_serial;
}

gboolean
ll_document_get_can_undo (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  return self->undo->len > 0;
}

gboolean
ll_document_get_can_redo (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  return self->redo->len > 0;
}

gboolean
ll_document_get_trained (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  return self->trainer != NULL
         && (self->imported || ll_trainer_get_step (self->trainer) > 0
             || ll_trainer_get_history (self->trainer)->len > 0);
}

gboolean
ll_document_get_imported (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  return self->trainer != NULL && self->imported;
}

/* Edits -------------------------------------------------------------- */

void
ll_document_set_arch (LlDocument *self, const LlArch *arch)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (arch != NULL);

  EDIT_BEGIN (self, NULL);
  ll_arch_free (self->arch);
  self->arch = ll_arch_copy (arch);
  EDIT_END (self);
}

void
ll_document_set_config (LlDocument *self, const LlFitConfig *config)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (config != NULL);

  EDIT_BEGIN (self, NULL);
  ll_fit_config_clear (&self->config);
  ll_fit_config_copy (&self->config, config);
  EDIT_END (self);
}

void
ll_document_set_dataset (LlDocument *self, const char *dataset)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (dataset != NULL);

  if (g_strcmp0 (dataset, self->dataset) == 0)
    return;
  EDIT_BEGIN (self, NULL);
  g_free (self->dataset);
  self->dataset = g_strdup (dataset);
  EDIT_END (self);
}

void
ll_document_insert_layer (LlDocument *self, int position, const LlLayerSpec *spec)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (spec != NULL);

  position = CLAMP (position, 0, ll_arch_n_layers (self->arch));
  EDIT_BEGIN (self, NULL);
  ll_arch_insert (self->arch, position, spec);
  EDIT_END (self);
}

void
ll_document_remove_layer (LlDocument *self, int position)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (position >= 0 && position < ll_arch_n_layers (self->arch));

  EDIT_BEGIN (self, NULL);
  ll_arch_remove (self->arch, position);
  EDIT_END (self);
}

void
ll_document_move_layer (LlDocument *self, int from, int to)
{
  int n;

  g_return_if_fail (LL_IS_DOCUMENT (self));
  n = ll_arch_n_layers (self->arch);
  g_return_if_fail (from >= 0 && from < n);

  to = CLAMP (to, 0, n - 1);
  if (from == to)
    return;
  EDIT_BEGIN (self, NULL);
  ll_arch_move (self->arch, from, to);
  EDIT_END (self);
}

void
ll_document_duplicate_layer (LlDocument *self, int position)
{
  LlLayerSpec copy;

  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (position >= 0 && position < ll_arch_n_layers (self->arch));

  copy = *ll_arch_layer (self->arch, position);
  copy.name[0] = '\0';   /* names are unique: the copy takes the default */
  ll_document_insert_layer (self, position + 1, &copy);
}

gboolean
ll_document_rename_layer (LlDocument *self, int layer, const char *name, GError **error)
{
  g_autofree char *clean = NULL;

  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (layer >= 0 && layer < ll_arch_n_layers (self->arch), FALSE);

  clean = g_strstrip (g_strdup (name != NULL ? name : ""));
  /* Typing the default name back is going back to the default. */
  {
    LlLayerSpec *spec = ll_arch_layer (self->arch, layer);
    g_autofree char *current = ll_arch_layer_name (self->arch, layer);
    char saved[LL_LAYER_NAME_MAX];

    if (strcmp (clean, spec->name) == 0 || (spec->name[0] == '\0' && strcmp (clean, current) == 0))
      return TRUE;
    memcpy (saved, spec->name, sizeof saved);
    spec->name[0] = '\0';
    {
      g_autofree char *automatic = ll_arch_layer_name (self->arch, layer);
      memcpy (spec->name, saved, sizeof saved);
      if (strcmp (clean, automatic) == 0)
        clean[0] = '\0';
    }
  }
  if (!ll_arch_check_layer_name (self->arch, layer, clean, error))
    return FALSE;
  {
    EDIT_BEGIN (self, NULL);
    g_strlcpy (ll_arch_layer (self->arch, layer)->name, clean, LL_LAYER_NAME_MAX);
    EDIT_END (self);
  }
  return TRUE;
}

gboolean
ll_document_set_layer_param (LlDocument   *self,
                             int           layer,
                             const char   *name,
                             double        value,
                             GError      **error)
{
  LlLayerSpec spec;
  g_autofree char *key = NULL;

  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (layer >= 0 && layer < ll_arch_n_layers (self->arch), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  /* Check on a copy first: a refused value changes nothing. */
  spec = *ll_arch_layer (self->arch, layer);
  if (!ll_layer_spec_set (&spec, name, value, error))
    return FALSE;
  if (memcmp (&spec, ll_arch_layer (self->arch, layer), sizeof spec) == 0)
    return TRUE;

  key = g_strdup_printf ("%d:%s", layer, name);
  {
    EDIT_BEGIN (self, key);
    *ll_arch_layer (self->arch, layer) = spec;
    EDIT_END (self);
  }
  return TRUE;
}

void
ll_document_set_trained_model (LlDocument *self, LlTrainer *trainer)
{
  ll_document_set_trained_model_from_run (self, trainer, NULL);
}

void
ll_document_set_trained_model_from_run (LlDocument *self, LlTrainer *trainer, const char *run)
{
  gboolean was_dirty;

  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (trainer != NULL);

  was_dirty = ll_document_get_dirty (self);
  g_clear_pointer (&self->trainer, ll_trainer_free);
  self->trainer = trainer;
  self->trained = TRUE;
  ll_arch_free (self->arch);
  self->arch = ll_arch_copy (ll_model_get_arch (ll_trainer_get_model (trainer)));
  self->serial = self->next_serial++;
  rebuild (self);
  g_free (self->weights_run);
  self->weights_run = g_strdup (run);
  if (was_dirty != ll_document_get_dirty (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
ll_document_get_weights_run (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->trainer != NULL ? self->weights_run : NULL;
}

char *
ll_document_describe_weights (LlDocument *self)
{
  g_autofree char *title = NULL;

  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);

  if (self->trainer == NULL)
    return NULL;
  if (self->weights_run != NULL)
    return g_strdup (self->weights_run);
  title = ll_document_dup_title (self);
  if (self->imported)
    return g_strdup_printf (_("the weights of %s"), title);
  if (ll_document_get_trained (self))
    return g_strdup_printf (_("the trained weights of %s"), title);
  return g_strdup_printf (_("untrained weights of %s (from seed %" PRIu64 ")"), title,
                          self->config.seed);
}

static void
restore (LlDocument *self, GPtrArray *from, GPtrArray *to)
{
  gboolean could_undo = ll_document_get_can_undo (self);
  gboolean could_redo = ll_document_get_can_redo (self);
  gboolean was_dirty = ll_document_get_dirty (self);
  Snapshot *s = g_ptr_array_steal_index (from, from->len - 1);

  g_ptr_array_add (to, snapshot_take (self));
  ll_arch_free (self->arch);
  self->arch = g_steal_pointer (&s->arch);
  ll_fit_config_clear (&self->config);
  self->config = s->config;
  memset (&s->config, 0, sizeof s->config);
  g_free (self->dataset);
  self->dataset = g_steal_pointer (&s->dataset);
  self->serial = s->serial;
  g_free (s);
  g_clear_pointer (&self->merge_key, g_free);

  end_edit (self, could_undo, could_redo, was_dirty);
}

gboolean
ll_document_undo (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  if (self->undo->len == 0)
    return FALSE;
  restore (self, self->undo, self->redo);
  return TRUE;
}

gboolean
ll_document_redo (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  if (self->redo->len == 0)
    return FALSE;
  restore (self, self->redo, self->undo);
  return TRUE;
}

/* Whole documents ---------------------------------------------------- */

static void
set_path (LlDocument *self, const char *path)
{
  if (g_strcmp0 (path, self->path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* Takes ownership of arch and of the contents of config. */
static void
replace_all (LlDocument *self, LlArch *arch, LlFitConfig *config, const char *dataset,
             LlTrainer *trainer, const char *path, const char *preset_title)
{
  gboolean could_undo = ll_document_get_can_undo (self);
  gboolean could_redo = ll_document_get_can_redo (self);
  gboolean was_dirty = ll_document_get_dirty (self);

  ll_arch_free (self->arch);
  self->arch = arch;
  ll_fit_config_clear (&self->config);
  self->config = *config;
  memset (config, 0, sizeof *config);
  g_free (self->dataset);
  self->dataset = g_strdup (dataset != NULL ? dataset : "mnist");
  g_clear_pointer (&self->trainer, ll_trainer_free);
  g_clear_pointer (&self->weights_run, g_free);
  self->trainer = trainer;
  self->trained = trainer != NULL;
  self->imported = FALSE;
  g_free (self->preset_title);
  self->preset_title = g_strdup (preset_title);
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  g_clear_pointer (&self->merge_key, g_free);
  drop_snapshots (self);
  self->serial = self->next_serial++;
  self->saved_serial = self->serial;
  set_path (self, path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  end_edit (self, could_undo, could_redo, was_dirty);
}

/* Like opening a file, but from the GResource and without a path: the
 * document is clean and Save asks where to keep it. */
static gboolean
load_shipped_digits (LlDocument *self, GError **error)
{
  LlTrainer *trainer = ll_shipped_model_load (error);
  LlFitConfig cfg;
  LlArch *arch;

  if (trainer == NULL)
    return FALSE;
  arch = ll_arch_copy (ll_model_get_arch (ll_trainer_get_model (trainer)));
  ll_fit_config_copy (&cfg, ll_trainer_get_config (trainer));
  replace_all (self, arch, &cfg, "mnist", trainer, NULL, SHIPPED_DIGITS_TITLE);
  return TRUE;
}

gboolean
ll_document_load_preset (LlDocument *self, const char *name, GError **error)
{
  const LlPresetInfo *info;
  LlFitConfig cfg;
  LlArch *arch;

  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (g_str_equal (name, LL_DOCUMENT_SHIPPED_DIGITS))
    return load_shipped_digits (self, error);
  info = ll_preset_lookup (name);
  if (info == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_NOT_FOUND,
                   _("There is no preset called “%s”. Pick one from the Presets menu."), name);
      return FALSE;
    }
  arch = ll_preset_build (name, &cfg, error);
  if (arch == NULL)
    return FALSE;
  replace_all (self, arch, &cfg, info->dataset, NULL, NULL, info->title);
  return TRUE;
}

void
ll_document_reset (LlDocument *self)
{
  LlFitConfig cfg;

  g_return_if_fail (LL_IS_DOCUMENT (self));
  ll_fit_config_init (&cfg);
  replace_all (self, default_arch (), &cfg, "mnist", NULL, NULL, NULL);
}

/* The model read from path replaces the document's (takes trainer). */
static void
take_opened (LlDocument *self, LlTrainer *trainer, LlModelFormat format, const char *path)
{
  LlArch *arch = ll_arch_copy (ll_model_get_arch (ll_trainer_get_model (trainer)));
  LlFitConfig cfg;
  /* The file does not name a data set; guess from the input shape. */
  LlShape in = ll_model_input_shape (ll_trainer_get_model (trainer));
  /* A copy: replace_all frees self->dataset before it stores the new name. */
  g_autofree char *ds = g_strdup (in.rank == 3 && in.d[2] == 3 ? "cifar10" : self->dataset);
  /* An imported model (ONNX, Keras) keeps its file's name as the title
   * but no path: Save asks where to write the .llmodel, never over the
   * file it came from. */
  g_autofree char *base = g_path_get_basename (path);
  gboolean own = format == LL_MODEL_FORMAT_LLMODEL;

  ll_fit_config_copy (&cfg, ll_trainer_get_config (trainer));
  replace_all (self, arch, &cfg, ds, trainer, own ? path : NULL, own ? NULL : base);
  if (!own)
    {
      /* Weights trained elsewhere: the views treat them as trained. */
      self->imported = TRUE;
      g_signal_emit (self, signals[CHANGED], 0);
    }
}

gboolean
ll_document_open (LlDocument *self, const char *path, GError **error)
{
  LlModelFormat format = LL_MODEL_FORMAT_UNKNOWN;
  LlTrainer *trainer;

  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Keras files in a child process with a time limit: a file made to
   * hang libhdf5 gives an error, and the document is left as it was. */
  trainer = ll_model_reader_open (path, &format, NULL, error);
  if (trainer == NULL)
    return FALSE;
  take_opened (self, trainer, format, path);
  return TRUE;
}

/* An open in progress: the file, and the document's state when it began. */
typedef struct
{
  char *path;
  guint serial;
} Opening;

static void
opening_free (gpointer data)
{
  Opening *o = data;

  g_free (o->path);
  g_free (o);
}

static void
on_reader_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  LlDocument *self = g_task_get_source_object (task);
  LlModelFormat format = LL_MODEL_FORMAT_UNKNOWN;
  GError *error = NULL;
  LlTrainer *trainer = ll_model_reader_open_finish (result, &format, &error);
  Opening *opening = g_task_get_task_data (task);

  if (trainer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Cancelled after the file was read: the document stays as it is. */
  if (g_task_return_error_if_cancelled (task))
    {
      ll_trainer_free (trainer);
      return;
    }
  /* Edited while the file was read (the unsaved-changes prompt came
   * before): the edit is not silently replaced. */
  if (self->serial != opening->serial)
    {
      g_autofree char *name = g_filename_display_basename (opening->path);

      ll_trainer_free (trainer);
      g_task_return_new_error (task, LL_ERROR, LL_ERROR_IO,
                               _("The model changed while “%s” was being read, so it was not "
                                 "opened; open it again to replace the model"),
                               name);
      return;
    }
  take_opened (self, trainer, format, opening->path);
  g_task_return_boolean (task, TRUE);
}

void
ll_document_open_async (LlDocument          *self,
                        const char          *path,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  Opening *opening;

  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ll_document_open_async);
  opening = g_new0 (Opening, 1);
  opening->path = g_strdup (path);
  opening->serial = self->serial;
  g_task_set_task_data (task, opening, opening_free);
  ll_model_reader_open_async (path, cancellable, on_reader_opened, task);
}

gboolean
ll_document_open_finish (LlDocument *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ll_document_open_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ll_document_save (LlDocument *self, const char *path, GError **error)
{
  gboolean was_dirty;

  g_return_val_if_fail (LL_IS_DOCUMENT (self), FALSE);

  if (path == NULL)
    path = self->path;
  if (path == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_IO,
                   _("The model has no file yet. Use Save As to choose one."));
      return FALSE;
    }
  if (self->trainer == NULL)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_SHAPE,
                   _("The model is not valid, so it cannot be saved: %s"), self->error_message);
      return FALSE;
    }
  if (!ll_model_file_save (self->trainer, path, error))
    return FALSE;

  was_dirty = ll_document_get_dirty (self);
  self->saved_serial = self->serial;
  set_path (self, path);
  if (was_dirty)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
  return TRUE;
}

/* Snapshots ---------------------------------------------------------- */

static gsize
model_bytes (const LlModel *model)
{
  return (ll_model_n_trainable (model) + ll_model_n_state (model)) * sizeof (float);
}

/* Keeps the first and the last entries and drops every second one between:
 * the replay stays spread over the whole run. */
static void
thin_history (LlDocument *self)
{
  for (guint i = 1; i + 1 < self->history->len; i++)
    g_ptr_array_remove_index (self->history, i);
}

static void
keep_in_history (LlDocument *self, const LlModel *snapshot, int epoch, int batch)
{
  HistoryEntry *e;
  gsize bytes = model_bytes (snapshot);
  gboolean keep;

  if (self->history->len > 0)
    {
      HistoryEntry *first = g_ptr_array_index (self->history, 0);
      if (!ll_arch_equal (ll_model_get_arch (first->model), ll_model_get_arch (snapshot)))
        {
          g_ptr_array_set_size (self->history, 0);
          self->last_kept_batch = -1;
        }
    }
  if (batch < 0)
    keep = TRUE;
  else if (epoch == 0)
    keep = self->history->len < EARLY_HISTORY
           && (self->last_kept_batch < 0 || batch >= 2 * MAX (self->last_kept_batch, 1));
  else
    keep = FALSE;
  if (!keep || bytes > LL_DOCUMENT_MAX_HISTORY_BYTES)
    return;
  if (epoch == 0 && batch >= 0)
    self->last_kept_batch = batch;

  e = g_new0 (HistoryEntry, 1);
  e->model = ll_model_copy (snapshot);
  e->epoch = epoch;
  e->batch = batch;
  g_ptr_array_add (self->history, e);
  while (self->history->len > 2
         && (self->history->len > LL_DOCUMENT_MAX_HISTORY
             || self->history->len * bytes > LL_DOCUMENT_MAX_HISTORY_BYTES))
    thin_history (self);
}

void
ll_document_publish_snapshot (LlDocument *self, LlModel *snapshot, int epoch, int batch)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (snapshot != NULL);

  keep_in_history (self, snapshot, epoch, batch);
  ll_model_free (self->snapshot);
  self->snapshot = snapshot;
  self->snapshot_epoch = epoch;
  self->snapshot_batch = batch;
  g_signal_emit (self, signals[SNAPSHOT], 0);
}

LlModel *
ll_document_get_snapshot (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->snapshot;
}

int
ll_document_get_snapshot_epoch (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), -1);
  return self->snapshot_epoch;
}

int
ll_document_get_snapshot_batch (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), -1);
  return self->snapshot_batch;
}

void
ll_document_clear_snapshots (LlDocument *self)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  drop_snapshots (self);
  g_signal_emit (self, signals[SNAPSHOT], 0);
}

void
ll_document_set_live_dropout (LlDocument *self, double rate)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  if (self->live_dropout == rate || (isnan (self->live_dropout) && isnan (rate)))
    return;
  self->live_dropout = rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE_DROPOUT]);
}

double
ll_document_get_live_dropout (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NAN);
  return self->live_dropout;
}

void
ll_document_set_snapshot_run (LlDocument *self, const char *run)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_free (self->snapshot_run);
  self->snapshot_run = g_strdup (run);
}

const char *
ll_document_get_snapshot_run (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->snapshot_run;
}

guint
ll_document_get_n_history (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), 0);
  return self->history->len;
}

LlModel *
ll_document_get_history (LlDocument *self, guint i, int *epoch, int *batch)
{
  HistoryEntry *e;

  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (i < self->history->len, NULL);
  e = g_ptr_array_index (self->history, i);
  if (epoch != NULL)
    *epoch = e->epoch;
  if (batch != NULL)
    *batch = e->batch;
  return e->model;
}

/* Drawn input -------------------------------------------------------- */

void
ll_document_set_drawn_input (LlDocument *self, const float *x28x28)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));

  g_clear_pointer (&self->drawn, g_free);
  if (x28x28 != NULL)
    self->drawn = g_memdup2 (x28x28, 28 * 28 * sizeof (float));
  g_signal_emit (self, signals[DRAWN_INPUT_CHANGED], 0);
}

const float *
ll_document_get_drawn_input (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->drawn;
}

/* Training run and explained unit ----------------------------------- */

void
ll_document_set_training_job (LlDocument *self, LlTrainingJob *job)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_return_if_fail (job == NULL || LL_IS_TRAINING_JOB (job));

  if (g_set_object (&self->training_job, job))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING_JOB]);
}

LlTrainingJob *
ll_document_get_training_job (LlDocument *self)
{
  g_return_val_if_fail (LL_IS_DOCUMENT (self), NULL);
  return self->training_job;
}

void
ll_document_explain_unit (LlDocument *self, int layer)
{
  g_return_if_fail (LL_IS_DOCUMENT (self));
  g_signal_emit (self, signals[UNIT_EXPLAINED], 0, layer);
}
