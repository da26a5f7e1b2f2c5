using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Copies a state dict into a model after checking that every key and shape matches, naming all that do
/// not, and that every floating-point value is finite (naming the first key that is not).</summary>
internal static class StateDictLoader
{
    public static void Load(nn.Module model, IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var target = model.state_dict();
        // BatchNorm's update counter only matters for training; checkpoints may leave it out.
        static bool Optional(string key) => key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

        var missing = target.Keys.Where(k => !stateDict.ContainsKey(k) && !Optional(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var mismatched = stateDict
            .Where(kv => target.TryGetValue(kv.Key, out var t) && !SameShape(kv.Value.shape, t.shape))
            .Select(kv => $"shape mismatch at '{kv.Key}': checkpoint {Shape(kv.Value.shape)}, " +
                $"model {Shape(target[kv.Key].shape)}")
            .ToList();

        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"missing [{string.Join(", ", missing)}]");
        if (unexpected.Count > 0) problems.Add($"unexpected [{string.Join(", ", unexpected)}]");
        problems.AddRange(mismatched);
        if (problems.Count > 0) throw new StateDictException($"Checkpoint '{source}': {string.Join("; ", problems)}");
        RequireFinite(target.Keys.Where(stateDict.ContainsKey).Select(k => (k, stateDict[k])), source);

        using var _ = torch.no_grad();
        foreach (var (key, t) in target)
            if (stateDict.TryGetValue(key, out var value))
                using (var converted = value.to_type(t.dtype).reshape(t.shape))
                    t.copy_(converted);
    }

    /// <summary>Refuses the first floating-point tensor holding NaN or ±Inf: such a weight turns every answer into
    /// NaN. One vectorised isfinite().all() per tensor (a temporary of one byte per value, freed at once).</summary>
    public static void RequireFinite(IEnumerable<(string Key, Tensor Value)> tensors, string source)
    {
        foreach (var (key, value) in tensors)
        {
            if (!value.is_floating_point()) continue;
            bool finite;
            using (torch.NewDisposeScope()) finite = torch.isfinite(value).all().item<bool>();
            if (!finite) throw new StateDictException($"Checkpoint '{source}': '{key}' holds NaN/Inf");
        }
    }

    static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    // A 0-dim scalar may be stored as [1] (as some safetensors writers do).
    static bool SameShape(long[] a, long[] b) =>
        a.SequenceEqual(b)
        || (a.Aggregate(1L, (x, y) => x * y) == 1 && b.Aggregate(1L, (x, y) => x * y) == 1
            && a.Length <= 1 && b.Length <= 1);
}
