using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>Raw little-endian tensor bytes ↔ tensors, and the dtype names of the formats we read.</summary>
static class TensorBytes
{
    public static Tensor FromBytes(byte[] bytes, ScalarType dtype, long[] shape)
    {
        var t = empty(shape, dtype);
        if (bytes.Length > 0) t.bytes = bytes;
        return t;
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

    public static readonly IReadOnlyDictionary<string, ScalarType> SafetensorsDtypes = new Dictionary<string, ScalarType>
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    public static readonly IReadOnlyDictionary<string, ScalarType> TorchStorageDtypes = new Dictionary<string, ScalarType>
    {
        ["DoubleStorage"] = ScalarType.Float64, ["FloatStorage"] = ScalarType.Float32, ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16, ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16, ["CharStorage"] = ScalarType.Int8, ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
    };

    public static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}
