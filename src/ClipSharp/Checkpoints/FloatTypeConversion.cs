using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>Casts a checkpoint's floating-point tensors to another floating type (e.g. float16 to halve the file),
/// refusing a value the new type cannot hold instead of silently writing ±Inf.</summary>
public static class FloatTypeConversion
{
    /// <summary>The tensors with every floating-point one cast to <paramref name="type"/>; the others are the same
    /// objects. The caller owns the new tensors (those not <see cref="object.ReferenceEquals"/> to an input).
    /// </summary>
    public static Dictionary<string, Tensor> Convert(IReadOnlyDictionary<string, Tensor> tensors, ScalarType type,
        string source)
    {
        var converted = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (key, value) in tensors)
            {
                converted[key] = value.is_floating_point() ? value.to_type(type) : value;
                RequireHeld(key, value, converted[key], type, source);
            }
            return converted;
        }
        catch
        {
            foreach (var (key, t) in converted) if (!ReferenceEquals(t, tensors[key])) t.Dispose();
            throw;
        }
    }

    // A finite value that became ±Inf overflowed the new type (NaN/Inf inputs are the loader's to refuse).
    static void RequireHeld(string key, Tensor original, Tensor cast, ScalarType type, string source)
    {
        if (ReferenceEquals(original, cast)) return;
        using var scope = torch.NewDisposeScope();
        var overflowed = torch.isinf(cast).logical_and(torch.isfinite(original));
        if (!overflowed.any().item<bool>()) return;
        double value = original.masked_select(overflowed)[0].to_type(ScalarType.Float64).item<double>();
        string name = type.ToString().ToLowerInvariant();
        throw new CheckpointException($"Checkpoint '{source}': '{key}' holds {value:G6}, beyond the range of {name} " +
            $"(±{MaxOf(type):G6}); keep it in float32");
    }

    static double MaxOf(ScalarType type) => type switch
    {
        ScalarType.Float16 => 65504,
        ScalarType.BFloat16 => 3.3895313892515355e38,
        ScalarType.Float32 => float.MaxValue,
        _ => double.MaxValue,
    };
}
