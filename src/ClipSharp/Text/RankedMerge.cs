namespace ClipSharp.Text;

/// <summary>
/// BPE's merge loop in O(n log n), on token ids: the official loop finds the lowest-ranked adjacent pair, merges every
/// occurrence of it left to right, and starts over (quadratic in the word's length). Here every adjacent pair waits in
/// a queue ordered by (rank, position); pairs made stale by an earlier merge are skipped when they come out. The
/// result is the same because a merged token only takes part in pairs of higher rank than the merge that made it
/// (every merge's parts are made by earlier merges in the released file; a test checks this), so the pairs of one rank
/// still come out left to right, as the official loop takes them.
/// </summary>
static class RankedMerge
{
    /// <summary>The ids of a word after BPE, from the ids of its byte symbols.</summary>
    public static List<int> Apply(IReadOnlyList<int> symbols, IReadOnlyDictionary<long, (int Rank, int Merged)> merges)
    {
        int n = symbols.Count;
        if (n < 2) return [.. symbols];
        var token = symbols.ToArray();   // a node's current token
        var alive = new bool[n];
        var next = new int[n];
        var previous = new int[n];
        for (int i = 0; i < n; i++) (alive[i], previous[i], next[i]) = (true, i - 1, i + 1 < n ? i + 1 : -1);

        // Queued: a pair's left node, by (rank, position). Each pair of tokens has one rank, so a pair that comes out
        // with the rank its node's current pair has is that pair, still unmerged.
        var queue = new PriorityQueue<int, long>(n);
        int RankAt(int left) =>
            next[left] >= 0 && merges.TryGetValue(BpeVocabulary.PairKey(token[left], token[next[left]]), out var m)
                ? m.Rank
                : -1;
        void Offer(int left)
        {
            int rank = RankAt(left);
            if (rank >= 0) queue.Enqueue(left, ((long)rank << 32) | (uint)left);
        }
        for (int i = 0; i + 1 < n; i++) Offer(i);

        while (queue.TryDequeue(out int left, out long priority))
        {
            if (!alive[left] || RankAt(left) != (int)(priority >> 32)) continue;
            int right = next[left];
            token[left] = merges[BpeVocabulary.PairKey(token[left], token[right])].Merged;
            alive[right] = false;
            next[left] = next[right];
            if (next[right] >= 0) previous[next[right]] = left;
            if (previous[left] >= 0) Offer(previous[left]);
            Offer(left);
        }

        var ids = new List<int>();
        for (int i = 0; i >= 0; i = next[i]) ids.Add(token[i]);
        return ids;
    }
}
