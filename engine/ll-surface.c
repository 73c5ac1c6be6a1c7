/* ll-surface.c: the Optimizers view's loss surfaces, the expression parser with
 * dual-number differentiation, and the optimizer race.
 *
 * The race keeps one float point per optimizer, exactly as a model keeps
 * its weights, so that ll_optim_step() sees the same types here as in
 * training: the race shows the engine's optimizers, not a copy. */
#include "ll-surface.h"
#include "ll-types.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* ---- Expression trees evaluated on dual numbers ---- */

typedef enum {
  NODE_NUM, NODE_X, NODE_Y, NODE_NEG,
  NODE_ADD, NODE_SUB, NODE_MUL, NODE_DIV, NODE_POW,
  NODE_SIN, NODE_COS, NODE_TAN, NODE_EXP, NODE_LOG, NODE_SQRT, NODE_ABS, NODE_TANH,
} NodeKind;

typedef struct _Node Node;
struct _Node {
  NodeKind kind;
  double value;     /* NODE_NUM */
  Node *a, *b;      /* operands; a alone for unary nodes */
};

/* A value with its partial derivatives d/dx and d/dy. */
typedef struct {
  double v, dx, dy;
} Dual;

static void
node_free (Node *n)
{
  if (n == NULL)
    return;
  node_free (n->a);
  node_free (n->b);
  g_free (n);
}

static Node *
node_new (NodeKind kind, Node *a, Node *b)
{
  Node *n = g_new0 (Node, 1);
  n->kind = kind;
  n->a = a;
  n->b = b;
  return n;
}

/* f(a) with f' = d: chain rule for one-argument functions. */
static inline Dual
dual_chain (Dual a, double f, double d)
{
  Dual r = { f, d * a.dx, d * a.dy };
  return r;
}

static Dual
node_eval (const Node *n, double x, double y)
{
  Dual a, b, r = { 0, 0, 0 };

  switch (n->kind)
    {
    case NODE_NUM:
      r.v = n->value;
      return r;
    case NODE_X:
      r.v = x, r.dx = 1;
      return r;
    case NODE_Y:
      r.v = y, r.dy = 1;
      return r;
    default:
      break;
    }

  a = node_eval (n->a, x, y);
  switch (n->kind)
    {
    case NODE_NEG:  return dual_chain (a, -a.v, -1);
    case NODE_SIN:  return dual_chain (a, sin (a.v), cos (a.v));
    case NODE_COS:  return dual_chain (a, cos (a.v), -sin (a.v));
    case NODE_TAN:  return dual_chain (a, tan (a.v), 1 + tan (a.v) * tan (a.v));
    case NODE_EXP:  return dual_chain (a, exp (a.v), exp (a.v));
    case NODE_LOG:  return dual_chain (a, log (a.v), 1 / a.v);
    case NODE_SQRT: return dual_chain (a, sqrt (a.v), 0.5 / sqrt (a.v));
    /* The kink of |a| gets derivative 0, as frameworks do. */
    case NODE_ABS:  return dual_chain (a, fabs (a.v), a.v > 0 ? 1 : a.v < 0 ? -1 : 0);
    case NODE_TANH: return dual_chain (a, tanh (a.v), 1 - tanh (a.v) * tanh (a.v));
    default:
      break;
    }

  b = node_eval (n->b, x, y);
  switch (n->kind)
    {
    case NODE_ADD:
      r.v = a.v + b.v, r.dx = a.dx + b.dx, r.dy = a.dy + b.dy;
      break;
    case NODE_SUB:
      r.v = a.v - b.v, r.dx = a.dx - b.dx, r.dy = a.dy - b.dy;
      break;
    case NODE_MUL:
      r.v = a.v * b.v;
      r.dx = a.dx * b.v + a.v * b.dx;
      r.dy = a.dy * b.v + a.v * b.dy;
      break;
    case NODE_DIV:
      r.v = a.v / b.v;
      r.dx = (a.dx * b.v - a.v * b.dx) / (b.v * b.v);
      r.dy = (a.dy * b.v - a.v * b.dy) / (b.v * b.v);
      break;
    case NODE_POW:
      r.v = pow (a.v, b.v);
      if (b.dx == 0 && b.dy == 0)
        {
          /* Constant exponent: the power rule works for negative bases
           * (x^2 at x < 0), where exp(b log a) would not. */
          double d = b.v == 0 ? 0 : b.v * pow (a.v, b.v - 1);
          r.dx = d * a.dx, r.dy = d * a.dy;
        }
      else
        {
          double la = log (a.v);
          r.dx = r.v * (b.dx * la + b.v * a.dx / a.v);
          r.dy = r.v * (b.dy * la + b.v * a.dy / a.v);
        }
      break;
    default:
      g_assert_not_reached ();
    }
  return r;
}

