using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Puts a state dict into a model after checking that every key and shape matches, naming all that do
/// not, and that every floating-point value is finite (naming the first key that is not). A tensor the model holds
/// on the meta device is replaced by the checkpoint's, converted to the model's type (PyTorch's
/// <c>load_state_dict(assign=True)</c>: one pass, nothing initialised first); any other is copied into (one pass,
/// converting on the way). On an error the model is left partly loaded: the caller disposes it.</summary>
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

        using var _ = torch.no_grad();
        foreach (var (prefix, owner) in model.named_modules().Prepend(("", model)))
        {
            var own = owner.named_parameters(recurse: false).Select(p => (p.name, (Tensor)p.parameter))
                .Concat(owner.named_buffers(recurse: false)).ToList();
            foreach (var (name, current) in own)
            {
                string key = prefix.Length == 0 ? name : $"{prefix}.{name}";
                bool given = stateDict.TryGetValue(key, out var value);
                if (current.device_type != DeviceType.META)
                {
                    if (!given) continue;
                    using (var view = value!.reshape(current.shape)) current.copy_(view);
                    RequireFinite(key, current, source);
                    continue;
                }
                var loaded = given ? Converted(value!, current)
                    : torch.zeros(current.shape, current.dtype); // an optional buffer (see above)
                try { RequireFinite(key, loaded, source); }
                catch { loaded.Dispose(); throw; }
                ParameterAssignment.Assign(owner, name, loaded);
            }
        }
    }

    /// <summary>The checkpoint's tensor as the model's new one: its type and shape, in memory of its own (never
    /// shared with the caller's tensors, which may change or go).</summary>
    static Tensor Converted(Tensor value, Tensor current)
    {
        using var shaped = value.reshape(current.shape);
        return shaped.to_type(current.dtype, copy: true);
    }

    /// <summary>Refuses a floating-point weight holding NaN or ±Inf (as the model's type): such a weight turns every
    /// answer into NaN. Checked on the converted tensor, just written and so in cache: its sum is finite when every
    /// value is (one fast reduction, no temporary); only a sum that is not (NaN, Inf, or an overflow of huge finite
    /// values) is confirmed value by value.</summary>
    static void RequireFinite(string key, Tensor loaded, string source)
    {
        if (!loaded.is_floating_point()) return;
        using var scope = torch.NewDisposeScope();
        if (double.IsFinite(loaded.sum().to_type(ScalarType.Float64).item<double>())) return;
        if (!torch.isfinite(loaded).all().item<bool>())
            throw new StateDictException($"Checkpoint '{source}': '{key}' holds NaN/Inf");
    }

    static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    // A 0-dim scalar may be stored as [1] (as some safetensors writers do).
    static bool SameShape(long[] a, long[] b) =>
        a.SequenceEqual(b)
        || (a.Aggregate(1L, (x, y) => x * y) == 1 && b.Aggregate(1L, (x, y) => x * y) == 1
            && a.Length <= 1 && b.Length <= 1);
}
