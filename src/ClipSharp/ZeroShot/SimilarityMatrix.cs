namespace ClipSharp.ZeroShot;

/// <summary>Images × texts: cosine similarities and the row-wise softmax of the logits (scale · cosine), with labels
/// for display and plots.</summary>
public sealed record SimilarityMatrix(
    IReadOnlyList<string> RowLabels, IReadOnlyList<string> ColumnLabels, float[,] Cosine, double LogitScale)
{
    public int Rows => Cosine.GetLength(0);
    public int Columns => Cosine.GetLength(1);

    /// <summary>softmax over each row of the logits: the probability of each text for each image.</summary>
    public float[,] Probabilities
    {
        get
        {
            var p = new float[Rows, Columns];
            for (int r = 0; r < Rows; r++)
            {
                double max = double.NegativeInfinity;
                for (int c = 0; c < Columns; c++) max = Math.Max(max, LogitScale * Cosine[r, c]);
                double sum = 0;
                for (int c = 0; c < Columns; c++) sum += Math.Exp(LogitScale * Cosine[r, c] - max);
                for (int c = 0; c < Columns; c++) p[r, c] = (float)(Math.Exp(LogitScale * Cosine[r, c] - max) / sum);
            }
            return p;
        }
    }

    /// <summary>The most probable column of each row.</summary>
    public int[] ArgMax() =>
        [.. Enumerable.Range(0, Rows).Select(r => Enumerable.Range(0, Columns).MaxBy(c => Cosine[r, c]))];
}