/* ---- Recursive-descent parser ----
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary (('^' | '**') unary)?      right-associative
 *   primary := number | x | y | pi | e | func '(' expr ')' | '(' expr ')'
 */

typedef struct {
  const char *text;
  const char *p;
  int depth;
  GError **error;
} Parser;

static const struct {
  const char *name;
  NodeKind kind;
} functions[] = {
  { "sin", NODE_SIN }, { "cos", NODE_COS }, { "tan", NODE_TAN },
  { "exp", NODE_EXP }, { "log", NODE_LOG }, { "sqrt", NODE_SQRT },
  { "abs", NODE_ABS }, { "tanh", NODE_TANH },
};

static Node *parse_expr (Parser *ps);
static Node *parse_unary (Parser *ps);

static int
parser_column (Parser *ps, const char *at)
{
  return (int) g_utf8_strlen (ps->text, at - ps->text) + 1;
}

static void
skip_space (Parser *ps)
{
  while (g_ascii_isspace (*ps->p))
    ps->p++;
}

/* Describes the token at p for messages: "')'", "'foo'", "the end". */
static char *
describe_token (const char *p)
{
  if (*p == '\0')
    return g_strdup ("end of expression");
  if (g_ascii_isalpha (*p))
    {
      const char *q = p;
      while (g_ascii_isalnum (*q) || *q == '_')
        q++;
      return g_strdup_printf ("'%.*s'", (int) (q - p), p);
    }
  return g_strdup_printf ("'%.*s'", (int) (g_utf8_next_char (p) - p), p);
}

static Node *
fail_unexpected (Parser *ps, const char *expected)
{
  g_autofree char *what = describe_token (ps->p);
  if (ps->error && *ps->error == NULL)
    g_set_error (ps->error, LL_ERROR, LL_ERROR_INVALID,
                 _("unexpected %s at column %d: expected %s"),
                 what, parser_column (ps, ps->p), expected);
  return NULL;
}

