using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>A storage a pickle names by persistent id: <c>data/&lt;Key&gt;</c> in the archive, Numel elements of
/// Dtype.</summary>
sealed record StorageRef(ScalarType Dtype, string Key, long Numel);

/// <summary>How a stored tensor lies in its flat storage, in elements: torch's offset, sizes and strides.</summary>
sealed record StorageView(long Offset, long[] Shape, long[] Strides)
{
    /// <summary>Null when the view lies inside a storage of <paramref name="storageNumel"/> elements; else what is
    /// wrong, checked in C# so libtorch never sees (and never prints a backtrace for) an impossible view.</summary>
    public string? Problem(long storageNumel)
    {
        if (Shape.Length != Strides.Length) return $"has {Shape.Length} sizes but {Strides.Length} strides";
        if (Shape.Length > TensorBytes.MaxRank) return $"has {Shape.Length} dimensions (at most {TensorBytes.MaxRank})";
        if (Offset < 0 || Shape.Any(s => s < 0) || Strides.Any(s => s < 0))
            return "has a negative offset, size or stride";
        if (TensorBytes.Numel(Shape) is not long numel) return "has a size product that overflows";
        if (numel == 0) return null;
        long last = Offset; // the last element the view reads
        for (int i = 0; i < Shape.Length; i++)
        {
            if (Strides[i] != 0 && Shape[i] - 1 > (long.MaxValue - last) / Strides[i])
                return "reaches past any storage (overflow)";
            last += (Shape[i] - 1) * Strides[i];
        }
        return last < storageNumel ? null : $"reads element {last} of a storage of {storageNumel} elements";
    }

    /// <summary>The element count (valid once <see cref="Problem"/> returned null).</summary>
    public long Numel => TensorBytes.Numel(Shape) ?? throw new InvalidOperationException("an unchecked view");

    /// <summary>True when the view is its whole storage in row-major order, so the storage itself can be the
    /// tensor.</summary>
    public bool IsWhole(long storageNumel)
    {
        if (Offset != 0 || Numel != storageNumel) return false;
        long expected = 1;
        for (int i = Shape.Length - 1; i >= 0; i--)
        {
            if (Shape[i] != 1 && Strides[i] != expected) return false;
            expected *= Shape[i];
        }
        return true;
    }

    public override string ToString() =>
        $"offset {Offset}, size {TensorBytes.Shape(Shape)}, stride {TensorBytes.Shape(Strides)}";
}

/// <summary>A tensor a pickle rebuilds: its state-dict key, its storage and where in it the tensor lies.</summary>
sealed record StoredTensor(string Key, StorageRef Storage, StorageView View);
