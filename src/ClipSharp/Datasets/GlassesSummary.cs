namespace ClipSharp.Datasets;

/// <summary>A verified glasses folder: its train.csv rows, and how many rows past the required first ones lack their
/// image (the first such one named).</summary>
public sealed record GlassesSummary(string Directory, int Rows, int MissingImages, string? FirstMissing)
{
    public override string ToString() =>
        $"{Directory}: train.csv with {Rows} rows, " + (MissingImages == 0 ? "every image present"
            : $"{MissingImages} images missing (first {FirstMissing}; `evaluate --skip-missing` leaves those rows " +
              "out)");
}
