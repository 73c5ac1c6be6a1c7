/* ll-lesson-watch.c: a lesson step's condition, observed on the document
 * and its training run. */
#include "config.h"

#include "ll-lesson-watch.h"

#include <glib/gi18n.h>
#include <math.h>

struct _LlLessonWatch
{
  GObject parent_instance;

  LlDocument *document;
  LlLessonCondition condition;   /* control not owned: only the kind, metric and value */
  LlTrainingJob *job;            /* the run watched, NULL when none */
  gboolean met;
  double fraction;
  char *status;
};

enum {
  MET,
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LlLessonWatch, ll_lesson_watch, G_TYPE_OBJECT)

void
ll_lesson_watch_satisfy (LlLessonWatch *self)
{
  g_return_if_fail (LL_IS_LESSON_WATCH (self));

  if (self->met)
    return;
  self->met = TRUE;
  g_signal_emit (self, signals[MET], 0);
}

static gboolean
past (const LlLessonCondition *c, double value)
{
  if (!isfinite (value))
    return FALSE;
  return c->below ? value < c->value : value > c->value;
}

static void
on_job_progress (LlTrainingJob *job, LlLessonWatch *self)
{
  LlTrainingProgress p;

  ll_training_job_get_progress (job, &p);
  if (p.n_batches <= 0 || p.epochs <= 0)
    return;
  self->fraction = CLAMP ((p.epoch + (p.batch + 1.0) / p.n_batches) / p.epochs, 0.0, 1.0);
  g_free (self->status);
  self->status = g_strdup_printf (_("Epoch %d/%d · loss %.3f · accuracy %.1f %%"),
                                  p.epoch + 1, p.epochs, p.loss, 100 * p.accuracy);
  g_signal_emit (self, signals[PROGRESS], 0, self->fraction);
  if (self->condition.kind == LL_LESSON_COND_METRIC)
    {
      /* The running means of the epoch, as Keras' progress bar shows them. */
      if ((self->condition.metric == LL_LESSON_METRIC_LOSS && past (&self->condition, p.loss))
          || (self->condition.metric == LL_LESSON_METRIC_ACCURACY
              && past (&self->condition, p.accuracy)))
        ll_lesson_watch_satisfy (self);
    }
}

static void
on_job_epoch (LlTrainingJob *job, int epoch, LlLessonWatch *self)
{
  g_autoptr(GArray) epochs = ll_training_job_dup_epochs (job);
  const LlEpochRecord *r;
  double value = NAN;

  if (self->condition.kind != LL_LESSON_COND_METRIC || epochs->len == 0)
    return;
  r = &g_array_index (epochs, LlEpochRecord, epochs->len - 1);
  switch (self->condition.metric)
    {
    case LL_LESSON_METRIC_LOSS: value = r->loss; break;
    case LL_LESSON_METRIC_ACCURACY: value = r->accuracy; break;
    case LL_LESSON_METRIC_VAL_LOSS: value = r->val_loss; break;
    case LL_LESSON_METRIC_VAL_ACCURACY: value = r->val_accuracy; break;
    default: return;
    }
  if (past (&self->condition, value))
    ll_lesson_watch_satisfy (self);
}

static void unwatch_job (LlLessonWatch *self);

static void
on_job_finished (LlTrainingJob *job, const GError *error, LlLessonWatch *self)
{
  double loss, accuracy;
  g_autoptr(LlLessonWatch) keep = g_object_ref (self);

  if (error == NULL)
    {
      self->fraction = 1.0;
      g_signal_emit (self, signals[PROGRESS], 0, self->fraction);
    }
  if (error == NULL && self->condition.kind == LL_LESSON_COND_TRAINING_FINISHED)
    ll_lesson_watch_satisfy (self);
  if (error == NULL && self->condition.kind == LL_LESSON_COND_METRIC
      && ll_training_job_get_test (job, &loss, &accuracy))
    {
      if ((self->condition.metric == LL_LESSON_METRIC_TEST_LOSS && past (&self->condition, loss))
          || (self->condition.metric == LL_LESSON_METRIC_TEST_ACCURACY
              && past (&self->condition, accuracy)))
        ll_lesson_watch_satisfy (self);
    }
  unwatch_job (self);
}