static gboolean
enter (Parser *ps)
{
  if (++ps->depth > LL_SURFACE_MAX_DEPTH)
    {
      if (ps->error && *ps->error == NULL)
        g_set_error (ps->error, LL_ERROR, LL_ERROR_INVALID,
                     _("expression nested too deeply at column %d (at most %d levels): simplify it"),
                     parser_column (ps, ps->p), LL_SURFACE_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static Node *
parse_primary (Parser *ps)
{
  const char *start;

  skip_space (ps);
  start = ps->p;

  if (g_ascii_isdigit (*ps->p) || (*ps->p == '.' && g_ascii_isdigit (ps->p[1])))
    {
      char *end = NULL;
      double v = g_ascii_strtod (ps->p, &end);
      Node *n;

      if (end == ps->p || !isfinite (v))
        {
          g_set_error (ps->error, LL_ERROR, LL_ERROR_INVALID,
                       _("number at column %d is too large: use at most 1e300"),
                       parser_column (ps, ps->p));
          return NULL;
        }
      ps->p = end;
      n = node_new (NODE_NUM, NULL, NULL);
      n->value = v;
      return n;
    }

  if (g_ascii_isalpha (*ps->p))
    {
      g_autofree char *name = NULL;
      const char *q = ps->p;

      while (g_ascii_isalnum (*q) || *q == '_')
        q++;
      name = g_strndup (ps->p, q - ps->p);
      ps->p = q;

      if (strcmp (name, "x") == 0)
        return node_new (NODE_X, NULL, NULL);
      if (strcmp (name, "y") == 0)
        return node_new (NODE_Y, NULL, NULL);
      if (strcmp (name, "pi") == 0 || strcmp (name, "e") == 0)
        {
          Node *n = node_new (NODE_NUM, NULL, NULL);
          n->value = name[0] == 'p' ? G_PI : G_E;
          return n;
        }
      for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
        if (strcmp (name, functions[i].name) == 0)
          {
            Node *arg;

            skip_space (ps);
            if (*ps->p != '(')
              {
                g_autofree char *msg = g_strdup_printf ("'(' after '%s'", name);
                return fail_unexpected (ps, msg);
              }
            ps->p++;
            arg = parse_expr (ps);
            if (arg == NULL)
              return NULL;
            skip_space (ps);
            if (*ps->p != ')')
              {
                node_free (arg);
                return fail_unexpected (ps, "')'");
              }
            ps->p++;
            return node_new (functions[i].kind, arg, NULL);
          }

      if (ps->error && *ps->error == NULL)
        g_set_error (ps->error, LL_ERROR, LL_ERROR_INVALID,
                     _("unknown name '%s' at column %d: use x, y, pi, e or a function "
                     "(sin cos tan exp log sqrt abs tanh)"),
                     name, parser_column (ps, start));
      return NULL;
    }

  if (*ps->p == '(')
    {
      Node *inner;

      ps->p++;
      inner = parse_expr (ps);
      if (inner == NULL)
        return NULL;
      skip_space (ps);
      if (*ps->p != ')')
        {
          g_autofree char *msg =
            g_strdup_printf ("')' to close the '(' at column %d", parser_column (ps, start));
          node_free (inner);
          return fail_unexpected (ps, msg);
        }
      ps->p++;
      return inner;
    }

  return fail_unexpected (ps, "a number, x, y, a function or '('");
}

static Node *
parse_power (Parser *ps)
{
  Node *base = parse_primary (ps), *expo;

  if (base == NULL)
    return NULL;
  skip_space (ps);
  if (*ps->p == '^' || (ps->p[0] == '*' && ps->p[1] == '*'))
    {
      ps->p += *ps->p == '^' ? 1 : 2;
      expo = parse_unary (ps);
      if (expo == NULL)
        {
          node_free (base);
          return NULL;
        }
      return node_new (NODE_POW, base, expo);
    }
  return base;
}

static Node *
parse_unary (Parser *ps)
{
  Node *n;

  if (!enter (ps))
    return NULL;
  skip_space (ps);
  if (*ps->p == '-' || *ps->p == '+')
    {
      gboolean neg = *ps->p == '-';
      ps->p++;
      n = parse_unary (ps);
      if (n != NULL && neg)
        n = node_new (NODE_NEG, n, NULL);
    }
  else
    n = parse_power (ps);
  ps->depth--;
  return n;
}

static Node *
parse_term (Parser *ps)
{
  Node *left = parse_unary (ps);

  while (left != NULL)
    {
      NodeKind kind;
      Node *right;

      skip_space (ps);
      if (*ps->p == '*' && ps->p[1] != '*')
        kind = NODE_MUL;
      else if (*ps->p == '/')
        kind = NODE_DIV;
      else if (g_ascii_isalnum (*ps->p) || *ps->p == '(')
        {
          /* "2x" or "x y": say how to write it rather than "unexpected". */
          node_free (left);
          return fail_unexpected (ps, "an operator (write 2*x, not 2x)");
        }
      else
        break;
      ps->p++;
      right = parse_unary (ps);
      if (right == NULL)
        {
          node_free (left);
          return NULL;
        }
      left = node_new (kind, left, right);
    }
  return left;
}

static Node *
parse_expr (Parser *ps)
{
  Node *left;

  if (!enter (ps))
    return NULL;
  left = parse_term (ps);
  while (left != NULL)
    {
      NodeKind kind;
      Node *right;

      skip_space (ps);
      if (*ps->p == '+')
        kind = NODE_ADD;
      else if (*ps->p == '-')
        kind = NODE_SUB;
      else
        break;
      ps->p++;
      right = parse_term (ps);
      if (right == NULL)
        {
          node_free (left);
          left = NULL;
          break;
        }
      left = node_new (kind, left, right);
    }
  ps->depth--;
  return left;
}

/* ---- Surfaces ---- */

struct _LlSurface {
  LlSurfaceKind kind;
  char *name;
  Node *tree;                   /* LL_SURFACE_EXPRESSION */
  double *grid;                 /* LL_SURFACE_GRID: grid_n × grid_n samples */
  int grid_n;
  double view[4];               /* x_min, x_max, y_min, y_max */
  double start[2];
  double minima[8];
  guint n_minima;
  gboolean log_levels;
};

typedef struct {
  const char *name;
  double view[4];
  double start[2];
  guint n_minima;
  double minima[8];
  gboolean log_levels;
} SurfaceInfo;

static const SurfaceInfo surface_info[LL_N_SURFACES] = {
  [LL_SURFACE_BOWL]       = { "Ill-conditioned bowl", { -4.5, 4.5, -3, 3 }, { -4, 2.5 },
                              1, { 0, 0 }, FALSE },
  [LL_SURFACE_ROSENBROCK] = { "Rosenbrock", { -2, 2, -1, 3 }, { -1.2, 1 },
                              1, { 1, 1 }, TRUE },
  [LL_SURFACE_BEALE]      = { "Beale", { -4.5, 4.5, -4.5, 4.5 }, { 1, 1.5 },
                              1, { 3, 0.5 }, TRUE },
  [LL_SURFACE_HIMMELBLAU] = { "Himmelblau", { -5, 5, -5, 5 }, { -0.3, -0.9 },
                              4, { 3, 2, -2.805118, 3.131312, -3.779310, -3.283186,
                                   3.584428, -1.848126 }, TRUE },
  [LL_SURFACE_SADDLE]     = { "Saddle x\xc2\xb2 \xe2\x88\x92 y\xc2\xb2", { -2, 2, -2, 2 },
                              { -1.8, 0.01 }, 0, { 0 }, FALSE },
  [LL_SURFACE_RASTRIGIN]  = { "Rastrigin", { -5.12, 5.12, -5.12, 5.12 }, { -4.3, 4.6 },
                              1, { 0, 0 }, FALSE },
  [LL_SURFACE_EXPRESSION] = { "Expression", { -3, 3, -3, 3 }, { -2.5, 2 }, 0, { 0 }, FALSE },
  [LL_SURFACE_GRID]       = { "Loss landscape", { -1, 1, -1, 1 }, { 0, 0 }, 0, { 0 }, FALSE },
};

const char *
ll_surface_kind_name (LlSurfaceKind kind)
{
  g_return_val_if_fail (kind < LL_N_SURFACES, NULL);
  return surface_info[kind].name;
}

static LlSurface *
surface_alloc (LlSurfaceKind kind)
{
  LlSurface *s = g_atomic_rc_box_new0 (LlSurface);
  const SurfaceInfo *info = &surface_info[kind];

  s->kind = kind;
  s->name = g_strdup (info->name);
  memcpy (s->view, info->view, sizeof s->view);
  memcpy (s->start, info->start, sizeof s->start);
  memcpy (s->minima, info->minima, sizeof s->minima);
  s->n_minima = info->n_minima;
  s->log_levels = info->log_levels;
  return s;
}

LlSurface *
ll_surface_new (LlSurfaceKind kind)
{
  g_return_val_if_fail (kind < LL_SURFACE_EXPRESSION, NULL);
  return surface_alloc (kind);
}

/* The lowest grid point of the view, refined by finer local grids, counts
 * as the minimum when it is not on the border (otherwise the surface falls
 * away out of view and there is nothing to mark). */
static void
expression_find_minimum (LlSurface *s)
{
  const int n = 80;
  double hx = (s->view[1] - s->view[0]) / n, hy = (s->view[3] - s->view[2]) / n;
  double best = INFINITY, bx = 0, by = 0;
  int bi = 0, bj = 0;

  for (int j = 0; j <= n; j++)
    for (int i = 0; i <= n; i++)
      {
        double x = s->view[0] + i * hx, y = s->view[2] + j * hy;
        double v = ll_surface_eval (s, x, y, NULL, NULL);
        if (v < best)
          best = v, bx = x, by = y, bi = i, bj = j;
      }
  if (!isfinite (best) || bi == 0 || bj == 0 || bi == n || bj == n)
    return;

  for (int round = 0; round < 4; round++)
    {
      double cx = bx, cy = by;
      for (int j = -5; j <= 5; j++)
        for (int i = -5; i <= 5; i++)
          {
            double x = cx + i * hx / 5, y = cy + j * hy / 5;
            double v = ll_surface_eval (s, x, y, NULL, NULL);
            if (v < best)
              best = v, bx = x, by = y;
          }
      hx /= 5, hy /= 5;
    }
  s->minima[0] = bx;
  s->minima[1] = by;
  s->n_minima = 1;
}

LlSurface *
ll_surface_new_expression (const char *text, GError **error)
{
  Parser ps = { text, text, 0, error };
  Node *tree;
  LlSurface *s;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strlen (text) > LL_SURFACE_MAX_EXPRESSION)
    {
      g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                   _("expression too long (%zu characters, at most %d): shorten it"),
                   strlen (text), LL_SURFACE_MAX_EXPRESSION);
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, LL_ERROR, LL_ERROR_INVALID,
                           _("expression is not valid UTF-8 text: retype it"));
      return NULL;
    }

  tree = parse_expr (&ps);
  if (tree == NULL)
    return NULL;
  skip_space (&ps);
  if (*ps.p != '\0')
    {
      node_free (tree);
      if (*ps.p == ')')
        g_set_error (error, LL_ERROR, LL_ERROR_INVALID,
                     _("unexpected ')' at column %d: it closes no '('; remove it or add a '(' before"),
                     parser_column (&ps, ps.p));
      else
        fail_unexpected (&ps, "an operator");
      return NULL;
    }

  s = surface_alloc (LL_SURFACE_EXPRESSION);
  g_free (s->name);
  s->name = g_strdup (text);
  s->tree = tree;
  expression_find_minimum (s);
  return s;
}

