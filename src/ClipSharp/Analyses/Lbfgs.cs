namespace ClipSharp.Analyses;

/// <summary>Limited-memory BFGS with a backtracking (Armijo) line search, in double precision, for smooth convex
/// objectives: stops when the largest gradient entry is below the tolerance.</summary>
static class Lbfgs
{
    const int Memory = 20;
    const double Armijo = 1e-4;

    public static (double[] Solution, int Iterations, double GradientMax) Minimise(
        Func<double[], (double Loss, double[] Gradient)> objective, double[] start, double tolerance, int maxIterations)
    {
        var x = (double[])start.Clone();
        var (f, g) = objective(x);
        var history = new List<(double[] S, double[] Y, double Rho)>();
        int iteration = 0;
        while (MaxAbs(g) >= tolerance && iteration < maxIterations)
        {
            iteration++;
            var direction = Direction(g, history);
            double slope = Dot(direction, g);
            if (slope >= 0) // not a descent direction (curvature lost to rounding): restart from steepest descent
            {
                history.Clear();
                direction = Scale(g, -1);
                slope = Dot(direction, g);
            }
            // The first step has no curvature estimate: keep it short so the line search starts near scale.
            double step = history.Count == 0 ? Math.Min(1, 1 / Math.Sqrt(Dot(g, g))) : 1;
            double[] next;
            double fNext;
            double[] gNext;
            while (true)
            {
                next = Axpy(step, direction, x);
                (fNext, gNext) = objective(next);
                if (fNext <= f + Armijo * step * slope) break;
                step /= 2;
                if (step < 1e-20) return (x, iteration, MaxAbs(g)); // no further decrease is representable
            }
            var s = Subtract(next, x);
            var yv = Subtract(gNext, g);
            double sy = Dot(s, yv);
            if (sy > 1e-12 * Math.Sqrt(Dot(s, s) * Dot(yv, yv)))
            {
                if (history.Count == Memory) history.RemoveAt(0);
                history.Add((s, yv, 1 / sy));
            }
            (x, f, g) = (next, fNext, gNext);
        }
        return (x, iteration, MaxAbs(g));
    }

    /// <summary>The two-loop recursion: −H·g with H the L-BFGS inverse-Hessian estimate.</summary>
    static double[] Direction(double[] g, List<(double[] S, double[] Y, double Rho)> history)
    {
        var q = (double[])g.Clone();
        var alpha = new double[history.Count];
        for (int i = history.Count - 1; i >= 0; i--)
        {
            alpha[i] = history[i].Rho * Dot(history[i].S, q);
            AddScaled(q, -alpha[i], history[i].Y);
        }
        if (history.Count > 0)
        {
            var (s, y, _) = history[^1];
            double gamma = Dot(s, y) / Dot(y, y);
            for (int j = 0; j < q.Length; j++) q[j] *= gamma;
        }
        for (int i = 0; i < history.Count; i++)
        {
            double beta = history[i].Rho * Dot(history[i].Y, q);
            AddScaled(q, alpha[i] - beta, history[i].S);
        }
        return Scale(q, -1);
    }

    static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    static double MaxAbs(double[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);
    static double[] Scale(double[] a, double k) => [.. a.Select(v => v * k)];
    static double[] Subtract(double[] a, double[] b) => [.. a.Select((v, i) => v - b[i])];
    static double[] Axpy(double k, double[] a, double[] b) => [.. a.Select((v, i) => k * v + b[i])];

    static void AddScaled(double[] into, double k, double[] a)
    {
        for (int i = 0; i < into.Length; i++) into[i] += k * a[i];
    }
}