static void
unwatch_job (LlLessonWatch *self)
{
  if (self->job == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
}

/* A new run: the watch keeps its own reference, so the run's "finished"
 * reaches it even after the Train view has let go of the job. */
static void
on_training_job (LlDocument *document, GParamSpec *pspec, LlLessonWatch *self)
{
  LlTrainingJob *job = ll_document_get_training_job (document);

  if (job == NULL || job == self->job)
    return;
  unwatch_job (self);
  if (self->condition.kind == LL_LESSON_COND_TRAINING_STARTED)
    {
      ll_lesson_watch_satisfy (self);
      return;
    }
  if (self->condition.kind != LL_LESSON_COND_TRAINING_FINISHED
      && self->condition.kind != LL_LESSON_COND_METRIC)
    return;
  self->job = g_object_ref (job);
  self->fraction = 0;
  g_signal_connect (job, "progress", G_CALLBACK (on_job_progress), self);
  g_signal_connect (job, "epoch", G_CALLBACK (on_job_epoch), self);
  g_signal_connect (job, "finished", G_CALLBACK (on_job_finished), self);
}

static void
on_drawn (LlDocument *document, LlLessonWatch *self)
{
  if (ll_document_get_drawn_input (document) != NULL)
    ll_lesson_watch_satisfy (self);
}

static void
on_unit (LlDocument *document, int layer, LlLessonWatch *self)
{
  ll_lesson_watch_satisfy (self);
}

static void
ll_lesson_watch_dispose (GObject *object)
{
  LlLessonWatch *self = LL_LESSON_WATCH (object);

  unwatch_job (self);
  if (self->document != NULL)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (ll_lesson_watch_parent_class)->dispose (object);
}

static void
ll_lesson_watch_finalize (GObject *object)
{
  LlLessonWatch *self = LL_LESSON_WATCH (object);

  g_free (self->status);
  G_OBJECT_CLASS (ll_lesson_watch_parent_class)->finalize (object);
}

static void
ll_lesson_watch_class_init (LlLessonWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ll_lesson_watch_dispose;
  object_class->finalize = ll_lesson_watch_finalize;
  signals[MET] = g_signal_new ("met", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                               0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

static void
ll_lesson_watch_init (LlLessonWatch *self)
{
  self->fraction = -1;
}

LlLessonWatch *
ll_lesson_watch_new (LlDocument *document, const LlLessonCondition *condition)
{
  LlLessonWatch *self;

  g_return_val_if_fail (LL_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (condition != NULL, NULL);

  self = g_object_new (LL_TYPE_LESSON_WATCH, NULL);
  self->document = g_object_ref (document);
  self->condition = *condition;
  self->condition.control = NULL;
  switch (condition->kind)
    {
    case LL_LESSON_COND_TRAINING_STARTED:
    case LL_LESSON_COND_TRAINING_FINISHED:
    case LL_LESSON_COND_METRIC:
      g_signal_connect (document, "notify::training-job", G_CALLBACK (on_training_job), self);
      /* A run that is already going counts for "finished" and metrics,
       * not for "started". */
      if (condition->kind != LL_LESSON_COND_TRAINING_STARTED)
        on_training_job (document, NULL, self);
      break;
    case LL_LESSON_COND_DIGIT_DRAWN:
      g_signal_connect (document, "drawn-input-changed", G_CALLBACK (on_drawn), self);
      break;
    case LL_LESSON_COND_UNIT_CLICKED:
      g_signal_connect (document, "unit-explained", G_CALLBACK (on_unit), self);
      break;
    default:
      break;
    }
  return self;
}

gboolean
ll_lesson_watch_get_met (LlLessonWatch *self)
{
  g_return_val_if_fail (LL_IS_LESSON_WATCH (self), FALSE);
  return self->met;
}

double
ll_lesson_watch_get_fraction (LlLessonWatch *self)
{
  g_return_val_if_fail (LL_IS_LESSON_WATCH (self), -1);
  return self->fraction;
}

const char *
ll_lesson_watch_get_status (LlLessonWatch *self)
{
  g_return_val_if_fail (LL_IS_LESSON_WATCH (self), NULL);
  return self->status;
}