LlSurface *
ll_surface_ref (LlSurface *surface)
{
  g_return_val_if_fail (surface != NULL, NULL);
  return g_atomic_rc_box_acquire (surface);
}

static void
surface_clear (gpointer data)
{
  LlSurface *s = data;
  g_free (s->name);
  node_free (s->tree);
  g_free (s->grid);
}

LlSurface *
ll_surface_new_grid (const char *name, const double *values, int n, double span)
{
  LlSurface *s;
  double best = INFINITY;

  g_return_val_if_fail (values != NULL && n >= 2 && span > 0, NULL);

  s = surface_alloc (LL_SURFACE_GRID);
  if (name != NULL)
    {
      g_free (s->name);
      s->name = g_strdup (name);
    }
  s->grid = g_memdup2 (values, (gsize) n * n * sizeof (double));
  s->grid_n = n;
  s->view[0] = s->view[2] = -span;
  s->view[1] = s->view[3] = span;
  for (int k = 0; k < n * n; k++)
    if (values[k] < best)
      {
        best = values[k];
        s->minima[0] = -span + 2 * span * (k % n) / (n - 1);
        s->minima[1] = -span + 2 * span * (k / n) / (n - 1);
        s->n_minima = 1;
      }
  return s;
}

static double
grid_eval (const LlSurface *s, double x, double y, double *gx, double *gy)
{
  int n = s->grid_n, i, j;
  double h = (s->view[1] - s->view[0]) / (n - 1);
  double u = (x - s->view[0]) / h, v = (y - s->view[2]) / h;
  double a, b, c, d;

  /* Flat beyond the samples (zero gradient there): the landscape is not
   * known outside, and extrapolating would invent slopes. */
  i = CLAMP ((int) floor (u), 0, n - 2);
  j = CLAMP ((int) floor (v), 0, n - 2);
  u = CLAMP (u - i, 0, 1);
  v = CLAMP (v - j, 0, 1);
  a = s->grid[j * n + i];
  b = s->grid[j * n + i + 1];
  c = s->grid[(j + 1) * n + i];
  d = s->grid[(j + 1) * n + i + 1];
  *gx = ((b - a) * (1 - v) + (d - c) * v) / h;
  *gy = ((c - a) * (1 - u) + (d - b) * u) / h;
  return a * (1 - u) * (1 - v) + b * u * (1 - v) + c * (1 - u) * v + d * u * v;
}

