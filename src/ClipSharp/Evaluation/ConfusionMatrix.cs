namespace ClipSharp.Evaluation;

/// <summary>Counts[true class, predicted class], with accuracy and per-class precision and recall.</summary>
public sealed class ConfusionMatrix(IReadOnlyList<string> classes)
{
    public IReadOnlyList<string> Classes { get; } = classes;
    public int[,] Counts { get; } = new int[classes.Count, classes.Count];
    public int Total { get; private set; }

    public void Add(int actual, int predicted) { Counts[actual, predicted]++; Total++; }

    public double Accuracy =>
        Total == 0 ? 0 : (double)Enumerable.Range(0, Classes.Count).Sum(i => Counts[i, i]) / Total;

    /// <summary>Of the images predicted as class c, the share that are c (NaN when none was predicted c).</summary>
    public double Precision(int c)
    {
        int predicted = Enumerable.Range(0, Classes.Count).Sum(a => Counts[a, c]);
        return predicted == 0 ? double.NaN : (double)Counts[c, c] / predicted;
    }

    /// <summary>Of the images of class c, the share predicted c (NaN when there are none).</summary>
    public double Recall(int c)
    {
        int actual = Enumerable.Range(0, Classes.Count).Sum(p => Counts[c, p]);
        return actual == 0 ? double.NaN : (double)Counts[c, c] / actual;
    }

    public override string ToString()
    {
        int w = Math.Max(10, Classes.Max(c => c.Length) + 2);
        var sb = new System.Text.StringBuilder();
        sb.Append("true \\ predicted".PadRight(w + 6));
        foreach (var c in Classes) sb.Append(c.PadLeft(w));
        sb.AppendLine();
        for (int a = 0; a < Classes.Count; a++)
        {
            sb.Append(Classes[a].PadRight(w + 6));
            for (int p = 0; p < Classes.Count; p++) sb.Append(Counts[a, p].ToString().PadLeft(w));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
