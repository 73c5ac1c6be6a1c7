/* ll-augment.h: data augmentation, random distortions of training images.
 *
 * Applied to training batches only (through LlFitCallbacks'
 * transform_batch), drawn from the trainer's random stream so that a run
 * is reproducible from its seed; nothing of it is stored in the model.
 * The "digits" recipe makes MNIST look like what the Draw view feeds the
 * network: mouse strokes, tilted, thin or thick, preprocessed as a drawing. */
#pragma once

#include "ll-rng.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;           /* "digits": used on the command line */
  double p_keep;              /* fraction of images left as they are */
  double rotate;              /* degrees, uniform in ±rotate */
  double shear;               /* horizontal shear (slant), uniform in ±shear */
  double scale;               /* zoom, uniform in [1 − scale, 1 + scale] */
  double aspect;              /* width against height, factor in [1 − aspect, 1 + aspect] */
  double shift;               /* pixels, uniform in ±shift along x and y */
  double elastic_alpha;       /* Simard et al. 2003: displacement scale in pixels; 0: none */
  double elastic_sigma;       /* smoothing of the random field, pixels */
  double width_min;           /* strokes made w pixels wide (twice the ink over the length */
  double width_max;           /* of its outline), w uniform in [width_min, width_max]; 0: kept */
  double contrast;            /* edges sharpened, v → (v − t) / (1 − 2t), t uniform in [0, contrast] */
  double p_refit;             /* fraction fitted again as ll_digit_preprocess fits a drawing
                               * (box to 20×20, centre of mass in the middle; 28×28×1 only):
                               * shift and scale do not apply to these */
} LlAugment;

/* The known recipes by name, or NULL. */
const LlAugment   *ll_augment_lookup (const char *name);
/* NULL-terminated names of the known recipes. */
const char *const *ll_augment_names  (void);

/* Distorts one h × w × c image (HWC, values in [0, 1]) in place. */
void ll_augment_image (const LlAugment *aug, LlRng *rng, float *img, int h, int w, int c);
/* n images of h × w × c, one after another. */
void ll_augment_batch (const LlAugment *aug, LlRng *rng, float *x, int n, int h, int w, int c);

G_END_DECLS
