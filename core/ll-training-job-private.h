/* ll-training-job-private.h: what the tests read of a training job
 * beyond its public API. */
#pragma once

#include "ll-training-job.h"

G_BEGIN_DECLS

/* Times "progress" was emitted (for tests of the coalescing). */
guint ll_training_job_get_n_progress (LlTrainingJob *self);

G_END_DECLS