void
ll_surface_unref (LlSurface *surface)
{
  if (surface != NULL)
    g_atomic_rc_box_release_full (surface, surface_clear);
}

LlSurfaceKind
ll_surface_get_kind (const LlSurface *surface)
{
  return surface->kind;
}

const char *
ll_surface_get_name (const LlSurface *surface)
{
  return surface->name;
}

double
ll_surface_eval (const LlSurface *s, double x, double y, double *dx, double *dy)
{
  double f, gx, gy;

  switch (s->kind)
    {
    case LL_SURFACE_BOWL:
      f = 0.5 * (x * x + 10 * y * y);
      gx = x;
      gy = 10 * y;
      break;
    case LL_SURFACE_ROSENBROCK:
      {
        double a = 1 - x, b = y - x * x;
        f = a * a + 100 * b * b;
        gx = -2 * a - 400 * x * b;
        gy = 200 * b;
      }
      break;
    case LL_SURFACE_BEALE:
      {
        double y2 = y * y, y3 = y2 * y;
        double t1 = 1.5 - x + x * y, t2 = 2.25 - x + x * y2, t3 = 2.625 - x + x * y3;
        f = t1 * t1 + t2 * t2 + t3 * t3;
        gx = 2 * (t1 * (y - 1) + t2 * (y2 - 1) + t3 * (y3 - 1));
        gy = 2 * x * (t1 + 2 * y * t2 + 3 * y2 * t3);
      }
      break;
    case LL_SURFACE_HIMMELBLAU:
      {
        double a = x * x + y - 11, b = x + y * y - 7;
        f = a * a + b * b;
        gx = 4 * x * a + 2 * b;
        gy = 2 * a + 4 * y * b;
      }
      break;
    case LL_SURFACE_SADDLE:
      f = x * x - y * y;
      gx = 2 * x;
      gy = -2 * y;
      break;
    case LL_SURFACE_RASTRIGIN:
      f = 20 + x * x - 10 * cos (2 * G_PI * x) + y * y - 10 * cos (2 * G_PI * y);
      gx = 2 * x + 20 * G_PI * sin (2 * G_PI * x);
      gy = 2 * y + 20 * G_PI * sin (2 * G_PI * y);
      break;
    case LL_SURFACE_EXPRESSION:
      {
        Dual d = node_eval (s->tree, x, y);
        f = d.v, gx = d.dx, gy = d.dy;
      }
      break;
    case LL_SURFACE_GRID:
      f = grid_eval (s, x, y, &gx, &gy);
      break;
    default:
      g_assert_not_reached ();
    }

  if (dx != NULL)
    *dx = gx;
  if (dy != NULL)
    *dy = gy;
  return f;
}

