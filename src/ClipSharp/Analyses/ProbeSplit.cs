namespace ClipSharp.Analyses;

/// <summary>Which images train a linear probe and which test it: K images of each class for training, every other
/// image for testing. Indices are in the data set's order.</summary>
public sealed record ProbeSplit(int Shots, IReadOnlyList<int> Train, IReadOnlyList<int> Test)
{
    /// <summary>The first K images of each class in the data set's order (the reproducible rule <c>clip probe</c>
    /// uses).</summary>
    public static ProbeSplit FirstK(IReadOnlyList<int> labels, IReadOnlyList<string> classes, int shots,
        string source) =>
        Make(labels, classes, shots, source, (members, k) => members.Take(k));

    /// <summary>K images of each class drawn at random (seeded, so a draw can be repeated).</summary>
    public static ProbeSplit RandomK(IReadOnlyList<int> labels, IReadOnlyList<string> classes, int shots, string source,
        int seed) =>
        Make(labels, classes, shots, source, (members, k) =>
        {
            var random = new Random(seed * 7919 + members[0]);
            var shuffled = members.ToArray();
            random.Shuffle(shuffled);
            return shuffled.Take(k);
        });

    /// <summary>The largest K every class supports (each class keeps at least one test image).</summary>
    public static int MaxShots(IReadOnlyList<int> labels, int classes) =>
        Enumerable.Range(0, classes).Min(c => labels.Count(l => l == c)) - 1;

    static ProbeSplit Make(IReadOnlyList<int> labels, IReadOnlyList<string> classes, int shots, string source,
        Func<IReadOnlyList<int>, int, IEnumerable<int>> pick)
    {
        if (shots < 1) throw new AnalysisException($"The number of shots must be at least 1; got {shots}");
        var train = new HashSet<int>();
        for (int c = 0; c < classes.Count; c++)
        {
            var members = Enumerable.Range(0, labels.Count).Where(i => labels[i] == c).ToList();
            if (members.Count < shots + 1)
                throw new AnalysisException($"'{source}': class '{classes[c]}' has {members.Count} image(s); " +
                    $"{shots} shot(s) need at least {shots + 1} (K to train and one to test)");
            train.UnionWith(pick(members, shots));
        }
        var test = Enumerable.Range(0, labels.Count).Where(i => !train.Contains(i));
        return new ProbeSplit(shots, [.. train.Order()], [.. test]);
    }
}
