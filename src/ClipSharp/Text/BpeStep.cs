namespace ClipSharp.Text;

/// <summary>One BPE merge: the adjacent pair joined, its rank in the merges file (lower merges first), the symbols
/// after.</summary>
public sealed record BpeStep(string First, string Second, int Rank, IReadOnlyList<string> Symbols)
{
    public override string ToString() => $"{Rank,6}: {First} + {Second} → {string.Join(" ", Symbols)}";
}