void
ll_surface_get_view (const LlSurface *s, double *x_min, double *x_max,
                     double *y_min, double *y_max)
{
  *x_min = s->view[0];
  *x_max = s->view[1];
  *y_min = s->view[2];
  *y_max = s->view[3];
}

guint
ll_surface_get_minima (const LlSurface *s, const double **xy)
{
  if (xy != NULL)
    *xy = s->minima;
  return s->n_minima;
}

void
ll_surface_get_start (const LlSurface *s, double *x, double *y)
{
  *x = s->start[0];
  *y = s->start[1];
}

gboolean
ll_surface_prefers_log_levels (const LlSurface *s)
{
  return s->log_levels;
}

/* ---- The race ---- */

#define FIXES(h) (1u << (h))

/* The entries: an optimizer each, SGD three times, told apart by the
 * hyperparameters they fix (the Optimizers view offers the others). */
static const struct {
  const char *name;
  LlOptimKind kind;
  guint32 fixed;                  /* FIXES (LlHyper) */
} race_entries[LL_RACE_N_ENTRIES] = {
  { "SGD",      LL_OPTIM_SGD,      FIXES (LL_HYPER_MOMENTUM) | FIXES (LL_HYPER_NESTEROV) },
  { "Momentum", LL_OPTIM_SGD,      FIXES (LL_HYPER_NESTEROV) },
  { "Nesterov", LL_OPTIM_SGD,      FIXES (LL_HYPER_NESTEROV) },
  { "Adagrad",  LL_OPTIM_ADAGRAD,  0 },
  { "Adadelta", LL_OPTIM_ADADELTA, 0 },
  { "RMSprop",  LL_OPTIM_RMSPROP,  0 },
  { "Adam",     LL_OPTIM_ADAM,     0 },
  { "Adamax",   LL_OPTIM_ADAMAX,   0 },
  { "Nadam",    LL_OPTIM_NADAM,    0 },
};

typedef struct {
  LlOptimConfig config;
  float *state;
  float *path;        /* (max_steps + 1) * 2 */
  double *losses;     /* max_steps + 1 */
  guint n_points;
  int reached;        /* step count when within tolerance, or -1 */
  gboolean diverged;
} RaceEntry;

struct _LlRace {
  LlSurface *surface;
  guint max_steps;
  guint n_steps;
  double start[2];
  double tolerance;
  RaceEntry entries[LL_RACE_N_ENTRIES];
};

const char *
ll_race_entry_name (guint entry)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, NULL);
  return race_entries[entry].name;
}

LlOptimKind
ll_race_entry_kind (guint entry)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, LL_OPTIM_SGD);
  return race_entries[entry].kind;
}

gboolean
ll_race_entry_fixes (guint   entry,
                     LlHyper hyper)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, TRUE);
  return (race_entries[entry].fixed & FIXES (hyper)) != 0;
}

/* Learning rates per surface: plain and momentum SGD step in proportion to
 * the gradient, so theirs follow the surface's curvature; the adaptive
 * methods step about lr per update, so theirs follow the view's size. */
static const struct {
  double sgd;
  double adaptive;
} surface_rates[LL_N_SURFACES] = {
  [LL_SURFACE_BOWL]       = { 0.05,   0.1 },
  [LL_SURFACE_ROSENBROCK] = { 0.001,  0.02 },
  [LL_SURFACE_BEALE]      = { 0.002,  0.05 },
  [LL_SURFACE_HIMMELBLAU] = { 0.005,  0.1 },
  [LL_SURFACE_SADDLE]     = { 0.05,   0.05 },
  [LL_SURFACE_RASTRIGIN]  = { 0.002,  0.1 },
  [LL_SURFACE_EXPRESSION] = { 0.02,   0.05 },
  [LL_SURFACE_GRID]       = { 0.02,   0.05 },
};

