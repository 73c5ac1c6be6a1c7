/* bench-train.c: training speed (meson benchmark 'train'; prints figures,
 * never fails on timing).
 *
 * One epoch each, 2 threads (--threads N), on Fashion-MNIST from
 * /usr/share/datasets/fashion-mnist (else the shared MNIST, else generated
 * digits; the output says which):
 *   784-128-10 drop  batch 32   Adam      (seed 003: Dropout 0.2; issue 18)
 *   784-128-10       batch 32   Adam      (issue 2)
 *   784-512-512-10   batch 128  RMSprop   (issue 2)
 *   MNIST CNN        batch 128  Adam      (issue 3)
 *   CIFAR-10 CNN     batch 64   Adam      (issue 3; the cifar10-cnn preset of seed 004:
 *                    six 3×3 convolutions with batch norm, GAP, Dense 300) on
 *                    CIFAR_N generated 32×32×3 images: speed does not depend on
 *                    the pictures, and only a 258-image sample is on this machine
 * Each model runs in a child process so that its peak RSS (ru_maxrss) is its
 * own.  Also: ll_gemm's sgemm peak on 1024³, and the CNN's achieved GFLOP/s
 * (forward 2·M·N·K per GEMM of conv and dense layers, backward counted as
 * twice the forward) to see how far it is from that peak.
 *
 * The same models in PyTorch, for comparison: tools/bench-pytorch.py
 * (needs python3-torch and python3-numpy; not run by the tests), and both
 * side by side at 1 and 2 threads: tools/bench-compare.sh.
 *
 *   bench-train [--threads N] [--models PRESET,…] [--samples N] [--tsv]
 *
 * --tsv adds one tab-separated line per model for scripts:
 *   result PRESET SAMPLES/S GFLOP/S PEAK-RSS-MIB
 * and "peak GFLOP/S" for the sgemm peak. */
#include "ll-presets.h"
#include "ll-landscape.h"
#include "ll-gemm.h"
#include "ll-test-util.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define CIFAR_N 2560

static LlDataset *
load_data (const char **what)
{
  g_autofree char *images = g_build_filename (FASHION_DIR, "train-images-idx3-ubyte.gz", NULL);
  g_autofree char *labels = g_build_filename (FASHION_DIR, "train-labels-idx1-ubyte.gz", NULL);
  g_autoptr(GError) error = NULL;
  LlDataset *ds = NULL;

  if (g_file_test (images, G_FILE_TEST_EXISTS) && g_file_test (labels, G_FILE_TEST_EXISTS))
    ds = ll_dataset_load_idx (images, labels, &error);
  if (ds != NULL)
    {
      *what = "Fashion-MNIST (" FASHION_DIR ")";
      return ds;
    }
  if (error != NULL)
    printf ("# could not read Fashion-MNIST: %s\n", error->message);
  ds = ll_test_mnist (FALSE, 10000);
  *what = ll_test_shared_data () != NULL
          ? "shared MNIST (Fashion-MNIST not installed: apt install dataset-fashion-mnist)"
          : "generated digits (neither Fashion-MNIST nor ../shared/data present)";
  return ds;
}

/* Processor time of this process: with other work on the machine, wall
 * time alone says little. */
static double
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double
peak_rss_mib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;      /* KiB on Linux */
}

/* FLOPs of one training sample: conv and dense GEMMs, forward ×3. */
static double
train_flops_per_sample (const LlArch *arch)
{
  g_autoptr(GError) error = NULL;
  g_autofree LlShape *shapes = ll_arch_infer_shapes (arch, NULL, &error);
  double fwd = 0.0;

  g_assert_no_error (error);
  for (int i = 1; i < ll_arch_n_layers (arch); i++)
    {
      const LlLayerSpec *spec = ll_arch_layer (arch, i);
      const LlShape *in = &shapes[i - 1], *out = &shapes[i];
      if (spec->type == &ll_layer_dense)
        fwd += 2.0 * ll_shape_size (in) * out->d[0];
      else if (spec->type == &ll_layer_conv2d)
        {
          double k = ll_layer_spec_get (spec, "kernel_size", 3);
          fwd += 2.0 * out->d[0] * out->d[1] * out->d[2] * k * k * in->d[2];
        }
    }
  return 3.0 * fwd;
}

static int threads = 2;
static gboolean landscape;          /* --landscape */
static gboolean predict;            /* --predict */
static int samples;                 /* --samples: 0 for all */
static gboolean tsv;

