using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>Raw little-endian tensor bytes ↔ tensors, and the dtype names of the formats we read.</summary>
static class TensorBytes
{
    /// <summary>Fills one chunk of a new tensor's memory, front to back.</summary>
    public delegate void Fill(Span<byte> chunk);

    /// <summary>A new CPU tensor whose bytes <paramref name="fill"/> writes straight into its memory, in chunks of at
    /// most 1 GiB (no managed copy of the whole tensor). The caller has bounded the size; disposed if filling fails.
    /// </summary>
    public static Tensor Create(ScalarType dtype, long[] shape, Fill fill)
    {
        var t = empty(shape, dtype);
        try
        {
            using var flat = t.view(-1);
            long total = flat.numel(), chunk = (1 << 30) / ElementSize(dtype);
            for (long start = 0; start < total; start += chunk)
            {
                using var part = flat.narrow(0, start, Math.Min(chunk, total - start));
                fill(part.bytes); // the tensor's own memory: no managed copy
            }
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    public static byte[] ToBytes(Tensor t)
    {
        using var c = t.contiguous();
        return c.bytes.ToArray();
    }

    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"dtype {dtype}"),
    };

    /// <summary>The element count of a shape, or null when a dimension is negative or the product overflows.</summary>
    public static long? Numel(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (long d in shape)
        {
            if (d < 0) return null;
            if (d != 0 && n > long.MaxValue / d) return null;
            n *= d;
        }
        return n;
    }

    /// <summary>The most dimensions a stored tensor may have (libtorch allows 64; checkpoints use at most 4).</summary>
    public const int MaxRank = 32;

    public static readonly IReadOnlyDictionary<string, ScalarType> SafetensorsDtypes =
        new Dictionary<string, ScalarType>
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    public static readonly IReadOnlyDictionary<string, ScalarType> TorchStorageDtypes =
        new Dictionary<string, ScalarType>
    {
        ["DoubleStorage"] = ScalarType.Float64, ["FloatStorage"] = ScalarType.Float32,
        ["HalfStorage"] = ScalarType.Float16, ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16, ["CharStorage"] = ScalarType.Int8, ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
    };

    public static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
