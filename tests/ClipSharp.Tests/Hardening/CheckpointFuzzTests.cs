using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Hardening;

/// <summary>
/// A bounded, seeded mutation fuzz of the reference checkpoints: bytes of the zip structure, of data.pkl (re-zipped,
/// so the pickle parser sees the mutations) and of safetensors headers. Every mutant goes through
/// <see cref="CheckpointReader"/> and, when it still reads, <see cref="ClipModel.FromStateDict"/>: none may crash the
/// process, hang, or throw anything but a <see cref="ClipSharpException"/>.
/// </summary>
public class CheckpointFuzzTests(ITestOutputHelper output)
{
    const int Seed = 11_2026;
    const int ZipMutants = 200, PickleMutants = 400, HeaderMutants = 600, ShapeMutants = 150;

    [Fact]
    public void Mutated_reference_checkpoints_are_read_or_refused_with_a_ClipSharpException_only()
    {
        var rng = new Random(Seed);
        var failures = new List<string>();
        var outcomes = new Dictionary<string, (int Loaded, int Refused)>();
        var clock = Stopwatch.StartNew();
        var signatures = new HashSet<string>();
        int models = 0;
        var run = Task.Run(() =>
        {
            foreach (var (kind, name, bytes, length) in Mutants(rng))
            {
                var (loaded, refused) = outcomes.GetValueOrDefault(kind);
                try
                {
                    using var input = new MemoryStream(bytes, 0, length, writable: false);
                    using var checkpoint = CheckpointReader.Read(input, name);
                    // The model is built once per distinct set of keys, shapes and dtypes: that is all it depends on.
                    var signature = checkpoint.Tensors
                        .Select(t => $"{t.Key}{TensorBytes.Shape(t.Value.shape)}{t.Value.dtype}");
                    if (signatures.Add(string.Join(";", signature)))
                        using (ClipModel.FromStateDict(checkpoint.Tensors, name)) models++;
                    outcomes[kind] = (loaded + 1, refused);
                }
                catch (ClipSharpException e)
                {
                    outcomes[kind] = (loaded, refused + 1);
                    if (!e.Message.Contains(name) || e.Message.Contains("Exception raised from"))
                        failures.Add($"{name}: message does not name the file or carries a backtrace: {e.Message}");
                }
                catch (Exception e)
                {
                    failures.Add($"{name}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        });
        // A hang, not slowness: the run takes well under a minute on two idle cores.
        Assert.True(run.Wait(TimeSpan.FromMinutes(10)), "the fuzz run hung");
        foreach (var (kind, (loaded, refused)) in outcomes)
            output.WriteLine($"{kind}: {loaded} loaded, {refused} refused");
        output.WriteLine($"{models} models built, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(failures);
        // The mutations reach past the first check: some mutants of each kind are refused, and some still load.
        Assert.All(outcomes.Values, o => Assert.True(o.Refused > 0));
        Assert.True(outcomes.Values.Sum(o => o.Loaded) > 0 && models > 0);
        Assert.Equal(3 * (ZipMutants + PickleMutants) + HeaderMutants, outcomes.Values.Sum(o => o.Loaded + o.Refused));
    }

    [Fact]
    public void Mutated_state_dict_shapes_are_built_or_refused_with_a_StateDictException_only()
    {
        // Shapes only matter to FromStateDict: each mutant is the tiny ResNet's or ViT's keys with a few shapes
        // edited, a key dropped or renamed, as expanded zero tensors (no memory, whatever the shape claims).
        var rng = new Random(Seed);
        int built = 0, refused = 0;
        var failures = new List<string>();
        long[] dims = [0, 1, 2, 3, 7, 16, 17, 63, 64, 65, 128, 129, 512, 4096, 1_000_000, 1L << 40];
        foreach (var model in new[] { "tiny-rn.safetensors", "tiny-vit.safetensors" })
        {
            using var checkpoint = CheckpointReader.Read(Reference.Model(model));
            var keys = checkpoint.Tensors.Keys.ToList();
            for (int i = 0; i < ShapeMutants; i++)
            {
                var shapes = checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
                for (int m = rng.Next(1, 4); m > 0; m--)
                {
                    string key = keys[rng.Next(keys.Count)];
                    if (!shapes.TryGetValue(key, out var shape)) continue;
                    switch (rng.Next(5))
                    {
                        case 0: shapes.Remove(key); break;
                        case 1: shapes.Remove(key); shapes[key.Replace(".0.", ".9.")] = shape; break;
                        case 2: shapes[key] = [.. shape, dims[rng.Next(dims.Length)]]; break;
                        case 3: shapes[key] = shape.Length > 0 ? shape[..^1] : [2]; break;
                        default:
                            if (shape.Length == 0) break;
                            int axis = rng.Next(shape.Length);
                            shapes[key] = [.. shape.Select((d, j) => j == axis ? dims[rng.Next(dims.Length)] : d)];
                            break;
                    }
                }
                using var zero = TorchSharp.torch.zeros(Array.Empty<long>());
                var tensors = shapes.Where(kv => TensorBytes.Numel(kv.Value) is not null) // libtorch's own limit
                    .ToDictionary(kv => kv.Key, kv => zero.expand(kv.Value));
                try
                {
                    using (ClipModel.FromStateDict(tensors, $"{model}#shape{i}")) built++;
                }
                catch (StateDictException e)
                    when (e.Message.StartsWith($"Checkpoint '{model}#shape{i}'", StringComparison.Ordinal))
                {
                    refused++;
                }
                catch (Exception e)
                {
                    failures.Add($"{model}#shape{i}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
                finally
                {
                    foreach (var t in tensors.Values) t.Dispose();
                }
            }
        }
        output.WriteLine($"{built} built, {refused} refused");
        Assert.Empty(failures);
        Assert.True(refused > 0);
    }

    /// <summary>The mutants, lazily: each is (kind, name, buffer, length) and valid until the next is asked for (the
    /// zip-structure mutants are edits made in place and undone afterwards, to spare a 16 MB copy each).</summary>
    static IEnumerable<(string Kind, string Name, byte[] Bytes, int Length)> Mutants(Random rng)
    {
        foreach (var model in new[] { "tiny-rn.pt", "tiny-rn.state_dict.pt", "tiny-vit.pt" })
        {
            var original = File.ReadAllBytes(Reference.Model(model));
            var structure = ZipStructure(original);
            for (int i = 0; i < ZipMutants; i++)
            {
                int at = structure[rng.Next(structure.Count)];
                if (rng.Next(10) == 0)
                {
                    yield return ("zip structure", $"{model}#zip{i}", original, at);
                    continue;
                }
                var undo = new Stack<(int At, byte Was)>();
                for (int m = rng.Next(1, 4); m > 0; m--)
                {
                    int where = Math.Min(original.Length - 1, at + rng.Next(8));
                    undo.Push((where, original[where]));
                    Mutate(original, where, rng);
                }
                yield return ("zip structure", $"{model}#zip{i}", original, original.Length);
                foreach (var (where, was) in undo) original[where] = was;
            }

            var entries = Entries(original);
            var pickle = entries.Single(e => e.Name.EndsWith("/data.pkl", StringComparison.Ordinal)).Bytes;
            for (int i = 0; i < PickleMutants; i++)
            {
                var mutated = MutatePickle(pickle, rng);
                var zip = Zip(entries.Select(e => e.Bytes == pickle ? (e.Name, mutated) : e));
                yield return ("data.pkl", $"{model}#pkl{i}", zip, zip.Length);
            }
        }

        var safetensors = File.ReadAllBytes(Reference.Model("tiny-rn.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(safetensors);
        for (int i = 0; i < HeaderMutants; i++)
        {
            var undo = new Stack<(int At, byte Was)>();
            for (int m = rng.Next(1, 4); m > 0; m--)
            {
                int where = rng.Next(4) == 0 ? rng.Next(8) : rng.Next(8, headerEnd);
                undo.Push((where, safetensors[where]));
                Mutate(safetensors, where, rng, json: true);
            }
            yield return ("safetensors header", $"tiny-rn.safetensors#hdr{i}", safetensors, safetensors.Length);
            foreach (var (where, was) in undo) safetensors[where] = was;
        }
    }

    /// <summary>Offsets of zip headers (local, central, end of directory) and the 46 bytes after each.</summary>
    static List<int> ZipStructure(byte[] zip)
    {
        var offsets = new List<int>();
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature is 0x04034b50 or 0x02014b50 or 0x06054b50 or 0x06064b50 or 0x07064b50)
                offsets.AddRange(Enumerable.Range(i, Math.Min(46, zip.Length - i)));
        }
        return offsets;
    }

    static void Mutate(byte[] bytes, int at, Random rng, bool json = false)
    {
        byte[] interesting = json ? [.. "\"{}[],-9"u8, 0] : [0x00, 0xff, 0x7f, 0x80, 0x01];
        bytes[at] = rng.Next(3) switch
        {
            0 => (byte)(bytes[at] ^ (1 << rng.Next(8))),
            1 => interesting[rng.Next(interesting.Length)],
            _ => (byte)rng.Next(256),
        };
    }

    /// <summary>1–6 edits: bit flips, interesting or random bytes, insertions, deletions, duplicated runs, a
    /// cut.</summary>
    static byte[] MutatePickle(byte[] pickle, Random rng)
    {
        var bytes = new List<byte>(pickle);
        for (int m = rng.Next(1, 7); m > 0 && bytes.Count > 2; m--)
        {
            int at = rng.Next(bytes.Count);
            switch (rng.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: bytes[at] = PickleBytes[rng.Next(PickleBytes.Length)]; break;
                case 2: bytes.Insert(at, (byte)rng.Next(256)); break;
                case 3: bytes.RemoveRange(at, Math.Min(rng.Next(1, 16), bytes.Count - at)); break;
                case 4:
                    int length = Math.Min(rng.Next(1, 64), bytes.Count - at);
                    bytes.InsertRange(rng.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }

    /// <summary>Bytes a pickle mutation likes to plant: edge values and the structural opcodes.</summary>
    static readonly byte[] PickleBytes = [0x00, 0xff, 0x7f, 0x80, .. "()tR.Q}]hsue"u8];

    static List<(string Name, byte[] Bytes)> Entries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return [.. archive.Entries.Select(e =>
        {
            using var s = e.Open();
            var data = new byte[e.Length];
            s.ReadExactly(data);
            return (e.FullName, data);
        })];
    }

    static byte[] Zip(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
                using (var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open()) s.Write(bytes);
        return stream.ToArray();
    }
}