static double
gemm_peak_gflops (void)
{
  const int n = 1024;
  g_autofree float *a = g_new (float, (gsize) n * n);
  g_autofree float *b = g_new (float, (gsize) n * n);
  g_autofree float *c = g_new0 (float, (gsize) n * n);
  double best = G_MAXDOUBLE;

  ll_test_fill_uniform (a, (gsize) n * n, -1, 1, 1);
  ll_test_fill_uniform (b, (gsize) n * n, -1, 1, 2);
  ll_gemm_set_threads (threads);
  ll_gemm (FALSE, FALSE, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
  for (int rep = 0; rep < 8; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      ll_gemm (FALSE, FALSE, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      best = MIN (best, (g_get_monotonic_time () - t0) / 1e6);
    }
  return 2.0 * n * n * (double) n / best / 1e9;
}

typedef struct {
  const char *label;
  const char *preset;
  int batch_size;
  gboolean cifar;               /* on generated 32×32×3 images */
} Bench;

static const Bench benches[] = {
  { "784-128-10 drop", "mlp-128-dropout", 32, FALSE },
  { "784-128-10", "fashion-mlp", 32, FALSE },
  { "784-512-512-10", "mlp-512-512", 128, FALSE },
  { "MNIST CNN", "mnist-cnn", 128, FALSE },
  { "CIFAR-10 CNN", "cifar10-cnn", 64, TRUE },
};

/* The Optimizers view's "loss landscape of the model" on the MNIST CNN:
 * 21 × 21 points, each the mean loss over 500 images (the view's figures). */
static void
run_landscape (const LlDataset *ds)
{
  g_autoptr(GError) error = NULL;
  LlFitConfig cfg;
  g_autoptr(LlArch) arch = ll_preset_build ("mnist-cnn", &cfg, &error);
  g_autoptr(LlModel) model = NULL;
  g_autoptr(LlLandscape) ls = NULL;
  g_autoptr(LlDataset) sub = NULL;
  g_autofree double *grid = NULL;
  double cpu0 = cpu_seconds ();
  gint64 t0;

  g_assert_no_error (error);
  ll_fit_config_clear (&cfg);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  ll_model_init_weights (model, 1);
  ll_gemm_set_threads (threads);
  sub = ll_dataset_slice (ds, 0, MIN (ds->n, 500));
  ls = ll_landscape_new (model, 1, &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  grid = ll_landscape_evaluate (ls, model, sub, LL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1.0, 21,
                                NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  printf ("%-16s 21 x 21 points x %d images  %6.1f s (cpu %6.1f s)  centre loss %.4f  peak RSS %6.1f MiB\n",
          "landscape", sub->n, (g_get_monotonic_time () - t0) / 1e6, cpu_seconds () - cpu0,
          grid[10 * 21 + 10], peak_rss_mib ());
  if (tsv)
    printf ("landscape\t%.2f\n", (g_get_monotonic_time () - t0) / 1e6);
}

/* In the child: one epoch, one result line; returns the achieved GFLOP/s. */
static double
run_bench (const Bench *b, const LlDataset *ds)
{
  g_autoptr(GError) error = NULL;
  LlFitConfig cfg;
  g_autoptr(LlArch) arch = ll_preset_build (b->preset, &cfg, &error);
  g_autoptr(LlTrainer) t = NULL;
  const LlEpochRecord *r;
  double flops, cpu0;
  LlModel *model;

  g_assert_no_error (error);
  model = ll_model_new (arch, &error);
  g_assert_no_error (error);
  cfg.epochs = 1;
  cfg.batch_size = b->batch_size;
  cfg.n_threads = threads;
  flops = train_flops_per_sample (arch);
  t = ll_trainer_new (model, &cfg);
  ll_fit_config_clear (&cfg);
  ll_trainer_reset (t);
  cpu0 = cpu_seconds ();
  if (!ll_trainer_fit (t, ds, NULL, NULL, NULL, NULL, &error))
    {
      printf ("%-16s failed: %s\n", b->label, error->message);
      return 0.0;
    }
  r = &g_array_index (ll_trainer_get_history (t), LlEpochRecord, 0);
  printf ("%-16s batch %4d  %-8s %9.0f samples/s  %6.1f s (cpu %6.1f s)  loss %.4f acc %.4f  "
          "%6.2f GFLOP/s  peak RSS %6.1f MiB\n",
          b->label, b->batch_size, ll_optim_names[ll_trainer_get_config (t)->optim.kind],
          r->samples_per_s, r->seconds, cpu_seconds () - cpu0, r->loss, r->accuracy,
          flops * r->samples_per_s / 1e9, peak_rss_mib ());
  if (predict)
    {
      /* The same images through the trained model in evaluation mode, in
       * the batches of 256 that Evaluate and the confusion matrix use. */
      enum { CHUNK = 256 };
      gsize sample = ll_dataset_sample_size (ds);
      LlShape out = ll_model_output_shape (model);
      g_autofree float *x = g_new (float, (gsize) CHUNK * sample);
      g_autofree float *probs = g_new (float, (gsize) CHUNK * ll_shape_size (&out));
      g_autofree gint32 *labels = g_new (gint32, CHUNK);
      g_autofree guint32 *idx = g_new (guint32, CHUNK);
      double busy = 0.0;

      for (int start = 0; start < ds->n; start += CHUNK)
        {
          int count = MIN (CHUNK, ds->n - start);
          gint64 t0;

          for (int i = 0; i < count; i++)
            idx[i] = start + i;
          ll_dataset_fill_batch (ds, idx, count, x, labels);
          t0 = g_get_monotonic_time ();
          g_assert_true (ll_model_predict (model, count, x, probs, &error));
          busy += (g_get_monotonic_time () - t0) / 1e6;
        }
      printf ("%-16s predict %9.0f samples/s (batches of %d, evaluation mode)\n", "",
              ds->n / busy, CHUNK);
      if (tsv)
        printf ("predict\t%s\t%.1f\n", b->preset, ds->n / busy);
    }
  {
    gsize workspace, planned = ll_model_planned_bytes (model, &workspace);
    printf ("%-16s planned %.1f MiB for batch %d (of which workspace %.1f MiB)\n", "",
            planned / 1048576.0, b->batch_size, workspace / 1048576.0);
  }
  if (tsv)
    printf ("result\t%s\t%.1f\t%.3f\t%.1f\n", b->preset, r->samples_per_s,
            flops * r->samples_per_s / 1e9, peak_rss_mib ());
  return flops * r->samples_per_s / 1e9;
}

int
main (int argc, char **argv)
{
  const char *what = NULL;
  g_autofree char *models = NULL;
  g_auto(GStrv) only = NULL;
  GOptionEntry entries[] = {
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default 2)", "N" },
    { "models", 0, 0, G_OPTION_ARG_STRING, &models, "Only these presets, comma-separated", "P,…" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "Train on the first N images (default: all)", "N" },
    { "landscape", 0, 0, G_OPTION_ARG_NONE, &landscape,
      "Time the Optimizers view's loss landscape (21 x 21 points, 500 images) of the MNIST CNN instead", NULL },
    { "predict", 0, 0, G_OPTION_ARG_NONE, &predict,
      "Also time prediction over the same images after the epoch (evaluation mode)", NULL },
    { "tsv", 0, 0, G_OPTION_ARG_NONE, &tsv, "Also print tab-separated result lines", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("- training speed");
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDataset) ds = NULL;
  double peak = 0.0;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error) || threads < 1)
    {
      fprintf (stderr, "bench-train: %s\n", error != NULL ? error->message : "--threads must be 1 or more");
      return 2;
    }
  if (models != NULL)
    only = g_strsplit (models, ",", -1);
  ds = load_data (&what);
  if (landscape)
    {
      run_landscape (ds);
      return 0;
    }
  if (samples > 0 && samples < ds->n)
    ds->n = samples;
  printf ("# bench-train: one epoch of %d images of %s, %d threads\n",
          ds->n, what, threads);
  printf ("# GFLOP/s counts conv/dense GEMMs, forward 2*M*N*K, backward 2x forward\n");
  fflush (stdout);

  /* Every measurement in its own child: separate peak RSS, and OpenBLAS
   * is first used after the fork. */
  for (int i = -1; i < (int) G_N_ELEMENTS (benches); i++)
    {
      int fds[2], status = 0;
      pid_t pid;
      double gflops = 0.0;

      if (i >= 0 && only != NULL && !g_strv_contains ((const char *const *) only, benches[i].preset))
        continue;
      g_assert_cmpint (pipe (fds), ==, 0);
      fflush (stdout);    /* or the child prints the parent's buffered lines again */
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          if (i < 0)
            {
              gflops = gemm_peak_gflops ();
              printf ("%-16s %.1f GFLOP/s (ll_gemm 1024x1024x1024, best of 8)\n", "sgemm peak", gflops);
              if (tsv)
                printf ("peak\t%.2f\n", gflops);
            }
          else if (benches[i].cifar)
            {
              g_autoptr(LlDataset) cifar = ll_test_synthetic (CIFAR_N, 32, 32, 3, 10, 4);
              gflops = run_bench (&benches[i], cifar);
            }
          else
            gflops = run_bench (&benches[i], ds);
          fflush (stdout);
          if (write (fds[1], &gflops, sizeof gflops) != sizeof gflops)
            _exit (1);
          _exit (0);
        }
      close (fds[1]);
      if (read (fds[0], &gflops, sizeof gflops) != sizeof gflops)
        gflops = 0.0;
      close (fds[0]);
      waitpid (pid, &status, 0);
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        printf ("%s: the child process failed (status %d)\n",
                i < 0 ? "sgemm" : benches[i].label, status);
      if (i < 0)
        peak = gflops;
      else if ((g_str_equal (benches[i].preset, "mnist-cnn") || benches[i].cifar) && peak > 0)
        printf ("# the %s runs at %.0f %% of the sgemm peak\n", benches[i].label, 100.0 * gflops / peak);
    }
  return 0;
}