/* Per-optimizer rates where one adaptive rate does not fit (0: derived as
 * in ll_race_default_config()).  Rosenbrock from (−1.2, 1), loss 24.2,
 * 500 steps (the preset), measured with the race:
 *  - SGD 0.002 reaches loss 0.37; 0.005 stalls, 0.01 diverges.
 *  - Momentum and Nesterov 0.001 reach 0.002; Nesterov diverges at 0.003.
 *  - Adagrad 1.0 reaches 0.24 (0.1: 2.9): its steps shrink as 1/sqrt(t).
 *  - Adadelta stays at its intended lr 1 (1.4).
 *  - RMSprop 0.01 reaches 0.11 and jitters less than at 0.02 and above.
 *  - Adam and Nadam 0.1 reach 0.016 and 0.001 (0.02: 1.8, hardly past the
 *    valley's entrance); Adamax, whose steps are smaller, 0.5: 0.13. */
static const double entry_rates[LL_N_SURFACES][LL_RACE_N_ENTRIES] = {
  [LL_SURFACE_ROSENBROCK] = { 0.002, 0.001, 0.001, 1.0, 1.0, 0.01, 0.1, 0.5, 0.1 },
};

LlOptimConfig
ll_race_default_config (LlSurfaceKind kind, guint entry)
{
  LlOptimConfig cfg;
  double sgd, adaptive;

  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, ll_optim_config_default (LL_OPTIM_SGD));
  if (kind >= LL_N_SURFACES)
    kind = LL_SURFACE_EXPRESSION;
  sgd = surface_rates[kind].sgd;
  adaptive = surface_rates[kind].adaptive;

  cfg = ll_optim_config_default (race_entries[entry].kind);
  switch (entry)
    {
    case 0:
      cfg.learning_rate = sgd;
      break;
    case 1:
    case 2:
      cfg.learning_rate = sgd;
      cfg.momentum = 0.9;
      cfg.nesterov = entry == 2;
      break;
    case 3:
      /* Adagrad's steps shrink as 1/sqrt(t): start it larger. */
      cfg.learning_rate = 5 * adaptive;
      break;
    case 4:
      /* Adadelta is meant to run at lr 1 (Zeiler 2012); Keras' 1e-7 epsilon
       * would make its first steps invisibly small on a 2-D map. */
      cfg.learning_rate = 1.0;
      cfg.epsilon = 1e-4;
      break;
    default:
      cfg.learning_rate = adaptive;
      break;
    }
  if (entry_rates[kind][entry] > 0)
    cfg.learning_rate = entry_rates[kind][entry];
  return cfg;
}

static void
race_entry_reset (LlRace *race, RaceEntry *e)
{
  ll_optim_state_init (&e->config, 2, e->state);
  e->path[0] = (float) race->start[0];
  e->path[1] = (float) race->start[1];
  e->losses[0] = ll_surface_eval (race->surface, e->path[0], e->path[1], NULL, NULL);
  e->n_points = 1;
  e->reached = -1;
  e->diverged = FALSE;
}

static gboolean
race_near_minimum (LlRace *race, const float *p)
{
  const double *m;
  guint n = ll_surface_get_minima (race->surface, &m);

  for (guint i = 0; i < n; i++)
    if (hypot (p[0] - m[2 * i], p[1] - m[2 * i + 1]) <= race->tolerance)
      return TRUE;
  return FALSE;
}

LlRace *
ll_race_new (LlSurface *surface, guint max_steps)
{
  LlRace *race;
  double v[4];

  g_return_val_if_fail (surface != NULL, NULL);
  g_return_val_if_fail (max_steps > 0 && max_steps < (1u << 24), NULL);

  race = g_new0 (LlRace, 1);
  race->surface = ll_surface_ref (surface);
  race->max_steps = max_steps;
  ll_surface_get_start (surface, &race->start[0], &race->start[1]);
  ll_surface_get_view (surface, &v[0], &v[1], &v[2], &v[3]);
  race->tolerance = 1e-2 * hypot (v[1] - v[0], v[3] - v[2]);

  for (guint i = 0; i < LL_RACE_N_ENTRIES; i++)
    {
      RaceEntry *e = &race->entries[i];
      e->config = ll_race_default_config (ll_surface_get_kind (surface), i);
      e->state = g_new0 (float, ll_optim_state_size (&e->config, 2));
      e->path = g_new (float, 2 * ((gsize) max_steps + 1));
      e->losses = g_new (double, (gsize) max_steps + 1);
    }
  ll_race_reset (race);
  return race;
}

void
ll_race_free (LlRace *race)
{
  if (race == NULL)
    return;
  for (guint i = 0; i < LL_RACE_N_ENTRIES; i++)
    {
      g_free (race->entries[i].state);
      g_free (race->entries[i].path);
      g_free (race->entries[i].losses);
    }
  ll_surface_unref (race->surface);
  g_free (race);
}

