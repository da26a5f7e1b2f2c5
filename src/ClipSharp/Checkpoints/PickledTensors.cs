using System.Globalization;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Walks what a <c>data.pkl</c> built — TorchScript module attribute bags, (ordered) dicts, parameter wrappers —
/// down to the tensor rebuilds, in file order and without recursion: nesting depth, key length and the work done are
/// bounded, so a deep, cyclic or exponentially shared structure is refused with a message instead of overflowing the
/// stack.
/// </summary>
static class PickledTensors
{
    public const int MaxDepth = 1000;
    public const int MaxKeyLength = 4096;

    public static List<StoredTensor> Collect(object? root, long pickleLength, string source)
    {
        // A tree has at most one node per pickle opcode; only shared sub-objects (memo references) can exceed that.
        long maxVisits = 4 * pickleLength + 1024, visits = 0;
        var found = new List<StoredTensor>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(object? Node, string Prefix, int Depth)>();
        pending.Push((root, "", 0));
        CheckpointException Error(string prefix, string what) =>
            new($"Checkpoint '{source}': {(prefix.Length > 0 ? $"at '{Shorten(Key(prefix))}': " : "")}{what}");

        while (pending.Count > 0)
        {
            var (node, prefix, depth) = pending.Pop();
            if (++visits > maxVisits)
                throw Error(prefix, $"data.pkl refers to its objects more than {maxVisits} times " +
                    "(a cycle or a maze of shared objects)");
            if (depth > MaxDepth) throw Error(prefix, $"data.pkl nests objects deeper than {MaxDepth} levels");
            switch (node)
            {
                case PickledObject { State: Dictionary<object, object?> attributes }:
                    PushChildren(attributes, prefix, depth);
                    break;
                case Dictionary<object, object?> dict:
                    PushChildren(dict, prefix, depth);
                    break;
                case PickleCall { Function.FullName: "torch._utils._rebuild_parameter", Arguments: [var data, ..] }:
                    pending.Push((data, prefix, depth + 1));
                    break;
                case PickleCall { Function.FullName: "torch._utils._rebuild_tensor_v2" } call:
                    string key = Key(prefix);
                    if (!keys.Add(key)) throw Error(prefix, "the key appears twice");
                    found.Add(new StoredTensor(key, StorageOf(call, prefix), ViewOf(call, prefix)));
                    break;
                case PickleCall call:
                    throw Error(prefix,
                        $"unexpected call '{call.Function.FullName}' with {call.Arguments.Length} arguments");
            }
        }
        return found;

        void PushChildren(Dictionary<object, object?> children, string prefix, int depth)
        {
            foreach (var (k, v) in children.Reverse()) // a stack: reversed, so children come out in file order
            {
                string name = k switch
                {
                    string s => s,
                    long l => l.ToString(CultureInfo.InvariantCulture),
                    bool b => b ? "True" : "False",
                    _ => throw Error(prefix, $"a dict key is a {k.GetType().Name}, not a string"),
                };
                if (prefix.Length + name.Length >= MaxKeyLength)
                    throw Error(prefix, $"a key longer than {MaxKeyLength} characters");
                pending.Push((v, $"{prefix}{name}.", depth + 1));
            }
        }

        StorageRef StorageOf(PickleCall call, string prefix) =>
            call.Arguments is [StorageRef s, ..] ? s : throw Error(prefix, "a tensor rebuild without a storage");

        StorageView ViewOf(PickleCall call, string prefix) =>
            call.Arguments is [_, long offset, object?[] size, object?[] stride, ..]
                && Longs(size) is { } shape && Longs(stride) is { } strides
                ? new StorageView(offset, shape, strides)
                : throw Error(prefix, "a tensor rebuild whose offset, size or stride is not integers");
    }

    static string Key(string prefix) => prefix.TrimEnd('.');

    /// <summary>A key as an error shows it: a hostile one may be thousands of characters long.</summary>
    static string Shorten(string key) => key.Length <= 160 ? key : $"{key[..80]}…{key[^79..]}";

    static long[]? Longs(object?[] items)
    {
        if (items.Length > TensorBytes.MaxRank) return null;
        var values = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i] is not long v) return null;
            values[i] = v;
        }
        return values;
    }
}