LlSurface *
ll_race_get_surface (LlRace *race)
{
  return race->surface;
}

void
ll_race_reset (LlRace *race)
{
  race->n_steps = 0;
  for (guint i = 0; i < LL_RACE_N_ENTRIES; i++)
    race_entry_reset (race, &race->entries[i]);
  for (guint i = 0; i < LL_RACE_N_ENTRIES; i++)
    if (race_near_minimum (race, race->entries[i].path))
      race->entries[i].reached = 0;
}

void
ll_race_set_start (LlRace *race, double x, double y)
{
  g_return_if_fail (isfinite (x) && isfinite (y));
  race->start[0] = x;
  race->start[1] = y;
  ll_race_reset (race);
}

void
ll_race_get_start (LlRace *race, double *x, double *y)
{
  *x = race->start[0];
  *y = race->start[1];
}

const LlOptimConfig *
ll_race_get_config (LlRace *race, guint entry)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, NULL);
  return &race->entries[entry].config;
}

gboolean
ll_race_set_config (LlRace *race, guint entry, const LlOptimConfig *cfg, GError **error)
{
  RaceEntry *e;

  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, FALSE);
  g_return_val_if_fail (cfg != NULL, FALSE);
  if (!ll_optim_config_validate (cfg, error))
    return FALSE;

  e = &race->entries[entry];
  e->config = *cfg;
  g_free (e->state);
  e->state = g_new0 (float, ll_optim_state_size (&e->config, 2));
  ll_race_reset (race);
  return TRUE;
}

void
ll_race_set_tolerance (LlRace *race, double tolerance)
{
  g_return_if_fail (tolerance > 0);
  race->tolerance = tolerance;
  ll_race_reset (race);
}

double
ll_race_get_tolerance (LlRace *race)
{
  return race->tolerance;
}

gboolean
ll_race_step (LlRace *race)
{
  double v[4], reach;

  if (race->n_steps >= race->max_steps)
    return FALSE;

  /* A point this far out has left any picture: stop it rather than let it
   * overflow into Inf and NaN. */
  ll_surface_get_view (race->surface, &v[0], &v[1], &v[2], &v[3]);
  reach = 1e3 * (fabs (v[0]) + fabs (v[1]) + fabs (v[2]) + fabs (v[3]) + 1);

  race->n_steps++;
  for (guint i = 0; i < LL_RACE_N_ENTRIES; i++)
    {
      RaceEntry *e = &race->entries[i];
      float x[2], g[2];
      double gx, gy, loss;

      if (e->diverged)
        continue;
      memcpy (x, e->path + 2 * (e->n_points - 1), sizeof x);
      ll_surface_eval (race->surface, x[0], x[1], &gx, &gy);
      g[0] = (float) gx;
      g[1] = (float) gy;
      ll_optim_step (&e->config, e->config.learning_rate, race->n_steps, 2, x, g, e->state);
      loss = ll_surface_eval (race->surface, x[0], x[1], NULL, NULL);

      if (!isfinite (x[0]) || !isfinite (x[1]) || !isfinite (loss)
          || fabs (x[0]) > reach || fabs (x[1]) > reach)
        {
          e->diverged = TRUE;
          continue;
        }
      memcpy (e->path + 2 * e->n_points, x, sizeof x);
      e->losses[e->n_points] = loss;
      e->n_points++;
      if (e->reached < 0 && race_near_minimum (race, x))
        e->reached = (int) race->n_steps;
    }
  return TRUE;
}

guint
ll_race_get_n_steps (LlRace *race)
{
  return race->n_steps;
}

guint
ll_race_get_max_steps (LlRace *race)
{
  return race->max_steps;
}

const float *
ll_race_get_path (LlRace *race, guint entry, guint *n_points)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, NULL);
  if (n_points != NULL)
    *n_points = race->entries[entry].n_points;
  return race->entries[entry].path;
}

const double *
ll_race_get_losses (LlRace *race, guint entry, guint *n_points)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, NULL);
  if (n_points != NULL)
    *n_points = race->entries[entry].n_points;
  return race->entries[entry].losses;
}

int
ll_race_get_steps_to_tolerance (LlRace *race, guint entry)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, -1);
  return race->entries[entry].reached;
}

gboolean
ll_race_entry_diverged (LlRace *race, guint entry)
{
  g_return_val_if_fail (entry < LL_RACE_N_ENTRIES, FALSE);
  return race->entries[entry].diverged;
}
